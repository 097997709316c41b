"""A check-in's one read of its facts: equal to each rule's own read, the compiled statement
(care.fastpath) equal to the ORM's, and the number of queries of one check-in held."""

import datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from tuoguan.accounts.services.tokens import token_issue
from tuoguan.care import fastpath, selectors, services
from tuoguan.care.api import AttendanceSerializer
from tuoguan.care.codes import check_in_code
from tuoguan.care.guards import checkin_guards
from tuoguan.care.models import (
    Absence,
    Attendance,
    DayClose,
    HealthCheck,
    KioskDevice,
    RatioBreach,
)
from tuoguan.care.services.duty import group_ratio, school_children_per_carer
from tuoguan.programs import services as programs
from tuoguan.programs.models import Term

from .support import CareCase, actor, confirmed, running_term, today

# Statements of one check-in, the transaction's own not counted (BEGIN, COMMIT, and the test
# case's savepoints): a caregiver's tap reads the token with the actor's membership, and the
# enrolment with its facts, and writes the row, its audit entry and the parent's notice in
# one statement (its outside deliveries follow in housekeeping's batch); a kiosk reads its
# device (stamping it, at most once a minute, in the same statement) instead of
# the token and the actor. SQLite stamps the token apart and writes each row apart.
POSTGRESQL = connection.vendor == "postgresql"
TAP_STATEMENTS = 3 if POSTGRESQL else 8
KIOSK_STATEMENTS = 3 if POSTGRESQL else 7


def _statements(queries: CaptureQueriesContext) -> list[str]:
    sql = [str(q["sql"]) for q in queries.captured_queries]
    return [s for s in sql if s not in ("BEGIN", "COMMIT") and "SAVEPOINT" not in s]


def _one_by_one(enrolment: Any, actor_: Any, day: datetime.date) -> selectors.CheckInFacts:
    """Each fact from its rule's own read, as the services read them one at a time."""
    term = Term.objects.select_related("program__host").get(pk=enrolment.term_id)
    group = enrolment.group
    ratio = group_ratio(group, day)
    earlier = Attendance.objects.filter(child_id=enrolment.child_id, date=day).first()
    blocking = selectors.blocking_checks(enrolment.child_id, day).first()
    breach = selectors.open_breaches(group).first()
    standard_ratio = school_children_per_carer(term)
    return selectors.CheckInFacts(
        day=day,
        user_id=actor_.user.pk if actor_ is not None else None,
        rostered=actor_ is not None and selectors.roster_entries(term, actor_.user).exists(),
        care_day=selectors.care_days(term, day).exists(),
        day_closed=DayClose.objects.filter(group=group, date=day).exists(),
        earlier_at=earlier.checked_in_at if earlier else None,
        blocking_check_id=blocking.pk if blocking else None,
        absent=Absence.objects.filter(enrolment=enrolment, date=day).exists(),
        children_present=ratio.children,
        carers_on_duty=ratio.carers,
        open_breach_id=breach.pk if breach else None,
        school_threshold=standard_ratio,
        guard_reasons={guard: guard(term) for guard in checkin_guards},
    )


def _comparable(facts: selectors.CheckInFacts) -> dict[str, Any]:
    out = dict(facts.__dict__)
    # The read carries the threshold; the rule turns a missing or zero one into 35.
    threshold = out.pop("school_threshold")
    out["school_ratio"] = Decimal(threshold) if threshold else Decimal(35)
    return out


def _instances(enrolment: Any) -> dict[str, Any]:
    """The rows the read loaded, field by field."""

    def fields(obj: Any) -> dict[str, Any]:
        return {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields}

    return {
        "enrolment": fields(enrolment),
        "child": fields(enrolment.child),
        "guardian": fields(enrolment.child.guardian),
        "user": fields(enrolment.child.guardian.user),
        "term": fields(enrolment.term),
        "program": fields(enrolment.term.program),
        "host": fields(enrolment.term.program.host),
        "group": fields(enrolment.group),
    }


class CheckInFactsTests(CareCase):
    def setUp(self) -> None:
        self.term = running_term(self.p)
        self.carer = actor(self.p.caregiver)
        self.enrolment = confirmed(self.p, self.term, 1)
        self.device, self.token = services.kiosk_issue(
            actor=actor(self.p.grassroots_admin), program=self.term.program, name="前门"
        )

    def _assert_read_equal(self, who: Any) -> None:
        day = today()
        fast = selectors.enrolment_for_check_in(who, self.enrolment.pk, day)
        plain = selectors.enrolment_for_care(who, self.enrolment.pk)
        by_orm = selectors.check_in_facts(plain, who, day)  # the ORM's read of the facts
        self.assertEqual(_instances(fast), _instances(plain))
        assert fast.group is not None
        self.assertIs(fast.group.term, fast.term)
        self.assertEqual(_comparable(selectors.check_in_facts(fast, who, day)), _comparable(by_orm))
        self.assertEqual(_comparable(by_orm), _comparable(_one_by_one(plain, who, day)))
        kiosk = selectors.kiosk_enrolment_to_check_in(self.device, self.enrolment.pk, day)
        assert kiosk is not None
        kiosk_orm = selectors.enrolment_to_check_in(
            selectors.kiosk_enrolments(self.device), None, self.enrolment.pk, day
        )
        assert kiosk_orm is not None
        self.assertEqual(_instances(kiosk), _instances(kiosk_orm))
        self.assertEqual(
            _comparable(selectors.check_in_facts(kiosk, None, day)),
            _comparable(selectors.check_in_facts(kiosk_orm, None, day)),
        )
        self.assertEqual(
            _comparable(selectors.check_in_facts(kiosk_orm, None, day)),
            _comparable(_one_by_one(kiosk_orm, None, day)),
        )

    def test_every_fact_in_and_out_of_each_state(self) -> None:
        caregiver, manager = self.carer, actor(self.p.grassroots_admin)
        day = today()
        self._assert_read_equal(caregiver)
        self._assert_read_equal(manager)
        group = self.enrolment.group
        assert group is not None
        # Others in the group: two in, one already collected; two carers on duty.
        for n in (2, 3, 4):
            other = confirmed(self.p, self.term, n)
            services.attendance_check_in(actor=caregiver, enrolment=other)
        Attendance.objects.filter(child_id=other.child_id).update(checked_out_at=timezone.now())
        services.duty_clock_in(actor=caregiver, group=group)
        Absence.objects.create(
            enrolment=self.enrolment, date=day, reason="sick", reported_by=self.p.parent
        )
        HealthCheck.objects.create(
            enrolment=self.enrolment, child=self.enrolment.child, term=self.term, group=group,
            date=day, round="morning", temperature=Decimal("38.4"), flagged=True,
            recorded_by=self.p.caregiver,
        )  # fmt: skip
        RatioBreach.objects.create(
            group=group, term=self.term, date=day, started_at=timezone.now(), children=9,
            carers=0, children_per_carer=Decimal(5),
        )  # fmt: skip
        DayClose.objects.create(group=group, date=day, closed_by=self.p.grassroots_admin)
        self._assert_read_equal(caregiver)
        self._assert_read_equal(manager)
        # The term's standard: a province version whose carer ratio is 20 children per carer.
        national = programs.standard_ensure_national_default()
        assert national is not None
        admin = actor(self.p.province_admin)
        draft = programs.standard_new_version(
            actor=admin, standard=national, org=self.p.province,
            effective_from=day - datetime.timedelta(days=400),
        )  # fmt: skip
        programs.criterion_update(
            actor=admin, criterion=draft.criteria.get(code="carer_ratio"), threshold=Decimal(20)
        )
        programs.standard_publish(actor=admin, standard=draft)
        self._assert_read_equal(caregiver)
        # Checked in already.
        Attendance.objects.create(
            enrolment=self.enrolment, term=self.term, group=group, child=self.enrolment.child,
            date=day, checked_in_at=timezone.now(), check_in_method="tap",
        )  # fmt: skip
        self._assert_read_equal(manager)

    def test_the_read_finds_nothing_outside_the_actors_groups_nor_another_kiosks(self) -> None:
        for who in (actor(self.p.outsider), actor(self.p.parent)):
            with self.subTest(who=who.user.username), self.assertRaises(Http404):
                selectors.enrolment_for_check_in(who, self.enrolment.pk)
            with self.assertRaises(Http404):
                selectors.enrolment_for_care(who, self.enrolment.pk)
        other_term = running_term(self.p)
        other_device, _token = services.kiosk_issue(
            actor=actor(self.p.grassroots_admin), program=other_term.program, name="后门"
        )
        self.assertIsNone(
            selectors.kiosk_enrolment_to_check_in(other_device, self.enrolment.pk, today())
        )
        with self.assertRaises(Http404):
            selectors.enrolment_for_check_in(self.carer, 2**62)

    def test_the_kiosks_read_compiled_once_is_the_orms(self) -> None:
        def fields(device: Any) -> list[dict[str, Any]]:
            if device is None:
                return []
            rows = (device, device.program, device.program.host)
            return [
                {f.attname: getattr(r, f.attname) for f in r._meta.concrete_fields} for r in rows
            ]

        hashed = self.device.token_hash
        found = selectors.kiosk_for_token(hashed)
        self.assertEqual(found, self.device)
        self.assertEqual(fields(found), fields(selectors.kiosk_for_token(hashed, compiled=False)))
        self.assertIsNone(selectors.kiosk_for_token("0" * 64))
        services.kiosk_revoke(actor=actor(self.p.grassroots_admin), device=self.device)
        self.assertIsNone(selectors.kiosk_for_token(hashed))
        self.assertIsNone(selectors.kiosk_for_token(hashed, compiled=False))

    def test_a_sentinel_inside_a_parameter_is_refused_not_substituted(self) -> None:
        with self.assertRaises(fastpath.NotCompilable):
            fastpath._slot(f"%{fastpath.PATH}%")
        with self.assertRaises(fastpath.NotCompilable):
            fastpath._slot(f"{fastpath.TOKEN}%")
        self.assertEqual(fastpath._slot(f"{fastpath.PATH}%"), ("path_prefix", ("like", "%")))
        self.assertEqual(fastpath._slot(fastpath.DAY), ("day", None))
        self.assertEqual(fastpath._slot(fastpath.DAY.isoformat()), ("day", "text"))
        with self.assertRaises(fastpath.NotCompilable):
            fastpath._slot(f"x{fastpath.DAY.isoformat()}")
        self.assertEqual(fastpath._slot(fastpath.TOKEN), ("token", None))
        self.assertEqual(fastpath._slot(7), ("", 7))


def _written(attendance: Attendance) -> dict[str, Any]:
    """What a check-in wrote, field by field, without ids and times."""
    from tuoguan.audit.models import AuditEntry
    from tuoguan.notifications.models import Notification

    skip = {"id", "created_at", "updated_at", "checked_in_at", "at", "object_id", "enrolment_id"}
    skip |= {"child_id"}

    def fields(obj: Any) -> dict[str, Any]:
        return {
            f.attname: getattr(obj, f.attname)
            for f in obj._meta.concrete_fields
            if f.attname not in skip
        }

    entry = AuditEntry.objects.get(model=Attendance._meta.label, object_id=str(attendance.pk))
    notice = Notification.objects.get(
        recipient=attendance.child.guardian.user,
        url=reverse("care:child_today", kwargs={"pk": attendance.enrolment_id}),
    )
    return {
        "row": fields(attendance),
        "entry": {**fields(entry), "object_repr": None},
        "notice": {**fields(notice), "subject": None, "recipient_id": None, "url": None},
    }


class CheckInInputTests(CareCase):
    """A plain body's validated data, read without the serializer, is the serializer's; any
    other body is left to the serializer."""

    BODIES: list[Any] = [
        {"enrolment": 12},
        {"enrolment": 12, "code": ""},
        {"enrolment": 12, "code": "12:34:abc-_"},
        {"enrolment": 12, "code": " 12:34 "},
        {"enrolment": 12, "code": "a\x00b"},
        {"enrolment": 12, "code": 5},
        {"enrolment": "12"},
        {"enrolment": True},
        {"enrolment": 0},
        {"enrolment": -3},
        {"enrolment": 2**70},
        {"enrolment": 1.0},
        {"enrolment": None},
        {"code": "x"},
        {"code": ""},
        {"code": "  "},
        {"code": None},
        {"enrolment": 12, "other": 1},
        {},
        [],
        "x",
    ]

    def test_a_plain_body_reads_as_the_serializer_validates_it(self) -> None:
        from tuoguan.care.api import CheckInSerializer, KioskCodeSerializer

        for body in self.BODIES:
            with self.subTest(body=body):
                fast = fastpath.check_in_input(body)
                if fast is not None:
                    payload = CheckInSerializer(data=body)
                    self.assertTrue(payload.is_valid(), payload.errors)
                    self.assertEqual(fast, dict(payload.validated_data))
                code = fastpath.kiosk_code_input(body)
                if code is not None:
                    scanned = KioskCodeSerializer(data=body)
                    self.assertTrue(scanned.is_valid(), scanned.errors)
                    self.assertEqual(code, scanned.validated_data["code"])
        self.assertIsNotNone(fastpath.check_in_input({"enrolment": 12}))
        self.assertIsNotNone(fastpath.check_in_input({"enrolment": 12, "code": "12:34:abc-_"}))
        self.assertIsNotNone(fastpath.kiosk_code_input({"code": "x"}))


class KioskStampTests(CareCase):
    """The kiosk's "last seen" stamp, at most once a minute: on PostgreSQL in the statement
    of its read (care.fastpath.kiosk_stamp), as the ORM's UPDATE would set it."""

    def setUp(self) -> None:
        self.term = running_term(self.p)
        self.device, self.token = services.kiosk_issue(
            actor=actor(self.p.grassroots_admin), program=self.term.program, name="前门"
        )

    def _seen(self) -> Any:
        return KioskDevice.objects.get(pk=self.device.pk).last_seen_at

    def test_a_kiosk_is_stamped_on_first_use_and_again_only_after_a_minute(self) -> None:
        with CaptureQueriesContext(connection) as first:
            device = services.kiosk_authenticate(self.token)
        assert device is not None
        self.assertEqual(len(first.captured_queries), 1 if POSTGRESQL else 2)
        stamped = self._seen()
        self.assertIsNotNone(stamped)
        self.assertEqual(device.last_seen_at, stamped)
        with CaptureQueriesContext(connection) as again:
            self.assertEqual(services.kiosk_authenticate(self.token), self.device)
        self.assertEqual(len(again.captured_queries), 1)
        self.assertEqual(self._seen(), stamped)
        KioskDevice.objects.filter(pk=self.device.pk).update(
            last_seen_at=stamped - datetime.timedelta(seconds=61)
        )
        later = services.kiosk_authenticate(self.token)
        assert later is not None
        self.assertGreaterEqual(self._seen(), stamped)
        self.assertEqual(later.last_seen_at, self._seen())

    def test_a_revoked_kiosk_or_one_of_an_inactive_class_is_neither_found_nor_stamped(
        self,
    ) -> None:
        program = self.term.program
        type(program).objects.filter(pk=program.pk).update(is_active=False)
        self.assertIsNone(services.kiosk_authenticate(self.token))
        self.assertIsNone(self._seen())
        type(program).objects.filter(pk=program.pk).update(is_active=True)
        services.kiosk_revoke(actor=actor(self.p.grassroots_admin), device=self.device)
        self.assertIsNone(services.kiosk_authenticate(self.token))
        self.assertIsNone(self._seen())
        self.assertIsNone(services.kiosk_authenticate("kiosk_unknown"))


class CheckInWritesTests(CareCase):
    """The fast read's id (PostgreSQL) sends the row, its entry and the notice together; what
    they write is what the plain path (the ORM's read, each row on its own) writes."""

    def test_the_rows_written_together_are_the_plain_paths(self) -> None:
        term = running_term(self.p)
        carer = actor(self.p.caregiver)
        fast, plain = (confirmed(self.p, term, n) for n in (1, 2))
        read = selectors.enrolment_for_check_in(carer, fast.pk, today())
        self.assertEqual(getattr(read, "door_next_id", None) is not None, POSTGRESQL)
        together = services.attendance_check_in(actor=carer, enrolment=read)
        if POSTGRESQL:
            self.assertEqual(together.pk, read.door_next_id)  # type: ignore[attr-defined]
        alone = services.attendance_check_in(
            actor=carer, enrolment=selectors.enrolment_for_care(carer, plain.pk)
        )
        self.assertEqual(
            _written(Attendance.objects.get(pk=together.pk)),
            _written(Attendance.objects.get(pk=alone.pk)),
        )

    def test_a_check_in_written_meanwhile_refuses_the_second_without_a_trace(self) -> None:
        term = running_term(self.p)
        carer = actor(self.p.caregiver)
        enrolment = confirmed(self.p, term, 1)
        first = selectors.enrolment_for_check_in(carer, enrolment.pk, today())
        second = selectors.enrolment_for_check_in(carer, enrolment.pk, today())
        services.attendance_check_in(actor=carer, enrolment=first)
        notices = self.p.parent.notifications.count()
        with self.assertRaises(ValidationError) as refused:
            services.attendance_check_in(actor=carer, enrolment=second)
        self.assertEqual(refused.exception.code, "already_checked_in")
        self.assertEqual(Attendance.objects.filter(enrolment=enrolment).count(), 1)
        self.assertEqual(self.p.parent.notifications.count(), notices)


class CheckInQueriesTests(CareCase):
    """The number of statements of one check-in, through each endpoint."""

    def setUp(self) -> None:
        self.term = running_term(self.p)
        services.duty_clock_in(actor=actor(self.p.caregiver), group=self.term.groups.get())
        self.first, self.second = (confirmed(self.p, self.term, n) for n in (1, 2))
        _token, key = token_issue(user=self.p.caregiver, name="door")
        self.tap = APIClient()
        self.tap.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
        _device, token = services.kiosk_issue(
            actor=actor(self.p.grassroots_admin), program=self.term.program, name="前门"
        )
        self.kiosk = APIClient()
        self.kiosk.credentials(HTTP_AUTHORIZATION=f"Kiosk {token}")
        # The kiosk's "last seen" stamp (once a minute) is not part of a check-in.
        self.kiosk.get(reverse("kiosk-day"))

    def test_a_caregivers_tap_and_a_kiosk_scan_each_take_a_few_statements(self) -> None:
        url = reverse("attendance-list")
        with CaptureQueriesContext(connection) as tap:
            done = self.tap.post(url, {"enrolment": self.first.pk}, format="json")
        self.assertEqual(done.status_code, 201, done.content)
        self.assertLessEqual(len(_statements(tap)), TAP_STATEMENTS, _statements(tap))
        code = check_in_code(self.second, today())
        with CaptureQueriesContext(connection) as kiosk:
            done = self.kiosk.post(reverse("kiosk-check-in"), {"code": code}, format="json")
        self.assertEqual(done.status_code, 201, done.content)
        self.assertLessEqual(len(_statements(kiosk)), KIOSK_STATEMENTS, _statements(kiosk))
        # The refusal of a repeat reads and writes nothing more.
        with CaptureQueriesContext(connection) as again:
            refused = self.tap.post(url, {"enrolment": self.second.pk}, format="json")
        self.assertEqual(refused.status_code, 400)
        refusal = 3 if POSTGRESQL else 4
        self.assertLessEqual(len(_statements(again)), refusal, _statements(again))
        self.assertEqual(Attendance.objects.filter(term=self.term).count(), 2)

    def test_the_answer_built_by_hand_is_the_serializers(self) -> None:
        done = self.tap.post(
            reverse("attendance-list"), {"enrolment": self.first.pk}, format="json"
        )
        attendance = Attendance.objects.get(pk=done.json()["id"])
        self.assertEqual(done.json(), AttendanceSerializer(attendance).data)
        code = check_in_code(self.second, today())
        done = self.kiosk.post(reverse("kiosk-check-in"), {"code": code}, format="json")
        attendance = Attendance.objects.get(pk=done.json()["id"])
        self.assertEqual(done.json(), AttendanceSerializer(attendance).data)
        # Collected, corrected: every field of the answer has a value.
        pickup = attendance.enrolment.child.pickups.first()
        assert pickup is not None
        services.attendance_check_out(
            actor=actor(self.p.caregiver), attendance=attendance, pickup=pickup
        )
        attendance = Attendance.objects.get(pk=attendance.pk)
        Attendance.objects.filter(pk=attendance.pk).update(corrected=True)
        attendance.refresh_from_db()
        self.assertEqual(
            fastpath.attendance_answer(attendance), AttendanceSerializer(attendance).data
        )

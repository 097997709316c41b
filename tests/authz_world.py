"""The project-wide test world: the personas plus one object of every kind on each side.

`authz_world` is built once per module, through the real services, inside a transaction
that is rolled back when the module ends; each test runs in a savepoint of it (the `db`
fixture), so a probe that changes data (a POST that succeeds) never leaks into the next.

"own" objects sit in the Liaoning subtree (辽宁, the personas' province); "foreign" ones are
the same kind of object in Sichuan (四川), where `outsider` is the union admin and
`other_parent` the family. The rules in tests/authz_rules/ name objects by these kinds.
"""

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from tuoguan.testing import Personas, build_personas

# Logged-in personas of the matrix, in the order their test ids appear.
PERSONAS = (
    "province_admin",
    "city_admin",
    "grassroots_admin",
    "caregiver",
    "reviewer",
    "parent",
    "outsider",
    "other_parent",
)
ANONYMOUS = "anonymous"
IN_MEMORY_STORAGE = "django.core.files.storage.InMemoryStorage"
SURVEY_ANSWER: dict[str, Any] = {
    "children": [{"age": 8, "grade": 2}],
    "wanted_types": ["holiday"],
    "wanted_period": "summer",
    "hours": "full_day",
    "pay_living_costs": "yes",
    "special_needs": "",
}


# --- The URL configuration, as the matrix and the robustness tests walk it ---------------------

# Framework patterns that are not the project's views: the admin site (superusers only,
# guarded by Django itself) and Django's language switch. Everything else needs a rule.
SKIPPED_NAMESPACES = frozenset({"admin"})
SKIPPED_NAMES = frozenset({"set_language"})
FORMAT_KWARG = "format"


@dataclass(frozen=True)
class Route:
    name: str  # namespace:name, or the bare name of a DRF route
    route: str
    kwargs: tuple[str, ...]
    callback: Any

    @property
    def is_format_variant(self) -> bool:
        return FORMAT_KWARG in self.kwargs


def _walk(
    resolver: URLResolver, prefix: str = "", namespace: str = "", outer: tuple[str, ...] = ()
) -> list[Route]:
    found: list[Route] = []
    for entry in resolver.url_patterns:
        kwargs = (*outer, *entry.pattern.regex.groupindex)
        if isinstance(entry, URLResolver):
            inner = namespace
            if entry.namespace:
                inner = f"{namespace}:{entry.namespace}" if namespace else entry.namespace
            found += _walk(entry, prefix + str(entry.pattern), inner, kwargs)
        elif isinstance(entry, URLPattern):
            name = entry.name or ""
            qualified = f"{namespace}:{name}" if namespace and name else name
            route = prefix + str(entry.pattern)
            found.append(Route(qualified, route, tuple(sorted(kwargs)), entry.callback))
    return found


def project_routes() -> list[Route]:
    """Every routed pattern but the framework's own (see SKIPPED_*)."""
    routes = []
    for route in _walk(get_resolver()):
        top = route.name.split(":", 1)[0] if ":" in route.name else ""
        if top in SKIPPED_NAMESPACES or route.route.startswith("admin/"):
            continue
        if route.name in SKIPPED_NAMES:
            continue
        routes.append(route)
    return routes


# --- The world ---------------------------------------------------------------------------------


@dataclass
class World:
    p: Personas
    own: dict[str, Any] = field(default_factory=dict)
    foreign: dict[str, Any] = field(default_factory=dict)
    sessions: dict[str, str] = field(default_factory=dict)

    def user(self, persona: str) -> Any:
        return None if persona == ANONYMOUS else getattr(self.p, persona)

    def client(self, persona: str) -> Client:
        """A client logged in as `persona` through a session made once for the module."""
        client = Client()
        if persona != ANONYMOUS:
            client.cookies[settings.SESSION_COOKIE_NAME] = self.sessions[persona]
        return client

    def log_in_everyone(self) -> None:
        for persona in PERSONAS:
            client = Client()
            client.force_login(self.user(persona))
            self.sessions[persona] = client.cookies[settings.SESSION_COOKIE_NAME].value


def _actor(user: Any) -> Any:
    from tuoguan.orgs.permissions import actor_for

    return actor_for(user)


def _people(w: World) -> None:
    from tuoguan.accounts import services as people
    from tuoguan.accounts.models import Worker
    from tuoguan.orgs import services as orgs
    from tuoguan.orgs.models import Membership, Role

    p = w.p
    sc_carer = people.user_create(username="sc_carer", real_name="外省看护", password=None)
    orgs.membership_grant(
        actor=None, user=sc_carer, org=p.other_grassroots_far, role=Role.CAREGIVER
    )
    w.own["org"], w.foreign["org"] = p.grassroots, p.other_grassroots_far
    w.own["membership"] = Membership.objects.get(user=p.caregiver, org=p.grassroots)
    w.foreign["membership"] = Membership.objects.get(user=sc_carer)
    other_worker = Worker.objects.get(user=p.other_parent)
    # The Sichuan family mirrors the Liaoning one: verified member, child with consent.
    people.worker_verify(actor=_actor(p.outsider), worker=other_worker)
    people.consent_grant(
        actor=_actor(p.other_parent), child=p.other_child, policy=p.policy, ip="127.0.0.1"
    )
    w.own["worker"], w.foreign["worker"] = p.parent_worker, other_worker
    w.own["child"], w.foreign["child"] = p.child_one, p.other_child


def _personal(w: World) -> None:
    """Objects that belong to one user, whatever their union: tokens, inbox, jobs."""
    from tuoguan.accounts import services as people
    from tuoguan.core.jobs import job_create
    from tuoguan.notifications.models import Delivery
    from tuoguan.notifications.services import notify

    p = w.p
    # Names differ per side, so a page that shows the other side's object is caught by text.
    for side, user, name in ((w.own, p.parent, "辽宁"), (w.foreign, p.other_parent, "四川")):
        side["token"] = people.token_issue(user=user, name=f"{name}令牌")[0]
        side["notification"] = notify(recipient=user, subject=f"{name}通知", channels=[])
        # Copies outside the site as the worker leaves them: one console copy, one failed SMS
        # with the gateway's English error, one e-mail skipped for want of an address.
        for channel, status, error in (
            ("console", "sent", ""),
            ("sms", "failed", "TimeoutError: SMS gateway unreachable"),
            ("email", "skipped", "no e-mail address"),
        ):
            Delivery.objects.create(
                notification=side["notification"],
                channel=channel,
                status=status,
                attempts=1,
                last_error=error,
            )
    for side, owner in ((w.own, p.province_admin), (w.foreign, p.outsider)):
        side["import_job"] = job_create(owner=owner, kind="worker_import", title="matrix")


def _audit(w: World) -> None:
    from tuoguan.audit.models import AuditEntry

    for side, org in ((w.own, w.p.grassroots), (w.foreign, w.p.other_grassroots_far)):
        entry = AuditEntry.objects.filter(org_path=org.path).order_by("pk").first()
        assert entry is not None, f"no audit entry at {org} to probe audit:entry with"
        side["audit_entry"] = entry


def _surveys(w: World) -> None:
    from tuoguan.enrolment.services import survey as surveys

    now = timezone.now()
    p = w.p
    for side, by, org, family, name in (
        (w.own, p.grassroots_admin, p.grassroots, p.parent, "辽宁"),
        (w.foreign, p.outsider, p.other_grassroots_far, p.other_parent, "四川"),
    ):
        survey = surveys.survey_create(
            actor=_actor(by),
            org=org,
            title=f"{name}托管需求调研",
            opens_at=now - datetime.timedelta(hours=1),
            closes_at=now + datetime.timedelta(days=7),
        )
        side["survey"] = surveys.survey_publish(actor=_actor(by), survey=survey)
        side["survey_response"] = surveys.survey_answer(
            actor=_actor(family), survey=side["survey"], **SURVEY_ANSWER
        )


def _open_term(
    w: World, *, by: Any, host: Any, mode: str, approver: Any, lead: int, label: str
) -> Any:
    from tuoguan.programs import services as programs
    from tuoguan.programs.tests.factories import DESPITE, make_program, make_term, make_venue

    start = timezone.localdate() + datetime.timedelta(days=lead)
    now = timezone.now()
    program = make_program(w.p, by=by, host=host, name=f"{label}爱心托管班")
    term = make_term(
        w.p,
        by=by,
        program=program,
        name=f"{label}{mode}期",
        venue=make_venue(w.p, by=by, owner=host, name=f"{label}职工之家"),
        capacity=30,
        start_date=start,
        end_date=start + datetime.timedelta(days=20),
        enrol_opens_at=now - datetime.timedelta(hours=1),
        enrol_closes_at=now + datetime.timedelta(days=1),
        enrol_mode=mode,
    )
    term = programs.term_submit(actor=_actor(by), term=term)
    term = programs.term_approve(actor=_actor(approver), term=term, **DESPITE)
    return programs.term_open_enrolment(actor=_actor(by), term=term)


def _classes(w: World) -> None:
    """A first-come term with the family's child admitted, and a drawn lottery term."""
    from tuoguan.enrolment.services import draw_run, enrolment_apply
    from tuoguan.enrolment.services.draws import draws_execute
    from tuoguan.programs.models import EnrolMode, Term

    p = w.p
    sides = (
        (w.own, p.grassroots_admin, p.grassroots, p.city_admin, p.child_one, "辽宁"),
        (w.foreign, p.outsider, p.other_grassroots_far, p.outsider, p.other_child, "四川"),
    )
    for side, by, host, approver, child, label in sides:
        term = _open_term(
            w, by=by, host=host, mode=EnrolMode.FIRST_COME, approver=approver, lead=60, label=label
        )
        side["term"], side["program"], side["venue"] = term, term.program, term.venue
        side["enrolment"] = enrolment_apply(
            actor=_actor(child.guardian.user), child=child, term=term
        )
        lottery = _open_term(
            w, by=by, host=host, mode=EnrolMode.LOTTERY, approver=approver, lead=120, label=label
        )
        enrolment_apply(actor=_actor(child.guardian.user), child=child, term=lottery)
        # The window closes (as if time had passed), then the host runs the draw.
        closes = timezone.now() - datetime.timedelta(seconds=1)
        Term.objects.filter(pk=lottery.pk).update(
            enrol_opens_at=closes - datetime.timedelta(days=1), enrol_closes_at=closes
        )
        lottery.refresh_from_db()
        side["lottery_term"] = lottery
        draw = draw_run(actor=_actor(by), term=lottery)
        # The task would run after commit, which never comes here: run it in place.
        assert draw.job_id is not None
        draws_execute(job_id=draw.job_id, draw_ids=[draw.pk])
        draw.refresh_from_db()
        side["draw"] = draw


def _paperwork(w: World) -> None:
    """The family's signed agreement, cover, pickup person and health note; staff's jobs."""
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    from tuoguan.core.jobs import job_create, job_finish
    from tuoguan.enrolment.exports import EXPORT_JOB_KIND, roster_workbook
    from tuoguan.enrolment.models import Enrolment
    from tuoguan.enrolment.services import agreements, health, insurance, pickups
    from tuoguan.enrolment.services.roster_import import JOB_KIND as ROSTER_IMPORT
    from tuoguan.programs.tests.factories import image_upload

    agreements.agreement_template_ensure_default()
    today = timezone.localdate()
    for side, staff in ((w.own, w.p.province_admin), (w.foreign, w.p.outsider)):
        enrolment, child = side["enrolment"], side["child"]
        family = _actor(child.guardian.user)
        side["agreement"] = agreements.agreement_sign(
            actor=family,
            enrolment=enrolment,
            signer_name=child.guardian.user.real_name,
            consent=True,
            ip="127.0.0.1",
        )
        side["insurance"] = insurance.insurance_add(
            actor=family,
            child=child,
            insurer="中国人寿",
            policy_number=f"PL-{child.pk}",
            starts_on=today,
            ends_on=today + datetime.timedelta(days=365),
            photo=image_upload(),
        )
        side["pickup"] = pickups.pickup_add(
            actor=family,
            child=child,
            name="王奶奶",
            relation="grandmother",
            mobile="13912345678",
            photo=image_upload(),
        )
        health.health_note_save(
            actor=family,
            enrolment=enrolment,
            allergies="",
            conditions="",
            medication="",
            declared=True,
        )
        side["insurance_import_job"] = job_create(
            owner=staff, kind="insurance_import", title="matrix"
        )
        side["roster_import_job"] = job_create(owner=staff, kind=ROSTER_IMPORT, title="matrix")
        export = job_create(owner=staff, kind=EXPORT_JOB_KIND, title="matrix")
        # A real workbook, as the background export writes it (the export probes open it).
        content = roster_workbook(enrolment.term, Enrolment.objects.filter(pk=enrolment.pk))
        stored = default_storage.save(f"exports/matrix-{export.pk}.xlsx", ContentFile(content))
        job_finish(job_id=export.pk, result={"path": stored})
        side["roster_export_job"] = export


def _programs(w: World) -> None:
    """Photos, a group, a staff entry, evidence, a draft standard of each province."""
    from tuoguan.accounts import services as people
    from tuoguan.programs import services as programs
    from tuoguan.programs.models import StaffRole
    from tuoguan.programs.standards import term_standard
    from tuoguan.programs.tests.factories import image_upload, make_group, pdf_upload

    national = programs.standard_ensure_national_default()
    assert national is not None
    p = w.p
    sides = (
        (w.own, p.grassroots_admin, p.province_admin, p.province, "ln"),
        (w.foreign, p.outsider, p.outsider, p.other_province, "sc"),
    )
    for side, host_admin, province_admin, province, prefix in sides:
        host, term = _actor(host_admin), side["term"]
        side["program_photo"] = programs.program_photo_add(
            actor=host, program=side["program"], image=image_upload()
        )
        side["venue_photo"] = programs.venue_photo_add(
            actor=host, venue=side["venue"], image=image_upload()
        )
        side["group"] = make_group(p, term, by=host_admin)
        tutor = people.user_create(username=f"{prefix}_tutor", real_name="志愿老师", password=None)
        side["term_staff"] = programs.term_staff_add(
            actor=host, term=term, user=tutor, role=StaffRole.TUTOR
        )
        standard = term_standard(term)
        assert standard is not None
        side["evidence"] = programs.evidence_upload(
            actor=host,
            term=term,
            criterion=standard.criteria.get(code="proc_pickup"),
            file=pdf_upload(),
        )
        # A draft of the province's own standard: editable by its admins, read below.
        side["standard"] = programs.standard_new_version(
            actor=_actor(province_admin),
            standard=national,
            org=province,
            effective_from=datetime.date(2030, 1, 1),
            title=f"{prefix} 建设标准",
        )
        side["criterion"] = side["standard"].criteria.order_by("pk").first()


def _care(w: World) -> None:
    """A running term with a care day today: a child checked in (and flagged at the health
    check), its caregiver on duty, a kiosk of the class."""
    from tuoguan.accounts.models import User
    from tuoguan.care import services as care
    from tuoguan.care.models import InspectionFollowUp
    from tuoguan.care.services.liveview import day_note_add
    from tuoguan.enrolment.models import Enrolment, EnrolmentStatus
    from tuoguan.programs import services as programs
    from tuoguan.programs.models import StaffRole, Term, TermStatus
    from tuoguan.programs.tests.factories import image_upload, make_group, make_program, make_term

    p, today = w.p, timezone.localdate()
    sides = (
        (w.own, p.grassroots_admin, p.grassroots, p.caregiver, p.child_one, "辽宁"),
        (
            w.foreign,
            p.outsider,
            p.other_grassroots_far,
            User.objects.get(username="sc_carer"),
            p.other_child,
            "四川",
        ),
    )
    for side, by, host, carer, child, label in sides:
        program = make_program(p, by=by, host=host, name=f"{label}课后托管班", type="after_school")
        term = make_term(
            p,
            by=by,
            program=program,
            name=f"{label}秋季学期",
            start_date=today - datetime.timedelta(days=5),
            end_date=today + datetime.timedelta(days=20),
        )
        group = make_group(p, term, by=by, name=f"{label}一年级组")
        if not term.days.filter(date=today, is_care_day=True).exists():
            programs.term_day_add(actor=_actor(by), term=term, date=today)
        Term.objects.filter(pk=term.pk).update(status=TermStatus.RUNNING)
        term.refresh_from_db()
        programs.term_staff_add(actor=_actor(by), term=term, user=carer, role=StaffRole.CAREGIVER)
        enrolment = Enrolment.objects.create(
            term=term,
            child=child,
            guardian=child.guardian,
            group=group,
            status=EnrolmentStatus.CONFIRMED,
            province=term.province,
            decided_at=timezone.now() - datetime.timedelta(days=10),
        )
        side["care_term"], side["care_group"], side["care_enrolment"] = term, group, enrolment
        side["attendance"] = care.attendance_check_in(actor=_actor(by), enrolment=enrolment)
        side["health_check"] = care.health_check_record(
            actor=_actor(by), enrolment=enrolment, temperature="37.8", symptoms=["cough"]
        )
        side["duty_shift"] = care.duty_clock_in(actor=_actor(carer), group=group)
        # The group's activity of the day on the families' live view.
        side["day_note"] = day_note_add(
            actor=_actor(carer), group=group, kind="activity", text=f"{label}剪纸"
        )
        side["kiosk_device"], side["kiosk_token"] = care.kiosk_issue(
            actor=_actor(by), program=program, name="前门"
        )
        side["care_program"] = program
        # A minor incident naming the child: its guardian and the host's staff are told.
        side["incident"] = care.incident_report(
            actor=_actor(carer),
            term=term,
            kind="injury",
            severity="minor",
            description="擦伤",
            children=[enrolment.pk],
        )
        side["emergency_plan"] = care.emergency_plan_save(
            actor=_actor(by), program=program, kind="fire", text="拨打 119，疏散。"
        )
        side["drill"] = care.drill_record(
            actor=_actor(by), term=term, kind="fire", date=today, participants=20
        )
        # Today's lunch with one dish, its sample kept; the class's supplier.
        side["supplier"] = care.supplier_save(
            actor=_actor(by),
            program=program,
            name="放心菜配送",
            licence_number="JY13201000000001",
            licence_expires=today + datetime.timedelta(days=200),
        )
        side["dish"] = care.dish_add(
            actor=_actor(by), term=term, date=today, kind="lunch", name="番茄炒蛋",
            allergens=["eggs"], supplier=side["supplier"],
        )  # fmt: skip
        side["meal"] = side["dish"].meal
        side["food_sample"] = care.food_sample_keep(
            actor=_actor(carer), dish=side["dish"], grams=150, temperature="4"
        )
        # Yesterday's inspection by the caregiver (today's form stays open): the cameras
        # failed, with a photo; its follow-up is the inspector's (no class manager rostered).
        yesterday = today - datetime.timedelta(days=1)
        if not term.days.filter(date=yesterday, is_care_day=True).exists():
            programs.term_day_add(actor=_actor(by), term=term, date=yesterday)
        side["safety_check"] = care.inspection_record(
            actor=_actor(carer),
            term=term,
            date=yesterday,
            results=[
                {"code": code, "passed": code != "cameras",
                 "photo": image_upload() if code == "cameras" else None}
                for code, _label in care.checklist_for(host)
            ],
        )  # fmt: skip
        side["safety_check_follow_up"] = InspectionFollowUp.objects.get(
            result__inspection=side["safety_check"]
        )
        # The guardian agreed to photos; the caregiver posted one tagging the child.
        care.media_consent_set(
            actor=_actor(child.guardian.user), child=child, photos="allowed", cameras="refused"
        )
        (side["photo"],) = care.photos_post(
            actor=_actor(carer), group=group, images=[image_upload()], caption=f"{label}搭积木",
            children=[enrolment.pk],
        )  # fmt: skip
        # A camera filming the group, and a view its guardian opened (through the service, at
        # a moment within care hours: the probes then find its link without a token).
        side["camera"] = care.camera_save(
            actor=_actor(by), program=program, name="一号摄像头", room="活动室", groups=[group],
            local_stream="demo-room",
        )  # fmt: skip
        # An online story time for the group, open now: its guardian may join.
        side["online_session"] = care.online_session_save(
            actor=_actor(carer), term=term, group=group, title="线上故事会", topic="story",
            host_kind="volunteer", host_name="李老师", join_url="https://meeting.example.org/j/1",
            starts_at=timezone.now() - datetime.timedelta(minutes=5),
            ends_at=timezone.now() + datetime.timedelta(hours=1), audience="group",
        )  # fmt: skip
        side["camera_view"], _token = care.camera_watch(
            actor=_actor(child.guardian.user),
            camera=side["camera"],
            now=datetime.datetime.combine(
                today, term.daily_start, tzinfo=timezone.get_current_timezone()
            )
            + datetime.timedelta(minutes=1),
        )


def _supervision(w: World) -> None:
    """An open visit with a photo, and a signed one with an open and an answered order.

    The province's admin goes on the Liaoning visits (the outsider on Sichuan's), so the
    inspector's pages have a persona of the matrix to open them.
    """
    import uuid

    from tuoguan.accounts import services as people
    from tuoguan.orgs import services as orgs
    from tuoguan.orgs.models import Role
    from tuoguan.programs.tests.factories import image_upload, pdf_upload
    from tuoguan.supervision import services as supervision

    p = w.p
    today = timezone.localdate()
    # The Sichuan class's own manager, who owns its orders as the host's admin does in Liaoning.
    sc_host = people.user_create(username="sc_host", real_name="外省班主任", password=None)
    orgs.membership_grant(
        actor=None, user=sc_host, org=p.other_grassroots_far, role=Role.PROGRAM_MANAGER
    )
    sides = (
        (w.own, p.province_admin, p.grassroots_admin),
        (w.foreign, p.outsider, sc_host),
    )
    for side, planner, owner in sides:
        by = _actor(planner)
        term = side["term"]
        visit = supervision.visit_plan(actor=by, term=term, date=today, inspectors=[planner])
        side["visit_photo"], _created = supervision.visit_photo_add(
            actor=by, visit=visit, item_key="fire_exits", client_id=uuid.uuid4(),
            image=image_upload(),
        )  # fmt: skip
        side["visit"] = visit
        signed = supervision.visit_plan(actor=by, term=term, date=today, inspectors=[planner])
        failing = {"fire_exits", "proc_pickup"}
        supervision.visit_answers_sync(
            actor=by,
            visit=signed,
            answers=[
                {"client_id": uuid.uuid4(), "item_key": item.key,
                 "result": "fail" if item.key in failing else "pass"}
                for item in signed.items.all()
            ],
        )  # fmt: skip
        supervision.visit_sign(actor=by, visit=signed, signed_name="督导员", owner=owner)
        side["signed_visit"] = signed
        orders = {o.item.key: o for o in signed.rectifications.select_related("item", "term")}
        side["rectification"] = orders["fire_exits"]
        answered = orders["proc_pickup"]
        supervision.rectification_answer(
            actor=_actor(owner), rectification=answered, answer="已整改", files=[pdf_upload()]
        )
        side["answered_rectification"] = answered
        side["rectification_evidence"] = answered.evidence.get()


def _awards_notice(
    side: dict[str, Any], admin: Any, reviewer: Any, decider: Any, papers: Any
) -> None:
    """A 2024 campaign on public notice with its entry and an open objection, and a title."""
    from tuoguan.awards import notice
    from tuoguan.awards import services as awards
    from tuoguan.awards.models import Designation
    from tuoguan.orgs.models import Membership
    from tuoguan.programs import compliance

    today = timezone.localdate()
    campaign = awards.campaign_create(
        actor=_actor(admin),
        title="2024年度示范点",
        year=2024,
        quota=3,
        applications_open=today - datetime.timedelta(days=1),
        applications_close=today + datetime.timedelta(days=10),
        review_close=today + datetime.timedelta(days=20),
    )
    campaign = awards.campaign_open(actor=_actor(admin), campaign=campaign)
    entry = awards.nomination_enter(
        actor=_actor(admin), campaign=campaign, term=side["term"], answers={}
    )
    entry = awards.nomination_decide(actor=_actor(decider), entry=entry, recommend=True)
    awards.reviewer_add(
        actor=_actor(admin), campaign=campaign, membership=Membership.objects.get(user=reviewer)
    )
    campaign = awards.campaign_start_review(actor=_actor(admin), campaign=campaign)
    points = {i.pk: i.points for i in campaign.rubric.all()}
    with compliance.overriding(facts=papers):
        awards.scorecard_submit(actor=_actor(reviewer), entry=entry, points=points)
        side["notice_campaign"] = notice.campaign_publish_notice(
            actor=_actor(admin), campaign=campaign
        )
    entry.refresh_from_db()
    side["notice_entry"] = entry
    side["objection"] = notice.objection_lodge(
        entry=entry,
        name="举报人",
        phone="13900002222",
        text="该班材料与实际情况不符。",
        address=None,
    )
    side["designation"] = Designation.objects.create(
        program=entry.program, level=1, year=2023, org=campaign.organiser
    )


def _awards(w: World) -> None:
    """Each province's open campaign, entered by its grassroots class with one photo."""
    from tuoguan.accounts import services as people
    from tuoguan.awards import services as awards
    from tuoguan.awards.models import ConditionKind
    from tuoguan.orgs import services as orgs
    from tuoguan.orgs.models import Membership, Role
    from tuoguan.programs import compliance
    from tuoguan.programs.tests.factories import image_upload

    p = w.p
    today = timezone.localdate()
    for side, admin, name in ((w.own, p.province_admin, "辽宁"), (w.foreign, p.outsider, "四川")):
        campaign = awards.campaign_create(
            actor=_actor(admin),
            title=f"2026年度{name}工会爱心托管班省级示范点",
            year=2026,
            quota=3,
            applications_open=today - datetime.timedelta(days=1),
            applications_close=today + datetime.timedelta(days=10),
            review_close=today + datetime.timedelta(days=20),
        )
        side["campaign"] = awards.campaign_open(actor=_actor(admin), campaign=campaign)
        side["condition"] = campaign.conditions.get(kind=ConditionKind.CHILDREN)
        entry = awards.nomination_enter(
            actor=_actor(admin), campaign=campaign, term=side["term"], answers={}
        )
        side["entry"] = entry
        side["entry_material"] = awards.material_add(
            actor=_actor(admin), entry=entry, upload=image_upload()
        )

    # A second campaign of each province (2025), under review: the entry recommended up by
    # the city, the province's reviewer persona and a second reviewer assigned, and the
    # second one's scorecard sent (the persona has not scored: it must not see that one).
    def staff(username: str, org: Any, role: str) -> Any:
        user = people.user_create(username=username, real_name="评审", password=None)
        orgs.membership_grant(actor=None, user=user, org=org, role=role)
        return user

    sides = (
        (
            w.own,
            p.province_admin,
            p.reviewer,
            p.city_admin,
            staff("ln_r2", p.province, Role.REVIEWER),
        ),
        (
            w.foreign,
            p.outsider,
            staff("sc_reviewer", p.other_province, Role.REVIEWER),
            staff("sc_city", p.other_city, Role.UNION_ADMIN),
            staff("sc_r2", p.other_province, Role.REVIEWER),
        ),
    )
    for side, admin, reviewer, decider, second in sides:
        campaign = awards.campaign_create(
            actor=_actor(admin),
            title="2025年度示范点",
            year=2025,
            quota=3,
            applications_open=today - datetime.timedelta(days=1),
            applications_close=today + datetime.timedelta(days=10),
            review_close=today + datetime.timedelta(days=20),
        )
        campaign = awards.campaign_open(actor=_actor(admin), campaign=campaign)
        entry = awards.nomination_enter(
            actor=_actor(admin), campaign=campaign, term=side["lottery_term"], answers={}
        )
        entry = awards.nomination_decide(actor=_actor(decider), entry=entry, recommend=True)
        for user in (reviewer, second):
            side["reviewer"] = awards.reviewer_add(
                actor=_actor(admin), campaign=campaign, membership=Membership.objects.get(user=user)
            )
        awards.campaign_start_review(actor=_actor(admin), campaign=campaign)
        side["entry_in_review"] = entry
        points = {i.pk: i.points // 2 for i in campaign.rubric.all()}
        # The lottery's families have no papers yet: let the veto pass for this one scorecard.
        papers = {"agreements_insurance": lambda terms: {t.pk: (1, 1) for t in terms}}
        with compliance.overriding(facts=papers):
            side["scorecard"] = awards.scorecard_submit(
                actor=_actor(second), entry=entry, points=points
            )
        _awards_notice(side, admin, reviewer, decider, papers)


def _funds(w: World) -> None:
    """Each province's budget, a pending and a disbursed grant to its class, an expense with
    its receipt, and a class charging living costs with the family's payment."""
    from decimal import Decimal

    from tuoguan.enrolment.models import Enrolment, EnrolmentStatus
    from tuoguan.funds import services as funds
    from tuoguan.programs.tests.factories import image_upload, make_program, make_term

    p = w.p
    today = timezone.localdate()
    sides = (
        (w.own, p.province_admin, p.grassroots_admin, p.province, p.grassroots, p.child_two,
         "辽宁"),
        (w.foreign, p.outsider, p.outsider, p.other_province, p.other_grassroots_far,
         p.other_child, "四川"),
    )  # fmt: skip
    for side, admin, host_admin, province, host, child, name in sides:
        side["budget"] = funds.budget_add(
            actor=_actor(admin), org=province, year=today.year, source="union_funds",
            amount_fen=100_000_00, note=f"{name}专项资金",
        )  # fmt: skip
        side["grant"] = funds.grant_create(
            actor=_actor(admin), org=province, program=side["program"], year=today.year,
            kind="equipment", amount_fen=5_000_00, note=f"{name}摄像头补助",
        )  # fmt: skip
        paid = funds.grant_create(
            actor=_actor(admin), org=province, program=side["program"], year=today.year,
            kind="venue", amount_fen=1_000_00, note=f"{name}场地补助",
        )  # fmt: skip
        paid = funds.grant_approve(actor=_actor(admin), grant=paid)
        side["disbursed_grant"] = funds.grant_disburse(
            actor=_actor(admin), grant=paid, disbursed_on=today, proof=image_upload()
        )
        side["expense"] = funds.expense_record(
            actor=_actor(host_admin), program=side["program"], spent_on=today, category="meals",
            amount_fen=12_345, description=f"{name}午餐食材", receipt=image_upload(),
        )  # fmt: skip
        program = make_program(
            p, by=host_admin, host=host, name=f"{name}生活费托管班", fee_policy="living_costs",
            fee_amount=Decimal("600.00"),
        )  # fmt: skip
        term = make_term(p, by=host_admin, program=program, name=f"{name}生活费期")
        enrolment = Enrolment.objects.create(
            term=term, child=child, guardian=child.guardian, status=EnrolmentStatus.CONFIRMED
        )
        side["fee_program"] = program
        side["payment"] = funds.payment_record(
            actor=_actor(host_admin), enrolment=enrolment, amount_fen=20_000, method="cash",
            receipt_number=f"{name}-0001", paid_on=today,
        )  # fmt: skip


def build_world() -> World:
    world = World(p=build_personas())
    steps = (
        _people,
        _personal,
        _audit,
        _surveys,
        _classes,
        _paperwork,
        _programs,
        _care,
        _supervision,
        _awards,
        _funds,
    )
    for step in steps:
        step(world)
    world.log_in_everyone()
    return world

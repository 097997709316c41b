"""Helpers of the care tests: a running term with a care day today, seats, complete paperwork."""

import datetime
from typing import Any

from django.utils import timezone, translation

from tuoguan.enrolment.models import Enrolment, EnrolmentStatus
from tuoguan.enrolment.tests.paperwork_support import PaperworkCase, complete, new_family
from tuoguan.orgs.permissions import Actor, actor_for
from tuoguan.programs import services as programs
from tuoguan.programs.models import Group, StaffRole, Term, TermStatus
from tuoguan.programs.tests.factories import make_group, make_program, make_term

DAY = datetime.timedelta(days=1)


def actor(user: Any) -> Actor:
    return actor_for(user)


def today() -> datetime.date:
    return timezone.localdate()


def running_term(
    p: Any, *, starts_in: int = -5, days: int = 20, groups: tuple[dict[str, Any], ...] = (),
    program_type: str = "after_school", caregiver: bool = True,
) -> Term:  # fmt: skip
    """A running term of the grassroots union, today a care day, the caregiver on its roster."""
    program = make_program(p, type=program_type)
    start = today() + starts_in * DAY
    term = make_term(p, program=program, start_date=start, end_date=start + days * DAY)
    admin = actor(p.grassroots_admin)
    for fields in groups or ({"name": "一年级组", "capacity": 30},):
        make_group(p, term, **fields)
    in_term = term.start_date <= today() <= term.end_date
    if in_term and not term.days.filter(date=today(), is_care_day=True).exists():
        programs.term_day_add(actor=admin, term=term, date=today())
    Term.objects.filter(pk=term.pk).update(status=TermStatus.RUNNING)
    term.refresh_from_db()
    if caregiver:
        programs.term_staff_add(actor=admin, term=term, user=p.caregiver, role=StaffRole.CAREGIVER)
    return term


def seat(
    term: Term, child: Any, *, group: Group | None = None, status: str = EnrolmentStatus.ADMITTED,
    admitted: datetime.datetime | None = None,
) -> Enrolment:  # fmt: skip
    return Enrolment.objects.create(
        term=term,
        child=child,
        guardian=child.guardian,
        status=status,
        province=term.province,
        group=group or term.groups.order_by("pk").first(),
        decided_at=admitted or timezone.now() - 30 * DAY,
    )


def confirmed(p: Any, term: Term, n: int, **seat_options: Any) -> Enrolment:
    """Family number `n` with a confirmed place (all paperwork complete)."""
    child = new_family(p, n)
    enrolment = complete(seat(term, child, **seat_options))
    assert enrolment.status == EnrolmentStatus.CONFIRMED, enrolment.status
    return enrolment


def unconfirmed(p: Any, term: Term, n: int, *, skip: tuple[str, ...]) -> Enrolment:
    child = new_family(p, n)
    enrolment = complete(seat(term, child), skip=skip)
    assert enrolment.status == EnrolmentStatus.ADMITTED
    return enrolment


def at(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime.combine(
        day, datetime.time(hour, minute), tzinfo=timezone.get_current_timezone()
    )


class CareCase(PaperworkCase):
    """Personas, media in a temporary folder, English messages (services' and pages')."""

    @classmethod
    def setUpClass(cls) -> None:
        super().setUpClass()
        translation.activate("en")

    @classmethod
    def tearDownClass(cls) -> None:
        translation.deactivate()
        super().tearDownClass()


def meal_term(p: Any) -> tuple[Term, Enrolment]:
    """A running term whose care days cover last week, this week and the next (so that
    "yesterday" is a care day whatever the weekday), and a confirmed child whose health note
    declares a peanut allergy ("花生", from the paperwork helper)."""
    term = running_term(p, starts_in=-10, days=30)
    monday = today() - datetime.timedelta(days=today().weekday())
    admin = actor(p.grassroots_admin)
    for offset in range(-7, 14):
        day = monday + offset * DAY
        if not term.days.filter(date=day, is_care_day=True).exists():
            programs.term_day_add(actor=admin, term=term, date=day)
    return term, confirmed(p, term, 1)


def checklist_answers(term: Term, *, failed: tuple[str, ...] = (), photo: bool = True) -> list[Any]:
    """An answer for every item of the term's checklist; `failed` ones with a photo."""
    from tuoguan.care.services import checklist_for
    from tuoguan.programs.tests.factories import image_upload

    return [
        {"code": code, "passed": code not in failed,
         "photo": image_upload() if code in failed and photo else None}
        for code, _label in checklist_for(term.program.host)
    ]  # fmt: skip


def care_days_before_today(term: Term) -> list[datetime.date]:
    return list(
        term.days.filter(is_care_day=True, date__lt=today())
        .order_by("date")
        .values_list("date", flat=True)
    )

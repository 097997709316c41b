"""Demo classes, venues, terms, rosters and evidence, created through the real services.

Registered with `manage.py seed_demo` in ProgramsConfig.ready() (see tuoguan/core/demo.py);
the data is in demo_data.py. Idempotent: a class is found by (host union, name) and skipped
when it exists, so a second run reads a few rows and creates nothing. Each class is made by
the nearest union admin of the demo people who covers its host, and approved by the nearest
one strictly above it (a city admin, else the province, else the national union).

Some terms are non-compliant on purpose, in ways the compliance pages show: an expired fire
certificate (veto), a room too small, a term too short. Enrolling terms have their window
open from now for 14 days; when a later run finds such a window closed, it opens it again.
"""

import datetime
import math
from dataclasses import dataclass
from typing import Any

from django.core.files.base import ContentFile
from django.utils import timezone

from tuoguan.accounts.models import User
from tuoguan.accounts.services import user_create
from tuoguan.orgs.models import Membership, Org, Role
from tuoguan.orgs.permissions import Actor, actor_for

from . import services
from .demo_data import (
    CARER_NAMES,
    PROGRAMS,
    VOLUNTEER_NAMES,
    WINTER_2027,
    DemoGroup,
    DemoProgram,
    DemoTerm,
    DemoVenue,
)
from .models import (
    SCHOOL_DEFAULT_SIZE,
    TODDLER_RULES,
    Evidence,
    Program,
    StaffRole,
    Term,
    TermStatus,
    Venue,
)
from .standards import term_standard

S = TermStatus
WINDOW = datetime.timedelta(days=14)
# The class managers of the 桃源街道 classes in accounts/demo.py run its rosters.
HOUSE_STAFF = {"中山区桃源街道总工会": (("manager", StaffRole.MANAGER),
                                     ("caregiver", StaffRole.CAREGIVER),
                                     ("volunteer", StaffRole.VOLUNTEER))}  # fmt: skip


@dataclass
class Seeder:
    """What one run knows: the unions by name, who acts for them, what it made."""

    orgs: dict[str, Org]
    admins: list[Membership]
    programs: int = 0
    terms: int = 0

    def host_actor(self, host: Org) -> Actor:
        return self._nearest(host, strictly_above=False)

    def approver(self, host: Org) -> Actor:
        return self._nearest(host, strictly_above=True)

    def _nearest(self, host: Org, *, strictly_above: bool) -> Actor:
        covering = [
            m
            for m in self.admins
            if host.path.startswith(m.org.path) and not (strictly_above and m.org_id == host.pk)
        ]
        chosen = max(covering, key=lambda m: m.org.depth)
        return Actor(user=chosen.user, membership=chosen)


def seed_programs(stdout: Any) -> None:
    """The demo step: create the missing demo classes; reopen lapsed demo windows."""
    names = {spec.host for spec in PROGRAMS}
    orgs = {org.name: org for org in Org.objects.filter(name__in=names)}
    existing = set(Program.objects.filter(host__in=orgs.values()).values_list("host__name", "name"))
    missing = [p for p in PROGRAMS if p.host in orgs and (p.host, p.name) not in existing]
    reopened = _reopen_windows(orgs)
    if not missing:
        if reopened:
            stdout.write(f"Demo classes: {reopened} enrolment windows reopened.")
        return
    admins = list(
        Membership.objects.filter(role=Role.UNION_ADMIN, is_active=True).select_related(
            "org", "user"
        )
    )
    seeder = Seeder(orgs=orgs, admins=admins)
    venues: dict[tuple[str, str], Venue] = {
        (v.owner.name, v.name): v for v in Venue.objects.filter(owner__in=orgs.values())
    }
    for spec in missing:
        _program(seeder, spec, venues)
    stdout.write(
        f"Demo classes created: {seeder.programs} classes, {seeder.terms} terms"
        + (f", {reopened} enrolment windows reopened." if reopened else ".")
    )


def _program(seeder: Seeder, spec: DemoProgram, venues: dict[tuple[str, str], Venue]) -> None:
    host = seeder.orgs[spec.host]
    by = seeder.host_actor(host)
    provider, licence, contract_start, contract_end = spec.provider
    fee_policy, fee_amount = spec.fee
    program = services.program_create(
        actor=by,
        host=host,
        name=spec.name,
        type=spec.type,
        theme=spec.theme,
        featured_content=spec.featured,
        target_groups=list(spec.targets),
        operator=spec.operator,
        provider_name=provider,
        provider_licence=licence,
        contract_start=contract_start,
        contract_end=contract_end,
        fee_policy=fee_policy,
        fee_amount=fee_amount,
        contact_name=spec.contact[0],
        contact_phone=spec.contact[1],
        description=spec.description,
        risk_notice=spec.risk_notice,
    )
    seeder.programs += 1
    venue = _venue(by, host, spec.venue, venues) if spec.venue else None
    for term_spec in spec.terms:
        _term(seeder, program, venue, term_spec)


def _venue(by: Actor, host: Org, spec: DemoVenue, venues: dict[tuple[str, str], Venue]) -> Venue:
    key = (host.name, spec.name)
    if key not in venues:
        code = host.region_code
        venues[key] = services.venue_create(
            actor=by,
            owner=host,
            name=spec.name,
            address=spec.address,
            indoor_area_m2=spec.indoor,
            outdoor_area_m2=spec.outdoor,
            fire_exits=spec.exits,
            facilities=spec.facilities,
            fire_cert_number=f"消验字{code}-{len(venues) + 1:03d}",
            fire_cert_expires=spec.fire_expires,
            building_cert_number=f"建安{code}-{len(venues) + 1:03d}" if spec.building else "",
            building_cert_expires=datetime.date(2030, 12, 31) if spec.building else None,
            food_cert_number=f"JY1{code}{len(venues) + 1:05d}" if spec.food else "",
            food_cert_expires=datetime.date(2029, 12, 31) if spec.food else None,
        )
    return venues[key]


def _dates(spec: DemoTerm) -> tuple[datetime.date, datetime.date]:
    """Enrolling winter terms start after their window closes, however late the seed runs."""
    if spec.status != S.ENROLLING:
        return spec.dates
    earliest = timezone.localdate() + WINDOW + datetime.timedelta(days=7)
    start, end = spec.dates
    shift = max(datetime.timedelta(0), earliest - start)
    return start + shift, end + shift


def _window(spec: DemoTerm, start: datetime.date) -> dict[str, Any]:
    if spec.status == S.ENROLLING:
        now = timezone.now().replace(second=0, microsecond=0)
        return {
            "enrol_opens_at": now - datetime.timedelta(hours=1),
            "enrol_closes_at": now + WINDOW,
        }
    if spec.status in (S.RUNNING, S.CLOSED):
        # Past terms had their window a month before they began.
        opens = datetime.datetime.combine(
            start - datetime.timedelta(days=30),
            datetime.time(9),
            tzinfo=timezone.get_current_timezone(),
        )
        return {"enrol_opens_at": opens, "enrol_closes_at": opens + datetime.timedelta(days=2)}
    return {}


def _term(seeder: Seeder, program: Program, venue: Venue | None, spec: DemoTerm) -> None:
    host = program.host
    by, approver = seeder.host_actor(host), seeder.approver(host)
    start, end = _dates(spec)
    term = services.term_create_with_groups(
        actor=by,
        program=program,
        name=spec.name,
        start_date=start,
        end_date=end,
        daily_start=datetime.time(spec.hours[0]),
        daily_end=datetime.time(spec.hours[1]),
        venue=venue,
        capacity=spec.capacity,
        grade_min=spec.grades[0],
        grade_max=spec.grades[1],
        groups=[_group_fields(g) for g in spec.groups],
        **_window(spec, start),
    )
    seeder.terms += 1
    for day in spec.add_days:
        services.term_day_add(actor=by, term=term, date=day)
    for day in spec.remove_days:
        services.term_day_remove(actor=by, term=term, date=day)
    _roster(by, term, spec)
    _evidence(by, approver, term, spec)
    _lifecycle(by, approver, term, spec)


def _group_fields(spec: DemoGroup) -> dict[str, Any]:
    fields: dict[str, Any] = {"name": spec.name, "kind": spec.kind, "capacity": spec.capacity}
    if spec.grades != (None, None):
        fields["grade_min"], fields["grade_max"] = spec.grades
    return fields


def _carers_needed(term: Term) -> list[tuple[Any, int]]:
    """(group, carers) that keep each group within its ratio (DOMAIN.md §2–3)."""
    needs = []
    for group in term.groups.all():
        rule = TODDLER_RULES.get(group.kind)
        per_carer = rule.children_per_carer if rule else SCHOOL_DEFAULT_SIZE
        needs.append((group, math.ceil(group.capacity / per_carer)))
    return needs


def _roster(by: Actor, term: Term, spec: DemoTerm) -> None:
    if term.program.type == "online":
        return
    host = term.program.host
    for login, role in HOUSE_STAFF.get(host.name, ()):
        user = User.objects.filter(username=login).first()
        if user is not None:
            services.term_staff_add(actor=by, term=term, user=user, role=role)
    number = 0
    for group, count in _carers_needed(term):
        for _ in range(spec.carers if spec.carers is not None else count):
            user = _staff_user(host, "carer", number, CARER_NAMES)
            services.term_staff_add(
                actor=by, term=term, user=user, role=StaffRole.TUTOR, group=group
            )
            number += 1
    for n in range(spec.volunteers):
        user = _staff_user(host, "volunteer", n, VOLUNTEER_NAMES)
        services.term_staff_add(actor=by, term=term, user=user, role=StaffRole.VOLUNTEER)


def _staff_user(host: Org, kind: str, number: int, names: tuple[str, ...]) -> User:
    """A host's demo carer or volunteer: no password, so nobody logs in as them."""
    username = f"demo_{kind}_{host.pk}_{number}"
    user = User.objects.filter(username=username).first()
    if user is None:
        name = names[(host.pk * 7 + number) % len(names)]
        # A mainland mobile number of its own (159…), apart from accounts/demo.py's 135/158.
        mobile = f"159{host.pk % 100000:05d}{number + (500 if kind == 'volunteer' else 0):03d}"
        user = user_create(username=username, real_name=name, password=None, mobile=mobile)
    return user


def _evidence(by: Actor, approver: Actor, term: Term, spec: DemoTerm) -> None:
    if not spec.evidence:
        return
    standard = term_standard(term)
    if standard is None:
        return
    criteria = {c.code: c for c in standard.criteria.all()}
    for code, outcome, comment in spec.evidence:
        document = ContentFile(b"%PDF-1.4\n% demo: " + code.encode() + b"\n%%EOF\n", name="d.pdf")
        item = services.evidence_upload(
            actor=by, term=term, criterion=criteria[code], file=document, note="制度文本及执行记录"
        )
        if outcome != Evidence.Status.PENDING:
            services.evidence_review(
                actor=approver,
                evidence=item,
                accepted=outcome == Evidence.Status.ACCEPTED,
                comment=comment,
            )


def _lifecycle(by: Actor, approver: Actor, term: Term, spec: DemoTerm) -> None:
    """Walk the term from draft to its demo status through the real transitions."""
    if spec.status == S.DRAFT:
        return
    term = services.term_submit(actor=by, term=term)
    if spec.status == S.SUBMITTED:
        return
    if spec.status == S.REJECTED:
        services.term_reject(actor=approver, term=term, reason=spec.reason)
        return
    # A demo term may fail a criterion (no roster yet): its approval says it was known.
    despite = bool(services.approval_failures(term))
    note = "演示数据：未达标项已告知举办单位限期整改" if despite else ""
    term = services.term_approve(actor=approver, term=term, confirm_failures=despite, note=note)
    if spec.status == S.APPROVED:
        return
    if term.enrol_opens_at is not None:
        term = services.term_open_enrolment(actor=by, term=term)
    if spec.status == S.ENROLLING:
        return
    term = services.term_start(actor=by, term=term)
    if spec.status == S.CLOSED:
        services.term_close(actor=by, term=term, summary=spec.summary or "结营。")


def _reopen_windows(orgs: dict[str, Org]) -> int:
    """Give the demo's enrolling terms a fresh 14-day window once theirs has closed."""
    now = timezone.now()
    lapsed = Term.objects.filter(
        program__host__in=orgs.values(),
        status=S.ENROLLING,
        enrol_closes_at__lt=now,
        start_date__gte=WINTER_2027[0],
    ).select_related("program__host")
    count = 0
    for term in lapsed:
        by = actor_for_host(term.program.host)
        if by is None or term.start_date <= timezone.localdate() + WINDOW:
            continue
        services.term_update(
            actor=by, term=term, enrol_opens_at=now - datetime.timedelta(hours=1),
            enrol_closes_at=now + WINDOW,
        )  # fmt: skip
        count += 1
    return count


def actor_for_host(host: Org) -> Actor | None:
    """The nearest union admin covering `host`, as an actor (None when there is none)."""
    paths = [host.path[:i] for i in range(host.steplen, len(host.path) + 1, host.steplen)]
    membership = (
        Membership.objects.filter(org__path__in=paths, role=Role.UNION_ADMIN, is_active=True)
        .select_related("org", "user")
        .order_by("-org__depth")
        .first()
    )
    return actor_for(membership.user, membership.pk) if membership else None

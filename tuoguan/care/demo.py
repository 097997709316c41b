"""Demo data of daily care: a running after-school term of 桃源街道 with a care day today.

The demo's class manager (`manager`) and caregiver (`caregiver`) are on its roster; 张丽's two
children and four more families have places (one still missing its insurance, so the door
refuses it and names what is missing); one child is checked in and in a photo of the day
(张丽 agreed to photos, another family refused), a kiosk is issued (its token
printed once); the days before today are inspected but one, the last with a failed item
and its open follow-up; a camera films the first group's room (a local test stream written
with ffmpeg when installed). Idempotent: a term already there is only given today as a care day.
"""

import datetime
import io
from typing import Any

from django.core.files.base import ContentFile
from django.utils import timezone
from PIL import Image

from tuoguan.accounts import services as people
from tuoguan.accounts.models import Child, ConsentPolicy, User, Worker
from tuoguan.enrolment.models import Enrolment, EnrolmentStatus
from tuoguan.enrolment.services import agreements, health, insurance, pickups
from tuoguan.enrolment.services.paperwork import enrolment_sync_confirmation
from tuoguan.orgs.models import Org
from tuoguan.orgs.permissions import actor_for
from tuoguan.programs import services as programs
from tuoguan.programs.models import Program, StaffRole, Term, TermStatus

from . import services, streams

HOST = "中山区桃源街道总工会"
PROGRAM = "桃源街道课后托管班"
TERM = "冬季课后托管（演示）"
EXTRA_CHILDREN = ("刘子涵", "赵一鸣", "孙雨桐", "周佳怡")
DEMO_STREAM = "demo-room"


def seed_care(stdout: Any) -> None:
    host = Org.objects.filter(name=HOST).first()
    manager = User.objects.filter(username="manager").first()
    if host is None or manager is None:
        return
    today = timezone.localdate()
    by = actor_for(manager)
    existing = Term.objects.filter(program__host=host, name=TERM).first()
    if existing is not None:
        if existing.start_date <= today <= existing.end_date:
            programs.term_day_add(actor=by, term=existing, date=today)
        streams.make_test_stream(DEMO_STREAM)
        return
    program = Program.objects.filter(host=host, name=PROGRAM).first() or programs.program_create(
        actor=by, host=host, name=PROGRAM, type="after_school", target_groups=["dual_worker"]
    )
    term = programs.term_create_with_groups(
        actor=by,
        program=program,
        name=TERM,
        start_date=today - datetime.timedelta(days=14),
        end_date=today + datetime.timedelta(days=30),
        daily_start=datetime.time(15, 30),
        daily_end=datetime.time(19, 0),
        capacity=30,
        venue=host.venues.first(),
        groups=[{"name": "低年级组", "capacity": 15}, {"name": "高年级组", "capacity": 15}],
    )
    programs.term_day_add(actor=by, term=term, date=today)
    Term.objects.filter(pk=term.pk).update(status=TermStatus.RUNNING)
    term.refresh_from_db()
    for login, role in (("manager", StaffRole.MANAGER), ("caregiver", StaffRole.CAREGIVER)):
        user = User.objects.filter(username=login).first()
        if user is not None:
            programs.term_staff_add(actor=by, term=term, user=user, role=role)
    groups = list(term.groups.order_by("pk"))
    children = _children(host)
    agreements.agreement_template_ensure_default()
    enrolments = []
    for n, child in enumerate(children):
        enrolment = Enrolment.objects.create(
            term=term,
            child=child,
            guardian=child.guardian,
            group=groups[n % len(groups)],
            status=EnrolmentStatus.ADMITTED,
            province=term.province,
            decided_at=timezone.now() - datetime.timedelta(days=20),
        )
        # The first child is allergic to eggs: today's menu has a dish with eggs.
        _paperwork(
            enrolment, term, insured=n != len(children) - 1, allergies="鸡蛋过敏" if n == 0 else ""
        )
        enrolments.append(enrolment)
    caregiver = User.objects.filter(username="caregiver").first()
    first = Enrolment.objects.get(pk=enrolments[0].pk)
    if caregiver is not None and first.status == EnrolmentStatus.CONFIRMED:
        services.attendance_check_in(actor=actor_for(caregiver), enrolment=first)
    _device, token = services.kiosk_issue(actor=by, program=program, name="桃源前门平板")
    _emergency(by, program, term, first)
    _meals(by, actor_for(caregiver) if caregiver is not None else by, program, term)
    _inspections(term, caregiver or manager)
    if caregiver is not None:
        _day_photos(actor_for(caregiver), enrolments)
    _cameras(by, program, groups[0])
    stdout.write(f"care: {term} runs today; kiosk token (shown once): {token}\n")


def _cameras(by: Any, program: Program, group: Any) -> None:
    """A camera filming the first group's room, playing a local test stream (ffmpeg's test
    pattern, written once) when ffmpeg is installed; without it the camera has no stream."""
    made = streams.make_test_stream(DEMO_STREAM, seconds=10)
    services.camera_save(
        actor=by, program=program, name="活动室摄像头", room="一楼活动室", groups=[group],
        local_stream=DEMO_STREAM if made else "", rtsp_url="rtsp://192.168.1.20:554/stream1",
    )  # fmt: skip


def _emergency(by: Any, program: Program, term: Term, enrolment: Enrolment) -> None:
    """A fire plan from its template, the fire drill of the first day, a minor incident."""
    from .services.incidents import plan_template

    services.emergency_plan_save(actor=by, program=program, kind="fire", text=plan_template("fire"))
    services.drill_record(
        actor=by, term=term, kind="fire", date=term.start_date, participants=32,
        findings="东侧楼梯疏散较慢，已增派一名老师引导。",
    )  # fmt: skip
    services.incident_report(
        actor=by,
        term=term,
        kind="injury",
        severity="minor",
        description="课间在走廊奔跑摔倒，右膝擦伤。",
        actions_taken="已清洗消毒并贴创可贴，电话告知家长。",
        children=[enrolment.pk],
    )


# A week of menus: (meal, dish, ingredients, allergens) served every care day of the week.
MENU: tuple[tuple[str, str, str, list[str]], ...] = (
    ("afternoon_snack", "牛奶燕麦粥", "牛奶、燕麦", ["milk", "gluten"]),
    ("afternoon_snack", "时令水果", "苹果、香蕉", []),
    ("dinner", "番茄炒蛋", "番茄、鸡蛋", ["eggs"]),
    ("dinner", "清炒西兰花", "西兰花、蒜", []),
    ("dinner", "米饭", "大米", []),
)


def _meals(by: Any, carer: Any, program: Program, term: Term) -> None:
    """This week's menus on its care days, samples of the days before today (one discarded
    early), and two suppliers, one with an expired licence."""
    today = timezone.localdate()
    fresh = services.supplier_save(
        actor=by, program=program, name="桃源放心菜配送中心", licence_number="JY12102030000123",
        licence_expires=today + datetime.timedelta(days=300),
    )  # fmt: skip
    services.supplier_save(
        actor=by, program=program, name="中山区鲜奶供应站", licence_number="JY12102030000456",
        licence_expires=today - datetime.timedelta(days=10),
    )  # fmt: skip
    monday = today - datetime.timedelta(days=today.weekday())
    days = list(
        term.days.filter(
            is_care_day=True, date__gte=monday, date__lte=monday + datetime.timedelta(days=6)
        ).values_list("date", flat=True)
    )
    for day in days:
        for kind, name, ingredients, allergens in MENU:
            dish = services.dish_add(
                actor=by, term=term, date=day, kind=kind, name=name, ingredients=ingredients,
                allergens=allergens, supplier=fresh,
            )  # fmt: skip
            if day >= today:
                continue
            kept = timezone.make_aware(datetime.datetime.combine(day, datetime.time(17, 30)))
            sample = services.food_sample_keep(
                actor=carer, dish=dish, grams=150, temperature="4", kept_at=kept
            )
            # One sample thrown away after a day: flagged as discarded before 48 hours.
            early = name == "番茄炒蛋" and day == min(days)
            hours = 24 if early else 49
            if kept + datetime.timedelta(hours=hours) <= timezone.now():
                services.food_sample_discard(
                    actor=carer, sample=sample, at=kept + datetime.timedelta(hours=hours)
                )


def _inspections(term: Term, inspector: User) -> None:
    """The daily inspections of the days before today, but one: the day before yesterday's
    is missing; yesterday's found the play equipment loose (a photo, an open follow-up)."""
    from .services.inspections import checklist_for

    days = list(
        term.days.filter(is_care_day=True, date__lt=timezone.localdate())
        .order_by("date")
        .values_list("date", flat=True)
    )
    by = actor_for(inspector)
    items = checklist_for(term.program.host)
    for n, day in enumerate(days):
        if n == len(days) - 2:
            continue  # the day missing
        failed = n == len(days) - 1
        services.inspection_record(
            actor=by, term=term, date=day,
            results=[
                {"code": code, "passed": not (failed and code == "play_equipment"),
                 "photo": _photo() if failed and code == "play_equipment"
                 else None,
                 "note": "滑梯扶手螺丝松动" if failed and code == "play_equipment" else ""}
                for code, _label in items
            ],
        )  # fmt: skip


def _day_photos(carer: Any, enrolments: list[Enrolment]) -> None:
    """张丽 agrees to photos of her first child, the third family refuses, the others were not
    asked yet; the caregiver posted a photo of today tagging the first child."""
    first = Enrolment.objects.select_related("child__guardian__user", "group").get(
        pk=enrolments[0].pk
    )
    for enrolment, choice in ((first, "allowed"), (enrolments[2], "refused")):
        services.media_consent_set(
            actor=actor_for(enrolment.child.guardian.user),
            child=enrolment.child,
            photos=choice,
            cameras=choice,
        )
    if first.status == EnrolmentStatus.CONFIRMED and first.group is not None:
        services.photos_post(
            actor=carer, group=first.group, images=[_photo()], caption="下午手工课",
            children=[first.pk],
        )  # fmt: skip


def _photo() -> ContentFile:
    """A small photo of the failed item (a plain colour: the demo has no camera)."""
    out = io.BytesIO()
    Image.new("RGB", (64, 48), (210, 140, 60)).save(out, format="JPEG")
    return ContentFile(out.getvalue(), name="slide.jpg")


def _children(host: Org) -> list[Child]:
    children = list(Child.objects.filter(guardian__user__username="zhangli").order_by("pk"))
    policy = ConsentPolicy.objects.filter(is_current=True).first()
    verifier = User.objects.filter(username="taoyuan").first()
    for n, name in enumerate(EXTRA_CHILDREN, start=1):
        login = f"care_family_{n}"
        user = User.objects.filter(username=login).first() or people.user_create(
            username=login, real_name=f"{name[0]}家长", password=None, mobile=f"1362026{n:04d}"
        )
        worker = Worker.objects.filter(user=user).first() or people.worker_create(
            user=user, employer=host, verified_by=verifier
        )
        child = Child.objects.filter(guardian=worker).first() or people.child_create(
            actor=actor_for(user),
            guardian=worker,
            name=name,
            sex="F" if n % 2 else "M",
            birth_date=datetime.date(2018, n, 10),
            grade=2,
            relationship="mother",
        )
        if policy is not None:
            people.consent_grant(actor=actor_for(user), child=child, policy=policy, ip=None)
        children.append(child)
    return children


def _paperwork(enrolment: Enrolment, term: Term, *, insured: bool, allergies: str = "") -> None:
    guardian = actor_for(enrolment.guardian.user)
    child = enrolment.child
    agreements.agreement_sign(
        actor=guardian,
        enrolment=enrolment,
        signer_name=enrolment.guardian.user.real_name,
        consent=True,
        ip=None,
    )
    if insured:
        insurance.insurance_add(
            actor=guardian,
            child=child,
            insurer="中国人寿",
            policy_number=f"DEMO-CARE-{child.pk}",
            starts_on=term.start_date,
            ends_on=term.end_date + datetime.timedelta(days=30),
        )
    if not child.pickups.filter(is_active=True).exists():
        pickups.pickup_add(
            actor=guardian, child=child, name="外婆", relation="外婆", mobile="13912340000"
        )
    health.health_note_save(
        actor=guardian,
        enrolment=enrolment,
        allergies=allergies,
        conditions="",
        medication="",
        declared=True,
    )
    enrolment_sync_confirmation(enrolment=Enrolment.objects.get(pk=enrolment.pk))

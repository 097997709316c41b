"""Demo visits and rectification orders in Liaoning, made through the real services.

Registered with `manage.py seed_demo` in SupervisionConfig.ready(), after the classes. An
inspector of the province (`ln_inspector`) gets a visit to do today, an unannounced one next
week, and a signed-off visit whose fire-certificate finding (veto) suspends the term's check-ins
until its order is accepted. Idempotent: nothing is made when the province has visits.
"""

import datetime
import uuid
from typing import Any

from django.utils import timezone

from tuoguan.accounts.demo import demo_password
from tuoguan.accounts.models import User
from tuoguan.accounts.services import user_create
from tuoguan.orgs.models import Membership, Role
from tuoguan.orgs.permissions import actor_for

from . import services
from .models import Visit

INSPECTOR = ("ln_inspector", "孙志刚", "15820260031")


def _inspector(province: Any) -> User:
    login, name, mobile = INSPECTOR
    user = User.objects.filter(username=login).first()
    if user is None:
        user = user_create(
            username=login, real_name=name, password=demo_password(login), mobile=mobile
        )
    Membership.objects.get_or_create(user=user, org=province, role=Role.INSPECTOR)
    return user


def seed_supervision(stdout: Any) -> None:
    from tuoguan.programs.selectors import terms_visible_to

    admin_membership = (
        Membership.objects.filter(user__username="liaoning", role=Role.UNION_ADMIN)
        .select_related("org", "user")
        .first()
    )
    if admin_membership is None:
        return
    province, admin = admin_membership.org, actor_for(admin_membership.user)
    if Visit.objects.filter(planner=province).exists():
        return
    inspector = _inspector(province)
    terms = list(
        terms_visible_to(admin)
        .exclude(program__host=province)
        .filter(status__in=("approved", "enrolling", "running"))
        .order_by("-status", "start_date", "pk")[:3]
    )
    if not terms:
        return
    today = timezone.localdate()
    by = actor_for(inspector)
    services.visit_plan(actor=admin, term=terms[0], date=today, inspectors=[inspector])
    if len(terms) > 1:
        services.visit_plan(
            actor=admin, term=terms[1], date=today + datetime.timedelta(days=7),
            inspectors=[inspector], announced=False,
        )  # fmt: skip
    signed = services.visit_plan(actor=admin, term=terms[-1], date=today, inspectors=[inspector])
    failing = {"fire_certificate", "proc_epidemic"}
    services.visit_answers_sync(
        actor=by,
        visit=signed,
        answers=[
            {"client_id": uuid.uuid4(), "item_key": item.key,
             "result": "fail" if item.key in failing else "pass",
             "notes": "消防检查合格证已过期" if item.key == "fire_certificate" else ""}
            for item in signed.items.all()
        ],
    )  # fmt: skip
    owner = (
        Membership.objects.filter(
            org__path__startswith=terms[-1].program.host.path,
            role__in=(Role.PROGRAM_MANAGER, Role.UNION_ADMIN),
            is_active=True,
        )
        .select_related("user")
        .first()
    )
    if owner is not None and signed.items.filter(result="fail").exists():
        services.visit_sign(
            actor=by, visit=signed, signed_name=inspector.real_name, owner=owner.user,
            suspend_checkins=True,
        )  # fmt: skip
    login = INSPECTOR[0]
    stdout.write(
        f"Demo supervision: {Visit.objects.filter(planner=province).count()} visits in "
        f"{province}; inspector {login} / {demo_password(login)}."
    )

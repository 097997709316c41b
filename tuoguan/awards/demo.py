"""Demo campaign and designations in Liaoning, made through the real services.

Registered with `manage.py seed_demo` in AwardsConfig.ready(), after the classes: the
province's campaign of this year, open, with one entry waiting at the city and others
recommended up to the province's review, the province's reviewer asked; and last year's
provincial and city titles of a few classes. Idempotent: nothing is made when the province
already has a campaign this year.
"""

import datetime
from typing import Any

from django.utils import timezone

from tuoguan.orgs.models import Level, Membership, Org, Role
from tuoguan.orgs.permissions import actor_for

from . import services
from .models import Campaign, Designation


def _prefixes(path: str, steplen: int) -> list[str]:
    return [path[:i] for i in range(steplen, len(path) + 1, steplen)]


def _decider(holder: Any, province: Any) -> Any:
    """An admin of a union covering `holder`, strictly below the province (the city's)."""
    for membership in Membership.objects.filter(
        role=Role.UNION_ADMIN, is_active=True, org__path__startswith=province.path
    ).select_related("org", "user"):
        if membership.org_id != province.pk and holder.path.startswith(membership.org.path):
            return membership
    return None


def seed_awards(stdout: Any) -> None:
    from tuoguan.orgs.permissions import Actor
    from tuoguan.programs.selectors import terms_visible_to

    admin_membership = (
        Membership.objects.filter(user__username="liaoning", role=Role.UNION_ADMIN)
        .select_related("org", "user")
        .first()
    )
    if admin_membership is None:
        return
    province = admin_membership.org
    admin = Actor(user=admin_membership.user, membership=admin_membership)
    today = timezone.localdate()
    if Campaign.objects.filter(organiser=province, year=today.year).exists():
        return
    campaign = services.campaign_create(
        actor=admin,
        title=f"{today.year}年度辽宁工会爱心托管班省级示范点",
        year=today.year,
        quota=5,
        recommend_quota=3,
        grant_fen=3_000_000,
        applications_open=today - datetime.timedelta(days=7),
        applications_close=today + datetime.timedelta(days=14),
        review_close=today + datetime.timedelta(days=30),
        questions=["托管班的服务特色", "家长和职工的评价"],
    )
    campaign = services.campaign_open(actor=admin, campaign=campaign)
    reviewer = Membership.objects.filter(org=province, role=Role.REVIEWER, is_active=True).first()
    if reviewer is not None:
        services.reviewer_add(actor=admin, campaign=campaign, membership=reviewer)
    seen: set[int] = set()
    terms = []
    for term in (
        terms_visible_to(actor_for(admin.user))
        .exclude(program__host=province)
        .order_by("program_id", "-start_date")
    ):
        if term.program_id not in seen:
            seen.add(term.program_id)
            terms.append(term)
    answers = {
        "托管班的服务特色": "依托职工之家，开设作业辅导、非遗手工和体育活动。",
        "家长和职工的评价": "家长满意度调查 98% 满意，职工安心工作。",
    }
    for position, term in enumerate(terms[:4]):
        entry = services.nomination_enter(
            actor=admin, campaign=campaign, term=term, answers=answers,
            video_url="https://v.example.cn/demo",
        )  # fmt: skip
        decider = _decider(entry.holder, province) if position else None
        while decider is not None and entry.status == "pending":
            entry = services.nomination_decide(
                actor=Actor(user=decider.user, membership=decider),
                entry=entry,
                recommend=True,
                note="择优推荐",
            )
            decider = _decider(entry.holder, province)
    for position, term in enumerate(terms[:3]):
        host = term.program.host
        city = Org.objects.filter(level=Level.CITY, path__in=_prefixes(host.path, host.steplen))
        level, org = (Level.PROVINCE, province) if position < 2 else (Level.CITY, city.first())
        Designation.objects.get_or_create(
            program=term.program,
            level=level,
            year=today.year - 1,
            defaults={"org": org or province},
        )
    stdout.write(f"  awards: {campaign.title}, {len(terms[:4])} entries, 3 designations\n")

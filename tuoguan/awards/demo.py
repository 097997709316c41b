"""Demo campaign and designations in Liaoning, made through the real services.

Registered with `manage.py seed_demo` in AwardsConfig.ready(), after the classes: the
province's campaign of this year, open, with one entry waiting at the city and others
recommended up to the province's review, the province's reviewer asked; and last year's
provincial and city titles of a few classes. Idempotent: nothing is made when the province
already has a campaign this year.

The seed's titles are reproduced too (`seed_titles`): Shaanxi 42 provincial + 15 national,
Jiangsu 21 + 5, Inner Mongolia 10 regional (provincial level); each national title is held
by a class that also holds the provincial one. The classes are light rows made in bulk so
the command stays fast; funds' step then pays each title its 30,000 yuan.
"""

import datetime
from typing import Any

from django.utils import timezone

from tuoguan.orgs.models import Level, Membership, Org, Role
from tuoguan.orgs.permissions import actor_for
from tuoguan.programs.models import Program, ProgramType

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


# Province (region code) → (provincial titles, national titles) the seed reports.
SEED_TITLES = {
    "610000": (42, 15),  # Shaanxi: 181 classes, 42 provincial and 15 national
    "320000": (21, 5),  # Jiangsu: 21 provincial, 5 recommended to the national level
    "150000": (10, 0),  # Inner Mongolia: 10 regional classes at 30,000 yuan each
}


def seed_titles(year: int) -> int:
    """Last year's titles of the seed, on existing classes first, then on light new ones."""
    national = Org.objects.filter(level=Level.NATIONAL).order_by("path").first()
    if national is None:
        return 0
    made: list[Designation] = []
    for code, (provincial, national_count) in SEED_TITLES.items():
        province = Org.objects.filter(level=Level.PROVINCE, region_code=code).first()
        if province is None:
            continue
        under = Org.objects.filter(path__startswith=province.path, level__gte=Level.COUNTY)
        # Light classes go to unions hosting none yet: the seed's own classes stay the only
        # ones of their unions (programs' seed test finds each by its host).
        free = under.exclude(pk__in=Program.objects.values("host_id")).order_by("-level", "path")
        hosts = list(free) or list(under.filter(level=Level.GRASSROOTS).order_by("path"))
        if not hosts:
            continue
        titled = Designation.objects.filter(year=year).values("program_id")
        programs = list(
            Program.objects.filter(host__path__startswith=province.path)
            .exclude(pk__in=titled)
            .order_by("pk")[:provincial]
        )
        # Bulk rows skip the per-row audit: demo classes only, named as the demo's own.
        programs += Program.objects.bulk_create(
            Program(
                host=hosts[i % len(hosts)],
                name=f"{hosts[i % len(hosts)]}爱心托管班（第{i + 1}班）",
                type=ProgramType.HOLIDAY if i % 2 else ProgramType.AFTER_SCHOOL,
                theme="示范点",
            )
            for i in range(len(programs), provincial)
        )
        made += [
            Designation(program=program, level=Level.PROVINCE, year=year, org=province)
            for program in programs
        ]
        made += [
            Designation(program=program, level=Level.NATIONAL, year=year, org=national)
            for program in programs[:national_count]
        ]
    Designation.objects.bulk_create(made)
    return len(made)


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
    titles = seed_titles(today.year - 1)
    stdout.write(
        f"  awards: {campaign.title}, {len(terms[:4])} entries, {3 + titles} designations\n"
    )

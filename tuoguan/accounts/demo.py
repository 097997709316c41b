"""Demo people: union staff in every role, and verified worker families with children.

The passwords are printed by `manage.py seed_demo`, so they are for demo databases only.
Each persona has its own ("Demo-<Login>-2026"), which passes Django's password validators.
Staff refer to unions by the keys of `tuoguan/orgs/demo.py`.
"""

import datetime
from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop as N_

from tuoguan.orgs.models import Membership, Org, Role
from tuoguan.orgs.permissions import actor_for
from tuoguan.orgs.services import membership_grant

from .models import Child, ConsentPolicy, Grade, Relationship, Sex, User, Worker
from .services import (
    child_create,
    consent_grant,
    consent_policy_current,
    consent_policy_publish,
    user_create,
    worker_create,
)

POLICY_VERSION = "2026.1"
POLICY_TITLE = "儿童个人信息处理规则"
POLICY_TEXT = """\
一、目的。本平台由各级工会用于开办职工子女爱心托管班。我们处理儿童个人信息，仅为报名审核、\
安排班组、接送核验、健康晨检、意外伤害保险投保和突发情况下联系监护人。

二、最少收集。我们只收集上述目的所必需的信息：姓名、性别、出生日期、就读学校和年级、\
与监护人的关系；身份证号码仅在投保需要时收集，加密存储，页面上只显示前四位和后四位。\
我们不收集与托管无关的信息。

三、保存期限。托管期结束后，儿童信息保存至当年托管工作总结完成，最长不超过一年，\
到期自动删除；法律法规另有规定的除外。

四、访问控制。只有负责该托管班的工作人员在托管期间可以查看孩子的信息，\
每一次查看都会记录查看人、时间、事由和来源。

五、您的权利。作为监护人，您可以随时查阅、复制、更正和删除孩子的信息，\
也可以撤回本同意；撤回后我们将停止处理，但不影响撤回前已进行的处理。\
拒绝删除或更正的，我们将书面说明理由。

六、联系我们。如有疑问或投诉，请联系您所在基层工会，或上级工会女职工委员会。\
"""


@dataclass(frozen=True)
class Staff:
    login: str
    real_name: str
    mobile: str
    roles: tuple[tuple[str, str], ...]  # (org key, role)
    try_this: str

    @property
    def password(self) -> str:
        return demo_password(self.login)


@dataclass(frozen=True)
class DemoChild:
    name: str
    sex: str
    birth_date: datetime.date
    grade: int
    school: str = ""
    id_number: str = ""


@dataclass(frozen=True)
class Family:
    login: str
    real_name: str
    mobile: str
    employer: str  # org key
    member_number: str
    verified_by: str  # staff login
    relationship: str
    children: tuple[DemoChild, ...] = field(default=())
    # Marked with N_ where written, translated when printed.
    try_this: str = N_("See the family page: children, consent, masked ID numbers.")

    @property
    def password(self) -> str:
        return demo_password(self.login)


@dataclass(frozen=True)
class LoginRow:
    login: str
    password: str
    role_at_org: str
    try_this: str


def demo_password(login: str) -> str:
    return f"Demo-{login.replace('_', '-').title()}-2026"


STAFF = (
    Staff(
        "quanzong",
        "周立华",
        "15820260001",
        (("national", Role.UNION_ADMIN),),
        N_("The whole tree: all six provinces and their figures."),
    ),
    Staff(
        "liaoning",
        "高雪梅",
        "15820260002",
        (("liaoning", Role.UNION_ADMIN),),
        N_("Liaoning's subtree only; Sichuan's unions answer 404."),
    ),
    Staff(
        "jiangsu",
        "陈静",
        "15820260003",
        (("jiangsu", Role.UNION_ADMIN),),
        N_("Jiangsu's cities, from Nanjing to Zhenjiang."),
    ),
    Staff(
        "sichuan",
        "杨晓燕",
        "15820260004",
        (("sichuan", Role.UNION_ADMIN),),
        N_("Sichuan: the hospital, the avionics company, Yilong county."),
    ),
    Staff(
        "dalian",
        "孙丽娜",
        "15820260005",
        (("dalian", Role.UNION_ADMIN),),
        N_("A city union: the 慧成长动力营 host unions below it."),
    ),
    Staff(
        "yilong",
        "何春梅",
        "15820260006",
        (("yilong", Role.UNION_ADMIN),),
        N_("A county union with migrant workers' families."),
    ),
    Staff(
        "taoyuan",
        "刘海英",
        "15820260007",
        (("dalian_taoyuan", Role.UNION_ADMIN),),
        N_("A grassroots union: verify workers, see its families."),
    ),
    Staff(
        "mianyang",
        "罗志刚",
        "15820260008",
        (("mianyang_hospital", Role.UNION_ADMIN),),
        N_("The hospital union of the 医小宝 summer camp."),
    ),
    Staff(
        "reviewer",
        "郑文",
        "15820260009",
        (("liaoning", Role.REVIEWER),),
        N_("Read-only across Liaoning; no changes (403)."),
    ),
    Staff(
        "inspector",
        "吴建华",
        "15820260010",
        (("jiangsu", Role.INSPECTOR),),
        N_("Read-only across Jiangsu, as a supervising inspector."),
    ),
    Staff(
        "manager",
        "林晓",
        "15820260011",
        (("dalian_taoyuan", Role.PROGRAM_MANAGER),),
        N_("The class manager of the street union's classes."),
    ),
    Staff(
        "caregiver",
        "马丽",
        "15820260012",
        (("dalian_taoyuan", Role.CAREGIVER),),
        N_("A caregiver: no access to the union's people records."),
    ),
    Staff(
        "volunteer",
        "徐佳琪",
        "15820260013",
        (("dalian_taoyuan", Role.VOLUNTEER),),
        N_("A university-student volunteer."),
    ),
    Staff(
        "zhongshan",
        "王海燕",
        "15820260014",
        (("dalian_zhongshan", Role.UNION_ADMIN), ("dalian", Role.REVIEWER)),
        N_("Two roles: switch between them in the header."),
    ),
)

FAMILIES = (
    Family(
        "zhangli",
        "张丽",
        "13520260001",
        employer="dalian_taoyuan",
        member_number="DL-TY-0001",
        verified_by="taoyuan",
        relationship=Relationship.MOTHER,
        children=(
            DemoChild("陈思雨", Sex.FEMALE, datetime.date(2017, 5, 12), Grade.G4, "中山区实验小学"),
            DemoChild("陈浩然", Sex.MALE, datetime.date(2019, 11, 20), Grade.G1, "中山区实验小学"),
        ),
        try_this=N_("A mother of two: the family page, consent, the inbox."),
    ),
    Family(
        "liming",
        "李明",
        "13520260002",
        employer="mianyang_hospital",
        member_number="MY-ZX-0001",
        verified_by="mianyang",
        relationship=Relationship.FATHER,
        children=(
            # A valid GB 11643 number: 绵阳涪城区 510703, born 2015-10-08, even sequence
            # (a girl), check digit 2.
            DemoChild(
                "李欣怡",
                Sex.FEMALE,
                datetime.date(2015, 10, 8),
                Grade.G5,
                "涪城区实验小学",
                id_number="510703201510080222",
            ),
        ),
        try_this=N_("A child with an ID number: encrypted, shown masked."),
    ),
    Family(
        "wangqiang",
        "王强",
        "13520260003",
        employer="yilong_migrants",
        member_number="YL-NMG-0001",
        verified_by="yilong",
        relationship=Relationship.FATHER,
        children=(
            DemoChild("王宇航", Sex.MALE, datetime.date(2015, 3, 18), Grade.G6, "仪陇县新政小学"),
        ),
        try_this=N_("A migrant worker's family (农民工子女)."),
    ),
    Family(
        "zhouting",
        "周婷",
        "13520260004",
        employer="cetc_avionics",
        member_number="CETC-0001",
        verified_by="sichuan",
        relationship=Relationship.MOTHER,
        children=(DemoChild("黄若汐", Sex.FEMALE, datetime.date(2024, 6, 15), Grade.NONE),),
        try_this=N_("A toddler (托育, age 2)."),
    ),
)


def _role_at(role: str, org: Org) -> str:
    return f"{Role(role).label} @ {org}"


def _ensure_users(specs: tuple[Staff | Family, ...]) -> tuple[dict[str, User], int]:
    users = {u.username: u for u in User.objects.filter(username__in=[s.login for s in specs])}
    created = 0
    for spec in specs:
        if spec.login not in users:
            users[spec.login] = user_create(
                username=spec.login,
                real_name=spec.real_name,
                password=spec.password,
                mobile=spec.mobile,
            )
            created += 1
    return users, created


def _ensure_memberships(users: dict[str, User], orgs: dict[str, Org]) -> int:
    have = set(
        Membership.objects.filter(user__in=users.values()).values_list("user_id", "org_id", "role")
    )
    created = 0
    for spec in STAFF:
        user = users[spec.login]
        for key, role in spec.roles:
            if (user.pk, orgs[key].pk, role) not in have:
                membership_grant(actor=None, user=user, org=orgs[key], role=role)
                created += 1
    return created


def _ensure_policy() -> ConsentPolicy:
    """The current policy; version 2026.1 is published when it does not exist yet."""
    if not ConsentPolicy.objects.filter(version=POLICY_VERSION).exists():
        consent_policy_publish(version=POLICY_VERSION, title=POLICY_TITLE, text=POLICY_TEXT)
    current = consent_policy_current()
    if current is None:
        # Someone retired 2026.1 without publishing a successor: nothing to consent to.
        raise RuntimeError("There is no current consent policy.")
    return current


def _ensure_family(
    family: Family, users: dict[str, User], orgs: dict[str, Org], policy: ConsentPolicy
) -> int:
    """Worker, children and consent of one family; returns the number of children created."""
    user = users[family.login]
    worker = Worker.objects.filter(user=user).first()
    if worker is None:
        worker = worker_create(
            user=user,
            employer=orgs[family.employer],
            member_number=family.member_number,
            verified_by=users[family.verified_by],
        )
    have = {c.name: c for c in Child.objects.filter(guardian=worker)}
    created = 0
    for spec in family.children:
        child = have.get(spec.name)
        if child is None:
            child = child_create(
                actor=actor_for(user),
                guardian=worker,
                id_number=spec.id_number or None,
                name=spec.name,
                sex=spec.sex,
                birth_date=spec.birth_date,
                grade=spec.grade,
                school=spec.school,
                relationship=family.relationship,
            )
            created += 1
        if not child.consents.filter(policy=policy, withdrawn_at__isnull=True).exists():
            consent_grant(actor=actor_for(user), child=child, policy=policy, ip=None)
    return created


def demo_people_ensure(orgs: dict[str, Org]) -> tuple[list[LoginRow], dict[str, int]]:
    """Create the missing demo people; return the logins table and what was created.

    The caller wraps this in a transaction and sets the audit context.
    """
    users, users_created = _ensure_users((*STAFF, *FAMILIES))
    memberships_created = _ensure_memberships(users, orgs)
    policy = _ensure_policy()
    children_created = sum(_ensure_family(f, users, orgs, policy) for f in FAMILIES)
    rows = [
        LoginRow(
            s.login,
            s.password,
            " / ".join(_role_at(role, orgs[key]) for key, role in s.roles),
            _(s.try_this),
        )
        for s in STAFF
    ]
    parent = _("Parent")  # outside the f-string: xgettext does not look inside f-strings
    rows += [
        LoginRow(f.login, f.password, f"{parent} @ {orgs[f.employer]}", _(f.try_this))
        for f in FAMILIES
    ]
    counts = {
        "users": users_created,
        "memberships": memberships_created,
        "children": children_created,
    }
    return rows, counts

"""The shared test base: named personas built once through the real services.

STYLE.md: a province admin, a city admin in that province, a grassroots union admin, a
caregiver, a parent with two children, and an outsider from another province.
It sits above every app (it builds orgs, people and consent), so only tests import it.
"""

import datetime
from dataclasses import dataclass
from typing import Any

from django.test import Client, TestCase

from tuoguan.accounts import services as people
from tuoguan.orgs import services as orgs
from tuoguan.orgs.models import GrassrootsKind, Role
from tuoguan.orgs.permissions import actor_for

PASSWORD = "Tuoguan-test-2026"


@dataclass
class Personas:
    national: Any
    province: Any
    city: Any
    county: Any
    grassroots: Any
    other_grassroots: Any
    other_province: Any
    other_city: Any
    other_grassroots_far: Any
    province_admin: Any
    city_admin: Any
    grassroots_admin: Any
    caregiver: Any
    reviewer: Any
    parent: Any
    parent_worker: Any
    child_one: Any
    child_two: Any
    other_parent: Any
    other_child: Any
    outsider: Any
    policy: Any

    def actor(self, user: Any) -> Any:
        return actor_for(user)


def build_personas() -> Personas:
    national = orgs.org_create_root(name="中华全国总工会", short_name="全总", region_code="100000")
    province = orgs.org_create(
        actor=None, parent=national, name="辽宁省总工会", short_name="辽宁", region_code="210000"
    )
    city = orgs.org_create(
        actor=None, parent=province, name="大连市总工会", short_name="大连", region_code="210200"
    )
    county = orgs.org_create(
        actor=None,
        parent=city,
        name="大连市中山区总工会",
        short_name="中山区",
        region_code="210202",
    )
    grassroots = orgs.org_create(
        actor=None,
        parent=county,
        name="大连港集团工会",
        region_code="210202",
        kind=GrassrootsKind.ENTERPRISE,
    )
    other_grassroots = orgs.org_create(
        actor=None,
        parent=county,
        name="中山区人民医院工会",
        region_code="210202",
        kind=GrassrootsKind.HOSPITAL,
    )
    other_province = orgs.org_create(
        actor=None, parent=national, name="四川省总工会", short_name="四川", region_code="510000"
    )
    other_city = orgs.org_create(
        actor=None, parent=other_province, name="绵阳市总工会", region_code="510700"
    )
    other_county = orgs.org_create(
        actor=None, parent=other_city, name="涪城区总工会", region_code="510703"
    )
    other_grassroots_far = orgs.org_create(
        actor=None,
        parent=other_county,
        name="绵阳市中心医院工会",
        region_code="510703",
        kind=GrassrootsKind.HOSPITAL,
    )

    def staff(username: str, name: str, mobile: str, org: Any, role: str) -> Any:
        user = people.user_create(
            username=username, real_name=name, password=PASSWORD, mobile=mobile
        )
        orgs.membership_grant(actor=None, user=user, org=org, role=role)
        return user

    province_admin = staff("ln_admin", "省管理员", "13800000001", province, Role.UNION_ADMIN)
    city_admin = staff("dl_admin", "市管理员", "13800000002", city, Role.UNION_ADMIN)
    grassroots_admin = staff(
        "gang_admin", "基层管理员", "13800000003", grassroots, Role.UNION_ADMIN
    )
    caregiver = staff("gang_carer", "看护老师", "13800000004", grassroots, Role.CAREGIVER)
    reviewer = staff("ln_reviewer", "省评审", "13800000005", province, Role.REVIEWER)
    outsider = staff("sc_admin", "外省管理员", "13900000001", other_province, Role.UNION_ADMIN)

    policy = people.consent_policy_publish(
        version="2026.1", title="儿童个人信息处理规则", text="我们只收集托管所需的最少信息……"
    )

    parent = people.user_create(
        username="parent", real_name="王家长", password=PASSWORD, mobile="13700000001"
    )
    parent_worker = people.worker_create(
        user=parent, employer=grassroots, member_number="DL-0001", verified_by=grassroots_admin
    )
    parent_actor = actor_for(parent)
    child_one = people.child_create(
        actor=parent_actor,
        guardian=parent_worker,
        name="王小一",
        sex="F",
        birth_date=datetime.date(2017, 3, 5),
        grade=3,
        relationship="mother",
        id_number="210202201703051239",
    )
    child_two = people.child_create(
        actor=parent_actor,
        guardian=parent_worker,
        name="王小二",
        sex="M",
        birth_date=datetime.date(2019, 9, 1),
        grade=1,
        relationship="mother",
    )
    for child in (child_one, child_two):
        people.consent_grant(actor=parent_actor, child=child, policy=policy, ip="127.0.0.1")

    other_parent = people.user_create(
        username="sc_parent", real_name="李家长", password=PASSWORD, mobile="13700000002"
    )
    other_worker = people.worker_create(user=other_parent, employer=other_grassroots_far)
    other_child = people.child_create(
        actor=actor_for(other_parent),
        guardian=other_worker,
        name="李小朋",
        sex="M",
        birth_date=datetime.date(2016, 1, 1),
        grade=4,
        relationship="father",
    )
    return Personas(**{k: v for k, v in locals().items() if k in Personas.__dataclass_fields__})


class PersonaTestCase(TestCase):
    """A TestCase with the personas built once per class (setUpTestData)."""

    p: Personas

    @classmethod
    def setUpTestData(cls) -> None:
        cls.p = build_personas()

    def client_for(self, user: Any) -> Client:
        client = Client()
        client.force_login(user)
        return client

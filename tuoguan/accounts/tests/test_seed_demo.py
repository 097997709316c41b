import datetime
import io

from django.contrib.auth.password_validation import validate_password
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import TestCase, override_settings
from django.utils.translation import gettext

from tuoguan.accounts.backends import MobileOrUsernameBackend
from tuoguan.accounts.demo import FAMILIES, STAFF
from tuoguan.accounts.models import Child, ChildConsent, ConsentPolicy, User, Worker
from tuoguan.audit.models import AuditEntry
from tuoguan.orgs.demo import TREE, walk
from tuoguan.orgs.models import Level, Membership, Org, Role

PROVINCES = {
    "辽宁省总工会": "210000",
    "四川省总工会": "510000",
    "陕西省总工会": "610000",
    "山东省总工会": "370000",
    "江苏省总工会": "320000",
    "内蒙古自治区总工会": "150000",
}

# Units the seed article names, with the code of the district they sit in.
SEED_UNITS = {
    "沈阳高新区总工会": "210112",
    "抚顺雷锋纪念馆工会": "210404",
    "丹东克隆儿童会工会": "210603",
    "绵阳市中心医院工会": "510703",
    "东区阳城龙庭社区工会联合会": "510402",
    "中电科航空电子有限公司工会": "510117",
    "仪陇县总工会": "511324",
    "四川省卫生健康委员会机关工会": "510104",
    "临沂高新技术产业开发区工会": "371300",
    "中国电子系统工程第二建设有限公司工会": "320213",
    "镇江市京口区人民法院工会": "321102",
    "六合区马鞍街道总工会": "320116",
    "建湖县沿河镇总工会": "320925",
    "扬州市总工会": "321000",
    "青山镇胥浦家园社区工会": "321081",
    "苏州市公安局工会": "320508",
    "托克托县总工会": "150122",
    "霍林郭勒市总工会": "150581",
    "中国联合网络通信有限公司内蒙古自治区分公司工会": "150105",
}

ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def gb11643_check_digit(first17: str) -> str:
    return "10X98765432"[sum(int(d) * w for d, w in zip(first17, ID_WEIGHTS, strict=True)) % 11]


def seed() -> str:
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


@override_settings(DEBUG=True)
class SeedDemoTests(TestCase):
    output: str

    @classmethod
    def setUpTestData(cls) -> None:
        cls.output = seed()

    def counts(self) -> dict[str, int]:
        models = (Org, User, Membership, Worker, Child, ChildConsent, ConsentPolicy, AuditEntry)
        return {m.__name__: m.objects.count() for m in models}

    def test_a_second_run_creates_nothing(self) -> None:
        before = self.counts()
        output = seed()
        self.assertEqual(self.counts(), before)
        self.assertIn("nothing created", output)

    def test_a_second_run_prints_the_logins_again(self) -> None:
        output = seed()
        for persona in (*STAFF, *FAMILIES):
            self.assertIn(persona.login, output)
            self.assertIn(persona.password, output)

    def test_the_first_run_says_what_it_created(self) -> None:
        self.assertIn("Demo data created", self.output)

    def test_the_tree_has_the_six_provinces_with_their_codes(self) -> None:
        national = Org.objects.get(level=Level.NATIONAL)
        self.assertEqual((national.name, national.region_code), ("中华全国总工会", "100000"))
        provinces = dict(Org.objects.get_children(national).values_list("name", "region_code"))
        self.assertEqual(provinces, PROVINCES)

    def test_each_union_sits_one_level_below_its_parent(self) -> None:
        for org in Org.objects.exclude(level=Level.NATIONAL):
            parent = Org.objects.get_parent(org)
            assert parent is not None
            self.assertEqual(org.level, parent.level + 1, org.name)

    def test_every_grassroots_union_has_a_kind_and_an_address(self) -> None:
        grassroots = Org.objects.filter(level=Level.GRASSROOTS)
        self.assertGreaterEqual(grassroots.count(), 20)
        self.assertFalse(grassroots.filter(kind="").exists())
        self.assertFalse(grassroots.filter(address="").exists())
        self.assertFalse(Org.objects.exclude(level=Level.GRASSROOTS).exclude(kind="").exists())

    def test_region_codes_are_six_digits_within_their_province(self) -> None:
        for org in Org.objects.filter(level__gte=Level.CITY):
            province = Org.objects.get_ancestors(org)[1]
            self.assertRegex(org.region_code, r"^\d{6}$")
            self.assertEqual(org.region_code[:2], province.region_code[:2], org.name)

    def test_the_units_named_in_the_seed_exist(self) -> None:
        found = dict(Org.objects.filter(name__in=SEED_UNITS).values_list("name", "region_code"))
        self.assertEqual(found, SEED_UNITS)
        self.assertEqual(Org.objects.get(name="绵阳市中心医院工会").kind, "hospital")
        self.assertEqual(Org.objects.get(name="苏州市公安局工会").kind, "court_police")
        self.assertEqual(Org.objects.get(name="镇江市京口区人民法院工会").kind, "court_police")

    def test_the_tree_in_the_database_matches_the_data(self) -> None:
        self.assertEqual(Org.objects.count(), sum(1 for _ in walk(TREE)))

    def test_every_child_has_consent_under_the_current_policy(self) -> None:
        policy = ConsentPolicy.objects.get(is_current=True)
        self.assertEqual((policy.version, policy.title), ("2026.1", "儿童个人信息处理规则"))
        children = Child.objects.all()
        self.assertGreaterEqual(children.count(), 5)
        for child in children:
            self.assertTrue(child.has_consent(), child.name)

    def test_there_are_three_families_one_with_two_children(self) -> None:
        workers = Worker.objects.filter(verified=True)
        self.assertGreaterEqual(workers.filter(children__isnull=False).distinct().count(), 3)
        self.assertTrue(any(w.children.count() == 2 for w in workers))
        self.assertFalse(Worker.objects.filter(verified=False).exists())

    def test_children_are_primary_pupils_and_one_toddler(self) -> None:
        ages = sorted(c.age_on(datetime.date(2026, 12, 31)) for c in Child.objects.all())
        self.assertEqual(ages[0], 2)
        self.assertTrue(all(6 <= age <= 12 for age in ages[1:]), ages)

    def test_the_id_number_is_valid_encrypted_and_masked(self) -> None:
        child = Child.objects.exclude(id_number_index="").get()
        number = child.id_number()
        self.assertEqual(number[-1], gb11643_check_digit(number[:17]))
        self.assertEqual(number[6:14], child.birth_date.strftime("%Y%m%d"))
        self.assertEqual(int(number[16]) % 2 == 1, child.sex == "M")
        self.assertNotIn(number, child.id_number_encrypted)
        self.assertEqual(child.id_number_masked, f"{number[:4]}{'*' * 10}{number[-4:]}")

    def test_the_logins_printed_include_each_role(self) -> None:
        for role in Role:
            self.assertIn(str(role.label), self.output)
        self.assertIn(gettext("Parent"), self.output)

    def test_each_printed_password_logs_its_persona_in(self) -> None:
        for persona in (*STAFF, *FAMILIES):
            user = MobileOrUsernameBackend().authenticate(
                None, username=persona.login, password=persona.password
            )
            self.assertIsNotNone(user, persona.login)
            validate_password(persona.password, user)  # raises if too weak or too similar

    def test_one_user_holds_two_memberships(self) -> None:
        counts = [u.memberships.count() for u in User.objects.filter(memberships__isnull=False)]
        self.assertIn(2, counts)

    def test_mobile_numbers_are_unique_mainland_numbers(self) -> None:
        mobiles = list(User.objects.values_list("mobile", flat=True))
        self.assertEqual(len(mobiles), len(set(mobiles)))
        for mobile in mobiles:
            self.assertRegex(mobile or "", r"^1[35]\d{9}$")

    def test_every_write_is_audited_as_demo_data(self) -> None:
        reasons = set(AuditEntry.objects.values_list("reason", flat=True))
        self.assertEqual(reasons, {"demo data"})


class SeedDemoSafetyTests(TestCase):
    @override_settings(DEBUG=False)
    def test_it_refuses_to_run_with_debug_off(self) -> None:
        with self.assertRaises(CommandError):
            seed()
        self.assertFalse(Org.objects.exists())
        self.assertFalse(User.objects.exists())

"""Meals: allergy warnings before the meal, food samples (留样) and their flags, suppliers'
licences, copying a week of menus, the family's menu, the API and who finds none of it."""

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone, translation
from rest_framework.test import APIClient

from tuoguan.care import meal_facts, services
from tuoguan.care.meal_selectors import meals_for_child_day_term, sample_problem
from tuoguan.care.models import Dish, Meal
from tuoguan.programs import compliance
from tuoguan.programs import services as programs
from tuoguan.programs.models import Criterion, Term

from .support import DAY, CareCase, actor, meal_term, running_term, today

HOUR = datetime.timedelta(hours=1)


def judged(name: str, term: Term) -> str:
    """The criterion's status, on a fresh copy of the term (facts are cached on the term)."""
    fresh = Term.objects.get(pk=term.pk)
    return str(compliance._metrics[name](fresh, Criterion(metric=name)).status)


class MealCase(CareCase):
    def setUp(self) -> None:
        self.term, self.enrolment = meal_term(self.p)
        self.manager = actor(self.p.grassroots_admin)
        self.carer = actor(self.p.caregiver)
        self.monday = today() - datetime.timedelta(days=today().weekday())

    def dish(self, name: str, allergens: list[str], day: datetime.date | None = None,
             kind: str = "lunch") -> Dish:  # fmt: skip
        return services.dish_add(
            actor=self.manager, term=self.term, date=day or today(), kind=kind, name=name,
            allergens=allergens,
        )  # fmt: skip


class AllergyWarningTests(MealCase):
    def pages(self) -> list[str]:
        carer = self.client_for(self.p.caregiver)
        menus = carer.get(reverse("care:menus", kwargs={"pk": self.term.pk})).content.decode()
        group = self.enrolment.group_id
        roster = carer.get(reverse("care:group_day", kwargs={"pk": group})).content.decode()
        parent = self.client_for(self.enrolment.guardian.user)
        family = parent.get(reverse("care:child_today", kwargs={"pk": self.enrolment.pk}))
        return [menus, roster, family.content.decode()]

    def test_a_dish_with_an_allergen_the_child_declared_is_flagged_and_none_otherwise(self):
        self.dish("番茄炒蛋", ["eggs"])
        for page in self.pages():
            self.assertNotIn("data-allergy-conflict", page)
        self.dish("花生酱拌面", ["peanuts", "gluten"], kind="afternoon_snack")
        menus, roster, family = self.pages()
        for page in (menus, roster, family):
            self.assertIn("data-allergy-conflict", page)
        for page in (menus, family):
            self.assertIn("番茄炒蛋", page)  # the whole menu is there, eggs without a warning
        self.assertIn(f"Allergy warning: {self.enrolment.child.name} is allergic to Peanuts", menus)
        self.assertIn("Allergy warning: today's 花生酱拌面 contains Peanuts", roster)
        # The warning names the allergen, never the guardian's note.
        self.assertEqual(menus.count("data-allergy-conflict"), 1)


class FoodSampleTests(MealCase):
    def test_a_sample_discarded_before_48_hours_is_flagged_at_48_hours_not(self) -> None:
        yesterday = today() - DAY
        kept = timezone.now() - 72 * HOUR
        self.assertEqual(meal_facts.food_samples_missing([self.term])[self.term.pk], None)
        self.assertEqual(judged("food_samples", self.term), "pending")
        for name, hours, problem in (("米饭", 48, ""), ("鱼香肉丝", 47, "early")):
            with self.subTest(hours=hours):
                dish = self.dish(name, [], day=yesterday)
                sample = services.food_sample_keep(
                    actor=self.carer, dish=dish, grams=125, temperature="4.0", kept_at=kept
                )
                services.food_sample_discard(
                    actor=self.carer, sample=sample, at=kept + hours * HOUR
                )
                self.assertEqual(sample_problem(Dish.objects.get(pk=dish.pk)), problem)
        self.assertEqual(meal_facts.food_samples_missing([self.term])[self.term.pk], 1)
        self.assertEqual(judged("food_samples", self.term), "fail")
        # A served dish without a sample is flagged too, on the day's page and in the fact.
        self.dish("紫菜蛋花汤", ["eggs"], day=yesterday)
        self.assertEqual(meal_facts.food_samples_missing([self.term])[self.term.pk], 2)
        page = self.client_for(self.p.caregiver).get(
            reverse("care:samples", kwargs={"pk": self.term.pk}), {"date": yesterday.isoformat()}
        )
        self.assertContains(page, 'data-sample-problems="2"')
        self.assertContains(page, 'data-problem="early"')
        self.assertContains(page, 'data-problem="missing"')

    def test_a_sample_under_125_g_is_refused_with_a_translated_error(self) -> None:
        dish = self.dish("米饭", [])
        with translation.override("zh-hans"), self.assertRaises(ValidationError) as caught:
            services.food_sample_keep(actor=self.carer, dish=dish, grams=100, temperature="4")
        self.assertEqual(caught.exception.message_dict["grams"], ["留样不得少于 125 克。"])
        with self.assertRaises(ValidationError) as warm:
            services.food_sample_keep(actor=self.carer, dish=dish, grams=130, temperature="12")
        self.assertIn("temperature", warm.exception.message_dict)
        carer = self.client_for(self.p.caregiver)
        carer.defaults["HTTP_ACCEPT_LANGUAGE"] = "zh-hans"
        url = reverse("care:sample_keep", kwargs={"pk": dish.pk})
        page = carer.post(url, {"grams": 100, "temperature": "4"}, follow=True)
        self.assertContains(page, "留样不得少于 125 克。")
        self.assertFalse(hasattr(Dish.objects.get(pk=dish.pk), "sample"))
        carer.post(url, {"grams": 150, "temperature": "3.5"})
        self.assertEqual(Dish.objects.get(pk=dish.pk).sample.kept_by, self.p.caregiver)


class SupplierTests(MealCase):
    def test_an_expired_licence_is_flagged_and_fails_the_food_safety_criterion(self) -> None:
        self.assertEqual(judged("supplier_licences", self.term), "pending")
        program = self.term.program
        fresh = services.supplier_save(
            actor=self.manager, program=program, name="放心菜", licence_number="JY1",
            licence_expires=today() + 30 * DAY,
        )  # fmt: skip
        self.assertEqual(meal_facts.supplier_licences_expired([self.term])[self.term.pk], 0)
        services.supplier_save(
            actor=self.manager, program=program, name="鲜奶站", licence_number="JY2",
            licence_expires=today() - DAY,
        )  # fmt: skip
        self.assertEqual(meal_facts.supplier_licences_expired([self.term])[self.term.pk], 1)
        page = self.client_for(self.p.grassroots_admin).get(
            reverse("care:suppliers", kwargs={"pk": program.pk})
        )
        self.assertContains(page, "data-expired", count=1)
        self.assertContains(page, fresh.name)
        self.assertEqual(judged("supplier_licences", self.term), "fail")


class CopyWeekTests(MealCase):
    def test_copying_a_week_fills_the_next_weeks_care_days_and_skips_planned_ones(self):
        for offset in range(3):
            self.dish(f"菜{offset}", ["milk"], day=self.monday + offset * DAY)
        planned = self.dish("已有的菜", [], day=self.monday + 7 * DAY)
        programs.term_day_remove(actor=self.manager, term=self.term, date=self.monday + 8 * DAY)
        response = self.client_for(self.p.grassroots_admin).post(
            reverse("care:menu_copy", kwargs={"pk": self.term.pk}),
            {"week": self.monday.isoformat()},
            follow=True,
        )
        self.assertContains(response, "Menus copied onto 1 care days of the next week.")
        self.assertContains(response, "Already planned, left as they were")
        next_week = Meal.objects.filter(term=self.term, date__gte=self.monday + 7 * DAY)
        self.assertEqual(
            {(m.date, d.name, tuple(d.allergens)) for m in next_week for d in m.dishes.all()},
            {(self.monday + 7 * DAY, planned.name, ()), (self.monday + 9 * DAY, "菜2", ("milk",))},
        )
        with self.assertRaises(ValidationError):
            services.menu_copy_week(
                actor=self.manager, term=self.term, week_of=self.monday + 21 * DAY
            )


class FamilyAndAccessTests(MealCase):
    def test_the_family_sees_todays_menu_of_their_childs_group(self) -> None:
        dish = self.dish("番茄炒蛋", ["eggs"])
        self.assertEqual(
            [m.pk for m in meals_for_child_day_term(self.enrolment.term, today())], [dish.meal_id]
        )
        self.assertEqual(meals_for_child_day_term(self.enrolment.term, today() + DAY), [])
        page = self.client_for(self.enrolment.guardian.user).get(
            reverse("care:child_today", kwargs={"pk": self.enrolment.pk})
        )
        self.assertContains(page, "番茄炒蛋")

    def test_an_outsider_finds_none_of_it(self) -> None:
        dish = self.dish("米饭", [])
        sample = services.food_sample_keep(actor=self.carer, dish=dish, grams=130, temperature="5")
        supplier = services.supplier_save(
            actor=self.manager, program=self.term.program, name="放心菜", licence_number="JY1",
            licence_expires=today(),
        )  # fmt: skip
        other = running_term(self.p, caregiver=False)
        elsewhere = self.dish_of(other)
        pages = [
            reverse("care:menus", kwargs={"pk": self.term.pk}),
            reverse("care:samples", kwargs={"pk": self.term.pk}),
            reverse("care:suppliers", kwargs={"pk": self.term.program_id}),
        ]
        apis = [
            f"/api/v1/meals/{dish.meal_id}/",
            f"/api/v1/food-samples/{sample.pk}/",
            f"/api/v1/suppliers/{supplier.pk}/",
        ]
        for user in (self.p.outsider, self.p.other_parent, self.enrolment.guardian.user):
            client, api = self.client_for(user), APIClient()
            api.force_login(user)
            for url in pages:
                self.assertEqual(client.get(url).status_code, 404, (user.username, url))
            for url in apis:
                self.assertEqual(api.get(url).status_code, 404, (user.username, url))
        # The caregiver is not on the other term's roster: its menu does not exist for them.
        carer = self.client_for(self.p.caregiver)
        self.assertEqual(carer.get(reverse("care:menus", kwargs={"pk": other.pk})).status_code, 404)
        self.assertEqual(
            carer.post(reverse("care:sample_keep", kwargs={"pk": elsewhere.pk})).status_code, 404
        )

    def dish_of(self, term: Term) -> Dish:
        return services.dish_add(
            actor=self.manager, term=term, date=today(), kind="lunch", name="面条"
        )

    def test_the_api_creates_and_lists_dishes_samples_and_suppliers(self) -> None:
        manager, carer = APIClient(), APIClient()
        manager.force_login(self.p.grassroots_admin)
        carer.force_login(self.p.caregiver)
        supplier = manager.post(
            "/api/v1/suppliers/",
            {"program": self.term.program_id, "name": "鲜奶站", "licence_number": "JY2",
             "licence_expires": (today() - DAY).isoformat()},
        )  # fmt: skip
        self.assertEqual(supplier.status_code, 201, supplier.content)
        self.assertTrue(supplier.json()["licence_expired"])
        meal = manager.post(
            "/api/v1/meals/",
            {"term": self.term.pk, "date": today().isoformat(), "kind": "lunch", "name": "蒸蛋",
             "allergens": ["eggs"], "supplier": supplier.json()["id"]},
            format="json",
        )  # fmt: skip
        self.assertEqual(meal.status_code, 201, meal.content)
        dish_id = meal.json()["dishes"][0]["id"]
        listed = carer.get(
            "/api/v1/meals/", {"term": str(self.term.pk), "date": today().isoformat()}
        )
        self.assertEqual(
            [d["allergens"] for d in listed.json()["results"][0]["dishes"]], [["eggs"]]
        )
        refused = carer.post(
            "/api/v1/food-samples/", {"dish": dish_id, "grams": 90, "temperature": "4"}
        )
        self.assertEqual(refused.status_code, 400)
        self.assertIn("grams", refused.json())
        kept = carer.post(
            "/api/v1/food-samples/", {"dish": dish_id, "grams": 140, "temperature": "4"}
        )
        self.assertEqual(kept.status_code, 201, kept.content)
        discarded = carer.post(f"/api/v1/food-samples/{kept.json()['id']}/discard/")
        self.assertTrue(discarded.json()["discarded_early"])
        samples = carer.get("/api/v1/food-samples/", {"term": self.term.pk}).json()["results"]
        self.assertEqual([s["grams"] for s in samples], [140])
        self.assertEqual(len(manager.get("/api/v1/suppliers/").json()["results"]), 1)
        self.assertEqual(Decimal(samples[0]["temperature"]), Decimal("4.0"))

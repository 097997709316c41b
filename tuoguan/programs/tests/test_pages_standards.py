"""Standards pages (versions, criteria, publishing, inheritance) and the calendar page."""

import datetime

from django.urls import reverse

from tuoguan.programs.models import CalendarDay, CalendarYear, Criterion, Standard, TermDay
from tuoguan.programs.services import standard_ensure_national_default
from tuoguan.testing import PersonaTestCase

from .factories import make_term
from .support import errors_of

D = datetime.date
LIST = reverse("programs:standard_list")


class StandardPagesTest(PersonaTestCase):
    def setUp(self) -> None:
        national = standard_ensure_national_default()
        assert national is not None
        self.national: Standard = national

    def test_a_union_without_its_own_standard_sees_the_inherited_one(self) -> None:
        page = self.client_for(self.p.city_admin).get(LIST)
        self.assertEqual(page.context["in_force"], self.national)
        self.assertTrue(page.context["inherited"])
        self.assertContains(page, "has no standard of its own")

    def test_the_province_starts_its_own_version_edits_and_publishes_it(self) -> None:
        client = self.client_for(self.p.province_admin)
        response = client.post(
            reverse("programs:standard_new_version", args=[self.national.pk]),
            {"title": "辽宁省工会爱心托管班建设标准", "effective_from": "2026-01-01"},
        )
        draft = Standard.objects.get(org=self.p.province)
        self.assertRedirects(response, reverse("programs:standard_detail", args=[draft.pk]))
        self.assertEqual(draft.criteria.count(), self.national.criteria.count())
        area = draft.criteria.get(code="indoor_area_per_child")
        client.post(
            reverse("programs:criterion_edit", args=[area.pk]),
            {"area": area.area, "code": area.code, "label": "每名儿童室内面积不少于3平方米",
             "kind": "computed", "metric": "area_per_child", "threshold": "3", "order": "10"},
        )  # fmt: skip
        area.refresh_from_db()
        self.assertEqual(str(area.threshold), "3.00")
        response = client.post(
            reverse("programs:criterion_add", args=[draft.pk]),
            {"area": "staffing", "code": "nurse", "label": "配备保健人员", "kind": "computed",
             "order": "5"},
        )  # fmt: skip
        self.assertIn("metric", errors_of(response))
        self.assertFalse(draft.criteria.filter(code="nurse").exists())
        client.post(reverse("programs:standard_publish", args=[draft.pk]))
        draft.refresh_from_db()
        self.assertTrue(draft.published)
        response = client.post(reverse("programs:criterion_remove", args=[area.pk]), follow=True)
        self.assertContains(response, "cannot change")
        self.assertTrue(Criterion.objects.filter(pk=area.pk).exists())
        self.assertFalse(self.client_for(self.p.city_admin).get(LIST).context["inherited"] is False)

    def test_a_grassroots_union_and_a_reviewer_keep_no_standard(self) -> None:
        create = reverse("programs:standard_create")
        for user in (self.p.grassroots_admin, self.p.reviewer, self.p.caregiver):
            self.assertEqual(self.client_for(user).get(create).status_code, 403)
        self.assertEqual(self.client_for(self.p.reviewer).get(LIST).status_code, 200)
        self.assertEqual(self.client_for(self.p.parent).get(LIST).status_code, 403)

    def test_a_province_standard_is_invisible_to_another_province(self) -> None:
        client = self.client_for(self.p.province_admin)
        client.post(
            reverse("programs:standard_create"),
            {"title": "辽宁标准", "effective_from": "2026-01-01"},
        )
        own = Standard.objects.get(org=self.p.province)
        outsider = self.client_for(self.p.outsider)
        detail = reverse("programs:standard_detail", args=[own.pk])
        self.assertEqual(outsider.get(detail).status_code, 404)
        self.assertEqual(
            outsider.get(reverse("programs:standard_detail", args=[self.national.pk])).status_code,
            200,
        )
        self.assertEqual(
            outsider.post(reverse("programs:standard_publish", args=[own.pk])).status_code, 404
        )

    def test_an_empty_draft_cannot_be_published(self) -> None:
        client = self.client_for(self.p.province_admin)
        client.post(
            reverse("programs:standard_create"), {"title": "空标准", "effective_from": "bad"}
        )
        self.assertFalse(Standard.objects.filter(org=self.p.province).exists())
        client.post(
            reverse("programs:standard_create"),
            {"title": "空标准", "effective_from": "2026-01-01"},
        )
        draft = Standard.objects.get(org=self.p.province)
        response = client.post(reverse("programs:standard_publish", args=[draft.pk]), follow=True)
        self.assertContains(response, "at least one criterion")
        draft.refresh_from_db()
        self.assertFalse(draft.published)


class CalendarPageTest(PersonaTestCase):
    URL = reverse("programs:calendar")

    def test_staff_read_a_year_and_its_state(self) -> None:
        page = self.client_for(self.p.caregiver).get(f"{self.URL}?year=2027")
        self.assertContains(page, "Not announced yet")
        self.assertIsNone(page.context["day_form"])
        page = self.client_for(self.p.caregiver).get(f"{self.URL}?year=2021")
        self.assertContains(page, "2021-10-09")  # National Day's adjusted Saturday
        self.assertEqual(
            self.client_for(self.p.caregiver).get(f"{self.URL}?year=x").status_code, 200
        )
        self.assertEqual(self.client_for(self.p.parent).get(self.URL).status_code, 403)

    def test_the_province_corrects_2027_and_the_terms_follow(self) -> None:
        term = make_term(
            self.p, name="2027年寒假", start_date=D(2027, 1, 18), end_date=D(2027, 2, 5)
        )
        client = self.client_for(self.p.province_admin)
        client.post(
            reverse("programs:calendar_day"),
            {"date": "2027-01-30", "kind": "adjusted_workday", "name": "", "year": "2027"},
        )
        self.assertEqual(CalendarDay.objects.get(date=D(2027, 1, 30)).kind, "adjusted_workday")
        self.assertTrue(TermDay.objects.get(term=term, date=D(2027, 1, 30)).is_care_day)
        client.post(reverse("programs:calendar_announce"), {"year": "2027", "notes": "国办发明电"})
        self.assertTrue(CalendarYear.objects.get(year=2027).announced)
        page = client.get(reverse("programs:term_detail", args=[term.pk]))
        self.assertNotContains(page, "calendar not announced")

    def test_bad_input_is_a_field_error(self) -> None:
        response = self.client_for(self.p.province_admin).post(
            reverse("programs:calendar_day"), {"date": "2027-13-40", "kind": "holiday"}
        )
        self.assertEqual(response.status_code, 200)
        self.assertIn("date", response.context["day_form"].errors)

    def test_only_national_and_province_admins_change_it(self) -> None:
        for user in (self.p.city_admin, self.p.reviewer, self.p.grassroots_admin):
            response = self.client_for(user).post(
                reverse("programs:calendar_day"), {"date": "2027-01-30", "kind": "holiday"}
            )
            self.assertEqual(response.status_code, 403)
            response = self.client_for(user).post(
                reverse("programs:calendar_announce"), {"year": "2027"}
            )
            self.assertEqual(response.status_code, 403)
        self.assertFalse(CalendarDay.objects.filter(date=D(2027, 1, 30), source="manual").exists())

"""Pages of classes and venues: the list with filters, a class's page, create/edit, photos."""

import datetime
from decimal import Decimal

from django.conf import settings
from django.urls import reverse

from tuoguan.programs.models import Program, ProgramPhoto, Venue
from tuoguan.testing import PersonaTestCase

from .factories import image_upload, make_program, make_term, make_venue
from .support import TempMedia, bulk_programs, count_queries, errors_of

LIST = reverse("programs:list")
CREATE = reverse("programs:create")

PROGRAM_POST = {
    "host": "",
    "name": "港湾暑期托管班",
    "type": "holiday",
    "target_groups": ["dual_worker", "migrant"],
    "operator": "self_run",
    "fee_policy": "free",
    "is_active": "on",
}


class ProgramListTest(PersonaTestCase):
    def test_anonymous_is_sent_to_log_in(self) -> None:
        response = self.client.get(LIST)
        self.assertRedirects(response, f"{reverse(settings.LOGIN_URL)}?next={LIST}")

    def test_a_parent_has_no_class_list(self) -> None:
        self.assertEqual(self.client_for(self.p.parent).get(LIST).status_code, 403)

    def test_the_province_sees_its_classes_and_the_outsider_does_not(self) -> None:
        program = make_program(self.p, name="慧成长动力营")
        page = self.client_for(self.p.province_admin).get(LIST)
        self.assertContains(page, "慧成长动力营")
        self.assertContains(page, reverse("programs:detail", args=[program.pk]))
        outsider = self.client_for(self.p.outsider).get(LIST)
        self.assertEqual(outsider.status_code, 200)
        self.assertNotContains(outsider, "慧成长动力营")

    def test_it_filters_by_type_status_year_region_and_union(self) -> None:
        holiday = make_term(self.p, program=make_program(self.p, name="暑期班")).program
        make_program(self.p, name="课后班", type="after_school")
        client = self.client_for(self.p.province_admin)
        cases = {
            "type=holiday": True,
            "type=after_school": False,
            "status=draft": True,
            "status=closed": False,
            "year=2021": True,
            "year=2026": False,
            "region=2102": True,
            "region=5107": False,
            f"org={self.p.county.pk}": True,
        }
        for query, shown in cases.items():
            with self.subTest(query):
                page = client.get(f"{LIST}?{query}")
                self.assertEqual(page.status_code, 200)
                self.assertEqual(holiday in page.context["page"].object_list, shown)

    def test_a_bad_filter_is_a_field_error_not_a_crash(self) -> None:
        page = self.client_for(self.p.province_admin).get(f"{LIST}?year=abc&region=x")
        self.assertEqual(page.status_code, 200)
        self.assertIn("year", page.context["form"].errors)
        self.assertIn("region", page.context["form"].errors)

    def test_a_union_outside_the_subtree_cannot_be_a_filter(self) -> None:
        page = self.client_for(self.p.city_admin).get(f"{LIST}?org={self.p.other_province.pk}")
        self.assertIn("org", page.context["form"].errors)

    def test_htmx_gets_only_the_table(self) -> None:
        make_program(self.p)
        page = self.client_for(self.p.city_admin).get(LIST, headers={"HX-Request": "true"})
        self.assertTemplateUsed(page, "programs/_program_table.html")
        self.assertNotContains(page, "<html")

    def test_the_list_costs_the_same_for_10_and_500_classes(self) -> None:
        client = self.client_for(self.p.province_admin)
        bulk_programs(self.p.grassroots, 10)
        client.get(LIST)  # warm the session and the membership lookups
        ten = count_queries(lambda: client.get(LIST))
        bulk_programs(self.p.grassroots, 490, start=10)
        self.assertEqual(Program.objects.count(), 500)
        page = client.get(LIST)
        self.assertEqual(len(page.context["page"].object_list), 50)
        self.assertEqual(count_queries(lambda: client.get(LIST)), ten)
        self.assertLessEqual(ten, 15)
        self.assertEqual(count_queries(lambda: client.get(f"{LIST}?page=10")), ten)


class ProgramCreateTest(PersonaTestCase):
    def post(self, user, **changes):  # type: ignore[no-untyped-def]
        data = {**PROGRAM_POST, "host": self.p.grassroots.pk, **changes}
        return self.client_for(user).post(CREATE, data)

    def test_a_grassroots_admin_creates_a_class(self) -> None:
        response = self.post(self.p.grassroots_admin)
        program = Program.objects.get(name="港湾暑期托管班")
        self.assertRedirects(response, reverse("programs:detail", args=[program.pk]))
        self.assertEqual(program.host, self.p.grassroots)
        self.assertEqual(program.target_groups, ["dual_worker", "migrant"])

    def test_a_fee_without_an_amount_is_a_field_error_and_nothing_is_saved(self) -> None:
        response = self.post(self.p.grassroots_admin, fee_policy="fee")
        self.assertEqual(response.status_code, 200)
        self.assertIn("fee_amount", errors_of(response))
        self.assertFalse(Program.objects.exists())

    def test_a_bought_in_service_needs_its_provider(self) -> None:
        response = self.post(self.p.grassroots_admin, operator="purchased")
        self.assertIn("provider_name", errors_of(response))
        self.assertFalse(Program.objects.exists())

    def test_a_negative_fee_and_an_unknown_group_are_refused(self) -> None:
        response = self.post(
            self.p.grassroots_admin,
            fee_policy="fee",
            fee_amount="-5",
            target_groups=["astronauts"],
        )
        self.assertIn("fee_amount", errors_of(response))
        self.assertIn("target_groups", errors_of(response))
        self.assertFalse(Program.objects.exists())

    def test_a_host_outside_the_subtree_is_not_a_choice(self) -> None:
        response = self.post(self.p.grassroots_admin, host=self.p.city.pk)
        self.assertIn("host", errors_of(response))
        self.assertFalse(Program.objects.exists())

    def test_read_only_roles_get_403(self) -> None:
        for user in (self.p.caregiver, self.p.reviewer, self.p.parent):
            with self.subTest(user.username):
                self.assertEqual(self.client_for(user).get(CREATE).status_code, 403)
                self.assertEqual(self.post(user).status_code, 403)
        self.assertFalse(Program.objects.exists())


class ProgramPageTest(PersonaTestCase):
    def setUp(self) -> None:
        self.term = make_term(self.p)
        self.program = self.term.program
        self.url = reverse("programs:detail", args=[self.program.pk])

    def test_it_shows_terms_venue_and_compliance(self) -> None:
        page = self.client_for(self.p.caregiver).get(self.url)
        self.assertContains(page, self.program.name)
        self.assertContains(page, reverse("programs:term_detail", args=[self.term.pk]))
        self.assertContains(page, reverse("programs:venue_detail", args=[self.term.venue_id]))
        self.assertContains(page, reverse("programs:term_compliance", args=[self.term.pk]))
        self.assertContains(page, "Non-compliant")  # no carer on the roster yet
        self.assertNotContains(page, reverse("programs:edit", args=[self.program.pk]))

    def test_the_host_admin_sees_the_edit_links(self) -> None:
        page = self.client_for(self.p.grassroots_admin).get(self.url)
        self.assertContains(page, reverse("programs:edit", args=[self.program.pk]))
        self.assertContains(page, reverse("programs:term_create", args=[self.program.pk]))

    def test_outsider_and_parent_get_404(self) -> None:
        for user in (self.p.outsider, self.p.parent):
            self.assertEqual(self.client_for(user).get(self.url).status_code, 404)

    def test_anonymous_is_sent_to_log_in(self) -> None:
        self.assertEqual(self.client.get(self.url).status_code, 302)

    def test_editing_saves_through_the_service(self) -> None:
        url = reverse("programs:edit", args=[self.program.pk])
        data = {**PROGRAM_POST, "name": "港湾托管班（改）", "theme": "劳模精神伴我成长"}
        del data["host"]
        response = self.client_for(self.p.grassroots_admin).post(url, data)
        self.assertRedirects(response, self.url)
        self.program.refresh_from_db()
        self.assertEqual(self.program.theme, "劳模精神伴我成长")

    def test_a_manager_deactivates_the_class_from_its_edit_page_and_reactivates_it(self) -> None:
        url = reverse("programs:edit", args=[self.program.pk])
        data = {**PROGRAM_POST, "name": self.program.name}
        del data["host"], data["is_active"]  # an unticked box is not sent
        client = self.client_for(self.p.grassroots_admin)
        self.assertRedirects(client.post(url, data), self.url)
        self.program.refresh_from_db()
        self.assertFalse(self.program.is_active)
        self.assertContains(client.get(self.url), "· inactive")
        self.assertRedirects(client.post(url, {**data, "is_active": "on"}), self.url)
        self.program.refresh_from_db()
        self.assertTrue(self.program.is_active)

    def test_the_edit_page_shows_whether_the_class_is_active(self) -> None:
        page = self.client_for(self.p.grassroots_admin).get(
            reverse("programs:edit", args=[self.program.pk])
        )
        self.assertTrue(page.context["form"]["is_active"].value())
        self.assertContains(page, 'name="is_active"')

    def test_a_refused_edit_keeps_the_saved_values(self) -> None:
        url = reverse("programs:edit", args=[self.program.pk])
        data = {**PROGRAM_POST, "name": "", "fee_policy": "fee"}
        response = self.client_for(self.p.grassroots_admin).post(url, data)
        self.assertIn("name", errors_of(response))
        self.program.refresh_from_db()
        self.assertEqual(self.program.name, "慧成长动力营")

    def test_read_only_roles_cannot_edit(self) -> None:
        url = reverse("programs:edit", args=[self.program.pk])
        for user in (self.p.caregiver, self.p.reviewer):
            self.assertEqual(self.client_for(user).get(url).status_code, 403)
        self.assertEqual(self.client_for(self.p.outsider).get(url).status_code, 404)


class PhotoTest(TempMedia, PersonaTestCase):
    def test_a_photo_is_added_served_to_the_line_and_removed(self) -> None:
        program = make_program(self.p)
        admin = self.client_for(self.p.grassroots_admin)
        url = reverse("programs:photo_add", args=[program.pk])
        response = admin.post(url, {"image": image_upload(), "caption": "活动室"})
        self.assertRedirects(response, reverse("programs:detail", args=[program.pk]))
        photo = ProgramPhoto.objects.get(program=program)
        served = self.client_for(self.p.city_admin).get(reverse("programs:photo", args=[photo.pk]))
        self.assertEqual(served.status_code, 200)
        self.assertEqual(served["Content-Type"], "image/jpeg")
        outsider = self.client_for(self.p.outsider)
        self.assertEqual(outsider.get(reverse("programs:photo", args=[photo.pk])).status_code, 404)
        remove = reverse("programs:photo_remove", args=[photo.pk])
        self.assertEqual(self.client_for(self.p.caregiver).post(remove).status_code, 403)
        admin.post(remove)
        self.assertFalse(ProgramPhoto.objects.exists())

    def test_a_file_that_is_not_an_image_is_refused(self) -> None:
        program = make_program(self.p)
        url = reverse("programs:photo_add", args=[program.pk])
        from django.core.files.uploadedfile import SimpleUploadedFile

        fake = SimpleUploadedFile("x.jpg", b"not an image at all", content_type="image/jpeg")
        response = self.client_for(self.p.grassroots_admin).post(url, {"image": fake})
        self.assertIn("image", errors_of(response))
        self.assertFalse(ProgramPhoto.objects.exists())


class VenuePagesTest(PersonaTestCase):
    VENUE_POST = {
        "name": "港湾职工之家",
        "address": "大连市中山区港湾街1号",
        "indoor_area_m2": "120",
        "outdoor_area_m2": "0",
        "fire_exits": "2",
    }

    def test_a_grassroots_admin_adds_a_venue(self) -> None:
        data = {**self.VENUE_POST, "owner": self.p.grassroots.pk}
        response = self.client_for(self.p.grassroots_admin).post(
            reverse("programs:venue_create"), data
        )
        venue = Venue.objects.get()
        self.assertRedirects(response, reverse("programs:venue_detail", args=[venue.pk]))
        self.assertEqual(venue.indoor_area_m2, Decimal("120"))

    def test_an_area_of_zero_or_less_is_a_field_error(self) -> None:
        for area in ("0", "-3"):
            data = {**self.VENUE_POST, "owner": self.p.grassroots.pk, "indoor_area_m2": area}
            response = self.client_for(self.p.grassroots_admin).post(
                reverse("programs:venue_create"), data
            )
            self.assertIn("indoor_area_m2", errors_of(response))
        self.assertFalse(Venue.objects.exists())

    def test_the_venue_page_flags_an_expired_certificate(self) -> None:
        venue = make_venue(self.p, fire_cert_expires=datetime.date(2020, 1, 1))
        page = self.client_for(self.p.city_admin).get(
            reverse("programs:venue_detail", args=[venue.pk])
        )
        self.assertContains(page, "expired")
        self.assertEqual(
            self.client_for(self.p.outsider)
            .get(reverse("programs:venue_detail", args=[venue.pk]))
            .status_code,
            404,
        )
        listing = self.client_for(self.p.city_admin).get(reverse("programs:venue_list"))
        self.assertContains(listing, "expired on Jan. 1, 2020")

    def test_read_only_roles_cannot_change_a_venue(self) -> None:
        venue = make_venue(self.p)
        url = reverse("programs:venue_edit", args=[venue.pk])
        for user in (self.p.caregiver, self.p.reviewer):
            self.assertEqual(self.client_for(user).post(url, self.VENUE_POST).status_code, 403)
        self.assertEqual(self.client_for(self.p.outsider).get(url).status_code, 404)
        response = self.client_for(self.p.grassroots_admin).post(
            url, {**self.VENUE_POST, "fire_exits": "3"}
        )
        self.assertEqual(response.status_code, 302)
        venue.refresh_from_db()
        self.assertEqual(venue.fire_exits, 3)

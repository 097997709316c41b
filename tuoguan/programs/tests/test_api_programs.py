"""API of classes and venues: /api/v1/programs/ and /api/v1/venues/."""

from typing import Any

from django.urls import reverse
from rest_framework.test import APIClient

from tuoguan.accounts.services import token_issue
from tuoguan.programs.models import Program, ProgramPhoto, Venue
from tuoguan.testing import PersonaTestCase

from .factories import image_upload, make_program, make_term, make_venue
from .support import TempMedia, api_for, bulk_programs, count_queries

PROGRAMS = reverse("program-list")
VENUES = reverse("venue-list")


def detail(program: Program) -> str:
    return reverse("program-detail", args=[program.pk])


class ProgramApiReadTest(PersonaTestCase):
    def test_anonymous_gets_401(self) -> None:
        self.assertEqual(APIClient().get(PROGRAMS).status_code, 401)

    def test_the_list_is_scoped_and_filtered(self) -> None:
        make_term(self.p, program=make_program(self.p, name="暑期班"))
        make_program(self.p, name="课后班", type="after_school")
        client = api_for(self.p.province_admin)
        names = [row["name"] for row in client.get(PROGRAMS).json()["results"]]
        self.assertEqual(sorted(names), ["暑期班", "课后班"])
        only = client.get(PROGRAMS, {"type": "after_school"}).json()["results"]
        self.assertEqual([row["name"] for row in only], ["课后班"])
        self.assertEqual(client.get(PROGRAMS, {"year": 2021}).json()["count"], 1)
        self.assertEqual(client.get(PROGRAMS, {"region": "5107"}).json()["count"], 0)
        self.assertEqual(api_for(self.p.outsider).get(PROGRAMS).json()["count"], 0)

    def test_bad_filters_are_400(self) -> None:
        client = api_for(self.p.province_admin)
        for params in ({"year": "abc"}, {"type": "circus"}, {"region": "x"}):
            self.assertEqual(client.get(PROGRAMS, params).status_code, 400)

    def test_outsider_gets_404_on_a_class(self) -> None:
        program = make_program(self.p)
        self.assertEqual(api_for(self.p.outsider).get(detail(program)).status_code, 404)
        self.assertEqual(api_for(self.p.caregiver).get(detail(program)).status_code, 200)

    def test_a_bearer_token_acts_through_its_user(self) -> None:
        program = make_program(self.p)
        _, key = token_issue(user=self.p.city_admin, name="大屏")
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
        self.assertEqual(client.get(detail(program)).json()["name"], program.name)

    def test_the_list_costs_the_same_for_10_and_500_classes(self) -> None:
        client = api_for(self.p.province_admin)
        bulk_programs(self.p.grassroots, 10)
        client.get(PROGRAMS)
        ten = count_queries(lambda: client.get(PROGRAMS))
        bulk_programs(self.p.grassroots, 490, start=10)
        self.assertEqual(client.get(PROGRAMS).json()["count"], 500)
        self.assertEqual(count_queries(lambda: client.get(PROGRAMS)), ten)


class ProgramApiWriteTest(PersonaTestCase):
    NEW = {
        "name": "医小宝暑期托管班",
        "type": "holiday",
        "target_groups": ["medical"],
        "fee_policy": "living_costs",
        "fee_amount": "300.00",
    }

    def test_a_grassroots_admin_creates_and_edits_a_class(self) -> None:
        client = api_for(self.p.grassroots_admin)
        response = client.post(PROGRAMS, {**self.NEW, "host": self.p.grassroots.pk}, format="json")
        self.assertEqual(response.status_code, 201, response.content)
        program = Program.objects.get(pk=response.json()["id"])
        self.assertEqual(program.target_groups, ["medical"])
        response = client.patch(detail(program), {"theme": "医小宝"}, format="json")
        self.assertEqual(response.json()["theme"], "医小宝")

    def test_bad_input_is_400_with_fields_and_saves_nothing(self) -> None:
        client = api_for(self.p.grassroots_admin)
        cases: list[tuple[dict[str, Any], str]] = [
            ({"fee_policy": "fee", "fee_amount": None}, "fee_amount"),
            ({"type": "circus"}, "type"),
            ({"target_groups": "medical"}, "target_groups"),
            ({"operator": "purchased"}, "provider_name"),
            ({"host": self.p.other_grassroots_far.pk}, "host"),
            ({"host": "abc"}, "host"),
        ]
        for change, field in cases:
            with self.subTest(field):
                body = {**self.NEW, "host": self.p.grassroots.pk, **change}
                response = client.post(PROGRAMS, body, format="json")
                self.assertEqual(response.status_code, 400)
                self.assertIn(field, response.json())
        self.assertFalse(Program.objects.exists())

    def test_malformed_json_is_400(self) -> None:
        client = api_for(self.p.grassroots_admin)
        response = client.post(PROGRAMS, "{not json", content_type="application/json")
        self.assertEqual(response.status_code, 400)
        response = client.post(PROGRAMS, "[1, 2]", content_type="application/json")
        self.assertEqual(response.status_code, 400)
        self.assertFalse(Program.objects.exists())

    def test_read_only_roles_get_403_and_the_outsider_404(self) -> None:
        program = make_program(self.p)
        for user in (self.p.caregiver, self.p.reviewer, self.p.parent):
            client = api_for(user)
            body = {**self.NEW, "host": self.p.grassroots.pk}
            self.assertEqual(client.post(PROGRAMS, body, format="json").status_code, 403)
        self.assertEqual(
            api_for(self.p.caregiver)
            .patch(detail(program), {"name": "x"}, format="json")
            .status_code,
            403,
        )
        self.assertEqual(
            api_for(self.p.outsider)
            .patch(detail(program), {"name": "x"}, format="json")
            .status_code,
            404,
        )
        program.refresh_from_db()
        self.assertEqual(program.name, "慧成长动力营")
        self.assertEqual(Program.objects.count(), 1)


class ProgramPhotoApiTest(TempMedia, PersonaTestCase):
    def test_a_photo_is_uploaded_as_multipart(self) -> None:
        program = make_program(self.p)
        url = reverse("program-photos", args=[program.pk])
        response = api_for(self.p.grassroots_admin).post(
            url, {"image": image_upload(), "caption": "手工课"}, format="multipart"
        )
        self.assertEqual(response.status_code, 201, response.content)
        self.assertEqual(ProgramPhoto.objects.get().caption, "手工课")
        response = api_for(self.p.grassroots_admin).post(url, {}, format="multipart")
        self.assertEqual(response.status_code, 400)


class VenueApiTest(PersonaTestCase):
    NEW = {"name": "社区活动中心", "address": "大连市中山区", "indoor_area_m2": "150"}

    def test_create_read_and_edit_a_venue(self) -> None:
        client = api_for(self.p.grassroots_admin)
        response = client.post(VENUES, {**self.NEW, "owner": self.p.grassroots.pk}, format="json")
        self.assertEqual(response.status_code, 201, response.content)
        venue = Venue.objects.get()
        url = reverse("venue-detail", args=[venue.pk])
        self.assertEqual(
            client.patch(url, {"fire_exits": 2}, format="json").json()["fire_exits"], 2
        )
        self.assertEqual(api_for(self.p.outsider).get(url).status_code, 404)
        self.assertEqual(
            api_for(self.p.caregiver).patch(url, {"fire_exits": 0}, format="json").status_code, 403
        )

    def test_an_area_of_zero_or_less_is_400(self) -> None:
        client = api_for(self.p.grassroots_admin)
        for area in ("0", "-10", "abc"):
            body = {**self.NEW, "owner": self.p.grassroots.pk, "indoor_area_m2": area}
            response = client.post(VENUES, body, format="json")
            self.assertEqual(response.status_code, 400)
            self.assertIn("indoor_area_m2", response.json())
        self.assertFalse(Venue.objects.exists())

    def test_the_list_is_scoped(self) -> None:
        make_venue(self.p)
        self.assertEqual(api_for(self.p.city_admin).get(VENUES).json()["count"], 1)
        self.assertEqual(api_for(self.p.outsider).get(VENUES).json()["count"], 0)
        self.assertEqual(APIClient().get(VENUES).status_code, 401)

"""The API twin of the paperwork pages: same services, same scoping, 4xx on bad input."""

import json
from typing import Any

from django.test import Client

from tuoguan.accounts import services as people
from tuoguan.enrolment.models import Agreement, EnrolmentStatus, HealthNote, Insurance, Pickup
from tuoguan.enrolment.services import pickups

from .paperwork_support import PaperworkCase, actor, seat, term_around

API = "/api/v1"


class ApiCase(PaperworkCase):
    def setUp(self) -> None:
        self.term = term_around(self.p, risk_notice="注意防暑。")
        self.enrolment = seat(self.term, self.p.child_one)
        self.e = f"{API}/enrolments/{self.enrolment.pk}"
        self.child = f"{API}/children/{self.p.child_one.pk}"

    def api(self, user: Any = None) -> Client:
        client = self.client_for(user or self.p.parent)
        return client

    def send(self, method: str, url: str, data: Any, user: Any = None) -> Any:
        call = getattr(self.api(user), method)
        return call(url, json.dumps(data), content_type="application/json")

    def token_client(self, user: Any) -> Client:
        _token, key = people.token_issue(user=user, name="app")
        return Client(HTTP_AUTHORIZATION=f"Bearer {key}", HTTP_ACCEPT_LANGUAGE="en")


class ChecklistApiTests(ApiCase):
    def test_the_parent_gets_the_checklist(self) -> None:
        data = self.api().get(f"{self.e}/paperwork/").json()
        self.assertEqual(data["status"], EnrolmentStatus.ADMITTED)
        self.assertFalse(data["complete"])
        self.assertEqual(
            [i["key"] for i in data["items"]],
            ["consent", "agreement", "insurance", "pickup", "health", "risk_notice"],
        )

    def test_a_token_works_as_for_the_apps(self) -> None:
        response = self.token_client(self.p.parent).get(f"{self.e}/paperwork/")
        self.assertEqual(response.status_code, 200)

    def test_the_host_admin_reads_it(self) -> None:
        self.assertEqual(
            self.api(self.p.grassroots_admin).get(f"{self.e}/paperwork/").status_code, 200
        )

    def test_outsider_and_another_family_get_404(self) -> None:
        for user in (self.p.outsider, self.p.other_parent):
            self.assertEqual(self.api(user).get(f"{self.e}/paperwork/").status_code, 404)

    def test_anonymous_gets_401(self) -> None:
        response = Client().get(f"{self.e}/paperwork/")
        self.assertIn(response.status_code, (401, 403))


class AgreementApiTests(ApiCase):
    def test_the_parent_reads_and_signs_the_agreement_then_downloads_the_pdf(self) -> None:
        text = self.api().get(f"{self.e}/agreement/").json()
        self.assertIn("王小一", text["text"])
        self.assertIsNone(text["signed"])
        response = self.send(
            "post", f"{self.e}/agreement/", {"signer_name": "王家长", "consent": True}
        )
        self.assertEqual(response.status_code, 201, response.content)
        agreement = Agreement.objects.get()
        pdf = self.api().get(f"{API}/agreements/{agreement.pk}/pdf/")
        self.assertEqual(pdf["Content-Type"], "application/pdf")
        self.assertTrue(pdf.content.startswith(b"%PDF"))
        self.assertEqual(
            self.api(self.p.outsider).get(f"{API}/agreements/{agreement.pk}/pdf/").status_code, 404
        )
        self.assertEqual(
            self.api(self.p.other_parent).get(f"{API}/agreements/{agreement.pk}/pdf/").status_code,
            404,
        )

    def test_a_wrong_name_or_no_consent_is_a_400_by_field(self) -> None:
        response = self.send(
            "post", f"{self.e}/agreement/", {"signer_name": "别人", "consent": False}
        )
        self.assertEqual(response.status_code, 400)
        self.assertEqual(set(response.json()), {"signer_name", "consent"})
        self.assertFalse(Agreement.objects.exists())

    def test_malformed_json_and_wrong_types_are_400(self) -> None:
        client = self.api()
        bad = client.post(f"{self.e}/agreement/", "{not json", content_type="application/json")
        self.assertEqual(bad.status_code, 400)
        wrong = self.send(
            "post", f"{self.e}/agreement/", {"signer_name": ["王家长"], "consent": "maybe"}
        )
        self.assertEqual(wrong.status_code, 400)
        self.assertEqual(self.send("post", f"{self.e}/agreement/", []).status_code, 400)
        self.assertFalse(Agreement.objects.exists())

    def test_staff_get_403_and_strangers_404(self) -> None:
        data = {"signer_name": "王家长", "consent": True}
        self.assertEqual(
            self.send("post", f"{self.e}/agreement/", data, self.p.grassroots_admin).status_code,
            403,
        )
        self.assertEqual(
            self.send("post", f"{self.e}/agreement/", data, self.p.outsider).status_code, 404
        )
        self.assertEqual(
            self.send("post", f"{self.e}/agreement/", data, self.p.other_parent).status_code, 404
        )
        self.assertIn(Client().post(f"{self.e}/agreement/", data).status_code, (401, 403))
        self.assertFalse(Agreement.objects.exists())


class HealthAndRiskApiTests(ApiCase):
    def test_the_parent_puts_and_gets_the_health_note(self) -> None:
        body = {"allergies": "花生", "conditions": "", "medication": "", "declared": True}
        self.assertEqual(self.send("put", f"{self.e}/health/", body).status_code, 200)
        self.assertEqual(self.api().get(f"{self.e}/health/").json()["allergies"], "花生")

    def test_an_undeclared_note_is_a_400(self) -> None:
        response = self.send("put", f"{self.e}/health/", {"allergies": "花生", "declared": False})
        self.assertEqual(response.status_code, 400)
        self.assertIn("declared", response.json())
        self.assertFalse(HealthNote.objects.exists())
        self.assertEqual(
            self.send("put", f"{self.e}/health/", {"declared": "yes please"}).status_code, 400
        )

    def test_the_caregiver_reads_it_during_the_term_and_others_are_kept_out(self) -> None:
        self.send("put", f"{self.e}/health/", {"allergies": "花生", "declared": True})
        self.assertEqual(self.api(self.p.caregiver).get(f"{self.e}/health/").status_code, 200)
        self.assertEqual(self.api(self.p.city_admin).get(f"{self.e}/health/").status_code, 403)
        self.assertEqual(self.api(self.p.outsider).get(f"{self.e}/health/").status_code, 404)
        self.assertEqual(self.api(self.p.other_parent).get(f"{self.e}/health/").status_code, 404)
        self.assertIn(Client().get(f"{self.e}/health/").status_code, (401, 403))

    def test_the_parent_acknowledges_the_risk_notice(self) -> None:
        self.assertFalse(self.api().get(f"{self.e}/risk-notice/").json()["acknowledged"])
        self.assertEqual(self.api().post(f"{self.e}/risk-notice/").status_code, 201)
        self.assertTrue(self.api().get(f"{self.e}/risk-notice/").json()["acknowledged"])
        self.assertEqual(self.api(self.p.outsider).post(f"{self.e}/risk-notice/").status_code, 404)


class InsuranceApiTests(ApiCase):
    def cover(self, **change: Any) -> dict[str, Any]:
        return {
            "insurer": "平安",
            "policy_number": "PA-1",
            "starts_on": self.term.start_date.isoformat(),
            "ends_on": self.term.end_date.isoformat(),
            **change,
        }

    def test_the_parent_adds_and_lists_covers(self) -> None:
        response = self.send("post", f"{self.child}/insurance/", self.cover())
        self.assertEqual(response.status_code, 201, response.content)
        listed = self.api().get(f"{self.child}/insurance/").json()
        self.assertEqual([c["policy_number"] for c in listed["results"]], ["PA-1"])

    def test_bad_dates_are_400_and_nothing_saved(self) -> None:
        end_first = self.cover(
            ends_on=self.term.start_date.isoformat(), starts_on=self.term.end_date.isoformat()
        )
        self.assertEqual(self.send("post", f"{self.child}/insurance/", end_first).status_code, 400)
        garbage = self.send("post", f"{self.child}/insurance/", self.cover(starts_on="tomorrow"))
        self.assertEqual(garbage.status_code, 400)
        self.assertFalse(Insurance.objects.exists())

    def test_strangers_get_404_and_staff_403(self) -> None:
        self.assertEqual(
            self.send(
                "post", f"{self.child}/insurance/", self.cover(), self.p.outsider
            ).status_code,
            404,
        )
        self.assertEqual(
            self.api(self.p.other_parent).get(f"{self.child}/insurance/").status_code, 404
        )
        self.assertEqual(
            self.send(
                "post", f"{self.child}/insurance/", self.cover(), self.p.grassroots_admin
            ).status_code,
            403,
        )
        self.assertIn(Client().get(f"{self.child}/insurance/").status_code, (401, 403))
        self.assertFalse(Insurance.objects.exists())


class PickupApiTests(ApiCase):
    def test_the_parent_creates_edits_and_removes_a_pickup_person(self) -> None:
        body = {
            "child": self.p.child_one.pk,
            "name": "王奶奶",
            "relation": "奶奶",
            "mobile": "13912345678",
        }
        created = self.send("post", f"{API}/pickups/", body)
        self.assertEqual(created.status_code, 201, created.content)
        pk = created.json()["id"]
        self.send("post", f"{API}/pickups/", {**body, "name": "王爷爷", "relation": "爷爷"})
        patched = self.send("patch", f"{API}/pickups/{pk}/", {"relation": "外婆"})
        self.assertEqual(patched.json()["relation"], "外婆")
        self.assertEqual(len(self.api().get(f"{API}/pickups/").json()["results"]), 2)
        self.assertEqual(self.api().delete(f"{API}/pickups/{pk}/").status_code, 204)
        self.assertFalse(Pickup.objects.get(pk=pk).is_active)

    def test_an_invalid_mobile_is_a_400_and_nothing_saved(self) -> None:
        body = {
            "child": self.p.child_one.pk,
            "name": "王奶奶",
            "relation": "奶奶",
            "mobile": "12345",
        }
        response = self.send("post", f"{API}/pickups/", body)
        self.assertEqual(response.status_code, 400)
        self.assertIn("mobile", response.json())
        self.assertEqual(self.send("post", f"{API}/pickups/", {"child": "x"}).status_code, 400)
        self.assertFalse(Pickup.objects.exists())

    def test_another_family_s_people_are_404(self) -> None:
        pickup = pickups.pickup_add(
            actor=actor(self.p.parent),
            child=self.p.child_one,
            name="甲",
            relation="爸爸",
            mobile="13912345670",
        )
        for user in (self.p.outsider, self.p.other_parent):
            client = self.api(user)
            self.assertEqual(client.get(f"{API}/pickups/{pickup.pk}/").status_code, 404)
            self.assertEqual(client.delete(f"{API}/pickups/{pickup.pk}/").status_code, 404)
            self.assertEqual(
                client.get(f"{API}/pickups/?child={self.p.child_one.pk}").status_code, 404
            )
            body = {
                "child": self.p.child_one.pk,
                "name": "x",
                "relation": "y",
                "mobile": "13912345671",
            }
            self.assertEqual(self.send("post", f"{API}/pickups/", body, user).status_code, 404)
        self.assertEqual(self.api(self.p.other_parent).get(f"{API}/pickups/").json()["results"], [])
        self.assertIn(Client().get(f"{API}/pickups/").status_code, (401, 403))
        self.assertEqual(Pickup.objects.filter(is_active=True).count(), 1)

    def test_the_class_reads_but_cannot_change(self) -> None:
        pickup = pickups.pickup_add(
            actor=actor(self.p.parent),
            child=self.p.child_one,
            name="甲",
            relation="爸爸",
            mobile="13912345670",
        )
        carer = self.api(self.p.caregiver)
        self.assertEqual(carer.get(f"{API}/pickups/?child={self.p.child_one.pk}").status_code, 200)
        self.assertEqual(carer.delete(f"{API}/pickups/{pickup.pk}/").status_code, 403)
        pickup.refresh_from_db()
        self.assertTrue(pickup.is_active)

"""/api/v1/objections/: anyone objects without logging in; the organiser's admins answer."""

import pytest
from rest_framework.test import APIClient

from tuoguan.awards.models import NominationStatus, Objection, ObjectionStatus

from .test_notice import OBJECTION
from .test_notice import on_notice as on_notice  # the fixture

pytestmark = pytest.mark.django_db
URL = "/api/v1/objections/"


def lodge(entry, address="10.0.0.1", **changes):
    return APIClient(REMOTE_ADDR=address).post(
        URL, {"entry": entry.pk, **OBJECTION, **changes}, format="json"
    )


def logged_in(user):
    client = APIClient()
    client.force_login(user)
    return client


def test_anyone_lodges_an_objection_and_hears_back_only_that_it_was_received(on_notice):
    best, _other = on_notice
    response = lodge(best)
    assert response.status_code == 201, response.content
    assert set(response.json()) == {"id", "entry", "status", "created_at"}
    objection = Objection.objects.get()
    assert (objection.entry, objection.phone, objection.status) == (
        best, "13900001111", ObjectionStatus.OPEN
    )  # fmt: skip


def test_a_bad_objection_is_refused_with_the_reasons_and_nothing_saved(on_notice):
    best, _other = on_notice
    response = lodge(best, phone="abc")
    assert response.status_code == 400 and "phone" in response.json()
    assert lodge(best, text="短").status_code == 400
    assert not Objection.objects.exists()


def test_an_entry_not_on_notice_takes_no_objection(on_notice):
    _best, other = on_notice
    assert lodge(other).status_code == 404


def test_one_address_lodges_at_most_five_objections_an_hour_as_on_the_page(on_notice):
    best, _other = on_notice
    for i in range(5):
        assert lodge(best, phone=f"1390000{i:04d}").status_code == 201
    refused = lodge(best, phone="13911112222")
    assert refused.status_code == 400
    assert lodge(best, address="10.0.0.2", phone="13911112222").status_code == 201


def test_the_organisers_admin_lists_and_answers_the_outsider_sees_none(personas, on_notice):
    best, _other = on_notice
    pk = lodge(best).json()["id"]
    admin = logged_in(personas.province_admin)
    listed = admin.get(URL).json()
    rows = listed["results"] if isinstance(listed, dict) else listed
    assert [row["id"] for row in rows] == [pk] and rows[0]["phone"] == "13900001111"
    outsider = logged_in(personas.outsider)
    assert pk not in [row["id"] for row in outsider.get(URL).json().get("results", [])]
    assert outsider.post(f"{URL}{pk}/answer/", {}, format="json").status_code == 404
    reviewer = logged_in(personas.reviewer)
    assert reviewer.post(f"{URL}{pk}/answer/", {}, format="json").status_code == 403
    answer = {"upheld": True, "answer": "经核查属实，取消推荐。"}
    response = admin.post(f"{URL}{pk}/answer/", answer, format="json")
    assert response.status_code == 200 and response.json()["status"] == ObjectionStatus.UPHELD
    best.refresh_from_db()
    assert best.status == NominationStatus.REMOVED
    again = admin.post(f"{URL}{pk}/answer/", answer, format="json")
    assert again.status_code == 400


def test_an_answer_without_its_finding_is_refused(personas, on_notice):
    best, _other = on_notice
    pk = lodge(best).json()["id"]
    response = logged_in(personas.province_admin).post(f"{URL}{pk}/answer/", {"upheld": False})
    assert response.status_code == 400 and "answer" in response.json()
    assert Objection.objects.get(pk=pk).status == ObjectionStatus.OPEN

"""The supervision pages and API twins: visibility, the report, the glance and its export."""

import datetime
import io
import uuid

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook
from pypdf import PdfReader
from rest_framework.test import APIClient

from tuoguan.orgs.permissions import actor_for
from tuoguan.programs.tests.factories import image_upload
from tuoguan.supervision import services
from tuoguan.supervision.models import AnswerChange, Visit, VisitPhoto
from tuoguan.supervision.providers import (
    Attendance,
    register_attendance_provider,
    unregister_attendance_provider,
)

from .factories import answer_all, inspector, planned_visit, running_term, signed_visit, today

pytestmark = pytest.mark.django_db


def client(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def api(user) -> APIClient:
    c = APIClient()
    c.force_login(user)
    return c


def test_an_unannounced_visit_is_not_shown_to_the_class_before_it_starts(personas) -> None:
    p = personas
    visit = planned_visit(p, announced=False)
    detail = reverse("supervision:visit_detail", args=[visit.pk])
    for user in (p.grassroots_admin, p.caregiver):
        assert client(user).get(detail).status_code == 404
        assert api(user).get(f"/api/v1/visits/{visit.pk}/").status_code == 404
        listed = api(user).get("/api/v1/visits/").json()
        assert visit.pk not in [row["id"] for row in listed["results"]]
        page = client(user).get(reverse("supervision:visit_list"))
        assert visit.term.name not in page.content.decode()
    assert client(p.province_admin).get(detail).status_code == 200

    services.visit_start(actor=actor_for(visit.inspectors.get()), visit=visit)
    assert client(p.grassroots_admin).get(detail).status_code == 200
    assert api(p.caregiver).get(f"/api/v1/visits/{visit.pk}/").status_code == 200


def test_the_api_syncs_answers_and_photos_once_and_says_what_was_a_resend(personas) -> None:
    p = personas
    visit = planned_visit(p)
    phone = api(visit.inspectors.get())
    body = {"answers": [{"client_id": str(uuid.uuid4()), "item_key": "fire_exits", "result": "fail",
                         "notes": "堵塞", "changed_at": "2026-01-01T08:00:00+08:00"}]}  # fmt: skip
    first = phone.post(f"/api/v1/visits/{visit.pk}/answers/", body, format="json")
    again = phone.post(f"/api/v1/visits/{visit.pk}/answers/", body, format="json")
    assert first.status_code == again.status_code == 200
    assert [first.json()[0]["duplicate"], again.json()[0]["duplicate"]] == [False, True]
    assert AnswerChange.objects.filter(item__visit=visit).count() == 1
    cid = str(uuid.uuid4())
    sent = [
        phone.post(
            f"/api/v1/visits/{visit.pk}/photos/",
            {"client_id": cid, "item_key": "fire_exits", "image": image_upload()},
            format="multipart",
        )
        for _ in range(2)
    ]
    assert [r.status_code for r in sent] == [201, 200]
    assert VisitPhoto.objects.filter(visit=visit).count() == 1
    # Someone who sees the visit but is not its inspector is refused.
    refused = api(p.province_admin).post(f"/api/v1/visits/{visit.pk}/answers/", body, format="json")
    assert refused.status_code == 403


def test_the_checklist_page_shows_attendance_only_where_a_provider_measures_it(personas) -> None:
    visit = planned_visit(personas)
    url = reverse("supervision:visit_inspect", args=[visit.pk])
    user = visit.inspectors.get()
    from tuoguan.supervision import providers

    installed = list(providers._attendance)  # daily care's, registered from ready()
    providers._attendance.clear()
    try:
        assert "not yet measured" in client(user).get(url).content.decode()
    finally:
        providers._attendance.extend(installed)

    def provider(term, day):
        return Attendance(children_present=17, carers_on_duty=3)

    register_attendance_provider(provider)
    try:
        page = client(user).get(url).content.decode()
    finally:
        unregister_attendance_provider(provider)
    assert "17" in page and "not yet measured" not in page


def test_the_report_is_a_pdf_with_the_checklist_and_its_photos(personas) -> None:
    p = personas
    visit = planned_visit(p)
    user = visit.inspectors.get()
    services.visit_photo_add(
        actor=actor_for(user), visit=visit, item_key="fire_exits", client_id=uuid.uuid4(),
        image=image_upload(size=(120, 90)),
    )  # fmt: skip
    answer_all(visit, user, fail=("fire_exits",))
    services.visit_sign(
        actor=actor_for(user), visit=visit, signed_name="督导员", owner=p.grassroots_admin
    )
    response = client(p.grassroots_admin).get(reverse("supervision:visit_report", args=[visit.pk]))
    assert response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    text = "".join(page.extract_text() for page in reader.pages).replace("\x00", "")
    assert "督导检查报告" in text and "督导员" in text
    assert visit.term.program.host.name in text
    images = [image for page in reader.pages for image in page.images]
    assert len(images) == 1


def test_the_glance_counts_per_child_union_and_exports_neutralised_cells(personas) -> None:
    p = personas
    signed_visit(p, fail=("fire_exits",))
    running_term(p, name='=HYPERLINK("x")')
    response = client(p.province_admin).get(reverse("supervision:glance"))
    glance = response.context["glance"]
    (row,) = glance.rows
    assert row.org == p.city
    assert (row.planned, row.done, row.open, row.overdue) == (1, 1, 1, 0)
    assert row.findings == {"fire_safety": 1}
    assert row.never_visited == 1
    drill = client(p.province_admin).get(reverse("supervision:glance") + f"?org={p.county.pk}")
    assert [r.org for r in drill.context["glance"].rows] == [p.grassroots, p.other_grassroots]

    export = client(p.province_admin).get(reverse("supervision:glance_export"))
    sheet = load_workbook(io.BytesIO(export.content)).active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[1][0] == p.city.name and rows[1][2] == 1
    assert client(p.caregiver).get(reverse("supervision:glance")).status_code == 403


def test_exported_text_cannot_run_as_a_formula() -> None:
    from tuoguan.supervision.exports import safe_text

    assert safe_text("=SUM(A1)") == "'=SUM(A1)"
    assert safe_text("+1") == "'+1" and safe_text("-1") == "'-1" and safe_text("@x") == "'@x"
    assert safe_text("大连") == "大连"


def test_the_visit_list_costs_the_same_queries_for_many_visits(personas) -> None:
    p = personas
    user = inspector(p)
    planned_visit(p, inspectors=[user])
    c = client(p.province_admin)
    url = reverse("supervision:visit_list")
    c.get(url)
    with CaptureQueriesContext(connection) as few:
        c.get(url)
    visit = Visit.objects.get()
    for n in range(12):
        copy = Visit.objects.create(
            planner=p.province, term=visit.term, date=today() + datetime.timedelta(n)
        )
        copy.inspectors.set([user])
    with CaptureQueriesContext(connection) as many:
        c.get(url)
    assert len(many) == len(few)
    for name in ("rectification_list", "visit_calendar", "my_visits", "glance"):
        assert c.get(reverse(f"supervision:{name}")).status_code == 200


def test_the_service_worker_is_served_under_the_supervision_scope(personas) -> None:
    response = Client().get(reverse("supervision:service_worker"))
    body = response.content.decode()
    assert response["Content-Type"].startswith("application/javascript")
    assert response["Service-Worker-Allowed"] == "/supervision/"
    assert '"/static/js/inspect.js"' in body and 'addEventListener("fetch"' in body


def test_the_demo_plans_visits_and_a_suspension_once(db, settings, tmp_path) -> None:
    from tuoguan.supervision.models import Rectification

    settings.DEBUG = True
    settings.MEDIA_ROOT = str(tmp_path)
    call_command("seed_demo", stdout=io.StringIO())
    visits = Visit.objects.count()
    assert visits >= 2
    assert Visit.objects.filter(status="planned").exists()
    assert Rectification.objects.filter(suspends_checkins=True).exists()
    call_command("seed_demo", stdout=io.StringIO())
    assert Visit.objects.count() == visits

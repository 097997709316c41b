"""The rectification list and the region's glance cost the same queries for 1 row or many
(pages, the .xlsx export and the API alike)."""

import itertools

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient

from tuoguan.orgs.permissions import actor_for
from tuoguan.supervision import services

from .factories import answer_all, inspector, planned_visit, running_term

pytestmark = pytest.mark.django_db
SERIAL = itertools.count(1)


def _signed(p, user, n: int) -> None:
    """`n` visits to as many terms, each signed off with two orders (one answered)."""
    for _ in range(n):
        term = running_term(p, name=f"督导期 {next(SERIAL)}")
        visit = planned_visit(p, term, inspectors=[user])
        answer_all(visit, user, fail=("fire_exits", "fire_certificate"))
        services.visit_sign(actor=actor_for(user), visit=visit, signed_name="督导员")
        order = visit.rectifications.select_related("term__program__host").earliest("pk")
        services.rectification_answer(
            actor=actor_for(p.grassroots_admin), rectification=order, answer="已整改"
        )
        running_term(p, name=f"未督导期 {next(SERIAL)}")  # never visited


def _count(get, url) -> int:
    get(url)  # warm caches (content types, the session)
    with CaptureQueriesContext(connection) as queries:
        response = get(url)
    assert response.status_code == 200, url
    return len(queries)


URLS = [
    ("page", reverse("supervision:rectification_list") + "?state=all"),
    ("api", "/api/v1/rectifications/?state=all"),
    ("page", reverse("supervision:glance")),
    ("page", reverse("supervision:glance_export")),
    ("api", "/api/v1/visits/glance/"),
]
# The drill-down to the county (its grassroots unions) as well.
DRILL = [("page", reverse("supervision:glance") + "?org={county}"),
         ("api", "/api/v1/visits/glance/?org={county}")]  # fmt: skip


def test_the_rectification_list_and_the_glance_do_not_grow_with_rows(personas) -> None:
    p = personas
    user = inspector(p)
    page, api = Client(), APIClient()
    page.force_login(p.province_admin)
    api.force_login(p.province_admin)
    clients = {"page": page.get, "api": api.get}
    urls = [*URLS, *((kind, url.format(county=p.county.pk)) for kind, url in DRILL)]
    _signed(p, user, 1)
    few = [_count(clients[kind], url) for kind, url in urls]
    _signed(p, user, 4)
    many = [_count(clients[kind], url) for kind, url in urls]
    assert many == few, list(zip([u for _k, u in urls], few, many, strict=True))

"""Seasons of supervision: the glance's "never visited this season" and the season's plan read
a term or holiday of the school year (or custom dates), never the calendar year."""

import datetime
import io

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook
from rest_framework.test import APIClient

from tuoguan.enrolment.services import season_of as enrolment_season_of
from tuoguan.supervision.seasons import (
    SeasonKind,
    custom_season,
    season_chosen,
    season_containing,
    season_of,
)

from .factories import inspector, running_term, signed_visit, today


def test_the_fixed_seasons_tile_the_year_as_enrolment_counts_them() -> None:
    day = datetime.date(2024, 1, 1)
    while day.year < 2029:
        season = season_containing(day)
        assert season.start <= day <= season.end
        assert (season.kind, season.year) == enrolment_season_of(day)
        day += datetime.timedelta(days=1)
    assert season_of(SeasonKind.WINTER, 2028).end == datetime.date(2028, 2, 29)
    assert season_of(SeasonKind.SUMMER, 2026).label.startswith("2026 ")


def test_a_chosen_season_is_fixed_custom_or_the_current_one() -> None:
    assert season_chosen() == season_containing(today())
    summer = season_chosen("summer", 2025)
    assert (summer.start, summer.end) == (datetime.date(2025, 7, 1), datetime.date(2025, 8, 31))
    assert season_chosen("spring").year == today().year
    custom = season_chosen("custom", None, datetime.date(2026, 7, 6), datetime.date(2026, 8, 14))
    assert custom.slug == "20260706-20260814" and custom.year is None
    with pytest.raises(ValidationError):
        custom_season(datetime.date(2026, 8, 1), datetime.date(2026, 7, 1))
    with pytest.raises(ValidationError):
        custom_season(datetime.date(2026, 1, 1), datetime.date(2027, 6, 1))
    with pytest.raises(ValidationError):
        season_chosen("custom", None, datetime.date(2026, 7, 6), None)


def _get(user, url):
    c = Client()
    c.force_login(user)
    return c.get(url)


def _api(user) -> APIClient:
    c = APIClient()
    c.force_login(user)
    return c


@pytest.mark.django_db
def test_the_glance_counts_the_chosen_season_and_says_what_a_season_is(personas) -> None:
    p = personas
    signed_visit(p, fail=("fire_exits",))  # a term from three days ago, visited today
    url = reverse("supervision:glance")
    current = _get(p.province_admin, url)
    (row,) = current.context["glance"].rows
    assert current.context["glance"].season == season_containing(today())
    assert (row.planned, row.done, row.never_visited) == (1, 1, 0)
    page = current.content.decode()
    assert "1 July – 31 August" in page and current.context["glance"].season.label in page

    # Days before the visit: the term ran, nobody visited it then.
    before = {"season": "custom", "start": today() - datetime.timedelta(3),
              "end": today() - datetime.timedelta(1)}  # fmt: skip
    query = "&".join(f"{k}={v}" for k, v in before.items())
    earlier = _get(p.province_admin, f"{url}?{query}")
    (row,) = earlier.context["glance"].rows
    assert (row.planned, row.done, row.never_visited, row.open) == (0, 0, 1, 0)
    assert len(earlier.context["never"]) == 1
    assert f"season=custom&amp;start={before['start']}" in earlier.content.decode()
    long_ago = _get(p.province_admin, f"{url}?season=summer&year=2001").context["glance"]
    assert long_ago.rows[0].planned == 0 and long_ago.rows[0].never_visited == 0

    refused = _get(p.province_admin, f"{url}?season=custom&start=2026-08-01&end=2026-07-01")
    assert refused.context["form"].errors and refused.context["glance"].rows[0].planned == 1

    export = _get(p.province_admin, reverse("supervision:glance_export") + f"?{query}")
    assert f"{before['start']:%Y%m%d}" in export["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(export.content)).active
    assert sheet is not None
    assert list(sheet.iter_rows(values_only=True))[1][8] == 1  # never visited that season


@pytest.mark.django_db
def test_the_glance_api_takes_the_season_and_hides_other_provinces(personas) -> None:
    p = personas
    signed_visit(p, fail=("fire_exits",))
    start, end = today() - datetime.timedelta(3), today() - datetime.timedelta(1)
    body = (
        _api(p.reviewer).get(f"/api/v1/visits/glance/?season=custom&start={start}&end={end}").json()
    )
    assert body["season"]["kind"] == "custom" and body["season"]["start"] == start.isoformat()
    assert "1 July" in body["definition"]
    assert body["rows"][0]["never_visited"] == 1 and body["rows"][0]["planned"] == 0
    current = _api(p.province_admin).get(f"/api/v1/visits/glance/?org={p.county.pk}").json()
    assert current["season"]["kind"] == season_containing(today()).kind
    assert current["total"]["done"] == 1
    assert _api(p.outsider).get(f"/api/v1/visits/glance/?org={p.city.pk}").status_code == 404
    assert _api(p.caregiver).get("/api/v1/visits/glance/").status_code == 403
    bad = _api(p.province_admin).get("/api/v1/visits/glance/?season=custom&start=2026-08-01")
    assert bad.status_code == 400


@pytest.mark.django_db
def test_the_season_plan_takes_a_season_on_the_page_and_the_api(personas) -> None:
    p = personas
    first = running_term(p)
    inspector(p, "ln_a", name="甲")
    url = reverse("supervision:visit_plan_season")
    form = _get(p.province_admin, url)
    assert form.context["form"].fields["season"].initial == season_containing(today()).kind
    assert "1 September – 31 December" in form.content.decode()
    # A season long past plans nothing (its days are over).
    c = Client()
    c.force_login(p.province_admin)
    past = c.post(url, {"season": "summer", "year": "2001", "announced": "on"})
    assert past.context["plan"].planned == []
    end = today() + datetime.timedelta(20)
    planned = _api(p.province_admin).post(
        "/api/v1/visits/plan-season/",
        {"season": "custom", "start": today().isoformat(), "end": end.isoformat()},
        format="json",
    )
    assert planned.status_code == 200
    assert [v["term"] for v in planned.json()] == [first.pk]
    again = c.post(url, {"season": "custom", "start": today(), "end": end, "announced": "on"})
    assert again.context["plan"].planned == [] and again.context["plan"].already == [first]

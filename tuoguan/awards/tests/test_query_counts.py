"""The campaign's page and the results read a fixed number of queries, whatever the entries."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from .factories import assign, in_review, make_campaign, make_entry

pytestmark = pytest.mark.django_db


def queries(user, url) -> int:
    c = Client()
    c.force_login(user)
    c.get(url)  # warm the session and the caches
    with CaptureQueriesContext(connection) as captured:
        assert c.get(url).status_code == 200
    return len(captured)


def test_the_campaign_page_reads_as_many_queries_for_five_entries_as_for_one(personas):
    campaign = make_campaign(personas, recommend_quota=5)
    make_entry(personas, campaign, name="第一班")
    url = reverse("awards:campaign_detail", args=[campaign.pk])
    one = queries(personas.province_admin, url)
    for i in range(4):
        make_entry(personas, campaign, name=f"第{i + 2}班")
    assert queries(personas.province_admin, url) == one


def test_the_results_read_as_many_queries_for_four_entries_as_for_one(personas):
    campaign = make_campaign(personas, recommend_quota=5)
    in_review(personas, campaign, name="第一班")
    assign(personas, campaign, personas.reviewer)
    url = reverse("awards:campaign_results", args=[campaign.pk])
    one = queries(personas.province_admin, url)
    for i in range(3):
        in_review(personas, campaign, name=f"第{i + 2}班")
    assert queries(personas.province_admin, url) == one

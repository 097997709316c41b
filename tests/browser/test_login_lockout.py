"""Journey: five wrong passwords lock that account (django-axes), and only that account."""

import re

import pytest
from django.conf import settings
from django.urls import reverse
from playwright.sync_api import expect

from tuoguan.testing import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def submit_login(page, username: str, password: str):
    form = page.locator("main form:has(input[name=password])")
    form.locator("input[name=username]").fill(username)
    form.locator("input[name=password]").fill(password)
    with page.expect_navigation() as navigation:
        form.locator("[type=submit]").click()
    return navigation.value


def test_five_failed_logins_lock_the_account_but_not_a_colleague(
    page, personas, log_in, assert_accessible
):
    limit = settings.AXES_FAILURE_LIMIT
    page.goto(reverse("accounts:login"))
    assert_accessible(page, context="login page")

    for attempt in range(1, limit):
        response = submit_login(page, "gang_admin", f"wrong-{attempt}")
        assert response.status == 200
        expect(page.locator("main [role=alert]")).to_be_visible()
        if attempt == 1:
            assert_accessible(page, context="login page with an error")

    response = submit_login(page, "gang_admin", f"wrong-{limit}")
    assert response.status == 429
    expect(page.locator("h1")).to_have_text("Account locked for a while")
    expect(page.locator("main [role=alert]")).to_contain_text(f"after {limit} failed log-ins")
    assert_accessible(page, context="lockout page")

    # Even the right password is refused until the cool-off ends.
    page.goto(reverse("accounts:login"))
    response = submit_login(page, "gang_admin", PASSWORD)
    assert response.status == 429
    expect(page).to_have_url(re.compile(re.escape(reverse("accounts:login"))))

    # The lock is on the account: a colleague at the same office address still gets in.
    log_in(page, "dl_admin")
    expect(page).to_have_url(re.compile(re.escape(reverse("orgs:detail", args=[personas.city.pk]))))
    assert_accessible(page, context="the colleague's union page")

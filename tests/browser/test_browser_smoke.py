"""The browser harness itself: Chromium reaches the live server, and axe-core catches problems."""

import pytest
from django.urls import reverse

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_live_server_answers_the_browser(page):
    response = page.goto(reverse("core:healthz"))

    assert response is not None and response.ok
    assert '"status": "ok"' in page.content()


def test_assert_accessible_reports_rule_impact_and_target(page, assert_accessible):
    page.set_content(
        '<html lang="en"><head><title>t</title></head>'
        '<body><main><h1>t</h1><img src="x.png" id="no-alt"></main></body></html>'
    )

    with pytest.raises(AssertionError) as failure:
        assert_accessible(page)

    message = str(failure.value)
    assert "image-alt [critical]" in message
    assert "#no-alt" in message


def test_the_login_page_is_accessible_in_both_languages(new_page, assert_accessible):
    for locale, lang in (("zh-CN", "zh-hans"), ("en-US", "en")):
        page = new_page(locale=locale, viewport=(360, 740))
        page.goto(reverse("accounts:login"))

        assert page.locator("html").get_attribute("lang") == lang
        assert page.locator("input[name=username]").is_visible()
        assert page.locator("input[name=password]").is_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
        assert_accessible(page, context=lang)

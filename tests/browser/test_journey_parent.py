"""Journey: a parent on a small phone adds a child, with the separate consent, to their family.

360×740 is the narrowest phone the parents' pages are built for; no page may scroll sideways.
"""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from tuoguan.accounts.models import Child

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = (360, 740)
# A valid resident ID (checksum included) of a boy born on 15 June 2018.
ID_NUMBER = "110101201806151237"
ID_MASKED = "1101**********1237"


def assert_no_sideways_scroll(page) -> None:
    __tracebackhide__ = True
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE[0], f"{page.url} is {width}px wide on a {PHONE[0]}px screen"


def test_parent_on_a_phone_adds_a_child_with_separate_consent(
    new_page, personas, log_in, assert_accessible
):
    p = personas
    page = new_page(locale="zh-CN", viewport=PHONE)
    log_in(page, "13700000001")
    assert_no_sideways_scroll(page)

    # Home sends a parent straight to the family; the header link leads there as well.
    expect(page).to_have_url(re.compile(re.escape(reverse("accounts:family")) + "$"))
    page.locator(f'nav.main-nav a[href="{reverse("accounts:family")}"]').click()
    expect(page.locator("article.child-card")).to_have_count(2)
    assert_accessible(page, context="family")
    assert_no_sideways_scroll(page)

    page.locator(f'main a[href="{reverse("accounts:child_add")}"]').click()
    assert_accessible(page, context="add-child form")
    assert_no_sideways_scroll(page)

    form = page.locator("main form[method=post]")
    form.locator("input[name=name]").fill("王小三")
    form.locator("input[name=sex][value=M]").check()
    form.locator("input[name=birth_date]").fill("2018-06-15")
    form.locator("input[name=school]").fill("大连市中山区实验小学")
    form.locator("select[name=grade]").select_option("1")
    form.locator("select[name=relationship]").select_option("mother")
    form.locator("input[name=id_number]").fill(ID_NUMBER)
    consent = form.locator("input[name=consent]")
    expect(consent).not_to_be_checked()  # never pre-ticked

    # Without the separate consent the browser itself refuses to send the form...
    form.locator("[type=submit]").click()
    assert consent.evaluate("box => box.validity.valueMissing")
    expect(page).to_have_url(re.compile(re.escape(reverse("accounts:child_add")) + "$"))
    # ...and a browser that skips that check (old in-app browsers) meets the server's refusal.
    form.evaluate("f => { f.noValidate = true; }")
    form.locator("[type=submit]").click()
    expect(form.locator(".consent-box .errorlist")).to_be_visible()
    assert not Child.objects.filter(name="王小三").exists()
    assert_accessible(page, context="add-child form refused for lack of consent")
    assert_no_sideways_scroll(page)

    expect(form.locator("input[name=name]")).to_have_value("王小三")
    form.locator("input[name=id_number]").fill(ID_NUMBER)
    consent.check()
    form.locator("[type=submit]").click()

    expect(page).to_have_url(re.compile(re.escape(reverse("accounts:family")) + "$"))
    card = page.locator("article.child-card", has=page.get_by_role("heading", name="王小三"))
    expect(card).to_be_visible()
    expect(page.locator("article.child-card")).to_have_count(3)
    expect(card.locator(".id-number")).to_have_text(ID_MASKED)
    expect(card.locator(".status-ok")).to_be_visible()
    expect(page.locator("main")).not_to_contain_text(ID_NUMBER)
    assert_accessible(page, context="family with the new child")
    assert_no_sideways_scroll(page)

    child = Child.objects.get(name="王小三")
    assert child.guardian == p.parent_worker
    assert child.id_number_masked == ID_MASKED
    assert child.consents.filter(policy=p.policy).exists()

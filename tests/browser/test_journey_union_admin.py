"""Journey: a province admin finds their way through the union tree and adds a grassroots union.

The page starts in the default language (zh-hans), as the admin would see it, so selectors use
URLs and `name` attributes rather than words; the language switch is exercised at the end.
"""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from tuoguan.orgs.models import GrassrootsKind, Level, Org

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NEW_UNION = {
    "name": "大连中山区星海社区工会",
    "short_name": "星海社区",
    "region_code": "210202",
    "address": "大连市中山区星海广场1号",
    "contact_name": "刘主席",
    "contact_phone": "0411-82345678",
}


def detail(org) -> str:
    return reverse("orgs:detail", args=[org.pk])


def expand(page, org) -> None:
    """Click the "show unions below" link of `org`, which HTMX replaces with the children."""
    page.locator(f'#tree-body [hx-get="{reverse("orgs:children", args=[org.pk])}"]').click()
    expect(page.locator(f"#children-{org.pk}")).to_be_visible()


def test_province_admin_browses_the_tree_and_adds_a_grassroots_union(
    new_page, personas, log_in, assert_accessible
):
    p = personas
    page = new_page(locale="zh-CN")
    log_in(page, "ln_admin")

    # Home sends a union admin to their own union's page.
    expect(page).to_have_url(re.compile(re.escape(detail(p.province)) + "$"))
    expect(page.locator("h1")).to_have_text(p.province.name)
    assert_accessible(page, context="province page")

    page.goto(reverse("orgs:tree"))
    expect(page.locator("h1")).to_have_text(p.province.name)
    expect(page.locator(f'#tree-body a[href="{detail(p.city)}"]')).to_be_visible()
    assert_accessible(page, context="tree")

    # Expanding a node swaps its children in place, without leaving the page.
    expand(page, p.city)
    expect(page.locator(f'#children-{p.city.pk} a[href="{detail(p.county)}"]')).to_be_visible()
    expect(page).to_have_url(re.compile(re.escape(reverse("orgs:tree")) + "$"))
    assert_accessible(page, context="tree with the city expanded")

    page.locator("form[role=search] input[name=q]").fill("港集团")
    page.locator("form[role=search] [type=submit]").click()
    results = page.locator("#tree-body")
    expect(results.get_by_role("link", name=p.grassroots.name, exact=True)).to_be_visible()
    expect(results.get_by_role("link", name=p.other_grassroots.name)).to_have_count(0)
    expect(page).to_have_url(re.compile(r"[?&]q="))
    assert_accessible(page, context="search results")

    # Each result shows its path; the city in it opens the city's page.
    results.locator(f'a[href="{detail(p.city)}"]').first.click()
    expect(page.locator("h1")).to_have_text(p.city.name)
    crumbs = page.locator("nav:has(ol.breadcrumbs)")
    expect(crumbs.locator(f'a[href="{detail(p.province)}"]')).to_be_visible()
    expect(crumbs.locator("[aria-current=page]")).to_have_text(str(p.city))
    assert_accessible(page, context="city page")

    page.locator(f'main a[href="{detail(p.county)}"]').first.click()
    expect(page.locator("h1")).to_have_text(p.county.name)
    assert_accessible(page, context="county page")

    page.locator(f'main a[href="{reverse("orgs:create", args=[p.county.pk])}"]').click()
    expect(crumbs.locator(f'a[href="{detail(p.county)}"]')).to_be_visible()
    assert_accessible(page, context="add-union form")

    form = page.locator("main form[method=post]")
    for field, value in NEW_UNION.items():
        form.locator(f"[name={field}]").fill(value)
    form.locator("select[name=kind]").select_option(GrassrootsKind.COMMUNITY.value)
    form.locator("[type=submit]").click()

    created = Org.objects.get(name=NEW_UNION["name"])
    expect(page).to_have_url(re.compile(re.escape(detail(created)) + "$"))
    expect(page.locator("h1")).to_have_text(NEW_UNION["name"])
    expect(page.locator(".messages .success")).to_contain_text(NEW_UNION["name"])
    assert_accessible(page, context="new union's page")
    assert Org.objects.get_parent(created) == p.county
    assert created.level == Level.GRASSROOTS
    assert created.kind == GrassrootsKind.COMMUNITY
    assert created.contact_phone == NEW_UNION["contact_phone"]

    page.goto(reverse("orgs:tree"))
    expand(page, p.city)
    expand(page, p.county)
    expect(page.locator(f'#children-{p.county.pk} a[href="{detail(created)}"]')).to_have_text(
        NEW_UNION["name"]
    )
    assert_accessible(page, context="tree showing the new union")

    # "Log out" is translated in every catalogue (Django's own included), so it tells which
    # language really rendered even while the project's zh-hans strings are being written.
    html = page.locator("html")
    log_out = page.locator(f'header form[action="{reverse("accounts:logout")}"] button')
    expect(html).to_have_attribute("lang", "zh-hans")
    expect(log_out).not_to_have_text("Log out")
    page.locator("button[name=language][value=en]").click()
    expect(html).to_have_attribute("lang", "en")
    expect(page).to_have_url(re.compile(re.escape(reverse("orgs:tree")) + "$"))
    expect(log_out).to_have_text("Log out")
    nav = page.locator("nav.main-nav")
    expect(nav.get_by_role("link", name="Unions", exact=True)).to_be_visible()
    expect(nav.get_by_role("link", name="Audit log", exact=True)).to_be_visible()
    expect(page.locator("button[name=language][value=zh-hans]")).to_have_text("简体中文")
    assert_accessible(page, context="tree in English")

    page.locator("button[name=language][value=zh-hans]").click()
    expect(html).to_have_attribute("lang", "zh-hans")
    expect(log_out).not_to_have_text("Log out")
    expect(page.locator("button[name=language][value=en]")).to_have_text("English")
    assert_accessible(page, context="tree back in Chinese")

"""Journey: a grassroots union opens a holiday class, the city approves it, the province checks it.

The grassroots admin adds a venue, a class and a term with two groups, and submits the term;
the city admin approves it from the approval queue; the province admin finds it on the
compliance page and sees which criteria fail. axe-core runs on every page on the way.
"""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from tuoguan.programs.models import Criterion, Program, Term, TermStatus, Venue

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CLASS_NAME = "港湾暑期托管班"
VENUE = {
    "name": "港湾职工之家",
    "address": "大连市中山区港湾街1号",
    "indoor_area_m2": "60",  # too small for 40 children: the province will see it fail
    "outdoor_area_m2": "0",
    "fire_exits": "2",
    "fire_cert_number": "消验字2024-018",
    "fire_cert_expires": "2030-12-31",
}
TERM = {
    "name": "2027年暑期",
    "start_date": "2027-07-12",
    "end_date": "2027-08-13",
    "capacity": "40",
    "groups-0-name": "低年级组",
    "groups-0-capacity": "20",
    "groups-0-grade_min": "1",
    "groups-0-grade_max": "3",
    "groups-1-name": "高年级组",
    "groups-1-capacity": "20",
    "groups-1-grade_min": "4",
    "groups-1-grade_max": "6",
}


def _national_label(code: str) -> str:
    # Criteria are stored in the platform's language (zh-hans), whatever the reader's.
    return Criterion.objects.get(standard__org__depth=1, code=code).label


def area_label() -> str:
    return _national_label("indoor_area_total")


def carers_label() -> str:
    return _national_label("carer_ratio")


def post_form(page):  # type: ignore[no-untyped-def]
    return page.locator("main form[method=post]").last


def test_a_holiday_class_is_opened_approved_and_checked(
    new_page, personas, log_in, assert_accessible
):
    p = personas

    # --- The grassroots admin: a venue, a class, a term with two groups; submit. ----------
    page = new_page()
    log_in(page, "gang_admin")
    page.locator(f'nav.main-nav a[href="{reverse("programs:list")}"]').click()
    expect(page.locator("h1")).to_have_text("Classes")
    assert_accessible(page, context="class list")

    page.locator(f'main a[href="{reverse("programs:venue_list")}"]').click()
    assert_accessible(page, context="venue list")
    page.locator(f'main a[href="{reverse("programs:venue_create")}"]').click()
    assert_accessible(page, context="venue form")
    form = post_form(page)
    for field, value in VENUE.items():
        form.locator(f"[name={field}]").fill(value)
    form.locator("[type=submit]").click()
    venue = Venue.objects.get(name=VENUE["name"])
    expect(page).to_have_url(
        re.compile(re.escape(reverse("programs:venue_detail", args=[venue.pk])))
    )
    assert_accessible(page, context="venue page")

    page.goto(reverse("programs:list"))
    page.locator(f'main a[href="{reverse("programs:create")}"]').click()
    assert_accessible(page, context="class form")
    form = post_form(page)
    form.locator("[name=name]").fill(CLASS_NAME)
    form.locator("select[name=type]").select_option("holiday")
    form.locator("input[name=target_groups][value=dual_worker]").check()
    form.locator("[type=submit]").click()
    program = Program.objects.get(name=CLASS_NAME)
    assert program.host == p.grassroots
    expect(page.locator("h1")).to_have_text(CLASS_NAME)
    assert_accessible(page, context="class page")

    page.locator(f'main a[href="{reverse("programs:term_create", args=[program.pk])}"]').click()
    assert_accessible(page, context="term form")
    form = post_form(page)
    for field, value in TERM.items():
        form.locator(f"[name='{field}']").fill(value)
    form.locator("select[name=venue]").select_option(str(venue.pk))
    form.locator("[type=submit]").click()
    term = Term.objects.get(program=program)
    term_url = reverse("programs:term_detail", args=[term.pk])
    expect(page).to_have_url(re.compile(re.escape(term_url) + "$"))
    assert list(term.groups.values_list("name", flat=True)) == ["低年级组", "高年级组"]
    expect(page.locator("#care-days")).to_contain_text("calendar not announced")
    assert_accessible(page, context="term page")

    # A Saturday outing, added by hand; HTMX swaps the calendar in place.
    days = page.locator("#care-days form")
    days.locator("[name=date]").fill("2027-07-17")
    days.locator("select[name=action]").select_option("add")
    days.locator("[type=submit]").click()
    expect(page.locator("#care-days")).to_contain_text("Care days updated.")
    assert term.days.get(date="2027-07-17").is_care_day
    assert_accessible(page, context="term page after a day was added")

    page.locator(f'form[action="{reverse("programs:term_submit", args=[term.pk])}"] button').click()
    expect(page.locator(".messages")).to_contain_text("submitted for approval")
    term.refresh_from_db()
    assert term.status == TermStatus.SUBMITTED

    # --- The city admin approves it from the queue. ------------------------------------------
    city = new_page()
    log_in(city, "dl_admin")
    city.locator(f'nav.main-nav a[href="{reverse("programs:approvals")}"]').click()
    row = city.locator("main tr", has_text=CLASS_NAME)
    expect(row).to_be_visible()
    assert_accessible(city, context="approval queue")
    # The queue names what fails; approving all the same asks for a confirmation and a note.
    expect(row).to_contain_text("Non-compliant")
    expect(row).to_contain_text(area_label())
    row.locator(f'a[href^="{reverse("programs:term_approve", args=[term.pk])}"]').click()
    expect(city.locator("main")).to_contain_text(area_label())
    assert_accessible(city, context="approval confirmation")
    city.locator("[name=confirm_failures]").check()
    city.locator("[name=note]").fill("场地扩建已立项，开班前复核")
    city.locator("main form[method=post] button[type=submit]").click()
    expect(city.locator(".messages")).to_contain_text("Term approved.")
    expect(city.locator("main")).to_contain_text("Nothing awaits your approval.")
    term.refresh_from_db()
    assert term.status == TermStatus.APPROVED
    assert term.decided_by == p.city_admin
    assert term.approval_note == "场地扩建已立项，开班前复核"
    assert term.approved_despite

    # --- The province admin finds it among the terms that fail the standard. ----------------
    province = new_page()
    log_in(province, "ln_admin")
    province.locator(f'nav.main-nav a[href="{reverse("programs:compliance")}"]').click()
    row = province.locator("main tr", has_text=CLASS_NAME)
    expect(row).to_contain_text("Non-compliant")
    expect(row).to_contain_text(area_label())
    assert_accessible(province, context="subtree compliance")
    row.locator(f'a[href="{reverse("programs:term_compliance", args=[term.pk])}"]').click()
    main = province.locator("main")
    expect(main).to_contain_text("Non-compliant")
    area = main.locator("tr", has_text=area_label())
    expect(area.locator(".status-err")).to_contain_text("Fail")
    expect(area).to_contain_text("60 m² indoors (at least 80 m²).")
    carers = main.locator("tr", has_text=carers_label())
    expect(carers.locator(".status-err")).to_contain_text("Fail")
    expect(main.locator("tr", has_text=_national_label("proc_pickup"))).to_contain_text("Pending")
    assert_accessible(province, context="term compliance")

    province.locator(f'nav.main-nav a[href="{reverse("programs:standard_list")}"]').click()
    expect(province.locator("main")).to_contain_text("has no standard of its own")
    assert_accessible(province, context="standards")
    province.locator("main table a").first.click()
    assert_accessible(province, context="standard page")
    province.goto(reverse("programs:calendar") + "?year=2027")
    expect(province.locator("main")).to_contain_text("Not announced yet")
    assert_accessible(province, context="calendar 2027")

"""Journey: a parent on a small phone applies for a class, completes the paperwork, and the
place turns "Confirmed"; the class manager watches the child's roster row turn complete.

The term is built through the real services (first come, first served, applications open
now, a risk notice so every paperwork item is asked for); everything the parent does goes
through the pages. 360×740 is the narrowest phone the parents' pages are built for; no page
may scroll sideways, and axe-core runs after every navigation.
"""

import datetime
import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from tuoguan.enrolment.models import (
    Agreement,
    Enrolment,
    EnrolmentStatus,
    HealthNote,
    Insurance,
    Pickup,
    RiskNoticeAck,
)
from tuoguan.enrolment.tests.allocation_support import open_term
from tuoguan.programs.tests.factories import make_program

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = (360, 740)
DAY = datetime.timedelta(days=1)
RISK_NOTICE = "户外活动可能发生擦伤，请家长知悉并提醒孩子注意安全。"


def assert_no_sideways_scroll(page) -> None:  # type: ignore[no-untyped-def]
    __tracebackhide__ = True
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE[0], f"{page.url} is {width}px wide on a {PHONE[0]}px screen"


def url_is(name: str, *args: int):  # type: ignore[no-untyped-def]
    return re.compile(re.escape(reverse(name, args=args)) + r"(\?.*)?$")


def test_parent_on_a_phone_applies_completes_paperwork_and_is_confirmed(
    new_page, personas, log_in, assert_accessible
):
    p = personas
    program = make_program(p, name="港湾暑期托管班", risk_notice=RISK_NOTICE)
    term = open_term(p, program=program, capacity=10)
    child = p.child_one

    def check(page, context: str) -> None:  # type: ignore[no-untyped-def]
        assert_accessible(page, context=context)
        assert_no_sideways_scroll(page)

    # --- Apply --------------------------------------------------------------------------------
    phone = new_page(viewport=PHONE)
    log_in(phone, "13700000001")
    phone.locator(f'nav.main-nav a[href="{reverse("enrolment:terms_open")}"]').click()
    expect(phone.locator("h1")).to_have_text("Classes open for applications")
    card = phone.locator("article.card", has_text=program.name)
    expect(card).to_contain_text("10 places left")
    check(phone, "open terms")

    card.get_by_role("link", name="Apply").click()
    expect(phone).to_have_url(url_is("enrolment:apply", term.pk))
    check(phone, "application form")
    form = phone.locator("main form[method=post]")
    form.get_by_label(child.name).check()
    form.get_by_role("button", name="Send the application").click()

    expect(phone.locator("h1")).to_have_text("Application sent")
    outcome = phone.locator("li.card", has_text=child.name)
    expect(outcome).to_contain_text("Admitted: a place is yours.")
    check(phone, "application sent")
    enrolment = Enrolment.objects.get(term=term, child=child)
    assert enrolment.status == EnrolmentStatus.ADMITTED
    assert not Enrolment.objects.filter(term=term, child=p.child_two).exists()

    # The class manager sees the new row, admitted, with the paperwork still missing.
    desk = new_page()
    log_in(desk, "gang_admin")
    desk.locator(f'nav.main-nav a[href="{reverse("enrolment:roster_terms")}"]').click()
    assert_accessible(desk, context="roster terms")
    desk.locator(f'main a[href="{reverse("enrolment:roster", args=[term.pk])}"]').click()
    row = desk.locator("#roster-table tbody tr", has_text=child.name)
    expect(row).to_contain_text("Admitted, paperwork missing")
    expect(row.locator(".status-err")).to_have_count(5)  # all but the consent
    assert_accessible(desk, context="roster, paperwork missing")

    # --- Paperwork ----------------------------------------------------------------------------
    outcome.get_by_role("link", name="Complete the paperwork").click()
    paperwork_url = url_is("enrolment:paperwork", enrolment.pk)
    expect(phone).to_have_url(paperwork_url)
    expect(phone.locator("#checklist")).to_contain_text("5 items are missing.")
    expect(phone.locator("#item-consent .status-ok")).to_contain_text("Done")
    check(phone, "paperwork checklist")

    def open_item(key: str) -> None:
        phone.locator(f"#item-{key}").get_by_role("link", name="Complete now").click()

    # The care agreement (the national default), signed with the parent's real name.
    open_item("agreement")
    expect(phone).to_have_url(url_is("enrolment:agreement_sign", enrolment.pk))
    expect(phone.locator(".policy-text")).to_contain_text(child.name)
    check(phone, "agreement")
    form = phone.locator("main form[method=post]")
    form.get_by_label("Your real name").fill(p.parent.real_name)
    # The box is the legal text's own sentence, in Chinese whatever the interface language.
    form.get_by_label("我已阅读并同意本协议。").check()
    form.get_by_role("button", name="Sign the agreement").click()
    expect(phone).to_have_url(paperwork_url)
    expect(phone.locator(".messages")).to_contain_text("the agreement is signed")
    expect(phone.locator("#item-agreement .status-ok")).to_contain_text("Done")
    check(phone, "checklist after signing")
    assert Agreement.objects.get(enrolment=enrolment).signer_name == p.parent.real_name

    # Accident insurance covering the whole term (the photo is optional).
    open_item("insurance")
    expect(phone).to_have_url(url_is("enrolment:insurance_add", child.pk))
    check(phone, "insurance form")
    form = phone.locator("main form[method=post]")
    form.get_by_label("Insurance company").fill("中国人寿")
    form.get_by_label("Policy number").fill("GL-2026-0001")
    form.get_by_label("Cover starts").fill((term.start_date - DAY).isoformat())
    form.get_by_label("Cover ends").fill((term.end_date + 30 * DAY).isoformat())
    form.get_by_role("button", name="Save the cover").click()
    expect(phone).to_have_url(paperwork_url)
    expect(phone.locator("#item-insurance .status-ok")).to_contain_text("Done")
    check(phone, "checklist after insurance")
    assert Insurance.objects.get(child=child).policy_number == "GL-2026-0001"

    # A pickup person: the list first, then the form, then back to the checklist.
    open_item("pickup")
    expect(phone).to_have_url(url_is("enrolment:pickup_list", child.pk))
    expect(phone.locator("main")).to_contain_text("Nobody has been named yet")
    check(phone, "pickup list")
    phone.get_by_role("link", name="Add a person").click()
    expect(phone).to_have_url(url_is("enrolment:pickup_add", child.pk))
    check(phone, "pickup form")
    form = phone.locator("main form[method=post]")
    form.locator("input[name=name]").fill("王奶奶")
    form.get_by_label("Relation to the child").fill("奶奶")
    form.get_by_label("Mobile number").fill("13912345678")
    form.get_by_role("button", name="Save").click()
    expect(phone).to_have_url(paperwork_url)
    expect(phone.locator("#item-pickup .status-ok")).to_contain_text("Done")
    check(phone, "checklist after pickup")
    assert Pickup.objects.filter(child=child, name="王奶奶", is_active=True).exists()

    # The health note, declared.
    open_item("health")
    expect(phone).to_have_url(url_is("enrolment:health_edit", enrolment.pk))
    check(phone, "health note form")
    form = phone.locator("main form[method=post]")
    form.get_by_label("Allergies").fill("花生")
    form.get_by_label("I declare that this health note is true and complete.").check()
    form.get_by_role("button", name="Save and declare").click()
    expect(phone).to_have_url(paperwork_url)
    expect(phone.locator("#item-health .status-ok")).to_contain_text("Done")
    check(phone, "checklist after the health note")
    assert HealthNote.objects.get(enrolment=enrolment).declared
    enrolment.refresh_from_db()
    assert enrolment.status == EnrolmentStatus.ADMITTED  # the risk notice is still missing

    # The class's risk notice, acknowledged: the last item.
    open_item("risk_notice")
    expect(phone).to_have_url(url_is("enrolment:risk_ack", enrolment.pk))
    expect(phone.locator(".policy-text")).to_contain_text(RISK_NOTICE)
    check(phone, "risk notice")
    form = phone.locator("main form[method=post]")
    form.get_by_label("I have read the risk notice and I understand it.").check()
    form.get_by_role("button", name="Acknowledge").click()

    # --- Confirmed ----------------------------------------------------------------------------
    expect(phone).to_have_url(paperwork_url)
    expect(phone.locator("#checklist")).to_contain_text("All the paperwork is complete.")
    expect(phone.locator("#checklist .status-err")).to_have_count(0)
    expect(phone.locator("main dl.facts strong")).to_have_text("Confirmed")
    check(phone, "checklist complete")
    assert RiskNoticeAck.objects.filter(enrolment=enrolment).exists()
    enrolment.refresh_from_db()
    assert enrolment.status == EnrolmentStatus.CONFIRMED

    phone.get_by_role("navigation", name="Breadcrumbs").get_by_role(
        "link", name="My applications"
    ).click()
    expect(phone).to_have_url(url_is("enrolment:my_enrolments"))
    mine = phone.locator(f"#enrolment-{enrolment.pk}")
    expect(mine.locator("strong.status-ok")).to_have_text("Confirmed")
    check(phone, "my applications")

    # --- The class manager sees the row turn complete ----------------------------------------
    desk.reload()
    row = desk.locator("#roster-table tbody tr", has_text=child.name)
    expect(row).to_contain_text("Confirmed")
    expect(row.locator(".status-err")).to_have_count(0)
    expect(row.locator(".status-ok")).to_have_count(6)  # every item, the risk notice included
    assert_accessible(desk, context="roster, paperwork complete")

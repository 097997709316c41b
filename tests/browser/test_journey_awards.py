"""Journey: a provincial campaign from its opening to its grants, through the pages.

The province admin opens the campaign; the grassroots admin enters its class; the city
recommends it; the reviewer scores it on a phone (360 px, no sideways scroll); the admin
publishes the notice; someone objects on the public page and the admin answers; after the
notice the admin designates, creates the grants in one step, and the budget shows them
committed. axe-core runs on each page. The class's live facts (attendance, papers…) are
stood in by the awards factories' `facts()`, as the daily-care apps would give them.
"""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from tuoguan.awards.models import Campaign, Designation, Nomination, Objection, ObjectionStatus
from tuoguan.awards.tests.factories import actor, assign, facts, make_campaign
from tuoguan.funds import services as funds
from tuoguan.funds.models import BudgetSource, Grant
from tuoguan.programs.tests.factories import make_program, make_term

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PHONE = (360, 740)
NO_SIDEWAYS = "document.documentElement.scrollWidth <= document.documentElement.clientWidth"


def submit(page):
    with page.expect_navigation():
        page.locator("main form [type=submit]").last.click()


def press(page, url_name, campaign):
    """Click the campaign page's button whose form posts to `url_name`."""
    action = reverse(url_name, args=[campaign.pk])
    with page.expect_navigation():
        page.locator(f"main form[action='{action}'] [type=submit]").click()


def test_a_campaign_runs_from_opening_to_its_grants_committed_in_the_budget(
    new_page, personas, log_in, assert_accessible
):
    year = timezone.localdate().year
    campaign = make_campaign(personas, opened=False, year=year)
    assign(personas, campaign, personas.reviewer)
    term = make_term(personas, program=make_program(personas, name="慧成长动力营"))
    funds.budget_add(
        actor=actor(personas.province_admin), org=personas.province, year=year,
        source=BudgetSource.UNION_FUNDS, amount_fen=10_000_000, note="托管专项资金",
    )  # fmt: skip

    with facts():
        admin = new_page(locale="zh-CN")
        log_in(admin, "ln_admin")
        admin.goto(reverse("awards:campaign_detail", args=[campaign.pk]))
        assert_accessible(admin, context="campaign, draft")
        press(admin, "awards:campaign_open", campaign)
        assert_accessible(admin, context="campaign, open")

        grassroots = new_page(locale="zh-CN")
        log_in(grassroots, "gang_admin")
        grassroots.goto(reverse("awards:entry_create", args=[campaign.pk]))
        assert_accessible(grassroots, context="entry form")
        grassroots.locator("select[name=term]").select_option(str(term.pk))
        grassroots.locator("textarea[name=answer_0]").fill("依托职工之家，开设作业辅导和非遗手工。")
        grassroots.locator("input[name=video_url]").fill("https://v.example.cn/demo")
        submit(grassroots)
        entry = Nomination.objects.get(campaign=campaign)
        assert_accessible(grassroots, context="entry sent")

        city = new_page(locale="zh-CN")
        log_in(city, "dl_admin")
        city.goto(reverse("awards:entry_decide", args=[entry.pk]))
        assert_accessible(city, context="decision form")
        city.locator("input[name=recommend][value=yes]").check()
        city.locator("input[name=note]").fill("择优推荐")
        submit(city)
        entry.refresh_from_db()
        assert entry.status == "in_review"

        admin.goto(reverse("awards:campaign_detail", args=[campaign.pk]))
        press(admin, "awards:campaign_start_review", campaign)
        assert_accessible(admin, context="campaign, under review")

        reviewer = new_page(locale="zh-CN", viewport=PHONE)
        log_in(reviewer, "ln_reviewer")
        reviewer.goto(reverse("awards:entry_score", args=[entry.pk]))
        assert_accessible(reviewer, context="score form on a phone")
        assert reviewer.evaluate(NO_SIDEWAYS)
        for item in campaign.rubric.all():
            reviewer.locator(f"input[name=item_{item.pk}]").fill(str(item.points - 2))
        submit(reviewer)
        assert_accessible(reviewer, context="scored, on a phone")
        assert reviewer.evaluate(NO_SIDEWAYS)

        admin.goto(reverse("awards:campaign_detail", args=[campaign.pk]))
        press(admin, "awards:campaign_publish_notice", campaign)
        assert_accessible(admin, context="campaign on notice")

    anyone = new_page(locale="zh-CN", viewport=PHONE)
    anyone.goto(reverse("awards:notice", args=[campaign.pk]))
    assert_accessible(anyone, context="public notice")
    expect(anyone.locator("main")).to_contain_text("慧成长动力营")
    with anyone.expect_navigation():
        anyone.locator(f"a[href='{reverse('awards:objection_create', args=[entry.pk])}']").click()
    assert_accessible(anyone, context="objection form")
    anyone.locator("input[name=name]").fill("王职工")
    anyone.locator("input[name=phone]").fill("13900001111")
    anyone.locator("textarea[name=text]").fill("该班实际托管人数是否足二十人，请核实。")
    submit(anyone)
    objection = Objection.objects.get()

    admin.goto(reverse("awards:objection_answer", args=[objection.pk]))
    assert_accessible(admin, context="answer an objection")
    admin.locator("input[name=upheld][value=no]").check()
    admin.locator("textarea[name=answer]").fill("经实地核查，托管人数为二十五人，异议不成立。")
    submit(admin)
    objection.refresh_from_db()
    assert objection.status == ObjectionStatus.DISMISSED
    assert_accessible(admin, context="objections answered")

    # As if the notice period had run out.
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    Campaign.objects.filter(pk=campaign.pk).update(
        notice_starts=yesterday - datetime.timedelta(days=6), notice_ends=yesterday
    )
    admin.goto(reverse("awards:campaign_detail", args=[campaign.pk]))
    press(admin, "awards:campaign_designate", campaign)
    assert_accessible(admin, context="designated")
    designation = Designation.objects.get(campaign=campaign)
    assert designation.program_id == term.program_id

    admin.goto(reverse("funds:designation_grants"))
    assert_accessible(admin, context="designation grants")
    admin.locator("select[name=campaign]").select_option(f"c{campaign.pk}")
    admin.locator("input[name=year]").fill(str(year))
    submit(admin)
    main = admin.locator("main")
    expect(main).to_contain_text("30,000.00")  # committed: the one grant
    expect(main).to_contain_text("70,000.00")  # what remains of 100,000 yuan
    assert_accessible(admin, context="budget with the grant")
    assert Grant.objects.get().designation_id == designation.pk

"""The needs survey's charts on a phone (360 px) and a desktop (1366 px): each chart fills its
box, and every axis label is shown whole (wrapped or turned, never cut off), inside the chart,
without running into its neighbours."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from tuoguan.enrolment.tests.survey_helpers import answer, make_survey, make_worker
from tuoguan.orgs import services as orgs
from tuoguan.orgs.models import GrassrootsKind, Level

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LONG_UNITS = ("大连港集团有限公司第二集装箱码头分公司工会", "大连市中山区人民医院急诊科工会委员会")

# Every chart: its box, its SVG, and each text the SVG draws, with their boxes.
MEASURE = """() => [...document.querySelectorAll('.chart')].map(node => {
  const box = node.getBoundingClientRect();
  const svg = node.querySelector('svg');
  const chart = window.echarts.getInstanceByDom(node);
  const option = chart.getOption();
  const category = option.xAxis[0].type === 'category' ? option.xAxis[0] : option.yAxis[0];
  return {
    id: node.id,
    box: {top: box.top, bottom: box.bottom, left: box.left, right: box.right,
          height: box.height, width: box.width},
    svg: svg && {height: svg.getBoundingClientRect().height,
                 width: svg.getBoundingClientRect().width},
    labels: category.data.map(String),
    rotate: category.axisLabel.rotate || 0,
    text: [...svg.querySelectorAll('text')].map(t => t.textContent).join(''),
    texts: [...svg.querySelectorAll('text')].map(t => {
      const r = t.getBoundingClientRect();
      return {text: t.textContent, top: r.top, bottom: r.bottom, left: r.left, right: r.right};
    }),
  };
})"""


def _overlap(a: dict, b: dict) -> float:
    width = min(a["right"], b["right"]) - max(a["left"], b["left"])
    height = min(a["bottom"], b["bottom"]) - max(a["top"], b["top"])
    return max(width, 0) * max(height, 0)


@pytest.fixture
def survey(personas):
    p = personas
    survey = make_survey(p)
    answer(p.parent, survey, children=[{"age": 8, "grade": 2}, {"age": 6, "grade": 0}])
    for n, name in enumerate(LONG_UNITS):
        unit = orgs.org_create(
            actor=None,
            parent=p.city,
            name=name,
            short_name=name[:4],
            level=Level.GRASSROOTS,
            kind=GrassrootsKind.ENTERPRISE,
            region_code="210202",
        )
        worker = make_worker(unit, 70 + n)
        answer(worker.user, survey, wanted_types=["holiday", "after_school"], hours="morning")
    return survey


@pytest.mark.parametrize("viewport", [(360, 740), (1366, 900)], ids=["phone", "desktop"])
def test_every_chart_fills_its_box_with_whole_readable_labels(
    new_page, personas, log_in, assert_accessible, survey, viewport
):
    page = new_page(locale="zh-CN", viewport=viewport)
    log_in(page, "dl_admin")
    page.goto(reverse("enrolment:survey_detail", args=[survey.pk]))
    expect(page.locator("#chart-units svg")).to_be_visible()
    page.wait_for_function("document.querySelectorAll('.chart svg text').length > 20")
    assert_accessible(page, context=f"survey charts at {viewport[0]} px")
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport[0]

    charts = page.evaluate(MEASURE)
    assert {c["id"] for c in charts} >= {"chart-types", "chart-grades", "chart-units"}
    for chart in charts:
        where = f"{chart['id']} at {viewport[0]} px"
        assert chart["svg"], where
        # The drawing takes the whole box: no band left empty below or beside it.
        assert abs(chart["svg"]["height"] - chart["box"]["height"]) <= 2, where
        assert abs(chart["svg"]["width"] - chart["box"]["width"]) <= 2, where
        # Every label whole, never cut off with an ellipsis.
        assert "…" not in chart["text"] and "..." not in chart["text"], where
        drawn = "".join(chart["text"].split())
        for label in chart["labels"]:
            assert "".join(label.split()) in drawn, f"{where}: {label!r} is not shown whole"
        box = chart["box"]
        for text in chart["texts"]:
            assert text["left"] >= box["left"] - 1 and text["right"] <= box["right"] + 1, (
                f"{where}: {text['text']!r} runs out of the chart"
            )
            assert text["top"] >= box["top"] - 1 and text["bottom"] <= box["bottom"] + 1, (
                f"{where}: {text['text']!r} runs out of the chart"
            )
        if not chart["rotate"]:
            texts = chart["texts"]
            for i, a in enumerate(texts):
                for b in texts[i + 1 :]:
                    assert _overlap(a, b) < 1, f"{where}: {a['text']!r} covers {b['text']!r}"

    units = next(c for c in charts if c["id"] == "chart-units")
    if viewport[0] == 360:
        assert units["rotate"] > 0, "long union names are turned on a phone"

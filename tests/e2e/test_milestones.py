"""The milestones page in a real browser: timeline, filters in the address, safe links."""

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import (
    exceptions_shown,
    screenshot,
    share_link,
    signed_in,
    wait_until_rendered,
)

pytestmark = pytest.mark.e2e


def main_text(page) -> str:
    return page.locator("[data-testid=stMain]").inner_text()


def open_milestones(page, server, query: str = "") -> None:
    page.goto(signed_in(f"{server}/milestones{query}"))
    wait_until_rendered(page)


def full_screenshot(page, name: str) -> None:
    """The whole page: Streamlit scrolls inside its main element, so grow the viewport."""
    height = page.evaluate("() => document.querySelector('[data-testid=stMain]').scrollHeight")
    page.set_viewport_size({"width": 1400, "height": max(1000, height + 50)})
    page.wait_for_timeout(800)
    screenshot(page, name)


def test_milestones_page_shows_the_timeline_counts_and_achieved_list(server, page):
    open_milestones(page, server)
    assert exceptions_shown(page) == []
    body = main_text(page)
    assert "Advocacy milestones" in body
    assert "26 of 29 due" in body
    assert "What the achieved milestones led to" in body
    # Two Vega-Lite charts, drawn, and no plotly: its script costs a second of every load.
    assert page.locator("[data-testid=stPlotlyChart]").count() == 0
    charts = page.locator("[data-testid=stVegaLiteChart]")
    assert charts.count() == 2
    timeline = charts.first.locator("svg.marks")
    words = timeline.inner_html()
    assert "Reporting date 30 Jun 2022" in words
    assert "OVERDUE 149 days" in words
    assert "1 Inception · Community" in words  # the heading of a stage and level
    # The legend: each mark drawn beside its name, the name without the symbol again.
    legend = timeline.evaluate(
        "(svg) => Array.from(svg.querySelectorAll('.role-legend-label text'))"
        ".map(t => t.textContent)"
    )
    assert "Planned date" in legend and "Overdue at the reporting date" in legend, legend
    assert not [name for name in legend if name[:1] in "○●◆▶✕"]
    assert "Jul 2022" in words  # the axis's quarters
    # Every text is inside the picture: "OVERDUE n days", drawn past the plot, is not cut off.
    inside = page.evaluate(
        """(svg) => { const box = svg.getBoundingClientRect();
        return Array.from(svg.querySelectorAll('text')).every(t => {
          const r = t.getBoundingClientRect();
          return r.width === 0 || (r.left >= box.left - 1 && r.right <= box.right + 1); }); }""",
        timeline.element_handle(),
    )
    assert inside, "a text of the timeline runs out of its picture"
    per_quarter = charts.nth(1).locator("svg.marks")
    assert overlapping_words(per_quarter) == []
    full_screenshot(page, "milestones-full")


# Pairs of a chart's drawn texts whose boxes overlap by more than a pixel each way.
OVERLAPPING = """(svg) => {
  const boxes = Array.from(svg.querySelectorAll('text'))
    .map(t => [t.textContent, t.getBoundingClientRect()]).filter(([, r]) => r.width > 0);
  const found = [];
  boxes.forEach(([a, r], i) => boxes.slice(i + 1).forEach(([b, q]) => {
    if (Math.min(r.right, q.right) - Math.max(r.left, q.left) > 1
        && Math.min(r.bottom, q.bottom) - Math.max(r.top, q.top) > 1) found.push(a + ' / ' + b);
  }));
  return found; }"""


def overlapping_words(chart) -> list[str]:
    return chart.evaluate(OVERLAPPING)


@pytest.mark.parametrize(("lang", "width"), [("ru", 1400), ("uz", 1400), ("ru", 1000)])
def test_the_charts_words_do_not_run_into_each_other_or_the_reporting_line(
    server, page, lang, width
):
    """In Russian the per-quarter counts ran into each other ("7 (с опозданием: 6)") and the
    reporting date's dashed line ran through two "опоздание 7 дней" on the timeline. At
    1,000 pixels the rows' names left the dates 120-150 pixels."""
    page.set_viewport_size({"width": width, "height": 1000})
    open_milestones(page, server, f"?lang={lang}")
    charts = page.locator("[data-testid=stVegaLiteChart]")
    charts.nth(1).scroll_into_view_if_needed()
    page.wait_for_timeout(500)
    per_quarter = charts.nth(1).locator("svg.marks")
    assert overlapping_words(per_quarter) == []
    # How many were late, inside the dashed parts: 2021Q3's 6 of 7, as a word of its own.
    words = per_quarter.evaluate(
        "(svg) => Array.from(svg.querySelectorAll('text')).map(t => t.textContent.trim())"
    )
    assert "6" in words
    timeline = charts.first.locator("svg.marks")
    crossed = timeline.evaluate(
        """(svg) => {
          const line = Array.from(svg.querySelectorAll('line, path')).map(
            e => [e, e.getBoundingClientRect()]).filter(([e, r]) =>
            (e.getAttribute('stroke-dasharray') || '').startsWith('6') && r.height > 200);
          if (!line.length) return ['no reporting line'];
          const x = line[0][1].left + line[0][1].width / 2;
          return Array.from(svg.querySelectorAll('text')).filter(t => {
            const r = t.getBoundingClientRect();
            return r.width > 0 && r.top >= line[0][1].top && r.bottom <= line[0][1].bottom
              && r.left < x - 1 && r.right > x + 1;
          }).map(t => t.textContent); }"""
    )
    assert crossed == []
    # The dates get at least half the chart's width, the rows' names the rest.
    plot = timeline.evaluate(
        """(svg) => { const bands = Array.from(svg.querySelectorAll('path, rect'))
          .map(e => e.getBoundingClientRect()).filter(r => r.height > 10 && r.height < 30);
          return Math.max(...bands.map(r => r.width)); }"""
    )
    assert plot >= 0.45 * timeline.bounding_box()["width"], plot


def test_the_timeline_tells_a_milestone_in_its_tooltip(server, page):
    open_milestones(page, server)
    timeline = page.locator("[data-testid=stVegaLiteChart]").first
    timeline.scroll_into_view_if_needed()
    # The ▶ of M-23, overdue 149 days (Vega names each mark for screen readers by its fields).
    mark = timeline.locator("path[aria-label*='Status: ▶ Overdue by 149 days']").last
    mark.hover()
    tooltip = page.locator("#vg-tooltip-element")
    tooltip.wait_for(state="visible")
    text = tooltip.inner_text()
    assert text.startswith("M-23 ")  # the milestone's name as the tooltip's heading
    assert "Status" in text and "▶ Overdue by 149 days" in text
    assert "Planned" in text and "Achieved" in text and "Indicator" in text
    screenshot(page, "milestones-tooltip")


def test_a_screen_reader_finds_every_mark_of_the_timeline_named(server, page):
    """Every mark of the timeline a screen reader reaches has a name in words: a milestone's
    marks its name, status and dates, a heading its stage and level; none reads "row: "."""
    open_milestones(page, server)
    timeline = page.locator("[data-testid=stVegaLiteChart]").first.locator("svg.marks")
    names = timeline.evaluate(
        "svg => Array.from(svg.querySelectorAll('[role=graphics-symbol]'))"
        ".map(e => e.getAttribute('aria-label') || '')"
    )
    marks = [n for n in names if n.startswith(("○", "●", "◆", "▶", "✕"))]
    assert len(marks) >= 31  # every milestone's planned date, and its status's mark
    assert all("; Status: " in n and "; Planned: " in n for n in marks)
    assert "1 Inception · Community" in names  # a heading, by its words
    assert "Reporting date 30 Jun 2022" in names
    blank = [n for n in names if not n.replace("\u200b", "").strip() or n.startswith("row:")]
    assert blank == []
    assert not [n for n in names if n.startswith("Y-axis")]  # its headings' labels are empty
    axes = timeline.evaluate(
        "svg => Array.from(svg.querySelectorAll('[aria-roledescription=axis],"
        "[aria-roledescription=legend]')).map(e => e.getAttribute('aria-label'))"
    )
    assert "Dates from December 2020 to July 2022" in axes
    assert any(a.startswith("Marks: ○ Planned date; ● Achieved on time") for a in axes)


def test_a_filter_from_the_address_narrows_the_page_and_stays_in_the_url(server, page):
    open_milestones(page, server, "?level=National&status=Overdue&stage=Bogus")
    assert exceptions_shown(page) == []
    body = main_text(page)
    assert "Bogus" in body and "it was ignored" in body
    assert "0 of 1 due" in body  # national and overdue: M-30 only
    assert "level=National" in page.url
    full_screenshot(page, "milestones-filtered")


def test_picking_a_status_narrows_the_timeline_and_writes_the_address(server, page):
    open_milestones(page, server)
    status = page.get_by_test_id("stMultiSelect").filter(has_text="Status")
    status.locator("input").click()
    page.get_by_role("option", name="Overdue").click()
    page.keyboard.press("Escape")
    page.wait_for_function("() => window.location.search.includes('status=Overdue')")
    wait_until_rendered(page)
    # The address is written as the rerun begins; a read right after could still find the
    # page as it was before the filter (CI, 5 December 2026: "26 of 29 due").
    expect(page.locator("[data-testid=stMain]")).to_contain_text("0 of 3 due", timeout=30_000)
    assert "status=Overdue" in page.url
    body = main_text(page)
    assert "0 of 3 due" in body
    timeline = page.locator("[data-testid=stVegaLiteChart]").first.locator("svg.marks")
    assert "M-27" in timeline.inner_html() and "M-01" not in timeline.inner_html()


def test_a_jizzakh_link_shows_its_milestones_and_drops_another_region(server, page):
    page.goto(share_link(server, "Jizzakh only", "milestones") + "&region=Namangan")
    wait_until_rendered(page)
    assert exceptions_shown(page) == []
    body = main_text(page)
    assert "asks for region Namangan, which is not one of the choices" in body
    assert "14 of 15 due" in body
    assert "M-18" not in body and "OC2.4" not in body
    assert "share=" in page.url  # the scope stays in the address
    full_screenshot(page, "milestones-donor-jizzakh")

"""The segments explorer in headless Chromium: a click on a real segment bar focuses the page."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.browser.conftest import AppServer, wait_for_app


def test_clicking_a_segment_bar_focuses_the_other_charts(page: Page, app_server: AppServer):
    page.goto(f"{app_server.url}/segments?lang=en")
    wait_for_app(page)
    chart = page.locator("[data-testid='stVegaLiteChart']").first
    # Vega draws this chart as SVG, one path per bar in the segments' order: the fourth is Dissatisfied.
    bar = chart.locator("g.mark-rect path").nth(3)
    expect(bar).to_be_visible(timeout=20_000)
    expect(page.get_by_text("Company size — all segments")).to_be_visible(timeout=20_000)

    wait_for_app(page)  # the first run is over: the chart is the one it drew

    bar.click()
    # The breakdown chart below is redrawn for the clicked segment only.
    expect(page.get_by_text("Company size — Dissatisfied")).to_be_visible(timeout=20_000)
    # the select beside the chart shows the same focus
    expect(focus_select(page)).to_contain_text("Dissatisfied")

    wait_for_app(page)  # the run the click started is over: the second click meets a settled chart
    chart.locator("g.mark-rect path").nth(3).click()
    wait_for_app(page)
    expect(page.get_by_text("Company size — all segments")).to_be_visible(timeout=20_000)


HIT_AT_HEIGHT_JS = """(chart, height) => [...chart.querySelectorAll('g.mark-rect path')].map(bar => {
    const box = bar.getBoundingClientRect();
    const hit = document.elementFromPoint(box.x + box.width / 2, box.y + box.height * height);
    return hit === bar ? 'bar' : (hit ? hit.tagName + ' in ' + (hit.parentElement.getAttribute('class') || '') : 'nothing');
})"""


def test_every_bar_takes_a_click_at_its_middle_and_near_its_edges(page: Page, app_server: AppServer):
    """What lies over a bar (a layer that only widens the scale, the value labels) lets the
    click through: the point under the pointer is the bar, at its middle and near its edges."""
    page.goto(f"{app_server.url}/segments?lang=en")
    wait_for_app(page)
    chart = page.locator("[data-testid='stVegaLiteChart']").first
    expect(chart.locator("g.mark-rect path")).to_have_count(5, timeout=20_000)
    chart.locator("g.mark-rect path").first.scroll_into_view_if_needed()
    for offset in (0.0, -0.3, 0.3):  # fraction of the bar's height from its middle
        hits = chart.evaluate(HIT_AT_HEIGHT_JS, 0.5 + offset)
        assert hits == ["bar"] * 5, (offset, hits)


def focus_select(page: Page):
    return page.locator("[data-testid='stMultiSelect']").filter(has_text="Segments to focus on")


def test_the_keyboard_focuses_a_segment_through_the_select_beside_the_chart(page: Page, app_server: AppServer):
    page.goto(f"{app_server.url}/segments?lang=en")
    wait_for_app(page)
    expect(page.get_by_text("Company size — all segments")).to_be_visible(timeout=20_000)
    box = page.get_by_role("combobox", name="Segments to focus on")
    box.focus()  # reached with Tab like any field; no mouse from here on
    page.keyboard.type("Adapt")
    page.keyboard.press("Enter")
    page.keyboard.press("Escape")
    wait_for_app(page)
    expect(page.get_by_text("Company size — Adapters")).to_be_visible(timeout=20_000)
    # the chart draws the same focus: its other bars are greyed out
    page.wait_for_url(re.compile(r"focus=adapters"), timeout=20_000)

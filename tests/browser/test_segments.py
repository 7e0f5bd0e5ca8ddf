"""The segments explorer in headless Chromium: a click on a real segment bar focuses the page."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.browser.conftest import AppServer, wait_for_app


def test_clicking_a_segment_bar_focuses_the_other_charts(page: Page, app_server: AppServer):
    page.goto(f"{app_server.url}/segments?lang=en")
    wait_for_app(page)
    chart = page.locator("[data-testid='stVegaLiteChart']").first
    # Vega draws this chart as SVG: each bar is a path carrying its data in an aria-label.
    bar = chart.locator("g.mark-rect path[aria-label*='Dissatisfied']").first
    expect(bar).to_be_visible(timeout=20_000)
    expect(page.get_by_text("Company size — all segments")).to_be_visible(timeout=20_000)

    wait_for_app(page)  # the first run is over: the chart is the one it drew

    bar.click()
    # The breakdown chart below is redrawn for the clicked segment only.
    expect(page.get_by_text("Company size — Dissatisfied")).to_be_visible()
    expect(page.get_by_text("Focus on Dissatisfied", exact=False)).to_be_visible()
    wait_for_app(page)  # the run the click started is over: the second click meets a settled chart

    chart.locator("g.mark-rect path[aria-label*='Dissatisfied']").first.click()
    expect(page.get_by_text("Company size — all segments")).to_be_visible()
    expect(page.get_by_text("Focus on Dissatisfied", exact=False)).to_have_count(0)

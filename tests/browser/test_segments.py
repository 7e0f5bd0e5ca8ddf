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

"""The explorer in a real headless Chromium against `streamlit run app.py`."""

from __future__ import annotations

import csv
import re

from playwright.sync_api import Page, expect

from tests.browser.conftest import REPO, AppServer, wait_for_app


def test_overview_draws_the_reference_charts(page: Page, app_server: AppServer):
    page.goto(f"{app_server.url}/?lang=en")
    wait_for_app(page)
    charts = page.locator("[data-testid='stVegaLiteChart']")
    expect(charts.first).to_be_visible(timeout=20_000)
    expect(charts).to_have_count(3, timeout=20_000)
    expect(page.get_by_text("Source: Nextstage study", exact=False).first).to_be_visible()


def test_segment_chart_is_drawn_and_a_filter_click_changes_the_figures(page: Page, app_server: AppServer):
    page.goto(f"{app_server.url}/segments?lang=en")
    wait_for_app(page)
    chart = page.locator("[data-testid='stVegaLiteChart']").first
    # Vega draws its marks into an SVG sized to the page: real size, not an empty frame
    marks = chart.locator("svg.marks")
    expect(marks).to_be_visible()
    marks.evaluate("svg => new Promise(done => { const sized = () => { const box = svg.getBoundingClientRect();"
                   " box.height > 100 && box.width > 200 ? done() : requestAnimationFrame(sized); }; sized(); })")
    expect(page.get_by_text("n = 400 of 400 respondents")).to_be_visible()

    page.get_by_role("combobox", name="Sector").click()
    page.get_by_role("option", name="Retail", exact=True).click()
    page.keyboard.press("Escape")
    # the sample panel's Retail companies, counted from the CSV itself
    with open(REPO / "data" / "sample_panel.csv", newline="", encoding="utf-8") as handle:
        retail = sum(1 for row in csv.DictReader(handle) if row["sector"] == "Retail")
    expect(page.get_by_text(f"n = {retail} of 400 respondents")).to_be_visible()
    # the filter lives in the URL so the view can be shared (written at the end of the rerun)
    page.wait_for_url(re.compile(r"f_sector=Retail"), timeout=20_000)


def test_the_pages_ask_nothing_of_another_host(page: Page, app_server: AppServer):
    """A consultant's client opens the app on a closed network, or must not be tracked: every
    request the browser makes (scripts, fonts, icons, charts) goes to this server."""
    elsewhere: list[str] = []
    page.on("request", lambda request: elsewhere.append(request.url)
            if not request.url.startswith((app_server.url, "data:", "blob:")) else None)
    for path in ("", "segments?lang=fr&tab=crosstab", "channels?lang=en"):
        page.goto(f"{app_server.url}/{path}")
        wait_for_app(page)
        expect(page.locator("svg.marks").first).to_be_attached(timeout=30_000)
    page.goto(f"{app_server.url}/upload?lang=en")
    wait_for_app(page)
    expect(page.locator("input[type='file']")).to_be_attached(timeout=30_000)
    # the favicon is fetched from the page's <link rel=icon>: it is there once the page is drawn
    expect(page.locator("link[rel='shortcut icon'], link[rel='icon']").first).to_be_attached()
    assert elsewhere == []

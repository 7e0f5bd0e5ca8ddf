"""Upload a French Excel CSV in headless Chromium and read the shares off the page."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.browser.conftest import ENGLISH, PANEL, AppServer, survey_bytes, wait_for_app
from tests.fixtures_app import kish_base, shown_share


def test_french_cp1252_upload_shows_the_right_shares(page: Page, app_server: AppServer):
    total = sum(weight * count for _, weight, count in PANEL)  # 6 + 3 + 10 + 9 + 30 = 58
    # rounded as the segments page rounds them: on fewer than 100 effective answers, no decimal
    base = kish_base([weight for _, weight, count in PANEL for _ in range(count)])
    decimals = 1 if base >= 100 else 0
    expected = {name: f"{shown_share(100 * weight * count / total, base):.{decimals}f}%"
                for name, (_, weight, count) in zip(ENGLISH, PANEL)}

    page.goto(f"{app_server.url}/upload?lang=en")
    wait_for_app(page)
    page.locator("input[type='file']").set_input_files(
        {"name": "enquête.csv", "mimeType": "text/csv", "buffer": survey_bytes()}
    )
    table = page.locator("[data-testid='stTable']").first
    expect(table).to_be_visible(timeout=30_000)
    expect(page.get_by_text("encoding cp1252, separator semicolon, decimal mark comma", exact=False)).to_be_visible()
    rows = table.locator("tbody tr")
    expect(rows).to_have_count(len(expected))
    shown = {}
    for index in range(rows.count()):
        cells = rows.nth(index).locator("td, th").all_inner_texts()
        shown[cells[0].strip()] = cells[1].strip()
    assert shown == expected
    expect(page.get_by_text("Rows read: 60; used: 60; left out: 0.")).to_be_visible()

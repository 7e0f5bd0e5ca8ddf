"""Upload a French Excel CSV in headless Chromium and read the shares off the page."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.browser.conftest import AppServer, wait_for_app
from tests.fixtures_files import french_excel_csv, french_number

HEADER = ["Identifiant", "Segment", "Pondération", "Taille d'entreprise", "Secteur d'activité"]
# (segment label, weight, respondents): 60 respondents written the French Excel way
PANEL = [
    ("Les nouvelles venues", 1.5, 4),
    ("Les convaincues", 0.5, 6),
    ("Les tenants de l'adaptation", 1.25, 8),
    ("Les insatisfaits", 0.75, 12),
    ("Les attentistes", 1.0, 30),
]
ENGLISH = ["Newcomers", "Convinced", "Adapters", "Dissatisfied", "Wait-and-see"]


def survey_bytes() -> bytes:
    rows, number = [], 0
    for label, weight, count in PANEL:
        for i in range(count):
            number += 1
            rows.append([f"E{number:03d}", label, french_number(weight, 2), ("TPE", "PME", "ETI")[i % 3],
                         ("Santé", "Industrie", "Éducation")[i % 3]])
    return french_excel_csv(rows, HEADER, encoding="cp1252")


def test_french_cp1252_upload_shows_the_right_shares(page: Page, app_server: AppServer):
    total = sum(weight * count for _, weight, count in PANEL)  # 6 + 3 + 10 + 9 + 30 = 58
    # two decimals at most, as on the segments page
    expected = {name: f"{round(100 * weight * count / total, 2):g}%" for name, (_, weight, count) in zip(ENGLISH, PANEL)}

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

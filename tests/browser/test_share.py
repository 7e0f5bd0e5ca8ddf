"""Share, save and export in headless Chromium against real `streamlit run` servers.

A French consultant uploads a French Excel survey, filters it and copies the link; an English
browser (a new context is a new session) opens the link and reads the same figures, downloads
the CSV and the report; after a server restart on the same workspace the link still works.
Expected figures are computed here from the rows written into the file.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from digistrat.datasets import content_id
from tests.browser.conftest import ENGLISH, PANEL, AppServer, expander_settled, open_expander, survey_bytes, table_rows, wait_for_app
from tests.fixtures_app import kish_base, shown_share

SIZE_COLUMN = "Taille d'entreprise"
CHOSEN_SIZE = "TPE"  # every third respondent of each segment (test_upload.survey_bytes)
SEGMENT_HEADERS = ("Segment", "Share", "Base (n)")


def expected_bases() -> dict[str, int]:
    """Respondents of each segment with the chosen size: ("TPE", "PME", "ETI")[i % 3] in the file."""
    return {name: sum(1 for i in range(respondents) if i % 3 == 0) for name, (_, _, respondents) in zip(ENGLISH, PANEL)}


def expected_shares() -> tuple[int, dict[str, float]]:
    """Respondents with the chosen size and each segment's weighted share among them, in points."""
    bases = expected_bases()
    totals = {name: weight * bases[name] for name, (_, weight, _) in zip(ENGLISH, PANEL)}
    grand = sum(totals.values())
    return sum(bases.values()), {name: 100 * value / grand for name, value in totals.items()}


def effective_base() -> float:
    """Kish's base of the chosen respondents (each segment has one weight in the file)."""
    bases = expected_bases()
    return kish_base([weight for name, (_, weight, _) in zip(ENGLISH, PANEL) for _ in range(bases[name])])


def shown_shares() -> dict[str, float]:
    """Each segment's share as the page shows it: rounded as its effective base allows."""
    _, shares = expected_shares()
    return {name: shown_share(value, effective_base()) for name, value in shares.items()}


def english_percent(points: float) -> str:
    """How the English page writes a share shown on this base (no decimal below 100 answers)."""
    return f"{points:.{1 if effective_base() >= 100 else 0}f}%"


def number(text: str) -> float:
    """'27,59 %' or '27.59%' -> 27.59."""
    return float(text.replace("\u202f", "").replace("\u00a0", "").replace("%", "").replace(",", ".").strip())


def segment_shares(page: Page) -> dict[str, float]:
    """The segment table's first two columns, once every segment is there."""

    def shown(rows: list[list[str]]) -> dict[str, float]:
        return {row[0].strip(): number(row[1]) for row in rows if "%" in row[1]}

    return shown(table_rows(page, SEGMENT_HEADERS, lambda rows: len(shown(rows)) == len(ENGLISH)))


def copied_link(page: Page, holding: str) -> str:
    """The address the sidebar's copy-link control shows, once it holds `holding` (the control
    is redrawn at the end of the run that changed the view)."""
    code = page.locator("[data-testid='stSidebar'] [data-testid='stCode'] code").first
    expect(code).to_contain_text(holding, timeout=20_000)
    return code.inner_text().strip()


def upload_and_filter(page: Page, server: AppServer) -> str:
    """Upload the French survey, open it on the segments page, keep one company size; the link."""
    page.goto(f"{server.url}/upload")
    wait_for_app(page)
    page.locator("input[type='file']").set_input_files(
        {"name": "enquête.csv", "mimeType": "text/csv", "buffer": survey_bytes()}
    )
    expect(page.locator("[data-testid='stTable']").first).to_be_visible(timeout=30_000)
    # saved: its name can be edited in the saved datasets' list (the "est enregistré" toast is
    # shown before the preview and fades after a few seconds, so on a loaded machine it can be gone)
    expect(page.get_by_role("textbox", name="Nom de ce jeu de données")).to_have_value("enquête.csv")
    wait_for_app(page)
    page.get_by_role("link", name="Ouvrir dans la page segments").click()
    expect(page.get_by_text("n = 60 sur 60 répondants")).to_be_visible(timeout=30_000)
    wait_for_app(page)  # the segments page's first run is over
    page.get_by_role("combobox", name=SIZE_COLUMN).click()
    page.get_by_role("option", name=CHOSEN_SIZE, exact=True).click()
    page.keyboard.press("Escape")
    count, _ = expected_shares()
    expect(page.get_by_text(f"n = {count} sur 60 répondants")).to_be_visible()
    return copied_link(page, "f_Taille")


def open_in_english(browser: Browser, link: str) -> tuple[Page, object]:
    context = browser.new_context(locale="en-US", viewport={"width": 1400, "height": 1000}, accept_downloads=True)
    page = context.new_page()
    page.goto(link)
    wait_for_app(page)
    return page, context


def download(page: Page, button: str) -> bytes:
    with page.expect_download(timeout=60_000) as info:
        page.get_by_role("button", name=button).click()
    return Path(info.value.path()).read_bytes()


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    return tmp_path / "workspace"


def test_a_link_made_in_french_opens_the_same_view_in_english_downloads_and_survives_a_restart(
    browser: Browser, workspace: Path
):
    count, _ = expected_shares()
    dataset_id = content_id(survey_bytes())
    server = AppServer(workspace=workspace)
    server.start()
    try:
        french = browser.new_context(locale="fr-FR", viewport={"width": 1400, "height": 1000})
        link = upload_and_filter(french.new_page(), server)
        french.close()
        # canonical values only: the dataset id and the column's own value, no label, no default
        assert link.startswith(f"{server.url}/segments?")
        query = link.split("?", 1)[1]
        assert f"ds={dataset_id}" in query
        assert "f_Taille%20d%27entreprise=TPE" in query
        assert "lang" not in query and "Les%20" not in query

        page, context = open_in_english(browser, link)
        expect(page.get_by_text(f"n = {count} of 60 respondents")).to_be_visible(timeout=30_000)
        assert segment_shares(page) == shown_shares()

        open_expander(page, "Download the data and a report")
        rows = list(csv.DictReader(io.StringIO(download(page, "CSV (UTF-8)").decode("utf-8"))))
        assert len(rows) == count
        assert {row[SIZE_COLUMN] for row in rows} == {CHOSEN_SIZE}
        report = download(page, "Report (HTML)").decode("utf-8")
        assert '<html lang="en">' in report
        assert f"n = {count} of 60 respondents" in report
        # the filter in force, in the column's own words
        assert "<dt>Taille d&#x27;entreprise</dt><dd>TPE</dd>" in report
        # each segment's share, its interval and its base, as on the page
        for name, base in expected_bases().items():
            row = rf"<tr><td>{name}</td><td>{re.escape(english_percent(shown_shares()[name]))}</td><td>[\d.]+% – [\d.]+%</td><td>{base}</td>"
            assert re.search(row, report), name
        # the one-page report holds the open tab; "every tab" adds the crosstab and the comparison,
        # though their tabs were never opened, each with its chart
        headings = ("Segments by Taille d&#x27;entreprise (column %)",
                    "Difference in points: This dataset minus Reference study")
        assert not any(f"<h2>{heading}</h2>" in report for heading in headings)
        page.get_by_text("Every tab, on several pages").click()
        expect(page.get_by_text("Every tab on as many A4 pages as it takes", exact=False)).to_be_visible()
        wait_for_app(page)
        expander_settled(page, "Download the data and a report")
        full = download(page, "Report (HTML)").decode("utf-8")
        for heading in headings:
            assert f"<h2>{heading}</h2>" in full
            assert f'<svg role="img" aria-label="{heading}"' in full
        # the reference study's caveat and the methods in plain words
        assert "The article does not say how many of the 1,700 companies answered." in report
        assert "Wilson score" in report and "Benjamini–Hochberg" in report
        assert download(page, "Report (PDF)").startswith(b"%PDF-")
        context.close()
    finally:
        server.stop()

    restarted = AppServer(workspace=workspace)
    restarted.start()
    try:
        page, context = open_in_english(browser, link.replace(server.url, restarted.url))
        expect(page.get_by_text(f"n = {count} of 60 respondents")).to_be_visible(timeout=30_000)
        assert segment_shares(page) == shown_shares()
        context.close()
    finally:
        restarted.stop()

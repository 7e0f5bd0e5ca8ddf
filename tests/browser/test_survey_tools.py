"""A SurveyMonkey export (two header rows) and a Google Forms export uploaded through the real
page in headless Chromium: the segments page shows their checkbox question's shares as the
file's rows give them."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests import fixtures_tools as tools
from tests.browser.conftest import AppServer, table_rows, wait_for_app
from tests.fixtures_app import shown_share
from tests.fixtures_tools import expected_shares, file_rows

BUILDERS = {"surveymonkey": tools.surveymonkey, "google_forms": tools.google_forms}


@pytest.mark.parametrize("tool", BUILDERS)
def test_an_uploaded_survey_tool_export_shows_its_checkbox_shares(tool: str, page: Page, app_server: AppServer):
    data = BUILDERS[tool](tools.ANSWERS)
    answered, shares = expected_shares(file_rows(tool, data))
    expected = {c: f"{shown_share(v, answered):.1f}%" for c, v in shares.items()}

    page.goto(f"{app_server.url}/upload?lang=en")
    wait_for_app(page)
    page.locator("input[type='file']").set_input_files({"name": f"{tool}.csv", "mimeType": "text/csv", "buffer": data})
    expect(page.get_by_text("Rows read: 300", exact=False)).to_be_visible(timeout=60_000)
    page.get_by_role("link", name="Open on the segments page").click()
    expect(page.get_by_text("n = 300 of 300 respondents")).to_be_visible(timeout=60_000)
    wait_for_app(page)
    # the chart's figures as a table, one click away under the chart
    expander = page.locator("[data-testid='stExpander']").filter(
        has=page.locator("th", has_text=tools.CHANNEL_QUESTION.strip()))
    expander.locator("summary").click()
    rows = table_rows(page, [tools.CHANNEL_QUESTION.strip(), "Share"], lambda rows: len(rows) == len(tools.CHANNELS))
    assert {cells[0]: cells[1] for cells in rows} == expected


def test_an_spss_file_is_taken_by_the_upload_page(page: Page, app_server: AppServer, tmp_path):
    """The page takes every file the reader reads: an SPSS .sav goes through the browser's
    uploader (which refuses a type it was not given) and is described as SPSS."""
    import polars as pl

    from tests.survey_files import SPSS_LABELS, SPSS_PANEL, SPSS_SIZES, spss_file

    path = tmp_path / "panel.sav"
    spss_file(path, pl.DataFrame(SPSS_PANEL), labels=SPSS_LABELS, value_labels={"size": SPSS_SIZES}, weight="wt")
    page.goto(f"{app_server.url}/upload?lang=en")
    wait_for_app(page)
    page.locator("input[type='file']").set_input_files(str(path))
    expect(page.get_by_text("Survey tool: SPSS", exact=False)).to_be_visible(timeout=60_000)
    expect(page.get_by_text(f"Rows read: {len(SPSS_PANEL['wt'])}", exact=False)).to_be_visible(timeout=60_000)

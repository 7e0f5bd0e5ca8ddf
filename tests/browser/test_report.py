"""The report a consultant hands to a client, downloaded from the real page in Chromium and read
back as paper: one A4 page for the view (landscape when it needs it), rendered as an image, and
every figure of the page's table found whole in its text, in the page's language; the full
report holds every tab on several pages."""

from __future__ import annotations

import re
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import AppServer, expander_settled, open_expander, table_rows, wait_for_app

A4 = (595.28, 841.89)  # points
SPACES = re.compile(r"[\s\u00a0\u202f\u2009]+")
WORDS = {
    "en": {"heading": "Download the data and a report", "pdf": "Report (PDF)", "full": "Every tab, on several pages",
           "contents": "Every tab on as many A4 pages as it takes",
           "segment": ("Segment", "Share", "Base (n)"), "channel": ("Bucket", "This dataset", "Reference study")},
    "fr": {"heading": "Télécharger les données et un rapport", "pdf": "Rapport (PDF)",
           "full": "Tous les onglets, sur plusieurs pages", "contents": "Tous les onglets sur autant de pages A4",
           "segment": ("Segment", "Part", "Base (n)"), "channel": ("Famille", "Ce jeu de données", "Étude de référence")},
}


def flat(text: str) -> str:
    return SPACES.sub(" ", text).strip()


def whole(figure: str, text: str) -> bool:
    """`figure` in `text`, not as a part of a longer number ("4.0%" is not found in "14.0%")."""
    return re.search(r"(?<![\w.,])" + re.escape(flat(figure)) + r"(?![\w])", text) is not None


def download_pdf(page: Page, lang: str, full: bool = False) -> Path:
    words = WORDS[lang]
    open_expander(page, words["heading"])
    if full:
        page.get_by_text(words["full"]).click()
        expect(page.get_by_role("switch", name=words["full"])).to_be_checked()
        # the run that the switch started has drawn its buttons when it says what they hold
        expect(page.get_by_text(words["contents"])).to_be_visible(timeout=30_000)
        wait_for_app(page)
        expander_settled(page, words["heading"])
    # a ceiling, not a wait: a PDF takes 3-12 s here with two suites on the two cores; past 180 s
    # Streamlit's page gives the request up itself
    with page.expect_download(timeout=180_000) as info:
        page.get_by_role("button", name=words["pdf"]).click()
    assert info.value.suggested_filename.endswith("-full.pdf" if full else ".pdf")
    return Path(info.value.path())


def open_page(browser: Browser, server: AppServer, path: str, lang: str) -> Page:
    context = browser.new_context(locale="fr-FR" if lang == "fr" else "en-US", viewport={"width": 1400, "height": 1000},
                                  accept_downloads=True)
    page = context.new_page()
    page.goto(f"{server.url}/{path}")
    wait_for_app(page)
    expect(page.locator("svg.marks").first).to_be_attached(timeout=30_000)
    return page


def read_pdf(path: Path) -> tuple[pdfium.PdfDocument, str]:
    document = pdfium.PdfDocument(str(path))
    return document, flat(" ".join(document[i].get_textpage().get_text_range() for i in range(len(document))))


def assert_one_a4_page(document: pdfium.PdfDocument) -> None:
    assert len(document) == 1
    width, height = document[0].get_size()
    assert sorted((round(width), round(height))) == sorted(round(side) for side in A4)
    # the page as an image: what a printer or a screen shows of it
    image = document[0].render(scale=2).to_pil()
    assert image.size == (round(2 * width), round(2 * height))
    assert image.convert("L").getextrema()[0] < 80  # something dark is drawn: text, not a blank page


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_the_segments_view_prints_on_one_a4_page_with_every_figure_of_its_table(browser: Browser,
                                                                                 app_server: AppServer, lang):
    page = open_page(browser, app_server, f"segments?lang={lang}", lang)
    rows = table_rows(page, WORDS[lang]["segment"], lambda rows: len(rows) == 5)
    assert len(rows) == 5
    document, text = read_pdf(download_pdf(page, lang))
    assert_one_a4_page(document)
    missing = [cell for row in rows for cell in row if cell and not whole(cell, text)]
    assert missing == []
    if lang == "fr":
        assert "Part de chaque segment" in text and "Sources des données" in text and "Méthodes, en clair" in text
        assert "not real companies" not in text and "Made on" not in text
    page.context.close()


def test_the_crosstab_view_prints_its_table_whole_on_one_page(browser: Browser, app_server: AppServer):
    page = open_page(browser, app_server, "segments?lang=fr&tab=crosstab", "fr")
    rows = table_rows(page, ("Segment", "1-9", "1000+"), lambda rows: len(rows) == 6)
    assert len(rows) == 6  # five segments and the base row
    document, text = read_pdf(download_pdf(page, "fr"))
    assert_one_a4_page(document)
    missing = [cell for row in rows for cell in row if cell and not whole(cell, text)]
    assert missing == []
    page.context.close()


def test_the_channels_view_prints_on_one_page_in_french(browser: Browser, app_server: AppServer):
    page = open_page(browser, app_server, "channels?lang=fr", "fr")
    open_expander(page, "Chiffres de ce graphique")  # the figures under the first chart
    rows = table_rows(page, WORDS["fr"]["channel"], lambda rows: len(rows) == 3)
    assert len(rows) == 3
    document, text = read_pdf(download_pdf(page, "fr"))
    assert_one_a4_page(document)
    missing = [cell for row in rows for cell in row if cell and not whole(cell, text)]
    assert missing == []
    assert "Canaux — " in text and "10 000 visites" in text and "not a real site" not in text
    page.context.close()


def test_the_full_report_holds_every_tab_on_several_pages(browser: Browser, app_server: AppServer):
    page = open_page(browser, app_server, "segments?lang=en", "en")
    document, text = read_pdf(download_pdf(page, "en", full=True))
    assert len(document) > 1
    for heading in ("Share of each segment", "Segments by Company size (column %)", "Difference in points",
                    "Channel mix of each segment", "Largest differences"):
        assert heading in text, heading
    page.context.close()

"""One language at a time: every page in French (each tab of Segments, an uploaded survey on
Your data) shows no English phrase of the catalog — in its text, its charts' text or the names
screen readers read — and writes its numbers the French way."""

from __future__ import annotations

import csv
import re

import pytest
from playwright.sync_api import Browser, Page, expect

from digistrat.i18n import _CATALOG
from tests.browser.conftest import REPO, AppServer, page_drawn, survey_bytes, wait_for_app

PAGES = ("", "segments", "channels", "upload")
# What a person sees or hears: the page's text, its charts' text and the accessible names the
# app gives (Streamlit's own toolbars, English whatever the app does, are left aside).
SHOWN_TEXT = """() => [
    document.body.innerText,
    ...[...document.querySelectorAll('svg text')].filter(e => e.checkVisibility()).map(e => e.textContent),
    ...[...document.querySelectorAll('[aria-label]')]
        .filter(e => e.checkVisibility() && !e.closest('[data-testid=stElementToolbar]'))
        .map(e => e.getAttribute('aria-label')),
].join('\\n')"""


def data_values() -> set[str]:
    """Values of the bundled samples: data is shown as it is (a sector called "Retail")."""
    values = set()
    for name in ("sample_panel.csv", "sample_sessions.csv"):
        with open(REPO / "data" / name, newline="", encoding="utf-8") as handle:
            for row in csv.DictReader(handle):
                values.update(part.strip() for value in row.values() for part in value.split(";"))
    return values


def english_phrases() -> dict[str, re.Pattern]:
    """The literal parts of the catalog's English texts that French never uses (4 characters or more)."""
    allowed = data_values()
    phrases = set()
    for english, french in _CATALOG.values():
        if english == french:
            continue
        for part in re.split(r"\{[^}]*\}", english):
            part = part.strip(" :;,.()“”'\"-–—")
            if len(part) >= 4 and part not in allowed and part not in french:
                phrases.add(part)
    return {p: re.compile(r"(?<!\w)" + re.escape(p) + r"(?!\w)") for p in phrases}


def english_in(page: Page, phrases: dict[str, re.Pattern]) -> list[str]:
    text = page.evaluate(SHOWN_TEXT)
    return sorted(phrase for phrase, pattern in phrases.items() if pattern.search(text))


@pytest.fixture
def french(browser: Browser):
    context = browser.new_context(locale="fr-FR", viewport={"width": 1400, "height": 1000})
    yield context.new_page()
    context.close()


def test_the_catalog_check_would_see_english():
    phrases = english_phrases()
    assert len(phrases) > 200
    assert phrases["Download the data and a report"].search("… Download the data and a report …")
    assert not any(p.search("Télécharger les données et un rapport") for p in phrases.values())


def test_every_page_and_tab_in_french_shows_no_english_phrase_of_the_catalog(french: Page, app_server: AppServer):
    phrases = english_phrases()
    found = []
    for name in PAGES:
        french.goto(f"{app_server.url}/{name}?lang=fr")
        wait_for_app(french)
        page_drawn(french, charts=name != "upload")
        found += [f"/{name}: {p}" for p in english_in(french, phrases)]
        tabs = french.get_by_role("tab")
        for index in range(1, tabs.count()):
            tabs.nth(index).click()
            wait_for_app(french)
            page_drawn(french)
            found += [f"/{name} tab {index}: {p}" for p in english_in(french, phrases)]
    assert found == []


def test_an_upload_in_french_is_described_in_french(french: Page, app_server: AppServer):
    french.goto(f"{app_server.url}/upload?lang=fr")
    wait_for_app(french)
    french.locator("input[type='file']").set_input_files(
        {"name": "enquête.csv", "mimeType": "text/csv", "buffer": survey_bytes()}
    )
    expect(french.locator("[data-testid='stTable']").first).to_be_visible(timeout=30_000)
    page_drawn(french, charts=False)
    assert english_in(french, english_phrases()) == []
    # numbers the French way: a decimal comma and the narrow no-break space before %
    shares = french.locator("[data-testid='stTable'] tbody tr td").all_inner_texts()
    assert any(re.fullmatch(r"\d+(,\d)?\u202f%", cell) for cell in shares)


def test_the_channels_page_in_french_writes_dates_and_axes_the_french_way(french: Page, app_server: AppServer):
    french.goto(f"{app_server.url}/channels?lang=fr")
    wait_for_app(french)
    page_drawn(french)
    chart_text = french.evaluate("() => [...document.querySelectorAll('svg text')].map(e => e.textContent)")
    months = ("janv.", "févr.", "mars", "avr.", "mai", "juin")
    assert any(text.split()[-1] in months and text.split()[0].isdigit() for text in chart_text if " " in text)
    assert not any(re.search(r"\b(Jan|Feb|Mar|Apr)\b", text) for text in chart_text)
    # the change chart's axis: negative ticks with the minus sign U+2212, never a hyphen
    signed = [text for text in chart_text if re.fullmatch(r"[\u2212-]\d+(,\d+)?", text)]
    assert signed and not any(text.startswith("-") for text in signed)

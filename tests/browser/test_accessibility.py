"""Usable by everyone, checked in headless Chromium: axe-core finds no serious or critical
violation on any page (every tab of Segments included) in English and French, the page says
its language, the downloads come early in the keyboard's order, and the first screen says
where to go next."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import REPO, AppServer, page_drawn, survey_bytes, wait_for_app

AXE = REPO / "node_modules" / "axe-core" / "axe.min.js"  # `npm install axe-core` (scripts/test does)
PAGES = ("", "segments", "channels", "upload")
BLOCKING = ("serious", "critical")


def axe_source() -> str:
    if not AXE.is_file():
        pytest.fail(f"{AXE} is missing: run `npm install --no-save axe-core` in the repository (scripts/test does).")
    return AXE.read_text(encoding="utf-8")


def violations(page: Page) -> list[str]:
    """axe-core's serious and critical violations of what the page shows now, one line each;
    fails if axe checked the contrast of no text at all (nothing drawn yet)."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(content=axe_source())
    result = page.evaluate("""async () => {
        const r = await axe.run(document);
        const contrast = [...r.passes, ...r.violations, ...r.incomplete].filter(rule => rule.id === 'color-contrast');
        return {violations: r.violations, contrast: contrast.reduce((n, rule) => n + rule.nodes.length, 0)};
    }""")
    assert result["contrast"] > 5, "axe checked the contrast of almost no text: the page was not drawn"
    return [
        f"{v['impact']} {v['id']}: {v['help']} — {node['target']} {node.get('failureSummary', '')}"
        for v in result["violations"] if v["impact"] in BLOCKING for node in v["nodes"]
    ]


@pytest.fixture(params=["en", "fr"])
def lang_page(request, browser: Browser):
    lang = request.param
    context = browser.new_context(locale="fr-FR" if lang == "fr" else "en-US", viewport={"width": 1280, "height": 900})
    yield lang, context.new_page()
    context.close()


def test_no_serious_or_critical_violation_on_any_page_or_tab(lang_page, app_server: AppServer):
    lang, page = lang_page
    found = []
    for name in PAGES:
        page.goto(f"{app_server.url}/{name}?lang={lang}")
        wait_for_app(page)
        page_drawn(page, charts=name != "upload")  # axe must see the charts drawn
        # the page says its own language to browsers and screen readers
        expect(page.locator("html")).to_have_attribute("lang", lang, timeout=10_000)
        found += [f"/{name} {lang}: {v}" for v in violations(page)]
        tabs = page.get_by_role("tab")
        for index in range(1, tabs.count()):
            tabs.nth(index).click()
            wait_for_app(page)
            page_drawn(page)
            found += [f"/{name} {lang} tab {index}: {v}" for v in violations(page)]
    assert found == [], "\n".join(found)


def test_an_uploaded_survey_page_has_no_serious_violation(page: Page, app_server: AppServer):
    page.goto(f"{app_server.url}/upload?lang=fr")
    wait_for_app(page)
    page.locator("input[type='file']").set_input_files(
        {"name": "enquête.csv", "mimeType": "text/csv", "buffer": survey_bytes()}
    )
    expect(page.locator("[data-testid='stTable']").first).to_be_visible(timeout=30_000)
    wait_for_app(page)
    assert violations(page) == []


def test_the_downloads_come_early_in_the_keyboards_order(page: Page, app_server: AppServer):
    for name, heading in (("segments", "Download the data and a report"), ("channels", "Download the data and a report")):
        page.goto(f"{app_server.url}/{name}?lang=en")
        wait_for_app(page)
        target = page.get_by_text(heading).first
        expect(target).to_be_visible(timeout=20_000)
        page.evaluate("() => document.activeElement && document.activeElement.blur()")  # from the top
        presses = 0
        while presses < 40:
            page.keyboard.press("Tab")
            presses += 1
            if page.evaluate("(t) => document.activeElement && document.activeElement.innerText.includes(t)", heading):
                break
        # past the page links, the language switch and the dataset: nothing of the page's own before it
        assert presses <= 12, f"{name}: {presses} Tab presses to reach the downloads"


def test_the_first_screen_says_where_to_go_next(browser: Browser, app_server: AppServer):
    for lang, segments, upload in (("en", "Explore the segments", "Bring your own data"),
                                   ("fr", "Explorer les segments", "Apporter vos données")):
        context = browser.new_context(locale="en-US", viewport={"width": 1280, "height": 720})
        page = context.new_page()
        page.goto(f"{app_server.url}/?lang={lang}")
        wait_for_app(page)
        main = page.locator("[data-testid='stMain']")
        for name, path in ((segments, "segments"), (upload, "upload")):
            link = main.get_by_role("link", name=name)
            expect(link).to_be_in_viewport(timeout=20_000)  # on the first screen, no scrolling
            assert link.get_attribute("href").endswith(path)
        context.close()

"""The channels page in headless Chromium: the own-domain setting moves Referral to Direct at once."""

from __future__ import annotations

import csv
import re
from collections import Counter

from playwright.sync_api import Page

from tests.browser.conftest import REPO, AppServer, table_rows, wait_for_app
from tests.fixtures_files import SAMPLE_CHANNELS

HEADERS = ("Channel", "Bucket", "Push / pull", "Sessions", "Share")


def channel_sessions(page: Page, expected: dict[str, float]) -> dict[str, float]:
    """The channel table's Channel -> Sessions, once it holds `expected`."""

    def shown(rows: list[list[str]]) -> dict[str, float]:
        return {row[0]: float(row[3].replace(",", "")) for row in rows if row[3].replace(",", "").isdigit()}

    return shown(table_rows(page, HEADERS, lambda rows: all(shown(rows).get(k) == v for k, v in expected.items())))


def test_own_domain_turns_its_referrals_into_direct(page: Page, app_server: AppServer):
    with open(REPO / "data" / "sample_sessions.csv", newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    channels = Counter(SAMPLE_CHANNELS[(r["source"], r["medium"])] for r in rows)
    lesechos = sum(1 for r in rows if r["source"] == "lesechos.fr")

    page.goto(f"{app_server.url}/channels")
    wait_for_app(page)
    before = channel_sessions(page, {"Referral": channels["referral"], "Direct": channels["direct"]})
    assert before.get("Referral") == channels["referral"]
    assert before.get("Direct") == channels["direct"]
    wait_for_app(page)  # the first run is over

    domains = page.get_by_role("textbox", name="Your own domains (one per line)")
    domains.fill("lesechos.fr")
    domains.press("Control+Enter")  # a text area commits on Ctrl+Enter or blur
    moved = {"Direct": channels["direct"] + lesechos, "Referral": channels["referral"] - lesechos}
    after = channel_sessions(page, moved)
    assert after.get("Direct") == moved["Direct"]
    assert after.get("Referral") == moved["Referral"]
    # the setting lives in the URL, so the view can be shared (written at the end of the run)
    page.wait_for_url(re.compile(r"[?&]own_domains=lesechos\.fr(&|$)"))

"""The channels page through AppTest: on the sample log and on an uploaded GA4 export.

Expected figures are counted in the tests from the CSV files with the csv module.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections import Counter, defaultdict
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from digistrat import datasets
from digistrat.ui import data_source
from tests.fixtures_app import channel_table, frame_with, number, tables
from tests.fixtures_files import SAMPLE_CHANNELS, ga4_export_sessions

REPO = Path(__file__).resolve().parents[1]
EXPORTS = Path(__file__).resolve().parents[2] / "shared" / "reference" / "real-exports"
PAGE = "digistrat/ui/pages/channels.py"
TIMEOUT = 60
NAMES = {  # English labels of the channel keys the sample holds
    "direct": "Direct", "organic_search": "Organic Search", "paid_search": "Paid Search",
    "paid_social": "Paid Social", "organic_social": "Organic Social", "email": "Email", "referral": "Referral",
}


def sample_channels(rows: list[dict] | None = None) -> Counter:
    if rows is None:
        with open(REPO / "data" / "sample_sessions.csv", newline="", encoding="utf-8") as handle:
            rows = list(csv.DictReader(handle))
    return Counter(NAMES[SAMPLE_CHANNELS[(r["source"], r["medium"])]] for r in rows)


def open_channels(lang: str = "en", state: dict | None = None) -> AppTest:
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=TIMEOUT)
    at.session_state["lang"] = lang
    for key, value in (state or {}).items():
        at.session_state[key] = value
    at.run()
    at.switch_page(PAGE).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def sessions_table(at: AppTest, name: str = ""):
    """The first comparison table (sessions of two periods or datasets), with `name` in a heading."""
    return next(t.value for t in tables(at)
                if any(c.startswith("Sessions — ") and name in c for c in t.value.columns))


def texts(at: AppTest, element: str) -> str:
    return " ".join(item.value for item in getattr(at, element))


def test_sample_log_shows_its_channels_and_every_section():
    at = open_channels()
    assert channel_table(at) == sample_channels()
    assert "10,000 sessions" in texts(at, "markdown")
    headers = [h.value for h in at.header]
    for heading in ("Devices", "Over time", "Compare periods", "Compare two datasets"):
        assert heading in headers
    assert "not independent respondents" in texts(at, "caption")
    # only the bundled sample is loaded: the dataset comparison says so instead of comparing
    assert "Only one traffic dataset is available" in texts(at, "info")


def test_own_domain_setting_moves_referrals_to_direct_at_once():
    at = open_channels()
    before = channel_table(at)
    at.text_area(key="own_domains").input("lesechos.fr\nwww.atelier-exemple.fr").run()
    assert not at.exception
    after = channel_table(at)
    with open(REPO / "data" / "sample_sessions.csv", newline="", encoding="utf-8") as handle:
        moved = sum(1 for r in csv.DictReader(handle) if r["source"] == "lesechos.fr")
    assert after["Direct"] == before["Direct"] + moved
    assert after["Referral"] == before["Referral"] - moved


def test_period_comparison_on_two_chosen_ranges_counts_the_right_sessions():
    at = open_channels()
    at.segmented_control(key="ch_period_mode").set_value("ranges").run()
    first, second = (dt.date(2026, 1, 5), dt.date(2026, 1, 31)), (dt.date(2026, 3, 2), dt.date(2026, 3, 29))
    at.date_input(key="ch_period_a").set_value(first).run()
    at.date_input(key="ch_period_b").set_value(second).run()
    assert not at.exception
    with open(REPO / "data" / "sample_sessions.csv", newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    buckets = {"Direct": "Direct access", "Organic Search": "Search engines", "Paid Search": "Search engines"}
    expected = []
    for start, end in (first, second):
        inside = [r for r in rows if start <= dt.date.fromisoformat(r["date"]) <= end]
        counts: dict[str, int] = defaultdict(int)
        for name, n in sample_channels(inside).items():
            counts[buckets.get(name, "External links (social media)")] += n
        expected.append(dict(counts))
    table = sessions_table(at)
    sessions = [c for c in table.columns if c.startswith("Sessions — ")]
    assert sessions == ["Sessions — 5 Jan 2026 – 31 Jan 2026", "Sessions — 2 Mar 2026 – 29 Mar 2026"]
    for column, counts in zip(sessions, expected):
        assert dict(zip(table["Bucket"], map(number, table[column]))) == counts


def test_detailed_view_french_and_rule_settings_run():
    at = open_channels("fr")
    assert "Accès direct" in channel_table_fr(at)
    at.segmented_control(key="ch_view").set_value("channel").run()
    at.segmented_control(key="ch_mode").set_value("enriched").run()
    at.toggle(key="ai_channel").set_value(True).run()
    at.segmented_control(key="ch_affiliates").set_value("pull").run()
    at.segmented_control(key="ch_step").set_value("month").run()
    assert not at.exception, [e.value for e in at.exception]
    assert sum(channel_table_fr(at).values()) == 10_000


def channel_table_fr(at: AppTest) -> dict[str, float]:
    return {row["Canal"]: number(row["Visites"]) for row in frame_with(at, "Canal", "Push / pull")}


@pytest.fixture
def ga4_upload() -> tuple[data_source.Upload, dict[str, float]]:
    if not EXPORTS.is_dir():
        pytest.fail("shared/reference/real-exports is not next to the repository: the tests read the real exports from ../shared, as CI has them")
    path = EXPORTS / "ga4_traffic_acquisition_channel__h2oplumbers.csv"
    data = path.read_bytes()
    page = datasets.load_bytes(data, path.name).page
    upload = data_source.Upload(id=datasets.content_id(data), name=path.name, data=data, page=page)
    return upload, ga4_export_sessions(path)


def test_an_uploaded_ga4_export_gives_its_own_mix_and_compares_with_the_sample(ga4_upload):
    upload, expected = ga4_upload
    at = open_channels(state={
        data_source.UPLOADS_KEY: {upload.id: upload},
        data_source.ACTIVE_KEY: {"traffic": upload.id},
    })
    assert channel_table(at) == pytest.approx(expected)
    assert f"{sum(expected.values()):,.0f} sessions" in texts(at, "markdown")
    info = texts(at, "info")
    assert "no device column" in info and "no date column" in info
    # Unassigned stays apart from the bucket shares and is listed with the export's own label
    assert f"{expected['Unassigned']:.0f} sessions" in texts(at, "caption")
    unmatched = next(t.value for t in tables(at) if "Label in the file" in t.value.columns)
    assert list(zip(unmatched["Label in the file"], map(number, unmatched["Sessions"]))) == [
        ("Unassigned", expected["Unassigned"])]
    # the sample and the upload side by side: the upload is the first dataset, the sample the second
    assert at.selectbox(key="ch_compare_a").value == upload.id
    comparison = sessions_table(at, upload.name)
    upload_sessions = next(c for c in comparison.columns if c.startswith("Sessions — ") and upload.name in c)
    assigned = {k: v for k, v in expected.items() if k != "Unassigned"}
    search = assigned["Paid Search"] + assigned["Organic Search"]
    assert dict(zip(comparison["Bucket"], map(number, comparison[upload_sessions]))) == pytest.approx({
        "Search engines": search,
        "Direct access": assigned["Direct"],
        "External links (social media)": sum(assigned.values()) - search - assigned["Direct"],
    })

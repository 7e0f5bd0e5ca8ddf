"""'Connect a data source' through AppTest: a local GA4 Parquet folder, computed by DuckDB,
becomes the channels page's dataset; its channel mix is a session-by-session reading of the events."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from streamlit.testing.v1 import AppTest

from digistrat import ga4_export
from digistrat.channels import ChannelSettings
from tests.fixtures_app import channel_table
from tests.fixtures_ga4 import expected_channels, export, raw_sessions  # noqa: F401 - fixtures

REPO = Path(__file__).resolve().parents[1]
NAMES = {"direct": "Direct", "organic_search": "Organic Search", "paid_search": "Paid Search",
         "paid_social": "Paid Social", "organic_social": "Organic Social", "email": "Email", "referral": "Referral",
         "affiliates": "Affiliates"}


def connect(folder: str, start: dt.date | None = None, end: dt.date | None = None) -> AppTest:
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=180)
    at.session_state["lang"] = "en"
    at.run()
    at.switch_page("digistrat/ui/pages/upload.py").run()
    at.text_input(key="connect_path").input(folder)
    if start:
        at.date_input(key="connect_from").set_value(start)
        at.date_input(key="connect_to").set_value(end)
    at.button(key="connect_go").click().run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_a_connected_parquet_folder_shows_its_channel_mix(export, raw_sessions):  # noqa: F811 - fixtures
    start, end = dt.date(2024, 7, 11), dt.date(2024, 7, 15)
    at = connect(str(export), start, end)
    assert [s.value for s in at.success] and "duckdb" in at.success[0].value
    at.switch_page("digistrat/ui/pages/channels.py").run()
    assert not at.exception, [e.value for e in at.exception]
    wanted = [s for s in raw_sessions if start <= s["date"] <= end]
    expected = {NAMES[k]: v for k, v in expected_channels(wanted, ChannelSettings()).items()}
    assert channel_table(at) == expected
    captions = " ".join(c.value for c in at.caption)
    assert "computed by duckdb" in captions and f"{len(wanted):,} sessions" in captions
    # a setting re-classifies the cube: the owner's blog moves from referral to direct
    at.text_area(key="own_domains").input(ga4_export.OWN_OTHER_DOMAIN).run()
    own = {NAMES[k]: v for k, v in expected_channels(wanted, ChannelSettings(own_domains=("example.org",))).items()}
    assert channel_table(at) == own != expected


def test_a_folder_without_parquet_files_is_one_sentence(tmp_path):
    at = connect(str(tmp_path))
    assert [e.value for e in at.error] == [
        f"No Parquet file at '{tmp_path}'; give a folder of a GA4 export's Parquet files "
        "(events_YYYYMMDD.parquet), one such file or a glob."]

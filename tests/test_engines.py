"""The origin cube of a GA4 export: DuckDB and Spark local equal the polars reference row for
row, and the channels it gives equal a plain reading of the raw events, session by session."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from collections import Counter
from pathlib import Path

import polars as pl
import pyarrow.parquet as pq
import pytest

from digistrat import engines, ga4_export, traffic
from digistrat.channels import ChannelSettings
from digistrat.errors import InputError
from tests.fixtures_ga4 import expected_channels, export, raw_sessions  # noqa: F401 - fixtures

REPO = Path(__file__).resolve().parents[1]
START, END = dt.date(2024, 7, 11), dt.date(2024, 7, 15)  # the export covers 2024-07-10 .. 2024-07-16
OWN = ChannelSettings(own_domains=(ga4_export.OWN_OTHER_DOMAIN,))


def in_range(sessions: list[dict]) -> list[dict]:
    return [s for s in sessions if START <= s["date"] <= END]


@pytest.fixture(scope="session")
def reference(export) -> pl.DataFrame:
    return engines.sorted_cube(engines.polars_cube([str(p) for p in sorted(export.glob("*.parquet"))], START, END))


@pytest.fixture(scope="session")
def duckdb_cube(export) -> engines.EngineCube:
    return engines.compute(engines.Source(engine="duckdb", path=str(export), start=START, end=END))


def test_the_export_holds_every_edge_case(raw_sessions, export):
    # what the equality tests below would be weak without
    kinds = Counter()
    for s in raw_sessions:
        landing, referrer = s["landing"], s["referrer"] or ""
        kinds["given"] += s["given"] is not None
        kinds["urls"] += s["given"] is None
        kinds["gclid_only"] += s["given"] is None and "gclid=" in landing and "utm_" not in landing
        kinds["self_referral"] += s["given"] is None and "www.example.com" in referrer
        kinds["own_domain"] += "example.org" in referrer
    assert min(kinds.values()) >= 10, kinds
    events = pq.read_table(sorted(export.glob("*.parquet"))).to_pylist()
    sessions_by_day: dict[tuple, set] = {}
    orphans = 0
    for event in events:
        params = {p["key"]: p["value"]["int_value"] for p in event["event_params"]}
        if "ga_session_id" not in params:
            orphans += 1
            continue
        sessions_by_day.setdefault((event["user_pseudo_id"], params["ga_session_id"]), set()).add(event["event_date"])
    assert orphans >= 10
    assert sum(len(days) == 2 for days in sessions_by_day.values()) >= 5  # sessions across midnight


def test_duckdb_cube_equals_the_polars_cube_row_for_row(duckdb_cube, reference):
    assert duckdb_cube.frame.height == reference.height > 50
    assert duckdb_cube.frame.equals(reference)


def test_spark_local_cube_equals_the_polars_cube_row_for_row(export, reference):
    cube = engines.compute(engines.Source(engine="spark", path=str(export), start=START, end=END, master="local[2]"))
    assert cube.frame.equals(reference)
    assert (cube.events, cube.events_without_session) == engines.polars_tally(
        [str(p) for p in sorted(export.glob("*.parquet"))], START, END)


def test_sessions_are_counted_once_on_their_first_day_and_orphan_events_left_out(duckdb_cube, raw_sessions, export):
    wanted = in_range(raw_sessions)
    assert duckdb_cube.sessions == len(wanted)
    by_day = duckdb_cube.frame.group_by("event_date").agg(pl.col("sessions").sum())
    assert dict(by_day.iter_rows()) == dict(Counter(s["date"].strftime("%Y%m%d") for s in wanted))
    # a session that began the day before the range is not counted again after midnight
    assert START.strftime("%Y%m%d") == by_day["event_date"].min()
    table = pq.read_table(sorted(export.glob("*.parquet"))).to_pylist()
    dated = [e for e in table if START.strftime("%Y%m%d") <= e["event_date"] <= END.strftime("%Y%m%d")]
    orphans = [e for e in dated if not any(p["key"] == "ga_session_id" for p in e["event_params"])]
    assert (duckdb_cube.events, duckdb_cube.events_without_session) == (len(dated), len(orphans))


@pytest.mark.parametrize("settings", [ChannelSettings(), OWN, ChannelSettings(enriched=True)], ids=["strict", "own", "enriched"])
def test_channels_from_the_cube_equal_a_session_by_session_reading(duckdb_cube, raw_sessions, settings):
    dataset = engines.connected_dataset(duckdb_cube)
    mix = traffic.channel_mix(dataset, settings)
    got = {k: int(v) for k, v in mix.channels.select("key", "sessions").iter_rows()}
    assert got == dict(expected_channels(in_range(raw_sessions), settings))


def test_gclid_only_self_referral_and_own_domain_land_where_ga4_puts_them(duckdb_cube):
    counts = traffic.session_counts(engines.connected_dataset(duckdb_cube), OWN)
    urls = counts.filter(pl.col("source").is_not_null())
    gclid = duckdb_cube.frame.filter(pl.col("landing_page").str.contains("gclid=")
                                     & ~pl.col("landing_page").str.contains("utm_"))
    assert gclid.height and gclid["referrer"].null_count() < gclid.height  # some came with a referrer too
    google = counts.filter((pl.col("source") == "google") & (pl.col("medium") == "cpc"))
    assert set(google["channel"]) == {"paid_search"}
    own = counts.filter(pl.col("source").str.contains("example.org", literal=True))
    assert own.height and set(own["channel"]) == {"direct"}  # the named own domain, whichever path named it
    self_referred = duckdb_cube.frame.filter(pl.col("referrer") == "https://example.com/")
    assert self_referred.height  # the site's own host, seen from the landing page: navigation, not a referral
    assert "example.com" not in set(counts["source"].drop_nulls())
    assert urls["channel"].null_count() == 0
    without = traffic.session_counts(engines.connected_dataset(duckdb_cube), ChannelSettings())
    assert without.filter(pl.col("source") == "blog.example.org")["channel"].unique().to_list() == ["referral"]


def test_bigquery_sql_snapshot_parses_and_reads_the_documented_fields():
    import sqlglot
    from sqlglot import exp

    sql = engines.bigquery_sql("my-project", "analytics_123456789", START, END)
    snapshot = REPO / "tests" / "snapshots" / "bigquery_cube.sql"
    assert sql == snapshot.read_text(encoding="utf-8").rstrip("\n"), "regenerate with python -m digistrat.engines --bigquery-snapshot"
    tree = sqlglot.parse_one(sql, read="bigquery")
    tables = {".".join(filter(None, (t.catalog, t.db, t.name))) for t in tree.find_all(exp.Table)}
    assert "my-project.analytics_123456789.events_*" in tables
    dotted = {col.sql(dialect="bigquery").replace("`", "") for col in tree.find_all(exp.Column)}
    dotted |= {dot.sql(dialect="bigquery").replace("`", "") for dot in tree.find_all(exp.Dot)}
    text = " ".join(sorted(dotted))
    for field in ("user_pseudo_id", "event_timestamp", "event_date", "event_params", "device.category",
                  "session_traffic_source_last_click.cross_channel_campaign.source",
                  "session_traffic_source_last_click.manual_campaign.medium",
                  "collected_traffic_source.manual_source", "collected_traffic_source.gclid", "_TABLE_SUFFIX"):
        assert field in text, field
    for key in ("ga_session_id", "page_location", "page_referrer"):
        assert f"'{key}'" in sql
    assert "'20240710' AND '20240715'" in sql.replace("\n", " ")  # the day before the range, for midnight


def test_a_connection_that_cannot_work_says_why_in_one_sentence(tmp_path, export):
    with pytest.raises(InputError, match="No Parquet file"):
        engines.compute(engines.Source(path=str(tmp_path / "none")))
    (tmp_path / "log.csv").write_text("date,source\n2024-01-01,google\n")
    with pytest.raises(InputError, match="CSV files"):
        engines.compute(engines.Source(path=str(tmp_path)))
    pl.DataFrame({"date": ["2024-01-01"], "source": ["google"]}).write_parquet(tmp_path / "flat.parquet")
    with pytest.raises(InputError, match="not a GA4 BigQuery export"):
        engines.compute(engines.Source(path=str(tmp_path / "flat.parquet")))
    with pytest.raises(InputError, match="ends"):
        engines.compute(engines.Source(path=str(export), start=END, end=START))
    with pytest.raises(InputError, match="Unknown engine"):
        engines.source_from_mapping("x", {"engine": "oracle"})
    assert engines.source_from_mapping("shop", {"engine": "bigquery", "project": "p", "dataset": "d"}) == \
        engines.Source(engine="bigquery", project="p", dataset="d", name="shop")


def test_cli_channels_engine_duckdb_gives_the_mix_of_the_range(export, raw_sessions):
    result = subprocess.run(
        [sys.executable, "-m", "digistrat", "channels", "--engine", "duckdb", str(export), "--from", START.isoformat(),
         "--to", END.isoformat(), "--own-domain", ga4_export.OWN_OTHER_DOMAIN, "--json"],
        capture_output=True, text=True, cwd=REPO, timeout=300)
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["engine"]["name"] == "duckdb" and data["engine"]["sessions"] == data["sessions"]
    assert {r["key"]: r["sessions"] for r in data["rows"]} == dict(expected_channels(in_range(raw_sessions), OWN))
    wrong = subprocess.run([sys.executable, "-m", "digistrat", "channels", "--engine", "duckdb", "/nonexistent/x"],
                           capture_output=True, text=True, cwd=REPO, timeout=120)
    assert wrong.returncode == 2 and wrong.stderr.count("\n") == 1 and "Traceback" not in wrong.stderr

"""A synthetic GA4 BigQuery export and a plain reading of its sessions, shared by the engine
tests and the "Connect a data source" page tests."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from pathlib import Path

import polars as pl
import pyarrow.parquet as pq
import pytest

from digistrat import channels, ga4_export
from digistrat.channels import ChannelSettings


@pytest.fixture(scope="session")
def export(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("ga4")
    ga4_export.write_export(folder, sessions=3_000, days=6, seed=7)
    return folder


@pytest.fixture(scope="session")
def raw_sessions(export) -> list[dict]:
    """Each session as a plain reading of the events says it is: no engine, no cube, no canonical URLs."""
    events = pq.read_table(sorted(export.glob("*.parquet"))).to_pylist()
    firsts: dict[tuple, list[dict]] = {}
    for event in events:
        params = {p["key"]: p["value"] for p in event["event_params"]}
        session = params.get("ga_session_id", {}).get("int_value") if "ga_session_id" in params else None
        if session is None or event["user_pseudo_id"] is None:
            continue
        key = (event["user_pseudo_id"], session)
        best = firsts.get(key)
        if best is None or event["event_timestamp"] < best[0]["event_timestamp"]:
            firsts[key] = [dict(event, params=params)]
        elif event["event_timestamp"] == best[0]["event_timestamp"]:
            best.append(dict(event, params=params))
    rows = []
    for tied in firsts.values():
        event = tied[0]  # tied first events are session_start and page_view of one hit: the same values
        last = event["session_traffic_source_last_click"]
        cross = (last or {}).get("cross_channel_campaign") or {}
        collected = event["collected_traffic_source"] or {}
        given = None
        if last and (cross.get("source") or cross.get("medium")):
            given = (cross["source"], cross["medium"], cross["campaign_name"])
        elif collected.get("manual_source") or collected.get("manual_medium"):
            given = (collected["manual_source"], collected["manual_medium"], collected["manual_campaign_name"])
        rows.append({
            "date": dt.datetime.strptime(event["event_date"], "%Y%m%d").date(),
            "device": event["device"]["category"],
            "given": given,
            "referrer": event["params"].get("page_referrer", {}).get("string_value"),
            "landing": event["params"]["page_location"]["string_value"],
            "events_midnight": len({e["event_date"] for e in tied}),
        })
    return rows


def expected_channels(sessions: list[dict], settings: ChannelSettings) -> Counter:
    """Channel per session: GA4's attribution through `channels.classify`, else the raw URLs
    through `channels.sessions_from_urls` then `classify` — one row at a time."""
    counts: Counter = Counter()
    urls = [s for s in sessions if s["given"] is None]
    derived = channels.sessions_from_urls(
        pl.LazyFrame({"referrer": [s["referrer"] for s in urls], "landing_page": [s["landing"] for s in urls]},
                     schema={"referrer": pl.String, "landing_page": pl.String}), settings).collect()
    for row in derived.iter_rows(named=True):
        counts[channels.classify(row["source"], row["medium"], row["campaign"], settings)] += 1
    for session in sessions:
        if session["given"] is not None:
            counts[channels.classify(*session["given"], settings)] += 1
    return counts

"""Channel mix of a traffic dataset, whatever its shape: sessions, or tables already aggregated.

Row-level logs are classified (source / medium / campaign, or referrer + landing page);
exports that already carry a channel keep it; each row counts for its sessions column
when the table is aggregated.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from digistrat.channels import (
    CHANNEL_KEYS,
    ChannelSettings,
    bucket_of,
    classify_frame,
    map_channel_label,
    sessions_from_urls,
    split_source_medium,
)
from digistrat.datasets import Dataset
from digistrat.errors import InputError

BUCKET_KEYS = ("search", "external", "direct", "unassigned")
DEVICE_KEYS = ("desktop", "mobile", "tablet", "other")


@dataclass(frozen=True)
class ChannelMix:
    sessions: int
    channels: pl.DataFrame  # key, sessions, share (0–1), in CHANNEL_KEYS order, non-zero only
    buckets: pl.DataFrame  # key in search / external / direct (+ unassigned when present)
    devices: pl.DataFrame  # key in desktop / mobile / tablet / other; empty without a device column
    unmatched: pl.DataFrame  # what the rules could not place: source, medium, campaign, sessions


def classified(dataset: Dataset, settings: ChannelSettings) -> pl.LazyFrame:
    """The dataset with a `channel` column and a `sessions` count per row."""
    roles = dataset.roles
    lf = dataset.frame.lazy()
    count = roles.column_for("count")
    lf = lf.with_columns((pl.col(count).cast(pl.Float64) if count else pl.lit(1.0)).alias("sessions"))
    channel = roles.column_for("channel")
    if channel:
        labels = dataset.frame[channel].drop_nulls().unique()
        mapping = {value: map_channel_label(value) or "unassigned" for value in labels.to_list()}
        return lf.with_columns(
            pl.col(channel).replace_strict(mapping, default="unassigned", return_dtype=pl.String).alias("channel")
        )
    names = {}
    if roles.column_for("source_medium"):
        lf = split_source_medium(lf, roles.column_for("source_medium"))
        names = {"source": "source", "medium": "medium"}
    elif roles.column_for("source") or roles.column_for("medium"):
        names = {r: roles.column_for(r) for r in ("source", "medium")}
    elif roles.column_for("referrer") or roles.column_for("landing_page"):
        lf = sessions_from_urls(
            lf, settings,
            referrer=roles.column_for("referrer") or "referrer",
            landing_page=roles.column_for("landing_page") or "landing_page",
        )
        names = {"source": "source", "medium": "medium", "campaign": "campaign"}
    else:
        raise InputError(
            "This file has no column saying where visits come from (channel, source/medium or referrer): "
            "set one column's role to 'channel', 'source' or 'referrer'."
        )
    for role in ("source", "medium"):
        if not names.get(role):
            lf = lf.with_columns(pl.lit(None, dtype=pl.String).alias(role))
            names[role] = role
    campaign = names.get("campaign") or roles.column_for("campaign")
    if not campaign:
        lf = lf.with_columns(pl.lit(None, dtype=pl.String).alias("campaign"))
        campaign = "campaign"
    return classify_frame(lf, settings, source=names["source"], medium=names["medium"], campaign=campaign)


def _shares(frame: pl.DataFrame, order: tuple[str, ...]) -> pl.DataFrame:
    total = frame["sessions"].sum()
    ranked = {key: i for i, key in enumerate(order)}
    return (
        frame.filter(pl.col("sessions") > 0)
        .with_columns((pl.col("sessions") / total if total else pl.lit(0.0)).alias("share"))
        .with_columns(pl.col("key").replace_strict(ranked, default=len(order)).alias("_rank"))
        .sort("_rank")
        .drop("_rank")
    )


def channel_mix(dataset: Dataset, settings: ChannelSettings = ChannelSettings()) -> ChannelMix:
    lf = classified(dataset, settings)
    by_channel = (
        lf.group_by("channel").agg(pl.col("sessions").sum()).rename({"channel": "key"}).collect()
    )
    channels = _shares(by_channel, CHANNEL_KEYS)
    buckets = _shares(
        by_channel.with_columns(
            pl.col("key").replace_strict({k: bucket_of(k) for k in by_channel["key"].to_list()}).alias("key")
        ).group_by("key").agg(pl.col("sessions").sum()),
        BUCKET_KEYS,
    )
    if "device" in dataset.frame.columns:
        devices = _shares(
            lf.group_by(pl.col("device").cast(pl.String).alias("key")).agg(pl.col("sessions").sum())
            .drop_nulls("key").collect(),
            DEVICE_KEYS,
        )
    else:
        devices = pl.DataFrame(schema={"key": pl.String, "sessions": pl.Float64, "share": pl.Float64})
    group = [c for c in ("source", "medium", "campaign") if c in lf.collect_schema().names()]
    unmatched = (
        lf.filter(pl.col("channel") == "unassigned").group_by(group).agg(pl.col("sessions").sum())
        .sort("sessions", descending=True).collect()
        if group else pl.DataFrame()
    )
    return ChannelMix(
        sessions=int(round(by_channel["sessions"].sum())),
        channels=channels,
        buckets=buckets,
        devices=devices,
        unmatched=unmatched,
    )

"""Channel mix of a traffic dataset, whatever its shape: sessions, or tables already aggregated.

Row-level logs are classified (source / medium / campaign, or referrer + landing page);
exports that already carry a channel keep it; each row counts for its sessions column
when the table is aggregated.

The rows are summed once per dataset into the origin cube (sessions per distinct rule
inputs × date × device, a few thousand rows for a 10 M-session log); classifying with other
settings re-classifies the cube only. Everything after classification works on
`session_counts`: sessions per distinct (channel, date, device, origin). Trends, period and
dataset comparisons, push / pull and the channel × device grid are polars group_bys over it.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

import polars as pl

from digistrat.channels import (
    BUCKET_KEYS,
    Agreement,
    CHANNEL_KEYS,
    STRATEGY_KEYS,
    ChannelSettings,
    bucket_of,
    classify_frame,
    host_of,
    map_channel_label,
    map_distinct,
    agreement as channel_agreement,
    query_param,
    sessions_from_urls,
    split_source_medium,
    strategy_of,
)
from digistrat.datasets import Dataset
from digistrat.explore import direction
from digistrat.errors import InputError
from digistrat.messages import Message, message
from digistrat.roles import counts_sessions, header_role
from digistrat.schema import (
    FROM_CHANNEL, FROM_DEVICE, FROM_SESSION_SOURCE, FROM_SOURCE, FROM_SOURCE_MEDIUM, FROM_URLS, SurveySchema,
    TrafficSchema,
)
from digistrat.stats import benjamini_hochberg, difference
from digistrat.vocabulary import DEVICE_KEYS

GROUPINGS = ("channel", "bucket", "strategy", "device")
GRANULARITIES = {"day": "1d", "week": "1w", "month": "1mo"}  # weeks start on Monday (ISO)
ORIGIN_COLUMNS = ("source", "medium", "campaign")
LABEL_COLUMN = "label"  # an export's own channel label, kept to show what was not recognised
_ORDERS: dict[str, tuple[str, ...]] = {
    "channel": CHANNEL_KEYS,
    "bucket": BUCKET_KEYS,
    "strategy": (*STRATEGY_KEYS, "unassigned"),
    "device": DEVICE_KEYS,
}
_SHARE_SCHEMA = {"key": pl.String, "sessions": pl.Float64, "share": pl.Float64}


@dataclass(frozen=True)
class ChannelMix:
    sessions: int
    channels: pl.DataFrame  # key, sessions, share (0–1), in CHANNEL_KEYS order, non-zero only
    buckets: pl.DataFrame  # key in search / external / direct (+ unassigned when present)
    devices: pl.DataFrame  # key in desktop / mobile / tablet / other; empty without a device column
    unmatched: pl.DataFrame  # what the rules could not place, with its sessions
    strategies: pl.DataFrame  # key in push / pull (+ unassigned when present)


_ORIGIN_ROLES = frozenset({"channel", "source_medium", "source", "medium", "referrer", "landing_page"})


def traffic_schema(dataset: Dataset) -> TrafficSchema:
    """The dataset's traffic schema; InputError (one sentence) for a survey or another kind."""
    schema = dataset.schema
    if isinstance(schema, TrafficSchema):
        return schema
    if isinstance(schema, SurveySchema):
        raise InputError(message("input.survey_not_traffic", name=dataset.name, kind=dataset.kind))
    # A GA4 reports snapshot holds a dozen tables, a Matomo scheduled report sixty: say which of
    # them give channels, by a column's header or by a title naming channels ("Referrer Type").
    report = dataset.read
    others = [info.index for info in report.tables if info.index != report.table_index and info.rows
              and (any(header_role(column) in _ORIGIN_ROLES for column in info.columns)
                   or header_role(info.title or "") == "channel")]
    if others:
        raise InputError(message("input.not_traffic_table", name=dataset.name, table=report.table_index,
                                 count=len(others), listed=others))
    raise InputError(message("input.not_traffic", name=dataset.name, kind=dataset.kind))


@dataclass(frozen=True)
class Origin:
    """Which columns a dataset's channels come from, said to the user on the page and in the CLI."""

    source: str  # schema.FROM_*
    columns: tuple[str, ...]  # the columns the channel is computed from (or read from)
    label: str | None  # an export's own channel label kept beside them to check the rules
    rule_based: bool  # the channel settings (own domains, AI assistants, enriched) change the figures
    counted: str | None = None  # the count column when it counts something other than sessions or visits
    shares_only: bool = False  # the table gives shares of visits, no counts (the article's own table)

    @property
    def message(self) -> Message:
        code = f"origin.{self.source}" + ("_label" if self.label and self.source != FROM_CHANNEL else "")
        return message(code, columns=list(self.columns), label=self.label or "")

    def total(self, n: float) -> Message:
        """The total, said as what it counts: a GA4 user acquisition report counts users, not sessions."""
        if self.shares_only:
            return message("traffic.total_shares", column=self.counted or "")
        if self.counted:
            return message("traffic.total_of", n=n, column=self.counted)
        return message("traffic.total", n=n)


def origin_of(dataset: Dataset) -> Origin:
    schema = traffic_schema(dataset)
    columns = tuple(c for c in _rule_inputs(schema) if c != schema.channel or schema.origin == FROM_CHANNEL)
    label = schema.channel if schema.origin != FROM_CHANNEL else None
    counted = schema.sessions if schema.sessions and not counts_sessions(schema.sessions) else None
    return Origin(schema.origin, columns, label, schema.rule_based, counted, schema.sessions_are_shares)


def agreement(dataset: Dataset, settings: ChannelSettings = ChannelSettings()) -> Agreement | None:
    """How far the rules agree with the channel the export wrote beside what they read (GA4's
    "Session default channel group" next to its source / medium); None when it carries no label
    or the label is the origin itself."""
    schema = traffic_schema(dataset)
    if not (schema.channel and schema.rule_based):
        return None
    counts = session_counts(dataset, settings)
    # without a campaign column GA4's campaign-based rules cannot be checked: say so, not "(none)"
    campaign = "campaign" if schema.campaign else "__no_campaign"
    return channel_agreement(counts.drop("campaign") if not schema.campaign else counts, settings, label=LABEL_COLUMN,
                             campaign=campaign)


def classified(dataset: Dataset, settings: ChannelSettings) -> pl.LazyFrame:
    """The dataset with a `channel` column and a `sessions` count per row.

    An export that names its channel also gets `label`: its own text, unmapped.
    """
    schema = traffic_schema(dataset)
    return _with_channel(dataset.frame.lazy().with_columns(_sessions(schema).alias("sessions")), schema, settings)


def _sessions(schema: TrafficSchema) -> pl.Expr:
    # aggregated tables count each row for its sessions, or for its share when that is all
    # they give (the article's own table); row-level logs count one session a row
    return pl.col(schema.sessions).cast(pl.Float64) if schema.sessions else pl.lit(1.0)


def _labelled(lf: pl.LazyFrame, column: str) -> tuple[pl.LazyFrame, pl.Expr]:
    """`lf` with the export's own channel text as `label`, and that label mapped to a channel key."""
    labels = lf.select(pl.col(column).cast(pl.String).drop_nulls().unique()).collect().to_series()
    mapping = {value: map_channel_label(value) or "unassigned" for value in labels.to_list()}
    text = pl.col(column).cast(pl.String)
    return lf.with_columns(text.alias(LABEL_COLUMN)), text.replace_strict(mapping, default="unassigned",
                                                                           return_dtype=pl.String)


def _with_channel(lf: pl.LazyFrame, schema: TrafficSchema, settings: ChannelSettings) -> pl.LazyFrame:
    """`lf` (the dataset's rows, or its origin cube) with `channel` and the rules' inputs
    under their role names: source / medium / campaign, and `label` when the export names
    its own channel (the origin itself, or GA4's label beside the source / medium)."""
    if schema.origin == FROM_CHANNEL:
        lf, channel = _labelled(lf, schema.channel)
        return lf.with_columns(channel.alias("channel"))
    if schema.origin == FROM_DEVICE:
        # A device report (GA4's "Device category"): devices without channels.
        return lf.with_columns(pl.lit(None, dtype=pl.String).alias(c) for c in ("channel", *ORIGIN_COLUMNS))
    names: dict[str, str | None] = {}
    if schema.source_medium:
        lf = split_source_medium(lf, schema.source_medium)
        names = {"source": "source", "medium": "medium"}
    elif schema.origin in (FROM_SOURCE_MEDIUM, FROM_SOURCE):
        names = {"source": schema.source, "medium": schema.medium}
    else:
        landing = schema.landing_page or "landing_page"
        if not schema.referrer:
            _require_tagged_pages(lf, landing)
        lf = sessions_from_urls(lf, settings, referrer=schema.referrer or "referrer", landing_page=landing)
        if not schema.referrer:
            # Without a referrer an untagged landing page says nothing of where its visit came
            # from: "(not set)" as GA4 writes the unknown, so Unassigned, not Direct.
            untagged = ~_tagged(pl.col(landing))
            lf = lf.with_columns(
                pl.when(untagged).then(pl.lit("(not set)")).otherwise(pl.col(c)).alias(c) for c in ORIGIN_COLUMNS)
        if schema.origin == FROM_SESSION_SOURCE:
            # GA4's own attribution of the session, where the export gives one, wins over its URLs
            given = pl.col(schema.source).is_not_null() | pl.col(schema.medium).is_not_null()
            lf = lf.with_columns(
                pl.when(given).then(pl.col(getattr(schema, c)).cast(pl.String)).otherwise(pl.col(c)).alias(c)
                for c in ORIGIN_COLUMNS)
        names = {"source": "source", "medium": "medium", "campaign": "campaign"}
    for role in ("source", "medium"):
        if not names.get(role):
            lf = lf.with_columns(pl.lit(None, dtype=pl.String).alias(role))
            names[role] = role
    campaign = names.get("campaign") or schema.campaign
    if not campaign:
        lf = lf.with_columns(pl.lit(None, dtype=pl.String).alias("campaign"))
        campaign = "campaign"
    # A medium column that is there but empty follows strict GA4 (Unassigned), not implied media.
    lf = classify_frame(lf, settings, source=names["source"], medium=names["medium"], campaign=campaign,
                        medium_given=True if schema.medium else None)
    if schema.channel:  # GA4's own label beside the source / medium: kept to check the rules against it
        lf, _ = _labelled(lf, schema.channel)
    # The rules' inputs under their role names, whatever the file called them.
    return lf.with_columns(
        pl.col(names["source"]).cast(pl.String).alias("source"),
        pl.col(names["medium"]).cast(pl.String).alias("medium"),
        pl.col(campaign).cast(pl.String).alias("campaign"),
    )


def _tagged(url: pl.Expr) -> pl.Expr:
    """True where a landing page carries what the rules attribute a visit by: a utm_source or
    utm_medium value, or a Google / Microsoft Ads click id."""
    return url.cast(pl.String).str.contains(
        r"(?i)[?&](?:(?:utm_source|utm_medium)=[^&#\s]|(?:gclid|wbraid|gbraid|msclkid)=)").fill_null(False)


def _require_tagged_pages(lf: pl.LazyFrame, landing: str) -> None:
    """Refuse landing pages alone when none is tagged: nothing in the file says where visits came from."""
    if landing in lf.collect_schema() and not lf.select(_tagged(pl.col(landing)).any()).collect().item():
        raise InputError(message("input.untagged_landing_pages", column=landing))


# ---------------------------------------------------------------------------------------
# The origin cube: sessions per distinct rule inputs × date × device, once per dataset
# ---------------------------------------------------------------------------------------

_DATE, _DEVICE, _SESSIONS = "__tr_date", "__tr_device", "__tr_sessions"


def _rule_inputs(schema: TrafficSchema) -> list[str]:
    """The columns the channel rules read (whatever the settings), and GA4's own label beside them."""
    if schema.origin == FROM_CHANNEL:
        wanted = [schema.channel]
    elif schema.origin == FROM_URLS:
        wanted = [schema.referrer, schema.landing_page]
    elif schema.origin == FROM_SESSION_SOURCE:
        wanted = [schema.source, schema.medium, schema.campaign, schema.referrer, schema.landing_page]
    elif schema.origin == FROM_DEVICE:
        wanted = []
    else:
        wanted = [schema.source_medium, schema.source, schema.medium, schema.campaign, schema.channel]
    return list(dict.fromkeys(c for c in wanted if c))


def origin_cube(dataset: Dataset) -> pl.DataFrame:
    """Sessions summed per distinct (rule inputs, date, device) of the dataset, built once
    per dataset and kept with it: a classification setting only re-classifies these rows.

    Referrer and landing-page URLs are first reduced to one representative URL per distinct
    set of what the rules read from them (UTM tags, click ids, host; the referrer's host or
    app), so a log with a click id in every URL still gives a small cube.
    """
    schema = traffic_schema(dataset)
    return dataset.derived("traffic.origin_cube", lambda: _build_cube(dataset.frame, schema))


def _build_cube(frame: pl.DataFrame, schema: TrafficSchema) -> pl.DataFrame:
    inputs = _rule_inputs(schema)
    keys: list[pl.Expr] = [pl.col(c) for c in inputs]
    if schema.date and frame.schema[schema.date].is_temporal():
        keys.append(pl.col(schema.date).cast(pl.Date).alias(_DATE))
    if "device" in frame.columns:
        keys.append(pl.col("device").alias(_DEVICE))  # grouped as the Enum it is, text once grouped
    total = _sessions(schema).fill_null(0).sum() if schema.sessions else pl.len().cast(pl.Float64)
    # the streaming engine sums the rows morsel by morsel: a fraction of the in-memory engine's peak
    cube = frame.lazy().group_by(keys).agg(total.alias(_SESSIONS)).collect(engine="streaming")
    if _DEVICE in cube.columns:
        cube = cube.with_columns(pl.col(_DEVICE).cast(pl.String))
    if schema.origin != FROM_URLS:
        return cube
    for column in inputs:
        features = _landing_features if column == schema.landing_page else _referrer_features
        cube = cube.with_columns(_representative(cube[column], features))
    return cube.group_by(pl.exclude(_SESSIONS)).agg(pl.col(_SESSIONS).sum())


def _representative(urls: pl.Series, features: list[pl.Expr]) -> pl.Series:
    """Each URL replaced by the smallest URL that gives the rules the same inputs."""
    distinct = urls.cast(pl.String).unique().to_frame("url").with_columns(
        *(f.alias(f"__tr_f{i}") for i, f in enumerate(features)))
    firsts = distinct.group_by(pl.exclude("url")).agg(pl.col("url").min().alias("__tr_rep"))
    mapping = distinct.join(firsts, on=[c for c in firsts.columns if c != "__tr_rep"], nulls_equal=True)
    return urls.cast(pl.String).replace_strict(mapping["url"], mapping["__tr_rep"], default=None).alias(urls.name)


# What sessions_from_urls reads from a landing page: UTM tags, click ids, its host.
_landing_features = [
    *(query_param(pl.col("url"), name) for name in ("utm_source", "utm_medium", "utm_campaign")),
    pl.col("url").str.contains(r"(?i)[?&](?:gclid|wbraid|gbraid)="),
    pl.col("url").str.contains(r"(?i)[?&]msclkid="),
    map_distinct(pl.col("url"), host_of, pl.String()),
]


def _referrer_key(url: str) -> str:
    """What the referrer rules read: blank, the Android app and host, or the host."""
    text = url.strip()
    if not text:
        return "blank"
    scheme = re.match(r"(?i)^([a-z][a-z0-9+.\-]*)://", text)
    host = host_of(text) or ""
    if scheme and scheme.group(1).lower() == "android-app":
        return f"app\0{text.lower()}"  # the package decides; keeping the whole URL is finer, never coarser
    return f"host\0{host}"


_referrer_features = [map_distinct(pl.col("url"), _referrer_key, pl.String())]


def session_counts(dataset: Dataset, settings: ChannelSettings = ChannelSettings()) -> pl.DataFrame:
    """Sessions per distinct (channel, [date], [device], origin): the frame every figure comes from.

    Columns: channel, sessions (float), `date` (Date) when the dataset has a date column,
    `device` when it has a device column, source / medium / campaign when the rules gave the
    channel, and `label` when the export names its own channel (its origin, or GA4's label
    beside the source / medium). The rules run on the origin cube (one row per distinct rule
    inputs × date × device), never on the dataset's rows.
    """
    schema = traffic_schema(dataset)
    lf = _with_channel(origin_cube(dataset).lazy(), schema, settings)
    columns = lf.collect_schema()
    keys: list[pl.Expr] = [pl.col("channel")]
    if _DATE in columns:
        keys.append(pl.col(_DATE).alias("date"))
    if _DEVICE in columns:
        keys.append(pl.col(_DEVICE).alias("device"))
    if schema.origin != FROM_CHANNEL:
        keys.extend(pl.col(name) for name in ORIGIN_COLUMNS)
    if LABEL_COLUMN in columns:
        keys.append(pl.col(LABEL_COLUMN))
    return lf.group_by(keys).agg(pl.col(_SESSIONS).sum().alias("sessions")).collect()


# ---------------------------------------------------------------------------------------
# Shares by channel, bucket, strategy or device
# ---------------------------------------------------------------------------------------


def _check_grouping(by: str) -> None:
    if by not in GROUPINGS:
        raise InputError(message("input.unknown_grouping", by=by, groupings=list(GROUPINGS)))


def _key_expr(by: str, settings: ChannelSettings) -> pl.Expr:
    if by == "device":
        return pl.col("device").cast(pl.String)
    if by == "channel":
        return pl.col("channel")
    if by == "bucket":
        mapping = {key: bucket_of(key) for key in CHANNEL_KEYS}
    else:
        mapping = {key: strategy_of(key, settings) or "unassigned" for key in CHANNEL_KEYS}
    return pl.col("channel").replace_strict(mapping, default="unassigned", return_dtype=pl.String)


def _keyed(counts: pl.DataFrame, by: str, settings: ChannelSettings, assigned_only: bool) -> pl.LazyFrame:
    """(key, sessions, …) rows; devices drop rows without a device, the other groupings rows
    without a channel (a device report has none), `assigned_only` drops Unassigned."""
    _check_grouping(by)
    if by == "device" and "device" not in counts.columns:
        raise InputError(message("input.no_device"))
    lf = counts.lazy()
    if by != "device":
        lf = lf.filter(pl.col("channel").is_not_null())
    if assigned_only:
        lf = lf.filter(pl.col("channel").ne_missing("unassigned"))
    lf = lf.with_columns(_key_expr(by, settings).alias("key"))
    return lf.drop_nulls("key") if by == "device" else lf


def _rank(column: str, order: tuple[str, ...]) -> pl.Expr:
    return pl.col(column).replace_strict({k: i for i, k in enumerate(order)}, default=len(order), return_dtype=pl.Int64)


def _ordered(frame: pl.DataFrame, by: str, *first: str) -> pl.DataFrame:
    return frame.sort(*first, _rank("key", _ORDERS[by]), "key")


def shares(
    counts: pl.DataFrame,
    by: str = "channel",
    settings: ChannelSettings = ChannelSettings(),
    *,
    assigned_only: bool = False,
) -> pl.DataFrame:
    """key, sessions, share (0–1) for each channel / bucket / strategy / device that occurs, in display order."""
    grouped = (
        _keyed(counts, by, settings, assigned_only).group_by("key").agg(pl.col("sessions").sum())
        .filter(pl.col("sessions") > 0).collect()
    )
    total = grouped["sessions"].sum()
    if not total:
        return pl.DataFrame(schema=_SHARE_SCHEMA)
    return _ordered(grouped.with_columns(share=pl.col("sessions") / total), by).select(*_SHARE_SCHEMA)


def unmatched(counts: pl.DataFrame) -> pl.DataFrame:
    """What the rules (or the label mapping) left Unassigned: its origin columns, sessions, share of all sessions."""
    origin = list(ORIGIN_COLUMNS) if "source" in counts.columns else [LABEL_COLUMN]
    total = counts["sessions"].sum()
    return (
        counts.lazy().filter(pl.col("channel") == "unassigned")
        .group_by(origin).agg(pl.col("sessions").sum())
        .with_columns(share=pl.col("sessions") / total if total else pl.lit(None, pl.Float64))
        .sort("sessions", *origin, descending=[True] + [False] * len(origin), nulls_last=True)
        .collect()
    )


def mix(counts: pl.DataFrame, settings: ChannelSettings = ChannelSettings()) -> ChannelMix:
    """Channels, buckets, strategies and devices of a `session_counts` frame.

    Channels, buckets, strategies and unmatched are shares of the sessions with a channel (empty
    frames for a device report, which has none); devices are shares of all sessions.
    """
    devices = shares(counts, "device", settings) if "device" in counts.columns else pl.DataFrame(schema=_SHARE_SCHEMA)
    return ChannelMix(
        sessions=int(round(counts["sessions"].sum())),
        channels=shares(counts, "channel", settings),
        buckets=shares(counts, "bucket", settings),
        devices=devices,
        unmatched=unmatched(counts),
        strategies=shares(counts, "strategy", settings),
    )


def channel_mix(dataset: Dataset, settings: ChannelSettings = ChannelSettings()) -> ChannelMix:
    return mix(session_counts(dataset, settings), settings)


def device_by_channel(
    counts: pl.DataFrame,
    by: str = "channel",
    settings: ChannelSettings = ChannelSettings(),
    *,
    assigned_only: bool = False,
) -> pl.DataFrame:
    """The channel × device grid: key, device, sessions, share (0–1) of the key's sessions on that device.

    Every pair of a key and a device that occur is present (0 where none), keys in display order.
    """
    if "device" not in counts.columns:
        raise InputError(message("input.no_device"))
    if counts.height and counts["channel"].null_count() == counts.height:
        raise InputError(message("input.devices_only"))
    lf = _keyed(counts, by, settings, assigned_only).filter(pl.col("device").is_not_null())
    cells = lf.group_by("key", "device").agg(pl.col("sessions").sum()).filter(pl.col("sessions") > 0).collect()
    grid = cells.select("key").unique().join(cells.select("device").unique(), how="cross")
    full = (
        grid.join(cells, on=["key", "device"], how="left")
        .with_columns(pl.col("sessions").fill_null(0.0))
        .with_columns(share=pl.col("sessions") / pl.col("sessions").sum().over("key"))
    )
    return full.sort(_rank("key", _ORDERS[by]), _rank("device", DEVICE_KEYS), "key")


# ---------------------------------------------------------------------------------------
# Time: trend per day / week / month, periods
# ---------------------------------------------------------------------------------------


def date_span(counts: pl.DataFrame) -> tuple[dt.date, dt.date] | None:
    """First and last day with sessions, or None when the data has no dates."""
    if "date" not in counts.columns:
        return None
    dates = counts["date"].drop_nulls()
    return (dates.min(), dates.max()) if dates.len() else None


def trend(
    counts: pl.DataFrame,
    granularity: str = "week",
    by: str = "channel",
    settings: ChannelSettings = ChannelSettings(),
    *,
    assigned_only: bool = False,
) -> pl.DataFrame:
    """period (Date: the day, the Monday of the week, the 1st of the month), key, sessions,
    share (0–1) of the period's sessions; rows without a date are left out."""
    if granularity not in GRANULARITIES:
        raise InputError(message("input.unknown_step", step=granularity, steps=list(GRANULARITIES)))
    if "date" not in counts.columns:
        raise InputError(message("input.no_date"))
    grouped = (
        _keyed(counts, by, settings, assigned_only)
        .filter(pl.col("date").is_not_null())
        .group_by(pl.col("date").dt.truncate(GRANULARITIES[granularity]).alias("period"), "key")
        .agg(pl.col("sessions").sum())
        .filter(pl.col("sessions") > 0)
        .with_columns(share=pl.col("sessions") / pl.col("sessions").sum().over("period"))
        .collect()
    )
    return _ordered(grouped, by, "period").select("period", "key", "sessions", "share")


def between(counts: pl.DataFrame, start: dt.date, end: dt.date) -> pl.DataFrame:
    """The rows dated from `start` to `end`, both included."""
    if "date" not in counts.columns:
        raise InputError(message("input.no_date"))
    if end < start:
        raise InputError(message("input.period_reversed", start=start.isoformat(), end=end.isoformat()))
    return counts.filter(pl.col("date").is_between(start, end, closed="both"))


def previous_period(start: dt.date, end: dt.date) -> tuple[dt.date, dt.date]:
    """The period of the same length that ends the day before `start`."""
    length = (end - start).days + 1
    previous_end = start - dt.timedelta(days=1)
    return previous_end - dt.timedelta(days=length - 1), previous_end


def default_period(span: tuple[dt.date, dt.date], days: int = 28) -> tuple[dt.date, dt.date]:
    """The last `days` days of the data, or its second half when the data is shorter than two such periods."""
    first, last = span
    length = min(days, ((last - first).days + 1) // 2) or 1
    return last - dt.timedelta(days=length - 1), last


# ---------------------------------------------------------------------------------------
# Two samples side by side: periods or datasets
# ---------------------------------------------------------------------------------------


def compare(
    before: pl.DataFrame,
    after: pl.DataFrame,
    by: str = "channel",
    settings: ChannelSettings = ChannelSettings(),
    *,
    assigned_only: bool = False,
    level: float = 0.95,
) -> pl.DataFrame:
    """Each key's share in two `session_counts` frames and the change in points.

    Columns: key, sessions_a, share_a, sessions_b, share_b (0–1), change = share_b − share_a,
    ci_low / ci_high (Newcombe interval of the change), p_value (two-proportion z-test on the
    session counts) and p_adjusted (Benjamini–Hochberg over the keys). Sessions are not
    independent draws (a visitor returns), so the tests are indicative; they are null when
    one side has no sessions. direction: explore.direction of the change at `level` (None untested).
    """
    a = shares(before, by, settings, assigned_only=assigned_only)
    b = shares(after, by, settings, assigned_only=assigned_only)
    n_a, n_b = a["sessions"].sum(), b["sessions"].sum()
    both = (
        a.rename({"sessions": "sessions_a", "share": "share_a"})
        .join(b.rename({"sessions": "sessions_b", "share": "share_b"}), on="key", how="full", coalesce=True)
        .with_columns(pl.col("^sessions_.$|^share_.$").fill_null(0.0))
        .with_columns(change=pl.col("share_b") - pl.col("share_a"))
    )
    tests = [
        difference(row["share_b"], n_b, row["share_a"], n_a, level) if n_a > 0 and n_b > 0 else None
        for row in both.iter_rows(named=True)
    ]
    p_values = [test.p_value for test in tests if test is not None]
    adjusted = iter(benjamini_hochberg(p_values).tolist())
    both = both.with_columns(
        pl.Series("ci_low", [test.ci_low if test else None for test in tests], dtype=pl.Float64),
        pl.Series("ci_high", [test.ci_high if test else None for test in tests], dtype=pl.Float64),
        pl.Series("p_value", [test.p_value if test else None for test in tests], dtype=pl.Float64),
        pl.Series("p_adjusted", [next(adjusted) if test else None for test in tests], dtype=pl.Float64),
    )
    both = both.with_columns(pl.Series(
        "direction", [direction(c, p, level) for c, p in zip(both["change"].to_list(), both["p_adjusted"].to_list())],
        dtype=pl.String,
    ))
    return _ordered(both, by).select(
        "key", "sessions_a", "share_a", "sessions_b", "share_b", "change", "ci_low", "ci_high", "p_value", "p_adjusted",
        "direction",
    )

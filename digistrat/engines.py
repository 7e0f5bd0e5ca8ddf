"""The origin cube of a GA4 export, computed where the data lives: DuckDB (embedded, the
default), Spark or BigQuery, from one ibis expression; polars over the same files is the
reference the engines must equal.

A GA4 export has one row per event (`digistrat.ga4_export` documents the shape). A session
is (`user_pseudo_id`, `ga_session_id` from `event_params`); events without either belong to
no session and are left out, counted. Each session contributes one row to the cube:

- its date: the `event_date` of its first event (a session that crosses midnight counts
  once, on the day it started). The events are read from the day before the range, so a
  session that started then is not mistaken for one that starts after midnight;
- its device: `device.category` of its first event;
- its origin, as GA4 attributes it: `session_traffic_source_last_click` (GA4's session-scoped
  last click: `cross_channel_campaign` where it names a source or medium, which is what GA4's
  "Session source / medium" shows, Google Ads and direct included; else `manual_campaign`)
  — on every event of the session, since mid-2024. Where the export has none (older tables),
  the first event's `collected_traffic_source` (the utm_ tags GA4 collected) where it names
  a source or medium. Otherwise the first event's `page_referrer` and `page_location`
  (the landing page), which the URL rules read as they read any log, with the
  `collected_traffic_source.gclid` a Google Ads click leaves.

The first event is the one with the smallest `event_timestamp`; when several share it
(`session_start` and the first `page_view` do), each field is the smallest value among
them, so every engine picks the same. URLs are reduced in the engine to what the rules read
(`canonical_referrer`, `canonical_landing`): the referrer's host (or Android app), the landing
page's host, utm_source / utm_medium / utm_campaign as written, and whether it carries a Google
or Microsoft click id. A cube is a few thousand rows however many events went in.

The cube's columns: session_source, session_medium, session_campaign, referrer, landing_page,
event_date (YYYYMMDD), device_category, sessions. `connected_dataset` makes it a `Dataset`
the channels page and the CLI use as any other (`schema.FROM_SESSION_SOURCE`).
"""

from __future__ import annotations

import datetime as dt
import glob
import hashlib
import os
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl

from digistrat.errors import InputError
from digistrat.messages import message

ENGINES = ("duckdb", "spark", "bigquery")
DEFAULT_ENGINE = "duckdb"
CUBE_COLUMNS = ("session_source", "session_medium", "session_campaign", "referrer", "landing_page", "event_date",
                "device_category")
SESSIONS = "sessions"
DUCKDB_MEMORY_ENV = "DIGISTRAT_DUCKDB_MEMORY"  # DuckDB's memory_limit ("2GB"); past it, it spills to disk
DUCKDB_MEMORY_DEFAULT = "2GB"
SPARK_MASTER_ENV = "DIGISTRAT_SPARK_MASTER"  # spark://host:7077; local[*] when unset

# What the rules read from a URL, in the three regex dialects (RE2, Java, Rust) alike.
_SCHEME = r"^[a-z][a-z0-9+.\-]*://"
_CLICK_GOOGLE = r"(?i)[?&](?:gclid|wbraid|gbraid)="
_CLICK_MICROSOFT = r"(?i)[?&]msclkid="
_TAGS = ("utm_source", "utm_medium", "utm_campaign")


@dataclass(frozen=True)
class Source:
    """Where a cube comes from: an engine and its data, and the days wanted (both included)."""

    engine: str = DEFAULT_ENGINE
    path: str | None = None  # duckdb / spark: a folder of Parquet files, a file or a glob
    project: str | None = None  # bigquery: the Google Cloud project
    dataset: str | None = None  # bigquery: the export's dataset, analytics_<property id>
    master: str | None = None  # spark: spark://host:port; None: $DIGISTRAT_SPARK_MASTER, else local[*]
    start: dt.date | None = None
    end: dt.date | None = None
    name: str | None = None  # the connection's name in secrets.toml, when it came from there

    @property
    def label(self) -> str:
        where = self.path if self.engine != "bigquery" else f"{self.project}.{self.dataset}"
        return self.name or str(where)


@dataclass(frozen=True)
class EngineCube:
    frame: pl.DataFrame  # CUBE_COLUMNS + sessions (Int64)
    engine: str
    events: int  # events dated in the range
    events_without_session: int  # of them, without user_pseudo_id or ga_session_id: in no session
    seconds: float
    source: Source

    @property
    def sessions(self) -> int:
        return int(self.frame[SESSIONS].sum())


# ---------------------------------------------------------------------------------------
# One expression for every engine
# ---------------------------------------------------------------------------------------


def _ibis():
    import ibis  # imported when a cube is asked for: the app starts without it

    return ibis


def _param(events, key: str, kind: str):
    """The value of `event_params[key]` (its string_value or int_value), null when absent."""
    return events.event_params.filter(lambda p: p.key == key).map(lambda p: p.value[kind])[0]


def _struct_field(events, path: tuple[str, ...], dtype: str = "string"):
    """A nested field, or a typed null when the export predates the record (older GA4 tables)."""
    ibis = _ibis()
    if path[0] not in events.columns:
        return ibis.null(dtype)
    value = events[path[0]]
    for name in path[1:]:
        if name not in value.type().names:
            return ibis.null(dtype)
        value = value[name]
    return value


def _host(url):
    """ibis: `channels.host_of` in SQL — lower case, no scheme, user, port, dots or www."""
    text = url.re_replace(r"^\s+|\s+$", "").lower()
    text = text.re_replace(_SCHEME, "").re_replace(r"[/?#].*$", "")
    text = text.re_replace(r"^.*@", "").re_replace(r":.*$", "").re_replace(r"^\.+|\.+$", "")
    text = text.re_replace(r"^www\.", "")
    return (text == "").ifelse(_ibis().null("string"), text)


def canonical_referrer(url):
    """ibis: the smallest referrer the rules read the same: 'android-app://<package>' for an
    Android app, else 'https://<host>/', null when there is no host."""
    text = url.re_replace(r"^\s+|\s+$", "")
    android = text.lower().re_search(r"^android-app://")
    package = text.lower().re_replace(r"^android-app://", "").re_replace(r"[/?#].*$", "")
    host = _host(url)
    return _ibis().cases(
        (android, "android-app://" + package),
        (host.notnull(), "https://" + host + "/"),
        else_=_ibis().null("string"),
    )


def canonical_landing(url, google_click):
    """ibis: the smallest landing page the rules read the same: its host, its utm_source /
    utm_medium / utm_campaign as written (encoded), and a click-id flag ('gclid=' / 'msclkid=')."""
    ibis = _ibis()
    parts = []
    for tag in _TAGS:
        value = url.re_extract(rf"(?i)[?&]{tag}=([^&#]*)", 1)
        found = url.re_search(rf"(?i)[?&]{tag}=")
        parts.append(found.ifelse("&" + tag + "=" + value, ""))
    parts.append((url.re_search(_CLICK_GOOGLE) | google_click).ifelse("&gclid=", ""))
    parts.append(url.re_search(_CLICK_MICROSOFT).ifelse("&msclkid=", ""))
    query = parts[0] + parts[1] + parts[2] + parts[3] + parts[4]
    tail = (query == "").ifelse("", "?" + query.substr(1))
    return url.isnull().ifelse(ibis.null("string"), "https://" + _host(url).fill_null("") + "/" + tail)


def cube_expression(events, start: dt.date | None = None, end: dt.date | None = None):
    """The origin cube of a GA4 events table (an ibis Table), as an ibis expression."""
    ibis = _ibis()
    if start is not None:
        # the day before too: a session that started then must not count as one starting after midnight
        events = events.filter(events.event_date >= (start - dt.timedelta(days=1)).strftime("%Y%m%d"))
    if end is not None:
        events = events.filter(events.event_date <= end.strftime("%Y%m%d"))
    cross = ("session_traffic_source_last_click", "cross_channel_campaign")
    manual = ("session_traffic_source_last_click", "manual_campaign")
    cross_given = _struct_field(events, (*cross, "source")).notnull() | _struct_field(events, (*cross, "medium")).notnull()

    def last_click(name: str, manual_name: str):
        return cross_given.ifelse(_struct_field(events, (*cross, name)), _struct_field(events, (*manual, manual_name)))

    rows = events.select(
        user=events.user_pseudo_id,
        session=_param(events, "ga_session_id", "int_value"),
        timestamp=events.event_timestamp,
        event_date=events.event_date,
        device_category=_struct_field(events, ("device", "category")),
        location=_param(events, "page_location", "string_value"),
        referrer=_param(events, "page_referrer", "string_value"),
        last_source=last_click("source", "source"),
        last_medium=last_click("medium", "medium"),
        last_campaign=last_click("campaign_name", "campaign_name"),
        tag_source=_struct_field(events, ("collected_traffic_source", "manual_source")),
        tag_medium=_struct_field(events, ("collected_traffic_source", "manual_medium")),
        tag_campaign=_struct_field(events, ("collected_traffic_source", "manual_campaign_name")),
        gclid=_struct_field(events, ("collected_traffic_source", "gclid")),
    )
    rows = rows.filter(rows.user.notnull() & rows.session.notnull())
    first = rows.mutate(first=rows.timestamp.min().over(group_by=[rows.user, rows.session]))
    first = first.filter(first.timestamp == first.first)
    sessions = first.group_by("user", "session").aggregate(
        event_date=first.event_date.min(),
        device_category=first.device_category.min(),
        location=first.location.min(),
        referrer=first.referrer.min(),
        last_source=first.last_source.min(), last_medium=first.last_medium.min(),
        last_campaign=first.last_campaign.min(),
        tag_source=first.tag_source.min(), tag_medium=first.tag_medium.min(),
        tag_campaign=first.tag_campaign.min(),
        google_click=first.gclid.notnull().any(),
    )
    if start is not None:
        sessions = sessions.filter(sessions.event_date >= start.strftime("%Y%m%d"))
    last_given = sessions.last_source.notnull() | sessions.last_medium.notnull()
    tag_given = sessions.tag_source.notnull() | sessions.tag_medium.notnull()
    given = last_given | tag_given
    no_text = ibis.null("string")
    origins = sessions.select(
        session_source=ibis.cases((last_given, sessions.last_source), (tag_given, sessions.tag_source), else_=no_text),
        session_medium=ibis.cases((last_given, sessions.last_medium), (tag_given, sessions.tag_medium), else_=no_text),
        session_campaign=ibis.cases((last_given, sessions.last_campaign), (tag_given, sessions.tag_campaign),
                                    else_=no_text),
        # what the rules do not read is not kept: the URLs only where GA4 attributed nothing
        referrer=given.ifelse(no_text, canonical_referrer(sessions.referrer)),
        landing_page=given.ifelse(no_text, canonical_landing(sessions.location, sessions.google_click)),
        event_date=sessions.event_date,
        device_category=sessions.device_category,
    )
    return origins.group_by(*CUBE_COLUMNS).aggregate(**{SESSIONS: origins.count()})


def tally_expression(events, start: dt.date | None = None, end: dt.date | None = None):
    """Events dated in the range, and those in no session (no user_pseudo_id or ga_session_id)."""
    if start is not None:
        events = events.filter(events.event_date >= start.strftime("%Y%m%d"))
    if end is not None:
        events = events.filter(events.event_date <= end.strftime("%Y%m%d"))
    orphan = events.user_pseudo_id.isnull() | _param(events, "ga_session_id", "int_value").isnull()
    return events.aggregate(events=events.count(), events_without_session=orphan.sum())


# ---------------------------------------------------------------------------------------
# The polars reference: the same definition, written once more in polars
# ---------------------------------------------------------------------------------------


def _pl_param(key: str, kind: str) -> pl.Expr:
    return (
        pl.col("event_params").list.eval(
            pl.element().filter(pl.element().struct.field("key") == key).struct.field("value").struct.field(kind))
        .list.first()
    )


def _pl_nested(path: tuple[str, ...]) -> pl.Expr:
    expr = pl.col(path[0])
    for name in path[1:]:
        expr = expr.struct.field(name)
    return expr


def _pl_host(url: pl.Expr) -> pl.Expr:
    text = url.str.replace_all(r"^\s+|\s+$", "").str.to_lowercase()
    text = text.str.replace(_SCHEME, "").str.replace(r"[/?#].*$", "")
    text = text.str.replace(r"^.*@", "").str.replace(r":.*$", "").str.replace_all(r"^\.+|\.+$", "")
    text = text.str.replace(r"^www\.", "")
    return pl.when(text != "").then(text)


def _pl_canonical_referrer(url: pl.Expr) -> pl.Expr:
    lower = url.str.replace_all(r"^\s+|\s+$", "").str.to_lowercase()
    package = lower.str.replace(r"^android-app://", "").str.replace(r"[/?#].*$", "")
    host = _pl_host(url)
    return (
        pl.when(lower.str.contains(r"^android-app://")).then(pl.lit("android-app://") + package)
        .when(host.is_not_null()).then(pl.lit("https://") + host + pl.lit("/"))
    )


def _pl_canonical_landing(url: pl.Expr, google_click: pl.Expr) -> pl.Expr:
    parts = []
    for tag in _TAGS:
        value = url.str.extract(rf"(?i)[?&]{tag}=([^&#]*)", 1)
        parts.append(pl.when(url.str.contains(rf"(?i)[?&]{tag}=")).then(pl.lit(f"&{tag}=") + value).otherwise(pl.lit("")))
    parts.append(pl.when(url.str.contains(_CLICK_GOOGLE) | google_click).then(pl.lit("&gclid=")).otherwise(pl.lit("")))
    parts.append(pl.when(url.str.contains(_CLICK_MICROSOFT)).then(pl.lit("&msclkid=")).otherwise(pl.lit("")))
    query = pl.concat_str(parts)
    tail = pl.when(query == "").then(pl.lit("")).otherwise(pl.lit("?") + query.str.slice(1))
    return pl.when(url.is_not_null()).then(pl.lit("https://") + _pl_host(url).fill_null("") + pl.lit("/") + tail)


def polars_cube(paths: list[str], start: dt.date | None = None, end: dt.date | None = None) -> pl.DataFrame:
    """The reference: the cube by polars (streaming engine) over the same Parquet files."""
    lf = pl.scan_parquet(paths)
    names = lf.collect_schema().names()
    if start is not None:
        lf = lf.filter(pl.col("event_date") >= (start - dt.timedelta(days=1)).strftime("%Y%m%d"))
    if end is not None:
        lf = lf.filter(pl.col("event_date") <= end.strftime("%Y%m%d"))

    def field(*path: str) -> pl.Expr:
        if path[0] not in names:
            return pl.lit(None, pl.String)
        return _pl_nested(path)

    cross = ("session_traffic_source_last_click", "cross_channel_campaign")
    manual = ("session_traffic_source_last_click", "manual_campaign")
    cross_given = field(*cross, "source").is_not_null() | field(*cross, "medium").is_not_null()

    def last_click(name: str) -> pl.Expr:
        return pl.when(cross_given).then(field(*cross, name)).otherwise(field(*manual, name))

    rows = lf.select(
        user=pl.col("user_pseudo_id"),
        session=_pl_param("ga_session_id", "int_value"),
        timestamp=pl.col("event_timestamp"),
        event_date=pl.col("event_date"),
        device_category=field("device", "category"),
        location=_pl_param("page_location", "string_value"),
        referrer=_pl_param("page_referrer", "string_value"),
        last_source=last_click("source"), last_medium=last_click("medium"),
        last_campaign=last_click("campaign_name"),
        tag_source=field("collected_traffic_source", "manual_source"),
        tag_medium=field("collected_traffic_source", "manual_medium"),
        tag_campaign=field("collected_traffic_source", "manual_campaign_name"),
        gclid=field("collected_traffic_source", "gclid"),
    ).filter(pl.col("user").is_not_null() & pl.col("session").is_not_null())
    first = rows.filter(pl.col("timestamp") == pl.col("timestamp").min().over("user", "session"))
    sessions = first.group_by("user", "session").agg(
        *(pl.col(c).min() for c in ("event_date", "device_category", "location", "referrer", "last_source",
                                    "last_medium", "last_campaign", "tag_source", "tag_medium", "tag_campaign")),
        google_click=pl.col("gclid").is_not_null().any(),
    )
    if start is not None:
        sessions = sessions.filter(pl.col("event_date") >= start.strftime("%Y%m%d"))
    last_given = pl.col("last_source").is_not_null() | pl.col("last_medium").is_not_null()
    tag_given = pl.col("tag_source").is_not_null() | pl.col("tag_medium").is_not_null()
    given = last_given | tag_given

    def attributed(last: str, tag: str) -> pl.Expr:
        return pl.when(last_given).then(pl.col(last)).when(tag_given).then(pl.col(tag))

    cube = sessions.select(
        session_source=attributed("last_source", "tag_source"),
        session_medium=attributed("last_medium", "tag_medium"),
        session_campaign=attributed("last_campaign", "tag_campaign"),
        referrer=pl.when(~given).then(_pl_canonical_referrer(pl.col("referrer"))),
        landing_page=pl.when(~given).then(_pl_canonical_landing(pl.col("location"), pl.col("google_click"))),
        event_date=pl.col("event_date"),
        device_category=pl.col("device_category"),
    ).group_by(CUBE_COLUMNS).agg(pl.len().cast(pl.Int64).alias(SESSIONS))
    return cube.collect(engine="streaming")


def polars_tally(paths: list[str], start: dt.date | None = None, end: dt.date | None = None) -> tuple[int, int]:
    lf = pl.scan_parquet(paths)
    if start is not None:
        lf = lf.filter(pl.col("event_date") >= start.strftime("%Y%m%d"))
    if end is not None:
        lf = lf.filter(pl.col("event_date") <= end.strftime("%Y%m%d"))
    orphan = pl.col("user_pseudo_id").is_null() | _pl_param("ga_session_id", "int_value").is_null()
    row = lf.select(pl.len(), orphan.sum()).collect(engine="streaming").row(0)
    return int(row[0]), int(row[1])


def sorted_cube(frame: pl.DataFrame) -> pl.DataFrame:
    """A cube in one order, its types fixed: two cubes are equal when these frames are."""
    return frame.select(*(pl.col(c).cast(pl.String) for c in CUBE_COLUMNS), pl.col(SESSIONS).cast(pl.Int64)).sort(
        CUBE_COLUMNS, nulls_last=True)


# ---------------------------------------------------------------------------------------
# Running it: DuckDB, Spark, BigQuery
# ---------------------------------------------------------------------------------------

_REQUIRED = ("event_date", "event_timestamp", "user_pseudo_id", "event_params")


def _has_scheme(path: str) -> bool:
    return "://" in path  # s3a://, hdfs://, gs://: for Spark to resolve, not the local disk


def parquet_files(path: str) -> list[str]:
    """The Parquet files a folder (searched recursively), a file or a glob names."""
    local = Path(path).expanduser()
    if local.is_dir():
        files = glob.glob(str(local / "**" / "*.parquet"), recursive=True)
    elif local.is_file():
        files = [str(local)]
    else:
        files = glob.glob(str(local), recursive=True)
    files = sorted(f for f in files if not f.lower().endswith(".csv"))
    if not files:
        csv = local.is_dir() and any(local.glob("**/*.csv")) or str(path).lower().endswith(".csv")
        raise InputError(message("engine.csv_not_ga4" if csv else "engine.no_files", path=str(path)))
    return files


def _check_columns(columns: list[str], where: str) -> None:
    missing = [c for c in _REQUIRED if c not in columns]
    if missing:
        raise InputError(message("engine.not_ga4", path=where, missing=missing))


def _duckdb(source: Source):
    ibis = _ibis()
    files = parquet_files(source.path or "")
    spill = Path(os.environ.get("TMPDIR", "/tmp")) / "digistrat-duckdb"
    con = ibis.duckdb.connect(memory_limit=os.environ.get(DUCKDB_MEMORY_ENV, DUCKDB_MEMORY_DEFAULT),
                              temp_directory=str(spill), preserve_insertion_order=False)
    try:
        events = con.read_parquet(files, table_name="events", union_by_name=True)
    except Exception as error:  # duckdb's own errors: a damaged or foreign file
        raise InputError(message("engine.unreadable", path=source.path, reason=str(error).splitlines()[0])) from None
    _check_columns(events.columns, str(source.path))
    return con, events


_spark_session = None


def spark_session(master: str | None = None):
    """The process's one SparkSession (created on first use): `master`, else $DIGISTRAT_SPARK_MASTER, else local[*]."""
    global _spark_session
    if _spark_session is None:
        try:
            from pyspark.sql import SparkSession
        except ImportError:
            raise InputError(message("engine.missing_package", engine="spark", package="pyspark")) from None
        url = master or os.environ.get(SPARK_MASTER_ENV) or "local[*]"
        builder = (
            SparkSession.builder.master(url).appName("digistrat")
            .config("spark.sql.ansi.enabled", "false")  # a missing event parameter is null, not an error
            .config("spark.ui.enabled", "false")
            .config("spark.sql.session.timeZone", "UTC")
        )
        if url.startswith("local"):
            builder = builder.config("spark.sql.shuffle.partitions", str(max(2, (os.cpu_count() or 2) * 2)))
        try:
            _spark_session = builder.getOrCreate()
        except Exception as error:  # no Java, or a master out of reach
            raise InputError(message("engine.spark_start", master=url, reason=str(error).splitlines()[0])) from None
        _spark_session.sparkContext.setLogLevel("ERROR")
    return _spark_session


def _spark(source: Source):
    ibis = _ibis()
    spark = spark_session(source.master)
    path = source.path or ""
    paths = [path] if _has_scheme(path) else parquet_files(path)
    try:
        frame = spark.read.option("mergeSchema", "true").parquet(*paths)
    except Exception as error:
        raise InputError(message("engine.unreadable", path=path, reason=str(error).splitlines()[0])) from None
    _check_columns(frame.columns, path)
    frame.createOrReplaceTempView("digistrat_events")
    con = ibis.pyspark.connect(spark)
    return con, con.table("digistrat_events")


def bigquery_schema() -> dict[str, str]:
    """The GA4 export's columns the cube reads, as ibis types, with BigQuery's `_TABLE_SUFFIX`."""
    from digistrat.ga4_export import SCHEMA

    ibis = _ibis()
    schema = ibis.Schema.from_pyarrow(SCHEMA)
    return {**{name: dtype for name, dtype in schema.items()}, "_TABLE_SUFFIX": ibis.dtype("string")}


def bigquery_events(project: str, dataset: str, start: dt.date | None = None, end: dt.date | None = None):
    """The export's daily tables `events_*`, only the days wanted read (`_TABLE_SUFFIX`, which
    also leaves out the streaming export's `events_intraday_*`)."""
    ibis = _ibis()
    events = ibis.table(bigquery_schema(), name="events_*", catalog=project, database=dataset)
    first = (start - dt.timedelta(days=1)).strftime("%Y%m%d") if start else "00000000"
    last = end.strftime("%Y%m%d") if end else "99999999"
    return events.filter(events["_TABLE_SUFFIX"].between(first, last))


def bigquery_sql(project: str, dataset: str, start: dt.date | None = None, end: dt.date | None = None) -> str:
    """The cube as BigQuery SQL (what the BigQuery engine runs)."""
    ibis = _ibis()
    return ibis.to_sql(cube_expression(bigquery_events(project, dataset, start, end), start, end), dialect="bigquery")


def bigquery_tally_sql(project: str, dataset: str, start: dt.date | None = None, end: dt.date | None = None) -> str:
    ibis = _ibis()
    events = bigquery_events(project, dataset, start, end)
    return ibis.to_sql(tally_expression(events, start, end), dialect="bigquery")


def _bigquery_run(source: Source) -> tuple[Any, Any]:
    """Runs the two queries with the credentials the environment gives (GOOGLE_APPLICATION_CREDENTIALS,
    gcloud's application-default login, or the metadata server): untested here, no BigQuery to reach."""
    if not source.project or not source.dataset:
        raise InputError(message("engine.bigquery_where"))
    try:
        from google.cloud import bigquery
    except ImportError:
        raise InputError(message("engine.missing_package", engine="bigquery", package="google-cloud-bigquery")) from None
    try:
        client = bigquery.Client(project=source.project)
        cube = client.query(bigquery_sql(source.project, source.dataset, source.start, source.end)).to_arrow()
        tally = client.query(bigquery_tally_sql(source.project, source.dataset, source.start, source.end)).to_arrow()
    except Exception as error:  # credentials, permissions, quota: Google's own sentence
        raise InputError(message("engine.bigquery_failed", reason=str(error).splitlines()[0])) from None
    return cube, tally


def compute(source: Source) -> EngineCube:
    """The origin cube of `source` by its engine; InputError (one sentence) when it cannot."""
    if source.engine not in ENGINES:
        raise InputError(message("engine.unknown", engine=source.engine, engines=list(ENGINES)))
    if source.start and source.end and source.end < source.start:
        raise InputError(message("engine.period_reversed", start=source.start.isoformat(), end=source.end.isoformat()))
    began = time.perf_counter()
    if source.engine == "bigquery":
        cube, tally = _bigquery_run(source)
    else:
        if not source.path:
            raise InputError(message("engine.no_path", engine=source.engine))
        con, events = (_duckdb if source.engine == "duckdb" else _spark)(source)
        try:
            cube = con.to_pyarrow(cube_expression(events, source.start, source.end))
            tally = con.to_pyarrow(tally_expression(events, source.start, source.end))
        except InputError:
            raise
        except Exception as error:  # a file that changed or broke while it was read
            raise InputError(message("engine.unreadable", path=source.path, reason=str(error).splitlines()[0])) from None
    frame = pl.from_arrow(cube)
    counts = pl.from_arrow(tally).row(0)
    return EngineCube(sorted_cube(frame), source.engine, int(counts[0] or 0), int(counts[1] or 0),
                      time.perf_counter() - began, source)


# ---------------------------------------------------------------------------------------
# A named connection (.streamlit/secrets.toml) and the cube as a Dataset
# ---------------------------------------------------------------------------------------


def source_from_mapping(name: str, values: Mapping[str, Any]) -> Source:
    """A connection as secrets.toml names it: engine, path or project / dataset, master."""
    engine = str(values.get("engine", DEFAULT_ENGINE))
    if engine not in ENGINES:
        raise InputError(message("engine.unknown", engine=engine, engines=list(ENGINES)))
    text = {key: (str(values[key]) if values.get(key) not in (None, "") else None)
            for key in ("path", "project", "dataset", "master")}
    return Source(engine=engine, name=name, **text)


def parse_bigquery_target(target: str) -> tuple[str, str]:
    """'project.analytics_123' -> (project, dataset)."""
    project, _, dataset = target.partition(".")
    if not project or not dataset or "." in dataset:
        raise InputError(message("engine.bigquery_target", target=target))
    return project, dataset


def connected_dataset(cube: EngineCube):
    """The cube as a traffic `Dataset`: every page and the CLI use it as any other."""
    from digistrat.datasets import Dataset, LoadSettings
    from digistrat.normalise import normalise
    from digistrat.read import ReadReport
    from digistrat.roles import RoleGuess
    from digistrat.schema import FROM_SESSION_SOURCE, TrafficSchema

    frame = cube.frame.with_columns(pl.col("event_date").str.to_date("%Y%m%d").alias("date")).drop("event_date")
    frame, report = normalise(frame, device="device_category")
    roles = {"session_source": "source", "session_medium": "medium", "session_campaign": "campaign",
             "referrer": "referrer", "landing_page": "landing_page", "date": "date", "device_category": "device",
             SESSIONS: "count"}
    schema = TrafficSchema(
        kind="traffic_by_source_medium", origin=FROM_SESSION_SOURCE, source="session_source",
        medium="session_medium", campaign="session_campaign", referrer="referrer", landing_page="landing_page",
        date="date", device="device_category", sessions=SESSIONS)
    source = cube.source
    label = f"{source.label} ({source.engine})"
    digest = hashlib.sha256(f"{source!r}\n{cube.frame.write_csv()}".encode()).hexdigest()[:16]
    read = ReadReport(
        file_name=label, format=source.engine, encoding=None, separator=None, decimal=None, thousands=None,
        header_line=None, preamble=(), tables=(), table_index=0, sheets=(), sheet=None, rows=frame.height,
        columns=tuple(frame.columns), percent_columns=(), notes=())
    dataset = Dataset(f"cube-{digest}", label, frame, read, RoleGuess("traffic_by_source_medium", roles, {}), schema,
                      report, LoadSettings())
    dataset.derived("engines.cube", lambda: cube)
    return dataset


def cube_of(dataset) -> EngineCube | None:
    """The engine cube a connected dataset came from, None for a file."""
    return dataset.derived("engines.cube", lambda: None) if dataset.id.startswith("cube-") else None


def computed_message(cube: EngineCube):
    """Which engine computed the cube, in how long, over how many events and sessions."""
    return message("engine.computed", engine=cube.engine, seconds=round(cube.seconds, 1), events=cube.events,
                   sessions=cube.sessions, orphans=cube.events_without_session)


def main(argv: list[str] | None = None) -> int:
    """`python -m digistrat.engines --bigquery-snapshot`: rewrite the BigQuery SQL the tests pin."""
    import argparse

    parser = argparse.ArgumentParser(prog="python -m digistrat.engines")
    parser.add_argument("--bigquery-snapshot", action="store_true")
    args = parser.parse_args(argv)
    if args.bigquery_snapshot:
        path = Path(__file__).resolve().parents[1] / "tests" / "snapshots" / "bigquery_cube.sql"
        path.parent.mkdir(exist_ok=True)
        path.write_text(bigquery_sql("my-project", "analytics_123456789", dt.date(2024, 7, 11), dt.date(2024, 7, 15))
                        + "\n", encoding="utf-8")
        print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""A synthetic Google Analytics 4 BigQuery export, in the nested shape Google documents.

One row per event, one Parquet file per day named like BigQuery's daily tables
(`events_YYYYMMDD.parquet`), with the columns the origin cube reads and their neighbours:
`event_date` (STRING, YYYYMMDD), `event_timestamp` (INT64, µs UTC), `event_name`,
`event_params` (REPEATED key / value records: `ga_session_id`, `ga_session_number`,
`page_location`, `page_referrer`, `engagement_time_msec`), `user_pseudo_id`, `device`
(`category`, `operating_system`, `web_info.browser`, `web_info.hostname`), `traffic_source`
(the user's first source), `collected_traffic_source` (`manual_*`, `gclid`, `dclid`,
`srsltid`) and `session_traffic_source_last_click` (`manual_campaign`, `google_ads_campaign`,
`cross_channel_campaign`). The property's time zone is UTC, so `event_date` is the UTC day.

Seeded and vectorised (numpy, pyarrow): the tests write a few thousand events, the benchmark
hundreds of millions, day by day, with the same code. Every kind of session the rules and the
cube must get right is in it: direct, search, social and other referrals, UTM-tagged campaigns,
gclid-only clicks, self-referrals (a referrer on the site's own host), referrals from the
owner's other domain (`blog.example.org`: direct once the user names it), Android apps,
sessions spanning midnight, sessions whose events carry no `ga_session_id`, and the change
Google made in 2024: the first days have no `session_traffic_source_last_click`, the later ones do.

`python -m digistrat.ga4_export FOLDER --events N` writes one.
"""

from __future__ import annotations

import argparse
import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote_plus

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

SEED = 20240717
SITE = "www.example.com"
OWN_OTHER_DOMAIN = "example.org"  # the owner's blog: a referral until the user names it as their own
DAY_US = 86_400_000_000

_VALUE = pa.struct([
    ("string_value", pa.string()), ("int_value", pa.int64()),
    ("float_value", pa.float64()), ("double_value", pa.float64()),
])
_PARAM = pa.struct([("key", pa.string()), ("value", _VALUE)])
_MANUAL = pa.struct([(name, pa.string()) for name in (
    "campaign_id", "campaign_name", "source", "medium", "term", "content", "source_platform", "creative_format",
    "marketing_tactic")])
_GOOGLE_ADS = pa.struct([("customer_id", pa.string()), ("account_name", pa.string()), ("campaign_id", pa.string()),
                         ("campaign_name", pa.string()), ("ad_group_id", pa.string()), ("ad_group_name", pa.string())])
_CROSS_CHANNEL = pa.struct([(name, pa.string()) for name in (
    "campaign_id", "campaign_name", "source", "medium", "source_platform", "default_channel_group",
    "primary_channel_group")])
_COLLECTED = pa.struct([(name, pa.string()) for name in (
    "manual_campaign_id", "manual_campaign_name", "manual_source", "manual_medium", "manual_term", "manual_content",
    "manual_source_platform", "manual_creative_format", "manual_marketing_tactic", "gclid", "dclid", "srsltid")])

SCHEMA = pa.schema([
    ("event_date", pa.string()),
    ("event_timestamp", pa.int64()),
    ("event_name", pa.string()),
    ("event_params", pa.list_(_PARAM)),
    ("user_pseudo_id", pa.string()),
    ("device", pa.struct([
        ("category", pa.string()), ("operating_system", pa.string()),
        ("web_info", pa.struct([("browser", pa.string()), ("hostname", pa.string())])),
    ])),
    ("traffic_source", pa.struct([("name", pa.string()), ("medium", pa.string()), ("source", pa.string())])),
    ("collected_traffic_source", _COLLECTED),
    ("session_traffic_source_last_click", pa.struct([
        ("manual_campaign", _MANUAL), ("google_ads_campaign", _GOOGLE_ADS), ("cross_channel_campaign", _CROSS_CHANNEL),
    ])),
    ("platform", pa.string()),
])


@dataclass(frozen=True)
class Kind:
    """One kind of session: where its visitor came from, as the browser and GA4 would record it."""

    weight: float
    referrers: tuple[str, ...]  # page_referrer of the first event ("" for none)
    tags: tuple[tuple[str, str, str], ...] = ()  # utm_source, utm_medium, utm_campaign on the landing page
    gclid: bool = False
    last_click: tuple[str, str, str] | None = None  # what GA4 attributes (source, medium, campaign); None: referrer's


# The share of sessions of each kind; referrers and tags are picked uniformly within a kind.
KINDS: dict[str, Kind] = {
    "direct": Kind(0.24, ("",), last_click=("(direct)", "(none)", "(direct)")),
    "search": Kind(0.26, ("https://www.google.com/", "https://www.google.fr/", "https://www.bing.com/search?q=x",
                          "https://duckduckgo.com/", "https://search.yahoo.com/")),
    "social": Kind(0.12, ("https://m.facebook.com/", "https://l.instagram.com/", "https://www.linkedin.com/feed/",
                          "https://t.co/abc")),
    "referral": Kind(0.12, ("https://news.site.fr/article/1", "https://partner.example.net/links",
                            "https://forum.other.com/t/9?page=2")),
    "campaign": Kind(0.10, (), tags=(("newsletter", "email", "spring_sale"), ("facebook", "paid_social", "retarget"),
                                     ("google", "cpc", "brand"), ("partner", "affiliate", "(not set)"),
                                     ("Lettre+info", "e-mail", "promo%20%C3%A9t%C3%A9"))),
    "gclid": Kind(0.06, ("", "https://www.google.com/"), gclid=True, last_click=("google", "cpc", "Brand search")),
    "self": Kind(0.05, (f"https://{SITE}/previous-page", "https://example.com/cart")),  # the site's own host
    "own_domain": Kind(0.03, (f"https://blog.{OWN_OTHER_DOMAIN}/post/7",)),
    "android": Kind(0.02, ("android-app://com.google.android.gm/", "android-app://com.google.android.googlequicksearchbox/")),
}
DEVICES = (("desktop", 0.55), ("mobile", 0.35), ("tablet", 0.09), ("smart tv", 0.01))
NO_SESSION_ID = 0.01  # sessions whose events carry no ga_session_id (left out of the cube)
LATE_START = 0.01  # sessions forced to start in the last minutes of a day: their events cross midnight
LAST_CLICK_FROM = 0.5  # the share of the days, from the first, before session_traffic_source_last_click exists


def _variants() -> dict[str, list]:
    """Every distinct session origin of every kind (kind, referrer, tags, landing path) as columns."""
    columns: dict[str, list] = {name: [] for name in (
        "kind", "referrer", "landing", "utm_source", "utm_medium", "utm_campaign", "gclid", "last_source",
        "last_medium", "last_campaign", "weight")}
    paths = ("/", "/products/shoes", "/blog/post-12", "/fr/contact")
    for name, kind in KINDS.items():
        combos = [(r, t, p) for r in (kind.referrers or ("",)) for t in (kind.tags or (None,)) for p in paths]
        for referrer, tag, path in combos:
            query = [f"utm_source={tag[0]}", f"utm_medium={tag[1]}", f"utm_campaign={tag[2]}"] if tag else []
            landing = f"https://{SITE}{path}" + ("?" + "&".join(query) if query else "")
            decoded = tuple(unquote_plus(v) for v in tag) if tag else (None, None, None)
            last = kind.last_click or (decoded if tag else _referral_origin(referrer))
            for column, value in zip(columns, (name, referrer, landing, *decoded, kind.gclid, *last,
                                               kind.weight / len(combos))):
                columns[column].append(value)
    return columns


def _referral_origin(referrer: str) -> tuple[str, str, str]:
    """What GA4's last click says of a referral (it already folded its own referral exclusions)."""
    host = referrer.split("://", 1)[-1].split("/", 1)[0].removeprefix("www.")
    if not referrer:
        return "(direct)", "(none)", "(direct)"
    if referrer.startswith("android-app://"):
        return host, "referral", "(referral)"
    if host.split(".")[0] in ("google", "bing", "duckduckgo") or host == "search.yahoo.com":
        return ("yahoo" if host == "search.yahoo.com" else host.split(".")[0]), "organic", "(organic)"
    if host in (SITE.removeprefix("www."), "example.com"):
        return "(direct)", "(none)", "(direct)"
    return host, "referral", "(referral)"


VARIANTS = _variants()


def _strings(values) -> pa.Array:
    return pa.array(values, pa.string())


def _day_table(rng: np.random.Generator, day: dt.date, sessions: int, first_user: int, last_click: bool) -> pa.Table:
    """The events of the sessions that start on `day` (some end after midnight), time-ordered per session."""
    weights = np.array(VARIANTS["weight"])
    variant = rng.choice(weights.size, size=sessions, p=weights / weights.sum())
    day_start = int(dt.datetime(day.year, day.month, day.day, tzinfo=dt.timezone.utc).timestamp() * 1_000_000)
    offset = rng.integers(0, DAY_US - 1, size=sessions)
    late = rng.random(sessions) < LATE_START
    offset[late] = DAY_US - rng.integers(1, 180_000_000, size=int(late.sum()))  # the last three minutes
    start = day_start + offset
    users = first_user + rng.integers(0, max(1, sessions // 2), size=sessions)  # about two sessions a user
    session_id = start // 1_000_000  # GA4's ga_session_id: the session start in seconds
    has_id = rng.random(sessions) >= NO_SESSION_ID
    device_index = rng.choice(len(DEVICES), size=sessions, p=[p for _, p in DEVICES])
    length = 1 + rng.geometric(0.25, size=sessions)  # session_start + page_view share a timestamp, then more
    chosen = pa.array(variant)

    def column(name: str) -> pa.Array:  # one value per session
        return _strings(VARIANTS[name]).take(chosen)

    has_gclid = pa.array(np.array(VARIANTS["gclid"])[variant])
    gclid = pc.if_else(has_gclid, pc.binary_join_element_wise(
        "Cj0K", pc.cast(pa.array(session_id * 7919 + users), pa.string()), ""), pa.nulls(sessions, pa.string()))
    landing = column("landing")
    separator = pc.if_else(pc.match_substring(landing, "?"), "&", "?")
    landing = pc.if_else(has_gclid, pc.binary_join_element_wise(landing, separator, "gclid=", gclid, ""), landing)
    referrer = column("referrer")
    last_source, last_medium, last_campaign = column("last_source"), column("last_medium"), column("last_campaign")
    # A returning visitor GA4 credits to an earlier campaign: the last click says so, the URLs say direct.
    credited = pa.array((np.array(VARIANTS["kind"], dtype=object)[variant] == "direct") & (rng.random(sessions) < 0.1))
    last_source = pc.if_else(credited, "google", last_source)
    last_medium = pc.if_else(credited, "organic", last_medium)
    last_campaign = pc.if_else(credited, "(organic)", last_campaign)

    # Events: explode sessions; the first two events (session_start, page_view) share the start time.
    session_of = np.repeat(np.arange(sessions), length)
    take = pa.array(session_of)
    position = np.arange(session_of.size) - np.repeat(np.cumsum(length) - length, length)
    gaps = rng.integers(1_000_000, 240_000_000, size=session_of.size)
    gaps[position <= 1] = 0
    timestamp = start[session_of] + _cumsum_by_group(gaps, length)
    first = pa.array(position <= 1)
    n = session_of.size

    inner = _strings([f"https://{SITE}/page-{i}" for i in range(8)])
    page_location = pc.if_else(first, landing.take(take), inner.take(pa.array(position % 8)))
    page_referrer = pc.if_else(first, referrer.take(take), inner.take(pa.array((position - 1) % 8)))
    params = _params(session_id[session_of], has_id[session_of], position, page_location, page_referrer, rng)

    tagged = pc.or_(pc.is_valid(column("utm_source")), has_gclid)
    collected_fields = {name: pa.nulls(sessions, pa.string()) for name in _COLLECTED.names}
    collected_fields.update(manual_source=column("utm_source"), manual_medium=column("utm_medium"),
                            manual_campaign_name=column("utm_campaign"), gclid=gclid)
    collected = pa.StructArray.from_arrays(list(collected_fields.values()), fields=list(_COLLECTED)).take(take)
    collected_mask = pc.or_(pc.invert(first), pc.invert(tagged.take(take)))
    collected = pa.StructArray.from_arrays(collected.flatten(), fields=list(_COLLECTED), mask=collected_mask)

    manual_tag = pc.invert(pc.is_in(last_medium, pa.array(["(none)", "organic", "referral"])))
    not_set = pa.array(np.full(sessions, "(not set)", dtype=object), pa.string())
    manual_fields = {name: pa.nulls(sessions, pa.string()) for name in _MANUAL.names}
    manual_fields.update(source=pc.if_else(manual_tag, last_source, not_set),
                         medium=pc.if_else(manual_tag, last_medium, not_set),
                         campaign_name=pc.if_else(manual_tag, last_campaign, not_set))
    cross_fields = {name: pa.nulls(sessions, pa.string()) for name in _CROSS_CHANNEL.names}
    cross_fields.update(source=last_source, medium=last_medium, campaign_name=last_campaign)
    last_type = SCHEMA.field("session_traffic_source_last_click").type
    last = pa.StructArray.from_arrays(
        [pa.StructArray.from_arrays(list(manual_fields.values()), fields=list(_MANUAL)),
         pa.nulls(sessions, _GOOGLE_ADS),
         pa.StructArray.from_arrays(list(cross_fields.values()), fields=list(_CROSS_CHANNEL))],
        fields=list(last_type), mask=pa.array(np.full(sessions, not last_click)))

    device = _strings([d for d, _ in DEVICES]).take(pa.array(device_index[session_of]))

    def constant(value: str) -> pa.Array:
        return pa.array(np.full(n, value, dtype=object), pa.string())

    user_text = pc.binary_join_element_wise(pc.cast(pa.array(users[session_of]), pa.string()), "1700000000", ".")
    return pa.table({
        "event_date": _event_dates(timestamp),
        "event_timestamp": pa.array(timestamp, pa.int64()),
        "event_name": _strings(["session_start", "page_view", "user_engagement"]).take(
            pa.array(np.minimum(position, 2))),
        "event_params": params,
        "user_pseudo_id": user_text,
        "device": pa.StructArray.from_arrays(
            [device, pc.if_else(pc.equal(device, "desktop"), "Windows", "Android"),
             pa.StructArray.from_arrays([constant("Chrome"), constant(SITE)], names=["browser", "hostname"])],
            names=["category", "operating_system", "web_info"]),
        "traffic_source": pa.nulls(n, SCHEMA.field("traffic_source").type),
        "collected_traffic_source": collected,
        "session_traffic_source_last_click": last.take(take),
        "platform": constant("WEB"),
    }, schema=SCHEMA)


def _cumsum_by_group(values: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    total = np.cumsum(values)
    starts = np.cumsum(lengths) - lengths
    before = np.where(starts > 0, total[starts - 1], 0)
    return total - np.repeat(before, lengths)


def _event_dates(timestamps: np.ndarray) -> pa.Array:
    """YYYYMMDD of each UTC timestamp (µs)."""
    days = timestamps // DAY_US
    distinct, inverse = np.unique(days, return_inverse=True)
    text = [(dt.date(1970, 1, 1) + dt.timedelta(days=int(d))).strftime("%Y%m%d") for d in distinct]
    return _strings(text).take(pa.array(inverse))



def _params(session_id, has_id, position, page_location: pa.Array, page_referrer: pa.Array, rng) -> pa.ListArray:
    """event_params: ga_session_id (when the session has one), ga_session_number, page_location,
    page_referrer (when not empty), engagement_time_msec, in that order."""
    n = position.size
    keys = ("ga_session_id", "ga_session_number", "page_location", "page_referrer", "engagement_time_msec")
    no_text, no_int = pa.nulls(n, pa.string()), pa.nulls(n, pa.int64())
    strings = [no_text, no_text, page_location, page_referrer, no_text]
    ints = [pa.array(session_id), pa.array(1 + session_id % 3), no_int, no_int,
            pa.array(rng.integers(100, 60_000, size=n))]
    referred = pc.not_equal(page_referrer, "").to_numpy(zero_copy_only=False)
    present = np.column_stack([has_id, np.ones(n, bool), np.ones(n, bool), referred, position > 1])
    event, slot = np.nonzero(present)  # row-major: each event's parameters in slot order
    order = pa.array(slot * n + event)
    key_array = pa.array(np.array(keys, dtype=object)[slot], pa.string())
    string_array = pa.concat_arrays(strings).take(order)
    int_array = pa.concat_arrays(ints).take(order)
    nulls = pa.nulls(len(key_array), pa.float64())
    value = pa.StructArray.from_arrays([string_array, int_array, nulls, nulls], fields=list(_VALUE))
    entries = pa.StructArray.from_arrays([key_array, value], fields=list(_PARAM))
    offsets = np.concatenate([[0], np.cumsum(present.sum(axis=1))]).astype(np.int32)
    return pa.ListArray.from_arrays(pa.array(offsets), entries, type=pa.list_(_PARAM))


def write_export(
    folder: Path | str, sessions: int, *, days: int = 14, start: dt.date = dt.date(2024, 7, 10), seed: int = SEED,
    row_group_size: int = 1_000_000,
) -> list[Path]:
    """Write `sessions` sessions over `days` days as events_YYYYMMDD.parquet files; their paths.

    The events of sessions that cross midnight go to the next day's file, as in BigQuery (the
    day after the last gets its own small file).
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    per_day = np.full(days, sessions // days)
    per_day[: sessions % days] += 1
    written: list[Path] = []
    carried: pa.Table | None = None
    first_user = 0
    for index in range(days + 1):
        day = start + dt.timedelta(days=index)
        stamp = day.strftime("%Y%m%d")
        parts = [carried] if carried is not None else []
        carried = None
        if index < days:
            table = _day_table(rng, day, int(per_day[index]), first_user, last_click=index >= days * LAST_CLICK_FROM)
            first_user += int(per_day[index])
            today = pc.equal(table["event_date"], stamp)
            parts.append(table.filter(today))
            carried = table.filter(pc.invert(today))
        if not parts or sum(p.num_rows for p in parts) == 0:
            continue
        path = folder / f"events_{stamp}.parquet"
        pq.write_table(pa.concat_tables(parts), path, row_group_size=row_group_size, compression="zstd")
        written.append(path)
    return written


def events_per_session() -> float:
    """The mean number of events a session has (1 + a geometric(0.25) count): events ≈ 5 × sessions."""
    return 1 + 1 / 0.25


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m digistrat.ga4_export", description=__doc__.split("\n")[0])
    parser.add_argument("folder")
    parser.add_argument("--events", type=int, default=100_000, help="about how many events to write")
    parser.add_argument("--days", type=int, default=14)
    parser.add_argument("--seed", type=int, default=SEED)
    args = parser.parse_args(argv)
    paths = write_export(args.folder, int(args.events / events_per_session()), days=args.days, seed=args.seed)
    print(f"{len(paths)} files in {args.folder}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Traffic figures: mix, push/pull, channel x device grid, trends, period and dataset comparisons.

Expected values are computed in the tests from the files themselves (csv module, datetime,
the GA4 rule table applied by hand), never taken from the code under test.
"""

from __future__ import annotations

import csv
import datetime as dt
import math
from collections import defaultdict
from pathlib import Path

import polars as pl
import pytest

from digistrat import datasets, traffic
from digistrat.channels import ChannelSettings
from digistrat.errors import InputError
from tests.fixtures_files import DAILY, SAMPLE_CHANNELS, ga4_daily_export, ga4_export_sessions

REPO = Path(__file__).resolve().parents[1]
EXPORTS = Path(__file__).resolve().parents[2] / "shared" / "reference" / "real-exports"

BUCKET = {"organic_search": "search", "paid_search": "search", "direct": "direct"}
PUSH = {"paid_search", "paid_social", "email", "display", "sms", "campaigns", "paid_other"}
GA4_LABELS = {  # GA4's channel-group names as exported -> the project's keys
    "Direct": "direct", "Paid Search": "paid_search", "Organic Search": "organic_search",
    "Referral": "referral", "Organic Social": "organic_social", "Cross-network": "cross_network",
    "Unassigned": "unassigned",
}


def sample_rows() -> list[dict]:
    with open(REPO / "data" / "sample_sessions.csv", newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    for row in rows:
        row["channel"] = SAMPLE_CHANNELS[(row["source"], row["medium"])]
        row["day"] = dt.date.fromisoformat(row["date"])
    return rows


@pytest.fixture(scope="module")
def sample() -> datasets.Dataset:
    return datasets.load_bundled(datasets.SAMPLE_SESSIONS)


@pytest.fixture(scope="module")
def sample_counts(sample) -> pl.DataFrame:
    return traffic.session_counts(sample, ChannelSettings())


def as_dict(frame: pl.DataFrame, value: str = "sessions") -> dict:
    return dict(zip(frame["key"].to_list(), frame[value].to_list()))


def tally(rows, key) -> dict:
    totals: dict = defaultdict(int)
    for row in rows:
        totals[key(row)] += 1
    return dict(totals)


def real_export(name: str) -> Path:
    if not EXPORTS.is_dir():
        pytest.fail("shared/reference/real-exports is not next to the repository: the tests read the real exports from ../shared, as CI has them")
    return EXPORTS / name


def pooled_z_p(x1: float, n1: float, x2: float, n2: float) -> float:
    """Two-sided p of the pooled two-proportion z-test, written out (Agresti 2013, §2.4)."""
    p1, p2, pooled = x1 / n1, x2 / n2, (x1 + x2) / (n1 + n2)
    z = (p1 - p2) / math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
    return math.erfc(abs(z) / math.sqrt(2))


# ---------------------------------------------------------------- the sample log


def test_sample_mix_matches_the_log_classified_by_hand(sample_counts):
    rows = sample_rows()
    expected = tally(rows, lambda r: r["channel"])
    mix = traffic.mix(sample_counts)
    assert mix.sessions == len(rows) == 10_000
    assert as_dict(mix.channels) == pytest.approx(expected)
    assert as_dict(mix.channels, "share") == pytest.approx({k: v / len(rows) for k, v in expected.items()})
    # the three buckets reproduce the estatweb shares the sample was generated for (FACTS.md §2)
    assert as_dict(mix.buckets, "share") == pytest.approx({"search": 0.29, "external": 0.40, "direct": 0.31})
    assert mix.unmatched.is_empty()


def test_counts_are_far_smaller_than_the_log_and_keep_every_session(sample_counts):
    assert sample_counts.height < 10_000
    assert sample_counts["sessions"].sum() == 10_000
    assert set(sample_counts.columns) >= {"channel", "sessions", "date", "device", "source", "medium", "campaign"}


def test_push_and_pull_on_the_sample(sample_counts):
    rows = sample_rows()
    push = sum(1 for r in rows if r["channel"] in PUSH)
    assert push == 580 + 320 + 800  # paid search, paid social, email
    strategies = as_dict(traffic.shares(sample_counts, "strategy"))
    assert strategies == {"push": push, "pull": len(rows) - push}


def test_own_domain_moves_its_referrals_to_direct(sample):
    rows = sample_rows()
    lesechos = sum(1 for r in rows if r["source"] == "lesechos.fr")
    before = tally(rows, lambda r: r["channel"])
    counts = traffic.session_counts(sample, ChannelSettings(own_domains=("lesechos.fr",)))
    after = as_dict(traffic.shares(counts, "channel"))
    assert lesechos == 400
    assert after["direct"] == before["direct"] + lesechos
    assert after["referral"] == before["referral"] - lesechos


def test_channel_by_device_grid_matches_the_log(sample_counts):
    rows = sample_rows()
    cells = tally(rows, lambda r: (BUCKET.get(r["channel"], "external"), r["device"]))
    totals = tally(rows, lambda r: BUCKET.get(r["channel"], "external"))
    grid = traffic.device_by_channel(sample_counts, "bucket")
    assert grid.height == 3 * 3
    for row in grid.iter_rows(named=True):
        assert row["sessions"] == cells[(row["key"], row["device"])]
        assert row["share"] == pytest.approx(cells[(row["key"], row["device"])] / totals[row["key"]])
    assert grid["key"].to_list()[::3] == ["search", "external", "direct"]  # article's order
    assert grid["device"].to_list()[:3] == ["desktop", "mobile", "tablet"]


def test_the_grid_fills_missing_cells_with_zero():
    counts = pl.DataFrame(
        {"channel": ["direct", "direct", "email"], "device": ["desktop", "mobile", "desktop"], "sessions": [3.0, 1.0, 2.0]}
    )
    grid = traffic.device_by_channel(counts)
    assert grid.filter((pl.col("key") == "email") & (pl.col("device") == "mobile"))["sessions"].to_list() == [0.0]
    assert grid.group_by("key").agg(pl.col("share").sum())["share"].to_list() == pytest.approx([1.0, 1.0])


@pytest.mark.parametrize(
    "granularity, period_of",
    [
        ("day", lambda d: d),
        ("week", lambda d: d - dt.timedelta(days=d.weekday())),  # ISO weeks start on Monday
        ("month", lambda d: d.replace(day=1)),
    ],
)
def test_trend_per_day_week_month(sample_counts, granularity, period_of):
    rows = sample_rows()
    cells = tally(rows, lambda r: (period_of(r["day"]), r["channel"]))
    per_period = tally(rows, lambda r: period_of(r["day"]))
    series = traffic.trend(sample_counts, granularity, "channel")
    shown = {(row["period"], row["key"]): row for row in series.iter_rows(named=True)}
    assert set(shown) == set(cells)
    for key, n in cells.items():
        assert shown[key]["sessions"] == n
        assert shown[key]["share"] == pytest.approx(n / per_period[key[0]])
    if granularity == "month":
        assert sorted(per_period) == [dt.date(2026, m, 1) for m in range(1, 7)]
    if granularity == "week":
        assert min(per_period) == dt.date(2025, 12, 29)  # 1 Jan 2026 is a Thursday


def test_previous_period_has_the_same_length_and_ends_the_day_before():
    assert traffic.previous_period(dt.date(2026, 6, 3), dt.date(2026, 6, 30)) == (dt.date(2026, 5, 6), dt.date(2026, 6, 2))
    assert traffic.previous_period(dt.date(2026, 3, 1), dt.date(2026, 3, 1)) == (dt.date(2026, 2, 28), dt.date(2026, 2, 28))
    # the default period: the last 28 days, or half of a short span
    assert traffic.default_period((dt.date(2026, 1, 1), dt.date(2026, 6, 30))) == (dt.date(2026, 6, 3), dt.date(2026, 6, 30))
    assert traffic.default_period((dt.date(2026, 1, 1), dt.date(2026, 1, 10))) == (dt.date(2026, 1, 6), dt.date(2026, 1, 10))


def test_period_comparison_figures(sample_counts):
    rows = sample_rows()
    first = (dt.date(2026, 1, 1), dt.date(2026, 2, 28))
    second = (dt.date(2026, 5, 1), dt.date(2026, 6, 30))
    a = [r for r in rows if first[0] <= r["day"] <= first[1]]
    b = [r for r in rows if second[0] <= r["day"] <= second[1]]
    count_a, count_b = tally(a, lambda r: r["channel"]), tally(b, lambda r: r["channel"])
    table = traffic.compare(
        traffic.between(sample_counts, *first), traffic.between(sample_counts, *second), "channel"
    )
    assert table["sessions_a"].sum() == len(a) and table["sessions_b"].sum() == len(b)
    raw_p = []
    for row in table.iter_rows(named=True):
        x_a, x_b = count_a.get(row["key"], 0), count_b.get(row["key"], 0)
        assert row["share_a"] == pytest.approx(x_a / len(a))
        assert row["share_b"] == pytest.approx(x_b / len(b))
        assert row["change"] == pytest.approx(x_b / len(b) - x_a / len(a))
        assert row["p_value"] == pytest.approx(pooled_z_p(x_b, len(b), x_a, len(a)), rel=1e-9)
        assert row["ci_low"] < row["change"] < row["ci_high"]
        raw_p.append(row["p_value"])
    # Benjamini–Hochberg by hand: p_(i) * m / i, made monotone from the largest down
    m = len(raw_p)
    order = sorted(range(m), key=lambda i: raw_p[i])
    adjusted = [0.0] * m
    running = 1.0
    for rank in range(m, 0, -1):
        i = order[rank - 1]
        running = min(running, raw_p[i] * m / rank)
        adjusted[i] = running
    assert table["p_adjusted"].to_list() == pytest.approx(adjusted)


def test_a_side_without_sessions_gets_no_test(sample_counts):
    empty = traffic.between(sample_counts, dt.date(2030, 1, 1), dt.date(2030, 1, 31))
    table = traffic.compare(empty, sample_counts, "bucket")
    assert table["sessions_a"].sum() == 0
    assert table["p_value"].null_count() == table.height
    assert as_dict(table, "share_b") == pytest.approx({"search": 0.29, "external": 0.40, "direct": 0.31})


def test_between_refuses_a_reversed_period(sample_counts):
    with pytest.raises(InputError, match="before it starts"):
        traffic.between(sample_counts, dt.date(2026, 2, 1), dt.date(2026, 1, 1))


# ---------------------------------------------------------------- aggregated exports


@pytest.mark.parametrize(
    "name", ["ga4_traffic_acquisition_channel__h2oplumbers.csv", "ga4_traffic_acquisition_channel__burnsedia.csv"]
)
def test_real_ga4_channel_exports_are_weighted_by_their_sessions(name):
    path = real_export(name)
    by_label = ga4_export_sessions(path)
    expected = {GA4_LABELS[label]: n for label, n in by_label.items()}
    total = sum(by_label.values())
    counts = traffic.session_counts(datasets.load_bytes(path.read_bytes(), path.name))
    mix = traffic.mix(counts)
    assert mix.sessions == total
    assert as_dict(mix.channels) == pytest.approx(expected)
    push = sum(n for key, n in expected.items() if key in ("paid_search", "cross_network"))
    strategies = as_dict(mix.strategies)
    assert strategies.get("push", 0) == push
    assert strategies.get("unassigned", 0) == expected.get("unassigned", 0)
    assert strategies["pull"] == total - push - expected.get("unassigned", 0)
    # Unassigned apart: bucket shares of the assigned sessions only
    assigned = traffic.shares(counts, "bucket", assigned_only=True)
    assert "unassigned" not in assigned["key"].to_list()
    assert assigned["share"].sum() == pytest.approx(1.0)
    # what the mapping left unassigned is listed with the export's own label
    assert mix.unmatched.select("label", "sessions").rows() == [("Unassigned", by_label["Unassigned"])]
    # no date and no device in these exports: no trend, no device grid
    assert traffic.date_span(counts) is None
    assert mix.devices.is_empty()
    with pytest.raises(InputError, match="no date column"):
        traffic.trend(counts, "week")
    with pytest.raises(InputError, match="no device column"):
        traffic.device_by_channel(counts)


def test_two_real_exports_compared_side_by_side():
    h2o = real_export("ga4_traffic_acquisition_channel__h2oplumbers.csv")
    burns = real_export("ga4_traffic_acquisition_channel__burnsedia.csv")
    a, b = ga4_export_sessions(h2o), ga4_export_sessions(burns)
    table = traffic.compare(
        traffic.session_counts(datasets.load_bytes(h2o.read_bytes(), h2o.name)),
        traffic.session_counts(datasets.load_bytes(burns.read_bytes(), burns.name)),
        "channel",
    )
    direct = table.filter(pl.col("key") == "direct").row(0, named=True)
    assert direct["change"] == pytest.approx(b["Direct"] / sum(b.values()) - a["Direct"] / sum(a.values()))
    paid = table.filter(pl.col("key") == "paid_search").row(0, named=True)
    assert paid["sessions_b"] == 0 and paid["share_a"] == pytest.approx(a["Paid Search"] / sum(a.values()))


MATOMO_FR = [  # Matomo "Type de canal" report in French, as its CSV export writes it
    ("Entrées directes", 1204), ("Moteurs de recherche", 873), ("Sites web", 311),
    ("Réseaux sociaux", 198), ("Campagnes", 64), ("Assistants IA", 12),
]


def matomo_table() -> bytes:
    lines = ["Type de canal\tVisites\tActions\tTaux de rebond"]
    lines += [f"{label}\t{visits}\t{visits * 3}\t{41 + i}%" for i, (label, visits) in enumerate(MATOMO_FR)]
    return ("\r\n".join(lines) + "\r\n").encode("utf-16")  # UTF-16LE with a BOM, tab-separated


def test_a_french_matomo_referrer_type_table():
    dataset = datasets.load_bytes(matomo_table(), "Referrers_getReferrerType.tsv")
    mix = traffic.mix(traffic.session_counts(dataset))
    visits = dict(MATOMO_FR)
    total = sum(visits.values())
    assert mix.sessions == total
    assert as_dict(mix.channels) == {
        "direct": 1204, "ai_assistants": 12, "organic_social": 198, "organic_search": 873,
        "referral": 311, "campaigns": 64,
    }
    # search engines / external links (sites, social, campaigns, AI) / direct
    assert as_dict(mix.buckets) == {"search": 873, "external": 311 + 198 + 64 + 12, "direct": 1204}
    assert as_dict(mix.strategies) == {"push": 64, "pull": total - 64}  # campaigns are push
    assert mix.unmatched.is_empty()


def test_an_aggregated_daily_export_trends_by_week_weighted_by_sessions():
    counts = traffic.session_counts(datasets.load_bytes(ga4_daily_export(DAILY), "daily.csv"))
    assert traffic.date_span(counts) == (dt.date(2025, 2, 24), dt.date(2025, 3, 9))
    week = traffic.trend(counts, "week", "bucket", assigned_only=True)
    # week of Mon 24 Feb: direct 40, search 25, external 10 + 5; week of 3 Mar: 30 / 50 / 20 (unassigned left out)
    expected = {
        (dt.date(2025, 2, 24), "direct"): 40, (dt.date(2025, 2, 24), "search"): 25,
        (dt.date(2025, 2, 24), "external"): 15, (dt.date(2025, 3, 3), "direct"): 30,
        (dt.date(2025, 3, 3), "search"): 50, (dt.date(2025, 3, 3), "external"): 20,
    }
    assert {(r["period"], r["key"]): r["sessions"] for r in week.iter_rows(named=True)} == expected
    assert week.filter(pl.col("period") == dt.date(2025, 2, 24))["share"].to_list() == pytest.approx(
        [25 / 80, 15 / 80, 40 / 80]
    )
    grid = traffic.device_by_channel(counts, "channel")
    direct = {r["device"]: r["sessions"] for r in grid.filter(pl.col("key") == "direct").iter_rows(named=True)}
    assert direct == {"desktop": 40, "mobile": 30, "tablet": 0}


@pytest.mark.parametrize("affiliates_push, push", [(True, 5 + 10 + 20), (False, 5)])
def test_affiliates_count_as_push_or_pull(affiliates_push, push):
    counts = traffic.session_counts(datasets.load_bytes(ga4_daily_export(DAILY), "daily.csv"))
    total = sum(n for *_, n in DAILY)
    strategies = as_dict(traffic.shares(counts, "strategy", ChannelSettings(affiliates_push=affiliates_push)))
    assert strategies == {"push": push, "pull": total - push - 4, "unassigned": 4}


def test_source_medium_export_lists_what_the_rules_missed():
    data = b"Session source / medium,Sessions\ngoogle / organic,120\n(direct) / (none),80\nnewsletter / emial,7\nfoo / bar,3\n"
    counts = traffic.session_counts(datasets.load_bytes(data, "source_medium.csv"))
    missed = traffic.unmatched(counts)
    assert missed.select("source", "medium", "sessions").rows() == [("newsletter", "emial", 7), ("foo", "bar", 3)]
    assert missed["share"].to_list() == pytest.approx([7 / 210, 3 / 210])


def test_a_file_without_any_origin_column_is_refused_clearly():
    data = b"date,country\n2026-01-01,France\n2026-01-02,Belgique\n"
    with pytest.raises(InputError, match="where visits come from"):
        traffic.session_counts(datasets.load_bytes(data, "countries.csv"))


# ---- landing pages alone, devices alone, an empty medium ---------------------------------------

GA4_PREAMBLE = "# ----------------------------------------\n# Traffic acquisition\n# ----------------------------------------\n"


def test_untagged_landing_pages_without_a_referrer_are_refused():
    data = GA4_PREAMBLE + "Landing page + query string,Sessions,Active users\n/,500,400\n/contact,100,90\n(not set),5,5\n"
    dataset = datasets.load_bytes(data.encode(), "landing.csv")
    assert dataset.roles.column_for("landing_page") == "Landing page + query string"
    with pytest.raises(InputError, match="Landing page \\+ query string.*no channel, source / medium or referrer"):
        traffic.channel_mix(dataset)


def test_tagged_landing_pages_give_their_channel_and_untagged_ones_are_unknown_not_direct():
    data = ("Landing page,Sessions\n/,500\n/contact,100\n/?utm_source=google&utm_medium=cpc,40\n"
            "/offre?gclid=abc,7\n/?utm_source=lettre&utm_medium=email,3\n")
    mix = traffic.channel_mix(datasets.load_bytes(data.encode(), "landing_tags.csv"))
    # google / cpc and a Google click id are Paid Search; the untagged 500 + 100 have no known origin
    assert as_dict(mix.channels) == {"paid_search": 40 + 7, "email": 3, "unassigned": 500 + 100}
    assert "direct" not in as_dict(mix.channels)
    assert mix.unmatched.select("source", "medium", "sessions").rows() == [("(not set)", "(not set)", 600)]


def test_landing_pages_with_a_referrer_keep_direct_for_visits_without_either():
    data = "referrer,landing_page\n,https://www.shop.fr/\nhttps://www.google.fr/,https://www.shop.fr/a\n"
    mix = traffic.channel_mix(datasets.load_bytes(data.encode(), "log.csv"))
    assert as_dict(mix.channels) == {"direct": 1, "organic_search": 1}


GA4_DEVICES = [("desktop", 5800, 6000), ("mobile", 3200, 3500), ("tablet", 1000, 1100), ("smart tv", 5, 7)]


def device_export() -> datasets.Dataset:
    lines = ["Catégorie d'appareil,Utilisateurs actifs,Sessions"] + [f"{d},{u},{s}" for d, u, s in GA4_DEVICES]
    return datasets.load_bytes((GA4_PREAMBLE + "\n".join(lines) + "\n").encode(), "devices.csv")


def test_a_device_export_gives_the_device_split_and_no_channels():
    dataset = device_export()
    assert dataset.kind == "traffic_by_device"
    mix = traffic.channel_mix(dataset)
    total = 6000 + 3500 + 1100 + 7
    assert mix.sessions == total
    # "smart tv" is none of desktop / mobile / tablet: other
    assert as_dict(mix.devices) == {"desktop": 6000, "mobile": 3500, "tablet": 1100, "other": 7}
    assert as_dict(mix.devices, "share") == pytest.approx(
        {"desktop": 6000 / total, "mobile": 3500 / total, "tablet": 1100 / total, "other": 7 / total})
    for frame in (mix.channels, mix.buckets, mix.strategies, mix.unmatched):
        assert frame.is_empty()
    counts = traffic.session_counts(dataset)
    assert counts["channel"].null_count() == counts.height == 4
    with pytest.raises(InputError, match="by device only"):
        traffic.device_by_channel(counts)


def test_row_level_devices_without_origin_are_counted_per_row():
    data = b"date,device\n2026-01-01,mobile\n2026-01-02,desktop\n2026-01-03,mobile\n"
    mix = traffic.channel_mix(datasets.load_bytes(data, "devices_only.csv"))
    assert as_dict(mix.devices) == {"desktop": 1, "mobile": 2} and mix.channels.is_empty()


def test_an_empty_medium_column_follows_strict_ga4_and_a_missing_one_implies_media():
    with_empty_medium = b"Source,Medium,Sessions\ngoogle,,10\nlemonde.fr,,3\n(direct),,2\n"
    mix = traffic.channel_mix(datasets.load_bytes(with_empty_medium, "empty_medium.csv"))
    # strict GA4 on a blank medium ("(not set)"): (direct) is Direct, a search site is Organic Search
    # whatever its medium, and a site needs the medium "referral": lemonde.fr stays Unassigned
    assert as_dict(mix.channels) == {"direct": 2, "organic_search": 10, "unassigned": 3}
    sources_only = b"Source,Sessions\ngoogle,10\nlemonde.fr,3\n"
    mix = traffic.channel_mix(datasets.load_bytes(sources_only, "sources.csv"))
    # without a medium column each source gets the medium it implies: engine -> organic, site -> referral
    assert as_dict(mix.channels) == {"organic_search": 10, "referral": 3}


def test_an_unknown_grouping_or_time_step_is_refused(sample_counts):
    with pytest.raises(InputError, match="Cannot group"):
        traffic.shares(sample_counts, "country")
    with pytest.raises(InputError, match="time step"):
        traffic.trend(sample_counts, "quarter")


def test_an_article_like_share_table_keeps_its_published_mix():
    data = "Catégorie;Part\nMoteurs de recherche;29 %\nLiens externes (médias sociaux);40 %\nAccès directs;31 %\n"
    dataset = datasets.load_bytes(data.encode("utf-8"), "origines.csv")
    buckets = dict(traffic.channel_mix(dataset).buckets.select("key", "share").rows())
    assert buckets == pytest.approx({"search": 0.29, "external": 0.40, "direct": 0.31})


# ---- the origin cube: settings re-classify distinct inputs, never the rows -------------------

URL_LOG = [  # referrer, landing page, channel under GA4's rules worked out by hand
    ("", "https://www.shop-exemple.fr/?gclid=101", "paid_search"),  # Google click id: google / cpc
    ("", "https://www.shop-exemple.fr/?gclid=202", "paid_search"),
    ("https://www.google.fr/search?q=a", "https://www.shop-exemple.fr/a", "organic_search"),
    ("https://www.google.fr/search?q=b", "https://www.shop-exemple.fr/b", "organic_search"),
    ("android-app://com.google.android.googlequicksearchbox", "https://www.shop-exemple.fr/", "organic_search"),
    ("ANDROID-APP://com.google.android.googlequicksearchbox/https/www.google.com", "https://www.shop-exemple.fr/",
     "organic_search"),
    ("https://www.lesechos.fr/article", "https://www.shop-exemple.fr/", "referral"),
    ("https://www.shop-exemple.fr/tarifs", "https://www.shop-exemple.fr/contact", "direct"),  # inside the site
    ("https://l.facebook.com/", "https://www.shop-exemple.fr/?utm_source=newsletter&utm_medium=email&utm_campaign=mai",
     "email"),  # UTM tags win over the referrer
    ("", "https://www.shop-exemple.fr/?utm_source=newsletter&utm_medium=email&utm_campaign=mai&x=2", "email"),
]


def url_log_dataset() -> datasets.Dataset:
    lines = ["date,referrer,landing_page,device"]
    lines += [f"2026-03-02,{referrer},{page},mobile" for referrer, page, _ in URL_LOG]
    return datasets.load_bytes("\n".join(lines).encode(), "urls.csv")


def test_url_log_channels_from_the_cube_match_the_rules_by_hand():
    dataset = url_log_dataset()
    expected = tally([{"channel": c} for _, _, c in URL_LOG], lambda row: row["channel"])
    mix = traffic.channel_mix(dataset)
    assert as_dict(mix.channels) == expected
    # own domain: the Les Echos referral becomes direct, everything else stays
    own = traffic.channel_mix(dataset, ChannelSettings(own_domains=("lesechos.fr",)))
    assert as_dict(own.channels) == {**{k: v for k, v in expected.items() if k != "referral"}, "direct": 2}
    # the two click-id visits, and the two Google searches, give the rules the same inputs
    assert traffic.origin_cube(dataset).height == len(URL_LOG) - 2


@pytest.mark.parametrize("settings", [
    ChannelSettings(), ChannelSettings(ai_channel=True), ChannelSettings(enriched=True),
    ChannelSettings(own_domains=("lesechos.fr", "atelier-exemple.fr")),
])
@pytest.mark.parametrize("overrides", [None, {"source": "ignore", "medium": "ignore", "campaign": "ignore"}])
def test_counts_from_the_cube_equal_classifying_every_row(settings, overrides):
    data = (REPO / "data" / "sample_sessions.csv").read_bytes()
    dataset = datasets.load_bytes(data, "sample_sessions.csv", datasets.LoadSettings.build(roles=overrides))
    keys = ["channel", "date", "device", "source", "medium", "campaign"]
    every_row = (
        traffic.classified(dataset, settings)
        .group_by(pl.col("channel"), pl.col("date"), pl.col("device").cast(pl.String), "source", "medium", "campaign")
        .agg(pl.col("sessions").sum())
        .collect()
        .sort(keys, nulls_last=True)
    )
    from_cube = traffic.session_counts(dataset, settings).select(*keys, "sessions").sort(keys, nulls_last=True)
    assert from_cube.equals(every_row)
    assert from_cube["sessions"].sum() == len(sample_rows())

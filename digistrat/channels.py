"""Traffic channels: Google Analytics 4's default channel group, computed from source /
medium / campaign (or from raw referrer and landing-page URLs), rolled up to the article's
three buckets (search engines / external links / direct) and to push vs pull.

Rules follow GA4's documented order (support.google.com/analytics/answer/9756891), first
match wins, case-insensitive after trimming; "(none)", "(not set)", "" and null are the same
"no value". Two modes:

- strict GA4 (the default): GA4's rules and Google's published source categories,
  `data/ga4_sources.csv`, matched exactly, source for source, as GA4 does;
- enriched: the project's own list, `data/sources.csv` (parent domains and country suffixes
  folded: m.facebook.com, google.co.uk), plus webmail and Android-app referrers mapped to
  their real channel and "direct" accepted for "(direct)". Each source on which the two lists
  disagree is written down once, with its reason, in `data/source_differences.csv`.

Optional in either mode: an AI-assistants channel, and the user's own domains counted as direct.

Tables of sources without a medium (Plausible, Umami, Matomo's detail reports): GA4's rules
would leave "Direct / None" and every site outside the source lists Unassigned, so when the
medium column is absent (no value in any row) each source first gets the medium it implies
(`implied_origin`), in strict and enriched mode alike.

Categories: search, social, video, shopping (GA4's four), ai_assistant, and two of the
project's list only: webmail (email only in enriched mode, otherwise no category) and other (a
known host that belongs to no category, overriding its parent domain: docs.google.com is not
search).
"""

from __future__ import annotations

import csv
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from urllib.parse import unquote_plus

import polars as pl

from digistrat.errors import DigistratError, InputError

# Display order: GA4's evaluation order, with the project's two additions before Unassigned's peers.
CHANNEL_KEYS: tuple[str, ...] = (
    "direct",
    "cross_network",
    "paid_shopping",
    "paid_search",
    "paid_social",
    "paid_video",
    "display",
    "paid_other",
    "ai_assistants",
    "organic_shopping",
    "organic_social",
    "organic_video",
    "organic_search",
    "referral",
    "email",
    "affiliates",
    "audio",
    "sms",
    "mobile_push_notifications",
    "campaigns",
    "unassigned",
)
BUCKET_KEYS: tuple[str, ...] = ("search", "external", "direct", "unassigned")
STRATEGY_KEYS: tuple[str, ...] = ("push", "pull")
SOURCE_CATEGORIES: tuple[str, ...] = (
    "search", "social", "video", "shopping", "ai_assistant", "webmail", "other",
)

DATA = Path(__file__).resolve().parents[1] / "data"
SOURCES_CSV = DATA / "sources.csv"  # the project's own list: enriched mode
GA4_SOURCES_CSV = DATA / "ga4_sources.csv"  # Google's published source categories: strict mode
SOURCE_DIFFERENCES_CSV = DATA / "source_differences.csv"  # where the two lists disagree, and why
GA4_CATEGORIES: tuple[str, ...] = ("search", "social", "video", "shopping")

# GA4's regular expressions, verbatim (support.google.com/analytics/answer/9756891).
PAID_MEDIUM_RE = r"^(.*cp.*|ppc|retargeting|paid.*)$"
SHOPPING_CAMPAIGN_RE = r"^(.*(([^a-df-z]|^)shop|shopping).*)$"
VIDEO_MEDIUM_RE = r"^(.*video.*)$"
_PAID = re.compile(PAID_MEDIUM_RE)
_SHOPPING_CAMPAIGN = re.compile(SHOPPING_CAMPAIGN_RE)
_VIDEO_MEDIUM = re.compile(VIDEO_MEDIUM_RE)

_NO_VALUE = ("", "(none)", "(not set)")
_DISPLAY_MEDIA = ("display", "banner", "expandable", "interstitial", "cpm")
_SOCIAL_MEDIA = ("social", "social-network", "social-media", "sm", "social network", "social media")
_EMAIL_VALUES = ("email", "e-mail", "e_mail", "e mail")
_REFERRAL_MEDIA = ("referral", "app", "link")

# Second-level labels under a country code that are not part of a brand (google.co.uk).
_SECOND_LEVEL = frozenset(
    "co com net org ne or ac gov gob edu go ltd plc gen nom biz info".split()
)

# Generic top-level domains folded away with country codes (reverse-DNS app ids are not hosts).
_GENERIC_TLDS = frozenset(
    "com net org info biz io co ai app dev me tv ly gg cc eu asia xyz online site blog social "
    "tech news shop store cloud space live world page link club pro name mobi travel edu gov "
    "int top vip fun media digital network email chat".split()
)

# Android app referrers (android-app://<package>): package -> (source, medium) in enriched mode.
_ANDROID_APPS: dict[str, tuple[str, str]] = {
    "com.google.android.googlequicksearchbox": ("google", "organic"),
    "com.google.android.gm": ("gmail", "email"),
    "com.microsoft.office.outlook": ("outlook", "email"),
    "com.yahoo.mobile.client.android.mail": ("yahoo mail", "email"),
    "ch.protonmail.android": ("proton mail", "email"),
    "com.facebook.katana": ("facebook", "referral"),
    "com.facebook.lite": ("facebook", "referral"),
    "com.facebook.orca": ("messenger", "referral"),
    "com.instagram.android": ("instagram", "referral"),
    "com.linkedin.android": ("linkedin", "referral"),
    "com.twitter.android": ("twitter", "referral"),
    "org.telegram.messenger": ("telegram", "referral"),
    "org.telegram.messenger.web": ("telegram", "referral"),
    "com.whatsapp": ("whatsapp", "referral"),
    "com.reddit.frontpage": ("reddit", "referral"),
    "com.pinterest": ("pinterest", "referral"),
    "com.zhiliaoapp.musically": ("tiktok", "referral"),
    "com.snapchat.android": ("snapchat", "referral"),
    "jp.naver.line.android": ("line", "referral"),
    "com.discord": ("discord", "referral"),
    "com.slack": ("slack", "referral"),
    "com.google.android.youtube": ("youtube", "referral"),
    "com.openai.chatgpt": ("chatgpt.com", "referral"),
}
# GA4 itself reports the Google app as google / organic, so this one holds in strict mode too.
_STRICT_ANDROID_APPS = ("com.google.android.googlequicksearchbox",)


@dataclass(frozen=True)
class ChannelSettings:
    ai_channel: bool = False  # a separate AI assistants channel (GA4 has none)
    enriched: bool = False  # the project's source list, webmail and android-app referrers; strict GA4 when False
    own_domains: tuple[str, ...] = ()  # self-referrals (subdomains included) count as direct
    affiliates_push: bool = True


_DEFAULT_SETTINGS = ChannelSettings()


# ---------------------------------------------------------------------------------------
# Sources and hosts
# ---------------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def source_table() -> dict[str, str]:
    """data/sources.csv, the project's own list (enriched mode), as {source: category}; sources lower case."""
    table: dict[str, str] = {}
    with SOURCES_CSV.open(encoding="utf-8", newline="") as handle:
        for line_number, row in enumerate(csv.DictReader(handle), start=2):
            source = (row.get("source") or "").strip().lower()
            category = (row.get("category") or "").strip()
            if not source or category not in SOURCE_CATEGORIES:
                raise DigistratError(
                    f"{SOURCES_CSV.name} line {line_number}: expected a source and one of "
                    f"{', '.join(SOURCE_CATEGORIES)}; fix that line of the bundled list."
                )
            table[source] = category
    return table


@lru_cache(maxsize=1)
def ga4_source_table() -> dict[str, str]:
    """data/ga4_sources.csv, Google's published source categories (strict mode), as {source: category}."""
    return read_google_source_list(GA4_SOURCES_CSV)


def read_google_source_list(path: Path | str) -> dict[str, str]:
    """Google's published list as Google words it (`source,source_category` with values such as
    SOURCE_CATEGORY_SEARCH), or as data/ga4_sources.csv words it, as {source: category}."""
    path = Path(path)
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.DictReader(handle)
            fields = [name.strip().lower() for name in reader.fieldnames or ()]
            column = next((name for name in ("source_category", "category") if name in fields), None)
            if "source" not in fields or column is None:
                raise InputError(
                    f"{path.name} has no 'source' and 'source_category' columns; give Google's list of "
                    "source categories as a CSV with those two columns."
                )
            table: dict[str, str] = {}
            for line_number, raw in enumerate(reader, start=2):
                row = {(key or "").strip().lower(): (value or "").strip() for key, value in raw.items()}
                source = row["source"].lower()
                category = row[column].lower().removeprefix("source_category_")
                if not source and not category:
                    continue
                if not source or category not in GA4_CATEGORIES:
                    raise InputError(
                        f"{path.name} line {line_number}: expected a source and one of "
                        f"SOURCE_CATEGORY_{', SOURCE_CATEGORY_'.join(c.upper() for c in GA4_CATEGORIES)}; "
                        "fix that line or download the list again."
                    )
                table[source] = category
    except (OSError, UnicodeDecodeError) as error:
        raise InputError(f"Cannot read {path}: {error}; give the path of a UTF-8 CSV file.") from error
    return table


def host_of(value: str | None) -> str | None:
    """'https://www.Google.fr:443/search?q=x' -> 'google.fr'; bare names stay as they are."""
    if value is None:
        return None
    text = value.strip().lower()
    text = re.sub(r"^[a-z][a-z0-9+.\-]*://", "", text)
    text = re.split(r"[/?#]", text, maxsplit=1)[0]
    text = text.rsplit("@", 1)[-1].split(":", 1)[0].strip(".")
    if text.startswith("www."):
        text = text[4:]
    return text or None


def _brand(host: str) -> str | None:
    """The label before the public suffix: google.co.uk, news.google.fr -> 'google'."""
    labels = host.split(".")
    if len(labels) < 2:
        return None
    top = labels.pop()
    if len(top) != 2 and top not in _GENERIC_TLDS:
        return None
    if len(top) == 2 and len(labels) >= 2 and labels[-1] in _SECOND_LEVEL:
        labels.pop()
    return labels[-1] or None


def _is_own(host: str, own_domains: tuple[str, ...]) -> bool:
    for domain in own_domains:
        own = host_of(domain)
        if own and (host == own or host.endswith("." + own)):
            return True
    return False


@lru_cache(maxsize=200_000)
def _lookup(source: str) -> str | None:
    host = host_of(source)
    if host is None or host in _NO_VALUE:
        return None
    table = source_table()
    if host in table:
        return table[host]
    labels = host.split(".")
    # Parent domains on label boundaries only: l.facebook.com -> facebook.com, never a bare TLD.
    for start in range(1, len(labels) - 1):
        parent = ".".join(labels[start:])
        if parent in table:
            return table[parent]
    brand = _brand(host)
    return table.get(brand) if brand else None


def source_category(source: str | None) -> str | None:
    """The project's list (enriched mode): search | social | video | shopping | ai_assistant |
    webmail, or None.

    Exact entry first, then parent domains (m.facebook.com), then the brand with its
    country suffix folded (google.co.uk, yandex.ru, amazon.de -> google, yandex, amazon).
    """
    if source is None:
        return None
    category = _lookup(source)
    return None if category == "other" else category


def ga4_source_category(source: str | None) -> str | None:
    """Google's published list (strict mode): search | social | video | shopping, or None.

    Exact match of the trimmed, lower-case source, as GA4 matches its lists: google.com and
    google.co.uk are not on Google's list, so GA4 files "google.com / referral" under Referral.
    GA4 records a referrer's host without "www." and without its URL, so a source written as a
    URL or with "www." (Umami, Plausible) is looked up as the host GA4 would record.
    """
    if source is None:
        return None
    table = ga4_source_table()
    text = source.strip().lower()
    if text in table:
        return table[text]
    host = host_of(text)
    return table.get(host) if host else None


@dataclass(frozen=True)
class SourceDifference:
    """A source on which the project's list (enriched mode) and Google's list disagree;
    None is "no category" (absent from the list, or filed as a known non-category host)."""

    source: str
    google_category: str | None
    enriched_category: str | None


def source_list_differences(google: dict[str, str] | None = None) -> list[SourceDifference]:
    """Every source of either list whose category differs between Google's list (`google`,
    data/ga4_sources.csv by default) and enriched mode's lookup, by source."""
    google = ga4_source_table() if google is None else google
    sources = sorted(set(google) | set(source_table()))
    return [
        SourceDifference(source, google.get(source), source_category(source))
        for source in sources
        if google.get(source) != source_category(source)
    ]


@dataclass(frozen=True)
class DocumentedDifference:
    difference: SourceDifference
    reason: str


def documented_differences() -> list[DocumentedDifference]:
    """data/source_differences.csv: each difference between the two lists, with its reason."""
    rows: list[DocumentedDifference] = []
    with SOURCE_DIFFERENCES_CSV.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            difference = SourceDifference(
                row["source"].strip().lower(),
                row["google_category"].strip() or None,
                row["enriched_category"].strip() or None,
            )
            rows.append(DocumentedDifference(difference, row["reason"].strip()))
    return rows


def direct_sources(settings: ChannelSettings) -> tuple[str, ...]:
    """Sources that mean "no referrer" to the Direct rule: GA4's "(direct)" only, in strict mode;
    "direct" too in enriched mode."""
    return ("(direct)", "direct") if settings.enriched else ("(direct)",)


def _effective_category(source: str | None, settings: ChannelSettings) -> str | None:
    """The category the rules see: 'own' for the user's domains; AI assistants only with the
    AI channel (from the project's list, in either mode); otherwise Google's list in strict mode
    and the project's (webmail included) in enriched mode."""
    if source is None:
        return None
    if settings.own_domains:
        host = host_of(source)
        if host and _is_own(host, settings.own_domains):
            return "own"
    if not (settings.enriched or settings.ai_channel):
        return ga4_source_category(source)
    category = source_category(source)
    if category == "ai_assistant":
        return category if settings.ai_channel else None
    return category if settings.enriched else ga4_source_category(source)


# ---------------------------------------------------------------------------------------
# The rule chain: one value at a time (reference) and as polars expressions (frames)
# ---------------------------------------------------------------------------------------


def _norm(value: object) -> str | None:
    if value is None:
        return None
    text = str(value).strip().lower()
    return None if text in _NO_VALUE else text


def classify(
    source: str | None,
    medium: str | None,
    campaign: str | None = None,
    settings: ChannelSettings = _DEFAULT_SETTINGS,
) -> str:
    """The channel key of one (source, medium, campaign) under GA4's rules."""
    s, m, c = _norm(source), _norm(medium), _norm(campaign)
    category = _effective_category(s, settings)
    paid = m is not None and _PAID.match(m) is not None
    shop_campaign = c is not None and _SHOPPING_CAMPAIGN.match(c) is not None
    if s in direct_sources(settings) and m is None:
        return "direct"
    if category == "own" and m in (None, "referral"):
        return "direct"
    if c is not None and "cross-network" in c:
        return "cross_network"
    if paid and (category == "shopping" or shop_campaign):
        return "paid_shopping"
    if paid and category == "search":
        return "paid_search"
    if paid and category == "social":
        return "paid_social"
    if paid and category == "video":
        return "paid_video"
    if m in _DISPLAY_MEDIA:
        return "display"
    if paid:
        return "paid_other"
    if category == "ai_assistant":
        return "ai_assistants"
    if category == "webmail":
        return "email"
    if category == "shopping" or shop_campaign:
        return "organic_shopping"
    if category == "social" or m in _SOCIAL_MEDIA:
        return "organic_social"
    if category == "video" or (m is not None and _VIDEO_MEDIUM.match(m) is not None):
        return "organic_video"
    if category == "search" or m == "organic":
        return "organic_search"
    if m in _REFERRAL_MEDIA:
        return "referral"
    if s in _EMAIL_VALUES or m in _EMAIL_VALUES:
        return "email"
    if m == "affiliate":
        return "affiliates"
    if m == "audio":
        return "audio"
    if s == "sms" or m == "sms":
        return "sms"
    if (m is not None and (m.endswith("push") or "mobile" in m or "notification" in m)) or s == "firebase":
        return "mobile_push_notifications"
    return "unassigned"


def _norm_expr(expr: pl.Expr) -> pl.Expr:
    text = expr.cast(pl.String).str.strip_chars().str.to_lowercase()
    return pl.when(text.is_in(list(_NO_VALUE))).then(None).otherwise(text)


def map_distinct(expr: pl.Expr, function: Callable[[str], object], dtype: pl.DataType) -> pl.Expr:
    """Apply a Python function once per distinct non-null value of a column."""

    def apply(series: pl.Series) -> pl.Series:
        values = series.drop_nulls().unique().to_list()
        mapping = {value: function(value) for value in values}
        return series.replace_strict(mapping, default=None, return_dtype=dtype)

    return expr.map_batches(apply, return_dtype=dtype, is_elementwise=True)


def _channel_expr(s: pl.Expr, m: pl.Expr, c: pl.Expr, k: pl.Expr, settings: ChannelSettings) -> pl.Expr:
    """The same rule chain as `classify`, over normalised source, medium, campaign, category."""
    paid = m.str.contains(PAID_MEDIUM_RE).fill_null(False)
    shop_campaign = c.str.contains(SHOPPING_CAMPAIGN_RE).fill_null(False)
    no_medium = m.is_null()
    rules: list[tuple[pl.Expr, str]] = [
        (s.is_in(list(direct_sources(settings))).fill_null(False) & no_medium, "direct"),
        ((k == "own").fill_null(False) & (no_medium | (m == "referral").fill_null(False)), "direct"),
        (c.str.contains("cross-network", literal=True).fill_null(False), "cross_network"),
        (paid & ((k == "shopping").fill_null(False) | shop_campaign), "paid_shopping"),
        (paid & (k == "search").fill_null(False), "paid_search"),
        (paid & (k == "social").fill_null(False), "paid_social"),
        (paid & (k == "video").fill_null(False), "paid_video"),
        (m.is_in(list(_DISPLAY_MEDIA)).fill_null(False), "display"),
        (paid, "paid_other"),
        ((k == "ai_assistant").fill_null(False), "ai_assistants"),
        ((k == "webmail").fill_null(False), "email"),
        ((k == "shopping").fill_null(False) | shop_campaign, "organic_shopping"),
        ((k == "social").fill_null(False) | m.is_in(list(_SOCIAL_MEDIA)).fill_null(False), "organic_social"),
        ((k == "video").fill_null(False) | m.str.contains(VIDEO_MEDIUM_RE).fill_null(False), "organic_video"),
        ((k == "search").fill_null(False) | (m == "organic").fill_null(False), "organic_search"),
        (m.is_in(list(_REFERRAL_MEDIA)).fill_null(False), "referral"),
        ((s.is_in(list(_EMAIL_VALUES)) | m.is_in(list(_EMAIL_VALUES))).fill_null(False), "email"),
        ((m == "affiliate").fill_null(False), "affiliates"),
        ((m == "audio").fill_null(False), "audio"),
        (((s == "sms") | (m == "sms")).fill_null(False), "sms"),
        (
            (
                m.str.ends_with("push") | m.str.contains("mobile", literal=True)
                | m.str.contains("notification", literal=True)
            ).fill_null(False)
            | (s == "firebase").fill_null(False),
            "mobile_push_notifications",
        ),
    ]
    condition, key = rules[0]
    chain = pl.when(condition).then(pl.lit(key))
    for condition, key in rules[1:]:
        chain = chain.when(condition).then(pl.lit(key))
    return chain.otherwise(pl.lit("unassigned"))


def classify_frame(
    lf: pl.LazyFrame,
    settings: ChannelSettings = _DEFAULT_SETTINGS,
    *,
    source: str = "source",
    medium: str = "medium",
    campaign: str = "campaign",
    medium_given: bool | None = None,
) -> pl.LazyFrame:
    """Add a "channel" column. The rules run on distinct (source, medium, campaign) only,
    then join back, so millions of rows cost one hash join. The campaign column is optional;
    key columns that are not text (categoricals, all-null) come back cast to text.

    A table of sources without media (Plausible, Umami, Matomo's detail reports) would all be
    Unassigned under GA4's rules: when `medium_given` is False, or None and the medium column
    holds no value in any row, each source gets the medium it implies (`implied_origin`, with
    the hint of the source column's header) before the rules run. A medium column that has
    values keeps GA4's rules, empty rows included.
    """
    schema = lf.collect_schema()
    for role, name in (("source", source), ("medium", medium)):
        if name not in schema:
            raise InputError(
                f"No column '{name}' for the traffic {role}; the file has "
                f"{', '.join(schema.names()) or 'no columns'}; pick the {role} column or rename it."
            )
    keys = [source, medium] + ([campaign] if campaign in schema else [])
    not_text = [name for name in keys if schema[name] != pl.String]
    if not_text:
        lf = lf.with_columns(pl.col(not_text).cast(pl.String))
    s, m = pl.col("__ch_s"), pl.col("__ch_m")
    c = pl.col("__ch_c")
    source_in, medium_in = pl.col(source), pl.col(medium)
    if medium_given is not True:
        blank = medium_in.str.strip_chars().fill_null("") == ""
        missing = blank.all() if medium_given is None else pl.lit(True)
        hint = source_hint(source)
        implied = map_distinct(
            source_in,
            lambda v: dict(zip(("source", "medium"), implied_origin(v, hint))),
            pl.Struct({"source": pl.String, "medium": pl.String}),
        )
        source_in = pl.when(missing).then(implied.struct.field("source")).otherwise(source_in)
        medium_in = pl.when(missing).then(implied.struct.field("medium")).otherwise(medium_in)
    table = (
        lf.select(keys)
        .unique()
        .with_columns(
            __ch_s=_norm_expr(source_in),
            __ch_m=_norm_expr(medium_in),
            __ch_c=_norm_expr(pl.col(campaign)) if campaign in schema else pl.lit(None, pl.String),
        )
        .with_columns(
            __ch_k=map_distinct(s, lambda v: _effective_category(v, settings), pl.String())
        )
        .select(*keys, channel=_channel_expr(s, m, c, pl.col("__ch_k"), settings))
    )
    return lf.drop("channel", strict=False).join(
        table, on=keys, how="left", nulls_equal=True, maintain_order="left"
    )


# ---------------------------------------------------------------------------------------
# Tables of sources without a medium
# ---------------------------------------------------------------------------------------

# "Direct / None" (Plausible), "Direct Entry" (Matomo)... as a source: the visit had no referrer.
# Compared without spaces, so "Direct/None" and "Direct / None" meet.
_DIRECT_SOURCE_LABELS = frozenset(
    label.replace(" ", "") for label in (
        "direct / none", "(direct) / (none)", "direct", "(direct)", "direct entry", "direct entries",
        "direct traffic", "acces direct", "acces directs", "entree directe", "entrees directes",
        "trafic direct", "direkte zugriffe", "direkter zugriff",
    )
)
_HOST_NAME = re.compile(r"^(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+[a-z][a-z0-9-]*[a-z0-9]$")

# Headers that say which kind of source a table lists (Matomo's detail reports, EN FR DE ES).
_HINT_HEADERS: dict[str, tuple[str, ...]] = {
    "search": ("search engine", "search engines", "moteur de recherche", "moteurs de recherche",
               "suchmaschine", "suchmaschinen", "motor de busqueda", "motores de busqueda",
               "buscador", "buscadores"),
    "social": ("social network", "social networks", "social media", "reseau social",
               "reseaux sociaux", "soziales netzwerk", "soziale netzwerke", "red social",
               "redes sociales"),
    "referral": ("website", "websites", "site web", "sites web", "site internet", "sites internet",
                 "webseite", "webseiten", "sitio web", "sitios web", "referring site",
                 "referring sites", "sites referents"),
}
_HINTS = {header: hint for hint, headers in _HINT_HEADERS.items() for header in headers}
_HINT_MEDIUM = {"search": "organic", "social": "social", "referral": "referral"}


def _plain(text: str) -> str:
    """Folded label with every punctuation mark a space: 'Réseau social :' -> 'reseau social'."""
    return " ".join(re.sub(r"[^a-z0-9()/!]+", " ", _fold_label(text)).split())


def source_hint(header: str) -> str | None:
    """'search', 'social' or 'referral' when a column's header says what its sources are
    (Matomo's 'Search engine', 'Réseaux sociaux', 'Website'...), else None."""
    return _HINTS.get(_plain(header))


def is_direct_label(value: str | None) -> bool:
    """True for a source that means 'no referrer': 'Direct / None', '(direct)', 'Direct Entry'."""
    return value is not None and _plain(value).replace(" ", "") in _DIRECT_SOURCE_LABELS


def is_source_like(value: str | None) -> bool:
    """True for a value a table of sources holds: a host name (no URL), a source of
    data/sources.csv (by name or host), or a 'direct' label."""
    if value is None or not value.strip() or "://" in value:
        return False
    text = value.strip().lower()
    return bool(_HOST_NAME.match(text.removeprefix("www."))) or is_direct_label(text) or _lookup(text) is not None


@lru_cache(maxsize=200_000)
def implied_origin(source: str | None, hint: str | None = None) -> tuple[str | None, str | None]:
    """(source, medium) for a source listed without a medium, whatever the settings.

    'Direct / None' and its kind -> ('(direct)', '(none)'); otherwise the table's hint decides
    (search engine -> organic, social network -> social, website -> referral); without a hint,
    a known search engine -> organic, any other known source or host name -> referral (the rules
    then see its category: social, video, AI, webmail...); an unknown bare name keeps no medium.
    """
    if source is None or not source.strip():
        return source, None
    if is_direct_label(source):
        return "(direct)", "(none)"
    if hint in _HINT_MEDIUM:
        return source, _HINT_MEDIUM[hint]
    category = _lookup(source)
    if category == "search":
        return source, "organic"
    host = host_of(source) or ""
    if category is not None or _HOST_NAME.match(host):
        return source, "referral"
    return source, None


# ---------------------------------------------------------------------------------------
# Raw referrer and landing-page URLs -> source / medium / campaign
# ---------------------------------------------------------------------------------------


def query_param(url: pl.Expr, names: str) -> pl.Expr:
    return url.str.extract(rf"(?i)[?&](?:{names})=([^&#]*)", 1)


def _decode(value: str) -> str | None:
    text = unquote_plus(value).strip()
    return text or None


def _referrer_attribution(referrer: str, settings: ChannelSettings) -> dict[str, str]:
    """(source, medium, campaign) GA4-style for one distinct referrer (already known non-empty)."""
    text = referrer.strip()
    scheme = re.match(r"(?i)^([a-z][a-z0-9+.\-]*)://", text)
    host = host_of(text)
    if host is None:
        return {"source": "(direct)", "medium": "(none)", "campaign": "(direct)"}
    if scheme and scheme.group(1).lower() == "android-app":
        package = re.split(r"[/?#]", re.sub(r"(?i)^android-app://", "", text), maxsplit=1)[0]
        package = package.lower()
        known = _ANDROID_APPS.get(package)
        if known and (settings.enriched or package in _STRICT_ANDROID_APPS):
            source, medium = known
            campaign = {"organic": "(organic)", "referral": "(referral)"}.get(medium, "(not set)")
            return {"source": source, "medium": medium, "campaign": campaign}
        return {"source": package, "medium": "referral", "campaign": "(referral)"}
    if settings.own_domains and _is_own(host, settings.own_domains):
        return {"source": "(direct)", "medium": "(none)", "campaign": "(direct)"}
    if source_category(host) == "search":
        return {"source": _brand(host) or host, "medium": "organic", "campaign": "(organic)"}
    return {"source": host, "medium": "referral", "campaign": "(referral)"}


def sessions_from_urls(
    lf: pl.LazyFrame,
    settings: ChannelSettings = _DEFAULT_SETTINGS,
    *,
    referrer: str = "referrer",
    landing_page: str = "landing_page",
) -> pl.LazyFrame:
    """Add source, medium, campaign derived from a referrer URL and a landing-page URL.

    UTM tags win; then Google click ids (gclid, wbraid, gbraid) -> google / cpc and msclkid
    -> bing / cpc; then the referrer (search engine -> <engine> / organic, own domain or the
    landing page's own host -> direct, other -> <host> / referral); no referrer and no tags
    -> (direct) / (none). Each distinct landing page and referrer is parsed once, then joined back.
    """
    schema = lf.collect_schema()
    if referrer not in schema and landing_page not in schema:
        raise InputError(
            f"Neither a '{referrer}' nor a '{landing_page}' column was found; the file has "
            f"{', '.join(schema.names()) or 'no columns'}; pick the referrer or landing-page column."
        )
    lf = lf.with_columns(
        (pl.col(name).cast(pl.String) if name in schema else pl.lit(None, pl.String)).alias(alias)
        for name, alias in ((referrer, "__ch_ref"), (landing_page, "__ch_lp"))
    )
    url = pl.col("__ch_lp")

    def decode(expr: pl.Expr) -> pl.Expr:
        return map_distinct(expr, _decode, pl.String())

    pages = (
        lf.select("__ch_lp")
        .unique()
        .with_columns(
            __ch_us=decode(query_param(url, "utm_source")),
            __ch_um=decode(query_param(url, "utm_medium")),
            __ch_uc=decode(query_param(url, "utm_campaign")),
            __ch_google=url.str.contains(r"(?i)[?&](?:gclid|wbraid|gbraid)=").fill_null(False),
            __ch_bing=url.str.contains(r"(?i)[?&]msclkid=").fill_null(False),
            __ch_lp_host=map_distinct(url, host_of, pl.String()),
        )
    )
    referrers = (
        lf.select("__ch_ref")
        .unique()
        .with_columns(
            __ch_r=map_distinct(
                pl.col("__ch_ref").str.strip_chars(),
                lambda v: _referrer_attribution(v, settings) if v else None,
                pl.Struct({"source": pl.String, "medium": pl.String, "campaign": pl.String}),
            )
        )
        .with_columns(pl.col("__ch_r").struct.unnest().name.prefix("__ch_r_"))
        .with_columns(__ch_ref_host=map_distinct(pl.col("__ch_ref"), host_of, pl.String()))
    )
    joined = lf.join(pages, on="__ch_lp", how="left", nulls_equal=True, maintain_order="left").join(
        referrers, on="__ch_ref", how="left", nulls_equal=True, maintain_order="left"
    )
    utm = pl.col("__ch_us").is_not_null() | pl.col("__ch_um").is_not_null()
    google, bing = pl.col("__ch_google").fill_null(False), pl.col("__ch_bing").fill_null(False)
    # Like GA4, a referrer on the landing page's own host is navigation inside the site.
    same_site = pl.col("__ch_ref_host").is_not_null() & (pl.col("__ch_ref_host") == pl.col("__ch_lp_host"))
    tagged_campaign = pl.col("__ch_uc").fill_null("(not set)")
    derived = {
        "source": pl.when(utm).then(pl.col("__ch_us").fill_null("(not set)"))
        .when(google).then(pl.lit("google"))
        .when(bing).then(pl.lit("bing"))
        .when(same_site).then(pl.lit("(direct)"))
        .otherwise(pl.col("__ch_r_source").fill_null("(direct)")),
        "medium": pl.when(utm).then(pl.col("__ch_um").fill_null("(not set)"))
        .when(google | bing).then(pl.lit("cpc"))
        .when(same_site).then(pl.lit("(none)"))
        .otherwise(pl.col("__ch_r_medium").fill_null("(none)")),
        "campaign": pl.when(utm | google | bing).then(tagged_campaign)
        .when(same_site).then(pl.lit("(direct)"))
        .otherwise(pl.col("__ch_uc").fill_null(pl.col("__ch_r_campaign").fill_null("(direct)"))),
    }
    return joined.with_columns(**derived).select(
        pl.exclude("^__ch_.*$")
    )


def split_source_medium(lf: pl.LazyFrame, column: str) -> pl.LazyFrame:
    """GA4's 'Session source / medium' column ('google / organic') -> source, medium columns.

    Splits at the last ' / ' (sources may hold a slash); falls back to the first '/'.
    """
    if column not in lf.collect_schema():
        raise InputError(
            f"No column '{column}' to split into source and medium; pick the 'source / medium' column."
        )
    text = pl.col(column).cast(pl.String)
    spaced = text.str.extract_groups(r"^(.*) / (.*)$")
    bare = text.str.extract_groups(r"^([^/]*)/(.*)$")
    source = spaced.struct.field("1").fill_null(bare.struct.field("1")).fill_null(text)
    medium = spaced.struct.field("2").fill_null(bare.struct.field("2"))
    return lf.with_columns(
        source=source.str.strip_chars(),
        medium=medium.str.strip_chars(),
    )


# ---------------------------------------------------------------------------------------
# Already-classified exports: GA4 channel groups and Matomo referrer types, EN and FR
# ---------------------------------------------------------------------------------------

_LABELS: dict[str, str] = {
    # GA4 (and Universal Analytics) default channel group, English
    "direct": "direct",
    "cross network": "cross_network",
    "paid shopping": "paid_shopping",
    "paid search": "paid_search",
    "paid social": "paid_social",
    "paid video": "paid_video",
    "display": "display",
    "paid other": "paid_other",
    "other advertising": "paid_other",
    "organic shopping": "organic_shopping",
    "organic social": "organic_social",
    "social": "organic_social",
    "organic video": "organic_video",
    "organic search": "organic_search",
    "referral": "referral",
    "email": "email",
    "e mail": "email",
    "affiliates": "affiliates",
    "affiliate": "affiliates",
    "audio": "audio",
    "sms": "sms",
    "mobile push notifications": "mobile_push_notifications",
    "unassigned": "unassigned",
    "(other)": "unassigned",
    "other": "unassigned",
    "ai assistants": "ai_assistants",
    # GA4 default channel group, French interface
    "acces direct": "direct",
    "multireseau": "cross_network",
    "multi reseau": "cross_network",
    "reseaux multiples": "cross_network",
    "shopping payant": "paid_shopping",
    "recherche payante": "paid_search",
    "reseaux sociaux payants": "paid_social",
    "social payant": "paid_social",
    "video payante": "paid_video",
    "videos payantes": "paid_video",
    "affichage": "display",
    "autre payant": "paid_other",
    "autres payants": "paid_other",
    "autre trafic payant": "paid_other",
    "autres annonces": "paid_other",
    "shopping naturel": "organic_shopping",
    "shopping organique": "organic_shopping",
    "reseaux sociaux naturels": "organic_social",
    "reseaux sociaux organiques": "organic_social",
    "reseaux sociaux (recherche naturelle)": "organic_social",
    "video naturelle": "organic_video",
    "videos naturelles": "organic_video",
    "video organique": "organic_video",
    "recherche naturelle": "organic_search",
    "recherche organique": "organic_search",
    "reference": "referral",
    "references": "referral",
    "site referent": "referral",
    "sites referents": "referral",
    "referent": "referral",
    "referents": "referral",
    "courriel": "email",
    "affiliation": "affiliates",
    "affilies": "affiliates",
    "notifications push mobiles": "mobile_push_notifications",
    "notifications push": "mobile_push_notifications",
    "non attribue": "unassigned",
    "non attribuee": "unassigned",
    "(autre)": "unassigned",
    "autre": "unassigned",
    # Matomo referrer types, English, French and raw API values
    "direct entry": "direct",
    "direct entries": "direct",
    "search engines": "organic_search",
    "search engine": "organic_search",
    "search": "organic_search",
    "social networks": "organic_social",
    "social network": "organic_social",
    "websites": "referral",
    "website": "referral",
    "campaigns": "campaigns",
    "campaign": "campaigns",
    "ai assistant": "ai_assistants",
    "entrees directes": "direct",
    "entree directe": "direct",
    "moteurs de recherche": "organic_search",
    "moteur de recherche": "organic_search",
    "reseaux sociaux": "organic_social",
    "reseau social": "organic_social",
    "sites web": "referral",
    "site web": "referral",
    "sites internet": "referral",
    "campagnes": "campaigns",
    "campagne": "campaigns",
    "assistants ia": "ai_assistants",
    "assistant ia": "ai_assistants",
    # the article's own bucket names (an aggregated table like estatweb's); "external links"
    # is a bucket, not a channel: referral is the channel that rolls up to it
    "acces directs": "direct",
    "direct access": "direct",
    "liens externes": "referral",
    "liens externes (medias sociaux)": "referral",
    "external links": "referral",
    "external links (social media)": "referral",
    "external": "referral",
    "externe": "referral",
    "externes": "referral",
    "liens externes et reseaux sociaux": "referral",
    "liens externes et medias sociaux": "referral",
    "reseaux sociaux et liens": "referral",
    "external links and social media": "referral",
    "external links and social networks": "referral",
    "recherche": "organic_search",
    "trafic direct": "direct",
    "direct traffic": "direct",
    # Matomo referrer types, German
    "direkte zugriffe": "direct",
    "direkter zugriff": "direct",
    "direkteintritte": "direct",
    "suchmaschinen": "organic_search",
    "suchmaschine": "organic_search",
    "webseiten": "referral",
    "soziale netzwerke": "organic_social",
    "soziales netzwerk": "organic_social",
    "kampagnen": "campaigns",
    "kampagne": "campaigns",
    "ki assistenten": "ai_assistants",
    "ki assistent": "ai_assistants",
    # GA4 leaves a channel "(not set)" now and then; it is no channel
    "(not set)": "unassigned",
}


def _fold_label(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.strip().lower())
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    plain = re.sub(r"[\s_\-\u2010-\u2015]+", " ", plain)
    return plain.strip()


# Words that only join the parts of a label: "Liens externes & réseaux sociaux" and
# "réseaux sociaux / liens externes" are one label, whatever the order of its parts.
_CONNECTORS = frozenset({"et", "and", "und", "y", "ou", "or", "/", "(", ")", "&"})


def _word_set(text: str) -> str:
    words = re.sub(r"[()/&,;:+]", " ", _plain(text)).split()
    return " ".join(sorted(w for w in words if w not in _CONNECTORS))


_LABELS_BY_WORDS: dict[str, str] = {_word_set(label): key for label, key in _LABELS.items()}


def map_channel_label(text: str | None) -> str | None:
    """A channel key for a GA4 channel-group or Matomo referrer-type label (EN, FR, Matomo DE),
    for one of the article's buckets in other words ("Liens externes et réseaux sociaux",
    "external", "search"), or for a channel key itself; None when the label is not recognised.
    Punctuation, "et"/"and" and the order of the words do not matter."""
    if text is None:
        return None
    folded = _fold_label(text)
    if not folded:
        return None
    if folded in _LABELS:
        return _LABELS[folded]
    key = folded.replace(" ", "_")
    if key in CHANNEL_KEYS:
        return key
    return _LABELS_BY_WORDS.get(_word_set(text))


# ---------------------------------------------------------------------------------------
# Agreement with the export's own GA4 label
# ---------------------------------------------------------------------------------------

# Why an export's own GA4 channel and the rules' channel can differ, when the row shows it.
AGREEMENT_REASONS: tuple[str, ...] = (
    "other_row",  # GA4's "(other)" row: rows folded together past its row limits
    "custom_channel_group",  # the label is none of GA4's default channels: a custom or manual channel group
    "ai_channel",  # the AI assistants channel is switched on; GA4 has none
    "own_domain",  # one of the user's own domains, counted as direct
    "enriched_mode",  # the project's source list or rules (enriched mode) differ from GA4's here
    "cross_network",  # GA4 knows the Google Ads campaign type (Performance Max, Demand Gen); the campaign name does not say "cross-network"
    "campaign_missing",  # Shopping in GA4 may come from the campaign name, and the export has no campaign column
    "auto_tagging",  # a paid channel in GA4 while the medium says nothing paid: GA4 saw an ad click id (gclid, dclid...) the export lacks
    "ads_network",  # another paid channel in GA4 for a paid medium: GA4 used the ad network type (Display Network, YouTube) from Google Ads, DV360 or SA360
)

# GA4's default channels (the label of a GA4 export is one of these, or a custom channel group).
_GA4_CHANNELS = frozenset(CHANNEL_KEYS) - {"ai_assistants", "campaigns"}
# Channels GA4 also gives from ad-platform data (auto-tagging) rather than from source / medium.
_AD_CHANNELS = frozenset(
    {"cross_network", "paid_shopping", "paid_search", "paid_social", "paid_video", "display", "paid_other", "audio"}
)


@dataclass(frozen=True)
class Disagreement:
    label: str  # the export's own channel, as written
    ga4_channel: str | None  # that label's channel key; None for a label that is no GA4 channel
    source: str | None
    medium: str | None
    channel: str  # what the rules give under the current settings
    sessions: int | float
    reason: str | None  # one of AGREEMENT_REASONS; None when the rows do not show why

    def as_dict(self) -> dict[str, object]:
        return {
            "label": self.label, "ga4_channel": self.ga4_channel, "source": self.source, "medium": self.medium,
            "channel": self.channel, "sessions": self.sessions, "reason": self.reason,
        }


@dataclass(frozen=True)
class Agreement:
    """How far the rules agree with the channel GA4 itself wrote next to each source / medium."""

    sessions: int | float  # sessions whose label the rules reproduce
    total: int | float  # sessions of every labelled row
    share: float | None  # sessions / total (0-1); None without sessions
    disagreements: tuple[Disagreement, ...]  # by (label, source, medium, channel), largest first

    def as_dict(self) -> dict[str, object]:
        return {
            "sessions": self.sessions,
            "share": self.share,
            "disagreements": [d.as_dict() for d in self.disagreements],
        }


def _is_paid_medium(medium: str | None) -> bool:
    return medium is not None and (_PAID.match(medium) is not None or medium in _DISPLAY_MEDIA)


def _disagreement_reason(
    expected: str | None, channel: str, strict_channel: str, source: str | None, medium: str | None,
    label: str, has_campaign: bool, settings: ChannelSettings,
) -> str | None:
    s, m = _norm(source), _norm(medium)
    if _fold_label(label) == "(other)" or "(other)" in (s, m):
        return "other_row"
    if expected not in _GA4_CHANNELS:
        return "custom_channel_group"
    if strict_channel == expected:
        if channel == "ai_assistants":
            return "ai_channel"
        if channel == "direct" and _effective_category(s, settings) == "own":
            return "own_domain"
        return "enriched_mode"
    if expected == "cross_network":
        return "cross_network"
    if expected in ("paid_shopping", "organic_shopping") and not has_campaign:
        return "campaign_missing"
    if expected in _AD_CHANNELS:
        return "ads_network" if _is_paid_medium(m) else "auto_tagging"
    return None


def agreement(
    data: pl.LazyFrame | pl.DataFrame,
    settings: ChannelSettings = _DEFAULT_SETTINGS,
    *,
    label: str = "channel_label",
    source: str = "source",
    medium: str = "medium",
    campaign: str = "campaign",
    sessions: str = "sessions",
) -> Agreement:
    """Classify each row's source / medium (/ campaign) under `settings` and compare with the
    channel the export itself carries (GA4's "Session default channel group", a BigQuery
    export's `session_traffic_source_last_click.cross_channel_campaign.default_channel_group`).

    The campaign column is optional; without a sessions column each row counts as one session.
    Rows without a label are left out: there is nothing to compare. The medium is taken as
    given (GA4 computed its label from these values), even where no row has one.
    """
    lf = data.lazy()
    schema = lf.collect_schema()
    for role, name in (("GA4 channel", label), ("source", source), ("medium", medium)):
        if name not in schema:
            raise InputError(
                f"No column '{name}' for the {role}; the file has {', '.join(schema.names()) or 'no columns'}; "
                f"pick the {role} column."
            )
    if sessions in schema and not schema[sessions].is_numeric():
        raise InputError(
            f"Column '{sessions}' must hold numbers of sessions, not {schema[sessions]}; pick a count column."
        )
    has_campaign = campaign in schema
    columns = {"__ag_label": label, "__ag_s": source, "__ag_m": medium} | ({"__ag_c": campaign} if has_campaign else {})
    weight = pl.col(sessions).fill_null(0).sum() if sessions in schema else pl.len()
    grouped = (
        lf.select(
            *(pl.col(name).cast(pl.String).alias(alias) for alias, name in columns.items()),
            *([pl.col(sessions)] if sessions in schema else []),
        )
        .filter(pl.col("__ag_label").str.strip_chars().fill_null("") != "")
        .group_by(list(columns))
        .agg(__ag_n=weight)
        .collect()
    )

    def channels(chosen: ChannelSettings) -> pl.Series:
        lf = classify_frame(grouped.lazy(), chosen, source="__ag_s", medium="__ag_m", campaign="__ag_c",
                            medium_given=True)
        return lf.select("channel").collect().to_series()  # row order kept: a left join on `grouped`

    # GA4's own rules too, to tell a difference the settings make from one GA4's data makes
    strict = ChannelSettings(affiliates_push=settings.affiliates_push)
    mine = channels(settings)
    frame = grouped.with_columns(channel=mine, __ag_strict=mine if settings == strict else channels(strict))
    agreeing: int | float = 0
    total: int | float = 0
    differing: dict[tuple[str, str | None, str | None, str | None, str, str | None], int | float] = {}
    for row in frame.iter_rows(named=True):
        expected = map_channel_label(row["__ag_label"])
        total += row["__ag_n"]
        if expected == row["channel"] and _fold_label(row["__ag_label"]) != "(other)":
            agreeing += row["__ag_n"]
            continue
        reason = _disagreement_reason(
            expected, row["channel"], row["__ag_strict"], row["__ag_s"], row["__ag_m"],
            row["__ag_label"], has_campaign, settings,
        )
        key = (row["__ag_label"], expected if expected in _GA4_CHANNELS else None, row["__ag_s"], row["__ag_m"],
               row["channel"], reason)
        differing[key] = differing.get(key, 0) + row["__ag_n"]
    disagreements = sorted(
        (Disagreement(*key[:5], sessions=n, reason=key[5]) for key, n in differing.items()),
        key=lambda d: (-d.sessions, d.label, d.source or "", d.medium or "", d.channel),
    )
    return Agreement(agreeing, total, agreeing / total if total else None, tuple(disagreements))


# ---------------------------------------------------------------------------------------
# Roll-ups: the article's three buckets, push vs pull
# ---------------------------------------------------------------------------------------

_PUSH = frozenset(
    {
        "email", "sms", "mobile_push_notifications", "display", "cross_network", "audio",
        "paid_shopping", "paid_search", "paid_social", "paid_video", "paid_other", "campaigns",
    }
)
_PULL = frozenset(
    {
        "organic_shopping", "organic_social", "organic_video", "organic_search", "direct",
        "referral", "ai_assistants",
    }
)


def _check_channel(channel: str) -> None:
    if channel not in CHANNEL_KEYS:
        raise InputError(
            f"'{channel}' is not a traffic channel; use one of {', '.join(CHANNEL_KEYS)}."
        )


def bucket_of(channel: str) -> str:
    """The article's bucket: 'search' (organic and paid search), 'direct', 'unassigned',
    or 'external' (every other channel: social, referral, email, AI...)."""
    _check_channel(channel)
    if channel in ("organic_search", "paid_search"):
        return "search"
    if channel in ("direct", "unassigned"):
        return channel
    return "external"


def strategy_of(channel: str, settings: ChannelSettings = _DEFAULT_SETTINGS) -> str | None:
    """'push' (the company sends the message: paid, email, SMS, display, campaigns...) or
    'pull' (the visitor comes: organic, direct, referral, AI); affiliates per the setting;
    None for unassigned, which is neither."""
    _check_channel(channel)
    if channel == "affiliates":
        return "push" if settings.affiliates_push else "pull"
    if channel in _PUSH:
        return "push"
    if channel in _PULL:
        return "pull"
    return None


def rollup(
    data: pl.LazyFrame | pl.DataFrame,
    by: str = "bucket",
    *,
    settings: ChannelSettings = _DEFAULT_SETTINGS,
    channel: str = "channel",
    sessions: str = "sessions",
) -> pl.DataFrame:
    """Sessions and share (0-1) per bucket, strategy or channel, in display order.

    Without a sessions column each row counts as one session. A null channel counts as
    unassigned; for strategies, unassigned keeps its own row (key 'unassigned') so the
    shares still add up to 1. Only keys that occur are returned.
    """
    if by not in ("bucket", "strategy", "channel"):
        raise InputError(f"Cannot roll channels up by '{by}'; use bucket, strategy or channel.")
    lf = data.lazy()
    schema = lf.collect_schema()
    if channel not in schema:
        raise InputError(f"No '{channel}' column to roll up; classify the traffic first.")
    if sessions in schema and not schema[sessions].is_numeric():
        raise InputError(
            f"Column '{sessions}' must hold numbers of sessions, not {schema[sessions]}; pick a count column."
        )
    total_sessions = (
        pl.col(sessions).fill_null(0).sum() if sessions in schema else pl.len().cast(pl.Int64)
    )
    per_channel = (
        lf.group_by(pl.col(channel).cast(pl.String).fill_null("unassigned").alias("key"))
        .agg(sessions=total_sessions)
        .collect()
    )
    unknown = sorted(set(per_channel["key"]) - set(CHANNEL_KEYS))
    if unknown:
        raise InputError(
            f"Column '{channel}' holds values that are not channels ({', '.join(unknown[:5])}); "
            "classify the traffic or map the labels first."
        )
    if by == "bucket":
        order, key_of = BUCKET_KEYS, bucket_of
    elif by == "strategy":
        order = (*STRATEGY_KEYS, "unassigned")
        key_of = lambda key: strategy_of(key, settings) or "unassigned"  # noqa: E731
    else:
        order, key_of = CHANNEL_KEYS, lambda key: key  # noqa: E731
    grouped = (
        per_channel.with_columns(pl.col("key").replace_strict({k: key_of(k) for k in CHANNEL_KEYS}))
        .group_by("key")
        .agg(pl.col("sessions").sum())
    )
    total = grouped["sessions"].sum()
    return (
        grouped.with_columns(
            share=(pl.col("sessions") / total) if total else pl.lit(None, pl.Float64),
            __ch_rank=pl.col("key").replace_strict({k: i for i, k in enumerate(order)}),
        )
        .sort("__ch_rank")
        .select("key", "sessions", "share")
    )

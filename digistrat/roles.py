"""What kind of dataset a frame is, and what role each column plays.

Headers are read first (English and French, GA4 and Matomo names; case, accents and
punctuation do not matter), then the values of a sample (the first 10 000 rows) for
columns whose header says nothing.

Decisions where the brief was silent:

- Roles that a dataset holds once (all but dimension, measure, ignore) go to one column:
  a header match beats a value match, then the leftmost column wins; the others become
  dimension (text, dates, booleans) or measure (numbers), with the reason said.
- `count` and `share` need a numeric column; `weight` may be text (the bad values are
  reported by normalise). One `count` is chosen: sessions, then visits, then visitors, then
  users (EN FR DE ES), then a generic count ("Count", "Respondents"), then an everyday word
  ("Effectif", "Nb", "Total", "Nombre d'entreprises", "Companies"), then new users; other
  metrics (Engaged sessions, Event count...) are measures. Everyday words are a count only
  where the rows are not respondents (`_row_level`: no id or weight column, no two rows with
  the same labels, no label column different on every row beside one that repeats).
- Sources named by their header: "Source" always; a referrer header ("Referrer(s)", "Nom du
  référent") over host names rather than URLs (Umami); in an aggregated table, Matomo's
  detail headers ("Website", "Social Network", "Search engine", "Moteur de recherche",
  "Réseaux sociaux", "Site web"; digistrat.channels.source_hint) and a bare "name" (Plausible)
  whose values are mostly sources or host names. digistrat.channels fills the medium such a
  table lacks.
- Channel columns by value: most distinct values are labels digistrat.channels maps (GA4,
  Matomo EN FR DE, the article's buckets "search / external / direct" in their words).
- Dates by header include survey tools' answer times ("Horodateur", "Timestamp", "Submitted
  at", "Submit Date (UTC)", "Date de soumission"), even when read as text; a submission time
  beats a start time, which beats an end time.
- URLs by value: android-app:// values, or URLs spread over many hosts, are referrers;
  URLs mostly on one host (>= 80 % of rows) or carrying utm_ tags (>= 5 %) are landing
  pages; values that are paths ("/contact") are landing pages. With two URL columns the
  more landing-like one is the landing page and the other the referrer.
- Weight by value (row-level data only, when no header names one): numbers all > 0 whose
  mean is within 0.15 of 1, with decimals (or all exactly 1). Whole numbers that are all
  different, in row-level data, are an id.
- A column of all-different values is an id only in row-level data (no count or share
  column): in an aggregated table it is the grouping key, a dimension. Text columns of
  row-level data with more than 200 distinct values and repeats are free text: ignore.
- Kinds (`infer_kind`): a segment column makes a survey, or a survey_table when a count or
  share column exists and no id or weight does. Otherwise, with a count: source / medium
  -> traffic_by_source_medium (finer than the channel, so it wins when both exist),
  channel -> traffic_by_channel; a device column and no other traffic column ->
  traffic_by_device (GA4's device report: a device split, no channels). Otherwise any
  aggregated one-category table (category + share, or category + count: the article's tables,
  a landing-page report) is a survey_table. Without count or share, source / medium / campaign / channel / referrer /
  landing page / device columns make row-level `traffic`. Anything else is `unknown`.
- `RoleGuess` also records `numeric_columns`; `with_roles` uses it to refuse a text column
  as count or share and to turn a column whose role moved to another one back into a
  measure or dimension. It refuses unknown columns and roles, and one role given to two
  columns in the same call.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace

import polars as pl

from digistrat.channels import is_source_like, map_channel_label, source_hint
from digistrat.errors import InputError
from digistrat.normalise import device_key, fold, segment_key

ROLES: tuple[str, ...] = (
    "segment", "weight", "id", "channel", "source", "medium", "source_medium", "campaign",
    "referrer", "landing_page", "device", "date", "count", "share", "dimension", "measure",
    "ignore",
)
KINDS: tuple[str, ...] = (
    "survey", "traffic", "traffic_by_channel", "traffic_by_source_medium", "traffic_by_device",
    "survey_table", "unknown",
)
_MANY_ROLES = frozenset({"dimension", "measure", "ignore"})
SAMPLE_ROWS = 10_000
_MOSTLY = 0.6           # share of distinct values that must match a vocabulary
_MAX_CATEGORIES = 200   # more distinct values than this is not a category column
_MIN_ID_ROWS = 10


@dataclass(frozen=True)
class RoleGuess:
    kind: str
    roles: dict[str, str]
    reasons: dict[str, str]
    # Columns holding numbers (set by guess_roles): a role moved away from a column falls
    # back to measure or dimension, and only they can be a count or a share.
    numeric_columns: frozenset[str] = field(default=frozenset())

    def column_for(self, role: str) -> str | None:
        """The (first) column playing `role`, or None."""
        return next((c for c, r in self.roles.items() if r == role), None)


# ---------------------------------------------------------------- header vocabulary

def _fold_header(name: str) -> str:
    # "sessionSourceMedium" (GA4 API names) -> "session source medium"
    return fold(re.sub(r"(?<=[a-z])(?=[A-Z])", " ", name))


_QUALIFIERS = frozenset(
    "session first user primary principal principale premier utilisateur de la le les l d du "
    "des pour par the of".split()
)


def _core(folded: str) -> str:
    """The header without qualifiers like 'Session' or 'de la session'."""
    return " ".join(w for w in folded.split() if w not in _QUALIFIERS)


_CHANNEL = re.compile(
    r"\bchannel group|\bgroupes? de canaux|\bchannel type\b|\btype de canal\b|\breferr?er type\b"
    r"|\btypes? de referr?en[tc]e?s?\b|\btype de referrer\b|^(default )?channels?$|^canal$|^canaux$"
    r"|\bchannel grouping\b|\btypes? d acquisitions?\b"
    # German Matomo: Kanaltyp, Verweisart / Verweistyp(en), Kanal
    r"|^kanal(typ|gruppe)?$|^kanale$|^verweis(art|typ|typen)$"
)
_SOURCE_MEDIUM = re.compile(r"\bsource (medium|support)\b")
_CAMPAIGN = re.compile(r"\bcampaigns?\b|\bcampagnes?\b")
_REFERRER = re.compile(
    r"\breferr?ers?\b|\breferents?\b|\breferring\b|\bpage referente\b|^verweise?$|\bname des verweises\b"
)
_LANDING = re.compile(
    r"\blanding page\b|\bpage de destination\b|\bpage d atterrissage\b|\bentry page\b"
    r"|\bpage d entree\b|^url$|^page url$|^landing url$"
)
_WEIGHT = re.compile(r"\bweights?\b|\bpoids\b|\bponderations?\b|\bweighting\b|^wt$|^pond$")
_SHARE_WORDS = frozenset("share part parts pourcentage percent percentage proportion pct".split())
_SHARE_EXACT = frozenset({"%", "share", "part", "pourcentage", "percent", "percentage", "pct",
                          "proportion", "part %", "share %", "part en %", "pourcentage %"})

_SOURCE = frozenset({"source", "sources", "traffic source", "source trafic", "source du trafic",
                     "manual source", "source manuelle"})
_MEDIUM = frozenset({"medium", "support", "manual medium", "support manuel"})
_DEVICE = frozenset({"device", "devices", "device category", "device type", "appareil",
                     "appareils", "categorie appareil", "type appareil", "terminal",
                     "type terminal", "categorie terminal"})
# Survey tools name the answer's time too: Google Forms "Horodateur", Typeform "Submit Date
# (UTC)", SurveyMonkey "Start Date"; rank: the submission before the start, the start before the end.
_DATE = re.compile(
    r"^(?:dates?|jour|day|datetime|timestamp|horodatage|horodateur|date heure|date hour|visit date"
    r"|date visite|submitted|submitted at|submit date|submission date|submission time"
    r"|date (?:soumission|reponse|envoi|saisie)|(?:created|completed|response) (?:at|date)"
    r"|(?P<start>start date|start time|started at|date debut)"
    r"|(?P<end>end date|end time|ended at|date fin))(?: utc| gmt)?$"
)
_SEGMENT = frozenset({"segment", "segments", "profil", "profile", "profils", "groupe", "group",
                      "cluster", "typologie", "segment satisfaction", "satisfaction segment"})
_ID = frozenset({"id", "ids", "identifiant", "identifier", "respondent", "respondent id",
                 "repondant", "id repondant", "identifiant repondant", "numero repondant",
                 "response id", "record id", "uuid", "user id", "client id", "session id",
                 "#", "n°", "no", "numero", "num"})
# rank: lower is the better main count (sessions, visits, visitors, users, then generic counts)
_COUNT_RANK = {
    **dict.fromkeys(["sessions", "nombre sessions", "number sessions", "nb sessions", "sitzungen",
                     "sesiones"], 0),
    **dict.fromkeys(["visits", "visites", "nb visits", "nombre visites", "number visits",
                     "besuche", "visitas"], 1),
    **dict.fromkeys(["visitors", "visiteurs", "unique visitors", "visiteurs uniques",
                     "nb uniq visitors", "besucher", "eindeutige besucher", "visitantes",
                     "visitantes unicos"], 2),
    **dict.fromkeys(["users", "total users", "utilisateurs", "total utilisateurs",
                     "nombre total utilisateurs", "active users", "utilisateurs actifs", "nutzer",
                     "aktive nutzer", "usuarios", "usuarios activos"], 3),
    **dict.fromkeys(["count", "frequency", "frequence", "respondents", "repondants",
                     "nombre repondants", "number respondents"], 4),
    **dict.fromkeys(["new users", "nouveaux utilisateurs", "nb users"], 6),
}
# Everyday words for a number of things ("Effectif", "Total", "Nombre d'entreprises"): a count
# only where the table is aggregated, a measure in respondent-level data (`_row_level`).
_EVERYDAY_COUNT_RANK = 5
_EVERYDAY_COUNT = frozenset(
    "nombre effectif effectifs n nb nbre total totaux companies entreprises societes firms "
    "businesses organisations organizations participants personnes people responses reponses "
    "answers".split()
)
_EVERYDAY_COUNT_PREFIX = re.compile(r"^(?:number|nombre|nb|nbre) [a-z]")


def _header_role(name: str) -> tuple[str, int] | None:
    """(role, rank) a header alone means, or None; rank orders rivals for one role."""
    folded = _fold_header(name)
    core = _core(folded)
    if _CHANNEL.search(folded):
        return "channel", 0
    if _SOURCE_MEDIUM.search(folded):
        return "source_medium", 0
    if _CAMPAIGN.search(folded):
        return "campaign", 0
    if core in _SOURCE:
        return "source", 0
    if core in _MEDIUM:
        return "medium", 0
    if _REFERRER.search(folded):
        return "referrer", 0
    if _LANDING.search(folded):
        return "landing_page", 0
    if core in _DEVICE:
        return "device", 0
    date = _DATE.match(folded) or _DATE.match(core)
    if date:
        return "date", 1 if date["start"] else 2 if date["end"] else 0
    if folded in _SEGMENT or core in _SEGMENT:
        return "segment", 0
    if _WEIGHT.search(folded):
        return "weight", 0
    if name.strip().lower() in _ID:  # "N°", "#": before counts, whose "n" they fold to
        return "id", 0
    if core in _COUNT_RANK:
        return "count", _COUNT_RANK[core]
    if core in _EVERYDAY_COUNT or _EVERYDAY_COUNT_PREFIX.match(core):
        return "count", _EVERYDAY_COUNT_RANK
    if core in _SHARE_EXACT:
        return "share", 0
    if _SHARE_WORDS & set(folded.split()) or folded.startswith("%"):
        return "share", 1
    if core in _ID or name.strip().lower() in _ID:
        return "id", 0
    return None


# ---------------------------------------------------------------- value vocabulary

_SOURCE_MEDIUM_VALUE = re.compile(r"^[^/\s][^/]*\s/\s[^/]*[^/\s]$")
_URL = re.compile(r"^(https?|android-app)://", re.IGNORECASE)
_HOST = r"^[a-z][a-z0-9+.-]*://(?:[^@/?#]*@)?([^/?#:]+)"


def _share_matching(
    values: list[str], matches: Callable[[str], object]
) -> tuple[float, set]:
    keys = [matches(v) for v in values]
    found = [k for k in keys if k]
    return (len(found) / len(values) if values else 0.0), set(found)


def _url_profile(sample: pl.Series) -> tuple[bool, float, float]:
    """(any android-app, top host's share of rows, share of rows with utm_ tags)."""
    urls = sample.drop_nulls().str.strip_chars()
    lower = urls.str.to_lowercase()
    hosts = lower.str.extract(_HOST, 1).drop_nulls()
    top_host = hosts.value_counts(sort=True)["count"][0] / len(urls) if len(hosts) else 0.0
    return (
        bool(lower.str.starts_with("android-app://").any()),
        float(top_host),
        float(lower.str.contains("utm_", literal=True).mean()),
    )


def _value_role(sample: pl.Series, aggregated: bool) -> tuple[str, str]:
    """(role, reason) from the values of a column whose header said nothing."""
    dtype = sample.dtype
    if dtype == pl.Date or isinstance(dtype, pl.Datetime):
        return "date", "values are dates"
    if dtype.is_numeric():
        values = sample.drop_nulls()
        if len(values) and not aggregated:
            mean = float(values.mean())
            fractional = bool((values != values.round(0)).any()) if dtype.is_float() else False
            if float(values.min()) > 0 and abs(mean - 1) <= 0.15 and (fractional or mean == 1):
                return "weight", f"positive numbers averaging {mean:.2f}, like weights"
            if (not dtype.is_float() and values.n_unique() == len(sample) >= _MIN_ID_ROWS):
                return "id", "whole numbers, all different, like an id"
        return "measure", "numbers"
    if dtype == pl.Boolean:
        return "dimension", "yes/no values"
    if dtype != pl.String:
        return "ignore", f"values of type {dtype} are not used"

    texts = sample.drop_nulls().str.strip_chars()
    texts = texts.filter(texts != "")
    distinct = texts.unique().to_list()
    if not distinct:
        return "ignore", "no values in the first rows"
    is_url = lambda v: bool(_URL.match(v))  # noqa: E731
    if sum(map(is_url, distinct)) / len(distinct) >= _MOSTLY:
        return "url", ""  # resolved into referrer / landing_page by the caller
    if sum(1 for v in distinct if v.startswith("/")) / len(distinct) >= _MOSTLY:
        return "landing_page", "values are page paths, like landing pages"
    if sum(1 for v in distinct if _SOURCE_MEDIUM_VALUE.match(v)) / len(distinct) >= _MOSTLY:
        return "source_medium", "values look like 'source / medium' pairs"
    if len(distinct) <= _MAX_CATEGORIES:
        share, _ = _share_matching(distinct, map_channel_label)
        if share >= _MOSTLY:
            return "channel", f"{share:.0%} of its distinct values are channel names"
        share, keys = _share_matching(distinct, device_key)
        if share >= _MOSTLY and keys - {"other"}:
            return "device", f"{share:.0%} of its distinct values are device names"
        share, _ = _share_matching(distinct, segment_key)
        if share >= _MOSTLY:
            return "segment", f"{share:.0%} of its distinct values are segment names"
    if aggregated:
        return "dimension", "text labels of an aggregated table"
    if texts.n_unique() == len(sample) >= _MIN_ID_ROWS:
        return "id", "every value is different, like an id"
    if len(distinct) <= _MAX_CATEGORIES:
        return "dimension", f"text with {len(distinct)} distinct values"
    return "ignore", f"free text ({len(distinct)}+ distinct values)"


_GENERIC_SOURCE_HEADERS = frozenset({"name", "nom", "site", "label", "libelle"})


def _source_header(name: str) -> str | None:
    """'hint' for a header that says what sources a column lists (Matomo's 'Search engine',
    'Réseaux sociaux', 'Website'), 'generic' for a bare 'name' (Plausible), else None."""
    if source_hint(name):
        return "hint"
    return "generic" if _core(_fold_header(name)) in _GENERIC_SOURCE_HEADERS else None


def _source_column(sample: pl.Series, column: str, how: str, aggregated: bool) -> str | None:
    """Why a column whose header names referrers or sources holds sources, or None.

    Referrer columns of host names (Umami) are sources whatever the table; Matomo's detail
    headers and a bare 'name' need an aggregated table, and 'name' values that are sources.
    """
    if sample.dtype != pl.String or (how != "referrer" and not aggregated) or _channel_names(sample):
        return None
    texts = sample.drop_nulls().str.strip_chars()
    distinct = texts.filter(texts != "").unique().to_list()
    if not distinct:
        return None
    urls = sum(1 for v in distinct if _URL.match(v)) / len(distinct)
    like = sum(1 for v in distinct if is_source_like(v)) / len(distinct)
    if how == "hint" and urls < _MOSTLY:
        return f"header '{column}' lists {source_hint(column)} sources of visits"
    if urls < _MOSTLY and like >= _MOSTLY:
        return f"header '{column}' names sources, and {like:.0%} of its values are sources or host names"
    return None


def _channel_names(sample: pl.Series) -> bool:
    """True when most distinct values are channel labels and not sources ('Direct' is both)."""
    if sample.dtype != pl.String:
        return False
    distinct = [v for v in sample.drop_nulls().str.strip_chars().unique().to_list() if v]
    if not distinct or len(distinct) > _MAX_CATEGORIES:
        return False
    channels, _ = _share_matching(distinct, map_channel_label)
    sources, _ = _share_matching(distinct, is_source_like)
    return channels >= _MOSTLY and sources < _MOSTLY


def _row_level(sample: pl.DataFrame, roles: Mapping[str, str]) -> str | None:
    """Why the rows look like respondents or sessions rather than one row per category, or None.

    Evidence: an id or weight column; rows sharing all their labels (text, dates); or, from
    10 rows, one label column different on every row (a timestamp, an e-mail) beside one that
    repeats. Without label columns there is no evidence.
    """
    if {"id", "weight"} & set(roles.values()):
        return "the table has an id or weight column"
    labels = [c for c, t in sample.schema.items() if not t.is_numeric() and t != pl.Null]
    if not labels or sample.height < 2:
        return None
    frame = sample.select(labels)
    if frame.is_duplicated().any():
        return "several rows share the same labels, like respondents"
    if sample.height >= _MIN_ID_ROWS and len(labels) > 1:
        all_different = [frame[c].n_unique() == sample.height for c in labels]
        if any(all_different) and not all(all_different):
            return "one label column differs on every row while another repeats, like respondents"
    return None


def _fallback(column: str, numeric: frozenset[str]) -> str:
    return "measure" if column in numeric else "dimension"


def guess_roles(frame: pl.DataFrame | pl.LazyFrame) -> RoleGuess:
    """Guess the kind and every column's role from the header and the first 10 000 rows."""
    sample = (frame.head(SAMPLE_ROWS).collect() if isinstance(frame, pl.LazyFrame)
              else frame.head(SAMPLE_ROWS))
    # Categorical text is read like any other text.
    sample = sample.with_columns(
        pl.col(c).cast(pl.String) for c, t in sample.schema.items()
        if isinstance(t, (pl.Categorical, pl.Enum))
    )
    if not sample.columns:
        raise InputError("The table has no columns; check that the file holds a header row.")
    numeric = frozenset(c for c, t in sample.schema.items() if t.is_numeric())
    roles: dict[str, str] = {}
    reasons: dict[str, str] = {}
    # (role, from_header, rank, position) for rivals of roles held once
    claims: dict[str, list[tuple[int, int, int, str]]] = {}

    everyday_counts: list[tuple[int, str]] = []
    named_sources: dict[str, str] = {}  # column -> referrer | hint | generic, decided below
    for position, column in enumerate(sample.columns):
        found = _header_role(column)
        if found is None:
            if how := _source_header(column):
                named_sources[column] = how
            continue
        role, rank = found
        if role in ("count", "share") and column not in numeric:
            roles[column] = "dimension"
            reasons[column] = f"header '{column}' suggests {role}, but its values are not numbers"
            continue
        if role == "count" and rank == _EVERYDAY_COUNT_RANK:
            everyday_counts.append((position, column))
            continue
        if role == "referrer":
            named_sources[column] = "referrer"
        roles[column] = role
        reasons[column] = f"header '{column}' means {role.replace('_', ' ')}"
        if role == "source" and _channel_names(sample[column]):
            # "Source du trafic: Moteurs de recherche, Accès direct...": the article's table
            role = roles[column] = "channel"
            reasons[column] = f"header '{column}' names sources, but its values are channel names"
        claims.setdefault(role, []).append((0, rank, position, column))

    row_level = _row_level(sample, roles) if everyday_counts else None
    for position, column in everyday_counts:
        if row_level:
            roles[column] = "measure"
            reasons[column] = f"header '{column}' may be a count, but {row_level}: a measure"
        else:
            roles[column] = "count"
            reasons[column] = f"header '{column}' means count, one row per category"
            claims.setdefault("count", []).append((0, _EVERYDAY_COUNT_RANK, position, column))

    aggregated = "count" in roles.values() or "share" in roles.values()
    source_named = bool({"source", "source_medium"} & {roles.get(c) for c in sample.columns
                                                        if c not in named_sources})
    for column, how in named_sources.items():
        reason = None if source_named else _source_column(sample[column], column, how, aggregated)
        if not reason:
            continue  # a referrer header keeps its role; the others are read from their values
        position = sample.columns.index(column)
        if how == "referrer":
            claims["referrer"].remove((0, 0, position, column))
            if not claims["referrer"]:
                del claims["referrer"]
        roles[column] = "source"
        reasons[column] = reason
        claims.setdefault("source", []).append((0, 1, position, column))
    url_columns: list[tuple[bool, float, float, int, str]] = []
    for position, column in enumerate(sample.columns):
        if column in roles:
            continue
        role, reason = _value_role(sample[column], aggregated)
        if role == "url":
            url_columns.append((*_url_profile(sample[column]), position, column))
            continue
        roles[column] = role
        reasons[column] = reason
        if role not in _MANY_ROLES:
            claims.setdefault(role, []).append((1, 0, position, column))

    # With several URL columns, the most landing-like one is the landing page.
    url_columns.sort(key=lambda u: (not u[0], u[2], u[1]), reverse=True)
    for index, (android, top_host, utm, position, column) in enumerate(url_columns):
        if len(url_columns) > 1:
            landing = index == 0 and not android
        else:
            landing = not android and (top_host >= 0.8 or utm >= 0.05)
        if landing:
            roles[column] = "landing_page"
            reasons[column] = (f"URLs, {top_host:.0%} on one site and {utm:.0%} with utm_ tags, "
                               "like landing pages")
        else:
            roles[column] = "referrer"
            reasons[column] = "URLs on many sites, like referrers"
        claims.setdefault(roles[column], []).append((1, 0, position, column))

    for role, rivals in claims.items():
        winner = min(rivals)[3]
        for _, _, _, column in rivals:
            if column != winner:
                roles[column] = _fallback(column, numeric)
                reasons[column] = (f"'{winner}' was chosen as the {role.replace('_', ' ')} "
                                   f"column; this one is a {roles[column]}")

    ordered = {c: roles[c] for c in sample.columns}
    return RoleGuess(
        kind=infer_kind(ordered),
        roles=ordered,
        reasons={c: reasons[c] for c in sample.columns},
        numeric_columns=numeric,
    )


def with_roles(guess: RoleGuess, overrides: Mapping[str, str]) -> RoleGuess:
    """The guess with the user's roles applied; a role held once moves, and the kind follows."""
    roles = dict(guess.roles)
    reasons = dict(guess.reasons)
    for column, role in overrides.items():
        if column not in roles:
            raise InputError(
                f"There is no column '{column}' in the data; choose one of: {', '.join(roles)}."
            )
        if role not in ROLES:
            raise InputError(
                f"'{role}' is not a column role (column '{column}'); choose one of: "
                f"{', '.join(ROLES)}."
            )
        if role in ("count", "share") and column not in guess.numeric_columns:
            raise InputError(
                f"Column '{column}' holds text, so it cannot be the {role}; choose a column of "
                "numbers."
            )
    for role in {r for r in overrides.values() if r not in _MANY_ROLES}:
        chosen = [c for c, r in overrides.items() if r == role]
        if len(chosen) > 1:
            raise InputError(
                f"Columns {' and '.join(repr(c) for c in chosen)} are both set as {role}; "
                "choose one."
            )
    for column, role in overrides.items():
        if role not in _MANY_ROLES:
            for other, held in roles.items():
                if held == role and other != column and other not in overrides:
                    roles[other] = _fallback(other, guess.numeric_columns)
                    reasons[other] = f"you chose '{column}' as the {role.replace('_', ' ')} column"
        roles[column] = role
        reasons[column] = "set by you"
    return replace(guess, kind=infer_kind(roles), roles=roles, reasons=reasons)


_TRAFFIC_ROLES = frozenset(
    {"channel", "source", "medium", "source_medium", "campaign", "referrer", "landing_page",
     "device"}
)
_CATEGORY_ROLES = _TRAFFIC_ROLES | {"dimension", "segment"}


def infer_kind(roles: Mapping[str, str]) -> str:
    """The dataset kind the roles describe (see the module docstring for the rules)."""
    present = set(roles.values())
    aggregated = bool(present & {"count", "share"})
    if "segment" in present:
        return "survey_table" if aggregated and not present & {"id", "weight"} else "survey"
    if "count" in present:
        if present & {"source_medium", "source", "medium"}:
            return "traffic_by_source_medium"
        if "channel" in present:
            return "traffic_by_channel"
        if "device" in present and not present & (_TRAFFIC_ROLES - {"device"}):
            return "traffic_by_device"
    if aggregated:
        return "survey_table" if present & _CATEGORY_ROLES else "unknown"
    if present & _TRAFFIC_ROLES:
        return "traffic"
    return "unknown"

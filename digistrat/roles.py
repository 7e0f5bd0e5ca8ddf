"""What kind of dataset a frame is, the role each column plays, and the schema built from them.

`guess_roles` reads each header first (English and French, GA4, Matomo and survey-tool names;
case, accents and punctuation do not matter; a header is read as a whole name, never from one
word inside a question's text), then the values of a sample (the first 10 000 rows) for the
columns whose header says nothing, and what the reader knew of the columns (`read.ColumnInfo`:
the survey tool's question texts, option labels and question ids). The user corrects any role
in the role editor (`with_roles`); `schema_of` then builds the typed schema
(`digistrat.schema`) that everything downstream reads. Reasons are `Message`s: codes the front
ends render in their language.

Decisions where the brief was silent:

- Roles that a dataset holds once (all but dimension, measure, ignore, multi, option) go to one
  column: a header match beats a value match, then the leftmost column wins; the others become
  dimension (text, dates, booleans) or measure (numbers), with the reason said.
- `count` and `share` need a numeric column; `weight` may be text (the bad values are reported
  by normalise). One `count` is chosen: sessions, then visits, then visitors, then users (EN FR
  DE ES), then a generic count ("Count", "Respondents"), then an everyday word ("Effectif",
  "Nb", "Total", "Nombre d'entreprises", "Companies"), then new users; other metrics (Engaged
  sessions, Event count...) are measures. Everyday count words and share words other than the
  bare "%" / "Share" / "Part" are a count or a share only where the rows are not respondents
  (`_row_level`: no id or weight column, no two rows with the same labels, no label column
  different on every row beside one that repeats).
- A weight is a survey weight only when its header says so in the words survey tools and
  statisticians use (weight, poids, pondération, wt, wgt, weighting factor...) and its values
  look like weights: positive, more than a handful of distinct values or some with decimals,
  not a column of 1s and blanks. A "Weight" header over answer-like values (grams: a few round
  numbers) stays a measure, marked unsure so the page asks the user to confirm; numbers that
  merely average 1 without such a header are a measure, marked unsure too.
- A header that reads like a question (a "?", or more than six words once parenthesised parts
  are set aside) gives no role by itself: its values decide.
- In a survey tool's export (`read.ReadReport.tool`), the tool's metadata columns (respondent
  ids, start / end times, IP addresses...) are an id, a date or ignored, and no column gets a
  traffic role: a device question is a question, not a device split of sessions.
- Multi-answer questions: a text column whose cells join options with ";", "|", ", " or ","
  (most joined cells made only of pieces found in other answers too) is `multi`; a single
  answer that holds a separator but whose pieces never recur ("Moderate; middle of the road")
  stays one answer. Columns the reader grouped into one question (`ColumnInfo.question_id`)
  whose cells only say ticked / not ticked (the option's label, Y, 1, true, x / blank, 0, N,
  "Not selected") are its `option` columns, an option nobody chose (a column empty in every row)
  among them; grouped columns holding answers (a grid) are each a single question. Such a question
  is named by its columns' stem (Q1 of Q1_1…Q1_8) when no other question takes that name. What a
  respondent typed beside an option (Qualtrics' `_TEXT` "Other, please specify" box) is open text:
  ignored, even with few distinct answers.
- Sources named by their header: "Source" always; in an aggregated table, a referrer header over
  host names rather than URLs (Umami), Matomo's detail headers (digistrat.channels.source_hint)
  and a bare "name" (Plausible) whose values are mostly sources or host names. In row-level data
  a referrer header over host names stays the referrer: an empty cell is a direct visit.
- Channel columns by value: most distinct values are labels digistrat.channels maps.
- Dates by header include survey tools' answer times, even when read as text; a submission time
  beats a start time, which beats an end time.
- URLs by value: android-app:// values, or URLs spread over many hosts, are referrers; URLs
  mostly on one host (>= 80 % of rows) or carrying utm_ tags (>= 5 %) are landing pages; values
  that are paths are landing pages. With two URL columns the more landing-like one is the
  landing page and the other the referrer.
- A column of all-different values is an id only in row-level data. Text columns of row-level
  data with more than `MAX_CATEGORIES` distinct values (and not multi-answer) are free text:
  ignore. The same cap decides what the segments page can filter by: one number, here.
- A survey's own visit origins: numeric columns named for a bucket (search / external / direct,
  EN FR) and for a share or a count of visits, all three found, are `origin_search`,
  `origin_external`, `origin_direct`.
- Kinds (`infer_kind`): a segment column, a header-confirmed weight or a survey tool make a
  survey (a survey_table when a count or share column exists and no id or weight does).
  Otherwise, with a count: source / medium -> traffic_by_source_medium, channel ->
  traffic_by_channel; a device column and no other traffic column -> traffic_by_device.
  Otherwise any aggregated one-category table is a survey_table. Without count or share,
  traffic columns make row-level `traffic`. Anything else is `unknown`.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace

import polars as pl

from digistrat.channels import is_source_like, map_channel_label, source_hint
from digistrat.errors import InputError
from digistrat.messages import Message, message
from digistrat.read import ColumnInfo
from digistrat.schema import (
    FROM_CHANNEL, FROM_DEVICE, FROM_SOURCE, FROM_SOURCE_MEDIUM, FROM_URLS, JOINED, NOT_TICKED, ONE_OF, OPTIONS,
    SINGLE, TICKED, Question, Schema, Skipped, SurveySchema, TableSchema, TrafficSchema, UnknownSchema, ticked,
)
from digistrat.vocabulary import device_key, fold, segment_key

ORIGIN_ROLES: tuple[str, ...] = ("origin_search", "origin_external", "origin_direct")
ROLES: tuple[str, ...] = (
    "segment", "weight", "id", "psu", "stratum", "channel", "source", "medium", "source_medium", "campaign",
    "referrer", "landing_page", "device", "date", "count", "share", *ORIGIN_ROLES, "dimension", "multi",
    "option", "measure", "ignore",
)
KINDS: tuple[str, ...] = (
    "survey", "traffic", "traffic_by_channel", "traffic_by_source_medium", "traffic_by_device",
    "survey_table", "unknown",
)
_MANY_ROLES = frozenset({"dimension", "measure", "ignore", "multi", "option"})
_TRAFFIC_ROLES = frozenset(
    {"channel", "source", "medium", "source_medium", "campaign", "referrer", "landing_page", "device"}
)
SAMPLE_ROWS = 10_000
_MOSTLY = 0.6  # share of distinct values that must match a vocabulary
MAX_CATEGORIES = 200  # more distinct answers than this is free text, not a category to filter by
_MIN_ID_ROWS = 10
SEPARATORS = (";", "|", ", ", ",")  # joined multi-answer cells, in the order they are tried
SURVEY_TOOLS = frozenset({"surveymonkey", "qualtrics", "google_forms", "microsoft_forms", "limesurvey",
                          "typeform", "kobo", "wenjuanxing", "spss", "stata", "sas", "redcap"})


@dataclass(frozen=True)
class RoleGuess:
    kind: str
    roles: dict[str, str]
    reasons: dict[str, Message]
    # Columns holding numbers: a role moved away from a column falls back to measure or
    # dimension, and only they can be a count or a share.
    numeric_columns: frozenset[str] = field(default=frozenset())
    separators: dict[str, str] = field(default_factory=dict)  # multi column -> what joins its options
    groups: dict[str, str] = field(default_factory=dict)  # option column -> the question it belongs to
    unsure: frozenset[str] = field(default=frozenset())  # columns whose role the user should confirm
    tool: str | None = None  # the survey tool that wrote the file, from the reader

    def column_for(self, role: str) -> str | None:
        """The (first) column playing `role`, or None."""
        return next((c for c, r in self.roles.items() if r == role), None)


def _reason(code: str, column: str, **params: object) -> Message:
    return message(f"role.{code}", column=column, **params)


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
# Survey weights in the words tools and statisticians use, as a whole header.
_WEIGHT = re.compile(
    r"^(?:(?:final |survey |sample |design |post |raking |calibration |calibrated )?weights?(?: final| var| variable)?"
    r"|weighting(?: factor| variable)?|poids(?: final| de sondage| d echantillonnage| de redressement)?"
    r"|ponderations?|coef(?:ficient)? (?:de )?ponderation|facteur (?:de )?ponderation|wt|wgt|wts|wght|pond|pw|pweight)$"
)
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
    # Search Console and ads reports: clicks are the visits they sent
    **dict.fromkeys(["clicks", "clics", "klicks", "clicks web"], 4),
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


def header_role(header: str) -> str | None:
    """The role a header alone gives its column, or None."""
    found = _header_role(header)
    return found[0] if found else None


def counts_sessions(header: str) -> bool:
    """True when a count column's header says it counts sessions or visits (not users, clicks…)."""
    found = _header_role(header)
    return found is not None and found[0] == "count" and found[1] <= _COUNT_RANK["visits"]


_PARENTHESISED = re.compile(r"\([^)]*\)|\[[^\]]*\]")
QUESTION_WORDS = 6


def reads_like_a_question(name: str) -> bool:
    """A question's text, not a column name: a '?', or more than six words once parenthesised
    parts are set aside ("Session primary channel group (Default Channel Group)" is a name)."""
    return "?" in name or len(fold(_PARENTHESISED.sub(" ", name)).split()) > QUESTION_WORDS


def _header_role(name: str) -> tuple[str, int] | None:
    """(role, rank) a header alone means, or None; rank orders rivals for one role."""
    if reads_like_a_question(name):
        return None
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
    if _WEIGHT.match(folded) or _WEIGHT.match(core):
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


def _value_role(sample: pl.Series, aggregated: bool, column: str) -> tuple[str, Message]:
    """(role, reason) from the values of a column whose header said nothing."""
    dtype = sample.dtype
    if dtype == pl.Date or isinstance(dtype, pl.Datetime):
        return "date", _reason("dates", column)
    if dtype.is_numeric():
        values = sample.drop_nulls()
        if len(values) and not aggregated and not dtype.is_float() and values.n_unique() == len(sample) >= _MIN_ID_ROWS:
            return "id", _reason("whole_all_different", column)
        return "measure", _reason("numbers", column)
    if dtype == pl.Boolean:
        return "dimension", _reason("yes_no", column)
    if dtype != pl.String:
        return "ignore", _reason("type", column, type=str(dtype))

    texts = sample.drop_nulls().str.strip_chars()
    texts = texts.filter(texts != "")
    distinct = texts.unique().to_list()
    if not distinct:
        return "ignore", _reason("no_values", column)
    if sum(map(_is_json_data, distinct)) / len(distinct) >= _MOSTLY:
        return "ignore", _reason("json_data", column)
    is_url = lambda v: bool(_URL.match(v))  # noqa: E731
    if sum(map(is_url, distinct)) / len(distinct) >= _MOSTLY:
        return "url", _reason("urls", column)  # resolved into referrer / landing_page by the caller
    if sum(1 for v in distinct if v.startswith("/")) / len(distinct) >= _MOSTLY:
        return "landing_page", _reason("paths", column)
    if sum(1 for v in distinct if _SOURCE_MEDIUM_VALUE.match(v)) / len(distinct) >= _MOSTLY:
        return "source_medium", _reason("source_medium_values", column)
    if len(distinct) <= MAX_CATEGORIES:
        for role, to_key in (("channel", map_channel_label), ("device", device_key), ("segment", segment_key)):
            share, keys = _share_matching(distinct, to_key)
            if share >= _MOSTLY and (role != "device" or keys - {"other"}):
                return role, _reason(f"{role}_values", column, share_pct=share * 100)
    if aggregated:
        return "dimension", _reason("aggregated_labels", column)
    if separator := joined_separator(texts):
        return "multi", _reason("joined", column, separator=separator.strip() or separator)
    if texts.n_unique() == len(sample) >= _MIN_ID_ROWS:
        return "id", _reason("text_all_different", column)
    if len(distinct) <= MAX_CATEGORIES:
        return "dimension", _reason("categories", column, values=len(distinct))
    return "ignore", _reason("free_text", column, values=len(distinct), cap=MAX_CATEGORIES)


def _is_json_data(text: str) -> bool:
    """A JSON object or array, which a survey stores as data (LimeSurvey's equation questions):
    split at its commas it would make answers like '"Antonia"]}'."""
    if text[:1] not in ("{", "["):
        return False
    try:
        return isinstance(json.loads(text), (dict, list))
    except ValueError:
        return False


def joined_separator(texts: pl.Series) -> str | None:
    """The separator that joins several options in one cell ("A;B"), or None for one answer a cell.

    A separator counts when at least two cells hold it and most of those cells are made only of
    pieces found elsewhere too (alone or in other combinations): a single answer that holds the
    separator ("Moderate; middle of the road") has pieces found nowhere else.
    """
    distinct = texts.drop_nulls().unique()
    for separator in SEPARATORS:
        joined = distinct.filter(distinct.str.contains(separator, literal=True))
        if joined.len() < 2:
            continue
        pieces = distinct.str.split(separator).list.eval(pl.element().str.strip_chars()).list.unique()
        seen = pieces.explode().filter(pieces.explode() != "").value_counts()
        recurring = set(seen.filter(pl.col("count") >= 2).to_series(0).to_list())
        composite = joined.str.split(separator).list.eval(pl.element().str.strip_chars()).to_list()
        recombined = sum(1 for parts in composite if all(p in recurring for p in parts if p))
        if recombined >= max(2, 0.5 * len(composite)) and seen.height <= MAX_CATEGORIES:
            return separator
    return None


_GENERIC_SOURCE_HEADERS = frozenset({"name", "nom", "site", "label", "libelle"})


def _source_header(name: str) -> str | None:
    """'hint' for a header that says what sources a column lists (Matomo's 'Search engine',
    'Réseaux sociaux', 'Website'), 'generic' for a bare 'name' (Plausible), else None."""
    if source_hint(name):
        return "hint"
    return "generic" if _core(_fold_header(name)) in _GENERIC_SOURCE_HEADERS else None


def _source_column(sample: pl.Series, column: str, how: str, aggregated: bool) -> Message | None:
    """Why a column whose header names referrers or sources holds sources, or None.

    All need an aggregated table (Umami's referrers of host names, Matomo's detail headers, a
    bare 'name' whose values are sources): in row-level data a referrer column of host names is
    each visit's referrer, and its empty cells are direct visits (a Plausible sessions dump).
    """
    if sample.dtype != pl.String or not aggregated or _channel_names(sample):
        return None
    texts = sample.drop_nulls().str.strip_chars()
    distinct = texts.filter(texts != "").unique().to_list()
    if not distinct:
        return None
    urls = sum(1 for v in distinct if _URL.match(v)) / len(distinct)
    like = sum(1 for v in distinct if is_source_like(v)) / len(distinct)
    if how == "hint" and urls < _MOSTLY:
        return _reason("source_hint", column, hint=source_hint(column))
    if urls < _MOSTLY and like >= _MOSTLY:
        return _reason("source_values", column, share_pct=like * 100)
    return None


def _channel_names(sample: pl.Series) -> bool:
    """True when most distinct values are channel labels and not sources ('Direct' is both)."""
    if sample.dtype != pl.String:
        return False
    distinct = [v for v in sample.drop_nulls().str.strip_chars().unique().to_list() if v]
    if not distinct or len(distinct) > MAX_CATEGORIES:
        return False
    channels, _ = _share_matching(distinct, map_channel_label)
    sources, _ = _share_matching(distinct, is_source_like)
    return channels >= _MOSTLY and sources < _MOSTLY


def _row_level(sample: pl.DataFrame, roles: Mapping[str, str]) -> str | None:
    """Why the rows look like respondents or sessions rather than one row per category (a code
    of `msg.role.evidence.*`), or None.

    Evidence: an id or weight column; rows sharing all their labels (text, dates); or, from
    10 rows, one label column different on every row (a timestamp, an e-mail) beside one that
    repeats. Without label columns there is no evidence.
    """
    if {"id", "weight"} & set(roles.values()):
        return "id_or_weight"
    labels = [c for c, t in sample.schema.items() if not t.is_numeric() and t != pl.Null]
    if not labels or sample.height < 2:
        return None
    frame = sample.select(labels)
    if frame.is_duplicated().any():
        return "shared_labels"
    if sample.height >= _MIN_ID_ROWS and len(labels) > 1:
        all_different = [frame[c].n_unique() == sample.height for c in labels]
        if any(all_different) and not all(all_different):
            return "one_unique_label"
    return None


def _fallback(column: str, numeric: frozenset[str]) -> str:
    return "measure" if column in numeric else "dimension"


def as_numbers(values: pl.Series) -> pl.Series:
    """Numbers of a column read as numbers or as text (a decimal comma allowed); null elsewhere."""
    if values.dtype.is_numeric():
        return values.cast(pl.Float64)
    if values.dtype != pl.String:
        return pl.Series(values.name, [None] * len(values), dtype=pl.Float64)
    return values.str.strip_chars().str.replace(",", ".", literal=True).cast(pl.Float64, strict=False)


WEIGHT_FEW_VALUES = 10  # at most this many whole values, some above it: answers (grams), not weights


def weight_doubt(values: pl.Series) -> str | None:
    """Why a column named like a weight does not hold survey weights (a code), or None.

    Weights are positive numbers with decimals, many values, or a few small whole numbers
    (frequency weights); a column of 1s and blanks, a handful of round numbers above 10
    (grams) or text are not.
    """
    numbers = as_numbers(values)
    filled = values.drop_nulls()
    if values.dtype == pl.String:
        filled = filled.filter(filled.str.strip_chars() != "")
    read = numbers.drop_nulls()
    if read.len() == 0:
        return "weight_empty"
    if read.len() < 0.5 * filled.len():  # a few unusable cells are reported by normalise
        return "weight_text"
    if float((read > 0).mean()) < 0.5:  # a few bad weights are reported by normalise
        return "weight_not_positive"
    whole = bool((read == read.round(0)).all())
    if whole and read.n_unique() == 1 and float(read[0]) == 1:
        return "weight_ones_and_blanks" if numbers.null_count() else None
    if whole and read.n_unique() <= WEIGHT_FEW_VALUES and float(read.max()) > WEIGHT_FEW_VALUES:
        return "weight_few_values"  # 250, 500, 1000 (grams); frequency weights 1, 2, 3 pass
    return None


ANSWER_CODES = 7  # whole numbers taking at most this many values, in a survey tool's export: coded answers


def _answer_codes(values: pl.Series) -> bool:
    """Whole numbers with a handful of values (1-5 for a single-choice answer exported by number)."""
    read = values.drop_nulls()
    return (values.dtype.is_integer() or bool((read == read.round(0)).all())) and 1 < read.n_unique() <= ANSWER_CODES


def _looks_like_weights(values: pl.Series) -> bool:
    """Positive numbers with decimals averaging about 1: what weights often are (only a hint)."""
    read = as_numbers(values).drop_nulls()
    if read.len() < 2 or read.null_count() or float(read.min()) <= 0:
        return False
    return abs(float(read.mean()) - 1) <= 0.15 and bool((read != read.round(0)).any())


_BUCKET_WORDS = {
    "origin_search": re.compile(r"search|recherche|seo|moteur", re.I),
    "origin_external": re.compile(r"external|externe|social|referr|lien", re.I),
    "origin_direct": re.compile(r"direct", re.I),
}
_ORIGIN_SHARE = re.compile(r"share|part|pct|percent|%|taux", re.I)
_ORIGIN_COUNT = re.compile(r"session|visit|count|nombre|nb_", re.I)


def _origin_columns(candidates: Sequence[str]) -> dict[str, str]:
    """role -> column: one numeric column per bucket, all shares or all session counts; none
    unless all three are found."""
    for kind in (_ORIGIN_SHARE, _ORIGIN_COUNT):
        named = [c for c in candidates if kind.search(c)]
        found: dict[str, str] = {}
        for role, words in _BUCKET_WORDS.items():
            match = next((c for c in named if words.search(c) and c not in found.values()), None)
            if match:
                found[role] = match
        if len(found) == len(_BUCKET_WORDS):
            return found
    return {}


def _ticked_only(values: pl.Series, option: str | None) -> bool:
    """True when every filled cell only says the option is ticked or not; an empty column too
    (nobody ticked that option, or nobody answered: Kobo's n/a)."""
    text = values.cast(pl.String).drop_nulls().str.strip_chars()
    allowed = set(TICKED) | set(NOT_TICKED)
    labels = {v for v in text.unique().to_list() if v.lower() not in allowed}
    return len(labels) <= 1 and (not labels or option is None or labels == {option})


def _shared_stem(names: Sequence[str]) -> str | None:
    """What every name holds before its '_N' ('Q1' of Q1_1…Q1_8), or None when they do not share one."""
    stems = {match.group(1) if (match := re.fullmatch(r"(.+?)_+\d+", name)) else None for name in names}
    return stems.pop() if len(stems) == 1 else None


def _question_groups(columns: Sequence[ColumnInfo], frame: pl.DataFrame) -> dict[str, list[str]]:
    """question -> its columns, for the questions the reader found spread over several columns.
    A question is named by its columns' shared stem (the Q1 of Q1_1…Q1_8 the user sees in the file,
    where current Qualtrics exports identify it as QID1) unless another question takes that name."""
    by_id: dict[str, list[str]] = {}
    for info in columns:
        if info.question_id is not None and info.name in frame.columns:
            by_id.setdefault(info.question_id, []).append(info.name)
    spread = {question: names for question, names in by_id.items() if len(names) > 1}
    stems = {question: _shared_stem(names) for question, names in spread.items()}
    claimed = Counter(name for question, stem in stems.items() for name in {question, stem} if name)
    return {(stem if stem and claimed[stem] == 1 else question): spread[question] for question, stem in stems.items()}


def guess_roles(
    frame: pl.DataFrame | pl.LazyFrame,
    *,
    columns: Sequence[ColumnInfo] = (),
    tool: str | None = None,
    metadata: Sequence[str] = (),
    declared_weight: str | None = None,
) -> RoleGuess:
    """Guess the kind and every column's role from the header, the first 10 000 rows and what the
    reader knew of the columns (`columns`: question ids and texts; `tool`: the survey tool;
    `metadata`: the tool's metadata columns; `declared_weight`: a weight the file declares)."""
    sample = (frame.head(SAMPLE_ROWS).collect() if isinstance(frame, pl.LazyFrame)
              else frame.head(SAMPLE_ROWS))
    # Categorical text is read like any other text.
    sample = sample.with_columns(
        pl.col(c).cast(pl.String) for c, t in sample.schema.items()
        if isinstance(t, (pl.Categorical, pl.Enum))
    )
    if not sample.columns:
        raise InputError(message("input.no_columns"))
    survey_tool = tool in SURVEY_TOOLS
    numeric = frozenset(c for c, t in sample.schema.items() if t.is_numeric())
    roles: dict[str, str] = {}
    reasons: dict[str, Message] = {}
    unsure: set[str] = set()
    groups: dict[str, str] = {}
    # (from_value, rank, position, column) of rivals for the roles held once
    claims: dict[str, list[tuple[int, int, int, str]]] = {}

    def claim(role: str, column: str, from_value: int, rank: int = 0) -> None:
        claims.setdefault(role, []).append((from_value, rank, sample.columns.index(column), column))

    info = {c.name: c for c in columns}
    separators: dict[str, str] = {}
    for question, names in _question_groups(columns, sample).items():
        options = [c for c in names if info[c].option is not None]
        if len(options) < 2 or not all(_ticked_only(sample[c], info[c].option) for c in options):
            continue
        for column in options:
            roles[column] = "option"
            groups[column] = question
            reasons[column] = _reason("option_of", column, question=info[column].question or question)
        for column in names:
            if column not in options and info[column].multi_separator:
                # Kobo writes a select_multiple both joined and as 0/1 columns: the columns win
                # (an option's label may hold the separator, a space)
                roles[column] = "ignore"
                reasons[column] = _reason("joined_duplicate", column)
    for column in sample.columns:
        meta = info.get(column)
        if column not in roles and meta is not None and meta.open_text:
            roles[column] = "ignore"
            reasons[column] = _reason("open_text", column)
        if column not in roles and meta is not None and meta.multi_separator:
            roles[column] = "multi"
            separators[column] = meta.multi_separator
            reasons[column] = _reason("joined", column, separator=meta.multi_separator.strip() or meta.multi_separator)
    for column in metadata:
        if column in sample.columns and column not in roles:
            found = _header_role(column)
            if tool == "redcap" and not found and (redcap := _redcap_role(column, sample.columns[0])):
                roles[column] = redcap[0]
                reasons[column] = _reason(redcap[1], column)
                if redcap[0] != "ignore":
                    claim(redcap[0], column, 0)
            elif found and found[0] in ("date", "id"):
                roles[column] = found[0]
                reasons[column] = _reason("header", column, role=found[0])
                claim(found[0], column, 0, found[1])
            else:
                roles[column] = "ignore"
                reasons[column] = _reason("tool_metadata", column, tool=tool or "")
    if declared_weight in sample.columns and declared_weight not in roles:
        roles[declared_weight] = "weight"
        reasons[declared_weight] = _reason("declared_weight", declared_weight)
        claim("weight", declared_weight, 0)

    everyday: list[tuple[str, str, int]] = []  # (column, role, rank) of count / share words needing row evidence
    named_sources: dict[str, str] = {}  # column -> referrer | hint | generic, decided below
    for column in sample.columns:
        if column in roles:
            continue
        found = _header_role(column)
        if found is None:
            if how := _source_header(column):
                named_sources[column] = how
            continue
        role, rank = found
        if survey_tool and role in _TRAFFIC_ROLES:
            continue  # a survey's question about devices or sources is a question
        if role in ("count", "share") and column not in numeric:
            roles[column] = "dimension"
            reasons[column] = _reason("not_numbers", column, role=role)
            continue
        if (role == "count" and rank == _EVERYDAY_COUNT_RANK) or (role == "share" and rank > 0):
            everyday.append((column, role, rank))
            continue
        if role == "weight":
            doubt = weight_doubt(sample[column])
            if doubt:
                roles[column] = _fallback(column, numeric)
                reasons[column] = _reason(doubt, column)
                unsure.add(column)
                continue
        if role == "referrer":
            named_sources[column] = "referrer"
        roles[column] = role
        reasons[column] = _reason("header", column, role=role)
        if role == "source" and _channel_names(sample[column]):
            # "Source du trafic: Moteurs de recherche, Accès direct...": the article's table
            role = roles[column] = "channel"
            reasons[column] = _reason("source_of_channels", column)
        claim(role, column, 0, rank)

    row_level = _row_level(sample, roles) if everyday else None
    for column, role, rank in everyday:
        if row_level:
            roles[column] = "measure"
            reasons[column] = _reason("row_level_measure", column, role=role, evidence=row_level)
        else:
            roles[column] = role
            reasons[column] = _reason("aggregated_" + role, column)
            claim(role, column, 0, rank)

    aggregated = "count" in roles.values() or "share" in roles.values()
    source_named = bool({"source", "source_medium"} & {roles.get(c) for c in sample.columns
                                                        if c not in named_sources})
    for column, how in named_sources.items():
        reason = None if source_named else _source_column(sample[column], column, how, aggregated)
        if not reason:
            continue  # a referrer header keeps its role; the others are read from their values
        if how == "referrer":
            claims["referrer"] = [c for c in claims["referrer"] if c[3] != column]
            if not claims["referrer"]:
                del claims["referrer"]
        roles[column] = "source"
        reasons[column] = reason
        claim("source", column, 0, 1)
    url_columns: list[tuple[bool, float, float, int, str]] = []
    for position, column in enumerate(sample.columns):
        if column in roles:
            continue
        role, reason = _value_role(sample[column], aggregated, column)
        if survey_tool and role in (_TRAFFIC_ROLES | {"url"}):
            role, reason = "dimension", _reason("survey_question", column)
            if sample[column].cast(pl.String).n_unique() > MAX_CATEGORIES:
                role, reason = "ignore", _reason("free_text", column, values=sample[column].n_unique(),
                                                 cap=MAX_CATEGORIES)
        if role == "url":
            url_columns.append((*_url_profile(sample[column]), position, column))
            continue
        if survey_tool and role == "measure" and _answer_codes(sample[column]):
            role, reason = "dimension", _reason("answer_codes", column)
        if role == "measure" and _looks_like_weights(sample[column]) and not aggregated:
            reason = _reason("weight_like_values", column)
            unsure.add(column)
        roles[column] = role
        reasons[column] = reason
        if role not in _MANY_ROLES:
            claim(role, column, 1)

    # With several URL columns, the most landing-like one is the landing page.
    url_columns.sort(key=lambda u: (not u[0], u[2], u[1]), reverse=True)
    for index, (android, top_host, utm, position, column) in enumerate(url_columns):
        if len(url_columns) > 1:
            landing = index == 0 and not android
        else:
            landing = not android and (top_host >= 0.8 or utm >= 0.05)
        if landing:
            roles[column] = "landing_page"
            reasons[column] = _reason("landing_urls", column, host_pct=top_host * 100, utm_pct=utm * 100)
        else:
            roles[column] = "referrer"
            reasons[column] = _reason("referrer_urls", column)
        claim(roles[column], column, 1)

    tool_columns = set(metadata)
    for role, rivals in claims.items():
        winner = min(rivals)[3]
        for _, _, _, column in rivals:
            if column != winner:
                # the tool's own end time or second id is not an answer either
                roles[column] = "ignore" if column in tool_columns else _fallback(column, numeric)
                reasons[column] = _reason("rival", column, role=role, winner=winner, fallback=roles[column])

    # A survey's own visit origins: a share (or count) of visits per bucket, the three found.
    if survey_tool or {"segment", "weight"} & set(roles.values()):
        candidates = [c for c in sample.columns if c in numeric and roles[c] in ("measure", "share", "count")]
        for role, column in _origin_columns(candidates).items():
            roles[column] = role
            reasons[column] = _reason("origin", column, role=role)

    for column in sample.columns:
        if sample.schema[column] == pl.String and column not in separators:
            separator = joined_separator(sample[column]) or _most_common_separator(sample[column])
            if separator:
                separators[column] = separator

    ordered = {c: roles[c] for c in sample.columns}
    return RoleGuess(
        kind=infer_kind(ordered, tool=tool),
        roles=ordered,
        reasons={c: reasons[c] for c in sample.columns},
        numeric_columns=numeric,
        separators=separators,
        groups=groups,
        unsure=frozenset(unsure),
        tool=tool,
    )


def _redcap_role(column: str, first: str) -> tuple[str, str] | None:
    """(role, reason code) of a REDCap metadata column its header does not name: the record id
    (the first column, named as the project likes), a survey's submission time
    ('<instrument>_timestamp', 'Survey Timestamp'), an e-mail field (contact data)."""
    if column == first:
        return "id", "record_id"
    if column.endswith("_timestamp") or column.casefold().startswith("survey timestamp"):
        return "date", "survey_timestamp"
    if "mail" in column.casefold():
        return "ignore", "contact"
    return None


def _most_common_separator(values: pl.Series) -> str | None:
    """The separator found in most cells (for a column the user says is multi-answer)."""
    texts = values.drop_nulls()
    counts = {s: int(texts.str.contains(s, literal=True).sum()) for s in SEPARATORS}
    best = max(counts, key=lambda s: counts[s])
    return best if counts[best] else None


def with_roles(
    guess: RoleGuess, overrides: Mapping[str, str], groups: Mapping[str, str] | None = None
) -> RoleGuess:
    """The guess with the user's roles applied; a role held once moves, and the kind follows.

    `groups` names, for option columns, the question each belongs to (the user's grouping wins
    over the reader's).
    """
    roles = dict(guess.roles)
    reasons = dict(guess.reasons)
    for column, role in overrides.items():
        if column not in roles:
            raise InputError(message("input.no_such_column", column=column, columns=list(roles)))
        if role not in ROLES:
            raise InputError(message("input.unknown_role", column=column, given=role, roles=list(ROLES)))
        if role in ("count", "share", *ORIGIN_ROLES) and column not in guess.numeric_columns:
            raise InputError(message("input.role_needs_numbers", column=column, role=role))
    for role in {r for r in overrides.values() if r not in _MANY_ROLES}:
        chosen = [c for c, r in overrides.items() if r == role]
        if len(chosen) > 1:
            raise InputError(message("input.role_twice", columns=chosen, role=role))
    for column, role in overrides.items():
        if role not in _MANY_ROLES:
            for other, held in roles.items():
                if held == role and other != column and other not in overrides:
                    roles[other] = _fallback(other, guess.numeric_columns)
                    reasons[other] = _reason("moved", other, role=role, chosen=column)
        roles[column] = role
        reasons[column] = _reason("set_by_you", column)
    kept_groups = {c: q for c, q in guess.groups.items() if roles.get(c) == "option"}
    for column, question in (groups or {}).items():
        if column not in roles:
            raise InputError(message("input.no_such_column", column=column, columns=list(roles)))
        if roles[column] != "option":
            raise InputError(message("input.group_needs_option", column=column))
        kept_groups[column] = question
    for column in (c for c, r in roles.items() if r == "option" and c not in kept_groups):
        kept_groups[column] = column  # an option column on its own: a question of one option
    return replace(
        guess, kind=infer_kind(roles, tool=guess.tool), roles=roles, reasons=reasons, groups=kept_groups,
        unsure=frozenset(c for c in guess.unsure if c not in overrides),
    )


_CATEGORY_ROLES = _TRAFFIC_ROLES | {"dimension", "segment", "multi", "option"}


def infer_kind(roles: Mapping[str, str], tool: str | None = None) -> str:
    """The dataset kind the roles describe (see the module docstring for the rules)."""
    present = set(roles.values())
    aggregated = bool(present & {"count", "share"})
    if "segment" in present or tool in SURVEY_TOOLS or "weight" in present:
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


# ---------------------------------------------------------------- the schema


_SURVEY_META_ROLES = frozenset({"segment", "weight", "id", "psu", "stratum", "date", "ignore", "count", "share",
                                *ORIGIN_ROLES})


def schema_of(guess: RoleGuess, frame: pl.DataFrame, columns: Sequence[ColumnInfo] = ()) -> Schema:
    """The typed schema the roles describe, for the whole frame (see `digistrat.schema`)."""
    column = guess.column_for
    if guess.kind == "survey":
        return _survey_schema(guess, frame, columns)
    if guess.kind.startswith("traffic"):
        return _traffic_schema(guess, guess.kind)
    if guess.kind == "survey_table":
        category = next((c for c, r in guess.roles.items() if r in _CATEGORY_ROLES), None)
        if not column("segment") and guess.roles.get(category) in _TRAFFIC_ROLES:
            # one row per channel, landing page or device (the article's origins table): its
            # visits can be classified, though no page lists it beside traffic
            return replace(_traffic_schema(guess, "survey_table"), page=None)
        return TableSchema(category=column("segment") or category, segment=column("segment"),
                           count=column("count"), share=column("share"))
    return UnknownSchema()


def _traffic_schema(guess: RoleGuess, kind: str) -> TrafficSchema:
    """Where the channels come from: source / medium beats URLs, which beat an export's own
    channel label (then kept to check the rules against it), which beats a source alone."""
    column = guess.column_for
    count, share = column("count"), column("share")
    if column("source_medium") or column("medium"):
        origin = FROM_SOURCE_MEDIUM
    elif column("referrer") or column("landing_page"):
        origin = FROM_URLS
    elif column("channel"):
        origin = FROM_CHANNEL
    elif column("source"):
        origin = FROM_SOURCE
    else:
        origin = FROM_DEVICE
    return TrafficSchema(
        kind=kind, origin=origin, source_medium=column("source_medium"), source=column("source"),
        medium=column("medium"), campaign=column("campaign"), referrer=column("referrer"),
        landing_page=column("landing_page"), channel=column("channel"), date=column("date"),
        device=column("device"), sessions=count or share, sessions_are_shares=count is None and share is not None,
    )


def _survey_schema(guess: RoleGuess, frame: pl.DataFrame, columns: Sequence[ColumnInfo]) -> SurveySchema:
    info = {c.name: c for c in columns}
    taken = set(frame.columns)
    questions: list[Question] = []
    scales: list[str] = []
    skipped: list[Skipped] = []
    grouped: dict[str, list[str]] = {}
    for name, role in guess.roles.items():
        if role == "option":
            grouped.setdefault(guess.groups.get(name, name), []).append(name)

    def text_of(name: str) -> str:
        meta = info.get(name)
        if meta is None or not meta.question:
            return name
        if meta.option and meta.question != meta.option:
            return f"{meta.question} — {meta.option}"
        # "Q? [Other (please specify)]": the header says more than the question it belongs to
        return name if name.startswith(meta.question) and len(name) > len(meta.question) else meta.question

    placed: set[str] = set()
    for name, role in guess.roles.items():
        if name not in frame.columns or role in _SURVEY_META_ROLES:
            continue
        dtype = frame.schema[name]
        if role == "option":
            question = guess.groups.get(name, name)
            if question in placed:
                continue
            placed.add(question)
            members = grouped[question]
            key = question if question not in taken or members == [question] else f"{question} (options)"
            first = info.get(members[0])
            options = tuple((info[m].option if m in info and info[m].option else m) for m in members)
            # nobody ticks two, somebody one: a single-choice question spread over columns
            # (SurveyMonkey expanded); with no tick at all, nothing says so
            ticks = pl.sum_horizontal(ticked(pl.col(m), o).cast(pl.Int32) for m, o in zip(members, options))
            most = frame.select(ticks.max()).item() if len(members) > 1 else 2
            questions.append(Question(
                name=key, text=(first.question if first and first.question else question),
                layout=ONE_OF if most == 1 else OPTIONS, columns=tuple(members), options=options,
            ))
        elif role == "multi":
            questions.append(Question(name=name, text=text_of(name), layout=JOINED, columns=(name,),
                                      separator=guess.separators.get(name, ";")))
        elif role == "measure" or (dtype.is_numeric() and role not in _CATEGORY_ROLES):
            if dtype.is_numeric():
                scales.append(name)
        else:
            values = frame[name].n_unique()
            if frame[name].null_count() == frame.height:
                skipped.append(Skipped(name, "empty"))
            elif values > MAX_CATEGORIES + 1:  # + 1: the nulls
                skipped.append(Skipped(name, "free_text", values))
            else:
                questions.append(Question(name=name, text=text_of(name), layout=SINGLE, columns=(name,)))
    for name, role in guess.roles.items():
        if role == "ignore":
            skipped.append(Skipped(name, "ignored"))
    origins = tuple((role.removeprefix("origin_"), guess.column_for(role)) for role in ORIGIN_ROLES
                    if guess.column_for(role))
    counts = bool(origins) and all(_ORIGIN_COUNT.search(c) and not _ORIGIN_SHARE.search(c) for _, c in origins)
    return SurveySchema(
        segment=guess.column_for("segment"), weight=guess.column_for("weight"), id=guess.column_for("id"),
        date=guess.column_for("date"), questions=tuple(questions), scales=tuple(scales),
        origins=origins if len(origins) == len(ORIGIN_ROLES) else (), origins_are_counts=counts,
        psu=guess.column_for("psu"), stratum=guess.column_for("stratum"), skipped=tuple(skipped),
    )

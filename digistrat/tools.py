"""What survey tools write in their exports, and how their columns group into questions.

`read` parses a file; this module knows the tools. From a file's first records (`read_header`)
it tells which tool wrote the file, how many rows of header it wrote, which columns are the
tool's own metadata, and which columns belong to one logical question (`question_id`, the
question text, the option or sub-question of each column). Before the columns are typed,
`prepare` turns the tool's missing-value codes to null and finds the columns whose cells join
several answers. SPSS and Stata files declare their weight in places pyreadstat does not read:
`sav_dictionary` and `dta_weight` read them from the file's bytes.

Layouts (public knowledge of each tool's export, with the real files the fixtures follow in
tests/fixtures/README.md):

- SurveyMonkey: row 1 the question (blank over the 2nd…nth column of a multi-column question),
  row 2 `Response`, `Open-Ended Response` or the option / sub-question label.
- Qualtrics: ids row, question text row, then (current exports) `{"ImportId":"QID12_1"}`;
  legacy exports: `V1…V10, Q1…` then the text row. Multi-column questions write
  "question - option" (Insights exports "question-option"); an option's text box ("Other, please
  specify") is a `_TEXT` column beside it.
- Google Forms: `Timestamp` first, grids `Question [Row]`, checkboxes joined with ", ".
- Microsoft Forms: `ID, Start time, Completion time, Email, Name`, multi-answer joined with ";"
  and a trailing ";".
- LimeSurvey: `id, submitdate, lastpage, startlanguage…`, `Q1[SQ001]` columns (or
  "Question [Subquestion]" with full headings).
- Typeform: `#` first, one column per option under the repeated question header, HTML in headers.
- KoboToolbox / ODK: `_id, _uuid, _submission_time, _index…`, `group/question` paths,
  `repeat[2]/question` copies of a repeated question, `question/option` 0/1 columns beside the
  space-joined select_multiple column (kobocat may leave the joined column out), an optional
  row of HXL `#tags` under the header.
- Wenjuanxing (问卷星): `序号, 提交答卷时间…`, `8、(option)` columns, `(空)` for empty.
- REDCap: the record id first (any name), `redcap_event_name`, `redcap_repeat_instrument`,
  `redcap_repeat_instance`, `redcap_data_access_group`, `redcap_survey_identifier`,
  `<instrument>_timestamp`, `<instrument>_complete` (0/1/2), checkboxes as `field___code` 0/1
  columns. The labels export writes the field labels instead: `Label (choice=Choice text)`
  holding Checked/Unchecked, `Complete?` holding Incomplete/Unverified/Complete.
"""

from __future__ import annotations

import html
import re
import struct
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace

import polars as pl

TOOL_NAMES = {
    "surveymonkey": "SurveyMonkey", "qualtrics": "Qualtrics", "google_forms": "Google Forms",
    "microsoft_forms": "Microsoft Forms", "limesurvey": "LimeSurvey", "typeform": "Typeform",
    "kobo": "KoboToolbox", "wenjuanxing": "Wenjuanxing (问卷星)", "spss": "SPSS", "stata": "Stata",
    "sas": "SAS", "redcap": "REDCap",
}

# Cells that mean "no answer" in survey-tool exports; turned to null in answer columns.
MISSING_CODES = frozenset({"NA", "N/A", "n/a", "N/a", "#N/A", "(空)", "(跳过)", "-", "Not selected",
                           "not selected", "Not Selected"})
# In a table no tool wrote, only these, and only in columns of numbers (R and Excel write them).
NUMERIC_MISSING_CODES = frozenset({"NA", "N/A", "n/a", "#N/A"})


@dataclass(frozen=True)
class ColumnInfo:
    """One frame column as the tool wrote it."""

    name: str                    # the frame's column name (unique, trimmed, one line)
    question_id: str | None      # the same for every column of one logical question; None when unknown
    question: str | None         # the question text as the tool wrote it (one line, HTML stripped)
    option: str | None           # in a multi-column question: this column's option or sub-question
    value_labels: tuple[tuple[str, str], ...] = ()  # code -> label, already applied to the values
    missing: tuple[str, ...] = ()  # values that meant "missing" here and were turned to null
    multi_separator: str | None = None  # the cells join several answers with this string
    open_text: bool = False      # what a respondent typed beside an option ("Other, please specify")


@dataclass(frozen=True)
class MultiSet:
    """An SPSS multiple-response set."""

    name: str                    # '$tools'
    label: str | None
    columns: tuple[str, ...]
    counted_value: str | None    # dichotomy sets: the value that means "chosen", as the frame holds it
                                 # (its label when labelled); None for category sets


@dataclass(frozen=True)
class Header:
    """What the header rows of an export say, one entry per column."""

    tool: str | None
    rows: int                             # rows of header, 1 for an ordinary table
    names: tuple[str, ...]                # before de-duplication
    question_ids: tuple[str | None, ...]
    questions: tuple[str | None, ...]
    options: tuple[str | None, ...]
    metadata: tuple[bool, ...]
    open_text: tuple[bool, ...]           # typed text beside an option, not an answer to count


@dataclass(frozen=True)
class Prepared:
    """A frame after `prepare`: missing codes nulled, options and joined columns found."""

    frame: pl.DataFrame
    header: Header                             # as the values refined it (Kobo option columns)
    options: tuple[str | None, ...]
    missing: tuple[tuple[str, ...], ...]       # per column, the codes that were nulled
    missing_counts: tuple[tuple[str, int], ...]  # (column, cells nulled) for columns with any
    separators: tuple[str | None, ...]


def one_line(text: str) -> str:
    """Header text on one line: HTML tags and entities out, whitespace runs as one space."""
    if "<" in text and ">" in text:
        text = re.sub(r"<br\s*/?>", " ", text, flags=re.I)
        text = re.sub(r"</?[A-Za-z][^<>]*>", "", text)
    if "&" in text:
        text = html.unescape(text)
    return " ".join(text.replace("\ufeff", "").split())


# ----------------------------------------------------------------------------------------
# Which tool, how many header rows


_IMPORT_ID = re.compile(r"""ImportId["']?\s*:\s*["']([^"']*)["']""")
_GOOGLE_TIMESTAMPS = frozenset({"timestamp", "horodateur", "marca temporal", "zeitstempel",
                                "carimbo de data/hora", "informazioni cronologiche", "tijdstempel",
                                "sygnatura czasowa", "タイムスタンプ", "时间戳", "時間戳記"})
_KOBO_MARKS = frozenset({"_id", "_uuid", "_submission_time", "_index", "_validation_status"})
_LIME_CODES = frozenset({"submitdate", "lastpage", "startlanguage"})
_LIME_WORDS = frozenset({"date submitted", "last page", "start language"})


def read_header(records: Sequence[Sequence[str]]) -> Header:
    """The layout of a table from its first records (up to 4): the header and what follows."""
    width = len(records[0])
    rows = [[one_line(cell) for cell in (list(r) + [""] * width)[:width]] for r in records[:4]]
    raw0 = [cell.replace("\ufeff", "").strip() for cell in records[0]]
    r0 = rows[0]
    r1 = rows[1] if len(rows) > 1 else [""] * width
    r2 = rows[2] if len(rows) > 2 else [""] * width
    folded = [c.casefold() for c in r0]
    present = set(folded)

    ids = [_IMPORT_ID.search(cell) for cell in r2]
    if sum(m is not None for m in ids) * 2 > sum(1 for c in r2 if c):
        return _qualtrics(r0, r1, [m.group(1) if m else "" for m in ids])
    if (r0 and re.fullmatch(r"V\d+", r0[0]) and "ResponseID" in r1) or (
            "ResponseID" in r0 and "ResponseID" in r1 and "ResponseSet" in r1) or (
            "responseid" in present and r1[folded.index("responseid")] == "Response ID"):  # ImportId row deleted
        return _qualtrics_legacy(r0, r1)
    respondent = next((i for i, c in enumerate(folded) if c in _SM_RESPONDENT), None)
    if respondent is not None:
        blank_row = len(rows) > 1 and not r1[respondent]
        return _surveymonkey(r0, r1 if blank_row else None)
    if len(present & _KOBO_MARKS) >= 2:
        hxl = len(rows) > 1 and any(r1) and all(not c or c.startswith("#") for c in r1)
        return _kobo(r0, 2 if hxl else 1)
    if r0 and r0[0].casefold() in _GOOGLE_TIMESTAMPS and not r0[0][:1].islower() and _question_like(r0[1:]):
        return _google_forms(r0)
    if folded[:3] in (["id", "start time", "completion time"], ["id", "heure de début", "heure de fin"],
                      ["id", "startzeit", "fertigstellungszeit"], ["id", "hora de inicio", "hora de finalización"]):
        return _microsoft_forms(r0)
    redcap = _redcap_export(r0, rows[1:])
    if redcap:
        return _redcap(r0, labels=redcap == "labels")
    if _LIME_CODES <= present or _LIME_WORDS <= present:
        return _limesurvey(r0)
    if r0 and r0[0] == "#" and present & {"submit date (utc)", "start date (utc)", "network id"}:
        return _typeform(r0, raw0)
    if "序号" in present and "提交答卷时间" in present:
        return _wenjuanxing(r0)
    # SurveyMonkey without its metadata columns: 'Response' cells under the questions, option
    # labels under the blank headers of multi-column questions
    answers = sum(c.casefold() in _SM_ANSWER for c in r1)
    continued = sum(1 for top, below in zip(r0, r1) if not top and below)
    if answers and (continued or 10 * answers >= 3 * sum(1 for c in r1 if c)):
        return _surveymonkey(r0, r1)
    return _generic(r0)


def _question_like(headers: list[str]) -> bool:
    """Headers written as questions (words and spaces), not a log's field names ('timestamp,
    source, referrer'): what tells a Google Forms sheet from any table starting with a time."""
    filled = [h for h in headers if h]
    return bool(filled) and 2 * sum(" " in h or h.endswith(("?", ":", "？", "：")) for h in filled) >= len(filled)


def _header(tool: str | None, rows: int, names: Sequence[str], qids: Sequence[str | None],
            questions: Sequence[str | None], options: Sequence[str | None], metadata: Sequence[bool],
            open_text: Sequence[bool] | None = None) -> Header:
    typed = tuple(open_text) if open_text is not None else (False,) * len(names)
    return Header(tool, rows, tuple(names), tuple(qids), tuple(questions), tuple(options), tuple(metadata), typed)


def _none(width: int) -> list[None]:
    return [None] * width


# -- pattern groups shared by several tools and by plain tables ----------------------------

_BRACKET = re.compile(r"^(.*?\S)\s*\[([^\[\]]+)\]$")          # Google grid, LimeSurvey full headings
_LIME_CODE = re.compile(r"^([A-Za-z][A-Za-z0-9_]*)\[([^\[\]]+)\]$")  # Q1[SQ001]
_NUMBERED = re.compile(r"^(\d+)、\s*(.*)$")                      # 8、(option) / 3、question
_PARENTHESISED = re.compile(r"^(.*?)\s*[(（]([^()（）]+)[)）]$")


def _pattern_groups(names: Sequence[str], skip: Sequence[bool]) -> tuple[list[str | None], list[str | None],
                                                                         list[str | None]]:
    """question_id, question, option of columns named 'Q [Row]', 'Q1[SQ001]' or 'N、(option)'
    when at least two columns share the question part; other columns are their own question."""
    width = len(names)
    keys: list[tuple[str, str, str | None, str] | None] = []
    for name, meta in zip(names, skip):
        if meta:
            keys.append(None)
            continue
        code = _LIME_CODE.match(name)
        bracket = _BRACKET.match(name)
        numbered = _NUMBERED.match(name)
        if code:
            keys.append((code.group(1), code.group(1), None, code.group(2)))
        elif bracket:
            keys.append((bracket.group(1), bracket.group(1), bracket.group(1), bracket.group(2).strip()))
        elif numbered:
            inner = _PARENTHESISED.match(numbered.group(2))
            if inner:
                text = inner.group(1).strip() or None
                keys.append((numbered.group(1), numbered.group(1), text, inner.group(2).strip()))
            else:
                keys.append((numbered.group(1), numbered.group(1), numbered.group(2).strip() or None, None))
        else:
            keys.append(None)
    counts = Counter(k[0] for k in keys if k is not None and k[3] is not None)
    qids: list[str | None] = _none(width)
    questions: list[str | None] = _none(width)
    options: list[str | None] = _none(width)
    for i, (name, key) in enumerate(zip(names, keys)):
        if skip[i]:
            continue
        if key is not None and (key[3] is None or counts[key[0]] >= 2):
            qids[i], questions[i], options[i] = key[1], key[2], key[3]
            if questions[i] is None and key[3] is None:
                questions[i] = name
        else:
            qids[i], questions[i] = name, name
    # a numbered question written once with its text, then as 'N、(option)': share the text
    texts = {q: t for q, t in zip(qids, questions) if q is not None and t is not None}
    for i, q in enumerate(qids):
        if q is not None and questions[i] is None:
            questions[i] = texts.get(q)
    return qids, questions, options


def _generic(r0: list[str]) -> Header:
    meta = [False] * len(r0)
    qids, questions, options = _pattern_groups(r0, meta)
    # a plain table: only the columns the patterns grouped carry question ids
    grouped = Counter(q for q, o in zip(qids, options) if o is not None)
    qids = [q if q in grouped else None for q in qids]
    questions = [t if q is not None else None for q, t in zip(qids, questions)]
    return _header(None, 1, r0, qids, questions, options, meta)


# -- SurveyMonkey -----------------------------------------------------------------------

# English, French, German, Spanish exports
_SM_RESPONDENT = frozenset({"respondent id", "id du répondant", "befragten-id", "id del encuestado"})
_SM_METADATA = _SM_RESPONDENT | frozenset({
    "collector id", "start date", "end date", "ip address", "email address", "first name", "last name",
    "id du collecteur", "date de début", "date de fin", "adresse ip", "adresse e-mail", "prénom", "nom",
    "sammler-id", "startdatum", "enddatum", "ip-adresse", "e-mail-adresse", "vorname", "nachname",
    "id del recopilador", "fecha de inicio", "fecha de finalización", "dirección ip",
    "dirección de correo electrónico", "nombre", "apellido"})
_SM_ANSWER = frozenset({"response", "open-ended response", "réponse", "réponse ouverte", "antwort",
                        "offene antwort", "respuesta", "respuesta abierta"})
_SM_OPEN = frozenset({"open-ended response", "réponse ouverte", "offene antwort", "respuesta abierta"})


def _surveymonkey(r0: list[str], r1: list[str] | None) -> Header:
    width = len(r0)
    names: list[str] = []
    qids: list[str | None] = _none(width)
    questions: list[str | None] = _none(width)
    options: list[str | None] = _none(width)
    meta = [False] * width
    starts = sorted({0, *(i for i, c in enumerate(r0) if c)}) + [width]
    number = 0
    for start, stop in zip(starts, starts[1:]):
        text = r0[start]
        if text.casefold() in _SM_METADATA or re.fullmatch(
                r"(?i)(custom data|données personnalisées|benutzerdefinierte daten|datos personalizados) \d+", text):
            for i in range(start, stop):
                meta[i] = True
                names.append(text if i == start else f"{text} [{r1[i] if r1 else i - start + 1}]")
            continue
        number += 1
        span = range(start, stop)
        for i in span:
            label = r1[i] if r1 else ""
            qid = f"Q{number}"
            option: str | None = label or None
            if label.casefold() in _SM_ANSWER:
                option = None
                if label.casefold() in _SM_OPEN and len(span) > 1 and i != start:
                    qid = f"Q{number}_other"
            elif re.match(r"(?i)(other\b.*\bspecify|autre\b.*\bpréciser|sonstige|andere\b.*\bangeben|otro\b.*\bespecifique)",
                          label):
                qid, option = f"Q{number}_other", None
            qids[i], questions[i], options[i] = qid, text or None, option
            if len(span) == 1 or option is None:
                names.append(text if i == start else f"{text} [{label or i - start + 1}]")
            else:
                names.append(f"{text} [{option}]")
    return _header("surveymonkey", 2 if r1 is not None else 1, names, qids, questions, options, meta)


# -- Qualtrics --------------------------------------------------------------------------

_QUALTRICS_SYSTEM = frozenset({
    "startdate", "enddate", "status", "ipaddress", "progress", "duration", "duration (in seconds)", "finished",
    "recordeddate",
    "_recordid", "responseid", "responsesetid", "recipientlastname", "recipientfirstname",
    "recipientemail", "externaldatareference", "externalreference", "locationlatitude",
    "locationlongitude", "locationaccuracy", "distributionchannel", "userlanguage", "responseset",
    "name", "emailaddress", "q_recaptchascore", "q_relevantidduplicate", "q_relevantidfraudscore",
    "q_totalduration", "q_url"})


def _system_id(import_id: str) -> bool:
    base = re.sub(r"^(panel|location)-", "", import_id).casefold()
    # display order columns, and what Text iQ derives from a text answer (topics, sentiment)
    return base in _QUALTRICS_SYSTEM or bool(
        re.fullmatch(r"(?i)QID\d+(#\d+)?([_-]DO([_-].*)?|_TEXT_.+)", import_id))


def _split_texts(texts: list[str]) -> tuple[str, list[str | None]]:
    """Question text and options of one multi-column Qualtrics question ('question - option')."""
    if len(texts) < 2:
        return texts[0], [None] * len(texts)
    prefix = texts[0]
    for text in texts[1:]:
        while not text.startswith(prefix):
            prefix = prefix[:-1]
    for sep in (" - ", "-"):
        cut = prefix.rfind(sep)
        while cut > 0:
            if all(t[cut:cut + len(sep)] == sep for t in texts):
                return texts[0][:cut].strip(), [t[cut + len(sep):].strip() or None for t in texts]
            cut = prefix.rfind(sep, 0, cut)
    return prefix.strip() or texts[0], [t[len(prefix):].strip() or None for t in texts]


def _grouped_texts(width: int, keys: list[str | None], texts: list[str]) -> tuple[list[str | None],
                                                                                 list[str | None]]:
    questions: list[str | None] = _none(width)
    options: list[str | None] = _none(width)
    members: dict[str, list[int]] = {}
    for i, key in enumerate(keys):
        if key is not None:
            members.setdefault(key, []).append(i)
    for key, columns in members.items():
        question, opts = _split_texts([texts[i] for i in columns])
        for i, option in zip(columns, opts):
            questions[i], options[i] = question or None, option
    return questions, options


def _text_entry_keys(keys: list[str | None]) -> list[str | None]:
    """A text entry column ('QID5_TEXT') alone in its question is the question itself; beside
    options of its question it keeps its own key."""
    bases = Counter(k for k in keys if k is not None)
    return [k[:-5] if k and k.endswith("_TEXT") and bases[k[:-5]] == 0 else k for k in keys]


def _typed_beside_option(keys: list[str | None]) -> list[bool]:
    """The text entry columns that kept their own key: typed beside an option, open text."""
    return [bool(k and k.endswith("_TEXT")) for k in keys]


def _qualtrics(r0: list[str], r1: list[str], import_ids: list[str]) -> Header:
    width = len(r0)
    meta = [False] * width
    keys: list[str | None] = _none(width)
    for i, iid in enumerate(import_ids):
        found = re.match(r"(?i)(QID\d+(?:#\d+)?)", iid)
        if _system_id(iid) or (not found and r0[i].casefold() in _QUALTRICS_SYSTEM):
            meta[i] = True
        elif found:
            keys[i] = found.group(1) + ("_TEXT" if re.search(r"(?i)[_-]TEXT$", iid) else "")
    keys = _text_entry_keys(keys)
    questions, options = _grouped_texts(width, keys, [r1[i] or r0[i] for i in range(width)])
    names = [r0[i] or r1[i] for i in range(width)]
    return _header("qualtrics", 3, names, keys, questions, options, meta, _typed_beside_option(keys))


def _qualtrics_legacy(r0: list[str], r1: list[str]) -> Header:
    width = len(r0)
    meta = [bool(re.fullmatch(r"V\d+", r0[i])) or r1[i].casefold() in _QUALTRICS_SYSTEM
            or r0[i].casefold() in _QUALTRICS_SYSTEM for i in range(width)]
    keys: list[str | None] = _none(width)
    for i in range(width):
        if not meta[i] and r0[i]:
            base = re.sub(r"(?i)(_\d+)*(_TEXT)?$", "", r0[i]) or r0[i]
            keys[i] = base + ("_TEXT" if re.search(r"(?i)_TEXT$", r0[i]) and base != r0[i] else "")
    keys = _text_entry_keys(keys)
    questions, options = _grouped_texts(width, keys, [r1[i] or r0[i] for i in range(width)])
    # legacy ids V1…V10 say nothing: those columns take the text row's name (ResponseID, StartDate…)
    names = [r1[i] if re.fullmatch(r"V\d+", r0[i]) and r1[i] else (r0[i] or r1[i]) for i in range(width)]
    return _header("qualtrics", 2, names, keys, questions, options, meta, _typed_beside_option(keys))


# -- Google Forms, Microsoft Forms, LimeSurvey, Wenjuanxing ---------------------------------

_GOOGLE_METADATA = frozenset({"email address", "adresse e-mail", "dirección de correo electrónico",
                              "e-mail-adresse", "endereço de e-mail", "indirizzo email", "score",
                              "total score", "note", "punteggio", "puntuación", "pontuação"})


def _google_forms(r0: list[str]) -> Header:
    meta = [i == 0 or c.casefold() in _GOOGLE_METADATA for i, c in enumerate(r0)]
    qids, questions, options = _pattern_groups(r0, meta)
    return _header("google_forms", 1, r0, qids, questions, options, meta)


_MS_METADATA = frozenset({"id", "start time", "completion time", "email", "name", "last modified time",
                          "total points", "quiz feedback", "heure de début", "heure de fin", "adresse de messagerie",
                          "nom", "heure de la dernière modification", "total des points", "commentaires du questionnaire",
                          "startzeit", "fertigstellungszeit", "e-mail", "hora de inicio", "hora de finalización",
                          "correo electrónico", "nombre"})


def _microsoft_forms(r0: list[str]) -> Header:
    meta = [c.casefold() in _MS_METADATA or c.startswith(("Points - ", "Feedback - ", "Points – ", "Commentaires – "))
            for c in r0]
    width = len(r0)
    qids: list[str | None] = [None if m else c for c, m in zip(r0, meta)]
    return _header("microsoft_forms", 1, r0, qids, list(qids), _none(width), meta)


_LIME_METADATA = frozenset({"id", "submitdate", "lastpage", "startlanguage", "seed", "startdate",
                            "datestamp", "ipaddr", "refurl", "token", "interviewtime",
                            "response id", "date submitted", "last page", "start language",
                            "date started", "date last action", "ip address", "referrer url",
                            "total time"})


def _limesurvey(r0: list[str]) -> Header:
    qcodes = {m.group(1) for m in map(_LIME_CODE.match, r0) if m} | set(r0)
    meta = [c.casefold() in _LIME_METADATA or bool(re.fullmatch(r"groupTime\d+", c))
            or c.startswith(("Group time:", "Question time:"))
            or (c.endswith("Time") and c[:-4] in qcodes) for c in r0]
    qids, questions, options = _pattern_groups(r0, meta)
    # 'Q1[other]' and 'Q1[SQ001comment]' hold text typed by the respondent: their own questions
    for i, option in enumerate(options):
        if option and re.search(r"(?i)(^other$|comment$)", option) and qids[i]:
            qids[i], options[i] = f"{qids[i]}_{option}", None
    return _header("limesurvey", 1, r0, qids, questions, options, meta)


_WJX_METADATA = frozenset({"序号", "提交答卷时间", "所用时间", "来源", "来源详情", "来自ip", "总分",
                           "答题序号", "开始时间", "结束时间", "用户id", "ip", "作答时长"})


def _wenjuanxing(r0: list[str]) -> Header:
    meta = [c.casefold() in _WJX_METADATA for c in r0]
    qids, questions, options = _pattern_groups(r0, meta)
    return _header("wenjuanxing", 1, r0, qids, questions, options, meta)


# -- Typeform, KoboToolbox --------------------------------------------------------------

_TYPEFORM_METADATA = frozenset({"#", "response type", "start date (utc)", "stage date (utc)",
                                "submit date (utc)", "network id", "tags", "ending"})


def _typeform(r0: list[str], raw0: list[str]) -> Header:
    width = len(r0)
    meta = [c.casefold() in _TYPEFORM_METADATA for c in r0]
    qids: list[str | None] = _none(width)
    questions: list[str | None] = _none(width)
    run = 0
    for i in range(width):
        if meta[i]:
            continue
        repeated = i > 0 and not meta[i - 1] and raw0[i] == raw0[i - 1]
        run = run if repeated else i
        qids[i], questions[i] = r0[run], r0[i]
    return _header("typeform", 1, r0, qids, questions, _none(width), meta)


_KOBO_METADATA = frozenset({"start", "end", "today", "deviceid", "username", "simserial", "subscriberid",
                            "phonenumber", "audit", "audit_url", "meta/instanceid", "meta/instancename",
                            "meta/deprecatedid", "meta/rootuuid", "formhub/uuid", "__version__",
                            "instanceid"})


def _kobo(r0: list[str], rows: int) -> Header:
    width = len(r0)
    meta = [c.startswith("_") or c.casefold() in _KOBO_METADATA for c in r0]
    qids: list[str | None] = _none(width)
    questions: list[str | None] = _none(width)
    options: list[str | None] = _none(width)
    positions = {c: i for i, c in enumerate(r0)}
    parents: dict[int, int] = {}
    for i, c in enumerate(r0):
        if meta[i] or "/" not in c:
            continue
        parent = positions.get(c.rsplit("/", 1)[0])
        if parent is not None and parent < i and not meta[parent]:
            parents[i] = parent
    # a group path prefix is one shared by two questions (not counting options)
    prefixes = Counter(c.rsplit("/", 1)[0] for i, c in enumerate(r0)
                       if "/" in c and not meta[i] and i not in parents)
    for i, c in enumerate(r0):
        if meta[i]:
            continue
        own = r0[parents[i]] if i in parents else c
        head = own.rpartition("/")[0]
        qids[i], questions[i] = own, _kobo_text(own) if head and prefixes[head] >= 2 else own
        if i in parents:
            options[i] = c.rsplit("/", 1)[1]
    return _header("kobo", rows, r0, qids, questions, options, meta)


_REPEAT_INDEX = re.compile(r"\[(\d+)\]")


def _kobo_text(path: str) -> str:
    """A question's name without its group path, keeping the repeat's index: 'children[2]/childs_name'
    is 'childs_name [2]', so the copies of a repeated question stay apart."""
    head, _, tail = path.rpartition("/")
    return tail + "".join(f" [{index}]" for index in _REPEAT_INDEX.findall(head))


_KOBO_TICKS = frozenset({"0", "1", "true", "false"})


def _kobo_option_columns(frame: pl.DataFrame, header: Header) -> Header:
    """Kobo's 'question/option' columns of a select_multiple whose joined column was left out of the
    export: sibling columns holding only 0/1 (True/False) or nothing (n/a, already nulled). Columns
    of a group of questions share a path too, but their answers are not all ticks; a repeat's copy
    ('children[2]') is never a question, even when nobody filled it."""
    siblings: dict[str, list[int]] = {}
    for i, name in enumerate(header.names):
        if not header.metadata[i] and header.options[i] is None and "/" in name:
            siblings.setdefault(name.rsplit("/", 1)[0], []).append(i)
    qids, questions, options = list(header.question_ids), list(header.questions), list(header.options)
    columns = frame.get_columns()
    for question, members in siblings.items():
        if len(members) < 2 or question in header.names or question.endswith("]"):
            continue
        cells = {str(v).casefold() for i in members for v in columns[i].drop_nulls().unique().to_list()}
        if cells <= _KOBO_TICKS:
            for i in members:
                qids[i], questions[i] = question, _kobo_text(question)
                options[i] = header.names[i].rsplit("/", 1)[1]
    return replace(header, question_ids=tuple(qids), questions=tuple(questions), options=tuple(options))


# -- REDCap ------------------------------------------------------------------------------

_REDCAP_SYSTEM = frozenset({"redcap_event_name", "redcap_repeat_instrument", "redcap_repeat_instance",
                            "redcap_data_access_group", "redcap_survey_identifier"})
_REDCAP_SYSTEM_LABELS = frozenset({"event name", "repeat instrument", "repeat instance", "data access group",
                                   "survey identifier", "survey timestamp"})
_REDCAP_COMPLETE = re.compile(r"[a-z][a-z0-9_]*_complete")
_REDCAP_CHECKBOX = re.compile(r"([a-z][a-z0-9_]*?)___([A-Za-z0-9_]+)")  # race___1 -> race, 1
_REDCAP_CHOICE = re.compile(r"(.*?)\s*\(choice=(.*)\)")  # 'Race (choice=Asian)' -> Race, Asian
_REDCAP_STATUS_LABELS = frozenset({"", "Incomplete", "Unverified", "Complete"})
# a field the project asks the respondent to fill, but contact data rather than an answer
_REDCAP_CONTACT = frozenset({"email", "e_mail", "email_address", "e-mail", "email address", "e-mail address"})


def _redcap_export(r0: list[str], below: list[list[str]]) -> str | None:
    """'raw' or 'labels' for a REDCap export, else None. A status column alone ('task_complete'
    in any table) is not enough: its cells must be REDCap's statuses (0/1/2, or Incomplete /
    Unverified / Complete under 'Complete?') and another REDCap column must be there too."""
    complete = [i for i, c in enumerate(r0) if _REDCAP_COMPLETE.fullmatch(c)]
    if complete and all(row[i] in ("", "0", "1", "2") for row in below for i in complete):
        instruments = {r0[i].removesuffix("_complete") for i in complete}
        if any(_REDCAP_CHECKBOX.fullmatch(c) or c in _REDCAP_SYSTEM or _survey_timestamp(c, instruments) for c in r0):
            return "raw"
    statuses = [i for i, c in enumerate(r0) if c == "Complete?"]
    if statuses and all(row[i] in _REDCAP_STATUS_LABELS for row in below for i in statuses):
        if any(_REDCAP_CHOICE.fullmatch(c) or c.casefold() in _REDCAP_SYSTEM_LABELS for c in r0[1:]):
            return "labels"
    return None


def _survey_timestamp(name: str, instruments: set[str]) -> bool:
    """'<instrument>_timestamp': when that instrument's survey was submitted."""
    return name.endswith("_timestamp") and name.removesuffix("_timestamp") in instruments


def _redcap(r0: list[str], labels: bool) -> Header:
    width = len(r0)
    if labels:
        meta = [i == 0 or c == "Complete?" or c.casefold() in _REDCAP_SYSTEM_LABELS | _REDCAP_CONTACT
                for i, c in enumerate(r0)]
    else:
        instruments = {c.removesuffix("_complete") for c in r0 if _REDCAP_COMPLETE.fullmatch(c)}
        meta = [i == 0 or c.startswith("redcap_") or c in _REDCAP_CONTACT or bool(_REDCAP_COMPLETE.fullmatch(c))
                or _survey_timestamp(c, instruments) for i, c in enumerate(r0)]
    qids: list[str | None] = _none(width)
    questions: list[str | None] = _none(width)
    options: list[str | None] = _none(width)
    taken: Counter[str] = Counter()
    run: str | None = None  # the question of the checkbox columns just read
    for i, c in enumerate(r0):
        choice = None if meta[i] else (_REDCAP_CHOICE if labels else _REDCAP_CHECKBOX).fullmatch(c)
        if not choice:
            run = None
            if not meta[i]:
                qids[i] = questions[i] = c
            continue
        question, option = choice.group(1), choice.group(2)
        if run is None or questions[i - 1] != (question or None):
            # labels may repeat across fields ('Other', or none): each run of choices is its own question
            taken[question] += 1
            if not question:
                run = c
            elif taken[question] == 1:
                run = question
            else:
                run = f"{question} ({taken[question]})"
        qids[i], questions[i], options[i] = run, question or None, option
    return _header("redcap", 1, r0, qids, questions, options, meta)


# ----------------------------------------------------------------------------------------
# Values: missing codes, options read from cells, joined answers


_JOINERS = {"google_forms": ", ", "microsoft_forms": ";", "qualtrics": ",", "kobo": " "}


def prepare(frame: pl.DataFrame, header: Header) -> Prepared:
    """Null the tool's missing codes (answer columns of detected exports; NA-like cells in number
    columns of other tables), read Typeform's options from the cells, find joined answers.
    `frame` holds the stripped cells as read, text still untyped."""
    names = frame.columns
    missing: list[tuple[str, ...]] = [()] * len(names)
    counts: list[tuple[str, int]] = []
    replaced = []
    for i, column in enumerate(frame.get_columns()):
        if column.dtype != pl.String or header.metadata[i]:
            continue
        codes = _missing_in(column, header.tool is not None)
        if not codes:
            continue
        hit = column.is_in(list(codes))
        nulled = int(hit.sum())
        if nulled:
            missing[i] = tuple(sorted(codes))
            counts.append((names[i], nulled))
            replaced.append(pl.when(pl.col(names[i]).is_in(list(codes))).then(None)
                            .otherwise(pl.col(names[i])).alias(names[i]))
    if replaced:
        frame = frame.with_columns(replaced)
    if header.tool == "kobo":
        header = _kobo_option_columns(frame, header)
    options = list(header.options)
    if header.tool == "typeform":
        options = _typeform_options(frame, header, options)
    separators = [_joiner(column, header, i, options) for i, column in enumerate(frame.get_columns())]
    return Prepared(frame, header, tuple(options), tuple(missing), tuple(counts), tuple(separators))


_NUMBER_OR_NA = r"^(?:[+\-]?\d[\d\s.,]*%?|NA|N/A|n/a|#N/A)$"


def _missing_in(column: pl.Series, tool: bool) -> set[str]:
    if not tool:  # a plain table: only a column of numbers can hold NA codes; its first cells say
        probe = column.drop_nulls().head(1000)
        if probe.len() == 0 or not bool(probe.str.contains(_NUMBER_OR_NA).all()):
            return set()
    candidates = MISSING_CODES if tool else NUMERIC_MISSING_CODES
    codes = set(column.filter(column.is_in(list(candidates))).unique().to_list())
    if tool or not codes:
        return codes
    rest = column.filter(~column.is_in(list(codes))).drop_nulls()
    numeric = rest.len() > 0 and bool(rest.str.contains(r"^[+\-]?\d[\d\s.,]*%?$").all())
    return codes if numeric else set()


def _typeform_options(frame: pl.DataFrame, header: Header, options: list[str | None]) -> list[str | None]:
    """Typeform writes a chosen option's label in its column; the header only repeats the question."""
    members = Counter(q for q in header.question_ids if q is not None)
    columns = frame.get_columns()
    for i, qid in enumerate(header.question_ids):
        if qid is None or members[qid] < 2:
            continue
        values = columns[i].drop_nulls()
        if values.dtype == pl.String and values.len():
            options[i] = str(values.mode().sort()[0])
    return options


def _joiner(column: pl.Series, header: Header, index: int, options: list[str | None]) -> str | None:
    """The separator of a column whose cells join several answers, judged on its values."""
    if column.dtype != pl.String or header.metadata[index] or options[index] is not None:
        return None
    joiner = _JOINERS.get(header.tool or "")
    if joiner is None:
        return None
    values = column.drop_nulls()
    if values.len() == 0:
        return None
    if joiner == ";":
        return ";" if bool(values.str.ends_with(";").all()) else None
    if joiner == " ":  # Kobo: the select_multiple column beside its 'question/option' columns
        qid = header.question_ids[index]
        siblings = sum(1 for q, o in zip(header.question_ids, options) if q == qid and o is not None)
        return " " if siblings else None
    return joiner if _joined_answers(values.head(5000), joiner) else None


def _joined_answers(values: pl.Series, joiner: str) -> bool:
    """Cells join answers when pieces come back in different combinations: 'A, B', 'A', 'B, C'.
    A single answer that holds the joiner ('Moderate; middle of the road') always comes whole."""
    cells = Counter(values.to_list())
    if not any(joiner in cell for cell in cells):
        return False
    combos: dict[str, set[str]] = {}
    for cell in cells:
        for piece in (p.strip() for p in cell.split(joiner)):
            if piece:
                combos.setdefault(piece, set()).add(cell)
    recurring = [p for p, seen in combos.items() if sum(cells[c] for c in seen) >= 2]
    if not recurring:
        return False
    return 2 * sum(len(combos[p]) >= 2 for p in recurring) >= len(recurring)


# ----------------------------------------------------------------------------------------
# SPSS and Stata: what pyreadstat does not read


@dataclass(frozen=True)
class SavDictionary:
    weight: str | None          # the weight variable's name (long name when the file gives one)
    cases: int                  # -1 when the file does not say
    case_bytes: int             # bytes of one case (8 per dictionary slot)
    zlib_bytes: int | None      # .zsav: uncompressed bytes of the data blocks


def sav_dictionary(data: bytes) -> SavDictionary | None:
    """The header facts of a .sav/.zsav file: the declared weight, the number of cases, the size of
    a case and (zsav) of the data once inflated. None when the bytes are not a readable dictionary."""
    if len(data) < 176 or data[:4] not in (b"$FL2", b"$FL3"):
        return None
    end = "<" if struct.unpack_from("<i", data, 64)[0] in (2, 3) else ">"
    weight_index, cases = struct.unpack_from(end + "ii", data, 76)
    pos = 176
    slot = 0
    names: dict[int, str] = {}
    long_names: dict[str, str] = {}
    zlib_bytes = None
    try:
        while True:
            (kind,) = struct.unpack_from(end + "i", data, pos)
            if kind == 2:
                width, has_label, n_missing = struct.unpack_from(end + "iii", data, pos + 4)
                slot += 1
                if width != -1:
                    names[slot] = data[pos + 24:pos + 32].decode("latin-1").strip()
                pos += 32
                if has_label:
                    (size,) = struct.unpack_from(end + "i", data, pos)
                    pos += 4 + (size + 3) // 4 * 4
                pos += abs(n_missing) * 8
            elif kind == 3:
                (count,) = struct.unpack_from(end + "i", data, pos + 4)
                pos += 8
                for _ in range(count):
                    size = data[pos + 8]
                    pos += 8 + (size + 1 + 7) // 8 * 8
            elif kind == 4:
                (count,) = struct.unpack_from(end + "i", data, pos + 4)
                pos += 8 + 4 * count
            elif kind == 6:
                (lines,) = struct.unpack_from(end + "i", data, pos + 4)
                pos += 8 + 80 * lines
            elif kind == 7:
                subtype, size, count = struct.unpack_from(end + "iii", data, pos + 4)
                body = data[pos + 16:pos + 16 + size * count]
                if subtype == 13:
                    for pair in body.decode("utf-8", errors="replace").split("\t"):
                        short, _, long = pair.partition("=")
                        if long:
                            long_names[short.strip()] = long.strip()
                pos += 16 + size * count
            elif kind == 999:
                pos += 8
                break
            else:
                return None
        if data[:4] == b"$FL3" and len(data) >= pos + 24:
            _, trailer_at, trailer_len = struct.unpack_from(end + "qqq", data, pos)
            blocks = struct.unpack_from(end + "i", data, trailer_at + 20)[0]
            if 0 <= blocks and trailer_at + 24 + 24 * blocks <= len(data):
                zlib_bytes = sum(struct.unpack_from(end + "i", data, trailer_at + 24 + 24 * b + 16)[0]
                                 for b in range(blocks))
    except (struct.error, IndexError):
        return None
    weight = names.get(weight_index) if weight_index > 0 else None
    if weight is not None:
        weight = long_names.get(weight, weight)
    return SavDictionary(weight, cases, slot * 8, zlib_bytes)


def dta_weight(data: bytes) -> str | None:
    """The survey weight a Stata .dta file (format 117 and later) holds from `svyset`
    (the characteristic _dta[_svy_wvar]), or None."""
    start = data.find(b"<characteristics>")
    if start < 0 or not data.startswith(b"<stata_dta>"):
        return None
    release = re.search(rb"<release>(\d+)</release>", data[:64])
    if not release:
        return None
    version = int(release.group(1))
    name_size = 33 if version == 117 else 129
    little = b"<byteorder>LSF</byteorder>" in data[:128]
    pos = start + len(b"<characteristics>")
    end = data.find(b"</characteristics>", pos)
    while 0 <= pos < end and data.startswith(b"<ch>", pos):
        (size,) = struct.unpack_from("<I" if little else ">I", data, pos + 4)
        body = data[pos + 8:pos + 8 + size]
        variable = body[:name_size].split(b"\0", 1)[0]
        characteristic = body[name_size:2 * name_size].split(b"\0", 1)[0]
        if variable == b"_dta" and characteristic == b"_svy_wvar":
            value = body[2 * name_size:].split(b"\0", 1)[0].decode("utf-8", errors="replace").strip()
            return value or None
        pos += 8 + size + len(b"</ch>")
    return None

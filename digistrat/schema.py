"""What a dataset is and what each column means, decided once: a typed schema per kind of dataset.

`roles.guess_roles` gives every column a role (the user corrects it in the role editor);
`roles.schema_of` turns those roles, the values and what the reader knew of the columns into
one of the schemas below. The pipeline keeps it on the `Dataset`; `explore`, `traffic`, the
pages, the CLI and the exports read it and never decide what a column means again.

A survey's categorical questions are `Question`s, whatever layout the survey tool used:

- one column, one answer per respondent (`single`);
- one column holding the chosen options joined by a separator (`joined`: "A;B", "A, B");
- one column per option (`options`), ticked when the cell holds the option's label, "Y",
  1 or true (anything else, blank, 0, "N", "Not selected"... is not ticked);
- one column per option of a single-choice question (`one_of`: SurveyMonkey's expanded
  layout), where no respondent ticks more than one.

`Question.answers()` is the one expression that reads a respondent's answer from the raw
columns: the answer text for a single question; for a multi-answer question the chosen
options joined by `MULTI_SEPARATOR` (sorted, no blanks), null when none was chosen (the
respondent did not answer it). Filters, the cube and the exports all go through it.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

# Joins the options of a multi-answer answer once read: a unit separator never written in a label.
MULTI_SEPARATOR = "\x1f"
SINGLE, JOINED, OPTIONS, ONE_OF = "single", "joined", "options", "one_of"
# Cells of an option column that say "ticked" whatever the option's label (case-insensitive).
TICKED = ("1", "1.0", "y", "yes", "oui", "true", "x", "checked", "selected", "coché", "sí", "si")
NOT_TICKED = ("0", "0.0", "n", "no", "non", "false", "not selected", "unchecked", "not checked", "")


@dataclass(frozen=True)
class Question:
    """One logical question of a survey."""

    name: str  # its key in filters, the cube, URLs: the column for a one-column question
    text: str  # what people read (the tool's question text, else the header)
    layout: str  # SINGLE, JOINED or OPTIONS
    columns: tuple[str, ...]  # the raw columns it is read from
    options: tuple[str, ...] = ()  # OPTIONS, ONE_OF: the option each column stands for, in `columns` order
    separator: str | None = None  # JOINED: what the tool put between options

    @property
    def multi(self) -> bool:
        return self.layout in (JOINED, OPTIONS)

    def answers(self) -> pl.Expr:
        """The respondent's answer as text (see the module docstring), named `name`."""
        if self.layout == SINGLE:
            text = pl.col(self.columns[0]).cast(pl.String).str.strip_chars()
            return pl.when(text != "").then(text).alias(self.name)
        if self.layout == ONE_OF:
            return pl.coalesce(
                pl.when(ticked(pl.col(column), option)).then(pl.lit(option))
                for column, option in zip(self.columns, self.options)
            ).alias(self.name)
        if self.layout == JOINED:
            parts = (
                pl.col(self.columns[0]).cast(pl.String).str.split(self.separator or ";")
                .list.eval(pl.element().str.strip_chars().filter(pl.element() != "")).list.unique().list.sort()
            )
        else:
            parts = pl.concat_list(
                pl.when(ticked(pl.col(column), option)).then(pl.lit(option)).otherwise(pl.lit(None, pl.String))
                for column, option in zip(self.columns, self.options)
            ).list.drop_nulls().list.sort()
        return pl.when(parts.list.len() > 0).then(parts.list.join(MULTI_SEPARATOR)).alias(self.name)


def ticked(cell: pl.Expr, option: str) -> pl.Expr:
    """True where an option column's cell says the option was chosen."""
    text = cell.cast(pl.String).str.strip_chars()
    lower = text.str.to_lowercase()
    return (lower.is_in(TICKED) | ((text == option) & (text != ""))).fill_null(False)


def split_answer(answer: str | None) -> list[str]:
    """The options of one multi-answer answer as `Question.answers` wrote it."""
    return [] if not answer else answer.split(MULTI_SEPARATOR)


@dataclass(frozen=True)
class Skipped:
    """A column no filter or table uses, and why (a message code and its figure)."""

    column: str
    reason: str  # "free_text" (too many distinct answers), "empty", "type"
    values: int = 0


@dataclass(frozen=True)
class SurveySchema:
    """Respondent-level survey: one row per respondent."""

    segment: str  # the column the canonical `segment` key is read from
    weight: str | None  # the column the canonical `weight` is read from
    id: str | None
    date: str | None
    questions: tuple[Question, ...]  # categorical questions, single and multi-answer, in file order
    scales: tuple[str, ...]  # numeric answers (range filters)
    # Each company's own visit origins: (bucket, column), all shares (points) or all session counts.
    origins: tuple[tuple[str, str], ...] = ()
    origins_are_counts: bool = False
    psu: str | None = None  # cluster (primary sampling unit) of the design
    stratum: str | None = None
    skipped: tuple[Skipped, ...] = ()
    kind: str = "survey"
    page: str | None = "survey"

    def question(self, name: str) -> Question:
        return next(q for q in self.questions if q.name == name)

    @property
    def single(self) -> tuple[Question, ...]:
        return tuple(q for q in self.questions if not q.multi)

    @property
    def multi(self) -> tuple[Question, ...]:
        return tuple(q for q in self.questions if q.multi)


# Where a traffic dataset's origins come from, in the order the rules prefer them.
FROM_SOURCE_MEDIUM, FROM_URLS, FROM_CHANNEL, FROM_SOURCE, FROM_DEVICE = (
    "source_medium", "urls", "channel", "source", "device",
)
# A GA4 export's sessions (digistrat.engines): the source / medium GA4 attributed where it gives
# one, else the first page's referrer and landing page.
FROM_SESSION_SOURCE = "session_source"


@dataclass(frozen=True)
class TrafficSchema:
    """Sessions, row by row (`traffic`) or already counted per origin (`traffic_by_*`)."""

    kind: str  # traffic, traffic_by_channel, traffic_by_source_medium, traffic_by_device
    origin: str  # FROM_*: which columns the channel is computed from
    source_medium: str | None = None  # "google / organic" in one column
    source: str | None = None
    medium: str | None = None
    campaign: str | None = None
    referrer: str | None = None
    landing_page: str | None = None
    # An export's own channel label: the origin when nothing finer exists, else kept beside the
    # rules' channel to check them against it.
    channel: str | None = None
    date: str | None = None
    device: str | None = None
    sessions: str | None = None  # the count column of an aggregated table; None: one session a row
    sessions_are_shares: bool = False  # the table gives shares, not counts (the article's own table)
    page: str | None = "traffic"

    @property
    def rule_based(self) -> bool:
        """True when the channel comes from the rules (the settings change it), not from a label."""
        return self.origin in (FROM_SOURCE_MEDIUM, FROM_URLS, FROM_SOURCE, FROM_SESSION_SOURCE)


@dataclass(frozen=True)
class TableSchema:
    """An aggregated table: one row per category with a count or a share (the article's own tables)."""

    category: str | None  # the label column (the segment column when there is one)
    segment: str | None
    count: str | None
    share: str | None
    kind: str = "survey_table"
    page: str | None = None

    @property
    def measure(self) -> str | None:
        """The column the figures come from: the count, else the share."""
        return self.count or self.share


@dataclass(frozen=True)
class UnknownSchema:
    kind: str = "unknown"
    page: str | None = None


Schema = SurveySchema | TrafficSchema | TableSchema | UnknownSchema

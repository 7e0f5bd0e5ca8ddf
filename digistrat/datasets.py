"""The one pipeline every dataset goes through: read -> roles -> schema -> normalise.

Bundled files and uploads take the very same path; a Dataset is what the pages, the CLI and
the exports work on. What shapes a dataset from a file's bytes (table, sheet, roles, value
mappings, the weight rule) is one frozen `LoadSettings`; the dataset's `version` hashes it
with the content, and is the only cache key the pages use. `rows` gives the respondents or
sessions behind a view: the page's counts, its figures, the downloads and the CLI all start
from it.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path
from typing import Any, TypeVar

import polars as pl

from digistrat import stats
from digistrat.errors import InputError
from digistrat.messages import message
from digistrat.normalise import WEIGHT_RULES, NormaliseReport, normalise
from digistrat.query import FilterSpec
from digistrat.read import ColumnInfo, Limits, ReadReport, read_table
from digistrat.roles import RoleGuess, guess_roles, schema_of, with_roles
from digistrat.schema import MULTI_SEPARATOR, OPTIONS, SINGLE, Question, Schema, SurveySchema, TableSchema
from digistrat.segments import SEGMENT_KEYS

T = TypeVar("T")

DATA_DIR = Path(__file__).resolve().parents[1] / "data"
PROVENANCE_FILE = DATA_DIR / "provenance.json"

REFERENCE_SEGMENTS = "reference_segments"
REFERENCE_ORIGINS = "reference_origins"
REFERENCE_DEVICES = "reference_devices"
SAMPLE_PANEL = "sample_panel"
SAMPLE_SESSIONS = "sample_sessions"


def _pairs(mapping: Mapping[str, Any] | None) -> tuple:
    return tuple(sorted((mapping or {}).items()))


@dataclass(frozen=True)
class LoadSettings:
    """What the user chose when loading a file; re-applied exactly after a restart.

    Hashable (a cache key), built from plain mappings with `build`; `as_dict` / `from_dict`
    are its JSON form (the workspace keeps it as it is).
    """

    table: int = 0
    sheet: str | int | None = None
    roles: tuple[tuple[str, str], ...] = ()  # column -> role the user chose
    groups: tuple[tuple[str, str], ...] = ()  # option column -> the question it belongs to
    mappings: tuple[tuple[str, tuple[tuple[str, str], ...]], ...] = ()  # column -> value -> key
    weight_rule: str = "exclude"  # normalise.WEIGHT_RULES

    @classmethod
    def build(
        cls,
        *,
        table: int = 0,
        sheet: str | int | None = None,
        roles: Mapping[str, str] | None = None,
        groups: Mapping[str, str] | None = None,
        mappings: Mapping[str, Mapping[str, str]] | None = None,
        weight_rule: str = "exclude",
    ) -> LoadSettings:
        if weight_rule not in WEIGHT_RULES:
            raise InputError(message("input.weight_rule", rule=weight_rule))
        return cls(
            table=int(table), sheet=sheet, roles=_pairs(roles), groups=_pairs(groups),
            mappings=tuple(sorted((c, _pairs(m)) for c, m in (mappings or {}).items() if m)),
            weight_rule=weight_rule,
        )

    @property
    def role_overrides(self) -> dict[str, str]:
        return dict(self.roles)

    @property
    def group_overrides(self) -> dict[str, str]:
        return dict(self.groups)

    @property
    def value_mappings(self) -> dict[str, dict[str, str]]:
        return {column: dict(values) for column, values in self.mappings}

    def changed(self, **changes: Any) -> LoadSettings:
        """These settings with some choices changed (mappings as plain dicts)."""
        current = {"table": self.table, "sheet": self.sheet, "roles": self.role_overrides,
                   "groups": self.group_overrides, "mappings": self.value_mappings, "weight_rule": self.weight_rule}
        return LoadSettings.build(**{**current, **changes})

    def as_dict(self) -> dict[str, Any]:
        return {"table": self.table, "sheet": self.sheet, "roles": self.role_overrides,
                "groups": self.group_overrides, "mappings": self.value_mappings, "weight_rule": self.weight_rule}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> LoadSettings:
        # before the weight rule, sidecars said "exclude_bad_weights" and "role_overrides"
        rule = data.get("weight_rule") or ("exclude" if data.get("exclude_bad_weights", True) else "unweighted")
        return cls.build(
            table=int(data.get("table", 0)), sheet=data.get("sheet"),
            roles=data.get("roles", data.get("role_overrides")), groups=data.get("groups"),
            mappings=data.get("mappings"), weight_rule=rule,
        )

    def digest(self) -> str:
        text = json.dumps(self.as_dict(), sort_keys=True, ensure_ascii=False, default=str)
        return hashlib.sha256(text.encode()).hexdigest()[:12]


@dataclass(frozen=True)
class Dataset:
    id: str  # hash of the file's bytes: the same content is the same dataset
    name: str
    frame: pl.DataFrame  # normalised: canonical columns added, originals kept
    read: ReadReport
    roles: RoleGuess
    schema: Schema
    normalised: NormaliseReport
    settings: LoadSettings = field(default_factory=LoadSettings)
    columns: tuple[ColumnInfo, ...] = ()  # what the file said of its columns (question texts...)
    provenance: Mapping[str, Any] | None = field(default=None)
    # Values computed once from this dataset (a traffic cube, say); never part of its identity.
    _derived: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    def derived(self, key: str, build: Callable[[], T]) -> T:
        """`build()`, computed on the first call with this key and kept as long as the dataset."""
        if key not in self._derived:
            self._derived[key] = build()
        return self._derived[key]

    @property
    def version(self) -> str:
        """The content and the choices that shaped it: the same version is the same figures."""
        return f"{self.id}-{self.settings.digest()}"

    @property
    def kind(self) -> str:
        return self.schema.kind

    @property
    def page(self) -> str | None:
        """Which page shows it: "survey", "traffic", or None (the upload page only)."""
        return self.schema.page

    @property
    def weight(self) -> str | None:
        """The canonical weight column when figures are weighted (a survey with a weight column
        and the rule that leaves bad weights out), else None."""
        weighted = isinstance(self.schema, SurveySchema) and self.schema.weight and self.settings.weight_rule == "exclude"
        return "weight" if weighted else None

    @property
    def illustrative(self) -> bool:
        return bool(self.provenance) and self.provenance.get("kind") == "illustrative"


def content_id(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:16]


@cache
def provenance() -> dict[str, Any]:
    return json.loads(PROVENANCE_FILE.read_text(encoding="utf-8"))


def load_bytes(
    data: bytes,
    file_name: str,
    settings: LoadSettings = LoadSettings(),
    *,
    limits: Limits = Limits(),
    source_provenance: Mapping[str, Any] | None = None,
) -> Dataset:
    """Read, guess roles (with the user's choices), build the schema and normalise one file's bytes."""
    # The content hash (about 0.5 s per GB) runs while the file is parsed: hashlib lets go of the GIL.
    with ThreadPoolExecutor(max_workers=1) as pool:
        identity = pool.submit(content_id, data)
        result = read_table(data, file_name=file_name, table=settings.table, sheet=settings.sheet, limits=limits)
        report = result.report
        dataset = _understood(result.frame, report, result.columns, settings, lambda: _line_offset(data, report))
    return replace(dataset, id=identity.result(), provenance=source_provenance)


def load_frame(frame: pl.DataFrame, name: str, settings: LoadSettings = LoadSettings()) -> Dataset:
    """A frame already in memory through the same steps as a file (roles, schema, normalise)."""
    report = ReadReport(
        file_name=name, format="frame", encoding=None, separator=None, decimal=None, thousands=None, header_line=None,
        preamble=(), tables=(), table_index=0, sheets=(), sheet=None, rows=frame.height, columns=tuple(frame.columns),
        percent_columns=(), notes=())
    dataset = _understood(frame, report, (), settings, None)
    return replace(dataset, id=hashlib.sha256(frame.write_ipc(None).getvalue()).hexdigest()[:16])


def _understood(
    raw: pl.DataFrame, report: ReadReport, columns: tuple[ColumnInfo, ...], settings: LoadSettings,
    line_offset: Callable[[], int | None] | None,
) -> Dataset:
    """Roles (with the user's choices), the schema, then normalised values: a Dataset without its id."""
    guess = guess_roles(raw, columns=columns, tool=report.tool, metadata=report.metadata_columns,
                        declared_weight=report.declared_weight)
    if settings.roles or settings.groups:
        guess = with_roles(guess, settings.role_overrides, settings.group_overrides)
    schema = schema_of(guess, raw, columns)
    frame, normalised = normalise(
        raw, segment=getattr(schema, "segment", None), device=getattr(schema, "device", None),
        weight=schema.weight if isinstance(schema, SurveySchema) else None, mappings=settings.value_mappings,
        weight_rule=settings.weight_rule, line_offset=line_offset,
    )
    return Dataset("", report.file_name, frame, report, guess, schema, normalised, settings, columns)


def _line_offset(data: bytes, report: ReadReport) -> int | None:
    """Lines before the first data row, when every data row is exactly one line of the file
    (no blank lines skipped, no field spanning lines); otherwise None, and only data-row
    numbers are reported. UTF-16 and multi-table files are not counted."""
    if report.format != "csv" or report.header_line is None or len(report.tables) > 1:
        return None
    if report.encoding not in ("utf-8", "utf-8-sig", "cp1252", "latin-1"):
        return None
    lines = data.count(b"\n") + (0 if data.endswith(b"\n") else 1)
    return report.header_line if lines - report.header_line == report.rows else None


def load_bundled(name: str) -> Dataset:
    """A file from data/, through the same path as an upload."""
    meta = provenance()["datasets"][name]
    path = DATA_DIR / meta["file"]
    return load_bytes(path.read_bytes(), path.name, source_provenance=meta)


def reference_shares(name: str) -> pl.DataFrame:
    """A published table as (key, share in points), in the file's order."""
    frame = read_table(DATA_DIR / provenance()["datasets"][name]["file"]).frame
    key_column, share_column = frame.columns[:2]
    return frame.select(pl.col(key_column).alias("key"), pl.col(share_column).cast(pl.Float64).alias("share"))


# ---------------------------------------------------------------------------------------
# The rows behind a view, and segment shares of any survey
# ---------------------------------------------------------------------------------------


def answer_columns(dataset: Dataset) -> dict[str, pl.Expr]:
    """Each survey question's answer expression by its name (what filters and the cube read)."""
    schema = dataset.schema
    return {q.name: q.answers() for q in schema.questions} if isinstance(schema, SurveySchema) else {}


def rows(dataset: Dataset, spec: FilterSpec = FilterSpec()) -> pl.LazyFrame:
    """The respondents (or sessions) behind a view: the dataset's rows that pass `spec`.

    The weight rule was applied once, by normalise: every count, figure and export of a view
    starts here, so they agree.
    """
    return dataset.frame.lazy() if spec.is_empty else dataset.frame.lazy().filter(
        spec.expression(answer_columns(dataset)))


def _plain(text: str) -> str:
    """A header or question as people type it: case folded, spaces and line breaks collapsed,
    no closing punctuation ("In what country do you live?" = "in what country do you live")."""
    return " ".join(text.split()).casefold().rstrip(" ?:.!？：")


def find_question(dataset: Dataset, wanted: str) -> Question:
    """The question (or column) a person names: its name, its text, or a unique prefix of either,
    case-insensitive, spaces and line breaks collapsed. Of several questions starting so, the one
    whose text starts all the others' is meant ("Q [Other (please specify)]" is part of "Q").
    InputError when none or several match."""
    schema = dataset.schema
    questions = list(schema.questions) if isinstance(schema, SurveySchema) else []
    used = {c for q in questions for c in q.columns} | {q.name for q in questions}
    # any other column of the rows counts as a one-column question of its own
    questions += [Question(name=c, text=c, layout=SINGLE, columns=(c,)) for c in dataset.frame.columns if c not in used]
    target = _plain(wanted)
    exact = [q for q in questions if target in (_plain(q.name), _plain(q.text))]
    found = exact or [q for q in questions if _plain(q.name).startswith(target) or _plain(q.text).startswith(target)]
    if len(found) > 1:
        heads = [q for q in found if all(_plain(o.text).startswith(_plain(q.text)) for o in found)]
        found = heads if len(heads) == 1 else found
    if len(found) == 1:
        return found[0]
    if found:
        raise InputError(message("input.question_ambiguous", wanted=wanted, matches=[q.name for q in found]))
    raise InputError(message("input.no_such_question", wanted=wanted, columns=[q.name for q in questions]))


def question_options(dataset: Dataset, question: Question) -> list[str]:
    """The options of a multi-answer question: its option columns', or those found in its answers."""
    if question.layout == OPTIONS:
        return list(question.options)
    answers = dataset.frame.lazy().select(question.answers()).collect().to_series().drop_nulls()
    return sorted(answers.str.split(MULTI_SEPARATOR).explode().unique().to_list())


def design(dataset: Dataset) -> stats.Design:
    """How the survey's sample was drawn (weight, clusters, strata from its schema), sized on all
    its rows so a filtered view is a domain of the whole design."""
    schema = dataset.schema
    psu = schema.psu if isinstance(schema, SurveySchema) else None
    stratum = schema.stratum if isinstance(schema, SurveySchema) else None
    return stats.Design(dataset.weight, psu, stratum).sized(rows(dataset))


@dataclass(frozen=True)
class SegmentShares:
    """Each segment's share, from respondents or from an aggregated table's counts or shares."""

    # key (SEGMENT_KEYS order, all five), count, share (0–1), ci_low, ci_high, deff, n_eff
    # (each estimate's design effect and effective base; a plain count table has deff 1)
    rows: pl.DataFrame
    base: float | None  # respondents or Σ counts; None for published shares only (n unknown, no intervals)
    weighted: bool
    n_eff: float | None  # the effective base of weighted respondents
    column: str | None  # an aggregated table's count or share column


def segment_shares(dataset: Dataset, level: float = 0.95) -> SegmentShares:
    """The segment shares the upload preview and the CLI show, from the same rows as the pages."""
    schema = dataset.schema
    if isinstance(schema, TableSchema):
        return _table_shares(dataset, schema, level)
    if not isinstance(schema, SurveySchema) or "segment" not in dataset.frame.columns:
        raise InputError(message("input.no_segment", name=dataset.name))
    table = stats.share_table(rows(dataset), "segment", design(dataset), stats.Thresholds(level=level),
                              keys=SEGMENT_KEYS)
    frame = table.rows.select("key", pl.col("count").cast(pl.Float64), "share", "ci_low", "ci_high", "deff", "n_eff")
    return SegmentShares(frame, float(table.base_rows), table.weighted, table.n_eff if table.weighted else None, None)


def _table_shares(dataset: Dataset, schema: TableSchema, level: float) -> SegmentShares:
    """Segment shares of a table that already counts (or gives shares of) each segment.

    Rows of one segment are summed. With counts, share = count / Σ counts and the interval is
    `stats.share_interval` on that base; with shares only, they are rescaled to add up to 1
    (points or fractions alike) and count and intervals are null.
    """
    column = schema.measure
    if column is None or "segment" not in dataset.frame.columns:
        raise InputError(message("input.table_without_measure", name=dataset.name))
    counted = column == schema.count
    value = pl.col(column).cast(pl.Float64)
    negative = dataset.frame.filter(value < 0)
    if negative.height:
        raise InputError(message("input.negative_measure", name=dataset.name, column=column,
                                 value=str(negative[column][0])))
    sums = (
        dataset.frame.lazy().filter(pl.col("segment").is_not_null())
        .group_by(pl.col("segment").cast(pl.String).alias("key")).agg(value.sum().alias("total"))
        .collect()
    )
    keys = pl.DataFrame({"key": list(SEGMENT_KEYS)})
    frame = keys.join(sums, on="key", how="left", maintain_order="left").with_columns(pl.col("total").fill_null(0.0))
    base = float(frame["total"].sum())
    frame = frame.with_columns(share=pl.col("total") / base if base > 0 else pl.lit(None, pl.Float64))
    if counted and base > 0:

        # five rows at most: one interval each
        intervals = [stats.share_interval(p, base, level)[:2] for p in frame["share"].to_list()]
        low, high = zip(*intervals)
    else:
        low = high = [None] * frame.height
    frame = frame.select(
        "key",
        (pl.col("total") if counted else pl.lit(None, pl.Float64)).alias("count"),
        "share",
        pl.Series("ci_low", low, dtype=pl.Float64),
        pl.Series("ci_high", high, dtype=pl.Float64),
        pl.lit(1.0 if counted and base > 0 else None, pl.Float64).alias("deff"),
        pl.lit(base if counted and base > 0 else None, pl.Float64).alias("n_eff"),
    )
    return SegmentShares(frame, base if counted else None, False, None, column)

"""The one pipeline every dataset goes through: read -> roles -> normalise.

Bundled files and uploads take the very same path; a Dataset is what the pages and the
CLI work on.
"""

from __future__ import annotations

import hashlib
import json
from concurrent.futures import ThreadPoolExecutor
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path
from typing import Any, TypeVar

import polars as pl

from digistrat.errors import InputError
from digistrat.normalise import NormaliseReport, normalise
from digistrat.read import Limits, ReadReport, read_table
from digistrat.roles import RoleGuess, guess_roles, with_roles
from digistrat.segments import SEGMENT_KEYS

T = TypeVar("T")

DATA_DIR = Path(__file__).resolve().parents[1] / "data"
PROVENANCE_FILE = DATA_DIR / "provenance.json"

REFERENCE_SEGMENTS = "reference_segments"
REFERENCE_ORIGINS = "reference_origins"
REFERENCE_DEVICES = "reference_devices"
SAMPLE_PANEL = "sample_panel"
SAMPLE_SESSIONS = "sample_sessions"


@dataclass(frozen=True)
class Dataset:
    id: str  # hash of the file's bytes: the same content is the same dataset
    name: str
    frame: pl.DataFrame  # normalised: canonical columns added, originals kept
    read: ReadReport
    roles: RoleGuess
    normalised: NormaliseReport
    provenance: Mapping[str, Any] | None = field(default=None)
    # Values computed once from this dataset (a traffic cube, say); never part of its identity.
    _derived: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    def derived(self, key: str, build: Callable[[], T]) -> T:
        """`build()`, computed on the first call with this key and kept as long as the dataset."""
        if key not in self._derived:
            self._derived[key] = build()
        return self._derived[key]

    @property
    def kind(self) -> str:
        return self.roles.kind

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
    *,
    table: int = 0,
    sheet: str | int | None = None,
    role_overrides: Mapping[str, str] | None = None,
    mappings: Mapping[str, Mapping[str, str]] | None = None,
    exclude_bad_weights: bool = True,
    limits: Limits = Limits(),
    source_provenance: Mapping[str, Any] | None = None,
) -> Dataset:
    """Read, guess roles (with the user's overrides) and normalise one file's bytes."""
    # The content hash (about 0.5 s per GB) runs while the file is parsed: hashlib lets go of the GIL.
    with ThreadPoolExecutor(max_workers=1) as pool:
        identity = pool.submit(content_id, data)
        frame, read, roles, normalised = _load(
            data, file_name, table, sheet, role_overrides, mappings, exclude_bad_weights, limits)
    return Dataset(identity.result(), file_name, frame, read, roles, normalised, provenance=source_provenance)


def _load(
    data: bytes,
    file_name: str,
    table: int,
    sheet: str | int | None,
    role_overrides: Mapping[str, str] | None,
    mappings: Mapping[str, Mapping[str, str]] | None,
    exclude_bad_weights: bool,
    limits: Limits,
) -> tuple[pl.DataFrame, ReadReport, RoleGuess, NormaliseReport]:
    """The normalised frame and what each step reported."""
    result = read_table(data, file_name=file_name, table=table, sheet=sheet, limits=limits)
    guess = guess_roles(result.frame)
    if role_overrides:
        guess = with_roles(guess, role_overrides)
    frame, report = normalise(result.frame, guess, mappings=mappings or {}, exclude_bad_weights=exclude_bad_weights)
    if report.bad_weight_rows:  # counting the file's lines costs a pass over the bytes: only when needed
        offset = _line_offset(data, result.report)
        if offset is not None:
            report = replace(report, bad_weight_lines=tuple(row + offset for row in report.bad_weight_rows))
    return frame, result.report, guess, report


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
# Aggregated survey tables (kind survey_table): one row per segment with a count or a share
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TableShares:
    """Each segment's share in an aggregated table, from its count column, else its share column."""

    rows: pl.DataFrame  # key (SEGMENT_KEYS order, all five), total, share (0–1), count, ci_low, ci_high
    column: str  # the column summed
    base: float | None  # Σ counts; None for shares only: the published n is unknown, so no intervals


def table_measure(dataset: Dataset) -> str | None:
    """The column an aggregated table's figures come from: its count column, else its share column."""
    return dataset.roles.column_for("count") or dataset.roles.column_for("share")


def table_shares(dataset: Dataset, level: float = 0.95) -> TableShares:
    """Segment shares of a table that already counts (or gives shares of) each segment.

    Rows of one segment are summed. With counts, share = count / Σ counts and the interval is
    `stats.share_interval` on that base; with shares only, they are rescaled to add up to 1
    (points or fractions alike) and count and intervals are null.
    """
    column = table_measure(dataset)
    if column is None or "segment" not in dataset.frame.columns:
        raise InputError(
            f"{dataset.name}: this table has no segment column with a count or share column beside it; "
            "give one numeric column the role 'count' or 'share'."
        )
    counted = column == dataset.roles.column_for("count")
    value = pl.col(column).cast(pl.Float64)
    negative = dataset.frame.filter(value < 0)
    if negative.height:
        raise InputError(
            f"{dataset.name}: column '{column}' holds a negative value ({negative[column][0]}); "
            "counts and shares cannot be negative, so correct the file."
        )
    sums = (
        dataset.frame.lazy().filter(pl.col("segment").is_not_null())
        .group_by(pl.col("segment").cast(pl.String).alias("key")).agg(value.sum().alias("total"))
        .collect()
    )
    keys = pl.DataFrame({"key": list(SEGMENT_KEYS)})
    rows = keys.join(sums, on="key", how="left", maintain_order="left").with_columns(pl.col("total").fill_null(0.0))
    base = float(rows["total"].sum())
    rows = rows.with_columns(share=pl.col("total") / base if base > 0 else pl.lit(None, pl.Float64))
    if counted and base > 0:
        from digistrat.stats import share_interval  # here: the reference page imports this module, not SciPy

        # five rows at most: one interval each
        intervals = [share_interval(p, base, level)[:2] for p in rows["share"].to_list()]
        low, high = zip(*intervals)
    else:
        low = high = [None] * rows.height
    rows = rows.with_columns(
        count=pl.col("total") if counted else pl.lit(None, pl.Float64),
        ci_low=pl.Series(low, dtype=pl.Float64),
        ci_high=pl.Series(high, dtype=pl.Float64),
    )
    return TableShares(rows=rows, column=column, base=base if counted else None)

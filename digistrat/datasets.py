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

from digistrat.normalise import NormaliseReport, normalise
from digistrat.read import Limits, ReadReport, read_table
from digistrat.roles import RoleGuess, guess_roles, with_roles

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

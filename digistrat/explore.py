"""What the segments page shows, computed in one call without Streamlit.

The page passes a dataset, the filters and the clicked segment; it gets back small frames
ready for charts and tables. Keeping this out of the UI lets tests and the benchmark time
exactly what a filter change recomputes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import polars as pl

from digistrat import stats
from digistrat.datasets import Dataset
from digistrat.query import FilterSpec, apply_filter
from digistrat.segments import SEGMENT_KEYS

MULTI_SEPARATOR = ";"
# A categorical column with more distinct values than this is an identifier or free text, not a filter.
MAX_FILTER_VALUES = 50
ORIGIN_PATTERNS = (
    ("search", re.compile(r"search|recherche|seo", re.I)),
    ("external", re.compile(r"external|externe|social|referr|lien", re.I)),
    ("direct", re.compile(r"direct", re.I)),
)


@dataclass(frozen=True)
class SurveyLayout:
    """Which columns of a survey the segments page can use, and how."""

    weight: str | None
    dimensions: tuple[str, ...]  # single-answer categorical columns
    multi: tuple[str, ...]  # multi-answer columns stored as a delimited list
    numeric: tuple[str, ...]
    origins: tuple[tuple[str, str], ...]  # (bucket key, column of each company's own share)


def survey_layout(dataset: Dataset) -> SurveyLayout:
    frame = dataset.frame
    roles = dataset.roles.roles
    dimensions, multi, numeric = [], [], []
    for column, role in roles.items():
        if column not in frame.columns or role in ("segment", "weight", "id", "ignore"):
            continue
        dtype = frame.schema[column]
        if dtype == pl.String:
            values = frame[column].drop_nulls()
            if values.str.contains(MULTI_SEPARATOR, literal=True).any():
                multi.append(column)
            elif values.n_unique() <= MAX_FILTER_VALUES:
                dimensions.append(column)
        elif dtype.is_numeric():
            numeric.append(column)
    origins = []
    for bucket, pattern in ORIGIN_PATTERNS:
        match = next((c for c in numeric if pattern.search(c) and c not in dict(origins).values()), None)
        if match:
            origins.append((bucket, match))
    weight = "weight" if "weight" in frame.columns else None
    return SurveyLayout(
        weight=weight,
        dimensions=tuple(dimensions),
        multi=tuple(multi),
        numeric=tuple(c for c in numeric if c not in dict(origins).values()),
        origins=tuple(origins) if len(origins) == len(ORIGIN_PATTERNS) else (),
    )


def filter_options(frame: pl.DataFrame, layout: SurveyLayout) -> dict[str, list[str]]:
    """The values each categorical filter offers, sorted; multi-answer options split."""
    options = {c: sorted(frame[c].drop_nulls().unique().to_list()) for c in layout.dimensions}
    for column in layout.multi:
        split = frame[column].drop_nulls().str.split(MULTI_SEPARATOR).explode().str.strip_chars()
        options[column] = sorted(split.filter(split != "").unique().to_list())
    return options


@dataclass(frozen=True)
class SegmentView:
    total_rows: int
    base_rows: int
    segments: stats.ShareTable  # segment shares on the filtered rows
    focus: str | None
    by_dimension: dict[str, stats.ShareTable]  # on the filtered rows of the focused segment
    multi: dict[str, stats.ShareTable]
    origins: pl.DataFrame | None  # bucket key, weighted mean share (points)


def segment_view(
    frame: pl.DataFrame,
    layout: SurveyLayout,
    spec: FilterSpec,
    focus: str | None = None,
    thresholds: stats.Thresholds = stats.Thresholds(),
) -> SegmentView:
    filtered = apply_filter(frame, spec).collect()
    segments = stats.share_table(filtered, "segment", layout.weight, thresholds, keys=SEGMENT_KEYS)
    focused = filtered if focus is None else filtered.filter(pl.col("segment") == focus)
    by_dimension = {
        c: stats.share_table(focused, c, layout.weight, thresholds) for c in layout.dimensions
    }
    multi = {
        c: stats.multi_response_shares(focused, c, layout.weight, MULTI_SEPARATOR, thresholds) for c in layout.multi
    }
    origins = None
    if layout.origins and focused.height:
        weight = pl.col(layout.weight) if layout.weight else pl.lit(1.0)
        means = focused.select(
            [((pl.col(col) * weight).sum() / weight.filter(pl.col(col).is_not_null()).sum()).alias(bucket)
             for bucket, col in layout.origins]
        )
        origins = means.unpivot(variable_name="key", value_name="share")
    return SegmentView(
        total_rows=frame.height,
        base_rows=filtered.height,
        segments=segments,
        focus=focus,
        by_dimension=by_dimension,
        multi=multi,
        origins=origins,
    )

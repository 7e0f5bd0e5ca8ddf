"""What the segments page shows, computed in one call without Streamlit.

The page passes a prepared survey, the filters, the clicked segment and the view choices;
it gets back small frames ready for charts and tables. Keeping this out of the UI lets
tests and the benchmark time exactly what a filter change recomputes.

Speed: `prepare` (once per dataset) gives every respondent the id of its combination of
segment and categorical answers, and sums each combination once ("the cube"). A filter on
categories then only filters the cube; a numeric range filters respondents and re-sums
them in one group_by on that integer id. Every figure is then derived from the cube
(a few thousand rows at most) by the `stats.*_from_cells` functions.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import polars as pl

from digistrat import stats
from digistrat import datasets
from digistrat.datasets import Dataset
from digistrat.errors import InputError
from digistrat.messages import message
from digistrat.query import FilterSpec
from digistrat.schema import MULTI_SEPARATOR, SurveySchema
from digistrat.segments import SEGMENT_KEYS

# A categorical column with more distinct values than this is an identifier or free text, not a filter.
BUCKETS = ("search", "external", "direct")
CELL = "_cell"
IN_SEGMENT = "_in_segment"
ALL = "all"  # key of the "all segments" row of the channel mix
HIGHER, LOWER, SAME = "higher", "lower", "same"  # verdict of a difference; None when not tested
# Cohen's (1988) conventions for Cramér's V (one degree of freedom of the smaller side):
# the word a crosstab's association is described with, from the strongest bound down.
STRENGTHS = ((0.5, "strong"), (0.3, "moderate"), (0.1, "weak"), (0.0, "negligible"))


def association_strength(cramers_v: float | None) -> str | None:
    """"strong", "moderate", "weak" or "negligible" for a Cramér's V; None without one."""
    if cramers_v is None or not math.isfinite(cramers_v):
        return None
    return next(word for bound, word in STRENGTHS if cramers_v >= bound)


def alpha(level: float) -> float:
    """The significance threshold of a confidence level (0.95 -> 0.05, without 1 − 0.95's float error)."""
    return round(1 - level, 12)


def direction(diff: float | None, p_adjusted: float | None, level: float) -> str | None:
    """HIGHER / LOWER when a difference holds at `level` after correction, SAME when it does
    not, None when it was not tested (the one rule behind every verdict the pages show)."""
    if diff is None or p_adjusted is None or not math.isfinite(p_adjusted):
        return None
    if p_adjusted < alpha(level):
        return HIGHER if diff > 0 else LOWER
    return SAME


@dataclass(frozen=True)
class SurveyLayout:
    """The survey schema as the segments page's figures use it: question names and columns."""

    weight: str | None  # the canonical weight column when figures are weighted
    dimensions: tuple[str, ...]  # single-answer questions
    multi: tuple[str, ...]  # multi-answer questions (answers joined by MULTI_SEPARATOR)
    numeric: tuple[str, ...]  # numeric answers (range filters)
    origins: tuple[tuple[str, str], ...]  # (bucket key, column of each company's own channel figure)
    origins_are_counts: bool = False  # sessions by channel rather than shares


def survey_layout(dataset: Dataset) -> SurveyLayout:
    """The layout of a survey dataset, read from its schema (nothing is decided here)."""
    schema = dataset.schema
    if not isinstance(schema, SurveySchema):
        raise InputError(message("input.not_a_survey", name=dataset.name, kind=dataset.kind))
    return SurveyLayout(
        weight=dataset.weight,
        dimensions=tuple(q.name for q in schema.single),
        multi=tuple(q.name for q in schema.multi),
        numeric=schema.scales,
        origins=schema.origins,
        origins_are_counts=schema.origins_are_counts,
    )


def filter_options(prepared: PreparedSurvey) -> dict[str, list[str]]:
    """The answers each categorical filter offers, sorted; multi-answer options split."""
    cells = prepared.cells
    options = {c: sorted(cells[c].drop_nulls().unique().to_list()) for c in prepared.layout.dimensions}
    for column in prepared.layout.multi:
        split = cells[column].drop_nulls().str.split(MULTI_SEPARATOR).explode()
        options[column] = sorted(split.unique().to_list())
    return options


def numeric_bounds(prepared: PreparedSurvey) -> dict[str, tuple[float, float]]:
    """(smallest, largest) value of each numeric column that has at least two distinct values."""
    numeric = prepared.layout.numeric
    if not numeric:
        return {}
    row = prepared.rows.select(
        [pl.col(c).min().alias(f"{c}\0min") for c in numeric]
        + [pl.col(c).max().alias(f"{c}\0max") for c in numeric]
    ).row(0, named=True)
    bounds = {c: (row[f"{c}\0min"], row[f"{c}\0max"]) for c in numeric}
    return {c: (float(lo), float(hi)) for c, (lo, hi) in bounds.items() if lo is not None and lo < hi}


@dataclass(frozen=True)
class PreparedSurvey:
    """A survey ready for fast recomputation (build it once per dataset with `prepare`)."""

    layout: SurveyLayout
    rows: pl.DataFrame  # per respondent: CELL id, weight, numeric answers, own channel shares
    cells: pl.DataFrame  # per CELL id: segment and each question's answer
    cube: pl.DataFrame  # per CELL id: sums of every respondent (no filter), joined to `cells`
    total_rows: int
    # the whole sample's design: a filter is a domain of it, as R's subset(design, ...)
    design: stats.Design
    # numeric column -> the cube per (CELL id, value of that column), where it is much smaller
    # than the respondents: a range on that column then filters this cube instead of them
    by_value: Mapping[str, pl.DataFrame] = field(default_factory=dict)


def _origin_share(bucket: str) -> str:
    return f"_origin_{bucket}"


def prepare(dataset: Dataset) -> PreparedSurvey:
    """Number each combination of segment and answers; sum every combination once.

    The respondents are `datasets.rows(dataset)`, the rows every count and export of the
    dataset start from; each question's answer is read through its schema expression.
    """
    layout = survey_layout(dataset)
    frame = datasets.rows(dataset).collect()
    if "segment" not in frame.columns:
        raise InputError(message("input.no_segment", name=dataset.name))
    answers = datasets.answer_columns(dataset)
    keys = ["segment", *layout.dimensions, *layout.multi]
    categorical = frame.select(pl.col("segment").cast(pl.String), *(answers[k] for k in keys[1:]))
    ids = categorical.select(pl.struct(keys).rank("dense").cast(pl.UInt32).alias(CELL)).to_series()
    origin_columns = [c for _, c in layout.origins]
    if layout.origins_are_counts:
        total = pl.sum_horizontal(origin_columns)
        origins = [
            pl.when(total > 0).then(100 * pl.col(c) / total).alias(_origin_share(b)) for b, c in layout.origins
        ]
    else:
        origins = [pl.col(c).cast(pl.Float64).alias(_origin_share(b)) for b, c in layout.origins]
    # the whole sample's design (weight, clusters, strata): a filter is a domain of it
    design = datasets.design(dataset)
    rows = frame.select(
        ids,
        *([pl.col(layout.weight)] if layout.weight else []),
        *(pl.col(c) for c in design.keys),
        *(pl.col(c) for c in layout.numeric),
        *origins,
    )
    cells = categorical.with_columns(ids).unique(CELL).sort(CELL)
    by_value = {}
    for column in layout.numeric:
        if rows[column].n_unique() <= MAX_CUBE_VALUES:
            cube = _cube(rows, cells, layout, design, column)
            if cube.height <= rows.height * MAX_CUBE_SHARE:
                by_value[column] = cube
    return PreparedSurvey(layout, rows, cells, _cube(rows, cells, layout, design), frame.height, design, by_value)


# A numeric column gets its own cube when it has few values (a 0-10 scale, whole percents)
# and the cube stays far smaller than the respondents.
MAX_CUBE_VALUES = 256
MAX_CUBE_SHARE = 0.25


def _cube(
    rows: pl.DataFrame | pl.LazyFrame, cells: pl.DataFrame, layout: SurveyLayout, design: stats.Design,
    value: str | None = None,
) -> pl.DataFrame:
    """Sums per CELL id (and per stratum and cluster of the design: kept apart for its variances)."""
    extra = [e for b, _ in layout.origins for e in stats.mean_sums(_origin_share(b), layout.weight, prefix=f"{b}_")]
    sums = stats.aggregate_cells(rows, [CELL, *([value] if value else [])], design, extra)
    return sums.join(cells, on=CELL, how="left")


# ---------------------------------------------------------------- the page's figures


@dataclass(frozen=True)
class Comparison:
    """Segment shares of group A against group B, or against the reference study.

    `rows` (shares and differences in points): key, share_a, n_eff_a, flag_a, share_b,
    n_eff_b, diff, ci_low, ci_high, p_value, p_adjusted, direction (higher / lower / same,
    None when not tested). Benjamini–Hochberg runs over the `n_tests` tested rows.
    """

    rows: pl.DataFrame
    against_reference: bool
    rows_a: int
    rows_b: int | None  # None for the reference study (answers unknown)
    n_eff_a: float
    n_eff_b: float
    n_tests: int


@dataclass(frozen=True)
class OriginMeans:
    """Mean of each company's own channel shares (points) per segment, and one contrast.

    `mix`: segment (a key or ALL), bucket, mean, ci_low, ci_high, n, n_eff, flag.
    `contrast` (when a pair is given): bucket, mean_a, mean_b, diff, ci_low, ci_high,
    p_value, p_adjusted, direction — Welch's t per bucket, BH over the buckets tested.
    """

    mix: pl.DataFrame
    pair: tuple[str, str] | None
    contrast: pl.DataFrame | None
    n_tests: int


@dataclass(frozen=True)
class Profile:
    """How one segment differs from all other respondents, largest differences first.

    `rows` (points): kind (category / option / channel), dimension, key, share, rest,
    diff, ci_low, ci_high, p_value, p_adjusted, direction, n_eff, rest_n_eff.
    `dimensions`: dimension, test, p_value, cramers_v (segment vs rest × the dimension),
    sorted by Cramér's V. BH runs over all `n_tests` tested rows.
    """

    segment: str
    rows: pl.DataFrame
    dimensions: pl.DataFrame
    n_tests: int


@dataclass(frozen=True)
class PageView:
    total_rows: int
    base_rows: int
    weighted: bool  # the weights vary (design effect shown)
    thresholds: stats.Thresholds
    segments: stats.ShareTable  # segment shares on the filtered rows
    focus: tuple[str, ...]  # the clicked segments; the other views follow them
    breakdown: dict[str, stats.ShareTable]  # each dimension within the focus
    multi: dict[str, stats.ShareTable]  # each multi-answer question within the focus
    crosstab_dimension: str | None
    crosstab: stats.Crosstab | None  # segment (rows) × dimension (columns)
    comparison: Comparison | None
    channels: OriginMeans | None
    profile: Profile | None

    @property
    def empty(self) -> bool:
        return self.base_rows == 0


def _roll(
    cube: pl.DataFrame, by: list[str], layout: SurveyLayout, design: stats.Design, means: bool = False
) -> pl.DataFrame:
    """The cube summed to a coarser grouping (each respondent is in exactly one cell), keeping the
    design's strata and clusters apart."""
    sums = ["count", "sum_w", "sum_w2", "bad"]
    if means:
        sums += [f"{b}_{c}" for b, _ in layout.origins for c in stats.MEAN_SUMS]
    return cube.group_by([*by, *design.keys]).agg(pl.col(sums).sum(), pl.col("w_min").min(), pl.col("w_max").max())


def filtered_cube(prepared: PreparedSurvey, spec: FilterSpec) -> pl.DataFrame:
    """The cube of the respondents that pass the filters (per CELL id, or finer: every
    figure is a roll-up of it)."""
    categorical = spec.categorical()
    if not spec.ranges:
        return prepared.cube if categorical.is_empty else prepared.cube.filter(categorical.expression())
    ranges = FilterSpec(ranges=spec.ranges).expression()
    if len(spec.ranges) == 1 and spec.ranges[0][0] in prepared.by_value:
        column = spec.ranges[0][0]
        kept = prepared.by_value[column].filter(ranges if categorical.is_empty else ranges & categorical.expression())
        return kept.drop(column)
    rows = prepared.rows.lazy()
    if not categorical.is_empty:
        kept = prepared.cells.filter(categorical.expression())[CELL]
        rows = rows.filter(pl.col(CELL).is_in(kept.implode()))
    return _cube(rows.filter(ranges), prepared.cells, prepared.layout, prepared.design)


def page_view(
    prepared: PreparedSurvey,
    spec: FilterSpec,
    *,
    focus: Sequence[str] = (),
    thresholds: stats.Thresholds = stats.Thresholds(),
    dimension: str | None = None,
    groups: tuple[FilterSpec, FilterSpec] | None = None,
    reference: pl.DataFrame | None = None,
    reference_n: float | None = None,
    profile_segment: str | None = None,
    channel_pair: tuple[str, str] | None = None,
) -> PageView:
    """Every figure of the segments page for these filters and choices.

    `focus` (the clicked segments) restricts the breakdown charts; the page shows only the
    focused rows of the other views, whose tests run on all segments. `dimension` picks
    the crosstab's columns; `groups` (categorical filters, not overlapping) are compared,
    else the filtered data is compared with `reference` (key, share in points) published
    on `reference_n` companies. The profile is of the one focused segment, else of
    `profile_segment`. An empty filter result gives empty figures, not an error.
    """
    layout = prepared.layout
    weight = prepared.design
    cube = filtered_cube(prepared, spec)
    # Segment × each question: every figure below is derived from these few small frames.
    by_segment = _roll(cube, ["segment"], layout, weight, means=True)
    per_question = {c: _roll(cube, ["segment", c], layout, weight) for c in (*layout.dimensions, *layout.multi)}
    segments = stats.share_table_from_cells(by_segment, "segment", weight, thresholds, keys=SEGMENT_KEYS)
    base_rows = segments.base_rows
    weighted = weight is not None and cube.height > 0 and cube["w_min"].min() != cube["w_max"].max()

    def focused(frame: pl.DataFrame) -> pl.DataFrame:
        return frame.filter(pl.col("segment").is_in(focus)) if focus else frame

    breakdown = {
        c: stats.share_table_from_cells(focused(per_question[c]), c, weight, thresholds) for c in layout.dimensions
    }
    multi = {
        c: stats.multi_response_from_cells(focused(per_question[c]), c, weight, MULTI_SEPARATOR, thresholds)
        for c in layout.multi
    }
    empty = base_rows == 0
    if dimension is not None and dimension not in layout.dimensions:
        raise InputError(message("input.not_a_question", question=dimension))
    crosstab_dimension = dimension or (layout.dimensions[0] if layout.dimensions else None)
    crosstab = (
        None
        if empty or crosstab_dimension is None
        else stats.crosstab_from_cells(
            per_question[crosstab_dimension], "segment", crosstab_dimension, weight, thresholds, row_keys=SEGMENT_KEYS
        )
    )
    comparison = None
    if not empty:
        if groups is not None:
            comparison = compare_groups(cube, groups, weight, thresholds)
        elif reference is not None and reference_n:
            comparison = compare_with_reference(segments, reference, reference_n, thresholds)
    profiled = focus[0] if len(focus) == 1 else profile_segment
    return PageView(
        total_rows=prepared.total_rows,
        base_rows=base_rows,
        weighted=weighted,
        thresholds=thresholds,
        segments=segments,
        focus=tuple(focus),
        breakdown=breakdown,
        multi=multi,
        crosstab_dimension=crosstab_dimension,
        crosstab=crosstab,
        comparison=comparison,
        channels=None if empty or not layout.origins else origin_means(by_segment, layout, thresholds, channel_pair),
        profile=(
            None if empty or profiled is None
            else segment_profile(by_segment, per_question, layout, weight, profiled, thresholds)
        ),
    )


# ---------------------------------------------------------------- differences


def _adjust(frame: pl.DataFrame, level: float) -> tuple[pl.DataFrame, int]:
    """Add p_adjusted (Benjamini–Hochberg over the tested rows) and direction; count the tests."""
    p = frame["p_value"].to_numpy().astype(float)
    tested = np.isfinite(p)
    adjusted = np.full(p.shape, np.nan)
    adjusted[tested] = stats.benjamini_hochberg(p[tested])
    diff = frame["diff"].to_numpy().astype(float)
    significant = tested & (adjusted < alpha(level))
    direction = np.where(
        significant, np.where(diff > 0, HIGHER, LOWER), np.where(tested, SAME, None)
    ).astype(object)
    return (
        frame.with_columns(
            pl.Series("p_adjusted", adjusted, dtype=pl.Float64, nan_to_null=True),
            pl.Series("direction", direction.tolist(), dtype=pl.String),  # a list: None may come first
        ),
        int(tested.sum()),
    )


def compare_groups(
    cube: pl.DataFrame, groups: tuple[FilterSpec, FilterSpec], design: stats.Design, thresholds: stats.Thresholds
) -> Comparison:
    """Segment shares of two groups defined by categorical filters, side by side (design-based
    when weighted, as R's svyttest on the two domains; Newcombe's interval otherwise)."""
    spec_a, spec_b = groups
    if spec_a.ranges or spec_b.ranges:
        raise InputError(message("input.groups_by_ranges"))
    if spec_a.is_empty and spec_b.is_empty:
        raise InputError(message("input.groups_same"))
    in_a, in_b = spec_a.expression(), spec_b.expression()
    overlap = cube.filter(in_a & in_b)
    if overlap.height:
        raise InputError(message("input.groups_overlap", rows=int(overlap["count"].sum())))
    cells_a, cells_b = cube.filter(in_a), cube.filter(in_b)
    differences = stats.share_differences_from_cells(cells_a, cells_b, "segment", design, thresholds, keys=SEGMENT_KEYS)
    frame, n_tests = _adjust(_in_points(differences), thresholds.level)
    table_a = stats.share_table_from_cells(cells_a, "segment", design, thresholds, keys=SEGMENT_KEYS)
    table_b = stats.share_table_from_cells(cells_b, "segment", design, thresholds, keys=SEGMENT_KEYS)
    return Comparison(frame, False, table_a.base_rows, table_b.base_rows, table_a.n_eff, table_b.n_eff, n_tests)


# Candidate groups the compare tab may open on: answers of questions with at most this many answers.
DEFAULT_GROUP_ANSWERS = 12
DEFAULT_GROUP_TESTS = 60


def telling_groups(prepared: PreparedSurvey, thresholds: stats.Thresholds = stats.Thresholds()) -> tuple[str, str] | None:
    """(question, answer) whose respondents' segment shares differ most clearly from everyone
    else's (the smallest corrected p of `compare_groups`), when one difference holds at the
    level; None when no answer stands out (the page then asks which groups to compare).

    What the compare tab opens on: on the illustrative sample, the reference study gives 0.0 on
    every row (the sample reproduces it), which says nothing."""
    cube, options = prepared.cube, filter_options(prepared)
    best: tuple[float, str, str] | None = None
    tested = 0
    for column in prepared.layout.dimensions:
        answers = options[column]
        if not 2 <= len(answers) <= DEFAULT_GROUP_ANSWERS:
            continue
        for answer in answers:
            if tested >= DEFAULT_GROUP_TESTS:
                break
            tested += 1
            groups = (FilterSpec.build(include={column: [answer]}),
                      FilterSpec.build(include={column: [a for a in answers if a != answer]}))
            rows = compare_groups(cube, groups, prepared.layout.weight, thresholds).rows
            held = rows.filter(pl.col("direction").is_in([HIGHER, LOWER]))
            if held.height:
                p = float(held["p_adjusted"].min())
                if best is None or p < best[0]:
                    best = (p, column, answer)
    return None if best is None else (best[1], best[2])


def compare_with_reference(
    segments: stats.ShareTable, reference: pl.DataFrame, reference_n: float, thresholds: stats.Thresholds
) -> Comparison:
    """Segment shares of the filtered data against published ones (points) on their stated base.

    The published study is treated as a simple random sample of `reference_n`; the article
    does not say how many answered, so its interval is at best this wide.
    """
    published = (
        pl.DataFrame({"key": segments.rows["key"]})
        .join(reference.select("key", (pl.col("share") / 100).alias("ref")), on="key", how="left", maintain_order="left")
    )["ref"].to_list()
    differences = stats.reference_differences(segments, published, float(reference_n), thresholds)
    frame, n_tests = _adjust(_in_points(differences), thresholds.level)
    return Comparison(frame, True, segments.base_rows, None, segments.n_eff, float(reference_n), n_tests)


def _in_points(differences: pl.DataFrame) -> pl.DataFrame:
    """stats' comparison rows (0–1) in points, as the page shows them."""
    return differences.with_columns(pl.col("share_a", "share_b", "diff", "ci_low", "ci_high") * 100)


# ---------------------------------------------------------------- channels by segment


def _means(sums: pl.DataFrame, layout: SurveyLayout, thresholds: stats.Thresholds, group: str) -> pl.DataFrame:
    """Long frame: group, bucket, mean, se, df, ci_low, ci_high, n, n_eff, flag (from per-group sums)."""
    parts = []
    for bucket, _ in layout.origins:
        prefix = f"{bucket}_"
        means = stats.means_from_sums(sums, thresholds, prefix=prefix)
        parts.append(
            means.select(
                pl.col(group),
                pl.lit(bucket).alias("bucket"),
                "mean", "se", "df", "ci_low", "ci_high",
                pl.col(f"{prefix}y_n").alias("n"),
                "n_eff", "flag",
            )
        )
    return pl.concat(parts)


def _sum_means(cube: pl.DataFrame, layout: SurveyLayout, by: list[pl.Expr]) -> pl.DataFrame:
    columns = [f"{b}_{c}" for b, _ in layout.origins for c in stats.MEAN_SUMS]
    return cube.group_by(by).agg(pl.col(columns).sum())


def origin_means(
    by_segment: pl.DataFrame, layout: SurveyLayout, thresholds: stats.Thresholds, pair: tuple[str, str] | None = None
) -> OriginMeans:
    """Mean own channel shares per segment (and all) with t intervals; Welch contrast of a pair.

    `by_segment`: the cube rolled up to segments, with the mean sums of each bucket.
    """
    per_segment = _sum_means(by_segment, layout, [pl.col("segment").cast(pl.String)])
    overall = _sum_means(by_segment, layout, [pl.lit(ALL).alias("segment")])
    sums = pl.concat([per_segment, overall])
    mix = _means(sums, layout, thresholds, "segment")
    order = {k: i for i, k in enumerate((*SEGMENT_KEYS, ALL))}
    mix = mix.sort(pl.col("segment").replace_strict(order, default=len(order)), pl.col("bucket").replace_strict(
        {b: i for i, b in enumerate(BUCKETS)}))
    contrast, n_tests = None, 0
    if pair is not None:
        a, b = pair
        if a == b:
            raise InputError(message("input.pair_same"))
        rows = []
        for bucket, _ in layout.origins:
            one = mix.filter((pl.col("bucket") == bucket) & (pl.col("segment") == a))
            two = mix.filter((pl.col("bucket") == bucket) & (pl.col("segment") == b))
            ma = one.row(0, named=True) if one.height else None
            mb = two.row(0, named=True) if two.height else None
            d = _welch(ma, mb, thresholds.level)
            rows.append(
                {
                    "bucket": bucket,
                    "mean_a": ma and ma["mean"],
                    "mean_b": mb and mb["mean"],
                    "diff": d and d.diff,
                    "ci_low": d and d.ci_low,
                    "ci_high": d and d.ci_high,
                    "p_value": d and d.p_value,
                }
            )
        contrast, n_tests = _adjust(pl.DataFrame(rows, schema={"bucket": pl.String, **{
            k: pl.Float64 for k in ("mean_a", "mean_b", "diff", "ci_low", "ci_high", "p_value")}}), thresholds.level)
    return OriginMeans(mix, pair, contrast, n_tests)


def _welch(a: Mapping | None, b: Mapping | None, level: float) -> stats.Difference | None:
    """Welch difference of two mean rows, or None when either lacks a mean or an interval."""
    if a is None or b is None or a["se"] is None or b["se"] is None or a["df"] < 1 or b["df"] < 1:
        return None
    d = stats.mean_difference(a["mean"], a["se"], a["df"], b["mean"], b["se"], b["df"], level)
    return None if not math.isfinite(d.z) else d


# ---------------------------------------------------------------- profile of one segment


def segment_profile(
    by_segment: pl.DataFrame,
    per_question: Mapping[str, pl.DataFrame],
    layout: SurveyLayout,
    design: stats.Design,
    segment: str,
    thresholds: stats.Thresholds,
) -> Profile:
    """The segment against all other (filtered) respondents on every question.

    `by_segment` and `per_question` are the cube rolled up to segment (with mean sums) and
    to segment × each categorical or multi-answer question. Each answer's difference is
    `stats.share_differences_from_cells` between the segment and the rest (design-based when
    weighted), each question's test `stats.crosstab_from_cells` of segment-or-rest × answer.
    """
    if segment not in SEGMENT_KEYS:
        raise InputError(message("input.unknown_segment", segment=segment, segments=list(SEGMENT_KEYS)))
    inside = pl.col("segment").cast(pl.String) == segment
    parts: list[pl.DataFrame] = []
    dimension_rows = []
    for kind, questions in (("category", layout.dimensions), ("option", layout.multi)):
        for question in questions:
            rolled = per_question[question]
            differences = stats.share_differences_from_cells(
                rolled.filter(inside), rolled.filter(~inside), question, design, thresholds,
                separator=MULTI_SEPARATOR if kind == "option" else None)
            parts.append(_profile_rows(kind, question, differences))
            if kind == "category":
                sides = rolled.with_columns(pl.when(inside).then(pl.lit("in")).otherwise(pl.lit("out")).alias(IN_SEGMENT))
                test = stats.crosstab_from_cells(sides, IN_SEGMENT, question, design, thresholds)
                dimension_rows.append((question, test.test, test.p_value, test.cramers_v))
    if layout.origins:
        side = pl.when(pl.col("segment") == segment).then(pl.lit("in")).otherwise(pl.lit("out")).alias(IN_SEGMENT)
        sums = _sum_means(by_segment.with_columns(side), layout, [pl.col(IN_SEGMENT)])
        sides = sums[IN_SEGMENT].to_list()
        channel_rows = []
        for bucket, _ in layout.origins:
            means = stats.means_from_sums(sums, thresholds, prefix=f"{bucket}_")
            by_side = {
                name: {"mean": row["mean"], "se": row["se"], "df": row["df"], "n_eff": row["n_eff"]}
                for name, row in zip(sides, means.select("mean", "se", "df", "n_eff").iter_rows(named=True))
            }
            a, b = by_side.get("in"), by_side.get("out")
            d = _welch(a, b, thresholds.level)
            channel_rows.append({
                "kind": "channel", "dimension": "channels", "key": bucket,
                "share": a and a["mean"], "rest": b and b["mean"],
                "diff": d and d.diff, "ci_low": d and d.ci_low, "ci_high": d and d.ci_high,
                "p_value": d and d.p_value, "n_eff": a["n_eff"] if a else 0.0, "rest_n_eff": b["n_eff"] if b else 0.0,
            })
        parts.append(pl.DataFrame(channel_rows, schema=PROFILE_SCHEMA))
    rows = pl.concat(parts) if parts else pl.DataFrame(schema=PROFILE_SCHEMA)
    rows, n_tests = _adjust(rows, thresholds.level)
    rows = rows.sort(pl.col("diff").abs(), descending=True, nulls_last=True)
    dimensions = pl.DataFrame(
        dimension_rows,
        schema={"dimension": pl.String, "test": pl.String, "p_value": pl.Float64, "cramers_v": pl.Float64},
        orient="row",
    ).sort("cramers_v", descending=True, nulls_last=True)
    return Profile(segment, rows, dimensions, n_tests)


PROFILE_SCHEMA: dict[str, pl.DataType] = {
    "kind": pl.String(),
    "dimension": pl.String(),
    "key": pl.String(),
    "share": pl.Float64(),
    "rest": pl.Float64(),
    "diff": pl.Float64(),
    "ci_low": pl.Float64(),
    "ci_high": pl.Float64(),
    "p_value": pl.Float64(),
    "n_eff": pl.Float64(),
    "rest_n_eff": pl.Float64(),
}


def _profile_rows(kind: str, question: str, differences: pl.DataFrame) -> pl.DataFrame:
    """Profile rows of one question (points) from the segment-minus-rest comparison rows."""
    return differences.select(
        pl.lit(kind).alias("kind"),
        pl.lit(question).alias("dimension"),
        pl.col("key").cast(pl.String),
        (pl.col("share_a") * 100).alias("share"),
        (pl.col("share_b") * 100).alias("rest"),
        *(pl.col(c) * 100 for c in ("diff", "ci_low", "ci_high")),
        "p_value",
        pl.col("n_eff_a").alias("n_eff"),
        pl.col("n_eff_b").alias("rest_n_eff"),
    ).cast(PROFILE_SCHEMA)

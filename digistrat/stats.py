"""Survey statistics: weighted shares, intervals, differences and crosstab tests.

Every share here is a proportion between 0 and 1 (callers turn it into percent).

Weights: a share is p = Σw·y / Σw and its precision comes from Kish's effective base
n_eff = (Σw)² / Σw² (Kish 1965, *Survey Sampling* §11.7); the design effect is n / n_eff.
A weight column whose values are all equal is treated exactly like no weights.

Bases: every figure is compared with `Thresholds` on its effective base (the row count
when unweighted): below `min_base` the share is suppressed (null), below `low_base` it is
flagged "low". Intervals are Wilson score intervals, or Clopper–Pearson ones when the
base is small (n_eff < `small_base`) or the rarer outcome has fewer than `small_count`
effective respondents, where Wilson's coverage is least reliable (Brown, Cai & DasGupta
2001) and the exact interval is the conservative choice.

Heavy work is one polars group_by per call (count, Σw, Σw² per cell); the statistics then
run on frames of a few dozen rows.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from functools import lru_cache
from dataclasses import dataclass

import numpy as np
import polars as pl
import scipy.special as sc
from scipy import stats as sps
from scipy.stats.contingency import association

from digistrat.errors import InputError

WILSON = "wilson"
CLOPPER_PEARSON = "clopper_pearson"
NEWCOMBE = "newcombe_hybrid_score"
FLAG_OK, FLAG_LOW, FLAG_SUPPRESSED = "ok", "low", "suppressed"
TEST_PEARSON, TEST_RAO_SCOTT, TEST_FISHER = "pearson", "rao_scott", "fisher"
SMALL_EXPECTED = 5  # expected count under which χ² is doubtful (Fisher for 2×2; Cochran's rule)

SHARE_SCHEMA: dict[str, pl.DataType] = {
    "key": pl.String(),
    "count": pl.Int64(),
    "sum_w": pl.Float64(),
    "sum_w2": pl.Float64(),
    "share": pl.Float64(),
    "n_eff": pl.Float64(),
    "ci_low": pl.Float64(),
    "ci_high": pl.Float64(),
    "method": pl.String(),
    "flag": pl.String(),
}
CELL_SCHEMA: dict[str, pl.DataType] = {
    "row": pl.String(),
    "column": pl.String(),
    "count": pl.Int64(),
    "sum_w": pl.Float64(),
    "column_share": pl.Float64(),
    "ci_low": pl.Float64(),
    "ci_high": pl.Float64(),
    "method": pl.String(),
    "flag": pl.String(),
    "rest_share": pl.Float64(),
    "z": pl.Float64(),
    "p_value": pl.Float64(),
    "p_adjusted": pl.Float64(),
    "direction": pl.String(),
}
COLUMN_BASE_SCHEMA: dict[str, pl.DataType] = {
    "column": pl.String(),
    "count": pl.Int64(),
    "sum_w": pl.Float64(),
    "n_eff": pl.Float64(),
    "flag": pl.String(),
}


@dataclass(frozen=True)
class Thresholds:
    """Base sizes (effective respondents) that decide suppression, flags and interval method."""

    min_base: float = 10
    low_base: float = 30
    small_base: float = 30
    small_count: float = 5
    level: float = 0.95

    def __post_init__(self) -> None:
        if not 0 < self.level < 1:
            raise InputError(f"The confidence level {self.level} must be between 0 and 1 (e.g. 0.95).")
        if min(self.min_base, self.low_base, self.small_base, self.small_count) < 0:
            raise InputError("Base thresholds cannot be negative; use 0 to switch a rule off.")
        if self.min_base > self.low_base:
            raise InputError(
                f"The minimum base ({self.min_base}) is above the low-base warning ({self.low_base}); "
                "lower the minimum or raise the warning threshold."
            )


@dataclass(frozen=True)
class ShareTable:
    """Shares of one question plus the figures of its whole base."""

    rows: pl.DataFrame  # columns of SHARE_SCHEMA
    base_rows: int  # respondents in the base (non-null answers)
    sum_w: float
    n_eff: float
    deff: float | None  # n / n_eff; None on an empty base
    weighted: bool
    level: float
    n_missing: int  # rows left out because the answer is null


@dataclass(frozen=True)
class Difference:
    """p1 − p2 (or p − reference) with its interval and z-test."""

    diff: float
    ci_low: float
    ci_high: float
    z: float
    p_value: float
    method: str
    level: float


@dataclass(frozen=True)
class Crosstab:
    """Row categories distributed within each column, with tests.

    `cells.column_share` is the share of the row category among the column's respondents;
    `rest_share` the same share among all other columns. `z`/`p_value` compare the two
    (pooled z on effective bases), `p_adjusted` is Benjamini–Hochberg over all `n_tests`
    tests that ran. `statistic` is the χ² statistic (Rao–Scott corrected when weighted);
    `p_value` comes from the test named in `test`.
    """

    cells: pl.DataFrame  # columns of CELL_SCHEMA
    column_bases: pl.DataFrame  # columns of COLUMN_BASE_SCHEMA
    test: str | None  # "pearson" | "rao_scott" | "fisher"; None when fewer than 2×2 non-empty
    statistic: float | None
    dof: int
    p_value: float | None
    cramers_v: float | None
    n_tests: int
    mean_deff: float | None  # Rao–Scott mean generalised design effect
    sparse: bool  # more than 20 % of expected counts below 5 (Cochran's rule)
    base_rows: int
    n_missing: int
    weighted: bool
    level: float


# ---------------------------------------------------------------- intervals and tests


@lru_cache(maxsize=16)
def _z_quantile(level: float) -> float:
    if not 0 < level < 1:
        raise InputError(f"The confidence level {level} must be between 0 and 1 (e.g. 0.95).")
    # scipy.special's ufuncs are what scipy.stats' distributions call, without their per-call checks
    return float(sc.ndtri(0.5 + level / 2))


def _wilson(p: np.ndarray, n: np.ndarray, z: float) -> tuple[np.ndarray, np.ndarray]:
    # Written out because scipy's binomtest needs integer counts and n_eff is rarely one.
    z2n = z * z / n
    centre = (p + z2n / 2) / (1 + z2n)
    half = z / (1 + z2n) * np.sqrt(p * (1 - p) / n + z2n / (4 * n))
    return centre - half, centre + half


def _clopper_pearson(p: np.ndarray, n: np.ndarray, level: float) -> tuple[np.ndarray, np.ndarray]:
    # Beta quantiles accept the non-integer count x = p·n_eff.
    alpha = 1 - level
    x = p * n
    with np.errstate(invalid="ignore", divide="ignore"):
        low = np.where(p > 0, sc.betaincinv(x, n - x + 1, alpha / 2), 0.0)
        high = np.where(p < 1, sc.betaincinv(x + 1, n - x, 1 - alpha / 2), 1.0)
    return low, high


def _intervals(
    p: np.ndarray,
    n: np.ndarray,
    level: float,
    small_base: float,
    small_count: float,
    method: str | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Vectorised share intervals; entries with n <= 0 or p NaN come back NaN."""
    p = np.asarray(p, dtype=float)
    n = np.asarray(n, dtype=float)
    valid = (n > 0) & np.isfinite(p)
    p_safe = np.where(valid, p, 0.5)
    n_safe = np.where(valid, n, 1.0)
    if method is None:
        rarer = np.minimum(p_safe, 1 - p_safe) * n_safe
        exact = (n_safe < small_base) | (rarer < small_count)
    elif method in (WILSON, CLOPPER_PEARSON):
        exact = np.full(p_safe.shape, method == CLOPPER_PEARSON)
    else:
        raise InputError(f"Unknown interval method {method!r}; use 'wilson' or 'clopper_pearson'.")
    w_low, w_high = _wilson(p_safe, n_safe, _z_quantile(level))
    cp_low, cp_high = _clopper_pearson(p_safe, n_safe, level) if exact.any() else (w_low, w_high)
    # Clip rounding noise so that 0 <= low <= p <= high <= 1 always holds.
    low = np.clip(np.minimum(np.where(exact, cp_low, w_low), p_safe), 0.0, 1.0)
    high = np.clip(np.maximum(np.where(exact, cp_high, w_high), p_safe), 0.0, 1.0)
    methods = np.where(exact, CLOPPER_PEARSON, WILSON).astype(object)
    low[~valid] = np.nan
    high[~valid] = np.nan
    methods[~valid] = None
    return low, high, methods


def _check_share(p: float, n: float, what: str) -> None:
    if not (math.isfinite(p) and 0 <= p <= 1):
        raise InputError(f"The {what} share {p} must be a proportion between 0 and 1.")
    if not (math.isfinite(n) and n > 0):
        raise InputError(f"The {what} base {n} must be a positive number of respondents.")


def share_interval(
    p: float,
    n_eff: float,
    level: float = 0.95,
    small_base: float = Thresholds.small_base,
    small_count: float = Thresholds.small_count,
    method: str | None = None,
) -> tuple[float, float, str]:
    """(low, high, method) for share p on effective base n_eff; method is chosen unless given."""
    _check_share(p, n_eff, "")
    low, high, methods = _intervals(np.array([p]), np.array([n_eff]), level, small_base, small_count, method)
    return float(low[0]), float(high[0]), str(methods[0])


def _pooled_z(p1: np.ndarray, n1: np.ndarray, p2: np.ndarray, n2: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    pooled = (n1 * p1 + n2 * p2) / (n1 + n2)
    se = np.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
    with np.errstate(invalid="ignore", divide="ignore"):
        z = np.where(se > 0, (p1 - p2) / np.where(se > 0, se, 1.0), 0.0)
    return z, 2 * sc.ndtr(-np.abs(z))


def _newcombe(
    p1: np.ndarray, n1: np.ndarray, p2: np.ndarray, n2: np.ndarray, level: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(d, low, high, z, p) of p1 − p2, vectorised; inputs must be valid shares and bases."""
    z_q = _z_quantile(level)
    l1, u1 = _wilson(p1, n1, z_q)
    l2, u2 = _wilson(p2, n2, z_q)
    d = p1 - p2
    low = np.maximum(d - np.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2), -1.0)
    high = np.minimum(d + np.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2), 1.0)
    z, p_value = _pooled_z(p1, n1, p2, n2)
    return d, low, high, z, p_value


def difference(p1: float, n1: float, p2: float, n2: float, level: float = 0.95) -> Difference:
    """p1 − p2 with Newcombe's hybrid score interval (1998, method 10) and a pooled z-test.

    n1 and n2 are effective bases; to compare with a published study pass its stated n.
    """
    _check_share(p1, n1, "first")
    _check_share(p2, n2, "second")
    d, low, high, z, p_value = (float(v[0]) for v in _newcombe(*(np.array([v], dtype=float) for v in (p1, n1, p2, n2)), level))
    return Difference(d, low, high, z, p_value, NEWCOMBE, level)


DIFFERENCE_SCHEMA: dict[str, pl.DataType] = {
    "diff": pl.Float64(), "ci_low": pl.Float64(), "ci_high": pl.Float64(), "z": pl.Float64(), "p_value": pl.Float64(),
}


def differences(
    p1: Sequence[float | None] | np.ndarray,
    n1: Sequence[float] | np.ndarray,
    p2: Sequence[float | None] | np.ndarray,
    n2: Sequence[float] | np.ndarray,
    level: float = 0.95,
    min_base: float = 0.0,
) -> pl.DataFrame:
    """`difference` row by row (DIFFERENCE_SCHEMA); null where a share is missing, a base is
    not positive or below `min_base` (suppressed figures are not tested), or both shares are
    0 or both 1."""
    arrays = [np.array([np.nan if v is None else v for v in a], dtype=float) for a in (p1, n1, p2, n2)]
    a1, b1, a2, b2 = arrays
    valid = np.isfinite(a1) & np.isfinite(a2) & (b1 > 0) & (b2 > 0) & (b1 >= min_base) & (b2 >= min_base)
    # 0 % against 0 % (or 100 % against 100 %) leaves nothing to test.
    valid &= ~((a1 == a2) & ((a1 == 0) | (a1 == 1)))
    safe = [np.where(valid, a, fill) for a, fill in zip(arrays, (0.5, 1.0, 0.5, 1.0))]
    columns = _newcombe(*safe, level)
    return pl.DataFrame(
        {name: np.where(valid, values, np.nan) for name, values in zip(DIFFERENCE_SCHEMA, columns)},
        schema=DIFFERENCE_SCHEMA,
        nan_to_null=True,
    )


def versus_reference(
    p: float, n_eff: float, reference_p: float, level: float = 0.95, small_base: float = Thresholds.small_base
) -> Difference:
    """p − reference_p where the reference is a fixed, known share (no sampling error).

    The interval is the share's own interval shifted by the reference; z is the one-sample
    score test z = (p − p0) / √(p0(1 − p0) / n_eff), whose inversion is the Wilson interval.
    """
    _check_share(p, n_eff, "")
    if not 0 < reference_p < 1:
        raise InputError(f"The reference share {reference_p} must be strictly between 0 and 1.")
    low, high, method = share_interval(p, n_eff, level, small_base)
    z = (p - reference_p) / math.sqrt(reference_p * (1 - reference_p) / n_eff)
    return Difference(
        p - reference_p, low - reference_p, high - reference_p, z, float(2 * sc.ndtr(-abs(z))), method, level
    )


def benjamini_hochberg(p_values: Sequence[float] | np.ndarray) -> np.ndarray:
    """Benjamini–Hochberg (1995) adjusted p-values, in the order given."""
    values = np.asarray(p_values, dtype=float)
    if values.size == 0:
        return values
    return np.asarray(sps.false_discovery_control(values, method="bh"))


# ---------------------------------------------------------------- aggregation helpers


def _lazy(frame: pl.LazyFrame | pl.DataFrame) -> pl.LazyFrame:
    if isinstance(frame, pl.DataFrame):
        return frame.lazy()
    if isinstance(frame, pl.LazyFrame):
        return frame
    raise InputError(f"Expected a table of respondents, got {type(frame).__name__}.")


def _require(schema: pl.Schema, columns: Sequence[str]) -> None:
    missing = [c for c in columns if c not in schema]
    if missing:
        raise InputError(
            f"Column(s) {', '.join(repr(c) for c in missing)} not found; "
            f"available columns are {', '.join(schema.names())}."
        )


def _weight_aggs(schema: pl.Schema, weight: str | None) -> list[pl.Expr]:
    """count, sum_w, sum_w2, w_min, w_max and bad (unusable weights) for one group."""
    count = pl.len().cast(pl.Int64).alias("count")
    if weight is None:
        return [
            count,
            pl.len().cast(pl.Float64).alias("sum_w"),
            pl.len().cast(pl.Float64).alias("sum_w2"),
            pl.lit(1.0).alias("w_min"),
            pl.lit(1.0).alias("w_max"),
            pl.lit(0, dtype=pl.Int64).alias("bad"),
        ]
    if not schema[weight].is_numeric():
        raise InputError(
            f"The weight column {weight!r} holds {schema[weight]} values, not numbers; "
            "choose a numeric weight column or none."
        )
    w = pl.col(weight).cast(pl.Float64)
    usable = w.is_finite() & (w > 0)
    return [
        count,
        w.sum().alias("sum_w"),
        (w * w).sum().alias("sum_w2"),
        w.min().alias("w_min"),
        w.max().alias("w_max"),
        usable.not_().fill_null(True).sum().cast(pl.Int64).alias("bad"),
    ]


WEIGHT_SUMS = ("count", "sum_w", "sum_w2", "w_min", "w_max", "bad")


def aggregate_cells(
    lf: pl.LazyFrame | pl.DataFrame,
    by: Sequence[str],
    weight: str | None = None,
    extra: Sequence[pl.Expr] = (),
) -> pl.DataFrame:
    """One group_by over respondents: per cell of `by`, the WEIGHT_SUMS (count, Σw, Σw²,
    smallest and largest weight, unusable weights) plus any `extra` aggregations.

    Every `*_from_cells` function takes such cells, or a finer grouping of them, so a page
    can aggregate once and derive all its figures from a small frame.
    """
    lf = _lazy(lf)
    schema = lf.collect_schema()
    _require(schema, list(by) + ([weight] if weight else []))
    return lf.group_by(list(by)).agg([*_weight_aggs(schema, weight), *extra]).collect()


def _roll_up(cells: pl.DataFrame, by: Sequence[pl.Expr]) -> pl.DataFrame:
    """Cells summed to a coarser grouping (each respondent is in exactly one cell)."""
    _require(cells.schema, WEIGHT_SUMS)
    return cells.group_by(by).agg(
        pl.col("count").sum(), pl.col("sum_w").sum(), pl.col("sum_w2").sum(),
        pl.col("w_min").min(), pl.col("w_max").max(), pl.col("bad").sum(),
    )


def _check_weights(agg: pl.DataFrame, weight: str | None) -> None:
    bad = int(agg["bad"].sum()) if agg.height else 0
    if bad:
        raise InputError(
            f"The weight column {weight!r} has {bad} row(s) with a missing, zero, negative or "
            "non-finite weight; give every respondent a positive weight or remove those rows."
        )


def _is_weighted(agg: pl.DataFrame, weight: str | None) -> bool:
    """True when weights change anything, i.e. they are not all equal."""
    if weight is None or agg.height == 0:
        return False
    return bool(agg["w_min"].min() != agg["w_max"].max())


def _flags(n_eff: np.ndarray, thresholds: Thresholds) -> np.ndarray:
    n_eff = np.asarray(n_eff, dtype=float)
    return np.where(
        (n_eff < thresholds.min_base) | (n_eff <= 0),
        FLAG_SUPPRESSED,
        np.where(n_eff < thresholds.low_base, FLAG_LOW, FLAG_OK),
    ).astype(object)


def _order_keys(observed: pl.DataFrame, keys: Sequence[str] | None, name: str) -> pl.DataFrame:
    """Given keys first (in that order, zero rows where absent), then other observed keys by weight."""
    # numpy on these few rows: polars' per-call overhead would dominate a filter change
    observed = observed.select(name, pl.exclude(name))
    by_weight = observed[np.lexsort((observed[name].to_numpy().astype(str), -observed["sum_w"].to_numpy()))]
    if keys is None:
        return by_weight
    keys = [str(k) for k in keys]
    if len(set(keys)) != len(keys):
        raise InputError(f"The list of categories for {name!r} repeats a value; give each category once.")
    position = {key: i for i, key in enumerate(by_weight[name].to_list())}
    missing = [k for k in keys if k not in position]
    if missing:
        zeros = {"count": 0, "sum_w": 0.0, "sum_w2": 0.0}
        by_weight = pl.concat([by_weight, pl.DataFrame(
            {c: [zeros.get(c) if c != name else k for k in missing] for c in by_weight.columns},
            schema=by_weight.schema,
        )])
        first = len(position)
        position.update((k, first + i) for i, k in enumerate(missing))
    given = set(keys)
    return by_weight[[position[k] for k in keys] + [i for k, i in position.items() if k not in given]]


def _share_rows(
    cells: pl.DataFrame, base_n: int, base_w: float, n_eff: float, weighted: bool, thresholds: Thresholds
) -> pl.DataFrame:
    """Shares of each key on one common base."""
    counts = cells["count"].to_numpy().astype(float)
    if weighted:
        shares = cells["sum_w"].to_numpy() / base_w if base_w > 0 else np.full(cells.height, np.nan)
    else:
        shares = counts / base_n if base_n > 0 else np.full(cells.height, np.nan)
    n_col = np.full(cells.height, n_eff)
    flags = _flags(n_col, thresholds)
    low, high, methods = _intervals(shares, n_col, thresholds.level, thresholds.small_base, thresholds.small_count)
    shown = flags != FLAG_SUPPRESSED
    return pl.DataFrame(
        {
            "key": cells["key"],
            "count": cells["count"],
            "sum_w": cells["sum_w"],
            "sum_w2": cells["sum_w2"],
            "share": np.where(shown, shares, np.nan),
            "n_eff": n_col,
            "ci_low": np.where(shown, low, np.nan),
            "ci_high": np.where(shown, high, np.nan),
            # lists: polars cannot type an object array whose first value is None
            "method": np.where(shown, methods, None).tolist(),
            "flag": flags.tolist(),
        },
        schema=SHARE_SCHEMA,
        nan_to_null=True,
    )


def _base_figures(n: int, sum_w: float, sum_w2: float, weighted: bool) -> tuple[float, float | None]:
    """(n_eff, deff) of a base."""
    if n == 0:
        return 0.0, None
    n_eff = sum_w**2 / sum_w2 if weighted else float(n)
    return n_eff, n / n_eff


# ---------------------------------------------------------------- public aggregations


def effective_base(weights: pl.Series | None, n: int | None = None) -> float:
    """Kish's effective base (Σw)² / Σw²; without weights, n itself."""
    if weights is None:
        if n is None or n < 0:
            raise InputError("Give either the weights or the number of respondents to compute a base.")
        return float(n)
    name = weights.name or "weights"
    frame = pl.DataFrame({name: weights})
    agg = frame.select(_weight_aggs(frame.schema, name))
    _check_weights(agg, name)
    if frame.height == 0:
        return 0.0
    if not _is_weighted(agg, name):
        return float(frame.height)
    return float(agg["sum_w"][0] ** 2 / agg["sum_w2"][0])


def share_table(
    lf: pl.LazyFrame | pl.DataFrame,
    by: str,
    weight: str | None = None,
    thresholds: Thresholds = Thresholds(),
    keys: Sequence[str] | None = None,
) -> ShareTable:
    """Share of respondents in each category of `by`; nulls in `by` are left out of the base.

    Rows follow `keys` when given (absent ones with count 0, unexpected ones appended),
    otherwise descending weight. An empty input gives an empty table, not an error.
    """
    return share_table_from_cells(aggregate_cells(lf, [by], weight), by, weight, thresholds, keys)


def share_table_from_cells(
    cells: pl.DataFrame,
    by: str,
    weight: str | None = None,
    thresholds: Thresholds = Thresholds(),
    keys: Sequence[str] | None = None,
) -> ShareTable:
    """`share_table` on cells already aggregated by `aggregate_cells` (any finer grouping)."""
    _require(cells.schema, [by])
    agg = _roll_up(cells, [pl.col(by).cast(pl.String).alias("key")])
    _check_weights(agg, weight)
    answered = agg.filter(pl.col("key").is_not_null())
    options = answered.select("key", "count", "sum_w", "sum_w2")
    n_missing = int(agg.filter(pl.col("key").is_null())["count"].sum())
    return _table_of(options, answered, n_missing, weight, thresholds, keys)


def weighted_shares(
    lf: pl.LazyFrame | pl.DataFrame,
    by: str,
    weight: str | None = None,
    thresholds: Thresholds = Thresholds(),
    keys: Sequence[str] | None = None,
) -> pl.DataFrame:
    """The rows of `share_table` (key, count, sum_w, sum_w2, share, n_eff, ci_low, ci_high, method, flag)."""
    return share_table(lf, by, weight, thresholds, keys).rows


def multi_response_shares(
    lf: pl.LazyFrame | pl.DataFrame,
    column: str | Sequence[str],
    weight: str | None = None,
    separator: str = ";",
    thresholds: Thresholds = Thresholds(),
    keys: Sequence[str] | None = None,
) -> ShareTable:
    """Share of respondents choosing each option of a multi-select question.

    `column` is either one text column of delimited choices ("Hootsuite;Salesforce") or a
    list of 0/1 (or boolean) columns, one per option (the option key is the column name).
    The base is the respondents who answered (a non-blank text, or any non-null option
    column), not the number of mentions, so shares need not sum to 1.
    """
    lf = _lazy(lf)
    schema = lf.collect_schema()
    columns = [column] if isinstance(column, str) else list(column)
    if not columns:
        raise InputError("Name the multi-select question's column, or its option columns.")
    _require(schema, columns + ([weight] if weight else []))
    if isinstance(column, str):
        return multi_response_from_cells(aggregate_cells(lf, [column], weight), column, weight, separator, thresholds, keys)
    options, base = _indicator_options(lf, schema, columns, weight)
    return _multi_table(options, base, weight, thresholds, keys)


def multi_response_from_cells(
    cells: pl.DataFrame,
    column: str,
    weight: str | None = None,
    separator: str = ";",
    thresholds: Thresholds = Thresholds(),
    keys: Sequence[str] | None = None,
) -> ShareTable:
    """`multi_response_shares` of a delimited text column, on cells from `aggregate_cells`."""
    _require(cells.schema, [column])
    options, base = _delimited_options(cells, column, weight, separator)
    return _multi_table(options, base, weight, thresholds, keys)


def _multi_table(
    options: pl.DataFrame,
    base: pl.DataFrame,
    weight: str | None,
    thresholds: Thresholds,
    keys: Sequence[str] | None,
) -> ShareTable:
    n_missing = int(base.filter(~pl.col("answered"))["count"].sum())
    return _table_of(options, base.filter(pl.col("answered")), n_missing, weight, thresholds, keys)


def _table_of(
    options: pl.DataFrame,
    answered: pl.DataFrame,
    n_missing: int,
    weight: str | None,
    thresholds: Thresholds,
    keys: Sequence[str] | None,
) -> ShareTable:
    """A ShareTable from per-key sums (`options`) and the sums of the rows that answered (the base)."""
    base_n = int(answered["count"].sum())
    base_w = float(answered["sum_w"].sum())
    weighted = _is_weighted(answered, weight)
    n_eff, deff = _base_figures(base_n, base_w, float(answered["sum_w2"].sum()), weighted)
    cells = _order_keys(options, keys, "key")
    return ShareTable(
        rows=_share_rows(cells, base_n, base_w, n_eff, weighted, thresholds),
        base_rows=base_n,
        sum_w=base_w,
        n_eff=n_eff,
        deff=deff,
        weighted=weight is not None,
        level=thresholds.level,
        n_missing=n_missing,
    )


def _delimited_options(
    cells: pl.DataFrame, column: str, weight: str | None, separator: str
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(per-option count/Σw/Σw², per-answered-status base) of a delimited text column."""
    schema = cells.schema
    if schema[column] not in (pl.String, pl.Categorical) and not isinstance(schema[column], pl.Enum):
        raise InputError(
            f"The column {column!r} holds {schema[column]} values; a multi-select column must be text "
            f"like 'Hootsuite{separator}Salesforce', or give one 0/1 column per option."
        )
    # Aggregate per distinct answer text first: a panel has few distinct combinations.
    texts = _roll_up(cells, [pl.col(column).cast(pl.String).str.strip_chars().alias("text")]).with_columns(
        answered=pl.col("text").is_not_null() & (pl.col("text") != "")
    )
    choices = (
        texts.filter(pl.col("answered"))
        .with_columns(
            pl.col("text").str.split(separator).list.eval(pl.element().str.strip_chars()).list.unique().alias("key")
        )
        .explode("key")
        .filter(pl.col("key") != "")
        .group_by("key")
        .agg(pl.col("count").sum(), pl.col("sum_w").sum(), pl.col("sum_w2").sum())
    )
    _check_weights(texts, weight)
    return choices, texts


def _indicator_options(
    lf: pl.LazyFrame, schema: pl.Schema, columns: list[str], weight: str | None
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(per-option count/Σw/Σw², per-answered-status base) of 0/1 option columns."""
    not_indicator = [c for c in columns if not (schema[c].is_numeric() or schema[c] == pl.Boolean)]
    if not_indicator:
        raise InputError(
            f"Option column(s) {', '.join(not_indicator)} are not 0/1 numbers; "
            "code each option as 1 (chosen), 0 (not chosen) or empty."
        )
    answered = pl.any_horizontal([pl.col(c).is_not_null() for c in columns]).alias("answered")
    w = pl.col(weight).cast(pl.Float64) if weight else pl.lit(1.0)
    aggs: list[pl.Expr] = [
        pl.sum_horizontal([(~pl.col(c).cast(pl.Float64).is_in([0.0, 1.0])).sum() for c in columns]).alias("invalid")
    ]
    for i, c in enumerate(columns):
        chosen = pl.col(c).cast(pl.Float64).fill_null(0.0) == 1.0
        aggs += [
            chosen.sum().cast(pl.Int64).alias(f"count_{i}"),
            (w * chosen).sum().alias(f"sum_w_{i}"),
            (w * w * chosen).sum().alias(f"sum_w2_{i}"),
        ]
    # One pass: unanswered rows have every option null, so they add nothing to the option sums.
    base = lf.group_by(answered).agg(_weight_aggs(schema, weight) + aggs).collect()
    sums = base.sum()
    _check_weights(base, weight)
    invalid = int(sums["invalid"][0] or 0)
    if invalid:
        raise InputError(
            f"{invalid} value(s) in the option columns {', '.join(columns)} are neither 0 nor 1; "
            "code each option as 1 (chosen), 0 (not chosen) or empty (not asked)."
        )
    options = pl.DataFrame(
        {
            "key": columns,
            "count": [int(sums[f"count_{i}"][0] or 0) for i in range(len(columns))],
            "sum_w": [float(sums[f"sum_w_{i}"][0] or 0.0) for i in range(len(columns))],
            "sum_w2": [float(sums[f"sum_w2_{i}"][0] or 0.0) for i in range(len(columns))],
        },
        schema={"key": pl.String, "count": pl.Int64, "sum_w": pl.Float64, "sum_w2": pl.Float64},
    )
    return options, base


# ---------------------------------------------------------------- crosstab


def _rao_scott_mean_deff(sum_w: np.ndarray, sum_w2: np.ndarray, n: int) -> float:
    """Mean generalised design effect δ̄ of an r×c table of weighted counts.

    Approximation: the only design feature is the weights, every respondent is its own
    sampling unit, and the covariance of the cell proportions is the with-replacement
    linearisation n/(n−1)·Σ_k z_k z_kᵀ with z_k = w_k(y_k − p)/Σw — what R's
    svychisq(statistic = "Chisq") computes for svydesign(ids = ~1, weights = ~w). Then
    δ̄ = trace(Δ)/((r−1)(c−1)), Δ = (CᵀD⁻¹C/n)⁻¹ CᵀD⁻¹VD⁻¹C over the interaction contrasts C
    (Rao & Scott 1984, Annals of Statistics 12:46–60, §4).
    """
    r, c = sum_w.shape
    w_vec = sum_w.ravel()
    s_vec = sum_w2.ravel()
    total_w = w_vec.sum()
    p = w_vec / total_w
    # Σ_k w_k²(y_ka − p_a)(y_kb − p_b), from per-cell Σw² because each respondent is in one cell.
    cross = np.diag(s_vec) - np.outer(s_vec, p) - np.outer(p, s_vec) + s_vec.sum() * np.outer(p, p)
    v = n / (n - 1) * cross / total_w**2
    inv_d = np.diag(np.where(p > 0, 1 / np.where(p > 0, p, 1.0), 0.0))
    # Basis of the contrasts orthogonal to row and column effects: e_ij − e_ic − e_rj + e_rc.
    contrasts = np.zeros((r * c, (r - 1) * (c - 1)))
    for k, (i, j) in enumerate((i, j) for i in range(r - 1) for j in range(c - 1)):
        for (a, b), sign in (((i, j), 1), ((i, c - 1), -1), ((r - 1, j), -1), ((r - 1, c - 1), 1)):
            contrasts[a * c + b, k] = sign
    denom = contrasts.T @ inv_d @ contrasts / n
    numer = contrasts.T @ inv_d @ v @ inv_d @ contrasts
    return float(np.trace(np.linalg.solve(denom, numer)) / ((r - 1) * (c - 1)))


def _independence_test(
    counts: np.ndarray, sum_w: np.ndarray, sum_w2: np.ndarray, weighted: bool
) -> tuple[str | None, float | None, int, float | None, float | None, float | None, bool]:
    """(test, statistic, dof, p_value, cramers_v, mean_deff, sparse) on the non-empty rows/columns."""
    keep_r = counts.sum(axis=1) > 0
    keep_c = counts.sum(axis=0) > 0
    counts, sum_w, sum_w2 = (m[keep_r][:, keep_c] for m in (counts, sum_w, sum_w2))
    r, c = counts.shape
    if r < 2 or c < 2:
        return None, None, 0, None, None, None, False
    n = int(counts.sum())
    dof = (r - 1) * (c - 1)
    if not weighted:
        result = sps.chi2_contingency(counts, correction=False)
        expected = result.expected_freq
        statistic, p_value, mean_deff = float(result.statistic), float(result.pvalue), None
        cramers_v = float(association(counts.astype(np.int64), method="cramer"))
        test = TEST_PEARSON
        exact_table = counts.astype(np.int64)
    else:
        proportions = sum_w / sum_w.sum()
        pearson = sps.chi2_contingency(proportions * n, correction=False)
        mean_deff = _rao_scott_mean_deff(sum_w, sum_w2, n)
        statistic = float(pearson.statistic) / mean_deff
        p_value = float(sc.chdtrc(dof, statistic))
        cramers_v = math.sqrt(float(pearson.statistic) / (n * (min(r, c) - 1)))
        test = TEST_RAO_SCOTT
        # Small-count check and Fisher's table on the effective base: an approximation.
        n_eff = sum_w.sum() ** 2 / sum_w2.sum()
        expected = sps.contingency.expected_freq(proportions * n_eff)
        exact_table = np.rint(proportions * n_eff).astype(np.int64)
    small = expected < SMALL_EXPECTED
    if (r, c) == (2, 2) and small.any():
        test = TEST_FISHER
        p_value = float(sps.fisher_exact(exact_table).pvalue)
    return test, statistic, dof, p_value, cramers_v, mean_deff, bool(small.mean() > 0.2)


def _column_proportion_tests(
    share: np.ndarray, col_eff: np.ndarray, rest: np.ndarray, rest_eff: np.ndarray, thresholds: Thresholds
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(z, p, BH-adjusted p, direction) per cell: column share vs the other columns' share.

    A test runs when both effective bases reach min_base and the row is neither absent nor
    everything (pooled share strictly between 0 and 1); other cells get NaN / None.
    """
    with np.errstate(invalid="ignore", divide="ignore"):
        pooled = (col_eff * share + rest_eff * rest) / (col_eff + rest_eff)
        min_base = max(thresholds.min_base, 1e-12)
        testable = (col_eff >= min_base) & (rest_eff >= min_base) & (pooled > 0) & (pooled < 1)
        z, p_values = _pooled_z(share, col_eff, rest, rest_eff)
    z = np.where(testable, z, np.nan)
    p_values = np.where(testable, p_values, np.nan)
    adjusted = np.full(share.shape, np.nan)
    adjusted[testable] = benjamini_hochberg(p_values[testable])
    significant = testable & (adjusted < 1 - thresholds.level)
    direction = np.where(significant, np.where(share > rest, "higher", "lower"), None).astype(object)
    return z, p_values, adjusted, direction


def crosstab(
    lf: pl.LazyFrame | pl.DataFrame,
    row: str,
    column: str,
    weight: str | None = None,
    thresholds: Thresholds = Thresholds(),
    row_keys: Sequence[str] | None = None,
    column_keys: Sequence[str] | None = None,
) -> Crosstab:
    """Distribution of `row` categories within each `column` category, with tests.

    Independence: Pearson χ² (no Yates) unweighted, Rao–Scott first-order χ² weighted,
    Fisher's exact test instead for a 2×2 table with an expected count below 5.
    Cells: for each row category and column, the share in this column against the share in
    all other columns (pooled z on effective bases), run when both bases reach `min_base`;
    Benjamini–Hochberg over every test run. Respondents with a null row or column are left
    out; all-zero rows/columns stay in `cells` but not in the χ².
    """
    cells = aggregate_cells(lf, list(dict.fromkeys([row, column])), weight)
    return crosstab_from_cells(cells, row, column, weight, thresholds, row_keys, column_keys)


def crosstab_from_cells(
    cells: pl.DataFrame,
    row: str,
    column: str,
    weight: str | None = None,
    thresholds: Thresholds = Thresholds(),
    row_keys: Sequence[str] | None = None,
    column_keys: Sequence[str] | None = None,
) -> Crosstab:
    """`crosstab` on cells already aggregated by `aggregate_cells` (any finer grouping)."""
    _require(cells.schema, [row, column])
    agg = _roll_up(cells, [pl.col(row).cast(pl.String).alias("row"), pl.col(column).cast(pl.String).alias("column")])
    _check_weights(agg, weight)
    complete = agg.filter(pl.col("row").is_not_null() & pl.col("column").is_not_null())
    n_missing = int(agg["count"].sum() - complete["count"].sum()) if agg.height else 0
    weighted = _is_weighted(complete, weight)

    def totals(by: str) -> pl.DataFrame:
        return complete.group_by(by).agg(pl.col("count").sum(), pl.col("sum_w").sum(), pl.col("sum_w2").sum())

    row_order = _order_keys(totals("row"), row_keys, "row")["row"]
    col_order = _order_keys(totals("column"), column_keys, "column")["column"]
    grid = (
        pl.DataFrame({"row": row_order})
        .join(pl.DataFrame({"column": col_order}), how="cross")
        .join(complete, on=["row", "column"], how="left", maintain_order="left")
        .with_columns(pl.col("count").fill_null(0), pl.col("sum_w").fill_null(0.0), pl.col("sum_w2").fill_null(0.0))
    )
    shape = (len(row_order), len(col_order))
    counts = grid["count"].to_numpy().reshape(shape).astype(float)
    sum_w = grid["sum_w"].to_numpy().reshape(shape)
    sum_w2 = grid["sum_w2"].to_numpy().reshape(shape)
    base_n = int(counts.sum())

    col_n, col_w, col_w2 = counts.sum(axis=0), sum_w.sum(axis=0), sum_w2.sum(axis=0)
    rest_n, rest_w, rest_w2 = base_n - col_n, sum_w.sum() - col_w, sum_w2.sum() - col_w2
    with np.errstate(invalid="ignore", divide="ignore"):
        if weighted:
            col_eff = np.where(col_w2 > 0, col_w**2 / col_w2, 0.0)
            rest_eff = np.where(rest_w2 > 0, rest_w**2 / rest_w2, 0.0)
            share = sum_w / col_w
            rest = (sum_w.sum(axis=1, keepdims=True) - sum_w) / rest_w
        else:
            col_eff, rest_eff = col_n, rest_n
            share = counts / col_n
            rest = (counts.sum(axis=1, keepdims=True) - counts) / rest_n
    col_flags = _flags(col_eff, thresholds)
    col_eff_cells = np.broadcast_to(col_eff, shape)
    low, high, methods = _intervals(
        share.ravel(), col_eff_cells.ravel(), thresholds.level, thresholds.small_base, thresholds.small_count
    )
    z, p_values, adjusted, direction = _column_proportion_tests(
        share, col_eff_cells, rest, np.broadcast_to(rest_eff, shape), thresholds
    )
    flags = np.broadcast_to(col_flags, shape).ravel()
    shown = flags != FLAG_SUPPRESSED
    cells = pl.DataFrame(
        {
            "row": grid["row"],
            "column": grid["column"],
            "count": grid["count"],
            "sum_w": grid["sum_w"],
            "column_share": np.where(shown, share.ravel(), np.nan),
            "ci_low": np.where(shown, low, np.nan),
            "ci_high": np.where(shown, high, np.nan),
            "method": np.where(shown, methods, None).tolist(),
            "flag": flags.tolist(),
            "rest_share": np.where(shown, rest.ravel(), np.nan),
            "z": z.ravel(),
            "p_value": p_values.ravel(),
            "p_adjusted": adjusted.ravel(),
            "direction": direction.ravel().tolist(),
        },
        schema=CELL_SCHEMA,
        nan_to_null=True,
    )
    column_bases = pl.DataFrame(
        {"column": col_order, "count": col_n.astype(np.int64), "sum_w": col_w, "n_eff": col_eff, "flag": col_flags.tolist()},
        schema=COLUMN_BASE_SCHEMA,
    )
    test, statistic, dof, p_value, cramers_v, mean_deff, sparse = _independence_test(
        counts, sum_w, sum_w2, weighted
    )
    return Crosstab(
        cells=cells,
        column_bases=column_bases,
        test=test,
        statistic=statistic,
        dof=dof,
        p_value=p_value,
        cramers_v=cramers_v,
        n_tests=int(np.isfinite(p_values).sum()),
        mean_deff=mean_deff,
        sparse=sparse,
        base_rows=base_n,
        n_missing=n_missing,
        weighted=weight is not None,
        level=thresholds.level,
    )


# ---------------------------------------------------------------- means of a numeric answer

WELCH = "welch"
MEAN_SUMS = ("y_n", "y_sum_w", "y_sum_w2", "y_sum_wy", "y_sum_w2y", "y_sum_w2y2")
MEAN_SCHEMA: dict[str, pl.DataType] = {
    "mean": pl.Float64(),
    "se": pl.Float64(),
    "df": pl.Float64(),
    "n_eff": pl.Float64(),
    "ci_low": pl.Float64(),
    "ci_high": pl.Float64(),
    "flag": pl.String(),
}


@dataclass(frozen=True)
class MeanEstimate:
    """A (weighted) mean with its standard error, degrees of freedom and interval."""

    mean: float | None
    se: float | None
    df: float
    n: int
    n_eff: float
    ci_low: float | None
    ci_high: float | None
    flag: str
    level: float


def mean_sums(column: str, weight: str | None = None, prefix: str = "") -> list[pl.Expr]:
    """Aggregations (named `prefix` + MEAN_SUMS) from which `means_from_sums` derives a mean.

    Rows where `column` is null are left out of every sum. Sums add up across groups, so
    cells can be aggregated once and rolled up.
    """
    y = pl.col(column).cast(pl.Float64)
    present = y.is_not_null()
    w = (pl.col(weight).cast(pl.Float64) if weight else pl.lit(1.0)).filter(present)
    y = y.filter(present)
    return [
        present.sum().cast(pl.Int64).alias(f"{prefix}y_n"),
        w.sum().alias(f"{prefix}y_sum_w"),
        (w * w).sum().alias(f"{prefix}y_sum_w2"),
        (w * y).sum().alias(f"{prefix}y_sum_wy"),
        (w * w * y).sum().alias(f"{prefix}y_sum_w2y"),
        (w * w * y * y).sum().alias(f"{prefix}y_sum_w2y2"),
    ]


def means_from_sums(sums: pl.DataFrame, thresholds: Thresholds = Thresholds(), prefix: str = "") -> pl.DataFrame:
    """`sums` with MEAN_SCHEMA columns added: the weighted mean ȳ = Σwy / Σw per row.

    Its variance is the with-replacement linearisation n/(n−1) · Σw²(y − ȳ)² / (Σw)² — what
    R's survey::svymean gives for svydesign(ids = ~1, weights = ~w); with equal weights it is
    s²/n. The interval uses Student's t on n − 1 degrees of freedom, so equal weights give
    the textbook one-sample t interval. Below `min_base` effective respondents the mean is
    suppressed (null); a single respondent has a mean but no interval.
    """
    _require(sums.schema, [prefix + c for c in MEAN_SUMS])
    n, sw, sw2, swy, sw2y, sw2y2 = (sums[prefix + c].to_numpy().astype(float) for c in MEAN_SUMS)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(sw > 0, swy / sw, np.nan)
        squares = np.maximum(sw2y2 - 2 * mean * sw2y + mean * mean * sw2, 0.0)
        se = np.where(n > 1, np.sqrt(n / (n - 1) * squares) / sw, np.nan)
        n_eff = np.where(sw2 > 0, sw * sw / sw2, 0.0)
        df = np.maximum(n - 1, 0)
        half = sc.stdtrit(np.where(df > 0, df, 1), 0.5 + thresholds.level / 2) * se
    flags = _flags(n_eff, thresholds)
    shown = flags != FLAG_SUPPRESSED
    return sums.with_columns(
        pl.DataFrame(
            {
                "mean": np.where(shown, mean, np.nan),
                "se": np.where(shown, se, np.nan),
                "df": df,
                "n_eff": n_eff,
                "ci_low": np.where(shown, mean - half, np.nan),
                "ci_high": np.where(shown, mean + half, np.nan),
                "flag": flags.tolist(),
            },
            schema=MEAN_SCHEMA,
            nan_to_null=True,
        )
    )


def weighted_mean(
    lf: pl.LazyFrame | pl.DataFrame, column: str, weight: str | None = None, thresholds: Thresholds = Thresholds()
) -> MeanEstimate:
    """The (weighted) mean of a numeric answer with its interval; see `means_from_sums`."""
    lf = _lazy(lf)
    schema = lf.collect_schema()
    _require(schema, [column] + ([weight] if weight else []))
    if not schema[column].is_numeric():
        raise InputError(f"The column {column!r} holds {schema[column]} values; a mean needs numbers.")
    agg = lf.select([*_weight_aggs(schema, weight), *mean_sums(column, weight)]).collect()
    _check_weights(agg, weight)
    row = means_from_sums(agg, thresholds).row(0, named=True)
    return MeanEstimate(
        row["mean"], row["se"], float(row["df"]), int(row["y_n"]), float(row["n_eff"]),
        row["ci_low"], row["ci_high"], row["flag"], thresholds.level,
    )


def mean_difference(
    mean1: float, se1: float, df1: float, mean2: float, se2: float, df2: float, level: float = 0.95
) -> Difference:
    """mean1 − mean2 of two independent groups: Welch's t with Welch–Satterthwaite degrees of freedom."""
    values = (mean1, se1, df1, mean2, se2, df2)
    if not all(v is not None and math.isfinite(v) for v in values) or min(se1, se2) < 0 or min(df1, df2) <= 0:
        raise InputError("Each mean needs a finite value, a standard error and at least two respondents.")
    v1, v2 = se1 * se1, se2 * se2
    d = mean1 - mean2
    se = math.sqrt(v1 + v2)
    if se == 0:
        return Difference(d, d, d, 0.0 if d == 0 else math.copysign(math.inf, d), float(d == 0), WELCH, level)
    df = (v1 + v2) ** 2 / (v1 * v1 / df1 + v2 * v2 / df2)
    t = d / se
    half = float(sc.stdtrit(df, 0.5 + level / 2)) * se
    return Difference(d, d - half, d + half, t, float(2 * sc.stdtr(df, -abs(t))), WELCH, level)

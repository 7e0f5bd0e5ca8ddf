"""Survey statistics: shares, intervals, differences and crosstab tests, plain or design-based.

Every share here is a proportion between 0 and 1 (callers turn it into percent).

Two kinds of figures:

- **Plain** (no weights, or weights that are all equal, and no cluster or stratum): classical
  binomial methods on the respondent count n — Wilson score intervals, Clopper–Pearson below
  `small_base` respondents or with fewer than `small_count` in the rarer answer (Brown, Cai &
  DasGupta 2001), Newcombe's hybrid score interval and a pooled z for differences, Pearson χ²
  (Fisher's exact test for a 2×2 table with an expected count below 5).
- **Design-based** (weights that vary, or a cluster or stratum column): the figures of R's
  `survey` package for `svydesign(ids = ~psu, strata = ~stratum, weights = ~w)` (`ids = ~1`
  without clusters). A share p = Σw·y / Σw is a ratio; its variance is the Taylor
  linearisation with primary sampling units (PSUs) drawn with replacement ("ultimate
  cluster"): z_u = Σ_{i∈u} wᵢ(yᵢ − p) / Σw per PSU u, V = Σ_h n_h/(n_h − 1) Σ_{u∈h} (z_u − z̄_h)².
  Without clusters each respondent is a PSU, and V = n/(n − 1) · Σ wᵢ²(yᵢ − p)² / (Σw)² comes
  from the per-cell sums count, Σw and Σw² alone. A filtered subset is a *domain* of the whole
  sample, as R's `subset(design, …)` treats it: n_h counts the PSUs of the whole sample
  (`Design.sized`); without sizes, the cells given are taken as the whole sample.
  Per estimate: the design effect deff = V / (s²/n) (R's `svymean(deff = "replace")`, s² the
  weighted variance with its n/(n − 1)) and the design effective base n_eff = p(1 − p) / V.

Design-based intervals (`Thresholds.interval` = None chooses per estimate): the logit
interval — R's `svyciprop` default, expit(logit p ± t_df · √V / (p(1 − p))) — on moderate
bases, and the Korn–Graubard interval (`svyciprop(method = "beta")`: Clopper–Pearson on the
design effective base, corrected for the design's degrees of freedom) when n_eff is below
`small_base` or the rarer answer has fewer than `small_count` effective respondents. Why: both
follow the design variance and stay inside [0, 1]; the logit interval is R's default and
covers well on moderate bases, and Korn & Graubard (1998, Survey Methodology 24:193–201) built
theirs for the small and extreme cases where the logit interval covers too little — the role
Clopper–Pearson plays next to Wilson in the plain rule. At 0 % or 100 % the design variance is
zero and neither exists (R returns NaN): the Clopper–Pearson interval on the domain's Kish base
(Σw)² / Σw² stands in, and says so in its method code.

A figure that cannot be computed on the data at hand (no respondent, no degrees of freedom,
zero variance, a stratum with a single PSU, a singular test matrix, a single category) is null
with a reason code beside it (`NO_RESPONDENTS`, …). Degenerate data never raise here; wrong
input (a missing column, a negative weight) raises `InputError`.

Bases: suppression and flags compare the Kish effective base (Σw)² / Σw² of a figure's base
(the respondent count when plain) with `Thresholds`: below `min_base` the figure is suppressed
(null), below `low_base` it is flagged "low".

Heavy work is one polars group_by per call (count, Σw, Σw² per cell, and per PSU and stratum
when the design has them); the statistics then run in numpy on a few dozen rows. scipy is
imported inside the functions that use it: importing it costs about a second.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from types import ModuleType

import numpy as np
import polars as pl

from digistrat.errors import InputError

# Interval methods (codes the page and the report render).
WILSON = "wilson"
CLOPPER_PEARSON = "clopper_pearson"
LOGIT = "logit"  # svyciprop(method = "logit") on the design variance
KORN_GRAUBARD = "korn_graubard"  # svyciprop(method = "beta")
CLOPPER_PEARSON_KISH = "clopper_pearson_kish"  # a 0 % or 100 % design-based share
PLAIN_INTERVALS = (WILSON, CLOPPER_PEARSON)
DESIGN_INTERVALS = (LOGIT, KORN_GRAUBARD)
# Differences.
NEWCOMBE = "newcombe_hybrid_score"  # plain: Newcombe (1998) method 10, pooled z test
DESIGN_T = "design_t"  # design-based t test of two groups of one design, as svyttest
NEWCOMBE_DESIGN = "newcombe_design"  # survey share against a published one (simple random sample)
WELCH = "welch"
# Crosstab tests.
TEST_PEARSON, TEST_FISHER = "pearson", "fisher"
TEST_RAO_SCOTT = "rao_scott_f"  # second-order Rao–Scott, F reference: svychisq(statistic = "F")
TEST_RAO_SCOTT_FIRST = "rao_scott_chisq"  # first order, χ² reference: svychisq(statistic = "Chisq")
CELL_Z, CELL_DESIGN_T = "pooled_z", "design_t"  # the markers' test
# Why a figure is not computable here.
NO_RESPONDENTS = "no_respondents"
NO_DEGREES_OF_FREEDOM = "no_degrees_of_freedom"  # one respondent, or one PSU per stratum
ZERO_VARIANCE = "zero_variance"
LONELY_PSU = "lonely_psu"  # a stratum with one PSU in the whole sample (R stops there)
SINGULAR = "singular"  # empty cells leave the Rao–Scott matrix singular (R's solve() fails)
ONE_CATEGORY = "one_category"  # fewer than two non-empty rows or columns
REASONS = (NO_RESPONDENTS, NO_DEGREES_OF_FREEDOM, ZERO_VARIANCE, LONELY_PSU, SINGULAR, ONE_CATEGORY)

FLAG_OK, FLAG_LOW, FLAG_SUPPRESSED = "ok", "low", "suppressed"
SMALL_EXPECTED = 5  # expected count under which χ² is doubtful (Fisher for plain 2×2; Cochran's rule)

SHARE_SCHEMA: dict[str, pl.DataType] = {
    "key": pl.String(),
    "count": pl.Int64(),
    "sum_w": pl.Float64(),
    "sum_w2": pl.Float64(),
    "share": pl.Float64(),
    "se": pl.Float64(),
    "deff": pl.Float64(),
    "n_eff": pl.Float64(),  # design effective base p(1 − p)/V; the respondent count when plain
    "ci_low": pl.Float64(),
    "ci_high": pl.Float64(),
    "method": pl.String(),
    "flag": pl.String(),
    "reason": pl.String(),  # why the interval is null although the share is shown
}
CELL_SCHEMA: dict[str, pl.DataType] = {
    "row": pl.String(),
    "column": pl.String(),
    "count": pl.Int64(),
    "sum_w": pl.Float64(),
    "column_share": pl.Float64(),
    "se": pl.Float64(),
    "deff": pl.Float64(),
    "n_eff": pl.Float64(),
    "ci_low": pl.Float64(),
    "ci_high": pl.Float64(),
    "method": pl.String(),
    "flag": pl.String(),
    "reason": pl.String(),
    "rest_share": pl.Float64(),
    "statistic": pl.Float64(),  # pooled z (plain) or design-based t
    "df": pl.Float64(),  # of the t test; null for z
    "p_value": pl.Float64(),
    "p_adjusted": pl.Float64(),
    "direction": pl.String(),
}
COLUMN_BASE_SCHEMA: dict[str, pl.DataType] = {
    "column": pl.String(),
    "count": pl.Int64(),
    "sum_w": pl.Float64(),
    "n_eff": pl.Float64(),  # Kish
    "flag": pl.String(),
}
DIFFERENCE_SCHEMA: dict[str, pl.DataType] = {
    "diff": pl.Float64(), "ci_low": pl.Float64(), "ci_high": pl.Float64(), "z": pl.Float64(), "p_value": pl.Float64(),
}
COMPARISON_SCHEMA: dict[str, pl.DataType] = {
    "key": pl.String(),
    "share_a": pl.Float64(),
    "share_b": pl.Float64(),
    "n_eff_a": pl.Float64(),  # Kish base of each side (its respondent count when plain)
    "n_eff_b": pl.Float64(),
    "flag_a": pl.String(),
    "flag_b": pl.String(),
    "diff": pl.Float64(),
    "se": pl.Float64(),
    "df": pl.Float64(),  # of the design-based t; null for z
    "ci_low": pl.Float64(),
    "ci_high": pl.Float64(),
    "statistic": pl.Float64(),
    "p_value": pl.Float64(),
    "method": pl.String(),
    "reason": pl.String(),
}


def _special() -> ModuleType:
    import scipy.special  # here, not at import: the CLI should not pay for scipy before reading a byte

    return scipy.special


@dataclass(frozen=True)
class Thresholds:
    """Base sizes (effective respondents) that decide suppression, flags and interval method.

    `interval` forces one method: WILSON or CLOPPER_PEARSON for plain figures, LOGIT or
    KORN_GRAUBARD for design-based ones (figures of the other kind keep their own choice).
    """

    min_base: float = 10
    low_base: float = 30
    small_base: float = 30
    small_count: float = 5
    level: float = 0.95
    interval: str | None = None

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
        if self.interval is not None and self.interval not in (*PLAIN_INTERVALS, *DESIGN_INTERVALS):
            raise InputError(
                f"Unknown interval method {self.interval!r}; use one of "
                f"{', '.join((*PLAIN_INTERVALS, *DESIGN_INTERVALS))}, or none to choose per figure."
            )


@dataclass(frozen=True)
class Design:
    """How the sample was drawn: R's svydesign(ids = ~psu, strata = ~stratum, weights = ~weight).

    Without `psu` every respondent is its own sampling unit (ids = ~1); without `stratum`
    there is one stratum. PSUs are numbered within strata (svydesign's nest = TRUE).
    `psu_counts` gives, per stratum, the PSUs of the whole sample (respondents when there is
    no PSU column): with it a filtered subset is a domain of the whole design; `sized` fills it.
    """

    weight: str | None = None
    psu: str | None = None
    stratum: str | None = None
    psu_counts: tuple[tuple[str, int], ...] | None = None

    @property
    def keys(self) -> list[str]:
        """The design columns cells must keep apart."""
        return [c for c in (self.stratum, self.psu) if c]

    @property
    def structured(self) -> bool:
        return bool(self.psu or self.stratum)

    def sized(self, lf: pl.LazyFrame | pl.DataFrame) -> Design:
        """This design with `psu_counts` taken from `lf`, the whole sample."""
        lf = _lazy(lf)
        _require(lf.collect_schema(), self.keys)
        if self.keys:
            missing = lf.select(pl.col(c).null_count() for c in self.keys).collect().row(0)
            for column, rows in zip(self.keys, missing):
                if rows:
                    raise InputError(_missing_key_message(column, rows, "stratum" if column == self.stratum else "cluster"))
        counted = pl.col(self.psu).n_unique() if self.psu else pl.len()
        frame = lf.group_by(_stratum_key(self)).agg(counted.cast(pl.Int64).alias("n")).collect()
        return replace(self, psu_counts=tuple(sorted(zip(frame["_stratum"].to_list(), frame["n"].to_list()))))


def _as_design(weight: str | Design | None) -> Design:
    if isinstance(weight, Design):
        return weight
    if weight is None or isinstance(weight, str):
        return Design(weight)
    raise InputError(f"Expected a weight column name or a Design, got {type(weight).__name__}.")


def _stratum_key(design: Design) -> pl.Expr:
    return (pl.col(design.stratum).cast(pl.String) if design.stratum else pl.lit("")).alias("_stratum")


def _missing_key_message(column: str, rows: int, what: str) -> str:
    return (
        f"The {what} column {column!r} is empty on {rows} row(s); give every respondent its {what} "
        f"or analyse without a {what} column."
    )


def _check_design_keys(cells: pl.DataFrame, design: Design) -> None:
    for column, what in ((design.stratum, "stratum"), (design.psu, "cluster")):
        if column and column in cells.columns:
            missing = cells.filter(pl.col(column).is_null())
            if missing.height:
                rows = int(missing["count"].sum()) if "count" in missing.columns else missing.height
                raise InputError(_missing_key_message(column, rows, what))


@dataclass(frozen=True)
class ShareTable:
    """Shares of one question plus the figures of its whole base."""

    rows: pl.DataFrame  # columns of SHARE_SCHEMA
    base_rows: int  # respondents in the base (non-null answers)
    sum_w: float
    n_eff: float  # Kish base of the weights, (Σw)²/Σw²; the respondent count when plain
    deff: float | None  # Kish design effect of the weights, n / n_eff; None on an empty base
    weighted: bool  # a weight column was given
    level: float
    n_missing: int  # rows left out because the answer is null
    design_based: bool = False  # intervals follow the design variance (weights vary, or clusters/strata)


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
    `rest_share` the same share among all other columns. `statistic`/`p_value` of a cell
    compare the two (`cell_test`: pooled z plain, design-based t weighted), `p_adjusted` is
    Benjamini–Hochberg over all `n_tests` tests that ran. The table's test is `test`:
    Pearson χ² (`statistic` = X², `dof` degrees of freedom) or Fisher plain; weighted, the
    Rao–Scott F (`statistic` = X²/tr Δ on `ndf` and `ddf` degrees of freedom) or its first
    order (`statistic` = X²/δ̄ on `dof`). `reason` says why a test that applies did not run.
    """

    cells: pl.DataFrame  # columns of CELL_SCHEMA
    column_bases: pl.DataFrame  # columns of COLUMN_BASE_SCHEMA
    test: str | None  # TEST_*; None when no test applies (fewer than 2×2 non-empty)
    statistic: float | None
    dof: int  # (r − 1)(c − 1) of the non-empty table
    p_value: float | None
    cramers_v: float | None
    n_tests: int
    mean_deff: float | None  # Rao–Scott mean generalised design effect δ̄
    sparse: bool  # more than 20 % of (effective) expected counts below 5: a low-base warning
    base_rows: int
    n_missing: int
    weighted: bool
    level: float
    ndf: float | None = None  # F reference of the second-order test
    ddf: float | None = None
    reason: str | None = None
    cell_test: str | None = None  # CELL_Z or CELL_DESIGN_T
    design_based: bool = False


# ---------------------------------------------------------------- plain intervals and tests


@lru_cache(maxsize=16)
def _z_quantile(level: float) -> float:
    if not 0 < level < 1:
        raise InputError(f"The confidence level {level} must be between 0 and 1 (e.g. 0.95).")
    return float(_special().ndtri(0.5 + level / 2))


def _wilson(p: np.ndarray, n: np.ndarray, z: float) -> tuple[np.ndarray, np.ndarray]:
    # Written out because scipy's binomtest needs integer counts and n_eff is rarely one.
    z2n = z * z / n
    centre = (p + z2n / 2) / (1 + z2n)
    half = z / (1 + z2n) * np.sqrt(p * (1 - p) / n + z2n / (4 * n))
    return centre - half, centre + half


def _clopper_pearson(p: np.ndarray, n: np.ndarray, level: float) -> tuple[np.ndarray, np.ndarray]:
    # Beta quantiles accept the non-integer count x = p·n (an effective base).
    alpha = 1 - level
    x = p * n
    sc = _special()
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
    """Plain share intervals, vectorised; entries with n <= 0 or p NaN come back NaN."""
    p = np.asarray(p, dtype=float)
    n = np.asarray(n, dtype=float)
    valid = (n > 0) & np.isfinite(p)
    p_safe = np.where(valid, p, 0.5)
    n_safe = np.where(valid, n, 1.0)
    if method is None:
        rarer = np.minimum(p_safe, 1 - p_safe) * n_safe
        exact = (n_safe < small_base) | (rarer < small_count)
    elif method in PLAIN_INTERVALS:
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
    """(low, high, method) of a plain share p on base n; the method is chosen unless given."""
    _check_share(p, n_eff, "")
    low, high, methods = _intervals(np.array([p]), np.array([n_eff]), level, small_base, small_count, method)
    return float(low[0]), float(high[0]), str(methods[0])


def _pooled_z(p1: np.ndarray, n1: np.ndarray, p2: np.ndarray, n2: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    pooled = (n1 * p1 + n2 * p2) / (n1 + n2)
    se = np.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
    with np.errstate(invalid="ignore", divide="ignore"):
        z = np.where(se > 0, (p1 - p2) / np.where(se > 0, se, 1.0), 0.0)
    return z, 2 * _special().ndtr(-np.abs(z))


def _mover(
    d: np.ndarray, p1: np.ndarray, l1: np.ndarray, u1: np.ndarray, p2: np.ndarray, l2: np.ndarray, u2: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Interval of p1 − p2 from each share's own interval (Newcombe 1998; Zou & Donner 2008)."""
    low = np.maximum(d - np.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2), -1.0)
    high = np.minimum(d + np.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2), 1.0)
    return low, high


def _newcombe(
    p1: np.ndarray, n1: np.ndarray, p2: np.ndarray, n2: np.ndarray, level: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(d, low, high, z, p) of p1 − p2, vectorised; inputs must be valid shares and bases."""
    z_q = _z_quantile(level)
    l1, u1 = _wilson(p1, n1, z_q)
    l2, u2 = _wilson(p2, n2, z_q)
    d = p1 - p2
    low, high = _mover(d, p1, l1, u1, p2, l2, u2)
    z, p_value = _pooled_z(p1, n1, p2, n2)
    return d, low, high, z, p_value


def difference(p1: float, n1: float, p2: float, n2: float, level: float = 0.95) -> Difference:
    """p1 − p2 of two independent plain samples: Newcombe's hybrid score interval (1998,
    method 10) and a pooled z-test. To compare with a published study pass its stated n."""
    _check_share(p1, n1, "first")
    _check_share(p2, n2, "second")
    d, low, high, z, p_value = (float(v[0]) for v in _newcombe(*(np.array([v], dtype=float) for v in (p1, n1, p2, n2)), level))
    return Difference(d, low, high, z, p_value, NEWCOMBE, level)


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
    score test z = (p − p0) / √(p0(1 − p0) / n), whose inversion is the Wilson interval.
    """
    _check_share(p, n_eff, "")
    if not 0 < reference_p < 1:
        raise InputError(f"The reference share {reference_p} must be strictly between 0 and 1.")
    low, high, method = share_interval(p, n_eff, level, small_base)
    z = (p - reference_p) / math.sqrt(reference_p * (1 - reference_p) / n_eff)
    return Difference(
        p - reference_p, low - reference_p, high - reference_p, z, float(2 * _special().ndtr(-abs(z))), method, level
    )


def benjamini_hochberg(p_values: Sequence[float] | np.ndarray) -> np.ndarray:
    """Benjamini–Hochberg (1995) adjusted p-values, in the order given."""
    values = np.asarray(p_values, dtype=float)
    if values.size == 0:
        return values
    from scipy import stats as sps

    return np.asarray(sps.false_discovery_control(values, method="bh"))


# ---------------------------------------------------------------- the design-based variance


@dataclass(frozen=True)
class _Units:
    """Sampling units of the cells at hand, for the with-replacement ("ultimate cluster") variance.

    Sums are kept per *group*: a PSU when the design has clusters, else a stratum (every
    respondent is then a PSU, and its squares come from the cells' Σw²).
    """

    stratum: np.ndarray  # per group: its stratum
    n_h: np.ndarray  # per stratum: PSUs in the whole sample
    clustered: bool

    @property
    def groups(self) -> int:
        return self.stratum.size

    def _factor(self) -> np.ndarray:
        n = self.n_h.astype(float)
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(n > 1, n / (n - 1), 0.0)  # lonely strata are reported, not summed

    def stratum_totals(self, values: np.ndarray) -> np.ndarray:
        if self.n_h.size == 1:
            return values.sum(axis=0, keepdims=True)
        totals = np.zeros((self.n_h.size, *values.shape[1:]))
        np.add.at(totals, self.stratum, values)
        return totals

    def variance(self, z: np.ndarray, q: np.ndarray) -> np.ndarray:
        """Σ_h n_h/(n_h − 1) [Σ_{u∈h} z_u² − (Σ_{u∈h} z_u)² / n_h], elementwise over estimates.

        z: (groups, …) linearised totals; q: (groups, …) the sum over respondents of their
        squared linearised values, used for Σ z_u² when every respondent is a PSU.
        """
        f = self._factor()
        squares = z * z if self.clustered else q
        total = np.tensordot(f[self.stratum], squares, axes=1)
        centred = self.stratum_totals(z)
        return total - np.tensordot(f / np.maximum(self.n_h, 1), centred * centred, axes=1)

    def covariance(self, z: np.ndarray, unclustered_squares: np.ndarray | None) -> np.ndarray:
        """The matrix form of `variance` for z of shape (groups, k); without clusters the
        caller gives Σ_h f_h Σ_{i∈h} zᵢzᵢᵀ directly."""
        f = self._factor()
        squares = (z * f[self.stratum][:, None]).T @ z if self.clustered else unclustered_squares
        centred = self.stratum_totals(z)
        return squares - (centred * (f / np.maximum(self.n_h, 1))[:, None]).T @ centred

    def weighted_by_factor(self, values: np.ndarray) -> np.ndarray:
        """Σ_g f_g · values_g (groups on axis 0)."""
        return np.tensordot(self._factor()[self.stratum], values, axes=1)

    def degrees_of_freedom(self, counts: np.ndarray) -> np.ndarray:
        """R's degf() of each domain: PSUs with respondents minus strata with respondents.
        counts: (groups, …) respondents of the domain in each group."""
        present = counts > 0
        units = present.sum(axis=0) if self.clustered else counts.sum(axis=0)
        strata = (self.stratum_totals(present.astype(float)) > 0).sum(axis=0)
        return units - strata

    def lonely(self, counts: np.ndarray) -> np.ndarray:
        """True where the domain has respondents in a stratum with a single PSU in the whole sample."""
        lonely = (self.n_h <= 1)[self.stratum].reshape(-1, *([1] * (counts.ndim - 1)))
        return ((counts > 0) & lonely).any(axis=0)


def _unit_codes(design: Design, whole: pl.DataFrame, parts: Sequence[pl.DataFrame]) -> tuple[list[np.ndarray], _Units]:
    """The group (see `_Units`) of each row of each of `parts`, subsets of the cells `whole`.

    Without `design.psu_counts`, `whole` is taken as the whole sample for the PSU counts.
    """
    if not design.structured:
        if design.psu_counts is not None:
            n = sum(count for _, count in design.psu_counts)
        else:
            n = int(whole["count"].sum()) if whole.height else 0
        units = _Units(np.zeros(1, dtype=np.int64), np.array([n]), clustered=False)
        return [np.zeros(part.height, dtype=np.int64) for part in parts], units
    keys = ["_stratum", *(["_psu"] if design.psu else [])]

    def keyed(frame: pl.DataFrame) -> pl.DataFrame:
        psu = [pl.col(design.psu).cast(pl.String).alias("_psu")] if design.psu else []
        return frame.select(_stratum_key(design), *psu, pl.col("count"))

    groups = keyed(whole).group_by(keys).agg(pl.col("count").sum()).sort(keys).with_row_index("_group")
    strata, stratum_of = np.unique(groups["_stratum"].to_numpy().astype(str), return_inverse=True)
    # PSUs per stratum here: groups, or respondents when each is its own PSU
    observed = np.bincount(stratum_of, weights=None if design.psu else groups["count"].to_numpy(),
                           minlength=strata.size).astype(np.int64)
    n_h = observed
    if design.psu_counts is not None:
        given = dict(design.psu_counts)
        unknown = [s for s in strata if s not in given]
        if unknown:
            raise InputError(f"Stratum {unknown[0]!r} is not in the design's sample; size the design on the whole survey.")
        n_h = np.array([given[s] for s in strata], dtype=np.int64)
        if (observed > n_h).any():
            raise InputError("These cells hold more sampling units than the design's sample; size the design on the whole survey.")
    lookup = groups.select(*keys, "_group")
    codes = [
        keyed(part).join(lookup, on=keys, how="left", maintain_order="left")["_group"].to_numpy().astype(np.int64)
        for part in parts
    ]
    return codes, _Units(stratum_of, n_h, clustered=design.psu is not None)


def _grid(group: np.ndarray, index: np.ndarray, values: np.ndarray, groups: int, size: int) -> np.ndarray:
    """(groups, size) sums of `values` by (group, index)."""
    flat = np.bincount(group * size + index, weights=values, minlength=groups * size)
    return flat.reshape(groups, size)


def _ratio(
    num_w: np.ndarray, num_s: np.ndarray, dom_w: np.ndarray, dom_s: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """p = Σ num / Σ dom over groups (axis 0), with the linearised group totals z and squares q.

    num ⊂ dom: y = 1 on num's respondents, 0 elsewhere in the domain. z_g = (num_g − p·dom_g)/Σdom;
    q_g = Σ_{i∈g} wᵢ²(yᵢ − p)² / (Σdom)² = ((1 − 2p)·num_s + p²·dom_s) / (Σdom)².
    """
    total = dom_w.sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        # clipped: sums taken in another order can put a 100 % share a rounding error above 1
        p = np.where(total > 0, np.clip(num_w.sum(axis=0) / np.where(total > 0, total, 1.0), 0.0, 1.0), np.nan)
        scale = np.where(total > 0, 1 / np.where(total > 0, total, 1.0), 0.0)
    p_safe = np.nan_to_num(p)
    z = (num_w - p_safe * dom_w) * scale
    q = ((1 - 2 * p_safe) * num_s + p_safe * p_safe * dom_s) * scale * scale
    return p, z, q


def _design_intervals(
    p: np.ndarray,
    var: np.ndarray,
    degf: np.ndarray,
    rows: np.ndarray,
    kish: np.ndarray,
    lonely: np.ndarray,
    thresholds: Thresholds,
) -> dict[str, np.ndarray]:
    """Design-based se, deff, n_eff, interval, method and reason of shares p with variance var.

    degf: R's degf() of each share's domain; rows: its respondents; kish: its Kish base.
    Korn–Graubard follows svyciprop(method = "beta"): n_eff·(t_{α/2, rows−1} / t_{α/2, degf})².
    """
    sc = _special()
    p, var, degf, rows, kish, lonely = np.broadcast_arrays(
        *(np.asarray(a, dtype=float) for a in (p, var, degf, rows, kish)), np.asarray(lonely, dtype=bool)
    )
    alpha = 1 - thresholds.level
    extreme = np.isfinite(p) & ((p <= 0) | (p >= 1))
    reason = np.full(p.shape, None, dtype=object)
    reason[(var <= 0) & ~extreme] = ZERO_VARIANCE
    reason[(degf < 1) & ~extreme] = NO_DEGREES_OF_FREEDOM
    reason[lonely & ~extreme] = LONELY_PSU
    reason[~(rows > 0) | ~np.isfinite(p)] = NO_RESPONDENTS
    ok = np.equal(reason, None) & ~extreme
    p_ok = np.where(ok, p, 0.5)
    v_ok = np.where(ok, var, 1.0)
    df_ok = np.where(ok, degf, 1.0)
    n_ok = np.where(ok, rows, 2.0)
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        n_eff = p_ok * (1 - p_ok) / v_ok
        if thresholds.interval in DESIGN_INTERVALS:
            exact = np.full(p.shape, thresholds.interval == KORN_GRAUBARD)
        else:
            exact = (n_eff < thresholds.small_base) | (np.minimum(p_ok, 1 - p_ok) * n_eff < thresholds.small_count)
        spread = sc.stdtrit(df_ok, 1 - alpha / 2) * np.sqrt(v_ok) / (p_ok * (1 - p_ok))
        low = sc.expit(sc.logit(p_ok) - spread)
        high = sc.expit(sc.logit(p_ok) + spread)
        if exact.any():  # the beta quantiles are the slow part: only where they are used
            adjusted = n_eff * (sc.stdtrit(np.maximum(n_ok - 1, 1), alpha / 2) / sc.stdtrit(df_ok, alpha / 2)) ** 2
            low = np.where(exact, sc.betaincinv(adjusted * p_ok, adjusted * (1 - p_ok) + 1, alpha / 2), low)
            high = np.where(exact, sc.betaincinv(adjusted * p_ok + 1, adjusted * (1 - p_ok), 1 - alpha / 2), high)
        method = np.where(exact, KORN_GRAUBARD, LOGIT).astype(object)
        # 0 % or 100 %: no design variance to use; Clopper–Pearson on the Kish base
        if extreme.any():
            cp_low, cp_high = _clopper_pearson(np.where(extreme, p, 0.5), np.where(extreme & (kish > 0), kish, 1.0),
                                               thresholds.level)
            low = np.where(extreme, cp_low, low)
            high = np.where(extreme, cp_high, high)
            method[extreme] = CLOPPER_PEARSON_KISH
        deff = (n_ok - 1) / n_eff
    low = np.where(ok | extreme, np.clip(np.minimum(low, np.where(ok | extreme, p, 0.5)), 0.0, 1.0), np.nan)
    high = np.where(ok | extreme, np.clip(np.maximum(high, np.where(ok | extreme, p, 0.5)), 0.0, 1.0), np.nan)
    method[~(ok | extreme)] = None
    return {
        "se": np.where(ok | extreme, np.sqrt(np.maximum(np.nan_to_num(var), 0.0)), np.nan),
        "deff": np.where(ok, deff, np.nan),
        "n_eff": np.where(ok, n_eff, np.nan),
        "ci_low": low,
        "ci_high": high,
        "method": method,
        "reason": reason,
    }


def _plain_figures(p: np.ndarray, n: np.ndarray, thresholds: Thresholds) -> dict[str, np.ndarray]:
    """The same columns as `_design_intervals` for plain shares on n respondents."""
    p, n = np.broadcast_arrays(np.asarray(p, dtype=float), np.asarray(n, dtype=float))
    forced = thresholds.interval if thresholds.interval in PLAIN_INTERVALS else None
    low, high, methods = _intervals(p, n, thresholds.level, thresholds.small_base, thresholds.small_count, forced)
    valid = (n > 0) & np.isfinite(p)
    with np.errstate(invalid="ignore", divide="ignore"):
        se = np.where(valid, np.sqrt(np.abs(p * (1 - p)) / np.where(valid, n, 1.0)), np.nan)
    reason = np.where(valid, None, NO_RESPONDENTS).astype(object)
    return {
        "se": se, "deff": np.where(valid, 1.0, np.nan), "n_eff": np.where(valid, n, np.nan),
        "ci_low": low, "ci_high": high, "method": methods, "reason": reason,
    }


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
    weight: str | Design | None = None,
    extra: Sequence[pl.Expr] = (),
) -> pl.DataFrame:
    """One group_by over respondents: per cell of `by` (and of the design's stratum and PSU
    columns), the WEIGHT_SUMS (count, Σw, Σw², smallest and largest weight, unusable weights)
    plus any `extra` aggregations.

    Every `*_from_cells` function takes such cells, or a finer grouping of them, so a page
    can aggregate once and derive all its figures from a small frame.
    """
    design = _as_design(weight)
    lf = _lazy(lf)
    schema = lf.collect_schema()
    keys = list(dict.fromkeys([*by, *design.keys]))
    _require(schema, keys + ([design.weight] if design.weight else []))
    return lf.group_by(keys).agg([*_weight_aggs(schema, design.weight), *extra]).collect()


def _roll_up(cells: pl.DataFrame, by: Sequence[pl.Expr], design: Design) -> pl.DataFrame:
    """Cells summed to a coarser grouping (each respondent is in exactly one cell), keeping
    the design's stratum and PSU apart."""
    _require(cells.schema, [*WEIGHT_SUMS, *design.keys])
    return cells.group_by([*by, *(pl.col(k) for k in design.keys)]).agg(
        pl.col("count").sum(), pl.col("sum_w").sum(), pl.col("sum_w2").sum(),
        pl.col("w_min").min(), pl.col("w_max").max(), pl.col("bad").sum(),
    )


def _check_weights(agg: pl.DataFrame, weight: str | Design | None) -> None:
    design = _as_design(weight)
    bad = int(agg["bad"].sum()) if agg.height else 0
    if bad:
        raise InputError(
            f"The weight column {design.weight!r} has {bad} row(s) with a missing, zero, negative or "
            "non-finite weight; give every respondent a positive weight or remove those rows."
        )
    _check_design_keys(agg, design)


def _is_weighted(agg: pl.DataFrame, weight: str | Design | None) -> bool:
    """True when weights change anything, i.e. they are not all equal."""
    if _as_design(weight).weight is None or agg.height == 0:
        return False
    return bool(agg["w_min"].min() != agg["w_max"].max())


def _design_based(agg: pl.DataFrame, design: Design) -> bool:
    """Figures follow the design variance: weights vary, or the design has clusters or strata."""
    return agg.height > 0 and (design.structured or _is_weighted(agg, design))


def _flags(n_eff: np.ndarray, thresholds: Thresholds) -> np.ndarray:
    n_eff = np.asarray(n_eff, dtype=float)
    return np.where(
        (n_eff < thresholds.min_base) | (n_eff <= 0),
        FLAG_SUPPRESSED,
        np.where(n_eff < thresholds.low_base, FLAG_LOW, FLAG_OK),
    ).astype(object)


def _kish(sum_w: np.ndarray, sum_w2: np.ndarray) -> np.ndarray:
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(sum_w2 > 0, sum_w * sum_w / np.where(sum_w2 > 0, sum_w2, 1.0), 0.0)


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


def _totals(frame: pl.DataFrame, by: str) -> pl.DataFrame:
    return frame.group_by(by).agg(pl.col("count").sum(), pl.col("sum_w").sum(), pl.col("sum_w2").sum())


def _positions(values: pl.Series, ordered: pl.Series) -> np.ndarray:
    """Index of each value in `ordered` (every value is in it)."""
    # a dict on these few keys: polars' replace costs a millisecond per call
    position = {key: i for i, key in enumerate(ordered.to_list())}
    return np.fromiter((position[v] for v in values.to_list()), dtype=np.int64, count=values.len())


def _base_figures(n: int, sum_w: float, sum_w2: float, weighted: bool) -> tuple[float, float | None]:
    """(Kish n_eff, Kish deff) of a base."""
    if n == 0:
        return 0.0, None
    n_eff = sum_w**2 / sum_w2 if weighted else float(n)
    return n_eff, n / n_eff


# ---------------------------------------------------------------- shares


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
    weight: str | Design | None = None,
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
    weight: str | Design | None = None,
    thresholds: Thresholds = Thresholds(),
    keys: Sequence[str] | None = None,
) -> ShareTable:
    """`share_table` on cells already aggregated by `aggregate_cells` (any finer grouping)."""
    design = _as_design(weight)
    _require(cells.schema, [by])
    agg = _roll_up(cells, [pl.col(by).cast(pl.String).alias("key")], design)
    _check_weights(agg, design)
    answered = agg.filter(pl.col("key").is_not_null())
    n_missing = int(agg.filter(pl.col("key").is_null())["count"].sum())
    return _table_of(answered, answered, agg, n_missing, design, thresholds, keys)


def weighted_shares(
    lf: pl.LazyFrame | pl.DataFrame,
    by: str,
    weight: str | Design | None = None,
    thresholds: Thresholds = Thresholds(),
    keys: Sequence[str] | None = None,
) -> pl.DataFrame:
    """The rows of `share_table` (SHARE_SCHEMA)."""
    return share_table(lf, by, weight, thresholds, keys).rows


def multi_response_shares(
    lf: pl.LazyFrame | pl.DataFrame,
    column: str | Sequence[str],
    weight: str | Design | None = None,
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
    design = _as_design(weight)
    lf = _lazy(lf)
    schema = lf.collect_schema()
    columns = [column] if isinstance(column, str) else list(column)
    if not columns:
        raise InputError("Name the multi-select question's column, or its option columns.")
    _require(schema, columns + ([design.weight] if design.weight else []) + design.keys)
    if isinstance(column, str):
        return multi_response_from_cells(aggregate_cells(lf, [column], design), column, design, separator, thresholds, keys)
    options, base = _indicator_options(lf, schema, columns, design)
    return _multi_table(options, base, design, thresholds, keys)


def multi_response_from_cells(
    cells: pl.DataFrame,
    column: str,
    weight: str | Design | None = None,
    separator: str = ";",
    thresholds: Thresholds = Thresholds(),
    keys: Sequence[str] | None = None,
) -> ShareTable:
    """`multi_response_shares` of a delimited text column, on cells from `aggregate_cells`."""
    design = _as_design(weight)
    _require(cells.schema, [column])
    options, base = _delimited_options(cells, column, design, separator)
    return _multi_table(options, base, design, thresholds, keys)


def _multi_table(
    options: pl.DataFrame, base: pl.DataFrame, design: Design, thresholds: Thresholds, keys: Sequence[str] | None
) -> ShareTable:
    n_missing = int(base.filter(~pl.col("answered"))["count"].sum())
    return _table_of(options, base.filter(pl.col("answered")), base, n_missing, design, thresholds, keys)


def _table_of(
    options: pl.DataFrame,
    answered: pl.DataFrame,
    whole: pl.DataFrame,
    n_missing: int,
    design: Design,
    thresholds: Thresholds,
    keys: Sequence[str] | None,
) -> ShareTable:
    """A ShareTable from per-key sums (`options`, by key and design keys) and the sums of the
    rows that answered (the base); `whole` is every cell, for the design's PSU counts."""
    base_n = int(answered["count"].sum())
    base_w = float(answered["sum_w"].sum())
    base_w2 = float(answered["sum_w2"].sum())
    weighted = _is_weighted(answered, design)
    based = _design_based(answered, design)
    n_eff, deff = _base_figures(base_n, base_w, base_w2, weighted)
    order = _order_keys(_totals(options, "key") if design.keys else options, keys, "key")
    flags = _flags(np.full(order.height, n_eff), thresholds)
    if based:
        (key_groups, base_groups), units = _unit_codes(design, whole, [options, answered])
        size = order.height
        index = _positions(options["key"], order["key"])
        num_w, num_s, num_n = (
            _grid(key_groups, index, options[c].to_numpy().astype(float), units.groups, size)
            for c in ("sum_w", "sum_w2", "count")
        )
        zeros = np.zeros(answered.height, dtype=np.int64)
        dom_w, dom_s, dom_n = (
            _grid(base_groups, zeros, answered[c].to_numpy().astype(float), units.groups, 1)
            for c in ("sum_w", "sum_w2", "count")
        )
        shares, z, q = _ratio(num_w, num_s, dom_w, dom_s)
        figures = _design_intervals(
            shares, units.variance(z, q), units.degrees_of_freedom(dom_n)[0], base_n, n_eff,
            units.lonely(dom_n)[0], thresholds,
        )
    else:  # equal weights change nothing: counts
        counts = order["count"].to_numpy().astype(float)
        shares = counts / base_n if base_n > 0 else np.full(order.height, np.nan)
        figures = _plain_figures(shares, np.full(order.height, float(base_n)), thresholds)
    return ShareTable(
        rows=_share_frame(order, shares, figures, flags),
        base_rows=base_n,
        sum_w=base_w,
        n_eff=n_eff,
        deff=deff,
        weighted=design.weight is not None,
        level=thresholds.level,
        n_missing=n_missing,
        design_based=based,
    )


def _share_frame(order: pl.DataFrame, shares: np.ndarray, figures: dict[str, np.ndarray], flags: np.ndarray) -> pl.DataFrame:
    shown = flags != FLAG_SUPPRESSED
    hidden = {name: np.where(shown, values, np.nan) for name, values in figures.items() if name not in ("method", "reason")}
    return pl.DataFrame(
        {
            "key": order["key"],
            "count": order["count"],
            "sum_w": order["sum_w"],
            "sum_w2": order["sum_w2"],
            "share": np.where(shown, shares, np.nan),
            **hidden,
            # lists: polars cannot type an object array whose first value is None
            "method": np.where(shown, figures["method"], None).tolist(),
            "flag": flags.tolist(),
            "reason": np.where(shown, figures["reason"], None).tolist(),
        },
        schema=SHARE_SCHEMA,
        nan_to_null=True,
    )


def _delimited_options(
    cells: pl.DataFrame, column: str, design: Design, separator: str, apart: Sequence[str] = ()
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(per option, `apart` columns and design keys: count/Σw/Σw²; per answered status, `apart`
    columns and design keys: the base) of a delimited text column."""
    schema = cells.schema
    if schema[column] not in (pl.String, pl.Categorical) and not isinstance(schema[column], pl.Enum):
        raise InputError(
            f"The column {column!r} holds {schema[column]} values; a multi-select column must be text "
            f"like 'Hootsuite{separator}Salesforce', or give one 0/1 column per option."
        )
    # Aggregate per distinct answer text first: a panel has few distinct combinations.
    texts = _roll_up(
        cells, [pl.col(column).cast(pl.String).str.strip_chars().alias("text"), *(pl.col(c) for c in apart)], design
    ).with_columns(answered=pl.col("text").is_not_null() & (pl.col("text") != ""))
    _check_weights(texts, design)
    choices = (
        texts.filter(pl.col("answered"))
        .with_columns(
            pl.col("text").str.split(separator).list.eval(pl.element().str.strip_chars()).list.unique().alias("key")
        )
        .explode("key")
        .filter(pl.col("key") != "")
        .group_by(["key", *apart, *design.keys])
        .agg(pl.col("count").sum(), pl.col("sum_w").sum(), pl.col("sum_w2").sum())
    )
    base = texts.group_by(["answered", *apart, *design.keys]).agg(
        pl.col("count").sum(), pl.col("sum_w").sum(), pl.col("sum_w2").sum(),
        pl.col("w_min").min(), pl.col("w_max").max(), pl.col("bad").sum(),
    )
    return choices, base


def _indicator_options(
    lf: pl.LazyFrame, schema: pl.Schema, columns: list[str], design: Design
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(per option and design keys: count/Σw/Σw²; per answered status and design keys: the base)
    of 0/1 option columns."""
    not_indicator = [c for c in columns if not (schema[c].is_numeric() or schema[c] == pl.Boolean)]
    if not_indicator:
        raise InputError(
            f"Option column(s) {', '.join(not_indicator)} are not 0/1 numbers; "
            "code each option as 1 (chosen), 0 (not chosen) or empty."
        )
    answered = pl.any_horizontal([pl.col(c).is_not_null() for c in columns]).alias("answered")
    w = pl.col(design.weight).cast(pl.Float64) if design.weight else pl.lit(1.0)
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
    base = lf.group_by([answered, *design.keys]).agg(_weight_aggs(schema, design.weight) + aggs).collect()
    _check_weights(base, design)
    invalid = int(base["invalid"].sum() or 0)
    if invalid:
        raise InputError(
            f"{invalid} value(s) in the option columns {', '.join(columns)} are neither 0 nor 1; "
            "code each option as 1 (chosen), 0 (not chosen) or empty (not asked)."
        )
    chosen = base.filter(pl.col("answered"))  # unanswered rows chose nothing
    options = pl.concat(
        [
            chosen.select(
                pl.lit(c).alias("key"), *design.keys,
                pl.col(f"count_{i}").alias("count"), pl.col(f"sum_w_{i}").alias("sum_w"),
                pl.col(f"sum_w2_{i}").alias("sum_w2"),
            )
            for i, c in enumerate(columns)
        ]
    )
    return options, base.select("answered", *design.keys, *WEIGHT_SUMS)


# ---------------------------------------------------------------- differences of shares


def share_differences_from_cells(
    cells_a: pl.DataFrame,
    cells_b: pl.DataFrame,
    by: str,
    weight: str | Design | None = None,
    thresholds: Thresholds = Thresholds(),
    keys: Sequence[str] | None = None,
    separator: str | None = None,
) -> pl.DataFrame:
    """Share of each category of `by` in group A minus group B (COMPARISON_SCHEMA), for two
    groups of respondents of one survey that do not overlap (cells from `aggregate_cells`).
    With `separator`, `by` is a multi-answer column: each option's share of the respondents
    who answered, as `multi_response_shares`.

    Plain: Newcombe's hybrid score interval and the pooled z test. Design-based: the
    linearised variance of the difference (one design: clusters shared by both groups count
    once) and the t test of R's svyttest(I(by == key) ~ group, subset(design, A or B)) on
    degf − 1 degrees of freedom, interval d ± t·se as confint(svyglm(…)). A row is null where a
    side is suppressed, both shares are 0 % or both 100 %, or the variance is not computable
    (`reason`).
    """
    design = _as_design(weight)
    _require(cells_a.schema, [by])
    _require(cells_b.schema, [by])
    sides = pl.concat([cells_a.with_columns(_side=pl.lit(0)), cells_b.with_columns(_side=pl.lit(1))], how="diagonal_relaxed")
    if separator is None:
        whole = _roll_up(sides, [pl.col(by).cast(pl.String).alias("key"), pl.col("_side")], design)
        _check_weights(whole, design)
        options = answered = whole.filter(pl.col("key").is_not_null())
    else:
        options, whole = _delimited_options(sides, by, design, separator, apart=["_side"])
        answered = whole.filter(pl.col("answered"))
    order = _order_keys(_totals(options, "key"), keys, "key")
    size = order.height
    based = _design_based(answered, design)
    if based:
        (option_groups, base_groups), units = _unit_codes(design, whole, [options, answered])
        n_groups = units.groups
    else:
        option_groups, base_groups = np.zeros(options.height, dtype=np.int64), np.zeros(answered.height, dtype=np.int64)
        units, n_groups = None, 1
    index = _positions(options["key"], order["key"]) * 2 + options["_side"].to_numpy()
    side = answered["_side"].to_numpy().astype(np.int64)
    num_w, num_s, num_n = (
        _grid(option_groups, index, options[c].to_numpy().astype(float), n_groups, size * 2).reshape(n_groups, size, 2)
        for c in ("sum_w", "sum_w2", "count")
    )
    dom_w, dom_s, dom_n = (
        _grid(base_groups, side, answered[c].to_numpy().astype(float), n_groups, 2).reshape(n_groups, 1, 2)
        for c in ("sum_w", "sum_w2", "count")
    )
    base_n, base_w, base_w2 = (a.sum(axis=0)[0] for a in (dom_n, dom_w, dom_s))
    kish = _kish(base_w, base_w2) if _is_weighted(answered, design) else base_n
    flags = _flags(kish, thresholds)
    if based:
        shares, z, q = _ratio(num_w, num_s, dom_w, dom_s)
    else:
        with np.errstate(invalid="ignore", divide="ignore"):
            shares = num_n.sum(axis=0) / base_n
    p_a, p_b = shares[:, 0], shares[:, 1]
    d = p_a - p_b
    valid = np.isfinite(d) & (flags != FLAG_SUPPRESSED).all() & ~((p_a == p_b) & ((p_a == 0) | (p_a == 1)))
    reason = np.full(size, None, dtype=object)
    if based:
        var = units.variance(z[..., 0] - z[..., 1], q[..., 0] + q[..., 1])
        counts = dom_n.sum(axis=(1, 2))
        df = float(units.degrees_of_freedom(counts) - 1)
        lonely = bool(units.lonely(counts))
        reason[valid & (var <= 0)] = ZERO_VARIANCE
        if df < 1:
            reason[valid] = NO_DEGREES_OF_FREEDOM
        if lonely:
            reason[valid] = LONELY_PSU
        valid &= np.equal(reason, None)
        sc = _special()
        with np.errstate(invalid="ignore", divide="ignore"):
            se = np.sqrt(np.where(valid, var, np.nan))
            statistic = d / se
            p_value = 2 * sc.stdtr(max(df, 1.0), -np.abs(statistic))
            half = sc.stdtrit(max(df, 1.0), 0.5 + thresholds.level / 2) * se
        low, high = d - half, d + half
        dfs = np.full(size, df)
        method = DESIGN_T
    else:
        n_a, n_b = (np.full(size, float(base_n[i])) for i in (0, 1))
        safe = [np.where(valid, a, fill) for a, fill in ((p_a, 0.5), (n_a, 1.0), (p_b, 0.5), (n_b, 1.0))]
        _, low, high, statistic, p_value = _newcombe(*safe, thresholds.level)
        se = np.where(valid, np.sqrt(safe[0] * (1 - safe[0]) / safe[1] + safe[2] * (1 - safe[2]) / safe[3]), np.nan)
        dfs = np.full(size, np.nan)
        method = NEWCOMBE
    shown = flags != FLAG_SUPPRESSED
    return pl.DataFrame(
        {
            "key": order["key"],
            "share_a": np.where(shown[0], p_a, np.nan),
            "share_b": np.where(shown[1], p_b, np.nan),
            "n_eff_a": np.full(size, float(kish[0])),
            "n_eff_b": np.full(size, float(kish[1])),
            "flag_a": [flags[0]] * size,
            "flag_b": [flags[1]] * size,
            "diff": np.where(valid, d, np.nan),
            "se": np.where(valid, se, np.nan),
            "df": np.where(valid, dfs, np.nan),
            "ci_low": np.where(valid, low, np.nan),
            "ci_high": np.where(valid, high, np.nan),
            "statistic": np.where(valid, statistic, np.nan),
            "p_value": np.where(valid, p_value, np.nan),
            "method": [method if v else None for v in valid],
            "reason": reason.tolist(),
        },
        schema=COMPARISON_SCHEMA,
        nan_to_null=True,
    )


def reference_differences(
    table: ShareTable,
    reference: Sequence[float | None] | np.ndarray,
    reference_n: float,
    thresholds: Thresholds = Thresholds(),
) -> pl.DataFrame:
    """Each share of `table` minus a published share (`reference`, 0–1, row by row) from a
    study taken as a simple random sample of `reference_n` (COMPARISON_SCHEMA, B = the study).

    Plain: Newcombe's hybrid score interval and pooled z on the respondent count. Design-based:
    the same construction (Newcombe's method of recovering variance estimates) from the
    survey share's design interval and the study's Wilson interval, with the z test
    d / √(V + p0(1 − p0)/n0) — independent samples, so the variances add.
    """
    if not (math.isfinite(reference_n) and reference_n > 0):
        raise InputError(f"The published base {reference_n} must be a positive number of respondents.")
    rows = table.rows
    size = rows.height
    p = rows["share"].to_numpy().astype(float)
    p0 = np.array([np.nan if v is None else v for v in reference], dtype=float)
    if p0.size != size:
        raise InputError(f"Give one published share per row: {size} rows, {p0.size} shares.")
    n0 = np.full(size, float(reference_n))
    valid = np.isfinite(p) & np.isfinite(p0) & (p0 >= 0) & (p0 <= 1) & ~((p == p0) & ((p == 0) | (p == 1)))
    valid &= (np.full(size, reference_n) >= thresholds.min_base)
    reason = np.full(size, None, dtype=object)
    sc = _special()
    if table.design_based:
        low, high = (rows[c].to_numpy().astype(float) for c in ("ci_low", "ci_high"))
        se = rows["se"].to_numpy().astype(float)
        reason = np.array(rows["reason"].to_list(), dtype=object)
        valid &= np.isfinite(low) & np.isfinite(se)
        p_s, p0_s, low_s, high_s, se_s = (np.where(valid, a, 0.5) for a in (p, p0, low, high, se))
        l0, u0 = _wilson(p0_s, n0, _z_quantile(thresholds.level))
        d = p_s - p0_s
        ci_low, ci_high = _mover(d, p_s, low_s, high_s, p0_s, l0, u0)
        with np.errstate(invalid="ignore", divide="ignore"):
            total_se = np.sqrt(se_s**2 + p0_s * (1 - p0_s) / n0)
            statistic = np.where(total_se > 0, d / np.where(total_se > 0, total_se, 1.0), 0.0)
        p_value = 2 * sc.ndtr(-np.abs(statistic))
        method = NEWCOMBE_DESIGN
    else:
        n = np.full(size, float(table.base_rows))
        valid &= (n > 0)
        safe = [np.where(valid, a, fill) for a, fill in ((p, 0.5), (n, 1.0), (p0, 0.5), (n0, 1.0))]
        d, ci_low, ci_high, statistic, p_value = _newcombe(*safe, thresholds.level)
        se_s = np.sqrt(safe[0] * (1 - safe[0]) / safe[1])
        total_se = np.sqrt(se_s**2 + safe[2] * (1 - safe[2]) / safe[3])
        method = NEWCOMBE
    return pl.DataFrame(
        {
            "key": rows["key"],
            "share_a": p,
            "share_b": p0,
            "n_eff_a": np.full(size, table.n_eff),
            "n_eff_b": n0,
            "flag_a": rows["flag"],
            "flag_b": [None] * size,
            "diff": np.where(valid, d, np.nan),
            "se": np.where(valid, total_se, np.nan),
            "df": np.full(size, np.nan),
            "ci_low": np.where(valid, ci_low, np.nan),
            "ci_high": np.where(valid, ci_high, np.nan),
            "statistic": np.where(valid, statistic, np.nan),
            "p_value": np.where(valid, p_value, np.nan),
            "method": [method if v else None for v in valid],
            "reason": [r if not v else None for r, v in zip(reason.tolist(), valid)],
        },
        schema=COMPARISON_SCHEMA,
        nan_to_null=True,
    )


# ---------------------------------------------------------------- crosstab


def _contrasts(r: int, c: int) -> np.ndarray:
    """Basis of the r×c interaction contrasts (zero row and column sums): e_ij − e_ic − e_rj + e_rc."""
    contrasts = np.zeros((r * c, (r - 1) * (c - 1)))
    k = 0
    for i in range(r - 1):
        for j in range(c - 1):
            contrasts[i * c + j, k] = contrasts[(r - 1) * c + c - 1, k] = 1
            contrasts[i * c + c - 1, k] = contrasts[(r - 1) * c + j, k] = -1
            k += 1
    return contrasts


@dataclass(frozen=True)
class _Independence:
    test: str | None
    statistic: float | None = None
    dof: int = 0
    p_value: float | None = None
    cramers_v: float | None = None
    mean_deff: float | None = None
    sparse: bool = False
    ndf: float | None = None
    ddf: float | None = None
    reason: str | None = None


def _independence(
    counts: np.ndarray, sum_w: np.ndarray, sum_w2: np.ndarray, units: _Units | None, weighted_test: str
) -> _Independence:
    """The table's test on its non-empty rows and columns; grids are (groups, rows, columns),
    units None for a plain table.

    Design-based, as R's svychisq (survey 4.1): X² is Pearson's statistic on the weighted
    table scaled to the n respondents; V the linearised covariance of the cell shares;
    Δ = (CᵀD⁻¹C/n)⁻¹ CᵀD⁻¹VD⁻¹C over the interaction contrasts C (Rao & Scott 1984, Annals of
    Statistics 12:46–60). Second order: F = X²/tr Δ on d = (tr Δ)²/tr Δ² and d·ν degrees of
    freedom (ν = PSUs − strata); first order: X²/δ̄, δ̄ = tr Δ/((r−1)(c−1)), on χ²((r−1)(c−1)).
    """
    total = counts.sum(axis=0)
    keep_r = total.sum(axis=1) > 0
    keep_c = total.sum(axis=0) > 0
    counts, sum_w, sum_w2 = (m[:, keep_r][:, :, keep_c] for m in (counts, sum_w, sum_w2))
    _, r, c = counts.shape
    if r < 2 or c < 2:
        return _Independence(None, reason=ONE_CATEGORY if counts.sum() > 0 else NO_RESPONDENTS)
    n = float(counts.sum())
    dof = (r - 1) * (c - 1)
    table = counts.sum(axis=0)
    sc = _special()
    if units is None:
        from scipy import stats as sps

        result = sps.chi2_contingency(table, correction=False)
        small = result.expected_freq < SMALL_EXPECTED
        cramers_v = math.sqrt(float(result.statistic) / (n * (min(r, c) - 1)))
        if (r, c) == (2, 2) and small.any():
            p_value = float(sps.fisher_exact(table.astype(np.int64)).pvalue)
            return _Independence(TEST_FISHER, float(result.statistic), dof, p_value, cramers_v, sparse=bool(small.mean() > 0.2))
        return _Independence(TEST_PEARSON, float(result.statistic), dof, float(result.pvalue), cramers_v,
                             sparse=bool(small.mean() > 0.2))
    groups = sum_w.shape[0]
    w = sum_w.reshape(groups, r * c)
    s = sum_w2.reshape(groups, r * c)
    total_w = w.sum()
    p = w.sum(axis=0) / total_w
    expected = np.outer(p.reshape(r, c).sum(axis=1), p.reshape(r, c).sum(axis=0)).ravel()
    x2 = float(n * ((p - expected) ** 2 / expected).sum())
    cramers_v = math.sqrt(x2 / (n * (min(r, c) - 1)))
    sparse = bool((_kish(total_w, s.sum()) * expected < SMALL_EXPECTED).mean() > 0.2)
    test = _Independence(weighted_test, dof=dof, cramers_v=cramers_v, sparse=sparse)
    if units.lonely(counts.sum(axis=(1, 2)))[()]:
        return replace(test, reason=LONELY_PSU)
    z = (w - np.outer(w.sum(axis=1), p)) / total_w
    if units.clustered:
        covariance = units.covariance(z, None)
    else:
        sf = units.weighted_by_factor(s)
        covariance = units.covariance(
            z, (np.diag(sf) - np.outer(sf, p) - np.outer(p, sf) + sf.sum() * np.outer(p, p)) / total_w**2
        )
    contrasts = _contrasts(r, c)
    inverse_d = np.where(p > 0, 1 / np.where(p > 0, p, 1.0), 0.0)
    scaled = contrasts * inverse_d[:, None]
    denominator = contrasts.T @ scaled / n
    numerator = scaled.T @ covariance @ scaled
    # R's solve() refuses a reciprocal condition number below machine epsilon.
    condition = np.linalg.cond(denominator, 1)
    if not (np.isfinite(condition) and condition * np.finfo(float).eps < 1 and np.isfinite(numerator).all()):
        return replace(test, reason=SINGULAR)
    delta = np.linalg.solve(denominator, numerator)
    trace, trace2 = float(np.trace(delta)), float(np.trace(delta @ delta))
    if not trace > 0 or not trace2 > 0:
        return replace(test, reason=ZERO_VARIANCE)
    mean_deff = trace / dof
    if weighted_test == TEST_RAO_SCOTT_FIRST:
        statistic = x2 / mean_deff
        return replace(test, statistic=statistic, p_value=float(sc.chdtrc(dof, statistic)), mean_deff=mean_deff)
    ndf = trace * trace / trace2
    nu = float(units.degrees_of_freedom(counts.sum(axis=(1, 2)))[()])
    statistic = x2 / trace
    if nu < 1:
        return replace(test, statistic=statistic, mean_deff=mean_deff, ndf=ndf, reason=NO_DEGREES_OF_FREEDOM)
    return replace(test, statistic=statistic, p_value=float(sc.fdtrc(ndf, ndf * nu, statistic)),
                   mean_deff=mean_deff, ndf=ndf, ddf=ndf * nu)


def _independence_test(
    counts: np.ndarray, sum_w: np.ndarray, sum_w2: np.ndarray, weighted: bool
) -> tuple[str | None, float | None, int, float | None, float | None, float | None, bool]:
    """(test, statistic, dof, p_value, cramers_v, mean_deff, sparse) of an r×c table whose
    cells are the whole sample, every respondent its own PSU; see `_independence`."""
    units = _Units(np.zeros(1, dtype=np.int64), np.array([int(counts.sum())]), clustered=False) if weighted else None
    result = _independence(counts[None], sum_w[None], sum_w2[None], units, TEST_RAO_SCOTT)
    return (result.test, result.statistic, result.dof, result.p_value, result.cramers_v, result.mean_deff,
            result.sparse)


def _column_proportion_tests(
    share: np.ndarray, col_eff: np.ndarray, rest: np.ndarray, rest_eff: np.ndarray, thresholds: Thresholds
) -> tuple[np.ndarray, np.ndarray]:
    """(z, p) per cell of a plain table: column share vs the other columns' share, pooled z.

    A test runs when both bases reach min_base and the row is neither absent nor everything
    (pooled share strictly between 0 and 1); other cells get NaN.
    """
    with np.errstate(invalid="ignore", divide="ignore"):
        pooled = (col_eff * share + rest_eff * rest) / (col_eff + rest_eff)
        min_base = max(thresholds.min_base, 1e-12)
        testable = (col_eff >= min_base) & (rest_eff >= min_base) & (pooled > 0) & (pooled < 1)
        z, p_values = _pooled_z(share, col_eff, rest, rest_eff)
    return np.where(testable, z, np.nan), np.where(testable, p_values, np.nan)


def crosstab(
    lf: pl.LazyFrame | pl.DataFrame,
    row: str,
    column: str,
    weight: str | Design | None = None,
    thresholds: Thresholds = Thresholds(),
    row_keys: Sequence[str] | None = None,
    column_keys: Sequence[str] | None = None,
    weighted_test: str = TEST_RAO_SCOTT,
) -> Crosstab:
    """Distribution of `row` categories within each `column` category, with tests.

    Independence: Pearson χ² (no Yates) plain, Fisher's exact test instead for a plain 2×2
    table with an expected count below 5; design-based, the Rao–Scott test (second order
    with its F reference by default, `weighted_test=TEST_RAO_SCOTT_FIRST` for the first
    order), with `sparse` as the low-base warning on small tables.
    Cells: for each row category and column, the share in this column against the share in
    all other columns — pooled z plain; design-based, the t test of R's
    svyttest(I(row == i) ~ I(column == j), design) on degf − 1 degrees of freedom — run when
    both Kish bases reach `min_base`; Benjamini–Hochberg over every test run. Respondents
    with a null row or column are left out (a domain of the design); all-zero rows/columns
    stay in `cells` but not in the table's test.
    """
    design = _as_design(weight)
    cells = aggregate_cells(lf, list(dict.fromkeys([row, column])), design)
    return crosstab_from_cells(cells, row, column, design, thresholds, row_keys, column_keys, weighted_test)


def crosstab_from_cells(
    cells: pl.DataFrame,
    row: str,
    column: str,
    weight: str | Design | None = None,
    thresholds: Thresholds = Thresholds(),
    row_keys: Sequence[str] | None = None,
    column_keys: Sequence[str] | None = None,
    weighted_test: str = TEST_RAO_SCOTT,
) -> Crosstab:
    """`crosstab` on cells already aggregated by `aggregate_cells` (any finer grouping)."""
    if weighted_test not in (TEST_RAO_SCOTT, TEST_RAO_SCOTT_FIRST):
        raise InputError(f"Unknown weighted test {weighted_test!r}; use {TEST_RAO_SCOTT!r} or {TEST_RAO_SCOTT_FIRST!r}.")
    design = _as_design(weight)
    _require(cells.schema, [row, column])
    agg = _roll_up(cells, [pl.col(row).cast(pl.String).alias("row"), pl.col(column).cast(pl.String).alias("column")],
                   design)
    _check_weights(agg, design)
    complete = agg.filter(pl.col("row").is_not_null() & pl.col("column").is_not_null())
    n_missing = int(agg["count"].sum() - complete["count"].sum()) if agg.height else 0
    weighted = _is_weighted(complete, design)
    based = _design_based(complete, design)
    row_order = _order_keys(_totals(complete, "row"), row_keys, "row")["row"]
    col_order = _order_keys(_totals(complete, "column"), column_keys, "column")["column"]
    r, c = len(row_order), len(col_order)
    if based:
        (groups,), units = _unit_codes(design, agg, [complete])
        n_groups = units.groups
    else:
        groups, units, n_groups = np.zeros(complete.height, dtype=np.int64), None, 1
    index = _positions(complete["row"], row_order) * c + _positions(complete["column"], col_order)
    counts, sum_w, sum_w2 = (
        _grid(groups, index, complete[name].to_numpy().astype(float), n_groups, r * c).reshape(n_groups, r, c)
        for name in ("count", "sum_w", "sum_w2")
    )
    table_n, table_w, table_w2 = counts.sum(axis=0), sum_w.sum(axis=0), sum_w2.sum(axis=0)
    base_n = int(table_n.sum())
    col_n, col_w, col_w2 = table_n.sum(axis=0), table_w.sum(axis=0), table_w2.sum(axis=0)
    rest_n, rest_w, rest_w2 = base_n - col_n, table_w.sum() - col_w, table_w2.sum() - col_w2
    col_eff = _kish(col_w, col_w2) if weighted else col_n
    rest_eff = _kish(rest_w, rest_w2) if weighted else rest_n
    col_flags = _flags(col_eff, thresholds)
    sc = _special()
    with np.errstate(invalid="ignore", divide="ignore"):
        if based:
            # each column a domain: share of each row within it, and within all other columns
            share, z_in, q_in = _ratio(sum_w, sum_w2, sum_w.sum(axis=1, keepdims=True),
                                          sum_w2.sum(axis=1, keepdims=True))
            column_counts = counts.sum(axis=1)
            figures = _design_intervals(
                share, units.variance(z_in, q_in), units.degrees_of_freedom(column_counts), col_n, col_eff,
                units.lonely(column_counts), thresholds,
            )
            out_w = sum_w.sum(axis=2, keepdims=True) - sum_w
            out_s = sum_w2.sum(axis=2, keepdims=True) - sum_w2
            rest_dom_w = sum_w.sum(axis=(1, 2), keepdims=True) - sum_w.sum(axis=1, keepdims=True)
            rest_dom_s = sum_w2.sum(axis=(1, 2), keepdims=True) - sum_w2.sum(axis=1, keepdims=True)
            rest, z_out, q_out = _ratio(out_w, out_s, rest_dom_w, rest_dom_s)
            var = units.variance(z_in - z_out, q_in + q_out)
            table_counts = counts.sum(axis=(1, 2))
            df = float(units.degrees_of_freedom(table_counts)) - 1
            testable = (
                (col_eff >= max(thresholds.min_base, 1e-12)) & (rest_eff >= max(thresholds.min_base, 1e-12))
                & (var > 0) & (df >= 1) & ~units.lonely(table_counts)
            )
            statistic = np.where(testable, (share - rest) / np.sqrt(np.where(testable, var, 1.0)), np.nan)
            p_values = np.where(testable, 2 * sc.stdtr(max(df, 1.0), -np.abs(np.nan_to_num(statistic))), np.nan)
            dfs = np.where(testable, df, np.nan)
            cell_test = CELL_DESIGN_T
        else:
            share = table_n / col_n
            rest = (table_n.sum(axis=1, keepdims=True) - table_n) / rest_n
            figures = _plain_figures(share, np.broadcast_to(col_n, (r, c)), thresholds)
            statistic, p_values = _column_proportion_tests(
                share, np.broadcast_to(col_eff, (r, c)), rest, np.broadcast_to(rest_eff, (r, c)), thresholds
            )
            dfs = np.full((r, c), np.nan)
            cell_test = CELL_Z
    tested = np.isfinite(p_values)
    adjusted = np.full(p_values.shape, np.nan)
    adjusted[tested] = benjamini_hochberg(p_values[tested])
    significant = tested & (adjusted < 1 - thresholds.level)
    direction = np.where(significant, np.where(share > rest, "higher", "lower"), None).astype(object)
    flags = np.broadcast_to(col_flags, (r, c)).ravel()
    shown = flags != FLAG_SUPPRESSED
    numbers = {name: np.broadcast_to(values, (r, c)).ravel() for name, values in figures.items()}
    cells = pl.DataFrame(
        {
            "row": np.repeat(row_order.to_numpy(), c).tolist(),
            "column": np.tile(col_order.to_numpy(), r).tolist(),
            "count": table_n.ravel().astype(np.int64),
            "sum_w": table_w.ravel(),
            "column_share": np.where(shown, share.ravel(), np.nan),
            **{name: np.where(shown, numbers[name], np.nan) for name in ("se", "deff", "n_eff", "ci_low", "ci_high")},
            "method": np.where(shown, numbers["method"], None).tolist(),
            "flag": flags.tolist(),
            "reason": np.where(shown, numbers["reason"], None).tolist(),
            "rest_share": np.where(shown, np.broadcast_to(rest, (r, c)).ravel(), np.nan),
            "statistic": statistic.ravel(),
            "df": dfs.ravel(),
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
    test = _independence(counts, sum_w, sum_w2, units, weighted_test)
    return Crosstab(
        cells=cells,
        column_bases=column_bases,
        test=test.test,
        statistic=test.statistic,
        dof=test.dof,
        p_value=test.p_value,
        cramers_v=test.cramers_v,
        n_tests=int(tested.sum()),
        mean_deff=test.mean_deff,
        sparse=test.sparse,
        base_rows=base_n,
        n_missing=n_missing,
        weighted=design.weight is not None,
        level=thresholds.level,
        ndf=test.ndf,
        ddf=test.ddf,
        reason=test.reason,
        cell_test=cell_test if r * c else None,
        design_based=based,
    )


# ---------------------------------------------------------------- means of a numeric answer

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
        half = _special().stdtrit(np.where(df > 0, df, 1), 0.5 + thresholds.level / 2) * se
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
    sc = _special()
    half = float(sc.stdtrit(df, 0.5 + level / 2)) * se
    return Difference(d, d - half, d + half, t, float(2 * sc.stdtr(df, -abs(t))), WELCH, level)

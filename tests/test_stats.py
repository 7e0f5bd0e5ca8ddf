"""Tests for digistrat.stats: plain figures against published values or hand derivations,
design-based ones against R's survey package run live (tests/r/), degenerate data by property."""

from __future__ import annotations

import json
import math
import statistics
import subprocess
import sys
from pathlib import Path

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats as sps

from digistrat import datasets, explore
from digistrat.errors import InputError
from digistrat.query import FilterSpec
from digistrat.stats import (
    CELL_SCHEMA,
    CLOPPER_PEARSON,
    CLOPPER_PEARSON_KISH,
    DESIGN_T,
    KORN_GRAUBARD,
    LOGIT,
    LONELY_PSU,
    NEWCOMBE,
    NEWCOMBE_DESIGN,
    NO_DEGREES_OF_FREEDOM,
    REASONS,
    SHARE_SCHEMA,
    SINGULAR,
    TEST_RAO_SCOTT,
    TEST_RAO_SCOTT_FIRST,
    WILSON,
    Design,
    Thresholds,
    aggregate_cells,
    benjamini_hochberg,
    crosstab,
    difference,
    effective_base,
    multi_response_shares,
    reference_differences,
    share_differences_from_cells,
    share_interval,
    share_table,
    versus_reference,
    weighted_shares,
)
from tests.r import survey_files

NO_SUPPRESSION = Thresholds(min_base=0, low_base=0)


def respondents(cells: dict[tuple[str, str], list[float]]) -> pl.DataFrame:
    """One row per respondent from {(row, column): [weights]}."""
    rows = [(r, c, w) for (r, c), weights in cells.items() for w in weights]
    return pl.DataFrame(rows, schema={"row": pl.String, "col": pl.String, "w": pl.Float64}, orient="row")


def p_two_sided(z: float) -> float:
    return math.erfc(abs(z) / math.sqrt(2))


# ---------------------------------------------------------------- single-share intervals

# Newcombe RG (1998) Two-sided confidence intervals for the single proportion: comparison of
# seven methods. Statistics in Medicine 17:857–872, Table I: method 3 (Wilson score) and
# method 5 (Clopper–Pearson exact), four decimals.
NEWCOMBE_1998A = [
    # x, n, wilson, clopper_pearson
    (81, 263, (0.2553, 0.3662), (0.2527, 0.3676)),
    (15, 148, (0.0624, 0.1605), (0.0578, 0.1617)),
    (0, 20, (0.0000, 0.1611), (0.0000, 0.1684)),
    (1, 29, (0.0061, 0.1718), (0.0009, 0.1776)),
]


@pytest.mark.parametrize(("x", "n", "wilson", "exact"), NEWCOMBE_1998A)
def test_single_share_intervals_match_newcombe_1998_table_i(x, n, wilson, exact):
    low, high, method = share_interval(x / n, n, method="wilson")
    assert method == "wilson"
    assert (round(low, 4), round(high, 4)) == wilson
    low, high, method = share_interval(x / n, n, method="clopper_pearson")
    assert method == "clopper_pearson"
    assert (round(low, 4), round(high, 4)) == exact


@pytest.mark.parametrize(("x", "n"), [(81, 263), (15, 148), (0, 20), (1, 29), (7, 7), (3, 11)])
@pytest.mark.parametrize("level", [0.90, 0.95, 0.99])
def test_integer_bases_agree_with_scipy_binomtest(x, n, level):
    ref = sps.binomtest(x, n)
    for method, scipy_name in (("wilson", "wilson"), ("clopper_pearson", "exact")):
        low, high, _ = share_interval(x / n, n, level=level, method=method)
        ci = ref.proportion_ci(confidence_level=level, method=scipy_name)
        assert low == pytest.approx(ci.low, abs=1e-9)
        assert high == pytest.approx(ci.high, abs=1e-9)


def test_wilson_vegetarian_example_agresti():
    # Agresti (2007) An Introduction to Categorical Data Analysis, 2nd ed., ch. 1: 0 vegetarians
    # among 25 students, score interval (0.0, 0.133). Forced Wilson: the auto rule picks exact here.
    low, high, _ = share_interval(0.0, 25, method="wilson")
    assert low == 0.0
    assert round(high, 3) == 0.133


@pytest.mark.parametrize(("p", "n_eff"), [(0.3, 57.4), (0.02, 812.3), (0.6, 31.7)])
def test_wilson_bounds_solve_the_score_equation_for_non_integer_bases(p, n_eff):
    # Wilson (1927): the bounds are the π with (p − π)² = z² π(1 − π) / n, for any real n.
    z = sps.norm.ppf(0.975)
    low, high, _ = share_interval(p, n_eff, method="wilson")
    for bound in (low, high):
        assert (p - bound) ** 2 == pytest.approx(z**2 * bound * (1 - bound) / n_eff, rel=1e-9)


def test_clopper_pearson_with_non_integer_count_brackets_integer_neighbours():
    # x = p·n_eff = 4.5 on n_eff = 30: the exact interval lies between those for 4/30 and 5/30.
    low, high, _ = share_interval(0.15, 30.0, method="clopper_pearson")
    low4, high4, _ = share_interval(4 / 30, 30, method="clopper_pearson")
    low5, high5, _ = share_interval(5 / 30, 30, method="clopper_pearson")
    assert low4 < low < low5
    assert high4 < high < high5


def test_method_choice_small_base_and_rare_outcome():
    assert share_interval(0.5, 29.9)[2] == "clopper_pearson"  # base below small_base (30)
    assert share_interval(0.5, 30)[2] == "wilson"
    assert share_interval(4 / 1000, 1000)[2] == "clopper_pearson"  # 4 < 5 expected successes
    assert share_interval(996 / 1000, 1000)[2] == "clopper_pearson"  # 4 failures
    assert share_interval(5 / 1000, 1000)[2] == "wilson"
    assert share_interval(0.5, 20, small_base=10)[2] == "wilson"


def test_share_interval_rejects_impossible_input():
    with pytest.raises(InputError):
        share_interval(1.2, 50)
    with pytest.raises(InputError):
        share_interval(0.5, 0)
    with pytest.raises(InputError):
        share_interval(0.5, 50, level=1.5)


# ---------------------------------------------------------------- differences

# Newcombe RG (1998) Interval estimation for the difference between independent proportions:
# comparison of eleven methods. Statistics in Medicine 17:873–890, Table II, method 10
# (hybrid score). Example (a) is 0.8 − 0.6 = 0.2 with (0.0524, 0.3339).
NEWCOMBE_1998B = [
    (56, 70, 48, 80, (0.0524, 0.3339)),
    (9, 10, 3, 10, (0.1705, 0.8090)),
    (6, 7, 2, 7, (0.0582, 0.8062)),
    (5, 56, 0, 29, (-0.0381, 0.1926)),
    (0, 10, 0, 20, (-0.1611, 0.2775)),
    (0, 10, 0, 10, (-0.2775, 0.2775)),
    (10, 10, 0, 20, (0.6791, 1.0000)),
    (10, 10, 0, 10, (0.6075, 1.0000)),
]


@pytest.mark.parametrize(("x1", "n1", "x2", "n2", "interval"), NEWCOMBE_1998B)
def test_difference_interval_matches_newcombe_1998_table_ii(x1, n1, x2, n2, interval):
    result = difference(x1 / n1, n1, x2 / n2, n2)
    assert result.diff == pytest.approx(x1 / n1 - x2 / n2)
    assert (round(result.ci_low, 4), round(result.ci_high, 4)) == interval
    assert result.method == "newcombe_hybrid_score"


def test_pooled_z_by_hand_for_newcombe_example_a():
    # 56/70 vs 48/80: pooled p = 104/150; se = √(p(1−p)(1/70 + 1/80)) = 0.075467;
    # z = 0.2 / 0.075467 = 2.6502 (derived by hand).
    result = difference(56 / 70, 70, 48 / 80, 80)
    assert round(result.z, 4) == 2.6502
    assert result.p_value == pytest.approx(p_two_sided(2.65017), abs=1e-5)


@pytest.mark.parametrize(("x1", "n1", "x2", "n2"), [(56, 70, 48, 80), (9, 10, 3, 10), (189, 11034, 104, 11037)])
def test_pooled_z_squared_is_pearson_chi_square(x1, n1, x2, n2):
    # For a 2×2 table the pooled two-proportion z² equals Pearson's X² without Yates (identity).
    result = difference(x1 / n1, n1, x2 / n2, n2)
    table = [[x1, n1 - x1], [x2, n2 - x2]]
    chi2 = sps.chi2_contingency(table, correction=False)
    assert result.z**2 == pytest.approx(chi2.statistic, rel=1e-9)
    assert result.p_value == pytest.approx(chi2.pvalue, rel=1e-9)


def test_equal_shares_give_zero_z():
    result = difference(0.0, 10, 0.0, 20)
    assert (result.z, result.p_value) == (0.0, 1.0)


def test_versus_reference_one_sample_score_test():
    # Panel share 0.25 on n_eff 400 against the study's 21 %: z = 0.04 / √(0.21·0.79/400)
    # = 0.04 / 0.0203654 = 1.9641 (by hand); z² is the goodness-of-fit X² of [100, 300] vs [84, 316].
    result = versus_reference(0.25, 400, 0.21)
    assert round(result.z, 4) == 1.9641
    gof = sps.chisquare([100, 300], [84, 316])
    assert result.z**2 == pytest.approx(gof.statistic, rel=1e-9)
    assert result.p_value == pytest.approx(gof.pvalue, rel=1e-9)
    low, high, _ = share_interval(0.25, 400)
    assert (result.ci_low, result.ci_high) == pytest.approx((low - 0.21, high - 0.21))


def test_versus_reference_at_the_wilson_bound_has_p_equal_alpha():
    # The Wilson interval is the set of π0 the score test does not reject (Wilson 1927).
    low, high, _ = share_interval(0.3, 120, method="wilson")
    assert versus_reference(0.3, 120, high).p_value == pytest.approx(0.05, abs=1e-9)
    assert versus_reference(0.3, 120, low).p_value == pytest.approx(0.05, abs=1e-9)


def test_difference_rejects_bad_input():
    with pytest.raises(InputError):
        difference(0.5, 0, 0.4, 10)
    with pytest.raises(InputError):
        difference(-0.1, 10, 0.4, 10)
    with pytest.raises(InputError):
        versus_reference(0.5, 10, 0.0)


# ---------------------------------------------------------------- multiple testing

# Benjamini & Hochberg (1995) JRSS B 57:289–300, §4: fifteen p-values; at q = 0.05 the
# procedure rejects the four smallest (Bonferroni-type procedures reject three).
BH_1995 = [0.0001, 0.0004, 0.0019, 0.0095, 0.0201, 0.0278, 0.0298, 0.0344,
           0.0459, 0.3240, 0.4262, 0.5719, 0.6528, 0.7590, 1.0000]  # fmt: skip


def test_benjamini_hochberg_1995_example():
    adjusted = benjamini_hochberg(BH_1995)
    assert int((adjusted <= 0.05).sum()) == 4
    # By hand: adjusted p(i) = min over k ≥ i of 15·p(k)/k.
    assert adjusted[:4] == pytest.approx([0.0015, 0.003, 0.0095, 15 * 0.0095 / 4])


def test_benjamini_hochberg_keeps_input_order_and_handles_empty():
    order = np.random.default_rng(3).permutation(len(BH_1995))
    shuffled = np.array(BH_1995)[order]
    assert benjamini_hochberg(shuffled) == pytest.approx(benjamini_hochberg(BH_1995)[order])
    assert benjamini_hochberg([]).size == 0


# ---------------------------------------------------------------- Kish base, weighted shares


def test_kish_effective_base_and_design_effect():
    # Kish (1965) Survey Sampling §11.7: deff from weighting = n Σw² / (Σw)² = 1 + CV²(w).
    # Weights 1, 1, 2, 2: n_eff = 6² / 10 = 3.6; CV² = 0.25 / 1.5² → deff = 1.1111 (by hand).
    weights = [1.0, 1.0, 2.0, 2.0]
    assert effective_base(pl.Series("w", weights)) == pytest.approx(3.6)
    cv2 = statistics.pvariance(weights) / statistics.mean(weights) ** 2
    assert 4 / effective_base(pl.Series("w", weights)) == pytest.approx(1 + cv2)
    assert effective_base(None, n=17) == 17.0
    assert effective_base(pl.Series("w", [2.5] * 9)) == 9.0
    assert effective_base(pl.Series("w", [], dtype=pl.Float64)) == 0.0


def test_weighted_shares_against_hand_computation():
    frame = pl.DataFrame({"seg": ["a", "a", "b", "c", "c", "c", None], "w": [1.0, 2.0, 3.0, 0.5, 0.5, 1.0, 4.0]})
    table = share_table(frame, "seg", "w", NO_SUPPRESSION)
    # Plain Python on the six non-null answers.
    answers = [("a", 1.0), ("a", 2.0), ("b", 3.0), ("c", 0.5), ("c", 0.5), ("c", 1.0)]
    total_w = sum(w for _, w in answers)
    total_w2 = sum(w * w for _, w in answers)
    kish = total_w**2 / total_w2
    assert (table.base_rows, table.n_missing, table.weighted, table.design_based) == (6, 1, True, True)
    assert table.sum_w == pytest.approx(total_w)
    assert table.n_eff == pytest.approx(kish)
    assert table.deff == pytest.approx(6 / kish)
    rows = {r["key"]: r for r in table.rows.iter_rows(named=True)}
    for key in "abc":
        w = [wt for k, wt in answers if k == key]
        p = sum(w) / total_w
        # The null answer's respondent is still in the sample: the answered rows are a domain of
        # N = 7 PSUs, V = N/(N − 1) · Σ wᵢ²(yᵢ − p)² / (Σw)² over the domain (Wolter 2007, §6.11).
        variance = 7 / 6 * sum(wt * wt * ((k == key) - p) ** 2 for k, wt in answers) / total_w**2
        assert rows[key]["count"] == len(w)
        assert rows[key]["sum_w"] == pytest.approx(sum(w))
        assert rows[key]["sum_w2"] == pytest.approx(sum(x * x for x in w))
        assert rows[key]["share"] == pytest.approx(p)
        assert rows[key]["se"] == pytest.approx(math.sqrt(variance))
        assert rows[key]["n_eff"] == pytest.approx(p * (1 - p) / variance)
        # svymean(deff = "replace"): V over s²/n with the weighted s² = n/(n − 1)·p(1 − p), n = 6
        assert rows[key]["deff"] == pytest.approx(variance / (6 / 5 * p * (1 - p) / 6))
        assert rows[key]["method"] == "korn_graubard"  # design effective base far below 30
        assert rows[key]["flag"] == "ok"
    # Descending weight, ties by key: a (3.0), b (3.0), c (2.0).
    assert table.rows["key"].to_list() == ["a", "b", "c"]


def test_keys_fix_the_order_and_add_absent_categories():
    frame = pl.DataFrame({"seg": ["x"] * 5 + ["y"] * 35})
    rows = weighted_shares(frame, "seg", keys=["y", "absent"])
    # "x" was not listed: it stays in the base, appended after the given keys.
    assert rows["key"].to_list() == ["y", "absent", "x"]
    assert rows["count"].to_list() == [35, 0, 5]
    assert rows["share"].to_list() == pytest.approx([35 / 40, 0.0, 5 / 40])
    # 0/40: Clopper–Pearson upper bound 1 − 0.025^(1/40) = 0.0881 (by hand).
    absent = rows.row(1, named=True)
    assert (absent["ci_low"], round(absent["ci_high"], 4), absent["method"]) == (0.0, 0.0881, "clopper_pearson")
    with pytest.raises(InputError):
        weighted_shares(frame, "seg", keys=["x", "x"])


def test_flags_follow_the_effective_base():
    def flag(n: int) -> str:
        return weighted_shares(pl.DataFrame({"s": ["a"] * n}), "s")["flag"][0]

    assert [flag(n) for n in (9, 10, 29, 30)] == ["suppressed", "low", "low", "ok"]
    # 12 rows but n_eff = 21² / 111 = 3.97 (by hand) → suppressed, share hidden.
    weighted = share_table(pl.DataFrame({"s": ["a"] * 12, "w": [1.0] * 11 + [10.0]}), "s", "w")
    assert weighted.rows.select("count", "flag", "share", "ci_low", "n_eff").row(0) == (12, "suppressed", None, None, None)
    assert weighted.n_eff == pytest.approx(441 / 111)
    custom = weighted_shares(pl.DataFrame({"s": ["a"] * 12}), "s", thresholds=Thresholds(min_base=5, low_base=12))
    assert custom["flag"][0] == "ok"
    with pytest.raises(InputError):
        Thresholds(min_base=40, low_base=30)
    with pytest.raises(InputError, match="Unknown interval method 'jeffreys'"):
        Thresholds(interval="jeffreys")


def test_equal_weights_are_identical_to_unweighted():
    frame = pl.DataFrame({"s": ["a"] * 13 + ["b"] * 29 + ["c"] * 3, "w": [0.1] * 45})
    plain = share_table(frame, "s")
    weighted = share_table(frame, "s", "w")
    same = ["key", "count", "share", "se", "deff", "n_eff", "ci_low", "ci_high", "method", "flag", "reason"]
    assert weighted.rows.select(same).equals(plain.rows.select(same))
    assert (weighted.n_eff, weighted.deff, weighted.design_based) == (45.0, 1.0, False)
    # plain figures: se √(p(1 − p)/n), deff 1, n_eff n
    first = plain.rows.row(0, named=True)
    assert (first["se"], first["deff"], first["n_eff"]) == pytest.approx((math.sqrt(29 / 45 * 16 / 45 / 45), 1.0, 45.0))


def test_single_respondent():
    one = pl.DataFrame({"s": ["a"], "w": [2.0]})
    assert weighted_shares(one, "s", "w").select("count", "share", "flag").row(0) == (1, None, "suppressed")
    row = weighted_shares(one, "s", "w", NO_SUPPRESSION).row(0, named=True)
    # 1/1 exact interval: lower bound (α/2)^(1/n) = 0.025 (by hand).
    assert (row["share"], row["ci_high"], row["method"]) == (1.0, 1.0, "clopper_pearson")
    assert row["ci_low"] == pytest.approx(0.025)


def test_empty_input_gives_empty_frames_with_the_right_columns():
    empty = pl.DataFrame({"s": [], "c": [], "w": []}, schema={"s": pl.String, "c": pl.String, "w": pl.Float64})
    rows = weighted_shares(empty.lazy(), "s", "w")
    assert rows.height == 0 and rows.schema == pl.Schema(SHARE_SCHEMA)
    with_keys = weighted_shares(empty, "s", keys=["a", "b"])
    assert with_keys["count"].to_list() == [0, 0]
    assert with_keys["flag"].to_list() == ["suppressed", "suppressed"]
    table = crosstab(empty, "s", "c", "w")
    assert table.cells.height == 0 and table.cells.schema == pl.Schema(CELL_SCHEMA)
    assert (table.test, table.p_value, table.n_tests) == (None, None, 0)
    multi = multi_response_shares(empty, "s")
    assert multi.rows.height == 0 and multi.base_rows == 0 and multi.deff is None


@pytest.mark.parametrize(
    ("weights", "bad"),
    [([1.0, 0.0, -2.0, None, float("nan"), 3.0], 4), ([1.0, float("inf"), 0.0, 0.0, -1e-9, None], 5)],
)
def test_unusable_weights_raise_input_error_with_the_row_count(weights, bad):
    frame = pl.DataFrame({"s": list("aabbcc"), "c": list("xyxyxy"), "w": weights})
    calls = [
        lambda: weighted_shares(frame, "s", "w"),
        lambda: crosstab(frame, "s", "c", "w"),
        lambda: multi_response_shares(frame, "s", "w"),
        lambda: effective_base(frame["w"]),
    ]
    for call in calls:
        with pytest.raises(InputError, match=rf"has {bad} row"):
            call()


def test_bad_columns_raise_input_error():
    frame = pl.DataFrame({"s": ["a", "b"], "w": ["1", "2"]})
    with pytest.raises(InputError, match="'missing'"):
        weighted_shares(frame, "missing")
    with pytest.raises(InputError, match="not numbers"):
        weighted_shares(frame, "s", "w")
    with pytest.raises(InputError):
        weighted_shares([1, 2], "s")  # type: ignore[arg-type]


# ---------------------------------------------------------------- multi-select questions

TOOLS = ["Hootsuite;Salesforce", "Hootsuite", None, " Salesforce ; Hootsuite ;", "  ", "Radian6;Radian6"]
TOOL_WEIGHTS = [1.0, 2.0, 5.0, 1.0, 5.0, 0.5]


def test_multi_select_base_is_respondents_who_answered():
    frame = pl.DataFrame({"tools": TOOLS, "w": TOOL_WEIGHTS})
    table = multi_response_shares(frame, "tools", "w", thresholds=NO_SUPPRESSION)
    # By hand: answered rows 0, 1, 3, 5 (Σw = 4.5); Hootsuite in 0, 1, 3 (Σw = 4); Salesforce in
    # 0, 3 (Σw = 2); Radian6 once in row 5 despite being listed twice (Σw = 0.5).
    assert (table.base_rows, table.n_missing) == (4, 2)
    assert table.sum_w == pytest.approx(4.5)
    assert table.n_eff == pytest.approx(4.5**2 / (1 + 4 + 1 + 0.25))
    shares = dict(zip(table.rows["key"], table.rows["share"], strict=True))
    assert shares == pytest.approx({"Hootsuite": 4 / 4.5, "Salesforce": 2 / 4.5, "Radian6": 0.5 / 4.5})
    counts = dict(zip(table.rows["key"], table.rows["count"], strict=True))
    assert counts == {"Hootsuite": 3, "Salesforce": 2, "Radian6": 1}


def test_multi_select_indicator_columns_match_the_delimited_form():
    indicators = pl.DataFrame(
        {
            "Hootsuite": [1, 1, None, 1, None, 0],
            "Salesforce": [1, 0, None, 1, None, 0],
            "Radian6": [0, 0, None, 0, None, 1],
            "w": TOOL_WEIGHTS,
        }
    )
    options = ["Hootsuite", "Salesforce", "Radian6"]
    from_columns = multi_response_shares(indicators, options, "w", thresholds=NO_SUPPRESSION)
    text = pl.DataFrame({"t": TOOLS, "w": TOOL_WEIGHTS})
    from_text = multi_response_shares(text, "t", "w", thresholds=NO_SUPPRESSION)
    assert from_columns.rows.equals(from_text.rows)
    assert (from_columns.base_rows, from_columns.n_missing) == (4, 2)
    booleans = indicators.with_columns(pl.col("Hootsuite").cast(pl.Boolean))
    assert multi_response_shares(booleans, ["Hootsuite"], "w").rows["count"].to_list() == [3]


def test_multi_select_rejects_values_other_than_zero_and_one():
    with pytest.raises(InputError, match="^2 value"):
        multi_response_shares(pl.DataFrame({"a": [0, 2, 1], "b": [1, 0, 3]}), ["a", "b"])
    with pytest.raises(InputError):
        multi_response_shares(pl.DataFrame({"a": ["x", "y"]}), ["a"])
    with pytest.raises(InputError):
        multi_response_shares(pl.DataFrame({"a": [1, 2]}), "a")


# ---------------------------------------------------------------- crosstab


def test_fisher_on_the_tea_tasting_table():
    # Agresti (2002) Categorical Data Analysis, 2nd ed., §3.5.2 Table 3.8 (Fisher's tea
    # tasting: 3, 1 / 1, 3): two-sided P = 0.486; expected counts are 2, so Fisher is used.
    frame = respondents(
        {("milk", "milk"): [1.0] * 3, ("milk", "tea"): [1.0], ("tea", "milk"): [1.0], ("tea", "tea"): [1.0] * 3}
    )
    result = crosstab(frame, "row", "col")
    assert result.test == "fisher"
    assert round(result.p_value, 4) == 0.4857
    assert result.statistic == pytest.approx(2.0)  # Pearson X² = 8·(3·3 − 1·1)² / 4⁴ (by hand)


def test_pearson_on_party_identification_by_gender():
    # Agresti (2002) Categorical Data Analysis, 2nd ed., §3.2.2 (GSS 2000): X² = 30.1, df = 2.
    table = {"female": (762, 327, 468), "male": (484, 239, 477)}
    frame = respondents(
        {
            (gender, party): [1.0] * k
            for gender, counts in table.items()
            for party, k in zip(("dem", "ind", "rep"), counts, strict=True)
        }
    )
    result = crosstab(frame, "row", "col", row_keys=["female", "male"], column_keys=["dem", "ind", "rep"])
    assert (result.test, result.dof, result.base_rows) == ("pearson", 2, 2757)
    assert round(result.statistic, 1) == 30.1
    assert result.p_value < 0.001
    assert result.cramers_v == pytest.approx(math.sqrt(result.statistic / 2757))  # min(r, c) − 1 = 1
    assert result.column_bases["count"].to_list() == [1246, 566, 945]
    female_dem = result.cells.row(0, named=True)
    assert female_dem["column_share"] == pytest.approx(762 / 1246)


def test_column_proportion_tests_by_hand():
    counts = {("A", "x"): 30, ("A", "y"): 10, ("A", "z"): 20, ("B", "x"): 10, ("B", "y"): 30, ("B", "z"): 20}
    frame = respondents({k: [1.0] * v for k, v in counts.items()})
    result = crosstab(frame, "row", "col", row_keys=["A", "B"], column_keys=["x", "y", "z"])
    # Plain Python: share in the column vs share in the other two columns, pooled z.
    raw = []
    for (r, c), k in counts.items():
        col_n = sum(v for (_, cc), v in counts.items() if cc == c)
        row_rest = sum(v for (rr, cc), v in counts.items() if rr == r and cc != c)
        rest_n = 120 - col_n
        p1, p2 = k / col_n, row_rest / rest_n
        pooled = (k + row_rest) / 120
        z = (p1 - p2) / math.sqrt(pooled * (1 - pooled) * (1 / col_n + 1 / rest_n))
        raw.append((r, c, z, p_two_sided(z)))
    # Benjamini–Hochberg by hand over the six tests.
    ranked = sorted(range(6), key=lambda i: raw[i][3])
    adjusted = [0.0] * 6
    running = 1.0
    for rank in range(6, 0, -1):
        i = ranked[rank - 1]
        running = min(running, raw[i][3] * 6 / rank)
        adjusted[i] = running
    assert result.n_tests == 6
    cells = result.cells
    assert result.cell_test == "pooled_z"
    assert cells["statistic"].to_list() == pytest.approx([z for *_, z, _ in raw])
    assert cells["p_value"].to_list() == pytest.approx([p for *_, p in raw])
    assert cells["p_adjusted"].to_list() == pytest.approx(adjusted)
    assert cells["statistic"][0] == pytest.approx(3.87298, abs=1e-5)  # (0.75 − 0.375) / √(0.25·0.0375)
    assert cells["direction"].to_list() == ["higher", "lower", None, "lower", "higher", None]


def test_crosstab_keeps_empty_rows_in_cells_but_not_in_the_test_and_handles_zero_cells():
    counts = {("A", "x"): 40, ("A", "y"): 0, ("A", "z"): 25, ("B", "x"): 20, ("B", "y"): 30, ("B", "z"): 25}
    frame = respondents({k: [1.0] * v for k, v in counts.items() if v})
    frame = pl.concat([frame, pl.DataFrame({"row": [None, "A"], "col": ["x", None], "w": [1.0, 1.0]})])
    result = crosstab(frame, "row", "col", row_keys=["A", "never", "B"], column_keys=["x", "y", "z"])
    assert result.cells.height == 9 and result.n_missing == 2
    assert result.cells.filter(pl.col("row") == "never")["count"].to_list() == [0, 0, 0]
    zero = result.cells.filter((pl.col("row") == "A") & (pl.col("column") == "y")).row(0, named=True)
    assert (zero["column_share"], zero["ci_low"]) == (0.0, 0.0)
    # χ² on the 2×3 table without the empty row, by hand from expected = row·column / n.
    table = [[40, 0, 25], [20, 30, 25]]
    n = 140
    rows_t = [sum(r) for r in table]
    cols_t = [sum(c) for c in zip(*table, strict=True)]
    expected = [[rows_t[i] * cols_t[j] / n for j in range(3)] for i in range(2)]
    x2 = sum((table[i][j] - expected[i][j]) ** 2 / expected[i][j] for i in range(2) for j in range(3))
    assert (result.test, result.dof) == ("pearson", 2)
    assert result.statistic == pytest.approx(x2)


def test_rao_scott_two_by_two_equals_log_odds_ratio_design_effect():
    # Derived by hand: for a 2×2 table the Rao–Scott δ is the design effect of the log odds
    # ratio: the linearised score of respondent k in cell ij is w_k·g_ij/Σw with
    # g = (1/p11, −1/p12, −1/p21, 1/p22), so V_design = n/(n−1)·Σ_k (w_k g_ij)² / (Σw)² and
    # V_srs = Σ 1/p_ij / n. With one degree of freedom the second-order F is X²/δ on 1 and
    # n − 1 degrees of freedom (ν = n − 1 PSUs minus one stratum), the first order X²/δ on χ²(1).
    weights = {
        ("a", "x"): [1.0, 2.0] * 10,
        ("a", "y"): [0.5, 1.5, 1.0] * 5,
        ("b", "x"): [3.0, 1.0] * 5,
        ("b", "y"): [1.0, 1.0, 2.0] * 8 + [1.0],
    }
    frame = respondents(weights)
    result = crosstab(frame, "row", "col", "w", row_keys=["a", "b"], column_keys=["x", "y"])
    first = crosstab(frame, "row", "col", "w", row_keys=["a", "b"], column_keys=["x", "y"],
                     weighted_test=TEST_RAO_SCOTT_FIRST)
    n = sum(len(v) for v in weights.values())
    total = sum(sum(v) for v in weights.values())
    p = {k: sum(v) / total for k, v in weights.items()}
    sign = {("a", "x"): 1, ("a", "y"): -1, ("b", "x"): -1, ("b", "y"): 1}
    v_design = n / (n - 1) * sum((w * sign[k] / p[k]) ** 2 for k, v in weights.items() for w in v) / total**2
    v_srs = sum(1 / q for q in p.values()) / n
    delta = v_design / v_srs
    row_p = {r: p[(r, "x")] + p[(r, "y")] for r in "ab"}
    col_p = {c: p[("a", c)] + p[("b", c)] for c in "xy"}
    x2 = n * sum((p[(r, c)] - row_p[r] * col_p[c]) ** 2 / (row_p[r] * col_p[c]) for r in "ab" for c in "xy")
    assert (result.test, result.ndf, result.ddf) == ("rao_scott_f", pytest.approx(1.0), pytest.approx(n - 1))
    assert result.mean_deff == pytest.approx(delta, rel=1e-9)
    assert result.statistic == pytest.approx(x2 / delta, rel=1e-9)
    assert result.p_value == pytest.approx(sps.f.sf(x2 / delta, 1, n - 1), rel=1e-9)
    assert first.test == "rao_scott_chisq"
    assert first.statistic == pytest.approx(x2 / delta, rel=1e-9)
    assert first.p_value == pytest.approx(math.erfc(math.sqrt(x2 / delta / 2)), rel=1e-9)
    assert result.cramers_v == pytest.approx(math.sqrt(x2 / n))


def test_rao_scott_with_the_same_weight_mix_in_every_cell():
    # Derived by hand: when every cell holds the same mix of weights (here pairs 1 and 3),
    # Σw² of each cell is c·Σw of that cell, the covariance is n/(n−1)·deff·V_srs, so every
    # generalised design effect is n/(n−1)·deff_Kish, deff_Kish = n·Σw²/(Σw)² = 130·650/260² = 1.25:
    # tr Δ = 2·δ, tr Δ² = 2·δ², hence the F reference on 2 and 2·129 degrees of freedom.
    pairs = {("a", "x"): 5, ("a", "y"): 10, ("a", "z"): 15, ("b", "x"): 20, ("b", "y"): 10, ("b", "z"): 5}
    frame = respondents({k: [1.0, 3.0] * m for k, m in pairs.items()})
    result = crosstab(frame, "row", "col", "w")
    first = crosstab(frame, "row", "col", "w", weighted_test=TEST_RAO_SCOTT_FIRST)
    counts = [[10, 20, 30], [40, 20, 10]]  # respondents per cell; weighted shares are the same
    rows_t = [60, 70]
    cols_t = [50, 40, 40]
    expected = [[rows_t[i] * cols_t[j] / 130 for j in range(3)] for i in range(2)]
    x2 = sum((counts[i][j] - expected[i][j]) ** 2 / expected[i][j] for i in range(2) for j in range(3))
    delta = 130 / 129 * 1.25
    assert result.mean_deff == pytest.approx(delta)
    assert (result.test, result.dof, result.ndf, result.ddf) == ("rao_scott_f", 2, pytest.approx(2), pytest.approx(258))
    assert result.statistic == pytest.approx(x2 / (2 * delta))
    assert first.statistic == pytest.approx(x2 / delta)
    assert first.p_value == pytest.approx(math.exp(-x2 / delta / 2))  # χ²(2) survival


def test_crosstab_equal_weights_identical_to_unweighted():
    frame = respondents({("a", "x"): [2.0] * 12, ("a", "y"): [2.0] * 30, ("b", "x"): [2.0] * 25, ("b", "y"): [2.0] * 9})
    plain = crosstab(frame, "row", "col")
    weighted = crosstab(frame, "row", "col", "w")
    assert (weighted.test, weighted.statistic, weighted.p_value) == (plain.test, plain.statistic, plain.p_value)
    same = [c for c in CELL_SCHEMA if c != "sum_w"]
    assert weighted.cells.select(same).equals(plain.cells.select(same))


def test_small_weighted_tables_keep_rao_scott_with_a_low_base_warning():
    # No exact test on rounded effective counts (issue 12): the design-based test, and `sparse`.
    frame = respondents({("a", "x"): [1.0, 5.0], ("a", "y"): [1.0] * 6, ("b", "x"): [1.0] * 7, ("b", "y"): [2.0, 1.0]})
    result = crosstab(frame, "row", "col", "w")
    assert (result.test, result.sparse, result.design_based) == ("rao_scott_f", True, True)
    assert 0 <= result.p_value <= 1


# ---------------------------------------------------------------- properties

answers = st.lists(
    st.tuples(st.sampled_from(["a", "b", "c", "d"]), st.floats(0.01, 100, allow_nan=False)), min_size=1, max_size=60
)


@settings(max_examples=80, deadline=None)
@given(answers)
def test_property_shares_sum_to_one_and_lie_in_their_interval(data):
    frame = pl.DataFrame(data, schema={"k": pl.String, "w": pl.Float64}, orient="row")
    for weight in (None, "w"):
        rows = weighted_shares(frame, "k", weight, NO_SUPPRESSION, keys=["a", "b", "c", "d"])
        assert rows["share"].sum() == pytest.approx(1.0)
        assert (rows["ci_low"] <= rows["share"]).all()
        assert (rows["share"] <= rows["ci_high"]).all()
        assert ((rows["ci_low"] >= 0) & (rows["ci_high"] <= 1)).all()


@settings(max_examples=60, deadline=None)
@given(answers, st.floats(0.01, 1000, allow_nan=False))
def test_property_equal_weights_equal_unweighted(data, weight):
    frame = pl.DataFrame([(k, weight) for k, _ in data], schema={"k": pl.String, "w": pl.Float64}, orient="row")
    same = ["key", "count", "share", "se", "deff", "n_eff", "ci_low", "ci_high", "method", "flag", "reason"]
    assert weighted_shares(frame, "k", "w").select(same).equals(weighted_shares(frame, "k").select(same))


# ---------------------------------------------------------------- design-based figures against R's survey package
#
# tests/r/survey_files.py writes seeded weighted files (weights tied to the answers; one with
# strata and clusters, one small with extreme weights) and the cases; tests/r/survey_reference.R
# computes them with R's survey package, live, once per session.

R_TOLERANCE = 1e-9  # the figures agree to about 1e-14; the logit interval comes from svyglm's
LOGIT_TOLERANCE = 1e-6  # iterative fit, which stops at a convergence criterion


@pytest.fixture(scope="session")
def r_survey(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict, dict[str, pl.DataFrame]]:
    """(R's figures, the files as read back) for every case of tests/r/survey_files.py."""
    directory = tmp_path_factory.mktemp("r_survey")
    files = survey_files.write_inputs(directory)
    return survey_files.run_r(directory), files


def case_data(r_survey, case: dict) -> tuple[pl.DataFrame, Design]:
    """The case's rows (its domain) and the design sized on the whole file."""
    spec = survey_files.DESIGNS[case["design"]]
    whole = r_survey[1][spec["file"]]
    design = Design(spec["weight"], spec["psu"], spec["stratum"]).sized(whole)
    kept = whole
    for column, values in (case.get("domain") or {}).items():
        kept = kept.filter(pl.col(column).is_in(values))
    return kept, design


def r_interval(intervals: dict, method: str, level: float) -> list[float] | None:
    return intervals.get({KORN_GRAUBARD: "beta", LOGIT: "logit"}[method], {}).get(str(level))


def assert_share_matches_r(row: dict, reference: dict, method: str, level: float) -> None:
    assert row["share"] == pytest.approx(reference["share"], abs=R_TOLERANCE)
    assert row["se"] ** 2 == pytest.approx(reference["var"], abs=R_TOLERANCE)
    if not 0 < reference["share"] < 1:
        return  # R has no interval and no design effect at 0 % or 100 %
    assert row["deff"] == pytest.approx(reference["deff"], rel=R_TOLERANCE)
    assert row["n_eff"] == pytest.approx(reference["share"] * (1 - reference["share"]) / reference["var"], rel=R_TOLERANCE)
    expected = r_interval(reference["intervals"], method, level)
    tolerance = LOGIT_TOLERANCE if method == LOGIT else R_TOLERANCE
    assert row["method"] == method
    assert (row["ci_low"], row["ci_high"]) == pytest.approx(expected, abs=tolerance)


@pytest.mark.parametrize("method", [KORN_GRAUBARD, LOGIT])
@pytest.mark.parametrize("level", survey_files.LEVELS)
@pytest.mark.parametrize("case", survey_files.CASES["shares"], ids=lambda c: c["id"])
def test_shares_and_intervals_equal_r_svyciprop(r_survey, case, level, method):
    rows, design = case_data(r_survey, case)
    thresholds = Thresholds(min_base=0, low_base=0, level=level, interval=method)
    table = share_table(rows, case["variable"], design, thresholds)
    assert table.design_based
    got = {r["key"]: r for r in table.rows.iter_rows(named=True)}
    expected = r_survey[0]["shares"][case["id"]]
    assert set(got) == set(expected)
    for key, reference in expected.items():
        assert_share_matches_r(got[key], reference, method, level)


@pytest.mark.parametrize("method", [KORN_GRAUBARD, LOGIT])
@pytest.mark.parametrize("case", survey_files.CASES["multi"], ids=lambda c: c["id"])
def test_multi_answer_shares_equal_r(r_survey, case, method):
    rows, design = case_data(r_survey, case)
    table = multi_response_shares(rows, case["variable"], design, thresholds=Thresholds(0, 0, interval=method))
    got = {r["key"]: r for r in table.rows.iter_rows(named=True)}
    expected = r_survey[0]["multi"][case["id"]]
    assert set(got) == set(expected)
    for key, reference in expected.items():
        assert_share_matches_r(got[key], reference, method, 0.95)


def test_the_default_interval_is_logit_on_moderate_bases_and_korn_graubard_on_small_or_rare_ones(r_survey):
    case = survey_files.CASES["shares"][-1]  # 45 respondents, extreme weights, a rare answer
    rows, design = case_data(r_survey, case)
    table = share_table(rows, case["variable"], design, Thresholds(min_base=0, low_base=0))
    for row in table.rows.iter_rows(named=True):
        rarer = min(row["share"], 1 - row["share"]) * row["n_eff"]
        expected = KORN_GRAUBARD if row["n_eff"] < 30 or rarer < 5 else LOGIT
        assert row["method"] == expected
        reference = r_survey[0]["shares"][case["id"]][row["key"]]
        assert (row["ci_low"], row["ci_high"]) == pytest.approx(r_interval(reference["intervals"], expected, 0.95),
                                                                abs=LOGIT_TOLERANCE)
    assert {r["method"] for r in table.rows.iter_rows(named=True)} == {KORN_GRAUBARD}
    regions = survey_files.CASES["shares"][0]
    rows, design = case_data(r_survey, regions)
    assert set(share_table(rows, regions["variable"], design).rows["method"]) == {LOGIT}


@pytest.mark.parametrize("case", survey_files.CASES["tables"], ids=lambda c: c["id"])
def test_crosstab_tests_and_cells_equal_r_svychisq_and_svyttest(r_survey, case):
    expected = r_survey[0]["tables"][case["id"]]
    rows, design = case_data(r_survey, case)
    thresholds = Thresholds(min_base=0, low_base=0, interval=KORN_GRAUBARD)
    second = crosstab(rows, case["rows"], case["cols"], design, thresholds)
    first = crosstab(rows, case["rows"], case["cols"], design, thresholds, weighted_test=TEST_RAO_SCOTT_FIRST)
    if "error" in expected:  # R's solve() fails: so do we, in words
        assert "singular" in expected["error"]
        assert (second.test, second.p_value, second.reason) == ("rao_scott_f", None, SINGULAR)
        assert (first.p_value, first.reason) == (None, SINGULAR)
        return
    assert (second.test, second.reason, second.cell_test) == ("rao_scott_f", None, "design_t")
    assert second.statistic == pytest.approx(expected["F"], rel=R_TOLERANCE)
    assert (second.ndf, second.ddf) == pytest.approx((expected["ndf"], expected["ddf"]), rel=R_TOLERANCE)
    assert second.p_value == pytest.approx(expected["p_F"], rel=R_TOLERANCE, abs=1e-15)
    assert first.test == "rao_scott_chisq" and first.dof == expected["df"]
    assert first.p_value == pytest.approx(expected["p_chisq"], rel=R_TOLERANCE, abs=1e-15)
    assert first.statistic * first.mean_deff == pytest.approx(expected["X2"], rel=R_TOLERANCE)  # X²/δ̄ · δ̄
    cells = {(c["row"], c["column"]): c for c in second.cells.iter_rows(named=True)}
    assert len(cells) == len(expected["cells"])
    for reference in expected["cells"]:
        cell = cells[(reference["row"], reference["col"])]
        assert cell["column_share"] == pytest.approx(reference["share"], abs=R_TOLERANCE)
        assert cell["se"] ** 2 == pytest.approx(reference["var"], abs=R_TOLERANCE)
        if 0 < reference["share"] < 1:
            assert (cell["ci_low"], cell["ci_high"]) == pytest.approx(
                r_interval(reference["intervals"], KORN_GRAUBARD, 0.95), abs=R_TOLERANCE)
        if reference["t"] is None or not math.isfinite(reference["t"]):
            assert cell["p_value"] is None
            continue
        assert cell["column_share"] - cell["rest_share"] == pytest.approx(reference["estimate"], abs=R_TOLERANCE)
        assert cell["statistic"] == pytest.approx(reference["t"], rel=R_TOLERANCE)
        assert cell["df"] == reference["df"]
        assert cell["p_value"] == pytest.approx(reference["p"], rel=R_TOLERANCE, abs=1e-15)
    tested = second.cells.filter(pl.col("p_value").is_not_null())
    assert second.n_tests == tested.height
    assert tested["p_adjusted"].to_list() == pytest.approx(list(benjamini_hochberg(tested["p_value"].to_numpy())))


@pytest.mark.parametrize("level", survey_files.LEVELS)
@pytest.mark.parametrize("case", survey_files.CASES["differences"], ids=lambda c: c["id"])
def test_differences_between_two_groups_equal_r_svyttest(r_survey, case, level):
    rows, design = case_data(r_survey, case)
    group = pl.col(case["group"])
    cells = [aggregate_cells(rows.filter(group.is_in(case[side])), [case["variable"]], design) for side in "ab"]
    result = share_differences_from_cells(*cells, case["variable"], design, Thresholds(0, 0, level=level))
    got = {r["key"]: r for r in result.iter_rows(named=True)}
    for key, reference in r_survey[0]["differences"][case["id"]].items():
        row = got[key]
        assert row["method"] == DESIGN_T
        assert row["diff"] == pytest.approx(reference["diff"], abs=R_TOLERANCE)
        assert row["se"] == pytest.approx(reference["se"], rel=R_TOLERANCE)
        assert (row["df"], row["statistic"]) == pytest.approx((reference["df"], reference["t"]), rel=R_TOLERANCE)
        assert row["p_value"] == pytest.approx(reference["p"], rel=R_TOLERANCE)
        assert (row["ci_low"], row["ci_high"]) == pytest.approx(reference["intervals"][str(level)], abs=R_TOLERANCE)


@pytest.mark.parametrize("case", survey_files.CASES["multi_differences"], ids=lambda c: c["id"])
def test_multi_answer_differences_between_two_groups_equal_r_svyttest(r_survey, case):
    rows, design = case_data(r_survey, case)
    group = pl.col(case["group"])
    cells = [aggregate_cells(rows.filter(group.is_in(case[side])), [case["variable"]], design) for side in "ab"]
    result = share_differences_from_cells(*cells, case["variable"], design, Thresholds(0, 0), separator=";")
    got = {r["key"]: r for r in result.iter_rows(named=True)}
    expected = r_survey[0]["multi_differences"][case["id"]]
    assert set(got) == set(expected)
    for key, reference in expected.items():
        row = got[key]
        assert (row["diff"], row["se"]) == pytest.approx((reference["diff"], reference["se"]), abs=R_TOLERANCE)
        assert (row["df"], row["statistic"], row["p_value"]) == pytest.approx(
            (reference["df"], reference["t"], reference["p"]), rel=R_TOLERANCE)
        assert (row["ci_low"], row["ci_high"]) == pytest.approx(reference["intervals"]["0.95"], abs=R_TOLERANCE)


def test_the_segments_page_of_a_filtered_view_equals_r_on_the_domain(r_survey):
    # explore.page_view on the regions file filtered to small companies: R's svyciprop on
    # subset(design, size == "small"), the whole file's design.
    case = next(c for c in survey_files.CASES["shares"] if c["id"] == "regions_segment_small")
    dataset = datasets.load_bytes(r_survey[1]["regions"].write_csv().encode(), "regions.csv",
                                  datasets.LoadSettings.build(roles={"w": "weight"}))
    ready = explore.prepare(dataset)
    view = explore.page_view(ready, FilterSpec.build(include={"size": ["small"]}), thresholds=Thresholds(0, 0))
    expected = r_survey[0]["shares"][case["id"]]
    rows = {r["key"]: r for r in view.segments.rows.iter_rows(named=True)}
    for key, reference in expected.items():
        assert_share_matches_r(rows[key], reference, rows[key]["method"], 0.95)
    assert view.segments.design_based and view.segments.base_rows == r_survey[1]["regions"].filter(
        pl.col("size") == "small").height


def test_the_segments_page_of_a_clustered_stratified_file_equals_r_on_the_domain(r_survey):
    # the clusters and strata named in the role editor reach the page's cube: the breakdown of
    # "answer" among group b equals R's svyciprop on subset(svydesign(ids=~psu, strata=~stratum), group == "b")
    case = next(c for c in survey_files.CASES["shares"] if c["id"] == "clustered_answer_group_b")
    roles = {"w": "weight", "psu": "psu", "stratum": "stratum", "answer": "dimension", "group": "dimension"}
    dataset = datasets.load_bytes(r_survey[1]["clustered"].write_csv().encode(), "clustered.csv",
                                  datasets.LoadSettings.build(roles=roles))
    view = explore.page_view(explore.prepare(dataset), FilterSpec.build(include={"group": ["b"]}),
                             thresholds=Thresholds(0, 0))
    rows = {r["key"]: r for r in view.breakdown["answer"].rows.iter_rows(named=True)}
    for key, reference in r_survey[0]["shares"][case["id"]].items():
        assert_share_matches_r(rows[key], reference, rows[key]["method"], 0.95)


def test_the_committed_reference_is_what_r_writes_now(r_survey):
    # tests/r/survey_reference.json is kept beside the script for reading; refresh it with
    # `python -m tests.r.survey_files` when the cases change.
    committed = json.loads(survey_files.REFERENCE.read_text(encoding="utf-8"))
    live = r_survey[0]

    def same(a, b, where: str) -> None:
        if isinstance(a, dict):
            assert set(a) == set(b), where
            for key in a:
                same(a[key], b[key], f"{where}.{key}")
        elif isinstance(a, list):
            assert len(a) == len(b), where
            for i, (x, y) in enumerate(zip(a, b)):
                same(x, y, f"{where}[{i}]")
        elif isinstance(a, float) and isinstance(b, (int, float)):
            assert a == pytest.approx(b, rel=1e-9, abs=1e-15), where
        else:
            assert a == b, where

    same(committed, live, "reference")


# ---------------------------------------------------------------- design details


def test_a_filter_is_a_domain_of_the_whole_design_not_a_new_sample():
    # R: svyciprop on subset(design, ...) keeps the whole sample's PSUs in the variance, so
    # without clusters V = N/(N − 1)·Σ_domain wᵢ²(yᵢ − p)²/(Σw)² with N the whole sample's size.
    frame = pl.DataFrame({"g": ["in"] * 6 + ["out"] * 4, "k": list("aabbba") + list("abab"),
                          "w": [1.0, 2.0, 1.0, 3.0, 1.0, 2.0, 5.0, 1.0, 1.0, 1.0]})
    whole = Design("w").sized(frame)
    assert whole.psu_counts == (("", 10),)
    domain = frame.filter(pl.col("g") == "in")
    inside = [(k, w) for k, w in zip(domain["k"], domain["w"])]
    total = sum(w for _, w in inside)
    p = sum(w for k, w in inside if k == "a") / total
    squares = sum(w * w * ((k == "a") - p) ** 2 for k, w in inside) / total**2
    as_domain = share_table(domain, "k", whole, NO_SUPPRESSION).rows.row(0, named=True)
    as_sample = share_table(domain, "k", "w", NO_SUPPRESSION).rows.row(0, named=True)
    assert as_domain["key"] == "a" and as_domain["share"] == pytest.approx(p)
    assert as_domain["se"] ** 2 == pytest.approx(10 / 9 * squares)
    assert as_sample["se"] ** 2 == pytest.approx(6 / 5 * squares)


def test_clusters_use_the_ultimate_cluster_variance_by_hand():
    # Two strata of two PSUs: z_u = Σ_{i∈u} wᵢ(yᵢ − p)/Σw; V = Σ_h 2/(2 − 1)·Σ_u (z_u − z̄_h)².
    rows = [("s1", "u1", "a", 1.0), ("s1", "u1", "b", 2.0), ("s1", "u2", "a", 1.0), ("s1", "u2", "a", 1.0),
            ("s2", "u1", "b", 3.0), ("s2", "u1", "b", 1.0), ("s2", "u2", "a", 2.0), ("s2", "u2", "b", 2.0)]
    frame = pl.DataFrame(rows, schema=["s", "u", "k", "w"], orient="row")
    total = sum(r[3] for r in rows)
    p = sum(r[3] for r in rows if r[2] == "a") / total
    z = {}
    for s, u, k, w in rows:
        z[(s, u)] = z.get((s, u), 0.0) + w * ((k == "a") - p) / total
    variance = 0.0
    for s in ("s1", "s2"):
        values = [z[(s, u)] for u in ("u1", "u2")]
        mean = sum(values) / 2
        variance += 2 / 1 * sum((v - mean) ** 2 for v in values)
    row = share_table(frame, "k", Design("w", "u", "s"), NO_SUPPRESSION, keys=["a", "b"]).rows.row(0, named=True)
    assert (row["key"], row["share"]) == ("a", pytest.approx(p))
    assert row["se"] ** 2 == pytest.approx(variance)
    # degf = 4 PSUs − 2 strata = 2: the t quantile of the logit interval has 2 degrees of freedom
    spread = sps.t.ppf(0.975, 2) * math.sqrt(variance) / (p * (1 - p))
    logit = math.log(p / (1 - p))
    expected = (1 / (1 + math.exp(-(logit - spread))), 1 / (1 + math.exp(-(logit + spread))))
    forced = share_table(frame, "k", Design("w", "u", "s"), Thresholds(0, 0, interval=LOGIT), keys=["a"]).rows.row(0, named=True)
    assert (forced["ci_low"], forced["ci_high"]) == pytest.approx(expected)


def test_degenerate_designs_say_why_instead_of_failing():
    lonely = pl.DataFrame({"s": ["s1", "s1", "s2", "s2"], "u": ["u1", "u2", "u1", "u1"], "k": list("abab"),
                           "w": [1.0, 2.0, 1.0, 3.0]})
    rows = share_table(lonely, "k", Design("w", "u", "s"), NO_SUPPRESSION).rows
    assert rows["reason"].to_list() == [LONELY_PSU, LONELY_PSU]
    assert rows["share"].null_count() == 0 and rows["ci_low"].null_count() == 2
    # one PSU in the whole sample: a lonely stratum too (R: "Stratum (1) has only one PSU")
    one_psu = pl.DataFrame({"u": ["u1"] * 4, "k": list("abab"), "w": [1.0, 2.0, 1.0, 3.0]})
    assert set(share_table(one_psu, "k", Design("w", "u"), NO_SUPPRESSION).rows["reason"]) == {LONELY_PSU}
    # a domain inside one PSU of a two-PSU design: degf = 1 PSU − 1 stratum = 0
    two_psus = pl.DataFrame({"u": ["u1"] * 4 + ["u2"] * 2, "k": list("ababab"), "w": [1.0, 2.0, 1.0, 3.0, 1.0, 1.0]})
    inside = two_psus.filter(pl.col("u") == "u1")
    rows = share_table(inside, "k", Design("w", "u").sized(two_psus), NO_SUPPRESSION).rows
    assert set(rows["reason"]) == {NO_DEGREES_OF_FREEDOM} and rows["share"].null_count() == 0
    everyone = pl.DataFrame({"k": ["a"] * 5 + ["b"] * 0, "w": [1.0, 2.0, 1.0, 3.0, 1.0]})
    row = share_table(everyone, "k", "w", NO_SUPPRESSION, keys=["a", "b"]).rows
    # 100 % and 0 %: Clopper–Pearson on the Kish base 64/16 = 4 (R gives NaN)
    assert row["method"].to_list() == [CLOPPER_PEARSON_KISH, CLOPPER_PEARSON_KISH]
    assert row["ci_low"][0] == pytest.approx(0.025 ** (1 / 4)) and row["ci_high"][1] == pytest.approx(1 - 0.025 ** (1 / 4))
    with pytest.raises(InputError, match="cluster column 'u' is empty on 1 row"):
        share_table(pl.DataFrame({"k": ["a", "b"], "u": ["u1", None], "w": [1.0, 2.0]}), "k", Design("w", "u"))
    with pytest.raises(InputError, match="stratum column 's' is empty on 1 row"):
        Design("w", None, "s").sized(pl.DataFrame({"s": ["x", None], "w": [1.0, 2.0]}))


def test_reference_difference_combines_the_design_interval_with_the_published_wilson_one(r_survey):
    case = survey_files.CASES["shares"][2]  # panel segments
    rows, design = case_data(r_survey, case)
    table = share_table(rows, "segment", design, NO_SUPPRESSION)
    published = [0.06, 0.0775, 0.105, 0.21, 0.5475]
    order = {"newcomers": 0, "convinced": 1, "adapters": 2, "dissatisfied": 3, "wait_and_see": 4}
    reference = [published[order[k]] for k in table.rows["key"]]
    result = reference_differences(table, reference, 1700, NO_SUPPRESSION)
    for row, share, p0 in zip(result.iter_rows(named=True), table.rows.iter_rows(named=True), reference):
        low0, high0, _ = share_interval(p0, 1700, method=WILSON)
        d = share["share"] - p0
        assert row["method"] == NEWCOMBE_DESIGN and row["diff"] == pytest.approx(d)
        assert row["ci_low"] == pytest.approx(d - math.hypot(share["share"] - share["ci_low"], high0 - p0))
        assert row["ci_high"] == pytest.approx(d + math.hypot(share["ci_high"] - share["share"], p0 - low0))
        z = d / math.sqrt(share["se"] ** 2 + p0 * (1 - p0) / 1700)
        assert row["p_value"] == pytest.approx(p_two_sided(z))
    plain = share_table(rows, "segment", thresholds=NO_SUPPRESSION)
    newcombe = reference_differences(plain, [published[order[k]] for k in plain.rows["key"]], 1700, NO_SUPPRESSION)
    first = plain.rows.row(0, named=True)
    expected = difference(first["share"], plain.base_rows, published[order[first["key"]]], 1700)
    assert (newcombe["ci_low"][0], newcombe["ci_high"][0]) == pytest.approx((expected.ci_low, expected.ci_high))
    assert newcombe["method"][0] == NEWCOMBE


def test_plain_group_differences_keep_newcombe():
    frame = pl.DataFrame({"k": ["y"] * 56 + ["n"] * 14 + ["y"] * 48 + ["n"] * 32, "g": ["A"] * 70 + ["B"] * 80})
    cells = [aggregate_cells(frame.filter(pl.col("g") == g), ["k"]) for g in "AB"]
    row = share_differences_from_cells(*cells, "k", None, NO_SUPPRESSION, keys=["y", "n"]).row(0, named=True)
    # Newcombe (1998b) Table II, example (a): 56/70 − 48/80, (0.0524, 0.3339); pooled z 2.6502
    assert (round(row["ci_low"], 4), round(row["ci_high"], 4)) == (0.0524, 0.3339)
    assert (round(row["statistic"], 4), row["method"]) == (2.6502, NEWCOMBE)


def test_importing_stats_does_not_import_scipy():
    # Importing scipy costs about a second; the CLI must not pay it before reading a file (issue 13).
    code = "import sys, digistrat.stats, digistrat.cli; sys.exit(any(m.startswith('scipy') for m in sys.modules))"
    assert subprocess.run([sys.executable, "-c", code], cwd=Path(__file__).resolve().parents[1]).returncode == 0


# ---------------------------------------------------------------- no figure takes a page down (issue 14)


def test_issue_14_confounded_segments_page_renders_with_the_test_not_computable():
    # The file of issue 14: 400 rows, each segment always of the same company size, weights
    # 1, 1.5, 2. `explore.page_view` raised numpy's LinAlgError("Singular matrix").
    frame = survey_files.confounded(np.random.default_rng(0))
    dataset = datasets.load_bytes(frame.write_csv().encode(), "confounded.csv")
    ready = explore.prepare(dataset)
    view = explore.page_view(
        ready, FilterSpec(), dimension="company_size", profile_segment="convinced",
        groups=(FilterSpec.build(include={"sector": ["Retail"]}), FilterSpec.build(include={"sector": ["Services"]})),
    )
    assert view.weighted and view.base_rows == 400
    assert view.crosstab.test == "rao_scott_f" and view.crosstab.reason == SINGULAR
    assert view.crosstab.p_value is None and view.crosstab.cramers_v == pytest.approx(1.0)
    totals = frame.group_by("segment").agg(pl.col("weight").sum())
    expected = dict(zip(totals["segment"], totals["weight"] / frame["weight"].sum()))
    assert dict(zip(view.segments.rows["key"], view.segments.rows["share"])) == pytest.approx(expected)
    assert view.profile is not None and view.comparison is not None
    # every column holds a single segment: 100 % there, each cell's interval from the Kish base
    crossed = view.crosstab.cells.filter(pl.col("column_share") == 1.0)
    assert crossed.height == 5 and set(crossed["method"]) == {CLOPPER_PEARSON_KISH}


segment_keys = st.sampled_from(["a", "b", "c"])
weights = st.one_of(st.just(1.0), st.sampled_from([1.0, 1.5, 2.0]), st.floats(1e-6, 1e6))


@st.composite
def degenerate_surveys(draw) -> pl.DataFrame:
    """Small respondent tables full of edge cases: none or one respondent, constant answers,
    a column fully determined by another, extreme weights, one or few clusters per stratum,
    blank multi-answers."""
    n = draw(st.integers(0, 25))
    constant = draw(st.booleans())
    confounded = draw(st.booleans())
    rows = []
    for _ in range(n):
        a = "a" if constant else draw(segment_keys)
        b = {"a": "x", "b": "y", "c": "x"}[a] if confounded else draw(st.sampled_from(["x", "y", "z", None]))
        tools = draw(st.sampled_from([None, "", " ; ", "t1", "t1;t2", "t2"]))
        rows.append((a, b, tools, draw(weights), draw(st.sampled_from(["u1", "u2", "u3"])), draw(st.sampled_from(["s1", "s2"]))))
    return pl.DataFrame(rows, schema={"a": pl.String, "b": pl.String, "tools": pl.String, "w": pl.Float64,
                                      "u": pl.String, "s": pl.String}, orient="row")


DESIGNS = [None, "w", Design("w", "u"), Design("w", None, "s"), Design("w", "u", "s"), Design(None, "u", "s")]


def assert_shares_are_sound(rows: pl.DataFrame) -> None:
    for row in rows.iter_rows(named=True):
        if row["share"] is None:
            continue
        assert 0 <= row["share"] <= 1
        if row["ci_low"] is None:
            assert row["reason"] in REASONS
        else:
            assert 0 <= row["ci_low"] <= row["share"] <= row["ci_high"] <= 1
            assert row["method"] in (WILSON, CLOPPER_PEARSON, LOGIT, KORN_GRAUBARD, CLOPPER_PEARSON_KISH)


@settings(max_examples=120, deadline=None)
@given(degenerate_surveys(), st.sampled_from(DESIGNS), st.booleans())
def test_property_degenerate_cells_give_figures_or_reasons_never_exceptions(frame, design, sized):
    if sized and design is not None:
        design = (design if isinstance(design, Design) else Design(design)).sized(frame)
    thresholds = Thresholds(min_base=0, low_base=0)
    assert_shares_are_sound(share_table(frame, "a", design, thresholds, keys=["a", "b"]).rows)
    assert_shares_are_sound(multi_response_shares(frame, "tools", design, thresholds=thresholds).rows)
    for test in (TEST_RAO_SCOTT, TEST_RAO_SCOTT_FIRST):
        table = crosstab(frame, "a", "b", design, thresholds, weighted_test=test)
        assert table.p_value is None or 0 <= table.p_value <= 1
        assert table.reason is None or table.reason in REASONS
        assert (table.p_value is None) == (table.test is None or table.reason is not None)
        cells = table.cells.rename({"column_share": "share"})
        assert_shares_are_sound(cells)
        tested = cells.filter(pl.col("p_value").is_not_null())
        assert ((tested["p_value"] >= 0) & (tested["p_value"] <= 1) & (tested["p_adjusted"] >= tested["p_value"])).all()
    sides = [aggregate_cells(frame.filter(pl.col("b") == side), ["a"], design) for side in ("x", "y")]
    compared = share_differences_from_cells(*sides, "a", design, thresholds)
    assert ((compared["ci_low"] <= compared["diff"]) & (compared["diff"] <= compared["ci_high"])).all()
    tool_sides = [aggregate_cells(frame.filter(pl.col("b") == side), ["tools"], design) for side in ("x", "y")]
    tools = share_differences_from_cells(*tool_sides, "tools", design, thresholds, separator=";")
    assert ((tools["ci_low"] <= tools["diff"]) & (tools["diff"] <= tools["ci_high"])).all()
    assert tools.filter(pl.col("p_value").is_not_null())["p_value"].is_between(0, 1).all()
    shares = share_table(frame, "a", design, thresholds, keys=["a", "b", "c"])
    published = reference_differences(shares, [0.5, 0.0, 1.0], 30, thresholds)
    assert published.filter(pl.col("p_value").is_not_null())["p_value"].is_between(0, 1).all()


@settings(max_examples=40, deadline=None)
@given(degenerate_surveys(), st.booleans())
def test_property_the_segments_page_renders_on_degenerate_surveys(frame, weighted):
    survey = frame.select(
        pl.col("a").replace_strict({"a": "convinced", "b": "dissatisfied", "c": "wait_and_see"}).alias("segment"),
        pl.col("b").alias("size"), pl.col("tools"), pl.col("w").alias("weight"),
        (pl.col("w").rank("ordinal") % 3 * 30).cast(pl.Float64).alias("search_share"),
        pl.lit(40.0).alias("external_share"), (60 - pl.col("w").rank("ordinal") % 3 * 30).cast(pl.Float64).alias("direct_share"),
    )
    roles = {"segment": "segment", "size": "dimension", "tools": "multi", "search_share": "origin_search",
             "external_share": "origin_external", "direct_share": "origin_direct"}
    roles["weight"] = "weight" if weighted else "ignore"
    dataset = datasets.load_frame(survey, "degenerate", datasets.LoadSettings.build(roles=roles))
    ready = explore.prepare(dataset)
    view = explore.page_view(
        ready, FilterSpec(), thresholds=Thresholds(min_base=0, low_base=0), profile_segment="convinced",
        channel_pair=("convinced", "dissatisfied"),
        reference=pl.DataFrame({"key": ["convinced", "dissatisfied"], "share": [7.75, 21.0]}), reference_n=1700,
    )
    assert view.base_rows == frame.height
    assert_shares_are_sound(view.segments.rows)
    if view.crosstab is not None:
        assert view.crosstab.p_value is None or 0 <= view.crosstab.p_value <= 1


# ---------------------------------------------------------------- the command line, against R


def cli_json(*args: str) -> dict:
    done = subprocess.run([sys.executable, "-m", "digistrat", *args, "--json"], capture_output=True, text=True,
                          encoding="utf-8", cwd=Path(__file__).resolve().parents[1], timeout=120)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def design_options(case: dict) -> list[str]:
    spec = survey_files.DESIGNS[case["design"]]
    options = ["--weight", spec["weight"]]
    for option in ("psu", "stratum"):
        if spec[option]:
            options += [f"--{option}", spec[option]]
    return options


@pytest.mark.parametrize("case", [c for c in survey_files.CASES["tables"] if not c["domain"]], ids=lambda c: c["id"])
def test_cli_crosstab_json_equals_r(r_survey, tmp_path, case):
    spec = survey_files.DESIGNS[case["design"]]
    path = tmp_path / f"{spec['file']}.csv"
    r_survey[1][spec["file"]].write_csv(path)
    result = cli_json("crosstab", str(path), "--rows", case["rows"], "--cols", case["cols"], *design_options(case))
    expected = r_survey[0]["tables"][case["id"]]
    assert set(result) >= {"test", "statistic", "df", "ddf", "p_value", "cramers_v", "cells"}
    if "error" in expected:
        assert (result["test"], result["p_value"], result["reason"]) == ("rao_scott_f", None, "singular")
        return
    assert result["test"] == "rao_scott_f" and result["weighted"] is True
    assert (result["statistic"], result["df"], result["ddf"], result["p_value"]) == pytest.approx(
        (expected["F"], expected["ndf"], expected["ddf"], expected["p_F"]), rel=R_TOLERANCE, abs=1e-15)
    by_cell = {(c["row"], c["col"]): c for c in expected["cells"]}
    shown = [c for c in result["cells"] if c["share"] is not None]
    assert shown, "every column suppressed: the case tests nothing"
    for cell in result["cells"]:
        assert set(cell) >= {"row", "col", "count", "share", "ci_low", "ci_high", "p_value", "p_adjusted"}
        reference = by_cell[(cell["row"], cell["col"])]
        if cell["p_value"] is not None:
            assert cell["p_value"] == pytest.approx(reference["p"], rel=R_TOLERANCE, abs=1e-15)
        if cell["share"] is None or not 0 < reference["share"] < 1:
            continue
        assert cell["share"] == pytest.approx(100 * reference["share"], abs=1e-7)
        interval = r_interval(reference["intervals"], cell["method"], 0.95)
        # in points: 1e-6 points is 1e-8 as a proportion
        assert (cell["ci_low"], cell["ci_high"]) == pytest.approx([100 * v for v in interval], abs=1e-6)


@pytest.mark.parametrize("case", [c for c in survey_files.CASES["shares"] if not c["domain"]], ids=lambda c: c["id"])
def test_cli_shares_json_gives_each_rows_design_effect_and_effective_base_as_r(r_survey, tmp_path, case):
    spec = survey_files.DESIGNS[case["design"]]
    path = tmp_path / f"{spec['file']}.csv"
    r_survey[1][spec["file"]].write_csv(path)
    result = cli_json("shares", str(path), "--by", case["variable"], *design_options(case))
    expected = r_survey[0]["shares"][case["id"]]
    assert {row["key"] for row in result["rows"]} == set(expected)
    for row in result["rows"]:
        reference = expected[row["key"]]
        if row["share"] is None or not 0 < reference["share"] < 1:
            continue
        assert row["share"] == pytest.approx(100 * reference["share"], abs=1e-7)
        assert row["deff"] == pytest.approx(reference["deff"], rel=R_TOLERANCE)
        assert row["n_eff"] == pytest.approx(reference["share"] * (1 - reference["share"]) / reference["var"],
                                             rel=R_TOLERANCE)


def test_cli_crosstab_refuses_unknown_columns_in_one_line(r_survey, tmp_path):
    path = tmp_path / "panel.csv"
    r_survey[1]["panel"].write_csv(path)
    for options in (["--rows", "nope", "--cols", "tier"], ["--rows", "tier", "--cols", "tier", "--psu", "nope"]):
        done = subprocess.run([sys.executable, "-m", "digistrat", "crosstab", str(path), *options], capture_output=True,
                              text=True, cwd=Path(__file__).resolve().parents[1], timeout=120)
        assert done.returncode == 2
        assert done.stderr.count("\n") == 1 and "'nope'" in done.stderr and "column" in done.stderr


def test_every_method_test_and_reason_code_has_words_in_both_languages():
    from digistrat import stats
    from digistrat.i18n import catalog_keys, label

    codes = {
        "interval": (WILSON, CLOPPER_PEARSON, LOGIT, KORN_GRAUBARD, CLOPPER_PEARSON_KISH),
        "test": (stats.TEST_PEARSON, stats.TEST_FISHER, TEST_RAO_SCOTT, TEST_RAO_SCOTT_FIRST),
        "cell_test": (stats.CELL_Z, stats.CELL_DESIGN_T),
        "difference": (NEWCOMBE, DESIGN_T, NEWCOMBE_DESIGN, stats.WELCH),
        "reason": REASONS,
    }
    for prefix, values in codes.items():
        for code in values:
            assert f"{prefix}.{code}" in catalog_keys()
            assert label(f"{prefix}.{code}", "en") != label(f"{prefix}.{code}", "fr")
    assert label("test.rao_scott_f", "en") == "Rao–Scott, second order (F)"
    assert label("interval.korn_graubard", "en") == "Korn–Graubard interval on the design effective base"
    assert "never too optimistic" not in label("report.method.clopper_pearson", "en")

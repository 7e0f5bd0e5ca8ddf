"""Tests for digistrat.stats: each method against a published value or a hand derivation."""

from __future__ import annotations

import math
import statistics

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats as sps

from digistrat.errors import InputError
from digistrat.stats import (
    CELL_SCHEMA,
    SHARE_SCHEMA,
    Thresholds,
    benjamini_hochberg,
    crosstab,
    difference,
    effective_base,
    multi_response_shares,
    share_interval,
    share_table,
    versus_reference,
    weighted_shares,
)

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
    n_eff = total_w**2 / total_w2
    assert (table.base_rows, table.n_missing, table.weighted) == (6, 1, True)
    assert table.sum_w == pytest.approx(total_w)
    assert table.n_eff == pytest.approx(n_eff)
    assert table.deff == pytest.approx(6 / n_eff)
    rows = {r["key"]: r for r in table.rows.iter_rows(named=True)}
    for key in "abc":
        w = [wt for k, wt in answers if k == key]
        assert rows[key]["count"] == len(w)
        assert rows[key]["sum_w"] == pytest.approx(sum(w))
        assert rows[key]["sum_w2"] == pytest.approx(sum(x * x for x in w))
        assert rows[key]["share"] == pytest.approx(sum(w) / total_w)
        assert rows[key]["n_eff"] == pytest.approx(n_eff)
        assert rows[key]["method"] == "clopper_pearson"  # n_eff ≈ 4.1 < 30
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
    weighted = weighted_shares(pl.DataFrame({"s": ["a"] * 12, "w": [1.0] * 11 + [10.0]}), "s", "w")
    assert weighted.select("count", "flag", "share").row(0) == (12, "suppressed", None)
    assert weighted["n_eff"][0] == pytest.approx(441 / 111)
    custom = weighted_shares(pl.DataFrame({"s": ["a"] * 12}), "s", thresholds=Thresholds(min_base=5, low_base=12))
    assert custom["flag"][0] == "ok"
    with pytest.raises(InputError):
        Thresholds(min_base=40, low_base=30)


def test_equal_weights_are_identical_to_unweighted():
    frame = pl.DataFrame({"s": ["a"] * 13 + ["b"] * 29 + ["c"] * 3, "w": [0.1] * 45})
    plain = share_table(frame, "s")
    weighted = share_table(frame, "s", "w")
    same = ["key", "count", "share", "n_eff", "ci_low", "ci_high", "method", "flag"]
    assert weighted.rows.select(same).equals(plain.rows.select(same))
    assert (weighted.n_eff, weighted.deff) == (45.0, 1.0)


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
    assert cells["z"].to_list() == pytest.approx([z for *_, z, _ in raw])
    assert cells["p_value"].to_list() == pytest.approx([p for *_, p in raw])
    assert cells["p_adjusted"].to_list() == pytest.approx(adjusted)
    assert cells["z"][0] == pytest.approx(3.87298, abs=1e-5)  # (0.75 − 0.375) / √(0.25·0.0375)
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
    # Derived by hand (no published weights-only example reproducible here; R's svychisq
    # examples use clustered designs). For a 2×2 table the Rao–Scott first-order δ is the
    # design effect of the log odds ratio: the linearised score of respondent k in cell ij is
    # w_k·g_ij/Σw with g = (1/p11, −1/p12, −1/p21, 1/p22), so
    # V_design = n/(n−1)·Σ_k (w_k g_ij)² / (Σw)² and V_srs = Σ 1/p_ij / n.
    weights = {
        ("a", "x"): [1.0, 2.0] * 10,
        ("a", "y"): [0.5, 1.5, 1.0] * 5,
        ("b", "x"): [3.0, 1.0] * 5,
        ("b", "y"): [1.0, 1.0, 2.0] * 8 + [1.0],
    }
    result = crosstab(respondents(weights), "row", "col", "w", row_keys=["a", "b"], column_keys=["x", "y"])
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
    assert result.test == "rao_scott"
    assert result.mean_deff == pytest.approx(delta, rel=1e-9)
    assert result.statistic == pytest.approx(x2 / delta, rel=1e-9)
    assert result.p_value == pytest.approx(math.erfc(math.sqrt(x2 / delta / 2)), rel=1e-9)
    assert result.cramers_v == pytest.approx(math.sqrt(x2 / n))


def test_rao_scott_with_the_same_weight_mix_in_every_cell():
    # Derived by hand: when every cell holds the same mix of weights (here pairs 1 and 3),
    # Σw² of each cell is c·Σw of that cell, the covariance is n/(n−1)·deff·V_srs, so every
    # generalised design effect is n/(n−1)·deff_Kish, deff_Kish = n·Σw²/(Σw)² = 130·650/260² = 1.25.
    pairs = {("a", "x"): 5, ("a", "y"): 10, ("a", "z"): 15, ("b", "x"): 20, ("b", "y"): 10, ("b", "z"): 5}
    result = crosstab(respondents({k: [1.0, 3.0] * m for k, m in pairs.items()}), "row", "col", "w")
    counts = [[10, 20, 30], [40, 20, 10]]  # respondents per cell; weighted shares are the same
    rows_t = [60, 70]
    cols_t = [50, 40, 40]
    expected = [[rows_t[i] * cols_t[j] / 130 for j in range(3)] for i in range(2)]
    x2 = sum((counts[i][j] - expected[i][j]) ** 2 / expected[i][j] for i in range(2) for j in range(3))
    assert result.mean_deff == pytest.approx(130 / 129 * 1.25)
    assert result.statistic == pytest.approx(x2 / (130 / 129 * 1.25))
    assert (result.test, result.dof) == ("rao_scott", 2)


def test_crosstab_equal_weights_identical_to_unweighted():
    frame = respondents({("a", "x"): [2.0] * 12, ("a", "y"): [2.0] * 30, ("b", "x"): [2.0] * 25, ("b", "y"): [2.0] * 9})
    plain = crosstab(frame, "row", "col")
    weighted = crosstab(frame, "row", "col", "w")
    assert (weighted.test, weighted.statistic, weighted.p_value) == (plain.test, plain.statistic, plain.p_value)
    same = [c for c in CELL_SCHEMA if c != "sum_w"]
    assert weighted.cells.select(same).equals(plain.cells.select(same))


def test_weighted_two_by_two_with_small_effective_counts_uses_fisher():
    frame = respondents({("a", "x"): [1.0, 5.0], ("a", "y"): [1.0] * 6, ("b", "x"): [1.0] * 7, ("b", "y"): [2.0, 1.0]})
    assert crosstab(frame, "row", "col", "w").test == "fisher"


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
    same = ["key", "count", "share", "n_eff", "ci_low", "ci_high", "method", "flag"]
    assert weighted_shares(frame, "k", "w").select(same).equals(weighted_shares(frame, "k").select(same))

"""Tests for digistrat.explore (the segments page's figures) and the stats it added.

Expected values are typed from published sources (named) or computed here by hand from the
test's own rows, never taken from the code under test.
"""

from __future__ import annotations

import math
from collections import defaultdict

import polars as pl
import pytest
from scipy import stats as sps

from digistrat import datasets, explore, stats
from digistrat.errors import InputError
from digistrat.query import FilterSpec

NO_SUPPRESSION = stats.Thresholds(min_base=0, low_base=0)
HEADER = "respondent,segment,size,region,tools,score,search_share,external_share,direct_share,weight"
# (segment, size, region, tools, score, search, external, direct, weight)
ROWS = [
    ("convinced", "small", "north", "Hootsuite;Radian6", 3, 30, 40, 30, 1.0),
    ("convinced", "large", "south", "Hootsuite", 5, 20, 50, 30, 2.0),
    ("convinced", "small", "south", "Radian6", 4, 40, 30, 30, 1.0),
    ("dissatisfied", "small", "north", "Radian6", 2, 10, 70, 20, 1.0),
    ("dissatisfied", "small", "south", "", 4, 40, 40, 20, 3.0),
    ("dissatisfied", "large", "north", "Hootsuite;Spredfast", 1, 20, 60, 20, 1.0),
    ("wait_and_see", "large", "north", "Hootsuite", 1, 50, 20, 30, 1.0),
    ("wait_and_see", "small", "south", "Spredfast", 3, 30, 30, 40, 2.0),
    ("newcomers", "large", "south", "Spredfast", 2, 30, 30, 40, 1.0),
]


def survey_csv(rows=ROWS, weights: bool = True) -> bytes:
    lines = [HEADER if weights else HEADER.rsplit(",", 1)[0]]
    for i, row in enumerate(rows, 1):
        values = [str(i), *map(str, row)] if weights else [str(i), *map(str, row[:-1])]
        lines.append(",".join(values))
    return ("\n".join(lines) + "\n").encode()


def prepared(rows=ROWS, weights: bool = True) -> explore.PreparedSurvey:
    dataset = datasets.load_bytes(survey_csv(rows, weights), "panel.csv")
    return explore.prepare(dataset)


def weighted_share(rows, keep, of) -> float:
    """Σw over rows where `of` holds, among rows where `keep` holds (by hand)."""
    base = [r for r in rows if keep(r)]
    return sum(r[8] for r in base if of(r)) / sum(r[8] for r in base)


def kish(weights) -> float:
    return sum(weights) ** 2 / sum(w * w for w in weights)


# ---------------------------------------------------------------- stats added for the explorer

# Student (1908) sleep data as shipped with R (datasets::sleep): extra hours of sleep under two drugs.
SLEEP_1 = [0.7, -1.6, -0.2, -1.2, -0.1, 3.4, 3.7, 0.8, 0.0, 2.0]
SLEEP_2 = [1.9, 0.8, 1.1, 0.1, -0.1, 4.4, 5.5, 1.6, 4.6, 3.4]


def test_mean_interval_matches_r_paired_t_test_on_the_sleep_data():
    # R: t.test(extra ~ group, data = sleep, paired = TRUE) reports the mean difference
    # -1.58 with 95 percent CI -2.4598858 -0.7001142 (t = -4.0621, df = 9).
    differences = pl.DataFrame({"d": [b - a for a, b in zip(SLEEP_1, SLEEP_2)]})
    result = stats.weighted_mean(differences, "d", thresholds=NO_SUPPRESSION)
    assert result.mean == pytest.approx(1.58)
    assert (result.ci_low, result.ci_high) == pytest.approx((0.7001142, 2.4598858), abs=1e-7)
    assert result.mean / result.se == pytest.approx(4.0621, abs=1e-4)
    assert result.df == 9


def test_mean_difference_matches_r_welch_test_on_the_sleep_data():
    # R: t.test(extra ~ group, data = sleep) (Welch): t = -1.8608, df = 17.776,
    # p-value = 0.07939, 95 percent CI -3.3654832 0.2054832.
    one = stats.weighted_mean(pl.DataFrame({"y": SLEEP_1}), "y", thresholds=NO_SUPPRESSION)
    two = stats.weighted_mean(pl.DataFrame({"y": SLEEP_2}), "y", thresholds=NO_SUPPRESSION)
    result = stats.mean_difference(one.mean, one.se, one.df, two.mean, two.se, two.df)
    assert result.z == pytest.approx(-1.8608, abs=1e-4)
    assert result.p_value == pytest.approx(0.07939, abs=1e-5)
    assert (result.ci_low, result.ci_high) == pytest.approx((-3.3654832, 0.2054832), abs=1e-7)


def test_weighted_mean_linearisation_by_hand():
    y, w = [10.0, 20.0, 40.0], [1.0, 2.0, 1.0]
    mean = sum(a * b for a, b in zip(y, w)) / sum(w)  # 22.5
    # Var = n/(n−1) · Σw²(y − ȳ)² / (Σw)²
    variance = 3 / 2 * sum(b * b * (a - mean) ** 2 for a, b in zip(y, w)) / sum(w) ** 2
    result = stats.weighted_mean(pl.DataFrame({"y": y, "w": w}), "y", "w", thresholds=NO_SUPPRESSION)
    assert result.mean == pytest.approx(22.5)
    assert result.se == pytest.approx(math.sqrt(variance))
    half = sps.t.ppf(0.975, 2) * math.sqrt(variance)
    assert (result.ci_low, result.ci_high) == pytest.approx((22.5 - half, 22.5 + half))
    assert result.n_eff == pytest.approx(kish(w))


def test_weighted_mean_edge_cases():
    single = stats.weighted_mean(pl.DataFrame({"y": [3.0]}), "y", thresholds=NO_SUPPRESSION)
    assert single.mean == 3.0 and single.ci_low is None and single.se is None
    small = stats.weighted_mean(pl.DataFrame({"y": [1.0, 2.0, None]}), "y")  # min_base 10 by default
    assert small.n == 2 and small.mean is None and small.flag == stats.FLAG_SUPPRESSED
    with pytest.raises(InputError):
        stats.weighted_mean(pl.DataFrame({"y": ["a"]}), "y")
    with pytest.raises(InputError):
        stats.mean_difference(1.0, None, 3, 2.0, 0.5, 3)


# Newcombe (1998b), Statistics in Medicine 17:873–890, Table II, method 10 (as in test_stats).
@pytest.mark.parametrize(
    ("x1", "n1", "x2", "n2", "interval"),
    [(56, 70, 48, 80, (0.0524, 0.3339)), (9, 10, 3, 10, (0.1705, 0.8090)), (10, 10, 0, 20, (0.6791, 1.0000))],
)
def test_vectorised_differences_match_newcombe_table_ii(x1, n1, x2, n2, interval):
    frame = stats.differences([x1 / n1, None], [n1, n1], [x2 / n2, 0.5], [n2, n2])
    first = frame.row(0, named=True)
    assert (round(first["ci_low"], 4), round(first["ci_high"], 4)) == interval
    assert frame.row(1, named=True)["diff"] is None  # a missing share is not tested


def test_from_cells_equals_the_respondent_level_functions():
    frame = pl.DataFrame({"r": ["a", "b", "a", "b", "a"], "c": ["x", "x", "y", "y", "y"], "w": [1.0, 2, 1, 3, 1]})
    cells = stats.aggregate_cells(frame, ["r", "c"], "w")
    assert stats.share_table_from_cells(cells, "r", "w").rows.equals(stats.share_table(frame, "r", "w").rows)
    assert stats.crosstab_from_cells(cells, "r", "c", "w", NO_SUPPRESSION).cells.equals(
        stats.crosstab(frame, "r", "c", "w", NO_SUPPRESSION).cells
    )


# ---------------------------------------------------------------- layout


def test_layout_finds_dimensions_multi_answers_numeric_and_channel_columns():
    layout = prepared().layout
    assert layout.weight == "weight"
    assert layout.dimensions == ("size", "region")
    assert layout.multi == ("tools",)
    assert layout.numeric == ("score",)  # the origin columns have roles of their own
    assert dict(layout.origins) == {"search": "search_share", "external": "external_share", "direct": "direct_share"}


def test_sample_budget_column_is_not_taken_for_social_media_share():
    layout = explore.survey_layout(datasets.load_bundled(datasets.SAMPLE_PANEL))
    assert dict(layout.origins)["external"] == "external_share"


def test_channel_sessions_are_turned_into_each_company_shares():
    csv = b"segment,search_sessions,social_sessions,direct_sessions\nconvinced,10,30,60\nconvinced,50,50,0\n"
    dataset = datasets.load_bytes(csv, "sessions.csv")
    ready = explore.prepare(dataset)
    assert ready.layout.origins_are_counts
    view = explore.page_view(ready, FilterSpec(), thresholds=NO_SUPPRESSION)
    mix = view.channels.mix.filter(pl.col("segment") == "convinced")
    means = dict(zip(mix["bucket"], mix["mean"]))
    # company 1: 10/30/60 %, company 2: 50/50/0 % -> means 30, 40, 30
    assert means == pytest.approx({"search": 30.0, "external": 40.0, "direct": 30.0})


# ---------------------------------------------------------------- figures against hand computations


def test_segment_shares_bases_and_design_effect_by_hand():
    view = explore.page_view(prepared(), FilterSpec(), thresholds=NO_SUPPRESSION)
    shares = dict(zip(view.segments.rows["key"], view.segments.rows["share"]))
    for key in ("convinced", "dissatisfied", "wait_and_see", "newcomers"):
        assert shares[key] == pytest.approx(weighted_share(ROWS, lambda r: True, lambda r, k=key: r[0] == k))
    weights = [r[8] for r in ROWS]
    assert view.segments.n_eff == pytest.approx(kish(weights))
    assert view.segments.deff == pytest.approx(len(ROWS) / kish(weights))
    assert view.weighted and view.base_rows == len(ROWS) == view.total_rows


def test_categorical_and_numeric_filters_match_filtering_the_rows_first():
    spec = FilterSpec.build(include={"region": ["south"]}, ranges={"score": (2, 5)}, any_of={"tools": ["Spredfast"]})
    view = explore.page_view(prepared(), spec, thresholds=NO_SUPPRESSION)
    kept = [r for r in ROWS if r[2] == "south" and 2 <= r[4] <= 5 and "Spredfast" in r[3].split(";")]
    assert view.base_rows == len(kept) == 2
    shares = dict(zip(view.segments.rows["key"], view.segments.rows["share"]))
    assert shares["wait_and_see"] == pytest.approx(2 / 3)  # weights 2 (wait_and_see) and 1 (newcomers)
    assert shares["newcomers"] == pytest.approx(1 / 3)


def test_a_range_on_a_short_scale_filters_its_own_cube_with_the_same_figures():
    many = ROWS * 40  # 9 answer combinations, 360 respondents: a cube per score value pays
    survey = prepared(many)
    assert survey.by_value["score"].height < len(many) / 4
    spec = FilterSpec.build(include={"size": ["small"]}, ranges={"score": (2, 4)})
    view = explore.page_view(survey, spec, thresholds=NO_SUPPRESSION, profile_segment="convinced")

    def keep(r) -> bool:
        return r[1] == "small" and 2 <= r[4] <= 4

    assert view.base_rows == sum(keep(r) for r in many) == 200
    shares = dict(zip(view.segments.rows["key"], view.segments.rows["share"]))
    for segment in ("convinced", "dissatisfied", "wait_and_see"):
        assert shares[segment] == pytest.approx(weighted_share(many, keep, lambda r, s=segment: r[0] == s))
    north = view.profile.rows.filter((pl.col("dimension") == "region") & (pl.col("key") == "north")).row(0, named=True)
    inside = weighted_share(many, lambda r: keep(r) and r[0] == "convinced", lambda r: r[2] == "north")
    rest = weighted_share(many, lambda r: keep(r) and r[0] != "convinced", lambda r: r[2] == "north")
    assert (north["share"], north["rest"]) == pytest.approx((100 * inside, 100 * rest))
    search = view.channels.mix.filter((pl.col("segment") == "convinced") & (pl.col("bucket") == "search"))
    kept = [r for r in many if keep(r) and r[0] == "convinced"]
    assert search["mean"][0] == pytest.approx(sum(r[5] * r[8] for r in kept) / sum(r[8] for r in kept))


def test_crosstab_column_shares_and_test_by_hand():
    view = explore.page_view(prepared(), FilterSpec(), thresholds=NO_SUPPRESSION, dimension="size")
    cells = view.crosstab.cells
    got = {(r["row"], r["column"]): r["column_share"] for r in cells.iter_rows(named=True)}
    for size in ("small", "large"):
        for segment in ("convinced", "dissatisfied"):
            expected = weighted_share(ROWS, lambda r, s=size: r[1] == s, lambda r, k=segment: r[0] == k)
            assert got[(segment, size)] == pytest.approx(expected)
    assert view.crosstab.test == stats.TEST_RAO_SCOTT  # weights vary
    assert view.crosstab_dimension == "size"


def test_compare_groups_difference_by_hand():
    groups = (FilterSpec.build(include={"size": ["small"]}), FilterSpec.build(include={"size": ["large"]}))
    view = explore.page_view(prepared(), FilterSpec(), thresholds=NO_SUPPRESSION, groups=groups)
    row = view.comparison.rows.filter(pl.col("key") == "dissatisfied").row(0, named=True)
    p_small = weighted_share(ROWS, lambda r: r[1] == "small", lambda r: r[0] == "dissatisfied")
    p_large = weighted_share(ROWS, lambda r: r[1] == "large", lambda r: r[0] == "dissatisfied")
    assert row["diff"] == pytest.approx(100 * (p_small - p_large))
    n_small = kish([r[8] for r in ROWS if r[1] == "small"])
    assert row["n_eff_a"] == pytest.approx(n_small)
    assert row["ci_low"] < row["diff"] < row["ci_high"]
    assert view.comparison.n_tests == 4  # adapters: 0 % in both groups, nothing to test
    assert row["direction"] in {"higher", "lower", "same"}


def test_overlapping_groups_are_refused_in_words():
    groups = (FilterSpec.build(include={"size": ["small"]}), FilterSpec.build(include={"region": ["north"]}))
    with pytest.raises(InputError, match="in both groups"):
        explore.page_view(prepared(), FilterSpec(), groups=groups)


def test_reference_comparison_uses_the_published_base():
    reference = pl.DataFrame({"key": ["convinced", "dissatisfied"], "share": [7.75, 21.0]})
    view = explore.page_view(prepared(), FilterSpec(), thresholds=NO_SUPPRESSION, reference=reference, reference_n=1700)
    row = view.comparison.rows.filter(pl.col("key") == "dissatisfied").row(0, named=True)
    p = weighted_share(ROWS, lambda r: True, lambda r: r[0] == "dissatisfied")
    assert row["diff"] == pytest.approx(100 * (p - 0.21))
    # Newcombe's construction from the survey share's design interval (checked against R in
    # test_stats) and the study's Wilson interval on its 1,700 companies
    share = view.segments.rows.filter(pl.col("key") == "dissatisfied").row(0, named=True)
    z, p0, n0 = 1.959963984540054, 0.21, 1700
    centre, half = (p0 + z * z / (2 * n0)) / (1 + z * z / n0), z / (1 + z * z / n0) * math.sqrt(
        p0 * (1 - p0) / n0 + z * z / (4 * n0 * n0))
    low0, high0 = centre - half, centre + half
    low = (p - p0) - math.sqrt((p - share["ci_low"]) ** 2 + (high0 - p0) ** 2)
    high = (p - p0) + math.sqrt((share["ci_high"] - p) ** 2 + (p0 - low0) ** 2)
    assert (row["ci_low"], row["ci_high"]) == pytest.approx((100 * low, 100 * high))
    assert view.comparison.against_reference and view.comparison.rows_b is None


def test_channel_mix_and_contrast_by_hand():
    view = explore.page_view(prepared(), FilterSpec(), thresholds=NO_SUPPRESSION, channel_pair=("dissatisfied", "convinced"))
    mix = view.channels.mix
    for segment in ("dissatisfied", "convinced"):
        rows = [r for r in ROWS if r[0] == segment]
        expected = sum(r[6] * r[8] for r in rows) / sum(r[8] for r in rows)
        got = mix.filter((pl.col("segment") == segment) & (pl.col("bucket") == "external"))["mean"][0]
        assert got == pytest.approx(expected)
    all_external = sum(r[6] * r[8] for r in ROWS) / sum(r[8] for r in ROWS)
    assert mix.filter((pl.col("segment") == explore.ALL) & (pl.col("bucket") == "external"))["mean"][0] == pytest.approx(all_external)
    contrast = view.channels.contrast.filter(pl.col("bucket") == "external").row(0, named=True)
    assert contrast["diff"] == pytest.approx(contrast["mean_a"] - contrast["mean_b"])
    # direct: every company of both segments says 30 / 20, no spread, nothing to test
    assert view.channels.n_tests == 2


def test_profile_differences_and_order_by_hand():
    view = explore.page_view(prepared(), FilterSpec(), thresholds=NO_SUPPRESSION, profile_segment="dissatisfied")
    rows = view.profile.rows
    small = rows.filter((pl.col("dimension") == "size") & (pl.col("key") == "small")).row(0, named=True)
    inside = weighted_share(ROWS, lambda r: r[0] == "dissatisfied", lambda r: r[1] == "small")
    rest = weighted_share(ROWS, lambda r: r[0] != "dissatisfied", lambda r: r[1] == "small")
    assert (small["share"], small["rest"]) == pytest.approx((100 * inside, 100 * rest))
    assert small["diff"] == pytest.approx(100 * (inside - rest))
    # multi-answer: share of the segment's respondents who answered the question
    radian = rows.filter((pl.col("dimension") == "tools") & (pl.col("key") == "Radian6")).row(0, named=True)
    assert radian["share"] == pytest.approx(100 * 1 / 2)  # weights 1 (Radian6) and 1 (Hootsuite;Spredfast)
    diffs = [abs(d) for d in rows["diff"].to_list() if d is not None]
    assert diffs == sorted(diffs, reverse=True)
    assert view.profile.n_tests == rows["p_value"].is_not_null().sum()
    assert set(view.profile.dimensions["dimension"]) == {"size", "region"}


def test_focus_filters_the_breakdown_and_picks_the_profile():
    view = explore.page_view(prepared(), FilterSpec(), thresholds=NO_SUPPRESSION, focus=("convinced",),
                             profile_segment="dissatisfied")
    sizes = dict(zip(view.breakdown["size"].rows["key"], view.breakdown["size"].rows["share"]))
    assert sizes["small"] == pytest.approx(2 / 4)  # convinced: small 1 + 1, large 2
    assert view.profile.segment == "convinced"
    # the segment shares themselves stay on all segments
    assert view.segments.base_rows == len(ROWS)


# ---------------------------------------------------------------- edge cases


def test_an_empty_filter_result_gives_an_empty_view_not_an_error():
    view = explore.page_view(
        prepared(), FilterSpec.build(include={"region": ["nowhere"]}), focus=("convinced",),
        profile_segment="convinced", channel_pair=("dissatisfied", "convinced"),
        reference=pl.DataFrame({"key": ["convinced"], "share": [7.75]}), reference_n=1700,
    )
    assert view.empty and view.base_rows == 0
    assert view.crosstab is None and view.comparison is None and view.channels is None and view.profile is None
    assert view.segments.rows["share"].null_count() == view.segments.rows.height


def test_a_single_respondent():
    view = explore.page_view(
        prepared(), FilterSpec.build(include={"segment": ["newcomers"]}), thresholds=NO_SUPPRESSION,
        profile_segment="newcomers", channel_pair=("newcomers", "convinced"),
    )
    assert view.base_rows == 1
    assert view.segments.rows.filter(pl.col("key") == "newcomers")["share"][0] == 1.0
    assert view.crosstab.test is None  # one segment row: nothing to test
    newcomers = view.channels.mix.filter(pl.col("segment") == "newcomers")
    assert newcomers["mean"].to_list() == [30.0, 30.0, 40.0] and newcomers["ci_low"].null_count() == 3
    assert view.channels.contrast["diff"].null_count() == 3  # no interval for one company: not tested


def test_suppressed_bases_are_flagged_and_not_tested():
    view = explore.page_view(prepared(), FilterSpec(), profile_segment="dissatisfied",
                             thresholds=stats.Thresholds(min_base=5, low_base=30))
    assert set(view.segments.rows["flag"]) == {stats.FLAG_LOW}  # n_eff ≈ 6.5 for the whole base
    assert view.profile.rows["direction"].null_count() == view.profile.rows.height
    assert view.profile.n_tests == 0


def test_equal_weights_give_the_unweighted_figures():
    equal = [(*r[:-1], 2.5) for r in ROWS]
    spec = FilterSpec.build(ranges={"score": (1, 4)})
    kwargs = dict(thresholds=NO_SUPPRESSION, profile_segment="convinced", channel_pair=("convinced", "dissatisfied"),
                  groups=(FilterSpec.build(include={"size": ["small"]}), FilterSpec.build(include={"size": ["large"]})))
    weighted = explore.page_view(prepared(equal), spec, **kwargs)
    unweighted = explore.page_view(prepared(equal, weights=False), spec, **kwargs)
    assert not weighted.weighted
    for a, b in [
        (weighted.segments.rows, unweighted.segments.rows),
        (weighted.crosstab.cells, unweighted.crosstab.cells),
        (weighted.comparison.rows, unweighted.comparison.rows),
        (weighted.channels.mix, unweighted.channels.mix),
        (weighted.profile.rows, unweighted.profile.rows),
    ]:
        numeric = [c for c, d in a.schema.items() if d.is_float() and c not in ("sum_w", "sum_w2")]
        assert a.select(numeric).to_numpy() == pytest.approx(b.select(numeric).to_numpy(), nan_ok=True)
    assert weighted.crosstab.test == unweighted.crosstab.test == stats.TEST_PEARSON


def test_unknown_choices_raise_input_errors():
    ready = prepared()
    with pytest.raises(InputError):
        explore.page_view(ready, FilterSpec(), dimension="no_such_column")
    with pytest.raises(InputError):
        explore.page_view(ready, FilterSpec(), profile_segment="nobody")
    with pytest.raises(InputError):
        explore.page_view(ready, FilterSpec(), channel_pair=("convinced", "convinced"))


def test_sample_panel_figures_reproduce_the_published_shares():
    dataset = datasets.load_bundled(datasets.SAMPLE_PANEL)
    ready = explore.prepare(dataset)
    view = explore.page_view(ready, FilterSpec())
    totals: dict[str, float] = defaultdict(float)
    for segment, weight in dataset.frame.select("segment", "weight").iter_rows():
        totals[segment] += weight
    grand = sum(totals.values())
    shares = dict(zip(view.segments.rows["key"], view.segments.rows["share"]))
    assert {k: round(100 * v, 2) for k, v in shares.items()} == {k: round(100 * v / grand, 2) for k, v in totals.items()}
    # FACTS.md §1
    assert {k: round(100 * v, 2) for k, v in shares.items()} == {
        "newcomers": 6, "convinced": 7.75, "adapters": 10.5, "dissatisfied": 21, "wait_and_see": 54.75}


@pytest.mark.parametrize(("rule", "rows", "wait_and_see"), [
    # weights 2 + 1 for wait-and-see, 1 for dissatisfied: the -1 row is left out
    ("exclude", 3, 3 / 4),
    # every row kept, each counted once: 2 of 4
    ("unweighted", 4, 2 / 4),
])
def test_the_weight_rule_decides_rows_and_figures_together(rule: str, rows: int, wait_and_see: float):
    data = "segment;weight\nLes attentistes;2\nLes insatisfaits;-1\nLes insatisfaits;1\nLes attentistes;1\n"
    dataset = datasets.load_bytes(data.encode(), "w.csv", datasets.LoadSettings(weight_rule=rule))
    prepared = explore.prepare(dataset)
    # bases this small are suppressed by default; the test is about which rows count
    view = explore.page_view(prepared, FilterSpec(), thresholds=stats.Thresholds(min_base=0, low_base=0))
    shares = dict(view.segments.rows.select(pl.col("key").cast(pl.String), "share").rows())
    assert shares["wait_and_see"] == pytest.approx(wait_and_see)
    # the page's count, the rows exported and the CLI's base are the same rows
    assert view.total_rows == view.base_rows == rows == datasets.rows(dataset).collect().height
    assert datasets.segment_shares(dataset).base == rows

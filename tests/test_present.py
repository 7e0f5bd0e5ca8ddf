"""The presentation layer: the core's results as the tables people read, in French and English.

Expected texts are written here from figures computed by the test (or from published ones),
never read back from the module.
"""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from digistrat import charts, datasets, explore, present, stats, traffic
from digistrat.channels import ChannelSettings
from digistrat.i18n import format_period
from digistrat.query import FilterSpec
from tests.fixtures_app import kish_base, panel_rows, shown_share, weighted_segment_shares

NNBSP, MINUS = "\u202f", "\u2212"


@pytest.fixture(scope="module")
def prepared() -> explore.PreparedSurvey:
    return explore.prepare(datasets.load_bundled(datasets.SAMPLE_PANEL))


@pytest.fixture(scope="module")
def view(prepared) -> explore.PageView:
    return explore.page_view(
        prepared, FilterSpec(), dimension="company_size", profile_segment="dissatisfied",
        reference=datasets.reference_shares(datasets.REFERENCE_SEGMENTS), reference_n=1700,
        channel_pair=("dissatisfied", "convinced"),
    )


# ---------------------------------------------------------------- order of categories


def test_ordered_answers_keep_their_own_order():
    assert present.category_order(["10-49", "1-9", "1000+", "250-999", "50-249"]) == [
        "1-9", "10-49", "50-249", "250-999", "1000+"]
    assert present.category_order(["< 10", "10 000+", "1 000–9 999", "10–999"]) == ["< 10", "10–999", "1 000–9 999", "10 000+"]
    # words keep the order they were given (by share)
    assert present.category_order(["Services", "Retail", "1-9"]) == ["Services", "Retail", "1-9"]


# ---------------------------------------------------------------- shares


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_segment_shares_are_written_at_their_bases_precision(view, lang):
    rows = present.share_rows(view.segments, lang, lambda k: present.segment_label(k, lang))
    table = present.share_table(rows, lang, 0.95, "Segment")
    expected = weighted_segment_shares(panel_rows())
    base = kish_base([float(r["weight"]) for r in panel_rows()])
    mark = "," if lang == "fr" else "."
    space = NNBSP if lang == "fr" else ""
    for key, share in zip(rows["key"].to_list(), table[table.columns[1]].to_list()):
        assert share == f"{shown_share(expected[key], base):.1f}".replace(".", mark) + f"{space}%"
    # the interval: one format, the same decimals on both bounds
    assert all(len(cell.split(" – ")) == 2 for cell in table[table.columns[2]].to_list())
    assert table.columns[2] == ("95% interval" if lang == "en" else f"Intervalle à 95{NNBSP}%")
    assert table[table.columns[3]].to_list() == ["24", "31", "42", "84", "219"]  # FACTS.md: whole counts of 400


def test_a_breakdown_of_company_sizes_is_in_size_order_not_share_order(view):
    rows = present.share_rows(view.breakdown["company_size"], "en", natural_order=True)
    assert rows["key"].to_list() == ["1-9", "10-49", "50-249", "250-999", "1000+"]
    by_share = present.share_rows(view.breakdown["company_size"], "en")
    assert by_share["share"].to_list() == sorted(by_share["share"].to_list(), reverse=True)


def test_published_shares_keep_their_own_precision():
    rows = present.published_rows(datasets.reference_shares(datasets.REFERENCE_SEGMENTS), "fr", str)
    assert rows["share_text"].to_list() == [f"6{NNBSP}%", f"7,75{NNBSP}%", f"10,5{NNBSP}%", f"21{NNBSP}%", f"54,75{NNBSP}%"]


def test_the_upload_preview_and_the_page_round_the_same_share_the_same_way(view):
    shares = datasets.segment_shares(datasets.load_bundled(datasets.SAMPLE_PANEL))
    preview = present.segment_shares_table(shares, "en")
    page = present.share_table(present.share_rows(view.segments, "en", lambda k: present.segment_label(k, "en")),
                               "en", 0.95, "Segment")
    assert preview["Share"].to_list() == page["Share"].to_list()
    assert preview["95% interval"].to_list() == page["95% interval"].to_list()


# ---------------------------------------------------------------- crosstab


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_a_crosstab_is_worded_whole_in_each_language(view, lang):
    shown = present.crosstab_view(view.crosstab, lang, "Company size" if lang == "en" else "Taille d'entreprise")
    assert shown.table.columns == ["Segment", "1-9", "10-49", "50-249", "250-999", "1000+"]
    assert shown.table["Segment"].to_list()[-1] == "Base (n)"
    test = shown.notes[1]
    v = view.crosstab.cramers_v
    word = explore.association_strength(v)
    table = view.crosstab
    # the weighted default is R's svychisq: second-order Rao–Scott with its F reference
    if lang == "en":
        assert test.startswith(f"Rao–Scott, second order (F): F = {table.statistic:.2f} on {table.ndf:.2f} and ")
        assert f"{table.ddf:,.1f} degrees of freedom" in test
        assert f"Cramér's V = {v:.3f} ({word})." in test
        assert shown.notes[-1] == "Each marker: design-based t test (as R's svyttest)."
    else:
        assert test.startswith("Rao–Scott, second ordre (F) : F = ")
        assert f"V de Cramér = {v:.3f}".replace(".", ",") in test
        assert "." not in test.split("=")[1].split(",")[0]  # decimal commas
        assert shown.notes[-1] == "Chaque repère : test t du plan de sondage (comme svyttest de R)."


def test_the_strength_of_a_link_follows_cohens_conventions():
    assert [explore.association_strength(v) for v in (0.0, 0.09, 0.1, 0.29, 0.3, 0.49, 0.5, 0.9)] == [
        "negligible", "negligible", "weak", "weak", "moderate", "moderate", "strong", "strong"]
    assert explore.association_strength(None) is None
    assert explore.association_strength(float("nan")) is None


def test_a_difference_holds_only_below_the_level_after_correction():
    assert explore.direction(4.2, 0.01, 0.95) == explore.HIGHER
    assert explore.direction(-4.2, 0.049, 0.95) == explore.LOWER
    assert explore.direction(-4.2, 0.05, 0.95) == explore.SAME
    assert explore.direction(-4.2, 0.05, 0.90) == explore.LOWER
    assert explore.direction(None, None, 0.95) is None


# ---------------------------------------------------------------- comparisons


def test_compare_opens_on_the_answer_that_stands_apart(prepared):
    column, answer = explore.telling_groups(prepared)
    rows = panel_rows()
    inside = [r for r in rows if r[column] == answer]
    outside = [r for r in rows if r[column] != answer]
    a, b = weighted_segment_shares(inside), weighted_segment_shares(outside)
    groups = (FilterSpec.build(include={column: [answer]}),
              FilterSpec.build(include={column: sorted({r[column] for r in outside})}))
    result = explore.compare_groups(prepared.cube, groups, prepared.layout.weight, stats.Thresholds())
    held = result.rows.filter(pl.col("direction").is_in([explore.HIGHER, explore.LOWER]))
    assert held.height >= 1  # the comparison it opens on shows a difference
    for row in held.iter_rows(named=True):
        assert row["diff"] == pytest.approx(a.get(row["key"], 0) - b.get(row["key"], 0), abs=1e-9)


def test_a_survey_where_nothing_stands_apart_opens_on_a_question(tmp_path):
    lines = ["id,segment,size,weight"] + [f"R{i},{['Attentiste', 'Insatisfait'][i % 2]},{['A', 'B'][i // 2 % 2]},1"
                                          for i in range(80)]
    dataset = datasets.load_bytes("\n".join(lines).encode(), "even.csv")
    assert explore.telling_groups(explore.prepare(dataset)) is None


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_a_comparison_with_the_reference_says_the_published_base_in_words(view, lang):
    shown = present.comparison_view(view.comparison, lang, 0.95, published_n=1700)
    assert "n = –" not in shown.notes[0]
    assert ("1,700 companies" if lang == "en" else f"1{NNBSP}700 entreprises") in shown.notes[0]
    verdicts = shown.table[shown.table.columns[-1]].to_list()
    assert set(verdicts) <= {"higher", "lower", "no clear difference", "not tested: base too small",
                             "plus élevée", "plus faible", "pas de différence nette", "non testée : base trop faible"}
    differences = shown.table[shown.table.columns[3]].to_list()
    assert not any(d.startswith("-") for d in differences)  # one minus sign: U+2212


def test_the_segments_by_channels_contrast_has_signed_differences_and_verdicts(view):
    shown = present.origin_means_view(view.channels, "en", 0.95)
    contrast = {r["Channel"]: r for r in shown.contrast.to_dicts()}
    external = contrast["External links (social media)"]
    assert external["Difference (points)"].startswith("+") and external["Verdict"] == "higher"
    assert contrast["Search engines"]["Difference (points)"].startswith(MINUS)


# ---------------------------------------------------------------- traffic


@pytest.fixture(scope="module")
def counts() -> pl.DataFrame:
    return traffic.session_counts(datasets.load_bundled(datasets.SAMPLE_SESSIONS), ChannelSettings())


def test_traffic_shares_have_thousands_separators_and_one_decimal(counts):
    mix = traffic.mix(counts, ChannelSettings())
    table = present.traffic_table(present.traffic_rows(mix.buckets, "bucket", "fr"), "fr", "Famille")
    rows = {r["Famille"]: r for r in table.to_dicts()}
    assert rows["Accès directs"]["Visites"] == f"3{NNBSP}100"
    assert rows["Accès directs"]["Part"] == f"31,0{NNBSP}%"


def test_a_period_comparison_is_worded_with_day_first_french_dates(counts):
    first, second = (dt.date(2026, 1, 5), dt.date(2026, 1, 31)), (dt.date(2026, 3, 2), dt.date(2026, 3, 29))
    table = traffic.compare(traffic.between(counts, *first), traffic.between(counts, *second), "bucket")
    shown = present.change_view(table, "bucket", "fr", format_period(*first, "fr"), format_period(*second, "fr"), 0.95)
    assert "Visites — 5 janv. 2026 – 31 janv. 2026" in shown.table.columns
    assert set(shown.table["Verdict"].to_list()) <= {"plus élevée", "plus faible", "pas de différence nette"}
    # the direction is the core's: changes that hold after correction are the ones coloured
    held = table.filter(pl.col("p_adjusted") < 0.05)
    assert shown.chart.filter(pl.col("direction") != "same").height == held.height


def test_trend_periods_are_written_as_weeks_or_months_in_the_language():
    day = dt.date(2026, 3, 2)
    assert present.period_text(day, "week", "fr") == "semaine du 2 mars 2026"
    assert present.period_text(day, "month", "en") == "March 2026"
    assert present.period_text(day, "day", "en") == "2 Mar 2026"


def test_the_cli_text_table_aligns_columns():
    text = present.text_table(pl.DataFrame({"Segment": ["Newcomers", "Wait-and-see"], "Share": ["6.0%", "54.8%"]}))
    assert text.splitlines() == ["Segment       Share", "Newcomers      6.0%", "Wait-and-see  54.8%"]


# ---------------------------------------------------------------- colours


def test_text_the_app_draws_on_colours_reads_at_4_5_to_1():
    for fill in (*charts.BUCKET_COLOURS, charts.DATA_COLOUR, charts.REFERENCE_COLOUR, *charts.HEATMAP_RANGE):
        assert charts.contrast(charts.text_colour(fill), fill) >= 4.5, fill
    # heatmap cell text is ink on the darkest cell too
    assert charts.contrast(charts.INK, charts.HEATMAP_RANGE[1]) >= 4.5
    # WCAG's own examples: black on white is 21:1, a mid grey 4.5:1 or so
    assert charts.contrast("#000000", "#FFFFFF") == pytest.approx(21)
    assert charts.contrast("#767676", "#FFFFFF") == pytest.approx(4.54, abs=0.01)


def test_design_based_shares_show_each_figures_design_effect_and_effective_base(view):
    rows = present.share_rows(view.segments, "en", str)
    table = present.share_table(rows, "en", 0.95, "Segment")
    assert table.columns == ["Segment", "Share", "95% interval", "Base (n)", "Design effect", "Effective base", "Note"]
    # Each share's design variance as R's survey package defines it for ids = ~1:
    # V = n/(n − 1) · Σ w²(y − p)² / (Σw)²; effective base p(1 − p)/V; design effect V / (s²/n) with
    # s² = p(1 − p) · n/(n − 1), that is (n − 1) / the effective base (svymean(deff = "replace")).
    panel = panel_rows()
    n, total = len(panel), sum(float(r["weight"]) for r in panel)
    for segment, deff, n_eff in zip(table["Segment"].to_list(), table["Design effect"].to_list(),
                                    table["Effective base"].to_list()):
        p = sum(float(r["weight"]) for r in panel if r["segment"] == segment) / total
        variance = n / (n - 1) * sum(float(r["weight"]) ** 2 * ((r["segment"] == segment) - p) ** 2 for r in panel) / total**2
        assert n_eff == f"{p * (1 - p) / variance:,.1f}"
        assert deff == f"{(n - 1) / (p * (1 - p) / variance):,.2f}"
    # 400 respondents, the rarest segment ~24 of them: every interval is the logit one
    assert present.interval_methods(rows, "en") == "Intervals: Logit interval on the design variance."
    assert present.interval_methods(rows, "fr") == "Intervalles : Intervalle logit sur la variance du plan."


def test_plain_shares_have_no_design_columns_and_name_their_intervals():
    frame = pl.DataFrame({"segment": ["convinced"] * 12 + ["dissatisfied"] * 188})
    table = stats.share_table(frame, "segment")
    rows = present.share_rows(table, "en", str)
    assert present.share_table(rows, "en", 0.95, "Segment").columns == ["Segment", "Share", "95% interval", "Base (n)", "Note"]
    # 12 of 200: fewer than 30 respondents on one side is not it; 12 ≥ 5, 200 ≥ 30: Wilson for both
    assert present.interval_methods(rows, "en") == "Intervals: Wilson score interval."

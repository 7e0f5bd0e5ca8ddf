"""Chart specs: every builder's spec is valid Vega-Lite, skipping the validation changes nothing,
and `charts.spec` builds a spec once per distinct frame and options.

The app draws specs without Altair's schema validation (it costs more than the chart); these
tests and the app tests (tests/conftest.py switches validation on) are where they are validated.
"""

from __future__ import annotations

import datetime as dt
import math

import altair as alt
import jsonschema
import polars as pl
import pytest

from digistrat import charts

SHARES = pl.DataFrame(
    {
        "key": ["newcomers", "convinced", "adapters", "dissatisfied", "wait_and_see"],
        "label": ["Newcomers", "Convinced", "Adapters", "Dissatisfied", "Wait-and-see"],
        "share": [6.0, 7.75, 10.5, 21.0, 54.75],
        "share_text": ["6%", "7.75%", "10.5%", "21%", "54.75%"],
        "ci_low": [4.1, 5.5, None, 18.2, 51.0],
        "ci_high": [8.2, 10.1, None, 24.0, 58.4],
        "flag": ["low", "ok", "suppressed", "ok", "ok"],
        "base_text": ["25", "31", "9", "85", "219"],
    }
)
SEGMENT_KEYS = SHARES["key"].to_list()

# (builder, frame, options): every builder, with the options the pages use
CASES = {
    "share_bars": (charts.share_bars, SHARES, {"title": "Segments", "axis_title": "Segment"}),
    "share_bars_selectable": (
        charts.share_bars, SHARES,
        {"title": "Segments", "axis_title": "Segment", "colours": (SEGMENT_KEYS, ["#111111"] * 5),
         "selectable": True, "selected": ("dissatisfied",), "base_title": "Base"},
    ),
    "share_bars_plain": (charts.share_bars, SHARES.select("key", "label", "share", "share_text"),
                         {"title": "Devices", "axis_title": " "}),
    "comparison_bars": (
        charts.comparison_bars,
        pl.DataFrame({"label": ["Search", "Search", "Direct", "Direct"], "series": ["Data", "Reference"] * 2,
                      "share": [31.0, 29.0, 30.5, 31.0], "share_text": ["31%", "29%", "30.5%", "31%"]}),
        {"title": "Origins", "series_order": ["Data", "Reference"]},
    ),
    "mix_stack": (
        charts.mix_stack,
        pl.DataFrame({"series": ["Data", "Data", "Reference"], "label": ["Organic search", "Referral", "Search"],
                      "group": ["Search", "External", "Search"], "share": [29.0, 40.0, 29.0],
                      "share_text": ["29%", "40%", "29%"], "order": [1, 102, 0]}),
        {"title": "Mix", "series_order": ["Data", "Reference"], "group_order": ["Search", "External", "Direct"]},
    ),
    "heatmap": (
        charts.heatmap,
        pl.DataFrame({"row_label": ["Newcomers", "Newcomers"], "column_label": ["1-9", "10-49"], "share": [60.0, None],
                      "text": ["60 ▲", "–"], "verdict": ["higher", ""]}),
        {"title": "Crosstab", "x_title": "Size", "y_title": "Segment", "tooltip": (("verdict", " "),)},
    ),
    "trend_lines": (
        charts.trend_lines,
        pl.DataFrame({"period": [dt.date(2026, 2, 2), dt.date(2026, 2, 9)], "label": ["Search", "Search"],
                      "share": [28.0, 30.0], "share_text": ["28%", "30%"], "period_text": ["2026-02-02", "2026-02-09"]}),
        {"title": "Trend", "legend_title": "Bucket", "label_order": ["Search"], "colours": ["#1F6FB2"]},
    ),
    "difference_intervals": (
        charts.difference_intervals,
        pl.DataFrame({"label": ["Newcomers", "Convinced"], "diff": [2.5, -1.0], "ci_low": [0.4, -3.1],
                      "ci_high": [4.6, 1.2], "direction": ["higher", "same"], "text": ["+2.5", "−1.0"]}),
        {"title": "Differences", "axis_title": "points"},
    ),
    "channel_mix_chart": (
        charts.channel_mix_chart,
        pl.DataFrame({"group": ["All", "All"], "bucket": ["Search", "Direct"], "mean": [29.0, 31.0],
                      "ci_low": [27.0, 29.2], "ci_high": [31.0, 32.8], "text": ["29%", "31%"]}),
        {"title": "Channels", "group_order": ["All"], "bucket_order": ["Search", "Direct"]},
    ),
}


@pytest.fixture
def unvalidated(monkeypatch: pytest.MonkeyPatch) -> None:
    """The app's setting: specs converted without validation, a fresh cache."""
    monkeypatch.setattr(charts, "VALIDATE", False)
    monkeypatch.setattr(charts, "_specs", type(charts._specs)())


@pytest.mark.parametrize("case", CASES)
def test_the_unvalidated_spec_of_every_builder_is_valid_vega_lite(case: str, unvalidated: None) -> None:
    build, frame, options = CASES[case]
    spec = charts.spec(build, frame, **options)
    alt.TopLevelSpec.validate(spec)  # raises jsonschema.ValidationError on an invalid spec
    # the data is the frame's own rows, inline (dates as ISO date-times, read in the viewer's time zone),
    # with what the builder adds (wrapped labels, the value axis's end, text colours)
    expected = frame.with_columns(pl.col(pl.Date).cast(pl.Datetime).dt.strftime("%Y-%m-%dT%H:%M:%S")).to_dicts()
    (rows,) = spec["datasets"].values()
    assert [{k: row[k] for k in frame.columns} for row in rows] == expected


@pytest.mark.parametrize("case", CASES)
def test_skipping_validation_changes_nothing_in_the_spec(case: str) -> None:
    build, frame, options = CASES[case]
    chart = build(frame, **options)
    assert chart.to_dict(validate=False) == chart.to_dict()


def test_an_invalid_spec_does_not_pass_the_validation_the_tests_rely_on() -> None:
    spec = charts.spec(charts.share_bars, SHARES, title="Segments", axis_title="Segment")
    broken = {**spec, "layer": [{**spec["layer"][0], "mark": {"type": "bars"}}, *spec["layer"][1:]]}
    with pytest.raises(jsonschema.ValidationError):
        alt.TopLevelSpec.validate(broken)


def test_a_spec_is_built_once_per_distinct_frame_and_options(unvalidated: None) -> None:
    options = {"title": "Segments", "axis_title": "Segment"}
    first = charts.spec(charts.share_bars, SHARES, **options)
    assert charts.spec(charts.share_bars, SHARES.clone(), **options) is first  # same content: the same spec
    moved = SHARES.with_columns(pl.when(pl.col("key") == "adapters").then(11.5).otherwise(pl.col("share")).alias("share"))
    other = charts.spec(charts.share_bars, moved, **options)
    assert other is not first
    assert [r["share"] for r in next(iter(other["datasets"].values()))] == moved["share"].to_list()
    retitled = charts.spec(charts.share_bars, SHARES, title="Segments (fr)", axis_title="Segment")
    assert retitled is not first and retitled["title"]["text"] == "Segments (fr)"
    # the same values with another dtype are another chart (an axis of integers is not one of floats)
    as_int = charts.spec(charts.share_bars, SHARES.with_columns(pl.col("share").round().cast(pl.Int64)), **options)
    rounded = charts.spec(charts.share_bars, SHARES.with_columns(pl.col("share").round()), **options)
    assert as_int is not rounded


def test_the_cache_keeps_the_most_recently_used_specs(monkeypatch: pytest.MonkeyPatch, unvalidated: None) -> None:
    monkeypatch.setattr(charts, "SPEC_CACHE_SIZE", 2)
    a, b, c = (charts.spec(charts.share_bars, SHARES, title=title, axis_title="Segment") for title in "abc")
    assert len(charts._specs) == 2
    assert charts.spec(charts.share_bars, SHARES, title="c", axis_title="Segment") is c
    assert charts.spec(charts.share_bars, SHARES, title="a", axis_title="Segment") is not a  # dropped, built again


def test_chart_rows_are_written_as_altair_writes_a_data_frame() -> None:
    # dates and nulls as Altair's own conversion of the frame writes them, without its cost;
    # NaN as null where Altair leaves a NaN, which JSON (and so vl-convert) does not accept
    frame = pl.DataFrame({"period": [dt.date(2026, 2, 2), None], "share": [float("nan"), 1.5], "label": ["a", None]})
    (altair_rows,) = alt.Chart(frame).mark_point().to_dict()["datasets"].values()
    assert math.isnan(altair_rows[0]["share"])
    altair_rows[0]["share"] = None
    assert charts._values(frame)["values"] == altair_rows

"""Altair chart builders: an aggregated polars frame in (tens of rows), an alt.Chart out; and
`spec`, the finished Vega-Lite spec of a builder's chart, built once per distinct input.

Numbers shown as text arrive pre-formatted for the language (`share_text`), so a chart never
has to know French decimal commas; axes use whole numbers only. Categories keep the frame's
row order (`sort=None`, Vega-Lite's data order) rather than a list of labels in the spec: new
rows then change the chart's data only, and the browser updates it instead of rebuilding it. Encodings are typed channel
objects (`alt.X("share:Q")`, not "share:Q"): Altair turns a string or a dict into a channel by
matching it against the schema, which costs more than drawing the chart.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from typing import Any

import altair as alt
import polars as pl
from altair.utils.schemapi import debug_mode

# Charts never receive raw rows: a guard against a caller passing respondents or sessions.
MAX_CHART_ROWS = 5_000

SEGMENT_SELECTION = "segment_pick"
REFERENCE_COLOUR = "#B9B9B9"
DATA_COLOUR = "#1F6FB2"
LABEL_LIMIT = 260  # pixels: room for the longest French segment label
UNSELECTED_COLOUR = "#DDDDDD"
SUPPRESSED_OPACITY, LOW_BASE_OPACITY = 0.0, 0.45


# Off in the app: the tests validate every builder's specs (tests/test_charts.py) and, with
# this switched on (tests/conftest.py), every spec the pages draw in the app tests.
VALIDATE = False
SPEC_CACHE_SIZE = 512  # finished specs kept (a few kB each), least recently used dropped first
_specs: OrderedDict[str, dict[str, Any]] = OrderedDict()
_specs_lock = threading.Lock()


def spec(build: Callable[..., alt.TopLevelMixin], frame: pl.DataFrame, /, **options: Any) -> dict[str, Any]:
    """The Vega-Lite spec of `build(frame, **options)`: built and converted once per distinct
    frame and options, then served from a cache shared by every session (a chart's frame holds
    tens of rows, so its content is the key). Callers must not modify the dict."""
    key = repr((build.__module__, build.__qualname__, frame.schema, frame.rows(), sorted(options.items())))
    with _specs_lock:
        if key in _specs:
            _specs.move_to_end(key)
            return _specs[key]
    # Altair's default "debug mode" also validates each object as it is built; tests validate the whole.
    with debug_mode(VALIDATE):
        finished = build(frame, **options).to_dict(validate=VALIDATE)
    with _specs_lock:
        _specs[key] = finished
        while len(_specs) > SPEC_CACHE_SIZE:
            _specs.popitem(last=False)
    return finished


def _check_size(frame: pl.DataFrame) -> None:
    if frame.height > MAX_CHART_ROWS:
        raise ValueError(f"charts take aggregated frames; got {frame.height} rows")


def _values(frame: pl.DataFrame) -> dict[str, list[dict[str, Any]]]:
    """The rows as inline values, written the way Altair writes a data frame (dates as ISO
    date-times, NaN as null), without its per-chart data-frame inspection (narwhals)."""
    rows = frame.with_columns(
        pl.col(pl.Date).cast(pl.Datetime).dt.strftime("%Y-%m-%dT%H:%M:%S"),
        pl.col(pl.Datetime).dt.strftime("%Y-%m-%dT%H:%M:%S"),
        pl.col(pl.Float32, pl.Float64).fill_nan(None),
    ).to_dicts()
    return {"values": rows}  # a dict, not alt.Data: Altair moves it to a named dataset, as it does a frame


def _view(mark: str, data: pl.DataFrame | None = None, *, title: str | None = None, description: str | None = None,
          transform: list | None = None, params: list | None = None, mark_options: dict | None = None,
          **encoding: Any) -> alt.Chart:
    """One layer, built in one constructor call: each Altair method call (`mark_bar`, `encode`,
    `properties`) copies the whole chart, and `properties` validates what it sets."""
    return alt.Chart(
        alt.Undefined if data is None else _values(data),
        mark=alt.MarkDef(type=mark, **(mark_options or {})),
        encoding=alt.FacetedEncoding(**encoding),
        title=alt.Undefined if title is None else title,
        description=alt.Undefined if description is None else description,
        transform=transform or alt.Undefined,
        params=params or alt.Undefined,
    )


def share_bars(
    frame: pl.DataFrame,
    *,
    title: str,
    axis_title: str,
    colours: tuple[Sequence[str], Sequence[str]] | None = None,
    selectable: bool = False,
    selected: Sequence[str] = (),
    base_title: str = "n",
    description: str | None = None,
) -> alt.Chart:
    """Horizontal bars of `share` (points) per `label`, in the frame's row order.

    Columns: key, label, share, share_text; optional ci_low / ci_high (points) for interval
    whiskers, base_text for the base, flag (ok / low / suppressed: low-base bars are pale,
    suppressed ones absent) and text (the bar's label, default share_text).
    `colours` = (keys, colours) fixes each key's colour. With `selectable`, a click on a bar
    selects its key (point selection SEGMENT_SELECTION, `selected` to start with) and a
    second click clears it.
    """
    _check_size(frame)
    tooltip = [alt.Tooltip("label:N", title=axis_title), alt.Tooltip("share_text:N", title="%")]
    if "base_text" in frame.columns:
        tooltip.append(alt.Tooltip("base_text:N", title=base_title))
    y = alt.Y("label:N", sort=None, title=None, axis=alt.Axis(labelLimit=LABEL_LIMIT))
    colour = (
        alt.Color("key:N", scale=alt.Scale(domain=list(colours[0]), range=list(colours[1])), legend=None)
        if colours
        else alt.ColorValue(DATA_COLOUR)
    )
    titled = {"title": title, "description": description or title}
    bar: dict[str, Any] = {
        "x": alt.X("share:Q", title="%", axis=alt.Axis(format="d", tickMinStep=1, tickCount=6)),
        "y": y, "color": colour, "tooltip": tooltip,
    }
    if "flag" in frame.columns:
        bar["opacity"] = alt.OpacityValue(
            **alt.when(alt.datum.flag == "suppressed").then(alt.value(SUPPRESSED_OPACITY))
            .when(alt.datum.flag == "low").then(alt.value(LOW_BASE_OPACITY))
            .otherwise(alt.value(1.0))
        )
    params = []
    if selectable:
        pick = alt.selection_point(
            name=SEGMENT_SELECTION, fields=["key"], toggle="true",
            value=[{"key": key} for key in selected] or alt.Undefined,
        )
        params.append(pick.param)  # what add_params keeps of a selection
        bar["color"] = alt.ColorValue(**alt.condition(pick, colour, alt.value(UNSELECTED_COLOUR)))
    layers = [_view("bar", params=params, **titled, **bar)]
    text = alt.Text("text:N" if "text" in frame.columns else "share_text:N")
    label = {"align": "left", "dx": 4, "color": "#333333"}
    if "ci_low" in frame.columns and "ci_high" in frame.columns:
        layers.append(_view("rule", mark_options={"color": "#333333"}, **titled,
                            x=alt.X("ci_low:Q"), x2=alt.X2(field="ci_high"), y=y))
        at = alt.CalculateTransform(calculate="datum.ci_high == null ? datum.share : datum.ci_high", **{"as": "at"})
        layers.append(_view("text", mark_options=label, transform=[at], **titled, x=alt.X("at:Q"), y=y, text=text))
    else:
        layers.append(_view("text", mark_options=label, **titled, x=alt.X("share:Q"), y=y, text=text))
    return alt.LayerChart(_values(frame), layer=layers, height=alt.Step(34))


def comparison_bars(
    frame: pl.DataFrame,
    *,
    title: str,
    series_order: Sequence[str],
    description: str | None = None,
) -> alt.Chart:
    """Grouped bars: for each category (`label`), one bar per `series` (e.g. your data, reference).

    Columns: label, series, share (points), share_text.
    """
    _check_size(frame)
    colour = alt.Color(
        "series:N",
        scale=alt.Scale(domain=list(series_order), range=[DATA_COLOUR, REFERENCE_COLOUR][: len(series_order)]),
        legend=alt.Legend(title=None, orient="bottom"),
    )
    shared = {
        "title": title, "description": description or title,
        "y": alt.Y("label:N", sort=None, title=None, axis=alt.Axis(labelLimit=LABEL_LIMIT)),
        "yOffset": alt.YOffset("series:N", sort=list(series_order)),
    }
    bars = _view(
        "bar", **shared,
        x=alt.X("share:Q", title="%", axis=alt.Axis(format="d", tickMinStep=1, tickCount=6)),
        color=colour,
        tooltip=[alt.Tooltip("label:N", title=" "), alt.Tooltip("series:N", title=" "), alt.Tooltip("share_text:N", title="%")],
    )
    text = _view("text", mark_options={"align": "left", "dx": 4, "color": "#333333"}, **shared,
                 x=alt.X("share:Q"), text=alt.Text("share_text:N"))
    return alt.LayerChart(_values(frame), layer=[bars, text], height=alt.Step(22))


# --- channels explorer charts

BUCKET_COLOURS = ("#1F6FB2", "#E08A2E", "#3C9D5D", "#B9B9B9")  # search, external, direct, unassigned
MIN_LABELLED_SHARE = 6  # points: narrower stacked segments keep their figure in the tooltip only


def mix_stack(
    frame: pl.DataFrame,
    *,
    title: str,
    series_order: Sequence[str],
    group_order: Sequence[str],
    group_colours: Sequence[str] = BUCKET_COLOURS,
    description: str | None = None,
) -> alt.Chart:
    """One 100 % bar per `series`, split into segments (`label`) coloured by their `group`.

    Columns: series, label, group, share (points), share_text, order (stacking order). Lets a
    detailed channel mix stand next to a reference published only by bucket.
    """
    _check_size(frame)
    bars = _view(
        "bar", mark_options={"stroke": "white", "strokeWidth": 1.5}, title=title, description=description or title,
        y=alt.Y("series:N", sort=list(series_order), title=None, axis=alt.Axis(labelLimit=LABEL_LIMIT)),
        x=alt.X("share:Q", stack="zero", title="%", scale=alt.Scale(domain=[0, 100]),
                axis=alt.Axis(format="d", tickCount=6)),
        order=alt.Order("order:Q"),
        color=alt.Color(
            "group:N",
            scale=alt.Scale(domain=list(group_order), range=list(group_colours)[: len(group_order)]),
            legend=alt.Legend(title=None, orient="bottom"),
        ),
        detail=alt.Detail("label:N"),
        tooltip=[alt.Tooltip("series:N", title=" "), alt.Tooltip("label:N", title=" "),
                 alt.Tooltip("share_text:N", title="%")],
    )
    # Text at the right edge of its segment: stack all segments first, then drop the narrow ones.
    text = _view(
        "text", mark_options={"align": "right", "dx": -4, "color": "white"},
        transform=[
            alt.StackTransform(stack="share", groupby=["series"], sort=[alt.SortField("order")], **{"as": ["x0", "x1"]}),
            alt.FilterTransform(filter=alt.datum.share >= MIN_LABELLED_SHARE),
        ],
        y=alt.Y("series:N", sort=list(series_order)), x=alt.X("x1:Q"), text=alt.Text("share_text:N"),
    )
    return alt.LayerChart(_values(frame), layer=[bars, text], height=alt.Step(44))


def heatmap(
    frame: pl.DataFrame,
    *,
    title: str,
    x_title: str,
    y_title: str,
    tooltip: Sequence[tuple[str, str]] = (),
    description: str | None = None,
) -> alt.Chart:
    """Cells (Altair rect) of `share` (points) for each `row_label` × `column_label`, in the frame's order.

    Columns: row_label, column_label, share (null when suppressed), text (the cell's figure,
    e.g. "23.4 ▲"); `tooltip` adds (column, title) pairs such as a base or a verdict.
    """
    _check_size(frame)
    shared = {
        "title": title, "description": description or title,
        "x": alt.X("column_label:N", sort=None, title=x_title,
                   axis=alt.Axis(labelAngle=0, orient="top", labelOverlap=False)),
        "y": alt.Y("row_label:N", sort=None, title=y_title, axis=alt.Axis(labelLimit=LABEL_LIMIT)),
    }
    cells = _view(
        "rect", mark_options={"stroke": "white"}, **shared,
        color=alt.Color("share:Q", scale=alt.Scale(scheme="blues", domain=[0, 100]), legend=alt.Legend(title="%")),
        tooltip=[alt.Tooltip("row_label:N", title=y_title), alt.Tooltip("column_label:N", title=x_title),
                 alt.Tooltip("text:N", title="%"), *(alt.Tooltip(f"{c}:N", title=t) for c, t in tooltip)],
    )
    text = _view(
        "text", **shared, text=alt.Text("text:N"),
        color=alt.ColorValue(**alt.condition(alt.datum.share > 55, alt.value("white"), alt.value("#333333"))),
    )
    return alt.LayerChart(_values(frame), layer=[cells, text], height=alt.Step(32))


def trend_lines(
    frame: pl.DataFrame,
    *,
    title: str,
    legend_title: str,
    label_order: Sequence[str],
    colours: Sequence[str] | None = None,
    description: str | None = None,
) -> alt.Chart:
    """Share (points) of each `label` per `period` (a date), one line per label.

    Columns: period, label, share, share_text, period_text. `colours` follow `label_order`.
    """
    _check_size(frame)
    scale = alt.Scale(domain=list(label_order), range=list(colours)) if colours else alt.Scale(domain=list(label_order))
    chart = _view(
        "line", frame, mark_options={"point": True}, title=title, description=description or title,
        x=alt.X("period:T", title=None),
        y=alt.Y("share:Q", title="%", axis=alt.Axis(format="d", tickMinStep=1)),
        color=alt.Color("label:N", scale=scale, legend=alt.Legend(title=legend_title, orient="bottom", labelLimit=LABEL_LIMIT)),
        tooltip=[alt.Tooltip("period_text:N", title=" "), alt.Tooltip("label:N", title=legend_title),
                 alt.Tooltip("share_text:N", title="%")],
    )
    chart.height = 320
    return chart


# --- segments explorer charts

def difference_intervals(
    frame: pl.DataFrame,
    *,
    title: str,
    axis_title: str,
    description: str | None = None,
) -> alt.Chart:
    """Each `label`'s difference or change (points) as a dot with its interval around a zero line.

    Columns: label, diff, ci_low, ci_high, direction (higher / lower / same), text. Dots are
    coloured only when the difference is significant.
    """
    _check_size(frame)
    y = alt.Y("label:N", sort=None, title=None, axis=alt.Axis(labelLimit=LABEL_LIMIT))
    colour = alt.Color(
        "direction:N", scale=alt.Scale(domain=["higher", "lower", "same"], range=["#3C9D5D", "#C0392B", "#888888"]),
        legend=None,
    )
    titled = {"title": title, "description": description or title}
    whiskers = _view("rule", frame, mark_options={"strokeWidth": 2}, **titled,
                     x=alt.X("ci_low:Q", title=axis_title), x2=alt.X2(field="ci_high"), y=y, color=colour)
    dots = _view(
        "point", frame, mark_options={"filled": True, "size": 80}, **titled,
        x=alt.X("diff:Q"), y=y, color=colour, tooltip=[alt.Tooltip("label:N", title=" "), alt.Tooltip("text:N", title=axis_title)]
    )
    zero = _view("rule", pl.DataFrame({"zero": [0]}), mark_options={"color": "#666666"}, x=alt.X("zero:Q"))
    return alt.LayerChart(layer=[zero, whiskers, dots], height=alt.Step(26))


def channel_mix_chart(
    frame: pl.DataFrame,
    *,
    title: str,
    group_order: Sequence[str],
    bucket_order: Sequence[str],
    description: str | None = None,
) -> alt.Chart:
    """Grouped bars: per `group` (a segment), the mean share (points) of each `bucket` with its interval.

    Columns: group, bucket, mean, ci_low, ci_high, text.
    """
    _check_size(frame)
    y = alt.Y("group:N", sort=list(group_order), title=None, axis=alt.Axis(labelLimit=LABEL_LIMIT))
    offset = alt.YOffset("bucket:N", sort=list(bucket_order))
    shared = {"title": title, "description": description or title, "y": y, "yOffset": offset}
    bars = _view(
        "bar", **shared,
        x=alt.X("mean:Q", title="%", axis=alt.Axis(format="d", tickCount=6)),
        color=alt.Color(
            "bucket:N", scale=alt.Scale(domain=list(bucket_order), range=list(BUCKET_COLOURS)[: len(bucket_order)]),
            legend=alt.Legend(title=None, orient="bottom"),
        ),
        tooltip=[alt.Tooltip("group:N", title=" "), alt.Tooltip("bucket:N", title=" "), alt.Tooltip("text:N", title="%")],
    )
    whiskers = _view("rule", mark_options={"color": "#333333"}, **shared, x=alt.X("ci_low:Q"), x2=alt.X2(field="ci_high"))
    return alt.LayerChart(_values(frame), layer=[bars, whiskers], height=alt.Step(14))

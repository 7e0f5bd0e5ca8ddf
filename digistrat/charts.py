"""Altair chart builders: an aggregated polars frame in (tens of rows), an alt.Chart out; and
`spec`, the finished Vega-Lite spec of a builder's chart, built once per distinct input.

Numbers shown as text arrive pre-formatted for the language (`share_text`, from
`digistrat.present`); axes follow the language through Vega's own locale
(`i18n.chart_locale`: decimal mark, thousands mark, the one minus sign, month names).

Every chart explains itself: its accessible name is its title plus a one-line summary
(`description`), its marks stay out of the screen reader's way (the page puts the chart's
figures in a table beside it), labels are wrapped rather than cut, value labels have room
reserved on the axis, and text on a coloured mark takes whichever of white or ink reads
best on it (at least 4.5:1, `contrast`).

Fast to redraw: categories keep the frame's row order (`sort=None`, Vega-Lite's data order)
and the room for value labels comes from the rows (an invisible layer), so new figures
change a chart's data only and the browser updates it in place. Each layer is built in one
constructor call with typed channel objects: every Altair method call copies the chart, and
a string or dict channel is matched against the schema, which costs more than drawing.
"""

from __future__ import annotations

import textwrap
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from typing import Any

import altair as alt
import polars as pl
from altair.utils.schemapi import debug_mode

from digistrat.i18n import chart_locale

# Charts never receive raw rows: a guard against a caller passing respondents or sessions.
MAX_CHART_ROWS = 5_000

SEGMENT_SELECTION = "segment_pick"
REFERENCE_COLOUR = "#8C8C8C"
DATA_COLOUR = "#1F6FB2"
INK = "#111827"  # text on light marks and axes
WHITE = "#FFFFFF"
LABEL_LIMIT = 260  # pixels: room for the longest French segment label
LABEL_WRAP = 32  # characters per line of an axis label before it wraps
TITLE_WRAP = 56  # characters per line of a chart title before it wraps
LINE_HEIGHT = 13  # pixels per line of an 11-pixel label
UNSELECTED_COLOUR = "#DDDDDD"
SUPPRESSED_OPACITY, LOW_BASE_OPACITY = 0.0, 0.45
# The share of a bar chart's width kept free for the value labels right of the longest bar.
LABEL_ROOM = 0.28
HEATMAP_RANGE = ("#F7FBFF", "#4A98C9")  # light to mid blue: ink text reads on every cell
BUCKET_COLOURS = ("#1F6FB2", "#E08A2E", "#3C9D5D", "#B9B9B9")  # search, external, direct, unassigned
DIRECTION_COLOURS = {"higher": "#2E7D4F", "lower": "#B03A2E", "same": "#7A7A7A"}
MIN_LABELLED_SHARE = 6  # points: narrower stacked segments keep their figure in the tooltip only
_WRAPPED = "_lines"  # the column holding an axis label split into lines
_ROOM = "_room"  # the column holding the value axis's end (LABEL_ROOM kept for labels)

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


def _view(mark: str, data: pl.DataFrame | None = None, *, transform: list | None = None,
          params: list | None = None, mark_options: dict | None = None, **encoding: Any) -> alt.Chart:
    """One layer, built in one constructor call: each Altair method call (`mark_bar`, `encode`,
    `properties`) copies the whole chart, and `properties` validates what it sets."""
    return alt.Chart(
        alt.Undefined if data is None else _values(data),
        mark=alt.MarkDef(type=mark, **(mark_options or {})),
        encoding=alt.FacetedEncoding(**encoding),
        transform=transform or alt.Undefined,
        params=params or alt.Undefined,
    )


# ---------------------------------------------------------------- colours


def _luminance(colour: str) -> float:
    """WCAG relative luminance of '#RRGGBB'."""
    channels = [int(colour.lstrip("#")[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    r, g, b = (c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(foreground: str, background: str) -> float:
    """WCAG contrast ratio of two '#RRGGBB' colours (1 to 21)."""
    light, dark = sorted((_luminance(foreground), _luminance(background)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def text_colour(fill: str) -> str:
    """White or ink, whichever reads better on `fill`."""
    return WHITE if contrast(WHITE, fill) >= contrast(INK, fill) else INK


# ---------------------------------------------------------------- common finish


def wrap(text: str, width: int = LABEL_WRAP) -> list[str]:
    """A label as lines of at most `width` characters (a longer word stays whole)."""
    return textwrap.wrap(str(text), width, break_long_words=False, break_on_hyphens=False) or [str(text)]


def _wrapped(frame: pl.DataFrame, column: str, width: int = LABEL_WRAP) -> pl.DataFrame:
    """`frame` with `_lines`: `column` as lines joined by a newline (split again by the axis)."""
    return frame.with_columns(
        pl.Series(_WRAPPED, ["\n".join(wrap(v, width)) for v in frame[column].cast(pl.String).to_list()], dtype=pl.String)
    )


def _lines_axis(**options: Any) -> alt.Axis:
    """An axis whose labels are `_lines` values drawn one line under the other (every label
    shown: `_step` leaves each band room for its lines)."""
    options.setdefault("labelOverlap", False)
    return alt.Axis(labelExpr="split(datum.label, '\\n')", labelLimit=LABEL_LIMIT, **options)


def _step(frame: pl.DataFrame, step: int) -> alt.Step:
    """A band `step` pixels high, or higher when its wrapped labels need it."""
    lines = max((v.count("\n") + 1 for v in frame[_WRAPPED].to_list()), default=1)
    return alt.Step(max(step, LINE_HEIGHT * lines + 4))


def _with_room(frame: pl.DataFrame, *columns: str) -> pl.DataFrame:
    """`frame` with `_room`: the end of the value axis, the largest of `columns` with LABEL_ROOM
    of the width kept for its label (at least 1, at most 100 % with that room)."""
    values = [v for c in columns if c in frame.columns for v in frame[c].to_list() if v is not None]
    top = max(values, default=0.0)
    return frame.with_columns(pl.lit(min(max(top / (1 - LABEL_ROOM), 1.0), 100.0 / (1 - LABEL_ROOM))).alias(_ROOM))


def _room_layer(**encoding: Any) -> alt.Chart:
    """An invisible mark at `_room`: the shared value scale reaches it, whatever the figures.
    It lies across the bars, so it has no width either: a click on a bar must reach the bar."""
    return _view("rule", mark_options={"opacity": 0, "strokeWidth": 0}, x=alt.X(f"{_ROOM}:Q"), **encoding)


def _finish(chart: alt.TopLevelMixin, title: str | None, description: str | None, lang: str) -> alt.TopLevelMixin:
    """Title (wrapped, never cut), accessible name, locale and readable guides for any chart.
    Set as attributes: `properties` and `configure` would copy and validate the chart."""
    chart.description = description or title or ""
    if title:
        lines = wrap(title, TITLE_WRAP)
        chart.title = alt.Title(lines if len(lines) > 1 else lines[0], anchor="start", limit=0)
    chart.config = alt.Config(
        locale=chart_locale(lang),
        aria=False,  # the marks and guides are read from the table beside the chart
        mark=alt.MarkConfig(aria=False),
        axis=alt.AxisConfig(labelColor=INK, titleColor=INK, labelFontSize=11, titleFontSize=11),
        legend=alt.LegendConfig(labelColor=INK, titleColor=INK, labelFontSize=11, labelLimit=0),
        title=alt.TitleConfig(color=INK, fontSize=13),
    )
    return chart


def _share_axis(field: str = "share", **scale: Any) -> alt.X:
    return alt.X(f"{field}:Q", title="%", scale=alt.Scale(nice=False, **scale),
                 axis=alt.Axis(format="d", tickMinStep=1, tickCount=5))


# ---------------------------------------------------------------- builders


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
    lang: str = "en",
) -> alt.Chart:
    """Horizontal bars of `share` (points) per `label`, in the frame's row order.

    Columns: key, label, share, share_text; optional ci_low / ci_high (points) for interval
    whiskers, base_text for the base (tooltip), flag (ok / low / suppressed: low-base bars
    are pale, suppressed ones absent) and text (the bar's label, default share_text).
    `colours` = (keys, colours) fixes each key's colour. With `selectable`, a click on a bar
    selects its key (point selection SEGMENT_SELECTION, `selected` to start with) and a
    second click clears it.
    """
    _check_size(frame)
    frame = _with_room(_wrapped(frame, "label"), "share", "ci_high")
    tooltip = [alt.Tooltip("label:N", title=axis_title), alt.Tooltip("share_text:N", title="%")]
    if "base_text" in frame.columns:
        tooltip.append(alt.Tooltip("base_text:N", title=base_title))
    y = alt.Y(f"{_WRAPPED}:N", sort=None, title=None, axis=_lines_axis())
    colour = (
        alt.Color("key:N", scale=alt.Scale(domain=list(colours[0]), range=list(colours[1])), legend=None)
        if colours
        else alt.ColorValue(DATA_COLOUR)
    )
    bar: dict[str, Any] = {"x": _share_axis(), "y": y, "color": colour, "tooltip": tooltip}
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
    layers = [_view("bar", params=params, **bar), _room_layer(y=y)]
    text = alt.Text("text:N" if "text" in frame.columns else "share_text:N")
    label = {"align": "left", "dx": 4, "color": INK}
    if "ci_low" in frame.columns and "ci_high" in frame.columns:
        layers.append(_view("rule", mark_options={"color": INK}, x=alt.X("ci_low:Q"), x2=alt.X2(field="ci_high"), y=y))
        at = alt.CalculateTransform(calculate="datum.ci_high == null ? datum.share : datum.ci_high", **{"as": "at"})
        layers.append(_view("text", mark_options=label, transform=[at], x=alt.X("at:Q"), y=y, text=text))
    else:
        layers.append(_view("text", mark_options=label, x=alt.X("share:Q"), y=y, text=text))
    chart = alt.LayerChart(_values(frame), layer=layers, height=_step(frame, 34))
    return _finish(chart, title, description, lang)


def comparison_bars(
    frame: pl.DataFrame,
    *,
    title: str,
    series_order: Sequence[str],
    description: str | None = None,
    lang: str = "en",
) -> alt.Chart:
    """Grouped bars: for each category (`label`), one bar per `series` (e.g. your data, reference).

    Columns: label, series, share (points), share_text.
    """
    _check_size(frame)
    frame = _with_room(_wrapped(frame, "label"), "share")
    colour = alt.Color(
        "series:N",
        scale=alt.Scale(domain=list(series_order), range=[DATA_COLOUR, REFERENCE_COLOUR][: len(series_order)]),
        legend=alt.Legend(title=None, orient="bottom", direction="vertical"),
    )
    y = alt.Y(f"{_WRAPPED}:N", sort=None, title=None, axis=_lines_axis())
    offset = alt.YOffset("series:N", sort=list(series_order))
    bars = _view(
        "bar", x=_share_axis(), y=y, yOffset=offset, color=colour,
        tooltip=[alt.Tooltip("label:N", title=" "), alt.Tooltip("series:N", title=" "), alt.Tooltip("share_text:N", title="%")],
    )
    text = _view("text", mark_options={"align": "left", "dx": 4, "color": INK}, y=y, yOffset=offset,
                 x=alt.X("share:Q"), text=alt.Text("share_text:N"))
    chart = alt.LayerChart(_values(frame), layer=[bars, _room_layer(y=y), text], height=_step(frame, 22))
    return _finish(chart, title, description, lang)


# --- channels explorer charts


def mix_stack(
    frame: pl.DataFrame,
    *,
    title: str,
    series_order: Sequence[str],
    group_order: Sequence[str],
    group_colours: Sequence[str] = BUCKET_COLOURS,
    description: str | None = None,
    lang: str = "en",
) -> alt.Chart:
    """One 100 % bar per `series`, split into segments (`label`) coloured by their `group`.

    Columns: series, label, group, share (points), share_text, order (stacking order). Lets a
    detailed channel mix stand next to a reference published only by bucket.
    """
    _check_size(frame)
    colours = dict(zip(group_order, group_colours))
    frame = frame.with_columns(
        pl.Series("ink", [text_colour(colours.get(g, REFERENCE_COLOUR)) for g in frame["group"].to_list()], dtype=pl.String)
    )
    y = alt.Y("series:N", sort=list(series_order), title=None, axis=alt.Axis(labelLimit=LABEL_LIMIT))
    bars = _view(
        "bar", mark_options={"stroke": "white", "strokeWidth": 1.5}, y=y,
        x=alt.X("share:Q", stack="zero", title="%", scale=alt.Scale(domain=[0, 100]),
                axis=alt.Axis(format="d", tickCount=6)),
        order=alt.Order("order:Q"),
        color=alt.Color(
            "group:N",
            scale=alt.Scale(domain=list(group_order), range=list(group_colours)[: len(group_order)]),
            legend=alt.Legend(title=None, orient="bottom", direction="vertical"),
        ),
        detail=alt.Detail("label:N"),
        tooltip=[alt.Tooltip("series:N", title=" "), alt.Tooltip("label:N", title=" "),
                 alt.Tooltip("share_text:N", title="%")],
    )
    # Text at the right edge of its segment: stack all segments first, then drop the narrow ones.
    text = _view(
        "text", mark_options={"align": "right", "dx": -4},
        transform=[
            alt.StackTransform(stack="share", groupby=["series"], sort=[alt.SortField("order")], **{"as": ["x0", "x1"]}),
            alt.FilterTransform(filter=alt.datum.share >= MIN_LABELLED_SHARE),
        ],
        y=alt.Y("series:N", sort=list(series_order)), x=alt.X("x1:Q"), text=alt.Text("share_text:N"),
        color=alt.Color("ink:N", scale=None),
    )
    return _finish(alt.LayerChart(_values(frame), layer=[bars, text], height=alt.Step(44)), title, description, lang)


def heatmap(
    frame: pl.DataFrame,
    *,
    title: str,
    x_title: str,
    y_title: str,
    tooltip: Sequence[tuple[str, str]] = (),
    description: str | None = None,
    lang: str = "en",
) -> alt.Chart:
    """Cells (Altair rect) of `share` (points) for each `row_label` × `column_label`, in the frame's order.

    Columns: row_label, column_label, share (null when suppressed), text (the cell's figure,
    e.g. "23.4 ▲"); `tooltip` adds (column, title) pairs such as a base or a verdict. Each
    cell shows its figure, so the colour needs no legend; column labels wrap over lines.
    """
    _check_size(frame)
    frame = _wrapped(frame, "column_label", 12)
    x = alt.X(f"{_WRAPPED}:N", sort=None, title=x_title,
              axis=_lines_axis(labelAngle=0, orient="top", labelOverlap=False, labelPadding=6))
    y = alt.Y("row_label:N", sort=None, title=y_title, axis=alt.Axis(labelLimit=LABEL_LIMIT, titlePadding=12))
    cells = _view(
        "rect", mark_options={"stroke": "white"}, x=x, y=y,
        color=alt.Color("share:Q", scale=alt.Scale(range=list(HEATMAP_RANGE), domain=[0, 100]), legend=None),
        tooltip=[alt.Tooltip("row_label:N", title=y_title), alt.Tooltip("column_label:N", title=x_title),
                 alt.Tooltip("text:N", title="%"), *(alt.Tooltip(f"{c}:N", title=t) for c, t in tooltip)],
    )
    text = _view("text", mark_options={"color": INK}, x=x, y=y, text=alt.Text("text:N"))
    chart = alt.LayerChart(_values(frame), layer=[cells, text], height=alt.Step(32), width=alt.Step(84))
    return _finish(chart, title, description, lang)


def trend_lines(
    frame: pl.DataFrame,
    *,
    title: str,
    legend_title: str,
    label_order: Sequence[str],
    colours: Sequence[str] | None = None,
    time_format: str = "%-d %b",
    description: str | None = None,
    lang: str = "en",
) -> alt.Chart:
    """Share (points) of each `label` per `period` (a date), one line per label.

    Columns: period, label, share, share_text, period_text. `colours` follow `label_order`;
    `time_format` (d3, in the language's locale: i18n.TIME_FORMATS) writes the dates.
    """
    _check_size(frame)
    scale = alt.Scale(domain=list(label_order), range=list(colours)) if colours else alt.Scale(domain=list(label_order))
    chart = _view(
        "line", frame, mark_options={"point": True},
        x=alt.X("period:T", title=None, axis=alt.Axis(format=time_format, labelOverlap=True)),
        y=alt.Y("share:Q", title="%", axis=alt.Axis(format="d", tickMinStep=1)),
        color=alt.Color("label:N", scale=scale,
                        legend=alt.Legend(title=legend_title, orient="right", direction="vertical")),
        tooltip=[alt.Tooltip("period_text:N", title=" "), alt.Tooltip("label:N", title=legend_title),
                 alt.Tooltip("share_text:N", title="%")],
    )
    chart.height = 320
    return _finish(chart, title, description, lang)


# --- segments explorer charts


def difference_intervals(
    frame: pl.DataFrame,
    *,
    title: str,
    axis_title: str,
    description: str | None = None,
    lang: str = "en",
) -> alt.Chart:
    """Each `label`'s difference or change (points) as a dot with its interval around a zero line.

    Columns: label, diff, ci_low, ci_high, direction (higher / lower / same), text. Dots are
    coloured only when the difference is significant.
    """
    _check_size(frame)
    frame = _wrapped(frame, "label")
    y = alt.Y(f"{_WRAPPED}:N", sort=None, title=None, axis=_lines_axis())
    colour = alt.Color(
        "direction:N", scale=alt.Scale(domain=list(DIRECTION_COLOURS), range=list(DIRECTION_COLOURS.values())),
        legend=None,
    )
    whiskers = _view("rule", mark_options={"strokeWidth": 2},
                     x=alt.X("ci_low:Q", title=axis_title, axis=alt.Axis(tickCount=6)), x2=alt.X2(field="ci_high"),
                     y=y, color=colour)
    dots = _view(
        "point", mark_options={"filled": True, "size": 80, "opacity": 1},
        x=alt.X("diff:Q"), y=y, color=colour,
        tooltip=[alt.Tooltip("label:N", title=" "), alt.Tooltip("text:N", title=axis_title)],
    )
    # The zero line draws the same rows, one rule each at 0: a separate dataset would change the spec's shape.
    zero = _view("rule", mark_options={"color": "#666666"}, x=alt.XDatum(0))
    chart = alt.LayerChart(_values(frame), layer=[zero, whiskers, dots], height=_step(frame, 30))
    return _finish(chart, title, description, lang)


def channel_mix_chart(
    frame: pl.DataFrame,
    *,
    title: str,
    group_order: Sequence[str],
    bucket_order: Sequence[str],
    description: str | None = None,
    lang: str = "en",
) -> alt.Chart:
    """Grouped bars: per `group` (a segment), the mean share (points) of each `bucket` with its interval.

    Columns: group, bucket, mean, ci_low, ci_high, text.
    """
    _check_size(frame)
    y = alt.Y("group:N", sort=list(group_order), title=None, axis=alt.Axis(labelLimit=LABEL_LIMIT))
    offset = alt.YOffset("bucket:N", sort=list(bucket_order))
    bars = _view(
        "bar", y=y, yOffset=offset,
        x=alt.X("mean:Q", title="%", axis=alt.Axis(format="d", tickCount=6)),
        color=alt.Color(
            "bucket:N", scale=alt.Scale(domain=list(bucket_order), range=list(BUCKET_COLOURS)[: len(bucket_order)]),
            legend=alt.Legend(title=None, orient="bottom", direction="vertical"),
        ),
        tooltip=[alt.Tooltip("group:N", title=" "), alt.Tooltip("bucket:N", title=" "), alt.Tooltip("text:N", title="%")],
    )
    whiskers = _view("rule", mark_options={"color": INK}, y=y, yOffset=offset,
                     x=alt.X("ci_low:Q"), x2=alt.X2(field="ci_high"))
    return _finish(alt.LayerChart(_values(frame), layer=[bars, whiskers], height=alt.Step(14)), title, description, lang)

"""Altair chart builders: an aggregated polars frame in (tens of rows), an alt.Chart out.

Numbers shown as text arrive pre-formatted for the language (`share_text`), so a chart never
has to know French decimal commas; axes use whole numbers only.
"""

from __future__ import annotations

from collections.abc import Sequence

import altair as alt
import polars as pl

# Charts never receive raw rows: a guard against a caller passing respondents or sessions.
MAX_CHART_ROWS = 5_000

SEGMENT_SELECTION = "segment_pick"
REFERENCE_COLOUR = "#B9B9B9"
DATA_COLOUR = "#1F6FB2"
LABEL_LIMIT = 260  # pixels: room for the longest French segment label


def _check_size(frame: pl.DataFrame) -> None:
    if frame.height > MAX_CHART_ROWS:
        raise ValueError(f"charts take aggregated frames; got {frame.height} rows")


def share_bars(
    frame: pl.DataFrame,
    *,
    title: str,
    axis_title: str,
    colours: tuple[Sequence[str], Sequence[str]] | None = None,
    selectable: bool = False,
    description: str | None = None,
) -> alt.Chart:
    """Horizontal bars of `share` (points) per `label`, in the frame's row order.

    Columns: key, label, share, share_text; optional ci_low / ci_high (points) for interval
    whiskers and base_text for a base label. `colours` = (keys, colours) fixes each key's colour.
    With `selectable`, a click on a bar selects its key (point selection named SEGMENT_SELECTION).
    """
    _check_size(frame)
    order = frame["label"].to_list()
    tooltip = [alt.Tooltip("label:N", title=axis_title), alt.Tooltip("share_text:N", title="%")]
    if "base_text" in frame.columns:
        tooltip.append(alt.Tooltip("base_text:N", title="n"))
    y = alt.Y("label:N", sort=order, title=None, axis=alt.Axis(labelLimit=LABEL_LIMIT))
    colour = (
        alt.Color("key:N", scale=alt.Scale(domain=list(colours[0]), range=list(colours[1])), legend=None)
        if colours
        else alt.value(DATA_COLOUR)
    )
    base = alt.Chart(frame, title=title, description=description or title)
    bars = base.mark_bar().encode(
        x=alt.X("share:Q", title="%", axis=alt.Axis(format="d", tickMinStep=1, tickCount=6)),
        y=y,
        color=colour,
        tooltip=tooltip,
    )
    layers: list[alt.Chart] = []
    if selectable:
        pick = alt.selection_point(name=SEGMENT_SELECTION, fields=["key"])
        bars = bars.add_params(pick).encode(opacity=alt.condition(pick, alt.value(1.0), alt.value(0.35)))
    layers.append(bars)
    if "ci_low" in frame.columns and "ci_high" in frame.columns:
        layers.append(base.mark_rule(color="#333333").encode(x="ci_low:Q", x2="ci_high:Q", y=y))
    text_x = "ci_high:Q" if "ci_high" in frame.columns else "share:Q"
    layers.append(
        base.mark_text(align="left", dx=4, color="#333333").encode(x=text_x, y=y, text="share_text:N")
    )
    return alt.layer(*layers).properties(height=alt.Step(34))


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
    order = list(dict.fromkeys(frame["label"].to_list()))
    colour = alt.Color(
        "series:N",
        scale=alt.Scale(domain=list(series_order), range=[DATA_COLOUR, REFERENCE_COLOUR][: len(series_order)]),
        legend=alt.Legend(title=None, orient="bottom"),
    )
    base = alt.Chart(frame, title=title, description=description or title).encode(
        y=alt.Y("label:N", sort=order, title=None, axis=alt.Axis(labelLimit=LABEL_LIMIT)),
        yOffset=alt.YOffset("series:N", sort=list(series_order)),
    )
    bars = base.mark_bar().encode(
        x=alt.X("share:Q", title="%", axis=alt.Axis(format="d", tickMinStep=1, tickCount=6)),
        color=colour,
        tooltip=[alt.Tooltip("label:N", title=" "), alt.Tooltip("series:N", title=" "), alt.Tooltip("share_text:N", title="%")],
    )
    text = base.mark_text(align="left", dx=4, color="#333333").encode(x="share:Q", text="share_text:N")
    return alt.layer(bars, text).properties(height=alt.Step(22))

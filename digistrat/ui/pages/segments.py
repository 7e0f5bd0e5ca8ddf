"""Segments page: filter the survey panel, see each segment's share, click to focus."""

from __future__ import annotations

import polars as pl
import streamlit as st

from digistrat import charts, datasets, explore, stats
from digistrat.i18n import format_number, format_percent, label
from digistrat.query import FilterSpec
from digistrat.segments import SEGMENT_BY_KEY, SEGMENT_KEYS, SEGMENTS
from digistrat.ui.common import illustrative_banner, lang, reference, t
from digistrat.ui.data_source import active_dataset

SEGMENT_FILTER = "f_segment"
CHART_KEY = "segment_chart"


def _filter_key(column: str) -> str:
    return f"f_{column}"


def _clear_filters(columns: list[str]) -> None:
    for key in [SEGMENT_FILTER, *(_filter_key(c) for c in columns)]:
        st.session_state[key] = []


def _column_title(column: str) -> str:
    text = t(f"column.{column}")
    return column if text == f"column.{column}" else text


def _share_rows(table: stats.ShareTable, labels: dict[str, str]) -> pl.DataFrame:
    """A share table in points with the language's labels and texts, for charts and tables."""
    language = lang()
    rows = table.rows
    return pl.DataFrame(
        {
            "key": rows["key"].cast(pl.String),
            "label": [labels.get(k, k) for k in rows["key"].cast(pl.String)],
            "share": (rows["share"] * 100).fill_null(0.0),
            "ci_low": rows["ci_low"] * 100,
            "ci_high": rows["ci_high"] * 100,
            "share_text": [
                "–" if s is None else format_percent(s * 100, language) for s in rows["share"].to_list()
            ],
            "base_text": [format_number(c, language) for c in rows["count"].to_list()],
            "interval": [
                "–" if lo is None else f"{format_percent(lo * 100, language, 1)} – {format_percent(hi * 100, language, 1)}"
                for lo, hi in zip(rows["ci_low"].to_list(), rows["ci_high"].to_list())
            ],
        }
    )


def _figures_table(frame: pl.DataFrame, first_column: str) -> None:
    st.dataframe(
        frame.select(
            pl.col("label").alias(first_column),
            pl.col("share_text").alias(t("column.share")),
            pl.col("interval").alias(t("column.interval")),
            pl.col("base_text").alias(t("column.base")),
        ),
        hide_index=True,
        width="stretch",
    )


def _selected_segment() -> str | None:
    state = st.session_state.get(CHART_KEY)
    picked = (state or {}).get("selection", {}).get(charts.SEGMENT_SELECTION) or []
    return picked[0].get("key") if picked else None


def render() -> None:
    language = lang()
    dataset = active_dataset("survey")
    layout = explore.survey_layout(dataset)
    options = explore.filter_options(dataset.frame, layout)
    segment_labels = {s.key: s.label(language) for s in SEGMENTS}

    st.title(t("page.segments"))
    illustrative_banner(dataset)

    with st.sidebar:
        st.subheader(t("filters.heading"))
        chosen_segments = st.multiselect(
            t("filters.segments"), SEGMENT_KEYS, key=SEGMENT_FILTER, format_func=segment_labels.get,
            placeholder=t("filters.any"), bind="query-params",
        )
        chosen = {
            column: st.multiselect(
                _column_title(column), options[column], key=_filter_key(column),
                placeholder=t("filters.any"), bind="query-params",
            )
            for column in (*layout.dimensions, *layout.multi)
        }
        st.button(
            t("filters.clear"), on_click=_clear_filters, args=([*layout.dimensions, *layout.multi],),
            icon=":material/filter_alt_off:",
        )

    spec = FilterSpec.build(
        include={"segment": chosen_segments, **{c: chosen[c] for c in layout.dimensions}},
        any_of={c: chosen[c] for c in layout.multi},
    )
    focus = _selected_segment()
    view = explore.segment_view(dataset.frame, layout, spec, focus)
    st.markdown(
        "**" + t("filters.count", n=format_number(view.base_rows, language), total=format_number(view.total_rows, language)) + "**"
    )
    if view.base_rows == 0:
        st.warning(t("filters.empty"), icon=":material/filter_alt_off:")
        return

    segment_rows = _share_rows(view.segments, segment_labels)
    st.altair_chart(
        charts.share_bars(
            segment_rows, title=t("segments.chart"), axis_title=t("column.segment"),
            colours=(list(SEGMENT_KEYS), [s.colour for s in SEGMENTS]), selectable=True,
        ),
        width="stretch", key=CHART_KEY, on_select="rerun", selection_mode=charts.SEGMENT_SELECTION,
    )
    st.caption(t("segments.chart_help"))
    if view.segments.weighted:
        st.caption(t("segments.weighted", weight=layout.weight, n_eff=format_number(view.segments.n_eff, language, 1)))
    _figures_table(segment_rows, t("column.segment"))

    focus_text = SEGMENT_BY_KEY[focus].label(language) if focus else t("segments.all")
    st.subheader(t("segments.focus", segment=focus_text))
    if view.origins is not None:
        origins = view.origins.join(reference(datasets.REFERENCE_ORIGINS), on="key", suffix="_reference")
        comparison = pl.concat(
            [
                origins.select("key", pl.lit(t("series.data")).alias("series"), "share"),
                origins.select("key", pl.lit(t("series.reference")).alias("series"), pl.col("share_reference").alias("share")),
            ]
        ).with_columns(
            pl.col("key").replace_strict({k: label(f"bucket.{k}", language) for k in ("search", "external", "direct")}).alias("label"),
        )
        comparison = comparison.with_columns(
            pl.Series("share_text", [format_percent(v, language, 1) for v in comparison["share"].to_list()])
        )
        st.altair_chart(
            charts.comparison_bars(
                comparison, title=t("segments.origins_chart", focus=focus_text),
                series_order=[t("series.data"), t("series.reference")],
            ),
            width="stretch",
        )
        st.caption(t("segments.origins_note"))
    columns = st.columns(2)
    for index, (column, table) in enumerate(view.by_dimension.items()):
        with columns[index % 2]:
            rows = _share_rows(table, {})
            st.altair_chart(
                charts.share_bars(rows, title=f"{_column_title(column)} — {focus_text}", axis_title=_column_title(column)),
                width="stretch",
            )
    for column, table in view.multi.items():
        rows = _share_rows(table, {})
        st.altair_chart(
            charts.share_bars(rows, title=t("segments.tools_chart", focus=focus_text) if column == "tools_used" else _column_title(column), axis_title=_column_title(column)),
            width="stretch",
        )
        st.caption(t("segments.tools_base", n=format_number(table.base_rows, language)))


if __name__ == "__main__":  # Streamlit runs a page file as __main__
    render()

"""The reference study as published: three tables as charts, each with its source."""

from __future__ import annotations

import polars as pl
import streamlit as st

from digistrat import charts, datasets
from digistrat.i18n import format_percent, label
from digistrat.segments import SEGMENT_BY_KEY, SEGMENTS
from digistrat.ui import exports
from digistrat.ui.common import lang, reference, source_caption, static_table, t


def _published(name: str, label_of) -> pl.DataFrame:
    language = lang()
    frame = reference(name)
    return frame.with_columns(
        pl.col("key").map_elements(label_of, return_dtype=pl.String).alias("label"),
        pl.col("share").map_elements(lambda v: format_percent(v, language), return_dtype=pl.String).alias("share_text"),
    )


def render() -> None:
    language = lang()
    meta = datasets.provenance()["datasets"]
    st.title(t("app.title"))
    st.write(t("overview.intro"))

    st.header(t("overview.segments_heading"))
    segment_frame = _published(datasets.REFERENCE_SEGMENTS, lambda k: SEGMENT_BY_KEY[k].label(language))
    title = meta[datasets.REFERENCE_SEGMENTS]["title"][language]
    exports.draw(
        charts.spec(
            charts.share_bars,
            segment_frame,
            title=title,
            axis_title=t("column.segment"),
            colours=([s.key for s in SEGMENTS], [s.colour for s in SEGMENTS]),
        ),
        width="stretch",
    )
    source_caption(meta[datasets.REFERENCE_SEGMENTS])
    static_table(
        {
            t("column.segment"): [s.label(language) for s in SEGMENTS],
            t("column.share"): segment_frame["share_text"].to_list(),
            t("column.description"): [s.description(language) for s in SEGMENTS],
        }
    )

    st.header(t("overview.traffic_heading"))
    left, right = st.columns(2)
    for column, name, prefix in (
        (left, datasets.REFERENCE_ORIGINS, "bucket"),
        (right, datasets.REFERENCE_DEVICES, "device"),
    ):
        with column:
            frame = _published(name, lambda k, p=prefix: label(f"{p}.{k}", language))
            exports.draw(
                charts.spec(charts.share_bars, frame, title=meta[name]["title"][language], axis_title=" "),
                width="stretch",
            )
            source_caption(meta[name])
    st.info(t("overview.push_pull"), icon=":material/swap_horiz:")


if __name__ == "__main__":  # Streamlit runs a page file as __main__
    render()

"""The reference study as published: three tables as charts, each with its source and its table."""

from __future__ import annotations

import streamlit as st

from digistrat import charts, datasets, present
from digistrat.segments import SEGMENTS
from digistrat.ui import exports
from digistrat.ui.common import lang, reference, source_caption, t

SEGMENTS_PAGE = "digistrat/ui/pages/segments.py"
UPLOAD_PAGE = "digistrat/ui/pages/upload.py"


def _next_steps() -> None:
    """What to do next, on the first screen: the two pages where the user works."""
    st.markdown(t("overview.next"))
    left, right = st.columns(2)
    left.page_link(SEGMENTS_PAGE, label=t("overview.to_segments"), icon=":material/groups:")
    right.page_link(UPLOAD_PAGE, label=t("overview.to_upload"), icon=":material/upload_file:")


def render() -> None:
    language = lang()
    meta = datasets.provenance()["datasets"]
    st.title(t("app.title"))
    st.write(t("overview.intro"))
    _next_steps()

    st.header(t("overview.segments_heading"))
    segment_rows = present.published_rows(
        reference(datasets.REFERENCE_SEGMENTS), language, lambda k: present.segment_label(k, language)
    )
    title = meta[datasets.REFERENCE_SEGMENTS]["title"][language]
    exports.chart(
        charts.spec(charts.share_bars, segment_rows, title=title, axis_title=t("column.segment"),
                          colours=([s.key for s in SEGMENTS], [s.colour for s in SEGMENTS]), lang=language),
        "ov_segments", title, summary=present.shares_summary(segment_rows, language), width="stretch",
    )
    source_caption(meta[datasets.REFERENCE_SEGMENTS])
    st.table(
        present.published_table(segment_rows, language, t("column.segment"),
                                {t("column.description"): [s.description(language) for s in SEGMENTS]}),
        hide_index=True,
    )

    st.header(t("overview.traffic_heading"))
    left, right = st.columns(2)
    for column, name, prefix, heading in (
        (left, datasets.REFERENCE_ORIGINS, "bucket", "column.bucket"),
        (right, datasets.REFERENCE_DEVICES, "device", "column.device"),
    ):
        with column:
            rows = present.published_rows(reference(name), language,
                                          lambda k, p=prefix: present.key_label(p, k, language))
            title = meta[name]["title"][language]
            exports.chart(
                charts.spec(charts.share_bars, rows, title=title, axis_title=t(heading), lang=language),
                f"ov_{prefix}", title, summary=present.shares_summary(rows, language),
                table=present.published_table(rows, language, t(heading)), width="stretch",
            )
            source_caption(meta[name])
    st.info(t("overview.push_pull"), icon=":material/swap_horiz:")


if __name__ == "__main__":  # Streamlit runs a page file as __main__
    render()

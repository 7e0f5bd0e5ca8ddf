"""Channels page: where the sessions of a traffic log come from, next to the reference study."""

from __future__ import annotations

import polars as pl
import streamlit as st

from digistrat import charts, datasets, traffic
from digistrat.channels import ChannelSettings
from digistrat.i18n import format_number, format_percent, label
from digistrat.ui.common import illustrative_banner, lang, reference, source_caption, t
from digistrat.ui.data_source import active_dataset

OWN_DOMAINS_KEY = "own_domains"
AI_KEY = "ai_channel"


def _comparison(mix: pl.DataFrame, reference_name: str, prefix: str) -> pl.DataFrame:
    """(key, share) of the data and of the reference -> long frame for comparison_bars."""
    language = lang()
    data = mix.select("key", pl.lit(t("series.data")).alias("series"), (pl.col("share") * 100).alias("share"))
    published = reference(reference_name).select("key", pl.lit(t("series.reference")).alias("series"), "share")
    both = pl.concat([data, published])
    return both.with_columns(
        pl.Series("label", [label(f"{prefix}.{k}", language) for k in both["key"].to_list()]),
        pl.Series("share_text", [format_percent(v, language, 1) for v in both["share"].to_list()]),
    )


def render() -> None:
    language = lang()
    dataset = active_dataset("traffic")
    meta = datasets.provenance()["datasets"]
    st.title(t("page.channels"))
    illustrative_banner(dataset)

    with st.sidebar:
        st.subheader(t("channels.settings"))
        own_domains = st.text_area(
            t("channels.own_domains"), key=OWN_DOMAINS_KEY, help=t("channels.own_domains_help"), bind="query-params"
        )
        ai_channel = st.toggle(t("channels.ai"), key=AI_KEY, bind="query-params")
    settings = ChannelSettings(
        ai_channel=ai_channel,
        own_domains=tuple(d.strip() for d in own_domains.splitlines() if d.strip()),
    )
    mix = traffic.channel_mix(dataset, settings)
    st.markdown("**" + t("channels.total", n=format_number(mix.sessions, language)) + "**")

    left, right = st.columns(2)
    with left:
        st.altair_chart(
            charts.comparison_bars(
                _comparison(mix.buckets, datasets.REFERENCE_ORIGINS, "bucket"),
                title=t("channels.buckets_chart"), series_order=[t("series.data"), t("series.reference")],
            ),
            width="stretch",
        )
        source_caption(meta[datasets.REFERENCE_ORIGINS])
    with right:
        st.altair_chart(
            charts.comparison_bars(
                _comparison(mix.devices, datasets.REFERENCE_DEVICES, "device"),
                title=t("channels.devices_chart"), series_order=[t("series.data"), t("series.reference")],
            ),
            width="stretch",
        )
        source_caption(meta[datasets.REFERENCE_DEVICES])

    st.subheader(t("channels.detail_chart"))
    detail = mix.channels.with_columns(
        pl.Series("label", [label(f"channel.{k}", language) for k in mix.channels["key"].to_list()]),
        (pl.col("share") * 100).alias("share"),
        pl.Series("share_text", [format_percent(v * 100, language, 1) for v in mix.channels["share"].to_list()]),
    )
    st.altair_chart(charts.share_bars(detail, title=t("channels.detail_chart"), axis_title=t("column.channel")), width="stretch")
    st.dataframe(
        detail.select(
            pl.col("label").alias(t("column.channel")),
            pl.col("sessions").alias(t("column.sessions")),
            pl.col("share_text").alias(t("column.share")),
        ),
        hide_index=True,
        width="stretch",
    )


if __name__ == "__main__":  # Streamlit runs a page file as __main__
    render()

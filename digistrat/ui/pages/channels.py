"""Channels page: where the sessions of a traffic dataset come from, next to the reference study;
devices, push vs pull, trend and period comparison, two datasets side by side, what the rules missed.

Every figure comes from one cached `traffic.session_counts` frame per (dataset, settings): a
filter, a period or a view change regroups it and never reclassifies.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import polars as pl
import streamlit as st

from digistrat import charts, datasets, export, traffic
from digistrat.channels import BUCKET_KEYS, CHANNEL_KEYS, ChannelSettings, bucket_of, strategy_of
from digistrat.datasets import Dataset
from digistrat.errors import DigistratError
from digistrat.i18n import format_number, format_percent, label
from digistrat.ui import connect, exports, memory, url_state
from digistrat.ui.common import bundled, fixed, illustrative_banner, lang, reference, source_caption, t
from digistrat.ui.data_source import SAMPLES, active_dataset, connected, display_names, load_upload, uploads

SIGNIFICANCE = 0.05  # adjusted p below which a change is coloured, as the segments page at 95 %

OWN_DOMAINS_KEY = "own_domains"
AI_KEY = "ai_channel"
MODE_KEY = "ch_mode"
AFFILIATES_KEY = "ch_affiliates"
VIEW_KEY = "ch_view"
STEP_KEY = "ch_step"
PERIOD_MODE_KEY = "ch_period_mode"
PERIOD_KEY = "ch_period"
PERIOD_A_KEY = "ch_period_a"
PERIOD_B_KEY = "ch_period_b"
COMPARE_A_KEY = "ch_compare_a"
COMPARE_B_KEY = "ch_compare_b"

STRATEGY_COLOURS = (("push", "pull", "unassigned"), ("#E08A2E", "#1F6FB2", "#B9B9B9"))


# ---------------------------------------------------------------- data


def _cached_counts(version: str, settings: ChannelSettings, _dataset: Dataset) -> pl.DataFrame:
    # Shared across reruns and sessions: callers only read it (polars frames are not mutated in place).
    return memory.cached(("channels.counts", version, settings), lambda: traffic.session_counts(_dataset, settings),
                         owner=_dataset.id)


def counts_for(dataset: Dataset, settings: ChannelSettings) -> pl.DataFrame:
    """The classified session counts of a dataset, classified once per (dataset, rule settings)."""
    # Affiliates push/pull only changes the roll-up, not the classification.
    return _cached_counts(dataset.version, replace(settings, affiliates_push=True), dataset)


def _display_name(dataset: Dataset) -> str:
    title = (dataset.provenance or {}).get("title")
    return title[lang()] if isinstance(title, dict) else display_names().get(dataset.id, dataset.name)


def _traffic_datasets(active: Dataset) -> list[Dataset]:
    """The traffic datasets the user can compare: the active one, the bundled sample, every traffic upload."""
    found: dict[str, Dataset] = {active.id: active}
    sample = bundled(SAMPLES["traffic"])
    found.setdefault(sample.id, sample)
    for linked in connected().values():
        found.setdefault(linked.id, linked)
    for upload in uploads().values():
        if upload.page == "traffic" and upload.id not in found:
            try:
                found[upload.id] = load_upload(upload)
            except DigistratError:
                continue  # the upload page shows why it does not read; nothing to compare here
    return list(found.values())


# ---------------------------------------------------------------- formatting


def _key_label(by: str, key: str) -> str:
    return label(f"{by}.{key}", lang())


def _points(value: float | None, decimals: int = 1) -> str:
    return format_percent(None if value is None else value * 100, lang(), decimals)


def _signed(value: float | None) -> str:
    if value is None:
        return "–"
    text = format_number(abs(value) * 100, lang(), 1)
    return ("+" if value > 0 else "−" if value < 0 else "") + text


def _p_text(value: float | None) -> str:
    if value is None:
        return "–"
    if value < 0.001:
        return "< " + format_number(0.001, lang(), 3)
    return format_number(value, lang(), 3)


def _date_text(day: dt.date) -> str:
    return day.strftime("%d/%m/%Y") if lang() == "fr" else day.isoformat()


def _period_text(period: tuple[dt.date, dt.date]) -> str:
    return t("channels.period_range", start=_date_text(period[0]), end=_date_text(period[1]))


def _with_labels(frame: pl.DataFrame, by: str) -> pl.DataFrame:
    return frame.with_columns(
        pl.Series("label", [_key_label(by, k) for k in frame["key"].to_list()], dtype=pl.String),
        pl.Series("share_text", [_points(v) for v in frame["share"].to_list()], dtype=pl.String),
    )


# ---------------------------------------------------------------- sections


def _settings_sidebar() -> ChannelSettings:
    with st.sidebar:
        st.subheader(t("channels.settings"))
        url_state.bind(OWN_DOMAINS_KEY, "", "lines")
        own_domains = st.text_area(t("channels.own_domains"), key=OWN_DOMAINS_KEY, help=t("channels.own_domains_help"))
        url_state.bind(AI_KEY, False, "bool")
        ai_channel = st.toggle(t("channels.ai"), key=AI_KEY)
        url_state.bind(MODE_KEY, "strict", "choice", choices=("strict", "enriched"))
        mode = st.segmented_control(
            t("channels.mode"), ["strict", "enriched"], key=MODE_KEY, required=True,
            format_func=fixed(("strict", "enriched"), lambda m: t(f"channels.mode.{m}")), help=t("channels.mode_help"),
        )
        url_state.bind(AFFILIATES_KEY, "push", "choice", choices=("push", "pull"))
        affiliates = st.segmented_control(
            t("channels.affiliates"), ["push", "pull"], key=AFFILIATES_KEY, required=True,
            format_func=fixed(("push", "pull"), lambda s: t(f"strategy.{s}")),
        )
    return ChannelSettings(
        ai_channel=ai_channel,
        enriched=mode == "enriched",
        own_domains=tuple(d.strip() for d in own_domains.splitlines() if d.strip()),
        affiliates_push=affiliates == "push",
    )


def _reference_bars(frame: pl.DataFrame, reference_name: str, prefix: str, title: str, key: str) -> export.Section:
    """Shares of the data next to a published table, as grouped bars (and the report's section)."""
    language = lang()
    data = frame.select("key", pl.lit(t("series.data")).alias("series"), (pl.col("share") * 100).alias("share"))
    published = reference(reference_name).select("key", pl.lit(t("series.reference")).alias("series"), "share")
    both = pl.concat([data, published])
    both = both.with_columns(
        pl.Series("label", [label(f"{prefix}.{k}", language) for k in both["key"].to_list()]),
        pl.Series("share_text", [format_percent(v, language, 1) for v in both["share"].to_list()]),
    )
    figure = charts.comparison_bars(both, title=title, series_order=[t("series.data"), t("series.reference")])
    exports.chart(figure, key, title, width="stretch")
    table = both.pivot(on="series", index="label", values="share_text", maintain_order=True)
    return export.Section(heading=title, chart=figure, table=table.rename({"label": " "}))


def _channel_stack(counts: pl.DataFrame, settings: ChannelSettings) -> export.Section:
    """Detailed channels, grouped by bucket, in one bar next to the reference's bucket bar."""
    data = traffic.shares(counts, "channel", settings, assigned_only=True)
    bucket_rank = {k: i for i, k in enumerate(BUCKET_KEYS)}
    channel_rank = {k: i for i, k in enumerate(CHANNEL_KEYS)}
    rows = [
        {
            "series": t("series.data"), "label": _key_label("channel", key),
            "group": _key_label("bucket", bucket_of(key)), "share": share * 100,
            "share_text": _points(share), "order": bucket_rank[bucket_of(key)] * 100 + channel_rank[key],
        }
        for key, share in zip(data["key"].to_list(), data["share"].to_list())
    ]
    rows += [
        {
            "series": t("series.reference"), "label": _key_label("bucket", key),
            "group": _key_label("bucket", key), "share": share,
            "share_text": format_percent(share, lang(), 1), "order": bucket_rank[key] * 100,
        }
        for key, share in reference(datasets.REFERENCE_ORIGINS).iter_rows()
    ]
    figure = charts.mix_stack(
        pl.DataFrame(rows), title=t("channels.mix_chart"),
        series_order=[t("series.data"), t("series.reference")],
        group_order=[_key_label("bucket", k) for k in BUCKET_KEYS[:3]],
    )
    exports.chart(figure, "ch_mix", t("channels.mix_chart"), width="stretch")
    return export.Section(heading=t("channels.mix_chart"), chart=figure)


def _mix_section(
    counts: pl.DataFrame, mix: traffic.ChannelMix, settings: ChannelSettings, view: str
) -> list[export.Section]:
    meta = datasets.provenance()["datasets"]
    left, right = st.columns([3, 2])
    with left:
        if view == "bucket":
            assigned = traffic.shares(counts, "bucket", settings, assigned_only=True)
            origins = _reference_bars(assigned, datasets.REFERENCE_ORIGINS, "bucket", t("channels.buckets_chart"), "ch_buckets")
        else:
            origins = _channel_stack(counts, settings)
        source_caption(meta[datasets.REFERENCE_ORIGINS])
        unassigned = mix.channels.filter(pl.col("key") == "unassigned")
        if unassigned.height:
            st.caption(
                t(
                    "channels.unassigned_apart",
                    n=format_number(unassigned["sessions"][0], lang()),
                    share=_points(unassigned["share"][0]),
                )
            )
    with right:
        strategies = _with_labels(mix.strategies, "strategy").with_columns(pl.col("share") * 100)
        push_pull = charts.share_bars(
            strategies, title=t("channels.push_pull_chart"), axis_title=t("column.strategy"), colours=STRATEGY_COLOURS,
        )
        exports.chart(push_pull, "ch_push_pull", t("channels.push_pull_chart"), width="stretch")
        push_pull_note = t(
            "channels.push_pull_help", affiliates=t(f"strategy.{'push' if settings.affiliates_push else 'pull'}"),
        )
        st.caption(push_pull_note)

    st.subheader(t("channels.detail_chart"))
    detail = _with_labels(mix.channels, "channel")
    table = detail.select(
        pl.col("label").alias(t("column.channel")),
        pl.Series(t("column.bucket"), [_key_label("bucket", bucket_of(k)) for k in detail["key"].to_list()]),
        pl.Series(
            t("column.strategy"),
            [_key_label("strategy", s) if (s := strategy_of(k, settings)) else "–" for k in detail["key"].to_list()],
        ),
        pl.col("sessions").alias(t("column.sessions")),
        pl.col("share_text").alias(t("column.share")),
    )
    st.dataframe(table, hide_index=True, width="stretch")
    return [
        origins,
        export.Section(heading=t("channels.push_pull_chart"), chart=push_pull, notes=[push_pull_note]),
        export.Section(heading=t("channels.detail_chart"), table=table),
    ]


def _device_section(
    counts: pl.DataFrame, mix: traffic.ChannelMix, settings: ChannelSettings, view: str | None
) -> export.Section | None:
    """Devices next to the reference, and per `view` key (None: no channels to split them by)."""
    st.subheader(t("channels.devices_chart"))
    if "device" not in counts.columns or mix.devices.is_empty():
        st.info(t("channels.no_device"), icon=":material/devices:")
        return None
    if view is None:
        devices = _reference_bars(mix.devices, datasets.REFERENCE_DEVICES, "device", t("channels.devices_chart"), "ch_devices")
        source_caption(datasets.provenance()["datasets"][datasets.REFERENCE_DEVICES])
        return devices
    left, right = st.columns(2)
    with left:
        devices = _reference_bars(mix.devices, datasets.REFERENCE_DEVICES, "device", t("channels.devices_chart"), "ch_devices")
        source_caption(datasets.provenance()["datasets"][datasets.REFERENCE_DEVICES])
    with right:
        grid = traffic.device_by_channel(counts, view, settings, assigned_only=view == "bucket")
        cells = grid.with_columns(
            pl.Series("row_label", [_key_label(view, k) for k in grid["key"].to_list()], dtype=pl.String),
            pl.Series("column_label", [_key_label("device", d) for d in grid["device"].to_list()], dtype=pl.String),
            (pl.col("share") * 100).alias("share"),
            pl.Series("text", [_points(v, 0) for v in grid["share"].to_list()], dtype=pl.String),
            pl.Series("sessions_text", [format_number(v, lang()) for v in grid["sessions"].to_list()], dtype=pl.String),
        )
        exports.chart(
            charts.heatmap(
                cells, title=t("channels.heatmap_chart"), x_title=t("column.device"),
                y_title=t(f"column.{view}"), tooltip=(("sessions_text", "n"),),
            ),
            "ch_heatmap", t("channels.heatmap_chart"), width="stretch",
        )
        st.caption(t("channels.heatmap_help"))
    return devices


def _comparison_view(table: pl.DataFrame, view: str, name_a: str, name_b: str, key: str) -> None:
    """Change in points per key (chart and table) with its interval and indicative tests."""
    labelled = table.with_columns(
        pl.Series("label", [_key_label(view, k) for k in table["key"].to_list()], dtype=pl.String),
        (pl.col("change") * 100).alias("change_points"),
        (pl.col("ci_low") * 100).alias("ci_low_points"),
        (pl.col("ci_high") * 100).alias("ci_high_points"),
        pl.Series("change_text", [_signed(v) for v in table["change"].to_list()], dtype=pl.String),
    )
    title = t("channels.change_chart", a=name_a, b=name_b)
    exports.chart(
        charts.difference_intervals(
            labelled.select(
                "label", pl.col("change_points").alias("diff"), pl.col("change_text").alias("text"),
                pl.col("ci_low_points").alias("ci_low"), pl.col("ci_high_points").alias("ci_high"),
                # coloured only where the change holds after the Benjamini–Hochberg correction
                pl.when(pl.col("p_adjusted") >= SIGNIFICANCE).then(pl.lit("same"))
                .when(pl.col("change") > 0).then(pl.lit("higher"))
                .when(pl.col("change") < 0).then(pl.lit("lower"))
                .otherwise(pl.lit("same")).alias("direction"),
            ),
            title=title, axis_title=t("channels.change_axis"),
        ),
        key, title, width="stretch",
    )
    intervals = [
        "–" if low is None else f"[{_signed(low)} ; {_signed(high)}]"
        for low, high in zip(table["ci_low"].to_list(), table["ci_high"].to_list())
    ]
    st.dataframe(
        pl.DataFrame(
            {
                t(f"column.{view}"): labelled["label"],
                t("channels.sessions_of", name=name_a): table["sessions_a"],
                t("channels.share_of", name=name_a): [_points(v) for v in table["share_a"].to_list()],
                t("channels.sessions_of", name=name_b): table["sessions_b"],
                t("channels.share_of", name=name_b): [_points(v) for v in table["share_b"].to_list()],
                t("column.change"): labelled["change_text"],
                t("column.interval"): intervals,
                t("column.p_value"): [_p_text(v) for v in table["p_value"].to_list()],
                t("column.p_adjusted"): [_p_text(v) for v in table["p_adjusted"].to_list()],
            }
        ),
        hide_index=True,
        width="stretch",
    )
    st.caption(t("channels.tests_note", n=table["p_value"].drop_nulls().len()))


def _date_range(title: str, key: str, default: tuple[dt.date, dt.date], span: tuple[dt.date, dt.date]):
    url_state.bind(key, default, "dates", bounds=span)
    # No value= here: bind() seeded the state, and both would make Streamlit warn.
    chosen = st.date_input(
        title, min_value=span[0], max_value=span[1], key=key,
        format="DD/MM/YYYY" if lang() == "fr" else "YYYY-MM-DD",
    )
    return tuple(chosen) if isinstance(chosen, (tuple, list)) and len(chosen) == 2 else None


def _trend_section(counts: pl.DataFrame, settings: ChannelSettings, view: str) -> None:
    st.subheader(t("channels.trend"))
    span = traffic.date_span(counts)
    if span is None:
        st.info(t("channels.no_date"), icon=":material/calendar_month:")
        return
    assigned_only = view == "bucket"
    url_state.bind(STEP_KEY, "week", "choice", choices=traffic.GRANULARITIES)
    step = st.segmented_control(
        t("channels.granularity"), list(traffic.GRANULARITIES), key=STEP_KEY, required=True,
        format_func=fixed(traffic.GRANULARITIES, lambda g: t(f"channels.granularity.{g}")),
    )
    series = traffic.trend(counts, step, view, settings, assigned_only=assigned_only)
    if series.height > charts.MAX_CHART_ROWS:
        st.info(t("channels.trend_too_long"))
    else:
        lines = series.with_columns(
            pl.Series("label", [_key_label(view, k) for k in series["key"].to_list()], dtype=pl.String),
            (pl.col("share") * 100).alias("share"),
            pl.Series("share_text", [_points(v) for v in series["share"].to_list()], dtype=pl.String),
            pl.Series("period_text", [_date_text(d) for d in series["period"].to_list()], dtype=pl.String),
        )
        present = set(series["key"].to_list())
        keys = [k for k in (BUCKET_KEYS if view == "bucket" else CHANNEL_KEYS) if k in present]
        colours = [charts.BUCKET_COLOURS[BUCKET_KEYS.index(k)] for k in keys] if view == "bucket" else None
        exports.chart(
            charts.trend_lines(
                lines, title=t("channels.trend_chart"), legend_title=t(f"column.{view}"),
                label_order=[_key_label(view, k) for k in keys], colours=colours,
            ),
            "ch_trend", t("channels.trend_chart"), width="stretch",
        )

    st.subheader(t("channels.periods"))
    url_state.bind(PERIOD_MODE_KEY, "previous", "choice", choices=("previous", "ranges"))
    mode = st.segmented_control(
        t("channels.period_mode"), ["previous", "ranges"], key=PERIOD_MODE_KEY, required=True,
        format_func=fixed(("previous", "ranges"), lambda m: t(f"channels.period_mode.{m}")),
    )
    default = traffic.default_period(span)
    if mode == "previous":
        current = _date_range(t("channels.period_this"), PERIOD_KEY, default, span)
        if current is None:
            st.info(t("channels.period_incomplete"))
            return
        first, second = traffic.previous_period(*current), current
        st.caption(t("channels.period_previous", period=_period_text(first)))
    else:
        left, right = st.columns(2)
        with left:
            first = _date_range(t("channels.period_first"), PERIOD_A_KEY, traffic.previous_period(*default), span)
        with right:
            second = _date_range(t("channels.period_second"), PERIOD_B_KEY, default, span)
        if first is None or second is None:
            st.info(t("channels.period_incomplete"))
            return
    before, after = traffic.between(counts, *first), traffic.between(counts, *second)
    for period, frame in ((first, before), (second, after)):
        if frame["sessions"].sum() <= 0:
            st.warning(t("channels.period_empty", period=_period_text(period)))
            return
    table = traffic.compare(before, after, view, settings, assigned_only=assigned_only)
    _comparison_view(table, view, _period_text(first), _period_text(second), "ch_periods")


def _datasets_section(dataset: Dataset, settings: ChannelSettings, view: str) -> None:
    st.subheader(t("channels.datasets"))
    available = _traffic_datasets(dataset)
    if len(available) < 2:
        st.info(t("channels.compare_empty"), icon=":material/compare_arrows:")
        return
    by_id = {d.id: d for d in available}
    ids = list(by_id)
    left, right = st.columns(2)
    names = {i: _display_name(d) for i, d in by_id.items()}
    with left:
        url_state.bind(COMPARE_A_KEY, dataset.id if dataset.id in ids else ids[0], "choice", choices=ids)
        first_id = st.selectbox(t("channels.compare_first"), ids, key=COMPARE_A_KEY, format_func=names.get)
    with right:
        url_state.bind(COMPARE_B_KEY, next(i for i in ids if i != first_id), "choice", choices=ids)
        second_id = st.selectbox(t("channels.compare_second"), ids, key=COMPARE_B_KEY, format_func=names.get)
    if first_id == second_id:
        st.info(t("channels.compare_same"))
        return
    name_a, name_b = _display_name(by_id[first_id]), _display_name(by_id[second_id])
    try:
        counts_a, counts_b = counts_for(by_id[first_id], settings), counts_for(by_id[second_id], settings)
    except DigistratError as error:
        st.error(error.text(lang()))
        return
    assigned_only = view == "bucket"
    a = traffic.shares(counts_a, view, settings, assigned_only=assigned_only)
    b = traffic.shares(counts_b, view, settings, assigned_only=assigned_only)
    bars = pl.concat(
        [
            _with_labels(a, view).with_columns(pl.lit(name_a).alias("series")),
            _with_labels(b, view).with_columns(pl.lit(name_b).alias("series")),
        ]
    ).with_columns(pl.col("share") * 100)
    exports.chart(
        charts.comparison_bars(bars, title=t("channels.compare_chart"), series_order=[name_a, name_b]),
        "ch_compare", t("channels.compare_chart"), width="stretch",
    )
    _comparison_view(
        traffic.compare(counts_a, counts_b, view, settings, assigned_only=assigned_only), view, name_a, name_b,
        "ch_compare_change",
    )


def _agreement_section(dataset: Dataset, settings: ChannelSettings) -> None:
    """When the export carries GA4's own channel beside its source / medium: how far the rules agree."""
    checked = traffic.agreement(dataset, settings)
    if checked is None:
        return
    language = lang()
    st.subheader(t("channels.agreement"))
    if not checked.disagreements:
        st.success(t("channels.agreement_all"), icon=":material/check_circle:")
        return
    st.markdown(t("channels.agreement_summary", share=format_percent(100 * (checked.share or 0), language, 1),
                  n=format_number(checked.sessions, language), total=format_number(checked.total, language)))
    st.dataframe(
        pl.DataFrame({
            t("channels.agreement.col.source_medium"): [f"{d.source} / {d.medium}" for d in checked.disagreements],
            t("channels.agreement.col.label"): [d.label for d in checked.disagreements],
            t("channels.agreement.col.channel"): [_key_label("channel", d.channel) for d in checked.disagreements],
            t("column.sessions"): [format_number(d.sessions, language) for d in checked.disagreements],
            t("channels.agreement.col.reason"): [
                t(f"channels.agreement.reason.{d.reason or 'unknown'}") for d in checked.disagreements],
        }),
        hide_index=True, width="stretch",
    )


def _unmatched_section(mix: traffic.ChannelMix) -> None:
    st.subheader(t("channels.unmatched"))
    if mix.unmatched.is_empty():
        st.caption(t("channels.unmatched_none"))
        return
    frame = mix.unmatched
    origin = [c for c in (traffic.LABEL_COLUMN, *traffic.ORIGIN_COLUMNS) if c in frame.columns]
    st.dataframe(
        frame.select(
            *(pl.col(c).alias(t(f"column.{c}")) for c in origin),
            pl.col("sessions").alias(t("column.sessions")),
            pl.Series(t("column.share"), [_points(v) for v in frame["share"].to_list()], dtype=pl.String),
        ),
        hide_index=True,
        width="stretch",
    )


def _downloads(
    box, dataset: Dataset, settings: ChannelSettings, view: str, mix: traffic.ChannelMix, sections: list[export.Section]
) -> None:
    name = _display_name(dataset)
    stem = exports.slug(f"{t('page.channels')}-{name}")
    yes_no = {True: t("report.on"), False: t("report.off")}
    filters = [
        (t("channels.own_domains"), ", ".join(settings.own_domains) or "–"),
        (t("channels.ai"), yes_no[settings.ai_channel]),
        (t("channels.mode"), t(f"channels.mode.{'enriched' if settings.enriched else 'strict'}")),
        (t("channels.affiliates"), t(f"strategy.{'push' if settings.affiliates_push else 'pull'}")),
        (t("channels.view"), t(f"channels.view.{view}")),
    ]
    if dataset.provenance:
        first = SAMPLES["traffic"]
    else:
        first = t("report.upload_source", name=name, used=format_number(dataset.normalised.rows_used, lang()),
                  read=format_number(dataset.normalised.rows_read, lang()))
    report = export.Report(
        title=t("report.title_channels", name=name), lang=lang(), filters=filters,
        sections=[replace(sections[0], notes=[t("channels.total", n=format_number(mix.sessions, lang()))]), *sections[1:]],
        sources=[first, datasets.REFERENCE_ORIGINS, datasets.REFERENCE_DEVICES],
        methods=["channels", "published", *(["illustrative"] if dataset.illustrative else [])],
    )
    buckets = {key: bucket_of(key) for key in CHANNEL_KEYS}

    def rows() -> pl.DataFrame:
        # Every row of the file with the channel and bucket the rules gave it.
        return traffic.classified(dataset, settings).with_columns(
            pl.col("channel").replace_strict(buckets, default=None, return_dtype=pl.String).alias("bucket")
        ).collect()

    with box.expander(t("export.heading"), icon=":material/download:"):
        exports.data_downloads(rows, dataset.frame.height, stem, "ch_data")
        exports.report_downloads(report, stem, "ch_report")


def _surveys_elsewhere() -> None:
    """Say where an uploaded survey went: the data-source list here offers traffic only."""
    surveys = [display_names().get(u.id, u.name) for u in uploads().values() if u.page == "survey"]
    if surveys:
        st.caption(t("channels.surveys_elsewhere", names=", ".join(surveys)))


def render() -> None:
    dataset = active_dataset("traffic")
    st.title(t("page.channels"))
    illustrative_banner(dataset)
    _surveys_elsewhere()
    settings = _settings_sidebar()
    try:
        counts = counts_for(dataset, settings)
        origin = traffic.origin_of(dataset)
    except DigistratError as error:
        st.error(error.text(lang()))
        return
    mix = traffic.mix(counts, settings)
    st.markdown("**" + t("channels.total", n=format_number(mix.sessions, lang())) + "**")
    st.caption(origin.message.text(lang()))
    connect.caption(dataset)
    if counts.height and counts["channel"].null_count() == counts.height:
        # A device report: its device split only; every other section needs channels.
        st.info(t("channels.devices_only"), icon=":material/devices:")
        downloads = st.container()
        devices = _device_section(counts, mix, settings, None)
        if devices is not None:
            _downloads(downloads, dataset, settings, "bucket", mix, [devices])
        return
    url_state.bind(VIEW_KEY, "bucket", "choice", choices=("bucket", "channel"))
    view = st.segmented_control(
        t("channels.view"), ["bucket", "channel"], key=VIEW_KEY, required=True,
        format_func=fixed(("bucket", "channel"), lambda v: t(f"channels.view.{v}")),
    )
    downloads = st.container()
    sections = _mix_section(counts, mix, settings, view)
    sections.append(_device_section(counts, mix, settings, view))
    _downloads(downloads, dataset, settings, view, mix, [s for s in sections if s is not None])
    _trend_section(counts, settings, view)
    _datasets_section(dataset, settings, view)
    _agreement_section(dataset, settings)
    _unmatched_section(mix)


if __name__ == "__main__":  # Streamlit runs a page file as __main__
    render()

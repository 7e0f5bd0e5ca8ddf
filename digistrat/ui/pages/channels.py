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

from digistrat import charts, datasets, export, present, traffic
from digistrat.channels import BUCKET_KEYS, CHANNEL_KEYS, ChannelSettings, bucket_of
from digistrat.datasets import Dataset
from digistrat.errors import DigistratError
from digistrat.i18n import TIME_FORMATS, format_date, format_number, format_percent, format_period
from digistrat.ui import connect, exports, memory, url_state
from digistrat.ui.common import bundled, fixed, illustrative_banner, lang, reference, source_caption, t
from digistrat.ui.data_source import SAMPLES, active_dataset, connected, display_names, load_upload, uploads

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


def _period_text(period: tuple[dt.date, dt.date]) -> str:
    return format_period(period[0], period[1], lang())


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
    """Shares of the data next to a published table, as grouped bars with their table (and the report's section)."""
    language = lang()
    both = present.against_reference_rows(present.traffic_rows(frame, prefix, language), reference(reference_name),
                                          prefix, language)
    table = present.against_reference_table(both, language, t("column.device" if prefix == "device" else "column.bucket"))
    figure = charts.spec(charts.comparison_bars, both, title=title, series_order=[t("series.data"), t("series.reference")],
                                    lang=language)
    exports.chart(figure, key, title, summary=present.shares_summary(both.filter(pl.col("series") == t("series.data")), language),
                  table=table, width="stretch")
    return export.Section(heading=title, chart=figure, table=table)


def _channel_stack(counts: pl.DataFrame, settings: ChannelSettings) -> export.Section:
    """Detailed channels, grouped by bucket, in one bar next to the reference's bucket bar."""
    language = lang()
    data = traffic.shares(counts, "channel", settings, assigned_only=True)
    rows = present.mix_stack_rows(data, reference(datasets.REFERENCE_ORIGINS), language)
    table = present.mix_stack_table(rows, language)
    figure = charts.spec(charts.mix_stack, rows, title=t("channels.mix_chart"), series_order=[t("series.data"), t("series.reference")],
        group_order=[present.key_label("bucket", k, language) for k in BUCKET_KEYS[:3]], lang=language,
    )
    exports.chart(figure, "ch_mix", t("channels.mix_chart"),
                  summary=present.shares_summary(rows.filter(pl.col("series") == t("series.data")), language),
                  table=table, width="stretch")
    return export.Section(heading=t("channels.mix_chart"), chart=figure, table=table)


def _mix_section(
    counts: pl.DataFrame, mix: traffic.ChannelMix, settings: ChannelSettings, view: str
) -> list[export.Section]:
    language = lang()
    meta = datasets.provenance()["datasets"]
    left, right = st.columns([3, 2])
    with left:
        if view == "bucket":
            assigned = traffic.shares(counts, "bucket", settings, assigned_only=True)
            origins = _reference_bars(assigned, datasets.REFERENCE_ORIGINS, "bucket", t("channels.buckets_chart"), "ch_buckets")
        else:
            origins = _channel_stack(counts, settings)
        source_caption(meta[datasets.REFERENCE_ORIGINS])
        unassigned = present.traffic_rows(mix.channels, "channel", language).filter(pl.col("key") == "unassigned")
        if unassigned.height:
            st.caption(t("channels.unassigned_apart", n=unassigned["sessions_text"][0], share=unassigned["share_text"][0]))
    with right:
        strategies = present.traffic_rows(mix.strategies, "strategy", language)
        strategy_table = present.traffic_table(strategies, language, t("column.strategy"))
        push_pull = charts.spec(charts.share_bars, strategies, title=t("channels.push_pull_chart"), axis_title=t("column.strategy"),
            colours=STRATEGY_COLOURS, lang=language,
        )
        exports.chart(push_pull, "ch_push_pull", t("channels.push_pull_chart"),
                      summary=present.shares_summary(strategies, language), table=strategy_table, width="stretch")
        push_pull_note = t(
            "channels.push_pull_help", affiliates=t(f"strategy.{'push' if settings.affiliates_push else 'pull'}"),
        )
        st.caption(push_pull_note)

    st.header(t("channels.detail_chart"))
    table = present.channel_detail_table(mix.channels, settings, language)
    st.table(table, hide_index=True)
    return [
        origins,
        export.Section(heading=t("channels.push_pull_chart"), chart=push_pull, table=strategy_table, notes=[push_pull_note]),
        export.Section(heading=t("channels.detail_chart"), table=table),
    ]


def _device_section(
    counts: pl.DataFrame, mix: traffic.ChannelMix, settings: ChannelSettings, view: str | None
) -> list[export.Section]:
    """Devices next to the reference, and per `view` key (None: no channels to split them by)."""
    language = lang()
    st.header(t("channels.devices_chart"))
    if "device" not in counts.columns or mix.devices.is_empty():
        st.info(t("channels.no_device"), icon=":material/devices:")
        return []
    if view is None:
        devices = _reference_bars(mix.devices, datasets.REFERENCE_DEVICES, "device", t("channels.devices_chart"), "ch_devices")
        source_caption(datasets.provenance()["datasets"][datasets.REFERENCE_DEVICES])
        return [devices]
    left, right = st.columns(2)
    with left:
        devices = _reference_bars(mix.devices, datasets.REFERENCE_DEVICES, "device", t("channels.devices_chart"), "ch_devices")
        source_caption(datasets.provenance()["datasets"][datasets.REFERENCE_DEVICES])
    with right:
        cells = present.device_grid(traffic.device_by_channel(counts, view, settings, assigned_only=view == "bucket"),
                                    view, language)
        title = t("channels.heatmap_chart")
        table = present.grid_table(cells, t(f"column.{view}"))
        figure = charts.spec(charts.heatmap, cells, title=title, x_title=t("column.device"), y_title=t(f"column.{view}"),
                                tooltip=(("sessions_text", t("column.sessions")),), lang=language)
        exports.chart(figure, "ch_heatmap", title, summary=present.grid_summary(cells, language), table=table,
                      width="stretch")
        st.caption(t("channels.heatmap_help"))
    return [devices, export.Section(heading=title, chart=figure, table=table, notes=[t("channels.heatmap_help")])]


def _comparison_view(table: pl.DataFrame, view: str, name_a: str, name_b: str, key: str) -> None:
    """Change in points per key (chart and table) with its interval and indicative tests."""
    language = lang()
    shown = present.change_view(table, view, language, name_a, name_b, level=0.95)
    title = t("channels.change_chart", a=name_a, b=name_b)
    if shown.chart.height:
        figure = charts.spec(charts.difference_intervals, shown.chart, title=title, axis_title=t("channels.change_axis"), lang=language)
        exports.chart(figure, key, title, summary=present.differences_summary(shown.chart, language), width="stretch")
        st.caption(present.difference_legend(0.95, language))
    st.table(shown.table, hide_index=True)
    st.caption(shown.note)


def _date_range(title: str, key: str, default: tuple[dt.date, dt.date], span: tuple[dt.date, dt.date]):
    url_state.bind(key, default, "dates", bounds=span)
    # No value= here: bind() seeded the state, and both would make Streamlit warn.
    chosen = st.date_input(
        title, min_value=span[0], max_value=span[1], key=key,
        format="DD/MM/YYYY" if lang() == "fr" else "YYYY/MM/DD",
    )
    return tuple(chosen) if isinstance(chosen, (tuple, list)) and len(chosen) == 2 else None


def _trend_section(counts: pl.DataFrame, settings: ChannelSettings, view: str) -> export.Section | None:
    language = lang()
    st.header(t("channels.trend"))
    span = traffic.date_span(counts)
    if span is None:
        st.info(t("channels.no_date"), icon=":material/calendar_month:")
        return None
    assigned_only = view == "bucket"
    url_state.bind(STEP_KEY, "week", "choice", choices=traffic.GRANULARITIES)
    step = st.segmented_control(
        t("channels.granularity"), list(traffic.GRANULARITIES), key=STEP_KEY, required=True,
        format_func=fixed(traffic.GRANULARITIES, lambda g: t(f"channels.granularity.{g}")),
    )
    series = traffic.trend(counts, step, view, settings, assigned_only=assigned_only)
    section = None
    if series.height > charts.MAX_CHART_ROWS:
        st.info(t("channels.trend_too_long"))
    else:
        lines = present.trend_rows(series, view, step, language)
        shown = set(series["key"].to_list())
        keys = [k for k in (BUCKET_KEYS if view == "bucket" else CHANNEL_KEYS) if k in shown]
        colours = [charts.BUCKET_COLOURS[BUCKET_KEYS.index(k)] for k in keys] if view == "bucket" else None
        title = t("channels.trend_chart")
        table = present.trend_table(lines, language, t("channels.granularity"))
        figure = charts.spec(charts.trend_lines, lines, title=title, legend_title=t(f"column.{view}"),
            label_order=[present.key_label(view, k, language) for k in keys], colours=colours,
            time_format=TIME_FORMATS[step], lang=language,
        )
        exports.chart(figure, "ch_trend", title, summary=present.trend_summary(lines, language), table=table,
                      width="stretch")
        section = export.Section(heading=title, chart=figure, table=table)

    st.header(t("channels.periods"))
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
            return section
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
            return section
    before, after = traffic.between(counts, *first), traffic.between(counts, *second)
    for period, frame in ((first, before), (second, after)):
        if frame["sessions"].sum() <= 0:
            st.warning(t("channels.period_empty", start=format_date(period[0], language), end=format_date(period[1], language)))
            return section
    table = traffic.compare(before, after, view, settings, assigned_only=assigned_only)
    _comparison_view(table, view, _period_text(first), _period_text(second), "ch_periods")
    return section


def _datasets_section(dataset: Dataset, settings: ChannelSettings, view: str) -> None:
    language = lang()
    st.header(t("channels.datasets"))
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
        st.error(error.text(language))
        return
    assigned_only = view == "bucket"
    a = traffic.shares(counts_a, view, settings, assigned_only=assigned_only)
    b = traffic.shares(counts_b, view, settings, assigned_only=assigned_only)
    bars = pl.concat([
        present.traffic_rows(a, view, language).with_columns(pl.lit(name_a).alias("series")),
        present.traffic_rows(b, view, language).with_columns(pl.lit(name_b).alias("series")),
    ])
    title = t("channels.compare_chart")
    exports.chart(
        charts.spec(charts.comparison_bars, bars, title=title, series_order=[name_a, name_b], lang=language),
        "ch_compare", title, summary=present.shares_summary(bars, language),
        table=bars.pivot(on="series", index="label", values="share_text", maintain_order=True)
        .rename({"label": t(f"column.{view}")}).fill_null("–"),
        width="stretch",
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
            t("channels.agreement.col.channel"): [present.key_label("channel", d.channel, language) for d in checked.disagreements],
            t("column.sessions"): [format_number(d.sessions, language) for d in checked.disagreements],
            t("channels.agreement.col.reason"): [
                t(f"channels.agreement.reason.{d.reason or 'unknown'}") for d in checked.disagreements],
        }),
        hide_index=True, width="stretch",
    )


def _unmatched_section(mix: traffic.ChannelMix) -> None:
    st.header(t("channels.unmatched"))
    if mix.unmatched.is_empty():
        st.caption(t("channels.unmatched_none"))
        return
    frame = mix.unmatched
    origin = [c for c in (traffic.LABEL_COLUMN, *traffic.ORIGIN_COLUMNS) if c in frame.columns]
    st.table(present.unmatched_table(frame, origin, lang()), hide_index=True)


def _downloads(
    box, dataset: Dataset, settings: ChannelSettings, view: str, mix: traffic.ChannelMix,
    shown: list[export.Section], every: list[export.Section],
) -> None:
    """Data and report downloads: `shown` (the view's figures) on one page, `every` section on several."""
    language = lang()
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
        first = t("report.upload_source", name=name, used=format_number(dataset.normalised.rows_used, language),
                  read=format_number(dataset.normalised.rows_read, language))

    # The report is made after the run, when a button is clicked: its words are fixed now.
    title = t("report.title_channels", name=name)
    origin = traffic.origin_of(dataset)
    lines = [origin.total(mix.sessions).text(language), origin.message.text(language)]

    def report(full: bool) -> export.Report:
        return export.Report(
            title=title, lang=language, filters=filters, lines=lines,
            sections=every if full else shown, sources=[first, datasets.REFERENCE_ORIGINS, datasets.REFERENCE_DEVICES],
            methods=["channels", "published", *(["illustrative"] if dataset.illustrative else [])], full=full,
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
    language = lang()
    dataset = active_dataset("traffic")
    downloads = st.sidebar.container()  # near the top of the tab order, filled once the view is known
    st.title(t("page.channels"))
    illustrative_banner(dataset)
    _surveys_elsewhere()
    settings = _settings_sidebar()
    try:
        counts = counts_for(dataset, settings)
        origin = traffic.origin_of(dataset)
    except DigistratError as error:
        st.error(error.text(language))
        return
    mix = traffic.mix(counts, settings)
    st.markdown("**" + origin.total(mix.sessions).text(language) + "**")
    st.caption(origin.message.text(language))
    connect.caption(dataset)
    if counts.height and counts["channel"].null_count() == counts.height:
        # A device report: its device split only; every other section needs channels.
        st.info(t("channels.devices_only"), icon=":material/devices:")
        devices = _device_section(counts, mix, settings, None)
        if devices:
            _downloads(downloads, dataset, settings, "bucket", mix, devices, devices)
        return
    url_state.bind(VIEW_KEY, "bucket", "choice", choices=("bucket", "channel"))
    view = st.segmented_control(
        t("channels.view"), ["bucket", "channel"], key=VIEW_KEY, required=True,
        format_func=fixed(("bucket", "channel"), lambda v: t(f"channels.view.{v}")),
    )
    origins, push_pull, detail = _mix_section(counts, mix, settings, view)
    devices = _device_section(counts, mix, settings, view)
    trend = _trend_section(counts, settings, view)
    _datasets_section(dataset, settings, view)
    _agreement_section(dataset, settings)
    _unmatched_section(mix)
    # On one page: where visits come from with its table; push vs pull and devices side by side.
    shown = [origins, *(replace(section, small=True) for section in (push_pull, *devices))]
    _downloads(downloads, dataset, settings, view, mix, shown, [*shown, detail, *([trend] if trend else [])])


if __name__ == "__main__":  # Streamlit runs a page file as __main__
    render()

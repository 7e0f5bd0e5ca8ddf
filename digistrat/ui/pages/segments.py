"""Segments page: filter any survey, see each segment's share, cross, compare, profile.

Every figure comes from one core call (`explore.page_view`); this file only turns the
result into widgets, charts and tables with the language's labels and numbers.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

import polars as pl
import streamlit as st

from digistrat import charts, datasets, explore, export, present, stats
from digistrat.errors import DigistratError
from digistrat.i18n import format_level, format_number
from digistrat.query import FilterSpec
from digistrat.segments import SEGMENT_KEYS, SEGMENTS
from digistrat.ui import exports, memory, url_state
from digistrat.ui.common import fixed, illustrative_banner, lang, reference, t
from digistrat.ui.data_source import SAMPLES, active_dataset, display_names

SEGMENT_FILTER = "f_segment"
CHART_KEY = "segment_chart"
FOCUS_KEY = "focus"  # the focused segments (canonical keys): the chart's clicks and the select beside it
FOCUS_SEEN_KEY = "_focus_chart_seen"
TAB_KEY = "tab"  # the open tab, canonical
TAB_WIDGET = "seg_tabs"  # the tabs widget's state (a translated label)
TABS = ("breakdown", "crosstab", "compare", "channels", "profile")
LEVELS = (0.90, 0.95, 0.99)
DEFAULT = stats.Thresholds()
CMP_REFERENCE, CMP_GROUPS = "reference", "groups"


def _filter_key(column: str) -> str:
    return f"f_{column}"


def _prepared(dataset: datasets.Dataset) -> explore.PreparedSurvey:
    # Once per dataset version: numbering the answer combinations is the only pass over all rows.
    return memory.cached(("segments.prepared", dataset.version), lambda: explore.prepare(dataset), owner=dataset.id)


def _telling_groups(dataset: datasets.Dataset, prepared: explore.PreparedSurvey) -> tuple[str, str] | None:
    # What the compare tab opens on, once per dataset: the answer that sets its respondents apart.
    return memory.cached(("segments.telling", dataset.version), lambda: explore.telling_groups(prepared),
                         owner=dataset.id)


def _options(dataset: datasets.Dataset, prepared: explore.PreparedSurvey):
    # Ordered answers (company sizes, scores) in their own order in every list.
    def build():
        options = {c: present.category_order(v) for c, v in explore.filter_options(prepared).items()}
        return options, explore.numeric_bounds(prepared)

    return memory.cached(("segments.options", dataset.version), build, owner=dataset.id)


def _clear_filters(categorical: list[str], bounds: dict[str, tuple[float, float]]) -> None:
    for key in [SEGMENT_FILTER, *(_filter_key(c) for c in categorical)]:
        st.session_state[key] = []
    for column, (low, high) in bounds.items():
        st.session_state[_filter_key(column)] = _slider_value(low, high)


def _slider_value(low: float, high: float) -> tuple[float, float] | tuple[int, int]:
    return (int(low), int(high)) if float(low).is_integer() and float(high).is_integer() else (low, high)


_TITLES_KEY = "_seg_titles"  # question name -> the text people read, for the dataset on screen


def _column_title(column: str) -> str:
    text = t(f"column.{column}")
    if text != f"column.{column}":
        return text
    return st.session_state.get(_TITLES_KEY, {}).get(column, column)


def _segment_label(key: str) -> str:
    return present.segment_label(key, lang())


def _number(value: float | None, decimals: int = 0) -> str:
    return format_number(value, lang(), decimals)


# ---------------------------------------------------------------- sidebar


def _sidebar(layout: explore.SurveyLayout, options: dict, bounds: dict) -> tuple[FilterSpec, stats.Thresholds]:
    with st.sidebar:
        st.subheader(t("filters.heading"))
        url_state.bind(SEGMENT_FILTER, [], "choices", choices=SEGMENT_KEYS)
        chosen_segments = st.multiselect(
            t("filters.segments"), SEGMENT_KEYS, key=SEGMENT_FILTER, format_func=fixed(SEGMENT_KEYS, _segment_label),
            placeholder=t("filters.any"),
        )
        chosen = {}
        for column in (*layout.dimensions, *layout.multi):
            url_state.bind(_filter_key(column), [], "choices", choices=options[column])
            chosen[column] = st.multiselect(
                _column_title(column), options[column], key=_filter_key(column), placeholder=t("filters.any"),
            )
        ranges = {}
        if bounds:
            st.caption(t("seg.numeric_filters"))
        for column, (low, high) in bounds.items():
            full = _slider_value(low, high)
            url_state.bind(_filter_key(column), full, "range", bounds=full)
            # "localized": thousands separated as the browser's language writes them
            picked = st.slider(_column_title(column), full[0], full[1], key=_filter_key(column), format="localized")
            if tuple(picked) != tuple(full):
                ranges[column] = (float(picked[0]), float(picked[1]))
        st.button(
            t("filters.clear"), on_click=_clear_filters, args=([*layout.dimensions, *layout.multi], bounds),
            icon=":material/filter_alt_off:",
        )
        with st.expander(t("seg.settings")):
            url_state.bind("level", DEFAULT.level, "choice", choices=LEVELS)
            language = lang()
            level = st.selectbox(t("seg.level"), LEVELS, key="level",
                                 format_func=fixed(LEVELS, lambda v: format_level(v, language)))
            url_state.bind("min_base", int(DEFAULT.min_base), "int", bounds=(0, 10_000))
            min_base = st.number_input(t("seg.min_base"), 0, 10_000, key="min_base")
            url_state.bind("low_base", int(DEFAULT.low_base), "int", bounds=(0, 10_000))
            low_base = st.number_input(t("seg.low_base"), 0, 10_000, key="low_base")
            st.caption(t("seg.settings_help", small=_number(DEFAULT.small_base)))
    try:
        thresholds = stats.Thresholds(min_base=min_base, low_base=low_base, level=level)
    except DigistratError as error:
        st.sidebar.warning(t("seg.bad_settings", error=error.text(lang())))
        thresholds = DEFAULT
    spec = FilterSpec.build(
        include={"segment": chosen_segments, **{c: chosen[c] for c in layout.dimensions}},
        ranges=ranges,
        any_of={c: chosen[c] for c in layout.multi},
    )
    return spec, thresholds


def _selected_segments() -> tuple[str, ...]:
    """The focused segments: from a link, the select beside the chart, or a click on a bar.

    The chart's state cannot be set from a link (Streamlit refuses writes to it), so the focus
    lives in its own key, which the select shows; a change of the chart's state since the
    last run is a click.
    """
    url_state.bind(FOCUS_KEY, [], "choices", choices=SEGMENT_KEYS)
    state = st.session_state.get(CHART_KEY)
    picked = (state or {}).get("selection", {}).get(charts.SEGMENT_SELECTION) or []
    clicked = [p["key"] for p in picked if p.get("key") in SEGMENT_KEYS]
    if CHART_KEY in st.session_state and clicked != st.session_state.get(FOCUS_SEEN_KEY, []):
        st.session_state[FOCUS_KEY] = clicked
    # A chart drawn again (back from another page) starts with nothing clicked.
    st.session_state[FOCUS_SEEN_KEY] = clicked if CHART_KEY in st.session_state else []
    return tuple(st.session_state[FOCUS_KEY])


def _focus_select() -> tuple[str, ...]:
    """The keyboard's way to focus segments: a select bound to the same state as a click."""
    return tuple(st.multiselect(
        t("seg.focus_select"), SEGMENT_KEYS, key=FOCUS_KEY, format_func=fixed(SEGMENT_KEYS, _segment_label),
        placeholder=t("segments.all"), help=t("segments.chart_help"),
    ))


# ---------------------------------------------------------------- report and downloads


def _sources(dataset: datasets.Dataset) -> list[str]:
    if dataset.provenance:
        first = SAMPLES["survey"]
    else:
        first = t("report.upload_source", name=display_names().get(dataset.id, dataset.name),
                  used=_number(dataset.normalised.rows_used), read=_number(dataset.normalised.rows_read))
    return [first, datasets.REFERENCE_SEGMENTS]


def _methods(view: explore.PageView, dataset: datasets.Dataset) -> list[str]:
    methods = ["weighted_share", *(["kish"] if view.weighted else []), "wilson", "clopper_pearson", "bases",
               "difference", "multiple", "crosstab", "not_computable", "published"]
    return methods + (["illustrative"] if dataset.illustrative else [])


def _downloads(
    box, dataset: datasets.Dataset, spec: FilterSpec, view: explore.PageView, lines: list[str],
    shown: list[export.Section], every: list[export.Section],
) -> None:
    """Data and report downloads: `shown` (the open tab) on one page, `every` tab on several."""
    name = display_names().get(dataset.id, dataset.name) if not dataset.provenance else dataset.provenance["title"][lang()]
    stem = exports.slug(f"{t('page.segments')}-{name}")
    rows = view.base_rows  # the respondents of the view: the export holds exactly these
    language = lang()  # the report is made after the run, when a button is clicked: its words are fixed now
    filters = present.filters_in_words(spec, view.focus, view.thresholds, language, _column_title)
    title, sources, methods = t("report.title_segments", name=name), _sources(dataset), _methods(view, dataset)

    def report(full: bool) -> export.Report:
        return export.Report(
            title=title, lang=language, filters=filters, lines=lines,
            sections=[s for s in (every if full else shown) if s is not None], sources=sources, methods=methods,
            full=full,
        )

    with box.expander(t("export.heading"), icon=":material/download:"):
        exports.data_downloads(lambda: datasets.rows(dataset, spec).collect(), rows, stem, "seg_data")
        exports.report_downloads(report, stem, "seg_report")


def _tabs() -> list:
    """The five tabs; the open one is part of the view (?tab=crosstab), whatever the language."""
    labels = {key: t(f"seg.tab.{key}") for key in TABS}
    current = url_state.bind(TAB_KEY, TABS[0], "choice", choices=TABS)
    st.session_state[TAB_WIDGET] = labels[current]

    def remember() -> None:
        opened = st.session_state[TAB_WIDGET]
        st.session_state[TAB_KEY] = next((k for k, v in labels.items() if v == opened), TABS[0])

    return st.tabs(list(labels.values()), key=TAB_WIDGET, on_change=remember)


# ---------------------------------------------------------------- tabs


def _difference_chart(rows: pl.DataFrame, title: str) -> Callable[[], dict] | None:
    """The differences with their intervals, as a function making the chart's spec (made only
    when drawn or reported); None when nothing is tested."""
    if not rows.height:
        return None
    language, axis_title = lang(), t("seg.col.difference")
    return lambda: charts.spec(charts.difference_intervals, rows, title=title, axis_title=axis_title, lang=language)


def _draw_differences(figure: Callable[[], dict] | None, rows: pl.DataFrame, title: str, key: str, level: float) -> None:
    if figure is None:
        return
    language = lang()
    exports.chart(figure(), key, title, summary=present.differences_summary(rows, language), width="stretch")
    st.caption(present.difference_legend(level, language))


def _breakdown(view: explore.PageView, focus_text: str, show: bool) -> list[export.Section]:
    """The breakdown tab, drawn when `show` (its tab is open); its report sections in any case."""
    language = lang()
    sections = []
    columns = st.columns(2) if show else []
    level = view.thresholds.level
    for index, (column, table) in enumerate([*view.breakdown.items(), *view.multi.items()]):
        multi = column in view.multi
        rows = present.share_rows(table, language, natural_order=not multi)
        title = f"{_column_title(column)} — {focus_text}"
        shares = present.share_table(rows, language, level, _column_title(column))
        notes = [t("segments.tools_base", n=_number(table.base_rows))] if multi else []
        figure = partial(charts.spec, charts.share_bars, rows, title=title, axis_title=_column_title(column),
                         lang=language)
        if show:
            with st.container() if multi else columns[index % 2]:
                exports.chart(figure(), f"seg_breakdown_{index}", title, summary=present.shares_summary(rows, language),
                              table=shares, width="stretch")
                for note in notes:
                    st.caption(note)
        sections.append(export.Section(heading=title, chart=figure, table=shares, notes=notes, small=True))
    if show:
        st.caption(present.share_legend(level, language))
    return sections


def _crosstab_dimension(layout: explore.SurveyLayout) -> str | None:
    if not layout.dimensions:
        st.info(t("seg.no_dimension"))
        return None
    url_state.bind("xt_dim", layout.dimensions[0], "choice", choices=layout.dimensions)
    return st.selectbox(t("seg.xt.dimension"), layout.dimensions, key="xt_dim", format_func=fixed(layout.dimensions, _column_title))


def _crosstab(view: explore.PageView, show: bool) -> export.Section | None:
    """The crosstab tab, drawn when `show` (its tab is open); its report section in any case."""
    table = view.crosstab
    if table is None:
        return None
    language = lang()
    name = _column_title(view.crosstab_dimension)
    shown = present.crosstab_view(table, language, name, view.focus)
    title, segment = t("seg.xt.heatmap", dimension=name), t("column.segment")

    def figure() -> dict:  # made after the run too (the report): its words are fixed now
        return charts.spec(charts.heatmap, shown.grid, title=title, x_title=name, y_title=segment,
                           tooltip=(("verdict", " "),), lang=language)

    if show:
        caption, *rest = shown.notes
        st.caption(caption)
        st.table(shown.table, hide_index=True)
        for note in rest:
            st.caption(note)
        if shown.markers:
            st.markdown(f"**{t('seg.xt.markers')}**")
            st.markdown("\n".join(f"- {line}" for line in shown.markers))
        else:
            st.caption(t("seg.xt.none_significant"))
        exports.chart(figure(), "seg_crosstab", title, summary=present.grid_summary(shown.grid, language), width="stretch")
    return export.Section(heading=title, chart=figure, table=shown.table, notes=[*shown.notes, *shown.markers])


def compare_request(
    layout: explore.SurveyLayout, options: dict, telling: tuple[str, str] | None
) -> tuple[FilterSpec, FilterSpec] | None:
    """The compare tab's widgets: None for the reference study, else the two groups.

    It opens on a comparison that says something: the answer whose respondents stand apart
    (`telling`, explore.telling_groups) against everyone else; without one, it asks which
    groups to compare. The reference study (which the sample reproduces) is one click away."""
    columns = [*layout.dimensions, *layout.multi]
    choices = ([CMP_GROUPS] if columns else []) + [CMP_REFERENCE]
    url_state.bind("cmp_mode", choices[0], "choice", choices=choices)
    mode = st.radio(t("seg.cmp.mode"), choices, key="cmp_mode", horizontal=True, format_func=fixed(choices, lambda m: t(f"seg.cmp.{m}")))
    if mode != CMP_GROUPS:
        return None
    url_state.bind("cmp_by", telling[0] if telling else columns[0], "choice", choices=columns)
    by = st.selectbox(t("seg.cmp.by"), columns, key="cmp_by", format_func=fixed(columns, _column_title))
    left, right = st.columns(2)
    values = options[by]
    url_state.bind("cmp_a", [telling[1]] if telling and telling[0] == by else [], "choices", choices=values)
    group_a = left.multiselect(t("seg.cmp.a"), values, key="cmp_a")
    rest = [v for v in values if v not in group_a]
    if group_a and not rest:  # group B would be a list with nothing to pick, and nobody in it
        right.info(t("seg.cmp.all_in_a", column=_column_title(by)))
        return None
    url_state.bind("cmp_b", [], "choices", choices=rest)
    group_b = right.multiselect(t("seg.cmp.b"), rest, key="cmp_b", placeholder=t("seg.everyone_else"))
    if not group_a:
        st.info(t("seg.cmp.pick"))
        return None
    if by in layout.multi:
        # A multi-answer respondent can hold values of both groups: B is then "none of A's".
        spec_a = FilterSpec.build(any_of={by: group_a})
        rest = group_b or [v for v in values if v not in group_a]
        spec_b = FilterSpec.build(any_of={by: rest})
    else:
        spec_a = FilterSpec.build(include={by: group_a})
        spec_b = FilterSpec.build(include={by: group_b or [v for v in values if v not in group_a]})
    return spec_a, spec_b


def _compare(view: explore.PageView, meta: dict, show: bool) -> export.Section | None:
    """The comparison tab, drawn when `show` (its tab is open); its report section in any case."""
    result = view.comparison
    if result is None:
        return None
    level = view.thresholds.level
    shown = present.comparison_view(result, lang(), level, view.focus, meta.get("published_n"))
    title = t("seg.cmp.chart", a=shown.a, b=shown.b)
    figure = _difference_chart(shown.chart, title)
    if show:
        st.table(shown.table, hide_index=True)
        *notes, legend = shown.notes
        for note in notes:
            st.caption(note)
        _draw_differences(figure, shown.chart, title, "seg_compare", level)
    groups = [] if result.against_reference else [_groups_in_words()]
    return export.Section(heading=title, chart=figure, table=shown.table, notes=[*groups, *shown.notes])


def _groups_in_words() -> str:
    """Which answers make group A and group B, for the report (the page shows the widgets)."""
    state = st.session_state
    by, chosen_a, chosen_b = state.get("cmp_by"), state.get("cmp_a", []), state.get("cmp_b", [])
    return t("seg.cmp.defined", by=_column_title(by), a=", ".join(chosen_a),
             b=", ".join(chosen_b) if chosen_b else t("seg.everyone_else"))


def _channel_pair(layout: explore.SurveyLayout) -> tuple[str, str] | None:
    if not layout.origins:
        st.info(t("seg.ch.none"))
        return None
    left, right = st.columns(2)
    url_state.bind("ch_a", "dissatisfied", "choice", choices=SEGMENT_KEYS)
    first = left.selectbox(t("seg.ch.first"), SEGMENT_KEYS, key="ch_a", format_func=fixed(SEGMENT_KEYS, _segment_label))
    url_state.bind("ch_b", "convinced", "choice", choices=SEGMENT_KEYS)
    second = right.selectbox(t("seg.ch.second"), SEGMENT_KEYS, key="ch_b", format_func=fixed(SEGMENT_KEYS, _segment_label))
    return (first, second) if first != second else None


def _channels_figures(view: explore.PageView, show: bool) -> export.Section | None:
    """The visit-origins tab, drawn when `show` (its tab is open); its report section in any case."""
    result = view.channels
    if result is None:
        return None
    language = lang()
    level = view.thresholds.level
    shown = present.origin_means_view(result, language, level, view.focus)
    title = t("seg.ch.chart")
    figure = charts.spec(charts.channel_mix_chart, shown.chart, title=title, group_order=list(shown.group_order),
                         bucket_order=list(shown.bucket_order), lang=language)
    section = export.Section(heading=title, chart=figure, table=shown.table)
    if not show:
        return section
    caption = t("seg.ch.caption", level=format_level(level, language))
    exports.chart(figure, "seg_channels", title, summary=caption, width="stretch")
    st.caption(caption)
    st.table(shown.table, hide_index=True)
    origins = present.published_rows(reference(datasets.REFERENCE_ORIGINS), language,
                                     lambda k: present.key_label("bucket", k, language))
    st.caption(t("segments.origins_note") + " " + " · ".join(
        f"{r['label']} {r['share_text']}" for r in origins.iter_rows(named=True) if r["key"] in explore.BUCKETS
    ))
    if shown.contrast is None:
        st.caption(t("seg.ch.same_pair"))
        return section
    st.table(shown.contrast, hide_index=True)
    st.caption(t("seg.ch.tests", n=_number(result.n_tests)))
    contrast_title = t("seg.cmp.chart", a=shown.a, b=shown.b)
    _draw_differences(_difference_chart(shown.contrast_chart, contrast_title), shown.contrast_chart, contrast_title,
                      "seg_channel_contrast", level)
    return section


def _profile_choice(view_focus: tuple[str, ...]) -> str:
    if len(view_focus) == 1:
        st.caption(t("seg.pr.follows"))
        return view_focus[0]
    url_state.bind("profile", "dissatisfied", "choice", choices=SEGMENT_KEYS)
    return st.selectbox(t("seg.pr.segment"), SEGMENT_KEYS, key="profile", format_func=fixed(SEGMENT_KEYS, _segment_label))


def _profile(view: explore.PageView, show: bool) -> export.Section | None:
    """The profile tab, drawn when `show` (its tab is open); its report section in any case."""
    result = view.profile
    if result is None:
        return None
    level = view.thresholds.level
    shown = present.profile_view(result, lang(), level, _column_title)
    title = t("seg.pr.chart", segment=shown.name)
    figure = _difference_chart(shown.chart, title)
    if show:
        st.caption(shown.caption)
        st.table(shown.table, hide_index=True)
        _draw_differences(figure, shown.chart, title, "seg_profile", level)
        st.markdown(f"**{t('seg.pr.dimensions')}**")
        st.table(shown.strengths, hide_index=True)
    return export.Section(heading=title, chart=figure, table=shown.table, notes=[shown.caption])


# ---------------------------------------------------------------- page


def render() -> None:
    language = lang()
    dataset = active_dataset("survey")
    downloads = st.sidebar.container()  # near the top of the tab order, filled once the view is known
    try:
        prepared = _prepared(dataset)
    except DigistratError as error:
        st.title(t("page.segments"))
        st.error(error.text(language))
        return
    layout = prepared.layout
    options, bounds = _options(dataset, prepared)
    st.session_state[_TITLES_KEY] = {q.name: q.text for q in dataset.schema.questions}

    st.title(t("page.segments"))
    illustrative_banner(dataset)
    spec, thresholds = _sidebar(layout, options, bounds)
    _selected_segments()

    # Figures go above the tabs, but the widgets must run first: the core needs their values.
    count_line = st.empty()
    focus = _focus_select()
    chart_box = st.container()
    tabs = _tabs()
    with tabs[1]:
        dimension = _crosstab_dimension(layout)
        crosstab_out = st.container()
    with tabs[2]:
        groups = compare_request(layout, options, _telling_groups(dataset, prepared))
        compare_out = st.container()
    with tabs[3]:
        pair = _channel_pair(layout)
        channels_out = st.container()
    with tabs[4]:
        profile_segment = _profile_choice(focus)
        profile_out = st.container()
    meta = datasets.provenance()["datasets"][datasets.REFERENCE_SEGMENTS]
    try:
        view = explore.page_view(
            prepared, spec, focus=focus, thresholds=thresholds, dimension=dimension, groups=groups,
            reference=reference(datasets.REFERENCE_SEGMENTS), reference_n=meta["published_n"],
            profile_segment=profile_segment, channel_pair=pair,
        )
    except DigistratError as error:
        st.error(error.text(lang()))
        return

    count = present.count_sentence(view.base_rows, view.total_rows, language)
    count_line.markdown(f"**{count}**")
    if view.empty:
        with chart_box:
            st.warning(t("filters.empty"), icon=":material/filter_alt_off:")
        return
    with chart_box:
        segment_rows = present.share_rows(view.segments, language, _segment_label)
        segment_chart = charts.spec(
            charts.share_bars, segment_rows, title=t("segments.chart"), axis_title=t("column.segment"), base_title=t("column.base"),
            colours=(list(SEGMENT_KEYS), [s.colour for s in SEGMENTS]), selectable=True, selected=focus,
            lang=language,
        )
        exports.chart(
            segment_chart, "seg_shares", t("segments.chart"), summary=present.shares_summary(segment_rows, language),
            width="stretch", key=CHART_KEY, on_select="rerun", selection_mode=charts.SEGMENT_SELECTION,
        )
        st.caption(t("segments.chart_help") + " " + present.share_legend(thresholds.level, language))
        schema = dataset.schema
        design = present.design_sentence(view.segments, view.weighted, schema.weight, language,
                                         psu=schema.psu, stratum=schema.stratum)
        st.caption(design)
        segment_table = present.share_table(segment_rows, language, thresholds.level, t("column.segment"))
        st.table(segment_table, hide_index=True)
        methods = present.interval_methods(segment_rows, language)
        if methods:
            st.caption(methods)
        focus_text = ", ".join(_segment_label(k) for k in focus) if focus else t("segments.all")

    # Only the open tab is drawn (switching tabs reruns the page); every tab's report sections
    # are made, their charts only when a report is.
    opened = st.session_state.get(TAB_KEY, TABS[0])
    with tabs[0]:
        breakdown_sections = _breakdown(view, focus_text, opened == "breakdown")
    with crosstab_out:
        crosstab_section = _crosstab(view, opened == "crosstab")
    with compare_out:
        compare_section = _compare(view, meta, opened == "compare")
    with channels_out:
        channels_section = _channels_figures(view, opened == "channels")
    with profile_out:
        profile_section = _profile(view, opened == "profile")
    shares = export.Section(heading=t("segments.chart"), chart=segment_chart, table=segment_table)
    by_tab = {
        "breakdown": breakdown_sections, "crosstab": [crosstab_section], "compare": [compare_section],
        "channels": [channels_section], "profile": [profile_section],
    }
    every = [shares, *breakdown_sections, crosstab_section, compare_section, channels_section, profile_section]
    _downloads(downloads, dataset, spec, view, [count, design], [shares, *by_tab[opened]], every)


if __name__ == "__main__":  # Streamlit runs a page file as __main__
    render()

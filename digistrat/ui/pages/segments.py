"""Segments page: filter any survey, see each segment's share, cross, compare, profile.

Every figure comes from one core call (`explore.page_view`); this file only turns the
result into widgets, charts and tables with the language's labels and numbers.
"""

from __future__ import annotations

import polars as pl
import streamlit as st

from digistrat import charts, datasets, explore, export, stats
from digistrat.errors import DigistratError
from digistrat.i18n import format_number, format_percent
from digistrat.query import FilterSpec
from digistrat.segments import SEGMENT_KEYS, SEGMENTS
from digistrat.ui import exports, memory, url_state
from digistrat.ui.common import fixed, illustrative_banner, lang, reference, t
from digistrat.ui.data_source import SAMPLES, active_dataset, display_names

SEGMENT_FILTER = "f_segment"
CHART_KEY = "segment_chart"
FOCUS_KEY = "focus"  # the clicked segments (canonical keys), kept apart from the chart's own state
FOCUS_SEEN_KEY = "_focus_chart_seen"
TAB_KEY = "tab"  # the open tab, canonical
TAB_WIDGET = "seg_tabs"  # the tabs widget's state (a translated label)
TABS = ("breakdown", "crosstab", "compare", "channels", "profile")
LEVELS = (0.90, 0.95, 0.99)
DEFAULT = stats.Thresholds()
MARKERS = {explore.HIGHER: "▲", explore.LOWER: "▼"}
# Cohen's (1988) conventions for Cramér's V with one degree of freedom of the smaller side.
STRENGTHS = ((0.5, "strong"), (0.3, "moderate"), (0.1, "weak"), (0.0, "negligible"))
CMP_REFERENCE, CMP_GROUPS = "reference", "groups"


def _filter_key(column: str) -> str:
    return f"f_{column}"


def _prepared(version: str, _dataset: datasets.Dataset) -> explore.PreparedSurvey:
    # Once per dataset version: numbering the answer combinations is the only pass over all rows.
    return memory.cached(("segments.prepared", version), lambda: explore.prepare(_dataset), owner=_dataset.id)


def _options(dataset: datasets.Dataset, _prepared: explore.PreparedSurvey):
    return memory.cached(("segments.options", dataset.version),
                         lambda: (explore.filter_options(_prepared), explore.numeric_bounds(_prepared)), owner=dataset.id)


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
    labels = {s.key: s.label(lang()) for s in SEGMENTS}
    return labels.get(key, key)


def _pct(points: float | None, decimals: int = 2) -> str:
    return "–" if points is None else format_percent(points, lang(), decimals)


def _number(value: float | None, decimals: int = 0) -> str:
    return "–" if value is None else format_number(value, lang(), decimals)


def _p(value: float | None) -> str:
    if value is None:
        return "–"
    return "< 0.001".replace(".", "," if lang() == "fr" else ".") if value < 0.001 else _number(value, 3)


def _p_clause(value: float | None) -> str:
    """"p = 0.030" or "p < 0.001"."""
    text = _p(value)
    return f"p {text}" if text.startswith("<") else f"p = {text}"


def _interval(low: float | None, high: float | None) -> str:
    return "–" if low is None or high is None else f"{_pct(low, 1)} – {_pct(high, 1)}"


def _signed(points: float | None) -> str:
    return "–" if points is None else ("+" if points > 0 else "") + format_number(points, lang(), 1)


def _flag_text(flag: str | None) -> str:
    return {stats.FLAG_LOW: t("seg.flag.low"), stats.FLAG_SUPPRESSED: t("seg.flag.suppressed")}.get(flag or "", "")


def _level_text(level: float) -> str:
    return _pct(level * 100, 0)


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
            picked = st.slider(_column_title(column), full[0], full[1], key=_filter_key(column))
            if tuple(picked) != tuple(full):
                ranges[column] = (float(picked[0]), float(picked[1]))
        st.button(
            t("filters.clear"), on_click=_clear_filters, args=([*layout.dimensions, *layout.multi], bounds),
            icon=":material/filter_alt_off:",
        )
        with st.expander(t("seg.settings")):
            url_state.bind("level", DEFAULT.level, "choice", choices=LEVELS)
            level = st.selectbox(t("seg.level"), LEVELS, key="level", format_func=fixed(LEVELS, _level_text))
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
    """The clicked segments: from a link until the chart reports a click of its own.

    The chart's state cannot be set from a link (Streamlit refuses writes to it), so the focus
    lives in its own key; a change of the chart's state since the last run is a click.
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


# ---------------------------------------------------------------- segment shares


def _share_frame(table: stats.ShareTable, labels) -> pl.DataFrame:
    """A share table in points with texts for charts and tables."""
    rows = table.rows
    shares = (rows["share"] * 100).to_list()
    counts = rows["count"].to_list()
    flags = rows["flag"].to_list()
    share_text = [_pct(s) for s in shares]
    base_text = [_number(c) for c in counts]
    return pl.DataFrame(
        {
            "key": rows["key"],
            "label": [labels(k) for k in rows["key"].to_list()],
            "share": shares,
            "ci_low": (rows["ci_low"] * 100).to_list(),
            "ci_high": (rows["ci_high"] * 100).to_list(),
            "flag": flags,
            "share_text": share_text,
            "base_text": base_text,
            "interval": [_interval(lo, hi) for lo, hi in zip((rows["ci_low"] * 100).to_list(), (rows["ci_high"] * 100).to_list())],
            "note": [_flag_text(f) for f in flags],
            "text": [
                " · ".join(x for x in (s, f"n = {b}", _flag_text(f)) if x and x != "–") or _flag_text(f)
                for s, b, f in zip(share_text, base_text, flags)
            ],
        },
        schema_overrides={"share": pl.Float64, "ci_low": pl.Float64, "ci_high": pl.Float64},
    )


def _segment_table(rows: pl.DataFrame, level: float) -> pl.DataFrame:
    table = rows.select(
        pl.col("label").alias(t("column.segment")),
        pl.col("share_text").alias(t("column.share")),
        pl.col("interval").alias(t("seg.col.interval", level=_level_text(level))),
        pl.col("base_text").alias(t("column.base")),
        pl.col("note").alias(t("seg.col.note")),
    )
    st.dataframe(table, hide_index=True, width="stretch")
    return table


def _design_caption(view: explore.PageView, weight: str | None) -> str:
    table = view.segments
    if view.weighted and table.deff is not None:
        text = t(
            "seg.design", weight=weight, deff=_number(table.deff, 2), n_eff=_number(table.n_eff, 1),
            n=_number(table.base_rows),
        )
    else:
        text = t("seg.unweighted")
    st.caption(text)
    return text


# ---------------------------------------------------------------- report and downloads


def _filters_in_words(spec: FilterSpec, focus: tuple[str, ...], thresholds: stats.Thresholds) -> list[tuple[str, str]]:
    """The filters and settings in force, as (what, value) lines for the report."""
    words = []
    for column, values in spec.include:
        if column == "segment":
            words.append((t("filters.segments"), ", ".join(_segment_label(v) for v in values)))
        else:
            words.append((_column_title(column), ", ".join(values)))
    for column, values in spec.any_of:
        words.append((_column_title(column), t("report.any_of", values=", ".join(values))))
    for column, (low, high) in spec.ranges:
        words.append((_column_title(column), t("report.range", low=_number(low, 0 if low.is_integer() else 2),
                                               high=_number(high, 0 if high.is_integer() else 2))))
    if focus:
        words.append((t("report.focus"), ", ".join(_segment_label(k) for k in focus)))
    words.append((t("seg.level"), _level_text(thresholds.level)))
    words.append((t("seg.min_base"), _number(thresholds.min_base)))
    words.append((t("seg.low_base"), _number(thresholds.low_base)))
    return words


def _sources(dataset: datasets.Dataset) -> list[str]:
    if dataset.provenance:
        first = SAMPLES["survey"]
    else:
        first = t("report.upload_source", name=display_names().get(dataset.id, dataset.name),
                  used=_number(dataset.normalised.rows_used), read=_number(dataset.normalised.rows_read))
    return [first, datasets.REFERENCE_SEGMENTS]


def _methods(view: explore.PageView, dataset: datasets.Dataset) -> list[str]:
    methods = ["weighted_share", *(["kish"] if view.weighted else []), "wilson", "clopper_pearson", "bases",
               "difference", "multiple", "crosstab", "published"]
    return methods + (["illustrative"] if dataset.illustrative else [])


def _downloads(
    box, dataset: datasets.Dataset, spec: FilterSpec, view: explore.PageView, sections: list[export.Section]
) -> None:
    name = display_names().get(dataset.id, dataset.name) if not dataset.provenance else dataset.provenance["title"][lang()]
    stem = exports.slug(f"{t('page.segments')}-{name}")
    rows = view.base_rows  # the respondents of the view: the export holds exactly these
    report = export.Report(
        title=t("report.title_segments", name=name), lang=lang(),
        filters=_filters_in_words(spec, view.focus, view.thresholds),
        sections=[s for s in sections if s is not None], sources=_sources(dataset), methods=_methods(view, dataset),
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


def _breakdown(view: explore.PageView, focus_text: str) -> None:
    columns = st.columns(2)
    for index, (column, table) in enumerate(view.breakdown.items()):
        with columns[index % 2]:
            rows = _share_frame(table, str)
            title = f"{_column_title(column)} — {focus_text}"
            exports.chart(charts.share_bars(rows, title=title, axis_title=_column_title(column)),
                          f"seg_breakdown_{index}", title, width="stretch")
    for index, (column, table) in enumerate(view.multi.items()):
        rows = _share_frame(table, str)
        title = f"{_column_title(column)} — {focus_text}"
        exports.chart(charts.share_bars(rows, title=title, axis_title=_column_title(column)),
                      f"seg_multi_{index}", title, width="stretch")
        st.caption(t("segments.tools_base", n=_number(table.base_rows)))


def _crosstab_dimension(layout: explore.SurveyLayout) -> str | None:
    if not layout.dimensions:
        st.info(t("seg.no_dimension"))
        return None
    url_state.bind("xt_dim", layout.dimensions[0], "choice", choices=layout.dimensions)
    return st.selectbox(t("seg.xt.dimension"), layout.dimensions, key="xt_dim", format_func=fixed(layout.dimensions, _column_title))


def _crosstab(view: explore.PageView) -> export.Section | None:
    table = view.crosstab
    if table is None:
        return None
    dimension = view.crosstab_dimension
    name = _column_title(dimension)
    alpha = _number(1 - view.thresholds.level, 2)
    cells = table.cells
    if view.focus:
        cells = cells.filter(pl.col("row").is_in(view.focus))
    verdicts = {
        explore.HIGHER: t("seg.xt.higher", dimension=name, alpha=alpha),
        explore.LOWER: t("seg.xt.lower", dimension=name, alpha=alpha),
    }
    shares = (cells["column_share"] * 100).to_list()
    directions = cells["direction"].to_list()
    texts = [
        ("–" if s is None else _pct(s, 1)) + (f" {MARKERS[d]}" if d in MARKERS else "")
        for s, d in zip(shares, directions)
    ]
    grid = pl.DataFrame(
        {
            "row_label": [_segment_label(k) for k in cells["row"].to_list()],
            "column_label": cells["column"].to_list(),
            "share": shares,
            "text": texts,
            "verdict": [verdicts.get(d, "") for d in directions],
        },
        schema_overrides={"share": pl.Float64},
    )
    wide = grid.pivot(on="column_label", index="row_label", values="text", maintain_order=True)
    bases = table.column_bases
    base_row = {"row_label": t("seg.xt.base_row")} | {
        c: f"{_number(n)}" + (f" ({_flag_text(f)})" if _flag_text(f) else "")
        for c, n, f in zip(bases["column"].to_list(), bases["count"].to_list(), bases["flag"].to_list())
    }
    wide = pl.concat([wide, pl.DataFrame([base_row], schema=wide.schema)])
    st.caption(t("seg.xt.caption", dimension=name))
    wide = wide.rename({"row_label": t("column.segment")})
    st.dataframe(wide, hide_index=True, width="stretch")
    test_name = t(f"test.{table.test}") if table.test else ""
    notes = [t("seg.xt.caption", dimension=name)]
    if table.test is None:
        notes.append(t("seg.xt.no_test"))
        st.caption(notes[-1])
    else:
        strength = next(word for bound, word in STRENGTHS if (table.cramers_v or 0) >= bound)
        key = "seg.xt.fisher" if table.test == stats.TEST_FISHER else "seg.xt.test"
        notes.append(t(
            key, test=test_name, statistic=_number(table.statistic, 2), dof=table.dof, p=_p_clause(table.p_value),
            v=_number(table.cramers_v, 3), strength=t(f"strength.{strength}"),
        ))
        st.markdown(notes[-1])
        if table.sparse:
            notes.append(t("seg.xt.sparse"))
            st.caption(notes[-1])
    notes.append(t("seg.xt.tests", dimension=name, alpha=alpha, n=table.n_tests))
    st.caption(notes[-1])
    significant = grid.filter(pl.col("verdict") != "")
    if significant.height:
        st.markdown(f"**{t('seg.xt.markers')}**")
        st.markdown("\n".join(
            f"- {t('seg.xt.marker_line', segment=r['row_label'], value=r['column_label'], share=r['text'], verdict=r['verdict'])}"
            for r in significant.iter_rows(named=True)
        ))
    else:
        st.caption(t("seg.xt.none_significant"))
    title = t("seg.xt.heatmap", dimension=name)
    figure = charts.heatmap(
        grid, title=title, x_title=name, y_title=t("column.segment"), tooltip=(("verdict", " "),)
    )
    exports.chart(figure, "seg_crosstab", title, width="stretch")
    return export.Section(heading=title, chart=figure, table=wide, notes=notes)


def _verdict(direction: str | None, p: float | None, a: str, b: str) -> str:
    if direction is None:
        return t("seg.verdict.untested")
    return t(f"seg.verdict.{direction}", a=a, b=b, p=_p_clause(p))


def _differences_table(
    frame: pl.DataFrame, first: str, a: str, b: str, level: float, value: str = "share"
) -> pl.DataFrame:
    return pl.DataFrame(
        {
            first: frame["label"],
            a: [_pct(v) for v in frame[f"{value}_a"].to_list()],
            b: [_pct(v) for v in frame[f"{value}_b"].to_list()],
            t("seg.col.difference"): [_signed(v) for v in frame["diff"].to_list()],
            t("seg.col.interval", level=_level_text(level)): [
                "–" if lo is None else f"{_signed(lo)} ; {_signed(hi)}"
                for lo, hi in zip(frame["ci_low"].to_list(), frame["ci_high"].to_list())
            ],
            t("seg.col.p_adjusted"): [_p(v) for v in frame["p_adjusted"].to_list()],
            t("seg.col.verdict"): [
                _verdict(d, p, a, b) for d, p in zip(frame["direction"].to_list(), frame["p_adjusted"].to_list())
            ],
        }
    )


def _difference_chart(frame: pl.DataFrame, title: str, key: str):
    """Draws the differences with their intervals; returns the chart (None when nothing is tested)."""
    shown = frame.filter(pl.col("diff").is_not_null())
    if not shown.height:
        return None
    chart_rows = shown.select(
        "label", "diff", "ci_low", "ci_high", pl.col("direction"),
        pl.Series("text", [_signed(v) for v in shown["diff"].to_list()]),
    )
    figure = charts.difference_intervals(chart_rows, title=title, axis_title=t("seg.col.difference"))
    exports.chart(figure, key, title, width="stretch")
    return figure


def compare_request(layout: explore.SurveyLayout, options: dict) -> tuple[FilterSpec, FilterSpec] | None:
    """The compare tab's widgets: None for the reference study, else the two groups."""
    choices = [CMP_REFERENCE] + ([CMP_GROUPS] if layout.dimensions or layout.multi else [])
    url_state.bind("cmp_mode", CMP_REFERENCE, "choice", choices=choices)
    mode = st.radio(t("seg.cmp.mode"), choices, key="cmp_mode", horizontal=True, format_func=fixed(choices, lambda m: t(f"seg.cmp.{m}")))
    if mode != CMP_GROUPS:
        return None
    columns = [*layout.dimensions, *layout.multi]
    url_state.bind("cmp_by", columns[0], "choice", choices=columns)
    by = st.selectbox(t("seg.cmp.by"), columns, key="cmp_by", format_func=fixed(columns, _column_title))
    left, right = st.columns(2)
    values = options[by]
    url_state.bind("cmp_a", [], "choices", choices=values)
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


def _compare(view: explore.PageView, groups: tuple[FilterSpec, FilterSpec] | None, meta: dict) -> export.Section | None:
    result = view.comparison
    if result is None:
        return None
    if result.against_reference:
        a, b = t("series.data"), t("series.reference")
    else:
        a, b = t("seg.cmp.a"), t("seg.cmp.b").split(" (")[0]
    frame = result.rows.with_columns(
        pl.col("key").map_elements(_segment_label, return_dtype=pl.String).alias("label"),
    )
    if view.focus:
        frame = frame.filter(pl.col("key").is_in(view.focus))
    table = _differences_table(frame, t("column.segment"), a, b, view.thresholds.level)
    st.dataframe(table, hide_index=True, width="stretch")
    notes = [
        t("seg.cmp.bases", a=a, b=b, n_a=_number(result.rows_a), e_a=_number(result.n_eff_a, 1),
          n_b="–" if result.rows_b is None else _number(result.rows_b), e_b=_number(result.n_eff_b, 1)),
        t("seg.cmp.tests", level=_level_text(view.thresholds.level), n=result.n_tests),
    ]
    if result.against_reference:
        notes.append(t("seg.cmp.caveat", n=_number(meta.get("published_n"))))
    for note in notes:
        st.caption(note)
    title = t("seg.cmp.chart", a=a, b=b)
    figure = _difference_chart(frame, title, "seg_compare")
    return export.Section(heading=title, chart=figure, table=table, notes=notes)


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


def _channels_figures(view: explore.PageView) -> None:
    result = view.channels
    if result is None:
        return
    level = _level_text(view.thresholds.level)
    buckets = {b: t(f"bucket.{b}") for b in explore.BUCKETS}
    mix = result.mix
    if view.focus:
        mix = mix.filter(pl.col("segment").is_in([*view.focus, explore.ALL]))
    group = [t("seg.ch.all") if k == explore.ALL else _segment_label(k) for k in mix["segment"].to_list()]
    chart_rows = pl.DataFrame(
        {
            "group": group,
            "bucket": [buckets[b] for b in mix["bucket"].to_list()],
            "mean": mix["mean"],
            "ci_low": mix["ci_low"],
            "ci_high": mix["ci_high"],
            "text": [f"{_pct(m, 1)} ({_interval(lo, hi)})" for m, lo, hi in
                     zip(mix["mean"].to_list(), mix["ci_low"].to_list(), mix["ci_high"].to_list())],
        }
    )
    exports.chart(
        charts.channel_mix_chart(chart_rows, title=t("seg.ch.chart"), group_order=list(dict.fromkeys(group)),
                                 bucket_order=list(buckets.values())),
        "seg_channels", t("seg.ch.chart"), width="stretch",
    )
    st.caption(t("seg.ch.caption", level=level))
    table = chart_rows.select(
        pl.col("group").alias(t("column.segment")),
        pl.col("bucket").alias(t("column.channel")),
        pl.col("text").alias(f"{t('seg.col.mean')} ({t('seg.col.interval', level=level)})"),
        pl.Series(t("column.base"), [_number(n) for n in mix["n"].to_list()]),
        pl.Series(t("seg.col.note"), [_flag_text(f) for f in mix["flag"].to_list()]),
    )
    st.dataframe(table, hide_index=True, width="stretch")
    origins = reference(datasets.REFERENCE_ORIGINS)
    st.caption(t("segments.origins_note") + " " + " · ".join(
        f"{buckets[k]} {_pct(v)}" for k, v in zip(origins["key"].to_list(), origins["share"].to_list()) if k in buckets
    ))
    if result.pair is None:
        st.caption(t("seg.ch.same_pair"))
        return
    a, b = (_segment_label(k) for k in result.pair)
    contrast = result.contrast.with_columns(
        pl.col("bucket").replace_strict(buckets).alias("label")
    )
    st.dataframe(
        _differences_table(contrast, t("column.channel"), a, b, view.thresholds.level, value="mean"),
        hide_index=True, width="stretch",
    )
    st.caption(t("seg.ch.tests", n=result.n_tests))
    _difference_chart(contrast, t("seg.cmp.chart", a=a, b=b), "seg_channel_contrast")


def _profile_choice(view_focus: tuple[str, ...]) -> str:
    if len(view_focus) == 1:
        st.caption(t("seg.pr.follows"))
        return view_focus[0]
    url_state.bind("profile", "dissatisfied", "choice", choices=SEGMENT_KEYS)
    return st.selectbox(t("seg.pr.segment"), SEGMENT_KEYS, key="profile", format_func=fixed(SEGMENT_KEYS, _segment_label))


def _profile(view: explore.PageView) -> None:
    result = view.profile
    if result is None:
        return
    name = _segment_label(result.segment)
    buckets = {b: t(f"bucket.{b}") for b in explore.BUCKETS}
    rows = result.rows.with_columns(
        pl.Series("question", [_column_title(d) for d in result.rows["dimension"].to_list()]),
        pl.Series("answer", [buckets.get(k, k) if kind == "channel" else k
                             for kind, k in zip(result.rows["kind"].to_list(), result.rows["key"].to_list())]),
    ).rename({"share": "share_a", "rest": "share_b"})
    st.caption(t("seg.pr.caption", segment=name, n=result.n_tests))
    rest = t("seg.rest")
    table = _differences_table(
        rows.with_columns(pl.col("answer").alias("label")), t("seg.col.answer"), name, rest, view.thresholds.level
    )
    st.dataframe(
        pl.concat([pl.DataFrame({t("seg.col.question"): rows["question"]}), table], how="horizontal"),
        hide_index=True, width="stretch",
    )
    top = rows.filter(pl.col("diff").is_not_null()).head(12).with_columns(
        (pl.col("question") + " · " + pl.col("answer")).alias("label")
    )
    _difference_chart(top, t("seg.pr.chart", segment=name), "seg_profile")
    dims = result.dimensions
    st.markdown(f"**{t('seg.pr.dimensions')}**")
    st.dataframe(
        pl.DataFrame({
            t("seg.col.question"): [_column_title(d) for d in dims["dimension"].to_list()],
            t("seg.col.cramers_v"): [_number(v, 3) for v in dims["cramers_v"].to_list()],
            t("seg.col.test"): [t(f"test.{x}") if x else "–" for x in dims["test"].to_list()],
            t("seg.col.p"): [_p(v) for v in dims["p_value"].to_list()],
        }),
        hide_index=True, width="stretch",
    )


# ---------------------------------------------------------------- page


def render() -> None:
    language = lang()
    dataset = active_dataset("survey")
    try:
        prepared = _prepared(dataset.version, dataset)
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
    focus = _selected_segments()

    # Figures go above the tabs, but the tabs' widgets must run first: the core needs their values.
    count_line = st.empty()
    tabs = _tabs()
    with tabs[1]:
        dimension = _crosstab_dimension(layout)
        crosstab_out = st.container()
    with tabs[2]:
        groups = compare_request(layout, options)
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

    with count_line.container():
        st.markdown(
            "**" + t("filters.count", n=format_number(view.base_rows, language),
                     total=format_number(view.total_rows, language)) + "**"
        )
        if view.empty:
            st.warning(t("filters.empty"), icon=":material/filter_alt_off:")
            return
        segment_rows = _share_frame(view.segments, _segment_label)
        segment_chart = charts.share_bars(
            segment_rows, title=t("segments.chart"), axis_title=t("column.segment"), base_title=t("column.base"),
            colours=(list(SEGMENT_KEYS), [s.colour for s in SEGMENTS]), selectable=True, selected=focus,
        )
        exports.chart(
            segment_chart, "seg_shares", t("segments.chart"),
            width="stretch", key=CHART_KEY, on_select="rerun", selection_mode=charts.SEGMENT_SELECTION,
        )
        st.caption(t("segments.chart_help"))
        count = t("filters.count", n=format_number(view.base_rows, language), total=format_number(view.total_rows, language))
        design = _design_caption(view, dataset.schema.weight)
        segment_table = _segment_table(segment_rows, thresholds.level)
        focus_text = ", ".join(_segment_label(k) for k in focus) if focus else t("segments.all")
        if focus:
            st.info(t("seg.focus_on", segments=focus_text), icon=":material/filter_center_focus:")
        downloads = st.container()

    with tabs[0]:
        _breakdown(view, focus_text)
    with crosstab_out:
        crosstab_section = _crosstab(view)
    with compare_out:
        compare_section = _compare(view, groups, meta)
    with channels_out:
        _channels_figures(view)
    with profile_out:
        _profile(view)
    shares = export.Section(heading=t("segments.chart"), chart=segment_chart, table=segment_table, notes=[count, design])
    _downloads(downloads, dataset, spec, view, [shares, crosstab_section, compare_section])


if __name__ == "__main__":  # Streamlit runs a page file as __main__
    render()

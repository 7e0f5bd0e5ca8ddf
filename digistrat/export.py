"""Exports of the current view: data (CSV, French-Excel CSV, .xlsx), charts (PNG, SVG) and a
one-page report (self-contained HTML, and PDF when WeasyPrint is installed).

Spreadsheet safety: in a CSV file, text starting with = + - @ tab or carriage return would be run
as a formula by Excel / LibreOffice; such cells (and column names) get a leading single quote, the
OWASP "CSV injection" recommendation. An .xlsx workbook stores such text as a text cell, which a
spreadsheet never evaluates, so it is kept as it is, without the quote. Number columns are never
touched: -3 stays the number -3.
"""

from __future__ import annotations

import copy
import html
import io
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

import altair as alt
import polars as pl

from digistrat.datasets import provenance
from digistrat.errors import InputError
from digistrat.messages import message
from digistrat.i18n import catalog_keys, chart_locale, format_date, format_number, label
from digistrat.present import source_lines

# Any Altair top-level chart (single, layered, concatenated, faceted), or its finished
# Vega-Lite spec (`digistrat.charts.spec`).
Chart = alt.TopLevelMixin | dict[str, Any]

FORMULA_START = r"^[=+\-@\t\r]"
XLSX_MAX_ROWS = 1_048_575  # Excel's 1,048,576 rows, one of them the header
VEGA_LITE_VERSION = "6.4"  # the schema Altair 6 writes
_CHART_LOCALES = {"fr": "fr-FR", "en": "en-US"}

METHODS = (
    "weighted_share",
    "kish",
    "wilson",
    "clopper_pearson",
    "bases",
    "difference",
    "multiple",
    "crosstab",
    "published",
    "illustrative",
    "channels",
)


# ---------------------------------------------------------------------- data


def neutralise(frame: pl.DataFrame | pl.LazyFrame) -> pl.DataFrame:
    """Text cells and column names that a spreadsheet would run as a formula, prefixed with '."""
    lazy = frame.lazy()
    schema = lazy.collect_schema()
    text_columns = [
        name for name, dtype in schema.items() if dtype in (pl.String, pl.Categorical) or isinstance(dtype, pl.Enum)
    ]
    guarded = lazy.with_columns(
        pl.when(pl.col(name).cast(pl.String).str.contains(FORMULA_START))
        .then(pl.lit("'") + pl.col(name).cast(pl.String))
        .otherwise(pl.col(name).cast(pl.String))
        .alias(name)
        for name in text_columns
    )
    renames = {name: f"'{name}" for name in schema.names() if re.match(FORMULA_START, name)}
    return guarded.rename(renames).collect()


def to_csv(frame: pl.DataFrame | pl.LazyFrame, *, french: bool = False) -> bytes:
    """UTF-8 CSV; `french`: the variant French Excel opens right (; decimal comma, BOM, CRLF)."""
    safe = neutralise(frame)
    buffer = io.BytesIO()
    if french:
        safe.write_csv(
            buffer,
            separator=";",
            decimal_comma=True,
            include_bom=True,
            line_terminator="\r\n",
            float_scientific=False,
        )
    else:
        safe.write_csv(buffer)
    return buffer.getvalue()


def to_xlsx(frame: pl.DataFrame | pl.LazyFrame, *, sheet: str = "data") -> bytes:
    """An .xlsx workbook with one sheet: every text a text cell, as written (never a formula or a
    link, so no quote is needed), numbers and dates typed."""
    data = frame.lazy().collect()
    if data.height > XLSX_MAX_ROWS:
        raise InputError(message("input.xlsx_too_big", rows=data.height, limit=XLSX_MAX_ROWS))
    buffer = io.BytesIO()
    import xlsxwriter  # only when a workbook is asked for

    # xlsxwriter would turn text starting with = into a formula and URLs into links.
    workbook = xlsxwriter.Workbook(buffer, {"strings_to_formulas": False, "strings_to_urls": False, "in_memory": True})
    # float_precision only sets the displayed decimals; cells keep the full value.
    data.write_excel(workbook, worksheet=sheet[:31], autofilter=True, float_precision=2)
    workbook.close()
    return buffer.getvalue()


# ---------------------------------------------------------------------- charts


def _spec(chart: Chart) -> dict[str, Any]:
    return chart if isinstance(chart, dict) else chart.to_dict()


def _convert_options(lang: str | None) -> dict[str, Any]:
    # No data URLs: a chart renders its inline data only, nothing is fetched.
    options: dict[str, Any] = {"vl_version": VEGA_LITE_VERSION, "allowed_base_urls": []}
    if lang in _CHART_LOCALES:
        locale = chart_locale(lang)
        options["format_locale"] = locale["number"]
        options["time_format_locale"] = locale["time"]
    return options


def chart_png(chart: Chart, scale: float = 2, *, lang: str | None = None) -> bytes:
    """The chart as a PNG, `scale` pixels per chart pixel, rendered on the server."""
    import vl_convert as vlc  # only when a chart is exported: most views never are

    return vlc.vegalite_to_png(_spec(chart), scale=scale, **_convert_options(lang))


def chart_svg(chart: Chart, *, lang: str | None = None) -> str:
    """The chart as a standalone SVG document (text kept as text, so titles are searchable)."""
    import vl_convert as vlc

    return vlc.vegalite_to_svg(_spec(chart), **_convert_options(lang))


# ---------------------------------------------------------------------- report


@dataclass(frozen=True)
class Section:
    """One figure of the report: a chart and/or the table behind it (bases, intervals…).

    `chart`: an Altair chart, its Vega-Lite spec, or a function making either (made only when
    the report is). Its own title is left out on paper: `heading` says it."""

    heading: str
    chart: Any = None
    table: pl.DataFrame | None = None  # column names as the reader should see them
    notes: Sequence[str] = ()
    # One of several small charts laid out side by side (a breakdown); on one page its figures
    # are the chart's own labels, its table comes in the full report.
    small: bool = False


@dataclass(frozen=True)
class Report:
    """What the current view shows, in the page's language.

    filters: (what, value) pairs already in words; lines: what the page says under its title
    (the count, the weighting); sources: provenance keys (datasets.provenance()) or a plain
    description such as an uploaded file's name; methods: names from METHODS (explained from
    the catalog) or plain sentences. `full`: every section on as many pages as it takes;
    otherwise the view on one A4 page.
    """

    title: str
    lang: str
    filters: Sequence[tuple[str, str]] = ()
    sections: Sequence[Section] = ()
    sources: Sequence[str] = ()
    methods: Sequence[str] = ()
    created: datetime = field(default_factory=lambda: datetime.now(UTC))
    lines: Sequence[str] = ()
    full: bool = False


@dataclass(frozen=True)
class Layout:
    """How a report sits on A4: orientation, base font size (pt) and the zoom of its charts
    (1: their text at 11 px, as on screen; less: the whole drawing smaller, text included)."""

    landscape: bool = False
    font_pt: float = 10
    chart_scale: float = 1.0
    tight: bool = False  # closer lines and table cells

    @property
    def content_px(self) -> float:
        """Width inside the margins, in CSS pixels (96 per inch)."""
        millimetres = (297 if self.landscape else 210) - 2 * MARGIN_MM
        return millimetres / 25.4 * 96

    @property
    def small_columns(self) -> int:
        return 3 if self.landscape else 2


MARGIN_MM = 11
# Tried in turn until the view fits on one page: larger type and charts first, portrait before
# landscape unless the view is wide. The last one is used even if it does not fit.
# Sizes a one-page report may take, largest first: (font in pt, chart zoom, tight).
SIZES = (
    (10, 1.0, False), (9, 0.9, False), (8.5, 0.82, False), (8, 0.76, False), (7.5, 0.7, False),
    (7.5, 0.7, True), (7, 0.64, True), (6.5, 0.6, True),
)
WIDE_COLUMNS = 6  # a table with more columns than this wants landscape paper
PAPER_FONT = "DejaVu Sans"  # charts measured and drawn with the page's own font: labels stay whole

_CSS = """
@page { size: A4 %(orientation)s; margin: %(margin)smm; }
body { font-family: "DejaVu Sans", "Helvetica Neue", Arial, sans-serif; color: #111827;
       font-size: %(font)spt; line-height: %(line)s; margin: 0 auto; max-width: %(max_width)spx; }
@media screen { body { margin: 1.5em auto; padding: 0 1em; } }
h1 { font-size: 1.45em; margin: 0 0 .15em; }
h2 { font-size: 1.1em; border-bottom: 1px solid #cbd5e1; padding-bottom: .1em; margin: .8em 0 .3em; }
h3 { font-size: 1em; margin: .5em 0 .2em; }
p { margin: .2em 0; }
.date, .lines { color: #374151; margin: 0 0 .3em; }
.figure { break-inside: avoid; }
table.beside { border-collapse: collapse; margin: 0; width: 100%%; }
table.beside > tbody > tr > td { border: 0; padding: 0 1.2em 0 0; vertical-align: top; }
table.beside > tbody > tr > td:first-child { width: 1%%; }
.small { display: flex; flex-wrap: wrap; gap: .2em 1em; }
.small section { width: %(small_width)spx; break-inside: avoid; }
.small h2 { font-size: .95em; }
figure { margin: .2em 0; }
table { border-collapse: collapse; margin: .2em 0; font-size: .9em; break-inside: avoid; }
th, td { border: 1px solid #cbd5e1; padding: %(cell)s; vertical-align: top; }
th { background: #f1f5f9; text-align: left; }
td.number { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
dl.filters { margin: 0; }
dl.filters div { display: inline; }
dl.filters div + div::before { content: " · "; }
dl.filters dt { display: inline; font-weight: bold; }
dl.filters dt::after { content: "%(colon)s"; }
dl.filters dd { display: inline; margin: 0 0 0 .3em; }
ul { margin: .15em 0; padding-left: 1.2em; }
.notes, .caveats { color: #1f2937; font-size: .88em; }
.sources, .methods { color: #1f2937; font-size: .85em; }
.methods ul { columns: %(method_columns)s; column-gap: 1.5em; }
footer { margin-top: .8em; color: #374151; font-size: .8em; }
"""


def _css(layout: Layout, lang: str) -> str:
    return _CSS % {
        "orientation": "landscape" if layout.landscape else "portrait",
        "margin": MARGIN_MM,
        "font": layout.font_pt,
        "max_width": round(layout.content_px),
        "colon": "\u00a0:" if lang == "fr" else ":",
        "small_width": round(layout.content_px / layout.small_columns - 16),
        "method_columns": 3 if layout.landscape else 2,
        "line": 1.15 if layout.tight else 1.3,
        "cell": ".02em .3em" if layout.tight else ".12em .4em",
    }


def render_html(report: Report, layout: Layout | None = None) -> str:
    """The report as one self-contained HTML page (inline CSS, charts as inline SVG) laid out
    for A4 `layout` (default: the first one-page layout the view wants)."""
    layout = layout or _first_layout(report)
    lang = report.lang
    parts = [
        f'<!DOCTYPE html>\n<html lang="{_e(lang)}">\n<head>\n<meta charset="utf-8">',
        f"<title>{_e(report.title)}</title>\n<style>{_css(layout, lang)}</style>\n</head>\n<body>",
        f"<h1>{_e(report.title)}</h1>",
        f'<p class="date">{_e(label("report.created", lang, date=_when(report.created, lang)))}</p>',
    ]
    parts.extend(f'<p class="lines">{_e(line)}</p>' for line in report.lines)
    parts.append(f"<h2>{_e(label('report.filters', lang))}</h2>")
    parts.append(_filters_html(report.filters, lang))
    small: list[str] = []
    for number, section in enumerate(report.sections):
        if section.small and not report.full:
            small.append(_section_html(section, number, lang, layout))
            continue
        if small:
            parts.append('<div class="small">' + "\n".join(small) + "</div>")
            small = []
        parts.append(_section_html(section, number, lang, layout, with_table=True))
    if small:
        parts.append('<div class="small">' + "\n".join(small) + "</div>")
    parts.append(f'<section class="sources"><h2>{_e(label("report.sources", lang))}</h2>')
    parts.extend(_source_html(source, lang) for source in report.sources)
    parts.append("</section>")
    if report.methods:
        parts.append(f'<section class="methods"><h2>{_e(label("report.methods", lang))}</h2>\n<ul>')
        parts.extend(f"<li>{_e(_method_text(method, lang))}</li>" for method in report.methods)
        parts.append("</ul></section>")
    parts.append(f"<footer>{_e(label('report.footer', lang))}</footer>\n</body>\n</html>\n")
    return "\n".join(parts)


def render_pdf(report: Report) -> bytes:
    """The report as an A4 PDF through WeasyPrint: one page for a view (the first layout that
    fits), as many as it takes when `full`; InputError if WeasyPrint is not installed."""
    try:
        import weasyprint
    except (ImportError, OSError) as error:  # OSError: the Pango library is missing
        raise InputError(message("input.no_pdf")) from error
    report = replace(report, sections=[replace(section, chart=_specified(section.chart)) for section in report.sections])
    if report.full:
        return weasyprint.HTML(string=render_html(report, _first_layout(report))).write_pdf()

    def document(version: Report, layout: Layout):
        return weasyprint.HTML(string=render_html(version, layout)).render()

    # A view too long for one page keeps its tables: the charts whose figures a table beside
    # them holds are left out last.
    tables_only = replace(report, sections=[
        replace(section, chart=None) if section.table is not None and not section.small else section
        for section in report.sections
    ])
    last = None
    for version in (report, tables_only):
        best = None  # (size level, rendered document)
        for layout in _orientations(version):
            # The larger type wins; between equals, the orientation the view prefers (tried
            # first): the other is searched only among larger sizes, and not at all after the largest.
            found = _largest_fitting(version, layout, document, len(SIZES) if best is None else best[0])
            best = found or best
            if best is not None and best[0] == 0:
                break
        if best is not None:
            return best[1].write_pdf()
        last = document(version, _sized(_orientations(version)[0], len(SIZES) - 1))
    return last.write_pdf()


def _wide(report: Report) -> bool:
    return any(s.table is not None and len(s.table.columns) > WIDE_COLUMNS for s in report.sections)


def _orientations(report: Report) -> tuple[Layout, Layout]:
    """Portrait and landscape, the one the view prefers first (a wide table: landscape)."""
    return (Layout(landscape=True), Layout()) if _wide(report) else (Layout(), Layout(landscape=True))


def _sized(layout: Layout, level: int) -> Layout:
    font, zoom, tight = SIZES[level]
    return replace(layout, font_pt=font, chart_scale=zoom, tight=tight)


def _largest_fitting(report: Report, orientation: Layout, document, limit: int) -> tuple[int, Any] | None:
    """(size level, rendered document) of the largest size, among the levels below `limit`,
    that puts `report` on one page in this orientation; None if none does: a binary search,
    the page count growing with the size."""
    low, high, found = 0, limit - 1, None
    while low <= high:
        middle = (low + high) // 2
        drawn = document(report, _sized(orientation, middle))
        if len(drawn.pages) == 1:
            found, high = (middle, drawn), middle - 1
        else:
            low = middle + 1
    return found


def _first_layout(report: Report) -> Layout:
    return _sized(_orientations(report)[0], 0)


def _specified(chart: Any) -> Any:
    """A section's chart as its Vega-Lite spec, made once for every layout tried."""
    chart = chart() if callable(chart) else chart
    return None if chart is None else _spec(chart)


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def _when(moment: datetime, lang: str) -> str:
    utc = moment.astimezone(UTC)
    return f"{format_date(utc.date(), lang)}, {utc:%H:%M} UTC"


def _filters_html(filters: Sequence[tuple[str, str]], lang: str) -> str:
    if not filters:
        return f"<p>{_e(label('report.no_filters', lang))}</p>"
    rows = "".join(f"<div><dt>{_e(what)}</dt><dd>{_e(value)}</dd></div>" for what, value in filters)
    return f'<dl class="filters">{rows}</dl>'


NARROW_COLUMNS = 5  # a table this narrow sits beside its chart on portrait paper too


def _section_html(section: Section, number: int, lang: str, layout: Layout, with_table: bool = False) -> str:
    chart = section.chart() if callable(section.chart) else section.chart
    table = section.table if with_table else None
    beside = chart is not None and table is not None and (
        layout.landscape or len(table.columns) <= NARROW_COLUMNS
    )
    parts = [f"<section>\n<h2>{_e(section.heading)}</h2>", '<div class="figure">']
    figure = ""
    if chart is not None:
        if not with_table:
            width = layout.content_px / layout.small_columns - 16
        elif beside:
            width = layout.content_px * (0.45 if layout.landscape else 0.5)
        else:
            width = layout.content_px * 0.75
        svg = paper_svg(chart, width / layout.chart_scale, lang)
        figure = f"<figure>{_inline_svg(svg, f'c{number}-', section.heading, width, layout.chart_scale)}</figure>"
    rows = _table_html(table, section.heading, lang) if table is not None else ""
    if beside:  # a layout table: paged media lays it out more surely than flex or grid
        parts.append(f'<table class="beside" role="presentation"><tr><td>{figure}</td><td>{rows}</td></tr></table>')
    else:
        parts.append(figure + rows)
    parts.append("</div>")
    if section.notes:
        notes = "".join(f"<li>{_e(note)}</li>" for note in section.notes)
        parts.append(f'<ul class="notes">{notes}</ul>')
    parts.append("</section>")
    return "\n".join(parts)


def paper_spec(chart: Chart, plot_width: float) -> dict[str, Any]:
    """A chart's spec for paper: without its own title (the section heading says it), drawn in
    the page's font, its plot `plot_width` pixels wide (unless it sets a width per column)."""
    spec = copy.deepcopy(_spec(chart))
    spec.pop("title", None)
    spec.setdefault("config", {})["font"] = PAPER_FONT
    # Room around the plot for text drawn a little wider than vl-convert measured it.
    spec["padding"] = {"left": 14, "right": 14, "top": 4, "bottom": 4}
    if not isinstance(spec.get("width"), dict):  # a width per column (heatmap) keeps its labels apart
        spec["width"] = max(120, round(plot_width))
    return spec


def paper_svg(chart: Chart, width: float, lang: str) -> str:
    """The chart as SVG about `width` pixels wide in all: its plot is what is left once its
    labels and legend have their room (measured once per chart and language)."""
    spec = _spec(chart)
    room = _label_room(json.dumps(spec, sort_keys=True, default=str), lang)
    return chart_svg(paper_spec(spec, width - room), lang=lang)


@lru_cache(maxsize=64)
def _label_room(spec: str, lang: str) -> float:
    """How much wider than its plot a chart is drawn (axis labels, legend, padding)."""
    reference = 300
    drawn = _svg_width(chart_svg(paper_spec(json.loads(spec), reference), lang=lang))
    return 0.0 if drawn is None else drawn - reference


def _svg_width(svg: str) -> float | None:
    size = re.search(r'<svg[^>]*?\bwidth="([\d.]+)"', svg)
    return float(size[1]) if size else None


def _inline_svg(svg: str, prefix: str, name: str, max_width: float, zoom: float = 1.0) -> str:
    """An SVG document made safe to sit beside others in one page: ids made unique, named,
    drawn at `zoom` and never wider than `max_width` pixels (its viewBox keeps every label whole)."""
    svg = re.sub(r"<\?xml[^>]*\?>\s*", "", svg)
    svg = re.sub(r'\bid="([^"]+)"', lambda m: f'id="{prefix}{m[1]}"', svg)
    svg = re.sub(r"url\(#([^)]+)\)", lambda m: f"url(#{prefix}{m[1]})", svg)
    svg = re.sub(r'href="#([^"]+)"', lambda m: f'href="#{prefix}{m[1]}"', svg)
    size = re.match(r'<svg[^>]*?\bwidth="([\d.]+)"[^>]*?\bheight="([\d.]+)"', svg)
    if size:
        width, height = float(size[1]), float(size[2])
        factor = min(zoom, max_width / width)
        if factor != 1:
            scaled = f'width="{width * factor:.0f}" height="{height * factor:.0f}"'
            svg = re.sub(r'\bwidth="[\d.]+" height="[\d.]+"', scaled, svg, count=1)
    return svg.replace("<svg ", f'<svg role="img" aria-label="{_e(name)}" ', 1)


def _table_html(table: pl.DataFrame, caption: str, lang: str) -> str:
    numeric = {name for name, dtype in table.schema.items() if dtype.is_numeric()}
    head = "".join(f'<th scope="col">{_e(name)}</th>' for name in table.columns)
    body = []
    for row in table.iter_rows():  # a report table has tens of rows
        cells = "".join(
            f'<td class="number">{_e(_number(value, lang))}</td>' if name in numeric else f"<td>{_e(_text(value))}</td>"
            for name, value in zip(table.columns, row, strict=True)
        )
        body.append(f"<tr>{cells}</tr>")
    return (
        f'<table aria-label="{_e(caption)}"><thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(body)}</tbody></table>"
    )


def _number(value: float | int | None, lang: str) -> str:
    if value is None:
        return "–"
    if isinstance(value, int):
        return format_number(value, lang)
    text = format_number(value, lang, 2)
    mark = "," if lang == "fr" else "."
    return text.rstrip("0").rstrip(mark) if mark in text else text


def _text(value: object) -> str:
    return "–" if value is None else str(value)


def _method_text(method: str, lang: str) -> str:
    key = f"report.method.{method}"
    return label(key, lang) if key in catalog_keys() else method


def _source_html(source: str, lang: str) -> str:
    meta = provenance()["datasets"].get(source)
    if meta is None:
        return f"<p>{_e(source)}</p>"
    lines = source_lines(meta, lang)
    if meta.get("kind") == "illustrative":
        lines.append(label("report.illustrative", lang))
    caveats = " ".join(meta.get("caveats", {}).get(lang, []))
    parts = [f"<h3>{_e(meta['title'][lang])}</h3>", "<p>" + " · ".join(_e(x) for x in lines) + "</p>"]
    if caveats:
        colon = "\u00a0:" if lang == "fr" else ":"
        parts.append(f'<p class="caveats"><strong>{_e(label("source.caveats", lang))}{colon}</strong> {_e(caveats)}</p>')
    return "\n".join(parts)

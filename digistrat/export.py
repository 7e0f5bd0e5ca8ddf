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
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import altair as alt
import polars as pl
import vl_convert as vlc
import xlsxwriter

from digistrat.datasets import provenance
from digistrat.errors import InputError
from digistrat.i18n import catalog_keys, chart_locale, format_date, format_number, label
from digistrat.present import source_lines

# Any Altair top-level chart (single, layered, concatenated, faceted).
Chart = alt.TopLevelMixin

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
        raise InputError(
            f"The filtered data has {data.height:,} rows but an Excel sheet holds at most "
            f"{XLSX_MAX_ROWS:,}: narrow the filters, or download the CSV instead."
        )
    buffer = io.BytesIO()
    # xlsxwriter would turn text starting with = into a formula and URLs into links.
    workbook = xlsxwriter.Workbook(buffer, {"strings_to_formulas": False, "strings_to_urls": False, "in_memory": True})
    # float_precision only sets the displayed decimals; cells keep the full value.
    data.write_excel(workbook, worksheet=sheet[:31], autofilter=True, float_precision=2)
    workbook.close()
    return buffer.getvalue()


# ---------------------------------------------------------------------- charts


def _spec(chart: Chart | dict[str, Any]) -> dict[str, Any]:
    return chart if isinstance(chart, dict) else chart.to_dict()


def _convert_options(lang: str | None) -> dict[str, Any]:
    # No data URLs: a chart renders its inline data only, nothing is fetched.
    options: dict[str, Any] = {"vl_version": VEGA_LITE_VERSION, "allowed_base_urls": []}
    if lang in _CHART_LOCALES:
        locale = chart_locale(lang)
        options["format_locale"] = locale["number"]
        options["time_format_locale"] = locale["time"]
    return options


def chart_png(chart: Chart | dict[str, Any], scale: float = 2, *, lang: str | None = None) -> bytes:
    """The chart as a PNG, `scale` pixels per chart pixel, rendered on the server."""
    return vlc.vegalite_to_png(_spec(chart), scale=scale, **_convert_options(lang))


def chart_svg(chart: Chart | dict[str, Any], *, lang: str | None = None) -> str:
    """The chart as a standalone SVG document (text kept as text, so titles are searchable)."""
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
    """How a report sits on A4: orientation, base font size (pt) and chart scale."""

    landscape: bool = False
    font_pt: float = 10
    chart_scale: float = 1.0

    @property
    def content_px(self) -> float:
        """Width inside the margins, in CSS pixels (96 per inch)."""
        millimetres = (297 if self.landscape else 210) - 2 * MARGIN_MM
        return millimetres / 25.4 * 96


MARGIN_MM = 11
# Tried in turn until the view fits on one page: portrait first, landscape when the view is
# wide; then smaller type and charts. The last one is used even if it does not fit.
ONE_PAGE_LAYOUTS = tuple(
    Layout(landscape, font, scale)
    for font, scale in ((10, 1.0), (9, 0.85), (8, 0.75), (7.5, 0.62), (7, 0.52))
    for landscape in (False, True)
)
WIDE_COLUMNS = 6  # a table with more columns than this wants landscape paper

_CSS = """
@page { size: A4 %(orientation)s; margin: %(margin)smm; }
body { font-family: "DejaVu Sans", "Helvetica Neue", Arial, sans-serif; color: #111827;
       font-size: %(font)spt; line-height: 1.3; margin: 0 auto; max-width: %(max_width)spx; }
@media screen { body { margin: 1.5em auto; padding: 0 1em; } }
h1 { font-size: 1.45em; margin: 0 0 .15em; }
h2 { font-size: 1.1em; border-bottom: 1px solid #cbd5e1; padding-bottom: .1em; margin: .8em 0 .3em; }
h3 { font-size: 1em; margin: .5em 0 .2em; }
p { margin: .2em 0; }
.date, .lines { color: #374151; margin: 0 0 .3em; }
.figure { display: flex; flex-wrap: wrap; gap: 0 1.2em; align-items: flex-start; break-inside: avoid; }
figure { margin: .2em 0; }
table { border-collapse: collapse; margin: .2em 0; font-size: .9em; break-inside: avoid; }
th, td { border: 1px solid #cbd5e1; padding: .12em .4em; vertical-align: top; }
th { background: #f1f5f9; text-align: left; }
td.number { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
dl.filters { display: flex; flex-wrap: wrap; gap: 0 1.2em; margin: 0; }
dl.filters div { display: flex; gap: .35em; }
dl.filters dt { font-weight: bold; }
dl.filters dt::after { content: "%(colon)s"; }
dl.filters dd { margin: 0; }
ul { margin: .15em 0; padding-left: 1.2em; }
.notes, .caveats, .sources, .methods { color: #1f2937; font-size: .88em; }
.methods ul { columns: 2; column-gap: 1.5em; }
footer { margin-top: .8em; color: #374151; font-size: .8em; }
"""


def _css(layout: Layout, lang: str) -> str:
    return _CSS % {
        "orientation": "landscape" if layout.landscape else "portrait",
        "margin": MARGIN_MM,
        "font": layout.font_pt,
        "max_width": round(layout.content_px),
        "colon": "\u00a0:" if lang == "fr" else ":",
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
    for number, section in enumerate(report.sections):
        parts.append(_section_html(section, number, lang, layout))
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
        raise InputError(
            "PDF export needs WeasyPrint and the Pango library on the server: download the HTML "
            "report and print it to PDF from the browser instead."
        ) from error
    if report.full:
        return weasyprint.HTML(string=render_html(report, _first_layout(report))).write_pdf()
    document = None
    for layout in _layouts(report):
        document = weasyprint.HTML(string=render_html(report, layout)).render()
        if len(document.pages) == 1:
            break
    return document.write_pdf()


def _wide(report: Report) -> bool:
    return any(s.table is not None and len(s.table.columns) > WIDE_COLUMNS for s in report.sections)


def _layouts(report: Report) -> tuple[Layout, ...]:
    if _wide(report):  # a wide table reads best across the page: landscape first
        return tuple(sorted(ONE_PAGE_LAYOUTS, key=lambda layout: (not layout.landscape, -layout.font_pt)))
    return ONE_PAGE_LAYOUTS


def _first_layout(report: Report) -> Layout:
    return Layout(landscape=_wide(report)) if report.full else _layouts(report)[0]


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


def _section_html(section: Section, number: int, lang: str, layout: Layout) -> str:
    parts = [f"<section>\n<h2>{_e(section.heading)}</h2>", '<div class="figure">']
    chart = section.chart() if callable(section.chart) else section.chart
    if chart is not None:
        # Beside its table on landscape paper, above it on portrait.
        width = layout.content_px * (0.55 if layout.landscape and section.table is not None else 1.0)
        svg = chart_svg(paper_spec(chart, width * layout.chart_scale), lang=lang)
        parts.append(f"<figure>{_inline_svg(svg, f'c{number}-', section.heading, width)}</figure>")
    if section.table is not None:
        parts.append(_table_html(section.table, section.heading, lang))
    parts.append("</div>")
    if section.notes:
        notes = "".join(f"<li>{_e(note)}</li>" for note in section.notes)
        parts.append(f'<ul class="notes">{notes}</ul>')
    parts.append("</section>")
    return "\n".join(parts)


def paper_spec(chart: Chart | dict[str, Any], width_px: float) -> dict[str, Any]:
    """A chart's spec for paper: without its own title (the section heading says it), its plot
    `width_px` wide at most (less the room its axis labels take), unless it sets a step width."""
    spec = copy.deepcopy(_spec(chart))
    spec.pop("title", None)
    if not isinstance(spec.get("width"), dict):  # a step width (heatmap columns) keeps its own
        spec["width"] = max(160, round(width_px * 0.58))
    return spec


def _inline_svg(svg: str, prefix: str, name: str, max_width: float) -> str:
    """An SVG document made safe to sit beside others in one page: ids made unique, named,
    scaled down to `max_width` pixels when wider (its viewBox keeps every label whole)."""
    svg = re.sub(r"<\?xml[^>]*\?>\s*", "", svg)
    svg = re.sub(r'\bid="([^"]+)"', lambda m: f'id="{prefix}{m[1]}"', svg)
    svg = re.sub(r"url\(#([^)]+)\)", lambda m: f"url(#{prefix}{m[1]})", svg)
    svg = re.sub(r'href="#([^"]+)"', lambda m: f'href="#{prefix}{m[1]}"', svg)
    size = re.match(r'<svg[^>]*?\bwidth="([\d.]+)"[^>]*?\bheight="([\d.]+)"', svg)
    if size and float(size[1]) > max_width:
        width, height = float(size[1]), float(size[2])
        scaled = f'width="{max_width:.0f}" height="{height * max_width / width:.0f}"'
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
    caveats = "; ".join(meta.get("caveats", {}).get(lang, []))
    parts = [f"<h3>{_e(meta['title'][lang])}</h3>", "<p>" + " · ".join(_e(x) for x in lines) + "</p>"]
    if caveats:
        colon = "\u00a0:" if lang == "fr" else ":"
        parts.append(f'<p class="caveats"><strong>{_e(label("source.caveats", lang))}{colon}</strong> {_e(caveats)}</p>')
    return "\n".join(parts)

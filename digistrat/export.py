"""Exports of the current view: data (CSV, French-Excel CSV, .xlsx), charts (PNG, SVG) and a
one-page report (self-contained HTML, and PDF when WeasyPrint is installed).

Spreadsheet safety: in a CSV file, text starting with = + - @ tab or carriage return would be run
as a formula by Excel / LibreOffice; such cells (and column names) get a leading single quote, the
OWASP "CSV injection" recommendation. An .xlsx workbook stores such text as a text cell, which a
spreadsheet never evaluates, so it is kept as it is, without the quote. Number columns are never
touched: -3 stays the number -3.
"""

from __future__ import annotations

import html
import io
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import altair as alt
import polars as pl

from digistrat.datasets import provenance
from digistrat.errors import InputError
from digistrat.messages import message
from digistrat.i18n import catalog_keys, format_number, label

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
        options["format_locale"] = _CHART_LOCALES[lang]
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
    """One figure of the report: a chart and/or the table behind it (bases, intervals…)."""

    heading: str
    chart: Chart | Callable[[], Chart] | None = None  # a function: the chart is made when the report is
    table: pl.DataFrame | None = None  # column names as the reader should see them
    notes: Sequence[str] = ()

    def figure(self) -> Chart | None:
        return self.chart() if callable(self.chart) else self.chart


@dataclass(frozen=True)
class Report:
    """What the current view shows, in the page's language.

    filters: (what, value) pairs already in words; sources: provenance keys
    (datasets.provenance()) or a plain description such as an uploaded file's name;
    methods: names from METHODS (explained from the catalog) or plain sentences.
    """

    title: str
    lang: str
    filters: Sequence[tuple[str, str]] = ()
    sections: Sequence[Section] = ()
    sources: Sequence[str] = ()
    methods: Sequence[str] = ()
    created: datetime = field(default_factory=lambda: datetime.now(UTC))


_CSS = """
@page { size: A4; margin: 14mm; }
body { font-family: "DejaVu Sans", "Helvetica Neue", Arial, sans-serif; color: #1d1d1d;
       max-width: 820px; margin: 1.5em auto; padding: 0 1em; font-size: 11pt; line-height: 1.4; }
h1 { font-size: 1.5em; margin: 0 0 .2em; }
h2 { font-size: 1.15em; border-bottom: 1px solid #ccc; padding-bottom: .15em; margin-top: 1.3em; }
h3 { font-size: 1em; margin: 1em 0 .3em; }
.date { color: #555; margin: 0 0 1em; }
figure { margin: .5em 0; break-inside: avoid; }
figure svg { max-width: 100%; height: auto; }
table { border-collapse: collapse; margin: .4em 0; font-size: .92em; break-inside: avoid; }
th, td { border: 1px solid #d0d0d0; padding: .2em .5em; }
th { background: #f2f2f2; text-align: left; }
td.number { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
dl.filters { display: grid; grid-template-columns: max-content auto; gap: .1em 1em; margin: 0; }
dl.filters dt { font-weight: bold; }
dl.filters dd { margin: 0; }
.notes, .caveats { color: #444; font-size: .92em; }
footer { margin-top: 2em; color: #777; font-size: .85em; }
"""


def render_html(report: Report) -> str:
    """The report as one self-contained HTML page (inline CSS, charts as inline SVG)."""
    lang = report.lang
    parts = [
        f'<!DOCTYPE html>\n<html lang="{_e(lang)}">\n<head>\n<meta charset="utf-8">',
        f"<title>{_e(report.title)}</title>\n<style>{_CSS}</style>\n</head>\n<body>",
        f"<h1>{_e(report.title)}</h1>",
        f'<p class="date">{_e(label("report.created", lang, date=_when(report.created)))}</p>',
        f"<h2>{_e(label('report.filters', lang))}</h2>",
        _filters_html(report.filters, lang),
    ]
    for number, section in enumerate(report.sections):
        parts.append(_section_html(section, number, lang))
    parts.append(f"<h2>{_e(label('report.sources', lang))}</h2>")
    parts.extend(_source_html(source, lang) for source in report.sources)
    if report.methods:
        parts.append(f"<h2>{_e(label('report.methods', lang))}</h2>\n<ul>")
        parts.extend(f"<li>{_e(_method_text(method, lang))}</li>" for method in report.methods)
        parts.append("</ul>")
    parts.append(f"<footer>{_e(label('report.footer', lang))}</footer>\n</body>\n</html>\n")
    return "\n".join(parts)


def render_pdf(report: Report) -> bytes:
    """The same page as a PDF (A4), through WeasyPrint; InputError if it is not installed."""
    try:
        import weasyprint
    except (ImportError, OSError) as error:  # OSError: the Pango library is missing
        raise InputError(message("input.no_pdf")) from error
    return weasyprint.HTML(string=render_html(report)).write_pdf()


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def _when(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def _filters_html(filters: Sequence[tuple[str, str]], lang: str) -> str:
    if not filters:
        return f"<p>{_e(label('report.no_filters', lang))}</p>"
    rows = "".join(f"<dt>{_e(what)}</dt><dd>{_e(value)}</dd>" for what, value in filters)
    return f'<dl class="filters">{rows}</dl>'


def _section_html(section: Section, number: int, lang: str) -> str:
    parts = [f"<section>\n<h2>{_e(section.heading)}</h2>"]
    chart = section.figure()
    if chart is not None:
        svg = _inline_svg(chart_svg(chart, lang=lang), f"c{number}-", section.heading)
        parts.append(f"<figure>{svg}</figure>")
    if section.table is not None:
        parts.append(_table_html(section.table, section.heading, lang))
    if section.notes:
        notes = "".join(f"<li>{_e(note)}</li>" for note in section.notes)
        parts.append(f'<ul class="notes">{notes}</ul>')
    parts.append("</section>")
    return "\n".join(parts)


def _inline_svg(svg: str, prefix: str, name: str) -> str:
    """An SVG document made safe to sit beside others in one page: ids made unique, named."""
    svg = re.sub(r"<\?xml[^>]*\?>\s*", "", svg)
    svg = re.sub(r'\bid="([^"]+)"', lambda m: f'id="{prefix}{m[1]}"', svg)
    svg = re.sub(r"url\(#([^)]+)\)", lambda m: f"url(#{prefix}{m[1]})", svg)
    svg = re.sub(r'href="#([^"]+)"', lambda m: f'href="#{prefix}{m[1]}"', svg)
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
        return f"<h3>{_e(source)}</h3>"
    lines = [label("source.line", lang, source=meta["source"])]
    if meta.get("population"):
        lines.append(label("source.population", lang, population=meta["population"][lang]))
    if meta.get("published_n"):
        lines.append(label("source.published_n", lang, n=format_number(meta["published_n"], lang)))
    if meta.get("date"):
        lines.append(label("source.date", lang, date=meta["date"]))
    if meta.get("kind") == "illustrative":
        lines.append(label("report.illustrative", lang))
    caveats = "".join(f"<li>{_e(c)}</li>" for c in meta.get("caveats", {}).get(lang, []))
    parts = [f"<h3>{_e(meta['title'][lang])}</h3>", "<p>" + "<br>".join(_e(x) for x in lines) + "</p>"]
    if caveats:
        parts.append(f'<p class="caveats"><strong>{_e(label("source.caveats", lang))}</strong></p>')
        parts.append(f'<ul class="caveats">{caveats}</ul>')
    return "\n".join(parts)

"""Download controls for a page: its filtered data, each chart, a one-page report.

Files are made only when the button is clicked (`st.download_button` with a callable, run on
the server then): vl-convert and WeasyPrint take a second or more, and most views are never
downloaded. Every file goes through `digistrat.export` (formula cells neutralised).
"""

from __future__ import annotations

import ctypes
import importlib.util
import re
from collections.abc import Callable
from functools import cache
from typing import Any

import polars as pl
import streamlit as st

from digistrat import export
from digistrat.i18n import format_number
from digistrat.ui.common import lang, t

CSV = "text/csv"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def slug(text: str) -> str:
    """A file-name stem from a title: letters, digits and dashes."""
    return re.sub(r"[^\w]+", "-", text.lower(), flags=re.UNICODE).strip("-")[:60] or "digistrat"


def data_downloads(frame: Callable[[], pl.DataFrame], rows: int, stem: str, key: str) -> None:
    """CSV (UTF-8), CSV for French Excel and .xlsx of the rows the view keeps (`rows` of them)."""
    language = lang()
    st.caption(t("export.data_help", n=format_number(rows, language)))
    if rows == 0:
        st.info(t("export.nothing"), icon=":material/filter_alt_off:")
        return
    too_big = rows > export.XLSX_MAX_ROWS
    left, middle, right = st.columns(3)
    left.download_button(
        t("export.csv"), data=lambda: export.to_csv(frame()), file_name=f"{stem}.csv", mime=CSV,
        key=f"{key}_csv", on_click="ignore", icon=":material/download:", width="stretch",
    )
    middle.download_button(
        t("export.csv_fr"), data=lambda: export.to_csv(frame(), french=True), file_name=f"{stem}-excel-fr.csv",
        mime=CSV, key=f"{key}_csv_fr", on_click="ignore", icon=":material/download:", width="stretch",
        help=t("export.csv_fr_help"),
    )
    right.download_button(
        t("export.xlsx"), data=lambda: export.to_xlsx(frame()), file_name=f"{stem}.xlsx", mime=XLSX,
        key=f"{key}_xlsx", on_click="ignore", icon=":material/download:", width="stretch", disabled=too_big,
        help=t("export.xlsx_too_big", n=format_number(export.XLSX_MAX_ROWS, language)) if too_big else None,
    )


def draw(figure: dict[str, Any], **options: Any) -> Any:
    """A finished spec (`charts.spec`) drawn with `st.vega_lite_chart`. Its inline rows go as
    polars frames: Streamlit turns a frame into Arrow directly, a list of rows through pandas."""
    datasets = {name: pl.DataFrame(rows, infer_schema_length=None) for name, rows in figure.get("datasets", {}).items()}
    return st.vega_lite_chart(spec={**figure, "datasets": datasets} if datasets else figure, **options)


def chart(
    figure: dict[str, Any], name: str, title: str, *, summary: str = "", table: pl.DataFrame | None = None,
    **options: Any,
) -> Any:
    """`draw` named for screen readers (its title and a one-line `summary`), with its one
    download menu (PNG and SVG; `name`: a unique widget-key prefix; `title`: the file name's
    source) and, when the page does not show it otherwise, its figures as a `table`."""
    figure = {**figure, "description": f"{title}. {summary}" if summary else title}  # the cached spec stays as it is
    result = draw(figure, **options)
    language, stem = lang(), slug(title)
    with st.popover(t("export.chart"), icon=":material/image:", type="tertiary", key=f"{name}_popover"):
        st.download_button(
            t("export.png"), data=lambda: export.chart_png(figure, lang=language), file_name=f"{stem}.png",
            mime="image/png", key=f"{name}_png", on_click="ignore", icon=":material/image:",
        )
        st.download_button(
            t("export.svg"), data=lambda: export.chart_svg(figure, lang=language), file_name=f"{stem}.svg",
            mime="image/svg+xml", key=f"{name}_svg", on_click="ignore", icon=":material/polyline:",
        )
    if table is not None:
        with st.expander(t("chart.table")):
            st.table(table, hide_index=True)
    return result


# The names WeasyPrint itself tries when it loads Pango (weasyprint/text/ffi.py).
PANGO_NAMES = ("libpango-1.0-0", "pango-1.0-0", "pango-1.0", "libpango-1.0.so.0", "libpango-1.0.dylib",
               "libpango-1.0-0.dll")


@cache
def _pdf_error() -> str | None:
    """Why PDF export cannot work on this server (no WeasyPrint or no Pango), None if it can.

    Checked without importing WeasyPrint (0.7 s, on the first visit of a page otherwise)."""
    if importlib.util.find_spec("weasyprint") is None:
        return "missing"
    for name in PANGO_NAMES:
        try:
            ctypes.CDLL(name)
            return None
        except OSError:
            continue
    return "missing"


def report_downloads(report: Callable[[bool], export.Report], stem: str, key: str) -> None:
    """The report of the current view as HTML and PDF: the view on one A4 page, or every tab
    on as many pages as it takes (`report(full)` makes it when a button is clicked)."""
    full = st.toggle(t("export.report_full"), key=f"{key}_full", help=t("export.report_full_help"))
    st.caption(t("export.report_full_contents" if full else "export.report_help"))
    suffix = "-full" if full else ""
    left, right = st.columns(2)
    left.download_button(
        t("export.report_html"), data=lambda: export.render_html(report(full)), file_name=f"{stem}{suffix}.html",
        mime="text/html", key=f"{key}_html", on_click="ignore", icon=":material/description:", width="stretch",
    )
    no_pdf = _pdf_error() is not None
    right.download_button(
        t("export.report_pdf"), data=lambda: export.render_pdf(report(full)), file_name=f"{stem}{suffix}.pdf",
        mime="application/pdf", key=f"{key}_pdf", on_click="ignore", icon=":material/picture_as_pdf:",
        width="stretch", disabled=no_pdf, help=t("export.no_pdf") if no_pdf else None,
    )

"""Builders of fixture files as bytes, shaped like what real tools export.

Each builder takes rows of Python values and writes them the way the tool does, so a test can
compute its expected figures from the same Python values, independently of the reader.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

import polars as pl

NBSP = "\u00a0"
NNBSP = "\u202f"

# The five Nextstage segments with their published shares (FACTS.md), in points.
SEGMENT_SHARES = (
    ("Les nouvelles venues", 6.0),
    ("Les convaincues", 7.75),
    ("Les tenants de l'adaptation", 10.5),
    ("Les insatisfaits", 21.0),
    ("Les attentistes", 54.75),
)


def french_number(value: float, decimals: int, thousands: str = NBSP) -> str:
    """1234.5 -> '1 234,50' the way French Excel writes it (thousands mark configurable)."""
    text = f"{abs(value):,.{decimals}f}"  # '1,234.50'
    text = text.replace(",", "\0").replace(".", ",").replace("\0", thousands)
    return ("-" if value < 0 else "") + text


def french_excel_csv(rows: Sequence[Sequence[str]], header: Sequence[str], *, encoding: str = "cp1252",
                     newline: str = "\r\n") -> bytes:
    """Excel 'CSV (séparateur: point-virgule)': ';', CRLF, cp1252 (or 'utf-16' = 'Texte Unicode' with BOM)."""
    lines = [";".join(header)] + [";".join(row) for row in rows]
    text = newline.join(lines) + newline
    if encoding == "utf-16":
        return text.encode("utf-16")  # Python writes the BOM, little-endian
    if encoding == "utf-16-be":
        return b"\xfe\xff" + text.encode("utf-16-be")
    return text.encode(encoding)


def segment_panel_fr(thousands: str = NBSP, percent_space: str = " ") -> tuple[list[str], list[list[str]]]:
    """A French survey summary: segment, share written '54,75 %', weight with decimal comma,
    company count (of a 170,000-company panel) with a thousands mark."""
    header = ["Segment", "Part", "Pondération", "Taille d'entreprise", "Secteur d'activité", "Effectif"]
    sizes = ["PME", "ETI", "Grande entreprise", "TPE", "PME"]
    sectors = ["Commerce", "Industrie", "Services", "Santé", "Éducation"]
    rows = []
    for i, (segment, share) in enumerate(SEGMENT_SHARES):
        rows.append([segment, french_number(share, 2, thousands) + percent_space + "%",
                     french_number(0.5 + i * 0.25, 2, thousands), sizes[i], sectors[i],
                     french_number(round(170_000 * share / 100), 0, thousands)])
    return header, rows


def csv_text(header: Sequence[str], rows: Sequence[Sequence[object]], sep: str = ",",
             newline: str = "\n", quote_all: bool = False) -> str:
    """RFC-4180 CSV text: fields holding the separator, quotes or newlines are quoted."""
    def field(value: object) -> str:
        text = "" if value is None else str(value)
        if quote_all or any(ch in text for ch in (sep, '"', "\n", "\r")):
            return '"' + text.replace('"', '""') + '"'
        return text
    return "".join(sep.join(field(v) for v in row) + newline for row in [list(header), *rows])


def ga4_export(report: str, header: Sequence[str], rows: Sequence[Sequence[object]], *,
               start: str = "20250101", end: str = "20251030", newline: str = "\n") -> bytes:
    """A GA4 'Download CSV': '#' preamble, plain numbers, rates as fractions, no final newline."""
    preamble = ["# " + "-" * 40, f"# {report}", "# Account: Exemple SARL", "# Property: www.exemple.fr",
                "# " + "-" * 40, "# ", "# All Users", f"# Start date: {start}", f"# End date: {end}"]
    body = csv_text(header, rows, newline=newline)
    return (newline.join(preamble) + newline + body).rstrip(newline).encode("utf-8")


def ga4_snapshot(tables: Sequence[tuple[str | None, Sequence[str], Sequence[Sequence[object]]]],
                 newline: str = "\r\n") -> bytes:
    """A GA4 'Reports snapshot': several tables separated by blank lines, each with its '#' lines.
    The first table carries the report header; the others an optional question as title."""
    parts = []
    for i, (title, header, rows) in enumerate(tables):
        lines = []
        if i == 0:
            lines += ["# " + "-" * 40, "# Reports snapshot", "# Account: Exemple", "# Property: Website",
                      "# " + "-" * 40]
        lines.append(f"# {title}" if title and i else "#  ")
        lines += ["# Start date: 20250101", "# End date: 20251231"]
        parts.append(newline.join(lines) + newline + csv_text(header, rows, newline=newline))
    return newline.join(parts).rstrip(newline).encode("utf-8")


def matomo_export(header: Sequence[str], rows: Sequence[Sequence[object]]) -> bytes:
    """Matomo's CSV renderer: UTF-16LE with BOM, ',' separator, LF, no final newline."""
    text = csv_text(header, rows).rstrip("\n")
    return b"\xff\xfe" + text.encode("utf-16-le")


def xlsx_workbook(sheets: dict[str, tuple[Sequence[str], Sequence[Sequence[object]]]]) -> bytes:
    """An Excel workbook with one sheet per entry (header row, then rows)."""
    import openpyxl

    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for title, (header, rows) in sheets.items():
        sheet = workbook.create_sheet(title)
        sheet.append(list(header))
        for row in rows:
            sheet.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def parquet_bytes(frame: pl.DataFrame) -> bytes:
    buffer = io.BytesIO()
    frame.write_parquet(buffer)
    return buffer.getvalue()


def blank_line_tables(preamble: Sequence[str], tables: Sequence[tuple[Sequence[str], Sequence[Sequence[object]]]],
                      *, blank_after_preamble: bool = True, newline: str = "\n") -> bytes:
    """Tables separated by blank lines only, after an optional '#' preamble: Universal Analytics
    'Export > CSV' (a blank line after the preamble), or a GA4 snapshot saved with one preamble."""
    head = "".join(f"# {line}{newline}".replace(f"# {newline}", f"#{newline}") for line in preamble)
    if preamble and blank_after_preamble:
        head += newline
    parts = [csv_text(header, rows, newline=newline) for header, rows in tables]
    return (head + newline.join(parts)).encode("utf-8")


def xlsx_rows(sheets: dict[str, Sequence[Sequence[object]]]) -> bytes:
    """A workbook written row by row as given: titles, blank rows ([]) and '#' lines included."""
    import openpyxl

    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for title, rows in sheets.items():
        sheet = workbook.create_sheet(title)
        for number, row in enumerate(rows, start=1):
            for column, value in enumerate(row, start=1):
                sheet.cell(row=number, column=column, value=value)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()

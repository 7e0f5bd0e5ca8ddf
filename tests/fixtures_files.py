"""Builders of fixture files as bytes, shaped like what real tools export.

Each builder takes rows of Python values and writes them the way the tool does, so a test can
compute its expected figures from the same Python values, independently of the reader.
"""

from __future__ import annotations

import builtins
import csv
import errno
import io
import math
import os
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path

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
                 newline: str = "\r\n", periods: Sequence[tuple[str, str]] = ()) -> bytes:
    """A GA4 'Reports snapshot': several tables separated by blank lines, each with its '#' lines.
    The first table carries the report header; the others an optional question as title.
    `periods`: each table's (start, end) as YYYYMMDD (a comparison); else all of 2025."""
    parts = []
    for i, (title, header, rows) in enumerate(tables):
        lines = []
        if i == 0:
            lines += ["# " + "-" * 40, "# Reports snapshot", "# Account: Exemple", "# Property: Website",
                      "# " + "-" * 40]
        lines.append(f"# {title}" if title and i else "#  ")
        start, end = periods[i] if periods else ("20250101", "20251231")
        lines += [f"# Start date: {start}", f"# End date: {end}"]
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


# ---------------------------------------------------------------- a French survey panel and its hand-computed figures


# French labels as a French panel writes them -> the keys the CLI must answer with
FRENCH_SEGMENTS = {
    "Les nouvelles venues": "newcomers",
    "Les convaincues": "convinced",
    "Les tenants de l'adaptation": "adapters",
    "Les insatisfaits": "dissatisfied",
    "Les attentistes": "wait_and_see",
}


ENGLISH_LABELS = {"newcomers": "Newcomers", "convinced": "Convinced", "adapters": "Adapters",
                  "dissatisfied": "Dissatisfied", "wait_and_see": "Wait-and-see"}


SIZES = ("TPE", "PME", "ETI", "Grande entreprise")
SECTORS = ("Commerce", "Industrie", "Santé", "Éducation", "Services")
WEIGHTS = (0.5, 0.75, 1.0, 1.25, 1.5, 2.0)


def clean_panel() -> list[tuple[str, str, float, str, str]]:
    """120 respondents: (id, French segment label, weight, size, sector), deterministic."""
    labels = list(FRENCH_SEGMENTS)
    rows = []
    for i in range(120):
        # uneven segment sizes so that weighted and unweighted shares differ
        label = labels[(i * i + i // 7) % 5]
        rows.append((f"R{i + 1:03d}", label, WEIGHTS[(i * 7) % 6], SIZES[i % 4], SECTORS[(i // 3) % 5]))
    return rows


# rows the CLI must leave out, each for its own reason
DIRTY = [
    ("X1", "Foo", 1.0, "PME", "Commerce"),            # segment matching nothing
    ("X2", "", 1.0, "PME", "Commerce"),               # no segment
    ("X3", "Les attentistes", -1.0, "PME", "Commerce"),  # weight not positive
]


def weighted(rows, by: int) -> dict[str, float]:
    totals: dict[str, float] = defaultdict(float)
    for row in rows:
        totals[row[by]] += row[2]
    grand = sum(totals.values())
    return {k: 100 * v / grand for k, v in totals.items()}


def counted(rows, by: int) -> dict[str, int]:
    totals: dict[str, int] = defaultdict(int)
    for row in rows:
        totals[row[by]] += 1
    return dict(totals)


# FACTS.md §1: 6 / 7.75 / 10.5 / 21 / 54.75 %, and the same as whole counts of 400
PUBLISHED = {"newcomers": 6.0, "convinced": 7.75, "adapters": 10.5, "dissatisfied": 21.0, "wait_and_see": 54.75}
COUNTS_OF_400 = {"newcomers": 24, "convinced": 31, "adapters": 42, "dissatisfied": 84, "wait_and_see": 219}
FRENCH_NAMES = {"newcomers": "Nouveaux venus", "convinced": "Convaincus", "adapters": "Adaptateurs",
                "dissatisfied": "Insatisfaits", "wait_and_see": "Attentistes"}


def wilson(successes: int, n: int, z: float = 1.959963984540054) -> tuple[float, float]:
    """Wilson score interval (Wilson 1927), written out."""
    p = successes / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return centre - half, centre + half


# ---------------------------------------------------------------- traffic: the sample log's channels, GA4 exports


# The sample log's (source, medium) pairs with their GA4 channel, worked out from GA4's rule table.
SAMPLE_CHANNELS = {
    ("(direct)", "(none)"): "direct",
    ("google", "organic"): "organic_search",
    ("bing", "organic"): "organic_search",
    ("qwant", "organic"): "organic_search",
    ("duckduckgo", "organic"): "organic_search",
    ("ecosia.org", "organic"): "organic_search",
    ("google", "cpc"): "paid_search",
    ("facebook", "paid_social"): "paid_social",
    ("l.facebook.com", "referral"): "organic_social",
    ("linkedin.com", "referral"): "organic_social",
    ("t.co", "referral"): "organic_social",
    ("instagram.com", "referral"): "organic_social",
    ("newsletter", "email"): "email",
    ("lesechos.fr", "referral"): "referral",
    ("blog.partenaire-web.fr", "referral"): "referral",
    ("pagesjaunes.fr", "referral"): "referral",
}


def ga4_export_sessions(path: Path) -> dict[str, float]:
    """Sessions per channel label of a GA4 export, read with the csv module (comment lines skipped)."""
    lines = [line for line in path.read_text(encoding="utf-8").splitlines() if line and not line.startswith("#")]
    totals: dict[str, float] = defaultdict(float)
    for row in csv.DictReader(lines):
        totals[row["Session primary channel group (Default Channel Group)"]] += float(row["Sessions"])
    return dict(totals)


def ga4_daily_export(rows: list[tuple[str, str, str, int]]) -> bytes:
    """A GA4 'Date x channel x device' exploration export: preamble, YYYYMMDD dates, no final newline."""
    lines = [
        "# ----------------------------------------", "# Traffic acquisition", "# All Users",
        "# Start date: 20250224", "# End date: 20250309",
        "Date,Session default channel group,Device category,Sessions",
    ]
    lines += [f"{d},{c},{dev},{n}" for d, c, dev, n in rows]
    return "\n".join(lines).encode("utf-8")


DAILY = [
    ("20250224", "Direct", "desktop", 40), ("20250224", "Organic Search", "mobile", 25),
    ("20250226", "Affiliates", "desktop", 10), ("20250302", "Email", "tablet", 5),
    ("20250303", "Direct", "mobile", 30), ("20250305", "Organic Search", "desktop", 50),
    ("20250309", "Affiliates", "mobile", 20), ("20250309", "Unassigned", "desktop", 4),
]


# ---------------------------------------------------------------- a disk that refuses writes


class FakeDisk:
    """The workspace's disk, faked where the workspace opens files (its module's `open`):
    `free` bytes left (a write past them fails with ENOSPC after writing what fits, as the
    kernel does), or every write refused at `refuse_open` / `refuse_write` with that errno."""

    def __init__(self, free: int | None = None, refuse_open: int | None = None, refuse_write: int | None = None):
        self.free, self.refuse_open, self.refuse_write = free, refuse_open, refuse_write

    def open(self, path, mode="r", *args, **kwargs):
        writing = any(flag in mode for flag in "wxa+")
        if writing and self.refuse_open is not None:
            raise OSError(self.refuse_open, os.strerror(self.refuse_open), str(path))
        handle = builtins.open(path, mode, *args, **kwargs)
        return _Metered(handle, self, str(path)) if writing else handle


class _Metered:
    def __init__(self, handle, disk: FakeDisk, path: str):
        self._handle, self._disk, self._path = handle, disk, path

    def write(self, data) -> int:
        size = memoryview(data).nbytes
        disk = self._disk
        if disk.refuse_write is not None:
            raise OSError(disk.refuse_write, os.strerror(disk.refuse_write), self._path)
        if disk.free is not None and size > disk.free:
            self._handle.write(bytes(memoryview(data).cast("B")[: disk.free]))
            disk.free = 0
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), self._path)
        if disk.free is not None:
            disk.free -= size
        return self._handle.write(data)

    def __getattr__(self, name):
        return getattr(self._handle, name)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self._handle.close()

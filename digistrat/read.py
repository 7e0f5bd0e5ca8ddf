"""Read one data file into a polars frame: CSV (GA4, Matomo and survey-tool exports), Excel
and OpenDocument workbooks, Parquet, SPSS / Stata / SAS files.

Every dataset, bundled or uploaded, enters through `read_table`. For text it sniffs the first
64 KB (encoding, separator, decimal mark, comment preamble, tables; the whole header line however
long), parses the body once with polars, types the columns with vectorised string expressions,
and reports what it saw. Survey-tool exports (`digistrat.tools`) lose their extra header rows and
missing-value codes, and each column is described (`ColumnInfo`) so that columns of one question
can be read as one. Zip containers (xlsx, ods) and compressed SPSS files are measured before any
parser opens them (`Limits`). Anything unusable raises `InputError` with a sentence a person can
act on.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import html
import io
import re
import struct
import zipfile
import zlib
from collections import Counter
from collections.abc import Callable
from itertools import repeat
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from digistrat import tools
from digistrat.errors import InputError
from digistrat.tools import ColumnInfo, MultiSet

__all__ = ["ColumnInfo", "Limits", "MultiSet", "ReadReport", "ReadResult", "TableInfo", "describe", "read_table"]

SNIFF_BYTES = 64 * 1024
SEPARATORS = (",", ";", "\t", "|")
SEPARATOR_NAMES = {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe"}
EXCEL_SUFFIXES = (".xlsx", ".xlsm", ".xlsb", ".xls", ".ods")
PARQUET_SUFFIXES = (".parquet", ".pq")
STAT_SUFFIXES = {".sav": "spss", ".zsav": "spss", ".por": "spss", ".dta": "stata", ".sas7bdat": "sas",
                 ".xpt": "sas"}
# Every suffix the reader takes (what the upload page accepts): text tables, then the above.
UPLOAD_SUFFIXES = (".csv", ".tsv", ".txt", *EXCEL_SUFFIXES, *PARQUET_SUFFIXES, *STAT_SUFFIXES)
SAMPLE_RECORDS = 2000
PROBE_VALUES = 1000

# Magic numbers of files people upload by mistake under a .csv name.
MAGIC = (
    (b"PK\x03\x04", "a ZIP/Excel (.xlsx) file"),
    (b"\xd0\xcf\x11\xe0", "an old Excel (.xls) or Office file"),
    (b"PAR1", "a Parquet file"),
    (b"%PDF", "a PDF document"),
    (b"\x1f\x8b", "a gzip-compressed file"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"7z\xbc\xaf", "a 7-Zip archive"),
    (b"Rar!", "a RAR archive"),
    (b"$FL2", "an SPSS (.sav) file"),
    (b"$FL3", "a compressed SPSS (.zsav) file"),
    (b"<stata_dta>", "a Stata (.dta) file"),
)

# Spaces used as thousands marks: plain, no-break (U+00A0), narrow no-break (U+202F), thin (U+2009).
SPACE_MARKS = (" ", "\u00a0", "\u202f", "\u2009")
SPACE_MARK_NAMES = {" ": "space", "\u00a0": "no-break space", "\u202f": "narrow no-break space",
                    "\u2009": "thin space", ".": "dot", ",": "comma"}

# Full-cell number shapes after spaces and the percent sign are removed (Rust regex syntax).
DOT_NUMBER = r"^[+-]?(?:(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$"
COMMA_NUMBER = r"^[+-]?(?:(?:\d{1,3}(?:\.\d{3})+|\d+)(?:,\d*)?|,\d+)$"

# Preamble lines that are metadata rather than a table's title (GA4 in English and French).
META_PREFIXES = ("account:", "property:", "start date:", "end date:", "compte", "propriété",
                 "date de début", "date de fin")
META_LINES = ("all users", "tous les utilisateurs")


@dataclass(frozen=True)
class Limits:
    """What one file may hold; checked before the work that would exceed it.

    max_bytes: size of the file as uploaded (200 MB).
    max_rows: data rows (20 million); text is parsed no further than one row past it.
    max_columns: columns of a table (16,384, Excel's own maximum).
    max_unpacked_bytes: what a zip container (xlsx, xlsm, ods…) or a compressed SPSS file
        expands to, all parts together (512 MB); measured by inflating it here, not trusted
        from the sizes the file declares.
    max_zip_entries: parts of a zip container (10,000).
    max_zip_ratio: how many times larger than its compressed bytes one part may grow (100);
        real workbooks stay below 20, zip bombs go far beyond. Parts under 16 MB are exempt.
    max_cells: cells in the range a workbook sheet spans, rows × columns (50 million): a
        sheet with one cell at A1 and one at XFD1048576 spans 17 billion.
    """

    max_bytes: int = 200 * 1024 * 1024
    max_rows: int = 20_000_000
    max_columns: int = 16_384
    max_unpacked_bytes: int = 512 * 1024 * 1024
    max_zip_entries: int = 10_000
    max_zip_ratio: int = 100
    max_cells: int = 50_000_000


@dataclass(frozen=True)
class TableInfo:
    index: int
    title: str | None
    header_line: int
    columns: tuple[str, ...]
    rows: int


@dataclass(frozen=True)
class ReadReport:
    file_name: str
    format: str
    encoding: str | None
    separator: str | None
    decimal: str | None
    thousands: str | None
    header_line: int | None
    preamble: tuple[str, ...]
    tables: tuple[TableInfo, ...]
    table_index: int
    sheets: tuple[str, ...]
    sheet: str | None
    rows: int
    columns: tuple[str, ...]
    percent_columns: tuple[str, ...]
    notes: tuple[str, ...]
    dropped_lines: tuple[int, ...] = ()  # file lines (sheet rows) left out: total rows
    tool: str | None = None              # the survey tool that wrote the file (tools.TOOL_NAMES), None for a plain table
    header_rows: int = 1                 # rows of header the tool wrote (2 for SurveyMonkey, 3 for current Qualtrics)
    declared_weight: str | None = None   # the weight variable an SPSS or Stata file declares
    multi_sets: tuple[MultiSet, ...] = ()  # SPSS multiple-response sets
    metadata_columns: tuple[str, ...] = ()  # the tool's metadata (Respondent ID, StartDate, _uuid, 序号…)
    missing_cells: tuple[tuple[str, int], ...] = ()  # (column, cells of missing-value codes turned to null)
    replaced_lines: tuple[int, ...] = ()  # file lines whose bytes were not UTF-8 and were replaced by U+FFFD



@dataclass(frozen=True)
class ReadResult:
    frame: pl.DataFrame
    report: ReadReport
    columns: tuple[ColumnInfo, ...] = ()  # one per frame column, in order (plain entries when nothing is known)

    def __post_init__(self) -> None:
        if not self.columns:  # a table nothing is known about: each column its own
            object.__setattr__(self, "columns", tuple(ColumnInfo(n, None, None, None) for n in self.frame.columns))


# ----------------------------------------------------------------------------------------
# Entry point


def read_table(
    source: bytes | str | Path,
    *,
    file_name: str | None = None,
    table: int = 0,
    sheet: str | int | None = None,
    limits: Limits = Limits(),
) -> ReadResult:
    """Read `source` (raw bytes, or a path) into a typed frame plus a report of what was detected."""
    data, path, name = _open_source(source, file_name, limits)
    head = data[:SNIFF_BYTES] if data is not None else _read_head(path)
    kind = _file_kind(name, head)
    if kind == "xlsx":
        return _read_excel(data if data is not None else path, name, sheet, limits)
    if kind == "parquet":
        return _read_parquet(data if data is not None else path, name, limits)
    if kind in ("spss", "stata", "sas"):
        return _read_stat(data if data is not None else _read_path(path, name), name, kind, limits)
    return _CsvReader(data, path, name, head, limits).read(table)


def describe(report: ReadReport) -> list[str]:
    """The detection as short English sentences, for the CLI."""
    lines = [f"{report.file_name}: {report.format.upper()} with {report.rows:,} rows "
             f"and {len(report.columns)} columns."]
    if report.tool:
        rows = f"{report.header_rows} header row{'s' if report.header_rows != 1 else ''}, " \
            if report.format in ("csv", "xlsx") else ""
        weight = f", weight '{report.declared_weight}' declared" if report.declared_weight else ""
        kind = "export" if report.format in ("csv", "xlsx") else "file"
        lines.append(f"{tools.TOOL_NAMES[report.tool]} {kind}, {rows}{report.rows:,} "
                     f"respondent{'s' if report.rows != 1 else ''}{weight}.")
    if report.format == "csv":
        lines.append(f"Encoding {report.encoding}; separator {SEPARATOR_NAMES.get(report.separator or ',', report.separator)}"
                     f"; decimal mark {_mark_words(report.decimal)}; thousands mark {_mark_words(report.thousands)}.")
        lines.append(f"Header on line {report.header_line}.")
        if len(report.tables) > 1:
            lines.append(f"The file holds {len(report.tables)} tables; table {report.table_index} was read:")
            lines.extend(f"  {t.index}: {t.title or '(untitled)'} — {', '.join(t.columns)} ({t.rows} rows)"
                         for t in report.tables)
    if report.sheets:
        lines.append(f"Sheet '{report.sheet}' read; sheets in the workbook: {', '.join(report.sheets)}.")
    if report.percent_columns:
        lines.append(f"Percentages are read as points (54,75 % becomes 54.75): {', '.join(report.percent_columns)}.")
    lines.extend(report.notes)
    return lines


def _mark_words(mark: str | None) -> str:
    if mark is None:
        return "none seen"
    return f"'{mark}'" if mark in ",." else SPACE_MARK_NAMES.get(mark, repr(mark))


# ----------------------------------------------------------------------------------------
# Source, size and format


def _open_source(source: bytes | str | Path, file_name: str | None,
                 limits: Limits) -> tuple[bytes | None, Path | None, str]:
    if isinstance(source, (bytes, bytearray, memoryview)):
        data = bytes(source)
        size = len(data)
        path = None
        name = file_name or "upload"
    else:
        path = Path(source)
        name = file_name or path.name
        try:
            size = path.stat().st_size
        except OSError:
            raise InputError(f"The file '{path}' cannot be opened; check the path and try again.") from None
        if not path.is_file():
            raise InputError(f"'{path}' is not a file; give the path of a CSV, Excel or Parquet file.")
        data = None
    if size > limits.max_bytes:
        raise InputError(f"The file '{name}' is {_megabytes(size)}, above the {_megabytes(limits.max_bytes)} "
                         "limit; export fewer rows or columns, or split it.")
    if size == 0:
        raise InputError(f"The file '{name}' is empty; export it again with its data.")
    return data, path, name


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):,.1f} MB"


def _read_head(path: Path) -> bytes:
    with path.open("rb") as handle:
        return handle.read(SNIFF_BYTES)


def _file_kind(name: str, head: bytes) -> str:
    suffix = Path(name).suffix.lower()
    if suffix in EXCEL_SUFFIXES:
        return "xlsx"
    if suffix in PARQUET_SUFFIXES:
        return "parquet"
    if suffix in STAT_SUFFIXES:
        return STAT_SUFFIXES[suffix]
    if not suffix:  # no name to go by: trust the magic number
        if head.startswith((b"PK\x03\x04", b"\xd0\xcf\x11\xe0")):
            return "xlsx"
        if head.startswith(b"PAR1"):
            return "parquet"
        if head.startswith((b"$FL2", b"$FL3")):
            return "spss"
        if head.startswith(b"<stata_dta>"):
            return "stata"
    return "csv"


# ----------------------------------------------------------------------------------------
# Encoding


@dataclass(frozen=True)
class _Encoding:
    name: str          # as reported
    codec: str         # Python codec that decodes the bytes after the BOM
    bom: int           # BOM length in bytes
    note: str | None
    damaged: bool = False  # UTF-8 but for a few bytes: decoded with those bytes replaced


def _sniff_encoding(head: bytes, complete: bool, name: str) -> _Encoding:
    if head.startswith(codecs.BOM_UTF8):
        return _Encoding("utf-8-sig", "utf-8", 3, "The file starts with a UTF-8 byte-order mark (BOM).")
    if head.startswith(codecs.BOM_UTF16_LE) and not head.startswith(codecs.BOM_UTF32_LE):
        return _Encoding("utf-16", "utf-16-le", 2, "UTF-16 little-endian text with a byte-order mark "
                         "(Excel 'Unicode text' or Matomo export).")
    if head.startswith(codecs.BOM_UTF16_BE):
        return _Encoding("utf-16", "utf-16-be", 2, "UTF-16 big-endian text with a byte-order mark.")
    for magic, what in MAGIC:
        if head.startswith(magic):
            raise InputError(f"'{name}' looks like {what}, not a CSV; upload the original file with "
                             "its own extension, or export it as CSV.")
    if b"\x00" in head:
        bomless = _bomless_utf16(head)
        if bomless is None:
            raise InputError(f"'{name}' looks like a binary file (it contains NUL bytes), not a CSV; "
                             "export the data as CSV text and try again.")
        return _Encoding(bomless, bomless, 0, f"UTF-16 text without a byte-order mark, read as {bomless}.")
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=complete)
        return _Encoding("utf-8", "utf-8", 0, None)
    except UnicodeDecodeError:
        if _mostly_utf8(head, complete):
            return _Encoding("utf-8", "utf-8", 0, None, damaged=True)
    if _looks_gbk(head, complete):
        return _Encoding("gb18030", "gb18030", 0, "The file is Chinese text in GBK / GB18030 (the encoding of "
                         "Chinese Excel and of Wenjuanxing downloads), not UTF-8.")
    try:
        head.decode("cp1252")
        return _Encoding("cp1252", "cp1252", 0, "The file is not UTF-8; read it as Windows-1252 "
                         "(the encoding of French Excel 'CSV (séparateur: point-virgule)').")
    except UnicodeDecodeError:
        return _Encoding("latin-1", "latin-1", 0, "The file is neither UTF-8 nor Windows-1252; read it as Latin-1.")


_ESCAPED = re.compile("[\udc80-\udcff]+")  # bytes that are not UTF-8, after decoding with surrogateescape


def _mostly_utf8(raw: bytes, final: bool = True) -> bool:
    """Whether bytes that are not valid UTF-8 are a few damaged ones in UTF-8 text (fewer invalid
    bytes than valid non-ASCII characters) rather than another encoding: cp1252 accents and GBK
    characters are mostly byte sequences UTF-8 never accepts."""
    text = codecs.getincrementaldecoder("utf-8")("surrogateescape").decode(raw, final=final)
    invalid = sum(map(len, _ESCAPED.findall(text)))
    valid = len(text) - len(text.encode("ascii", "ignore")) - invalid
    return 0 < invalid < valid


_GBK_PAIR = re.compile(rb"[\xa1-\xfe][\xa1-\xfe]")
_HIGH = re.compile(rb"[\x80-\xff]")


def _looks_gbk(raw: bytes, final: bool) -> bool:
    """Chinese GBK text: nearly all its non-ASCII bytes come in pairs from 0xA1-0xFE (GB2312's
    range) and it decodes as GB18030. Windows-1252 accents are lone bytes between ASCII letters."""
    high = len(_HIGH.findall(raw))
    if high < 8 or 2 * len(_GBK_PAIR.findall(raw)) < 0.9 * high:
        return False
    try:
        codecs.getincrementaldecoder("gb18030")().decode(raw, final=final)
    except UnicodeDecodeError:
        return False
    return True


def _repaired_utf8(raw: bytes) -> tuple[str, list[int], int]:
    """(text with each invalid sequence replaced by U+FFFD, the 1-based lines that held one,
    the number of sequences replaced)."""
    escaped = raw.decode("utf-8", errors="surrogateescape")
    lines: list[int] = []
    line, counted, count = 1, 0, 0
    for match in _ESCAPED.finditer(escaped):
        count += 1
        line += escaped.count("\n", counted, match.start())
        counted = match.start()
        if not lines or lines[-1] != line:
            lines.append(line)
    return raw.decode("utf-8", errors="replace"), lines, count


def _bomless_utf16(head: bytes) -> str | None:
    """UTF-16 without BOM shows NUL as every other byte in mostly-ASCII text."""
    even, odd = head[0::2], head[1::2]
    if not even or not odd:
        return None
    even_nul = even.count(0) / len(even)
    odd_nul = odd.count(0) / len(odd)
    if odd_nul > 0.4 and even_nul < 0.05:
        return "utf-16-le"
    if even_nul > 0.4 and odd_nul < 0.05:
        return "utf-16-be"
    return None


def _refuse_binary_text(text: str, name: str) -> None:
    """Decoding with cp1252/latin-1 never fails, so look at the characters instead."""
    if not text:
        return
    controls = sum(1 for ch in text if ch < " " and ch not in "\t\r\n\f")
    if controls / len(text) > 0.01:
        raise InputError(f"'{name}' looks like a binary file (it is full of control characters), not a CSV; "
                         "export the data as CSV text and try again.")


# ----------------------------------------------------------------------------------------
# Tables inside the text (GA4 puts several in one file)


@dataclass(frozen=True)
class _Table:
    start: int                 # byte offset of the header line in the body
    end: int                   # byte offset just after the table's last non-blank byte
    header_line: int           # 1-based line number in the file
    preamble: tuple[str, ...]  # comment lines, "# " removed


def _is_comment(line: bytes) -> bool:
    """A GA4-style comment line: '#' not followed by a separator (a header may be '#,Name')."""
    stripped = line.lstrip()
    return stripped.startswith(b"#") and not re.match(rb"#\s*[,;\t|]", stripped)


def _comment_text(line: bytes) -> str:
    text = line.strip().decode("utf-8", errors="replace")[1:]
    return (text[1:] if text.startswith(" ") else text).rstrip()


_BLANK_LINE = re.compile(rb"\n[ \t\r,;|]*\n")  # empty, or only separators (Excel pads rows)
MAX_BREAK_CHECKS = 1000  # blank lines looked at per table: a table full of them stays one table


def _is_blank(line: bytes) -> bool:
    return not line.strip(b" \t\r,;|")


def _find_tables(body: bytes) -> list[_Table]:
    """Split the body into tables: a table is comment lines, a header, then rows up to a blank
    line followed by a new comment block or by a new header (see `_starts_table`), or the end."""
    tables: list[_Table] = []
    pending: list[str] = []
    pos, size = 0, len(body)
    while pos < size:
        header = None
        while pos < size:
            eol = body.find(b"\n", pos)
            eol = size if eol == -1 else eol
            line = body[pos:eol]
            if _is_comment(line):
                pending.append(_comment_text(line))
            elif _is_title(body, pos):
                pending.append(line.strip().decode("utf-8", errors="replace"))
            elif not _is_blank(line):
                header = pos
                break
            pos = eol + 1
        if header is None:
            break  # comment lines with no table after them
        finish, pos = _table_end(body, header)
        end = len(body[header:finish].rstrip()) + header
        tables.append(_Table(header, end, body.count(b"\n", 0, header) + 1, tuple(pending)))
        pending = []
    return tables


def _line_at(body: bytes, start: int) -> tuple[bytes, int]:
    """The line starting at `start`, and where the next one starts."""
    end = body.find(b"\n", start)
    end = len(body) if end == -1 else end
    return body[start:end], end + 1


def _one_text_field(line: bytes) -> bool:
    text = line.strip().decode("utf-8", errors="replace")
    return bool(text) and not re.search(r'[,;\t|"]', text) and not _looks_numeric(text)


def _is_title(body: bytes, start: int) -> bool:
    """Whether the line at `start` is a table's title on a line of its own (Matomo's scheduled
    reports: "Device type" above "label,nb_visits,…"): one unquoted text field, then a text header
    of several fields, or a lone line ("No data available") and a blank line: an empty table."""
    line, after = _line_at(body, start)
    if not _one_text_field(line):
        return False
    header, after_header = _line_at(body, after)
    if _one_text_field(header):
        return after_header >= len(body) or _is_blank(_line_at(body, after_header)[0])
    text = header.strip().decode("utf-8", errors="replace")
    for sep in ",;\t":
        fields = [f.strip() for f in next(csv.reader([text], delimiter=sep), []) if f.strip()]
        if len(fields) >= 2 and 2 * sum(map(_looks_numeric, fields)) < len(fields):
            return True
    return False


def _table_end(body: bytes, header: int) -> tuple[int, int]:
    """(end of the rows, start of what follows) of the table whose header starts at `header`.
    Only blank lines are looked at (one regex scan), the first MAX_BREAK_CHECKS of them; a blank
    line inside a quoted field is not a break (an odd number of quotes before it)."""
    size = len(body)
    shape: _Shape | None = None
    quotes, counted, search = 0, header, header
    for _ in range(MAX_BREAK_CHECKS):
        blank = _BLANK_LINE.search(body, search)
        if blank is None:
            break
        cut, after = blank.start(), blank.end()
        while after < size:  # further blank lines
            eol = body.find(b"\n", after)
            eol = size if eol == -1 else eol
            if not _is_blank(body[after:eol]):
                break
            after = eol + 1
        if after >= size:
            break
        quotes += body.count(b'"', counted, cut)
        counted = cut
        if quotes % 2 == 0:
            line, _ = _line_at(body, after)
            if _is_comment(line) or _is_title(body, after):
                return cut, after
            if shape is None:
                sample = body[header:min(cut, header + SNIFF_BYTES)]
                shape = _table_shape(sample.decode("utf-8", errors="replace"))
            if _starts_table(line.decode("utf-8", errors="replace"), shape):
                return cut, after
        search = after
    return size, size


@dataclass(frozen=True)
class _Shape:
    sep: str
    width: int
    numeric: frozenset[int]  # columns whose sampled cells are all numbers


def _looks_numeric(cell: str) -> bool:
    """A number, date, duration, percentage or amount: digits and no letter."""
    return any(ch.isdigit() for ch in cell) and not any(ch.isalpha() for ch in cell)


def _table_shape(text: str) -> _Shape:
    sep = _choose_separator(text)
    records = _records(text, sep, 200)
    width = len(records[0]) if records else 0
    numeric = []
    for i in range(width):
        cells = [r[i].strip() for r in records[1:] if i < len(r) and r[i].strip()]
        if cells and all(map(_looks_numeric, cells)):
            numeric.append(i)
    return _Shape(sep, width, frozenset(numeric))


def _starts_table(line: str, shape: _Shape) -> bool:
    """A line after a blank line is a new header when its cells are mostly text and it has another
    field count than the table above, or text where that table holds numbers."""
    try:
        fields = next(csv.reader([line], delimiter=shape.sep, quotechar='"'), [])
    except csv.Error:
        return False
    filled = [f.strip() for f in fields if f.strip()]
    if not filled or 2 * sum(map(_looks_numeric, filled)) >= len(filled):
        return False
    return len(fields) != shape.width or any(
        i in shape.numeric and f.strip() and not _looks_numeric(f) for i, f in enumerate(fields))


_PERIOD_START = re.compile(r"(?i)^(?:start date|date de début)\s*:\s*(\d{4})(\d{2})(\d{2})$")
_PERIOD_END = re.compile(r"(?i)^(?:end date|date de fin)\s*:\s*(\d{4})(\d{2})(\d{2})$")


def _table_period(preamble: tuple[str, ...]) -> str | None:
    """'2025-08-01 – 2025-08-31' from a GA4 table's 'Start date' / 'End date' comment lines."""
    found = {}
    for line in preamble:
        for which, pattern in (("start", _PERIOD_START), ("end", _PERIOD_END)):
            if match := pattern.match(line.strip()):
                found[which] = "-".join(match.groups())
    return f"{found['start']} – {found['end']}" if len(found) == 2 else None


def _dated_titles(tables: list[_Table], columns: list[tuple[str, ...]]) -> list[str | None]:
    """Each table's title, with its period where another table has the same columns over another
    period: a GA4 snapshot compared with the previous month holds every table twice."""
    periods = [_table_period(t.preamble) for t in tables]
    spans: dict[tuple[str, ...], set[str | None]] = {}
    for names, period in zip(columns, periods):
        spans.setdefault(names, set()).add(period)
    titles = []
    for table, names, period in zip(tables, columns, periods):
        title = _table_title(table.preamble)
        if period and len(spans[names]) > 1:
            title = f"{title} ({period})" if title else period
        titles.append(title)
    return titles


def _table_title(preamble: tuple[str, ...]) -> str | None:
    for line in preamble:
        text = line.strip()
        low = text.lower()
        if not text or set(text) <= {"-", "="} or low in META_LINES or low.startswith(META_PREFIXES):
            continue
        return text
    return None


# ----------------------------------------------------------------------------------------
# Sniffing separator, header and number marks on a text sample


def _records(text: str, sep: str, limit: int) -> list[list[str]]:
    """Up to `limit` non-blank records of `text`; stops quietly where the sample is cut."""
    out: list[list[str]] = []
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sep, quotechar='"')
    try:
        for record in reader:
            if record and any(field.strip() for field in record):
                out.append(record)
                if len(out) >= limit:
                    break
    except csv.Error:
        pass
    return out


def _choose_separator(sample: str) -> str:
    best, best_score = ",", (False, 0.0, 0)
    for sep in SEPARATORS:
        records = _records(sample, sep, 50)
        if not records or len(records[0]) < 2:
            continue
        width = len(records[0])
        rows = records[1:]
        share = sum(len(r) == width for r in rows) / len(rows) if rows else 1.0
        score = (share >= 0.9, share, width)
        if score > best_score:
            best, best_score = sep, score
    return best


_COMMA_DECIMAL = re.compile(r"[+-]?(?:\d{1,3}(?:\.\d{3})+|\d*),\d+")
_DOT_DECIMAL = re.compile(r"[+-]?(?:\d{1,3}(?:,\d{3})+|\d*)\.\d+")
_AMBIGUOUS_COMMA = re.compile(r"[+-]?[1-9]\d{0,2}(?:,\d{3})+")
_AMBIGUOUS_DOT = re.compile(r"[+-]?[1-9]\d{0,2}(?:\.\d{3})+")
_SPACE_GROUP = re.compile(r"\d([ \u00a0\u202f\u2009])\d{3}(?!\d)")


def _number_marks(cells: list[str], sep: str) -> tuple[str | None, str | None]:
    """(decimal mark, thousands mark) voted by the sample's numeric-looking cells."""
    votes: Counter[str] = Counter()
    marks: Counter[str] = Counter()
    for cell in cells:
        text = cell.strip().removesuffix("%").strip()
        if not text:
            continue
        if not text[-1].isdigit():  # text, or an amount such as '1 234,50 €' (votes like a number)
            if text[-1] not in "€$£¥" and text[-3:] not in CURRENCIES:
                continue
            text = _CURRENCY_EDGES.sub("", text)
            if not text or not text[-1].isdigit():
                continue
        elif not text[0].isdigit() and _currency_first(text):  # '€1,234.50', 'USD 1,234'
            text = _CURRENCY_EDGES.sub("", text)
        space = _SPACE_GROUP.search(text)
        if space:
            marks[space.group(1)] += 1
            text = re.sub(r"[ \u00a0\u202f\u2009]", "", text)
        if _AMBIGUOUS_COMMA.fullmatch(text):
            votes["ambiguous,"] += 1
        elif _AMBIGUOUS_DOT.fullmatch(text):
            votes["ambiguous."] += 1
        elif _COMMA_DECIMAL.fullmatch(text):
            votes[","] += 1
            if "." in text:
                marks["."] += 1
        elif _DOT_DECIMAL.fullmatch(text):
            votes["."] += 1
            if "," in text:
                marks[","] += 1
    if votes[","] or votes["."]:
        decimal = "," if votes[","] > votes["."] else "."
    elif votes["ambiguous,"] or votes["ambiguous."]:
        # '1,234' or '1.234' alone: in a semicolon file (French/German Excel) the comma is decimal.
        decimal = "," if sep != "," else "."
    else:
        decimal = None
    if decimal == "," and votes["ambiguous."]:
        marks["."] += votes["ambiguous."]
    if decimal == "." and votes["ambiguous,"]:
        marks[","] += votes["ambiguous,"]
    thousands = marks.most_common(1)[0][0] if marks else None
    return decimal, thousands


def _clean_names(raw: list[str]) -> tuple[list[str], list[str]]:
    """Unique one-line names (HTML and line breaks out); notes say what was renamed, one
    sentence per kind beyond three (a Typeform export repeats a header per option)."""
    names: list[str] = []
    unnamed: list[str] = []
    repeated: list[str] = []
    used: set[str] = set()
    for position, original in enumerate(raw, start=1):
        name = tools.one_line(original)
        if not name:
            name = f"column_{position}"
            unnamed.append(f"Column {position} has no header; it is named '{name}'.")
        if name in used:
            suffix = 2
            while f"{name}_{suffix}" in used:
                suffix += 1
            repeated.append(f"Header '{_short(name)}' appears twice; the later column is named "
                            f"'{_short(name)}_{suffix}'.")
            name = f"{name}_{suffix}"
        used.add(name)
        names.append(name)
    notes = unnamed if len(unnamed) <= 3 else [f"{len(unnamed)} columns have no header; they are named "
                                               "'column_' and their position."]
    notes += repeated if len(repeated) <= 3 else [f"{len(repeated)} headers repeat an earlier one; the later "
                                                  "columns get '_2', '_3'… after the name."]
    return names, notes


def _short(text: str, size: int = 60) -> str:
    return text if len(text) <= size else text[:size - 1] + "…"


_PLAIN_INT = re.compile(r"-?(?:0|[1-9]\d{0,17})")
_PLAIN_DOT_FLOAT = re.compile(r"-?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")
_PLAIN_COMMA_FLOAT = re.compile(r"-?\d+(?:,\d+)?")
_DIGITS = re.compile(r"-?\d+")
_LEADING_ZERO = re.compile(r"-?0\d")
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_DATE_HEADER = re.compile(r"(?i)\b(date|jour|datum|fecha)\b")


def _fast_dtype(name: str, values: list[str], decimal: str | None, sep: str) -> pl.DataType:
    """The dtype polars can parse this column as directly, judged on the sample; String if unsure."""
    if not values:
        return pl.String()
    if all(_ISO_DATE.fullmatch(v) for v in values):
        return pl.Date()
    if _DATE_HEADER.search(name):
        return pl.String()  # GA4 'YYYYMMDD' dates: the String path converts them
    if all(_DIGITS.fullmatch(v) for v in values):
        # too long for Int64 (or with leading zeros): an identifier, the String path decides
        return pl.Int64() if all(_PLAIN_INT.fullmatch(v) for v in values) else pl.String()
    if any(_LEADING_ZERO.match(v) for v in values):
        return pl.String()  # codes such as '0007' or postcodes: the String path decides
    if decimal != "," and all(_PLAIN_DOT_FLOAT.fullmatch(v) for v in values):
        return pl.Float64()
    if decimal == "," and sep != "," and all(_PLAIN_COMMA_FLOAT.fullmatch(v) for v in values):
        return pl.Float64()
    return pl.String()


# ----------------------------------------------------------------------------------------
# Typing a String column (vectorised; rules judged on a probe, then checked on the whole column)


@dataclass(frozen=True)
class _Typed:
    series: pl.Series
    percent: bool = False
    thousands: str | None = None
    note: str | None = None


def _stripped(frame: pl.DataFrame, spaces_only: bool = False) -> pl.DataFrame:
    """String columns without surrounding whitespace (NBSP included), empty strings as null.

    One parallel pass finds the columns that need it and only those are rewritten: most
    need nothing, and rewriting every column cost more time (and memory) than the parse.
    `spaces_only`: the text can hold no whitespace but ASCII spaces and no empty string
    (see `_blank_edges`), so looking at each cell's first and last byte is enough."""
    names = [name for name, dtype in frame.schema.items() if dtype == pl.String]
    if not names or frame.height == 0:
        return frame
    if spaces_only:
        checks = ((pl.col(n).str.starts_with(" ") | pl.col(n).str.ends_with(" ")).any().alias(n) for n in names)
    else:
        checks = (((pl.col(n).str.strip_chars().str.len_bytes().sum() != pl.col(n).str.len_bytes().sum())
                   | (pl.col(n).str.len_bytes() == 0).any()).alias(n) for n in names)
    flags = frame.select(checks).row(0, named=True)
    trimmed = [pl.col(n).str.strip_chars() for n in names if flags[n]]
    return frame.with_columns(pl.when(t.str.len_bytes() > 0).then(t) for t in trimmed) if trimmed else frame


def _blank_edges(raw: bytes | Path) -> str:
    """Which whitespace a cell of this CSV text can start or end with: "none", "spaces" (ASCII
    spaces only, and no empty quoted string) or "any". ASCII bytes hold no Unicode space; with
    no tab, carriage return, form feed or quote, a space is the only blank left. A few memchr
    scans of the bytes, far cheaper than stripping each column."""
    if not isinstance(raw, bytes) or not raw.isascii() or any(
            mark in raw for mark in (b"\t", b"\r", b"\x0b", b"\x0c", b'"')):
        return "any"
    return "spaces" if b" " in raw else "none"


def _type_column(text: pl.Series, decimal: str | None) -> _Typed:
    """Type one stripped String column: date, number, percentage, or text as it is."""
    return _type_columns([text], decimal)[0]


def _probe(text: pl.Series) -> pl.Series:
    probe = text.head(PROBE_VALUES * 5).drop_nulls().head(PROBE_VALUES)
    return probe if probe.len() else text.drop_nulls().head(PROBE_VALUES)


def _type_columns(texts: list[pl.Series], decimal: str | None) -> list[_Typed]:
    """Type stripped String columns. Numbers first take a fast path planned on the probe and
    evaluated for all columns in one parallel select; a column whose every cell does not come
    out of it exactly as the full path would type it goes through `_as_number`."""
    typed: dict[int, _Typed] = {}
    fast: dict[int, _FastNumber] = {}
    for i, text in enumerate(texts):
        filled = text.len() - text.null_count()
        if filled == 0:
            typed[i] = _Typed(text)
            continue
        probe = _probe(text)
        dated = _as_date(text, probe, filled)
        if dated is not None:
            typed[i] = dated
        elif _all_match(probe, NUMBER_SHAPE):
            fast[i] = _fast_number(probe, decimal)
        elif _CURRENCY_CELL.match(probe[0]) and _all_match(probe, CURRENCY_SHAPE):  # first cell: cheap no
            typed[i] = _as_amount(text, filled, decimal)
        else:
            typed[i] = _Typed(text)
    if fast:
        frame = pl.DataFrame([texts[i] for i in fast])
        results = frame.select(
            expr for i, plan in fast.items() for expr in plan.expressions(texts[i].name, f"__check_{i}")
        )
        for i, plan in fast.items():
            text = texts[i]
            value = results[text.name]
            ok = value.null_count() == text.null_count() and not results[f"__check_{i}"][0]
            typed[i] = (_Typed(value, percent=plan.percent, thousands=plan.thousands) if ok else
                        _as_number(text, _probe(text), text.len() - text.null_count(), decimal) or _Typed(text))
    return [typed[i] for i in range(len(texts))]


NUMBER_SHAPE = r"^[+\-\u2212]?[\d.,\s]*\d[\d.,\s]*(?:[eE][+-]?\d+)?\s*%?$"

# Currency symbols and ISO codes written before or after an amount, and the currency each means.
CURRENCIES = {"€": "€", "EUR": "€", "$": "$", "USD": "$", "£": "£", "GBP": "£", "¥": "¥", "JPY": "¥",
              "CHF": "CHF", "CAD": "CAD", "AUD": "AUD"}
CURRENCY_TOKEN = "(?:" + "|".join(re.escape(c) for c in CURRENCIES) + ")"
CURRENCY_SHAPE = (rf"^[+\-\u2212]?\s*{CURRENCY_TOKEN}?\s*[+\-\u2212]?[\d.,\s]*\d[\d.,\s]*\s*{CURRENCY_TOKEN}?$")
_CURRENCY_CELL = re.compile(CURRENCY_SHAPE)
_CURRENCY_EDGES = re.compile(rf"^[+\-\u2212]?\s*{CURRENCY_TOKEN}\s*|\s*{CURRENCY_TOKEN}$")


def _currency_first(text: str) -> bool:
    """Whether a currency symbol or code opens the cell (string slicing: cheaper than a regex)."""
    start = text.lstrip("+-\u2212 ")
    return start[:1] in ("€", "$", "£", "¥") or start[:3] in CURRENCIES


def _as_amount(text: pl.Series, filled: int, decimal: str | None) -> _Typed:
    """Amounts such as '1 234,50 €', '€1,234.50' or 'USD 1,234': one currency gives Float64
    numbers; several currencies in one column cannot be added up, so it stays text."""
    name = text.name
    found = text.str.extract_all(CURRENCY_TOKEN).explode().drop_nulls().unique().to_list()
    currencies = sorted({CURRENCIES[token] for token in found})
    if len(currencies) > 1:
        return _Typed(text, note=f"Column '{name}' mixes currencies ({', '.join(currencies)}); "
                                 "it is kept as text.")
    amounts = text.str.replace_all(CURRENCY_TOKEN, "").str.replace(r"^([+\-\u2212])\s+", "$1").str.strip_chars()
    typed = _as_number(amounts, _probe(amounts), filled, decimal)
    if typed is None or typed.percent or not typed.series.dtype.is_numeric():
        return _Typed(text)
    return _Typed(typed.series.cast(pl.Float64), thousands=typed.thousands,
                  note=f"Currency symbols ({', '.join(currencies)}) removed from column '{name}'; "
                       "its amounts are read as numbers.")


@dataclass(frozen=True)
class _FastNumber:
    """How the probe says a numeric column is written; checked on every cell by `expressions`."""

    percent: bool
    spaces: tuple[str, ...]  # space characters to remove (thousands marks, the one before '%')
    thousands: str | None
    decimal_comma: bool
    grouping: str  # the other mark: its presence anywhere sends the column to the full path
    integer: bool

    def expressions(self, name: str, check: str) -> list[pl.Expr]:
        text = pl.col(name)
        body = text.str.strip_suffix("%") if self.percent else text
        for space in self.spaces:
            body = body.str.replace_all(space, "", literal=True)
        if self.decimal_comma:
            body = body.str.replace(",", ".", literal=True)
        value = body.cast(pl.Int64 if self.integer else pl.Float64, strict=False).alias(name)
        doubtful = text.str.contains(self.grouping, literal=True).any()
        if self.integer:  # leading zeros make codes, which the full path keeps as text
            signless = text.str.strip_prefix("-").str.strip_prefix("+")
            doubtful = doubtful | (signless.str.starts_with("0") & (signless.str.len_bytes() > 1)).any()
        return [value, doubtful.alias(check)]


def _fast_number(probe: pl.Series, decimal: str | None) -> _FastNumber:
    percent = bool(probe.str.ends_with("%").any())
    body = probe.str.strip_suffix("%").str.strip_chars() if percent else probe
    spaces = tuple(m for m in SPACE_MARKS if bool(probe.str.contains(m, literal=True).any()))
    thousands = next((m for m in SPACE_MARKS if bool(body.str.contains(m, literal=True).any())), None)
    comma = decimal == ","
    plain = body
    for space in spaces:
        plain = plain.str.replace_all(space, "", literal=True)
    integer = not percent and bool(plain.str.contains(r"^[+-]?\d+$").all())
    return _FastNumber(percent, spaces, thousands, comma, "." if comma else ",", integer)


def _all_match(series: pl.Series, pattern: str) -> bool:
    return bool(series.str.contains(pattern).all())


def _as_date(text: pl.Series, probe: pl.Series, filled: int) -> _Typed | None:
    name = text.name
    if _all_match(probe, r"^\d{8}$"):
        if not _DATE_HEADER.search(name):
            return None  # eight digits without a date header is a code or an id
        candidates = [text.str.to_date("%Y%m%d", strict=False)]
    elif _all_match(probe, r"^\d{4}-\d{2}-\d{2}$"):
        candidates = [text.str.to_date("%Y-%m-%d", strict=False)]
    elif _all_match(probe, r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}"):
        iso = text.str.replace("T", " ", literal=True).str.strip_suffix("Z")
        candidates = [pl.select(pl.coalesce(iso.str.to_datetime("%Y-%m-%d %H:%M:%S%.f", strict=False),
                                             iso.str.to_datetime("%Y-%m-%d %H:%M", strict=False))).to_series()]
    elif _all_match(probe, r"^\d{1,2}/\d{1,2}/\d{4}$"):
        candidates = [text.str.to_date("%d/%m/%Y", strict=False), text.str.to_date("%m/%d/%Y", strict=False)]
    elif _all_match(probe, r"^\d{1,2}/\d{1,2}/\d{4} \d{1,2}:\d{2}(:\d{2})?$"):
        candidates = [pl.select(pl.coalesce(text.str.to_datetime("%d/%m/%Y %H:%M:%S", strict=False),
                                            text.str.to_datetime("%d/%m/%Y %H:%M", strict=False))).to_series()]
    elif _all_match(probe, r"^\d{1,2}\.\d{1,2}\.\d{4}$"):
        candidates = [text.str.to_date("%d.%m.%Y", strict=False)]
    else:
        return None
    for position, parsed in enumerate(candidates):
        if parsed.len() - parsed.null_count() == filled:
            note = f"Column '{name}' holds month/day/year dates (US order)." if position == 1 else None
            return _Typed(parsed.alias(name), note=note)
    return None


def _as_number(text: pl.Series, probe: pl.Series, filled: int, decimal: str | None) -> _Typed | None:
    """Numbers as people write them: thousands marks, decimal comma, '54,75 %'. Literal string
    operations where possible; one regex pass checks the shape of every cell."""
    if not _all_match(probe, NUMBER_SHAPE):
        return None
    percent_count = int(text.str.ends_with("%").sum())
    body = text.str.strip_suffix("%").str.strip_chars() if percent_count else text
    if bool(body.str.contains("\u2212", literal=True).any()):
        body = body.str.replace("\u2212", "-", literal=True)
    thousands = None
    for space in SPACE_MARKS:
        if bool(body.str.contains(space, literal=True).any()):
            thousands = thousands or space
            body = body.str.replace_all(space, "", literal=True)
    first, second = (",", ".") if decimal == "," else (".", ",")
    for mark in (first, second):
        grouping = "." if mark == "," else ","
        plain = body
        if bool(body.str.contains(grouping, literal=True).any()):
            # grouping marks must sit every three digits: only then check each cell's shape
            if int(body.str.contains(COMMA_NUMBER if mark == "," else DOT_NUMBER).sum()) != filled:
                continue
            plain = plain.str.replace_all(grouping, "", literal=True)
            marks = thousands or grouping
        else:
            marks = thousands
        if mark == ",":
            plain = plain.str.replace(",", ".", literal=True)
        typed = _number_series(text, plain, filled, percent_count > 0, marks)
        if typed is not None:
            return typed
    return None


def _number_series(text: pl.Series, plain: pl.Series, filled: int, percent: bool,
                   thousands: str | None) -> _Typed | None:
    name = text.name
    if not percent:
        as_int = plain.cast(pl.Int64, strict=False)
        if as_int.len() - as_int.null_count() == filled:
            unsigned = plain.str.strip_prefix("-").str.strip_prefix("+")
            if bool((unsigned.str.starts_with("0") & (unsigned.str.len_bytes() > 1)).any()):
                return _Typed(text, note=f"Column '{name}' is kept as text: its numbers have leading "
                                         "zeros, so they are codes.")
            return _Typed(as_int.alias(name), thousands=thousands)
        whole = not any(bool(plain.str.contains(ch, literal=True).any()) for ch in ".eE")
        if whole and _all_match(plain.drop_nulls(), r"^[+-]?\d+$"):
            return _Typed(text, note=f"Column '{name}' is kept as text: its whole numbers are too long "
                                     "for numbers (identifiers).")
    as_float = plain.cast(pl.Float64, strict=False)
    if as_float.len() - as_float.null_count() != filled:
        return None
    return _Typed(as_float.alias(name), percent=percent, thousands=thousands)


# ----------------------------------------------------------------------------------------
# Total rows (a spreadsheet or Universal Analytics 'Total' line would count everything twice)


TOTAL_LABELS = frozenset({"total", "totals", "totaux", "grand total", "total général", "total general",
                          "totale", "sum", "somme", "summe", "gesamt", "gesamtsumme", "insgesamt"})


def _is_total_row(frame: pl.DataFrame) -> bool:
    """Whether the last row is the total of the rows above: its first cell is empty or a total
    word, every whole-number cell is its column's sum above, every decimal cell its column's sum
    within rounding or, once a whole-number column adds up, an average (between the column's
    smallest and largest value: a bounce rate, pages per session). Never a row that does not add up."""
    if frame.height < 3:
        return False
    columns = frame.get_columns()
    label = columns[0][-1]
    if label is not None and not (isinstance(label, str) and label.strip().rstrip(":").strip().casefold()
                                  in TOTAL_LABELS):
        return False
    counts_add_up = decimals_add_up = averages = False
    for column in columns:
        total = column[-1]
        if total is None or not column.dtype.is_numeric():
            continue
        above = column.head(column.len() - 1).drop_nulls()
        if above.len() < 2:
            return False
        if column.dtype.is_integer():
            if total != above.sum():
                return False
            counts_add_up = counts_add_up or total != 0
        elif abs(total - above.sum()) <= _rounding_slack(column.drop_nulls(), above.len()) + 1e-9 * abs(total):
            decimals_add_up = decimals_add_up or total != 0
        elif above.min() <= total <= above.max():
            averages = True
        else:
            return False
    return counts_add_up or (decimals_add_up and not averages)


def _rounding_slack(values: pl.Series, count: int) -> float:
    """How far a sum of `count` rounded numbers may drift from their rounded total: half a step
    per number and for the total, at most 3·√(count + 1) half steps (rounding errors cancel out
    in long columns; 199.06 is not 200 in a column of 200 weights)."""
    step = 1e-6
    for decimals in range(7):  # 1, 0.1, 0.01…: the step the numbers are written to
        scaled = values * 10**decimals
        if float((scaled - scaled.round()).abs().max()) < 1e-6:
            step = 10.0**-decimals
            break
    return step / 2 * min(count + 1, 3 * (count + 1) ** 0.5)


def _without_total(frame: pl.DataFrame, decimal: str | None) -> tuple[pl.DataFrame, str | None]:
    """The frame without its last row; a first column that was text only because of the total
    word is typed again (dates ending with 'Total'). Returns the typing note, if any."""
    frame = frame.head(frame.height - 1)
    label = frame.get_columns()[0]
    if label.dtype != pl.String:
        return frame, None
    typed = _type_column(label, decimal)
    return frame.with_columns(typed.series), typed.note


# ----------------------------------------------------------------------------------------
# CSV


@dataclass(frozen=True)
class _FieldCounts:
    """What checking every record's field count against the header found."""
    problem: str | None  # why the file cannot be read, or None
    short: int  # rows with fewer fields than the header, read with empty trailing cells
    first_short: int | None  # file line of the first of them


class _CsvReader:
    """One CSV read: holds what was sniffed so the steps can share it."""

    def __init__(self, data: bytes | None, path: Path | None, name: str, head: bytes, limits: Limits):
        self.data = data
        self.path = path
        self.name = name
        self.head = head
        self.limits = limits
        self.notes: list[str] = []
        self.summaries: list[TableInfo] = []
        self.commented = False  # starts with '#' lines (GA4, UA): a preamble before the tables
        self.replaced_lines: tuple[int, ...] = ()
        self.header_records: list[list[str]] = []  # the header rows of the table being read

    @property
    def extra_header_rows(self) -> int:
        """Header rows after the first (a survey tool's question texts, ImportIds…)."""
        return max(len(self.header_records) - 1, 0)

    # -- bytes in UTF-8 -------------------------------------------------------------------

    def _whole(self) -> bytes:
        if self.data is None:
            assert self.path is not None
            try:
                self.data = self.path.read_bytes()
            except OSError:
                raise InputError(f"The file '{self.name}' cannot be read; check it and try again.") from None
        return self.data

    def _utf8_body(self, encoding: _Encoding) -> tuple[bytes | Path, _Encoding]:
        """The body as UTF-8 bytes, or the path itself when polars can read the file as it is;
        and the encoding, which decoding the whole file may have changed."""
        if encoding.codec == "utf-8" and not encoding.damaged:
            if self.data is None and self.path is not None:
                return self.path, encoding
            return (self.data[encoding.bom:] if encoding.bom else self.data), encoding  # type: ignore[index]
        body, codec = self._decode_all(encoding.codec, encoding.bom)
        if codec != encoding.codec and not codec.startswith("utf-16"):
            encoding = _Encoding(codec, codec, 0, None)
            self.notes.append(f"The file is not UTF-8; read it as {codec}.")
        return body, encoding

    def _decode_all(self, codec: str, bom: int) -> tuple[bytes, str]:
        """Decode everything after the BOM and re-encode as UTF-8; returns (bytes, codec used)."""
        raw = self._whole()[bom:]
        try:
            text = raw.decode(codec)
        except UnicodeDecodeError:
            if codec.startswith("utf-16"):
                raise InputError(f"'{self.name}' announces UTF-16 text but is cut or damaged; "
                                 "export it again.") from None
            if codec == "utf-8" and _mostly_utf8(raw):
                return self._repair(raw), "utf-8"
            try:
                codec, text = "cp1252", raw.decode("cp1252")
            except UnicodeDecodeError:
                codec, text = "latin-1", raw.decode("latin-1")
        _refuse_binary_text(text[:SNIFF_BYTES], self.name)
        return text.encode("utf-8"), codec

    def _repair(self, raw: bytes) -> bytes:
        """UTF-8 text with a few invalid bytes: replace them, say on which lines."""
        text, lines, count = _repaired_utf8(raw)
        self.replaced_lines = tuple(lines[:1000])
        shown = ", ".join(map(str, lines[:5])) + (", …" if len(lines) > 5 else "")
        self.notes.append(f"{count} byte sequence{'s are' if count > 1 else ' is'} not valid UTF-8 "
                          f"(line{'s' if len(lines) > 1 else ''} {shown}); "
                          f"{'they were' if count > 1 else 'it was'} replaced by '\ufffd' and the "
                          "file read as UTF-8.")
        return text.encode("utf-8")

    # -- main -----------------------------------------------------------------------------

    def read(self, table: int) -> ReadResult:
        complete = self.data is not None and len(self.data) <= SNIFF_BYTES
        encoding = _sniff_encoding(self.head, complete, self.name)
        if encoding.note:
            self.notes.append(encoding.note)
        head_text = self.head[encoding.bom:].decode(encoding.codec, errors="replace")
        _refuse_binary_text(head_text, self.name)
        body, encoding = self._utf8_body(encoding)

        if "\n" not in head_text and "\r" in head_text:  # classic Mac line ends
            text = (body.read_bytes() if isinstance(body, Path) else body).decode("utf-8", errors="replace")
            body = text.replace("\r\n", "\n").replace("\r", "\n").encode("utf-8")
            self.notes.append("Lines end with a bare carriage return (old Mac format); read as ordinary lines.")

        first_line = head_text.lstrip("\ufeff \t\r\n").split("\n", 1)[0].encode("utf-8")
        self.commented = _is_comment(first_line)
        if self.commented or self._tables_in_head(body, encoding):
            if isinstance(body, Path):
                body = self._whole()[encoding.bom:]
            tables = _find_tables(body)
        else:
            tables = None
        first_notes = len(self.notes)
        try:
            return self._read_tables(body, encoding, tables, table)
        except _NotUtf8:
            del self.notes[first_notes:]
            body, codec = self._decode_all("utf-8", encoding.bom)
            encoding = _Encoding(codec, codec, 0, None)
            if codec != "utf-8":
                self.notes.append(f"The file is not valid UTF-8 beyond its first 64 KB; read it as {codec}.")
            tables = _find_tables(body) if tables is not None else None
            return self._read_tables(body, encoding, tables, table)

    def _tables_in_head(self, body: bytes | Path, encoding: _Encoding) -> bool:
        """Whether the first 64 KB hold tables separated by blank lines only (no '#' preamble)."""
        head = body[:SNIFF_BYTES] if isinstance(body, bytes) else self.head[encoding.bom:]
        if not isinstance(body, bytes) or len(body) > SNIFF_BYTES:
            head = head[:head.rfind(b"\n") + 1]  # drop the cut line
        return _BLANK_LINE.search(head) is not None and len(_find_tables(head)) > 1

    def _late_tables(self, body: bytes | Path, encoding: _Encoding) -> tuple[bytes, list[_Table]] | None:
        """(body, tables) when the whole body holds several tables separated by blank lines."""
        raw = self._whole()[encoding.bom:] if isinstance(body, Path) else body
        tables = _find_tables(raw)
        return (raw, tables) if len(tables) > 1 else None

    def _raise_late_tables(self, body: bytes | Path, encoding: _Encoding) -> None:
        """Blank rows or a row of another width showed up beyond the first 64 KB: look for tables."""
        late = self._late_tables(body, encoding)
        if late is not None:
            raise _LateTables(*late)

    def _read_tables(self, body: bytes | Path, encoding: _Encoding, tables: list[_Table] | None,
                     table: int) -> ReadResult:
        if tables is None:
            late = self._late_tables(body, encoding) if table != 0 else None
            if late is None:
                if table != 0:
                    raise InputError(f"There is no table {table} in '{self.name}'; it holds one table, number 0.")
                first_notes = len(self.notes)
                try:
                    return self._read_one(body, encoding, None, table)
                except _LateTables as found:
                    del self.notes[first_notes:]
                    late = found.body, found.tables
            body, tables = late
        if not tables:
            raise InputError(f"'{self.name}' holds only comment lines ('#'), no table; "
                             "export the report again with its data.")
        assert isinstance(body, bytes)
        if len(tables) > 1:
            self.summaries = _summaries(body, tables)
            if not 0 <= table < len(tables) or self.summaries[table].rows == 0:
                usable = "; ".join(f"{t.index} ({t.title or ', '.join(t.columns)})"
                                   for t in self.summaries if t.rows)
                what = f"There is no table {table}" if not 0 <= table < len(tables) else \
                    f"Table {table} (header on line {tables[table].header_line}) has no data rows"
                raise InputError(f"{what} in '{self.name}'; choose one of the tables with data: {usable}.")
        elif table != 0:
            raise InputError(f"There is no table {table} in '{self.name}'; it holds one table, number 0.")
        if len(tables) > 1:
            self.notes.append(f"The file holds {len(tables)} tables separated by blank lines; "
                              f"table {table} was read.")
        return self._read_one(body, encoding, tables, table)

    def _read_one(self, body: bytes | Path, encoding: _Encoding, tables: list[_Table] | None,
                  index: int) -> ReadResult:
        if tables is None:
            region, skip, header_line, preamble = body, None, None, ()
        else:
            chosen = tables[index]
            assert isinstance(body, bytes)
            region = body[chosen.start:chosen.end]
            skip, header_line, preamble = 0, chosen.header_line, chosen.preamble
            if preamble:
                self.notes.append(f"Skipped {len(preamble)} comment or title line{'s' if len(preamble) != 1 else ''} "
                                  "before the header.")

        sample_bytes, whole = self._sample(region, encoding)
        sample = sample_bytes.decode("utf-8", errors="replace")
        if not whole:
            sample = sample[: sample.rfind("\n") + 1] or sample  # drop the cut line
        if skip is None:  # single table: skip leading blank lines
            stripped = sample.lstrip("\ufeff \t\r\n")
            skip = sample[: len(sample) - len(stripped)].count("\n")
            header_line = skip + 1
            sample = stripped
        if not sample.strip():
            raise InputError(f"The file '{self.name}' is empty (only blank lines); export it again with its data.")

        sep = _choose_separator(sample)
        records = _records(sample, sep, SAMPLE_RECORDS + 1)
        if not records:
            raise InputError(f"The header on line {header_line} of '{self.name}' cannot be read (a quote "
                             "is opened but never closed); fix that line and try again.")
        if len(records[0]) > self.limits.max_columns:
            raise InputError(f"The header of '{self.name}' (line {header_line}) has {len(records[0]):,} columns, "
                             f"above the {self.limits.max_columns:,} limit; export fewer columns, or split the file.")
        header = tools.read_header(records[:4])
        self.header_records = records[:header.rows]
        names, name_notes = _clean_names(list(header.names))
        self.notes.extend(name_notes)
        body_records = records[header.rows:]
        cells = [field for record in body_records for field in record]
        decimal, thousands = _number_marks(cells, sep)
        width = len(names)
        columns = [[r[i] for r in body_records if i < len(r) and r[i] != ""] for i in range(width)]
        plan = [_fast_dtype(n, v, decimal, sep) for n, v in zip(names, columns)]

        try:
            frame = self._parse(region, sep, skip, names, plan, decimal, header_line or 1)
            if frame.height > self.limits.max_rows:
                raise InputError(f"'{self.name}' has more than {self.limits.max_rows:,} rows, the limit; "
                                 "export a shorter period or fewer dimensions.")
            parsed_rows = frame.height
            frame = self._drop_blank_rows(frame, region, sep, names, header_line or 1, skip)
        except InputError:
            if tables is None:  # a second table beyond the sniffed head may be why
                self._raise_late_tables(body, encoding)
            raise
        if tables is None and frame.height < parsed_rows:
            self._raise_late_tables(body, encoding)
        if frame.height == 0:
            # polars returns no row when a quote opened on the first data line runs to the end
            problem = self._locate(region, sep, width, header_line or 1, skip).problem
            if problem:
                raise InputError(problem)
            raise InputError(f"'{self.name}' has a header on line {header_line} but no data rows; "
                             "export it again with its data" +
                             (", or choose another table." if tables and len(tables) > 1 else "."))

        blanks = _blank_edges(region)
        prepared = tools.prepare(frame if blanks == "none" else _stripped(frame, spaces_only=blanks == "spaces"),
                                 header)
        columns = prepared.frame.get_columns()
        texts = [c for c in columns if c.dtype == pl.String]
        results = dict(zip((c.name for c in texts), _type_columns(texts, decimal)))
        percent_columns, seen_thousands = [], []
        for result in results.values():
            if result.percent:
                percent_columns.append(result.series.name)
            if result.thousands:
                seen_thousands.append(result.thousands)
            if result.note:
                self.notes.append(result.note)
        frame = pl.DataFrame([results[c.name].series if c.name in results else c for c in columns])
        dropped: tuple[int, ...] = ()
        if _is_total_row(frame):
            dropped = (self._last_row_line(region, sep, frame.row(-1), header_line if tables else 1),)
            frame, note = _without_total(frame, decimal)
            self.notes.extend(filter(None, [note, f"Line {dropped[0]} is a total row (the sums of the rows "
                                                  "above); left out so nothing is counted twice."]))
        thousands = thousands or (Counter(seen_thousands).most_common(1)[0][0] if seen_thousands else None)
        if decimal == ",":
            self.notes.append("Numbers use a decimal comma.")
        if thousands:
            self.notes.append(f"Thousands are separated by a {SPACE_MARK_NAMES.get(thousands, thousands)}.")

        self.notes.extend(_survey_notes(header, prepared))
        infos = self._table_infos(tables, index, tuple(frame.columns), frame.height, header_line or 1)
        report = ReadReport(
            file_name=self.name, format="csv", encoding=encoding.name, separator=sep, decimal=decimal,
            thousands=thousands, header_line=header_line, preamble=tuple(preamble), tables=infos,
            table_index=index, sheets=(), sheet=None, rows=frame.height, columns=tuple(frame.columns),
            percent_columns=tuple(percent_columns), notes=tuple(self.notes), dropped_lines=dropped,
            **_survey_fields(header, prepared, frame.columns), replaced_lines=self.replaced_lines)
        return ReadResult(frame, report, _column_infos(frame.columns, prepared))

    def _sample(self, region: bytes | Path, encoding: _Encoding) -> tuple[bytes, bool]:
        """(the region's first bytes, whether they are all of it): 64 KB, or the whole first
        record and 64 KB after it when the header line is longer."""
        size = SNIFF_BYTES
        while True:
            chunk, whole = self._region_head(region, encoding, size)
            end = _record_end(chunk)
            if whole or end is not None:
                break
            size *= 4
        if not whole and end is not None and end + SNIFF_BYTES > size:
            chunk, whole = self._region_head(region, encoding, end + SNIFF_BYTES)
        return chunk, whole

    def _region_head(self, region: bytes | Path, encoding: _Encoding, size: int) -> tuple[bytes, bool]:
        if isinstance(region, bytes):
            return region[:size], size >= len(region)
        with region.open("rb") as handle:
            chunk = handle.read(size + encoding.bom)[encoding.bom:]
        return chunk, len(chunk) < size

    def _last_row_line(self, region: bytes | Path, sep: str, row: tuple[object, ...], first_line: int) -> int:
        """File line where the last row starts: newlines before the region's last non-blank
        byte, less those inside the row's quoted cells (runs only when a total row is dropped)."""
        raw = self._whole() if isinstance(region, Path) else region
        tail_start = max(0, len(raw) - SNIFF_BYTES)
        tail = re.sub(rb"[\s" + re.escape(sep.encode()) + rb"]+\Z", b"", raw[tail_start:])
        inside = sum(cell.count("\n") for cell in row if isinstance(cell, str))
        return first_line + raw.count(b"\n", 0, tail_start + len(tail)) - inside

    # -- parsing --------------------------------------------------------------------------

    def _polars(self, region: bytes | Path, sep: str, skip: int, names: list[str],
                plan: list[pl.DataType] | None, decimal_comma: bool, quote: str | None) -> pl.DataFrame:
        try:
            return pl.read_csv(
                region, has_header=True, separator=sep, quote_char=quote, skip_lines=skip,
                new_columns=names, infer_schema=False, schema_overrides=plan,
                skip_rows_after_header=self.extra_header_rows,
                n_rows=self.limits.max_rows + 1, decimal_comma=decimal_comma,
                truncate_ragged_lines=False, raise_if_empty=False, encoding="utf8")
        except (pl.exceptions.PolarsError, pl.exceptions.PanicException) as error:
            if "utf-8" in str(error).lower() or "utf8" in str(error).lower():
                raise _NotUtf8() from None
            raise _ParseFailed(str(error).split("\n", 1)[0]) from None

    def _parse(self, region: bytes | Path, sep: str, skip: int, names: list[str], plan: list[pl.DataType],
               decimal: str | None, header_line: int) -> pl.DataFrame:
        typed = plan
        decimal_comma = decimal == "," and sep != "," and any(d == pl.Float64 for d in typed)
        attempts: list[tuple[list[pl.DataType] | None, bool, str | None]] = []
        if any(d != pl.String for d in typed):
            attempts.append((typed, decimal_comma, '"'))
        attempts.append((None, False, '"'))
        for plan_try, comma, quote in attempts:
            try:
                return self._polars(region, sep, skip, names, plan_try, comma, quote)
            except _ParseFailed:
                continue  # a later value did not fit the sampled type, or the structure is broken
        problem = self._locate(region, sep, len(names), header_line, skip).problem
        if problem:
            raise InputError(problem)
        text = self._region_text(region, skip)
        if not re.search(rf'(?:^|{re.escape(sep)})[ \t]*"', text, re.M):
            try:
                frame = self._polars(region, sep, skip, names, None, False, None)
                self.notes.append("Stray double quotes inside fields were kept as ordinary characters.")
                return frame
            except _ParseFailed:
                pass
        raise InputError(f"'{self.name}' could not be read as a table after its header on line {header_line}; "
                         "check that it is a plain CSV export and try again.")

    def _region_text(self, region: bytes | Path, skip: int) -> str:
        raw = self._whole() if isinstance(region, Path) else region
        if isinstance(region, Path) and raw.startswith(codecs.BOM_UTF8):
            raw = raw[3:]
        text = raw.decode("utf-8", errors="replace")
        for _ in range(skip):
            text = text.split("\n", 1)[1] if "\n" in text else ""
        return text

    def _locate(self, region: bytes | Path, sep: str, width: int, header_line: int, skip: int) -> _FieldCounts:
        """The first record with more fields than the header, or an unclosed quote, and the rows
        with fewer fields. Python's csv module here: this runs only on the error path."""
        text = self._region_text(region, skip)
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=sep, quotechar='"', strict=True)
        previous = 0
        short = 0
        first_short: int | None = None
        header_rows = 1 + self.extra_header_rows
        try:
            for record in reader:
                start = previous + 1
                previous = reader.line_num
                if header_rows:
                    header_rows -= 1
                    continue
                if not record or not any(field.strip() for field in record):
                    continue
                line = header_line + start - 1
                # Many writers (GA4, ODK Central, spreadsheets) leave trailing empty cells out, so a
                # short row loses nothing; a long one would lose or shift data.
                if len(record) < width:
                    short += 1
                    first_short = first_short or line
                elif len(record) > width:
                    return _FieldCounts(
                        f"Line {line} of '{self.name}' has {len(record)} fields but the header "
                        f"(line {header_line}) has {width}; fix that line (a missing or extra "
                        f"separator '{sep}', or an unquoted value containing one) and try again.",
                        short, first_short)
        except csv.Error:
            line = header_line + previous
            return _FieldCounts(f"A quoted field starting on line {line} of '{self.name}' is never closed "
                                "properly; fix the quotes on that line and try again.", short, first_short)
        return _FieldCounts(None, short, first_short)

    def _drop_blank_rows(self, frame: pl.DataFrame, region: bytes | Path, sep: str, names: list[str],
                         header_line: int, skip: int) -> pl.DataFrame:
        """Blank lines arrive as all-null rows and short rows are padded with nulls; polars cannot
        tell them apart, so count separators to be sure no row is short (only when nulls exist)."""
        if frame.height == 0 or frame.get_columns()[-1].null_count() == 0:
            return frame
        empty = [pl.col(c.name).is_null() | (pl.col(c.name).str.strip_chars() == "") if c.dtype == pl.String
                 else pl.col(c.name).is_null() for c in frame.get_columns()]
        blank = frame.select(pl.all_horizontal(empty)).to_series()
        width = len(names)
        if width > 1:
            raw = self._whole() if isinstance(region, Path) else region
            headers = self.header_records or [names]
            expected = sum(len(r) - 1 for r in headers) + frame.height * (width - 1)
            inside = sum(cell.count(sep) for r in headers for cell in r) + sum(
                int(c.str.count_matches(sep, literal=True).sum()) for c in frame.get_columns()
                if c.dtype == pl.String)
            if raw.count(sep.encode("utf-8")) - inside != expected:
                counts = self._locate(region, sep, width, header_line, skip)
                if counts.problem:
                    raise InputError(counts.problem)
                if counts.short:
                    rows = f"{counts.short:,} row{'s have' if counts.short > 1 else ' has'}"
                    self.notes.append(f"{rows} fewer fields than the header (line {header_line}), the first on "
                                      f"line {counts.first_short}; the missing trailing cells are left empty "
                                      "(the exporting tool leaves trailing empty cells out).")
        blank_count = int(blank.sum())
        if blank_count:
            self.notes.append(f"Skipped {blank_count} blank row{'s' if blank_count > 1 else ''}.")
            return frame.filter(~blank)
        return frame

    def _table_infos(self, tables: list[_Table] | None, index: int, columns: tuple[str, ...], rows: int,
                     header_line: int) -> tuple[TableInfo, ...]:
        if tables is None:
            return (TableInfo(0, None, header_line, columns, rows),)
        if len(tables) == 1:
            return (TableInfo(index, _table_title(tables[index].preamble), tables[index].header_line, columns, rows),)
        chosen = TableInfo(index, self.summaries[index].title, tables[index].header_line, columns, rows)
        return tuple(chosen if info.index == index else info for info in self.summaries)


def _summaries(body: bytes, tables: list[_Table]) -> list[TableInfo]:
    """Columns and row counts of every table of a multi-table export. Tables above 64 KB are
    counted by polars (a big table followed by a small one), the small ones by the csv module."""
    found: list[tuple[tuple[str, ...], int]] = []
    for t in tables:
        region = body[t.start:t.end]
        text = region[:SNIFF_BYTES].decode("utf-8", errors="replace")
        sep = _choose_separator(text)
        if len(region) <= SNIFF_BYTES:
            records = _records(text, sep, 10**9)
            rows = max(len(records) - 1, 0)
        else:
            records = _records(text, sep, 1)
            rows = _count_rows(region, sep)
        found.append((tuple(_clean_names(records[0])[0]) if records else (), rows))
    titles = _dated_titles(tables, [names for names, _ in found])
    return [TableInfo(i, title, t.header_line, names, rows)
            for i, (t, title, (names, rows)) in enumerate(zip(tables, titles, found))]


def _count_rows(region: bytes, sep: str) -> int:
    """Non-blank rows after the header, read by polars as text (lines when it refuses them)."""
    try:
        first = pl.read_csv(region, separator=sep, infer_schema=False, columns=[0], truncate_ragged_lines=True,
                            raise_if_empty=False).to_series()
        return first.len() - int((first.str.strip_chars().fill_null("") == "").sum())
    except (pl.exceptions.PolarsError, pl.exceptions.PanicException):
        return region.count(b"\n")


class _NotUtf8(Exception):
    """The sample was UTF-8 but the body is not: decode it as Windows-1252 and start again."""


class _ParseFailed(Exception):
    """polars refused the body with these settings."""


class _LateTables(Exception):
    """The body holds several tables that the sniffed head did not show: read them as such."""

    def __init__(self, body: bytes, tables: list[_Table]):
        super().__init__()
        self.body, self.tables = body, tables


def _record_end(chunk: bytes) -> int | None:
    """Offset of the newline that ends the first record (after leading blank lines), or None
    when the chunk ends first. A newline inside quotes is part of the record."""
    start = len(chunk) - len(chunk.lstrip(b"\xef\xbb\xbf \t\r\n"))
    pos = chunk.find(b"\n", start)
    quotes = chunk.count(b'"', start, pos) if pos >= 0 else 0
    while pos >= 0 and quotes % 2:
        following = chunk.find(b"\n", pos + 1)
        if following < 0:
            return None
        quotes += chunk.count(b'"', pos, following)
        pos = following
    return pos if pos >= 0 else None


def _column_infos(names: list[str], prepared: tools.Prepared) -> tuple[ColumnInfo, ...]:
    header = prepared.header
    return tuple(ColumnInfo(name, header.question_ids[i], header.questions[i], prepared.options[i],
                            (), prepared.missing[i], prepared.separators[i], header.open_text[i])
                 for i, name in enumerate(names))


def _survey_fields(header: tools.Header, prepared: tools.Prepared, names: list[str]) -> dict[str, object]:
    """The report fields a survey-tool export fills."""
    return {"tool": header.tool, "header_rows": header.rows,
            "metadata_columns": tuple(n for n, meta in zip(names, header.metadata) if meta),
            "missing_cells": prepared.missing_counts}


def _survey_notes(header: tools.Header, prepared: tools.Prepared) -> list[str]:
    notes = []
    if header.tool and header.rows > 1:
        notes.append(f"{tools.TOOL_NAMES[header.tool]} export: the {header.rows} header rows are read as "
                     "column names and question texts, not as respondents.")
    elif header.tool:
        notes.append(f"{tools.TOOL_NAMES[header.tool]} export.")
    if prepared.missing_counts:
        codes = sorted({code for codes in prepared.missing for code in codes})
        shown = ", ".join(f"{n:,} in '{_short(c, 40)}'" for c, n in prepared.missing_counts[:3])
        more = f" and {len(prepared.missing_counts) - 3} more columns" if len(prepared.missing_counts) > 3 else ""
        notes.append(f"Cells meaning 'no answer' ({', '.join(repr(c) for c in codes)}) are left empty: "
                     f"{shown}{more}.")
    return notes


# ----------------------------------------------------------------------------------------
# Excel and Parquet


EXCEL_PROBE_ROWS = 100  # rows read as text to find the header


def _read_excel(source: bytes | Path, name: str, sheet: str | int | None, limits: Limits) -> ReadResult:
    import fastexcel  # the engine polars.read_excel uses; also lists the sheets

    raw = source if isinstance(source, bytes) else _read_path(source, name)
    if raw.startswith(b"PK\x03\x04"):  # xlsx, xlsm, ods: measured before fastexcel opens them
        _check_container(raw, name, sheet, limits)
    try:
        workbook = fastexcel.read_excel(raw)
        sheets = tuple(workbook.sheet_names)
    except Exception:  # any failure of the third-party parser means a damaged workbook
        raise InputError(f"'{name}' cannot be opened as an Excel workbook (it may be damaged or not "
                         "really Excel); open it in Excel, save it again, and retry.") from None
    if not sheets:
        raise InputError(f"The workbook '{name}' has no sheets; save it again with its data.")
    position = _sheet_position(sheet, sheets, name)
    title = sheets[position]
    damaged = InputError(f"Sheet '{title}' of '{name}' cannot be read (the workbook may be damaged); "
                         "open it in Excel, save it again, and retry.")
    try:
        # as text, so that no column is typed (fastexcel warns on stderr about columns it cannot type)
        probe = workbook.load_sheet(position, header_row=None, skip_rows=0, n_rows=EXCEL_PROBE_ROWS,
                                    dtypes="string").to_polars()
    except Exception:
        raise damaged from None
    rows = [["" if v is None else str(v).strip() for v in row] for row in probe.iter_rows()]
    header, preamble = _excel_header(rows)
    if header is None:
        raise InputError(f"Sheet '{title}' of '{name}' is empty; choose another sheet: {', '.join(sheets)}.")
    if len(rows[header]) > limits.max_columns:
        raise InputError(f"Sheet '{title}' of '{name}' has {len(rows[header]):,} columns, above the "
                         f"{limits.max_columns:,} limit; keep fewer columns.")
    layout = tools.read_header(rows[header:header + 4])
    extra = layout.rows - 1  # a survey tool's question texts or ImportIds under the header
    empty = {j for j in range(probe.width) if not any(row[j] for row in rows[header + 1 + extra:])}
    try:
        frame = workbook.load_sheet(position, header_row=header, skip_rows=extra or None, schema_sample_rows=None,
                                    n_rows=limits.max_rows + 1,
                                    dtypes={j: "string" for j in empty} or None).to_polars()
    except Exception:
        raise damaged from None
    raw_names = (list(layout.names) + [""] * frame.width)[:frame.width]
    names, notes = _clean_names(raw_names)
    frame = frame.rename(dict(zip(frame.columns, names)))
    if header:
        above = "the row above it was" if header == 1 else f"the {header} rows above it were"
        notes.append(f"The header is on row {header + 1} of sheet '{title}'; {above} skipped "
                     "(a title, '#' lines or blank rows).")

    blank = frame.select(pl.all_horizontal(
        pl.col(c.name).is_null() | (pl.col(c.name).str.strip_chars() == "") if c.dtype == pl.String
        else pl.col(c.name).is_null() for c in frame.get_columns())).to_series()
    filled = (~blank).arg_true()
    if filled.len() == 0:
        raise InputError(f"Sheet '{title}' of '{name}' has a header (row {header + 1}) but no data rows; "
                         "add data or choose another sheet.")
    last_row = header + 2 + extra + int(filled[-1])  # sheet row of the last data row
    if filled.len() < frame.height:
        frame = frame.filter(~blank)
        skipped = int(filled[-1]) + 1 - filled.len()  # blank rows between data rows
        if skipped:
            notes.append(f"Skipped {skipped} blank row{'s' if skipped > 1 else ''}.")
    if frame.height > limits.max_rows:
        raise InputError(f"Sheet '{title}' of '{name}' has {frame.height:,} rows, above the "
                         f"{limits.max_rows:,} limit; keep fewer rows.")

    prepared = tools.prepare(_stripped(frame), layout)
    columns = prepared.frame.get_columns()
    texts = [c for c in columns if c.dtype == pl.String]
    results = dict(zip((c.name for c in texts), _type_columns(texts, None)))
    percent_columns = [n for n, r in results.items() if r.percent]
    notes.extend(r.note for r in results.values() if r.note)
    frame = pl.DataFrame([_excel_refined(results[c.name].series if c.name in results else c) for c in columns])
    dropped: tuple[int, ...] = ()
    if _is_total_row(frame):
        frame, note = _without_total(frame, None)
        frame = frame.with_columns(_excel_refined(frame.get_columns()[0]))
        dropped = (last_row,)
        notes.extend(filter(None, [note, f"Row {last_row} is a total row (the sums of the rows above); "
                                         "left out so nothing is counted twice."]))
    notes.extend(_survey_notes(layout, prepared))
    report = ReadReport(
        file_name=name, format="xlsx", encoding=None, separator=None, decimal=None, thousands=None,
        header_line=header + 1, preamble=tuple(preamble), tables=(), table_index=0, sheets=sheets,
        sheet=title, rows=frame.height, columns=tuple(frame.columns), percent_columns=tuple(percent_columns),
        notes=tuple(notes), dropped_lines=dropped, **_survey_fields(layout, prepared, frame.columns))
    return ReadResult(frame, report, _column_infos(frame.columns, prepared))


# ----------------------------------------------------------------------------------------
# Zip containers (xlsx, xlsm, ods…): measured before a parser opens them


ZIP_PART_EXEMPT = 16 * 1024 * 1024  # parts smaller than this may have any compression ratio
INFLATE_CHUNK = 1 << 20
_CELL_REF = re.compile(rb"<(?:\w+:)?c\b[^>]*?\sr=\"([A-Z]{1,3})\d")
_WIDE_REF = re.compile(rb"\sr=\"([A-Z]{2,3})\d")  # cell references from column AA on (rows have digits)
_ROW_REF = re.compile(rb"<(?:\w+:)?row\b[^>]*?\sr=\"(\d+)\"")
_ODS_ROWS_REPEATED = re.compile(rb'table:number-rows-repeated="(\d+)"')
_ODS_CELL = re.compile(rb"<table:(?:covered-)?table-cell\b([^>]*)>")
_ODS_COLUMNS_REPEATED = re.compile(rb'table:number-columns-repeated="(\d+)"')


@dataclass
class _SheetSize:
    """What a sheet's XML holds, counted while it is inflated."""

    rows: int = 0       # rows that hold cells
    last_row: int = 0   # the highest row number a row claims (xlsx 'r' attribute)
    columns: int = 0    # the widest row, up to its last cell


class _XlsxRows:
    """Counts an xlsx sheet's rows chunk by chunk, at C speed (no Python loop per row): rows are
    the '</row>' closings, the height is the last row's number, the width the widest cell
    reference (columns AA and beyond; A-Z count as 26) or, where cells carry no reference, the
    most cells in one row."""

    def __init__(self, stop: int) -> None:
        self.size = _SheetSize()
        self.stop = stop  # past this many rows, counting stops (_TooManyRows)
        self.carry = b""
        self.closing = b"</row>"
        self.referenced: bool | None = None  # whether cells carry 'r' references (decided on the first rows)

    def feed(self, chunk: bytes) -> None:
        data = self.carry + chunk
        if not self.size.rows and b"<x:row" in data:  # .NET's Open XML SDK writes prefixed tags
            self.closing = b"</x:row>"
        cut = data.rfind(self.closing)
        if cut < 0:
            self.carry = data
            return
        done, self.carry = data[:cut], data[cut + len(self.closing):]
        self.size.rows += done.count(self.closing) + 1
        last = _ROW_REF.search(done, max(0, done.rfind(b"<" + self.closing[2:-1])))
        if last:
            self.size.last_row = max(self.size.last_row, int(last.group(1)))
        if max(self.size.rows, self.size.last_row) > self.stop:
            raise _TooManyRows
        if self.referenced is None:
            self.referenced = _CELL_REF.search(done) is not None
        if self.referenced:
            wide = set(_WIDE_REF.findall(done))
            width = max((_column_number(ref) for ref in wide), default=0)
            self.size.columns = max(self.size.columns, width or 26)
        else:
            pieces = done.split(self.closing)
            self.size.columns = max(self.size.columns, max(map(bytes.count, pieces, repeat(b"<c"))))


class _OdsRows:
    """Counts an OpenDocument sheet's rows: a row or cell may stand for many ('repeated'), which
    counts only when it holds a value (trailing blank rows and cells are written that way)."""

    def __init__(self, stop: int) -> None:
        self.size = _SheetSize()
        self.stop = stop  # past this many rows (all sheets together), counting stops (_TooManyRows)
        self.carry = b""

    def feed(self, chunk: bytes) -> None:
        data = self.carry + chunk
        cut = data.rfind(b"</table:table-row>")
        if cut < 0:
            self.carry = data
            return
        done, self.carry = data[:cut], data[cut + len(b"</table:table-row>"):]
        for piece in done.split(b"</table:table-row>"):
            if b"office:value-type" not in piece:
                continue
            start = piece.rfind(b"<table:table-row")
            repeated = _ODS_ROWS_REPEATED.search(piece, start) if start >= 0 else None
            self.size.rows += int(repeated.group(1)) if repeated else 1
            position = width = 0
            for cell in _ODS_CELL.finditer(piece, max(start, 0)):
                columns = _ODS_COLUMNS_REPEATED.search(cell.group(1))
                position += int(columns.group(1)) if columns else 1
                if b"office:value-type" in cell.group(1):
                    width = position
            self.size.columns = max(self.size.columns, width)
        self.size.last_row = self.size.rows
        if self.size.rows > self.stop and self.size.rows * self.size.columns > 0:
            raise _TooManyRows


def _column_number(letters: bytes) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + letter - 64
    return number


class _TooManyRows(Exception):
    """A sheet being inflated went past the row limit: counting stops there."""


def _check_container(raw: bytes, name: str, sheet: str | int | None, limits: Limits) -> None:
    """Refuse a zip container (xlsx, xlsm, ods) that would take more than the limits, before
    fastexcel opens it: parts, declared sizes and ratios first; then what a parser reads (every
    part but the sheets, and the sheet asked for) is inflated here, counting real bytes (a bomb
    may declare small sizes), and the sheet's rows while they stream, stopping past the limit;
    last, the span of its cells (rows × columns)."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(raw))
        entries = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        raise InputError(f"'{name}' cannot be opened as a workbook (its zip structure is damaged); "
                         "open it in Excel, save it again, and retry.") from None
    if len(entries) > limits.max_zip_entries:
        raise InputError(f"'{name}' holds {len(entries):,} parts, above the {limits.max_zip_entries:,} a "
                         "workbook may have, so it was not opened; save it again from Excel, or as CSV.")
    declared = sum(e.file_size for e in entries)
    if declared > limits.max_unpacked_bytes:
        raise _too_big(name, declared, len(raw), limits)
    for entry in entries:
        if entry.file_size > ZIP_PART_EXEMPT and entry.file_size > limits.max_zip_ratio * max(entry.compress_size, 1):
            raise InputError(f"'{name}' expands {entry.file_size / max(entry.compress_size, 1):,.0f} times "
                             f"(its part '{entry.filename}'), which only a zip bomb does, so it was not opened; "
                             "save the data again from Excel, or as CSV.")
    budget = limits.max_unpacked_bytes

    def inflate(entry: zipfile.ZipInfo, counter: _XlsxRows | _OdsRows | None, title: str) -> None:
        nonlocal budget
        try:
            used = _inflate(archive, raw, entry, budget, counter.feed if counter else None)
        except _TooManyRows:
            raise InputError(f"Sheet '{title}' of '{name}' has more than {limits.max_rows:,} rows, the limit; "
                             "keep fewer rows, or save it as CSV.") from None
        if used > budget:
            raise _too_big(name, None, len(raw), limits)
        budget -= used

    content = _OdsRows(limits.max_rows + 1)
    titles: list[str] = []
    for entry in entries:
        if re.fullmatch(r"xl/worksheets/[^/]+\.xml", entry.filename):
            continue  # only the sheet asked for is read, below
        is_content = entry.filename == "content.xml"  # OpenDocument: every sheet is in it
        if is_content:
            head = archive.open(entry).read(1 << 20) if entry.compress_type in (0, 8) else b""
            titles = [html.unescape(m.group(1).decode("utf-8", errors="replace")) for m in re.finditer(
                rb'<table:table\b[^>]*?\btable:name="([^"]*)"', head)]
        inflate(entry, content if is_content else None, titles[0] if titles else "1")
    if titles:
        position = _sheet_position(sheet, tuple(titles), name)
        _check_span(content.size, titles[position], name, limits)
        return
    titles, order = _sheet_order(archive)
    if not titles:
        return  # not a workbook fastexcel knows: it will say so
    position = _sheet_position(sheet, tuple(titles), name)
    try:
        entry = archive.getinfo(order[position])
    except KeyError:
        return
    rows = _XlsxRows(limits.max_rows + 1)
    inflate(entry, rows, titles[position])
    _check_span(rows.size, titles[position], name, limits)


def _check_span(size: _SheetSize, title: str, name: str, limits: Limits) -> None:
    rows = max(size.rows, size.last_row)
    if rows > limits.max_rows + 1:  # the header row is one of them
        raise InputError(f"Sheet '{title}' of '{name}' has {rows:,} rows, above the {limits.max_rows:,} "
                         "limit; keep fewer rows, or save it as CSV.")
    if rows * size.columns > limits.max_cells:
        raise InputError(f"Sheet '{title}' of '{name}' spans {rows:,} rows by {size.columns:,} columns, "
                         f"above the {limits.max_cells:,}-cell limit (a cell far from the table stretches "
                         "the sheet); delete what lies outside the table, or save it as CSV.")


def _too_big(name: str, unpacked: int | None, packed: int, limits: Limits) -> InputError:
    """`unpacked`: the size the file declares, or None when inflating it went past the limit."""
    size = f"expands to {_megabytes(unpacked)}" if unpacked is not None else "expands to more than " \
        f"{_megabytes(limits.max_unpacked_bytes)}"
    return InputError(f"'{name}' {size} ({_megabytes(packed)} as uploaded), above the "
                      f"{_megabytes(limits.max_unpacked_bytes)} limit, so it was not opened; save the data as CSV, "
                      "or keep fewer rows.")


def _sheet_order(archive: zipfile.ZipFile) -> tuple[list[str], list[str]]:
    """xlsx: the sheets' names and parts in the workbook's order (the order fastexcel lists them)."""
    try:
        workbook = archive.read("xl/workbook.xml")
        rels = archive.read("xl/_rels/workbook.xml.rels")
    except KeyError:
        return [], []
    targets = {m.group(1): m.group(2) for m in re.finditer(
        rb'<Relationship\b[^>]*?\bId="([^"]+)"[^>]*?\bTarget="([^"]+)"', rels)}
    targets.update({m.group(2): m.group(1) for m in re.finditer(
        rb'<Relationship\b[^>]*?\bTarget="([^"]+)"[^>]*?\bId="([^"]+)"', rels)})
    titles, order = [], []
    for sheet in re.finditer(rb"<(?:\w+:)?sheet\b[^>]*>", workbook):
        rid = re.search(rb'\br:id="([^"]+)"', sheet.group(0)) or re.search(rb'\b\w+:id="([^"]+)"', sheet.group(0))
        title = re.search(rb'\bname="([^"]*)"', sheet.group(0))
        target = targets.get(rid.group(1), b"") if rid else b""
        path = target.decode("utf-8", errors="replace").lstrip("/")
        order.append(path if path.startswith("xl/") else f"xl/{path}")
        titles.append(html.unescape(title.group(1).decode("utf-8", errors="replace")) if title else "")
    return titles, order


def _inflate(archive: zipfile.ZipFile, raw: bytes, entry: zipfile.ZipInfo, budget: int,
             feed: Callable[[bytes], None] | None) -> int:
    """Bytes `entry` inflates to, found by inflating it here in chunks; stops once past `budget`.
    Deflate (what Office and LibreOffice write) is inflated from the raw stream, so a size the
    part declares is never trusted; other methods go through zipfile, which stops at the
    declared size."""
    total = 0
    if entry.compress_type == zipfile.ZIP_DEFLATED:
        local = raw[entry.header_offset:entry.header_offset + 30]
        if len(local) < 30 or local[:4] != b"PK\x03\x04":
            raise InputError(f"'{archive.filename or 'the workbook'}' has a damaged part ('{entry.filename}'); "
                             "open it in Excel, save it again, and retry.")
        name_size, extra_size = struct.unpack("<HH", local[26:30])
        position = entry.header_offset + 30 + name_size + extra_size
        inflater = zlib.decompressobj(-15)
        pending = b""
        while not inflater.eof:
            if not pending:
                pending = raw[position:position + INFLATE_CHUNK]
                position += len(pending)
                if not pending:
                    break
            try:
                out = inflater.decompress(pending, INFLATE_CHUNK)
            except zlib.error:
                break  # damaged: fastexcel will say so
            pending = inflater.unconsumed_tail
            total += len(out)
            if feed is not None and out:
                feed(out)
            if total > budget:
                return total
        return total
    try:
        with archive.open(entry) as handle:
            while chunk := handle.read(INFLATE_CHUNK):
                total += len(chunk)
                if feed is not None:
                    feed(chunk)
                if total > budget:
                    return total
    except (zipfile.BadZipFile, NotImplementedError, OSError, EOFError, zlib.error):
        pass  # damaged or an unknown method: fastexcel will say so
    return total



def _excel_header(rows: list[list[str]]) -> tuple[int | None, list[str]]:
    """(index of the header row, text of the rows above it) among a sheet's first rows. Skipped:
    empty rows, '#' lines (a GA4 export opened in Google Sheets) and a title (one filled cell in a
    wider sheet, followed by a blank row or by a row of headers)."""
    preamble: list[str] = []
    wide = max((len(row) for row in rows), default=0) > 1
    for i, row in enumerate(rows):
        filled = [cell for cell in row if cell]
        if not filled:
            continue
        if row[0].startswith("#") and (len(filled) == 1 or len(row[0]) > 1):
            preamble.append(row[0][1:].strip())
            continue
        following = [cell for cell in rows[i + 1] if cell] if i + 1 < len(rows) else None
        if len(filled) == 1 and wide and following is not None and (
                not following or (len(following) > 1 and 2 * sum(map(_looks_numeric, following)) < len(following))):
            preamble.append(filled[0])
            continue
        return i, preamble
    return None, preamble


def _excel_refined(column: pl.Series) -> pl.Series:
    """Excel stores numbers as floats and dates as date-times: whole numbers become Int64 and
    midnight date-times dates, as polars.read_excel does."""
    values = column.drop_nulls()
    if values.len() == 0:
        return column
    if column.dtype.is_float():
        if bool((values.is_finite() & (values.floor() == values) & (values.abs() < 2**53)).all()):
            return column.cast(pl.Int64)
    elif column.dtype == pl.Datetime and bool((values.dt.time() == dt.time(0)).all()):
        return column.cast(pl.Date)
    return column


def _sheet_position(sheet: str | int | None, sheets: tuple[str, ...], name: str) -> int:
    if sheet is None:
        return 0
    if isinstance(sheet, int) and 0 <= sheet < len(sheets):
        return sheet
    if isinstance(sheet, str) and sheet in sheets:
        return sheets.index(sheet)
    listing = ", ".join(f"{i} '{s}'" for i, s in enumerate(sheets))
    raise InputError(f"There is no sheet {sheet!r} in '{name}'; choose one of: {listing}.")


def _read_parquet(source: bytes | Path, name: str, limits: Limits) -> ReadResult:
    raw = source if isinstance(source, bytes) else _read_path(source, name)
    try:
        frame = pl.read_parquet(io.BytesIO(raw), n_rows=limits.max_rows + 1)
    except Exception:  # any failure of the parquet decoder means a damaged file
        raise InputError(f"'{name}' cannot be read as a Parquet file (it may be damaged or truncated); "
                         "write it again and retry.") from None
    if frame.width == 0 or frame.height == 0:
        raise InputError(f"The Parquet file '{name}' holds no rows; write it again with its data.")
    if frame.height > limits.max_rows:
        raise InputError(f"'{name}' has more than {limits.max_rows:,} rows, the limit; keep fewer rows.")
    report = ReadReport(
        file_name=name, format="parquet", encoding=None, separator=None, decimal=None, thousands=None,
        header_line=None, preamble=(), tables=(), table_index=0, sheets=(), sheet=None,
        rows=frame.height, columns=tuple(frame.columns), percent_columns=(), notes=())
    return ReadResult(frame, report)


# ----------------------------------------------------------------------------------------
# SPSS, Stata, SAS (pyreadstat): what survey agencies deliver


STAT_WORDS = {"spss": "an SPSS", "stata": "a Stata", "sas": "a SAS"}


def _stat_reader(kind: str, suffix: str) -> Callable[..., tuple[object, object]]:
    import pyreadstat

    if kind == "spss":
        return pyreadstat.read_por if suffix == ".por" else pyreadstat.read_sav
    if kind == "stata":
        return pyreadstat.read_dta
    return pyreadstat.read_xport if suffix == ".xpt" else pyreadstat.read_sas7bdat


def _read_stat(raw: bytes, name: str, kind: str, limits: Limits) -> ReadResult:
    """An SPSS, Stata or SAS file: variable labels are the questions, value labels replace the
    codes where every value has one, user-missing values become null, the declared weight and
    SPSS multiple-response sets are reported. Sizes are checked from the header first."""
    suffix = Path(name).suffix.lower()
    what = STAT_WORDS[kind]
    dictionary = tools.sav_dictionary(raw) if kind == "spss" else None
    if dictionary is not None:
        unpacked = dictionary.zlib_bytes or max(dictionary.cases, 0) * dictionary.case_bytes
        if dictionary.cases > limits.max_rows:
            raise InputError(f"'{name}' holds {dictionary.cases:,} cases, above the {limits.max_rows:,} row "
                             "limit; keep fewer cases.")
        if unpacked > limits.max_unpacked_bytes:
            raise _too_big(name, unpacked, len(raw), limits)
    reader = _stat_reader(kind, suffix)
    missing_option = {} if suffix in (".xpt", ".por") else {"user_missing": True}
    try:
        _, meta = reader(io.BytesIO(raw), metadataonly=True)
        if meta.number_columns and meta.number_columns > limits.max_columns:
            raise InputError(f"'{name}' has {meta.number_columns:,} variables, above the {limits.max_columns:,} "
                             "limit; keep fewer variables.")
        if meta.number_rows and meta.number_rows > limits.max_rows:
            raise InputError(f"'{name}' holds {meta.number_rows:,} cases, above the {limits.max_rows:,} row "
                             "limit; keep fewer cases.")
        frame, meta = reader(io.BytesIO(raw), output_format="polars", row_limit=limits.max_rows + 1,
                             **missing_option)
    except InputError:
        raise
    except Exception:  # any failure of the third-party parser means a damaged or foreign file
        raise InputError(f"'{name}' cannot be read as {what} file (it may be damaged, or of another kind); "
                         "save it again from the program that made it and retry.") from None
    if frame.height > limits.max_rows:
        raise InputError(f"'{name}' holds more than {limits.max_rows:,} cases, the limit; keep fewer cases.")
    if frame.width == 0 or frame.height == 0:
        raise InputError(f"'{name}' holds no cases; save it again with its data.")

    labels: dict[str, str] = {k: v for k, v in (meta.column_names_to_labels or {}).items() if v}
    value_labels: dict[str, dict[object, str]] = meta.variable_value_labels or {}
    columns: list[pl.Series] = []
    infos: dict[str, dict[str, object]] = {}
    missing_counts: list[tuple[str, int]] = []
    partly_labelled: list[str] = []
    for column in _stripped(frame).get_columns():
        name_ = column.name
        column, missing = _user_missing(column, meta)
        if missing:
            missing_counts.append((name_, missing[1]))
        mapping = value_labels.get(name_, {})
        applied: tuple[tuple[str, str], ...] = ()
        if mapping:
            column, applied = _apply_labels(column, mapping)
            if not applied:
                partly_labelled.append(name_)
        columns.append(_excel_refined(column))
        infos[name_] = {"missing": missing[0] if missing else (), "value_labels": applied}
    frame = pl.DataFrame(columns)

    multi_sets = _multi_sets(meta, frame, value_labels)
    in_set = {column: mr for mr in multi_sets for column in mr.columns}
    weight = tools.dta_weight(raw) if kind == "stata" else dictionary.weight if dictionary else None
    weight = weight if weight in frame.columns else None
    column_infos = []
    for name_ in frame.columns:
        mr = in_set.get(name_)
        text = labels.get(name_)
        column_infos.append(ColumnInfo(
            name_, mr.name if mr else name_, (mr.label or text) if mr else text, (text or name_) if mr else None,
            infos[name_]["value_labels"], infos[name_]["missing"]))  # type: ignore[arg-type]

    notes = [f"{tools.TOOL_NAMES[kind]} file: {len(labels)} of {frame.width} variables have a label (read "
             "as the question), value labels replace the codes in "
             f"{sum(1 for i in column_infos if i.value_labels)} columns."]
    if partly_labelled:
        notes.append(f"Only some values have labels in {', '.join(map(repr, partly_labelled[:5]))}"
                     f"{' …' if len(partly_labelled) > 5 else ''}; their codes are kept.")
    if missing_counts:
        notes.append("User-missing values are left empty: " + ", ".join(
            f"{n:,} in '{c}'" for c, n in missing_counts[:5]) + (" …" if len(missing_counts) > 5 else "") + ".")
    if weight:
        notes.append(f"The file declares '{weight}' as its weight variable.")
    if multi_sets:
        notes.append(f"Multiple-response sets: {', '.join(m.name for m in multi_sets)}.")
    report = ReadReport(
        file_name=name, format=kind, encoding=getattr(meta, "file_encoding", None), separator=None, decimal=None,
        thousands=None, header_line=None, preamble=(), tables=(), table_index=0, sheets=(), sheet=None,
        rows=frame.height, columns=tuple(frame.columns), percent_columns=(), notes=tuple(notes), tool=kind,
        header_rows=0, declared_weight=weight, multi_sets=multi_sets, missing_cells=tuple(missing_counts))
    return ReadResult(frame, report, tuple(column_infos))


def _code_text(code: object) -> str:
    """A value code as text: 1.0 is '1'."""
    if isinstance(code, float) and code.is_integer():
        return str(int(code))
    return str(code)


def _user_missing(column: pl.Series, meta: object) -> tuple[pl.Series, tuple[tuple[str, ...], int] | None]:
    """The column with its user-missing values (SPSS discrete values and ranges, Stata/SAS
    special missing letters) turned to null; (the values, cells nulled) when any were."""
    name = column.name
    ranges = (getattr(meta, "missing_ranges", None) or {}).get(name, [])
    letters = (getattr(meta, "missing_user_values", None) or {}).get(name, [])
    hit = pl.Series(name, [False] * column.len())
    for span in ranges:
        low, high = span["lo"], span["hi"]
        try:
            hit = hit | ((column >= low) & (column <= high)).fill_null(False)
        except Exception:  # a range of another type than the column: not this column's
            continue
    if letters and column.dtype == pl.String:
        hit = hit | column.is_in([str(v) for v in letters]).fill_null(False)
    count = int(hit.sum())
    if not count:
        return column, None
    values = tuple(sorted({_code_text(v) for v in column.filter(hit).unique().to_list()}))
    return pl.select(pl.when(hit).then(None).otherwise(column).alias(name)).to_series(), (values, count)


def _apply_labels(column: pl.Series, mapping: dict[object, str]) -> tuple[pl.Series, tuple[tuple[str, str], ...]]:
    """Labels in place of codes when every value has one; otherwise the column as it was and ()."""
    values = column.drop_nulls().unique().to_list()
    keys = {(_code_text(k) if column.dtype.is_numeric() else str(k)): label for k, label in mapping.items()}
    texts = [_code_text(v) if column.dtype.is_numeric() else str(v) for v in values]
    if not all(t in keys for t in texts):
        return column, ()
    source = column.cast(pl.Float64) if column.dtype.is_numeric() else column
    lookup = {float(k) if column.dtype.is_numeric() else str(k): label for k, label in mapping.items()}
    labelled = source.replace_strict(lookup, default=None, return_dtype=pl.String).alias(column.name)
    return labelled, tuple(sorted(keys.items(), key=lambda kv: _sort_key(kv[0])))


def _sort_key(code: str) -> tuple[int, float, str]:
    try:
        return 0, float(code), code
    except ValueError:
        return 1, 0.0, code


def _multi_sets(meta: object, frame: pl.DataFrame, value_labels: dict[str, dict[object, str]]) -> tuple[MultiSet, ...]:
    sets = []
    for name, spec in (getattr(meta, "mr_sets", None) or {}).items():
        columns = tuple(c for c in spec.get("variable_list", []) if c in frame.columns)
        counted = spec.get("counted_value") if spec.get("is_dichotomy") else None
        if counted is not None and columns:
            labels = value_labels.get(columns[0], {})
            code = _code_text(counted if not isinstance(counted, str) or not counted.strip().lstrip("-").isdigit()
                              else int(counted))
            label = next((v for k, v in labels.items() if _code_text(k) == code), None)
            applied = frame[columns[0]].dtype == pl.String and label is not None
            counted = label if applied else code
        sets.append(MultiSet(f"${name.lstrip('$')}", spec.get("label") or None, columns, counted))
    return tuple(sets)


def _read_path(path: Path, name: str) -> bytes:
    try:
        return path.read_bytes()
    except OSError:
        raise InputError(f"The file '{name}' cannot be read; check it and try again.") from None



"""Files the survey-reader tests build: SPSS and Stata files with what pyreadstat cannot write
(a declared weight, multiple-response sets, a svyset weight), and zip containers that expand
far beyond their size (zip bombs), written byte by byte from the formats' specifications."""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from collections.abc import Mapping, Sequence
from pathlib import Path

import polars as pl

# ----------------------------------------------------------------------------------------
# SPSS .sav / .zsav (layout: PSPP's "System File Format" documentation)


def _sav_dictionary_end(data: bytes) -> tuple[int, list[str]]:
    """(offset of the dictionary termination record, short name of each dictionary slot)."""
    pos, slots = 176, []
    while True:
        (kind,) = struct.unpack_from("<i", data, pos)
        if kind == 2:
            _, has_label, n_missing = struct.unpack_from("<iii", data, pos + 4)
            slots.append(data[pos + 24:pos + 32].decode("ascii").strip())
            pos += 32
            if has_label:
                (size,) = struct.unpack_from("<i", data, pos)
                pos += 4 + (size + 3) // 4 * 4
            pos += abs(n_missing) * 8
        elif kind == 3:
            (count,) = struct.unpack_from("<i", data, pos + 4)
            pos += 8
            for _ in range(count):
                pos += 8 + (data[pos + 8] + 1 + 7) // 8 * 8
        elif kind == 4:
            (count,) = struct.unpack_from("<i", data, pos + 4)
            pos += 8 + 4 * count
        elif kind == 6:
            (lines,) = struct.unpack_from("<i", data, pos + 4)
            pos += 8 + 80 * lines
        elif kind == 7:
            _, size, count = struct.unpack_from("<iii", data, pos + 4)
            pos += 16 + size * count
        elif kind == 999:
            return pos, slots
        else:
            raise ValueError(f"unexpected record type {kind}")


# A small weighted panel (company size, two networks ticked or not), for SPSS and Stata files.
SPSS_SIZES = {1: "1-9", 2: "10-249", 3: "250+"}
SPSS_PANEL = {
    "size": [1.0, 2.0, 3.0, 1.0, 2.0, 3.0, 3.0, 1.0, 2.0, 1.0, 3.0, 2.0],
    "t_fb": [1.0, 0.0, 1.0, 1.0, 0.0, 1.0, 0.0, 1.0, 0.0, 0.0, 1.0, 1.0],
    "t_li": [0.0, 1.0, 1.0, 0.0, 0.0, 1.0, 1.0, 1.0, 0.0, 1.0, 0.0, 1.0],
    "wt": [1.5, 0.5, 1.0, 1.25, 0.75, 1.0, 2.0, 1.0, 0.8, 1.2, 0.9, 1.1],
}
SPSS_PANEL = {column: values * 3 for column, values in SPSS_PANEL.items()}  # 36 respondents: no base too small to show
SPSS_LABELS = {"size": "How many people work in your company?", "t_fb": "Facebook", "t_li": "LinkedIn",
          "wt": "Survey weight"}


def spss_file(path: Path, frame: pl.DataFrame, *, labels: Mapping[str, str], value_labels: Mapping[str, Mapping],
              missing_ranges: Mapping[str, list] | None = None, weight: str | None = None,
              dichotomies: Sequence[tuple[str, str, int, Sequence[str]]] = (), compress: bool = False) -> bytes:
    """An SPSS file written by pyreadstat, then given a weight (the header's weight index) and
    multiple-dichotomy sets (extension record 7, subtype 7) as SPSS writes them.
    `dichotomies`: (set name without '$', label, counted value, variables)."""
    import pyreadstat

    pyreadstat.write_sav(frame, path, column_labels=[labels.get(c) for c in frame.columns],
                         variable_value_labels=dict(value_labels), missing_ranges=missing_ranges or None,
                         compress=compress)
    data = bytearray(path.read_bytes())
    end, slots = _sav_dictionary_end(bytes(data))
    if dichotomies:
        text = "".join(f"${name}=D{len(str(value))} {value} {len(label.encode())} {label} {' '.join(columns)}\n"
                       for name, label, value, columns in dichotomies).encode()
        record = struct.pack("<iiii", 7, 7, 1, len(text)) + text
        data[end:end] = record
        if data[:4] == b"$FL3":  # zsav: the zlib header and trailer hold file offsets, now further on
            at = end + len(record) + 8
            header_at, trailer_at, trailer_size = struct.unpack_from("<qqq", data, at)
            struct.pack_into("<qqq", data, at, header_at + len(record), trailer_at + len(record), trailer_size)
            trailer = trailer_at + len(record)
            (blocks,) = struct.unpack_from("<i", data, trailer + 20)
            for block in range(blocks):
                where = trailer + 24 + 24 * block
                uncompressed_at, compressed_at = struct.unpack_from("<qq", data, where)
                struct.pack_into("<qq", data, where, uncompressed_at + len(record), compressed_at + len(record))
    if weight is not None:  # numeric variables take one slot each in these files
        struct.pack_into("<i", data, 76, slots.index(weight.upper()[:8]) + 1)
    path.write_bytes(bytes(data))
    return bytes(data)


# ----------------------------------------------------------------------------------------
# Stata .dta 118/119 (layout: Stata's "dta" file format documentation)


def stata_file(path: Path, frame: pl.DataFrame, *, labels: Mapping[str, str], value_labels: Mapping[str, Mapping],
               svy_weight: str | None = None) -> bytes:
    """A Stata file written by pyreadstat, with the characteristics `svyset [pw=weight]` leaves
    (_dta[_svy_wvar], _dta[_svy_wtype]); the map of section offsets is moved to match."""
    import pyreadstat

    pyreadstat.write_dta(frame, path, column_labels=[labels.get(c) for c in frame.columns],
                         variable_value_labels=dict(value_labels))
    data = bytearray(path.read_bytes())
    if svy_weight is not None:
        def characteristic(variable: str, name: str, value: str) -> bytes:
            body = variable.encode().ljust(129, b"\0") + name.encode().ljust(129, b"\0") + value.encode() + b"\0"
            return b"<ch>" + struct.pack("<I", len(body)) + body + b"</ch>"

        inserted = characteristic("_dta", "_svy_wtype", "pweight") + characteristic("_dta", "_svy_wvar", svy_weight)
        at = data.index(b"<characteristics>") + len(b"<characteristics>")
        data[at:at] = inserted
        table = data.index(b"<map>") + len(b"<map>")
        offsets = list(struct.unpack_from("<14Q", data, table))
        offsets[9:] = [o + len(inserted) for o in offsets[9:]]  # data, strls, value labels, end tags
        struct.pack_into("<14Q", data, table, *offsets)
    path.write_bytes(bytes(data))
    return bytes(data)


# ----------------------------------------------------------------------------------------
# Zip containers (layout: PKWARE APPNOTE, local headers then central directory)


def zip_bytes(parts: Sequence[tuple[str, bytes, int, int, int, int]]) -> bytes:
    """A zip archive from parts (name, stored bytes, method, crc, declared size, declared
    compressed size): the sizes are written as given, true or not."""
    out = io.BytesIO()
    central = []
    for name, payload, method, crc, size, compressed in parts:
        offset = out.tell()
        encoded = name.encode()
        out.write(struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, method, 0, 0x21, crc, compressed, size,
                              len(encoded), 0) + encoded + payload)
        central.append(struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, method, 0, 0x21, crc, compressed,
                                   size, len(encoded), 0, 0, 0, 0, 0, offset) + encoded)
    start = out.tell()
    for record in central:
        out.write(record)
    out.write(struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(central), len(central), out.tell() - start, start, 0))
    return out.getvalue()


def repeated_deflate(prefix: bytes, block: bytes, times: int, suffix: bytes) -> tuple[bytes, int, int]:
    """(raw deflate stream of prefix + block × times + suffix, its CRC-32, its size), built
    without compressing the whole: after a full flush deflate restarts from nothing, so the
    block's compressed bytes can be repeated as they are."""
    head = zlib.compressobj(9, zlib.DEFLATED, -15)
    start = head.compress(prefix) + head.flush(zlib.Z_FULL_FLUSH)
    body = zlib.compressobj(9, zlib.DEFLATED, -15)
    repeat = body.compress(block) + body.flush(zlib.Z_FULL_FLUSH)
    tail = zlib.compressobj(9, zlib.DEFLATED, -15)
    end = tail.compress(suffix) + tail.flush(zlib.Z_FINISH)
    crc = zlib.crc32(prefix)
    for _ in range(times):
        crc = zlib.crc32(block, crc)
    crc = zlib.crc32(suffix, crc)
    return start + repeat * times + end, crc & 0xFFFFFFFF, len(prefix) + len(block) * times + len(suffix)


SHEET_START = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet '
               b'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>')
SHEET_END = b"</sheetData></worksheet>"


def workbook_with_sheet(sheet_xml: tuple[bytes, int, int], *, declared: tuple[int, int] | None = None) -> bytes:
    """An xlsx whose first sheet is the given deflate stream (stream, crc, size); the other parts
    come from a workbook openpyxl writes. `declared`: (size, compressed size) to claim instead."""
    import openpyxl

    buffer = io.BytesIO()
    book = openpyxl.Workbook()
    book.active["A1"] = "x"
    book.save(buffer)
    parts = []
    with zipfile.ZipFile(buffer) as source:
        for info in source.infolist():
            if info.filename == "xl/worksheets/sheet1.xml":
                stream, crc, size = sheet_xml
                size_claimed, compressed_claimed = declared or (size, len(stream))
                parts.append((info.filename, stream, zipfile.ZIP_DEFLATED, crc, size_claimed, compressed_claimed))
            else:
                payload = source.read(info.filename)
                packer = zlib.compressobj(9, zlib.DEFLATED, -15)
                stream = packer.compress(payload) + packer.flush()
                parts.append((info.filename, stream, zipfile.ZIP_DEFLATED, zlib.crc32(payload), len(payload),
                              len(stream)))
    return zip_bytes(parts)


def xlsx_bomb(megabytes: int, *, declared: tuple[int, int] | None = None) -> bytes:
    """A workbook of a few hundred KB whose sheet expands to `megabytes` MB of rows."""
    row = b'<row><c t="inlineStr"><is><t>x</t></is></c></row>'
    block = row * (1024 * 1024 // len(row))
    return workbook_with_sheet(repeated_deflate(SHEET_START, block, megabytes, SHEET_END), declared=declared)


def ods_bytes(content_xml: bytes) -> bytes:
    """An OpenDocument spreadsheet with the given content.xml."""
    manifest = (b'<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest='
                b'"urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
                b'<manifest:file-entry manifest:full-path="/" manifest:media-type='
                b'"application/vnd.oasis.opendocument.spreadsheet"/><manifest:file-entry manifest:full-path='
                b'"content.xml" manifest:media-type="text/xml"/></manifest:manifest>')
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(zipfile.ZipInfo("mimetype"), b"application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("META-INF/manifest.xml", manifest, zipfile.ZIP_DEFLATED)
        archive.writestr("content.xml", content_xml, zipfile.ZIP_DEFLATED)
    return buffer.getvalue()


ODS_CONTENT = (b'<?xml version="1.0" encoding="UTF-8"?><office:document-content '
               b'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
               b'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
               b'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
               b'<office:body><office:spreadsheet><table:table table:name="Sheet1">%s</table:table>'
               b'</office:spreadsheet></office:body></office:document-content>')


def ods_row(cells: Sequence[str], *, repeated_rows: int = 1, repeated_columns: int = 1) -> bytes:
    attribute = b' table:number-rows-repeated="%d"' % repeated_rows if repeated_rows > 1 else b""
    cell_repeat = b' table:number-columns-repeated="%d"' % repeated_columns if repeated_columns > 1 else b""
    body = b"".join(b'<table:table-cell office:value-type="string"%s><text:p>%s</text:p></table:table-cell>'
                    % (cell_repeat, c.encode()) for c in cells)
    return b"<table:table-row%s>%s</table:table-row>" % (attribute, body)

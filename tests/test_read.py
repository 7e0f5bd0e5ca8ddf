"""digistrat.read: every export shape loads with the right figures; bad files are refused clearly."""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from digistrat.errors import InputError
from digistrat.read import Limits, ReadResult, describe, read_table
from tests.fixtures_files import (
    NBSP,
    NNBSP,
    SEGMENT_SHARES,
    blank_line_tables,
    csv_text,
    french_excel_csv,
    ga4_export,
    ga4_snapshot,
    matomo_export,
    parquet_bytes,
    segment_panel_fr,
    xlsx_rows,
    xlsx_workbook,
)

REAL_EXPORTS = Path(__file__).resolve().parents[2] / "shared" / "reference" / "real-exports"


# ---------------------------------------------------------------------------------------------
# French Excel


ENCODINGS = [("cp1252", "cp1252"), ("utf-16", "utf-16"), ("utf-16-be", "utf-16"), ("utf-8-sig", "utf-8-sig")]
FRENCH_SHAPES = [(enc, rep, th, ps) for enc, rep in ENCODINGS for th in (" ", NBSP, NNBSP) for ps in (" ", "", NBSP)
                 if not (enc == "cp1252" and th == NNBSP)]  # cp1252 has no narrow no-break space


@pytest.mark.parametrize("encoding, reported, thousands, percent_space", FRENCH_SHAPES)
def test_french_excel_export(encoding, reported, thousands, percent_space):
    header, rows = segment_panel_fr(thousands, percent_space)
    result = read_table(french_excel_csv(rows, header, encoding=encoding), file_name="panel.csv")
    frame, report = result.frame, result.report
    assert report.encoding == reported
    assert (report.separator, report.decimal, report.thousands) == (";", ",", thousands)
    assert report.columns == ("Segment", "Part", "Pondération", "Taille d'entreprise",
                              "Secteur d'activité", "Effectif")
    assert report.percent_columns == ("Part",)
    assert frame["Part"].dtype == pl.Float64
    assert frame["Part"].to_list() == [share for _, share in SEGMENT_SHARES]  # 54,75 % -> 54.75
    assert frame["Part"].sum() == pytest.approx(100.0)
    assert frame["Pondération"].to_list() == [0.5, 0.75, 1.0, 1.25, 1.5]
    assert frame["Effectif"].dtype == pl.Int64
    assert frame["Effectif"].to_list() == [10200, 13175, 17850, 35700, 93075]  # 170,000 × share
    assert frame["Segment"][2] == "Les tenants de l'adaptation"
    assert frame["Secteur d'activité"][3] == "Santé"
    assert report.header_line == 1 and report.rows == 5


def test_dot_thousands_with_decimal_comma():
    data = "Poste;Montant;Quantité\r\nA;1.234,5;1.000\r\nB;12.345.678,25;2.500\r\nC;-7,75;3\r\n"
    result = read_table(data.encode("cp1252"), file_name="compta.csv")
    assert result.report.decimal == "," and result.report.thousands == "."
    assert result.frame["Montant"].to_list() == [1234.5, 12345678.25, -7.75]
    assert result.frame["Quantité"].to_list() == [1000, 2500, 3]
    assert result.frame["Quantité"].dtype == pl.Int64


def test_cp1252_detected_beyond_the_sniffed_head():
    rows = [[f"ligne {i}", i] for i in range(6000)]  # > 64 KB of ASCII before the accent
    rows.append(["Île-de-France", 6000])
    data = csv_text(["Région", "Valeur"], rows, sep=";").encode("cp1252")
    assert len(data) > 64 * 1024
    result = read_table(data, file_name="regions.csv")
    assert result.report.encoding == "cp1252"
    assert result.frame["Région"][-1] == "Île-de-France"
    assert result.frame["Région"][0] == "ligne 0"
    assert result.frame["Valeur"].sum() == sum(range(6001))


# ---------------------------------------------------------------------------------------------
# UTF-8 text CSVs


@pytest.mark.parametrize("sep", [",", ";", "\t", "|"])
@pytest.mark.parametrize("newline", ["\n", "\r\n"])
@pytest.mark.parametrize("bom", [b"", b"\xef\xbb\xbf"])
def test_utf8_separators_quotes_and_newlines(sep, newline, bom):
    rows = [
        ["Direct", 2451, 0.25, f"a{sep}b"],
        ["Organic Search", 1312, 0.5, 'il a dit "bonjour"'],
        ["Réseaux sociaux", 24, 0.125, "deux\nlignes"],
        ["Référent", 820, 1.0, "  espaces  "],
    ]
    data = bom + csv_text(["Canal", "Sessions", "Taux", "Note"], rows, sep=sep, newline=newline).encode()
    result = read_table(data, file_name="canaux.csv")
    assert result.report.separator == sep
    assert result.report.encoding == ("utf-8-sig" if bom else "utf-8")
    assert result.report.columns == ("Canal", "Sessions", "Taux", "Note")
    assert result.frame["Sessions"].dtype == pl.Int64
    assert result.frame["Sessions"].sum() == 2451 + 1312 + 24 + 820
    assert result.frame["Taux"].to_list() == [0.25, 0.5, 0.125, 1.0]
    assert result.frame["Note"].to_list() == [f"a{sep}b", 'il a dit "bonjour"', "deux\nlignes", "espaces"]
    assert result.frame["Canal"][2] == "Réseaux sociaux"


def test_headers_are_cleaned_deduplicated_and_named():
    data = "\ufeff Sessions ,Sessions,,Sessions_2, Canal\n1,2,3,4,x\n5,6,7,8,y\n".encode()
    result = read_table(data, file_name="h.csv")
    assert result.report.columns == ("Sessions", "Sessions_2", "column_3", "Sessions_2_2", "Canal")
    assert result.frame["Sessions_2"].to_list() == [2, 6]
    assert result.frame["column_3"].to_list() == [3, 7]


def test_empty_cells_become_null_and_text_is_stripped():
    data = b"a,b,c\n1, x ,\n,  ,2\n3,y,4\n"
    frame = read_table(data, file_name="e.csv").frame
    assert frame["a"].to_list() == [1, None, 3]
    assert frame["b"].to_list() == ["x", None, "y"]
    assert frame["c"].to_list() == [None, 2, 4]


@pytest.mark.parametrize("edge", ["\t", "\u00a0", "\u2009", "\r", '""', " "])
def test_one_blank_edge_far_down_the_file_is_still_stripped(edge):
    # the byte scan that skips stripping clean files must see a single cell anywhere
    rows = [f"r{i},source{i % 7},x" for i in range(20_000)]
    rows[15_000] = f"r15000,{edge}late{edge},x" if edge != '""' else 'r15000,"",x'
    frame = read_table(("id,source,flag\n" + "\n".join(rows) + "\n").encode(), file_name="s.csv").frame
    assert frame["source"][15_000] == (None if edge == '""' else "late")
    assert frame["source"][14_999] == f"source{14_999 % 7}"  # untouched


def test_a_cell_of_spaces_in_a_file_whose_only_blanks_are_spaces_becomes_empty():
    frame = read_table(b"id,city\n1,Paris\n2,   \n3, Lyon\n", file_name="spaces.csv").frame
    assert frame["city"].to_list() == ["Paris", None, "Lyon"]


def test_a_file_without_any_blank_edge_reads_its_text_as_it_is():
    rows = "\n".join(f"2026-01-{1 + i % 28:02d},(direct),(none),https://a.fr/p?{i}" for i in range(5000))
    frame = read_table(f"date,source,medium,landing_page\n{rows}\n".encode(), file_name="c.csv").frame
    assert frame["source"].unique().to_list() == ["(direct)"]
    assert frame["landing_page"][4999] == "https://a.fr/p?4999"
    assert frame["date"].dtype == pl.Date


def test_dates_and_codes():
    data = ("jour,quand,date_fr,us,code,postal,id\n"
            "2025-01-31,2025-01-31T08:30:00Z,31/01/2025,12/31/2025,0007,01000,123456789012345678901\n"
            "2025-02-01,2025-02-01 09:15,01/02/2025,01/15/2025,0012,75001,223456789012345678901\n")
    result = read_table(data.encode(), file_name="d.csv")
    frame = result.frame
    assert frame["jour"].dtype == pl.Date and frame["jour"][0] == dt.date(2025, 1, 31)
    assert frame["quand"].dtype == pl.Datetime
    assert frame["quand"].to_list() == [dt.datetime(2025, 1, 31, 8, 30), dt.datetime(2025, 2, 1, 9, 15)]
    assert frame["date_fr"].to_list() == [dt.date(2025, 1, 31), dt.date(2025, 2, 1)]
    assert frame["us"].to_list() == [dt.date(2025, 12, 31), dt.date(2025, 1, 15)]
    for text_column in ("code", "postal", "id"):
        assert frame[text_column].dtype == pl.String
    assert frame["postal"].to_list() == ["01000", "75001"]


def test_single_column_file_and_blank_lines():
    data = b"Canal\nDirect\n\nReferral\n\n"
    result = read_table(data, file_name="one.csv")
    assert result.frame["Canal"].to_list() == ["Direct", "Referral"]


def test_blank_lines_inside_a_multi_column_file_are_skipped():
    data = b"a,b\n1,2\n\n3,4\n,\n5,6\n\n\n"
    frame = read_table(data, file_name="b.csv").frame
    assert frame["a"].to_list() == [1, 3, 5] and frame["b"].sum() == 12


def test_path_and_bytes_give_the_same_frame(tmp_path):
    rows = [[i, f"canal {i % 7}", i / 8, f"2025-01-{1 + i % 28:02d}"] for i in range(40_000)]
    data = csv_text(["id", "canal", "poids", "jour"], rows).encode()
    target = tmp_path / "big.csv"
    target.write_bytes(data)
    from_path = read_table(target)
    from_bytes = read_table(data, file_name="big.csv")
    assert from_path.frame.equals(from_bytes.frame)
    assert from_path.report.file_name == "big.csv"
    assert from_path.frame["poids"].sum() == pytest.approx(sum(i / 8 for i in range(40_000)))
    assert from_path.frame["jour"].dtype == pl.Date
    assert from_path.frame["id"].dtype == pl.Int64


def test_late_value_that_breaks_the_sampled_type_falls_back():
    rows = [[i, i] for i in range(5000)] + [["unknown", "1 234,5 %"]]
    data = csv_text(["a", "b"], rows, sep=";").encode()
    frame = read_table(data, file_name="late.csv").frame
    assert frame["a"].dtype == pl.String and frame["a"][-1] == "unknown"
    assert frame["b"].dtype == pl.Float64 and frame["b"][-1] == 1234.5


def test_na_in_a_column_of_numbers_is_missing_not_text():
    """R's write.csv and Excel write NA / #N/A for a missing number: the column stays numeric."""
    rows = [[i, "Retail" if i % 2 else "NA"] for i in range(5000)] + [["n/a", "NA"], ["#N/A", "Retail"]]
    result = read_table(csv_text(["score", "region"], rows, sep=";").encode(), file_name="late.csv")
    frame = result.frame
    assert frame["score"].dtype == pl.Int64
    assert frame["score"].null_count() == 2 and frame["score"][4999] == 4999
    assert frame["region"].null_count() == 0  # 'NA' among words may be North America: kept
    assert result.report.missing_cells == (("score", 2),)
    assert result.columns[0].missing == ("#N/A", "n/a")


def test_mac_cr_line_endings():
    data = "a;b\r1,5;x\r2,5;y\r".encode("cp1252")
    frame = read_table(data, file_name="mac.csv").frame
    assert frame["a"].to_list() == [1.5, 2.5]


# ---------------------------------------------------------------------------------------------
# Google Analytics 4


def test_ga4_export_preamble_and_typing():
    header = ["Date", "Session default channel group", "Sessions", "Engagement rate", "Nth week", "Transaction ID"]
    rows = [["20250101", "Direct", 120, 0.35130830489192266, "0000", "20250315"],
            ["20250102", "Organic Search", 80, 0.5, "0001", "20250316"],
            ["20250103", "Referral", 7, 0.0, "0002", "20250317"]]
    data = ga4_export("Traffic acquisition: Session default channel group", header, rows)
    assert not data.endswith(b"\n")
    result = read_table(data, file_name="ga4.csv")
    report, frame = result.report, result.frame
    assert report.header_line == 10
    assert report.preamble == ("-" * 40, "Traffic acquisition: Session default channel group",
                               "Account: Exemple SARL", "Property: www.exemple.fr", "-" * 40, "",
                               "All Users", "Start date: 20250101", "End date: 20251030")
    assert report.tables[0].title == "Traffic acquisition: Session default channel group"
    assert frame["Date"].dtype == pl.Date and frame["Date"][2] == dt.date(2025, 1, 3)
    assert frame["Sessions"].sum() == 207
    assert frame["Engagement rate"][0] == 0.35130830489192266
    assert frame["Nth week"].to_list() == ["0000", "0001", "0002"]  # a code, not a date or a number
    assert frame["Transaction ID"].dtype == pl.Int64  # eight digits, but the header is no date


def test_ga4_snapshot_lists_its_tables_and_reads_the_chosen_one():
    weeks = [[f"{w:04d}", 10 + w] for w in range(5)]
    channels = [["Direct", 2218], ["Organic Search", 818], ["Referral", 384]]
    retention = [["Jun 14 - Jun 20", 73, 2, 1], ["Jun 21 - Jun 27", 71, 0]]
    data = ga4_snapshot([
        (None, ["Nth week", "Active users"], weeks),
        ("Where do your new users come from?", ["First user primary channel group", "New users"], channels),
        ("How are you retaining users?", ["Date", "Week 0", "Week 1", "Week 2"], retention),
        ("What are your top performing key events?", ["Event name", "Key events"], []),
    ])
    first = read_table(data, file_name="snap.csv")
    tables = first.report.tables
    assert [t.index for t in tables] == [0, 1, 2, 3]
    assert [t.title for t in tables] == ["Reports snapshot", "Where do your new users come from?",
                                         "How are you retaining users?", "What are your top performing key events?"]
    assert [t.rows for t in tables] == [5, 3, 2, 0]
    assert tables[1].columns == ("First user primary channel group", "New users")
    assert [t.header_line for t in tables] == [9, 9 + 5 + 1 + 3 + 1, 9 + 5 + 1 + 3 + 1 + 3 + 1 + 3 + 1,
                                               9 + 5 + 1 + 3 + 1 + 3 + 1 + 3 + 1 + 2 + 1 + 3 + 1]
    assert first.frame["Active users"].sum() == sum(10 + w for w in range(5))
    second = read_table(data, file_name="snap.csv", table=1)
    assert second.report.table_index == 1
    assert second.frame["New users"].sum() == 2218 + 818 + 384
    assert second.report.preamble == ("Where do your new users come from?", "Start date: 20250101",
                                      "End date: 20251231")
    cohort = read_table(data, file_name="snap.csv", table=2).frame
    assert cohort["Week 2"].to_list() == [1, None]  # GA4 leaves trailing cells out
    with pytest.raises(InputError, match=r"Table 3 \(header on line 34\) has no data rows"):
        read_table(data, file_name="snap.csv", table=3)
    with pytest.raises(InputError, match=r"no table 7.*0 \(Reports snapshot\).*1 \(Where do"):
        read_table(data, file_name="snap.csv", table=7)


def _count_rows(path: Path) -> tuple[list[list[str]], list[int]]:
    """Tables of a real export by plain line splitting: (header fields, data row count) per table."""
    raw = path.read_bytes()
    text = raw.decode("utf-16") if raw[:2] == b"\xff\xfe" else raw.decode("utf-8")
    headers, counts, expecting_header = [], [], True
    for line in text.replace("\r\n", "\n").split("\n"):
        if line.startswith("#"):
            expecting_header = True
            continue
        if not line.strip():
            continue
        if expecting_header:
            headers.append(line.split(","))
            counts.append(0)
            expecting_header = False
        else:
            counts[-1] += 1
    return headers, counts


REAL_FILES = sorted(p.name for p in REAL_EXPORTS.glob("*.csv")) if REAL_EXPORTS.is_dir() else []


@pytest.mark.parametrize("name", REAL_FILES or ["(absent)"])
def test_real_exports_load(name):
    if not REAL_EXPORTS.is_dir():
        pytest.fail("shared/reference/real-exports is not next to the repository: the tests read the real exports from ../shared, as CI has them")
    path = REAL_EXPORTS / name
    headers, counts = _count_rows(path)
    result = read_table(path)
    assert isinstance(result, ReadResult)
    assert result.report.columns == tuple(headers[0])
    assert result.report.rows == counts[0] == result.frame.height
    if name.startswith("matomo"):
        assert result.report.encoding == "utf-16"
        assert len(result.report.percent_columns) == 1
        assert result.frame[result.report.percent_columns[0]].max() == 100.0
    else:
        assert result.report.header_line == 10 or len(counts) > 1


def test_real_snapshot_lists_every_table():
    path = REAL_EXPORTS / "ga4_reports_snapshot_multitable__joel-hanson.csv"
    if not path.exists():
        pytest.fail("shared/reference/real-exports is not next to the repository: the tests read the real exports from ../shared, as CI has them")
    headers, counts = _count_rows(path)
    result = read_table(path)
    assert len(result.report.tables) == len(headers) == 16
    assert [t.rows for t in result.report.tables] == counts
    assert [list(t.columns) for t in result.report.tables] == headers
    assert result.report.tables[4].title == "Where do your new users come from?"
    for info in result.report.tables:
        if info.rows:
            chosen = read_table(path, table=info.index)
            assert chosen.frame.height == info.rows
            assert chosen.report.columns == info.columns
    channels = read_table(path, table=5).frame
    assert channels["Sessions"].sum() == 2451 + 1312 + 820 + 65 + 24


def test_real_matomo_contents_is_utf16_despite_what_file_says():
    path = REAL_EXPORTS / "matomo_csv_translated_en__Contents.utf16le.csv"
    if not path.exists():
        pytest.fail("shared/reference/real-exports is not next to the repository: the tests read the real exports from ../shared, as CI has them")
    result = read_table(path)
    assert result.report.encoding == "utf-16"
    assert result.frame["Interaction Rate"].to_list() == [50.0, 100.0, 0.0, 0.0, 100.0, 0.0]
    assert result.frame["Visits"].sum() == 4 + 2 + 2 + 2 + 2 + 2


# ---------------------------------------------------------------------------------------------
# Matomo, Excel, Parquet


@pytest.mark.parametrize("written", ["100%", "100 %", f"100{NBSP}%"])
def test_matomo_translated_export(written):
    header = ["Libellé", "Visites", "Taux de rebond", "Entrées directes"]
    data = matomo_export(header, [["Moteurs de recherche", 12, written, 3], ["Réseaux sociaux", 4, "25%", 1]])
    result = read_table(data, file_name="matomo.csv")
    assert result.report.encoding == "utf-16"
    assert result.report.percent_columns == ("Taux de rebond",)
    assert result.frame["Taux de rebond"].to_list() == [100.0, 25.0]
    assert result.frame["Libellé"][1] == "Réseaux sociaux"


def test_xlsx_sheets_by_default_name_and_index():
    data = xlsx_workbook({
        "Segments": (["Segment", "Part", "Texte"], [["convinced", 7.75, "54,75 %"], ["wait_and_see", 54.75, "6 %"]]),
        "Canaux": (["Canal", "Visites", "Visites"], [["Direct", 31, 1], ["Recherche", 29, 2]]),
    })
    first = read_table(data, file_name="etude.xlsx")
    assert first.report.format == "xlsx"
    assert first.report.sheets == ("Segments", "Canaux") and first.report.sheet == "Segments"
    assert first.frame["Part"].sum() == pytest.approx(62.5)
    assert first.frame["Texte"].to_list() == [54.75, 6.0] and first.report.percent_columns == ("Texte",)
    by_name = read_table(data, file_name="etude.xlsx", sheet="Canaux")
    by_index = read_table(data, file_name="etude.xlsx", sheet=1)
    assert by_name.frame.equals(by_index.frame)
    assert by_name.report.columns == ("Canal", "Visites", "Visites_2")
    assert by_name.frame["Visites"].sum() == 60
    with pytest.raises(InputError, match=r"no sheet 'Devices'.*0 'Segments', 1 'Canaux'"):
        read_table(data, file_name="etude.xlsx", sheet="Devices")
    with pytest.raises(InputError, match=r"no sheet 5"):
        read_table(data, file_name="etude.xlsx", sheet=5)


def test_parquet_round_trip_and_path(tmp_path):
    frame = pl.DataFrame({"segment": ["newcomers", "convinced"], "share": [6.0, 7.75]})
    data = parquet_bytes(frame)
    assert read_table(data, file_name="s.parquet").frame.equals(frame)
    target = tmp_path / "s.parquet"
    target.write_bytes(data)
    result = read_table(target)
    assert result.report.format == "parquet" and result.frame["share"].sum() == 13.75
    assert read_table(data).report.format == "parquet"  # no name: the magic number decides


# ---------------------------------------------------------------------------------------------
# Refusals


def _refused(data: bytes, name: str = "f.csv", **options) -> str:
    with pytest.raises(InputError) as caught:
        read_table(data, file_name=name, **options)
    message = str(caught.value)
    assert message.endswith(".") and "\n" not in message
    return message


def test_refuses_empty_and_header_only():
    assert "empty" in _refused(b"")
    assert "empty" in _refused(b"\xef\xbb\xbf\r\n\r\n")
    assert "no data rows" in _refused(b"a;b;c\r\n")
    assert "line 10" in _refused(ga4_export("Pages", ["Page", "Views"], []))
    assert "only comment lines" in _refused(b"# Reports snapshot\n# Account: x\n")


def test_refuses_binary_named_csv():
    workbook = xlsx_workbook({"S": (["a"], [[1]])})
    assert "looks like a ZIP/Excel" in _refused(workbook, "export.csv")
    assert "not a CSV" in _refused(b"\x00\x01\x02binary\x00\xff" * 50, "export.csv")
    assert "looks like a Parquet" in _refused(parquet_bytes(pl.DataFrame({"a": [1]})), "x.csv")


@pytest.mark.parametrize("prefix_lines", [0, 9])
def test_ragged_rows_name_their_line(prefix_lines):
    preamble = "".join(f"# comment {i}\n" for i in range(prefix_lines))
    header_line = prefix_lines + 1
    too_long = preamble + 'a,b,c\n1,2,3\n4,"x\ny",6\n7,8,9,10\n11,12,13\n'
    message = _refused(too_long.encode())
    assert f"Line {header_line + 4} " in message and "4 fields" in message and "has 3" in message
    long_after_short = "a,b,c\n1,2\n4,5,6,7\n"
    assert "Line 3 " in _refused(long_after_short.encode())


@pytest.mark.parametrize("text", ["a,b,c\n1,2,3\n4,5,6\n7,8\n10,11,12\n", "a;b;c\r\n1;2;3\r\n4;5;6\r\n7;8\r\n"])
def test_short_rows_are_read_with_empty_trailing_cells_and_a_note(text):
    # many writers (ODK Central, GA4, spreadsheets) leave trailing empty cells out: nothing is lost
    result = read_table(text.encode(), file_name="f.csv")
    sep = ";" if ";" in text else ","
    rows = [line.split(sep) for line in text.splitlines()[1:]]
    assert result.frame.height == len(rows)
    assert result.frame["c"].to_list() == [int(r[2]) if len(r) > 2 else None for r in rows]
    assert "1 row has fewer fields than the header (line 1), the first on line 4" in " ".join(result.report.notes)


def test_unclosed_quote_names_its_line():
    message = _refused(b'a,b\n1,2\n3,"open\n5,6\n')
    assert "line 3" in message and "quote" in message


@pytest.mark.parametrize("end", ["", "\n", "\r\n"])
def test_unclosed_quote_on_the_first_data_line_names_it(end):
    message = _refused(f'id,segment\nR1,"Convinced\nR2,Adapters{end}'.encode())
    assert "quoted field starting on line 2" in message and "never closed" in message
    assert "no data rows" not in message


def test_limits():
    data = csv_text(["a", "b"], [[i, i] for i in range(1000)]).encode()
    message = _refused(data, limits=Limits(max_bytes=1024))
    assert f"{len(data) / 1048576:.1f} MB" in message and "0.0 MB limit" in message
    message = _refused(data, limits=Limits(max_rows=999))
    assert "999 rows" in message
    assert read_table(data, file_name="f.csv", limits=Limits(max_rows=1000)).frame.height == 1000


def test_refuses_damaged_workbooks_and_parquet():
    workbook = xlsx_workbook({"S": (["a"], [[1]])})
    assert "Excel" in _refused(workbook[: len(workbook) // 2], "damaged.xlsx")
    assert "Excel" in _refused(b"a,b\n1,2\n", "not-really.xlsx")
    parquet = parquet_bytes(pl.DataFrame({"a": list(range(100))}))
    assert "Parquet" in _refused(parquet[:-20], "damaged.parquet")


def test_refuses_unknown_table_in_a_single_table_file():
    assert "no table 2" in _refused(b"a,b\n1,2\n", table=2)


def test_describe_says_what_was_detected():
    header, rows = segment_panel_fr()
    report = read_table(french_excel_csv(rows, header), file_name="panel.csv").report
    text = " ".join(describe(report))
    assert "semicolon" in text and "cp1252" in text and "decimal mark ','" in text
    assert "Part" in text and "5 rows" in text


# ---------------------------------------------------------------------------------------------
# Tables separated by blank lines only


UA_PREAMBLE = ["-" * 40, "All Web Site Data", "Channels", "20190101-20191231", "-" * 40]
UA_CHANNELS = (["Default Channel Grouping", "Users", "Sessions", "Bounce Rate"],
               [["Organic Search", "10,234", "12,500", "45.23%"], ["Direct", "3,456", "4,000", "50.00%"],
                ["Social", 800, 900, "60.00%"], ["Referral", 400, 500, "30.00%"]])
UA_DAYS = (["Day Index", "Sessions"], [["1/1/19", 50], ["1/2/19", 60]])


def test_universal_analytics_tables_separated_by_a_blank_line():
    data = blank_line_tables(UA_PREAMBLE, [UA_CHANNELS, UA_DAYS])
    # lines: 1-5 '#', 6 blank, 7 header, 8-11 rows, 12 blank, 13 header, 14-15 rows
    first = read_table(data, file_name="ua.csv")
    tables = first.report.tables
    assert [(t.index, t.header_line, t.rows) for t in tables] == [(0, 7, 4), (1, 13, 2)]
    assert tables[0].columns == ("Default Channel Grouping", "Users", "Sessions", "Bounce Rate")
    assert tables[1].columns == ("Day Index", "Sessions")
    assert tables[0].title == "All Web Site Data" and tables[1].title is None
    assert first.frame["Sessions"].to_list() == [12500, 4000, 900, 500]
    assert first.frame["Users"].to_list() == [10234, 3456, 800, 400]
    assert first.frame["Bounce Rate"].to_list() == [45.23, 50.0, 60.0, 30.0]
    second = read_table(data, file_name="ua.csv", table=1)
    assert second.report.columns == ("Day Index", "Sessions") and second.report.header_line == 13
    assert second.frame["Sessions"].to_list() == [50, 60] and second.report.preamble == ()


def test_ga4_snapshot_with_one_preamble_and_blank_lines_between_tables():
    preamble = ["-" * 40, "Reports snapshot", "Account: Demo", "Property: www.demo.com", "-" * 40, "",
                "All Users", "Start date: 20250101", "End date: 20250131"]
    data = blank_line_tables(preamble, [
        (["Nth day", "Active users"], [["0000", 13], ["0001", 22]]),
        (["Session primary channel group (Default Channel Group)", "Sessions"],
         [["Organic Search", 100], ["Direct", 50], ["Referral", 25]]),
        (["Device category", "Active users"], [["desktop", 70], ["mobile", 25], ["tablet", 5]]),
    ], blank_after_preamble=False, newline="\r\n")
    first = read_table(data, file_name="snapshot.csv")
    assert [(t.header_line, t.rows) for t in first.report.tables] == [(10, 2), (14, 3), (19, 3)]
    assert first.report.tables[0].title == "Reports snapshot"
    assert first.frame["Active users"].to_list() == [13, 22]
    channels = read_table(data, file_name="snapshot.csv", table=1).frame
    assert channels.columns == ["Session primary channel group (Default Channel Group)", "Sessions"]
    assert channels["Sessions"].sum() == 175
    devices = read_table(data, file_name="snapshot.csv", table=2).frame
    assert dict(devices.iter_rows()) == {"desktop": 70, "mobile": 25, "tablet": 5}


def test_plain_csv_with_a_second_table_after_a_blank_line():
    data = "Segment;Part\r\nConvaincus;7,75\r\nAttentistes;54,75\r\n\r\nSource;Année\r\nNextstage;2015\r\n"
    result = read_table(data.encode("cp1252"), file_name="deux.csv")
    assert [(t.columns, t.rows) for t in result.report.tables] == [(("Segment", "Part"), 2), (("Source", "Année"), 1)]
    assert result.frame["Part"].to_list() == [7.75, 54.75]
    assert read_table(data.encode("cp1252"), file_name="deux.csv", table=1).frame["Année"].to_list() == [2015]


def test_excel_padded_blank_line_and_header_start_a_table():
    data = "Canal;Visites;\nDirect;31;\nRecherche;29;\n;;\nJour;Visites;Note\n2025-01-01;12;x\n"
    result = read_table(data.encode(), file_name="excel.csv")
    assert [t.rows for t in result.report.tables] == [2, 1]
    assert result.frame["Visites"].sum() == 60


def test_a_table_beyond_the_sniffed_head_is_found_too():
    rows = [[f"R{i}", ("Convaincus", "Attentistes")[i % 2], 1] for i in range(6000)]
    data = csv_text(["id", "segment", "poids"], rows, sep=";") + "\nSource;Note\nNextstage;2015\n"
    assert len(data) > 64 * 1024
    result = read_table(data.encode(), file_name="long.csv")
    assert [t.rows for t in result.report.tables] == [6000, 1]
    assert result.frame.height == 6000 and result.frame["poids"].sum() == 6000
    assert read_table(data.encode(), file_name="long.csv", table=1).frame["Source"].to_list() == ["Nextstage"]


def test_blank_lines_inside_one_text_table_keep_it_one_table():
    data = "Canal;Commentaire\nDirect;bien\n\nRéférent;moyen\n\n\nEmail;\"deux\n\nparagraphes\"\n"
    result = read_table(data.encode(), file_name="texte.csv")
    assert len(result.report.tables) == 1
    assert result.frame["Canal"].to_list() == ["Direct", "Référent", "Email"]
    assert result.frame["Commentaire"][2] == "deux\n\nparagraphes"


# ---------------------------------------------------------------------------------------------
# Currency amounts


@pytest.mark.parametrize("sep, cells, expected, symbol", [
    (";", ["1 234 €", "1 234,50 €", "12 €"], [1234.0, 1234.5, 12.0], "€"),
    (";", [f"1{NBSP}234{NBSP}€", f"-2{NBSP}000,25{NBSP}€", f"7{NBSP}€"], [1234.0, -2000.25, 7.0], "€"),
    (",", ["€1,234.50", "€12", "-€3.5"], [1234.5, 12.0, -3.5], "€"),
    (",", ["$1,234", "$12", "$0.99"], [1234.0, 12.0, 0.99], "$"),
    (";", ["1.234 EUR", "12.500 EUR", "7 EUR"], [1234.0, 12500.0, 7.0], "€"),
    (",", ["USD 1,234", "USD 12", "USD 1,000,000"], [1234.0, 12.0, 1000000.0], "$"),
    (";", ["1 234 €", "EUR 5", "€3"], [1234.0, 5.0, 3.0], "€"),  # one currency, three spellings
])
def test_currency_amounts_become_numbers(sep, cells, expected, symbol):
    data = csv_text(["id", "budget"], [[f"R{i}", cell] for i, cell in enumerate(cells)], sep=sep).encode()
    result = read_table(data, file_name="budget.csv")
    assert result.frame["budget"].dtype == pl.Float64
    assert result.frame["budget"].to_list() == expected
    assert f"Currency symbols ({symbol}) removed from column 'budget'" in " ".join(result.report.notes)


def test_mixed_currencies_stay_text_with_a_note():
    data = csv_text(["id", "budget"], [["R1", "12 €"], ["R2", "$12"], ["R3", "5 €"]]).encode()
    result = read_table(data, file_name="budget.csv")
    assert result.frame["budget"].to_list() == ["12 €", "$12", "5 €"]
    assert "Column 'budget' mixes currencies ($, €); it is kept as text." in result.report.notes


def test_text_with_a_currency_sign_is_not_an_amount():
    data = csv_text(["id", "offre"], [["R1", "12 € par mois"], ["R2", "gratuit"]]).encode()
    assert read_table(data, file_name="o.csv").frame["offre"].to_list() == ["12 € par mois", "gratuit"]


# ---------------------------------------------------------------------------------------------
# Workbooks with rows above the header


def test_xlsx_title_and_blank_row_above_the_header(capfd):
    rows = [["Résultats de l'enquête réseaux sociaux (mars 2025)"], [], ["Identifiant", "Segment", "Pondération"],
            ["R1", "Convaincus", 0.35130830489192266], ["R2", "Attentistes", 1.5], ["R3", "Convaincus", 2]]
    result = read_table(xlsx_rows({"Données": rows}), file_name="enquete.xlsx")
    report = result.report
    assert report.header_line == 3
    assert report.preamble == ("Résultats de l'enquête réseaux sociaux (mars 2025)",)
    assert report.columns == ("Identifiant", "Segment", "Pondération")
    # the cells' own floats, not their text (which keeps nine decimals: 0.351308305)
    assert result.frame["Pondération"].to_list() == pytest.approx([0.35130830489192266, 1.5, 2.0], rel=1e-15)
    assert result.frame["Segment"].to_list() == ["Convaincus", "Attentistes", "Convaincus"]
    assert "Could not determine dtype" not in capfd.readouterr().err


def test_xlsx_title_directly_above_the_header(capfd):
    rows = [["Panel entreprises – export du 01/03/2025"], ["Identifiant", "Segment", "Pondération"]]
    rows += [[f"R{i}", ("Attentiste", "Convaincu")[i % 2], 1] for i in range(6)]
    result = read_table(xlsx_rows({"Panel": rows}), file_name="panel.xlsx")
    assert result.report.header_line == 2
    assert result.report.columns == ("Identifiant", "Segment", "Pondération")
    assert result.frame.height == 6 and result.frame["Pondération"].dtype == pl.Int64
    assert result.frame["Segment"].to_list().count("Attentiste") == 3
    captured = capfd.readouterr()
    assert "Could not determine dtype" not in captured.err and "falling back" not in captured.err


def test_ga4_export_opened_in_google_sheets(capfd):
    rows = [["# ----------------------------------------"],
            ["# Traffic acquisition: Session primary channel group (Default Channel Group)"],
            ["#"], ["# Start date: 20250101", None, None],
            ["Session primary channel group (Default Channel Group)", "Sessions", "Engagement rate"],
            ["Organic Search", 100, 0.5], ["Direct", 50, 0.4], ["Referral", 25, 0.3]]
    result = read_table(xlsx_rows({"Sheet1": rows}), file_name="ga4.xlsx")
    assert result.report.header_line == 5
    assert result.report.preamble == ("----------------------------------------",
                                      "Traffic acquisition: Session primary channel group (Default Channel Group)",
                                      "", "Start date: 20250101")
    assert result.frame["Sessions"].to_list() == [100, 50, 25]
    assert result.frame["Engagement rate"].to_list() == [0.5, 0.4, 0.3]
    assert "Could not determine dtype" not in capfd.readouterr().err


def test_xlsx_leading_blank_rows_and_blank_rows_inside():
    rows = [[], [], ["Canal", "Visites"], ["Direct", 31], [], ["Recherche", 29], [], []]
    result = read_table(xlsx_rows({"S": rows}), file_name="b.xlsx")
    assert result.report.header_line == 3
    assert result.frame["Visites"].to_list() == [31, 29]
    assert "Skipped 1 blank row." in result.report.notes


def test_xlsx_header_with_a_single_cell_over_numeric_rows_stays_the_header():
    rows = [["Visites", None], [31, 2], [29, 3]]
    result = read_table(xlsx_rows({"S": rows}), file_name="h.xlsx")
    assert result.report.header_line == 1 and result.report.columns == ("Visites", "column_2")
    assert result.frame["Visites"].to_list() == [31, 29]


# ---------------------------------------------------------------------------------------------
# Total rows


def test_universal_analytics_total_row_is_left_out():
    header, rows = UA_CHANNELS
    total = ["", "14,890", "17,900", "46.00%"]  # 10234+3456+800+400; 12500+4000+900+500; a mean rate
    data = blank_line_tables(UA_PREAMBLE, [(header, [*rows, total]), UA_DAYS])
    result = read_table(data, file_name="ua.csv")
    assert result.frame["Sessions"].to_list() == [12500, 4000, 900, 500]
    assert result.report.rows == 4 and result.report.dropped_lines == (12,)
    assert "Line 12 is a total row (the sums of the rows above); left out so nothing is counted twice." \
        in result.report.notes


@pytest.mark.parametrize("label", ["Total", "TOTAL", "Grand total", "Total général", "Totaux", "Total :"])
def test_labelled_total_row_is_left_out_and_the_dates_come_back(label):
    data = f"Date;Source;Support;Sessions\n2025-01-01;google;organic;40\n2025-01-02;(direct);(none);60\n" \
           f"2025-01-03;bing;organic;5\n{label};;;105\n"
    result = read_table(data.encode("utf-8"), file_name="t.csv")
    assert result.frame["Sessions"].to_list() == [40, 60, 5]
    assert result.frame["Date"].dtype == pl.Date and result.frame["Date"][2] == dt.date(2025, 1, 3)
    assert result.report.dropped_lines == (5,)


def test_french_totals_row_with_shares_and_counts():
    rows = "Nouveaux venus;6 %;102\r\nConvaincus;7,75 %;132\r\nAdaptateurs;10,5 %;179\r\n" \
           "Insatisfaits;21 %;357\r\nAttentistes;54,75 %;931\r\n"
    data = f"Segment;Part;Effectif\r\n{rows}Totaux;100 %;1 701\r\n\r\n"
    result = read_table(data.encode("cp1252"), file_name="agg.csv")
    assert result.frame["Effectif"].to_list() == [102, 132, 179, 357, 931]
    assert result.frame["Part"].sum() == pytest.approx(100.0)
    assert result.report.dropped_lines == (7,)


@pytest.mark.parametrize("last", ["Total;;;99", ";;;18162", "Total;;;105,5", "R4;;;105"])
def test_a_last_row_that_does_not_add_up_or_is_no_total_is_kept(last):
    data = f"Date;Source;Support;Sessions\n2025-01-01;google;organic;40\n2025-01-02;(direct);(none);60\n" \
           f"2025-01-03;bing;organic;5\n{last}\n"
    result = read_table(data.encode("utf-8"), file_name="t.csv")
    assert result.frame.height == 4 and result.report.dropped_lines == ()
    assert not any("total row" in note for note in result.report.notes)


def test_rounded_shares_still_add_up_to_their_total():
    data = "Canal;Part\nDirect;33,3 %\nRecherche;33,3 %\nLiens;33,3 %\nTotal;100 %\n"  # 99,9 written as 100
    result = read_table(data.encode(), file_name="parts.csv")
    assert result.frame["Part"].to_list() == [33.3, 33.3, 33.3] and result.report.dropped_lines == (5,)


def test_a_count_of_respondents_under_their_weights_is_no_sum():
    rows = "".join(f"R{i:03d};Convaincus;{'0,99' if i % 2 else '1,00'}\r\n" for i in range(200))
    data = f"Identifiant;Segment;Pondération\r\n{rows}Total;;200\r\n"  # the weights add up to 199,00
    result = read_table(data.encode("cp1252"), file_name="panel.csv")
    assert result.frame.height == 201 and result.report.dropped_lines == ()
    assert result.frame["Pondération"].head(200).sum() == pytest.approx(199.0)


def test_rates_alone_never_make_a_total_row():
    data = "Canal,Taux de rebond\nDirect,30 %\nRecherche,50 %\n,40 %\n"
    result = read_table(data.encode(), file_name="r.csv")
    assert result.frame["Taux de rebond"].to_list() == [30.0, 50.0, 40.0] and result.report.dropped_lines == ()


def test_xlsx_total_row_is_left_out_and_dates_stay_dates():
    rows = [["Date", "Source", "Support", "Sessions"]]
    rows += [[dt.datetime(2025, 1, day), "google", "organic", 10 * day] for day in range(1, 11)]
    rows.append(["Total", None, None, 550])  # 10 + 20 + … + 100
    result = read_table(xlsx_rows({"Trafic": rows}), file_name="trafic.xlsx")
    assert result.frame.height == 10 and result.frame["Sessions"].sum() == 550
    assert result.frame["Date"].dtype == pl.Date and result.frame["Date"][0] == dt.date(2025, 1, 1)
    assert result.report.dropped_lines == (12,)
    assert "Row 12 is a total row (the sums of the rows above); left out so nothing is counted twice." \
        in result.report.notes


# ---------------------------------------------------------------------------------------------
# Robustness: nothing but a result or an InputError


def _outcome(data: bytes, name: str = "fuzz.csv") -> None:
    try:
        result = read_table(data, file_name=name)
    except InputError as error:
        assert str(error)
        return
    assert isinstance(result, ReadResult)
    assert result.frame.height == result.report.rows > 0
    assert tuple(result.frame.columns) == result.report.columns


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=600))
def test_arbitrary_bytes(data):
    _outcome(data)


def _seeds() -> list[bytes]:
    header, rows = segment_panel_fr()
    return [
        french_excel_csv(rows, header),
        french_excel_csv(rows, header, encoding="utf-16"),
        ga4_export("Pages", ["Page", "Views", "Rate"], [["/", 10, 0.5], ["/a,b", 3, 0.25]]),
        ga4_snapshot([(None, ["Nth week", "Users"], [["0000", 1]]), ("Q?", ["Channel", "Users"], [["Direct", 2]])]),
        matomo_export(["Label", "Rate"], [["x", "100%"], ["y", "50 %"]]),
        csv_text(["a", "b"], [["x\ny", 'q"q'], ["1", "2"]], quote_all=True).encode(),
    ]


INSERTS = [b",", b";", b'"', b"\n", b"\r\n", b"\t", b"#", b"%", b"\x00", b"\xff", b" "]


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.sampled_from(range(6)), operations=st.lists(st.tuples(
    st.sampled_from(["flip", "truncate", "insert", "delete"]), st.integers(0, 10**6), st.integers(0, 255)),
    min_size=1, max_size=4))
def test_mutated_fixtures(seed, operations):
    data = bytearray(_seeds()[seed])
    for operation, position, value in operations:
        if not data:
            break
        at = position % len(data)
        if operation == "flip":
            data[at] = value
        elif operation == "truncate":
            del data[at:]
        elif operation == "insert":
            data[at:at] = INSERTS[value % len(INSERTS)]
        else:
            del data[at]
    _outcome(bytes(data))


def test_mutated_fixtures_with_a_fixed_seed_cover_each_operation():
    rng = random.Random(20151001)
    for seed in _seeds():
        for _ in range(30):
            data = bytearray(seed)
            at = rng.randrange(len(data))
            data[at:at] = rng.choice(INSERTS)
            _outcome(bytes(data))


# ---------------------------------------------------------------------------------------------
# Resource limits before work: zip containers (issue 14, item 3)


@pytest.fixture
def no_workbook_parser(monkeypatch):
    """Fails the test if fastexcel opens the workbook or loads a sheet: the refusal must come first."""
    import fastexcel

    def opened(*_args, **_kwargs):
        raise AssertionError("the workbook reached the parser")

    monkeypatch.setattr(fastexcel, "read_excel", opened)
    monkeypatch.setattr(fastexcel.ExcelReader, "load_sheet", opened)


def test_a_zip_bomb_workbook_is_refused_before_parsing(no_workbook_parser):
    from tests.survey_files import xlsx_bomb

    bomb = xlsx_bomb(1024)  # 3 MB whose sheet is 1 GB of XML (22 million rows)
    assert len(bomb) < 4 * 1024 * 1024
    message = _refused(bomb, "responses.xlsx")
    assert message.startswith("'responses.xlsx' expands to 1,024.0 MB")
    assert "512.0 MB limit" in message and "not opened" in message


def test_a_zip_bomb_that_lies_about_its_sizes_is_measured_while_inflating(no_workbook_parser):
    """The central directory claims 1 MB; the stream inflates to 200 MB. Inflating stops at the
    limit (here 32 MB), never trusting what the file declares."""
    from tests.survey_files import xlsx_bomb

    liar = xlsx_bomb(200, declared=(1_000_000, 900_000))
    message = _refused(liar, "responses.xlsx", limits=Limits(max_unpacked_bytes=32 * 1024 * 1024))
    assert message.startswith("'responses.xlsx' expands to more than 32.0 MB")


def test_zip_limits_on_parts_and_ratio(no_workbook_parser):
    from tests.survey_files import xlsx_bomb, zip_bytes

    many = zip_bytes([(f"xl/part{i}.xml", b"", 0, 0, 0, 0) for i in range(50)])
    assert "holds 50 parts" in _refused(many, "w.xlsx", limits=Limits(max_zip_entries=40))
    ratio = _refused(xlsx_bomb(40), "w.xlsx")  # 40 MB from a few hundred KB: only a bomb does that
    assert "expands" in ratio and "times (its part 'xl/worksheets/sheet1.xml')" in ratio


def test_rows_are_counted_while_inflating_and_the_sheet_is_refused_before_loading(monkeypatch):
    import fastexcel

    data = xlsx_workbook({"Responses": (["id", "answer"], [[i, "yes"] for i in range(3000)])})
    loaded = []
    original = fastexcel.ExcelReader.load_sheet
    monkeypatch.setattr(fastexcel.ExcelReader, "load_sheet",
                        lambda self, *a, **k: loaded.append(1) or original(self, *a, **k))
    message = _refused(data, "w.xlsx", limits=Limits(max_rows=1000))
    assert message == ("Sheet 'Responses' of 'w.xlsx' has more than 1,000 rows, the limit; keep fewer rows, "
                       "or save it as CSV.")
    assert not loaded
    assert read_table(data, file_name="w.xlsx", limits=Limits(max_rows=3000)).frame.height == 3000


def test_a_sheet_stretched_by_one_far_cell_is_refused(no_workbook_parser):
    """A1 and XFD1048576: 17 billion cells for the parser to allocate (it aborts the process)."""
    import io

    import openpyxl

    book = openpyxl.Workbook()
    book.active["A1"] = "x"
    book.active["XFD1048576"] = "y"
    buffer = io.BytesIO()
    book.save(buffer)
    message = _refused(buffer.getvalue(), "far.xlsx")
    assert "spans 1,048,576 rows by 16,384 columns" in message and "50,000,000-cell limit" in message


def test_an_opendocument_sheet_of_repeated_rows_is_refused(no_workbook_parser):
    from tests.survey_files import ODS_CONTENT, ods_bytes, ods_row

    rows = ods_row(["id", "answer"]) + ods_row(["1", "yes"], repeated_rows=1_000_000, repeated_columns=1000)
    message = _refused(ods_bytes(ODS_CONTENT % rows), "bomb.ods")
    assert "spans 1,000,001 rows by 2,000 columns" in message  # two cells, each repeated 1,000 times


def test_an_ordinary_opendocument_sheet_still_reads():
    from tests.survey_files import ODS_CONTENT, ods_bytes, ods_row

    rows = ods_row(["segment", "share"]) + ods_row(["convinced", "7.75"]) + ods_row(["dissatisfied", "21"])
    # LibreOffice pads rows and sheets with repeated empty cells and rows: they do not count
    rows += b'<table:table-row table:number-rows-repeated="1048570"><table:table-cell ' \
            b'table:number-columns-repeated="1024"/></table:table-row>'
    result = read_table(ods_bytes(ODS_CONTENT % rows), file_name="ok.ods")
    assert result.frame["segment"].to_list() == ["convinced", "dissatisfied"]


def test_the_limits_have_documented_defaults():
    limits = Limits()
    assert (limits.max_unpacked_bytes, limits.max_zip_entries, limits.max_zip_ratio, limits.max_cells,
            limits.max_columns) == (512 * 1024 * 1024, 10_000, 100, 50_000_000, 16_384)
    for name in ("max_unpacked_bytes", "max_zip_entries", "max_zip_ratio", "max_cells", "max_columns"):
        assert f"{name}:" in Limits.__doc__


# ---------------------------------------------------------------------------------------------
# Header lines longer than the sniffed 64 KB (issue 14, item 5)


def _wide_csv(columns: int, rows: int = 3) -> bytes:
    header = ",".join(f"question {i} of the long survey" for i in range(columns))
    body = "\n".join(",".join(str((r * 7 + i) % 5) for i in range(columns)) for r in range(rows))
    return (header + "\n" + body + "\n").encode()


def test_a_9000_column_header_is_read_whole():
    data = _wide_csv(9000)
    assert data.index(b"\n") > 4 * 64 * 1024  # the header alone is past several sniff windows
    result = read_table(data, file_name="wide.csv")
    assert result.frame.width == 9000 and len(result.report.columns) == 9000
    assert result.frame.columns[-1] == "question 8999 of the long survey"
    assert result.frame["question 8999 of the long survey"].to_list() == [8999 % 5, (7 + 8999) % 5, (14 + 8999) % 5]


def test_a_100000_column_header_is_refused_with_its_true_count():
    message = _refused(_wide_csv(100_000, rows=1), "wide.csv")
    assert message == ("The header of 'wide.csv' (line 1) has 100,000 columns, above the 16,384 limit; "
                       "export fewer columns, or split the file.")


def test_a_long_header_read_from_a_path(tmp_path):
    path = tmp_path / "wide.csv"
    path.write_bytes(_wide_csv(12_000))
    assert read_table(path).frame.width == 12_000


# ---------------------------------------------------------------------------------------------
# UTF-8 with a few invalid bytes (issue 14, item 6)


def _utf8_with_damage(lines: int, damaged: tuple[int, ...]) -> bytes:
    out = [b"Sector;Companies"]
    for line in range(2, lines + 1):  # on damaged lines 'é' (C3 A9) is cut to its first byte
        out.append(f"Retail é;{line}".encode() if line not in damaged else b"Retail \xc3;%d" % line)
    return b"\n".join(out) + b"\n"


@pytest.mark.parametrize("damaged", [(5,), (15_000, 19_999), (3, 17_000)])
def test_utf8_with_a_few_invalid_bytes_stays_utf8(damaged, tmp_path):
    data = _utf8_with_damage(20_000, damaged)
    for source in (data, tmp_path / "sectors.csv"):
        if isinstance(source, Path):
            source.write_bytes(data)
        result = read_table(source, file_name="sectors.csv")
        sectors = result.frame["Sector"]
        assert result.report.encoding == "utf-8"
        assert result.report.replaced_lines == damaged
        assert (sectors == "Retail é").sum() == 19_999 - len(damaged)
        assert sectors.str.contains("Ã").sum() == 0  # no cp1252 mojibake anywhere
        assert sorted(sectors.filter(sectors != "Retail é").unique().to_list()) == ["Retail \ufffd"]
        shown = ", ".join(map(str, damaged))
        assert any(f"(line{'s' if len(damaged) > 1 else ''} {shown})" in note for note in result.report.notes)


def test_windows_1252_is_still_windows_1252():
    data = "Secteur;Nombre\nCommerce de détail;3\nSanté;4\nÉnergie;5\n".encode("cp1252")
    result = read_table(data, file_name="fr.csv")
    assert result.report.encoding == "cp1252" and result.report.replaced_lines == ()
    assert result.frame["Secteur"].to_list() == ["Commerce de détail", "Santé", "Énergie"]


def test_chinese_gbk_text_is_not_taken_for_damaged_utf8():
    """Some GBK byte pairs happen to be valid UTF-8: the file must still read as GB18030."""
    draw = random.Random(1)
    text = "问卷调查结果显示我们的客户对社交媒体营销的投资回报感到满意但是仍然希望看到更多的案例和数据支持"
    rows = [[i, "".join(draw.sample(text, 20))] for i in range(3000)]
    data = csv_text(["序号", "意见"], rows).encode("gb18030")
    result = read_table(data, file_name="意见.csv")
    assert result.report.encoding == "gb18030" and result.report.replaced_lines == ()
    assert result.frame["意见"].to_list() == [r[1] for r in rows]

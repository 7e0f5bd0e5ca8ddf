"""Exports: spreadsheet-formula neutralisation, CSV variants, .xlsx read back with openpyxl,
charts rendered on the server (PNG size, SVG text), and the one-page report in FR and EN."""

from __future__ import annotations

import csv
import io
import re
import struct
import zipfile
import xml.etree.ElementTree as ET
from datetime import UTC, date, datetime
from html.parser import HTMLParser

import altair as alt
import openpyxl
import polars as pl
import pytest

from digistrat.errors import InputError
from digistrat.export import (
    METHODS,
    Report,
    Section,
    chart_png,
    chart_svg,
    neutralise,
    render_html,
    render_pdf,
    to_csv,
    to_xlsx,
)

DANGEROUS = ["=1+2", "+33 1 23", "-2+3", "@SUM(A1)", "\tcmd", "\r=x"]
SAFE = ["ok", "a=b", " =spaced", "Les attentistes", "", None]


def risky_frame() -> pl.DataFrame:
    texts = DANGEROUS + SAFE
    n = len(texts)
    return pl.DataFrame(
        {
            "text": texts,
            "=HYPERLINK(\"x\")": ["plain"] * n,  # a header is a cell too
            "amount": [-3.5, 2.25, -0.5, 1.0, 0.0, 10.0, -7.75, 3.0, 4.0, 5.0, 6.0, None],
            "count": list(range(-6, n - 6)),
            "segment": pl.Series(["wait_and_see"] * (n - 1) + ["convinced"], dtype=pl.Enum(["convinced", "wait_and_see"])),
            "day": [date(2014, 12, 1)] * n,
        }
    )


# ---------------------------------------------------------------- neutralisation


def test_each_dangerous_prefix_gets_a_single_quote_and_safe_text_is_untouched():
    safe = neutralise(risky_frame())
    assert safe["text"].to_list() == ["'" + t for t in DANGEROUS] + SAFE
    assert "'=HYPERLINK(\"x\")" in safe.columns
    # Numbers stay numbers: a negative number is not a formula.
    assert safe["amount"].dtype == pl.Float64 and safe["amount"].to_list() == risky_frame()["amount"].to_list()
    assert safe["count"].dtype == pl.Int64 and safe["count"].min() == -6
    assert safe["segment"].to_list()[-1] == "convinced"
    assert safe["day"].dtype == pl.Date


def test_a_lazy_frame_is_accepted():
    assert neutralise(pl.LazyFrame({"t": ["=A1"]}))["t"].to_list() == ["'=A1"]


# ---------------------------------------------------------------- CSV


def test_utf8_csv_round_trips_with_neutralised_text():
    data = to_csv(risky_frame())
    assert not data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8"), newline="")))
    assert rows[0] == ["text", "'=HYPERLINK(\"x\")", "amount", "count", "segment", "day"]
    assert [r[0] for r in rows[1:7]] == ["'=1+2", "'+33 1 23", "'-2+3", "'@SUM(A1)", "'\tcmd", "'\r=x"]
    assert rows[1][2:] == ["-3.5", "-6", "wait_and_see", "2014-12-01"]


def test_french_excel_csv_has_bom_semicolons_decimal_commas_and_crlf():
    frame = pl.DataFrame({"segment": ["Les attentistes", "a;b"], "part": [54.75, -2.5], "base": [1700, 31]})
    data = to_csv(frame, french=True)
    assert data.startswith(b"\xef\xbb\xbf")
    assert data.count(b"\r\n") == 3 and data.count(b"\n") == 3  # every line ends CRLF
    text = data.decode("utf-8-sig")
    assert text.splitlines()[0] == "segment;part;base"
    assert text.splitlines()[1] == "Les attentistes;54,75;1700"
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))
    assert rows[2] == ["a;b", "-2,5", "31"]  # the separator inside text is quoted


def test_french_csv_writes_small_numbers_without_exponent():
    text = to_csv(pl.DataFrame({"x": [0.00001]}), french=True).decode("utf-8-sig")
    assert "e" not in text.lower().split("\r\n")[1]
    assert text.split("\r\n")[1].startswith("0,0000")


# ---------------------------------------------------------------- xlsx


def ooxml_text(value: str) -> str:
    # xlsx stores control characters as _xHHHH_ escapes; Excel decodes them, openpyxl does not.
    return re.sub(r"_x([0-9A-Fa-f]{4})_", lambda m: chr(int(m[1], 16)), value)


def sheet_cells(workbook: bytes) -> dict[str, dict]:
    """Cell reference -> its type attribute, formula (if any) and text or value, from the XML."""
    main = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
    with zipfile.ZipFile(io.BytesIO(workbook)) as archive:
        sheet = ET.fromstring(archive.read("xl/worksheets/sheet1.xml"))
        names = set(archive.namelist())
        shared = []
        if "xl/sharedStrings.xml" in names:
            for item in ET.fromstring(archive.read("xl/sharedStrings.xml")).iter(f"{main}si"):
                shared.append("".join(t.text or "" for t in item.iter(f"{main}t")))
    cells = {}
    for cell in sheet.iter(f"{main}c"):
        kind, value = cell.get("t"), cell.find(f"{main}v")
        if kind == "s":
            text = shared[int(value.text)]
        elif kind == "inlineStr":
            text = "".join(t.text or "" for t in cell.iter(f"{main}t"))
        else:
            text = None if value is None else value.text
        cells[cell.get("r")] = {"type": kind, "formula": cell.find(f"{main}f") is not None, "text": text}
    return cells


def test_xlsx_holds_formula_like_text_as_text_cells_without_the_apostrophe():
    frame = risky_frame().with_columns(
        pl.Series("link", ["https://example.com/x"] + ["=HYPERLINK(\"https://evil.example\",\"click\")"] * 11)
    )
    workbook = to_xlsx(frame)
    cells = sheet_cells(workbook)
    assert not any(cell["formula"] for cell in cells.values())
    text_cells = {"s", "inlineStr"}
    assert cells["B1"]["type"] in text_cells and cells["B1"]["text"] == '=HYPERLINK("x")'
    for row, dangerous in enumerate(DANGEROUS, start=2):
        assert cells[f"A{row}"]["type"] in text_cells
        assert ooxml_text(cells[f"A{row}"]["text"]) == dangerous  # as written, no apostrophe
    assert cells["G2"]["text"] == "https://example.com/x" and cells["G3"]["text"].startswith("=HYPERLINK(")
    with zipfile.ZipFile(io.BytesIO(workbook)) as archive:
        assert b"<hyperlink" not in archive.read("xl/worksheets/sheet1.xml")  # a URL stays text, not a link

    sheet = openpyxl.load_workbook(io.BytesIO(workbook)).active
    assert sheet.title == "data"
    rows = list(sheet.iter_rows())
    assert all(cell.data_type != "f" for row in rows for cell in row)
    assert all(cell.hyperlink is None for row in rows for cell in row)
    assert rows[0][1].value == '=HYPERLINK("x")' and rows[0][1].data_type == "s"
    for row, dangerous in zip(rows[1:7], DANGEROUS, strict=True):
        assert row[0].data_type == "s" and ooxml_text(row[0].value) == dangerous
    assert [row[0].value for row in rows[7:12]] == ["ok", "a=b", " =spaced", "Les attentistes", None]


def test_xlsx_keeps_numbers_and_dates_typed():
    rows = list(openpyxl.load_workbook(io.BytesIO(to_xlsx(risky_frame()))).active.iter_rows())
    amounts = [row[2] for row in rows[1:12]]
    assert all(c.data_type == "n" for c in amounts)
    assert [c.value for c in amounts] == [-3.5, 2.25, -0.5, 1.0, 0.0, 10.0, -7.75, 3.0, 4.0, 5.0, 6.0]
    assert rows[1][3].value == -6 and rows[1][3].data_type == "n"
    assert rows[1][4].value == "wait_and_see" and rows[12][4].value == "convinced"  # an Enum is its text
    assert rows[1][5].is_date and rows[1][5].value.date() == date(2014, 12, 1)


def test_xlsx_refuses_more_rows_than_a_sheet_holds():
    frame = pl.DataFrame({"n": pl.int_range(0, 1_048_576, eager=True)})
    with pytest.raises(InputError, match="CSV"):
        to_xlsx(frame)


# ---------------------------------------------------------------- charts


def bar_chart(title: str = "Visits by channel") -> alt.Chart:
    frame = pl.DataFrame({"channel": ["Search", "Links", "Direct"], "share": [29.0, 40.0, 31.0]})
    return (
        alt.Chart(frame, title=title)
        .mark_bar()
        .encode(x="channel:N", y="share:Q")
        .properties(width=300, height=200)
    )


def png_size(data: bytes) -> tuple[int, int]:
    # The IHDR chunk follows the 8-byte signature: length, type, then width and height.
    assert data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


def svg_size(svg: str) -> tuple[float, float]:
    root = ET.fromstring(svg)
    return float(root.get("width")), float(root.get("height"))


def test_png_has_the_signature_and_scale_times_the_chart_size():
    chart = bar_chart()
    width, height = svg_size(chart_svg(chart))
    assert width > 300 and height > 200  # plot area plus axes and title
    one, two = chart_png(chart, scale=1), chart_png(chart)
    assert two.startswith(b"\x89PNG\r\n\x1a\n")
    assert png_size(one) == (round(width), round(height))
    assert png_size(two) == (round(2 * width), round(2 * height))


def test_svg_is_xml_and_holds_the_title_as_text():
    svg = chart_svg(bar_chart("Origine des visites"))
    root = ET.fromstring(svg)
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    texts = [t.text for t in root.iter("{http://www.w3.org/2000/svg}text")]
    assert "Origine des visites" in texts
    assert "Search" in texts


def test_chart_numbers_follow_the_language():
    frame = pl.DataFrame({"x": ["a"], "v": [1.5]})
    chart = alt.Chart(frame).mark_text().encode(text=alt.Text("v:Q", format=".1f"))
    assert ">1,5<" in chart_svg(chart, lang="fr")
    assert ">1.5<" in chart_svg(chart, lang="en")


def test_charts_never_fetch_data_from_the_network():
    chart = alt.Chart(alt.Data(url="https://example.com/data.csv")).mark_bar().encode(x="a:N", y="b:Q")
    with pytest.raises(ValueError, match="not allowed"):
        chart_svg(chart)


# ---------------------------------------------------------------- report


class _Page(HTMLParser):
    """Collects visible text, tag names and attributes of an HTML page."""

    def __init__(self) -> None:
        super().__init__()
        self.text: list[str] = []
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        self._skip += tag in ("style", "svg")

    def handle_endtag(self, tag):
        self._skip -= tag in ("style", "svg")

    def handle_data(self, data):
        if not self._skip and data.strip():
            self.text.append(data.strip())


def parse(page: str) -> _Page:
    parser = _Page()
    parser.feed(page)
    return parser


def segment_report(lang: str) -> Report:
    table = pl.DataFrame(
        {"Segment": ["Wait-and-see", "Newcomers"], "%": [54.75, 6.0], "95 %": ["50.0–59.4", "3.9–9.1"], "n": [400, 400]}
    )
    return Report(
        title="Five segments <of> companies",
        lang=lang,
        filters=[("Country", "France & Canada"), ("Size", "<script>alert(1)</script>")],
        sections=[
            Section("Shares", chart=bar_chart("Segments chart"), table=table, notes=["Low base flagged."]),
            Section("Visits", chart=bar_chart("Visits chart")),
        ],
        sources=["reference_segments", "sample_panel", "my upload: panel.csv"],
        methods=["wilson", "kish", "A sentence of my own."],
        created=datetime(2026, 3, 12, 9, 30, tzinfo=UTC),
    )


def test_english_report_holds_filters_figures_sources_caveats_and_methods():
    page = render_html(segment_report("en"))
    parsed = parse(page)
    text = " ".join(parsed.text)
    assert '<html lang="en">' in page
    assert "Five segments <of> companies" in parsed.text
    assert "Made on 12 Mar 2026, 09:30 UTC" in text
    assert "France & Canada" in parsed.text and "<script>alert(1)</script>" in parsed.text
    assert "<script>" not in page  # user text is escaped, never markup
    # Figures, formatted for English, with their base.
    assert ["Wait-and-see", "54.75", "50.0–59.4", "400"] == parsed.text[parsed.text.index("Wait-and-see"):][:4]
    assert "Newcomers 6 3.9–9.1 400" in text
    # Source and caveats from the provenance (FACTS.md: 7.75 % of 1,700 = 131.75; 1,700 companies).
    assert "does not say how many of the 1,700 companies answered" in text
    assert "131.75" in text
    assert "Published base: 1,700" in text
    assert "not real companies" in text  # the illustrative sample says so
    assert "my upload: panel.csv" in parsed.text
    assert "Wilson" in text and "effective base" in text and "Kish" in text
    assert "A sentence of my own." in parsed.text
    assert "Low base flagged." in parsed.text


def test_french_report_uses_french_labels_numbers_and_caveats():
    page = render_html(segment_report("fr"))
    text = " ".join(parse(page).text)
    assert '<html lang="fr">' in page
    assert "Filtres appliqués" in text and "Sources des données" in text and "Méthodes" in text
    assert "54,75" in text and "Précautions" in text
    assert "L'article ne dit pas combien des 1 700 entreprises ont répondu." in text
    assert "131,75" in text
    assert "Base publiée : 1\u202f700" in text
    assert "score de Wilson" in text and "base effective" in text


def test_report_is_self_contained_with_inline_named_svg_charts():
    page = render_html(segment_report("en"))
    tags = parse(page).tags
    names = [t for t, _ in tags]
    assert names.count("svg") == 2 and "img" not in names and "link" not in names and "script" not in names
    assert not re.search(r'(src|href)="https?:', page)
    svgs = [attrs for t, attrs in tags if t == "svg"]
    assert [a["role"] for a in svgs] == ["img", "img"]
    assert [a["aria-label"] for a in svgs] == ["Shares", "Visits"]
    # a chart's own title stays off paper: the section heading above it says it once
    assert "Segments chart" not in page and "Visits chart" not in page
    ids = [attrs["id"] for _, attrs in tags if "id" in attrs]
    assert len(ids) == len(set(ids))  # two charts never share an element id
    assert "<style>" in page


def test_report_without_filters_says_every_row_counts():
    page = render_html(Report(title="t", lang="en"))
    assert "No filter: every row is counted." in parse(page).text
    assert "Aucun filtre" in render_html(Report(title="t", lang="fr"))


def test_every_method_name_has_a_sentence_in_both_languages():
    for lang in ("en", "fr"):
        page = render_html(Report(title="t", lang=lang, methods=list(METHODS)))
        items = [t for t in parse(page).text if len(t) > 40]
        assert len(items) >= len(METHODS)
        assert not any(t.startswith("report.method.") for t in parse(page).text)


def test_pdf_report_is_a_pdf_document():
    pdf = render_pdf(segment_report("fr"))
    assert pdf.startswith(b"%PDF-")
    assert pdf.rstrip().endswith(b"%%EOF")
    assert len(pdf) > 5_000


# ---------------------------------------------------------------- on paper


def profile_report(lang: str, full: bool = False) -> Report:
    """The segments page's report with its profile tab open: the longest view it has."""
    from digistrat import charts, datasets, explore, present
    from digistrat.query import FilterSpec

    prepared = explore.prepare(datasets.load_bundled(datasets.SAMPLE_PANEL))
    view = explore.page_view(prepared, FilterSpec(), profile_segment="dissatisfied")
    rows = present.share_rows(view.segments, lang, lambda k: present.segment_label(k, lang))
    shares = Section("Shares", chart=charts.share_bars(rows, title="Shares", axis_title="Segment", lang=lang),
                     table=present.share_table(rows, lang, 0.95, "Segment"))
    profile = present.profile_view(view.profile, lang, 0.95, str)
    differences = Section("Largest differences", table=profile.table, notes=[profile.caption],
                          chart=charts.difference_intervals(profile.chart, title="t", axis_title="points", lang=lang))
    return Report(title="Segments", lang=lang, sections=[shares, differences], full=full,
                  sources=["sample_panel", "reference_segments"], methods=list(METHODS))


def pdf_pages(pdf: bytes) -> list[tuple[float, float]]:
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(pdf)
    return [tuple(document[i].get_size()) for i in range(len(document))]


def test_a_long_view_fits_one_a4_page_and_keeps_every_figure_of_its_tables():
    import pypdfium2 as pdfium

    report = profile_report("fr")
    pdf = render_pdf(report)
    [size] = pdf_pages(pdf)
    assert sorted(round(side) for side in size) == [595, 842]
    text = pdfium.PdfDocument(pdf)[0].get_textpage().get_text_range()
    flat = " ".join(text.replace("\u202f", " ").split())
    for section in report.sections:
        for row in section.table.iter_rows():
            for cell in row:
                assert " ".join(cell.replace("\u202f", " ").split()) in flat


def test_the_full_report_takes_the_pages_it_needs():
    assert len(pdf_pages(render_pdf(profile_report("en", full=True)))) > 1


def test_a_wide_table_is_laid_out_on_landscape_paper_first():
    from digistrat.export import _orientations

    wide = Report(title="t", lang="en", sections=[Section("x", table=pl.DataFrame({str(i): ["a"] for i in range(8)}))])
    narrow = Report(title="t", lang="en", sections=[Section("x", table=pl.DataFrame({"a": ["b"]}))])
    assert _orientations(wide)[0].landscape and not _orientations(narrow)[0].landscape


def test_a_chart_on_paper_is_drawn_in_the_pages_font_without_its_own_title():
    from digistrat.export import PAPER_FONT, paper_svg

    svg = paper_svg(bar_chart("A title the heading already says"), 400, "fr")
    assert "A title the heading already says" not in svg
    assert f'font-family="{PAPER_FONT}"' in svg
    width = float(ET.fromstring(svg).get("width"))
    assert 360 <= width <= 440  # about the width asked for, labels included

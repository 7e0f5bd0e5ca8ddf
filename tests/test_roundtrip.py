"""A filtered view of the sample panel, exported the ways people export it, uploaded again:
the segment shares do not move.

The expected shares come from the panel CSV read with plain polars (no digistrat reader).
"""

from __future__ import annotations

import io
from pathlib import Path

import polars as pl
import pytest

from digistrat import stats
from digistrat.datasets import load_bytes
from digistrat.segments import SEGMENT_KEYS
from tests.fixtures_files import parquet_bytes, xlsx_workbook

PANEL = Path(__file__).resolve().parents[1] / "data" / "sample_panel.csv"
# The article's French labels, as a French consultant's spreadsheet would hold them.
FRENCH = {"newcomers": "Les nouvelles venues", "convinced": "Les convaincues",
          "adapters": "Les tenants de l'adaptation", "dissatisfied": "Les insatisfaits",
          "wait_and_see": "Les attentistes"}


def filtered_view() -> pl.DataFrame:
    """Small and mid-sized companies outside Retail: a view a consultant would export."""
    panel = pl.read_csv(PANEL, infer_schema_length=0).with_columns(pl.col("weight").cast(pl.Float64))
    view = panel.filter(pl.col("company_size").is_in(["1-9", "10-49", "50-249"]) & (pl.col("sector") != "Retail"))
    assert 30 < view.height < panel.height
    return view


def expected_shares(view: pl.DataFrame) -> dict[str, float]:
    totals = view.group_by("segment").agg(pl.col("weight").sum())
    grand = totals["weight"].sum()
    return {key: weight / grand for key, weight in totals.iter_rows()}


def shares_after_upload(data: bytes, name: str) -> tuple[dict[str, float], int]:
    dataset = load_bytes(data, name)
    assert dataset.kind == "survey"
    table = stats.share_table(dataset.frame, "segment", "weight", keys=SEGMENT_KEYS)
    shares = {k: s for k, s, c in table.rows.select("key", "share", "count").iter_rows() if c}
    return shares, table.base_rows


def french_excel(view: pl.DataFrame) -> pl.DataFrame:
    return view.with_columns(pl.col("segment").replace_strict(FRENCH)).rename(
        {"segment": "Segment", "weight": "Pondération", "company_size": "Taille d'entreprise",
         "sector": "Secteur d'activité"}
    )


def test_plain_polars_csv_round_trip():
    view = filtered_view()
    shares, base = shares_after_upload(view.write_csv().encode("utf-8"), "view.csv")
    assert base == view.height
    assert shares == pytest.approx(expected_shares(view), abs=1e-12)


@pytest.mark.parametrize("encoding", ["cp1252", "utf-8-sig"])
def test_french_excel_csv_round_trip(encoding):
    """';' separator, decimal comma, CRLF, French labels and accented headers."""
    view = filtered_view()
    text = french_excel(view).write_csv(separator=";", decimal_comma=True, line_terminator="\r\n")
    assert "0,75" in text  # the export really carries decimal commas
    shares, base = shares_after_upload(text.encode(encoding), "vue filtrée.csv")
    assert base == view.height
    assert shares == pytest.approx(expected_shares(view), abs=1e-12)


def test_tab_separated_utf16_round_trip():
    """Excel's 'Unicode text': UTF-16 with a BOM, tab separated."""
    view = filtered_view()
    text = french_excel(view).write_csv(separator="\t", decimal_comma=True)
    shares, base = shares_after_upload(text.encode("utf-16"), "vue.txt")
    assert base == view.height
    assert shares == pytest.approx(expected_shares(view), abs=1e-12)


def test_parquet_and_xlsx_round_trip():
    view = filtered_view()
    expected = expected_shares(view)
    shares, base = shares_after_upload(parquet_bytes(view), "view.parquet")
    assert (base, shares) == (view.height, pytest.approx(expected, abs=1e-12))
    workbook = xlsx_workbook({"Vue": (view.columns, view.rows())})
    shares, base = shares_after_upload(workbook, "view.xlsx")
    assert (base, shares) == (view.height, pytest.approx(expected, abs=1e-12))


def test_the_bundled_panel_itself_round_trips_through_write_csv():
    panel = pl.read_csv(PANEL, infer_schema_length=0).with_columns(pl.col("weight").cast(pl.Float64))
    buffer = io.BytesIO()
    panel.write_csv(buffer)
    shares, base = shares_after_upload(buffer.getvalue(), "panel.csv")
    assert base == panel.height
    assert shares == pytest.approx(expected_shares(panel), abs=1e-12)

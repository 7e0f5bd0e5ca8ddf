"""What the AppTest modules share: opening pages and links, reading their tables and texts,
the sample panel's rows and the French survey upload."""

from __future__ import annotations

import csv
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from streamlit.testing.v1 import AppTest

from tests.fixtures_files import clean_panel, french_excel_csv, french_number


# ---------------------------------------------------------------- pages, tables and texts


REPO = Path(__file__).resolve().parents[1]
PAGES = "digistrat/ui/pages"
TIMEOUT = 60


def open_page(page: str | None = None, lang: str = "en") -> AppTest:
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=TIMEOUT)
    at.session_state["lang"] = lang
    at.run()
    if page:
        at.switch_page(f"{PAGES}/{page}.py").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def percent(text: str) -> float:
    """'54.75%' or '54,75 %' -> 54.75."""
    return float(text.replace("\u202f", "").replace("%", "").replace(",", ".").strip())


def table(at: AppTest, index: int = 0) -> list[dict]:
    return tables(at)[index].value.to_dict("records")


def panel_rows() -> list[dict]:
    with open(REPO / "data" / "sample_panel.csv", newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def weighted_segment_shares(rows: list[dict]) -> dict[str, float]:
    totals: dict[str, float] = defaultdict(float)
    for row in rows:
        totals[row["segment"]] += float(row["weight"])
    grand = sum(totals.values())
    return {k: 100 * v / grand for k, v in totals.items()}


LABELS = {"newcomers": "Newcomers", "convinced": "Convinced", "adapters": "Adapters",
          "dissatisfied": "Dissatisfied", "wait_and_see": "Wait-and-see"}


def tables(at: AppTest) -> list:
    """The page's tables (st.table, then st.dataframe), in page order within each kind."""
    return [*at.table, *at.dataframe]


def frame_with(at: AppTest, *columns: str) -> list[dict]:
    """Records of the first table on the page that has these columns."""
    for element in tables(at):
        value = element.value
        if all(column in value.columns for column in columns):
            return value.to_dict("records")
    raise AssertionError(f"no table with the columns {columns!r}")


def open_tab(at: AppTest, tab: str) -> AppTest:
    """Open one of the tabs (breakdown, crosstab, compare, channels, profile): only the open
    tab's figures are drawn."""
    at.session_state["tab"] = tab
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def channel_table(at: AppTest) -> dict[str, float]:
    return {row["Channel"]: number(row["Sessions"]) for row in frame_with(at, "Channel", "Push / pull")}


def texts(at: AppTest) -> str:
    return " ".join([m.value for m in at.markdown] + [c.value for c in at.caption] + [i.value for i in at.info])


SEGMENTS_PAGE = "digistrat/ui/pages/segments.py"
UPLOAD_PAGE = "digistrat/ui/pages/upload.py"
HEADER = ["Identifiant", "Segment", "Pondération", "Taille d'entreprise", "Secteur d'activité"]
SURVEY = french_excel_csv([[r, s, french_number(w, 2), size, sector] for r, s, w, size, sector in clean_panel()], HEADER)


def open_link(page: str, params: dict, state: dict | None = None) -> AppTest:
    """A new session opening `page` with these query parameters (a shared link)."""
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=60)
    at.query_params = dict(params)
    for key, value in (state or {}).items():
        at.session_state[key] = value
    at.switch_page(page)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def upload(at: AppTest, data: bytes = SURVEY, name: str = "enquête.csv") -> AppTest:
    at.file_uploader[0].set_value((name, data, "text/csv")).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


# ---------------------------------------------------------------- figures as the pages write them


def number(text: str) -> float:
    """'2,320' or '2 320' or '−1,5' (French) -> the number."""
    text = text.replace("\u2212", "-").replace("\u202f", "").replace("\u00a0", "").strip()
    if "," in text and "." not in text and len(text.split(",")[-1]) != 3:
        text = text.replace(",", ".")  # a French decimal comma
    return float(text.replace(",", ""))


def rounded(value: float, decimals: int) -> float:
    """Half away from zero, as people round (7.75 -> 7.8), not Python's round to even."""
    return float(Decimal(repr(value)).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP))


def shown_share(points: float, base: float) -> float:
    """A computed share as the pages show it: one decimal from 100 (effective) answers, none below."""
    return rounded(points, 1 if base >= 100 else 0)


def kish_base(weights: list[float]) -> float:
    return sum(weights) ** 2 / sum(w * w for w in weights)

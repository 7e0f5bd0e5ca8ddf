"""The pages through Streamlit's AppTest: they run, and filters change the figures correctly."""

from __future__ import annotations

import csv
import re
from collections import defaultdict
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

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
    return at.dataframe[index].value.to_dict("records")


def markdown_table(at: AppTest) -> list[dict]:
    """Records of the first table written as Markdown (`| a | b |` lines), escapes undone."""
    text = next(m.value for m in at.markdown if m.value.startswith("| "))
    lines = [line.strip().strip("|") for line in text.splitlines()]
    cells = [[re.sub(r"\\(.)", r"\1", c.strip()) for c in re.split(r"(?<!\\)\|", line)] for line in lines]
    assert set(lines[1]) <= {"-", "|"}, "the second line separates the header"
    return [dict(zip(cells[0], row)) for row in cells[2:]]


def panel_rows() -> list[dict]:
    with open(REPO / "data" / "sample_panel.csv", newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def weighted_segment_shares(rows: list[dict]) -> dict[str, float]:
    totals: dict[str, float] = defaultdict(float)
    for row in rows:
        totals[row["segment"]] += float(row["weight"])
    grand = sum(totals.values())
    return {k: 100 * v / grand for k, v in totals.items()}


@pytest.mark.parametrize("lang", ["en", "fr"])
@pytest.mark.parametrize("page", [None, "segments", "channels"])
def test_every_page_runs_in_both_languages(page, lang):
    at = open_page(page, lang)
    assert at.title, "each page has a title"


def test_overview_shows_the_published_segment_shares():
    at = open_page(None, "en")
    shares = {row["Segment"]: percent(row["Share"]) for row in markdown_table(at)}
    # FACTS.md §1
    assert shares == {"Newcomers": 6, "Convinced": 7.75, "Adapters": 10.5, "Dissatisfied": 21, "Wait-and-see": 54.75}


def test_overview_in_french_formats_numbers_the_french_way():
    at = open_page(None, "fr")
    rows = markdown_table(at)
    texts = [row["Part"] for row in rows]
    assert rows[0]["Segment"] == "Les nouvelles venues" and "; elles continuent" in rows[0]["Ce qui les caractérise"]
    assert "54,75\u202f%" in texts and "7,75\u202f%" in texts


def test_segments_page_shows_published_shares_on_the_whole_sample():
    at = open_page("segments")
    shares = {row["Segment"]: percent(row["Share"]) for row in table(at)}
    assert shares == {"Newcomers": 6, "Convinced": 7.75, "Adapters": 10.5, "Dissatisfied": 21, "Wait-and-see": 54.75}
    assert any("n = 400 of 400" in m.value for m in at.markdown)


def test_a_filter_changes_the_figures_to_the_independently_computed_ones():
    at = open_page("segments")
    at.multiselect(key="f_company_size").set_value(["1-9"]).run()
    assert not at.exception
    expected_rows = [r for r in panel_rows() if r["company_size"] == "1-9"]
    expected = weighted_segment_shares(expected_rows)
    names = {"Newcomers": "newcomers", "Convinced": "convinced", "Adapters": "adapters",
             "Dissatisfied": "dissatisfied", "Wait-and-see": "wait_and_see"}
    shown = {names[row["Segment"]]: percent(row["Share"]) for row in table(at)}
    for key, value in expected.items():
        assert shown[key] == pytest.approx(value, abs=0.005)
    assert any(f"n = {len(expected_rows)} of 400" in m.value for m in at.markdown)


def test_clearing_filters_restores_the_whole_sample():
    at = open_page("segments")
    at.multiselect(key="f_sector").set_value(["Retail"]).run()
    assert not any("n = 400 of 400" in m.value for m in at.markdown)
    at.button[0].click().run()
    assert any("n = 400 of 400" in m.value for m in at.markdown)


def test_channels_page_reproduces_the_reference_mix_on_the_sample():
    at = open_page("channels")
    text = " ".join(m.value for m in at.markdown)
    assert "10,000 sessions" in text
    channels = {row["Channel"]: row["Sessions"] for row in table(at)}
    # the sample's search bucket (29 %) is organic + paid search
    assert channels["Organic Search"] + channels["Paid Search"] == 2900
    assert channels["Direct"] == 3100

"""The pages through Streamlit's AppTest: they run, and filters change the figures correctly."""

from __future__ import annotations

import logging

import pytest
from streamlit.runtime.media_file_manager import MediaFileManager

from tests.fixtures_app import (
    frame_with,
    kish_base,
    number,
    open_page,
    panel_rows,
    percent,
    shown_share,
    table,
    weighted_segment_shares,
)


@pytest.mark.parametrize("lang", ["en", "fr"])
@pytest.mark.parametrize("page", [None, "segments", "channels"])
def test_every_page_runs_in_both_languages(page, lang):
    at = open_page(page, lang)
    assert at.title, "each page has a title"


def test_overview_shows_the_published_segment_shares():
    at = open_page(None, "en")
    shares = {row["Segment"]: percent(row["Share"]) for row in table(at)}
    # FACTS.md §1
    assert shares == {"Newcomers": 6, "Convinced": 7.75, "Adapters": 10.5, "Dissatisfied": 21, "Wait-and-see": 54.75}


def test_overview_in_french_formats_numbers_the_french_way():
    at = open_page(None, "fr")
    rows = table(at)
    texts = [row["Part"] for row in rows]
    assert rows[0]["Segment"] == "Les nouvelles venues" and "; elles continuent" in rows[0]["Ce qui les caractérise"]
    assert "54,75\u202f%" in texts and "7,75\u202f%" in texts


def test_segments_page_shows_published_shares_on_the_whole_sample():
    at = open_page("segments")
    shares = {row["Segment"]: row["Share"] for row in table(at)}
    # FACTS.md §1, computed on 400 respondents: one decimal, rounded as people round (7.75 -> 7.8)
    assert shares == {"Newcomers": "6.0%", "Convinced": "7.8%", "Adapters": "10.5%", "Dissatisfied": "21.0%",
                      "Wait-and-see": "54.8%"}
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
    base = kish_base([float(r["weight"]) for r in expected_rows])
    for key, value in expected.items():
        assert shown[key] == shown_share(value, base)
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
    channels = {row["Channel"]: number(row["Sessions"]) for row in frame_with(at, "Channel", "Push / pull")}
    # the sample's search bucket (29 %) is organic + paid search
    assert channels["Organic Search"] + channels["Paid Search"] == 2900
    assert channels["Direct"] == 3100


@pytest.mark.parametrize(("page", "tab", "report"), [("segments", "crosstab", "seg_report"), ("channels", None, "ch_report")])
def test_every_file_a_page_offers_is_made_without_its_session(page, tab, report, monkeypatch, caplog):
    # Streamlit calls a download's callable after the run, in a thread of its own: anything it
    # asks of the session there (its language, its state) is read without the session.
    made: dict[str, object] = {}
    add_deferred = MediaFileManager.add_deferred

    def keep(self, data, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003, ANN202
        file_id = add_deferred(self, data, *args, **kwargs)
        made[file_id] = data
        return file_id

    monkeypatch.setattr(MediaFileManager, "add_deferred", keep)
    at = open_page(page, "fr")
    at.session_state[f"{report}_full"] = True
    if tab:
        at.session_state["tab"] = tab
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    buttons = {button.proto.id.rsplit("-", 1)[-1]: button.proto.deferred_file_id for button in at.get("download_button")}
    wanted = [key for key in buttons if not key.endswith(("_pdf", "_png", "_svg"))]  # the same callables, slower
    assert f"{report}_html" in wanted and len(wanted) >= 4
    warnings = logging.getLogger("streamlit.runtime.scriptrunner_utils.script_run_context")
    warnings.addHandler(caplog.handler)  # Streamlit's loggers do not propagate to the root
    caplog.clear()
    try:
        files = {key: made[buttons[key]]() for key in wanted}
    finally:
        warnings.removeHandler(caplog.handler)
    assert all(len(data) > 100 for data in files.values())
    assert "missing ScriptRunContext" not in caplog.text
    assert 'lang="fr"' in files[f"{report}_html"]

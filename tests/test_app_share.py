"""Share and save through AppTest: the view in the URL (canonical values only, defaults left
out) and the workspace behind the upload page (save, list, rename, delete, open by link).

Expected figures are computed here from the rows written into the files.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from digistrat.datasets import content_id
from digistrat.i18n import catalog_keys, label
from digistrat.segments import SEGMENT_BY_KEY
from digistrat.workspace import Workspace
from tests.fixtures_app import (
    frame_with, kish_base, number, tables, shown_share, REPO, SEGMENTS_PAGE, SURVEY, UPLOAD_PAGE, open_link, panel_rows, percent, texts, upload, weighted_segment_shares,
)
from tests.fixtures_files import ENGLISH_LABELS, FRENCH_SEGMENTS, clean_panel, weighted

CHANNELS_PAGE = "digistrat/ui/pages/channels.py"
SURVEY_ID = content_id(SURVEY)
NAMES = {v: k for k, v in ENGLISH_LABELS.items()}


def params(at: AppTest) -> dict[str, list[str]]:
    """The URL's query parameters after the run, every value as a list."""
    return {k: v if isinstance(v, list) else [v] for k, v in at.query_params.items()}


def shares(at: AppTest) -> dict[str, float]:
    """The segment table (first table with a share column, English or French)."""
    for element in tables(at):
        frame = element.value
        column = "Share" if "Share" in frame.columns else "Part" if "Part" in frame.columns else None
        if column:
            return {row["Segment"]: percent(row[column]) for row in frame.to_dict("records")}
    raise AssertionError("no segment table")


# ---------------------------------------------------------------- the view in the URL


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_a_link_with_canonical_values_restores_the_whole_view(lang):
    link = {
        "lang": lang, "f_sector": ["Retail", "Services"], "f_satisfaction": ["0", "4"], "focus": "dissatisfied",
        "level": "0.9", "tab": "crosstab", "xt_dim": "sector",
        "cmp_mode": "groups", "cmp_by": "sector", "cmp_a": "Retail",
    }
    at = open_link(SEGMENTS_PAGE, link)
    assert at.multiselect(key="f_sector").value == ["Retail", "Services"]
    assert at.slider(key="f_satisfaction").value == (0, 4)
    assert at.selectbox(key="level").value == 0.9
    assert at.selectbox(key="xt_dim").value == "sector"
    assert at.radio(key="cmp_mode").value == "groups"
    assert at.multiselect(key="cmp_a").value == ["Retail"]
    kept = [r for r in panel_rows() if r["sector"] in ("Retail", "Services") and 0 <= int(r["satisfaction"]) <= 4]
    word = "of" if lang == "en" else "sur"
    assert f"n = {len(kept)} {word} 400" in texts(at)
    expected = weighted_segment_shares(kept)
    names = {k: SEGMENT_BY_KEY[k].label(lang) for k in ENGLISH_LABELS}
    # rounded as the base allows; a segment nobody in the filter belongs to shows 0 %
    base = kish_base([float(r["weight"]) for r in kept])
    assert shares(at) == {names[k]: shown_share(expected.get(k, 0.0), base) for k in names}
    # the clicked segment and the open tab came back too
    assert at.multiselect(key="focus").value == ["dissatisfied"]
    assert at.session_state["seg_tabs"] == label("seg.tab.crosstab", lang)
    # and the URL still says exactly the same, in canonical values (defaults left out: Compare opens on groups)
    defaults = {"cmp_mode"} | ({"lang"} if lang == "en" else set())
    assert params(at) == {k: v if isinstance(v, list) else [v] for k, v in link.items() if k not in defaults}


def test_defaults_stay_out_of_the_url():
    at = open_link(SEGMENTS_PAGE, {})
    assert params(at) == {}
    at.multiselect(key="f_sector").set_value(["Retail"]).run()
    assert params(at) == {"f_sector": ["Retail"]}
    at.selectbox(key="level").set_value(0.99).run()
    at.slider(key="f_satisfaction").set_value((2, 10)).run()
    assert params(at) == {"f_sector": ["Retail"], "level": ["0.99"], "f_satisfaction": ["2", "10"]}
    # back to the defaults: the parameters go away
    at.selectbox(key="level").set_value(0.95).run()
    at.slider(key="f_satisfaction").set_value((0, 10)).run()
    at.multiselect(key="f_sector").set_value([]).run()
    assert params(at) == {}


def test_french_labels_never_reach_the_url():
    french = {label(k, "fr") for k in catalog_keys()} - {label(k, "en") for k in catalog_keys()}
    at = open_link(SEGMENTS_PAGE, {}, state={"lang": "fr"})
    assert "Segments" in at.title[0].value and "n = 400 sur 400 répondants" in texts(at)
    at.multiselect(key="f_segment").set_value(["wait_and_see", "dissatisfied"]).run()
    at.radio(key="cmp_mode").set_value("reference").run()
    at.selectbox(key="ch_a").set_value("newcomers").run()
    segments = params(at)
    assert segments == {"lang": ["fr"], "f_segment": ["wait_and_see", "dissatisfied"], "cmp_mode": ["reference"],
                        "ch_a": ["newcomers"]}
    at.switch_page(CHANNELS_PAGE).run()
    for key, value in (("ch_view", "channel"), ("ch_mode", "enriched"), ("ch_affiliates", "pull"), ("ch_step", "month")):
        at.segmented_control(key=key).set_value(value).run()
    at.toggle(key="ai_channel").set_value(True).run()
    channels = params(at)
    assert channels == {"lang": ["fr"], "ai_channel": ["1"], "ch_mode": ["enriched"], "ch_affiliates": ["pull"],
                        "ch_view": ["channel"], "ch_step": ["month"]}
    assert not french & {v for values in (*segments.values(), *channels.values()) for v in values}


def test_a_channels_link_restores_settings_periods_and_figures():
    link = {
        "ch_view": "channel", "own_domains": ["lesechos.fr", "www.atelier-exemple.fr"], "ch_period_mode": "ranges",
        "ch_period_a": ["2026-01-05", "2026-01-31"], "ch_period_b": ["2026-03-02", "2026-03-29"],
    }
    at = open_link(CHANNELS_PAGE, link)
    assert at.text_area(key="own_domains").value == "lesechos.fr\nwww.atelier-exemple.fr"
    assert at.date_input(key="ch_period_a").value == (dt.date(2026, 1, 5), dt.date(2026, 1, 31))
    assert at.segmented_control(key="ch_view").value == "channel"
    import csv
    with open(REPO / "data" / "sample_sessions.csv", newline="", encoding="utf-8") as handle:
        moved = sum(1 for r in csv.DictReader(handle) if r["source"] == "lesechos.fr")
    fresh = open_link(CHANNELS_PAGE, {})
    direct = {r["Channel"]: number(r["Sessions"]) for r in frame_with(at, "Channel", "Push / pull")}["Direct"]
    before = {r["Channel"]: number(r["Sessions"]) for r in frame_with(fresh, "Channel", "Push / pull")}["Direct"]
    assert direct == before + moved
    table = next(t.value for t in tables(at) if any(c.startswith("Sessions — ") for c in t.value.columns))
    sessions = [c for c in table.columns if c.startswith("Sessions — ")]
    assert sessions == ["Sessions — 5 Jan 2026 – 31 Jan 2026", "Sessions — 2 Mar 2026 – 29 Mar 2026"]
    assert params(at) == {k: v if isinstance(v, list) else [v] for k, v in link.items()}


def test_values_a_link_cannot_mean_are_ignored():
    at = open_link(SEGMENTS_PAGE, {"f_sector": ["Nowhere", "Retail"], "level": "0.5", "focus": "everyone",
                                   "f_satisfaction": ["zero", "4"], "tab": "elsewhere", "lang": "de"})
    assert at.multiselect(key="f_sector").value == ["Retail"]
    assert at.selectbox(key="level").value == 0.95
    assert at.slider(key="f_satisfaction").value == (0, 10)
    assert "Focus on" not in texts(at)
    assert params(at) == {"f_sector": ["Retail"]}


# ---------------------------------------------------------------- the workspace behind the upload page


@pytest.fixture
def workspace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("DIGISTRAT_WORKSPACE", str(tmp_path))
    return tmp_path


def test_an_upload_is_saved_listed_renamed_and_deleted(workspace):
    at = upload(open_link(UPLOAD_PAGE, {}))
    ws = Workspace(workspace)
    [entry] = ws.list()
    assert (entry.id, entry.name, entry.rows) == (SURVEY_ID, "enquête.csv", len(clean_panel()))
    assert "saved" in at.success[0].value
    assert params(at) == {"ds": [SURVEY_ID]}
    listed = at.dataframe[0].value.to_dict("records")
    assert [(r["Name"], r["Rows"]) for r in listed] == [("enquête.csv", "120")]

    # a role change is re-applied and saved: the weight column becomes a plain measure
    role = at.selectbox(key=f"role_{SURVEY_ID}_0_None_2")
    assert role.value == "weight"
    role.set_value("measure").run()
    assert ws.settings(SURVEY_ID).role_overrides == {"Pondération": "measure"}

    at.text_input(key=f"ws_name_{SURVEY_ID}").input("Panel PME 2026").run()
    at.button(key="ws_rename").click().run()
    assert ws.info(SURVEY_ID).name == "Panel PME 2026"
    at.switch_page(SEGMENTS_PAGE).run()
    assert at.sidebar.selectbox(key="data_source_survey").options[1] == "Panel PME 2026 (your file)"
    assert "Panel PME 2026" in " ".join(e.value for e in at.sidebar.markdown)

    at.switch_page(UPLOAD_PAGE).run()
    at.button(key="ws_delete").click().run()
    assert not at.exception
    assert ws.list() == [] and not ws.exists(SURVEY_ID)
    assert not at.dataframe and "data_source_survey" not in params(at)


def test_a_link_opens_a_saved_dataset_in_another_session_which_otherwise_sees_nothing(workspace):
    upload(open_link(UPLOAD_PAGE, {}))
    # another session without the link: its lists stay empty
    stranger = open_link(SEGMENTS_PAGE, {})
    assert stranger.sidebar.selectbox(key="data_source_survey").options == ["Illustrative sample panel"]
    # a session with the link (as after a restart: a fresh session reading only the workspace)
    at = open_link(SEGMENTS_PAGE, {"ds": SURVEY_ID, "f_Taille d'entreprise": "PME"})
    assert at.sidebar.selectbox(key="data_source_survey").value == SURVEY_ID
    kept = [r for r in clean_panel() if r[3] == "PME"]
    assert f"n = {len(kept)} of {len(clean_panel())}" in texts(at)
    base = kish_base([r[2] for r in kept])
    expected = {ENGLISH_LABELS[FRENCH_SEGMENTS[k]]: shown_share(v, base) for k, v in weighted(kept, 1).items()}
    assert shares(at) == expected
    assert params(at) == {"ds": [SURVEY_ID], "f_Taille d'entreprise": ["PME"]}


def test_a_link_to_a_dataset_that_is_gone_says_so_in_one_sentence(workspace):
    at = open_link(SEGMENTS_PAGE, {"ds": "0123456789abcdef"})
    assert len(at.error) == 1 and "No saved dataset has the id 0123456789abcdef" in at.error[0].value
    assert "n = 400 of 400" in texts(at)  # the sample instead
    bad = open_link(SEGMENTS_PAGE, {"ds": "../../etc/passwd"})
    assert len(bad.error) == 1 and "is not a saved dataset's id" in bad.error[0].value


def test_a_full_workspace_is_one_error_and_the_upload_still_works(workspace, monkeypatch):
    monkeypatch.setenv("DIGISTRAT_WORKSPACE_QUOTA_MB", "0.001")
    at = upload(open_link(UPLOAD_PAGE, {}))
    assert len(at.error) == 1 and at.error[0].value.startswith("The workspace is full")
    assert Workspace(workspace).list() == []
    assert "Kind of data: survey" in " ".join(m.value for m in at.markdown)

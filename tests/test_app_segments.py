"""The segments explorer through Streamlit's AppTest, on the sample and on an uploaded survey.

Expected figures are computed in the test from the CSV rows themselves.
"""

from __future__ import annotations

import csv
import io
import json
from collections import defaultdict

import pytest
from streamlit.testing.v1 import AppTest

from digistrat import datasets
from digistrat.ui.data_source import Upload
from tests.fixtures_app import (
    LABELS, REPO, frame_with, open_tab, tables, kish_base, open_page, panel_rows, percent, shown_share, texts, weighted_segment_shares,
)

PAGE = "digistrat/ui/pages/segments.py"
TABS = ("breakdown", "crosstab", "compare", "channels", "profile")


def uploaded_survey() -> bytes:
    """A weighted survey shaped unlike the sample: French headers, other dimensions, channel sessions."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow(["id", "segment", "taille", "canal_vente", "visites_search", "visites_social", "visites_direct",
                     "note", "poids"])
    segments = ["convinced", "dissatisfied", "wait_and_see", "adapters", "newcomers"]
    for i in range(240):
        segment = segments[i % 5] if i % 3 else "wait_and_see"
        writer.writerow([
            f"C{i:03d}", segment, ["TPE", "PME", "ETI"][i % 3], ["web", "magasin"][i % 2],
            10 + i % 7, 20 + (i * 3) % 11 + (15 if segment == "dissatisfied" else 0), 15 + i % 5,
            i % 10, ["1", "2", "0,5"][i % 3],
        ])
    return out.getvalue().encode("utf-8")


def upload_rows() -> list[dict]:
    return list(csv.DictReader(io.StringIO(uploaded_survey().decode("utf-8")), delimiter=";"))


def open_upload(lang: str = "en") -> AppTest:
    data = uploaded_survey()
    content = datasets.content_id(data)
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=60)
    at.session_state["lang"] = lang
    # What the upload page leaves in the session (digistrat.ui.data_source).
    at.session_state["uploads"] = {content: Upload(id=content, name="panel.csv", data=data, page="survey")}
    at.session_state["active_sources"] = {"survey": content}
    at.run()
    at.switch_page(PAGE).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def tables_with(at: AppTest, column: str) -> list[list[dict]]:
    return [e.value.to_dict("records") for e in tables(at) if column in e.value.columns]


def segment_shares(at: AppTest) -> dict[str, float]:
    names = {v: k for k, v in LABELS.items()}
    return {names[r["Segment"]]: percent(r["Share"]) for r in frame_with(at, "Share")}


def select_segment(at: AppTest, key: str) -> AppTest:
    # What Vega sends when a bar is clicked (point selection on the field "key").
    at.session_state["segment_chart"] = {"selection": {"segment_pick": [{"key": key}]}}
    return at.run()


# ---------------------------------------------------------------- every view runs


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_every_view_runs_on_the_sample(lang):
    at = open_page("segments", lang)
    assert len(at.tabs) == 5
    drawn, text = {}, ""
    for tab in TABS:
        open_tab(at, tab)
        drawn[tab] = {tuple(element.value.columns) for element in tables(at)}
        text += texts(at)
    # only the open tab's figures are drawn: the crosstab's table is in its tab alone
    crosstab = next(columns for columns in drawn["crosstab"] if "1-9" in columns)
    assert [tab for tab in TABS if crosstab in drawn[tab]] == ["crosstab"]
    if lang == "en":
        assert "Rao–Scott, second order (F)" in text and "Cramér's V" in text
        assert "design effect" in text and "Benjamini–Hochberg" in text
        at.radio(key="cmp_mode").set_value("reference")
        open_tab(at, "compare")
        assert "1,700" in texts(at)  # the reference study's published base, with its caveat
    else:
        assert "Rao–Scott, second ordre (F)" in text and "effet de plan" in text


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_every_view_runs_on_an_uploaded_weighted_survey(lang):
    at = open_upload(lang)
    assert len(at.tabs) == 5
    assert any("240" in m.value for m in at.markdown)
    for tab in TABS:
        open_tab(at, tab)
        assert not at.error, tab
    # channel sessions become each company's shares: the segments × channels view has figures
    mix = tables_with(open_tab(at, "channels"), "Segment")
    assert any(len(table) >= 15 for table in mix)
    assert not at.error


def test_uploaded_survey_shares_are_the_weighted_ones_from_the_file():
    at = open_upload()
    totals: dict[str, float] = defaultdict(float)
    for row in upload_rows():
        totals[row["segment"]] += float(row["poids"].replace(",", "."))
    grand = sum(totals.values())
    n_eff = grand**2 / sum(float(r["poids"].replace(",", ".")) ** 2 for r in upload_rows())
    for key, value in segment_shares(at).items():
        assert value == shown_share(100 * totals[key] / grand, n_eff)
    assert f"effective base {n_eff:,.1f}" in texts(at)


# ---------------------------------------------------------------- filters


def test_a_numeric_range_changes_the_figures_to_the_independent_ones():
    at = open_page("segments")
    at.slider(key="f_satisfaction").set_value((0, 4)).run()
    assert not at.exception
    kept = [r for r in panel_rows() if 0 <= int(r["satisfaction"]) <= 4]
    expected = weighted_segment_shares(kept)
    base = kish_base([float(r["weight"]) for r in kept])
    for key, value in segment_shares(at).items():
        assert value == shown_share(expected.get(key, 0.0), base)
    assert any(f"n = {len(kept)} of 400" in m.value for m in at.markdown)


def test_clear_resets_the_numeric_ranges_too():
    at = open_page("segments")
    at.slider(key="f_satisfaction").set_value((0, 3)).run()
    at.button[0].click().run()
    assert any("n = 400 of 400" in m.value for m in at.markdown)
    assert at.slider(key="f_satisfaction").value == (0, 10)


def test_an_empty_filter_result_shows_a_clear_message():
    rows = panel_rows()
    present = {(r["segment"], r["company_size"], r["sector"]) for r in rows}
    empty = next(
        (seg, size, sector) for seg in LABELS for size in {r["company_size"] for r in rows}
        for sector in sorted({r["sector"] for r in rows}) if (seg, size, sector) not in present
    )
    at = open_page("segments")
    for key, value in zip(("f_segment", "f_company_size", "f_sector"), empty):
        at.multiselect(key=key).set_value([value]).run()
    assert not at.exception
    assert any("n = 0 of 400" in m.value for m in at.markdown)
    assert "No respondent matches" in at.warning[0].value


# ---------------------------------------------------------------- chart selection


def test_clicking_a_segment_filters_the_other_views_and_clicking_again_clears():
    at = open_tab(open_page("segments"), "crosstab")
    crosstab_before = frame_with(at, "1-9")
    assert len(crosstab_before) == 6  # five segments and the base row
    select_segment(at, "dissatisfied")
    assert not at.exception
    crosstab = frame_with(at, "1-9")
    assert [r["Segment"] for r in crosstab] == ["Dissatisfied", "Base (n)"]
    # the share of the dissatisfied among 1-9 companies, from the CSV
    small = [r for r in panel_rows() if r["company_size"] == "1-9"]
    expected = weighted_segment_shares(small)["dissatisfied"]
    base = kish_base([float(r["weight"]) for r in small])
    assert percent(crosstab[0]["1-9"].split()[0]) == shown_share(expected, base)
    comparison = frame_with(open_tab(at, "compare"), "Group A")
    assert [r["Segment"] for r in comparison] == ["Dissatisfied"]
    assert "Profile of the clicked segment." in texts(open_tab(at, "profile"))
    # the segment shares themselves still cover every segment
    assert len(segment_shares(at)) == 5
    # the select beside the chart shows the click: the keyboard's way to the same focus
    assert at.multiselect(key="focus").value == ["dissatisfied"]
    at.session_state["segment_chart"] = {"selection": {"segment_pick": []}}
    open_tab(at, "crosstab")
    assert len(frame_with(at, "1-9")) == 6 and at.multiselect(key="focus").value == []


def test_the_focus_select_focuses_like_a_click():
    at = open_page("segments")
    at.multiselect(key="focus").set_value(["adapters"]).run()
    assert not at.exception
    assert [r["Segment"] for r in frame_with(open_tab(at, "crosstab"), "1-9")] == ["Adapters", "Base (n)"]
    assert "Profile of the clicked segment." in texts(open_tab(at, "profile"))
    # the chart is drawn with the same segment picked
    spec = json.loads(at.get("vega_lite_chart")[0].proto.spec)
    picks = [p for p in spec["params"] if p["name"] == "segment_pick"]
    assert picks[0]["value"] == [{"key": "adapters"}]


# ---------------------------------------------------------------- crosstab, compare, settings


def test_crosstab_dimension_and_level_are_selectable():
    at = open_tab(open_page("segments"), "crosstab")
    at.selectbox(key="xt_dim").set_value("sector").run()
    assert {"Segment", "Retail", "Services"} <= set(frame_with(at, "Retail")[0])
    at.selectbox(key="level").set_value(0.90).run()
    assert not at.exception
    assert "90% interval" in frame_with(at, "Share")[0]


def test_compare_two_groups_gives_the_independent_difference():
    at = open_tab(open_page("segments"), "compare")
    at.radio(key="cmp_mode").set_value("groups").run()
    at.selectbox(key="cmp_by").set_value("company_size").run()
    at.multiselect(key="cmp_a").set_value(["1-9"]).run()
    assert not at.exception
    rows = panel_rows()
    a = weighted_segment_shares([r for r in rows if r["company_size"] == "1-9"])["dissatisfied"]
    b = weighted_segment_shares([r for r in rows if r["company_size"] != "1-9"])["dissatisfied"]
    table = {r["Segment"]: r for r in frame_with(at, "Group A")}
    shown = float(table["Dissatisfied"]["Difference (points)"].replace("+", ""))
    assert shown == pytest.approx(a - b, abs=0.05)
    assert "Group B" in " ".join(table["Dissatisfied"].keys())


def test_segments_by_channels_answers_the_articles_question():
    at = open_tab(open_page("segments"), "channels")
    table = next(rows for rows in tables_with(at, "Channel") if "Verdict" in rows[0])
    contrast = {r["Channel"]: r for r in table}
    rows = panel_rows()

    def mean(segment: str) -> float:
        chosen = [r for r in rows if r["segment"] == segment]
        return sum(float(r["external_share"]) * float(r["weight"]) for r in chosen) / sum(
            float(r["weight"]) for r in chosen)

    external = contrast["External links (social media)"]
    assert float(external["Difference (points)"].replace("+", "")) == pytest.approx(
        mean("dissatisfied") - mean("convinced"), abs=0.05)
    assert external["Verdict"] == "higher"


def test_impossible_settings_fall_back_to_the_defaults_with_a_warning():
    at = open_page("segments")
    at.number_input(key="min_base").set_value(50).run()  # above the low-base threshold (30)
    assert not at.exception
    assert at.warning and "defaults apply" in at.warning[0].value


@pytest.mark.parametrize("extra", ["", ",Q1"])
def test_a_survey_with_no_question_but_the_segment_still_shows_every_view(extra):
    # a bare "id,segment" export (or one numeric question) leaves the profile with nothing to compare
    segments = ["Attentiste", "Insatisfait", "Convaincue", "Adaptation", "Nouvelle venue"]
    lines = [f"id,segment{extra}"] + [f"R{i},{segments[i % 5]}" + (f",{i % 7}" if extra else "") for i in range(50)]
    data = "\n".join(lines).encode("utf-8")
    content = datasets.content_id(data)
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=60)
    at.session_state["lang"] = "en"
    at.session_state["uploads"] = {content: Upload(id=content, name="bare.csv", data=data, page="survey")}
    at.session_state["active_sources"] = {"survey": content}
    at.run()
    at.switch_page(PAGE).run()
    assert not at.exception, [e.value for e in at.exception]
    assert segment_shares(at) == {k: 20.0 for k in LABELS}

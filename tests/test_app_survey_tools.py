"""Survey-tool exports on the segments page (AppTest): a SurveyMonkey file with two header rows
and a Google Forms file give the shares of their checkbox question that the rows themselves
give, for everyone and within a clicked segment — counted here with the csv module."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from digistrat import datasets
from digistrat.ui.data_source import Upload
from tests import fixtures_tools as tools
from tests.fixtures_app import REPO, open_tab, percent, shown_share, texts
from tests.fixtures_tools import expected_shares, file_rows


def open_upload(name: str, data: bytes) -> AppTest:
    content = datasets.content_id(data)
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=60)
    at.session_state["lang"] = "en"
    at.session_state["uploads"] = {content: Upload(id=content, name=name, data=data, page="survey")}
    at.session_state["active_sources"] = {"survey": content}
    at.run()
    at.switch_page("digistrat/ui/pages/segments.py").run()
    assert not at.exception and not at.error, [e.value for e in [*at.exception, *at.error]]
    return open_tab(at, "breakdown")


def channel_table(at: AppTest) -> dict[str, str]:
    for element in at.table:
        frame = element.value
        if frame.columns[0].startswith("Which channels bring visits"):
            return dict(zip(frame[frame.columns[0]], frame["Share"]))
    raise AssertionError("no table of the checkbox question")


BUILDERS = {"surveymonkey": tools.surveymonkey, "google_forms": tools.google_forms}


@pytest.mark.parametrize("tool", BUILDERS)
def test_a_checkbox_question_gives_the_shares_of_the_respondents_who_answered_it(tool):
    data = BUILDERS[tool](tools.ANSWERS)
    rows = file_rows(tool, data)
    at = open_upload(f"{tool}.csv", data)
    assert "n = 300 of 300 respondents" in texts(at)  # no header row counted as a respondent
    answered, shares = expected_shares(rows)
    shown = channel_table(at)
    assert set(shown) == set(tools.CHANNELS)  # the options, not their combinations nor "Response"
    assert {c: percent(v) for c, v in shown.items()} == {c: shown_share(v, answered) for c, v in shares.items()}
    assert f"Share of respondents who answered (base {answered}); several answers possible." in texts(at)


@pytest.mark.parametrize("tool", BUILDERS)
def test_within_a_clicked_segment_the_checkbox_shares_are_that_segments(tool):
    data = BUILDERS[tool](tools.ANSWERS)
    rows = file_rows(tool, data)
    at = open_upload(f"{tool}.csv", data)
    at.session_state["segment_chart"] = {"selection": {"segment_pick": [{"key": "dissatisfied"}]}}
    at.run()
    assert not at.exception
    answered, shares = expected_shares([r for r in rows if r[0] == "Dissatisfied"])
    shown = {c: percent(v) for c, v in channel_table(at).items()}
    assert shown == {c: shown_share(v, answered) for c, v in shares.items()}

"""The 'Your data' page through AppTest: upload, change roles, map values, refusals."""

from __future__ import annotations

import datetime as dt

import pytest
from streamlit.elements.lib import policies

from digistrat.datasets import content_id
from tests.fixtures_app import open_page, percent, tables
from tests.fixtures_files import (
    COUNTS_OF_400, DAILY, DIRTY, ENGLISH_LABELS, FRENCH_NAMES, FRENCH_SEGMENTS, PUBLISHED, clean_panel, counted, french_excel_csv, french_number, ga4_daily_export, ga4_export, ga4_snapshot, weighted, wilson,
)

HEADER = ["Identifiant", "Segment", "Pondération", "Taille d'entreprise", "Secteur d'activité"]
SURVEY = french_excel_csv(
    [[r, s, french_number(w, 2), size, sector] for r, s, w, size, sector in clean_panel() + DIRTY], HEADER
)
SURVEY_ID = content_id(SURVEY)
PREFIX = f"{SURVEY_ID}_0_None"
NAMES = {v: k for k, v in ENGLISH_LABELS.items()}


def uploaded(data: bytes = SURVEY, name: str = "enquête.csv", lang: str = "en"):
    at = open_page("upload", lang)
    at.file_uploader[0].set_value((name, data, "text/csv")).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def shown_shares(at) -> dict[str, float]:
    """The preview table: segment key -> share in points."""
    frame = at.table[0].value
    return {NAMES[row["Segment"]]: percent(row["Share"]) for row in frame.to_dict("records")}


def text(at) -> str:
    return "\n".join(m.value for m in at.markdown)


def role_box(at, column: str):
    index = HEADER.index(column)
    return at.selectbox(key=f"role_{PREFIX}_{index}")


def test_upload_shows_detection_and_the_hand_weighted_shares():
    at = uploaded()
    shown = text(at)
    assert "encoding cp1252, separator semicolon, decimal mark comma" in shown
    assert "Kind of data: survey" in shown
    rows = clean_panel()
    assert f"Rows read: {len(rows) + 3}; used: {len(rows)}; left out: 3." in shown
    expected = {FRENCH_SEGMENTS[k]: v for k, v in weighted(rows, 1).items()}
    assert shown_shares(at) == pytest.approx(expected, abs=0.05)  # shown with one decimal
    assert not at.error


def test_changing_the_weight_role_turns_the_shares_unweighted():
    at = uploaded()
    assert role_box(at, "Pondération").value == "weight"
    role_box(at, "Pondération").set_value("measure").run()
    assert not at.exception and not at.error
    # without a weight the bad-weight row is no reason to leave a row out any more
    rows = clean_panel() + [DIRTY[2]]
    counts = {FRENCH_SEGMENTS[k]: v for k, v in counted(rows, 1).items()}
    expected = {k: 100 * n / len(rows) for k, n in counts.items()}
    assert shown_shares(at) == pytest.approx(expected, abs=0.05)
    assert f"used: {len(rows)};" in text(at)
    assert role_box(at, "Pondération").value == "measure"


def test_moving_the_segment_role_moves_the_figures_to_another_column():
    at = uploaded()
    role_box(at, "Taille d'entreprise").set_value("segment").run()
    assert not at.exception
    # sizes are not segments: every row's segment is unmapped, the old segment column is a dimension
    assert role_box(at, "Segment").value == "dimension"
    assert "used: 0;" in text(at)
    unmapped = at.data_editor[0].value
    assert sorted(unmapped["value"]) == sorted({size for *_, size, _ in clean_panel() + DIRTY})


def test_a_role_the_core_refuses_is_one_error_and_changes_nothing():
    at = uploaded()
    role_box(at, "Segment").set_value("count").run()
    assert not at.exception
    assert len(at.error) == 1 and "cannot be the Count" in at.error[0].value
    assert role_box(at, "Segment").value == "segment"
    assert "Kind of data: survey" in text(at)


def test_mapping_an_unmapped_value_brings_its_rows_back():
    at = uploaded()
    editor = at.data_editor[0].value
    assert editor.to_dict("records")[0]["value"] == "Foo" and editor.to_dict("records")[0]["rows"] == 1
    key = f"map_{PREFIX}_Segment"
    at.session_state[key] = {"edited_rows": {0: {"map_to": "convinced"}}, "added_rows": [], "deleted_rows": []}
    at.run()
    assert not at.exception and not at.error
    rows = clean_panel() + [(DIRTY[0][0], "Les convaincues", *DIRTY[0][2:])]
    expected = {FRENCH_SEGMENTS[k]: v for k, v in weighted(rows, 1).items()}
    assert shown_shares(at) == pytest.approx(expected, abs=0.05)
    assert f"used: {len(rows)};" in text(at)


def test_bad_weights_are_reported_with_their_line_and_can_be_kept():
    at = uploaded()
    last_line = len(clean_panel()) + len(DIRTY) + 1  # header on line 1
    assert len(at.warning) == 1 and f"lines {last_line:,}" in at.warning[0].value
    at.toggle[0].set_value(False).run()
    assert not at.exception
    assert f"used: {len(clean_panel()) + 1};" in text(at)
    # every row kept: every figure is unweighted, over the same rows the page counts
    rows = clean_panel() + [DIRTY[2]]
    counts = {FRENCH_SEGMENTS[k]: v for k, v in counted(rows, 1).items()}
    assert shown_shares(at) == pytest.approx({k: 100 * n / len(rows) for k, n in counts.items()}, abs=0.05)


def test_the_page_speaks_french():
    at = uploaded(lang="fr")
    shown = text(at)
    assert "encodage cp1252 ; séparateur : point-virgule ; marque décimale : virgule" in shown
    assert "Type de données : enquête" in shown
    assert role_box(at, "Pondération").value == "weight"
    assert "Part" in at.table[0].value.columns


@pytest.mark.parametrize("data", [b"", bytes(range(256)) * 20, b"Segment;Pond\xe9ration\r\n",
                                  b"segment,weight\nconvinced,1\nadapters,1,9\n"])
def test_a_refused_file_is_one_error_sentence_and_no_exception(data):
    at = uploaded(data, "refus.csv")
    assert len(at.error) == 1
    message = at.error[0].value
    assert "\n" not in message and message.endswith(".")
    assert "refus.csv" in message or "Line 3" in message
    assert not at.table and not at.selectbox


def test_a_reports_snapshot_offers_its_tables_and_reads_the_chosen_one():
    data = ga4_snapshot([
        (None, ["Nth day", "Active users"], [["0000", 3], ["0001", 5]]),
        ("Where do your users come from?", ["Session primary channel group (Default Channel Group)", "Sessions"],
         [["Direct", 31], ["Organic Search", 29], ["Referral", 40]]),
    ])
    at = uploaded(data, "Reports_snapshot.csv")
    picker = at.selectbox(key=f"table_{content_id(data)}")
    assert len(picker.options) == 2
    picker.set_value(1).run()
    assert not at.exception
    assert "Kind of data: traffic aggregated by channel" in text(at)
    assert "**100 sessions**" in text(at)
    buckets = {row["Channel"]: row["Sessions"] for row in at.table[0].value.to_dict("records")}
    assert buckets == {"Search engines": "29", "External links (social media)": "40", "Direct access": "31"}


def test_the_upload_becomes_the_dataset_of_the_segments_page():
    at = uploaded()
    at.switch_page("digistrat/ui/pages/segments.py").run()
    source = at.sidebar.selectbox(key="data_source_survey")
    assert source.value == SURVEY_ID
    assert source.options[1] == "enquête.csv (your file)"


# ---------------------------------------------------------------- aggregated tables, device reports


def test_a_share_only_segment_table_previews_its_shares_and_says_its_base_is_unknown():
    lines = ["Segment;Part"] + [f"{FRENCH_NAMES[k]};{str(v).replace('.', ',').removesuffix(',0')} %"
                                for k, v in PUBLISHED.items()]
    at = uploaded(("\n".join(lines) + "\n").encode(), "segments_pct.csv")
    assert "Kind of data: aggregated table" in text(at)
    assert shown_shares(at) == pytest.approx(PUBLISHED)
    assert list(at.table[0].value.columns) == ["Segment", "Share"]  # no interval without a base
    assert "number of respondents behind them is unknown" in " ".join(c.value for c in at.caption)


def test_a_count_segment_table_previews_its_counts_and_wilson_intervals():
    data = ("Segment;Nombre d'entreprises\n" + "".join(f"{FRENCH_NAMES[k]};{n}\n" for k, n in COUNTS_OF_400.items()))
    at = uploaded(data.encode(), "segments_counts.csv")
    assert shown_shares(at) == pytest.approx(PUBLISHED, abs=0.05)  # one decimal: 54.75 shows 54.8
    for row in at.table[0].value.to_dict("records"):
        key = NAMES[row["Segment"]]
        assert int(row["Base (n)"]) == COUNTS_OF_400[key]
        low, high = (percent(part) for part in row["95% interval"].split(" – "))
        expected = wilson(COUNTS_OF_400[key], 400)
        assert (low, high) == pytest.approx((100 * expected[0], 100 * expected[1]), abs=0.05)
    assert "out of 400" in " ".join(c.value for c in at.caption)


DEVICES = [["desktop", 5800, 6000], ["mobile", 3200, 3500], ["tablet", 1000, 1100], ["smart tv", 5, 7]]


def test_a_device_report_opens_on_the_channels_page_as_a_device_split():
    data = ga4_export("Acquisition de trafic", ["Catégorie d'appareil", "Utilisateurs actifs", "Sessions"], DEVICES)
    at = uploaded(data, "devices.csv")
    assert "Kind of data: traffic aggregated by device" in text(at)
    shown = {row["Device"]: row["Sessions"] for row in at.table[0].value.to_dict("records")}
    assert shown == {"Computer": "6,000", "Mobile": "3,500", "Tablet": "1,100", "Other": "7"}
    at.switch_page("digistrat/ui/pages/channels.py").run()
    assert not at.exception and not at.error
    assert at.sidebar.selectbox(key="data_source_traffic").value == content_id(data)
    assert f"**{6000 + 3500 + 1100 + 7:,} sessions**" in text(at)
    assert any("by device only" in info.value for info in at.info)
    # the device chart, and none of the channel sections
    headers = [h.value for h in at.header]
    assert "Devices" in headers and "Over time" not in headers and "Channels (GA4 default channel group)" not in headers
    assert not [t for t in tables(at) if "Channel" in t.value.columns]


def test_the_period_picker_of_an_uploaded_daily_export_has_no_default_besides_its_state(monkeypatch):
    # Streamlit warns when a widget gets a default and a value set through session state.
    defaults: dict[str, object] = {}
    check = policies.check_session_state_rules

    def record(default_value=None, key=None, writes_allowed=True):
        defaults[key] = default_value
        return check(default_value=default_value, key=key, writes_allowed=writes_allowed)

    monkeypatch.setattr(policies, "check_session_state_rules", record)
    at = uploaded(ga4_daily_export(DAILY), "daily.csv")
    at.switch_page("digistrat/ui/pages/channels.py").run()
    assert not at.exception
    # the last 28 days of a 24 Feb - 9 Mar export, or its second half: 3 - 9 March
    assert at.date_input(key="ch_period").value == (dt.date(2025, 3, 3), dt.date(2025, 3, 9))
    assert "ch_period" in defaults and defaults["ch_period"] is None


def test_an_ended_session_lets_go_of_its_upload_even_where_its_state_is_still_held():
    # Streamlit's runtime loop keeps the last session it served in memory after it closed
    # (digistrat.ui.memory): what its state holds of ours must go when it ends.
    from digistrat.ui import memory

    at = uploaded()
    session = "test session id"  # AppTest's, for every run
    assert session in memory.ledger().live_sessions()
    upload = at.session_state["uploads"][SURVEY_ID]
    connected = at.session_state["connected"]
    connected["a connected source"] = "its dataset"  # the state's own dict, as a connection fills it
    assert upload.data == SURVEY
    memory.empty_session_state(session)
    assert upload.data == b"" and at.session_state["uploads"] == {} and at.session_state["connected"] == {}

"""`python -m digistrat` as a user runs it: a subprocess on files written by the tests.

Expected figures are computed here from the rows the test wrote, never from the package.
"""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

import pytest

from tests.fixtures_app import kish_base, shown_share
from tests.fixtures_files import (
    COUNTS_OF_400, DIRTY, ENGLISH_LABELS, FRENCH_NAMES, FRENCH_SEGMENTS, PUBLISHED, clean_panel, counted, csv_text, french_excel_csv, french_number, ga4_export, weighted, wilson,
)

REPO = Path(__file__).resolve().parents[1]
REAL_EXPORTS = Path(__file__).resolve().parents[2] / "shared" / "reference" / "real-exports"


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "digistrat", *map(str, args)], cwd=REPO,
                          capture_output=True, text=True, encoding="utf-8", timeout=120)


def run_json(*args: str) -> dict:
    result = run(*args, "--json")
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


@pytest.fixture
def french_survey(tmp_path: Path) -> Path:
    """French Excel 'CSV (séparateur: point-virgule)': cp1252, ';', CRLF, decimal comma."""
    header = ["Identifiant", "Segment", "Pondération", "Taille d'entreprise", "Secteur d'activité"]
    rows = [[r, s, french_number(w, 2), size, sector] for r, s, w, size, sector in clean_panel() + DIRTY]
    path = tmp_path / "enquête.csv"
    path.write_bytes(french_excel_csv(rows, header, encoding="cp1252"))
    return path


# ---------------------------------------------------------------- shares


def test_shares_json_of_a_french_cp1252_survey_are_the_hand_weighted_shares(french_survey):
    result = run_json("shares", french_survey)
    rows = clean_panel()
    expected = {FRENCH_SEGMENTS[k]: v for k, v in weighted(rows, 1).items()}
    counts = {FRENCH_SEGMENTS[k]: v for k, v in counted(rows, 1).items()}
    assert set(result) == {"base", "weighted", "rows"}
    assert result["base"] == len(rows)
    assert result["weighted"] is True
    assert [r["key"] for r in result["rows"]] == list(ENGLISH_LABELS)
    for row in result["rows"]:
        assert set(row) == {"key", "label", "count", "share", "ci_low", "ci_high", "deff", "n_eff"}
        assert row["label"] == ENGLISH_LABELS[row["key"]]
        assert row["count"] == counts[row["key"]]
        assert row["share"] == pytest.approx(expected[row["key"]], abs=1e-9)
        assert row["ci_low"] < row["share"] < row["ci_high"]
    assert sum(r["share"] for r in result["rows"]) == pytest.approx(100)


def test_shares_without_weights_count_rows_and_keep_bad_weight_rows(french_survey):
    result = run_json("shares", french_survey, "--weight", "none")
    rows = clean_panel() + [DIRTY[2]]  # the bad weight no longer matters
    counts = {FRENCH_SEGMENTS[k]: v for k, v in counted(rows, 1).items()}
    assert result["weighted"] is False
    assert result["base"] == len(rows)
    for row in result["rows"]:
        assert row["share"] == pytest.approx(100 * counts[row["key"]] / len(rows), abs=1e-9)


def test_shares_by_another_column_with_french_labels(french_survey):
    result = run_json("shares", french_survey, "--by", "Taille d'entreprise", "--lang", "fr")
    expected = weighted(clean_panel(), 3)
    assert {r["key"]: r["share"] for r in result["rows"]} == pytest.approx(expected, abs=1e-9)
    assert all(r["label"] == r["key"] for r in result["rows"])


def test_shares_text_output_shows_each_segment_with_its_share(french_survey):
    result = run("shares", french_survey)
    assert result.returncode == 0, result.stderr
    expected = {FRENCH_SEGMENTS[k]: v for k, v in weighted(clean_panel(), 1).items()}
    lines = result.stdout.splitlines()
    assert lines[0].startswith(f"base {len(clean_panel())} rows, weighted")
    assert lines[1].split()[:2] == ["Segment", "Share"]  # the upload preview's table, as text
    base = kish_base([row[2] for row in clean_panel()])
    for key, name in ENGLISH_LABELS.items():
        line = next(line for line in lines if line.startswith(name))
        share = float(line.split()[1].rstrip("%"))  # "Wait-and-see  37.5%  29.1% – 46.5%  44"
        assert share == shown_share(expected[key], base)


def test_french_text_output_uses_french_labels_and_decimal_comma(french_survey):
    result = run("shares", french_survey, "--lang", "fr")
    assert result.returncode == 0, result.stderr
    assert "Les attentistes" in result.stdout
    expected = weighted(clean_panel(), 1)["Les attentistes"]
    line = next(line for line in result.stdout.splitlines() if line.startswith("Les attentistes"))
    shown = shown_share(expected, kish_base([row[2] for row in clean_panel()]))
    assert f"{shown:.1f}".replace(".", ",") + "\u202f%" in line


# ---------------------------------------------------------------- inspect


def test_inspect_json_says_what_was_detected_and_why_rows_were_left_out(french_survey):
    result = run_json("inspect", french_survey)
    assert result["encoding"] == "cp1252"
    assert result["separator"] == ";"
    assert result["decimal"] == ","
    assert result["header_line"] == 1
    assert result["kind"] == "survey"
    assert result["roles"]["Segment"] == "segment"
    assert result["roles"]["Pondération"] == "weight"
    assert result["rows_read"] == len(clean_panel()) + len(DIRTY)
    assert result["rows_used"] == len(clean_panel())
    assert result["left_out"] == {"unmapped_segment": 1, "no_segment": 1, "bad_weight": 1}
    assert result["unmapped"] == {"Segment": [{"value": "Foo", "rows": 1}]}
    # the bad weight is the last data row: header on line 1, so file line = rows + 1
    assert result["bad_weight_lines"] == [len(clean_panel()) + len(DIRTY) + 1]


def test_inspect_text_names_encoding_kind_and_roles(french_survey):
    result = run("inspect", french_survey)
    assert result.returncode == 0, result.stderr
    assert "cp1252" in result.stdout and "semicolon" in result.stdout
    assert "kind: survey" in result.stdout
    assert "  Pondération: weight" in result.stdout
    assert "unmapped values in Segment: 'Foo' (1)" in result.stdout


def test_inspect_lists_the_tables_of_a_reports_snapshot(tmp_path):
    from tests.fixtures_files import ga4_snapshot

    path = tmp_path / "snapshot.csv"
    path.write_bytes(ga4_snapshot([
        (None, ["Nth day", "Active users"], [["0000", 3], ["0001", 5]]),
        ("Where do your users come from?", ["Session primary channel group (Default Channel Group)", "Sessions"],
         [["Direct", 30], ["Organic Search", 20]]),
    ]))
    result = run_json("inspect", path, "--table", "1")
    assert [t["rows"] for t in result["tables"]] == [2, 2]
    assert result["tables"][1]["title"] == "Where do your users come from?"
    assert result["kind"] == "traffic_by_channel"


def test_the_tables_of_a_compared_snapshot_say_their_period(tmp_path):
    from tests.fixtures_files import ga4_snapshot

    # GA4 compares with the previous month: every table twice, told apart only by its dates
    table = ("Session source / medium", "Sessions")
    path = tmp_path / "snapshot.csv"
    path.write_bytes(ga4_snapshot([(None, table, [["google / organic", 30]]), (None, table, [["google / organic", 20]])],
                                  periods=[("20250801", "20250831"), ("20250701", "20250731")]))
    titles = [t["title"] for t in run_json("inspect", path)["tables"]]
    assert titles == ["Reports snapshot (2025-08-01 – 2025-08-31)", "2025-07-01 – 2025-07-31"]
    # one period for every table: the titles stay as they are
    path.write_bytes(ga4_snapshot([(None, table, [["google / organic", 30]]), ("Where from?", table, [["bing / organic", 2]])]))
    assert [t["title"] for t in run_json("inspect", path)["tables"]] == ["Reports snapshot", "Where from?"]


# ---------------------------------------------------------------- aggregated segment tables


def test_shares_of_a_french_share_table_are_its_shares_not_one_row_each(tmp_path):
    path = tmp_path / "segments_pct.csv"
    lines = ["Segment;Part"] + [f"{FRENCH_NAMES[k]};{str(v).replace('.', ',').removesuffix(',0')} %"
                                for k, v in PUBLISHED.items()] + ["Total;100 %"]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = run_json("shares", path)
    assert result["base"] is None and result["weighted"] is False
    assert [r["key"] for r in result["rows"]] == list(PUBLISHED)
    assert {r["key"]: r["share"] for r in result["rows"]} == pytest.approx(PUBLISHED)
    for row in result["rows"]:
        assert row["count"] is None and row["ci_low"] is None and row["ci_high"] is None
    text = run("shares", path)
    assert text.returncode == 0, text.stderr
    assert "unknown" in text.stdout.splitlines()[0]
    # published shares keep their own precision, with no base and no interval
    assert any(line.split() == ["Wait-and-see", "54.75%"] for line in text.stdout.splitlines())


def test_shares_of_a_count_table_use_the_counts_and_their_wilson_intervals(tmp_path):
    path = tmp_path / "segments_counts.csv"
    path.write_text("Segment;Nombre d'entreprises\n" + "".join(
        f"{FRENCH_NAMES[k]};{n}\n" for k, n in COUNTS_OF_400.items()), encoding="utf-8")
    result = run_json("shares", path)
    assert result["base"] == 24 + 31 + 42 + 84 + 219 == 400
    rows = {r["key"]: r for r in result["rows"]}
    for key, count in COUNTS_OF_400.items():
        low, high = wilson(count, 400)
        assert rows[key]["count"] == count
        assert rows[key]["share"] == pytest.approx(PUBLISHED[key])
        assert (rows[key]["ci_low"], rows[key]["ci_high"]) == pytest.approx((100 * low, 100 * high))
    assert rows["wait_and_see"]["ci_low"] == pytest.approx(49.85, abs=0.01)  # 219 / 400, Wilson 95 %


# ---------------------------------------------------------------- channels


def test_channels_json_of_a_ga4_source_medium_export_with_devices(tmp_path):
    header = ["Session source / medium", "Device category", "Sessions", "Engagement rate"]
    rows = [
        ["google / organic", "desktop", 1200, 0.61], ["google / organic", "mobile", 800, 0.52],
        ["(direct) / (none)", "desktop", 900, 0.4], ["(direct) / (none)", "tablet", 100, 0.3],
        ["google / cpc", "mobile", 500, 0.7],
    ]
    path = tmp_path / "traffic.csv"
    path.write_bytes(ga4_export("Traffic acquisition: Session source / medium", header, rows))
    result = run_json("channels", path)
    total = sum(r[2] for r in rows)
    # GA4 default channel group, by hand: organic -> Organic Search, cpc on google -> Paid Search
    channels = {"organic_search": 2000, "direct": 1000, "paid_search": 500}
    devices = {"desktop": 2100, "mobile": 1300, "tablet": 100}
    assert {"sessions", "rows", "devices"} <= set(result)
    assert result["sessions"] == total
    assert {r["key"]: r["sessions"] for r in result["rows"]} == channels
    assert {r["key"]: r["sessions"] for r in result["devices"]} == devices
    for row in [*result["rows"], *result["devices"]]:
        assert set(row) == {"key", "sessions", "share"}
        assert isinstance(row["sessions"], int)
        assert row["share"] == pytest.approx(100 * row["sessions"] / total)


REAL_CHANNEL_KEYS = {
    "Direct": "direct", "Paid Search": "paid_search", "Organic Search": "organic_search",
    "Referral": "referral", "Organic Social": "organic_social", "Cross-network": "cross_network",
    "Unassigned": "unassigned",
}


def real_sessions(path: Path) -> dict[str, int]:
    """Sessions per channel of a GA4 traffic-acquisition export, read with the csv module."""
    lines = [line for line in path.read_text(encoding="utf-8").splitlines() if line and not line.startswith("#")]
    totals: dict[str, int] = defaultdict(int)
    for row in csv.DictReader(lines):
        totals[REAL_CHANNEL_KEYS[row["Session primary channel group (Default Channel Group)"]]] += int(row["Sessions"])
    return dict(totals)


@pytest.mark.parametrize("name", ["ga4_traffic_acquisition_channel__h2oplumbers.csv",
                                  "ga4_traffic_acquisition_channel__burnsedia.csv"])
def test_channels_of_real_ga4_exports_sum_their_sessions(name):
    path = REAL_EXPORTS / name
    if not path.exists():
        pytest.fail("shared/reference/real-exports is not next to the repository: the tests read the real exports from ../shared, as CI has them")
    expected = real_sessions(path)
    total = sum(expected.values())
    result = run_json("channels", path)
    assert result["sessions"] == total
    assert {r["key"]: r["sessions"] for r in result["rows"]} == expected
    for row in result["rows"]:
        assert row["share"] == pytest.approx(100 * expected[row["key"]] / total)
    assert result["devices"] == []


def test_channels_of_the_real_reports_snapshot_table():
    path = REAL_EXPORTS / "ga4_reports_snapshot_multitable__joel-hanson.csv"
    if not path.exists():
        pytest.fail("shared/reference/real-exports is not next to the repository: the tests read the real exports from ../shared, as CI has them")
    inspected = run_json("inspect", path)
    table = next(t["index"] for t in inspected["tables"]
                 if t["columns"] == ["Session primary channel group (Default Channel Group)", "Sessions"])
    # the same table cut out of the file by hand: blank-line separated blocks, '#' lines dropped
    blocks = path.read_text(encoding="utf-8").replace("\r\n", "\n").split("\n\n")
    block = next(b for b in blocks if "\nSession primary channel group (Default Channel Group),Sessions" in "\n" + b)
    body = [line for line in block.splitlines() if not line.startswith("#")]
    expected = {row["Session primary channel group (Default Channel Group)"]: int(row["Sessions"])
                for row in csv.DictReader(body)}
    result = run_json("channels", path, "--table", table)
    assert result["sessions"] == sum(expected.values())
    assert {r["key"]: r["sessions"] for r in result["rows"]} == {
        REAL_CHANNEL_KEYS[k]: v for k, v in expected.items() if v}


def test_a_real_user_acquisition_export_says_it_counts_users_not_sessions():
    path = REAL_EXPORTS / "ga4_user_acquisition_channel__h2oplumbers.csv"
    if not path.exists():
        pytest.fail("shared/reference/real-exports is not next to the repository: the tests read the real exports from ../shared, as CI has them")
    lines = [line for line in path.read_text(encoding="utf-8").splitlines() if line and not line.startswith("#")]
    users = sum(int(row["Total users"]) for row in csv.DictReader(lines))
    for lang, expected in (("en", f"{users:,} counted in column 'Total users' (not sessions)"),
                           ("fr", f"{users:,}".replace(",", "\u202f") + " comptés dans la colonne « Total users » (pas des visites)")):
        result = run("channels", path, "--lang", lang)
        assert result.returncode == 0, result.stderr
        assert result.stdout.splitlines()[0] == expected


def test_a_table_of_shares_is_not_given_a_number_of_sessions(tmp_path):
    # the article's origins table (FACTS.md), as a French user types it: shares, no counts
    path = tmp_path / "origines.csv"
    path.write_text("Source du trafic;Part\nMoteurs de recherche;29 %\nLiens externes;40 %\nAccès directs;31 %\n",
                    encoding="utf-8")
    for lang, expected in (("en", "Shares of visits from column 'Part': the table gives no number of sessions"),
                           ("fr", "Parts des visites de la colonne « Part » : le tableau ne donne pas de nombre de visites")):
        result = run("channels", path, "--lang", lang)
        assert result.returncode == 0, result.stderr
        assert result.stdout.splitlines()[0] == expected


def test_a_search_console_devices_report_counts_its_clicks(tmp_path):
    # Search Console's "Devices.csv" as it exports it (no final newline)
    path = tmp_path / "Devices.csv"
    path.write_text("Device,Clicks,Impressions,CTR,Position\nDesktop,485,137157,0.35%,23.05\n"
                    "Mobile,331,19453,1.7%,23.87\nTablet,5,919,0.54%,46.95", encoding="utf-8")
    result = run_json("channels", path)
    assert result["sessions"] == 485 + 331 + 5
    assert {r["key"]: r["sessions"] for r in result["devices"]} == {"desktop": 485, "mobile": 331, "tablet": 5}
    assert run("channels", path).stdout.splitlines()[0] == "821 counted in column 'Clicks' (not sessions)"
    # the CTR column is said once to be read as points
    assert run("inspect", path).stdout.count("read as points") == 1


def test_channels_of_a_reports_snapshot_name_the_tables_that_give_channels():
    path = REAL_EXPORTS / "ga4_reports_snapshot_multitable__joel-hanson.csv"
    if not path.exists():
        pytest.fail("shared/reference/real-exports is not next to the repository: the tests read the real exports from ../shared, as CI has them")
    # the tables with data whose header row names a channel group, found by hand: blank-line
    # separated blocks, '#' lines dropped, the first line left is the header
    blocks = [[line for line in block.splitlines() if line and not line.startswith("#")]
              for block in path.read_text(encoding="utf-8").replace("\r\n", "\n").split("\n\n")]
    tables = [block for block in blocks if block]
    with_channels = [index for index, block in enumerate(tables) if "channel group" in block[0] and len(block) > 1]
    assert len(with_channels) >= 2
    refused = run("channels", path)
    assert_one_line_error(refused, "table 0", "tables " + ", ".join(map(str, with_channels)) + " have one", "--table")
    for index in with_channels:
        assert run_json("channels", path, "--table", index)["sessions"] > 0


def test_channels_of_a_ga4_device_export_give_devices_and_no_channels(tmp_path):
    rows = [["desktop", 5800, 6000], ["mobile", 3200, 3500], ["tablet", 1000, 1100], ["smart tv", 5, 7]]
    path = tmp_path / "devices.csv"
    path.write_bytes(ga4_export("Acquisition de trafic", ["Catégorie d'appareil", "Utilisateurs actifs", "Sessions"], rows))
    result = run_json("channels", path)
    total = 6000 + 3500 + 1100 + 7
    assert result["sessions"] == total
    assert result["rows"] == [] and result["buckets"] == []
    assert {r["key"]: r["sessions"] for r in result["devices"]} == {"desktop": 6000, "mobile": 3500, "tablet": 1100,
                                                                   "other": 7}
    assert run("inspect", path, "--json").stdout.count('"kind": "traffic_by_device"') == 1
    text = run("channels", path, "--lang", "fr")
    assert text.returncode == 0, text.stderr
    lines = text.stdout.splitlines()
    # the reason there are no channels comes before the device lines
    assert "appareil" in lines[1] and lines[2] == "Appareils :" and lines[3].split()[:2] == ["Appareil", "Visites"]
    assert lines[4].startswith("Ordinateur") and "6\u202f000" in lines[4]


def test_channels_of_a_landing_page_report_without_tags_are_refused(tmp_path):
    path = tmp_path / "landing.csv"
    path.write_bytes(ga4_export("Landing page", ["Landing page + query string", "Sessions", "Active users"],
                                [["/", 500, 400], ["/contact", 100, 90], ["(not set)", 5, 5]]))
    assert_one_line_error(run("channels", path), "Landing page + query string", "referrer")


def test_channels_text_output(tmp_path):
    path = tmp_path / "channels.csv"
    path.write_text(csv_text(["Default channel group", "Sessions"], [["Direct", 31], ["Organic Search", 29], ["Referral", 40]]))
    result = run("channels", path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[0] == "100 sessions"
    assert any(line.split()[:2] == ["Direct", "31"] for line in result.stdout.splitlines())


# ---------------------------------------------------------------- refusals


def assert_one_line_error(result: subprocess.CompletedProcess, *words: str) -> None:
    assert result.returncode == 2
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: ")
    assert "Traceback" not in result.stderr
    for word in words:
        assert word in lines[0]


def test_a_missing_file_is_one_line_and_status_2(tmp_path):
    assert_one_line_error(run("shares", tmp_path / "nowhere.csv"), "nowhere.csv", "no such file")


def test_an_empty_file_is_refused(tmp_path):
    path = tmp_path / "empty.csv"
    path.write_bytes(b"")
    assert_one_line_error(run("inspect", path), "empty")


def test_a_header_only_file_is_refused(tmp_path):
    path = tmp_path / "header.csv"
    path.write_text("Segment;Pondération\r\n", encoding="cp1252")
    assert_one_line_error(run("shares", path), "no data rows")


@pytest.mark.parametrize("content", [b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4, bytes(range(256)) * 40,
                                     b"PK\x03\x04" + b"\x00" * 200])
def test_binary_files_renamed_csv_are_refused(tmp_path, content):
    path = tmp_path / "data.csv"
    path.write_bytes(content)
    assert_one_line_error(run("channels", path), "data.csv")


def test_a_ragged_row_is_refused_with_its_line(tmp_path):
    path = tmp_path / "ragged.csv"
    path.write_text("segment,weight\nconvinced,1\nadapters,1,extra\n")
    assert_one_line_error(run("shares", path), "Line 3")


def test_an_unknown_by_column_is_refused_naming_the_columns(french_survey):
    assert_one_line_error(run("shares", french_survey, "--by", "Chiffre d'affaires"), "Chiffre d'affaires",
                          "Taille d'entreprise")


def test_a_survey_without_channels_is_refused_by_channels(french_survey):
    assert_one_line_error(run("channels", french_survey), "channel")


def test_a_reader_that_stops_reading_is_no_error_of_the_file():
    """`python -m digistrat channels FILE | head -1`: the pipe closes before the output is written."""
    read_end, write_end = os.pipe()
    os.close(read_end)  # every write to the pipe now fails with EPIPE, as after head has exited
    try:
        done = subprocess.run([sys.executable, "-m", "digistrat", "channels", str(REPO / "data" / "sample_sessions.csv")],
                              cwd=REPO, stdout=write_end, stderr=subprocess.PIPE, text=True, timeout=120)
    finally:
        os.close(write_end)
    assert done.returncode == 1
    assert done.stderr == ""


def test_usage_mistakes_are_one_line_too():
    assert_one_line_error(run("shares"), "file")
    assert_one_line_error(run("frobnicate", "x.csv"), "frobnicate")

"""Survey-tool exports end to end: the CLI's shares of a checkbox question and of a single-choice
question equal what the file's own rows say (read here with the csv module, not the reader),
and no header text is counted as an answer.

The fixtures keep real exports' layouts (tests/fixtures/README.md says where each comes from).
"""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from digistrat.datasets import load_bytes
from digistrat.schema import OPTIONS
from tests.survey_files import SPSS_LABELS, SPSS_PANEL, SPSS_SIZES

REPO = Path(__file__).resolve().parents[1]
FIXTURES = REPO / "tests" / "fixtures"


def raw(name: str) -> list[list[str]]:
    return raw_path(FIXTURES / name)


def raw_path(path: Path) -> list[list[str]]:
    with open(path, newline="", encoding="utf-8-sig") as handle:
        return list(csv.reader(handle))


def cli_shares(name: str, by: str) -> dict:
    done = subprocess.run([sys.executable, "-m", "digistrat", "shares", str(FIXTURES / name), "--by", by, "--json"],
                          cwd=REPO, capture_output=True, text=True, encoding="utf-8", timeout=120)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def option_columns(rows: list[list[str]], first: int, last: int, header_rows: int) -> tuple[int, Counter]:
    """Respondents who ticked at least one of columns first..last, and each column's ticks, by its label
    (the second header row for SurveyMonkey, the cell's own text for Typeform)."""
    answered, ticks = 0, Counter()
    for row in rows[header_rows:]:
        chosen = [row[i] for i in range(first, last + 1) if row[i].strip()]
        answered += bool(chosen)
        ticks.update(chosen)
    return answered, ticks


def counts_of(result: dict) -> dict[str, int]:
    return {row["key"]: row["count"] for row in result["rows"] if row["count"]}


@pytest.mark.parametrize(("name", "by", "first", "last", "header_rows"), [
    # SurveyMonkey "select all that apply": one column per option, its label when ticked
    ("surveymonkey_condensed_select_all.csv", "Select the racial", 11, 16, 2),
    # Typeform: the question header repeated over one column per option
    ("typeform.csv", "Which channels bring you", 1, 4, 1),
])
def test_option_columns_give_shares_of_respondents_who_answered(name, by, first, last, header_rows):
    rows = raw(name)
    answered, ticks = option_columns(rows, first, last, header_rows)
    result = cli_shares(name, by)
    assert result["multi"] is True and result["base"] == answered
    assert counts_of(result) == dict(ticks)
    # no header text among the answers: the question texts, the tool's metadata names, "Response"
    headers = {cell for cell in rows[0] if cell} | {"Response", "Open-Ended Response"}
    assert not headers & {row["key"] for row in result["rows"]}


def test_google_forms_checkboxes_joined_with_commas():
    rows = raw("google_forms.csv")
    answers = [row[3] for row in rows[1:] if row[3].strip()]
    result = cli_shares("google_forms.csv", "Which social networks")
    assert result["multi"] is True and result["base"] == len(answers)
    assert counts_of(result) == dict(Counter(option for answer in answers for option in answer.split(", ")))


def test_limesurvey_y_columns_are_one_question():
    rows = raw("limesurvey_codes.csv")
    ticked = [[row[i] == "Y" for i in range(10, 14)] for row in rows[1:]]
    result = cli_shares("limesurvey_codes.csv", "G01Q02")
    assert result["multi"] is True and result["base"] == sum(any(t) for t in ticked)
    assert counts_of(result) == {f"SQ00{i + 1}": sum(t[i] for t in ticked) for i in range(4) if any(t[i] for t in ticked)}


def qualtrics_ticks(rows: list[list[str]], stem: str, header_rows: int, separator: str) -> tuple[int, dict[str, int]]:
    """Respondents who ticked (1) at least one of the columns `stem_N`, and each option's ticks, by the
    option the text row names after the question ('question - option'), nobody's ticks counted as 0."""
    columns = [i for i, name in enumerate(rows[0]) if name.startswith(f"{stem}_") and name[len(stem) + 1:].isdigit()]
    respondents = rows[header_rows:]
    answered = sum(any(row[i] == "1" for i in columns) for row in respondents)
    return answered, {rows[1][i].rsplit(separator, 1)[1]: sum(row[i] == "1" for row in respondents) for i in columns}


@pytest.mark.parametrize(("by", "stem"), [("Which foods", "Q1"), ("Please indicate any dietary", "Q3")])
def test_qualtrics_numeric_select_all_columns_are_one_question(by, stem):
    # 1 / blank under "question - option"; options nobody chose (a column empty in every row,
    # Q3's first among them) are still options of the question
    rows = raw("qualtrics_numeric_select_all.csv")
    answered, ticks = qualtrics_ticks(rows, stem, 3, " - ")
    assert 0 in ticks.values() and answered < len(rows) - 3
    result = cli_shares("qualtrics_numeric_select_all.csv", by)
    assert result["multi"] is True and result["base"] == answered
    assert result["question"] == stem  # named as the file's columns are, not by the ImportId QID1
    assert {row["key"]: row["count"] for row in result["rows"]} == ticks
    assert {row["key"]: row["share"] for row in result["rows"]} == \
        pytest.approx({option: 100 * count / answered for option, count in ticks.items()})


@pytest.mark.parametrize(("by", "stem"), [
    ("Click to write the question text This question has choice groups", "Q3"),
    ("This is a multiple answer likert matrix", "mc_question_five"),
])
def test_qualtrics_option_groups_whose_first_option_nobody_chose(by, stem):
    rows = raw("qualtrics_insights_multi.csv")
    answered, ticks = qualtrics_ticks(rows, stem, 3, "...-")
    assert ticks[next(iter(ticks))] == 0  # the first option column is empty in every row
    result = cli_shares("qualtrics_insights_multi.csv", by)
    assert result["multi"] is True and result["base"] == answered and result["question"] == stem
    assert {row["key"]: row["count"] for row in result["rows"]} == ticks


# a legacy export's layout (ids row V1…, text row "question-option"), respondents composed
QUALTRICS_LEGACY_OTHER = [
    ["V1", "V2", "V8", "Q4_1", "Q4_2", "Q4_3", "Q4_3_TEXT"],
    ["ResponseID", "ResponseSet", "StartDate", "How do you reach us?-Email", "How do you reach us?-Chat",
     "How do you reach us?-Other", "How do you reach us?-Other-TEXT"],
    ["R_1", "Default Response Set", "2024-05-02 09:12:40", "1", "", "1", "Fax"],
    ["R_2", "Default Response Set", "2024-05-02 09:30:02", "", "1", "", ""],
    ["R_3", "Default Response Set", "2024-05-03 14:01:55", "1", "1", "1", "Fax"],
    ["R_4", "Default Response Set", "2024-05-04 08:47:10", "", "", "1", "By post"],
]


@pytest.mark.parametrize(("data", "text_column"), [
    ((FIXTURES / "qualtrics_insights_multi.csv").read_bytes(), "mc_question_five_2_TEXT"),
    ("\n".join(",".join(row) for row in QUALTRICS_LEGACY_OTHER).encode(), "Q4_3_TEXT"),
], ids=["insights", "legacy"])
def test_qualtrics_other_text_beside_an_option_is_open_text_not_a_question(data, text_column):
    dataset = load_bytes(data, "export.csv")
    assert dataset.read.tool == "qualtrics"
    assert dataset.roles.roles[text_column] == "ignore"
    assert dataset.roles.reasons[text_column].code == "role.open_text"
    assert not [q.name for q in dataset.schema.questions if text_column in q.columns]
    # the option beside it is still counted with its question
    assert any(text_column.removesuffix("_TEXT") in q.columns and q.layout == OPTIONS for q in dataset.schema.questions)


@pytest.mark.parametrize(("name", "by", "marker", "ticked"), [
    ("redcap_raw.csv", "channels", "channels___", "1"),  # options are the choice codes
    ("redcap_labels.csv", "Which channels bring you new", "Which channels bring you new customers? (choice=", "Checked"),
])
def test_redcap_checkboxes_count_the_records_that_ticked_one(name, by, marker, ticked):
    rows = raw(name)
    positions = [i for i, cell in enumerate(rows[0]) if cell.startswith(marker)]
    options = [rows[0][i][len(marker):].removesuffix(")") for i in positions]
    ticks = [[row[i] == ticked for i in positions] for row in rows[1:]]
    result = cli_shares(name, by)
    # base: the records that ticked at least one option (REDCap writes 0 / Unchecked for the others)
    assert result["multi"] is True and result["base"] == sum(any(t) for t in ticks) < len(rows) - 1
    assert counts_of(result) == {option: sum(t[k] for t in ticks) for k, option in enumerate(options)
                                 if any(t[k] for t in ticks)}


@pytest.mark.parametrize(("name", "by", "column", "header_rows"), [
    ("surveymonkey_condensed_select_all.csv", "In what country do you live", 9, 2),
    ("google_forms.csv", "Company size", 2, 1),
])
def test_a_single_choice_question_counts_each_respondent_once(name, by, column, header_rows):
    rows = raw(name)
    answers = Counter(row[column].strip() for row in rows[header_rows:] if row[column].strip())
    result = cli_shares(name, by)
    assert result["multi"] is False and result["base"] == sum(answers.values())
    assert counts_of(result) == dict(answers)
    assert "Response" not in counts_of(result)  # SurveyMonkey's second header row is no answer


def test_surveymonkey_expanded_single_choice_stays_single():
    # the expanded layout writes a single-choice question one column per option: nobody ticks two
    rows = raw("surveymonkey_expanded.csv")
    country = [i for i, cell in enumerate(rows[0]) if cell.startswith("In what country")][0]
    end = next(i for i in range(country + 1, len(rows[0])) if rows[0][i])  # the next question's first column
    # the typed "Other (please specify)" column is a question of its own
    options = [i for i in range(country, end) if not rows[1][i].startswith("Other")]
    answered, ticks = option_columns(rows, options[0], options[-1], 2)
    result = cli_shares("surveymonkey_expanded.csv", "In what country")
    assert result["multi"] is False and result["base"] == answered
    assert counts_of(result) == dict(ticks)


# ODK Central's CSV header (groups joined with '-', its own columns at the end); the rows are composed here
ODK_HEADER = ("SubmissionDate,meta-instanceID,encounter_start_datetime,reporter,device_id,location-area_name,"
              "location-quadrat_photo,location-corner1-Latitude,location-corner1-Longitude,"
              "location-corner1-Altitude,location-corner1-Accuracy,habitat-morphological_type,"
              "habitat-morphological_type_photo,perimeter-corner2-Latitude,perimeter-corner2-Longitude,"
              "perimeter-corner2-Altitude,perimeter-corner2-Accuracy,perimeter-corner3-Latitude,"
              "perimeter-corner3-Longitude,perimeter-corner3-Altitude,perimeter-corner3-Accuracy,"
              "perimeter-corner4-Latitude,perimeter-corner4-Longitude,perimeter-corner4-Altitude,"
              "perimeter-corner4-Accuracy,perimeter-mudmap_photo,encounter_end_datetime,KEY,SubmitterID,"
              "SubmitterName,Status")


def odk_row(number: int, habitat: str) -> str:
    """One submission, without the trailing ',' of the empty Status, as ODK Central writes it."""
    uuid = f"uuid:00000000-0000-4000-8000-{number:012d}"
    corners = [[f"-32.{number:04d}{c}", f"116.{number:04d}{c}", f"1{c}.5", "3.9"] for c in range(1, 5)]
    return ",".join([f"2024-05-0{number}T09:00:00.000Z", uuid, f"2024-05-0{number}T16:00:00.000+08:00",
                     "A. Surveyor", "device01", f"Site {number}", f"{number}01.jpg", *corners[0], habitat,
                     f"{number}02.jpg", *corners[1], *corners[2], *corners[3], "",
                     f"2024-05-0{number}T16:30:00.000+08:00", uuid, "7", "surveyor"])


def test_odk_central_rows_without_the_trailing_empty_status_are_all_read(tmp_path):
    path = tmp_path / "odk_central.csv"
    habitats = ["mid-slope", "flat", "flat", "crest"]
    path.write_text(ODK_HEADER + "\n" + "".join(odk_row(n, h) + "\n" for n, h in enumerate(habitats, 1)))
    header, *rows = raw_path(path)
    assert {len(row) for row in rows} == {len(header) - 1}
    column = header.index("habitat-morphological_type")
    inspected = run_json("inspect", str(path))
    assert inspected["rows_read"] == len(rows) and inspected["rows_used"] == len(rows)
    assert any(f"{len(rows)} rows have fewer fields than the header (line 1), the first on line 2" in note
               for note in inspected["notes"])
    result = run_json("shares", str(path), "--by", "habitat-morphological_type")
    assert result["base"] == len(rows)
    assert counts_of(result) == dict(Counter(row[column] for row in rows))



def test_limesurvey_json_equation_column_is_ignored_not_a_question(tmp_path):
    # LimeSurvey layout (every field quoted, question codes): 'intro' holds the JSON an equation
    # question stored, as in UUDigitalHumanitieslab/accent-recognition-limesurvey's results.csv
    groups = [{"v5": {"group": group, "answers": ["Anna", name]}, "v12": {"group": "A", "answers": ["Romy", "Eva"]}}
              for group, name in [("A", "Bram"), ("B", "Cas"), ("B", "Dina"), ("A", "Bram"), ("B", "Cas")]]
    heard = ["Bram", "Cas", "Cas", "Bram", "Dina"]
    lines = [["id", "submitdate", "lastpage", "startlanguage", "intro", "vr1004"]]
    lines += [[str(n), f"2024-03-0{n} 10:00:00", "19", "nl", json.dumps(g), h]
              for n, (g, h) in enumerate(zip(groups, heard), 1)]
    path = tmp_path / "results.csv"
    path.write_text("".join(",".join('"' + c.replace('"', '""') + '"' for c in line) + "\n" for line in lines))
    inspected = run_json("inspect", str(path))
    assert inspected["tool"] == "limesurvey" and inspected["rows_used"] == len(groups)
    assert inspected["roles"]["intro"] == "ignore" and "JSON" in inspected["reasons"]["intro"]
    assert "intro" not in [q["name"] for q in inspected["questions"]]
    result = run_json("shares", str(path), "--by", "vr1004")
    rows = raw_path(path)[1:]
    assert result["multi"] is False and counts_of(result) == dict(Counter(row[5] for row in rows))



def test_kobo_option_columns_without_their_joined_column_are_one_question(tmp_path):
    # kobocat's header (tests/fixtures/kobo_repeats_split_select_multiple.csv); respondents composed:
    # option columns 1/0, or n/a for whoever did not answer the question
    header = raw("kobo_repeats_split_select_multiple.csv")[0]
    ticks = ["1,0,0,1", "0,1,0,0", "n/a,n/a,n/a,n/a", "1,1,0,0", "0,0,0,1"]
    lines = [",".join(header)] + [
        f"P{n},3{n},n/a,1,4,Kid{n},n/a,n/a,n/a,n/a,n/a,n/a,n/a,{t},uuid:{n},{n},2024-01-0{n}T10:00:00,,,{{}}"
        for n, t in enumerate(ticks, 1)]
    path = tmp_path / "kobo.csv"
    path.write_text("\n".join(lines) + "\n")
    rows = raw_path(path)[1:]
    options = [name.split("/")[1] for name in header[13:17]]
    answered = [row[13:17] for row in rows if row[13] != "n/a"]
    result = run_json("shares", str(path), "--by", "web_browsers")
    assert result["multi"] is True and result["base"] == len(answered)
    # nobody filled the second child: its columns stay questions of their own, not options
    inspected = run_json("inspect", str(path))
    assert inspected["roles"]["children[2]/childs_name"] != "option"
    assert {q["name"]: q["options"] for q in inspected["questions"]}["web_browsers"] == options
    assert counts_of(result) == {o: sum(a[i] == "1" for a in answered) for i, o in enumerate(options)
                                 if any(a[i] == "1" for a in answered)}
    copy = run_json("shares", str(FIXTURES / "kobo_repeats_split_select_multiple.csv"), "--by", "web_browsers")
    assert copy["multi"] is True and copy["base"] == 0  # its one respondent did not answer (n/a)


# ---------------------------------------------------------------- SPSS and Stata, as agencies deliver them



def weighted_shares(keep: list[bool], chosen: list[bool]) -> float:
    weights = SPSS_PANEL["wt"]
    return 100 * sum(w for w, k, c in zip(weights, keep, chosen) if k and c) / sum(w for w, k in zip(weights, keep) if k)


def run_json(*args: str) -> dict:
    done = subprocess.run([sys.executable, "-m", "digistrat", *args, "--json"], cwd=REPO, capture_output=True,
                          text=True, encoding="utf-8", timeout=120)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_an_spss_file_with_labels_a_declared_weight_and_a_multiple_response_set(tmp_path):
    import polars as pl

    from tests.survey_files import spss_file

    path = tmp_path / "panel.sav"
    spss_file(path, pl.DataFrame(SPSS_PANEL), labels=SPSS_LABELS,
              value_labels={"size": SPSS_SIZES, "t_fb": {0: "Not selected", 1: "Selected"},
                            "t_li": {0: "Not selected", 1: "Selected"}},
              weight="wt", dichotomies=[("tools", "Which networks do you use?", 1, ["t_fb", "t_li"])])
    inspected = run_json("inspect", str(path))
    assert inspected["tool"] == "spss" and inspected["roles"]["wt"] == "weight"
    tools = next(q for q in inspected["questions"] if q["multi"])
    assert tools["text"] == "Which networks do you use?" and tools["options"] == ["Facebook", "LinkedIn"]
    result = run_json("shares", str(path), "--by", "which networks")
    answered = [bool(f or li) for f, li in zip(SPSS_PANEL["t_fb"], SPSS_PANEL["t_li"])]
    assert result["multi"] is True and result["weighted"] is True and result["base"] == sum(answered)
    shares = {row["key"]: row["share"] for row in result["rows"]}
    assert shares["Facebook"] == pytest.approx(weighted_shares(answered, [bool(v) for v in SPSS_PANEL["t_fb"]]))
    assert shares["LinkedIn"] == pytest.approx(weighted_shares(answered, [bool(v) for v in SPSS_PANEL["t_li"]]))
    sizes = run_json("shares", str(path), "--by", "How many people")
    everyone = [True] * len(SPSS_PANEL["wt"])
    assert {r["key"]: r["share"] for r in sizes["rows"]} == pytest.approx(
        {label: weighted_shares(everyone, [s == code for s in SPSS_PANEL["size"]]) for code, label in SPSS_SIZES.items()})


def test_a_stata_file_with_labels_and_a_svyset_weight(tmp_path):
    import polars as pl

    from tests.survey_files import stata_file

    path = tmp_path / "panel.dta"
    stata_file(path, pl.DataFrame(SPSS_PANEL), labels=SPSS_LABELS, value_labels={"size": SPSS_SIZES}, svy_weight="wt")
    result = run_json("shares", str(path), "--by", "How many people")
    everyone = [True] * len(SPSS_PANEL["wt"])
    assert result["weighted"] is True and result["text"] == SPSS_LABELS["size"]
    assert {r["key"]: r["share"] for r in result["rows"]} == pytest.approx(
        {label: weighted_shares(everyone, [s == code for s in SPSS_PANEL["size"]]) for code, label in SPSS_SIZES.items()})

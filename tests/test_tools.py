"""digistrat.tools through digistrat.read: survey-tool exports read as their tools wrote them.

Each fixture (tests/fixtures/README.md says where its layout comes from) is read as an upload;
the expected values are computed from the file's own rows with the csv module, not taken from
the reader."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import polars as pl
import pytest

from digistrat.errors import InputError
from digistrat.read import ColumnInfo, Limits, MultiSet, ReadReport, describe, read_table
from digistrat.tools import MISSING_CODES, read_header
from tests.fixtures_files import xlsx_rows

FIXTURES = Path(__file__).resolve().parent / "fixtures"


def _raw(name: str, encoding: str = "utf-8-sig", sep: str = ",") -> list[list[str]]:
    text = (FIXTURES / name).read_bytes().decode(encoding)
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=sep))


def _read(name: str):
    return read_table(FIXTURES / name)


def _group(result, question_id: str) -> list[ColumnInfo]:
    return [c for c in result.columns if c.question_id == question_id]


def _header_rows_absent(result, markers: list[str]) -> None:
    """No header text became an answer: none of the markers is a cell of the frame."""
    for column in result.frame.get_columns():
        if column.dtype == pl.String:
            assert not column.is_in(markers).any(), (column.name, markers)


# ---------------------------------------------------------------------------------------------
# SurveyMonkey


def test_surveymonkey_condensed_real_header_rows():
    raw = _raw("surveymonkey_condensed_anc.csv")
    result = _read("surveymonkey_condensed_anc.csv")
    report = result.report
    assert (report.tool, report.header_rows, report.rows) == ("surveymonkey", 2, len(raw) - 2)
    assert describe(report)[1] == "SurveyMonkey export, 2 header rows, 6 respondents."
    _header_rows_absent(result, ["Response", "Open-Ended Response", "Name", "Email"])
    assert result.frame["Respondent ID"].null_count() == 0  # row 2 (blank there) is not a respondent
    assert report.metadata_columns == ("Respondent ID",)

    contact = _group(result, "Q1")
    assert [c.option for c in contact] == raw[1][1:5]
    assert {c.question for c in contact} == {"Contact information"}
    ranking = _group(result, "Q7")
    assert [c.option for c in ranking] == raw[1][10:18]
    assert ranking[0].question.endswith("Rank how you would prioritize community benefits agreements for a "
                                        "Planned Unit Development.")
    # 'N/A' (not ranked) is missing: the ranks are numbers, and the report counts the cells
    for info, position in zip(ranking, range(10, 18)):
        cells = [row[position] for row in raw[2:]]
        column = result.frame[info.name]
        assert column.dtype == pl.Int64
        assert column.null_count() == cells.count("N/A")
        assert info.missing == (("N/A",) if "N/A" in cells else ())
    counted = dict(report.missing_cells)
    assert counted[ranking[3].name] == [row[13] for row in raw[2:]].count("N/A")
    # HTML in question texts is stripped; the name is one line
    bus = _group(result, "Q16")[0]
    assert bus.question.startswith("Do you support the projects in the bus priority plan in your ANC")
    assert "<a" not in bus.name and "\n" not in bus.name
    single = _group(result, "Q8")[0]
    assert (single.option, single.name) == (None, "Should apartments be legal to build District-wide?")
    assert result.frame[single.name].to_list() == [row[18] for row in raw[2:]]


def test_surveymonkey_select_all_question():
    raw = _raw("surveymonkey_condensed_select_all.csv")
    result = _read("surveymonkey_condensed_select_all.csv")
    assert result.report.rows == len(raw) - 2 == 12
    assert result.report.metadata_columns == tuple(raw[0][:9])
    races = _group(result, "Q2")
    assert [c.option for c in races] == raw[1][11:17]
    assert races[0].question == raw[0][11]
    for info, position in zip(races, range(11, 17)):
        ticked = [row[position] for row in raw[2:]]
        assert result.frame[info.name].to_list() == [t or None for t in ticked]
    other = _group(result, "Q2_other")
    assert len(other) == 1 and result.frame[other[0].name].drop_nulls().to_list() == ["Mixed"]
    country = _group(result, "Q1")
    assert len(country) == 1 and country[0].option is None and country[0].name == "In what country do you live?"
    _header_rows_absent(result, ["Response", "Open-Ended Response"])


def test_surveymonkey_expanded_and_xlsx_give_the_same_questions():
    csv_result = _read("surveymonkey_expanded.csv")
    raw = _raw("surveymonkey_expanded.csv")
    assert [c.option for c in _group(csv_result, "Q1")] == ["United States", "Canada", "United Kingdom"]
    workbook = xlsx_rows({"Sheet": raw})
    xlsx_result = read_table(workbook, file_name="responses.xlsx")
    assert (xlsx_result.report.tool, xlsx_result.report.header_rows, xlsx_result.report.rows) == \
        ("surveymonkey", 2, 12)
    assert [(c.name, c.question_id, c.option) for c in xlsx_result.columns] == \
        [(c.name, c.question_id, c.option) for c in csv_result.columns]
    assert xlsx_result.frame["Respondent ID"].to_list() == [int(r[0]) for r in raw[2:]]
    assert describe(xlsx_result.report)[1] == "SurveyMonkey export, 2 header rows, 12 respondents."


# ---------------------------------------------------------------------------------------------
# Qualtrics


def test_qualtrics_current_three_header_rows():
    result = _read("qualtrics_current.csv")
    assert (result.report.tool, result.report.header_rows, result.report.rows) == ("qualtrics", 3, 1)
    _header_rows_absent(result, ["Anfangsdatum", '{"ImportId":"startDate"}'])
    q1 = result.columns[result.frame.columns.index("Q1")]
    assert (q1.question_id, q1.question) == ("QID1", "This is a multiple choice question.")
    q2 = result.columns[result.frame.columns.index("Q2")]
    assert (q2.question_id, q2.question) == ("QID2", "This is a free text question.")
    assert not q2.open_text  # a text entry question is a question, not text typed beside an option
    assert {"StartDate", "ResponseId", "Q2 - Topics", "UserLanguage"} <= set(result.report.metadata_columns)
    assert result.frame["Q1"].to_list() == [2]


def test_qualtrics_legacy_two_header_rows():
    result = _read("qualtrics_legacy.csv")
    assert (result.report.tool, result.report.header_rows, result.report.rows) == ("qualtrics", 2, 1)
    assert result.frame.columns[:2] == ["ResponseID", "ResponseSet"]  # the text row names V1, V2…
    assert result.frame["Q2"].to_list() == ["Hello World!"]
    _header_rows_absent(result, ["ResponseID", "This is a free text question."])


def test_qualtrics_insights_multi_answer_matrices():
    raw = _raw("qualtrics_insights_multi.csv")
    result = _read("qualtrics_insights_multi.csv")
    assert (result.report.header_rows, result.report.rows) == (3, len(raw) - 3)
    matrix = _group(result, "QID3")
    assert [c.name for c in matrix] == ["Q3_1", "Q3_4", "Q3_5", "Q3_2", "Q3_3"]
    assert matrix[0].question == ("Click to write the question text This question has choice groups, "
                                  "one after the first choice and...")
    assert [c.option for c in matrix] == [t.split("...-", 1)[1] for t in raw[1][17:22]]
    text = _group(result, "QID4_TEXT")
    assert [c.name for c in text] == ["mc_question_five_2_TEXT"]
    assert [c.name for c in result.columns if c.open_text] == ["mc_question_five_2_TEXT"]  # typed beside an option
    assert [c.name for c in _group(result, "QID4")] == ["mc_question_five_1", "mc_question_five_2",
                                                        "mc_question_five_3"]
    for info in _group(result, "QID2"):
        position = raw[0].index(info.name)
        assert result.frame[info.name].to_list() == [int(r[position]) if r[position] else None for r in raw[3:]]


QUALTRICS_TUTORIAL_HEADER = [  # a current export's three rows (search index file 56839579932), plus QID8
    ["StartDate", "EndDate", "Status", "Progress", "Duration (in seconds)", "Finished", "RecordedDate",
     "ResponseId", "DistributionChannel", "UserLanguage", "gender", "Q8", "Q9"],
    ["Start Date", "End Date", "Response Type", "Progress", "Duration (in seconds)", "Finished", "Recorded Date",
     "Response ID", "Distribution Channel", "User Language", "What is your gender?",
     "Which channels do you use? - Selected Choice", "How would you describe your budget?"],
    ['{"ImportId":"startDate","timeZone":"America/New_York"}', '{"ImportId":"endDate","timeZone":"America/New_York"}',
     '{"ImportId":"status"}', '{"ImportId":"progress"}', '{"ImportId":"duration"}', '{"ImportId":"finished"}',
     '{"ImportId":"recordedDate","timeZone":"America/New_York"}', '{"ImportId":"_recordId"}',
     '{"ImportId":"distributionChannel"}', '{"ImportId":"userLanguage"}', '{"ImportId":"QID3"}',
     '{"ImportId":"QID8"}', '{"ImportId":"QID9"}'],
]


def test_qualtrics_choice_text_joined_with_commas_and_labels_holding_separators():
    answers = [("Female", "Search,Social media", "Moderate; middle of the road"),
               ("Male", "Social media", "Large, growing"),
               ("Female", "Search,Email", "Moderate; middle of the road"),
               ("Male", "Email", "Large, growing"),
               ("Female", "Search", "Small"),
               ("Male", "Search,Social media,Email", "Moderate; middle of the road")]
    rows = [["2025-07-01 11:13:44", "2025-07-01 11:14:18", "IP Address", "100", "34", "True",
             "2025-07-01 11:14:19", f"R_{i}", "anonymous", "EN", *a] for i, a in enumerate(answers)]
    buffer = io.StringIO()
    csv.writer(buffer).writerows(QUALTRICS_TUTORIAL_HEADER + rows)
    result = read_table(buffer.getvalue().encode(), file_name="qualtrics.csv")
    assert (result.report.tool, result.report.rows) == ("qualtrics", 6)
    info = {c.name: c for c in result.columns}
    assert info["Q8"].multi_separator == ","
    assert info["Q8"].question == "Which channels do you use? - Selected Choice"
    assert info["Q9"].multi_separator is None  # 'Moderate; middle of the road' / 'Large, growing' come whole
    assert info["gender"].multi_separator is None
    assert result.frame["Q9"].to_list() == [a[2] for a in answers]


# ---------------------------------------------------------------------------------------------
# Google Forms, Microsoft Forms


def test_google_forms_checkboxes_grid_and_headers():
    raw = _raw("google_forms.csv")
    result = _read("google_forms.csv")
    assert (result.report.tool, result.report.header_rows, result.report.rows) == ("google_forms", 1, 16)
    assert result.report.metadata_columns == ("Timestamp", "Email Address")
    names = result.frame.columns
    assert "Company size" in names  # trailing space trimmed
    assert ("How satisfied are you with the return on social media marketing? Choose one answer") in names
    networks = result.columns[3]
    assert networks.multi_separator == ", " and networks.option is None
    counted = {}
    for row in raw[1:]:
        for piece in filter(None, row[3].split(", ")):
            counted[piece] = counted.get(piece, 0) + 1
    split = result.frame[networks.name].str.split(", ").explode().drop_nulls().value_counts()
    assert dict(zip(split[networks.name].to_list(), split["count"].to_list())) == counted
    grid = _group(result, "Rate each channel")
    assert [(c.question, c.option) for c in grid] == [("Rate each channel", o) for o in
                                                       ("Facebook", "LinkedIn", "Instagram")]
    assert [c.multi_separator for c in result.columns[4:]] == [None] * 5


def test_microsoft_forms_workbook():
    result = _read("microsoft_forms.xlsx")
    assert (result.report.tool, result.report.rows) == ("microsoft_forms", 14)
    assert result.report.metadata_columns == ("ID", "Start time", "Completion time", "Email", "Name",
                                              "Last modified time")
    tools_used = result.columns[6]
    assert tools_used.multi_separator == ";" and tools_used.question == "Which tools does your team use for social media?"
    days = result.columns[9]
    assert days.multi_separator == ";"
    # an option holding a comma stays one option
    pieces = result.frame[days.name].str.strip_suffix(";").str.split(";").explode().drop_nulls().unique()
    assert set(pieces) <= {"Monday, 10/28: 10am-11am", "Tuesday, 10/29: 12:30pm-1:20pm", "Friday, 11/1: 9am-10am"}
    assert result.columns[7].multi_separator is None


# ---------------------------------------------------------------------------------------------
# LimeSurvey, Typeform, KoboToolbox, Wenjuanxing


def test_limesurvey_codes_export():
    raw = _raw("limesurvey_codes.csv")
    result = _read("limesurvey_codes.csv")
    assert (result.report.tool, result.report.rows, result.report.encoding) == ("limesurvey", 10, "utf-8-sig")
    assert result.frame.columns[0] == "id"
    assert set(result.report.metadata_columns) == {"id", "submitdate", "lastpage", "startlanguage", "seed",
                                                    "startdate", "datestamp", "ipaddr", "refurl", "interviewtime",
                                                    "groupTime1234", "G01Q01Time", "G01Q02Time", "G01Q03Time"}
    multi = _group(result, "G01Q02")
    assert [c.option for c in multi] == ["SQ001", "SQ002", "SQ003", "SQ004"]
    for info in multi:
        position = raw[0].index(info.name)
        assert result.frame[info.name].to_list() == [r[position] or None for r in raw[1:]]
    assert [c.name for c in _group(result, "G01Q02_other")] == ["G01Q02[other]"]


def test_limesurvey_full_text_headings():
    data = ('"Response ID","Date submitted","Last page","Start language","Seed","Which networks? [Facebook]",'
            '"Which networks? [LinkedIn]","Your size"\n'
            '"1","2024-01-01 10:00:00","2","fr","12","Yes","","Small"\n'
            '"2","2024-01-02 10:00:00","2","fr","13","Yes","Yes","N/A"\n').encode()
    result = read_table(data, file_name="results-survey123.csv")
    assert result.report.tool == "limesurvey"
    assert [(c.question_id, c.question, c.option) for c in result.columns[5:7]] == \
        [("Which networks?", "Which networks?", "Facebook"), ("Which networks?", "Which networks?", "LinkedIn")]
    assert result.frame["Your size"].to_list() == ["Small", None]


def test_typeform_options_from_repeated_headers():
    raw = _raw("typeform.csv")
    result = _read("typeform.csv")
    assert (result.report.tool, result.report.rows) == ("typeform", 9)
    channels = [c for c in result.columns if c.question == "Which channels bring you the most new customers?"]
    assert len(channels) == 4 and len({c.question_id for c in channels}) == 1
    assert [c.option for c in channels] == ["Search engines", "Social media", "Word of mouth", "Email"]
    assert all("<strong>" not in c.name for c in channels)
    for info, position in zip(channels, range(1, 5)):
        assert result.frame[info.name].to_list() == [r[position] or None for r in raw[1:]]
    assert "#" in result.report.metadata_columns and "Network ID" in result.report.metadata_columns


def test_kobo_labels_with_hxl_row():
    raw = _raw("kobo_labels_hxl.csv", sep=";")
    result = _read("kobo_labels_hxl.csv")
    assert (result.report.tool, result.report.header_rows, result.report.rows) == ("kobo", 2, 3)
    assert result.report.separator == ";"
    _header_rows_absent(result, ["#symmetry", "#segments", "#fluids"])
    symmetry = _group(result, "What kind of symmetry do you have?")
    assert [c.option for c in symmetry] == [None, "Spherical", "Radial", "Bilateral"]
    assert symmetry[0].multi_separator == " "
    assert result.frame[symmetry[1].name].to_list() == [int(r[3]) for r in raw[2:]]
    assert {"_id", "_uuid", "_submission_time", "_index", "start", "end"} <= set(result.report.metadata_columns)
    assert result.frame["Do you have body fluids that occupy intracellular space?"].to_list() == \
        [r[7] for r in raw[2:]]


def test_kobo_xml_names_with_groups():
    data = ("start;end;grp_company/size;grp_company/tools;grp_company/tools/facebook;grp_company/tools/linkedin;"
            "grp_company/satisfaction;_id;_uuid;_submission_time;_index\n"
            "2024-01-01;2024-01-01;small;facebook linkedin;1;1;3;1;a;2024-01-01T10:00:00;1\n"
            "2024-01-02;2024-01-02;large;linkedin;0;1;n/a;2;b;2024-01-02T10:00:00;2\n").encode()
    result = read_table(data, file_name="kobo.csv")
    assert result.report.tool == "kobo"
    tools_ = _group(result, "grp_company/tools")
    assert [(c.question, c.option) for c in tools_] == [("tools", None), ("tools", "facebook"), ("tools", "linkedin")]
    size = _group(result, "grp_company/size")[0]
    assert size.question == "size"
    assert result.frame["grp_company/satisfaction"].to_list() == [3, None]  # 'n/a' is missing, the rest numbers


def test_kobo_option_columns_without_their_joined_column_and_repeats():
    raw = _raw("kobo_repeats_split_select_multiple.csv")
    result = _read("kobo_repeats_split_select_multiple.csv")
    assert (result.report.tool, result.report.rows) == ("kobo", len(raw) - 1)
    browsers = _group(result, "web_browsers")
    assert [c.name for c in browsers] == [n for n in raw[0] if n.startswith("web_browsers/")]
    assert [(c.question, c.option) for c in browsers] == [("web_browsers", n.split("/")[1]) for n in raw[0][13:17]]
    assert all(c.missing == ("n/a",) for c in browsers)
    # a repeat's copies of one question stay apart; its columns are questions, not options
    names = [c for c in result.columns if c.name.endswith("/childs_name")]
    assert [(c.question_id, c.question, c.option) for c in names] == [
        ("children[1]/childs_name", "childs_name [1]", None), ("children[2]/childs_name", "childs_name [2]", None)]
    assert result.frame["children[2]/childs_name"].to_list() == [r[7] for r in raw[1:]]


def test_wenjuanxing_by_number_in_gbk():
    raw = _raw("wenjuanxing_by_number.csv", encoding="gb18030")
    result = _read("wenjuanxing_by_number.csv")
    assert (result.report.tool, result.report.encoding, result.report.rows) == ("wenjuanxing", "gb18030", 11)
    assert result.report.metadata_columns == tuple(raw[0][:6])
    platforms = _group(result, "2")
    assert [c.option for c in platforms] == ["微信", "微博", "抖音", "小红书"]
    for info, position in zip(platforms, range(7, 11)):
        assert result.frame[info.name].to_list() == [int(r[position]) for r in raw[1:]]
    size = _group(result, "1")[0]
    assert size.question == "您的公司规模："
    comments = _group(result, "4")[0]
    assert result.frame[comments.name].null_count() == sum(r[12] == "(空)" for r in raw[1:]) == 10
    assert comments.missing == ("(空)",)
    again = read_table(raw and (FIXTURES / "wenjuanxing_by_number.csv").read_bytes().decode("gb18030").encode("utf-8"),
                       file_name="wjx.csv")
    assert again.frame.equals(result.frame)


# ---------------------------------------------------------------------------------------------
# REDCap


def test_redcap_raw_export_checkboxes_are_one_question_each():
    raw = _raw("redcap_raw.csv")
    result = _read("redcap_raw.csv")
    assert (result.report.tool, result.report.header_rows, result.report.rows) == ("redcap", 1, len(raw) - 1)
    header = raw[0]
    assert result.report.metadata_columns == tuple(
        c for c in header if c == header[0] or c.startswith("redcap_") or c == "email"
        or c.endswith(("_timestamp", "_complete")))
    for field in ("channels", "tools"):
        group = _group(result, field)
        positions = [i for i, c in enumerate(header) if c.startswith(field + "___")]
        assert [c.option for c in group] == [header[i].split("___")[1] for i in positions]
        for info, position in zip(group, positions):
            assert result.frame[info.name].to_list() == [int(r[position]) for r in raw[1:]]
    # a field whose name starts like a checkbox's is its own question
    assert [(c.question_id, c.option) for c in _group(result, "channels_other")] == [("channels_other", None)]


def test_redcap_labels_export_options_are_the_choice_texts():
    raw = _raw("redcap_labels.csv")
    result = _read("redcap_labels.csv")
    assert (result.report.tool, result.report.rows) == ("redcap", len(raw) - 1)
    assert {"Record ID", "Data Access Group", "Survey Identifier", "Survey Timestamp", "E-mail",
            "Complete?"} <= set(result.report.metadata_columns)
    assert len(result.report.metadata_columns) == 8  # the second instrument's timestamp and status too
    header = raw[0]
    channels = _group(result, "Which channels bring you new customers?")
    positions = [i for i, c in enumerate(header) if c.startswith("Which channels bring you new customers? (choice=")]
    assert [c.option for c in channels] == [header[i].split("(choice=")[1][:-1] for i in positions]
    assert {c.question for c in channels} == {"Which channels bring you new customers?"}
    for info, position in zip(channels, positions):
        assert result.frame[info.name].to_list() == [r[position] for r in raw[1:]]
    # REDCap writes two spaces before '(choice=': the question text has none left over
    assert [c.option for c in _group(result, "Which tools do you use?")] == ["Facebook", "LinkedIn", "Instagram"]


def test_redcap_labels_repeated_across_checkbox_fields_stay_separate_questions():
    header = read_header([["Record ID", "Other (choice=A)", "Other (choice=B)", "Size", "Other (choice=A)",
                           " (choice=X)", " (choice=Y)", "Complete?"],
                          ["1", "Checked", "Unchecked", "3", "Checked", "Checked", "Unchecked", "Complete"]])
    assert header.tool == "redcap"
    assert header.question_ids == (None, "Other", "Other", "Size", "Other (2)", "(choice=X)", "(choice=X)", None)
    assert header.options == (None, "A", "B", None, "A", "X", "Y", None)


@pytest.mark.parametrize("data", [
    b"task,task_complete,score\n1,2,3\n2,0,4\n3,1,5\n",         # a status-like column beside its namesake
    b"id,task_complete,q___1,q___2\n1,yes,1,0\n2,no,0,1\n",     # its cells are not REDCap's statuses
    b"Name,Complete?,Score\nAnn,Complete,3\nBob,Incomplete,4\n",  # the labels' status column alone
])
def test_a_column_named_like_a_redcap_status_alone_is_not_redcap(data):
    result = read_table(data, file_name="tasks.csv")
    assert (result.report.tool, result.report.metadata_columns) == (None, ())


# ---------------------------------------------------------------------------------------------
# What is not a tool export stays as it was


def test_plain_tables_get_no_tool_and_keep_their_columns(tmp_path):
    data = b"segment,share,Which tools? [Facebook],Which tools? [LinkedIn],Revenue [EUR]\nconvinced,7.75,1,0,10\n" \
           b"dissatisfied,21,0,1,12\n"
    result = read_table(data, file_name="panel.csv")
    assert (result.report.tool, result.report.header_rows, result.report.metadata_columns) == (None, 1, ())
    assert [(c.question_id, c.option) for c in result.columns] == [
        (None, None), (None, None), ("Which tools?", "Facebook"), ("Which tools?", "LinkedIn"), (None, None)]
    assert describe(result.report)[1].startswith("Encoding")  # no survey-tool line


def test_every_missing_code_is_nulled_in_a_tool_export():
    codes = sorted(MISSING_CODES)
    rows = "".join(f"{i},{i},,,,,,,,{code},kept\n" for i, code in enumerate(codes, start=1))
    data = ("Respondent ID,Collector ID,Start Date,End Date,IP Address,Email Address,First Name,Last Name,"
            "Custom Data 1,Your budget?,Your sector?\n,,,,,,,,,Response,Response\n" + rows).encode()
    result = read_table(data, file_name="sm.csv")
    assert result.frame["Your budget?"].null_count() == len(codes)
    assert result.columns[9].missing == tuple(codes)
    assert result.report.missing_cells == (("Your budget?", len(codes)),)


# ---------------------------------------------------------------------------------------------
# SPSS, Stata, SAS


def _panel() -> tuple[pl.DataFrame, dict[str, str], dict[str, dict]]:
    frame = pl.DataFrame({
        "size": [1.0, 2.0, 3.0, 1.0, 2.0, 9.0, 3.0, 1.0],
        "t_fb": [1.0, 0.0, 1.0, 1.0, 0.0, 1.0, 0.0, 1.0],
        "t_li": [0.0, 1.0, 1.0, 0.0, 0.0, 1.0, 1.0, 1.0],
        "score": [7.0, 5.0, 99.0, 8.0, 6.0, 4.0, 9.0, 10.0],
        "wt": [1.5, 0.5, 1.0, 1.25, 0.75, 1.0, 2.0, 1.0],
        "city": ["Paris", "Lyon", "", "Lille", "Paris", "Nice", "Lyon", "Paris"],
    })
    labels = {"size": "How many people work in your company?", "t_fb": "Facebook", "t_li": "LinkedIn",
              "score": "How likely are you to recommend us (0-10)?", "wt": "Survey weight", "city": "City"}
    value_labels = {"size": {1: "1-9", 2: "10-249", 3: "250+", 9: "Refused"},
                    "t_fb": {0: "Not selected", 1: "Selected"}, "t_li": {0: "Not selected", 1: "Selected"},
                    "score": {0: "Not at all likely", 10: "Extremely likely"}}
    return frame, labels, value_labels


@pytest.mark.parametrize("suffix", [".sav", ".zsav"])
def test_spss_file_with_labels_weight_missing_and_multiple_response_set(tmp_path, suffix):
    from tests.survey_files import spss_file

    frame, labels, value_labels = _panel()
    path = tmp_path / f"panel{suffix}"
    spss_file(path, frame, labels=labels, value_labels=value_labels,
              missing_ranges={"size": [9], "score": [{"lo": 98, "hi": 99}]}, weight="wt",
              dichotomies=[("tools", "Which networks do you use?", 1, ["t_fb", "t_li"])],
              compress=suffix == ".zsav")
    result = read_table(path)
    report = result.report
    assert (report.tool, report.format, report.rows, report.declared_weight) == ("spss", "spss", 8, "wt")
    assert report.multi_sets == (MultiSet("$tools", "Which networks do you use?", ("t_fb", "t_li"), "Selected"),)
    info = {c.name: c for c in result.columns}
    assert info["size"].question == "How many people work in your company?"
    assert info["size"].value_labels == (("1", "1-9"), ("2", "10-249"), ("3", "250+"), ("9", "Refused"))
    assert result.frame["size"].to_list() == ["1-9", "10-249", "250+", "1-9", "10-249", None, "250+", "1-9"]
    assert info["size"].missing == ("9",)
    assert result.frame["score"].to_list() == [7, 5, None, 8, 6, 4, 9, 10]  # codes kept: only 0 and 10 labelled
    assert info["score"].value_labels == () and info["score"].missing == ("99",)
    assert dict(report.missing_cells) == {"size": 1, "score": 1}
    assert [(info[c].question_id, info[c].question, info[c].option) for c in ("t_fb", "t_li")] == \
        [("$tools", "Which networks do you use?", "Facebook"), ("$tools", "Which networks do you use?", "LinkedIn")]
    assert result.frame["t_li"].to_list() == ["Not selected", "Selected", "Selected", "Not selected",
                                              "Not selected", "Selected", "Selected", "Selected"]
    assert result.frame["wt"].to_list() == frame["wt"].to_list()
    assert result.frame["city"][2] is None
    assert describe(report)[1] == "SPSS file, 8 respondents, weight 'wt' declared."


def test_stata_file_with_labels_and_svyset_weight(tmp_path):
    from tests.survey_files import stata_file

    frame, labels, value_labels = _panel()
    path = tmp_path / "panel.dta"
    stata_file(path, frame, labels=labels, value_labels={"size": value_labels["size"]}, svy_weight="wt")
    result = read_table(path)
    assert (result.report.tool, result.report.rows, result.report.declared_weight) == ("stata", 8, "wt")
    assert result.frame["size"].to_list() == ["1-9", "10-249", "250+", "1-9", "10-249", "Refused", "250+", "1-9"]
    assert result.columns[0].question == "How many people work in your company?"
    plain = tmp_path / "plain.dta"
    stata_file(plain, frame, labels=labels, value_labels={})
    assert read_table(plain).report.declared_weight is None


def test_sas_transport_file_labels_as_questions(tmp_path):
    import pyreadstat

    frame, labels, _ = _panel()
    path = tmp_path / "panel.xpt"
    pyreadstat.write_xport(frame.drop("city"), path, column_labels=[labels[c] for c in frame.columns if c != "city"])
    result = read_table(path)
    assert (result.report.tool, result.report.rows, result.report.declared_weight) == ("sas", 8, None)
    assert result.columns[0].question == "How many people work in your company?"
    assert result.frame["score"].to_list() == [7, 5, 99, 8, 6, 4, 9, 10]


def test_spss_sizes_are_checked_from_the_header_before_reading(tmp_path, monkeypatch):
    from tests.survey_files import spss_file

    frame, labels, value_labels = _panel()
    path = tmp_path / "panel.sav"
    data = spss_file(path, frame, labels=labels, value_labels=value_labels)
    import pyreadstat

    monkeypatch.setattr(pyreadstat, "read_sav", lambda *a, **k: (_ for _ in ()).throw(AssertionError("parsed")))
    with pytest.raises(InputError, match=r"^'panel.sav' holds 8 cases, above the 5 row limit; keep fewer cases\.$"):
        read_table(data, file_name="panel.sav", limits=Limits(max_rows=5))


def test_a_damaged_statistics_file_is_refused_in_one_sentence():
    with pytest.raises(InputError) as caught:
        read_table(b"$FL2" + b"\0" * 300, file_name="broken.sav")
    assert str(caught.value) == ("'broken.sav' cannot be read as an SPSS file (it may be damaged, or of another "
                                 "kind); save it again from the program that made it and retry.")


# ---------------------------------------------------------------------------------------------
# The report survives the workspace (saved as JSON, restored)


def test_report_and_columns_round_trip_through_json(tmp_path):
    from digistrat import serial
    from tests.survey_files import spss_file

    frame, labels, value_labels = _panel()
    path = tmp_path / "panel.sav"
    spss_file(path, frame, labels=labels, value_labels=value_labels, weight="wt",
              dichotomies=[("tools", "Which networks do you use?", 1, ["t_fb", "t_li"])])
    for result in (read_table(path), _read("surveymonkey_condensed_anc.csv")):
        for value, hint in ((result.report, ReadReport), (result.columns, tuple[ColumnInfo, ...])):
            saved = json.loads(json.dumps(serial.to_json(value)))
            assert serial.from_json(hint, saved) == value


def test_read_header_needs_only_the_first_records():
    header = read_header([["Respondent ID", "Q"], ["", "Response"], ["1", "yes"]])
    assert (header.tool, header.rows, header.metadata) == ("surveymonkey", 2, (True, False))
    assert isinstance(ReadReport.__dataclass_fields__["tool"].default, type(None))


REAL_EXPORTS = Path(__file__).resolve().parents[2] / "shared" / "reference" / "real-exports"


def test_analytics_exports_are_not_taken_for_survey_tools():
    for path in sorted(REAL_EXPORTS.glob("*.csv")):
        result = read_table(path)
        assert (result.report.tool, result.report.header_rows, result.report.missing_cells) == (None, 1, ()), path.name
        assert all(c.question_id is None for c in result.columns), path.name


def test_a_french_surveymonkey_export():
    data = ("ID du répondant,ID du collecteur,Date de début,Date de fin,Adresse IP,Adresse e-mail,Prénom,Nom,"
            "Données personnalisées 1,Quels réseaux utilisez-vous ?,,,Votre taille ?\n"
            ",,,,,,,,,Facebook,LinkedIn,Autre (veuillez préciser),Réponse\n"
            "1,7,01/02/2024,01/02/2024,,,,,,Facebook,,,PME\n"
            "2,7,01/02/2024,01/02/2024,,,,,,,LinkedIn,TikTok,ETI\n").encode()
    result = read_table(data, file_name="sondage.csv")
    assert (result.report.tool, result.report.header_rows, result.report.rows) == ("surveymonkey", 2, 2)
    assert len(result.report.metadata_columns) == 9
    assert [(c.question_id, c.option) for c in result.columns[9:]] == [
        ("Q1", "Facebook"), ("Q1", "LinkedIn"), ("Q1_other", None), ("Q2", None)]


def test_a_qualtrics_export_whose_importid_row_was_deleted():
    data = ("StartDate,EndDate,Duration (in seconds),ResponseId,Q1,Q2_1,Q2_2\n"
            "Start Date,End Date,Duration (in seconds),Response ID,Your size?,Tools - Facebook,Tools - LinkedIn\n"
            "2024-01-01,2024-01-01,30,R_1,Small,1,\n2024-01-02,2024-01-02,40,R_2,Large,,1\n").encode()
    result = read_table(data, file_name="q.csv")
    assert (result.report.tool, result.report.header_rows, result.report.rows) == ("qualtrics", 2, 2)
    assert result.report.metadata_columns == ("StartDate", "EndDate", "Duration (in seconds)", "ResponseId")
    assert [(c.question_id, c.question, c.option) for c in result.columns[5:]] == [
        ("Q2", "Tools", "Facebook"), ("Q2", "Tools", "LinkedIn")]


def test_a_log_starting_with_a_timestamp_is_not_a_google_form():
    data = b"timestamp,source,medium,referrer\n2024-01-01T10:00:00,google,organic,-\n2024-01-01T10:01:00,(direct),(none),-\n"
    result = read_table(data, file_name="sessions.csv")
    assert result.report.tool is None
    assert result.frame["referrer"].to_list() == ["-", "-"]  # not a survey: '-' stays what the log wrote


def test_surveymonkey_second_row_is_found_without_the_metadata_columns():
    raw = _raw("surveymonkey_condensed_select_all.csv")
    trimmed = [row[9:] for row in raw]  # the user deleted Respondent ID … Custom Data 1
    buffer = io.StringIO()
    csv.writer(buffer).writerows(trimmed)
    result = read_table(buffer.getvalue().encode(), file_name="trimmed.csv")
    assert (result.report.tool, result.report.header_rows, result.report.rows) == ("surveymonkey", 2, 12)
    _header_rows_absent(result, ["Response", "Open-Ended Response"])


from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

CELLS = st.one_of(st.sampled_from(["", "Response", "Open-Ended Response", "Respondent ID", "Timestamp", "#",
                                   "_uuid", "_id", '{"ImportId":"QID1_2"}', "Q1[SQ001]", "Q [Row]", "8、(微信)",
                                   "序号", "提交答卷时间", "N/A", "a/b", "a/b/c", "ID", "Start time",
                                   "Completion time", "Submit Date (UTC)", "V1", "ResponseID"]),
                  st.text(max_size=12))


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(CELLS, min_size=1, max_size=8), min_size=1, max_size=4))
def test_read_header_takes_any_records(records):
    header = read_header(records)
    width = len(records[0])
    assert header.rows in (1, 2, 3) and header.rows <= max(len(records), 1) + 2
    for field in (header.names, header.question_ids, header.questions, header.options, header.metadata):
        assert len(field) == width
    assert all(not (meta and qid) for meta, qid in zip(header.metadata, header.question_ids))


def test_a_compressed_spss_file_is_measured_from_its_zlib_trailer(tmp_path, monkeypatch):
    import pyreadstat

    path = tmp_path / "big.zsav"
    pyreadstat.write_sav(pl.DataFrame({"a": list(range(50_000)), "b": [1.5] * 50_000}), path, compress=True)
    data = path.read_bytes()
    assert len(data) < 100_000
    monkeypatch.setattr(pyreadstat, "read_sav", lambda *a, **k: (_ for _ in ()).throw(AssertionError("parsed")))
    with pytest.raises(InputError) as caught:
        read_table(data, file_name="big.zsav", limits=Limits(max_unpacked_bytes=1024 * 1024))
    message = str(caught.value)
    assert message.startswith("'big.zsav' expands to 1.1 MB (0.1 MB as uploaded), above the 1.0 MB limit")

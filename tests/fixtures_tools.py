"""Survey-tool exports with a segment question, in the layouts the tools write (the same
layouts as the committed fixtures of tests/fixtures/, see its README): SurveyMonkey's two
header rows with one column per "select all" option, Google Forms' checkbox answers joined with
", ". Built from seeded answers, so a test can count the rows itself."""

from __future__ import annotations

import csv
import io
import random

SEGMENT_QUESTION = "Which sentence best describes how your company sees the return of social media marketing?"
CHANNEL_QUESTION = "Which channels bring visits to your website? (select all that apply)"
SIZE_QUESTION = "How many people work in your company?"
SEGMENT_ANSWERS = ("Newcomers", "Convinced", "Adapters", "Dissatisfied", "Wait-and-see")
SEGMENT_WEIGHTS = (6, 8, 10, 21, 55)
CHANNELS = ("Search engines", "Social networks", "Newsletters", "Partner sites")
CHANNEL_ODDS = (0.7, 0.45, 0.25, 0.15)
SIZES = ("1-9", "10-49", "50-249", "250+")
SURVEYMONKEY_META = ("Respondent ID", "Collector ID", "Start Date", "End Date", "IP Address", "Email Address",
                     "First Name", "Last Name", "Custom Data 1")


def answers(respondents: int, seed: int) -> list[tuple[str, tuple[str, ...], str]]:
    """(segment, ticked channels — possibly none, size) per respondent."""
    rng = random.Random(seed)
    return [
        (rng.choices(SEGMENT_ANSWERS, SEGMENT_WEIGHTS)[0],
         tuple(c for c, odds in zip(CHANNELS, CHANNEL_ODDS) if rng.random() < odds),
         rng.choice(SIZES))
        for _ in range(respondents)
    ]


def _csv(rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(rows)
    return out.getvalue().encode("utf-8")


def surveymonkey(rows: list[tuple[str, tuple[str, ...], str]]) -> bytes:
    """SurveyMonkey "all responses", condensed: the question over its first column, blank over
    the other option columns; the second row says Response or the option's label."""
    first = [*SURVEYMONKEY_META, SEGMENT_QUESTION, CHANNEL_QUESTION, *[""] * (len(CHANNELS) - 1), SIZE_QUESTION]
    second = [""] * len(SURVEYMONKEY_META) + ["Response", *CHANNELS, "Response"]
    body = [
        [str(114_000_000_00 + i), "254371123", "06/05/2025 10:10:33 AM", "06/05/2025 10:20:05 AM", "", "", "", "", "",
         segment, *[c if c in ticked else "" for c in CHANNELS], size]
        for i, (segment, ticked, size) in enumerate(rows)
    ]
    return _csv([first, second, *body])


def google_forms(rows: list[tuple[str, tuple[str, ...], str]]) -> bytes:
    """Google Forms through Sheets: Timestamp first, checkbox answers joined with ", ", a
    header with a trailing space."""
    header = ["Timestamp", "Email Address", SEGMENT_QUESTION, CHANNEL_QUESTION + " ", SIZE_QUESTION]
    body = [
        [f"3/12/2025 {9 + i % 9}:{i % 60:02d}:00", f"user{i}@example.com", segment, ", ".join(ticked), size]
        for i, (segment, ticked, size) in enumerate(rows)
    ]
    return _csv([header, *body])


def file_rows(tool: str, data: bytes) -> list[tuple[str, list[str]]]:
    """(segment answer, ticked channels) per respondent, read from the file as the tool wrote it."""
    rows = list(csv.reader(io.StringIO(data.decode("utf-8"))))
    if tool == "surveymonkey":
        header, labels = rows[0], rows[1]
        segment = header.index(SEGMENT_QUESTION)
        first = header.index(CHANNEL_QUESTION)
        options = range(first, first + len(CHANNELS))
        assert [labels[i] for i in options] == list(CHANNELS)
        return [(r[segment], [r[i] for i in options if r[i]]) for r in rows[2:]]
    header = [h.strip() for h in rows[0]]
    segment, channels = header.index(SEGMENT_QUESTION), header.index(CHANNEL_QUESTION.strip())
    return [(r[segment], [c for c in r[channels].split(", ") if c]) for r in rows[1:]]


def expected_shares(rows: list[tuple[str, list[str]]]) -> tuple[int, dict[str, float]]:
    """Respondents who ticked at least one channel, and each channel's share of them (points)."""
    answered = [ticked for _, ticked in rows if ticked]
    return len(answered), {c: 100 * sum(c in t for t in answered) / len(answered) for c in CHANNELS}


ANSWERS = answers(300, seed=5)  # the respondents of the app and browser tests

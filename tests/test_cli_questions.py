"""`shares --by` names a question as people do; a multi-answer question counts respondents, not mentions."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]

# A Google Forms-like export: checkbox answers joined with ", ", headers with line breaks and spaces.
HEADER = ["Timestamp", "Which segment describes you best? ", "Which tools do you use?\nTick all that apply",
          "Company size"]
ANSWERS = [
    ("Convinced", "Hootsuite, Buffer", "1-9"),
    ("Dissatisfied", "Buffer", "10-49"),
    ("Wait-and-see", "", "1-9"),
    ("Wait-and-see", "Hootsuite, Sprout Social, Buffer", "50-249"),
    ("Convinced", "Sprout Social", "1-9"),
    ("Adapters", "Hootsuite", "10-49"),
]
# 18 respondents, above the smallest base the shares are shown for
ROWS = [(f"2025/03/01 10:{i:02d}:00", *ANSWERS[i % len(ANSWERS)]) for i in range(18)]


def write(tmp_path: Path) -> Path:
    lines = [",".join(f'"{h}"' for h in HEADER)] + [",".join(f'"{v}"' for v in row) for row in ROWS]
    path = tmp_path / "form.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def shares(path: Path, by: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "digistrat", "shares", str(path), "--by", by, "--json"], cwd=REPO,
                          capture_output=True, text=True, encoding="utf-8", timeout=120)


def test_a_checkbox_question_by_a_prefix_of_its_text_counts_respondents(tmp_path):
    result = shares(write(tmp_path), "which TOOLS")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["multi"] is True
    answered = [r for r in ROWS if r[2]]
    assert data["base"] == len(answered) == 15
    by_option = {row["key"]: row for row in data["rows"]}
    for option in ("Hootsuite", "Buffer", "Sprout Social"):
        chosen = sum(option in r[2].split(", ") for r in answered)
        assert by_option[option]["count"] == chosen
        assert by_option[option]["share"] == pytest.approx(100 * chosen / len(answered))
        assert by_option[option]["ci_low"] < by_option[option]["share"] < by_option[option]["ci_high"]
    # shares of respondents, not of mentions: they add up to more than 100
    assert sum(row["share"] for row in data["rows"]) > 100


def test_a_single_question_by_its_whole_text_with_spaces_and_case_changed(tmp_path):
    data = json.loads(shares(write(tmp_path), "  company SIZE ").stdout)
    assert data["multi"] is False and data["base"] == 18
    assert {r["key"]: r["count"] for r in data["rows"]} == {"1-9": 9, "10-49": 6, "50-249": 3}


def test_an_ambiguous_or_unknown_name_is_one_line_naming_the_choices(tmp_path):
    path = write(tmp_path)
    ambiguous = shares(path, "Which")
    assert ambiguous.returncode == 2 and ambiguous.stderr.count("\n") == 1
    assert "several questions" in ambiguous.stderr
    unknown = shares(path, "budget")
    assert unknown.returncode == 2 and unknown.stderr.count("\n") == 1 and "budget" in unknown.stderr

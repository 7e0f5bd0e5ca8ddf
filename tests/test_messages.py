"""The core speaks in codes: every code it uses is in the catalog, in both languages, with the same fields."""

from __future__ import annotations

import re
import string
from pathlib import Path

import pytest

from digistrat.errors import InputError
from digistrat.i18n import catalog_keys, label
from digistrat.messages import listing, message

PACKAGE = Path(__file__).resolve().parents[1] / "digistrat"
CORE = [p for p in PACKAGE.glob("*.py")]


def codes_used() -> set[str]:
    """Message codes written literally in the core: message("x.y"), _reason("y") (role.y)."""
    found = set()
    for path in CORE:
        text = path.read_text(encoding="utf-8")
        found |= {f"msg.{c}" for c in re.findall(r'\bmessage\(\s*"([a-z_.]+)"', text)}
        found |= {f"msg.role.{c}" for c in re.findall(r'\b_reason\(\s*"([a-z_]+)",', text)}
    return found


def fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(re.sub(r"\{\w+\|[^{}|]*\|[^{}|]*\}", "", text)) if name}


def test_every_code_the_core_uses_is_in_the_catalog():
    missing = sorted(codes_used() - set(catalog_keys()))
    assert not missing


@pytest.mark.parametrize("key", [k for k in catalog_keys() if k.startswith("msg.")])
def test_english_and_french_name_the_same_fields(key):
    assert fields(label(key, "en")) == fields(label(key, "fr"))


def test_plurals_follow_the_number_and_the_language():
    one = message("norm.user_excluded", rows=1)
    many = message("norm.user_excluded", rows=2_500)
    assert one.text("en") == "1 row is left out because you excluded their value."
    assert many.text("en").startswith("2,500 rows are left out")
    # French: singular for 0 and 1, the narrow no-break space between thousands
    assert message("norm.user_excluded", rows=0).text("fr").startswith("0 ligne est écartée")
    assert many.text("fr").startswith("2\u202f500 lignes sont écartées")


def test_a_list_in_a_message_is_cut_so_the_message_stays_one_line():
    columns = [f"column {i}" for i in range(18)]
    text = message("input.no_such_column", column="x", columns=columns).text("en")
    assert "\n" not in text and text.count("'column ") == 4 and "…" in text
    assert listing(["a", "b"]) == "'a', 'b'"


def test_an_error_renders_in_the_reader_s_language():
    error = InputError(message("input.no_date"))
    assert str(error).startswith("This dataset has no date column")
    assert error.text("fr").startswith("Ce jeu de données n'a pas de colonne de date")

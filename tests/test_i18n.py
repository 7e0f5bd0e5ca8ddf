"""The catalog's formatters: one way each to write a figure, in French and in English."""

from __future__ import annotations

import datetime as dt

import pytest

from digistrat.i18n import (
    NONE,
    catalog_keys,
    chart_locale,
    format_date,
    format_interval,
    format_level,
    format_month,
    format_number,
    format_p,
    format_percent,
    format_period,
    format_signed,
    interval_heading,
    label,
    language_from_locale,
    p_clause,
    published_decimals,
    share_decimals,
)

NNBSP, MINUS = "\u202f", "\u2212"


@pytest.mark.parametrize(("value", "decimals", "en", "fr"), [
    (1700, 0, "1,700", f"1{NNBSP}700"),
    (1234.5, 1, "1,234.5", f"1{NNBSP}234,5"),
    (387400, 0, "387,400", f"387{NNBSP}400"),
    (1234567.891, 2, "1,234,567.89", f"1{NNBSP}234{NNBSP}567,89"),
    (-12.04, 1, f"{MINUS}12.0", f"{MINUS}12,0"),
    (-0.04, 1, "0.0", "0,0"),  # rounds to zero: no minus sign on a zero
    (0.125, 2, "0.13", "0,13"),  # half away from zero, as a spreadsheet rounds
    (None, 0, NONE, NONE),
    (float("nan"), 1, NONE, NONE),
])
def test_numbers_have_the_languages_marks_and_one_minus_sign(value, decimals, en, fr):
    assert format_number(value, "en", decimals) == en
    assert format_number(value, "fr", decimals) == fr


def test_percentages_have_fixed_decimals_and_the_languages_spacing():
    assert format_percent(54.75, "en", 1) == "54.8%"  # 54.75 is exact in binary: Python alone would give 54.8 by luck
    assert format_percent(10.25, "en", 1) == "10.3%"  # where round-half-even would say 10.2
    assert format_percent(54.75, "fr", 2) == f"54,75{NNBSP}%"
    assert format_percent(6, "fr", 1) == f"6,0{NNBSP}%"
    assert format_percent(4, "en", 1) == "4.0%"
    assert format_percent(None, "fr", 1) == NONE


def test_published_shares_keep_their_own_precision():
    assert [published_decimals(v) for v in (6.0, 7.75, 10.5, 21.0, 54.75, 29.0)] == [0, 2, 1, 0, 2, 0]
    assert [format_percent(v, "fr", published_decimals(v)) for v in (6.0, 7.75, 10.5)] == [
        f"6{NNBSP}%", f"7,75{NNBSP}%", f"10,5{NNBSP}%"]


def test_a_computed_shares_decimals_follow_its_base():
    # below 100 answers an interval spans about ±10 points: a decimal would be noise
    assert [share_decimals(n) for n in (0, 12, 99.9, 100, 400, 1_000_000)] == [0, 0, 0, 1, 1, 1]
    assert share_decimals(None) == 0


def test_intervals_have_one_format_and_the_same_decimals_on_both_bounds():
    assert format_interval(4, 8.94, "en", 1) == "4.0% – 8.9%"
    assert format_interval(4, 8.94, "fr", 1) == f"4,0{NNBSP}% – 8,9{NNBSP}%"
    assert format_interval(-4.06, 2, "fr", 1, signed=True) == f"{MINUS}4,1 – +2,0"
    assert format_interval(None, 3, "en", 1) == NONE


def test_signed_differences_use_the_minus_sign_and_a_plus():
    assert format_signed(2.34, "en") == "+2.3"
    assert format_signed(-12.0, "en") == f"{MINUS}12.0"
    assert format_signed(-1.25, "fr") == f"{MINUS}1,3"
    assert format_signed(0.0, "en") == "0.0"
    assert "-" not in format_signed(-5, "en") + format_interval(-5, -1, "en", 1, signed=True)


def test_p_values_as_cells_and_in_sentences():
    assert format_p(0.0304, "en") == "0.030" and format_p(0.0304, "fr") == "0,030"
    assert format_p(0.0004, "en") == "< 0.001" and format_p(0.0004, "fr") == "< 0,001"
    assert p_clause(0.0304, "en") == "p = 0.030"
    assert p_clause(0.00001, "fr") == "p < 0,001"
    assert p_clause(1.0, "en") == "p = 1.000"


def test_the_interval_wording_is_one_and_follows_the_level():
    assert interval_heading(0.95, "en") == "95% interval"
    assert interval_heading(0.95, "fr") == f"Intervalle à 95{NNBSP}%"
    assert interval_heading(0.9, "en") == "90% interval"
    assert format_level(0.99, "fr") == f"99{NNBSP}%"
    # no other catalog text writes a level of its own
    assert not [k for k in catalog_keys() if "95 % interval" in label(k, "en") or "95% interval" in label(k, "en")]
    assert not [k for k in catalog_keys() if "à 95" in label(k, "fr")]


def test_dates_are_day_first_with_the_languages_month_names():
    day = dt.date(2026, 2, 4)
    assert format_date(day, "en") == "4 Feb 2026"
    assert format_date(day, "fr") == "4 févr. 2026"
    assert format_month(dt.date(2026, 8, 1), "fr") == "août 2026"
    assert format_month(dt.date(2026, 8, 1), "en") == "August 2026"
    assert format_period(dt.date(2026, 1, 5), dt.date(2026, 1, 31), "fr") == "5 janv. 2026 – 31 janv. 2026"


def test_chart_locales_write_numbers_and_months_as_the_text_does():
    fr = chart_locale("fr")
    assert fr["number"]["decimal"] == "," and fr["number"]["thousands"] == NNBSP and fr["number"]["minus"] == MINUS
    assert fr["time"]["months"][0] == "janvier" and fr["time"]["shortMonths"][1] == "févr."
    assert chart_locale("en")["number"]["decimal"] == "."


def test_labels_exist_in_both_languages_and_fill_fields():
    assert label("bucket.search", "fr") == "Moteurs de recherche"
    assert label("bucket.search", "en") == "Search engines"
    assert label("filters.count", "en", n="3", total="4") == "n = 3 of 4 respondents"


def test_browser_locale_picks_the_language():
    assert language_from_locale("fr-CA") == "fr"
    assert language_from_locale("en-GB") == "en"
    assert language_from_locale("de-DE") == "en"
    assert language_from_locale(None) == "en"

"""Segment and device vocabularies, and what normalise keeps, maps, reports and leaves out."""

from __future__ import annotations

import math

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import digistrat.normalise as normalise_module
from digistrat.errors import InputError
from digistrat.normalise import device_key, normalise, segment_key

# Spellings a panel export may use, typed from the article's French labels, the English
# labels of FACTS.md and the usual variants (case, accents, articles, number, gender).
SEGMENT_SPELLINGS = [
    ("Les nouvelles venues", "newcomers"),
    ("nouvelle venue", "newcomers"),
    ("Nouveaux venus", "newcomers"),
    ("nouveau venu", "newcomers"),
    ("NOUVELLES VENUES", "newcomers"),
    ("Newcomers", "newcomers"),
    ("newcomer", "newcomers"),
    ("New comers", "newcomers"),
    ("1 - Newcomers", "newcomers"),
    ("Les convaincues", "convinced"),
    ("convaincu", "convinced"),
    ("Convaincus", "convinced"),
    ("convaincu(e)(s)", "convinced"),
    ("convaincu·e·s", "convinced"),
    ("The convinced", "convinced"),
    ("Convinced", "convinced"),
    ("Les tenants de l'adaptation", "adapters"),
    ("Tenants de l’adaptation", "adapters"),
    ("tenant de l'adaptation", "adapters"),
    ("Adaptation", "adapters"),
    ("adapter", "adapters"),
    ("Adapters", "adapters"),
    ("Les insatisfaits", "dissatisfied"),
    ("insatisfait", "dissatisfied"),
    ("Insatisfaites", "dissatisfied"),
    ("insatisfait(e)s", "dissatisfied"),
    ("Dissatisfied", "dissatisfied"),
    ("the dissatisfied", "dissatisfied"),
    ("unsatisfied", "dissatisfied"),
    ("Les attentistes", "wait_and_see"),
    ("attentiste", "wait_and_see"),
    ("ATTENTISTES", "wait_and_see"),
    ("Wait-and-see", "wait_and_see"),
    ("the wait-and-see", "wait_and_see"),
    ("Wait & see", "wait_and_see"),
    ("wait and see", "wait_and_see"),
    ("wait_and_see", "wait_and_see"),
    ("  Wait and See  ", "wait_and_see"),
    ("waitandsee", "wait_and_see"),
    ("Segment : Les attentistes", "wait_and_see"),
]

NOT_SEGMENTS = ["", "   ", "3", "Autre", "not satisfied", "non satisfaits", "satisfaits", "xyz"]

DEVICE_SPELLINGS = [
    ("desktop", "desktop"),
    ("Desktop", "desktop"),
    ("Ordinateur", "desktop"),
    ("ordinateur de bureau", "desktop"),
    ("Computer", "desktop"),
    ("PC", "desktop"),
    ("laptop", "desktop"),
    ("mobile", "mobile"),
    ("Smartphone", "mobile"),
    ("Téléphone", "mobile"),
    ("telephone mobile", "mobile"),
    ("Mobile phone", "mobile"),
    ("phone", "mobile"),
    ("tablet", "tablet"),
    ("Tablette", "tablet"),
    ("iPad", "tablet"),
    ("Tablettes", "tablet"),
    ("smart tv", "other"),
    ("Smart TV", "other"),
    ("Console", "other"),
    ("Autre", "other"),
    ("other", "other"),
]

NOT_DEVICES = ["", "(not set)", "portable", "grille-pain", "42"]


@pytest.mark.parametrize(("text", "key"), SEGMENT_SPELLINGS)
def test_segment_spellings_map_to_their_key(text: str, key: str) -> None:
    assert segment_key(text) == key


@pytest.mark.parametrize("text", NOT_SEGMENTS)
def test_segment_key_leaves_unknown_and_ambiguous_labels_unmapped(text: str) -> None:
    assert segment_key(text) is None


def test_segment_key_of_none_is_none() -> None:
    assert segment_key(None) is None
    assert device_key(None) is None


@pytest.mark.parametrize(("text", "key"), DEVICE_SPELLINGS)
def test_device_spellings_map_to_their_key(text: str, key: str) -> None:
    assert device_key(text) == key


@pytest.mark.parametrize("text", NOT_DEVICES)
def test_device_key_leaves_gibberish_and_ambiguous_labels_unmapped(text: str) -> None:
    assert device_key(text) is None


def survey_guess(**roles: str) -> dict[str, str]:
    """normalise's column arguments for these roles (column=role)."""
    return {role: column for column, role in roles.items() if role in ("segment", "device", "weight")}


def check_balance(report) -> None:
    assert report.rows_read == report.rows_used + sum(report.left_out.values())


# 10 rows: 3 attentistes, 2 convaincues, 1 null, 1 blank, 2 "Les sceptiques", 1 "Autre"
SEGMENT_VALUES = [
    "Les attentistes", "attentiste", "Wait & see", "Les convaincues", "convaincu",
    None, "  ", "Les sceptiques", "Les sceptiques", "Autre",
]


def test_unmapped_values_are_listed_with_row_counts_and_left_out() -> None:
    frame = pl.DataFrame({"Segment": SEGMENT_VALUES, "Secteur": ["x"] * 10})
    data, report = normalise(frame, **survey_guess(Segment="segment", Secteur="dimension"))

    assert report.rows_read == 10
    assert report.rows_used == 5
    assert report.left_out == {"no_segment": 2, "unmapped_segment": 3}
    check_balance(report)
    (unmapped,) = report.unmapped
    assert unmapped.column == "Segment"
    assert unmapped.values.rows() == [("Les sceptiques", 2), ("Autre", 1)]
    assert data["segment"].to_list() == ["wait_and_see"] * 3 + ["convinced"] * 2
    assert data["Segment"].to_list() == SEGMENT_VALUES[:5]
    assert any("no segment" in note for note in map(str, report.notes))


def test_segment_column_is_an_enum_of_the_five_keys_in_the_article_order() -> None:
    frame = pl.DataFrame({"Segment": ["Les insatisfaits", "Newcomers"]})
    data, _ = normalise(frame, **survey_guess(Segment="segment"))
    assert data.schema["segment"] == pl.Enum(
        ["newcomers", "convinced", "adapters", "dissatisfied", "wait_and_see"]
    )


def test_user_mappings_apply_to_unmapped_values_and_exclusions_are_counted() -> None:
    frame = pl.DataFrame({"Segment": SEGMENT_VALUES})
    data, report = normalise(frame, **survey_guess(Segment="segment"),
        mappings={"Segment": {"Les sceptiques": "dissatisfied", "Autre": "exclude"}},
    )
    assert report.rows_used == 7
    assert report.left_out == {"no_segment": 2, "user_excluded": 1}
    assert report.unmapped == ()
    check_balance(report)
    assert data["segment"].to_list().count("dissatisfied") == 2


def test_a_user_mapping_overrides_the_vocabulary() -> None:
    frame = pl.DataFrame({"Segment": ["Adaptation", "Adaptation", "Les attentistes"]})
    data, _ = normalise(frame, **survey_guess(Segment="segment"), mappings={"Segment": {"Adaptation": "convinced"}}
    )
    assert data["segment"].to_list() == ["convinced", "convinced", "wait_and_see"]


def test_numeric_segment_codes_are_unmapped_until_the_user_maps_them() -> None:
    frame = pl.DataFrame({"Groupe": [1, 2, 2, 5]})
    _, report = normalise(frame, **survey_guess(Groupe="segment"))
    assert report.left_out == {"unmapped_segment": 4}
    assert sorted(report.unmapped[0].values.rows()) == [("1", 1), ("2", 2), ("5", 1)]
    data, report = normalise(frame, **survey_guess(Groupe="segment"),
        mappings={"Groupe": {"1": "newcomers", "2": "adapters", "5": "wait_and_see"}},
    )
    assert data["segment"].to_list() == ["newcomers", "adapters", "adapters", "wait_and_see"]
    assert report.rows_used == 4


def test_a_mapping_to_an_unknown_key_is_refused_with_the_column_and_value() -> None:
    frame = pl.DataFrame({"Segment": ["Autre"]})
    with pytest.raises(InputError, match="'Autre'.*'Segment'"):
        normalise(frame, **survey_guess(Segment="segment"), mappings={"Segment": {"Autre": "happy"}})


def test_a_mapping_for_a_column_without_vocabulary_is_refused() -> None:
    frame = pl.DataFrame({"Segment": ["Autre"], "Secteur": ["x"]})
    with pytest.raises(InputError, match="Secteur"):
        normalise(frame, **survey_guess(Segment="segment", Secteur="dimension"),
            mappings={"Secteur": {"x": "exclude"}},
        )


WEIGHTS = [1.2, 0.0, -1.0, None, math.nan, math.inf, 0.8]  # rows 2..6 are bad


def test_bad_weights_are_reported_with_data_row_numbers_and_file_lines() -> None:
    frame = pl.DataFrame({"Segment": ["Les attentistes"] * 7, "Poids": WEIGHTS})
    data, report = normalise(frame, **survey_guess(Segment="segment", Poids="weight"), line_offset=lambda: 1)
    assert report.bad_weight_rows == (2, 3, 4, 5, 6)
    assert report.bad_weight_lines == (3, 4, 5, 6, 7)
    assert report.left_out == {"bad_weight": 5}
    assert data["weight"].to_list() == [1.2, 0.8]
    assert data.schema["weight"] == pl.Float64
    check_balance(report)


def test_the_unweighted_rule_keeps_every_row_and_adds_no_weight() -> None:
    frame = pl.DataFrame({"Segment": ["Les attentistes"] * 7, "Poids": WEIGHTS})
    data, report = normalise(frame, **survey_guess(Segment="segment", Poids="weight"), weight_rule="unweighted")
    assert report.rows_used == 7
    assert report.left_out == {}
    assert report.bad_weight_rows == (2, 3, 4, 5, 6)
    assert report.bad_weight_lines == ()
    # no canonical weight: nothing downstream can weight some rows and count others
    assert "weight" not in data.columns and data["Poids"].len() == 7
    assert any("every row is kept" in note for note in map(str, report.notes))


def test_text_weights_with_decimal_commas_are_read_and_words_are_bad() -> None:
    frame = pl.DataFrame({"Segment": ["attentiste"] * 4, "Poids": ["1,5", "0.5", "n/a", ""]})
    data, report = normalise(frame, **survey_guess(Segment="segment", Poids="weight"))
    assert data["weight"].to_list() == [1.5, 0.5]
    assert report.bad_weight_rows == (3, 4)


def test_a_row_left_out_for_two_reasons_is_counted_once() -> None:
    frame = pl.DataFrame({"Segment": [None, "attentiste", "attentiste"], "w": [0.0, 1.0, -2.0]})
    _, report = normalise(frame, **survey_guess(Segment="segment", w="weight"))
    assert report.left_out == {"no_segment": 1, "bad_weight": 1}
    assert report.bad_weight_rows == (1, 3)
    check_balance(report)


def test_reported_bad_rows_stop_at_one_thousand_but_all_are_counted() -> None:
    frame = pl.DataFrame({"Segment": ["attentiste"] * 1500, "w": [0.0] * 1500})
    _, report = normalise(frame, **survey_guess(Segment="segment", w="weight"))
    assert len(report.bad_weight_rows) == 1000
    assert report.bad_weight_rows[-1] == 1000
    assert report.left_out == {"bad_weight": 1500}


def test_original_columns_named_like_canonical_ones_are_kept_under_another_name() -> None:
    frame = pl.DataFrame(
        {"segment": ["Les attentistes", "Newcomers"], "weight": [2.0, 0.5], "device": ["PC", "iPad"]}
    )
    guess = survey_guess(segment="segment", weight="weight", device="device")
    data, _ = normalise(frame, **guess)
    assert set(data.columns) == {
        "segment", "weight", "device", "segment_original", "weight_original", "device_original",
    }
    assert data["segment_original"].to_list() == ["Les attentistes", "Newcomers"]
    assert data["segment"].to_list() == ["wait_and_see", "newcomers"]
    assert data["device"].to_list() == ["desktop", "tablet"]


def test_unmapped_devices_stay_with_an_empty_device_unless_excluded() -> None:
    frame = pl.DataFrame({"Appareil": ["Ordinateur", "mobile", "(not set)", "Smart TV", "(not set)"]})
    guess = {"device": "Appareil"}
    data, report = normalise(frame, **guess)
    assert data["device"].to_list() == ["desktop", "mobile", None, "other", None]
    assert data.schema["device"] == pl.Enum(["desktop", "mobile", "tablet", "other"])
    assert report.unmapped[0].values.rows() == [("(not set)", 2)]
    assert report.rows_used == 5
    assert "segment" not in data.columns

    data, report = normalise(frame, **guess, mappings={"Appareil": {"(not set)": "exclude"}})
    assert report.rows_used == 3
    assert report.left_out == {"user_excluded": 2}
    check_balance(report)


def test_a_lazy_frame_gives_the_same_result_as_a_data_frame() -> None:
    frame = pl.DataFrame({"Segment": SEGMENT_VALUES})
    eager, eager_report = normalise(frame, **survey_guess(Segment="segment"))
    lazy, lazy_report = normalise(frame.lazy(), **survey_guess(Segment="segment"))
    assert eager.equals(lazy)
    assert eager_report.left_out == lazy_report.left_out


def test_labels_are_mapped_once_per_distinct_value(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []

    def counting_segment_key(text: str | None) -> str | None:
        calls.append(text)
        return segment_key(text)

    monkeypatch.setattr(normalise_module, "segment_key", counting_segment_key)
    frame = pl.DataFrame({"Segment": ["Les attentistes", "Newcomers", "Autre"] * 100_000})
    data, report = normalise(frame, **survey_guess(Segment="segment"))
    assert sorted(calls) == ["Autre", "Les attentistes", "Newcomers"]
    assert report.rows_used == 200_000


labels = st.sampled_from(["Les attentistes", "newcomer", "Autre", "", None, "insatisfaits"])
weights = st.one_of(st.none(), st.floats(allow_nan=True, allow_infinity=True))


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(labels, weights), max_size=40), st.booleans())
def test_rows_read_always_equal_rows_used_plus_rows_left_out(rows, exclude: bool) -> None:
    frame = pl.DataFrame(
        {"Segment": [r[0] for r in rows], "Poids": [r[1] for r in rows]},
        schema={"Segment": pl.String, "Poids": pl.Float64},
    )
    data, report = normalise(frame, **survey_guess(Segment="segment", Poids="weight"), weight_rule="exclude" if exclude else "unweighted"
    )
    assert report.rows_read == len(rows)
    assert report.rows_used == data.height
    check_balance(report)
    unmapped_rows = sum(r[0] == "Autre" for r in rows)
    assert report.left_out.get("unmapped_segment", 0) == unmapped_rows

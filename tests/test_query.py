import polars as pl

from digistrat.query import FilterSpec
from digistrat.schema import JOINED, SINGLE, Question

FRAME = pl.DataFrame(
    {
        "size": ["1-9", "10-49", "1-9", "250+", None],
        "score": [1, 5, 9, 10, 3],
        "tools": ["Hootsuite;Radian6", "Salesforce", None, " Radian6 ; Spredfast", "Hootsuite"],
    }
)
# The questions as the schema reads them: answers trimmed, multi-answer options split on ";".
ANSWERS = {
    "size": Question("size", "Company size", SINGLE, ("size",)).answers(),
    "tools": Question("tools", "Tools", JOINED, ("tools",), separator=";").answers(),
}


def kept(spec: FilterSpec) -> list[int]:
    frame = FRAME.with_row_index()
    return frame.filter(spec.expression(ANSWERS))["index"].to_list()


def test_empty_spec_keeps_everything():
    spec = FilterSpec.build(include={"size": []})
    assert spec.is_empty and kept(spec) == [0, 1, 2, 3, 4]


def test_categorical_range_and_multi_answer_filters_combine_with_and():
    assert kept(FilterSpec.build(include={"size": ["1-9"]})) == [0, 2]
    assert kept(FilterSpec.build(ranges={"score": (5, 10)})) == [1, 2, 3]
    # option lists are split on the separator and trimmed; a missing answer matches nothing
    assert kept(FilterSpec.build(any_of={"tools": ["Radian6"]})) == [0, 3]
    assert kept(FilterSpec.build(include={"size": ["1-9", "250+"]}, ranges={"score": (2, 10)})) == [2, 3]


def test_filter_on_enum_column_compares_values():
    frame = FRAME.with_columns(pl.col("size").cast(pl.Enum(["1-9", "10-49", "250+"])))
    assert frame.filter(FilterSpec.build(include={"size": ["10-49"]}).expression()).height == 1


def test_spec_is_hashable_and_order_independent():
    a = FilterSpec.build(include={"size": ["1-9"], "tools": ["x"]})
    b = FilterSpec.build(include={"tools": ["x"], "size": ["1-9"]})
    assert a == b and hash(a) == hash(b)
    assert a.without("size") == FilterSpec.build(include={"tools": ["x"]})

"""The bundled data: published tables exactly as FACTS.md, provenance, and the one pipeline."""

import pytest

from digistrat import datasets
from digistrat.segments import SEGMENT_KEYS, SEGMENTS

# Typed from shared/seed/FACTS.md, not read from data/.
FACTS_SEGMENTS = {"newcomers": 6, "convinced": 7.75, "adapters": 10.5, "dissatisfied": 21, "wait_and_see": 54.75}
FACTS_ORIGINS = {"search": 29, "external": 40, "direct": 31}
FACTS_DEVICES = {"desktop": 58, "mobile": 32, "tablet": 10}


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        (datasets.REFERENCE_SEGMENTS, FACTS_SEGMENTS),
        (datasets.REFERENCE_ORIGINS, FACTS_ORIGINS),
        (datasets.REFERENCE_DEVICES, FACTS_DEVICES),
    ],
)
def test_published_tables_equal_facts_to_the_last_digit(name, expected):
    table = datasets.reference_shares(name)
    assert dict(table.rows()) == expected
    assert table["key"].to_list() == list(expected), "the article's order"


def test_segment_taxonomy_matches_facts_labels():
    assert SEGMENT_KEYS == tuple(FACTS_SEGMENTS)
    assert [s.label_fr for s in SEGMENTS] == [
        "Les nouvelles venues", "Les convaincues", "Les tenants de l'adaptation", "Les insatisfaits", "Les attentistes",
    ]
    assert len({s.colour for s in SEGMENTS}) == 5


def test_provenance_records_source_base_and_caveats():
    meta = datasets.provenance()["datasets"]
    segments = meta[datasets.REFERENCE_SEGMENTS]
    assert segments["published_n"] == 1700
    assert any("131.75" in c for c in segments["caveats"]["en"])
    assert any("131,75" in c for c in segments["caveats"]["fr"])
    assert meta[datasets.REFERENCE_DEVICES]["date"] == "2014-12"
    for name in (datasets.SAMPLE_PANEL, datasets.SAMPLE_SESSIONS):
        assert meta[name]["kind"] == "illustrative"
        assert "synthetic" in meta[name]["title"]["en"] and "synthétique" in meta[name]["title"]["fr"]


def test_bundled_samples_go_through_the_upload_pipeline():
    panel = datasets.load_bundled(datasets.SAMPLE_PANEL)
    assert panel.kind == "survey" and panel.illustrative
    assert panel.roles.column_for("weight") == "weight"
    assert panel.normalised.rows_read == panel.normalised.rows_used == 400
    sessions = datasets.load_bundled(datasets.SAMPLE_SESSIONS)
    assert sessions.kind == "traffic"
    assert sessions.frame["device"].value_counts().height == 3
    # same bytes, same id: what a saved upload of the same file would get
    assert panel.id == datasets.content_id((datasets.DATA_DIR / "sample_panel.csv").read_bytes())

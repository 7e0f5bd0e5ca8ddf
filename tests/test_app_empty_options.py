"""Issue 14, item 10: no multiselect of the segments page opens with nothing to choose.

Reported, not confirmed: "after filters bring n to 0, one multiselect opened with no options".
Filters that leave nobody keep every filter's options (they come from the whole file, checked
here against the CSV). The one empty multiselect found was group B of the compare tab once
group A holds every answer; it now says what to do instead, and the page stands.
"""

from __future__ import annotations

from tests.fixtures_app import LABELS, frame_with, open_page, open_tab, panel_rows, texts

CATEGORICAL = ("company_size", "sector", "country")


def csv_options() -> dict[str, list[str]]:
    rows = panel_rows()
    options = {f"f_{c}": sorted({r[c] for r in rows}) for c in CATEGORICAL}
    options["f_tools_used"] = sorted({tool.strip() for r in rows for tool in r["tools_used"].split(";") if tool.strip()})
    options["f_segment"] = sorted(LABELS.values())  # shown by their labels
    return options


def options_by_key(at) -> dict[str, list[str]]:
    return {m.key: sorted(m.options) for m in at.multiselect}


def test_filters_that_leave_nobody_keep_every_multiselects_options():
    rows = panel_rows()
    present = {(r["segment"], r["company_size"], r["sector"]) for r in rows}
    empty = next(
        (seg, size, sector) for seg in sorted(LABELS) for size in sorted({r["company_size"] for r in rows})
        for sector in sorted({r["sector"] for r in rows}) if (seg, size, sector) not in present
    )
    at = open_page("segments")
    for key, value in zip(("f_segment", "f_company_size", "f_sector"), empty):
        at.multiselect(key=key).set_value([value]).run()
    assert "n = 0 of 400" in texts(at)
    expected = csv_options()
    shown = options_by_key(at)
    assert {k: v for k, v in shown.items() if k.startswith("f_")} == expected
    assert shown["focus"] == sorted(LABELS.values())  # the focus select beside the chart
    assert all(options for options in shown.values())

    at.radio(key="cmp_mode").set_value("groups").run()
    at.selectbox(key="cmp_by").set_value("sector").run()
    assert not at.exception
    shown = options_by_key(at)
    assert shown["cmp_a"] == shown["cmp_b"] == expected["f_sector"]
    assert all(options for options in shown.values())


def test_group_a_holding_every_answer_leaves_no_empty_group_b_and_the_page_stands():
    sizes = csv_options()["f_company_size"]
    at = open_tab(open_page("segments"), "compare")
    at.radio(key="cmp_mode").set_value("groups").run()
    at.selectbox(key="cmp_by").set_value("company_size").run()
    at.multiselect(key="cmp_a").set_value(sizes).run()
    assert not at.exception and not at.error
    assert "cmp_b" not in options_by_key(at)
    assert all(options for options in options_by_key(at).values())
    assert (
        "Group A holds every answer of “Company size”: take one out, so that group B has someone to compare with."
        in [i.value for i in at.info]
    )
    assert "n = 400 of 400" in texts(at) and len(frame_with(at, "Share")) == 5  # the rest of the page is there

    at.multiselect(key="cmp_a").set_value(sizes[1:]).run()
    assert options_by_key(at)["cmp_b"] == sizes[:1]
    assert {r["Segment"] for r in frame_with(at, "Group A")} == set(LABELS.values())

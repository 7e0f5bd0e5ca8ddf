"""digistrat.bench_browser without a browser: the pieces that decide what is clicked, what is
compared and what is judged. (The browser tasks themselves run in `python -m digistrat.bench`,
which scripts/test runs at small scale.)"""

from __future__ import annotations

import json
import math

import pytest

from digistrat import bench_browser as bb


def test_the_filter_walk_visits_every_subset_once_one_click_each() -> None:
    values = ["1-9", "10-49", "50-249", "250-999", "1000+"]
    chosen: set[str] = set()
    seen = [frozenset(chosen)]
    for step in range(2 ** len(values) - 1):
        chosen ^= {values[bb.gray_flip(step)]}  # each step adds or removes exactly one value
        seen.append(frozenset(chosen))
    assert len(set(seen)) == 2 ** len(values)  # no filter repeats, so no chart spec is reused


def test_percentiles_are_nearest_rank() -> None:
    assert bb.percentile(list(range(1, 21)), 0.95) == 19  # of 20 values, the 19th
    assert bb.percentile(list(range(1, 21)), 0.5) == 10
    assert bb.percentile([5.0], 0.95) == 5.0
    assert math.isnan(bb.percentile([], 0.95))


def _rows(*rows: tuple[str, int, float, float, float]) -> str:
    return json.dumps({"rows": [{"key": k, "count": n, "share": p, "ci_low": lo, "ci_high": hi}
                                for k, n, p, lo, hi in rows]})


def test_the_cli_and_the_pandas_script_agree_on_counts_and_shares_whatever_the_interval() -> None:
    ours = _rows(("convinced", 10, 25.0, 20.0, 30.0), ("dissatisfied", 30, 75.0, 70.0, 80.0))
    wilson = _rows(("convinced", 10, 25.0, 19.5, 31.0), ("dissatisfied", 30, 75.0, 69.0, 81.0))
    assert bb.same_shares(ours, wilson) is None
    assert bb.same_shares(ours, _rows(("convinced", 10, 25.0, 20, 30), ("dissatisfied", 30, 75.000001, 70, 80))) \
        == "dissatisfied share: 75.0 vs 75.000001"
    assert bb.same_shares(ours, _rows(("convinced", 10, 25.0, 20, 30))) == "different keys: ['dissatisfied']"


def _latencies(task: str, totals: list[float], floor: list[float] = (), lost: int = 0) -> bb.Latencies:
    def timing(total: float) -> bb.Timing:
        return bb.Timing(total, total * 0.1, total * 0.8, total * 0.1)

    return bb.Latencies(task, "samples", task, tuple(map(timing, totals)), lost, tuple(map(timing, floor)))


def test_targets_are_judged_against_the_minimal_app_measured_alongside() -> None:
    results = bb.BrowserResults(
        interactions=[
            _latencies("minimal_filter", [100.0] * 20),
            _latencies("filter", [190.0] * 18 + [400.0] * 2, floor=[100.0] * 20),
            _latencies("tab_switch", [210.0] * 20, floor=[100.0] * 20),
            _latencies("segment_click", [150.0] * 20, floor=[100.0] * 20, lost=1),
        ],
        together={1: _latencies("sessions_1", [100.0] * 4), 8: _latencies("sessions_8", [290.0] * 8)},
        cold=[_latencies("cold_app", [5000.0]), _latencies("cold_minimal", [4000.0]),
              _latencies("first_segments", [900.0]), _latencies("first_channels", [1200.0])],
        cli={"digistrat": (0.6, 0.7, 0.8), "pandas": (1.0, 1.0, 1.1)},
        cli_same=None,
    )
    met = {what: ok for what, _, ok in bb.targets(results)}
    assert met["filter (samples): median ≤ 2 × the minimal app's (100 ms alongside)"] is True  # 190 ms
    assert met["filter (samples): p95 ≤ 3 × the minimal app's median"] is False  # the 19th of 20 is 400 ms
    assert met["tab_switch (samples): median ≤ 2 × the minimal app's (100 ms alongside)"] is False
    assert met["segment_click (samples): median ≤ 2 × the minimal app's (100 ms alongside)"] is False  # a lost click
    assert met["8 sessions: median ≤ 3 × one session's 100 ms"] is True
    assert met["cold start ≤ 1.3 × the minimal app's 4.00 s"] is True  # 1.25 ×
    assert met["first visit to Segments ≤ 1 s"] is True and met["first visit to Channels ≤ 1 s"] is False
    assert met["CLI shares ≤ 0.7 × the pandas script"] is True  # 0.7 / 1.0
    assert bb.measured_everything(results)
    assert not bb.measured_everything(bb.BrowserResults(interactions=[_latencies("filter", [], lost=20)], cli_same=None))


@pytest.mark.parametrize("rows, text", [(1_000, "n = 1,000 of 1,000,000 respondents"), (7, "n = 7 of 1,000,000 respondents")])
def test_the_expected_count_is_written_as_the_page_writes_it(rows: int, text: str) -> None:
    assert bb.count_text(1_000_000, rows) == text

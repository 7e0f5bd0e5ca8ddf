"""digistrat.bench: the harness runs every task, measures it, and digistrat agrees with pandas.

Timings are never asserted (they belong to BENCHMARKS.md); what is asserted is that each task
produced positive measurements and that the two implementations computed the same figures.
"""

from __future__ import annotations

import io
import math

import polars as pl
import pytest

from digistrat import bench, sample
from digistrat.read import read_table

TINY = bench.SCALES["tiny"]


@pytest.fixture(scope="module")
def rows(tmp_path_factory: pytest.TempPathFactory) -> list[bench.Row]:
    return bench.run_benchmark(TINY, tmp_path_factory.mktemp("bench"))


def test_every_task_is_measured_against_each_of_its_baselines(rows: list[bench.Row]) -> None:
    expected = {(t.name, b) for t in bench.TASKS for b in (t.baselines or ["none"])}
    assert {(r.task, r.baseline) for r in rows} == expected
    assert {"ingest_survey", "ingest_sessions", "survey_filter", "traffic_settings", "traffic_period",
            "parquet_reload", "stream_csv", "stream_capped", "app_segments"} <= {r.task for r in rows}


def test_timings_and_peaks_are_positive_numbers(rows: list[bench.Row]) -> None:
    for r in rows:
        if r.baseline == "none":  # the app rerun has no baseline: only its own time
            assert r.digistrat_s > 0 and math.isnan(r.baseline_s), r
            continue
        assert r.digistrat_s > 0 and r.baseline_s > 0, r
        # the whole-file tasks allocate at least their output: a zero would mean the probe is broken
        if r.task.startswith(("ingest", "read_")):
            assert r.digistrat_peak_mb > 0 and r.baseline_peak_mb > 0, r
        assert math.isfinite(r.digistrat_peak_mb) and math.isfinite(r.baseline_peak_mb), r


def test_digistrat_and_pandas_compute_the_same_figures_on_every_task(rows: list[bench.Row]) -> None:
    assert [(r.task, r.baseline, r.mismatch) for r in rows if not r.same] == []


def test_the_table_lists_every_row_with_its_ratio(rows: list[bench.Row]) -> None:
    text = bench.table(rows)
    lines = [line for line in text.splitlines() if line.startswith("| ") and not line.startswith("| task")]
    assert len(lines) == len(rows)
    for line, r in zip(lines, rows):
        cells = [c.strip() for c in line.strip("|").split("|")]
        assert cells[0] == r.task and cells[4] == r.baseline
        if r.baseline == "none":
            assert cells[5] == cells[6] == cells[9] == "—"
            continue
        assert float(cells[6]) == pytest.approx(r.digistrat_s / r.baseline_s, abs=0.006)
        assert cells[9] == "yes"


def test_a_baseline_that_runs_out_of_memory_is_a_note_not_a_number() -> None:
    failed = bench.Row("stream_capped", 10, "polars.read_csv (same cap)", 2.0, math.nan, 300.0, math.nan, 1000.0,
                       True, None, note=bench._failure("memory allocation of 1048576 bytes failed\n"))
    assert failed.note == "ran out of memory" and math.isnan(failed.ratio)
    line = bench.table([failed]).splitlines()[-1]
    assert "| ran out of memory | — |" in line
    judged = bench.targets([failed])
    assert judged == [("4 × 1000 MB streamed under a 900 MB cap", "2.00 s, peak 300 MB; eager read: ran out of memory",
                       True)]


def test_a_difference_in_any_figure_is_reported() -> None:
    ours = {"share:a": 0.25, "count:a": 10.0, "ci:a": None}
    assert bench.same_figures(ours, dict(ours), all_keys=True) is None
    assert bench.same_figures(ours, {**ours, "share:a": 0.2500001}, all_keys=True) == "share:a: 0.25 vs 0.2500001"
    assert bench.same_figures(ours, {**ours, "ci:a": 0.1}, all_keys=True) is not None
    assert bench.same_figures(ours, {"share:a": 0.25}, all_keys=True) is not None
    assert bench.same_figures(ours, {"share:a": 0.25}, all_keys=False) is None
    assert bench.same_figures(ours, {"other": 1.0}, all_keys=False) == "no figure in common"


def test_targets_judge_ratios_times_and_memory() -> None:
    def row(task: str, baseline: str, ours: float, theirs: float, peak: float = 10.0) -> bench.Row:
        return bench.Row(task, 1000, baseline, ours, theirs, peak, 1.0, 100.0, True, None)

    judged = {what: met for what, _, met in bench.targets([
        row("ingest_survey", "polars.read_csv", 0.14, 0.10, peak=160.0),  # 1.4 × and 1.6 × the 100 MB file
        row("survey_filter", "pandas", 0.060, 0.300),  # 60 ms: over 50 ms, but 5 × faster
        row("traffic_period", "pandas", 0.050, 0.100),  # 50 ms, only 2 × faster
        row("app_segments", "none", 0.250, math.nan),  # a whole-app rerun of 250 ms
    ])}
    assert judged == {
        "ingest_survey ≤ 1.5 × polars.read_csv": True,
        "ingest_survey peak ≤ 1.5 × file size (100 MB)": False,
        "survey_filter ≤ 50.0 ms": False,
        "survey_filter ≥ 3 × faster than pandas": True,
        "traffic_period ≤ 100.0 ms": True,
        "traffic_period ≥ 3 × faster than pandas": False,
        "app_segments ≤ 200.0 ms": False,
    }


def test_generated_files_are_the_seeded_samples(tmp_path) -> None:
    files = bench.data_files(TINY, tmp_path)
    assert files["survey"].read_bytes() == sample.to_csv_bytes(sample.generate_panel(TINY.survey_rows))
    assert files["sessions"].read_bytes() == sample.to_csv_bytes(sample.generate_sessions(TINY.session_rows))
    again = bench.data_files(TINY, tmp_path)  # cached: not rewritten
    assert again == files and not list(tmp_path.glob("*.part"))


def test_french_file_reads_back_to_the_panel_figures() -> None:
    panel = sample.generate_panel(300, seed=3)
    data = bench.french_csv_bytes(panel)
    assert b"\xa0" in data and b";" in data and "États-Unis".encode("cp1252") in data
    text = data.decode("cp1252")
    # a budget of 12300 is written '12 300' (no-break space), a weight 1.25 as '1,25', shares as '9,25 %'
    first = pl.read_csv(io.StringIO(text), separator=";", infer_schema=False).row(0, named=True)
    assert first["budget_réseaux_sociaux"].replace("\u00a0", "") == str(panel["social_budget_usd"][0])
    assert first["pondération"] == str(panel["weight"][0]).replace(".", ",")
    assert first["part_recherche"] == str(panel["search_share"][0] / 4).replace(".", ",") + " %"
    frame = read_table(data, file_name="fr.csv").frame
    assert frame["budget_réseaux_sociaux"].to_list() == panel["social_budget_usd"].to_list()
    assert frame["part_recherche"].to_list() == (panel["search_share"] / 4).to_list()
    assert frame["pondération"].to_list() == panel["weight"].to_list()

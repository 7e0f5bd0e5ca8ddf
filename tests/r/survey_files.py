"""Weighted survey files for the comparison with R's `survey` package, and the cases computed on them.

The files come from a seeded generator: weights are tied to the answers (that is why surveys
are weighted, and where a single Kish base goes wrong), one file has strata and clusters with
answers correlated within each cluster, one is small with extreme weights. `survey_reference.R`
(beside this file) computes every case with R and writes JSON; the tests run it live and keep
its last output in `survey_reference.json`.

    python -m tests.r.survey_files     # rewrite survey_reference.json with R's current output
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import polars as pl

HERE = Path(__file__).resolve().parent
R_SCRIPT = HERE / "survey_reference.R"
REFERENCE = HERE / "survey_reference.json"
SEED = 20240612
SEGMENTS = ("newcomers", "convinced", "adapters", "dissatisfied", "wait_and_see")
LEVELS = (0.90, 0.95, 0.99)


def _pick(rng: np.random.Generator, options: tuple[str, ...], probabilities: np.ndarray) -> np.ndarray:
    """One option per row of `probabilities` (rows × options)."""
    cumulative = probabilities.cumsum(axis=1)
    cumulative /= cumulative[:, -1:]
    draws = rng.random(len(probabilities))[:, None]
    return np.array(options, dtype=object)[(draws > cumulative).sum(axis=1)]


def regions(rng: np.random.Generator) -> pl.DataFrame:
    """600 companies; lognormal weights whose mean depends on the region answered."""
    n = 600
    region = _pick(rng, ("north", "south", "east", "west", "centre"), np.tile([0.3, 0.25, 0.2, 0.15, 0.1], (n, 1)))
    log_mean = {"north": -0.4, "south": 0.0, "east": 0.3, "west": 0.6, "centre": 0.9}
    weight = np.round(np.exp(np.array([log_mean[r] for r in region]) + rng.normal(0, 0.6, n)), 6)
    size_bias = {"north": 0.6, "south": 0.4, "east": 0.3, "west": 0.2, "centre": 0.1}
    small = np.array([size_bias[r] for r in region])
    size = _pick(rng, ("small", "medium", "large"), np.column_stack([small, np.full(n, 0.3), 0.7 - small + 0.05]))
    segment_bias = {"small": [0.10, 0.05, 0.10, 0.30, 0.45], "medium": [0.05, 0.10, 0.15, 0.20, 0.50],
                    "large": [0.02, 0.15, 0.20, 0.13, 0.50]}
    segment = _pick(rng, SEGMENTS, np.array([segment_bias[s] for s in size]))
    tools = []
    for r, w in zip(region, weight):
        chosen = [t for t, p in (("Hootsuite", 0.5), ("Salesforce", 0.3 + 0.05 * w), ("Radian6", 0.15)) if rng.random() < min(p, 0.95)]
        tools.append(";".join(chosen) if chosen or rng.random() < 0.5 else None)
    region = np.where(rng.random(n) < 0.03, None, region)  # some did not answer
    return pl.DataFrame({"region": region.tolist(), "size": size.tolist(), "segment": segment.tolist(),
                         "tools": tools, "w": weight})


def panel(rng: np.random.Generator) -> pl.DataFrame:
    """400 companies in five segments; weights 1, 1.5, 2 or 3 drawn by segment."""
    n = 400
    segment = _pick(rng, SEGMENTS, np.tile([0.06, 0.0775, 0.105, 0.21, 0.5475], (n, 1)))
    heavy = {"newcomers": 0.6, "convinced": 0.5, "adapters": 0.3, "dissatisfied": 0.2, "wait_and_see": 0.1}
    weight_probability = np.array([[1 - heavy[s], heavy[s] * 0.5, heavy[s] * 0.3, heavy[s] * 0.2] for s in segment])
    weight = np.array(_pick(rng, ("1", "1.5", "2", "3"), weight_probability), dtype=float)
    sector_bias = {s: rng.dirichlet(np.full(6, 2.0)) for s in SEGMENTS}
    sector = _pick(rng, ("retail", "industry", "services", "health", "media", "public"),
                   np.array([sector_bias[s] for s in segment]))
    online = _pick(rng, ("yes", "no"), np.column_stack([0.2 + 0.15 * weight, np.full(n, 0.6)]))
    size = _pick(rng, ("small", "large"), np.column_stack([0.3 + 0.1 * (weight > 1.2), np.full(n, 0.5)]))
    tier = _pick(rng, ("bronze", "silver", "gold"), np.tile([0.5, 0.3, 0.2], (n, 1)))
    channel = _pick(rng, ("search", "social", "email", "direct"),
                    np.array([[0.4, 0.2 + 0.1 * (t == "gold"), 0.2, 0.2 - 0.1 * (t == "bronze")] for t in tier]))
    return pl.DataFrame({"segment": segment.tolist(), "sector": sector.tolist(), "online": online.tolist(),
                         "size": size.tolist(), "tier": tier.tolist(), "channel": channel.tolist(), "w": weight})


def clustered(rng: np.random.Generator) -> pl.DataFrame:
    """900 respondents in 4 strata × 5 to 8 clusters; answers share a cluster effect, weights
    depend on the stratum and on the answer."""
    rows = []
    for s, clusters in enumerate((5, 6, 7, 8)):
        for c in range(clusters):
            effect = rng.normal(0, 0.8)
            size = int(rng.integers(20, 40))
            for _ in range(size):
                score = effect + rng.normal(0, 1)
                answer = ("low", "mid", "high", "top")[int(np.digitize(score, [-0.8, 0.2, 1.2]))]
                group = ("a", "b", "c")[int(rng.integers(0, 3))]
                weight = round(float((1 + s) * np.exp(0.3 * (answer in ("high", "top")) + rng.normal(0, 0.3))), 6)
                picked = [t for t, p in (("web", 0.5 + 0.1 * effect), ("app", 0.3), ("shop", 0.2)) if rng.random() < p]
                segment = SEGMENTS[int(rng.integers(0, 5))]
                rows.append((f"s{s + 1}", f"c{c + 1}", segment, answer, group, ";".join(picked) or None, weight))
    return pl.DataFrame(rows, schema={"stratum": pl.String, "psu": pl.String, "segment": pl.String, "answer": pl.String,
                                      "group": pl.String, "tools": pl.String, "w": pl.Float64}, orient="row")


def small(rng: np.random.Generator) -> pl.DataFrame:
    """45 respondents with extreme weights (0.2 to 25) and a rare answer."""
    n = 45
    answer = _pick(rng, ("often", "sometimes", "never"), np.tile([0.08, 0.5, 0.42], (n, 1)))
    weight = np.round(np.where(answer == "often", 8, 1) * np.exp(rng.normal(0, 1.0, n)), 6).clip(0.2, 25)
    side = _pick(rng, ("x", "y"), np.tile([0.5, 0.5], (n, 1)))
    return pl.DataFrame({"answer": answer.tolist(), "side": side.tolist(), "w": weight})


def confounded(rng: np.random.Generator) -> pl.DataFrame:
    """Issue 14's file: 400 companies, each segment always of the same company size, weights
    cycling 1, 1.5, 2 (no randomness: the rows are the published shares of 1,700 scaled to 400)."""
    counts = {"newcomers": 24, "convinced": 31, "adapters": 42, "dissatisfied": 84, "wait_and_see": 219}
    size = {"newcomers": "1-9", "convinced": "10-49", "adapters": "50-249", "dissatisfied": "250-999",
            "wait_and_see": "1000+"}
    segments = [s for s, n in counts.items() for _ in range(n)]
    return pl.DataFrame({
        "respondent": [f"R{i + 1:05d}" for i in range(len(segments))],
        "segment": segments,
        "company_size": [size[s] for s in segments],
        "sector": [("Retail", "Services", "Industry")[i % 7 % 3] for i in range(len(segments))],
        "weight": [(1.0, 1.5, 2.0)[i % 3] for i in range(len(segments))],
    })


FILES = {"regions": regions, "panel": panel, "clustered": clustered, "small": small, "confounded": confounded}
DESIGNS = {
    "regions": {"file": "regions", "weight": "w", "psu": None, "stratum": None},
    "panel": {"file": "panel", "weight": "w", "psu": None, "stratum": None},
    "clustered": {"file": "clustered", "weight": "w", "psu": "psu", "stratum": "stratum"},
    "strata_only": {"file": "clustered", "weight": "w", "psu": None, "stratum": "stratum"},
    "small": {"file": "small", "weight": "w", "psu": None, "stratum": None},
    "confounded": {"file": "confounded", "weight": "weight", "psu": None, "stratum": None},
}
# domain: rows kept as {"column": [values]} (a filter), a domain of the whole design
CASES = {
    "shares": [
        {"id": "regions_region", "design": "regions", "variable": "region", "domain": None},
        {"id": "regions_segment_small", "design": "regions", "variable": "segment", "domain": {"size": ["small"]}},
        {"id": "panel_segment", "design": "panel", "variable": "segment", "domain": None},
        {"id": "panel_sector_unhappy", "design": "panel", "variable": "sector",
         "domain": {"segment": ["dissatisfied", "wait_and_see"]}},
        {"id": "clustered_answer", "design": "clustered", "variable": "answer", "domain": None},
        {"id": "clustered_answer_group_b", "design": "clustered", "variable": "answer", "domain": {"group": ["b"]}},
        {"id": "strata_answer", "design": "strata_only", "variable": "answer", "domain": None},
        {"id": "small_answer", "design": "small", "variable": "answer", "domain": None},
    ],
    "multi": [
        {"id": "regions_tools", "design": "regions", "variable": "tools", "domain": None},
        {"id": "clustered_tools", "design": "clustered", "variable": "tools", "domain": {"group": ["a", "c"]}},
    ],
    "tables": [
        {"id": "panel_2x2", "design": "panel", "rows": "size", "cols": "online", "domain": None},
        {"id": "panel_3x4", "design": "panel", "rows": "tier", "cols": "channel", "domain": None},
        {"id": "panel_5x6", "design": "panel", "rows": "segment", "cols": "sector", "domain": None},
        {"id": "regions_3x5", "design": "regions", "rows": "size", "cols": "region", "domain": None},
        {"id": "regions_5x3_not_north", "design": "regions", "rows": "segment", "cols": "size",
         "domain": {"region": ["south", "east", "west", "centre"]}},
        {"id": "clustered_4x3", "design": "clustered", "rows": "answer", "cols": "group", "domain": None},
        {"id": "small_3x2", "design": "small", "rows": "answer", "cols": "side", "domain": None},
        # R's solve() fails on this one: the test is not computable
        {"id": "confounded_5x5", "design": "confounded", "rows": "segment", "cols": "company_size", "domain": None},
    ],
    "differences": [
        {"id": "panel_segment_by_size", "design": "panel", "variable": "segment", "group": "size",
         "a": ["small"], "b": ["large"]},
        {"id": "regions_region_by_size", "design": "regions", "variable": "region", "group": "size",
         "a": ["small"], "b": ["medium", "large"]},
        {"id": "clustered_answer_by_group", "design": "clustered", "variable": "answer", "group": "group",
         "a": ["a"], "b": ["c"]},
    ],
    "multi_differences": [
        {"id": "regions_tools_by_size", "design": "regions", "variable": "tools", "group": "size",
         "a": ["small"], "b": ["large"]},
        {"id": "clustered_tools_by_group", "design": "clustered", "variable": "tools", "group": "group",
         "a": ["b"], "b": ["a", "c"]},
    ],
}


def frames(seed: int = SEED) -> dict[str, pl.DataFrame]:
    rng = np.random.default_rng(seed)
    return {name: make(rng) for name, make in FILES.items()}


def write_inputs(directory: Path, seed: int = SEED) -> dict[str, pl.DataFrame]:
    """The CSV files and `cases.json` that survey_reference.R reads; returns the frames as read back."""
    directory.mkdir(parents=True, exist_ok=True)
    written = {}
    for name, frame in frames(seed).items():
        path = directory / f"{name}.csv"
        frame.write_csv(path)
        written[name] = pl.read_csv(path, schema=frame.schema)
    manifest = {"designs": DESIGNS, "levels": LEVELS, **CASES}
    (directory / "cases.json").write_text(json.dumps(manifest, indent=1), encoding="utf-8")
    return written


def run_r(directory: Path) -> dict:
    """Run survey_reference.R on the inputs in `directory`; its JSON output."""
    rscript = shutil.which("Rscript")
    if rscript is None:
        raise RuntimeError("Rscript is not installed; scripts/test installs r-base-core and r-cran-survey.")
    out = directory / "reference.json"
    done = subprocess.run([rscript, "--vanilla", str(R_SCRIPT), str(directory), str(out)],
                          capture_output=True, text=True, timeout=600)
    if done.returncode != 0:
        raise RuntimeError(f"survey_reference.R failed:\n{done.stderr[-3000:]}")
    return json.loads(out.read_text(encoding="utf-8"))


if __name__ == "__main__":
    with tempfile.TemporaryDirectory() as tmp:
        write_inputs(Path(tmp))
        result = run_r(Path(tmp))
    REFERENCE.write_text(json.dumps(result, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    print(f"wrote {REFERENCE}", file=sys.stderr)

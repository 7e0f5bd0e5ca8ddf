"""Baseline of the CLI benchmark (`python -m digistrat.bench`): what a plain pandas script does for
`python -m digistrat shares FILE --json` — read the file, print each segment's weighted share with
its Wilson interval (95 %) on Kish's effective base, in points, as JSON.

    python scripts/pandas_shares.py FILE
"""

import json
import sys
from statistics import NormalDist

import pandas as pd

frame = pd.read_csv(sys.argv[1])
weights = frame["weight"]
n_eff = weights.sum() ** 2 / (weights**2).sum()
z = NormalDist().inv_cdf(0.975)
rows = []
for segment, group in frame.groupby("segment"):
    p = group["weight"].sum() / weights.sum()
    centre = (p + z * z / n_eff / 2) / (1 + z * z / n_eff)
    half = z / (1 + z * z / n_eff) * (p * (1 - p) / n_eff + z * z / (4 * n_eff * n_eff)) ** 0.5
    rows.append({"key": segment, "count": len(group), "share": 100 * p,
                 "ci_low": 100 * (centre - half), "ci_high": 100 * (centre + half)})
print(json.dumps({"base": len(frame), "rows": rows}))

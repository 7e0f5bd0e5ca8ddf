"""Seeded generator of the illustrative (synthetic) samples bundled in data/.

The published figures are aggregates; these samples give filters something to work on.
The survey panel reproduces the five segment shares exactly (weighted and unweighted) and
the traffic log reproduces the 29 / 40 / 31 channel buckets and 58 / 32 / 10 devices exactly.
Everything else in them is invented. Vectorised with numpy so the benchmark can ask for
millions of rows from the same generator.

Run `python -m digistrat.sample` to rewrite the committed files.
"""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import numpy as np
import polars as pl

from digistrat.segments import SEGMENT_KEYS

SEED = 20150901
PANEL_ROWS = 400
SESSION_ROWS = 10_000
DATA_DIR = Path(__file__).resolve().parents[1] / "data"
PANEL_FILE = "sample_panel.csv"
SESSIONS_FILE = "sample_sessions.csv"

# Published shares (FACTS.md), in points.
SEGMENT_SHARES = (6.0, 7.75, 10.5, 21.0, 54.75)
BUCKET_SHARES = {"search": 29.0, "external": 40.0, "direct": 31.0}
DEVICE_SHARES = {"desktop": 58.0, "mobile": 32.0, "tablet": 10.0}

COMPANY_SIZES = ("1-9", "10-49", "50-249", "250-999", "1000+")
SECTORS = ("Retail", "Services", "Manufacturing", "Tourism", "Technology", "Health")
COUNTRIES = ("United States", "Canada")
TOOLS = ("Hootsuite", "Salesforce", "Radian6", "Shareablee", "Spredfast")
OTHER_TOOL = "Other"  # the article's "etc.": a company that uses none of the named tools

# Per segment (article order): size mix, tool use rates, satisfaction mean, visit-origin mix.
_SIZE_MIX = {
    "newcomers": (0.40, 0.30, 0.18, 0.08, 0.04),
    "convinced": (0.15, 0.25, 0.25, 0.20, 0.15),
    "adapters": (0.20, 0.25, 0.25, 0.18, 0.12),
    "dissatisfied": (0.25, 0.30, 0.22, 0.13, 0.10),
    "wait_and_see": (0.22, 0.28, 0.24, 0.15, 0.11),
}
_TOOL_RATES = {
    "newcomers": (0.55, 0.15, 0.05, 0.05, 0.05),
    "convinced": (0.70, 0.45, 0.35, 0.25, 0.30),
    "adapters": (0.60, 0.35, 0.25, 0.15, 0.20),
    "dissatisfied": (0.65, 0.30, 0.15, 0.10, 0.15),
    "wait_and_see": (0.60, 0.30, 0.20, 0.12, 0.15),
}
_SATISFACTION_MEAN = {"newcomers": 6.0, "convinced": 8.2, "adapters": 4.5, "dissatisfied": 2.3, "wait_and_see": 5.2}
# Dirichlet concentrations for (search, external, direct): dissatisfied lean most on social links.
_ORIGIN_ALPHA = {
    "newcomers": (9.0, 8.0, 13.0),
    "convinced": (10.0, 12.0, 8.0),
    "adapters": (10.0, 11.0, 9.0),
    "dissatisfied": (7.0, 15.0, 8.0),
    "wait_and_see": (9.0, 12.0, 9.0),
}

SITE = "https://www.atelier-exemple.fr"
LANDING_PATHS = ("/", "/services", "/blog/strategie-digitale", "/blog/reseaux-sociaux", "/tarifs", "/contact")

# Traffic sources per bucket: (share of the bucket, source, medium, referrer, utm campaign, paid click id)
_TRAFFIC_SOURCES: dict[str, tuple[tuple[float, str, str, str, str, str], ...]] = {
    "search": (
        (0.60, "google", "organic", "https://www.google.fr/", "", ""),
        (0.08, "bing", "organic", "https://www.bing.com/", "", ""),
        (0.05, "qwant", "organic", "https://www.qwant.com/", "", ""),
        (0.04, "duckduckgo", "organic", "https://duckduckgo.com/", "", ""),
        (0.03, "ecosia.org", "organic", "https://www.ecosia.org/", "", ""),
        (0.20, "google", "cpc", "https://www.google.fr/", "marque-2026", "gclid"),
    ),
    "external": (
        (0.22, "l.facebook.com", "referral", "https://l.facebook.com/", "", ""),
        (0.15, "linkedin.com", "referral", "https://www.linkedin.com/", "", ""),
        (0.08, "t.co", "referral", "https://t.co/", "", ""),
        (0.05, "instagram.com", "referral", "https://l.instagram.com/", "", ""),
        (0.08, "facebook", "paid_social", "https://m.facebook.com/", "printemps-2026", ""),
        (0.10, "lesechos.fr", "referral", "https://www.lesechos.fr/tech-medias/", "", ""),
        (0.07, "blog.partenaire-web.fr", "referral", "https://blog.partenaire-web.fr/outils", "", ""),
        (0.05, "pagesjaunes.fr", "referral", "https://www.pagesjaunes.fr/", "", ""),
        (0.20, "newsletter", "email", "", "lettre-mensuelle", ""),
    ),
    "direct": ((1.0, "(direct)", "(none)", "", "", ""),),
}


def exact_counts(total: int, shares: tuple[float, ...]) -> np.ndarray:
    """Whole counts summing to `total` in the given proportions (largest remainder)."""
    raw = np.asarray(shares, dtype=float) / sum(shares) * total
    counts = np.floor(raw).astype(np.int64)
    remainder = total - int(counts.sum())
    counts[np.argsort(-(raw - counts), kind="stable")[:remainder]] += 1
    return counts


def _labels_with_counts(keys: tuple[str, ...], counts: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    return rng.permutation(np.repeat(np.asarray(keys, dtype=object), counts))


def _pair_weights(count: int, rng: np.random.Generator) -> np.ndarray:
    # Weights come in pairs (1 - d, 1 + d), d a multiple of 0.25, so each segment's weights
    # sum exactly (in binary floating point too) to its count: weighted shares = published shares.
    d = rng.choice(np.array([0.0, 0.25, 0.5]), size=count // 2, p=[0.4, 0.4, 0.2])
    weights = np.concatenate([1.0 - d, 1.0 + d, np.ones(count % 2)])
    return rng.permutation(weights)


def _whole_percentages(mix: np.ndarray) -> np.ndarray:
    """Rows of proportions -> whole percentages that sum to exactly 100 per row."""
    raw = mix * 100.0
    floor = np.floor(raw).astype(np.int64)
    short = 100 - floor.sum(axis=1)
    order = np.argsort(-(raw - floor), axis=1, kind="stable")
    rank = np.argsort(order, axis=1, kind="stable")
    return floor + (rank < short[:, None])


def generate_panel(rows: int = PANEL_ROWS, seed: int = SEED) -> pl.DataFrame:
    """A respondent-level survey panel whose segment shares equal the published ones."""
    rng = np.random.default_rng(seed)
    segments = _labels_with_counts(SEGMENT_KEYS, exact_counts(rows, SEGMENT_SHARES), rng)
    size_rank = np.empty(rows, dtype=np.int64)
    weight = np.empty(rows)
    satisfaction = np.empty(rows, dtype=np.int64)
    origins = np.empty((rows, 3))
    tools = np.zeros((rows, len(TOOLS)), dtype=bool)
    for key in SEGMENT_KEYS:
        where = np.flatnonzero(segments == key)
        n = where.size
        size_rank[where] = rng.choice(len(COMPANY_SIZES), size=n, p=_SIZE_MIX[key])
        weight[where] = _pair_weights(n, rng)
        satisfaction[where] = np.clip(np.rint(rng.normal(_SATISFACTION_MEAN[key], 1.4, n)), 0, 10)
        origins[where] = rng.dirichlet(_ORIGIN_ALPHA[key], size=n)
        tools[where] = rng.random((n, len(TOOLS))) < np.asarray(_TOOL_RATES[key])
    sector = rng.choice(np.asarray(SECTORS, dtype=object), size=rows, p=[0.22, 0.26, 0.14, 0.12, 0.16, 0.10])
    country = rng.choice(np.asarray(COUNTRIES, dtype=object), size=rows, p=[0.8, 0.2])
    budget = np.round(np.exp(rng.normal(8.0 + 0.9 * size_rank, 0.6)) / 100.0) * 100.0
    no_answer = rng.random(rows) < 0.03  # a few companies skipped the tools question
    tools_used = np.array(
        [";".join(t for t, used in zip(TOOLS, row) if used) or OTHER_TOOL for row in tools], dtype=object
    )
    tools_used[no_answer] = None
    shares = _whole_percentages(origins)
    return pl.DataFrame(
        {
            "respondent_id": [f"R{i:05d}" for i in range(1, rows + 1)],
            "segment": segments.tolist(),
            "company_size": np.asarray(COMPANY_SIZES, dtype=object)[size_rank].tolist(),
            "sector": sector.tolist(),
            "country": country.tolist(),
            "tools_used": tools_used.tolist(),
            "satisfaction": satisfaction,
            "social_budget_usd": budget.astype(np.int64),
            "search_share": shares[:, 0],
            "external_share": shares[:, 1],
            "direct_share": shares[:, 2],
            "weight": weight,
        }
    )


def _codes_with_counts(counts: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Codes 0..k-1 repeated `counts` times and shuffled: the same draws as `_labels_with_counts`."""
    return rng.permutation(np.repeat(np.arange(len(counts)), counts))


def generate_sessions(rows: int = SESSION_ROWS, seed: int = SEED) -> pl.DataFrame:
    """A session-level traffic log whose buckets and devices equal the published shares."""
    rng = np.random.default_rng(seed + 1)
    buckets = _codes_with_counts(exact_counts(rows, tuple(BUCKET_SHARES.values())), rng)
    devices = _codes_with_counts(exact_counts(rows, tuple(DEVICE_SHARES.values())), rng)
    # Each row gets the position of its traffic source in one flat table; strings are
    # gathered by polars at the end (object arrays took 80 s and 8 GB at 10 M rows).
    source_row = np.empty(rows, dtype=np.int64)
    offset = 0
    for code, sources in enumerate(_TRAFFIC_SOURCES.values()):
        where = np.flatnonzero(buckets == code)
        picks = _codes_with_counts(exact_counts(where.size, tuple(s[0] for s in sources)), rng)
        source_row[where] = offset + picks
        offset += len(sources)
    table = pl.DataFrame(
        [s[1:] for sources in _TRAFFIC_SOURCES.values() for s in sources],
        schema=["source", "medium", "referrer", "campaign", "click"],
        orient="row",
    )
    paths = rng.choice(len(LANDING_PATHS), size=rows, p=[0.35, 0.2, 0.15, 0.1, 0.1, 0.1])
    click_ids = rng.integers(10**9, 10**10, size=rows)
    start = dt.date(2026, 1, 1)
    days = rng.integers(0, 181, size=rows)
    dates = np.sort(np.datetime64(start) + days.astype("timedelta64[D]"))
    tagged = pl.col("campaign") != ""
    paid_click = pl.col("click") == "gclid"
    utm = pl.concat_str(
        pl.lit("?utm_source="), "source", pl.lit("&utm_medium="), "medium", pl.lit("&utm_campaign="), "campaign"
    )
    return (
        table[source_row]
        .with_columns(
            pl.Series("path", np.asarray(LANDING_PATHS))[paths].alias("path"),
            pl.Series("click_id", click_ids),
            pl.Series("device", list(DEVICE_SHARES))[devices].alias("device"),
            pl.Series("date", dates).cast(pl.String),
        )
        .select(
            "date",
            "source",
            "medium",
            pl.when(tagged).then(pl.col("campaign")).alias("campaign"),
            pl.when(pl.col("referrer") != "").then(pl.col("referrer")).alias("referrer"),
            pl.concat_str(
                pl.lit(SITE),
                "path",
                pl.when(paid_click)
                .then(pl.lit("?gclid=") + pl.col("click_id").cast(pl.String))
                .when(tagged)
                .then(utm)
                .otherwise(pl.lit("")),
            ).alias("landing_page"),
            "device",
        )
    )


def to_csv_bytes(frame: pl.DataFrame) -> bytes:
    buffer = io.BytesIO()
    frame.write_csv(buffer, float_precision=None, null_value="")
    return buffer.getvalue()


def write_samples(data_dir: Path = DATA_DIR) -> list[Path]:
    written = []
    for name, frame in ((PANEL_FILE, generate_panel()), (SESSIONS_FILE, generate_sessions())):
        path = data_dir / name
        path.write_bytes(to_csv_bytes(frame))
        written.append(path)
    return written


if __name__ == "__main__":
    for path in write_samples():
        print(f"wrote {path}")

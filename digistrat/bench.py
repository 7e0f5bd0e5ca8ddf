"""Benchmark of issue 7: digistrat's core against a straightforward pandas version of the same
interactions, on data from the package's seeded generator.

    python -m digistrat.bench [--scale tiny|small|full] [--tasks NAME ...] [--cache DIR]

The task `browser` (issue 13, `digistrat.bench_browser`) drives the real app in headless
Chromium, against a minimal Streamlit app in the same run, and times the command line
against a plain pandas script.

Each (task, implementation) runs in its own child process so that its peak memory can be
measured: the child prepares its inputs, then before every timed run resets the kernel's
high-water mark (`echo 5 > /proc/self/clear_refs`) and reads `VmHWM` from /proc/self/status
afterwards. The peak reported is VmHWM minus the resident size just before the run, i.e. the
memory the task itself added, whatever allocated it (polars' Rust allocator, numpy, pandas,
Python). tracemalloc would only see Python's own allocations and miss polars entirely.
Times are medians of wall-clock runs; every implementation also returns the figures it
computed, and the parent checks that digistrat and the baseline agree.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import gc
import io
import json
import math
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import polars as pl

from digistrat import sample

Figures = dict[str, float]
Run = Callable[[int], Figures]


@dataclass(frozen=True)
class Scale:
    survey_rows: int
    session_rows: int
    repeats: int  # timed runs of a light task
    heavy_repeats: int  # timed runs of a task that reads or classifies the whole file


SCALES = {
    "tiny": Scale(2_000, 5_000, 2, 2),
    "small": Scale(20_000, 200_000, 5, 3),
    "full": Scale(1_000_000, 10_000_000, 7, 3),
}
DEFAULT_CACHE = Path(tempfile.gettempdir()) / "digistrat-bench"


# ---------------------------------------------------------------------------------------
# Data: written once per (kind, rows, seed) into the cache folder
# ---------------------------------------------------------------------------------------


def french_csv_bytes(panel: pl.DataFrame) -> bytes:
    """The panel as French Excel saves it: cp1252, ';', decimal comma, no-break-space
    thousands, percentages with ' %', accented headers and values."""
    def comma(expr: pl.Expr) -> pl.Expr:
        return expr.cast(pl.String).str.replace(".", ",", literal=True)

    budget = pl.col("social_budget_usd").cast(pl.String)
    grouped = (
        pl.when(pl.col("social_budget_usd") >= 1000)
        .then(budget.str.slice(0, budget.str.len_chars() - 3) + "\u00a0" + budget.str.slice(-3))
        .otherwise(budget)
    )
    french = panel.select(
        pl.col("respondent_id").alias("identifiant"),
        pl.col("segment"),
        pl.col("company_size").alias("taille_entreprise"),
        pl.col("sector").alias("secteur"),
        pl.col("country").replace({"United States": "États-Unis"}).alias("pays"),
        pl.col("tools_used").alias("outils_utilisés"),
        pl.col("satisfaction"),
        grouped.alias("budget_réseaux_sociaux"),
        (comma(pl.col("search_share") / 4) + " %").alias("part_recherche"),
        (pl.col("external_share").cast(pl.String) + " %").alias("part_externe"),
        (pl.col("direct_share").cast(pl.String) + " %").alias("part_directe"),
        comma(pl.col("weight")).alias("pondération"),
    )
    buffer = io.BytesIO()
    french.write_csv(buffer, separator=";", null_value="")
    return buffer.getvalue().decode("utf-8").encode("cp1252")


def data_files(scale: Scale, cache: Path, seed: int = sample.SEED) -> dict[str, Path]:
    """Paths of the survey, French survey and sessions CSVs, generated when missing."""
    cache.mkdir(parents=True, exist_ok=True)
    wanted = {
        "survey": (cache / f"survey-{scale.survey_rows}-{seed}.csv", lambda: sample.to_csv_bytes(panel())),
        "french": (cache / f"survey-fr-{scale.survey_rows}-{seed}.csv", lambda: french_csv_bytes(panel())),
        "sessions": (cache / f"sessions-{scale.session_rows}-{seed}.csv",
                     lambda: sample.to_csv_bytes(sample.generate_sessions(scale.session_rows, seed))),
    }
    generated: dict[str, pl.DataFrame] = {}

    def panel() -> pl.DataFrame:
        if "panel" not in generated:
            generated["panel"] = sample.generate_panel(scale.survey_rows, seed)
        return generated["panel"]

    for path, make in wanted.values():
        if not path.is_file():
            partial = path.with_suffix(f".{os.getpid()}.part")
            partial.write_bytes(make())
            partial.replace(path)  # atomic: a killed run never leaves half a file under the real name
    return {kind: path for kind, (path, _) in wanted.items()}


# ---------------------------------------------------------------------------------------
# Helpers shared by the implementations
# ---------------------------------------------------------------------------------------


def _limits():  # noqa: ANN202 - digistrat.read.Limits, imported late so children import only what they use
    from digistrat.read import Limits

    return Limits(max_bytes=1 << 40, max_rows=100_000_000)


def _counts(prefix: str, keys: list, values: list) -> Figures:
    return {f"{prefix}:{k}": float(v) for k, v in zip(keys, values) if k is not None}


SURVEY_FILTERS = (
    {"sector": ["Retail", "Services", "Technology"], "company_size": ["1-9", "10-49", "50-249"]},
    {"country": ["United States"], "company_size": ["10-49", "50-249", "250-999"]},
)
SURVEY_FOCUS = ("dissatisfied", "wait_and_see")
SURVEY_RANGE = {"satisfaction": (2, 8)}
SESSION_PERIODS = ((dt.date(2026, 2, 1), dt.date(2026, 3, 31)), (dt.date(2026, 4, 1), dt.date(2026, 5, 15)))
SETTINGS_CHANGES = ({"ai_channel": True}, {"own_domains": ("lesechos.fr",)})


# ---------------------------------------------------------------------------------------
# digistrat
# ---------------------------------------------------------------------------------------


def _ingest_digistrat(path: Path, classify: bool) -> Run:
    from digistrat import datasets, traffic
    from digistrat.channels import ChannelSettings

    data = path.read_bytes()

    def run(_: int) -> Figures:
        dataset = datasets.load_bytes(data, path.name, limits=_limits())
        if not classify:
            frame = dataset.frame
            segments = frame.group_by("segment").len().with_columns(pl.col("segment").cast(pl.String))
            return {"rows": frame.height, "weight_sum": float(frame["weight"].sum()),
                    **_counts("segment", segments["segment"].to_list(), segments["len"].to_list())}
        # classification at ingest builds the origin cube and classifies its distinct inputs
        mix = traffic.channel_mix(dataset, ChannelSettings())
        return {"rows": dataset.frame.height, **_mix_figures(mix)}

    return run


def _read_french_digistrat(path: Path) -> Run:
    from digistrat.read import read_table

    data = path.read_bytes()

    def run(_: int) -> Figures:
        frame = read_table(data, file_name=path.name, limits=_limits()).frame
        return _french_figures(frame.height, *(float(frame[c].sum()) for c in FRENCH_SUMS))

    return run


FRENCH_SUMS = ("budget_réseaux_sociaux", "part_recherche", "pondération")


def _french_figures(rows: int, budget: float, search: float, weight: float) -> Figures:
    return {"rows": rows, "budget_sum": budget, "search_share_sum": search, "weight_sum": weight}


def _survey_digistrat(path: Path, ranged: bool) -> Run:
    from digistrat import datasets, explore
    from digistrat.query import FilterSpec

    dataset = datasets.load_bytes(path.read_bytes(), path.name, limits=_limits())
    prepared = explore.prepare(dataset)  # once per dataset; the app caches it
    specs = [FilterSpec.build(include=f, ranges=SURVEY_RANGE if ranged else None) for f in SURVEY_FILTERS]

    def run(i: int) -> Figures:
        focus = SURVEY_FOCUS[i % 2]
        view = explore.page_view(prepared, specs[i % 2], focus=(focus,))
        out: Figures = {"base_rows": view.base_rows}
        tables = {"segment": view.segments, **view.breakdown, **{f"multi:{c}": t for c, t in view.multi.items()}}
        for name, table in tables.items():
            for row in table.rows.iter_rows(named=True):
                for figure in ("count", "share", "ci_low", "ci_high"):
                    out[f"{name}:{row['key']}:{figure}"] = row[figure]
        if view.channels is not None:
            mix = view.channels.mix.filter(pl.col("segment") == focus)
            out.update(_counts("origin", mix["bucket"].to_list(), mix["mean"].to_list()))
        return out

    return run


def _mix_figures(mix) -> Figures:  # noqa: ANN001 - traffic.ChannelMix
    return {**_counts("channel", mix.channels["key"].to_list(), mix.channels["sessions"].to_list()),
            **_counts("device", mix.devices["key"].to_list(), mix.devices["sessions"].to_list())}


def _traffic_settings_digistrat(path: Path) -> Run:
    from digistrat import datasets, traffic
    from digistrat.channels import ChannelSettings

    dataset = datasets.load_bytes(path.read_bytes(), path.name, limits=_limits())
    traffic.channel_mix(dataset)  # the page first shows the default settings: the origin cube exists

    def run(i: int) -> Figures:
        return _mix_figures(traffic.channel_mix(dataset, ChannelSettings(**SETTINGS_CHANGES[i % 2])))

    return run


def _traffic_period_digistrat(path: Path) -> Run:
    from digistrat import datasets, traffic
    from digistrat.channels import ChannelSettings

    dataset = datasets.load_bytes(path.read_bytes(), path.name, limits=_limits())
    counts = traffic.session_counts(dataset, ChannelSettings())  # what the app caches per dataset and settings

    def run(i: int) -> Figures:
        return _mix_figures(traffic.mix(traffic.between(counts, *SESSION_PERIODS[i % 2])))

    return run


def _parquet_frame_digistrat(path: Path) -> pl.DataFrame:
    from digistrat import datasets

    return datasets.load_bytes(path.read_bytes(), path.name, limits=_limits()).frame


def _parquet_write_digistrat(path: Path) -> Run:
    frame = _parquet_frame_digistrat(path)
    target = path.with_suffix(f".{os.getpid()}.parquet")

    def run(_: int) -> Figures:
        frame.write_parquet(target)
        size = target.stat().st_size
        target.unlink()
        return {"rows": frame.height, "positive_size": float(size > 0)}

    return run


def _parquet_reload_digistrat(path: Path) -> Run:
    from digistrat.read import read_table

    target = path.with_suffix(f".{os.getpid()}.parquet")
    _parquet_frame_digistrat(path).write_parquet(target)

    def run(_: int) -> Figures:
        frame = read_table(target, limits=_limits()).frame
        return {"rows": frame.height, "sessions_2026_03": float(frame.filter(pl.col("date").dt.month() == 3).height)}

    return _removing(target, run)


def _stream_digistrat(path: Path) -> Run:
    def run(_: int) -> Figures:
        grouped = (
            pl.scan_csv(path).group_by("source", "device").agg(pl.len())
            .collect(engine="streaming")
        )
        return _stream_figures(grouped["source"].to_list(), grouped["device"].to_list(), grouped["len"].to_list())

    return run


STREAM_COPIES = 4  # the capped streaming task reads the session file this many times over


def stream_cap_mb(file_mb: float) -> float:
    """The memory cap of the capped streaming task: 0.9 × one file, below what its rows take in
    memory (0.93 × the file for the sessions as text; an eager read peaks at 1.7 ×), let alone
    four copies; never below what Python and polars need to start. The cap counts address
    space the allocator reserves too, so it must sit well above the resident peak (~0.35 GB):
    at 0.5 × the streaming run itself fails, at 0.75 × it failed once in a loaded run."""
    return max(file_mb * 0.9, 400.0)


def _cap_memory(path: Path) -> float:
    """Cap this process's data memory (RLIMIT_DATA: heap and anonymous mappings, what a frame
    needs) to `stream_cap_mb`; returns the cap in MB. RLIMIT_AS would also count the address
    space polars' threads reserve but never touch."""
    import resource

    cap = stream_cap_mb(path.stat().st_size / 1e6)
    resource.setrlimit(resource.RLIMIT_DATA, (int(cap * 1e6), int(cap * 1e6)))
    return cap


def _stream_capped_digistrat(path: Path) -> Run:
    _cap_memory(path)

    def run(_: int) -> Figures:
        grouped = (
            pl.scan_csv([path] * STREAM_COPIES).group_by("source", "device").agg(pl.len())
            .collect(engine="streaming")
        )
        return _stream_figures(grouped["source"].to_list(), grouped["device"].to_list(), grouped["len"].to_list())

    return run


def _stream_capped_eager(path: Path) -> Run:
    _cap_memory(path)

    def run(_: int) -> Figures:
        # one copy read eagerly (the usual way), counted three times: even this does not fit
        grouped = pl.read_csv(path).group_by("source", "device").agg(pl.len())
        return _stream_figures(grouped["source"].to_list(), grouped["device"].to_list(),
                               [n * STREAM_COPIES for n in grouped["len"].to_list()])

    return run


def _app_segments_digistrat(path: Path) -> Run:
    """The segments page rerun through Streamlit's AppTest (in the UI package: it imports Streamlit)."""
    from digistrat.ui.rerun_bench import segments_page_rerun

    os.environ.setdefault("DIGISTRAT_WORKSPACE", tempfile.mkdtemp(prefix="digistrat-bench-ws-"))
    return segments_page_rerun(path, (list(SURVEY_FILTERS[0]["company_size"]), []))


def _stream_figures(sources: list, devices: list, counts: list) -> Figures:
    return {f"{s}|{d}": float(n) for s, d, n in zip(sources, devices, counts)}


def _removing(target: Path, run: Run) -> Run:
    """`run`, deleting `target` once the child is done with it."""
    import atexit

    atexit.register(lambda: target.unlink(missing_ok=True))
    return run


# ---------------------------------------------------------------------------------------
# Bare polars.read_csv: the reference the ingest target is a ratio of
# ---------------------------------------------------------------------------------------


def _bare_read_csv(path: Path, separator: str = ",", encoding: str = "utf8") -> Run:
    data = path.read_bytes()

    def run(_: int) -> Figures:
        return {"rows": pl.read_csv(data, separator=separator, encoding=encoding).height}

    return run


# ---------------------------------------------------------------------------------------
# pandas: what a straightforward script does for the same interactions
# ---------------------------------------------------------------------------------------


def _pd_strip(df):  # noqa: ANN001, ANN202 - pandas frame in and out
    for column in df.columns:
        if df[column].dtype == object or str(df[column].dtype).startswith("str"):
            df[column] = df[column].str.strip().replace("", None)
    return df


def _ingest_pandas(path: Path, classify: bool) -> Run:
    import pandas as pd

    from digistrat.channels import ChannelSettings
    from digistrat.normalise import device_key, segment_key

    data = path.read_bytes()

    def run(_: int) -> Figures:
        df = _pd_strip(pd.read_csv(io.BytesIO(data)))
        if not classify:
            df["segment"] = df["segment"].map({v: segment_key(v) for v in df["segment"].dropna().unique()})
            df["weight"] = pd.to_numeric(df["weight"], errors="coerce")
            df = df[df["weight"] > 0]
            segments = df.groupby("segment").size()
            return {"rows": len(df), "weight_sum": float(df["weight"].sum()),
                    **_counts("segment", segments.index.tolist(), segments.tolist())}
        df["date"] = pd.to_datetime(df["date"], format="%Y-%m-%d")
        df["device"] = df["device"].map({v: device_key(v) for v in df["device"].dropna().unique()})
        return {"rows": len(df), **_pd_mix(df, ChannelSettings())}

    return run


def _pd_channels(df, settings):  # noqa: ANN001, ANN202 - pandas frame in, numpy array of channel keys out
    """GA4's rule chain per row with np.select; the source category is looked up per distinct source."""
    from digistrat import channels as ch

    def norm(column: str):  # noqa: ANN202
        if column not in df:
            return pd_series_of_none(len(df))
        text = df[column].astype("string").str.strip().str.lower()
        return text.mask(text.isin(ch._NO_VALUE))

    s, m, c = norm("source"), norm("medium"), norm("campaign")
    k = s.map({v: ch._effective_category(v, settings) for v in s.dropna().unique()})
    paid = m.str.match(ch.PAID_MEDIUM_RE).fillna(False).astype(bool)
    shop = c.str.match(ch.SHOPPING_CAMPAIGN_RE).fillna(False).astype(bool)
    is_k = {name: (k == name).fillna(False).astype(bool) for name in
            ("own", "shopping", "search", "social", "video", "ai_assistant", "webmail")}
    m_in = lambda values: m.isin(values).fillna(False).astype(bool)  # noqa: E731
    m_is = lambda value: (m == value).fillna(False).astype(bool)  # noqa: E731
    s_is = lambda value: (s == value).fillna(False).astype(bool)  # noqa: E731
    no_medium = m.isna().to_numpy()
    rules = [
        (s.isin(ch.direct_sources(settings)).fillna(False).to_numpy() & no_medium, "direct"),
        (is_k["own"] & (no_medium | m_is("referral")), "direct"),
        (c.str.contains("cross-network", regex=False).fillna(False).astype(bool), "cross_network"),
        (paid & (is_k["shopping"] | shop), "paid_shopping"),
        (paid & is_k["search"], "paid_search"),
        (paid & is_k["social"], "paid_social"),
        (paid & is_k["video"], "paid_video"),
        (m_in(ch._DISPLAY_MEDIA), "display"),
        (paid, "paid_other"),
        (is_k["ai_assistant"], "ai_assistants"),
        (is_k["webmail"], "email"),
        (is_k["shopping"] | shop, "organic_shopping"),
        (is_k["social"] | m_in(ch._SOCIAL_MEDIA), "organic_social"),
        (is_k["video"] | m.str.match(ch.VIDEO_MEDIUM_RE).fillna(False).astype(bool), "organic_video"),
        (is_k["search"] | m_is("organic"), "organic_search"),
        (m_in(ch._REFERRAL_MEDIA), "referral"),
        (s.isin(ch._EMAIL_VALUES).fillna(False).astype(bool) | m_in(ch._EMAIL_VALUES), "email"),
        (m_is("affiliate"), "affiliates"),
        (m_is("audio"), "audio"),
        (s_is("sms") | m_is("sms"), "sms"),
        ((m.str.endswith("push") | m.str.contains("mobile", regex=False)
          | m.str.contains("notification", regex=False)).fillna(False).astype(bool) | s_is("firebase"),
         "mobile_push_notifications"),
    ]
    return np.select([np.asarray(cond, dtype=bool) for cond, _ in rules], [key for _, key in rules],
                     default="unassigned")


def pd_series_of_none(length: int):  # noqa: ANN201
    import pandas as pd

    return pd.Series([None] * length, dtype="string")


def _read_french_pandas(path: Path) -> Run:
    import pandas as pd

    data = path.read_bytes()

    def run(_: int) -> Figures:
        df = pd.read_csv(io.BytesIO(data), sep=";", decimal=",", encoding="cp1252")
        # pandas' thousands= does not take the no-break space of a cp1252 file: strip it by hand
        budget = "budget_réseaux_sociaux"
        df[budget] = df[budget].str.replace("\u00a0", "", regex=False).astype("int64")
        for column in ("part_recherche", "part_externe", "part_directe"):
            df[column] = df[column].str.rstrip("% ").str.replace(",", ".", regex=False).astype(float)
        return _french_figures(len(df), *(float(df[c].sum()) for c in FRENCH_SUMS))

    return run


def _pd_intervals(p: np.ndarray, var: np.ndarray, rows: float, kish: float,
                  level: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    """Design-based intervals as R's svyciprop gives them for weights without clusters: logit on
    the design variance, Korn–Graubard below 30 effective respondents or 5 in the rarer answer,
    Clopper–Pearson on the Kish base at 0 % or 100 %."""
    from scipy import stats as sps

    alpha = 1 - level
    with np.errstate(invalid="ignore", divide="ignore"):
        n_eff = p * (1 - p) / var
        spread = sps.t.ppf(1 - alpha / 2, rows - 1) * np.sqrt(var) / (p * (1 - p))
        logit = np.log(p / (1 - p))
        low, high = 1 / (1 + np.exp(spread - logit)), 1 / (1 + np.exp(-logit - spread))
        exact = (n_eff < 30) | (np.minimum(p, 1 - p) * n_eff < 5)
        low = np.where(exact, sps.beta.ppf(alpha / 2, n_eff * p, n_eff * (1 - p) + 1), low)
        high = np.where(exact, sps.beta.ppf(1 - alpha / 2, n_eff * p + 1, n_eff * (1 - p)), high)
        extreme = (p <= 0) | (p >= 1)
        low = np.where(extreme, np.where(p > 0, sps.beta.ppf(alpha / 2, kish * p, kish - kish * p + 1), 0.0), low)
        high = np.where(extreme, np.where(p < 1, sps.beta.ppf(1 - alpha / 2, kish * p + 1, kish - kish * p), 1.0), high)
    return np.clip(np.minimum(low, p), 0, 1), np.clip(np.maximum(high, p), 0, 1)


def _pd_share_figures(name: str, keys, w, answered, population: int, keys_order=None) -> Figures:  # noqa: ANN001
    """Weighted shares of `keys` among the rows where `answered` (a domain of `population`
    respondents), with intervals, as figures."""
    import pandas as pd

    grouped = pd.DataFrame({"key": keys, "w": w, "w2": w * w}).groupby("key", observed=True).agg(
        size=("w", "size"), sum=("w", "sum"), sum2=("w2", "sum"))
    if keys_order is not None:
        grouped = grouped.reindex(list(keys_order), fill_value=0)
    return _pd_figures(name, grouped, w[answered], population)


def _pd_figures(name: str, grouped, w_base, population: int) -> Figures:  # noqa: ANN001
    """Figures of per-key sums (size, sum, sum2) on the base whose weights are `w_base`."""
    sum_w, sum_w2 = w_base.sum(), (w_base**2).sum()
    kish = sum_w**2 / sum_w2 if len(w_base) else 0.0
    shares = grouped["sum"].to_numpy() / sum_w if sum_w > 0 else np.full(len(grouped), np.nan)
    # with-replacement linearisation of a ratio, the domain in a sample of `population` respondents
    var = population / (population - 1) * ((1 - 2 * shares) * grouped["sum2"].to_numpy() + shares**2 * sum_w2) / sum_w**2
    shown = kish >= 10
    low, high = _pd_intervals(shares, var, len(w_base), kish) if shown else (shares * np.nan, shares * np.nan)
    out: Figures = {}
    for key, count, share, lo, hi in zip(grouped.index, grouped["size"], shares, low, high):
        out.update({f"{name}:{key}:count": float(count), f"{name}:{key}:share": share if shown else None,
                    f"{name}:{key}:ci_low": lo if shown else None, f"{name}:{key}:ci_high": hi if shown else None})
    return out


def _survey_pandas(path: Path, ranged: bool) -> Run:
    import pandas as pd
    from scipy import stats as sps

    from digistrat.segments import SEGMENT_KEYS

    df = pd.read_csv(path)
    df["segment"] = df["segment"].astype(pd.CategoricalDtype(list(SEGMENT_KEYS)))
    dimensions = ("company_size", "sector", "country")

    def run(i: int) -> Figures:
        mask = np.ones(len(df), dtype=bool)
        for column, values in SURVEY_FILTERS[i % 2].items():
            mask &= df[column].isin(values).to_numpy()
        if ranged:
            for column, (low, high) in SURVEY_RANGE.items():
                mask &= df[column].between(low, high).to_numpy()
        filtered = df[mask]
        out: Figures = {"base_rows": float(len(filtered))}
        w = filtered["weight"]
        out.update(_pd_share_figures("segment", filtered["segment"], w, filtered["segment"].notna(), len(df),
                                     SEGMENT_KEYS))
        table = pd.crosstab(filtered["segment"], filtered[dimensions[0]], values=w, aggfunc="sum").fillna(0)
        sps.chi2_contingency(table.to_numpy())
        focused = filtered[filtered["segment"] == SURVEY_FOCUS[i % 2]]
        fw = focused["weight"]
        for column in dimensions:
            out.update(_pd_share_figures(column, focused[column], fw, focused[column].notna(), len(df)))
        answered = focused["tools_used"].notna()
        chosen = focused.loc[answered, ["tools_used", "weight"]].assign(
            option=lambda d: d["tools_used"].str.split(";")).explode("option")
        chosen["option"] = chosen["option"].str.strip()
        chosen["weight2"] = chosen["weight"] ** 2
        per_option = chosen.groupby("option").agg(size=("weight", "size"), sum=("weight", "sum"), sum2=("weight2", "sum"))
        out.update(_pd_figures("multi:tools_used", per_option, fw[answered], len(df)))
        for bucket in ("search", "external", "direct"):
            values = focused[f"{bucket}_share"]
            out[f"origin:{bucket}"] = float((values * fw).sum() / fw[values.notna()].sum())
        return out

    return run


def _pd_sessions(path: Path, settings):  # noqa: ANN001, ANN202 - the classified pandas frame
    import pandas as pd

    from digistrat.normalise import device_key

    df = pd.read_csv(path)
    df["date"] = pd.to_datetime(df["date"], format="%Y-%m-%d")
    df["device"] = df["device"].map({v: device_key(v) for v in df["device"].dropna().unique()})
    if settings is not None:
        df["channel"] = _pd_channels(df, settings)
    return df


def _pd_mix(df, settings=None) -> Figures:  # noqa: ANN001
    """Sessions per channel and per device. With `settings`, the rows are first counted per
    distinct (source, medium, campaign, device) and only those combinations are classified,
    as a pandas user who knows the trick would write it; without, `channel` is a column."""
    if settings is not None:
        df = df.groupby(["source", "medium", "campaign", "device"], dropna=False).size().rename("n").reset_index()
        df["channel"] = _pd_channels(df, settings)
    sessions = df["n"] if settings is not None else None
    channels = df.groupby("channel")["n"].sum() if sessions is not None else df.groupby("channel").size()
    devices = df.groupby("device")["n"].sum() if sessions is not None else df.groupby("device").size()
    return {**_counts("channel", channels.index.tolist(), channels.tolist()),
            **_counts("device", devices.index.tolist(), devices.tolist())}


def _traffic_settings_pandas(path: Path) -> Run:
    from digistrat.channels import ChannelSettings

    df = _pd_sessions(path, None)

    def run(i: int) -> Figures:
        return _pd_mix(df, ChannelSettings(**SETTINGS_CHANGES[i % 2]))

    return run


def _traffic_period_pandas(path: Path) -> Run:
    from digistrat.channels import ChannelSettings

    df = _pd_sessions(path, ChannelSettings())

    def run(i: int) -> Figures:
        start, end = (np.datetime64(d) for d in SESSION_PERIODS[i % 2])
        return _pd_mix(df[(df["date"] >= start) & (df["date"] <= end)])

    return run


def _parquet_write_pandas(path: Path) -> Run:
    df = _pd_sessions(path, None)
    target = path.with_suffix(f".{os.getpid()}.parquet")

    def run(_: int) -> Figures:
        df.to_parquet(target)
        size = target.stat().st_size
        target.unlink()
        return {"rows": len(df), "positive_size": float(size > 0)}

    return run


def _parquet_reload_pandas(path: Path) -> Run:
    import pandas as pd

    target = path.with_suffix(f".{os.getpid()}.parquet")
    _pd_sessions(path, None).to_parquet(target)

    def run(_: int) -> Figures:
        df = pd.read_parquet(target)
        return {"rows": len(df), "sessions_2026_03": float((df["date"].dt.month == 3).sum())}

    return _removing(target, run)


def _stream_pandas(path: Path) -> Run:
    import pandas as pd

    def run(_: int) -> Figures:
        grouped = pd.read_csv(path, usecols=["source", "device"]).groupby(["source", "device"]).size()
        return _stream_figures(grouped.index.get_level_values(0).tolist(),
                               grouped.index.get_level_values(1).tolist(), grouped.tolist())

    return run


# ---------------------------------------------------------------------------------------
# Tasks
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Task:
    name: str
    what: str
    data: str  # "survey", "french" or "sessions"
    heavy: bool  # a pass over the 10 M sessions: fewer timed runs
    digistrat: Callable[[Path], Run]
    baselines: dict[str, Callable[[Path], Run]]
    baseline_may_fail: bool = False  # a baseline that cannot run is the point (memory cap)


TASKS = (
    Task("ingest_survey", "load_bytes: read + roles + normalise", "survey", False,
         lambda p: _ingest_digistrat(p, False),
         {"pandas": lambda p: _ingest_pandas(p, False), "polars.read_csv": _bare_read_csv}),
    Task("ingest_sessions", "load_bytes + channel classification", "sessions", True,
         lambda p: _ingest_digistrat(p, True),
         {"pandas": lambda p: _ingest_pandas(p, True), "polars.read_csv": _bare_read_csv}),
    Task("read_french", "read_table of a French Excel CSV (cp1252, ';', 1,5 / 12 300 / 35 %)", "french", False,
         _read_french_digistrat,
         {"pandas": _read_french_pandas,
          "polars.read_csv": lambda p: _bare_read_csv(p, ";", "utf8-lossy")}),
    Task("survey_filter", "category filter change: explore.page_view", "survey", False,
         lambda p: _survey_digistrat(p, False), {"pandas": lambda p: _survey_pandas(p, False)}),
    Task("survey_range", "category + numeric range filter change: explore.page_view", "survey", False,
         lambda p: _survey_digistrat(p, True), {"pandas": lambda p: _survey_pandas(p, True)}),
    Task("traffic_settings", "classification setting change: traffic.channel_mix", "sessions", True,
         _traffic_settings_digistrat, {"pandas": _traffic_settings_pandas}),
    Task("traffic_period", "period change on the classified data: traffic.mix(between(...))", "sessions", False,
         _traffic_period_digistrat, {"pandas": _traffic_period_pandas}),
    Task("parquet_write", "normalised sessions -> Parquet", "sessions", True,
         _parquet_write_digistrat, {"pandas": _parquet_write_pandas}),
    Task("parquet_reload", "Parquet -> frame (read_table)", "sessions", True,
         _parquet_reload_digistrat, {"pandas": _parquet_reload_pandas}),
    Task("stream_csv", "sessions per source x device straight from the CSV (streaming engine)", "sessions", True,
         _stream_digistrat, {"pandas": _stream_pandas}),
    Task("stream_capped", f"{STREAM_COPIES} x the session CSV streamed under a memory cap of 0.9 x one file",
         "sessions", True, _stream_capped_digistrat, {"polars.read_csv (same cap)": _stream_capped_eager},
         baseline_may_fail=True),
    Task("app_segments", "segments page rerun after a filter change (Streamlit AppTest, survey uploaded)",
         "survey", False, _app_segments_digistrat, {}),
)
TASK_NAMES = tuple(t.name for t in TASKS)
BROWSER = "browser"  # every task of digistrat.bench_browser


# ---------------------------------------------------------------------------------------
# Child process: time one implementation and measure its peak memory
# ---------------------------------------------------------------------------------------


def _memory_kib() -> dict[str, int]:
    with open("/proc/self/status", encoding="ascii") as status:
        return {line.split(":")[0]: int(line.split()[1]) for line in status if line.startswith(("VmHWM", "VmRSS"))}


def _reset_peak() -> bool:
    try:
        with open("/proc/self/clear_refs", "w", encoding="ascii") as handle:
            handle.write("5")
        return True
    except OSError:
        return False


def measure(task: str, impl: str, path: Path, repeats: int) -> dict:
    """Timings (s), peak memory added by a run (MB) and the figures of run 0, in this process."""
    chosen = next(t for t in TASKS if t.name == task)
    setup = chosen.digistrat if impl == "digistrat" else chosen.baselines[impl]
    run = setup(path)
    times, peaks, figures = [], [], None
    for i in range(repeats):
        gc.collect()
        resettable = _reset_peak()
        before = _memory_kib()["VmRSS"]
        start = time.perf_counter()
        result = run(i)
        times.append(time.perf_counter() - start)
        peaks.append((_memory_kib()["VmHWM"] - before) / 1024 if resettable else math.nan)
        figures = figures or result
    return {"times": times, "peak_mb": max(peaks), "figures": figures}


# ---------------------------------------------------------------------------------------
# Parent: run every job in a fresh process, compare, print
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    task: str
    rows: int
    baseline: str
    digistrat_s: float
    baseline_s: float
    digistrat_peak_mb: float
    baseline_peak_mb: float
    file_mb: float
    same: bool
    mismatch: str | None
    note: str | None = None  # e.g. why the baseline could not run

    @property
    def ratio(self) -> float:
        return self.digistrat_s / self.baseline_s if self.baseline_s > 0 else math.nan


def _child(task: str, impl: str, path: Path, repeats: int) -> dict:
    command = [sys.executable, "-m", "digistrat.bench", "--child", task, impl, str(path), str(repeats)]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{task} / {impl} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def same_figures(ours: Figures, theirs: Figures, all_keys: bool) -> str | None:
    """None when the figures agree (to 1e-9 relative), else what differs first."""
    keys = set(ours) & set(theirs)
    if all_keys and set(ours) != set(theirs):
        return f"different figures: {sorted(set(ours) ^ set(theirs))[:5]}"
    if not keys:
        return "no figure in common"
    for key in sorted(keys):
        a, b = ours[key], theirs[key]
        if a is None or b is None or (isinstance(a, float) and math.isnan(a)) or (
                isinstance(b, float) and math.isnan(b)):
            if not ((a is None or math.isnan(a)) and (b is None or math.isnan(b))):
                return f"{key}: {a} vs {b}"
        elif not math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9):
            return f"{key}: {a} vs {b}"
    return None


def run_benchmark(scale: Scale, cache: Path, tasks: tuple[str, ...] = TASK_NAMES,
                  progress: Callable[[str], None] | None = None) -> list[Row]:
    files = data_files(scale, cache)
    rows: list[Row] = []
    for task in (t for t in TASKS if t.name in tasks):
        path = files[task.data]
        repeats = scale.heavy_repeats if task.heavy else scale.repeats
        if progress:
            progress(f"{task.name}: digistrat")
        try:
            ours = _child(task.name, "digistrat", path, repeats)
        except RuntimeError as failure:  # said in the table; the other tasks still run
            rows.append(Row(task.name, scale.survey_rows if task.data != "sessions" else scale.session_rows,
                            "digistrat", math.nan, math.nan, math.nan, math.nan, path.stat().st_size / 1e6, False,
                            f"digistrat {_failure(str(failure))}"))
            continue
        row_count = scale.survey_rows if task.data != "sessions" else scale.session_rows
        file_mb = path.stat().st_size / 1e6
        if not task.baselines:
            rows.append(Row(task.name, row_count, "none", statistics.median(ours["times"]), math.nan,
                            ours["peak_mb"], math.nan, file_mb, True, None))
        for baseline in task.baselines:
            if progress:
                progress(f"{task.name}: {baseline}")
            try:
                theirs = _child(task.name, baseline, path, repeats)
            except RuntimeError as failure:
                if not task.baseline_may_fail:
                    raise
                rows.append(Row(task.name, row_count, baseline, statistics.median(ours["times"]), math.nan,
                                ours["peak_mb"], math.nan, file_mb, True, None, note=_failure(str(failure))))
                continue
            mismatch = same_figures(ours["figures"], theirs["figures"], all_keys=baseline == "pandas")
            rows.append(Row(
                task=task.name,
                rows=row_count,
                baseline=baseline,
                digistrat_s=statistics.median(ours["times"]),
                baseline_s=statistics.median(theirs["times"]),
                digistrat_peak_mb=ours["peak_mb"],
                baseline_peak_mb=theirs["peak_mb"],
                file_mb=file_mb,
                same=mismatch is None,
                mismatch=mismatch,
            ))
    return rows


def _failure(stderr: str) -> str:
    if "memory allocation" in stderr or "MemoryError" in stderr or "Cannot allocate memory" in stderr:
        return "ran out of memory"
    return "failed: " + stderr.strip().splitlines()[-1][:120]


def _seconds(value: float) -> str:
    return f"{value * 1000:.1f} ms" if value < 1 else f"{value:.2f} s"


def table(rows: list[Row]) -> str:
    lines = [
        "| task | rows | file MB | digistrat | baseline | baseline time | digistrat ÷ baseline "
        "| digistrat peak MB | baseline peak MB | same figures |",
        "|---|---:|---:|---:|---|---:|---:|---:|---:|---|",
    ]
    for r in rows:
        measured = r.note is None and r.baseline != "none"
        lines.append(
            f"| {r.task} | {r.rows:,} | {r.file_mb:.1f} | {_seconds(r.digistrat_s)} | {r.baseline} | "
            f"{_seconds(r.baseline_s) if measured else r.note or '—'} | {f'{r.ratio:.2f}' if measured else '—'} | "
            f"{r.digistrat_peak_mb:.0f} | {f'{r.baseline_peak_mb:.0f}' if measured else '—'} | "
            f"{('yes' if r.same else 'NO: ' + str(r.mismatch)) if measured else '—'} |"
        )
    return "\n".join(lines)


TIME_TARGETS = {"survey_filter": 0.050, "survey_range": 0.050, "traffic_settings": 0.5, "traffic_period": 0.100,
                "app_segments": 0.200}


def targets(rows: list[Row]) -> list[tuple[str, str, bool]]:
    """(target, measured, met) for each target of issue 7 the rows can judge."""
    out = []
    for r in rows:
        if r.baseline == "polars.read_csv" and r.task.startswith("ingest"):
            out.append((f"{r.task} ≤ 1.5 × polars.read_csv", f"{r.ratio:.2f} ×", r.ratio <= 1.5))
            out.append((f"{r.task} peak ≤ 1.5 × file size ({r.file_mb:.0f} MB)",
                        f"{r.digistrat_peak_mb / r.file_mb:.2f} × ({r.digistrat_peak_mb:.0f} MB)",
                        r.digistrat_peak_mb <= 1.5 * r.file_mb))
        if r.baseline in ("pandas", "none") and r.task in TIME_TARGETS:
            limit = TIME_TARGETS[r.task]
            out.append((f"{r.task} ≤ {_seconds(limit)}", _seconds(r.digistrat_s), r.digistrat_s <= limit))
        if r.task == "stream_capped":
            cap = stream_cap_mb(r.file_mb)
            out.append((f"{STREAM_COPIES} × {r.file_mb:.0f} MB streamed under a {cap:.0f} MB cap",
                        f"{_seconds(r.digistrat_s)}, peak {r.digistrat_peak_mb:.0f} MB; eager read: "
                        f"{r.note or _seconds(r.baseline_s)}", math.isfinite(r.digistrat_s)))
        if r.baseline == "pandas" and not r.task.startswith("parquet"):
            out.append((f"{r.task} ≥ 3 × faster than pandas", f"{1 / r.ratio:.1f} ×", 1 / r.ratio >= 3))
    return out


def _machine() -> str:
    import pandas as pd

    model = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                  if line.startswith("model name")), "unknown CPU")
    memory = next((int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines()
                   if line.startswith("MemTotal")), 0)
    return (f"{os.cpu_count()} cores ({model}), {memory / 1024**2:.1f} GB RAM, Python {sys.version.split()[0]}, "
            f"polars {pl.__version__}, pandas {pd.__version__}, numpy {np.__version__}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m digistrat.bench", description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", choices=tuple(SCALES), default="small")
    parser.add_argument("--tasks", nargs="+", choices=(*TASK_NAMES, BROWSER), default=[*TASK_NAMES, BROWSER])
    parser.add_argument("--cache", type=Path, default=DEFAULT_CACHE, help="folder for the generated CSVs")
    parser.add_argument("--json", action="store_true", help="print the rows as JSON instead of a table")
    parser.add_argument("--child", nargs=4, metavar=("TASK", "IMPL", "PATH", "REPEATS"), help=argparse.SUPPRESS)
    parser.add_argument("--engines", nargs="+", metavar="EVENTS",
                        help="instead: the GA4 origin cube over generated exports of these sizes (1M 10M 100M) "
                             "on polars, DuckDB and Spark local (digistrat.bench_engines)")
    parser.add_argument("--engine-list", nargs="+", default=None, help="with --engines: which of "
                        "polars, 'polars (budget)', duckdb, spark")
    parser.add_argument("--memory", action="store_true", help="instead: the server's memory after browser sessions "
                        "upload and leave (digistrat.bench_soak; its options follow, e.g. --sessions 4 --file-mb 50)")
    parser.add_argument("--soak", action="store_true", help="instead: browser sessions looping against one server "
                        "(digistrat.bench_soak; e.g. --sessions 4 --minutes 5)")
    args, rest = parser.parse_known_args(argv)
    if args.memory or args.soak:
        from digistrat import bench_soak

        return bench_soak.main(["memory" if args.memory else "soak", "--cache", str(args.cache), *rest])
    if rest:
        parser.error(f"unrecognized arguments: {' '.join(rest)}")
    if args.engines:
        from digistrat import bench_engines

        return bench_engines.main(args.engines, args.engine_list or list(bench_engines.ENGINE_LIST), args.cache)
    if args.child:
        task, impl, path, repeats = args.child
        print(json.dumps(measure(task, impl, Path(path), int(repeats))))
        return 0
    scale = SCALES[args.scale]
    load = os.getloadavg()[0]
    progress = lambda step: print(f"… {step}", file=sys.stderr, flush=True)  # noqa: E731
    rows = run_benchmark(scale, args.cache, tuple(args.tasks), progress=progress)
    browser = None
    if BROWSER in args.tasks:
        from digistrat import bench_browser

        files = data_files(scale, args.cache)
        browser = bench_browser.run_browser(bench_browser.BROWSER_SCALES[args.scale], files["survey"],
                                            files["sessions"], args.cache, progress)
    ok = all(r.same for r in rows) and (browser is None or bench_browser.measured_everything(browser))
    if args.json:
        print(json.dumps({"rows": [r.__dict__ for r in rows],
                          "browser": None if browser is None else dataclasses.asdict(browser)}, indent=1))
        return 0 if ok else 1
    print(f"Machine: {_machine()}; load average {load:.2f} at the start, {os.getloadavg()[0]:.2f} at the end")
    print(f"Scale: {args.scale} ({scale.survey_rows:,} survey rows, {scale.session_rows:,} sessions); "
          f"medians of {scale.repeats} runs ({scale.heavy_repeats} for whole-file tasks)\n")
    print(table(rows))
    print("\n| target (issue 7) | measured | met |\n|---|---:|---|")
    for what, measured, met in targets(rows):
        print(f"| {what} | {measured} | {'yes' if met else 'no'} |")
    if browser is not None:
        print("\n" + bench_browser.tables(browser))
        print("\n| target (issue 13) | measured | met |\n|---|---:|---|")
        for what, measured, met in bench_browser.targets(browser):
            print(f"| {what} | {measured} | {'yes' if met else 'no'} |")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

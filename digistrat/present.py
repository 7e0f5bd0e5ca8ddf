"""What people read: the core's results as labelled tables and chart frames in one language.

No Streamlit here: the pages, the CLI's text output and the report call these functions, so
a figure is written the same way wherever it appears. Numbers go through the catalog's
formatters (`digistrat.i18n`); a computed share's decimals follow its base
(`i18n.share_decimals`), a published share keeps its own precision.

Two kinds of frames come out:

- *tables*: column names are the headings people read, every cell is text (as on screen);
- *chart frames*: numbers in points for the marks (`share`, `ci_low`...) and, beside them,
  the same figures as text (`share_text`, `text`) for labels and tooltips.

Which difference counts (direction, strength of a link) is decided in the core
(`explore.direction`, `explore.association_strength`); this module only words it.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import polars as pl

from digistrat import explore, stats
from digistrat.channels import BUCKET_KEYS, CHANNEL_KEYS, ChannelSettings, bucket_of, strategy_of
from digistrat.i18n import (
    NONE,
    format_date,
    format_interval,
    format_level,
    format_month,
    format_number,
    format_p,
    format_percent,
    format_signed,
    interval_heading,
    label,
    p_clause,
    published_decimals,
    share_decimals,
)
from digistrat.query import FilterSpec
from digistrat.segments import SEGMENT_BY_KEY

Labeller = Callable[[str], str]


# ---------------------------------------------------------------- names of things


def segment_label(key: str, lang: str) -> str:
    segment = SEGMENT_BY_KEY.get(key)
    return segment.label(lang) if segment else key


def key_label(prefix: str, key: str, lang: str) -> str:
    """A canonical key's label (`channel.organic_search`, `device.mobile`...)."""
    return label(f"{prefix}.{key}", lang)


def flag_text(flag: str | None, lang: str) -> str:
    return {stats.FLAG_LOW: label("seg.flag.low", lang), stats.FLAG_SUPPRESSED: label("seg.flag.suppressed", lang)}.get(
        flag or "", ""
    )


_LEADING_NUMBER = re.compile(r"^\s*[<>≤≥+]?\s*(\d[\d\s\u202f\u00a0,]*(?:\.\d+)?)")


def _leading_number(text: str) -> float | None:
    match = _LEADING_NUMBER.match(str(text))
    if not match:
        return None
    digits = re.sub(r"[\s\u202f\u00a0,]", "", match[1])
    try:
        return float(digits)
    except ValueError:
        return None


def category_order(keys: Sequence[str]) -> list[str]:
    """Ordered categories in their own order: when every value starts with a number (company
    sizes "1-9", "10-49", "1000+"; scores), by that number; otherwise as given."""
    numbers = [_leading_number(k) for k in keys]
    if not keys or any(n is None for n in numbers):
        return list(keys)
    return [k for _, _, k in sorted(zip(numbers, [len(str(k)) for k in keys], keys))]


def ordered(frame: pl.DataFrame, column: str = "key") -> pl.DataFrame:
    """The rows of `frame` with `column` in `category_order` (unchanged when not ordered)."""
    keys = [str(k) for k in frame[column].to_list()]
    order = category_order(keys)
    if order == keys:
        return frame
    position = {k: i for i, k in enumerate(order)}
    return frame.with_row_index("_row").sort(
        pl.col(column).cast(pl.String).replace_strict(position, default=len(position)), "_row"
    ).drop("_row")


# ---------------------------------------------------------------- sentences


def count_sentence(n: int, total: int, lang: str) -> str:
    return label("filters.count", lang, n=format_number(n, lang), total=format_number(total, lang))


def design_sentence(
    table: stats.ShareTable, weighted: bool, weight: str | None, lang: str, *,
    psu: str | None = None, stratum: str | None = None,
) -> str:
    """How the figures are weighted, with the design effect and the effective base, and the
    sampling design's clusters and strata when the file names them."""
    if weighted and table.deff is not None:
        sentence = label("seg.design", lang, weight=weight, deff=format_number(table.deff, lang, 2),
                         n_eff=format_number(table.n_eff, lang, 1), n=format_number(table.base_rows, lang))
    else:
        sentence = label("seg.unweighted", lang)
    if psu or stratum:
        sentence += " " + label("seg.design_clusters", lang, psu=psu or NONE, stratum=stratum or NONE)
    return sentence


def interval_methods(rows: pl.DataFrame, lang: str) -> str:
    """Which interval each share has (`method` of share_rows), in one sentence: the choice
    depends on the base, so a table can hold two."""
    methods = [m for m in dict.fromkeys(rows["method"].to_list()) if m]
    if not methods:
        return ""
    return label("seg.interval_methods", lang, methods="; ".join(label(f"interval.{m}", lang) for m in methods))


def difference_legend(level: float, lang: str) -> str:
    """What the dots, lines and colours of a difference chart mean."""
    return label("chart.difference_legend", lang, level=format_level(level, lang))


def share_legend(level: float, lang: str) -> str:
    """What the lines and pale bars of a share chart mean."""
    return label("chart.share_legend", lang, level=format_level(level, lang))


# ---------------------------------------------------------------- shares of one question


SHARE_ROW_SCHEMA = {
    "key": pl.String, "label": pl.String, "share": pl.Float64, "ci_low": pl.Float64, "ci_high": pl.Float64,
    "flag": pl.String, "share_text": pl.String, "interval": pl.String, "base_text": pl.String, "note": pl.String,
    "text": pl.String, "deff_text": pl.String, "n_eff_text": pl.String, "method": pl.String,
}


def share_rows(
    table: stats.ShareTable, lang: str, label_of: Labeller = str, *, natural_order: bool = False
) -> pl.DataFrame:
    """A share table as a chart frame (SHARE_ROW_SCHEMA): shares in points with their
    interval, the base and a note, each also as text; `text` is the bar's label (the share,
    or why it is missing). Decimals follow the table's effective base. `natural_order`:
    ordered categories (sizes, scores) in their order rather than by share."""
    rows = ordered(table.rows) if natural_order else table.rows
    decimals = share_decimals(table.n_eff)
    shares = [None if v is None else v * 100 for v in rows["share"].to_list()]
    lows = [None if v is None else v * 100 for v in rows["ci_low"].to_list()]
    highs = [None if v is None else v * 100 for v in rows["ci_high"].to_list()]
    flags = rows["flag"].to_list()
    share_text = [format_percent(s, lang, decimals) for s in shares]
    notes = [flag_text(f, lang) for f in flags]
    return pl.DataFrame(
        {
            "key": [str(k) for k in rows["key"].to_list()],
            "label": [label_of(str(k)) for k in rows["key"].to_list()],
            "share": shares,
            "ci_low": lows,
            "ci_high": highs,
            "flag": flags,
            "share_text": share_text,
            "interval": [format_interval(lo, hi, lang, decimals) for lo, hi in zip(lows, highs)],
            "base_text": [format_number(c, lang) for c in rows["count"].to_list()],
            "note": notes,
            "text": [s if s != NONE else n for s, n in zip(share_text, notes)],
            # each figure's own design effect and effective base, when its variance is the design's
            "deff_text": [format_number(v, lang, 2) if table.design_based else "" for v in rows["deff"].to_list()],
            "n_eff_text": [format_number(v, lang, 1) if table.design_based else "" for v in rows["n_eff"].to_list()],
            "method": rows["method"].to_list(),
        },
        schema=SHARE_ROW_SCHEMA,
    )


def share_table(rows: pl.DataFrame, lang: str, level: float, first: str) -> pl.DataFrame:
    """The table beside a share chart: category, share, interval, base, design effect and
    effective base (design-based figures only), note."""
    design = [
        pl.col("deff_text").alias(label("seg.col.deff", lang)), pl.col("n_eff_text").alias(label("seg.col.n_eff", lang)),
    ] if "deff_text" in rows.columns and rows["deff_text"].ne("").any() else []
    return rows.select(
        pl.col("label").alias(first),
        pl.col("share_text").alias(label("column.share", lang)),
        pl.col("interval").alias(interval_heading(level, lang)),
        pl.col("base_text").alias(label("column.base", lang)),
        *design,
        pl.col("note").alias(label("seg.col.note", lang)),
    )


def published_rows(frame: pl.DataFrame, lang: str, label_of: Labeller) -> pl.DataFrame:
    """Published shares (key, share in points) as a chart frame, each at its own precision."""
    shares = frame["share"].to_list()
    return pl.DataFrame(
        {
            "key": frame["key"].to_list(),
            "label": [label_of(k) for k in frame["key"].to_list()],
            "share": shares,
            "share_text": [format_percent(v, lang, published_decimals(v)) for v in shares],
        },
        schema={"key": pl.String, "label": pl.String, "share": pl.Float64, "share_text": pl.String},
    )


def published_table(rows: pl.DataFrame, lang: str, first: str, extra: Mapping[str, Sequence[str]] = {}) -> pl.DataFrame:
    table = rows.select(pl.col("label").alias(first), pl.col("share_text").alias(label("column.share", lang)))
    return table.with_columns(*(pl.Series(name, list(values)) for name, values in extra.items()))


def segment_shares_table(shares: Any, lang: str, level: float = 0.95) -> pl.DataFrame:
    """`datasets.SegmentShares` (upload preview, CLI): segment, share, interval and base when known.

    Respondents' shares take the decimals of their effective base, a table's counts of their
    sum; a table of shares only keeps each share's own precision."""
    rows = shares.rows
    base = shares.n_eff if shares.weighted and shares.n_eff is not None else shares.base
    points = [None if v is None else v * 100 for v in rows["share"].to_list()]
    decimals = [share_decimals(base) if base is not None else published_decimals(p or 0) for p in points]
    frame: dict[str, list[str]] = {
        label("column.segment", lang): [segment_label(k, lang) for k in rows["key"].to_list()],
        label("column.share", lang): [format_percent(p, lang, d) for p, d in zip(points, decimals)],
    }
    if shares.base is not None:
        frame[interval_heading(level, lang)] = [
            format_interval(None if lo is None else lo * 100, None if hi is None else hi * 100, lang, d)
            for lo, hi, d in zip(rows["ci_low"].to_list(), rows["ci_high"].to_list(), decimals)
        ]
        frame[label("column.base", lang)] = [format_number(c, lang) for c in rows["count"].to_list()]
    return pl.DataFrame(frame, schema={name: pl.String for name in frame})


# ---------------------------------------------------------------- crosstab


@dataclass(frozen=True)
class CrosstabView:
    """A crosstab in words: `grid` for the heatmap (row_label, column_label, share, text,
    verdict), `table` (segments × answers with a base row), `notes` (what is shown, the test,
    the correction) and `markers` (one sentence per significant cell)."""

    grid: pl.DataFrame
    table: pl.DataFrame
    notes: tuple[str, ...]
    markers: tuple[str, ...]


MARKERS = {explore.HIGHER: "▲", explore.LOWER: "▼"}


def crosstab_view(
    table: stats.Crosstab, lang: str, dimension: str, focus: Sequence[str] = ()
) -> CrosstabView:
    """`dimension`: the question's title. Columns in natural order when the answers are ordered."""
    alpha = format_number(1 - table.level, lang, 2)
    bases = table.column_bases
    decimals = {c: share_decimals(n) for c, n in zip(bases["column"].to_list(), bases["n_eff"].to_list())}
    columns = category_order([str(c) for c in bases["column"].to_list()])
    cells = table.cells.filter(pl.col("row").is_in(list(focus))) if focus else table.cells
    row_position = {r: i for i, r in enumerate(dict.fromkeys(cells["row"].to_list()))}
    column_position = {c: i for i, c in enumerate(columns)}
    cells = cells.sort(
        pl.col("row").cast(pl.String).replace_strict(row_position, default=len(row_position)),
        pl.col("column").cast(pl.String).replace_strict(column_position, default=len(column_position)),
    )
    verdicts = {
        explore.HIGHER: label("seg.xt.higher", lang, dimension=dimension, alpha=alpha),
        explore.LOWER: label("seg.xt.lower", lang, dimension=dimension, alpha=alpha),
    }
    shares = [None if s is None else s * 100 for s in cells["column_share"].to_list()]
    directions = cells["direction"].to_list()
    texts = [
        format_percent(s, lang, decimals[c]) + (f" {MARKERS[d]}" if d in MARKERS else "")
        for s, d, c in zip(shares, directions, cells["column"].to_list())
    ]
    grid = pl.DataFrame(
        {
            "row_label": [segment_label(k, lang) for k in cells["row"].to_list()],
            "column_label": [str(c) for c in cells["column"].to_list()],
            "share": shares,
            "text": texts,
            "verdict": [verdicts.get(d, "") for d in directions],
        },
        schema={"row_label": pl.String, "column_label": pl.String, "share": pl.Float64, "text": pl.String,
                "verdict": pl.String},
    )
    wide = grid.pivot(on="column_label", index="row_label", values="text", maintain_order=True)
    base_of = {str(c): (n, f) for c, n, f in zip(bases["column"].to_list(), bases["count"].to_list(),
                                                bases["flag"].to_list())}
    base_row = {"row_label": label("seg.xt.base_row", lang)} | {
        c: format_number(base_of[c][0], lang) + (f" ({flag_text(base_of[c][1], lang)})" if flag_text(base_of[c][1], lang) else "")
        for c in wide.columns[1:]
    }
    wide = pl.concat([wide, pl.DataFrame([base_row], schema=wide.schema)]).rename(
        {"row_label": label("column.segment", lang)}
    )
    notes = [label("seg.xt.caption", lang, dimension=dimension)]
    v = format_number(table.cramers_v, lang, 3)
    strength = label(f"strength.{explore.association_strength(table.cramers_v)}", lang)
    test = label(f"test.{table.test}", lang) if table.test else ""
    if table.reason is not None:  # a test applies but cannot run on these data
        notes.append(label("seg.xt.not_computable", lang, test=test, reason=label(f"reason.{table.reason}", lang),
                           v=v, strength=strength))
    elif table.test is None:
        notes.append(label("seg.xt.no_test", lang))
    elif table.test == stats.TEST_FISHER:
        notes.append(label("seg.xt.fisher", lang, test=test, p=p_clause(table.p_value, lang), v=v, strength=strength))
    elif table.test == stats.TEST_RAO_SCOTT:
        notes.append(label(
            "seg.xt.test_f", lang, test=test, statistic=format_number(table.statistic, lang, 2),
            ndf=format_number(table.ndf, lang, 2), ddf=format_number(table.ddf, lang, 1),
            p=p_clause(table.p_value, lang), v=v, strength=strength,
        ))
    else:
        notes.append(label(
            "seg.xt.test_chisq", lang, test=test, statistic=format_number(table.statistic, lang, 2), dof=table.dof,
            p=p_clause(table.p_value, lang), v=v, strength=strength,
        ))
    if table.test is not None and table.sparse:
        notes.append(label("seg.xt.sparse", lang))
    notes.append(label("seg.xt.tests", lang, dimension=dimension, alpha=alpha, n=format_number(table.n_tests, lang)))
    if table.cell_test:
        notes.append(label("seg.xt.cell_test", lang, cell_test=label(f"cell_test.{table.cell_test}", lang)))
    markers = tuple(
        label("seg.xt.marker_line", lang, segment=r["row_label"], value=r["column_label"], share=r["text"],
              verdict=r["verdict"])
        for r in grid.filter(pl.col("verdict") != "").iter_rows(named=True)
    )
    return CrosstabView(grid, wide, tuple(notes), markers)


# ---------------------------------------------------------------- differences


def verdict(direction: str | None, lang: str) -> str:
    """The verdict of one difference, as the core decided it (explore.direction)."""
    return label(f"seg.verdict.{direction or 'untested'}", lang)


def difference_rows(
    frame: pl.DataFrame, lang: str, *, value: str = "share", decimals: Sequence[int] | int = 1
) -> pl.DataFrame:
    """Chart frame of differences (label, diff, ci_low, ci_high, direction, text), tested rows only."""
    places = list(decimals) if isinstance(decimals, Sequence) else [decimals] * frame.height
    tested = [i for i, d in enumerate(frame["diff"].to_list()) if d is not None]
    picked = frame[tested]
    kept = [places[i] for i in tested]
    return pl.DataFrame(
        {
            "label": picked["label"].to_list(),
            "diff": picked["diff"].to_list(),
            "ci_low": picked["ci_low"].to_list(),
            "ci_high": picked["ci_high"].to_list(),
            "direction": picked["direction"].to_list(),
            "text": [format_signed(v, lang, d) for v, d in zip(picked["diff"].to_list(), kept)],
        },
        schema={"label": pl.String, "diff": pl.Float64, "ci_low": pl.Float64, "ci_high": pl.Float64,
                "direction": pl.String, "text": pl.String},
    )


def differences_table(
    frame: pl.DataFrame,
    lang: str,
    *,
    first: str,
    a: str,
    b: str,
    level: float,
    value: str = "share",
    decimals_a: Sequence[int],
    decimals_b: Sequence[int],
) -> pl.DataFrame:
    """A comparison as a table: label, A, B, difference, its interval, p after correction, verdict.

    `frame`: label, {value}_a, {value}_b (points), diff, ci_low, ci_high, p_adjusted, direction.
    A difference takes the decimals of the less precise of its two shares."""
    diff_decimals = [min(x, y) for x, y in zip(decimals_a, decimals_b)]
    return pl.DataFrame(
        {
            first: frame["label"].to_list(),
            a: [format_percent(v, lang, d) for v, d in zip(frame[f"{value}_a"].to_list(), decimals_a)],
            b: [format_percent(v, lang, d) for v, d in zip(frame[f"{value}_b"].to_list(), decimals_b)],
            label("seg.col.difference", lang): [
                format_signed(v, lang, d) for v, d in zip(frame["diff"].to_list(), diff_decimals)
            ],
            interval_heading(level, lang): [
                format_interval(lo, hi, lang, d, signed=True)
                for lo, hi, d in zip(frame["ci_low"].to_list(), frame["ci_high"].to_list(), diff_decimals)
            ],
            label("seg.col.p_adjusted", lang): [format_p(v, lang) for v in frame["p_adjusted"].to_list()],
            label("seg.col.verdict", lang): [verdict(d, lang) for d in frame["direction"].to_list()],
        },
        schema={name: pl.String for name in (first, a, b)} | {
            label("seg.col.difference", lang): pl.String, interval_heading(level, lang): pl.String,
            label("seg.col.p_adjusted", lang): pl.String, label("seg.col.verdict", lang): pl.String,
        },
    )


def _precision(values: Sequence[float | None]) -> list[int]:
    return [share_decimals(v) for v in values]


@dataclass(frozen=True)
class ComparisonView:
    """A comparison of segment shares: the table, its chart frame, the names of both sides, notes."""

    table: pl.DataFrame
    chart: pl.DataFrame
    a: str
    b: str
    notes: tuple[str, ...]


def comparison_view(
    result: explore.Comparison, lang: str, level: float, focus: Sequence[str] = (), published_n: float | None = None
) -> ComparisonView:
    if result.against_reference:
        a, b = label("series.data", lang), label("series.reference", lang)
    else:
        a, b = label("seg.cmp.group_a", lang), label("seg.cmp.group_b", lang)
    frame = result.rows.with_columns(
        pl.Series("label", [segment_label(k, lang) for k in result.rows["key"].to_list()], dtype=pl.String)
    )
    if focus:
        frame = frame.filter(pl.col("key").is_in(list(focus)))
    decimals_a = _precision([result.n_eff_a] * frame.height)
    if result.against_reference:
        decimals_b = [published_decimals(v or 0) for v in frame["share_b"].to_list()]
    else:
        decimals_b = _precision([result.n_eff_b] * frame.height)
    table = differences_table(frame, lang, first=label("column.segment", lang), a=a, b=b, level=level,
                              decimals_a=decimals_a, decimals_b=decimals_b)
    chart = difference_rows(frame, lang, decimals=[min(x, y) for x, y in zip(decimals_a, decimals_b)])
    if result.against_reference:
        bases = label("seg.cmp.bases_reference", lang, a=a, n_a=format_number(result.rows_a, lang),
                      e_a=format_number(result.n_eff_a, lang, 1), b=b, n=format_number(published_n, lang))
    else:
        bases = label("seg.cmp.bases", lang, a=a, b=b, n_a=format_number(result.rows_a, lang),
                      e_a=format_number(result.n_eff_a, lang, 1), n_b=format_number(result.rows_b, lang),
                      e_b=format_number(result.n_eff_b, lang, 1))
    methods = set(result.rows["method"].drop_nulls().to_list()) if "method" in result.rows.columns else set()
    tests = ("seg.cmp.tests_design" if "design_t" in methods
             else "seg.cmp.tests_reference_design" if "newcombe_design" in methods else "seg.cmp.tests")
    notes = [bases, label(tests, lang, level=format_level(level, lang), n=format_number(result.n_tests, lang))]
    if result.against_reference:
        notes.append(label("seg.cmp.caveat", lang, n=format_number(published_n, lang)))
    notes.append(difference_legend(level, lang))
    return ComparisonView(table, chart, a, b, tuple(notes))


# ---------------------------------------------------------------- channels of each segment


@dataclass(frozen=True)
class OriginMeansView:
    chart: pl.DataFrame  # group, bucket, mean, ci_low, ci_high, text
    table: pl.DataFrame
    group_order: tuple[str, ...]
    bucket_order: tuple[str, ...]
    contrast: pl.DataFrame | None  # table of the pair's differences
    contrast_chart: pl.DataFrame | None
    a: str | None
    b: str | None


def origin_means_view(result: explore.OriginMeans, lang: str, level: float, focus: Sequence[str] = ()) -> OriginMeansView:
    buckets = {b: key_label("bucket", b, lang) for b in explore.BUCKETS}
    mix = result.mix
    if focus:
        mix = mix.filter(pl.col("segment").is_in([*focus, explore.ALL]))
    group = [label("seg.ch.all", lang) if k == explore.ALL else segment_label(k, lang) for k in mix["segment"].to_list()]
    decimals = _precision(mix["n_eff"].to_list())
    means, lows, highs = mix["mean"].to_list(), mix["ci_low"].to_list(), mix["ci_high"].to_list()
    mean_text = [format_percent(m, lang, d) for m, d in zip(means, decimals)]
    chart = pl.DataFrame(
        {
            "group": group,
            "bucket": [buckets[b] for b in mix["bucket"].to_list()],
            "mean": means,
            "ci_low": lows,
            "ci_high": highs,
            "text": [f"{m} ({format_interval(lo, hi, lang, d)})" if m != NONE else m
                     for m, lo, hi, d in zip(mean_text, lows, highs, decimals)],
        },
        schema={"group": pl.String, "bucket": pl.String, "mean": pl.Float64, "ci_low": pl.Float64,
                "ci_high": pl.Float64, "text": pl.String},
    )
    table = pl.DataFrame(
        {
            label("column.segment", lang): group,
            label("column.channel", lang): chart["bucket"].to_list(),
            label("seg.col.mean", lang): mean_text,
            interval_heading(level, lang): [format_interval(lo, hi, lang, d) for lo, hi, d in zip(lows, highs, decimals)],
            label("column.base", lang): [format_number(n, lang) for n in mix["n"].to_list()],
            label("seg.col.note", lang): [flag_text(f, lang) for f in mix["flag"].to_list()],
        }
    )
    contrast = contrast_chart = a = b = None
    if result.pair is not None and result.contrast is not None:
        a, b = (segment_label(k, lang) for k in result.pair)
        n_eff = {(s, k): n for s, k, n in zip(result.mix["segment"].to_list(), result.mix["bucket"].to_list(),
                                              result.mix["n_eff"].to_list())}
        frame = result.contrast.with_columns(pl.col("bucket").replace_strict(buckets).alias("label"))
        keys = result.contrast["bucket"].to_list()
        decimals_a = _precision([n_eff.get((result.pair[0], k)) for k in keys])
        decimals_b = _precision([n_eff.get((result.pair[1], k)) for k in keys])
        contrast = differences_table(frame, lang, first=label("column.channel", lang), a=a, b=b, level=level,
                                     value="mean", decimals_a=decimals_a, decimals_b=decimals_b)
        contrast_chart = difference_rows(frame, lang, decimals=[min(x, y) for x, y in zip(decimals_a, decimals_b)])
    return OriginMeansView(chart, table, tuple(dict.fromkeys(group)), tuple(buckets.values()), contrast,
                           contrast_chart, a, b)


# ---------------------------------------------------------------- profile of one segment


@dataclass(frozen=True)
class ProfileView:
    name: str  # the segment's label
    table: pl.DataFrame
    chart: pl.DataFrame  # the largest tested differences (difference_rows)
    strengths: pl.DataFrame  # one row per question: Cramér's V, its word, the test, p
    caption: str


def profile_view(result: explore.Profile, lang: str, level: float, title_of: Labeller, largest: int = 12) -> ProfileView:
    name = segment_label(result.segment, lang)
    buckets = {b: key_label("bucket", b, lang) for b in explore.BUCKETS}
    rows = result.rows
    questions = [title_of(d) if kind != "channel" else label("column.channels", lang)
                 for kind, d in zip(rows["kind"].to_list(), rows["dimension"].to_list())]
    answers = [buckets.get(k, k) if kind == "channel" else k for kind, k in zip(rows["kind"].to_list(), rows["key"].to_list())]
    frame = rows.rename({"share": "share_a", "rest": "share_b"}).with_columns(
        pl.Series("label", answers, dtype=pl.String), pl.Series("question", questions, dtype=pl.String),
    )
    decimals_a = _precision(rows["n_eff"].to_list())
    decimals_b = _precision(rows["rest_n_eff"].to_list())
    rest = label("seg.rest", lang)
    table = differences_table(frame, lang, first=label("seg.col.answer", lang), a=name, b=rest, level=level,
                              decimals_a=decimals_a, decimals_b=decimals_b)
    table = pl.concat([pl.DataFrame({label("seg.col.question", lang): questions}, schema={label("seg.col.question", lang): pl.String}), table],
                      how="horizontal")
    top = frame.with_columns((pl.col("question") + " · " + pl.col("label")).alias("label"))
    chart = difference_rows(top, lang, decimals=[min(x, y) for x, y in zip(decimals_a, decimals_b)]).head(largest)
    dims = result.dimensions
    strengths = pl.DataFrame(
        {
            label("seg.col.question", lang): [title_of(d) for d in dims["dimension"].to_list()],
            label("seg.col.cramers_v", lang): [format_number(v, lang, 3) for v in dims["cramers_v"].to_list()],
            label("seg.col.strength", lang): [
                label(f"strength.{s}", lang) if (s := explore.association_strength(v)) else NONE
                for v in dims["cramers_v"].to_list()
            ],
            label("seg.col.test", lang): [label(f"test.{x}", lang) if x else NONE for x in dims["test"].to_list()],
            label("seg.col.p", lang): [format_p(v, lang) for v in dims["p_value"].to_list()],
        },
        schema={name_: pl.String for name_ in (label("seg.col.question", lang), label("seg.col.cramers_v", lang),
                                               label("seg.col.strength", lang), label("seg.col.test", lang),
                                               label("seg.col.p", lang))},
    )
    caption = label("seg.pr.caption", lang, segment=name, n=format_number(result.n_tests, lang))
    return ProfileView(name, table, chart, strengths, caption)


# ---------------------------------------------------------------- filters and settings in words


def filters_in_words(
    spec: FilterSpec, focus: Sequence[str], thresholds: stats.Thresholds, lang: str, title_of: Labeller
) -> list[tuple[str, str]]:
    """The filters and settings in force, as (what, value) lines (the report's list)."""
    words = []
    for column, values in spec.include:
        if column == "segment":
            words.append((label("filters.segments", lang), ", ".join(segment_label(v, lang) for v in values)))
        else:
            words.append((title_of(column), ", ".join(category_order(list(values)))))
    for column, values in spec.any_of:
        words.append((title_of(column), label("report.any_of", lang, values=", ".join(values))))
    for column, (low, high) in spec.ranges:
        words.append((title_of(column), label(
            "report.range", lang, low=format_number(low, lang, 0 if float(low).is_integer() else 2),
            high=format_number(high, lang, 0 if float(high).is_integer() else 2),
        )))
    if focus:
        words.append((label("report.focus", lang), ", ".join(segment_label(k, lang) for k in focus)))
    words.append((label("seg.level", lang), format_level(thresholds.level, lang)))
    words.append((label("seg.min_base", lang), format_number(thresholds.min_base, lang)))
    words.append((label("seg.low_base", lang), format_number(thresholds.low_base, lang)))
    return words


# ---------------------------------------------------------------- sources


def source_lines(meta: Mapping[str, Any], lang: str) -> list[str]:
    """A dataset's provenance in words: source, date, population, published base."""
    source = meta["source"]
    lines = [label("source.line", lang, source=source[lang] if isinstance(source, Mapping) else source)]
    if meta.get("date"):
        lines.append(label("source.date", lang, date=provenance_date(meta["date"], lang)))
    if meta.get("population"):
        lines.append(label("source.population", lang, population=meta["population"][lang]))
    if meta.get("published_n"):
        lines.append(label("source.published_n", lang, n=format_number(meta["published_n"], lang)))
    return lines


def provenance_date(text: str, lang: str) -> str:
    """A provenance date ("2014-12" or "2014-12-05") in words ("December 2014", "décembre 2014")."""
    parts = [int(p) for p in str(text).split("-")]
    if len(parts) == 2:
        return format_month(dt.date(parts[0], parts[1], 1), lang)
    if len(parts) == 3:
        return format_date(dt.date(*parts), lang)
    return str(text)


# ---------------------------------------------------------------- traffic


def traffic_rows(frame: pl.DataFrame, prefix: str, lang: str) -> pl.DataFrame:
    """`traffic.shares`-like frame (key, sessions, share 0–1) as a chart frame: label, sessions,
    share in points, share_text (decimals from the total sessions), sessions_text."""
    decimals = share_decimals(float(frame["sessions"].sum()) if frame.height else 0)
    shares = [v * 100 for v in frame["share"].to_list()]
    return pl.DataFrame(
        {
            "key": frame["key"].to_list(),
            "label": [key_label(prefix, k, lang) for k in frame["key"].to_list()],
            "sessions": frame["sessions"].to_list(),
            "share": shares,
            "share_text": [format_percent(v, lang, decimals) for v in shares],
            "sessions_text": [format_number(v, lang) for v in frame["sessions"].to_list()],
        },
        schema={"key": pl.String, "label": pl.String, "sessions": pl.Float64, "share": pl.Float64,
                "share_text": pl.String, "sessions_text": pl.String},
    )


def traffic_table(rows: pl.DataFrame, lang: str, first: str) -> pl.DataFrame:
    return rows.select(
        pl.col("label").alias(first),
        pl.col("sessions_text").alias(label("column.sessions", lang)),
        pl.col("share_text").alias(label("column.share", lang)),
    )


def against_reference_rows(data: pl.DataFrame, published: pl.DataFrame, prefix: str, lang: str) -> pl.DataFrame:
    """Data shares (`traffic_rows`) next to a published table (key, share in points), for grouped
    bars: label, series, share, share_text; the published figures at their own precision."""
    ours = data.select("key", pl.lit(label("series.data", lang)).alias("series"), "share", "share_text")
    theirs = published_rows(published, lang, lambda k: key_label(prefix, k, lang)).select(
        "key", pl.lit(label("series.reference", lang)).alias("series"), "share", "share_text"
    )
    both = pl.concat([ours, theirs])
    return both.with_columns(
        pl.Series("label", [key_label(prefix, k, lang) for k in both["key"].to_list()], dtype=pl.String)
    )


def against_reference_table(rows: pl.DataFrame, lang: str, first: str) -> pl.DataFrame:
    wide = rows.pivot(on="series", index="label", values="share_text", maintain_order=True)
    return wide.rename({"label": first}).fill_null(NONE)


def channel_detail_table(channels: pl.DataFrame, settings: ChannelSettings, lang: str) -> pl.DataFrame:
    rows = traffic_rows(channels, "channel", lang)
    keys = rows["key"].to_list()
    return pl.DataFrame(
        {
            label("column.channel", lang): rows["label"].to_list(),
            label("column.bucket", lang): [key_label("bucket", bucket_of(k), lang) for k in keys],
            label("column.strategy", lang): [
                key_label("strategy", s, lang) if (s := strategy_of(k, settings)) else NONE for k in keys
            ],
            label("column.sessions", lang): rows["sessions_text"].to_list(),
            label("column.share", lang): rows["share_text"].to_list(),
        }
    )


def mix_stack_rows(channels: pl.DataFrame, published: pl.DataFrame, lang: str) -> pl.DataFrame:
    """Detailed channels (key, sessions, share 0–1), grouped by bucket, beside the published
    buckets: series, label, group, share, share_text, order (for `charts.mix_stack`)."""
    data = traffic_rows(channels, "channel", lang)
    bucket_rank = {k: i for i, k in enumerate(BUCKET_KEYS)}
    channel_rank = {k: i for i, k in enumerate(CHANNEL_KEYS)}
    ours = [
        {"series": label("series.data", lang), "label": r["label"], "group": key_label("bucket", bucket_of(r["key"]), lang),
         "share": r["share"], "share_text": r["share_text"],
         "order": bucket_rank[bucket_of(r["key"])] * 100 + channel_rank[r["key"]]}
        for r in data.iter_rows(named=True)
    ]
    theirs = [
        {"series": label("series.reference", lang), "label": r["label"], "group": r["label"], "share": r["share"],
         "share_text": r["share_text"], "order": bucket_rank[r["key"]] * 100}
        for r in published_rows(published, lang, lambda k: key_label("bucket", k, lang)).iter_rows(named=True)
    ]
    return pl.DataFrame(ours + theirs, schema={"series": pl.String, "label": pl.String, "group": pl.String,
                                              "share": pl.Float64, "share_text": pl.String, "order": pl.Int64})


def mix_stack_table(rows: pl.DataFrame, lang: str) -> pl.DataFrame:
    return rows.select(
        pl.col("series").alias(label("column.series", lang)),
        pl.col("group").alias(label("column.bucket", lang)),
        pl.col("label").alias(label("column.channel", lang)),
        pl.col("share_text").alias(label("column.share", lang)),
    )


def device_grid(grid: pl.DataFrame, view: str, lang: str) -> pl.DataFrame:
    """`traffic.device_by_channel` as heatmap cells: each row's shares at the decimals of its sessions."""
    totals = grid.group_by("key").agg(pl.col("sessions").sum())
    decimals = {k: share_decimals(n) for k, n in totals.iter_rows()}
    shares = [v * 100 for v in grid["share"].to_list()]
    return pl.DataFrame(
        {
            "row_label": [key_label(view, k, lang) for k in grid["key"].to_list()],
            "column_label": [key_label("device", d, lang) for d in grid["device"].to_list()],
            "share": shares,
            "text": [format_percent(v, lang, decimals[k]) for v, k in zip(shares, grid["key"].to_list())],
            "sessions_text": [format_number(v, lang) for v in grid["sessions"].to_list()],
        },
        schema={"row_label": pl.String, "column_label": pl.String, "share": pl.Float64, "text": pl.String,
                "sessions_text": pl.String},
    )


def grid_table(grid: pl.DataFrame, first: str) -> pl.DataFrame:
    """Heatmap cells (row_label, column_label, text) as the wide table a screen reader reads."""
    return grid.pivot(on="column_label", index="row_label", values="text", maintain_order=True).rename(
        {"row_label": first}
    ).fill_null(NONE)


@dataclass(frozen=True)
class ChangeView:
    table: pl.DataFrame
    chart: pl.DataFrame  # difference_rows
    note: str


def change_view(table: pl.DataFrame, view: str, lang: str, name_a: str, name_b: str, level: float) -> ChangeView:
    """`traffic.compare` in words: each key's sessions and share on both sides, the change in
    points with its interval, p before and after correction."""
    total_a, total_b = float(table["sessions_a"].sum()), float(table["sessions_b"].sum())
    da, db = share_decimals(total_a), share_decimals(total_b)
    decimals = min(da, db)
    labels = [key_label(view, k, lang) for k in table["key"].to_list()]
    frame = pl.DataFrame(
        {
            label(f"column.{view}", lang): labels,
            label("channels.sessions_of", lang, name=name_a): [format_number(v, lang) for v in table["sessions_a"].to_list()],
            label("channels.share_of", lang, name=name_a): [format_percent(v * 100, lang, da) for v in table["share_a"].to_list()],
            label("channels.sessions_of", lang, name=name_b): [format_number(v, lang) for v in table["sessions_b"].to_list()],
            label("channels.share_of", lang, name=name_b): [format_percent(v * 100, lang, db) for v in table["share_b"].to_list()],
            label("column.change", lang): [format_signed(v * 100, lang, decimals) for v in table["change"].to_list()],
            interval_heading(level, lang): [
                format_interval(None if lo is None else lo * 100, None if hi is None else hi * 100, lang, decimals, signed=True)
                for lo, hi in zip(table["ci_low"].to_list(), table["ci_high"].to_list())
            ],
            label("column.p_value", lang): [format_p(v, lang) for v in table["p_value"].to_list()],
            label("column.p_adjusted", lang): [format_p(v, lang) for v in table["p_adjusted"].to_list()],
            label("seg.col.verdict", lang): [verdict(d, lang) for d in table["direction"].to_list()],
        }
    )
    points = table.select(
        pl.Series("label", labels, dtype=pl.String),
        (pl.col("change") * 100).alias("diff"),
        (pl.col("ci_low") * 100).alias("ci_low"),
        (pl.col("ci_high") * 100).alias("ci_high"),
        pl.col("p_adjusted"),
        pl.col("direction"),
    )
    chart = difference_rows(points, lang, decimals=decimals)
    note = label("channels.tests_note", lang, n=format_number(table["p_value"].drop_nulls().len(), lang))
    return ChangeView(frame, chart, note)


def trend_rows(series: pl.DataFrame, view: str, step: str, lang: str) -> pl.DataFrame:
    """`traffic.trend` as a chart frame: period, label, share in points, share_text (decimals from
    each period's sessions), period_text (the period in words)."""
    totals = series.group_by("period").agg(pl.col("sessions").sum()) if "sessions" in series.columns else None
    decimals = {p: share_decimals(n) for p, n in totals.iter_rows()} if totals is not None else {}
    shares = [v * 100 for v in series["share"].to_list()]
    periods = series["period"].to_list()
    return pl.DataFrame(
        {
            "period": periods,
            "label": [key_label(view, k, lang) for k in series["key"].to_list()],
            "share": shares,
            "share_text": [format_percent(v, lang, decimals.get(p, 1)) for v, p in zip(shares, periods)],
            "period_text": [period_text(p, step, lang) for p in periods],
        }
    )


def period_text(day: dt.date, step: str, lang: str) -> str:
    """A trend period in words: the day, the week ("week of 4 Jan 2024") or the month."""
    if step == "month":
        return format_month(day, lang)
    if step == "week":
        return label("channels.week_of", lang, day=format_date(day, lang))
    return format_date(day, lang)


def trend_table(rows: pl.DataFrame, lang: str, first: str) -> pl.DataFrame:
    """Periods (rows) × labels (columns): what the trend chart draws."""
    return rows.pivot(on="label", index="period_text", values="share_text", maintain_order=True).rename(
        {"period_text": first}
    ).fill_null(NONE)


def unmatched_table(frame: pl.DataFrame, columns: Sequence[str], lang: str) -> pl.DataFrame:
    decimals = share_decimals(float(frame["sessions"].sum()) if frame.height else 0)
    return frame.select(
        *(pl.col(c).alias(label(f"column.{c}", lang)) for c in columns),
        pl.Series(label("column.sessions", lang), [format_number(v, lang) for v in frame["sessions"].to_list()],
                  dtype=pl.String),
        pl.Series(label("column.share", lang), [format_percent(v * 100, lang, decimals) for v in frame["share"].to_list()],
                  dtype=pl.String),
    )


# ---------------------------------------------------------------- plain text (the CLI)


def text_table(frame: pl.DataFrame) -> str:
    """A table as aligned text lines: the first column left-aligned, the others right-aligned."""
    columns = frame.columns
    cells = [[str(c) for c in columns]] + [[NONE if v is None else str(v) for v in row] for row in frame.iter_rows()]
    widths = [max(len(row[i]) for row in cells) for i in range(len(columns))]
    lines = []
    for row in cells:
        parts = [row[0].ljust(widths[0])] + [value.rjust(width) for value, width in zip(row[1:], widths[1:])]
        lines.append("  ".join(parts).rstrip())
    return "\n".join(lines)


# ---------------------------------------------------------------- one-line summaries of charts


def shares_summary(rows: pl.DataFrame, lang: str) -> str:
    """"Highest: X (54.8%); lowest: Y (6.0%)." over the rows that have a share."""
    shown = rows.filter(pl.col("share").is_not_null())
    if shown.height == 0:
        return label("chart.summary.empty", lang)
    high = shown.row(int(shown["share"].arg_max()), named=True)
    low = shown.row(int(shown["share"].arg_min()), named=True)
    return label("chart.summary.shares", lang, high=high["label"], high_share=high["share_text"], low=low["label"],
                 low_share=low["share_text"])


def differences_summary(rows: pl.DataFrame, lang: str) -> str:
    """How many differences are drawn and how many hold after correction."""
    held = rows.filter(pl.col("direction").is_in([explore.HIGHER, explore.LOWER])).height
    return label("chart.summary.differences", lang, n=format_number(rows.height, lang), held=format_number(held, lang))


def grid_summary(grid: pl.DataFrame, lang: str) -> str:
    shown = grid.filter(pl.col("share").is_not_null())
    if shown.height == 0:
        return label("chart.summary.empty", lang)
    top = shown.row(int(shown["share"].arg_max()), named=True)
    return label("chart.summary.grid", lang, row=top["row_label"], column=top["column_label"], share=top["text"])


def trend_summary(rows: pl.DataFrame, lang: str) -> str:
    periods = rows.select("period", "period_text").unique(maintain_order=True).sort("period")
    if periods.height == 0:
        return label("chart.summary.empty", lang)
    return label("chart.summary.trend", lang, n=format_number(periods.height, lang),
                 first=periods["period_text"][0], last=periods["period_text"][-1])

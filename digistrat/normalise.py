"""Values to canonical keys: segment and device labels, weights; rows left out are counted.

Decisions where the brief was silent:

- Labels are matched by `digistrat.vocabulary`. Codes made only of digits ("1".."5") map to
  nothing: the user maps them.
- "unsatisfied" and "mécontent(s)" mean dissatisfied; "not satisfied" / "non satisfait"
  stay unmapped, because the adapters are "not satisfied" too.
- Devices: laptops count as desktop (GA4 and Médiamétrie do the same); "portable" alone is
  ambiguous in French (laptop or phone) and stays unmapped; phablets and feature phones
  are mobile; smart TVs, consoles, wearables, car browsers, "other"/"autre" are "other";
  "(not set)", "unknown" and gibberish stay unmapped for the user to decide.
- Rows leave the data only for a reason that is counted, one reason per row, in this
  order: ``user_excluded`` (a mapping says "exclude"), ``no_segment`` (null or blank),
  ``unmapped_segment``, ``bad_weight``. So rows_read == rows_used + sum(left_out).
- A device value that cannot be mapped does not remove the row (the segment is the
  classification that matters): the row stays with an empty device, and the value is
  listed in ``unmapped``. Mapping it to "exclude" removes its rows.
- Weights that are not positive finite numbers (empty, text, 0, negative, NaN, inf), by
  the weight rule: ``exclude`` leaves their rows out (counted as ``bad_weight``);
  ``unweighted`` keeps every row and adds no canonical weight, so every figure is unweighted
  and counts the same rows (a kept row without a weight cannot be weighted, and a figure
  that left it out would disagree with the row counts). Their 1-based data-row numbers
  (first 1000) are always reported; with ``line_offset`` (called only then) the file line
  numbers too (line = row + offset, the offset being the number of lines before the first
  data row).
- Original columns called "segment", "device" or "weight" are kept as "<name>_original"
  when the canonical column of that name is added.
- ``mappings`` may only name the segment or the device column; a raw value (as text,
  exactly or trimmed) maps to a key of that column's vocabulary or to "exclude", and wins
  over the built-in vocabulary. Unmapped values are listed most rows first.
- Labels are mapped once per distinct value, then applied with ``replace_strict``. The
  original columns are shared with the input, not copied: rows are filtered (a copy) only
  when some are left out, and the reason of each row is a one-byte code.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np
import polars as pl

from digistrat.errors import InputError
from digistrat.messages import Message, message
from digistrat.segments import SEGMENT_KEYS
from digistrat.vocabulary import DEVICE_KEYS, device_key, segment_key

# Why a row is left out, in the order a row's first reason is chosen; rows carry the position.
REASONS: tuple[str, ...] = ("user_excluded", "no_segment", "unmapped_segment", "bad_weight")
EXCLUDE = "exclude"
MAX_REPORTED_ROWS = 1000
WEIGHT_RULES = ("exclude", "unweighted")  # what rows with an unusable weight do (module docstring)

@dataclass(frozen=True, eq=False)
class Unmapped:
    """Values of one column that map to no key: columns `value` (String) and `rows`."""

    column: str
    values: pl.DataFrame

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Unmapped) and self.column == other.column and self.values.equals(other.values)

    __hash__ = None  # a frame inside: not a dict key


@dataclass(frozen=True)
class NormaliseReport:
    rows_read: int
    rows_used: int
    left_out: dict[str, int]
    unmapped: tuple[Unmapped, ...]
    bad_weight_rows: tuple[int, ...]
    notes: tuple[Message, ...]
    bad_weight_lines: tuple[int, ...] = ()


@dataclass(frozen=True)
class _Lookup:
    """One column's distinct values with their key and, if the row must go, the reason."""

    key: pl.Expr            # canonical key (Enum) per row, null when none
    why: pl.Expr            # reason the row is left out (its code in REASONS), null when it stays
    unmapped: pl.DataFrame  # value, rows


def _lookup(
    frame: pl.DataFrame,
    column: str,
    to_key: Callable[[str], str | None],
    allowed: tuple[str, ...],
    mapping: Mapping[str, str],
    left_out_when: Mapping[str, str],
) -> _Lookup:
    """Map the distinct values of `column`; `left_out_when` says which outcomes drop a row."""
    for raw, target in mapping.items():
        if target != EXCLUDE and target not in allowed:
            raise InputError(message("input.bad_mapping", value=raw, column=column, target=target,
                                     keys=[*allowed, EXCLUDE]))
    text = pl.col(column).cast(pl.String)
    # grouping by the column itself (not an expression over it) is several times faster
    distinct = (
        frame.lazy().select(text).group_by(column).agg(pl.len().cast(pl.Int64).alias("rows"))
        .rename({column: "value"}).collect(engine="streaming")
    )
    keys: dict[str, str] = {}
    whys: dict[str, str] = {}
    unmapped: list[str] = []
    for value in distinct["value"].drop_nulls().to_list():
        if not value.strip():
            outcome = "blank"
        else:
            target = mapping.get(value) or mapping.get(value.strip()) or to_key(value)
            outcome = "excluded" if target == EXCLUDE else "unmapped" if target is None else "key"
            if outcome == "key":
                keys[value] = target
            elif outcome == "unmapped":
                unmapped.append(value)
        if outcome in left_out_when:
            whys[value] = left_out_when[outcome]
    # replace_strict on a small dict is much faster than a join on 10 M rows.
    codes = {value: REASONS.index(reason) for value, reason in whys.items()}
    why = text.replace_strict(codes, default=None, return_dtype=pl.UInt8) if codes else pl.lit(None, pl.UInt8)
    if "blank" in left_out_when:
        why = pl.when(text.is_null()).then(pl.lit(REASONS.index(left_out_when["blank"]), pl.UInt8)).otherwise(why)
    unmapped_rows = distinct.filter(pl.col("value").is_in(unmapped)).sort(
        ["rows", "value"], descending=[True, False]
    )
    return _Lookup(
        key=text.replace_strict(keys, default=None, return_dtype=pl.Enum(allowed)),
        why=why,
        unmapped=unmapped_rows,
    )


def _weight_values(frame: pl.DataFrame, column: str) -> pl.Expr:
    if frame.schema[column] == pl.String:
        # read.py types clean numbers; text left here may still hold a decimal comma.
        text = pl.col(column).str.strip_chars().str.replace(",", ".", literal=True)
        return text.cast(pl.Float64, strict=False)
    if frame.schema[column].is_numeric():
        return pl.col(column).cast(pl.Float64)
    return pl.lit(None, dtype=pl.Float64)


def _free_name(name: str, taken: set[str]) -> str:
    candidate, number = f"{name}_original", 2
    while candidate in taken:
        candidate, number = f"{name}_original_{number}", number + 1
    return candidate


def normalise(
    frame: pl.DataFrame | pl.LazyFrame,
    *,
    segment: str | None = None,
    device: str | None = None,
    weight: str | None = None,
    mappings: Mapping[str, Mapping[str, str]] = {},
    weight_rule: str = "exclude",
    line_offset: Callable[[], int | None] | None = None,
) -> tuple[pl.DataFrame, NormaliseReport]:
    """Add canonical `segment`, `device`, `weight` columns read from the columns named, leave
    out unusable rows, say why."""
    data = frame.collect() if isinstance(frame, pl.LazyFrame) else frame
    segment_column, device_column, weight_column = segment, device, weight
    if weight_rule not in WEIGHT_RULES:
        raise InputError(message("input.weight_rule", rule=weight_rule))
    for column in (c for c in (segment_column, device_column, weight_column) if c is not None):
        if column not in data.columns:
            raise InputError(message("input.role_column_gone", column=column))
    mappable = {c for c in (segment_column, device_column) if c is not None}
    for column in mappings:
        if column not in mappable:
            raise InputError(message("input.not_mappable", column=column))

    lookups: dict[str, tuple[str, _Lookup]] = {}
    if segment_column is not None:
        lookups["segment"] = segment_column, _lookup(
            data, segment_column, segment_key, SEGMENT_KEYS,
            mappings.get(segment_column, {}),
            {"blank": "no_segment", "excluded": "user_excluded", "unmapped": "unmapped_segment"},
        )
    if device_column is not None:
        lookups["device"] = device_column, _lookup(
            data, device_column, device_key, DEVICE_KEYS,
            mappings.get(device_column, {}), {"excluded": "user_excluded"},
        )

    canonical_exprs = [lookup.key.alias(f"__{name}") for name, (_, lookup) in lookups.items()]
    # One reason per row, the first that applies: user_excluded, no_segment,
    # unmapped_segment, bad_weight (codes into REASONS, so they sort in that order).
    excluded = REASONS.index("user_excluded")
    whys = [lookup.why for _, lookup in lookups.values()]
    reasons = [pl.when(why == excluded).then(why) for why in whys] + whys
    bad_weight = pl.lit(False)
    if weight_column is not None:
        weights = _weight_values(data, weight_column)
        bad_weight = weights.is_null() | ~weights.is_finite() | (weights <= 0)
        if weight_rule == "exclude":
            canonical_exprs.append(pl.when(bad_weight).then(None).otherwise(weights).alias("__weight"))
            reasons.append(pl.when(bad_weight).then(pl.lit(REASONS.index("bad_weight"), pl.UInt8)))
    reason = pl.coalesce(reasons) if reasons else pl.lit(None, dtype=pl.UInt8)
    # The original columns are shared, not copied: only the small canonical, reason and
    # flag columns are new, and rows are filtered only when some are left out.
    marked = data.lazy().with_columns(*canonical_exprs, reason.alias("__reason"), bad_weight.alias("__bad_weight")).collect()

    # counted with numpy on the codes of the rows left out (usually none): no group_by over every row
    codes = marked["__reason"].drop_nulls().to_numpy()
    per_code = np.bincount(codes, minlength=len(REASONS)) if codes.size else np.zeros(len(REASONS), dtype=np.int64)
    left_out = dict(sorted((REASONS[code], int(rows)) for code, rows in enumerate(per_code) if rows))
    flags = marked["__bad_weight"]
    bad_weight_total = int(flags.sum())
    bad_rows = tuple((flags.arg_true().head(MAX_REPORTED_ROWS) + 1).to_list()) if bad_weight_total else ()

    canonical = [n for n in ("segment", "device", "weight") if f"__{n}" in marked.columns]
    renames: dict[str, str] = {}
    for name in canonical:
        if name in data.columns:
            renames[name] = _free_name(name, set(data.columns) | set(renames.values()))
    # indexing by names shares the columns; select() would copy every one of them
    kept = marked[[*data.columns, *(f"__{n}" for n in canonical)]]
    if left_out:
        kept = kept.filter(marked["__reason"].is_null())
    used = (
        kept.rename(renames)
        .rename({f"__{n}": n for n in canonical})
    )

    unmapped = tuple(
        Unmapped(column=column, values=lookup.unmapped)
        for column, lookup in lookups.values()
        if lookup.unmapped.height
    )
    rows_read, rows_used = data.height, used.height
    notes = [message("norm.rows", read=rows_read, used=rows_used)]
    if left_out.get("user_excluded"):
        notes.append(message("norm.user_excluded", rows=left_out["user_excluded"]))
    if left_out.get("no_segment"):
        notes.append(message("norm.no_segment", rows=left_out["no_segment"], column=segment_column))
    for item in unmapped:
        code = "norm.unmapped_segment" if item.column == segment_column else "norm.unmapped_device"
        notes.append(message(code, values=item.values.height, column=item.column,
                             rows=int(item.values["rows"].sum())))
    # counting the file's lines costs a pass over its bytes: only when there is something to locate
    offset = line_offset() if bad_weight_total and line_offset is not None else None
    if bad_weight_total:
        lines = list(bad_rows) if offset is None else [r + offset for r in bad_rows]
        where = "lines" if offset is not None else "rows"
        if weight_rule == "exclude":
            notes.append(message(f"norm.bad_weights_excluded_{where}", rows=bad_weight_total, column=weight_column,
                                 listed=lines, left_out=left_out.get("bad_weight", 0)))
        else:
            notes.append(message(f"norm.bad_weights_unweighted_{where}", rows=bad_weight_total, column=weight_column,
                                 listed=lines))
    report = NormaliseReport(
        rows_read=rows_read,
        rows_used=rows_used,
        left_out=left_out,
        unmapped=unmapped,
        bad_weight_rows=bad_rows,
        notes=tuple(notes),
        bad_weight_lines=tuple(r + offset for r in bad_rows) if offset is not None else (),
    )
    return used, report

"""A filter spec (what the user picked) turned into one polars expression.

The spec is a frozen, hashable value so the UI can cache results keyed on it and the
share layer can put it in a URL.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import polars as pl


@dataclass(frozen=True)
class FilterSpec:
    # column -> values kept (a categorical column)
    include: tuple[tuple[str, tuple[str, ...]], ...] = ()
    # column -> (low, high), both inclusive (a numeric column)
    ranges: tuple[tuple[str, tuple[float, float]], ...] = ()
    # column -> options, a row is kept if its delimited list holds any of them (multi-select answers)
    any_of: tuple[tuple[str, tuple[str, ...]], ...] = ()
    separator: str = field(default=";")

    @classmethod
    def build(
        cls,
        include: Mapping[str, Sequence[str]] | None = None,
        ranges: Mapping[str, tuple[float, float]] | None = None,
        any_of: Mapping[str, Sequence[str]] | None = None,
        separator: str = ";",
    ) -> FilterSpec:
        """From plain mappings; empty selections mean "no filter" on that column."""

        def pairs(mapping: Mapping[str, Sequence[str]] | None) -> tuple[tuple[str, tuple[str, ...]], ...]:
            return tuple(sorted((col, tuple(vals)) for col, vals in (mapping or {}).items() if vals))

        return cls(
            include=pairs(include),
            ranges=tuple(sorted((col, (float(lo), float(hi))) for col, (lo, hi) in (ranges or {}).items())),
            any_of=pairs(any_of),
            separator=separator,
        )

    @property
    def is_empty(self) -> bool:
        return not (self.include or self.ranges or self.any_of)

    def columns(self) -> set[str]:
        return {col for col, _ in self.include} | {col for col, _ in self.ranges} | {col for col, _ in self.any_of}

    def without(self, column: str) -> FilterSpec:
        """The same spec with `column` unfiltered (e.g. to count what a widget would offer)."""
        return FilterSpec(
            include=tuple(p for p in self.include if p[0] != column),
            ranges=tuple(p for p in self.ranges if p[0] != column),
            any_of=tuple(p for p in self.any_of if p[0] != column),
            separator=self.separator,
        )

    def expression(self) -> pl.Expr:
        conditions: list[pl.Expr] = []
        for column, values in self.include:
            # cast to String so Enum/Categorical columns compare with plain values
            conditions.append(pl.col(column).cast(pl.String).is_in(list(values)))
        for column, (low, high) in self.ranges:
            conditions.append(pl.col(column).is_between(low, high, closed="both"))
        for column, options in self.any_of:
            chosen = pl.col(column).cast(pl.String).str.split(self.separator).list.eval(pl.element().str.strip_chars())
            conditions.append(chosen.list.set_intersection(list(options)).list.len() > 0)
        if not conditions:
            return pl.lit(True)
        return pl.all_horizontal(conditions)


def apply_filter(frame: pl.LazyFrame | pl.DataFrame, spec: FilterSpec) -> pl.LazyFrame:
    lazy = frame.lazy()
    return lazy if spec.is_empty else lazy.filter(spec.expression())

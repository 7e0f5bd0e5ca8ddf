"""A filter spec (what the user picked) turned into one polars expression.

The spec is a frozen, hashable value so the UI can cache results keyed on it and the
share layer can put it in a URL. It names questions, not columns: `expression` reads each
question through the expression the schema gives it (`schema.Question.answers`), so the
same spec filters the survey's rows (the exports) and the segments page's cube alike.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import polars as pl

from digistrat.schema import MULTI_SEPARATOR


@dataclass(frozen=True)
class FilterSpec:
    # question -> answers kept (a single-answer question)
    include: tuple[tuple[str, tuple[str, ...]], ...] = ()
    # column -> (low, high), both inclusive (a numeric column)
    ranges: tuple[tuple[str, tuple[float, float]], ...] = ()
    # question -> options: a respondent is kept if they chose any of them (multi-answer)
    any_of: tuple[tuple[str, tuple[str, ...]], ...] = ()

    @classmethod
    def build(
        cls,
        include: Mapping[str, Sequence[str]] | None = None,
        ranges: Mapping[str, tuple[float, float]] | None = None,
        any_of: Mapping[str, Sequence[str]] | None = None,
    ) -> FilterSpec:
        """From plain mappings; empty selections mean "no filter" on that question."""

        def pairs(mapping: Mapping[str, Sequence[str]] | None) -> tuple[tuple[str, tuple[str, ...]], ...]:
            return tuple(sorted((col, tuple(vals)) for col, vals in (mapping or {}).items() if vals))

        return cls(
            include=pairs(include),
            ranges=tuple(sorted((col, (float(lo), float(hi))) for col, (lo, hi) in (ranges or {}).items())),
            any_of=pairs(any_of),
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
        )

    def categorical(self) -> FilterSpec:
        """The spec without its numeric ranges."""
        return FilterSpec(include=self.include, any_of=self.any_of)

    def expression(self, answers: Mapping[str, pl.Expr] | None = None) -> pl.Expr:
        """True for the rows kept. `answers` gives a question's answer expression by name
        (a multi-answer answer joins its options with MULTI_SEPARATOR); a name it does not
        give is read as a column of answers already in that form (the cube's)."""
        answers = answers or {}

        def answer(name: str) -> pl.Expr:
            return answers[name] if name in answers else pl.col(name).cast(pl.String)

        conditions: list[pl.Expr] = []
        for column, values in self.include:
            conditions.append(answer(column).is_in(list(values)).fill_null(False))
        for column, (low, high) in self.ranges:
            conditions.append(pl.col(column).is_between(low, high, closed="both").fill_null(False))
        for column, options in self.any_of:
            chosen = answer(column).str.split(MULTI_SEPARATOR)
            conditions.append((chosen.list.set_intersection(list(options)).list.len() > 0).fill_null(False))
        if not conditions:
            return pl.lit(True)
        return pl.all_horizontal(conditions)

#!/usr/bin/env python3
"""What changed in Google's published source categories against the list digistrat carries.

    python3 scripts/ga4_sources_diff.py NEW_LIST.csv [--list data/ga4_sources.csv] [--write]

NEW_LIST.csv is Google's list as published (`source,source_category`, values such as
SOURCE_CATEGORY_SEARCH). Prints the sources added, removed and recategorised, then the rows of
data/source_differences.csv to add, change or delete once the new list is in place. `--write`
rewrites the carried list from NEW_LIST.csv. Exit status: 0 nothing changed, 1 changes
printed, 2 a file could not be used.
"""

from __future__ import annotations

import argparse
import csv
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from digistrat.channels import (  # noqa: E402 - the repository root is put on the path first
    GA4_SOURCES_CSV,
    documented_differences,
    read_google_source_list,
    source_list_differences,
)
from digistrat.errors import InputError  # noqa: E402


def _category(value: str | None) -> str:
    return value or "-"


def report(old: dict[str, str], new: dict[str, str]) -> list[str]:
    """The lines to print: list changes, then their consequences for source_differences.csv."""
    added = sorted(set(new) - set(old))
    removed = sorted(set(old) - set(new))
    recategorised = sorted(s for s in set(old) & set(new) if old[s] != new[s])
    lines = [f"Google's list: {len(new)} sources (carried list: {len(old)})"]
    for title, rows in (
        ("added", [f"{s}  {new[s]}" for s in added]),
        ("removed", [f"{s}  {old[s]}" for s in removed]),
        ("recategorised", [f"{s}  {old[s]} -> {new[s]}" for s in recategorised]),
    ):
        lines.append(f"{title} ({len(rows)}):")
        lines.extend(f"  {row}" for row in rows)

    wanted = {d.source: d for d in source_list_differences(new)}
    written = {row.difference.source: row.difference for row in documented_differences()}
    edits = []
    for source in sorted(set(wanted) | set(written)):
        want, have = wanted.get(source), written.get(source)
        if want == have:
            continue
        if have is None:
            edits.append(f"  add     {source}  google={_category(want.google_category)}  "
                         f"enriched={_category(want.enriched_category)}  (write its reason)")
        elif want is None:
            edits.append(f"  delete  {source}  (the lists now agree: {_category(have.enriched_category)})")
        else:
            edits.append(f"  change  {source}  google={_category(have.google_category)} -> "
                         f"{_category(want.google_category)}  enriched={_category(want.enriched_category)}")
    lines.append(f"source_differences.csv once the new list is carried ({len(edits)}):")
    lines.extend(edits)
    return lines


def write_list(table: dict[str, str], path: Path) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["source", "category"])
        writer.writerows(sorted(table.items()))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("new_list", type=Path, help="Google's newly published list (CSV)")
    parser.add_argument("--list", type=Path, default=GA4_SOURCES_CSV, help="the carried list (default: data/ga4_sources.csv)")
    parser.add_argument("--write", action="store_true", help="rewrite the carried list from the new one")
    args = parser.parse_args(argv)
    try:
        new = read_google_source_list(args.new_list)
        old = read_google_source_list(args.list)
    except InputError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    if not new:
        print(f"error: {args.new_list.name} lists no source; download Google's list again.", file=sys.stderr)
        return 2
    print("\n".join(report(old, new)))
    if new == old:
        return 0
    if args.write:
        write_list(new, args.list)
        print(f"wrote {len(new)} sources to {args.list}")
    return 1


if __name__ == "__main__":
    sys.exit(main())

"""`python -m digistrat inspect|shares|crosstab|channels FILE`: the app's pipeline on the command line."""

from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path

from digistrat import datasets, stats, traffic
from digistrat.channels import ChannelSettings
from digistrat.errors import DigistratError, InputError
from digistrat.i18n import LANGUAGES, format_percent, label
from digistrat.read import describe
from digistrat.segments import SEGMENT_BY_KEY, SEGMENT_KEYS


def _load(
    args: argparse.Namespace, role_overrides: dict[str, str] | None = None, exclude_bad_weights: bool = True
) -> datasets.Dataset:
    path = Path(args.file)
    if not path.is_file():
        raise InputError(f"{path}: no such file; check the path.")
    try:
        data = path.read_bytes()
    except OSError as error:
        raise InputError(f"{path} cannot be read ({error.strerror}); check its permissions.") from None
    return datasets.load_bytes(
        data, path.name, table=args.table, sheet=args.sheet, role_overrides=role_overrides,
        exclude_bad_weights=exclude_bad_weights,
    )


def _number(value: float) -> int | float:
    """Sessions summed as floats print as whole numbers when they are."""
    return int(value) if float(value).is_integer() else value


def _inspect(args: argparse.Namespace) -> dict:
    dataset = _load(args)
    report, normalised = dataset.read, dataset.normalised
    result = {
        "file": report.file_name,
        "format": report.format,
        "encoding": report.encoding,
        "separator": report.separator,
        "decimal": report.decimal,
        "header_line": report.header_line,
        "tables": [{"index": t.index, "title": t.title, "columns": list(t.columns), "rows": t.rows} for t in report.tables],
        "sheets": list(report.sheets),
        "kind": dataset.kind,
        "roles": dataset.roles.roles,
        "rows_read": normalised.rows_read,
        "rows_used": normalised.rows_used,
        "left_out": normalised.left_out,
        "unmapped": {u.column: u.values.to_dicts() for u in normalised.unmapped},
        "bad_weight_rows": list(normalised.bad_weight_rows),
        "bad_weight_lines": list(normalised.bad_weight_lines),
        "notes": [*describe(report), *normalised.notes],
    }
    if not args.json:
        lines = [*result["notes"], f"kind: {dataset.kind}"]
        lines += [f"  {column}: {role}" for column, role in dataset.roles.roles.items()]
        lines.append(f"rows read {normalised.rows_read}, used {normalised.rows_used}, left out {sum(normalised.left_out.values())}")
        lines += [f"  {reason}: {rows}" for reason, rows in normalised.left_out.items() if rows]
        for unmapped in normalised.unmapped:
            values = ", ".join(f"{v!r} ({n})" for v, n in unmapped.values.rows()[:10])
            lines.append(f"unmapped values in {unmapped.column}: {values}")
        if normalised.bad_weight_lines:
            shown = ", ".join(str(line) for line in normalised.bad_weight_lines[:10])
            lines.append(f"bad weights on file lines {shown}" + (", …" if len(normalised.bad_weight_lines) > 10 else ""))
        print("\n".join(lines))
    return result


def _shares(args: argparse.Namespace) -> dict:
    overrides = {}
    if args.weight and args.weight != "none":
        overrides[args.weight] = "weight"
    # Unweighted shares keep the rows whose weight is unusable.
    dataset = _load(args, overrides, exclude_bad_weights=args.weight != "none")
    frame = dataset.frame
    if args.by:
        if args.by not in frame.columns:
            raise InputError(f"--by {args.by}: no such column; the columns are {', '.join(frame.columns)}.")
        by, keys = args.by, None
    else:
        if "segment" not in frame.columns:
            raise InputError(
                f"{dataset.name}: no segment column was found; name the column to count with --by COLUMN."
            )
        by, keys = "segment", SEGMENT_KEYS
    if by == "segment" and dataset.kind == "survey_table":
        return _table_shares(args, dataset)
    table = stats.share_table(frame, by, _design(args, frame), keys=keys)
    rows = []
    for row in table.rows.iter_rows(named=True):
        key = str(row["key"])
        rows.append(
            {
                "key": key,
                "label": SEGMENT_BY_KEY[key].label(args.lang) if by == "segment" and key in SEGMENT_BY_KEY else key,
                "count": row["count"],
                "share": None if row["share"] is None else row["share"] * 100,
                "ci_low": None if row["ci_low"] is None else row["ci_low"] * 100,
                "ci_high": None if row["ci_high"] is None else row["ci_high"] * 100,
                "deff": row["deff"],
                "n_eff": row["n_eff"],
            }
        )
    result = {"base": table.base_rows, "weighted": table.weighted, "rows": rows}
    if not args.json:
        print(f"base {table.base_rows} rows" + (f", weighted (effective base {table.n_eff:.1f})" if table.weighted else ""))
        for row in rows:
            interval = "" if row["ci_low"] is None else f"  [{format_percent(row['ci_low'], args.lang, 1)} – {format_percent(row['ci_high'], args.lang, 1)}]"
            print(f"{row['label']:<32} {row['count']:>8}  {format_percent(row['share'], args.lang):>8}{interval}")
    return result


def _percent(value: float | None) -> float | None:
    return None if value is None else value * 100


def _design(args: argparse.Namespace, frame) -> stats.Design:  # noqa: ANN001 - a polars frame
    """The sampling design named on the command line (the canonical weight column, if any)."""
    for option, column in (("--psu", args.psu), ("--stratum", args.stratum)):
        if column is not None and column not in frame.columns:
            raise InputError(f"{option} {column}: no such column; the columns are {', '.join(frame.columns)}.")
    weight = None if args.weight == "none" or "weight" not in frame.columns else "weight"
    return stats.Design(weight, args.psu, args.stratum)


def _crosstab(args: argparse.Namespace) -> dict:
    overrides = {args.weight: "weight"} if args.weight and args.weight != "none" else {}
    dataset = _load(args, overrides, exclude_bad_weights=args.weight != "none")
    frame = dataset.frame
    for option, column in (("--rows", args.rows), ("--cols", args.cols)):
        if column not in frame.columns:
            raise InputError(f"{option} {column}: no such column; the columns are {', '.join(frame.columns)}.")
    table = stats.crosstab(frame, args.rows, args.cols, _design(args, frame), stats.Thresholds(level=args.level))
    second_order = table.test == stats.TEST_RAO_SCOTT
    result = {
        "test": table.test,
        "statistic": table.statistic,
        "df": table.ndf if second_order else (table.dof if table.test else None),
        "ddf": table.ddf,
        "p_value": table.p_value,
        "cramers_v": table.cramers_v,
        "reason": table.reason,
        "base": table.base_rows,
        "weighted": table.design_based,
        "level": args.level,
        "cell_test": table.cell_test,
        "cells": [
            {
                "row": cell["row"],
                "col": cell["column"],
                "count": cell["count"],
                "share": _percent(cell["column_share"]),
                "ci_low": _percent(cell["ci_low"]),
                "ci_high": _percent(cell["ci_high"]),
                "method": cell["method"],
                "p_value": cell["p_value"],
                "p_adjusted": cell["p_adjusted"],
            }
            for cell in table.cells.iter_rows(named=True)
        ],
    }
    if not args.json:
        print(f"{args.rows} × {args.cols}: share of each {args.rows} within each {args.cols}, base {table.base_rows} rows"
              + (" (design-based)" if table.design_based else ""))
        for cell in result["cells"]:
            interval = "" if cell["ci_low"] is None else f"  [{format_percent(cell['ci_low'], args.lang, 1)} – {format_percent(cell['ci_high'], args.lang, 1)}]"
            print(f"  {cell['row']:<24} {cell['col']:<24} {cell['count']:>8}  {format_percent(cell['share'], args.lang):>8}{interval}")
        if table.test is None:
            print(label("seg.xt.no_test", args.lang))
        elif table.reason is not None:
            print(f"{label(f'test.{table.test}', args.lang)}: "
                  f"{label('stats.not_computable', args.lang, reason=label(f'reason.{table.reason}', args.lang))}")
        else:
            freedom = f"{result['df']:.4g}" + (f" and {table.ddf:.4g}" if table.ddf is not None else "")
            print(f"{label(f'test.{table.test}', args.lang)}: statistic {table.statistic:.4g}, df {freedom}, "
                  f"p = {table.p_value:.4g}, Cramér's V = {table.cramers_v:.3f}")
    return result


def _table_shares(args: argparse.Namespace, dataset: datasets.Dataset) -> dict:
    """An aggregated table: each row counts for its count (or share), not as one respondent."""
    table = datasets.table_shares(dataset)
    rows = [
        {
            "key": row["key"],
            "label": SEGMENT_BY_KEY[row["key"]].label(args.lang),
            "count": None if row["count"] is None else _number(row["count"]),
            "share": _percent(row["share"]),
            "ci_low": _percent(row["ci_low"]),
            "ci_high": _percent(row["ci_high"]),
            # an aggregated table is a plain count: no design effect
            "deff": None if row["count"] is None else 1.0,
            "n_eff": None if table.base is None else _number(table.base),
        }
        for row in table.rows.iter_rows(named=True)
    ]
    base = None if table.base is None else _number(table.base)
    result = {"base": base, "weighted": False, "rows": rows}
    if not args.json:
        if base is None:
            print(f"{label('table.shares_only', args.lang)} ('{table.column}')")
        else:
            print(f"base {base} (sum of '{table.column}')")
        for row in rows:
            interval = "" if row["ci_low"] is None else f"  [{format_percent(row['ci_low'], args.lang, 1)} – {format_percent(row['ci_high'], args.lang, 1)}]"
            count = "–" if row["count"] is None else row["count"]
            print(f"{row['label']:<32} {count:>8}  {format_percent(row['share'], args.lang):>8}{interval}")
    return result


def _channels(args: argparse.Namespace) -> dict:
    dataset = _load(args)
    settings = ChannelSettings(ai_channel=args.ai, own_domains=tuple(args.own_domain or ()))
    mix = traffic.channel_mix(dataset, settings)

    def rows(frame):
        return [
            {"key": r["key"], "sessions": _number(r["sessions"]), "share": r["share"] * 100}
            for r in frame.iter_rows(named=True)
        ]

    result = {"sessions": mix.sessions, "rows": rows(mix.channels), "buckets": rows(mix.buckets), "devices": rows(mix.devices)}
    if not args.json:
        print(f"{mix.sessions} sessions")
        if mix.channels.is_empty() and not mix.devices.is_empty():
            print(label("channels.devices_only", args.lang))
        for title, prefix, frame in (("channels", "channel", mix.channels), ("buckets", "bucket", mix.buckets), ("devices", "device", mix.devices)):
            if frame.height:
                print(f"{title}:")
                for row in rows(frame):
                    name = label(f"{prefix}.{row['key']}", args.lang)
                    share = format_percent(row["share"], args.lang, 1)
                    print(f"  {name:<32} {row['sessions']:>10g}  {share:>8}")
    return result


class _Parser(argparse.ArgumentParser):
    """Usage mistakes are one line on stderr too, with argparse's exit status 2."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(2, f"error: {message}; see `{self.prog} --help`.\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="python -m digistrat", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    def add(name: str, help_text: str) -> argparse.ArgumentParser:
        sub = commands.add_parser(name, help=help_text)
        sub.add_argument("file", help="CSV, TSV, XLSX or Parquet file")
        sub.add_argument("--json", action="store_true", help="print JSON instead of text")
        sub.add_argument("--table", type=int, default=0, help="which table of a multi-table export (0 = first)")
        sub.add_argument("--sheet", default=None, help="which sheet of a workbook (name or 0-based index)")
        sub.add_argument("--lang", choices=LANGUAGES, default="en", help="language of labels")
        return sub

    add("inspect", "what was detected: encoding, separator, kind, column roles, rows used")
    shares = add("shares", "share of each segment (or of the values of --by)")
    shares.add_argument("--by", help="column whose values to count instead of the segment")
    shares.add_argument("--weight", help="weight column, or 'none' for unweighted (default: the detected one)")
    crosstab = add("crosstab", "share of each --rows value within each --cols value (percent), with tests")
    crosstab.add_argument("--rows", required=True, help="column whose values are the rows")
    crosstab.add_argument("--cols", required=True, help="column whose values are the columns")
    crosstab.add_argument("--weight", help="weight column, or 'none' for unweighted (default: the detected one)")
    crosstab.add_argument("--level", type=float, default=0.95, help="confidence level of the intervals (default 0.95)")
    for command in (shares, crosstab):
        command.add_argument("--psu", help="cluster (primary sampling unit) column, when the sample was drawn in clusters")
        command.add_argument("--stratum", help="stratum column, when the sample was drawn by strata")
    channels = add("channels", "channel mix, the article's three buckets and devices")
    channels.add_argument("--own-domain", action="append", help="your own domain (repeatable): its referrals count as direct")
    channels.add_argument("--ai", action="store_true", help="a separate AI assistants channel")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.sheet is not None and args.sheet.isdigit():
        args.sheet = int(args.sheet)
    command = {"inspect": _inspect, "shares": _shares, "crosstab": _crosstab, "channels": _channels}[args.command]
    try:
        result = command(args)
    except DigistratError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except Exception as error:  # a bug, not the user's fault: one line; the traceback only in a debug log
        logging.getLogger(__name__).debug("unexpected failure", exc_info=True)
        print(f"error: {args.file} could not be processed ({type(error).__name__}); "
              "please report this with the file.", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(result, ensure_ascii=False, default=str))
    return 0

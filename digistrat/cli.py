"""`python -m digistrat inspect|shares|channels FILE`: the app's pipeline on the command line."""

from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path

from digistrat import datasets, present, stats, traffic
from digistrat.channels import ChannelSettings
from digistrat.errors import DigistratError, InputError
from digistrat.messages import message
from digistrat.i18n import LANGUAGES, label
from digistrat.read import describe
from digistrat.segments import SEGMENT_BY_KEY


def _load(args: argparse.Namespace, settings: datasets.LoadSettings | None = None) -> datasets.Dataset:
    path = Path(args.file)
    if not path.is_file():
        raise InputError(message("cli.no_file", path=str(path)))
    try:
        data = path.read_bytes()
    except OSError as error:
        raise InputError(message("cli.unreadable", path=str(path), reason=error.strerror or "")) from None
    chosen = settings or datasets.LoadSettings()
    return datasets.load_bytes(data, path.name, chosen.changed(table=args.table, sheet=args.sheet))


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
        "reasons": {column: reason.text(args.lang) for column, reason in dataset.roles.reasons.items()},
        "unsure": sorted(dataset.roles.unsure),
        "rows_read": normalised.rows_read,
        "rows_used": normalised.rows_used,
        "left_out": normalised.left_out,
        "unmapped": {u.column: u.values.to_dicts() for u in normalised.unmapped},
        "bad_weight_rows": list(normalised.bad_weight_rows),
        "bad_weight_lines": list(normalised.bad_weight_lines),
        "notes": [*describe(report), *(note.text(args.lang) for note in normalised.notes)],
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
    roles = {args.weight: "weight"} if args.weight and args.weight != "none" else {}
    # Unweighted shares keep every row, whatever its weight.
    settings = datasets.LoadSettings.build(roles=roles, weight_rule="unweighted" if args.weight == "none" else "exclude")
    dataset = _load(args, settings)
    if args.by:
        return _answer_shares(args, dataset)
    table = datasets.segment_shares(dataset)
    rows = [
        {
            "key": row["key"],
            "label": SEGMENT_BY_KEY[row["key"]].label(args.lang),
            "count": None if row["count"] is None else _number(row["count"]),
            "share": _percent(row["share"]),
            "ci_low": _percent(row["ci_low"]),
            "ci_high": _percent(row["ci_high"]),
        }
        for row in table.rows.iter_rows(named=True)
    ]
    base = None if table.base is None else _number(table.base)
    result = {"base": base, "weighted": table.weighted, "rows": rows}
    if not args.json:
        if table.column is None:
            print(f"base {base} rows" + (f", weighted (effective base {table.n_eff:.1f})" if table.weighted else ""))
        elif base is None:
            print(f"{label('table.shares_only', args.lang)} ('{table.column}')")
        else:
            print(f"base {base} (sum of '{table.column}')")
        # the figures as the upload preview shows them: same table, same rounding
        print(present.text_table(present.segment_shares_table(table, args.lang)))
    return result


def _answer_shares(args: argparse.Namespace, dataset: datasets.Dataset) -> dict:
    """Shares of the answers of one column (`--by`), over the same rows as the pages."""
    frame = datasets.rows(dataset).collect()
    if args.by not in frame.columns:
        raise InputError(message("cli.no_such_column", by=args.by, columns=frame.columns))
    table = stats.share_table(frame, args.by, dataset.weight)
    rows = [
        {"key": str(row["key"]), "label": str(row["key"]), "count": row["count"], "share": _percent(row["share"]),
         "ci_low": _percent(row["ci_low"]), "ci_high": _percent(row["ci_high"])}
        for row in table.rows.iter_rows(named=True)
    ]
    result = {"base": table.base_rows, "weighted": table.weighted, "rows": rows}
    if not args.json:
        print(f"base {table.base_rows} rows" + (f", weighted (effective base {table.n_eff:.1f})" if table.weighted else ""))
        # the figures as the segments page's breakdown shows them
        print(present.text_table(present.share_table(present.share_rows(table, args.lang), args.lang, 0.95, args.by)))
    return result


def _percent(value: float | None) -> float | None:
    return None if value is None else value * 100


def _channels(args: argparse.Namespace) -> dict:
    dataset = _load(args)
    settings = ChannelSettings(ai_channel=args.ai, own_domains=tuple(args.own_domain or ()))
    mix = traffic.channel_mix(dataset, settings)
    origin = traffic.origin_of(dataset)

    def rows(frame):
        return [
            {"key": r["key"], "sessions": _number(r["sessions"]), "share": r["share"] * 100}
            for r in frame.iter_rows(named=True)
        ]

    result = {"sessions": mix.sessions, "origin": {"from": origin.source, "columns": list(origin.columns),
                                                   "label": origin.label, "settings_apply": origin.rule_based},
              "rows": rows(mix.channels), "buckets": rows(mix.buckets), "devices": rows(mix.devices)}
    if not args.json:
        print(f"{mix.sessions} sessions")
        print(origin.message.text(args.lang))
        for title, prefix, frame in (("channels", "channel", mix.channels), ("buckets", "bucket", mix.buckets), ("devices", "device", mix.devices)):
            if frame.height:
                print(f"{title}:")
                # the figures as the channels page shows them
                heading = label("column.device" if prefix == "device" else f"column.{prefix}", args.lang)
                print(present.text_table(present.traffic_table(present.traffic_rows(frame, prefix, args.lang), args.lang, heading)))
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
    channels = add("channels", "channel mix, the article's three buckets and devices")
    channels.add_argument("--own-domain", action="append", help="your own domain (repeatable): its referrals count as direct")
    channels.add_argument("--ai", action="store_true", help="a separate AI assistants channel")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.sheet is not None and args.sheet.isdigit():
        args.sheet = int(args.sheet)
    command = {"inspect": _inspect, "shares": _shares, "channels": _channels}[args.command]
    try:
        result = command(args)
    except DigistratError as error:
        print(f"error: {error.text(args.lang)}", file=sys.stderr)
        return 2
    except Exception as error:  # a bug, not the user's fault: one line; the traceback only in a debug log
        logging.getLogger(__name__).debug("unexpected failure", exc_info=True)
        print(f"error: {args.file} could not be processed ({type(error).__name__}); "
              "please report this with the file.", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(result, ensure_ascii=False, default=str))
    return 0

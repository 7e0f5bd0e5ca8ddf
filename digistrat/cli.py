"""`python -m digistrat inspect|shares|crosstab|channels FILE`: the app's pipeline on the command line."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import logging
import os
import sys
from pathlib import Path

from digistrat import datasets, engines, present, stats, traffic
from digistrat.channels import ChannelSettings
from digistrat.errors import DigistratError, InputError
from digistrat.messages import message
from digistrat.schema import MULTI_SEPARATOR
from digistrat.i18n import LANGUAGES, format_number, format_percent, label
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
        "tool": report.tool,
        "header_rows": report.header_rows,
        "kind": dataset.kind,
        "roles": dataset.roles.roles,
        "questions": [
            {"name": q.name, "text": q.text, "multi": q.multi,
             "options": datasets.question_options(dataset, q) if q.multi else _single_options(dataset, q)}
            for q in getattr(dataset.schema, "questions", ())
        ],
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


def _single_options(dataset: datasets.Dataset, question) -> list[str]:  # noqa: ANN001 - schema.Question
    answers = dataset.frame.lazy().select(question.answers()).collect().to_series()
    return sorted(answers.drop_nulls().unique().to_list())


def _survey_settings(args: argparse.Namespace) -> datasets.LoadSettings:
    """The weight, cluster and stratum named on the command line, as the roles they give columns."""
    roles = {args.weight: "weight"} if args.weight and args.weight != "none" else {}
    roles |= {column: role for role, column in (("psu", args.psu), ("stratum", args.stratum)) if column}
    # Unweighted figures keep every row, whatever its weight.
    return datasets.LoadSettings.build(roles=roles, weight_rule="unweighted" if args.weight == "none" else "exclude")


def _shares(args: argparse.Namespace) -> dict:
    dataset = _load(args, _survey_settings(args))
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
            "deff": row["deff"],
            "n_eff": row["n_eff"],
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
    """Shares of the answers of one question (`--by`: a column, a question's text or a prefix),
    over the same rows as the pages. A multi-answer question's base is the respondents who
    answered it; each option's share is of them."""
    question = datasets.find_question(dataset, args.by)
    design = datasets.design(dataset)
    frame = datasets.rows(dataset).select(question.answers(), *design.keys,
                                          *([design.weight] if design.weight else [])).collect()
    if question.multi:
        table = stats.multi_response_shares(frame, question.name, design, separator=MULTI_SEPARATOR,
                                            keys=datasets.question_options(dataset, question))
    else:
        table = stats.share_table(frame, question.name, design)
    rows = [
        {"key": str(row["key"]), "label": str(row["key"]), "count": row["count"], "share": _percent(row["share"]),
         "ci_low": _percent(row["ci_low"]), "ci_high": _percent(row["ci_high"]), "deff": row["deff"],
         "n_eff": row["n_eff"]}
        for row in table.rows.iter_rows(named=True)
    ]
    result = {"question": question.name, "text": question.text, "multi": question.multi, "base": table.base_rows,
              "weighted": table.weighted, "rows": rows}
    if not args.json:
        print(question.text)
        print(f"base {table.base_rows} rows" + (f", weighted (effective base {table.n_eff:.1f})" if table.weighted else ""))
        # the figures as the segments page's breakdown shows them
        print(present.text_table(present.share_table(present.share_rows(table, args.lang), args.lang, 0.95, args.by)))
    return result


def _percent(value: float | None) -> float | None:
    return None if value is None else value * 100


def _crosstab(args: argparse.Namespace) -> dict:
    dataset = _load(args, _survey_settings(args))
    rows, columns = (datasets.find_question(dataset, name) for name in (args.rows, args.cols))
    for option, question in (("--rows", rows), ("--cols", columns)):
        if question.multi:
            raise InputError(message("cli.crosstab_multi", option=option, question=question.name))
    design = datasets.design(dataset)
    frame = datasets.rows(dataset).select(rows.answers(), columns.answers(), *design.keys,
                                          *([design.weight] if design.weight else [])).collect()
    table = stats.crosstab(frame, rows.name, columns.name, design, stats.Thresholds(level=args.level))
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
        print(f"{rows.name} × {columns.name}: share of each {rows.name} within each {columns.name}, base {table.base_rows} rows"
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


def _connected(args: argparse.Namespace) -> datasets.Dataset:
    """SOURCE through an engine: a Parquet folder / glob (duckdb, spark) or project.dataset (bigquery)."""
    from digistrat import engines

    where = {"path": args.file}
    if args.engine == "bigquery":
        project, dataset = engines.parse_bigquery_target(args.file)
        where = {"project": project, "dataset": dataset}
    cube = engines.compute(engines.Source(engine=args.engine, start=args.date_from, end=args.date_to, **where))
    if not args.json:
        print(engines.computed_message(cube).text(args.lang), file=sys.stderr)
    return engines.connected_dataset(cube)


def _channels(args: argparse.Namespace) -> dict:
    dataset = _connected(args) if args.engine else _load(args)
    settings = ChannelSettings(ai_channel=args.ai, own_domains=tuple(args.own_domain or ()), enriched=args.enriched)
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
    checked = traffic.agreement(dataset, settings)
    if checked is not None:
        result["agreement"] = checked.as_dict()
    if args.engine:
        cube = engines.cube_of(dataset)
        result["engine"] = {"name": cube.engine, "events": cube.events, "sessions": cube.sessions,
                            "events_without_session": cube.events_without_session, "seconds": round(cube.seconds, 3),
                            "cube_rows": cube.frame.height}
    if not args.json:
        print(origin.total(mix.sessions).text(args.lang))
        print(origin.message.text(args.lang))
        if checked is not None:
            _print_agreement(checked, args.lang)
        for title, prefix, frame in (("channels.detail_chart", "channel", mix.channels),
                                     ("channels.buckets_chart", "bucket", mix.buckets),
                                     ("channels.devices_chart", "device", mix.devices)):
            if frame.height:
                print(label(title, args.lang) + (" :" if args.lang == "fr" else ":"))  # French spaces its colon
                # the figures as the channels page shows them
                heading = label("column.device" if prefix == "device" else f"column.{prefix}", args.lang)
                print(present.text_table(present.traffic_table(present.traffic_rows(frame, prefix, args.lang), args.lang, heading)))
    return result


def _day(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a day; write it YYYY-MM-DD") from None


AGREEMENT_LINES = 10  # disagreements printed as text; --json gives them all


def _print_agreement(checked, lang: str) -> None:  # noqa: ANN001 - channels.Agreement
    if not checked.disagreements:
        print(label("channels.agreement_all", lang))
        return
    print(label("channels.agreement_summary", lang, share=format_percent(100 * (checked.share or 0), lang, 1),
                n=format_number(checked.sessions, lang), total=format_number(checked.total, lang)))
    for item in checked.disagreements[:AGREEMENT_LINES]:
        reason = label(f"channels.agreement.reason.{item.reason or 'unknown'}", lang)
        print(f"  {item.source} / {item.medium}: {item.label} in GA4, "
              f"{label(f'channel.{item.channel}', lang)} here ({format_number(item.sessions, lang)}) — {reason}")


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
    channels.add_argument("--enriched", action="store_true",
                          help="the project's enriched source list instead of strict GA4 (see data/SOURCES.md)")
    channels.add_argument("--engine", choices=("duckdb", "spark", "bigquery"),
                          help="compute where the data lives: FILE is then a GA4 export's Parquet folder or glob "
                               "(duckdb, spark) or project.dataset (bigquery)")
    channels.add_argument("--from", dest="date_from", type=_day, help="first day (YYYY-MM-DD), with --engine")
    channels.add_argument("--to", dest="date_to", type=_day, help="last day (YYYY-MM-DD), with --engine")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command != "channels" or not args.engine:
        if getattr(args, "date_from", None) or getattr(args, "date_to", None):
            build_parser().error("--from and --to go with --engine")
    if args.sheet is not None and args.sheet.isdigit():
        args.sheet = int(args.sheet)
    command = {"inspect": _inspect, "shares": _shares, "crosstab": _crosstab, "channels": _channels}[args.command]
    try:
        result = command(args)
        if args.json:
            print(json.dumps(result, ensure_ascii=False, default=str))
        sys.stdout.flush()
    except BrokenPipeError:
        # The reader stopped reading (`| head`): nothing is wrong with the file. Python's own advice:
        # point stdout at devnull so the flush at exit does not fail again.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    except DigistratError as error:
        print(f"error: {error.text(args.lang)}", file=sys.stderr)
        return 2
    except Exception as error:  # a bug, not the user's fault: one line; the traceback only in a debug log
        logging.getLogger(__name__).debug("unexpected failure", exc_info=True)
        print(f"error: {args.file} could not be processed ({type(error).__name__}); "
              "please report this with the file.", file=sys.stderr)
        return 2
    return 0

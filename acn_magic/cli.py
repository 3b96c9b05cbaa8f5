"""`acn`: run SQL against ActiveCampaign from a shell and print each statement's result."""
from __future__ import annotations

import argparse
import os
import sys
import warnings
from pathlib import Path
from typing import TextIO

import pandas as pd

from acn_magic.errors import AcnError
from acn_magic.session import StatementResult, connect

EPILOG = """examples:
  acn "select count(*) from Contacts"
  acn --format csv "select email, firstName from Contacts where email like '%example.org'" > contacts.csv
  acn --connection "ActiveCampaign (prod)" -f report.sql

Settings: --settings FILE, else $ACN_SETTINGS, $INVANTIVE_SETTINGS_FILE_PATH, ~/invantive/settings*.xml;
with none, the embedded demo sandbox answers."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        print(f"acn: error: {message}", file=sys.stderr)
        raise SystemExit(2)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="acn", description="SQL over the ActiveCampaign API v3.", epilog=EPILOG,
                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--settings", metavar="FILE", help="the settings.xml to use")
    parser.add_argument("--connection", "-c", metavar="NAME", help="the connection in settings.xml")
    parser.add_argument("--format", choices=("table", "csv", "json"), default="table", help="output format")
    parser.add_argument("-f", "--file", metavar="FILE.sql", help="read the SQL from a file ('-' for stdin)")
    parser.add_argument("sql", nargs="?", help="the SQL to run (one or more statements separated by ;)")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    text = _read_sql(args)
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            session = connect(args.connection, settings_file=args.settings, quiet=True)
        for warning in caught:
            print(f"acn: warning: {warning.message}", file=sys.stderr)
        for notice in session.notices:
            print(f"acn: {notice}", file=sys.stderr)
        with session:
            for result in session.execute(text):
                _print_result(result, args.format, sys.stdout)
                for warning_text in result.warnings:
                    print(f"acn: warning: {warning_text}", file=sys.stderr)
    except AcnError as exc:
        print(f"acn: error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("acn: cancelled.", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
    except Exception as exc:  # a bug of ours: still one paragraph, never a traceback (ACN_DEBUG=1 shows it)
        if os.environ.get("ACN_DEBUG"):
            raise
        print(f"acn: internal error ({type(exc).__name__}): {exc}. Please report this; set ACN_DEBUG=1 for details.",
              file=sys.stderr)
        return 1
    return 0


def _read_sql(args: argparse.Namespace) -> str:
    if args.file and args.sql:
        build_parser().error("give the SQL either as an argument or with -f, not both")
    if args.file:
        if args.file == "-":
            return sys.stdin.read()
        try:
            return Path(args.file).read_text(encoding="utf-8")
        except OSError as exc:
            print(f"acn: error: cannot read {args.file}: {exc.strerror}.", file=sys.stderr)
            raise SystemExit(1) from None
    if args.sql:
        return str(args.sql)
    if not sys.stdin.isatty():
        return sys.stdin.read()
    build_parser().error("no SQL given; pass it as an argument, with -f FILE.sql, or on standard input")
    return ""


def _print_result(result: StatementResult, fmt: str, out: TextIO) -> None:
    frame = result.frame
    if fmt == "csv":
        frame.to_csv(out, index=False)
    elif fmt == "json":
        out.write(frame.to_json(orient="records", date_format="iso", force_ascii=False) or "[]")
        out.write("\n")
    else:
        with pd.option_context("display.max_rows", None, "display.max_columns", None, "display.width", 200,
                               "display.max_colwidth", 60):
            out.write(frame.to_string(index=False) if len(frame.columns) else "(no columns)")
        out.write(f"\n({len(frame):,} row{'s' if len(frame) != 1 else ''}; {result.requests} API request"
                  f"{'s' if result.requests != 1 else ''})\n\n")
    out.flush()


if __name__ == "__main__":
    sys.exit(main())

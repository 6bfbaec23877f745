"""Command line: `python -m monitoring COMMAND ...` (see `--help`)."""

from __future__ import annotations

import argparse
import sys

from monitoring.db import DatabaseError, open_database
from monitoring.sample import load_sample


def cmd_init(args: argparse.Namespace) -> int:
    db = open_database(args.db)
    db.connection()  # creates the file and the schema
    print(f"Database ready: {db.path}")
    if args.sample:
        counts = load_sample(db)
        loaded = {k: v for k, v in counts.items() if v}
        if loaded:
            rows = ", ".join(f"{k} {v}" for k, v in loaded.items())
            print(f"Loaded illustrative sample data: {rows}.")
        else:
            print("Sample data was already loaded; nothing changed.")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m monitoring",
        description="Manage the programme monitoring database.",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    init = sub.add_parser("init", help="create the database (and load the sample tables)")
    init.add_argument(
        "--db", help="database file (default: $MONITORING_DB or data/monitoring.duckdb)"
    )
    init.add_argument("--sample", action="store_true", help="load the illustrative sample tables")
    init.set_defaults(func=cmd_init)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except (DatabaseError, FileNotFoundError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2

"""The ``sahel`` command line: parse, figures, score, check, report."""
from __future__ import annotations

import argparse
import sys
import warnings
from pathlib import Path

from . import paths


def _warn_to_stderr(message, category, filename, lineno, file=None, line=None) -> None:
    print(f"warning: {message}", file=sys.stderr)


def cmd_parse(args: argparse.Namespace) -> int:
    from .pipeline import parse_to_tables

    parse_to_tables(Path(args.corpus), Path(args.out))
    return 0


def cmd_figures(args: argparse.Namespace) -> int:
    import pandas as pd

    from .corpus import load

    figs = load(args.data).figures
    if args.party:
        figs = figs[figs["party"] == args.party.upper()]
    if args.measure:
        figs = figs[figs["measure"] == args.measure.lower()]
    cols = ["doc_id", "value", "value_high", "qualifier", "party", "measure", "noun",
            "date_start", "date_end"]
    with pd.option_context("display.max_rows", None, "display.width", 200):
        print(figs[cols].to_string(index=False) if len(figs) else "no figures")
    return 0


def cmd_score(args: argparse.Namespace) -> int:
    from .score import score_corpus

    result = score_corpus(Path(args.gold), Path(args.corpus))
    print(result.report(details=not args.quiet))
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="sahel", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("parse", help="parse a corpus folder into the tables of data/")
    p.add_argument("corpus", nargs="?", default=str(paths.SEEDS_DIR), help="corpus folder (default: seeds/)")
    p.add_argument("--out", default=str(paths.data_dir()), help="output folder (default: data/)")
    p.set_defaults(func=cmd_parse)

    p = sub.add_parser("figures", help="print the parsed figures")
    p.add_argument("--party", help="party code, e.g. FRA, JIHADIST")
    p.add_argument("--measure", help="killed, wounded, captured, deployed, destroyed, displaced")
    p.add_argument("--data", default=None, help="data folder (default: data/)")
    p.set_defaults(func=cmd_figures)

    p = sub.add_parser("score", help="score the extractor against a gold CSV (codebook rules)")
    p.add_argument("gold", help="gold figures CSV")
    p.add_argument("--corpus", default=str(paths.SEEDS_DIR), help="corpus folder (default: seeds/)")
    p.add_argument("-q", "--quiet", action="store_true", help="only the scores, no misses")
    p.set_defaults(func=cmd_score)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    warnings.showwarning = _warn_to_stderr
    try:
        return args.func(args)
    except (ValueError, FileNotFoundError, OSError) as exc:
        print(f"sahel {args.command}: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"sahel {args.command}: interrupted; nothing was written", file=sys.stderr)
        return 130


if __name__ == "__main__":
    raise SystemExit(main())

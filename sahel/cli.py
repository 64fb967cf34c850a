"""The ``sahel`` command line: parse, figures, score, check, review, report."""
from __future__ import annotations

import argparse
import sys
import warnings
from pathlib import Path

from . import paths


def _warn_to_stderr(message, category, filename, lineno, file=None, line=None) -> None:
    print(f"warning: {message}", file=sys.stderr)


def _terminate(signum, frame) -> None:
    raise KeyboardInterrupt  # SIGTERM as Ctrl-C: workers stopped, temporary folders removed


def cmd_parse(args: argparse.Namespace) -> int:
    import signal

    from . import check
    from .pipeline import write_corpus
    from .store.scan import MAX_BYTES, shown

    max_bytes = args.max_bytes or MAX_BYTES
    if not args.out.strip():
        print("sahel parse: error: --out is empty (give the output folder)", file=sys.stderr)
        return 2
    if args.strict:
        problems = check.check_corpus(args.corpus, max_bytes=max_bytes)
        if len(problems):
            print(check.format_report(problems, args.corpus), file=sys.stderr)
            print(f"sahel parse: {args.corpus}: {len(problems)} problem(s) with --strict; "
                  "nothing was written", file=sys.stderr)
            return 1
    signal.signal(signal.SIGTERM, _terminate)
    done = write_corpus(Path(args.corpus), Path(args.out), jobs=args.jobs, cache=not args.no_cache,
                        progress=args.progress, scheduler=args.scheduler, max_bytes=max_bytes,
                        corrections=args.corrections)
    print(f"parsed {done.documents} articles ({done.stats.parsed} parsed, {done.stats.cached} from cache), "
          f"{done.figures} figures -> {', '.join(shown(p) for p in done.written)}")
    if args.strict and done.problems:  # found only while parsing (an article the extractor failed on)
        print(f"sahel parse: {len(done.problems)} problem(s) while parsing, with --strict", file=sys.stderr)
        return 1
    return 0


def cmd_review(args: argparse.Namespace) -> int:
    from .triage import run

    return run(args.corpus, limit=args.limit, out=args.out)


def cmd_check(args: argparse.Namespace) -> int:
    from .check import run

    return run(args.corpus, max_bytes=args.max_bytes, strict=args.strict)


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
    from .score import score_corpus, score_facts_corpus

    if args.gold is None and (args.facts is None or args.totals is None):
        raise ValueError("give a gold figures CSV, or --facts and --totals")
    if args.gold is not None:
        print(score_corpus(Path(args.gold), Path(args.corpus)).report(details=not args.quiet))
    if args.facts is not None and args.totals is not None:
        print(score_facts_corpus(Path(args.facts), Path(args.totals), Path(args.corpus)).report(not args.quiet))
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    from .report.runner import help_notebook, main_report

    if args.help_notebook:
        print(help_notebook())
        return 0
    return main_report(args.names, args.param, args.file, args.out, args.jobs, args.notebooks)


def _positive_int(text: str) -> int:
    try:
        value = int(text.replace("_", ""))
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number of bytes: {text!r}") from None
    if value <= 0:
        raise argparse.ArgumentTypeError(f"must be positive: {text!r}")
    return value


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="sahel", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("parse", help="parse a corpus folder into the tables of data/")
    p.add_argument("corpus", nargs="?", default=str(paths.SEEDS_DIR), help="corpus folder (default: seeds/)")
    p.add_argument("--out", default=str(paths.data_dir()), help="output folder (default: data/)")
    p.add_argument("--strict", action="store_true",
                   help="refuse to parse (exit 1, write nothing) if `sahel check` finds any problem")
    p.add_argument("--max-bytes", type=_positive_int, default=None, metavar="N",
                   help="skip article files larger than N bytes (default: 5000000)")
    p.add_argument("-j", "--jobs", type=int, default=None, metavar="N",
                   help="worker processes (default: all cores; 1: no worker processes)")
    p.add_argument("--no-cache", action="store_true",
                   help="parse every article again, ignoring the per-article cache "
                        "($SAHEL_CACHE, default ~/.cache/sahel)")
    p.add_argument("--scheduler", default=None, metavar="tcp://HOST:PORT",
                   help="parse on a running dask.distributed scheduler (pip install 'sahel[dask]')")
    p.add_argument("--progress", action=argparse.BooleanOptionalAction, default=None,
                   help="show a progress bar (default: on a terminal, for runs over a second)")
    p.add_argument("--corrections", default=None, metavar="FILE",
                   help="analyst corrections to apply (default: corrections.csv in the corpus folder, if any)")
    p.set_defaults(func=cmd_parse)

    p = sub.add_parser("review", help="list the figures most likely wrong first, ready to correct")
    p.add_argument("corpus", nargs="?", default=str(paths.SEEDS_DIR),
                   help="corpus folder, or a folder of parsed tables (default: seeds/)")
    p.add_argument("--limit", type=int, default=50, metavar="N", help="at most N figures (default: 50)")
    p.add_argument("--out", default=None, metavar="FILE", help="write the CSV here (default: standard output)")
    p.set_defaults(func=cmd_review)

    p = sub.add_parser("check", help="report what is wrong with each file of a corpus folder")
    p.add_argument("corpus", nargs="?", default=str(paths.SEEDS_DIR), help="corpus folder (default: seeds/)")
    p.add_argument("--max-bytes", type=_positive_int, default=5_000_000, metavar="N",
                   help="article files larger than N bytes are errors (default: 5000000)")
    p.add_argument("--strict", action="store_true", help="exit 1 on warnings too, not only on errors")
    p.set_defaults(func=cmd_check)

    p = sub.add_parser("figures", help="print the parsed figures")
    p.add_argument("--party", help="party code, e.g. FRA, JIHADIST")
    p.add_argument("--measure", help="killed, wounded, captured, deployed, destroyed, displaced")
    p.add_argument("--data", default=None, help="data folder (default: data/)")
    p.set_defaults(func=cmd_figures)

    p = sub.add_parser("score", help="score figures, facts and totals against gold CSVs (codebook rules)")
    p.add_argument("gold", nargs="?", default=None, help="gold figures CSV")
    p.add_argument("--facts", metavar="GOLD_FACTS", help="gold facts CSV: B-cubed scores of the fact grouping")
    p.add_argument("--totals", metavar="GOLD_TOTALS", help="gold totals CSV: totals right K/N")
    p.add_argument("--corpus", default=str(paths.SEEDS_DIR), help="corpus folder (default: seeds/)")
    p.add_argument("-q", "--quiet", action="store_true", help="only the scores, no misses")
    p.set_defaults(func=cmd_score)

    p = sub.add_parser("report", help="run the notebooks and write HTML reports to reports/")
    p.add_argument("names", nargs="*", metavar="NAME",
                   help="notebooks to run: trajectory, costs, sources (default: all of them)")
    p.add_argument("-p", "--param", nargs=2, action="append", metavar=("KEY", "VALUE"),
                   help="a notebook parameter: corpus, start, end, parties (whose losses and forces "
                        "are shown), title; see --help-notebook")
    p.add_argument("-f", "--file", metavar="PARAMS.yaml", help="parameters from a YAML mapping")
    p.add_argument("--out", default=None, help="output folder (default: reports/ or $SAHEL_REPORTS)")
    p.add_argument("-j", "--jobs", type=int, default=None, metavar="N",
                   help="notebooks run at once (default: all cores)")
    p.add_argument("--notebooks", metavar="DIR", default=None,
                   help="run your own notebooks from DIR (each with a `parameters` cell)")
    p.add_argument("--help-notebook", action="store_true",
                   help="describe the parameters every notebook takes, and exit")
    p.set_defaults(func=cmd_report)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    warnings.showwarning = _warn_to_stderr
    try:
        return args.func(args)
    except (ValueError, FileNotFoundError, OSError) as exc:
        where = "".join(f" ({note})" for note in getattr(exc, "__notes__", []))  # e.g. the article
        print(f"sahel {args.command}: error: {exc}{where}".replace("\n", " "), file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"sahel {args.command}: interrupted; nothing was written", file=sys.stderr)
        return 130


if __name__ == "__main__":
    raise SystemExit(main())

"""The ``sahel`` command line: parse, figures, score, check, review, report."""
from __future__ import annotations

import argparse
import signal
import sys
import warnings
from pathlib import Path

from . import paths
from .store.scan import ERROR, MAX_BYTES, shown


def _warn_to_stderr(message, category, filename, lineno, file=None, line=None) -> None:
    print(f"warning: {message}", file=sys.stderr)


def _terminate(signum, frame) -> None:
    raise KeyboardInterrupt  # SIGTERM as Ctrl-C: workers stopped, temporary folders removed


def cmd_parse(args: argparse.Namespace) -> int:
    from .check import check_corpus, format_report
    from .pipeline import write_corpus

    if not args.out.strip():
        raise ValueError("--out is empty (give the output folder)")
    problems = check_corpus(args.corpus, max_bytes=args.max_bytes) if args.strict else ()
    if len(problems):
        print(format_report(problems, args.corpus), file=sys.stderr)
        print(f"sahel parse: {args.corpus}: {len(problems)} problem(s) with --strict; nothing was written",
              file=sys.stderr)
        return 1
    signal.signal(signal.SIGTERM, _terminate)
    done = write_corpus(Path(args.corpus), Path(args.out), jobs=args.jobs, cache=not args.no_cache,
                        progress=args.progress, scheduler=args.scheduler, max_bytes=args.max_bytes,
                        corrections=args.corrections)
    print(f"parsed {done.documents} articles ({done.stats.parsed} parsed, {done.stats.cached} from cache), "
          f"{done.figures} figures -> {', '.join(shown(p) for p in done.written)}")
    if args.strict and done.problems:  # found only while parsing (an article the extractor failed on)
        print(f"sahel parse: {len(done.problems)} problem(s) while parsing, with --strict", file=sys.stderr)
        return 1
    return 0


def cmd_review(args: argparse.Namespace) -> int:
    from .corpus import load
    from .pipeline import parse_corpus
    from .store.tables import csv_header, csv_rows
    from .triage import REVIEW, review

    if args.out is not None and Path(args.out).exists():
        raise ValueError(f"{args.out}: exists (it may hold your corrections); give a new file name")
    folder = Path(args.corpus)  # a folder of parsed tables, or a corpus folder (parsed, cached, corrected)
    queue = review(load(folder) if (folder / "figures.csv").is_file() else parse_corpus(folder), max(1, args.limit))
    if args.out is None:
        text = [c for c, t in REVIEW.items() if t == "string"]  # article text, shown on a terminal
        queue[text] = queue[text].map(lambda v: shown(v, 10**6), na_action="ignore")
        sys.stdout.write(csv_header(REVIEW) + csv_rows(queue, REVIEW))
        return 0
    with open(args.out, "x", encoding="utf-8", newline="") as fh:
        fh.write(csv_header(REVIEW) + csv_rows(queue, REVIEW))
    print(f"{len(queue)} figures to review -> {args.out} (fill in action, field, value, reason, author; "
          f"then `sahel parse --corrections {args.out}`)", file=sys.stderr)
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    from .check import check_corpus, format_report

    problems = check_corpus(args.corpus, max_bytes=args.max_bytes)
    print(format_report(problems, args.corpus))
    return int((problems["severity"] == ERROR).any() or (args.strict and len(problems) > 0))


def cmd_figures(args: argparse.Namespace) -> int:
    import pandas as pd

    from .corpus import load

    figs = load(args.data).figures
    if args.party:
        figs = figs[figs["party"] == args.party.upper()]
    if args.measure:
        figs = figs[figs["measure"] == args.measure.lower()]
    cols = ["doc_id", "value", "value_high", "qualifier", "party", "measure", "noun", "date_start", "date_end"]
    with pd.option_context("display.max_rows", None, "display.width", 200):
        print(figs[cols].to_string(index=False) if len(figs) else "no figures")
    return 0


def cmd_score(args: argparse.Namespace) -> int:
    from .pipeline import parse_corpus
    from .score import GOLD_FACTS, GOLD_TOTALS, read_gold, score, score_facts

    gold = None if args.gold is None else read_gold(args.gold)
    facts = None if None in (args.facts, args.totals) else (read_gold(args.facts, GOLD_FACTS),
                                                            read_gold(args.totals, GOLD_TOTALS))
    if gold is None and facts is None:
        raise ValueError("give a gold figures CSV, or --facts and --totals")
    corpus = parse_corpus(args.corpus)
    if gold is not None:
        print(score(gold, corpus.figures).report(details=not args.quiet))
    if facts is not None:
        print(score_facts(*facts, corpus.figures, corpus.facts).report(details=not args.quiet))
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    from .report.params import parse_cli
    from .report.runner import help_notebook, run

    if args.help_notebook:
        print(help_notebook())
        return 0
    where = Path(args.out) if args.out else paths.reports_dir()
    outcomes = run(args.names, parse_cli(args.param, args.file), where, args.jobs,
                   echo=lambda line: print(line, flush=True), folder=args.notebooks or None)
    for o in outcomes:
        if not o.ok:
            print(f"sahel report: error: notebook {o.name} failed in {o.message}; kept as "
                  f"{where / (o.name + '.failed.ipynb')}", file=sys.stderr)
    ok = [o.name for o in outcomes if o.ok]
    print(f"wrote {len(ok)} of {len(outcomes)} reports ({', '.join(ok) or 'none'}); open {where / 'index.html'}")
    return 0 if len(ok) == len(outcomes) else 1


def _positive_int(text: str) -> int:
    try:
        value = int(text)  # "5_000_000" too
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number of bytes: {text!r}") from None
    if value <= 0:
        raise argparse.ArgumentTypeError(f"must be positive: {text!r}")
    return value


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="sahel", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    seeds = str(paths.SEEDS_DIR)

    p = sub.add_parser("parse", help="parse a corpus folder into the tables of data/")
    p.add_argument("corpus", nargs="?", default=seeds, help="corpus folder (default: seeds/)")
    p.add_argument("--out", default=str(paths.data_dir()), help="output folder (default: data/)")
    p.add_argument("--strict", action="store_true",
                   help="refuse to parse (exit 1, write nothing) if `sahel check` finds any problem")
    p.add_argument("--max-bytes", type=_positive_int, default=MAX_BYTES, metavar="N",
                   help="skip article files larger than N bytes (default: %(default)s)")
    p.add_argument("-j", "--jobs", type=int, metavar="N",
                   help="worker processes (default: all cores; 1: no worker processes)")
    p.add_argument("--no-cache", action="store_true",
                   help="parse every article again, ignoring the per-article cache "
                        "($SAHEL_CACHE, default ~/.cache/sahel)")
    p.add_argument("--scheduler", metavar="tcp://HOST:PORT",
                   help="parse on a running dask.distributed scheduler (pip install 'sahel[dask]')")
    p.add_argument("--progress", action=argparse.BooleanOptionalAction,
                   help="show a progress bar (default: on a terminal, for runs over a second)")
    p.add_argument("--corrections", metavar="FILE",
                   help="analyst corrections to apply (default: corrections.csv in the corpus folder, if any)")
    p.set_defaults(func=cmd_parse)

    p = sub.add_parser("review", help="list the figures most likely wrong first, ready to correct")
    p.add_argument("corpus", nargs="?", default=seeds,
                   help="corpus folder, or a folder of parsed tables (default: seeds/)")
    p.add_argument("--limit", type=int, default=50, metavar="N", help="at most N figures (default: 50)")
    p.add_argument("--out", metavar="FILE", help="write the CSV here (default: standard output)")
    p.set_defaults(func=cmd_review)

    p = sub.add_parser("check", help="report what is wrong with each file of a corpus folder")
    p.add_argument("corpus", nargs="?", default=seeds, help="corpus folder (default: seeds/)")
    p.add_argument("--max-bytes", type=_positive_int, default=MAX_BYTES, metavar="N",
                   help="article files larger than N bytes are errors (default: %(default)s)")
    p.add_argument("--strict", action="store_true", help="exit 1 on warnings too, not only on errors")
    p.set_defaults(func=cmd_check)

    p = sub.add_parser("figures", help="print the parsed figures")
    p.add_argument("--party", help="party code, e.g. FRA, JIHADIST")
    p.add_argument("--measure", help="killed, wounded, captured, deployed, destroyed, displaced")
    p.add_argument("--data", help="data folder (default: data/)")
    p.set_defaults(func=cmd_figures)

    p = sub.add_parser("score", help="score figures, facts and totals against gold CSVs (codebook rules)")
    p.add_argument("gold", nargs="?", help="gold figures CSV")
    p.add_argument("--facts", metavar="GOLD_FACTS", help="gold facts CSV: B-cubed scores of the fact grouping")
    p.add_argument("--totals", metavar="GOLD_TOTALS", help="gold totals CSV: totals right K/N")
    p.add_argument("--corpus", default=seeds, help="corpus folder (default: seeds/)")
    p.add_argument("-q", "--quiet", action="store_true", help="only the scores, no misses")
    p.set_defaults(func=cmd_score)

    p = sub.add_parser("report", help="run the notebooks and write HTML reports to reports/")
    p.add_argument("names", nargs="*", metavar="NAME",
                   help="notebooks to run: trajectory, costs, sources (default: all of them)")
    p.add_argument("-p", "--param", nargs=2, action="append", metavar=("KEY", "VALUE"),
                   help="a notebook parameter: corpus, start, end, parties (whose losses and forces "
                        "are shown), title; see --help-notebook")
    p.add_argument("-f", "--file", metavar="PARAMS.yaml", help="parameters from a YAML mapping")
    p.add_argument("--out", help="output folder (default: reports/ or $SAHEL_REPORTS)")
    p.add_argument("-j", "--jobs", type=int, metavar="N",
                   help="notebooks run at once (default: all cores)")
    p.add_argument("--notebooks", metavar="DIR",
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

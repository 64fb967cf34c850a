"""``python -m benchmarks [--quick] [--only NAME ...]``: run, print a table, write results.json."""
from __future__ import annotations

import argparse
import compileall
import importlib
import json
import os
import platform
import sys
import time
import traceback
from datetime import datetime, timezone

from .common import BENCH_DIR, Result, Row

# scale runs before load: load also reads the 1,000-article tables scale leaves
BENCHMARKS = {
    "extraction": "benchmarks.extraction",
    "import": "benchmarks.importtime",
    "scale": "benchmarks.scale",
    "load": "benchmarks.load",
    "report": "benchmarks.report",
}
RESULTS = BENCH_DIR / "results.json"
HEADER = ["Benchmark", "Measure", "Value", "Goal", "Met", "Note"]


def markdown(rows: list[Row]) -> str:
    """The results as a Markdown table."""
    lines = ["| " + " | ".join(HEADER) + " |", "|" + "---|" * len(HEADER)]
    lines += ["| " + " | ".join(c.replace("|", "\\|") for c in r.cells()) + " |" for r in rows]
    return "\n".join(lines)


def write_readme() -> int:
    """Replace the "Latest results" section of benchmarks/README.md with results.json's table."""
    data = json.loads(RESULTS.read_text())
    readme = BENCH_DIR / "README.md"
    text = readme.read_text(encoding="utf-8")
    head = text.split("## Latest results")[0]
    quick = any(b.get("quick") for b in data["benchmarks"].values())
    section = (f"## Latest results\n\n{data['generated']}, {data['machine']['cpus']} CPUs, Python "
               f"{data['machine']['python']}{' (--quick)' if quick else ''}:\n\n{data['table_markdown']}\n")
    readme.write_text(head + section, encoding="utf-8")
    return 0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    ap.add_argument("--quick", action="store_true", help="smaller corpora and fewer rounds (for iteration)")
    ap.add_argument("--only", action="append", choices=list(BENCHMARKS), metavar="NAME",
                    help=f"run only this benchmark (repeatable): {', '.join(BENCHMARKS)}")
    ap.add_argument("--markdown", action="store_true", help="print the table as Markdown")
    ap.add_argument("--readme", action="store_true",
                    help="run nothing: write the table of results.json into benchmarks/README.md")
    args = ap.parse_args(argv)
    if args.readme:
        return write_readme()
    names = args.only or list(BENCHMARKS)
    # byte-compile the package first, as an install does: with PYTHONDONTWRITEBYTECODE set (as on some
    # machines) every `sahel` process would otherwise compile its modules again
    compileall.compile_dir(BENCH_DIR.parent / "sahel", quiet=1)
    previous = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    results = previous.get("benchmarks", {}) if args.only else {}
    rows: list[Row] = []
    failed = False
    for name in names:
        print(f"[{name}] running …", file=sys.stderr, flush=True)
        t = time.perf_counter()
        try:
            result = importlib.import_module(BENCHMARKS[name]).run(quick=args.quick)
        except Exception:
            failed = True
            traceback.print_exc()
            result = Result(skipped=f"failed: {traceback.format_exc(limit=1).strip().splitlines()[-1]}")
        seconds = time.perf_counter() - t
        if result.skipped:
            result.rows = [Row(name, "(skipped)", None, note=result.skipped)]
        print(f"[{name}] {seconds:.0f} s", file=sys.stderr, flush=True)
        rows += result.rows
        results[name] = {**result.to_json(), "seconds": round(seconds, 1), "quick": args.quick}
    all_rows = [Row(**r) for name in BENCHMARKS if name in results for r in results[name]["rows"]]
    out = {
        "generated": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()},
        "table_markdown": markdown(all_rows),
        "benchmarks": {k: results[k] for k in BENCHMARKS if k in results},
    }
    RESULTS.write_text(json.dumps(out, indent=2, default=str) + "\n")
    if args.markdown:
        print(markdown(rows))
    else:
        widths = [max(len(h), *(len(r.cells()[i]) for r in rows)) for i, h in enumerate(HEADER)]
        print("  ".join(h.ljust(w) for h, w in zip(HEADER, widths)))
        for r in rows:
            print("  ".join(c.ljust(w) for c, w in zip(r.cells(), widths)))
    print(f"\nwrote {RESULTS.relative_to(BENCH_DIR.parent)}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())

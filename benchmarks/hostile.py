"""Hostile-size articles (issue 20 item 8): each must parse end to end in under 10 s.

``python -m benchmarks.hostile`` builds one-article corpora in a temporary folder
and times the whole ``sahel parse`` command on each (a fresh process, no cache,
one core), then splits the time of the slowest part in-process: text clean-up,
``parse_text`` and ``sahel.reconcile.derive``. Not a test: absolute times on a
shared machine are noise; the goal is an order of magnitude, not a ratio.
"""
from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

GOAL = 10.0
VILLAGES = ["Gao", "Menaka", "Kidal", "Timbuktu", "Mopti", "Sevare", "Tessalit", "Ansongo"]


def listed(n: int = 5000) -> str:
    """An article listing ``n`` figures in one paragraph (``3 killed, 7 killed, ...``)."""
    items = ", ".join(f"{i % 97 + 1} killed" for i in range(n))
    return f"Mali: the toll\n\nSoldiers killed since January: {items}.\n"


def casualty_log(n: int = 1000) -> str:
    """A log of ``n`` dated lines, each with a killed and a wounded figure."""
    lines = [f"{i % 28 + 1} March 2020 - {VILLAGES[i % 8]}: {i % 9 + 2} soldiers killed, {i % 5 + 1} wounded "
             f"in attack {i + 1}." for i in range(n)]
    return "Casualty log of the operation\n\n" + "\n".join(lines) + "\n"


def prefix_lines(n: int = 20000) -> str:
    """``n`` distinct lines sharing a 40-character prefix (text clean-up used to be quadratic here)."""
    return "\n".join(f"The casualty log of the operation, entry {i}: nothing to report." for i in range(n)) + "\n"


def big(n_chars: int = 1_200_000) -> str:
    """An article over spaCy's 1,000,000-character limit, one figure at its end."""
    return "The weather was mild in Bamako. " * (n_chars // 32) + "\n\n5 French soldiers were killed in Gao.\n"


CASES = {"5,000 listed figures": listed, "1,000-line casualty log": casualty_log,
         "20,000 lines sharing a prefix": prefix_lines, "1.2 M characters": big}


def run_cli(text: str, tmp: Path) -> tuple[float, str]:
    folder = tmp / "corpus"
    folder.mkdir(exist_ok=True)
    (folder / "a.txt").write_text(text, encoding="utf-8")
    (folder / "catalog.csv").write_text("doc_id,published\na,2020-04-01\n", encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    t0 = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "sahel.cli", "parse", str(folder), "--out", str(tmp / "out"),
                           "--no-cache", "-j", "1"], capture_output=True, text=True, env=env, timeout=1200)
    return time.perf_counter() - t0, (proc.stdout + proc.stderr).strip().splitlines()[-1][:100]


def split(text: str) -> dict[str, float]:
    """Seconds of clean-up, parse_text (clean-up included) and derive on one article, in this process."""
    from sahel.extract import parse_text
    from sahel.extract.text import clean
    from sahel.reconcile import derive
    from sahel.schema import DOCUMENTS, frame

    t0 = time.perf_counter()
    clean(text)
    t1 = time.perf_counter()
    doc = parse_text(text, doc_id="a", published="2020-04-01")
    figures, mentions = doc.figures, doc.mentions
    t2 = time.perf_counter()
    docs = frame([{"doc_id": "a", "published": "2020-04-01", "n_chars": len(text)}], DOCUMENTS)
    derive(docs, figures, mentions)
    t3 = time.perf_counter()
    return {"clean": t1 - t0, "parse_text": t2 - t1, "derive": t3 - t2, "figures": float(len(figures))}


def main() -> int:
    print(f"{'article':32} {'chars':>9} {'sahel parse':>12} {'clean':>7} {'parse_text':>10} {'derive':>8} "
          f"{'figures':>7}  goal < {GOAL:.0f} s")
    worst = 0.0
    for name, make in CASES.items():
        text = make()
        with tempfile.TemporaryDirectory(prefix="sahel-hostile-") as tmp:
            seconds, last = run_cli(text, Path(tmp))
        parts = split(text)
        worst = max(worst, seconds)
        print(f"{name:32} {len(text):>9,} {seconds:>11.1f}s {parts['clean']:>6.2f}s {parts['parse_text']:>9.2f}s "
              f"{parts['derive']:>7.2f}s {parts['figures']:>7.0f}  {'ok' if seconds < GOAL else 'SLOW'}")
        if "parsed" not in last:
            print(f"  last line: {last}")
    return 0 if worst < GOAL else 1


if __name__ == "__main__":
    raise SystemExit(main())

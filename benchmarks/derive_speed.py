"""``python -m benchmarks.derive_speed``: time the corpus-wide layer and the mention extraction.

* ``reconcile.derive`` (facts, events, timeline, places, actors) on generated
  corpora (``benchmarks/generate.py``; default 1,000 and 10,000 articles).
  The per-article tables are parsed once through the normal cache
  (``parse_articles``), so only ``derive`` is timed.
* ``mentions.extract_mentions`` in ms per article on the development set
  (sentences from ``parse_text``, median of rounds).

``--before REV`` also times the versions of ``sahel/reconcile.py``,
``sahel/mentions.py`` and ``sahel/places.py`` at git revision ``REV`` (e.g.
``HEAD`` before the change is committed), loaded side by side in the same
process, and checks that they give the same tables; ``derive`` of REV only
runs on corpora of at most ``--before-max`` articles (it was quadratic).

Measured on the 2-core machine (shared with other jobs: ±30 %), before = the
versions at the commit preceding the change (``--before HEAD`` then):

==============================  =====================  ======================
what                            before                 after
==============================  =====================  ======================
derive, 200 articles            63–72 s                0.34–0.9 s
derive, 1,000 articles          936 s                  1.7–2.4 s
derive, 10,000 articles         (not run: quadratic)   16–25 s
extract_mentions, dev set       5.1–7.7 ms/article     1.4–2.1 ms/article
==============================  =====================  ======================

The tables are identical (``same tables: True``; on 1,000 articles the CSVs
of both versions were compared byte for byte). Since then ``derive`` is a thin
wrapper over ``reconcile.prepare`` (per article, in the parse workers, cached)
and ``reconcile.derive_prepared`` (corpus-wide): on 10,000 articles
``derive_prepared`` took ~5 s and ~60 MB above its input (the 10,000 prepared
inputs: ~22 MB), with byte-identical tables on the 1,000- and 10,000-article
corpora, the seeds, the development set and the held-out sets. Clustering in two
processes, paused garbage collection and events compared per sentence brought
that to ~2.5 s on an idle machine; with the block memo of an earlier run (what
``sahel parse`` keeps in the cache) it is ~1.8 s CPU after adding one article.
"""
from __future__ import annotations

import argparse
import importlib.util
import statistics
import subprocess
import sys
import tempfile
import time
import types
import warnings
from pathlib import Path

import pandas as pd

from . import generate
from .common import DEV_DIR, ROOT


def per_article_tables(folder: Path, jobs: int = 2):
    """``(documents, figures, mentions)`` of a corpus, as ``sahel parse`` gives them to ``derive``."""
    from sahel import parse_corpus

    corpus = parse_corpus(folder, jobs=jobs, cache=True, progress=False)
    return corpus.documents, corpus.figures, corpus.tables.get("mentions")


def load_revision(rev: str) -> dict[str, types.ModuleType]:
    """``places``, ``mentions`` and ``reconcile`` as of git revision ``rev``, wired to each other."""
    tmp = Path(tempfile.mkdtemp(prefix="sahel-before-"))
    mods: dict[str, types.ModuleType] = {}
    for name in ("places", "mentions", "reconcile"):
        src = subprocess.run(["git", "show", f"{rev}:sahel/{name}.py"], cwd=ROOT, check=True,
                             capture_output=True, text=True).stdout
        path = tmp / f"{name}.py"
        path.write_text(src)
        spec = importlib.util.spec_from_file_location(f"sahel._before_{name}", path)
        mod = importlib.util.module_from_spec(spec)
        sys.modules[spec.name] = mod
        spec.loader.exec_module(mod)
        mods[name] = mod
    from sahel.extract import gazetteer as actors

    old_places = mods["places"]
    matcher = old_places.Gazetteer(actors.gazetteer(actors.ACTORS_CSV), "actor_id")
    old_actors = types.SimpleNamespace(gazetteer=lambda: actors.gazetteer(actors.ACTORS_CSV), find_actors=matcher.find)
    for name in ("mentions", "reconcile"):
        mods[name]._places = old_places
        mods[name]._actors = old_actors
    return mods


def time_derive(module, tables) -> tuple[float, dict[str, pd.DataFrame]]:
    t = time.perf_counter()
    out = module.derive(*tables)
    return time.perf_counter() - t, out


def same_tables(a: dict[str, pd.DataFrame], b: dict[str, pd.DataFrame]) -> bool:
    try:
        for name in a:
            pd.testing.assert_frame_equal(a[name], b[name])
    except AssertionError:
        return False
    return True


def mentions_ms(module, docs, rounds: int) -> float:
    for d in docs:
        module.extract_mentions(*d)
    times = []
    for _ in range(rounds):
        t = time.perf_counter()
        for d in docs:
            module.extract_mentions(*d)
        times.append((time.perf_counter() - t) / len(docs) * 1000)
    return statistics.median(times)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sizes", type=int, nargs="*", default=[1000, 10000])
    ap.add_argument("--before", metavar="REV", help="also time (and compare with) this git revision")
    ap.add_argument("--before-max", type=int, default=200, help="largest corpus to run REV's derive on")
    ap.add_argument("--rounds", type=int, default=7)
    ap.add_argument("--jobs", type=int, default=2)
    args = ap.parse_args(argv)
    warnings.simplefilter("ignore")
    from sahel import reconcile
    from sahel.extract import mentions
    from sahel.extract import parse_text
    from sahel.store.scan import Article, scan

    before = load_revision(args.before) if args.before else None
    for n in args.sizes:
        tables = per_article_tables(generate.corpus(n), jobs=args.jobs)
        secs, out = time_derive(reconcile, tables)
        line = f"derive, {n:>6} articles ({len(tables[1])} figures): {secs:7.2f} s"
        if before is not None and n <= args.before_max:
            old_secs, old_out = time_derive(before["reconcile"], tables)
            line += f"   {args.before}: {old_secs:7.2f} s, same tables: {same_tables(out, old_out)}"
        print(line, flush=True)
    docs = []
    for art in (a for a in scan(DEV_DIR) if isinstance(a, Article)):
        d = parse_text(art.text, doc_id=art.doc_id, published=art.published)
        docs.append((art.doc_id, art.text, d.sentences, art.published))
    line = f"extract_mentions, development set: {mentions_ms(mentions, docs, args.rounds):.2f} ms/article"
    if before is not None:
        old = before["mentions"]
        same = all(mentions.extract_mentions(*d).equals(old.extract_mentions(*d)) for d in docs)
        line += f"   {args.before}: {mentions_ms(old, docs, args.rounds):.2f} ms/article, same tables: {same}"
    print(line)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

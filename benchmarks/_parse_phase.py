"""``python -m benchmarks._parse_phase CORPUS JOBS CACHE``: the per-article phase of ``sahel parse``.

Reads, parses (cache, worker pool) and merges the per-article tables exactly as
:func:`sahel.corpus.parse_corpus` does, without the corpus-wide derived tables
and without writing. ``CACHE`` is a folder or ``off``.
"""
from __future__ import annotations

import sys
import warnings

from sahel.corpus import iter_articles
from sahel.parallel import parse_articles


def main(argv: list[str]) -> int:
    folder, jobs, cache = argv[0], int(argv[1]), argv[2]
    warnings.simplefilter("ignore")
    run = parse_articles(iter_articles(folder), jobs=jobs or None, cache=False if cache == "off" else cache,
                         progress=False)
    tables = {name: run.table(name) for name in run.names()}
    rows = ", ".join(f"{len(df)} {name}" for name, df in tables.items() if df is not None)
    print(f"{run.stats.articles} articles ({run.stats.parsed} parsed, {run.stats.cached} from cache): {rows}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))

"""From a corpus folder to the committed tables: ``sahel parse``."""
from __future__ import annotations

from pathlib import Path

from .corpus import ParseSummary, write_corpus


def parse_to_tables(corpus_dir: Path, out_dir: Path, jobs: int | None = None,
                    cache: bool | str | Path = True, progress: bool | None = None) -> ParseSummary:
    """Parse ``corpus_dir`` and write its tables to ``out_dir`` atomically (streamed).

    ``jobs``, ``cache`` and ``progress`` are those of :func:`parse_corpus`.
    """
    done = write_corpus(corpus_dir, out_dir, jobs=jobs, cache=cache, progress=progress)
    print(f"parsed {done.documents} articles ({done.stats.parsed} parsed, {done.stats.cached} from cache), "
          f"{done.figures} figures -> {', '.join(str(p) for p in done.written)}")
    return done

"""From a corpus folder to the committed tables: ``sahel parse``."""
from __future__ import annotations

from pathlib import Path

from .corpus import Corpus, parse_corpus
from .schema import DOCUMENTS, FIGURES, NUMBERS
from .tables import write_tables


def corpus_tables(corpus: Corpus) -> dict:
    """``{name: (frame, schema)}`` of every table ``sahel parse`` writes."""
    from .schema import DERIVED

    out = {
        "documents": (corpus.documents, DOCUMENTS),
        "figures": (corpus.figures, FIGURES),
    }
    if "numbers" in corpus.tables:
        out["numbers"] = (corpus.tables["numbers"], NUMBERS)
    out.update({name: (corpus.tables[name], schema) for name, schema in DERIVED.items()
                if name in corpus.tables})
    return out


def parse_to_tables(corpus_dir: Path, out_dir: Path, jobs: int | None = None,
                    cache: bool | str | Path = True, progress: bool | None = None) -> Corpus:
    """Parse ``corpus_dir`` and write its tables to ``out_dir`` atomically.

    ``jobs``, ``cache`` and ``progress`` are those of :func:`parse_corpus`.
    """
    corpus = parse_corpus(corpus_dir, jobs=jobs, cache=cache, progress=progress)
    written = write_tables(corpus_tables(corpus), out_dir)
    stats = getattr(corpus, "parse_stats", None)
    detail = f" ({stats.parsed} parsed, {stats.cached} from cache)" if stats else ""
    print(f"parsed {len(corpus.documents)} articles{detail}, {len(corpus.figures)} figures "
          f"-> {', '.join(str(p) for p in written)}")
    return corpus

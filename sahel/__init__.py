"""sahel: sourced figures on the French-led intervention in the Sahel, from news articles.

The public API. Parsing (:mod:`sahel.pipeline`, :mod:`sahel.extract`) and the review queue are
imported when first used, so ``import sahel`` and :func:`load` need pandas alone.

>>> import sahel
>>> corpus = sahel.load()            # committed tables, pandas only
>>> doc = sahel.parse_text("Mali lost 24 soldiers last week.", published="2019-11-26")
"""
from __future__ import annotations

from importlib import import_module

from .corpus import Corpus, load
from .schema import describe

__version__ = "0.1.0"
_LAZY = {"CorpusError": "pipeline", "CorpusWarning": "pipeline", "parse_corpus": "pipeline",
         "write_corpus": "pipeline", "Document": "extract", "parse_text": "extract", "review": "triage"}
__all__ = ["Corpus", "load", "describe", *_LAZY, "__version__"]


def __getattr__(name: str):
    if name not in _LAZY:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(import_module(f".{_LAZY[name]}", __name__), name)

"""sahel: sourced figures on the French-led intervention in the Sahel, from news articles.

>>> import sahel
>>> corpus = sahel.load()            # committed tables, pandas only
>>> doc = sahel.parse_text("Mali lost 24 soldiers last week.", published="2019-11-26")
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from .corpus import Corpus, load
from .schema import describe

if TYPE_CHECKING:
    from .extract import Document

__version__ = "0.1.0"
__all__ = ["Corpus", "CorpusError", "CorpusWarning", "Document", "load", "parse_corpus", "write_corpus",
           "describe", "parse_text", "review", "__version__"]


def __getattr__(name: str):  # parsing lives in sahel.pipeline, imported when first used
    if name in ("CorpusError", "CorpusWarning", "parse_corpus", "write_corpus"):
        from . import pipeline

        return getattr(pipeline, name)
    if name == "review":  # the review queue (sahel.triage)
        from .triage import review

        return review
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def parse_text(text: str, *, doc_id: str = "doc", published=None) -> "Document":
    """Extract the figures of one article; see :func:`sahel.extract.parse_text`."""
    from .extract import parse_text as _parse_text

    return _parse_text(text, doc_id=doc_id, published=published)

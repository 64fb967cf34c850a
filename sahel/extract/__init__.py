"""The per-article step: one article's text in, its figures, numbers and mentions out.

:func:`parse_text` cleans the text (:mod:`.text`), splits it into sentences (:mod:`.sentences`)
and codes each sentence's figures (:mod:`.figures`); :mod:`.mentions` finds places, actors and
milestones. What stays out: anything across articles (:mod:`sahel.pipeline`, :mod:`sahel.reconcile`).
"""
from __future__ import annotations

import re
from datetime import date
from functools import cached_property

import pandas as pd

from ..schema import FIGURES, NUMBERS, SENTENCES, frame
from .dates import as_date
from .figures import ANY_NUMBER, ONE_VICTIM, code_sentence, rows
from .parties import Context
from .sentences import Figure, sentence_spans
from .text import clean, fold_case, without_surrogates

__all__ = ["Document", "parse_text"]
_VICTIM_WORD = re.compile("killed|wounded|injured|abducted|kidnapped|captured|arrested|shot dead")  # a literal first test


class Document:
    """A parsed article: its text, sentences, every number and the figures (tables built on first access)."""

    def __init__(self, doc_id: str, text: str, published: date | None,
                 rows: dict[str, list[dict[str, object]]]) -> None:
        self.doc_id, self.text, self.published, self.rows = doc_id, text, published, rows

    @cached_property
    def figures(self) -> pd.DataFrame:
        """One row per figure (:data:`sahel.schema.FIGURES`)."""
        return frame(self.rows["figures"], FIGURES)

    @cached_property
    def numbers(self) -> pd.DataFrame:
        """Every number in the text and whether it is a figure (:data:`sahel.schema.NUMBERS`)."""
        return frame(self.rows["numbers"], NUMBERS)

    @cached_property
    def sentences(self) -> pd.DataFrame:
        """Sentence spans and paragraph numbers (:data:`sahel.schema.SENTENCES`)."""
        return frame(self.rows["sentences"], SENTENCES)

    @cached_property
    def mentions(self) -> pd.DataFrame:
        """Places, actors and dated milestones named in the text (:mod:`.mentions`)."""
        from .mentions import extract_mentions

        return extract_mentions(self.doc_id, self.text, self.rows["sentences"], self.published)

    def __repr__(self) -> str:
        return f"Document({self.doc_id!r}, {len(self.text)} chars, {len(self.rows['figures'])} figures)"


def parse_text(text: str, *, doc_id: str = "doc", published: date | str | None = None) -> Document:
    """Extract the figures of one article; ``published`` (a ``date``, an ISO string or None) resolves
    relative dates, which stay unresolved without it. Offsets in the result point into ``text``."""
    if not isinstance(text, str):
        raise TypeError(f"{doc_id}: text must be str, not {type(text).__name__}")
    pub = as_date(published, strict=True)
    text = without_surrogates(text)
    cleaned = clean(text)
    folded = fold_case(cleaned.text)
    context = Context()
    fig_rows, num_rows, sent_rows = [], [], []
    previous: list[Figure] = []  # figures an ellipsis may refer to: those of the last two sentences
    coded: dict[int, dict[str, object]] = {}  # the rows of the last coded sentence's figures
    for k, (s, e, para) in enumerate(sentence_spans(cleaned)):
        span = cleaned.span(s, e)
        sent_rows.append({"doc_id": doc_id, "sentence": k, "paragraph": para, "start": span[0], "end": span[1]})
        if not ANY_NUMBER.search(folded, s, e) and not (_VICTIM_WORD.search(folded, s, e) and ONE_VICTIM.search(folded, s, e)):
            context.skip(cleaned.text[s:e], folded[s:e])
            previous = previous[-20:]
            continue
        sent = code_sentence(cleaned.text[s:e], folded[s:e], pub, context, previous)
        context.add(sent)
        for f in previous:  # a later sentence may revise the party of an earlier figure ("Of those, …")
            row = coded.get(id(f))
            if row is not None and row["party"] != (f.party or "UNKNOWN"):
                row["party"], row["party_rule"] = f.party or "UNKNOWN", f.party_rule
        figs, nums = rows(sent, cleaned, s, text, doc_id, k, span, para)
        coded = dict(zip((id(f) for f in sent.figures if f.cls is not None), figs))
        fig_rows += figs
        num_rows += nums
        for f in sent.figures:
            f.sentence = k
        previous = [f for f in previous + sent.figures if f.cls is not None and f.sentence >= k - 1][-20:]
    num_rows.sort(key=lambda r: r["start"])
    return Document(doc_id, text, pub, {"figures": fig_rows, "numbers": num_rows, "sentences": sent_rows})

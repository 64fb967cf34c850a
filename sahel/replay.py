"""Clustering a block of figures again after a few articles changed, by replaying the last run.

The facts of a block (one party, measure and kind) come from a greedy clustering
(:func:`sahel.reconcile._cluster`): figures are taken in a fixed order and each joins the first
cluster, in the order clusters were opened, that accepts it among those its dates and values reach
(``_Block.candidates``), else opens one. A :class:`Trace` records, for each figure of the block, its
place in that order, the cluster it chose, its sort key and the spans the candidate index files it
under and looks it up by.

After articles were added, removed or edited, :func:`replay` walks the new order. A figure of an
unchanged article makes its last choice again unless something it would have tested is not as it was:
a *changed* cluster (one that gained or lost a member, or was opened by a new figure) that it reaches
and that comes before its last choice, or a last choice that changed itself. Only then, and for the
figures of the changed articles, is it decided as :func:`~sahel.reconcile._cluster` decides, against
the clusters' members at that point. A cluster unchanged to the end keeps its last fact. The result is
the clustering of the whole block (``tests/test_replay.py`` compares them on random changes).
"""
from __future__ import annotations

from array import array
from bisect import insort
from collections.abc import Callable
from typing import NamedTuple

import numpy as np

from . import reconcile as rc

NONE = -(2**31)  # a span that is not known (wide): both ends


class Trace(NamedTuple):
    """How a block was clustered, by the figures' positions in the block (article order, then figure
    order); what :func:`replay` needs besides the block's facts."""

    docs: list[str]  # the block's articles (doc ids), in order
    doc: array  # per position: its article (index into docs)
    fig: array  # per position: the figure's number in its article
    rank: bytes  # per position: BASIS_RANK, then span and figure_id: the clustering order's key
    span: array
    ids: list[str]
    spans: array  # per position, 8 values: filed dates and values, then looked-up dates and values
    order: array  # the positions in the order they were clustered
    choice: array  # the cluster (in opening order) each of them joined

    @staticmethod
    def restore(t: tuple) -> Trace:
        """The trace :func:`portable` stored."""
        docs, *middle, ids, spans, order, choice = t
        return Trace(docs.split("\0") if docs else [], *middle, ids.split("\0") if ids else [], spans, order,
                     choice)


def portable(t: Trace) -> tuple:
    """``t`` as plain values, quick to pickle (doc and figure ids as one string each)."""
    return ("\0".join(t.docs), *t[1:5], "\0".join(t.ids), *t[6:])


def spans_of(block: rc._Block, f: rc._Fig) -> list[int]:
    """The spans ``block`` files ``f`` under when ``f`` opens a cluster, and looks it up by (:data:`NONE`
    for a wide span): the 8 values of a :class:`Trace` position."""
    out = []
    for query in (False, True):
        dates, values = block._spans(f, query)
        if dates is not None and query and not block.incident:
            dates = (dates[0] - 1, dates[1] + 1)
        for span in (dates, values):
            out.extend(span if span is not None else (NONE, NONE))
    return out


def trace(figs: list[rc._Fig], kind: str, order: list[int], choice: list[int]) -> Trace:
    """The :class:`Trace` of a block's clustering (``order`` and ``choice`` from ``_greedy``); its
    articles are named later (:func:`named`)."""
    block = rc._Block(kind)
    spans = array("i")
    for f in figs:
        spans.extend(spans_of(block, f))
    keys = [rc.order_key(f) for f in figs]
    return Trace([], array("i"), array("i"), bytes(k[0] for k in keys), array("i", [k[1] for k in keys]),
                 [k[2] for k in keys], spans,
                 array("i", order), array("i", choice))


def named(t: Trace, docs: list[str], numbers: array, figures: array) -> Trace:
    """``t`` with its articles: ``docs`` (doc ids) of the article numbers in ``numbers``."""
    index: dict[int, int] = {}
    names: list[str] = []
    doc = array("i")
    for n in numbers:
        k = index.get(n)
        if k is None:
            k = index[n] = len(names)
            names.append(docs[n])
        doc.append(k)
    return t._replace(docs=names, doc=doc, fig=array("i", figures))


def _reaches(spans: array, head: int, j: int) -> bool:
    """Is a cluster opened by position ``head`` a candidate of position ``j`` (``_Block.candidates``)?"""
    h, q = 8 * head, 8 * j + 4
    for k in (0, 2):  # dates, values
        a0, a1, b0, b1 = spans[h + k], spans[h + k + 1], spans[q + k], spans[q + k + 1]
        if a0 != NONE and b0 != NONE and (a0 > b1 or b0 > a1):
            return False
    return True


class _Walk:
    """The state of one replay: clusters (members as positions) in opening order."""

    def __init__(self, figs: dict[int, rc._Fig], make: Callable[[int], rc._Fig], spans: array) -> None:
        self.figs, self.make, self.spans = figs, make, spans
        self.members: list[list[int]] = []
        self.old: list[int] = []  # the last run's cluster of each, or -1
        self.changed: list[bool] = []
        self.changes: list[int] = []  # the changed clusters, in opening order
        self.states: dict[int, rc._Cluster] = {}
        self.heads = array("i")  # the spans each cluster is filed under (its first member's), 4 per cluster

    def fig(self, j: int) -> rc._Fig:
        f = self.figs.get(j)
        if f is None:
            f = self.figs[j] = self.make(j)
        return f

    def change(self, c: int) -> None:
        if not self.changed[c]:
            self.changed[c] = True
            insort(self.changes, c)

    def open(self, j: int, old: int) -> int:
        c = len(self.members)
        self.members.append([j])
        self.old.append(old)
        self.changed.append(False)
        if old < 0:
            self.change(c)
        self.heads.extend(self.spans[8 * j:8 * j + 4])
        return c

    def join(self, c: int, j: int) -> None:
        self.members[c].append(j)
        state = self.states.get(c)
        if state is not None:
            state.add(self.fig(j))

    def reached(self, j: int, before: int) -> bool:
        """Does position ``j`` reach a changed cluster opened before cluster ``before``?"""
        for c in self.changes:
            if c >= before:
                return False
            if _reaches(self.spans, self.members[c][0], j):
                return True
        return False

    def candidates(self, j: int) -> list[int]:
        """The clusters position ``j`` reaches (``_Block.candidates``: :func:`_reaches` of each), in order."""
        heads = np.frombuffer(self.heads, dtype=np.int32).reshape(-1, 4)
        reach = np.ones(len(heads), dtype=bool)
        q = 8 * j + 4
        for k in (0, 2):  # dates, values
            b0, b1 = self.spans[q + k], self.spans[q + k + 1]
            if b0 != NONE:
                a0, a1 = heads[:, k], heads[:, k + 1]
                reach &= (a0 == NONE) | ((a0 <= b1) & (b0 <= a1))
        return np.flatnonzero(reach).tolist()  # (the views of self.heads go: it can grow again)

    def decide(self, j: int) -> int:
        """Cluster position ``j`` as ``_cluster`` does: the cluster it joins (or opens, as changed)."""
        f = self.fig(j)
        for c in self.candidates(j):
            state = self.states.get(c)
            if state is None:
                members = self.members[c]
                state = self.states[c] = rc._Cluster(self.fig(members[0]))
                for m in members[1:]:
                    state.add(self.fig(m))
            if state.accepts(f):
                self.join(c, j)
                return c
        return self.open(j, -1)


def replay(t: Trace, facts: list, arts: list, offsets: list[int], numbers: array, figures: array,
           kind: str, number: dict[str, int], digests: list[bytes], before: dict[str, bytes], intern: dict
           ) -> tuple[list[tuple[list[int], int]], Trace] | None:
    """The clustering of the block ``numbers``/``figures`` (of this run), from the :class:`Trace` ``t`` of
    the block's last clustering: each cluster as (members as positions in the block, the last run's
    cluster it is unchanged from, or -1), in opening order, and the new trace. ``facts``: the last run's
    facts (only counted here); ``digests``: of this run's articles (by number), ``before``: of the last
    run's (by doc id): an article whose digest is the same is unchanged (a block's trace was made when
    its articles were as in the last run, or its key would have changed). None where the replay does not
    apply (the caller clusters in full)."""
    n_old, n_new = len(t.doc), len(numbers)
    where = {(n, i): j for j, (n, i) in enumerate(zip(numbers, figures))}
    if len(where) != n_new or len(facts) != (max(t.choice) + 1 if len(t.choice) else 0):
        return None
    kept_doc = []
    for doc_id in t.docs:
        n = number.get(doc_id)
        kept_doc.append(n if n is not None and digests[n] == before.get(doc_id) else -1)
    new_of = array("i", [-1]) * n_old  # old position -> new position (-1: its article changed)
    for p in range(n_old):
        n = kept_doc[t.doc[p]]
        if n >= 0:
            j = where.get((n, t.fig[p]))
            if j is None:
                return None
            new_of[p] = j
    old_of = array("i", [-1]) * n_new
    for p, j in enumerate(new_of):
        if j >= 0:
            old_of[j] = p

    def make(j: int) -> rc._Fig:
        n = numbers[j]
        return rc._Fig(arts[n], n, figures[j], offsets[n], intern)

    figs: dict[int, rc._Fig] = {}
    spans = array("i", [0]) * (8 * n_new)
    rank = bytearray(n_new)
    span = array("i", [0]) * n_new
    ids: list[str] = [""] * n_new
    block = rc._Block(kind)
    fresh = []
    for j in range(n_new):
        p = old_of[j]
        if p >= 0:
            spans[8 * j:8 * j + 8] = t.spans[8 * p:8 * p + 8]
            rank[j], span[j], ids[j] = t.rank[p], t.span[p], t.ids[p]
        else:
            f = figs[j] = make(j)
            spans[8 * j:8 * j + 8] = array("i", spans_of(block, f))
            rank[j], span[j], ids[j] = rc.order_key(f)
            fresh.append(j)
    fresh.sort(key=lambda j: (rank[j], span[j], ids[j], j))
    walk = _Walk(figs, make, spans)
    mapped: dict[int, int] = {}  # the last run's cluster -> this run's
    order, choice = array("i"), array("i")
    opened = 0  # clusters the last run had opened so far
    last = None
    k = 0
    kept = [j for j in new_of if j >= 0]
    # positions in the same order as last time: the figures kept come in order (ties by position too)
    in_order = all(a < b for a, b in zip(kept, kept[1:]))
    del kept
    n_fresh = len(fresh)
    next_fresh = (rank[fresh[0]], span[fresh[0]], ids[fresh[0]], fresh[0]) if fresh else None
    for p, c_old in zip(t.order, t.choice):
        j = new_of[p]
        if j >= 0 and (next_fresh is not None or not in_order):
            key = (rank[j], span[j], ids[j], j)
            if not in_order:
                if last is not None and key <= last:
                    return None  # not in order (ties by position changed): cluster in full
                last = key
            while next_fresh is not None and next_fresh < key:
                c = walk.decide(fresh[k])
                walk.change(c)
                order.append(fresh[k])
                choice.append(c)
                k += 1
                next_fresh = (rank[fresh[k]], span[fresh[k]], ids[fresh[k]], fresh[k]) if k < n_fresh else None
        opens = c_old == opened
        opened += opens
        if j < 0:  # a figure of a changed article: its cluster loses it
            c = mapped.get(c_old)
            if c is not None:
                walk.change(c)
            continue
        if opens:
            if walk.changes and walk.reached(j, len(walk.members)):
                c = walk.decide(j)
                if walk.members[c] == [j]:  # opened, as last time: the same cluster
                    walk.old[c] = c_old
                    walk.changed[c] = False
                    walk.changes.remove(c)
                    mapped[c_old] = c
                else:
                    walk.change(c)
            else:
                c = mapped[c_old] = walk.open(j, c_old)
        else:
            c = mapped.get(c_old, -1)
            if c < 0 or walk.changed[c] or walk.reached(j, c):
                was = c
                c = walk.decide(j)
                if c != was:
                    walk.change(c)
                    if was >= 0:
                        walk.change(was)
            else:
                walk.join(c, j)
        order.append(j)
        choice.append(c)
    for j in fresh[k:]:
        c = walk.decide(j)
        walk.change(c)
        order.append(j)
        choice.append(c)
    clusters = [(members, -1 if changed else old)
                for members, old, changed in zip(walk.members, walk.old, walk.changed)]
    new = Trace([], array("i"), array("i"), bytes(rank), span, ids, spans, order, choice)
    return clusters, new

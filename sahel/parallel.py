"""Parse many articles: cached, on all cores, streamed, with a progress bar.

:func:`iter_payloads` runs :func:`sahel.corpus.article_payload` over an
iterable of articles and yields each article's payload in input order.
Cached articles (see :mod:`sahel.cache`) are not parsed again; the others go,
in chunks, to a pool of worker processes that import spaCy once each. Texts
are streamed: at most ``2 × jobs`` chunks of texts are in flight, and at most
:data:`BUFFER` finished payloads wait for an earlier article. Re-runs that
miss only a handful of articles (at most :data:`LOOKAHEAD` in the whole
input) send them at once to a single worker and write the cached ones
meanwhile. :func:`parse_articles` keeps every payload (for tests and small
corpora).
"""
from __future__ import annotations

import multiprocessing
import os
import pickle
import signal
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from .cache import ArticleCache, Payload, article_key, merge
from .forks import Forked, can_fork

if TYPE_CHECKING:
    from .corpus import Article

ERROR = "_error"
"""Key of the payload of an article the extractor failed on (never cached)."""
CHUNK = 8
"""Articles per task sent to a worker (also the misses needed to start a pool)."""


@dataclass
class ParseStats:
    """What a parse did: articles seen, served from the cache, parsed, processes
    (``jobs``: the worker processes started, or 1 when parsed in this process)."""

    articles: int = 0
    cached: int = 0
    parsed: int = 0
    jobs: int = 1
    seconds: float = 0.0

    def __str__(self) -> str:
        return (f"{self.articles} articles: {self.parsed} parsed, {self.cached} from cache, "
                f"{self.jobs} process{'es' if self.jobs > 1 else ''}, {self.seconds:.1f} s")


@dataclass
class ParseRun:
    """The per-article payloads of a parse, in input order, and its stats."""

    payloads: list[Payload] = field(default_factory=list)
    stats: ParseStats = field(default_factory=ParseStats)

    def names(self) -> list[str]:
        """Table names returned by any article, in first-seen order."""
        seen: dict[str, None] = {}
        for payload in self.payloads:
            seen.update(dict.fromkeys(k for k in payload if k != ERROR))
        return list(seen)

    def errors(self) -> list[str]:
        """One line per article the extractor failed on."""
        return [p[ERROR] for p in self.payloads if ERROR in p]

    def table(self, name: str) -> pd.DataFrame | None:
        """Table ``name`` of every article, concatenated in order (None if absent)."""
        return merge(self.payloads, name)

    def counts(self, name: str) -> list[int]:
        """Rows of table ``name`` per article."""
        return [p[name]["n"] if name in p else 0 for p in self.payloads]


def default_jobs() -> int:
    """Cores this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def _context() -> Any:
    # fork: workers start in milliseconds and inherit pandas; spawn elsewhere
    if sys.platform.startswith("linux"):
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context()


def _init_worker() -> None:
    """Import the extractor (and spaCy) once per worker; leave Ctrl-C to the parent."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        from .extract import parse_text

        parse_text("Warm-up: 3 soldiers were killed.", doc_id="warm-up")  # loads spaCy
    except Exception:  # the real parse will report any problem with its article
        pass


def _parse_one(article: Article, key: str | None, store: ArticleCache | None) -> Payload:
    from .corpus import article_payload

    try:
        payload = article_payload(article)
    except Exception as exc:  # an extractor bug: skip this article, say which, go on
        detail = " ".join(str(exc).split())[:200]
        return {ERROR: f"{article.path}: extractor failed ({type(exc).__name__}: {detail}); skipped"}
    if store is not None and key is not None:
        store.put(key, payload)
    return payload


def _parse_chunk(items: list[tuple[int, str | None, Article]], root: str | None,
                 version: str | None) -> list[tuple[int, Payload]]:
    store = ArticleCache(Path(root), version) if root else None
    return [(i, _parse_one(article, key, store)) for i, key, article in items]


class WarmParser:
    """A forked child that starts the parser (spaCy and its pipeline: most of a second) while this
    process goes on, then parses the articles handed to it with :meth:`submit`.

    For a re-run that will have a handful of articles to parse but learns which only once the corpus
    is scanned: the scan and the start-up overlap. Unused, it is stopped by :meth:`close`. If it
    cannot be forked or fails, :meth:`result` parses the articles in this process.
    """

    def __init__(self, store: ArticleCache | None) -> None:
        self.root, self.version = (str(store.root), store.version) if store else (None, None)
        self.items: list[tuple[int, str | None, Article]] = []
        self.job: Forked[list[tuple[int, Payload]] | None] | None = None
        self.fd = -1
        if not can_fork():
            return
        read_end, self.fd = os.pipe()
        parent = os.getpid()  # Forked calls the function here too if the child fails: None then
        self.job = Forked(lambda: _warm_parse(read_end, self.root, self.version) if os.getpid() != parent else None)
        os.close(read_end)

    def submit(self, items: list[tuple[int, str | None, Article]]) -> WarmParser:
        """Hand over the articles to parse (``(index, cache key, article)``); :meth:`result` waits."""
        self.items = items
        if self.fd >= 0:
            try:
                with os.fdopen(self.fd, "wb") as fh:
                    self.fd = -1
                    pickle.dump(items, fh, protocol=pickle.HIGHEST_PROTOCOL)
            except OSError:  # the child is gone: parse here
                pass
        return self

    def result(self) -> list[tuple[int, Payload]]:
        """The payloads of the submitted articles, from the child or (if it failed) parsed here."""
        got = self.job.result() if self.job is not None else None
        self.job = None
        if got is None:
            got = _parse_chunk(self.items, self.root, self.version)
        return got

    def close(self) -> None:
        """Stop the child if it is still there (not used, or interrupted)."""
        if self.fd >= 0:
            os.close(self.fd)
            self.fd = -1
        if self.job is not None:
            self.job.close(kill=True)
            self.job = None


def _warm_parse(fd: int, root: str | None, version: str | None) -> list[tuple[int, Payload]]:
    """In a :class:`WarmParser` child: start the parser, then parse the articles sent through ``fd``."""
    _init_worker()
    with os.fdopen(fd, "rb") as fh:
        items = pickle.load(fh)
    return _parse_chunk(items, root, version)


class _Progress:
    """tqdm if available (no monitor thread: workers are forked), else a stderr line."""

    def __init__(self, total: int | None, show: bool | None) -> None:
        self.bar: Any = None
        self.total, self.n, self.last = total, 0, 0.0
        self.start = time.monotonic()
        self.plain = False
        if show is False or (show is None and not sys.stderr.isatty()):
            return
        try:
            from tqdm import tqdm
        except ImportError:
            self.plain = True
            return

        class _Bar(tqdm):  # type: ignore[misc, valid-type]
            monitor_interval = 0

        # on auto, only runs longer than a second get a bar
        self.bar = _Bar(total=total, unit="art", desc="sahel parse", file=sys.stderr,
                        delay=0 if show else 1.0, dynamic_ncols=True)

    def update(self, cached: int) -> None:
        self.n += 1
        if self.bar is not None:
            self.bar.update(1)
            if cached:
                self.bar.set_postfix(cached=cached, refresh=False)
        elif self.plain and time.monotonic() - self.last > 1.0:
            self.last = time.monotonic()
            of = f"/{self.total}" if self.total else ""
            print(f"\rsahel parse: {self.n}{of} articles ({cached} cached)", end="", file=sys.stderr)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
        elif self.plain and self.last:
            print(file=sys.stderr)


def parse_articles(articles: Iterable[Article], *, jobs: int | None = None,
                   cache: bool | str | Path | None = True, progress: bool | None = None,
                   total: int | None = None) -> ParseRun:
    """Parse ``articles`` with :func:`~sahel.corpus.parse_article`, in order, keeping every payload.

    The arguments are those of :func:`iter_payloads`.
    """
    run = ParseRun()
    run.payloads = list(iter_payloads(articles, jobs=jobs, cache=cache, progress=progress, total=total,
                                      stats=run.stats))
    return run


BUFFER = 64
"""Finished payloads held back while an earlier article waits to be parsed; beyond, it is parsed now."""
LOOKAHEAD = CHUNK
"""Misses a run may have and still send them all to one early worker (see :func:`iter_payloads`)."""


def iter_payloads(articles: Iterable[Article], *, jobs: int | None = None,
                  cache: bool | str | Path | None = True, progress: bool | None = None,
                  total: int | None = None, stats: ParseStats | None = None,
                  warm: WarmParser | None = None, idle: Callable[[], None] | None = None) -> Iterator[Payload]:
    """Yield the payload (see :func:`sahel.cache.encode`) of each of ``articles``, in order.

    ``jobs``: worker processes (None or 0: all cores; 1: in this process).
    ``cache``: see :meth:`ArticleCache.open`. ``progress``: None shows a bar
    on a terminal for runs over a second, True always, False never.
    ``total`` (the number of articles, if known) sizes the bar. ``stats``
    is filled in as the run goes. ``warm``: a :class:`WarmParser` started
    earlier, to parse a handful of misses (the caller closes it). ``idle``:
    called (once) when such misses have gone to be parsed and this process is
    about to wait for them: work that does not need them.

    With a cache, the misses are looked for first: if the whole input has at
    most :data:`LOOKAHEAD` of them (a re-run), they go to one worker process
    at once while the cached payloads stream, texts of cached articles are
    dropped (:meth:`~sahel.corpus.Article.load_text` reads them again if an
    entry is unreadable). Otherwise the articles stream through the pool.
    Memory stays flat: texts are dropped once sent to a worker, and only a
    bounded number of finished payloads wait for an earlier article.
    """
    if jobs is not None and jobs < 0:
        raise ValueError(f"jobs must be positive or 0 for all cores, not {jobs}")
    njobs = jobs or default_jobs()
    store = ArticleCache.open(cache)
    root, version = (str(store.root), store.version) if store else (None, None)
    stats = stats if stats is not None else ParseStats()
    ready: dict[int, Payload] = {}
    pending: list[tuple[int, str | None, Article]] = []
    inflight: set[Future] = set()
    pool: ProcessPoolExecutor | None = None
    bar = _Progress(total, progress)
    t0 = time.perf_counter()
    n = 0  # articles read
    head = 0  # next index to yield

    def start_pool(workers: int) -> ProcessPoolExecutor:
        nonlocal pool
        pool = ProcessPoolExecutor(workers, mp_context=_context(), initializer=_init_worker)
        return pool

    def parsed(i: int, payload: Payload) -> None:
        ready[i] = payload
        stats.parsed += 1
        bar.update(stats.cached)

    def collect(done: set[Future]) -> None:
        for fut in done:
            for i, payload in fut.result():
                parsed(i, payload)

    def drain() -> Iterator[Payload]:
        nonlocal head
        while head in ready:
            yield ready.pop(head)
            head += 1

    def flush() -> None:
        nonlocal pending
        if not pending:
            return
        if pool is None and (njobs == 1 or len(pending) < CHUNK):
            for i, key, article in pending:  # a handful of misses: no pool needed
                parsed(i, _parse_one(article, key, store))
        else:
            inflight.add((pool or start_pool(njobs)).submit(_parse_chunk, pending, root, version))
            stats.jobs = max(stats.jobs, _workers(pool))
        pending = []

    def step(i: int, key: str | None, article: Article, known: bool | None = None) -> Iterator[Payload]:
        """Take article ``i`` (``known``: whether its entry exists, None if not looked at yet)."""
        nonlocal inflight
        hit = store.get(key) if store is not None and key is not None and known is not False else None
        if hit is not None:
            ready[i] = hit
            stats.cached += 1
            bar.update(stats.cached)
        else:
            article.load_text()
            pending.append((i, key, article))
        del article  # the pending chunk holds the only reference to the text
        if njobs == 1 or len(pending) >= CHUNK:
            flush()
        while len(inflight) >= 2 * njobs:
            done, inflight = wait(inflight, return_when=FIRST_COMPLETED)
            collect(done)
        yield from drain()
        if len(ready) >= BUFFER:  # the next article to yield is still pending or in flight
            flush()
            while head not in ready:
                done, inflight = wait(inflight, return_when=FIRST_COMPLETED)
                collect(done)
            yield from drain()

    def few_misses(ahead: list[tuple[int, str, Article, bool]]) -> Iterator[Payload]:
        """Every article is known: parse the misses now, stream the hits meanwhile."""
        misses = [(i, key, article) for i, key, article, hit in ahead if not hit]
        for _, _, article in misses:
            article.load_text()
        early: Any = None
        if misses and warm is not None:
            early = warm.submit(misses)
        elif misses and njobs > 1:
            early = start_pool(1).submit(_parse_chunk, misses, root, version)
        del misses
        results: dict[int, Payload] | None = None
        for j, (i, key, article, hit) in enumerate(ahead):
            ahead[j] = None  # type: ignore[call-overload]  # let payloads and texts go as they are yielded
            payload = store.get(key) if hit and store is not None else None
            if payload is not None:
                stats.cached += 1
                bar.update(stats.cached)
            elif early is not None and not hit:
                if results is None:
                    if idle is not None:  # the parse has started: other work first
                        idle()
                    results = dict(early.result())
                payload = results.pop(i)
                stats.parsed += 1
                bar.update(stats.cached)
            else:  # parsed here: one job, or an entry that turned out unreadable
                article.load_text()
                payload = _parse_one(article, key, store)
                stats.parsed += 1
                bar.update(stats.cached)
            del article
            yield payload

    try:
        source = enumerate(articles)
        ahead: list[tuple[int, str, Article, bool]] = []
        few = False
        if store is not None:  # look for the misses first
            misses = 0
            for i, article in source:
                n += 1
                key = article_key(article.digest, article.doc_id, article.published, article.outlet)
                hit = store.has(key)
                if hit:
                    article.text = None  # read again only if the entry turns out unreadable
                ahead.append((i, key, article, hit))
                del article
                misses += not hit
                if misses > LOOKAHEAD:
                    break
            else:
                few = True
        if few:
            yield from few_misses(ahead)
            return
        ahead.reverse()
        while ahead:  # the articles read ahead, then the rest
            yield from step(*ahead.pop())
        for i, article in source:
            n += 1
            key = (article_key(article.digest, article.doc_id, article.published, article.outlet)
                   if store else None)
            yield from step(i, key, article)
            del article
        flush()
        while inflight:
            done, inflight = wait(inflight, return_when=FIRST_COMPLETED)
            collect(done)
            yield from drain()
        yield from drain()
    finally:
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)
        bar.close()
        stats.articles = n
        stats.seconds = time.perf_counter() - t0


def _workers(pool: ProcessPoolExecutor | None) -> int:
    """Worker processes a pool has started (it starts them as tasks come)."""
    return len(getattr(pool, "_processes", None) or ()) if pool is not None else 1

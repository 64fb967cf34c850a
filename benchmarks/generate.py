"""Generated corpora of N articles under ``benchmarks/corpora/`` (git-ignored).

Each article is a seed or development article, varied so that no two are
alike: the lead paragraph stays, later paragraphs are shuffled and one may be
dropped, and counts (not years) are nudged. Doc ids and publication dates
(2013-2022, the years of Serval and Barkhane) vary; a ``catalog.csv`` lists
them. A corpus is rebuilt only when the source articles or the recipe change.
"""
from __future__ import annotations

import csv
import hashlib
import random
import re
import shutil
from datetime import date, timedelta
from pathlib import Path

from .common import CORPORA_DIR, read_text, source_paths

RECIPE = "2"
_NUM = re.compile(r"(?<![\d,.])\d{1,3}(?:,\d{3})*(?![\d,.]|\s*(?:-year|year))")
_START, _DAYS = date(2013, 1, 11), 3500
OUTLETS = ["AFP", "Reuters", "RFI", "Le Monde", "Al Jazeera", "AP", ""]


def _sources() -> list[tuple[str, str]]:
    return [(p.stem, read_text(p)) for p in source_paths()]


def _fingerprint(sources: list[tuple[str, str]], n: int) -> str:
    h = hashlib.sha256(f"{RECIPE}:{n}".encode())
    for name, text in sources:
        h.update(name.encode() + b"\0" + text.encode("utf-8", "surrogatepass"))
    return h.hexdigest()


def _nudge(match: re.Match[str], rng: random.Random) -> str:
    value = int(match.group().replace(",", ""))
    if 1900 <= value <= 2030 or value < 2:
        return match.group()
    new = max(2, round(value * rng.uniform(0.7, 1.4)))
    return f"{new:,}" if "," in match.group() else str(new)


def variant(i: int, sources: list[tuple[str, str]]) -> tuple[str, str, date, str]:
    """Article ``i`` of every generated corpus: (doc_id, text, published, outlet)."""
    rng = random.Random(i)
    name, text = sources[i % len(sources)]
    paras = [p for p in text.split("\n\n") if p.strip()]
    head, rest = paras[:1], paras[1:]
    if i >= len(sources):  # the first round keeps the real articles as they are
        rng.shuffle(rest)
        if len(rest) > 3 and rng.random() < 0.5:
            rest.pop(rng.randrange(len(rest)))
        body = "\n\n".join(head + rest)
        body = _NUM.sub(lambda m: _nudge(m, rng), body)
    else:
        body = text
    doc_id = f"g{i:05d}_{hashlib.sha1(body.encode('utf-8', 'surrogatepass')).hexdigest()[:10]}"
    published = _START + timedelta(days=rng.randrange(_DAYS))
    return doc_id, body, published, rng.choice(OUTLETS)


def write_article(folder: Path, i: int, sources: list[tuple[str, str]] | None = None) -> str:
    """Add article ``i`` to ``folder`` (text and catalog row); return its doc id."""
    doc_id, body, published, outlet = variant(i, sources or _sources())
    (folder / f"{doc_id}.txt").write_text(body, encoding="utf-8")
    with open(folder / "catalog.csv", "a", newline="", encoding="utf-8") as fh:
        csv.writer(fh, lineterminator="\n").writerow([doc_id, published.isoformat(), outlet])
    return doc_id


def remove_article(folder: Path, doc_id: str) -> None:
    """Undo :func:`write_article`."""
    (folder / f"{doc_id}.txt").unlink(missing_ok=True)
    catalog = folder / "catalog.csv"
    lines = catalog.read_text(encoding="utf-8").splitlines(keepends=True)
    catalog.write_text("".join(l for l in lines if not l.startswith(f"{doc_id},")), encoding="utf-8")


def corpus(n: int) -> Path:
    """The generated corpus of ``n`` articles (built if missing or stale)."""
    sources = _sources()
    if not sources:
        raise RuntimeError("no source articles in seeds/ or tests/fixtures/dev/")
    folder = CORPORA_DIR / f"n{n}"
    stamp = folder / ".stamp"
    fingerprint = _fingerprint(sources, n)
    if stamp.exists() and stamp.read_text() == fingerprint:
        return folder
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    rows = []
    for i in range(n):
        doc_id, body, published, outlet = variant(i, sources)
        (folder / f"{doc_id}.txt").write_text(body, encoding="utf-8")
        rows.append([doc_id, published.isoformat(), outlet])
    with open(folder / "catalog.csv", "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(["doc_id", "published", "outlet"])
        w.writerows(rows)
    stamp.write_text(fingerprint)
    return folder

"""``sahel parse``'s corpus-wide stage (sahel/pipeline.py): it derives from the columns derive reads,
read back a chunk at a time; the tables written must be those of a derive over the whole tables."""
from __future__ import annotations

import warnings

import sahel.pipeline
from sahel import paths
from sahel.corpus import load
from sahel.pipeline import TABLES, write_corpus
from sahel.reconcile import derive
from sahel.store.tables import csv_header, csv_rows

CORPUS = paths.ROOT / "tests" / "fixtures" / "corpus"


def test_parse_writes_what_derive_makes_of_the_whole_tables(tmp_path, monkeypatch):
    monkeypatch.setattr(sahel.pipeline, "CHUNK_ROWS", 100)  # several chunks of figures and mentions
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        write_corpus(CORPUS, tmp_path / "out", jobs=1, cache=tmp_path / "cache")
    corpus = load(tmp_path / "out")
    assert len(corpus.figures) > 100 and len(corpus.mentions) > 100
    for name, table in derive(corpus.documents, corpus.figures, corpus.mentions).items():
        written = (tmp_path / "out" / f"{name}.csv").read_text(encoding="utf-8")
        assert written == csv_header(TABLES[name]) + csv_rows(table, TABLES[name]), name

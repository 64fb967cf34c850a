"""Byte-identity check of the per-article step: parse_text over seeds/, tests/fixtures/dev/ and
benchmarks/holdout*/, tests/fixtures/real/batch1, batch2 and tests/fixtures/corpus (published dates from each folder's catalog.csv), figures, numbers and mentions
written to CSV in OUT (default /tmp/extract_after). Compare with ``diff -r`` against a saved run.

    python -m benchmarks.extraction_baseline /tmp/extract_before
"""
from __future__ import annotations

import sys
import time
from pathlib import Path

import pandas as pd

from sahel.extract import parse_text

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures"
FOLDERS = [ROOT / "seeds", FIXTURES / "dev", *sorted(ROOT.glob("benchmarks/holdout*")),
           FIXTURES / "real" / "batch1", FIXTURES / "real" / "batch2", FIXTURES / "corpus"]


def main(out: Path, columns: str = "") -> None:
    out.mkdir(parents=True, exist_ok=True)
    tables: dict[str, list[pd.DataFrame]] = {"figures": [], "numbers": [], "mentions": []}
    seconds = cpu = 0.0
    for folder in FOLDERS:
        catalog = pd.read_csv(folder / "catalog.csv", dtype=str, keep_default_na=False)
        published = dict(zip(catalog["doc_id"], catalog["published"]))
        for path in sorted(folder.glob("*.txt")):
            text = path.read_text(encoding="utf-8")
            t, c = time.perf_counter(), time.process_time()
            doc = parse_text(text, doc_id=path.stem, published=published.get(path.stem) or None)
            tables["figures"].append(doc.figures)
            tables["numbers"].append(doc.numbers)
            tables["mentions"].append(doc.mentions)
            seconds += time.perf_counter() - t
            cpu += time.process_time() - c
    for name, frames in tables.items():
        df = pd.concat(frames, ignore_index=True)
        if name == "figures" and columns == "old":  # the columns before party_rule / measure_rule
            df = df.drop(columns=[c for c in ("party_rule", "measure_rule") if c in df.columns])
        df.to_csv(out / f"{name}.csv", index=False, lineterminator="\n")
    print(f"{sum(len(f) for f in tables['figures'])} figures; {seconds:.2f} s parse ({cpu:.2f} s CPU)", file=sys.stderr)


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "/tmp/extract_after"), *(sys.argv[2:3]))

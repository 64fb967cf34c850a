"""The committed tables in data/ are exactly what `sahel parse seeds/` writes."""
from __future__ import annotations

from pathlib import Path

import pytest

import sahel
from sahel.cli import main

ROOT = Path(__file__).parents[1]


@pytest.fixture(scope="module")
def fresh(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("data")
    assert main(["parse", str(ROOT / "seeds"), "--out", str(out), "--jobs", "1", "--no-cache"]) == 0
    return out


def test_committed_data_is_not_stale(fresh: Path) -> None:
    committed = sorted(p.name for p in (ROOT / "data").glob("*.csv"))
    assert committed == sorted(p.name for p in fresh.glob("*.csv"))
    stale = [name for name in committed
             if (ROOT / "data" / name).read_bytes() != (fresh / name).read_bytes()]
    assert not stale, f"data/ is stale, run `make data`: {stale}"


def test_load_reads_what_parse_wrote(fresh: Path) -> None:
    corpus = sahel.load(fresh)
    assert len(corpus.documents) == 3
    assert corpus.figures["value"].dtype == "Float64"
    assert str(corpus.figures["date_start"].dtype).startswith("datetime64")
    assert {"facts", "events", "timeline", "places", "actors"} <= set(corpus.tables)


def test_score_command(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["score", str(ROOT / "tests" / "fixtures" / "seeds-figures.csv"),
                 "--corpus", str(ROOT / "seeds")]) == 0
    out = capsys.readouterr().out
    assert "F1 1.000" in out and "qualifier accuracy 1.000  date accuracy 1.000" in out


def test_figures_command_filters(capsys: pytest.CaptureFixture[str], fresh: Path) -> None:
    assert main(["figures", "--party", "fra", "--measure", "killed", "--data", str(fresh)]) == 0
    out = capsys.readouterr().out
    assert "41" in out and "JIHADIST" not in out

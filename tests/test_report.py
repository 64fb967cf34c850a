"""``sahel report``: notebooks executed by papermill, rendered to HTML, written atomically.

Kernels are slow, so each run is a module-scoped fixture whose output every
assertion reuses: the default run, a French-only run from 2020, a copy of the
seeds with one added article, the hostile fixture corpus, and a failing corpus.
"""
from __future__ import annotations

import re
import shutil
from pathlib import Path

import nbformat
import pytest
from bs4 import BeautifulSoup

from sahel import cli, paths, report
from sahel.narrative import PARTY_LABELS

FIXTURES = Path(__file__).resolve().parent / "fixtures"
HOSTILE = FIXTURES / "hostile"
NAMES = ("trajectory", "costs", "sources")

pytestmark = pytest.mark.skipif(not (paths.data_dir() / "facts.csv").exists(),
                                reason="no parsed data; run `sahel parse seeds/` first")


@pytest.fixture(scope="module", autouse=True)
def _private_cache(tmp_path_factory):
    """Parse without the user's article cache (kernels inherit the environment)."""
    mp = pytest.MonkeyPatch()
    mp.setenv("SAHEL_CACHE", str(tmp_path_factory.mktemp("cache")))
    yield
    mp.undo()


def _run(out: Path, names=None, **raw) -> list[str]:
    lines: list[str] = []
    report.run(names, raw, out, echo=lines.append)
    return lines


def _html(out: Path, name: str) -> str:
    return (out / f"{name}.html").read_text(encoding="utf-8")


def _narrative_text(html: str) -> str:
    """Visible text minus quoted source sentences (blockquotes, sentence/number columns)."""
    soup = BeautifulSoup(html, "html.parser")
    for tag in soup.find_all(["script", "style", "head", "blockquote"]):
        tag.decompose()
    for table in soup.find_all("table"):
        heads = [th.get_text(strip=True) for th in table.find_all("tr")[0].find_all("th")]
        drop = [i for i, h in enumerate(heads) if h in ("sentence", "number")]
        for tr in table.find_all("tr"):
            cells = tr.find_all(["th", "td"])
            for i in drop:
                if i < len(cells):
                    cells[i].decompose()
    return soup.get_text(" ")


@pytest.fixture(scope="module")
def default(tmp_path_factory) -> tuple[Path, list[str]]:
    out = tmp_path_factory.mktemp("default") / "reports"
    return out, _run(out)


@pytest.fixture(scope="module")
def french(tmp_path_factory) -> tuple[Path, int]:
    out = tmp_path_factory.mktemp("french") / "reports"
    code = cli.main(["report", "-p", "start", "2020-01-01", "-p", "parties", '["FRA"]',
                     "--out", str(out)])
    return out, code


@pytest.fixture(scope="module")
def added(tmp_path_factory) -> Path:
    corpus = tmp_path_factory.mktemp("corpus") / "seeds-plus-one"
    shutil.copytree(paths.SEEDS_DIR, corpus)
    shutil.copy(FIXTURES / "report" / "003_added_article.txt", corpus)
    with open(corpus / "catalog.csv", "a", encoding="utf-8") as f:
        f.write((FIXTURES / "report" / "catalog-row.csv").read_text(encoding="utf-8"))
    out = tmp_path_factory.mktemp("added") / "reports"
    _run(out, ["costs"], corpus=str(corpus))
    return out


@pytest.fixture(scope="module")
def hostile(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("hostile") / "reports"
    _run(out, ["trajectory", "costs"], corpus=str(HOSTILE))
    return out


def test_writes_every_report_and_an_index(default) -> None:
    out, lines = default
    for name in NAMES:
        assert (out / f"{name}.html").stat().st_size > 10_000
        nb = nbformat.read(out / f"{name}.ipynb", as_version=4)
        assert not [o for c in nb.cells for o in c.get("outputs", []) if o.get("output_type") == "error"]
        html = _html(out, name)
        assert "data:image/png;base64" in html  # charts embedded
        assert "from sahel import" not in html and "narrative.story(" not in html  # no code
    index = (out / "index.html").read_text(encoding="utf-8")
    for name in NAMES:
        assert f'href="{name}.html"' in index and f'href="{name}.ipynb"' in index
    assert "Parameters" in index and "parties" in index
    assert any("running" in line for line in lines) and sum("done" in line for line in lines) == 3
    assert not [p for p in out.parent.iterdir() if p.name.startswith(".reports-")]


def test_every_number_in_the_narrative_is_cited(default) -> None:
    out, _ = default
    html = _html(out, "costs")
    soup = BeautifulSoup(html, "html.parser")
    bullets = [li.get_text(" ") for li in soup.select(".jp-RenderedMarkdown li")
               if re.search(r"\d", li.get_text()) and not li.find("blockquote")]
    assert bullets
    for text in bullets:
        assert re.search(r"\[[^\]]+ §\d+", text), text
    assert "References" in html


def test_french_2020_mentions_no_earlier_event_and_no_other_party(french) -> None:
    out, code = french
    assert code == 0
    others = [c for c in PARTY_LABELS if c != "FRA"]
    labels = [v for c, v in PARTY_LABELS.items() if c != "FRA"]
    for name in NAMES:
        text = _narrative_text(_html(out, name))
        assert "2020-01-01" in text
        years = re.findall(r"\b(?:19\d\d|200\d|201\d)\b", text)
        assert not years, (name, years)
        for word in others + labels:
            assert not re.search(rf"(?<![\w-]){re.escape(word)}(?![\w-])", text), (name, word)
    index = (out / "index.html").read_text(encoding="utf-8")
    assert "2020-01-01" in index and "FRA" in index


def test_adding_an_article_changes_the_numbers(default, added) -> None:
    before = _narrative_text(_html(default[0], "costs"))
    after = _narrative_text(_html(added, "costs"))
    assert re.search(r"French \(FRA\): 41 killed", before)
    assert re.search(r"French \(FRA\): 46 killed", after)
    assert "003 §" in after and "003 §" not in before


def test_hostile_text_is_plain_text_in_html(hostile) -> None:
    for name in ("trajectory", "costs"):
        html = _html(hostile, name)
        soup = BeautifulSoup(html, "html.parser")
        assert "alert(" not in " ".join(str(s) for s in soup.find_all("script"))
        assert not soup.find_all(["iframe", "style"], string=re.compile("display:none"))
        assert not soup.find_all("iframe")
        assert not soup.find_all(attrs={"onerror": True})
        assert not [a for a in soup.find_all("a") if "javascript" in (a.get("href") or "")]
        assert not [i for i in soup.find_all("img") if not (i.get("src") or "").startswith("data:image/png")]
        assert "mathjax" not in html.lower()
    text = BeautifulSoup(_html(hostile, "costs"), "html.parser").get_text(" ")
    assert "<script>alert(1)</script>" in text
    assert "[the army](javascript:alert(6))" in text or "`backticks`" in text
    assert "$x = 42$" in text


def test_failed_notebook_is_named_kept_and_old_reports_survive(tmp_path: Path, capsys) -> None:
    corpus = tmp_path / "unreadable"
    corpus.mkdir()
    (corpus / "empty.txt").write_text("")
    out = tmp_path / "reports"
    out.mkdir()
    (out / "costs.html").write_text("old report")
    code = cli.main(["report", "costs", "-p", "corpus", str(corpus), "--out", str(out)])
    err = capsys.readouterr().err
    assert code == 1
    assert "notebook costs failed in cell" in err and "CorpusError" in err
    assert (out / "costs.failed.ipynb").exists()
    assert (out / "costs.html").read_text() == "old report"
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".reports-")]


def test_interrupted_run_leaves_previous_reports(tmp_path: Path, monkeypatch, capsys) -> None:
    out = tmp_path / "reports"
    out.mkdir()
    (out / "index.html").write_text("old index")

    def interrupted(names, values, given, tmp, jobs, echo, run_one):
        (tmp / "trajectory.html").write_text("half written")
        (tmp / "trajectory.ipynb").write_text("{}")
        raise KeyboardInterrupt

    monkeypatch.setattr(report, "_run_all", interrupted)
    assert cli.main(["report", "--out", str(out)]) == 130
    assert "interrupted" in capsys.readouterr().err
    assert sorted(p.name for p in out.iterdir()) == ["index.html"]
    assert (out / "index.html").read_text() == "old index"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["reports"]


def test_without_warm_kernels_the_report_is_the_same(default, tmp_path: Path, monkeypatch) -> None:
    """Where a kernel forker cannot start, kernels are launched as usual: same HTML."""
    import sahel.report

    def unavailable():
        raise OSError("no Unix sockets here")

    monkeypatch.setattr(sahel.report, "KernelForker", unavailable)
    out = tmp_path / "reports"
    _run(out, ["sources"])
    warm, _ = default
    assert _html(out, "sources") == _html(warm, "sources")

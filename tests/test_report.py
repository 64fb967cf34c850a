"""``sahel report``: notebooks executed by papermill, rendered to HTML, every success written.

Kernels are slow, so each run is a module-scoped fixture whose output every
assertion reuses: the default run, a French-only run from 2020, a copy of the
seeds with one added article, the hostile fixture corpus, the repository's
41-article corpus and a copy of it with one more undated article.
"""
from __future__ import annotations

import csv
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from bs4 import BeautifulSoup

from sahel import cli, paths
from sahel.report import runner
from sahel.schema import reference

FIXTURES = Path(__file__).resolve().parent / "fixtures"
HOSTILE = FIXTURES / "hostile"
NAMES = ("trajectory", "costs", "sources")
CORPUS_PARTS = ("seeds", "tests/fixtures/dev", "benchmarks/holdout", "benchmarks/holdout2", "benchmarks/holdout3")

pytestmark = pytest.mark.skipif(not (paths.data_dir() / "facts.csv").exists(),
                                reason="no parsed data; run `sahel parse seeds/` first")


def assemble_corpus(dest: Path) -> Path:
    """Every article of the repository in one folder with one merged catalog.csv: the
    committed ``tests/fixtures/corpus/`` when it exists, else seeds, dev and the holdouts."""
    committed = FIXTURES / "corpus"
    if (committed / "catalog.csv").exists():
        shutil.copytree(committed, dest)
        return dest
    dest.mkdir(parents=True)
    rows: list[dict] = []
    fields: list[str] = []
    for part in CORPUS_PARTS:
        folder = paths.ROOT / part
        for article in sorted(folder.glob("*.txt")):
            shutil.copyfile(article, dest / article.name)
        with open(folder / "catalog.csv", newline="", encoding="utf-8") as fh:
            reader = csv.DictReader(fh)
            fields += [f for f in reader.fieldnames or [] if f not in fields]
            rows += list(reader)
    with open(dest / "catalog.csv", "w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=fields)
        writer.writeheader()
        writer.writerows(rows)
    return dest


def undate(corpus: Path, doc_id: str) -> None:
    """Blank one article's publication date in the catalog."""
    with open(corpus / "catalog.csv", newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        fields, rows = reader.fieldnames, list(reader)
    for row in rows:
        if row["doc_id"] == doc_id:
            row["published"] = ""
    with open(corpus / "catalog.csv", "w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=fields)
        writer.writeheader()
        writer.writerows(rows)


def _run(out: Path, names=None, **raw) -> list[str]:
    lines: list[str] = []
    outcomes = runner.run(names, raw, out, echo=lines.append)
    assert all(o.ok for o in outcomes), [o.message for o in outcomes]
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
    code = cli.main(["report", "-p", "start", "2020-01-01", "-p", "parties", '["FRA"]', "--out", str(out)])
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
    _run(out, corpus=str(HOSTILE))  # every notebook, explore too: no cell may assume rich data
    return out


@pytest.fixture(scope="module")
def bare(tmp_path_factory) -> Path:
    """One article with no figure and no catalog.csv (no publication date): a first try of the tool."""
    corpus = tmp_path_factory.mktemp("bare") / "corpus"
    corpus.mkdir()
    (corpus / "a.txt").write_text("The weather in Bamako was hot on Monday. Traders sold mangoes.\n", encoding="utf-8")
    out = tmp_path_factory.mktemp("bare-out") / "reports"
    _run(out, corpus=str(corpus))  # every notebook succeeds (asserted in _run)
    return out


@pytest.fixture(scope="module", params=["as-is", "one-more-undated"])
def large(request, tmp_path_factory) -> tuple[Path, int]:
    corpus = assemble_corpus(tmp_path_factory.mktemp("large") / "corpus")
    if request.param != "as-is":
        undate(corpus, "000_59af83d45f761803")
    out = tmp_path_factory.mktemp("large-out") / "reports"
    return out, cli.main(["report", "-p", "corpus", str(corpus), "--out", str(out)])


def test_writes_every_report_and_an_index(default) -> None:
    out, lines = default
    for name in NAMES:
        assert (out / f"{name}.html").stat().st_size > 10_000
        nb = nbformat.read(out / f"{name}.ipynb", as_version=4)
        assert not [o for c in nb.cells for o in c.get("outputs", []) if o.get("output_type") == "error"]
        html = _html(out, name)
        assert "data:image/png;base64" in html  # charts embedded
        assert "from sahel" not in html and "narrative.story(" not in html  # no code
    index = (out / "index.html").read_text(encoding="utf-8")
    for name in NAMES:
        assert f'href="{name}.html"' in index and f'href="{name}.ipynb"' in index
    assert "Parameters" in index and "parties" in index
    assert 'href="explore.html"' in index  # the model notebook for one's own questions is linked
    assert any("running" in line for line in lines) and sum("done" in line for line in lines) == 4
    assert not [p for p in out.parent.iterdir() if p.name.startswith(".reports-")]


def test_every_number_in_the_narrative_is_cited(default) -> None:
    out, _ = default
    html = _html(out, "costs")
    soup = BeautifulSoup(html, "html.parser")
    bullets = [li.get_text(" ") for li in soup.select(".jp-RenderedMarkdown li")
               if re.search(r"\d", li.get_text()) and not li.find("blockquote")]
    assert bullets
    for text in bullets:
        if text.lstrip().startswith(("Mali,", "Burkina Faso,", "Niger,")):
            continue  # the UCDP comparison cites UCDP below the list
        assert re.search(r"\[[^\]]+ §\d+", text), text
    assert "References" in html


def test_french_2020_mentions_no_earlier_event_and_no_other_party(french) -> None:
    out, code = french
    assert code == 0
    parties = reference("parties")
    others = [c for c in parties["code"] if c != "FRA"]
    labels = list(parties.loc[parties["kind"] != "state", "name"])  # state names are also places
    for name in ("trajectory", "sources"):
        text = _narrative_text(_html(out, name))
        assert "2020-01-01" in text
        years = re.findall(r"\b(?:19\d\d|200\d|201\d)\b", re.sub(r"since \d{4}|\d{4}-\d\d-\d\d to", "", text))
        assert not years, (name, years)
        for word in others + labels:
            assert not re.search(rf"(?<![\w-]){re.escape(word)}(?![\w-])", text), (name, word)
    costs = _narrative_text(_html(out, "costs")).split("Triangulation")[0]  # UCDP names its countries
    assert "41 as of 2020-02-08, since 2013" in costs  # a running total reported in the window
    assert not re.findall(r"\b(?:19\d\d|200\d|201\d)\b", re.sub(r"since \d{4}|\d{4}-\d\d-\d\d to", "", costs))
    index = (out / "index.html").read_text(encoding="utf-8")
    assert "2020-01-01" in index and "FRA" in index


def test_adding_an_article_changes_the_numbers(default, added) -> None:
    before = _narrative_text(_html(default[0], "costs"))
    after = _narrative_text(_html(added, "costs"))
    assert re.search(r"France \(FRA\): 41 killed", before)
    assert re.search(r"France \(FRA\): 46 killed", after)
    assert "003 §" in after and "003 §" not in before


def test_hostile_text_is_plain_text_in_html(hostile) -> None:
    for name in (*NAMES, "explore"):
        html = _html(hostile, name)
        soup = BeautifulSoup(html, "html.parser")
        assert "alert(" not in " ".join(str(s) for s in soup.find_all("script"))
        assert not soup.find_all("iframe")
        assert not soup.find_all(attrs={"onerror": True})
        assert not [a for a in soup.find_all("a") if "javascript" in (a.get("href") or "")]
        assert not [i for i in soup.find_all("img") if not (i.get("src") or "").startswith("data:image/png")]
        assert "mathjax" not in html.lower()
    text = BeautifulSoup(_html(hostile, "costs"), "html.parser").get_text(" ")
    assert "<script>alert(1)</script>" in text
    assert "[the army](javascript:alert(6))" in text or "`backticks`" in text
    assert "$x = 42$" in text


def test_a_corpus_without_figures_or_dates_renders_every_report(bare) -> None:
    for name in (*NAMES, "explore"):
        nb = nbformat.read(bare / f"{name}.ipynb", as_version=4)
        assert not [o for c in nb.cells for o in c.get("outputs", []) if o.get("output_type") == "error"], name
    text = _narrative_text(_html(bare, "costs"))
    assert "0 facts from 0 figures" in text and "No human cost is reported" in text


def test_every_notebook_renders_on_the_repository_corpus(large) -> None:
    out, code = large
    assert code == 0
    for name in NAMES:
        html = _html(out, name)
        assert html.count("data:image/png;base64") >= (4 if name != "sources" else 1)
        soup = BeautifulSoup(html, "html.parser")
        rows = len(soup.select("table.sahel-table tbody tr"))
        assert rows > 40, (name, rows)  # complete tables, not 5 + 5 rows
    text = _narrative_text(_html(out, "costs"))
    assert "without a publication date" in text
    assert "Withdrawal" in _narrative_text(_html(out, "trajectory"))
    for country in ("Mali", "Burkina Faso", "Niger"):
        assert re.search(rf"{country}, \d{{4}}(?:–\d{{4}})?: the corpus's sources account for", text)


def _half_fails(name: str, source: str, target: str, parameters: dict) -> runner.Outcome:
    if name == "costs":
        Path(target).write_text("{}")
        return runner.Outcome(name, False, 0.0, "cell 3: ValueError: boom")
    Path(target).write_text("{}")
    Path(target).with_suffix(".html").write_text(f"new {name}")
    return runner.Outcome(name, True, 0.0)


def test_every_success_is_written_and_failures_named(tmp_path: Path, monkeypatch, capsys) -> None:
    out = tmp_path / "reports"
    out.mkdir()
    (out / "costs.html").write_text("old report")
    real = runner.run
    monkeypatch.setattr(runner, "run", lambda *a, **k: real(*a, **{**k, "executor": _half_fails}))
    code = cli.main(["report", "--out", str(out)])
    captured = capsys.readouterr()
    assert code == 1
    assert "notebook costs failed in cell 3: ValueError: boom" in captured.err
    assert "wrote 3 of 4 reports (trajectory, sources, explore)" in captured.out
    assert (out / "trajectory.html").read_text() == "new trajectory"
    assert (out / "costs.failed.ipynb").exists() and (out / "costs.html").read_text() == "old report"
    assert "failed" in (out / "index.html").read_text()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".reports-")]


def test_unreadable_corpus_is_named_before_any_kernel(tmp_path: Path, capsys) -> None:
    corpus = tmp_path / "unreadable"
    corpus.mkdir()
    (corpus / "empty.txt").write_text("")
    code = cli.main(["report", "sources", "-p", "corpus", str(corpus), "--out", str(tmp_path / "reports")])
    err = capsys.readouterr().err
    assert code == 2 and err.startswith("sahel report: error:") and "unreadable: no article could be read" in err


def test_failed_notebook_names_its_cell(tmp_path: Path, capsys) -> None:
    mine = tmp_path / "mine"
    mine.mkdir()
    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_code_cell('title: str = ""', metadata={"tags": ["parameters"]}),
        nbformat.v4.new_code_cell("raise ValueError('no data for this section')")])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, mine / "broken.ipynb")
    out = tmp_path / "reports"
    code = cli.main(["report", "--notebooks", str(mine), "--out", str(out)])
    err = capsys.readouterr().err
    assert code == 1
    assert "notebook broken failed in cell" in err and "ValueError: no data for this section" in err
    assert (out / "broken.failed.ipynb").exists() and not (out / "broken.html").exists()


def test_interrupted_run_leaves_previous_reports(tmp_path: Path, monkeypatch, capsys) -> None:
    out = tmp_path / "reports"
    out.mkdir()
    (out / "index.html").write_text("old index")

    def interrupted(tasks, workers, echo, run_one):
        tmp = Path(tasks[0][2]).parent
        (tmp / "trajectory.html").write_text("half written")
        raise KeyboardInterrupt

    monkeypatch.setattr(runner, "run_pool", interrupted)
    assert cli.main(["report", "--out", str(out)]) == 130
    assert "interrupted" in capsys.readouterr().err
    assert sorted(p.name for p in out.iterdir()) == ["index.html"]
    assert (out / "index.html").read_text() == "old index"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["reports"]


def test_own_notebooks_run_with_the_same_parameters(tmp_path: Path, capfd) -> None:
    mine = tmp_path / "mine"
    mine.mkdir()
    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_code_cell('start: str = ""  # first day', metadata={"tags": ["parameters"]}),
        nbformat.v4.new_code_cell("from sahel.report import params\nprint('window from', params.validate(start=start).start)")])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, mine / "window.ipynb")
    out = tmp_path / "reports"
    assert cli.main(["report", "--notebooks", str(mine), "-p", "start", "2020-01-01", "--out", str(out)]) == 0
    assert "window from 2020-01-01" in _html(out, "window")
    assert "KeyboardInterrupt" not in capfd.readouterr().err


def test_a_kernel_that_dies_at_start_is_started_once_more(tmp_path: Path, monkeypatch) -> None:
    import papermill

    calls = []

    def flaky(source, target, **kw):
        calls.append(target)
        if len(calls) == 1:
            raise RuntimeError(runner.KERNEL_START_FAILED)
        return nbformat.v4.new_notebook()

    monkeypatch.setattr(papermill, "execute_notebook", flaky)
    target = tmp_path / "costs.ipynb"
    assert runner.execute("costs", "in.ipynb", str(target), {}).ok and len(calls) == 2
    assert target.with_suffix(".html").exists()

    def dead(source, target, **kw):
        raise RuntimeError(runner.KERNEL_START_FAILED)

    monkeypatch.setattr(papermill, "execute_notebook", dead)
    outcome = runner.execute("costs", "in.ipynb", str(tmp_path / "sources.ipynb"), {})
    assert not outcome.ok and runner.KERNEL_START_FAILED in outcome.message


def test_refresh_names_an_unknown_notebook() -> None:
    done = subprocess.run([sys.executable, "-m", "sahel.report", "bogus"], capture_output=True, text=True)
    assert done.returncode == 2
    assert "no notebook bogus (one of trajectory, costs, sources, explore)" in done.stderr

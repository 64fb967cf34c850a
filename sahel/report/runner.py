"""``sahel report``: validate the parameters, execute the notebooks with papermill (in parallel,
the corpus parsed once for all), render them to HTML without code and move each that succeeded
into place; each that failed is kept as ``NAME.failed.ipynb``, named with its cell, and the command
exits non-zero. ``--notebooks DIR`` runs a user's own notebooks with the same parameters.
"""
from __future__ import annotations

import html
import json
import os
import shutil
import tempfile
import time
import warnings
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .. import paths
from .narrative import TABLES_ENV
from .params import DEFAULTS, HELP, ParameterError, validate

NOTEBOOKS = ("trajectory", "costs", "sources", "explore")
"""The notebooks of ``notebooks/`` that ``sahel report`` renders, in order."""

KERNEL_ARGS = ["--IPKernelApp.log_level=CRITICAL", "--HistoryManager.enabled=False"]
"""jupyter_client interrupts each kernel before shutting it down, which an idle kernel logs as
``ERROR | KeyboardInterrupt caught``; a notebook's errors are in its cells."""

KERNEL_START_FAILED = "Kernel died before replying to kernel_info"
"""jupyter_client's error for a kernel that exited before it answered: the one failure retried."""

TEMPLATE = ("{%- extends 'lab/index.html.j2' -%}\n"
            "{%- block html_head_js_mathjax -%}{%- endblock html_head_js_mathjax -%}\n")
"""The lab template without MathJax: reports have no math, and a ``$`` in an article stays a dollar."""


@dataclass
class Outcome:
    """What one notebook run produced."""

    name: str
    ok: bool
    seconds: float
    message: str = ""


def notebooks(folder: str | Path | None = None) -> dict[str, Path]:
    """Report name → notebook: the package's three, or every ``*.ipynb`` of ``folder``."""
    if folder is None:
        return {n: paths.NOTEBOOKS_DIR / f"{n}.ipynb" for n in NOTEBOOKS}
    found = {p.stem: p.resolve() for p in sorted(Path(folder).glob("*.ipynb"))
             if not p.name.endswith(".failed.ipynb")}
    if not found:
        raise ParameterError("--notebooks", f"folder {str(folder)!r} has no .ipynb notebook")
    return found


def to_html(notebook: Path | Any, title: str) -> str:
    """Render an executed notebook (a path or a notebook node) to standalone HTML without its code."""
    import nbformat
    from jinja2 import DictLoader
    from nbconvert import HTMLExporter, TemplateExporter
    from nbconvert.filters.highlight import Highlight2HTML
    from nbconvert.filters.widgetsdatatypefilter import WidgetsDataTypeFilter

    class Exporter(HTMLExporter):
        """HTMLExporter without its last pass, a BeautifulSoup parse of the whole page that
        adds tabindex and a placeholder alt text: 20 s on a report of 1,000 articles."""

        def from_notebook_node(self, nb: Any, resources: Any = None, **kw: Any) -> tuple[str, dict]:
            resources = self._init_resources(resources)
            self.register_filter("highlight_code", Highlight2HTML(parent=self))
            self.register_filter("filter_data_type", WidgetsDataTypeFilter(
                notebook_metadata=self._nb_metadata, parent=self, resources=resources))
            return TemplateExporter.from_notebook_node(self, nb, resources, **kw)

    nb = nbformat.read(notebook, as_version=4) if isinstance(notebook, (str, Path)) else notebook
    exporter = Exporter(exclude_input=True, exclude_input_prompt=True, exclude_output_prompt=True,
                        extra_loaders=[DictLoader({"sahel_report.html.j2": TEMPLATE})],
                        template_file="sahel_report.html.j2")
    body, _ = exporter.from_notebook_node(nb, resources={"metadata": {"name": title}})
    return body


def cell_error(exc: BaseException) -> str:
    """Where and why a notebook failed: its cell, first source line and error."""
    cell, count = getattr(exc, "cell_index", None), getattr(exc, "exec_count", None)
    evalue = str(getattr(exc, "evalue", exc)).strip().splitlines() or [""]
    source = str(getattr(exc, "source", "") or "").strip().splitlines()
    where = (f"cell {cell}" if cell is not None else "a cell") + (f" (In [{count}])" if count is not None else "")
    return (f"{where}{f': `{source[0][:80]}`' if source else ''}: {getattr(exc, 'ename', type(exc).__name__)}: "
            f"{evalue[0]}").rstrip(": ")


def execute(name: str, source: str, target: str, parameters: dict[str, Any]) -> Outcome:
    """Run one notebook with papermill and write its HTML next to it (in a worker process)."""
    import papermill as pm

    t0 = time.monotonic()
    for attempt in (1, 2):  # kernels started in parallel sometimes die at start (nteract/papermill#239): once more
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # papermill's own chatter; kernel output is kept
                nb = pm.execute_notebook(source, target, parameters=parameters, kernel_name="python3",
                                         progress_bar=False, log_output=False, cwd=str(Path(source).parent),
                                         extra_arguments=KERNEL_ARGS, request_save_on_cell_execute=False)
            break
        except Exception as exc:  # papermill keeps the executed notebook with the error
            if attempt == 1 and KERNEL_START_FAILED in str(exc):
                continue
            return Outcome(name, False, time.monotonic() - t0, cell_error(exc))
    title = parameters.get("title") or name
    Path(target).with_suffix(".html").write_text(to_html(nb, title), encoding="utf-8")
    return Outcome(name, True, time.monotonic() - t0)


def index_html(outcomes: Sequence[Outcome], parameters: Mapping[str, Any]) -> str:
    """``index.html``: a link to each report written, the failures, and the parameters."""
    esc = html.escape
    rows = "\n".join(
        f'<li><a href="{esc(o.name)}.html">{esc(o.name)}</a> (<a href="{esc(o.name)}.ipynb">executed '
        f'notebook</a>)</li>' if o.ok else
        f'<li>{esc(o.name)}: <strong>failed</strong> in {esc(o.message)} (<a href="{esc(o.name)}.failed.ipynb">'
        'notebook</a>)</li>' for o in outcomes)
    params = "\n".join(f"<tr><th>{esc(k)}</th><td><code>{esc(repr(v))}</code></td></tr>"
                       for k, v in parameters.items())
    return ("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
            "<title>sahel reports</title>\n<style>body{font-family:sans-serif;max-width:50em;"
            "margin:2em auto;line-height:1.5}th{text-align:left;padding-right:1em}</style>\n"
            "</head>\n<body>\n<h1>sahel reports</h1>\n"
            "<p>The French-led intervention in the Sahel, told from news articles.</p>\n"
            f"<ul>\n{rows}\n</ul>\n<h2>Parameters</h2>\n<table>\n{params}\n</table>\n</body>\n</html>\n")


def run(names: Sequence[str] | None = None, raw: Mapping[str, Any] | None = None,
        out_dir: Path | None = None, jobs: int | None = None, echo: Callable[[str], None] = print,
        executor: Callable[..., Outcome] | None = None, folder: str | Path | None = None) -> list[Outcome]:
    """Validate (:class:`ParameterError` before any kernel runs), execute the notebooks in parallel with
    the parameters given (each keeps its own defaults), move every report that succeeded into place."""
    known = notebooks(folder)
    names = list(dict.fromkeys(names or known))
    for n in names:
        if n not in known:
            raise ParameterError("NAME", f"unknown notebook {n!r} (known: {', '.join(known)})")
    raw = dict(raw or {})
    values = validate(**raw).as_dict()
    given = {k: v for k, v in values.items() if k in raw}
    out = Path(out_dir) if out_dir is not None else paths.reports_dir()
    out.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}-", dir=out.parent))
    try:
        if values["corpus"] and executor is None:
            os.environ[TABLES_ENV] = str(parse_once(Path(values["corpus"]), tmp / ".tables", jobs, echo))
        outcomes = run_pool([(n, str(known[n]), str(tmp / f"{n}.ipynb"), given) for n in names],
                            max(1, min(len(names), jobs or os.cpu_count() or 1)), echo, executor or execute)
        for o in outcomes:
            if o.ok:
                for ext in (".ipynb", ".html"):
                    os.replace(tmp / f"{o.name}{ext}", out / f"{o.name}{ext}")
                (out / f"{o.name}.failed.ipynb").unlink(missing_ok=True)
            elif (tmp / f"{o.name}.ipynb").exists():
                os.replace(tmp / f"{o.name}.ipynb", out / f"{o.name}.failed.ipynb")
        (tmp / "index.html").write_text(index_html(outcomes, values), encoding="utf-8")
        os.replace(tmp / "index.html", out / "index.html")
        return outcomes
    finally:
        os.environ.pop(TABLES_ENV, None)
        shutil.rmtree(tmp, ignore_errors=True)


def parse_once(corpus: Path, tables: Path, jobs: int | None, echo: Callable[[str], None]) -> Path:
    """Parse the corpus once, on every core, into ``tables`` (with ``report.json``: the corpus and its
    problems), which every notebook's kernel then loads (:func:`.narrative.load_corpus`)."""
    from .. import write_corpus

    t0 = time.monotonic()
    with warnings.catch_warnings():  # each notebook shows the corpus's problems
        warnings.simplefilter("ignore")
        summary = write_corpus(corpus, tables, jobs=jobs, progress=False)
    (tables / "report.json").write_text(json.dumps({"corpus": str(corpus), "problems": summary.problems}))
    echo(f"parsed {corpus.name} in {time.monotonic() - t0:.1f} s")
    return tables


def run_pool(tasks: list[tuple], workers: int, echo: Callable[[str], None],
             run_one: Callable[..., Outcome]) -> list[Outcome]:
    """Run ``run_one(*task)`` for each task in worker processes; outcomes in task order."""
    outcomes: dict[str, Outcome] = {}
    with ProcessPoolExecutor(max_workers=workers) as pool:
        pending = {}
        for i, task in enumerate(tasks, 1):
            echo(f"[{i}/{len(tasks)}] {task[0]}: running")
            pending[pool.submit(run_one, *task)] = task[0]
        try:
            for fut in as_completed(pending):
                name = pending[fut]
                try:
                    o = fut.result()
                except Exception as exc:  # a worker died: that notebook failed, the others go on
                    o = Outcome(name, False, 0.0, f"its worker: {type(exc).__name__}: {exc}")
                outcomes[name] = o
                echo(f"[{len(outcomes)}/{len(tasks)}] {name}: {'done' if o.ok else 'FAILED'} in {o.seconds:.1f} s")
        except BaseException:
            pool.shutdown(cancel_futures=True)
            raise
    return [outcomes[t[0]] for t in tasks]


def help_notebook() -> str:
    """The text of ``sahel report --help-notebook``: the parameters every notebook takes."""
    lines = ["Every notebook starts with a cell tagged `parameters` of literal, annotated defaults,",
             "validated in the next cell by sahel.report.params.validate. Parameters (-p KEY VALUE):", ""]
    lines += [f"  {k:<8} default {DEFAULTS[k]!r:<6} {HELP[k]}" for k in DEFAULTS]
    lines += ["", "`parties` selects whose losses and forces are shown (FRA: French deaths and troops),",
              "not who caused them. --notebooks DIR runs your own notebooks with the same parameters."]
    return "\n".join(lines)


def refresh_notebooks(names: Sequence[str] | None = None) -> None:
    """Execute the committed notebooks in place with their default parameters (for nbval)."""
    import nbformat
    from nbclient import NotebookClient

    for name in names or NOTEBOOKS:
        path = paths.NOTEBOOKS_DIR / f"{name}.ipynb"
        nb = nbformat.read(path, as_version=4)
        NotebookClient(nb, kernel_name="python3", timeout=600, record_timing=False,
                       extra_arguments=KERNEL_ARGS,
                       resources={"metadata": {"path": str(paths.NOTEBOOKS_DIR)}}).execute()
        for cell in nb.cells:
            cell.metadata.pop("execution", None)
        tmp = path.with_name(f".{path.name}.tmp")
        nbformat.write(nb, tmp)
        os.replace(tmp, path)
        print(f"executed {path}", flush=True)


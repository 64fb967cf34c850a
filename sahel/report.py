"""``sahel report``: execute the notebooks with papermill and render them to HTML.

Parameters are validated before any kernel starts. Each notebook runs in its
own process (in parallel) and is written, with an HTML rendering without code
cells, into a temporary folder next to the reports folder; only when every
notebook succeeded are the files and ``index.html`` moved into place, so an
interrupted or failed run leaves the previous reports intact. A failed
notebook is kept as ``NAME.failed.ipynb`` and the error names its cell.

Kernels start warm where processes fork (Linux, macOS): a
:class:`~sahel.kernels.KernelForker` imports ipykernel, pandas, matplotlib,
seaborn and the notebooks' ``sahel`` modules once, while the workers import
papermill, and forks each notebook's kernel from itself.
"""
from __future__ import annotations

import html
import multiprocessing
import os
import shutil
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import paths
from .kernels import KernelForker, forked_kernel_manager
from .params import ParameterError, check

NOTEBOOKS = ("trajectory", "costs", "sources")
"""The notebooks of ``notebooks/`` that ``sahel report`` renders, in order."""

_TEMPLATE = ("{%- extends 'lab/index.html.j2' -%}\n"
             "{%- block html_head_js_mathjax -%}{%- endblock html_head_js_mathjax -%}\n")
"""The lab template without MathJax: reports have no math, and a ``$`` in an
article must stay a dollar sign."""


class ReportError(RuntimeError):
    """A notebook failed; the message names the notebook and the cell."""


@dataclass
class Outcome:
    """What one notebook run produced."""

    name: str
    ok: bool
    seconds: float
    message: str = ""


def notebook_path(name: str) -> Path:
    """The source notebook of a report name."""
    return paths.NOTEBOOKS_DIR / f"{name}.ipynb"


def html_exporter():
    """nbconvert's HTMLExporter: no code cells, no prompts, no MathJax."""
    from jinja2 import DictLoader
    from nbconvert import HTMLExporter

    return HTMLExporter(exclude_input=True, exclude_input_prompt=True, exclude_output_prompt=True,
                        extra_loaders=[DictLoader({"sahel_report.html.j2": _TEMPLATE})],
                        template_file="sahel_report.html.j2")


def to_html(notebook: Path | Any, title: str) -> str:
    """Render an executed notebook (a path or a notebook node) to standalone HTML without its code."""
    import nbformat

    nb = nbformat.read(notebook, as_version=4) if isinstance(notebook, (str, Path)) else notebook
    body, _ = _exporter().from_notebook_node(nb, resources={"metadata": {"name": title}})
    return body


_EXPORTER = None


def _exporter():
    """This process's :func:`html_exporter`, its template loaded and compiled once."""
    global _EXPORTER
    if _EXPORTER is None:
        exporter = html_exporter()
        exporter.template  # noqa: B018 - loads and compiles the template now
        _EXPORTER = exporter
    return _EXPORTER


def _cell_error(exc: BaseException) -> str:
    cell = getattr(exc, "cell_index", None)
    count = getattr(exc, "exec_count", None)
    ename = getattr(exc, "ename", type(exc).__name__)
    evalue = str(getattr(exc, "evalue", exc)).strip().splitlines()
    source = str(getattr(exc, "source", "") or "").strip().splitlines()
    where = f"cell {cell}" if cell is not None else "a cell"
    if count is not None:
        where += f" (In [{count}])"
    first = f": `{source[0][:80]}`" if source else ""
    return f"{where}{first}: {ename}: {evalue[0] if evalue else ''}".rstrip(": ")


def execute(name: str, source: str, target: str, parameters: dict[str, Any]) -> Outcome:
    """Run one notebook with papermill and render its HTML (in a worker process)."""
    import warnings

    import papermill as pm

    t0 = time.monotonic()
    target_path = Path(target)
    # nbconvert is imported and its template compiled while the kernel runs the notebook
    exporting = threading.Thread(target=_exporter, daemon=True)
    exporting.start()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # papermill's own chatter; kernel output is kept
            warm = {"kernel_manager_class": forked_kernel_manager(_FORKER)} if _FORKER else {}
            nb = pm.execute_notebook(source, target, parameters=parameters, kernel_name="python3",
                                     progress_bar=False, log_output=False,
                                     cwd=str(paths.NOTEBOOKS_DIR), **warm)
    except Exception as exc:  # papermill keeps the executed notebook with the error
        return Outcome(name, False, time.monotonic() - t0, _cell_error(exc))
    exporting.join()
    title = parameters.get("title") or name
    target_path.with_suffix(".html").write_text(to_html(nb, title), encoding="utf-8")
    return Outcome(name, True, time.monotonic() - t0)


def index_html(names: Sequence[str], parameters: Mapping[str, Any]) -> str:
    """``index.html``: a link to each report and the parameters it was run with."""
    esc = html.escape
    rows = "\n".join(
        f'<li><a href="{esc(n)}.html">{esc(n)}</a> '
        f'(<a href="{esc(n)}.ipynb">executed notebook</a>)</li>' for n in names)
    params = "\n".join(
        f"<tr><th>{esc(k)}</th><td><code>{esc(repr(v))}</code></td></tr>"
        for k, v in parameters.items())
    return ("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
            "<title>sahel reports</title>\n<style>body{font-family:sans-serif;max-width:50em;"
            "margin:2em auto;line-height:1.5}th{text-align:left;padding-right:1em}</style>\n"
            "</head>\n<body>\n<h1>sahel reports</h1>\n"
            "<p>The French-led intervention in the Sahel, told from news articles.</p>\n"
            f"<ul>\n{rows}\n</ul>\n<h2>Parameters</h2>\n<table>\n{params}\n</table>\n"
            "</body>\n</html>\n")


def _notebook_parameters(name: str, values: dict[str, Any], given: set[str]) -> dict[str, Any]:
    """Only the parameters the user gave are injected (validated and normalised);
    notebook ``name`` keeps its own defaults for the others (its title, say)."""
    return {k: v for k, v in values.items() if k in given}


def run(names: Sequence[str] | None = None, raw: Mapping[str, Any] | None = None,
        out_dir: Path | None = None, jobs: int | None = None,
        echo: Callable[[str], None] = print,
        executor: Callable[..., Outcome] | None = None) -> list[Path]:
    """Validate, execute the notebooks in parallel and move the reports into place.

    Raises :class:`ParameterError` for bad names or values (before any kernel
    runs) and :class:`ReportError` when a notebook fails.
    """
    names = list(dict.fromkeys(names or NOTEBOOKS))
    for n in names:
        if n not in NOTEBOOKS:
            raise ParameterError("NAME", f"unknown notebook {n!r} (known: {', '.join(NOTEBOOKS)})")
    raw = dict(raw or {})
    values = check(raw)
    given = set(raw)
    out = Path(out_dir) if out_dir is not None else paths.reports_dir()
    out.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}-", dir=out.parent))
    run_one = executor or execute
    try:
        outcomes = _run_all(names, values, given, tmp, jobs, echo, run_one)
        failed = [o for o in outcomes if not o.ok]
        if failed:
            for o in failed:
                if (tmp / f"{o.name}.ipynb").exists():
                    os.replace(tmp / f"{o.name}.ipynb", out / f"{o.name}.failed.ipynb")
            lines = [f"notebook {o.name} failed in {o.message}; kept as "
                     f"{out / (o.name + '.failed.ipynb')}" for o in failed]
            raise ReportError("; ".join(lines) + "; previous reports left in place")
        (tmp / "index.html").write_text(index_html(names, values), encoding="utf-8")
        written = []
        for n in names:
            for ext in (".ipynb", ".html"):
                os.replace(tmp / f"{n}{ext}", out / f"{n}{ext}")
                written.append(out / f"{n}{ext}")
            (out / f"{n}.failed.ipynb").unlink(missing_ok=True)
        os.replace(tmp / "index.html", out / "index.html")
        written.append(out / "index.html")
        return written
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _import_papermill() -> None:
    """Import papermill (and nbformat, jsonschema) without ``rfc3987_syntax``.

    jsonschema imports that optional package, when installed, only to check the
    ``iri`` formats, which notebooks never use, and it builds a Lark grammar on
    import: a second of the report's start. Hidden only while papermill is first
    imported here; jsonschema then runs without IRI format checks in this process.
    """
    if "jsonschema" in sys.modules or "rfc3987_syntax" in sys.modules:
        import papermill  # noqa: F401
        return
    sys.modules["rfc3987_syntax"] = None  # type: ignore[assignment]  # makes its import fail
    try:
        import papermill  # noqa: F401
    finally:
        if sys.modules.get("rfc3987_syntax", 0) is None:
            del sys.modules["rfc3987_syntax"]


_FORKER: KernelForker | None = None
"""The kernel forker of the current run, inherited by its (forked) workers."""


def _run_all(names: list[str], values: dict[str, Any], given: set[str], tmp: Path,
             jobs: int | None, echo: Callable[[str], None],
             run_one: Callable[..., Outcome]) -> list[Outcome]:
    global _FORKER
    total = len(names)
    workers = max(1, min(total, jobs or os.cpu_count() or 1))
    # fork after importing papermill and building the HTML exporter once here, so workers
    # start warm (spawn elsewhere); the kernel forker starts first and imports meanwhile
    if "fork" in multiprocessing.get_all_start_methods():
        try:
            _FORKER = KernelForker()
        except OSError:  # no Unix sockets, say: kernels are launched as usual
            _FORKER = None
        _import_papermill()
        _exporter()
        ctx = multiprocessing.get_context("fork")
    else:
        ctx = multiprocessing.get_context("spawn")
    try:
        return _run_pool(names, values, given, tmp, workers, echo, run_one, ctx)
    finally:
        if _FORKER is not None:
            _FORKER.close()
            _FORKER = None


def _run_pool(names: list[str], values: dict[str, Any], given: set[str], tmp: Path, workers: int,
              echo: Callable[[str], None], run_one: Callable[..., Outcome], ctx) -> list[Outcome]:
    total = len(names)
    outcomes: list[Outcome] = []
    with ProcessPoolExecutor(max_workers=workers, mp_context=ctx) as pool:
        pending: dict[Future, str] = {}
        for n in names:
            echo(f"[{names.index(n) + 1}/{total}] {n}: running")
            pending[pool.submit(run_one, n, str(notebook_path(n)), str(tmp / f"{n}.ipynb"),
                                _notebook_parameters(n, values, given))] = n
        try:
            while pending:
                done, _ = wait(pending, return_when=FIRST_COMPLETED)
                for fut in done:
                    n = pending.pop(fut)
                    o = fut.result()
                    outcomes.append(o)
                    status = "done" if o.ok else "FAILED"
                    echo(f"[{len(outcomes)}/{total}] {n}: {status} in {o.seconds:.1f} s")
        except BaseException:
            for fut in pending:
                fut.cancel()
            raise
    order = {n: i for i, n in enumerate(names)}
    return sorted(outcomes, key=lambda o: order[o.name])


def main_report(names: Sequence[str], pairs: list[list[str]] | None, yaml_file: str | None,
                out: str | None, jobs: int | None) -> int:
    """The ``sahel report`` command: returns the exit status."""
    from .params import parse_cli

    raw = parse_cli(pairs, yaml_file)
    try:
        written = run(names, raw, Path(out) if out else None, jobs,
                      echo=lambda line: print(line, flush=True))
    except ReportError as exc:
        print(f"sahel report: error: {exc}", file=sys.stderr)
        return 1
    index = [p for p in written if p.name == "index.html"][0]
    print(f"wrote {len(written)} files; open {index}")
    return 0


def refresh_notebooks(names: Sequence[str] | None = None, timeout: int = 600) -> list[Path]:
    """Execute the committed notebooks in place with their default parameters.

    Run after ``data/`` changes so that the committed outputs match what
    ``pytest --nbval notebooks/`` recomputes; no timing metadata is recorded.
    """
    import nbformat
    from nbclient import NotebookClient

    done = []
    for name in names or NOTEBOOKS:
        path = notebook_path(name)
        nb = nbformat.read(path, as_version=4)
        NotebookClient(nb, kernel_name="python3", timeout=timeout, record_timing=False,
                       resources={"metadata": {"path": str(paths.NOTEBOOKS_DIR)}}).execute()
        for cell in nb.cells:
            cell.metadata.pop("execution", None)
        tmp = path.with_name(f".{path.name}.tmp")
        nbformat.write(nb, tmp)
        os.replace(tmp, path)
        print(f"executed {path}", flush=True)
        done.append(path)
    return done


if __name__ == "__main__":  # python -m sahel.report [NAME ...]: refresh the committed notebooks
    refresh_notebooks(sys.argv[1:] or None)

"""Installed from a wheel into a fresh environment, sahel finds its data and notebooks.

The wheel is built offline from a copy of the checkout (``--no-build-isolation``)
and installed without dependencies into a new virtual environment whose
``.pth`` file points at this environment's site-packages, so the test needs
no network; it then runs from an empty folder.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

from sahel import paths

SOURCES = ("sahel", "data", "notebooks", "seeds", "pyproject.toml", "setup.py", "MANIFEST.in", "README.md")


def run(args: list[str], cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    proc = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, f"{args}: {proc.stdout[-2000:]}\n{proc.stderr[-3000:]}"
    return proc


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    src, out = tmp_path_factory.mktemp("src"), tmp_path_factory.mktemp("wheel")
    for name in SOURCES:  # a copy: a stale build/ of the checkout must not leak into the wheel
        item = paths.ROOT / name
        if item.is_dir():
            shutil.copytree(item, src / name, ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
        else:
            shutil.copy2(item, src / name)
    run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--no-index", "-q",
         "-w", str(out), str(src)], cwd=src)
    (found,) = out.glob("sahel-*.whl")
    return found


@pytest.fixture(scope="module")
def venv(wheel, tmp_path_factory) -> Path:
    env_dir = tmp_path_factory.mktemp("venv")
    run([sys.executable, "-m", "venv", "--without-pip", str(env_dir)], cwd=env_dir)
    python = env_dir / "bin" / "python"
    purelib = run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                  cwd=env_dir).stdout.strip()
    (Path(purelib) / "dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    run([sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps", "--no-index", "-q",
         "--ignore-installed",  # never touch the sahel of the environment the dependencies come from
         str(wheel)], cwd=env_dir)
    return env_dir


def clean_env(venv: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH",) and not k.startswith("SAHEL_")}
    # nbconvert's templates and the kernel spec are data files of the dependencies' environment
    env["JUPYTER_PATH"] = str(Path(sys.prefix) / "share" / "jupyter")
    env["PATH"] = f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    return env


def test_wheel_carries_the_checkouts_data_and_notebooks(wheel):
    with zipfile.ZipFile(wheel) as z:
        shared = sorted(n.removeprefix("sahel/share/") for n in z.namelist() if n.startswith("sahel/share/"))
        assert shared == paths.shared_files(), "the wheel's sahel/share/ differs from data/, notebooks/, seeds/"
        for name in shared:
            assert z.read(f"sahel/share/{name}") == (paths.ROOT / name).read_bytes(), name
        assert "sahel/resources/parties.csv" in z.namelist()
    assert {"data/figures.csv", "data/datapackage.json", "notebooks/explore.ipynb", "seeds/catalog.csv"} \
        <= set(shared)


def test_installed_package_loads_its_data_from_an_empty_folder(venv, tmp_path):
    code = ("import sahel; c = sahel.load(); c.figures; print(sahel.__file__); print(len(c.figures)); "
            "print(sahel.paths.NOTEBOOKS_DIR); print(sahel.paths.reports_dir())")
    out = run([str(venv / "bin" / "python"), "-c", code], cwd=tmp_path, env=clean_env(venv)).stdout.split("\n")
    assert out[0].startswith(str(venv)), out  # the installed copy, not the checkout
    assert int(out[1]) == len(paths.ROOT.joinpath("data", "figures.csv").read_text().splitlines()) - 1 > 0
    assert (Path(out[2]) / "trajectory.ipynb").is_file() and out[2].startswith(str(venv))
    assert Path(out[3]) == tmp_path / "reports"  # reports go to the working folder, not into site-packages


def test_installed_package_renders_the_reports(venv, tmp_path):
    run([str(venv / "bin" / "sahel"), "report", "--out", "r"], cwd=tmp_path, env=clean_env(venv))
    assert (tmp_path / "r" / "index.html").is_file()
    assert not list((venv / "lib").rglob("reports"))  # nothing written into site-packages

"""Where things live: seeds, data, notebooks and reports, from a checkout or an installed wheel.

A checkout resolves against the repository (``data/``, ``notebooks/``, ``seeds/``); a
wheel carries copies of them in ``sahel/share/`` (:data:`SHARED`, copied by ``setup.py``).
Never relative to the working directory. ``SAHEL_DATA``, ``SAHEL_NOTEBOOKS`` and
``SAHEL_REPORTS`` override the defaults. Standard library only (``setup.py`` loads this file).
"""
from __future__ import annotations

import os
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
RESOURCES_DIR = PACKAGE_DIR / "resources"
SHARE_DIR = PACKAGE_DIR / "share"
INSTALLED = SHARE_DIR.is_dir()
"""True when running from an installed wheel (there is no ``share/`` in a checkout)."""
ROOT = SHARE_DIR if INSTALLED else PACKAGE_DIR.parent
"""The folder holding ``data/``, ``notebooks/`` and ``seeds/``."""
SEEDS_DIR = ROOT / "seeds"
NOTEBOOKS_DIR = ROOT / "notebooks"
SHARED: dict[str, tuple[str, ...]] = {
    "data": ("*.csv", "datapackage.json"),
    "notebooks": ("*.ipynb", "sanitize.cfg"),
    "seeds": ("*.txt", "catalog.csv"),
}
"""The checkout's folders (and file patterns) a wheel carries in ``sahel/share/``."""


def shared_files(root: Path | None = None) -> list[str]:
    """The files of :data:`SHARED` under ``root`` (default :data:`ROOT`), as sorted relative paths."""
    root = ROOT if root is None else root
    return sorted({p.relative_to(root).as_posix() for folder, patterns in SHARED.items()
                   for pattern in patterns for p in (root / folder).glob(pattern) if p.is_file()})


def data_dir() -> Path:
    """The folder of parsed tables (``data/`` unless ``SAHEL_DATA`` is set)."""
    return Path(os.environ.get("SAHEL_DATA", ROOT / "data"))


def notebooks_dir() -> Path:
    """The folder of report notebooks (``notebooks/`` unless ``SAHEL_NOTEBOOKS`` is set)."""
    return Path(os.environ.get("SAHEL_NOTEBOOKS", NOTEBOOKS_DIR))


def seeds_dir() -> Path:
    """The seed corpus (three articles and their catalog)."""
    return SEEDS_DIR


def reports_dir() -> Path:
    """Where reports go unless ``SAHEL_REPORTS`` is set: ``reports/`` of the checkout, or of the
    working directory when installed (never inside site-packages)."""
    default = Path.cwd() / "reports" if INSTALLED else ROOT / "reports"
    return Path(os.environ.get("SAHEL_REPORTS", default))

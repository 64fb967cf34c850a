"""Where things live: seeds, data, notebooks, resources and reports, in a checkout or an installed wheel.

A wheel carries copies of the checkout's folders (:data:`SHARED`) in ``sahel/share/``; only the
reports of an installed package go to the working directory. ``SAHEL_DATA`` and ``SAHEL_REPORTS``
override the defaults. Standard library only (``setup.py`` loads this file).
"""
from __future__ import annotations

import os
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
RESOURCES_DIR = PACKAGE_DIR / "resources"
INSTALLED = (PACKAGE_DIR / "share").is_dir()  # a checkout has no share/
ROOT = PACKAGE_DIR / "share" if INSTALLED else PACKAGE_DIR.parent
"""The folder holding ``data/``, ``notebooks/`` and ``seeds/``."""
SEEDS_DIR = ROOT / "seeds"
NOTEBOOKS_DIR = ROOT / "notebooks"
SHARED = {"data": ("*.csv", "datapackage.json"), "notebooks": ("*.ipynb", "sanitize.cfg"),
          "seeds": ("*.txt", "catalog.csv")}
"""The checkout's folders (and file patterns) a wheel carries in ``sahel/share/``."""


def shared_files(root: Path = ROOT) -> list[str]:
    """The files of :data:`SHARED` under ``root``, as sorted relative paths."""
    return sorted({p.relative_to(root).as_posix() for folder, patterns in SHARED.items()
                   for pattern in patterns for p in (root / folder).glob(pattern) if p.is_file()})


def data_dir() -> Path:
    """The folder of parsed tables (``data/`` unless ``SAHEL_DATA`` is set)."""
    return Path(os.environ.get("SAHEL_DATA", ROOT / "data"))


def reports_dir() -> Path:
    """``reports/`` of the checkout, or of the working directory when installed (never inside
    site-packages), unless ``SAHEL_REPORTS`` is set."""
    return Path(os.environ.get("SAHEL_REPORTS", Path.cwd() / "reports" if INSTALLED else ROOT / "reports"))

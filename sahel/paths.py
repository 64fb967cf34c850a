"""Where things live: the repository's seeds, data, notebooks and reports.

Every path the package and the notebooks use is resolved here, never relative
to the working directory (papermill and nbval run with different cwds).
``SAHEL_DATA`` and ``SAHEL_REPORTS`` override the defaults.
"""
from __future__ import annotations

import os
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
ROOT = PACKAGE_DIR.parent
SEEDS_DIR = ROOT / "seeds"
NOTEBOOKS_DIR = ROOT / "notebooks"
RESOURCES_DIR = PACKAGE_DIR / "resources"


def data_dir() -> Path:
    """The folder of parsed tables (``data/`` unless ``SAHEL_DATA`` is set)."""
    return Path(os.environ.get("SAHEL_DATA", ROOT / "data"))


def reports_dir() -> Path:
    """The folder executed reports go to (``reports/`` unless ``SAHEL_REPORTS``)."""
    return Path(os.environ.get("SAHEL_REPORTS", ROOT / "reports"))

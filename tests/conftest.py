"""Test-wide settings: a private per-article cache, so tests never read or write ~/.cache."""
from __future__ import annotations

import os
import tempfile


def pytest_configure(config) -> None:  # noqa: ARG001
    os.environ.setdefault("SAHEL_CACHE", tempfile.mkdtemp(prefix="sahel-test-cache-"))

"""Build step that puts the checkout's data/, notebooks/ and seeds/ into the wheel.

The files are copied at build time into ``sahel/share/`` of the wheel (never into
the source tree), so ``data/`` and ``notebooks/`` stay the one source of truth;
the list is :data:`sahel.paths.SHARED`. All other metadata is in pyproject.toml.
"""
import importlib.util
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

HERE = Path(__file__).resolve().parent
spec = importlib.util.spec_from_file_location("sahel_paths", HERE / "sahel" / "paths.py")
paths = importlib.util.module_from_spec(spec)
spec.loader.exec_module(paths)  # the standard library only: no pandas in the build environment


class BuildPy(build_py):
    """build_py, plus the shared files under sahel/share/ (not for editable installs: they use the checkout)."""

    def run(self):
        super().run()
        if getattr(self, "editable_mode", False):
            return
        for rel in paths.shared_files(HERE):
            target = Path(self.build_lib, "sahel", "share", rel)
            self.mkpath(str(target.parent))
            self.copy_file(str(HERE / rel), str(target))


setup(cmdclass={"build_py": BuildPy})

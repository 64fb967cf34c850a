"""``python -m sahel.report [NAME ...]``: execute the committed notebooks in place (for nbval)."""
import sys

from .runner import refresh_notebooks

refresh_notebooks(sys.argv[1:] or None)

"""``python -m sahel.report [NAME ...]``: execute the committed notebooks in place (for nbval)."""
import argparse

from .runner import NOTEBOOKS, refresh_notebooks

parser = argparse.ArgumentParser(prog="python -m sahel.report",
                                 description="Execute the committed notebooks in place (for nbval).")
parser.add_argument("names", nargs="*", metavar="NAME", help=f"default: all of {', '.join(NOTEBOOKS)}")
names = parser.parse_args().names
if unknown := [n for n in names if n not in NOTEBOOKS]:
    parser.error(f"no notebook {', '.join(unknown)} (one of {', '.join(NOTEBOOKS)})")
refresh_notebooks(names or None)

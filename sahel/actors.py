"""The actor gazetteer (``resources/actors.csv``): operations, forces, missions, groups.

Each actor has a canonical name, aliases, the codebook party code it counts
as (``FRA``, ``UN``, ``JIHADIST`` …) and a kind (state, state force,
operation, task force, UN mission, EU mission, G5 force, international
organization, jihadist group, armed group, mercenary).
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import pandas as pd

from . import paths
from .places import Gazetteer, Match, read_gazetteer
from .schema import ACTORS

ACTORS_CSV = paths.RESOURCES_DIR / "actors.csv"
KINDS = ("state", "state force", "operation", "task force", "UN mission", "EU mission",
         "G5 force", "international organization", "jihadist group", "armed group", "mercenary")


@lru_cache(maxsize=4)
def gazetteer(path: Path = ACTORS_CSV) -> pd.DataFrame:
    """The actor gazetteer as an :data:`~sahel.schema.ACTORS` frame (counts empty)."""
    df = read_gazetteer(Path(path), ACTORS, "actor_id")
    bad = sorted(set(df["kind"].dropna()) - set(KINDS))
    if bad:
        raise ValueError(f"{path}: unknown actor kind(s) {bad}")
    return df


@lru_cache(maxsize=4)
def matcher(path: Path = ACTORS_CSV) -> Gazetteer:
    """The compiled actor matcher (built once per gazetteer file)."""
    return Gazetteer(gazetteer(path), "actor_id")


def find_actors(text: str) -> list[Match]:
    """Actor names in ``text`` (``Match.key`` is the ``actor_id``)."""
    return matcher().find(text)

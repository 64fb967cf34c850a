"""data/datapackage.json: generated from the schema, valid for the frictionless library."""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from sahel import paths, schema

DATA = paths.ROOT / "data"


def test_package_describes_every_table():
    package = json.loads((DATA / "datapackage.json").read_text(encoding="utf-8"))
    assert package["title"] and package["licenses"][0]["name"] == "MIT"
    titles = [s["title"] for s in package["sources"]]
    assert len(titles) == len(list(paths.SEEDS_DIR.glob("*.txt"))) > 0
    assert titles[0] == "AFP, 2019-11-26: article 000_59af83d45f761803 (000_59af83d45f761803.txt)"
    resources = {r["name"]: r for r in package["resources"]}
    assert set(resources) == {t.name for t in schema.TABLES.values() if t.written}
    facts = resources["facts"]["schema"]
    assert facts["primaryKey"] == ["fact_id"]
    fields = {f["name"]: f for f in facts["fields"]}
    assert fields["kind"]["constraints"]["enum"] == ["incident", "cumulative", "stock"]
    assert fields["low"]["type"] == "number" and fields["n_sources"]["type"] == "integer"
    assert {"fields": "party", "reference": {"resource": "parties", "fields": "code"}} in facts["foreignKeys"]
    assert {"fields": "part_of", "reference": {"resource": "", "fields": "fact_id"}} in facts["foreignKeys"]


def test_resources_validate_with_frictionless():
    frictionless = pytest.importorskip("frictionless")
    package = frictionless.Package(str(DATA / "datapackage.json"))
    for resource in package.resources:
        report = resource.validate()
        assert report.valid, report.flatten(["rowNumber", "fieldName", "message"])[:10]


def test_frictionless_validate_command(tmp_path):
    pytest.importorskip("frictionless")
    cli = Path(sys.executable).with_name("frictionless")
    proc = subprocess.run([str(cli), "validate", "datapackage.json"], cwd=DATA, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout[-3000:]


def test_frictionless_catches_a_bad_code(tmp_path):
    frictionless = pytest.importorskip("frictionless")
    shutil.copytree(DATA, tmp_path / "data")
    figures = tmp_path / "data" / "figures.csv"
    figures.write_text(figures.read_text(encoding="utf-8").replace(",FRA,", ",France,", 1), encoding="utf-8")
    report = frictionless.Package(str(tmp_path / "data" / "datapackage.json")).get_resource("figures").validate()
    assert not report.valid
    assert any("France" in e.message for e in report.tasks[0].errors)

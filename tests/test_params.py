"""Parameter validation for the notebooks and ``sahel report``: one clear line naming the parameter."""
from __future__ import annotations

from pathlib import Path

import pytest

from sahel import cli
from sahel.report import runner
from sahel.report.params import HELP, ParameterError, parse_cli, validate

SEEDS = Path(__file__).resolve().parents[1] / "seeds"


def test_defaults_are_valid() -> None:
    p = validate()
    assert p.corpus is None and p.start is None and p.end is None and p.parties == ()


def test_values_are_normalised(tmp_path: Path) -> None:
    p = validate(corpus=str(SEEDS), start="2020-01-01", end="2020-12-31", parties="fra, UN")
    assert p.corpus == SEEDS and p.parties == ("FRA", "UN")
    assert p.as_dict()["start"] == "2020-01-01"
    assert validate(parties='["FRA"]').parties == ("FRA",)


@pytest.mark.parametrize(("kwargs", "name", "words"), [
    ({"start": "2020-13-01"}, "start", "not a valid date"),
    ({"start": "yesterday"}, "start", "not a date"),
    ({"end": 2020}, "end", "not a date"),
    ({"start": "2021-01-01", "end": "2020-01-01"}, "end", "before start"),
    ({"parties": ["FRA", "XYZ"]}, "parties", "unknown party code 'XYZ'"),
    ({"parties": 3}, "parties", "not a list"),
    ({"parties": "[FRA"}, "parties", "not a list"),
    ({"corpus": "/no/such/folder"}, "corpus", "does not exist"),
    ({"title": ["x"]}, "title", "not a string"),
    ({"strat": "2020-01-01"}, "strat", "unknown parameter"),
])
def test_bad_values_name_the_parameter(kwargs: dict, name: str, words: str) -> None:
    with pytest.raises(ParameterError) as err:
        validate(**kwargs)
    message = str(err.value)
    assert message.startswith(f"parameter `{name}`: ") and words in message
    assert "\n" not in message


def test_corpus_must_be_a_folder_of_articles(tmp_path: Path) -> None:
    (tmp_path / "file.txt").write_text("x")
    with pytest.raises(ParameterError, match="not a folder"):
        validate(corpus=str(tmp_path / "file.txt"))
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(ParameterError, match="no .txt articles"):
        validate(corpus=str(empty))


def test_yaml_file(tmp_path: Path) -> None:
    good = tmp_path / "p.yaml"
    good.write_text("start: 2020-01-01\nparties: [FRA]\n")
    raw = parse_cli([["title", "T"]], good)
    assert validate(**raw).as_dict() == {"corpus": "", "start": "2020-01-01", "end": "",
                                         "parties": ["FRA"], "title": "T"}
    bad = tmp_path / "list.yaml"
    bad.write_text("- start\n- end\n")
    with pytest.raises(ParameterError, match="not a mapping"):
        parse_cli(None, bad)
    with pytest.raises(ParameterError, match="not found"):
        parse_cli(None, tmp_path / "missing.yaml")
    broken = tmp_path / "broken.yaml"
    broken.write_text("start: [unclosed\n")
    with pytest.raises(ParameterError, match="not readable YAML"):
        parse_cli(None, broken)


@pytest.mark.parametrize("argv", [
    ["report", "-p", "start", "2020-02-30"],
    ["report", "-p", "parties", '["FRA", "NOPE"]'],
    ["report", "-p", "corpus", "/no/such/folder"],
    ["report", "-p", "start", "2021-01-01", "-p", "end", "2020-01-01"],
    ["report", "nosuchnotebook"],
])
def test_cli_rejects_bad_parameters_before_any_kernel(argv: list[str], monkeypatch, capsys,
                                                      tmp_path: Path) -> None:
    def no_kernel(*args, **kwargs):
        raise AssertionError("a kernel was started")

    monkeypatch.setattr(runner, "run_pool", no_kernel)
    code = cli.main(argv + ["--out", str(tmp_path / "reports")])
    err = capsys.readouterr().err.strip()
    assert code == 2
    assert len(err.splitlines()) == 1, err
    assert err.startswith("sahel report: error: parameter `")
    assert not (tmp_path / "reports").exists() or not any((tmp_path / "reports").iterdir())


def test_cli_yaml_not_a_mapping(tmp_path: Path, capsys) -> None:
    f = tmp_path / "p.yaml"
    f.write_text("just a string\n")
    assert cli.main(["report", "-f", str(f)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("sahel report: error: parameter `-f`") and "mapping" in err


def test_parties_is_documented_as_whose_losses(capsys) -> None:
    assert "whose losses" in HELP["parties"]
    assert cli.main(["report", "--help-notebook"]) == 0
    out = capsys.readouterr().out
    assert "whose losses and forces" in out and "--notebooks" in out
    for name in ("trajectory", "costs", "sources"):
        cell = __import__("nbformat").read(runner.notebooks()[name], as_version=4).cells[0]
        assert "parameters" in cell.metadata["tags"] and "whose losses" in cell.source


def test_own_notebooks_folder_must_hold_notebooks(tmp_path: Path, capsys) -> None:
    assert cli.main(["report", "--notebooks", str(tmp_path), "--out", str(tmp_path / "r")]) == 2
    assert "has no .ipynb notebook" in capsys.readouterr().err


BOMB = "".join(f"{c}: &{c} [{','.join([f'*{p}'] * 9) if p else ','.join(['lol'] * 9)}]\n"
               for p, c in zip([""] + list("abcdefgh"), "abcdefghi"))


def test_yaml_alias_bomb_is_refused_at_once(tmp_path: Path, capsys) -> None:
    """Issue 20 item 10: anchors and aliases are refused before any expansion, in one line naming the file."""
    bomb = tmp_path / "bomb.yaml"
    bomb.write_text(BOMB)
    assert len(BOMB.encode()) < 400
    assert cli.main(["report", "-f", str(bomb), "--out", str(tmp_path / "r")]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and len(err) < 300, err
    assert "bomb.yaml" in err and "aliases" in err


def test_yaml_aliases_are_refused(tmp_path: Path) -> None:
    mild = tmp_path / "mild.yaml"
    mild.write_text("start: &d 2020-01-01\nend: *d\n")
    with pytest.raises(ParameterError, match="anchors or aliases"):
        parse_cli(None, mild)


def test_yaml_file_size_is_limited(tmp_path: Path) -> None:
    big = tmp_path / "big.yaml"
    big.write_text("title: " + "x" * 100_000 + "\n")
    with pytest.raises(ParameterError, match=r"big\.yaml.* larger than"):
        parse_cli(None, big)
    with pytest.raises(ParameterError, match="not a regular file"):
        parse_cli(None, tmp_path)


@pytest.mark.parametrize("value", ["0001-01-01", "9999-12-31", "1677-09-21"])
def test_dates_outside_the_news_are_refused(value: str, capsys, tmp_path: Path) -> None:
    """Issue 20: ``-p start 0001-01-01`` fails validation with a clear line, not in the notebook."""
    with pytest.raises(ParameterError, match="outside the dates a report shows"):
        validate(start=value)
    assert cli.main(["report", "-p", "start", value, "--out", str(tmp_path / "r")]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("sahel report: error: parameter `start`") and len(err.splitlines()) == 1


def test_lone_surrogate_in_title_is_refused(capsys, tmp_path: Path) -> None:
    """Issue 20: a lone surrogate in the title is a parameter error, not a notebook failure."""
    with pytest.raises(ParameterError, match="lone surrogate"):
        validate(title="Sahel \udcff report")
    assert cli.main(["report", "-p", "title", "x\ud800", "--out", str(tmp_path / "r")]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("sahel report: error: parameter `title`") and "\ud800" not in err

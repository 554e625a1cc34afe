from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from tocsin.cli import cli

DEMO = Path(__file__).resolve().parents[1] / "src" / "tocsin" / "data" / "demo"


@pytest.mark.parametrize("command", [[], ["clean"], ["run"], ["code"], ["quotes"], ["export"]])
def test_cli_every_command_has_help(command: list[str]) -> None:
    result = CliRunner().invoke(cli, [*command, "-h"])
    assert result.exit_code == 0
    assert "Usage:" in result.output
    assert "Exit codes" in result.output


def test_cli_clean_prints_jsonl(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["clean", str(DEMO / "syndicated-story.txt")])
    assert result.exit_code == 0
    record = json.loads(result.stdout.splitlines()[0])
    assert record["id"] == "syndicated-story"
    assert len(record["comments"]) == 2
    assert "1 ok" in result.stderr


def test_cli_clean_show_removed_lists_rules() -> None:
    result = CliRunner().invoke(cli, ["clean", "--show-removed", str(DEMO / "syndicated-story.txt")])
    assert "[split_reader_comments]" in result.stdout
    assert "[strip_credit_lines]" in result.stdout


def test_cli_clean_reads_stdin() -> None:
    result = CliRunner().invoke(cli, ["clean", "-"], input='{"id": "x", "text": "LONDON — Talks began."}\n')
    assert json.loads(result.stdout)["text"] == "Talks began."


def test_cli_bad_input_is_reported_not_fatal(tmp_path: Path) -> None:
    (tmp_path / "bad.jsonl").write_text('{"text": "Talks began in Cairo."}\n[1, 2]\n')
    result = CliRunner().invoke(cli, ["clean", str(tmp_path)])
    assert result.exit_code == 0
    assert "bad.jsonl:2: skipped (bad-json)" in result.stderr


def test_cli_unknown_option_is_usage_error() -> None:
    assert CliRunner().invoke(cli, ["clean", "--nope", "x"]).exit_code == 2


def test_cli_run_stores_and_prints_events(tmp_path: Path) -> None:
    db = str(tmp_path / "t.db")
    result = CliRunner().invoke(cli, ["run", str(DEMO), "--db", db])
    assert result.exit_code == 0, result.output
    assert "Most active dyads" in result.stdout
    assert "RUS ->" in result.stdout


def test_cli_run_twice_stores_nothing_twice(tmp_path: Path) -> None:
    db = str(tmp_path / "t.db")
    CliRunner().invoke(cli, ["run", str(DEMO), "--db", db])
    again = CliRunner().invoke(cli, ["run", str(DEMO), "--db", db])
    assert again.exit_code == 0
    assert "0 ok" in again.stderr and "already stored" in again.stderr


def test_cli_installed_script_runs() -> None:
    script = Path(sys.executable).parent / "tocsin"
    result = subprocess.run([str(script), "--version"], capture_output=True, text=True, check=True)
    assert result.stdout.startswith("tocsin, version")

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from tocsin.cli import cli

DEMO = Path(__file__).resolve().parents[1] / "src" / "tocsin" / "data" / "demo"
README = (Path(__file__).resolve().parents[1] / "README.md").read_text()


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


# --- issue #13: the CLI takes what users hand it -------------------------------------------------------------

PUTIN = "Putin visited German Chancellor Olaf Scholz in the Kremlin on Tuesday."


def test_cli_run_survives_a_deeply_nested_line(tmp_path: Path) -> None:
    source = tmp_path / "d.jsonl"
    nested = '{"text": "x", "a": ' + "[" * 1000 + "]" * 1000 + "}"
    source.write_text(nested + "\n" + json.dumps({"id": "after", "text": PUTIN, "pub_date": "2022-02-17"}) + "\n")
    result = CliRunner().invoke(cli, ["run", str(source), "--db", str(tmp_path / "t.db")])
    assert result.exit_code == 0, result.output
    assert "d.jsonl:1: skipped (bad-json) JSON nested too deeply to read" in result.stderr
    assert "1 ok, 1 skipped (bad-json 1)" in result.stderr
    assert "(after)" in result.stdout


def test_cli_code_survives_go_zero_time(tmp_path: Path) -> None:
    source = tmp_path / "g.jsonl"
    records = [{"id": "g", "text": PUTIN, "published": "0001-01-01T00:00:00Z"},
               {"id": "h", "text": PUTIN, "published": "9999-12-31T23:59:59Z"},
               {"id": "i", "text": PUTIN, "published": "2022-02-17"}]  # fmt: skip
    source.write_text("".join(json.dumps(r) + "\n" for r in records))
    result = CliRunner().invoke(cli, ["code", str(source)])
    assert result.exit_code == 0, result.output
    events = [json.loads(line) for line in result.stdout.splitlines()]
    assert [(e["story_id"], e["date"]) for e in events] == [("g", None), ("h", None), ("i", "2022-02-15")]
    assert "g.jsonl:1: warning (bad-date)" in result.stderr


def test_cli_run_reports_an_unreadable_file_before_and_while_reading(tmp_path: Path) -> None:
    from tests.test_readers import unprivileged

    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "good.txt").write_text(PUTIN)
    locked = tmp_path / "in" / "locked.jsonl"
    locked.write_text(json.dumps({"text": PUTIN}) + "\n")
    locked.chmod(0)
    tmp_path.chmod(0o755)  # the dropped capabilities must still reach the store
    command = [sys.executable, "-m", "tocsin", "run", str(tmp_path / "in"), str(locked), "--db", str(tmp_path / "t.db"),
               "--pub-date", "2022-02-17"]  # fmt: skip
    result = subprocess.run(unprivileged(command), capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stderr.count(f"{locked}: skipped (unreadable) Permission denied") == 2
    assert "1 ok, 2 skipped (unreadable 2)" in result.stderr


def test_cli_pub_date_dates_txt_and_stdin(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text(PUTIN)
    for source, data in ((str(tmp_path / "a.txt"), None), ("-", PUTIN)):
        result = CliRunner().invoke(cli, ["code", source, "--pub-date", "2022-02-17"], input=data)
        assert result.exit_code == 0, result.output
        assert [json.loads(line)["date"] for line in result.stdout.splitlines()] == ["2022-02-15"]
        assert "no date" not in result.stderr


def test_cli_warns_when_events_have_no_date(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text(PUTIN)
    result = CliRunner().invoke(cli, ["code", str(tmp_path / "a.txt")])
    assert result.exit_code == 0
    assert "warning: 1 events from 1 stories have no date" in result.stderr and "--pub-date" in result.stderr
    assert "1 warnings (no-date 1)" in result.stderr


def test_cli_txt_headline_is_the_title(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text(f"Kremlin talks on the crisis\n\n{PUTIN}\n")
    story = json.loads(CliRunner().invoke(cli, ["clean", str(tmp_path / "a.txt")]).stdout)
    assert (story["title"], story["text"].strip()) == ("Kremlin talks on the crisis", PUTIN)
    coded = CliRunner().invoke(cli, ["code", str(tmp_path / "a.txt"), "--pub-date", "2022-02-17"]).stdout
    assert [json.loads(line)["sentence_id"] for line in coded.splitlines()] == [0]
    assert json.loads(coded)["sentence"] == PUTIN


@pytest.mark.parametrize("command", ["clean", "code", "quotes", "run"])
def test_cli_exits_1_when_every_input_failed(tmp_path: Path, command: str) -> None:
    (tmp_path / "bad.jsonl").write_text("{not json\n")
    extra = ["--db", str(tmp_path / "t.db")] if command == "run" else []
    result = CliRunner().invoke(cli, [command, str(tmp_path / "bad.jsonl"), str(tmp_path / "missing.txt"), *extra])
    assert result.exit_code == 1
    assert "every input failed" in result.stderr and "2 skipped" in result.stderr


def test_cli_export_rejects_an_unknown_type(tmp_path: Path) -> None:
    CliRunner().invoke(cli, ["run", str(DEMO), "--db", str(tmp_path / "t.db")])
    wrong = CliRunner().invoke(cli, ["export", "--db", str(tmp_path / "t.db"), "--type", "ASSULT"])
    assert wrong.exit_code == 2
    assert "unknown event type ASSULT" in wrong.stderr and "ASSAULT" in wrong.stderr
    right = CliRunner().invoke(cli, ["export", "--db", str(tmp_path / "t.db"), "--type", "assault"])
    assert right.exit_code == 0 and right.stdout.count("\n") >= 1


@pytest.mark.parametrize("command", [["export"], ["signals"], ["serve", "--port", "1"]])
def test_cli_refuses_a_store_that_does_not_exist(tmp_path: Path, command: list[str]) -> None:
    db = tmp_path / "nope.db"
    result = CliRunner().invoke(cli, [*command, "--db", str(db)])
    assert result.exit_code == 2
    assert f"there is no store at {db}" in result.stderr
    assert not db.exists()


def test_cli_missing_extra_has_the_readme_message(tmp_path: Path) -> None:
    CliRunner().invoke(cli, ["run", str(DEMO), "--db", str(tmp_path / "t.db")])
    hide = "import sys; sys.modules['matplotlib'] = None; from tocsin.cli import cli; cli()"  # as if not installed
    result = subprocess.run([sys.executable, "-c", hide, "signals", "--db", str(tmp_path / "t.db")],
                            capture_output=True, text=True, timeout=120)  # fmt: skip
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "this needs the 'signals' extra, which is not installed" in result.stderr
    assert "pip install '.[signals]'" in result.stderr and "pip install '.[signals]'" in README


def test_cli_run_summary_says_how_many_events_it_shows_and_names_codes(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["run", str(DEMO), "--db", str(tmp_path / "t.db")])
    assert result.exit_code == 0, result.output
    coded = int(result.stdout.split(" stories coded, ")[1].split(" events")[0])
    assert coded > 40
    assert f"40 of {coded} events shown (type, actor -> recipient" in result.stdout
    legend = result.stdout.split("\nCodes: ")[1]
    assert "RUS = Russia" in legend and "DEU = Germany" in legend and "UKR = Ukraine" in legend


def test_cli_run_counts_repeats_within_the_input(tmp_path: Path) -> None:
    record = {"id": "a", "text": PUTIN, "pub_date": "2022-02-17"}
    (tmp_path / "twice.jsonl").write_text(json.dumps(record) + "\n" + json.dumps({**record, "id": "b"}) + "\n")
    result = CliRunner().invoke(cli, ["run", str(tmp_path / "twice.jsonl"), "--db", str(tmp_path / "fresh.db")])
    assert "1 ok, 1 repeated within the input" in result.stderr
    assert "already stored" not in result.stderr

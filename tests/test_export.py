"""Exports through the CLI (``tocsin export``) and the library, on a store filled from a few stories."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from tocsin import export, store
from tocsin.cli import cli
from tocsin.pipeline import run
from tocsin.settings import Settings

SCHEMA_KEYS = {
    "id", "story_id", "sentence_id", "sentence", "span", "trigger", "event_type", "mode", "context", "cameo",
    "quad_class", "intensity", "actor", "recipient", "asserted_by", "polarity", "modality", "quote", "date",
    "date_text", "date_precision", "pub_date", "place", "confidence", "coder",
    "cluster_id", "num_mentions", "num_stories", "num_sources", "first_seen", "last_seen", "duplicate_of", "url",
}  # fmt: skip
GDELT = {name: i for i, name in enumerate(export.GDELT_COLUMNS)}


@pytest.fixture
def db(tmp_path: Path, story_dir: Path) -> str:
    path = str(tmp_path / "export.db")
    assert run([story_dir], Settings(db=path)).ok == 3
    return path


def _export(db: str, *args: str) -> Result:
    result = CliRunner().invoke(cli, ["export", "--db", db, *args])
    assert result.exit_code == 0, result.output
    return result


def _records(db: str, *args: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in _export(db, "--format", "jsonl", *args).stdout.splitlines()]


def test_export_jsonl_lines_have_the_schema(db: str) -> None:
    result = _export(db, "--format", "jsonl")
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(records) >= 4
    for record in records:
        assert set(record) >= SCHEMA_KEYS, SCHEMA_KEYS - set(record)
    assert f"{len(records)} events exported" in result.stderr


def test_export_jsonl_to_a_file(db: str, tmp_path: Path) -> None:
    out = tmp_path / "events.jsonl"
    _export(db, "--format", "jsonl", "--output", str(out))
    assert [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()] == _records(db)


def test_export_csv_has_one_header_and_consistent_columns(db: str) -> None:
    rows = list(csv.reader(io.StringIO(_export(db, "--format", "csv").stdout)))
    header, body = rows[0], rows[1:]
    assert len(body) == len(_records(db))
    assert {"id", "event_type", "actor_country", "recipient_country", "place_lat", "num_sources"} <= set(header)
    assert all(len(row) == len(header) for row in body)
    assert header not in body
    by_name = [dict(zip(header, row, strict=True)) for row in body]
    assert [r["id"] for r in by_name] == [r["id"] for r in _records(db)]


def test_export_parquet_reads_back(db: str, tmp_path: Path) -> None:
    pq = pytest.importorskip("pyarrow.parquet")
    out = tmp_path / "events.parquet"
    _export(db, "--format", "parquet", "--output", str(out))
    table = pq.read_table(out)
    assert table.num_rows == len(_records(db))
    assert {"id", "event_type", "actor_country", "cluster_id"} <= set(table.column_names)


def test_export_parquet_later_batches_may_fill_null_columns(db: str, tmp_path: Path) -> None:
    pq = pytest.importorskip("pyarrow.parquet")
    out = tmp_path / "events.parquet"
    with store.opened(db) as engine:
        count = export.write_parquet(store.read_events(engine), str(out), batch=1)
    assert pq.read_table(out).num_rows == count


def test_export_parquet_without_output_is_a_usage_error(db: str) -> None:
    result = CliRunner().invoke(cli, ["export", "--db", db, "--format", "parquet"])
    assert result.exit_code == 2
    assert "--output" in result.output


def test_export_gdelt_rows(db: str) -> None:
    records = {export.gdelt_row(r, "")[0]: r for r in _records(db)}  # GLOBALEVENTID -> record
    lines = _export(db, "--format", "gdelt").stdout.splitlines()
    assert len(lines) == len(records)
    assert not lines[0].startswith("GLOBALEVENTID")  # no header, as GDELT's own files
    for line in lines:
        cols = line.split("\t")
        assert len(cols) == len(export.GDELT_COLUMNS) == 61
        record = records[cols[GDELT["GLOBALEVENTID"]]]
        code = cols[GDELT["EventCode"]]
        assert code == record["cameo"]
        assert cols[GDELT["EventRootCode"]] == code[:2]
        assert cols[GDELT["EventBaseCode"]] == code[:3]
        assert re.fullmatch(r"\d{8}", cols[GDELT["SQLDATE"]])
        assert date.fromisoformat(record["date"]).strftime("%Y%m%d") == cols[GDELT["SQLDATE"]]
        assert cols[GDELT["MonthYear"]] == cols[GDELT["SQLDATE"]][:6]
        assert cols[GDELT["QuadClass"]] in {"1", "2", "3", "4"}
        assert -10 <= float(cols[GDELT["GoldsteinScale"]]) <= 10
        assert int(cols[GDELT["NumMentions"]]) >= int(cols[GDELT["NumSources"]]) >= 1
        assert re.fullmatch(r"\d{14}", cols[GDELT["DATEADDED"]])
    places = {
        line.split("\t")[GDELT["ActionGeo_FullName"]].split(",")[0]: line.split("\t")[GDELT["ActionGeo_CountryCode"]]
        for line in lines
    }
    assert places["Moscow"] == "RS"  # FIPS 10-4, not ISO (RUS)
    assert places["Kharkiv"] == "UP"


def test_export_gdelt_actor_codes(db: str) -> None:
    lines = [line.split("\t") for line in _export(db, "--format", "gdelt", "--dyad", "RUS-CHN").stdout.splitlines()]
    assert lines
    for cols in lines:
        assert cols[GDELT["Actor1CountryCode"]] == "RUS" and cols[GDELT["Actor2CountryCode"]] == "CHN"
        assert cols[GDELT["Actor1Code"]].startswith("RUS")
        assert cols[GDELT["Actor1Name"]] == cols[GDELT["Actor1Name"]].upper()


def test_export_polecat_has_header_and_one_row_per_event(db: str) -> None:
    rows = list(csv.reader(io.StringIO(_export(db, "--format", "polecat").stdout), delimiter="\t"))
    assert tuple(rows[0]) == export.POLECAT_COLUMNS
    records = _records(db)
    assert len(rows) - 1 == len(records)
    assert all(len(row) == len(export.POLECAT_COLUMNS) for row in rows)
    table = [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]
    assert [r["Event ID"] for r in table] == [r["id"] for r in records]
    assert [r["Event Type"] for r in table] == [r["event_type"] for r in records]
    assert {r["Source"] for r in table} == {"Alpha Wire", "Beta Times", "Gamma News"}


def _actor(record: dict[str, Any], role: str) -> str | None:
    return (record[role] or {}).get("country")


@pytest.mark.parametrize(
    ("args", "keep"),
    [
        (["--dyad", "RUS-UKR"], lambda r: (_actor(r, "actor"), _actor(r, "recipient")) == ("RUS", "UKR")),
        (["--type", "ASSAULT"], lambda r: r["event_type"] == "ASSAULT"),
        (["--type", "sanction", "--type", "ACCUSE"], lambda r: r["event_type"] in ("SANCTION", "ACCUSE")),
        (["--since", "2024-03-10"], lambda r: r["date"] >= "2024-03-10"),
        (["--until", "2024-03-06"], lambda r: r["date"] <= "2024-03-06"),
        (["--actor", "RUS"], lambda r: _actor(r, "actor") == "RUS"),
        (["--recipient", "IRN"], lambda r: _actor(r, "recipient") == "IRN"),
    ],
)
@pytest.mark.parametrize("fmt", ["jsonl", "gdelt"])
def test_export_filters_narrow_the_output(db: str, args: list[str], keep: Any, fmt: str) -> None:
    everything = _records(db)
    wanted = [r for r in everything if keep(r)]
    assert 0 < len(wanted) < len(everything)
    if fmt == "jsonl":
        assert [r["id"] for r in _records(db, *args)] == [r["id"] for r in wanted]
    else:
        lines = _export(db, "--format", fmt, *args).stdout.splitlines()
        assert [line.split("\t")[0] for line in lines] == [export.gdelt_row(r, "")[0] for r in wanted]


@pytest.mark.parametrize("args", [["--dyad", "RUSUKR"], ["--since", "March"], ["--format", "xml"]])
def test_export_bad_options_are_usage_errors(db: str, args: list[str]) -> None:
    assert CliRunner().invoke(cli, ["export", "--db", db, *args]).exit_code == 2


def test_export_to_dataframe(db: str) -> None:
    pd = pytest.importorskip("pandas")
    frame = export.to_dataframe(db, actor="RUS")
    assert isinstance(frame, pd.DataFrame)
    assert len(frame) == sum(1 for r in _records(db) if _actor(r, "actor") == "RUS") > 0
    assert set(frame["actor_country"]) == {"RUS"}
    assert {"id", "event_type", "recipient_country", "num_mentions"} <= set(frame.columns)
    assaults = [r for r in _records(db) if _actor(r, "actor") == "RUS" and r["event_type"] == "ASSAULT"]
    assert assaults
    frame = export.to_dataframe(db, actor="RUS", types=("ASSAULT",))
    assert frame["event_type"].tolist() == ["ASSAULT"] * len(assaults)


def test_export_write_refuses_unknown_formats() -> None:
    from tocsin.errors import ConfigError

    for fmt in ("parquet", "xml"):
        with pytest.raises(ConfigError):
            export.write([], fmt, io.StringIO())


UNDATED = {"id": "u1", "publisher": "Delta Daily",
           "text": "Russian troops attacked Ukrainian forces near Kharkiv, officials in Kyiv said."}  # fmt: skip


@pytest.fixture
def mixed_db(tmp_path: Path, story_dir: Path, write_jsonl: Any) -> str:
    """The three stories plus one with no publication date (so its events have no date)."""
    path = str(tmp_path / "mixed.db")
    assert run([story_dir, write_jsonl("undated.jsonl", [UNDATED])], Settings(db=path)).ok == 4
    return path


def test_export_every_format_loads_with_pandas_and_its_types(mixed_db: str, tmp_path: Path) -> None:
    pd = pytest.importorskip("pandas")
    pytest.importorskip("pyarrow")
    records = _records(mixed_db)
    undated = [r for r in records if r["date"] is None]
    assert undated and all(r["date_precision"] is None for r in undated)
    assert {r["date_precision"] for r in records if r["date"]} <= {"day", "week", "month", "season", "year", "fallback"}

    jsonl = pd.read_json(io.StringIO(_export(mixed_db, "--format", "jsonl").stdout), lines=True)
    assert len(jsonl) == len(records) and jsonl["num_sources"].dtype.kind == "i"
    table = pd.read_csv(io.StringIO(_export(mixed_db, "--format", "csv").stdout), parse_dates=["date", "pub_date"])
    assert len(table) == len(records)
    assert table["date"].dtype.kind == "M" and table["intensity"].dtype.kind == "f"
    assert table["quad_class"].dtype.kind == "i" and table["cluster_id"].dtype.kind == "i"
    assert table["date"].isna().sum() == len(undated)
    _export(mixed_db, "--format", "parquet", "--output", str(tmp_path / "events.parquet"))
    parquet = pd.read_parquet(tmp_path / "events.parquet")
    assert len(parquet) == len(records) and parquet["quote"].dtype == bool and parquet["well_formed"].dtype == bool
    assert parquet["num_mentions"].dtype.kind == "i" and parquet["place_lat"].dtype.kind == "f"

    result = _export(mixed_db, "--format", "gdelt")
    assert f"{len(undated)} events with no date left out" in result.stderr
    gdelt = pd.read_csv(io.StringIO(result.stdout), sep="\t", header=None, names=list(export.GDELT_COLUMNS))
    assert len(gdelt) == len(records) - len(undated)
    assert gdelt["SQLDATE"].dtype.kind == "i" and gdelt["GLOBALEVENTID"].dtype.kind == "i"  # every row has a date
    assert gdelt["MonthYear"].dtype.kind == "i" and gdelt["Year"].dtype.kind == "i"
    assert gdelt["FractionDate"].dtype.kind == "f" and gdelt["GoldsteinScale"].dtype.kind == "f"
    assert gdelt["AvgTone"].isna().all()  # not computed: empty, documented
    assert gdelt["DATEADDED"].dtype.kind == "i"
    with store.opened(mixed_db) as engine:
        stored = {
            r["stored_at"][:19].replace("-", "").replace(":", "").replace("T", "") for r in store.read_events(engine)
        }
    assert set(gdelt["DATEADDED"].astype(str)) <= stored  # when the event was stored, not the export's clock

    polecat = pd.read_csv(io.StringIO(_export(mixed_db, "--format", "polecat").stdout), sep="\t")
    assert list(polecat.columns) == list(export.POLECAT_COLUMNS) and len(polecat) == len(records)
    assert polecat["Source"].notna().all()
    assert set(polecat["Source"]) == {"Alpha Wire", "Beta Times", "Gamma News", "Delta Daily"}
    assert set(polecat["Date Precision"].dropna()) <= {"day", "week", "month", "season", "year", "fallback"}
    assert pd.to_datetime(polecat["Event Date"]).dtype.kind == "M"

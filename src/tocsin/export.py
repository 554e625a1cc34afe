"""Exports of stored events: JSONL, CSV, Parquet, GDELT 2.0 and POLECAT-style.

* ``jsonl`` — the SCHEMA.md record of each event, plus its cluster's counts
  (``cluster_id``, ``num_mentions``, ``num_stories``, ``num_sources``,
  ``first_seen``, ``last_seen``) and the story's ``duplicate_of`` and ``url``.
* ``csv`` — the same, flattened (``actor_country``, ``place_lat``...), one header.
* ``parquet`` — the CSV columns in a Parquet file (``pip install 'tocsin[parquet]'``).
* ``gdelt`` — the 61 tab-separated columns of the GDELT 2.0 event table, in
  GDELT's order and without a header, as GDELT's own files are: CAMEO EventCode,
  BaseCode and RootCode, GDELT's QuadClass for the code, GoldsteinScale,
  NumMentions/NumSources/NumArticles from the event cluster (a syndicated copy
  counts once), ActionGeo fields with FIPS 10-4 country codes, SOURCEURL.
  Actor codes are CAMEO-style: country then sector ("RUSGOV"); international
  organisations go in KnownGroupCode. SQLDATE is the event's date (a year- or
  month-precise date is its period's first day; an event with no date said has
  its story's publication date); events with no date at all (stories without a
  publication date) are left out, as GDELT has no undated rows. DATEADDED is when
  the event was stored (UTC). Fields tocsin does not compute are empty: AvgTone,
  the Ethnic, Religion and Actor Geo fields, and the Geo ADM codes and FeatureIDs.
* ``polecat`` — tab-separated with POLECAT's column names (Event ID, Event Date,
  Event Type, Event Mode, Quad Code, Actor Name, Actor Country, Primary Actor
  Sector, ...), plus tocsin's Polarity, Modality, Asserted By and Date Precision.
  ``Source`` is the story's outlet: its publisher, else its URL's host, else the
  file it was read from.
"""

from __future__ import annotations

import csv
import functools
import hashlib
import io
import json
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, date, datetime
from importlib import resources
from typing import IO, Any

from .errors import ConfigError
from .ontology import load_ontology
from .records import flatten
from .store import Filters, opened, read_events

FORMATS = ("jsonl", "csv", "parquet", "gdelt", "polecat")

GDELT_COLUMNS = (
    "GLOBALEVENTID SQLDATE MonthYear Year FractionDate "
    "Actor1Code Actor1Name Actor1CountryCode Actor1KnownGroupCode Actor1EthnicCode Actor1Religion1Code "
    "Actor1Religion2Code Actor1Type1Code Actor1Type2Code Actor1Type3Code "
    "Actor2Code Actor2Name Actor2CountryCode Actor2KnownGroupCode Actor2EthnicCode Actor2Religion1Code "
    "Actor2Religion2Code Actor2Type1Code Actor2Type2Code Actor2Type3Code "
    "IsRootEvent EventCode EventBaseCode EventRootCode QuadClass GoldsteinScale NumMentions NumSources NumArticles "
    "AvgTone Actor1Geo_Type Actor1Geo_FullName Actor1Geo_CountryCode Actor1Geo_ADM1Code Actor1Geo_ADM2Code "
    "Actor1Geo_Lat Actor1Geo_Long Actor1Geo_FeatureID Actor2Geo_Type Actor2Geo_FullName Actor2Geo_CountryCode "
    "Actor2Geo_ADM1Code Actor2Geo_ADM2Code Actor2Geo_Lat Actor2Geo_Long Actor2Geo_FeatureID ActionGeo_Type "
    "ActionGeo_FullName ActionGeo_CountryCode ActionGeo_ADM1Code ActionGeo_ADM2Code ActionGeo_Lat ActionGeo_Long "
    "ActionGeo_FeatureID DATEADDED SOURCEURL"
).split()

POLECAT_COLUMNS = (
    "Event ID", "Event Date", "Event Type", "Event Mode", "Event Intensity", "Quad Code", "Contexts",
    "Actor Name", "Actor Country", "Primary Actor Sector", "Actor Sectors", "Actor Name Raw", "Actor KB ID",
    "Recipient Name", "Recipient Country", "Primary Recipient Sector", "Recipient Sectors", "Recipient Name Raw",
    "Recipient KB ID", "Placename", "Country", "Latitude", "Longitude", "Raw Placename", "Story ID",
    "Publication Date", "Source", "Polarity", "Modality", "Asserted By", "Num Sources", "Version",
    "Date Precision",
)  # fmt: skip

_ARROW_TYPES: dict[str, Any] = {}  # Parquet column types that are not strings, filled on first use
_CLUSTER = (
    "cluster_id",
    "num_mentions",
    "num_stories",
    "num_sources",
    "first_seen",
    "last_seen",
    "duplicate_of",
    "url",
    "outlet",
    "well_formed",
    "stored_at",
)


@functools.cache
def _fips() -> dict[str, str]:
    text = (resources.files("tocsin") / "data" / "kb" / "fips.csv").read_text(encoding="utf-8")
    return {row["iso3"]: row["fips"] for row in csv.DictReader(io.StringIO(text)) if row["fips"]}


@functools.cache
def _igo_codes() -> frozenset[str]:
    from .kb import load_kb

    kb = load_kb()
    return frozenset(e.country for entries in kb.names.values() for e in entries if e.kind == "igo" and e.country)


def _event_id(record: dict[str, Any]) -> int:
    """A stable integer id for GDELT's GLOBALEVENTID column."""
    return int(hashlib.sha256(record["id"].encode()).hexdigest()[:12], 16)


def _actor_columns(actor: dict[str, Any] | None) -> list[str]:
    if not actor:
        return [""] * 10
    country = actor.get("country") or ""
    group = country if country in _igo_codes() else ""
    country = "" if group else country
    sectors = (actor.get("sector") or [])[:3]
    code = (group or country) + "".join(sectors)
    name = (actor.get("name") or actor.get("text") or "").upper()
    return [code, name, country, group, "", "", "", *[*sectors, "", "", ""][:3]]


def gdelt_row(record: dict[str, Any], added: str = "") -> list[str]:
    """One event as the 61 columns of GDELT's event table. DATEADDED is the time the
    event was stored (``stored_at``), else ``added``."""
    stored = record.get("stored_at")
    if stored:
        added = datetime.fromisoformat(stored).strftime("%Y%m%d%H%M%S")
    day = date.fromisoformat(record["date"]) if record.get("date") else None
    cameo = record.get("cameo") or ""
    ontology = load_ontology()
    quad = ontology.cameo[cameo].quad_class if cameo in ontology.cameo else record.get("quad_class")
    place = record.get("place") or {}
    geo_type = "0"
    if place.get("lat") is not None:
        geo_type = "4"  # a point: a city or named place
    elif place.get("country"):
        geo_type = "1"  # a country
    fips = _fips().get(place.get("country") or "", "")
    full = ", ".join(x for x in (place.get("name"), place.get("country")) if x)
    return [
        str(_event_id(record)),
        day.strftime("%Y%m%d") if day else "",
        day.strftime("%Y%m") if day else "",
        str(day.year) if day else "",
        f"{day.year + (day.timetuple().tm_yday - 1) / 365:.4f}" if day else "",
        *_actor_columns(record.get("actor")),
        *_actor_columns(record.get("recipient")),
        "1" if record.get("sentence_id") == 0 else "0",
        cameo,
        cameo[:3],
        cameo[:2],
        str(quad or ""),
        f"{record.get('intensity') or 0:.1f}",
        str(record.get("num_mentions") or 1),
        str(record.get("num_sources") or 1),
        str(record.get("num_stories") or 1),
        "",  # AvgTone: not computed
        "0", "", "", "", "", "", "", "",
        "0", "", "", "", "", "", "", "",
        geo_type, full, fips, "", "",
        "" if place.get("lat") is None else f"{place['lat']:.4f}",
        "" if place.get("lon") is None else f"{place['lon']:.4f}",
        "",
        added,
        record.get("url") or record.get("story_id") or "",
    ]  # fmt: skip


def polecat_row(record: dict[str, Any]) -> list[str]:
    """One event with POLECAT's column names (see :data:`POLECAT_COLUMNS`)."""

    def actor(a: dict[str, Any] | None) -> list[str]:
        if not a:
            return [""] * 6
        sectors = a.get("sector") or []
        return [a.get("name") or a.get("text") or "", a.get("country") or "", sectors[0] if sectors else "",
                ";".join(sectors), a.get("text") or "", a.get("kb_id") or ""]  # fmt: skip

    place = record.get("place") or {}
    asserted = record.get("asserted_by") or {}
    values = [
        record["id"], record.get("date") or "", record["event_type"], record.get("mode") or "",
        record.get("intensity") if record.get("intensity") is not None else "", record.get("quad_class") or "",
        ";".join(record.get("context") or []), *actor(record.get("actor")), *actor(record.get("recipient")),
        place.get("name") or "", place.get("country") or "", place.get("lat") if place.get("lat") is not None else "",
        place.get("lon") if place.get("lon") is not None else "", place.get("name") or "", record["story_id"],
        record.get("pub_date") or "", record.get("outlet") or record.get("publisher") or "",
        record.get("polarity") or "", record.get("modality") or "",
        asserted.get("country") or asserted.get("text") or "",
        record.get("num_sources") or 1, record.get("coder") or "", record.get("date_precision") or "",
    ]  # fmt: skip
    return [str(v) for v in values]


def rows(records: Iterable[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    """Flat rows (the CSV and Parquet columns) for stored event records."""
    for record in records:
        extra = {k: record.get(k) for k in _CLUSTER}
        core = {k: v for k, v in record.items() if k not in _CLUSTER and k != "publisher"}
        yield {**flatten(core), **extra}


def write(
    records: Iterable[dict[str, Any]], fmt: str, out: IO[str], on_skip: Callable[[dict[str, Any]], object] | None = None
) -> int:
    """Write records in a text format (jsonl, csv, gdelt, polecat); return the count written.

    ``gdelt`` leaves out events with no date (GDELT has none); ``on_skip`` sees each.

    Raises:
        ConfigError: an unknown format, or parquet (which needs a file: use :func:`write_parquet`).
    """
    count = 0
    if fmt == "jsonl":
        for record in records:
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
            count += 1
    elif fmt == "csv":
        writer: Any = None
        for row in rows(records):
            if writer is None:
                writer = csv.DictWriter(out, fieldnames=list(row))
                writer.writeheader()
            writer.writerow(row)
            count += 1
    elif fmt in ("gdelt", "polecat"):
        writer = csv.writer(out, delimiter="\t", lineterminator="\n")
        if fmt == "polecat":
            writer.writerow(POLECAT_COLUMNS)
        added = datetime.now(UTC).strftime("%Y%m%d%H%M%S")
        for record in records:
            if fmt == "gdelt" and not record.get("date"):
                if on_skip:
                    on_skip(record)
                continue
            writer.writerow(gdelt_row(record, added) if fmt == "gdelt" else polecat_row(record))
            count += 1
    elif fmt == "parquet":
        raise ConfigError("parquet is a binary format: give an output file (--output events.parquet)")
    else:
        raise ConfigError(f"unknown export format {fmt!r}: use one of {', '.join(FORMATS)}")
    return count


def write_parquet(records: Iterable[dict[str, Any]], path: str, batch: int = 10_000) -> int:
    """Write records as Parquet, in row groups of ``batch`` (bounded memory); return the count.

    Raises:
        ConfigError: pyarrow is not installed (``pip install 'tocsin[parquet]'``).
    """
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError as exc:
        raise ConfigError("Parquet export needs `pip install 'tocsin[parquet]'`") from exc
    numbers = ("intensity", "confidence", "actor_confidence", "recipient_confidence", "place_lat", "place_lon")
    integers = ("sentence_id", "quad_class", "cluster_id", "num_mentions", "num_stories", "num_sources")
    _ARROW_TYPES.update({k: pa.float64() for k in numbers} | {k: pa.int64() for k in integers})
    _ARROW_TYPES["quote"] = _ARROW_TYPES["well_formed"] = pa.bool_()
    writer = None
    count = 0
    chunk: list[dict[str, Any]] = []

    def flush() -> None:
        nonlocal writer
        # a fixed schema, not one inferred from the first rows: a column empty there may fill later
        schema = writer.schema if writer else pa.schema([(k, _ARROW_TYPES.get(k, pa.string())) for k in chunk[0]])
        table = pa.Table.from_pylist(chunk, schema=schema)
        if writer is None:
            writer = pq.ParquetWriter(path, schema)
        writer.write_table(table)
        chunk.clear()

    for row in rows(records):
        chunk.append({k: (json.dumps(v) if isinstance(v, list) else v) for k, v in row.items()})
        count += 1
        if len(chunk) >= batch:
            flush()
    if chunk:
        flush()
    if writer is not None:
        writer.close()
    return count


def to_dataframe(db: str = "tocsin.db", **filters: Any) -> Any:
    """Stored events as a pandas DataFrame, one flat row per event.

    Example:
        >>> frame = to_dataframe("tocsin.db", actor="RUS", types=("ASSAULT",))

    Filters are those of :class:`tocsin.store.Filters` (since, until, actor,
    recipient, dyad, types, limit). Raises ConfigError without pandas.
    """
    try:
        import pandas as pd
    except ImportError as exc:
        raise ConfigError("to_dataframe needs pandas: `pip install 'tocsin[parquet]'`") from exc
    with opened(db) as engine:
        return pd.DataFrame(list(rows(read_events(engine, Filters(**filters)))))

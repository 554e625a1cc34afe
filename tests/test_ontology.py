from __future__ import annotations

from importlib import resources

import pytest
import yaml

from tocsin.errors import ConfigError
from tocsin.ontology import load_ontology
from tocsin.patterns import load_patterns

# The SCHEMA.md table: type → quad class.
QUADS = {
    "AGREE": 1,
    "CONSULT": 1,
    "SUPPORT": 1,
    "CONCEDE": 1,
    "COOPERATE": 2,
    "AID": 2,
    "RETREAT": 2,
    "REQUEST": 3,
    "ACCUSE": 3,
    "REJECT": 3,
    "THREATEN": 3,
    "PROTEST": 4,
    "SANCTION": 4,
    "MOBILIZE": 4,
    "COERCE": 4,
    "ASSAULT": 4,
}


def _shipped_files() -> list[tuple[str, dict[str, list[dict[str, object]]]]]:
    """(name, parsed YAML) of patterns.yaml and every file in lexicon/."""
    data = resources.files("tocsin") / "data"
    files = [data / "patterns.yaml"]
    files += sorted((f for f in (data / "lexicon").iterdir() if f.name.endswith(".yaml")), key=lambda f: f.name)
    return [(f.name, yaml.safe_load(f.read_text(encoding="utf-8"))) for f in files]


def _shipped_phrases() -> list[tuple[str, str, str]]:
    """(type, kind, phrase) for every phrase written in patterns.yaml and lexicon/ (any kind)."""
    return [
        (event_type, kind, str(phrase).lower())
        for _, data in _shipped_files()
        for event_type, entries in data.items()
        for entry in entries
        for kind in ("verbs", "nouns", "judgments", "feelings")
        for phrase in entry.get(kind) or []  # type: ignore[attr-defined]
    ]


def test_ontology_has_the_16_plover_types() -> None:
    assert set(load_ontology().types) == set(QUADS)


@pytest.mark.parametrize(("event_type", "quad"), QUADS.items())
def test_ontology_type_has_schema_quad_class(event_type: str, quad: int) -> None:
    assert load_ontology().types[event_type][0] == quad


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("DEMAND", "REQUEST"),
        ("DISAPPROVE", "ACCUSE"),
        ("INVESTIGATE", "ACCUSE"),
        ("FIGHT", "ASSAULT"),
        ("ASSAULT", "ASSAULT"),
        (" assault ", "ASSAULT"),
        ("demand", "REQUEST"),
    ],
)
def test_ontology_canonical_maps_names_to_current_types(name: str, expected: str) -> None:
    assert load_ontology().canonical(name) == expected


@pytest.mark.parametrize("name", ["BOGUS", "", "ATTACK"])
def test_ontology_canonical_rejects_unknown_name(name: str) -> None:
    with pytest.raises(ConfigError, match="not a PLOVER event type"):
        load_ontology().canonical(name)


@pytest.mark.parametrize("event_type", QUADS)
def test_ontology_type_cameo_code_exists(event_type: str) -> None:
    ontology = load_ontology()
    assert ontology.types[event_type][1] in ontology.cameo


def test_ontology_every_mode_cameo_code_exists() -> None:
    ontology = load_ontology()
    assert {mode: code for mode, code in ontology.modes.items() if code not in ontology.cameo} == {}


def test_ontology_every_mode_belongs_to_a_type() -> None:
    ontology = load_ontology()
    assert {t for t, _ in ontology.modes} <= set(ontology.types)


@pytest.mark.parametrize(("code", "sign"), [("18", -1), ("057", 1)])
def test_ontology_intensity_sign(code: str, sign: int) -> None:
    assert load_ontology().intensity(code) * sign > 0


@pytest.mark.parametrize(("code", "parent"), [("1899", "18"), ("0579", "057")])
def test_ontology_intensity_of_unknown_code_is_its_parents(code: str, parent: str) -> None:
    ontology = load_ontology()
    assert code not in ontology.cameo
    assert ontology.intensity(code) == ontology.intensity(parent)


@pytest.mark.parametrize(("event_type", "quad"), QUADS.items())
def test_ontology_type_intensity_sign_follows_quad_class(event_type: str, quad: int) -> None:
    ontology = load_ontology()
    intensity = ontology.intensity(ontology.types[event_type][1])
    assert intensity > 0 if quad <= 2 else intensity < 0


# --- the shipped patterns ------------------------------------------------------------


def test_ontology_shipped_patterns_load() -> None:
    patterns = load_patterns()
    assert patterns.verbs and patterns.nouns


def test_ontology_every_type_has_a_pattern() -> None:
    patterns = load_patterns()
    found = {p.event_type for ps in patterns.verbs.values() for p in ps} | {
        p.event_type for p in patterns.nouns.values()
    }
    assert found == set(QUADS)


def test_ontology_every_pattern_is_valid_coding() -> None:
    ontology = load_ontology()
    patterns = load_patterns()
    loaded = [p for ps in [*patterns.verbs.values(), *patterns.predicates.values()] for p in ps]
    loaded += list(patterns.nouns.values())
    bad = [
        p.phrase
        for p in loaded
        if p.cameo not in ontology.cameo
        or (p.mode is not None and (p.event_type, p.mode) not in ontology.modes)
        or not set(p.context) <= ontology.contexts
    ]
    assert bad == []


def test_ontology_every_shipped_phrase_is_loaded() -> None:
    patterns = load_patterns()
    verbs = {p.phrase.lower() for ps in patterns.verbs.values() for p in ps}
    predicates = {p.phrase for ps in patterns.predicates.values() for p in ps}
    loaded = {"verbs": verbs, "nouns": set(patterns.nouns), "judgments": predicates, "feelings": predicates}
    assert [phrase for _, kind, phrase in _shipped_phrases() if phrase not in loaded[kind]] == []


def test_ontology_no_phrase_is_listed_under_two_types() -> None:
    owners: dict[tuple[str, str], set[str]] = {}
    for event_type, kind, phrase in _shipped_phrases():
        owners.setdefault((kind, phrase), set()).add(event_type)
    assert {k: v for k, v in owners.items() if len(v) > 1} == {}


def test_ontology_every_lexicon_cameo_code_maps_to_its_type() -> None:
    # patterns.yaml keeps a few codes CAMEO leaves unmapped (SUPPORT 018), so only lexicon/ is held to this
    ontology = load_ontology()
    bad = []
    for name, data in _shipped_files():
        if name == "patterns.yaml":
            continue
        for event_type, entries in data.items():
            for entry in entries:
                mode = entry.get("mode")  # type: ignore[attr-defined]
                code = str(entry.get("cameo") or ontology.code_for(event_type, mode))  # type: ignore[attr-defined]
                if ontology.cameo[code].plover_type != event_type:
                    bad.append((name, event_type, code))
    assert bad == []

"""The event ontology: PLOVER types, modes and contexts, and CAMEO codes, read from ``data/ontology``.

``plover.csv`` lists the 16 PLOVER types (a row with an empty mode), their modes
and the PLOVER contexts (type ``CONTEXT``); ``cameo.csv`` lists CAMEO codes with
GDELT's quad class, a Goldstein-style intensity and the PLOVER type and mode each
maps to. Older PLOVER spellings are accepted wherever a type name is read.
"""

from __future__ import annotations

import csv
import functools
import io
from dataclasses import dataclass, field
from importlib import resources

from .errors import ConfigError

#: Older PLOVER names and the current type they mean.
TYPE_ALIASES = {"DEMAND": "REQUEST", "DISAPPROVE": "ACCUSE", "INVESTIGATE": "ACCUSE", "FIGHT": "ASSAULT"}


@dataclass(frozen=True, slots=True)
class Cameo:
    """One CAMEO code with its quad class, intensity and PLOVER mapping."""

    code: str
    name: str
    quad_class: int
    goldstein: float
    plover_type: str | None
    plover_mode: str | None


@dataclass(frozen=True)
class Ontology:
    """PLOVER types → quad class and default CAMEO; (type, mode) → CAMEO; contexts; CAMEO table."""

    types: dict[str, tuple[int, str]] = field(default_factory=dict)
    modes: dict[tuple[str, str], str] = field(default_factory=dict)
    contexts: frozenset[str] = frozenset()
    cameo: dict[str, Cameo] = field(default_factory=dict)

    def canonical(self, name: str) -> str:
        """The current PLOVER type for a name, old spellings included.

        Raises:
            ConfigError: the name is not a PLOVER type.
        """
        upper = TYPE_ALIASES.get(name.strip().upper(), name.strip().upper())
        if upper not in self.types:
            raise ConfigError(f"{name!r} is not a PLOVER event type ({', '.join(sorted(self.types))})")
        return upper

    def code_for(self, event_type: str, mode: str | None) -> str:
        """The nearest CAMEO code for a type and mode."""
        if mode and (event_type, mode) in self.modes:
            return self.modes[(event_type, mode)]
        return self.types[event_type][1]

    def intensity(self, code: str) -> float:
        """Goldstein-style intensity of a CAMEO code (its parent's when it has none)."""
        while code and code not in self.cameo:
            code = code[:-1]
        return self.cameo[code].goldstein if code else 0.0


@functools.cache
def load_ontology() -> Ontology:
    """Read and check the ontology tables once per process."""
    folder = resources.files("tocsin") / "data" / "ontology"
    types: dict[str, tuple[int, str]] = {}
    modes: dict[tuple[str, str], str] = {}
    contexts = set()
    with io.StringIO((folder / "plover.csv").read_text(encoding="utf-8")) as handle:
        for row in csv.DictReader(handle):
            if row["type"] == "CONTEXT":
                contexts.add(row["mode"])
            elif not row["mode"]:
                types[row["type"]] = (int(row["quad_class"]), row["cameo"])
            else:
                modes[(row["type"], row["mode"])] = row["cameo"]
    cameo = {}
    with io.StringIO((folder / "cameo.csv").read_text(encoding="utf-8")) as handle:
        for number, row in enumerate(csv.DictReader(handle), start=2):
            try:
                cameo[row["code"]] = Cameo(
                    row["code"],
                    row["name"],
                    int(row["quad_class"]),
                    float(row["goldstein"]),
                    row["plover_type"] or None,
                    row["plover_mode"] or None,
                )
            except (KeyError, ValueError) as exc:
                raise ConfigError(f"cameo.csv:{number}: {exc}") from exc
    if len(types) != 16:
        raise ConfigError(f"plover.csv defines {len(types)} event types, not 16")
    return Ontology(types=types, modes=modes, contexts=frozenset(contexts), cameo=cameo)

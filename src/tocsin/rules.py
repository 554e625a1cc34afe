"""Alert rules for ``tocsin watch``: a YAML file of named rules, validated on load.

A rule matches single events (dyad, actor, recipient, type, quad class, modality,
polarity), or one of four aggregates over the store, filtered the same way::

    rules:
      - name: russian-force
        when: {actor: RUS, type: [ASSAULT, THREATEN, MOBILIZE]}
        severity: high
        cooldown: 1h
      - name: disputed-claims
        when: {dispute: true}
    webhooks:
      - url: http://127.0.0.1:9000/hook
        timeout: 10s
        retries: 3

Every key is documented in the README. :func:`load_rules` raises
:class:`~tocsin.errors.ConfigError` naming the file, the line and the field of the
first mistake. :func:`matches` tests one event; :func:`findings` evaluates the
aggregate rules over the signal frame (:func:`tocsin.signals.load_events`), through
the public functions of :mod:`tocsin.signals` only.
"""

from __future__ import annotations

import dataclasses
import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .errors import ConfigError
from .ontology import load_ontology

SEVERITIES = ("low", "medium", "high", "critical")
MODALITIES = ("actual", "claimed", "intended", "demanded", "conditional", "hypothetical", "denied")
POLARITIES = ("affirmed", "negated")
#: The aggregate conditions, at most one per rule.
AGGREGATES = ("dispute", "corroborated", "count_alert", "say_do_gap")
FILTERS = ("actor", "recipient", "dyad", "type", "quad_class", "modality", "polarity")
RULE_KEYS = ("name", "when", "severity", "cooldown")
WEBHOOK_KEYS = ("url", "timeout", "retries", "severity")
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


@dataclass(frozen=True, slots=True, kw_only=True)
class Rule:
    """One alert rule.

    Fields:
        name: unique name, given in every alert it raises.
        severity: low, medium, high or critical.
        cooldown: seconds after an alert during which the rule raises no other (they are kept, not sent).
        actors, recipients: codes or knowledge-base ids, any of which matches (empty: any).
        dyad: (actor, recipient), codes or kb ids, or None.
        types, quad_classes, modalities, polarities: allowed values (empty: any).
        aggregate: None for an event rule, else one of :data:`AGGREGATES`.
        threshold: the N of ``corroborated`` or the gap of ``say_do_gap``.
        options: settings for the count model (``count_alert``), as :class:`tocsin.signals.AlertSettings` fields.
        line: where the rule starts in its file.
    """

    name: str
    severity: str = "medium"
    cooldown: float = 0.0
    actors: tuple[str, ...] = ()
    recipients: tuple[str, ...] = ()
    dyad: tuple[str, str] | None = None
    types: tuple[str, ...] = ()
    quad_classes: tuple[int, ...] = ()
    modalities: tuple[str, ...] = ()
    polarities: tuple[str, ...] = ()
    aggregate: str | None = None
    threshold: float | None = None
    options: tuple[tuple[str, Any], ...] = ()
    line: int = 0


@dataclass(frozen=True, slots=True, kw_only=True)
class Webhook:
    """Where alerts are POSTed as JSON: ``url``, a ``timeout`` in seconds, ``retries`` after the
    first attempt, and the lowest ``severity`` sent."""

    url: str
    timeout: float = 10.0
    retries: int = 3
    severity: str = "low"


@dataclass(frozen=True, slots=True, kw_only=True)
class RuleSet:
    """A loaded rules file: its rules and webhooks."""

    rules: tuple[Rule, ...] = ()
    webhooks: tuple[Webhook, ...] = ()
    path: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class Finding:
    """What an aggregate rule found: a dispute, a corroborated cluster, a count-model alert or a
    say–do gap crossing. ``key`` identifies it, so it is raised once."""

    rule: Rule
    key: str
    kind: str
    event_ids: tuple[str, ...]
    summary: str
    detail: dict[str, Any] = field(default_factory=dict)


# --- loading ----------------------------------------------------------------------------------


class _Loader(yaml.SafeLoader):
    """Safe YAML that remembers the line of every key of every mapping (``__lines__``)."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        mapping = super().construct_mapping(node, deep=True)
        mapping["__lines__"] = {k.value: k.start_mark.line + 1 for k, _ in node.value if hasattr(k, "value")}
        mapping["__line__"] = node.start_mark.line + 1
        return mapping


class _Where:
    """Builds error messages that name the file, the line and the field."""

    def __init__(self, path: str, mapping: Mapping[str, Any], prefix: str = "", label: str = "") -> None:
        self.path, self.mapping, self.prefix, self.label = path, mapping, prefix, label

    def line(self, key: str | None = None) -> int:
        lines = self.mapping.get("__lines__", {})
        return int(lines.get(key, self.mapping.get("__line__", 1)) if key else self.mapping.get("__line__", 1))

    def error(self, key: str | None, message: str) -> ConfigError:
        name = f"field '{self.prefix}{key}': " if key else ""
        return ConfigError(f"{self.path}:{self.line(key)}: {self.label}{name}{message}")


def _keys(mapping: Mapping[str, Any]) -> list[str]:
    return [k for k in mapping if k not in ("__lines__", "__line__")]


def parse_duration(value: object) -> float:
    """Seconds in ``"10s"``, ``"15m"``, ``"1h30m"``, ``"2d"`` or a plain number of seconds.

    Example:
        >>> parse_duration("1h30m")
        5400.0

    Raises:
        ValueError: the value is not a duration.
    """
    if isinstance(value, bool):
        raise ValueError(f"{value!r} is not a duration")
    if isinstance(value, int | float):
        if value < 0 or not math.isfinite(value):
            raise ValueError(f"{value!r} is not a duration")
        return float(value)
    text = str(value).strip().lower()
    parts = re.findall(r"(\d+(?:\.\d+)?)\s*([smhd])", text)
    if not parts or re.sub(r"(\d+(?:\.\d+)?)\s*([smhd])|\s+", "", text):
        raise ValueError(f"{value!r} is not a duration: use e.g. 30s, 15m, 1h, 1h30m or 2d")
    return float(sum(float(n) * _UNITS[unit] for n, unit in parts))


def _strings(value: Any, where: _Where, key: str) -> tuple[str, ...]:
    values = value if isinstance(value, list) else [value]
    if not values or any(not isinstance(v, str | int) or isinstance(v, bool) or not str(v).strip() for v in values):
        raise where.error(key, "give a code or a list of codes")
    return tuple(str(v).strip() for v in values)


def _choices(value: Any, where: _Where, key: str, allowed: Iterable[str]) -> tuple[str, ...]:
    allowed = tuple(allowed)
    found = tuple(v.lower() for v in _strings(value, where, key))
    for item in found:
        if item not in allowed:
            raise where.error(key, f"{item!r} is not one of {', '.join(allowed)}")
    return found


def _event_filters(when: Mapping[str, Any], where: _Where) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if "actor" in when:
        out["actors"] = _strings(when["actor"], where, "actor")
    if "recipient" in when:
        out["recipients"] = _strings(when["recipient"], where, "recipient")
    if "dyad" in when:
        dyad = when["dyad"]
        if isinstance(dyad, str) and re.fullmatch(r"[A-Za-z]{2,6}-[A-Za-z]{2,6}", dyad.strip()):
            dyad = dyad.strip().upper().split("-")
        if not (isinstance(dyad, list) and len(dyad) == 2 and all(isinstance(d, str) and d.strip() for d in dyad)):
            raise where.error("dyad", "use ACTOR-RECIPIENT codes (RUS-UKR) or a list [actor, recipient] of kb ids")
        out["dyad"] = (dyad[0].strip(), dyad[1].strip())
    if "type" in when:
        ontology = load_ontology()
        try:
            out["types"] = tuple(ontology.canonical(t) for t in _strings(when["type"], where, "type"))
        except ConfigError as exc:
            raise where.error("type", str(exc)) from exc
    if "quad_class" in when:
        raw = when["quad_class"] if isinstance(when["quad_class"], list) else [when["quad_class"]]
        if not raw or any(isinstance(q, bool) or q not in (1, 2, 3, 4) for q in raw):
            raise where.error("quad_class", "use 1 (verbal cooperation) to 4 (material conflict), or a list of them")
        out["quad_classes"] = tuple(int(q) for q in raw)
    if "modality" in when:
        out["modalities"] = _choices(when["modality"], where, "modality", MODALITIES)
    if "polarity" in when:
        out["polarities"] = _choices(when["polarity"], where, "polarity", POLARITIES)
    return out


def _aggregate(when: Mapping[str, Any], where: _Where) -> dict[str, Any]:
    chosen = [k for k in AGGREGATES if k in when]
    if len(chosen) > 1:
        raise where.error(chosen[1], f"a rule has one aggregate condition at most, and this one has {chosen[0]} too")
    if not chosen:
        return {}
    kind, value = chosen[0], when[chosen[0]]
    out: dict[str, Any] = {"aggregate": kind}
    if kind == "dispute" and value is not True:
        raise where.error(kind, "use `dispute: true` (a claim is newly contradicted by a denial)")
    if kind == "corroborated":
        if isinstance(value, bool) or not isinstance(value, int) or value < 2:
            raise where.error(kind, "give the number of independent sources, 2 or more")
        out["threshold"] = float(value)
    if kind == "say_do_gap":
        if isinstance(value, bool) or not isinstance(value, int | float) or not 0 < value <= 2:
            raise where.error(kind, "give the gap to cross, above 0 and at most 2 (e.g. 0.5)")
        out["threshold"] = float(value)
    if kind == "count_alert":
        out["options"] = _count_options(value, where)
    return out


def _count_options(value: Any, where: _Where) -> tuple[tuple[str, Any], ...]:
    """``count_alert: true``, or a mapping of the count model's settings (checked against its fields)."""
    if value is True:
        return ()
    if not isinstance(value, dict):
        raise where.error("count_alert", "use `count_alert: true` or a mapping of the count model's settings")
    from .signals import AlertSettings

    known = {f.name: f for f in dataclasses.fields(AlertSettings)}
    sub = _Where(where.path, value, where.prefix + "count_alert.", where.label)
    options = []
    for key in _keys(value):
        if key not in known:
            raise sub.error(key, f"unknown setting (known: {', '.join(known)})")
        kind = type(known[key].default)
        given = value[key]
        if kind is float and isinstance(given, int) and not isinstance(given, bool):
            given = float(given)
        if not isinstance(given, kind) or isinstance(given, bool) != (kind is bool):
            raise sub.error(key, f"{given!r} is not a {kind.__name__}")
        options.append((key, given))
    return tuple(options)


def _rule(item: Any, path: str, index: int, names: set[str]) -> Rule:
    if not isinstance(item, dict):
        raise ConfigError(f"{path}: rule {index}: every rule must be a mapping with name and when")
    where = _Where(path, item, label=f"rule {item.get('name') or index}: ")
    for key in _keys(item):
        if key not in RULE_KEYS:
            raise where.error(key, f"unknown key (a rule has {', '.join(RULE_KEYS)})")
    name = item.get("name")
    if not isinstance(name, str) or not name.strip():
        raise where.error("name", "every rule needs a name")
    if name in names:
        raise where.error("name", f"a rule named {name!r} comes earlier in the file")
    names.add(name)
    when = item.get("when")
    if not isinstance(when, dict) or not _keys(when):
        raise where.error("when", "give the conditions as a mapping, e.g. {actor: RUS, type: ASSAULT}")
    cond = _Where(path, when, "when.", where.label)
    for key in _keys(when):
        if key not in FILTERS + AGGREGATES:
            raise cond.error(key, f"unknown condition (known: {', '.join(FILTERS + AGGREGATES)})")
    values: dict[str, Any] = {**_event_filters(when, cond), **_aggregate(when, cond)}
    severity = str(item.get("severity", "medium")).lower()
    if severity not in SEVERITIES:
        raise where.error("severity", f"{severity!r} is not one of {', '.join(SEVERITIES)}")
    try:
        cooldown = parse_duration(item.get("cooldown", 0))
    except ValueError as exc:
        raise where.error("cooldown", str(exc)) from exc
    return Rule(name=name.strip(), severity=severity, cooldown=cooldown, line=where.line(), **values)


def _webhook(item: Any, path: str, index: int) -> Webhook:
    if not isinstance(item, dict):
        raise ConfigError(f"{path}: webhook {index}: every webhook must be a mapping with a url")
    where = _Where(path, item, label=f"webhook {index}: ")
    for key in _keys(item):
        if key not in WEBHOOK_KEYS:
            raise where.error(key, f"unknown key (a webhook has {', '.join(WEBHOOK_KEYS)})")
    url = item.get("url")
    if not isinstance(url, str) or not re.match(r"https?://[^\s/]+", url):
        raise where.error("url", "give an http:// or https:// URL")
    try:
        timeout = parse_duration(item.get("timeout", 10))
    except ValueError as exc:
        raise where.error("timeout", str(exc)) from exc
    if timeout <= 0:
        raise where.error("timeout", "must be above zero")
    retries = item.get("retries", 3)
    if isinstance(retries, bool) or not isinstance(retries, int) or not 0 <= retries <= 20:
        raise where.error("retries", "give a whole number from 0 to 20")
    severity = str(item.get("severity", "low")).lower()
    if severity not in SEVERITIES:
        raise where.error("severity", f"{severity!r} is not one of {', '.join(SEVERITIES)}")
    return Webhook(url=url, timeout=timeout, retries=retries, severity=severity)


def load_rules(path: str | Path) -> RuleSet:
    """Read and check a rules file.

    Example:
        >>> rules = load_rules("src/tocsin/data/rules.example.yaml")

    Raises:
        ConfigError: naming the file, line and field of the first mistake.
    """
    name = str(path)
    try:
        data = yaml.load(Path(path).read_text(encoding="utf-8"), Loader=_Loader)
    except OSError as exc:
        raise ConfigError(f"{name}: cannot read the rules file: {exc.strerror}") from exc
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f"{mark.line + 1}" if mark is not None else "1"
        raise ConfigError(f"{name}:{line}: not valid YAML: {getattr(exc, 'problem', None) or exc}") from exc
    if not isinstance(data, dict):
        raise ConfigError(f"{name}:1: a rules file is a mapping with `rules:` (and optionally `webhooks:`)")
    top = _Where(name, data)
    for key in _keys(data):
        if key not in ("rules", "webhooks"):
            raise top.error(key, "unknown key (a rules file has rules and webhooks)")
    rules, hooks = data.get("rules"), data.get("webhooks") or []
    if not isinstance(rules, list) or not rules:
        raise top.error("rules", "give a list of rules")
    if not isinstance(hooks, list):
        raise top.error("webhooks", "give a list of webhooks, each with a url")
    names: set[str] = set()
    return RuleSet(
        rules=tuple(_rule(item, name, i, names) for i, item in enumerate(rules, start=1)),
        webhooks=tuple(_webhook(item, name, i) for i, item in enumerate(hooks, start=1)),
        path=name,
    )


# --- matching ---------------------------------------------------------------------------------


def _is(side: Mapping[str, Any], prefix: str, wanted: tuple[str, ...]) -> bool:
    """An actor (or recipient) is one of ``wanted``: by code (country) or knowledge-base id."""
    have = {str(side.get(f"{prefix}_country") or ""), str(side.get(f"{prefix}_kb_id") or "")} - {""}
    return bool(have & {w.upper() for w in wanted} | have & set(wanted))


def matches(rule: Rule, event: Mapping[str, Any]) -> bool:
    """Whether an event passes a rule's event filters. ``event`` is a flat row with
    ``actor_country``, ``actor_kb_id``, ``recipient_country``, ``recipient_kb_id``,
    ``event_type``, ``quad_class``, ``modality`` and ``polarity`` (a store row or a
    signal-frame row)."""
    if rule.actors and not _is(event, "actor", rule.actors):
        return False
    if rule.recipients and not _is(event, "recipient", rule.recipients):
        return False
    if rule.dyad and not (_is(event, "actor", rule.dyad[:1]) and _is(event, "recipient", rule.dyad[1:])):
        return False
    if rule.types and event.get("event_type") not in rule.types:
        return False
    quad = event.get("quad_class")
    if rule.quad_classes and (quad is None or int(quad) not in rule.quad_classes):
        return False
    if rule.modalities and event.get("modality") not in rule.modalities:
        return False
    return not (rule.polarities and event.get("polarity") not in rule.polarities)


def event_rules(rules: RuleSet) -> list[Rule]:
    """The rules that match single events."""
    return [r for r in rules.rules if r.aggregate is None]


def findings(rules: RuleSet, data: Any, watched: set[str]) -> list[Finding]:
    """What the aggregate rules find in the signal frame ``data``, limited to findings that
    involve an event of one of the ``watched`` story ids (so a watch started on an old store
    does not raise its whole history). Needs ``pip install 'tocsin[signals]'``."""
    chosen = [r for r in rules.rules if r.aggregate]
    if not chosen or data.empty:
        return []
    from . import signals

    rows = {str(r["id"]): r for r in data.to_dict("records")}
    found: list[Finding] = []
    cache: dict[str, Any] = {}
    for rule in chosen:
        if rule.aggregate == "dispute":
            if "dispute" not in cache:
                cache["dispute"] = signals.contradictions(data)
            candidates = _disputes(rule, cache["dispute"], rows)
        elif rule.aggregate == "corroborated":
            if "status" not in cache:
                cache["status"] = signals.cluster_status(data, cache.get("dispute"))
            candidates = _corroborated(rule, cache["status"], data)
        elif rule.aggregate == "count_alert":
            candidates = _count_alerts(rule, signals.alerts(data, signals.AlertSettings(**dict(rule.options))))
        else:
            if "gap" not in cache:
                cache["gap"] = signals.say_do_gap(data)
            candidates = _gap_crossings(rule, cache["gap"], data)
        for finding in candidates:
            involved = [rows[i] for i in finding.event_ids if i in rows]
            if not any(str(r["story_id"]) in watched for r in involved):
                continue
            # a dispute is about its claim; the other aggregates about any of their events
            judged = involved[:1] if finding.kind == "dispute" else involved
            if any(matches(rule, r) for r in judged):
                found.append(finding)
    return found


def _plain(value: Any) -> Any:
    """A JSON-ready value from numpy and pandas scalars (NaN as None, timestamps as ISO dates)."""
    if hasattr(value, "isoformat"):
        return value.isoformat()[:10] if value == value else None
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None if value != value else (1e9 if value > 0 else -1e9)  # JSON has no NaN or infinity
    return round(value, 4) if isinstance(value, float) else value


def _disputes(rule: Rule, found: Any, rows: Mapping[str, Any]) -> list[Finding]:
    out = []
    for cluster, group in found.dropna(subset=["claim_cluster"]).groupby("claim_cluster"):
        first = group.iloc[0]
        ids = (str(first["claim_id"]), *sorted({str(i) for i in group["denial_id"]}))
        deniers = ", ".join(sorted({str(d) for d in group["denial_by"].dropna()})) or "?"
        summary = f"{first['event_type']} by {first['actor']}: claimed by {_plain(first['claim_by']) or 'the outlet'}, "
        summary += f"denied by {deniers}"
        detail = {"cluster_id": int(cluster), "claim": str(first["claim_sentence"]),
                  "denials": [str(s) for s in group["denial_sentence"]]}  # fmt: skip
        out.append(Finding(rule=rule, key=f"{rule.name}|dispute|{int(cluster)}", kind="dispute", event_ids=ids,
                           summary=summary, detail=detail))  # fmt: skip
    return out


def _corroborated(rule: Rule, status: Any, data: Any) -> list[Finding]:
    out = []
    need = int(rule.threshold or 2)
    for row in status[status["num_sources"] >= need].itertuples():
        ids = tuple(sorted(str(i) for i in data.loc[data["cluster_id"] == row.cluster_id, "id"]))
        summary = f"{row.event_type} reported by {int(row.num_sources)} independent sources (cluster {row.cluster_id})"
        detail = {"cluster_id": int(row.cluster_id), "num_sources": int(row.num_sources)}
        out.append(Finding(rule=rule, key=f"{rule.name}|corroborated|{int(row.cluster_id)}|{need}",
                           kind="corroborated", event_ids=ids, summary=summary, detail=detail))  # fmt: skip
    return out


def _count_alerts(rule: Rule, raised: Any) -> list[Finding]:
    out = []
    for row in raised.to_dict("records"):
        period = _plain(row.get("period"))
        ids = row.get("event_ids", row.get("events")) or ()
        detail = {k: _plain(v) for k, v in row.items() if k not in ("events", "event_ids")}
        summary = f"{row['actor']} -> {row['recipient']}: conflict above its baseline in the period from {period}"
        if "expected" in row:
            summary += f" ({_plain(row['observed'])} against {_plain(row['expected'])} expected)"
        out.append(Finding(rule=rule, key=f"{rule.name}|count|{row['actor']}|{row['recipient']}|{period}",
                           kind="count_alert", event_ids=tuple(str(e) for e in ids), summary=summary,
                           detail=detail))  # fmt: skip
    return out


def _gap_crossings(rule: Rule, gap: Any, data: Any) -> list[Finding]:
    """Windows where an actor's say–do gap reaches the threshold (in either direction) after a
    window below it, with the actor's factual events of the 30 days before."""
    out = []
    limit = float(rule.threshold or 0.5)
    labels = data["actor_country"].fillna(data["actor_kb_id"]).fillna(data["actor_name"])
    for actor, series in gap["gap"].groupby(level=0):
        previous = 0.0
        for (_a, day), value in series.items():
            value = float(value)
            if value != value:
                continue
            if abs(value) >= limit > abs(previous):
                window = (labels == actor) & (data["date"] <= day) & (data["date"] > day - _days(30))
                ids = tuple(sorted(str(i) for i in data.loc[window, "id"]))
                when = _plain(day)
                summary = f"{actor}: say–do gap {value:+.2f} in the 30 days to {when} (threshold {limit:g})"
                out.append(Finding(rule=rule, key=f"{rule.name}|say_do|{actor}|{when}", kind="say_do_gap",
                                   event_ids=ids, summary=summary, detail={"actor": actor, "gap": round(value, 4),
                                   "date": when}))  # fmt: skip
            previous = value
    return out


def _days(n: int) -> Any:
    from datetime import timedelta

    return timedelta(days=n)

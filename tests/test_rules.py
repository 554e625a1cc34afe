"""The rules file: loading, errors that name the file, line and field, and matching."""

from __future__ import annotations

from pathlib import Path

import pytest

from tocsin.errors import ConfigError
from tocsin.rules import RuleSet, findings, load_rules, matches, parse_duration

EXAMPLE = Path(__file__).resolve().parents[1] / "src" / "tocsin" / "data" / "rules.example.yaml"


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "rules.yaml"
    path.write_text(text)
    return path


def test_rules_the_issue_form_loads(tmp_path: Path) -> None:
    rules = load_rules(write(tmp_path, """\
rules:
  - name: russian-force
    when: {actor: RUS, type: [ASSAULT, THREATEN, MOBILIZE]}
    severity: high
    cooldown: 1h
"""))  # fmt: skip
    (rule,) = rules.rules
    assert (rule.name, rule.severity, rule.cooldown, rule.actors) == ("russian-force", "high", 3600.0, ("RUS",))
    assert rule.types == ("ASSAULT", "THREATEN", "MOBILIZE") and rule.line == 2


def test_rules_example_file_loads_every_kind() -> None:
    rules = load_rules(EXAMPLE)
    assert {r.aggregate for r in rules.rules} == {None, "dispute", "corroborated", "count_alert", "say_do_gap"}
    assert rules.webhooks[0].retries == 3 and rules.webhooks[0].timeout == 10.0


R = "rules:\n  - name: a\n"
A = R + "    when: {actor: RUS}\n"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (A + "    cooldwon: 1h\n", ":4: rule a: field 'cooldwon': unknown key"),
        (R + "    when:\n      type: ASSUALT\n", ":4: rule a: field 'when.type': 'ASSUALT' is not"),
        (R + "    when: {quad_class: 5}\n", ":3: rule a: field 'when.quad_class'"),
        (R + "    when: {modality: maybe}\n", "field 'when.modality': 'maybe' is not one of"),
        (A + "    severity: urgent\n", ":4: rule a: field 'severity'"),
        (A + "    cooldown: soon\n", "field 'cooldown': 'soon' is not a duration"),
        (R + "    when: {dispute: true, say_do_gap: 0.5}\n", "field 'when.say_do_gap': a rule has one"),
        (R + "    when: {corroborated: 1}\n", "field 'when.corroborated': give the number"),
        (R + "    when: {count_alert: {zz: 2}}\n", "field 'when.count_alert.zz': unknown setting"),
        (R + "    when: {colour: red}\n", "field 'when.colour': unknown condition"),
        (R + "    when: {dyad: RUS}\n", "field 'when.dyad'"),
        (A + "  - name: a\n    when: {actor: UKR}\n", ":4: rule a: field 'name'"),
        ("rules:\n  - when: {actor: RUS}\n", ":2: rule 1: field 'name': every rule needs a name"),
        (R + "", "field 'when': give the conditions"),
        ("rules: []\n", ":1: field 'rules': give a list of rules"),
        (R + "    when: {actor: [RUS\n", "not valid YAML"),
        ("- name: a\n", ":1: a rules file is a mapping"),
        (A + "webhooks:\n  - url: ftp://x\n", ":5: webhook 1: field 'url'"),
        (A + "webhooks:\n  - url: http://127.0.0.1:9/\n    retries: -1\n",
         ":6: webhook 1: field 'retries'"),
    ],
)  # fmt: skip
def test_rules_errors_name_file_line_and_field(tmp_path: Path, text: str, expected: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as caught:
        load_rules(path)
    assert str(caught.value).startswith(str(path) + ":")
    assert expected in str(caught.value)


def test_rules_missing_file_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read the rules file"):
        load_rules(tmp_path / "nope.yaml")


@pytest.mark.parametrize(("text", "seconds"), [("10s", 10.0), ("15m", 900.0), ("1h30m", 5400.0), ("2d", 172800.0),
                                               (30, 30.0)])  # fmt: skip
def test_rules_parse_duration(text: object, seconds: float) -> None:
    assert parse_duration(text) == seconds


@pytest.mark.parametrize("text", ["", "soon", "10x", "-5", "1h soon", True])
def test_rules_parse_duration_refuses(text: object) -> None:
    with pytest.raises(ValueError):
        parse_duration(text)


EVENT = {"actor_country": "RUS", "actor_kb_id": "vladimir-putin", "recipient_country": "UKR", "recipient_kb_id": None,
         "event_type": "ASSAULT", "quad_class": 4, "modality": "claimed", "polarity": "affirmed"}  # fmt: skip


@pytest.mark.parametrize(
    ("when", "hit"),
    [
        ("{actor: RUS}", True), ("{actor: vladimir-putin}", True), ("{actor: rus}", True), ("{actor: UKR}", False),
        ("{recipient: UKR, type: ASSAULT}", True), ("{dyad: RUS-UKR}", True), ("{dyad: UKR-RUS}", False),
        ("{dyad: [vladimir-putin, UKR]}", True), ("{type: [THREATEN, FIGHT]}", True), ("{quad_class: [1, 2]}", False),
        ("{modality: actual}", False), ("{modality: [actual, claimed], polarity: affirmed}", True),
        ("{polarity: negated}", False),
    ],
)  # fmt: skip
def test_rules_matches_events(tmp_path: Path, when: str, hit: bool) -> None:
    (rule,) = load_rules(write(tmp_path, f"rules:\n  - name: r\n    when: {when}\n")).rules
    assert matches(rule, EVENT) is hit


def _row(**values: object) -> dict[str, object]:
    base = {"date": "2024-03-05", "quad_class": 4, "intensity": -9.0, "num_mentions": 1, "num_sources": 1,
            "event_type": "RETREAT", "mode": None, "recipient_country": None}  # fmt: skip
    return {**base, **values}


def test_rules_findings_a_new_dispute_in_watched_stories(tmp_path: Path) -> None:
    pytest.importorskip("pandas")
    from tocsin.signals import frame

    data = frame([
        _row(id="c1", story_id="s1", actor_country="RUS", asserted_country="RUS", polarity="affirmed",
             modality="claimed", cluster_id=1, sentence="Units are returning to base, Moscow said."),
        _row(id="d1", story_id="s2", actor_country="RUS", asserted_country="NATO", polarity="negated",
             modality="claimed", cluster_id=2, sentence="NATO said it had seen no withdrawal."),
    ])  # fmt: skip
    rules = load_rules(write(tmp_path, "rules:\n  - name: d\n    when: {dispute: true, actor: RUS}\n"))
    (found,) = findings(rules, data, watched={"s2"})
    assert found.kind == "dispute" and found.event_ids == ("c1", "d1") and found.key == "d|dispute|1"
    assert "denied by NATO" in found.summary
    assert findings(rules, data, watched={"elsewhere"}) == []
    other = load_rules(write(tmp_path, "rules:\n  - name: d\n    when: {dispute: true, actor: UKR}\n"))
    assert findings(other, data, watched={"s2"}) == []
    assert findings(RuleSet(), data, watched={"s2"}) == []


def test_rules_findings_a_count_model_alert(tmp_path: Path) -> None:
    pytest.importorskip("pandas")
    from tocsin.signals import frame

    def week(i: int) -> str:
        return f"2024-{1 + (7 * i) // 28:02d}-{1 + (7 * i) % 28:02d}"

    quiet = [
        _row(
            id=f"q{i}",
            story_id="s1",
            date=week(i),
            actor_country="USA",
            recipient_country="CHN",
            event_type="CONSULT",
            quad_class=1,
            intensity=1.0,
            cluster_id=100 + i,
            modality="actual",
            polarity="affirmed",
        )
        for i in range(6)
    ]
    conflict = {"actor_country": "RUS", "recipient_country": "UKR", "modality": "actual", "polarity": "affirmed"}
    surge = [_row(id=f"a{k}", story_id="s2", date=week(5), event_type="ASSAULT", cluster_id=k, **conflict)
             for k in range(6)]  # fmt: skip
    rules = load_rules(write(tmp_path, "rules:\n  - name: c\n    when: {count_alert: {min_periods: 3}, actor: RUS}\n"))
    (found,) = findings(rules, frame(quiet + surge), watched={"s2"})
    assert found.kind == "count_alert" and set(found.event_ids) == {f"a{k}" for k in range(6)}
    assert "expected" in found.summary and found.detail["observed"] == 6.0

from __future__ import annotations

import itertools
import json
import re
from datetime import date
from pathlib import Path

import pytest

from tocsin.errors import ConfigError
from tocsin.pipeline import clean, code, code_many
from tocsin.records import Event, Story
from tocsin.settings import Settings

PUB = date(2022, 2, 17)  # a Thursday
SCHEMA = Path(__file__).resolve().parents[2] / "shared" / "SCHEMA.md"


def _country(actor: object) -> str | None:
    return getattr(actor, "country", None)


def _dyads(events: list[Event], event_type: str) -> list[tuple[str | None, str | None]]:
    """(actor country, recipient country) of every event of one type."""
    return [(_country(e.actor), _country(e.recipient)) for e in events if e.event_type == event_type]


@pytest.mark.parametrize(
    ("event_type", "text", "actor", "recipient"),
    [
        ("AGREE", "Israel promised Egypt more gas.", "ISR", "EGY"),
        ("CONSULT", "Putin visited Scholz.", "RUS", "DEU"),
        ("SUPPORT", "Germany praised France for its diplomacy.", "DEU", "FRA"),
        ("CONCEDE", "Turkey made concessions to Greece.", "TUR", "GRC"),
        ("COOPERATE", "Israel cooperated with Egypt on border security.", "ISR", "EGY"),
        ("AID", "Japan sent humanitarian aid to Turkey.", "JPN", "TUR"),
        ("RETREAT", "Russia released two Ukrainian soldiers.", "RUS", "UKR"),
        ("REQUEST", "Moldova asked Romania for help.", "MDA", "ROU"),
        ("ACCUSE", "Germany criticized Hungary.", "DEU", "HUN"),
        ("REJECT", "Hungary rejected Ukraine's request.", "HUN", "UKR"),
        ("THREATEN", "North Korea threatened South Korea.", "PRK", "KOR"),
        ("PROTEST", "Thousands of Georgians protested outside the Russian embassy.", "GEO", None),
        ("SANCTION", "The EU sanctioned Russia.", "EUR", "RUS"),
        ("MOBILIZE", "Russia massed troops near Ukraine.", "RUS", None),
        ("COERCE", "Turkish police arrested two Greek journalists.", "TUR", "GRC"),
        ("ASSAULT", "Russia invaded Ukraine.", "RUS", "UKR"),
    ],
)
def test_events_plover_type_is_coded(event_type: str, text: str, actor: str, recipient: str | None) -> None:
    dyads = _dyads(code(text, pub_date=PUB), event_type)
    assert actor in [a for a, _ in dyads]
    if recipient is not None:
        assert (actor, recipient) in dyads


@pytest.mark.parametrize(
    ("text", "event_type", "dyad"),
    [
        ("Ukraine was attacked by Russia.", "ASSAULT", ("RUS", "UKR")),
        ("Syria was bombed by Israel.", "ASSAULT", ("ISR", "SYR")),
        ("Two Greek journalists were arrested by Turkish police.", "COERCE", ("TUR", "GRC")),
    ],
)
def test_events_passive_agent_is_actor(text: str, event_type: str, dyad: tuple[str, str]) -> None:
    assert _dyads(code(text, pub_date=PUB), event_type) == [dyad]


@pytest.mark.parametrize(
    ("text", "event_type", "dyad"),
    [
        ("The United States offered Ukraine a $1 billion loan guarantee.", "AID", ("USA", "UKR")),
        ("Putin's meeting with Scholz lasted three hours.", "CONSULT", ("RUS", "DEU")),
        ("The EU's sanctions on Russia took effect.", "SANCTION", ("EUR", "RUS")),
    ],
)
def test_events_event_noun_is_coded(text: str, event_type: str, dyad: tuple[str, str]) -> None:
    assert dyad in _dyads(code(text, pub_date=PUB), event_type)


@pytest.mark.parametrize("text", ["China's military held live-fire exercises near Taiwan."])
def test_events_exercise_noun_is_mobilize(text: str) -> None:
    assert "CHN" in [a for a, _ in _dyads(code(text, pub_date=PUB), "MOBILIZE")]


@pytest.mark.parametrize(
    ("text", "event_type", "dyad"),
    [
        ("The EU imposed sanctions on Russia.", "SANCTION", ("EUR", "RUS")),
        ("Iran will hold talks with the EU next week.", "CONSULT", ("IRN", "EUR")),
        ("Israel shared intelligence with Egypt.", "COOPERATE", ("ISR", "EGY")),
        ("Serbia reached a deal with Kosovo.", "AGREE", ("SRB", "XKX")),
        ("Lithuania expelled two Russian diplomats.", "SANCTION", ("LTU", "RUS")),
        ("Iran rejected France's proposal.", "REJECT", ("IRN", "FRA")),
    ],
)
def test_events_light_verb_noun_keeps_recipient(text: str, event_type: str, dyad: tuple[str, str]) -> None:
    assert dyad in _dyads(code(text, pub_date=PUB), event_type)


@pytest.mark.parametrize(
    ("text", "event_type"),
    [("Turkey apologized to Greece.", "CONCEDE"), ("Armenia signed a peace treaty.", "AGREE")],
)
def test_events_schema_table_verbs_get_schema_type(text: str, event_type: str) -> None:
    assert [e.event_type for e in code(text, pub_date=PUB)] == [event_type]


@pytest.mark.parametrize("text", ["Russia sent troops to the border with Ukraine."])
def test_events_troops_sent_to_a_border_are_mobilize(text: str) -> None:
    types = {e.event_type for e in code(text, pub_date=PUB)}
    assert "MOBILIZE" in types and "AID" not in types


@pytest.mark.parametrize(
    ("text", "event_type"),
    [
        ("Russia's expulsion of diplomats angered Lithuania.", "SANCTION"),
        ("China's show of force alarmed Taiwan.", "MOBILIZE"),
    ],
)
def test_events_of_phrase_noun_pattern_matches(text: str, event_type: str) -> None:
    assert [e.event_type for e in code(text, pub_date=PUB)] == [event_type]


@pytest.mark.parametrize(
    ("text", "event_type", "actors"),
    [("The U.S. and Britain imposed sanctions on Iran.", "SANCTION", ["USA", "GBR"])],
)
def test_events_compound_actor_gives_one_event_each(text: str, event_type: str, actors: list[str]) -> None:
    assert [a for a, _ in _dyads(code(text, pub_date=PUB), event_type)] == actors


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Russia attacked Ukraine, and Poland condemned the attack.", {("ASSAULT", "RUS"), ("ACCUSE", "POL")}),
        (
            "Russian troops shelled Ukrainian positions, and Kyiv asked NATO for help.",
            {("ASSAULT", "RUS"), ("REQUEST", "UKR")},
        ),
    ],
)
def test_events_several_events_in_one_sentence(text: str, expected: set[tuple[str, str]]) -> None:
    events = code(text, pub_date=PUB)
    assert expected <= {(e.event_type, _country(e.actor)) for e in events}
    assert {e.sentence_id for e in events} == {0}


@pytest.mark.parametrize("text", ["Putin arrived in Minsk on Monday. He visited Lukashenko."])
def test_events_pronoun_actor_resolves_to_antecedent(text: str) -> None:
    second = [e for e in code(text, pub_date=PUB) if e.sentence_id == 1]
    assert [(e.event_type, e.actor.text if e.actor else None, _country(e.actor)) for e in second] == [
        ("CONSULT", "He", "RUS")
    ]


# --- the SCHEMA.md record ------------------------------------------------------------


def _schema_keys() -> list[str]:
    if not SCHEMA.exists():
        pytest.skip(f"{SCHEMA} is not here")
    block = SCHEMA.read_text(encoding="utf-8").split("```jsonc", 1)[1].split("```", 1)[0]
    return re.findall(r'^  "(\w+)":', block, flags=re.MULTILINE)


@pytest.mark.parametrize("text", ["Putin visited Scholz in Moscow on Tuesday, Russia said."])
def test_events_to_dict_has_schema_keys_in_order(text: str) -> None:
    (event,) = code(text, pub_date=PUB)
    assert list(event.to_dict()) == _schema_keys()


@pytest.mark.parametrize("text", ["Russia attacked Ukraine."])
def test_events_to_dict_unknown_fields_are_none(text: str) -> None:
    record = code(text)[0].to_dict()
    unknown = ("asserted_by", "date", "date_text", "pub_date", "place")
    assert [record[key] for key in unknown] == [None] * len(unknown)


@pytest.mark.parametrize("text", ["Putin visited Scholz in Moscow on Tuesday, Russia said."])
def test_events_to_dict_is_json(text: str) -> None:
    record = code(text, pub_date=PUB)[0].to_dict()
    assert json.loads(json.dumps(record)) == record


@pytest.mark.parametrize(
    "text",
    [
        "KYIV, Ukraine (AP) — Russia attacked Ukraine on Tuesday. Putin visited Scholz in Moscow.",
        "By Ann Writer\n\nRussia attacked Ukraine on Tuesday.\n\nPutin visited Scholz in Moscow.",
    ],
)
def test_events_span_indexes_cleaned_text(text: str) -> None:
    cleaned = clean(text, pub_date=PUB).text
    events = code(text, pub_date=PUB)
    assert len(events) == 2
    assert all(cleaned[e.span[0] : e.span[1]] == e.sentence for e in events)


@pytest.mark.parametrize("text", ["Russia attacked Ukraine on Tuesday.\n\nPutin visited Scholz in Moscow."])
def test_events_sentence_has_no_surrounding_whitespace(text: str) -> None:
    assert all(e.sentence == e.sentence.strip() for e in code(text, pub_date=PUB))


@pytest.mark.parametrize("text", ["Russia attacked Ukraine. Putin visited Scholz in Moscow."])
def test_events_id_is_story_sentence_and_event_index(text: str) -> None:
    events = code(text, pub_date=PUB, story_id="wire-7")
    assert [e.id for e in events] == ["wire-7-s0-e1", "wire-7-s1-e1"]
    assert {e.story_id for e in events} == {"wire-7"}


@pytest.mark.parametrize("text", ["Putin visited Scholz in Moscow on Tuesday, Russia said."])
def test_events_to_row_is_flat(text: str) -> None:
    row = code(text, pub_date=PUB)[0].to_row()
    assert not any(isinstance(v, dict) for v in row.values())
    assert (row["actor_country"], row["recipient_country"], row["asserted_by_country"]) == ("RUS", "DEU", "RUS")
    assert row["place_name"] == "Moscow"


@pytest.mark.parametrize("texts", [("Putin visited Scholz in Moscow.", "Russia attacked.")])
def test_events_to_row_columns_do_not_depend_on_values(texts: tuple[str, str]) -> None:
    first, second = (code(t, pub_date=PUB)[0].to_row() for t in texts)
    assert list(first) == list(second)


# --- code_many -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "stories",
    [[Story(id="a", text="Russia attacked Ukraine.", pub_date=PUB), "Putin visited Scholz in Moscow."]],
)
def test_events_code_many_codes_each_story(stories: list[Story | str]) -> None:
    assert [(e.story_id, e.event_type) for e in code_many(stories)] == [("a", "ASSAULT"), ("story-1", "CONSULT")]


@pytest.mark.parametrize("text", ["Russia attacked Ukraine."])
def test_events_code_many_streams(text: str) -> None:
    endless = (Story(id=f"s{i}", text=text) for i in itertools.count())
    first = list(itertools.islice(code_many(endless, Settings(batch_size=2)), 3))
    assert [e.story_id for e in first] == ["s0", "s1", "s2"]


# --- cleaning before coding --------------------------------------------------------

_CREDIT_AND_COMMENTS = (
    "\n\n(c) 2022, The Example Post · A. Author {example.com}\n\n\n\n"
    "You people are idiots, Russia will attack tomorrow!\n\nI bet NATO will bomb them lol\n"
)


@pytest.mark.parametrize(
    "body",
    [
        "Germany and France held talks with Ukraine in Paris on Monday. The foreign ministers met for three "
        "hours. Poland praised the talks on Tuesday and urged Russia to pull back its forces from the border.",
        pytest.param(
            "Germany and France held talks with Ukraine in Paris on Monday.",
            id="short-body",
        ),
    ],
)
def test_events_syndicated_story_codes_only_the_body(body: str) -> None:
    events = code(body + _CREDIT_AND_COMMENTS, pub_date=PUB)
    assert events
    assert all(e.sentence.strip() in body for e in events)


# --- user pattern files ------------------------------------------------------------


@pytest.mark.parametrize("text", ["Russia stonewalled Ukraine."])
def test_events_user_pattern_file_adds_a_verb(tmp_path: Path, text: str) -> None:
    path = tmp_path / "mine.yaml"
    path.write_text("REJECT:\n  - verbs: [stonewall]\n", encoding="utf-8")
    assert _dyads(code(text, pub_date=PUB), "REJECT") == []
    assert _dyads(code(text, pub_date=PUB, settings=Settings(patterns=str(path))), "REJECT") == [("RUS", "UKR")]


@pytest.mark.parametrize(
    "content",
    [
        pytest.param(
            "BOGUS:\n  - verbs: [stonewall]\n",
            id="unknown-type",
        ),
        pytest.param("REJECT:\n  - mode: nonsense\n    verbs: [stonewall]\n", id="bad-mode"),
        pytest.param('REJECT:\n  - cameo: "999"\n    verbs: [stonewall]\n', id="bad-cameo"),
        pytest.param("- stonewall\n- snub\n", id="not-a-mapping"),
        pytest.param("REJECT: [\n", id="not-yaml"),
    ],
)
def test_events_bad_pattern_file_raises_config_error_naming_it(tmp_path: Path, content: str) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ConfigError, match=re.escape(str(path))):
        code("Russia attacked Ukraine.", settings=Settings(patterns=str(path)))


@pytest.mark.parametrize(
    ("old_type", "verb", "text", "event_type"),
    [
        ("DEMAND", "beseech", "Ukraine beseeched Germany to send weapons.", "REQUEST"),
        ("DISAPPROVE", "berate", "France berated Russia.", "ACCUSE"),
    ],
)
def test_events_user_pattern_file_accepts_old_type_names(
    tmp_path: Path, old_type: str, verb: str, text: str, event_type: str
) -> None:
    path = tmp_path / "old.yaml"
    path.write_text(f"{old_type}:\n  - verbs: [{verb}]\n", encoding="utf-8")
    events = code(text, pub_date=PUB, settings=Settings(patterns=str(path)))
    assert event_type in {e.event_type for e in events}


def test_events_a_story_between_two_countries_names_the_other_as_an_unsaid_recipient() -> None:
    text = (
        "Russian forces shelled Ukrainian towns on Monday. Ukraine said Russian troops had crossed into "
        "the Kharkiv region. Russia has not agreed to the ceasefire."
    )
    [agree] = [e for e in code(text) if e.event_type == "AGREE"]
    assert _country(agree.recipient) == "UKR" and "inferred:story-counterpart" in agree.explain
    assert agree.recipient is not None and agree.recipient.confidence <= 0.3


def test_events_a_protest_is_not_aimed_at_the_story_s_other_country() -> None:
    text = (
        "Russian forces shelled Ukrainian towns on Monday. Ukraine said Russian troops had crossed into "
        "the Kharkiv region. Thousands of Russians protested in Moscow."
    )
    protests = [e for e in code(text) if e.event_type == "PROTEST"]
    assert protests and all(_country(e.recipient) != "UKR" for e in protests)


def test_events_an_actor_nothing_places_acts_in_the_story_s_country() -> None:
    # CAMEO codes an unplaced actor by where the story is: the committee is Kenyan here
    text = (
        "Kenya's parliament met in Nairobi on Tuesday. Kenyan lawmakers debated the budget. "
        "The committee rejected the proposal."
    )
    [reject] = [e for e in code(text) if e.event_type == "REJECT"]
    assert reject.actor is not None and reject.actor.text == "The committee"
    assert reject.actor.country == "KEN" and reject.actor.confidence <= 0.3


def test_events_an_event_that_must_go_on_is_asked_of_no_one() -> None:
    events = code("Kenya said talks with Somalia must continue.")
    assert not [e for e in events if "reported demand" in e.explain]
    assert [e for e in code("Kenya said Somalia must withdraw.") if e.event_type == "REQUEST"]


@pytest.mark.parametrize(
    "text",
    ["Kenya jailed the journalist.", "Kenya imprisoned the Somali activist.", "Kenya held the detainees in Lamu."],
)
def test_events_jailing_and_holding_people_is_detention(text: str) -> None:
    assert {(e.event_type, e.mode) for e in code(text)} == {("COERCE", "arrest")}


def test_events_gunmen_storming_a_building_is_an_assault() -> None:
    (event,) = [e for e in code("Gunmen stormed a hotel in Mogadishu.") if e.event_type != "THREATEN"]
    assert event.event_type == "ASSAULT"


def test_events_unsaid_sanctions_on_a_country_come_from_the_other_country_of_the_story() -> None:
    text = (
        "The United States sanctioned Albania's former leader. Albania protested to the United States. "
        "The United States criticized Albania. Albania's officials are barred from travel under the sanctions."
    )
    barred = [e for e in code(text) if e.event_type == "SANCTION" and "barred" in e.sentence]
    assert barred and {(_country(e.actor), _country(e.recipient)) for e in barred} == {("USA", "ALB")}


def test_events_discussing_is_consulting_only_with_someone() -> None:
    assert not [e for e in code("The Kenyan minister discussed options for the campaign.") if e.event_type == "CONSULT"]
    together = code("Kenya and Somalia discussed trade.")
    assert {(_country(e.actor), _country(e.recipient)) for e in together if e.event_type == "CONSULT"} == {
        ("KEN", "SOM"),
        ("SOM", "KEN"),
    }

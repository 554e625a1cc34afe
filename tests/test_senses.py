"""Senses: sport, markets, weather, weapons' descriptions, travel, publication and figurative uses are no events."""

from __future__ import annotations

import pytest
from spacy.tokens import Doc

from tocsin.errors import ConfigError
from tocsin.patterns import load_patterns
from tocsin.pipeline import code
from tocsin.senses import load_senses, parse_senses, rejected


def _types(text: str) -> set[str]:
    return {e.event_type for e in code(text, pub_date="2024-03-05")}


def _modes(text: str) -> set[tuple[str, str | None]]:
    return {(e.event_type, e.mode) for e in code(text, pub_date="2024-03-05")}


@pytest.mark.parametrize(
    ("text", "spurious"),
    [
        # sport: a sport word, a score, a team
        ("Federer beat Agassi in the final of the tournament.", "ASSAULT"),
        ("Spain beat Italy 3-0 on Saturday.", "ASSAULT"),
        ("The French team beat Germany in the World Cup semifinal.", "ASSAULT"),
        # markets: a market noun does it
        ("Oil prices hit Russia's budget.", "ASSAULT"),
        ("Chinese stocks hit Beijing's hopes.", "ASSAULT"),
        # weather and disasters
        ("Floods hit Pakistan on Monday.", "ASSAULT"),
        ("An earthquake struck eastern Turkey.", "ASSAULT"),
        ("Hurricane Ian struck Florida.", "ASSAULT"),
        # weapons' descriptions
        ("Iranian drones armed with explosives flew over Kyiv.", "AID"),
        ("Gunmen armed with rifles attacked the village.", "AID"),
        # travel to a facility or generic place
        ("Putin flew to a base near the border.", "CONSULT"),
        ("The Ukrainian president travelled to the front on Monday.", "CONSULT"),
        # a release of a document
        ("The ministry released a video of the talks.", "RETREAT"),
        ("In a statement released on Sunday, Kenya condemned the raid.", "RETREAT"),
        # an event noun as an amount
        ("Factories in Vietnam cannot keep up with demand.", "REQUEST"),
        # travel by private travellers
        ("Thousands of German tourists visited Turkey last summer.", "CONSULT"),
        # figurative force
        ("Washington launched a barrage of criticism at Israel.", "ASSAULT"),
        ("Reporters bombarded the Russian minister with questions.", "ASSAULT"),
        ("Russia and Ukraine waged a war of words.", "ASSAULT"),
        ("Iran attacked the proposal.", "ASSAULT"),
        ("New tariffs targeting Chinese steel took effect.", "ASSAULT"),
        # animals, accidents and vehicles
        ("Elephants killed two villagers in Kenya.", "ASSAULT"),
        ("Millions of dogs are killed every year in Vietnam.", "ASSAULT"),
        ("Collapsing buildings injured 15 people in Beira.", "ASSAULT"),
        ("It was the worst flooding to hit central Europe in memory.", "ASSAULT"),
        ("The Iranian vessel arrived in eastern China last year.", "CONSULT"),
        # meeting a goal or a reaction
        ("Countries must cut emissions to meet the Paris targets.", "CONSULT"),
        ("The plan was met with criticism in Nairobi.", "CONSULT"),
    ],
)
def test_senses_rejects_non_political_sense(text: str, spurious: str) -> None:
    assert spurious not in _types(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Police beat protesters in Minsk.", ("ASSAULT", "beat")),
        ("Putin said the rules of the game changed as Russian troops shelled Kharkiv.", ("ASSAULT", "heavy-weapons")),
        ("Iran seized oil from a Greek tanker.", ("COERCE", "seize")),
        ("Russian missiles hit Kyiv.", ("ASSAULT", None)),
        ("NATO armed Ukraine with missiles.", ("AID", "military")),
        ("Rebels armed by Iran attacked the base.", ("AID", "military")),
        ("Macron travelled to the front in Ukraine.", ("CONSULT", "visit")),
        ("Biden visited a military base in Poland.", ("CONSULT", "visit")),
        ("The German delegation visited Turkey.", ("CONSULT", "visit")),
        ("The army released 20 prisoners.", ("RETREAT", "release")),
        ("Russia bombarded Kharkiv with rockets.", ("ASSAULT", "heavy-weapons")),
        ("Russia launched a barrage of missiles at Kyiv.", ("ASSAULT", "heavy-weapons")),
        ("Israeli fire killed three Palestinians in Gaza.", ("ASSAULT", None)),
        ("Trump met with Putin in Helsinki.", ("CONSULT", None)),
        ("Ruto met the Ethiopian delegation that arrived in Nairobi.", ("CONSULT", None)),
    ],
)  # fmt: skip
def test_senses_keeps_political_sense(text: str, expected: tuple[str, str | None]) -> None:
    assert expected in _modes(text)


def _hit(nlp, subject: str) -> Doc:  # type: ignore[no-untyped-def]
    """ "The <subject> hit Cuba ." parsed by hand, so the rule is tested apart from the parser."""
    return Doc(
        nlp.vocab,
        words=["The", subject, "hit", "Cuba", "."],
        heads=[1, 2, 2, 2, 2],
        deps=["det", "nsubj", "ROOT", "dobj", "punct"],
        pos=["DET", "NOUN", "VERB", "PROPN", "PUNCT"],
        lemmas=["the", subject, "hit", "Cuba", "."],
    )


def test_senses_natural_subject_is_weather(nlp) -> None:  # type: ignore[no-untyped-def]
    pattern = next(p for p in load_patterns().verbs["hit"] if not p.words)
    assert rejected(_hit(nlp, "storm")[2], pattern) == "weather"
    assert rejected(_hit(nlp, "army")[2], pattern) is None


def test_senses_score_is_sport(nlp) -> None:  # type: ignore[no-untyped-def]
    pattern = next(p for p in load_patterns().verbs["beat"] if not p.words)
    words = ["Spain", "beat", "Italy", "2", "-", "1", "."]
    spaces = [True, True, True, False, False, False, False]
    heads, deps = [1, 1, 1, 1, 5, 1, 1], ["nsubj", "ROOT", "dobj", "npadvmod", "punct", "dobj", "punct"]
    pos = ["PROPN", "VERB", "PROPN", "NUM", "SYM", "NUM", "PUNCT"]
    doc = Doc(nlp.vocab, words=words, spaces=spaces, heads=heads, deps=deps, pos=pos, lemmas=words)
    assert rejected(doc[1], pattern) == "sport"
    # "killed 10-15 people": a range of people, no score
    words = ["Troops", "beat", "10", "-", "15", "people", "."]
    pos = ["NOUN", "VERB", "NUM", "SYM", "NUM", "NOUN", "PUNCT"]
    heads, deps = [1, 1, 4, 4, 5, 1, 1], ["nsubj", "ROOT", "quantmod", "punct", "nummod", "dobj", "punct"]
    doc = Doc(nlp.vocab, words=words, spaces=spaces, heads=heads, deps=deps, pos=pos, lemmas=words)
    assert rejected(doc[1], pattern) is None


def test_senses_data_loads_every_sense() -> None:
    assert set(load_senses()) == {
        "sport",
        "markets",
        "weather",
        "animals",
        "weapon-description",
        "travel",
        "goals",
        "publication",
        "questions",
        "figurative",
    }


def test_senses_unknown_field_is_config_error() -> None:
    with pytest.raises(ConfigError, match="unknown field 'word'"):
        parse_senses({"weather": {"word": ["storm"]}})
    with pytest.raises(ConfigError, match="unknown sense"):
        parse_senses({"cooking": {"types": "all"}})


def test_senses_a_word_of_a_date_is_no_event(nlp) -> None:  # type: ignore[no-untyped-def]
    pattern = load_patterns().nouns["march"]
    words = ["Talks", "end", "by", "March", "."]
    doc = Doc(nlp.vocab, words=words, heads=[1, 1, 1, 2, 1], deps=["nsubj", "ROOT", "prep", "pobj", "punct"],
              pos=["NOUN", "VERB", "ADP", "PROPN", "PUNCT"], ents=["O", "O", "O", "B-DATE", "O"])  # fmt: skip
    assert rejected(doc[3], pattern) == "date"
    doc = Doc(nlp.vocab, words=words, heads=[1, 1, 1, 2, 1], deps=["nsubj", "ROOT", "prep", "pobj", "punct"],
              pos=["NOUN", "VERB", "ADP", "NOUN", "PUNCT"])  # fmt: skip
    assert rejected(doc[3], pattern) is None


def test_senses_releasing_a_programme_or_an_index_frees_nobody() -> None:
    from tocsin.pipeline import code

    texts = ("In 2017, Kenya released a development programme.", "The Peace Index released last week ranks Kenya.")
    for text in texts:
        assert not [e for e in code(text) if e.event_type == "RETREAT"], text


def test_senses_asking_a_question_is_no_request() -> None:
    from tocsin.pipeline import code

    for text in ("Kenya asked whether Somalia would withdraw.", '"Who attacked us?" the Kenyan minister asked.'):
        assert not [e for e in code(text) if e.event_type == "REQUEST"], text
    assert [e for e in code("Kenya asked Somalia to withdraw its troops.") if e.event_type == "REQUEST"]


def test_senses_a_great_deal_and_according_to_are_no_agreement() -> None:
    from tocsin.pipeline import code

    for text in (
        "Kenya told reporters there was still a great deal of uncertainty.",
        "According to the Kenyan report, the number of users reached 196 million.",
    ):
        assert not [e for e in code(text) if e.event_type == "AGREE"], text


def test_senses_what_a_judging_verb_calls_something_is_no_part_of_its_phrase() -> None:
    from tocsin.pipeline import code

    assert not [
        e for e in code("Kenyans celebrated what they called a new victory for Kenya.") if e.event_type == "REQUEST"
    ]


def test_senses_seizing_a_chance_is_no_seizure() -> None:
    from tocsin.pipeline import code

    for text in ("Kenya urged Somalia to seize the opportunity.", "Kenya will take a commanding lead over Somalia."):
        assert not [e for e in code(text) if e.event_type == "COERCE"], text


def test_senses_killed_in_a_crash_is_no_attack() -> None:
    from tocsin.pipeline import code

    assert not [
        e for e in code("Kenyan officials said five soldiers were killed in the crash.") if e.event_type == "ASSAULT"
    ]


def test_senses_fighting_corruption_is_no_fight() -> None:
    from tocsin.pipeline import code

    assert not [e for e in code("Kenya vowed to fight corruption.") if e.event_type == "ASSAULT"]

"""Actor resolution on real parses: names, titles, descriptions, groups, pronouns and surnames."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from tocsin.actors import Context, mentions, resolve
from tocsin.kb import load_kb
from tocsin.records import Actor

DAY = date(2022, 2, 15)


def actor(nlp: Any, text: str, word: str, *, nth: int = 0, day: date | None = DAY) -> Actor | None:
    """Resolve the whole story in order (as the pipeline does), then the ``nth`` token ``word``."""
    doc = nlp(text)
    ctx = Context(kb=load_kb(), day=day)
    mentions(doc, ctx)
    token = [t for t in doc if t.text == word][nth]
    return resolve(token, ctx)


def found(nlp: Any, text: str, word: str, **kwargs: Any) -> Actor:
    result = actor(nlp, text, word, **kwargs)
    assert result is not None, f"{word!r} in {text!r} resolved to nothing"
    return result


@pytest.mark.parametrize(
    ("text", "word", "country", "kb_id"),
    [
        ("Russian President Vladimir Putin spoke on Tuesday.", "Putin", "RUS", "vladimir-putin"),
        ("German Chancellor Olaf Scholz arrived in Moscow.", "Scholz", "DEU", "olaf-scholz"),
        ("NATO Secretary General Jens Stoltenberg spoke.", "Stoltenberg", "NATO", "jens-stoltenberg"),
    ],
)
def test_actors_titled_name_is_the_known_person(nlp: Any, text: str, word: str, country: str, kb_id: str) -> None:
    result = found(nlp, text, word)
    assert (result.country, result.kb_id) == (country, kb_id)


def test_actors_titled_name_has_government_sector(nlp: Any) -> None:
    assert found(nlp, "Russian President Vladimir Putin spoke on Tuesday.", "Putin").sector == ("GOV",)


@pytest.mark.parametrize(
    ("text", "word", "country", "sector"),
    [
        ("Ukraine's foreign ministry issued a statement.", "ministry", "UKR", ("GOV",)),
        ("Russia's military said it had finished the drills.", "military", "RUS", ("MIL",)),
    ],
)
def test_actors_possessive_gives_the_country(nlp: Any, text: str, word: str, country: str, sector: tuple) -> None:
    result = found(nlp, text, word)
    assert (result.country, result.sector) == (country, sector)


@pytest.mark.parametrize(
    ("text", "word", "country", "sector"),
    [
        ("Russian forces shelled the town.", "forces", "RUS", ("MIL",)),
        ("U.S. officials denied the report.", "officials", "USA", ("GOV",)),
        ("Kenyan police arrested three men.", "police", "KEN", ("COP",)),
        ("Vietnamese-led forces entered the city.", "forces", "VNM", ("MIL",)),
    ],
)
def test_actors_modifier_gives_country_and_role(nlp: Any, text: str, word: str, country: str, sector: tuple) -> None:
    result = found(nlp, text, word)
    assert (result.country, result.sector) == (country, sector)


@pytest.mark.parametrize(
    ("text", "word", "country", "kb_id"),
    [
        ("The Kremlin said the talks failed.", "Kremlin", "RUS", "rus-kremlin"),
        ("The White House said the talks failed.", "House", "USA", "usa-white-house"),
        ("The Pentagon said the drills were routine.", "Pentagon", "USA", "usa-pentagon"),
    ],
)
def test_actors_metonym_is_its_government(nlp: Any, text: str, word: str, country: str, kb_id: str) -> None:
    result = found(nlp, text, word)
    assert (result.country, result.kb_id) == (country, kb_id)


@pytest.mark.parametrize(
    ("text", "word", "day", "kb_id"),
    [
        ("The German chancellor flew to Kyiv.", "chancellor", date(2022, 2, 15), "olaf-scholz"),
        ("The German chancellor flew to Kyiv.", "chancellor", date(2019, 6, 1), "angela-merkel"),
        ("The British prime minister visited Kyiv.", "minister", date(2022, 2, 15), "boris-johnson"),
        ("The British prime minister visited Kyiv.", "minister", date(2025, 6, 1), "keir-starmer"),
        ("The US president spoke.", "president", date(2022, 1, 1), "joe-biden"),
        ("The US president spoke.", "president", date(2025, 6, 1), "donald-trump"),
    ],
)
def test_actors_title_is_the_officeholder_on_the_story_date(
    nlp: Any, text: str, word: str, day: date, kb_id: str
) -> None:
    assert found(nlp, text, word, day=day).kb_id == kb_id


@pytest.mark.parametrize(
    ("text", "word", "group"),
    [
        ("Western officials said the attack was planned.", "officials", "WEST"),
        ("Western governments imposed sanctions.", "governments", "WEST"),
        ("European diplomats said the talks failed.", "diplomats", "EUROPE"),
        ("Arab ministers met in Cairo.", "ministers", "ARAB"),
    ],
)
def test_actors_group_has_group_code_and_no_country(nlp: Any, text: str, word: str, group: str) -> None:
    result = found(nlp, text, word)
    assert (result.country, result.group) == (None, group)


@pytest.mark.parametrize(
    "text",
    [
        "Russian-backed separatists fired on the village.",
        "Iranian-backed militias attacked the base.",
        "Pro-Russian separatists fired on the village.",
    ],
)
def test_actors_backed_group_is_not_its_backer(nlp: Any, text: str) -> None:
    result = found(nlp, text, "separatists" if "separatists" in text else "militias")
    assert result.country is None
    assert result.sector == ("REB",)


def test_actors_unknown_person_takes_apposition(nlp: Any) -> None:
    result = found(nlp, "Robert Grant, 57, an American banker, was arrested.", "Grant")
    assert (result.name, result.country, result.sector, result.kb_id) == ("Robert Grant", "USA", ("BUS",), None)


@pytest.mark.parametrize(
    ("text", "kb_id"),
    [
        ("Putin met Scholz. He said the talks were useful.", "vladimir-putin"),
        ("Scholz met Putin in Moscow. He said the talks were useful.", "olaf-scholz"),
        ("Putin met Scholz. Scholz said he was hopeful.", "olaf-scholz"),
    ],
)
def test_actors_he_is_the_salient_subject(nlp: Any, text: str, kb_id: str) -> None:
    word = "He" if "He" in text.split() else "he"
    assert found(nlp, text, word).kb_id == kb_id


@pytest.mark.parametrize(
    "text",
    [
        "Angela Merkel visited the city. She said the talks were useful.",
        "Angela Merkel met Putin. She said the talks were useful.",
        pytest.param(
            "Putin met Angela Merkel. She said the talks were useful.",
        ),
    ],
)
def test_actors_she_is_the_female_antecedent(nlp: Any, text: str) -> None:
    assert found(nlp, text, "She").kb_id == "angela-merkel"


@pytest.mark.parametrize(
    ("text", "word", "country"),
    [
        ("NATO held a summit. It said its members agreed.", "It", "NATO"),
        ("NATO held a summit. It said its members agreed.", "its", "NATO"),
        ("Russia moved its troops to the border.", "its", "RUS"),
        ("US said it would respond.", "it", "USA"),
    ],
)
def test_actors_it_is_a_country_or_organisation(nlp: Any, text: str, word: str, country: str) -> None:
    assert found(nlp, text, word).country == country


@pytest.mark.parametrize(
    ("text", "country", "sector"),
    [
        ("Ukrainian soldiers dug trenches. They said they were ready.", "UKR", ("MIL",)),
        pytest.param("EU leaders met in Brussels. They agreed on new sanctions.", "EUR", ("GOV",)),
        pytest.param("Protesters gathered in the square. They demanded new elections.", None, ("CVL",)),
    ],
)
def test_actors_they_is_the_plural_group(nlp: Any, text: str, country: str | None, sector: tuple) -> None:
    result = found(nlp, text, "They")
    assert (result.country, result.sector) == (country, sector)


def test_actors_surname_repeats_the_known_person(nlp: Any) -> None:
    text = "Russian President Vladimir Putin spoke. Later Putin left."
    assert found(nlp, text, "Putin", nth=1).kb_id == found(nlp, text, "Putin").kb_id == "vladimir-putin"


@pytest.mark.parametrize(
    "text",
    [
        "Jane Roe filed a case. Roe said it would succeed.",
        "Jane Roe, a British lawyer, filed a case. Roe said it would succeed.",
    ],
)
def test_actors_surname_repeats_an_unknown_person(nlp: Any, text: str) -> None:
    assert found(nlp, text, "Roe", nth=1).name == "Jane Roe"


def test_actors_surname_is_the_storys_person_before_a_namesake_the_kb_knows(nlp: Any) -> None:
    # the KB knows Vladimir Putin; the story is about someone else called Putin
    text = "Olga Putin, a Latvian lawyer, was detained. Putin said she would appeal."
    assert found(nlp, text, "Putin", nth=1).name == "Olga Putin"
    # once the story has named the KB's Putin, the surname is his again
    text = "Olga Putin met Vladimir Putin on Monday. Putin said nothing."
    assert found(nlp, text, "Putin", nth=2).kb_id == "vladimir-putin"


def test_actors_his_in_a_reported_subject_is_the_speaker(nlp: Any) -> None:
    text = "Vladimir Putin met the press. The Afghan army chief said his forces had taken the town."
    assert found(nlp, text, "his").country == "AFG"


def test_actors_surname_keeps_apposition_country(nlp: Any) -> None:
    text = "Robert Grant, an American banker, was arrested in Moscow. Grant denied the charges."
    assert found(nlp, text, "Grant", nth=1).country == "USA"


@pytest.mark.parametrize(
    ("text", "word", "kb_id"),
    [
        ("The Russian leader spoke on television.", "leader", "vladimir-putin"),
        ("The Ukrainian president visited troops.", "president", "volodymyr-zelensky"),
        ("The Kremlin's spokesman said the talks failed.", "spokesman", "dmitry-peskov"),
    ],
)
def test_actors_description_is_the_officeholder(nlp: Any, text: str, word: str, kb_id: str) -> None:
    assert found(nlp, text, word).kb_id == kb_id


@pytest.mark.parametrize(
    ("text", "country", "kb_id"),
    [
        ("Hamas fighters fired rockets. The group said it would continue.", "PSE", None),
        ("Hamas said the truce was over. The group fired rockets.", "PSE", "pse-hamas"),
        ("Al-Shabab attacked a base. The group claimed the attack.", "SOM", "som-al-shabaab"),
    ],
)
def test_actors_the_group_is_the_organisation_named_before(nlp: Any, text: str, country: str, kb_id: str) -> None:
    result = found(nlp, text, "group")
    assert (result.country, result.sector) == (country, ("REB",))
    if kb_id:
        assert result.kb_id == kb_id


def test_actors_description_does_not_take_a_differently_titled_person(nlp: Any) -> None:
    result = actor(nlp, "Putin met the mayor. The mayor said the talks were useful.", "mayor", nth=1)
    assert result is None or result.kb_id != "vladimir-putin"


@pytest.mark.parametrize(
    ("text", "word", "country"),
    [
        ("Thousands of Iraqi Kurds protested in the city.", "Thousands", "IRQ"),
        ("Thousands of Ukrainians fled the city.", "Thousands", "UKR"),
        ("Hundreds of Russian soldiers crossed the border.", "Hundreds", "RUS"),
    ],
)
def test_actors_quantity_resolves_to_what_it_counts(nlp: Any, text: str, word: str, country: str) -> None:
    assert found(nlp, text, word).country == country


def test_actors_quantity_keeps_the_counted_sector(nlp: Any) -> None:
    assert found(nlp, "Hundreds of Russian soldiers crossed the border.", "Hundreds").sector == ("MIL",)


@pytest.mark.parametrize(
    "text",
    ["Iran criticised the US.", "The sanctions were imposed by the US.", "US said it would respond."],
)
def test_actors_capital_us_is_the_united_states(nlp: Any, text: str) -> None:
    assert found(nlp, text, "US").country == "USA"


def test_actors_lowercase_us_is_not_the_united_states(nlp: Any) -> None:
    result = actor(nlp, "The villagers told us they were afraid.", "us")
    assert result is None or result.country != "USA"


def test_actors_the_administration_is_the_government_of_the_leader_just_named() -> None:
    from tocsin.pipeline import code

    events = code("Ukrainian officials praised Donald Trump. The administration resumed military aid to Kyiv.")
    [aid] = [e for e in events if e.event_type == "AID"]
    assert (aid.actor and aid.actor.country, aid.recipient and aid.recipient.country) == ("USA", "UKR")


def test_actors_a_state_or_province_gives_its_country_but_not_its_national_officeholder(nlp: Any) -> None:
    named = found(nlp, "Ontario Premier Doug Ford criticized the tariffs.", "Ford")
    assert (named.country, named.kb_id) == ("CAN", None)
    premier = found(nlp, "Ontario's premier criticized the tariffs.", "premier")
    assert (premier.country, premier.kb_id) == ("CAN", None)  # not Canada's prime minister
    assert found(nlp, "Texas officials criticized the tariffs.", "officials").country == "USA"


@pytest.mark.parametrize(
    ("text", "word"),
    [
        ("Republican lawmakers praised the deal.", "lawmakers"),
        ("Democratic Senator Jane Roe criticized the plan.", "Roe"),
        ("Senate Democrats blocked the bill.", "Democrats"),
    ],
)
def test_actors_a_us_party_names_its_country(nlp: Any, text: str, word: str) -> None:
    assert found(nlp, text, word).country == "USA"


def test_actors_a_lowercase_democratic_is_no_party(nlp: Any) -> None:
    result = actor(nlp, "The charter calls on democratic nations to unite.", "nations")
    assert result is None or result.country is None


def test_actors_the_parties_of_a_story_between_two_countries_are_those_two() -> None:
    from tocsin.pipeline import code

    text = (
        "Kenya and Somalia met in Nairobi. Kenya accused Somalia of shelling. Somalia accused Kenya of lying. "
        "The parties reached a deal on Friday."
    )
    deals = {
        (e.actor.country, e.recipient.country)
        for e in code(text)
        if e.event_type == "AGREE" and e.actor and e.recipient
    }
    assert deals == {("KEN", "SOM"), ("SOM", "KEN")}

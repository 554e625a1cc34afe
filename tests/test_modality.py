from __future__ import annotations

from datetime import date

import pytest

from tocsin.pipeline import code
from tocsin.records import Event

PUB = date(2022, 2, 17)


def _one(text: str, event_type: str) -> Event:
    """The only event of a type coded from one sentence."""
    (event,) = [e for e in code(text, pub_date=PUB) if e.event_type == event_type]
    return event


def _country(actor: object) -> str | None:
    return getattr(actor, "country", None)


@pytest.mark.parametrize(
    ("text", "event_type"),
    [
        ("Russia did not withdraw its troops.", "RETREAT"),
        ("Russia never attacked Georgia.", "ASSAULT"),
        ("Russia refused to withdraw its troops.", "RETREAT"),
        ("Russia no longer attacks Georgia.", "ASSAULT"),
    ],
)
def test_modality_negation_is_negated(text: str, event_type: str) -> None:
    assert _one(text, event_type).polarity == "negated"


@pytest.mark.parametrize(("text", "event_type"), [("Russia attacked Ukraine.", "ASSAULT")])
def test_modality_plain_statement_is_affirmed_actual(text: str, event_type: str) -> None:
    event = _one(text, event_type)
    assert (event.polarity, event.modality) == ("affirmed", "actual")


@pytest.mark.parametrize("text", ["NATO has seen no withdrawal of Russian forces."])
def test_modality_unseen_withdrawal_is_negated(text: str) -> None:
    event = _one(text, "RETREAT")
    assert (event.polarity, _country(event.actor)) == ("negated", "RUS")


@pytest.mark.parametrize("text", ["We have not seen any de-escalation, Stoltenberg said."])
def test_modality_unseen_de_escalation_is_negated_and_attributed(text: str) -> None:
    event = _one(text, "RETREAT")
    assert (event.polarity, _country(event.asserted_by)) == ("negated", "NATO")


@pytest.mark.parametrize(
    ("text", "event_type", "actor", "speaker"),
    [
        ("Russia said its troops were returning to base.", "RETREAT", "RUS", "RUS"),
        ("Zelensky said Russian troops shelled the village.", "ASSAULT", "RUS", "UKR"),
        ("Russian troops attacked a village, according to Ukraine.", "ASSAULT", "RUS", "UKR"),
    ],
)
def test_modality_reported_event_is_claimed(text: str, event_type: str, actor: str, speaker: str) -> None:
    event = _one(text, event_type)
    assert (event.modality, _country(event.actor), _country(event.asserted_by)) == ("claimed", actor, speaker)


@pytest.mark.parametrize(
    ("text", "event_type"),
    [
        ("In announcing sanctions on Iran this week, the Japanese minister said the talks had failed.", "SANCTION"),
        ("As the two governments held talks in Madrid, analysts said the deal was fragile.", "CONSULT"),
    ],
)
def test_modality_an_adverbial_of_the_reporting_verb_is_the_reporters_own(text: str, event_type: str) -> None:
    # what "said" reports is its clause; the adverbial around it the reporter tells as fact
    event = next(e for e in code(text, pub_date=PUB) if e.event_type == event_type)
    assert (event.modality, event.asserted_by) == ("actual", None)


def test_modality_a_participle_of_the_reporting_verb_is_said_by_its_speaker() -> None:
    event = _one("The Kenyan ministry said, condemning the attack, that it would respond.", "ACCUSE")
    assert (event.modality, _country(event.asserted_by)) == ("actual", "KEN")


@pytest.mark.parametrize(
    ("text", "event_type"),
    [
        ("Iran will visit Brussels next week.", "CONSULT"),
        ("Russia plans to withdraw its troops next week.", "RETREAT"),
    ],
)
def test_modality_future_event_is_intended(text: str, event_type: str) -> None:
    assert _one(text, event_type).modality == "intended"


@pytest.mark.parametrize(
    ("text", "actor"),
    [('"We will visit Brussels next week," Iran said.', "IRN"), ("Russia plans to withdraw its troops.", "RUS")],
)
def test_modality_intended_cooperation_is_also_agree(text: str, actor: str) -> None:
    assert _country(_one(text, "AGREE").actor) == actor


@pytest.mark.parametrize("text", ["Iran will visit Brussels next week.", "Russia wants to withdraw its troops."])
def test_modality_a_future_or_a_wish_commits_nobody(text: str) -> None:
    assert not [e for e in code(text, pub_date=PUB) if e.event_type == "AGREE"]


@pytest.mark.parametrize(
    "text", ["Britain called on Russia to withdraw its troops.", "Germany urged Russia to withdraw its troops."]
)
def test_modality_called_for_event_is_demanded_of_the_addressee(text: str) -> None:
    event = _one(text, "RETREAT")
    assert (event.modality, _country(event.actor)) == ("demanded", "RUS")


@pytest.mark.parametrize(
    ("text", "dyad"),
    [
        ("Britain called on Russia to withdraw its troops.", ("GBR", "RUS")),
        ("Germany urged Russia to withdraw its troops.", ("DEU", "RUS")),
    ],
)
def test_modality_demand_is_also_request(text: str, dyad: tuple[str, str]) -> None:
    event = _one(text, "REQUEST")
    assert (_country(event.actor), _country(event.recipient)) == dyad


@pytest.mark.parametrize(
    ("text", "event_type", "actor"),
    [
        ("If Moscow recognizes the republics, the EU will impose sanctions.", "SUPPORT", "RUS"),
        ("If Russia attacks Ukraine, Germany will impose sanctions.", "ASSAULT", "RUS"),
    ],
)
def test_modality_if_clause_is_conditional(text: str, event_type: str, actor: str) -> None:
    event = _one(text, event_type)
    assert (event.modality, _country(event.actor)) == ("conditional", actor)


@pytest.mark.parametrize("text", ["If Moscow recognizes the republics, the EU will impose sanctions."])
def test_modality_consequence_of_condition_is_not_actual(text: str) -> None:
    event = _one(text, "SANCTION")
    assert _country(event.actor) == "EUR"
    assert event.modality != "actual"


@pytest.mark.parametrize(
    ("text", "speaker"),
    [
        ("Russia could invade Ukraine within days, U.S. officials said.", "USA"),
        ("Russia might attack Ukraine.", None),
    ],
)
def test_modality_possible_event_is_hypothetical(text: str, speaker: str | None) -> None:
    event = _one(text, "ASSAULT")
    assert (event.modality, _country(event.asserted_by)) == ("hypothetical", speaker)


@pytest.mark.parametrize(
    ("text", "denier"),
    [
        ("The separatists denied that they had shelled the village.", "The separatists"),
        ("Moscow denied that Russian troops had attacked Ukraine.", "Moscow"),
    ],
)
def test_modality_denied_event_is_denied_by_its_speaker(text: str, denier: str) -> None:
    event = _one(text, "ASSAULT")
    assert event.modality == "denied"
    assert event.asserted_by is not None and event.asserted_by.text == denier


@pytest.mark.parametrize("text", ["The separatists denied that they had shelled the village."])
def test_modality_denied_event_keeps_pronoun_actor(text: str) -> None:
    actor = _one(text, "ASSAULT").actor
    assert actor is not None and "REB" in actor.sector


@pytest.mark.parametrize(
    ("text", "accused", "accuser"),
    [
        ("Ukraine accused the separatists of shelling a school.", "the separatists", "UKR"),
        ("Israel accused Iran of attacking a tanker.", "Iran", "ISR"),
        pytest.param(
            "Ukraine blamed the separatists for shelling a school.",
            "the separatists",
            "UKR",
            id="blamed-for",
        ),
    ],
)
def test_modality_accusation_is_claim_against_the_accused(text: str, accused: str, accuser: str) -> None:
    event = _one(text, "ASSAULT")
    assert event.modality == "claimed"
    assert event.actor is not None and event.actor.text == accused
    assert _country(event.asserted_by) == accuser


@pytest.mark.parametrize(
    ("text", "speaker"),
    [
        ('"We will attack Ukraine," Putin said.', "RUS"),
        ('"Russian troops shelled the village," Zelensky said on Tuesday.', "UKR"),
    ],
)
def test_modality_quotation_sets_quote_flag(text: str, speaker: str) -> None:
    event = _one(text, "ASSAULT")
    assert (event.quote, _country(event.asserted_by)) == (True, speaker)


@pytest.mark.parametrize("text", ["Zelensky said Russian troops shelled the village.", "Russia attacked Ukraine."])
def test_modality_no_quotation_marks_no_quote_flag(text: str) -> None:
    assert _one(text, "ASSAULT").quote is False


@pytest.mark.parametrize("text", ["Russia attacked Ukraine.", "Russia did not withdraw its troops."])
def test_modality_outlet_voice_has_no_asserter(text: str) -> None:
    assert all(e.asserted_by is None for e in code(text, pub_date=PUB))


@pytest.mark.parametrize(
    ("text", "event_type"),
    [
        ('"We condemn the attack on the convoy," the Kenyan ministry said.', "ACCUSE"),
        ("The Kenyan ministry issued a statement, condemning the attack on the convoy.", "ACCUSE"),
    ],
)
def test_modality_a_verbal_act_done_by_the_words_that_report_it_is_actual(text: str, event_type: str) -> None:
    event = _one(text, event_type)
    assert event.modality == "actual" and _country(event.asserted_by) in ("KEN", None)


def test_modality_a_reported_force_act_in_the_first_person_stays_claimed() -> None:
    assert _one('"We attacked their positions," the Kenyan minister said.', "ASSAULT").modality == "claimed"


@pytest.mark.parametrize(
    ("text", "event_type", "modality"),
    [
        ("Rights groups called for the release of the Kenyan journalists.", "RETREAT", "demanded"),
        ("Kenya may impose sanctions on Somalia, cutting its aid.", "SANCTION", "hypothetical"),
    ],
)
def test_modality_is_inherited_from_a_governing_demand_or_modal(text: str, event_type: str, modality: str) -> None:
    found = {e.modality for e in code(text, pub_date=PUB) if e.event_type == event_type}
    assert found == {modality}


def test_modality_a_subordinate_clause_is_outside_its_governor_s_modal() -> None:
    text = "Kenya will keep its mission in Mogadishu, even though Uganda has withdrawn its troops."
    assert _one(text, "RETREAT").modality == "actual"


@pytest.mark.parametrize(
    ("text", "event_type"),
    [
        ("Trump said he is pressuring Canada.", "REQUEST"),
        ("Kenya said it will send aid to Sudan.", "AGREE"),
    ],
)
def test_modality_a_speaker_s_own_verbal_act_is_done_by_saying_it(text: str, event_type: str) -> None:
    assert _one(text, event_type).modality == "actual"


def test_modality_someone_else_s_act_reported_by_a_speaker_stays_claimed() -> None:
    assert _one("Kenya said Uganda is pressuring Sudan.", "REQUEST").modality == "claimed"


@pytest.mark.parametrize(
    ("text", "event_type"),
    [
        ("Kenya hopes Uganda will withdraw its troops.", "RETREAT"),
        ("It is unclear whether Russia will withdraw its troops.", "RETREAT"),
        ("Russia will withdraw its troops, an analyst said.", "RETREAT"),
    ],
)
def test_modality_a_hope_a_question_or_a_third_party_s_forecast_is_hypothetical(text: str, event_type: str) -> None:
    assert _one(text, event_type).modality == "hypothetical"


def test_modality_a_state_announcing_its_own_forces_plan_is_intended() -> None:
    assert _one("Kenya said its troops will withdraw from Somalia.", "RETREAT").modality == "intended"


BLA = "The Baloch Liberation Army"
COMMANDER = "the Somali commander"


@pytest.mark.parametrize(
    ("text", "actor", "speaker"),
    [
        (f"{BLA} took credit for attacking a Pakistani convoy.", BLA, BLA),
        (f"Kenyan prosecutors charged {COMMANDER} with attacking the base.", COMMANDER, "Kenyan prosecutors"),
        (f"{COMMANDER} was charged by Kenyan prosecutors with attacking the base.", COMMANDER, "Kenyan prosecutors"),
        (f"{COMMANDER} was charged with attacking the base.", COMMANDER, None),
    ],
)
def test_modality_a_charge_or_credit_taken_is_a_claim(text: str, actor: str, speaker: str | None) -> None:
    event = _one(text, "ASSAULT")
    assert event.modality == "claimed"
    assert (event.asserted_by.text if event.asserted_by else None) == speaker
    assert event.actor is not None and event.actor.text.lower() == actor.lower()


@pytest.mark.parametrize(
    ("text", "event_type"),
    [
        ("Putin is due to meet Erdogan in Ankara.", "CONSULT"),
        ("Kenya and Somalia were supposed to sign a border deal.", "AGREE"),
        ("Macron is scheduled to visit Algeria.", "CONSULT"),
    ],
)
def test_modality_a_scheduled_act_is_intended(text: str, event_type: str) -> None:
    events = [e for e in code(text, pub_date=PUB) if e.event_type == event_type]  # one each way
    assert events and all(e.modality == "intended" for e in events)


def test_modality_an_opinion_of_what_will_happen_is_hypothetical() -> None:
    assert _one("Experts think North Korea will attack South Korea.", "ASSAULT").modality == "hypothetical"


def test_modality_a_background_event_is_no_claim() -> None:
    text = "Afghan officials said the toll had risen to 40 a day after the Taliban attack on a school in Kabul."
    events = [e for e in code(text, pub_date=PUB) if e.event_type == "ASSAULT"]
    assert events and all(e.modality == "actual" for e in events)


@pytest.mark.parametrize(
    ("text", "event_type", "modality"),
    [
        ("Kenya rejected the demand to withdraw its troops from Somalia.", "RETREAT", "demanded"),
        ("Ruto has been under pressure to resign.", "RETREAT", "demanded"),
        ("Russia made an effort to attack Ukraine.", "ASSAULT", "intended"),
    ],
)
def test_modality_a_noun_s_infinitive_takes_the_noun_s_modality(text: str, event_type: str, modality: str) -> None:
    events = [e for e in code(text, pub_date=PUB) if e.event_type == event_type]
    assert events and all(e.modality == modality for e in events)


@pytest.mark.parametrize(
    "text",
    ["Russia will attack Ukraine if NATO expands.", "Rebels can attack the town if the army leaves."],
)
def test_modality_an_act_that_hangs_on_a_condition_is_conditional(text: str) -> None:
    assert _one(text, "ASSAULT").modality == "conditional"


def test_modality_a_demand_under_a_condition_stays_a_demand() -> None:
    event = _one("Kenya said Somalia must withdraw its troops if the talks fail.", "RETREAT")
    assert event.modality == "demanded"


@pytest.mark.parametrize(
    ("text", "event_type"),
    [
        ("Kenya is likely to attack Somalia.", "ASSAULT"),
        ("Kenya is close to signing a deal with Somalia.", "AGREE"),
        ("Kenya is interested in talking to Somalia.", "CONSULT"),
    ],
)
def test_modality_a_likely_act_is_hypothetical(text: str, event_type: str) -> None:
    assert {e.modality for e in code(text, pub_date=PUB) if e.event_type == event_type} == {"hypothetical"}


def test_modality_force_announced_by_its_actor_is_a_threat_and_planned_force_is_not() -> None:
    announced = code('"We will attack Somalia," the Kenyan government said.', pub_date=PUB)
    assert {e.event_type for e in announced} == {"ASSAULT", "THREATEN"}
    planned = code("Kenya plans to attack Somalia.", pub_date=PUB)
    assert {e.event_type for e in planned} == {"ASSAULT"}


@pytest.mark.parametrize(
    "text", ["Kenya said one should not read too much into the timing.", "Kenya said we must realize the danger."]
)
def test_modality_a_should_with_no_one_addressed_is_no_request(text: str) -> None:
    assert not [e for e in code(text, pub_date=PUB) if e.event_type == "REQUEST"]


def test_modality_a_conditional_threat_needs_a_doer_the_sentence_names() -> None:
    threat = code("Kenya will impose sanctions on Somalia if it refuses.", pub_date=PUB)
    assert "THREATEN" in {e.event_type for e in threat}
    generic = code("Kenya mourned in Kenya. If Kenyans are seen in the forest, they can be killed.", pub_date=PUB)
    assert "THREATEN" not in {e.event_type for e in generic}

"""Who-to-whom rules on hand-made parses.

Each test builds its ``Doc`` by hand (spaCy's own habit), so a rule is tested on
the structure it is written for, whatever the statistical parser does with the
sentence on a given day. A token is ``word/head/dep/pos/tag/lemma/ent``; heads
are absolute token offsets, ``-`` leaves a field empty.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from spacy.tokens import Doc

from tocsin.events import code_doc, story_context
from tocsin.kb import load_kb
from tocsin.patterns import load_patterns
from tocsin.records import Event, Story


def parse(nlp, *sentences: str) -> Doc:  # type: ignore[no-untyped-def]
    """A Doc from sentences of ``word/head/dep/pos/tag/lemma/ent`` tokens (heads within the sentence)."""
    words, heads, deps, pos, tags, lemmas, ents = [], [], [], [], [], [], []
    for sentence in sentences:
        offset = len(words)
        for spec in sentence.split():
            word, head, dep, p, tag, lemma, ent = spec.split("/")
            words.append(word.replace("_", " "))
            heads.append(offset + int(head))
            deps.append(dep)
            pos.append(p)
            tags.append(tag)
            lemmas.append(lemma if lemma != "-" else word.lower())
            ents.append(ent if ent != "-" else "O")
    spaces = [i + 1 < len(words) and words[i + 1] not in ".," for i in range(len(words))]
    return Doc(
        nlp.vocab,
        words=words,
        spaces=spaces,
        heads=heads,
        deps=deps,
        pos=pos,
        tags=tags,
        lemmas=lemmas,
        ents=ents,
    )


def coded(doc: Doc, day: date = date(2024, 5, 1), sides: Any = None) -> list[Event]:
    story = Story(id="hand", text=doc.text, pub_date=day)
    return code_doc(story, doc, story_context(story, load_kb()), load_patterns(), sides=sides)


def dyads(events: list[Event], event_type: str) -> set[tuple[str | None, str | None]]:
    return {
        (e.actor.country if e.actor else None, e.recipient.country if e.recipient else None)
        for e in events
        if e.event_type == event_type
    }


@pytest.fixture
def symmetric(nlp):  # type: ignore[no-untyped-def]
    # Serbia and Kosovo normalized relations.
    return parse(
        nlp,
        "Serbia/3/nsubj/PROPN/NNP/-/B-GPE and/0/cc/CCONJ/CC/-/- Kosovo/0/conj/PROPN/NNP/-/B-GPE "
        "normalized/3/ROOT/VERB/VBD/normalize/- relations/3/dobj/NOUN/NNS/relation/- ./3/punct/PUNCT/./-/-",
    )


def test_roles_symmetric_pattern_gives_one_event_per_direction(symmetric: Doc) -> None:
    assert dyads(coded(symmetric), "SUPPORT") == {("SRB", "XKX"), ("XKX", "SRB")}


def test_roles_recipient_is_someone_other_than_the_actor_and_a_city_stands_for_its_country(nlp) -> None:  # type: ignore[no-untyped-def]
    # Venezuela recalled its ambassador from Bogota.
    doc = parse(
        nlp,
        "Venezuela/1/nsubj/PROPN/NNP/-/B-GPE recalled/1/ROOT/VERB/VBD/recall/- its/3/poss/PRON/PRP$/-/- "
        "ambassador/1/dobj/NOUN/NN/-/- from/1/prep/ADP/IN/-/- Bogota/4/pobj/PROPN/NNP/-/B-GPE ./1/punct/PUNCT/./-/-",
    )
    assert dyads(coded(doc), "SANCTION") == {("VEN", "COL")}


def test_roles_purpose_clause_and_bare_clause_carry_the_recipient(nlp) -> None:  # type: ignore[no-untyped-def]
    # Japan pledged aid to help Haiti rebuild.
    doc = parse(
        nlp,
        "Japan/1/nsubj/PROPN/NNP/-/B-GPE pledged/1/ROOT/VERB/VBD/pledge/- aid/1/dobj/NOUN/NN/-/- "
        "to/4/aux/PART/TO/-/- help/1/advcl/VERB/VB/-/- Haiti/6/nsubj/PROPN/NNP/-/B-GPE "
        "rebuild/4/ccomp/VERB/VB/-/- ./1/punct/PUNCT/./-/-",
    )
    assert ("JPN", "HTI") in dyads(coded(doc), "AID")


def test_roles_both_countries_stands_for_the_two_named_before(nlp) -> None:  # type: ignore[no-untyped-def]
    # India and Pakistan clashed. The UN called on both countries to talk.
    doc = parse(
        nlp,
        "India/3/nsubj/PROPN/NNP/-/B-GPE and/0/cc/CCONJ/CC/-/- Pakistan/0/conj/PROPN/NNP/-/B-GPE "
        "clashed/3/ROOT/VERB/VBD/clash/- ./3/punct/PUNCT/./-/-",
        "The/1/det/DET/DT/-/- UN/2/nsubj/PROPN/NNP/-/B-ORG called/2/ROOT/VERB/VBD/call/- on/2/prep/ADP/IN/-/- "
        "both/5/det/DET/DT/-/- countries/3/pobj/NOUN/NNS/country/- to/7/aux/PART/TO/-/- "
        "talk/2/xcomp/VERB/VB/-/- ./2/punct/PUNCT/./-/-",
    )
    events = coded(doc)
    assert dyads(events, "ASSAULT") == {("IND", "PAK"), ("PAK", "IND")}
    assert dyads(events, "REQUEST") == {("UNO", "IND"), ("UNO", "PAK")}


def test_roles_unnamed_sides_take_the_country_where_they_act(nlp) -> None:  # type: ignore[no-untyped-def]
    # Police dispersed protesters in Dhaka.
    doc = parse(
        nlp,
        "Police/1/nsubj/NOUN/NNS/police/- dispersed/1/ROOT/VERB/VBD/disperse/- protesters/1/dobj/NOUN/NNS/protester/- "
        "in/1/prep/ADP/IN/-/- Dhaka/3/pobj/PROPN/NNP/-/B-GPE ./1/punct/PUNCT/./-/-",
    )
    assert dyads(coded(doc), "ASSAULT") == {("BGD", "BGD")}


def test_roles_nationality_adjective_gives_the_recipient_country(nlp) -> None:  # type: ignore[no-untyped-def]
    # Thai troops bombed Cambodian positions.
    doc = parse(
        nlp,
        "Thai/1/amod/ADJ/JJ/-/B-NORP troops/2/nsubj/NOUN/NNS/troop/- bombed/2/ROOT/VERB/VBD/bomb/- "
        "Cambodian/4/amod/ADJ/JJ/-/B-NORP positions/2/dobj/NOUN/NNS/position/- ./2/punct/PUNCT/./-/-",
    )
    assert dyads(coded(doc), "ASSAULT") == {("THA", "KHM")}


def test_roles_passive_agent_is_the_actor(nlp) -> None:  # type: ignore[no-untyped-def]
    # Kharkiv was shelled by Russian forces.
    doc = parse(
        nlp,
        "Kharkiv/2/nsubjpass/PROPN/NNP/-/B-GPE was/2/auxpass/AUX/VBD/be/- shelled/2/ROOT/VERB/VBN/shell/- "
        "by/2/agent/ADP/IN/-/- Russian/5/amod/ADJ/JJ/-/B-NORP forces/3/pobj/NOUN/NNS/force/- ./2/punct/PUNCT/./-/-",
    )
    assert dyads(coded(doc), "ASSAULT") == {("RUS", "UKR")}


def test_roles_by_clause_shares_the_subject_of_its_verb(nlp) -> None:  # type: ignore[no-untyped-def]
    # Canada retaliated by imposing tariffs on Mexico.
    doc = parse(
        nlp,
        "Canada/1/nsubj/PROPN/NNP/-/B-GPE retaliated/1/ROOT/VERB/VBD/retaliate/- by/1/prep/ADP/IN/-/- "
        "imposing/2/pcomp/VERB/VBG/impose/- tariffs/3/dobj/NOUN/NNS/tariff/- on/4/prep/ADP/IN/-/- "
        "Mexico/5/pobj/PROPN/NNP/-/B-GPE ./1/punct/PUNCT/./-/-",
    )
    assert ("CAN", "MEX") in dyads(coded(doc), "SANCTION")


def test_roles_between_makes_a_mutual_event(nlp) -> None:  # type: ignore[no-untyped-def]
    # Talks between Kenya and Uganda began.
    doc = parse(
        nlp,
        "Talks/5/nsubj/NOUN/NNS/talk/- between/0/prep/ADP/IN/-/- Kenya/1/pobj/PROPN/NNP/-/B-GPE "
        "and/2/cc/CCONJ/CC/-/- Uganda/2/conj/PROPN/NNP/-/B-GPE began/5/ROOT/VERB/VBD/begin/- ./5/punct/PUNCT/./-/-",
    )
    assert dyads(coded(doc), "CONSULT") == {("KEN", "UGA"), ("UGA", "KEN")}


def test_roles_a_state_acting_on_itself_gets_no_inferred_recipient(nlp) -> None:  # type: ignore[no-untyped-def]
    # Russian troops withdrew. Russia said so. (a story about Russia, with no one named on the receiving end)
    doc = parse(
        nlp,
        "Russian/1/amod/ADJ/JJ/-/B-NORP troops/2/nsubj/NOUN/NNS/troop/- withdrew/2/ROOT/VERB/VBD/withdraw/- "
        "./2/punct/PUNCT/./-/-",
        "Russia/1/nsubj/PROPN/NNP/-/B-GPE said/1/ROOT/VERB/VBD/say/- so/1/advmod/ADV/RB/-/- ./1/punct/PUNCT/./-/-",
    )
    assert dyads(coded(doc), "RETREAT") == {("RUS", None)}


def test_roles_an_event_noun_with_no_owner_takes_the_previous_sentence_subject(nlp) -> None:  # type: ignore[no-untyped-def]
    # Eritrean troops entered Tigray. There was no pullback.
    doc = parse(
        nlp,
        "Eritrean/1/amod/ADJ/JJ/eritrean/B-NORP troops/2/nsubj/NOUN/NNS/troop/- entered/2/ROOT/VERB/VBD/enter/- "
        "Tigray/2/dobj/PROPN/NNP/-/B-GPE ./2/punct/PUNCT/./-/-",
        "There/1/expl/PRON/EX/there/- was/1/ROOT/VERB/VBD/be/- no/3/det/DET/DT/-/- "
        "pullback/1/attr/NOUN/NN/-/- ./1/punct/PUNCT/./-/-",
    )
    [event] = [e for e in coded(doc) if e.event_type == "RETREAT"]
    assert event.actor is not None and event.actor.country == "ERI"
    assert event.actor.confidence <= 0.3 and "actor:from-discourse" in event.explain
    assert event.polarity == "negated"


def test_roles_an_agentless_passive_in_a_one_country_story_is_that_country_s_doing(nlp) -> None:  # type: ignore[no-untyped-def]
    # Cambodia jailed two critics. A Cambodian journalist was arrested.
    doc = parse(
        nlp,
        "Cambodia/1/nsubj/PROPN/NNP/-/B-GPE jailed/1/ROOT/VERB/VBD/jail/- two/3/nummod/NUM/CD/-/- "
        "critics/1/dobj/NOUN/NNS/critic/- ./1/punct/PUNCT/./-/-",
        "A/2/det/DET/DT/-/- Cambodian/2/amod/ADJ/JJ/cambodian/B-NORP journalist/4/nsubjpass/NOUN/NN/-/- "
        "was/4/auxpass/AUX/VBD/be/- arrested/4/ROOT/VERB/VBN/arrest/- ./4/punct/PUNCT/./-/-",
    )
    [event] = [e for e in coded(doc) if e.event_type == "COERCE" and "arrest" in e.trigger]
    assert event.actor is not None and event.actor.country == "KHM" and event.actor.confidence <= 0.3
    assert event.recipient is not None and event.recipient.country == "KHM"


def test_roles_an_object_pronoun_is_not_the_subject_itself(nlp) -> None:  # type: ignore[no-untyped-def]
    # Berisha led Albania. His rivals accused him.
    doc = parse(
        nlp,
        "Berisha/1/nsubj/PROPN/NNP/-/B-PERSON led/1/ROOT/VERB/VBD/lead/- Albania/1/dobj/PROPN/NNP/-/B-GPE "
        "./1/punct/PUNCT/./-/-",
        "His/1/poss/PRON/PRP$/his/- rivals/2/nsubj/NOUN/NNS/rival/- accused/2/ROOT/VERB/VBD/accuse/- "
        "him/2/dobj/PRON/PRP/he/- ./2/punct/PUNCT/./-/-",
    )
    [event] = [e for e in coded(doc) if e.event_type == "ACCUSE"]
    assert event.recipient is not None and event.recipient.text == "him" and event.recipient.country == "ALB"


def test_roles_a_national_modifier_owns_an_event_noun(nlp) -> None:  # type: ignore[no-untyped-def]
    # U.S. sanctions on Iran took effect.
    doc = parse(
        nlp,
        "U.S./1/compound/PROPN/NNP/-/B-GPE sanctions/4/nsubj/NOUN/NNS/sanction/- on/1/prep/ADP/IN/-/- "
        "Iran/2/pobj/PROPN/NNP/-/B-GPE took/4/ROOT/VERB/VBD/take/- effect/4/dobj/NOUN/NN/-/- ./4/punct/PUNCT/./-/-",
    )
    assert ("USA", "IRN") in dyads(coded(doc), "SANCTION")


def test_roles_an_actor_no_knowledge_base_names_keeps_its_words(nlp) -> None:  # type: ignore[no-untyped-def]
    # Aid agencies distributed relief.
    doc = parse(
        nlp,
        "Aid/1/compound/NOUN/NN/aid/- agencies/2/nsubj/NOUN/NNS/agency/- distributed/2/ROOT/VERB/VBD/distribute/- "
        "relief/2/dobj/NOUN/NN/-/- ./2/punct/PUNCT/./-/-",
    )
    [event] = [e for e in coded(doc) if e.event_type == "AID"]
    assert event.actor is not None and event.actor.text == "Aid agencies" and event.actor.country is None


def test_roles_a_date_s_preposition_is_not_a_pattern_s_word(nlp) -> None:  # type: ignore[no-untyped-def]
    # Protesters marched on Saturday.
    doc = parse(
        nlp,
        "Protesters/1/nsubj/NOUN/NNS/protester/- marched/1/ROOT/VERB/VBD/march/- on/1/prep/ADP/IN/-/- "
        "Saturday/2/pobj/PROPN/NNP/-/B-DATE ./1/punct/PUNCT/./-/-",
    )
    assert all(e.trigger != "march on" for e in coded(doc))


def test_roles_a_common_noun_s_infinitive_is_done_by_the_noun_s_owner_or_governing_subject(nlp) -> None:  # type: ignore[no-untyped-def]
    # Japan took steps to ease Chinese concerns.
    doc = parse(
        nlp,
        "Japan/1/nsubj/PROPN/NNP/-/B-GPE took/1/ROOT/VERB/VBD/take/- steps/1/dobj/NOUN/NNS/step/- "
        "to/4/aux/PART/TO/-/- ease/2/relcl/VERB/VB/-/- Chinese/6/amod/ADJ/JJ/-/B-NORP "
        "concerns/4/dobj/NOUN/NNS/concern/- ./1/punct/PUNCT/./-/-",
    )
    assert dyads(coded(doc), "CONCEDE") == {("JPN", "CHN")}


def test_roles_violence_nobody_claims_is_suffered_where_it_happens_and_a_date_owns_no_event(nlp) -> None:  # type: ignore[no-untyped-def]
    # Officials counted Saturday's blasts in Kabul.
    doc = parse(
        nlp,
        "Officials/1/nsubj/NOUN/NNS/official/- counted/1/ROOT/VERB/VBD/count/- Saturday/4/poss/PROPN/NNP/-/B-DATE "
        "'s/2/case/PART/POS/-/- blasts/1/dobj/NOUN/NNS/blast/- in/4/prep/ADP/IN/-/- Kabul/5/pobj/PROPN/NNP/-/B-GPE "
        "./1/punct/PUNCT/./-/-",
    )
    assert dyads(coded(doc), "ASSAULT") == {(None, "AFG")}


def test_roles_an_unnamed_patrol_or_guard_is_a_security_force_of_where_it_acts(nlp) -> None:  # type: ignore[no-untyped-def]
    # Guards detained a journalist in Dhaka.
    doc = parse(
        nlp,
        "Guards/1/nsubj/NOUN/NNS/guard/- detained/1/ROOT/VERB/VBD/detain/- a/3/det/DET/DT/-/- "
        "journalist/1/dobj/NOUN/NN/-/- in/1/prep/ADP/IN/-/- Dhaka/4/pobj/PROPN/NNP/-/B-GPE ./1/punct/PUNCT/./-/-",
    )
    [event] = [e for e in coded(doc) if e.event_type == "COERCE"]
    assert event.actor is not None and event.actor.sector == ("COP",) and event.actor.country == "BGD"


def test_roles_a_judgment_passed_with_call_is_an_accusation_by_the_caller_of_what_is_judged(nlp) -> None:  # type: ignore[no-untyped-def]
    # Russia called the Ukrainian decree illegal.
    doc = parse(
        nlp,
        "Russia/1/nsubj/PROPN/NNP/-/B-GPE called/1/ROOT/VERB/VBD/call/- the/4/det/DET/DT/-/- "
        "Ukrainian/4/amod/ADJ/JJ/-/B-NORP decree/1/dobj/NOUN/NN/-/- illegal/1/oprd/ADJ/JJ/-/- ./1/punct/PUNCT/./-/-",
    )
    [event] = [e for e in coded(doc) if e.event_type == "ACCUSE"]
    assert (event.actor and event.actor.country, event.recipient and event.recipient.country) == ("RUS", "UKR")
    assert event.mode == "disapprove" and event.trigger == "illegal"


def test_roles_a_judgment_in_the_reporter_s_own_words_is_no_event(nlp) -> None:  # type: ignore[no-untyped-def]
    # The Ukrainian decree is illegal.
    doc = parse(
        nlp,
        "The/2/det/DET/DT/-/- Ukrainian/2/amod/ADJ/JJ/-/B-NORP decree/3/nsubj/NOUN/NN/-/- is/3/ROOT/AUX/VBZ/be/- "
        "illegal/3/acomp/ADJ/JJ/-/- ./3/punct/PUNCT/./-/-",
    )
    assert [e for e in coded(doc) if e.event_type == "ACCUSE"] == []


def test_roles_a_feeling_needs_someone_it_is_about(nlp) -> None:  # type: ignore[no-untyped-def]
    # France is concerned about Iran. France is concerned.
    doc = parse(
        nlp,
        "France/1/nsubj/PROPN/NNP/-/B-GPE is/1/ROOT/AUX/VBZ/be/- concerned/1/acomp/ADJ/JJ/-/- "
        "about/2/prep/ADP/IN/-/- Iran/3/pobj/PROPN/NNP/-/B-GPE ./1/punct/PUNCT/./-/-",
        "France/1/nsubj/PROPN/NNP/-/B-GPE is/1/ROOT/AUX/VBZ/be/- concerned/1/acomp/ADJ/JJ/-/- ./1/punct/PUNCT/./-/-",
    )
    assert [(e.sentence_id, e.recipient and e.recipient.country) for e in coded(doc) if e.event_type == "ACCUSE"] == [
        (0, "IRN")
    ]


def test_roles_someone_held_in_a_condition_undergoes_it_and_a_mere_mention_is_no_event(nlp) -> None:  # type: ignore[no-untyped-def]
    # Iranian journalists remain in custody. The prison's director spoke.
    doc = parse(
        nlp,
        "Iranian/1/amod/ADJ/JJ/-/B-NORP journalists/2/nsubj/NOUN/NNS/journalist/- remain/2/ROOT/VERB/VBP/remain/- "
        "in/2/prep/ADP/IN/-/- custody/3/pobj/NOUN/NN/-/- ./2/punct/PUNCT/./-/-",
        "The/1/det/DET/DT/-/- prison/3/poss/NOUN/NN/-/- 's/1/case/PART/POS/-/- director/4/nsubj/NOUN/NN/-/- "
        "spoke/4/ROOT/VERB/VBD/speak/- ./4/punct/PUNCT/./-/-",
    )
    events = [e for e in coded(doc) if e.event_type == "COERCE"]
    assert [(e.sentence_id, e.recipient and e.recipient.country) for e in events] == [(0, "IRN")]


def test_roles_a_reciprocal_act_with_someone_is_theirs_too(nlp) -> None:  # type: ignore[no-untyped-def]
    # Kenya held talks with Uganda. Kenya accused Uganda.
    doc = parse(
        nlp,
        "Kenya/1/nsubj/PROPN/NNP/-/B-GPE held/1/ROOT/VERB/VBD/hold/- talks/1/dobj/NOUN/NNS/talk/- "
        "with/2/prep/ADP/IN/-/- Uganda/3/pobj/PROPN/NNP/-/B-GPE ./1/punct/PUNCT/./-/-",
        "Kenya/1/nsubj/PROPN/NNP/-/B-GPE accused/1/ROOT/VERB/VBD/accuse/- Uganda/1/dobj/PROPN/NNP/-/B-GPE "
        "./1/punct/PUNCT/./-/-",
    )
    events = coded(doc)
    assert dyads(events, "CONSULT") == {("KEN", "UGA"), ("UGA", "KEN")}
    assert dyads(events, "ACCUSE") == {("KEN", "UGA")}


def test_roles_a_quoted_first_person_is_the_speaker(nlp) -> None:  # type: ignore[no-untyped-def]
    # "We condemn Russia," Zelensky said.
    doc = parse(
        nlp,
        '"/2/punct/PUNCT/``/-/- We/2/nsubj/PRON/PRP/we/- condemn/7/ccomp/VERB/VBP/condemn/- '
        "Russia/2/dobj/PROPN/NNP/-/B-GPE ,/7/punct/PUNCT/,/-/- \"/7/punct/PUNCT/''/-/- "
        "Zelensky/7/nsubj/PROPN/NNP/-/B-PERSON said/7/ROOT/VERB/VBD/say/- ./7/punct/PUNCT/./-/-",
    )
    events = [e for e in coded(doc) if e.event_type == "ACCUSE"]
    assert dyads(events, "ACCUSE") == {("UKR", "RUS")}
    assert all(e.sentence == doc.text.strip() for e in events)  # the speaker's mention leaves the sentence whole


def test_roles_the_three_nations_stand_for_the_three_named_before_and_act_together(nlp) -> None:  # type: ignore[no-untyped-def]
    # Mali, Niger and Chad met. The three nations accused France.
    doc = parse(
        nlp,
        "Mali/5/nsubj/PROPN/NNP/-/B-GPE ,/0/punct/PUNCT/,/-/- Niger/0/conj/PROPN/NNP/-/B-GPE and/2/cc/CCONJ/CC/-/- "
        "Chad/2/conj/PROPN/NNP/-/B-GPE met/5/ROOT/VERB/VBD/meet/- ./5/punct/PUNCT/./-/-",
        "The/2/det/DET/DT/-/- three/2/nummod/NUM/CD/-/B-CARDINAL nations/3/nsubj/NOUN/NNS/nation/- "
        "accused/3/ROOT/VERB/VBD/accuse/- France/3/dobj/PROPN/NNP/-/B-GPE ./3/punct/PUNCT/./-/-",
    )
    assert dyads(coded(doc), "ACCUSE") == {("MLI", "FRA"), ("NER", "FRA"), ("TCD", "FRA")}


def test_roles_leaving_an_international_body_is_a_sanction_and_pulling_troops_back_a_retreat(nlp) -> None:  # type: ignore[no-untyped-def]
    # Mali withdrew from ECOWAS. Russia withdrew troops from Ukraine.
    doc = parse(
        nlp,
        "Mali/1/nsubj/PROPN/NNP/-/B-GPE withdrew/1/ROOT/VERB/VBD/withdraw/- from/1/prep/ADP/IN/-/- "
        "ECOWAS/2/pobj/PROPN/NNP/-/B-ORG ./1/punct/PUNCT/./-/-",
        "Russia/1/nsubj/PROPN/NNP/-/B-GPE withdrew/1/ROOT/VERB/VBD/withdraw/- troops/1/dobj/NOUN/NNS/troop/- "
        "from/1/prep/ADP/IN/-/- Ukraine/3/pobj/PROPN/NNP/-/B-GPE ./1/punct/PUNCT/./-/-",
    )
    events = coded(doc)
    assert dyads(events, "SANCTION") == {("MLI", "ECOWAS")}
    assert dyads(events, "RETREAT") == {("RUS", "UKR")}


def test_roles_coordinated_nationalities_are_one_party_each(nlp) -> None:  # type: ignore[no-untyped-def]
    # Turkish and Egyptian officers met.
    doc = parse(
        nlp,
        "Turkish/3/amod/ADJ/JJ/-/B-NORP and/0/cc/CCONJ/CC/-/- Egyptian/0/conj/ADJ/JJ/-/B-NORP "
        "officers/4/nsubj/NOUN/NNS/officer/- met/4/ROOT/VERB/VBD/meet/- ./4/punct/PUNCT/./-/-",
    )
    assert dyads(coded(doc), "CONSULT") == {("TUR", "EGY"), ("EGY", "TUR")}


def test_roles_a_noun_coordinated_with_an_event_noun_is_an_event_where_it_stands(nlp) -> None:  # type: ignore[no-untyped-def]
    # Japan imposed sanctions and an embargo.
    doc = parse(
        nlp,
        "Japan/1/nsubj/PROPN/NNP/-/B-GPE imposed/1/ROOT/VERB/VBD/impose/- sanctions/1/dobj/NOUN/NNS/sanction/- "
        "and/2/cc/CCONJ/CC/-/- an/5/det/DET/DT/-/- embargo/2/conj/NOUN/NN/-/- ./1/punct/PUNCT/./-/-",
    )
    assert {(e.trigger, e.actor and e.actor.country) for e in coded(doc) if e.event_type == "SANCTION"} >= {
        ("embargo", "JPN")
    }


def test_roles_a_relative_clause_s_light_verb_does_the_event_noun(nlp) -> None:  # type: ignore[no-untyped-def]
    # Russia condemned the sanctions Japan imposed on Iran.
    doc = parse(
        nlp,
        "Russia/1/nsubj/PROPN/NNP/-/B-GPE condemned/1/ROOT/VERB/VBD/condemn/- the/3/det/DET/DT/-/- "
        "sanctions/1/dobj/NOUN/NNS/sanction/- Japan/5/nsubj/PROPN/NNP/-/B-GPE imposed/3/relcl/VERB/VBD/impose/- "
        "on/5/prep/ADP/IN/-/- Iran/6/pobj/PROPN/NNP/-/B-GPE ./1/punct/PUNCT/./-/-",
    )
    assert ("JPN", "IRN") in dyads(coded(doc), "SANCTION")


def test_roles_a_possessor_undergoes_a_detention_and_the_asker_does_not_release(nlp) -> None:  # type: ignore[no-untyped-def]
    # Iran called for Egypt's release of the sailors. / Russia demanded Ukraine's release.
    own = parse(
        nlp,
        "Iran/1/nsubj/PROPN/NNP/-/B-GPE called/1/ROOT/VERB/VBD/call/- for/1/prep/ADP/IN/-/- "
        "Egypt/5/poss/PROPN/NNP/-/B-GPE 's/3/case/PART/POS/-/- release/2/pobj/NOUN/NN/-/- "
        "of/5/prep/ADP/IN/-/- the/8/det/DET/DT/-/- sailors/6/pobj/NOUN/NNS/sailor/- ./1/punct/PUNCT/./-/-",
    )
    released = [e for e in coded(own) if e.event_type == "RETREAT"]
    assert [(e.actor.country if e.actor else None) for e in released] == ["EGY"]  # the of-phrase: Egypt releases
    undergone = parse(
        nlp,
        "Russia/1/nsubj/PROPN/NNP/-/B-GPE demanded/1/ROOT/VERB/VBD/demand/- "
        "Ukraine/4/poss/PROPN/NNP/-/B-GPE 's/2/case/PART/POS/-/- release/1/dobj/NOUN/NN/-/- ./1/punct/PUNCT/./-/-",
    )
    released = [e for e in coded(undergone) if e.event_type == "RETREAT"]
    # Ukraine is released; Russia asks for it and does not release anyone
    assert released and all(e.recipient is not None and e.recipient.country == "UKR" for e in released)
    assert all(e.actor is None or e.actor.country != "RUS" for e in released)


def test_roles_the_subject_of_received_aid_undergoes_it_and_the_from_phrase_gives(nlp) -> None:  # type: ignore[no-untyped-def]
    # Ukraine received aid from Germany.
    doc = parse(
        nlp,
        "Ukraine/1/nsubj/PROPN/NNP/-/B-GPE received/1/ROOT/VERB/VBD/receive/- aid/1/dobj/NOUN/NN/-/- "
        "from/1/prep/ADP/IN/-/- Germany/3/pobj/PROPN/NNP/-/B-GPE ./1/punct/PUNCT/./-/-",
    )
    assert dyads(coded(doc), "AID") == {("DEU", "UKR")}


def test_roles_an_acronym_tagged_as_a_common_noun_is_still_a_name(nlp) -> None:  # type: ignore[no-untyped-def]
    # ECOWAS condemned Niger. (the small model tags some acronyms NOUN, with no entity)
    doc = parse(
        nlp,
        "ECOWAS/1/nsubj/NOUN/NN/ecowas/- condemned/1/ROOT/VERB/VBD/condemn/- Niger/1/dobj/PROPN/NNP/-/B-GPE "
        "./1/punct/PUNCT/./-/-",
    )
    assert dyads(coded(doc), "ACCUSE") == {("ECOWAS", "NER")}


def test_roles_who_claims_responsibility_for_an_attack_did_it_by_its_own_claim(nlp) -> None:  # type: ignore[no-untyped-def]
    # The Taliban claimed (denied) responsibility for the attack.
    def sentence(verb: str, lemma: str) -> Doc:
        return parse(
            nlp,
            f"The/1/det/DET/DT/-/B-ORG Taliban/2/nsubj/PROPN/NNP/-/I-ORG {verb}/2/ROOT/VERB/VBD/{lemma}/- "
            "responsibility/2/dobj/NOUN/NN/-/- for/3/prep/ADP/IN/-/- the/6/det/DET/DT/-/- attack/4/pobj/NOUN/NN/-/- "
            "./2/punct/PUNCT/./-/-",
        )

    for verb, lemma, modality in (("claimed", "claim", "claimed"), ("denied", "deny", "denied")):
        attacks = [e for e in coded(sentence(verb, lemma)) if e.event_type == "ASSAULT"]
        assert [(e.actor.country if e.actor else None, e.modality) for e in attacks] == [("AFG", modality)]
        assert attacks[0].asserted_by is not None and attacks[0].asserted_by.country == "AFG"


def test_roles_a_second_name_after_or_is_the_same_actor(nlp) -> None:  # type: ignore[no-untyped-def]
    # The Baloch Liberation Army, or BLA, attacked the convoy.
    doc = parse(
        nlp,
        "The/3/det/DET/DT/-/B-ORG Baloch/3/compound/PROPN/NNP/-/I-ORG Liberation/3/compound/PROPN/NNP/-/I-ORG "
        "Army/8/nsubj/PROPN/NNP/-/I-ORG ,/3/punct/PUNCT/,/-/- or/3/cc/CCONJ/CC/-/- BLA/3/conj/PROPN/NNP/-/B-ORG "
        ",/3/punct/PUNCT/,/-/- attacked/8/ROOT/VERB/VBD/attack/- the/10/det/DET/DT/-/- convoy/8/dobj/NOUN/NN/-/- "
        "./8/punct/PUNCT/./-/-",
    )
    assert len([e for e in coded(doc) if e.event_type == "ASSAULT"]) == 1


def test_roles_a_speaker_reporting_talks_with_someone_is_the_other_party(nlp) -> None:  # type: ignore[no-untyped-def]
    # Kenya said talks with Somalia were going well.
    doc = parse(
        nlp,
        "Kenya/1/nsubj/PROPN/NNP/-/B-GPE said/1/ROOT/VERB/VBD/say/- talks/6/nsubj/NOUN/NNS/talk/- "
        "with/2/prep/ADP/IN/-/- Somalia/3/pobj/PROPN/NNP/-/B-GPE were/6/aux/AUX/VBD/be/- going/1/ccomp/VERB/VBG/go/- "
        "well/6/advmod/ADV/RB/-/- ./1/punct/PUNCT/./-/-",
    )
    talks = [e for e in coded(doc) if e.event_type == "CONSULT"]
    assert {(e.actor.country if e.actor else None, e.recipient.country if e.recipient else None) for e in talks} == {
        ("KEN", "SOM"),
        ("SOM", "KEN"),
    }
    assert all(e.modality == "claimed" for e in talks)  # talks are not held by saying so


def test_roles_a_participle_after_an_event_noun_names_its_recipient(nlp) -> None:  # type: ignore[no-untyped-def]
    # Japan announced sanctions targeting Russia.
    doc = parse(
        nlp,
        "Japan/1/nsubj/PROPN/NNP/-/B-GPE announced/1/ROOT/VERB/VBD/announce/- sanctions/1/dobj/NOUN/NNS/sanction/- "
        "targeting/2/acl/VERB/VBG/target/- Russia/3/dobj/PROPN/NNP/-/B-GPE ./1/punct/PUNCT/./-/-",
    )
    assert dyads(coded(doc), "SANCTION") == {("JPN", "RUS")}


def test_roles_a_dative_preposition_carries_its_object_and_anti_names_the_state_fought(nlp) -> None:  # type: ignore[no-untyped-def]
    # Iran provided weapons to anti-Israel militants. ("to" parsed as the dative, as the small model does)
    doc = parse(
        nlp,
        "Iran/1/nsubj/PROPN/NNP/-/B-GPE provided/1/ROOT/VERB/VBD/provide/- weapons/1/dobj/NOUN/NNS/weapon/- "
        "to/1/dative/ADP/IN/-/- anti/7/amod/ADJ/JJ/-/B-NORP -/7/amod/ADJ/JJ/-/I-NORP Israel/7/amod/ADJ/JJ/-/I-NORP "
        "militants/3/pobj/NOUN/NNS/militant/- ./1/punct/PUNCT/./-/-",
    )
    assert ("IRN", "ISR") in dyads(coded(doc), "AID")  # militants fighting Israel: Israel's rebels (CAMEO)


class _PickMention:
    """A stub side chooser: the first candidate the sentence names for ``side`` other than the rules'."""

    def __init__(self, side: str) -> None:
        self.side = side
        self.offered: list[list[tuple[str, str | None]]] = []

    def choose(self, side, trigger, event_type, candidates, ctx) -> int:  # type: ignore[no-untyped-def]
        assert candidates[0].kind == "rule"  # the rules' own choice always comes first
        if side != self.side:
            return 0
        self.offered.append([(c.kind, c.actor.country if c.actor else None) for c in candidates])
        return next((i for i, c in enumerate(candidates) if c.kind == "mention"), 0)


@pytest.fixture
def talks_in(nlp):  # type: ignore[no-untyped-def]
    # Egypt hosted talks in Cairo with Sudan.
    return parse(
        nlp,
        "Egypt/1/nsubj/PROPN/NNP/-/B-GPE hosted/1/ROOT/VERB/VBD/host/- talks/1/dobj/NOUN/NNS/talk/- "
        "with/2/prep/ADP/IN/-/- Sudan/3/pobj/PROPN/NNP/-/B-GPE ./1/punct/PUNCT/./-/-",
        "Kenya/1/nsubj/PROPN/NNP/-/B-GPE accused/1/ROOT/VERB/VBD/accuse/- Ethiopia/1/dobj/PROPN/NNP/-/B-GPE "
        "in/1/prep/ADP/IN/-/- Cairo/3/pobj/PROPN/NNP/-/B-GPE ./1/punct/PUNCT/./-/-",
    )


def test_a_side_chooser_that_keeps_the_rules_choice_changes_nothing(talks_in: Doc) -> None:
    keep = _PickMention("neither")
    assert [(e.event_type, e.actor, e.recipient) for e in coded(talks_in, sides=keep)] == [
        (e.event_type, e.actor, e.recipient) for e in coded(talks_in)
    ]


def test_a_side_chooser_picks_among_what_the_sentence_names(talks_in: Doc) -> None:
    assert dyads(coded(talks_in), "ACCUSE") == {("KEN", "ETH")}
    chooser = _PickMention("recipient")
    events = coded(talks_in, sides=chooser)
    # Cairo is the only other country the sentence names: the stub takes it, and says so
    assert dyads(events, "ACCUSE") == {("KEN", "EGY")}
    assert any("recipient:learned:mention" in e.explain for e in events if e.event_type == "ACCUSE")
    accused = [offer for offer in chooser.offered if ("rule", "ETH") in offer]
    assert accused and accused[0][-1] == ("none", None)  # nobody is always on offer
    assert not any(country == "KEN" for _, country in accused[0])  # never the actor itself


def test_roles_a_passive_subject_controls_the_clause_it_governs(nlp) -> None:  # type: ignore[no-untyped-def]
    # Russian troops were ordered to withdraw from Kherson.
    doc = parse(
        nlp,
        "Russian/1/amod/ADJ/JJ/-/B-NORP troops/3/nsubjpass/NOUN/NNS/troop/- were/3/auxpass/AUX/VBD/be/- "
        "ordered/3/ROOT/VERB/VBN/order/- to/5/aux/PART/TO/-/- withdraw/3/xcomp/VERB/VB/-/- "
        "from/5/prep/ADP/IN/-/- Kherson/6/pobj/PROPN/NNP/-/B-GPE ./3/punct/PUNCT/./-/-",
    )
    assert {actor for actor, _ in dyads(coded(doc), "RETREAT")} == {"RUS"}


def test_roles_the_one_praised_for_an_act_did_it(nlp) -> None:  # type: ignore[no-untyped-def]
    # Kenya praised Somalia for releasing the hostages.
    doc = parse(
        nlp,
        "Kenya/1/nsubj/PROPN/NNP/-/B-GPE praised/1/ROOT/VERB/VBD/praise/- Somalia/1/dobj/PROPN/NNP/-/B-GPE "
        "for/1/prep/ADP/IN/-/- releasing/3/pcomp/VERB/VBG/release/- the/6/det/DET/DT/-/- "
        "hostages/4/dobj/NOUN/NNS/hostage/- ./1/punct/PUNCT/./-/-",
    )
    released = [e for e in coded(doc) if e.trigger.startswith("releas")]
    assert released and {e.actor.country for e in released if e.actor} == {"SOM"}


def test_roles_a_verb_s_own_infinitive_marker_is_no_particle(nlp) -> None:  # type: ignore[no-untyped-def]
    # Kenya was allowed to undertake trials. ("undertake to" needs a complement: "undertook to pay")
    doc = parse(
        nlp,
        "Kenya/2/nsubjpass/PROPN/NNP/-/B-GPE was/2/auxpass/AUX/VBD/be/- allowed/2/ROOT/VERB/VBN/allow/- "
        "to/4/aux/PART/TO/-/- undertake/2/xcomp/VERB/VB/-/- trials/4/dobj/NOUN/NNS/trial/- ./2/punct/PUNCT/./-/-",
    )
    assert not [e for e in coded(doc) if e.event_type == "AGREE"]


def test_roles_unowned_talks_are_between_their_sentence_s_subjects(nlp) -> None:  # type: ignore[no-untyped-def]
    # Kenya and Somalia remain apart since talks failed.
    doc = parse(
        nlp,
        "Kenya/3/nsubj/PROPN/NNP/-/B-GPE and/0/cc/CCONJ/CC/-/- Somalia/0/conj/PROPN/NNP/-/B-GPE "
        "remain/3/ROOT/VERB/VBP/-/- apart/3/advmod/ADV/RB/-/- since/7/mark/SCONJ/IN/-/- "
        "talks/7/nsubj/NOUN/NNS/talk/- failed/3/advcl/VERB/VBD/fail/- ./3/punct/PUNCT/./-/-",
    )
    assert dyads(coded(doc), "CONSULT") == {("KEN", "SOM"), ("SOM", "KEN")}


def test_roles_a_nationality_adjective_in_a_list_of_sides_is_a_side(nlp) -> None:  # type: ignore[no-untyped-def]
    # Kenya was criticized by France and Chinese (representatives, as the parser leaves it).
    doc = parse(
        nlp,
        "Kenya/2/nsubjpass/PROPN/NNP/-/B-GPE was/2/auxpass/AUX/VBD/be/- criticized/2/ROOT/VERB/VBN/criticize/- "
        "by/2/agent/ADP/IN/-/- France/3/pobj/PROPN/NNP/-/B-GPE and/4/cc/CCONJ/CC/-/- "
        "Chinese/4/conj/ADJ/JJ/-/B-NORP ./2/punct/PUNCT/./-/-",
    )
    assert dyads(coded(doc), "ACCUSE") == {("FRA", "KEN"), ("CHN", "KEN")}


def test_roles_whoever_undergoes_help_s_complement_is_not_helped(nlp) -> None:  # type: ignore[no-untyped-def]
    # Kenya helped protect Somali villages.
    doc = parse(
        nlp,
        "Kenya/1/nsubj/PROPN/NNP/-/B-GPE helped/1/ROOT/VERB/VBD/help/- protect/1/xcomp/VERB/VB/-/- "
        "Somali/4/amod/ADJ/JJ/-/B-NORP villages/2/dobj/NOUN/NNS/village/- ./1/punct/PUNCT/./-/-",
    )
    assert not dyads(coded(doc), "AID")


def test_roles_a_noun_s_by_phrase_does_it_over_its_of_phrase(nlp) -> None:  # type: ignore[no-untyped-def]
    # Somalia welcomed the withdrawal of forces by Kenya.
    doc = parse(
        nlp,
        "Somalia/1/nsubj/PROPN/NNP/-/B-GPE welcomed/1/ROOT/VERB/VBD/welcome/- the/3/det/DET/DT/-/- "
        "withdrawal/1/dobj/NOUN/NN/-/- of/3/prep/ADP/IN/-/- forces/4/pobj/NOUN/NNS/force/- "
        "by/3/prep/ADP/IN/-/- Kenya/6/pobj/PROPN/NNP/-/B-GPE ./1/punct/PUNCT/./-/-",
    )
    assert {actor for actor, _ in dyads(coded(doc), "RETREAT")} == {"KEN"}


def test_roles_a_weapon_that_kills_is_no_actor(nlp) -> None:  # type: ignore[no-untyped-def]
    # Kenya mourned. A bomb killed five villagers in Kenya. (the attacker is unsaid, even in a story
    # about Kenya: no country for the bomb)
    doc = parse(
        nlp,
        "Kenya/1/nsubj/PROPN/NNP/-/B-GPE mourned/1/ROOT/VERB/VBD/mourn/- ./1/punct/PUNCT/./-/-",
        "A/1/det/DET/DT/-/- bomb/2/nsubj/NOUN/NN/-/- killed/2/ROOT/VERB/VBD/kill/- five/4/nummod/NUM/CD/-/- "
        "villagers/2/dobj/NOUN/NNS/villager/- in/2/prep/ADP/IN/-/- Kenya/5/pobj/PROPN/NNP/-/B-GPE "
        "./2/punct/PUNCT/./-/-",
    )
    events = [e for e in coded(doc) if e.event_type == "ASSAULT"]
    assert events and all(e.actor is None or e.actor.country is None for e in events)


def test_roles_a_judgment_through_a_copula_parsed_as_an_auxiliary(nlp) -> None:  # type: ignore[no-untyped-def]
    # "Being detained is unacceptable," Kenya said.
    doc = parse(
        nlp,
        "Being/1/auxpass/AUX/VBG/be/- detained/3/csubj/VERB/VBN/detain/- is/3/aux/AUX/VBZ/be/- "
        "unacceptable/6/ccomp/ADJ/JJ/-/- ,/6/punct/PUNCT/,/-/- Kenya/6/nsubj/PROPN/NNP/-/B-GPE "
        "said/6/ROOT/VERB/VBD/say/- ./6/punct/PUNCT/./-/-",
    )
    assert {actor for actor, _ in dyads(coded(doc), "ACCUSE")} == {"KEN"}


def test_roles_a_judged_attribute_of_a_predicate_noun(nlp) -> None:  # type: ignore[no-untyped-def]
    # "This is a baseless case," Kenya said.
    doc = parse(
        nlp,
        "This/1/nsubj/PRON/DT/this/- is/7/ccomp/AUX/VBZ/be/- a/4/det/DET/DT/-/- baseless/4/amod/ADJ/JJ/-/- "
        "case/1/attr/NOUN/NN/-/- ,/7/punct/PUNCT/,/-/- Kenya/7/nsubj/PROPN/NNP/-/B-GPE "
        "said/7/ROOT/VERB/VBD/say/- ./7/punct/PUNCT/./-/-",
    )
    assert {actor for actor, _ in dyads(coded(doc), "ACCUSE")} == {"KEN"}


def test_roles_a_deal_reached_with_someone_is_reached_by_both(nlp) -> None:  # type: ignore[no-untyped-def]
    # Kenya reached a deal with Somalia. (one event per direction, docs/annotation.md §4)
    doc = parse(
        nlp,
        "Kenya/1/nsubj/PROPN/NNP/-/B-GPE reached/1/ROOT/VERB/VBD/reach/- a/3/det/DET/DT/-/- "
        "deal/1/dobj/NOUN/NN/-/- with/3/prep/ADP/IN/-/- Somalia/4/pobj/PROPN/NNP/-/B-GPE ./1/punct/PUNCT/./-/-",
    )
    assert dyads(coded(doc), "AGREE") == {("KEN", "SOM"), ("SOM", "KEN")}


def test_roles_the_subject_of_an_adjective_does_its_gerund(nlp) -> None:  # type: ignore[no-untyped-def]
    # Kenya is close to signing a deal with Somalia.
    doc = parse(
        nlp,
        "Kenya/1/nsubj/PROPN/NNP/-/B-GPE is/1/ROOT/AUX/VBZ/be/- close/1/acomp/ADJ/JJ/-/- to/2/prep/ADP/IN/-/- "
        "signing/3/pcomp/VERB/VBG/sign/- a/6/det/DET/DT/-/- deal/4/dobj/NOUN/NN/-/- with/6/prep/ADP/IN/-/- "
        "Somalia/7/pobj/PROPN/NNP/-/B-GPE ./1/punct/PUNCT/./-/-",
    )
    assert ("KEN", "SOM") in dyads(coded(doc), "AGREE")


def test_roles_countries_listed_as_an_apposition_are_each_a_side(nlp) -> None:  # type: ignore[no-untyped-def]
    # Kenya, Uganda and Rwanda condemned the coup. (parsed as Kenya with the apposition "Uganda and Rwanda")
    doc = parse(
        nlp,
        "Kenya/5/nsubj/PROPN/NNP/-/B-GPE ,/0/punct/PUNCT/,/-/- Uganda/0/appos/PROPN/NNP/-/B-GPE "
        "and/2/cc/CCONJ/CC/-/- Rwanda/2/conj/PROPN/NNP/-/B-GPE condemned/5/ROOT/VERB/VBD/condemn/- "
        "the/7/det/DET/DT/-/- coup/5/dobj/NOUN/NN/-/- ./5/punct/PUNCT/./-/-",
    )
    assert {actor for actor, _ in dyads(coded(doc), "ACCUSE")} == {"KEN", "UGA", "RWA"}


def test_roles_both_countries_are_countries_not_an_alliance(nlp) -> None:  # type: ignore[no-untyped-def]
    # Uganda and Kenya met NATO. Both countries criticized Somalia.
    doc = parse(
        nlp,
        "Uganda/3/nsubj/PROPN/NNP/-/B-GPE and/0/cc/CCONJ/CC/-/- Kenya/0/conj/PROPN/NNP/-/B-GPE "
        "met/3/ROOT/VERB/VBD/meet/- NATO/3/dobj/PROPN/NNP/-/B-ORG ./3/punct/PUNCT/./-/-",
        "Both/1/det/DET/DT/both/- countries/2/nsubj/NOUN/NNS/country/- criticized/2/ROOT/VERB/VBD/criticize/- "
        "Somalia/2/dobj/PROPN/NNP/-/B-GPE ./2/punct/PUNCT/./-/-",
    )
    assert {actor for actor, _ in dyads(coded(doc), "ACCUSE")} == {"KEN", "UGA"}


def test_roles_a_noun_undergoes_its_passive_participle_and_armed_backing_is_aid(nlp) -> None:  # type: ignore[no-untyped-def]
    # Somali soldiers supported by Kenya attacked the rebels.
    doc = parse(
        nlp,
        "Somali/1/amod/ADJ/JJ/-/B-NORP soldiers/5/nsubj/NOUN/NNS/soldier/- supported/1/acl/VERB/VBN/support/- "
        "by/2/agent/ADP/IN/-/- Kenya/3/pobj/PROPN/NNP/-/B-GPE attacked/5/ROOT/VERB/VBD/attack/- "
        "the/7/det/DET/DT/-/- rebels/5/dobj/NOUN/NNS/rebel/- ./5/punct/PUNCT/./-/-",
    )
    events = coded(doc)
    assert ("KEN", "SOM") in dyads(events, "AID")
    assert not dyads(events, "SUPPORT")

"""The knowledge base: loading, name lookup, adjectives, dated offices and user override files."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from tocsin.errors import ConfigError
from tocsin.kb import load_kb, load_overrides

DAY = date(2022, 2, 15)


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "actors.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_kb_load_kb_loads_countries_roles_and_people() -> None:
    kb = load_kb()
    assert len(kb.countries) > 190
    assert kb.countries["RUS"].name == "Russia"
    assert kb.roles["troops"] == "MIL"
    assert kb.lookup("Putin", DAY)[0].kb_id == "vladimir-putin"


@pytest.mark.parametrize(
    ("text", "kind", "country", "sector"),
    [
        ("the Kremlin", "institution", "RUS", ("GOV",)),
        ("the Pentagon", "institution", "USA", ("MIL",)),
        ("the White House", "institution", "USA", ("GOV",)),
        ("NATO", "igo", "NATO", ("IGO",)),
        ("U.S.", "country", "USA", ()),
        ("US", "country", "USA", ()),
        ("Kyiv", "country", "UKR", ()),
        ("Kiev", "country", "UKR", ()),
    ],
)
def test_kb_lookup_resolves_aliases(text: str, kind: str, country: str, sector: tuple[str, ...]) -> None:
    entry = load_kb().lookup(text, DAY)[0]
    assert (entry.kind, entry.country, entry.sector) == (kind, country, sector)


def test_kb_lookup_nato_is_the_alliance() -> None:
    assert load_kb().lookup("NATO")[0].kb_id == "nato"


def test_kb_lookup_lowercase_us_is_not_a_country() -> None:
    assert load_kb().lookup("us") == []


@pytest.mark.parametrize(
    ("word", "country"),
    [("Russian", "RUS"), ("Ukrainians", "UKR"), ("British", "GBR"), ("American", "USA"), ("Iraqi", "IRQ")],
)
def test_kb_country_of_adjectives_and_demonyms(word: str, country: str) -> None:
    assert load_kb().country_of(word) == country


def test_kb_country_of_unknown_word_is_none() -> None:
    assert load_kb().country_of("Martian") is None


@pytest.mark.parametrize(("day", "name"), [(date(2022, 2, 15), "Olaf Scholz"), (date(2019, 6, 1), "Angela Merkel")])
def test_kb_officeholder_german_chancellor_on_a_date(day: date, name: str) -> None:
    holder = load_kb().officeholder("DEU", "chancellor", day)
    assert holder is not None
    assert holder.name == name


def test_kb_officeholder_us_president_changes_between_dates() -> None:
    kb = load_kb()
    before = kb.officeholder("USA", "president", date(2022, 1, 1))
    after = kb.officeholder("USA", "president", date(2025, 6, 1))
    assert before is not None and after is not None
    assert before.kb_id != after.kb_id


def test_kb_officeholder_later_spell_is_a_different_entry() -> None:
    kb = load_kb()
    first = kb.officeholder("USA", "president", date(2018, 6, 1))
    second = kb.officeholder("USA", "president", date(2025, 6, 1))
    assert first is not None and second is not None
    assert first.kb_id == second.kb_id == "donald-trump"
    assert first != second
    assert first.holds_office_on(date(2018, 6, 1)) and not first.holds_office_on(date(2025, 6, 1))


def test_kb_officeholder_unknown_title_is_none() -> None:
    assert load_kb().officeholder("DEU", "emperor", DAY) is None


@pytest.mark.parametrize(("day", "office"), [(date(2010, 1, 1), "head_of_government"), (DAY, "head_of_state")])
def test_kb_lookup_person_returns_the_spell_in_office(day: date, office: str) -> None:
    entry = load_kb().lookup("Putin", day)[0]
    assert entry.kb_id == "vladimir-putin"
    assert entry.office == office


def test_kb_lookup_person_out_of_office_still_found() -> None:
    entry = load_kb().lookup("Merkel", DAY)[0]
    assert entry.kb_id == "angela-merkel"
    assert not entry.holds_office_on(DAY)


GOOD = """\
- name: Jane Roe
  aliases: [Roe]
  country: GBR
  sector: GOV
  title: home secretary
  start: 2024-07-05
"""


def test_kb_load_overrides_reads_a_person(tmp_path: Path) -> None:
    ((entry, aliases),) = load_overrides(write(tmp_path, GOOD))
    assert (entry.name, entry.kind, entry.country, entry.sector) == ("Jane Roe", "person", "GBR", ("GOV",))
    assert entry.start == date(2024, 7, 5)
    assert aliases == ["Roe"]


def test_kb_load_kb_overrides_add_person_and_alias(tmp_path: Path) -> None:
    kb = load_kb(overrides=(str(write(tmp_path, GOOD)),))
    assert kb.lookup("Roe", date(2025, 1, 1))[0].name == "Jane Roe"
    holder = kb.officeholder("GBR", "home secretary", date(2025, 1, 1))
    assert holder is not None and holder.name == "Jane Roe"


def test_kb_load_kb_overrides_leave_the_default_kb_alone(tmp_path: Path) -> None:
    load_kb(overrides=(str(write(tmp_path, GOOD)),))
    assert load_kb().lookup("Jane Roe") == []


def test_kb_load_overrides_institution_kind(tmp_path: Path) -> None:
    path = write(tmp_path, "- name: Harbour Watch\n  kind: institution\n  country: GBR\n  sector: NGO\n")
    kb = load_kb(overrides=(str(path),))
    entry = kb.lookup("Harbour Watch")[0]
    assert (entry.kind, entry.country, entry.sector) == ("institution", "GBR", ("NGO",))


def test_kb_load_kb_override_wins_over_shipped_entry(tmp_path: Path) -> None:
    path = write(tmp_path, "- name: Kremlin\n  kind: institution\n  country: RUS\n  sector: SPY\n")
    assert load_kb(overrides=(str(path),)).lookup("the Kremlin")[0].sector == ("SPY",)


def test_kb_load_overrides_not_a_list(tmp_path: Path) -> None:
    path = write(tmp_path, "name: Jane Roe\ncountry: GBR\n")
    with pytest.raises(ConfigError, match="must be a YAML list") as info:
        load_overrides(path)
    assert str(path) in str(info.value)


def test_kb_load_overrides_invalid_yaml(tmp_path: Path) -> None:
    path = write(tmp_path, "- name: [Jane Roe\n  country: GBR\n")
    with pytest.raises(ConfigError, match="not valid YAML") as info:
        load_overrides(path)
    assert str(path) in str(info.value)


BAD_ENTRIES = {
    "missing country": ("- name: Jane Roe\n  sector: GOV\n", "country"),
    "missing sector": ("- name: Jane Roe\n  country: GBR\n", "sector"),
    "bad sector": ("- name: Jane Roe\n  country: GBR\n  sector: XYZ\n", "sector"),
    "bad date": ('- name: Jane Roe\n  country: GBR\n  sector: GOV\n  start: "2024-13-01"\n', "start"),
    "slash date": ("- name: Jane Roe\n  country: GBR\n  sector: GOV\n  start: 05/01/2024\n", "start"),
    "end before start": (
        "- name: Jane Roe\n  country: GBR\n  sector: GOV\n  start: 2024-05-01\n  end: 2023-01-01\n",
        "end",
    ),
    "bad kind": ("- name: Jane Roe\n  kind: country\n  country: GBR\n  sector: GOV\n", "kind"),
    "bad country": ("- name: Jane Roe\n  country: Britain\n  sector: GOV\n", "country"),
    "bad office": ("- name: Jane Roe\n  country: GBR\n  sector: GOV\n  office: emperor\n", "office"),
}


@pytest.mark.parametrize(("text", "field"), BAD_ENTRIES.values(), ids=BAD_ENTRIES.keys())
def test_kb_load_overrides_bad_entry_names_file_line_and_field(tmp_path: Path, text: str, field: str) -> None:
    good = "- name: John Doe\n  country: USA\n  sector: BUS\n"
    path = write(tmp_path, good + text)  # the bad entry starts on line 4
    with pytest.raises(ConfigError) as info:
        load_overrides(path)
    assert f"{path}:4:" in str(info.value)
    assert f"'{field}'" in str(info.value)


def test_kb_load_kb_rejects_a_bad_override_file(tmp_path: Path) -> None:
    path = write(tmp_path, "- name: Jane Roe\n  country: GBR\n  sector: XYZ\n")
    with pytest.raises(ConfigError, match="'sector'"):
        load_kb(overrides=(str(path),))


def test_kb_load_overrides_missing_name_names_the_name_field(tmp_path: Path) -> None:
    path = write(tmp_path, "- country: GBR\n  sector: GOV\n")
    with pytest.raises(ConfigError, match="'name'"):
        load_overrides(path)


def test_kb_load_overrides_unquoted_bad_date_is_a_config_error(tmp_path: Path) -> None:
    path = write(tmp_path, "- name: Jane Roe\n  country: GBR\n  sector: GOV\n  start: 2024-13-01\n")
    with pytest.raises(ConfigError, match=str(path)):
        load_overrides(path)

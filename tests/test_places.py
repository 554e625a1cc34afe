from __future__ import annotations

from datetime import date

import pytest

from tocsin.pipeline import code
from tocsin.places import lookup

PUB = date(2022, 2, 17)


@pytest.mark.parametrize(
    ("name", "country", "lat", "lon"),
    [("Kyiv", "UKR", 50.45, 30.52), ("Kiev", "UKR", 50.45, 30.52), ("Moscow", "RUS", 55.75, 37.62)],
)
def test_places_capital_has_country_and_coordinates(name: str, country: str, lat: float, lon: float) -> None:
    place = lookup(name)
    assert place is not None
    assert place.country == country
    assert (place.lat, place.lon) == (pytest.approx(lat, abs=0.1), pytest.approx(lon, abs=0.1))


@pytest.mark.parametrize(("name", "country"), [("Ukraine", "UKR"), ("Germany", "DEU")])
def test_places_country_has_no_coordinates(name: str, country: str) -> None:
    place = lookup(name)
    assert place is not None
    assert (place.country, place.lat, place.lon) == (country, None, None)


@pytest.mark.parametrize("name", ["Black Sea", "the Black Sea"])
def test_places_sea_is_a_place_of_no_country(name: str) -> None:
    place = lookup(name)
    assert place is not None
    assert (place.name, place.country) == ("Black Sea", None)
    assert place.lat is not None and place.lon is not None


@pytest.mark.parametrize(("name", "country"), [("Kremlin", "RUS"), ("the Kremlin", "RUS"), ("White House", "USA")])
def test_places_seat_of_power_is_in_its_country(name: str, country: str) -> None:
    place = lookup(name)
    assert place is not None and place.country == country


@pytest.mark.parametrize("name", ["kyiv", "KYIV"])
def test_places_lookup_ignores_case(name: str) -> None:
    place = lookup(name)
    assert place is not None and place.name == "Kyiv"


@pytest.mark.parametrize("name", ["Qzxvoltamir", ""])
def test_places_unknown_name_is_none(name: str) -> None:
    assert lookup(name) is None


# --- through the pipeline ----------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "name", "country"),
    [
        ("Putin visited Scholz in Moscow.", "Moscow", "RUS"),
        ("Putin visited Scholz in the Kremlin.", "Kremlin", "RUS"),
        ("Protesters rallied in Tbilisi.", "Tbilisi", "GEO"),
        ("Russian warships held drills in the Black Sea.", "Black Sea", None),
        ("Russian troops shelled a village near Kharkiv.", "Kharkiv", "UKR"),
    ],
)
def test_places_code_sets_event_place(text: str, name: str, country: str | None) -> None:
    places = [e.place for e in code(text, pub_date=PUB)]
    assert places
    assert all(p is not None and (p.name, p.country) == (name, country) for p in places)


@pytest.mark.parametrize("text", ["Putin visited Scholz in Moscow."])
def test_places_code_place_is_not_an_actor(text: str) -> None:
    (event,) = code(text, pub_date=PUB)
    assert event.recipient is not None and event.recipient.text == "Scholz"
    assert event.place is not None and event.place.text == "Moscow"


@pytest.mark.parametrize("text", ["Putin visited Scholz.", "Russia attacked Ukraine on Tuesday."])
def test_places_code_without_place_is_none(text: str) -> None:
    assert [e.place for e in code(text, pub_date=PUB)] == [None]


@pytest.mark.parametrize("text", ["Putin visited Scholz in Moscow."])
def test_places_code_record_has_schema_place(text: str) -> None:
    (event,) = code(text, pub_date=PUB)
    place = event.to_dict()["place"]
    assert list(place) == ["name", "country", "admin1", "lat", "lon"]
    assert (place["name"], place["country"]) == ("Moscow", "RUS")


@pytest.mark.parametrize(
    ("name", "country"),
    [("Ontario", "CAN"), ("Texas", "USA"), ("Borno", "NGA"), ("Xinjiang", "CHN"), ("Georgia", "GEO")],
)
def test_places_a_state_or_province_is_in_its_country_and_a_country_name_wins(name: str, country: str) -> None:
    place = lookup(name)
    assert place is not None and place.country == country  # "Ontario" is not the Californian city


def test_places_known_never_reads_the_cities() -> None:
    from tocsin.places import known

    assert known("Ontario") is not None and known("Premier") is None

"""The REST API against a real uvicorn server over the coded demo stories (fixtures in conftest.py)."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, settings

from tocsin.api import create_app
from tocsin.settings import Settings

#: SCHEMA.md's fields, which every event record carries (null when unknown, never left out).
SCHEMA_KEYS = set(
    "id story_id sentence_id sentence span trigger event_type mode context cameo quad_class intensity actor "
    "recipient asserted_by polarity modality quote date date_text pub_date place confidence coder".split()
)
CLUSTER_KEYS = {"cluster_id", "num_mentions", "num_stories", "num_sources", "status"}
PUTIN = {"text": "Putin met Scholz in Moscow on Tuesday.", "pub_date": "2022-02-17"}


@pytest.fixture(scope="module")
def client(api_server: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=api_server, timeout=30.0) as http:
        yield http


def events(client: httpx.Client, **params: Any) -> dict[str, Any]:
    response = client.get("/api/events", params={"limit": 500, **params})
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


def country(party: dict[str, Any] | None) -> str | None:
    return party["country"] if party else None


def test_api_health_counts_the_store(client: httpx.Client) -> None:
    body = client.get("/api/health").json()
    assert body["ok"] is True
    assert body["stories"] == 8
    assert body["events"] > 0


def test_api_events_pages_keep_the_total(client: httpx.Client) -> None:
    first, second = events(client, limit=5, offset=0), events(client, limit=5, offset=5)
    assert first["total"] == second["total"] == events(client)["total"] > 10
    assert (first["limit"], second["offset"]) == (5, 5)
    assert len(first["items"]) == len(second["items"]) == 5
    assert {e["id"] for e in first["items"]}.isdisjoint(e["id"] for e in second["items"])


def test_api_events_have_the_schema_fields(client: httpx.Client) -> None:
    for event in events(client)["items"]:
        assert set(event) >= SCHEMA_KEYS | CLUSTER_KEYS, event["id"]


@pytest.mark.parametrize(
    ("params", "check"),
    [
        ({"actor": "RUS"}, lambda e: country(e["actor"]) == "RUS"),
        ({"actor": "rus"}, lambda e: country(e["actor"]) == "RUS"),
        ({"recipient": "UKR"}, lambda e: country(e["recipient"]) == "UKR"),
        ({"type": "ACCUSE"}, lambda e: e["event_type"] == "ACCUSE"),
        ({"since": "2024-01-01"}, lambda e: e["date"] is not None and e["date"] >= "2024-01-01"),
        ({"until": "2022-12-31"}, lambda e: e["date"] is not None and e["date"] <= "2022-12-31"),
        ({"since": "2022-02-15", "until": "2022-02-15"}, lambda e: e["date"] == "2022-02-15"),
        ({"status": "unverified"}, lambda e: e["status"] == "unverified"),
        ({"actor": "RUS", "type": "RETREAT"}, lambda e: (country(e["actor"]), e["event_type"]) == ("RUS", "RETREAT")),
    ],
)
def test_api_events_filter(client: httpx.Client, params: dict[str, str], check: Any) -> None:
    everything, body = events(client)["items"], events(client, **params)
    assert body["total"] == len(body["items"]) == sum(map(check, everything)) > 0
    assert all(check(e) for e in body["items"]), params


def test_api_events_filter_by_cluster(client: httpx.Client) -> None:
    cluster = events(client, limit=1)["items"][0]["cluster_id"]
    found = events(client, cluster=cluster)["items"]
    assert found
    assert {e["cluster_id"] for e in found} == {cluster}


def test_api_story_spans_index_its_text(client: httpx.Client) -> None:
    body = client.get("/api/stories/demo-001").json()
    text = body["story"]["text"]
    assert body["story"]["id"] == "demo-001"
    assert body["events"]
    for event in body["events"]:
        start, end = event["span"]
        assert text[start:end] == event["sentence"]
    assert any("judge Russia by its actions" in q["text"] for q in body["quotes"])


def test_api_unknown_story_is_404(client: httpx.Client) -> None:
    response = client.get("/api/stories/no-such-story")
    assert response.status_code == 404
    assert "no-such-story" in response.json()["error"]


def test_api_dyads_and_network_agree(client: httpx.Client) -> None:
    dyads = client.get("/api/dyads").json()["items"]
    assert {"actor": "RUS", "recipient": "DEU"} in [{"actor": d["actor"], "recipient": d["recipient"]} for d in dyads]
    network = client.get("/api/network").json()
    nodes = {n["id"] for n in network["nodes"]}
    assert network["edges"]
    assert all({e["source"], e["target"]} <= nodes for e in network["edges"])


def test_api_series_of_listed_dyads_count_their_dated_events(client: httpx.Client) -> None:
    dyads = client.get("/api/dyads", params={"limit": 5}).json()["items"]
    assert dyads
    for dyad in dyads:
        pair = {"actor": dyad["actor"], "recipient": dyad["recipient"]}
        body = client.get("/api/series", params=pair).json()
        dated = [e for e in events(client, **pair)["items"] if e["date"]]
        assert sum(item["events"] for item in body["items"]) == len(dated), pair
        assert isinstance(body["alerts"], list)


def test_api_say_do_of_an_actor(client: httpx.Client) -> None:
    items = client.get("/api/say-do", params={"actor": "RUS"}).json()["items"]
    assert items
    assert {item["actor"] for item in items} == {"RUS"}
    assert {"date", "say", "do", "gap"} <= set(items[0])


def test_api_contradictions_find_the_retreat_claim_and_mark_it_disputed(client: httpx.Client) -> None:
    found = client.get("/api/contradictions").json()["items"]
    claim = next(c for c in found if c["event_type"] == "RETREAT" and c["claim_by"] == "RUS")
    assert claim["denial_by"] == "NATO"
    disputed = events(client, status="disputed")["items"]
    assert claim["claim_id"] in {e["id"] for e in disputed}


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer wrong-token"}, {"Authorization": "test-token x"}])
def test_api_code_needs_the_token(client: httpx.Client, headers: dict[str, str]) -> None:
    assert client.post("/api/code", json=PUTIN, headers=headers).status_code == 401


def test_api_code_codes_a_posted_text(client: httpx.Client) -> None:
    response = client.post("/api/code", json=PUTIN, headers={"Authorization": "Bearer test-token"})
    assert response.status_code == 200, response.text
    coded = response.json()["events"]
    assert [(e["event_type"], e["actor"]["country"], e["recipient"]["country"]) for e in coded] == [
        ("CONSULT", "RUS", "DEU")
    ]
    assert coded[0]["date"] == "2022-02-15"


def test_api_code_is_off_without_a_token(demo_db: str, serve: Any, make_app: Any) -> None:
    with serve(make_app(Settings(db=demo_db))) as base_url:
        response = httpx.post(f"{base_url}/api/code", json=PUTIN, headers={"Authorization": "Bearer x"})
    assert response.status_code == 403


def test_api_refuses_a_large_body(demo_db: str, serve: Any, make_app: Any) -> None:
    with serve(make_app(Settings(db=demo_db, token="t", max_body=1000))) as base_url:
        big = {"text": "Putin met Scholz. " * 100}
        response = httpx.post(f"{base_url}/api/code", json=big, headers={"Authorization": "Bearer t"})
    assert response.status_code == 413


def test_api_refuses_a_large_chunked_body(demo_db: str, serve: Any, make_app: Any) -> None:
    chunks = [b'{"text": "', *[b"Putin met Scholz. "] * 100, b'"}']
    with serve(make_app(Settings(db=demo_db, token="t", max_body=1000))) as base_url:
        response = httpx.post(f"{base_url}/api/code", content=iter(chunks),
                              headers={"Authorization": "Bearer t", "Content-Type": "application/json"})  # fmt: skip
    assert response.status_code == 413


def test_api_cors_is_off_by_default(client: httpx.Client) -> None:
    response = client.get("/api/health", headers={"Origin": "http://example.test"})
    assert "access-control-allow-origin" not in response.headers


def test_api_cors_allows_listed_origins_only(demo_db: str, serve: Any, make_app: Any) -> None:
    with serve(make_app(Settings(db=demo_db, cors="http://example.test"))) as base_url:
        allowed = httpx.get(f"{base_url}/api/health", headers={"Origin": "http://example.test"})
        other = httpx.get(f"{base_url}/api/health", headers={"Origin": "http://other.test"})
    assert allowed.headers["access-control-allow-origin"] == "http://example.test"
    assert "access-control-allow-origin" not in other.headers


def test_api_openapi_lists_the_event_types(client: httpx.Client) -> None:
    parameters = client.get("/openapi.json").json()["paths"]["/api/events"]["get"]["parameters"]
    kind = next(p for p in parameters if p["name"] == "type")
    assert "ASSAULT" in str(kind["schema"].get("enum") or kind["schema"].get("anyOf"))


# --- schemathesis: every documented operation, generated inputs, never a 5xx ------------------------------------


# The schema comes from an app over an empty in-memory store (it does not depend on the data), built at import
# because schemathesis.pytest.from_fixture fails on pytest 9 (it reads the removed Node._nodeid). Each call then
# goes to an app over a copy of the demo store: /api/contradictions writes to its store.
# create_app starts threads (warming the coder, marking disputed claims): they are joined at once, because a
# thread still running while pytest rewrites test modules crashed collection under xdist ("SystemError: AST
# constructor recursion depth mismatch": CPython 3.11.7's AST checks are not thread-safe).
_before = set(threading.enumerate())
_schema_source = create_app(Settings(db="sqlite://"))
for _worker in set(threading.enumerate()) - _before:
    _worker.join(timeout=60)
schema = schemathesis.openapi.from_asgi("/openapi.json", _schema_source)


@pytest.fixture(scope="module")
def schema_app(demo_db: str, tmp_path_factory: pytest.TempPathFactory, make_app: Any) -> Any:
    db = str(tmp_path_factory.mktemp("schema") / "schema.db")
    with sqlite3.connect(demo_db) as source, sqlite3.connect(db) as target:
        source.backup(target)
    return make_app(Settings(db=db, token="t"))


# POST /api/code is left out: each example parses a generated text with spaCy (slow, and its run time varies
# with the text), and without a token it only answers 401; its validation and auth are tested above.
# negative_data_rejection is off: pydantic parses dates leniently, so `until=0` is 1970-01-01, not an error.
# GET /api/alerts/stream is left out: an event stream stays open for minutes (tested in test_alerts.py).
@schema.exclude(method="POST", path="/api/code").exclude(path="/api/alerts/stream").parametrize()
@settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_api_schema(case: Any, schema_app: Any) -> None:
    lenient = [schemathesis.checks.negative_data_rejection]
    case.call_and_validate(app=schema_app, excluded_checks=lenient)

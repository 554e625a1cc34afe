"""Every error the API answers has one shape: {"ok": false, "error": str, "errors": [str], "status": int}."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tocsin.settings import Settings

PUTIN = {"text": "Putin met Scholz in Moscow on Tuesday.", "pub_date": "2022-02-17"}


@pytest.fixture(scope="module")
def client(api_server: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=api_server, timeout=30.0) as http:
        yield http


def assert_error_shape(response: httpx.Response, status: int) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"ok", "error", "errors", "status"}, body
    assert body["ok"] is False
    assert isinstance(body["error"], str)
    assert body["error"]
    assert isinstance(body["errors"], list)
    assert body["errors"]
    assert all(isinstance(e, str) for e in body["errors"])
    assert type(body["status"]) is int
    assert body["status"] == status


@pytest.mark.parametrize(
    ("method", "path", "kwargs", "status"),
    [
        ("GET", "/api/stories/no-such-story", {}, 404),
        ("GET", "/api/events?limit=0", {}, 422),
        ("GET", "/api/events?limit=501", {}, 422),
        ("GET", "/api/events?offset=-1", {}, 422),
        ("GET", "/api/events?type=NOPE", {}, 422),
        ("GET", "/api/events?status=wrong", {}, 422),
        ("GET", "/api/events?since=not-a-date", {}, 422),
        ("GET", "/api/events?cluster=-1", {}, 422),
        ("GET", "/api/series?actor=RUS", {}, 422),
        ("GET", "/api/series?actor=RUS&recipient=UKR&freq=Y", {}, 422),
        ("GET", "/api/say-do", {}, 422),
        ("POST", "/api/code", {"json": PUTIN}, 401),
        ("POST", "/api/code", {"json": PUTIN, "headers": {"Authorization": "Bearer wrong"}}, 401),
        ("POST", "/api/code", {"json": {"text": ""}, "headers": {"Authorization": "Bearer test-token"}}, 422),
        ("POST", "/api/code", {"content": b"{not json", "headers": {"Authorization": "Bearer test-token",
                                                                     "Content-Type": "application/json"}}, 422),
    ],
)  # fmt: skip
def test_error_shape_of_api_errors(
    client: httpx.Client, method: str, path: str, kwargs: dict[str, Any], status: int
) -> None:
    assert_error_shape(client.request(method, path, **kwargs), status)


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [("GET", "/api/no-such-route", 404), ("GET", "/static/no-such-file.js", 404), ("DELETE", "/api/events", 405)],
)
def test_error_shape_of_routing_errors(client: httpx.Client, method: str, path: str, status: int) -> None:
    assert_error_shape(client.request(method, path), status)


def test_error_shape_of_coding_switched_off(demo_db: str, serve: Any, make_app: Any) -> None:
    with serve(make_app(Settings(db=demo_db))) as base_url:
        assert_error_shape(httpx.post(f"{base_url}/api/code", json=PUTIN), 403)


def test_error_shape_of_a_large_body(demo_db: str, serve: Any, make_app: Any) -> None:
    with serve(make_app(Settings(db=demo_db, token="t", max_body=1000))) as base_url:
        response = httpx.post(f"{base_url}/api/code", json={"text": "x" * 2000}, headers={"Authorization": "Bearer t"})
    assert_error_shape(response, 413)


@pytest.mark.parametrize(
    ("path", "method", "status"),
    [("/api/stories/{story_id}", "get", "404"), ("/api/code", "post", "401"), ("/api/code", "post", "403"),
     ("/api/code", "post", "413")],
)  # fmt: skip
def test_error_shape_errors_are_documented(client: httpx.Client, path: str, method: str, status: str) -> None:
    assert status in client.get("/openapi.json").json()["paths"][path][method]["responses"]


@pytest.mark.parametrize(
    "path",
    [f"/api/events?cluster={2**64}", f"/api/events?offset={2**63}", f"/api/events.csv?cluster={2**40}",
     "/api/events?actor=Atlantis%20Republic", "/api/events?sort=colour"],
)  # fmt: skip
def test_error_shape_of_numbers_out_of_range_and_unknown_names(client: httpx.Client, path: str) -> None:
    assert_error_shape(client.get(path), 422)


def test_error_shape_of_a_refused_cors_preflight(demo_db: str, serve: Any, make_app: Any) -> None:
    with serve(make_app(Settings(db=demo_db, cors="http://example.test"))) as base_url:
        preflight = {"Access-Control-Request-Method": "GET"}
        refused = httpx.options(f"{base_url}/api/events", headers={"Origin": "http://other.test", **preflight})
        allowed = httpx.options(f"{base_url}/api/events", headers={"Origin": "http://example.test", **preflight})
    assert_error_shape(refused, 400)
    assert "origin" in refused.json()["error"]
    assert allowed.status_code == 200
    assert allowed.headers["access-control-allow-origin"] == "http://example.test"


def test_error_shape_of_a_store_error(demo_db: str, tmp_path: Any, serve: Any, make_app: Any) -> None:
    import sqlite3

    db = tmp_path / "broken.db"
    with sqlite3.connect(demo_db) as source, sqlite3.connect(db) as target:
        source.backup(target)
    with serve(make_app(Settings(db=str(db)))) as base_url:
        db.write_bytes(b"this is no longer a database " * 200)  # the disk under a running server went bad
        for path in ("/api/events", "/api/dyads", "/api/actors", "/api/contradictions"):
            response = httpx.get(f"{base_url}{path}")
            assert_error_shape(response, 503)
            assert str(db) in response.json()["error"]

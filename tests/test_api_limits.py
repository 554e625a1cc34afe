"""POST /api/code: bounded work per request, extreme dates, and the reasons a text gave no events (issue #13)."""

from __future__ import annotations

from typing import Any

import httpx

from tocsin.settings import Settings

AUTH = {"Authorization": "Bearer t"}


def test_api_code_refuses_a_text_over_max_code_chars(demo_db: str, serve: Any, make_app: Any) -> None:
    with serve(make_app(Settings(db=demo_db, token="t", max_code_chars=2_000))) as base_url:
        long = httpx.post(f"{base_url}/api/code", json={"text": "Putin hit Scholz. " * 200}, headers=AUTH)
        short = httpx.post(f"{base_url}/api/code", json={"text": "Putin hit Scholz. " * 100}, headers=AUTH)
    assert long.status_code == 413
    assert long.json()["ok"] is False and "2,000-character limit" in long.json()["error"]
    assert short.status_code == 200 and len(short.json()["events"]) == 100


def test_api_code_takes_extreme_dates_and_says_why_nothing_was_coded(demo_db: str, serve: Any, make_app: Any) -> None:
    with serve(make_app(Settings(db=demo_db, token="t"))) as base_url:
        url = f"{base_url}/api/code"
        said = "Putin visited Scholz on Tuesday."
        answers = [httpx.post(url, json={"text": said, "pub_date": day}, headers=AUTH, timeout=60)
                   for day in ("0001-01-01", "9999-12-31")]  # fmt: skip
        text = "Le président russe a rencontré le chancelier allemand à Moscou mardi."
        french = httpx.post(url, json={"text": text}, headers=AUTH, timeout=60)
    assert [a.status_code for a in answers] == [200, 200], [a.text for a in answers]
    assert [e["event_type"] for a in answers for e in a.json()["events"]] == ["CONSULT", "CONSULT"]
    assert french.json()["events"] == []
    assert [p["reason"] for p in french.json()["problems"]] == ["not-english"]

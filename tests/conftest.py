"""Shared fixtures only."""

from __future__ import annotations

from pathlib import Path

import pytest

SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"


@pytest.fixture(scope="session")
def nlp():  # type: ignore[no-untyped-def]
    """The real spaCy pipeline, loaded once per test process."""
    from tocsin.nlp import load

    return load()


@pytest.fixture(autouse=True)
def _tocsin_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Keep every test's files and environment to itself."""
    monkeypatch.setenv("TOCSIN_DB", str(tmp_path / "tocsin.db"))

"""The README documents every command and setting; the public API is what __all__ says."""

from __future__ import annotations

import dataclasses
import types
from pathlib import Path

import pytest

import tocsin
from tocsin.cli import cli
from tocsin.settings import Settings

README = (Path(__file__).resolve().parents[1] / "README.md").read_text()


def test_docs_readme_opens_with_the_contract() -> None:
    head = README.split("\n## ")[0]
    assert "make run" in head
    assert "make test" in head


@pytest.mark.parametrize("name", sorted(cli.commands))
def test_docs_every_command_is_documented(name: str) -> None:
    assert f"`tocsin {name}" in README
    assert cli.commands[name].help and "Example:" in cli.commands[name].help


@pytest.mark.parametrize("field", [f.name for f in dataclasses.fields(Settings)])
def test_docs_every_setting_is_documented(field: str) -> None:
    assert f"| `{field}` |" in README


def test_docs_all_exports_exist() -> None:
    assert all(hasattr(tocsin, name) for name in tocsin.__all__)
    public = {n for n, v in vars(tocsin).items() if not n.startswith("_") and not isinstance(v, types.ModuleType)}
    assert public == set(tocsin.__all__) - {"__version__"}

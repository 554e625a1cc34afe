"""tocsin's exceptions.

* TocsinError
  x InputError    one bad document: readers turn it into a Problem, the batch goes on
  x ConfigError   bad settings, a missing model package, an unreadable data file
  x StoreError    database unreachable, locked or full: the run stops cleanly and can resume
"""

from __future__ import annotations


class TocsinError(Exception):
    """Base class of every error tocsin raises on purpose."""


class InputError(TocsinError):
    """One document cannot be used. ``reason`` is a stable Problem reason."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(detail)
        self.reason = reason
        self.detail = detail


class ConfigError(TocsinError):
    """Settings, model packages or data files are wrong; the message names the fix."""


class StoreError(TocsinError):
    """The store cannot be written or read; the run stops and can be resumed."""

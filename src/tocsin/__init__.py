"""tocsin: news in, political event data out — offline, one install.

The public API::

    import tocsin
    events = tocsin.code(raw_text, pub_date=date(2022, 2, 15))      # list[Event]
    rows = [e.to_row() for e in events]                              # pandas.DataFrame(rows)
    for event in tocsin.code_many(stories):                          # streamed
        ...
    quotes = tocsin.quotes(raw_text, pub_date=...)                   # who said what
    story = tocsin.clean(raw_text)                                   # cleaned Story
    for item in tocsin.read("stories.jsonl"):                        # Story or Problem, streamed
        ...
"""

import logging as _logging
from importlib.metadata import PackageNotFoundError as _PackageNotFoundError
from importlib.metadata import version as _version

from .errors import ConfigError, InputError, StoreError, TocsinError
from .pipeline import Summary, clean, code, code_many, quotes
from .readers import read
from .records import Actor, Event, Place, Problem, Quote, Removal, Sentence, Story
from .settings import Settings

try:
    __version__ = _version("tocsin")
except _PackageNotFoundError:  # running from a source tree that was not installed
    __version__ = "0.0.0"

_logging.getLogger(__name__).addHandler(_logging.NullHandler())

__all__ = [
    "Actor",
    "ConfigError",
    "Event",
    "InputError",
    "Place",
    "Problem",
    "Quote",
    "Removal",
    "Sentence",
    "Settings",
    "StoreError",
    "Story",
    "Summary",
    "TocsinError",
    "__version__",
    "clean",
    "code",
    "code_many",
    "quotes",
    "read",
]

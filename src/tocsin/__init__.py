"""tocsin: news in, political event data out — offline, one install.

The public API::

    import tocsin
    story = tocsin.clean(raw_text, pub_date=date(2022, 2, 15))
    for item in tocsin.read("stories.jsonl"):   # Story or Problem, streamed
        ...
"""

import logging as _logging
from importlib.metadata import PackageNotFoundError as _PackageNotFoundError
from importlib.metadata import version as _version

from .errors import ConfigError, InputError, StoreError, TocsinError
from .pipeline import Summary, clean
from .readers import read
from .records import Problem, Removal, Sentence, Story
from .settings import Settings

try:
    __version__ = _version("tocsin")
except _PackageNotFoundError:  # running from a source tree that was not installed
    __version__ = "0.0.0"

_logging.getLogger(__name__).addHandler(_logging.NullHandler())

__all__ = [
    "ConfigError",
    "InputError",
    "Problem",
    "Removal",
    "Sentence",
    "Settings",
    "StoreError",
    "Story",
    "Summary",
    "TocsinError",
    "__version__",
    "clean",
    "read",
]

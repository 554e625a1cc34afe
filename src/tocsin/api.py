"""The REST API and the dashboard, served by one FastAPI app: ``create_app(settings)``.

Read-only by default. Coding a posted text needs a token, given to the server in
``TOCSIN_TOKEN`` (or a file named by ``TOCSIN_TOKEN_FILE``) and sent by clients as
``Authorization: Bearer <token>``; without a configured token that endpoint is
off. Bodies over ``settings.max_body`` bytes are refused with 413. CORS is off
unless ``settings.cors`` lists origins. Every error has one shape:
``{"ok": false, "error": str, "errors": [str], "status": int}``.

Filtering and paging happen in the database, so the dashboard stays usable on
100,000 stored events.
"""

import hmac
import logging
import threading
from collections.abc import Mapping
from dataclasses import asdict
from datetime import date
from importlib import resources
from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import Depends, FastAPI, Header, HTTPException, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import FileResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from pydantic import BaseModel, Field
from sqlalchemy import Engine
from starlette.exceptions import HTTPException as StarletteHTTPException

from . import store
from .errors import StoreError, TocsinError
from .records import Problem
from .settings import Settings

log = logging.getLogger(__name__)


class ErrorBody(BaseModel):
    """The one shape of every error the API returns."""

    ok: bool = False
    error: str
    errors: list[str]
    status: int


_ERRORS: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorBody, "description": text}
    for status, text in (
        (401, "a valid token is needed"), (403, "coding is off"), (404, "not found"),
        (413, "request body too large"), (422, "the request is not valid"), (503, "the store is unavailable"),
    )
}  # fmt: skip


class BodyLimit:
    """ASGI middleware: refuse bodies over ``limit`` bytes, whether they declare a
    Content-Length or arrive chunked (counted as they are received)."""

    def __init__(self, app: Any, limit: int) -> None:
        self.app, self.limit = app, limit

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        length = dict(scope.get("headers") or []).get(b"content-length", b"")
        if length.isdigit() and int(length) > self.limit:
            response = _error(413, f"the request body is over {self.limit:,} bytes")
            await response(scope, receive, send)
            return
        received = 0

        async def counted() -> Any:
            nonlocal received
            message = await receive()
            received += len(message.get("body", b""))
            if received > self.limit:
                # raised where the route reads its body; FastAPI passes HTTP errors through to our handler
                raise StarletteHTTPException(413, f"the request body is over {self.limit:,} bytes")
            return message

        await self.app(scope, counted, send)


EventType = Literal[
    "AGREE", "CONSULT", "SUPPORT", "CONCEDE", "COOPERATE", "AID", "RETREAT", "REQUEST", "ACCUSE", "REJECT",
    "THREATEN", "PROTEST", "SANCTION", "MOBILIZE", "COERCE", "ASSAULT",
]  # fmt: skip


class CodeRequest(BaseModel):
    """A text to code on the fly."""

    text: str = Field(min_length=1, max_length=200_000, description="the story text")
    pub_date: date | None = Field(default=None, description="publication date, for resolving 'on Tuesday'")
    story_id: str = Field(default="posted", max_length=200)


def _error(
    status: int, message: str, errors: list[str] | None = None, headers: Mapping[str, str] | None = None
) -> JSONResponse:
    body = {"ok": False, "error": message, "errors": errors or [message], "status": status}
    return JSONResponse(body, status, headers=headers)


def _token(settings: Settings) -> str | None:
    if settings.token:
        return settings.token
    if settings.token_file:
        try:
            return Path(settings.token_file).read_text(encoding="utf-8").strip() or None
        except OSError:
            log.warning("cannot read the token file %s", settings.token_file)
    return None


def create_app(settings: Settings | None = None) -> FastAPI:
    """The API and dashboard for the store in ``settings.db``.

    Example: ``uvicorn.run(create_app(Settings(db="news.db")), host="127.0.0.1", port=8000)``.
    """
    settings = settings or Settings.from_env()
    app = FastAPI(title="tocsin", description="Political event data from news: events, actors, signals.",
                  version=_version(), responses=_ERRORS)  # fmt: skip
    engine: Engine = store.open_store(settings.db)
    token = _token(settings)
    web = resources.files("tocsin") / "web"

    def mark_disputed() -> None:
        if token is not None:  # coding is on: load the model and knowledge base before the first request
            from .pipeline import code

            code("Officials met on Monday.", settings=settings)
        try:
            signals = _signals()
            found = signals.contradictions(signals.load_events(settings.db))
            store.mark_disputed(engine, found["claim_cluster"].dropna())
        except Exception:  # a failed refresh must not take the server down; statuses stay as they were
            log.exception("could not refresh disputed clusters")

    # warming the coder and weighing claims against denials take a while: do them beside the server
    starting = threading.Thread(target=mark_disputed, name="tocsin-start", daemon=True)
    starting.start()

    if settings.cors:
        app.add_middleware(CORSMiddleware, allow_origins=[o.strip() for o in settings.cors.split(",")],
                           allow_methods=["GET", "POST"], allow_headers=["Authorization", "Content-Type"])  # fmt: skip

    app.add_middleware(BodyLimit, limit=settings.max_body)

    @app.exception_handler(StarletteHTTPException)  # FastAPI's and Starlette's own 404 and 405 alike
    async def http_error(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
        return _error(exc.status_code, str(exc.detail), headers=exc.headers)  # a 405 keeps its Allow header

    @app.exception_handler(RequestValidationError)
    async def validation_error(_request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()]
        return _error(422, "the request is not valid", errors)

    @app.exception_handler(TocsinError)
    async def tocsin_error(_request: Request, exc: TocsinError) -> JSONResponse:
        return _error(503 if isinstance(exc, StoreError) else 400, str(exc))

    def require_token(authorization: str | None = Header(default=None)) -> None:
        if token is None:
            raise HTTPException(403, "coding is off: start the server with TOCSIN_TOKEN set")
        given = (authorization or "").removeprefix("Bearer ").strip()
        if not hmac.compare_digest(given.encode(), token.encode()):
            raise HTTPException(401, "a valid token is needed: send 'Authorization: Bearer <token>'")

    def filters(
        since: date | None = None,
        until: date | None = None,
        actor: str | None = Query(default=None, max_length=40),
        recipient: str | None = Query(default=None, max_length=40),
        type: Annotated[EventType | None, Query(description="a PLOVER event type")] = None,
        status: str | None = Query(default=None, pattern="^(unverified|corroborated|disputed)$"),
        story: str | None = Query(default=None, max_length=200),
        cluster: int | None = Query(default=None, ge=0),
        limit: int = Query(default=50, ge=1, le=500),
        offset: int = Query(default=0, ge=0),
    ) -> store.Filters:
        return store.Filters(since=since, until=until, actor=actor.upper() if actor else None,
                             recipient=recipient.upper() if recipient else None,
                             types=(type,) if type else (), status=status, story=story,
                             cluster=cluster, limit=limit, offset=offset)  # fmt: skip

    @app.get("/api/health")
    def health() -> dict[str, Any]:
        """Liveness, the store's size, and whether start-up work (warming the coder, weighing
        claims against denials) is done: ``ready``."""
        return {"ok": True, "version": _version(), "ready": not starting.is_alive(), **store.counts(engine)}

    @app.get("/api/events")
    def list_events(chosen: Annotated[store.Filters, Depends(filters)]) -> dict[str, Any]:
        """Stored events, filtered and paged in the database, in date order."""
        total = store.count_events(engine, chosen)
        return {"ok": True, "total": total, "limit": chosen.limit, "offset": chosen.offset,
                "items": list(store.read_events(engine, chosen))}  # fmt: skip

    @app.get("/api/stories/{story_id}")
    def get_story(story_id: str) -> dict[str, Any]:
        """A story with its events (evidence spans index its text) and quotations."""
        story = store.read_story(engine, story_id)
        if story is None:
            raise HTTPException(404, f"no story {story_id!r} in the store")
        events = list(store.read_events(engine, store.Filters(story=story_id)))
        found_quotes = story.pop("quotes")
        return {"ok": True, "story": story, "events": events, "quotes": found_quotes}

    @app.get("/api/actors")
    def list_actors(limit: int = Query(default=100, ge=1, le=1000)) -> dict[str, Any]:
        """The most mentioned actors."""
        return {"ok": True, "items": store.top_actors(engine, limit)}

    @app.get("/api/dyads")
    def list_dyads(limit: int = Query(default=20, ge=1, le=500)) -> dict[str, Any]:
        """The most active dyads (actor → recipient countries)."""
        return {"ok": True, "items": store.dyad_totals(engine, limit=limit)}

    @app.get("/api/network")
    def network(limit: int = Query(default=60, ge=1, le=500)) -> dict[str, Any]:
        """Actors as nodes and dyads as edges, for the network view."""
        edges = store.dyad_totals(engine, limit=limit)
        weight: dict[str, int] = {}
        for edge in edges:
            for side in ("actor", "recipient"):
                weight[edge[side]] = weight.get(edge[side], 0) + edge["events"]
        nodes = [{"id": node, "events": n} for node, n in sorted(weight.items())]
        links = [{"source": e["actor"], "target": e["recipient"], "events": e["events"],
                  "intensity": e["intensity"]} for e in edges]  # fmt: skip
        return {"ok": True, "nodes": nodes, "edges": links}

    @app.get("/api/series")
    def series(actor: str = Query(max_length=40), recipient: str = Query(max_length=40),
               freq: str = Query(default="W", pattern="^(D|W|M)$")) -> dict[str, Any]:  # fmt: skip
        """A dyad's series per period, with its escalation alerts."""
        signals = _signals()
        data = signals.load_events(settings.db, dyad=(actor.upper(), recipient.upper()))
        table = signals.dyad_series(data, freq=freq)
        items = [{"period": period.date().isoformat(), **{k: round(float(v), 3) for k, v in row.items()
                  if k in ("events", "intensity", "q1", "q2", "q3", "q4")}}
                 for (_a, _r, period), row in table.iterrows()]  # fmt: skip
        raised = signals.alerts(data, signals.AlertSettings(freq=freq))
        alerts = [{"period": r.period.date().isoformat(), "z": _finite(r.z), "conflict": r.conflict,
                   "events": list(r.events)} for r in raised.itertuples()]  # fmt: skip
        return {"ok": True, "items": items, "alerts": alerts}

    @app.get("/api/say-do")
    def say_do(actor: str = Query(max_length=40)) -> dict[str, Any]:
        """An actor's say–do gap over rolling 30-day windows (+: talks more cooperatively than it acts)."""
        signals = _signals()
        gap = signals.say_do_gap(signals.load_events(settings.db, actor=actor.upper()))
        items = [{"actor": a, "date": d.date().isoformat(), "say": _finite(r["say"]), "do": _finite(r["do"]),
                  "gap": _finite(r["gap"])} for (a, d), r in gap.iterrows()]  # fmt: skip
        return {"ok": True, "items": items}

    @app.get("/api/contradictions")
    def contradictions(limit: int = Query(default=100, ge=1, le=1000)) -> dict[str, Any]:
        """Claims matched with denials of the same event by others; marks their clusters disputed."""
        signals = _signals()
        found = signals.contradictions(signals.load_events(settings.db))
        store.mark_disputed(engine, found["claim_cluster"].dropna())
        keep = ["event_type", "actor", "claim_id", "claim_by", "claim_date", "claim_sentence", "denial_id",
                "denial_by", "denial_date", "denial_sentence"]  # fmt: skip
        rows = found[keep].head(limit).astype(object).where(found[keep].head(limit).notna(), None)
        items = [{k: (v.date().isoformat() if hasattr(v, "date") else v) for k, v in row.items()}
                 for row in rows.to_dict("records")]  # fmt: skip
        return {"ok": True, "items": items}

    @app.post("/api/code", dependencies=[Depends(require_token)])
    def code_text(body: CodeRequest) -> dict[str, Any]:
        """Code a posted text into events, without storing it (token required)."""
        from .pipeline import code

        if len(body.text) > settings.max_code_chars:  # coding time grows with the text: bound each request's work
            raise HTTPException(413, f"the text is over the {settings.max_code_chars:,}-character limit")
        problems: list[Problem] = []
        events = code(body.text, pub_date=body.pub_date, story_id=body.story_id, settings=settings, problems=problems)
        return {"ok": True, "events": [e.to_dict() for e in events], "problems": [asdict(p) for p in problems]}

    @app.get("/", include_in_schema=False)
    def dashboard() -> FileResponse:
        return FileResponse(str(web / "index.html"))

    @app.get("/favicon.ico", include_in_schema=False)
    def favicon() -> Response:
        return Response(status_code=204)  # no icon, and no 404 in the browser console

    app.mount("/static", StaticFiles(directory=str(web)), name="static")
    return app


def _signals() -> Any:
    from . import signals

    return signals


def _finite(value: Any) -> float | None:
    """JSON has no NaN or infinity: they become null (and a huge z a large number)."""
    number = float(value)
    if number != number:
        return None
    if number in (float("inf"), float("-inf")):
        return 1e9 if number > 0 else -1e9
    return round(number, 4)


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("tocsin")
    except PackageNotFoundError:
        return "0.0.0"

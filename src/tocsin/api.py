"""The REST API and the dashboard, served by one FastAPI app: ``create_app(settings)``.

Read-only: the store is opened for reading only, and neither start-up nor any GET
writes (``tocsin run`` marks disputed clusters where it writes events). Coding a
posted text needs a token, given to the server in
``TOCSIN_TOKEN`` (or a file named by ``TOCSIN_TOKEN_FILE``) and sent by clients as
``Authorization: Bearer <token>``; without a configured token that endpoint is
off. Bodies over ``settings.max_body`` bytes are refused with 413. CORS is off
unless ``settings.cors`` lists origins. Every error has one shape:
``{"ok": false, "error": str, "errors": [str], "status": int}``: store errors,
out-of-range numbers and CORS refusals too. Every response carries
``X-Content-Type-Options``, ``Referrer-Policy`` and a Content-Security-Policy
that allows only this server's own scripts and styles; ``/docs`` serves Swagger UI
from the ``fastapi-offline`` package, so it works on a closed network.

Filtering and paging happen in the database, so the dashboard stays usable on
100,000 stored events.
"""

import asyncio
import csv
import dataclasses
import functools
import hmac
import io
import json
import logging
import threading
from collections.abc import AsyncIterator, Iterator, Mapping
from dataclasses import asdict
from datetime import date
from importlib import resources
from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import Depends, FastAPI, Header, HTTPException, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, Response, StreamingResponse
from fastapi.security import HTTPBearer
from fastapi.staticfiles import StaticFiles
from pydantic import BaseModel, Field
from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError
from starlette.exceptions import HTTPException as StarletteHTTPException

from . import alerts, store
from .errors import ConfigError, StoreError, TocsinError
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
        (400, "refused (a CORS preflight from an origin not allowed)"), (401, "a valid token is needed"),
        (403, "coding is off"), (404, "not found"), (413, "request body too large"),
        (422, "the request is not valid"), (500, "an unexpected server error"), (503, "the store is unavailable"),
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


#: The largest integer a query parameter takes: PostgreSQL's INTEGER, so no database sees an overflow.
MAX_INT = 2**31 - 1

#: Only this server's own scripts, styles and API; no frames, no plugins, no inline script.
CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
       "base-uri 'none'; form-action 'self'; frame-ancestors 'none'")  # fmt: skip
#: Swagger UI sets element styles from its script and draws icons as data: URLs.
DOCS_CSP = ("default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
            "connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")  # fmt: skip
DOCS_PATHS = ("/docs", "/docs-assets/")


class SecurityHeaders:
    """ASGI middleware: security headers on every response, errors included."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        policy = DOCS_CSP if str(scope.get("path", "")).startswith(DOCS_PATHS) else CSP

        async def with_headers(message: Any) -> None:
            if message["type"] == "http.response.start":
                headers = [(k, v) for k, v in message.get("headers", []) if k.lower() != b"content-security-policy"]
                headers += [(b"x-content-type-options", b"nosniff"), (b"referrer-policy", b"no-referrer"),
                            (b"content-security-policy", policy.encode())]  # fmt: skip
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, with_headers)


class TokenGate:
    """ASGI middleware: ``POST /api/code`` needs ``Authorization: Bearer <token>``, checked before
    a byte of the body is read, so an unauthorised client never gets its JSON parsed."""

    def __init__(self, app: Any, token: str | None, paths: tuple[str, ...] = ("/api/code",)) -> None:
        self.app, self.token, self.paths = app, token, paths

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http" and scope.get("path") in self.paths and scope.get("method") != "OPTIONS":
            refusal = self.refusal(dict(scope.get("headers") or []).get(b"authorization", b""))
            if refusal is not None:
                await refusal(scope, receive, send)
                return
        await self.app(scope, receive, send)

    def refusal(self, header: bytes) -> JSONResponse | None:
        if self.token is None:
            return _error(403, "coding is off: start the server with TOCSIN_TOKEN set")
        scheme, _, given = header.decode("latin-1").strip().partition(" ")
        if scheme.lower() != "bearer" or not hmac.compare_digest(given.strip().encode(), self.token.encode()):
            return _error(401, "a valid token is needed: send 'Authorization: Bearer <token>'",
                          headers={"WWW-Authenticate": "Bearer"})  # fmt: skip
        return None


class ShapedCORS(CORSMiddleware):
    """CORS whose refused preflights answer in the one error shape (Starlette's are plain text)."""

    def preflight_response(self, request_headers: Any) -> Response:
        response = super().preflight_response(request_headers)
        if response.status_code < 400:
            return response
        headers = {k: v for k, v in response.headers.items() if k not in ("content-length", "content-type")}
        message = bytes(response.body).decode() or "CORS preflight refused"
        return _error(response.status_code, f"{message}: this origin, method or header is not allowed", headers=headers)


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
    """The API and dashboard for the store in ``settings.db``, which must exist; it is only read.

    Example: ``uvicorn.run(create_app(Settings(db="news.db")), host="127.0.0.1", port=8000)``.

    Raises:
        StoreError: the store does not exist, cannot be read or needs an upgrade.
    """
    settings = settings or Settings.from_env()
    app = FastAPI(title="tocsin", description="Political event data from news: events, actors, signals.",
                  version=_version(), responses=_ERRORS, docs_url=None, redoc_url=None)  # fmt: skip
    engine: Engine = store.open_reader(settings.db)
    token = _token(settings)
    web = resources.files("tocsin") / "web"

    def warm() -> None:  # load the model and knowledge base before the first posted text
        from .pipeline import code

        code("Officials met on Monday.", settings=settings)

    starting = threading.Thread(target=warm, name="tocsin-start", daemon=True)
    if token is not None:
        starting.start()

    # outermost last: security headers on everything, CORS before the token, the token before the body
    app.add_middleware(BodyLimit, limit=settings.max_body)
    app.add_middleware(TokenGate, token=token)
    if settings.cors:
        app.add_middleware(ShapedCORS, allow_origins=[o.strip() for o in settings.cors.split(",")],
                           allow_methods=["GET", "POST"], allow_headers=["Authorization", "Content-Type"])  # fmt: skip
    app.add_middleware(SecurityHeaders)

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

    @app.exception_handler(SQLAlchemyError)
    async def database_error(_request: Request, exc: SQLAlchemyError) -> JSONResponse:
        log.error("store error: %s", exc)
        return _error(503, str(store.store_error(exc, settings.db)))

    @app.exception_handler(Exception)
    async def server_error(_request: Request, exc: Exception) -> JSONResponse:
        log.exception("unexpected error")
        return _error(500, f"unexpected server error ({type(exc).__name__}); the server log has the details")

    def filters(
        since: date | None = None,
        until: date | None = None,
        actor: str | None = Query(default=None, max_length=80, description="a code (RUS) or a name (Russia)"),
        recipient: str | None = Query(default=None, max_length=80, description="a code (UKR) or a name"),
        type: Annotated[EventType | None, Query(description="a PLOVER event type")] = None,
        status: str | None = Query(default=None, pattern="^(unverified|corroborated|disputed)$"),
        story: str | None = Query(default=None, max_length=200),
        cluster: int | None = Query(default=None, ge=0, le=MAX_INT),
        sort: str = Query(default="-date", pattern=store.SORT_PATTERN, description="a column; '-' for descending"),
        limit: int = Query(default=50, ge=1, le=500),
        offset: int = Query(default=0, ge=0, le=MAX_INT),
    ) -> store.Filters:
        return store.Filters(since=since, until=until, actor=_code(actor, settings), types=(type,) if type else (),
                             recipient=_code(recipient, settings), status=status, story=story,
                             cluster=cluster, sort=sort, limit=limit, offset=offset)  # fmt: skip

    @app.get("/api/health")
    def health() -> dict[str, Any]:
        """Liveness, the store's size, whether start-up work (warming the coder) is done
        (``ready``), and the watch's alerts and sources."""
        return {"ok": True, "version": _version(), "ready": not starting.is_alive(), **store.counts(engine),
                **alerts.health(engine)}  # fmt: skip

    @app.get("/api/alerts")
    def list_alerts(
        after: int = Query(default=0, ge=0), limit: int = Query(default=50, ge=1, le=500)
    ) -> dict[str, Any]:
        """Alerts raised by `tocsin watch`, the newest first (``after``: only ids above it)."""
        return {"ok": True, "items": alerts.recent(engine, after=after, limit=limit)}

    @app.get("/api/alerts/stream", response_class=StreamingResponse)
    async def alert_stream(
        request: Request,
        after: int | None = Query(
            default=None, ge=0, description="send alerts with ids above this (default: new ones)"
        ),
        last_event_id: str | None = Header(default=None),
    ) -> StreamingResponse:
        """Server-sent events: one ``alert`` event per new alert, as it is raised (for the dashboard)."""
        start = int(last_event_id) if last_event_id and last_event_id.isdigit() else after
        if start is None:
            start = await run_in_threadpool(alerts.last_id, engine)
        return StreamingResponse(_alert_events(request, engine, start), media_type="text/event-stream",
                                 headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})  # fmt: skip

    @app.get("/api/events")
    def list_events(chosen: Annotated[store.Filters, Depends(filters)]) -> dict[str, Any]:
        """Stored events, filtered, sorted (newest first by default) and paged in the database.

        ``filters`` echoes the actor and recipient codes that names were resolved to."""
        total = store.count_events(engine, chosen)
        return {"ok": True, "total": total, "limit": chosen.limit, "offset": chosen.offset,
                "filters": {"actor": chosen.actor, "recipient": chosen.recipient, "sort": chosen.sort},
                "items": list(store.read_events(engine, chosen))}  # fmt: skip

    @app.get("/api/events.csv", response_class=StreamingResponse,
             responses={200: {"content": {"text/csv": {}}, "description": "the events as CSV"}})  # fmt: skip
    def events_csv(chosen: Annotated[store.Filters, Depends(filters)]) -> StreamingResponse:
        """Every event that passes the filters (no paging), as the CSV of ``tocsin export --format csv``."""
        whole = dataclasses.replace(chosen, limit=None, offset=0)
        headers = {"Content-Disposition": 'attachment; filename="tocsin-events.csv"'}
        return StreamingResponse(_csv_lines(store.read_events(engine, whole)), media_type="text/csv", headers=headers)

    @app.get("/api/stories/{story_id}")
    def get_story(story_id: str) -> dict[str, Any]:
        """A story with its events (evidence spans index its text) and quotations."""
        story = store.read_story(engine, story_id)
        if story is None:
            raise HTTPException(404, f"no story {story_id!r} in the store")
        events = list(store.read_events(engine, store.Filters(story=story_id, sort="date")))
        found_quotes = story.pop("quotes")
        return {"ok": True, "story": story, "events": events, "quotes": found_quotes}

    @app.get("/api/actors")
    def list_actors(limit: int = Query(default=100, ge=1, le=1000)) -> dict[str, Any]:
        """The most mentioned actors."""
        return {"ok": True, "items": store.top_actors(engine, limit)}

    @app.get("/api/dyads")
    def list_dyads(limit: int = Query(default=20, ge=1, le=500)) -> dict[str, Any]:
        """The most active dyads (actor → recipient countries), most events first; ``dated`` counts
        those with a date (only they draw a timeline)."""
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
    def series(actor: str = Query(max_length=80), recipient: str = Query(max_length=80),
               freq: str = Query(default="W", pattern="^(D|W|M)$")) -> dict[str, Any]:  # fmt: skip
        """A dyad's series per period, with its escalation alerts."""
        signals = _signals()
        data = signals.load_events(engine, dyad=(_code(actor, settings), _code(recipient, settings)))
        table = signals.dyad_series(data, freq=freq)
        items = [{"period": period.date().isoformat(), **{k: round(float(v), 3) for k, v in row.items()
                  if k in ("events", "intensity", "q1", "q2", "q3", "q4")}}
                 for (_a, _r, period), row in table.iterrows()]  # fmt: skip
        raised = signals.alerts(data, signals.AlertSettings(freq=freq))
        alerts = [{"period": r.period.date().isoformat(), "observed": r.observed, "expected": round(r.expected, 3),
                   "probability": r.probability, "conflict": r.observed, "events": list(r.event_ids)}
                  for r in raised.itertuples()]  # fmt: skip
        return {"ok": True, "items": items, "alerts": alerts, "undated": table.attrs.get("undated", 0)}

    @app.get("/api/say-do")
    def say_do(actor: str = Query(max_length=80)) -> dict[str, Any]:
        """An actor's say–do gap over rolling 30-day windows (+: talks more cooperatively than it acts)."""
        signals = _signals()
        gap = signals.say_do_gap(signals.load_events(engine, actor=_code(actor, settings)))
        items = [{"actor": a, "date": d.date().isoformat(), "say": _finite(r["say"]), "do": _finite(r["do"]),
                  "gap": _finite(r["gap"])} for (a, d), r in gap.iterrows()]  # fmt: skip
        return {"ok": True, "items": items}

    @app.get("/api/contradictions")
    def contradictions(limit: int = Query(default=100, ge=1, le=1000)) -> dict[str, Any]:
        """Claims matched with denials of the same event by others, computed as asked (nothing is written:
        ``tocsin run`` marks their clusters disputed)."""
        signals = _signals()
        found = signals.contradictions(signals.load_events(engine))
        keep = ["event_type", "actor", "claim_id", "claim_by", "claim_date", "claim_sentence", "denial_id",
                "denial_by", "denial_date", "denial_sentence"]  # fmt: skip
        rows = found[keep].head(limit).astype(object).where(found[keep].head(limit).notna(), None)
        items = [{k: (v.date().isoformat() if hasattr(v, "date") else v) for k, v in row.items()}
                 for row in rows.to_dict("records")]  # fmt: skip
        return {"ok": True, "items": items}

    # documents the scheme, so /docs can send the token; TokenGate has checked it before the body was read
    bearer = HTTPBearer(auto_error=False, description="the server's TOCSIN_TOKEN")

    @app.post("/api/code", responses={401: _ERRORS[401], 403: _ERRORS[403], 413: _ERRORS[413]},
              dependencies=[Depends(bearer)])  # fmt: skip
    def code_text(body: CodeRequest) -> dict[str, Any]:
        """Code a posted text into events, without storing it (``Authorization: Bearer <token>`` required,
        checked before the body is read)."""
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

    @app.get("/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        return HTMLResponse(DOCS_PAGE)

    app.mount("/docs-assets", StaticFiles(directory=str(_swagger_assets())), name="docs-assets")
    app.mount("/static", StaticFiles(directory=str(web)), name="static")
    return app


#: How often the alert stream looks for new alerts, and how long one stream lasts before the
#: browser reconnects (EventSource does, with Last-Event-ID, so nothing is missed).
STREAM_POLL, STREAM_LIFETIME = 1.0, 300.0


async def _alert_events(request: Request, engine: Engine, after: int) -> AsyncIterator[str]:
    loop = asyncio.get_running_loop()
    ends, quiet = loop.time() + STREAM_LIFETIME, loop.time()
    yield f"retry: 2000\nid: {after}\n\n"
    while loop.time() < ends and not await request.is_disconnected():
        found = await run_in_threadpool(alerts.recent, engine, after=after, limit=100, oldest_first=True)
        for alert in found:
            after = alert["id"]
            yield f"id: {after}\nevent: alert\ndata: {json.dumps(alert, ensure_ascii=False)}\n\n"
        if found:
            quiet = loop.time()
        elif loop.time() - quiet > 15:  # a comment line keeps proxies from closing an idle stream
            yield ": keep-alive\n\n"
            quiet = loop.time()
        await asyncio.sleep(STREAM_POLL)


#: Swagger UI from local files; its start-up script is a file too, so the CSP needs no inline script.
DOCS_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>tocsin API</title>
<link rel="icon" href="data:,"><link rel="stylesheet" href="/docs-assets/swagger-ui.css"></head>
<body><div id="swagger-ui"></div>
<script src="/docs-assets/swagger-ui-bundle.js"></script><script src="/static/docs.js"></script></body></html>
"""


def _swagger_assets() -> Path:
    """The Swagger UI files shipped by the ``fastapi-offline`` package (in the ``web`` extra)."""
    try:
        import fastapi_offline
    except ImportError as exc:
        raise ConfigError("the API docs need `pip install '.[web]'` (fastapi-offline)") from exc
    return Path(fastapi_offline.__file__).parent / "static"


@functools.cache
def _known_codes(overrides: tuple[str, ...]) -> frozenset[str]:
    from .kb import load_kb

    return frozenset(e.country for found in load_kb(overrides).names.values() for e in found if e.country)


def _code(text: str | None, settings: Settings) -> str | None:
    """An actor filter as a code: a code stays one ("rus" is RUS); a name ("Russia", "the Kremlin",
    "European Union") becomes its country or organisation code through the knowledge base.

    Raises:
        HTTPException: 422 for a name the knowledge base does not know.
    """
    from .kb import load_kb

    wanted = (text or "").strip()
    if not wanted:
        return None
    overrides = settings.files("actors")
    if wanted.upper() in _known_codes(overrides):
        return wanted.upper()
    kb = load_kb(overrides)
    for form in (wanted, wanted.title()):
        country = kb.country_of(form) or next((e.country for e in kb.lookup(form) if e.country), None)
        if country:
            return country
    if len(wanted) <= 4 and wanted.isalnum():
        return wanted.upper()  # a code the knowledge base does not list
    raise HTTPException(422, f"unknown actor {wanted!r}: give a code (RUS) or a country or organisation name")


def _csv_lines(records: Iterator[dict[str, Any]]) -> Iterator[str]:
    """CSV text in chunks of about 200 rows, header first (``tocsin export --format csv``'s columns)."""
    from .export import rows

    buffer = io.StringIO()
    writer: Any = None
    for n, row in enumerate(rows(records), 1):
        if writer is None:
            writer = csv.DictWriter(buffer, fieldnames=list(row))
            writer.writeheader()
        writer.writerow(row)
        if n % 200 == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


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

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


# --- stores: a throwaway PostgreSQL server, fresh databases, both backends ------------------------------------

POSTGRES_BIN = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda p: int(p.parts[-3].split(".")[0]))


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _as_postgres(*command: str) -> None:
    """Run a server command as user postgres when we are root (initdb refuses root), else as ourselves."""
    import os
    import shlex
    import subprocess

    argv = ["su", "postgres", "-c", shlex.join(command)] if os.geteuid() == 0 else list(command)
    subprocess.run(argv, check=True, capture_output=True, timeout=120, stdin=subprocess.DEVNULL)


@pytest.fixture(scope="session")
def pg_url():  # type: ignore[no-untyped-def]
    """A real PostgreSQL server for this test process (each xdist worker starts its own)."""
    import os
    import shutil
    import tempfile

    pytest.importorskip("psycopg", reason="PostgreSQL tests need `pip install 'tocsin[postgres]'`")
    if not POSTGRES_BIN:
        pytest.skip("PostgreSQL server binaries not found under /usr/lib/postgresql: apt-get install postgresql")
    bin_dir = POSTGRES_BIN[-1].parent
    home = Path(tempfile.mkdtemp(prefix="tocsin-pg-"))  # not under pytest's root-only tmp dirs
    if os.geteuid() == 0:
        shutil.chown(home, "postgres", "postgres")
    data, port = home / "data", _free_port()
    try:
        _as_postgres(str(bin_dir / "initdb"), "-D", str(data), "-A", "trust", "-U", "postgres", "-E", "UTF8",
                     "--locale=C.UTF-8", "-N")  # fmt: skip
        options = f"-k {home} -c listen_addresses=127.0.0.1 -p {port} -c fsync=off"
        _as_postgres(str(bin_dir / "pg_ctl"), "-D", str(data), "-l", str(home / "log"), "-w", "-o", options, "start")
        yield f"postgresql://postgres@127.0.0.1:{port}/postgres"
    finally:
        if (data / "postmaster.pid").exists():
            _as_postgres(str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop")
        shutil.rmtree(home, ignore_errors=True)


@pytest.fixture
def pg_db(pg_url: str):  # type: ignore[no-untyped-def]
    """A fresh, empty database on the test server; dropped afterwards."""
    import uuid

    import psycopg

    name = f"t_{uuid.uuid4().hex}"
    with psycopg.connect(pg_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    yield pg_url.rsplit("/", 1)[0] + f"/{name}"
    with psycopg.connect(pg_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The same store tests on both backends: a SQLite file, or a fresh PostgreSQL database."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'store.db'}"
    return str(request.getfixturevalue("pg_db"))


# --- input stories ------------------------------------------------------------------------------------------

#: Three short stories of our own: RUS->UKR assault and UKR->RUS accusation (March 4-5), a RUS-CHN meeting
#: in Moscow with a quotation (March 12), a USA->IRN sanction (April 1).
STORIES = [
    {"id": "a1", "pub_date": "2024-03-05", "publisher": "Alpha Wire", "url": "https://alpha.example/a1",
     "text": "Russian troops attacked Ukrainian forces near Kharkiv on Monday, officials in Kyiv said.\n\n"
             "Ukraine's foreign ministry condemned Russia for the attack."},
    {"id": "a2", "pub_date": "2024-03-12", "publisher": "Beta Times", "url": "https://beta.example/a2",
     "text": "Russian President Vladimir Putin met Chinese President Xi Jinping in Moscow on Tuesday to discuss "
             "trade.\n\n\"Our partnership is growing stronger every year,\" Putin told reporters after the talks."},
    {"id": "a3", "pub_date": "2024-04-02", "publisher": "Gamma News", "url": "https://gamma.example/a3",
     "text": "The United States imposed sanctions on Iran on Monday over its ballistic missile programme, "
             "the Treasury said."},
]  # fmt: skip


@pytest.fixture
def write_jsonl(tmp_path: Path):  # type: ignore[no-untyped-def]
    """``write_jsonl("name.jsonl", [records])`` writes stories as JSONL in tmp_path and returns the path."""
    import json

    def write(name: str, records: list[dict[str, str]], folder: Path | None = None) -> Path:
        path = (folder or tmp_path) / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
        return path

    return write


@pytest.fixture
def story_dir(tmp_path: Path, write_jsonl) -> Path:  # type: ignore[no-untyped-def]
    """A folder of the three :data:`STORIES`, one JSONL file each."""
    folder = tmp_path / "stories"
    for record in STORIES:
        write_jsonl(f"{record['id']}.jsonl", [record], folder)
    return folder


# --- the API: a demo store and a real uvicorn server ----------------------------------------------------------

DEMO = Path(__file__).resolve().parents[1] / "src" / "tocsin" / "data" / "demo"
SERVER_WAIT = 15.0  # seconds a server may take to answer /api/health before the test fails with its log


@pytest.fixture(scope="session")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A SQLite store holding the coded demo stories, filled once per test process."""
    from tocsin.pipeline import run
    from tocsin.settings import Settings

    db = str(tmp_path_factory.mktemp("demo") / "demo.db")
    summary = run([DEMO], Settings(db=db))
    assert summary.events > 0, summary
    return db


def _settled_app(settings):  # type: ignore[no-untyped-def]
    """``create_app(settings)`` once the coder it warms in a thread (when a token is set) is loaded, so no thread
    is left running while a test starts (the app never writes to its store)."""
    import threading

    from tocsin.api import create_app

    before = set(threading.enumerate())
    app = create_app(settings)
    for worker in set(threading.enumerate()) - before:
        worker.join(timeout=60)
    return app


@pytest.fixture(scope="session")
def make_app():  # type: ignore[no-untyped-def]
    """``make_app(Settings(...))``: an app whose start-up threads have finished."""
    return _settled_app


@pytest.fixture(scope="session")
def serve():  # type: ignore[no-untyped-def]
    """``with serve(app) as base_url:`` runs an app on uvicorn in a thread, on a free port of 127.0.0.1."""
    import contextlib
    import io
    import logging
    import threading
    import time

    import httpx
    import uvicorn

    @contextlib.contextmanager
    def run(app):  # type: ignore[no-untyped-def]
        port = _free_port()
        config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", ws="none", lifespan="off")
        server = uvicorn.Server(config)
        log = io.StringIO()
        handler = logging.StreamHandler(log)
        for name in ("uvicorn", "uvicorn.error"):
            logging.getLogger(name).addHandler(handler)
        thread = threading.Thread(target=server.run, name=f"uvicorn-{port}", daemon=True)
        thread.start()
        base_url = f"http://127.0.0.1:{port}"
        try:
            deadline, last = time.monotonic() + SERVER_WAIT, "no answer"
            while True:
                try:
                    if httpx.get(f"{base_url}/api/health", timeout=1.0).status_code == 200:
                        break
                    last = "not 200"
                except httpx.HTTPError as exc:
                    last = repr(exc)
                if not thread.is_alive() or time.monotonic() > deadline:
                    pytest.fail(f"the server at {base_url} did not start ({last}); its log:\n{log.getvalue()}")
                time.sleep(0.05)
            yield base_url
        finally:
            server.should_exit = True
            thread.join(timeout=SERVER_WAIT)
            for name in ("uvicorn", "uvicorn.error"):
                logging.getLogger(name).removeHandler(handler)

    return run


@pytest.fixture(scope="session")
def api_server(demo_db: str, serve):  # type: ignore[no-untyped-def]
    """The base URL of a real server over the demo store, with the coding token ``test-token``."""
    from tocsin.settings import Settings

    with serve(_settled_app(Settings(db=demo_db, token="test-token"))) as base_url:
        yield base_url


# --- the dashboard: headless Debian Chromium driven by Playwright (never `playwright install`) -----------------

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]  # fmt: skip


@pytest.fixture(scope="session")
def browser():  # type: ignore[no-untyped-def]
    """One headless Chromium per test process; skips when Debian's chromium is not installed."""
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is missing: apt-get install chromium (`make test` installs it in CI)")
    sync_api = pytest.importorskip("playwright.sync_api", reason="browser tests need `pip install 'tocsin[test]'`")
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def page(browser, api_server: str):  # type: ignore[no-untyped-def]
    """A fresh page (own storage) on the dashboard's server, with 10-second timeouts; ``page.errors`` collects
    console errors and uncaught exceptions."""
    context = browser.new_context(base_url=api_server, viewport={"width": 1280, "height": 1000})
    context.set_default_timeout(10_000)
    tab = context.new_page()
    tab.errors = []
    tab.on("console", lambda msg: tab.errors.append(msg.text) if msg.type == "error" else None)
    tab.on("pageerror", lambda exc: tab.errors.append(str(exc)))
    yield tab
    context.close()


# --- a feed server on loopback whose feeds and pages tests change between polls -------------------------------


class FeedServer:
    """Serves ``pages[path] = (body, content_type)`` on 127.0.0.1 with ETag and Last-Modified, answering
    conditional requests with 304; ``fail[path] = status`` makes a path fail. ``requests`` logs
    ``(path, status, headers)`` of every GET. A POST (a webhook) to a served path answers 200, and
    ``posts`` logs ``(path, status, body)``."""

    def __init__(self) -> None:
        import http.server
        import threading

        self.pages: dict[str, tuple[bytes, str]] = {}
        self.fail: dict[str, int] = {}
        self.requests: list[tuple[str, int, dict[str, str]]] = []
        self.posts: list[tuple[str, int, bytes]] = []  # webhook deliveries: path, status answered, body
        self.script: dict[str, list[int]] = {}  # statuses the next POSTs to a path answer, in turn
        self.lock = threading.Lock()
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                import email.utils
                import hashlib

                headers = {k.lower(): v for k, v in self.headers.items()}
                with server.lock:
                    page, failing = server.pages.get(self.path), server.fail.get(self.path)
                if failing or page is None:
                    status, body, extra = failing or 404, b"no", {}
                else:
                    body, ctype = page
                    etag = '"' + hashlib.sha1(body).hexdigest()[:16] + '"'
                    modified = email.utils.formatdate(1_700_000_000 + len(body), usegmt=True)
                    extra = {"ETag": etag, "Last-Modified": modified, "Content-Type": ctype}
                    status = 304 if headers.get("if-none-match") == etag else 200
                with server.lock:
                    server.requests.append((self.path, status, headers))
                self.send_response(status)
                for key, value in extra.items():
                    self.send_header(key, value)
                if status == 304:
                    self.end_headers()
                    return
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                with server.lock:
                    script = server.script.get(self.path)
                    status = script.pop(0) if script else server.fail.get(self.path)
                    status = status or (200 if self.path in server.pages else 404)
                    server.posts.append((self.path, status, body))
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        class Server(http.server.ThreadingHTTPServer):
            request_queue_size = 128  # http.server's backlog of 5 drops the watcher's parallel fetches

        self.httpd = Server(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def set(self, path: str, body: str | bytes, ctype: str = "application/rss+xml") -> str:
        """Serve ``body`` at ``path``; returns its URL."""
        with self.lock:
            self.pages[path] = (body.encode("utf-8") if isinstance(body, str) else body, ctype)
        return self.url + path

    def hits(self, path: str) -> list[int]:
        """The statuses of the requests made for a path so far."""
        with self.lock:
            return [status for p, status, _ in self.requests if p == path]

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def rss(*items: dict[str, str], title: str = "Loopback Wire") -> str:
    """An RSS 2.0 feed of items with guid, title, link, description and optional content (content:encoded)."""
    from xml.sax.saxutils import escape

    out = []
    for item in items:
        content = f"<content:encoded>{escape(item['content'])}</content:encoded>" if "content" in item else ""
        out.append(
            f"<item><guid>{escape(item['guid'])}</guid><title>{escape(item.get('title', item['guid']))}</title>"
            + (f"<link>{escape(item['link'])}</link>" if "link" in item else "")
            + f"<pubDate>{item.get('date', 'Tue, 05 Mar 2024 10:00:00 GMT')}</pubDate>"
            f"<description>{escape(item.get('summary', ''))}</description>{content}</item>"
        )
    return (
        '<?xml version="1.0"?><rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/">'
        f"<channel><title>{escape(title)}</title><link>https://example.org/</link><description>d</description>"
        + "".join(out)
        + "</channel></rss>"
    )


@pytest.fixture
def feed_server():  # type: ignore[no-untyped-def]
    """A :class:`FeedServer` on a free port of 127.0.0.1, stopped after the test."""
    server = FeedServer()
    yield server
    server.close()

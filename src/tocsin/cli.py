"""The ``tocsin`` command line: a thin click group over the library.

Data goes to stdout, messages to stderr. Exit codes: 0 done (skipped
documents are listed in the summary), 1 fatal error, every input failed, or
stopped by Ctrl-C or SIGTERM; 2 usage error.
"""

from __future__ import annotations

import contextlib
import importlib
import json
import logging
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

import click

from . import __version__
from .errors import TocsinError
from .pipeline import Summary, cleaned, coded_stories, run, undated
from .records import Event, Problem
from .settings import Settings

EPILOG = (
    "Exit codes: 0 done (skipped documents are listed in the summary), 1 fatal error, every input failed, "
    "or stopped by Ctrl-C or SIGTERM; 2 usage error."
)
CONTEXT = {"help_option_names": ["-h", "--help"]}


def sources_argument(fn: Callable[..., Any]) -> Callable[..., Any]:
    """SOURCES...: files, directories, URLs or '-' for stdin."""
    return click.argument("sources", nargs=-1, required=True)(fn)


def _report(summary: Summary) -> None:
    """Print the problems and the summary line; exit 1 when every input failed."""
    undated = [p for p in summary.problems if p.reason == "no-date"]
    for problem in summary.problems:
        if problem.reason != "no-date":
            click.echo(str(problem), err=True)
    if undated:
        click.echo(
            f"warning: {summary.undated_events} events from {len(undated)} stories have no date, as their inputs "
            "carry no publication date; give one with --pub-date YYYY-MM-DD",
            err=True,
        )
    click.echo(summary.line(), err=True)
    if not (summary.ok or summary.known or summary.repeated):
        raise click.ClickException("nothing was read: every input failed" if summary.skipped else "no stories found")


class _Terminated(KeyboardInterrupt):
    """SIGTERM, raised where Ctrl-C raises KeyboardInterrupt, so both stop a command the same way."""


def _terminate(_signum: int, _frame: Any) -> None:
    raise _Terminated()


@contextlib.contextmanager
def _stoppable(resume: str = "") -> Iterator[None]:
    """Stop cleanly on Ctrl-C or SIGTERM: end the workers, say so, exit 1."""
    main = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGTERM, _terminate) if main else None
    try:
        yield
    except KeyboardInterrupt as exc:
        how = "SIGTERM" if isinstance(exc, _Terminated) else "Ctrl-C"
        raise click.ClickException(f"stopped by {how}{resume}") from None
    finally:
        if main:
            signal.signal(signal.SIGTERM, previous)


def _require(extra: str, *modules: str) -> None:
    """Refuse, with the one message for every missing extra, when an extra is not installed."""
    for module in modules:
        try:
            importlib.import_module(module)
        except ImportError as exc:
            raise click.ClickException(
                f"this needs the {extra!r} extra, which is not installed (no module {exc.name or module!r}): "
                f"pip install '.[{extra}]'"
            ) from exc


def _existing_store(db: str) -> str:
    """Refuse a SQLite store file that does not exist, instead of creating an empty one."""
    path = db[len("sqlite:///") :] if db.startswith("sqlite:///") else None if "://" in db else db
    if path and path != ":memory:" and not Path(path).exists():
        raise click.UsageError(f"there is no store at {path}: `tocsin run SOURCES --db {path}` makes one")
    if db.startswith(("postgresql", "postgres:")):
        _require("postgres", "psycopg")
    return db


def pub_date_option(fn: Callable[..., Any]) -> Callable[..., Any]:
    """--pub-date: the publication date of inputs that carry none (.txt, stdin)."""
    return click.option(
        "--pub-date",
        "pub_date",
        type=click.DateTime(["%Y-%m-%d"]),
        help="Publication date (YYYY-MM-DD) of stories whose input gives none (.txt, stdin).",
    )(fn)


def _day(value: Any) -> date | None:
    return value.date() if value is not None else None


def _event_types(_ctx: click.Context, _param: click.Parameter, values: tuple[str, ...]) -> tuple[str, ...]:
    from .ontology import load_ontology

    known = load_ontology().types
    wrong = [v for v in values if v.upper() not in known]
    if wrong:
        raise click.BadParameter(f"unknown event type {', '.join(wrong)}: use one of {', '.join(sorted(known))}")
    return tuple(v.upper() for v in values)


def _fail(exc: TocsinError) -> click.ClickException:
    return click.ClickException(str(exc))


def coder_options(fn: Callable[..., Any]) -> Callable[..., Any]:
    """--actors and --patterns: the user's own knowledge-base and pattern files."""
    fn = click.option(
        "--patterns",
        "patterns",
        multiple=True,
        type=click.Path(exists=True, dir_okay=False),
        help="YAML file of extra event patterns (repeatable).",
    )(fn)
    return click.option(
        "--actors",
        "actors",
        multiple=True,
        type=click.Path(exists=True, dir_okay=False),
        help="YAML file of extra or overriding actors (repeatable).",
    )(fn)


def _settings(actors: tuple[str, ...] = (), patterns: tuple[str, ...] = (), **values: Any) -> Settings:
    return Settings.from_env(actors=",".join(actors) or None, patterns=",".join(patterns) or None, **values)


TABLE_COLUMNS = (
    "id",
    "event_type",
    "mode",
    "actor_country",
    "recipient_country",
    "polarity",
    "modality",
    "asserted_by_country",
    "date",
    "trigger",
)


def _emit(events: list[Event], fmt: str, explain: bool, writer: Any) -> None:
    for event in events:
        if fmt == "jsonl":
            record = event.to_dict()
            if explain:
                record["explain"] = event.explain
            click.echo(json.dumps(record, ensure_ascii=False))
        elif fmt == "csv":
            writer.writerow(event.to_row())
        else:
            row = event.to_row()
            click.echo("  ".join(f"{row.get(c) or '-'!s:<12}"[:24] for c in TABLE_COLUMNS))
        if explain and fmt != "jsonl":
            click.echo(f"    explain: {event.explain}")


@click.group(context_settings=CONTEXT, epilog=EPILOG)
@click.version_option(__version__, prog_name="tocsin")
@click.option("-v", "--verbose", count=True, help="-v for info, -vv for debug messages on stderr.")
def cli(verbose: int) -> None:
    """tocsin: news in, political event data out (who did what to whom, who says so).

    Example:

        tocsin clean stories.jsonl > clean.jsonl
    """
    level = [logging.ERROR, logging.INFO, logging.DEBUG][min(verbose, 2)]
    logging.basicConfig(stream=sys.stderr, level=level, format="%(levelname)s %(name)s: %(message)s")


@cli.command(context_settings=CONTEXT, epilog=EPILOG)
@sources_argument
@click.option("--show-removed", is_flag=True, help="Print what cleaning removed, rule by rule, instead of JSONL.")
@pub_date_option
def clean(sources: tuple[str, ...], show_removed: bool, pub_date: Any) -> None:
    """Clean stories and print them as JSONL (one story per line).

    SOURCES are .txt, .jsonl, .json, .html, .rss/.atom/.xml feeds, .warc files
    (any of them gzipped), directories, http(s) URLs, or '-' for stdin.

    Example:

        tocsin clean article.html --show-removed
    """
    summary = Summary()
    try:
        for item in cleaned(sources, Settings.from_env(), _day(pub_date)):
            if isinstance(item, Problem):
                summary.add(item)
            elif show_removed:
                click.echo(f"== {item.id} ({len(item.removed)} removed)")
                for removal in item.removed:
                    click.echo(f"  [{removal.rule}] {removal.text.strip()}")
                summary.ok += 1
            else:
                click.echo(json.dumps(item.to_dict(), ensure_ascii=False))
                summary.ok += 1
    except TocsinError as exc:
        raise _fail(exc) from exc
    _report(summary)


def db_option(fn: Callable[..., Any]) -> Callable[..., Any]:
    """--db: the store, a SQLite file or a postgresql:// URL (env TOCSIN_DB)."""
    return click.option("--db", help="SQLite file or postgresql:// URL (default: tocsin.db; env TOCSIN_DB).")(fn)


@cli.command("run", context_settings=CONTEXT, epilog=EPILOG)
@sources_argument
@db_option
@click.option("--processes", "n_process", type=click.IntRange(1, 256), help="Worker processes for coding.")
@click.option("--dask", help="Code on Dask: a scheduler address (tcp://host:8786), or local / local:N.")
@pub_date_option
@coder_options
def run_command(
    sources: tuple[str, ...],
    db: str | None,
    n_process: int | None,
    dask: str | None,
    pub_date: Any,
    actors: tuple[str, ...],
    patterns: tuple[str, ...],
) -> None:
    """Clean, code and store stories, incrementally; then print the events and dyads.

    Re-running on the same input stores nothing twice; a run that was killed
    resumes where it stopped.

    Example:

        tocsin run feeds/ --db tocsin.db --processes 2
    """
    from tqdm import tqdm

    from . import store
    from .readers import estimate

    settings = _settings(actors, patterns, db=db, n_process=n_process, dask=dask)
    if settings.dask:
        _require("dask", "distributed")
    if settings.db.startswith(("postgresql", "postgres:")):
        _require("postgres", "psycopg")
    coded: list[Event] = []
    resume = ": the stories stored so far are kept; run the same command again to resume"
    with _stoppable(resume), tqdm(total=estimate(sources), unit=" stories", disable=None, file=sys.stderr) as bar:
        try:
            summary = run(
                sources,
                settings,
                progress=lambda _story: bar.update(),
                on_events=lambda events: coded.extend(events[: max(0, SHOWN - len(coded))]),
                pub_date=_day(pub_date),
            )
        except TocsinError as exc:
            raise _fail(exc) from exc
    _report(summary)
    with store.opened(settings.db) as engine:
        totals = store.counts(engine)
        dyads = store.top_dyads(engine)
    click.echo(
        f"{summary.ok} stories coded, {summary.events} events; the store {settings.db} now holds "
        f"{totals['stories']} stories ({totals['duplicates']} near-duplicates), {totals['events']} events "
        f"in {totals['clusters']} clusters"
    )
    if coded:
        shown = f"{len(coded)} of {summary.events} events shown" if summary.events > len(coded) else "events"
        click.echo(f"\n{shown[0].upper()}{shown[1:]} (type, actor -> recipient, how reported, date):")
        for event in coded:
            click.echo("  " + event_line(event))
    click.echo("\nMost active dyads in the store:")
    for actor, recipient, count in dyads:
        click.echo(f"  {actor:>6} -> {recipient:<6} {count}")
    codes = [_who(a) for e in coded for a in (e.actor, e.recipient, e.asserted_by) if a is not None]
    legend = code_names(codes + [code for actor, recipient, _n in dyads for code in (actor, recipient)])
    if legend:
        click.echo("\nCodes: " + ", ".join(f"{code} = {name}" for code, name in legend.items()))


#: Events the run summary lists.
SHOWN = 40


def code_names(codes: list[str]) -> dict[str, str]:
    """The knowledge base's names of country and organisation codes, in order of appearance:
    ``{"RUS": "Russia", "EUR": "European Union"}``; names and unknown codes are left out."""
    from .kb import load_kb

    kb = load_kb()
    names: dict[str, str] = {code: entry.name for code, entry in kb.countries.items()}
    for entries in kb.names.values():
        for entry in entries:
            if entry.kind != "person" and entry.country and entry.kb_id.upper() == entry.country:
                names.setdefault(entry.country, entry.name)
    for entries in kb.names.values():
        for entry in entries:
            if entry.kind == "igo" and entry.country:
                names.setdefault(entry.country, entry.name)
    return {code: names[code] for code in dict.fromkeys(codes) if code in names and names[code] != code}


@cli.command("export", context_settings=CONTEXT, epilog=EPILOG)
@db_option
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["jsonl", "csv", "parquet", "gdelt", "polecat"]),
    default="jsonl",
    show_default=True,
    help="Output format.",
)
@click.option("--output", "-o", type=click.Path(dir_okay=False), help="File to write (required for parquet).")
@click.option("--since", type=click.DateTime(["%Y-%m-%d"]), help="Events on or after this date.")
@click.option("--until", type=click.DateTime(["%Y-%m-%d"]), help="Events on or before this date.")
@click.option("--actor", help="Actor country or organisation code (RUS, NATO).")
@click.option("--recipient", help="Recipient country or organisation code.")
@click.option("--dyad", help="ACTOR-RECIPIENT, e.g. RUS-UKR.")
@click.option("--type", "types", multiple=True, callback=_event_types, help="PLOVER event type (repeatable).")
def export_command(
    db: str | None,
    fmt: str,
    output: str | None,
    since: Any,
    until: Any,
    actor: str | None,
    recipient: str | None,
    dyad: str | None,
    types: tuple[str, ...],
) -> None:
    """Export stored events as JSONL, CSV, Parquet, GDELT 2.0 event rows or POLECAT-style TSV.

    Example:

        tocsin export --format gdelt --dyad RUS-UKR --since 2022-02-01 > rus-ukr.tsv
    """
    from . import export, store

    if dyad and "-" not in dyad:
        raise click.BadParameter("use ACTOR-RECIPIENT, e.g. RUS-UKR", param_hint="--dyad")
    settings = Settings.from_env(db=db)
    _existing_store(settings.db)
    if fmt == "parquet":
        _require("parquet", "pyarrow")
    filters = store.Filters(
        since=since.date() if since else None,
        until=until.date() if until else None,
        actor=actor,
        recipient=recipient,
        dyad=tuple(dyad.split("-", 1)) if dyad else None,  # type: ignore[arg-type]
        types=types,
    )
    undated: list[str] = []
    try:
        with store.opened(settings.db) as engine:
            records = store.read_events(engine, filters)
            if fmt == "parquet":
                if not output:
                    raise click.UsageError("parquet needs --output FILE")
                count = export.write_parquet(records, output)
            elif output:
                with open(output, "w", encoding="utf-8", newline="") as handle:
                    count = export.write(records, fmt, handle, on_skip=lambda r: undated.append(r["id"]))
            else:
                count = export.write(records, fmt, sys.stdout, on_skip=lambda r: undated.append(r["id"]))
    except TocsinError as exc:
        raise _fail(exc) from exc
    click.echo(f"{count} events exported", err=True)
    if undated:
        click.echo(f"{len(undated)} events with no date left out: GDELT rows need one", err=True)


def _who(actor: Any) -> str:
    if actor is None:
        return "?"
    return str(actor.country or actor.group or actor.name or actor.text)


def event_line(event: Event) -> str:
    """One line for a terminal: type, dyad, polarity/modality, who says so, date."""
    how = event.modality if event.polarity == "affirmed" else f"{event.polarity}, {event.modality}"
    said = f" per {_who(event.asserted_by)}" if event.asserted_by else ""
    return (
        f"{event.event_type:<9} {_who(event.actor):>6} -> {_who(event.recipient):<6} "
        f"[{how}{said}] {event.date or ''}  “{event.trigger}”  ({event.story_id})"
    )


@cli.command("code", context_settings=CONTEXT, epilog=EPILOG)
@sources_argument
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["jsonl", "csv", "table"]),
    default="jsonl",
    show_default=True,
    help="Output format.",
)
@click.option("--explain", is_flag=True, help="Show the pattern and parse path behind each event.")
@pub_date_option
@coder_options
def code_command(
    sources: tuple[str, ...],
    fmt: str,
    explain: bool,
    pub_date: Any,
    actors: tuple[str, ...],
    patterns: tuple[str, ...],
) -> None:
    """Code stories into events (SCHEMA.md records), without a database.

    SOURCES are any inputs `tocsin clean` reads.

    Example:

        tocsin code article.html --format table --explain
    """
    import csv

    settings = _settings(actors, patterns)
    summary = Summary()
    writer = None
    if fmt == "csv":
        writer = csv.DictWriter(sys.stdout, fieldnames=_row_fields(), extrasaction="ignore")
        writer.writeheader()
    elif fmt == "table":
        click.echo("  ".join(f"{c:<12}" for c in TABLE_COLUMNS))
    try:
        with _stoppable():
            for coded in coded_stories(sources, settings, summary, _day(pub_date)):
                events = list(coded.events)
                _emit(events, fmt, explain, writer)
                summary.ok += 1
                summary.events += len(events)
                summary.add_undated(undated(coded.story, events), len(events))
    except TocsinError as exc:
        raise _fail(exc) from exc
    _report(summary)
    click.echo(f"{summary.events} events", err=True)


def _row_fields() -> list[str]:
    from datetime import date

    from .records import Actor, Place

    sample = Event(
        id="",
        story_id="",
        sentence_id=0,
        sentence="",
        span=(0, 0),
        trigger="",
        event_type="",
        actor=Actor(text=""),
        recipient=Actor(text=""),
        asserted_by=Actor(text=""),
        place=Place(name=""),
        date=date.today(),
    )
    return list(sample.to_row())


@cli.command("quotes", context_settings=CONTEXT, epilog=EPILOG)
@sources_argument
@pub_date_option
@coder_options
def quotes_command(sources: tuple[str, ...], pub_date: Any, actors: tuple[str, ...], patterns: tuple[str, ...]) -> None:
    """Print who said what: direct and indirect quotations with their speakers, as JSONL.

    Example:

        tocsin quotes stories.jsonl
    """
    settings = _settings(actors, patterns)
    summary = Summary()
    try:
        for coded in coded_stories(sources, settings, summary, _day(pub_date)):
            for quote in coded.quotes:
                click.echo(json.dumps(quote.to_dict(), ensure_ascii=False))
            summary.ok += 1
    except TocsinError as exc:
        raise _fail(exc) from exc
    _report(summary)


@cli.command("signals", context_settings=CONTEXT, epilog=EPILOG)
@db_option
@click.option("--dyad", help="ACTOR-RECIPIENT to plot, e.g. RUS-UKR (default: the most active dyad).")
@click.option("--freq", default="W", show_default=True, help="Period: D (days), W (weeks) or M (months).")
@click.option(
    "--probability",
    type=click.FloatRange(0, 1),
    default=0.01,
    show_default=True,
    help="Alert when a period's conflict is this improbable under the dyad's count model.",
)
@click.option(
    "--baseline", type=click.IntRange(1), default=8, show_default=True, help="Past periods an alert learns from."
)
@click.option(
    "--min-periods", type=click.IntRange(1), default=4, show_default=True, help="Past periods a dyad needs to alert."
)
@click.option(
    "--plots",
    type=click.Path(file_okay=False),
    default="tocsin-plots",
    show_default=True,
    help="Folder for the PNG and SVG plots.",
)
@click.option("--since", type=click.DateTime(["%Y-%m-%d"]), help="Events on or after this date.")
@click.option("--until", type=click.DateTime(["%Y-%m-%d"]), help="Events on or before this date.")
def signals_command(
    db: str | None,
    dyad: str | None,
    freq: str,
    probability: float,
    baseline: int,
    min_periods: int,
    plots: str,
    since: Any,
    until: Any,
) -> None:
    """Print dyad series, say–do gaps, contradictions, cluster status and alerts; write plots.

    Example:

        tocsin signals --db tocsin.db --dyad RUS-UKR --freq W
    """
    from pathlib import Path

    settings = Settings.from_env(db=db)
    _existing_store(settings.db)
    _require("signals", "pandas", "matplotlib")
    from . import signals

    alert_settings = signals.AlertSettings(
        freq=freq, baseline=baseline, min_periods=min_periods, probability=probability
    )
    try:
        data = signals.load_events(
            settings.db, since=since.date() if since else None, until=until.date() if until else None
        )
        series = signals.dyad_series(data, freq=freq)
        if series.empty:
            click.echo("no dated factual events between two actors in the store yet")
            return
        if series.attrs.get("undated"):
            click.echo(f"({series.attrs['undated']} factual events between two actors have no date: left out)\n")
        totals = series.groupby(level=["actor", "recipient"])[["events", "intensity", "q1", "q2", "q3", "q4"]].sum()
        click.echo("Dyads (corroboration-weighted events over the whole store):")
        click.echo(totals.sort_values("events", ascending=False).head(10).round(2).to_string())
        gap = signals.say_do_gap(data).groupby(level="actor").tail(1).dropna(subset=["gap"])
        click.echo("\nSay–do gap, latest 30-day window per actor (+: talks more cooperatively than it acts):")
        click.echo(gap.sort_values("gap", ascending=False).head(10).round(2).to_string() if len(gap) else "  (none)")
        found = signals.contradictions(data)
        click.echo(f"\nContradictions (claims against denials): {len(found)}")
        for row in found.head(10).itertuples():
            click.echo(
                f"  {row.event_type} by {row.actor}: claimed by {row.claim_by} ({row.claim_id}), "
                f"denied by {row.denial_by} ({row.denial_id})\n"
                f"      claim:  {row.claim_sentence}\n      denial: {row.denial_sentence}"
            )
        status = signals.cluster_status(data, found)["status"].value_counts()
        click.echo("\nEvent clusters: " + ", ".join(f"{n} {s}" for s, n in status.items()))
        raised = signals.alerts(data, alert_settings)
        click.echo(
            f"\nEscalation alerts (p < {probability} under the count model of {baseline} periods): {len(raised)}"
        )
        for row in raised.head(10).itertuples():
            click.echo(
                f"  {row.dyad} {row.period:%Y-%m-%d}: conflict {row.observed:.1f}, expected {row.expected:.2f} "
                f"(p = {row.probability:.2g}); events {', '.join(row.event_ids[:3])}"
            )
        pair = tuple(dyad.split("-", 1)) if dyad else totals["events"].idxmax()
        files = signals.plot_dyad(data, pair[0], pair[1], Path(plots), freq=freq, settings=alert_settings)
        click.echo(f"\nplots for {pair[0]} -> {pair[1]}: " + ", ".join(str(f) for f in files))
    except TocsinError as exc:
        raise _fail(exc) from exc


@cli.command("watch", context_settings=CONTEXT, epilog=EPILOG)
@sources_argument
@db_option
@click.option("--rules", "rules_path", type=click.Path(dir_okay=False), help="YAML rules file (see the README).")
@click.option("--every", default="15m", show_default=True, help="Time between polls: 10s, 15m, 1h.")
@click.option("--once", is_flag=True, help="Poll once and exit (for cron and tests).")
@click.option(
    "--alerts", "alerts_path", default="-", show_default=True, help="JSONL file alerts are appended to; - for stdout."
)
@coder_options
def watch_command(
    sources: tuple[str, ...],
    db: str | None,
    rules_path: str | None,
    every: str,
    once: bool,
    alerts_path: str,
    actors: tuple[str, ...],
    patterns: tuple[str, ...],
) -> None:
    """Watch feeds, pages and folders: code what is new, raise alerts by rules, until stopped.

    SOURCES are RSS/Atom feed URLs or files, page URLs and directories. Each
    poll fetches only what changed; one line per poll goes to stderr. Stops
    cleanly on SIGTERM or Ctrl-C and resumes where it stopped.

    Example:

        tocsin watch https://example.org/feed.xml news/ --db news.db --rules rules.yaml --every 15m
    """
    import signal
    import threading

    from . import watch
    from .rules import RuleSet, load_rules, parse_duration

    try:
        interval = parse_duration(every)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--every") from exc
    if interval <= 0:
        raise click.BadParameter("must be above zero", param_hint="--every")
    stop = threading.Event()
    try:
        rules = load_rules(rules_path) if rules_path else RuleSet()
        watcher = watch.Watcher(sources, _settings(actors, patterns, db=db), rules,
                                watch.sinks_for(rules, alerts_path), every=interval)  # fmt: skip
    except TocsinError as exc:
        raise _fail(exc) from exc

    def finish(signum: int, _frame: Any) -> None:
        click.echo(f"{signal.Signals(signum).name}: stopping after this step", err=True)
        stop.set()
        watcher.stop()

    for name in ("SIGTERM", "SIGINT"):
        signal.signal(getattr(signal, name), finish)

    def report(poll: watch.PollReport) -> None:
        for line in poll.failures + poll.notes:
            click.echo(f"  {line}", err=True)
        click.echo(poll.line(), err=True)

    click.echo(f"watching {watch.describe(watcher.sources)} every {every}; "
               f"{len(rules.rules)} rules; store {watcher.settings.db}", err=True)  # fmt: skip
    try:
        watch.run(watcher, stop, once=once, report=report)
    except TocsinError as exc:
        raise _fail(exc) from exc
    finally:
        watcher.close()


@cli.command("serve", context_settings=CONTEXT, epilog=EPILOG)
@db_option
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", type=click.IntRange(1, 65535), default=8000, show_default=True, help="Port to listen on.")
def serve_command(db: str | None, host: str, port: int) -> None:
    """Serve the REST API (docs at /docs) and the dashboard (at /) for a store.

    Read-only unless TOCSIN_TOKEN is set, which enables coding posted texts.

    Example:

        TOCSIN_TOKEN=secret tocsin serve --db news.db --port 8000
    """
    settings = Settings.from_env(db=db)
    _existing_store(settings.db)
    _require("web", "fastapi", "uvicorn", "pandas")
    import uvicorn

    from .api import create_app

    try:
        app = create_app(settings)
    except TocsinError as exc:
        raise _fail(exc) from exc
    uvicorn.run(app, host=host, port=port, log_level="info")

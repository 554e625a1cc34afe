"""The ``tocsin`` command line: a thin click group over the library.

Data goes to stdout, messages to stderr. Exit codes: 0 done (skipped
documents are listed in the summary), 1 fatal error, 2 usage error.
"""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Callable
from typing import Any

import click

from . import __version__
from .errors import TocsinError
from .pipeline import Summary, cleaned, run
from .records import Problem
from .settings import Settings

EPILOG = "Exit codes: 0 done (skipped documents are listed in the summary), 1 fatal error, 2 usage error."
CONTEXT = {"help_option_names": ["-h", "--help"]}


def sources_argument(fn: Callable[..., Any]) -> Callable[..., Any]:
    """SOURCES...: files, directories, URLs or '-' for stdin."""
    return click.argument("sources", nargs=-1, required=True)(fn)


def _report(summary: Summary) -> None:
    for problem in summary.problems:
        click.echo(str(problem), err=True)
    click.echo(summary.line(), err=True)


def _fail(exc: TocsinError) -> click.ClickException:
    return click.ClickException(str(exc))


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
def clean(sources: tuple[str, ...], show_removed: bool) -> None:
    """Clean stories and print them as JSONL (one story per line).

    SOURCES are .txt, .jsonl, .json, .html, .rss/.atom/.xml feeds, .warc files
    (any of them gzipped), directories, http(s) URLs, or '-' for stdin.

    Example:

        tocsin clean article.html --show-removed
    """
    summary = Summary()
    try:
        for item in cleaned(sources, Settings.from_env()):
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


@cli.command("run", context_settings=CONTEXT, epilog=EPILOG)
@sources_argument
@click.option("--out", type=click.Path(file_okay=False), help="Output folder (default: tocsin-out).")
@click.option("--processes", "n_process", type=click.IntRange(1, 64), help="spaCy worker processes.")
def run_command(sources: tuple[str, ...], out: str | None, n_process: int | None) -> None:
    """Clean and parse stories; write them with their sentences to OUT/stories.jsonl.

    Example:

        tocsin run src/tocsin/data/demo --out tocsin-out
    """
    settings = Settings.from_env(out=out, n_process=n_process)
    from tqdm import tqdm

    with tqdm(unit=" stories", disable=None, file=sys.stderr) as bar:
        try:
            summary = run(sources, settings, progress=lambda _story: bar.update())
        except TocsinError as exc:
            raise _fail(exc) from exc
    _report(summary)
    click.echo(f"{summary.ok} stories, {summary.sentences} sentences written to {settings.out}/stories.jsonl")

"""``conduct report``: per-hall, per-window and per-article summaries of a results database."""

from __future__ import annotations

from typing import Any

import click

from analyzer.cli.exits import ConfigError
from analyzer.errors import AnalyzerError


def _day(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """A YYYY-MM-DD day, checked (the store compares days as text)."""
    if value is None:
        return None
    import datetime as dt
    import re

    try:
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            raise ValueError
        dt.date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"expected a day as YYYY-MM-DD, got {value!r}") from None
    return value


@click.command("report")
@click.option("--db", required=True, type=click.Path(dir_okay=False),
              help="The results database a batch wrote.")
@click.option("--since", default=None, metavar="YYYY-MM-DD", callback=_day,
              help="Only interactions from this day.")
@click.option("--until", default=None, metavar="YYYY-MM-DD", callback=_day,
              help="Only interactions up to this day.")
@click.option("--hall", default=None, help="Only this hall.")
@click.option("--format", "fmt", type=click.Choice(["text", "csv", "html"]), default="text",
              show_default=True, help="text tables, one CSV table, or a self-contained HTML page.")
@click.option("-o", "--output", type=click.File("w", encoding="utf-8"), default="-",
              help="Write to this file instead of standard output.")
def report(db: str, since: str | None, until: str | None, hall: str | None, fmt: str,
           output: Any) -> None:
    """Summarise a results database per hall, per window and per article."""
    from analyzer.store import Store
    from analyzer.store.summaries import RENDERERS, build_summary

    try:
        with Store(db, readonly=True) as store:
            summary = build_summary(store, {"since": since, "until": until, "hall": hall})
    except AnalyzerError as exc:
        raise ConfigError(str(exc)) from None
    output.write(RENDERERS[fmt](summary))


@click.command("errors")
@click.option("--db", required=True, type=click.Path(dir_okay=False),
              help="The results database a batch wrote.")
@click.option("--run", "run_id", type=int, default=None,
              help="Only this run's errors (default: every run).")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              show_default=True, help="One line per error, or JSON Lines.")
def errors(db: str, run_id: int | None, fmt: str) -> None:
    """List the inputs a batch could not analyse, and why."""
    import json

    from analyzer.store import Store, error_text

    try:
        with Store(db, readonly=True) as store:
            rows = store.errors(run_id)
    except AnalyzerError as exc:
        raise ConfigError(str(exc)) from None
    for row in rows:
        if fmt == "json":
            click.echo(json.dumps(row, ensure_ascii=False))
        else:
            click.echo(f"run {row['run_id']}  {row['kind']:<16} "
                       f"{error_text(row['path'], row['message'])}")
    if fmt == "text":
        click.echo(f"{len(rows)} error(s)", err=True)

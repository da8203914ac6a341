"""``conduct report``: per-hall, per-window and per-article summaries of a results database."""

from __future__ import annotations

import sys
from typing import Any

import click

from analyzer.errors import AnalyzerError


@click.command("report")
@click.option("--db", required=True, type=click.Path(dir_okay=False),
              help="The results database a batch wrote.")
@click.option("--since", default=None, metavar="YYYY-MM-DD", help="Only interactions from this day.")
@click.option("--until", default=None, metavar="YYYY-MM-DD", help="Only interactions up to this day.")
@click.option("--hall", default=None, help="Only this hall.")
@click.option("--format", "fmt", type=click.Choice(["text", "csv", "html"]), default="text",
              show_default=True, help="text tables, one CSV table, or a self-contained HTML page.")
@click.option("-o", "--output", type=click.File("w", encoding="utf-8"), default="-",
              help="Write to this file instead of standard output.")
def report(db: str, since: str | None, until: str | None, hall: str | None, fmt: str,
           output: Any) -> None:
    """Summarise a results database per hall, per window and per article."""
    from analyzer.report import RENDERERS, build_summary
    from analyzer.store import Store

    try:
        with Store(db, readonly=True) as store:
            summary = build_summary(store, {"since": since, "until": until, "hall": hall})
    except AnalyzerError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(2)
    output.write(RENDERERS[fmt](summary))

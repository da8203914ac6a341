"""``conduct analyze``: score transcripts and recordings from the command line."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import click

from analyzer.cli.helptext import Command
from analyzer.cli.overrides import parse_override
from analyzer.errors import AnalyzerError, InputsFailed, OptionError
from analyzer.options import AnalyzerOptions
from analyzer.sink import write_reports
from analyzer.types import InteractionReport


@click.command("analyze", cls=Command)
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option("--format", "fmt", type=click.Choice(["json", "jsonl", "text"]), default="json",
              show_default=True,
              help="Report format; json gives one JSON object for one interaction and JSON "
                   "Lines (one report per line) for many.")
@click.option("-o", "--output", type=click.File("w", encoding="utf-8"), default="-",
              help="Write reports to this file instead of standard output.")
@click.option("--lexicon", "lexicons", multiple=True, type=click.Path(exists=True, dir_okay=False),
              help="A hall's lexicon file layered over the shipped one (repeatable, in order).")
@click.option("--set", "overrides", multiple=True, metavar="KEY=VALUE",
              help="Override an option by its dotted name, e.g. rings.max_rings=4 or "
                   "classifier.enabled=false (repeatable).")
@click.option("--model", "model", type=click.Path(exists=True, file_okay=False), default=None,
              help="A CTranslate2 Whisper model folder to use instead of the bundled "
                   "Whisper base (same as --set asr.model=PATH or $CONDUCT_MODEL).")
def analyze(paths: tuple[str, ...], fmt: str, output: Any, lexicons: tuple[str, ...],
            overrides: tuple[str, ...], model: str | None) -> None:
    """Analyze transcripts (.json, .jsonl) and recordings for Chapter 3 conduct.

    PATH may be a file or a folder (searched recursively). Bad inputs are
    reported on standard error, naming the input; the good ones are still
    analyzed, and the exit code is 1 when any input failed.
    """
    options = build_options(lexicons, overrides)
    if model:
        options = options.with_overrides({"asr.model": model})
    from analyzer.pipeline import analyze_inputs, preflight

    lexicon = preflight(options)
    failed: list[AnalyzerError] = []
    progress = RecordingProgress()
    stream = analyze_inputs(paths, options, lexicon=lexicon, on_recording=progress.start)
    count = write_reports(_reports_only(progress.follow(stream), failed), fmt, output)
    if failed:
        raise InputsFailed(f"{len(failed)} input(s) failed, {count} report(s) written")


class RecordingProgress:
    """Lines on stderr as each recording starts and ends (a long file is never silent).

    ``analyzing call.wav (3.3 min of audio)…`` then ``call.wav: analyzed in
    19.2 s``; whole lines, so a log file reads them too. ``-q`` hides them.
    """

    def __init__(self) -> None:
        import logging

        self.shown = logging.getLogger("analyzer").getEffectiveLevel() <= logging.WARNING
        self.current: tuple[str, float] | None = None

    def start(self, path: Path) -> None:
        """A recording's analysis begins."""
        import time

        from analyzer.i18n import gettext as _

        self.current = (path.name, time.monotonic())
        if self.shown:
            minutes = _minutes(path)
            click.echo(_("analyzing %(name)s (%(minutes)s min of audio)…", name=path.name,
                         minutes=minutes) if minutes else
                       _("analyzing %(name)s…", name=path.name), err=True)

    def follow(self, items: Iterator[InteractionReport | AnalyzerError]
               ) -> Iterator[InteractionReport | AnalyzerError]:
        """Pass ``items`` through, saying how long each recording took (errors say so themselves)."""
        import time

        from analyzer.i18n import gettext as _

        for report in items:
            if self.current is not None and self.shown and not isinstance(report, AnalyzerError):
                name, began = self.current
                click.echo(_("%(name)s: analyzed in %(seconds).1f s", name=name,
                             seconds=time.monotonic() - began), err=True)
            self.current = None
            yield report


def _minutes(path: Path) -> str:
    """The recording's length in minutes from its header ("" when it does not say)."""
    try:
        import av

        with av.open(str(path)) as container:
            seconds = (container.duration or 0) / 1_000_000
    except Exception:  # noqa: BLE001 - only a hint: the analysis reports real problems
        return ""
    return f"{seconds / 60:.1f}" if seconds else ""


def _reports_only(stream: Iterator[InteractionReport | AnalyzerError],
                  failed: list[AnalyzerError]) -> Iterator[InteractionReport]:
    for item in stream:
        if isinstance(item, AnalyzerError):
            failed.append(item)
            click.echo(f"error: {item}", err=True)
        else:
            yield item


def build_options(lexicons: tuple[str, ...], overrides: tuple[str, ...]) -> AnalyzerOptions:
    """Options from ``--lexicon`` files and ``--set KEY=VALUE`` overrides.

    Raises:
        click.BadParameter: An override names no option or has a bad value
            (the message names the option and the expected type).
    """
    try:
        options = AnalyzerOptions(lexicon=tuple(lexicons))
        parsed = dict(parse_override(options, item) for item in overrides)
        return options.with_overrides(parsed)
    except OptionError as exc:
        raise click.BadParameter(str(exc), param_hint="--set") from None

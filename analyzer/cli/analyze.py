"""``conduct analyze``: score transcripts and recordings from the command line."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from dataclasses import fields, is_dataclass
from typing import Any

import click

from analyzer.errors import AnalyzerError
from analyzer.options import AnalyzerOptions
from analyzer.sink import write_reports
from analyzer.types import InteractionReport


@click.command("analyze")
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

    try:
        lexicon = preflight(options)
    except AnalyzerError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(2)
    failed = []
    stream = analyze_inputs(paths, options, lexicon=lexicon)
    count = write_reports(_reports_only(stream, failed), fmt, output)
    if failed:
        click.echo(f"{len(failed)} input(s) failed, {count} report(s) written", err=True)
        sys.exit(1)


def _reports_only(stream: Iterator[InteractionReport | AnalyzerError],
                  failed: list[AnalyzerError]) -> Iterator[InteractionReport]:
    for item in stream:
        if isinstance(item, AnalyzerError):
            failed.append(item)
            click.echo(f"error: {item}", err=True)
        else:
            yield item


def build_options(lexicons: tuple[str, ...], overrides: tuple[str, ...]) -> AnalyzerOptions:
    """Options from ``--lexicon`` files and ``--set KEY=VALUE`` overrides."""
    options = AnalyzerOptions(lexicon=tuple(lexicons))
    parsed: dict[str, Any] = {}
    for item in overrides:
        key, sep, raw = item.partition("=")
        if not sep or not key.strip():
            raise click.BadParameter(f"expected KEY=VALUE, got {item!r}", param_hint="--set")
        key = key.strip()
        try:
            current = _current(options, key)
            parsed[key] = coerce(raw.strip(), current)
        except (KeyError, ValueError) as exc:
            raise click.BadParameter(f"{item!r}: {exc}", param_hint="--set") from None
    return options.with_overrides(parsed)


def _current(options: AnalyzerOptions, key: str) -> Any:
    obj: Any = options
    for name in key.split("."):
        if not is_dataclass(obj) or name not in {f.name for f in fields(obj)}:
            raise KeyError(f"unknown option {key!r}")
        obj = getattr(obj, name)
    if is_dataclass(obj):
        raise KeyError(f"{key!r} is a group of options; name one of them")
    return obj


def coerce(raw: str, current: Any) -> Any:
    """Turn ``raw`` into the type of the option's current value.

    Raises:
        ValueError: When it cannot be.
    """
    if isinstance(current, bool):
        if raw.lower() in ("true", "1", "yes", "on"):
            return True
        if raw.lower() in ("false", "0", "no", "off"):
            return False
        raise ValueError("expected true or false")
    if isinstance(current, int):
        return int(raw)
    if isinstance(current, float):
        return float(raw)
    if isinstance(current, tuple):
        value = json.loads(raw) if raw.startswith("[") else [x for x in raw.split(",") if x]
        if not isinstance(value, list):
            raise ValueError("expected a list such as [1, 2] or a,b")
        if current and not isinstance(current[0], str):
            return tuple(type(current[0])(x) for x in value)
        return tuple(value)
    return raw

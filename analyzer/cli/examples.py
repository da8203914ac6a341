"""``conduct examples``: search good/bad practice examples and export training packs."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from analyzer.cli.helptext import Group
from analyzer.errors import InputsFailed

if TYPE_CHECKING:
    from analyzer.store import Store
    from analyzer.training.examples import Example

F = TypeVar("F", bound=Callable[..., Any])


def _filters(f: F) -> F:
    f = click.option("--db", "db", required=True,
                     type=click.Path(exists=True, dir_okay=False, path_type=Path),
                     help="Results database written by `conduct batch`.")(f)
    f = click.option("--practice", type=click.Choice(["good", "bad"]),
                     help="good: required phrases said well; bad: breaches.")(f)
    f = click.option("--article", type=click.IntRange(1, 30), help="Article number (6..10).")(f)
    f = click.option("--rule", help="Rule id, e.g. A7-R-01 or A9-F-03.")(f)
    f = click.option("--hall", help="Service hall.")(f)
    f = click.option("--since", help="First day, YYYY-MM-DD.")(f)
    f = click.option("--until", help="Last day, YYYY-MM-DD.")(f)
    f = click.option("--lexicon", "lexicons", multiple=True,
                     type=click.Path(exists=True, dir_okay=False),
                     help="Extra lexicon file (repeatable).")(f)
    return f


def _search(db: Path, lexicons: tuple[str, ...], practice: str | None, article: int | None,
            rule: str | None, hall: str | None, since: str | None, until: str | None
            ) -> tuple[Store, list[Example]]:
    from analyzer.store import Store
    from analyzer.text.lexicon import load_lexicon
    from analyzer.training import examples as ex

    store = Store(db, readonly=True)
    try:
        found = ex.search_examples(store, practice=practice or None, article=article,
                                   rule=rule or None, hall=hall or None, since=since or None,
                                   until=until or None, lexicon=load_lexicon(lexicons))
    except BaseException:
        store.close()
        raise
    return store, found


@click.group(cls=Group)
def examples() -> None:
    """Good and bad practice examples for training (personal data masked)."""


@examples.command()
@_filters
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--limit", default=100, show_default=True, type=click.IntRange(1))
def search(db: Path, practice: str | None, article: int | None, rule: str | None,
           hall: str | None, since: str | None, until: str | None,
           lexicons: tuple[str, ...], fmt: str, limit: int) -> None:
    """List examples matching the filters (text masked)."""
    from dataclasses import asdict

    store, found = _search(db, lexicons, practice, article, rule, hall, since, until)
    store.close()
    shown = [e.masked() for e in found[:limit]]
    if fmt == "json":
        click.echo(json.dumps([asdict(e) | {"key": e.key} for e in shown], ensure_ascii=False,
                              indent=1))
        return
    for e in shown:
        click.echo(f"{e.practice:4}  第{e.article}条 {e.rule:10} {e.hall}/{e.window} {e.day} "
                   f"{e.start:7.2f}-{e.end:7.2f}  {e.text}")
    click.echo(f"{len(shown)} examples", err=True)


@examples.command()
@_filters
@click.option("-o", "--output", "out", default=None,
              type=click.Path(dir_okay=False, path_type=Path),
              help="The training pack to write (.zip).")
@click.option("--out", "old_out", default=None, hidden=True,
              type=click.Path(dir_okay=False, path_type=Path),
              deprecated="use -o/--output; --out goes in the next release")
@click.option("--recordings-root", type=click.Path(file_okay=False, exists=True, path_type=Path),
              help="Folder of the recordings; clips are cut only from files inside it.")
@click.option("--pad", default=1.5, show_default=True, type=click.FloatRange(0, 10),
              help="Seconds of context around each example.")
@click.option("--mask", "mask_mode", type=click.Choice(["tone", "silence"]), default="tone",
              show_default=True, help="What replaces personal data in the audio.")
def export(db: Path, practice: str | None, article: int | None, rule: str | None,
           hall: str | None, since: str | None, until: str | None, lexicons: tuple[str, ...],
           out: Path | None, old_out: Path | None, recordings_root: Path | None, pad: float,
           mask_mode: str) -> None:
    """Write a training pack: masked clips, transcripts and a manifest."""
    from analyzer.training import examples as ex

    out = out or old_out
    if out is None:
        raise click.UsageError("give the pack to write with -o/--output FILE.zip")

    store, found = _search(db, lexicons, practice, article, rule, hall, since, until)
    try:
        if not found:
            raise InputsFailed("no examples match these filters")
        summary = ex.export_pack(found, out, store=store, recordings_root=recordings_root,
                                 pad=pad, mask_mode=mask_mode)
    finally:
        store.close()
    click.echo(f"{out}: {summary.examples} examples, {summary.clips} clips, "
               f"{summary.masked_spans} masked audio spans"
               + (f", {len(summary.missing_audio)} without audio" if summary.missing_audio else ""))

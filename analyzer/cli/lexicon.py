"""``conduct lexicon``: check, list and try the rule lexicons."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import click

from analyzer.errors import InputsFailed, LexiconError

if TYPE_CHECKING:
    from analyzer.text.lexicon import Lexicon


@click.group()
def lexicon() -> None:
    """Check, list and try the Chapter 3 rule lexicons (and local override files)."""


@lexicon.command("check")
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False))
def check(files: tuple[str, ...]) -> None:
    """Validate lexicon FILES (an override file is checked layered over the shipped one).

    Prints FILE:LINE: message for each error and exits 1 if any file is bad.
    """
    from analyzer.text.lexicon import check_files

    bad = 0
    for path, result in check_files(files):
        if isinstance(result, LexiconError):
            bad += 1
            click.echo(str(result), err=True)
        else:
            click.echo(f"{path}: OK ({len(result.rules)} rules, version {result.version})")
    if bad:
        raise InputsFailed(f"{bad} of {len(files)} file(s) have problems")


@lexicon.command("show")
@click.option("--kind", type=click.Choice(["required", "forbidden", "cue", "measure"]))
@click.option("--article", type=int, help="Only rules of this article (5-10, 16-18, 25).")
@click.option("--context", help="Only rules of this context (e.g. leaving).")
@click.option(
    "--extra",
    "extra",
    multiple=True,
    type=click.Path(exists=True, dir_okay=False),
    help="Override file layered over the shipped lexicon (repeatable).",
)
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
def show(
    kind: str | None, article: int | None, context: str | None, extra: tuple[str, ...], fmt: str
) -> None:
    """List the rules with their articles, kinds and wording."""
    lex = _load(extra)
    rules = lex.select(kind=kind, article=article, context=context)
    if fmt == "json":
        data = {
            "version": lex.version,
            "sources": list(lex.sources),
            "rules": [r.to_dict() for r in rules],
        }
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
        return
    click.echo(f"lexicon {lex.version} ({len(rules)} of {len(lex.rules)} rules)")
    for r in rules:
        words = r.canonical or r.title
        owed = " owed" if r.owed else ""
        click.echo(
            f"{r.id:<16} Art.{r.article:<3} {r.kind:<9} {r.role:<7} {r.context:<20} "
            f"{r.points:>3}p {r.severity:<8}{owed:5} {words}"
        )
        if r.variants:
            click.echo(f"{'':16} variants: {' | '.join(r.variants)}")


@lexicon.command("match")
@click.argument("text")
@click.option("--speaker", default="staff", type=click.Choice(["staff", "citizen", "unknown"]))
@click.option("--extra", "extra", multiple=True, type=click.Path(exists=True, dir_okay=False))
def match(text: str, speaker: str, extra: tuple[str, ...]) -> None:
    """Show which rules TEXT (one utterance) matches, with method and confidence."""
    from analyzer.text.match import match_text

    hits = match_text(text, _load(extra), speaker)
    if not hits:
        click.echo("no match")
    for h in hits:
        click.echo(
            f"{h.rule.id:<16} {h.rule.kind:<9} {h.method:<8} {h.confidence:.3f} "
            f"{h.evidence!r} ~ {h.phrase!r}"
        )


def _load(extra: tuple[str, ...]) -> Lexicon:
    from analyzer.text.lexicon import load_lexicon

    return load_lexicon(extra)

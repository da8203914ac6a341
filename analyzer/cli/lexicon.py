"""``conduct lexicon``: check, list and try the rule lexicons."""

from __future__ import annotations

import json
import os
from typing import TYPE_CHECKING, TextIO

import click

from analyzer.cli.helptext import Group
from analyzer.errors import InputsFailed, LexiconError

if TYPE_CHECKING:
    from analyzer.batch.backtest import Backtest
    from analyzer.text.lexicon import Lexicon


@click.group(cls=Group)
def lexicon() -> None:
    """Check, list, try and backtest the Chapter 3 rule lexicons (and local override files)."""


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
        words = r.canonical or r.shown_title()
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


@lexicon.command("backtest")
@click.option("--db", required=True, type=click.Path(dir_okay=False),
              help="The results database to test the change on.")
@click.option("--lexicon", "lexicon_files", multiple=True, required=True,
              type=click.Path(exists=True, dir_okay=False),
              help="The new lexicon: an override file layered over the shipped one "
                   "(repeatable, in order).")
@click.option("--template", default=None, type=click.Path(exists=True, dir_okay=False),
              help="The new scoring template (default: the shipped one).")
@click.option("--month", default=None, metavar="YYYY-MM",
              help="The 红黑榜 to compare (default: the latest month in the store).")
@click.option("--apply", "apply", is_flag=True,
              help="Re-score the changed interactions in the store, keeping their old "
                   "results in the audit trail (default: read-only).")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default=None,
              help="text (the default) or JSON; with -o FILE.json, JSON.")
@click.option("-o", "--output", type=click.File("w", encoding="utf-8"), default="-",
              help="Write to this file instead of standard output.")
@click.option("--progress/--no-progress", default=True, show_default=True,
              help="A progress bar on stderr.")
@click.option("--workers", type=click.IntRange(1, 64), default=None,
              help="Processes analyzing again (default: the CPUs, at most 4).")
def backtest(db: str, lexicon_files: tuple[str, ...], template: str | None, month: str | None,
             apply: bool, fmt: str | None, output: TextIO, progress: bool,
             workers: int | None) -> None:
    """Analyze the stored interactions again with new rules and show what would change.

    Each stored transcript (and what only its audio gave) goes through the
    analysis core again with the new lexicon and template, without
    recognition. Shows the findings that appear and disappear, grade changes,
    the red and black list places that move, and how the change fares against
    the verdicts: confirmed findings that would vanish, dismissed ones that
    would stay. Writes nothing unless --apply.
    """
    from dataclasses import replace

    from analyzer.batch.backtest import line_progress, run_backtest
    from analyzer.cli.report import format_of
    from analyzer.options import AnalyzerOptions
    from analyzer.pipeline import get_lexicon
    from analyzer.pipeline.scoring import get_template
    from analyzer.store import Store, periods

    base = AnalyzerOptions()
    options = replace(base, lexicon=tuple(str(p) for p in lexicon_files),
                      score=replace(base.score, template=template or ""))
    new_lexicon = get_lexicon(options)
    scoring = get_template(options, new_lexicon)
    fmt = fmt or ("json" if format_of(output) == "json" else "text")
    with Store(db, readonly=not apply) as store:
        try:
            span = store.day_span()
            period = periods.month(month or (span[1][:7] if span else "1970-01"))
        except ValueError as exc:
            raise click.BadParameter(str(exc), param_hint="--month") from None
        result = run_backtest(store, options, new_lexicon, scoring, period=period, apply=apply,
                              progress=line_progress() if progress else None,
                              workers=workers or min(4, os.cpu_count() or 1))
    if fmt == "json":
        output.write(json.dumps(result.to_dict(), ensure_ascii=False, indent=1) + "\n")
    else:
        output.write(backtest_text(result))


def backtest_text(result: Backtest) -> str:
    """The backtest as the terminal shows it: totals, verdicts, grades, 红黑榜, the changes."""
    from analyzer.i18n import gettext as _

    grades = [c for c in result.changes if c.grade[0] != c.grade[1]]
    out = [_("Backtest of lexicon %(new)s against %(old)s on %(n)s stored interactions",
             new=result.lexicon_version[1], old=result.lexicon_version[0] or "–",
             n=result.interactions),
           _("findings: %(appeared)s appear, %(gone)s disappear; %(changed)s interactions "
             "change, %(grades)s change grade", appeared=result.appeared,
             gone=result.disappeared, changed=len(result.changes), grades=len(grades)),
           _("against the verdicts: %(lost)s confirmed findings would vanish, %(kept)s "
             "dismissed findings would stay", lost=result.confirmed_lost,
             kept=result.dismissed_kept),
           _("analyzed again: %(analysed)s (the change can reach them: %(scope)s); kept as "
             "stored: %(kept)s", analysed=result.analysed, kept=result.kept,
             scope=(", ".join(result.rules_changed) or "–") if result.scope == "changed rules"
             else result.scope)]
    if result.period:
        out.append(_("red and black list %(period)s: %(n)s places change", period=result.period,
                     n=len(result.ranking)))
        for which, group, key, old, new in result.ranking:
            out.append(f"  {which}/{group} {key}: {old or '–'} → {new or '–'}")
    for c in result.changes:
        lost = f"  ✗ {', '.join(r for r, _s in c.confirmed_lost)}" if c.confirmed_lost else ""
        out.append(f"  {c.interaction_id}: {c.score[0]} {c.grade[0]} → {c.score[1]} "
                   f"{c.grade[1]}  + {' '.join(r for r, _s in c.appeared) or '–'}  "
                   f"- {' '.join(r for r, _s in c.disappeared) or '–'}{lost}")
    for pk, message in result.errors:
        out.append(f"  ! {pk}: {message}")
    if result.applied:
        out.append(_("applied: %(n)s interactions re-scored (old results in the audit trail)",
                     n=len(result.changes)))
    else:
        out.append(_("nothing written (read-only; --apply re-scores)"))
    return "\n".join(out) + "\n"

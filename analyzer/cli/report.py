"""``conduct report``: per-hall, per-window and per-article summaries of a results database."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, TextIO

import click

from analyzer.cli.helptext import Command

if TYPE_CHECKING:
    from analyzer.store import Store
    from analyzer.store.periods import Period


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


def _period(kind: str) -> Callable[[click.Context, click.Parameter, str | None], Period | None]:
    """A click callback parsing ``--month`` / ``--quarter`` / ``--year``."""

    def parse(ctx: click.Context, param: click.Parameter, value: str | None) -> Period | None:
        if value is None:
            return None
        from analyzer.store import periods

        try:
            parser: Callable[[str], Period] = getattr(periods, kind)
            return parser(value)
        except ValueError as exc:
            raise click.BadParameter(str(exc)) from None

    return parse


@click.command("report", cls=Command)
@click.option("--db", required=True, type=click.Path(dir_okay=False),
              help="The results database a batch wrote.")
@click.option("--since", default=None, metavar="YYYY-MM-DD", callback=_day,
              help="Only interactions from this day.")
@click.option("--until", default=None, metavar="YYYY-MM-DD", callback=_day,
              help="Only interactions up to this day.")
@click.option("--hall", default=None, help="Only this hall.")
@click.option("--month", "month", default=None, metavar="YYYY-MM", callback=_period("month"),
              help="The month's red and black list (红黑榜, 月通报).")
@click.option("--quarter", "quarter", default=None, metavar="YYYY-Qn",
              callback=_period("quarter"), help="The quarter's lists (季考评).")
@click.option("--year", "year", default=None, metavar="YYYY", callback=_period("year"),
              help="The year's lists (年考核).")
@click.option("--by", "by", type=click.Choice(["staff", "window"]), default=None,
              help="Results per staff member (or window) over the period, with the trend "
                   "against the period before.")
@click.option("--rules", "rules", is_flag=True,
              help="Rule health from the inspectors' verdicts: each rule's findings, reviewed "
                   "share, confirmed precision with its 95 percent interval, dismissal reasons and "
                   "trend, over --month/--quarter/--year or --since/--until (default: the "
                   "latest month), against the scoring template's [rule_health] bar.")
@click.option("--calibration", "calibration", is_flag=True,
              help="Agreement between inspectors who judged the same findings: per pair, "
                   "overall and per rule, the raw counts and Cohen's kappa; the "
                   "disagreements; agreement with the rulings of --referee.")
@click.option("--referee", "referees", multiple=True, metavar="USER",
              help="With --calibration: this user's verdicts are rulings, the reference "
                   "(repeatable; the review app uses its supervisors).")
@click.option("--by-hall", "by_hall", is_flag=True,
              help="With --rules: also a row per hall and rule.")
@click.option("--template", default=None, type=click.Path(exists=True, dir_okay=False),
              help="Scoring template whose [ranking] rules and failing grade apply "
                   "(default: the shipped one).")
@click.option("--format", "fmt", type=click.Choice(["text", "csv", "html", "json"]),
              default=None, help="text tables (the default), one CSV table, a self-contained "
                                 "HTML page, or JSON; with -o FILE, FILE's suffix (.csv, .html, "
                                 ".json) chooses when --format is not given.")
@click.option("-o", "--output", type=click.File("w", encoding="utf-8"), default="-",
              help="Write to this file instead of standard output.")
def report(db: str, since: str | None, until: str | None, hall: str | None,
           month: Period | None, quarter: Period | None, year: Period | None, by: str | None,
           rules: bool, calibration: bool, referees: tuple[str, ...], by_hall: bool,
           template: str | None, fmt: str | None, output: TextIO) -> None:
    """Summarise a results database per hall, window and article; or per staff; or the 红黑榜.

    `--month 2026-11` (or `--quarter 2026-Q4`, `--year 2026`) makes the red
    and black list of that period under the scoring template's [ranking]
    rules; `--by staff` lists every staff member's results; `--rules` says
    how precise each rule is by the inspectors' verdicts.
    """
    from analyzer.store import Store

    chosen = [p for p in (month, quarter, year) if p is not None]
    if len(chosen) > 1:
        raise click.UsageError("give one of --month, --quarter, --year")
    if chosen and (since or until):
        raise click.UsageError("--since/--until and --month/--quarter/--year exclude each other")
    fmt = fmt or format_of(output)
    if calibration:
        if rules or by is not None or fmt not in ("text", "json"):
            raise click.UsageError("--calibration writes text or json, alone")
        with Store(db, readonly=True) as store:
            output.write(_calibration(store, chosen[0] if chosen else None, since, until,
                                      hall, referees, fmt))
        return
    if by_hall and not rules:
        raise click.UsageError("--by-hall goes with --rules")
    if rules:
        if by is not None:
            raise click.UsageError("--rules and --by exclude each other")
        if fmt == "html":
            raise click.UsageError("--rules writes text, csv or json (the review app's "
                                   "/rules page is its HTML)")
        with Store(db, readonly=True) as store:
            text = _rule_health(store, chosen[0] if chosen else None, since, until, hall,
                                by_hall, template, fmt)
        output.write(text)
        return
    with Store(db, readonly=True) as store:
        text = _render(store, chosen[0] if chosen else None, since, until, hall, by, template,
                       fmt)
    output.write(text)


#: Output file suffix -> the format it implies when --format is not given.
SUFFIX_FORMATS: dict[str, str] = {".csv": "csv", ".html": "html", ".htm": "html",
                                  ".json": "json", ".txt": "text"}


def format_of(output: TextIO) -> str:
    """The format an output file's suffix implies (text for standard output or no suffix)."""
    from pathlib import Path

    name = getattr(output, "name", "-")
    if not isinstance(name, str) or name in ("-", "<stdout>"):
        return "text"
    return SUFFIX_FORMATS.get(Path(name).suffix.lower(), "text")


def _render(store: Store, period: Period | None, since: str | None, until: str | None,
            hall: str | None,
            by: str | None, template: str | None, fmt: str) -> str:
    """The report asked for, rendered."""
    from analyzer.rules.score import load_template
    from analyzer.store.filters import Filter

    if by is None and period is None:
        from analyzer.reports.summary import RENDERERS
        from analyzer.store.summaries import build_summary

        if fmt == "json":
            raise click.UsageError("--format json is for --by and --month/--quarter/--year")
        summary = build_summary(store, Filter.of({"since": since, "until": until, "hall": hall}))
        return RENDERERS[fmt](summary)
    scoring = load_template(template)
    if by is not None:
        from analyzer.reports import staff as staff_report

        if period is None:
            period = _span(store, since, until)
        results = store.results(by, period, scoring.failing_grade, Filter(hall=hall or ""))
        names = store.staff_names()
        for r in results:
            r.name = names.get(r.staff, "")
        return staff_report.RENDERERS[fmt](period, results)
    from analyzer.reports.ranking import RENDERERS as LISTS
    from analyzer.store.ranking import build_ranking

    assert period is not None  # neither --by nor a period was handled above
    return LISTS[fmt](build_ranking(store, period, scoring, Filter(hall=hall or ""),
                                    links=fmt == "json"), store.hall_zones())


def _rule_health(store: Store, period: Period | None, since: str | None, until: str | None,
                 hall: str | None, by_hall: bool, template: str | None, fmt: str) -> str:
    """``--rules``: every rule's health over the period (default: the latest month)."""
    from analyzer.reports.health import RENDERERS
    from analyzer.rules.score import load_template
    from analyzer.store.health import build_rule_health

    period = period or _default_period(store, since, until)
    health = build_rule_health(store, period, load_template(template), hall=hall or "",
                               by_hall=by_hall)
    return RENDERERS[fmt](health)


def _calibration(store: Store, period: Period | None, since: str | None, until: str | None,
                 hall: str | None, referees: tuple[str, ...], fmt: str) -> str:
    """``--calibration``: agreement between inspectors over the period (default: latest month)."""
    from analyzer.reports.calibration import RENDERERS
    from analyzer.store.calibration import build_calibration

    period = period or _default_period(store, since, until)
    return RENDERERS[fmt](build_calibration(store, period, hall=hall or "", referees=referees))


def _default_period(store: Store, since: str | None, until: str | None) -> Period:
    """--since/--until, else the latest month with interactions."""
    from analyzer.store import periods

    if since or until:
        return _span(store, since, until)
    span = store.day_span()
    return periods.month(span[1][:7] if span else "1970-01")


def _span(store: Store, since: str | None, until: str | None) -> Period:
    """The period of --since/--until, or of the whole database."""
    from analyzer.store import periods

    first, last = store.day_span() or ("1970-01-01", "1970-01-01")
    try:
        return periods.days(since or first, until or last)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None


@click.command("errors", cls=Command)
@click.option("--db", required=True, type=click.Path(dir_okay=False),
              help="The results database a batch wrote.")
@click.option("--run", "run_id", type=int, default=None,
              help="Only this run's errors (default: every run).")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              show_default=True, help="One line per error, or JSON Lines.")
@click.option("-o", "--output", type=click.File("w", encoding="utf-8"), default="-",
              help="Write to this file instead of standard output.")
def errors(db: str, run_id: int | None, fmt: str, output: TextIO) -> None:
    """List the inputs a batch could not analyze, and why."""
    import json

    from analyzer.i18n import ngettext
    from analyzer.store import Store, error_text

    with Store(db, readonly=True) as store:
        rows = store.errors(run_id)
    for row in rows:
        if fmt == "json":
            output.write(json.dumps(row, ensure_ascii=False) + "\n")
        else:
            output.write(f"run {row['run_id']}  {row['kind']:<16} "
                         f"{error_text(row['path'], row['message'])}\n")
    if fmt == "text":
        click.echo(ngettext("%(num)d error", "%(num)d errors", len(rows)), err=True)

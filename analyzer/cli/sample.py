"""``conduct sample``: fill the inspectors' queues for a period (抽检), seeded and reproducible."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from analyzer.cli.helptext import Command
from analyzer.cli.report import _period
from analyzer.errors import InvalidRequest
from analyzer.store.sampling import DEFAULT_SEED

if TYPE_CHECKING:
    from analyzer.store.periods import Period


@click.command("sample", cls=Command)
@click.option("--db", required=True, type=click.Path(exists=True, dir_okay=False),
              help="The results database a batch wrote.")
@click.option("--month", default=None, metavar="YYYY-MM", callback=_period("month"),
              help="Sample this month.")
@click.option("--quarter", default=None, metavar="YYYY-Qn", callback=_period("quarter"),
              help="Sample this quarter.")
@click.option("--inspector", "inspectors", multiple=True, required=True,
              help="An inspector to assign to (repeatable; round-robin).")
@click.option("--seed", default=DEFAULT_SEED, show_default=True,
              help="Seed of the draw: the same seed, database and template give the same sample.")
@click.option("--template", default=None, type=click.Path(exists=True, dir_okay=False),
              help="Scoring template whose [sampling] rules apply (default: the shipped one).")
@click.option("--calibration", type=click.FloatRange(0.0, 1.0), default=0.0, show_default=True,
              help="Share of the new assignments that a second inspector also judges, "
                   "independently (for the calibration figures; needs two inspectors).")
def sample(db: str, month: Period | None, quarter: Period | None, inspectors: tuple[str, ...],
           seed: str, template: str | None, calibration: float) -> None:
    """Sample a period's interactions by the template's [sampling] rules and assign them.

    Every interaction below the `below` score, a seeded `share` of the rest,
    and at least `min_per_staff` per staff member; each one goes to one
    inspector, and a --calibration share to a second one too. Interactions
    assigned before keep their inspectors.
    """
    from analyzer.rules.score import load_template
    from analyzer.store import Store

    periods = [p for p in (month, quarter) if p is not None]
    if len(periods) != 1:
        raise click.UsageError("give one of --month or --quarter")
    rules = load_template(template).sampling
    with Store(db) as store:
        try:
            result = store.sample(periods[0], rules, list(inspectors), seed=seed, user="cli",
                                  calibration=calibration)
        except InvalidRequest as exc:
            raise click.BadParameter(str(exc), param_hint="--calibration") from None
    chosen = ", ".join(f"{k} {v}" for k, v in sorted(result.chosen.items())) or "nothing"
    click.echo(f"{result.period} (seed {result.seed}): sampled {chosen}; "
               f"{result.already} assigned before")
    for name, n in sorted(result.per_inspector.items()):
        second = result.per_second.get(name, 0)
        click.echo(f"  {name}: {n} new" + (f", {second} as second inspector" if second else ""))

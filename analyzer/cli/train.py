"""``conduct train``: retrain the learned detectors with the inspectors' verdicts, then gate them."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import click

from analyzer.cli.helptext import Command, Group
from analyzer.errors import InputsFailed


@click.group("train", cls=Group)
def train() -> None:
    """Retrain the learned detectors with the inspectors' verdicts, and gate a retrained model."""


@train.command("verdicts", cls=Command)
@click.option("--db", required=True, type=click.Path(exists=True, dir_okay=False),
              help="The results database holding the verdicts.")
@click.option("--candidate", "out", required=True, type=click.Path(file_okay=False),
              help="Folder for the retrained model (a candidate: `conduct train gate` decides).")
@click.option("--base", default=None, type=click.Path(exists=True, file_okay=False),
              help="Model folder to start from (default: the shipped models).")
@click.option("--since", default="", metavar="YYYY-MM-DD", help="Verdicts on interactions from this day.")
@click.option("--until", default="", metavar="YYYY-MM-DD", help="Verdicts on interactions to this day.")
def verdicts(db: str, out: str, base: str | None, since: str, until: str) -> None:
    """Turn confirmed and dismissed findings of the learned detectors into training rows.

    The uncivil classifier's findings and the forbidden intents the act
    detector heard become labelled examples (text only, masked), added to the
    hand-written training data; the tasks they teach are retrained into CANDIDATE,
    and each model's card (metadata.json) records the share of verdict rows.
    """
    from analyzer.resources import data_path
    from analyzer.store import Store
    from analyzer.training.classifiers.train import DATA_DIR, train_all
    from analyzer.training.verdicts import merge_data, record_share, tasks_of, verdict_examples

    with Store(db, readonly=True) as store:
        examples = verdict_examples(store, since=since, until=until)
    if not examples:
        raise InputsFailed("no confirmed or dismissed finding of a learned detector in the store")
    source = Path(base) if base else data_path("models", "classifiers")
    target = Path(out)
    target.mkdir(parents=True, exist_ok=True)
    for path in source.iterdir():
        if path.is_file():
            shutil.copyfile(path, target / path.name)
    shares = merge_data(source / "data" if base else DATA_DIR, target / "data", examples)
    train_all(target, target / "data", timing=False, tasks=tasks_of(examples))
    record_share(target, shares, os.path.basename(db))
    for task, share in shares.items():
        click.echo(f"{task}: {share['rows']} verdict rows ({share['confirmed']} confirmed, "
                   f"{share['dismissed']} dismissed) = {100 * share['share']:.1f}% of "
                   f"{share['of_rows']} rows")
    click.echo(f"retrained into {target}; run `conduct train gate --model {target}` before it "
               "goes live")


@train.command("gate", cls=Command)
@click.option("--db", required=True, type=click.Path(exists=True, dir_okay=False),
              help="The results database whose confirmed findings the model must keep.")
@click.option("--model", "model", required=True, type=click.Path(exists=True, file_okay=False),
              help="The retrained model folder.")
@click.option("--live", default=None, type=click.Path(file_okay=False),
              help="Put the model here when it passes (the folder classifier.model_dir names).")
@click.option("--workers", type=click.IntRange(1, 64), default=None,
              help="Processes analyzing again (default: the CPUs, at most 4).")
@click.option("--progress/--no-progress", default=True, show_default=True,
              help="A progress bar on stderr.")
def gate(db: str, model: str, live: str | None, workers: int | None, progress: bool) -> None:
    """Backtest a retrained model: it may go live only if no confirmed finding vanishes.

    Every stored interaction is analyzed again with the model and compared
    with the stored results; exits 1, putting nothing live, when a finding an
    inspector confirmed would vanish.
    """
    from analyzer.batch.backtest import line_progress, model_gate
    from analyzer.i18n import gettext as _
    from analyzer.options import AnalyzerOptions
    from analyzer.store import Store

    with Store(db, readonly=True) as store:
        result = model_gate(store, AnalyzerOptions(), model,
                            progress=line_progress("gate") if progress else None,
                            workers=workers or min(4, os.cpu_count() or 1))
    bt = result.backtest
    click.echo(_("findings: %(appeared)s appear, %(gone)s disappear; %(changed)s interactions "
                 "change, %(grades)s change grade", appeared=bt.appeared, gone=bt.disappeared,
                 changed=len(bt.changes),
                 grades=sum(c.grade[0] != c.grade[1] for c in bt.changes)))
    click.echo(_("against the verdicts: %(lost)s confirmed findings would vanish, %(kept)s "
                 "dismissed findings would stay", lost=bt.confirmed_lost, kept=bt.dismissed_kept))
    if not result.passed:
        raise InputsFailed(_("the model does not go live: %(lost)s confirmed findings would "
                             "vanish, %(errors)s interactions failed", lost=bt.confirmed_lost,
                             errors=len(bt.errors)))
    if live:
        promote(Path(model), Path(live))
        click.echo(_("passed: the model is live in %(folder)s", folder=live))
    else:
        click.echo(_("passed: no confirmed finding is lost"))


def promote(model: Path, live: Path) -> None:
    """Put the model's files in ``live`` as a whole: copied beside it, then swapped in."""
    live.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=live.name + ".", dir=live.parent))
    for path in model.iterdir():
        if path.is_file():
            shutil.copyfile(path, staging / path.name)
    old = live.with_name(live.name + ".previous")
    if old.exists():
        shutil.rmtree(old)
    if live.exists():
        live.rename(old)
    staging.rename(live)

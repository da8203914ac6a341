"""``conduct batch``: analyze a hall's recordings and transcripts into a results database."""

from __future__ import annotations

import json
import sys
from typing import TextIO

import click

from analyzer.cli.helptext import Command
from analyzer.errors import InputsFailed
from analyzer.options import SHARE_MODES


@click.command("batch", cls=Command)
@click.argument("source", type=click.Path(exists=True))
@click.option("--db", required=True, type=click.Path(dir_okay=False),
              help="SQLite results database (created if missing).")
@click.option("--workers", type=click.IntRange(1), default=1, show_default=True,
              help="Worker processes (local) or actors (Ray), each holding the model.")
@click.option("--threads-per-worker", "threads", type=click.IntRange(1), default=1,
              show_default=True, help="CPU threads of each worker's model.")
@click.option("--executor", "--engine", "executor", type=click.Choice(["local", "ray"]),
              default="local", show_default=True,
              help="What runs the recordings: local processes or a Ray cluster (--engine is "
                   "the old name).")
@click.option("--address", default=None, help="Ray cluster address (ray://head:10001 or auto).")
@click.option("--ship-audio", is_flag=True,
              help="Ray: send each recording's bytes to the node that analyzes it (when the "
                   "nodes do not mount the recordings at the same path).")
@click.option("--device", type=click.Choice(["cpu", "cuda", "auto"]), default=None,
              help="Where Whisper runs (default: asr.device); cuda uses float16.")
@click.option("--rescore", is_flag=True,
              help="Re-run matching and scoring on stored transcripts even when current.")
@click.option("--retry-errors", is_flag=True,
              help="Analyze again recordings that failed as bad input in an earlier run.")
@click.option("--batch-size", type=click.IntRange(1), default=None,
              help="Packed 30 s bins per encoder call (default: 4 on CPU, 16 on a GPU).")
@click.option("--inflight", type=click.IntRange(1), default=6, show_default=True,
              help="Recordings each worker has in flight (decoding overlaps recognition).")
@click.option("--beam-size", type=click.IntRange(1), default=None,
              help="Beam width (same as --set asr.beam_size=N; default 5).")
@click.option("--compute-type", default=None,
              help="CTranslate2 compute type (--set asr.compute_type; default int8_float32 on "
                   "CPU, float16 with --device cuda).")
@click.option("--pieces-per-window", type=click.IntRange(0), default=None,
              help="Most speech pieces sharing a 30 s bin (default 0: as many as fit; "
                   "1: every piece alone).")
@click.option("--share", type=click.Choice(list(SHARE_MODES)), default=None,
              help="Which speech may share a 30 s bin: channel (one recording "
                   "channel's own), recording (both parties of one recording, in time "
                   "order; default), plan (the recordings of one group of a deterministic "
                   "day plan: fuller bins, and the same day always gives the same words) or "
                   "any (across recordings: fullest bins, but a transcript depends on its bin "
                   "neighbours).")
@click.option("--lexicon", "lexicons", multiple=True, type=click.Path(exists=True, dir_okay=False),
              help="A hall's lexicon file layered over the shipped one (repeatable).")
@click.option("--set", "overrides", multiple=True, metavar="KEY=VALUE",
              help="Override an option by its dotted name (repeatable).")
@click.option("--no-progress", is_flag=True,
              help="No progress (default: a bar on a terminal, plain log lines otherwise).")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              show_default=True, help="The summary as text lines or one JSON object.")
@click.option("-o", "--output", type=click.File("w", encoding="utf-8"), default="-",
              help="Write the summary to this file instead of standard output.")
@click.option("--json", "as_json", is_flag=True, hidden=True,
              deprecated="use --format json; --json goes in the next release")
def batch(source: str, db: str, workers: int, threads: int, executor: str, address: str | None,
          ship_audio: bool, device: str | None, rescore: bool, retry_errors: bool, batch_size: int | None,
          inflight: int,
          beam_size: int | None, compute_type: str | None, pieces_per_window: int | None,
          share: str | None, lexicons: tuple[str, ...], overrides: tuple[str, ...], no_progress: bool,
          fmt: str, output: TextIO, as_json: bool) -> None:
    """Analyze SOURCE (a folder, searched recursively, or a CSV/JSONL manifest).

    Already analyzed content (same model and lexicon version) is skipped, so
    an interrupted batch resumes where it stopped; a changed lexicon re-scores
    stored transcripts without transcribing again. Bad inputs become error
    rows and the batch goes on; the exit code is 1 when there were any.
    """
    from analyzer.batch import run_batch
    from analyzer.cli.analyze import build_options

    # the flags are shorthands for these options (one place: analyzer/options.py)
    flags = {"asr.device": device, "asr.beam_size": beam_size, "asr.compute_type": compute_type,
             "pack.pieces_per_window": pieces_per_window, "pack.share": share,
             "pack.batch_size": batch_size}
    if device == "cuda" and compute_type is None:
        flags["asr.compute_type"] = "float16"
    given = tuple(f"{k}={v}" for k, v in flags.items() if v is not None)
    options = build_options(lexicons, (*overrides, *given))
    summary = run_batch(source, db, options, executor=executor, workers=workers, threads=threads,
                        address=address, rescore=rescore, progress=not no_progress,
                        argv=sys.argv, inflight=inflight, retry_errors=retry_errors,
                        ship=ship_audio,
                        on_error=lambda _path, message: click.echo(f"error: {message}", err=True))
    if as_json:
        fmt = "json"
    output.write((json.dumps(summary.to_dict(), ensure_ascii=False) if fmt == "json"
                  else summary.text()) + "\n")
    if not summary.files and not summary.errors:
        raise InputsFailed(f"no input found in {source}: a folder of recordings (.wav, .mp3, "
                           ".m4a, .ogg, .flac ...) and transcripts (.json, .jsonl), or a "
                           "CSV/JSONL manifest")
    if summary.errors:
        raise InputsFailed(f"{summary.errors} input(s) failed; see `conduct errors --db {db}`")

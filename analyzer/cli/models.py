"""``conduct models``: where the speech model is and whether it verifies."""

from __future__ import annotations

import json
from typing import Any

import click

from analyzer.cli.helptext import Group
from analyzer.errors import InputsFailed, ModelError


@click.group(cls=Group)
def models() -> None:
    """Speech model: assemble the bundled Whisper base, check a model folder."""


@models.command()
@click.option(
    "--model",
    "model",
    default="",
    envvar="CONDUCT_MODEL",
    help="A CTranslate2 Whisper folder to check instead of the bundled one (env CONDUCT_MODEL).",
)
@click.option(
    "--cache-dir",
    default=None,
    envvar="CONDUCT_MODEL_CACHE",
    type=click.Path(file_okay=False),
    help="Where the bundled model is assembled (env CONDUCT_MODEL_CACHE).",
)
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              show_default=True, help="The result as text or one JSON object.")
@click.option("--json", "old_json", is_flag=True, hidden=True,
              deprecated="use --format json; --json goes in the next release")
def check(model: str, cache_dir: str | None, fmt: str, old_json: bool) -> None:
    """Say where the model is and whether it verifies (exit 1 if not)."""
    as_json = old_json or fmt == "json"
    from analyzer.speech.model import resolve_model, verify_model

    try:
        folder = resolve_model(model, cache_dir)
    except ModelError as exc:
        _report({"path": exc.source, "ok": False, "problems": [str(exc)]}, as_json)
        raise InputsFailed("the model does not verify") from None
    status = verify_model(folder)
    result = {
        "path": str(status.path),
        "ok": status.ok,
        "bundled": status.bundled,
        "sha256": status.sha256,
        "problems": list(status.problems),
    }
    _report(result, as_json)
    if not status.ok:
        raise InputsFailed("the model does not verify")


def _report(result: dict[str, Any], as_json: bool) -> None:
    if as_json:
        click.echo(json.dumps(result, ensure_ascii=False, indent=2))
        return
    click.echo(f"model:    {result['path']}")
    if "bundled" in result:
        kind = (
            "bundled Whisper base" if result["bundled"] else "user-supplied (no recorded checksum)"
        )
        click.echo(f"kind:     {kind}")
        click.echo(f"sha256:   {result['sha256'] or '-'}")
    click.echo(f"verifies: {'yes' if result['ok'] else 'NO'}")
    for problem in result["problems"]:
        click.echo(f"  problem: {problem}")

"""``conduct staff enroll``: keep a clerk's voice, to tell them apart on one microphone.

The voice is measured on the clerk's own speech in their past recordings
(the staff channel of stereo recordings, or headset recordings) and kept in
the voices file that ``attribution.voices`` names
(:mod:`analyzer.speech.voices`); mono analyses of that clerk's interactions
then know which voice is theirs.
"""

from __future__ import annotations

from pathlib import Path

import click

from analyzer.cli.helptext import Group
from analyzer.i18n import gettext as _


@click.group(cls=Group)
def staff() -> None:
    """Staff voices (for telling the clerk apart on one microphone)."""


@staff.command()
@click.argument("staff_id")
@click.argument("recordings", nargs=-1, required=True,
                type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--voices", "voices", type=click.Path(dir_okay=False, path_type=Path),
              required=True, help="The voices file to add the voice to (created if absent); "
                                  "mono analysis uses it with --set attribution.voices=PATH.")
@click.option("--set", "overrides", multiple=True, metavar="KEY=VALUE",
              help="Override an option (e.g. asr.stereo_speakers='[\"citizen\",\"staff\"]').")
def enroll(staff_id: str, recordings: tuple[Path, ...], voices: Path,
           overrides: tuple[str, ...]) -> None:
    """Enrol STAFF_ID's voice from their stereo (staff channel) or headset RECORDINGS."""
    from analyzer.cli.analyze import build_options
    from analyzer.speech.enroll import measure
    from analyzer.speech.voices import save_voice

    if not staff_id.strip() or len(staff_id) > 200 or not staff_id.isprintable():
        raise click.BadParameter(_("expected a staff id as interactions name it"),
                                 param_hint="STAFF_ID")
    options = build_options((), overrides)
    voice = measure(staff_id, recordings, options)
    save_voice(voices, voice)
    click.echo(_("enrolled %(staff)s: %(seconds).1f s of speech in %(n)d stretches from "
                 "%(files)d recordings, kept in %(path)s",
                 staff=staff_id, seconds=voice.seconds, n=voice.stretches,
                 files=len(recordings), path=str(voices)))

"""``conduct line``: connect a line to a listener (``conduct stream --listen``).

``conduct line send SOURCE URL`` sends a recording, standard input or a sound
device as one line (:mod:`analyzer.stream.client`) and prints each event the
listener sends back as one JSON object per line, as ``conduct stream`` does.
Exit codes: 0 the call was taken and ended; 1 the listener ended it with an
error (what was sent is still analysed and kept); 2 nothing was sent (the
listener refused or could not be reached, or the source cannot be read).
"""

from __future__ import annotations

import json
import os
import sys
from typing import Any

import click

from analyzer.cli.helptext import Command, Group
from analyzer.errors import InputsFailed


@click.group("line", cls=Group)
def line() -> None:
    """Connect a line to a listener: a recording, a pipe or a sound device."""


@line.command("send", cls=Command)
@click.argument("source")
@click.argument("url")
@click.option("--call-id", default=None, help="The call's id (default: the sidecar's id, "
                                               "else the file's name).")
@click.option("--channel", type=click.Choice(["phone", "counter"]), default=None,
              help="Default: the sidecar's, else phone.")
@click.option("--hall", default=None, help="Default: the sidecar's.")
@click.option("--window", default=None, help="Default: the sidecar's.")
@click.option("--staff", default=None, help="Default: the sidecar's.")
@click.option("--started-at", default=None, help="ISO-8601 start (default: the sidecar's).")
@click.option("--stereo-speakers", default=None, metavar="ROLE,ROLE",
              help="Who speaks on channels 0 and 1, e.g. citizen,staff.")
@click.option("--encoding", type=click.Choice(["s16le", "mulaw", "alaw"]), default="s16le",
              show_default=True, help="How the audio travels (G.711 as a phone line).")
@click.option("--rate", type=click.IntRange(8000, 48000), default=None,
              help="Sample rate sent (a recording is resampled; default 16000).")
@click.option("--channels", type=click.IntRange(1, 2), default=1, show_default=True,
              help="Channels of raw standard input or of a device.")
@click.option("--chunk-ms", type=click.IntRange(10, 1000), default=20, show_default=True,
              help="Milliseconds of audio per frame.")
@click.option("--fast", is_flag=True,
              help="Send as fast as the listener takes it (default: at the audio's own pace).")
@click.option("--token", default=None, envvar="CONDUCT_LINE_TOKEN",
              help="The line source's token (or the CONDUCT_LINE_TOKEN environment variable).")
@click.option("--quiet", is_flag=True, help="Print only the last event.")
def send(source: str, url: str, call_id: str | None, channel: str | None, hall: str | None,
         window: str | None, staff: str | None, started_at: str | None,
         stereo_speakers: str | None, encoding: str, rate: int | None, channels: int,
         chunk_ms: int, fast: bool, token: str | None, quiet: bool) -> None:
    """Send SOURCE to the listener at URL (ws://HOST:PORT) as one line.

    SOURCE is a recording (WAV, FLAC, MP3, OGG...; its sidecar <stem>.json gives the
    call's metadata), - for raw s16le PCM on standard input, or a sound device as
    FORMAT:NAME (alsa:default, pulse:default, avfoundation::0, dshow:audio=NAME).
    """
    import asyncio

    from analyzer.stream.client import header_for, open_source, send_line

    if not url.startswith(("ws://", "wss://")):
        raise click.BadParameter(f"expected ws://HOST:PORT, got {url!r}", param_hint="URL")
    speakers = None
    if stereo_speakers:
        speakers = tuple(p.strip() for p in stereo_speakers.split(","))
        if len(speakers) != 2:
            raise click.BadParameter("expected two roles, e.g. citizen,staff",
                                     param_hint="--stereo-speakers")
    audio = open_source(source, rate=rate, channels=channels, chunk_ms=chunk_ms)
    header = header_for(audio, call_id=call_id, encoding=encoding, channel=channel, hall=hall,
                        window=window, staff=staff, started_at=started_at,
                        stereo_speakers=speakers)
    last: list[dict[str, Any]] = []

    def show(event: dict[str, Any]) -> None:
        last[:] = [event]
        if not quiet:
            _print(event)

    sent = asyncio.run(send_line(url, header, audio, token=token or os.environ.get(
        "CONDUCT_LINE_TOKEN", ""), pace="fast" if fast else "realtime", on_event=show))
    if quiet and last:
        _print(last[0])
    if sent.errors:
        raise InputsFailed(f"line {header.call_id}: " + "; ".join(sent.errors))


def _print(event: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(event, ensure_ascii=False) + "\n")
    sys.stdout.flush()

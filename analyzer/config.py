"""Settings of the services: the live listener and the review web app.

Like the analysis options (:mod:`analyzer.options`) they are frozen
dataclasses that check themselves when built (:mod:`analyzer.validation`),
but they describe where a service runs, not how a recording is judged, so
they are never recorded in a report.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar

from analyzer.errors import OptionError
from analyzer.validation import NONNEG, Checked, Range


@dataclass(frozen=True)
class ListenConfig(Checked):
    """The network input (``conduct stream --listen``, :mod:`analyzer.stream.server`).

    Attributes:
        host: Address lines connect to.
        port: Its TCP port (0: any free port, printed at start).
        monitor_host: Address of the supervisors' feed (``/monitor``), apart
            from the lines': bind it where only the review app reaches.
        monitor_port: Its TCP port (0: any free port, printed at start).
        audiosocket_host: Address of the Asterisk AudioSocket door ("": none).
        audiosocket_port: Its TCP port.
        audiosocket_hall: Hall of the calls that come through AudioSocket
            (its protocol carries a call's UUID only).
        audiosocket_window: Their window (a hotline's name, say).
        db: Results database finished calls are written to (None: not stored).
        record_dir: Folder each finished call's audio (WAV) and sidecar are
            written to, where the nightly batch finds them already analysed;
            default: ``live-calls`` beside ``db``.
        spool_dir: Folder a call's audio is written to as it arrives (a
            killed listener's calls are recovered from it at the next start);
            default: ``.spool`` in the record folder, else a temporary folder
            (no recovery).
        max_lines: Lines analysed at once; more are refused.
        max_frame_bytes: Largest frame taken.
        header_seconds: Seconds a new connection has to send its header.
        idle_seconds: A line that sends no audio for this long is ended
            (what it sent is analysed and kept).
        max_call_seconds: A line is ended when its audio passes this length.
        max_call_bytes: ... or when its audio passes this many bytes.
    """

    SECTION: ClassVar[str] = "listen"
    _RANGES: ClassVar[dict[str, Range]] = {
        "port": (0, 65535), "monitor_port": (0, 65535), "audiosocket_port": (0, 65535),
        "max_lines": (1, 1024), "max_frame_bytes": (1024, None), "header_seconds": (0.1, None),
        "idle_seconds": (0.1, None), "max_call_seconds": (1.0, None),
        "max_call_bytes": (1024, None)}

    host: str = "127.0.0.1"
    port: int = 0
    monitor_host: str = "127.0.0.1"
    monitor_port: int = 0
    audiosocket_host: str = ""
    audiosocket_port: int = 0
    audiosocket_hall: str = ""
    audiosocket_window: str = ""
    db: Path | None = None
    record_dir: Path | None = None
    spool_dir: Path | None = None
    max_lines: int = 32
    max_frame_bytes: int = 1 << 20
    header_seconds: float = 10.0
    idle_seconds: float = 30.0
    max_call_seconds: float = 4 * 3600.0
    max_call_bytes: int = 1 << 30

    def recordings(self) -> Path | None:
        """Where finished calls' audio goes (None when calls are not stored)."""
        if self.record_dir is not None:
            return self.record_dir
        return None if self.db is None else self.db.parent / "live-calls"

    def spool(self) -> Path | None:
        """Where calls are written as they arrive (None: a temporary folder)."""
        if self.spool_dir is not None:
            return self.spool_dir
        folder = self.recordings()
        return None if folder is None else folder / ".spool"

    def binds(self) -> list[str]:
        """Every address the listener binds."""
        return [self.host, self.monitor_host] + ([self.audiosocket_host]
                                                 if self.audiosocket_host else [])


@dataclass(frozen=True)
class WebConfig(Checked):
    """Settings of one app instance.

    Attributes:
        db: The results database (SQLite).
        recordings_root: The only folder recordings are served from; None
            serves no audio.
        idle_timeout: Seconds without a request after which a session ends.
        max_age: Seconds after login after which a session ends.
        secure_cookies: Mark cookies ``Secure`` (behind HTTPS).
        lexicon: Extra lexicon files, as given to the analyzer.
        login_max_failures: Failed logins per account within
            ``login_failure_seconds`` after which further attempts are refused (0: no limit).
        login_failure_seconds: Seconds a failed login counts.
        scoring_template: The scoring template whose ``[ranking]`` rules and
            failing grade the staff pages and the 红黑榜 use ("": the shipped one).
        live_url: The ``conduct stream --listen`` server whose lines the live
            monitor page shows (its monitor address, ``ws://HOST:PORT``; empty:
            no live page feed).
        live_token: The monitor token the listener gave the review app
            (``[[monitor]]`` of its tokens file; empty: none asked).
    """

    SECTION: ClassVar[str] = "web"
    _RANGES: ClassVar[dict[str, Range]] = {
        "idle_timeout": (1.0, None), "max_age": (1.0, None), "login_max_failures": NONNEG,
        "login_failure_seconds": NONNEG}

    db: Path
    recordings_root: Path | None = None
    idle_timeout: float = 30 * 60.0
    max_age: float = 12 * 3600.0
    secure_cookies: bool = False
    lexicon: tuple[str, ...] = ()
    login_max_failures: int = 5
    login_failure_seconds: float = 15 * 60.0
    scoring_template: str = ""
    live_url: str = ""  # the --listen server (ws://HOST:PORT) the live page relays; "": none
    live_token: str = field(default="", repr=False)  # its monitor token (a secret: not shown)

    def _check_more(self) -> None:
        if self.live_url and not self.live_url.startswith(("ws://", "wss://")):
            raise OptionError(f"expected ws://HOST:PORT or wss://..., got {self.live_url!r}",
                              field="web.live_url")

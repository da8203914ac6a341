"""A live call's audio on disk as it arrives, so neither memory nor a crash takes it.

:class:`CallSpool` writes each frame of a line, as the line sent it, to
``<spool>/<call_id>.raw`` the moment it arrives (one ``write`` per frame,
no buffer in the process), after its header in ``<call_id>.line.json``. A
listener killed at any point (``kill -9``, an OOM, a power cut within what
the disk had taken) leaves both files; the next start finds them
(:func:`pending`) and the call is analysed and stored as a recording
(:func:`analyzer.stream.record.recover`). A call that ends normally turns its
spool into the recording (a WAV and its sidecar) and the spool files go.

:class:`SampleFile` keeps a call's 16 kHz float samples (what the stream's
end-of-call analysis reads) in a file instead of memory: the process holds
only what it reads back.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from analyzer.errors import AudioError
from analyzer.stream.line import LineHeader

if TYPE_CHECKING:
    from analyzer.speech.decode import DecodedAudio

#: Suffixes of a spooled call's two files.
HEADER_SUFFIX, RAW_SUFFIX = ".line.json", ".raw"


@dataclass(frozen=True)
class Spooled:
    """A call found in the spool: its header, where it came from, and its audio file.

    Attributes:
        header: The line's header.
        source: Who sent it (the line source's name).
        raw: Its audio as the line sent it (the header's encoding).
        opened_at: Wall-clock time (epoch seconds) the line was taken.
    """

    header: LineHeader
    source: str
    raw: Path
    opened_at: float

    @property
    def files(self) -> tuple[Path, Path]:
        """Its header file and its audio file."""
        return self.raw.with_suffix(HEADER_SUFFIX), self.raw


class CallSpool:
    """One call's audio written to disk as it arrives (see the module docstring).

    Args:
        folder: The spool folder (made if missing).
        header: The line's header (its ``call_id`` names the files).
        source: Who sent it.
        opened_at: Wall-clock time the line was taken (epoch seconds).

    Raises:
        AudioError: The call id is already spooled (a live line, or a call
            not recovered yet), or the folder cannot be written.
    """

    def __init__(self, folder: Path, header: LineHeader, source: str, opened_at: float) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self.header = header
        self.opened_at = opened_at
        self.raw = folder / f"{header.call_id}{RAW_SUFFIX}"
        self.meta = folder / f"{header.call_id}{HEADER_SUFFIX}"
        described = header.to_dict()
        try:
            fd = os.open(self.meta, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            raise AudioError(f"call {header.call_id} is already in the spool {folder}",
                             source=header.call_id) from None
        except OSError as exc:
            raise AudioError(f"cannot spool the call: {exc}", source=header.call_id) from None
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            json.dump({"header": described, "source": source, "opened_at": opened_at}, out,
                      ensure_ascii=True)
            out.flush()
            os.fsync(out.fileno())
        self._fd: int | None = os.open(self.raw, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        self.bytes = 0

    def write(self, data: bytes) -> None:
        """Append one frame (written through to the operating system at once)."""
        if self._fd is None:
            raise AudioError("the call's spool is closed", source=self.header.call_id)
        view = memoryview(data)
        while view:
            done = os.write(self._fd, view)
            view = view[done:]
        self.bytes += len(data)

    def close(self) -> None:
        """No more audio (the files stay until :meth:`remove`)."""
        if self._fd is not None:
            os.fsync(self._fd)
            os.close(self._fd)
            self._fd = None

    def remove(self) -> None:
        """The call is kept elsewhere now: its spool files go."""
        self.close()
        for path in (self.raw, self.meta):
            path.unlink(missing_ok=True)


def pending(folder: Path) -> list[Spooled]:
    """The calls a previous listener left in its spool (oldest first).

    A header file that cannot be read (a crash while it was written) is
    moved aside to ``<spool>/unreadable/`` with its audio, not lost and not
    retried for ever.
    """
    if not folder.is_dir():
        return []
    out = []
    for meta in sorted(folder.glob(f"*{HEADER_SUFFIX}")):
        raw = meta.with_name(meta.name[: -len(HEADER_SUFFIX)] + RAW_SUFFIX)
        try:
            data: Any = json.loads(meta.read_text(encoding="utf-8"))
            header = LineHeader.parse(json.dumps(data["header"]))
            out.append(Spooled(header, str(data.get("source", "")), raw,
                               float(data.get("opened_at", meta.stat().st_mtime))))
        except (OSError, ValueError, KeyError, TypeError, AudioError):
            aside = folder / "unreadable"
            aside.mkdir(exist_ok=True)
            for path in (meta, raw):
                if path.exists():
                    path.replace(aside / path.name)
    return sorted(out, key=lambda s: s.opened_at)


#: Seconds of samples read back from a :class:`SampleFile` at a time.
READ_SECONDS = 10


class SampleFile:
    """A call's float32 samples, ``(channels, n)``, appended to a file instead of memory.

    The file is an unnamed temporary file in ``folder`` (gone when closed or
    when the process ends); :meth:`clip` reads back a stretch and
    :meth:`blocks` the whole call a block at a time, cut as a long
    recording's blocks are (:class:`analyzer.speech.decode.BlockCutter`):
    the end-of-call analysis holds one block, however long the call.

    Args:
        channels: The call's channels.
        folder: Where the temporary file goes.
    """

    def __init__(self, channels: int, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self.channels = channels
        self._file = tempfile.TemporaryFile(dir=folder)  # noqa: SIM115 - kept open, closed by close()
        self.samples = 0

    def add(self, x: np.ndarray) -> None:
        """Append ``(channels, n)`` samples."""
        if x.shape[1]:
            self._file.seek(0, os.SEEK_END)
            self._file.write(np.ascontiguousarray(x.T, dtype="<f4").tobytes())
            self.samples += int(x.shape[1])

    def _map(self) -> np.ndarray:
        self._file.flush()
        return np.memmap(self._file, dtype="<f4", mode="r",
                         shape=(self.samples, self.channels)).T

    def clip(self, row: int, a: int, b: int) -> np.ndarray:
        """Row ``row`` from sample ``a`` to ``b`` (a copy)."""
        a, b = max(0, a), min(self.samples, b)
        if b <= a:
            return np.zeros(0, dtype=np.float32)
        return np.array(self._map()[row, a:b], dtype=np.float32)

    def read(self, a: int, b: int) -> np.ndarray:
        """Every channel from sample ``a`` to ``b``, ``(channels, n)`` (read, not mapped)."""
        a, b = max(0, a), min(self.samples, b)
        if b <= a:
            return np.zeros((self.channels, 0), dtype=np.float32)
        self._file.flush()
        self._file.seek(a * self.channels * 4)
        data = np.frombuffer(self._file.read((b - a) * self.channels * 4), dtype="<f4")
        return np.ascontiguousarray(data.reshape(-1, self.channels).T, dtype=np.float32)

    def blocks(self, block_seconds: float | None, *, native_rate: int, source: str
               ) -> Iterator[DecodedAudio]:
        """The call's samples a block at a time, as :func:`~analyzer.speech.decode.decode_blocks`
        gives a recording's: each block's ``offset``, the last one's ``total``; a call no
        longer than one block is one block (an empty call: one empty block).

        Args:
            block_seconds: Seconds per block (``recording.block_seconds``); None: one block.
            native_rate: The line's own rate (Hz), recorded in each block.
            source: The call's name, recorded in each block.
        """
        from analyzer.speech.decode import SAMPLE_RATE, BlockCutter, DecodedAudio

        def block(x: np.ndarray, offset: int, total: float = 0.0) -> DecodedAudio:
            return DecodedAudio(x, SAMPLE_RATE, x.shape[1] / SAMPLE_RATE, source, native_rate,
                                "pcm", "", offset / SAMPLE_RATE, total)

        cutter, step = BlockCutter(SAMPLE_RATE, block_seconds), READ_SECONDS * SAMPLE_RATE
        for a in range(0, self.samples, step):
            full = cutter.add(self.read(a, a + step))
            if full is not None:
                out = block(full, cutter.done - full.shape[1])
                del full
                yield out
                del out  # one block held at a time
        rest = cutter.rest(self.channels)
        if rest.shape[1] or not cutter.done:
            yield block(rest, cutter.done, (cutter.done + rest.shape[1]) / SAMPLE_RATE)

    def close(self) -> None:
        """Drop the file."""
        self._file.close()

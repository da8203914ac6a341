"""Which recording an account may hear, and the masked copy staff accounts hear.

**Whose recording it is.** An interaction names its recording by its input
path (audio analysed by the batch) or, for a typed transcript, by its
``audio`` entry. A staff account may open its own interactions, but the
``audio`` entry is the input's word: a typed transcript of clerk A naming
clerk B's recording must not hand B's call to A. So before a staff account
hears a recording, the recording's owners are looked up
(:meth:`analyzer.store.Store.recording_claims`, by file name, then resolved
inside the recordings root): the interactions analysed *from* that file,
or, when none was, every interaction naming it. The account hears it only
when every owner is its own staff id.

**What staff hear.** Staff see their interactions with citizens' personal
data masked (:func:`analyzer.training.privacy.mask_utterances`), and hear
the recording the same way: a copy at :data:`STAFF_RATE` Hz with each masked
span replaced by a tone, rendered once into a temporary folder of the app
(range requests, for seeking, come from the file). Recordings longer than
:data:`MAX_MASKED_SECONDS` are not rendered (the page says so).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
import threading
from pathlib import Path

from fastapi import HTTPException, Request

from analyzer.errors import PathRefused
from analyzer.speech.clips import INPUT_RECORDING_KEYS, recording_of, resolve_recording
from analyzer.store.masked import MASK_VERSION
from analyzer.store.rows import RecordingRef
from analyzer.web.auth import User
from analyzer.web.deps import config_of, store_of

#: Sample rate of the masked copies staff hear (telephone band: speech stays clear).
STAFF_RATE = 8000
#: Longest recording rendered masked for a staff account (seconds).
MAX_MASKED_SECONDS = 30 * 60.0
#: Masked copies kept on disk per app (oldest removed first).
MAX_MASKED_COPIES = 32
_RENDER = threading.Lock()


def _refs(ref: RecordingRef) -> list[object]:
    out: list[object] = [ref.get("source_path")]
    for keys in INPUT_RECORDING_KEYS:
        value: object = ref.get("input") or {}
        for key in keys:
            value = value.get(key) if isinstance(value, dict) else None
        out.append(value)
    return out


def _resolves_to(root: Path | None, ref: object, path: Path) -> bool:
    if not isinstance(ref, str) or not ref:
        return False
    try:
        return resolve_recording(root, ref) == path
    except PathRefused:
        return False


def owners(request: Request, path: Path) -> list[tuple[int, str]]:
    """The interactions (pk, staff id) a recording belongs to (see the module docstring)."""
    root = config_of(request).recordings_root
    claims = store_of(request).recording_claims(path.name)
    naming = {pk: (staff, ref) for pk, (staff, ref) in claims.items()
              if any(_resolves_to(root, r, path) for r in _refs(ref))}
    analysed = [pk for pk, (_staff, ref) in naming.items()
                if _resolves_to(root, ref.get("source_path"), path)]
    return [(pk, naming[pk][0]) for pk in (analysed or sorted(naming))]


def recording_for(request: Request, user: User, row: RecordingRef) -> Path | None:
    """The recording of a stored interaction that ``user`` may hear, or None.

    Staff accounts hear only a recording every owner of which is their own staff id.
    """
    path = recording_of(config_of(request).recordings_root, row)
    if path is None or user.role != "staff":
        return path
    mine = owners(request, path)
    if mine and all(staff == user.staff_id for _pk, staff in mine):
        return path
    return None


def masked_copy(request: Request, pk: int, path: Path) -> Path:
    """The staff copy of ``pk``'s recording, personal data masked by a tone (cached).

    Raises:
        HTTPException: 404 when the recording is longer than :data:`MAX_MASKED_SECONDS`
            or cannot be decoded.
    """
    from analyzer.errors import AudioError
    from analyzer.speech.clips import read_segment, wav_bytes
    from analyzer.training.privacy import mask_audio, mask_utterances

    stat = path.stat()
    key = hashlib.sha256(f"{path}|{stat.st_mtime_ns}|{stat.st_size}|{pk}|{MASK_VERSION}"
                         .encode()).hexdigest()[:32]
    folder = _folder(request)
    out = folder / f"{key}.wav"
    with _RENDER:  # one render at a time: each holds the whole call in memory
        if out.is_file():
            return out
        store = store_of(request)
        _masked, spans = mask_utterances(store.report(pk).utterances)
        try:
            samples = read_segment(path, 0.0, MAX_MASKED_SECONDS + 1.0, STAFF_RATE)
        except AudioError:
            raise HTTPException(status_code=404, detail="the recording cannot be decoded") \
                from None
        if samples.shape[1] > MAX_MASKED_SECONDS * STAFF_RATE:
            raise HTTPException(status_code=404, detail="recording too long for a masked copy")
        data = wav_bytes(mask_audio(samples.mean(axis=0), STAFF_RATE, spans), STAFF_RATE)
        _prune(folder)
        tmp = out.with_suffix(".part")
        tmp.write_bytes(data)
        os.replace(tmp, out)
    return out


def _folder(request: Request) -> Path:
    """The app's folder of masked copies (made on first use, removed at shutdown)."""
    state = request.app.state
    folder: Path | None = getattr(state, "masked_dir", None)
    if folder is None or not folder.is_dir():
        folder = Path(tempfile.mkdtemp(prefix="conduct-masked-"))
        state.masked_dir = folder
    return folder


def _prune(folder: Path) -> None:
    copies = sorted(folder.glob("*.wav"), key=lambda p: p.stat().st_mtime)
    for old in copies[:max(0, len(copies) - MAX_MASKED_COPIES + 1)]:
        old.unlink(missing_ok=True)


def remove_copies(folder: Path | None) -> None:
    """Remove the app's masked copies (at shutdown)."""
    if folder is not None:
        shutil.rmtree(folder, ignore_errors=True)

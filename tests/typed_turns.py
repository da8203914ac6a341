"""A typed hall record from (speaker, text[, wait]) turns, for the rule tests.

Each turn starts ``wait`` seconds (0.6 unless given) after the one before ends
and lasts as long as its text takes to say (4.5 characters a second, 0.8 s at
least), so the rules read the words with realistic times.
"""

from __future__ import annotations

from typing import Any


def typed_record(turns, *, record_id: str = "typed", channel: str = "counter",
                 started_at: str = "2026-11-04T10:00:00+08:00", **extra: Any) -> dict[str, Any]:
    """Build the record; ``extra`` keys (``rings``, ``staff`` …) go on it as they are."""
    utts, t = [], 0.0
    for speaker, text, *wait in turns:
        t += wait[0] if wait else 0.6
        end = t + max(0.8, len(text) / 4.5)
        utts.append({"speaker": speaker, "start": round(t, 2), "end": round(end, 2), "text": text})
        t = end
    return {"id": record_id, "channel": channel, "started_at": started_at, "utterances": utts,
            **extra}

"""What a staff account is shown of its own interactions and appeals.

A clerk sees their own results to learn from them and to appeal, not to
read the citizens' personal data again, nor to learn which inspector or
supervisor judged them. So for a ``staff`` account every text the pages show
(the transcript, each finding's evidence and details, review and appeal
comments, reasons, notes) has personal data masked
(:func:`analyzer.training.privacy.mask_text`, the transcript as a whole by
:func:`~analyzer.training.privacy.mask_utterances`), the who-said-it
diagnostics are left out, and the names of the accounts that reviewed,
filed and ruled are replaced by their part (:data:`REVIEWER`,
:data:`SUPERVISOR`, :data:`YOU`). The recording is masked the same way
(:mod:`analyzer.web.recordings`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from analyzer.store.appeals import Appeal, Rectification
from analyzer.store.rows import ReviewRow
from analyzer.training import privacy
from analyzer.types import Utterance

#: Shown instead of the name of the inspector who gave a verdict.
REVIEWER = "质检员 inspector"
#: Shown instead of the name of a supervisor (or admin) who filed or ruled.
SUPERVISOR = "主管 supervisor"
#: Shown instead of the staff account's own name.
YOU = "本人 you"

def mask(value: Any) -> Any:
    """``value`` with personal data masked in every string it holds (dicts and lists too)."""
    if isinstance(value, str):
        return privacy.mask_text(value)
    if isinstance(value, dict):
        return {k: mask(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(mask(v) for v in value)
    return value


def utterances(items: Sequence[Utterance]) -> list[Utterance]:
    """The transcript with personal data masked (the masker sees it whole)."""
    masked, _spans = privacy.mask_utterances(list(items))
    return masked


def review(row: ReviewRow) -> ReviewRow:
    """A verdict without its inspector's name; its comment masked."""
    return {**row, "user": REVIEWER, "comment": privacy.mask_text(row["comment"])}


def appeal(a: Appeal, account: str) -> Appeal:
    """An appeal without the names of who filed (unless the account did) and who ruled."""
    return replace(a, filed_by=YOU if a.filed_by == account else SUPERVISOR,
                   ruled_by=SUPERVISOR if a.ruled_by else "",
                   reason=privacy.mask_text(a.reason),
                   ruling_comment=privacy.mask_text(a.ruling_comment))


def rectification(r: Rectification) -> Rectification:
    """A rectification without who set it; its action and note masked."""
    return replace(r, set_by=SUPERVISOR, action=privacy.mask_text(r.action),
                   note=privacy.mask_text(r.note))


def finding(f: dict[str, Any], account: str) -> dict[str, Any]:
    """A finding as the interaction page shows it, for a staff account."""
    out = {**f, "evidence": privacy.mask_text(f["evidence"]), "detail": mask(f["detail"]),
           "history": [review(r) for r in f["history"]]}
    if f.get("appeal") is not None:
        out["appeal"] = appeal(f["appeal"], account)
    return out

"""Transcript search (``GET /search``): every call where a phrase was said.

Inspectors and supervisors see the utterance and a link to the second it
was said in the interaction (the player starts there). Trainers search the
masked transcripts only (:mod:`analyzer.store.masked`: matching the raw text
and masking what is shown let a trainer recover a masked number one digit at
a time), see the masked text, no link, no staff id and no staff filter.
Filters are the queue's (hall, window, staff, days, channel) plus the
speaker; ``pinyin=1`` matches by sound.
"""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, Response

from analyzer.i18n import _
from analyzer.store.filters import Filter
from analyzer.store.search import SEARCH_SPEAKERS
from analyzer.web.auth import User
from analyzer.web.deps import query_values, render, require_role, store_of

router = APIRouter()
SEARCHERS = require_role("inspector", "supervisor", "trainer")
_KEYS = ("hall", "window", "staff", "since", "until", "channel")
#: Trainers never see staff ids, so they cannot filter by one either.
_TRAINER_KEYS = tuple(k for k in _KEYS if k != "staff")
PAGE = 100


@router.get("/search", response_class=HTMLResponse)
def search(request: Request, q: str = "", speaker: str = "", pinyin: str = "", page: int = 1,
           user: User = SEARCHERS) -> Response:
    """Search form and the utterances that say the phrase, newest first."""
    masked = not user.may("inspector", "supervisor")  # trainers: the masked index only
    filters = query_values(request.query_params, _TRAINER_KEYS if masked else _KEYS)
    if speaker and speaker not in SEARCH_SPEAKERS:
        raise HTTPException(status_code=400,
                            detail=_("speaker must be one of %(values)s") % {
                                "values": ", ".join(SEARCH_SPEAKERS)})
    hits, error = [], ""
    page = max(page, 1)
    if q.strip():
        try:
            hits = store_of(request).search(
                q[:200], speaker=speaker or None, pinyin=bool(pinyin), filters=Filter.of(filters),
                limit=PAGE, offset=(page - 1) * PAGE, masked=masked)
        except ValueError as exc:
            error = str(exc)
    rows = [{"hit": h, "text": h.text} for h in hits]
    args = {**filters, "q": q, "speaker": speaker, "pinyin": pinyin, "page": page + 1}
    next_url = "/search?" + urlencode({k: v for k, v in args.items() if v})
    return render(request, "search.html", q=q, speaker=speaker, pinyin=bool(pinyin),
                  filters=filters, rows=rows, masked=masked, error=error,
                  next_url=next_url if len(hits) == PAGE else "", speakers=SEARCH_SPEAKERS)

"""Trainers' pages: search good and bad examples, preview masked clips, export a pack.

Trainers only ever see masked text and masked audio: the raw recordings and
transcripts stay on the inspectors' pages.
"""

from __future__ import annotations

import io
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool

from analyzer.i18n import _
from analyzer.speech.clips import read_segment, recording_of, wav_bytes
from analyzer.training import examples as ex
from analyzer.training import privacy
from analyzer.web.auth import User
from analyzer.web.deps import (
    check_csrf,
    config_of,
    database,
    query_values,
    render,
    require_role,
    store_of,
)
from analyzer.web.queries import distinct_values

router = APIRouter()
TRAINER = require_role("trainer")
_SEARCH_KEYS = ("practice", "article", "rule", "hall", "since", "until")
#: Examples per page, and the most a search (and a training pack) holds.
PAGE_SIZE = 50
EXPORT_LIMIT = 500


def _search_args(values: Any) -> dict[str, Any]:
    """Search arguments from a query string or a form (empty values dropped)."""
    return query_values(values, _SEARCH_KEYS, {"practice": tuple(ex.PRACTICES)})


def _search(request: Request, args: dict[str, Any], limit: int = EXPORT_LIMIT
            ) -> list[ex.Example]:
    from analyzer.text.lexicon import load_lexicon

    lexicon = load_lexicon(config_of(request).lexicon)
    return ex.search_examples(store_of(request), lexicon=lexicon, limit=limit, **args)


@router.get("/examples", response_class=HTMLResponse)
def examples_page(request: Request, page: int = 1, user: User = TRAINER) -> Response:
    """Search form and one page of the matching examples (text masked)."""
    args = _search_args(request.query_params)
    searched = bool(args) or "go" in request.query_params
    last = EXPORT_LIMIT // PAGE_SIZE  # a search holds at most EXPORT_LIMIT examples
    page = max(1, min(page, last))
    # one more than the page, to know whether a next page exists
    found = _search(request, args, limit=page * PAGE_SIZE + 1) if searched else []
    shown = [e.masked() for e in found[(page - 1) * PAGE_SIZE:page * PAGE_SIZE]]
    store, root = store_of(request), config_of(request).recordings_root
    refs = store.recording_refs(sorted({e.interaction_pk for e in shown}))
    with_audio = {pk for pk, ref in refs.items() if recording_of(root, ref) is not None}
    choices = distinct_values(database(request))
    from analyzer.text.lexicon import ARTICLES

    def link(n: int) -> str:
        return "/examples?" + urlencode({**args, "go": 1, "page": n})

    return render(request, "examples.html", examples=shown, args=args, searched=searched,
                  choices=choices, with_audio=with_audio, articles=ARTICLES, page=page,
                  first=(page - 1) * PAGE_SIZE + 1, export_limit=EXPORT_LIMIT,
                  prev_url=link(page - 1) if page > 1 else "",
                  next_url=link(page + 1) if len(found) > page * PAGE_SIZE and page < last
                  else "")


@router.get("/examples/clip/{pk}")
def clip(request: Request, pk: int, start: float, end: float, user: User = TRAINER) -> Response:
    """A short masked clip of an example (preview for trainers).

    Only the span of an example of that interaction (:attr:`Example.clip`)
    is served; any other stretch is a 404, so the recording cannot be
    rebuilt clip by clip.
    """
    if not (0 <= start < end) or end - start > ex.MAX_CLIP:
        raise HTTPException(status_code=400, detail=_("clip must be 0 <= start < end, at most %(max)g s") % {
                                "max": ex.MAX_CLIP})
    from analyzer.text.lexicon import load_lexicon

    store = store_of(request)
    lexicon = load_lexicon(config_of(request).lexicon)
    if not ex.clip_allowed(ex.examples_of(store, pk, lexicon), start, end):
        raise HTTPException(status_code=404, detail=_("no example covers this stretch"))
    path = recording_of(config_of(request).recordings_root, store.interaction(pk))
    if path is None:
        raise HTTPException(status_code=404, detail=_("no recording for this interaction"))
    _masked, spans = privacy.mask_utterances(store.report(pk).utterances)
    samples = read_segment(path, start, end, ex.CLIP_RATE)
    samples = privacy.mask_audio(samples, ex.CLIP_RATE, spans, offset=start)
    return Response(wav_bytes(samples, ex.CLIP_RATE), media_type="audio/wav",
                    headers={"Cache-Control": "private, no-store"})


@router.post("/examples/export", dependencies=[Depends(check_csrf)])
async def export(request: Request, user: User = TRAINER) -> Response:
    """The training pack (zip) of the examples matching the posted search."""
    form = await request.form()
    args = _search_args(form)
    mode = form.get("mask") if form.get("mask") in ("tone", "silence") else "tone"

    def build() -> bytes | None:
        found = _search(request, args)
        if not found:
            return None
        buf = io.BytesIO()
        ex.export_pack(found, buf, store=store_of(request),
                       recordings_root=config_of(request).recordings_root,
                       mask_mode=str(mode))
        return buf.getvalue()

    data = await run_in_threadpool(build)
    if data is None:
        raise HTTPException(status_code=404, detail=_("no examples match this search"))
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    return Response(data, media_type="application/zip",
                    headers={"Content-Disposition": f'attachment; filename="training-pack-{stamp}.zip"'})

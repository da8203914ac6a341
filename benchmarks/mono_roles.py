"""One microphone, two people: abstaining and the clerk's enrolled voice, measured.

The counter visits of ``benchmarks/roles.py`` (Kokoro voices, crosstalk,
the next windows, the PA, reverb; four voice pairs, two of them same-sex),
rendered through one desk microphone. Each clerk is enrolled first
(``analyzer.speech.enroll.measure``, as ``conduct staff enroll`` does) from
``--enrol`` (2) *other* visits of theirs recorded in stereo (other scripts, other
citizens, another seed): their own channel.

Each mono visit is recognised once (``analyzer.speech.recording.hear``) and
then attributed and scored three ways on the same words, side by side:

* ``mono auto, no abstaining``: ``attribution.review_below=0`` (before issue 25);
* ``mono auto``: the defaults (a finding on words attributed below
  ``attribution.review_below`` is held for review and deducts nothing);
* ``mono auto + enrolled voice``: the defaults with ``attribution.voices``.

Figures: role accuracy per utterance (matched to the scripted turn its
middle falls in; one in no turn is *invented*), invented turns per minute,
forbidden precision/recall counting only findings that deduct, citizen's
words charged to the clerk (forbidden or uncivil findings inside a citizen
turn) that deduct and that are held, the clerk's own forbidden phrases held
(deductions deferred to an inspector), and the speaker confidence of right
and wrong attributions.

    PYTHONPATH=. .venv/bin/python benchmarks/mono_roles.py [--visits 8] [--seed 13]

Prints a table and writes ``benchmarks/results/mono-roles[-seedN].json``.
No shared mono set exists: these are our generated recordings only.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parent / "tests")]

import audio_factory as af  # noqa: E402
import hall_corpus as hc  # noqa: E402
import roles  # noqa: E402

SYSTEMS = {
    "mono auto, no abstaining": ({"attribution.review_below": 0.0}, False),
    "mono auto": ({}, False),
    "mono auto + enrolled voice": ({}, True),
}


def enrolment_recordings(out: Path, seed: int, per_clerk: int) -> dict[str, list[Path]]:
    """``per_clerk`` stereo visits per clerk voice, other scripts and citizens: their past
    recordings."""
    rng = random.Random(seed + 1000)
    clerks = sorted({s for s, _ in roles.PAIRS})
    others = ["jf_tebukuro", "jm_kumo", "jf_alpha", "jf_nezumi"]
    made: dict[str, list[Path]] = {}
    for c in clerks:
        for k in range(per_clerk):
            citizen = next(v for v in others[k:] + others if v != c)
            script, _, _ = roles.visit_script(rng)
            v = hc.hall_visit(script, {"staff": c, "citizen": citizen}, seed=seed + 1000 + k,
                              speeds=(rng.uniform(0.95, 1.1), 1.0), gap=(0.6, 2.0))
            made.setdefault(c, []).append(af.write_wav(out / f"enrol-{c}-{k}.wav", v.stereo))
    return made


def _charges(report: Any, turns: list[af.Turn], said: set[str]) -> dict[str, int]:
    citizen = [t for t in turns if t.speaker == "citizen"]

    def in_citizen(f: Any) -> bool:
        return f.start is not None and any(t.start - 0.5 <= f.start <= t.end + 0.5
                                           for t in citizen)

    words = [f for f in report.findings if f.kind in ("forbidden", "uncivil")]
    deducting = {f.rule for f in report.findings if f.kind == "forbidden" and not f.review}
    return {"charged_deducting": sum(1 for f in words if in_citizen(f) and not f.review),
            "charged_held": sum(1 for f in words if in_citizen(f) and f.review),
            "staff_held": sum(1 for f in words if not in_citizen(f) and f.review
                              and f.rule in said),
            "held": sum(1 for f in report.findings if f.review),
            "fd_tp": len(deducting & said), "fd_fp": len(deducting - said),
            "fd_fn": len(said - deducting)}


def _confidences(report: Any, turns: list[af.Turn]) -> list[tuple[float, bool]]:
    out = []
    for u in report.utterances:
        turn = roles._turn_of((u.start + u.end) / 2, turns)
        if turn is not None:
            out.append((round(u.speaker_confidence, 3), turn.speaker == u.speaker))
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--visits", type=int, default=8)
    ap.add_argument("--seed", type=int, default=13)
    ap.add_argument("--enrol", type=int, default=2, help="stereo recordings per clerk to enrol")
    ap.add_argument("--out", type=Path, default=HERE / "results" / "roles-audio")
    args = ap.parse_args()
    folder = args.out / f"seed-{args.seed}"
    visits = roles.make_visits(args.visits, folder, args.seed)
    from analyzer.options import AnalyzerOptions
    from analyzer.pipeline import get_lexicon
    from analyzer.pipeline.core import conclude_call
    from analyzer.speech.decode import decode_audio
    from analyzer.speech.enroll import measure
    from analyzer.speech.meta import CallMeta
    from analyzer.speech.recording import hear
    from analyzer.speech.voices import save_voice

    t0 = time.perf_counter()
    voices = folder / "voices.json"
    voices.unlink(missing_ok=True)
    for clerk, paths in enrolment_recordings(folder, args.seed, args.enrol).items():
        save_voice(voices, measure(f"S-{clerk}", paths, AnalyzerOptions()))
    enrol_seconds = time.perf_counter() - t0
    base = AnalyzerOptions()
    lexicon = get_lexicon(base)
    rows: dict[str, list[dict[str, int]]] = {name: [] for name in SYSTEMS}
    conf: dict[str, list[tuple[float, bool]]] = {name: [] for name in SYSTEMS}
    for v in visits:
        meta = CallMeta(staff=f"S-{v['pair'].split('/')[0]}", where=str(v["mono"]))
        heard = hear(v["mono"], base, meta, decode_audio(v["mono"]), None)
        for name, (overrides, enrolled) in SYSTEMS.items():
            extra = {"attribution.voices": str(voices)} if enrolled else {}
            opts = base.with_overrides({**overrides, **extra})
            report = conclude_call(iter([heard.audio]), lambda _b, _l, h=heard: h, meta, opts,
                                   lexicon=lexicon, source=str(v["mono"]), asr_info=None).report
            row = roles.score_visit(report, v["turns"], v["omitted"], v["said"])
            rows[name].append({**row, **_charges(report, v["turns"], v["said"])})
            conf[name] += _confidences(report, v["turns"])
    minutes = sum(v["seconds"] for v in visits) / 60
    results = {name: _summary(r, minutes, conf[name]) for name, r in rows.items()}
    _print(results, len(visits), minutes)
    payload = {"visits": len(visits), "seed": args.seed, "minutes": round(minutes, 2),
               "pairs": sorted({v["pair"] for v in visits}), "review_below": AnalyzerOptions().attribution.review_below,
               "enrolment_recordings_per_clerk": args.enrol,
               "enrolment_seconds": round(enrol_seconds, 1), "systems": results}
    name = "mono-roles.json" if args.seed == 13 else f"mono-roles-seed{args.seed}.json"
    (HERE / "results").mkdir(exist_ok=True)
    (HERE / "results" / name).write_text(json.dumps(payload, indent=1) + "\n")


def _summary(rows: list[dict[str, int]], minutes: float, conf: list[tuple[float, bool]]
             ) -> dict[str, Any]:
    t = {k: sum(r[k] for r in rows) for k in rows[0]}
    ratio = roles._ratio
    wrong = sorted(c for c, ok in conf if not ok)
    right = sorted(c for c, ok in conf if ok)
    return {**t, "role_accuracy": ratio(t["right"], t["right"] + t["wrong"]),
            "invented_per_minute": round(t["invented"] / minutes, 3),
            "forbidden_precision_deducting": ratio(t["fd_tp"], t["fd_tp"] + t["fd_fp"]),
            "forbidden_recall_deducting": ratio(t["fd_tp"], t["fd_tp"] + t["fd_fn"]),
            "missing_precision": ratio(t["m_tp"], t["m_tp"] + t["m_fp"]),
            "missing_recall": ratio(t["m_tp"], t["m_tp"] + t["m_fn"]),
            "wrong_confidences": wrong,
            "right_confidences": right}


def _print(results: dict[str, Any], n: int, minutes: float) -> None:
    cols = ("role_accuracy", "invented_per_minute", "forbidden_precision_deducting",
            "forbidden_recall_deducting", "charged_deducting", "charged_held", "staff_held",
            "held", "missing_precision", "missing_recall")
    print(f"{n} mono visits, {minutes:.1f} min of audio")
    print("| system | " + " | ".join(cols) + " |")
    print("|---" * (len(cols) + 1) + "|")
    for name, r in results.items():
        print(f"| {name} | " + " | ".join(str(r[c]) for c in cols) + " |")
    for name, r in results.items():
        print(f"{name}: speaker confidence of wrong attributions {r['wrong_confidences']}, "
              f"of right ones {r['right_confidences']}")


if __name__ == "__main__":
    from page import run_with_page

    sys.exit(run_with_page("mono_roles", "One microphone: abstaining and enrolled voices", main))

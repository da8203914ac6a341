"""Stereo phone calls for the live benchmarks, with every forbidden phrase's end known.

Each call is a script of turns; a turn is one or more clauses, said one after
the other with a short clause pause (``CLAUSE_PAUSE``). A clause written
``"A9-F-05|你去投诉好了"`` is a forbidden phrase of that rule, so its end
time in the call is exact (not read back from a recognizer's word times).
Speech is the natural voice of ``benchmarks/natural_voice.py`` (Kokoro,
``bench`` extra); a call starts with Chinese ringback on the citizen's side and
goes through the telephone band and a G.711 mu-law round trip, at 8 kHz,
staff on channel 0 and citizen on channel 1 — what a hall's PBX forks.

:func:`dialogue_call` renders an interaction of ``../shared/data/dialogues-dev``
(written independently of this project) the same way, for measuring only.
"""

from __future__ import annotations

import random
import sys
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import audio_factory as af  # noqa: E402
import natural_voice  # noqa: E402

#: Kokoro voices of the two parties.
VOICES = {"staff": "jf_alpha", "citizen": "jm_kumo"}
#: Seconds between two clauses of one turn (a comma).
CLAUSE_PAUSE = 0.3
#: Rate of the calls as a PBX sends them.
LINE_RATE = 8000

#: Four calls; each staff forbidden phrase of the lexicon is said at least once, some
#: as a whole turn, some followed by more words after a clause pause.
SCRIPTS: dict[str, list[tuple[str, list[str]]]] = {
    "call-a": [
        ("staff", ["您好，这里是东城区政务服务大厅咨询热线，请问有什么可以帮您？"]),
        ("citizen", ["我想问一下营业执照变更需要什么材料？"]),
        ("staff", ["A8-F-01|我不知道，你去问别人"]),
        ("citizen", ["我上次来的时候材料不全，还要带什么？"]),
        ("staff", ["A10-F-02|你的记性真差", "上次不是跟你说过了吗"]),
        ("citizen", ["你们的服务态度太差了"]),
        ("staff", ["A9-F-05|你去投诉好了"]),
        ("citizen", ["好的，谢谢你"]),
        ("staff", ["请您对我的服务做出评价，谢谢，再见"]),
    ],
    "call-b": [
        ("staff", ["您好，市政务服务中心，请问有什么可以帮您？"]),
        ("citizen", ["我想补办社保卡，现在还能办吗？"]),
        ("staff", ["A9-F-01|下班了，明天再来"]),
        ("citizen", ["现在才四点半，怎么就下班了？"]),
        ("staff", ["A9-F-03|没看我正忙着吗"]),
        ("citizen", ["那我应该去哪个窗口？"]),
        ("staff", ["A8-F-02|有牌子，自己看", "我这边还有别的事"]),
        ("citizen", ["好吧，那我再看看"]),
        ("staff", ["再见"]),
    ],
    "call-c": [
        ("staff", ["您好，这里是政务服务热线，请问您要办理什么业务？"]),
        ("citizen", ["我想问一下公积金在哪里提取？"]),
        ("staff", ["请您带上身份证到三号窗口办理"]),
        ("citizen", ["三号窗口在哪里？刚才没听清楚"]),
        ("staff", ["A10-F-01|我刚才已经说过，你怎么还问"]),
        ("citizen", ["不好意思，我年纪大了"]),
        ("staff", ["A9-F-02|快点，我要下班了"]),
        ("citizen", ["好的，谢谢"]),
        ("staff", ["请您慢走，再见"]),
    ],
    "call-d": [
        ("staff", ["您好，政务服务大厅，请讲"]),
        ("citizen", ["我的申请提交了一个月了，为什么还没有结果？"]),
        ("staff", ["A9-F-04|我就是这样的，你能把我怎么样"]),
        ("citizen", ["你这是什么态度？我要找你们领导"]),
        ("staff", ["A8-F-01|不知道，你去问领导吧"]),
        ("citizen", ["我刚才问的是申请进度"]),
        ("staff", ["A10-F-02|你这记性真差", "我说了要等通知"]),
        ("citizen", ["那好吧"]),
        ("staff", ["谢谢您的来电，再见"]),
    ],
}


@dataclass
class Phrase:
    """A scripted forbidden phrase: its rule and where it is in the call (seconds)."""

    rule: str
    text: str
    start: float
    end: float


@dataclass
class Call:
    """A rendered call: 8 kHz stereo float samples, its turns and its forbidden phrases."""

    name: str
    samples: np.ndarray  # (2, n) at LINE_RATE
    turns: list[af.Turn] = field(default_factory=list)
    phrases: list[Phrase] = field(default_factory=list)

    @property
    def seconds(self) -> float:
        """The call's length."""
        return self.samples.shape[1] / LINE_RATE

    def mulaw(self) -> bytes:
        """The call as a PBX sends it: interleaved G.711 mu-law bytes."""
        return mulaw_bytes(self.samples)


def say(text: str, speaker: str, speed: float = 1.0) -> np.ndarray:
    """One clause in the natural voice at 16 kHz and -20 dBFS."""
    return af.set_level(natural_voice.speak(text, VOICES[speaker], speed).copy(), -20.0)


def render(name: str, script: list[tuple[str, list[str]]], *, rings: int = 2, seed: int = 0,
           gap: tuple[float, float] = (0.6, 1.2)) -> Call:
    """Render a script as a phone call (see the module docstring)."""
    rng = random.Random(seed)
    ring, spans = af.ringback("cn", rings=rings)
    answer = spans[-1][0] + 0.6
    ring = ring[: int(answer * af.SR)]
    t, turns, phrases = answer, [], []
    clips: dict[str, list[tuple[float, np.ndarray]]] = {"staff": [], "citizen": []}
    for speaker, clauses in script:
        start = t
        for k, clause in enumerate(clauses):
            rule, _, text = clause.rpartition("|")
            clip = say(text, speaker)
            clips[speaker].append((t, clip))
            if rule:
                phrases.append(Phrase(rule, text, round(t, 3), round(t + clip.size / af.SR, 3)))
            t += clip.size / af.SR + (CLAUSE_PAUSE if k < len(clauses) - 1 else 0.0)
        turns.append(af.Turn(speaker, round(start, 3), "，".join(c.rpartition("|")[2]
                                                               for c in clauses), end=round(t, 3)))
        t += rng.uniform(*gap)
    total = t + 1.5
    staff = af.place(clips["staff"], total)
    citizen = af.place(clips["citizen"], total)
    citizen[: ring.size] += ring
    line = np.stack([af.resample(af.phone_line(x), af.SR, LINE_RATE) for x in (staff, citizen)])
    return Call(name, np.clip(line, -1, 1), turns, phrases)


def calls(names: list[str] | None = None) -> list[Call]:
    """The scripted calls (all, or those named)."""
    return [render(n, SCRIPTS[n], rings=2 + i % 3, seed=i)
            for i, n in enumerate(SCRIPTS) if names is None or n in names]


def dialogue_call(record: dict, seed: int = 0) -> Call:
    """An interaction of dialogues-dev spoken as a phone call (its turns in order,
    its own pauses kept short); no phrase times (the labels quote words, not times)."""
    script = [(u["speaker"] if u["speaker"] in VOICES else "citizen", [u["text"]])
              for u in record["utterances"] if u.get("text", "").strip()]
    return render(record["id"], script, rings=1, seed=seed, gap=(0.4, 0.9))


def mulaw_bytes(x: np.ndarray) -> bytes:
    """Float ``(channels, n)`` samples as interleaved G.711 mu-law (nearest code of the
    listener's own table, :mod:`analyzer.stream.line`)."""
    from analyzer.stream.line import _TABLES

    table = _TABLES["mulaw"].astype(np.int32)
    order = np.argsort(table)
    ints = af.to_int16(x).astype(np.int32).ravel()
    pos = np.clip(np.searchsorted(table[order], ints), 1, 255)
    lower, upper = order[pos - 1], order[pos]
    pick = np.where(np.abs(table[lower] - ints) <= np.abs(table[upper] - ints), lower, upper)
    return pick.astype(np.uint8).tobytes()

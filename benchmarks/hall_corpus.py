"""Generate a small service-hall corpus: counter visits and phone calls.

Counter recordings are stereo 16 kHz (staff on channel 0, citizen on 1) with
about half of the time silent, as at a real window between turns; phone
calls are 8 kHz stereo through a telephone band and a G.711 mu-law round
trip, starting with 1-5 rings of Chinese ringback, with a sidecar ``.json``
giving hall, window and channel. Speech is the natural voice of
``benchmarks/natural_voice.py`` (Kokoro, ``bench`` extra) when it is
installed, else espeak-ng Mandarin from ``tests/audio_factory.py`` (which
Whisper base reads poorly: error rates measured on it say little). Every
turn's speaker, start and text are kept in the index, so recognition can be
scored against the script. Generation is deterministic for a seed, and the
corpus is cached in its folder (``.corpus.json`` lists it).

    python benchmarks/hall_corpus.py OUT_DIR --minutes 13 [--voice natural|espeak]
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

import audio_factory as af  # noqa: E402
import natural_voice  # noqa: E402

#: Kokoro voices of the two parties (natural voice).
VOICES = {"staff": "jf_alpha", "citizen": "jm_kumo"}

STAFF = [
    "您好，请问您要办理什么业务？",
    "请您稍等一下，我帮您查询。",
    "请您出示一下身份证。",
    "您的材料还缺一份户口本复印件。",
    "请您到三号窗口办理。",
    "这个业务需要填写一张申请表。",
    "办好了，请您对我的服务做出评价，谢谢。",
    "请您慢走，再见。",
    "您好，这里是东城区政务服务大厅咨询热线。",
    "请您再说一遍好吗？",
    "社保卡补办大概需要七个工作日。",
    "不好意思，让您久等了。",
    "您的申请已经受理，结果会短信通知您。",
    "这份表格请在这里签字。",
    "请您对我们的工作提出宝贵意见。",
    "您还有其他需要办理的业务吗？",
]
CITIZEN = [
    "我想补办社保卡。",
    "营业执照变更需要什么材料？",
    "我上次来过，材料已经交了。",
    "好的，谢谢你。",
    "请问公积金在哪里提取？",
    "我等了很久了。",
    "身份证在这里。",
    "那我明天再来。",
    "我想给孩子办理出生登记。",
    "复印件可以在这里打印吗？",
    "你们几点下班？",
]


def default_voice() -> str:
    """``natural`` when the Kokoro voice is installed, else ``espeak``."""
    return "natural" if natural_voice.available() else "espeak"


def say(text: str, speaker: str, voice: str) -> np.ndarray:
    """One turn's speech at 16 kHz and -20 dBFS, in the chosen voice."""
    if voice == "natural":
        return af.set_level(natural_voice.speak(text, VOICES[speaker]).copy(), -20.0)
    return af.speech(text, pitch=35 if speaker == "staff" else 70)


def _turns(rng: random.Random, seconds: float, start: float, phone: bool, voice: str
           ) -> list[tuple[af.Turn, np.ndarray]]:
    """Alternate staff and citizen turns with pauses about as long as the speech."""
    turns, t, speaker = [], start, "staff"
    first = STAFF[8] if phone else STAFF[0]
    while t < seconds - 6:
        pool = STAFF if speaker == "staff" else CITIZEN
        text = first if not turns else rng.choice(pool)
        clip = say(text, speaker, voice)
        turn = af.Turn(speaker, round(t, 2), text, end=round(t + clip.size / af.SR, 2))
        turns.append((turn, clip))
        t += clip.size / af.SR + rng.uniform(1.5, 4.5)
        speaker = "citizen" if speaker == "staff" else "staff"
    return turns


def _render(turns: list[tuple[af.Turn, np.ndarray]], seconds: float) -> np.ndarray:
    """Stereo signal: staff turns on channel 0, citizen turns on channel 1."""
    staff = [(t.start, clip) for t, clip in turns if t.speaker == "staff"]
    citizen = [(t.start, clip) for t, clip in turns if t.speaker == "citizen"]
    return af.stereo(af.place(staff, seconds), af.place(citizen, seconds))


def counter_recording(rng: random.Random, seconds: float, voice: str
                      ) -> tuple[np.ndarray, list[af.Turn]]:
    """A stereo counter visit of ``seconds`` and its script."""
    turns = _turns(rng, seconds, 1.0, False, voice)
    return _render(turns, seconds), [t for t, _ in turns]


def phone_call(rng: random.Random, seconds: float, rings: int, voice: str
               ) -> tuple[np.ndarray, list[af.Turn]]:
    """A stereo phone call at 16 kHz (ringback, then a conversation, phone-line quality)."""
    ring, _ = af.ringback("cn", rings=rings)
    answer = ring.size / af.SR
    turns = _turns(rng, seconds - answer, 0.5, True, voice)
    x = _render(turns, seconds - answer)
    staff = np.concatenate([np.zeros(ring.size, np.float32), x[0]])
    citizen = np.concatenate([ring, x[1]])
    script = [af.Turn(t.speaker, round(t.start + answer, 2), t.text, end=round(t.end + answer, 2))
              for t, _ in turns]
    return af.stereo(af.phone_line(staff), af.phone_line(citizen)), script


#: What the windows next door say (heard ``neighbour_db`` down): their own visits, with
#: questions, a material list and a cue that would make a reply owed if it were this visit's.
NEIGHBOURS = [
    "请问社保卡在哪里办理？",
    "我查一下系统。",
    "身份证复印件带了没有？",
    "你的材料不全，还缺一份证明。",
    "你们服务真好，谢谢。",
    "下一位，请到这边来。",
]
#: The queue caller over the PA.
PA = "请一百二十三号到五号窗口办理。"


@dataclass
class HallVisit:
    """One counter visit as a real hall records it.

    Attributes:
        stereo: ``(2, n)``: each party on their own microphone, each hearing the
            other ``crosstalk_db`` down, the next windows and the PA.
        mono: ``(n,)``: one desk microphone (the citizen a little further away).
        turns: The visit's own script (speaker, start, end, text).
        background: ``(start, end, text)`` of the next windows' talk and the PA.
    """

    stereo: np.ndarray
    mono: np.ndarray
    turns: list[af.Turn]
    background: list[tuple[float, float, str]]


def hall_visit(script: list[tuple[str, str]], voices: dict[str, str], *, seed: int = 0,
               speeds: tuple[float, float] = (1.0, 1.0), crosstalk_db: float = 22.0,
               neighbour_db: float = 38.0, pa_db: float = 30.0, reverb: bool = True,
               gap: tuple[float, float] = (0.6, 1.4)) -> HallVisit:
    """Render a scripted visit with crosstalk, the next windows' babble, the PA and reverb.

    Natural voice only (Kokoro): ``voices`` maps ``staff`` / ``citizen`` to a
    voice, ``speeds`` their speaking rates. Levels: the parties at -20 dBFS on
    their own microphones; the neighbours ``neighbour_db`` and the PA
    ``pa_db`` below that, in the pauses and over the speech alike.
    """
    rng = random.Random(seed)
    t, turns, clips = 0.6, [], {"staff": [], "citizen": []}
    for speaker, text in script:
        speed = speeds[0] if speaker == "staff" else speeds[1]
        clip = af.set_level(natural_voice.speak(text, voices[speaker], speed).copy(), -20.0)
        turns.append(af.Turn(speaker, round(t, 2), text, end=round(t + clip.size / af.SR, 2)))
        clips[speaker].append((t, clip))
        t += clip.size / af.SR + rng.uniform(*gap)
    total = t + 1.2
    staff, citizen = af.place(clips["staff"], total), af.place(clips["citizen"], total)
    noise, background = np.zeros_like(staff), []
    others = [v for v in ("jf_gongitsune", "jf_tebukuro", "jm_kumo", "jf_nezumi")
              if v not in voices.values()]
    for k in range(max(2, int(total / 6))):
        text = rng.choice(NEIGHBOURS)
        clip = natural_voice.speak(text, others[k % len(others)], 1.0)
        at = rng.uniform(0.0, max(0.1, total - clip.size / af.SR))
        noise += af.place([(at, af.set_level(clip.copy(), -20.0 - neighbour_db))], total)
        background.append((round(at, 2), round(at + clip.size / af.SR, 2), text))
    if pa_db:
        clip = af.telephone_band(natural_voice.speak(PA, others[0], 0.9))
        at = rng.uniform(0.0, max(0.1, total - clip.size / af.SR))
        noise += af.place([(at, af.set_level(clip, -20.0 - pa_db))], total)
        background.append((round(at, 2), round(at + clip.size / af.SR, 2), PA))
    leak = af.db_to_amp(-crosstalk_db)
    room = _reverb if reverb else (lambda x: x)
    stereo = np.stack([room(staff + leak * citizen + noise), room(citizen + leak * staff + noise)])
    mono = room(staff + af.db_to_amp(-4.0) * citizen + noise)
    return HallVisit(np.clip(stereo, -1, 1), np.clip(mono, -1, 1), turns, background)


def _reverb(x: np.ndarray) -> np.ndarray:
    """A small hall's reverb (sox ``reverb 40 50 60``)."""
    import subprocess
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        a, b = Path(tmp) / "a.wav", Path(tmp) / "b.wav"
        af.write_wav(a, np.clip(x, -1, 1))
        subprocess.run(["sox", str(a), str(b), "reverb", "40", "50", "60"], check=True)
        y, _ = af.read_wav(b)
    return np.asarray(y[0, : x.size], dtype=np.float32)


def reference_text(entry: dict[str, Any]) -> str:
    """The script of one corpus file as one text, turns in time order."""
    return "".join(t["text"] for t in sorted(entry["turns"], key=lambda t: t["start"]))


#: Length ranges (seconds) of counter visits and phone calls, per corpus shape:
#: ``long`` (the first corpus: 40-55 s visits) and ``hall`` (a hall's day: short
#: visits of 20 s to 3 min, calls of 20 s to 2 min, and some real clips).
SHAPES: dict[str, tuple[tuple[float, float], tuple[float, float]]] = {
    "long": ((40.0, 55.0), (35.0, 45.0)),
    "hall": ((20.0, 180.0), (20.0, 120.0)),
}
#: Real read clips (``../shared/data/real-speech``) put into a ``hall`` corpus.
REAL_CLIPS = Path(__file__).resolve().parent.parent.parent / "shared" / "data" / "real-speech"


def _length(rng: random.Random, span: tuple[float, float]) -> float:
    """A length in ``span``, log-uniform (short visits are the many, long ones the few)."""
    lo, hi = span
    return float(lo * (hi / lo) ** rng.random())


def generate(out: Path, minutes: float = 13.0, seed: int = 7, voice: str | None = None,
             shape: str = "long") -> dict[str, Any]:
    """Write the corpus into ``out`` (reused when ``.corpus.json`` matches).

    With ``voice`` None an existing corpus of any voice is reused (a corpus
    carried to a machine without the Kokoro voice), else the default voice.
    ``shape`` is a key of :data:`SHAPES`.
    """
    index = out / ".corpus.json"
    cached = json.loads(index.read_text()) if index.is_file() else {}
    voice = voice or cached.get("voice") or default_voice()
    if cached:
        if (cached.get("minutes"), cached.get("seed"), cached.get("voice"),
                cached.get("shape", "long")) == (minutes, seed, voice, shape):
            return cached
        for f in cached.get("files", []):  # another corpus: remove its files only
            (out / f["path"]).unlink(missing_ok=True)
            (out / f["path"]).with_suffix(".json").unlink(missing_ok=True)
    out.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    files = _real_clips(out) if shape == "hall" else []
    total, i = sum(f["seconds"] for f in files), 0
    visits, calls = SHAPES[shape]
    while total < minutes * 60:
        hall, window = rng.choice(["东城区政务服务大厅", "西城区政务服务大厅"]), str(rng.randint(1, 12))
        if i % 3 == 2:
            rings = rng.randint(1, 5)
            seconds = _length(rng, calls) if shape == "hall" else rng.uniform(*calls)
            x, script = phone_call(rng, seconds, rings, voice)
            path = out / f"call-{i:03d}.wav"
            af.write_wav(path, np.stack([af.resample(c, af.SR, 8000) for c in x]), 8000)
            meta = {"hall": hall, "window": "热线", "channel": "phone",
                    "started_at": f"2026-11-27T{9 + i % 8:02d}:{i % 60:02d}:00+08:00"}
            path.with_suffix(".json").write_text(json.dumps(meta, ensure_ascii=False))
            kind = "phone"
        else:
            seconds = _length(rng, visits) if shape == "hall" else rng.uniform(*visits)
            x, script = counter_recording(rng, seconds, voice)
            path = out / f"counter-{i:03d}.wav"
            af.write_wav(path, x)
            kind = "counter"
        seconds = x.shape[-1] / af.SR
        files.append({"path": path.name, "kind": kind, "seconds": round(seconds, 2),
                      "hall": hall, "window": window,
                      "turns": [{"speaker": t.speaker, "start": t.start, "end": t.end,
                                 "text": t.text} for t in script]})
        total += seconds
        i += 1
    data = {"minutes": minutes, "seed": seed, "voice": voice, "shape": shape,
            "seconds": round(total, 2), "files": files}
    index.write_text(json.dumps(data, ensure_ascii=False, indent=1))
    return data


def _real_clips(out: Path, n: int = 5) -> list[dict[str, Any]]:
    """The first ``n`` real clips of :data:`REAL_CLIPS`, copied in, their references as script."""
    import csv

    manifest = REAL_CLIPS / "manifest.tsv"
    if not manifest.is_file():
        return []
    with manifest.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh, delimiter="\t"))[:n]
    files = []
    for r in rows:
        name = f"real-{Path(r['file']).stem}{Path(r['file']).suffix}"
        shutil.copy(REAL_CLIPS / r["file"], out / name)
        seconds = float(r["duration_s"])
        files.append({"path": name, "kind": "real", "seconds": round(seconds, 2), "hall": "",
                      "window": "", "turns": [{"speaker": "staff", "start": 0.0,
                                               "end": seconds, "text": r["reference_text"]}]})
    return files


def repeat(src: Path, out: Path, times: int) -> dict[str, Any]:
    """``times`` copies of the corpus in ``src`` as a bigger corpus in ``out``.

    Copy ``k`` is the same speech 0.1 dB quieter per copy (``r{k}-`` before the
    name), so every file has its own content hash and is analysed, not
    skipped as already done. Reads any format PyAV decodes (a corpus carried
    as FLAC), writes 16-bit WAV at each file's own rate.
    """
    from analyzer.speech.decode import decode_audio

    data = json.loads((src / ".corpus.json").read_text(encoding="utf-8"))
    index = out / ".corpus.json"
    if index.is_file() and json.loads(index.read_text()).get("repeat") == times:
        return json.loads(index.read_text())
    out.mkdir(parents=True, exist_ok=True)
    files = []
    for f in data["files"]:
        path = src / f["path"]
        rate = 8000 if f["kind"] == "phone" else af.SR
        x = decode_audio(path, sample_rate=rate).samples
        for k in range(times):
            name = f"r{k}-{Path(f['path']).stem}.wav"
            af.write_wav(out / name, x * 10 ** (-0.005 * k), rate)
            sidecar = path.with_suffix(".json")
            if sidecar.is_file():
                shutil.copy(sidecar, (out / name).with_suffix(".json"))
            files.append({**f, "path": name})
    data = {**data, "repeat": times, "seconds": round(data["seconds"] * times, 2),
            "files": files}
    index.write_text(json.dumps(data, ensure_ascii=False, indent=1))
    return data


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--minutes", type=float, default=13.0)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--voice", choices=("natural", "espeak"), default=None,
                        help="natural (Kokoro, bench extra; default when installed) or espeak")
    parser.add_argument("--shape", choices=tuple(SHAPES), default="long",
                        help="long: 40-55 s visits; hall: 20 s-3 min visits, calls, real clips")
    args = parser.parse_args()
    data = generate(args.out, args.minutes, args.seed, args.voice, args.shape)
    print(f"{len(data['files'])} files, {data['seconds'] / 60:.1f} min, {data['voice']} voice, "
          f"in {args.out}")


if __name__ == "__main__":
    from page import run_with_page

    sys.exit(run_with_page("hall_corpus", "Hall corpus", main))

"""Generate a small service-hall corpus: counter visits and phone calls.

Counter recordings are stereo 16 kHz (staff on channel 0, citizen on 1) with
about half of the time silent, as at a real window between turns; phone
calls are 8 kHz stereo through a telephone band and a G.711 mu-law round
trip, starting with 1-5 rings of Chinese ringback, with a sidecar ``.json``
giving hall, window and channel. Speech is espeak-ng Mandarin from
``tests/audio_factory.py``. Generation is deterministic for a seed, and the
corpus is cached in its folder (``.corpus.json`` lists it).

    python benchmarks/hall_corpus.py OUT_DIR --minutes 13
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

import audio_factory as af  # noqa: E402

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
]


def _turns(rng: random.Random, seconds: float, start: float, phone: bool) -> list[af.Turn]:
    """Alternate staff and citizen turns with pauses about as long as the speech."""
    turns, t, speaker = [], start, "staff"
    first = STAFF[8] if phone else STAFF[0]
    while t < seconds - 6:
        pool = STAFF if speaker == "staff" else CITIZEN
        text = first if not turns else rng.choice(pool)
        turns.append(af.Turn(speaker, round(t, 2), text))
        clip = af.speech(text, pitch=35 if speaker == "staff" else 70)
        t += clip.size / af.SR + rng.uniform(1.5, 4.5)
        speaker = "citizen" if speaker == "staff" else "staff"
    return turns


def counter_recording(rng: random.Random, seconds: float) -> np.ndarray:
    """A stereo counter visit of ``seconds``."""
    return af.conversation(_turns(rng, seconds, 1.0, False), seconds=seconds)


def phone_call(rng: random.Random, seconds: float, rings: int) -> np.ndarray:
    """A stereo phone call at 16 kHz: ringback, then a conversation, phone-line quality."""
    ring, _ = af.ringback("cn", rings=rings)
    answer = ring.size / af.SR
    x = af.conversation(_turns(rng, seconds - answer, 0.5, True), seconds=seconds - answer)
    staff = np.concatenate([np.zeros(ring.size, np.float32), x[0]])
    citizen = np.concatenate([ring, x[1]])
    return af.stereo(af.phone_line(staff), af.phone_line(citizen))


def generate(out: Path, minutes: float = 13.0, seed: int = 7) -> dict[str, Any]:
    """Write the corpus into ``out`` (reused when ``corpus.json`` matches)."""
    index = out / ".corpus.json"
    if index.is_file():
        cached = json.loads(index.read_text())
        if cached.get("minutes") == minutes and cached.get("seed") == seed:
            return cached
    out.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    files, total, i = [], 0.0, 0
    while total < minutes * 60:
        hall, window = rng.choice(["东城区政务服务大厅", "西城区政务服务大厅"]), str(rng.randint(1, 12))
        if i % 3 == 2:
            rings = rng.randint(1, 5)
            x = phone_call(rng, rng.uniform(35, 45), rings)
            path = out / f"call-{i:03d}.wav"
            af.write_wav(path, np.stack([af.resample(c, af.SR, 8000) for c in x]), 8000)
            meta = {"hall": hall, "window": "热线", "channel": "phone",
                    "started_at": f"2026-11-27T{9 + i % 8:02d}:{i % 60:02d}:00+08:00"}
            path.with_suffix(".json").write_text(json.dumps(meta, ensure_ascii=False))
            kind = "phone"
        else:
            x = counter_recording(rng, rng.uniform(40, 55))
            path = out / f"counter-{i:03d}.wav"
            af.write_wav(path, x)
            kind = "counter"
        seconds = x.shape[-1] / af.SR
        files.append({"path": path.name, "kind": kind, "seconds": round(seconds, 2),
                      "hall": hall, "window": window})
        total += seconds
        i += 1
    data = {"minutes": minutes, "seed": seed, "seconds": round(total, 2), "files": files}
    index.write_text(json.dumps(data, ensure_ascii=False, indent=1))
    return data


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--minutes", type=float, default=13.0)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    data = generate(args.out, args.minutes, args.seed)
    print(f"{len(data['files'])} files, {data['seconds'] / 60:.1f} min in {args.out}")


if __name__ == "__main__":
    main()

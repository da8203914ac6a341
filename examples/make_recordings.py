"""Make the bundled example recordings (run once; the results are committed).

Two short stereo recordings (staff on channel 0, citizen on channel 1) in a
natural-sounding voice (Kokoro-82M speaking misaki's Mandarin phonemes, see
``benchmarks/natural_voice.py``), so the README's first command shows the
audio path as well as the transcript path:

* ``counter-visit.ogg``: a counter visit with a greeting, a forbidden phrase
  and no farewell;
* ``phone-call.ogg``: a call whose ringback tone (China, 450 Hz 1 s on / 4 s
  off) rings five times before staff answers.

Needs the ``bench`` extra (``pip install -e '.[bench]'``) and ffmpeg::

    .venv/bin/python examples/make_recordings.py
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path[:0] = [str(ROOT / "benchmarks"), str(ROOT / "tests")]

from audio_factory import SR, place, ringback, stereo, write_wav  # noqa: E402
from natural_voice import speak  # noqa: E402

VOICES = {"staff": "jf_alpha", "citizen": "jm_kumo"}

COUNTER = (
    ("staff", "您好，请问要办理什么业务？"),
    ("citizen", "我想办理营业执照变更。"),
    ("staff", "请您填写这张申请表。"),
    ("citizen", "请问身份证复印件要几份？"),
    ("staff", "我刚才已经说过，你怎么还问。"),
    ("citizen", "好吧，那我先填表。"),
)

PHONE = (
    ("staff", "您好，这里是东城区政务服务大厅三号窗口。"),
    ("citizen", "你好，我想问一下社保卡怎么补办。"),
    ("staff", "请您带上身份证到五号窗口办理。"),
    ("citizen", "好的，谢谢。"),
    ("staff", "请您为我的服务做出评价，谢谢。请您慢走，再见。"),
)


def render(script: tuple[tuple[str, str], ...], start: float, gap: float = 0.7) -> np.ndarray:
    """Speak each turn on its speaker's channel, one after the other."""
    clips: dict[str, list[tuple[float, np.ndarray]]] = {"staff": [], "citizen": []}
    t = start
    for speaker, text in script:
        voice = speak(text, VOICES[speaker])
        clip = 0.5 * voice / max(1e-6, float(np.abs(voice).max()))
        clips[speaker].append((t, clip))
        t += clip.size / SR + gap
    total = t + 1.0
    return stereo(place(clips["staff"], total), place(clips["citizen"], total))


def to_ogg(x: np.ndarray, path: Path) -> None:
    """Encode as Ogg/Opus (small enough to commit) with ffmpeg."""
    with tempfile.TemporaryDirectory() as tmp:
        wav = write_wav(Path(tmp) / "x.wav", x)
        subprocess.run(["ffmpeg", "-loglevel", "error", "-y", "-i", str(wav), "-c:a", "libopus",
                        "-b:a", "48k", str(path)], check=True)


def main() -> None:
    out = HERE / "recordings"
    out.mkdir(exist_ok=True)
    to_ogg(render(COUNTER, 0.5), out / "counter-visit.ogg")
    ring, spans = ringback("cn", 5)
    answer = spans[-1][0] + 0.6
    call = render(PHONE, answer)
    call[1, : int(answer * SR)] += ring[: int(answer * SR)]
    to_ogg(np.clip(call, -1, 1), out / "phone-call.ogg")
    for p in sorted(out.glob("*.ogg")):
        print(p.relative_to(ROOT), p.stat().st_size, "bytes")


if __name__ == "__main__":
    main()

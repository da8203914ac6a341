"""Make the hall recordings of ``tests/test_attribution.py`` (run once; the results are committed).

One counter visit as a real hall records it (``benchmarks/hall_corpus.hall_visit``):
natural voices (Kokoro: the clerk jf_alpha, the citizen jm_kumo), each
party's microphone hearing the other 22 dB down, the next windows' talk
(请问社保卡在哪里办理, 我查一下系统, 你的材料不全… said by other voices) 32 dB
down, the PA calling a queue number, and room reverb. The citizen complains
你们再这样拖，我就去投诉好了 — the words of a forbidden phrase, said by the citizen.

* ``hall-stereo.ogg``: staff on channel 0, citizen on channel 1;
* ``hall-mono.ogg``: the same visit through one desk microphone;
* ``hall.json``: the script (speaker, start, end, text) and the background's spans.

Needs the ``bench`` extra, sox and ffmpeg::

    PYTHONPATH=. /work/main/.venv-bench/bin/python tests/data/attribution/make_recordings.py
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[2]
sys.path[:0] = [str(ROOT / "benchmarks"), str(ROOT / "tests")]

import audio_factory as af  # noqa: E402
import hall_corpus as hc  # noqa: E402

SCRIPT = [
    ("staff", "您好，请问要办理什么业务？"),
    ("citizen", "我想补办社保卡。"),
    ("staff", "请您稍等一下，我帮您查询。"),
    ("citizen", "你们再这样拖，我就去投诉好了。"),
    ("staff", "不好意思，让您久等了，已经办好了。"),
    ("staff", "请您对我的服务做出评价，谢谢。请您慢走，再见。"),
]


def to_ogg(x: np.ndarray, path: Path, bitrate: str) -> None:
    """Encode as Ogg/Opus with ffmpeg."""
    with tempfile.TemporaryDirectory() as tmp:
        wav = af.write_wav(Path(tmp) / "x.wav", x)
        subprocess.run(["ffmpeg", "-loglevel", "error", "-y", "-i", str(wav), "-c:a", "libopus",
                        "-b:a", bitrate, str(path)], check=True)


def main() -> None:
    visit = hc.hall_visit(SCRIPT, {"staff": "jf_alpha", "citizen": "jm_kumo"}, seed=5,
                          neighbour_db=32.0, gap=(0.8, 3.0))
    to_ogg(visit.stereo, HERE / "hall-stereo.ogg", "40k")
    to_ogg(visit.mono, HERE / "hall-mono.ogg", "24k")
    index = {"turns": [{"speaker": t.speaker, "start": t.start, "end": t.end, "text": t.text}
                       for t in visit.turns],
             "background": [{"start": a, "end": b, "text": text}
                            for a, b, text in sorted(visit.background)]}
    (HERE / "hall.json").write_text(json.dumps(index, ensure_ascii=False, indent=1) + "\n",
                                    encoding="utf-8")
    for p in sorted(HERE.glob("hall*")):
        print(p.relative_to(ROOT), p.stat().st_size, "bytes")


if __name__ == "__main__":
    main()

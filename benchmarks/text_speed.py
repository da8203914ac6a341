"""Text-path speed: interactions per second on one core, and the share of time per stage.

Generates a reproducible set of transcripts (counter visits and phone calls,
8-16 turns, mixing compliant phrases, forbidden phrases, citizen cues,
traditional characters and unpunctuated text), warms the shared resources
(lexicon automaton, scoring template, classifier sessions) on a few of them,
then times :func:`analyzer.pipeline.analyze_interaction` over the whole set
with a :class:`~analyzer.pipeline.StageTimer` on the process's CPU clock (the
headline figure, interactions per CPU-second, does not drop when other jobs
share the box; wall-clock throughput and the load average are recorded too).
Normalization happens inside the matcher; its share is measured by timing the
matcher's calls of ``normalize_with_map`` and is subtracted from ``match``.

One core: the process pins itself to one CPU (``os.sched_setaffinity``) and
caps the BLAS / onnxruntime thread pools at one thread before importing them.

Usage::

    .venv/bin/python benchmarks/text_speed.py [--n 2000] [--seed 7] [--no-classifier] [--out FILE]

Prints a table and writes JSON (default ``benchmarks/results/text_speed.json``).
"""

from __future__ import annotations

import os
import sys

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import contextlib  # noqa: E402
import functools  # noqa: E402
import json  # noqa: E402
import platform  # noqa: E402
import random  # noqa: E402
import time  # noqa: E402
from collections.abc import Iterator  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import analyzer.text.match  # noqa: E402
from analyzer.options import AnalyzerOptions  # noqa: E402
from analyzer.pipeline import STAGES, StageTimer, analyze_interaction, get_lexicon  # noqa: E402
from analyzer.types import Interaction, Utterance  # noqa: E402

GREETINGS = ["您好，请问要办理什么业务？", "你好请问您要办理什么业务", "您好，請問要辦理什麼業務？", "来，下一个。"]
PHONE_GREETINGS = ["您好，这里是东城区政务大厅三号窗口。", "您好这里是西城区政务服务便民服务站",
                   "喂，你说。", "您好，這裡是朝陽區政務大廳五號窗口"]
STAFF = ["好的，请您稍等。", "请您填写这张申请表。", "身份证原件带了吗？", "您的手续已办好，请核对。",
         "请保管好您的资料和私人物品。", "这个需要到二楼办理，请您到八号窗口办理。",
         "证照明天再来取也可以，办好了会短信通知您。", "这个我不清楚，我马上打电话帮您问。",
         "投诉电话贴在门口，欢迎监督。", "请您到三号窗口缴费。", "系统有点慢，马上就好。",
         "请您再说一遍，电话里听不太清。", "您的材料还缺一份户口本复印件。",
         "对不起，请您补全手续再来办理。", "这是补全手续所需要的材料清单，请您收好。",
         "谢谢您的肯定，这是我们应该做的。", "谢谢您，欢迎您监督和帮助。", "请您听我详细解释。"]
FORBIDDEN = ["没看我正忙着吗？", "快点，我要下班了。", "我不知道，你去问门卫。", "有排子自己看",
             "你去投诉好了。", "你的记性真叉", "我刚才已经说过了你怎么还问", "下班了，明天再来。"]
CITIZEN = ["我来办理营业执照变更。", "好的。", "这个表怎么填？", "需要带什么材料？", "谢谢。",
           "你们服务真好，效率真高。", "我有个建议，停车位太少了。", "我已经跑了好几趟了，太过分了！",
           "我忘带了户口本。", "嗯嗯好的那我明天再来", "什么时候能拿到证？", "我不理解为什么不给办。"]
FAREWELL = ["请您为我的服务做出评价，谢谢。", "请您慢走，再见。", "好了，走吧。"]


def generate(n: int, seed: int) -> list[Interaction]:
    """``n`` reproducible transcripts of 8-16 turns."""
    rng = random.Random(seed)
    out = []
    for k in range(n):
        channel = "phone" if rng.random() < 0.3 else "counter"
        texts = [("staff", rng.choice(PHONE_GREETINGS if channel == "phone" else GREETINGS))]
        for _ in range(rng.randint(3, 7)):
            texts.append(("citizen", rng.choice(CITIZEN)))
            pool = FORBIDDEN if rng.random() < 0.12 else STAFF
            texts.append(("staff", rng.choice(pool)))
        texts += [("staff", rng.choice(FAREWELL)) for _ in range(rng.randint(0, 2))]
        utts, t = [], 0.0
        for speaker, text in texts:
            length = 0.25 * len(text) + rng.uniform(0.3, 1.0)
            utts.append(Utterance(speaker, t, t + length, text))
            t += length + rng.uniform(0.3, 4.0)
        rings = rng.randint(0, 6) if channel == "phone" else None
        out.append(Interaction(id=f"gen-{k:05d}", channel=channel, utterances=utts, rings=rings))
    return out


@contextlib.contextmanager
def timed_calls(module: Any, name: str, timer: StageTimer, stage: str) -> Iterator[None]:
    """Time every call of ``module.name`` into ``timer`` as ``stage`` (instrumentation only).

    The matcher normalizes each utterance itself (``analyzer.text.match`` calls
    ``normalize_with_map``); wrapping that call is how the normalize share is
    measured without normalizing twice in the product.
    """
    original = getattr(module, name)

    @functools.wraps(original)
    def timed(*args: Any, **kwargs: Any) -> Any:
        t0 = timer.clock()
        try:
            return original(*args, **kwargs)
        finally:
            timer.seconds[stage] += timer.clock() - t0

    setattr(module, name, timed)
    try:
        yield
    finally:
        setattr(module, name, original)


def run(n: int, seed: int, options: AnalyzerOptions) -> dict:
    """Time the text path over ``n`` generated transcripts; return the results."""
    data = generate(n, seed)
    lexicon = get_lexicon(options)
    for inter in data[:20]:  # warm-up: automaton, template, classifier sessions, caches
        analyze_interaction(inter, options, lexicon=lexicon)
    timer = StageTimer(clock=time.process_time)  # CPU time: robust to neighbours on the box
    findings = 0
    with timed_calls(analyzer.text.match, "normalize_with_map", timer, "normalize"):
        w0, c0 = time.perf_counter(), time.process_time()
        for inter in data:
            report = analyze_interaction(inter, options, lexicon=lexicon, timer=timer)
            findings += len(report.findings)
        wall, cpu = time.perf_counter() - w0, time.process_time() - c0
    # normalize runs inside the match stage: report match net of it
    timer.seconds["match"] -= timer.seconds.get("normalize", 0.0)
    staged = sum(timer.seconds.values())
    return {
        "interactions": n,
        "utterances": sum(len(i.utterances) for i in data),
        "findings": findings,
        "cpu_seconds": round(cpu, 4),
        "wall_seconds": round(wall, 4),
        "interactions_per_cpu_second": round(n / cpu, 1),
        "interactions_per_wall_second": round(n / wall, 1),
        "load_average_1min": round(os.getloadavg()[0], 2) if hasattr(os, "getloadavg") else None,
        "stages": {s: {"cpu_seconds": round(timer.seconds.get(s, 0.0), 4),
                       "share": round(timer.seconds.get(s, 0.0) / cpu, 4)}
                   for s in ("normalize", *STAGES)},
        "unstaged_share": round(max(0.0, cpu - staged) / cpu, 4),
        "classifier": options.classifier.enabled,
        "seed": seed,
        "cpu": platform.processor() or platform.machine(),
        "cores_used": 1,
        "python": platform.python_version(),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=2000, help="transcripts to generate (2000)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--no-classifier", action="store_true",
                        help="switch the learned classifiers off (classifier.enabled=false)")
    parser.add_argument("--out", type=Path,
                        default=ROOT / "benchmarks" / "results" / "text_speed.json")
    args = parser.parse_args(argv)
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})
    options = AnalyzerOptions()
    if args.no_classifier:
        options = options.with_overrides({"classifier.enabled": False})
    result = run(args.n, args.seed, options)
    print(f"text path, one core: {result['interactions']} interactions "
          f"({result['utterances']} utterances, {result['findings']} findings), "
          f"classifier {'on' if result['classifier'] else 'off'}")
    print(f"{'stage':<10} {'CPU s':>9} {'share':>7}")
    for stage, row in result["stages"].items():
        print(f"{stage:<10} {row['cpu_seconds']:>9.3f} {row['share']:>7.1%}")
    print(f"{'(other)':<10} {'':>9} {result['unstaged_share']:>7.1%}")
    print(f"{'total':<10} {result['cpu_seconds']:>9.3f}   -> "
          f"{result['interactions_per_cpu_second']:.1f} interactions per CPU-second "
          f"({result['interactions_per_wall_second']:.1f}/s wall, "
          f"load average {result['load_average_1min']})")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    from page import run_with_page

    sys.exit(run_with_page("text_speed", "Text-path speed", main))

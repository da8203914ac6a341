"""The cue model reads a citizen turn's function: marks of its form and place, and training on
hand-written citizen turns with the staff turn before them (``learned.cue_input``,
``build_data.citizen_turns``)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from analyzer.options import ClassifierOptions
from analyzer.rules import learned
from analyzer.types import Utterance

ROOT = Path(__file__).resolve().parent.parent
MARK = learned.CUE_MARKS


def test_the_question_form_survives_normalizing():
    # normalize() drops the question mark; the mark keeps what it said
    asked = learned.cue_input("你们咋不多放几把椅子呢？")
    told = learned.cue_input("你们多放几把椅子。")
    assert asked.startswith(MARK["asks"]) and not told.startswith(MARK["asks"])
    assert asked.split(" ", 1)[1] == "你们咋不多放几把椅子"


def test_whom_the_turn_addresses_is_marked():
    assert MARK["you_all"] in learned.cue_input("你们这儿的效率真高。").split(" ")[0]
    assert MARK["you"] in learned.cue_input("您真细心。").split(" ")[0]
    assert " " not in learned.cue_input("今天下雨了。")  # no marks, the words alone


def test_the_staff_turn_before_is_read_for_what_it_did():
    after_question = learned.cue_input("寄到家里吧。", before="证件您是自取还是邮寄？")
    after_refusal = learned.cue_input("那我怎么办？", before="对不起，今天办不了。")
    assert MARK["after_ask"] in after_question.split(" ")[0]
    assert MARK["after_bad_news"] in after_refusal.split(" ")[0]
    assert learned.cue_input("好。", before="") == "好"
    assert learned.cue_input("。。", before="您好") == ""  # nothing to classify


def test_staff_before_skips_the_citizens_own_turns_but_not_far():
    u = [Utterance("staff", 0, 1, "还差一份证明。"), Utterance("citizen", 1, 2, "啊？"),
         Utterance("citizen", 2, 3, "那咋办？"), Utterance("citizen", 3, 4, "我明天还得上班。")]
    assert learned.staff_before(u, 2) == "还差一份证明。"
    assert learned.staff_before(u, 3) == ""  # three turns back: no longer the turn it answers
    assert learned.staff_before(u, 0) == ""


def test_the_shipped_cue_model_reads_cue_input():
    meta = learned.load_metadata(str(learned.model_dir(ClassifierOptions())))["cues"]
    assert meta["input_form"] == learned.CUE_INPUT


def test_the_runtime_passes_the_staff_turn_before(monkeypatch):
    seen = {}

    def spy(texts, task, options=None, befores=None):
        seen["befores"] = befores
        return [None] * len(texts)

    monkeypatch.setattr(learned, "classify", spy)
    u = [Utterance("staff", 0, 1, "您是自取还是邮寄？"), Utterance("citizen", 1, 2, "寄过去吧。")]
    learned.citizen_cues(u, ClassifierOptions())
    assert seen["befores"] == ["您是自取还是邮寄？"]


@pytest.mark.parametrize("text, before", [
    ("晓得了。", "三楼左转。"),
    ("弄好了，给你。", "把这张表填一下。"),
    ("寄过去吧，省得我再跑。", "证件您是自取还是邮寄？"),
])
def test_ordinary_turns_owe_nothing(text, before):
    u = [Utterance("staff", 0, 1, before), Utterance("citizen", 1, 2, text)]
    assert not [c for c in learned.citizen_cues(u, ClassifierOptions()) if c.owes]


def test_citizen_turns_join_the_cue_rows_with_their_before():
    from analyzer.training.classifiers import build_data

    turns = build_data.citizen_turns()
    sources = {t[4] for t in turns}
    assert {"turns", "citizen-turns-1", "paraphrases-2"} <= sources
    corpus = ROOT / "benchmarks" / "data" / "citizen-turns-1" / "utterances.jsonl"
    n = sum(1 for line in corpus.read_text(encoding="utf-8").splitlines() if line.strip())
    assert sum(t[4] == "citizen-turns-1" for t in turns) == n
    assert {t[3] for t in turns} == {"praise", "suggestion", "upset", "other"}
    rows = [json.loads(line) for line in
            (ROOT / "models" / "classifiers" / "data" / "cues.jsonl").read_text("utf-8").splitlines()]
    with_before = [r for r in rows if r.get("before")]
    assert with_before and all(r["template"] == r["id"].rsplit("-", 1)[0] for r in with_before)


def test_only_the_paraphrase_corpus_training_part_trains():
    from analyzer.training.classifiers import acts, build_data

    held = acts.corpus_split(acts.corpus(build_data.REPLY_CORPUS))
    used = {t[0].split(":", 1)[1] for t in build_data.citizen_turns()
            if t[4] == build_data.REPLY_CORPUS}
    assert used and not used & held

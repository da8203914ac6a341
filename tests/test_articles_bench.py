"""The per-article scorer of ``benchmarks/articles.py`` counts as the labelled sets' README says."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _module():
    sys.path[:0] = [str(ROOT), str(ROOT / "benchmarks")]
    spec = importlib.util.spec_from_file_location("articles_bench", ROOT / "benchmarks" / "articles.py")
    mod = importlib.util.module_from_spec(spec)
    sys.modules["articles_bench"] = mod  # dataclasses look their module up
    spec.loader.exec_module(mod)
    return mod


A = _module()

RECORD = {"id": "t-1", "channel": "counter", "utterances": [
    {"speaker": "staff", "start": 0.0, "end": 2.0, "text": "下一个，办啥？"},
    {"speaker": "citizen", "start": 2.5, "end": 5.0, "text": "我来交医保，这个要多少钱？"},
    {"speaker": "staff", "start": 5.5, "end": 8.0, "text": "先把表填了再说。"},
    {"speaker": "staff", "start": 9.0, "end": 11.0, "text": "别磨蹭了，我赶时间。"},
]}


def _finding(article: int, start: float | None, end: float | None, rule: str = "X") -> dict:
    return {"rule": rule, "article": article, "start": start, "end": end, "evidence": "",
            "confidence": 0.9}


def _score(breaches, clean, findings):
    item = A.Labelled(RECORD, breaches, set(clean))
    result = A.Result("t", 1)
    A.score_one(item, findings, result)
    return result


def test_quote_needs_an_overlapping_finding_of_its_article() -> None:
    breach = {"article": 5, "quote": "先把表填了", "duty": "unanswered question: cost"}
    near = _score([breach], [], [_finding(5, 2.5, 5.4)])  # ends before the quoted utterance
    assert near.articles[5].found == 0 and near.articles[5].true_findings == 0
    hit = _score([breach], [], [_finding(5, 2.5, 6.0)])
    assert hit.articles[5].found == 1 and hit.articles[5].recall() == 1.0
    other = _score([breach], [], [_finding(9, 5.5, 8.0)])  # right place, wrong article
    assert other.articles[5].found == 0 and len(other.misses) == 1


def test_absence_is_found_by_any_finding_of_its_article_even_without_a_span() -> None:
    breach = {"article": 8, "quote": "", "duty": "missing: greeting"}
    r = _score([breach], [], [_finding(8, None, None)])
    assert r.articles[8].found == 1
    spanless = _score([{"article": 9, "quote": "别磨蹭了", "duty": "x"}], [], [_finding(9, None, None)])
    assert spanless.articles[9].found == 0  # a finding without a span only matches an absence


def test_findings_in_clean_articles_are_false_and_others_ignored() -> None:
    r = _score([], [10, 18], [_finding(10, 0.0, 2.0), _finding(18, 5.5, 8.0), _finding(6, 9, 11)])
    assert r.articles[10].false_findings == 1 and r.articles[18].false_findings == 1
    assert r.articles[6].false_findings == 0  # neither breached nor clean: not scored
    assert r.articles[10].precision() == 0.0 and {f["article"] for f in r.false} == {10, 18}


def test_each_finding_counts_for_at_most_one_breach() -> None:
    breaches = [{"article": 9, "quote": "别磨蹭了", "duty": "a"}, {"article": 9, "quote": "", "duty": "b"}]
    one = _score(breaches, [], [_finding(9, 9.0, 11.0)])
    assert one.articles[9].found == 1 and one.articles[9].true_findings == 1
    # the matching gives the spanned finding to the quote and the second finding to the absence
    two = _score(breaches, [], [_finding(9, 0.0, 0.5), _finding(9, 9.0, 11.0)])
    assert two.articles[9].found == 2 and two.articles[9].precision() == 1.0


def test_a_quote_must_name_exactly_one_utterance() -> None:
    with pytest.raises(ValueError, match="in 0 utterances"):
        A.quote_span(RECORD, "不存在的话")


def test_generated_visits_carry_labels_in_the_same_format() -> None:
    items = A.generated(40, "held-out")
    assert len(items) == 40
    kinds = {b["article"] for it in items for b in it.breaches}
    assert {8, 10} <= kinds
    for it in items:
        for b in it.breaches:
            span = A._span(it.record, b)
            assert span is None or span[0] <= span[1]
        assert not ({b["article"] for b in it.breaches} & it.clean)

"""Numbers as said: Whisper's digits written back in Chinese characters."""

from __future__ import annotations

import pytest

from analyzer.options import ASROptions
from analyzer.speech.asr import written_words
from analyzer.speech.spoken import cardinal, spoken_text, spoken_words
from analyzer.types import Word


@pytest.mark.parametrize(("n", "said"), [
    (0, "零"), (7, "七"), (10, "十"), (15, "十五"), (36, "三十六"), (105, "一百零五"),
    (110, "一百一十"), (1001, "一千零一"), (14400, "一万四千四百"), (100000, "十万"),
    (1000000, "一百万"), (100000001, "一亿零一"), (305334, "三十万五千三百三十四"),
])
def test_cardinal_reading(n: int, said: str) -> None:
    assert cardinal(n) == said


@pytest.mark.parametrize(("text", "said"), [
    ("一年收益是14400元。", "一年收益是一万四千四百元。"),
    ("最高的是36个月", "最高的是三十六个月"),
    ("有7天14天到2个月不等的", "有七天十四天到两个月不等的"),  # 2 before a measure word: 两
    ("请到2号窗口", "请到二号窗口"),  # 号 is not a measure word: 二
    ("2023年5月10日前来领取", "二零二三年五月十日前来领取"),  # a year digit by digit
    ("电话是13812345678", "电话是一三八一二三四五六七八"),  # long numbers digit by digit
    ("编号0571", "编号零五七一"),  # a leading zero: digit by digit
    ("利率3.5%", "利率百分之三点五"),
    ("比例是70-90，而股票是10-30%", "比例是七十到九十，而股票是百分之十到百分之三十"),
    ("共305,334人", "共三十万五千三百三十四人"),  # thousands separators
    ("第１名", "第一名"),  # full-width digits
    ("没有数字的句子", "没有数字的句子"),
])
def test_numbers_are_written_as_said(text: str, said: str) -> None:
    assert spoken_text(text) == said


def test_words_a_number_spans_become_one_word_with_its_times() -> None:
    words = [Word("收益", 0.0, 0.4, 0.9), Word("是", 0.4, 0.5, 0.9), Word("14", 0.5, 0.7, 0.8),
             Word("400", 0.7, 1.0, 0.6), Word("元。", 1.0, 1.2, 0.9)]
    out = spoken_words(words)
    assert [w.text for w in out] == ["收益", "是", "一万四千四百", "元。"]
    assert (out[2].start, out[2].end, out[2].probability) == (0.5, 1.0, 0.6)
    assert "".join(w.text for w in out) == spoken_text("".join(w.text for w in words))


def test_a_number_sharing_a_word_with_text_keeps_that_text() -> None:
    out = spoken_words([Word("到3号", 0.0, 0.5, 0.9), Word("窗口", 0.5, 0.9, 0.9)])
    assert [w.text for w in out] == ["到三号", "窗口"]


def test_transcript_words_are_simplified_and_numbers_follow_the_option() -> None:
    words = [Word("這邊", 0.0, 0.3, 0.9), Word("3", 0.3, 0.4, 0.9), Word("號", 0.4, 0.5, 0.9)]
    assert [w.text for w in written_words(words, ASROptions())] == ["这边", "三", "号"]
    digits = written_words(words, ASROptions(numbers="digits"))
    assert [w.text for w in digits] == ["这边", "3", "号"]

"""Normalization: traditional → simplified, width, punctuation, fillers, position map."""

from __future__ import annotations

import pytest

from analyzer.text.normalize import normalize, normalize_with_map


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("請您稍等一下", "请您稍等一下"),  # traditional -> simplified
        ("沒看我正忙著嗎", "没看我正忙着"),  # t2s, and the particle 吗 dropped
        ("请您到３号窗口ＡＢ", "请您到3号窗口ab"),  # full width -> half width, lower case
        ("下班了，明天再来！", "下班了明天再来"),  # punctuation
        ("下班了, 明天再来?", "下班了明天再来"),  # ASCII punctuation and spaces
        ("嗯，快点儿，我要下班了啊", "快点我要下班了"),  # fillers and 儿化
        ("你去投诉好了吧", "你去投诉好了"),
        ("这儿有吧台", "这有吧台"),  # 吧台 is a word, not a particle
        ("余额和金额", "余额和金额"),  # 额 is not the filler 呃 here
        ("你干嘛", "你干嘛"),
        ("女儿和儿子", "女儿和儿子"),  # 儿 as a word stays
        ("一会儿就好", "一会就好"),
        ("", ""),
    ],
)
def test_normalize(text: str, expected: str) -> None:
    assert normalize(text) == expected


def test_phrase_and_speech_normalize_alike() -> None:
    assert normalize("我就是這樣的，你能把我怎麼樣？") == normalize("我就是这样的你能把我怎么样")


def test_map_points_back_to_original_characters() -> None:
    text = "嗯，沒看我正忙著嗎？"
    norm, index = normalize_with_map(text)
    assert norm == "没看我正忙着"
    assert len(index) == len(norm)
    # every normalized char comes from the original char at its index
    assert "".join(text[i] for i in index) == "沒看我正忙著"
    # a slice of the normalized text quotes the original text
    s, e = norm.index("正忙"), norm.index("正忙") + 2
    assert text[index[s] : index[e - 1] + 1] == "正忙"


def test_map_is_monotonic_with_removed_characters() -> None:
    norm, index = normalize_with_map("快点儿，我要下班了啊！")
    assert norm == "快点我要下班了"
    assert index == sorted(index)
    assert index[2] == 4  # 我 after the removed 儿 and comma

"""Personal data masking (analyzer.training.privacy): text, word timings, audio."""

from __future__ import annotations

import numpy as np
import pytest

from analyzer.training.privacy import (
    find_pii,
    id_card_valid,
    mask_audio,
    mask_text,
    mask_utterances,
)
from analyzer.types import Utterance, Word

ID = "110101199003078515"  # a number with a valid GB 11643 check digit


def kinds(text: str, **kw) -> list[tuple[str, str]]:
    return [(s.kind, s.digits) for s in find_pii(text, **kw)]


def test_id_card_check_digit() -> None:
    assert id_card_valid(ID)
    assert not id_card_valid(ID[:-1] + "6")
    assert id_card_valid("11010519491231002X")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (f"身份证号是{ID}", [("id_card", ID)]),
        ("身份证一一零一零一一九九零零三零七八五一五", [("id_card", ID)]),
        ("号码是四四零三零六一九八八一二一二三四五叉", [("id_card", "44030619881212345X")]),
        ("手机13812345678", [("phone", "13812345678")]),
        ("电话幺三八 一二三四，五六七八", [("phone", "13812345678")]),
        ("電話１３９００００１１１１", [("phone", "13900001111")]),
        ("座机是0755-12345678", [("phone", "075512345678")]),
        ("卡号6222 0212 3456 7890 123", [("bank_card", "6222021234567890123")]),
        ("银行卡六二二二零二一二三四五六七八九零", [("bank_card", "6222021234567890")]),
    ],
)
def test_numbers_written_and_spoken(text: str, expected: list) -> None:
    assert kinds(text) == expected


@pytest.mark.parametrize(
    "text",
    ["请您到三号窗口办理", "请您XX月XX日前来领取证照", "一次性告知，请您稍等一下", "第一二三步", "共2023元"],
)
def test_ordinary_service_talk_is_not_masked(text: str) -> None:
    assert find_pii(text) == []
    assert mask_text(text) == text


def test_addresses_from_cue_and_from_place_chain() -> None:
    assert mask_text("我住在北京市朝阳区建国路八十八号三单元502室，谢谢") == "我住在[地址]，谢谢"
    assert mask_text("地址是广州市天河区，体育西路一百号。好的") == "地址是[地址]。好的"
    assert mask_text("寄到杭州市西湖区文三路90号") == "寄到[地址]"
    # Staff phrases about addresses carry no address.
    assert mask_text("请您留下通讯地址，我们办理好后通过邮寄送达") == "请您留下通讯地址，我们办理好后通过邮寄送达"
    # Addresses only when asked for (citizens' turns).
    assert "建国路" in mask_text("我住在北京市朝阳区建国路八十八号", addresses=False)


def test_mask_text_keeps_the_rest() -> None:
    text = f"身份证{ID}，电话13812345678，卡号6222021234567890123。"
    masked = mask_text(text)
    assert masked == "身份证[身份证号]，电话[电话号码]，卡号[银行卡号]。"
    for secret in (ID, "13812345678", "6222021234567890123"):
        assert secret not in masked


def test_mask_utterances_uses_word_times_in_every_turn() -> None:
    words = tuple(
        Word(t, 10.0 + 0.3 * i, 10.3 + 0.3 * i)
        for i, t in enumerate(["我的", "电话", "是", "幺三八", "一二三四", "五六七八", "谢谢"])
    )
    citizen = Utterance("citizen", 10.0, 12.1, "我的电话是幺三八一二三四五六七八谢谢", words)
    staff = Utterance("staff", 13.0, 15.0, "地址是北京市朝阳区建国路八十八号")  # read back
    masked, spans = mask_utterances([citizen, staff])
    assert masked[0].text == "我的电话是[电话号码]谢谢"
    assert spans[0] == (words[3].start, words[5].end, "phone")
    assert [w.text for w in masked[0].words][3:6] == ["*", "*", "*"]
    assert masked[1].text == "地址是[地址]"
    assert spans[-1][2] == "address"  # the audio follows the text


def test_mask_utterances_estimates_times_without_words() -> None:
    u = Utterance("citizen", 0.0, 10.0, "前面说了很多话然后电话13812345678")
    _masked, spans = mask_utterances([u])
    (start, end, kind), = spans
    assert kind == "phone"
    # The number fills the last 11 of 22 characters: roughly 5 s .. 10 s.
    assert 3.5 <= start <= 5.0 and end == 10.0


def test_mask_audio_tone_and_silence() -> None:
    sr = 8000
    t = np.arange(sr * 3) / sr
    x = np.stack([0.5 * np.sin(2 * np.pi * 220 * t), 0.5 * np.sin(2 * np.pi * 330 * t)]).astype(np.float32)
    silent = mask_audio(x, sr, [(1.0, 2.0)], mode="silence", pad=0.0)
    assert np.all(silent[:, sr:2 * sr] == 0)
    np.testing.assert_array_equal(silent[:, : sr - 1], x[:, : sr - 1])
    np.testing.assert_array_equal(silent[:, 2 * sr + 1 :], x[:, 2 * sr + 1 :])
    toned = mask_audio(x, sr, [(11.0, 12.0, "phone")], mode="tone", pad=0.0, offset=10.0)
    seg = toned[1, sr : 2 * sr]
    spectrum = np.abs(np.fft.rfft(seg))
    assert abs(np.argmax(spectrum) * sr / seg.size - 1000) < 2  # the 1 kHz tone replaced speech
    assert x is not toned and np.array_equal(x[:, :10], toned[:, :10])
    with pytest.raises(ValueError):
        mask_audio(x, sr, [], mode="bleep")


def test_recognition_homophones_count_only_next_to_digits() -> None:
    # Whisper heard 幺三八 as 要三把 and 一 as E: still a long number, still masked.
    assert mask_text("我的电话是要三把E234567") == "我的电话是[号码]"
    assert kinds("电话幺三八吧一二三四五六七") == [("phone", "13881234567")]
    for text in ("我要三份材料", "把3号窗口的材料拿来", "请您稍等一下吧", "要求起诉期限"):
        assert find_pii(text) == [], text


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("我叫王小明，想办社保卡", "我叫[姓名]，想办社保卡"),
        ("我的名字是陈静", "我的名字是[姓名]"),
        ("我是张伟", "我是[姓名]"),
        ("免贵姓欧阳", "免贵姓[姓名]"),
        ("王先生您好，请您稍等一下", "[姓名]先生您好，请您稍等一下"),
        ("李女士，您的材料齐了", "[姓名]女士，您的材料齐了"),
    ],
)
def test_names_given_or_said_with_a_title_are_masked(text: str, masked: str) -> None:
    assert mask_text(text) == masked
    assert mask_text(text, addresses=False) == masked  # in staff turns too


@pytest.mark.parametrize(
    "text",
    ["你再闹我叫保安了", "我是来办营业执照的", "我是东城区的", "这位先生请坐", "请问您贵姓",
     "名字叫什么", "我叫你等一下"],
)
def test_talk_that_only_looks_like_a_name_is_kept(text: str) -> None:
    assert [s for s in find_pii(text) if s.kind == "name"] == []


@pytest.mark.parametrize(("text", "item"), [
    ("我的电话是150 - 7187 - 4633。", "150 - 7187 - 4633"),
    ("我叫張偉。", "張偉"), ("陳先生请坐。", "陳"), ("我住在臺北市中山區南京東路12號。", "臺北市中山區南京東路12號"),
    ("我叫做张伟。", "张伟"), ("王建国先生，请这边坐。", "王建国"), ("我姓张，叫张伟。", "张伟"),
    ("他叫李强。", "李强"), ("我老公叫刘海。", "刘海"), ("我爸爸是赵建国。", "赵建国"),
    ("申请人王芳，材料齐了。", "王芳"), ("户主是陈秀英。", "陈秀英"),
    ("好的，地址是杭州市西湖区文三路90号。", "杭州市西湖区文三路90号"),
    ("我住在北京市朝阳区建国路88号3单元502室。", "北京市朝阳区建国路88号3单元502室"),
    ("座机是(010)6512 3456。", "(010)6512 3456"), ("座机是010－65123456。", "010－65123456"),
])
def test_the_forms_the_masker_used_to_miss(text, item):
    spans = find_pii(text)
    start = text.index(item)
    assert all(any(s.start <= k < s.end for s in spans) for k in range(start, start + len(item))), \
        mask_text(text)


@pytest.mark.parametrize("text", [
    "办理日期是2023-05-04。", "受理日期20230504。", "一共12,345.67元。", "我是周末来的。",
    "我是来办营业执照的。", "我是第一次来。", "我是张家口人。", "请到3号窗口，下午2:30。",
    "有问题可以打12345热线。",
])
def test_dates_amounts_and_everyday_phrases_are_kept(text):
    assert find_pii(text) == [], mask_text(text)


# ---- Personal data as people say it (issue 26) ----------------------------------------
# Every sentence, name and number below was made up for these tests.


def covered(text: str, item: str) -> bool:
    """True when every character of ``item`` lies inside a span the masker found."""
    spans = find_pii(text)
    start = text.index(item)
    return all(any(s.start <= k < s.end for s in spans) for k in range(start, start + len(item)))


@pytest.mark.parametrize(("text", "name"), [
    ("宓春阳，东西我都带来了。", "宓春阳"),  # opening the sentence, rare surname
    ("蒯立新的低保材料交了没有？", "蒯立新"),  # before 的
    ("郜晓梅阿姨刚才来过电话。", "郜晓梅"),  # before a kinship word
    ("这是我老伴贺长庚，他耳朵不好。", "贺长庚"),  # introduced indirectly
    ("我替我女儿冼佩珊来拿毕业证。", "冼佩珊"),
    ("麻烦帮我查一下栾振宇的进度。", "栾振宇"),
    ("受濮文静委托来办理。", "濮文静"),
    ("司徒嘉怡和她妈妈一起来的。", "司徒嘉怡"),  # compound surname
    ("请问您是上官云飞先生吗？", "上官云飞"),
    ("我姓邸名海峰。", "邸"), ("我姓邸名海峰。", "海峰"),  # 姓X名Y
    ("他姓令狐，单名一个冲字。", "冲"),
    ("申请人：檀秋月", "檀秋月"),
    ("我是十五号窗口的工作人员靳雅琴。", "靳雅琴"),  # a clerk's name
    ("我叫努尔古丽·阿不都，从喀什来。", "努尔古丽·阿不都"),  # minority name with a dot
    ("我叫巴音孟和，从锡林郭勒来。", "巴音孟和"),
    ("找老晏就行，他管这一片。", "老晏"),  # surname with an affix
    ("叫我小蔺就行。", "小蔺"),
    ("您问一下郦姐，她清楚。", "郦姐"),
])
def test_names_in_every_construction_are_masked(text: str, name: str) -> None:
    assert covered(text, name), mask_text(text)


def test_a_surname_with_a_title_keeps_the_title_visible() -> None:
    # Trainers see how the clerk addressed the citizen; the surname is gone.
    assert mask_text("欧阳女士，您的证照办好了。") == "[姓名]女士，您的证照办好了。"
    assert mask_text("宓先生您好。") == "[姓名]先生您好。"


def test_a_name_spelled_out_is_masked_with_its_spelling() -> None:
    masked = mask_text("我叫章晓，立早章，破晓的晓。")
    assert "章" not in masked and "晓" not in masked, masked


@pytest.mark.parametrize(("text", "item", "kind"), [
    ("车牌号是浙A·3B729。", "浙A·3B729", "plate"),
    ("新能源车粤BD47215，来上户。", "粤BD47215", "plate"),
    ("鲁C 6P318，来年审。", "鲁C 6P318", "plate"),
    ("车牌是苏E五K三八二。", "苏E五K三八二", "plate"),
    ("护照号码G48201937。", "G48201937", "number"),
    ("港澳通行证C71630482要续签。", "C71630482", "number"),
    ("邮箱是qiu.lan77@126.com。", "qiu.lan77@126.com", "account"),
    ("微信号sunhai_2019，加一下。", "sunhai_2019", "account"),
    ("手机尾号是3852的那个。", "3852", "phone"),
    ("身份证后四位是047X。", "047X", "id_card"),
    ("电话是+86 139 0571 2846。", "+86 139 0571 2846", "phone"),
    ("卡号六二一七，零零三五，二一四八，六七零九。", "六二一七，零零三五，二一四八，六七零九", "bank_card"),
])
def test_plates_documents_accounts_and_partial_numbers_are_masked(text, item, kind) -> None:
    spans = [s for s in find_pii(text) if s.start <= text.index(item) < s.end]
    assert spans and spans[0].kind == kind, (mask_text(text), [(s.kind, s.text) for s in find_pii(text)])
    assert covered(text, item), mask_text(text)


def test_luhn_check() -> None:
    from analyzer.training.privacy import luhn_valid

    assert luhn_valid("4539578763621486")
    assert not luhn_valid("4539578763621487")


@pytest.mark.parametrize(("text", "address"), [
    ("我家在青石镇柳沟村三组，门牌号是27号。", "青石镇柳沟村三组，门牌号是27号"),
    ("我住桂花苑5栋2单元1103。", "桂花苑5栋2单元1103"),
    ("房子坐落在东坡区苏祠路街道锦江花园8号楼1单元602室。", "东坡区苏祠路街道锦江花园8号楼1单元602室"),
    ("寄到黎明镇永丰村二社15号。", "黎明镇永丰村二社15号"),
    ("户口在翠湖小区十二号楼三单元五零二室。", "翠湖小区十二号楼三单元五零二室"),
])
def test_addresses_of_many_shapes_are_masked(text: str, address: str) -> None:
    assert covered(text, address), mask_text(text)


@pytest.mark.parametrize("text", [
    "我们大厅的咨询电话是0816-2238100，工作日有人接。",  # the hall's published number
    "本中心地址：滨河路66号市民中心二楼。",  # the hall's own address
    "我们政务服务中心在长江路120号。",
    "邮编是621000。", "邮政编码写621000就行。",
    "市中医院就在隔壁。", "坐四路车到汽车站下。", "复印店在解放路12号。", "区政府在人民路1号。",
    "这里是县政务服务中心，您明天来取。", "那里是县医院。", "我们这里是区行政审批局。",
    "王府井那边也能办。", "周口的也可以办。", "马路对面有打印店。", "周三上午人少。",
    "高速公路的通行费不在这儿交。", "常年有效，不用续。",
    "联系电话写您自己的就行。", "车牌号写在表格最下面。", "银行卡号要写一类卡的。",
    "请您到16号窗口。", "您的号是B027。", "一共收费1,280.50元。", "年满十八周岁才能办。",
    "房子120平方米。", "2025年第7号公告。", "办理日期2025-03-18。", "有问题打12345。",
    "老师傅，您慢点走。", "这位先生，请排队。", "我是外地人，第一次来。", "我是来办营业执照的。",
])
def test_controls_stay_whole(text: str) -> None:
    assert find_pii(text) == [], mask_text(text)


def test_new_kinds_have_their_tags() -> None:
    assert mask_text("车牌是晋A·5C731。") == "车牌是[车牌号]。"
    assert mask_text("邮箱zhou88@163.com。") == "邮箱[账号]。"


def test_the_name_tagger_loads_from_its_package_and_weighs_readings() -> None:
    from analyzer.training.names import analyse

    reading = analyse("我叫宓春阳，是党员。")
    assert any(w.tag == "PER" for w in reading.words) or reading.name_cost(2, 5) < 7
    # A name costs the tagger less than an ordinary word read as a name.
    assert reading.name_cost(2, 5) < reading.name_cost(7, 9)


def test_a_long_number_is_a_bank_card_by_luhn_or_by_being_said_as_a_card() -> None:
    assert [s.kind for s in find_pii("号码4539578763621486")] == ["bank_card"]  # passes Luhn
    assert [s.kind for s in find_pii("号码4539578763621487")] == ["number"]  # masked all the same
    assert [s.kind for s in find_pii("银行卡4539578763621487")] == ["bank_card"]  # a misheard digit


def test_our_own_identifiers_are_not_accounts_but_accounts_after_a_cue_are() -> None:
    assert find_pii("counter-model-20261205") == []
    assert [s.kind for s in find_pii("微信号qiu-lan77")] == ["account"]

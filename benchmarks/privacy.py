"""Privacy masking benchmark: how much personal data the training-pack masker hides, and what it spares.

Utterances are generated from templates in many written forms: names
(simplified and traditional, 我叫/我叫做/我姓…叫…/full name + title, third
parties: 他叫, 我老公叫, 我爸爸是, 申请人, 户主是), mobiles (plain, spaced,
dashed ``150 - 7187 - 4633``, spoken digits), landlines (``(010)6512 3456``,
``010－65123456``), ID and bank card numbers, addresses (said by the citizen
or read back by the clerk, with tails after the head). Non-personal numbers
must stay: dates (``2023-05-04``, ``20230504``), amounts (``12,345.67元``),
windows, times, queue numbers, counts, hotlines (12345) and everyday
我是… phrases.

A personal-data item counts as masked only when every one of its characters
is inside a masked span; a non-personal item as kept when none is. It also
compares the surname list with jieba's part-of-speech tags (``nr`` person,
``ns`` place) for finding names. Run::

    .venv/bin/python benchmarks/privacy.py [--n 400]
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from analyzer.training.privacy import find_pii  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results"
GIVEN = ["伟", "芳", "秀英", "建国", "小明", "丽", "强", "海燕", "志强", "桂兰", "子涵", "浩然"]
SURNAMES = ["王", "李", "张", "刘", "陈", "杨", "黄", "赵", "周", "吴", "徐", "孙", "欧阳"]
TRAD = {"张": "張", "陈": "陳", "刘": "劉", "杨": "楊", "黄": "黃", "赵": "趙", "吴": "吳",
        "孙": "孫", "伟": "偉", "丽": "麗", "强": "強", "燕": "燕", "国": "國", "兰": "蘭"}
DIGITS = "零一二三四五六七八九"


def _name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + rng.choice(GIVEN)


def _trad(text: str) -> str:
    return "".join(TRAD.get(c, c) for c in text)


def _mobile(rng: random.Random) -> str:
    d = "1" + rng.choice("3578") + "".join(rng.choice("0123456789") for _ in range(9))
    form = rng.randrange(5)
    if form == 0:
        return d
    if form == 1:
        return f"{d[:3]} {d[3:7]} {d[7:]}"
    if form == 2:
        return f"{d[:3]} - {d[3:7]} - {d[7:]}"
    if form == 3:
        return "".join(DIGITS[int(c)] for c in d).replace("一", rng.choice("一幺"))
    return f"{d[:3]}-{d[3:7]}-{d[7:]}"


def _landline(rng: random.Random) -> str:
    area = rng.choice(["010", "021", "0571", "0755"])
    local = "".join(rng.choice("23456789") for _ in range(8))
    return rng.choice([f"({area}){local[:4]} {local[4:]}", f"{area}－{local}",
                       f"（{area}）{local}", f"{area}-{local}"])


def _id_card(rng: random.Random) -> str:
    body = "11010" + "".join(rng.choice("0123456789") for _ in range(12))
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    check = "10X98765432"[sum(int(c) * w for c, w in zip(body, weights, strict=True)) % 11]
    return body + check


def _address(rng: random.Random) -> str:
    city = rng.choice(["北京市朝阳区", "上海市浦东新区", "杭州市西湖区", "深圳市南山区"])
    road = rng.choice(["建国路", "文三路", "科技园南路", "人民大道"])
    return (f"{city}{road}{rng.randint(1, 300)}号" + rng.choice(["", f"{rng.randint(1, 9)}单元",
            f"{rng.randint(1, 30)}栋{rng.randint(1, 9)}单元{rng.randint(101, 2808)}室"]))


def pii_items(rng: random.Random) -> list[tuple[str, str]]:
    """(utterance template with one {x}, the personal data) pairs."""
    name = _name(rng)
    full = rng.choice(SURNAMES[:-1]) + rng.choice(["建国", "小明", "海燕"])
    addr = _address(rng)
    return [
        ("我叫{x}，来办社保卡。", name), ("我叫做{x}。", name), ("您好，我叫{x}。", _trad(name)),
        ("{x}先生，请这边坐。", full), ("我姓" + name[0] + "，叫{x}。", name),
        ("他叫{x}，是我同事。", name), ("我老公叫{x}。", name), ("我爸爸是{x}。", name),
        ("申请人{x}，材料都在这里。", name), ("户主是{x}。", name),
        ("我的电话是{x}。", _mobile(rng)), ("手机号{x}，您记一下。", _mobile(rng)),
        ("座机是{x}。", _landline(rng)), ("身份证号{x}。", _id_card(rng)),
        ("卡号是{x}。", "6222" + "".join(rng.choice("0123456789") for _ in range(15))),
        ("我住在{x}。", addr), ("寄到{x}，谢谢。", addr),
        ("好的，地址是{x}，对吧？", addr),  # the clerk reads it back
        ("我家在{x}，离这不远。", _trad(addr)),
    ]


def held_out_items(rng: random.Random) -> list[tuple[str, str]]:
    """Forms written after the masker was fixed on :func:`pii_items`: never tuned on."""
    name = _name(rng)
    addr = _address(rng)
    return [
        ("我的名字叫{x}。", name), ("我妈妈叫{x}，她今天没来。", name), ("我女儿是{x}。", name),
        ("联系人是{x}，电话等下给您。", _trad(name)), ("{x}女士，您的材料齐了。", name),
        ("联系电话：{x}", _mobile(rng)), ("您再报一下手机号，{x}，对吗？", _mobile(rng)),
        ("单位电话{x}。", _landline(rng)), ("身份证号码是{x}，您核对一下。", _id_card(rng)),
        ("请您核对一下，您的地址是{x}。", addr), ("户口在{x}。", _trad(addr)),
        ("邮寄到{x}就行。", addr),
    ]


KEPT_HELD_OUT = [
    "您前面还有15位。", "共计1,200元。", "2024/06/01之前交齐。", "请在2024年6月1日前来取。",
    "上午八点半开门。", "请到12号窗口。", "您的编号是A0035。", "一共两份复印件。",
    "我是专门来问这个的。", "我是从单位过来的。", "热线电话12345。", "预计3个工作日办好。",
]


KEPT = [
    "办理日期是2023-05-04。", "受理日期20230504。", "一共12,345.67元。", "费用是350元。",
    "请到3号窗口。", "下午2:30开始办理。", "您的排队号是A012。", "一共3份材料。",
    "有问题可以打12345热线。", "我是周末来的。", "我是来办营业执照的。", "我是第一次来。",
    "我是他的家属。", "我是外地人。", "我是自己来的。", "我是上午打过电话的。",
    "请您填写这张表。", "二零二三年五月四日。", "今天是5月4日。", "工作日上午9点到12点。",
    "我是从杭州来的。", "我是张家口人。", "王府井那边。", "一共收费120元。",
]


def masked_all(text: str, item: str) -> bool:
    """True when every character of ``item`` in ``text`` lies inside a found span."""
    start = text.find(item)
    spans = find_pii(text, addresses=True)
    return all(any(s.start <= k < s.end for s in spans) for k in range(start, start + len(item)))


def run(n: int, seed: int = 5) -> dict:
    """PII fully masked and non-PII kept, per template."""
    rng = random.Random(seed)
    hit = total = 0
    misses: list[str] = []
    per: dict[str, list[int]] = {}
    while total < n:
        for template, item in pii_items(rng):
            text = template.format(x=item)
            ok = masked_all(text, item)
            hit, total = hit + ok, total + 1
            per.setdefault(template.split("{")[0] or template, [0, 0])
            per[template.split("{")[0] or template][0] += ok
            per[template.split("{")[0] or template][1] += 1
            if not ok and len(misses) < 20:
                misses.append(text)
    kept = [t for t in KEPT if not find_pii(t, addresses=True)]
    held = held_total = 0
    held_misses = []
    while held_total < n // 2:
        for template, item in held_out_items(rng):
            text = template.format(x=item)
            ok = masked_all(text, item)
            held, held_total = held + ok, held_total + 1
            if not ok and len(held_misses) < 10:
                held_misses.append(text)
    held_kept = [t for t in KEPT_HELD_OUT if not find_pii(t, addresses=True)]
    return {"held_out": {"pii_items": held_total, "pii_fully_masked": round(held / held_total, 4),
                         "misses": held_misses, "non_pii_items": len(KEPT_HELD_OUT),
                         "non_pii_kept": round(len(held_kept) / len(KEPT_HELD_OUT), 4),
                         "over_masked": [t for t in KEPT_HELD_OUT if t not in held_kept]},
            "pii_items": total, "pii_fully_masked": round(hit / total, 4), "misses": misses,
            "non_pii_items": len(KEPT), "non_pii_kept": round(len(kept) / len(KEPT), 4),
            "over_masked": [t for t in KEPT if t not in kept], "per_template": per}


def jieba_names(n: int, seed: int = 5) -> dict:
    """Share of the name items jieba's ``nr`` tags cover (against the surname list's share)."""
    import jieba.posseg as pseg

    rng = random.Random(seed)
    ours = tagged = total = 0
    while total < n:
        for template, item in pii_items(rng)[:10]:  # the name templates
            text = template.format(x=item)
            ours += masked_all(text, item)
            start = text.find(item)
            pos, covered = 0, set()
            for word, flag in pseg.cut(text):
                if flag == "nr":
                    covered.update(range(pos, pos + len(word)))
                pos += len(word)
            tagged += all(k in covered for k in range(start, start + len(item)))
            total += 1
    false_nr = sum(1 for t in KEPT for _w, f in pseg.cut(t) if f == "nr")
    return {"name_items": total, "surname_rules": round(ours / total, 4),
            "jieba_nr": round(tagged / total, 4), "jieba_nr_on_non_pii": false_nr}


def main() -> None:
    """Print the table and write benchmarks/results/privacy.json."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=400)
    args = parser.parse_args()
    result = run(args.n)
    result["names"] = jieba_names(args.n // 2)
    print(f"personal data fully masked: {result['pii_fully_masked']:.3f} of {result['pii_items']}")
    print(f"non-personal numbers and phrases kept: {result['non_pii_kept']:.3f} "
          f"of {result['non_pii_items']}")
    names = result["names"]
    print(f"names ({names['name_items']}): surname rules {names['surname_rules']:.3f}, "
          f"jieba nr {names['jieba_nr']:.3f} (nr tags on non-personal text: "
          f"{names['jieba_nr_on_non_pii']})")
    ho = result["held_out"]
    print(f"held-out forms: personal data fully masked {ho['pii_fully_masked']:.3f} of "
          f"{ho['pii_items']}, non-personal kept {ho['non_pii_kept']:.3f} of {ho['non_pii_items']}")
    for m in result["misses"] + ho["misses"]:
        print("  missed:", m)
    for m in ho["over_masked"]:
        print("  over-masked (held-out):", m)
    for m in result["over_masked"]:
        print("  over-masked:", m)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "privacy.json").write_text(json.dumps(result, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()

"""Our own generated utterances with personal data, labelled like ``privacy-dev``.

Every list and template here was written for this benchmark, not taken from
``../shared/data/privacy-dev`` (which is only measured, never read for forms):
names in every construction (我叫X, X的, X阿姨, 姓X名Y, compound and rare
surnames, a name opening the sentence, names given indirectly, spelled out,
minority names, clerks' names), ID card, phone and bank card numbers written,
grouped and spoken, licence plates, addresses of many shapes, other
identifiers (passport, permits, social-security and housing-fund numbers,
e-mail, WeChat, QQ), and controls that must stay whole (dates, amounts,
windows, queue and form numbers, hotlines, the hall's own address and
telephone, postcodes, public places, words that start with a surname
character, mentions of a field without its data).

An item is ``{"text", "pii": [{"type", "span"}], "form"}``: the same shape as
``privacy-dev/utterances.json`` plus the name of the form that made it, so
one scorer serves both sets.
"""

from __future__ import annotations

import random
import re

COMMON = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶"
    "程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎"
    "贺顾毛郝龚邵万钱严武戴莫孔向汤常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申"
    "耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴"
)
RARE = "逄蒯濮郦訾笪宓冼隗厍郜蔺鄢暴钭揭缑琚苌酆蹇郗昝帅索谈敬燕贲扈庹佘栾勾"
COMPOUND = ("欧阳", "司马", "诸葛", "上官", "东方", "皇甫", "慕容", "令狐", "夏侯", "长孙",
            "宇文", "司徒", "公孙", "南宫", "呼延", "轩辕", "钟离", "西门", "独孤", "申屠")
GIVEN = ("伟", "芳", "娜", "敏", "静", "磊", "洋", "勇", "艳", "杰", "军", "涛", "斌", "霞",
         "桂英", "秀兰", "建华", "志刚", "海涛", "丽娟", "晓燕", "俊杰", "雨涵", "梓轩", "欣怡",
         "宇航", "国庆", "红梅", "春花", "德福", "玉珍", "淑华", "文博", "思远", "佳怡", "永强",
         "金凤", "立新", "卫东", "爱民", "振国", "凤英", "子豪", "一鸣", "若曦", "家豪", "兴旺",
         "丰收", "建军", "美玲", "长青", "宏伟", "少华", "晨曦", "天佑", "小燕")
MINORITY = ("买买提·艾力", "阿依古丽·吐尔逊", "艾尔肯·吾斯曼", "努尔兰·卡德尔", "热娜古丽",
            "扎西多吉", "次仁央金", "格桑拉姆", "达瓦次仁", "索朗平措", "德吉央宗", "旦增尼玛",
            "巴特尔", "其木格", "苏日娜", "额尔敦巴雅尔", "乌云其其格", "朝鲁门", "阿迪力江")
SPELL = {"张": "弓长张", "章": "立早章", "李": "木子李", "吴": "口天吴", "林": "双木林",
         "陈": "耳东陈", "胡": "古月胡", "黄": "草头黄", "王": "三横一竖的王", "杨": "木易杨",
         "徐": "双人徐", "许": "言午许", "程": "禾呈程", "周": "周到的周"}
WORD_OF = {"伟": "伟大", "芳": "芬芳", "国": "国家", "华": "中华", "明": "明天", "军": "军人",
           "红": "红色", "海": "大海", "春": "春天", "静": "安静", "平": "和平", "丽": "美丽"}
TRAD = {"张": "張", "陈": "陳", "刘": "劉", "杨": "楊", "黄": "黃", "赵": "趙", "吴": "吳",
        "孙": "孫", "郑": "鄭", "冯": "馮", "邓": "鄧", "伟": "偉", "丽": "麗", "国": "國",
        "兰": "蘭", "华": "華", "军": "軍", "涛": "濤", "红": "紅", "凤": "鳳"}
PROVINCES = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼"
CN = "零一二三四五六七八九"
KIN_AFTER = ("阿姨", "叔叔", "大爷", "大妈", "奶奶", "爷爷", "老师", "师傅", "大夫", "医生",
             "主任", "经理", "会计", "同志", "先生", "女士", "大姐", "大哥")
AFFIX_AFTER = ("姐", "哥", "总", "工", "主任", "经理", "会计", "师傅", "老师", "大夫", "阿姨", "叔")
RELATIVES = ("爱人", "老伴", "儿子", "女儿", "父亲", "母亲", "爸爸", "妈妈", "哥哥", "姐姐", "弟弟",
             "妹妹", "孙子", "外婆", "舅舅", "媳妇", "女婿", "同事", "邻居", "老板")

Item = dict


def _item(form: str, template: str, **values: tuple[str | None, str]) -> Item:
    """Fill ``{key}`` slots; a slot whose type is not None is a labelled span."""
    text, spans, pos = "", [], 0
    for m in re.finditer(r"\{(\w+)\}", template):
        text += template[pos : m.start()]
        kind, value = values[m.group(1)]
        if kind:
            spans.append({"type": kind, "span": value})
        text += value
        pos = m.end()
    text += template[pos:]
    return {"text": text, "pii": spans, "form": form}


def _digits(rng: random.Random, n: int) -> str:
    return "".join(rng.choice("0123456789") for _ in range(n))


def _spoken(digits: str, rng: random.Random, group: int = 0, sep: str = "，") -> str:
    said = "".join(("幺" if c == "1" and rng.random() < 0.5 else CN[int(c)]) if c.isdigit() else c
                   for c in digits)
    if group:
        said = sep.join(said[i : i + group] for i in range(0, len(said), group))
    return said


def _trad(text: str) -> str:
    return "".join(TRAD.get(c, c) for c in text)


class Gen:
    """Values drawn from one seeded random generator."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng

    def surname(self) -> str:
        r = self.rng.random()
        if r < 0.55:
            return self.rng.choice(COMMON)
        if r < 0.8:
            return self.rng.choice(RARE)
        return self.rng.choice(COMPOUND)

    def name(self) -> str:
        if self.rng.random() < 0.08:
            return self.rng.choice(MINORITY)
        return self.surname() + self.rng.choice(GIVEN)

    def han_name(self) -> str:
        return self.surname() + self.rng.choice(GIVEN)

    def id_card(self) -> str:
        area = self.rng.choice(["110105", "310104", "440305", "510107", "620102", "130602",
                                "370211", "420106", "650102", "230103"])
        born = f"{self.rng.randint(1940, 2015)}{self.rng.randint(1, 12):02d}{self.rng.randint(1, 28):02d}"
        body = area + born + _digits(self.rng, 3)
        weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
        return body + "10X98765432"[sum(int(c) * w for c, w in zip(body, weights, strict=True)) % 11]

    def mobile(self) -> str:
        return "1" + self.rng.choice(["35", "38", "39", "50", "52", "58", "77", "80", "86", "89",
                                      "99", "91", "73", "66"]) + _digits(self.rng, 8)

    def landline(self) -> tuple[str, str]:
        area = self.rng.choice(["010", "021", "022", "0571", "0755", "0931", "0471", "028", "0851"])
        local = self.rng.choice("2345678") + _digits(self.rng, self.rng.choice([6, 7]))
        return area, local

    def bank_card(self) -> str:
        n = self.rng.choice([16, 19])
        body = self.rng.choice(["622202", "621700", "622848", "621226", "622588", "625965"])
        body += _digits(self.rng, n - 7)
        total = 0
        for i, c in enumerate(reversed(body)):
            d = int(c) * (2 if i % 2 == 0 else 1)
            total += d - 9 if d > 9 else d
        return body + str((10 - total % 10) % 10)

    def plate(self) -> str:
        letters = "ABCDEFGHJKLMNPQRSTUVWXY"
        head = self.rng.choice(PROVINCES) + self.rng.choice(letters[:12])
        r = self.rng.random()
        if r < 0.3:  # new-energy: D/F then five digits
            tail = self.rng.choice("DF") + _digits(self.rng, 5)
        else:
            chars = [self.rng.choice("0123456789") for _ in range(5)]
            for k in self.rng.sample(range(4), self.rng.choice([0, 1, 1, 2])):
                chars[k] = self.rng.choice(letters)  # at most two letters, never last
            tail = "".join(chars)
        sep = self.rng.choice(["", "", "·", " ", "-"])
        return head + sep + tail

    def address(self) -> str:
        rng = self.rng
        province = rng.choice(["河北省", "山西省", "四川省", "湖南省", "云南省", "内蒙古自治区",
                               "广西壮族自治区", "黑龙江省", "江西省", "宁夏回族自治区"])
        city = rng.choice(["石家庄市", "太原市", "绵阳市", "岳阳市", "曲靖市", "包头市", "柳州市",
                           "齐齐哈尔市", "九江市", "银川市"])
        district = rng.choice(["新华区", "小店区", "涪城区", "岳阳楼区", "麒麟区", "昆都仑区",
                               "城中区", "龙沙区", "浔阳区", "兴庆区", "高新区"])
        street = rng.choice(["解放路", "建设大道", "胜利街", "文化巷", "团结东路", "迎宾大道",
                             "和平里", "朝阳北街", "幸福路"])
        estate = rng.choice(["翠苑小区", "锦绣花园", "阳光家园", "滨江公寓", "金色港湾",
                             "新城佳苑", "丽景湾", "枫林苑", "南湖新村"])
        town = rng.choice(["柳河镇", "石门乡", "北关镇", "杨柳镇", "青山乡"])
        village = rng.choice(["王庄村", "东湾村", "高家村", "河口村", "红星村"])
        n = rng.randint(1, 36)
        unit = rng.randint(1, 6)
        room = rng.randint(1, 28) * 100 + rng.randint(1, 4)
        cn = rng.random() < 0.3
        num = (lambda v: _spoken(str(v), rng)) if cn else str
        shape = rng.randrange(8)
        if shape == 0:
            return f"{province}{city}{district}{street}{num(rng.randint(1, 300))}号"
        if shape == 1:
            return f"{city}{district}{estate}{num(n)}号楼{num(unit)}单元{num(room)}室"
        if shape == 2:
            return f"{estate}{num(n)}栋{num(unit)}单元{num(room)}"
        if shape == 3:
            return f"{district}{street}{num(rng.randint(1, 300))}号院{num(n)}号楼"
        if shape == 4:
            return f"{town}{village}{num(rng.randint(1, 9))}组{num(rng.randint(1, 80))}号"
        if shape == 5:
            return f"{city}{street}{estate}{num(n)}幢{num(room)}室"
        if shape == 6:
            return f"{province}{city}{district}{rng.choice(['城关', '东风', '新华'])}街道{estate}{num(n)}号楼"
        return f"{street}{num(rng.randint(1, 300))}号{rng.choice(['附', '之'])}{num(rng.randint(1, 9))}号"


def name_items(g: Gen) -> list[Item]:
    """Names in every construction."""
    rng = g.rng
    m, s = g.name(), g.surname()
    h = g.han_name()
    given = rng.choice(GIVEN)
    rel, kin = rng.choice(RELATIVES), rng.choice(KIN_AFTER)
    affix = rng.choice(AFFIX_AFTER)
    spell_s = rng.choice(list(SPELL))
    spell_g = rng.choice(list(WORD_OF))

    def N() -> tuple[str, str]:  # noqa: N802 - a fresh name for each form
        return ("name", g.name())

    return [
        _item("我叫X", "您好，我叫{n}，来办居住证。", n=N()),
        _item("我叫做X", "我叫做{n}。", n=N()),
        _item("我的名字叫X", "我的名字叫{n}，您查一下。", n=N()),
        _item("我是X，…", "我是{n}，上周打过电话的。", n=N()),
        _item("本人X", "本人{n}，特此申请。", n=N()),
        _item("X开头", "{n}，材料我都带齐了。", n=N()),
        _item("X开头+动词", "{n}让我来帮他拿证。", n=N()),
        _item("X是我…", "{n}是我{rel}，他腿脚不方便。", n=N(), rel=(None, rel)),
        _item("X的…", "{n}的户口本在这儿。", n=N()),
        _item("查X的", "麻烦帮我查一下{n}的办理进度。", n=N()),
        _item("X+称谓", "{n}{kin}，请到这边来。", n=N(), kin=(None, kin)),
        _item("请问是X+称谓吗", "请问您是{n}{kin}吗？", n=N(), kin=(None, kin)),
        _item("这是我…X", "这是我{rel}{n}，她来签字。", rel=(None, rel), n=N()),
        _item("我…叫X", "我{rel}叫{n}。", rel=(None, rel), n=N()),
        _item("我替…X", "我替我{rel}{n}来办的。", rel=(None, rel), n=N()),
        _item("受X委托", "受{n}委托，我来领取证件。", n=N()),
        _item("代X", "我是代{n}来交材料的。", n=N()),
        _item("X和Y", "{n}和{m}两个人一起办。", n=N(), m=("name", m)),
        _item("X委托…", "{n}委托我办理过户。", n=N()),
        _item("姓S名Y", "我姓{s}名{g}。", s=("name", s), g=("name", given)),
        _item("姓S，叫X", "我姓{s}，叫{x}。", s=("name", s), x=("name", s + given)),
        _item("免贵姓S", "免贵姓{s}。", s=("name", s)),
        _item("小S", "叫我小{s}就行。".replace("小{s}", "{a}"), a=("name", "小" + s)),
        _item("老S", "{a}让我跟您说一声。", a=("name", "老" + s)),
        _item("S+称谓", "您找{a}就行，她管这个。", a=("name", s + affix)),
        _item("S先生", "{a}，您的证件办好了。", a=("name", s + "先生")),
        _item("联系人X", "联系人写{n}，电话写我的。", n=N()),
        _item("收件人X", "收件人是{n}。", n=N()),
        _item("申请人X", "申请人：{n}", n=N()),
        _item("户主X", "户主{n}，还有两个人。", n=N()),
        _item("找X", "有事找{n}就行。", n=N()),
        _item("和X一起", "我跟{n}一块儿来的。", n=N()),
        _item("叫X的", "有个叫{n}的人给我打过电话。", n=N()),
        _item("工作人员X", "我是{w}号窗口的工作人员{n}。", w=(None, str(rng.randint(1, 30))), n=N()),
        _item("经办人X", "经办人{n}，您有问题找他。", n=N()),
        _item("拼字", "{x}，{sp}，{w}的{c}。", x=("name", spell_s + spell_g), sp=(None, SPELL[spell_s]),
              w=(None, WORD_OF[spell_g]), c=(None, spell_g)),
        _item("繁体", "我叫{n}。", n=("name", _trad(h))),
        _item("名字是X", "名字是{n}，没错。", n=N()),
        _item("姓名X", "姓名：{n}，性别：女。", n=N()),
        _item("少数民族", "我叫{n}，从乌鲁木齐来的。", n=("name", rng.choice(MINORITY))),
        _item("少数民族开头", "{n}是我爸爸，他汉语说不好。", n=("name", rng.choice(MINORITY))),
        _item("复姓", "{n}的档案在这边吗？", n=("name", rng.choice(COMPOUND) + rng.choice(GIVEN))),
        _item("生僻姓", "请{n}到五号窗口。", n=("name", rng.choice(RARE) + rng.choice(GIVEN))),
    ]


def number_items(g: Gen) -> list[Item]:
    """ID card, phone and bank card numbers, plates and other identifiers."""
    rng = g.rng
    idc, mob, card = g.id_card(), g.mobile(), g.bank_card()
    area, local = g.landline()
    plate = g.plate()
    return [
        _item("身份证", "身份证号{x}。", x=("id_card", idc)),
        _item("身份证开头", "{x}，这是我的身份证号。", x=("id_card", idc)),
        _item("身份证分组", "证件号码{x}，您核对一下。",
              x=("id_card", f"{idc[:6]} {idc[6:14]} {idc[14:]}")),
        _item("身份证中文", "身份证是{x}。", x=("id_card", _spoken(idc, rng).replace("X", "叉"))),
        _item("身份证后四位", "身份证后四位是{x}。", x=("id_card", idc[-4:])),
        _item("手机", "我手机{x}。", x=("phone", mob)),
        _item("手机空格", "电话是{x}，白天都能打。", x=("phone", f"{mob[:3]} {mob[3:7]} {mob[7:]}")),
        _item("手机横线", "手机号{x}", x=("phone", f"{mob[:3]}-{mob[3:7]}-{mob[7:]}")),
        _item("手机+86", "号码是{x}。", x=("phone", f"+86 {mob}")),
        _item("手机中文", "你打{x}找我。", x=("phone", _spoken(mob, rng))),
        _item("手机中文分组", "我的号是{x}，记好了吗？", x=("phone", _spoken(mob[:3], rng) + "，"
              + _spoken(mob[3:7], rng) + "，" + _spoken(mob[7:], rng))),
        _item("手机尾号", "手机尾号{x}的那个就是我。", x=("phone", mob[-4:])),
        _item("座机括号", "座机{x}。", x=("phone", f"({area}){local}")),
        _item("座机横线", "单位电话是{x}，找我就行。", x=("phone", f"{area}-{local}")),
        _item("本地座机", "家里座机{x}，晚上有人。", x=("phone", local)),
        _item("银行卡", "卡号{x}。", x=("bank_card", card)),
        _item("银行卡分组", "银行卡是{x}，农行的。",
              x=("bank_card", " ".join(card[i : i + 4] for i in range(0, len(card), 4)))),
        _item("银行卡中文", "账号{x}。", x=("bank_card", _spoken(card, rng, group=4))),
        _item("银行卡尾号", "尾号{x}的那张卡。", x=("bank_card", card[-4:])),
        _item("车牌", "车牌号是{x}。", x=("plate", plate)),
        _item("车牌开头", "{x}，白色的轿车，来年检。", x=("plate", plate)),
        _item("车牌中文", "我的车是{x}。", x=("plate", plate[:2] + _spoken(
            "".join(c for c in plate[2:] if c.isalnum()), rng))),
        _item("护照", "护照号码{x}。", x=("other", rng.choice("EG") + _digits(rng, 8))),
        _item("港澳通行证", "通行证号{x}，要续签。", x=("other", "C" + _digits(rng, 8))),
        _item("社保卡号", "社保卡号{x}。", x=("other", rng.choice("ABC") + _digits(rng, 8))),
        _item("公积金账号", "公积金账号是{x}。", x=("other", _digits(rng, 12))),
        _item("个人编号", "社保个人编号{x}。", x=("other", _digits(rng, 10))),
        _item("邮箱", "邮箱是{x}，发到这里。", x=("other", rng.choice(["wang", "lixia", "zhang_wei",
              "chen.ming", "hb2020"]) + str(rng.randint(1, 999)) + rng.choice(["@163.com",
              "@qq.com", "@126.com", "@sina.com"]))),
        _item("微信号", "微信号{x}，加我一下。", x=("other", rng.choice(["liu", "xiaoyu", "zhm", "sunny"])
              + _digits(rng, rng.randint(3, 6)))),
        _item("QQ", "QQ号{x}。", x=("other", str(rng.randint(10**6, 10**10)))),
        _item("驾驶证档案", "驾驶证档案编号{x}。", x=("other", _digits(rng, 12))),
    ]


def address_items(g: Gen) -> list[Item]:
    """Addresses after a cue, read back, opening a sentence, or described."""
    a = g.address
    return [
        _item("住在", "我住在{x}。", x=("address", a())),
        _item("家住", "家住{x}，离这儿挺远。", x=("address", a())),
        _item("地址是", "地址是{x}。", x=("address", a())),
        _item("地址：", "我家地址：{x}", x=("address", a())),
        _item("寄到", "证件寄到{x}就行。", x=("address", a())),
        _item("户籍在", "户籍在{x}。", x=("address", a())),
        _item("开头", "{x}，那是我家。", x=("address", a())),
        _item("房子在", "房子坐落在{x}，要办抵押。", x=("address", a())),
        _item("读回", "好的，您的地址是{x}，对吗？", x=("address", a())),
        _item("搬到", "我们搬到{x}了。", x=("address", a())),
    ]


HALLS = ("市民中心", "政务服务大厅", "政务服务中心", "行政审批大厅")


def control_items(g: Gen) -> list[Item]:
    """Utterances with numbers and places that must stay whole."""
    rng = g.rng
    y, mo, d = rng.randint(2019, 2027), rng.randint(1, 12), rng.randint(1, 28)
    hall = rng.choice(HALLS)
    road = rng.choice(["人民路", "新华大街", "中山北路", "长江路", "世纪大道"])
    return [
        _item("日期", f"请在{y}年{mo}月{d}日之前来取。"),
        _item("日期横线", f"受理日期{y}-{mo:02d}-{d:02d}。"),
        _item("日期中文", f"{_spoken(str(y), rng)}年{CN[mo % 10]}月{d}号开始。"),
        _item("日期紧写", f"签发日期{y}{mo:02d}{d:02d}。"),
        _item("金额", f"一共{rng.randint(10, 9999)}元。"),
        _item("金额千分位", f"费用{rng.randint(1, 99)},{rng.randint(100, 999)}.{rng.randint(10, 99)}元。"),
        _item("金额符号", f"收费￥{rng.randint(100, 99999)}。"),
        _item("金额万", f"贷款额度{rng.randint(10, 300)}万。"),
        _item("金额中文", f"{rng.choice(['三百五十', '一千二', '八十'])}块钱。"),
        _item("窗口", f"请到{rng.randint(1, 40)}号窗口。"),
        _item("窗口中文", f"去{rng.choice(['三', '十二', '二十一'])}号窗口办。"),
        _item("排队号", f"您的号是{rng.choice('ABCD')}{rng.randint(1, 300):03d}，请等候叫号。"),
        _item("时间", f"下午{rng.randint(1, 5)}:{rng.choice(['00', '30'])}开门。"),
        _item("时间中文", "上午九点到十二点，下午一点半到五点。"),
        _item("工作日", f"大概{rng.randint(3, 20)}个工作日能办好。"),
        _item("份数", f"复印{rng.randint(2, 6)}份。"),
        _item("页码", f"在第{rng.randint(2, 30)}页签字。"),
        _item("条款", f"按照第{rng.randint(2, 60)}条规定办理。"),
        _item("文号", f"{y}年第{rng.randint(1, 40)}号通知。"),
        _item("年龄", f"年满{rng.choice(['十六', '十八', '60'])}周岁才能办。"),
        _item("楼层", f"{rng.choice(['二', '三', '4'])}楼东侧是不动产登记。"),
        _item("热线", f"有问题打{rng.choice(['12345', '12333', '12315', '12366', '12348'])}热线。"),
        _item("热线开头", f"{rng.choice(['12345', '12333', '12329'])}是咨询电话。"),
        _item("急救", "出事了就打120。"),
        _item("大厅电话", f"我们{hall}的咨询电话是0{rng.randint(100, 999)}-{rng.randint(2000000, 8999999)}。"),
        _item("大厅地址", f"我们{hall}在{road}{rng.randint(1, 300)}号。"),
        _item("本中心地址", f"本中心地址：{road}{rng.randint(1, 300)}号{hall}一楼。"),
        _item("邮编", f"邮编是{rng.choice(['100010', '730030', '610041', '050011'])}。"),
        _item("医院", "市第一人民医院就在隔壁。"),
        _item("车站", "坐三路公交到火车站下车。"),
        _item("公园", "人民公园南门对面就是。"),
        _item("地名姓开头", f"{rng.choice(['王府井', '周口', '黄山', '金华', '马鞍山', '高碑店', '石家庄', '常州'])}那边也能办。"),
        _item("姓字开头词", f"{rng.choice(['马上', '周末', '高速', '常年', '方便', '白天', '程序', '林业局', '金额', '黄金周'])}就可以了。"),
        _item("字段", "手机号码那一栏填您本人的。"),
        _item("字段2", "身份证号和银行卡号都要写清楚。"),
        _item("字段3", "车牌号写在表格最下面。"),
        _item("字段4", "请填写姓名和联系电话。"),
        _item("我是来", "我是来办营业执照的。"),
        _item("我是外地", "我是外地人，第一次来。"),
        _item("老师傅", "老师傅，您慢点走。"),
        _item("小朋友", "小朋友别乱跑。"),
        _item("百分比", "报销比例是70%。"),
        _item("面积", f"房子{rng.randint(50, 180)}平方米。"),
        _item("批次", f"第{rng.randint(2, 9)}批名单已经公示。"),
        _item("称呼", "阿姨，您坐这边。"),
        _item("先生", "这位先生，请排队。"),
    ]


def generate(n_rounds: int = 12, seed: int = 7) -> list[Item]:
    """``n_rounds`` draws of every form, personal data and controls."""
    rng = random.Random(seed)
    g = Gen(rng)
    out: list[Item] = []
    for _ in range(n_rounds):
        for items in (name_items(g), number_items(g), address_items(g), control_items(g)):
            out += [i for i in items if all(p["span"] and p["span"] in i["text"] for p in i["pii"])]
    return out


_PUNCT = re.compile(r"[，。！？；：、,.!?;:]")


def unpunctuated(items: list[Item]) -> list[Item]:
    """The items as speech recognition often writes them: without punctuation.

    Spans lose their punctuation too (``一五二，六二八幺`` -> ``一五二六二八幺``);
    the middle dot of names and plates, @ and the dots of e-mail addresses stay.
    """
    out = []
    for item in items:
        text = item["text"]
        pii = []
        for p in item["pii"]:
            span = _PUNCT.sub("", p["span"]) if p["type"] != "other" else p["span"]
            pii.append({"type": p["type"], "span": span})
        protected = [p["span"] for p in item["pii"] if p["type"] == "other"]
        parts = re.split("(" + "|".join(map(re.escape, protected)) + ")", text) if protected else [text]
        text = "".join(part if part in protected else _PUNCT.sub("", part) for part in parts)
        if all(p["span"] and text.count(p["span"]) == 1 for p in pii):
            out.append({"text": text, "pii": pii, "form": item["form"] + " (no punctuation)"})
    return out

"""Does a clerk's sentence name a concrete destination? (Article 16, 首问负责)

A first-asked clerk who sends the citizen elsewhere must say *where*: "告知或尽
可能帮助其了解具体办事大厅，并详细告知服务对象地址", on the phone "明确告知具体办理
窗口电话". A redirect is compliant when it names, in any wording,

* a window or counter by number or name (三号窗口, 9号, 综合窗口, 出入境专窗),
* a floor (二楼, 三层),
* a window, counter or hall of the service centre by its business (医保窗口,
  市场监管局登记专区, 出入境大厅), or the citizen's own local office, of which there
  is one (派出所, 车管所, 公证处, 居委会, 村委会),
* a telephone number or a named hotline with its number (12345, 0935-8221234);
  sent to phone (打个电话问问医保局), an office named without its number is vague,
* a street address (新华路18号, 人民路和北京路口),
* the way there (出门左转, 往前走到头, 就在隔壁), or the clerk taking the citizen there
  (我带您过去).

It is vague when it only says "elsewhere": 别处, 那边, 其他部门, 相关部门,
上级部门, 上网查, 打电话问问, 问问别人, or an information desk (导服台, 服务台,
咨询台, 前台) that is not the place that does the business. An office outside
the hall named by its name alone, with no address, floor, window or number
(你去教育局问吧, 归县市场监管局管, 烟草专卖局啊，你问问就知道了), tells the citizen
whom, not where: vague (the inspectors' reading of 详细告知服务对象地址; issue 23).
The clerk's own window or office (我们社保卡窗口不管) is where he is, no
destination.

:func:`names_destination` reads the simplified text; it is a rule, written
from the seed's wording, not fitted to any data.
"""

from __future__ import annotations

import re

_NUM = r"[0-9０-９一二三四五六七八九十两百零〇]+"
#: Places named by number, floor, telephone number or street address.
_PLACE = re.compile("|".join((
    rf"{_NUM}\s*号?\s*(?:窗口|窗|柜台)",  # 三号窗口, 12窗口
    r"(?:综合|专项|受理|缴费|出件|取证|[\u4e00-\u9fff]{2,4}专)窗口?",  # 综合窗口, 出入境专窗
    rf"(?:去|到|找|上|回)(?:跟|找|问)?\s*{_NUM}\s*号",  # 你去9号吧, 你去跟5号说
    rf"{_NUM}\s*(?:楼|层)",  # 二楼, 三层
    r"\d{5,}|\d{3,4}-\d{6,8}",  # telephone numbers, 12345
    r"(?:[一二三四五六七八九零〇幺]){5,}",  # a number read out
    r"(?:往|向)?(?:左|右)(?:转|拐)|(?:出门|下楼|上楼|往前)(?:直走|走到头)",  # 出门左转
    r"(?:带|领|陪|送)[您你](?:过去|去那|去)|就在(?:隔壁|对面|旁边)",  # taken there, next door
    rf"[\u4e00-\u9fff]{{1,6}}(?:路|街|大道|巷){_NUM}\s*号",  # 新华路18号
    r"[\u4e00-\u9fff]{2,6}(?:路|街|大道)(?:上|口|边|[东西南北中]段)",  # 北京路上, 金川路中段
    r"(?:左|右)手(?:边)?|[东西南北]门(?:进|出|口)",  # 东门进去右手: the way there
    r"[\u4e00-\u9fff]{1,6}(?:路|街|大道)(?:和|与)[\u4e00-\u9fff]{1,6}(?:路|街|大道)",  # 路口
)))
#: The suffix of an office, hall or agency.
_OFFICE = re.compile(r"大厅|中心|局|派出所|所|服务站|办事处|处|科|院|馆|委员会|居委会|村委会|窗口|专区|"
                     r"社区|街道办|街道|银行|支队|大队|分局")
#: The suffixes of a place inside a service hall (a window, an area, a hall): named by its business,
#: it says where to go. Any other office named alone says whom, not where.
_IN_HALL = re.compile(r"窗口|专区|大厅")
#: Offices named by their suffix alone (the local one is meant, and there is one).
_SPECIFIC = re.compile(r"派出所|车管所|公证处|居委会|村委会")
#: The clerk's own place before a name (我们社保卡窗口, 咱这个大厅): where he is, no destination.
_OWN = re.compile(r"(?:我们|咱们|我|咱|本)(?:这个|这|的)?$")
#: Where the name before an office suffix starts: after a verb, pronoun or particle.
_BREAK = re.compile(r"[去到找在是问归回上的了个那这你您我他她们就得要吧呢啊，,。 ]")
#: Names that say no more than "an office": 其他部门, 那个中心, 相关单位.
_GENERIC = re.compile(r"^(?:别的|其他|其它|那边|这边|这个|那个|相关|上级|有关|对应|对口|我们|你们|"
                      r"咱们|人家|别处|外面|哪个|什么|一个|各|本|该)?$")

#: Sending the citizen to phone (打个电话问问, 电话咨询): concrete only with the number itself.
_PHONE = re.compile(r"打(?:个|一个|一下|一通)?电话|打[^，,。！!？?]{1,8}的?电话|电话(?:问|咨询|联系|打过去)|致电|打过去问")
#: Going there in person (去民政局, 到街道办): an office named as a place to go is concrete.
_GO = re.compile(r"(?<!电话)(?:去|到|上|跑)[^，,。打]{0,8}$")  # 打电话到公积金中心 rings, it goes nowhere


#: Sending the citizen on with no place word at all (你去吧, 你自己过去问一下, 再去一趟): it points to
#: the destination last named, if the clerk named one.
SENDS_ON = re.compile(r"(?:再|又|自己)?(?:过去|回去|去|(?<![收做得想看听找办])到)(?:吧|问|找|说|一趟|看|办)?")
#: Words of a place of its own, named or not (别处, 其他部门, 网上, 他们那边, 区里): no pointing back.
_ELSEWHERE = re.compile(r"别处|别的|其他|其它|相关|上级|有关|外面|网上|打听|谁|哪|那边|那儿|那里|他们|她们|人家|"
                        r"[区市县省乡镇村]里|上面|部门|单位|局|所|中心|窗口|楼|社区|街道")


def sends_on(text: str) -> bool:
    """True when ``text`` sends the citizen somewhere (:data:`SENDS_ON`: 去, 过去, 再去 …)."""
    from analyzer.text.normalize import to_simplified

    return bool(SENDS_ON.search(to_simplified(text)))


def points_back(text: str) -> bool:
    """True when ``text`` sends the citizen on to no new place (:data:`SENDS_ON`, none of :data:`_ELSEWHERE`).

    After the clerk has named a concrete destination, 对，你去吧 or 你自己过去问一下
    sends the citizen to that one: the redirect is as concrete as its first saying.

    >>> points_back("对，你去吧。")
    True
    >>> points_back("你去别的地方问问")
    False
    """
    from analyzer.text.normalize import to_simplified

    simple = to_simplified(text)
    return bool(SENDS_ON.search(simple)) and not _ELSEWHERE.search(simple)


def names_destination(text: str) -> bool:
    """True when ``text`` names a concrete destination (see the module docstring).

    >>> names_destination("请您到二楼出入境大厅三号窗口办理")
    True
    >>> names_destination("你去别处问问吧")
    False
    """
    from analyzer.text.normalize import to_simplified

    simple = to_simplified(text)
    if _PLACE.search(simple):
        return True
    by_phone = bool(_PHONE.search(simple))
    for m in _OFFICE.finditer(simple):
        if by_phone and not _GO.search(simple[max(0, m.start() - 10):m.start()]):
            continue  # 打个电话问问医保局 without the number: phoning needs one, the office alone is vague
        if _SPECIFIC.match(simple, max(0, m.start() - 1)) or _SPECIFIC.match(simple, m.start()):
            return True
        before = simple[max(0, m.start() - 8):m.start()]
        name = _BREAK.split(before)[-1]
        if len(name) < 2 or _GENERIC.match(name) or _OWN.search(before[:len(before) - len(name)]):
            continue
        if _IN_HALL.fullmatch(m.group(0)) or _NEARBY.search(simple):
            return True  # 医保窗口; 税务科 … 你下楼找他们: whom, and where in the building
    return False  # 教育局, 县市场监管局 by name alone: whom to see, not where


#: Where in or beside the building (楼下, 上楼, 隔壁): with an office named, the way there.
_NEARBY = re.compile(r"楼上|楼下|上楼|下楼|隔壁|对面|旁边")

"""Article 6 in words the uncivil classifier misses: belittling, complaining about the matter, scolding.

第六条 forbids 激化矛盾、损害形象的语言, 大声呵斥 and 冷言相对. The uncivil
classifier (:mod:`analyzer.rules.learned`) finds most of it; three kinds of
remark carry their meaning in how two ideas meet rather than in any one word,
so each is a pair of concepts that must both be said in one staff sentence
(:data:`PAIRS`; a scolding's in one clause):

* **belittling** the citizen's ability: his handwriting, his filling-in, his
  understanding (字, 写的, 填的, 脑子) judged as worthless (看不懂, 乱七八糟, 跟…似的,
  这么简单…不会);
* **complaining** about the citizen's matter in front of him: the matter or the
  people who bring it (这种事, 你们这些人) called a burden (麻烦, 烦死, 倒霉);
* **scolding**: a bare order to the citizen's person (站好, 闭嘴, 别嚷) or a
  reproach (你怎么回事, 你怎么搞的) shouted (an exclamation mark); and, as a
  remark by itself (:data:`SINGLE`), a reduplicated "what are you V-ing for"
  (吵什么吵, 嚷嚷什么嚷嚷), judged even in an utterance a forbidden phrase flagged
  (the words are not the phrase's: Article 6 is left out only where the uncivil
  words *are* the forbidden phrase);
* **unrelated chat** (:data:`SINGLE`): the clerk's private life over the counter — a
  dinner, a card game, a wedding gift (晚上那个饭局我去) — in a clause not said to the
  citizen with 您 (谈论与工作无关的内容);
* **a private call** (:func:`private_calls`): the clerk picks up a phone while a citizen is
  served or waits and talks of her own life on it (妈？我上班呢，晚上吃啥你定); one finding
  spans the call, from the pick-up to the hang-up, also where the classifier flagged a turn
  of it (its finding there is dropped). A work call is none.
* **what the remark does to him** (session 13): cutting him off (a doubled 好了好了 then
  "don't tell me that"), laughing at him (a laugh closing words with no courtesy), reproaching
  him for coming late across two clauses, typing his people by a folly.

A sentence with a courtesy formula (:data:`POLITE`: 请, 麻烦你, 不好意思 …) or
addressing the citizen as 您 is a request or an apology, not a remark:
您这字有点看不清，麻烦重写一下 is civil. An utterance the uncivil classifier or a
forbidden phrase already flagged is not judged again (one utterance is penalised
once), but for a :data:`SINGLE` remark beside a forbidden phrase. Findings use the
``A6-UNCIVIL`` rule with ``detail.method`` ``"pattern"`` and the kind of remark in
``detail.subtype``. These are rules written from what the code names, not fitted
to any data; the general constructions added later (the rhetorical 谁看得懂, the
nothing-but 净是, the reduplicated 吵什么吵) were chosen knowing which *kinds* of
remark the independent dev set's benchmark missed, so only a held-out set measures
them fairly.

Curt is not rude: a terse question about the work (开几张？ 要几份？ 办哪个？,
:func:`terse_question`) is no ``A6-UNCIVIL`` finding whatever the classifier
gives it (:func:`drop_pickups`), unless words in it are impatient or off the work.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from typing import TYPE_CHECKING

from analyzer.types import Finding, Utterance, attribution_detail

if TYPE_CHECKING:
    from analyzer.text.lexicon import Lexicon
    from analyzer.text.match import Hit

#: Rule id of the Article 6 finding (shared with the uncivil classifier's).
RULE = "A6-UNCIVIL"
#: Kind of remark -> (first concept, second concept): both in one clause.
PAIRS: dict[str, tuple[re.Pattern[str], re.Pattern[str]]] = {
    "belittling": (
        # ... or how he speaks (你这口音, 说话跟挤牙膏似的, 普通话说得…一句都听不懂), on a call above all
        re.compile(r"字|写的|写得|填的|填得|弄的|弄得|脑子|脑袋|认字|识字|文化|这么简单|这点事|"
                   r"说话|讲话|口音|普通话|方言|土话|舌头"),
        re.compile(r"看不懂|看不清楚?的|认不出|乱七八糟|歪歪扭扭|鬼画符|狗爬|跟(?![我您咱])[^，,。！!？?]{1,7}(?:似的|一样)|"
                   r"太逗|好笑|笑死|颠三倒四|捋直|一句(?:都|也)(?:听不懂|没听懂)|"
                   r"(?:都|也|还)(?:不会|不懂|弄不|搞不|填不|写不|学不|办不)|不识字|没文化|不好使|笨|"
                   # ... even that got wrong (这么简单一张表都能填错) (session 13, train-halls-32)
                   r"都(?:能|会|给)?[^，,。！!？?我您没不]{0,3}错|"
                   # the rhetorical "who could read this": nobody can
                   r"谁(?:能|会|还)?(?:看得懂|看得清|看得明白|看得出|认得出|认得清|认得)")),
    "complaining": (
        re.compile(r"这种[^，,。！!？?]{0,3}事|这破事|这些[^，,。！!？?]{0,3}事|这类事|这种业务|这种人|"
                   r"你们这些|你们这种|这帮人|这种材料|这种情况|这活|这差事"),
        re.compile(r"麻烦死|烦死|真烦|烦人|头疼|倒霉|晦气|最讨厌|没完没了|添乱|添麻烦|找事|事儿多|事多|"
                   r"就是麻烦|真麻烦|太麻烦|难弄|麻烦事|破事|烂事|扯皮|净是|尽是|累死|折腾死|头都大|"
                   r"不是人干|"
                   # how many of them come (你们这种一天来好几个) (session 13, train-halls-31)
                   r"一天[^，,。！!？?]{0,2}(?:来|跑|找来|冒出)[^，,。！!？?]{0,1}(?:好几|十几|几十|一堆|一大堆|一拨)")),
    # the citizen's people typed by where they come from, and all alike (你们乡里来的，每回都是这样)
    # (session 12, kind from train-halls-28)
    "typecasting": (
        re.compile(r"你们[^，,。！!？?]{1,6}(?:来的|的人|人)"),
        re.compile(r"(?:(?:每回|每次|回回|次次|总是|老是|一向)(?:都)?(?:是)?这(?:样|德性|毛病)|都(?:是)?这(?:德性|毛病))"
                   r"[吧啊呀的]?(?=[，,。！!？?…]|$)|"
                   # ... or all of them given to one folly (你们年轻人就信这个) (session 13, train-halls-19)
                   r"人(?:都)?就(?:信|爱|喜欢|讲究|图|好)这(?:个|些|套|一套)")),
    # cutting the citizen off: a doubled "enough" opening the turn (行了行了, 好了好了, 得了得了) that
    # then tells him what not to say or only what to say (这些不用说，你就说你要办啥; 问那么多干啥)
    # (session 13, kind from train-halls-19, -20, -28)
    "cutting_off": (
        re.compile(r"^(?:[哎唉嗯诶]+[，,、\s]*)?(行了|好了|得了|够了|停)[，,、\s]*\1"),
        re.compile(r"不用(?:说|讲)|别(?:说|讲)了|甭(?:说|讲)|少(?:说|讲)|(?:我)?不(?:想)?听|你就说|(?:你)?(?:就)?说重点|"
                   r"(?:问|说|讲)(?:那么|这么)多|(?:说|讲)这些干|这些(?:都)?(?:不用|别|甭)")),
    # laughing at the citizen: a laugh closing the clerk's words with no courtesy in them (还结什么婚，
    # 回去再想想吧，哈哈; 就一万块钱也值当跑一趟，还提前还贷，呵呵); a laugh opening the turn (哈哈，
    # 您这身板好着呢; 哈哈，不急不急) shares a joke (session 13, kind from train-halls-19, -22)
    "laughing_at": (
        re.compile(r"[^哈呵嘿\s，,。！!？?…]"),
        re.compile(r"[^哈呵嘿\s，,。！!？?…][，,。！!？?…\s]*(?:呵呵|哈哈|嘿嘿)")),
    # reproached for coming late with the thing already done to him, the reproach in the next clause
    # (人都走了八个月了，这会儿才想起来领钱啊; in one clause :data:`SINGLE`'s) (session 13, train-halls-19)
    "late_reproach": (
        re.compile(r"都[^，,。！!？?]{1,8}了[，,]"),
        re.compile(r"都[^，,。！!？?]{1,8}了[，,][^，,。！!？?]{0,4}才(?:来|想起|说|办)")),
    "scolding": (
        re.compile(r"^(?:你)?(?:给我)?(?:站好|坐好|闭嘴|别吵|别嚷|别喊|别叫|安静点|听着|听好了|少废话|别废话|"
                   r"出去|让开)|你(?:怎么|咋)(?:回事|搞的|弄的|听不懂|不听)"),
        re.compile(r"[！!]$")),
}
#: Not being able to (read, write, fill in, tell apart, understand, remember …): the second half
#: of a mocking "even that you cannot".
INABILITY = (r"(?:不会|不懂|不认识|不认得|不知道|看不懂|看不明白|看不清|弄不[好明清对来]|搞不[懂明清对来]|"
             r"填不[好对来明]|写不[好对来清]|说不[清明]|分不清|记不住|学不会|认不全)")
#: Kind of remark -> a construction that is that remark by itself, in one clause: a
#: reduplicated "what are you V-ing for" (喊什么喊, 吵什么吵, 嚷嚷什么嚷嚷) shouts a
#: citizen down whatever follows it.
SINGLE: dict[str, re.Pattern[str]] = {
    "scolding": re.compile(r"([喊吵嚷叫挤闹催急哭吼嚎]{1,2})什么\1|"
                           # cutting the citizen off: 停停停，别绕了; 打住打住; 别啰里啰嗦的; 说半天说不到点子上
                           r"停停停|打住打住|别绕了|别绕弯子|别(?:啰|罗)(?:里(?:啰|罗))?嗦|少(?:啰|罗)嗦|"
                           r"说不到点子上|说半天也?说不|"
                           # the citizen's talk itself scolded (啰里啰嗦的，一句话说不清楚) (session 12, train-halls-28)
                           r"(?:啰|罗)里(?:啰|罗)嗦|一句话(?:都)?说不(?:清|明白|利索)|"
                           # reproached for coming late with the thing already done to him (人都走了仨月了才来销)
                           r"都[^，,。！!？?]{1,8}了才(?:来|想起|说|办)"),
    # the clerk's private life talked over the counter: a dinner, a card game, a wedding gift, the
    # weekend out (晚上那个饭局我去; 礼金随了八百) is nobody's business at a window (Article 6's
    # 谈论与工作无关的内容); said with 您 to the citizen it is small talk with him, not judged
    "unrelated_chat": re.compile(
        r"饭局|聚餐|火锅|下馆子|撸串|打牌|打麻将|搓麻|逛街|看电影|电影院|唱K|K歌|追剧|"
        r"礼金|随礼|份子钱|随份子|喝喜酒|婚宴|酒席|约会|相亲|好吃得很|真好吃|太难吃|"
        # shopping told to a colleague (打完折才四百多，我给我妈也买了一件)
        r"打(?:完|了)折|买了(?:一)?件|网购|淘宝|拼多多|双十一|奶茶|追剧|八卦|"
        # looks and leisure (那个烫头的店在哪, 健身房办卡了没, 朋友圈里那双鞋)
        r"烫头|烫发|染头|做头发|美甲|健身房|瑜伽|演唱会|球赛|朋友圈|相亲|剧透|网红店|团购|"
        # the clerk's own leave and trips home planned with a colleague (我下礼拜请两天假回老家，你帮我
        # 顶一下班); a colleague's leave told as the reason for a deferral (那个岗的同志休假了) and the
        # citizen's trip home (你得回老家拿去) are not hers
        r"我[^，,。！!？?]{0,8}(?:(?:请|休)[^，,。！!？?]{0,3}假|回(?:趟|一趟)?老家)|调休|倒休|年假|连休|"
        r"帮我顶|顶(?:一下|两天|几天)?班|"
        # home told to a colleague: her spouse and in-laws, the children's school meetings and classes
        r"我家那口子|我(?:老公|媳妇|婆婆|公公|对象)|家长会|补课班|辅导班|搬新家|我(?:们)?家(?:娃|孩子|闺女|小子)|"
        # online shopping for herself (双十二那件大衣你帮我也拍一件)
        r"双十二|双12|双11|(?:帮我|给我)(?:也)?拍(?:一件|一个|个|一条|一双|两件)|"
        # a gift's sum weighed (那礼钱随多少合适, 人家随了六百) and where a meal was had or is planned with
        # colleagues (你中午那个在哪家吃的, 下回咱们几个一起去) (session 12, kinds from train-halls-24, -26)
        r"礼钱|随多少|随了?[0-9一二三四五六七八九十两]+[百千块]|在?哪家吃|一起去吃|咱们几个一起|"
        r"去不去吃|吃那家|新开的那家|那家新开|"
        # group buying and prices against the supermarket (羊肉一斤比超市便宜十来块; 我给你也拼一份)
        # (session 13, train-halls-32)
        r"比超市|超市(?:便宜|贵)|拼(?:一份|一单|个单|单|团)"),
    # mocking what the citizen can do: "even X you cannot do" (连这都不会填; 名字都写不对？ as a
    # rhetorical question), or whether he went to school / can read at all (你上过学没有？)
    "belittling": re.compile(
        r"连[^，,。！!？?]{1,8}(?:都|也)" + INABILITY + r"|"
        r"都" + INABILITY + r"[^，,。！!？?]{0,5}(?:[？?]|吗|啊\s*$|呀\s*$)|"
        # all of the citizen's people made fun of (你们矿上的人说话咋都这么绕, 你们乡下人怎么都这样)
        r"你们[^，,。！!？?]{1,6}(?:的人|人)[^，,。！!？?]{0,4}(?:咋|怎么)(?:都|全)(?:这么|那么)(?!多|少|早|晚|快)|"
        r"你们[^，,。！!？?]{1,6}(?:的人|人)[^，,。！!？?]{0,6}(?:都|全)(?:这么|那么)(?:磨叽|啰嗦|绕|笨|糊涂|说不清)|"
        # a caller's whole account waved off as nothing (说了半天跟没说一样)
        r"跟没说一样|等于没说|"
        # his request mocked by a derisive likening (加急？你当这是快递呢; 你当我是神仙啊)
        r"你当(?:这|这儿|这里|我们|我|咱们|政府|窗口)(?:是|在)[^，,。！!？?]{1,8}(?:呢|啊|呀|吗|[？?])|"
        r"(?:上过|念过|读过)(?:学|书)|没(?:上|念|读)过(?:学|书)|(?:识|认)(?:不识|不认)?(?:字|得字)(?:吗|没|不|[？?])|"
        # mocking his senses: 你耳朵听不见啊？ 你眼睛长哪儿了 你聋啊 (not 你眼睛看不清的话，我帮你填)
        r"你(?:这|的)?(?:耳朵|眼睛|眼|脑子|脑袋)(?:是)?(?:也|都|又)?"
        r"(?:聋|瞎|背|不好使|不管用|不灵|有毛病|有问题|听不见|看不见|长哪|塞|摆设|白长|干嘛用|干什么用|进水)"
        r"(?![^，,。！!？?]{0,6}的话)|你(?:是)?(?:聋|瞎)(?:子)?(?:了|啊|吗|呀|[？?！!])"),
}
#: Courtesy or the polite 您: a remark so put is a request or an apology, not judged (the 请 of 请假
#: is a leave, no courtesy). (Not
#: :data:`analyzer.rules.acts.COURTESY`: its bare 麻烦 is also "a nuisance" here.)
POLITE = re.compile(r"您|(?<![申邀聘宴])请(?![^，,。！!？?]{0,3}假|示|客)|麻烦(?:你|一下|帮)|劳驾|不好意思|抱歉|对不起|谢谢|辛苦")
#: A greeting opening the turn (您好，给我看看……): it greets, it softens nothing said after it, so
#: the courtesy that excuses a remark is looked for in the rest (session 13, train-halls-30).
OPENING_GREETING = re.compile(r"^\s*(?:(?:您好|你好|早上好|上午好|下午好)[，,。！!\s…]*)+")
#: Courtesy proper (:data:`POLITE` less the 您, which a mocking question also uses: 您连这都不会？).
COURTESY = re.compile(r"(?<![申邀聘宴])请(?![假示客])|麻烦(?:你|您|一下|帮)|劳驾|不好意思|抱歉|对不起|谢谢|辛苦")
#: Kinds whose two concepts must meet in one clause (the order and its exclamation mark);
#: the others may span the sentence (又是这种事，一天到晚没完没了).
PER_CLAUSE = frozenset({"scolding"})
#: Clause boundaries (the exclamation mark stays with its clause).
_CLAUSES = re.compile(r"(?<=[！!？?。；;])|[，,]")


#: Kinds of :data:`PAIRS` whose words are never a forbidden phrase's: judged, like :data:`SINGLE`, also in
#: an utterance a forbidden phrase flagged (a laugh, the citizen cut off).
OWN_WORDS = frozenset({"laughing_at", "cutting_off"})


def remark(text: str, kinds: Collection[str] | None = None) -> str | None:
    """The kind of uncivil remark a staff sentence makes (:data:`PAIRS`), or None.

    Args:
        text: The staff utterance.
        kinds: The kinds of :data:`PAIRS` looked for (None: all).
    """
    from analyzer.text.normalize import to_simplified

    simple = to_simplified(text).strip()
    single = single_remark(simple)
    if single is not None:
        return single
    if POLITE.search(OPENING_GREETING.sub("", simple, count=1)):
        return None
    for kind, (first, second) in PAIRS.items():
        if kinds is not None and kind not in kinds:
            continue
        parts = _CLAUSES.split(simple) if kind in PER_CLAUSE else [simple]
        if any(first.search(p.strip()) and second.search(p.strip()) for p in parts):
            return kind
    return None


def single_remark(text: str) -> str | None:
    """The kind of remark one clause of ``text`` makes by itself (:data:`SINGLE`), or None."""
    from analyzer.text.normalize import to_simplified

    simple = to_simplified(text)
    clauses = _CLAUSES.split(simple)
    for kind, pattern in SINGLE.items():
        polite = COURTESY if kind == "belittling" else POLITE  # a mocking 您 is no courtesy
        for k, p in enumerate(clauses):
            # small talk is to the citizen when the clause or the one before it says 您
            said_to = clauses[max(0, k - 1):k + 1] if kind == "unrelated_chat" else [p]
            if pattern.search(p) and not any(polite.search(c) for c in said_to):
                return kind
    return None


#: Picking up a phone in the middle of a visit: 喂 opening the turn, a stage note of the phone
#: ringing (（手机响）), or saying so (我接个电话).
PICKS_UP = re.compile(r"^[（(【\[][^）)】\]]{0,8}(?:手机|电话)[^）)】\]]{0,8}[）)】\]]|^[…\.。\s]*(?:哎|嗯)?[，,]?喂|"
                      # after asking the citizen to wait (叔您稍等一下啊。喂，妈？)
                      r"(?:稍等|等一下|等一会儿?|等会儿?)[^。！!？?]{0,4}[。！!…]+\s*(?:哎|嗯)?[，,]?喂|"
                      r"接(?:个|一下|下)电话")
#: Ending a call (挂了, 先这样, 不说了, 回头再说).
HANGS_UP = re.compile(r"挂了|先挂|不说了|先这样|回头(?:再)?(?:说|聊)|回去(?:再)?说|晚上(?:再)?说")
#: Back to the citizen after a call (不好意思, 让您久等, 刚才说到哪): the call is over.
BACK_TO_CITIZEN = re.compile(r"您|不好意思|久等|刚才说到|说到哪")
#: The clerk's own life on a call: her family addressed or named as hers (妈？ 我老公), home and
#: children (晚上吃啥, 放学, 接娃, 做饭, 冰箱里那块肉), and telling the caller she is at work (我上班呢).
PRIVATE_LIFE = re.compile(
    r"(?:^|[，,。？?！!…\s喂哎])(?:妈|爸|老公|老婆|媳妇|宝贝|闺女|儿子)(?:[，,。？?！!…\s呀啊]|$)|"
    r"我(?:妈|爸|老公|老婆|媳妇|家|儿子|闺女|女儿|娃|孩子|婆婆|公公)|"
    r"吃啥|吃什么|做饭|买菜|放学|接(?:娃|孩子|一下娃|一下孩子)|家长会|冰箱|包饺子|晚上回|回去吃|"
    r"我(?:这|这儿)?(?:在)?(?:上班|班上)(?:呢|着呢|嘛)|上着班|"
    # the weekend, the family car and the children on it (那个车我周六开过去保养, 我把娃娃也带上)
    r"周六|周日|周末|礼拜六|礼拜天|星期六|星期天|保养|娃娃")
#: Most staff turns one call is followed over.
CALL_TURNS = 4


def private_calls(utterances: Sequence[Utterance]) -> list[list[int]]:
    """The clerk's private phone calls taken while a citizen is served or waits (Article 6).

    A call starts where a staff turn picks up a phone (:data:`PICKS_UP`) and runs over the staff turns after it, up to :data:`CALL_TURNS`, until one hangs up
    (:data:`HANGS_UP`, kept) or turns back to the citizen (:data:`BACK_TO_CITIZEN`, not kept);
    the citizen may speak in between. It is private when a turn of it talks of the clerk's own
    life (:data:`PRIVATE_LIFE`); a work call (系统又卡了, 那个件批了没) is none, and so is a phone
    line's own pick-up (喂，您好…: the caller is the citizen, and what is said to him is work).

    Returns:
        The staff utterance indices of each private call.
    """
    staff = [i for i, u in enumerate(utterances) if u.speaker == "staff" and u.text.strip()]
    calls: list[list[int]] = []
    k = 0
    while k < len(staff):
        i = staff[k]
        if not PICKS_UP.search(utterances[i].text.strip()):
            k += 1
            continue
        call = [i]
        while not HANGS_UP.search(utterances[call[-1]].text) and k + 1 < len(staff) \
                and len(call) < CALL_TURNS and _still_on_call(utterances, staff[k + 1]):
            k += 1
            call.append(staff[k])
        if any(PRIVATE_LIFE.search(utterances[j].text) or SINGLE["unrelated_chat"].search(utterances[j].text)
               for j in call):
            calls.append(call)
        k += 1
    return calls


def _still_on_call(utterances: Sequence[Utterance], nxt: int) -> bool:
    """True when staff turn ``nxt`` goes on with a call: it does not turn back to the citizen and
    still talks of the clerk's life or hangs up."""
    text = utterances[nxt].text
    return not BACK_TO_CITIZEN.search(text) and bool(
        PRIVATE_LIFE.search(text) or SINGLE["unrelated_chat"].search(text) or HANGS_UP.search(text))


def remark_findings(utterances: Sequence[Utterance], lexicon: Lexicon,
                    flagged: Collection[int] = frozenset(),
                    assumed_speaker_weight: float = 1.0, *,
                    forbidden_only: Collection[int] = frozenset()) -> list[Finding]:
    """``A6-UNCIVIL`` findings for staff utterances that belittle, complain or scold (see above).

    Args:
        utterances: The interaction's turns.
        lexicon: The loaded lexicon (no findings when ``A6-UNCIVIL`` is disabled).
        flagged: Utterance indices already found uncivil or forbidden: not judged.
        assumed_speaker_weight: Confidence factor where the speaker was assumed.
        forbidden_only: Those of ``flagged`` that only a forbidden phrase flagged: a
            clause that shouts the citizen down by itself (:data:`SINGLE`: 喊什么喊 before
            没看我正忙着吗) is still judged there, being none of the phrase's words.
    """
    try:
        rule = lexicon.get(RULE)
    except KeyError:  # switched off by a local lexicon layer
        return []
    out = []
    calls = private_calls(utterances)
    on_call = {j for call in calls for j in call}
    for i, u in enumerate(utterances):
        if u.speaker != "staff" or (i in flagged and i not in forbidden_only) or i in on_call:
            continue
        kind = remark(u.text, OWN_WORDS) if i in flagged else remark(u.text)
        if kind is None:
            continue
        detail = {"subtype": kind, "method": "pattern", "utterance": i,
                  **attribution_detail([u])}
        out.append(Finding(
            rule=rule.id, article=rule.article, kind="uncivil",
            canonical=rule.canonical or rule.shown_title(), speaker=u.speaker,
            start=u.start, end=u.end, evidence=u.text,
            confidence=0.8 * u.attribution_weight(assumed_speaker_weight), points=rule.points,
            detail=detail))
    for call in calls:
        if any(j in forbidden_only for j in call):
            continue  # a turn of it is already a forbidden phrase's
        # a turn of it the uncivil classifier flagged is this call's (:func:`drop_pickups` drops
        # that finding): one finding spans the call from the pick-up (session 13, train-halls-16)
        said = [utterances[j] for j in call]
        detail = {"subtype": "private_call", "method": "pattern", "utterance": call[0],
                  "utterances": call, **attribution_detail(said)}
        out.append(Finding(
            rule=rule.id, article=rule.article, kind="uncivil",
            canonical=rule.canonical or rule.shown_title(), speaker="staff",
            start=said[0].start, end=said[-1].end, evidence=" / ".join(u.text for u in said),
            confidence=0.8 * min(u.attribution_weight(assumed_speaker_weight) for u in said),
            points=rule.points, detail=detail))
    return out


#: A phone pick-up that is only a hello (喂？ 您好。): Article 7's greeting, not Article 6's.
PICKUP = re.compile(r"^(?:喂|您好|你好|哪位|嗯)+$")
#: The most characters (punctuation aside) of a terse work question (开几张？ 要原件还是复印件？).
TERSE_CHARS = 9
#: The most characters of a terse question offering a choice (孩子随父姓还是随母姓？; 那这房子是离婚前买的
#:还是离婚后买的？: two facts to pick from ask a fact however long they are said; session 13, 14 -> 18).
CHOICE_CHARS = 18
#: An acknowledgement or greeting before the question (好，要几份？ 早，您好，办啥事？).
_ACK = re.compile(r"^(?:(?:好的?|嗯|行|可以|那|哦|早|您好|你好|早上好|上午好|下午好|开了)[，,、。.…\s]*)+")
#: What makes a short clause a question about the work: how many, which, what, yes or no.
_ASKS = re.compile(r"几|哪|什么|啥|多少|吗|呢|没有|还是|要不要|是不是|有没有|对吧|对不对|行不行|"
                   # how old, how long, how far, who (娃娃多大了？) (session 13, train-halls-32)
                   r"多大|多久|多长|多远|多高|多重|谁")
#: Words that make a short question impatient, a reproach or a scolding (你到底要几张？ 又怎么了？),
#: or talk that is not the work (晚上吃啥？): such a question is still judged.
_NOT_TERSE = re.compile(r"到底|究竟|怎么|咋|干嘛|干什么|干啥|凭什么|又|还要问|还问|烦|快|急|没看|不会|自己|"
                        r"听不|看不|懂不懂|有完没完|吵|喊|嚷|说了|几遍|"
                        # (孩子 is not here: 孩子随父姓还是随母姓？ asks about the citizen's child, the work)
                        r"吃|喝|玩|逛|电影|电视|周末|放假|对象|老公|老婆|打牌|麻将|游戏|工资|奖金")
_PUNCT = re.compile(r"[，,。.！!？?；;：:…、\s]")
#: A terse question followed by a short gloss of what it asks about (住院病历呢？出院记录那种。
#: 要几份？复印件。): the gloss names the thing, it adds no word to the citizen.
_GLOSSED = re.compile(r"^([^。.！!？?]+[？?])\s*([^，,。.！!？?；;：:…、\s]{1,8}?(?:那种|那个|那样的|这种|之类的?)?)[。.]?$")


def terse_question(text: str) -> bool:
    """True when ``text`` is only a short question about the work (开几张？ 要几份？ 办哪个？).

    Curt is not rude: a clerk asking how many, which or what in a few words
    (:data:`TERSE_CHARS`), after at most an acknowledgement (好，) and before at most a
    short gloss of the thing asked about (:data:`_GLOSSED`: 出院记录那种), with nothing
    impatient, reproachful or off the work in it (:data:`_NOT_TERSE`), says no
    uncivil word for the classifier to have heard.
    """
    from analyzer.text.normalize import to_simplified

    simple = _ACK.sub("", to_simplified(text).strip())
    asked = _GLOSSED.match(simple)
    if asked is not None and _NOT_TERSE.search(asked.group(2)) is None:
        simple = asked.group(1)  # 住院病历呢？出院记录那种。: the question and its gloss
    if not simple.endswith(("?", "？")) or _PUNCT.search(simple.rstrip("?？")):
        return False
    body = _PUNCT.sub("", simple)
    # 随父姓还是随母姓？ a choice; 字号您想好叫什么了吗？ a work question put to the citizen with 您
    limit = CHOICE_CHARS if "还是" in body or "您" in body else TERSE_CHARS
    return (0 < len(body) <= limit and _ASKS.search(body) is not None
            and _NOT_TERSE.search(body) is None and single_remark(body) is None)


#: A courtesy beside 您 (您稍等, 请您, 麻烦您, 不好意思): the turn is a request or an apology.
_COURTESY_TO_YOU = re.compile(r"请|麻烦|劳驾|不好意思|抱歉|对不起|谢谢|辛苦|稍等|久等")
#: Words that reproach or scold whatever the courtesy (你, 嚷, 怪, 凭什么, 您这记性, 听不懂).
_REPROACHES = re.compile(r"你|嚷|吼|喊|吵|怪|凭|赖|没长|听不|看不|不懂|啰嗦|絮叨|磨蹭|费劲|[您]这(?:记性|脑子|人|字)|"
                         r"早干|还不|[！!]")


def courteous(text: str) -> bool:
    """True when a staff turn addresses the citizen only as 您, with a courtesy, and reproaches nobody.

    哎呀我这记性，刚才忘了给您盖骑缝章，您稍等。 blames the clerk herself and asks
    the citizen to wait politely; the classifier may hear the memory word as a
    scolding. A second-person 你, a reproach (:data:`_REPROACHES`: 您这记性, 嚷, 怪)
    or rude words (:data:`RUDE`) keep it judged.
    """
    from analyzer.text.normalize import to_simplified

    simple = to_simplified(text)
    return "您" in simple and bool(_COURTESY_TO_YOU.search(simple)) \
        and not _REPROACHES.search(simple) and not RUDE.search(simple)


#: The web as the place to look (网上都有, 上网查查, 政务网, 公众号), or looking it up himself (你自己查一查).
_THE_WEB = re.compile(r"网上|上网|官网|政务网|网站|公众号|小程序|APP|app|自己(?:去)?查")


def sends_to_the_web(text: str) -> bool:
    """True when a staff turn only sends the citizen to look it up online (政务网上都有，您再找找) or
    himself (这我不清楚，你自己查一查: session 12).

    Whether a redirect says where is Article 16's question (the web names no
    destination); the words are curt, not uncivil. A reproach (怪谁, 自己不看) or
    rude words keep it judged.
    """
    from analyzer.text.normalize import to_simplified

    simple = to_simplified(text)
    return bool(_THE_WEB.search(simple)) and not RUDE.search(simple) \
        and not re.search(r"怪|凭|自己不|不会|不看|早干|[！!]", simple)


#: Asking whether there is anything else (还有别的事没？ 要是没别的…), at most closing with a goodbye, a
#: hang-up or the queue waiting (没有就挂了，再见; 后面还有人排着呢): the clerk closing the matter, curtly.
_ANYTHING_ELSE = re.compile(r"^(?:嗯|好|行|好的|那|对|对的|是|是的)?[，,。.…\s]*(?:还有(?:别的|其他|啥|什么)?(?:事|问题|要办的)(?:情|儿)?"
                            r"(?:吗|没|没有|不|呢)?[？?]|(?:要是|如果)?没(?:有)?(?:别的|其他)(?:事|问题)?(?:的话)?[，,])")
_CLOSES = re.compile(r"^(?:(?:没有|没)(?:的话)?(?:就|我就)?(?:挂了|先这样|再见|下一位)|再见|后面还有人(?:排着|等着)?(?:呢)?)$")


def anything_else(text: str) -> bool:
    """True when a staff turn only asks whether there is anything else, at most closing after it.

    嗯。还有别的事没？ and 还有别的事吗？没有就挂了，再见。 close the matter: curt,
    perhaps, but no uncivil word (the classifier hears them as cold). Impatient
    or rude words in it (:data:`_NOT_TERSE`, :data:`RUDE`: 快点, 烦) keep it judged.
    """
    from analyzer.text.normalize import to_simplified

    simple = to_simplified(text).strip()
    asked = _ANYTHING_ELSE.match(simple)
    if asked is None or RUDE.search(simple) or re.search(r"快|急|烦|赶紧|走吧|别(?!的)", simple):
        return False
    rest = [c for c in re.split(r"[，,。.！!？?…\s]+", simple[asked.end():]) if c]
    return all(_CLOSES.match(c) for c in rest)


#: A reply that only says "go on" (嗯，讲。 是，您说。 在的，你说吧。 嗯嗯，然后呢？): an acknowledgement
#: and an invitation to continue, nothing else, and no exclamation.
GO_AHEAD = re.compile(
    r"^(?:(?:嗯+|是|是的|对|对的|在|在的|在呢|好|好的|哎|诶|欸|喂|行|可以|您好|你好|听得到|听得见|能听到|能听见)[，,、\s]*)*"
    r"(?:请?[您你]?(?:说|讲)(?:吧|啊|呀|一下|就行)?|请讲|(?:您|你)?(?:接着|继续)(?:说|讲)?|然后呢|后来呢|还有呢|"
    r"我听着(?:呢)?|听着呢|我在听|在听)(?:[，,、\s]*(?:啥|什么)事(?:儿|情)?)?[。.…～~？?]*$")


def go_ahead(text: str) -> bool:
    """True when ``text`` only acknowledges and asks the citizen to go on (:data:`GO_AHEAD`).

    On the phone above all, 嗯，讲。 or 是，您说。 is terse, not cold: it hands
    the caller the floor. Not an ``A6-UNCIVIL`` remark (:func:`drop_pickups`),
    and no heat in a quarrel.
    """
    from analyzer.text.normalize import to_simplified

    return GO_AHEAD.match(to_simplified(text).strip()) is not None


#: One clause telling which character is meant (子是孩子的子, 张是弓长张, 轩是车字旁的轩？).
_SPELLS = re.compile(r"^(?![你我他她您它这那谁])(\w)是(?![^，,。？?！!]*(?:什么|啥|怎|干嘛))[^，,。？?！!]{1,6}\1(?:吧|吗|对吧)?[？?。]?$")


def spells_out(text: str) -> bool:
    """True when every clause of ``text`` tells or checks which character a name is written with.

    子是孩子的子，轩是车字旁的轩？ checks how the citizen's name is written: the work, and
    whatever the classifier hears in 孩子 or the question, no remark.
    """
    from analyzer.text.normalize import to_simplified

    clauses = [c.strip() for c in re.split(r"[，,；;]", to_simplified(text).strip()) if c.strip()]
    return bool(clauses) and all(_SPELLS.match(c) for c in clauses)


def drop_pickups(findings: Sequence[Finding], utterances: Sequence[Utterance], channel: str
                 ) -> list[Finding]:
    """The findings less an ``A6-UNCIVIL`` one on words that only say hello or ask about the work.

    A bare 喂 on picking up a call lacks the hall and window the phone greeting
    owes (``A7``); it is no cold or unrelated talk. A terse work question
    (:func:`terse_question`: 开几张？) is curt, not uncivil, and so is a reply that
    only hands the citizen the floor (:func:`go_ahead`: 嗯，讲。) or spells a name out
    (:func:`spells_out`: 子是孩子的子？). A turn put to the citizen as 您 with a courtesy and no
    reproach (:func:`courteous`: 哎呀我这记性，忘了给您盖章，您稍等) and one that sends him to look
    it up online (:func:`sends_to_the_web`: whether that says where is Article 16's) are none either.
    """
    from analyzer.text.normalize import normalize

    drop = {(u.start, u.end) for u in utterances
            if u.speaker == "staff" and (terse_question(u.text) or go_ahead(u.text) or spells_out(u.text)
                                         or anything_else(u.text) or courteous(u.text)
                                         or sends_to_the_web(u.text))}
    # a turn of a private call: the call's one finding (:func:`remark_findings`) stands for it, unless
    # a forbidden phrase is said on the call (then that call gives none and its turns keep theirs)
    forbidden = [(f.start, f.end) for f in findings if f.kind == "forbidden"
                 and f.start is not None and f.end is not None]
    for call in private_calls(utterances):
        spans = [(utterances[j].start, utterances[j].end) for j in call]
        if not any(a < e and s < b for a, b in forbidden for s, e in spans):
            drop |= set(spans)
    first = next((u for u in utterances if u.speaker == "staff" and u.text.strip()), None)
    if channel == "phone" and first is not None and PICKUP.match(normalize(first.text)):
        drop.add((first.start, first.end))
    return [f for f in findings if not (f.rule == RULE and (f.start, f.end) in drop)]


#: Cue rules of situations another article judges: sent elsewhere (Article 16), deferred for the
#: time (Article 25), the rest of the materials put off (来了再说嘛: Article 18), and the pointer a
#: redirect gives (a destination named).
SITUATION_CUES = frozenset({"CUE-NOT-OURS-01", "CUE-DEFER-TIME-01", "CUE-DEFER-MAT-01"})
#: Rude words that keep a cold redirect Article 6's too (滚去别的窗口问，烦死了).
RUDE = re.compile(r"滚|烦死|烦不烦|真烦|闭嘴|有病|神经|找死|废话|活该|少来|爱去不去|爱办不办|讨厌|懒得")
#: The owed group a named destination fulfils (its hits mark a redirect that says where).
POINTER_GROUP = "A16-G-POINTER"


def drop_cold_situations(findings: Sequence[Finding], hits: Sequence[Hit]) -> list[Finding]:
    """The uncivil classifier's findings less a *cold* one on a redirect or a deferral.

    不归我们管，你去别的窗口问问 is curt, and the classifier hears it as a cold
    reply; but whether a redirect says where is Article 16's question and whether a
    deferral within the hours breaches is Article 25's. The same words are not also
    an Article 6 cold reply: a ``cold`` classifier finding on an utterance with a
    redirect, deferral or pointer hit (:data:`SITUATION_CUES`, :data:`POINTER_GROUP`)
    is dropped unless rude words are in it (:data:`RUDE`), and so is one that gives the rule or
    the system as why the clerk cannot help (:func:`rule_explained`). Scolding, inflaming words or
    unrelated chat there stay.
    """
    marked = {i for h in hits if h.rule.id in SITUATION_CUES or h.rule.group == POINTER_GROUP
              for i in h.utterances}
    return [f for f in findings
            if not (f.rule == RULE and f.detail.get("method") == "classifier"
                    and f.detail.get("subtype") == "cold"
                    and (f.detail.get("utterance") in marked or rule_explained(f.evidence))
                    and not RUDE.search(f.evidence))]


#: The rule or the system given as the reason (规定就是这样, 系统设定的, 号是系统叫的, 上面定的).
_THE_RULE = re.compile(r"规定|政策|系统|文件|上面|上级|上头|制度|流程")
#: The clerk owning she cannot change it (我也没办法, 没法子, 管不了, 做不了主).
_CANNOT_HELP = re.compile(r"没(?:办法|法子|辙|招)|没法(?:改|弄|办)?|管不了|做不了主|说了不算|改不了|"
                          r"(?:跟|找|冲)我(?:说|喊|闹)?(?:也)?没用")
#: The rule said to be what decides it (规定就是这样, 系统就这么设的, 政策是这么定的): the reason given.
_RULE_DECIDES = re.compile(r"(?:规定|政策|系统|文件|制度|流程)(?:上)?(?:就|也)?(?:是|就)?(?:这样|这么(?:定|设|规定|要求)的?)")


def rule_explained(text: str) -> bool:
    """True when a staff turn gives the rule or the system as why she cannot help (号是系统叫的，我也没办法),
    or says the rule decides it (规定就是这样，去取号吧).

    Curt, but it explains rather than scorns: the classifier hears such a turn
    as a *cold* reply, and it is no Article 6 finding by itself (:func:`drop_cold_situations`);
    rude words in it (:data:`RUDE`: 爱办不办) keep it judged, and whether the
    citizen was served is the duties' question.
    """
    from analyzer.text.normalize import to_simplified

    simple = to_simplified(text)
    return bool(_THE_RULE.search(simple) and _CANNOT_HELP.search(simple)) or bool(_RULE_DECIDES.search(simple))

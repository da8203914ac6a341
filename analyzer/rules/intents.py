"""The nine forbidden intents read from what the clerk's words *do*, not from their wording.

The act detector (:mod:`analyzer.rules.acts`) is a character n-gram model: it
hears the phrasings it was trained on and their near relatives, and the blind
paraphrase corpora showed it hears about six in ten of the forbidden intents said
in free wording (training it on part of them moved nothing: it learned the
lines, not the intent). This module reads the intent as an inspector does, from
its parts: **who** is addressed or spoken of, **what act** the clause performs
(brushing off as busy, hurrying to leave, sending away for the hour, pointing to
the sign instead of answering, disclaiming and pushing off, reproaching for asking
again, mocking memory, daring, waving a complaint through) and the **attitude**
markers around it, and, where the act is a reply, the citizen's turn before it
(a threat to complain answered with 去呗 dares; the same 去呗 after a question
does not).

Each intent is a few :class:`Construction` s: patterns that must all be in the
staff turn (and one that must be in the citizen's turn before, where given).
Each part is a *class* of words for one component (being occupied, leaving,
a written source, looking by oneself …), written from the code of conduct's
phrases and what the acts mean, checked on the training part of the blind
corpora (``benchmarks/data/paraphrases-1``, :func:`analyzer.training.classifiers.acts.corpus_split`)
and never on their held-out part. A construction does not fire where the clerk
helps (:data:`HELP`: an apology, an offer to do it for the citizen, a call
back, a concrete destination …) or where the intent's own near-miss words are
(:data:`BLOCKS`, beside the act detector's :data:`analyzer.rules.acts.ACT_BLOCKS`).

:func:`intent_acts` returns, per intent heard, the construction that heard it;
:func:`analyzer.rules.acts.act_hits` merges them with the act model's acts, and
each finding says which detector heard it (``detail.detector``: ``act model``,
``intent rules`` or both) with its confidence (:data:`INTENT_CONFIDENCE`, or the
model's when both heard it).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from analyzer.text.normalize import to_simplified

#: Confidence of a forbidden intent heard by its construction alone (a lexicon's exact hit is 0.98,
#: the act model's is its probability times 0.95).
INTENT_CONFIDENCE = 0.85
#: Citizen turns looked back over for the turn a reply answers (the last one wins).
BEFORE_TURNS = 2


@dataclass(frozen=True)
class Construction:
    """One way of performing an intent: every part in the staff turn, ``before`` in the citizen's.

    Attributes:
        name: Short name, said in the finding (``occupied+bother``).
        parts: Patterns that must all match the staff turn (simplified Chinese).
        before: Pattern the citizen's turn before must match (None: not needed).
    """

    name: str
    parts: tuple[re.Pattern[str], ...]
    before: re.Pattern[str] | None = None

    def matches(self, text: str, before: str) -> bool:
        """True when every part is in ``text`` and ``before`` (if needed) is in the citizen's turn."""
        if self.before is not None and not self.before.search(before):
            return False
        return all(p.search(text) for p in self.parts)


def _c(name: str, *parts: str, before: str | None = None) -> Construction:
    return Construction(name, tuple(re.compile(p) for p in parts),
                        re.compile(before) if before is not None else None)


# --- components (word classes), shared by several intents -------------------------------------
#: Within one clause (no punctuation).
_IN = r"[^，,。！!？?]"
#: The clerk occupied with other work (正在接待, 手上一堆, 没空, 又不是闲着).
OCCUPIED = (r"忙|正(?:在|忙|办|弄|做|接|处理|算|审|录|开会)|在(?:办|弄|做|接|处理|开会|算|审|录)|着呢|"
            r"没(?:空|时间|工夫|功夫)|有空的|没弄完|没做完|还没弄|做不完|忙不过来|一堆|一大堆|压着|闲着|"
            r"别人的|开会|手上|手头|活儿|这么多件|正" + _IN + r"{0,3}着|顾不过来|抽不开身|走不开|腾不出|分身|"
            r"这么多人|一屋子人|后面还有|手里|处理着|打着电话|接着电话|开着会|"
            r"赶材料|对账|打字|整材料|有活|没停过|审不过来|一天几百|所有的都急|一手|"
            # said in dialect or figure (手不得闲, 冇得空, 脚不沾地, 脚打后脑勺, 连轴转)
            r"不得闲|没得闲|冇闲|唔得闲|冇得?空|没得空|不得空|脚不沾地|脚打后脑勺|连轴转|团团转|"
            r"腾不出手|手不停|停不下来")
#: The citizen rebuked for not seeing it (你没看见, 看不出来, 眼睛, 像…的样子吗); the clerk's own
#: oversight (我没看到) is none.
SEE_REBUKE = (r"(?<!我)(?:没|没有)(?:看|瞅|瞧)(?:见|到|着|出来)?|(?<!我)没见|看不(?:出|见|到)|(?:不|没)(?:看|瞅)的吗|"
              r"眼睛|长眼|像" + _IN + r"{0,10}样子|眼瞎|睁眼|你瞧我|你看看我|"
              # in dialect (莫看到, 冇见, 冇睇到, 唔见): "can't you see"
              r"莫(?:看|瞅|瞧)|冇(?:见|睇|看)|唔(?:见|睇)")
#: The citizen told off or away (别烦我, 别吵, 出去等, 等着).
BOTHER = (r"别(?:来)?(?:烦|吵|打扰|催|添乱|喊|嚷|叫|插嘴|问|打岔|缠|围|过来)|烦不烦|烦死了|吵什么|喊什么|催什么|"
          r"出去等|一边(?:儿|等|去)|靠边|等着[吧。！!]?$|[。！!？?，,]等着[吧。！!]?|顾不上|自己想办法|别老打|"
          r"别找我|先别来|别站这|过会儿?再说|晚点(?:打|来|再)|一会儿?再(?:说|来|打)|没时间接|自己拿|没空理|"
          r"找别人去|"
          r"待会儿再说|([急催喊吵嚷敲问])什么\1|别敲|别出声|别在这站|凑热闹|你排着|排着去|你自己站着|别盯|一(?:句|眼|下)(?:都|也)(?:不行|没空)")
#: Forgetting or muddled wits (忘, 记不住, 糊涂, 丢三落四).
FORGET = (r"忘|记不住|记不得|不记得|记住|记着|记性|健忘|糊涂|迷糊|丢三落四|脑子|记不清|记不牢|拎不清|脑袋|"
          r"脑瓜|记忆力|记得住|"
          r"记错|记混|存不住|搞不清")
#: Mockery of the citizen over it (这都能忘, 服了你了, 能记住啥, 毛病得治, 你这记性).
MOCK = (r"你这(?:记性|脑子|脑袋|脑瓜|人|毛病)|你是(?:不是)?(?:健忘|忘|记不住|糊涂|老|有多)|你也真是|服了|佩服|"
        r"费劲|都能忘|这都(?:能|会)?(?:忘|记不住)|连" + _IN + r"{0,8}都(?:能|会)?(?:忘|记不住|记不得|不记得|记错|搞不清)|"
        r"能记住[啥什么]|记住点|有多(?:迷糊|糊涂|健忘)|毛病得治|治治|真差|太差|这么差|够呛|一转眼|转头就|忘一句|"
        r"忘这忘那|真行|真有你的|有病|痴呆|一个字都|装的啥|平时怎么|年纪轻轻|比我妈|还不拿笔|都(?:记不住|忘)了?[？?]|"
        r"鱼的记忆|金鱼|猪脑|榆木|不长记性|长点记性|长点心|真是的|没救|笨|傻|(?:咋|怎么)这么(?:笨|健忘|糊涂|迷糊|记不住)|"
        r"带没带脑子|带脑子|第一次出门|还记得你叫|糊涂到家|筛子|存不住|你个脑|都能(?:忘|记错|记混|搞错)|"
        # his age blamed and telling him judged useless (您这岁数记性不行了，说了也白说)
        r"(?:[你您]这|这个|这)(?:岁数|年纪|把年纪)|说了也白说|白说")
#: Having said it before (说过, 刚告诉你, 讲得很明白).
SAID = (r"说过|讲过|说了|讲了|告诉过|告诉你|解释过|讲得" + _IN + r"{0,4}(?:明白|清楚)|说得" + _IN +
        r"{0,4}(?:明白|清楚)|跟你说|说的话|说的你|说了[一两三几]遍|讲了?[两三几]遍|不是说了|交代过|交待过|提过|"
        r"说明过|强调过|说一百遍|讲了半天|说了半天|我刚说|刚说完|刚讲完|写给你了|"
        r"念了|说得够多|一开始就说|前面讲得|说了不要|我说过")
#: Reproach for asking again or not listening (还问, 耳旁风, 听什么了, 我是不是说过…？); the clerk's own
#: not following (我也没听明白您要办啥) reproaches nobody for asking.
ASKED_AGAIN = (r"(?<!我)(?<!我也)(?<!我都)(?<!我还)没听|(?<!我)不听|耳旁风|耳边风|还问|又问|又来问|转头就问|听什么|没记着|没记住|不放在心上|好再说|"
               r"(?:过|说)了[！!]|我是不是" + _IN + r"{0,6}(?:说|讲|告诉)|怎么还(?:问|不明白|不懂|记不住)|一句没|"
               r"[说讲]了几遍|几遍了|多少遍|"
               r"已经" + _IN + r"{0,6}(?:明白|清楚)了|不想再说|第二遍|老问|同一个问题|听见了还|让我重复|复读机|"
               r"别再问|听清楚了?再问|还要我怎|记下来不行吗|还来问|翻来覆去|一遍一遍|问了又问|听不懂吗|长耳朵|左耳|"
               r"走神|心思在哪|"
               r"来来回回|听不明白吗|你数数|问一百遍|老是同一个|自己回忆|问的还是|嘴皮子|没拿笔记|不肯听|把话听进去|长点心")
#: Disclaiming knowledge (不知道, 说不上, 谁知道); not being the office for it is Article 16's redirect.
DISCLAIM = (r"不知道|不清楚|不晓得|知不道|不懂|不了解|说不上|说不好|不明白|没听说|看不着|哪知道|哪晓得|没数|谁知道|"
            r"搞不懂|搞不清|弄不清|闹不清|整不明白|说不准|答不上|"
            r"记不得|不是百事通|没人弄得清|没人清楚|说不清|没弄过|头回听|我不会(?!给)")
#: Sending the citizen to ask elsewhere (去问…, 问问别人吧, 别处打听, 找别的单位).
PUSH_ASK = (r"(?:去|上|到|找|打" + _IN + r"{0,6})" + _IN + r"{0,8}(?:问|打听|咨询)|"
            r"(?:问|打听|咨询)(?:一下|问|一问)?" + _IN + r"{0,6}(?:去|吧)|[你您](?:去|再)?问(?![的题我过])" + _IN +
            r"{1,8}(?:[。！!]|$)|别处|别的单位|找别人|问别人|就问谁|问问看|问那边|问前台|问旁边|回去问|另找|找找看|"
            r"问" + _IN + r"{0,8}去|找(?:个|找)?(?:人|别人|其他人|年轻人)|问下其他人|问你们单位|往里头走")
#: A written source (牌子, 屏幕, 须知, 墙上); the web is Article 16's (网上查一下 names no destination).
SOURCE = (r"牌|屏|标识|标志|公示|告示|须知|说明|清单|告知单|指南|墙|箭头|分布图|展板|贴着|写着|写了|写得|上面|流程图|"
          r"一览表|宣传册|告知书|册子|门口|门上|柱子|宣传栏|公告栏|手册|单页|资料上|背面|样表|样本|范本|模板|通知里|"
          r"公众号|公示栏|架子上|地图|标注|第[一二三四五六七八九十0-9]+条|最后一行|手里那张")
#: Sent to look for himself instead of an answer (自己看, 抬头看, 看完再来问, 别问了).
LOOK_SELF = (r"自(?:己|个儿?|各儿?)" + _IN + r"{0,4}(?:看|查|找|瞅|瞧|搜|对|翻)|看不就知道|(?:你|去|上|抬头|回去|背面|往上)看[看吧啊去]?"
             r"(?:[。！!]|$)|看完" + _IN + r"{0,6}再|别" + _IN + r"{0,4}问|不看|没看|看不见|能搜到|看(?:那块|那个)?牌子|"
             r"顺着走|(?:^|[，,。！!])看[。！!]|不会看吗|认字|识字|看清楚再问|看了再问|看完再说|"
             r"瞅瞅|瞧瞧去|看去[吧。！!]|"
             r"(?:去|回去|过去)(?:那儿|那边)?(?:看|查|读|翻)|(?:看|读|翻)" + _IN + r"{0,4}就(?:明白|懂|知道)|还用问|翻过来|低头看|好好读|盯着看|跟着箭头|都有标注")
#: Hurrying the citizen (快点, 长话短说, 麻利些).
RUSH = (r"快点|快些|快一点|搞快|快快|麻利|利索|利落|长话短说|赶紧|抓紧|快着|磨蹭|磨叽|墨迹|磨洋工|慢吞吞|别磨|别拖|"
        r"拖拖拉拉|动作快|手脚快|跑着去|你这速度|填了半小时|你这么慢|这么慢|太慢|慢死|快写|快说|赶快|麻溜|快签|快按|"
        r"别让我等|加快|速度点|"
        r"快[，,。！!]\s*快|赶紧扫|分钟内|一把塞|来不及了|数到十|快啲")
#: The clerk's wish to leave (下班, 别想走, 可不等你, 没功夫陪你).
LEAVE = (r"下班|要走|别想走|走不了|不等|等不了|等不起|没功夫|没工夫|没时间陪|没空陪|陪你|耗着|到点|回家|锁门|交班|"
         r"要撤|收拾好|收拾东西|关门|关电脑|赶时间|赶车|接孩子|别让我等|时间不多|要回去|我还有事|走人|不耐烦|"
         r"等着下班|电脑要关|收工(?!本|费)|我来不及|我可就走|我就走了|早走|不陪你")
#: Closed for the hour: closing time, a meal or a break (下班, 收摊, 关窗口, 饭点, 签退). Not taking
#: the matter today for another reason (今天不收了, 系统关了, 经办人下乡了) is a deferral, Article 25's only.
CLOSED = (r"下班|收摊|收了收了|关(?:窗口|门|了|机)|结束了|结账|锁(?:起来|上)|收拾完|吃饭时间|饭点|午休|中午休息|"
          r"休息了|几点了|签退|歇了|收工(?!本|费)|走光|过点|过了时间|打烊|该走了|到点|交接|交班|等我吃完|吃饭去了|"
          r"(?:下午|中午|晚上|这会儿?)(?:就)?不(?:收|办|接)|"
          # the hour itself given (都快十二点了, 已经五点半了) or the day called off (今天就到这儿了)
          r"(?:都|快|已经)" + _IN + r"{0,2}[0-9一二三四五六七八九十两]+点(?:半)?了|今天就到这(?:儿|里)?(?:了|吧)|到此为止")
#: Refusing the matter now (不办, 别排了, 审不了), beside a closing for the hour.
REFUSE = r"不办|不收|不发|不接|别排了|都别排|审不了|办不了"
#: Come back later (明天再来, 下午再打, 明天请早, 回吧).
LATER = (r"明天|明儿|明早|改天|改日|以后再|再来|再打|再过来|请早|赶早|回吧|回去吧|走吧|下周|下礼拜|过两天|后天|"
         r"周一|礼拜一|等上班|回头再来|赶明儿|(?:下午|[0-9一二两三四五六七八九十]+点)" + _IN + r"{0,4}(?:再|来|打|过来)")
#: A citizen threatening to complain or report (the turn before the reply).
THREAT = (r"投诉|举报|(?:要|去|给你|向" + _IN + r"{0,6})反映|告[你您他们]|去告|告状|差评|不满意|"
          r"找" + _IN + r"{0,4}(?:领导|主任|上级|经理|局长)|纪委|纪检|监察|曝光|拍" + _IN + r"{0,4}(?:视频|下来)|"
          r"发" + _IN + r"{0,2}网上|12345|上访|媒体|记者|电视台|市长|写信|"
          r"头儿|叫" + _IN + r"{0,4}(?:领导|主任)|领导来|主任来|录下来|录音|评理|局长")
#: A complaint channel named by the clerk herself.
#: 告 of a complaint, not of 报告, 公告, 告诉, 告知 (检查报告 names a paper).
_GAO = r"(?<![报广公预忠布宣通转警])告(?![诉知示])"
CHANNEL = r"投诉|举报|反映|" + _GAO + r"|差评|意见|12345|热线|纪委"
#: A complaint channel proper (a dare naming one is the complaint phrase, not plain defiance).
CHANNEL_PROPER = r"投诉|举报|反映|" + _GAO + r"|差评|12345|热线|纪委"
#: "If you are unhappy, then complain" (不服你就打热线, 嫌不好你投诉嘛): the dare in one breath.
UNHAPPY = r"(?:不服|不满意?|不高兴|不乐意|嫌" + _IN + r"{0,4}|觉得我?" + _IN + r"{0,3}不对|有意见)" + _IN + r"{0,6}"
#: A complaint channel proper, as the verb or the means (投诉, 12345, 热线, 投诉箱).
CHANNEL_STRICT = r"(?:投诉|举报|告|12345|热线|打电话)"
#: Waving a complaint through (随你, 去呗, 爱评不评, 我不在乎, 手机在你手上).
GO_AHEAD = (r"随[你您便]|爱" + _IN + r"{0,3}不" + _IN + r"|爱([找告投写打评去])\1?" + _IN + r"?\1|去[吧呗呀啊]|"
            r"[投告打评找写拍发][吧呗啊呀]|[投告打评找写]去[吧呗呀啊]?|反映吧|(?:不|没)在乎|无所谓|不怕|怕你|怕过谁|"
            r"吓唬|不是头一|我等着(?:[。！!]|$|你|呢)|就" + _IN + r"{0,2}就|白搭|手机在你|门朝哪开|尽管(?:去|告|投诉|找)|别(?:打|找|冲|来|跟)" + _IN +
            r"{0,3}我|(?:投诉|告|举报|反映|去)好了[。！!]?$|就快去|不差你|的人多了|熟得很|自己找地方|别问我|别在这儿|嫌" + _IN + r"{0,4}就|"
            r"有本事|悉听尊便|请随意|白费劲|告不倒|告不动|(?:投诉|告|反映|举报)了?也没用|又能怎样|"
            r"不拦着|我等你|在这儿等你|理不理你|找了也白找|算你本事|来也一样|(?:找|告)" + _IN + r"{0,3}都一样|一样给你|接不接|按吧|[叫发录反映评按找]呗|[叫发录按]去|来呗")
#: Defiance of the citizen, no complaint channel needed (我就这样, 你能拿我怎么样, 开得了我吗).
DEFY = (r"能(?:拿|把)?我怎么[样着]|能把我|拿我" + _IN + r"{0,3}(?:怎么|咋|没办法)|[能还又]能?(?:咋|怎么)[样着的]|"
        r"还想(?:咋|怎么)[样着]|又怎么[样着了]|开得了我|开除我|开不了我|我(?:就|也|还|一直)(?:是)?这(?:个)?"
        r"(?:样|态度|德性|脾气)|这(?:个)?德性|我还是这样|我怕过谁|我怕什么|我(?:又|才|可)?不怕|软硬不吃|工资照拿|"
        # 有本事 dares the citizen against the clerk (有本事你告我, 有本事找人去), not at his own matter
        # (有本事你去把证改成二级: a taunt in a quarrel, Article 17's)
        r"只能忍|有招儿?使|有本事(?=" + _IN + r"{0,8}(?:我|告|投诉|举报|找|开除|处分|领导|上面))|看不惯也|还要你教|管得着吗|爱咋咋|奈我何|奈何不了|顺着电话线|怎么着吧|咋的[？?]?$|"
        r"[能想]咋的|"
        # the clerk's manner owned as unchangeable, objection waved off (我说话就这样，你有意见也没用)
        r"我(?:说话|讲话|做事|办事|干活)(?:就|一直|向来|从来)(?:是)?这(?:样|么)(?:[了的吧]|[，,。！!？?]|$)|"
        r"有意见(?:也)?(?:没用|白搭)|"
        r"就这态度|态度就这样|(?:我|脾气)(?:也)?就这样(?:[了的吧]|[，,。！!？?]|$)|不爱听|不在乎|管天管地|你算老几|哪根葱|就这么说话|"
        r"就是这个脾气|没人管得了|铁饭碗|"
        r"我乐意|一向这样|谁来都一样|受不了别来|憋着|我这儿就这样|对你就这样|有意见保留|你?咬我|不靠你吃饭|怕你不成|随你录|录了我还|我还是这么|先管好你自己|就" + _IN + r"{0,6}了[，,]?(?:怎样|怎么样|咋样|咋了)[？?]")
#: The citizen's turn is a question (the reply is owed an answer).
QUESTION = r"[？?]|吗|哪|几|啥|什么|怎么|多少|是不是|能不能|要不要"

#: Intent -> its constructions (see the module docstring).
INTENTS: dict[str, tuple[Construction, ...]] = {
    "f_busy": (_c("rebuke+occupied", SEE_REBUKE, OCCUPIED), _c("bother+occupied", BOTHER, OCCUPIED),
               _c("rebuke+bother", SEE_REBUKE, BOTHER),
               # "where would I find the time for you" (哪有空跟你一样一样说): no time, the citizen's
               # asking the trouble (session 13, train-halls-31)
               _c("no-time-for-you", r"哪(?:有|来的?)(?:空|时间|工夫|功夫|闲工夫|闲心|那么多时间)", r"[你]")),
    "f_memory": (_c("forget+mock", FORGET, MOCK),),
    "f_said_already": (_c("said+asked-again", SAID, ASKED_AGAIN),
                       _c("counted-repeats", r"你", r"(?:问|打)了?[两三四五六七八九十几]+(?:回|遍|次)|同一个问题|一模一样的问题|来来回回问"),
                       _c("earlier+not-listening", r"刚才|刚刚|一开头|早就|之前", r"[你您][^，,。！!？?]{0,6}(?:没听|不听)|原来没听")),
    "f_dont_know": (_c("disclaim+push", DISCLAIM, PUSH_ASK),),
    "f_read_sign": (_c("source+look-self", SOURCE, LOOK_SELF),
                    _c("look-self-for-answer", r"(?:^|[，,。！!])[你]?自己(?:看|查|找|瞅|瞧)[吧去呗]?[。！!]?$", before=QUESTION)),
    "f_hurry": (_c("rush+leave", RUSH, LEAVE),),
    "f_off_work": (_c("closed+later", CLOSED, LATER), _c("closed+refuse", CLOSED, REFUSE)),
    "f_complain": (_c("threat+go-ahead", GO_AHEAD, before=THREAT), _c("channel+go-ahead", CHANNEL, GO_AHEAD),
                   _c("if-unhappy+channel", UNHAPPY + CHANNEL_STRICT)),
    "f_defiant": (_c("defiance", DEFY),),
}

#: The clerk helps: an apology, an offer to do it for the citizen, a call back, a remedy. A turn
#: that says one performs no forbidden intent, whichever detector heard it (:func:`helps`).
HELP = re.compile(r"对不起|对不住|抱歉|不好意思|(?<!不)帮[您你](?!们)|"
                  # (not told already: 我都给您讲了两遍了 reproaches; session 13, train-halls-32)
                  r"(?<!不)(?:给|替)您(?:办|写|查|问|找|留|登记|看|弄|拿|打|说|讲|解释|印|复印|联系|安排|预约|排)"
                  r"(?![了过]|[^，,。！!？?]{0,3}(?:[两三四五六七八九十几]+|好几)(?:遍|回|次))|"
                  r"我(?:来|先|去)?(?:帮|替|陪|带|领)[您你]|我(?:去|来|先)(?:问问|查查|打听)|"
                  r"我(?:这就|马上|现在|先)[^，,。！!？?]{0,16}(?:问|查|打听|联系)|回(?:个)?电话|答复|回访|"
                  r"登记|我[^，,。！!？?]{0,3}(?:记下来|写下来)|拍(?:个)?照(?!片)|教[您你]|优先|我第一个|不用(?:明天|再)|"
                  r"别担心|没关系|不要紧|担待|见谅|再给您|给您(?:一份|一张|拿)|随时")
#: Courtesy and reassurance: the constructions do not fire on a turn that says one (the act model's
#: own courtesy gate, :data:`analyzer.rules.acts.COURTESY`, read within a clause: 您自己看一下).
COURTESY = re.compile(r"您" + _IN + r"{0,8}一下|劳驾|辛苦|我给您指|实在|谢谢|也可以|您放心|[您你]?别(?:着)?急|不用急|"
                      r"(?<![申邀聘宴])请(?!早|便|假|示|客)|稍等|马上就好|回复|您" + _IN + r"{0,2}可以|可以(?:帮|给)|欢迎|理解|您慢|慢慢来|"
                      r"尽快|规定|政策|文件")
#: Intent -> words of its near-misses beside :data:`HELP` (the answer given beside the sign …).
BLOCKS: dict[str, re.Pattern[str]] = {
    # the answer given beside the sign: a window, a floor, said to the citizen, the sign shown here
    # and the clerk looking it up herself (我看一下办事指南); the web is no sign (网上都有，您再找找 sends
    # the citizen elsewhere without saying where: Article 16's)
    "f_read_sign": re.compile(r"[0-9一二三四五六七八九十]+(?:号|楼|层)|跟[您你]说|您看得|在这儿|这里写着|"
                              r"我(?:来|先|给[您你])?(?:看|查|找|翻)(?:一下|看|一看)|网上|官网|网站|上网|公众号|小程序|"
                              # the paper the citizen was handed says it (结论书上都写着，您对着看就行): his own
                              # document, no sign on the wall (session 13, train-halls-20)
                              r"(?:结论书|决定书|回执|受理单|[你您](?:的|那|手里)[^，,。！!？?]{0,4})上(?:面)?(?:都)?(?:写着|写了|有)"),
    # hurrying the citizen is no sending away (快说，我要下班了 serves him, hastily) unless another day is named
    "f_off_work": re.compile(rf"^(?!.*(?:明天|明儿|明早|改天|请早|赶早)).*(?:{RUSH})|"
                             # another day for a reason of the matter (林业站的人下乡去了, 系统停机, 要本人来): no closing
                             r"下乡|出差|不在单位|不在岗|没带|本人来|停机|维护|还差|缺[^点]|"
                             # not open yet (还没到点呢): no closing
                             r"没到点|还没(?:上班|开)|"
                             # the hours stated (下班前来, 工作日, 上班时间): information, no sending away
                             r"下班前|下班之前|上班时间|工作时间|工作日|"
                             # a paper lacking given as why not today (没有户口本今天办不了，明天拿来吧): the
                             # matter's reason, not the clock, when no closing is said (下班了 … still is);
                             # no time, no one free, no number left (没有时间了) is the clock's
                             rf"^(?!.*(?:{CLOSED})).*(?:没有(?!时间|空|工夫|功夫|人|号)[^，,。！!？?]{{1,8}}"
                             r"(?:办不了|不能办|不好办|不行))"),
    # a complaint others made, told as news (上次有群众投诉排队长，现在加了窗口): nobody dared
    "f_complain": re.compile(r"(?:群众|有人|市民|老百姓|大家|很多人)[^，,。！!？?]{0,2}(?:投诉|反映|举报)|告诉(?:我|您)|"
                             # the complaint taken in hand: its form given, passed on, answered (投诉表在这儿，
                             # 填好交给我) — unless a dare is in the same breath (嫌慢你告去啊); a box or book
                             # pointed to is where dares send the citizen (投诉箱在楼梯口，你爱上哪告上哪告)
                             rf"^(?!.*(?:{GO_AHEAD}|{UNHAPPY})).*(?:"
                             r"(?:投诉|意见)(?:表|单)(?:在|给)|交给我|我们?(?:会|来)(?:转|处理|回复|反馈)|"
                             # the channel told where it is written (投诉建议电话印在这张卡上) and the right
                             # to complain told (没有合同也能投诉) (session 13, train-halls-31, -32)
                             # (a box pointed to is where dares send him: 投诉箱在楼梯口，你爱上哪告上哪告)
                             r"(?:投诉|意见|建议)[^，,。！!？?]{0,3}(?:电话|热线|卡|渠道)[^，,。！!？?]{0,2}"
                             r"(?:印|写|贴)|(?:也|都)(?:能|可以)(?:投诉|反映|举报)|"
                             r"(?:投诉|意见|反映)[^，,。！!？?]{0,4}(?:我们|我)?(?:受理|记下|记录|收下))"),
    # the citizen's own not knowing (你要是不清楚，问问你们单位) is none of the clerk's
    # (有不清楚的随时打电话问, 不懂就回去问问家里人: the citizen's, in a condition)
    "f_dont_know": re.compile(r"[你您](?:要是|如果|若|还)?" + _IN + r"{0,2}不(?:知道|清楚|懂|明白|了解)|"
                              r"不(?:知道|清楚|懂|明白)的话|有不(?:知道|清楚|懂|明白)的|不(?:知道|清楚|懂|明白)就|"
                              # not knowing *yet*, and asking what she needs to look it up (我现在还不知道，您方便
                              # 把身份证号报一下): the clerk finds out herself
                              r"(?:还|暂时)不(?:知道|清楚)[^。！!？?]{0,12}[您你](?:方便|能)?(?:把|告诉|报|说一下|给我)|"
                              # not knowing *whether* (我不知道您今天带没带公章, 不知道他们那边有没有人) and
                              # sending nobody to ask: a fact not known, no 你去问XX
                              r"^(?!.*(?:" + PUSH_ASK + r")).*(?:不(?:知道|清楚)[^，,。！!？?]{0,12}"
                              r"(?:(?P<w>[^，,。！!？?])没(?P=w)|有没有|是不是|在不在)|"
                              r"(?:(?P<v>[^，,。！!？?])没(?P=v)|有没有|是不是|在不在)[^，,。！!？?]{0,8}不(?:知道|清楚))|"
                              # a thing not legible (章不清楚, 照片看不清, 字印得不清楚): no not-knowing at all
                              r"(?:章|印|字|照片|相片|图片|复印件|扫描件|字迹|画面|屏幕|声音|信号)[^，,。！!？?我你您]{0,3}"
                              r"不清(?:楚|晰)?|看不清|模糊|"
                              # knowing said of another (他们人事上应该知道, 那边肯定清楚): the clerk points to who
                              # knows, and disclaims nothing herself
                              r"^(?!.*(?:" + DISCLAIM + r")).*(?:应该|肯定|最)(?:知道|清楚|了解)"),
    # busy but serving: done with this one, then yours (忙完手上这个就叫您), go ahead and ask
    "f_busy": re.compile(r"您" + _IN + r"{0,6}等|(?:忙|弄|办|复印)完" + _IN + r"{0,8}(?:就|马上|再|正好)|忙完了|马上(?:办|给|叫)|您(?:说|问)|问吧|没顾上|"
                         # not busy (我不忙，你说; not 你以为我不忙), helping (帮不上忙), busy yet serving (忙是忙，
                         # 但…; 再忙也), the citizen invited to speak (慢慢说, 你再说一遍) or offered a way (网上预约)
                         r"(?:^|[，,。！!？?\s])(?:我|俺)?(?:现在|这会儿?)?(?:不忙|没在忙|没忙)|帮(?:不上|得上|个|一下|点|你|您)?忙|"
                         r"忙是忙|虽然" + _IN + r"{0,4}忙|再忙|慢慢说|你说吧|[你您]再(?:说|讲)(?:一遍|一下)|预约|"
                         # the workload of a season told as small talk (最近挺忙的, 月底了这几天忙, 天天忙得很),
                         # no rebuke of the citizen now (没看我正忙着, 别催, 烦)
                         r"^(?!.*(?:没看|没见|看不见|看不到|催|急什么|急啥|别烦|打扰|烦|[你您]没|别(?:问|吵|跟))).*"
                         r"(?:最近|近来|这阵子?|这段(?:时间|日子)|这[几两些]天|这个?月|这(?:个)?礼拜|这周|月底|月初|年底|"
                         r"年初|季末|旺季|天天|每天|一直|平时|一到)[^，,。！!？?]{0,5}忙"),
    # said only had the citizen asked (你要问了我就说了): nothing was said already, whatever else it is
    "f_said_already": re.compile(r"(?:要|要是|如果|若|当时)[^，,。！!？?]{0,3}问(?:了|过)?[^，,。！!？?]{0,4}(?:就|会|肯定)(?:说|讲|告诉)"),
    # the clerk sharing the failing (我们刚来的时候也记不住): no mockery
    "f_memory": re.compile(r"我们?[^，,。！!？?]{0,8}也(?:记不住|记不清|忘|会忘)|别说[您你]|不糊涂|好多人|很多人|大家都|"
                           r"记性比我|比我还好|没事|正常|"
                           # reassuring the citizen about his memory (您脑子好着呢, 记性好使着呢)
                           r"好着呢|好使着|灵着呢|灵光着"),
}
#: Intents that a concrete destination named in the turn rules out (the complaint channel told, the
#: office to ask named: a redirect that says where, Article 16's convention).
DESTINATION_BLOCKED: tuple[str, ...] = ("f_dont_know", "f_read_sign")


def intent_acts(text: str, before: str = "",
                blocked: Callable[[str, str], bool] | None = None) -> dict[str, str]:
    """The forbidden intents ``text`` performs by construction: intent -> construction name.

    Args:
        text: One staff turn.
        before: The citizen's turn it answers (``""``: none).
        blocked: ``blocked(act, text)`` is True where the act detector's own blocks void ``act``
            in ``text`` (:func:`analyzer.rules.acts.act_blocked`, passed in by the act detector so
            this module needs nothing of it); None: no such blocks.

    Returns:
        The intents heard (at most one of ``f_complain`` and ``f_defiant``: a dare
        that names a complaint channel is the complaint one, as the corpus's
        labels and the code's two phrases divide them).
    """
    from analyzer.rules.destinations import names_destination

    simple, prev = to_simplified(text), to_simplified(before)
    out: dict[str, str] = {}
    if COURTESY.search(simple):
        return {}
    for act, constructions in INTENTS.items():
        if helps(act, text):
            continue
        if act in DESTINATION_BLOCKED and names_destination(text):
            continue
        if blocked is not None and blocked(act, text):
            continue
        how = next((c.name for c in constructions if c.matches(simple, prev)), None)
        if how is not None:
            out[act] = how
    if "f_complain" in out and "f_defiant" in out:
        del out["f_defiant" if re.search(CHANNEL_PROPER, simple) else "f_complain"]
    return out


def helps(act: str, text: str) -> bool:
    """True when the clerk helps in ``text`` (:data:`HELP`) or says ``act``'s near-miss words (:data:`BLOCKS`).

    Such a turn performs no forbidden intent, whichever detector heard one: the act
    model's forbidden hits are dropped there too (:func:`analyzer.rules.acts.act_hits`).
    Help after mocking the citizen's memory (您这岁数记性不行了，说了也白说，我给您写纸上吧)
    does not take the mockery back: for :data:`HELP_KEEPS` said with their mocking words, only the
    near-miss words count (您记不住我给您写下来 mocks nobody and helps).
    """
    simple = to_simplified(text)
    block = BLOCKS.get(act)
    kept = HELP_KEEPS.get(act)
    helped = HELP.search(simple) is not None and not (kept is not None and re.search(kept, simple))
    return helped or (block is not None and block.search(simple) is not None)


#: Intent -> its mocking words, said with which help in the same turn does not undo it (a mockery stays said).
HELP_KEEPS: dict[str, str] = {"f_memory": MOCK}

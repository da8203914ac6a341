"""What the staff's words *do*: learned act hits beside the lexicon's (pipeline stage ``match``).

The lexicon finds the seed's wording and its spoken variants; a clerk who
says 麻烦您给我的服务打个分 asks for an evaluation all the same, and one who says
催什么，没见我忙着呢 brushes the citizen off all the same. The act detector
(:func:`analyzer.rules.learned.act_probabilities`, a multi-label model trained
on hand-written phrasings far more varied than the lexicon,
:mod:`analyzer.training.classifiers.acts`) reads each staff utterance and says
which acts it performs; :func:`act_hits` turns those at or above their
thresholds into :class:`~analyzer.text.match.Hit` objects of the lexicon rule
they stand for, so every rule downstream reads them like lexicon hits:

* a **forbidden intent** (:data:`PARAPHRASE_RULES`) is a hit of that forbidden
  rule, ``method="paraphrase"``: a ``forbidden`` finding that says so, with
  the model's confidence (below an exact hit's);
* an **owed act** (:data:`OWED_ACTS`: greeting, the phone greeting that names
  the hall, evaluation request, goodbye, apology, materials list, thanks for
  praise or a suggestion, calming — or an apology, for an upset citizen) is a
  hit of its owed group, ``method="act"``
  (telling the materials, naming at least :data:`LIST_MATERIALS` of them, is
  the materials list told at once; so many named with a word of bringing,
  :data:`NEED_WORDS`, tell the materials whatever the model says):
  the phrase was said, in other words; the missing-phrase finding still cites
  the seed's wording when neither the lexicon nor the detector heard it;
* a **situation** (:data:`CUE_ACTS`: turning the citizen away for missing
  materials, listing materials, adding one later, putting off the rest,
  redirecting, deferring for the time, making the citizen queue again) is a
  hit of a cue rule, so it becomes a :class:`~analyzer.types.Cue` for the
  context rules and the duties.

An utterance is read whole and, when it has several clauses, clause by clause
(:func:`segments`; a clause shorter than :data:`MIN_SEGMENT` characters joins
its neighbour): a long answer that opens
with 您好 still greets, and one forbidden clause inside a polite turn is still
heard. An act's probability is its highest over the segments. A closing time or another
day named in one clause is no sending away when the utterance says, anywhere,
that the business is done today, nor is not knowing when the clerk goes to ask
herself, nor naming complaint where its channel (a number, a book, a box, a desk) is
told (:data:`UTTERANCE_BLOCKS`) — unless a dare frames it (嫌慢你就去告, 有本事,
爱告哪告哪: :data:`BLOCK_OVERRIDES`). Not knowing said in one turn and "go and ask
X" in a later one is 我不知道，你去问XX all the same (:func:`carried_hits`); not
knowing followed by the clerk asking someone herself (我问问主任, in the same or the
next turn) is finding out, no brush-off.

An act also needs its *concept* in the words (:data:`ACT_GATES`, compared by
pinyin so a recognizer's homophones pass; a one-character word by itself): brushing off as busy speaks of
being busy (忙, 正办着 …), daring to complain names complaining (投诉, 告 …),
mocking memory names memory (记性, 忘 …), a greeting has a salutation, a
goodbye a farewell word, turning away for materials something missing. The
gates are read from the seed's phrases and what the acts mean, not fitted to
any data; they keep a model that generalizes from holding a short 好了 or 您看
for a paraphrase, or 说吧，办什么 for a greeting.
Where the lexicon already hit a rule on an utterance, the detector adds no
second hit of it there, nor one of a forbidden rule whose phrase the acoustic
verifier tried in that utterance's audio and rejected (an owed act still counts
when the verifier rejected the seed's wording of it).

Beside the model, the nine forbidden intents are read from their parts
(:mod:`analyzer.rules.intents`: who is addressed, what the clause does, the attitude,
the citizen's turn before a reply); an intent either detector hears is a hit, and
``Hit.detector`` (the finding's ``detail.detector``) says which: ``act detector``,
``intent rules`` or both. Where the clerk helps in the same turn
(:func:`analyzer.rules.intents.helps`: an apology, doing it for the citizen, a call
back) the model's forbidden hits are dropped too.

A citizen saying an earlier visit left them uninformed (上回也没跟我说还要这个,
:data:`EARLIER_VISIT`) is a hit of the earlier-visit cue (``method="pattern"``).

Beside the learned acts, a staff utterance that names a concrete destination
(a window, a floor, an office by name, a telephone number, an address;
:func:`analyzer.rules.destinations.names_destination`) is a hit of the Article
16 pointer group (``method="destination"``): a redirect that says where is
compliant in any wording. A hall that disables a rule disables its learned hits
too. Each act's threshold was chosen by cross-validation on the training
phrasings (``models/classifiers/metadata.json``, ``acts.thresholds``).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

from analyzer.options import AnalyzerOptions
from analyzer.types import Interaction, Utterance

if TYPE_CHECKING:
    from analyzer.text.lexicon import Lexicon, Rule
    from analyzer.text.match import Hit

#: Forbidden intent -> the forbidden rule it paraphrases.
PARAPHRASE_RULES: dict[str, str] = {
    "f_dont_know": "A8-F-01", "f_read_sign": "A8-F-02", "f_off_work": "A9-F-01",
    "f_hurry": "A9-F-02", "f_busy": "A9-F-03", "f_defiant": "A9-F-04",
    "f_complain": "A9-F-05", "f_said_already": "A10-F-01", "f_memory": "A10-F-02",
}
#: Owed group -> the acts that fulfil it (an upset citizen is calmed, or apologised to).
OWED_ACTS: dict[str, tuple[str, ...]] = {
    "A8-G-GREETING": ("greeting",), "A7-G-GREETING": ("phone_intro",),
    "A10-G-EVALUATE": ("evaluate",), "A10-G-GOODBYE": ("goodbye",),
    "A10-G-APOLOGY": ("apology",), "A10-G-MATERIAL-LIST": ("material_list",),
    "A10-G-PRAISE": ("thank_praise",), "A10-G-SUGGESTION": ("thank_suggestion",),
    "A10-G-UPSET": ("calm", "apology"),
}
#: Situation act -> the cue rule it stands for.
CUE_ACTS: dict[str, str] = {
    "turn_away_materials": "CUE-MATERIAL-01", "materials": "CUE-MAT-LIST-01",
    "materials_more": "CUE-MAT-ADD-01", "defer_materials": "CUE-DEFER-MAT-01",
    "redirect": "CUE-NOT-OURS-01", "defer_time": "CUE-DEFER-TIME-01",
    "requeue": "CUE-REQUEUE-01",
    "ans_material": "CUE-MAT-LIST-01",  # answering which materials to bring tells them (Article 18)
}
#: Materials an enumeration must name to stand for the materials list (Article 10).
LIST_MATERIALS = 2
#: Words that ask the citizen to bring or hand in something (要带, 需要, 得有 …): with
#: :data:`LIST_MATERIALS` materials named, the sentence tells the materials whatever the
#: model says (要带户口本和出生医学证明).
NEED_WORDS = re.compile(r"要带|需要|得有|得带|要有|准备|带上|带齐|带好|提供|要交|得交|还要|还得")
#: Acts that tell materials other than as a plain list (answering what to bring, naming what
#: is still lacking): with :data:`LIST_MATERIALS` named they are the materials list too.
TELLS_MATERIALS: tuple[str, ...] = ("ans_material", "materials_more")
#: The owed group a named destination fulfils (Article 16: a pointer after "not ours").
POINTER_GROUP = "A16-G-POINTER"
#: The probability given to a closing paraphrase read from a deferral's words (:func:`off_for_a_break`).
BREAK_CONFIDENCE = 0.9
#: A paraphrase's confidence is the model's probability times this (an exact hit is 0.98).
PARAPHRASE_WEIGHT = 0.95
#: Speakers whose words the detector reads.
READ_SPEAKERS = ("staff", "unknown")
#: Clause boundaries of the raw text (punctuation, ellipses, spaces).
_CLAUSE_RE = re.compile(r"[，,。.！!？?；;：:…、\s]+")
#: Characters a clause needs to be read on its own; shorter ones join the next.
MIN_SEGMENT = 5
#: Characters (normalized) a forbidden intent needs: 知道了 is too short to carry one.
MIN_PARAPHRASE_CHARS = 4
#: Characters a situation that makes a finding or owes a reply needs: 去吧 or 走吧
#: alone names no other office, time or missing paper.
MIN_SITUATION_CHARS = 3
#: The situations :data:`MIN_SITUATION_CHARS` applies to.
SITUATIONS: tuple[str, ...] = ("redirect", "requeue", "defer_time", "defer_materials",
                               "turn_away_materials")
#: Distinct concept words a forbidden intent needs when none is written as such and
#: they are only heard alike: one sound-alike word (集性 for 记性) is a recognizer's
#: slip as often as a paraphrase, so it takes a second one to carry the intent.
SOUND_ALIKE_WORDS = 2
#: Act -> alternatives, each a set of words that must all be in the segment: the
#: concept an act cannot do without (see the module docstring). Acts not listed
#: have no gate.
ACT_GATES: dict[str, tuple[tuple[str, ...], ...]] = {
    # forbidden intents
    "f_dont_know": tuple((w,) for w in ("知道", "清楚", "晓得", "懂", "了解", "知不道", "说不上",
                                        "没数", "搞不清", "闹不清", "弄不清", "整不明白", "答不上",
                                        "不掌握", "一窍不通")),
    "f_read_sign": tuple((v, w) for v in ("看", "瞅", "瞧", "找", "翻", "研究", "照着")
                         for w in ("牌", "写", "指南", "公告", "屏", "展板", "说明", "告示",
                                   "贴", "印", "流程", "宣传", "网", "墙", "单子", "上面",
                                   "提示", "通知")),
    # a closing word, or another day with coming back in it (明天再来, 改天办): 明天继续 is neither
    "f_off_work": tuple((w,) for w in ("下班", "到点", "关门", "收摊", "几点", "时间到", "停止受理",
                                       "今天不", "今儿不", "今儿个不", "结账"))
    + tuple((d, c) for d in ("明天", "明早", "明儿", "明个", "改天", "下周") for c in ("来", "办", "再")),
    "f_hurry": tuple((w,) for w in ("快点", "快些", "快一点", "快一些", "快着", "搞快", "快写",
                                    "快签", "快拿", "快填", "快说", "倒是快", "赶紧", "麻利",
                                    "抓紧", "磨", "利索", "赶快", "利落", "别耽误", "手脚",
                                    "麻溜", "快当", "紧着", "整快", "快快", "拖拉", "慢吞吞",
                                    "抓点紧", "手快")),
    "f_busy": tuple((w,) for w in ("忙", "办着", "弄着", "干着", "正在办", "手上", "手头",
                                   "一堆事", "打扰", "别烦")),
    "f_defiant": tuple((w,) for w in ("能怎么样", "能怎样", "能咋样", "咋地", "能怎么着", "想怎么着", "又怎么着", "奈何",
                                      "奈我", "拿我", "把我", "管得着", "看着办", "爱咋",
                                      "吃了", "开除", "改不了", "不爱听", "爱办不办", "我就这样",
                                      "我就是这样", "就这态度", "态度就这样", "就这脾气",
                                      # 你想咋着就咋着, 你能咋的, 看不惯, 我也就这样, 我就这个样子
                                      "咋着", "咋的", "怎么着", "看不惯", "我也就这样", "就这个样子")),
    "f_complain": tuple((w,) for w in ("投诉", "举报", "反映", "写信", "告状", "告我", "去告",
                                       "告去", "爱告", "告到", "告完", "就告",
                                       "随便告", "告他", "哪告", "随你告", "监督")),
    "f_said_already": tuple((w,) for w in ("说过", "讲过", "说了", "讲了", "说完", "告诉过",
                                           "遍", "又问", "还问", "问过", "答过", "重复",
                                           "几回", "几次", "又来问", "老问", "问来问去")),
    "f_memory": tuple((w,) for w in ("记性", "记不住", "记不得", "记不清", "脑子", "记事",
                                     "糊涂", "忘性", "就忘", "又忘", "全忘", "都忘", "忘光")),
    # owed acts: the salutation, the place named, the evaluation, the farewell ...
    # 上午好/下午好 whole: 午好 alone sounds like 五号 (window five)
    "greeting": tuple((w,) for w in ("您好", "你好", "早", "欢迎", "上午好", "中午好", "下午好",
                                     "晚上好", "请坐", "您请", "们好")),
    "phone_intro": tuple((w,) for w in ("这里是", "这边是", "这是", "大厅", "窗口",
                                        "中心", "服务站", "服务点", "政务")),
    "evaluate": tuple((w,) for w in ("评", "打分", "打个分", "满意", "评价", "评个", "评一",
                                     "评分")),  # the two-character words by sound: 屏价 = 评价
    "goodbye": tuple((w,) for w in ("慢走", "再见", "走好", "好走", "拜拜", "回见", "再会", "慢点",
                                    "路上", "不送", "慢慢走", "下次", "回去", "先回",
                                    "常来", "再来")),
    "calm": tuple((w,) for w in ("急", "气", "理解", "解释", "说明", "讲", "说", "冷静", "抱歉",
                                 "对不起", "不好意思", "放心", "明白", "委屈", "道歉", "慢慢",
                                 "耐心", "激动", "上火", "心情", "负责", "处理", "办法", "清楚",
                                 "细", "恼", "缓", "相信", "疏忽", "不是", "赔", "水", "坐",
                                 "帮", "查", "问", "领导", "解决", "规定", "原因", "怎么回事",
                                 "担待", "歉", "辛苦", "受累", "麻烦")),
    "apology": tuple((w,) for w in ("对不起", "抱歉", "不好意思", "对不住", "道歉", "歉意",
                                    "赔不是", "见谅", "担待")),
    "material_list": tuple((w,) for w in ("清单", "单子", "告知", "写", "列", "这几样",
                                          "这两样", "这些", "全部", "所有", "明细", "目录",
                                          "条子", "须知", "通知书", "一次")),
    "thank_praise": tuple((w,) for w in ("谢", "应该", "过奖", "哪里", "客气", "不敢当",
                                         "分内", "本职")),
    "thank_suggestion": tuple((w,) for w in ("谢", "欢迎", "多亏")),
    # situations
    "turn_away_materials": tuple((a, b) for a in ("不全", "不齐", "缺", "差", "少", "没带", "不对",
                                                  "不行", "过期", "不符合", "办不了", "受理不了",
                                                  "不能办", "没法", "回去", "再来", "补", "无效",
                                                  "不合格", "不能用", "重新")
                                 for b in ("材料", "手续", "证", "户口本", "本子", "表", "照片",
                                           "复印", "原件", "章", "委托书", "合同", "清单", "卡",
                                           "文件", "东西", "缺", "差", "少", "补", "齐", "全")),
    "defer_materials": tuple((a, b) for a in ("下次", "下回", "以后", "再说", "再看", "到时候",
                                              "回头", "来了", "说不准", "说不好")
                             for b in ("其他", "别的", "剩下", "其余", "后面", "还缺", "还要",
                                       "缺啥", "缺什么", "要啥", "要什么", "下一步", "别样")),
    "materials_more": tuple((a, b) for a in ("还", "另外", "再", "也", "又", "忘", "漏", "对了",
                                             "除了", "光有", "下一样", "最后", "现在就差",
                                             "然后")
                            for b in ("证", "本", "书", "表", "照", "合同", "协议", "发票", "卡",
                                      "章", "件", "材料", "原件", "复印", "流水", "单")),
    "defer_time": tuple((a, b) for a in ("不办", "不收", "不受理", "不接", "不给办", "不对外",
                                         "没开", "没上班", "还没", "办不了", "停了", "收满",
                                         "结束", "再来", "再过来", "再说", "以后来", "才开",
                                         "回去", "等下午", "等会", "明天再", "下午再",
                                         "等着", "不干了", "不弄了", "等一会", "等一下", "就回来",
                                         "回来再", "找下一", "等下一", "接班的", "过会再")
                        for b in ("上班", "下班", "午休", "休息", "中午", "下午", "上午", "明天",
                                  "明早", "改天", "下周", "点", "时间", "今天", "这会", "现在",
                                  "早", "吃饭", "开会", "培训", "交接", "结账", "半小时",
                                  "一会", "晚点", "过会", "吃个饭", "吃口饭", "饭点", "交班",
                                  "换班", "下一班")),
    "redirect": tuple((w,) for w in ("去", "找", "问问", "去问", "打听", "归", "管", "不是我们",
                                     "别处", "那边", "别的", "另找", "换个", "隔壁", "对面", "上网",
                                     "网上", "电话", "拨打", "外面", "不在", "办不了", "这里办不",
                                     "这办不", "错地方", "问错", "走错", "找错", "不归")),
    "end_call": tuple((w,) for w in ("挂", "不说了", "不聊了", "先这样", "就这样", "就这么着",
                                     "再见", "拜拜", "有事再打", "回头再说", "来了再说")),
    "requeue": tuple((w,) for w in ("重新取号", "重新取个号", "重新取一个号", "重新排", "重新拿号",
                                    "重新拿个号", "重新取", "再取个号", "再取一个号", "再取号",
                                    "再拿个号", "再拿号", "再排一次", "再排队", "再排个队", "又要排",
                                    "回来排", "回来再排", "后面排", "后边排", "队尾", "过号",
                                    "号作废", "号不能用", "从头排", "再排一遍", "再排一回", "都要取号",
                                    "都得取号", "又得排", "还得排", "再去排")),
}
#: Act -> words that rule it out whatever the model says: a clerk who goes to ask
#: for the citizen (我去问问, 我帮您问问后台) sends nobody elsewhere (see each entry).
_I_GO = r"我(?:先|再|这就|马上|得|来)?"
_FOR_YOU = r"(?:去|帮[您你]?|给[您你]?|替[您你]?)"
#: Another time offered as an option: 也行, 都可以, or a sentence that ends on 可以.
_OPTION = r"也行|也可以|都行|都可以|可以[吧的啊呢]?[。！？!?，,\s]*$"
#: A missing paper got round at the counter (要是没带，我这边可以帮您印一份).
_GOT_ROUND = (r"(?:的话|要是|如果)[^。！？!?]{0,8}(?:我们|我|这边|这儿|旁边|现场)"
              r"[^。！？!?]{0,4}(?:可以|能|帮|给)")
#: The clerk saying the business can still be done today (还能给您办, 来得及).
_STILL_SERVED = (r"(?:还|也|照样|一样)(?:能|可以)(?:给[您你]|帮[您你])?(?:办|受理)|来得及|赶得上|"
                 r"(?:今天|今儿|马上|这就|现在)[^，。！？!?]{0,4}(?:给|帮)[您你]办|办完(?:再|才)(?:走|下班)")
#: Another day because the one who handles it is away (经办的同事休假了): a reason that is
#: not the clerk's closing time (Article 25's to judge, not 下班了，明天再来).
_AWAY = (r"(?:同志|同事|负责的|经办的?|管这个的|那个岗|那位)[^，,。！!？?]{0,6}"
         r"(?:休假|请假|出差|不在|外出|下乡)")
#: The clerk asking someone herself (我问问主任, 我找组长问一下, 我去请示一下, 我给村委会打个电话问一下),
#: not "ask whom?" (我问谁去).
_SELF_ASK = (r"我(?:先|再|这就|马上|得|来|去|帮[您你]?|给[您你]?|替[您你]?)?"
             r"(?:找[^，,。！!？?]{0,8}|跟[^，,。！!？?]{0,8}|(?:给[^，,。！!？?]{0,8})?打(?:个|一个)?电话)?"
             r"(?:问|打听|咨询|请示|确认)(?!谁)")
ACT_BLOCKS: dict[str, re.Pattern[str]] = {
    "redirect": re.compile(rf"{_I_GO}{_FOR_YOU}?问|我(?:打|拨)(?:个|一个)?电话|帮[您你]问"),
    # nor does a clerk who does not know and goes to ask (我不太清楚，我帮您问一下同事)
    # nor one who does not know the citizen's own past (我不晓得您之前在哪办的) and asks him
    "f_dont_know": re.compile(rf"{_I_GO}{_FOR_YOU}问|{_SELF_ASK}|帮[您你]问|我(?:陪|领|带)[您你]?(?:过去|去)|"
                              r"不(?:知道|晓得|清楚)[您你](?:之前|以前|上次|上回|当时|原来)"),
    # the complaint channel told, or the right to complain granted (投诉电话是12345，我们会认真处理;
    # 有意见可以投诉，这是您的权利), dares nobody
    # (a book, a box or a desk for them as much as a number: 意见和投诉都有专门的本子)
    "f_complain": re.compile(r"(?:投诉|举报|监督)(?:电话|热线|渠道|箱|方式)|认真处理|"
                             r"(?:投诉|意见|建议|举报)[^，,。！!？?]{0,6}"
                             r"(?:本子|簿|意见本|箱|信箱|邮箱|窗口|服务台|登记|网站|平台|二维码|热线)|"
                             r"(?:是|这是)[你您]的权利|有需要[^，,。！!？?]{0,4}(?:可以|随时)|"
                             # the matter taken to the office that handles it (你找有关部门反映吧, 去社区反映一下):
                             # a redirect, Article 16's to judge, not a dare to complain of the clerk
                             r"(?:找|去|到|向|跟|给)[^，,。！!？?]{0,8}(?:部门|单位|社区|村委|村里|街道|居委|物业|"
                             r"局|所|站|科|办|中心|公司|厂|学校|医院)[^，,。！!？?]{0,3}反映"),
    # 忙碌 describes, 帮忙 helps, and the citizen's busy work (您工作忙的话) is his: none says
    # "can't you see I'm busy"
    "f_busy": re.compile(r"忙碌|帮忙|繁忙|忙的话|[您你](?:工作|平时|上班)[^，,。！!？?]{0,3}忙|"
                         # the leave-taking 您忙 / 您先忙着 (go on with your work, I'll not keep you)
                         r"[您你](?:先|就|接着)?忙(?:着|吧|你的|您的|啊|哈|哦)?(?:[，,。！!\s]|$)|"
                         # nor does a clerk apologising for having been busy (不好意思，刚才一直在忙)
                         r"对不起|对不住|抱歉|不好意思|久等|让[您你]等"),
    # another day offered as an option (您明天来也行, 明天再来取也可以), or today still offered,
    # is no sending away
    "f_off_work": re.compile(rf"{_OPTION}|{_STILL_SERVED}|{_AWAY}"),
    # nor is it a deferral (现在来还能办，不然明天也行)
    "defer_time": re.compile(rf"{_OPTION}|{_STILL_SERVED}"),
    # a missing paper got round here (没有的话，我们这边可以帮您复印) turns nobody away
    # nor does handing over a blank form to fill in at home (这个表您先拿回去填上): nothing was missing
    "turn_away_materials": re.compile(rf"{_GOT_ROUND}|(?:表|单子?)[^。！？!?]{{0,8}}(?:拿|带)(?:一份|一张)?回去填"),
    # blaming the citizen after the fact for not having read it (谁让你不看清楚, 没看怪谁) is a
    # reproach (Article 6's, or a quarrel's), not sending him to read instead of an answer
    "f_read_sign": re.compile(r"怪谁|怪不得|怪不了|能怪|只能怪|怪[你您]|怪自己|不赖|赖不着|怨谁|怨不得|"
                              r"谁让|谁叫|偏(?:要|拿|不)|现在说不知道|"
                              # the answer given on the form itself (就写在“坐落”这儿, 签在这): no sending to read
                              r"(?:写|填|签)在[^，,。！!？?]{0,8}(?:这|那)|就(?:写|填|签)(?:这|那)|"
                              # the sample at the counter shown (这儿，照着样表写): help, not the sign
                              r"(?:这儿|这里|这边)[，,]?\s*照着"),
    # memory praised (您记性真好), the clerk's own (我记性不好), or forgetting excused (记不住很正常,
    # 忘了也没关系): nobody mocked
    "f_memory": re.compile(r"记性(?:真|挺|很|蛮|可|特别|多|还|就是){0,2}好|好记性|我(?:的|这|这个|这人)?(?:记性|脑子)|"
                           r"(?:很|挺|也|都)?正常|没关系|不要紧|难免|谁都会|都这样|不怪[您你]|别担心"),
    # the clerk blaming her own explanation (我刚才说得不太清楚，我再说一遍) repeats it, she does not reproach,
    # nor does one owning that she forgot to say it (刚才忘了跟您说, 是我没说全)
    "f_said_already": re.compile(r"我(?:刚才)?(?:说得|讲得|没说|没讲)(?:不太|不够|不)?(?:清楚|明白)|"
                                 r"忘了?(?:跟|给|和|告诉)[您你]?(?:说|讲)?|是我没(?:说|讲)|"
                                 r"我再(?:给[您你])?(?:说|讲|解释)一(?:遍|下|次)"),
}
#: Act -> words that void its :data:`ACT_BLOCKS` entry: a dare (嫌慢你就去告, 有本事告去, 爱告哪告哪)
#: is 你去投诉好了 however helpfully the channel is told beside it (投诉电话墙上就有).
BLOCK_OVERRIDES: dict[str, re.Pattern[str]] = {
    # an apology that still rebukes (对不起，你没看我正忙着吗？) is the phrase
    "f_busy": re.compile(r"没看|没见|看不见|看不到|瞎|催什么|催啥|急什么|急啥|吵什么|喊什么"),
    "f_complain": re.compile(r"嫌[^，,。！!？?]{0,6}就|有本事|[你您]?告去|爱(?:去)?(?:告|投诉)|随便(?:你)?(?:告|投诉)|"
                             r"尽管(?:去)?(?:告|投诉)|想告就告|告就告|去告[吧呗啊]|投诉去[吧呗啊]?|"
                             r"(?:去|就)投诉[吧呗]|"
                             # the dare in any verb: 想告就去告, 爱写啥写啥, 爱投不投, 随你, 请便, 我不怕
                             r"(?:想|要|爱|愿意)([告投写打])[^，,。！!？?]{0,4}就去?\1|爱([告投写打])(?:啥|什么|哪)\2|"
                             r"爱([告投写打])不\3|(?:[告投写打]|投诉|举报)去[吧呗]|随便[你您]?\s*(?:[，,。！!]|$)|"
                             r"随[你您](?:便|打|告|投|写|去)|随[你您]\s*(?:[，,。！!]|$)|请便|我(?:才)?不怕|怕你|无所谓|"
                             r"(?:告|投诉|举报)呗|爱(?:上|去|到)?哪(?:儿|里)?(?:告|投诉|投)|不拦(?:着|你)|"
                             # the seed's own 你去投诉好了 beside a number: still the dare
                             r"(?:告|投诉|举报)(?:好了|去好了)|"
                             # inviting a complaint against the clerk herself (打12345告我去)
                             r"(?:告|投诉|举报)我(?!们)"),
}
#: Acts whose :data:`ACT_BLOCKS` are read in the whole utterance, not only the clause: a
#: closing time or another day in one clause (马上下班了) sends nobody away when another
#: says the business is done today (今天一定给您办完), and not knowing (我确实不清楚) is no
#: brush-off when the clerk goes to ask in the same breath (我去帮您问问), nor naming
#: complaint when the same utterance tells its channel or grants the right.
UTTERANCE_BLOCKS: tuple[str, ...] = ("f_off_work", "defer_time", "f_dont_know", "f_complain", "f_busy")
#: Act -> words that rule it out anywhere in the utterance (beside :data:`ACT_BLOCKS`): telling a
#: citizen who disputes a decision to take it to the leader (你不服找领导去, 有意见找我们主任) is the
#: quarrel's (Article 17) or a complaint channel, not a matter sent elsewhere (Article 16).
WHOLE_BLOCKS: dict[str, re.Pattern[str]] = {
    "redirect": re.compile(r"(?:不服|有意见|不满意?|不乐意|不愿意|不同意|嫌[^，,。！!？?]{0,4}|不信|有本事)[^。？?！!]{0,10}"
                           r"(?:找|去找|问|告诉|跟)[^。？?！!，,]{0,4}"
                           r"(?:领导|主任|科长|处长|局长|经理|上级|上面|负责人|头儿|所长|站长)|"
                           r"有本事[^。？?！!，,]{0,8}找"),
}
#: Acts that a concrete destination named in the utterance rules out (a number, a floor, a room, an
#: office by name: :func:`analyzer.rules.destinations.names_destination`): complaint sent to 12315 or
#: to the third floor's complaints office is its channel told, no dare (unless a dare voids it,
#: :data:`BLOCK_OVERRIDES`).
DESTINATION_BLOCKS: tuple[str, ...] = ("f_complain",)


def _tells_where(text: str) -> bool:
    from analyzer.rules.destinations import names_destination

    return names_destination(text)


#: Act -> words of which one must also be there, beside :data:`ACT_GATES`: reading the sign is a
#: brush-off only with the citizen sent to do it alone or reproached for asking (自己看, 不会看吗,
#: 还问, 看不见啊); 指南上有电话 or 那边墙上有流程图 only points to what is written.
ACT_REQUIRES: dict[str, tuple[str, ...]] = {
    "f_read_sign": ("自己", "自个", "不会", "没看", "看不见", "看不到", "还问", "识字", "认字", "别问", "问什么",
                    "问啥", "瞎", "眼睛", "还用问", "不识", "都有", "都写", "看牌子去", "照着弄"),
    # queueing *again*: 去后面排队 to one who has not queued yet sends nobody round
    "requeue": ("重新", "再", "又", "回来", "还得", "还要", "过号", "作废", "从头", "不能用", "都要",
                "都得"),
}
#: The clerk's own meal, break or closing, now or about to be (要去吃饭了, 饭点了, 马上午休): a reason
#: of her time off, not of the matter.
OWN_BREAK = re.compile(r"(?:要|马上|该|得|去|准备|赶着|等着|一会儿?就|这就|快)(?:先)?(?:去)?(?:吃(?:个|口)?(?:午)?饭|午休|歇|休息|下班|食堂)|"
                       r"(?:吃饭|午饭|饭点|午休|休息|下班|开饭)(?:时间)?(?:到)?了|到饭点|到点吃饭")
#: Sending the citizen to come again later today or another day (下午再来, 两点半以后过来, 吃完饭再说).
COME_LATER = re.compile(r"(?:下午|晚点|过会儿?|一会儿?|等会儿?|明天|明儿|改天|"
                        r"[0-9一二两三四五六七八九十]+点半?(?:以后|之后|后)?)[^，,。！!？?]{0,4}(?:来|过来|办|说)|"
                        r"再来|再过来|吃完(?:饭)?(?:再|回来)|等(?:到)?(?:下午|[0-9一二两三四五六七八九十]+点)")


#: Sending the citizen on to someone else or later while the clerk takes her break (十二点以后去隔壁窗口):
#: work deferred for the hour (Article 25), though no "come again" (so not the Article 9 phrase).
PASSED_ON = re.compile(r"(?:以后|之后|下午|过会儿?|一会儿?)[^，,。！!？?]{0,4}(?:去|找)[^，,。！!？?]{0,6}(?:窗口|隔壁|那边|别人|同事)|"
                       r"找(?:别人|同事|其他人|别的同事)")


def deferred_for_a_break(text: str) -> bool:
    """True when a clerk leaving for her break puts the citizen's business off (Article 25).

    Her own meal, break or closing now (:data:`OWN_BREAK`) with the citizen sent
    to come again later (:data:`COME_LATER`) or on to another window or
    colleague later (:data:`PASSED_ON`); not a rush (快点，我要下班了 still serves
    him), not said with courtesy, an option or service today.
    """
    from analyzer.rules.answers import RUSH_WORDS

    simple = _simplified(text)
    return bool(OWN_BREAK.search(simple) and (COME_LATER.search(simple) or PASSED_ON.search(simple))) \
        and not RUSH_WORDS.search(simple) and not COURTESY.search(simple) \
        and not _blocked_in("defer_time", text)


def off_for_a_break(text: str) -> bool:
    """True when a deferral sends the citizen away for the clerk's own break (下班了，明天再来 paraphrased).

    我们要去吃午饭了，你下午再过来 gives the clerk's meal as the reason to come
    again: the closing phrase in other words (Article 9; Article 25 within the
    hours). Said with courtesy, offering another time as an option or still
    serving today (:data:`ACT_BLOCKS`), it is no brush-off.
    """
    simple = _simplified(text)
    return bool(OWN_BREAK.search(simple) and COME_LATER.search(simple)) \
        and not COURTESY.search(simple) and not _blocked_in("f_off_work", text)


#: "Can't you see" pointed at the clerk's own load (没看我这儿一堆人排着呢？ 没看见我这手里正审着吗？ 没瞅见
#:这么多人等着？): the rebuke of 没看我正忙着吗 in other words, with no word of being busy. The one
#: who did not see is the citizen (我没看见 is the clerk's own oversight), and what he did not see is
#: the clerk or her counter (我, 这儿) and the work or the queue on it.
BUSY_REBUKE = re.compile(r"(?:没|没有)(?:看|瞅|瞧)(?:见|到|着)?|看不(?:见|到)")
#: The clerk as the one who did not see (我刚才没看见): her own oversight, in the clause before.
_OWN_OVERSIGHT = re.compile(r"[我咱][^，,。！!？?]*$")
#: What the citizen is told he did not see: the clerk or her counter, then her load (within a clause or two).
BUSY_LOAD = re.compile(
    r"^[^。！!？?您你他她]{0,3}(?:我|这儿|这里|这边|这么多人|那么多人|好多人)[^。！!？?]{0,12}?"
    r"(?:忙|一堆|一大堆|一摊|排着|排队|等着|正[^，,。！!？?]{0,6}着|手里|手上|手头|这么多人|好多人|"
    r"在(?:办|弄|接|处理|录|审)|办着|弄着|审着|录着|接电话|打电话)")
#: The probability given to a busy rebuke read from its construction (:func:`busy_rebuke`).
REBUKE_CONFIDENCE = 0.9


def busy_rebuke(text: str) -> bool:
    """True when ``text`` rebukes the citizen for not seeing the clerk's load (:data:`BUSY_REBUKE`).

    没看我这儿一堆人排着呢？ and 没看见我这手里正审着别人的吗 say 没看我正忙着吗 without
    忙: the construction carries the brush-off, not the word (Article 9). 我没看见您排队
    is the clerk's own oversight, not a rebuke.
    """
    simple = _simplified(text)
    return any(BUSY_LOAD.search(simple[m.end():]) and not _OWN_OVERSIGHT.search(simple[:m.start()])
               for m in BUSY_REBUKE.finditer(simple))


#: The forbidden intent a clerk may say across turns (:func:`carried_hits`): not knowing,
#: then, once the citizen asks again, sending him to ask someone else.
CARRIED_ACT = "f_dont_know"
#: Words that send the citizen to ask (the second half of 我不知道，你去问XX).
ASK_WORDS = re.compile(r"问问|问一?下|问一问|问个|问去|去问|打听|咨询|找[^，,。！!？?]{0,10}问")
#: Earlier staff utterances (and seconds before) whose not-knowing carries to a later "go and ask".
CARRY_UTTERANCES = 2
CARRY_SECONDS = 30.0
#: A clause with its closing mark (a question is no statement of not knowing).
_STATEMENT_RE = re.compile(r"[^，,。.！!？?；;：:…、\s]+[？?]?")
#: Sending the citizen on (the second half of 我不知道，你去问XX, in any verb: 你问镇上去, 你找他们去,
#: 你到社保局): without it, or a destination named, or the act detector's redirect, not knowing is
#: a fact told (他啥情况我又不知道, 我也不知道要开多久), no brush-off (:func:`sends_on`).
#: Pushing the question off the clerk without a place (别问我, 问我也没用, 不归我管, 自己打听) sends
#: him away all the same.
_SENDS_ON = re.compile(r"[你您][^，,。！!？?]{0,4}(?:去|到|找|上)|找(?:别人|别的|其他|他们|人)|"
                       r"别(?:来)?问我|问我(?:也|有啥|有什么)?(?:没用|干嘛|干啥|做什么|有啥用)|找我(?:也)?没用|"
                       r"不(?:归|关)我|不是我(?:们)?(?:管|的事)|自己(?:想办法|打听|查|琢磨|找)")
#: Someone else's affairs as what the clerk does not know (他啥情况我又不知道, 他们公司的账目我这里不知道).
_THEIRS = re.compile(r"(?:他|她|他们|她们|人家|别人|对方|那家|[你您](?:家)?(?:邻居|亲戚|朋友|同事))"
                     r"[^，,。！!？?]{0,10}我[^，,。！!？?]{0,4}(?:不知道|不清楚|不晓得|不了解)")
#: What the clerk needs instead, said after not knowing (所以要您提供, 得您拿来, 您把…带来).
_NEEDS_INSTEAD = re.compile(r"(?:不知道|不清楚|不晓得|不了解)[^。！!？?]{0,6}[，,]\s*(?:所以|那)?(?:就)?(?:得|要|需要)[您你]")
#: A salutation and the line named (您好，金昌12345热线，21号坐席): the hotline's phone greeting,
#: the seat standing for the seed's hall and window (:func:`names_the_line`).
_SALUTE = re.compile(r"您好|你好|早上好|上午好|中午好|下午好|晚上好")
_THE_LINE = re.compile(r"热线|[坐座]席|话务员|受理席|接线员|工号|"
                       # the office and its window (市社保局待遇核定二号窗口): the seed's 这里是XXX大厅XXX窗口
                       # without 这里是 (session 13, train-halls-32; every training set labels it compliant)
                       r"(?:局|中心|大厅|服务站|站|所|处|科)[^，,。！!？?]{0,10}窗口|[0-9一二三四五六七八九十]+号窗口")
#: The probability given to the phone greeting read from its parts (:func:`names_the_line`).
LINE_CONFIDENCE = 0.9
#: Words reported between quotation marks after a verb of saying (工作人员说“爱上哪告上哪告”, 他跟我讲
#: "你自己看"): someone else's words, read back or complained of, not the clerk's own (:func:`reported_only`).
_REPORTED = re.compile(r"(?:说|讲|骂|喊|道|吼|回|原话)[^“”\"「」『』，,。！!？?]{0,4}[：:]?\s*[“\"「『][^”\"」』]*[”\"」』]")
#: The citizen asking after the clerk's load (你们今天忙不忙？ 挺忙的吧？ 累不累?): small talk, and a reply
#: of being busy (忙呢，周二下午人多) answers it, rebuking nobody (:func:`answers_small_talk`).
_LOAD_ASKED = re.compile(r"忙[^，,。！!？?]{0,3}(?:[吗吧么啊呀不]|[？?])|(?:很|挺|真|多|好)忙|"
                         r"累[^，,。！!？?]{0,3}(?:[吗吧不]|[？?])|人多不多|辛苦")
#: Intent gates: the forbidden intents' entries of :data:`ACT_GATES`.
INTENT_GATES = {a: g for a, g in ACT_GATES.items() if a.startswith("f_")}
#: Courtesy formulas: a sentence that says them is not a brush-off (请您自己核对一下; 指南上有电话，
#: 您可以看看 offers what is written, it does not refuse an answer; nor does a copy handed over).
#: (The 请 of 申请, 邀请, 请假, 请示, 请客 is an application, an invitation, a leave: no courtesy; session 13.)
COURTESY = re.compile(r"(?<![申邀聘宴])请(?![假示客])|麻烦|劳驾|不好意思|抱歉|对不起|谢谢|辛苦|您.{0,8}一下|您可以|我带您|我给您指|"
                      # a copy handed over to take away (您先拿一份指南回去看看): served, not refused
                      r"您(?:先|就)?(?:拿|带|领|取)(?:上|走)?(?:一份|一本|一张|一册)")
#: A citizen saying an earlier visit did not tell them everything (Article 18).
EARLIER_VISIT = re.compile(r"(?:上次|上回|上一次|前两天|前几天|上礼拜|上周|之前|那天|昨天)[^。？！]{0,12}?"
                           r"(?:没说|没讲|没告诉|没提|没跟我说|只说了|说.{0,6}就(?:够|行|可以)|说.{0,4}齐了|"
                           r"没人(?:说|讲|告诉|提)|谁也没(?:说|讲|提))")
EARLIER_RULE = "CUE-EARLIER-01"


#: A clause that only fills or takes the turn (这样啊, 嗯, 哦, 那个, 好的): left out of the clauses
#: :func:`segments` reads, so the clause after it is read alone (the whole utterance still is).
_FILLER = re.compile(r"^(?:这样啊|这样吧|是这样啊|嗯+|哦+|噢+|啊+|哎+|诶|欸|那个|那|这个|然后|好的|好嘞)"
                     r"[啊呀吧呢哈]?$")


def segments(text: str) -> list[str]:
    """The pieces of an utterance the detector reads: the whole and each clause.

    A clause shorter than :data:`MIN_SEGMENT` characters (好了, 您看, 下班了) is
    joined to the next one (the last to the one before): alone it is too little
    to read, and a two-part phrase (下班了，明天再来) stays whole. A clause that only
    fills (:data:`_FILLER`: 这样啊, 嗯) is left out, so it dilutes no clause.
    """
    clauses: list[str] = []
    for c in (c for c in _CLAUSE_RE.split(text) if c):
        if _FILLER.match(c):
            continue  # 这样啊，请您为今天的办理打个分: the filler says nothing; the whole keeps it
        if clauses and len(clauses[-1]) < MIN_SEGMENT:
            clauses[-1] = f"{clauses[-1]}，{c}"
        else:
            clauses.append(c)
    if len(clauses) > 1 and len(clauses[-1]) < MIN_SEGMENT:
        clauses[-2:] = [f"{clauses[-2]}，{clauses[-1]}"]
    return [text, *clauses] if len(clauses) > 1 or (clauses and clauses[0] != text) else [text]


def _simplified(text: str) -> str:
    from analyzer.text.normalize import to_simplified

    return to_simplified(text)


@functools.lru_cache(maxsize=4096)
def _codes(text: str) -> str:
    """The text as space-joined fuzzy pinyin codes (homophones compare equal)."""
    from analyzer.text.normalize import normalize
    from analyzer.text.pinyin import code

    return " " + " ".join(code(ch) for ch in normalize(text)) + " "


def gated(act: str, text: str) -> bool:
    """True when ``text`` names the concept of ``act`` (:data:`ACT_GATES`; no gate: True).

    A forbidden intent also needs :data:`MIN_PARAPHRASE_CHARS` characters and
    no courtesy formula (:data:`COURTESY`).
    """
    if act in INTENT_GATES and (len(_codes(text).split()) < MIN_PARAPHRASE_CHARS
                                or COURTESY.search(_simplified(text))):
        return False
    if act in SITUATIONS and len(_codes(text).split()) < MIN_SITUATION_CHARS:
        return False
    if _blocked(act, text, ACT_BLOCKS.get(act)):
        return False
    gates = ACT_GATES.get(act)
    if gates is None:
        return True
    have, plain = _codes(text), _normalized(text)
    needs = ACT_REQUIRES.get(act)
    if needs is not None and not any(_has(w, have, plain) for w in needs):
        return False
    if not any(all(_has(w, have, plain) for w in words) for words in gates):
        return False
    return act not in INTENT_GATES or _written(gates, have, plain)


def _written(gates: tuple[tuple[str, ...], ...], codes: str, plain: str) -> bool:
    """A forbidden intent's concept written as such, or heard in enough distinct words.

    True when one alternative of ``gates`` is in the text character for
    character, or at least :data:`SOUND_ALIKE_WORDS` distinct gate words are
    (by sound): a lone homophone (集性营 read as 记性) carries no intent.
    """
    if any(all(w in plain for w in words) for words in gates):
        return True
    heard = {w for words in gates for w in words if _has(w, codes, plain)}
    return len(heard) >= SOUND_ALIKE_WORDS


def _has(word: str, codes: str, plain: str) -> bool:
    """A gate word in a text: by pinyin (homophones pass), a single character by itself.

    One character's reading is shared by too many others (不 reads like 补, 查
    like 差) for a sound-alike to mean anything.
    """
    return word in plain if len(word) == 1 else _codes(word) in codes


def _normalized(text: str) -> str:
    from analyzer.text.normalize import normalize

    return normalize(text)


def sends_on(text: str, acts: dict[str, tuple[float, str]] | None = None) -> bool:
    """True when a staff turn sends the citizen on: to ask someone, somewhere, or a place named.

    The forbidden phrase is 我不知道，你去问XX: not knowing *and* pushing the
    citizen off. The second half in any verb (:data:`ASK_WORDS`, the intent rules'
    :data:`~analyzer.rules.intents.PUSH_ASK`, :data:`_SENDS_ON`), a concrete
    destination, or the act detector's redirect heard in the turn (``acts``).
    """
    from analyzer.rules.intents import PUSH_ASK

    simple = _simplified(text)
    return bool(ASK_WORDS.search(simple) or re.search(PUSH_ASK, simple) or _SENDS_ON.search(simple)) \
        or (acts is not None and "redirect" in acts) or _tells_where(text)


def fact_not_known(text: str, acts: dict[str, tuple[float, str]] | None = None) -> bool:
    """True when the clerk's not knowing is a fact told, not 我不知道，你去问XX.

    Nobody is sent on (:func:`sends_on`), and what she does not know is someone
    else's affairs (他啥情况我又不知道, 他们公司的账目我这里不知道: :data:`_THEIRS`) or is
    followed by what she needs instead (所以得您拿工资条来). A bare 不知道 to a question
    about the service is still the brush-off, and a later "go and ask" still pairs
    with it (:func:`carried_hits`).
    """
    simple = _simplified(text)
    return not sends_on(text, acts) and bool(_THEIRS.search(simple) or _NEEDS_INSTEAD.search(simple))


def names_the_line(text: str) -> bool:
    """True when a staff turn greets and names the line it answers (您好，12345热线，21号坐席，请讲).

    A hotline seat says who answers as the seed's 这里是XXX政务大厅XXX窗口 does: the
    service and the seat. The act model learned the phone greeting from halls and
    windows and may not hear it; a salutation (:data:`_SALUTE`) with the line named
    (:data:`_THE_LINE`) is the phone greeting whatever it says.
    """
    simple = _simplified(text)
    return bool(_SALUTE.search(simple) and _THE_LINE.search(simple))


def reported_only(act: str, text: str) -> bool:
    """True when ``act``'s concept is only in words the clerk reports someone else said.

    A hotline seat reading a complaint back (工作人员说“爱上哪告上哪告”，对吗？) says
    the forbidden words, but as the citizen's report of another clerk: quoted
    after a verb of saying (:data:`_REPORTED`). Outside the quotation the act's
    concept (:data:`ACT_GATES`) must still be said for the act to be the clerk's.
    """
    simple = _simplified(text)
    if not _REPORTED.search(simple):
        return False
    rest = _REPORTED.sub("，", simple)
    gates = ACT_GATES.get(act, ())
    have, plain = _codes(rest), _normalized(rest)
    return not any(all(_has(w, have, plain) for w in words) for words in gates)


def answers_small_talk(text: str, before: str) -> bool:
    """True when the clerk's "busy" answers the citizen's own question about her load.

    你们今天忙不忙？ — 忙呢，周二下午人多，不过您这个快。 is small talk asked and
    answered: the citizen asked (:data:`_LOAD_ASKED`), and no rebuke of him is in
    the reply (:data:`BLOCK_OVERRIDES`: 没看, 催什么 keep 没看我正忙着吗).
    """
    return bool(_LOAD_ASKED.search(_simplified(before))) \
        and not BLOCK_OVERRIDES["f_busy"].search(_simplified(text))


def act_hits(interaction: Interaction, hits: Sequence[Hit], lexicon: Lexicon,
             options: AnalyzerOptions) -> list[Hit]:
    """The detector's hits on the staff's utterances (see the module docstring).

    Args:
        interaction: The interaction.
        hits: The lexicon's hits (an act it already found is not added again).
        lexicon: The lexicon in use (its rules give the hits; disabled ones give none).
        options: ``classifier`` (``enabled``, ``acts``, model folder) and
            ``match.unknown_speaker_weight``.

    Returns:
        Hits in utterance order; empty when the detector is switched off or
        the model folder has no act model.
    """
    from analyzer.rules.materials import materials_named

    utts = interaction.utterances
    index = [i for i, u in enumerate(utts) if u.speaker in READ_SPEAKERS and u.text.strip()]
    have = {(i, h.rule.id) for h in hits for i in h.utterances}
    # the acoustic verifier tried this forbidden rule's phrase in the audio and rejected it: the
    # text's homophones (激性 for 记性) are not read as a paraphrase of it against the audio's
    # word. A rejected *owed* wording is weak evidence either way: the act still counts.
    have |= {(i, r.rule) for i in index for r in utts[i].heard
             if not r.accepted and r.rule in lexicon and lexicon.get(r.rule).kind == "forbidden"}
    out = destination_hits(interaction, index, have, lexicon)
    out += earlier_visit_hits(interaction, have, lexicon)
    heard = heard_acts([utts[i].text for i in index], options) if index else None
    if heard is None:
        return out
    targets = _targets(lexicon)
    for k, i in enumerate(index):  # 他啥情况我又不知道: a fact told, unless a later turn sends him on
        if CARRIED_ACT in heard[k] and fact_not_known(utts[i].text, heard[k]):
            del heard[k][CARRIED_ACT]
    out += carried_hits(interaction, index, heard, have, targets, options)
    redirected = {i for i, acts in zip(index, heard, strict=True) if "redirect" in acts}
    for i, acts in zip(index, heard, strict=True):
        named = len(materials_named(utts[i].text)) >= LIST_MATERIALS
        if named and "materials" not in acts and NEED_WORDS.search(_simplified(utts[i].text)):
            acts["materials"] = (0.9, utts[i].text)
        if "materials" in acts and named:
            acts["material_list"] = (1.0, acts["materials"][1])
        elif named and (told := next((a for a in TELLS_MATERIALS if a in acts), None)) is not None:
            acts["material_list"] = (acts[told][0], acts[told][1])  # 还差租房合同和房产证复印件
        if "defer_time" not in acts and deferred_for_a_break(utts[i].text):
            acts["defer_time"] = (BREAK_CONFIDENCE, utts[i].text)  # 我得先去食堂了，十二点以后去隔壁
        if "defer_time" in acts and "f_off_work" not in acts and off_for_a_break(utts[i].text):
            acts["f_off_work"] = (BREAK_CONFIDENCE, utts[i].text)
        if "f_busy" not in acts and busy_rebuke(utts[i].text):
            acts["f_busy"] = (REBUKE_CONFIDENCE, utts[i].text)  # 没看我这儿一堆人排着呢？
        if "phone_intro" not in acts and names_the_line(utts[i].text):
            acts["phone_intro"] = (LINE_CONFIDENCE, utts[i].text)  # 您好，12345热线，21号坐席
        by_model = set(acts)
        _drop_helped(acts, utts[i].text)
        by_rules = _intents_heard(interaction, i, acts) if utts[i].speaker == "staff" else set()
        _drop_not_said(interaction, i, acts, redirected)
        weight = 1.0 if utts[i].speaker == "staff" else options.match.unknown_speaker_weight
        for act, (p, seg) in sorted(acts.items()):
            for rule in targets.get(act, ()):
                if (i, rule.id) not in have:
                    have.add((i, rule.id))
                    out.append(_hit(rule, act, p * weight, i, seg, interaction,
                                    detector=_detector(act, by_model, by_rules)))
    return sorted(out, key=lambda h: (h.utterances, h.rule.id))


def _intents_heard(interaction: Interaction, i: int, acts: dict[str, tuple[float, str]]) -> set[str]:
    """Add to ``acts`` the forbidden intents utterance ``i`` performs by construction.

    :func:`analyzer.rules.intents.intent_acts` reads the staff turn with the citizen's
    turn before it (the last of :data:`~analyzer.rules.intents.BEFORE_TURNS` turns back);
    an intent the act model did not hear enters at :data:`~analyzer.rules.intents.INTENT_CONFIDENCE`.
    Returns the intents the constructions heard (whether or not the model did too).
    """
    from analyzer.rules.intents import BEFORE_TURNS, INTENT_CONFIDENCE, intent_acts

    utts = interaction.utterances
    before = next((u.text for u in reversed(utts[max(0, i - BEFORE_TURNS):i]) if u.speaker == "citizen"), "")
    heard = intent_acts(utts[i].text, before, blocked=act_blocked)
    for act in heard:
        if act not in acts:
            acts[act] = (INTENT_CONFIDENCE, utts[i].text)
    return set(heard)


def _drop_not_said(interaction: Interaction, i: int, acts: dict[str, tuple[float, str]],
                   redirected: set[int] | frozenset[int] = frozenset()) -> None:
    """Drop the forbidden intents utterance ``i`` does not perform as the clerk's own words.

    Not knowing with no one sent on (:func:`fact_not_known`; 他啥情况我又不知道) or the
    contact of the office she has just sent the citizen to (:func:`redirect_followed`), words only
    reported from someone else (:func:`reported_only`), and being busy said in answer to
    the citizen's own question about it (:func:`answers_small_talk`), whichever detector heard them.
    """
    from analyzer.rules.intents import BEFORE_TURNS

    utts = interaction.utterances
    text = utts[i].text
    before = next((u.text for u in reversed(utts[max(0, i - BEFORE_TURNS):i]) if u.speaker == "citizen"), "")
    for act in [a for a in acts if a in PARAPHRASE_RULES]:
        if (act == CARRIED_ACT and (fact_not_known(text, acts) or redirect_followed(utts, i, before, redirected))) \
                or reported_only(act, text) or (act == "f_busy" and answers_small_talk(text, before)):
            del acts[act]


#: The citizen asking where, which or what number after being sent elsewhere (人社局电话多少？ 哪个电话？).
_WHERE_ASKED = re.compile(r"电话|号码|多少号|哪个|哪儿|哪里|在哪|哪家|怎么(?:联系|找)|找谁")


def redirect_followed(utts: Sequence[Utterance], i: int, before: str, redirected: set[int] | frozenset[int]) -> bool:
    """True when not knowing answers "where, then?" after the clerk sent the citizen elsewhere.

    你打电话问问人社局吧 … 人社局电话多少？ … 这我也不清楚，你查一下: the clerk has already
    pushed the matter off; not knowing the office's number is that redirect naming no
    destination (Article 16's finding), not a second, Article 8 brush-off. The redirect is
    the act detector's, in one of the clerk's two turns before.
    """
    if not _WHERE_ASKED.search(_simplified(before)):
        return False
    earlier = [j for j in range(i) if utts[j].speaker == "staff"][-2:]
    return any(j in redirected for j in earlier)


def _drop_helped(acts: dict[str, tuple[float, str]], text: str) -> None:
    """Drop the forbidden intents heard in a turn where the clerk helps (:func:`analyzer.rules.intents.helps`)."""
    from analyzer.rules.intents import helps

    for act in [a for a in acts if a in PARAPHRASE_RULES and helps(a, text)]:
        del acts[act]


def _detector(act: str, by_model: set[str], by_rules: set[str]) -> str:
    """Which detector heard a forbidden intent: the act detector (its model and constructions), the intent rules, or both."""
    if act not in PARAPHRASE_RULES:
        return ""
    names = [name for name, heard in (("act detector", by_model), ("intent rules", by_rules)) if act in heard]
    return " + ".join(names)


def carried_hits(interaction: Interaction, index: Sequence[int],
                 heard: Sequence[dict[str, tuple[float, str]]], have: set[tuple[int, str]],
                 targets: dict[str, list[Rule]], options: AnalyzerOptions) -> list[Hit]:
    """Hits of :data:`CARRIED_ACT` said across turns: "I don't know" now, "go and ask X" later.

    A clerk who says 我也不太清楚 and, once the citizen asks again, 你出去问问咨询台,
    has said 我不知道，你去问XX in two turns. For each staff utterance that sends the
    citizen to ask (:data:`ASK_WORDS`) without the act heard in it (and where the
    clerk does not ask herself: 我问问主任 finds out, :data:`ACT_BLOCKS`), the not-knowing
    clause of one of the clerk's :data:`CARRY_UTTERANCES` previous utterances (at
    most :data:`CARRY_SECONDS` earlier, where she did not go to ask herself, a
    statement that passes the act's gate) is
    put before it and the pair read as one utterance (:func:`heard_acts`): the act
    counts when it is heard in a segment holding the later words. The hit is on the
    later utterance.
    """
    rules = targets.get(CARRIED_ACT, [])
    utts = interaction.utterances
    staff = [(k, i) for k, i in enumerate(index) if utts[i].speaker == "staff"]
    pairs: list[tuple[int, str]] = []
    for n, (k, i) in enumerate(staff):
        text = utts[i].text
        if not rules or CARRIED_ACT in heard[k] or (i, rules[0].id) in have \
                or not ASK_WORDS.search(_simplified(text)) \
                or ACT_BLOCKS[CARRIED_ACT].search(_simplified(text)):
            continue
        for kj, j in reversed(staff[max(0, n - CARRY_UTTERANCES):n]):
            if utts[i].start - utts[j].end > CARRY_SECONDS or CARRIED_ACT in heard[kj] \
                    or ACT_BLOCKS[CARRIED_ACT].search(_simplified(utts[j].text)):
                break
            said = [c for c in _STATEMENT_RE.findall(utts[j].text)
                    if not c.endswith(("?", "？", "吗")) and gated(CARRIED_ACT, c)]
            if said:
                pairs.append((i, f"{said[-1]}，{text}"))
                break
    found = heard_acts([t for _, t in pairs], options) if pairs else None
    out = []
    for (i, text), acts in zip(pairs, found or [], strict=True):
        p, seg = acts.get(CARRIED_ACT, (0.0, ""))
        if p and ASK_WORDS.search(_simplified(seg)):
            have.add((i, rules[0].id))
            weight = 1.0 if utts[i].speaker == "staff" else options.match.unknown_speaker_weight
            out.append(_hit(rules[0], CARRIED_ACT, p * weight, i, text, interaction))
    return out


def heard_acts(texts: Sequence[str], options: AnalyzerOptions
               ) -> list[dict[str, tuple[float, str]]] | None:
    """The acts each text performs: act -> (probability, the segment that says it).

    An act is heard when a segment of the text (:func:`segments`) reaches its
    threshold and passes its gate (:func:`gated`). None when the detector is
    switched off (``classifier.enabled``, ``classifier.acts``) or the model
    folder has no act model. The probabilities are cached per text
    (:func:`analyzer.rules.learned.act_probabilities`), so reading the same
    utterances again (Article 5's answers) costs nothing.
    """
    from analyzer.rules.learned import act_model, act_probabilities

    copts = options.classifier
    model = act_model(copts) if copts.enabled and copts.acts else None
    if model is None:
        return None
    pieces = [(i, seg) for i, text in enumerate(texts) for seg in segments(text)]
    probs = act_probabilities([seg for _, seg in pieces], copts)
    out: list[dict[str, tuple[float, str]]] = [{} for _ in texts]
    for (i, seg), row in zip(pieces, probs, strict=True):
        for act, p in (row or {}).items():
            if p >= model.thresholds.get(act, 1.01) and p > out[i].get(act, (-1.0, ""))[0] \
                    and gated(act, seg) and not _blocked_in(act, texts[i]):
                out[i][act] = (p, seg)
    return out


def gets_round_missing(text: str) -> bool:
    """True when ``text`` gets round a missing paper at the counter: no turning away."""
    return ACT_BLOCKS["turn_away_materials"].search(_simplified(text)) is not None


def _blocked_in(act: str, text: str) -> bool:
    """True when ``act`` is one of :data:`UTTERANCE_BLOCKS` and its block is in the whole ``text``,
    or its :data:`WHOLE_BLOCKS` entry is, or it is one of :data:`DESTINATION_BLOCKS` and ``text``
    names a concrete destination (no dare voiding it)."""
    whole = WHOLE_BLOCKS.get(act)
    if whole is not None and whole.search(_simplified(text)):
        return True
    if act in DESTINATION_BLOCKS and _tells_where(text):
        override = BLOCK_OVERRIDES.get(act)
        if override is None or override.search(_simplified(text)) is None:
            return True
    return _blocked(act, text, ACT_BLOCKS.get(act) if act in UTTERANCE_BLOCKS else None)


def act_blocked(act: str, text: str) -> bool:
    """True when the act detector's blocks void ``act`` in ``text`` (:data:`ACT_BLOCKS` and the whole-utterance ones)."""
    return _blocked(act, text, ACT_BLOCKS.get(act)) or _blocked_in(act, text)


def _blocked(act: str, text: str, block: re.Pattern[str] | None) -> bool:
    """True when ``block`` is in ``text`` and no :data:`BLOCK_OVERRIDES` entry of ``act`` voids it."""
    if block is None or block.search(_simplified(text)) is None:
        return False
    override = BLOCK_OVERRIDES.get(act)
    return override is None or override.search(_simplified(text)) is None


def destination_hits(interaction: Interaction, index: Sequence[int],
                     have: set[tuple[int, str]], lexicon: Lexicon) -> list[Hit]:
    """Pointer hits (:data:`POINTER_GROUP`) on the utterances that name a concrete destination.

    A staff utterance that sends the citizen on to no new place after the clerk
    sent him to a concrete one (八号窗口 … 对，你去吧: :func:`~analyzer.rules.destinations.points_back`)
    points to that one: it is a pointer too.
    """
    from analyzer.rules.destinations import names_destination, points_back, sends_on
    from analyzer.text.match import Hit

    rules = [r for r in lexicon.rules if r.group == POINTER_GROUP and r.kind == "required"]
    if not rules:
        return []
    ids = {r.id for r in rules}
    out = []
    named = False  # the clerk has sent the citizen to a concrete destination so far
    for i in index:
        u = interaction.utterances[i]
        names = names_destination(u.text)
        back = not names and named and u.speaker == "staff" and points_back(u.text)
        named = named or (names and u.speaker == "staff" and sends_on(u.text))  # not the hall's own name
        if any((i, rid) in have for rid in ids) or not (names or back):
            continue
        out.append(Hit(rule=rules[0], speaker=u.speaker, start=u.start, end=u.end,
                       evidence=u.text, confidence=0.9, method="destination", utterances=(i,),
                       phrase="destination"))
    return out


def earlier_visit_hits(interaction: Interaction, have: set[tuple[int, str]], lexicon: Lexicon
                       ) -> list[Hit]:
    """Earlier-visit cue hits (:data:`EARLIER_VISIT`) on citizen words the lexicon missed."""
    from analyzer.text.match import Hit

    if EARLIER_RULE not in lexicon:
        return []
    rule = lexicon.get(EARLIER_RULE)
    out = []
    for i, u in enumerate(interaction.utterances):
        if u.speaker == "staff" or (i, rule.id) in have:
            continue
        m = EARLIER_VISIT.search(_simplified(u.text))
        if m:
            out.append(Hit(rule=rule, speaker=u.speaker, start=u.start, end=u.end,
                           evidence=m.group(0), confidence=0.85, method="pattern",
                           utterances=(i,), phrase="earlier_visit"))
    return out


def _targets(lexicon: Lexicon) -> dict[str, list[Rule]]:
    """Act -> the lexicon rules its hits are of (acts whose rules are absent or disabled: none)."""
    out: dict[str, list[Rule]] = {}
    for act, rid in (*PARAPHRASE_RULES.items(), *CUE_ACTS.items()):
        if rid in lexicon:
            out.setdefault(act, []).append(lexicon.get(rid))
    for group, acts in OWED_ACTS.items():
        rules = [r for r in lexicon.rules if r.group == group and r.kind == "required"]
        for act in acts if rules else ():
            out.setdefault(act, []).append(rules[0])
    return out


def _hit(rule: Rule, act: str, p: float, i: int, evidence: str, interaction: Interaction,
         detector: str = "") -> Hit:
    from analyzer.text.match import Hit

    u = interaction.utterances[i]
    paraphrase = rule.kind == "forbidden"
    return Hit(rule=rule, speaker=u.speaker, start=u.start, end=u.end, evidence=evidence,
               confidence=round(p * (PARAPHRASE_WEIGHT if paraphrase else 1.0), 4),
               method="paraphrase" if paraphrase else "act", utterances=(i,), phrase=act,
               similarity=round(p, 4), detector=detector if paraphrase else "")

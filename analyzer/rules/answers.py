"""询问有答声 (Article 5): does the staff's reply answer the citizen's question *of its kind*?

A citizen's question needs an answer of its kind before the topic moves on or
the visit ends: 要不要交钱 needs a cost or a yes/no, 多久能办好 a time, 在哪儿办 a
place, 要带什么 materials, 怎么弄 a way, 我儿子能替我签吗 a yes or no. A clerk who
answers the first of two questions and not the second, or who goes on with the
procedure (左手按这儿, 先把表填了) as if nothing was asked, leaves it unanswered.

* :func:`questions` splits a citizen turn into its questions (a clause with a
  question mark, a final 吗/呢/吧, or a question pattern: 能不能, 多少, 哪 …)
  and names each one's kinds (:data:`QUESTION_KINDS`).
* :func:`answers` says whether a staff utterance answers one, and
  :func:`moves_on` whether the staff's first reply went on with the
  procedure instead (左手按这儿, 先把表填了): only then is a question unanswered —
  a reply we cannot read as an answer may still be one. :func:`answers`: it shares the
  question's content (邮寄 … 邮寄), or it carries an answer of one of its
  kinds (:data:`ANSWER_KINDS`: a sum of money, a time, a place, a material,
  a step, an amount; a yes or no, :data:`YES_NO`), or it is a
  counter-question asking what the citizen meant. The staff's first reply is
  read leniently; a later one must share the question's content or give an
  answer of a specific kind (a yes/no word later on is too common to mean
  anything).
* What the first reply does is read clause by clause, at each clause's head
  (:func:`reply_moves`): an instruction, the work in hand reported, a question
  back, 还有别的事吗, the next citizen called, courtesy, or a statement. A reply
  that says nothing but those moves passes a question over
  (:func:`passes_over`); a statement engages it in whatever words, an
  instruction's verb inside the statement (按规定支付, 网站) being none.
* A yes or a no is a clause that opens or closes on one (能，… / …都行), a
  refusal word (不行, 办不了), or the question's own verb echoed (能寄吗 … 就能寄;
  够了吗 … 还差一样): the 对 of 核对 or the 别 of 别眨眼 is the procedure, not a reply.
* A question whether the matter belongs here, or one asking confirmation
  (在这办吧？ 这回全了吧？), is answered by a clerk who takes the matter up without
  turning the citizen away.
* A reply that answers *another* question of the same turn with a specific
  answer of its own kind (:func:`explained_by`: 几天？多少钱？ … 三天) is no
  possible answer to this one.
* Not owed an answer: a yes/no question that only checks the clerk's own last
  words (:func:`echoes`: 完税证明是吧？ after 要先开完税证明), a request put as a question (:data:`REQUEST`: 能快点吗,
  帮我复印一下行吗) and a question the citizen answers himself in the same turn
  (找着了 answers his own 我钥匙放哪了: :func:`found_it`).
* The staff act detector's answer acts (:data:`ANSWER_ACTS`, trained on
  ``acts-answers.toml``) say which kinds of answer a reply gives
  (:func:`heard_answers`): a kind it hears answers a question of that kind; a
  later reply it hears answering nothing gives no answer by words alone (行 is
  also a row of a form); in an instruction it hears giving no place, 这儿 and
  那边 point at the work, not at a place; a number in a reply heard giving a
  cost or a time is that sum or time, not a count; and a reply heard answering
  only another kind leaves a second question of its own kind, or a yes/no one,
  open (:func:`explained_by`: 收费吗？能寄吗？ … 收二十块); a "how" is answered by an instruction only when the
  detector hears a step of the way in it (核对一下信息 is none), except in the
  citizen's first turn, where 居住证怎么办 asks for the service itself. 行了 /
  好了 alone close the work, they say no yes (:data:`DONE`).
* Two questions in one turn: a reply's yes or no belongs to the one it talks
  about (:func:`claimed_by`: 体检表要原件吗？今天能拿吗？ … 体检表要原件 says
  nothing of today); in a later reply, words the visit was already about (the
  matter's name, said before the question) tie it to no question; a later
  list of other materials does not answer 要带原件吗; a counter-question about
  the procedure (您选哪一档？) is no request to clarify (only a bare 哪个？ is,
  :data:`CLARIFY_WHICH`); in a reply heard answering nothing, the words of its
  instructions (去那边复印一下) are the work's, not an answer; a request made
  for someone else (我老伴能帮我领吗, :data:`THIRD_PARTY`) is a question.

Only clear questions are judged (:func:`questions`): a clause of at least
:data:`MIN_QUESTION_CHARS` characters with a question pattern; 啊？ or 啥？ asks
the clerk to repeat, and a clause ending in 呢 with no question word is a
statement. These are rules written from what a question asks, not fitted to
any data; they lean towards calling a question answered, since a false
"unanswered" accuses the clerk.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from analyzer.rules.destinations import names_destination

#: Question words and patterns, matched on normalized (simplified, no punctuation) text.
QUESTION_RE = re.compile(
    r"什么|为什么|怎么|怎样|哪|多少|多久|多长时间|多大|多远|(?<![这那有好没十])几[个点天号月岁次]|谁|"
    r"(?<!不)(能|可|会|是|有|要|对|行|好|用)不\1|可不可以|是否|有没有|请问"
)
#: Final particles of a question, checked on the simplified text before normalization drops them.
#: 嘛 at the end of a statement asserts (我又不是故意的嘛): it asks only with a question mark.
QUESTION_END_RE = re.compile(r"[吗呢么][\s。.!！…~～]*$|嘛\s*[?？]\s*$|[?？]\s*$")


def is_question(text: str) -> bool:
    """True when ``text`` reads as a question (see the module docstring)."""
    from analyzer.text.normalize import normalize, to_simplified

    simple = to_simplified(text).strip()
    return bool(QUESTION_END_RE.search(simple) or "?" in simple or "？" in simple
                or QUESTION_RE.search(normalize(text)))


#: Question kind -> pattern in the question (simplified text).
QUESTION_KINDS: dict[str, re.Pattern[str]] = {
    "cost": re.compile(r"多少钱|收费|要钱|交钱|费用|花钱|免费|(?<![这那有好没十])几块|多少块|给钱|交费|收钱|付钱|"
                       r"贵不贵|花多少|[本续]费|收不收|交不交|掏钱|(?<![这那有好没十])几个钱|"
                       r"白给|自费|(?:自己|个人)?出[^，,。？?]{0,4}钱|"  # 是白给还是要自己出一部分钱
                       r"(?:钱|费|补贴|津贴|工资|养老金)[^，,。？?]{0,6}(?:多少|几百|几千)"),  # 这个钱一个月多少
    "time": re.compile(r"多久|多长时间|几天|什么时候|啥时候|几号|几点|哪天|多快|当天|(?:礼拜|星期|周)几|哪(?:一)?年|哪个月|几月|"
                       r"(?:今天|马上|现在|这会儿?|眼下|立马)(?:就|还)?(?:能|可以|办|给)|"
                       r"要等|等多|几个工作日|啥时|何时|多会儿|多少(?:个)?(?:天|工作日|小时|分钟|日子)"),
    "place": re.compile(r"哪儿|哪里|哪边|[在去搁放扔塞]哪|什么地方|啥地方|几楼|哪个窗口|几号窗口|哪个部门|"
                        r"往哪|哪一个窗口|哪层|哪搭|阿达|哪达|哪嘎达"),
    "material": re.compile(r"带什么|要什么材料|需要什么|带啥|要啥|什么材料|哪些材料|啥材料|什么证|"
                           r"(?:拿|带|准备|备)(?:些|点|哪些)(?:啥|什么|东西)|"  # 要拿些啥？ (session 13)
                           r"要带|带不带|需要带|要不要带|证件|复印件|照片|"
                           r"(?:本|证|照|件|明|表|书)(?:也|还)?(?:要不要|要吗|用不用|用吗|需要吗|需不需要|得带|带吗)"),
    "way": re.compile(r"怎么|如何|咋|怎样|流程|步骤|手续(?!费)|咋个|咋整|怎么弄|怎么办"),
    "who": re.compile(r"谁|哪位|本人|代办|替|帮.{0,3}(?:签|办|领)|委托"),
    # 这几个钱, 还有几个客户, 好几次: a few, not how many
    "amount": re.compile(r"多少|(?<![这那有好没十])几[个份张次年岁]|多大"),
    "which": re.compile(r"哪个|哪一个|哪种|哪样|哪项|哪一栏|哪一项|叫啥|叫什么|是啥|是什么"),
    "what_if": re.compile(r"要是|如果|万一|假如|假设|那要|不了|没有的话|咋办|怎么办"),
    "yesno": re.compile(r"吗|(?<![什怎这那多要])么\s*[？?]?\s*$|能不能|可不可以|是不是|要不要|有没有|行不行|用不用|需不需要|会不会|"
                        r"对不对|好不好|能否|可否|成不成|中不中|得不得|还.{0,4}吧[？?]?$|吧[？?]"),
}
#: Answer kind -> pattern in the staff's reply that gives an answer of that kind.
ANSWER_KINDS: dict[str, re.Pattern[str]] = {
    "cost": re.compile(r"钱|元|免费|收费|费用|工本费|不要钱|不用交|不收|扫码|[0-9一二三四五六七八九十百千]+[元块]|"
                       r"[0-9一二三四五六七八九两]+[百千万]多?|"  # 六百多, 两千
                       r"(?:一共|总共|共计)[0-9一二三四五六七八九十百千两]+|"
                       r"微信|支付宝|刷卡|现金|交个?[0-9一二三四五六七八九十百千两]+"),
    "time": re.compile(r"[0-9一二三四五六七八九十两几半]+\s*(?:个)?(?:天|日|小时|分钟|周|星期|月|年|号|个工作日)|"
                       r"(?:[0-9两三四五六七八九十]|十一|十二|一点半|一点钟)\s*点|"
                       r"马上|当场|当天|立即|立马|很快|今天|明天|后天|下周|之内|以内|以后|前后|随时|现在就|"
                       r"(?:礼拜|星期|周)[一二三四五六日天1-7]|"
                       r"一会儿|等会|工作日|月底|月初|年底|"
                       r"快(?:了|好了|完了|出来了)|就好|就出来|差不多了"),  # 快了，在打证呢: soon is a time
    "place": re.compile(r"楼|层|窗口|[0-9一二三四五六七八九十]号|厅|左|右|旁边|对面|门口|这儿|那儿|这里|那里|这边|那边|里面|中心|"
                        r"局|所|站|社区|街道|网上|手机上|app|APP|小程序|二维码|这搭|那搭|这达|那达|"
                        r"在[\u4e00-\u9fff]{1,6}|栏|页|(?:这|那|第.{1,2})一?行|格|处|地方"),
    "material": re.compile(r"证|本|书|表|照片|照|复印|原件|材料|卡|合同|章|发票|证明|不用带|都不用|就行"),
    "way": re.compile(r"先|再|然后|填|交|签|拿|去|点|扫|上传|提交|按|办理|流程|步骤|网上|手机|这样|"
                      r"那样|跟我|我给您|我帮您|我来"),
    "who": re.compile(r"本人|代办|代领|委托|家属|亲属|亲自|可以|不行|不能|必须|谁都|都行|谁来都"),
    "amount": re.compile(r"[0-9一二三四五六七八九十两百千万几半]+|都|全部|一样"),
    "which": re.compile(r"这个|那个|这种|那种|这一|那一|这栏|那栏|叫|是|第[0-9一二三四五六七八九十]|"
                        r"[0-9一二三四五六七八九十]+号|红|蓝|绿|黄|白|左边|右边|上面|下面"),
    "what_if": re.compile(r"再|就|也|还|可以|能|打|来|去|找|没关系|不要紧|不影响"),
}
#: A yes or a no: a clause of the reply that opens with one (after a filler) or closes on one.
#: A yes/no word inside a clause (核对, 别眨眼, 有没有错) is the procedure, not a reply, and so is one
#: opening a clause's subject (能提的是个人自付部分: what can be drawn is …).
YES_NO = re.compile(
    r"^(?:嗯|哦|噢|啊|呃|唉|哎|那个|这个|是这样|那|您放心|放心)?[\s，,]*"
    r"(?!不好意思|不客气|对不起)"  # an apology or thanks says no yes and no no (session 13)
    r"(?:能|可以|行(?!了)|不|没|要|用|是|对|有|会|得|必须|当然|肯定|好(?!了)|中|成|甭|够|齐|差|缺|一定|照样)"
    r"(?![\u4e00-\u9fff]{1,3}的(?:是|有|都|就|话))"  # 能提的是…: what can be drawn, no yes
    r"(?![\u4e00-\u9fff]{1,3}就(?!行|好|可以|够))"  # 没问题就上报: if so, then — no yes (session 13)
    r"|(?:行|可以|能|不行|不能|没问题|没有|不用|不要|就够|就好|都行|都可以|都能|不收|免了|都对|没错|不对|"
    r"就这些|就这几样|就这两样|就这三样|没别的|没了)"
    r"[了啊呀的哦嘞哈呢吧]*[。！!.…]*$"
    r"|不行|不能|不可以|没法|不用|不需要|不要|不收|办不了|不可能|没有")
#: The yes/no verbs of a question; a reply that echoes one anywhere answers it (能寄吗 … 就能寄).
MODALS = re.compile(r"能|可以|行|要|用|是|有|会|得|收|寄|上班|开门")
#: A request put as a question (能快点不？ 可以帮我复印一下吗？): taken up, not answered (Article 5
#: asks for answers to 询问; a request refused is another article's).
REQUEST = re.compile(r"(?:能|可以|可不可以|能不能|麻烦你?|劳驾)[^？?，,]{0,3}"
                     r"(?:快|先|帮|给我|大点声|大声|慢点|再说|复印|看看|照顾|通融|多开|开两|开一|加急|多给|多打|"
                     r"一次|一回|一口气|一下子|全(?:说|讲|告诉)|都(?:说|讲|告诉))")  # 能一次说全吗: tell it all
#: Someone other than the clerk (我儿子能帮我取吗？): a question whether *they* may act, not a
#: request to the clerk.
THIRD_PARTY = re.compile(r"他|她|儿子|女儿|孩子|闺女|老伴|爱人|家人|家里人|别人|亲戚|朋友|爸|妈|"
                         r"媳妇|老公|老婆|丈夫|妻子|同事|邻居|代办|亲属")
#: A question that asks whether the matter belongs here (在这办吗 / 是这个窗口吧):
#: the clerk who takes the matter up without sending the citizen on has said yes.
HERE = re.compile(r"在这|这儿|你这|这里|这个窗口|是这|这边|这办|这交|给你")
#: Asking who has answered (喂，是出入境那边吗？ 这里是社保局吧？): taking the matter up says yes (session 13).
IS_THIS = re.compile(r"^(?:喂|您好|你好)?[，,\s]*(?:请问)?(?:是|这是|这里是|你们是|你们这是|您这是)[^，,。？?]{1,12}(?:吗|吧|么)[？?]?$")
#: A reply that turns the citizen away or elsewhere (so taking up is not a yes).
_NOT_HERE = re.compile(r"不|没|别的|(?<![进出上下回过])去|到.{0,8}(?:窗口|楼|厅)|找")
#: A reply that goes on with the procedure: an instruction to the citizen.
MOVES_ON = re.compile(r"^(?:请您?|您?先|你先|把|麻烦您?|来|在这|这儿|这里|那边|稍等)|(?:要|得|需要|你|您|请)把|"
                      r"按|签|填|拍|出示|给我|拿|递|放|扫|看一下|核对|标|写|选|点一下|刷|对准|站|坐|"
                      r"盖|贴|画|复印|上传|提交|办好了|办完了|弄完了|弄好了|给您|拿好|收好|"
                      r"看镜头|看这|别动|抬头|低头|眨眼|摘下|张嘴")
#: Characters a clause needs to be judged as a question (啊？ 啥？ ask to repeat).
MIN_QUESTION_CHARS = 4
#: A reply that asks the citizen what they meant, or sets out to explain (the answer comes after).
CLARIFY = re.compile(r"您是说|你是说|您说的是|你说的是|什么意思|您是要|你是要|是不是说|您是想|你是想|"
                     r"(?:您|你)(?:刚才)?(?:问|说)(?:的是)?(?:啥|什么)|"  # 您刚才问啥？: say it again, I listen
                     r"(?:给|跟|和)(?:您|你)[^，,。]{0,4}(?:说说|讲讲|解释|说一下|讲一下|说明)|我跟您说|是这样")
#: A short counter-question (哪个？ 您说哪一个？) asking which thing the citizen means; in a longer
#: clause (您选哪个缴费档次？) 哪个 asks the citizen's choice in the procedure, not what he meant.
CLARIFY_WHICH = re.compile(r"^[^，,。？?]{0,3}哪(?:个|一个|样|种)[^，,。？?]{0,2}[？?。]?$")
#: Clause boundaries.
_CLAUSES = re.compile(r"(?<=[？?！!。；;])|[，,]")
#: A clause that is a question (after simplification); 吧 and 嘛 (assertive at a statement's
#: end) only with a question mark.
_QUESTION_END = re.compile(r"[吗呢么][\s。.!！…~～]*$|[吧嘛]\s*[?？]\s*$|[?？]\s*$")
#: Characters that carry no content when comparing a question with a reply.
_FUNCTION_CHARS = set("的了吗呢吧啊呀哦嗯么是不在有要能我你您他她它们这那个就也都还和与就一下什么怎么"
                      "哪儿里去到给把被让请问可以好行对没咋啥")


#: A rhetorical question, which asserts or reproaches and asks nothing (不是八点半上班吗？ 不就一个章吗？
#: 就不能对一下？ 难道… 刚才咋没说呢？).
RHETORICAL = re.compile(r"^[^，,。？?]{0,6}(?<!是)(?:不是|不就|不才|不都|不也)[^，,。？?]{1,14}(?:吗|嘛|么)|难道|"
                        r"(?:就|都)不能[^，,。？?]{0,10}[吗嘛么？?]|"
                        # 刚才咋不一起说呢？ 怎么没早点告诉我？: why was it not said, a reproach (session 13)
                        r"(?:咋|怎么|为啥|为什么|干嘛)(?:不早|早不|没|不)(?:[^，,。？?]{0,4}?)(?:说|讲|告诉|提)|"
                        r"^我(?:哪|哪里|哪儿)(?:知道|记得|晓得|懂|会|有|敢|认得)(?![^，,。？?]*(?:哪|几|什么|啥|多少))|"  # 我哪记得那些: I don't, no question
                        r"^我(?:咋|怎么|哪)(?:没|不)(?:问|说|讲|带|交)[？?！!]*$|"  # 我咋没问？ protests, asks nothing
                        r"(?:你|您)(?:咋|怎么|干嘛)(?:还|又|老)(?:问|要|让|叫)|"  # 你怎么还问用途？ reproaches
                        r"^(?:鬼|天|谁)(?:才)?(?:知道|晓得)|"
                        r"(?:你们|你)(?:到底|究竟)?(?:在|都在)?(?:干啥|干什么|干嘛|搞啥|搞什么)(?:吃的)?[？?！!]*$")  # 你们到底在干啥？  # 谁知道哪儿不规范！: nobody knows, no question
#: The citizen saying he does not know (不知道塞哪了, 忘了放哪儿): a statement, unless marked as a question.
UNKNOWING = re.compile(r"不知道|不晓得|不清楚|忘了|记不得|想不起")
#: Musing without a question mark: a question word after 看 (看你几点开, 看看啥时候能好) or the citizen
#: searching his own things (我身份证放哪了): said to oneself, no question to the clerk.
MUSING = re.compile(r"^(?:那|我|我就|我倒要)?(?:看看?|瞧瞧?|等着看)[^，,。？?]{0,4}(?:几|啥|什么|怎么|哪|多)|"
                    r"我[^，,。？?]{0,4}(?:放|搁|塞|扔|丢|忘)[^，,。？?]{0,2}哪|"
                    r"^[^，,。？?]{0,6}(?:放|搁|塞|扔|丢)(?:到|在)?哪(?:儿|里|去)?了")  # 户口本塞哪了……
#: A clause that trails off (看能不能……, 那我……): with no question mark, no insisting and no question
#: word of a specific kind it puts no question (an elliptical repeat of an earlier one, 那健康证……, is
#: read by :func:`elliptical`).
#: A question word used as "some …, only then" (哪天飞不动了才算完, 什么时候想通了才来): a statement.
INDEFINITE = re.compile(r"(?:哪天|哪年|什么时候|啥时候|哪一天)[^，,。？?]{1,10}才")
#: A 几 after a negation (寄不回来几个钱, 没几天): not many, a statement (session 13).
NOT_MANY = re.compile(r"[不没][^，,。？?]{0,5}几[个天次块年回]|了几[个天次块年回]")  # 雇了几个: a few
TRAILS_OFF = re.compile(r"(?:…|\.\.\.)+\s*$")


@dataclass(frozen=True)
class Question:
    """One question in a citizen turn: its text and kinds."""

    text: str
    kinds: frozenset[str]


def _simple(text: str) -> str:
    from analyzer.text.normalize import to_simplified

    return _FINAL_ME.sub("么", to_simplified(text).strip())


#: 么 at a question's end, which the traditional-to-simplified conversion writes 幺 (现在能查么？ became
#: 现在能查幺？): put back, so the final particle asks (a 幺 read out in a number is not at a clause's end).
_FINAL_ME = re.compile(r"(?<=[\u4e00-\u9fff])(?<![一二三四五六七八九零〇幺两十])幺(?=\s*(?:[？?。！!，,…]|$))")


def questions(text: str, *, rhetorical: bool = False, short: bool = False) -> list[Question]:
    """The questions of one citizen utterance, in order (empty when it asks nothing).

    A rhetorical question (:data:`RHETORICAL`: 不是两点半吗？) and a statement of
    not knowing (:data:`UNKNOWING`) ask nothing, unless ``rhetorical`` (what an
    outburst asks, for calming it). With ``short``, a place question under
    :data:`MIN_QUESTION_CHARS` counts too (那去哪儿？ after being sent away).
    """
    from analyzer.text.normalize import normalize

    out = []
    before = ""  # the clause before, for an alternative question (是一次性打到卡上，还是每个月补？)
    for clause in (c.strip() for c in _CLAUSES.split(_simple(text))):
        if not clause:
            continue
        clause, before = (f"{before}，{clause}" if before and clause.startswith("还是") else clause), clause
        worded = bool(QUESTION_RE.search(normalize(clause)))
        ends = _QUESTION_END.search(clause)
        if not rhetorical and (RHETORICAL.search(clause) or (UNKNOWING.search(clause) and not ends)):
            continue  # 不是八点半上班吗？ asserts; 不知道塞哪了 states
        if TRAILS_OFF.search(clause) and not re.search(r"[?？]", clause) and not INSIST.search(clause) \
                and not any(QUESTION_KINDS[k].search(clause) for k in SPECIFIC | {"amount"}):
            continue  # 我给他们打个电话，看能不能……: thinking aloud (我就问那个多长时间到账…… still asks)
        if MUSING.search(clause) and not re.search(r"[?？]", clause):
            continue  # 看你几点开。 我身份证放哪了……: said to oneself, no question put
        if (INDEFINITE.search(clause) or NOT_MANY.search(clause)) and not re.search(r"[?？吗呢么]", clause):
            continue  # 哪天飞不动了才算完。: someday, then only — no question put
        if not (worded or ends) or (ends and ends.group(0).startswith("呢") and not worded):
            continue
        kinds = frozenset(k for k, pat in QUESTION_KINDS.items() if pat.search(clause))
        if kinds & {"cost", "time"}:
            kinds -= {"amount"}  # 多少钱, 几天: the money or the time is the amount asked
        out.append(Question(clause, kinds or frozenset({"yesno"})))
    found = [q for q in _merge(out)  # 啊？ 啥？ ask to repeat; with ``short``, 那去哪儿？ asks a place
             if len(normalize(q.text)) >= MIN_QUESTION_CHARS or (short and "place" in q.kinds)]
    # 啊？这个月才改的？那去哪儿办？: a statement said back in surprise, the real question after it
    return [q for k, q in enumerate(found)
            if not (_said_back(q) and any(not _said_back(r) for r in found[k + 1:]))]


def _said_back(question: Question) -> bool:
    """A statement with a question mark and nothing else asking (这个月才改的？; not 收不收工本费？)."""
    return is_check(question) and question.kinds <= {"yesno", "who"} and not re.search(r"啥|什么", question.text) \
        and not re.search(r"([\u4e00-\u9fff])[不没]\1", question.text)


def _merge(found: list[Question]) -> list[Question]:
    """Join a question's lead-in clause (我问一下，…) to the question it introduces."""
    out: list[Question] = []
    for q in found:
        if out and not out[-1].text.endswith(("？", "?")) and not _QUESTION_END.search(out[-1].text) \
                and out[-1].kinds <= {"yesno"}:  # 一个是护照丢了怎么补，还有…要不要我跟着？: two questions
            prev = out.pop()
            q = Question(f"{prev.text}，{q.text}", prev.kinds | q.kinds)
        out.append(q)
    return out


def _content(text: str) -> set[str]:
    """Content bigrams of a text (function characters dropped)."""
    chars = _content_chars(text)
    return {a + b for a, b in zip(chars, chars[1:], strict=False)}


def _content_chars(text: str) -> list[str]:
    from analyzer.text.normalize import normalize

    return [c for c in normalize(text) if c not in _FUNCTION_CHARS]


def shares_content(question: str, reply: str, topic: str = "") -> bool:
    """A content bigram, or two content characters, in common (none of them already in ``topic``)."""
    known, known_chars = _content(topic), set(_content_chars(topic))
    if (_content(question) & _content(reply)) - known:
        return True
    return len((set(_content_chars(question)) & set(_content_chars(reply))) - known_chars - _WEAK_CHARS) >= 2


#: Characters too common in any talk of a visit to tie a reply to a question alone (补上再来 shares 上
#: with 打到卡上 and says nothing of it; session 13).
_WEAK_CHARS = frozenset("上下来去到过再又着")


#: A question that asks for confirmation of what the citizen already believes (…吧？).
_CONFIRM = re.compile(r"吧\s*[?？]?\s*$")


def is_request(question: Question) -> bool:
    """True when the question is a request to the clerk (:data:`REQUEST`).

    A request made for someone else (:data:`THIRD_PARTY` before it: 我儿子能帮我取吗)
    asks whether they may act: a who-question the clerk owes an answer.
    """
    m = REQUEST.search(question.text)
    return m is not None and not THIRD_PARTY.search(question.text[:m.start()])


#: Whether something is complete (够了吗, 齐了吧): 差 / 缺 / 少 answer it as well as 够 / 齐.
_COMPLETE_Q = re.compile(r"够|齐|全")
_COMPLETE_A = re.compile(r"够|齐|全|差|缺|少|还要|还得")


#: The clerk saying it is done here (我这儿能开, 这儿就能办, 我们这里可以办): yes to "is it here?".
_HERE_YES = re.compile(r"(?:我|我们|咱|咱们)?(?:这儿|这里|这边)(?:就|也|都)?(?:能|可以)(?:办|开|做|交|领|弄|给)")


def _echoes_predicate(question: str, reply: str) -> bool:
    """True when the reply opens on the last content word of a yes/no question (完了？ … 完了，…)."""
    from analyzer.text.normalize import normalize

    chars = _content_chars(question)
    first = next((c for c in _CLAUSES.split(reply) if c.strip()), "")
    head = normalize(first)
    return bool(chars) and len(head) <= 4 and bool(head) and chars[-1] in head


def _echoes_modal(question: str, reply: str) -> bool:
    """The question's yes/no verb said back: with the verb it asks about (能寄吗 … 就能寄; 要交费吗 … 要写到
    园区 is another verb, session 13), or alone at a clause's edge (能，… / …都能)."""
    asked = {(m.group(0), _verb_after(question, m.end(), m.group(0))) for m in MODALS.finditer(question)}
    for m in MODALS.finditer(reply):
        after = reply[m.end():m.end() + 1]
        sure = reply[max(0, m.start() - 1):m.start()] in _SURE  # 就能给您打出来: an assured yes
        if any(m.group(0) == mod and (not verb or sure or after == verb or not after or after in _EDGE)
               for mod, verb in asked):
            return True
    return bool(_COMPLETE_Q.search(question) and _COMPLETE_A.search(reply))


#: What before a yes/no verb makes it an assured yes (就能, 都能, 肯定能, 当然可以).
_SURE = frozenset("就都也定准然")
#: What may follow a yes/no verb closing its clause (能。 行啊 要的).
_EDGE = frozenset("，,。.！!？?…了的啊呀哦嘞哈呢吧")


def _verb_after(question: str, end: int, modal: str) -> str:
    """The character the question's yes/no verb governs (要交费吗 → 交; 能不能寄 → 寄); empty when it closes
    the question (能吗, 行不行), so any saying of the verb answers."""
    rest = question[end:]
    if rest.startswith(("不" + modal, "没" + modal)):
        rest = rest[1 + len(modal):]
    head = rest[:1]
    return "" if not head or head in _EDGE or head in "吗么嘛不没" else head


#: A sum told with its magnitude (五十万, 三千多, 两百块; session 12): the answer to a how-much.
SUM_TOLD = re.compile(r"[0-9一二三四五六七八九十两几半]+(?:万|千)|[0-9一二三四五六七八九十两]+百(?!分)|"
                      r"[0-9一二三四五六七八九十两百千万]+(?:元|块)")
#: The citizen asking whether his matter is done (好了没有？ 办完了吗？ 出来了没; session 12) …
DONE_Q = re.compile(r"(?:好|完|办好|弄好|做好|办完|弄完|打好|印好|出来)了?(?:没有?|吗|么|嘛|没)[啊呀呢]?[？?。]*$")
#: … answered by the clerk saying it is (好了，拿去; 办好了; 出来了，核对一下).
DONE_A = re.compile(r"^(?:嗯|哦|对)?[，,]?(?:好了|办好了|弄好了|做好了|完了|办完了|弄完了|打好了|印好了|出来了)")
#: A clause that only says the work is done (行了, 好了): it closes, it does not say yes.
DONE = re.compile(r"^(?:行|好)了[。！!.…]*$")


def says_yes_or_no(reply: str, question: str = "") -> bool:
    """True when a clause of ``reply`` opens or closes on a yes or a no (:data:`YES_NO`).

    A clause that only closes the work (:data:`DONE`: 行了，这个弄完了) is no yes, nor is
    one that asks back (带了没有？). Given the ``question``, a clause closing on a yes
    or a no about a subject of its own that the question does not name (户口本没问题,
    四样东西带齐就行 to 我妈能代办吗？) says it of that subject, not of the question.
    """
    from analyzer.text.normalize import normalize

    def about(clause: str) -> bool:
        m = YES_NO.search(clause)
        if m is None or not question or m.start() == 0 or _LEAD.fullmatch(clause[:m.start()] + "，"):
            return m is not None
        subject = normalize(clause[:m.start()])
        if len(subject) <= 2 or _content(subject) & _content(question):
            return True
        # a thing named (户口本没问题) is the subject, unless the question names it; a verb (寄过来也行, 窗口办不了)
        # may be its
        return bool(set(_content_chars(clause[:m.end()])) & set(_content_chars(question))) \
            and not ANSWER_KINDS["material"].search(subject)

    return any(about(c.strip()) and not DONE.match(c.strip())
               and not c.strip().endswith(("？", "?"))  # 带了没有？ asks back, it says no no
               for c in _CLAUSES.split(_simple(reply)) if c.strip())


def explained_by(reply: str, question: Question, others: list[Question],
                 heard: frozenset[str] | None = None) -> bool:
    """True when ``reply`` gives a kind-specific answer to another question and none to ``question``.

    A clerk asked 什么时候来取？花多少钱？ who says 一个钟头以内 has answered the
    first and left the second: that reply is not a possible answer to it.
    ``heard`` is as for :func:`answers`.
    """
    if answers(question, reply, first=False, heard=heard):
        return False
    if others and heard and heard & SPECIFIC and not heard & (question.kinds | {"yesno"}):
        return True  # the detector hears it answering of another kind only (a yes/no too)
    if not question.kinds & SPECIFIC:
        return False
    return any(answers(o, reply, first=True, heard=heard) for o in others
               if o is not question and o.kinds & SPECIFIC and not o.kinds & question.kinds)


#: Question kinds whose answers are specific enough to tell one question's answer from another's.
SPECIFIC = frozenset({"cost", "time", "place", "material"})


#: A reply that only puts the answer off (稍等，我查一下): it promises an answer, it gives none.
STALL = re.compile(r"^(?:好的?|嗯|行|哦|那个)?[，,\s]*(?:您|你)?(?:稍等|等一下|等一等|等会儿?)?[，,\s]*"
                   r"(?:我(?:先|帮您|帮你|给您|给你)?(?:查|看|问|翻|找)(?:一下|查|看|问问|一查)?)?"
                   r"[，,。.！!\s]*$")


def stalls(reply: str) -> bool:
    """True when ``reply`` only asks the citizen to wait while the clerk looks (:data:`STALL`)."""
    simple = _simple(reply)
    return bool(STALL.match(simple)) and bool(re.search(r"等|查|看|问|翻|找", simple))


def moves_on(reply: str) -> bool:
    """True when the reply goes on with the procedure (:data:`MOVES_ON`) or to the next citizen."""
    return bool(MOVES_ON.search(_simple(reply)) or NEXT_CALL.search(_simple(reply)))


#: Words that hurry the citizen (快点, 搞快, 麻利点, 赶紧, 磨蹭): they answer nothing, and a
#: reply in them (快点，要下班了) answers no question whatever forbidden phrase it is read as.
RUSH_WORDS = re.compile(r"(?:搞|弄|再)?快(?:点|些|一点|着点|签|写|走|填)|搞快|麻利点?|利索点|赶紧|抓紧|"
                        r"磨磨蹭蹭|磨蹭|别磨|到点了|时间到了|没时间了")


#: The clerk calling the next citizen (下一位, 下一个！, 请二十三号到五号窗口): it passes over whatever
#: was asked; the call answers nothing and ends the visit for the clerk. 下一个 only at a
#: clause's end (下一个窗口 is a place).
NEXT_CALL = re.compile(r"下一位|下一个(?:人|群众)?(?=\s*(?:[，,。！!…~～]|$))|下一个(?:请|过来|上来)|"
                       r"请?[0-9一二三四五六七八九十百零]+号(?:请)?(?:到|来|过来)[0-9一二三四五六七八九十]+号?窗口|"
                       r"叫号了|叫下一|"
                       r"[A-Za-z][0-9]{2,4}号?(?:在吗|在不在|来了吗|请|到)")  # B017号在吗？: a ticket called (session 13)


#: A queue ticket called out (A032号, 三十五号): beside a call of the next citizen, part of it.
TICKET = re.compile(r"^(?:请)?[A-Za-z]?[0-9一二三四五六七八九十百零]+号?(?:请)?[。！!…~～]*$")  # 十八号！


def calls_next(reply: str) -> bool:
    """True when a staff utterance calls the next citizen (:data:`NEXT_CALL`)."""
    return bool(NEXT_CALL.search(_simple(reply)))


#: Why a rush hurries (要下班了, 后面还有人, 我这还有一堆人呢): a clause of the rush, no answer.
RUSH_REASON = re.compile(r"下班|到点|关门|时间到|没时间|后面(?:还)?有人|人多|排着|等着|"
                         r"(?:一堆|一排|一大堆|这么多|好多|一屋子)人|排(?:了|着)[^，,。！!]{0,5}人")


#: The clerk putting the question off or winding the talk up (你过会儿再打吧, 你回来再说哈, 行，就这样;
#: session 12): no answer, however a number or a 行 in it reads. A clause of its own.
PUT_OFF = re.compile(r"(?:过会儿?|过一会儿?|一会儿?|等会儿?|回头|回来|改天|以后|下回|下次|有空|忙完)"
                     r"(?:你|您)?再(?:打|说|来|问|讲|聊|联系)|^(?:那|行|好)?就这样(?:吧|啊|哈|了)?[。！!…~～]*$")
#: A bare 行 / 好 / 好了 / 那行 beside a put-off or a call of the next: the clerk winding up, no yes.
_WIND_ASSENT = re.compile(r"^(?:那)?(?:行|好|好了|行了|得了|嗯)[。！!…~～]*$")


def dismissed(simple: str) -> str:
    """``simple`` without the clauses that dismiss the citizen (see :data:`PUT_OFF`).

    When the reply calls the next citizen (:data:`NEXT_CALL`) or puts the
    question off (:data:`PUT_OFF`), those clauses, a queue ticket, the busy
    reason given with them (:data:`RUSH_REASON`: 我这还有一堆人呢) and a bare
    winding-up 行 / 好了 say nothing of what was asked: what is left is the reply.
    """
    clauses = [c for c in re.split(r"[，,。！!；;]", simple) if c]
    if not any(NEXT_CALL.search(c) or PUT_OFF.search(c.strip()) for c in clauses):
        return simple
    return "，".join(c for c in clauses
                    if not NEXT_CALL.search(c) and not TICKET.match(c.strip()) and not PUT_OFF.search(c.strip())
                    and not RUSH_REASON.search(c) and not _WIND_ASSENT.match(c.strip()))


def puts_off(reply: str) -> bool:
    """True when ``reply`` puts the question off or winds up (:data:`PUT_OFF`) and says nothing else."""
    simple = _simple(reply)
    return any(PUT_OFF.search(c.strip().rstrip("。！!…~～ ")) for c in re.split(r"[，,。！!；;]", simple) if c) \
        and passes_over(reply)


def answers(question: Question, reply: str, *, first: bool = True,
            heard: frozenset[str] | None = None, opening: bool = False,
            others: Sequence[Question] = (), topic: str = "") -> bool:
    """True when the staff's ``reply`` answers ``question`` (see the module docstring).

    Args:
        question: The citizen's question.
        reply: A staff utterance of its response.
        first: Whether it is the staff's first reply (read leniently).
        heard: The answer kinds the staff act detector hears in ``reply``
            (:func:`heard_answers`); None when no detector runs. With it, a
            reply answers a question of a kind it hears, and the answer-word
            patterns (:data:`ANSWER_KINDS`) of the detector's kinds count in a
            later reply only when the detector hears it answering something
            (行，我这边给您登记 names no row of a form).
        opening: Whether the question is in the citizen's first turn, where
            "how do I get X" asks for X: taking the matter up answers it.
        others: The other questions of the same citizen turn. A reply that
            answers one of them (:func:`claimed_by`) answers this one only by
            sharing its content.
        topic: What was said in the visit before the question: in a later
            reply, words the visit was already about (the matter's name) tie
            the reply to no question.
    """
    simple = _simple(reply)
    # 好了，下一位，A032号 / 我这窗口前面站了一排人，你过会儿再打吧: calling the next or putting off answers nothing
    simple = dismissed(simple)
    if RUSH_WORDS.search(simple):  # 快点，要下班了 hurries (点 no button, 要 no yes): judged on
        simple, heard = "，".join(c for c in re.split(r"[，,。！!；;]", simple)  # the other clauses
                                 if c and not RUSH_WORDS.search(c) and not RUSH_REASON.search(c)), None
    if not simple.strip("，,。.！! "):
        return False
    if ANY_MORE.search(question.text) and MORE_TOLD.search(simple):
        return True  # 不会下回又多一样吧？ … 就这三样: none more, whatever else the turn asked
    if first and IS_THIS.search(question.text) and not _NOT_HERE.search(simple):
        return True  # 喂，是出入境那边吗？我问一下… … 能啊，…: the office took it up, whichever question it answers
    if others and claimed_by(question, simple, others, heard):
        return False
    return _answers(question, simple, first=first, heard=heard, opening=opening,
                    topic="" if first else topic)


#: A reply opening on an assent of its own (嗯，… 对，… 是的，…): a yes to a yes/no question, the work after it.
#: Not 好 / 行, which take a request up, and not 对不起.
ASSENT_HEAD = re.compile(r"^(?:嗯+|对|对的|是|是的|没错|有)[，,。！!；;]")
#: What to put in a form (这栏写啥？ 类别勾哪个？) …
WHAT_TO_WRITE = re.compile(r"(?:写|填|选|勾|打|点)(?:啥|什么|哪)")
#: … answered by the thing to put, after its verb (写遗失, 勾第二个, 填你的开户行).
WRITTEN = re.compile(r"(?:写|填|选|勾|打|点)(?:上|个|一个)?[“\"「『]?[\u4e00-\u9fff0-9A-Za-z]")
#: Telling the citizen to bring something (带上, 带来, 准备好, 拿过来).
BRING = re.compile(r"带(?:上|来|着|过来|齐)|准备(?:好|上)?|拿(?:来|过来)")
#: A list of materials handed over (这是材料清单, 我写在这张纸上了, 一次性告知单).
SLIP = re.compile(r"清单|告知单|告知书|写(?:在|给)(?:您|你)?[^，,。]{0,4}(?:纸|单|背面|上)|给您写|给你写")
#: A question after a contact (有电话没？ 热线多少？ 号码是多少？) …
CONTACT_Q = re.compile(r"电话|号码|热线|联系方式|手机号")
#: … answered by a number told (114, 零九三五…, 12345).
NUMBER_TOLD = re.compile(r"[0-9]{3,}|[零一二三四五六七八九幺]{3,}")
#: A bare assent (嗯。 对。 是的。 好。): it confirms a check (那我走了？ 就这样？).
BARE_ASSENT = re.compile(r"^(?:嗯|嗯嗯|对|对的|是|是的|好|好的|行|可以|没错)[。！!.…~～]*$")


def is_check(question: Question) -> bool:
    """True when the question is a statement with a question mark (这就好了？ 明天来？): a check."""
    from analyzer.text.normalize import normalize

    return not QUESTION_RE.search(normalize(question.text)) \
        and not re.search(r"[吗嘛呢么吧]", question.text)


def _asks_for_item(question: Question, heard: frozenset[str]) -> bool:
    """A yes/no question about one material (要带原件吗): a later list of others does not answer it."""
    return "yesno" in question.kinds and question.kinds & heard <= {"material"}


def claimed_by(question: Question, reply: str, others: Sequence[Question],
               heard: frozenset[str] | None) -> bool:
    """True when ``reply`` answers another question of the turn, and nothing ties it to this one.

    Two questions in one turn, this one a yes/no question (出生证明要复印件吗？能寄到家吗？):
    a reply heard giving an answer of the other's kind and none of this one's
    (:data:`SPECIFIC`), or one sharing the other's content and not this one's,
    answers the other; its yes or no is the other's. A bare check of what was
    just said (这就好了？: :func:`is_check`) is left to the lenient reading.
    """
    if "yesno" not in question.kinds or is_check(question) or shares_content(question.text, reply):
        return False
    if _CONFIRM.search(question.text) and all(is_check(o) or _CONFIRM.search(o.text)
                                              for o in others if o is not question):
        return False  # 就差她身份证是吧？别的都没问题？: one belief checked twice, a reply to either confirms it
    mine = question.kinds | {"yesno"}
    head = next((c for c in _CLAUSES.split(reply) if c.strip()), "")
    if says_yes_or_no(head) and not any("yesno" in o.kinds or "who" in o.kinds
                                        for o in others if o is not question):
        return False  # 快下班了吧？…在哪儿能看？ … 没事，您问。公示在…: the no is this question's
    for o in others:
        if o is question:
            continue
        if heard and heard & o.kinds & SPECIFIC and not heard & question.kinds:
            return True
        if shares_content(o.text, reply) and not (heard and heard & mine):
            return True
    return False


def _answers(question: Question, simple: str, *, first: bool,
             heard: frozenset[str] | None, opening: bool, topic: str) -> bool:
    """:func:`answers` on a simplified reply."""
    if heard and question.kinds & heard and (first or not _asks_for_item(question, heard)):
        return True
    if heard and "yesno" in heard and question.kinds & {"yesno", "who"}:
        return True
    if shares_content(question.text, simple, topic):
        return True
    if first and (CLARIFY.search(simple) or any(CLARIFY_WHICH.match(c.strip())
                                                 for c in _CLAUSES.split(simple))):
        return True
    if first and question.kinds & {"yesno", "who"} and says_yes_or_no(simple, question.text):
        return True
    if first and is_check(question) and BARE_ASSENT.match(simple.strip()):
        return True  # 那我走了？ … 嗯。: a check confirmed
    if first and question.kinds <= {"yesno"} and (m := ASSENT_HEAD.match(simple.strip())) \
            and not reply_moves(simple.strip()[m.end():]) & {"closing", "next", "courtesy"}:
        return True  # 就差这个吗？ … 嗯，先这个，您先去拿吧: a yes, then the work (嗯。还有别的事没？ closes, session 13)
    if first and "way" in question.kinds and (
            "material" in heard if heard is not None else ANSWER_KINDS["material"].search(simple)):
        return True  # 大病保险咋报？ … 带上身份证和住院发票就行: what to bring is the way (session 13)
    if first and "material" in question.kinds and BRING.search(simple) \
            and ANSWER_KINDS["material"].search(simple):
        return True  # 带些啥？ … 您先把营业执照带上: a thing to bring, named in the instruction (session 13)
    if first and WHAT_TO_WRITE.search(question.text) and WRITTEN.search(simple):
        return True  # 这一栏写啥？ … 写你的开户行 / 勾第二个: what to put there, said (session 13)
    if "material" in question.kinds and SLIP.search(simple):
        return True  # 要带啥？ … 我给您写在这张纸上了 / 这是材料清单: the list handed over (session 13)
    if CONTACT_Q.search(question.text) and NUMBER_TOLD.search(simple):
        return True  # 有电话没？ … 你打114查一下: a number given (whether it is concrete is Article 16's)
    if first and question.kinds <= {"yesno", "place"} and not _NOT_HERE.search(simple) \
            and (HERE.search(question.text) or _CONFIRM.search(question.text) or IS_THIS.search(question.text)):
        return True  # 在这办吧？ 这回全了吧？ answered by taking the matter up
    if "amount" in question.kinds and "多少" in question.text and SUM_TOLD.search(simple):
        return True  # 能贷多少？ … 最高能贷五十万: a sum told answers how much, whatever kind is heard
    if first and DONE_Q.search(question.text) and DONE_A.match(simple.strip()):
        return True  # 好了没有？ … 好了，拿去: done, said so
    if first and "yesno" in question.kinds and _echoes_predicate(question.text, simple):
        return True  # 这就完了？ … 完了，…: the question's own word said back
    if first and re.search(r"啥|什么", question.text) and re.match(r"^[“\"「『]", simple):
        return True  # 下个啥？ … “甘肃人社”，…: the thing named
    if first and "who" in question.kinds and (WHO_NAMED.search(simple) or names_destination(simple)):
        return True  # 交给谁？ … 交给我; 这事该找谁？ … 找县人社局的劳动保障监察，二楼8号窗口
    if ANY_MORE.search(question.text) and MORE_TOLD.search(simple):
        return True  # 还有别的吗？ … 还有……诊断证明也带上 / 没了，就这些
    if first and HERE.search(question.text) and _HERE_YES.search(simple):
        return True  # 都在你这儿啥？ … 户籍证明我这儿能开
    if question.kinds & {"yesno", "who"} and _echoes_modal(question.text, simple) \
            and (first or heard is None or "yesno" in heard):  # later: 需要带执照 is no 需要本人吗
        return True
    if "way" in question.kinds and MOVES_ON.search(simple) \
            and (heard is None or "way" in heard or opening):
        return True  # asked how: walked through its steps (核对一下信息 is no step of the way)
    if "place" in question.kinds and (ON_PAPER.search(simple) or HERE_IT_IS.search(simple)):
        return True  # 编号在哪儿找？ … 短信里有; 表在哪儿拿？ … 这儿就有: where on paper, or right here
    if first and "what_if" in question.kinds and MOVES_ON.search(simple):
        return True  # 那怎么办？ … 您得回去拿: what to do now is an instruction
    lenient = {"yesno", "who"} if not first else {"yesno"}
    if heard is not None and not first:
        lenient |= set(ANSWER_ACTS.values()) - heard  # later, unheard kinds: incidental words
    if not first and _asks_for_item(question, heard or frozenset()):
        lenient.add("material")  # 要带原件吗 … later 把合同带来: other materials, not this one
    if heard and heard & {"cost", "time"} and not heard & {"material"}:
        lenient.add("amount")  # a number is the money or the time heard (四十块 counts no copies)
    plain = _SELF_PLACE.sub("", simple)  # 我这边核对一下 names no place
    if heard is not None and not heard:  # heard answering nothing: an instruction's words are the work's
        plain = "，".join(c for c in _CLAUSES.split(plain) if not _instructs(c))
    if heard is not None and "place" not in heard and MOVES_ON.search(plain):
        plain = _DEICTIC.sub("", plain)  # 放这儿按一下: an instruction's here is the work's
    return any(kind not in lenient and ANSWER_KINDS[kind].search(plain)
               for kind in question.kinds)


#: The citizen asking whether more is needed (还有别的吗？ 还要啥？).
ANY_MORE = re.compile(r"还有(?:别的|其他|其它|啥|什么)|还要(?:啥|什么|别的)|还(?:缺|差)(?:啥|什么)|就这些吗|"
                      r"(?:又|还|再)(?:多|加|添)(?:一|了|个)|多出")  # 不会下回又多一样吧？: will more be asked
#: A reply telling more, or that there is no more (还有X, X也要, 另外, 没了, 就这些).
MORE_TOLD = re.compile(r"还有|还要|还得|也要|也得|另外|没了|没有了|没别的|就这些|不用了|齐了|"
                       r"就这[0-9一二三四五六七八九十两几]+(?:样|份|个|种|项|张)")  # 就这三样: no more


#: A person named as the one to see or to hand it to (交给我, 找他们就行, 您自己签): a who answered.
WHO_NAMED = re.compile(r"(?:^|[，,。])(?:交给|给|找|问|是|由)?(?:我|我们|咱们|他|她|他们|你自己|您自己|本人)"
                       r"(?:就行|就可以|来|签|办|吧)?[。！!]*(?:$|[，,])")


#: The thing asked after is right here or there (这儿就有, 那边有, 这里就是): a place answered.
HERE_IT_IS = re.compile(r"(?:^|[，,。])(?:就在)?(?:这儿|这里|这边|那儿|那里|那边|我这儿|我这里)(?:就|都|也)?(?:有|是|在)")
def _instructs(clause: str) -> bool:
    """True when a clause directs the work (去那边复印一下, 身份证给我): read at its head (:func:`reply_moves`),
    so a statement holding an instruction's word (租房合同没有出租人签字) still says something."""
    if not MOVES_ON.search(clause):
        return False
    moves = reply_moves(clause)
    return not moves or "statement" not in moves


#: Where on paper or on a screen (短信里有, 回执上写着, 首页就能看到): a place answered.
ON_PAPER = re.compile(r"[\u4e00-\u9fffA-Za-z]{1,8}(?:里|上|中)(?:面|头|边)?(?:就|都)?"
                      r"(?:有|写着|印着|显示|能看到|可以看到|看得到|能找到|可以找到|找得到)")


#: The staff act detector's answer acts (:mod:`analyzer.rules.acts`) -> the kind of answer each gives.
ANSWER_ACTS: dict[str, str] = {"ans_cost": "cost", "ans_time": "time", "ans_place": "place",
                               "ans_material": "material", "ans_way": "way", "ans_yesno": "yesno",
                               # telling the materials answers what to bring
                               "materials": "material", "material_list": "material",
                               "materials_more": "material"}


def heard_answers(acts: dict[str, tuple[float, str]] | None) -> frozenset[str] | None:
    """The answer kinds among the acts the detector heard in one reply (None: no detector).

    Args:
        acts: One text's entry of :func:`analyzer.rules.acts.heard_acts`.
    """
    if acts is None:
        return None
    return frozenset(ANSWER_ACTS[a] for a in acts if a in ANSWER_ACTS)


#: Here and there: in an instruction heard giving no place they point at the work in hand.
_DEICTIC = re.compile(r"[在到往]?(?:这儿|这里|这边|那儿|那里|那边|这搭|那搭|这达|那达)")
#: The clerk's own side (我这边 …), which names no place.
_SELF_PLACE = re.compile(r"(?:我|我们|咱|咱们)(?:这边|这儿|这里)")


#: A citizen who says he has found what he was looking for (找着了, 在兜里呢) answers his own "where".
FOUND = re.compile(r"找着了|找到了|找见了|摸着了|在这儿?呢|在这儿?了|原来在|有了有了|在兜里|在包里")


def found_it(text: str) -> bool:
    """True when a citizen's words say he found what he asked after (:data:`FOUND`)."""
    return bool(FOUND.search(_simple(text)))


#: An elliptical question (那利率呢？ 费用呢; trailing off: 那健康证…… / 多点执业的事……): a topic and
#: 呢 or a trailing ellipsis, asking again what was asked about it.
ELLIPTIC = re.compile(r"^(?:那|那么|还有|可|我的|你说的)?([\u4e00-\u9fff]{2,8}?)(?:呢|咧)[？?。.…!！~～]*$|"
                      r"(?:^|[…。，,]|那)(?:那|那个|还有)?([\u4e00-\u9fff]{2,8}?)(?:那个|那事|的事儿?|这事)?(?:…|\.\.\.)+$")


def elliptical(text: str, earlier: Sequence[Question]) -> list[Question]:
    """The elliptical repeats in a citizen utterance (:data:`ELLIPTIC`) of questions in ``earlier``.

    A bare 那利率呢 asks nothing of its own; it asks again the earlier question
    about the same thing (利率是多少？), with that question's kinds. Alone it is a
    statement (在这儿呢), so only a topic an earlier question raised counts.
    """
    out = []
    for clause in (c.strip() for c in _CLAUSES.split(_simple(text))):
        m = ELLIPTIC.search(clause)
        if m is None or QUESTION_RE.search(clause) or questions(clause):
            continue  # a question of its own is judged as one
        topic = m.group(1) or m.group(2)
        asked = next((q for q in reversed(earlier) if shares_content(q.text, topic)
                      or kinds_named(topic) & q.kinds & SPECIFIC), None)  # 多少钱？ … 那钱大概……
        if asked is not None:
            out.append(Question(clause, asked.kinds))
    return out


def asks_again(question: Question, text: str) -> bool:
    """True when citizen words ``text`` ask ``question`` again, in full or elliptically.

    A question again is one of the same specific kind (:data:`SPECIFIC`) about the
    same thing (几天到账？ … 几天能到？), or of the same kind sharing a word and
    insisting (:data:`INSIST`: 还能补吗？ … 我问你能不能补！); 手机上咋弄？ …
    要对着手机吗？ asks something new, and 要户口本啊？ … 就差户口本？ goes on to another
    yes or no.
    """
    if kinds_demanded(text) & question.kinds & SPECIFIC:
        return True  # 截止到哪天？ … 就问个日子，你说个日子就行: the answer of its kind demanded
    return any(r.kinds & question.kinds and (
        (same_question(question, r) and r.kinds & question.kinds & SPECIFIC)
        or ((INSIST.search(r.text) or INSIST_LEAD.search(_simple(text))) and _shares_char(question.text, r.text)))
        for r in questions(text)) \
        or bool(elliptical(text, [question]))


#: The thing a question of a specific kind asks for, named by a noun (钱, 日子, 地方, 材料): a
#: fragment or a demand naming it asks that kind again.
KIND_NOUNS: dict[str, re.Pattern[str]] = {
    "cost": re.compile(r"钱|费|价"),
    "time": re.compile(r"日子|日期|时间|期限|截止|哪天|几号|多久|准信"),
    "place": re.compile(r"地方|地址|地儿|哪儿|在哪"),
    "material": re.compile(r"材料|证件|手续"),
}
#: The citizen demanding the answer itself (就问个日子, 你说个数, 告诉我个地方就行): asking again.
DEMAND = re.compile(r"(?:就|只|我)?(?:问|说|讲|告诉我?|给(?:我|个))(?:一?个|一下|我)?([\u4e00-\u9fff]{1,3})")


def kinds_named(text: str) -> frozenset[str]:
    """The specific question kinds whose thing ``text`` names (:data:`KIND_NOUNS`)."""
    return frozenset(k for k, pat in KIND_NOUNS.items() if pat.search(text))


def kinds_demanded(text: str) -> frozenset[str]:
    """The kinds of answer a citizen utterance demands outright (:data:`DEMAND`: 你说个日子就行)."""
    return frozenset(k for m in DEMAND.finditer(_simple(text)) for k in kinds_named(m.group(1)))


#: The citizen saying, before the question, that it is what he asks (所以我问，…; 我是问，…; session 13);
#: 我就问一下 / 我问一下 lead a new question in.
INSIST_LEAD = re.compile(r"所以我(?:是)?问|我(?:就)?是(?:想)?问|我问的是")
#: The citizen insisting on what he asked (我问你…, 到底, 我就问, 究竟): a question of the same kind
#: sharing one content word with an earlier one asks it again (还能补吗？ … 我问你能不能补！).
INSIST = re.compile(r"我(?:是|就|只)?问(?:你|您)?|到底|究竟|我就想知道|我是说")


def _shares_char(a: str, b: str) -> bool:
    """A content character in common, other than the generic verbs of a visit (办, 弄, 问, 说)."""
    return bool((set(_content_chars(a)) & set(_content_chars(b))) - _GENERIC_CHARS)


#: Characters every visit's questions share (办不办, 问一下): no sign of the same question.
_GENERIC_CHARS = frozenset("办弄问说事搞做")


def same_question(a: Question, b: Question) -> bool:
    """True when ``b`` asks ``a`` again (a repeat keeps the question open)."""
    ca, cb = _content(a.text), _content(b.text)
    return bool(ca and cb and len(ca & cb) >= max(1, min(len(ca), len(cb)) // 2))


# ---------------------------------------------------------------- the reply's move
#: What opens a clause without being its move: fillers, a term of address, the clerk's 您/你.
_LEAD = re.compile(r"^(?:(?:嗯|哦|噢|啊|呃|唉|哎呀|哎|那个|这个|好的|好|行|对|是的|那|这样|大姐|大哥|大爷|大妈|"
                   r"阿姨|叔叔|师傅|同志|小伙子|姑娘|老人家|爷爷|奶奶|您好|你好|您|你)[，,、\s…~～]*)+")
#: A clause of courtesy: greeting, thanks, apology, asking for the evaluation, goodbye.
COURTESY = re.compile(r"^(?:您好|你好|好的?|嗯|谢谢|感谢|不客气|不好意思|对不起|抱歉|麻烦您?了|辛苦了|欢迎|"
                      r"(?:实在|真)(?:是)?(?:不好意思|抱歉|对不起)|别着急|不着急|您?慢走|再见|回见)|"
                      r"评价|评个价|打个?分|慢走|再见")
#: An instruction: a clause in the imperative (请在这签字, 先把表填了, 您手机给我看一下, 拿好).
INSTRUCTION = re.compile(r"^(?:请|麻烦|先|再(?!就是)|把|来(?![不了得])|在这|这儿|这里|稍等|等一下|别|不要|签|填|按|拍|出示|拿|递|放|扫|"
                         r"看|核对|写|选|点|刷|对准|站|坐|盖|画|复印|上传|提交|抬头|低头|眨眼|摘|张嘴|跟我|往)|"
                         r"给我(?!们)|(?<![申邀])请(?!问|假|示)|出示|一下[吧。！!]*$|拿好|收好|签个?字|(?:要|得|需要|请)把|[^了过]吧[。！!]*$|"
                         r"先(?:把|填|签|拿|交|去|办|弄|写|看|复印)|"  # 申请表先填了: do this first
                         r"^(?:还有|和|跟)?(?:这里|这儿|这边|那里|那儿|这个|那个)[。！!]*$")  # 还有这里
#: The work in hand reported (录好了, 这是受理通知书, 提交成功了): the procedure goes on.
PROCEDURE = re.compile(r"^(?:这是|这个是)[^，,。]{0,10}(?:通知书|回执|凭证|单|证|收据|发票|清单|表|号)|"
                       r"^[^，,。]{0,6}(?:办|弄|录|填|签|交|提交|受理|审核|核|盖|打印|复印|收)(?:好|完|成功|下)?了[。！!…]*$|"
                       r"^[^，,。]{0,6}(?:打|印|做|出)(?:出来|好)了[。！!…]*$|"  # 回执打出来了
                       # 您的手续已办好, 材料都录完: the work reported done, with no 了
                       r"^[^，,。]{0,8}(?:已|已经|都)(?:办|弄|录|受理|审核|提交|处理)(?:好|完|妥|成功)[了啦]?[。！!…]*$|"
                       r"^[^，,。]{1,8}(?:给您|给你|还您|还你)(?:了|啦)?[。！!…]*$|"  # 证件给您: handed over
                       r"^(?:您的|你的)?(?:回执|受理单|受理回执|收据|凭证|票据|单子|通知书)[。！!…]*$")  # 回执，拿好
#: Asking whether there is anything else (还有别的事吗): the matter is closed.
ANYTHING_ELSE = re.compile(r"还有(?:别的|其他|其它|什么|啥)(?:事|问题|要办的)?(?:吗|没有|没|么|不)|"
                           r"还有(?:事|问题|要办的)(?:吗|没有|没|么|不)")  # 还有事吗？ 还有别的事没？


def reply_moves(reply: str, question: Question | None = None,
                others: Sequence[Question] = ()) -> set[str]:
    """The moves of a staff reply, clause by clause (see :func:`passes_over`).

    Each clause is one of ``courtesy`` (:data:`COURTESY`), ``next`` (the next
    citizen called, :data:`NEXT_CALL`), ``closing`` (:data:`ANYTHING_ELSE`),
    ``asks`` (a question back), ``instruction`` (:data:`INSTRUCTION`, read at the
    clause's head after fillers and address: 按规定支付 is no instruction),
    ``procedure`` (:data:`PROCEDURE`), ``other`` (a statement about another
    question of the turn, ``others``, and not about ``question``: 工本费二十元
    answers 要交工本费吗, not 能寄到单位吗) or ``statement`` (anything else that
    says something, a bare yes or no included).
    """
    from analyzer.text.normalize import normalize

    out: set[str] = set()
    clauses = [c.strip() for c in _CLAUSES.split(_simple(reply))]
    dismissing = any(NEXT_CALL.search(c) or PUT_OFF.search(c.rstrip("。！!…~～？? ")) for c in clauses)
    for clause in clauses:
        body = _LEAD.sub("", clause)
        bare = clause.rstrip("。！!；;…~～ ")
        if dismissing and not NEXT_CALL.search(clause) and bare \
                and (PUT_OFF.search(bare) or RUSH_REASON.search(bare) or _WIND_ASSENT.match(bare)):
            out.add("closing")  # put off, wound up, or the busy reason beside it (你回来再说哈)
        elif len(normalize(clause)) <= 3 and YES_NO.search(clause) and not DONE.match(clause):
            out.add("statement")  # 是。 对。 不行。: a yes or a no
        elif not normalize(body):
            continue
        elif NEXT_CALL.search(clause) or TICKET.match(clause):
            out.add("next")
        elif ANYTHING_ELSE.search(body):
            out.add("closing")
        elif COURTESY.search(body):
            out.add("courtesy")
        elif body.startswith("我"):  # the clerk's own doing: 我扫描一下 is the work, 我查一下 promises
            out.add("procedure" if OWN_WORK.match(body) and not LOOKS_UP.match(body) else "statement")
        elif INSTRUCTION.search(body) and not _NOMINAL.match(body):
            out.add("instruction")
        elif "instruction" in out and _NOUN_LIST.match(body):
            continue  # 请您核对一下，名字、医院、日期: what to check, the instruction's object
        elif PROCEDURE.search(body):
            out.add("procedure")
        elif _QUESTION_END.search(clause):
            out.add("asks")  # 好几个环节 has a question word and asks nothing
        elif OBLIGED.search(body) or (not DECLARATIVE.search(body) and MOVES_ON.search(body)):
            out.add("instruction")  # 两边都要签名; 眼睛看镜头: an instruction with its object first
        elif len(normalize(body)) >= 2:
            out.add("other" if question is not None and _about_another(clause, question, others)
                    else "statement")
    return out


#: A bare list of things (名字、医院、日期): after an instruction, its object.
_NOUN_LIST = re.compile(r"^[\u4e00-\u9fff]{1,6}(?:、[\u4e00-\u9fff]{1,6})+[。！!…]*$")
#: An instruction's verb opening a noun phrase (上传的合同没有签字, 填的表不对): a statement about it.
_NOMINAL = re.compile(r"^[\u4e00-\u9fff]{1,3}的(?!话)")
#: The clerk looking the answer up (我查一下, 我帮您问问): an answer promised, not the work going on.
LOOKS_UP = re.compile(r"^我(?:先|来|再|帮您|帮你|给您|给你|这边|这就)?(?:查|看看|问|翻|找|核实|确认)")
#: The clerk doing the work in hand (我扫描一下, 我给您录入一下).
OWN_WORK = re.compile(r"^我[^，,。]{0,8}一下[。！!…]*$")
#: What the citizen must do (两边都要签名, 得先交钱): an instruction put as a duty.
OBLIGED = re.compile(r"(?:要|得|需要|必须)(?:先|再)?(?:签|填|交|拿|带|拍|按|出示|复印|上传|提交|写|盖|排队|取号)")
#: What marks a clause as saying something (是, 有, 了, 能, 得, 已经 …): with one, a clause holding an
#: instruction's verb (按规定支付, 中标通知书) is a statement; without, 眼睛看镜头 is an instruction.
DECLARATIVE = re.compile(r"[了过的是有没会能得要在就都不才还也由被只很太挺最]|可以|已经|因为|所以|一般|应该")


def _about_another(clause: str, question: Question, others: Sequence[Question]) -> bool:
    """True when a statement shares content with another question of the turn and none with ``question``."""
    return not shares_content(question.text, clause) and any(
        shares_content(o.text, clause) for o in others if o is not question)


#: Moves that pass a question over: the clerk directs the work, asks something else or ends.
PASSING_MOVES = frozenset({"next", "closing", "instruction", "procedure", "asks", "other"})


def passes_over(reply: str, question: Question | None = None, others: Sequence[Question] = ()) -> bool:
    """True when the staff reply goes on as if nothing was asked.

    A reply passes a question over when it only directs the work (an
    instruction, the work in hand reported), asks something back, closes the
    matter or calls the next citizen, and says nothing else: a reply with a
    statement in it (认定下来以后，医疗费由基金支付; 上午的受理已经截止了) engages with
    what was asked, in whatever words, and may be its answer. Read clause by
    clause (:func:`reply_moves`), so an instruction's word inside a statement
    (按规定支付, 网站) is no instruction. A statement about another question of
    the same turn (``others``) and not about ``question`` does not engage it.
    """
    moves = reply_moves(reply, question, others)
    return bool(moves & PASSING_MOVES) and "statement" not in moves


#: Fewest content characters a question needs to be read as an echo of the clerk's words.
ECHO_MIN_CHARS = 2


def echoes(question: Question, said: str) -> bool:
    """True when a yes/no ``question`` only asks back what the clerk has just said (``said``).

    清税证明是吧？ after 要先办清税，拿到清税证明, or 下午三点？ after 下午三点来拿: every
    content character of the question is in the clerk's words, so its answer
    came before it; it checks what was heard, it asks nothing new.
    """
    if question.kinds != {"yesno"}:
        return False  # 住建在哪儿？ after 去找住建 asks where, more than was said
    chars = set(_content_chars(THROWN_BACK.sub("", question.text)))  # 啥叫我跟保险公司的事？ … 那是你跟保险公司的事
    return len(chars) >= ECHO_MIN_CHARS and chars <= set(_content_chars(said))


#: 啥叫 / 什么叫 opening the clerk's words said back (啥叫我跟保险公司的事？): a retort, session 13.
THROWN_BACK = re.compile(r"^(?:那|你说)?(?:啥|什么)叫")

"""Generated whole counter visits with known findings, for the context rules and duties.

Each visit is a greeting (or not), a business line, one to three *episodes*
and a close (a farewell, none, or 下班了…), laid on a timeline. Every episode
knows which findings it must give, so a visit's truth is the sum of its parts:

* cues and the replies they owe (Article 10): praise, a suggestion, an upset
  citizen, incomplete materials — each replied to, or not;
* hard negatives: plain questions about where, when, how long, which window,
  one's own materials, and polite thanks that is not praise — they owe nothing;
* Article 5: a question answered, or passed over (the clerk goes on with the
  procedure); Article 8: a question repeated to a silent clerk is ignoring
  (the labelling spec of ``dialogues-dev``: 不理不睬, one Article 8 breach);
* Article 16: "not ours" with or without a pointer;
* Article 17: staff cutting in, or a backchannel; a quarrel back and forth;
* Article 18: materials added after the list, or given at once; an earlier visit
  (at most one episode telling materials per visit: two would be piecemeal);
* Article 25: 下班了 within or outside service hours.

Phrasings are split in two by position: the ``dev`` split uses the even ones,
``held-out`` the odd ones, with different seeds, so nothing tuned on ``dev``
has seen a held-out sentence. Nothing here is fitted: the rules' thresholds
come from the options' defaults.

Usage (from benchmarks/accuracy.py)::

    visits = generate(200, split="held-out", seed=7)
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

SPLITS = ("dev", "held-out")

GREETINGS = ["您好，请问要办理什么业务？", "您好，请问您要办理什么业务？", "你好，请问需要办理什么业务？",
             "您好，请问有什么可以帮您？"]
NO_GREETING = ["嗯，什么事？", "说吧，办什么。", "下一位，什么事。", "过来吧，办什么？"]
BUSINESS = ["我想办一下居住证。", "我来办营业执照变更。", "我想问一下社保转移的事。",
            "我来给孩子办户口。", "我想补办一张身份证。", "我来交一下城乡医保。",
            "我想办个体工商户注册。", "我来领取不动产证。"]
HANDLING = ["好的，请您稍等一下，我看一下系统。", "好的，我帮您查一下。", "您的材料我看一下。",
            "好的，请您稍等，我登记一下。", "行，我这边给您录入。", "好的，我先核对一下信息。"]
FAREWELL = [("请您为我的服务做出评价，谢谢。", "请您慢走，再见。"),
            ("麻烦您为我的服务做个评价，谢谢。", "您慢走，再见。"),
            ("请您对我的服务进行评价，谢谢。", "请慢走，再见。"),
            ("请对我的服务做出评价，谢谢。", "慢走，再见。")]
NO_FAREWELL = ["好了，下一位。", "行了，就这样。", "办完了，你走吧。", "好，下一个。"]
CLOSING = ["下班了，明天再来。", "我们下班了，明天再来。", "已经下班了，明天再来。", "下班了，你明天再来。"]

PRAISE = ["你们服务真好。", "办事效率真高啊。", "给你们点赞。", "服务态度真好，谢谢。",
          "我要表扬你，真耐心。", "你们真专业。"]
PRAISE_REPLY = ["谢谢您的肯定，这是我们应该做的。", "感谢您的肯定，这是我们应该做的。",
                "谢谢您，这是我们应该做的。", "谢谢肯定，这是我们应该做的。"]
SUGGEST = ["我有个建议，取号机能不能多放几台。", "提个意见，你们这儿椅子太少了。",
           "我建议你们把指示牌做大一点。", "给你们提个建议，午休也能开个窗口。",
           "希望你们改进一下排队的方式。", "我有一个建议，网上预约能简单点。"]
SUGGEST_REPLY = ["谢谢您，欢迎您监督和帮助。", "谢谢您的建议，欢迎您监督和帮助。",
                 "感谢您，欢迎您监督和帮助。", "谢谢，欢迎您监督和帮助。"]
UPSET = ["你们怎么办事的，我都跑了好几趟了！", "太过分了，等了这么久！", "凭什么不给我办？",
         "气死我了，怎么又要材料！", "有没有搞错，我上午就来了！", "你什么态度啊！"]
UPSET_REPLY = ["请您听我详细解释，这个需要先审核。", "您听我解释，这个系统要先核验。",
               "请您听我解释一下，流程是这样的。", "您听我仔细解释，这是规定的步骤。"]
INCOMPLETE = ["您的材料不全，还缺户口本。", "您这个手续不全，还差一份证明。",
              "材料不齐，缺少租房合同。", "您这还缺一份复印件，材料不全。"]
INCOMPLETE_REPLY = [("对不起，请您补全手续再来办理。", "这是补全手续所需要的材料清单，请您收好。"),
                    ("不好意思，请您补全手续再来办理。", "这是所需要的材料清单，请您收好。"),
                    ("对不起，请您补齐手续再来办理。", "这是补全手续需要的材料清单，请您收好。"),
                    ("对不起，请补全手续再来办理。", "这是需要补的材料清单，请收好。")]
NOT_REPLIED = ["嗯。", "好的，下一项。", "知道了。", "行吧。", "哦。", "嗯嗯。"]
#: Hard negatives: plain questions and polite thanks that owe no reply.
PLAIN_QUESTIONS = [("请问社保在哪个窗口？", "在三号窗口。"), ("这个证明去哪里开？", "去社区居委会开就可以。"),
                   ("我材料带齐了吗？", "带齐了。"), ("大概要多久能办好？", "五个工作日。"),
                   ("下午几点开始上班？", "两点半。"), ("复印机在哪儿？", "在大厅右手边。"),
                   ("需要本人来吗？", "需要本人到场。"), ("能用手机支付吗？", "可以的。")]
THANKS = ["谢谢啊。", "好的，谢谢。", "麻烦你了，谢谢。", "行，谢谢你。"]
#: Materials the episodes name (a piecemeal addition must name one the list did not).
_MATERIALS = ("身份证", "户口本", "照片", "租房合同", "复印件", "结婚证", "社区证明", "原件",
              "申请表", "营业执照", "公章")
#: The clerk going on with the procedure, answering nothing.
PROCEDURE = ["您先按一下手印。", "请看一下摄像头。", "请您往前坐一点。", "您先稍等，我扫描一下。"]
REPEAT = ["你好？听得到吗？", "喂，我问你话呢。", "同志？", "您好？"]
NOT_OURS = ["这个不归我们管。", "这个不是我们这儿办的。", "这个我们不负责。", "这个我们这儿办不了。",
            "这不归我们，不是我们的业务。", "这个不在我们这儿办。"]
POINTER = ["请您到五号窗口办理。", "您到市场监管局大厅办理。", "您去二楼十二号窗口办理。",
           "他们的电话是六六八八一二三四。", "请您到区社保中心办理。", "咨询电话是一二三四五。"]
NO_POINTER = ["你自己再问问吧。", "我也没办法。", "反正不是这儿。", "你去别处看看吧。"]
LISTED = ["您需要带身份证和租房合同。", "需要提供身份证、户口本和照片。", "您需要准备申请表和身份证复印件。",
          "需要带营业执照和法人身份证。"]
ADDED = ["哦对了，还需要一张照片。", "对了，还要带户口本。", "还有结婚证也要带。",
         "忘了跟您说，还要一份复印件。", "对了还需要社区证明。", "另外还得带原件。"]
AT_ONCE = ["您需要带身份证，还有照片也要带。", "需要提供户口本和身份证复印件，一次带齐。",
           "需要带营业执照和公章，就这些。", "您准备身份证和申请表就可以了。"]
EARLIER = ["上次没说还要户口本啊。", "上次来你们没说要这个。", "上次怎么没说还要照片？",
           "上回没说要复印件。"]
EARLIER_REPLY = ["不好意思，给您添麻烦了，这次我一次性告诉您。", "抱歉，这次我把材料都给您列清楚。",
                 "不好意思，我这次都跟您说清楚。", "抱歉给您添麻烦了。"]
LONG_CITIZEN = ["我想问一下这个社保转移要怎么弄，我之前是在外地交的，现在回来了",
                "我那个房子过户的事情，上次说要等通知，可是到现在也没有人联系我",
                "我家孩子的户口之前在老家，现在想迁过来，不知道需要什么手续",
                "营业执照上的地址要改一下，因为我们公司搬到新的地方去了"]
#: What the clerk then says about each long turn (its question answered: Article 5 holds).
LONG_ANSWER = ["外地交的社保先在原参保地开转出凭证，再到我们这儿办转入。",
               "过户的进度我给您查一下，审核已经通过，这周就会通知您。",
               "孩子户口迁过来要带户口本、出生证明和准迁证，在一楼户籍窗口办。",
               "地址变更带上新的租房合同和营业执照正副本，在我这儿就能办。"]
CUT_IN = ["你先别说了听我讲。", "行了行了我知道了。", "你说重点，后面还有人。", "别说了，先拿号。"]
BACKCHANNEL = ["嗯。", "对。", "嗯嗯。", "好。"]
QUARREL_STAFF = ["没看我正忙着吗？", "我就是这样的，你能把我怎么样？", "你去投诉好了。",
                 "我刚才已经说过，你怎么还问？"]
QUARREL_CITIZEN = ["你什么态度！", "太不像话了！", "凭什么这样对我！", "有没有搞错！"]

#: Quarrel staff phrase -> its forbidden rule.
QUARREL_RULE = {"没看我正忙着吗？": "A9-F-03", "我就是这样的，你能把我怎么样？": "A9-F-04",
                "你去投诉好了。": "A9-F-05", "我刚才已经说过，你怎么还问？": "A10-F-01"}
CLOSING_RULE = "A9-F-01"


@dataclass
class Visit:
    """One generated visit: the transcript record and the findings it must give."""

    record: dict[str, Any]
    expected: Counter = field(default_factory=Counter)
    episodes: list[str] = field(default_factory=list)
    #: rule id -> indices of the utterances that carry each expected breach (none: an absence)
    where: dict[str, list[int]] = field(default_factory=dict)


class _Builder:
    """Lays utterances on a timeline (0.22 s per character, 0.8 s between turns)."""

    def __init__(self, rng: random.Random, split: str) -> None:
        self.rng, self.split = rng, split
        self.utts: list[dict[str, Any]] = []
        self.t = 0.5
        self.expected: Counter = Counter()
        self.where: dict[str, list[int]] = {}

    def breach(self, rule: str, utterance: dict | None = None) -> None:
        """Expect a finding of ``rule``, carried by ``utterance`` (None: an absence)."""
        self.expected[rule] += 1
        if utterance is not None:
            self.where.setdefault(rule, []).append(self.utts.index(utterance))

    def pick(self, pool: list) -> Any:
        half = pool[0::2] if self.split == "dev" else pool[1::2]
        return self.rng.choice(half or pool)

    def say(self, speaker: str, text: str, *, gap: float = 0.8, at: float | None = None) -> dict:
        start = self.t + gap if at is None else at
        end = start + 0.5 + 0.22 * len(text)
        u = {"speaker": speaker, "start": round(start, 2), "end": round(end, 2), "text": text}
        self.utts.append(u)
        self.t = max(self.t, end)
        return u


def _cue(b: _Builder, said: str, replies: tuple[str, ...] | None, owed: tuple[str, ...],
         speaker: str = "citizen") -> None:
    b.say(speaker, said)
    if replies is None:
        b.say("staff", b.pick(NOT_REPLIED))
        for rule in owed:
            b.breach(rule)
    else:
        for r in replies:
            b.say("staff", r)


def _episode(b: _Builder, name: str) -> None:  # noqa: C901 - one branch per episode, by design
    p = b.pick
    if name == "praise":
        _cue(b, p(PRAISE), (p(PRAISE_REPLY),), ())
    elif name == "praise-unreplied":
        _cue(b, p(PRAISE), None, ("A10-G-PRAISE",))
    elif name == "suggestion":
        _cue(b, p(SUGGEST), (p(SUGGEST_REPLY),), ())
    elif name == "suggestion-unreplied":
        _cue(b, p(SUGGEST), None, ("A10-G-SUGGESTION",))
    elif name == "upset":
        _cue(b, p(UPSET), (p(UPSET_REPLY),), ())
    elif name == "upset-unreplied":
        _cue(b, p(UPSET), None, ("A10-G-UPSET",))
    elif name == "incomplete":
        _cue(b, p(INCOMPLETE), p(INCOMPLETE_REPLY), (), speaker="staff")
    elif name == "incomplete-unreplied":
        _cue(b, p(INCOMPLETE), None, ("A10-G-APOLOGY", "A10-G-MATERIAL-LIST"), speaker="staff")
    elif name == "plain-question":
        q, a = p(PLAIN_QUESTIONS)
        b.say("citizen", q)
        b.say("staff", a)
        b.say("citizen", p(THANKS))
    elif name == "question-unanswered":  # asked twice, the clerk silent: ignoring (Art. 8)
        q, a = p(PLAIN_QUESTIONS)
        b.say("citizen", q)
        b.say("citizen", p(REPEAT), gap=4.0)
        b.say("staff", a)
        b.breach("A8-IGNORE")
    elif name == "question-passed-over":  # the clerk goes on with the procedure (Art. 5)
        q, _ = p(PLAIN_QUESTIONS)
        b.say("citizen", q)
        b.breach("A5-ANSWER", b.say("staff", p(PROCEDURE)))
        b.say("citizen", "好的。")
    elif name == "not-ours":
        b.say("staff", p(NOT_OURS))
        b.say("staff", p(POINTER), gap=0.4)
    elif name == "not-ours-no-pointer":
        b.say("staff", p(NOT_OURS))
        b.say("citizen", "那我该去哪儿办？")
        b.breach("A16-G-POINTER", b.say("staff", p(NO_POINTER)))
    elif name == "piecemeal":  # the added material is one the list did not name
        listed = p(LISTED)
        b.say("staff", listed)
        b.say("citizen", "好的，我记下了。")
        half = ADDED[0::2] if b.split == "dev" else ADDED[1::2]
        added = [a for a in half if not any(m in listed for m in _MATERIALS if m in a)]
        b.breach("A18-PIECEMEAL", b.say("staff", b.rng.choice(added or half)))
    elif name == "at-once":
        b.say("staff", p(AT_ONCE))
        b.say("citizen", "好的，我记下了。")
    elif name == "earlier-visit":
        b.say("citizen", p(EARLIER))
        b.say("staff", p(EARLIER_REPLY))
        b.breach("A18-EARLIER")
    elif name == "interrupt":
        long = p(LONG_CITIZEN)
        c = b.say("citizen", long)
        b.breach("A17-INTERRUPT", b.say("staff", p(CUT_IN), at=c["start"] + 2.0))
        b.say("staff", LONG_ANSWER[LONG_CITIZEN.index(long)])
    elif name == "backchannel":
        long = p(LONG_CITIZEN)
        c = b.say("citizen", long)
        b.say("staff", p(BACKCHANNEL), at=c["start"] + 2.0)
        b.say("staff", "好的，我明白了。")
        b.say("staff", LONG_ANSWER[LONG_CITIZEN.index(long)])
    elif name == "quarrel":
        s1 = p(QUARREL_STAFF)
        s2 = b.rng.choice([s for s in QUARREL_STAFF if s != s1])
        first = b.say("staff", s1)
        c1 = p(QUARREL_CITIZEN)
        b.say("citizen", c1)
        second = b.say("staff", s2)
        # a quarrel goes back and forth: the citizen protests again (the next protest of the
        # same split, no draw)
        b.say("citizen", QUARREL_CITIZEN[(QUARREL_CITIZEN.index(c1) + 2) % len(QUARREL_CITIZEN)])
        b.breach(QUARREL_RULE[s1], first)
        b.breach(QUARREL_RULE[s2], second)
        b.breach("A17-QUARREL", first)
        b.breach("A10-G-UPSET")


EPISODES = ("praise", "praise-unreplied", "suggestion", "suggestion-unreplied", "upset",
            "upset-unreplied", "incomplete", "incomplete-unreplied", "plain-question",
            "plain-question", "question-unanswered", "question-passed-over", "not-ours",
            "not-ours-no-pointer", "piecemeal", "at-once", "earlier-visit", "interrupt",
            "backchannel", "quarrel")
#: Episodes that tell materials: at most one per visit (two would tell them piecemeal).
MATERIAL_EPISODES = ("incomplete", "incomplete-unreplied", "piecemeal", "at-once")


#: Episodes whose cues are of one kind (Article 10's "one episode" rule applies across them).
FAMILIES = {"praise": "praise", "praise-unreplied": "praise", "suggestion": "suggestion",
            "suggestion-unreplied": "suggestion", "upset": "upset", "upset-unreplied": "upset",
            "quarrel": "upset", "incomplete": "incomplete", "incomplete-unreplied": "incomplete",
            "not-ours": "not-ours", "not-ours-no-pointer": "not-ours"}


def _episodes(rng: random.Random) -> list[str]:
    """One to three episodes; an unreplied cue is never followed by one of its kind.

    Repeated cues of one kind before any reply are one episode (the reply to the
    second answers both), so that order has no single truth and is not drawn.
    A replied cue followed by an unreplied one is: the second owes its own reply.
    """
    while True:
        names = rng.sample(EPISODES, rng.randint(1, 3))
        if sum(n in MATERIAL_EPISODES for n in names) > 1:
            continue
        owing = set()
        for name in names:
            fam = FAMILIES.get(name)
            if fam in owing:
                break
            if name.endswith(("-unreplied", "-no-pointer")) or name == "quarrel":
                owing.add(fam)
        else:
            return names


def visit(rng: random.Random, split: str, n: int) -> Visit:
    """One visit with its expected findings (see the module docstring)."""
    b = _Builder(rng, split)
    greeted = rng.random() < 0.8
    b.say("staff", b.pick(GREETINGS if greeted else NO_GREETING))
    if not greeted:
        b.breach("A8-G-GREETING")
    b.say("citizen", b.pick(BUSINESS))
    b.say("staff", b.pick(HANDLING))
    names = _episodes(rng)
    for name in names:
        _episode(b, name)
        if rng.random() < 0.5:
            b.say("staff", b.pick(HANDLING))
    hour = rng.choice([9, 10, 11, 15, 16, 17] if rng.random() < 0.7 else [7, 12, 13, 19])
    close = rng.random()
    if close < 0.15:
        said = b.say("staff", b.pick(CLOSING))
        b.breach(CLOSING_RULE, said)
        if hour in (9, 10, 11, 15, 16, 17):
            b.breach("A25-HOURS", said)
        b.breach("A10-G-EVALUATE")
        b.breach("A10-G-GOODBYE")
        names.append("closing")
    elif close < 0.3:
        b.say("staff", b.pick(NO_FAREWELL))
        b.breach("A10-G-EVALUATE")
        b.breach("A10-G-GOODBYE")
    else:
        for line in b.pick(FAREWELL):
            b.say("staff", line)
    record = {"id": f"{split}-{n:04d}", "channel": "counter", "hall": "生成大厅", "window": "3",
              "staff": f"S-{n % 17:03d}", "started_at": f"2026-11-03T{hour:02d}:{rng.randint(0, 59):02d}:00+08:00",
              "duration": round(b.t + 2.0, 2), "utterances": b.utts}
    return Visit(record, b.expected, names, b.where)


def generate(count: int, split: str = "held-out", seed: int | None = None) -> list[Visit]:
    """``count`` visits of one split; the seed defaults to one per split."""
    if split not in SPLITS:
        raise ValueError(f"split must be one of {SPLITS}, got {split!r}")
    rng = random.Random(seed if seed is not None else (11 if split == "dev" else 29))
    return [visit(rng, split, n) for n in range(count)]


#: Articles the per-article scoring covers (benchmarks/articles.py).
SCORED_ARTICLES = (5, 6, 7, 8, 9, 10, 16, 17, 18, 25)
#: Articles the generator has no truth for (the learned uncivil rule, speech rate): never clean.
NO_TRUTH_ARTICLES = (6,)
#: Owed phrases that make one breach together, as an inspector labels them (a closing needs both).
JOINT_ABSENCES = {"A10-G-EVALUATE": "closing", "A10-G-GOODBYE": "closing"}


def article_of(rule: str) -> int:
    """The article of a rule id (``A10-G-EVALUATE`` -> 10)."""
    return int(rule[1:].split("-", 1)[0])


def labels_of(v: Visit) -> dict[str, Any]:
    """A visit's truth in the labelled set's format: ``breaches`` and ``clean_articles``.

    Each expected finding is one breach of its rule's article, carried by its
    utterance (``utterance``: the index) or an absence; the evaluation request
    and goodbye missing together are one breach (a closing). Articles with no
    breach are clean, except those the generator has no truth for.
    """
    breaches: list[dict[str, Any]] = []
    joint: set[str] = set()
    for rule, n in sorted(v.expected.items()):
        places = v.where.get(rule, [])
        for k in range(n):
            if rule in JOINT_ABSENCES:
                if JOINT_ABSENCES[rule] in joint:
                    continue
                joint.add(JOINT_ABSENCES[rule])
            index = places[k] if k < len(places) else None
            breaches.append({"article": article_of(rule), "rule": rule, "speaker": "staff",
                             "quote": "" if index is None else v.record["utterances"][index]["text"],
                             "utterance": index, "duty": rule})
    breached = {b["article"] for b in breaches}
    clean = [a for a in SCORED_ARTICLES if a not in breached and a not in NO_TRUTH_ARTICLES]
    return {"id": v.record["id"], "breaches": breaches, "clean_articles": clean}

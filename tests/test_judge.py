"""The turn-level judge: shipped weights, vetoes and additions as the bars say, retraining."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

import analyzer
from analyzer.errors import ModelError, OptionError
from analyzer.options import AnalyzerOptions, JudgeOptions
from analyzer.resources import data_path
from analyzer.rules.judge import FEATURES, FORMAT, Judge, load_judge, units, vector
from analyzer.training import judge as training

ROOT = Path(__file__).resolve().parent.parent

#: A visit whose clerk tells the citizen to go and complain (a lexicon hit of Art. 9).
DARE = {"id": "judge-dare", "channel": "counter", "started_at": "2026-03-02T10:00:00+08:00",
        "utterances": [
            {"speaker": "staff", "start": 0.0, "end": 2.0, "text": "您好，请问办理什么业务？"},
            {"speaker": "citizen", "start": 2.5, "end": 5.0, "text": "我的社保卡怎么还没寄到？"},
            {"speaker": "staff", "start": 5.5, "end": 8.0, "text": "你去投诉好了。"},
            {"speaker": "citizen", "start": 8.5, "end": 9.5, "text": "行吧。"},
            {"speaker": "staff", "start": 10.0, "end": 12.0, "text": "请您对我的服务进行评价，您慢走。"},
        ]}
#: A plain visit; its middle staff turn names the form the judge below is told to find.
FORM = {"id": "judge-form", "channel": "counter", "started_at": "2026-03-02T10:00:00+08:00",
        "utterances": [
            {"speaker": "staff", "start": 0.0, "end": 2.0, "text": "您好，请问办理什么业务？"},
            {"speaker": "citizen", "start": 2.5, "end": 5.0, "text": "我来交一份申请。"},
            {"speaker": "staff", "start": 5.5, "end": 8.0, "text": "好的，这张表格签个字。"},
            {"speaker": "citizen", "start": 8.5, "end": 9.5, "text": "签好了。"},
            {"speaker": "staff", "start": 10.0, "end": 12.0, "text": "请您对我的服务进行评价，您慢走。"},
        ]}


def _weights(tmp_path: Path, *, word: str = "", intercept: float = -5.0,
             veto: float | None = None, add: float | None = None, article: int = 9,
             rule: str = "A9-F-05", seen: list[str] | None = None) -> str:
    """A one-model judge file: the article's turns, ``word`` (a staff bigram) pushing to 'breach'."""
    index = sorted(vector([f"s:{word}"])) if word else []
    data = {"format": FORMAT,
            "models": {f"{article}:turn": {"intercept": intercept, "index": index,
                                           "weight": [10.0] * len(index)}},
            "bars": {str(article): {"veto": veto, "add": add}}, "rules": {str(article): rule}}
    if seen is not None:
        data["seen"] = seen
    path = tmp_path / "judge.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return str(path)


def _opts(model: str, **judge: object) -> AnalyzerOptions:
    return AnalyzerOptions(judge=JudgeOptions(enabled=True, model=model, **judge))  # type: ignore[arg-type]


def _art9(report: analyzer.InteractionReport) -> list[analyzer.Finding]:
    return [f for f in report.findings if f.article == 9]


def test_shipped_weights_load_from_the_package_resources():
    path = data_path("models", "judge.json")
    assert path.is_file(), "judge.json must ship inside the package (analyzer/_data/models)"
    judge = load_judge()
    assert judge.models, "the shipped judge has no model"
    assert set(judge.rules) <= {5, 6, 7, 8, 9, 10, 16, 17, 18, 25}
    assert judge.version and len(judge.version) == 12


def test_an_unreadable_weights_file_is_a_model_error_naming_it(tmp_path):
    bad = tmp_path / "judge.json"
    bad.write_text(json.dumps({"format": 99}), encoding="utf-8")
    with pytest.raises(ModelError) as err:
        load_judge(str(bad))
    assert "judge.json" in str(err.value.source)


def test_on_by_default_and_switched_off_the_findings_are_the_rules_own():
    assert AnalyzerOptions().judge.enabled is True
    report = analyzer.analyze(dict(DARE), AnalyzerOptions(judge=JudgeOptions(enabled=False)))
    assert _art9(report), "the lexicon should find the dare to complain"
    assert all("source" not in f.detail for f in report.findings)


def test_a_rule_finding_below_the_veto_bar_is_dropped(tmp_path):
    model = _weights(tmp_path, veto=0.1)  # every Art. 9 turn rates sigmoid(-5) < 0.1
    assert _art9(analyzer.analyze(dict(DARE))), "precondition: the rules find it"
    assert _art9(analyzer.analyze(dict(DARE), _opts(model))) == []
    kept = _art9(analyzer.analyze(dict(DARE), _opts(model, veto=False)))
    assert kept and kept[0].detail["source"] == "rule"
    assert kept[0].detail["judge_probability"] < 0.1


def test_the_judge_has_no_say_on_a_rule_its_training_never_saw(tmp_path):
    found = _art9(analyzer.analyze(dict(DARE)))
    assert found, "precondition: the rules find it"
    # the same low-rating weights, trained (as their "seen" says) without this rule's findings
    model = _weights(tmp_path, veto=0.1, seen=["A9-F-01"])
    kept = _art9(analyzer.analyze(dict(DARE), _opts(model)))
    assert [f.rule for f in kept] == [f.rule for f in found]
    assert all("judge_probability" not in f.detail for f in kept)


def test_the_shipped_judge_keeps_acoustic_findings_and_says_what_it_saw():
    judge = load_judge()
    assert judge.seen and "A6-UNCIVIL" in judge.seen
    assert not any(r.startswith("A6-SHOUT") for r in judge.seen), "typed training sets: no levels"


def test_a_rule_finding_above_the_veto_bar_stays_with_its_probability(tmp_path):
    model = _weights(tmp_path, word="投诉", veto=0.1)
    kept = _art9(analyzer.analyze(dict(DARE), _opts(model)))
    assert kept and kept[0].detail["judge_probability"] > 0.9


def test_the_judge_adds_where_the_rules_are_silent_above_the_add_bar(tmp_path):
    assert _art9(analyzer.analyze(dict(FORM))) == [], "precondition: the rules are silent"
    report = analyzer.analyze(dict(FORM), _opts(_weights(tmp_path, word="表格", add=0.5),
                                                review_probability=0.5))
    added = _art9(report)
    assert len(added) == 1, "only the turn naming the form rates above the add bar"
    f = added[0]
    assert (f.kind, f.rule, f.start, f.end, f.review) == ("judge", "A9-F-05", 5.5, 8.0, "")
    assert f.detail["source"] == "judge" and f.points > 0
    assert report.score < 100


def test_a_judge_only_finding_below_the_review_bar_is_held_and_docks_nothing(tmp_path):
    model = _weights(tmp_path, word="表格", add=0.5)
    plain = analyzer.analyze(dict(FORM))
    report = analyzer.analyze(dict(FORM), _opts(model, review_probability=0.999))
    (f,) = _art9(report)
    assert f.review == "judge" and f.points == 0
    assert report.score == plain.score


def test_an_addition_filed_under_a_group_takes_its_first_rules_points(tmp_path):
    model = _weights(tmp_path, word="表格", add=0.5, article=8, rule="A8-G-GREETING")
    report = analyzer.analyze(dict(FORM), _opts(model, review_probability=0.5))
    added = [f for f in report.findings if f.article == 8 and f.kind == "judge"]
    assert len(added) == 1 and added[0].rule == "A8-G-GREETING" and added[0].points > 0


def test_no_addition_without_an_add_bar_or_with_the_side_off(tmp_path):
    assert _art9(analyzer.analyze(dict(FORM), _opts(_weights(tmp_path, word="表格")))) == []
    model = _weights(tmp_path, word="表格", add=0.5)
    assert _art9(analyzer.analyze(dict(FORM), _opts(model, add=False))) == []


def test_units_carry_context_and_the_rules_evidence():
    report = analyzer.analyze(dict(DARE))
    got = units(report.utterances, "counter", report.findings, [None] * len(report.utterances))
    turn = next(u for u in got if u.article == 9 and u.level == "turn" and u.index == 2)
    assert "s:投诉" in turn.tokens and "p:寄到" in turn.tokens and "n:行吧" in turn.tokens
    assert any(t.startswith("r:mine:A9") for t in turn.tokens)
    visit = next(u for u in got if u.article == 9 and u.level == "visit")
    assert "v:mine" in visit.tokens


def test_options_are_validated():
    with pytest.raises(OptionError):
        JudgeOptions(review_probability=1.5)
    opts = AnalyzerOptions().with_overrides({"judge.enabled": True})
    assert opts.to_dict()["judge"]["enabled"] is True


def test_units_carry_what_inspectors_judge_by():
    report = analyzer.analyze(dict(DARE), AnalyzerOptions(judge=JudgeOptions(enabled=False)))
    utts = report.utterances
    acts = [{"evaluation": 0.9, "goodbye": 0.7} if k == 4 else None for k in range(len(utts))]
    cues = [{"upset": 0.8, "other": 0.2} if k == 1 else None for k in range(len(utts))]
    got = units(utts, "counter", report.findings, acts, cues)
    turn = next(u for u in got if u.article == 9 and u.level == "turn" and u.index == 2)
    assert "pq:asks" in turn.tokens, "the citizen turn before asks (？)"
    assert "pc:upset:4" in turn.tokens and "pc:other:1" in turn.tokens
    assert "la:evaluation:4" in turn.tokens and "la:goodbye:3" in turn.tokens, "the next staff turn"
    assert f"len:{len(utts) // 3}" in turn.tokens
    kinds = [t for t in turn.tokens if t.startswith(("r:kind:", "r:conf:"))]
    assert kinds, "the rule finding's kind and confidence"
    last = next(u for u in got if u.article == 10 and u.level == "turn" and u.index == 4)
    assert "la:none" in last.tokens, "nothing follows the last staff turn"
    bare = units(utts, "counter", report.findings, acts, cues, features=())
    assert not any(t.startswith(("pq:", "pc:", "la:", "len:", "r:kind:")) for b in bare
                   for t in b.tokens), "a weights file without feature groups gets the base only"


def test_the_weights_name_their_feature_groups_and_unknown_ones_are_refused():
    base = {"format": FORMAT, "models": {}, "bars": {}, "rules": {}}
    assert Judge.from_dict(base).features == (), "an older file: the base tokens only"
    assert Judge.from_dict({**base, "features": ["cue"]}).features == ("cue",)
    with pytest.raises(ModelError, match="unknown feature groups"):
        Judge.from_dict({**base, "features": ["cue", "mood"]})
    assert load_judge().features == FEATURES, "the shipped judge reads every group"


def test_training_reads_every_training_set_and_no_measure():
    data = ROOT / "benchmarks" / "data"
    present = {p.name for p in data.glob("train-halls-*") if (p / "labels.json").is_file()}
    assert present and present <= set(training.SETS), "a training set left out of the judge"
    assert {"blind-halls", "blind-halls-2", "blind-halls-3"} <= set(training.SETS)
    measures = {f"blind-halls-{k}" for k in range(4, 40)} | {"dialogues-dev"}
    assert not measures & set(training.SETS), "a measure set must never train the judge"


def test_the_shipped_judge_was_trained_on_every_training_set_with_the_aim():
    meta = json.loads(data_path("models", "judge.json").read_text(encoding="utf-8"))["meta"]
    data = ROOT / "benchmarks" / "data"
    want = {n for n in training.SETS if (data / n / "labels.json").is_file()}
    want |= {"ours-halls", "ours-dialogues"}
    assert set(meta["sets"]) == want, "retrain: .venv/bin/python -m analyzer.training.judge"
    aim = training.AIM
    assert meta["aim"] == {"beta": aim.beta, "min_gain": aim.min_gain,
                           "max_recall_loss": aim.max_recall_loss, "recall_floor": aim.recall_floor,
                           "guard_loss": aim.guard_loss, "guard_sets": list(training.GUARD_SETS)}
    assert {"ours-halls", "ours-dialogues"} <= set(training.GUARD_SETS)
    assert aim.beta < 1 and aim.recall_floor >= 0.9, "aimed at precision, with a recall floor"


def _row(veto, add, tp, fp, hit, n):  # (veto, add, true, false, found, labelled)
    return (veto, add, tp, fp, hit, n)


def test_the_chooser_buys_precision_with_a_little_recall_but_not_below_the_floor():
    rules_only = _row(None, None, 57, 14, 57, 60)  # P 0.80, R 0.95
    veto = _row(0.1, None, 56, 3, 56, 60)  # P 0.95, R 0.93: one true finding lost for 11 false
    assert training.pick([rules_only, veto]) == training.Bars(0.1, None)
    too_far = _row(0.3, None, 50, 0, 50, 60)  # P 1.00 but R 0.83: under the 0.90 floor
    assert training.pick([rules_only, too_far]) is None
    assert training.pick([rules_only, veto, too_far]) == training.Bars(0.1, None)
    # the old rule (F1, no recall loss) kept the rules here; the aim must not regress to it
    old = training.Aim(beta=1.0, max_recall_loss=0.0, recall_floor=1.0)
    assert training.pick([rules_only, veto], old) is None


def test_a_veto_that_cuts_recall_on_wording_the_judge_never_saw_is_refused():
    rules_only = _row(None, None, 57, 14, 57, 60)
    veto = _row(0.1, None, 56, 3, 56, 60)  # fine on the blind-written sets ...
    guard = [_row(None, None, 30, 0, 30, 30), _row(0.1, None, 24, 0, 24, 30)]  # ... but 0.80 here
    assert training.pick([rules_only, veto]) == training.Bars(0.1, None)
    assert training.pick([rules_only, veto], guards=[guard]) is None
    mild = [_row(None, None, 30, 0, 30, 30), _row(0.1, None, 29, 0, 29, 30)]  # one of 30: allowed
    assert training.pick([rules_only, veto], guards=[mild]) == training.Bars(0.1, None)


def test_the_chooser_keeps_the_rules_where_recall_is_already_under_the_floor():
    rules_only = _row(None, None, 30, 10, 30, 36)  # R 0.83 < 0.90: no recall may go
    loses_one = _row(0.1, None, 29, 1, 29, 36)
    keeps_all = _row(0.03, None, 30, 6, 30, 36)
    assert training.pick([rules_only, loses_one, keeps_all]) == training.Bars(0.03, None)
    assert training.pick([rules_only, _row(0.01, None, 30, 10, 30, 36)]) is None, "no gain: rules"


def test_bars_chosen_on_first_runs_may_not_cost_todays_recall_beyond_the_cap():
    first = [_row(None, None, 40, 20, 40, 50), _row(0.03, None, 40, 8, 40, 50)]  # 12 fresh false gone
    today = [_row(None, None, 90, 5, 90, 100), _row(0.03, None, 87, 2, 87, 100)]  # 3 of 100 lost
    assert training.pick(first) == training.Bars(0.03, None)
    assert training.pick(first, kept=[today]) is None, "today's recall falls 0.03 > 0.02"
    mild = [_row(None, None, 90, 5, 90, 100), _row(0.03, None, 89, 2, 89, 100)]
    assert training.pick(first, kept=[mild]) == training.Bars(0.03, None)


def test_each_held_out_set_gets_turn_bars_chosen_without_it():
    from analyzer.types import Finding, Utterance

    sys.path[:0] = [str(ROOT / "benchmarks")]
    from benchmarks.judge import tallies

    def item(source: str, k: int, true: bool) -> training.Item:
        said = [{"speaker": "staff", "start": 0.0, "end": 2.0, "text": "好。"}]
        f = Finding(rule="A9-F-05", article=9, kind="forbidden", canonical="", speaker="staff",
                    start=0.0, end=2.0, evidence="", confidence=0.9, points=2)
        return training.Item(source, {"id": f"{source}-{k}", "utterances": said},
                             [{"article": 9, "utterance": 0}] if true else [],
                             set() if true else {9}, utterances=[Utterance("staff", 0.0, 2.0, "好。")],
                             findings=[f], first_run=True)
    # set-a's first run filed four false findings the turn judge rates near 0; the others' are true
    items = [item("set-a", k, False) for k in range(4)] + [item("set-b", 0, True),
                                                          item("set-c", 0, True)]
    probs = [{(9, "turn", 0): 0.001 if not i.breaches else 0.9} for i in items]
    bars, by_fold = training.fold_bars(items, probs, {9: "A9-F-05"}, tallies)
    assert bars[9].veto is not None, "the first runs' false findings buy a veto"
    assert by_fold["set-b"][9] == bars[9]
    assert 9 not in by_fold["set-a"], "without set-a no false finding is left to pay for a veto"


def _missed(source: str, k: int, breach: bool) -> training.Item:
    """A first-run visit where the rules filed nothing: one Art. 9 breach or Art. 9 clean."""
    from analyzer.types import Utterance

    said = [{"speaker": "staff", "start": 0.0, "end": 2.0, "text": "好。"}]
    return training.Item(source, {"id": f"{source}-{k}", "utterances": said},
                         [{"article": 9, "utterance": 0, "duty": "", "quote": "好。"}] if breach else [],
                         set() if breach else {9}, utterances=[Utterance("staff", 0.0, 2.0, "好。")],
                         findings=[], first_run=True)


@pytest.mark.parametrize("clean_rated, kept", [(0.01, True), (0.25, False)])
def test_low_add_bars_are_kept_only_where_the_nested_check_says_they_pay(clean_rated, kept,
                                                                         monkeypatch):
    """Breaches the rules missed, rated 0.25 by the turn judge: a low add bar finds them. It is
    kept only where, set by set with bars chosen without the set, it adds at most one false
    finding per two breaches found (here: clean visits rated as high cost one per breach).
    The low bars are off as shipped (``RECALL_ADD_BARS`` empty); switched on here."""
    monkeypatch.setattr(training, "RECALL_ADD_BARS", (0.1, 0.2, 0.3))
    monkeypatch.setattr(training, "ADD_BARS", (None, 0.1, 0.2, 0.3, 0.5, 0.7, 0.9))
    sys.path[:0] = [str(ROOT / "benchmarks")]
    from benchmarks.judge import tallies

    items = [_missed(s, k, breach) for s in ("set-a", "set-b", "set-c")
             for k, breach in enumerate((True, True, False, False))]
    probs = [{(9, "turn", 0): 0.25 if i.breaches else clean_rated} for i in items]
    report: dict[int, dict] = {}
    bars, by_fold = training.fold_bars(items, probs, {9: "A9-F-05"}, tallies, report=report)
    assert report[9]["without"]["first"] == [0, 0, 6], "the plain bars (>= 0.5) find none"
    assert report[9]["kept"] is kept
    if kept:
        assert report[9]["with"]["first"] == [0, 6, 6]
        assert bars[9].add in training.RECALL_ADD_BARS and by_fold["set-a"][9] == bars[9]
    else:
        assert report[9]["with"]["first"][0] > 0
        assert 9 not in bars or bars[9].add not in training.RECALL_ADD_BARS


def test_the_recall_check_weighs_false_findings_added_against_breaches_found():
    before = {"first": [10, 50, 60], "blind": [5, 90, 100], "ours-halls": [0, 20, 20]}
    ok = {"first": [12, 55, 60], "blind": [5, 91, 100], "ours-halls": [1, 20, 20]}
    assert training.recall_adds_pay(before, ok), "2 false for 5 found; a guard may take one"
    assert not training.recall_adds_pay(before, {**ok, "first": [14, 55, 60]}), "4 for 5"
    assert not training.recall_adds_pay(before, {**ok, "blind": [6, 91, 100]} | {"first": [
        10, 50, 60]}), "finds nothing more on the first runs"
    assert not training.recall_adds_pay(before, {**ok, "ours-halls": [2, 20, 20]})
    assert not training.recall_adds_pay(before, {**ok, "blind": [5, 89, 100]}), "loses breaches"


@pytest.mark.slow
def test_retraining_reproduces_the_shipped_weights(tmp_path):
    out = tmp_path / "judge.json"
    subprocess.run([sys.executable, "-m", "analyzer.training.judge", "--out", str(out)],
                   cwd=ROOT, check=True, timeout=3000)
    shipped = json.loads(data_path("models", "judge.json").read_text(encoding="utf-8"))
    assert json.loads(out.read_text(encoding="utf-8")) == shipped
    Judge.from_dict(shipped)


# ------------------------------------------------------------- the veto model: P(true | flagged)
def _flagging(tmp_path: Path, *, bar: float, intercept: float = -5.0,
              weights: dict[str, float] | None = None) -> str:
    """A judge file with no turn model and a veto model with Article 9's bar."""
    data = {"format": FORMAT, "models": {}, "bars": {}, "rules": {"9": "A9-F-05"},
            "flags": {"intercept": intercept, "weights": weights or {}, "bars": {"9": bar}}}
    path = tmp_path / f"flags-{bar}-{len(weights or {})}.json"  # load_judge caches by path
    path.write_text(json.dumps(data), encoding="utf-8")
    return str(path)


def test_a_rule_finding_the_veto_model_rates_below_its_bar_is_dropped(tmp_path):
    assert _art9(analyzer.analyze(dict(DARE))), "precondition: the rules find it"
    assert _art9(analyzer.analyze(dict(DARE), _opts(_flagging(tmp_path, bar=0.5)))) == []
    # the finding's own tokens (its rule) lift it over the bar: it stays, with its probability
    lifted = _flagging(tmp_path, bar=0.5, weights={"rule:A9-F-05": 10.0})
    (kept,) = _art9(analyzer.analyze(dict(DARE), _opts(lifted)))
    assert kept.detail["source"] == "rule" and kept.detail["flag_probability"] > 0.5
    assert _art9(analyzer.analyze(dict(DARE), _opts(_flagging(tmp_path, bar=0.5), veto=False)))


def test_the_veto_model_reads_the_finding_and_never_its_words():
    from analyzer.rules.judge import flag_tokens

    report = analyzer.analyze(dict(DARE), AnalyzerOptions(judge=JudgeOptions(enabled=False)))
    (f,) = _art9(report)
    utts = report.utterances
    acts = [{"evaluation": 0.9} if k == 4 else None for k in range(len(utts))]
    cues = [{"upset": 0.8} if k == 1 else None for k in range(len(utts))]
    toks = flag_tokens(f, utts, "counter", report.findings, acts, cues,
                       "2026-03-02T10:00:00+08:00")
    assert {"rule:A9-F-05", "kind:forbidden", "who:staff", "pq:asks", "pc:upset:4",
            "la:evaluation:4", "hour:morning", "a9|rule:A9-F-05"} <= set(toks)
    said = "".join(u.text for u in utts)
    assert not [t for t in toks if any(c in said for c in t if ord(c) > 0x2e80)], \
        "no character of the utterances may be a token: unseen wording keeps the prior"


def test_the_veto_models_training_units_are_the_rules_flags_and_nothing_else():
    from analyzer.training import flags

    items = training.load_folder(ROOT / "benchmarks" / "data" / "train-halls-1")[:6]
    items = training.prepare(items)
    for item in items:
        units_ = flags.flag_units(item)
        judged = [f for f in item.findings if f.article in training.ARTICLES]
        assert [k for k, _, _ in units_] == [k for k, f in enumerate(item.findings)
                                              if f in judged], "one unit per rule finding"
        assert all(item.findings[k].kind != "judge" for k, _, _ in units_)
    rows, labels = flags.flag_rows_of(items)
    assert len(rows) == len(labels) == sum(1 for i in items for _, _, y in flags.flag_units(i)
                                           if y is not None)
    assert set(labels) <= {0, 1}
    # a finding the judge filed (anything not a rule's flag) is never a unit
    item = items[0]
    before = [k for k, _, _ in flags.flag_units(item)]
    fake = analyzer.Finding(rule="A9-F-01", article=9, kind="judge", canonical="", speaker="staff",
                            start=0.0, end=1.0, evidence="", confidence=0.9)
    item.findings = [*item.findings, fake]
    assert [k for k, _, _ in flags.flag_units(item)] == before


def test_a_veto_model_bar_ships_only_where_the_nested_check_shows_a_gain_within_the_cap():
    from analyzer.training import flags

    # per bar: (bar, true, false, found, labelled); the first row is the rules alone
    rules_only = (None, 90, 20, 90, 100)
    keeps_all = (0.1, 90, 14, 90, 100)
    loses_two = (0.2, 88, 8, 88, 100)  # more precise, but 0.02 of recall: over the cap
    assert flags.pick_flag_bar([rules_only, keeps_all, loses_two]) == 0.1
    assert flags.pick_flag_bar([rules_only, (0.1, 90, 18, 90, 100)]) is None, "too few removed"
    guard = [(None, 30, 0, 30, 30), (0.1, 28, 0, 28, 30), (0.2, 28, 0, 28, 30)]
    assert flags.pick_flag_bar([rules_only, keeps_all, loses_two], [guard]) is None
    # nested figures: [false, found, labelled] rules alone, then with the vetoes
    assert flags.confirmed({"blind": [30, 100, 117, 23, 100, 117]})
    assert not flags.confirmed({"blind": [22, 90, 105, 22, 90, 105]}), "no gain out of fold"
    assert not flags.confirmed({"blind": [30, 100, 117, 23, 100, 117],
                                "ours-halls": [0, 59, 63, 0, 57, 63]}), "a guard set lost recall"
    shipped = json.loads(data_path("models", "judge.json").read_text(encoding="utf-8"))
    for article in shipped.get("flags", {}).get("bars", {}):
        assert flags.confirmed(shipped["flags"]["nested"][article]), article


#: A visit whose citizen presses a question out of earlier trips and gets a cold reply (规定就这样).
PRESSED_COLD = {"id": "judge-cold", "channel": "counter", "started_at": "2026-03-02T10:00:00+08:00",
                "utterances": [
                    {"speaker": "staff", "start": 0.0, "end": 2.0, "text": "您好，请问办理什么业务？"},
                    {"speaker": "citizen", "start": 2.5, "end": 5.0, "text": "上回缺的那张表我带来了。"},
                    {"speaker": "staff", "start": 5.5, "end": 8.0, "text": "收下了，还得补一个居委会的章，不好意思，清单在这儿。"},
                    {"speaker": "citizen", "start": 8.5, "end": 11.0, "text": "我都跑四趟了，下回总能办成了吧？"},
                    {"speaker": "staff", "start": 11.5, "end": 13.5, "text": "齐不齐看你自己，规定就是这样。"},
                    {"speaker": "staff", "start": 14.0, "end": 16.0, "text": "请您对我的服务进行评价，您慢走。"},
                ]}


def test_a_missing_calming_decided_by_a_cold_reply_is_not_vetoed(tmp_path):
    model = _weights(tmp_path, veto=0.5, article=10, rule="A10-G-UPSET")  # every Art. 10 turn rates < 0.5
    upset = [f for f in analyzer.analyze(dict(PRESSED_COLD)).findings if f.rule == "A10-G-UPSET"]
    assert upset and upset[0].veto_exempt == "reply", "the rule marks it: decided by the reply"
    assert upset[0].to_dict()["veto_exempt"] == "reply"
    judged = analyzer.analyze(dict(PRESSED_COLD), _opts(model)).findings
    assert [f.rule for f in judged if f.rule == "A10-G-UPSET"] == ["A10-G-UPSET"]
    assert "judge_probability" not in next(f for f in judged if f.rule == "A10-G-UPSET").detail


def test_the_exemption_from_vetoes_is_one_marker_the_rules_set_read_in_one_place():
    """``Finding.veto_exempt`` (set by the rule: a cold reply, a hang-up's timing) and the
    articles left to the rules (Art. 25) are read by ``judge.vetoable`` alone: under bars that
    drop every other finding of the same article, these stand, as the rules filed them."""
    from dataclasses import replace

    from analyzer.rules.judge import NO_VETO, Bars, decide, vetoable
    from analyzer.types import Finding, Utterance

    utts = [Utterance("staff", 0.0, 2.0, "您好。"), Utterance("citizen", 2.5, 4.0, "喂？喂？")]
    plain = Finding(rule="A7-HANGUP", article=7, kind="hangup", canonical="", speaker="staff",
                    start=0.5, end=4.0, evidence="", confidence=0.8, points=5)
    timed = replace(plain, veto_exempt="timing")
    put_off = replace(plain, rule="A25-DEFER", article=25, kind="duty")
    assert 25 in NO_VETO and not vetoable(timed) and not vetoable(put_off) and vetoable(plain)
    probs = {(7, "turn", 0): 0.001, (25, "turn", 0): 0.001}
    on = JudgeOptions(enabled=True, review_probability=0.0)
    for flags in (None, [0.0, 0.0, 0.0]):
        kept = decide([plain, timed, put_off], utts, probs, {7: Bars(0.5), 25: Bars(0.5)}, {}, on,
                      flags=flags, flag_bars={7: 0.9, 25: 0.9} if flags else None)
        assert kept == [timed, put_off], "kept unannotated; the unmarked one is vetoed"
    assert "veto_exempt" not in plain.to_dict()


#: A question passed over, asked again, then answered and thanked for (our own words).
AGAIN = [("staff", "您好。"), ("citizen", "请问护照在哪个窗口办？"), ("staff", "您先取个号。"),
         ("citizen", "我是问在哪个窗口办护照？"), ("staff", "三号窗口。"), ("citizen", "好的，谢谢。")]


def test_the_veto_model_reads_a_questions_kinds_and_the_dropped_follow_group_is_gone():
    """Session 12's ``follow`` group measured no gain (nested 161 -> 165 false) and was dropped:
    no unit or veto-model token reads it, and a weights file naming it is refused."""
    from analyzer.rules.judge import Judge, flag_tokens
    from analyzer.types import Finding, Utterance

    utts = [Utterance(who, float(3 * k), float(3 * k + 2), text)
            for k, (who, text) in enumerate(AGAIN)]
    acts = [{"greeting": 0.9} if k == 0 else None for k in range(len(utts))]
    cues = [None] * len(utts)
    assert "follow" not in FEATURES
    assert not any(t.startswith("fw:") for u in units(utts, "counter", [], acts, cues)
                   for t in u.tokens)
    f = Finding(rule="A5-ANSWER", article=5, kind="unanswered", canonical="", speaker="staff",
                start=3.0, end=8.0, evidence="", confidence=0.8, points=2,
                detail={"kinds": ["place"]})
    toks = set(flag_tokens(f, utts, "counter", [f], acts, cues))
    assert {"d:kinds=place", "a5|d:kinds=place"} <= toks
    assert not any(t.startswith(("fw:", "a5|fw:")) for t in toks)
    said = "".join(u.text for u in utts)
    assert not [t for t in toks if any(c in said for c in t if ord(c) > 0x2e80)]
    with pytest.raises(ModelError, match="follow"):
        Judge.from_dict({"format": 1, "models": {}, "bars": {}, "rules": {},
                         "features": ["finding", "follow"]})


def test_a_phrase_heard_from_the_audio_is_not_vetoed_on_its_garbled_text():
    """A forbidden phrase the acoustic verifier accepted where the text did not show it
    (``method="acoustic"``) is decided by the audio: the rule marks it ``heard`` and the
    judge, which reads only the recognizer's text, may not drop it; a text match may be."""
    from dataclasses import replace

    from analyzer.rules.context import forbidden_findings
    from analyzer.rules.judge import vetoable
    from analyzer.text.lexicon import load_lexicon
    from analyzer.text.match import Hit
    from analyzer.types import Utterance

    rule = next(r for r in load_lexicon().rules if r.kind == "forbidden" and r.article == 8)
    said = [Utterance("staff", 0.0, 2.0, "不知道你7萬")]
    heard = Hit(rule=rule, speaker="staff", start=0.0, end=2.0, evidence="不知道你7萬",
                confidence=0.9, method="acoustic", utterances=(0,))
    typed = replace(heard, method="exact")
    by_ear, by_text = forbidden_findings([heard, typed], said)
    assert by_ear.veto_exempt == "heard" and not vetoable(by_ear)
    assert by_text.veto_exempt == "" and vetoable(by_text)

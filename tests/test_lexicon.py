"""Lexicon: the shipped Chapter 3 rules, validation errors, local overrides, CLI."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from analyzer.cli import main
from analyzer.errors import LexiconError
from analyzer.text.lexicon import (
    ARTICLES,
    CONTEXTS,
    SHIPPED_LEXICON,
    check_files,
    load_lexicon,
    pattern_parts,
)
from analyzer.types import CUE_KINDS

EXAMPLE = SHIPPED_LEXICON.parent / "examples" / "county-override.toml"
MEASURES = ("A7-RING", "A7-HANGUP", "A6-SHOUT", "A6-RATE", "A8-IGNORE", "A6-UNCIVIL")


def _seed_phrases(seed_path: Path) -> set[str]:
    """Every quoted phrase of Chapter 3 of the seed, artifacts cleaned."""
    text = seed_path.read_text(encoding="utf-8")
    chapter = text[text.index("第三章") : text.index("第四章")]
    chapter = re.sub(r"\n\d+、", "", chapter)  # page-break artifacts: 业\n5、务
    phrases = set(re.findall(r"“([^”]+)”", chapter))
    return {p.replace("XX义", "XX") for p in phrases}  # OCR slip


def test_every_chapter3_phrase_is_a_rule_with_seed_wording(seed_path: Path) -> None:
    lex = load_lexicon()
    canon = {r.canonical for r in lex.select(kind=("required", "forbidden"))
             if 6 <= r.article <= 10}  # Chapter 3; the later articles quote no phrases
    seed = _seed_phrases(seed_path)
    assert len(seed) >= 30
    assert seed == canon  # exactly the seed's wording, nothing invented, nothing missed


def test_shipped_rules_are_complete_and_cited() -> None:
    lex = load_lexicon()
    ids = [r.id for r in lex.rules]
    assert len(ids) == len(set(ids))
    assert lex.version == "chapter3@2023.3"
    for rid in MEASURES:
        rule = lex.get(rid)
        assert rule.kind == "measure" and rule.title and rule.points > 0
    for rule in lex.rules:
        assert rule.article in ARTICLES
        assert rule.cite, rule.id
        assert rule.source.startswith(str(SHIPPED_LEXICON))
        if rule.kind != "measure":
            assert rule.context in CONTEXTS
    assert lex.get("A8-F-01").canonical == "我不知道,你去问XX"
    assert lex.get("A7-R-03").canonical == "请问您要办理什么业务?"  # page break removed
    assert {r.article for r in lex.select(kind="forbidden")} == {8, 9, 10}
    for rid in ("A5-ANSWER", "A17-INTERRUPT", "A17-QUARREL", "A18-PIECEMEAL", "A25-HOURS",
                "A7-UNANSWERED"):  # the measurable duties beyond Chapter 3
        assert lex.get(rid).kind == "measure" and lex.get(rid).points > 0


def test_groups_hold_alternatives() -> None:
    lex = load_lexicon()
    assert lex.get("A7-R-01").group == lex.get("A7-R-02").group
    assert lex.get("A9-R-07").group == lex.get("A9-R-08").group
    assert lex.get("A10-R-03").group != lex.get("A10-R-04").group  # both owed
    greeting = lex.groups(kind="required", context="phone_greeting")
    assert {r.id for r in greeting["A7-G-GREETING"]} == {"A7-R-01", "A7-R-02"}


def test_cues_cover_every_context_and_map_to_cue_kinds() -> None:
    lex = load_lexicon()
    cues = lex.select(kind="cue")
    assert {r.cue_kind for r in cues} == set(CUE_KINDS)
    staff_side = {"not_ours", "materials_listed", "materials_added", "materials_deferred",
                  "deferral", "requeue"}  # Articles 16, 17, 18, 25
    assert all(r.role in ("citizen", "any") for r in cues if r.cue_kind not in staff_side)
    assert all(r.role == "staff" for r in cues if r.cue_kind in staff_side)
    assert lex.get("A9-F-01").cue_kind == ""


def test_owed_rules_per_context() -> None:
    lex = load_lexicon()
    owed = {r.context for r in lex.select(kind="required") if r.owed}
    assert owed == {
        "phone_greeting",
        "counter_greeting",
        "leaving",
        "incomplete_materials",
        "suggestion",
        "praise",
        "upset_citizen",
        "not_ours",  # Article 16: a pointer to the responsible window, hall or phone
    }
    assert not lex.get("A9-R-01").owed  # situational: never "missing"


def test_pattern_parts_marks_slots() -> None:
    assert pattern_parts("请您XX月XX日前来领取证照") == ["请您", None, "月", None, "日前来领取证照"]
    assert pattern_parts("请您填写XXX") == ["请您填写", None]


def test_load_is_cached() -> None:
    assert load_lexicon() is load_lexicon()
    assert load_lexicon([EXAMPLE]) is load_lexicon([str(EXAMPLE)])


def test_override_layer_adds_changes_and_disables() -> None:
    base = load_lexicon()
    lex = load_lexicon([EXAMPLE])
    assert lex.version == "chapter3@2023.3+example-county@1"
    assert lex.sources == (str(SHIPPED_LEXICON), str(EXAMPLE))
    local = lex.get("LOCAL-F-01")
    assert local.kind == "forbidden" and local.source.startswith(str(EXAMPLE))
    changed = lex.get("A9-F-05")
    assert changed.points == 20 and base.get("A9-F-05").points == 15
    assert "有意见你就去投诉" in changed.variants
    assert set(base.get("A9-F-05").variants) < set(changed.variants)
    assert "A7-R-02" not in lex and "A7-R-02" in base
    assert lex.disabled == ("A7-R-02",)
    assert base.get("A9-F-05").points == 15  # the shipped lexicon is untouched


BAD = {
    "syntax": ("[lexicon]\nname = 'x'\nversion = '1'\n\n[[rule]]\nid = 'X-1\n", 6, "TOML syntax"),
    "missing_field": (
        "[lexicon]\nname = 'x'\nversion = '1'\n\n[[rule]]\nid = 'X-1'\narticle = 9\n"
        "kind = 'forbidden'\ncontext = 'handling'\n",
        5,
        "missing field 'canonical'",
    ),
    "bad_kind": (
        "[lexicon]\nname = 'x'\nversion = '1'\n\n[[rule]]\nid = 'X-1'\narticle = 9\n"
        "kind = 'forbiden'\ncanonical = '走开'\ncontext = 'handling'\n",
        8,
        "bad kind",
    ),
    "duplicate_id": (
        "[lexicon]\nname = 'x'\nversion = '1'\n\n[[rule]]\nid = 'A9-F-01'\narticle = 9\n"
        "kind = 'forbidden'\ncanonical = '走开'\ncontext = 'handling'\n",
        6,
        "duplicate rule id",
    ),
    "unknown_article": (
        "[lexicon]\nname = 'x'\nversion = '1'\n\n[[rule]]\nid = 'X-1'\narticle = 12\n"
        "kind = 'forbidden'\ncanonical = '走开'\ncontext = 'handling'\n",
        7,
        "unknown article",
    ),
    "ocr_slot": (
        "[lexicon]\nname = 'x'\nversion = '1'\n\n[[rule]]\nid = 'X-1'\narticle = 8\n"
        "kind = 'forbidden'\ncontext = 'handling'\ncanonical = '你去问XX义'\n",
        10,
        "bad slot",
    ),
    "long_slot": (
        "[lexicon]\nname = 'x'\nversion = '1'\n\n[[rule]]\nid = 'X-1'\narticle = 8\n"
        "kind = 'forbidden'\ncontext = 'handling'\ncanonical = '你去问'\n"
        "variants = ['你去问XXXX']\n",
        11,
        "bad slot",
    ),
    "unknown_field": (
        "[lexicon]\nname = 'x'\nversion = '1'\n\n[[rule]]\nid = 'X-1'\narticle = 8\n"
        "kind = 'forbidden'\ncontext = 'handling'\ncanonicle = '走开'\n",
        10,
        "unknown field",
    ),
    "override_unknown": (
        "[lexicon]\nname = 'x'\nversion = '1'\n\n[[override]]\nid = 'A9-F-99'\npoints = 3\n",
        6,
        "unknown rule id",
    ),
    "disable_unknown": (
        "[lexicon]\nname = 'x'\nversion = '1'\n\n[[disable]]\nid = 'NOPE'\n",
        6,
        "unknown rule id",
    ),
    "no_version": ("[lexicon]\nname = 'x'\n", 1, "version"),
    "dollar_inside": (
        "[lexicon]\nname = 'x'\nversion = '1'\n\n[[override]]\nid = 'A9-F-01'\n"
        "add_variants = ['下班$了']\n",
        7,
        "may only end a phrase",
    ),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_malformed_lexicon_names_file_and_line(tmp_path: Path, case: str) -> None:
    text, line, message = BAD[case]
    path = tmp_path / f"{case}.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(LexiconError) as err:
        load_lexicon([path])
    assert err.value.source == str(path)
    assert err.value.line == line, str(err.value)
    assert message in str(err.value)
    assert str(err.value).startswith(f"{path}:{line}: ")


def test_missing_file_is_a_lexicon_error(tmp_path: Path) -> None:
    with pytest.raises(LexiconError, match="cannot read"):
        load_lexicon([tmp_path / "nope.toml"])


def test_edit_on_disk_is_picked_up(tmp_path: Path) -> None:
    path = tmp_path / "local.toml"
    path.write_text(
        "[lexicon]\nname = 'l'\nversion = '1'\n[[override]]\nid = 'A9-F-01'\npoints = 11\n"
    )
    assert load_lexicon([path]).get("A9-F-01").points == 11
    path.write_text(
        "[lexicon]\nname = 'l'\nversion = '2'\n[[override]]\nid = 'A9-F-01'\npoints = 12\n"
    )
    import os

    os.utime(path, ns=(1, 10**18))
    assert load_lexicon([path]).get("A9-F-01").points == 12


def test_check_files_reports_each_file(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text(BAD["bad_kind"][0], encoding="utf-8")
    results = dict(check_files([SHIPPED_LEXICON, EXAMPLE, bad]))
    assert not isinstance(results[str(SHIPPED_LEXICON)], LexiconError)
    assert not isinstance(results[str(EXAMPLE)], LexiconError)
    assert isinstance(results[str(bad)], LexiconError)


def test_cli_check_exit_codes_and_messages(tmp_path: Path) -> None:
    runner = CliRunner()
    ok = runner.invoke(main, ["lexicon", "check", str(SHIPPED_LEXICON), str(EXAMPLE)])
    assert ok.exit_code == 0, ok.output
    assert "OK" in ok.output
    bad = tmp_path / "bad.toml"
    bad.write_text(BAD["unknown_article"][0], encoding="utf-8")
    res = runner.invoke(main, ["lexicon", "check", str(EXAMPLE), str(bad)])
    assert res.exit_code == 1
    assert f"{bad}:7: " in res.output
    assert "unknown article" in res.output


def test_cli_show_filters_and_json() -> None:
    runner = CliRunner()
    res = runner.invoke(main, ["lexicon", "show", "--kind", "forbidden", "--article", "9"])
    assert res.exit_code == 0, res.output
    listed = re.findall(r"^(\S+)\s+Art\.(\d+)", res.output, flags=re.M)
    assert {rid for rid, _ in listed} == {f"A9-F-0{i}" for i in range(1, 6)}
    assert {art for _, art in listed} == {"9"}
    res = runner.invoke(main, ["lexicon", "show", "--format", "json", "--extra", str(EXAMPLE)])
    import json

    data = json.loads(res.output)
    assert data["version"].endswith("+example-county@1")
    assert "LOCAL-F-01" in {r["id"] for r in data["rules"]}


def test_cli_match_shows_method() -> None:
    res = CliRunner().invoke(main, ["lexicon", "match", "有排子自己看"])
    assert res.exit_code == 0
    assert "A8-F-02" in res.output and "pinyin" in res.output


def test_lexicon_pickles_without_its_compiled_matcher() -> None:
    import pickle

    from analyzer.text.match import get_matcher, match_text

    lex = load_lexicon()
    get_matcher(lex)  # the cache now holds an automaton, which cannot be pickled
    copy = pickle.loads(pickle.dumps(lex))
    assert copy == lex and copy.version == lex.version
    assert copy.get("A9-F-01") == lex.get("A9-F-01")
    assert [h.rule.id for h in match_text("下班了明天再来", copy)] == ["A9-F-01"]


def test_check_reports_every_bad_block_of_a_file_with_its_line(tmp_path: Path) -> None:
    bad = tmp_path / "county.toml"
    bad.write_text(
        "[lexicon]\nname = 'county'\nversion = '1'\n"         # lines 1-3
        "[[rule]]\nid = 'C-R-01'\narticle = 12\nkind = 'required'\n"  # 4-7: article 12
        "canonical = '您好'\ncontext = 'counter_greeting'\n"   # 8-9
        "[[rule]]\nid = 'C-R-02'\narticle = 8\nkind = 'required'\n"   # 10-13
        "canonical = '请稍等'\ncontext = 'handling'\n"         # 14-15: fine
        "[[override]]\nid = 'A9-F-01'\npoints = -3\n"          # 16-18: negative points
        "[[disable]]\nid = 'NO-SUCH-RULE'\n",                  # 19-20
        encoding="utf-8")
    result = dict(check_files([bad]))[str(bad)]
    assert isinstance(result, LexiconError)
    lines = str(result).splitlines()
    assert len(lines) == 3, lines
    assert lines[0].startswith(f"{bad}:6: ") and "unknown article 12" in lines[0]
    assert lines[1].startswith(f"{bad}:18: ") and "points must be >= 0" in lines[1]
    assert lines[2].startswith(f"{bad}:20: ") and "NO-SUCH-RULE" in lines[2]
    res = CliRunner().invoke(main, ["lexicon", "check", str(bad)])
    assert res.exit_code == 1 and res.output.count(str(bad)) == 3


def test_titles_are_chinese_and_the_english_gloss_shows_only_in_english() -> None:
    """Chinese pages show a rule's title alone; English ones add the gloss after it."""
    import analyzer
    from analyzer.i18n import language

    lex = load_lexicon()
    assert not [r.id for r in lex.rules if re.search(r"[A-Za-z]", r.title.replace("XX", ""))]
    quarrel = lex.get("A17-QUARREL")
    assert quarrel.shown_title() == "与服务对象争吵"
    with language("en"):
        assert quarrel.shown_title() == "与服务对象争吵 (a quarrel with the citizen)"
    call = {"id": "g", "channel": "phone", "rings": 5, "started_at": "2026-11-03T10:15:00+08:00",
            "utterances": []}
    (finding,) = [f for f in analyzer.analyze(dict(call)).findings if f.rule == "A7-UNANSWERED"]
    assert finding.canonical == "服务时间内电话未接听"
    with language("en"):
        (english,) = [f for f in analyzer.analyze(dict(call)).findings
                      if f.rule == "A7-UNANSWERED"]
    assert english.canonical == "服务时间内电话未接听 (a call rang and was never answered)"

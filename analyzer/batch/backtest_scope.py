"""What a rule change can affect: the backtest's rule diff and its per-interaction prefilter.

A backtest (:mod:`analyzer.batch.backtest`) compares every stored
interaction's findings with what the new lexicon and scoring template would
give. Most interactions cannot be affected by a change to a few rules, and
analysing them again is where the time goes, so the backtest first works out
which ones can be (:func:`rule_scope`, :func:`touches`), analyses those again
through the one analysis core, and keeps the stored findings of the rest
(re-scoring them only when the template changed). The argument that this is
exact, rule kind by rule kind:

* A rule's phrases (``canonical``, ``variants``, ``fuzzy``) are matched rule by
  rule (:func:`analyzer.text.match.find_phrases` keeps hits per rule), and the
  learned acts add hits to the rules they target only where that rule has none
  (:func:`analyzer.rules.acts.act_hits`). So an interaction in which neither the
  old nor the new form of any changed rule has a hit (phrase, acoustic or act)
  gets exactly the same hits, cues and findings from every other rule: it is
  *untouched*. :func:`touches` runs the matcher and the act detector with a
  lexicon holding only the changed rules, old and then new.
* A rule whose other fields change (points, severity, titles, citation, source)
  changes only its own findings (and owed groups' findings, keyed by group):
  the interactions holding a stored finding of it are analysed again
  (:attr:`Scope.finding_rules`).
* Anything the analysis reads from the whole rule set (a rule's kind, role,
  context, group or owed flag; a required or measured rule added or switched
  off; the pointer group and the earlier-visit cue, which the act detector
  reads by group) makes every interaction analysed again
  (:attr:`Scope.everything` says why).
* Rows the stored results cannot stand for (another analyzer version, lexicon,
  scoring template or text-analysis options than the old ones) are analysed
  again too (:class:`StaleCheck`).

``tests/test_backtest.py`` checks the whole against a full re-analysis for
each kind of change.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any

from analyzer.options import AnalyzerOptions
from analyzer.rules.score import ScoringTemplate
from analyzer.text.lexicon import Lexicon, Rule
from analyzer.types import Interaction

#: Rule fields whose change alters only the rule's own findings.
OWN_FIELDS = frozenset({"points", "severity", "title", "gloss", "cite", "source"})
#: Rule fields whose change alters only where the rule's phrases are found.
PHRASE_FIELDS = frozenset({"canonical", "variants", "fuzzy"})
#: Option sections left out when stored results are compared with the old rules: the
#: lexicon and template (the change itself), and those that only shape recognition and
#: live delivery (the backtest never recognises: it reads each interaction's stored
#: words and what only its audio gave), so a new recognition or stream setting does
#: not make every stored row look stale. ``verify`` stays: its review bar holds
#: findings in the scoring core.
_CHANGE_OPTIONS = ("lexicon", "asr", "pack", "stream")


@dataclass(frozen=True)
class Scope:
    """What a change from the old rules to the new can affect.

    Attributes:
        everything: Non-empty: every interaction is analysed again, and why.
        finding_rules: Rule and group ids whose stored findings mean "analyse again".
        old_phrases: The changed rules as the old lexicon has them (None: none).
        new_phrases: The changed rules as the new lexicon has them (None: none).
        template_changed: The scoring template differs (every score is recomputed).
        changed: Ids of the rules that differ, for the report.
    """

    everything: str
    finding_rules: frozenset[str]
    old_phrases: Lexicon | None
    new_phrases: Lexicon | None
    template_changed: bool
    changed: tuple[str, ...]


def _structural(rule: Rule, other: Rule) -> set[str]:
    """Fields of ``rule`` and ``other`` that differ, beyond the rule's own and phrase fields."""
    return {f.name for f in fields(Rule) if getattr(rule, f.name) != getattr(other, f.name)
            } - OWN_FIELDS - PHRASE_FIELDS


def _global_reason(rid: str, old: Rule | None, new: Rule | None) -> str:
    """Why a change to rule ``rid`` reaches every interaction ('' when it does not)."""
    from analyzer.rules.acts import EARLIER_RULE, POINTER_GROUP

    either = old or new
    assert either is not None
    if rid == EARLIER_RULE or either.group == POINTER_GROUP or \
            (new is not None and new.group == POINTER_GROUP):
        return f"{rid}: read by group by the act detector"
    if old is None or new is None:
        if either.kind in ("required", "measure"):
            return f"{rid}: a {either.kind} rule {'added' if old is None else 'switched off'}"
        return ""
    moved = _structural(old, new)
    return f"{rid}: {', '.join(sorted(moved))} changed" if moved else ""


def rule_scope(old: Lexicon, new: Lexicon, old_template: ScoringTemplate,
               new_template: ScoringTemplate) -> Scope:
    """Diff two rule sets (see the module docstring)."""
    before = {r.id: r for r in old.rules}
    after = {r.id: r for r in new.rules}
    changed = sorted(rid for rid in before.keys() | after.keys()
                     if before.get(rid) != after.get(rid))
    reasons = [r for r in (_global_reason(rid, before.get(rid), after.get(rid))
                           for rid in changed) if r]
    own: set[str] = set()
    phrased: list[str] = []
    for rid in changed:
        a, b = before.get(rid), after.get(rid)
        own |= {rid} | {r.group for r in (a, b) if r is not None and r.group}
        if a is None or b is None or any(getattr(a, f) != getattr(b, f) for f in PHRASE_FIELDS):
            phrased.append(rid)

    def only(lexicon: Lexicon, index: dict[str, Rule]) -> Lexicon | None:
        rules = tuple(index[rid] for rid in phrased if rid in index)
        return Lexicon(f"{lexicon.version}/changed", rules) if rules else None

    return Scope("; ".join(reasons), frozenset(own), only(old, before), only(new, after),
                 old_template.sha256 != new_template.sha256, tuple(changed))


def touches(scope: Scope, interaction: Interaction, options: AnalyzerOptions) -> bool:
    """Whether any changed rule, in its old or its new form, has a hit in ``interaction``.

    The hits are the analysis core's own: lexicon phrases (exact, pinyin,
    fuzzy, and what the acoustic verifier heard) and, for rules the learned
    act detector targets, its acts.
    """
    from analyzer.text.match import find_phrases

    for lexicon in (scope.old_phrases, scope.new_phrases):
        if lexicon is None:
            continue
        hits = find_phrases(interaction.utterances, lexicon, options.match,
                            speakers=_speakers(lexicon, options))
        if hits:
            return True
        if _act_targets(lexicon):
            from analyzer.rules.acts import act_hits

            if act_hits(interaction, hits, lexicon, options):
                return True
    return False


def _speakers(lexicon: Lexicon, options: AnalyzerOptions) -> set[str] | None:
    """Whose utterances can give the rules of ``lexicon`` a hit (None: anyone's).

    A rule bound to a role matches that role's words, and unknown speakers'
    at a reduced weight (:func:`analyzer.text.patterns.role_weight`); reading
    only those utterances halves the prefilter's work.
    """
    roles = {r.role for r in lexicon.rules}
    if "any" in roles:
        return None
    return roles | ({"unknown"} if options.match.unknown_speaker_weight else set())


def _act_targets(lexicon: Lexicon) -> bool:
    """Whether the learned act detector can give hits to any rule of ``lexicon``."""
    from analyzer.rules.acts import CUE_ACTS, OWED_ACTS, PARAPHRASE_RULES

    ids = set(PARAPHRASE_RULES.values()) | set(CUE_ACTS.values())
    return any(r.id in ids or (r.kind == "required" and r.group in OWED_ACTS)
               for r in lexicon.rules)


@dataclass(frozen=True)
class Provenance:
    """What the stored results were produced with, for :class:`StaleCheck`."""

    analyzer_version: str
    lexicon_version: str
    template_sha256: str
    options: Mapping[str, Any]


def provenance(options: AnalyzerOptions, lexicon: Lexicon, template: ScoringTemplate
               ) -> Provenance:
    """The provenance a stored row must have for its findings to stand for the old rules."""
    from analyzer._version import __version__

    as_stored = json.loads(json.dumps(options.to_dict(), ensure_ascii=False))  # tuples as lists
    return Provenance(__version__, lexicon.version, template.sha256, _comparable(as_stored))


def options_changed(old: AnalyzerOptions, new: AnalyzerOptions) -> str:
    """The option sections other than the rules and template that differ ('' : none).

    Any of them (a retrained classifier's folder, a threshold) can change any
    interaction's findings: the backtest then analyses every one again.
    """
    a, b = _comparable(old.to_dict()), _comparable(new.to_dict())
    moved = sorted(k for k in a.keys() | b.keys() if a.get(k) != b.get(k))
    return f"options changed: {', '.join(moved)}" if moved else ""


def _comparable(options: Mapping[str, Any]) -> dict[str, Any]:
    """Options without what names the rules and the template (the change under test)."""
    out = {k: v for k, v in options.items() if k not in _CHANGE_OPTIONS}
    if isinstance(out.get("score"), Mapping):
        out["score"] = {k: v for k, v in out["score"].items() if k != "template"}
    return out


class StaleCheck:
    """Tells rows whose stored analysis the old rules would not reproduce (:meth:`__call__`).

    The stored options are compared once per distinct text (a store holds few).
    """

    def __init__(self, expected: Provenance) -> None:
        self.expected = expected
        self._seen: dict[str, bool] = {}

    def __call__(self, version: Any, lexicon_version: Any, template_sha: Any,
                 options_json: Any) -> bool:
        """True when the row must be analysed again whatever the change."""
        e = self.expected
        if version != e.analyzer_version or lexicon_version != e.lexicon_version or \
                template_sha != e.template_sha256:
            return True
        text = str(options_json or "")
        if text not in self._seen:
            try:
                same = _comparable(json.loads(text)) == e.options
            except (ValueError, AttributeError):
                same = False
            self._seen[text] = same
        return not self._seen[text]

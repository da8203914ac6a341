"""Scoring: deduct points per finding, apply vetoes, name the grade.

The rules of scoring are data, in a template (``lexicons/scoring.toml``, or a
hall's own copy set with ``score.template``):

* ``[points]``: points per rule id or group id, overriding the lexicon's
  ``points`` (which the finding carries); ``[kinds]``: fallback per kind.
* ``[confidence]``: a finding with confidence >= ``full`` deducts its full
  points, one below ``floor`` deducts nothing (still reported for review), in
  between ``points x confidence`` rounded half up.
* ``[limits] max_deductions_per_rule``: repeats of one rule deduct at most
  this many times.
* ``[[grades]]``: bands, highest first; the score's grade is the first band
  whose ``min`` it reaches.
* ``[[veto]]``: a finding of a listed rule (or group) with confidence >=
  ``min_confidence`` caps the score at ``max_score`` and the grade at
  ``cap_grade``.

Whatever the template says, a finding held for review (``Finding.review``
set: its speaker is uncertain) deducts nothing and vetoes nothing until an
inspector confirms it (:func:`release`); ``detail["held_points"]`` records
what it would deduct.

Template errors are :class:`~analyzer.errors.LexiconError` naming file and line.
"""

from __future__ import annotations

import functools
import re
import tomllib
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any

from analyzer.errors import LexiconError
from analyzer.limits import check_toml_nesting, read_config_text
from analyzer.resources import data_path
from analyzer.types import FINDING_KINDS, Finding

#: The shipped template.
DEFAULT_TEMPLATE = data_path("lexicons", "scoring.toml")


@dataclass(frozen=True)
class Veto:
    """One veto rule of a template."""

    rules: tuple[str, ...]
    max_score: int
    cap_grade: str
    min_confidence: float
    reason: str
    line: int


#: What a 红黑榜 may break ties on, after the mean score.
TIE_BREAKS: tuple[str, ...] = ("fail_share", "breaches", "interactions", "key")
#: Whether findings nobody has reviewed yet count in a list.
UNREVIEWED_RULES: tuple[str, ...] = ("count", "skip")


@dataclass(frozen=True)
class RankingRules:
    """The 红黑榜's rules (the template's ``[ranking]`` table).

    Attributes:
        min_interactions: Fewer interactions in the period: not ranked.
        list_size: Entries on each list (red and black), per staff and per window.
        red_min_mean: A red-list entry's mean score is at least this.
        black_max_mean: A black-list entry's mean score is below this.
        unreviewed: ``count``: interactions count with their current score,
            unreviewed findings deducting; ``skip``: interactions that still
            hold an unreviewed finding are left out until reviewed.
        tie_breaks: After the mean score, in order (:data:`TIE_BREAKS`): the
            red list prefers the lower fail share and fewer breaches, the
            black list the higher; both prefer more interactions, then the
            key (staff id, hall/window) in text order, so no two entries tie.
    """

    min_interactions: int = 20
    list_size: int = 10
    red_min_mean: float = 90.0
    black_max_mean: float = 75.0
    unreviewed: str = "count"
    tie_breaks: tuple[str, ...] = ("fail_share", "breaches", "interactions", "key")


@dataclass(frozen=True)
class SamplingRules:
    """Which interactions fill the inspectors' queues (the template's ``[sampling]`` table).

    Attributes:
        below: Every interaction scoring below this is sampled.
        share: Of the rest, this share (0..1), drawn with a seeded generator.
        min_per_staff: At least this many per staff member and period (more
            drawn from the staff member's rest when the first two rules gave fewer).
        due_days: Days an inspector has for an assignment.
    """

    below: int = 60
    share: float = 0.05
    min_per_staff: int = 3
    due_days: int = 7


@dataclass(frozen=True)
class HealthRules:
    """When a rule's precision from verdicts is too low to trust (the template's ``[rule_health]``).

    Attributes:
        min_precision: The bar: a rule whose confirmed precision (confirmed /
            reviewed findings) over the period falls below it is *below the bar*.
        min_reviewed: Fewer reviewed findings of a rule in the period: too few
            to say. Either way its findings are marked *under review* on the 红黑榜.
        trend_months: Months of precision shown as the trend (the period's
            last month and those before it).
    """

    min_precision: float = 0.8
    min_reviewed: int = 20
    trend_months: int = 6


@dataclass(frozen=True)
class ScoringTemplate:
    """A parsed scoring template (see the module docstring)."""

    version: str
    source: str
    points: dict[str, int]
    kind_points: dict[str, int]
    full_confidence: float
    floor_confidence: float
    max_deductions_per_rule: int
    grades: tuple[tuple[str, int], ...]
    vetoes: tuple[Veto, ...]
    lines: dict[str, int]
    ranking: RankingRules = RankingRules()
    sampling: SamplingRules = SamplingRules()
    health: HealthRules = HealthRules()
    text: str = ""  # the TOML it was read from (kept in reports: re-scoring uses this version)

    @property
    def sha256(self) -> str:
        """SHA-256 of :attr:`text`."""
        import hashlib

        return hashlib.sha256(self.text.encode("utf-8")).hexdigest()

    @property
    def failing_grade(self) -> str:
        """The lowest band (``不合格``): the grade that counts as failing in results and lists."""
        return self.grades[-1][0]

    def grade_for(self, score: int) -> str:
        """Return the name of the first band whose ``min`` the score reaches."""
        for name, low in self.grades:
            if score >= low:
                return name
        return self.grades[-1][0]

    def rank(self, grade: str) -> int:
        """Index of a grade in the bands (0 = best)."""
        return [name for name, _ in self.grades].index(grade)


def template_from_text(text: str, source: str) -> ScoringTemplate:
    """A template from its TOML text (the copy a report keeps), ``source`` naming where it was.

    Raises:
        LexiconError: The text is not a valid template.
    """
    return _parse(text, source)


def load_template(path: str | Path | None = None) -> ScoringTemplate:
    """Load and validate a scoring template (cached per path and modification time).

    Args:
        path: A TOML template; None or empty for the shipped one.

    Raises:
        LexiconError: Naming the file and line of the first problem.
    """
    resolved = Path(path).resolve() if path else DEFAULT_TEMPLATE
    try:
        stamp = resolved.stat().st_mtime_ns
    except OSError:
        stamp = 0
    return _load_template(str(resolved), stamp)


@functools.lru_cache(maxsize=16)
def _load_template(source: str, _stamp: int) -> ScoringTemplate:
    text = read_config_text(source, "scoring template")  # within the input limits
    return _parse(text, source)


@functools.lru_cache(maxsize=16)
def _parse(text: str, source: str) -> ScoringTemplate:
    check_toml_nesting(text, source)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        m = re.search(r"line (\d+)", str(exc))
        raise LexiconError(f"invalid TOML: {exc}", source=source,
                           line=int(m.group(1)) if m else None) from None
    return _build(data, source, text)


def _build(data: dict[str, Any], source: str, text: str) -> ScoringTemplate:
    def err(key: str, message: str, line: int | None = None) -> LexiconError:
        return LexiconError(message, source=source, line=line or _line_of(text, key), field=key)

    points = _int_table(data.get("points", {}), "points", err)
    kinds = _int_table(data.get("kinds", {}), "kinds", err)
    for kind in kinds:
        if kind not in FINDING_KINDS:
            raise err(kind, f"unknown finding kind; expected one of {list(FINDING_KINDS)}")
    for table in ("confidence", "limits"):
        if not isinstance(data.get(table, {}), dict):
            raise err(table, f"[{table}] must be a table")
    conf = data.get("confidence", {})
    full, floor = conf.get("full", 0.9), conf.get("floor", 0.5)
    for key, value in (("full", full), ("floor", floor)):
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 1:
            raise err(key, f"expected a number in [0, 1], got {value!r}")
    if floor > full:
        raise err("floor", f"floor ({floor}) must not exceed full ({full})")
    limit = data.get("limits", {}).get("max_deductions_per_rule", 0)
    if isinstance(limit, bool) or not isinstance(limit, int) or limit < 0:
        raise err("max_deductions_per_rule", "expected a whole number >= 0 (0: no limit)")
    grades = _grades(data.get("grades"), err, text)
    vetoes = _vetoes(data.get("veto", []), {g for g, _ in grades}, err, text)
    version = data.get("version", "")
    if not isinstance(version, str) or not version:
        raise err("version", "expected a non-empty string")
    lines = {key: _line_of(text, key) or 0 for key in points}
    ranking = _ranking(data.get("ranking", {}), err)
    sampling = _sampling(data.get("sampling", {}), err)
    health = _health(data.get("rule_health", {}), err)
    return ScoringTemplate(version, source, points, kinds, float(full), float(floor), limit,
                           grades, vetoes, lines, ranking, sampling, health, text)


def _health(table: Any, err: Any) -> HealthRules:
    """The ``[rule_health]`` table (defaults for what it leaves out)."""
    if not isinstance(table, dict):
        raise err("rule_health", "[rule_health] must be a table")
    known = {f.name for f in fields(HealthRules)}
    for key in table:
        if key not in known:
            raise err(key, f"unknown [rule_health] key; expected one of {sorted(known)}")
    d = HealthRules()
    bar = table.get("min_precision", d.min_precision)
    if isinstance(bar, bool) or not isinstance(bar, (int, float)) or not 0 <= bar <= 1:
        raise err("min_precision", f"expected a share in [0, 1], got {bar!r}")
    out: dict[str, int] = {}
    for key, low, high in (("min_reviewed", 1, 100000), ("trend_months", 1, 36)):
        value = table.get(key, getattr(d, key))
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise err(key, f"expected a whole number in {low}..{high}, got {value!r}")
        out[key] = value
    return HealthRules(min_precision=float(bar), **out)


def _sampling(table: Any, err: Any) -> SamplingRules:
    """The ``[sampling]`` table (defaults for what it leaves out)."""
    if not isinstance(table, dict):
        raise err("sampling", "[sampling] must be a table")
    d = SamplingRules()
    known = {f.name for f in fields(SamplingRules)}
    for key in table:
        if key not in known:
            raise err(key, f"unknown [sampling] key; expected one of {sorted(known)}")
    out: dict[str, Any] = {}
    for key, low, high in (("below", 0, 101), ("min_per_staff", 0, 10000), ("due_days", 1, 366)):
        value = table.get(key, getattr(d, key))
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise err(key, f"expected a whole number in {low}..{high}, got {value!r}")
        out[key] = value
    share = table.get("share", d.share)
    if isinstance(share, bool) or not isinstance(share, (int, float)) or not 0 <= share <= 1:
        raise err("share", f"expected a share in [0, 1], got {share!r}")
    return SamplingRules(share=float(share), **out)


def _ranking(table: Any, err: Any) -> RankingRules:
    """The ``[ranking]`` table (defaults for what it leaves out)."""
    if not isinstance(table, dict):
        raise err("ranking", "[ranking] must be a table")
    known = {f.name for f in fields(RankingRules)}
    for key in table:
        if key not in known:
            raise err(key, f"unknown [ranking] key; expected one of {sorted(known)}")
    d = RankingRules()
    out: dict[str, Any] = {}
    for key in ("min_interactions", "list_size"):
        value = table.get(key, getattr(d, key))
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise err(key, f"expected a whole number >= 1, got {value!r}")
        out[key] = value
    for key in ("red_min_mean", "black_max_mean"):
        value = table.get(key, getattr(d, key))
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 100:
            raise err(key, f"expected a score in 0..100, got {value!r}")
        out[key] = float(value)
    unreviewed = table.get("unreviewed", d.unreviewed)
    if unreviewed not in UNREVIEWED_RULES:
        raise err("unreviewed", f"expected one of {list(UNREVIEWED_RULES)}, got {unreviewed!r}")
    ties = table.get("tie_breaks", list(d.tie_breaks))
    if not isinstance(ties, list) or any(t not in TIE_BREAKS for t in ties) \
            or len(set(ties)) != len(ties):
        raise err("tie_breaks", f"expected distinct names from {list(TIE_BREAKS)}, got {ties!r}")
    if "key" not in ties:
        ties = [*ties, "key"]  # the last tie-break is always the key: no two entries tie
    return RankingRules(unreviewed=unreviewed, tie_breaks=tuple(ties), **out)


def _int_table(table: Any, name: str, err: Any) -> dict[str, int]:
    if not isinstance(table, dict):
        raise err(name, f"[{name}] must be a table of id = points")
    for key, value in table.items():
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 100:
            raise err(key, f"points must be a whole number in 0..100, got {value!r}")
    return dict(table)


def _grades(grades: Any, err: Any, text: str) -> tuple[tuple[str, int], ...]:
    if not isinstance(grades, list) or not grades:
        raise err("grades", "expected [[grades]] bands with name and min", _line_of(text, "[[grades]]"))
    out: list[tuple[str, int]] = []
    for g in grades:
        if not isinstance(g, dict):
            raise err("grades", "expected [[grades]] bands with name and min",
                      _line_of(text, "grades"))
        name, low = g.get("name"), g.get("min")
        line = _line_of(text, "name", value=name) if isinstance(name, str) else None
        line = _line_of(text, "min", after=line) or line
        if not isinstance(name, str) or not name:
            raise err("grades.name", "each band needs a non-empty name",
                      _line_of(text, "[[grades]]"))
        if isinstance(low, bool) or not isinstance(low, int) or not 0 <= low <= 100:
            raise err("grades.min", f"band {name!r}: min must be a whole number in 0..100", line)
        if out and low >= out[-1][1]:
            raise err("grades.min", f"band {name!r}: bands must be listed highest first", line)
        out.append((name, low))
    if out[-1][1] != 0:
        raise err("grades.min", f"the last band ({out[-1][0]!r}) must have min = 0")
    return tuple(out)


def _vetoes(vetoes: Any, grade_names: set[str], err: Any, text: str) -> tuple[Veto, ...]:
    if not isinstance(vetoes, list):
        raise err("veto", "expected [[veto]] tables")
    out = []
    lines = [i for i, ln in enumerate(text.splitlines(), 1) if ln.strip() == "[[veto]]"]
    for n, v in enumerate(vetoes):
        line = lines[n] if n < len(lines) else None
        if not isinstance(v, dict):
            raise err("veto", "expected [[veto]] tables", line or _line_of(text, "veto"))
        rules = v.get("rules")
        if not isinstance(rules, list) or not rules or not all(isinstance(r, str) for r in rules):
            raise err("veto.rules", "expected a non-empty list of rule ids", line)
        cap = v.get("cap_grade")
        if cap not in grade_names:
            raise err("veto.cap_grade", f"unknown grade {cap!r}; bands are {sorted(grade_names)}",
                      line)
        max_score = v.get("max_score", 100)
        conf = v.get("min_confidence", 0.0)
        if isinstance(max_score, bool) or not isinstance(max_score, int) or not 0 <= max_score <= 100:
            raise err("veto.max_score", "expected a whole number in 0..100", line)
        if not isinstance(conf, (int, float)) or not 0 <= conf <= 1:
            raise err("veto.min_confidence", "expected a number in [0, 1]", line)
        out.append(Veto(tuple(rules), max_score, cap, float(conf), str(v.get("reason", "")),
                        line or 0))
    return tuple(out)


def _line_of(text: str, key: str, value: str | None = None, after: int | None = None
             ) -> int | None:
    """1-based line where ``key =`` (optionally ``= "value"``) or a header appears.

    With ``after``, the first such line after that line number.
    """
    if key.startswith("["):
        pattern = re.compile(re.escape(key))
    else:
        tail = r'\s*=' + (r'\s*"' + re.escape(value) + '"' if value is not None else "")
        pattern = re.compile(r'^\s*"?' + re.escape(key.split(".")[-1]) + r'"?' + tail)
    for i, line in enumerate(text.splitlines(), start=1):
        if (after is None or i > after) and pattern.search(line):
            return i
    return None


def check_template(template: ScoringTemplate, known_ids: Iterable[str]) -> None:
    """Fail when the template names rule ids the lexicon does not have.

    Args:
        template: A loaded template.
        known_ids: Every rule id and group id of the lexicon in use.

    Raises:
        LexiconError: Naming the template file and the line of the unknown id.
    """
    known = set(known_ids)
    for key in template.points:
        if key not in known:
            raise LexiconError(f"unknown rule or group id {key!r} in [points]",
                               source=template.source, line=template.lines.get(key) or None,
                               field=f"points.{key}")
    for veto in template.vetoes:
        for rule in veto.rules:
            if rule not in known:
                raise LexiconError(f"unknown rule or group id {rule!r} in a [[veto]]",
                                   source=template.source, line=veto.line or None,
                                   field="veto.rules")


def rule_points(finding: Finding, template: ScoringTemplate) -> int:
    """Points a finding is worth before confidence weighting.

    The template's ``[points]`` for the rule id, else for its group, else the
    points the finding carries from its lexicon rule (kept in
    ``detail["lexicon_points"]`` once scored, so rescoring is idempotent),
    else ``[kinds]``.
    """
    group = finding.detail.get("group")
    if finding.rule in template.points:
        return template.points[finding.rule]
    if group and group in template.points:
        return template.points[group]
    own = int(finding.detail.get("lexicon_points", finding.points) or 0)
    if own:
        return own
    return template.kind_points.get(finding.kind, 0)


def weighted(points: int, confidence: float, template: ScoringTemplate) -> int:
    """Deduction for a finding of ``points`` at ``confidence`` (see module docstring)."""
    if confidence >= template.full_confidence:
        return points
    if confidence < template.floor_confidence:
        return 0
    return int(points * confidence + 0.5)


def score(
    findings: Sequence[Finding], template: ScoringTemplate | None = None
) -> tuple[int, str, list[Finding]]:
    """Score one interaction's findings.

    Args:
        findings: Every finding of the interaction (any order).
        template: The scoring template; None for the shipped one.

    Returns:
        ``(score, grade, findings)``: the score 0..100, its grade, and the
        findings in time order with ``points`` set to the deduction actually
        applied and ``detail`` recording ``lexicon_points``, ``rule_points``
        and, for a veto, ``veto`` (the reason). Scoring scored findings again
        gives the same result.
    """
    template = template or load_template()
    ordered = sorted(findings, key=lambda f: (f.start is None, f.start or 0.0, f.rule))
    used: Counter[str] = Counter()
    out: list[Finding] = []
    total = 0
    cap_score, cap_rank = 100, 0
    for f in ordered:
        base = rule_points(f, template)
        deduction = weighted(base, f.confidence, template)
        detail = {**f.detail, "lexicon_points": f.detail.get("lexicon_points", f.points),
                  "rule_points": base}
        detail.pop("held_points", None)
        if f.review:  # held for an inspector: reported, deducts (and vetoes) nothing yet
            detail["held_points"] = deduction
            out.append(replace(f, points=0, detail=detail))
            continue
        used[f.rule] += 1
        if template.max_deductions_per_rule and used[f.rule] > template.max_deductions_per_rule:
            deduction = 0
        veto = _veto_for(f, template)
        if veto is not None:
            detail["veto"] = veto.reason or f"veto rule {f.rule}"
            cap_score = min(cap_score, veto.max_score)
            cap_rank = max(cap_rank, template.rank(veto.cap_grade))
        total += deduction
        out.append(replace(f, points=deduction, detail=detail))
    value = max(0, min(100 - total, cap_score))
    grade = template.grade_for(value)
    if template.rank(grade) < cap_rank:
        grade = template.grades[cap_rank][0]
    return value, grade, out


def release(finding: Finding) -> Finding:
    """A held finding an inspector confirmed: it deducts as any finding does when scored."""
    if not finding.review:
        return finding
    detail = {k: v for k, v in finding.detail.items() if k != "held_points"}
    return replace(finding, review="", detail={**detail, "released_from": finding.review})


def _veto_for(f: Finding, template: ScoringTemplate) -> Veto | None:
    group = f.detail.get("group")
    for veto in template.vetoes:
        if (f.rule in veto.rules or (group and group in veto.rules)) and \
                f.confidence >= veto.min_confidence:
            return veto
    return None

"""Chapter 3 rule lexicons: loading, validation and local overrides.

The shipped lexicon ``lexicons/chapter3.toml`` holds every required phrase,
forbidden phrase, citizen-side cue and measured rule of Chapter 3 (Articles
6–10), each cited to its article. A county hall may layer its own TOML files
over it (Article 28): ``[[rule]]`` adds a rule, ``[[override]]`` changes
fields of a rule by id, ``[[disable]]`` switches a rule off. Every error names
the file and the line of the offending block or field.

Usage::

    lex = load_lexicon()                       # shipped rules, cached
    lex = load_lexicon(["county.toml"])        # with local rules layered on
    lex.select(kind="forbidden", role="staff")
"""

from __future__ import annotations

import functools
import re
import tomllib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from analyzer.errors import LexiconError, LexiconErrors
from analyzer.limits import check_toml_nesting, read_config_text
from analyzer.resources import data_path

#: The shipped Chapter 3 lexicon.
SHIPPED_LEXICON: Path = data_path("lexicons", "chapter3.toml")

KINDS: tuple[str, ...] = ("required", "forbidden", "cue", "measure")
ROLES: tuple[str, ...] = ("staff", "citizen", "any")
CONTEXTS: tuple[str, ...] = (
    "phone_greeting",
    "counter_greeting",
    "handling",
    "leaving",
    "incomplete_materials",
    "suggestion",
    "praise",
    "upset_citizen",
    "not_ours",
    "materials_listed",
    "materials_added",
    "earlier_visit",
    "materials_deferred",
    "deferral",
    "requeue",
)
SEVERITIES: tuple[str, ...] = ("minor", "major", "critical")
#: Articles of the seed with rules: Chapter 3 (Articles 6 to 10) and the measurable
#: duties of Articles 5 (询问有答声), 16 (首问负责), 17 (no quarrels), 18 (一次性告知)
#: and 25 (service hours).
ARTICLES: tuple[int, ...] = (5, 6, 7, 8, 9, 10, 16, 17, 18, 25)
#: Cue kind (analyzer.types.CUE_KINDS) of each cue context.
CUE_KIND_BY_CONTEXT: dict[str, str] = {
    "praise": "praise",
    "suggestion": "suggestion",
    "upset_citizen": "upset",
    "incomplete_materials": "incomplete_materials",
    "not_ours": "not_ours",
    "materials_listed": "materials_listed",
    "materials_added": "materials_added",
    "earlier_visit": "earlier_visit",
    "materials_deferred": "materials_deferred",
    "deferral": "deferral",
    "requeue": "requeue",
}

_SLOT_RE = re.compile(r"X+")
_ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
_HEADER_RE = re.compile(r"^\s*\[\[\s*(rule|override|disable)\s*\]\]")


@dataclass(frozen=True)
class Rule:
    """One lexicon rule.

    Attributes:
        id: Stable rule id (``A9-F-03``, ``A7-RING``).
        article: Article of the seed (one of :data:`ARTICLES`).
        kind: ``required``, ``forbidden``, ``cue`` or ``measure``.
        role: Whose speech it binds: ``staff``, ``citizen`` or ``any``.
        context: When it applies (one of :data:`CONTEXTS`; may be empty for
            a measure).
        canonical: The seed's wording, ``XX``/``XXX`` being slots.
        variants: Spoken variants, same slot syntax.
        severity: ``minor``, ``major`` or ``critical``.
        points: Default points deducted (the scoring template may override).
        title: Short human title (Chinese).
        gloss: An English gloss of the title, shown after it only when the
            language in force is English (:meth:`shown_title`).
        group: Rules sharing a group are alternatives (any one satisfies).
        source: ``file:line`` of the block that defined it (last layer wins).
        cite: The seed sentence the rule comes from.
        owed: True when the context rules report it as missing if its
            context applies and it was not said.
        fuzzy: Whether the pinyin / near-homophone layer may match it.
    """

    id: str
    article: int
    kind: str
    role: str
    context: str
    canonical: str
    variants: tuple[str, ...] = ()
    severity: str = "minor"
    points: int = 0
    title: str = ""
    gloss: str = ""
    group: str = ""
    source: str = ""
    cite: str = ""
    owed: bool = False
    fuzzy: bool = True

    @property
    def phrases(self) -> tuple[str, ...]:
        """Canonical wording first, then the variants (empty for measures)."""
        return ((self.canonical,) if self.canonical else ()) + self.variants

    def shown_title(self) -> str:
        """The title as the language in force shows it.

        Chinese (the default) shows the title alone; English adds the gloss:
        ``与服务对象争吵 (a quarrel with the citizen)``.
        """
        from analyzer.i18n import current

        if self.gloss and current() == "en":
            return f"{self.title} ({self.gloss})"
        return self.title

    @property
    def cue_kind(self) -> str:
        """The :class:`analyzer.types.Cue` kind of a cue rule, else ``""``."""
        return CUE_KIND_BY_CONTEXT.get(self.context, "") if self.kind == "cue" else ""

    def to_dict(self) -> dict[str, Any]:
        """Plain data (for ``conduct lexicon show --format json``)."""
        return {f.name: getattr(self, f.name) for f in fields(self)} | {
            "variants": list(self.variants)
        }


@dataclass(frozen=True)
class Lexicon:
    """An immutable, merged set of rules.

    Attributes:
        version: ``name@version`` of each layer joined by ``+``
            (``chapter3@2023.1+xian-county@3``).
        rules: Enabled rules, in file order.
        sources: The files layered, in order.
        disabled: Ids switched off by an override layer.
    """

    version: str
    rules: tuple[Rule, ...]
    sources: tuple[str, ...] = ()
    disabled: tuple[str, ...] = ()
    _index: dict[str, Rule] = field(default_factory=dict, compare=False, hash=False, repr=False)
    #: Compiled forms built from this lexicon (analyzer.text.match keeps its matcher here).
    cache: dict[Any, Any] = field(default_factory=dict, compare=False, hash=False, repr=False)

    def __post_init__(self) -> None:
        self._index.update({r.id: r for r in self.rules})

    def __getstate__(self) -> dict[str, Any]:
        """Pickle the rules only: compiled matchers are rebuilt where unpickled (Ray workers)."""
        return {"version": self.version, "rules": self.rules, "sources": self.sources,
                "disabled": self.disabled}  # fmt: skip

    def __setstate__(self, state: dict[str, Any]) -> None:
        for name, value in state.items():
            object.__setattr__(self, name, value)
        object.__setattr__(self, "_index", {r.id: r for r in self.rules})
        object.__setattr__(self, "cache", {})

    def get(self, rule_id: str) -> Rule:
        """Return the rule with this id (raises KeyError if unknown or disabled)."""
        return self._index[rule_id]

    def __contains__(self, rule_id: object) -> bool:
        return rule_id in self._index

    def select(
        self,
        kind: str | Iterable[str] | None = None,
        context: str | None = None,
        role: str | None = None,
        article: int | None = None,
    ) -> list[Rule]:
        """Rules filtered by kind (one or several), context, role and article."""
        kinds = {kind} if isinstance(kind, str) else (set(kind) if kind is not None else None)
        return [
            r
            for r in self.rules
            if (kinds is None or r.kind in kinds)
            and (context is None or r.context == context)
            and (role is None or r.role == role)
            and (article is None or r.article == article)
        ]

    def groups(self, kind: str | None = None, context: str | None = None) -> dict[str, list[Rule]]:
        """Rules of each group (alternatives), filtered like :meth:`select`."""
        out: dict[str, list[Rule]] = {}
        for r in self.select(kind=kind, context=context):
            out.setdefault(r.group, []).append(r)
        return out


def pattern_parts(pattern: str) -> list[str | None]:
    """Split a phrase at its slots: ``"请您到XXX窗口办理"`` → ``["请您到", None, "窗口办理"]``.

    Text parts are returned as written (not normalized); ``None`` marks a slot.
    """
    parts: list[str | None] = []
    pos = 0
    for m in _SLOT_RE.finditer(pattern):
        if m.start() > pos:
            parts.append(pattern[pos : m.start()])
        parts.append(None)
        pos = m.end()
    if pos < len(pattern):
        parts.append(pattern[pos:])
    return parts


def slot_problem(pattern: str) -> str | None:
    """Describe what is wrong with the slots of ``pattern``, or None if fine."""
    from analyzer.text.normalize import normalize

    if "$" in pattern.rstrip()[:-1]:
        return f"'$' in {pattern!r}: it may only end a phrase (the phrase must end a clause)"
    for m in _SLOT_RE.finditer(pattern):
        if len(m.group()) not in (2, 3):
            return f"bad slot {m.group()!r} in {pattern!r}: a slot is XX or XXX"
        if pattern[m.end() : m.end() + 1] == "义":
            return f"bad slot 'XX义' in {pattern!r}: OCR slip of the seed, write the slot as XX"
    parts = pattern_parts(pattern)
    if any(a is None and b is None for a, b in zip(parts, parts[1:], strict=False)):
        return f"bad slot in {pattern!r}: two slots must be separated by text"
    text = "".join(normalize(p) for p in parts if p is not None)
    if not text:
        return f"phrase {pattern!r} has no words outside its slots"
    return None


class _Locator:
    """Finds the line of the n-th block of a kind, and of a field inside it."""

    def __init__(self, raw: str) -> None:
        self.lines = raw.splitlines()
        self.blocks: dict[str, list[int]] = {}
        for no, line in enumerate(self.lines, start=1):
            m = _HEADER_RE.match(line)
            if m:
                self.blocks.setdefault(m.group(1), []).append(no)

    def block(self, kind: str, n: int) -> int | None:
        found = self.blocks.get(kind, [])
        return found[n] if n < len(found) else None

    def line_of_key(self, name: str, default: int) -> int:
        """The first line assigning ``name =``, or ``default``."""
        pat = re.compile(rf"^\s*{re.escape(name)}\s*=")
        return next((no for no, line in enumerate(self.lines, 1) if pat.match(line)), default)

    def field(self, kind: str, n: int, name: str) -> int | None:
        start = self.block(kind, n)
        if start is None:
            return None
        pat = re.compile(rf"^\s*{re.escape(name)}\s*=")
        for no in range(start + 1, len(self.lines) + 1):
            line = self.lines[no - 1]
            if re.match(r"^\s*\[", line):
                break
            if pat.match(line):
                return no
        return start


@dataclass
class _Layer:
    """One parsed lexicon file."""

    path: str
    name: str
    version: str
    data: dict[str, Any]
    loc: _Locator

    def error(self, message: str, kind: str, n: int, name: str | None = None) -> LexiconError:
        line = self.loc.field(kind, n, name) if name else self.loc.block(kind, n)
        return LexiconError(message, source=self.path, line=line)


def _read_layer(path: str | Path) -> _Layer:
    """Read and syntax-check one TOML lexicon file."""
    p = Path(path)
    raw = read_config_text(p, "lexicon")  # size, file type and nesting within the limits
    check_toml_nesting(raw, str(p))
    try:
        data = tomllib.loads(raw)
    except tomllib.TOMLDecodeError as exc:
        m = re.search(r"\(at line (\d+), column (\d+)\)", str(exc))
        line = int(m.group(1)) if m else max(1, len(raw.splitlines()))  # "at end of document"
        msg = re.sub(r"\s*\(at (line \d+, column \d+|end of document)\)", "", str(exc))
        raise LexiconError(f"TOML syntax error: {msg}", source=str(p), line=line) from exc
    meta = data.get("lexicon")
    if not isinstance(meta, dict):
        raise LexiconError("missing [lexicon] table with name and version", source=str(p), line=1)
    loc = _Locator(raw)
    meta_line = next((i for i, s in enumerate(loc.lines, 1) if s.strip() == "[lexicon]"), 1)
    for key in ("name", "version"):
        if not isinstance(meta.get(key), str) or not meta[key].strip():
            raise LexiconError(f"[lexicon] needs a string {key!r}", source=str(p), line=meta_line)
    unknown = set(data) - {"lexicon", "rule", "override", "disable"}
    if unknown:
        raise LexiconError(
            f"unknown top-level table(s) {sorted(unknown)}; expected [lexicon], [[rule]], "
            "[[override]], [[disable]]",
            source=str(p),
        )
    extra = sorted(set(meta) - _META_KEYS)
    if extra:  # e.g. `disable = [...]` written under [lexicon] belongs to that table
        raise LexiconError(
            f"unknown key(s) {extra} in [lexicon] (it takes {sorted(_META_KEYS)}); rules, "
            "overrides and disables are [[rule]], [[override]], [[disable]] blocks",
            source=str(p), line=loc.line_of_key(extra[0], meta_line))
    for key in ("rule", "override", "disable"):
        value = data.get(key, [])
        if not isinstance(value, list) or not all(isinstance(b, dict) for b in value):
            raise LexiconError(f"{key!r} must be written as [[{key}]] blocks",
                               source=str(p), line=loc.line_of_key(key, 1))
    return _Layer(str(p), meta["name"], meta["version"], data, loc)


#: Keys of the [lexicon] table.
_META_KEYS = frozenset({"name", "version", "seed", "description", "hall", "author", "date",
                        "notes"})
_RULE_FIELDS = {f.name for f in fields(Rule)} - {"source"}
_FIELD_TYPES: dict[str, type | tuple[type, ...]] = {
    "id": str,
    "article": int,
    "kind": str,
    "role": str,
    "context": str,
    "canonical": str,
    "variants": list,
    "severity": str,
    "points": int,
    "title": str,
    "gloss": str,
    "group": str,
    "cite": str,
    "owed": bool,
    "fuzzy": bool,
}


def _check_value(
    layer: _Layer, kind: str, n: int, name: str, value: Any, key: str | None = None
) -> None:
    """Type- and domain-check one field of a rule or override block.

    ``key`` is the field as written in the file when it differs from ``name``
    (``add_variants`` is checked as ``variants``).
    """
    key = key or name
    want = _FIELD_TYPES[name]
    bad_type = not isinstance(value, want) or (want is int and isinstance(value, bool))
    if bad_type:
        shown = " or ".join(t.__name__ for t in want) if isinstance(want, tuple) else want.__name__
        raise layer.error(f"field {name!r} must be {shown}", kind, n, key)
    domains = {"kind": KINDS, "role": ROLES, "severity": SEVERITIES}
    if name in domains and value not in domains[name]:
        raise layer.error(
            f"bad {name} {value!r}; expected one of {list(domains[name])}", kind, n, name
        )
    if name == "context" and value and value not in CONTEXTS:
        raise layer.error(
            f"unknown context {value!r}; expected one of {list(CONTEXTS)}", kind, n, name
        )
    if name == "article" and value not in ARTICLES:
        raise layer.error(f"unknown article {value}; rules exist for articles {list(ARTICLES)}", kind, n, key)
    if name == "points" and value < 0:
        raise layer.error("points must be >= 0", kind, n, key)
    if name == "id" and not _ID_RE.match(value):
        raise layer.error(f"bad rule id {value!r}", kind, n, key)
    if name == "variants" and not all(isinstance(v, str) for v in value):
        raise layer.error("variants must be a list of strings", kind, n, key)
    phrases = value if name == "variants" else ([value] if name == "canonical" and value else [])
    for phrase in phrases:
        problem = slot_problem(phrase)
        if problem:
            raise layer.error(problem, kind, n, key)


def _build_rule(layer: _Layer, n: int, block: dict[str, Any]) -> Rule:
    """Validate one ``[[rule]]`` block and build its :class:`Rule`.

    Raises:
        LexiconError: One problem; :class:`LexiconErrors` when the block has
            several (each field is checked, not only the first bad one).
    """
    problems: list[LexiconError] = []
    unknown = set(block) - _RULE_FIELDS
    if unknown:
        problems.append(layer.error(f"unknown field(s) {sorted(unknown)}", "rule", n,
                                    sorted(unknown)[0]))
    problems += [layer.error(f"missing field {name!r}", "rule", n)
                 for name in ("id", "article", "kind") if name not in block]
    for name, value in block.items():
        if name in _RULE_FIELDS:
            try:
                _check_value(layer, "rule", n, name, value)
            except LexiconError as exc:
                problems.append(exc)
    if problems:
        raise problems[0] if len(problems) == 1 else LexiconErrors(problems)
    kind = block["kind"]
    need = ("title",) if kind == "measure" else ("canonical", "context")
    for name in need:
        if not block.get(name):
            raise layer.error(f"missing field {name!r} (needed for kind {kind!r})", "rule", n)
    values = dict(block)
    values["variants"] = tuple(values.get("variants", ()))
    values.setdefault("role", "staff")
    values.setdefault("context", "")
    values.setdefault("canonical", "")
    values.setdefault("group", block["id"])
    values["source"] = f"{layer.path}:{layer.loc.block('rule', n)}"
    rule = Rule(**values)
    _check_consistency(layer, n, rule)
    return rule


def _check_consistency(layer: _Layer, n: int, rule: Rule, kind: str = "rule") -> None:
    """Cross-field checks of a finished rule (built by block ``n`` of ``kind``)."""
    if rule.kind == "cue" and rule.context not in CUE_KIND_BY_CONTEXT:
        raise layer.error(
            f"a cue needs a context in {list(CUE_KIND_BY_CONTEXT)}", kind, n, "context"
        )
    if rule.kind == "measure" and rule.variants:
        raise layer.error("a measure rule has no phrases", kind, n, "variants")


def _apply_layer(layer: _Layer, rules: dict[str, Rule], disabled: list[str]) -> None:
    """Add, override and disable rules from one layer, in place.

    Every block is checked: a bad block is skipped and its problem kept, and
    all problems of the layer are raised together at the end
    (:class:`~analyzer.errors.LexiconErrors` when there are several).
    """
    errors: list[LexiconError] = []
    steps = (("rule", _add_rule), ("override", _apply_override), ("disable", _apply_disable))
    for kind, apply in steps:
        for n, block in enumerate(layer.data.get(kind, [])):
            try:
                apply(layer, n, block, rules, disabled)
            except LexiconErrors as exc:
                errors.extend(exc.errors)
            except LexiconError as exc:
                errors.append(exc)
    if len(errors) == 1:
        raise errors[0]
    if errors:
        raise LexiconErrors(sorted(errors, key=lambda e: e.line or 0))


def _add_rule(layer: _Layer, n: int, block: dict[str, Any], rules: dict[str, Rule],
              _disabled: list[str]) -> None:
    """One ``[[rule]]`` block: a new rule."""
    rule = _build_rule(layer, n, block)
    if rule.id in rules:
        prior = rules[rule.id].source
        raise layer.error(
            f"duplicate rule id {rule.id!r} (first defined at {prior}); "
            "use [[override]] to change a rule",
            "rule",
            n,
            "id",
        )
    rules[rule.id] = rule


def _apply_override(layer: _Layer, n: int, block: dict[str, Any], rules: dict[str, Rule],
                    _disabled: list[str]) -> None:
    """One ``[[override]]`` block: fields of an existing rule replaced, variants added."""
    rid = block.get("id")
    if not isinstance(rid, str):
        raise layer.error("an [[override]] needs the string 'id' of the rule", "override", n)
    if rid not in rules:
        raise layer.error(f"override of unknown rule id {rid!r}", "override", n, "id")
    changes = {k: v for k, v in block.items() if k not in ("id", "add_variants")}
    unknown = set(changes) - _RULE_FIELDS
    if unknown:
        raise layer.error(
            f"unknown field(s) {sorted(unknown)}", "override", n, sorted(unknown)[0]
        )
    for name, value in changes.items():
        _check_value(layer, "override", n, name, value)
    extra = block.get("add_variants", [])
    _check_value(layer, "override", n, "variants", extra, "add_variants")
    base = rules[rid]
    changes["variants"] = tuple(changes.get("variants", base.variants)) + tuple(extra)
    changes["source"] = f"{layer.path}:{layer.loc.block('override', n)}"
    changed = replace(base, **changes)
    _check_consistency(layer, n, changed, "override")
    rules[rid] = changed


def _apply_disable(layer: _Layer, n: int, block: dict[str, Any], rules: dict[str, Rule],
                   disabled: list[str]) -> None:
    """One ``[[disable]]`` block: a rule removed."""
    rid = block.get("id")
    if not isinstance(rid, str) or rid not in rules:
        raise layer.error(f"disable of unknown rule id {rid!r}", "disable", n, "id")
    del rules[rid]
    disabled.append(rid)


def _load(paths: tuple[str, ...]) -> Lexicon:
    """Read, validate and merge the layers (uncached)."""
    rules: dict[str, Rule] = {}
    disabled: list[str] = []
    versions = []
    for path in paths:
        layer = _read_layer(path)
        _apply_layer(layer, rules, disabled)
        versions.append(f"{layer.name}@{layer.version}")
    if not rules:
        raise LexiconError("the lexicon has no rules", source=paths[-1])
    return Lexicon("+".join(versions), tuple(rules.values()), paths, tuple(disabled))


@functools.lru_cache(maxsize=16)
def _load_cached(paths: tuple[str, ...], _stamps: tuple[int, ...]) -> Lexicon:
    return _load(paths)


def _stamp(path: str) -> int:
    try:
        return Path(path).stat().st_mtime_ns
    except OSError:
        return -1


def load_lexicon(extra: Sequence[str | Path] = (), *, base: str | Path | None = None) -> Lexicon:
    """Load the shipped lexicon with local override files layered on, in order.

    Cached: the same files (unchanged on disk) return the same object, so the
    compiled matcher built for it is shared too.

    Args:
        extra: County override files (Article 28), applied in order.
        base: Another base lexicon instead of the shipped one.

    Returns:
        The merged :class:`Lexicon`.

    Raises:
        LexiconError: A file is missing or malformed (names file and line).
    """
    paths = tuple(str(Path(p)) for p in [base or SHIPPED_LEXICON, *extra])
    return _load_cached(paths, tuple(_stamp(p) for p in paths))


def check_files(paths: Sequence[str | Path]) -> list[tuple[str, Lexicon | LexiconError]]:
    """Validate lexicon files, each on its own.

    The shipped lexicon is checked as a base; any other file is checked as a
    layer over the shipped lexicon, so its ids and overrides are resolved.

    Returns:
        ``(path, Lexicon or LexiconError)`` for each file.
    """
    results: list[tuple[str, Lexicon | LexiconError]] = []
    for path in paths:
        p = str(path)
        try:
            as_base = Path(p).resolve() == SHIPPED_LEXICON.resolve()
            stack = (p,) if as_base else (str(SHIPPED_LEXICON), p)
            results.append((p, _load(stack)))
        except LexiconError as exc:
            results.append((p, exc))
    return results

"""Which interactions a read is about: the :class:`Filter`, and the SQL it becomes.

Every read of the store that selects interactions (the queue, the counts,
the summaries, the per-staff results, the examples, the transcript search)
takes a :class:`Filter`; :func:`where_clause` is the one place that turns it into
SQL, and :func:`key_clauses` the part the rollup tables share.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields

from analyzer.errors import InvalidRequest
from analyzer.store.schema import REVIEW_STATES

#: Columns the interactions and every rollup share (with ``day``).
ROLLUP_KEYS: tuple[str, ...] = ("hall", "window", "staff", "channel")
#: Conditions the rollups answer (their key columns, and the day span).
ROLLUP_FILTERS: frozenset[str] = frozenset({*ROLLUP_KEYS, "since", "until"})
#: A value bound into a statement.
SqlValue = str | int | float | None


@dataclass(frozen=True)
class Filter:
    """Conditions on interactions; an empty field (``""``, None) is no condition.

    Attributes:
        hall, window, staff, channel: Equal to this (``window`` is the hall's
            service counter; ``channel`` is ``counter`` or ``phone``).
        run_id, model, lexicon_version: Stored by this batch run, with this
            model, under this lexicon version.
        since, until: Days ``YYYY-MM-DD`` (on ``started_at``, else on the
            analysis date), both included.
        article, rule, kind: Has a finding of this article, rule or kind.
        review: ``unreviewed`` (a finding has no verdict), ``reviewed`` (every
            finding has one), ``confirmed`` / ``dismissed`` (some finding has
            that verdict).
        flagged: True: has findings; False: has none.
        min_score, max_score: The review-adjusted score within these bounds.
        q: Text said in the transcript.
        settled: True: no finding is left without a verdict.
    """

    hall: str = ""
    window: str = ""
    staff: str = ""
    channel: str = ""
    run_id: int | None = None
    model: str = ""
    lexicon_version: str = ""
    since: str = ""
    until: str = ""
    article: int | None = None
    rule: str = ""
    kind: str = ""
    review: str = ""
    flagged: bool | None = None
    min_score: int | None = None
    max_score: int | None = None
    q: str = ""
    settled: bool = False

    def __post_init__(self) -> None:
        if self.review and self.review not in REVIEW_STATES:
            raise InvalidRequest(f"review must be one of {REVIEW_STATES}, not {self.review!r}")

    @classmethod
    def of(cls, values: Mapping[str, object]) -> Filter:
        """A filter from named values (a query string's, a command's), empty ones skipped.

        Raises:
            InvalidRequest: A name that is no condition, or a number that is none.
        """
        unknown = set(values) - {f.name for f in fields(cls)}
        if unknown:
            raise InvalidRequest(f"{', '.join(sorted(unknown))}: no such filter; filters are "
                                 f"{', '.join(f.name for f in fields(cls))}")

        def text(name: str) -> str:
            value = values.get(name)
            return "" if value is None else str(value)

        def number(name: str) -> int | None:
            value = text(name)
            try:
                return int(value) if value else None
            except ValueError:
                raise InvalidRequest(f"{name} must be a whole number, not {value!r}") from None

        def flag(name: str) -> bool | None:
            value = values.get(name)
            if value is None or value == "" or isinstance(value, bool):
                return value if isinstance(value, bool) else None
            return str(value).lower() in ("1", "true", "yes", "on")

        return cls(hall=text("hall"), window=text("window"), staff=text("staff"),
                   channel=text("channel"), run_id=number("run_id"), model=text("model"),
                   lexicon_version=text("lexicon_version"), since=text("since"),
                   until=text("until"), article=number("article"), rule=text("rule"),
                   kind=text("kind"), review=text("review"), flagged=flag("flagged"),
                   min_score=number("min_score"), max_score=number("max_score"), q=text("q"),
                   settled=bool(flag("settled")))

    def given(self) -> frozenset[str]:
        """The names of the conditions set (``flagged=False`` is one; ``settled=False`` not)."""
        return frozenset(f.name for f in fields(self) if _set(f.name, getattr(self, f.name)))

    def items(self) -> list[tuple[str, str | int | bool]]:
        """The conditions set, as (name, value), in field order (for display and links)."""
        return [(f.name, getattr(self, f.name)) for f in fields(self)
                if _set(f.name, getattr(self, f.name))]

    @property
    def rolled_up(self) -> bool:
        """True when the rollup tables answer every condition set (keys and days only)."""
        return self.given() <= ROLLUP_FILTERS

    def rollup_tables(self) -> tuple[str, str]:
        """The (interactions, findings-per-article) daily rollups that answer this filter.

        Without a staff condition, the ones without staff (schema version 5: a
        few rows per window and day); with one, the per-staff ones (version 4).
        The first has ``n``, ``score_sum``, ``auto_sum``, ``flagged``; the
        second ``article``, ``n``, ``breaches``, ``confirmed``, ``dismissed``;
        both the day, hall, window and channel.
        """
        if self.staff:
            return "rollup_interactions", "rollup_findings"
        return "rollup_windows", "rollup_articles"


def _set(name: str, value: object) -> bool:
    if name == "settled":
        return bool(value)
    return value is not None and value != ""


def key_clauses(f: Filter, alias: str, columns: tuple[str, ...] = ROLLUP_KEYS, *,
                days: bool = True) -> tuple[list[str], list[SqlValue]]:
    """SQL conditions on ``alias``: equality on ``columns``, and ``since``/``until`` on ``day``.

    The store's interaction filters, the dashboard and the per-staff results
    all build these conditions here. ``days`` False leaves the day span to
    the caller (a monthly rollup has no day).
    """
    clauses: list[str] = []
    params: list[SqlValue] = []
    for col in columns:
        value = getattr(f, col)
        if _set(col, value):
            clauses.append(f'{alias}."{col}" = ?')
            params.append(value)
    for key, op in (("since", ">="), ("until", "<=")):
        value = getattr(f, key)
        if days and value:
            clauses.append(f"{alias}.day {op} ?")
            params.append(str(value)[:10])
    return clauses, params


def where_clause(f: Filter | None, alias: str = "i", *, probe: bool = False
          ) -> tuple[str, list[SqlValue]]:
    """The SQL ``WHERE`` clause (or "") over ``interactions i`` for ``f``, and its values.

    Args:
        f: The conditions; None: every interaction.
        alias: Another table with the same columns (a rollup), for the
            conditions on hall, window, staff, channel and days.
        probe: Test the article / rule condition per interaction (one index
            probe each, for a scan in another index's order that stops early)
            instead of reading every match first.
    """
    f = f or Filter()
    clauses, params = key_clauses(f, alias, (*ROLLUP_KEYS, "run_id", "model", "lexicon_version"))
    if f.min_score is not None:
        clauses.append("i.score >= ?")
        params.append(f.min_score)
    if f.max_score is not None:
        clauses.append("i.score <= ?")
        params.append(f.max_score)
    if f.flagged is not None:
        clauses.append("i.n_findings > 0" if f.flagged else "i.n_findings = 0")
    sub = []
    for col in ("article", "rule", "kind"):
        value = getattr(f, col)
        if _set(col, value):
            sub.append(f"x.{col} = ?")
            params.append(value)
    if sub and probe and not f.kind:
        # a point probe of ix_findings_article_pk / ix_findings_rule_pk
        clauses.append("EXISTS (SELECT 1 FROM findings x WHERE x.interaction_pk = i.id AND "
                       + " AND ".join(sub) + ")")
    elif sub:
        # an uncorrelated IN list, read once through the same indexes
        clauses.append("i.id IN (SELECT x.interaction_pk FROM findings x WHERE "
                       + " AND ".join(sub) + ")")
    if f.review:
        clauses.append(_review_clause(f.review))
    if f.settled:
        clauses.append("NOT EXISTS (SELECT 1 FROM findings x WHERE x.interaction_pk = i.id "
                       "AND x.verdict IS NULL)")
    if f.q:
        clauses.append("EXISTS (SELECT 1 FROM utterances u WHERE u.interaction_pk = i.id "
                       "AND u.text LIKE ?)")
        params.append(f"%{f.q}%")
    return (" WHERE " + " AND ".join(clauses)) if clauses else "", params


def _review_clause(state: str) -> str:
    has = "EXISTS (SELECT 1 FROM findings x WHERE x.interaction_pk = i.id AND {})"
    return {
        "unreviewed": has.format("x.verdict IS NULL"),
        "reviewed": "i.n_findings > 0 AND NOT " + has.format("x.verdict IS NULL"),
        "confirmed": has.format("x.verdict = 'confirm'"),
        "dismissed": has.format("x.verdict = 'dismiss'"),
    }[state]

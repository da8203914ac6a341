"""Reporting periods: a month (月通报), a quarter (季考评), a year (年考核), or any days.

A :class:`Period` names its first and last day (``YYYY-MM-DD``, the store's
``day`` column) and the period before it, so every per-staff result and every
红黑榜 can show the trend against the previous period.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from analyzer.errors import InvalidRequest
from analyzer.i18n import N_, gettext

#: Period kinds, from the shortest.
PERIOD_KINDS: tuple[str, ...] = ("month", "quarter", "year", "days")
_TITLES = {"month": N_("monthly bulletin"), "quarter": N_("quarterly review"),
           "year": N_("annual review"), "days": N_("period")}


@dataclass(frozen=True)
class Period:
    """A span of calendar days.

    Attributes:
        kind: ``month``, ``quarter``, ``year`` or ``days``.
        label: ``2026-11``, ``2026-Q4``, ``2026``, or ``SINCE..UNTIL``.
        since: First day, ``YYYY-MM-DD``.
        until: Last day, ``YYYY-MM-DD`` (inclusive).
    """

    kind: str
    label: str
    since: str
    until: str

    @property
    def title(self) -> str:
        """The document's name for this kind of period (月通报, 季考评, 年考核), translated."""
        return gettext(_TITLES[self.kind])

    def previous(self) -> Period:
        """The period of the same kind just before this one (same length for ``days``)."""
        first = date.fromisoformat(self.since)
        if self.kind == "month":
            last = first - timedelta(days=1)
            return month(f"{last.year:04d}-{last.month:02d}")
        if self.kind == "quarter":
            last = first - timedelta(days=1)
            return quarter(f"{last.year:04d}-Q{(last.month - 1) // 3 + 1}")
        if self.kind == "year":
            return year(str(first.year - 1))
        span = (date.fromisoformat(self.until) - first).days
        end = first - timedelta(days=1)
        return days((end - timedelta(days=span)).isoformat(), end.isoformat())

    def next(self) -> Period:
        """The period of the same kind just after this one."""
        after = date.fromisoformat(self.until) + timedelta(days=1)
        if self.kind == "month":
            return month(f"{after.year:04d}-{after.month:02d}")
        if self.kind == "quarter":
            return quarter(f"{after.year:04d}-Q{(after.month - 1) // 3 + 1}")
        if self.kind == "year":
            return year(str(after.year))
        span = (date.fromisoformat(self.until) - date.fromisoformat(self.since)).days
        return days(after.isoformat(), (after + timedelta(days=span)).isoformat())


def _months(y: int, first: int, last: int, label: str, kind: str) -> Period:
    end = date(y + (last == 12), last % 12 + 1, 1) - timedelta(days=1)
    return Period(kind, label, date(y, first, 1).isoformat(), end.isoformat())


def month(text: str) -> Period:
    """``YYYY-MM`` -> that month.

    Raises:
        InvalidRequest: Not a month written as ``YYYY-MM``.
    """
    m = re.fullmatch(r"(\d{4})-(\d{2})", text.strip())
    if not m or not 1 <= int(m.group(2)) <= 12:
        raise InvalidRequest(f"expected a month as YYYY-MM, got {text!r}")
    y, mo = int(m.group(1)), int(m.group(2))
    return _months(y, mo, mo, f"{y:04d}-{mo:02d}", "month")


def quarter(text: str) -> Period:
    """``YYYY-Qn`` -> that quarter.

    Raises:
        InvalidRequest: Not a quarter written as ``YYYY-Q1`` .. ``YYYY-Q4``.
    """
    m = re.fullmatch(r"(\d{4})-?[Qq]([1-4])", text.strip())
    if not m:
        raise InvalidRequest(f"expected a quarter as YYYY-Q1..YYYY-Q4, got {text!r}")
    y, q = int(m.group(1)), int(m.group(2))
    return _months(y, 3 * q - 2, 3 * q, f"{y:04d}-Q{q}", "quarter")


def year(text: str) -> Period:
    """``YYYY`` -> that year.

    Raises:
        InvalidRequest: Not a year written as ``YYYY``.
    """
    if not re.fullmatch(r"\d{4}", text.strip()):
        raise InvalidRequest(f"expected a year as YYYY, got {text!r}")
    y = int(text)
    return _months(y, 1, 12, f"{y:04d}", "year")


def days(since: str, until: str) -> Period:
    """Any span of days, both ends included.

    Raises:
        InvalidRequest: A day not written as ``YYYY-MM-DD``, or ``until`` before ``since``.
    """
    try:
        first, last = date.fromisoformat(since), date.fromisoformat(until)
    except ValueError:
        raise InvalidRequest(f"expected days as YYYY-MM-DD, got {since!r} and {until!r}") from None
    if last < first:
        raise InvalidRequest(f"the period ends ({until}) before it starts ({since})")
    return Period("days", f"{since}..{until}", since, until)


def parse_period(text: str) -> Period:
    """A month, quarter or year written as the command line takes it (``2026-11``, ``2026-Q4``, ``2026``).

    Raises:
        InvalidRequest: Naming the forms accepted.
    """
    text = text.strip()
    for parser in (month, quarter, year):
        try:
            return parser(text)
        except ValueError:
            continue
    raise InvalidRequest(f"expected a period as YYYY-MM, YYYY-Qn or YYYY, got {text!r}")

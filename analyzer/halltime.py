"""The hall's time: every time shown, every day boundary and the service hours in the hall's zone.

Stored times stay absolute (ISO-8601 with their UTC offset, as written); what
a person reads, and which calendar day an interaction belongs to, is the
hall's local time. The zone is set per hall in the analysis configuration
(``[halls]``: ``timezone`` for every hall, ``hall_timezones`` for the
exceptions; :class:`analyzer.options.HallOptions`), Asia/Shanghai by default.

A time written without an offset (``2026-12-07T09:30``) is taken as the
hall's own clock, as a hall's manifest writes it.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import UTC, date, datetime, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

#: The zone of a hall nobody configured: China Standard Time.
DEFAULT_ZONE = "Asia/Shanghai"


@functools.cache
def zone(name: str) -> tzinfo:
    """The IANA zone ``name`` (``UTC`` included).

    Raises:
        ValueError: No such zone.
    """
    if name.upper() == "UTC":
        return UTC
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown time zone {name!r} (an IANA name such as Asia/Shanghai)") \
            from None


def parse(when: str | datetime | None) -> datetime | None:
    """An ISO-8601 time as a datetime (naive when written without offset); None if no time."""
    if when is None or when == "":
        return None
    if isinstance(when, datetime):
        return when
    text = str(when).strip().replace("Z", "+00:00").replace("z", "+00:00")
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        try:  # a bare day
            return datetime.combine(date.fromisoformat(text), datetime.min.time())
        except ValueError:
            return None


@dataclass(frozen=True)
class HallZones:
    """Which zone each hall keeps its time in.

    Attributes:
        default: The zone of every hall not listed.
        halls: (hall, zone) exceptions.
    """

    default: str = DEFAULT_ZONE
    halls: tuple[tuple[str, str], ...] = ()

    def __post_init__(self) -> None:
        for name in (self.default, *(z for _, z in self.halls)):
            zone(name)

    def zone(self, hall: str = "") -> tzinfo:
        """The zone of ``hall``."""
        for name, tz in self.halls:
            if name == hall:
                return zone(tz)
        return zone(self.default)

    def zone_name(self, hall: str = "") -> str:
        """The IANA name of ``hall``'s zone."""
        return next((tz for name, tz in self.halls if name == hall), self.default)

    def local(self, when: str | datetime | None, hall: str = "") -> datetime | None:
        """``when`` on ``hall``'s clock (aware); a naive time is taken as already local."""
        moment = parse(when)
        if moment is None:
            return None
        tz = self.zone(hall)
        if moment.tzinfo is None:
            return moment.replace(tzinfo=tz)
        return moment.astimezone(tz)

    def day(self, when: str | datetime | None, hall: str = "") -> str:
        """The hall's calendar day (``YYYY-MM-DD``) of ``when``; "" when there is no time."""
        local = self.local(when, hall)
        return local.date().isoformat() if local else ""

    def today(self, now: float, hall: str = "") -> date:
        """The hall's calendar day at ``now`` (seconds since the epoch)."""
        return datetime.fromtimestamp(now, self.zone(hall)).date()

    def show(self, when: str | datetime | None, hall: str = "", *, seconds: bool = False,
             utc: bool = False) -> str:
        """``when`` as people read it, ``2026-12-07 09:30`` on the hall's clock ("–" if none).

        Args:
            when: An ISO-8601 time (or datetime); a bare day is shown as it is.
            hall: Whose clock.
            seconds: Show seconds.
            utc: Show UTC instead (with ``UTC`` after it), for whoever asks for it.
        """
        if isinstance(when, str) and len(when.strip()) == 10:
            return when.strip()  # a day is a day on every clock
        local = self.local(when, hall)
        if local is None:
            return "–" if not when else str(when)
        if utc:
            local = local.astimezone(UTC)
        text = local.strftime("%Y-%m-%d %H:%M:%S" if seconds else "%Y-%m-%d %H:%M")
        return f"{text} UTC" if utc else text

    @classmethod
    def of(cls, block: object) -> HallZones:
        """The zones of an options ``halls`` block as recorded (a mapping), or the default."""
        if not isinstance(block, dict):
            return cls()
        pairs = block.get("hall_timezones") or ()
        try:
            return cls(str(block.get("timezone") or DEFAULT_ZONE),
                       tuple((str(h), str(z)) for h, z in pairs))
        except (ValueError, TypeError):
            return cls()

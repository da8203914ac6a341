"""Report sinks: JSON, JSON Lines, and a readable text summary.

* ``json``: one report as an indented JSON object; when a second report
  arrives the sink switches to JSON Lines (the contract: many inputs give one
  report per line), so it can stream without holding reports in memory.
* ``jsonl``: one compact JSON report per line.
* ``text``: for a person at a terminal: score, grade, and every finding with
  its article, time span, the seed's wording, the evidence and confidence.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import TextIO

from analyzer.halltime import HallZones
from analyzer.i18n import gettext as _
from analyzer.i18n import label, ngettext
from analyzer.types import Finding, InteractionReport

FORMATS: tuple[str, ...] = ("json", "jsonl", "text")


def write_reports(reports: Iterable[InteractionReport], fmt: str, out: TextIO) -> int:
    """Write reports to ``out`` in ``fmt`` as they arrive.

    Args:
        reports: Reports, possibly a generator.
        fmt: ``json``, ``jsonl`` or ``text``.
        out: A text stream.

    Returns:
        How many reports were written.

    Raises:
        ValueError: For an unknown format.
    """
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; expected one of {list(FORMATS)}")
    count = flagged = 0
    total = 0
    pending: InteractionReport | None = None
    for report in reports:
        count += 1
        flagged += report.flagged
        total += report.score
        if fmt == "text":
            out.write(format_text(report))
        elif fmt == "jsonl":
            out.write(to_json_line(report))
        elif count == 1:
            pending = report  # one report: pretty JSON; more: JSON Lines
        else:
            if pending is not None:
                out.write(to_json_line(pending))
                pending = None
            out.write(to_json_line(report))
        out.flush()
    if pending is not None:
        out.write(json.dumps(pending.to_dict(), ensure_ascii=False, indent=2) + "\n")
    if fmt == "text" and count > 1:
        out.write(ngettext("%(num)d interaction analyzed", "%(num)d interactions analyzed",
                           count) + _(", ")
                  + _("%(n)d flagged", n=flagged) + _(", ")
                  + _("mean score %(score)s", score=f"{total / count:.1f}") + "\n")
    return count


def to_json_line(report: InteractionReport) -> str:
    """One report as a compact JSON line (UTF-8 text, not escaped)."""
    return json.dumps(report.to_dict(), ensure_ascii=False, separators=(",", ":")) + "\n"


def format_text(report: InteractionReport) -> str:
    """A readable summary of one report for a terminal, in the language in force.

    The start time is on the hall's clock (the ``halls`` options the
    analysis ran with), as every page and report shows it.
    """
    zones = HallZones.of(report.analyzer.options.get("halls"))
    head = [label(report.channel)]
    for name, value in (("", report.hall), (_("window %(name)s"), report.window),
                        (_("staff %(id)s"), report.staff)):
        if value:
            head.append(name % {"name": value, "id": value} if name else value)
    if report.started_at:
        head.append(zones.show(report.started_at, report.hall))
    lines = [f"== {report.id}  ({report.source})" if report.source else f"== {report.id}",
             "   " + " · ".join(head)]
    if report.rings is not None:
        lines.append("   " + _("rings: %(n)s (from %(source)s)", n=report.rings,
                                source=label(report.ring_source)) + (
            _(", answered after %(s).1f s", s=report.answer_time)
            if report.answer_time is not None else ""))
    vetoes = sorted({f.detail["veto"] for f in report.findings if f.detail.get("veto")})
    veto = "  " + _("(veto: %(rules)s)", rules="; ".join(vetoes)) if vetoes else ""
    n = len(report.findings)
    lines.append("   " + _("score %(score)s/100  grade %(grade)s", score=report.score,
                            grade=report.grade)
                 + veto + "  " + ngettext("%(num)d finding", "%(num)d findings", n))
    for f in report.findings:
        lines.extend(_finding_lines(f))
    return "\n".join(lines) + "\n\n"


def _finding_lines(f: Finding) -> list[str]:
    points = f"-{f.points}" if f.points else " 0"
    method = f.detail.get("method")
    how = f"  [{label(method)}]" if method else ""
    name = _("why") if f.kind == "missing" else _("evidence")
    evidence = f.evidence
    if f.kind in ("forbidden", "uncivil") and f.speaker:
        evidence = f"{label(f.speaker)}: “{f.evidence}”"
    return [
        f"   {points:>4}  {f.rule}  {_('Art. %(n)s', n=f.article)}  {label(f.kind)}  "
        f"{_span(f)}  {_('confidence')} {f.confidence:.2f}{how}",
        f"         {_('Code')}: {f.canonical}",  # the seed wording, labelled as in the web app
        f"         {name}: {evidence}",
    ]


def _span(f: Finding) -> str:
    if f.start is None:
        return _("(whole interaction)")
    if f.end is None or f.end == f.start:
        return _clock(f.start)
    return f"{_clock(f.start)}–{_clock(f.end)}"


def _clock(t: float) -> str:
    minutes, seconds = divmod(max(0.0, t), 60.0)
    return f"{int(minutes):02d}:{seconds:04.1f}"

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
        out.write(f"{count} interactions analyzed, {flagged} flagged, "
                  f"mean score {total / count:.1f}\n")
    return count


def to_json_line(report: InteractionReport) -> str:
    """One report as a compact JSON line (UTF-8 text, not escaped)."""
    return json.dumps(report.to_dict(), ensure_ascii=False, separators=(",", ":")) + "\n"


def format_text(report: InteractionReport) -> str:
    """A readable summary of one report for a terminal."""
    head = [report.channel]
    for label, value in (("", report.hall), ("window ", report.window),
                         ("staff ", report.staff), ("", report.started_at)):
        if value:
            head.append(f"{label}{value}")
    lines = [f"== {report.id}  ({report.source})" if report.source else f"== {report.id}",
             "   " + " · ".join(head)]
    if report.rings is not None:
        answered = f", answered after {report.answer_time:.1f} s" \
            if report.answer_time is not None else ""
        lines.append(f"   rings: {report.rings} (from {report.ring_source}){answered}")
    vetoes = sorted({f.detail["veto"] for f in report.findings if f.detail.get("veto")})
    veto = f"  (veto: {'; '.join(vetoes)})" if vetoes else ""
    n = len(report.findings)
    lines.append(f"   score {report.score}/100  grade {report.grade}{veto}  "
                 f"{n} finding{'s' if n != 1 else ''}")
    for f in report.findings:
        lines.extend(_finding_lines(f))
    return "\n".join(lines) + "\n\n"


def _finding_lines(f: Finding) -> list[str]:
    points = f"-{f.points}" if f.points else " 0"
    method = f.detail.get("method")
    how = f"  [{method}]" if method else ""
    label = "why" if f.kind == "missing" else "evidence"
    evidence = f.evidence
    if f.kind in ("forbidden", "uncivil") and f.speaker:
        evidence = f"{f.speaker}: “{f.evidence}”"
    return [
        f"   {points:>4}  {f.rule}  Article {f.article}  {f.kind}  {_span(f)}  "
        f"confidence {f.confidence:.2f}{how}",
        f"         规范:     {f.canonical}",  # the seed wording, labelled as in the web app
        f"         {label + ':':<9} {evidence}",
    ]


def _span(f: Finding) -> str:
    if f.start is None:
        return "(whole interaction)"
    if f.end is None or f.end == f.start:
        return _clock(f.start)
    return f"{_clock(f.start)}–{_clock(f.end)}"


def _clock(t: float) -> str:
    minutes, seconds = divmod(max(0.0, t), 60.0)
    return f"{int(minutes):02d}:{seconds:04.1f}"

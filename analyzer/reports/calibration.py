"""``conduct report --calibration``: agreement between inspectors, as text or JSON.

The figures come from :func:`analyzer.store.calibration.build_calibration`;
the review app's 复核一致性 page (``/calibration``) shows the same and takes
the supervisor's rulings.
"""

from __future__ import annotations

import json
from collections.abc import Callable

from analyzer.i18n import gettext
from analyzer.reports.text import table
from analyzer.store.calibration import Calibration, PairRow


def kappa(value: float | None) -> str:
    """Kappa with two decimals; "–" when it cannot be computed."""
    return "–" if value is None else f"{value:.2f}"


def _row(p: PairRow) -> list[str]:
    a = p.agreement
    observed = "–" if a.observed is None else f"{100 * a.observed:.0f}%"
    return [p.a, p.b, p.rule or gettext("(all rules)"), str(a.n), str(a.both_confirm),
            str(a.only_a), str(a.only_b), str(a.both_dismiss), observed, kappa(a.kappa)]


def render_text(c: Calibration) -> str:
    """Pairs (overall, then per rule), disagreements, and agreement with the rulings."""
    p = c.period
    out = [gettext("Agreement between inspectors · %(title)s %(period)s (%(since)s to "
                   "%(until)s)", title=p.title, period=p.label, since=p.since, until=p.until)]
    if not c.pairs:
        return "\n".join([*out, "  " + gettext("(no finding was judged by two inspectors)")]) + \
            "\n"
    header = [gettext("Inspector A"), gettext("Inspector B"), gettext("Rule"),
              gettext("Both judged"), gettext("Both confirm"), gettext("Only A confirms"),
              gettext("Only B confirms"), gettext("Both dismiss"), gettext("Agreement"),
              gettext("Kappa")]
    out += table(header, [_row(r) for r in c.pairs], indent="  ")
    out += ["", gettext("Disagreements: %(n)s", n=len(c.disagreements))]
    for d in c.disagreements:
        said = ", ".join(f"{u}: {v}" for u, v in d.verdicts.items())
        ruling = f" → {d.ruling} ({d.ruled_by})" if d.ruling else ""
        out.append(f"  #{d.finding_id} {d.interaction_id} {d.rule}: {said}{ruling}")
    if c.reference:
        out += ["", gettext("Agreement with the rulings")]
        for who, (agree, n) in sorted(c.reference.items()):
            out.append(f"  {who}: {agree}/{n}")
    return "\n".join(out) + "\n"


def render_json(c: Calibration) -> str:
    """One JSON object with the raw counts, kappas, disagreements and the reference."""
    return json.dumps(c.to_dict(), ensure_ascii=False, indent=1) + "\n"


RENDERERS: dict[str, Callable[[Calibration], str]] = {"text": render_text, "json": render_json}

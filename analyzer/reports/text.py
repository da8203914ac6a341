"""Plain-text tables for the terminal: columns aligned by display width (汉字 take two)."""

from __future__ import annotations

from collections.abc import Sequence


def width(text: str) -> int:
    """Display width: CJK and full-width characters take two columns."""
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)


def pad(text: str, size: int, right: bool = False) -> str:
    """``text`` padded with spaces to display width ``size`` (numbers to the right)."""
    fill = " " * max(0, size - width(text))
    return fill + text if right else text + fill


def _numeric(text: str) -> bool:
    return bool(text) and text.lstrip("+-▲▼ ").rstrip("%").replace(".", "", 1).isdigit()


def table(header: Sequence[str], rows: Sequence[Sequence[str]], indent: str = "") -> list[str]:
    """Lines of an aligned table: the header, a rule, the rows (numbers right-aligned)."""
    widths = [max(width(h), *(width(r[i]) for r in rows)) if rows else width(h)
              for i, h in enumerate(header)]
    right = [bool(rows) and all(_numeric(r[i]) or r[i] == "–" for r in rows)
             for i in range(len(header))]
    lines = [indent + "  ".join(pad(h, w, a) for h, w, a in zip(header, widths, right,
                                                                  strict=True)).rstrip()]
    lines.append(indent + "  ".join("─" * w for w in widths))
    lines += [indent + "  ".join(pad(c, w, a) for c, w, a in zip(row, widths, right,
                                                                   strict=True)).rstrip()
              for row in rows]
    return lines

"""Offline conduct compliance analyzer for government service halls.

Quick use::

    import analyzer
    report = analyzer.analyze("examples/counter-model.json")
    print(report.score, [f.rule for f in report.findings])
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from analyzer._version import __version__
from analyzer.errors import AnalyzerError
from analyzer.options import AnalyzerOptions
from analyzer.types import Finding, Interaction, InteractionReport, Utterance, Word

if TYPE_CHECKING:
    from analyzer.pipeline.core import Source
    from analyzer.text.lexicon import Lexicon

__all__ = [
    "AnalyzerError",
    "AnalyzerOptions",
    "Finding",
    "Interaction",
    "InteractionReport",
    "Utterance",
    "Word",
    "__version__",
    "analyze",
]


def analyze(source: Source, options: AnalyzerOptions | None = None, *,
            lexicon: Lexicon | None = None) -> InteractionReport:
    """Analyze one interaction: a transcript path, a recording path, a dict or an Interaction.

    See :func:`analyzer.pipeline.analyze` for the arguments.
    """
    from analyzer.pipeline.core import analyze as _analyze

    return _analyze(source, options, lexicon=lexicon)

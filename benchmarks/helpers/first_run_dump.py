"""Dump the rules' findings on a labelled folder with whatever ``analyzer`` is importable.

Run by :mod:`benchmarks.first_run` under an OLD commit's code (``git archive`` of it on
``PYTHONPATH``), so it imports nothing of this repository but ``analyzer`` itself and uses
only the API every commit since ``ab2db38`` has (``analyzer.analyze``, ``AnalyzerOptions``,
the ``Finding`` dataclass). The judge (where the commit has one) is switched off: the record
is of the rules' own findings, the units the veto model judges.

Usage::

    PYTHONPATH=<old tree> python benchmarks/helpers/first_run_dump.py interactions.jsonl [ID ...]

Writes one JSON line per interaction to stdout: ``{"id", "findings": [Finding as dict]}``.
"""

from __future__ import annotations

import dataclasses
import json
import sys


def main(argv: list[str]) -> int:
    import analyzer
    from analyzer.options import AnalyzerOptions

    options = AnalyzerOptions()
    if any(f.name == "judge" for f in dataclasses.fields(options)):
        options = dataclasses.replace(options, judge=dataclasses.replace(options.judge,
                                                                         enabled=False))
    wanted = set(argv[1:])
    print(json.dumps({"analyzer": analyzer.__file__}), file=sys.stderr)
    with open(argv[0], encoding="utf-8") as fh:
        records = [json.loads(line) for line in fh if line.strip()]
    for rec in records:
        if wanted and rec["id"] not in wanted:
            continue
        report = analyzer.analyze(dict(rec), options)
        found = [dataclasses.asdict(f) for f in report.findings]
        print(json.dumps({"id": rec["id"], "findings": found}, ensure_ascii=False, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

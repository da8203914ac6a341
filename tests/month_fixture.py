"""A generated month of a hall: many stored interactions from a few real analyses.

:func:`build_month_db` analyses the shipped example transcripts once each
with the real analyzer, then stores copies of those reports under generated
ids, staff, halls, windows and start times with the real
:class:`analyzer.store.Store` (``save_report``), seeded, so the same
arguments give the same database. Each staff member has a quality (the
chance of a model interaction); the rest are drawn from the flawed examples.
The benchmark ``benchmarks/store_scale.py`` uses it at scale.
"""

from __future__ import annotations

import copy
import hashlib
import json
import random
import sqlite3
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from analyzer import analyze
from analyzer.options import AnalyzerOptions
from analyzer.store import Store, analysis_key
from analyzer.text.lexicon import load_lexicon
from analyzer.text.transcript import parse_interaction
from analyzer.training.examples import candidates
from analyzer.types import InteractionReport

ROOT = Path(__file__).resolve().parent.parent
GOOD = "counter-model"


@dataclass(frozen=True)
class MonthSpec:
    """What to generate."""

    month: str = "2026-11"
    halls: int = 2
    windows_per_hall: int = 3
    staff: int = 12
    per_staff: int = 25
    seed: int = 16
    previous_month: bool = True


def example_reports() -> dict[str, tuple[InteractionReport, object]]:
    """The shipped examples analysed once: id -> (report, interaction)."""
    out = {}
    for path in sorted((ROOT / "examples").glob("*.json")):
        interaction = parse_interaction(json.loads(path.read_text("utf-8")), str(path),
                                        default_id=path.stem)
        out[path.stem] = (analyze(interaction, AnalyzerOptions()), interaction)
    return out


def _days(month: str) -> list[str]:
    y, m = map(int, month.split("-"))
    first = date(y, m, 1)
    end = date(y + (m == 12), m % 12 + 1, 1)
    return [(first + timedelta(days=k)).isoformat() for k in range((end - first).days)]


def _previous(month: str) -> str:
    y, m = map(int, month.split("-"))
    return f"{y - (m == 1):04d}-{(m - 2) % 12 + 1:02d}"


def staff_ids(spec: MonthSpec) -> list[str]:
    """The generated staff ids, ``S-0001`` ..."""
    return [f"S-{n + 1:04d}" for n in range(spec.staff)]


def quality(spec: MonthSpec, staff: str) -> float:
    """The chance that this staff member's interaction is a model one (fixed per seed)."""
    return random.Random(f"{spec.seed}:{staff}").uniform(0.05, 0.98)


def generate(store: Store, spec: MonthSpec, reports: dict | None = None) -> int:
    """Store the generated interactions of ``spec`` (and its previous month); returns how many."""
    reports = reports or example_reports()
    lexicon = load_lexicon()
    # each copy is said as its original was: its candidates are the original's
    examples = {name: candidates(report, lexicon) for name, (report, _) in reports.items()}
    flawed = sorted(k for k in reports if k != GOOD)
    months = [spec.month] + ([_previous(spec.month)] if spec.previous_month else [])
    n = 0
    for month in months:
        rng = random.Random(f"{spec.seed}:{month}")
        days = _days(month)
        for s_index, staff in enumerate(staff_ids(spec)):
            hall = f"第{s_index % spec.halls + 1}政务服务大厅"
            window = str(s_index // spec.halls % spec.windows_per_hall + 1)
            q = quality(spec, staff) + (0.05 if month == spec.month else 0.0)
            for k in range(spec.per_staff):
                name = GOOD if rng.random() < q else rng.choice(flawed)
                report, interaction = reports[name]
                ident = f"{month}-{staff}-{k:05d}"
                day = days[rng.randrange(len(days))]
                started = f"{day}T{9 + rng.randrange(8):02d}:{rng.randrange(60):02d}:00+08:00"
                r = copy.copy(report)
                r.id, r.staff, r.hall, r.window, r.started_at = ident, staff, hall, window, started
                r.source = f"{ident}.json"
                it = copy.copy(interaction)
                it.id, it.staff, it.hall, it.window, it.started_at = ident, staff, hall, window, started
                content = hashlib.sha256(ident.encode()).hexdigest()
                key = analysis_key(content, "transcript", str(r.analyzer.lexicon_version))
                store.save_report(r, run_id=None, content_hash=content, path=r.source, key=key,
                                  interaction=it, model="transcript",
                                  examples=examples[name])
                n += 1
    return n


def build_month_db(path: Path, spec: MonthSpec | None = None) -> Path:
    """A new results database at ``path`` holding the generated month."""
    with Store(path) as store:
        generate(store, spec or MonthSpec())
    return path


def replicate(src: Path, path: Path, times: int) -> None:
    """A store at ``path`` of ``times`` copies of ``src``'s interactions and findings, new ids.

    For measurements at 200,000 interactions (``benchmarks/backtest.py``,
    ``benchmarks/store_scale.py``): generating them one by one through the
    store takes about an hour on the 2-core box, copying rows in SQL a minute
    (the store's triggers keep the rollups). The copies carry the same
    transcripts and no verdicts (verdicts come from reviews: give them after).
    """
    for old in path.parent.glob(path.name + "*"):
        old.unlink()
    source, con = sqlite3.connect(src), sqlite3.connect(path, isolation_level=None)
    source.backup(con)  # the write-ahead log's pages too
    source.close()
    cols = [r[1] for r in con.execute("PRAGMA table_info(interactions)") if r[1] != "id"]
    fcols = [r[1] for r in con.execute("PRAGMA table_info(findings)")
             if r[1] not in ("id", "interaction_pk", "verdict")]
    lo, hi, n = con.execute("SELECT MIN(id), MAX(id), COUNT(*) FROM interactions").fetchone()
    assert hi - lo + 1 == n, "the source's ids must be contiguous"
    fresh = {"key", "content_hash", "identity", "interaction_id"}
    for k in range(1, times):
        seq = con.execute("SELECT seq FROM sqlite_sequence WHERE name = 'interactions'"
                          ).fetchone()[0]
        offset = seq + 1 - lo  # the copies take the next ids, in order
        picked = ", ".join(f"{c} || ':{k}'" if c in fresh else
                           ("'benchmark'" if c == "changed_by" else c) for c in cols)
        con.execute("BEGIN")
        con.execute(f"INSERT INTO interactions ({', '.join(cols)}) SELECT {picked} "
                    f"FROM interactions WHERE id BETWEEN {lo} AND {hi} ORDER BY id")
        assert con.execute("SELECT MAX(id) FROM interactions").fetchone()[0] == seq + n
        con.execute(f"INSERT INTO findings (interaction_pk, {', '.join(fcols)}) "
                    f"SELECT interaction_pk + {offset}, {', '.join(fcols)} FROM findings "
                    f"WHERE interaction_pk BETWEEN {lo} AND {hi}")
        con.execute("COMMIT")
    con.close()


def private_copy(src: Path, tmp_path: Path) -> Path:
    """A copy of the database ``src`` in ``tmp_path``, for a test that writes."""
    import sqlite3

    target = tmp_path / "results.sqlite"
    a, b = sqlite3.connect(src), sqlite3.connect(target)
    a.backup(b)
    a.close()
    b.close()
    return target


def old_schema(path: Path, version: int, *, foreign_keys: bool = False) -> sqlite3.Connection:
    """An empty results database at schema ``version`` (the store's own first migrations).

    Returns the open connection (autocommit), for a test to fill the old
    tables before the current :class:`~analyzer.store.Store` opens the file.
    """
    from analyzer.store.schema import MIGRATIONS, statements

    con = sqlite3.connect(path, isolation_level=None)
    if foreign_keys:
        con.execute("PRAGMA foreign_keys = ON")
    con.execute("CREATE TABLE schema_version (version INTEGER PRIMARY KEY, "
                "applied_at TEXT NOT NULL)")
    for number, step in MIGRATIONS:
        if number > version:
            break
        rebuild = bool(getattr(step, "foreign_keys_off", False))
        if rebuild:  # a table rebuilt, as the store runs it (analyzer.store.core)
            con.execute("PRAGMA foreign_keys = OFF")
            con.execute("PRAGMA legacy_alter_table = ON")
        if callable(step):
            step(con)
        else:
            for statement in statements(step):
                con.execute(statement)
        if rebuild:
            con.execute("PRAGMA legacy_alter_table = OFF")
            con.execute(f"PRAGMA foreign_keys = {'ON' if foreign_keys else 'OFF'}")
        con.execute("INSERT INTO schema_version VALUES (?, 'then')", (number,))
    return con

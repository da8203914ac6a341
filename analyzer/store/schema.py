"""Schema of the results database: tables, ordered migrations, time format."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from datetime import UTC, datetime

from analyzer.store.identity import rebuild_interactions

VERDICTS: tuple[str, ...] = ("confirm", "dismiss", "comment")
APPEAL_STATES: tuple[str, ...] = ("open", "upheld", "overturned")
REVIEW_STATES: tuple[str, ...] = ("unreviewed", "reviewed", "confirmed", "dismissed")
GROUPS: tuple[str, ...] = ("hall", "window", "staff", "channel", "day", "article", "rule")
#: Why an inspector dismissed a finding (``reviews.reason``; "" = not said): the
#: speech was misheard, the words were the other party's, the owed act was done
#: in other words, the context made it no breach, something else.
DISMISS_REASONS: tuple[str, ...] = ("misheard", "wrong_speaker", "said_otherwise", "context",
                                    "other")


_SCHEMA_V1 = """
CREATE TABLE runs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    started_at TEXT NOT NULL,
    finished_at TEXT,
    status TEXT NOT NULL DEFAULT 'running',
    argv TEXT NOT NULL DEFAULT '[]',
    options TEXT NOT NULL DEFAULT '{}',
    engine TEXT NOT NULL DEFAULT '',
    model TEXT NOT NULL DEFAULT '',
    lexicon_version TEXT NOT NULL DEFAULT '',
    stats TEXT NOT NULL DEFAULT '{}'
);
CREATE TABLE interactions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    key TEXT NOT NULL UNIQUE,
    content_hash TEXT NOT NULL UNIQUE,
    model TEXT NOT NULL DEFAULT '',
    lexicon_version TEXT NOT NULL DEFAULT '',
    run_id INTEGER REFERENCES runs(id) ON DELETE SET NULL,
    interaction_id TEXT NOT NULL,
    source_path TEXT NOT NULL DEFAULT '',
    channel TEXT NOT NULL,
    hall TEXT NOT NULL DEFAULT '',
    window TEXT NOT NULL DEFAULT '',
    staff TEXT NOT NULL DEFAULT '',
    started_at TEXT NOT NULL DEFAULT '',
    day TEXT NOT NULL DEFAULT '',
    duration REAL,
    auto_score INTEGER NOT NULL,
    auto_grade TEXT NOT NULL,
    score INTEGER NOT NULL,
    grade TEXT NOT NULL,
    rings INTEGER,
    ring_source TEXT,
    answer_time REAL,
    n_findings INTEGER NOT NULL DEFAULT 0,
    report_json TEXT NOT NULL,
    input_json TEXT NOT NULL,
    audio_json TEXT NOT NULL DEFAULT '{}',
    analyzed_at TEXT NOT NULL,
    rescored_at TEXT
);
CREATE INDEX ix_interactions_hall ON interactions(hall, window);
CREATE INDEX ix_interactions_day ON interactions(day);
CREATE INDEX ix_interactions_staff ON interactions(staff);
CREATE TABLE utterances (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    interaction_pk INTEGER NOT NULL REFERENCES interactions(id) ON DELETE CASCADE,
    idx INTEGER NOT NULL,
    speaker TEXT NOT NULL,
    start REAL NOT NULL,
    "end" REAL NOT NULL,
    text TEXT NOT NULL,
    confidence REAL NOT NULL,
    words_json TEXT NOT NULL DEFAULT '[]'
);
CREATE INDEX ix_utterances_interaction ON utterances(interaction_pk);
CREATE TABLE findings (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    interaction_pk INTEGER NOT NULL REFERENCES interactions(id) ON DELETE CASCADE,
    idx INTEGER NOT NULL,
    rule TEXT NOT NULL,
    article INTEGER NOT NULL,
    kind TEXT NOT NULL,
    canonical TEXT NOT NULL,
    speaker TEXT NOT NULL,
    start REAL,
    "end" REAL,
    evidence TEXT NOT NULL,
    confidence REAL NOT NULL,
    points INTEGER NOT NULL,
    detail_json TEXT NOT NULL DEFAULT '{}',
    verdict TEXT
);
CREATE INDEX ix_findings_interaction ON findings(interaction_pk);
CREATE INDEX ix_findings_rule ON findings(article, rule);
CREATE TABLE errors (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    run_id INTEGER REFERENCES runs(id) ON DELETE SET NULL,
    path TEXT NOT NULL,
    kind TEXT NOT NULL,
    message TEXT NOT NULL,
    at TEXT NOT NULL
);
CREATE INDEX ix_errors_run ON errors(run_id);
CREATE TABLE reviews (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    finding_id INTEGER REFERENCES findings(id) ON DELETE SET NULL,
    interaction_pk INTEGER NOT NULL REFERENCES interactions(id) ON DELETE CASCADE,
    rule TEXT NOT NULL,
    start REAL,
    verdict TEXT NOT NULL CHECK (verdict IN ('confirm', 'dismiss', 'comment')),
    comment TEXT NOT NULL DEFAULT '',
    user TEXT NOT NULL DEFAULT '',
    at TEXT NOT NULL
);
CREATE INDEX ix_reviews_finding ON reviews(finding_id);
CREATE INDEX ix_reviews_interaction ON reviews(interaction_pk);
"""

#: Version 2: an error row may carry the analysis key (content + model +
#: lexicon) of an input that is bad in itself, so later runs skip it.
_SCHEMA_V2 = """
ALTER TABLE errors ADD COLUMN key TEXT;
CREATE INDEX ix_errors_key ON errors(key);
"""

#: Ordered migrations: (version it brings the schema to, SQL script or callable).
#: Version 3: which process runs a batch, so a run killed before it could say so
#: is marked ``interrupted`` when the next run starts.
_SCHEMA_V3 = """
ALTER TABLE runs ADD COLUMN pid INTEGER;
ALTER TABLE runs ADD COLUMN host TEXT;
"""

#: Version 4: the inspectors' month (issue 16). A staff directory (names for
#: the roles allowed to see them), appeals against confirmed findings and
#: rectifications of black-listed staff, both kept with an append-only audit
#: trail that triggers write (an update without its history row cannot
#: happen), the indexes the filters use, and rollups per day, hall, window,
#: staff and channel (interactions per grade; findings per article and rule)
#: that triggers keep current, so month-long summaries read a few thousand
#: rows instead of every interaction. Existing rows are rolled up on migration.
#: ``example_hits``: trainers' good-practice candidates (required phrases said
#: well), matched once per analysis and lexicon version (``example_index``
#: says which interactions were matched); re-analysis drops them.
#: ``utterances_fts``: the transcripts' full-text index (FTS5, contentless,
#: rowid = utterance id; :mod:`analyzer.text.search` gives its two columns),
#: written with each utterance; rows of replaced utterances no longer join.
_SCHEMA_V4 = """
CREATE TABLE staff_directory (
    staff TEXT PRIMARY KEY,
    name TEXT NOT NULL DEFAULT '',
    hall TEXT NOT NULL DEFAULT '',
    updated_at TEXT NOT NULL
);
CREATE TABLE appeals (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    finding_id INTEGER REFERENCES findings(id) ON DELETE SET NULL,
    interaction_pk INTEGER NOT NULL REFERENCES interactions(id) ON DELETE CASCADE,
    rule TEXT NOT NULL,
    start REAL,
    staff TEXT NOT NULL DEFAULT '',
    reason TEXT NOT NULL,
    filed_by TEXT NOT NULL,
    filed_at TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'upheld', 'overturned')),
    ruling_comment TEXT NOT NULL DEFAULT '',
    ruled_by TEXT NOT NULL DEFAULT '',
    ruled_at TEXT,
    score_before INTEGER NOT NULL,
    score_after INTEGER,
    updated_by TEXT NOT NULL
);
CREATE INDEX ix_appeals_finding ON appeals(finding_id);
CREATE INDEX ix_appeals_status ON appeals(status, id);
CREATE TABLE rectifications (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    staff TEXT NOT NULL,
    period TEXT NOT NULL,
    action TEXT NOT NULL,
    follow_up TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'done')),
    note TEXT NOT NULL DEFAULT '',
    set_by TEXT NOT NULL,
    set_at TEXT NOT NULL,
    done_at TEXT,
    updated_by TEXT NOT NULL,
    UNIQUE (staff, period)
);
CREATE TABLE audit (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at TEXT NOT NULL,
    user TEXT NOT NULL,
    entity TEXT NOT NULL,
    entity_id INTEGER NOT NULL,
    action TEXT NOT NULL,
    before_json TEXT,
    after_json TEXT
);
CREATE INDEX ix_audit_entity ON audit(entity, entity_id);
CREATE TRIGGER audit_append_only_u BEFORE UPDATE ON audit
BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;
CREATE TRIGGER audit_append_only_d BEFORE DELETE ON audit
BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;
CREATE TRIGGER appeals_kept BEFORE DELETE ON appeals
BEGIN SELECT RAISE(ABORT, 'appeals are never deleted'); END;
CREATE TRIGGER rectifications_kept BEFORE DELETE ON rectifications
BEGIN SELECT RAISE(ABORT, 'rectifications are never deleted'); END;
CREATE TRIGGER appeals_filed AFTER INSERT ON appeals
BEGIN INSERT INTO audit (at, user, entity, entity_id, action, before_json, after_json)
  VALUES (NEW.filed_at, NEW.updated_by, 'appeal', NEW.id, 'filed', NULL,
          json_object('status', NEW.status, 'finding_id', NEW.finding_id, 'reason', NEW.reason,
                      'staff', NEW.staff, 'score', NEW.score_before)); END;
CREATE TRIGGER appeals_changed AFTER UPDATE ON appeals
BEGIN INSERT INTO audit (at, user, entity, entity_id, action, before_json, after_json)
  VALUES (COALESCE(NEW.ruled_at, strftime('%Y-%m-%dT%H:%M:%S+00:00', 'now')), NEW.updated_by,
          'appeal', NEW.id, NEW.status,
          json_object('status', OLD.status, 'ruling_comment', OLD.ruling_comment,
                      'ruled_by', OLD.ruled_by, 'score', OLD.score_before),
          json_object('status', NEW.status, 'ruling_comment', NEW.ruling_comment,
                      'ruled_by', NEW.ruled_by, 'score', NEW.score_after)); END;
CREATE TRIGGER rectifications_set AFTER INSERT ON rectifications
BEGIN INSERT INTO audit (at, user, entity, entity_id, action, before_json, after_json)
  VALUES (NEW.set_at, NEW.updated_by, 'rectification', NEW.id, 'set', NULL,
          json_object('staff', NEW.staff, 'period', NEW.period, 'action', NEW.action,
                      'follow_up', NEW.follow_up, 'status', NEW.status)); END;
CREATE TRIGGER rectifications_changed AFTER UPDATE ON rectifications
BEGIN INSERT INTO audit (at, user, entity, entity_id, action, before_json, after_json)
  VALUES (strftime('%Y-%m-%dT%H:%M:%S+00:00', 'now'), NEW.updated_by, 'rectification', NEW.id,
          NEW.status,
          json_object('action', OLD.action, 'follow_up', OLD.follow_up, 'status', OLD.status,
                      'note', OLD.note),
          json_object('action', NEW.action, 'follow_up', NEW.follow_up, 'status', NEW.status,
                      'note', NEW.note)); END;
CREATE TRIGGER interactions_rescored AFTER UPDATE OF score ON interactions
WHEN OLD.score IS NOT NEW.score
BEGIN INSERT INTO audit (at, user, entity, entity_id, action, before_json, after_json)
  VALUES (strftime('%Y-%m-%dT%H:%M:%S+00:00', 'now'), '', 'interaction', NEW.id, 'score',
          json_object('score', OLD.score, 'grade', OLD.grade),
          json_object('score', NEW.score, 'grade', NEW.grade)); END;
CREATE INDEX ix_interactions_score ON interactions(score, id);
CREATE INDEX ix_interactions_flagged ON interactions(n_findings, score);
CREATE INDEX ix_interactions_analyzed ON interactions(analyzed_at);
CREATE INDEX ix_interactions_staff_day ON interactions(staff, day);
CREATE INDEX ix_interactions_hall_day ON interactions(hall, window, day);
CREATE INDEX ix_findings_article_pk ON findings(article, interaction_pk);
CREATE INDEX ix_findings_rule_pk ON findings(rule, interaction_pk);
CREATE TABLE assignments (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    interaction_pk INTEGER NOT NULL UNIQUE REFERENCES interactions(id) ON DELETE CASCADE,
    inspector TEXT NOT NULL,
    period TEXT NOT NULL,
    reason TEXT NOT NULL CHECK (reason IN ('below', 'share', 'minimum')),
    seed TEXT NOT NULL,
    assigned_at TEXT NOT NULL,
    due TEXT NOT NULL,
    done_at TEXT,
    updated_by TEXT NOT NULL
);
CREATE INDEX ix_assignments_inspector ON assignments(inspector, done_at, due);
CREATE TRIGGER assignments_made AFTER INSERT ON assignments
BEGIN INSERT INTO audit (at, user, entity, entity_id, action, before_json, after_json)
  VALUES (NEW.assigned_at, NEW.updated_by, 'assignment', NEW.id, 'assigned', NULL,
          json_object('interaction', NEW.interaction_pk, 'inspector', NEW.inspector,
                      'reason', NEW.reason, 'due', NEW.due)); END;
CREATE TRIGGER assignments_changed AFTER UPDATE ON assignments
BEGIN INSERT INTO audit (at, user, entity, entity_id, action, before_json, after_json)
  VALUES (strftime('%Y-%m-%dT%H:%M:%S+00:00', 'now'), NEW.updated_by, 'assignment', NEW.id,
          CASE WHEN NEW.done_at IS NOT NULL AND OLD.done_at IS NULL THEN 'done'
               ELSE 'reassigned' END,
          json_object('inspector', OLD.inspector, 'due', OLD.due, 'done_at', OLD.done_at),
          json_object('inspector', NEW.inspector, 'due', NEW.due, 'done_at', NEW.done_at)); END;
CREATE TRIGGER assignments_kept BEFORE DELETE ON assignments
BEGIN SELECT RAISE(ABORT, 'assignments are never deleted'); END;
CREATE VIRTUAL TABLE utterances_fts USING fts5(chars, pinyin, content='',
    tokenize='unicode61');
CREATE TABLE example_index (
    lexicon_version TEXT NOT NULL,
    interaction_pk INTEGER NOT NULL REFERENCES interactions(id) ON DELETE CASCADE,
    PRIMARY KEY (lexicon_version, interaction_pk)
) WITHOUT ROWID;
CREATE TABLE example_hits (
    id INTEGER PRIMARY KEY,
    interaction_pk INTEGER NOT NULL REFERENCES interactions(id) ON DELETE CASCADE,
    lexicon_version TEXT NOT NULL, article INTEGER NOT NULL, rule TEXT NOT NULL,
    canonical TEXT NOT NULL, day TEXT NOT NULL, hall TEXT NOT NULL, speaker TEXT NOT NULL,
    start REAL NOT NULL, "end" REAL NOT NULL, evidence TEXT NOT NULL,
    confidence REAL NOT NULL, method TEXT NOT NULL
);
CREATE INDEX ix_example_hits_order ON example_hits(lexicon_version, article, rule, day,
    interaction_pk, start);
CREATE INDEX ix_example_hits_pk ON example_hits(interaction_pk);
CREATE INDEX ix_example_index_pk ON example_index(interaction_pk);
CREATE TRIGGER example_hits_stale AFTER UPDATE OF key, analyzed_at, rescored_at, day, hall
    ON interactions
BEGIN DELETE FROM example_hits WHERE interaction_pk = NEW.id;
  DELETE FROM example_index WHERE interaction_pk = NEW.id; END;
CREATE TABLE rollup_interactions (
    day TEXT NOT NULL, hall TEXT NOT NULL, window TEXT NOT NULL, staff TEXT NOT NULL,
    channel TEXT NOT NULL, grade TEXT NOT NULL,
    n INTEGER NOT NULL, score_sum INTEGER NOT NULL, auto_sum INTEGER NOT NULL,
    flagged INTEGER NOT NULL,
    PRIMARY KEY (day, hall, window, staff, channel, grade)
) WITHOUT ROWID;
CREATE INDEX ix_rollup_interactions_staff ON rollup_interactions(staff, day);
CREATE TABLE rollup_findings (
    day TEXT NOT NULL, hall TEXT NOT NULL, window TEXT NOT NULL, staff TEXT NOT NULL,
    channel TEXT NOT NULL, article INTEGER NOT NULL, rule TEXT NOT NULL,
    n INTEGER NOT NULL, breaches INTEGER NOT NULL, confirmed INTEGER NOT NULL,
    dismissed INTEGER NOT NULL,
    PRIMARY KEY (day, hall, window, staff, channel, article, rule)
) WITHOUT ROWID;
CREATE INDEX ix_rollup_findings_staff ON rollup_findings(staff, day);
INSERT INTO rollup_interactions
  SELECT day, hall, window, staff, channel, grade, COUNT(*), SUM(score), SUM(auto_score),
         SUM(n_findings > 0) FROM interactions GROUP BY day, hall, window, staff, channel, grade;
INSERT INTO rollup_findings
  SELECT i.day, i.hall, i.window, i.staff, i.channel, f.article, f.rule, COUNT(*),
         SUM(f.verdict IS NULL OR f.verdict != 'dismiss'), SUM(f.verdict IS 'confirm'),
         SUM(f.verdict IS 'dismiss')
  FROM findings f JOIN interactions i ON i.id = f.interaction_pk
  GROUP BY i.day, i.hall, i.window, i.staff, i.channel, f.article, f.rule;
CREATE TRIGGER rollup_interaction_added AFTER INSERT ON interactions
BEGIN INSERT INTO rollup_interactions VALUES (NEW.day, NEW.hall, NEW.window, NEW.staff,
    NEW.channel, NEW.grade, 1, NEW.score, NEW.auto_score, NEW.n_findings > 0)
  ON CONFLICT DO UPDATE SET n = n + 1, score_sum = score_sum + excluded.score_sum,
    auto_sum = auto_sum + excluded.auto_sum, flagged = flagged + excluded.flagged; END;
CREATE TRIGGER rollup_interaction_removed AFTER DELETE ON interactions
BEGIN INSERT INTO rollup_interactions VALUES (OLD.day, OLD.hall, OLD.window, OLD.staff,
    OLD.channel, OLD.grade, -1, -OLD.score, -OLD.auto_score, -(OLD.n_findings > 0))
  ON CONFLICT DO UPDATE SET n = n - 1, score_sum = score_sum + excluded.score_sum,
    auto_sum = auto_sum + excluded.auto_sum, flagged = flagged + excluded.flagged; END;
CREATE TRIGGER rollup_interaction_changed AFTER UPDATE OF day, hall, window, staff, channel,
    grade, score, auto_score, n_findings ON interactions
BEGIN
  INSERT INTO rollup_interactions VALUES (OLD.day, OLD.hall, OLD.window, OLD.staff,
      OLD.channel, OLD.grade, -1, -OLD.score, -OLD.auto_score, -(OLD.n_findings > 0))
    ON CONFLICT DO UPDATE SET n = n - 1, score_sum = score_sum + excluded.score_sum,
      auto_sum = auto_sum + excluded.auto_sum, flagged = flagged + excluded.flagged;
  INSERT INTO rollup_interactions VALUES (NEW.day, NEW.hall, NEW.window, NEW.staff,
      NEW.channel, NEW.grade, 1, NEW.score, NEW.auto_score, NEW.n_findings > 0)
    ON CONFLICT DO UPDATE SET n = n + 1, score_sum = score_sum + excluded.score_sum,
      auto_sum = auto_sum + excluded.auto_sum, flagged = flagged + excluded.flagged;
END;
CREATE TRIGGER rollup_interaction_moved AFTER UPDATE OF day, hall, window, staff, channel
    ON interactions
WHEN OLD.day IS NOT NEW.day OR OLD.hall IS NOT NEW.hall OR OLD.window IS NOT NEW.window
  OR OLD.staff IS NOT NEW.staff OR OLD.channel IS NOT NEW.channel
BEGIN
  INSERT INTO rollup_findings
    SELECT OLD.day, OLD.hall, OLD.window, OLD.staff, OLD.channel, f.article, f.rule,
           -COUNT(*), -SUM(f.verdict IS NULL OR f.verdict != 'dismiss'),
           -SUM(f.verdict IS 'confirm'), -SUM(f.verdict IS 'dismiss')
    FROM findings f WHERE f.interaction_pk = NEW.id GROUP BY f.article, f.rule
    ON CONFLICT DO UPDATE SET n = n + excluded.n, breaches = breaches + excluded.breaches,
      confirmed = confirmed + excluded.confirmed, dismissed = dismissed + excluded.dismissed;
  INSERT INTO rollup_findings
    SELECT NEW.day, NEW.hall, NEW.window, NEW.staff, NEW.channel, f.article, f.rule,
           COUNT(*), SUM(f.verdict IS NULL OR f.verdict != 'dismiss'),
           SUM(f.verdict IS 'confirm'), SUM(f.verdict IS 'dismiss')
    FROM findings f WHERE f.interaction_pk = NEW.id GROUP BY f.article, f.rule
    ON CONFLICT DO UPDATE SET n = n + excluded.n, breaches = breaches + excluded.breaches,
      confirmed = confirmed + excluded.confirmed, dismissed = dismissed + excluded.dismissed;
END;
CREATE TRIGGER rollup_finding_added AFTER INSERT ON findings
BEGIN INSERT INTO rollup_findings
    SELECT i.day, i.hall, i.window, i.staff, i.channel, NEW.article, NEW.rule, 1,
           NEW.verdict IS NULL OR NEW.verdict != 'dismiss', NEW.verdict IS 'confirm',
           NEW.verdict IS 'dismiss'
    FROM interactions i WHERE i.id = NEW.interaction_pk
    ON CONFLICT DO UPDATE SET n = n + 1, breaches = breaches + excluded.breaches,
      confirmed = confirmed + excluded.confirmed, dismissed = dismissed + excluded.dismissed;
END;
CREATE TRIGGER rollup_finding_removed AFTER DELETE ON findings
BEGIN INSERT INTO rollup_findings
    SELECT i.day, i.hall, i.window, i.staff, i.channel, OLD.article, OLD.rule, -1,
           -(OLD.verdict IS NULL OR OLD.verdict != 'dismiss'), -(OLD.verdict IS 'confirm'),
           -(OLD.verdict IS 'dismiss')
    FROM interactions i WHERE i.id = OLD.interaction_pk
    ON CONFLICT DO UPDATE SET n = n - 1, breaches = breaches + excluded.breaches,
      confirmed = confirmed + excluded.confirmed, dismissed = dismissed + excluded.dismissed;
END;
CREATE TRIGGER rollup_finding_judged AFTER UPDATE OF verdict ON findings
WHEN OLD.verdict IS NOT NEW.verdict
BEGIN INSERT INTO rollup_findings
    SELECT i.day, i.hall, i.window, i.staff, i.channel, NEW.article, NEW.rule, 0,
           (NEW.verdict IS NULL OR NEW.verdict != 'dismiss')
             - (OLD.verdict IS NULL OR OLD.verdict != 'dismiss'),
           (NEW.verdict IS 'confirm') - (OLD.verdict IS 'confirm'),
           (NEW.verdict IS 'dismiss') - (OLD.verdict IS 'dismiss')
    FROM interactions i WHERE i.id = NEW.interaction_pk
    ON CONFLICT DO UPDATE SET breaches = breaches + excluded.breaches,
      confirmed = confirmed + excluded.confirmed, dismissed = dismissed + excluded.dismissed;
END;
"""

#: Version 5: coarse rollups and facets, for pages that read a whole store.
#: The rollups of version 4 are kept per staff member, so on a month of a
#: hall they hold almost a row per interaction. ``rollup_windows`` (per day,
#: hall, window and channel: interactions, scores and findings) and
#: ``rollup_articles`` (the same, per article) sum them without staff;
#: ``facets`` counts each hall, window, staff, article and rule value, for the
#: filter choices, and (``matched``) the interactions matched for trainers'
#: examples under each lexicon version. Triggers on the version-4 rollups keep all three current
#: from the rollups' own changes (NEW minus OLD), so they always agree.
#: Trainers' examples are listed per article and rule in the order stored
#: (interaction, then time); two indexes give that order, so a page of them
#: reads that page's rows only (the findings' one also holds kind and verdict,
#: so skipping findings that are no examples reads no rows). The queue's hall
#: and day filters read ``ix_interactions_queue`` alone and sort only the
#: matches' scores; on a cold disk cache, fetching every row of the hall first
#: took seconds.
def _upsert_add(table: str, values: list[str], counts: tuple[str, ...]) -> str:
    """``INSERT INTO table VALUES (values)``, adding ``counts`` to an existing row instead."""
    sets = ", ".join(f"{c} = {c} + excluded.{c}" for c in counts)
    return f"INSERT INTO {table} VALUES ({', '.join(values)})\n  ON CONFLICT DO UPDATE SET {sets};"


def _delta(col: str, when: str) -> str:
    """A rollup row's change in ``col``: all of it when inserted, NEW minus OLD when updated."""
    return f"NEW.{col}" if when == "INSERT" else f"NEW.{col} - OLD.{col}"


#: The counts each rollup keeps (after its key columns).
_INTERACTION_COUNTS = ("n", "score_sum", "auto_sum", "flagged")
_FINDING_COUNTS = ("n", "breaches", "confirmed", "dismissed")
_WINDOW_COUNTS = (*_INTERACTION_COUNTS, "findings", "breaches", "confirmed", "dismissed")


def _trigger(table: str, when: str, suffix: str, statements: list[str]) -> str:
    """``CREATE TRIGGER {table}_{when}_{suffix} AFTER {when} ON {table}`` running ``statements``."""
    body = "\n  ".join(statements)
    return (f"CREATE TRIGGER {table}_{when.lower()}_{suffix} AFTER {when} ON {table}\n"
            f"BEGIN {body}\nEND;\n")


def _delta_triggers(table: str, when: str) -> str:
    """The coarse-rollup and facet trigger of one version-4 rollup ``table``."""
    key = ["NEW.day", "NEW.hall", "NEW.window", "NEW.channel"]
    if table == "rollup_interactions":
        counts = [_delta(c, when) for c in _INTERACTION_COUNTS]
        out = [_upsert_add("rollup_windows", [*key, *counts, "0", "0", "0", "0"], _WINDOW_COUNTS)]
        facets = [("hall", "NEW.hall"), ("window", "NEW.window"), ("staff", "NEW.staff")]
    else:
        counts = [_delta(c, when) for c in _FINDING_COUNTS]
        out = [_upsert_add("rollup_windows", [*key, "0", "0", "0", "0", *counts], _WINDOW_COUNTS),
               _upsert_add("rollup_articles", [*key, "NEW.article", *counts], _FINDING_COUNTS)]
        facets = [("article", "CAST(NEW.article AS TEXT)"), ("rule", "NEW.rule")]
    out += [_upsert_add("facets", [f"'{f}'", v, _delta("n", when)], ("n",)) for f, v in facets]
    return _trigger(table, when, "rolls_up", out)


_SCHEMA_V5 = """
CREATE INDEX ix_findings_examples ON findings(article, rule, interaction_pk, start, kind,
    verdict);
CREATE INDEX ix_interactions_queue ON interactions(hall, day, n_findings, score);
DROP INDEX ix_example_hits_order;
CREATE INDEX ix_example_hits_order ON example_hits(lexicon_version, article, rule,
    interaction_pk, start);
CREATE TABLE rollup_windows (
    day TEXT NOT NULL, hall TEXT NOT NULL, window TEXT NOT NULL, channel TEXT NOT NULL,
    n INTEGER NOT NULL, score_sum INTEGER NOT NULL, auto_sum INTEGER NOT NULL,
    flagged INTEGER NOT NULL, findings INTEGER NOT NULL, breaches INTEGER NOT NULL,
    confirmed INTEGER NOT NULL, dismissed INTEGER NOT NULL,
    PRIMARY KEY (day, hall, window, channel)
) WITHOUT ROWID;
CREATE TABLE rollup_articles (
    day TEXT NOT NULL, hall TEXT NOT NULL, window TEXT NOT NULL, channel TEXT NOT NULL,
    article INTEGER NOT NULL, n INTEGER NOT NULL, breaches INTEGER NOT NULL,
    confirmed INTEGER NOT NULL, dismissed INTEGER NOT NULL,
    PRIMARY KEY (day, hall, window, channel, article)
) WITHOUT ROWID;
CREATE TABLE facets (
    facet TEXT NOT NULL, value TEXT NOT NULL, n INTEGER NOT NULL,
    PRIMARY KEY (facet, value)
) WITHOUT ROWID;
INSERT INTO rollup_windows
  SELECT day, hall, window, channel, SUM(n), SUM(score_sum), SUM(auto_sum), SUM(flagged),
         0, 0, 0, 0 FROM rollup_interactions GROUP BY day, hall, window, channel;
INSERT INTO rollup_windows
  SELECT day, hall, window, channel, 0, 0, 0, 0, SUM(n), SUM(breaches), SUM(confirmed),
         SUM(dismissed) FROM rollup_findings WHERE true GROUP BY day, hall, window, channel
  ON CONFLICT DO UPDATE SET findings = excluded.findings, breaches = excluded.breaches,
    confirmed = excluded.confirmed, dismissed = excluded.dismissed;
INSERT INTO rollup_articles
  SELECT day, hall, window, channel, article, SUM(n), SUM(breaches), SUM(confirmed),
         SUM(dismissed) FROM rollup_findings GROUP BY day, hall, window, channel, article;
INSERT INTO facets SELECT 'hall', hall, SUM(n) FROM rollup_interactions GROUP BY hall;
INSERT INTO facets SELECT 'window', window, SUM(n) FROM rollup_interactions GROUP BY window;
INSERT INTO facets SELECT 'staff', staff, SUM(n) FROM rollup_interactions GROUP BY staff;
INSERT INTO facets SELECT 'article', CAST(article AS TEXT), SUM(n) FROM rollup_findings
  GROUP BY article;
INSERT INTO facets SELECT 'rule', rule, SUM(n) FROM rollup_findings GROUP BY rule;
INSERT INTO facets SELECT 'matched', lexicon_version, COUNT(*) FROM example_index
  GROUP BY lexicon_version;
CREATE TRIGGER example_index_added AFTER INSERT ON example_index
BEGIN INSERT INTO facets VALUES ('matched', NEW.lexicon_version, 1)
  ON CONFLICT DO UPDATE SET n = n + 1; END;
CREATE TRIGGER example_index_removed AFTER DELETE ON example_index
BEGIN UPDATE facets SET n = n - 1 WHERE facet = 'matched' AND value = OLD.lexicon_version; END;
""" + "".join(_delta_triggers(t, w) for t in ("rollup_interactions", "rollup_findings")
              for w in ("INSERT", "UPDATE"))


#: Version 6: the per-staff rollups summed per month (``rollup_months_interactions``,
#: ``rollup_months_findings``: the day replaced by ``YYYY-MM``), so results
#: over whole months (月通报, 季考评, 年考核, the 红黑榜) read a few rows per staff
#: member and rule instead of one per day. Kept from the daily rollups'
#: changes by triggers, like version 5's.
def _month_triggers(table: str, when: str) -> str:
    """The monthly-rollup trigger of one daily rollup ``table``."""
    key = ["substr(NEW.day, 1, 7)", "NEW.hall", "NEW.window", "NEW.staff", "NEW.channel"]
    if table == "rollup_interactions":
        target, key, counts = "rollup_months_interactions", [*key, "NEW.grade"], _INTERACTION_COUNTS
    else:
        target, key, counts = ("rollup_months_findings", [*key, "NEW.article", "NEW.rule"],
                               _FINDING_COUNTS)
    values = [*key, *(_delta(c, when) for c in counts)]
    return _trigger(table, when, "by_month", [_upsert_add(target, values, counts)])


_SCHEMA_V6 = """
CREATE TABLE rollup_months_interactions (
    month TEXT NOT NULL, hall TEXT NOT NULL, window TEXT NOT NULL, staff TEXT NOT NULL,
    channel TEXT NOT NULL, grade TEXT NOT NULL,
    n INTEGER NOT NULL, score_sum INTEGER NOT NULL, auto_sum INTEGER NOT NULL,
    flagged INTEGER NOT NULL,
    PRIMARY KEY (month, hall, window, staff, channel, grade)
) WITHOUT ROWID;
CREATE TABLE rollup_months_findings (
    month TEXT NOT NULL, hall TEXT NOT NULL, window TEXT NOT NULL, staff TEXT NOT NULL,
    channel TEXT NOT NULL, article INTEGER NOT NULL, rule TEXT NOT NULL,
    n INTEGER NOT NULL, breaches INTEGER NOT NULL, confirmed INTEGER NOT NULL,
    dismissed INTEGER NOT NULL,
    PRIMARY KEY (month, hall, window, staff, channel, article, rule)
) WITHOUT ROWID;
CREATE INDEX ix_rollup_months_interactions_staff ON rollup_months_interactions(staff, month);
CREATE INDEX ix_rollup_months_findings_staff ON rollup_months_findings(staff, month);
INSERT INTO rollup_months_interactions
  SELECT substr(day, 1, 7), hall, window, staff, channel, grade, SUM(n), SUM(score_sum),
         SUM(auto_sum), SUM(flagged) FROM rollup_interactions GROUP BY 1, 2, 3, 4, 5, 6;
INSERT INTO rollup_months_findings
  SELECT substr(day, 1, 7), hall, window, staff, channel, article, rule, SUM(n), SUM(breaches),
         SUM(confirmed), SUM(dismissed) FROM rollup_findings GROUP BY 1, 2, 3, 4, 5, 6, 7;
""" + "".join(_month_triggers(t, w) for t in ("rollup_interactions", "rollup_findings")
              for w in ("INSERT", "UPDATE"))


#: Version 7 (issue 26): the audit trail holds against SQL written by hand
#: (:mod:`analyzer.store.guards`: no row replaced or deleted, every change
#: names its user, verdicts only from reviews; the triggers of versions 4-6
#: that wrote rows with an empty user, or backdated under the last person's
#: name, are replaced); ``changed_by``, the actor column of interactions and
#: the staff directory. ``utterances_masked``: the trainers' search index, over
#: the transcript with personal data masked (rowid = utterance id; ``text``
#: the masked utterance shown), kept with each transcript and re-made when
#: the masker changes (``masked_index``: which interactions are indexed under
#: which analyzer version). ``recording_names``: the file names of the
#: recordings each interaction names (its input path, its ``audio`` entry),
#: so the app can tell who a recording belongs to before serving it.
_SCHEMA_V7 = """
ALTER TABLE interactions ADD COLUMN changed_by TEXT NOT NULL DEFAULT '';
ALTER TABLE staff_directory ADD COLUMN changed_by TEXT NOT NULL DEFAULT '';
CREATE VIRTUAL TABLE utterances_masked USING fts5(chars, pinyin, text UNINDEXED,
    tokenize='unicode61');
CREATE TABLE masked_index (
    interaction_pk INTEGER PRIMARY KEY REFERENCES interactions(id) ON DELETE CASCADE,
    version TEXT NOT NULL
);
CREATE INDEX ix_masked_index_version ON masked_index(version);
CREATE TRIGGER utterances_unmasked AFTER DELETE ON utterances
BEGIN DELETE FROM utterances_masked WHERE rowid = OLD.id; END;
CREATE TABLE recording_names (
    name TEXT NOT NULL,
    interaction_pk INTEGER NOT NULL REFERENCES interactions(id) ON DELETE CASCADE,
    PRIMARY KEY (name, interaction_pk)
) WITHOUT ROWID;
CREATE INDEX ix_recording_names_pk ON recording_names(interaction_pk);
"""


def _v7(db: sqlite3.Connection) -> None:
    """Version 7's tables and triggers; the recording names of the rows already stored."""
    from analyzer.store import guards
    from analyzer.store.records import recording_names

    for statement in statements(_SCHEMA_V7):
        db.execute(statement)
    for name in guards.OLD_TRIGGERS:
        db.execute(f"DROP TRIGGER IF EXISTS {name}")
    for table in ("appeals", "rectifications", "assignments"):  # names are spent once used
        db.execute(f"UPDATE {table} SET updated_by = ''")
    for guarded in guards.STORE_TABLES:
        for statement in guarded.triggers():
            db.execute(statement)
    for statement in guards.verdict_triggers() + guards.audit_triggers():
        db.execute(statement)
    rows = db.execute("SELECT id, source_path, input_json FROM interactions ORDER BY id")
    while batch := rows.fetchmany(2000):
        db.executemany("INSERT OR IGNORE INTO recording_names VALUES (?, ?)",
                       [(name, pk) for pk, path, text in batch
                        for name in recording_names(path, _json_or_empty(text))])


def _json_or_empty(text: str) -> dict[str, object]:
    import json

    try:
        value = json.loads(text)
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


#: Version 10 (issue 30): a dismissal's reason (one of :data:`DISMISS_REASONS`,
#: "" when not said), and the dismissed findings indexed on their own, so the
#: rule-health figures read the store's dismissals (a few thousand) rather than
#: a month's findings.
_SCHEMA_V10 = """
ALTER TABLE reviews ADD COLUMN reason TEXT NOT NULL DEFAULT '';
CREATE INDEX ix_findings_dismissed ON findings(interaction_pk) WHERE verdict = 'dismiss';
"""

#: Version 11: calibration (issue 30): a sampled interaction may also go to a second
#: inspector, who judges it independently; never the same person twice.
_SCHEMA_V11 = """
ALTER TABLE assignments ADD COLUMN second TEXT;
CREATE INDEX ix_assignments_second ON assignments(second) WHERE second IS NOT NULL;
CREATE TRIGGER assignments_two_people_i BEFORE INSERT ON assignments
WHEN NEW.second = NEW.inspector
BEGIN SELECT RAISE(ABORT, 'assignments: a calibration needs two different inspectors'); END;
CREATE TRIGGER assignments_two_people_u BEFORE UPDATE ON assignments
WHEN NEW.second = NEW.inspector
BEGIN SELECT RAISE(ABORT, 'assignments: a calibration needs two different inspectors'); END;
CREATE TRIGGER assignments_second_made AFTER INSERT ON assignments
WHEN NEW.second IS NOT NULL
BEGIN INSERT INTO audit (at, user, entity, entity_id, action, before_json, after_json)
  VALUES (NEW.assigned_at, NEW.updated_by, 'assignment', NEW.id, 'calibration', NULL,
          json_object('interaction', NEW.interaction_pk, 'inspector', NEW.inspector,
                      'second', NEW.second)); END;
"""


def _v4(db: sqlite3.Connection) -> None:
    """Version 4's tables, then the search index of the utterances already stored."""
    from analyzer.text.search import index_forms

    for statement in statements(_SCHEMA_V4):
        db.execute(statement)
    rows = db.execute("SELECT id, text FROM utterances ORDER BY id")
    while batch := rows.fetchmany(2000):
        db.executemany("INSERT INTO utterances_fts (rowid, chars, pinyin) VALUES (?, ?, ?)",
                       [(pk, *index_forms(text)) for pk, text in batch])


def _v9(db: sqlite3.Connection) -> None:
    """Days on the hall's clock for interactions stored before the halls had time zones.

    Until the hall time zone (``[halls]``), an interaction's ``day`` was the
    UTC date of its start (or, without one, of its analysis): a call at
    07:30 in Beijing on 5 May was counted on 4 May. Each day is computed again
    as new rows are (``records._day``), in the zones of the newest run's
    ``[halls]`` options (the default, Asia/Shanghai, where none were given);
    the rollup triggers move the day's counts with it. A store whose
    interactions carry an actor column (the audit guards) names this
    migration as the actor.
    """
    from analyzer.halltime import HallZones
    from analyzer.store.records import _day

    newest = db.execute("SELECT options FROM runs ORDER BY id DESC LIMIT 1").fetchone()
    try:
        options = json.loads(newest[0] or "{}") if newest else {}
    except ValueError:
        options = {}
    zones = HallZones.of(options.get("halls") if isinstance(options, dict) else None)
    columns = {row[1] for row in db.execute("PRAGMA table_info(interactions)")}
    actor = ", changed_by = 'schema migration 9'" if "changed_by" in columns else ""
    moved = []
    for pk, started_at, analyzed_at, hall, day in db.execute(
            "SELECT id, started_at, analyzed_at, hall, day FROM interactions"):
        new = _day(started_at, analyzed_at, zones, hall)
        if new and new != day:
            moved.append((new, pk))
    db.executemany(f"UPDATE interactions SET day = ?{actor} WHERE id = ?", moved)


#: Version 8: interactions stored under their identity, not their content
#: (:mod:`analyzer.store.identity`; the table is rebuilt, foreign keys off).
MIGRATIONS: tuple[tuple[int, str | Callable[[sqlite3.Connection], None]], ...] = (
    (1, _SCHEMA_V1),
    (2, _SCHEMA_V2),
    (3, _SCHEMA_V3),
    (4, _v4),
    (5, _SCHEMA_V5),
    (6, _SCHEMA_V6),
    (7, _v7),
    (8, rebuild_interactions),
    (9, _v9),
    (10, _SCHEMA_V10),
    (11, _SCHEMA_V11),
)
SCHEMA_VERSION = MIGRATIONS[-1][0]


def statements(script: str) -> list[str]:
    """The SQL statements of a migration script, triggers' ``BEGIN ... END`` kept whole."""
    out: list[str] = []
    pending = ""
    for piece in script.split(";"):
        pending += piece + ";"
        if sqlite3.complete_statement(pending):
            if pending.strip(" \n;"):
                out.append(pending.strip())
            pending = ""
    return out


def now() -> str:
    """UTC time as ISO-8601 with seconds, the store's time format."""
    return datetime.now(UTC).isoformat(timespec="seconds")

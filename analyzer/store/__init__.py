"""The results database: SQLite, one transaction per interaction.

The batch writes every analysed interaction here; the review web app and
``conduct report`` read it. The schema carries its version in the
``schema_version`` table and is brought up to date by ordered migrations when
a store is opened, so an old results file keeps working after an upgrade.

Tables:
    runs: one row per ``conduct batch`` invocation (argv, options, counts).
    interactions: one row per interaction content, identified by
        ``content_hash`` (sha256 of the recording bytes, or of the transcript
        record). ``key`` = sha256(content_hash, model, lexicon version) names
        the analysis; a batch skips an interaction whose key is stored.
        ``auto_score`` is what the analyzer gave, ``score`` the score after
        inspectors' verdicts (dismissed findings no longer deduct).
    utterances, findings: the transcript and the evidence, one row each.
    errors: inputs that could not be analysed (run, path, kind, message).
    reviews: inspectors' verdicts on findings (confirm | dismiss | comment), a
        dismissal's reason.
    appeals, rectifications, assignments, staff_directory: the inspectors'
        month (:mod:`analyzer.store.appeals`, :mod:`analyzer.store.sampling`,
        :mod:`analyzer.store.results`); ``audit``: their append-only history,
        written by triggers.
    rollup_interactions, rollup_findings: per day, hall, window, staff and
        channel sums kept by triggers (staff results, 红黑榜, dashboard).
    example_hits, example_index: trainers' good-practice candidates
        (:mod:`analyzer.store.hits`); utterances_fts: transcript search
        (:mod:`analyzer.store.search`).

How the package is built (one job a module):

* :mod:`~analyzer.store.database`: the file's connections, a read connection
  per thread and one writer thread (:class:`~analyzer.store.database.Database`);
* :mod:`~analyzer.store.schema`: tables, triggers, ordered migrations;
* :mod:`~analyzer.store.core`: :class:`Store`, opening a file and migrating it;
  its methods come from one class per topic, each over
  :class:`~analyzer.store.base.StoreBase` (the pool) and calling no other
  topic's private methods:

  =================  ==================================================================
  ``writes``         runs, errors, ``save_report`` (the batch's and the live recorder's)
  ``queries``        reports, interactions, findings, utterances, counts, summaries
  ``reviews``        verdicts and the review-adjusted score
  ``appeals``        appeals, rectifications, the audit trail
  ``sampling``       the inspectors' sample and assignments
  ``results``        per-staff / per-window results, the staff directory
  ``hits``           trainers' example candidates
  ``search``         transcript search
  ``verdicts``       verdict counts per rule and month, for rule health
  =================  ==================================================================

* :mod:`~analyzer.store.filters`: :class:`~analyzer.store.filters.Filter`, the
  conditions every read takes, and the one SQL it becomes;
  :mod:`~analyzer.store.rows`: the rows' shapes; :mod:`~analyzer.store.records`:
  identities and serialised forms; :mod:`~analyzer.store.periods`,
  :mod:`~analyzer.store.summaries`, :mod:`~analyzer.store.ranking`: the
  figures ``conduct report`` renders (:mod:`analyzer.reports` renders them).
  :mod:`~analyzer.store.blind`: what an inspector sees of the others' verdicts
  on a calibration item before judging it.

Example::

    with Store("results.sqlite") as store:
        for row in store.interactions(Filter(hall="东城", review="unreviewed")):
            print(row["id"], row["score"], row["n_findings"])
"""

from analyzer.store.core import Store
from analyzer.store.filters import Filter
from analyzer.store.records import (
    Stored,
    analysis_key,
    content_hash_of_file,
    content_hash_of_interaction,
    error_text,
    interaction_from_dict,
    interaction_to_dict,
)
from analyzer.store.reviews import rescore_findings
from analyzer.store.schema import (
    APPEAL_STATES,
    GROUPS,
    MIGRATIONS,
    REVIEW_STATES,
    SCHEMA_VERSION,
    VERDICTS,
    now,
)

__all__ = [
    "APPEAL_STATES", "GROUPS", "MIGRATIONS", "REVIEW_STATES", "SCHEMA_VERSION", "VERDICTS",
    "Filter", "Store", "Stored",
    "analysis_key", "content_hash_of_file", "content_hash_of_interaction", "error_text",
    "interaction_from_dict", "interaction_to_dict", "now", "rescore_findings",
]

"""The day plan: recordings grouped so that their speech fills 30 s bins together.

With ``pack.share = "plan"`` (opt-in; the default ``recording`` keeps every
recording's speech in bins of its own) the batch driver sorts the run's
recordings by a stable key (their analysis identity: content, id and start
time, never the folder's order or the file's name alone) and cuts the sorted
list into groups of up to :data:`GROUP_RECORDINGS` recordings and
:data:`GROUP_MINUTES` minutes of audio. A group goes to one worker whole;
there its recordings' speech pieces fill bins in the plan's order (each
recording's pieces in time order after the previous recording's), and a
group's bins hold no other group's speech. So a recording's words depend on
the recordings of its group, that is on the run's set of recordings, and on
nothing else: not on the number of workers, threads or windows per call, nor
on which recording finished first. Run the same day again and every word is
the same; add a recording to the day and the groups after it in the sorted
order may change.

Short visits leave most of a window empty when each recording is packed
alone; a plan fills windows across them (``benchmarks/packing_fill.py``:
16 windows for the hall corpus with each recording alone, 10 in a plan; 80
for the 80 real service-register clips of ``customer-service-speech``, 20 in a
plan; 29 for ``real-speech-2``, 8 in a plan).

A recording longer than a block (``recording.block_seconds``), one whose
length cannot be read from its header, and one analysed again alone after
its worker died are packed alone.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace

from analyzer.batch.jobs import Group, Job

#: Most recordings in one group (a worker admits a group's recordings together).
GROUP_RECORDINGS = 16
#: Most minutes of audio (summed over channels) in one group: small enough that
#: a day of a few recordings still makes groups for every worker, and a worker
#: holds a group well within :data:`analyzer.limits.WORKER_AUDIO_MINUTES`.
GROUP_MINUTES = 10.0


def day_plan(jobs: Sequence[Job], minutes: Callable[[Job], float | None]) -> list[Job]:
    """The jobs in the plan's order, each with its :class:`Group` (None: alone).

    Args:
        jobs: The run's recordings to analyse.
        minutes: A job's minutes of audio summed over its channels, or None
            when it is packed alone (too long for a group, or unknown).

    Returns:
        The same jobs sorted by the model their lines are heard with
        (:attr:`Job.compute_type`), then their analysis identity (then path), with
        consecutive recordings of one model grouped; a group's jobs are adjacent.
    """
    # a group is of one kind: its recordings' lines heard with one model (Job.compute_type)
    ordered = sorted(jobs, key=lambda j: (j.compute_type, j.key.identity or j.key.content_hash,
                                          j.path))
    out: list[Job] = []
    group: list[Job] = []
    held = 0.0
    gid = 0

    def cut() -> None:
        nonlocal group, held, gid
        if len(group) > 1:
            out.extend(replace(j, group=Group(gid, i, len(group))) for i, j in enumerate(group))
            gid += 1
        else:
            out.extend(group)
        group, held = [], 0.0

    for job in ordered:
        extent = minutes(job)
        if extent is None or extent > GROUP_MINUTES:
            cut()
            out.append(job)
            continue
        if len(group) >= GROUP_RECORDINGS or held + extent > GROUP_MINUTES or (
                group and group[-1].compute_type != job.compute_type):
            cut()
        group.append(job)
        held += extent
    cut()
    return out


def longest_first(jobs: Sequence[Job], weight: Callable[[Job], float]) -> list[Job]:
    """``jobs`` in dispatch order: the heaviest recording (or day-plan group) first.

    Workers take recordings as they free up, so a long recording taken last
    keeps one worker busy while the others wait; longest first evens them
    out. Only the order of dispatch changes: no recording's bins (and so no
    word) depend on it. A group stays whole and in its own order.

    Args:
        jobs: The recordings (a group's adjacent, as :func:`day_plan` gives them).
        weight: How long a recording takes, roughly (the batch: :attr:`Job.weight`).
    """
    return [job for unit in sorted(units_of(jobs), key=lambda u: -sum(weight(j) for j in u))
            for job in unit]


def units_of(jobs: Sequence[Job]) -> list[list[Job]]:
    """``jobs`` cut into dispatch units: a day-plan group whole, any other job alone."""
    units: list[list[Job]] = []
    for job in jobs:
        if units and job.group is not None and units[-1][-1].group is not None \
                and units[-1][-1].group.id == job.group.id:
            units[-1].append(job)
        else:
            units.append([job])
    return units


def alone(job: Job) -> Job:
    """``job`` packed alone (analysed again after its worker died)."""
    return replace(job, group=None) if job.group is not None else job


def chunks(jobs: Sequence[Job], size: int) -> list[list[Job]]:
    """``jobs`` in calls of up to ``size`` recordings; a group is one call of its own."""
    out: list[list[Job]] = []
    for job in jobs:
        if out and _joins(out[-1], job, size):
            out[-1].append(job)
        else:
            out.append([job])
    return out


def _joins(call: list[Job], job: Job, size: int) -> bool:
    """``job`` goes into ``call``: the rest of its group, or ungrouped into an ungrouped call."""
    last = call[-1].group
    if job.group is None or last is None:
        return job.group is None and last is None and len(call) < size
    return last.id == job.group.id

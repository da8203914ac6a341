"""The day plan (``pack.share = "plan"``): fuller bins, and the same day gives the same words.

A plan sorts the run's recordings by their identity and groups them; a group's
recordings fill bins together, in the plan's order, with no other speech.
So a recording's words depend on its group only: not on the number of
workers, the recordings in flight, the windows per encoder call or which
recording finished first.
"""

from __future__ import annotations

import random
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from analyzer.batch.jobs import Group, Job, JobFailed, JobResult
from analyzer.batch.plan import (
    GROUP_MINUTES,
    GROUP_RECORDINGS,
    alone,
    chunks,
    day_plan,
    longest_first,
)
from analyzer.options import AnalyzerOptions
from analyzer.pipeline.result import AnalysisKey
from analyzer.speech.decode import SAMPLE_RATE
from analyzer.speech.packing import Packer, Piece, PlanGroup

ROOT = Path(__file__).resolve().parent.parent
VISIT = ROOT / "examples" / "recordings" / "counter-visit.ogg"
CALL = ROOT / "examples" / "recordings" / "phone-call.ogg"


def _job(n: int, identity: str) -> Job:
    return Job(n, f"/day/{n}.wav", key=AnalysisKey(identity, "m", "v", identity))


def test_the_plan_depends_on_the_days_recordings_not_their_order() -> None:
    jobs = [_job(n, f"{n * 7919 % 101:04d}") for n in range(20)]
    minutes = {j.job: 0.5 + (j.job % 5) for j in jobs}
    minutes[3] = GROUP_MINUTES + 1  # too long for a group: alone
    shuffled = jobs[:]
    random.Random(1).shuffle(shuffled)
    plan = day_plan(jobs, lambda j: minutes[j.job])
    assert plan == day_plan(shuffled, lambda j: minutes[j.job])
    assert [j.key.identity for j in plan] == sorted(j.key.identity for j in jobs)
    groups: dict[int, list[Job]] = {}
    for j in plan:
        if j.group is not None:
            groups.setdefault(j.group.id, []).append(j)
    assert groups and next(j for j in plan if j.job == 3).group is None
    for members in groups.values():
        assert [m.group.index for m in members if m.group] == list(range(len(members)))
        assert 2 <= len(members) <= GROUP_RECORDINGS
        assert sum(minutes[m.job] for m in members) <= GROUP_MINUTES
    for call in chunks(plan, 4):  # a group is one call (Ray), whole
        ids = {j.group.id for j in call if j.group is not None}
        assert len(ids) <= 1 and (not ids or len(call) == len(groups[ids.pop()]))
    assert alone(plan[0]).group is None


def test_the_longest_recordings_and_groups_are_dispatched_first() -> None:
    jobs = [_job(0, "a"), *[replace(_job(n, f"g{n}"), group=Group(5, n - 1, 3))
                            for n in (1, 2, 3)], _job(4, "b"), _job(5, "c")]
    weight = {0: 10.0, 1: 4.0, 2: 4.0, 3: 4.0, 4: 30.0, 5: 1.0}
    order = [j.job for j in longest_first(jobs, lambda j: weight[j.job])]
    assert order == [4, 1, 2, 3, 0, 5]  # the group (12) whole and in its order, after 30


def _piece(job: int, start: float, seconds: float, tries: int = 0) -> Piece:
    return Piece(job, 0, start, np.zeros(int(seconds * SAMPLE_RATE), np.float32), tries=tries)


def test_a_groups_recordings_share_bins_and_its_last_bin_waits_for_the_group() -> None:
    packer = Packer(batch_size=4, share="plan")
    packer.groups = {0: 7, 1: 7}
    assert not packer.add(_piece(0, 0.0, 8.0))
    assert not packer.add(_piece(1, 0.0, 8.0))
    assert len(packer.open) == 1 and {p.job for _, p in packer.open[0].pieces} == {0, 1}
    assert packer.flush(everything=False) == []  # the group's bin waits for its members
    assert not packer.add(_piece(5, 0.0, 3.0))  # not in a group: a bin of its own
    assert [len(b) for b in packer.flush(everything=False)] == [1]
    assert not packer.add(_piece(0, 9.0, 2.0, tries=1))  # again after lost words: its own
    assert len(packer.open) == 2
    packer.close(0)
    batch = packer.close_group(7)
    rest = batch + [b for group in packer.flush(everything=False) for b in group]
    assert sorted(len(b.pieces) for b in rest) == [1, 2]
    assert packer.open == []


def test_lost_pieces_are_laid_out_again_by_their_first_pass_place_alone() -> None:
    """Pieces that lost their words are laid out again in their first-pass order, each
    recording's in bins of its own, whatever order their bins were recognised in (the
    engine holds them until every first-pass bin of the owner is recognised, then asks
    once)."""
    packer = Packer(batch_size=4, share="plan")
    packer.groups = {0: 7, 1: 7, 2: 7}
    bins = [b for job in range(3) for k in range(4) for b in packer.add(_piece(job, 10.0 * k, 6.0))]
    bins += packer.close_group(7) + [b for batch in packer.flush() for b in batch]
    bins.sort(key=lambda b: b.serial)
    assert len({b.serial for b in bins}) == len(bins) == 3  # 4 x 6 s + gaps each
    lost = [((b.serial, off), replace(p, tries=1)) for b in bins for off, p in b.pieces
            if p.start in (10.0, 30.0)]
    layouts = []
    for order in (lost, lost[::-1], lost[1::2] + lost[::2]):
        again = Packer(batch_size=4, share="plan").again(PlanGroup(7), order)
        assert all(b.closed and b.owner == PlanGroup(7) for b in again)
        layouts.append([[(p.job, p.start, off) for off, p in b.pieces] for b in again])
    assert layouts[0] == layouts[1] == layouts[2]
    firsts = [(p.job, p.start) for _, p in sorted(lost, key=lambda x: x[0])]
    assert [(j, s) for b in layouts[0] for j, s, _ in b] == firsts
    # each recording's lost pieces in bins of their own (both of a recording fit one)
    assert [{j for j, _, _ in b} for b in layouts[0]] == [{0}, {1}, {2}]


def _words(worker, jobs: list[Job]) -> dict[int, list[tuple[str, float, float, str]]]:
    """Each job's utterances (by job number; a failed job: none)."""
    out = {}
    for outcome in worker.run(jobs):
        if isinstance(outcome, JobResult):
            out[outcome.job.job] = [(u.speaker, round(u.start, 2), round(u.end, 2), u.text)
                                    for u in outcome.result.interaction.utterances]
        else:
            assert isinstance(outcome, JobFailed)
            out[outcome.job.job] = []
    return out


def _grouped(paths: list[Path], gid: int, first: int) -> list[Job]:
    return [Job(first + i, str(p), group=Group(gid, i, len(paths))) for i, p in enumerate(paths)]


@pytest.mark.slow
def test_a_groups_words_do_not_depend_on_what_else_runs(tmp_path: Path) -> None:
    af = pytest.importorskip("audio_factory")
    from analyzer.batch.worker import AudioWorker

    others = af.other_recordings(tmp_path)
    broken = tmp_path / "broken.wav"
    broken.write_bytes(b"RIFF0000WAVEnot audio")
    options = AnalyzerOptions().with_overrides({"classifier.enabled": False,
                                                "pack.share": "plan"})
    group = [others[0], VISIT, broken, CALL]
    wide = AudioWorker(options, threads=1, inflight=6)
    first = _words(wide, _grouped(group, 0, 0))
    assert first[2] == [] and any(t for *_, t in first[1])  # broken.wav, the visit
    bins_grouped = wide.timings["n_bins"]
    # another worker, narrower calls, another group before it, fewer in flight
    narrow = replace(options, pack=replace(options.pack, batch_size=2))
    worker = AudioWorker(narrow, threads=1, inflight=1)  # a group is admitted whole anyway
    second = _words(worker, [*_grouped([others[1], VISIT], 0, 10), *_grouped(group, 1, 20)])
    for i, path in enumerate(group):
        assert second[20 + i] == first[i], path
    # the same recordings, each alone, need more bins
    lone = AudioWorker(options, threads=1, inflight=6)
    _words(lone, [Job(i, str(p)) for i, p in enumerate(group)])
    assert bins_grouped < lone.timings["n_bins"]

"""Sharing a run's recordings out over local workers (:mod:`analyzer.batch.dispatch`).

The worker whose model loads first must not take most of a short day: each
worker gets an even share (heaviest first to the least loaded), takes from
another's share only when that evens the two out, and the share of a worker
that died goes to its replacement or to the others.
"""

from __future__ import annotations

from analyzer.batch.dispatch import Dispatch
from analyzer.batch.jobs import Group, Job


def _jobs(weights: list[float]) -> list[Job]:
    return [Job(n, f"/day/{n}.wav", weight=w) for n, w in enumerate(weights)]


def _drain(d: Dispatch, slot: int) -> list[int]:
    got: list[int] = []
    while (unit := d.next(slot, [0, 1])) is not None:
        got += [j.job for j in unit]
    return got


def test_a_short_day_is_shared_evenly_whoever_asks_first() -> None:
    # the hall corpus's 11 recordings (fixed cost + seconds over channels)
    weights = [405.0, 280.0, 219.0, 174.0, 155.0, 119.0, 66.0, 65.0, 64.0, 64.0, 63.0]
    d = Dispatch(_jobs(weights), 2)
    first = _drain(d, 0)  # worker 0 loaded first and asks for everything it can
    assert d  # it could not take worker 1's share: that would not even them out
    second = _drain(d, 1)
    assert sorted(first + second) == list(range(len(weights)))
    loads = [sum(weights[j] for j in got) for got in (first, second)]
    assert abs(loads[0] - loads[1]) <= max(weights[j] for j in first + second if j > 1)
    assert not d


def test_a_worker_done_with_its_share_takes_the_lightest_of_the_busiest() -> None:
    d = Dispatch(_jobs([100.0, 100.0, 10.0, 10.0, 10.0, 10.0]), 2)
    mine = _drain(d, 0)
    theirs = {j.job for unit in d.shares[1] for j in unit}
    assert d.next(0, [0, 1]) is None  # worker 1's share untouched: nothing to even out
    for job in mine:
        d.finished(job)  # worker 0 has nothing in hand now
    stolen = d.next(0, [0, 1])
    assert stolen is not None and stolen[0].weight == 10.0 and stolen[0].job in theirs
    again = d.next(0, [0, 1])  # 10 in hand against 110: the other 10 too
    assert again is not None and again[0].weight == 10.0
    assert d.next(0, [0, 1]) is None  # 20 + 100 against 100 would not even them out


def test_a_day_plan_group_is_given_whole() -> None:
    group = [Job(n, f"/g/{n}.wav", group=Group(0, n, 3), weight=30.0) for n in range(3)]
    d = Dispatch([*group, Job(3, "/a.wav", weight=100.0), Job(4, "/b.wav", weight=10.0)], 2)
    units = [u for share in d.shares for u in share]
    assert [j.job for j in next(u for u in units if len(u) > 1)] == [0, 1, 2]
    assert sorted(len(u) for u in units) == [1, 1, 3]


def test_the_share_of_a_worker_that_died_goes_on() -> None:
    d = Dispatch(_jobs([50.0, 40.0, 30.0, 20.0]), 2)
    first = d.next(1, [0, 1])
    assert first is not None
    d.lost(1, replaced=True)  # its replacement takes the same share
    assert d.held[1] == {} and d.shares[1]
    d.lost(1, replaced=False)  # none replaces it: the other worker takes its share
    got = _drain(d, 0)
    assert not d and sorted(got + [first[0].job]) == [0, 1, 2, 3]


def test_a_day_of_thousands_is_shared_out_and_drained_quickly() -> None:
    import time

    weights = [60.0 + (n * 7919 % 600) for n in range(20_000)]
    t0 = time.perf_counter()
    d = Dispatch(_jobs(weights), 2)
    mine = _drain(d, 0)
    for job in mine:
        d.finished(job)
    stolen = _drain(d, 0)  # now it takes from worker 1's share until the two are even
    assert stolen and d.load(0) == sum(weights[j] for j in stolen)
    rest = _drain(d, 1)
    assert sorted(mine + stolen + rest) == list(range(len(weights)))
    assert time.perf_counter() - t0 < 10.0  # running sums, no rescans of the shares


def test_what_no_worker_was_given_is_taken_out_whole() -> None:
    """With no worker left, every recording not given yet comes back once (error rows)."""
    d = Dispatch(_jobs([50.0, 40.0, 30.0, 20.0]), 2)
    given = d.next(0, [0, 1])
    d.lost(1, replaced=False)
    assert given is not None
    rest = d.rest()
    assert sorted([j.job for j in rest] + [given[0].job]) == [0, 1, 2, 3]
    assert not d and d.rest() == []


def _pool(jobs: list[Job], actors: int, chunk: int):
    """The Ray executor's call routing on its own: no Ray is started (no call is sent)."""
    from collections import deque

    from analyzer.batch.executor import RayExecutor, _ActorPool
    from analyzer.options import AnalyzerOptions

    pool = _ActorPool.__new__(_ActorPool)
    pool.ex = RayExecutor(AnalyzerOptions(), workers=actors, chunk=chunk)
    pool.actors = dict.fromkeys(range(actors))
    pool.todo, pool.carry = deque(), {}
    pool.share = Dispatch(jobs, actors)
    pool.slot = {a: a for a in range(actors)}
    return pool


def test_ray_actors_get_even_shares_in_calls_of_chunk_recordings() -> None:
    """The Ray executor shares out as local workers do (one rule: :class:`Dispatch`)."""
    weights = [405.0, 280.0, 219.0, 174.0, 155.0, 119.0, 66.0, 65.0, 64.0, 64.0, 63.0]
    pool = _pool(_jobs(weights), 2, chunk=4)
    calls: dict[int, list[list[int]]] = {0: [], 1: []}
    for actor in (0, 0, 0, 0, 1, 1, 1, 1):  # actor 0 asks first, for all it can
        call = pool._next_call(actor)
        if call is not None:
            calls[actor].append([j.job for j in call[0]])
    assert all(len(c) <= 4 for got in calls.values() for c in got)
    loads = [sum(weights[j] for c in calls[a] for j in c) for a in (0, 1)]
    assert sorted(j for a in (0, 1) for c in calls[a] for j in c) == list(range(len(weights)))
    assert abs(loads[0] - loads[1]) <= 66.0  # even, not whoever asked first
    assert pool._next_call(0) is None and not pool.share


def test_a_ray_call_holds_a_day_plan_group_alone() -> None:
    group = [Job(n, f"/g/{n}.wav", group=Group(0, n, 3), weight=30.0) for n in range(3)]
    singles = [Job(n, f"/{n}.wav", weight=w) for n, w in ((3, 100.0), (4, 10.0), (5, 5.0))]
    pool = _pool([*group, *singles], 1, chunk=4)
    calls = []
    while (call := pool._next_call(0)) is not None:
        calls.append([j.job for j in call[0]])
    assert sorted(j for c in calls for j in c) == list(range(6))
    assert [0, 1, 2] in calls  # the group: one call of its own
    assert all(set(c) <= {0, 1, 2} or not set(c) & {0, 1, 2} for c in calls)


def test_recordings_are_run_by_the_model_their_lines_are_heard_with() -> None:
    from dataclasses import replace

    from analyzer.batch.executor import by_model
    from analyzer.options import AnalyzerOptions

    options = AnalyzerOptions()
    jobs = [Job(0, "/day/counter-long.wav", weight=300.0),
            Job(1, "/day/call.wav", weight=90.0, compute_type="float32"),
            Job(2, "/day/counter.wav", weight=60.0, compute_type=options.asr.compute_type),
            Job(3, "/day/call-2.wav", weight=400.0, compute_type="float32")]
    kinds = by_model(jobs, options)
    # a worker holds one model: the kinds run apart, the one with the most work first,
    # "" read as the options' own compute type, each kind's jobs in their order
    assert [(held, [j.job for j in part]) for held, part in kinds] == [
        ("float32", [1, 3]), (options.asr.compute_type, [0, 2])]
    assert by_model([jobs[0], jobs[2]], options) == [(options.asr.compute_type,
                                                      [jobs[0], jobs[2]])]
    cuda = replace(options, asr=replace(options.asr, device="cuda", compute_type="float16"))
    assert [held for held, _ in by_model(jobs[:1], cuda)] == ["float16"]


def test_a_worker_holding_float32_weights_admits_fewer_recordings() -> None:
    from dataclasses import replace

    from analyzer.batch.executor import WIDE_WEIGHTS_INFLIGHT, held_inflight
    from analyzer.options import AnalyzerOptions

    options = AnalyzerOptions()
    assert held_inflight(options, "", 6) == 6 == held_inflight(options, "int8_float32", 6)
    assert held_inflight(options, "float32", 6) == WIDE_WEIGHTS_INFLIGHT < 6
    assert held_inflight(options, "float32", 1) == 1
    cuda = replace(options, asr=replace(options.asr, device="cuda"))
    assert held_inflight(cuda, "float16", 6) == 6  # the weights are in the GPU's memory


def test_a_worker_holding_float32_weights_shares_one_malloc_arena() -> None:
    from analyzer.memory import MALLOC_ARENAS, WIDE_WEIGHTS_ARENAS, worker_arenas

    assert worker_arenas("cpu", "float32") == WIDE_WEIGHTS_ARENAS < MALLOC_ARENAS
    assert worker_arenas("cpu", "int8_float32") == MALLOC_ARENAS
    assert worker_arenas("cuda", "float16") == MALLOC_ARENAS


def test_a_day_of_two_models_is_shared_out_at_once_and_given_kind_by_kind() -> None:
    """Float32 phone lines beside int8 counters: one pool, even shares over both kinds,
    each worker's share int8 first then float32 (it loads each model at most once)."""
    kinds = {"int8_float32": 0, "float32": 1}
    jobs = [Job(0, "/day/call.wav", weight=300.0, compute_type="float32"),
            Job(1, "/day/counter-long.wav", weight=280.0),
            Job(2, "/day/counter.wav", weight=120.0),
            Job(3, "/day/call-2.wav", weight=110.0, compute_type="float32"),
            Job(4, "/day/counter-2.wav", weight=100.0),
            Job(5, "/day/counter-3.wav", weight=90.0)]
    d = Dispatch(jobs, 2, order=lambda job: kinds[job.compute_type or "int8_float32"])
    shares = [[j.job for unit in share for j in unit] for share in d.shares]
    assert sorted(shares[0] + shares[1]) == list(range(6))
    loads = [sum(jobs[j].weight for j in share) for share in shares]
    assert abs(loads[0] - loads[1]) <= 110.0  # evened over both kinds together
    for share in shares:
        ranks = [kinds[jobs[j].compute_type or "int8_float32"] for j in share]
        assert ranks == sorted(ranks), share  # one switch at most, int8 first

"""Stage timings: wall seconds, and the calling thread's CPU seconds when asked."""

from __future__ import annotations

import threading
import time

from analyzer.speech.stages import collecting, stage


def _spin(seconds: float) -> None:
    end = time.thread_time() + seconds
    while time.thread_time() < end:
        pass


def test_a_stage_counts_its_threads_cpu_apart_from_its_wall_time() -> None:
    wall: dict[str, float] = {}
    cpu: dict[str, float] = {}
    with collecting(wall, cpu):
        with stage("waits"):
            time.sleep(0.2)  # wall time, no CPU (a recording waiting for a core or a bin)
        with stage("works"):
            _spin(0.05)
        with stage("works"):
            _spin(0.05)
    assert wall["waits"] >= 0.2 and cpu["waits"] < 0.05
    assert cpu["works"] >= 0.1 and wall["works"] >= cpu["works"] - 0.01


def test_cpu_of_another_thread_is_not_the_stages() -> None:
    cpu: dict[str, float] = {}
    worker = threading.Thread(target=_spin, args=(0.15,))  # as CTranslate2 computes apart
    with collecting({}, cpu), stage("waits for the model"):
        worker.start()
        worker.join()
    assert cpu["waits for the model"] < 0.1


def test_nothing_is_measured_without_a_collector_or_cpu_dict() -> None:
    wall: dict[str, float] = {}
    with stage("unseen"):
        _spin(0.01)
    with collecting(wall), stage("seen"):
        _spin(0.01)
    assert set(wall) == {"seen"}

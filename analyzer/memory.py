"""A long-running process's native memory: how many malloc arenas its threads may use.

glibc gives each thread that meets a busy allocator an arena of its own, up
to eight per core, and an arena keeps what was freed in it for reuse. A
batch worker runs a recognizer thread and up to
``FILL_FACTOR x inflight`` recording threads
(:mod:`analyzer.batch.worker`), each allocating and freeing tens of
megabytes of audio and features: with one arena per thread a worker's
resident memory stayed about 300 MB above what it was using (measured on
the hall-shaped throughput corpus: 1,361 MiB peak, 1,059 MiB after the
run; with two arenas 1,132 and 770). :func:`limit_malloc_arenas` caps the
arenas of the calling process before its threads start; what is computed
is unchanged (only where freed memory waits).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import logging

logger = logging.getLogger("analyzer")

#: Arenas a worker process's threads share.
MALLOC_ARENAS = 2
#: Arenas of a worker holding weights wider than int8 on a CPU (a telephone line's
#: float32 model, ``asr.phone_compute_type``): its own peak passed 1 GiB with two
#: (1,068 MiB on eight-kHz hall calls, 2 in flight; 953 with one, at the same CPU
#: seconds; ``benchmarks/worker_memory.py``).
WIDE_WEIGHTS_ARENAS = 1
#: ``mallopt``'s parameter number for the arena limit (glibc's ``M_ARENA_MAX``).
_M_ARENA_MAX = -8


def limit_malloc_arenas(arenas: int = MALLOC_ARENAS) -> bool:
    """Cap glibc's malloc arenas for this process (call before its threads start).

    Returns:
        True when the C library took the limit; False where it is not glibc
        (nothing changes there).
    """
    name = ctypes.util.find_library("c")
    try:
        libc = ctypes.CDLL(name or "libc.so.6")
        mallopt = libc.mallopt
    except (OSError, AttributeError):
        return False
    mallopt.argtypes, mallopt.restype = [ctypes.c_int, ctypes.c_int], ctypes.c_int
    done = bool(mallopt(_M_ARENA_MAX, int(arenas)))
    if not done:
        logger.debug("the C library refused a limit of %d malloc arenas", arenas)
    return done


def wide_weights(device: str, compute_type: str) -> bool:
    """True for a model whose weights are wider than int8 in this process's memory (a
    CPU's float32 or int16 weights; a GPU's live in its own memory)."""
    return device == "cpu" and not compute_type.startswith("int8")


def worker_arenas(device: str, compute_type: str) -> int:
    """Malloc arenas of a batch worker holding a model of ``compute_type`` on ``device``."""
    return WIDE_WEIGHTS_ARENAS if wide_weights(device, compute_type) else MALLOC_ARENAS

"""Where chunks run: in this process, in a local process pool, or on a Dask cluster.

Each executor yields ``ChunkResult``s as chunks finish, with at most a few chunks in
flight per worker, so memory stays flat however long the sweep. Results do not depend on
the executor: every run's randomness comes from its own seed and stream.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait

from sim.config.errors import ScenarioError
from sim.sweep.worker import ChunkResult, ChunkTask, run_chunk

IN_FLIGHT_PER_WORKER = 2


def default_workers() -> int:
    """Number of worker processes by default: the machine's cores."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


def serial(tasks: Iterable[ChunkTask]) -> Iterator[ChunkResult]:
    """Run chunks one after another in this process."""
    for task in tasks:
        yield run_chunk(task)


def processes(tasks: Iterable[ChunkTask], workers: int) -> Iterator[ChunkResult]:
    """Run chunks in a pool of spawned processes, with bounded work in flight."""
    # 'spawn' starts clean interpreters: safe with threads in the parent (BLAS, Dask, notebooks).
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        yield from _bounded(
            lambda task: pool.submit(run_chunk, task),
            tasks,
            workers,
            wait_any=lambda fs: wait(fs, return_when=FIRST_COMPLETED)[0],
        )


def dask(tasks: Iterable[ChunkTask], address: str, workers: int) -> Iterator[ChunkResult]:
    """Run chunks on Dask: a local cluster (address 'local') or a scheduler at ``tcp://host:port``."""
    try:
        from dask.distributed import Client, LocalCluster
        from dask.distributed import wait as dask_wait
    except ImportError:
        raise ScenarioError("Dask distributed is not installed (pip install 'dask[distributed]')", "--dask") from None
    cluster = None
    try:
        if address == "local":
            cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None)
            client = Client(cluster)
        else:
            try:
                client = Client(address, timeout="10s")
            except OSError as exc:
                raise ScenarioError(f"cannot reach the Dask scheduler ({exc})", "--dask") from None
        n = max(1, len(client.scheduler_info().get("workers", {})) or workers)
        with client:
            submit = lambda task: client.submit(run_chunk, task, pure=False)  # noqa: E731
            yield from _bounded(submit, tasks, n, wait_any=lambda fs: dask_wait(fs, return_when="FIRST_COMPLETED").done)
    finally:
        if cluster is not None:
            cluster.close()


def _bounded(submit, tasks: Iterable[ChunkTask], workers: int, wait_any) -> Iterator[ChunkResult]:
    queue = iter(tasks)
    pending = set()
    for task in queue:
        pending.add(submit(task))
        if len(pending) >= max(1, workers * IN_FLIGHT_PER_WORKER):
            break
    while pending:
        for future in wait_any(pending):
            pending.discard(future)
            yield future.result()
            following = next(queue, None)  # one finished, one more submitted: memory stays flat
            if following is not None:
                pending.add(submit(following))

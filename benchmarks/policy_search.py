"""Speed of what a robust policy search runs: outcomes-only batches and policy evaluations.

    python benchmarks/policy_search.py            # about 2 minutes on two cores

Measures, on this machine:

* large outcomes-only batches (the engine's best case): one process simulating 2,000 runs
  of the baseline to 2050, and two processes simulating 2,000 each at once;
* a generation of a policy search: 24 policies of ``policy_search/west_export_controls.yaml``
  × 16 scenarios, on one worker and on two, as one batch (``sim.policy.batched``) and policy
  by policy (one batch of 16 runs per policy, as before); and a large generation, 100
  policies × 50 scenarios on two workers, the size of a search of 20,000 evaluations × 50;
* peak resident memory of this process and of the pool's workers.

Prints one JSON line; record it in docs/performance.md.
"""

from __future__ import annotations

import json
import resource
import time
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent


def outcomes_batch(runs: int) -> float:
    """Seconds to simulate ``runs`` runs of the baseline to 2050, outcomes only, in this process."""
    from sim.config import load_scenario
    from sim.sweep.worker import ChunkTask, run_chunk

    scenario = load_scenario(ROOT / "scenarios" / "baseline.yaml")
    task = ChunkTask(0, np.arange(runs), np.zeros(runs, int), np.arange(runs), np.full(runs, 1), np.arange(runs),
                     scenario.model_dump_json())  # fmt: skip
    start = time.perf_counter()
    result = run_chunk(task)
    assert (result.status == "ok").mean() > 0.95
    return time.perf_counter() - start


def generation(workers: int, policies: int = 24, scenarios: int = 16, batched: bool = True) -> float:
    """Seconds for one generation of ``policies`` × ``scenarios`` (as one batch, or policy by policy)."""
    from sim.config import load_scenario
    from sim.policy.evaluate import Pool, sample_ensemble
    from sim.policy.search import PolicyEvaluator
    from sim.policy.spec import load_policy_spec

    spec, folder = load_policy_spec(ROOT / "policy_search" / "west_export_controls.yaml")
    base = load_scenario(folder / spec.scenario)
    ensemble = sample_ensemble(spec, scenarios, 1)
    rng = np.random.default_rng(0)
    n = policies
    levers = np.column_stack([rng.uniform(0, 1, n), rng.uniform(0, 1, n), rng.uniform(0.1, 3, n)])
    with Pool(workers) as pool:
        evaluate = PolicyEvaluator(spec, base, ensemble, pool, "benchmark")
        assert evaluate.batch is not None
        if not batched:
            evaluate.batch = None
        evaluate.counterfactual()
        # A whole generation first, so that every worker has imported the package and loaded
        # the compiled kernels (two warm-up policies could leave the second worker cold).
        evaluate(levers)
        start = time.perf_counter()
        evaluate(levers)
        return time.perf_counter() - start


def main() -> None:
    one = outcomes_batch(2000)
    context = get_context("spawn")
    with ProcessPoolExecutor(2, mp_context=context) as pool:
        list(pool.map(outcomes_batch, [10, 10]))  # imports
        start = time.perf_counter()
        list(pool.map(outcomes_batch, [2000, 2000]))
        two = time.perf_counter() - start
    serial, parallel = generation(1), generation(2)
    alone_serial, alone_parallel = generation(1, batched=False), generation(2, batched=False)
    large = generation(2, policies=100, scenarios=50)
    runs = 24 * 16
    print(json.dumps({
        "outcomes_batch_runs_per_s_1_core": round(2000 / one),
        "outcomes_batch_runs_per_s_2_cores": round(4000 / two),
        "generation_runs_per_s_1_worker": round(runs / serial),
        "generation_runs_per_s_2_workers": round(runs / parallel),
        "policy_by_policy_runs_per_s_1_worker": round(runs / alone_serial),
        "policy_by_policy_runs_per_s_2_workers": round(runs / alone_parallel),
        "generation_100x50_runs_per_s_2_workers": round(5000 / large),
        "search_20000x50_minutes_2_workers_est": round(1_000_000 / (5000 / large) / 60, 1),
        "peak_rss_mib_this_process": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "peak_rss_mib_largest_child": round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024),
    }))  # fmt: skip


if __name__ == "__main__":
    main()

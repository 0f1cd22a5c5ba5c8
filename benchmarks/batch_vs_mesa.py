"""Runs per second of the baseline scenario three ways, in one process.

1. the batch path: ``sim.run`` with all runs in one vectorised model (R = runs);
2. the same runs one at a time: one ``DecouplingModel`` with R = 1 per run;
3. the same model under ``mesa.batch_run`` (R = 1 per run, a DataCollector row per step).

    python benchmarks/batch_vs_mesa.py                 # 1,000 runs each
    python benchmarks/batch_vs_mesa.py --runs 200 --repeat 3

Figures are medians over ``--repeat`` repetitions; the machine, Python and package
versions are printed with them. Record results in docs/performance.md.
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import time
import warnings
from pathlib import Path

import mesa

import sim
from sim.model import DecouplingModel
from sim.results import package_versions

BASELINE = str(Path(__file__).resolve().parent.parent / "scenarios" / "baseline.yaml")


def batch(runs: int) -> float:
    start = time.perf_counter()
    sim.run(BASELINE, runs=runs, seed=1)
    return time.perf_counter() - start


def one_at_a_time(runs: int) -> float:
    start = time.perf_counter()
    for i in range(runs):
        model = DecouplingModel(BASELINE, runs=1, rng=1, first_run=i)
        model.run_to_end()
    return time.perf_counter() - start


def mesa_batch_run(runs: int) -> float:
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        rows = mesa.batch_run(
            DecouplingModel,
            parameters={"config": BASELINE},
            rng=list(range(runs)),
            max_steps=1000,
            data_collection_period=1,
            number_processes=1,
            display_progress=False,
        )
    import pandas as pd

    pd.DataFrame(rows)  # what a Mesa user does next; part of the cost, as in the reference measurement
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args()

    sim.run(BASELINE, runs=4, seed=0)  # warm-up: imports, caches
    results = {}
    for name, function in (
        ("batch (one model, R = runs)", batch),
        ("one at a time (R = 1)", one_at_a_time),
        ("mesa.batch_run (R = 1)", mesa_batch_run),
    ):
        seconds = [function(args.runs) for _ in range(args.repeat)]
        median = statistics.median(seconds)
        results[name] = {"seconds": seconds, "runs_per_second": args.runs / median}
        print(f"{name:32s} {args.runs:>6d} runs  {median:8.2f} s  {args.runs / median:10.1f} runs/s", flush=True)
    base = results["mesa.batch_run (R = 1)"]["runs_per_second"]
    for name, entry in results.items():
        entry["ratio_to_mesa_batch_run"] = entry["runs_per_second"] / base
        print(f"{name:32s} {entry['ratio_to_mesa_batch_run']:8.1f} x mesa.batch_run")
    context = {
        "machine": platform.processor() or platform.machine(),
        "python": platform.python_version(),
        "packages": package_versions(),
        "runs": args.runs,
        "repeat": args.repeat,
    }
    print(json.dumps(context))
    if args.json:
        args.json.write_text(json.dumps({"context": context, "results": results}, indent=1))


if __name__ == "__main__":
    main()

"""Sweep throughput of the baseline against the bare batch kernel, peak memory, and scaling.

    python benchmarks/sweep_throughput.py --runs 10000               # kernel vs sweep, 1 and 2 workers
    python benchmarks/sweep_throughput.py --runs 1000000 --only-sweep --workers 2
    python benchmarks/sweep_throughput.py --scaling                  # runs, actors, sectors, horizon

The "bare kernel" is the model stepping preallocated arrays with outcomes-only recording
and no I/O, chunk by chunk in one process. The sweep is `run_sweep` on an LHS design over
three model parameters (outcomes only, Parquet store), so both compute the same runs.
Peak memory is the high-water RSS of this process plus its worker processes.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np
import yaml

ROOT = Path(__file__).resolve().parent.parent
BASELINE = ROOT / "scenarios" / "baseline.yaml"
PARAMETERS = {
    "parameters.leak_quality": {"distribution": "uniform", "low": 0.3, "high": 0.9},
    "parameters.substitution_response": {"distribution": "uniform", "low": 0.0, "high": 3.0},
    "parameters.catch_up_scale": {"distribution": "uniform", "low": 0.5, "high": 2.0},
}


class MemoryPeak:
    """Largest sum of resident memory of this process and all its descendants, sampled every 0.2 s."""

    def __init__(self) -> None:
        import threading

        import psutil

        self.peak = 0
        self._stop = threading.Event()
        self._process = psutil.Process()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()

    def _sample(self) -> None:
        import psutil

        while not self._stop.wait(0.2):
            total = 0
            for process in [self._process, *self._process.children(recursive=True)]:
                try:
                    total += process.memory_info().rss
                except psutil.Error:
                    continue
            self.peak = max(self.peak, total)

    def stop_mib(self) -> float:
        """Stop sampling and return the peak resident memory seen, in MiB."""
        self._stop.set()
        self._thread.join()
        return self.peak / 2**20


def sweep_file(folder: Path, runs: int, scenario: Path = BASELINE, trajectories: bool = False) -> Path:
    path = folder / "bench.yaml"
    path.write_text(
        yaml.safe_dump(
            {
                "scenario": str(scenario),
                "name": "bench",
                "seed": 1,
                "design": {"kind": "lhs", "samples": runs},
                "replications": 1,
                "parameters": PARAMETERS,
                "trajectories": trajectories,
            }
        )
    )
    return path


def bare_kernel(runs: int, chunk: int, scenario: Path = BASELINE) -> float:
    """Seconds to step the same LHS runs chunk by chunk, outcomes-only recording, no I/O."""
    from sim.model import DecouplingModel
    from sim.sweep.design import build_design
    from sim.sweep.spec import load_sweep

    with tempfile.TemporaryDirectory() as tmp:
        spec, folder = load_sweep(sweep_file(Path(tmp), runs, scenario))
        points = build_design(spec, folder).points
    started = time.perf_counter()
    for start in range(0, runs, chunk):
        part = points.iloc[start : start + chunk]
        table = {k.removeprefix("parameters."): part[k].to_numpy() for k in part.columns}
        model = DecouplingModel(
            str(scenario),
            runs=len(part),
            parameter_table=table,
            seeds=np.full(len(part), 1),
            streams=np.zeros(len(part), dtype=int),
            record="outcomes",
        )
        model.run_to_end()
    return time.perf_counter() - started


def whole_sweep(runs: int, chunk: int, workers: int, trajectories: bool = False, scenario: Path = BASELINE) -> float:
    from sim.sweep import run_sweep

    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        run_sweep(
            sweep_file(Path(tmp), runs, scenario, trajectories), Path(tmp) / "out", workers=workers, chunk_size=chunk
        )
        return time.perf_counter() - started


def mesa_rate(runs: int = 100) -> float:
    import mesa

    from sim.model import DecouplingModel

    started = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        mesa.batch_run(
            DecouplingModel,
            parameters={"config": str(BASELINE)},
            rng=list(range(runs)),
            max_steps=1000,
            data_collection_period=1,
            display_progress=False,
        )
    return runs / (time.perf_counter() - started)


def variant(
    folder: Path, actors: list[str] | None = None, sectors: int | None = None, horizon: int | None = None
) -> Path:
    """A baseline variant with fewer actors or sectors, or another horizon (for scaling)."""
    from sim.config import load_scenario

    data = json.loads(load_scenario(BASELINE).model_dump_json(exclude={"extends"}))
    data["history"]["replay"] = False
    if actors:
        data["actors"] = {k: v for k, v in data["actors"].items() if k in actors}
        data["relations"]["pairs"] = [p for p in data["relations"]["pairs"] if set(p["between"]) <= set(actors)]
    if sectors:
        keep = list(data["sectors"])[:sectors]
        data["sectors"] = {k: data["sectors"][k] for k in keep}
        for matrix in ("dependency", "spillover"):
            data[matrix] = {
                r: {c: v for c, v in row.items() if c in keep} for r, row in data[matrix].items() if r in keep
            }
        for spec in data["actors"].values():
            for field in ("capability", "rd_shares", "research_productivity", "domestic_sourcing", "supplier_strength"):
                if field in spec:
                    spec[field] = {k: v for k, v in spec[field].items() if k in keep}
    if horizon:
        data["time"]["horizon"] = horizon
        data["metrics"]["report_years"] = [y for y in data["metrics"]["report_years"] if y <= horizon]
    path = folder / f"variant_{len(data['actors'])}_{len(data['sectors'])}_{data['time']['horizon']}.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


def scaling(chunk: int) -> dict:
    out = {}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        cases = {
            "8 actors, 12 sectors, 2050 (no history)": variant(folder),
            "4 actors": variant(folder, actors=["United States", "China", "Russia", "Third countries"]),
            "6 sectors": variant(folder, sectors=6),
            "horizon 2035": variant(folder, horizon=2035),
            "horizon 2100": variant(folder, horizon=2100),
        }
        for name, path in cases.items():
            seconds = bare_kernel(2000, chunk, path)
            out[name] = 2000 / seconds
            print(f"  {name:42s} {2000 / seconds:8.0f} runs/s", flush=True)
        for runs in (1000, 10000):
            seconds = bare_kernel(runs, chunk)
            out[f"{runs} runs"] = runs / seconds
            print(f"  {'baseline, ' + str(runs) + ' runs':42s} {runs / seconds:8.0f} runs/s", flush=True)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10000)
    parser.add_argument("--chunk", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--only-sweep", action="store_true", help="just the sweep (for the largest sizes)")
    parser.add_argument("--trajectories", action="store_true", help="also time a sweep that stores trajectories")
    parser.add_argument("--scaling", action="store_true")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    report: dict = {"runs": args.runs, "chunk": args.chunk}
    if args.scaling:
        print("bare kernel runs/s (one process):")
        report["scaling"] = scaling(args.chunk)
    elif args.only_sweep:
        memory = MemoryPeak()
        seconds = whole_sweep(args.runs, args.chunk, args.workers)
        report.update(
            sweep_seconds=seconds, sweep_rate=args.runs / seconds, workers=args.workers, peak_mib=memory.stop_mib()
        )
        print(f"sweep, {args.workers} workers: {args.runs} runs in {seconds:.1f} s = {args.runs / seconds:.0f} runs/s")
        print(f"peak memory of the sweep (all processes, sampled): {report['peak_mib']:.0f} MiB")
    else:
        kernel = bare_kernel(args.runs, args.chunk)
        sweep1 = whole_sweep(args.runs, args.chunk, 1)
        sweep2 = whole_sweep(args.runs, args.chunk, args.workers)
        mesa = mesa_rate()
        report.update(
            kernel_rate=args.runs / kernel,
            sweep1_rate=args.runs / sweep1,
            sweep2_rate=args.runs / sweep2,
            mesa_rate=mesa,
        )
        print(f"bare kernel, 1 process:        {args.runs / kernel:8.0f} runs/s")
        print(f"sweep, 1 worker (in process):  {args.runs / sweep1:8.0f} runs/s  = {kernel / sweep1:.0%} of the kernel")
        print(
            f"sweep, {args.workers} workers:               {args.runs / sweep2:8.0f} runs/s  = "
            f"{kernel / sweep2 / args.workers:.0%} of {args.workers} x the kernel"
        )
        print(
            f"mesa.batch_run:                {mesa:8.1f} runs/s; sweep with {args.workers} workers = "
            f"{args.runs / sweep2 / mesa:.0f}x"
        )
        if args.trajectories:
            seconds = whole_sweep(args.runs, args.chunk, args.workers, trajectories=True)
            report["sweep_trajectories_rate"] = args.runs / seconds
            print(f"sweep with trajectories, {args.workers} workers: {args.runs / seconds:8.0f} runs/s")
    if args.json:
        args.json.write_text(json.dumps(report, indent=1))


if __name__ == "__main__":
    main()

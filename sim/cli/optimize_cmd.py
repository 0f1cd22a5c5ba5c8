"""``decoupling optimize``: robust policy search into a folder (resumable)."""

from __future__ import annotations

import argparse

from sim.cli.common import progress_bar


def optimize(args: argparse.Namespace) -> int:
    """Search, re-evaluate and explain; print the Pareto set's size, speed and where the files are."""
    from sim.policy import optimize as run_optimize

    result = run_optimize(
        args.spec,
        args.out,
        nfe=args.nfe,
        workers=args.workers,
        dask=args.dask,
        resume=args.resume,
        seed=args.seed,
        progress=progress_bar(not args.quiet, "optimize", "evaluation"),
    )
    if not args.quiet:
        m = result.manifest
        rate = m["search_runs"] / m["search_seconds"] if m["search_seconds"] else float("nan")
        print(
            f"{m['policies']} Pareto policies after {m['evaluations']:,} evaluations "
            f"({m['runs_simulated']:,} runs, {m['seconds']:.0f} s; search {rate:.0f} runs/s) in {args.out}/:\n"
            "  pareto.csv, convergence.csv, reevaluation.parquet, vulnerabilities.csv, manifest.json, "
            "parallel.png, convergence.png, tradeoff.png"
        )
    return 0

"""``decoupling sweep``, ``decoupling compare`` and ``decoupling analyze``."""

from __future__ import annotations

import argparse
import json
import sys

import numpy as np

from sim.cli.common import output_folder, progress_bar
from sim.config.errors import ScenarioError, count


def sweep(args: argparse.Namespace) -> int:
    """``decoupling sweep``: run a sweep file into a folder (resumable)."""
    from sim.sweep import run_sweep

    report = run_sweep(
        args.sweep,
        args.out,
        workers=args.workers,
        chunk_size=args.chunk_size,
        dask=args.dask,
        resume=args.resume,
        trajectories=True if args.trajectories else None,
        overwrite=args.overwrite,
        progress=progress_bar(not args.quiet, "sweep", "run"),
    )
    if not args.quiet:
        rate = report["ran"] / report["seconds"] if report["seconds"] > 0 else float("nan")
        print(
            f"{count(report['runs'], 'run')} in {args.out}/ ({report['ran']:,} run now in {report['seconds']:.1f} s, "
            f"{rate:.0f} runs/s; {report['failed']} failed, see the status and reason columns)"
        )
    if report["clipped"]:
        from sim.results import clip_message

        runs, years = (np.array(column) for column in zip(*report["clipped"], strict=True))
        print(f"warning: {clip_message(runs, years, report['ran'])} (column log_clip_year)", file=sys.stderr)
    if report["no_equilibrium"]:
        named = report["no_equilibrium"]
        listed = ", ".join(map(str, named[:5])) + (f" and {len(named) - 5} more" if len(named) > 5 else "")
        print(
            f"warning: {len(named)} of {report['ran']} runs have no production-network equilibrium at a report year "
            f"(runs {listed}): their gdp_index columns are NaN there (ODD 7.12); check the mapping's "
            "elasticities",
            file=sys.stderr,
        )
    return 0


def compare(args: argparse.Namespace) -> int:
    """``decoupling compare``: scenarios with common random numbers, and their cost of decoupling."""
    import matplotlib.pyplot as plt

    from sim.analysis.compare import compare as run_compare
    from sim.analysis.compare import comparison_figure, format_comparison

    if len(args.scenarios) < 2:
        raise ScenarioError("compare needs at least two scenario files", "compare")
    out = output_folder(args.out)  # before the runs, so a bad folder fails at once
    comparison = run_compare(args.scenarios, runs=args.runs, seed=args.seed, years=args.years, by_source=args.by_source)
    if not comparison.years:
        raise ScenarioError(f"none of the years {args.years} is simulated by these scenarios", "--years", ("years",))
    comparison.table.to_csv(out / "comparison.csv", index=False)
    comparison.cost.to_csv(out / "cost_of_decoupling.csv", index=False)
    written = "comparison.csv, cost_of_decoupling.csv, comparison.png"
    if not comparison.sources.empty:
        comparison.sources.to_csv(out / "variance_by_source.csv", index=False)
        written += ", variance_by_source.csv"
    figure = comparison_figure(comparison)
    figure.savefig(out / "comparison.png", dpi=110, bbox_inches="tight")
    plt.close(figure)
    print(format_comparison(comparison))
    print(f"\nwritten: {out}/{written}")
    return 0


def analyze(args: argparse.Namespace) -> int:
    """``decoupling analyze``: sensitivity indices, grid heatmaps, parity curves and PRIM boxes of a sweep."""
    import matplotlib.pyplot as plt

    from sim.analysis import discovery, sensitivity, views
    from sim.sweep import open_sweep

    store = open_sweep(args.sweep_dir)
    out = output_folder(args.out if args.out else store.folder / "analysis")
    kind = store.manifest["design"]["kind"]
    outcomes = args.outcome or [
        o
        for o in ("rel/China/semiconductors/2035", "bloc_ratio/China/2035", "decoupling/2035")
        if o in store.runs.columns
    ]
    known = store.outcome_names
    for outcome in outcomes:
        if outcome not in known:
            from sim.config.errors import ScenarioError, did_you_mean

            kinds = sorted({name.split("/")[0] for name in known})
            raise ScenarioError(
                f"no outcome '{outcome}' in this sweep{did_you_mean(outcome, known)}; its {len(known)} outcomes are "
                f"KIND/ACTOR[/SECTOR]/YEAR columns of runs.parquet with KIND one of {', '.join(kinds)} "
                f"(e.g. {', '.join(known[:3])})",
                str(store.folder),
                ("outcome",),
            )
    ok = int((store.runs["status"] == "ok").sum())
    print(
        f"sweep '{store.manifest['name']}': {count(len(store.runs), 'run')} ({ok} ok), design {kind}, "
        f"varied: {', '.join(store.varied) or '-'}"
    )
    written = []

    def save(figure, name):
        figure.savefig(out / name, dpi=110, bbox_inches="tight")
        plt.close(figure)
        written.append(name)

    for outcome in outcomes:
        slug = outcome.replace("/", "_")
        if kind == "sobol":
            table = sensitivity.sobol_indices(store, outcome)
            table.to_csv(out / f"sobol_{slug}.csv", index=False)
            save(views.sobol_bars(table), f"sobol_{slug}.png")
            print(f"Sobol indices of {outcome}:\n" + table.drop(columns="outcome").round(3).to_string(index=False))
            if warning := views.sobol_warning(table):
                print(warning)
        elif kind == "morris":
            table = sensitivity.morris_indices(store, outcome)
            table.to_csv(out / f"morris_{slug}.csv", index=False)
            save(views.morris_bars(table), f"morris_{slug}.png")
            print(f"Morris indices of {outcome}:\n" + table.drop(columns="outcome").round(3).to_string(index=False))
        elif kind == "grid" and len(store.varied) == 2:
            save(views.grid_heatmap(store, outcome), f"heatmap_{slug}.png")
    years = np.arange(2015, 2051)
    for actor in ("China", "Russia"):
        if any(c.startswith(f"ttp/{actor}/") for c in store.runs.columns):
            curves, figure = views.parity_curves(store.runs, actor, years)
            curves.to_csv(out / f"parity_{actor}.csv", index_label="year")
            save(figure, f"parity_{actor}.png")
    if args.condition:
        box = discovery.find_box(store, args.condition, min_density=args.density)
        box.limits.to_csv(out / "prim_box.csv", index=False)
        box.trajectory.to_csv(out / "prim_trajectory.csv", index=False)
        save(views.prim_tradeoff(box.trajectory, box.selected), "prim_tradeoff.png")
        (out / "prim_box.json").write_text(
            json.dumps(
                {
                    "condition": box.condition,
                    "coverage": box.coverage,
                    "density": box.density,
                    "mass": box.mass,
                    "base_rate": box.base_rate,
                },
                indent=1,
            )
        )
        print(
            f"PRIM box for '{box.condition}' (base rate {box.base_rate:.1%}): coverage {box.coverage:.1%}, "
            f"density {box.density:.1%}, mass {box.mass:.1%}"
        )
        print(box.limits.round(4).to_string(index=False) if len(box.limits) else "  (no parameter restricted)")
    print(f"written to {out}/: " + ", ".join(written + (["prim_box.csv", "prim_box.json"] if args.condition else [])))
    return 0

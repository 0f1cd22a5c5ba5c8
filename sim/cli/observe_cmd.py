"""``decoupling calibrate`` and ``decoupling hindcast``."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from sim.cli.common import output_folder, progress_bar


def _inputs(args: argparse.Namespace):
    from sim.config import load_scenario
    from sim.observe.data import DEFAULT_OPERATORS, read_observations, read_operators

    scenario = load_scenario(args.scenario)
    return scenario, read_observations(args.observations), read_operators(args.operators or DEFAULT_OPERATORS)


def _save(figure, path: Path) -> None:
    import matplotlib.pyplot as plt

    figure.savefig(path, dpi=110, bbox_inches="tight")
    plt.close(figure)


def calibrate(args: argparse.Namespace) -> int:
    """Calibrate a scenario on observations (rejection ABC); see the module docstring."""
    from sim.observe.calibrate import calibrate as run_abc
    from sim.observe.calibrate import overlay_text, read_priors
    from sim.observe.data import ROOT
    from sim.observe.hindcast import hindcast
    from sim.observe.views import prior_posterior, series_fit

    scenario, observations, operators = _inputs(args)
    priors = read_priors(args.priors or ROOT / "seeds" / "calibration_priors.yaml")
    out = output_folder(args.out)  # before the draws, so a bad folder fails at once
    result = run_abc(
        scenario,
        observations,
        operators,
        args.until,
        priors,
        draws=args.draws,
        accept=args.accept,
        seed=args.seed,
        progress=progress_bar(args.draws >= 500, "calibrating", "step"),
    )
    result.draws.to_csv(out / "prior_draws.csv", index=False)
    result.posterior.to_csv(out / "posterior.csv", index=False)
    overlay = out / "calibrated.yaml"
    overlay.write_text(
        overlay_text(
            Path(args.scenario), out, scenario.name, result.estimates, args.until, len(result.posterior), args.draws
        )
    )
    _save(prior_posterior(result.draws, result.posterior), out / "prior_posterior.png")
    calibrated = scenario.model_copy(update={"parameters": scenario.parameters.model_copy(update=result.estimates)})
    import sim

    fit = hindcast(
        sim.run(calibrated, runs=args.check_runs, seed=args.seed), calibrated, observations, operators, args.until
    )
    fit.table.to_csv(out / "fit.csv", index=False)
    _save(series_fit(fit.table[fit.table["window"] == "calibration"], "Fit to the calibration window"), out / "fit.png")
    print(
        f"calibrated on {result.rows} informative observations up to {args.until:g}; "
        f"accepted {len(result.posterior)} of {args.draws} draws"
    )
    for name, value in result.estimates.items():
        low, high = result.posterior[f"parameters.{name}"].quantile([0.05, 0.95])
        print(f"  {name:28s} {value:.4g}  (90 % of posterior: {low:.4g}-{high:.4g})")
    print(
        f"written to {out}/: calibrated.yaml (use it with 'extends' or run it directly), posterior.csv, "
        "prior_draws.csv, prior_posterior.png, fit.csv, fit.png"
    )
    return 0


def hindcast(args: argparse.Namespace) -> int:
    """Score a scenario against observations after the calibration window."""
    import sim
    from sim.observe.hindcast import hindcast as run_hindcast
    from sim.observe.views import series_fit

    scenario, observations, operators = _inputs(args)
    out = output_folder(args.out)
    results = sim.run(scenario, runs=args.runs, seed=args.seed)
    until = args.until if args.until is not None else max(o.year for o in observations)
    result = run_hindcast(results, scenario, observations, operators, until)
    result.table.to_csv(out / "hindcast.csv", index=False)
    result.unmapped.to_csv(out / "unmapped.csv", index=False)
    (out / "scores.json").write_text(json.dumps(result.scores, indent=1) + "\n")
    if len(result.table):
        _save(series_fit(result.table, f"Hindcast of '{scenario.name}'"), out / "hindcast.png")
    s = result.scores
    print(
        f"{len(result.table)} observations mapped ({int(s['rows_out_of_sample'])} after {until:g}), "
        f"{len(result.unmapped)} not mapped (see unmapped.csv with reasons)"
    )
    print(
        f"out of sample: {s['share_inside_90_band']:.0%} inside the 90 % band, "
        f"{s['share_directions_right']:.0%} of {int(s['directions_counted'])} directions right, "
        f"median |log error| {s['median_abs_log_error']:.2f}"
    )
    print(f"written to {out}/: hindcast.csv, unmapped.csv, scores.json, hindcast.png")
    return 0

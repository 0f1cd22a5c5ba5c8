"""``decoupling calibrate`` and ``decoupling hindcast``."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pandas as pd

from sim.cli.common import output_folder, progress_bar


def _inputs(args: argparse.Namespace):
    from sim.config import load_scenario
    from sim.observe.data import DEFAULT_OPERATORS, SHIPPED_OBSERVATIONS, read_observation_files, read_operators

    scenario = load_scenario(args.scenario)
    observations = read_observation_files(args.observations or SHIPPED_OBSERVATIONS)
    return scenario, observations, read_operators(args.operators or DEFAULT_OPERATORS)


def _save(figure, path: Path) -> None:
    import matplotlib.pyplot as plt

    figure.savefig(path, dpi=110, bbox_inches="tight")
    plt.close(figure)


def calibrate(args: argparse.Namespace) -> int:
    """Calibrate a scenario on observations (ABC-SMC), with identification and predictive checks."""
    import sim
    from sim.observe.calibrate import calibrate as run_smc
    from sim.observe.calibrate import overlay_text, posterior_sample, predictive_check, read_priors, window_scenario
    from sim.observe.data import ROOT
    from sim.observe.hindcast import hindcast
    from sim.observe.views import prior_posterior, series_fit

    scenario, observations, operators = _inputs(args)
    priors = read_priors(args.priors or ROOT / "seeds" / "calibration_priors.yaml")
    out = output_folder(args.out)  # before the simulations, so a bad folder fails at once
    result = run_smc(
        scenario,
        observations,
        operators,
        args.until,
        priors,
        simulations=args.simulations,
        particles=args.particles,
        seed=args.seed,
        progress=progress_bar(args.simulations >= 5000, "calibrating", "simulation"),
    )
    result.posterior.to_csv(out / "posterior.csv", index=False)
    result.prior_draws.to_csv(out / "prior_draws.csv", index=False)
    result.generations.to_csv(out / "generations.csv", index=False)
    result.identification.to_csv(out / "identification.csv", index=False)
    result.misfit_scales.to_csv(out / "misfit_scales.csv", index=False)
    (out / "calibrated.yaml").write_text(
        overlay_text(Path(args.scenario), out, scenario.name, args.until, result, args.seed)
    )
    _save(prior_posterior(result.prior_draws, result.posterior), out / "prior_posterior.png")
    cut = window_scenario(scenario, args.until)
    checks, fits = {}, {}
    prior_table = {
        c.removeprefix("parameters."): result.prior_draws[c].to_numpy()[: args.check_runs]
        for c in result.prior_draws.columns
        if c.startswith("parameters.")
    }
    for label, table in (("prior", prior_table), ("posterior", posterior_sample(result.posterior, args.check_runs, 7))):
        runs = len(next(iter(table.values())))
        ds = sim.run(cut, runs=runs, seed=args.seed, parameter_table=table)
        fits[label] = hindcast(ds, cut, observations, operators, args.until)
        checks[label] = predictive_check(fits[label].table)
    pd.DataFrame(checks).T.rename_axis("check").to_csv(out / "predictive_checks.csv")
    fits["posterior"].discrepancy.to_csv(out / "discrepancy.csv", index=False)
    posterior_fit = fits["posterior"].table
    posterior_fit.to_csv(out / "fit.csv", index=False)
    window = posterior_fit[posterior_fit["window"] == "calibration"]
    _save(series_fit(window, "Posterior-predictive fit to the calibration window"), out / "fit.png")
    print(
        f"calibrated on {result.rows} informative observations up to {args.until:g}: "
        f"{result.simulations:,} simulations in {len(result.generations)} generations "
        f"(stopped: {result.stopped_because}); final tolerance {result.generations['epsilon'].iloc[-1]:.3f}"
    )
    print(f"  {'parameter':28s} {'prior 5-95 %':>17s} {'posterior mean, 5-95 %':>28s} {'sd ratio':>9s}")
    for row in result.identification.itertuples():
        flag = "informed" if row.informed else "not identified"
        print(
            f"  {row.parameter:28s} {row.prior_q05:8.3g}-{row.prior_q95:<8.3g} "
            f"{row.posterior_mean:9.3g} ({row.posterior_q05:.3g}-{row.posterior_q95:.3g}) "
            f"{row.sd_ratio:8.2f}  {flag}"
        )
    for label, check in checks.items():
        print(
            f"  {label}-predictive, window: {check['coverage90']:.0%} inside the 90 % interval, "
            f"{check['coverage50']:.0%} inside the 50 %, median |log error| {check['median_abs_log_error']:.2f}"
        )
    print(
        f"written to {out}/: calibrated.yaml (runs draw from posterior.csv), posterior.csv, prior_draws.csv, "
        "generations.csv, identification.csv, misfit_scales.csv, predictive_checks.csv, discrepancy.csv, "
        "prior_posterior.png, fit.csv, fit.png"
    )
    return 0


def hindcast(args: argparse.Namespace) -> int:
    """Score a scenario's forecasts against observations after ``--until``, with the naive baselines."""
    import sim
    from sim.observe.hindcast import hindcast as run_hindcast
    from sim.observe.views import pit_and_coverage, series_fit

    scenario, observations, operators = _inputs(args)
    if args.posterior_mean:
        scenario = scenario.model_copy(update={"ensemble": scenario.ensemble.model_copy(update={"use": "mean"})})
    out = output_folder(args.out)
    results = sim.run(scenario, runs=args.runs, seed=args.seed)
    until = args.until if args.until is not None else max(o.year for o in observations)
    fitted = scenario.ensemble.fitted_until if scenario.ensemble.draws else None
    if fitted is not None and fitted > until:
        print(
            f"note: the scenario's posterior was calibrated on observations up to {fitted:g}, after --until "
            f"{until:g}, so rows up to {fitted:g} are not out of sample for its parameters; "
            "'decoupling backtest' calibrates at the origin instead"
        )
    result = run_hindcast(results, scenario, observations, operators, until)
    result.table.to_csv(out / "hindcast.csv", index=False)
    result.unmapped.to_csv(out / "unmapped.csv", index=False)
    result.by_series.to_csv(out / "scores_by_series.csv", index=False)
    result.discrepancy.to_csv(out / "discrepancy.csv", index=False)
    (out / "scores.json").write_text(json.dumps(result.scores, indent=1) + "\n")
    figures = ["hindcast.png"]
    if len(result.table):
        _save(series_fit(result.table, f"Forecasts of '{scenario.name}' from {until:g}"), out / "hindcast.png")
    if result.scores["rows_scored"]:
        _save(pit_and_coverage(result.table), out / "pit_coverage.png")
        figures.append("pit_coverage.png")
    print_scores(result, until)
    print(
        f"written to {out}/: hindcast.csv (23 quantiles and scores per row), scores_by_series.csv, scores.json, "
        f"discrepancy.csv, unmapped.csv, {', '.join(figures)}"
    )
    return 0


def print_scores(result, until: float) -> None:
    """The overall scores and one line per series, as a forecaster reads them."""
    s = result.scores
    print(
        f"{len(result.table)} observations mapped ({int(s['rows_out_of_sample'])} after {until:g}, "
        f"{int(s['rows_scored'])} scored against the baselines), {len(result.unmapped)} not mapped "
        "(see unmapped.csv with reasons)"
    )
    if not s["rows_scored"]:
        print("no out-of-sample row has an in-sample value of its series: nothing to score")
        return
    print(
        f"out of sample: model WIS {s['wis_model']:.3f} against trend {s['wis_trend']:.3f} "
        f"and persistence {s['wis_persistence']:.3f} (relative WIS {s['relative_wis_trend']:.2f} and "
        f"{s['relative_wis_persistence']:.2f}; below 1 beats the baseline)"
    )
    print(
        f"  coverage: {s['coverage50_model']:.0%} inside the 50 % interval, {s['coverage90_model']:.0%} inside "
        f"the 90 %; {s['directions_model']:.0%} of {int(s['directions_counted'])} directions right "
        f"(trend {s['directions_trend']:.0%}); median |log error| {s['median_abs_log_error_model']:.2f} "
        f"(trend {s['median_abs_log_error_trend']:.2f}, persistence {s['median_abs_log_error_persistence']:.2f})"
    )
    print(f"  {'series':44s} {'rows':>4s} {'WIS':>6s} {'trend':>6s} {'pers.':>6s} {'rel.':>5s} {'in 90%':>6s}")
    for row in result.by_series.itertuples():
        print(
            f"  {row.series[:44]:44s} {row.rows:4d} {row.wis_model:6.3f} {row.wis_trend:6.3f} "
            f"{row.wis_persistence:6.3f} {row.relative_wis_trend:5.2f} {row.coverage90_model:6.0%}"
        )


def backtest(args: argparse.Namespace) -> int:
    """Rolling-origin validation: calibrate at each origin, score every later observation."""
    from sim.observe.backtest import backtest as run_backtest
    from sim.observe.calibrate import read_priors
    from sim.observe.data import ROOT
    from sim.observe.views import pit_and_coverage

    if len(set(args.origins)) != len(args.origins):
        from sim.config.errors import ScenarioError

        raise ScenarioError("each origin once", "--origins", ("origins",))
    scenario, observations, operators = _inputs(args)
    priors = read_priors(args.priors or ROOT / "seeds" / "calibration_priors.yaml")
    out = output_folder(args.out)
    result = run_backtest(
        scenario,
        observations,
        operators,
        sorted(args.origins),
        priors,
        simulations=args.simulations,
        particles=args.particles,
        runs=args.runs,
        seed=args.seed,
    )
    result.table.to_csv(out / "forecasts.csv", index=False)
    result.overall.to_csv(out / "scores.csv", index=False)
    result.by_origin.to_csv(out / "scores_by_origin.csv", index=False)
    result.by_series.to_csv(out / "scores_by_series.csv", index=False)
    for origin, calibration in result.calibrations.items():
        calibration.identification.to_csv(out / f"identification_{origin}.csv", index=False)
    if len(result.overall):
        _save(pit_and_coverage(result.table), out / "pit_coverage.png")
    for row in result.by_origin.itertuples():
        print(
            f"origin {row.origin}: {row.rows} rows; relative WIS {row.relative_wis_trend:.2f} (trend), "
            f"{row.relative_wis_persistence:.2f} (persistence); coverage {row.coverage50_model:.0%} (50 %), "
            f"{row.coverage90_model:.0%} (90 %); directions {row.directions_model:.0%}"
        )
    if len(result.overall):
        o = result.overall.iloc[0]
        print(
            f"pooled: {int(o['rows'])} rows; relative WIS {o['relative_wis_trend']:.2f} against the log-linear trend, "
            f"{o['relative_wis_persistence']:.2f} against persistence; {o['coverage50_model']:.0%} inside the 50 % "
            f"interval, {o['coverage90_model']:.0%} inside the 90 %; {o['directions_model']:.0%} of "
            f"{int(o['directions_counted'])} directions right"
        )
    print(f"written to {out}/: forecasts.csv, scores.csv, scores_by_origin.csv, scores_by_series.csv, pit_coverage.png")
    return 0

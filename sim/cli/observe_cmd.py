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
    from sim.observe.output_bound import output_bound_line
    from sim.observe.views import prior_posterior, series_fit

    scenario, observations, operators = _inputs(args)
    priors = read_priors(args.priors or ROOT / "seeds" / "calibration_priors.yaml", args.until)
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
        sensitivity_runs=max(args.sensitivity_runs, 0),
    )
    result.posterior.to_csv(out / "posterior.csv", index=False)
    result.prior_draws.to_csv(out / "prior_draws.csv", index=False)
    result.generations.to_csv(out / "generations.csv", index=False)
    result.identification.to_csv(out / "identification.csv", index=False)
    result.moments.to_csv(out / "moments.csv", index=False)
    result.blocks.to_csv(out / "identification_blocks.csv", index=False)
    result.sensitivity.to_csv(out / "sensitivity.csv", index=False)
    if result.output_bound is not None:
        result.output_bound.to_csv(out / "output_bound.csv", index=False)
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
        ds = sim.run(cut, runs=runs, seed=args.seed, parameter_table=table, record="dynamics")
        fits[label] = hindcast(ds, cut, observations, operators, args.until)
        checks[label] = predictive_check(fits[label].table)
    pd.DataFrame(checks).T.rename_axis("check").to_csv(out / "predictive_checks.csv")
    fits["posterior"].discrepancy.to_csv(out / "discrepancy.csv", index=False)
    posterior_fit = fits["posterior"].table
    posterior_fit.to_csv(out / "fit.csv", index=False)
    window = posterior_fit[posterior_fit["window"] == "calibration"]
    _save(series_fit(window, "Posterior-predictive fit to the calibration window"), out / "fit.png")
    print(
        f"calibrated on {len(result.moments)} moments of {result.rows} observations up to {args.until:g} "
        f"({', '.join(f'{n} {b}' for b, n in result.moments['block'].value_counts().items())}): "
        f"{result.simulations:,} simulations in {len(result.generations)} generations "
        f"(stopped: {result.stopped_because}); final tolerance {result.generations['epsilon'].iloc[-1]:.3f}"
    )
    print(f"  {'parameter':28s} {'prior 5-95 %':>17s} {'posterior mean, 5-95 %':>28s} {'90 % width':>10s}")
    for row in result.identification.itertuples():
        flag = f"informed by {row.informed_by}" if row.informed else f"not identified (blocks: {row.informed_by})"
        print(
            f"  {row.parameter:28s} {row.prior_q05:8.3g}-{row.prior_q95:<8.3g} "
            f"{row.posterior_mean:9.3g} ({row.posterior_q05:.3g}-{row.posterior_q95:.3g}) "
            f"{row.interval_ratio:9.2f}  {flag}"
        )
    print("  (90 % width: the posterior's 90 % interval over the prior's; informed below 0.5)")
    if result.output_bound is not None:
        print("  " + output_bound_line(result.output_bound.iloc[0]))
    for label, check in checks.items():
        print(
            f"  {label}-predictive, window: {check['coverage90']:.0%} inside the 90 % interval, "
            f"{check['coverage50']:.0%} inside the 50 %, median |log error| {check['median_abs_log_error']:.2f}"
        )
    print(
        f"written to {out}/: calibrated.yaml (runs draw from posterior.csv), posterior.csv, prior_draws.csv, "
        "generations.csv, identification.csv, identification_blocks.csv, sensitivity.csv, moments.csv, "
        "predictive_checks.csv, discrepancy.csv, "
        + ("output_bound.csv, " if result.output_bound is not None else "")
        + "prior_posterior.png, fit.csv, fit.png"
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
    results = sim.run(scenario, runs=args.runs, seed=args.seed, record="dynamics")  # GDP is not observed
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
    if args.hubverse:
        export_hub(result.table, args.hubverse, int(until))
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
    priors = args.priors or ROOT / "seeds" / "calibration_priors.yaml"
    read_priors(priors)  # a broken priors file fails before any simulation
    out = output_folder(args.out)
    names = ("forecasts", "scores", "scores_by_origin", "scores_by_series", "intervals")
    tables: dict[str, list[pd.DataFrame]] = {name: [] for name in names}
    for seed in args.seeds:
        result = run_backtest(
            scenario,
            observations,
            operators,
            sorted(args.origins),
            priors,
            simulations=args.simulations,
            particles=args.particles,
            runs=args.runs,
            seed=seed,
        )
        outputs = (result.table, result.overall, result.by_origin, result.by_series, result.intervals)
        for name, part in zip(tables, outputs, strict=True):
            tables[name].append(part.assign(seed=seed))
        for origin, calibration in result.calibrations.items():
            calibration.identification.to_csv(out / f"identification_{origin}_seed{seed}.csv", index=False)
        print_backtest(result, seed)
    for name, frames in tables.items():
        pd.concat(frames, ignore_index=True).to_csv(out / f"{name}.csv", index=False)
    if len(args.seeds) > 1:
        scores = pd.concat(tables["scores"], ignore_index=True).drop(columns=["better_baseline"])
        median = scores.median(numeric_only=True)
        print(
            f"median over seeds {', '.join(map(str, args.seeds))}: relative WIS {median['relative_wis_best']:.2f} "
            f"against the better baseline (geometric mean of row ratios {median['geometric_wis_ratio_best']:.2f}); "
            f"{median['coverage90_model']:.0%} inside the 90 % interval; "
            f"{median['directions_model']:.0%} directions right"
        )
    if len(result.overall):
        _save(pit_and_coverage(result.table), out / "pit_coverage.png")
    if args.hubverse:
        export_hub(result.table, args.hubverse)
    print(
        f"written to {out}/: forecasts.csv, scores.csv, scores_by_origin.csv, scores_by_series.csv, intervals.csv "
        "(cluster bootstrap by series), identification_ORIGIN_seedS.csv, pit_coverage.png (last seed)"
    )
    return 0


def export_hub(table: pd.DataFrame, folder: str, origin: int | None = None) -> None:
    """Write the scored forecasts as a hubverse hub and check it against the hubverse rules."""
    from sim.config.errors import ScenarioError
    from sim.observe.hubverse import validate_hub, write_hub

    if not table["scored"].astype(bool).any():
        raise ScenarioError("no scored forecast to write as hubverse files", "--hubverse", ("hubverse",))
    written = write_hub(table, output_folder(folder), origin)
    problems = validate_hub(folder)
    if problems:  # a defect of ours, not of the input: say it plainly
        raise RuntimeError("hubverse files break the format: " + "; ".join(problems[:3]))
    print(f"hubverse hub written to {folder}/ ({len(written)} files; checked against the hubverse rules)")


def print_backtest(result, seed: int) -> None:
    """Per origin and pooled scores of one seed, with the pooled bootstrap intervals."""
    for row in result.by_origin.itertuples():
        print(
            f"seed {seed}, origin {row.origin}: {row.rows} rows; relative WIS {row.relative_wis_best:.2f} against "
            f"{row.better_baseline} (trend {row.relative_wis_trend:.2f}, damped {row.relative_wis_damped:.2f}, "
            f"persistence {row.relative_wis_persistence:.2f}); coverage {row.coverage50_model:.0%} (50 %), "
            f"{row.coverage90_model:.0%} (90 %); directions {row.directions_model:.0%}"
        )
    if not len(result.overall):
        return
    o = result.overall.iloc[0]
    ci = result.intervals.set_index("score")

    def band(key: str, percent: bool = False) -> str:
        form = "{:.0%}" if percent else "{:.2f}"
        low, high = ci.loc[key, "low"], ci.loc[key, "high"]
        return f"{form.format(ci.loc[key, 'estimate'])} [{form.format(low)}, {form.format(high)}]"

    print(
        f"seed {seed}, pooled: {int(o['rows'])} rows; relative WIS against {o['better_baseline']} "
        f"{band('relative_wis_best')}, geometric mean {band('geometric_wis_ratio_best')}; inside the 90 % interval "
        f"{band('coverage90_model', True)}, the 50 % {band('coverage50_model', True)}; directions right "
        f"{band('directions_model', True)} of {int(o['directions_counted'])} (90 % cluster-bootstrap intervals)"
    )

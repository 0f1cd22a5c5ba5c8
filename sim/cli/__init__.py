"""The ``decoupling`` command. Thin over the library: parse, call, report.

Every bad input ends with one line on stderr and exit code 2; no tracebacks.
"""

from __future__ import annotations

import argparse
import sys
import warnings
from collections.abc import Sequence

from sim.cli.common import Parser, fail, port, positive_int, scenario_file, seed, sobol_samples, year

SCENARIO_HELP = "scenario YAML file, or the name of a shipped scenario (baseline, full_decoupling, ...)"
EXAMPLES = {
    "decoupling": """examples:
  decoupling run baseline                      run the shipped baseline: results/baseline/
  decoupling compare baseline full_decoupling  the cost of decoupling, paired runs
  decoupling sweep sweeps/sobol_controls.yaml -o results/sobol
  decoupling COMMAND --help                    options and examples of one command""",
    "run": """examples:
  decoupling run baseline
  decoupling run scenarios/western_escalation.yaml --runs 1000 --seed 7 -o results/esc
  decoupling run baseline --set parameters.leak_quality=0.8 --set time.horizon=2040""",
    "validate": """examples:
  decoupling validate my_scenario.yaml
  decoupling validate baseline --set policies.supply_shocks.0.severity=0.5""",
    "optimize": """examples:
  decoupling optimize policy_search/west_export_controls.yaml -o results/west --nfe 2000 --workers 2
  decoupling optimize policy_search/west_export_controls.yaml -o results/west --resume
  decoupling optimize policy_search/russia_china_partnership.yaml -o results/partners --dask local""",
    "sweep": """examples:
  decoupling sweep sweeps/sobol_controls.yaml -o results/sobol --workers 2
  decoupling sweep sweeps/sobol_controls.yaml -o results/sobol --resume
  decoupling sweep sweeps/sobol_controls.yaml -o results/sobol --dask local""",
    "compare": """examples:
  decoupling compare baseline full_decoupling western_escalation --runs 500""",
    "analyze": """examples:
  decoupling analyze results/sobol
  decoupling analyze results/sobol --outcome rel/China/ai/2035 --outcome decoupling/2050
  decoupling analyze results/grid --condition 'rel/China/semiconductors/2035 >= 0.9'""",
    "calibrate": """examples:
  decoupling calibrate baseline --until 2021 --simulations 50000 -o results/calibration
  decoupling calibrate baseline --until 2019 --priors my_priors.yaml""",
    "hindcast": """examples:
  decoupling hindcast results/calibration/calibrated.yaml --until 2019""",
    "backtest": """examples:
  decoupling backtest baseline                      the frozen protocol (ODD section 6.5)
  decoupling backtest baseline --origins 2017 2019 --seeds 1 --simulations 4000""",
    "dashboard": """examples:
  decoupling dashboard
  decoupling dashboard full_decoupling --port 8800""",
}


def build_parser() -> argparse.ArgumentParser:
    """The ``decoupling`` command line: one sub-command per task, each with its options."""
    parser = Parser(
        prog="decoupling",
        description="Scenario simulator of technological decoupling.",
        epilog=EXAMPLES["decoupling"],
    )
    parser.add_argument("--version", action="version", version="decoupling-sim 0.1.0")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=Parser)

    run = commands.add_parser("run", help="run a scenario: trajectories, summary, plots", epilog=EXAMPLES["run"])
    run.add_argument("scenario", type=scenario_file, help=SCENARIO_HELP)
    run.add_argument("-o", "--out", help="output folder (default: results/<scenario name>)")
    run.add_argument("--runs", type=positive_int, help="number of runs (default: the scenario's)")
    run.add_argument("--seed", type=seed, help="root seed (default: the scenario's)")
    run.add_argument(
        "--set",
        dest="overrides",
        action="append",
        default=[],
        metavar="KEY.PATH=VALUE",
        help="override a scenario value, e.g. --set parameters.leak_quality=0.8 (repeatable)",
    )
    run.add_argument("--no-plots", action="store_true", help="skip the PNG figures")
    run.add_argument("--overwrite", action="store_true", help="replace results already in the output folder")
    run.add_argument("--quiet", action="store_true", help="print nothing but errors")

    validate = commands.add_parser(
        "validate",
        help="check a scenario file and list every problem; exit 0 if valid, 2 if not",
        epilog=EXAMPLES["validate"],
    )
    validate.add_argument("scenario", type=scenario_file, help=SCENARIO_HELP)
    validate.add_argument(
        "--set",
        dest="overrides",
        action="append",
        default=[],
        metavar="KEY.PATH=VALUE",
        help="check the scenario with this value overridden, as run --set does (repeatable)",
    )

    sweep = commands.add_parser("sweep", help="run a parameter sweep into a resumable store", epilog=EXAMPLES["sweep"])
    sweep.add_argument("sweep", help="sweep YAML file")
    sweep.add_argument("-o", "--out", required=True, help="sweep folder")
    sweep.add_argument("--workers", type=positive_int, help="processes (default: all cores); 1 runs in this process")
    sweep.add_argument("--chunk-size", type=positive_int, help="runs simulated together (default: the sweep's)")
    sweep.add_argument("--dask", metavar="local|tcp://HOST:PORT", help="run on Dask: a local cluster or a scheduler")
    sweep.add_argument("--resume", action="store_true", help="finish an interrupted sweep in the same folder")
    sweep.add_argument("--trajectories", action="store_true", help="also store trajectories (float32, per chunk)")
    sweep.add_argument("--overwrite", action="store_true", help="replace a sweep already in the folder")
    sweep.add_argument("--quiet", action="store_true", help="no progress bar and no summary line")

    optimize = commands.add_parser(
        "optimize", help="robust policy search: Pareto set, re-evaluation, vulnerabilities", epilog=EXAMPLES["optimize"]
    )
    optimize.add_argument("spec", help="policy-search YAML file (policy_search/*.yaml)")
    optimize.add_argument("-o", "--out", required=True, help="output folder (new, or the one to --resume)")
    optimize.add_argument("--nfe", type=positive_int, help="policy evaluations (default: the spec's search.nfe)")
    optimize.add_argument("--workers", type=positive_int, default=1, help="processes simulating each generation")
    optimize.add_argument("--dask", metavar="local|tcp://HOST:PORT", help="simulate on Dask instead")
    optimize.add_argument("--resume", action="store_true", help="continue a killed search from its checkpoint")
    optimize.add_argument("--seed", type=seed, help="search seed (default: the spec's)")
    optimize.add_argument("--quiet", action="store_true", help="no progress bar and no summary")

    compare = commands.add_parser(
        "compare", help="compare scenarios with common random numbers", epilog=EXAMPLES["compare"]
    )
    compare.add_argument(
        "scenarios",
        nargs="+",
        type=scenario_file,
        help="two or more scenario files or names; the first is the reference",
    )
    compare.add_argument("-o", "--out", default="results/compare", help="output folder")
    compare.add_argument("--runs", type=positive_int, default=200, help="runs per scenario (the same seeds in each)")
    compare.add_argument("--seed", type=seed, default=1, help="root seed shared by every scenario")
    compare.add_argument(
        "--years", type=year, nargs="+", default=[2035, 2050], help="years the tables report (simulated years only)"
    )
    compare.add_argument(
        "--by-source",
        type=sobol_samples,
        default=0,
        metavar="N",
        help="also say where the spread of each cost comes from: Sobol indices over the calibrated parameters, the "
        "scenario's deep uncertainties and the process noise, N base samples (a power of two, e.g. 256: N x 5 runs "
        "and as many counterfactuals per scenario); writes variance_by_source.csv",
    )

    analyze = commands.add_parser(
        "analyze", help="sensitivity, scenario discovery and parity curves of a sweep", epilog=EXAMPLES["analyze"]
    )
    analyze.add_argument("sweep_dir", help="a sweep folder")
    analyze.add_argument(
        "--outcome",
        action="append",
        help="an outcome column of the sweep's runs table, named KIND/ACTOR[/SECTOR]/YEAR: "
        "rel/China/semiconductors/2035 (capability relative to the West's best), bloc_ratio/China/2035, "
        "decoupling/2035, ... (repeatable; "
        "default: those three; an unknown name lists the sweep's outcomes)",
    )
    analyze.add_argument("--condition", help="PRIM condition, e.g. 'rel/China/semiconductors/2035 >= 0.9'")
    analyze.add_argument("--density", type=float, default=0.8, help="PRIM: least density of the chosen box")
    analyze.add_argument("-o", "--out", help="output folder (default: SWEEP_DIR/analysis)")
    for name, text in (
        ("calibrate", "calibrate model parameters on observations (ABC-SMC)"),
        ("hindcast", "score forecasts against observations the model was not fitted to"),
    ):
        command = commands.add_parser(name, help=text, epilog=EXAMPLES[name])
        command.add_argument("scenario", type=scenario_file, help=SCENARIO_HELP)
        command.add_argument(
            "--observations",
            nargs="+",
            metavar="CSV",
            help="observation files: series,actor,sector,year,value,unit,source,notes (default: both shipped files)",
        )
        command.add_argument(
            "--operators", help="observation operators YAML (default: seeds/observation_operators.yaml)"
        )
        command.add_argument("-o", "--out", default=f"results/{name}", help="output folder")
        command.add_argument("--seed", type=seed, default=1, help="root seed of the simulations")
        if name == "calibrate":
            command.add_argument("--until", type=year, required=True, help="last year of the calibration window")
            command.add_argument("--priors", help="priors YAML (default: seeds/calibration_priors.yaml)")
            command.add_argument(
                "--simulations", type=positive_int, default=50_000, help="simulation budget of the SMC"
            )
            command.add_argument("--particles", type=positive_int, default=1000, help="particles per generation")
            command.add_argument(
                "--sensitivity-runs",
                type=int,
                default=20,
                help="runs per side of each local sensitivity (common random numbers); 0 skips sensitivity.csv",
            )
            command.add_argument(
                "--check-runs",
                type=positive_int,
                default=200,
                help="runs of the prior- and posterior-predictive checks",
            )
        else:
            command.add_argument(
                "--until", type=year, help="last in-sample year: scales and discrepancies are fitted up to it"
            )
            command.add_argument("--runs", type=positive_int, default=200, help="runs of the scenario's ensemble")
            command.add_argument(
                "--posterior-mean", action="store_true", help="run the posterior mean instead of posterior draws"
            )
            command.add_argument(
                "--hubverse", metavar="DIR", help="also write the forecasts as a hubverse hub (model and baselines)"
            )
    backtest = commands.add_parser(
        "backtest",
        help="leave-future-out validation: calibrate at rolling origins, score the later years",
        epilog=EXAMPLES["backtest"],
    )
    backtest.add_argument("scenario", type=scenario_file, help=SCENARIO_HELP + " (its shipped posterior is set aside)")
    backtest.add_argument(
        "--origins",
        type=year,
        nargs="+",
        default=[2015, 2017, 2019],
        help="last in-sample years",
    )
    backtest.add_argument("--observations", nargs="+", metavar="CSV", help="observation files (default: both shipped)")
    backtest.add_argument("--operators", help="observation operators YAML (default: seeds/observation_operators.yaml)")
    backtest.add_argument("--priors", help="priors YAML (default: seeds/calibration_priors.yaml)")
    backtest.add_argument("--simulations", type=positive_int, default=15_000, help="SMC budget per origin")
    backtest.add_argument("--particles", type=positive_int, default=500, help="SMC particles per generation")
    backtest.add_argument("--runs", type=positive_int, default=200, help="runs of each posterior ensemble")
    backtest.add_argument(
        "--seeds",
        "--seed",
        type=seed,
        nargs="+",
        default=[1, 2, 3],
        help="one backtest per seed; the headline is their median",
    )
    backtest.add_argument("-o", "--out", default="results/backtest", help="output folder")
    backtest.add_argument(
        "--hubverse", metavar="DIR", help="also write the forecasts as a hubverse hub (last seed; model and baselines)"
    )
    dashboard = commands.add_parser(
        "dashboard", help="explore a scenario in the browser (Mesa SolaraViz)", epilog=EXAMPLES["dashboard"]
    )
    dashboard.add_argument("scenario", nargs="?", default="baseline", help="a shipped scenario name or a YAML path")
    dashboard.add_argument("--port", type=port, default=8765, help="port on 127.0.0.1")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code (2 for bad input of any kind)."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_:
        return int(exit_.code or 0)
    import matplotlib

    # The command line draws into files: Agg, whatever the desktop. Only the CLI picks a
    # backend; the library leaves a notebook's inline backend alone.
    matplotlib.use("Agg")
    from sim.cli import observe_cmd, optimize_cmd, run_cmd, sweep_cmd
    from sim.config.errors import ScenarioError

    handlers = {
        "run": run_cmd.run,
        "validate": run_cmd.validate,
        "sweep": sweep_cmd.sweep,
        "compare": sweep_cmd.compare,
        "analyze": sweep_cmd.analyze,
        "calibrate": observe_cmd.calibrate,
        "hindcast": observe_cmd.hindcast,
        "backtest": observe_cmd.backtest,
        "dashboard": run_cmd.dashboard,
        "optimize": optimize_cmd.optimize,
    }
    try:
        with warnings.catch_warnings():  # restores the default printer afterwards
            warnings.showwarning = _show_warning
            return handlers[args.command](args)
    except ScenarioError as error:
        return fail(str(error))
    except OSError as error:  # a full disk, a folder that vanished, no permission to write
        where = f"{error.filename}: " if error.filename else ""
        return fail(f"{where}cannot read or write: {error.strerror or error}")
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


def _show_warning(message, category, filename, lineno, file=None, line=None) -> None:  # noqa: ANN001 - warnings' hook
    """The model's own warnings as one ``warning: ...`` line on stderr; others as Python prints them."""
    from sim.results import ModelWarning

    if issubclass(category, ModelWarning):
        print(f"warning: {message}", file=sys.stderr)
    else:
        _PYTHON_SHOW_WARNING(message, category, filename, lineno, file, line)


_PYTHON_SHOW_WARNING = warnings.showwarning

__all__ = ["build_parser", "main"]

"""The ``decoupling`` command. Thin over the library: parse, call, report.

Every bad input ends with one line on stderr and exit code 2; no tracebacks.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Sequence
from pathlib import Path

EXIT_BAD_INPUT = 2


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one line, exit 2, instead of usage + message
        raise SystemExit(_fail(f"{self.prog}: {message} (see --help)"))


def _fail(message: str) -> int:
    print(f"error: {message}", file=sys.stderr)
    return EXIT_BAD_INPUT


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def _seed(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a whole number") from None
    if not 0 <= value < 2**63:
        raise argparse.ArgumentTypeError(f"must lie in [0, 2^63), got {value}")
    return value


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="decoupling", description="Scenario simulator of technological decoupling.")
    parser.add_argument("--version", action="version", version="decoupling-sim 0.1.0")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    run = commands.add_parser("run", help="run a scenario: trajectories, summary, plots")
    run.add_argument("scenario", help="scenario YAML file")
    run.add_argument("-o", "--out", help="output folder (default: results/<scenario name>)")
    run.add_argument("--runs", type=_positive_int, help="number of runs (default: the scenario's)")
    run.add_argument("--seed", type=_seed, help="root seed (default: the scenario's)")
    run.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY.PATH=VALUE",
                     help="override a scenario value, e.g. --set parameters.leak_quality=0.8 (repeatable)")
    run.add_argument("--no-plots", action="store_true", help="skip the PNG figures")
    run.add_argument("--overwrite", action="store_true", help="replace results already in the output folder")
    run.add_argument("--quiet", action="store_true", help="print nothing but errors")

    validate = commands.add_parser("validate", help="check a scenario file; exit 0 if valid, 2 if not")
    validate.add_argument("scenario", help="scenario YAML file")
    validate.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY.PATH=VALUE")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_:
        return int(exit_.code or 0)
    from sim.config.errors import ScenarioError

    try:
        if args.command == "validate":
            return _validate(args)
        return _run(args)
    except ScenarioError as error:
        return _fail(str(error))
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


def _validate(args: argparse.Namespace) -> int:
    from sim.config import load_scenario, parse_overrides

    scenario = load_scenario(args.scenario, parse_overrides(args.overrides))
    t = scenario.time
    print(f"ok: {args.scenario} is valid: '{scenario.name}', {len(scenario.actors)} actors, "
          f"{len(scenario.sectors)} sectors, {t.start:g}-{t.horizon:g} in steps of {t.step:g} year(s)")
    return 0


def _run(args: argparse.Namespace) -> int:
    from sim.config import load_scenario, parse_overrides
    from sim.config.errors import ScenarioError

    overrides = parse_overrides(args.overrides)
    scenario = load_scenario(args.scenario, overrides)
    out = Path(args.out) if args.out else Path("results") / scenario.name
    targets = [out / "trajectories.nc", out / "summary.csv", out / "manifest.json"]
    if any(p.exists() for p in targets) and not args.overwrite:
        raise ScenarioError("already holds results; choose another folder or pass --overwrite", str(out))
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ScenarioError(f"cannot create output folder: {exc.strerror}", str(out)) from None

    import sim
    from sim.plots import save_standard_plots
    from sim.results import package_versions, save
    from sim.summary import format_summary, summary_frame

    runs = args.runs or scenario.runs
    seed = scenario.seed if args.seed is None else args.seed
    started = time.perf_counter()
    results = sim.run(scenario, runs=runs, seed=seed, progress=_progress_bar(runs, args.quiet))
    elapsed = time.perf_counter() - started
    outputs = [save(results, out / "trajectories.nc")]
    summary_frame(results).to_csv(out / "summary.csv", index=False)
    outputs.append(out / "summary.csv")
    if not args.no_plots:
        outputs.extend(save_standard_plots(results, out / "plots"))
    manifest = {
        "scenario_file": str(args.scenario),
        "scenario_name": scenario.name,
        "overrides": {k: v for k, v in overrides.items()},
        "runs": runs,
        "seed": seed,
        "simulation_seconds": round(elapsed, 3),
        "package_versions": package_versions(),
        "command": " ".join(["decoupling", *sys.argv[1:]]) if sys.argv else "decoupling",
        "outputs": [str(p.relative_to(out)) for p in outputs],
        "scenario": json.loads(scenario.model_dump_json()),
    }
    (out / "manifest.json").write_text(json.dumps(manifest, indent=2, default=str) + "\n", encoding="utf-8")
    if not args.quiet:
        print(format_summary(results))
        print(f"\n{runs} runs in {elapsed:.1f} s; results in {out}/ (trajectories.nc, summary.csv, manifest.json"
              + ("" if args.no_plots else ", plots/") + ")")
    return 0


def _progress_bar(runs: int, quiet: bool):
    """A tqdm bar over model steps for long runs; None when quiet or short."""
    if quiet or runs < 500:
        return None
    from tqdm import tqdm

    bar = tqdm(total=None, unit="step", desc="simulating", file=sys.stderr, leave=False)

    def update(done: int, total: int) -> None:
        if bar.total != total:
            bar.total = total
        bar.n = done
        bar.refresh()
        if done >= total:
            bar.close()

    return update


if __name__ == "__main__":
    raise SystemExit(main())

"""Where the spread of an outcome comes from: Sobol indices by source (ODD 8.5; issue 15).

Three sources can make runs differ: the calibrated parameters (a run's posterior draw), the
deep uncertainties the scenario declares (``uncertainties:``, ranges no data narrow) and
the process noise (a run's random streams). Each is one group of a Sobol design over the
unit cube (SALib, Saltelli sampling with groups):

* calibrated parameters: one coordinate u, mapped to a posterior draw by inverting the
  draws' cumulative weights (as ``sim.params.ensemble_columns`` does from its own stream);
* deep uncertainties: one coordinate each, mapped linearly onto its range;
* process noise: one coordinate, mapped to the run's stream id (a different stream is an
  independent draw of every shock).

The counterfactual without restrictive measures runs with the same parameters and streams,
so the cost of decoupling of each design row is a paired difference. First-order (S1) and
total (ST) indices per source come with SALib's bootstrap 95 % intervals. Model
discrepancy is not a source here: it belongs to forecasts (ODD 6.5), not to scenario runs.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim.config.schema import Scenario

SOURCES = ("calibrated parameters", "deep uncertainties", "process noise")
_STREAMS = 2**40  # the noise coordinate picks one of this many streams


def source_problem(scenario: Scenario) -> dict:
    """The SALib problem: one coordinate per posterior, deep uncertainty and noise, grouped by source.

    Sources a scenario does not have (no posterior sample, nothing declared, every
    stochastic process off) are left out.
    """
    names, groups = [], []
    if scenario.ensemble.draws and scenario.ensemble.use == "sample":
        names.append("posterior draw")
        groups.append(SOURCES[0])
    for name in scenario.uncertainties:
        names.append(name)
        groups.append(SOURCES[1])
    stochastic = scenario.stochastic
    if stochastic.noise or stochastic.espionage or stochastic.breakthroughs:
        names.append("streams")
        groups.append(SOURCES[2])
    return {"num_vars": len(names), "names": names, "bounds": [[0.0, 1.0]] * len(names), "groups": groups}


def design_runs(scenario: Scenario, unit: np.ndarray, problem: dict) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """Parameter table and stream ids of the design rows ``unit`` (n, num_vars): ({name: (n,)}, (n,))."""
    table: dict[str, np.ndarray] = {}
    streams = np.arange(len(unit), dtype=np.int64)
    for j, name in enumerate(problem["names"]):
        u = unit[:, j]
        if name == "posterior draw":
            ensemble = scenario.ensemble
            count = len(next(iter(ensemble.draws.values())))
            weights = np.asarray(ensemble.weights, dtype=float) if ensemble.weights else np.ones(count)
            cumulative = np.cumsum(weights) / weights.sum()
            index = np.minimum(np.searchsorted(cumulative, u, side="right"), count - 1)
            for parameter, values in ensemble.draws.items():
                table[parameter] = np.asarray(values, dtype=float)[index]
        elif name == "streams":
            streams = np.minimum((u * _STREAMS).astype(np.int64), _STREAMS - 1)
        else:
            bounds = scenario.uncertainties[name]
            table[name] = bounds.low + u * (bounds.high - bounds.low)
    return table, streams


def _outcomes(scenario: Scenario, table: dict, streams: np.ndarray, seed: int, chunk: int) -> pd.DataFrame:
    from sim.model import DecouplingModel
    from sim.sweep.outcomes import compute_outcomes

    parts = []
    for start in range(0, len(streams), chunk):
        rows = slice(start, start + chunk)
        size = len(streams[rows])
        model = DecouplingModel(
            scenario,
            runs=size,
            rng=seed,
            parameter_table={k: v[rows] for k, v in table.items()},
            seeds=np.full(size, seed),
            streams=streams[rows],
            record="outcomes",
        )
        while model.running:
            model.step()
        parts.append(pd.DataFrame(compute_outcomes(model)))
    return pd.concat(parts, ignore_index=True)


def by_source(scenario: Scenario, samples: int = 256, seed: int = 1, chunk: int = 2000) -> pd.DataFrame:
    """Sobol indices of the cost of decoupling by source, per bloc, measure and report year.

    Columns: ``outcome, bloc, year, measure, source, S1, S1_conf, ST, ST_conf, variance,
    rows``. ``samples`` is Saltelli's base sample size N (a power of two); the design has
    N·(sources + 2) rows, each run with its counterfactual. ``variance`` is the outcome's
    variance over the design (fraction², 0.01 = 1 %).
    """
    import warnings

    from SALib.analyze import sobol as analyze
    from SALib.sample import sobol as sample

    from sim.analysis.compare import counterfactual

    problem = source_problem(scenario)
    if len(set(problem["groups"])) < 2:
        raise ValueError(f"'{scenario.name}' has fewer than two sources of spread: nothing to decompose")
    unit = sample.sample(problem, samples, calc_second_order=False, seed=seed)
    table, streams = design_runs(scenario, unit, problem)
    run, free = (_outcomes(s, table, streams, seed, chunk) for s in (scenario, counterfactual(scenario)))
    rows = []
    for column in run.columns:
        kind, _, rest = column.partition("/")
        if kind not in ("gdp_index", "bloc_index"):
            continue
        bloc, year = rest.rsplit("/", 1)
        cost = 1.0 - run[column].to_numpy(np.float64) / free[column].to_numpy(np.float64)
        if not np.isfinite(cost).all() or cost.var() == 0.0:
            continue  # a run without equilibrium, or nothing varies: no index to estimate
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # SALib warns of negative index estimates at small N
            indices = analyze.analyze(problem, cost, calc_second_order=False, seed=seed)
        for i, source in enumerate(dict.fromkeys(problem["groups"])):
            rows.append(
                {
                    "outcome": "cost of decoupling",
                    "measure": "gdp" if kind == "gdp_index" else "capability",
                    "bloc": bloc,
                    "year": float(year),
                    "source": source,
                    "S1": indices["S1"][i],
                    "S1_conf": indices["S1_conf"][i],
                    "ST": indices["ST"][i],
                    "ST_conf": indices["ST_conf"][i],
                    "variance": float(cost.var()),
                    "rows": len(cost),
                }
            )
    return pd.DataFrame(rows)


def format_sources(table: pd.DataFrame, scenario: str, year: float, measure: str = "gdp") -> str:
    """Lines for the printed comparison: each bloc's total index by source, with its 95 % interval."""
    chosen = table[(table["year"] == year) & (table["measure"] == measure)]
    if chosen.empty:
        return ""
    n = int(chosen["rows"].iloc[0])
    lines = [
        f"  where the spread of {scenario}'s {measure.upper() if measure == 'gdp' else measure} cost in {year:.0f} "
        f"comes from (Sobol total index ST [95 %], {n} runs and as many counterfactuals):"
    ]
    for bloc, group in chosen.groupby("bloc", sort=False):
        parts = [
            f"{r.source} {r.ST:.2f} [{max(r.ST - r.ST_conf, 0):.2f}, {r.ST + r.ST_conf:.2f}]"
            for r in group.itertuples()
        ]
        lines.append(f"    {bloc:<8} sd {np.sqrt(group['variance'].iloc[0]):.2%}: " + ", ".join(parts))
    return "\n".join(lines)

"""Leave-future-out validation with rolling origins, under the protocol of ODD section 6.5.

For each origin year: calibrate on the observations up to it (ABC-SMC, priors resolved
for that window), run the posterior ensemble (parameters drawn from that posterior, each
run its own random streams), and score every later observation against the naive
baselines fitted on the same in-sample data (``sim.observe.hindcast``). Sub-annual rows
are averaged to calendar years first. The scenario's own shipped posterior is removed
first: it was fitted on later data and would leak the future into the forecast.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

import sim
from sim.config.ensemble import EnsembleSpec
from sim.config.schema import Scenario
from sim.observe.calibrate import Calibration, calibrate, read_priors, window_scenario
from sim.observe.data import Observation, Operator, calendar_years
from sim.observe.evaluate import bootstrap_intervals, summarise
from sim.observe.hindcast import Hindcast, hindcast


@dataclass
class Backtest:
    """Per-origin calibrations and hindcasts, the pooled table and the pooled scores."""

    calibrations: dict[int, Calibration]
    hindcasts: dict[int, Hindcast]
    table: pd.DataFrame  # every scored row of every origin, with an ``origin`` column
    overall: pd.DataFrame  # one row: scores pooled over origins
    by_origin: pd.DataFrame
    by_series: pd.DataFrame
    intervals: pd.DataFrame  # cluster-bootstrap 90 % intervals of the pooled headline scores


def posterior_scenario(scenario: Scenario, calibration: Calibration) -> Scenario:
    """The scenario whose runs draw their parameters from a calibration's weighted particles."""
    columns = [c for c in calibration.posterior.columns if c.startswith("parameters.")]
    ensemble = EnsembleSpec(
        use="sample",
        fitted_until=calibration.until,
        draws={c.removeprefix("parameters."): calibration.posterior[c].tolist() for c in columns},
        weights=calibration.posterior["weight"].tolist(),
    )
    return scenario.model_copy(update={"ensemble": ensemble})


def backtest(
    scenario: Scenario,
    observations: list[Observation],
    operators: dict[str, Operator],
    origins: list[int],
    priors: dict[str, Any] | str | Path,
    simulations: int = 50_000,
    particles: int = 1000,
    runs: int = 200,
    seed: int = 1,
) -> Backtest:
    """Calibrate at each origin and score the later observations; see the module docstring.

    ``priors`` is a priors file (resolved per origin: the convergence prior uses data up to
    it) or priors already read (used at every origin).
    """
    clean = scenario.model_copy(update={"ensemble": EnsembleSpec()})
    observations = calendar_years(observations)
    last_year = max(o.year for o in observations)
    calibrations, hindcasts, tables = {}, {}, []
    for origin in origins:
        window_priors = read_priors(priors, origin) if isinstance(priors, str | Path) else priors
        calibration = calibrate(
            clean,
            observations,
            operators,
            origin,
            window_priors,
            simulations=simulations,
            particles=particles,
            seed=seed,
            sensitivity_runs=0,  # the forecast does not need them; `decoupling calibrate` writes them
        )
        forecast = window_scenario(posterior_scenario(clean, calibration), last_year)
        forecast = forecast.model_copy(update={"ensemble": forecast.ensemble.model_copy(update={"use": "sample"})})
        ds = sim.run(forecast, runs=runs, seed=seed, record="dynamics")  # no GDP: nothing here reads it
        result = hindcast(ds, forecast, observations, operators, origin)
        calibrations[origin], hindcasts[origin] = calibration, result
        tables.append(result.table.assign(origin=origin))
    table = pd.concat(tables, ignore_index=True)
    return Backtest(
        calibrations,
        hindcasts,
        table,
        summarise(table),
        summarise(table, ["origin"]),
        summarise(table, ["series"]),
        bootstrap_intervals(table, seed=seed),
    )


def headline(overall: pd.DataFrame) -> dict[str, float]:
    """The figures the issue's acceptance names, from a one-row summary."""
    row = overall.iloc[0] if len(overall) else pd.Series(dtype=float)
    keys = (
        "rows",
        "coverage90_model",
        "coverage50_model",
        "relative_wis_trend",
        "relative_wis_persistence",
        "relative_wis_damped",
        "relative_wis_best",
        "geometric_wis_ratio_best",
    )
    out = {k: float(row.get(k, np.nan)) for k in keys}
    out["directions_model"] = float(row.get("directions_model", np.nan))
    return out

"""Calibration by approximate Bayesian computation (rejection), over the vectorised batch.

Draws come from the priors (a Latin hypercube in the unit cube, through each prior's
quantile function); each draw is one run of the scenario (its own random stream), all
simulated as one batch. The distance of a draw is the root mean square of log residuals
between observations in the calibration window and the draw's predictions, after fitting
the scale of each ``scale: fit`` series for that draw. The accepted share of draws with
the smallest distances is the posterior sample (rejection ABC; Beaumont et al. 2002
without regression adjustment). Only model parameters (``parameters.*``) can be
calibrated: they vary within one batch.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from pydantic import TypeAdapter, ValidationError
from scipy.stats import qmc

import sim
from sim.config.errors import ScenarioError
from sim.config.loader import located_validation_error
from sim.config.parameters import PARAMETER_NAMES, parameter_metadata
from sim.config.schema import Scenario
from sim.config.yamlio import read_yaml_file
from sim.observe.data import Observation, Operator
from sim.observe.hindcast import log_scales, map_rows, predictions
from sim.sweep.design import quantile
from sim.sweep.spec import Distribution

PRIORS = TypeAdapter(dict[str, Distribution])


def read_priors(path: str | Path) -> dict[str, Any]:
    """A YAML mapping ``parameters.NAME: {distribution: ..., ...}``, validated and located."""
    path = Path(path)
    data, origins = read_yaml_file(path)
    if not isinstance(data, dict) or not data:
        raise ScenarioError("a priors file maps parameters.NAME to a distribution", str(path), (), 1)
    try:
        priors = PRIORS.validate_python(data)
    except ValidationError as exc:
        raise located_validation_error(exc, origins, str(path)) from None
    for key, prior in priors.items():
        name = key.removeprefix("parameters.")
        if not key.startswith("parameters.") or name not in PARAMETER_NAMES:
            raise ScenarioError(
                "only model parameters (parameters.NAME) can be calibrated",
                str(path),
                (key,),
                origins.get((key,), (None, None))[1],
            )
        meta = parameter_metadata(name)
        low, high = getattr(prior, "low", None), getattr(prior, "high", None)
        if (low is not None and low < meta["ge"]) or (high is not None and high > meta["le"]):
            raise ScenarioError(
                f"prior range exceeds what the model accepts, [{meta['ge']}, {meta['le']}]",
                str(path),
                (key,),
                origins.get((key,), (None, None))[1],
            )
    return priors


@dataclass
class Calibration:
    """Prior draws, accepted posterior draws, their distances and the posterior medians."""

    draws: pd.DataFrame  # every draw: parameter values and distance
    posterior: pd.DataFrame  # the accepted draws
    estimates: dict[str, float]  # posterior medians (model parameter name -> value)
    rows: int  # observations in the calibration window that inform the distance


def calibrate(
    scenario: Scenario,
    observations: list[Observation],
    operators: dict[str, Operator],
    until: float,
    priors: dict[str, Any],
    draws: int = 2000,
    accept: float = 0.05,
    seed: int = 1,
    progress=None,
) -> Calibration:
    """Calibrate a scenario on observations (rejection ABC); see the module docstring."""
    if not 0 < accept <= 1:
        raise ScenarioError(f"accept must lie in (0, 1], got {accept}", "calibrate", ("accept",))
    names = list(priors)
    unit = qmc.LatinHypercube(d=len(names), rng=np.random.default_rng([seed, 4242])).random(draws)
    values = {key: quantile(priors[key], unit[:, j]) for j, key in enumerate(names)}
    table = {key.removeprefix("parameters."): v for key, v in values.items()}
    start, horizon = scenario.time.start, scenario.time.horizon
    window = [o for o in observations if start <= o.year <= until]
    mapped, _ = map_rows(window, operators, scenario, np.arange(start, horizon + 1))
    if not mapped:
        raise ScenarioError(
            f"no observation up to {until:g} maps onto the model; nothing to calibrate on", "calibrate", ("until",)
        )
    results = sim.run(scenario, runs=draws, seed=seed, parameter_table=table, progress=progress)
    raw = predictions(results, mapped)  # (rows, draws)
    scales, unfit_rows = log_scales(mapped, raw, until)
    unfit = set(unfit_rows)
    informative = [i for i in range(len(mapped)) if i not in unfit]
    observed = np.log([mapped[i].obs.value for i in informative])
    residual = observed[:, None] - np.log(np.maximum(raw[informative], 1e-300)) - scales[informative]
    # A fitted group with one row fits exactly and tells nothing; only the others inform the distance.
    counts = pd.Series([str(mapped[i].group) for i in informative]).value_counts()
    useful = np.array([mapped[i].group is None or counts[str(mapped[i].group)] > 1 for i in informative])
    if not useful.any():
        raise ScenarioError(
            "no observation in the window constrains the parameters (every fitted series has one row)",
            "calibrate",
            ("until",),
        )
    distance = np.sqrt((residual[useful] ** 2).mean(axis=0))
    frame = pd.DataFrame(values).assign(distance=distance)
    keep = max(1, int(round(accept * draws)))
    posterior = frame.nsmallest(keep, "distance")
    estimates = {key.removeprefix("parameters."): float(posterior[key].median()) for key in names}
    return Calibration(frame, posterior, estimates, int(useful.sum()))


def overlay_text(
    scenario_path: Path, out_dir: Path, name: str, estimates: dict[str, float], until: float, accepted: int, draws: int
) -> str:
    """A scenario file that extends the calibrated scenario with the posterior medians."""
    import os

    relative = os.path.relpath(scenario_path.resolve(), out_dir.resolve())
    lines = [
        f"# Calibrated by rejection ABC on observations up to {until:g}: posterior medians of",
        f"# {accepted} accepted draws out of {draws}. Produced by `decoupling calibrate`.",
        f"extends: {relative}",
        f"name: {name}_calibrated",
        "parameters:",
    ]
    lines += [f"  {key}: {value:.6g}" for key, value in estimates.items()]
    return "\n".join(lines) + "\n"

"""Calibration by sequential Monte Carlo ABC over the vectorised batch, on summary statistics.

Each SMC generation's proposals are simulated as one batch of runs of the scenario with
per-run parameters (``sim.observe.smc``); each simulation has its own random stream. A
draw is summarised by the moments of ``sim.observe.moments``: growth rates of every series
(scale-free), anchored levels of the series whose operators fix their scale, and the
natural experiments of ``sim.observe.events``. Each moment's residual (observed − model)
is divided by its scale s = √(noise² + misfit² + floor²): the sd of the model's moment over
runs that differ only in their random streams (``NOISE_RUNS`` at the prior median), the
smallest misfit any prior draw of the pilot reaches (its 10 % quantile of the absolute residual: the
discrepancy no parameter removes), and a floor per block (about measurement error). Under
a Gaussian discrepancy this makes the distance an approximate likelihood (Wilkinson
2013), while a moment the parameters move keeps its weight. The distance weighs the three
blocks equally (``sim.observe.moments.block_distance``), so hundreds of growth rates do not
drown five events. Runs stop one year after the window (the model up to a year does not
depend on the horizon; tests/test_calibration.py).

The result: the weighted particles of the last generation (the posterior), the prior
draws of generation 0, each generation's tolerance and acceptance, and what the data
identify (``sim.observe.identification``: posterior against prior, contraction by data
block, local sensitivities). Only model parameters (``parameters.*``) can be calibrated:
they vary within one batch. A prior ``{distribution: convergence}`` for ``catch_up_scale``
is the cross-country estimate of ``sim.observe.convergence`` on data up to the window's end.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from pydantic import TypeAdapter, ValidationError
from scipy.stats import qmc

from sim.config.errors import ScenarioError
from sim.config.loader import located_validation_error
from sim.config.parameters import PARAMETER_NAMES, parameter_metadata
from sim.config.schema import Scenario
from sim.config.yamlio import read_yaml_file
from sim.observe import output_bound
from sim.observe.data import Observation, Operator
from sim.observe.hindcast import map_rows, predictions
from sim.observe.identification import block_contraction, local_sensitivities, parameter_table
from sim.observe.moments import Moments, block_distance, combine, event_moments, series_moments
from sim.observe.smc import abc_smc, effective_sample_size
from sim.sweep.design import frozen_distribution
from sim.sweep.spec import Distribution

PRIORS = TypeAdapter(dict[str, Distribution])
BLOCK_FLOOR = {"growth": 0.01, "level": 0.05, "events": 0.02}  # log units (a year's growth, a level, an event)
MISFIT_QUANTILE = 0.1  # the misfit no parameter removes: this quantile over the pilot's prior draws of |residual|
NOISE_RUNS = 40  # runs at the prior median that differ only in their random streams: each moment's noise
BATCH = 2000  # runs simulated at once: about 1 GB of trajectories to 2022, the same speed as larger batches
PILOT_SHARE = 0.1  # share of the budget (at most 2,000 runs) spent on prior draws that set the scales
EVIDENCE_PRIORS = {"convergence": "catch_up_scale"}  # evidence-based prior -> the one parameter it is for


def read_priors(path: str | Path, until: float = 2021) -> dict[str, Any]:
    """A YAML mapping ``parameters.NAME: {distribution: ..., ...}``, validated and located.

    ``{distribution: convergence}`` (for ``catch_up_scale`` only) is the cross-country
    estimate of ``sim.observe.convergence`` on articles up to ``until``.
    """
    path = Path(path)
    data, origins = read_yaml_file(path)
    if not isinstance(data, dict) or not data:
        raise ScenarioError("a priors file maps parameters.NAME to a distribution", str(path), (), 1)
    data = dict(data)
    for key, value in data.items():
        kind = value.get("distribution") if isinstance(value, dict) else None
        if kind in EVIDENCE_PRIORS:
            line = origins.get((key,), (None, None))[1]
            if key != f"parameters.{EVIDENCE_PRIORS[kind]}" or len(value) != 1:
                raise ScenarioError(
                    f"'{kind}' is the prior of parameters.{EVIDENCE_PRIORS[kind]} only, with no other keys",
                    str(path),
                    (key,),
                    line,
                )
            from sim.observe.convergence import prior

            data[key] = prior(int(math.floor(until)))
    try:
        priors = PRIORS.validate_python(data)
    except ValidationError as exc:
        raise located_validation_error(exc, origins, str(path)) from None
    for key, distribution in priors.items():
        name = key.removeprefix("parameters.")
        line = origins.get((key,), (None, None))[1]
        if not key.startswith("parameters.") or name not in PARAMETER_NAMES:
            raise ScenarioError("only model parameters (parameters.NAME) can be calibrated", str(path), (key,), line)
        meta = parameter_metadata(name)
        support = frozen_distribution(distribution).support()
        if support[0] < meta["ge"] or support[1] > meta["le"]:
            raise ScenarioError(
                f"prior range exceeds what the model accepts, [{meta['ge']}, {meta['le']}]"
                + (" (bound a normal prior with low and high)" if not np.all(np.isfinite(support)) else ""),
                str(path),
                (key,),
                line,
            )
    return priors


@dataclass
class Calibration:
    """The SMC result in tables: posterior, prior draws, generations, identification."""

    posterior: pd.DataFrame  # parameters.NAME..., weight, distance: the last generation
    prior_draws: pd.DataFrame  # generation 0: parameters.NAME..., distance
    generations: pd.DataFrame  # generation, epsilon, simulations, acceptance, ess
    identification: pd.DataFrame  # per parameter: prior and posterior mean, sd, 5-95 %, ratios, informed_by
    moments: pd.DataFrame  # per moment: name, block, observed, noise, misfit, scale
    blocks: pd.DataFrame  # per parameter and block: the 90 % interval ratio of rejection on that block alone
    sensitivity: pd.DataFrame  # per parameter and moment: standardised local sensitivity at the posterior mean
    rows: int  # mapped observations in the window
    simulations: int
    stopped_because: str
    until: float  # last year of the calibration window
    output_bound: pd.DataFrame | None = None  # Russia's output bound (sim.observe.output_bound), when it applies

    @property
    def estimates(self) -> dict[str, float]:
        """Weighted posterior means (model parameter name -> value)."""
        weights = self.posterior["weight"].to_numpy()
        return {
            c.removeprefix("parameters."): float(weights @ self.posterior[c].to_numpy())
            for c in self.posterior.columns
            if c.startswith("parameters.")
        }


def window_scenario(scenario: Scenario, until: float) -> Scenario:
    """The scenario cut at the window's last year, with the ensemble at its mean (priors vary instead)."""
    # One step past the window, so that the branch (where the scenario's own policies replace
    # history) falls after every year the window observes.
    horizon = min(math.ceil(until) + scenario.time.step, scenario.time.horizon)
    time = scenario.time.model_copy(update={"horizon": horizon, "branch_year": min(scenario.time.branch_year, horizon)})
    report = [y for y in scenario.metrics.report_years if y <= horizon] or [horizon]
    return scenario.model_copy(
        update={
            "time": time,
            "metrics": scenario.metrics.model_copy(update={"report_years": report}),
            "ensemble": scenario.ensemble.model_copy(update={"use": "mean"}),
        }
    )


def moment_scales(pilot: Moments, noise: Moments) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(M,) noise sd, misfit and scale s = √(noise² + misfit² + floor²) of each moment (module docstring)."""
    noise_sd = noise.model.std(axis=1, ddof=1) if noise.model.shape[1] > 1 else np.zeros(len(noise.names))
    misfit = np.quantile(np.abs(pilot.residuals), MISFIT_QUANTILE, axis=1)
    floor = np.array([BLOCK_FLOOR[b] for b in pilot.blocks])
    return noise_sd, misfit, np.sqrt(noise_sd**2 + misfit**2 + floor**2)


def calibrate(
    scenario: Scenario,
    observations: list[Observation],
    operators: dict[str, Operator],
    until: float,
    priors: dict[str, Any],
    simulations: int = 50_000,
    particles: int = 1000,
    seed: int = 1,
    progress=None,
    sensitivity_runs: int = 20,
) -> Calibration:
    """Calibrate a scenario on observations up to ``until`` by ABC-SMC; see the module docstring."""
    from sim.model import DecouplingModel
    from sim.results import to_dataset

    if particles < 10:
        raise ScenarioError(f"particles must be at least 10, got {particles}", "calibrate", ("particles",))
    if simulations < 2 * particles:
        raise ScenarioError(
            f"{simulations} simulations cannot fill two generations of {particles} particles",
            "calibrate",
            ("simulations",),
        )
    cut = window_scenario(scenario, until)
    window = [o for o in observations if cut.time.start <= o.year <= until]
    mapped, _ = map_rows(window, operators, cut, np.arange(cut.time.start, cut.time.horizon + 1))
    if not mapped:
        raise ScenarioError(
            f"no observation up to {until:g} maps onto the model; nothing to calibrate on", "calibrate", ("until",)
        )
    keys = list(priors)
    names = [k.removeprefix("parameters.") for k in keys]
    observed_events: dict[str, float] = {}

    def moments_of(theta: np.ndarray, first: int) -> Moments:
        table = {name: theta[:, j] for j, name in enumerate(names)}
        model = DecouplingModel(
            cut, runs=len(theta), rng=seed, first_run=first, parameter_table=table, record="dynamics"
        )
        model.run_to_end()
        ds = to_dataset(model, with_metrics=False)
        return combine(
            series_moments(mapped, predictions(ds, mapped), until), event_moments(ds, until, observed_events)
        )

    rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(0xABC,)))
    frozen = [frozen_distribution(priors[k]) for k in keys]
    # Pilot: prior draws on the first run streams, then the noise runs; the SMC's simulations
    # take the streams after them, so no two simulations share their luck.
    pilot = pilot_size(simulations)
    unit = qmc.LatinHypercube(d=len(keys), rng=rng).random(pilot)
    pilot_theta = np.column_stack([f.ppf(unit[:, j]) for j, f in enumerate(frozen)])
    pilot_moments = moments_of(pilot_theta, 0)
    if not pilot_moments.names:
        raise ScenarioError(
            "no moment in the window constrains the parameters (every series has fewer than three years "
            "and a fitted scale, and no natural experiment ends by then)",
            "calibrate",
            ("until",),
        )
    median = np.array([[f.median() for f in frozen]])
    noise_moments = moments_of(np.repeat(median, NOISE_RUNS, axis=0), pilot)
    noise_sd, misfit, scale = moment_scales(pilot_moments, noise_moments)
    blocks = pilot_moments.blocks

    def simulate(theta: np.ndarray, first: int) -> np.ndarray:
        return block_distance(moments_of(theta, pilot + NOISE_RUNS + first).residuals, scale, blocks)

    used = pilot + NOISE_RUNS
    if progress:
        progress(used, simulations)
    done = (lambda n, total: progress(used + n, total)) if progress else None
    result = abc_smc(
        simulate, frozen, particles=particles, budget=simulations - used, rng=rng, batch=BATCH, progress=done
    )
    result.simulations += used
    final = result.final
    weights, bound_table = final.weights, None
    if output_bound.applies(scenario, until):
        keyed = pd.DataFrame(final.particles, columns=keys).assign(weight=final.weights)
        prior_keyed = pd.DataFrame(pilot_theta, columns=keys)
        check = output_bound.apply_bound(scenario, keyed, seed, prior_keyed, first_run=result.simulations)
        weights, bound_table = check.weights, check.table
    centre = weights @ final.particles
    sensitivity = (
        local_sensitivities(moments_of, centre, frozen, names, scale, pilot_moments, sensitivity_runs)
        if sensitivity_runs
        else pd.DataFrame(columns=["parameter", "moment", "block", "sensitivity"])
    )
    moments = pd.DataFrame(
        {
            "moment": pilot_moments.names,
            "block": blocks,
            "observed": pilot_moments.observed,
            "noise_sd": noise_sd,
            "misfit": misfit,
            "scale": scale,
        }
    )
    contraction = block_contraction(pilot_theta, pilot_moments.residuals, scale, blocks, names)
    posterior = pd.DataFrame(final.particles, columns=keys).assign(weight=weights, distance=final.distances)
    prior_draws = pd.DataFrame(result.prior_draws, columns=keys).assign(distance=result.prior_distances)
    return Calibration(
        posterior=posterior,
        prior_draws=prior_draws,
        generations=pd.DataFrame(
            [
                {
                    "generation": g,
                    "epsilon": gen.epsilon,
                    "simulations": gen.simulations,
                    "acceptance": gen.acceptance,
                    "ess": effective_sample_size(gen.weights),
                }
                for g, gen in enumerate(result.generations)
            ]
        ),  # fmt: skip
        identification=parameter_table(final.particles, weights, frozen, names, contraction),
        moments=moments,
        blocks=contraction,
        sensitivity=sensitivity,
        rows=len(mapped),
        simulations=result.simulations,
        stopped_because=result.stopped_because,
        until=float(until),
        output_bound=bound_table,
    )


def pilot_size(simulations: int) -> int:
    """Prior draws of the pilot that sets the scales: ``PILOT_SHARE`` of the budget, 10 to 2,000."""
    return max(min(int(PILOT_SHARE * simulations), 2000), 10)


def posterior_sample(posterior: pd.DataFrame, runs: int, seed: int) -> dict[str, np.ndarray]:
    """A parameter table of ``runs`` rows drawn from weighted particles (for predictive checks)."""
    rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(0xC4EC,)))
    index = rng.choice(len(posterior), size=runs, p=posterior["weight"].to_numpy() / posterior["weight"].sum())
    return {
        c.removeprefix("parameters."): posterior[c].to_numpy()[index]
        for c in posterior.columns
        if c.startswith("parameters.")
    }


def predictive_check(table: pd.DataFrame) -> dict[str, float]:
    """In-window coverage of the 50 % and 90 % intervals, median absolute log error and mean WIS (log scale)."""
    from sim.observe import scoring

    window = table[table["window"] == "calibration"]
    if window.empty:
        return {"rows": 0.0}
    quantiles = np.log(window[[f"q{level:g}" for level in scoring.LEVELS]].to_numpy(float))
    observed = np.log(window["observed"].to_numpy(float))
    return {
        "rows": float(len(window)),
        "coverage50": float(scoring.covered(quantiles, observed, 0.5).mean()),
        "coverage90": float(scoring.covered(quantiles, observed, 0.9).mean()),
        "median_abs_log_error": float(np.median(np.abs(quantiles[:, scoring.MEDIAN] - observed))),
        "mean_wis": float(scoring.weighted_interval_score(quantiles, observed).mean()),
    }


def overlay_text(
    scenario_path: Path, out_dir: Path, name: str, until: float, calibration: Calibration, seed: int
) -> str:
    """A scenario file that extends the calibrated scenario and draws its runs from the posterior."""
    import os

    relative = os.path.relpath(scenario_path.resolve(), out_dir.resolve())
    return "\n".join(
        [
            f"# Calibrated by ABC-SMC on observations up to {until:g}: {len(calibration.posterior)} weighted",
            f"# particles after {calibration.simulations:,} simulations (seed {seed}). Produced by",
            "# `decoupling calibrate`. Each run draws its parameters from posterior.csv by weight;",
            "# `--set ensemble.use=mean` runs the posterior mean instead.",
            f"extends: {relative}",
            f"name: {name}_calibrated",
            "ensemble:",
            "  posterior: posterior.csv",
            "  use: sample",
            f"  fitted_until: {until:g}",
            "",
        ]
    )

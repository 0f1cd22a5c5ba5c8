"""Calibration by sequential Monte Carlo ABC over the vectorised batch.

Each SMC generation's proposals are simulated as one batch of runs of the scenario with
per-run parameters (``sim.observe.smc``); each simulation has its own random stream. A
draw's residuals are the log differences between the calibration window's observations
and the draw's predictions, after fitting the scale of each ``scale: fit`` series for that
draw; a fitted series with one row fits exactly and tells nothing, so only the others
count. Its distance is the root mean square of the residuals, each standardised by its
series' misfit scale (the median RMS residual of that series over a pilot of prior draws,
floored at ``MIN_SCALE``). Unstandardised, the few badly mapped series (5G base stations,
AI investment: log errors near 1 whatever the parameters) swamp the rows the parameters
move, and the posterior equals the prior; standardised, the distance approximates the
likelihood under the discrepancy model (Wilkinson 2013, "ABC gives exact results under
the assumption of model error"). Runs stop one year after the window (the model up to a
year does not depend on the horizon; tests/test_calibration.py).

The result: the weighted particles of the last generation (the posterior), the prior
draws of generation 0, each generation's tolerance and acceptance, which parameters the
data identify (posterior sd against prior sd), and prior- and posterior-predictive checks
of the window (``predictive_check``). Only model parameters (``parameters.*``) can be
calibrated: they vary within one batch.
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
from sim.observe.data import Observation, Operator
from sim.observe.hindcast import MappedRow, log_scales, map_rows, predictions
from sim.observe.smc import SMCResult, abc_smc, effective_sample_size, weighted_covariance
from sim.sweep.design import frozen_distribution
from sim.sweep.spec import Distribution

PRIORS = TypeAdapter(dict[str, Distribution])
INFORMED_RATIO = 0.7  # a posterior sd below this share of the prior sd counts as informed by the data
MIN_SCALE = 0.05  # log units: floor of a series' misfit scale in the distance (about measurement error)
BATCH = 2000  # runs simulated at once: about 1 GB of trajectories to 2022, the same speed as larger batches
PILOT_SHARE = 0.05  # share of the budget (at most 1,000 runs) spent on prior draws that set the scales


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
        line = origins.get((key,), (None, None))[1]
        if not key.startswith("parameters.") or name not in PARAMETER_NAMES:
            raise ScenarioError("only model parameters (parameters.NAME) can be calibrated", str(path), (key,), line)
        meta = parameter_metadata(name)
        support = frozen_distribution(prior).support()
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
    identification: pd.DataFrame  # per parameter: prior and posterior mean, sd, 5-95 %, sd ratio, informed
    rows: int  # observations in the window that inform the distance
    simulations: int
    stopped_because: str
    misfit_scales: pd.DataFrame  # series, scale: the standardisation of the distance
    until: float  # last year of the calibration window

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


def informative_rows(mapped: list[MappedRow], until: float) -> list[int]:
    """Rows that constrain parameters: in the window, with a fixed scale or a fitted group of two or more."""
    window = [i for i, r in enumerate(mapped) if r.obs.year <= until]
    counts = pd.Series([str(mapped[i].group) for i in window]).value_counts()
    return [i for i in window if mapped[i].group is None or counts[str(mapped[i].group)] > 1]


def residuals(raw: np.ndarray, mapped: list[MappedRow], until: float, rows: list[int]) -> np.ndarray:
    """Log residuals (observed − predicted, scales fitted per run) of the informative rows: (len(rows), runs)."""
    window = [i for i, r in enumerate(mapped) if r.obs.year <= until]
    sub = [mapped[i] for i in window]
    scales, _ = log_scales(sub, raw[window], until)
    position = {i: k for k, i in enumerate(window)}
    picked = [position[i] for i in rows]
    observed = np.log([sub[k].obs.value for k in picked])
    return observed[:, None] - np.log(np.maximum(raw[window][picked], 1e-300)) - scales[picked]


def series_scales(residual: np.ndarray, series: list[str]) -> np.ndarray:
    """(rows,) misfit scale of each row's series: the median over pilot runs of its RMS residual.

    Floored at ``MIN_SCALE``: a series the model fits to within measurement error should
    not outweigh every other one.
    """
    out = np.empty(len(series))
    for name in set(series):
        members = [i for i, s in enumerate(series) if s == name]
        rms = np.sqrt((residual[members] ** 2).mean(axis=0))
        out[members] = max(float(np.median(rms)), MIN_SCALE)
    return out


def distances(residual: np.ndarray, scale: np.ndarray) -> np.ndarray:
    """(runs,) RMS of residuals standardised by their series' misfit scale."""
    return np.sqrt(((residual / scale[:, None]) ** 2).mean(axis=0))


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
    rows = informative_rows(mapped, until)
    if not rows:
        raise ScenarioError(
            "no observation in the window constrains the parameters (every fitted series has one row)",
            "calibrate",
            ("until",),
        )
    keys = list(priors)
    names = [k.removeprefix("parameters.") for k in keys]

    def residuals_of(theta: np.ndarray, first: int) -> np.ndarray:
        table = {name: theta[:, j] for j, name in enumerate(names)}
        model = DecouplingModel(cut, runs=len(theta), rng=seed, first_run=first, parameter_table=table)
        model.run_to_end()
        return residuals(predictions(to_dataset(model, with_metrics=False), mapped), mapped, until, rows)

    rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(0xABC,)))
    frozen = [frozen_distribution(priors[k]) for k in keys]
    # Pilot: prior draws on the first run streams set each series' misfit scale; the SMC's
    # simulations take the streams after them, so no two simulations share their luck.
    pilot = pilot_size(simulations)
    unit = qmc.LatinHypercube(d=len(keys), rng=rng).random(pilot)
    pilot_theta = np.column_stack([f.ppf(unit[:, j]) for j, f in enumerate(frozen)])
    scale = series_scales(residuals_of(pilot_theta, 0), [mapped[i].obs.series for i in rows])

    def simulate(theta: np.ndarray, first: int) -> np.ndarray:
        return distances(residuals_of(theta, pilot + first), scale)

    if progress:
        progress(pilot, simulations)
    done = (lambda n, total: progress(pilot + n, total)) if progress else None
    result = abc_smc(
        simulate, frozen, particles=particles, budget=simulations - pilot, rng=rng, batch=BATCH, progress=done
    )
    result.simulations += pilot
    misfit = pd.DataFrame({"series": [mapped[i].obs.series for i in rows], "scale": scale}).drop_duplicates("series")
    return _tables(result, keys, frozen, len(rows), misfit, float(until))


def pilot_size(simulations: int) -> int:
    """Prior draws of the pilot that sets the misfit scales: ``PILOT_SHARE`` of the budget, 10 to 1,000."""
    return max(min(int(PILOT_SHARE * simulations), 1000), 10)


def _tables(
    result: SMCResult, keys: list[str], frozen: list[Any], rows: int, misfit: pd.DataFrame, until: float
) -> Calibration:
    final = result.final
    posterior = pd.DataFrame(final.particles, columns=keys).assign(weight=final.weights, distance=final.distances)
    prior_draws = pd.DataFrame(result.prior_draws, columns=keys).assign(distance=result.prior_distances)
    generations = pd.DataFrame(
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
    )
    sd = np.sqrt(np.diag(weighted_covariance(final.particles, final.weights)))
    records = []
    for j, key in enumerate(keys):
        order = np.argsort(final.particles[:, j])
        cumulative = np.cumsum(final.weights[order])
        low, high = (final.particles[order, j][np.searchsorted(cumulative, q)] for q in (0.05, 0.95))
        ratio = float(sd[j] / frozen[j].std())
        records.append(
            {
                "parameter": key.removeprefix("parameters."),
                "prior_mean": float(frozen[j].mean()),
                "prior_sd": float(frozen[j].std()),
                "prior_q05": float(frozen[j].ppf(0.05)),
                "prior_q95": float(frozen[j].ppf(0.95)),
                "posterior_mean": float(final.weights @ final.particles[:, j]),
                "posterior_sd": float(sd[j]),
                "posterior_q05": float(low),
                "posterior_q95": float(high),
                "sd_ratio": ratio,
                "informed": ratio < INFORMED_RATIO,
            }
        )
    return Calibration(
        posterior,
        prior_draws,
        generations,
        pd.DataFrame(records),
        rows,
        result.simulations,
        result.stopped_because,
        misfit,
        until,
    )


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
    """In-window coverage of the 50 % and 90 % intervals, median |log error| and mean WIS (log scale)."""
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

"""Russia against its own economy: its output after 2014 bounds what the model's 2014 acts may cost (ODD 6.7).

The series is Russia's real GDP (World Bank WDI, ``NY.GDP.MKTP.KD.ZG``, to 2021;
``seeds/data/panel/wdi_gdp_growth_russia.csv``). By 2017 it lay ``trend_break`` below its
2010-2013 trend. Most of that fall was the oil price: Gurvich and Prilepskiy (2015, Russian
Journal of Economics 1(4)) estimate the oil shock's effect on GDP at 3.3 times the
sanctions' by 2017, so the sanctions' share of the break is 1 / (1 + 3.3). The model's GDP
carries only the technology channel of the sanctions (inputs, knowledge flows, the R&D
budget; ODD 7.12), not their capital-flow channel, so the data do not say what the model's
cost should be, only what it may not exceed: the GDP the model loses to the 2014 acts by
2017 must stay within the sanctions' whole share of the observed break. A one-sided bound.

The model's counterpart needs a counterfactual: each run is paired with a twin that has the
same parameters and random streams (common random numbers) and the act's coverage at zero.
The bound conditions the posterior exactly: particles whose cost exceeds it get weight zero
(an indicator likelihood applied to the SMC's weighted particles).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import xarray as xr

from sim.config.errors import ScenarioError
from sim.config.schema import Scenario
from sim.observe.events import trend_break
from sim.observe.panels import PANEL
from sim.periods import over_period

SERIES = "wdi_gdp_growth_russia.csv"
ACT = "russia_2014"
ACTOR = "Russia"
BASE_YEAR = 2013
PRE_TREND = (2010, 2013)  # after the 2009 crash, before the 2014 acts
YEAR = 2017
OIL_TO_SANCTIONS = 3.3  # Gurvich and Prilepskiy (2015): the oil shock's GDP effect by 2017 over the sanctions'


def observed_logs() -> dict[int, float]:
    """Russia's log real GDP by year, 2004 = 0 (cumulated WDI growth rates)."""
    growth = pd.read_csv(PANEL / SERIES).set_index("year")["value"]
    return np.log1p(growth / 100.0).cumsum().to_dict()


def observed_break() -> float:
    """Log real GDP in ``YEAR`` minus its ``PRE_TREND`` extrapolated from ``BASE_YEAR``."""
    return float(trend_break(observed_logs(), BASE_YEAR, PRE_TREND, (YEAR, YEAR)))


def bound() -> float:
    """The most (a negative log change) the 2014 acts may cost Russia's GDP by ``YEAR``."""
    return observed_break() / (1.0 + OIL_TO_SANCTIONS)


def applies(scenario: Scenario, until: float) -> bool:
    """Whether a calibration up to ``until`` holds the bound: Russia modelled, its 2014 acts replayed, 2017 seen."""
    history = scenario.history
    return until >= YEAR and ACTOR in scenario.actors and history.replay and history.restrictions


def act_gdp_cost(
    scenario: Scenario,
    table: dict[str, np.ndarray],
    seed: int,
    first_run: int = 0,
    acts: tuple[str, ...] = (ACT,),
    year: int = YEAR,
) -> np.ndarray:
    """Per run, the log of Russia's GDP over calendar ``year`` with the ``acts`` over without: (runs,).

    ``table`` holds per-run parameters, as a calibration's particles; the twin runs repeat
    them with each act's coverage (``coverage_<act>``) at zero, on the same random streams.
    """
    from sim.model import DecouplingModel
    from sim.observe.calibrate import window_scenario
    from sim.results import to_dataset

    cut = window_scenario(scenario, year)
    runs = len(next(iter(table.values())))
    paths = []
    for twin in (dict(table), {**table, **{f"coverage_{act}": np.zeros(runs) for act in acts}}):
        model = DecouplingModel(cut, runs=runs, rng=seed, first_run=first_run, parameter_table=twin, record="dynamics")
        model.run_to_end()
        paths.append(_russia_log_gdp(to_dataset(model, with_metrics=False), cut))
    return over_period(paths[0] - paths[1], year).values


def _russia_log_gdp(ds: xr.Dataset, scenario: Scenario) -> xr.DataArray:
    from sim.results import recompute_actor_gdp

    gdp = recompute_actor_gdp(ds, scenario).sel(actor=ACTOR)
    return gdp.copy(data=np.log(gdp.values))


def particle_table(frame: pd.DataFrame) -> dict[str, np.ndarray]:
    """The ``parameters.NAME`` columns of particles as a per-run parameter table {NAME: (n,)}."""
    return {c.removeprefix("parameters."): frame[c].to_numpy(float) for c in frame if c.startswith("parameters.")}


@dataclass(frozen=True)
class BoundCheck:
    """The bound applied to weighted particles: the result and the numbers that describe it."""

    weights: np.ndarray  # (particles,) after the bound, renormalised (the given array if it rules out none)
    cost: np.ndarray  # (particles,) each particle's log GDP cost of the act by YEAR
    table: pd.DataFrame  # one row: bound, observed break, shares violating, ESS before and after


def apply_bound(
    scenario: Scenario,
    particles: pd.DataFrame,
    seed: int,
    prior_draws: pd.DataFrame | None = None,
    first_run: int = 0,
) -> BoundCheck:
    """Give weight zero to the particles whose 2014 acts cost Russia more GDP than the bound allows.

    ``particles`` has ``parameters.NAME`` columns and ``weight``; ``prior_draws``, when given,
    is checked too (the share of the prior the bound rules out: how much it could inform).
    The twins run on the streams from ``first_run`` on (a calibration passes the runs it used).
    Raises ``ScenarioError`` (a one-line error) if the bound rules out every particle.
    """
    from sim.observe.smc import effective_sample_size

    limit = bound()

    def costs(frame: pd.DataFrame, first: int) -> np.ndarray:
        return act_gdp_cost(scenario, particle_table(frame), seed, first)

    cost = costs(particles, first_run)
    given = particles["weight"].to_numpy(float)
    before = given / given.sum()
    kept = cost >= limit
    if not kept.any():
        raise ScenarioError(
            f"every particle's 2014 acts cost Russia more than its output allows ({-100 * limit:.1f} % of GDP, "
            "ODD 6.7): the scenario's technology channel is too strong for Russia's 2014-2017 record",
            "calibrate",
            ("output_bound",),
        )
    # Untouched weights when the bound rules out nothing, so the posterior keeps its bits.
    after = given if kept.all() else np.where(kept, before, 0.0) / before[kept].sum()
    row = {
        "act": ACT,
        "year": YEAR,
        "observed_break": observed_break(),
        "bound": limit,
        "posterior_cost_median": float(np.median(cost)),
        "posterior_cost_worst": float(np.min(cost)),
        "posterior_share_ruled_out": float(before[~kept].sum()),
        "ess_before": effective_sample_size(before),
        "ess_after": effective_sample_size(after),
    }
    if prior_draws is not None and len(prior_draws):
        prior_cost = costs(prior_draws, first_run + len(particles))
        row["prior_cost_worst"] = float(np.min(prior_cost))
        row["prior_share_ruled_out"] = float(np.mean(prior_cost < limit))
    return BoundCheck(weights=after, cost=cost, table=pd.DataFrame([row]))


def output_bound_line(row: pd.Series) -> str:
    """One line for a person: the bound, the model's cost and what the bound ruled out."""
    text = (
        f"Russia's output bound: the {row['act']} acts may cost at most {-100 * row['bound']:.1f} % of its "
        f"{row['year']:.0f} GDP (the sanctions' share of the {-100 * row['observed_break']:.1f} % fall below trend); "
        f"the posterior's cost: median {-100 * row['posterior_cost_median']:.2f} %, "
        f"worst {-100 * row['posterior_cost_worst']:.2f} %; ruled out {row['posterior_share_ruled_out']:.1%} "
        "of the posterior's weight"
    )
    if "prior_share_ruled_out" in row and np.isfinite(row["prior_share_ruled_out"]):
        text += f" and {row['prior_share_ruled_out']:.1%} of the prior draws"
    return text


def war_years_table(scenario: Scenario, runs: int = 200, seed: int = 1) -> pd.DataFrame:
    """What the model's technology channel costs Russia in 2022-2024, for ODD 6.7: %, median and 5-95 %.

    Rows: the 2014 acts, the 2022 acts, and both (against a Russia never sanctioned), each
    year; runs draw the scenario's posterior (the parameters' uncertainty only).
    """
    from sim.params import ensemble_columns
    from sim.rng import keys_for

    table = ensemble_columns(scenario.ensemble, keys_for(np.full(runs, seed), np.arange(runs)), None)
    rows = []
    for label, acts in ACT_GROUPS.items():
        for year in (2017, 2021, 2022, 2023, 2024):
            cost = -100.0 * np.expm1(act_gdp_cost(scenario, table, seed, acts=acts, year=year))
            rows.append({"acts": label, "year": year, "median": np.median(cost), **_band(cost)})
    return pd.DataFrame(rows)


ACT_GROUPS = {"2014 acts": ("russia_2014",), "2022 acts": ("russia_2022",), "both": ("russia_2014", "russia_2022")}


def _band(cost: np.ndarray) -> dict[str, float]:
    return {"q05": float(np.quantile(cost, 0.05)), "q95": float(np.quantile(cost, 0.95))}


# The deep uncertainties of the mapping and Ω at the ends that make the 2014 acts cost most.
COSTLY_CORNER = {
    "diffusion_elasticity": 0.2,
    "intermediate_elasticity": 0.05,
    "value_added_elasticity": 0.3,
    "tech_productivity_elasticity": 1.0,
    "tech_value_added_ratio": 0.25,
    "dependency_scale": 1.5,
}


def share_beyond_at_corner(scenario: Scenario, posterior: pd.DataFrame, seed: int = 2021) -> float:
    """Weight of the posterior's particles beyond the bound with ``COSTLY_CORNER`` set in every run."""
    table = particle_table(posterior)
    runs = len(posterior)
    cost = act_gdp_cost(scenario, {**table, **{k: np.full(runs, v) for k, v in COSTLY_CORNER.items()}}, seed)
    weight = posterior["weight"].to_numpy(float)
    return float(weight[cost < bound()].sum() / weight.sum())


if __name__ == "__main__":
    from sim.config import load_scenario
    from sim.observe.data import ROOT

    baseline = load_scenario(ROOT / "scenarios" / "baseline.yaml")
    posterior = pd.read_csv(ROOT / "scenarios" / "calibration" / "baseline_posterior.csv")
    print(f"observed break {100 * observed_break():.1f} %, bound {100 * bound():.1f} % (log points)")
    print(f"posterior weight beyond the bound at the costly corner: {share_beyond_at_corner(baseline, posterior):.2%}")
    print(war_years_table(baseline).round(2).to_string(index=False))

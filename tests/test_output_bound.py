"""Russia's output after 2014 bounds the cost of its 2014 acts: the observed break and the bound by
hand, the series against the publisher's figures, the twin runs' cost (zero when the act is
already off, larger with wider coverage), the exact reweighting of particles, and when a
calibration applies the bound."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sim.config import ScenarioError, load_scenario
from sim.observe import output_bound
from sim.observe.panels import PANEL
from tests.conftest import BASELINE

RUNS = 12


def test_the_observed_break_and_the_bound_by_hand():
    growth = pd.read_csv(PANEL / output_bound.SERIES).set_index("year")["value"]
    level = {year: float(np.log1p(growth.loc[2005:year] / 100).sum()) for year in range(2005, 2022)}
    years = np.arange(2010, 2014)
    slope = np.polyfit(years, [level[y] for y in years], 1)[0]
    expected = level[2017] - (level[2013] + 4 * slope)
    assert output_bound.observed_break() == pytest.approx(expected, abs=1e-12)
    assert expected == pytest.approx(-0.127, abs=0.001)  # 12.7 % below the 2010-2013 trend by 2017
    assert output_bound.bound() == pytest.approx(expected / 4.3)


def test_the_series_is_the_world_banks_russia_row_to_2021():
    table = pd.read_csv(PANEL / output_bound.SERIES)
    assert set(table["code"]) == {"RUS"} and set(table["indicator"]) == {"NY.GDP.MKTP.KD.ZG"}
    assert table["year"].max() == 2021  # nothing after 2021 enters seeds/
    growth = table.set_index("year")["value"]
    # Rosstat's own figures, as published: -2.0 % in 2015, +0.2 % in 2016, -2.7 % in 2020.
    assert growth[2015] == pytest.approx(-2.0, abs=0.05)
    assert growth[2016] == pytest.approx(0.2, abs=0.05)
    assert growth[2020] == pytest.approx(-2.7, abs=0.1)


def _table(coverage: float, runs: int = RUNS) -> dict[str, np.ndarray]:
    return {"coverage_russia_2014": np.full(runs, coverage)}


def test_the_twin_of_a_run_without_the_act_is_the_run_itself():
    scenario = load_scenario(BASELINE, {"ensemble.use": "mean"})
    assert np.array_equal(output_bound.act_gdp_cost(scenario, _table(0.0), seed=4), np.zeros(RUNS))


def test_wider_coverage_costs_more_gdp_run_by_run():
    scenario = load_scenario(BASELINE, {"ensemble.use": "mean"})
    narrow = output_bound.act_gdp_cost(scenario, _table(0.5), seed=4)
    wide = output_bound.act_gdp_cost(scenario, _table(2.0), seed=4)
    assert (narrow < 0).all() and (wide < narrow).all()
    # The technology channel of the 2014 acts: well under the bound at the prior's top, as shipped.
    assert np.median(wide) > output_bound.bound()


def _particles(coverages: list[float]) -> pd.DataFrame:
    return pd.DataFrame({"parameters.coverage_russia_2014": coverages, "weight": np.ones(len(coverages))})


def test_the_bound_zeroes_exactly_the_particles_beyond_it(monkeypatch):
    scenario = load_scenario(BASELINE, {"ensemble.use": "mean"})
    particles = _particles([0.25, 0.5, 1.0, 2.0, 4.0, 5.0])
    cost = output_bound.act_gdp_cost(
        scenario, {"coverage_russia_2014": particles["parameters.coverage_russia_2014"].to_numpy()}, seed=5
    )
    limit = float(np.median(cost))
    monkeypatch.setattr(output_bound, "bound", lambda: limit)
    check = output_bound.apply_bound(scenario, particles, seed=5)
    assert np.array_equal(check.cost, cost)
    assert np.array_equal(check.weights > 0, cost >= limit) and check.weights.sum() == pytest.approx(1.0)
    row = check.table.iloc[0]
    assert row["posterior_share_ruled_out"] == pytest.approx(np.mean(cost < limit))
    assert row["ess_after"] < row["ess_before"]
    monkeypatch.setattr(output_bound, "bound", lambda: -1.0)  # rules out nothing: the weights keep their bits
    weights = particles["weight"].to_numpy() / 7.0
    assert np.array_equal(output_bound.apply_bound(scenario, particles.assign(weight=weights), seed=5).weights, weights)
    monkeypatch.setattr(output_bound, "bound", lambda: 0.01)  # no act can raise GDP by 1 %
    with pytest.raises(ScenarioError, match="every particle"):
        output_bound.apply_bound(scenario, particles, seed=5)


def test_a_calibration_applies_the_bound_only_where_it_can():
    baseline = load_scenario(BASELINE)
    assert output_bound.applies(baseline, 2017) and output_bound.applies(baseline, 2021)
    assert not output_bound.applies(baseline, 2016)  # the window has not seen 2017
    assert not output_bound.applies(load_scenario(BASELINE, {"history.replay": False}), 2021)
    without_russia = {name: spec for name, spec in baseline.actors.items() if name != "Russia"}
    assert not output_bound.applies(baseline.model_copy(update={"actors": without_russia}), 2021)


def test_the_calibration_prints_the_bound_in_one_line():
    row = pd.Series(
        {"act": "russia_2014", "year": 2017, "observed_break": -0.127, "bound": -0.0296,
         "posterior_cost_median": -0.0058, "posterior_cost_worst": -0.0145,
         "posterior_share_ruled_out": 0.0, "prior_share_ruled_out": 0.25}
    )  # fmt: skip
    line = output_bound.output_bound_line(row)
    assert "at most 3.0 % of its 2017 GDP" in line and "12.7 % fall below trend" in line
    assert "median 0.58 %" in line and "worst 1.45 %" in line and "25.0% of the prior draws" in line
    assert "\n" not in line

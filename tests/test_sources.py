"""Where an outcome's spread comes from (``sim.analysis.sources``): known answers of the Sobol
indices by source, the mapping of the design onto runs, and the compare command's output."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import sim
from sim.analysis.sources import by_source, design_runs, source_problem
from sim.cli import main
from tests.conftest import BASELINE

SHORT = {"time.horizon": 2035, "metrics.report_years": [2035]}


def _scenario(**overrides):
    return sim.load_scenario(BASELINE, {**SHORT, **overrides})


def test_the_design_has_one_group_per_source_the_scenario_has():
    problem = source_problem(_scenario())
    assert list(dict.fromkeys(problem["groups"])) == ["calibrated parameters", "deep uncertainties", "process noise"]
    quiet = _scenario(**{"stochastic.noise": False, "stochastic.espionage": False, "stochastic.breakthroughs": False})
    assert "process noise" not in source_problem(quiet)["groups"]
    with pytest.raises(ValueError, match="fewer than two sources"):
        by_source(quiet.model_copy(update={"uncertainties": {}}), samples=16)


def test_design_rows_take_the_posterior_draw_by_weight_and_the_ranges_linearly():
    scenario = _scenario()
    problem = source_problem(scenario)
    ensemble = scenario.ensemble
    count = len(next(iter(ensemble.draws.values())))
    weights = np.asarray(ensemble.weights, dtype=float) if ensemble.weights else np.ones(count)
    cumulative = np.cumsum(weights) / weights.sum()
    unit = np.full((3, problem["num_vars"]), 0.5)
    unit[:, 0] = [0.0, cumulative[4] + 1e-9, 0.999999]  # draw 0, draw 5, the last draw
    unit[:, -1] = [0.0, 0.5, 0.999999]
    table, streams = design_runs(scenario, unit, problem)
    name = next(iter(ensemble.draws))
    expected = np.asarray(ensemble.draws[name])[[0, 5, count - 1]]
    assert np.allclose(table[name], expected)
    bounds = scenario.uncertainties["diffusion_elasticity"]
    assert np.allclose(table["diffusion_elasticity"], (bounds.low + bounds.high) / 2)
    assert streams[0] == 0 and streams[1] > 0 and streams[2] > streams[1]


def test_a_mapping_elasticity_explains_gdp_spread_and_none_of_the_capability_spread():
    """Known answer: the GDP mapping feeds nothing back, so a deep uncertainty on its diffusion
    elasticity has no share in the spread of the capability cost, and a share in the GDP
    cost's; with the posterior at its mean, the rest of the capability spread is the noise."""
    scenario = _scenario(**{"ensemble.use": "mean"})
    scenario = scenario.model_copy(
        update={"uncertainties": {"diffusion_elasticity": scenario.uncertainties["diffusion_elasticity"]}}
    )
    table = by_source(scenario, samples=64, seed=3)
    russia = table[(table["bloc"] == "Russia") & (table["year"] == 2035)].set_index(["measure", "source"])
    capability_deep = russia.loc[("capability", "deep uncertainties")]
    assert abs(capability_deep["ST"]) < 1e-9 and abs(capability_deep["S1"]) < 1e-9
    assert russia.loc[("capability", "process noise"), "ST"] > 0.9
    assert russia.loc[("gdp", "deep uncertainties"), "ST"] - russia.loc[("gdp", "deep uncertainties"), "ST_conf"] > 0.05
    assert (table["rows"] == 64 * 4).all()


def test_compare_by_source_prints_and_writes_the_indices(tmp_path, capsys):
    scenario = tmp_path / "short.yaml"
    scenario.write_text(f"extends: {BASELINE}\ntime: {{horizon: 2035}}\nmetrics: {{report_years: [2035]}}\n")
    other = tmp_path / "other.yaml"
    other.write_text(f"extends: {scenario}\nname: other\nstochastic: {{breakthroughs: false}}\n")
    out = tmp_path / "cmp"
    code = main(
        ["compare", str(scenario), str(other), "--runs", "8", "--years", "2035", "--by-source", "16", "-o", str(out)]
    )
    assert code == 0
    printed = capsys.readouterr().out
    assert "comes from (Sobol total index ST [95 %]" in printed and "deep uncertainties" in printed
    written = pd.read_csv(out / "variance_by_source.csv")
    assert set(written["source"]) == {"calibrated parameters", "deep uncertainties", "process noise"}
    assert set(written["scenario"]) == {"baseline", "other"} and set(written["measure"]) == {"gdp", "capability"}
    assert main(["compare", str(scenario), str(other), "--by-source", "100"]) == 2
    assert "must be a power of two" in capsys.readouterr().err


def test_the_dependency_matrix_scale_is_a_per_run_parameter_that_keeps_every_bit_at_one():
    """The judged Ω as a deep uncertainty (ODD 8.5): scale 1 changes nothing, 0 frees every input,
    and a scale that would make a sector rely on its inputs for more than all of itself is capped."""
    from sim.rules import inputs

    plain = sim.run(BASELINE, runs=4, seed=4)
    ones = sim.run(BASELINE, runs=4, seed=4, parameter_table={"dependency_scale": np.ones(4)})
    assert np.array_equal(plain["capability"].values, ones["capability"].values)
    free = sim.run(BASELINE, runs=4, seed=4, parameter_table={"dependency_scale": np.zeros(4)})
    assert (free["input_availability"].values == 1.0).all()
    heavier = sim.run(BASELINE, runs=4, seed=4, parameter_table={"dependency_scale": np.full(4, 1.5)})
    russia = {"actor": "Russia", "year": 2050}
    assert float(heavier["input_availability"].sel(**russia).mean()) < float(
        plain["input_availability"].sel(**russia).mean()
    )
    omega = np.array([[0.3, 0.3], [0.0, 0.1]])
    factor = inputs.dependency_factor(omega, np.array([1.0, 2.5]))
    assert inputs.dependency_factor(omega, np.ones(3)) is None
    np.testing.assert_allclose(factor[:, 0], [[1.0, 1.0], [1 / 0.6, 2.5]])

"""Analysis: Sobol recovers known indices, Morris ranks, PRIM finds a planted box, and the
compare and analyze commands run end to end."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

import sim
from sim.analysis import discovery, sensitivity
from sim.analysis.compare import compare, counterfactual
from sim.cli import main
from sim.config import load_scenario
from sim.schedule import build_schedule
from sim.sweep.design import build_design
from sim.sweep.spec import SweepSpec
from sim.sweep.store import Sweep
from sim.world import build_world
from tests.conftest import BASELINE, ROOT, SCENARIOS


def _analytic_sweep(kind: str, samples: int, function, names=("x1", "x2", "x3"), low=-np.pi, high=np.pi, **design):
    spec = SweepSpec.model_validate(
        {
            "scenario": str(BASELINE),
            "seed": 2,
            "design": {"kind": kind, "samples": samples, **design},
            "parameters": {n: {"distribution": "uniform", "low": low, "high": high} for n in names},
        }
    )
    table = build_design(spec, ROOT)
    x = table.points.to_numpy()
    runs = pd.DataFrame({"run": np.arange(len(x)), "point": np.arange(len(x)), "status": "ok", "y": function(x)})
    design = pd.concat([table.points, pd.DataFrame(table.unit, columns=[f"unit:{n}" for n in names])], axis=1)
    runs = runs.merge(table.points, left_on="point", right_index=True)
    manifest = {
        "name": "analytic",
        "sweep": json.loads(spec.model_dump_json()),
        "design": {"kind": kind, "varied": list(names), "problem": table.problem},
    }
    return Sweep(Path("."), manifest, design, runs)


def ishigami(x, a=7.0, b=0.1):
    return np.sin(x[:, 0]) + a * np.sin(x[:, 1]) ** 2 + b * x[:, 2] ** 4 * np.sin(x[:, 0])


def test_sobol_recovers_the_ishigami_indices():
    sweep = _analytic_sweep("sobol", 4096, ishigami)
    indices = sensitivity.sobol_indices(sweep, "y").set_index("parameter")
    np.testing.assert_allclose(indices["S1"], [0.3139, 0.4424, 0.0], atol=0.04)
    np.testing.assert_allclose(indices["ST"], [0.5576, 0.4424, 0.2437], atol=0.04)
    assert (indices["ST_conf"] < 0.1).all()


def test_morris_ranks_a_linear_function_by_its_slopes():
    sweep = _analytic_sweep("morris", 40, lambda x: 5 * x[:, 0] + 1 * x[:, 1] + 0 * x[:, 2], low=0, high=1)
    indices = sensitivity.morris_indices(sweep, "y").set_index("parameter")
    np.testing.assert_allclose(indices["mu_star"], [5.0, 1.0, 0.0], atol=1e-9)
    np.testing.assert_allclose(indices["sigma"], 0.0, atol=1e-9)


def test_prim_finds_a_planted_box():
    rng = np.random.default_rng(0)

    def planted(x):
        inside = (x[:, 0] > 0.6) & (x[:, 2] < 0.3)
        return np.where(inside, 1.0, 0.0) * (rng.random(len(x)) < 0.95)

    sweep = _analytic_sweep("lhs", 3000, planted, names=("a", "b", "c", "d"), low=0, high=1)
    box = discovery.find_box(sweep, "y >= 0.5", min_density=0.8)
    limits = box.limits.set_index("parameter")
    assert set(limits.index) == {"a", "c"}
    assert limits.loc["a", "low"] == pytest.approx(0.6, abs=0.05)
    assert limits.loc["c", "high"] == pytest.approx(0.3, abs=0.05)
    assert box.coverage > 0.8 and box.density > 0.8


def test_conditions_parse_and_nan_is_never_met():
    runs = pd.DataFrame({"ttp/China/ai": [2030.0, np.nan, 2040.0]})
    assert discovery.condition_met(runs, "ttp/China/ai <= 2035").tolist() == [True, False, False]
    with pytest.raises(Exception, match="looks like"):
        discovery.parse_condition("ttp/China/ai is early")
    with pytest.raises(Exception, match="did you mean"):
        discovery.condition_met(runs, "ttp/China/aj <= 2035")


def test_sensitivity_refuses_the_wrong_design():
    sweep = _analytic_sweep("lhs", 20, ishigami)
    with pytest.raises(Exception, match="design.kind: sobol"):
        sensitivity.sobol_indices(sweep, "y")


def test_counterfactual_removes_decoupling_only():
    scenario = load_scenario(SCENARIOS / "full_decoupling.yaml")
    free = counterfactual(scenario)
    assert not free.policies.export_controls and not free.policies.data_localisation
    assert free.history.replay and not free.history.restrictions and not free.rules.endogenous_escalation
    assert free.actors == scenario.actors and free.parameters == scenario.parameters
    world = build_world(free)
    schedule = build_schedule(free, world)
    kept = build_schedule(scenario, world)
    # Restrictive acts are gone; Made in China 2025, the CHIPS Act and the agreements stay.
    assert not schedule.controls.any() and not schedule.sanctions.any() and not schedule.localisation.any()
    assert kept.controls.any() and kept.localisation.any()
    assert np.array_equal(schedule.programme, kept.programme) and schedule.programme.any()
    assert np.array_equal(schedule.cooperation, kept.cooperation)


def test_compare_pairs_runs_and_costs_decoupling():
    result = compare([SCENARIOS / "baseline.yaml", SCENARIOS / "full_decoupling.yaml"], runs=20, seed=4)
    table = result.table.set_index(["outcome", "scenario", "year"])
    row = table.loc[("decoupling index", "full_decoupling", 2050.0)]
    assert row["paired_difference"] > 0.2 and row["difference_q05"] > 0
    assert list(result.cost.columns) == ["scenario", "bloc", "year", "measure", "median", "q05", "q95"]
    assert {2030.0, 2035.0, 2050.0} <= set(result.cost["year"]) and set(result.cost["measure"]) == {
        "capability",
        "gdp",
        "gdp_input_prices",
    }
    cost = result.cost.set_index(["scenario", "bloc", "year", "measure"])
    for measure in ("capability", "gdp"):
        china = cost["median"].xs(("China", 2050.0, measure), level=("bloc", "year", "measure"))
        assert china["full_decoupling"] > china["baseline"]
    row = cost.loc[("full_decoupling", "China", 2050.0, "gdp")]
    assert row["q05"] <= row["median"] <= row["q95"]
    # Technology is a fraction of the economy: the GDP cost is a fraction of the capability cost,
    # and the input-price part a fraction of the GDP cost.
    assert 0 < row["median"] < cost.loc[("full_decoupling", "China", 2050.0, "capability"), "median"]
    prices = cost.loc[("full_decoupling", "China", 2050.0, "gdp_input_prices"), "median"]
    assert 0 < prices < row["median"]
    assert sim.cost_of_decoupling([SCENARIOS / "baseline.yaml"], runs=5, seed=4).equals(
        compare([SCENARIOS / "baseline.yaml"], runs=5, seed=4).cost
    )


def test_compare_and_analyze_commands(tmp_path, capsys):
    out = tmp_path / "cmp"
    assert (
        main(
            [
                "compare",
                str(SCENARIOS / "baseline.yaml"),
                str(SCENARIOS / "chip_supply_shock.yaml"),
                "--runs",
                "10",
                "--years",
                "2030",
                "2050",
                "-o",
                str(out),
            ]
        )
        == 0
    )
    printed = printed_years = capsys.readouterr().out
    assert "Key outcomes in 2030" in printed_years and "Key outcomes in 2050" in printed_years
    assert "West bloc index (own)" in printed_years and "West GDP index (own)" in printed_years
    table = pd.read_csv(out / "comparison.csv")
    assert set(table["year"]) == {2030, 2050} and "West bloc index (own)" in set(table["outcome"])
    assert {p.name for p in out.iterdir()} == {"comparison.csv", "cost_of_decoupling.csv", "comparison.png"}
    assert (
        "Cost of decoupling" in printed
        and "GDP " in printed
        and "of which prices" in printed
        and "capability" in printed
    )
    written = pd.read_csv(out / "cost_of_decoupling.csv")
    assert list(written.columns) == ["scenario", "bloc", "year", "measure", "median", "q05", "q95"]
    sweep_file = tmp_path / "s.yaml"
    sweep_file.write_text(
        yaml.safe_dump(
            {
                "scenario": str(BASELINE),
                "design": {"kind": "grid"},
                "replications": 4,
                "parameters": {"parameters.leak_quality": [0.3, 0.9], "parameters.substitution_response": [0.0, 3.0]},
            }
        )
    )
    assert main(["sweep", str(sweep_file), "-o", str(tmp_path / "sw"), "--workers", "1", "--quiet"]) == 0
    assert main(["analyze", str(tmp_path / "sw"), "--condition", "rel/China/semiconductors/2050 >= 0.3"]) == 0
    written = {p.name for p in (tmp_path / "sw" / "analysis").iterdir()}
    assert {"heatmap_rel_China_semiconductors_2035.png", "parity_China.png", "prim_box.csv"} <= written
    # An unknown outcome: one line naming the outcome kinds and a close name, exit 2.
    assert main(["analyze", str(tmp_path / "sw"), "--outcome", "rel/China/semiconductor/2035"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "did you mean 'rel/China/semiconductors/2035'" in err[0] and "KIND one of" in err[0]
    assert written_years_are_whole(out / "cost_of_decoupling.csv") and written_years_are_whole(out / "comparison.csv")
    assert main(["compare", str(SCENARIOS / "baseline.yaml")]) == 2


def written_years_are_whole(path) -> bool:
    """Every year in a written table reads as a whole number (2030, not 2030.0)."""
    text = path.read_text()
    header = text.splitlines()[0].split(",")
    column = header.index("year")
    return all("." not in line.split(",")[column] for line in text.splitlines()[1:])


def test_the_comparison_figure_has_one_panel_per_outcome_and_the_reference_on_top():
    import matplotlib.pyplot as plt

    from sim.analysis.compare import KEY_OUTCOMES, comparison_figure

    names = ["baseline", "full_decoupling", "western_escalation", "deep_partnership", "trust_breakdown",
             "data_fragmentation"]  # fmt: skip
    comparison = compare([SCENARIOS / f"{n}.yaml" for n in names], runs=3, seed=1, years=(2050,))
    fig = comparison_figure(comparison)
    panels = [ax for ax in fig.axes if ax.get_visible()]
    assert len(panels) == len(KEY_OUTCOMES)
    for ax in panels:
        medians = [line for line in ax.get_lines() if line.get_label() in names]
        assert len(medians) == 6 and medians[-1].get_label() == "baseline"  # drawn last: never hidden
        assert medians[-1].get_linewidth() > medians[0].get_linewidth()
    plt.close(fig)

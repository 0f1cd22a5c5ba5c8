"""Posterior ensembles: runs draw their parameters from a posterior, by weight, through the seed tree."""

from __future__ import annotations

import numpy as np
import pytest
import yaml

import sim
from sim.analysis.compare import compare
from sim.cli import main
from sim.config import ScenarioError, load_scenario
from sim.model import DecouplingModel
from tests.conftest import BASELINE, SCENARIOS, one_error_line, two_actor_scenario, write_scenario

POSTERIOR = "parameters.catch_up_scale,parameters.innovation_scale,weight,distance\n1.5,0.4,0.2,0.1\n0.7,0.9,0.8,0.2\n"


def _scenario_with_posterior(folder, text=POSTERIOR, **ensemble):
    (folder / "post.csv").write_text(text)
    data = two_actor_scenario(ensemble={"posterior": "post.csv", **ensemble})
    return write_scenario(folder, data, "base.yaml")


def _drawn(ds, name):
    return ds["parameters"].sel(parameter=name).values


def test_runs_draw_rows_of_the_posterior_by_weight(tmp_path):
    scenario = load_scenario(_scenario_with_posterior(tmp_path))
    assert scenario.ensemble.draws == {"catch_up_scale": [1.5, 0.7], "innovation_scale": [0.4, 0.9]}
    model = DecouplingModel(scenario, runs=4000, rng=3)
    catch_up, innovation = model.params.values["catch_up_scale"], model.params.values["innovation_scale"]
    assert set(np.unique(catch_up)) == {0.7, 1.5}
    # Rows are drawn whole: a run never mixes values of two posterior rows.
    assert np.all((catch_up == 1.5) == (innovation == 0.4))
    share = float(np.mean(catch_up == 0.7))
    assert share == pytest.approx(0.8, abs=3 * np.sqrt(0.8 * 0.2 / 4000))


def test_a_runs_draw_depends_only_on_its_seed_and_index(tmp_path):
    scenario = load_scenario(_scenario_with_posterior(tmp_path))
    whole = DecouplingModel(scenario, runs=30, rng=9).params.values["catch_up_scale"]
    part = DecouplingModel(scenario, runs=10, rng=9, first_run=20).params.values["catch_up_scale"]
    assert np.array_equal(whole[20:], part)
    chunked = sim.run(scenario, runs=30, seed=9, chunk_size=7)
    assert np.array_equal(_drawn(chunked, "catch_up_scale"), whole)


def test_the_mean_switch_runs_the_weighted_mean(tmp_path):
    scenario = load_scenario(_scenario_with_posterior(tmp_path, use="mean"))
    values = DecouplingModel(scenario, runs=5, rng=1).params.values
    assert values["catch_up_scale"] == pytest.approx(np.full(5, 0.2 * 1.5 + 0.8 * 0.7))
    assert values["innovation_scale"] == pytest.approx(np.full(5, 0.2 * 0.4 + 0.8 * 0.9))


def test_explicit_values_are_pinned_later_wins(tmp_path):
    base = _scenario_with_posterior(tmp_path)
    # Set in the file that names the posterior: superseded by the posterior.
    data = yaml.safe_load(base.read_text())
    data["parameters"] = {"catch_up_scale": 1.1}
    base.write_text(yaml.safe_dump(data))
    assert "catch_up_scale" in load_scenario(base).ensemble.draws
    # Set in a file that extends it, or by --set: pinned for every run.
    child = write_scenario(tmp_path, {"extends": "base.yaml", "parameters": {"catch_up_scale": 1.9}}, "child.yaml")
    pinned = load_scenario(child)
    assert list(pinned.ensemble.draws) == ["innovation_scale"]
    assert set(DecouplingModel(pinned, runs=50, rng=1).params.values["catch_up_scale"]) == {1.9}
    by_set = load_scenario(base, {"parameters.catch_up_scale": 1.3})
    assert list(by_set.ensemble.draws) == ["innovation_scale"]
    # A posterior named by --set supersedes every file (even the child's pin), but not another --set.
    overrides = {"ensemble.posterior": str(tmp_path / "post.csv")}
    assert set(load_scenario(child, overrides).ensemble.draws) == {"catch_up_scale", "innovation_scale"}
    both = load_scenario(child, {**overrides, "parameters.innovation_scale": 0.5})
    assert list(both.ensemble.draws) == ["catch_up_scale"]
    # A parameter table (a sweep) and Mesa's keyword overrides win over the posterior.
    table = DecouplingModel(load_scenario(base), runs=3, rng=1, parameter_table={"catch_up_scale": [1.0, 1.2, 1.4]})
    assert list(table.params.values["catch_up_scale"]) == [1.0, 1.2, 1.4]
    keyword = DecouplingModel(load_scenario(base), runs=3, rng=1, catch_up_scale=0.9)
    assert set(keyword.params.values["catch_up_scale"]) == {0.9}


@pytest.mark.parametrize(
    "text,fragment",
    [
        ("parameters.no_such,weight\n1,1\n", "is not parameters.NAME"),
        ("parameters.catch_up_scale\n99\n", "outside"),
        ("parameters.catch_up_scale,weight\n1.0,-1\n", "cannot be negative"),
        ("parameters.catch_up_scale,weight\n1.0,0\n", "sum to zero"),
        ("parameters.catch_up_scale\n", "no draws"),
        ("parameters.catch_up_scale\nabc\n", "not a number"),
    ],
)
def test_broken_posterior_files_are_located_errors(tmp_path, text, fragment):
    path = _scenario_with_posterior(tmp_path, text)
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    assert fragment in str(info.value) and str(info.value).startswith(str(tmp_path / "post.csv"))


def test_missing_posterior_and_double_definition(tmp_path, capsys):
    data = two_actor_scenario(ensemble={"posterior": "absent.csv"})
    assert main(["validate", str(write_scenario(tmp_path, data))]) == 2
    assert "posterior file not found" in one_error_line(capsys)
    (tmp_path / "post.csv").write_text(POSTERIOR)
    data = two_actor_scenario(ensemble={"posterior": "post.csv", "draws": {"catch_up_scale": [1.0]}})
    assert main(["validate", str(write_scenario(tmp_path, data))]) == 2
    assert "not both" in one_error_line(capsys)


def test_the_baseline_draws_from_its_shipped_posterior():
    scenario = load_scenario(BASELINE)
    assert len(next(iter(scenario.ensemble.draws.values()))) >= 200
    ds = sim.run(scenario, runs=40, seed=1)
    assert len(np.unique(_drawn(ds, "innovation_scale"))) > 10
    mean = sim.run(load_scenario(BASELINE, {"ensemble.use": "mean"}), runs=3, seed=1)
    assert len(np.unique(_drawn(mean, "innovation_scale"))) == 1


def test_compare_pairs_runs_on_the_same_posterior_draws():
    comparison = compare([BASELINE, SCENARIOS / "full_decoupling.yaml"], runs=12, seed=4, years=(2030,))
    first, second = comparison.results.values()
    for name in load_scenario(BASELINE).ensemble.draws:
        if name in load_scenario(SCENARIOS / "full_decoupling.yaml").ensemble.draws:
            assert np.array_equal(_drawn(first, name), _drawn(second, name))


def _sweep_runs(tmp_path, common):
    from sim.sweep import open_sweep, run_sweep

    spec = {
        "scenario": str(BASELINE),
        "seed": 5,
        "design": {"kind": "grid"},
        "replications": 4,
        "common_random_numbers": common,
        "parameters": {"parameters.leak_quality": [0.3, 0.9], "time.horizon": 2026},
    }
    path = tmp_path / f"sweep_{common}.yaml"
    path.write_text(yaml.safe_dump(spec))
    run_sweep(path, tmp_path / f"out_{common}", workers=1)
    return open_sweep(tmp_path / f"out_{common}").runs


def test_sweeps_record_each_runs_posterior_draw_and_pair_them_under_common_random_numbers(tmp_path):
    paired = _sweep_runs(tmp_path, True)
    column = "posterior.innovation_scale"
    assert column in paired and paired[column].notna().all()
    by_replication = paired.pivot(index="replication", columns="point", values=column)
    assert (by_replication.nunique(axis=1) == 1).all()  # both design points share replication j's draw
    assert by_replication[0].nunique() > 1  # replications differ
    unpaired = _sweep_runs(tmp_path, False).pivot(index="replication", columns="point", values=column)
    assert (unpaired[0] != unpaired[1]).any()

"""A generation of policies as one batch: every outcome equals the policy's own scenario run alone, bit
for bit; levers that change a scenario's structure fall back to policy by policy; added acts are
checked."""

from __future__ import annotations

import numpy as np
import pytest

from sim.config import ScenarioError, load_scenario
from sim.model import DecouplingModel
from sim.policy import batched, load_policy_spec
from sim.policy.evaluate import Pool, policy_scenario, sample_ensemble, simulate
from sim.schedule import AddedAct
from tests.conftest import BASELINE, ROOT


def _spec(name: str):
    spec, folder = load_policy_spec(ROOT / "policy_search" / f"{name}.yaml")
    return spec, load_scenario(folder / spec.scenario)


@pytest.fixture(scope="module")
def west():
    return _spec("west_export_controls")


@pytest.mark.parametrize(
    ("name", "acts", "parameters", "outcome"),
    [
        ("west_export_controls", {"china_hardware", "china_digital"}, {"enforcement_response"},
         "rel/China/semiconductors/2035"),
        ("russia_china_partnership", {"cooperation", "localisation"}, set(), "bloc_ratio/Russia/2035"),
    ],
)  # fmt: skip
def test_a_batched_generation_equals_each_policy_run_alone(name, acts, parameters, outcome):
    spec, base = _spec(name)
    ensemble = sample_ensemble(spec, 5, spec.seed)
    names = list(spec.levers)
    plan = batched.plan(base, names, list(ensemble.table))
    assert plan is not None and set(plan.acts) == acts and set(plan.parameters) == parameters
    rng = np.random.default_rng(4)
    levers = np.column_stack([rng.uniform(spec.levers[k].low, spec.levers[k].high, 5) for k in names])
    levers[0] = [spec.levers[k].low for k in names]  # no control at all: the region at zero
    levers[1] = [spec.levers[k].high for k in names]
    with Pool(1) as pool:
        alone = simulate([policy_scenario(base, dict(zip(names, map(float, row), strict=True))) for row in levers],
                         ensemble, pool)  # fmt: skip
        together = batched.simulate(plan, names, levers, ensemble, pool)
    assert len(together) == len(levers)
    for one, other in zip(alone, together, strict=True):
        assert one.keys() == other.keys()
        for name in one:
            assert np.array_equal(one[name], other[name], equal_nan=True), name
    # The levers matter, so the equality is not that of runs that ignore them.
    assert together[1][outcome].mean() != together[0][outcome].mean()


def test_a_batch_is_cut_into_whole_policies_with_common_random_numbers(west):
    spec, base = west
    ensemble = sample_ensemble(spec, 4, spec.seed)
    names = list(spec.levers)
    plan = batched.plan(base, names, list(ensemble.table))
    levers = np.array([[0.2, 0.4, 1.0], [0.6, 0.1, 2.0], [1.0, 1.0, 0.5]])
    tasks = batched.tasks(plan, names, levers, ensemble.table, ensemble.seeds, ensemble.streams, chunks=2)
    assert [t.points.tolist() for t in tasks] == [[0] * 4 + [1] * 4, [2] * 4]
    # A large generation is cut further, so that no task outgrows a worker's memory.
    many = np.tile(levers, (400, 1))  # 1,200 policies x 4 scenarios = 4,800 runs
    large = batched.tasks(plan, names, many, ensemble.table, ensemble.seeds, ensemble.streams, chunks=1)
    assert len(large) == 2 and max(t.runs.size for t in large) <= batched.TASK_RUNS
    assert np.array_equal(np.concatenate([t.runs for t in large]), np.arange(4800))
    assert np.array_equal(tasks[0].streams, np.tile(ensemble.streams, 2))
    assert np.array_equal(tasks[0].act_scales["china_digital"], np.repeat([0.4, 0.1], 4))
    assert np.array_equal(tasks[1].table["enforcement_response"], np.full(4, 0.5))
    key = next(iter(ensemble.table))
    assert np.array_equal(tasks[0].table[key], np.tile(ensemble.table[key], 2))


@pytest.mark.parametrize(
    ("levers", "uncertainties", "overrides"),
    [
        (["taiwan_severity", "china_hardware"], [], {}),  # a supply shock: structure
        (["trust_shock"], [], {}),
        (["parameters.catch_up_scale"], [], {}),  # the posterior draws it
        (["parameters.leak_quality"], ["leak_quality"], {}),  # the ensemble varies it
        (["china_hardware"], [], {"time.branch_year": 2025.5}),  # the act would start inside a step
    ],
)
def test_levers_that_change_structure_run_policy_by_policy(levers, uncertainties, overrides):
    assert batched.plan(load_scenario(BASELINE, overrides), levers, uncertainties) is None


def test_a_batched_parameter_lever_may_be_a_dotted_path():
    plan = batched.plan(load_scenario(BASELINE), ["parameters.leak_quality", "russia_digital"], [])
    assert plan is not None and plan.parameters == {"parameters.leak_quality": "leak_quality"}
    region = plan.acts["russia_digital"].levels
    assert set(np.unique(region)) == {0.0, 1.0}
    branch_step = int(plan.scenario.time.branch_year - plan.scenario.time.start)  # yearly steps
    assert not region[:branch_step].any() and region[branch_step:].any()  # from the branch year on


@pytest.mark.parametrize("fused", [True, False], ids=["kernels", "numpy"])
def test_added_acts_give_the_same_bits_through_the_kernels_and_the_numpy_rules(monkeypatch, fused):
    """Per-run localisation reaches the compiled knowledge kernels as (R, A, A): both paths agree."""
    from sim import blocks

    spec, base = _spec("russia_china_partnership")
    plan = batched.plan(base, list(spec.levers), [])
    scales = {"cooperation": np.array([0.0, 0.4, 1.0]), "localisation": np.array([0.9, 0.3, 0.0])}
    results = {}
    for use in (True, False):
        monkeypatch.setattr(blocks, "USE_KERNELS", use)
        model = DecouplingModel(plan.scenario, runs=3, rng=5, acts=plan.acts, act_scales=scales, record="dynamics")
        model.run_to_end()
        results[use] = {k: v.copy() for k, v in model.recorder.arrays.items()}
    for name, values in results[True].items():
        assert np.array_equal(values, results[False][name]), name
    cooperation = results[fused]["cooperation"][-1]
    russia, china = (list(plan.scenario.actors).index(a) for a in ("Russia", "China"))
    assert cooperation[0, russia, china] < cooperation[2, russia, china]  # the runs' levels differ


def test_added_acts_need_one_valid_multiplier_per_run():
    scenario = load_scenario(BASELINE, {"ensemble.use": "mean"})
    plan = batched.plan(scenario, ["china_hardware"], [])
    act = {"china_hardware": plan.acts["china_hardware"]}
    with pytest.raises(ScenarioError, match="one multiplier per run"):
        DecouplingModel(plan.scenario, runs=2, acts=act, act_scales={})
    with pytest.raises(ValueError, match="a kind of"):
        DecouplingModel(plan.scenario, runs=2, acts={"x": AddedAct("tariffs", act["china_hardware"].levels)},
                        act_scales={"x": [1.0, 1.0]})  # fmt: skip
    with pytest.raises(ScenarioError, match="finite and >= 0"):
        DecouplingModel(plan.scenario, runs=2, acts=act, act_scales={"china_hardware": [0.5, -1.0]})

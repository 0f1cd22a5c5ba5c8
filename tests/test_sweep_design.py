"""Sweep files and designs: validation, and each design's sample has its intended properties."""

from __future__ import annotations

import numpy as np
import pytest
import yaml
from scipy import stats

from sim.config import ScenarioError
from sim.sweep.design import build_design, quantile
from sim.sweep.spec import SweepSpec, load_sweep
from tests.conftest import BASELINE, ROOT


def _spec(**changes) -> SweepSpec:
    data = {"scenario": str(BASELINE), "seed": 4, **changes}
    return SweepSpec.model_validate(data)


def test_grid_is_the_full_product_and_scalars_are_constants():
    design = build_design(
        _spec(
            parameters={
                "parameters.leak_quality": [0.3, 0.6],
                "parameters.gestation": [2, 4, 6],
                "parameters.tie_decay": 0.7,
            }
        ),
        ROOT,
    )
    assert len(design.points) == 6
    assert set(map(tuple, design.points.to_numpy())) == {(a, b) for a in (0.3, 0.6) for b in (2, 4, 6)}
    assert design.constants == {"parameters.tie_decay": 0.7}


def test_latin_hypercube_stratifies_every_margin():
    n = 50
    design = build_design(
        _spec(
            design={"kind": "lhs", "samples": n},
            parameters={
                "parameters.leak_quality": {"distribution": "uniform", "low": 0.3, "high": 0.9},
                "parameters.gestation": {"distribution": "uniform", "low": 2, "high": 8},
            },
        ),
        ROOT,
    )
    for j in range(2):
        strata = np.floor(design.unit[:, j] * n).astype(int)
        assert sorted(strata) == list(range(n))  # exactly one point per stratum
    assert design.points["parameters.leak_quality"].between(0.3, 0.9).all()


def test_monte_carlo_follows_its_distributions():
    spec = _spec(
        design={"kind": "monte_carlo", "samples": 4000},
        parameters={
            "parameters.breakthrough_rate": {"distribution": "loguniform", "low": 0.001, "high": 0.1},
            "parameters.tie_recovery": {"distribution": "triangular", "low": 0.05, "mode": 0.125, "high": 0.5},
            "parameters.gestation": {"distribution": "normal", "mean": 4, "sd": 1, "low": 2, "high": 8},
        },
    )
    points = build_design(spec, ROOT).points
    logs = np.log10(points["parameters.breakthrough_rate"])
    assert stats.kstest(logs, "uniform", args=(-3, 2)).pvalue > 1e-3
    tri = stats.triang(c=(0.125 - 0.05) / 0.45, loc=0.05, scale=0.45)
    assert stats.kstest(points["parameters.tie_recovery"], tri.cdf).pvalue > 1e-3
    assert points["parameters.gestation"].between(2, 8).all()
    assert abs(points["parameters.gestation"].mean() - 4) < 0.1


def test_sobol_design_has_saltelli_structure():
    k, n = 3, 16
    spec = _spec(
        design={"kind": "sobol", "samples": n},
        parameters={
            f"parameters.{name}": {"distribution": "uniform", "low": 0, "high": 1}
            for name in ("leak_quality", "evasion_max", "foreign_potency")
        },
    )
    design = build_design(spec, ROOT)
    assert design.unit.shape == (n * (k + 2), k)
    block = design.unit.reshape(n, k + 2, k)
    a, b = block[:, 0, :], block[:, -1, :]
    for i in range(k):  # AB_i equals A except in column i, which comes from B
        ab = block[:, 1 + i, :]
        assert np.array_equal(np.delete(ab, i, axis=1), np.delete(a, i, axis=1))
        assert np.array_equal(ab[:, i], b[:, i])


def test_morris_design_moves_one_factor_per_step():
    spec = _spec(
        design={"kind": "morris", "samples": 6, "levels": 4},
        parameters={
            f"parameters.{name}": {"distribution": "uniform", "low": 0, "high": 1}
            for name in ("leak_quality", "evasion_max", "foreign_potency")
        },
    )
    unit = build_design(spec, ROOT).unit.reshape(6, 4, 3)
    steps = np.abs(np.diff(unit, axis=1))
    assert ((steps > 1e-12).sum(axis=2) == 1).all()
    assert np.allclose(steps[steps > 1e-12], 2 / 3)


def test_designs_are_reproducible_and_seeded():
    spec = _spec(
        design={"kind": "lhs", "samples": 10},
        parameters={"parameters.leak_quality": {"distribution": "uniform", "low": 0.3, "high": 0.9}},
    )
    first, second = build_design(spec, ROOT), build_design(spec, ROOT)
    assert first.points.equals(second.points)
    other = build_design(spec.model_copy(update={"seed": 5}), ROOT)
    assert not first.points.equals(other.points)


def test_quantile_maps_the_unit_interval():
    from sim.sweep.spec import Uniform

    assert quantile(Uniform(distribution="uniform", low=2, high=4), np.array([0, 0.5, 1])).tolist() == [2, 3, 4]


@pytest.mark.parametrize(
    "body,fragment",
    [
        (
            {
                "design": {"kind": "grid"},
                "parameters": {"parameters.leak_quality": {"distribution": "uniform", "low": 0, "high": 1}},
            },
            "a grid design sweeps lists",
        ),
        ({"design": {"kind": "lhs"}, "parameters": {"parameters.leak_quality": [0.3, 0.5]}}, "samples distributions"),
        ({"design": {"kind": "lhs"}, "parameters": {}}, "at least one parameter with a distribution"),
        (
            {
                "design": {"kind": "sobol"},
                "parameters": {"parameters.gestation": {"distribution": "normal", "mean": 4, "sd": 1}},
            },
            "needs bounded inputs",
        ),
        (
            {"parameters": {"parameters.gestation": {"distribution": "uniform", "low": 5, "high": 2}}},
            "must be below high",
        ),
        ({"parameters": {"parameters.gestation": {"distribution": "gamma", "shape": 2}}}, "distribution"),
        ({"design": {"kind": "table"}}, "needs design.table"),
        ({"replications": 0}, "at least 1"),
        ({"replications": []}, "empty"),
        ({"design": {"kind": "grdi"}}, "grid"),
        ({"designs": {}}, "unknown key 'designs'"),
        ({"scenario": "nowhere.yaml"}, "base scenario not found"),
        ({"parameters": {"parameters.leak_quality": []}}, "empty list"),
    ],
)
def test_broken_sweep_files_are_rejected_with_located_errors(tmp_path, body, fragment):
    data = {"scenario": str(BASELINE), **body}
    path = tmp_path / "sweep.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    with pytest.raises(ScenarioError) as info:
        load_sweep(path)
    message = str(info.value)
    assert fragment in message and message.startswith(str(path)), message
    assert "\n" not in message

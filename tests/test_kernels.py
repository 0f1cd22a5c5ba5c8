"""The compiled kernels (sim.kernels) and the faster numpy forms give the same bits as the rules they replace."""

from __future__ import annotations

import hypothesis.extra.numpy as hnp
import numpy as np
import pytest
import xarray as xr
from hypothesis import given
from hypothesis import strategies as st

import sim
from sim import blocks, dynamics
from tests.conftest import ROOT

SCENARIOS = sorted((ROOT / "scenarios").glob("*.yaml"))


def _run(path, monkeypatch, fused: bool, **kwargs) -> xr.Dataset:
    monkeypatch.setattr(blocks, "USE_KERNELS", fused)
    results = sim.run(path, runs=12, seed=5, **kwargs)
    del results.attrs["created"]  # the clock, not the model
    return results


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.stem)
def test_every_shipped_scenario_gives_the_same_bits_with_and_without_the_kernels(path, monkeypatch):
    fused, reference = _run(path, monkeypatch, True), _run(path, monkeypatch, False)
    xr.testing.assert_identical(fused, reference)
    # A run whose capabilities moved at all: the comparison is not between two empty arrays.
    assert float(np.ptp(fused["capability"].values)) > 0


def test_a_non_logistic_kernel_and_varied_parameters_give_the_same_bits(monkeypatch):
    # ν ≠ 1 takes the kernel from numpy; varied reallocation, sourcing and flow cuts per run.
    rng = np.random.default_rng(3)
    table = {
        "catch_up_shape": rng.uniform(-1.0, 1.0, 12),
        "reallocation": rng.uniform(0.0, 1.0, 12),
        "sourcing_elasticity": rng.uniform(0.5, 6.0, 12),
        "localisation_flow_cut": rng.uniform(0.0, 1.0, 12),
        "foreign_potency": rng.uniform(0.2, 1.0, 12),
    }
    path = ROOT / "scenarios" / "full_decoupling.yaml"
    fused = _run(path, monkeypatch, True, parameter_table=table)
    reference = _run(path, monkeypatch, False, parameter_table=table)
    xr.testing.assert_identical(fused, reference)


def test_one_observation_is_identical_field_by_field():
    from sim.model import DecouplingModel

    model = DecouplingModel(str(ROOT / "scenarios" / "chip_supply_shock.yaml"), runs=7, rng=2)
    for _ in range(14):  # into the shock and the controls
        model.step()
    k = model.steps_done
    fused = dynamics.observe(model._state, model._context, k, fused=True)
    reference = dynamics.observe(model._state, model._context, k, fused=False)
    for name in fused.__dataclass_fields__:
        assert np.array_equal(getattr(fused, name), getattr(reference, name)), name
    assert fused.lost_supply.max() > 0 and fused.catch_up_sum.max() > 0


@given(
    st.integers(1, 12).flatmap(
        lambda m: hnp.arrays(np.float64, (5, 3, m), elements=st.floats(-1e12, 1e12, allow_subnormal=False))
    )
)
def test_the_short_sum_over_inputs_is_numpys_sum_bit_for_bit(terms):
    from sim.rules.inputs import _sum_inputs

    assert np.array_equal(_sum_inputs(terms), terms.sum(axis=-1))


def test_closure_exponentials_per_run_are_the_elementwise_exponentials():
    from sim.rules.closure import update_closure

    rng = np.random.default_rng(4)
    closure, target = rng.uniform(0, 1, (2, 50, 6, 12))
    closing, reopening = rng.uniform(0.01, 3, (2, 50, 1, 1))
    rate = np.where(target > closure, closing, reopening)
    elementwise = target + (closure - target) * np.exp(-rate * 1.0)
    assert np.array_equal(update_closure(closure, target, closing, reopening, 1.0), elementwise)

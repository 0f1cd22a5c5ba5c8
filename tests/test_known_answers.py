"""Known answers: symmetry, controls, trust gating, formulas checked by hand."""

from __future__ import annotations

import numpy as np
import pytest
import xarray as xr
import yaml

import sim
from sim.config import parse_scenario_text
from sim.rules import channels, inputs, policy, trust
from tests.conftest import two_actor_scenario


def _scenario(**changes):
    return parse_scenario_text(yaml.safe_dump(two_actor_scenario(**changes)))


def _run(scenario, runs=1):
    return sim.run(scenario, runs=runs, seed=1)


def test_no_controls_and_equal_starts_give_symmetric_trajectories():
    ds = _run(_scenario())
    alpha = ds["capability"].sel(actor="Alpha").values
    beta = ds["capability"].sel(actor="Beta").values
    np.testing.assert_array_equal(alpha, beta)
    assert float(ds["capability"].isel(year=-1).min()) > float(ds["capability"].isel(year=0).max())


def test_symmetry_holds_with_noise_in_distribution():
    data = two_actor_scenario()
    data["stochastic"] = {"noise": True, "espionage": False, "breakthroughs": False}
    ds = sim.run(parse_scenario_text(yaml.safe_dump(data)), runs=400, seed=3)
    final = np.log(ds["capability"].isel(year=-1).sel(sector="chips"))
    difference = final.sel(actor="Alpha") - final.sel(actor="Beta")
    assert abs(float(difference.mean())) < 3 * float(difference.std()) / np.sqrt(400)


def test_controls_lower_the_targets_access_and_capability():
    # Beta's chips are worse than Alpha's, so losing Alpha's chips lowers the quality of its inputs.
    data = two_actor_scenario()
    data["actors"]["Beta"]["capability"] = {"chips": 0.25, "ai": 0.5}
    free = _run(parse_scenario_text(yaml.safe_dump(data)))
    data["policies"] = {
        "export_controls": [{"controller": "Alpha", "target": "Beta", "sectors": "all", "schedule": {2015: 1.0}}]
    }
    controlled = _run(parse_scenario_text(yaml.safe_dump(data)))
    year = 2030
    assert float(controlled["controls_received"].sel(actor="Beta", sector="chips", year=year).max()) == 1.0
    assert float(controlled["decoupling_index"].sel(year=year).min()) > float(
        free["decoupling_index"].sel(year=year).max()
    )
    beta_free = float(free["input_availability"].sel(actor="Beta", sector="ai", year=year)[0])
    beta_cut = float(controlled["input_availability"].sel(actor="Beta", sector="ai", year=year)[0])
    assert beta_cut < beta_free
    # Equal AI starts, so catch-up in AI plays no part; the loss runs through inputs (AI needs chips).
    assert float(controlled["capability"].sel(actor="Beta", sector="ai", year=year)[0]) < float(
        free["capability"].sel(actor="Beta", sector="ai", year=year)[0]
    )


def test_controls_slow_a_laggards_catch_up():
    data = two_actor_scenario()
    data["actors"]["Beta"]["capability"] = {"chips": 0.2, "ai": 0.2}
    free = _run(parse_scenario_text(yaml.safe_dump(data)))
    data["policies"] = {"export_controls": [{"controller": "Alpha", "target": "Beta", "schedule": {2015: 1.0}}]}
    cut = _run(parse_scenario_text(yaml.safe_dump(data)))
    gap_free = float(free["relative_capability"].sel(actor="Beta", sector="chips").isel(year=-1)[0])
    gap_cut = float(cut["relative_capability"].sel(actor="Beta", sector="chips").isel(year=-1)[0])
    assert gap_cut < gap_free


def _partners(trust_level: float):
    data = two_actor_scenario()
    data["blocs"] = {"A": {"rivals": []}, "B": {"rivals": []}}
    data["actors"]["Beta"]["capability"] = {"chips": 0.2, "ai": 0.2}
    data["relations"] = {
        "pairs": [{"between": ["Alpha", "Beta"], "trust": trust_level, "cooperation": 1.0, "friction": 0.0}]
    }
    return parse_scenario_text(yaml.safe_dump(data))


def test_trust_gates_transfer():
    trusting = _run(_partners(0.95))
    wary = _run(_partners(0.05))
    coop_trusting = float(trusting["cooperation"].sel(actor="Beta", partner="Alpha", year=2020)[0])
    coop_wary = float(wary["cooperation"].sel(actor="Beta", partner="Alpha", year=2020)[0])
    assert coop_trusting > 0.5 > 0.05 > coop_wary
    assert float(trusting["capability"].sel(actor="Beta", sector="chips").isel(year=-1)[0]) > float(
        wary["capability"].sel(actor="Beta", sector="chips").isel(year=-1)[0]
    )


def test_catch_up_kernel_forms():
    x = np.array([0.25, 0.5, 1.0, 2.0])
    np.testing.assert_allclose(channels.catch_up_kernel(x, 1.0), [0.75, 0.5, 0.0, 0.0])
    np.testing.assert_allclose(channels.catch_up_kernel(x, -1.0), [3.0, 1.0, 0.0, 0.0])
    np.testing.assert_allclose(channels.catch_up_kernel(x, 0.0), [np.log(4), np.log(2), 0.0, 0.0])
    np.testing.assert_array_equal(channels.catch_up_kernel(x, 1.0, logistic=True), channels.catch_up_kernel(x, 1.0))


def test_bottleneck_limits():
    ratio = np.array([0.5, 1.0]).reshape(1, 1, 2)  # (R, A, S): input u0 halved, u1 intact
    omega = np.array([[0.0, 0.0], [0.4, 0.0]])  # sector 1 uses input u0 with Ω = 0.4
    cobb = inputs.bottleneck(ratio, omega, np.array(1.0))
    assert cobb[0, 0, 1] == pytest.approx(0.5**0.4) and cobb[0, 0, 0] == 1.0
    leontief_like = inputs.bottleneck(ratio, omega, np.array(0.05))[0, 0, 1]
    assert 0.5 <= leontief_like < 0.53  # near min(0.5, 1)
    assert inputs.bottleneck(ratio, omega, np.array(3.0))[0, 0, 1] > cobb[0, 0, 1]
    assert inputs.supply_ratio(np.array(2.0), np.array(1.0)) == 1.0


def test_lost_supply_is_resourced_from_the_best_open_origin_home_included():
    """Three actors, buyer 0 imports all of its supply from 1, which closes; 2 is open."""
    free = inputs.origin_shares(
        np.zeros((1, 3, 1)), np.array([[[0.0], [1.0], [0.0]], [[0.5], [0.0], [0.5]], [[0.5], [0.5], [0.0]]])
    )
    delivered = free.copy()
    delivered[0, 0, 1] = 0.0  # origin 1 cuts buyer 0 off
    lost = inputs.lost_volume(delivered)
    assert lost[0, 0, 0] == 1.0 and lost[0, 1, 0] == 0.0
    quality = np.array([[[0.2], [1.0], [0.8]]])  # home 0.2, controller 1.0, third 0.8
    attraction = inputs.sourcing_attraction(np.ones((3, 3)), quality, np.array(4.0))
    attraction[0, 0, 1] = 0.0  # the controller cannot substitute
    volume = inputs.resourced_volume(np.zeros((1, 3, 1)), lost, np.array(0.5))
    assert volume[0, 0, 0] == 0.5  # half at once, the rest later
    shares = inputs.resourced_shares(delivered, attraction, volume)
    moved = shares[0, 0, :, 0]
    assert moved.sum() == pytest.approx(0.5) and moved[1] == 0.0
    assert moved[2] / moved[0] == pytest.approx(0.8**4 / 0.2**4)  # to the better origin, by K^θ
    full = inputs.resourced_shares(delivered, attraction, lost)
    assert inputs.supply(full, quality)[0, 0, 0] < inputs.supply(free, quality)[0, 0, 0]  # worse quality
    assert inputs.home_share(full, quality, inputs.supply(full, quality))[0, 0, 0] > 0
    np.testing.assert_allclose(inputs.import_shares(full)[0, 0, :, 0].sum(), 1.0)


def test_trust_evidence_reproduces_initial_trust_and_falls_faster_than_it_rises():
    memory = np.full((1, 1, 1), 0.9)
    positive, negative = trust.initial_evidence(np.array([[0.5, 0.7], [0.7, 0.5]]), memory)
    np.testing.assert_allclose(trust.trust_level(positive, negative)[0, 0, 1], 0.7, atol=1e-12)
    up = trust.update_evidence(positive, negative, np.ones((1, 2, 2)), np.zeros((1, 2, 2)), memory, 3.0, 1.0)
    down = trust.update_evidence(positive, negative, np.zeros((1, 2, 2)), np.ones((1, 2, 2)), memory, 3.0, 1.0)
    rise = trust.trust_level(*up)[0, 0, 1] - 0.7
    fall = 0.7 - trust.trust_level(*down)[0, 0, 1]
    assert fall > rise > 0


def test_richardson_regime_flag():
    assert policy.richardson_spiral(np.array([0.8]), np.array([0.8]), np.array([0.5]))[0]
    assert not policy.richardson_spiral(np.array([0.3]), np.array([0.2]), np.array([0.5]))[0]


def test_time_to_parity_and_probability_by_hand():
    from sim import metrics

    years = np.array([2020.0, 2021.0, 2022.0])
    relative = xr.DataArray(
        [[[0.5], [0.95], [1.0]], [[0.2], [0.3], [0.4]]],
        dims=("run", "year", "actor"),
        coords={"year": years, "actor": ["X"]},
    )
    members = xr.DataArray([False], dims="actor", coords={"actor": ["X"]})
    ttp = metrics.time_to_parity(relative, 0.9, members)
    assert ttp.sel(actor="X").values[0] == 2021.0 and np.isnan(ttp.sel(actor="X").values[1])
    p = metrics.parity_probability(ttp, relative["year"])
    np.testing.assert_allclose(p.sel(actor="X").values, [0.0, 0.5, 0.5])


def test_bloc_index_aggregation():
    from sim import metrics

    effective = xr.DataArray([[[1.0, 2.0], [2.0, 2.0]]], dims=("run", "actor", "sector"))
    blocs = xr.DataArray(["A", "A"], dims="actor")
    additive = metrics.bloc_sector_index(effective, blocs, 1.0)
    np.testing.assert_allclose(additive.sel(bloc="A").values, [[3.0, 4.0]])
    best = metrics.bloc_sector_index(effective, blocs, 50.0)
    np.testing.assert_allclose(best.sel(bloc="A").values, [[2.0, 2.0]], rtol=0.02)
    composite = metrics.bloc_index(additive, xr.DataArray([1.0, 1.0], dims="sector"))
    np.testing.assert_allclose(composite.values, np.sqrt([[12.0]]))


def test_quarterly_steps_track_annual_steps():
    """Time step is a numerical choice: with randomness off, quarters and years agree closely."""
    off = {"stochastic.noise": False, "stochastic.espionage": False, "stochastic.breakthroughs": False}
    annual = sim.run(sim.load_scenario("scenarios/baseline.yaml", off), runs=1, seed=1)
    quarterly = sim.run(sim.load_scenario("scenarios/baseline.yaml", {**off, "time.step": 0.25}), runs=1, seed=1)
    assert quarterly.sizes["year"] == 4 * 35 + 1
    for year in (2020, 2035, 2050):
        a = annual["capability"].sel(year=year).values
        q = quarterly["capability"].sel(year=year).values
        assert np.max(np.abs(np.log(q / a))) < 0.25, (year, float(np.max(np.abs(np.log(q / a)))))
    median_gap = np.median(
        np.abs(np.log(quarterly["capability"].sel(year=2035).values / annual["capability"].sel(year=2035).values))
    )
    assert median_gap < 0.05

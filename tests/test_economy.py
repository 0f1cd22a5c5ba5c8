"""The GDP mapping (``sim.economy``, ODD 7.12): known answers, the network's accounting, the
solver against its numpy reference, and the data behind each actor's size."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import sim
from sim import economy
from sim.world import build_world
from tests.conftest import BASELINE

SEEDS = Path(__file__).resolve().parents[1] / "seeds" / "data"
WORLD = build_world(sim.load_scenario(BASELINE))
S, A = WORLD.n_sectors, WORLD.n_actors


def _net(runs=2, alpha_tech=0.35, alpha_rest=0.5, sales=0.5):
    full = lambda v: np.full(runs, v)  # noqa: E731
    return economy.network(
        WORLD.tech_value_added, WORLD.dependency, WORLD.weight, full(alpha_tech), full(alpha_rest), full(sales)
    )


def _gdp(net, log_productivity, price=None, rest=None, eps=1.0, theta=1.0, solver=economy.log_prices):
    runs = log_productivity.shape[0]
    shape = (*log_productivity.shape[:-1], S)
    price = np.zeros(shape) if price is None else price
    rest = np.zeros(shape) if rest is None else rest
    log_price = solver(net, log_productivity, price, rest, np.full(runs, eps), np.full(runs, theta))
    return economy.log_gdp(net, log_price)


def test_the_network_reproduces_each_actors_technology_value_added_and_its_accounts():
    net = _net(alpha_tech=0.3, alpha_rest=0.55, sales=0.6)
    value_added = net.domar * net.value_added[:, 0][:, None, :]
    np.testing.assert_allclose(value_added[..., :S].sum(axis=-1), np.broadcast_to(WORLD.tech_value_added, (2, A)))
    np.testing.assert_allclose(value_added.sum(axis=-1), 1.0)  # value added is GDP
    np.testing.assert_allclose(net.final.sum(axis=-1), 1.0)
    # The rest's market clears: its gross output = final demand + what every good buys from it.
    bought = net.domar[..., :S] * (1 - 0.3) * net.tech_inputs[:, -1]
    rest = net.domar[..., S]
    np.testing.assert_allclose(rest, net.final[..., S] + bought.sum(axis=-1) + rest * (1 - 0.55) * (1 - net.rest_tech))
    assert (net.rest_tech > 0).all() and (net.rest_tech < 1).all()


def test_with_cobb_douglas_gdp_moves_by_the_domar_weighted_productivity_change():
    """Hulten (1978) holds exactly when every elasticity is 1, whatever the size of the shocks."""
    net = _net()
    rng = np.random.default_rng(1)
    log_productivity = rng.normal(0.0, 0.5, (2, 3, A, S + 1))
    expected = (net.domar[:, None] * log_productivity).sum(axis=-1)
    np.testing.assert_allclose(_gdp(net, log_productivity), expected, atol=1e-8)


def test_with_complements_a_large_loss_costs_more_than_hulten_and_with_substitutes_less():
    """Baqaee and Farhi (2019): the second-order term has the sign of 1 − elasticity for a fall
    (substitutes here: among intermediates; value added stays Cobb-Douglas, see ODD 7.12)."""
    net = _net()
    fall = np.zeros((2, 1, A, S + 1))
    fall[..., 0] = -0.7  # semiconductors, which most technology sectors use
    hulten = (net.domar[:, None] * fall).sum(axis=-1)
    complements = _gdp(net, fall, eps=0.5, theta=0.2)
    substitutes = _gdp(net, fall, eps=1.0, theta=2.0)
    assert (complements < hulten - 1e-4).all() and (substitutes > hulten + 1e-4).all()


def test_the_price_channel_is_the_eaton_kortum_index_of_the_origins_still_open():
    """With Cobb-Douglas the GDP loss is Σ_j Domar_j·(1 − α_j)·Σ_k s_jk·ln π_k, ln π = −ln(1 − L)/θ."""
    net = _net()
    lost = np.zeros((2, 1, A, S))
    lost[..., 8] = 0.5  # half of free sourcing of energy goods no longer arrives
    theta = 4.0
    price = -np.log(1 - lost) / theta
    assert np.isclose(price[0, 0, 0, 8], np.log(2.0) / 4.0)
    change = _gdp(net, np.zeros((2, 1, A, S + 1)), price=price)
    cost_share = np.concatenate(
        [
            np.broadcast_to((1 - 0.35) * net.tech_inputs[:, 8], (2, A, S)),
            ((1 - 0.5) * net.rest_tech * net.split[8])[..., None],
        ],
        axis=-1,
    )
    expected = -(net.domar * cost_share).sum(axis=-1) * price[..., 8][:, 0]
    np.testing.assert_allclose(change[:, 0], expected, rtol=1e-6)
    assert (change < 0).all()


@settings(max_examples=15, deadline=None)
@given(
    eps=st.floats(0.05, 1.0),
    theta=st.floats(0.05, 2.5),
    scale=st.floats(0.0, 0.3),
    seed=st.integers(0, 2**16),
)
def test_the_compiled_solver_agrees_with_plain_iteration(eps, theta, scale, seed):
    net = _net(runs=2)
    rng = np.random.default_rng(seed)
    log_productivity = rng.normal(0.0, scale, (2, 2, A, S + 1))
    price = rng.uniform(0.0, 0.3, (2, 2, A, S))
    rest = rng.uniform(0.0, 0.3, (2, 2, A, S))
    args = (net, log_productivity, price, rest, np.full(2, eps), np.full(2, theta))
    np.testing.assert_allclose(economy.log_prices(*args), economy.log_prices_by_iteration(*args), atol=1e-7)


def test_a_network_without_equilibrium_is_nan_not_a_number():
    """Near-Leontief inputs and a sector that keeps 2 % of its productivity: no prices clear."""
    net = _net(runs=1)
    collapse = np.zeros((1, 1, A, S + 1))
    collapse[..., 0] = np.log(0.02)
    args = (net, collapse, np.zeros((1, 1, A, S)), np.zeros((1, 1, A, S)), np.full(1, 0.01), np.full(1, 0.01))
    assert np.isnan(economy.log_prices(*args)).all()
    with pytest.raises(ArithmeticError):
        economy.log_prices_by_iteration(*args)


def test_a_blocs_gdp_is_the_sum_of_its_members_gdp():
    index = np.array([[[1.0, 2.0, 4.0]]])
    gdp = np.array([3.0, 1.0, 2.0])
    members = np.array([[True, True, False], [False, False, True]])
    np.testing.assert_allclose(economy.bloc_gdp(index, gdp, members), [[[(3 + 2) / 4, 4.0]]])


def test_each_actors_size_comes_from_the_data_it_cites():
    """GDP from seeds/data/gdp_2015.csv; technology value added = NCSES table 1977 (2015) / GDP."""
    gdp = pd.read_csv(SEEDS / "gdp_2015.csv").set_index("actor")["gdp_usd_trillion"]
    panel = pd.read_csv(SEEDS / "panel" / "ncses_8actors.csv")
    value_added = panel[(panel["table"] == 1977) & (panel["year"] == 2015)].iloc[0]
    for actor, size, share in zip(WORLD.actors, WORLD.gdp0, WORLD.tech_value_added, strict=True):
        assert size == pytest.approx(gdp[actor], rel=1e-9), actor
        if actor in value_added:  # the seven actors NCSES reports (third countries: the world minus them)
            assert share == pytest.approx(value_added[actor] / 1e6 / gdp[actor], abs=6e-5), actor


def test_the_recorded_gdp_is_what_the_mapping_gives_on_the_recorded_trajectories():
    ds = sim.run(BASELINE, runs=6, seed=5)
    from sim.results import recompute_gdp, scenario_of

    again = recompute_gdp(ds, scenario_of(ds))
    np.testing.assert_allclose(again.values, ds["gdp_index"].values, rtol=2e-6)
    lower = recompute_gdp(ds, scenario_of(ds), {"diffusion_elasticity": 0.05})
    assert not np.allclose(lower.values, ds["gdp_index"].values)
    with pytest.raises(KeyError, match="not a parameter of the GDP mapping"):
        recompute_gdp(ds, scenario_of(ds), {"catch_up_scale": 1.0})


def test_a_model_recording_the_dynamics_only_has_the_same_trajectories_and_no_gdp():
    """What a calibration runs: every trajectory of a full recording, bit for bit, without GDP."""
    from sim.model import DecouplingModel
    from sim.results import to_dataset

    full, dynamics = (DecouplingModel(BASELINE, runs=3, rng=2, record=r) for r in ("full", "dynamics"))
    for model in (full, dynamics):
        for _ in range(5):
            model.step()
    with_gdp, without = to_dataset(full), to_dataset(dynamics)
    assert "gdp_index" in with_gdp and "actor_gdp_index" not in without and "gdp_index" not in without
    for name in ("capability", "supply_ratio", "lost_supply", "trade"):
        assert np.array_equal(with_gdp[name].values, without[name].values), name


def test_sim_run_can_leave_gdp_out_where_nothing_reads_it():
    from sim.config import ScenarioError

    full = sim.run(BASELINE, runs=3, seed=2)
    dynamics = sim.run(BASELINE, runs=3, seed=2, record="dynamics")
    assert "gdp_index" not in dynamics and np.array_equal(full["trade"].values, dynamics["trade"].values)
    with pytest.raises(ScenarioError, match="record must be 'full' or 'dynamics'"):
        sim.run(BASELINE, runs=3, seed=2, record="outcomes")


def test_a_sweep_names_the_runs_without_an_equilibrium(tmp_path, capsys):
    """Near-Leontief inputs, a technology sector selling nearly all it makes to itself and a
    productivity elasticity of 2: under full decoupling Russia's network has no equilibrium in
    2026 in some runs (its supply cut from 2025, before re-sourcing), a report year here."""
    import yaml

    from sim.cli import main
    from sim.sweep import open_sweep

    corner = {
        "value_added_elasticity": 0.01,
        "intermediate_elasticity": 0.01,
        "tech_productivity_elasticity": 2.0,
        "tech_value_added_ratio": 0.2,
        "tech_intermediate_sales": 0.95,
    }
    scenario = tmp_path / "corner.yaml"
    scenario.write_text(yaml.safe_dump({
        "extends": str(BASELINE.parent / "full_decoupling.yaml"), "name": "corner",
        "metrics": {"report_years": [2026, 2030]},
    }))  # fmt: skip
    sweep = tmp_path / "sweep.yaml"
    sweep.write_text(yaml.safe_dump({
        "scenario": str(scenario), "seed": 1, "design": {"kind": "grid"}, "replications": 4,
        "parameters": {f"parameters.{k}": [v] for k, v in corner.items()},
    }))  # fmt: skip
    assert main(["sweep", str(sweep), "-o", str(tmp_path / "s"), "--workers", "1", "--quiet"]) == 0
    runs = open_sweep(tmp_path / "s").runs
    gdp = runs[[c for c in runs.columns if c.startswith("gdp_index/")]]
    missing = runs.loc[gdp.isna().any(axis=1), "run"].tolist()
    assert missing and (runs["status"] == "ok").all()
    err = capsys.readouterr().err
    assert f"warning: {len(missing)} of 4 runs have no production-network equilibrium" in err, err
    assert f"(runs {', '.join(map(str, missing))})" in err

"""Every shipped scenario loads and runs, and each theme moves outcomes its way.

Comparisons are paired: the theme and the baseline share seeds (common random numbers),
and the test asserts the direction of the median paired difference and that most
runs agree.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import sim
from sim.config import load_scenario
from tests.conftest import SCENARIOS

RUNS, SEED, YEAR = 60, 7, 2035
ALL = sorted(SCENARIOS.glob("*.yaml"))


@pytest.fixture(scope="module")
def baseline():
    return sim.run(SCENARIOS / "baseline.yaml", runs=RUNS, seed=SEED)


@pytest.mark.parametrize("path", ALL, ids=[p.stem for p in ALL])
def test_scenario_loads_and_runs(path: Path):
    scenario = load_scenario(path)
    ds = sim.run(scenario, runs=3, seed=1)
    assert ds.sizes["run"] == 3
    assert np.isfinite(ds["capability"].values).all()
    assert ds.attrs["scenario_name"] == scenario.name


def _theme(name):
    return sim.run(SCENARIOS / f"{name}.yaml", runs=RUNS, seed=SEED)


def _moves(baseline, theme, pick, direction, year=YEAR):
    diff = pick(theme.sel(year=year)).values - pick(baseline.sel(year=year)).values
    agree = np.mean(np.sign(diff) == direction)
    assert np.sign(np.median(diff)) == direction and agree >= 0.75, (np.median(diff), agree)


def test_full_decoupling(baseline):
    theme = _theme("full_decoupling")
    _moves(baseline, theme, lambda d: d.decoupling_index, +1)
    _moves(baseline, theme, lambda d: d.relative_to_reference.sel(actor="China", sector="semiconductors"), -1)
    _moves(baseline, theme, lambda d: d.bloc_index.sel(bloc="West"), -1)  # decoupling costs the West too


def test_deep_partnership(baseline):
    theme = _theme("deep_partnership")
    _moves(baseline, theme, lambda d: d.cooperation.sel(actor="Russia", partner="China"), +1)
    _moves(baseline, theme, lambda d: d.bloc_index.sel(bloc="Russia"), +1)


def test_high_sanctions_evasion(baseline):
    theme = _theme("high_sanctions_evasion")
    _moves(baseline, theme, lambda d: d.leakage.sel(actor="Russia", sector="semiconductors"), +1)
    _moves(baseline, theme, lambda d: d.capability.sel(actor="Russia", sector="semiconductors"), +1)


def test_trust_breakdown(baseline):
    theme = _theme("trust_breakdown")
    _moves(baseline, theme, lambda d: d.trust.sel(actor="Russia", partner="China"), -1)
    _moves(baseline, theme, lambda d: d.cooperation.sel(actor="Russia", partner="China"), -1)


def test_western_escalation(baseline):
    theme = _theme("western_escalation")
    _moves(baseline, theme, lambda d: d.controls_received.sel(actor="China", sector="semiconductors"), +1)
    _moves(baseline, theme, lambda d: d.capability.sel(actor="China", sector="ai"), -1)
    _moves(baseline, theme, lambda d: d.capability.sel(actor="China", sector="semiconductors"), -1)
    _moves(baseline, theme, lambda d: d.cooperation.sel(actor="Russia", partner="China"), +1)  # C31


def test_chip_supply_shock(baseline):
    theme = _theme("chip_supply_shock")
    # Inputs act on the level of capability: the West loses while Taiwan's supply is cut
    # (2030-2033) and recovers once it returns, as output did after the 2011 Tohoku shock.
    _moves(baseline, theme, lambda d: d.capability.sel(actor="United States", sector="ai"), -1, year=2032)
    _moves(baseline, theme, lambda d: d.bloc_index.sel(bloc="West"), -1, year=2032)
    recovered = theme.bloc_index.sel(bloc="West", year=2040) / baseline.bloc_index.sel(bloc="West", year=2040)
    assert abs(float(recovered.median()) - 1.0) < 0.01


def test_data_fragmentation(baseline):
    theme = _theme("data_fragmentation")
    _moves(baseline, theme, lambda d: d.decoupling_index, +1)
    _moves(baseline, theme, lambda d: d.capability.sel(actor="Russia", sector="ai"), -1)

"""Temporary supply shocks leave a fading trace (buyers return at the tie-recovery rate), and
``compare`` says why when a difference has faded to nothing."""

from __future__ import annotations

import numpy as np
import pytest
import yaml

import sim
from sim.analysis.compare import compare, format_comparison
from sim.rules.inputs import disrupted_exports
from tests.conftest import BASELINE


def test_a_shock_cuts_at_once_and_its_loss_fades_at_the_recovery_rate():
    scheduled = np.array([[0.9, 0.0]])  # (A, S)
    lingering = np.zeros((1, 1, 2))
    assert disrupted_exports(scheduled, lingering).tolist() == [[[0.9, 0.0]]]
    # After the shock: the lingering loss decays by e^(-κ·t); a new, larger cut takes over at once.
    decayed = 0.9 * np.exp(-0.125 * np.arange(1, 9))
    assert disrupted_exports(np.zeros((1, 2)), decayed[-1] * np.ones((1, 1, 2)))[0, 0, 0] == pytest.approx(0.9 / np.e)
    assert disrupted_exports(np.array([[0.5, 0.5]]), np.array([[[0.2, 0.7]]])).tolist() == [[[0.5, 0.7]]]


def _with_shock(tmp_path, start: float, end: float, severity: float):
    data = {
        "extends": str(BASELINE),
        "name": "shocked",
        "policies": {"supply_shocks": [
            {"supplier": "Taiwan", "sectors": ["semiconductors"], "start": start, "end": end, "severity": severity}
        ]},
    }  # fmt: skip
    path = tmp_path / "shocked.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


def test_the_chip_shock_leaves_a_lasting_but_fading_loss(tmp_path):
    shocked = _with_shock(tmp_path, 2030, 2034, 0.9)
    base = sim.run(BASELINE, runs=60, seed=11)
    after = sim.run(shocked, runs=60, seed=11)
    west = lambda ds, y: ds["bloc_index"].sel(bloc="West", year=y).values  # noqa: E731
    loss_2035 = 1 - west(after, 2035) / west(base, 2035)
    loss_2050 = 1 - west(after, 2050) / west(base, 2050)
    # A statistical bound over the paired runs: the loss outlives the shock, and shrinks.
    assert np.quantile(loss_2035, 0.1) > 0 and np.median(loss_2035) > 0.002
    assert np.median(loss_2050) < 0.5 * np.median(loss_2035)


def test_compare_explains_a_difference_that_has_faded(tmp_path):
    shocked = _with_shock(tmp_path, 2016, 2017, 0.2)
    comparison = compare([BASELINE, shocked], runs=20, seed=2, years=[2050])
    note = comparison.notes[("shocked", 2050.0)]
    assert "no lasting difference" in note and "supply shock on Taiwan semiconductors 2016-2017" in note
    assert "note: shocked: no lasting difference" in format_comparison(comparison)
    assert comparison.table.loc[comparison.table["scenario"] == "shocked", "note"].str.len().gt(0).all()

"""Calibration helpers: a run cut at the window equals the full run to the bit, the distance
standardises by series, and broken calibration arguments are one-line errors."""

from __future__ import annotations

import numpy as np
import pytest

import sim
from sim.cli import main
from sim.config import load_scenario
from sim.observe.calibrate import distances, series_scales, window_scenario
from sim.recorder import VARIABLES
from tests.conftest import BASELINE, SCENARIOS, one_error_line


@pytest.mark.parametrize("path", [BASELINE, SCENARIOS / "full_decoupling.yaml"], ids=["baseline", "full_decoupling"])
@pytest.mark.parametrize("until", [2017, 2021, 2024])
def test_a_run_cut_after_the_window_equals_the_full_run(path, until):
    scenario = load_scenario(path, {"ensemble.use": "mean"})  # as the window scenario runs it
    full = sim.run(scenario, runs=6, seed=3)
    cut = sim.run(window_scenario(scenario, until), runs=6, seed=3)
    assert cut["year"].values[-1] == until + 1
    for name in VARIABLES:
        window = slice(scenario.time.start, until)
        assert np.array_equal(full[name].sel(year=window).values, cut[name].sel(year=window).values), name


def test_the_window_scenario_runs_the_posterior_mean():
    assert window_scenario(load_scenario(BASELINE), 2019).ensemble.use == "mean"


def test_distance_standardises_each_series_by_its_misfit():
    # Series a misfits by about 1 whatever the run, series b by 0.1: both weigh the same.
    residual = np.array([[1.0, 1.2, 0.8], [0.1, 0.12, 0.08]])
    scale = series_scales(residual, ["a", "b"])
    assert scale == pytest.approx([1.0, 0.1], rel=0.02)
    d = distances(residual, scale)
    assert d[0] == pytest.approx(1.0, rel=0.02) and d[1] > d[0] > d[2]
    # A series that fits to within measurement error is floored, not infinitely weighted.
    assert series_scales(np.zeros((1, 3)), ["c"])[0] == pytest.approx(0.05)


@pytest.mark.parametrize(
    "extra,fragment",
    [
        (["--particles", "5"], "at least 10"),
        (["--simulations", "30", "--particles", "20"], "cannot fill two generations"),
        (["--until", "1800"], "1900"),
    ],
)
def test_broken_calibration_arguments(tmp_path, capsys, extra, fragment):
    args = ["calibrate", str(BASELINE), "--until", "2019", "-o", str(tmp_path / "c"), *extra]
    assert main(args) == 2
    assert fragment in one_error_line(capsys)

"""Runs whose log capability reaches the numerical clip are named, never silently kept; knowledge
flows cannot jump past the frontier, so the corner of the box that used to reach it no longer does
(issue 15)."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import xarray as xr
import yaml

import sim
from sim import dynamics
from sim.cli import main
from sim.config import load_scenario
from sim.results import LogClipWarning
from sim.sweep import open_sweep
from tests.conftest import BASELINE

# A corner of the admissible box that reached the ±40 clip within a few years under every seed
# before knowledge flows were bounded by the gap to the frontier (found by the Latin hypercube
# of tests/test_properties.py): fast catch-up with an unbounded kernel (ν = -0.77) and heavy
# espionage together jumped past the frontier, then compounded.
CORNER = {
    "innovation_scale": 1.828,
    "rd_elasticity": 0.5869,
    "frontier_proximity": 0.7798,
    "catch_up_scale": 4.746,
    "catch_up_shape": -0.7702,
    "absorptive_half": 0.1042,
    "rd_depreciation": 0.3082,
    "foreign_potency": 0.7176,
    "spillover_strength": 0.152,
    "data_elasticity": 0.8637,
    "input_substitution": 1.744,
    "input_substitution_long": 4.8,
    "bottleneck_sensitivity": 0.09993,
    "reallocation": 0.3683,
    "sourcing_elasticity": 6.813,
    "leak_quality": 0.9742,
    "evasion_max": 0.1435,
    "evasion_premium": 0.6317,
    "evasion_build": 3.34,
    "enforcement_response": 2.174,
    "enforcement_decay": 1.486,
    "enforcement_bite": 1.945,
    "conduit_scale": 1.392,
    "substitution_response": 3.513,
    "substitution_budget": 0.604,
    "gestation": 13.31,
    "program_boost": 2.337,
    "sanction_budget_drag": 0.248,
    "learning_exponent": 0.3295,
    "experience_adjustment": 2.032,
    "escalation_reaction": 1.116,
    "escalation_counter": 1.602,
    "escalation_restraint": 0.2495,
    "escalation_grievance": 0.7704,
    "escalation_threshold": 1.229,
    "escalation_speed_weight": 7.526,
    "ally_alignment": 0.4663,
    "espionage_grievance": 0.675,
    "tie_decay": 19.07,
    "tie_spillover": 0.3424,
    "tie_recovery": 1.333,
    "transfer_rate": 0.2096,
    "pooling_efficiency": 0.8875,
    "trust_memory": 0.8975,
    "trust_negative_weight": 8.715,
    "control_offence": 39.98,
    "cooperation_slope": 26.87,
    "cooperation_threshold": 0.7948,
    "cooperation_speed": 2.159,
    "pressure_response": 1.823,
    "forgiveness": 0.7468,
    "espionage_rate": 4.806,
    "partner_hostility": 0.1594,
    "espionage_detection": 0.8556,
    "espionage_potency": 0.4482,
    "cyber_defence": 0.6222,
    "localisation_data_gain": 1.574,
    "localisation_flow_cut": 0.6464,
    "noise_scale": 0.9178,
    "breakthrough_rate": 0.08104,
    "breakthrough_size": 0.2774,
    "coverage_russia_2014": 4.549,
    "coverage_china_2018": 4.376,
    "coverage_huawei_2019": 0.2094,
    "coverage_china_2020": 2.177,
    "coverage_japan_korea_2019": 4.426,
    "coverage_russia_2022": 1.964,
    "coverage_china_2022": 1.425,
    "coverage_china_counter_2023": 0.2963,
}


def _scenario_file(tmp_path, parameters: dict, runs: int = 3):
    path = tmp_path / "scenario.yaml"
    body = {"extends": str(BASELINE), "name": "clip", "runs": runs, "seed": 4, "ensemble": {"use": "mean"}}
    path.write_text(yaml.safe_dump({**body, "parameters": parameters}))
    return path


@pytest.fixture
def low_clip(monkeypatch):
    """A clip of ±1.5 on log capability, which the baseline's leaders reach within its horizon."""
    monkeypatch.setattr(dynamics, "LOG_CAPABILITY_LIMIT", 1.5)


def test_the_corner_that_jumped_past_the_frontier_stays_below_the_clip():
    scenario = load_scenario(BASELINE, {"ensemble.use": "mean"})
    table = {name: np.full(3, value) for name, value in CORNER.items()}
    peaks = []
    for seed in (1, 2, 3):
        with warnings.catch_warnings():
            warnings.simplefilter("error", LogClipWarning)
            ds = sim.run(scenario, runs=3, seed=seed, parameter_table=table)
        assert np.isnan(ds["log_clip_year"].values).all()
        peaks.append(float(np.log(ds["capability"].astype(np.float64)).max()))
    # Measured 6.3-6.6 (2050); before the bound it reached 40 by 2017-2019.
    assert np.median(peaks) < 10, peaks


def test_runs_at_the_clip_are_named_with_the_year(low_clip):
    with pytest.warns(
        LogClipWarning, match=r"^4 of 4 runs reached the ±1.5 log-capability clip \(run \(year\): 0 \(20"
    ):
        ds = sim.run(BASELINE, runs=4, seed=1)
    years = ds["log_clip_year"].values
    assert ((years >= 2016) & (years <= 2050)).all(), years
    # From that year on the run sits at the bound: that is what the warning is for.
    log_k = np.log(ds["capability"].astype(np.float64).sel(year=slice(years.max(), None)))
    assert float(np.abs(log_k).max()) >= 1.0


def test_a_baseline_run_never_reaches_the_clip_and_says_nothing():
    with warnings.catch_warnings():
        warnings.simplefilter("error", LogClipWarning)
        ds = sim.run(BASELINE, runs=20, seed=1)
    assert np.isnan(ds["log_clip_year"].values).all()


def test_the_command_line_prints_one_warning_line_and_keeps_the_results(tmp_path, capsys, low_clip):
    out = tmp_path / "out"
    assert main(["run", str(_scenario_file(tmp_path, {})), "-o", str(out), "--no-plots", "--quiet"]) == 0
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("warning: 3 of 3 runs reached the ±1.5 log-capability clip"), err
    with xr.open_dataset(out / "trajectories.nc") as saved:
        assert not np.isnan(saved["log_clip_year"].values).any()


def test_a_sweep_records_the_clip_per_run_and_warns(tmp_path, capsys, low_clip):
    sweep = tmp_path / "sweep.yaml"
    grid = {"parameters.noise_scale": [0.5, 0.9]}
    body = {"scenario": str(_scenario_file(tmp_path, {})), "seed": 3, "design": {"kind": "grid"}, "replications": 2}
    sweep.write_text(yaml.safe_dump({**body, "parameters": grid}))
    assert main(["sweep", str(sweep), "-o", str(tmp_path / "s"), "--workers", "1", "--quiet"]) == 0
    runs = open_sweep(tmp_path / "s").runs
    assert runs["log_clip_year"].notna().all(), runs["log_clip_year"]
    err = capsys.readouterr().err
    assert "warning: 4 of 4 runs reached the ±1.5 log-capability clip" in err and "log_clip_year" in err, err

"""Calibration and hindcast: operators cover the shipped data, scores are right on a
hand-checked case, ABC recovers a known parameter, the commands run end to end, and
broken inputs get located one-line errors."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
import yaml

import sim
from sim.cli import main
from sim.config import ScenarioError, load_scenario
from sim.observe.calibrate import calibrate, read_priors
from sim.observe.data import DEFAULT_OBSERVATIONS, DEFAULT_OPERATORS, read_observations, read_operators
from sim.observe.hindcast import add_judgements, hindcast, scores
from tests.conftest import BASELINE


def test_every_shipped_row_is_mapped_or_has_a_reason():
    observations = read_observations(DEFAULT_OBSERVATIONS)
    operators = read_operators(DEFAULT_OPERATORS)
    assert {o.series for o in observations} <= set(operators), "every shipped series needs an operator entry"
    scenario = load_scenario(BASELINE)
    result = hindcast(sim.run(scenario, runs=10, seed=1), scenario, observations, operators, until=2016)
    assert len(result.table) + len(result.unmapped) == len(observations)
    assert result.unmapped["reason"].str.len().gt(10).all()
    assert set(result.table["line"]) | set(result.unmapped["line"]) == {o.line for o in observations}
    assert len(result.table) >= 20
    assert (
        result.table.loc[result.table["series"] == "ic_production_share_of_domestic_market", "quantity"]
        == "self_sufficiency"
    ).all()


def test_scores_on_a_hand_checked_case():
    table = pd.DataFrame(
        {
            "series": ["s"] * 4,
            "actor": ["A"] * 4,
            "year": [2016, 2017, 2018, 2019],
            "observed": [10.0, 12.0, 9.0, 20.0],
            "median": [10.0, 11.0, 11.0, 10.0],
            "q05": [8.0, 10.0, 10.0, 8.0],
            "q95": [12.0, 13.0, 12.0, 12.0],
            "window": ["calibration", "out of sample", "out of sample", "out of sample"],
        }
    )
    judged = add_judgements(table)
    # 2017: 12 in [10, 13] inside; up vs predicted up (11 > 10): right.
    # 2018: 9 below [10, 12] outside; down vs predicted up: wrong.
    # 2019: 20 above [8, 12] outside; up vs predicted flat (10 = 10): wrong.
    assert judged["inside_band"].tolist() == [True, True, False, False]
    assert judged["direction_right"].tolist()[1:] == [1.0, 0.0, 0.0]
    result = scores(judged)
    assert result["share_inside_90_band"] == pytest.approx(1 / 3)
    assert result["share_directions_right"] == pytest.approx(1 / 3)
    errors = sorted(abs(np.log([11 / 12, 11 / 9, 10 / 20])))
    assert result["median_abs_log_error"] == pytest.approx(errors[1])


def test_abc_recovers_a_parameter_from_data_the_model_made(tmp_path):
    scenario = load_scenario(
        BASELINE,
        {
            "time.horizon": 2022,
            "time.branch_year": 2022,
            "stochastic.noise": False,
            "stochastic.espionage": False,
            "stochastic.breakthroughs": False,
        },
    )
    truth = 1.6
    true_run = sim.run(scenario, runs=1, seed=1, parameter_table={"catch_up_scale": [truth]})
    operators = read_operators(
        _write(
            tmp_path / "ops.yaml",
            {
                "operators": {
                    f"cap_{s}": {"quantity": "capability", "sector": s, "scale": 1.0}
                    for s in ("semiconductors", "ai", "space")
                }
            },
        )
    )
    rows = []
    for s in ("semiconductors", "ai", "space"):
        for actor in ("China", "Russia"):
            for year in range(2016, 2021):
                value = float(true_run["capability"].sel(actor=actor, sector=s, year=year)[0])
                rows.append(f"cap_{s},{actor},{s},{year},{value},index,model,")
    (tmp_path / "obs.csv").write_text("series,actor,sector,year,value,unit,source,notes\n" + "\n".join(rows) + "\n")
    observations = read_observations(tmp_path / "obs.csv")
    priors = read_priors(
        _write(
            tmp_path / "priors.yaml",
            {"parameters.catch_up_scale": {"distribution": "uniform", "low": 0.5, "high": 2.5}},
        )
    )
    result = calibrate(scenario, observations, operators, 2020, priors, draws=300, accept=0.03, seed=2)
    assert result.estimates["catch_up_scale"] == pytest.approx(truth, abs=0.1)
    assert result.posterior["parameters.catch_up_scale"].std() < result.draws["parameters.catch_up_scale"].std() / 4


def test_internal_hindcast_calibrate_to_2016_check_2017_to_2019(tmp_path, capsys):
    out = tmp_path / "cal"
    assert (
        main(
            [
                "calibrate",
                str(BASELINE),
                "--observations",
                str(DEFAULT_OBSERVATIONS),
                "--until",
                "2016",
                "-o",
                str(out),
                "--draws",
                "200",
                "--check-runs",
                "20",
            ]
        )
        == 0
    )
    overlay = yaml.safe_load((out / "calibrated.yaml").read_text())
    assert set(overlay["parameters"]) == {
        "catch_up_scale",
        "innovation_scale",
        "frontier_proximity",
        "substitution_response",
        "input_substitution",
    }
    calibrated = load_scenario(out / "calibrated.yaml")
    assert calibrated.parameters.catch_up_scale == pytest.approx(overlay["parameters"]["catch_up_scale"])
    assert (
        main(
            [
                "hindcast",
                str(out / "calibrated.yaml"),
                "--observations",
                str(DEFAULT_OBSERVATIONS),
                "--until",
                "2016",
                "--runs",
                "30",
                "-o",
                str(tmp_path / "hc"),
            ]
        )
        == 0
    )
    result = json.loads((tmp_path / "hc" / "scores.json").read_text())
    assert result["rows_out_of_sample"] >= 10 and 0 <= result["share_inside_90_band"] <= 1
    table = pd.read_csv(tmp_path / "hc" / "hindcast.csv")
    assert (table.loc[table["window"] == "out of sample", "year"] > 2016).all()
    assert "directions right" in capsys.readouterr().out


def _write(path, data):
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


BAD_CSV = [
    ("series,actor,year,value\n", "missing column"),
    ("series,actor,sector,year,value,unit,source,notes\n", "no observations"),
    ("series,actor,sector,year,value,unit,source,notes\ngerd_ppp,China,x,20x6,3,u,s,\n", "not a whole number"),
    ("series,actor,sector,year,value,unit,source,notes\ngerd_ppp,China,x,2016,three,u,s,\n", "not a number"),
    ("series,actor,sector,year,value,unit,source,notes\ngerd_ppp,China,x,2016,nan,u,s,\n", "not finite"),
    ("series,actor,sector,year,value,unit,source,notes\n,China,x,2016,3,u,s,\n", "empty value"),
]


@pytest.mark.parametrize("text,fragment", BAD_CSV)
def test_broken_observation_files(tmp_path, text, fragment):
    path = tmp_path / "obs.csv"
    path.write_text(text)
    with pytest.raises(ScenarioError) as info:
        read_observations(path)
    assert fragment in str(info.value) and str(info.value).startswith(str(path))


@pytest.mark.parametrize(
    "data,fragment",
    [
        ({"operators": {"x": {"quantity": "gdp"}}}, "Input should be"),
        ({"operators": {"x": {"quantity": "capability"}}}, "needs a sector"),
        ({"operators": {"x": {"quantity": "rd_budget", "scale": -2}}}, "positive"),
        ({"operators": {"x": {}}}, "needs a quantity"),
        ({"operator": {}}, "required key 'operators' is missing"),
    ],
)
def test_broken_operator_files(tmp_path, data, fragment):
    path = _write(tmp_path / "ops.yaml", data)
    with pytest.raises(ScenarioError) as info:
        read_operators(path)
    assert fragment in str(info.value) and str(info.value).startswith(f"{path}:")


@pytest.mark.parametrize(
    "data,fragment",
    [
        ({"actors.China.rd_budget": {"distribution": "uniform", "low": 0.5, "high": 1}}, "only model parameters"),
        ({"parameters.gestation": {"distribution": "uniform", "low": 0.1, "high": 9}}, "exceeds"),
        ({"parameters.gestation": {"distribution": "uniform", "low": 9, "high": 2}}, "below high"),
    ],
)
def test_broken_prior_files(tmp_path, data, fragment):
    with pytest.raises(ScenarioError, match=fragment):
        read_priors(_write(tmp_path / "priors.yaml", data))


def test_hindcast_command_errors_are_one_line(tmp_path, capsys):
    assert main(["hindcast", str(BASELINE), "--observations", str(tmp_path / "none.csv")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "observations file not found" in err[0]

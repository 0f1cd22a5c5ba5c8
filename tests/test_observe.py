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
from sim.observe.data import (
    DEFAULT_OBSERVATIONS,
    DEFAULT_OPERATORS,
    SHIPPED_OBSERVATIONS,
    read_observation_files,
    read_observations,
    read_operators,
)
from sim.observe.hindcast import hindcast
from sim.observe.quantities import quantity
from sim.periods import over_period
from tests.conftest import BASELINE


def test_every_shipped_row_is_mapped_or_has_a_reason():
    observations = read_observation_files(SHIPPED_OBSERVATIONS)
    assert len(observations) == 59 + 59 + 2686  # the two hand-collected files and the panel extract
    operators = read_operators(DEFAULT_OPERATORS)
    assert {o.series for o in observations} <= set(operators), "every shipped series needs an operator entry"
    scenario = load_scenario(BASELINE)
    result = hindcast(sim.run(scenario, runs=10, seed=1), scenario, observations, operators, until=2021)
    assert len(result.table) + len(result.unmapped) == len(observations)
    assert result.unmapped["reason"].str.len().gt(10).all()
    where = set(zip(result.table["file"], result.table["line"], strict=True)) | set(
        zip(result.unmapped["file"], result.unmapped["line"], strict=True)
    )
    assert where == {(o.file, o.line) for o in observations}
    # With everything to 2021 in sample, every row the model has a quantity for is mapped: at
    # least 1,000 (the panels' rows before 2015 are outside the simulated years, with that reason).
    assert len(result.table) >= 1000
    early = result.unmapped[result.unmapped["year"] < 2015]
    assert early["reason"].str.contains("outside the simulated years").all()
    reasons = result.unmapped["reason"]
    assert not reasons.str.contains("not a model actor|not a model sector|no operator").any(), reasons.tolist()
    by_series = result.table.groupby("series")["quantity"].first()
    assert by_series["ic_production_share_of_domestic_market"] == "self_sufficiency"
    assert by_series["bilateral_trade"] == "pair_trade"
    assert by_series["chinese_brand_share_smartphone_imports"] == "import_share"
    assert by_series["semi_equipment_sales"] == "capability"


def test_the_panel_observations_are_rebuilt_from_the_shipped_panels_exactly():
    from sim.observe.panels import OUTPUT, build

    rebuilt = build()
    assert rebuilt.to_csv(index=False, lineterminator="\n") == OUTPUT.read_text(encoding="utf-8")
    assert rebuilt["year"].max() <= 2021  # no observation after 2021 enters seeds/


def test_world_totals_and_pair_quantities():
    scenario = load_scenario(BASELINE)
    ds = sim.run(scenario, runs=2, seed=1)
    world = quantity(ds, "capability", "*", "space")
    assert np.allclose(world, ds["capability"].sel(sector="space").sum("actor"))
    shares = quantity(ds, "import_share", "Russia-China", "semiconductors")
    assert np.allclose(shares, ds["import_share"].sel(actor="Russia", partner="China", sector="semiconductors"))
    mean_share = quantity(ds, "import_share_all", "Russia-China", None)
    assert float(mean_share.min()) >= 0 and float(mean_share.max()) <= 1
    assert np.allclose(
        quantity(ds, "import_dependence", "China", "ai"), 1 - ds["self_sufficiency"].sel(actor="China", sector="ai")
    )


def test_abc_recovers_a_parameter_from_data_the_model_made(tmp_path):
    scenario = load_scenario(
        BASELINE,
        {
            "time.horizon": 2022,
            "time.branch_year": 2022,
            "stochastic.noise": False,
            "stochastic.espionage": False,
            "stochastic.breakthroughs": False,
            # The same other parameters in the true run as in calibration (which runs the posterior mean).
            "ensemble.use": "mean",
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
                # An annual row is a flow: the model's average over the year (ODD section 3).
                value = float(over_period(true_run["capability"].sel(actor=actor, sector=s), year)[0])
                rows.append(f"cap_{s},{actor},{s},{year},{value},index,model,")
    (tmp_path / "obs.csv").write_text("series,actor,sector,year,value,unit,source,notes\n" + "\n".join(rows) + "\n")
    observations = read_observations(tmp_path / "obs.csv")
    priors = read_priors(
        _write(
            tmp_path / "priors.yaml",
            {"parameters.catch_up_scale": {"distribution": "uniform", "low": 0.5, "high": 2.5}},
        )
    )
    result = calibrate(scenario, observations, operators, 2020, priors, simulations=3000, particles=200, seed=2)
    assert result.estimates["catch_up_scale"] == pytest.approx(truth, abs=0.1)
    assert result.identification.loc[0, "interval_ratio"] < 0.25 and bool(result.identification.loc[0, "informed"])
    assert len(result.generations) >= 3 and result.generations["epsilon"].is_monotonic_decreasing
    # Russia's output bound (window past 2017): the 2014 acts' technology channel stays inside it.
    assert result.output_bound is not None and result.output_bound.loc[0, "posterior_share_ruled_out"] == 0.0


def test_internal_hindcast_calibrate_to_2016_check_2017_to_2019(tmp_path, capsys):
    out = tmp_path / "cal"
    command = ["calibrate", str(BASELINE), "--until", "2016", "-o", str(out)]
    assert (
        main([*command, "--simulations", "400", "--particles", "100", "--check-runs", "20", "--sensitivity-runs", "2"])
        == 0
    )
    overlay = yaml.safe_load((out / "calibrated.yaml").read_text())
    assert overlay["ensemble"] == {"posterior": "posterior.csv", "use": "sample", "fitted_until": 2016}
    posterior = pd.read_csv(out / "posterior.csv")
    assert len(posterior) == 100 and posterior["weight"].sum() == pytest.approx(1.0)
    calibrated = load_scenario(out / "calibrated.yaml")
    assert calibrated.ensemble.draws["catch_up_scale"] == pytest.approx(posterior["parameters.catch_up_scale"].tolist())
    identification = pd.read_csv(out / "identification.csv")
    assert set(identification["parameter"]) == set(calibrated.ensemble.draws)
    checks = pd.read_csv(out / "predictive_checks.csv").set_index("check")
    assert set(checks.index) == {"prior", "posterior"} and checks["coverage90"].between(0, 1).all()
    names = ("prior_posterior.png", "fit.png", "generations.csv", "discrepancy.csv", "moments.csv", "sensitivity.csv")
    for name in (*names, "identification_blocks.csv"):
        assert (out / name).stat().st_size > 0
    hindcast_dir = tmp_path / "hc"
    observations = ["--observations", str(DEFAULT_OBSERVATIONS)]
    assert (
        main(
            [
                "hindcast",
                str(out / "calibrated.yaml"),
                *observations,
                "--until",
                "2016",
                "--runs",
                "30",
                "-o",
                str(hindcast_dir),
            ]
        )
        == 0
    )
    result = json.loads((hindcast_dir / "scores.json").read_text())
    assert result["rows_out_of_sample"] >= 10 and 0 <= result["coverage90_model"] <= 1
    assert result["relative_wis_trend"] > 0 and result["relative_wis_persistence"] > 0
    table = pd.read_csv(hindcast_dir / "hindcast.csv")
    assert (table.loc[table["window"] == "out of sample", "year"] > 2016).all()
    assert {"q0.01", "q0.5", "q0.99", "pit", "wis_model", "wis_trend", "wis_persistence"} <= set(table.columns)
    assert (hindcast_dir / "pit_coverage.png").stat().st_size > 0
    by_series = pd.read_csv(hindcast_dir / "scores_by_series.csv")
    assert by_series["rows"].sum() == result["rows_scored"]
    printed = capsys.readouterr().out
    assert "relative WIS" in printed and "directions right" in printed


def test_hindcast_takes_several_observation_files_and_the_mean_switch(tmp_path, capsys):
    files = [str(f) for f in SHIPPED_OBSERVATIONS]
    out = tmp_path / "hc"
    assert (
        main(
            [
                "hindcast",
                str(BASELINE),
                "--observations",
                *files,
                "--until",
                "2019",
                "--runs",
                "20",
                "--posterior-mean",
                "-o",
                str(out),
            ]
        )
        == 0
    )
    table = pd.read_csv(out / "hindcast.csv")
    assert set(table["file"]) == set(files)
    assert (table.loc[table["year"] > 2019, "window"] == "out of sample").all()
    printed = capsys.readouterr().out
    assert "scored against the baselines" in printed
    # The shipped posterior saw 2020-2021: the command says so instead of calling them out of sample.
    assert "calibrated on observations up to 2021" in printed


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
        ({"parameters.catch_up_scale": {"distribution": "normal", "mean": 1, "sd": 1}}, "bound a normal prior"),
    ],
)
def test_broken_prior_files(tmp_path, data, fragment):
    with pytest.raises(ScenarioError, match=fragment):
        read_priors(_write(tmp_path / "priors.yaml", data))


def test_hindcast_command_errors_are_one_line(tmp_path, capsys):
    assert main(["hindcast", str(BASELINE), "--observations", str(tmp_path / "none.csv")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "observations file not found" in err[0]

"""Results: Dataset layout, save/load round trip, provenance."""

from __future__ import annotations

import json

import numpy as np
import pytest

import sim
from sim.config import ScenarioError


@pytest.fixture(scope="module")
def results():
    return sim.run(runs=6, seed=9)


def test_dataset_dimensions_and_variables(results):
    assert {"run", "year", "actor", "partner", "sector", "bloc", "parameter"} <= set(results.dims)
    for name in (
        "capability",
        "relative_capability",
        "relative_to_reference",
        "trust",
        "controls",
        "self_sufficiency",
        "decoupling_index",
        "bloc_index",
        "bloc_sector_index",
        "time_to_parity",
        "p_parity",
        "escalation_spiral",
    ):
        assert name in results, name
    assert results["year"].values[0] == 2015 and results["year"].values[-1] == 2050
    assert results["relative_capability"].max("actor").min() == pytest.approx(1.0)


def test_save_load_round_trip_with_provenance(results, tmp_path):
    path = sim.save(results, tmp_path / "r.nc")
    loaded = sim.load(path)
    np.testing.assert_array_equal(loaded["capability"].values, results["capability"].values)
    assert sim.scenario_of(loaded) == sim.scenario_of(results)
    assert int(loaded.attrs["seed"]) == 9
    assert "mesa" in json.loads(loaded.attrs["package_versions"])
    assert not (tmp_path / "r.nc.partial").exists()


def test_load_rejects_other_files(tmp_path):
    with pytest.raises(ScenarioError, match="not found"):
        sim.load(tmp_path / "none.nc")
    bad = tmp_path / "bad.nc"
    bad.write_text("not netcdf")
    with pytest.raises(ScenarioError, match="not a readable results file"):
        sim.load(bad)


def test_run_argument_errors():
    with pytest.raises(ScenarioError, match="runs must be a positive integer"):
        sim.run(runs=0)
    with pytest.raises(ScenarioError, match="unknown parameter"):
        sim.run(runs=2, parameter_table={"nope": [1, 2]})
    with pytest.raises(ScenarioError, match="has 3 values for 2 runs"):
        sim.run(runs=2, parameter_table={"gestation": [2, 3, 4]})
    with pytest.raises(ScenarioError, match="outside"):
        sim.run(runs=2, parameter_table={"gestation": [2, 99]})

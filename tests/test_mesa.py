"""Mesa integration: one model class, actors as agents, batch_run works."""

from __future__ import annotations

import warnings

import mesa
import numpy as np
import pytest

from sim.agents import Actor
from sim.config import ScenarioError
from sim.model import DecouplingModel
from tests.conftest import BASELINE


def test_model_is_a_mesa_model_with_one_actor_agent_per_actor():
    model = DecouplingModel(runs=2, rng=1)
    assert isinstance(model, mesa.Model)
    assert len(model.agents) == len(model.world.actors) == 8
    assert all(isinstance(a, Actor) for a in model.agents)
    china = model.actor("China")
    assert china.capability.shape == (2, 12)
    assert china.bloc == "China" and china.trust_in(model.actor("Russia")).shape == (2,)
    with pytest.raises(ValueError):
        china.capability[0, 0] = 5.0


def test_steps_advance_to_the_horizon_and_stop():
    model = DecouplingModel(runs=1, rng=1)
    assert model.year == 2015
    model.step()
    assert model.year == 2016 and model.steps == 1
    model.run_to_end()
    assert model.year == 2050 and not model.running


def test_keyword_parameters_and_errors():
    model = DecouplingModel(str(BASELINE), runs=1, rng=2, leak_quality=0.9)
    assert model.params.values["leak_quality"][0] == 0.9
    with pytest.raises(ScenarioError, match="unknown parameter 'leak_qualty'"):
        DecouplingModel(leak_qualty=0.9)
    with pytest.raises(ScenarioError, match="less than or equal"):
        DecouplingModel(leak_quality=7)


def test_mesa_scenario_keyword_is_not_ours():
    model = DecouplingModel(runs=1, rng=3)
    assert model.config.name == "baseline"  # ours
    assert model.scenario is not model.config  # Mesa's own experimental Scenario


def test_batch_run_returns_model_level_rows():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        rows = mesa.batch_run(
            DecouplingModel,
            parameters={"config": str(BASELINE), "leak_quality": [0.4, 0.8]},
            rng=[1, 2],
            max_steps=100,
            data_collection_period=-1,
            display_progress=False,
        )
    assert len(rows) == 4
    assert {"decoupling_index", "year", "capability_index[China]", "leak_quality"} <= set(rows[0])
    assert all(row["year"] == 2050 for row in rows)


def test_batch_run_row_equals_batch_path():
    """Mesa's per-run path and the vectorised batch compute the same run."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        rows = mesa.batch_run(
            DecouplingModel,
            parameters={"config": str(BASELINE)},
            rng=[5],
            max_steps=100,
            data_collection_period=-1,
            display_progress=False,
        )
    model = DecouplingModel(runs=3, rng=5)
    model.run_to_end()
    assert rows[0]["decoupling_index"] == float(model.observation.decoupling[0])
    assert np.isfinite(rows[0]["capability_index[Russia]"])

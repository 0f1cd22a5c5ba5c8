"""Loading scenarios: extends, overrides, frozen config, located errors."""

from __future__ import annotations

import pydantic
import pytest

from sim.config import ScenarioError, load_scenario, parse_overrides, parse_scenario_text
from tests.conftest import BASELINE, two_actor_scenario, write_scenario


def test_baseline_loads_with_defaults():
    scenario = load_scenario(BASELINE)
    assert scenario.name == "baseline"
    assert len(scenario.actors) == 8 and len(scenario.sectors) == 12
    assert scenario.parameters.gestation == 4.0
    assert scenario.time.branch_year == 2025


def test_config_is_frozen():
    scenario = load_scenario(BASELINE)
    with pytest.raises(pydantic.ValidationError):
        scenario.runs = 5  # type: ignore[misc]
    with pytest.raises(pydantic.ValidationError):
        scenario.parameters.gestation = 2.0  # type: ignore[misc]


def test_extends_inherits_and_overrides(tmp_path):
    parent = write_scenario(tmp_path, two_actor_scenario(), "parent.yaml")
    child = tmp_path / "child.yaml"
    child.write_text("extends: parent.yaml\nname: child\nparameters:\n  gestation: 6\n", encoding="utf-8")
    scenario = load_scenario(child)
    assert scenario.name == "child"
    assert scenario.parameters.gestation == 6
    assert scenario.actors == load_scenario(parent).actors


def test_extends_replaces_lists_whole(tmp_path):
    write_scenario(
        tmp_path,
        two_actor_scenario(
            policies={"export_controls": [{"controller": "Alpha", "target": "Beta", "schedule": {2020: 0.5}}]}
        ),
        "parent.yaml",
    )
    child = tmp_path / "child.yaml"
    child.write_text(
        "extends: parent.yaml\npolicies:\n  export_controls:\n"
        "    - {controller: Beta, target: Alpha, schedule: {2021: 0.2}}\n",
        encoding="utf-8",
    )
    controls = load_scenario(child).policies.export_controls
    assert [c.controller for c in controls] == ["Beta"]


def test_overrides_use_dotted_paths_and_yaml_values():
    scenario = load_scenario(
        BASELINE, {"parameters.leak_quality": "0.8", "actors.China.rd_budget": 1.1, "time.horizon": "2040"}
    )
    assert scenario.parameters.leak_quality == 0.8
    assert scenario.actors["China"].rd_budget == 1.1
    assert scenario.time.horizon == 2040


def test_parse_overrides_reads_cli_pairs():
    assert parse_overrides(["parameters.gestation=3", "name=x y"]) == {"parameters.gestation": 3, "name": "x y"}
    with pytest.raises(ScenarioError, match="key.path=value"):
        parse_overrides(["parameters.gestation"])


def test_unknown_override_key_is_located():
    with pytest.raises(ScenarioError) as info:
        load_scenario(BASELINE, {"parameters.leak_qualty": 0.3})
    message = str(info.value)
    assert message.startswith("--set parameters.leak_qualty: parameters.leak_qualty:")
    assert "did you mean 'leak_quality'" in message


def test_error_in_child_names_child_file_and_line(tmp_path):
    write_scenario(tmp_path, two_actor_scenario(), "parent.yaml")
    child = tmp_path / "child.yaml"
    child.write_text("extends: parent.yaml\nparameters:\n  gestation: -1\n", encoding="utf-8")
    with pytest.raises(ScenarioError) as info:
        load_scenario(child)
    assert str(info.value).startswith(f"{child}:3: parameters.gestation:")


def test_error_in_parent_names_parent_file(tmp_path):
    data = two_actor_scenario()
    data["sectors"]["chips"]["weight"] = -2
    parent = write_scenario(tmp_path, data, "parent.yaml")
    child = tmp_path / "child.yaml"
    child.write_text("extends: parent.yaml\n", encoding="utf-8")
    with pytest.raises(ScenarioError) as info:
        load_scenario(child)
    assert str(info.value).startswith(f"{parent}:")
    assert "sectors.chips.weight" in str(info.value)


def test_parse_scenario_text_validates():
    import yaml

    scenario = parse_scenario_text(yaml.safe_dump(two_actor_scenario()))
    assert set(scenario.actors) == {"Alpha", "Beta"}

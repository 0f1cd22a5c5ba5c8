"""Hostile and absurd input: each ends quickly in one located line with exit code 2.

The broken scenario files (tests/broken_scenarios) cover values; this file covers what
cannot sit in a small file (sizes, devices) and ``--set`` overrides.
"""

from __future__ import annotations

import pytest

from sim.cli import main
from sim.config import ScenarioError, load_scenario
from sim.config.yamlio import MAX_FILE_BYTES, parse_yaml_text
from tests.conftest import BASELINE, SCENARIOS


def _one_error_line(capsys) -> str:
    captured = capsys.readouterr()
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), captured.err
    return lines[0]


def test_a_file_larger_than_the_limit_is_refused_without_parsing(tmp_path, capsys):
    huge = tmp_path / "huge.yaml"
    huge.write_text("name: " + "x" * (MAX_FILE_BYTES + 10) + "\n")
    assert main(["validate", str(huge)]) == 2
    assert "larger than 5 MB" in _one_error_line(capsys)


def test_text_larger_than_the_limit_is_refused():
    with pytest.raises(ScenarioError, match="larger than"):
        parse_yaml_text("a: " + "x" * (MAX_FILE_BYTES + 1), "text")


@pytest.mark.parametrize("device", ["/dev/zero", "/dev/null"])
def test_a_device_is_not_read(device, capsys):
    assert main(["validate", device]) == 2
    assert "is not a regular file" in _one_error_line(capsys)


@pytest.mark.parametrize(("override", "fragment"), [
    ("time.horizon=2040.5", "--set time.horizon: time: horizon - start (25.5) must be a whole number"),
    ("time.horizon=.inf", "--set time.horizon: time.horizon: Input should be a finite number"),
    ("runs=true", "--set runs: runs: Input should be a valid integer (got true)"),
    ("parameters.gdp_elasticity=nan", "--set parameters.gdp_elasticity"),
    ("history.levels.major=5", "--set history.levels.major"),
])
def test_set_errors_point_at_the_override(override, fragment, capsys):
    assert main(["validate", str(SCENARIOS / "full_decoupling.yaml"), "--set", override]) == 2
    assert fragment in _one_error_line(capsys)


def test_an_error_in_an_extended_file_names_the_file_that_extends_it(tmp_path):
    parent = tmp_path / "parent.yaml"
    parent.write_text(f"extends: {BASELINE}\nparameters: {{leak_quality: 7}}\n")
    child = tmp_path / "child.yaml"
    child.write_text("name: child\nextends: parent.yaml\n")
    with pytest.raises(ScenarioError) as info:
        load_scenario(child)
    assert str(info.value).startswith(f"{parent}:2: parameters.leak_quality:")
    assert f"(extended by {child}:2)" in str(info.value)

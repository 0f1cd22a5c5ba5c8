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


def test_a_batch_that_cannot_fit_in_memory_is_refused_before_allocating(capsys):
    assert main(["run", str(BASELINE), "--runs", "10000000", "--no-plots"]) == 2
    line = _one_error_line(capsys)
    assert "need about" in line and "GiB" in line and "decoupling sweep" in line


@pytest.mark.parametrize(("body", "fragment"), [
    ("replications: 1000000000000\n", "1,000,000,000,000 runs"),
    ("design: {kind: grid}\nparameters:\n  parameters.leak_quality: " + str([0.5] * 1000)
     + "\n  parameters.gestation: " + str([4.0] * 1000) + "\n  parameters.tie_decay: " + str([1.0] * 1000) + "\n",
     "1,000,000,000 runs"),
    ("replications: true\n", "replications"),
    ("seed: .inf\n", "finite number"),
])
def test_absurd_sweeps_are_refused_at_load(tmp_path, body, fragment, capsys):
    sweep = tmp_path / "sweep.yaml"
    sweep.write_text(f"scenario: {BASELINE}\n" + body)
    assert main(["sweep", str(sweep), "-o", str(tmp_path / "out"), "--workers", "1", "--quiet"]) == 2
    assert fragment in _one_error_line(capsys)
    assert not (tmp_path / "out" / "runs").exists()


@pytest.mark.parametrize("name", ["../../escape", "/tmp/absolute", "..", "a/../../b"])
def test_a_scenario_name_cannot_write_outside_results(tmp_path, monkeypatch, name, capsys):
    scenario = tmp_path / "s.yaml"
    scenario.write_text(f"extends: {BASELINE}\nname: '{name}'\nruns: 2\n")
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    assert main(["run", str(scenario), "--no-plots", "--quiet"]) == 0
    written = [p for p in work.rglob("manifest.json")]
    assert len(written) == 1 and written[0].parent.parent == work / "results"


@pytest.mark.parametrize("out", ["bad\x00name", "bad\udc80name"])
def test_an_output_path_that_is_not_a_path_is_refused(tmp_path, out, capsys):
    assert main(["run", str(BASELINE), "--runs", "2", "--no-plots", "-o", out]) == 2
    _one_error_line(capsys)


def test_a_write_error_is_one_line(tmp_path, monkeypatch, capsys):
    def full_disk(*args, **kwargs):
        raise OSError(28, "No space left on device", str(tmp_path / "out" / "trajectories.nc"))

    monkeypatch.setattr("sim.results.save", full_disk)
    assert main(["run", str(BASELINE), "--runs", "2", "--no-plots", "-o", str(tmp_path / "out")]) == 2
    assert "No space left on device" in _one_error_line(capsys)

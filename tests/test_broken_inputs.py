"""Broken sweep files and observation files: each is refused with one located line, exit 2.

``tests/broken_sweeps/*.yaml`` start with ``# expect: <fragment>``; the expected fragment of
each ``tests/broken_observations/*.csv`` is in ``expected.json`` beside them (a CSV has no
comments). Scenario files are in ``tests/broken_scenarios`` (test_broken_scenarios.py).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from sim.cli import main
from tests.conftest import BASELINE, one_error_line

HERE = Path(__file__).parent
SWEEPS = sorted((HERE / "broken_sweeps").glob("*.yaml"))
OBSERVATIONS = json.loads((HERE / "broken_observations" / "expected.json").read_text(encoding="utf-8"))


def test_there_are_enough_broken_inputs():
    scenarios = list((HERE / "broken_scenarios").glob("*.yaml"))
    assert len(scenarios) + len(SWEEPS) + len(OBSERVATIONS) >= 120


@pytest.mark.parametrize("path", SWEEPS, ids=[p.stem for p in SWEEPS])
def test_broken_sweep_is_refused_before_any_run(path, tmp_path, capsys):
    fragment = re.search(r"^# expect: (.+)$", path.read_text(encoding="utf-8"), re.M).group(1).strip()
    out = tmp_path / "out"
    assert main(["sweep", str(path), "-o", str(out), "--workers", "1", "--quiet"]) == 2
    line = one_error_line(capsys)
    assert fragment in line and path.name in line, line
    assert not (out / "runs").exists()


@pytest.mark.parametrize("name", sorted(OBSERVATIONS))
def test_broken_observation_file_is_refused(name, tmp_path, capsys):
    path = HERE / "broken_observations" / name
    assert (
        main(["hindcast", str(BASELINE), "--observations", str(path), "--runs", "2", "-o", str(tmp_path / "out")]) == 2
    )
    line = one_error_line(capsys)
    assert OBSERVATIONS[name] in line and name in line, line

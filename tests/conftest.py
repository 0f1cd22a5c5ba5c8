"""Shared fixtures: paths, small scenarios built in code, and quick runs."""

from __future__ import annotations

import contextlib
import fcntl
import os
import tempfile
from pathlib import Path

import pytest
import yaml

os.environ.setdefault("MPLBACKEND", "Agg")

ROOT = Path(__file__).resolve().parent.parent
CPU_LOCK = Path(tempfile.gettempdir()) / "decoupling-tests-cpu.lock"


@contextlib.contextmanager
def cpu_exclusive():
    """Hold the machine's cores: browser latency measurements, and the tests that fill both
    cores (process pools, Dask, notebook kernels), take turns instead of slowing each other
    (pytest-xdist runs two workers on a two-core machine)."""
    with open(CPU_LOCK, "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config, items):
    """Refuse to run if ``--dist loadgroup`` silently ignores the ``xdist_group`` marks.

    The notebooks and the site they feed, and the browser tests, must each run in one worker:
    split across two, two site builds delete each other's files. pytest 9.2 with
    pytest-xdist 3.8 drops the group (pytest-xdist issue 1386) without a word, which showed
    here as a site build failing now and then; so the test extras pin pytest below 9.2, and
    this check turns a silent split into an error.
    """
    if not os.environ.get("PYTEST_XDIST_WORKER") or not config.getoption("loadgroup", False):
        return
    lost = [item.nodeid for item in items if item.get_closest_marker("xdist_group") and "@" not in item.nodeid]
    if lost:
        raise pytest.UsageError(f"--dist loadgroup ignores the xdist_group mark of {lost[0]} (pytest-xdist issue 1386)")


SCENARIOS = ROOT / "scenarios"
BASELINE = SCENARIOS / "baseline.yaml"


def two_actor_scenario(**changes) -> dict:
    """A minimal deterministic scenario: two identical actors, two sectors, no history.

    Keyword arguments update the top level (nested dicts are replaced whole).
    """
    identical = {
        "rd_budget": 1.0,
        "budget_growth": 0.02,
        "capability": {"chips": 0.5, "ai": 0.5},
        "data_stock": 1.0,
        "data_growth": 0.05,
    }
    data = {
        "name": "two_actors",
        "time": {"start": 2015, "branch_year": 2020, "horizon": 2030, "step": 1.0},
        "runs": 2,
        "seed": 1,
        "blocs": {"A": {"rivals": ["B"]}, "B": {"rivals": ["A"]}},
        "actors": {"Alpha": {"bloc": "A", **identical}, "Beta": {"bloc": "B", **identical}},
        "sectors": {
            "chips": {"weight": 1.0, "innovation": 0.05, "catch_up": 0.1},
            "ai": {"weight": 1.0, "innovation": 0.06, "catch_up": 0.15, "data_intensity": 1.0},
        },
        "dependency": {"ai": {"chips": 0.4}},
        "spillover": {"ai": {"chips": 0.2}},
        "history": {"replay": False},
        "stochastic": {"noise": False, "espionage": False, "breakthroughs": False},
        "metrics": {"reference_bloc": "A", "report_years": [2025, 2030]},
    }
    data.update(changes)
    return data


def write_scenario(folder: Path, data: dict, name: str = "scenario.yaml") -> Path:
    path = folder / name
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


@pytest.fixture
def baseline_path() -> Path:
    return BASELINE


def one_error_line(capsys) -> str:
    """The single ``error: ...`` line a failing command printed on stderr (and nothing else)."""
    captured = capsys.readouterr()
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), captured.err
    assert "Traceback" not in captured.err
    return lines[0]

"""The Python API: load a scenario, run it, get an ``xarray.Dataset``.

>>> import sim
>>> scenario = sim.load_scenario("scenarios/baseline.yaml", {"parameters.leak_quality": 0.8})
>>> results = sim.run(scenario, runs=200, seed=1)
>>> results.capability.sel(actor="China", sector="ai").median("run")
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import numpy as np
import xarray as xr

from sim.config.errors import ScenarioError
from sim.config.schema import Scenario
from sim.model import DecouplingModel, resolve_scenario
from sim.params import checked_column
from sim.recorder import bytes_per_run
from sim.results import add_metrics, provenance, to_dataset, warn_if_clipped, warn_if_no_equilibrium
from sim.schedule import step_times

# Runs simulated together by default; larger requests are split into chunks of this size.
# Run i's result does not depend on the chunking (tests/test_determinism.py).
DEFAULT_CHUNK = 2000

Progress = Callable[[int, int], None]


def memory_budget() -> int:
    """Bytes a run may use: 60 % of this machine's physical memory (8 GiB if unknown)."""
    try:
        return int(0.6 * os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES"))
    except (ValueError, OSError, AttributeError):
        return 8 * 2**30


def check_memory(config: Scenario, runs: int) -> None:
    """Refuse, before allocating anything, a batch whose full trajectories cannot fit in memory."""
    n_times = len(step_times(config))
    need = runs * bytes_per_run(n_times, len(config.actors), len(config.sectors))
    budget = memory_budget()
    if need > budget:
        raise ScenarioError(
            f"{runs:,} runs with full trajectories need about {need / 2**30:.1f} GiB, more than the "
            f"{budget / 2**30:.1f} GiB this machine can give; run fewer, or use 'decoupling sweep', which "
            "keeps per-run outcomes only and writes them chunk by chunk",
            "run",
            ("runs",),
        )


def run(
    scenario: Scenario | str | Path | None = None,
    *,
    runs: int | None = None,
    seed: int | None = None,
    parameter_table: Mapping[str, Any] | None = None,
    chunk_size: int = DEFAULT_CHUNK,
    progress: Progress | None = None,
    record: str = "full",
) -> xr.Dataset:
    """Simulate ``runs`` runs of a scenario and return trajectories with metrics.

    Args:
        scenario: a ``Scenario``, a YAML path, or None for the baseline.
        runs: number of runs (default: the scenario's ``runs``).
        seed: root seed (default: the scenario's ``seed``).
        parameter_table: optional {parameter name: one value per run}.
        chunk_size: most runs simulated together (memory bound; results do not depend on it).
        progress: called as ``progress(steps_done, steps_total)`` after every step.
        record: "full", or "dynamics" to leave out GDP (the mapping's, ODD 7.12) where nothing
            reads it (hindcasts, backtests); the other trajectories keep every bit.

    Returns:
        Dataset with dims run, year, actor, partner, sector, bloc, parameter.
    """
    config, _ = resolve_scenario(scenario)
    runs = config.runs if runs is None else runs
    seed = config.seed if seed is None else seed
    if not isinstance(runs, (int, np.integer)) or runs < 1:
        raise ScenarioError(f"runs must be a positive integer, not {runs!r}", "run", ("runs",))
    if chunk_size < 1:
        raise ScenarioError(f"chunk_size must be a positive integer, not {chunk_size!r}", "run", ("chunk_size",))
    if record not in ("full", "dynamics"):
        raise ScenarioError(f"record must be 'full' or 'dynamics', not {record!r}", "run", ("record",))
    check_memory(config, runs)
    table = {name: checked_column(name, values, runs) for name, values in (parameter_table or {}).items()}
    starts = range(0, runs, chunk_size)
    total = (len(step_times(config)) - 1) * len(starts)
    parts = []
    for number, start in enumerate(starts):
        size = min(chunk_size, runs - start)
        chunk_table = {k: v[start : start + size] for k, v in table.items()} if table else None
        # The original argument (not the resolved config) keeps relative timeline paths working.
        model = DecouplingModel(
            scenario, runs=size, rng=seed, first_run=start, parameter_table=chunk_table, record=record
        )
        while model.running:
            model.step()
            if progress is not None:
                progress(number * model.n_steps + model.steps_done, total)
        parts.append(model)
    if len(parts) == 1:
        single = to_dataset(parts[0])
        warn_if_clipped(single)
        warn_if_no_equilibrium(single)
        return single
    combined = xr.concat(
        [to_dataset(m, with_metrics=False) for m in parts],
        dim="run",
        data_vars="minimal",
        coords="minimal",
        compat="override",
        join="override",
    )
    combined = add_metrics(combined, parts[0].config)
    combined.attrs.update(provenance(parts[0].config, seed, 0))
    warn_if_clipped(combined)
    warn_if_no_equilibrium(combined)
    return combined

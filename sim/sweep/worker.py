"""One chunk of a sweep: build its scenario, simulate its runs as one batch, measure.

``run_chunk`` runs in whatever process the executor chooses; it takes and returns plain
picklable data. A failure never raises out of it: runs that cannot be simulated are
returned with status "error" and the reason, so the sweep goes on.
"""

from __future__ import annotations

import gc
import os
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from sim.config.errors import ScenarioError, format_path
from sim.config.loader import apply_overrides, validate_data
from sim.config.parameters import parameter_metadata
from sim.config.schema import Scenario
from sim.params import bounds_text, outside_bounds
from sim.schedule import AddedAct

PARAMETER_PREFIX = "parameters."
LARGE_CHUNK = 256  # runs: from here a finished chunk is collected at once


@dataclass(frozen=True)
class ChunkTask:
    """Everything a worker needs for one chunk (all picklable).

    Attributes:
        chunk: chunk number; runs: (n,) global run indices; points, replications: (n,) each.
        seeds, streams: (n,) root seed and stream id of each run.
        scenario_json: the base scenario; structural: dotted path → value for keys outside
            ``parameters`` (the same for every run of the chunk).
        table: model parameter name → (n,) values.
        trajectories: file to write this chunk's trajectories to, or None.
        acts, act_scales: export-control acts added to the schedule at unit scale and each
            run's multiplier of each (``DecouplingModel``); a policy search's batches use them.
    """

    chunk: int
    runs: np.ndarray
    points: np.ndarray
    replications: np.ndarray
    seeds: np.ndarray
    streams: np.ndarray
    scenario_json: str
    structural: dict[str, Any] = field(default_factory=dict)
    table: dict[str, np.ndarray] = field(default_factory=dict)
    trajectories: str | None = None
    acts: dict[str, AddedAct] = field(default_factory=dict)
    act_scales: dict[str, np.ndarray] = field(default_factory=dict)


@dataclass(frozen=True)
class ChunkResult:
    """What a worker returns for a chunk: per-run outcomes, statuses and reasons, and timing."""

    chunk: int
    runs: np.ndarray
    status: np.ndarray  # (n,) "ok", "error" or "nonfinite"
    reason: np.ndarray  # (n,) empty when ok
    outcomes: dict[str, np.ndarray]
    seconds: float
    drawn: dict[str, np.ndarray] = field(default_factory=dict)  # posterior.NAME: each run's posterior draw
    clip_year: np.ndarray | None = None  # (n,) first year at the ±40 log clip, NaN if never (None: chunk failed)


def scenario_for(scenario_json: str, structural: dict[str, Any]) -> Scenario:
    """The base scenario with structural dotted-path values applied and validated."""
    base = Scenario.model_validate_json(scenario_json)
    if not structural:
        return base
    data = base.model_dump(mode="python")
    origins: dict = {}
    apply_overrides(data, origins, structural)
    return validate_data(data, origins, "sweep")


def _checked_table(task: ChunkTask) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """Parameter columns with out-of-range values replaced by the default, and why each run fails."""
    reasons = np.full(task.runs.size, "", dtype=object)
    table = {}
    for name, column in task.table.items():
        values = np.asarray(column, dtype=float)
        bad = outside_bounds(name, values)
        for i in np.flatnonzero(bad & (reasons == "")):
            reasons[i] = f"parameters.{name} = {values[i]!r} is outside {bounds_text(name)}"
        table[name] = np.where(bad, parameter_metadata(name)["default"], values)
    return table, reasons


def run_chunk(task: ChunkTask) -> ChunkResult:
    """Simulate one chunk; never raises for a bad run or a bad design point."""
    from sim.model import DecouplingModel
    from sim.sweep.outcomes import compute_outcomes, nonfinite_runs

    started = time.perf_counter()
    n = task.runs.size
    model: DecouplingModel | None = None
    try:
        scenario = scenario_for(task.scenario_json, task.structural)
        table, reasons = _checked_table(task)
        model = DecouplingModel(
            scenario,
            runs=n,
            parameter_table=table,
            seeds=task.seeds,
            streams=task.streams,
            record="full" if task.trajectories else "outcomes",
            acts=task.acts,
            act_scales=task.act_scales,
        )
        drawn = {f"posterior.{name}": model.params.values[name].copy() for name in model.drawn_parameters}
        model.run_to_end()
        clip_year = model.clip_year.copy()
        outcomes = compute_outcomes(model)
        nonfinite = nonfinite_runs(model)
        status = np.where(reasons != "", "error", np.where(nonfinite, "nonfinite", "ok")).astype(object)
        reasons = np.where(nonfinite & (reasons == ""), "capability not finite and positive", reasons)
        for values in outcomes.values():
            values[status != "ok"] = np.nan
        if task.trajectories:
            _write_trajectories(model, task, task.trajectories)
    except ScenarioError as error:
        where = format_path(error.path) if error.path else ""
        return _failed(task, f"{where}: {error.message}" if where else error.message, started)
    except Exception as error:  # a bug or a numerical failure: record it, keep the sweep going
        last = traceback.extract_tb(error.__traceback__)[-1]
        return _failed(task, f"{type(error).__name__}: {error} ({Path(last.filename).name}:{last.lineno})", started)
    finally:
        # A Mesa model and its agents refer to each other, so a finished chunk's arrays wait
        # for the cyclic collector, which large numpy arrays do not prompt: collect now to
        # keep a long-running worker's memory flat. A small chunk's arrays are small, and a
        # full collection costs about 0.1 s in a busy process (a policy search runs many
        # small chunks), so those are left to the collector's own schedule.
        model = None
        if n >= LARGE_CHUNK:
            gc.collect()
    return ChunkResult(
        task.chunk, task.runs, status, reasons, outcomes, time.perf_counter() - started, drawn, clip_year
    )


def _failed(task: ChunkTask, reason: str, started: float) -> ChunkResult:
    n = task.runs.size
    return ChunkResult(
        task.chunk,
        task.runs,
        np.full(n, "error", dtype=object),
        np.full(n, reason, dtype=object),
        {},
        time.perf_counter() - started,
    )


def _write_trajectories(model, task: ChunkTask, target: str) -> None:
    from sim.results import to_dataset

    ds = to_dataset(model).assign_coords(run=task.runs)
    keep = [
        "capability",
        "relative_to_reference",
        "input_availability",
        "self_sufficiency",
        "controls_received",
        "leakage",
        "trust",
        "cooperation",
        "decoupling_index",
        "bloc_index",
    ]
    ds = ds[keep]
    path = Path(target)
    partial = path.with_name(f".{path.name}.{os.getpid()}.partial")
    encoding = {name: {"zlib": True, "complevel": 1, "dtype": "float32"} for name in ds.data_vars}
    ds.to_netcdf(partial, engine="netcdf4", encoding=encoding)
    partial.replace(path)


__all__ = ["PARAMETER_PREFIX", "ChunkResult", "ChunkTask", "run_chunk", "scenario_for"]

"""Run a sweep: plan chunks, execute them, store each as it finishes.

Runs are numbered point × replications + replication. By default every run draws its
own random streams (stream = run number under the sweep seed; with a list of root seeds,
seed j and stream = point). With ``common_random_numbers: true``, replication j of every
design point draws the same streams, so differences between points come from the
parameters alone. Keys under ``parameters.`` vary within one vectorised batch; other keys
change the scenario, so runs are grouped by their values.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.config.errors import ScenarioError, did_you_mean
from sim.config.loader import load_scenario
from sim.config.parameters import PARAMETER_NAMES, unknown_parameter
from sim.results import package_versions
from sim.sweep import executors
from sim.sweep.design import DesignTable, build_design
from sim.sweep.spec import SweepSpec, load_sweep
from sim.sweep.store import SweepStore
from sim.sweep.worker import PARAMETER_PREFIX, ChunkResult, ChunkTask, scenario_for

Progress = Callable[[int, int], None]


def _numbers(column: pd.Series, key: str, where: str) -> np.ndarray:
    """A model parameter's design values as floats; a word or a blank is an error naming its point."""
    values = pd.to_numeric(column, errors="coerce").to_numpy(dtype=float)
    bad = ~np.isfinite(values)
    if bad.any():
        point = int(np.flatnonzero(bad)[0])
        raise ScenarioError(
            f"design point {point + 1} has '{column.iloc[point]}', not a finite number",
            where,
            ("parameters", key),
            _line(where, ("parameters", key)),
        )
    return values


def _split_keys(keys: list[str], where: str) -> tuple[list[str], list[str]]:
    vectorised, structural = [], []
    for key in keys:
        if key.startswith(PARAMETER_PREFIX):
            name = key[len(PARAMETER_PREFIX) :]
            if name not in PARAMETER_NAMES:
                raise ScenarioError(
                    unknown_parameter(name), where, ("parameters", key), _line(where, ("parameters", key))
                )
            vectorised.append(key)
        else:
            structural.append(key)
    return vectorised, structural


def plan(
    spec: SweepSpec,
    design: DesignTable,
    scenario_json: str,
    chunk_size: int,
    store: SweepStore | None,
    trajectories: bool,
    where: str,
) -> tuple[list[ChunkTask], int]:
    """All chunk tasks of a sweep and its total number of runs (deterministic)."""
    points = design.points.reset_index(drop=True)
    n_points = len(points)
    if isinstance(spec.replications, list):
        n_rep = len(spec.replications)
        rep_seeds = np.array(spec.replications, dtype=np.int64)
    else:
        n_rep = spec.replications
        rep_seeds = np.full(n_rep, spec.seed, dtype=np.int64)
    constants_vec, constants_struct = _split_keys(list(design.constants), where)
    varied_vec, varied_struct = _split_keys(design.varied, where)

    structural_values = points[varied_struct].astype(object) if varied_struct else pd.DataFrame(index=points.index)
    group_keys = [tuple(row) for row in structural_values.itertuples(index=False)] if varied_struct else [()] * n_points
    groups: dict[tuple, list[int]] = {}
    for point, key in enumerate(group_keys):
        groups.setdefault(key, []).append(point)

    columns = {k: _numbers(points[k], k, where) for k in varied_vec}
    tasks: list[ChunkTask] = []
    for key, members in groups.items():
        structural = {k: design.constants[k] for k in constants_struct}
        structural.update({k: _plain(v) for k, v in zip(varied_struct, key, strict=True)})
        point_index = np.repeat(np.array(members), n_rep)
        rep_index = np.tile(np.arange(n_rep), len(members))
        runs = point_index * n_rep + rep_index
        for start in range(0, runs.size, chunk_size):
            part = slice(start, start + chunk_size)
            table = {
                k[len(PARAMETER_PREFIX) :]: np.full(runs[part].size, float(design.constants[k])) for k in constants_vec
            }
            for k in varied_vec:
                table[k[len(PARAMETER_PREFIX) :]] = columns[k][point_index[part]]
            chunk = len(tasks)
            tasks.append(
                ChunkTask(
                    chunk=chunk,
                    runs=runs[part],
                    points=point_index[part],
                    replications=rep_index[part],
                    seeds=rep_seeds[rep_index[part]],
                    streams=_streams(spec, runs[part], point_index[part], rep_index[part]),
                    scenario_json=scenario_json,
                    structural=structural,
                    table=table,
                    trajectories=str(store.trajectory_path(chunk)) if (trajectories and store) else None,
                )
            )
    return tasks, n_points * n_rep


def _streams(spec: SweepSpec, runs: np.ndarray, points: np.ndarray, replications: np.ndarray) -> np.ndarray:
    """Stream id of each run: shared by a replication across points (common random numbers), or its own."""
    seed_list = isinstance(spec.replications, list)
    if spec.common_random_numbers:
        return np.zeros_like(runs) if seed_list else replications.copy()
    return points.copy() if seed_list else runs.copy()


def _line(sweep_file: str, path: tuple) -> int | None:
    """Line of a key in the sweep file, for error messages."""
    from sim.sweep.spec import sweep_origins

    try:
        return sweep_origins(Path(sweep_file)).get(path, (None, None))[1]
    except ScenarioError:
        return None


def _plain(value: Any) -> Any:
    return value.item() if isinstance(value, np.generic) else value


def content_hash(spec: SweepSpec, scenario_json: str, design: DesignTable) -> str:
    """A hash of the sweep, its scenario and design: a resumed sweep must match it."""
    digest = hashlib.sha256()
    digest.update(spec.model_dump_json(exclude={"chunk_size", "trajectories"}).encode())
    digest.update(scenario_json.encode())
    digest.update(pd.util.hash_pandas_object(design.points.astype(str), index=True).values.tobytes())
    return digest.hexdigest()


def _frame(result: ChunkResult, task: ChunkTask, outcome_names: list[str]) -> pd.DataFrame:
    missing = np.full(task.runs.size, np.nan, dtype=np.float32)
    columns = {
        "run": task.runs,
        "point": task.points,
        "replication": task.replications,
        "seed": task.seeds,
        "stream": task.streams,
        "status": result.status.astype(str),
        "reason": result.reason.astype(str),
        **{name: result.outcomes.get(name, missing) for name in outcome_names},
        "log_clip_year": missing if result.clip_year is None else result.clip_year.astype(np.float32),
        **result.drawn,  # the parameters each run drew from the scenario's posterior (none for a failed chunk)
    }
    return pd.DataFrame(columns)


def run_sweep(
    sweep_file: str | Path,
    out: str | Path,
    *,
    workers: int | None = None,
    chunk_size: int | None = None,
    dask: str | None = None,
    resume: bool = False,
    trajectories: bool | None = None,
    overwrite: bool = False,
    progress: Progress | None = None,
) -> dict[str, Any]:
    """Run (or finish) a sweep into ``out``; returns a short report (runs, failures, seconds)."""
    spec, folder = load_sweep(sweep_file)
    base = load_scenario(folder / spec.scenario)
    scenario_json = base.model_dump_json()
    design = build_design(spec, folder)
    store = SweepStore(out)
    digest = content_hash(spec, scenario_json, design)
    if resume:
        if not store.exists():
            raise ScenarioError("nothing to resume: no sweep in this folder", str(store.folder))
        manifest = store.manifest()
        if manifest.get("content_hash") != digest:
            raise ScenarioError(
                "the sweep file, its scenario or its design changed since this sweep started; start a new folder",
                str(store.folder),
            )
        chunk_size = int(manifest["chunk_size"])
        trajectories = bool(manifest["trajectories"])
        store.remove_partials()
    else:
        chunk_size = chunk_size or spec.chunk_size
        trajectories = spec.trajectories if trajectories is None else trajectories
    where = str(sweep_file)
    tasks, total = plan(spec, design, scenario_json, chunk_size, store, trajectories, where)
    _check_paths([*design.varied, *design.constants], scenario_json, where)
    if not resume:
        unit = (
            pd.DataFrame(design.unit, columns=[f"unit:{k}" for k in design.varied]) if design.unit is not None else None
        )
        table = design.points.reset_index(drop=True)
        if unit is not None:
            table = pd.concat([table, unit], axis=1)
        manifest = {
            "name": spec.name,
            "sweep_file": str(sweep_file),
            "sweep": json.loads(spec.model_dump_json()),
            "scenario": json.loads(scenario_json),
            "design": {
                "kind": spec.design.kind,
                "varied": design.varied,
                "constants": design.constants,
                "points": len(design.points),
                "problem": design.problem,
            },
            "replications": spec.replications,
            "runs": total,
            "chunk_size": chunk_size,
            "chunks": len(tasks),
            "trajectories": trajectories,
            "seed": spec.seed,
            "content_hash": digest,
            "package_versions": package_versions(),
            "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        }
        store.create(manifest, _stringify_columns(table), overwrite)
    done = store.completed_chunks()
    todo = [t for t in tasks if t.chunk not in done]
    outcome_names = _outcome_names(tasks[0]) if tasks else []
    started = time.perf_counter()
    finished = sum(t.runs.size for t in tasks if t.chunk in done)
    failed = 0
    clipped: list[tuple[int, float]] = []  # (run, year) of runs that reached the log clip
    no_equilibrium: list[int] = []  # runs whose production network has no equilibrium at a report year
    by_chunk = {t.chunk: t for t in todo}
    for result in _execute(todo, workers, dask):
        task = by_chunk.pop(result.chunk)
        store.write_chunk(_frame(result, task, outcome_names), result.chunk)
        finished += task.runs.size
        failed += int((result.status != "ok").sum())
        if result.clip_year is not None:
            hit = np.flatnonzero(~np.isnan(result.clip_year))
            clipped.extend(zip(task.runs[hit].tolist(), result.clip_year[hit].tolist(), strict=True))
        no_equilibrium.extend(task.runs[_without_equilibrium(result)].tolist())
        if progress is not None:
            progress(finished, total)
    return {
        "runs": total,
        "ran": sum(t.runs.size for t in todo),
        "failed": failed,
        "clipped": sorted(clipped),  # runs of this invocation at the ±40 log clip, with the year
        "no_equilibrium": sorted(no_equilibrium),  # runs whose gdp_index columns are NaN (ODD 7.12)
        "seconds": time.perf_counter() - started,
        "folder": str(store.folder),
    }


def _without_equilibrium(result: ChunkResult) -> np.ndarray:
    """(n,) bool: runs that simulated fine but whose GDP is NaN at a report year (no network equilibrium)."""
    gdp = [values for name, values in result.outcomes.items() if name.startswith("gdp_index/")]
    if not gdp:
        return np.zeros(result.runs.size, dtype=bool)
    return (result.status == "ok") & np.isnan(np.column_stack(gdp)).any(axis=1)


def _execute(tasks: list[ChunkTask], workers: int | None, dask: str | None) -> Iterator[ChunkResult]:
    n = workers or executors.default_workers()
    if dask:
        return executors.dask(tasks, dask, n)
    if n <= 1 or len(tasks) <= 1:
        return executors.serial(tasks)
    return executors.processes(tasks, min(n, len(tasks)))


def _check_paths(keys: list[str], scenario_json: str, where: str) -> None:
    """Every swept or constant key must name an existing key of the base scenario (exit 2 otherwise)."""
    data = json.loads(scenario_json)
    for key in keys:
        node: Any = data
        for depth, part in enumerate(key.split(".")):
            if isinstance(node, dict):
                match = next((k for k in node if str(k) == part), None)
                if match is None:
                    prefix = ".".join(key.split(".")[:depth]) or "the scenario"
                    raise ScenarioError(
                        f"'{part}' is not a key of {prefix}" + did_you_mean(part, node),
                        where,
                        ("parameters", key),
                        _line(where, ("parameters", key)),
                    )
                node = node[match]
            elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
                node = node[int(part)]
            else:
                raise ScenarioError(
                    f"'{part}' does not index into {type(node).__name__} at this path",
                    where,
                    ("parameters", key),
                    _line(where, ("parameters", key)),
                )


def _outcome_names(task: ChunkTask) -> list[str]:
    """Outcome column names, from the scenario of the sweep's first chunk (a deterministic one-run model)."""
    from sim.model import DecouplingModel
    from sim.sweep.outcomes import compute_outcomes

    try:
        scenario = scenario_for(task.scenario_json, task.structural)
    except ScenarioError:
        from sim.config.schema import Scenario

        scenario = Scenario.model_validate_json(task.scenario_json)
    short = scenario.model_copy(
        update={
            "stochastic": scenario.stochastic.model_copy(
                update={"noise": False, "espionage": False, "breakthroughs": False}
            )
        }
    )
    model = DecouplingModel(short, runs=1, rng=0, record="outcomes")
    model.run_to_end()
    return list(compute_outcomes(model))


def _stringify_columns(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.copy()
    for column in out.columns:
        if out[column].dtype == object:
            out[column] = out[column].astype(str)
    return out

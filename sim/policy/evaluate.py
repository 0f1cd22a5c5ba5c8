"""Evaluating policies over a scenario ensemble on the batch engine.

A policy is one value per lever. Each policy's scenario (the base with its levers applied)
runs as one batch of the ensemble's runs: run j of every policy has the same seed, stream
and deep-uncertainty values (common random numbers), so policies differ by their levers
only. The batches go to a pool that stays open for the whole search (processes or Dask),
as sweep chunks do (``sim.sweep.worker.run_chunk``): results do not depend on the pool.

Arrays: ``values`` of a generation are (P, N, K) for P policies, N scenarios and K
outcomes (the objectives' and constraints' outcomes, in ``outcome_names`` order).
"""

from __future__ import annotations

import contextlib
import multiprocessing
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy.stats import qmc

from sim.config.errors import ScenarioError
from sim.config.loader import apply_overrides, validate_data
from sim.config.schema import Scenario
from sim.policy.spec import PARAMETER_PREFIX, PolicySpec
from sim.sweep.worker import ChunkResult, ChunkTask, run_chunk

ENSEMBLE_STREAM = 7101  # the LHS of the deep uncertainties draws from SeedSequence([seed, 7101])


@dataclass(frozen=True)
class Ensemble:
    """N scenarios: deep-uncertainty values (parameter name -> (N,)), seeds and streams (N,)."""

    table: dict[str, np.ndarray]
    seeds: np.ndarray
    streams: np.ndarray

    @property
    def size(self) -> int:
        """N, the number of scenarios."""
        return int(self.seeds.size)

    def frame(self) -> pd.DataFrame:
        """One row per scenario, a column per uncertainty (dotted names)."""
        return pd.DataFrame({PARAMETER_PREFIX + k: v for k, v in self.table.items()}).rename_axis("scenario")


def sample_ensemble(spec: PolicySpec, size: int, seed: int) -> Ensemble:
    """LHS over the uncertainties' ranges; run j has stream j of root seed ``seed`` (its posterior draw too)."""
    keys = list(spec.ensemble.uncertainties)
    table: dict[str, np.ndarray] = {}
    if keys:
        unit = qmc.LatinHypercube(d=len(keys), rng=np.random.default_rng([seed, ENSEMBLE_STREAM])).random(size)
        for i, key in enumerate(keys):
            bounds = spec.ensemble.uncertainties[key]
            table[key[len(PARAMETER_PREFIX) :]] = bounds.low + unit[:, i] * (bounds.high - bounds.low)
    return Ensemble(table, np.full(size, seed, dtype=np.int64), np.arange(size, dtype=np.int64))


def policy_scenario(base: Scenario, levers: dict[str, float], where: str = "policy") -> Scenario:
    """The base scenario with a policy's levers applied (dashboard levers and dotted paths), validated."""
    from sim.dashboard.levers import BY_KEY, apply_levers

    dashboard = {k: v for k, v in levers.items() if k in BY_KEY}
    dotted = {k: v for k, v in levers.items() if k not in BY_KEY}
    scenario = base
    if dotted:
        data = scenario.model_dump(mode="python")
        apply_overrides(data, {}, dotted)
        scenario = validate_data(data, {}, where)
    if dashboard:
        # Every lever applies as given, even at the scenario's own value (the dashboard's sliders
        # snap to it): a policy is its values, the same whether it runs alone or in a batch.
        scenario = apply_levers(scenario, dashboard, snap=False)
    return scenario


class Pool:
    """Where batches run for a whole search: this process, a process pool or Dask (kept open)."""

    def __init__(self, workers: int = 1, dask: str | None = None):
        self.workers, self.dask = max(1, workers), dask
        self._stack = contextlib.ExitStack()
        self._pool: Any = None
        self._client: Any = None

    def __enter__(self) -> Pool:
        if self.dask:
            try:
                from dask.distributed import Client, LocalCluster
            except ImportError:
                raise ScenarioError("Dask distributed is not installed", "--dask") from None
            if self.dask == "local":
                cluster = LocalCluster(
                    n_workers=self.workers, threads_per_worker=1, processes=True, dashboard_address=None
                )
                self._stack.enter_context(cluster)
                self._client = self._stack.enter_context(Client(cluster))
            else:
                try:
                    self._client = self._stack.enter_context(Client(self.dask, timeout="10s"))
                except OSError as exc:
                    raise ScenarioError(f"cannot reach the Dask scheduler ({exc})", "--dask") from None
        elif self.workers > 1:
            context = multiprocessing.get_context("spawn")
            self._pool = self._stack.enter_context(ProcessPoolExecutor(self.workers, mp_context=context))
        return self

    def __exit__(self, *exc) -> None:
        self._stack.close()

    def run(self, tasks: list[ChunkTask]) -> list[ChunkResult]:
        """Every task's result, in the tasks' order."""
        if self._client is not None:
            return self._client.gather([self._client.submit(run_chunk, t, pure=False) for t in tasks])
        if self._pool is not None:
            return list(self._pool.map(run_chunk, tasks))
        return [run_chunk(t) for t in tasks]


def _tasks(scenarios: list[Scenario], ensemble: Ensemble) -> list[ChunkTask]:
    n = ensemble.size
    return [
        ChunkTask(
            chunk=i,
            runs=np.arange(n),
            points=np.full(n, i),
            replications=np.arange(n),
            seeds=ensemble.seeds,
            streams=ensemble.streams,
            scenario_json=scenario.model_dump_json(),
            table=ensemble.table,
        )
        for i, scenario in enumerate(scenarios)
    ]


def simulate(scenarios: list[Scenario], ensemble: Ensemble, pool: Pool) -> list[dict[str, np.ndarray]]:
    """Each scenario's outcome columns over the ensemble: [{outcome: (N,)}]; a failed batch raises."""
    out = []
    for result in pool.run(_tasks(scenarios, ensemble)):
        if not result.outcomes:
            raise ScenarioError(f"a policy could not be simulated: {result.reason[0]}", "optimize")
        out.append({k: np.asarray(v, dtype=np.float64) for k, v in result.outcomes.items()})
    return out


def with_costs(outcomes: dict[str, np.ndarray], counterfactual: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Adds ``cost/BLOC/YEAR``: % of GDP below the counterfactual of the same scenario (same seeds)."""
    costs = {
        "cost/" + key.removeprefix("gdp_index/"): 100.0 * (1.0 - values / counterfactual[key])
        for key, values in outcomes.items()
        if key.startswith("gdp_index/") and key in counterfactual
    }
    return {**outcomes, **costs}


def outcome_matrix(per_policy: list[dict[str, np.ndarray]], names: list[str]) -> np.ndarray:
    """(P, N, K) array of the named outcomes."""
    return np.stack([np.stack([o[name] for name in names], axis=-1) for o in per_policy])


def available(outcomes: dict[str, np.ndarray]) -> list[str]:
    """Outcome names an objective may use (with the costs)."""
    costs = ["cost/" + k.removeprefix("gdp_index/") for k in outcomes if k.startswith("gdp_index/")]
    return sorted([*outcomes, *costs])

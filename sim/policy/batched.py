"""A generation of policies as one batch: P policies × N scenarios in the same model (issue 16).

Evaluated one by one, each policy is its own scenario and its own batch of N runs; with N
of 16-50 a step costs little more than the interpreter's overhead, so a search ran at about
a fifth of the engine's speed. Most levers do not change the scenario's structure, only how
much of something it has:

* a parameter lever (``leak_quality``, ``enforcement_response``, ``parameters.NAME``) is a
  per-run value, as in a sweep;
* an export-control lever (``china_hardware`` and the others of
  ``sim.dashboard.levers.CONTROL_LEVERS``) sets the West's coverage on its target's sector
  group from the branch year on, replacing history there. The batch's scenario sets that
  coverage to zero, and an added act (``sim.schedule.with_acts``) holds the region at unit
  scale; each run multiplies it by its policy's value. A run's control is the largest of the
  fixed controls (zero there) and the act times its value, which is the value itself.

Each run then computes exactly what its policy's own scenario computes: the same numbers
in the same order, so the same bits (``tests/test_policy_batched.py`` checks every outcome).
A lever list with any other lever (cooperation, localisation, shocks, other dotted paths),
a parameter the scenario's posterior or the ensemble also sets, or a branch year inside a
step (where a replaced level and a maximum differ) makes ``plan`` return None, and the
search evaluates policy by policy as before.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.config.parameters import PARAMETER_NAMES
from sim.config.schema import Scenario
from sim.dashboard.levers import BY_KEY, CONTROL_LEVERS, apply_levers
from sim.policy.evaluate import Ensemble, Pool
from sim.policy.spec import PARAMETER_PREFIX
from sim.sweep.worker import ChunkTask

DASHBOARD_PARAMETERS = ("leak_quality", "enforcement_response")


@dataclass(frozen=True)
class BatchPlan:
    """How a generation runs as one batch: the batch's scenario, its added acts and how levers map to runs."""

    scenario: Scenario  # the base with every control lever's region at zero from the branch year
    acts: dict[str, np.ndarray]  # control lever -> (T, A, A, S) its region at unit scale
    parameters: dict[str, str]  # parameter lever -> model parameter name


def _parameter_of(lever: str) -> str | None:
    if lever in DASHBOARD_PARAMETERS:
        return lever
    if lever.startswith(PARAMETER_PREFIX) and lever[len(PARAMETER_PREFIX) :] in PARAMETER_NAMES:
        return lever[len(PARAMETER_PREFIX) :]
    return None


def plan(base: Scenario, levers: list[str], uncertainties: list[str]) -> BatchPlan | None:
    """The batch plan for these levers, or None when a generation must run policy by policy.

    ``uncertainties``: the model parameters the ensemble varies (a lever may not set one).
    """
    from sim.schedule import build_schedule
    from sim.world import build_world

    parameters = {lever: _parameter_of(lever) for lever in levers if lever not in CONTROL_LEVERS}
    if any(name is None for name in parameters.values()):
        return None
    taken = set(base.ensemble.draws) | set(uncertainties)
    if any(name in taken for name in parameters.values()):
        return None
    controls = [lever for lever in levers if lever in CONTROL_LEVERS]
    zero = apply_levers(base, dict.fromkeys(controls, 0.0), snap=False) if controls else base
    world = build_world(zero)
    off = build_schedule(zero, world).controls
    acts = {}
    for lever in controls:
        on = build_schedule(apply_levers(zero, {lever: 1.0}, snap=False), world).controls
        region = on - off
        # A region the act does not fill whole steps of (a branch year inside a step) would
        # mix a replaced level with a maximum: not the same numbers.
        if not np.all((region == 0.0) | (region == 1.0)) or not np.all(off[region == 1.0] == 0.0):
            return None
        acts[lever] = region
    return BatchPlan(zero, acts, {k: v for k, v in parameters.items() if v is not None})


def tasks(
    batch: BatchPlan,
    lever_names: list[str],
    levers: np.ndarray,
    table: dict[str, np.ndarray],
    seeds: np.ndarray,
    streams: np.ndarray,
    chunks: int,
) -> list[ChunkTask]:
    """The generation's runs in ``chunks`` tasks of whole policies: run p·N + j is policy p in scenario j.

    ``levers`` (P, L) in ``lever_names`` order; ``table``, ``seeds``, ``streams``: the
    ensemble's N scenarios. Every policy sees the same N seeds, streams and uncertainties.
    """
    n = seeds.size
    column = {name: i for i, name in enumerate(lever_names)}
    scenario_json = batch.scenario.model_dump_json()
    out = []
    for chunk, policies in enumerate(np.array_split(np.arange(len(levers)), max(1, min(chunks, len(levers))))):
        if not policies.size:
            continue
        values = levers[policies]  # (p, L)
        runs = (policies[:, None] * n + np.arange(n)[None, :]).ravel()

        def per_run(lever: str, values: np.ndarray = values) -> np.ndarray:
            return np.repeat(values[:, column[lever]].astype(np.float64), n)

        out.append(
            ChunkTask(
                chunk=chunk,
                runs=runs,
                points=np.repeat(policies, n),
                replications=np.tile(np.arange(n), policies.size),
                seeds=np.tile(seeds, policies.size),
                streams=np.tile(streams, policies.size),
                scenario_json=scenario_json,
                table={
                    **{k: np.tile(v, policies.size) for k, v in table.items()},
                    **{name: per_run(lever) for lever, name in batch.parameters.items()},
                },
                acts=batch.acts,
                act_scales={lever: per_run(lever) for lever in batch.acts},
            )
        )
    return out


def simulate(
    batch: BatchPlan, lever_names: list[str], levers: np.ndarray, ensemble: Ensemble, pool: Pool
) -> list[dict[str, np.ndarray]]:
    """Each policy's outcome columns over the ensemble, [{outcome: (N,)}] in policy order, from one batch.

    The batch is cut into whole policies, one task per worker, so a result does not depend on
    the pool (each run's numbers depend only on its seed, stream and parameters).
    """
    from sim.config.errors import ScenarioError
    from sim.dashboard.levers import check_lever

    for i, name in enumerate(lever_names):
        if name in BY_KEY:
            for value in levers[:, i]:
                check_lever(name, float(value))
    n = ensemble.size
    out: list[dict[str, np.ndarray]] = [{} for _ in range(len(levers))]
    work = tasks(batch, lever_names, levers, ensemble.table, ensemble.seeds, ensemble.streams, pool.workers)
    for task, result in zip(work, pool.run(work), strict=True):
        if not result.outcomes:
            raise ScenarioError(f"a generation could not be simulated: {result.reason[0]}", "optimize")
        for k, policy in enumerate(task.points[::n]):
            out[int(policy)] = {
                name: np.asarray(values[k * n : (k + 1) * n], dtype=np.float64)
                for name, values in result.outcomes.items()
            }
    return out

"""A generation of policies as one batch: P policies × N scenarios in the same model (issue 16).

Evaluated one by one, each policy is its own scenario and its own batch of N runs; with N
of 16-50 a step costs little more than the interpreter's overhead, so a search ran at about
a fifth of the engine's speed. Most levers do not change the scenario's structure, only how
much of something it has:

* a parameter lever (``leak_quality``, ``enforcement_response``, ``parameters.NAME``) is a
  per-run value, as in a sweep;
* a structural lever sets a policy level from the branch year on: an export-control lever
  (``sim.dashboard.levers.CONTROL_LEVERS``) and ``localisation`` replace what was there, and
  ``cooperation`` raises Russia-China cooperation to at least its value. The batch's scenario
  has each at zero, and an added act (``sim.schedule.AddedAct``) holds the lever's region at
  unit scale; each run multiplies it by its policy's value and takes the larger of that and
  the schedule's level (zero where a lever replaces, the rest where it raises), which is the
  policy's own level.

Each run then computes exactly what its policy's own scenario computes: the same numbers
in the same order, so the same bits (``tests/test_policy_batched.py`` checks every outcome).
``plan`` checks this on the schedules before a search starts; levers it cannot batch (shocks,
other dotted paths, a parameter the scenario's posterior or the ensemble also sets, a level
that starts inside a step, cooperation on a pair the model does not track) make it return
None, and the search evaluates policy by policy as before.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from sim.config.parameters import PARAMETER_NAMES
from sim.config.schema import Scenario
from sim.dashboard.levers import BY_KEY, CONTROL_LEVERS, apply_levers
from sim.pairs import Pairs
from sim.policy.evaluate import Ensemble, Pool
from sim.policy.spec import PARAMETER_PREFIX
from sim.schedule import AddedAct, PolicySchedule
from sim.sweep.worker import ChunkTask

DASHBOARD_PARAMETERS = ("leak_quality", "enforcement_response")
# Levers that edit the scenario's policies, and the schedule array each edits.
LEVER_KINDS = {
    **dict.fromkeys(CONTROL_LEVERS, "controls"),
    "cooperation": "cooperation",
    "localisation": "localisation",
}
TASK_RUNS = 2500  # runs per task at most (as a sweep's chunks: about 0.8 GB of a worker's memory)
PROBES = (0.37, 0.81)  # lever values at which a plan is checked against the policy's own schedule


@dataclass(frozen=True)
class BatchPlan:
    """How a generation runs as one batch: the batch's scenario, its added acts and how levers map to runs."""

    scenario: Scenario  # the base with every structural lever at zero from the branch year
    acts: dict[str, AddedAct]  # structural lever -> its region at unit scale
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
    Each structural lever's act is checked against the policy's own schedule at two probe
    values, and the pairs the model tracks against the policy's at zero and at a probe: a
    difference anywhere (a level that overrides inside a step, an agreement that starts a
    pair the model does not yet track) means policy by policy.
    """
    from sim.pairs import build_pairs
    from sim.schedule import build_schedule, with_acts
    from sim.world import build_world

    parameters = {lever: _parameter_of(lever) for lever in levers if lever not in LEVER_KINDS}
    if any(name is None for name in parameters.values()):
        return None
    taken = set(base.ensemble.draws) | set(uncertainties)
    if any(name in taken for name in parameters.values()):
        return None
    structural = [lever for lever in levers if lever in LEVER_KINDS]
    zero = apply_levers(base, dict.fromkeys(structural, 0.0), snap=False) if structural else base
    world = build_world(zero)
    zero_schedule = build_schedule(zero, world)

    def schedule_at(lever: str, value: float):
        return build_schedule(apply_levers(zero, {lever: value}, snap=False), world)

    acts = {}
    probed = []  # each lever's schedule at the first probe value, for the pairs check below
    for lever in structural:
        kind = LEVER_KINDS[lever]
        off = _levels(zero_schedule, kind)
        on = _levels(schedule_at(lever, 1.0), kind)
        region = np.where((on == 1.0) & (on != off), 1.0, 0.0)
        for value in PROBES:
            probe = schedule_at(lever, value)
            if not np.array_equal(_levels(probe, kind), np.maximum(off, value * region)):
                return None
            if value == PROBES[0]:
                probed.append(probe)
        acts[lever] = AddedAct(kind, region)
    batch_pairs = _pair_lists(build_pairs(world, with_acts(zero_schedule, world, acts)))
    if any(_pair_lists(build_pairs(world, schedule)) != batch_pairs for schedule in (zero_schedule, *probed)):
        return None
    return BatchPlan(zero, acts, {k: v for k, v in parameters.items() if v is not None})


def _levels(schedule: PolicySchedule, kind: str) -> np.ndarray:
    return {"controls": schedule.controls, "cooperation": schedule.cooperation, "localisation": schedule.localisation}[
        kind
    ]


def _pair_lists(pairs: Pairs) -> list[tuple[list[int], list[int]]]:
    return [(p.first.tolist(), p.second.tolist()) for p in (pairs.control, pairs.cooperation, pairs.hostile)]


def tasks(
    batch: BatchPlan,
    lever_names: list[str],
    levers: np.ndarray,
    table: dict[str, np.ndarray],
    seeds: np.ndarray,
    streams: np.ndarray,
    chunks: int,
) -> list[ChunkTask]:
    """The generation's runs in tasks of whole policies: run p·N + j is policy p in scenario j.

    ``chunks`` tasks at least (one per worker), more where a task would exceed ``TASK_RUNS``
    runs (a task's memory grows with its runs). ``levers`` (P, L) in ``lever_names`` order;
    ``table``, ``seeds``, ``streams``: the ensemble's N scenarios. Every policy sees the same
    N seeds, streams and uncertainties.
    """
    n = seeds.size
    column = {name: i for i, name in enumerate(lever_names)}
    scenario_json = batch.scenario.model_dump_json()
    count = max(chunks, math.ceil(len(levers) / max(1, TASK_RUNS // n)))
    out = []
    for chunk, policies in enumerate(np.array_split(np.arange(len(levers)), max(1, min(count, len(levers))))):
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

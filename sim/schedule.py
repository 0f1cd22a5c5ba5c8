"""Policies as arrays over time: what is in force at each step.

History events (before the branch year) and the scenario's own policies are turned
into arrays with a leading step axis, identical for every run. Shapes: T steps,
A actors, S sectors, P joint projects.

Semantics (documented in the ODD):
- History levels accumulate as a running maximum per (imposer, target, sector) and
  stay in force after the branch year unless the scenario says otherwise.
- A scenario policy sets its level from its first listed year on, overriding history
  for the triples it names; a later entry in the list overrides an earlier one.
- A schedule {year: level} is a step function; a policy is in force at a step whose
  start time is at or after its date.
- A dated history event is in force from the step in which it falls, if it falls in
  that step's first half (an act of February 2022 acts in the 2022 step), otherwise from
  the next step.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from sim.config.schema import Scenario
from sim.timeline import PolicyEvent, default_timeline_path, read_timeline
from sim.world import World

Array = np.ndarray


@dataclass(frozen=True)
class PolicySchedule:
    """Policy arrays indexed by step.

    Attributes:
        times (T,): start time of each step (decimal year).
        controls (T, A, A, S): export-control level imposed by a on b in s.
        bloc_controls (T, A, A, S): strongest control any member of a's bloc imposes on b in s.
        sanctions (T, A): financial sanction level on each target.
        localisation (T, A): data-localisation level of each actor.
        programme (T, A, S): investment-programme level.
        cooperation (T, A, A, S): cooperation allowed between a and b in s.
        trust_shock (T, A, A): negative trust evidence arriving during the step.
        disruption (T, A, S): share of a supplier's exports of s lost to a supply shock.
        project_active (T, P), project_members (P, A), project_sector (P, S), project_budget (P,).
        branch_step: index of the first step at or after the branch year.
    """

    times: Array
    controls: Array
    bloc_controls: Array
    sanctions: Array
    localisation: Array
    programme: Array
    cooperation: Array
    trust_shock: Array
    disruption: Array
    project_active: Array
    project_members: Array
    project_sector: Array
    project_budget: Array
    branch_step: int


def step_times(scenario: Scenario) -> Array:
    """Start times of all steps plus the final recorded time: (T + 1,) decimal years."""
    t = scenario.time
    n = round((t.horizon - t.start) / t.step)
    return t.start + t.step * np.arange(n + 1)


def _schedule_values(schedule: dict[float, float], times: Array) -> Array:
    """Level at each time from a step-function schedule; NaN before its first year."""
    years = np.array(sorted(schedule))
    levels = np.array([schedule[y] for y in years])
    idx = np.searchsorted(years, times + 1e-9, side="right") - 1
    return np.where(idx >= 0, levels[np.clip(idx, 0, None)], np.nan)


def _history_events(scenario: Scenario, world: World, source_dir: Path | None) -> list[PolicyEvent]:
    if not scenario.history.replay:
        return []
    name = scenario.history.timeline
    path = default_timeline_path() if name == "default" else (source_dir or Path.cwd()) / name
    return read_timeline(path, world, scenario.history)


def build_schedule(scenario: Scenario, world: World, source_dir: Path | None = None) -> PolicySchedule:
    """Combine history and the scenario's policies into per-step arrays."""
    times = step_times(scenario)[:-1]
    n_steps, n_a, n_s = len(times), world.n_actors, world.n_sectors
    branch_year = scenario.time.branch_year
    controls = np.zeros((n_steps, n_a, n_a, n_s))
    sanctions = np.zeros((n_steps, n_a))
    localisation = np.zeros((n_steps, n_a))
    programme = np.zeros((n_steps, n_a, n_s))
    cooperation = np.broadcast_to(world.cooperation0[None, :, :, None], (n_steps, n_a, n_a, n_s)).copy()
    breadth = scenario.history.sanction_breadth

    for event in _history_events(scenario, world, source_dir):
        if event.time >= branch_year:
            continue
        active = times + 0.5 * scenario.time.step + 1e-9 >= event.time
        imp, tgt, sec = np.ix_(event.imposers, event.targets, event.sectors)
        if event.kind in ("export_control", "counter_control", "sanctions"):
            if event.coverage is not None:
                level = event.coverage
            else:
                level = event.level * (breadth if event.kind == "sanctions" else 1.0)
            for at in np.flatnonzero(active):
                controls[at][imp, tgt, sec] = np.maximum(controls[at][imp, tgt, sec], level)
            if event.kind == "sanctions":
                sanctions[np.ix_(active, event.targets)] = np.maximum(
                    sanctions[np.ix_(active, event.targets)], event.level
                )
        elif event.kind == "investment_program":
            rows = np.ix_(active, event.targets, event.sectors)
            programme[rows] = np.maximum(programme[rows], event.level)
        elif event.kind == "data_localization":
            rows = np.ix_(active, event.targets)
            localisation[rows] = np.maximum(localisation[rows], event.level)
        elif event.kind == "cooperation_agreement":
            parties = sorted(set(event.imposers) | set(event.targets))
            _raise_cooperation(cooperation, active, parties, list(event.sectors), event.level)
    for k in range(n_steps):
        # Nothing controls itself; bloc-mates' mutual history rows are also not controls.
        controls[k][world.same_bloc] = 0.0

    p = scenario.policies
    for control in p.export_controls:
        _override(
            controls,
            times,
            control.schedule,
            world.members(control.controller),
            world.members(control.target),
            world.sector_indices(control.sectors),
            world,
        )
    for sanction in p.sanctions:
        _override(
            controls,
            times,
            sanction.schedule,
            world.members(sanction.imposer),
            world.members(sanction.target),
            world.sector_indices(sanction.sectors),
            world,
            scale=breadth,
        )
        values = _schedule_values(sanction.schedule, times)
        on = ~np.isnan(values)
        for t in world.members(sanction.target):
            sanctions[on, t] = values[on]
    for rule in p.data_localisation:
        values = _schedule_values(rule.schedule, times)
        on = ~np.isnan(values)
        for a in world.members(rule.actor):
            localisation[on, a] = values[on]
    for plan in p.investment_programmes:
        values = _schedule_values(plan.schedule, times)
        on = ~np.isnan(values)
        for a in world.members(plan.actor):
            for s in world.sector_indices(plan.sectors):
                programme[on, a, s] = values[on]
    for agreement in p.cooperation:
        active = (times + 1e-9 >= agreement.start) & ((agreement.end is None) | (times < (agreement.end or np.inf)))
        parties = sorted({i for name in agreement.parties for i in world.members(name)})
        _raise_cooperation(cooperation, active, parties, world.sector_indices(agreement.sectors), agreement.level)

    n_projects = len(p.joint_projects)
    project_active = np.zeros((n_steps, n_projects), dtype=bool)
    project_members = np.zeros((n_projects, n_a))
    project_sector = np.zeros((n_projects, n_s))
    project_budget = np.zeros(n_projects)
    for j, project in enumerate(p.joint_projects):
        project_active[:, j] = (times + 1e-9 >= project.start) & (times < project.end)
        members = [world.actors.index(name) for name in project.parties]
        project_members[j, members] = 1.0
        project_sector[j, world.sectors.index(project.sector)] = 1.0
        project_budget[j] = project.budget
        # A running joint project implies full cooperation among its parties in its sector.
        _raise_cooperation(cooperation, project_active[:, j], members, [world.sectors.index(project.sector)], 1.0)

    trust_shock = np.zeros((n_steps, n_a, n_a))
    for blow in p.trust_shocks:
        step = int(np.searchsorted(times, blow.year - 1e-9, side="left"))
        if step < n_steps:
            i, j = world.actors.index(blow.between[0]), world.actors.index(blow.between[1])
            trust_shock[step, i, j] += blow.size
            trust_shock[step, j, i] += blow.size

    disruption = np.zeros((n_steps, n_a, n_s))
    for shock in p.supply_shocks:
        active = (times + 1e-9 >= shock.start) & (times < shock.end)
        rows = np.ix_(active, world.members(shock.supplier), world.sector_indices(shock.sectors))
        disruption[rows] = np.maximum(disruption[rows], shock.severity)

    bloc_controls = np.empty_like(controls)
    for b in range(len(world.blocs)):
        members = world.bloc_of == b
        if members.any():
            bloc_controls[:, members] = controls[:, members].max(axis=1, keepdims=True)

    branch_step = int(np.searchsorted(times, branch_year - 1e-9, side="left"))
    return PolicySchedule(
        times=times,
        controls=controls,
        bloc_controls=bloc_controls,
        sanctions=sanctions,
        localisation=localisation,
        programme=programme,
        cooperation=cooperation,
        trust_shock=trust_shock,
        disruption=disruption,
        project_active=project_active,
        project_members=project_members,
        project_sector=project_sector,
        project_budget=project_budget,
        branch_step=branch_step,
    )


def _override(
    controls: Array,
    times: Array,
    schedule: dict[float, float],
    imposers: list[int],
    targets: list[int],
    sectors: list[int],
    world: World,
    scale: float = 1.0,
) -> None:
    values = _schedule_values(schedule, times) * scale
    on = np.flatnonzero(~np.isnan(values))
    for a in imposers:
        for b in targets:
            if a == b or world.same_bloc[a, b]:
                continue
            controls[np.ix_(on, [a], [b], sectors)] = values[on, None, None, None]


def _raise_cooperation(cooperation: Array, active: Array, parties: list[int], sectors: list[int], level: float) -> None:
    for a in parties:
        for b in parties:
            if a != b:
                rows = np.ix_(active, [a], [b], sectors)
                cooperation[rows] = np.maximum(cooperation[rows], level)

"""Policies as arrays over time: what is in force during each step.

History events (before the branch year) and the scenario's own policies are turned
into arrays with a leading step axis, identical for every run. Shapes: T steps,
A actors, S sectors, P joint projects, J uncertain acts.

Semantics (documented in the ODD, section 3):
- A step's level is the time average over the step of what is in force
  (``sim.periods``): a dated act acts for the share of the step after its date, and until
  its ``end`` if it was lifted; where acts overlap, the strongest in force counts.
- History levels per (imposer, target, sector) are the strongest act in force and stay
  in force after the branch year unless the scenario says otherwise.
- A scenario policy sets its level from its first listed year on, overriding history
  for the triples it names; a later entry in the list overrides an earlier one. A
  schedule {year: level} is a step function.
- Timeline rows that name an ``act`` are kept apart (``act_controls``): each run scales
  them by its parameter ``coverage_<act>`` (``sim.config.coverage``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from sim.config.schema import Scenario
from sim.periods import TimedLevel, average_of_max, overlap
from sim.timeline import PolicyEvent, default_timeline_path, read_timeline
from sim.world import World

Array = np.ndarray
CONTROL_KINDS = ("export_control", "counter_control", "sanctions")


@dataclass(frozen=True)
class PolicySchedule:
    """Policy arrays indexed by step (levels are averages over the step).

    Attributes:
        times (T,): start time of each step (decimal year); step: Δt in years.
        controls (T, A, A, S): export-control level imposed by a on b in s, from untagged acts.
        bloc_controls (T, A, A, S): strongest control any member of a's bloc imposes on b in s
            (0 where b is in a's bloc: allies align against outsiders only).
        act_names (J,): the uncertain acts in force at some step; act_controls, act_bloc_controls
            (J, T, A, A, S): the same two arrays for each act at its judged coverage.
        sanctions (T, A): financial sanction level on each target.
        localisation (T, A): data-localisation level of each actor.
        programme (T, A, S): investment-programme level.
        cooperation (T, A, A, S): cooperation allowed between a and b in s.
        trust_shock (T, A, A): negative trust evidence arriving during the step.
        disruption (T, A, S): share of a supplier's exports of s lost to a supply shock.
        project_active (T, P) share of the step each joint project runs; project_members (P, A),
        project_sector (P, S), project_budget (P,).
        branch_step: index of the first step at or after the branch year.
    """

    times: Array
    step: float
    controls: Array
    bloc_controls: Array
    act_names: tuple[str, ...]
    act_controls: Array
    act_bloc_controls: Array
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


def schedule_share(schedule: dict[float, float], times: Array, step: float) -> tuple[Array, Array]:
    """A step-function schedule over each step: (∫ level, share of the step it covers), each (T,).

    The level average over the covered part is the first divided by the second; before its
    first year a schedule covers nothing (history stays in force).
    """
    years = sorted(schedule)
    ends = [*years[1:], np.inf]
    integral = np.zeros(times.size)
    covered = np.zeros(times.size)
    for start, end in zip(years, ends, strict=True):
        share = overlap(times, step, start, end)
        integral += schedule[start] * share
        covered += share
    return integral, covered


def _history_events(scenario: Scenario, world: World, source_dir: Path | None) -> list[PolicyEvent]:
    if not scenario.history.replay:
        return []
    name = scenario.history.timeline
    path = default_timeline_path() if name == "default" else (source_dir or Path.cwd()) / name
    return [e for e in read_timeline(path, world, scenario.history) if e.time < scenario.time.branch_year]


def _control_level(event: PolicyEvent, breadth: float) -> float:
    if event.coverage is not None:
        return event.coverage
    return event.level * (breadth if event.kind == "sanctions" else 1.0)


def build_schedule(scenario: Scenario, world: World, source_dir: Path | None = None) -> PolicySchedule:
    """Combine history and the scenario's policies into per-step arrays."""
    times = step_times(scenario)[:-1]
    step = scenario.time.step
    n_steps, n_a, n_s = len(times), world.n_actors, world.n_sectors
    breadth = scenario.history.sanction_breadth
    events = _history_events(scenario, world, source_dir)

    def timed(event: PolicyEvent, index: tuple, level: float) -> TimedLevel:
        return TimedLevel(event.time, event.end, index, level)

    base_controls: list[TimedLevel] = []
    acts: dict[str, list[TimedLevel]] = {}
    sanction_levels, localisation_levels, programme_levels, raises = [], [], [], []
    for e in events:
        if e.kind in CONTROL_KINDS:
            level = timed(e, np.ix_(e.imposers, e.targets, e.sectors), _control_level(e, breadth))
            (acts.setdefault(e.act, []) if e.act else base_controls).append(level)
            if e.kind == "sanctions":
                sanction_levels.append(timed(e, (list(e.targets),), e.level))
        elif e.kind == "investment_program":
            programme_levels.append(timed(e, np.ix_(e.targets, e.sectors), e.level))
        elif e.kind == "data_localization":
            localisation_levels.append(timed(e, (list(e.targets),), e.level))
        elif e.kind == "cooperation_agreement":
            parties = sorted(set(e.imposers) | set(e.targets))
            raises.append(timed(e, np.ix_(parties, parties, e.sectors), e.level))

    def averaged(shape: tuple[int, ...], levels: list[TimedLevel], base: Array | float = 0.0) -> Array:
        return average_of_max(times, step, shape, levels, np.broadcast_to(base, shape))

    pair_shape = (n_a, n_a, n_s)
    controls = averaged(pair_shape, base_controls)
    act_names = tuple(sorted(acts))
    act_controls = (
        np.stack([averaged(pair_shape, acts[a]) for a in act_names]) if acts else np.zeros((0, n_steps, *pair_shape))
    )
    sanctions = averaged((n_a,), sanction_levels)
    localisation = averaged((n_a,), localisation_levels)
    programme = averaged((n_a, n_s), programme_levels)

    p = scenario.policies
    for control in p.export_controls:
        _override(controls, act_controls, times, step, control.schedule, world.members(control.controller),
                  world.members(control.target), world.sector_indices(control.sectors))  # fmt: skip
    for sanction in p.sanctions:
        targets = world.members(sanction.target)
        _override(controls, act_controls, times, step, sanction.schedule, world.members(sanction.imposer),
                  targets, world.sector_indices(sanction.sectors), scale=breadth)  # fmt: skip
        integral, covered = schedule_share(sanction.schedule, times, step)
        sanctions[:, targets] = sanctions[:, targets] * (1.0 - covered)[:, None] + integral[:, None]
    for rule in p.data_localisation:
        members = world.members(rule.actor)
        integral, covered = schedule_share(rule.schedule, times, step)
        localisation[:, members] = localisation[:, members] * (1.0 - covered)[:, None] + integral[:, None]
    for plan in p.investment_programmes:
        rows = np.ix_(np.arange(n_steps), world.members(plan.actor), world.sector_indices(plan.sectors))
        integral, covered = schedule_share(plan.schedule, times, step)
        programme[rows] = programme[rows] * (1.0 - covered)[:, None, None] + integral[:, None, None]
    # Nothing controls itself.
    diagonal = np.arange(n_a)
    controls[:, diagonal, diagonal] = 0.0
    act_controls[:, :, diagonal, diagonal] = 0.0

    for agreement in p.cooperation:
        parties = sorted({i for name in agreement.parties for i in world.members(name)})
        end = agreement.end if agreement.end is not None else np.inf
        index = np.ix_(parties, parties, world.sector_indices(agreement.sectors))
        raises.append(TimedLevel(agreement.start, end, index, agreement.level))
    n_projects = len(p.joint_projects)
    project_active = np.zeros((n_steps, n_projects))
    project_members = np.zeros((n_projects, n_a))
    project_sector = np.zeros((n_projects, n_s))
    project_budget = np.zeros(n_projects)
    for j, project in enumerate(p.joint_projects):
        project_active[:, j] = overlap(times, step, project.start, project.end)
        members = [world.actors.index(name) for name in project.parties]
        project_members[j, members] = 1.0
        project_sector[j, world.sectors.index(project.sector)] = 1.0
        project_budget[j] = project.budget
        # A running joint project implies full cooperation among its parties in its sector.
        raises.append(
            TimedLevel(project.start, project.end, np.ix_(members, members, [project_sector[j].argmax()]), 1.0)
        )
    cooperation = averaged(pair_shape, raises, world.cooperation0[:, :, None])
    cooperation[:, diagonal, diagonal] = world.cooperation0[diagonal, diagonal, None]

    trust_shock = np.zeros((n_steps, n_a, n_a))
    for blow in p.trust_shocks:
        at = int(np.searchsorted(times, blow.year - 1e-9, side="left"))
        if at < n_steps:
            i, j = world.actors.index(blow.between[0]), world.actors.index(blow.between[1])
            trust_shock[at, i, j] += blow.size
            trust_shock[at, j, i] += blow.size

    shocks = [
        TimedLevel(s.start, s.end, np.ix_(world.members(s.supplier), world.sector_indices(s.sectors)), s.severity)
        for s in p.supply_shocks
    ]
    disruption = averaged((n_a, n_s), shocks)
    in_force = act_controls.any(axis=(1, 2, 3, 4))
    act_controls = act_controls[in_force]
    return PolicySchedule(
        times=times,
        step=step,
        controls=controls,
        bloc_controls=bloc_maximum(controls, world),
        act_names=tuple(a for a, used in zip(act_names, in_force, strict=True) if used),
        act_controls=act_controls,
        act_bloc_controls=np.stack([bloc_maximum(a, world) for a in act_controls])
        if len(act_controls)
        else act_controls.copy(),
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
        branch_step=int(np.searchsorted(times, scenario.time.branch_year - 1e-9, side="left")),
    )


ADDED_KINDS = ("controls", "cooperation", "localisation")


@dataclass(frozen=True)
class AddedAct:
    """An act added to a model at unit scale, which each run scales by its own multiplier.

    ``kind``: "controls" or "cooperation", ``levels`` (T, A, A, S); or "localisation",
    ``levels`` (T, A). A run's level is the larger of the schedule's and the act's times the
    run's multiplier (``sim.context``): where the schedule is zero, the multiplier itself.
    """

    kind: str
    levels: Array


def with_acts(schedule: PolicySchedule, world: World, acts: Mapping[str, AddedAct]) -> PolicySchedule:
    """The schedule with the added control acts among its acts; each run scales them by its multiplier.

    The acts join the timeline's tagged acts: a run's control is the largest of the fixed
    controls and every act times its multiplier (``sim.context.policy_in_force``).
    """
    shapes = {"controls": schedule.controls.shape, "cooperation": schedule.cooperation.shape}
    shapes["localisation"] = schedule.localisation.shape
    for name, act in acts.items():
        if act.kind not in ADDED_KINDS or np.shape(act.levels) != shapes[act.kind]:
            raise ValueError(f"added act '{name}': a kind of {ADDED_KINDS} with levels {shapes.get(act.kind)}")
    names = tuple(name for name, act in acts.items() if act.kind == "controls")
    if not names:
        return schedule
    extra = np.stack([np.asarray(acts[name].levels, dtype=np.float64) for name in names])
    return replace(
        schedule,
        act_names=schedule.act_names + names,
        act_controls=np.concatenate([schedule.act_controls, extra]),
        act_bloc_controls=np.concatenate(
            [schedule.act_bloc_controls, np.stack([bloc_maximum(a, world) for a in extra])]
        ),
    )


def scheduled_controls(schedule: PolicySchedule, multipliers: dict[str, float]) -> Array:
    """(T, A, A, S) controls of one run: every act at its judged coverage times ``multipliers[act]`` (default 1)."""
    controls = schedule.controls.copy()
    for name, act in zip(schedule.act_names, schedule.act_controls, strict=True):
        controls = np.maximum(controls, multipliers.get(name, 1.0) * act)
    return controls


def bloc_maximum(controls: Array, world: World) -> Array:
    """(T, A, A, S): the strongest control any member of a's bloc imposes on b, 0 for b in a's bloc."""
    out = np.zeros_like(controls)
    for b in range(len(world.blocs)):
        members = world.bloc_of == b
        if members.any():
            out[:, members] = controls[:, members].max(axis=1, keepdims=True)
    out[:, world.same_bloc] = 0.0
    return out


def _override(
    controls: Array,
    act_controls: Array,
    times: Array,
    step: float,
    schedule: dict[float, float],
    imposers: list[int],
    targets: list[int],
    sectors: list[int],
    scale: float = 1.0,
) -> None:
    """A scenario's schedule replaces history on its triples for the part of each step it covers."""
    integral, covered = schedule_share(schedule, times, step)
    keep = (1.0 - covered)[:, None, None]
    pairs = [(a, b) for a in imposers for b in targets if a != b]
    if not pairs:
        return
    first, second = (list(x) for x in zip(*pairs, strict=True))
    rows = (slice(None), np.array(first)[:, None], np.array(second)[:, None], np.array(sectors)[None, :])
    controls[rows] = controls[rows] * keep + (scale * integral)[:, None, None]
    if len(act_controls):
        act_controls[(slice(None), *rows)] *= keep

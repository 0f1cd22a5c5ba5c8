"""What stays fixed over a model's life, gathered once: structure, policies, parameters, randomness.

``make_context`` precomputes the static quantities the step needs on pair lists (import
and source shares on control pairs, hawkishness, frictions), the free sourcing shares and
the input lists of the bottleneck, so that ``sim.dynamics`` does no set-up work per step.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from sim.pairs import Pairs
from sim.params import RunParameters
from sim.rng import Streams
from sim.rules import inputs
from sim.schedule import AddedAct, PolicySchedule
from sim.state import BlocGroups
from sim.world import World

Array = np.ndarray


@dataclass(frozen=True)
class Context:
    """What stays fixed over a model's life: structure, policies, parameters, randomness.

    The ``*_pairs`` arrays are static quantities gathered once onto a pair list.
    """

    world: World
    schedule: PolicySchedule
    params: RunParameters
    streams: Streams
    pairs: Pairs
    dt: float
    noise: bool
    espionage: bool
    breakthroughs: bool
    endogenous_escalation: bool
    grim: bool
    logistic_kernel: bool  # every run has ν = 1
    supply_shares: bool  # observations carry supply shares by origin (R, A, A, S): full recording only
    conduit_reach: Array  # (A,) best conduit reachable by each actor
    cyber: int | None  # index of the cyber sector (defence against espionage)
    reference_flow: float  # cross-bloc knowledge flow with no controls (decoupling index)
    rival_first: Array  # pairs (receiver, source) the decoupling index is measured on
    rival_second: Array
    control_imports: Array  # (P_ctrl, S) target's import share from the controller
    control_sources: Array  # (P_ctrl, S) target's knowledge share from the controller
    control_exports: Array  # (P_ctrl, S) controller's market share in the target
    control_hawkishness: Array  # (P_ctrl,) controller's hawkishness, 0 for non-rival pairs
    coop_friction: Array  # (P_coop,)
    coop_in_control: Array  # (P_coop,) index of the (partner → receiver) control pair, or -1
    rival_controllers: Array  # (A,) number of rival controllers of each actor (at least 1)
    blocs: BlocGroups  # actors grouped by bloc
    free_shares: Array  # (A, A, S) supply shares by origin of 2015 with nothing restricted
    access: Array  # (A, A) tie strength of buyer and origin, 1 for home
    input_lists: tuple[Array, Array]  # each sector's inputs and their Ω, (S, m) each
    dependency_factor: Array | None  # (R, 1, S) per-run scale of each row of Ω; None where every run has 1
    policy_pairs: Array  # (T, P_ctrl, S) scheduled controls, acts whose coverage no run varies folded in
    bloc_policy_pairs: Array  # (T, P_ctrl, S) the bloc's strongest scheduled control on the target
    act_pairs: Array  # (J, T, P_ctrl, S) acts whose coverage varies by run, at judged coverage
    act_bloc_pairs: Array  # (J, T, P_ctrl, S)
    act_scale: Array  # (J, R, 1, 1) each run's multiplier of each varying act
    act_in_force: Array  # (J, T) bool: the varying act controls some pair at that step
    localisation_acts: tuple[tuple[Array, Array], ...]  # added acts: (R, 1) multiplier, (T, A) levels at unit scale
    cooperation_acts: tuple[tuple[Array, Array], ...]  # added acts: (R, 1, 1) multiplier, (T, P_coop, S) levels
    control_pair_of: Array  # (A, A) control pair of (target, controller), -1 where none: for sim.kernels
    open_factor: Array  # (A, A) 1 - friction: what the knowledge channel keeps
    kernel_first: Array  # (P_coop + P_hostile,) pairs whose catch-up kernel the step reads:
    kernel_second: Array  # cooperation pairs (receiver, giver), then hostile pairs (spy, victim)


def make_context(
    world: World,
    schedule: PolicySchedule,
    params: RunParameters,
    streams: Streams,
    pairs: Pairs,
    dt: float,
    noise: bool,
    espionage_on: bool,
    breakthroughs: bool,
    endogenous_escalation: bool,
    grim: bool,
    supply_shares: bool = True,
    act_scales: Mapping[str, Array] | None = None,
    added: Mapping[str, AddedAct] | None = None,
) -> Context:
    """Gather what stays fixed over a model's life, with static pair quantities precomputed.

    ``act_scales``: per-run multipliers, (R,) each, of the acts ``added`` (control acts are
    already in the schedule, ``sim.schedule.with_acts``; a timeline act's multiplier is its
    ``coverage_<act>`` parameter).
    """
    scales = act_scales or {}
    added = added or {}
    usable = world.conduit[None, :] * world.link * ~world.rival
    np.fill_diagonal(usable, 0.0)
    base = world.source_share * (1.0 - world.friction)[:, :, None] * world.weight
    ctrl, coop = pairs.control, pairs.cooperation
    lookup = {(int(a), int(b)): p for p, (a, b) in enumerate(zip(ctrl.first, ctrl.second, strict=True))}
    policy, bloc_policy, act_pairs, act_bloc_pairs, act_scale = _act_policy(
        schedule, params, ctrl.first, ctrl.second, scales
    )
    cooperation_mask = np.zeros((world.n_actors, world.n_actors), dtype=bool)
    cooperation_mask[coop.first, coop.second] = True
    for name, act in added.items():
        if act.kind == "cooperation" and not cooperation_mask[np.nonzero((act.levels > 0).any(axis=(0, 3)))].all():
            raise ValueError(f"added act '{name}' raises cooperation on a pair the model does not track")
    # Decoupling is measured on rival pairs; without rivals, on all pairs in different blocs.
    across = world.rival if world.rival.any() else ~world.same_bloc
    rival_first, rival_second = (np.ascontiguousarray(i) for i in np.nonzero(across))
    return Context(
        world=world,
        schedule=schedule,
        params=params,
        streams=streams,
        pairs=pairs,
        dt=dt,
        noise=noise,
        espionage=espionage_on,
        breakthroughs=breakthroughs,
        endogenous_escalation=endogenous_escalation,
        grim=grim,
        logistic_kernel=bool(np.all(params.values["catch_up_shape"] == 1.0)),
        supply_shares=supply_shares,
        conduit_reach=usable.max(axis=1),
        cyber=world.sectors.index("cyber") if "cyber" in world.sectors else None,
        reference_flow=float(base[across].sum()),
        rival_first=rival_first,
        rival_second=rival_second,
        control_imports=world.import_share[ctrl.second, ctrl.first],
        control_sources=world.source_share[ctrl.second, ctrl.first],
        control_exports=world.export_share[ctrl.first, ctrl.second],
        control_hawkishness=world.hawkishness[ctrl.first] * pairs.control_rival,
        coop_friction=world.friction[coop.first, coop.second],
        coop_in_control=np.array(
            [lookup.get((int(b), int(a)), -1) for a, b in zip(coop.first, coop.second, strict=True)], dtype=int
        ),
        rival_controllers=np.maximum(world.rival.sum(axis=0), 1),
        blocs=BlocGroups.of(world),
        free_shares=inputs.origin_shares(world.domestic0, world.import_share),
        access=np.where(np.eye(world.n_actors, dtype=bool), 1.0, world.link),
        input_lists=inputs.input_lists(world.dependency),
        dependency_factor=inputs.dependency_factor(world.dependency, params.values["dependency_scale"]),
        policy_pairs=policy,
        bloc_policy_pairs=bloc_policy,
        act_pairs=act_pairs,
        act_bloc_pairs=act_bloc_pairs,
        act_scale=act_scale,
        act_in_force=((act_pairs > 0) | (act_bloc_pairs > 0)).any(axis=(2, 3)),
        localisation_acts=tuple(
            (scales[name][:, None], act.levels) for name, act in added.items() if act.kind == "localisation"
        ),
        cooperation_acts=tuple(
            (scales[name][:, None, None], act.levels[:, coop.first, coop.second])
            for name, act in added.items()
            if act.kind == "cooperation"
        ),
        control_pair_of=_pair_index(world.n_actors, ctrl.second, ctrl.first),
        open_factor=1.0 - world.friction,
        kernel_first=np.concatenate([coop.first, pairs.hostile.first]).astype(np.int64),
        kernel_second=np.concatenate([coop.second, pairs.hostile.second]).astype(np.int64),
    )


def _pair_index(n_actors: int, rows: Array, columns: Array) -> Array:
    """(A, A) int array: the position of (rows[p], columns[p]) in the pair list, -1 elsewhere."""
    index = np.full((n_actors, n_actors), -1, dtype=np.int64)
    index[rows, columns] = np.arange(rows.size)
    return index


def _act_policy(
    schedule: PolicySchedule, params: RunParameters, first: Array, second: Array, act_scales: Mapping[str, Array]
) -> tuple[Array, ...]:
    """Scheduled controls on the control pairs, with each uncertain act scaled by its run's multiplier.

    An act whose multiplier is the same in every run is folded into the fixed arrays once;
    only acts that vary between runs are kept apart, for ``policy_in_force`` to scale per run.
    """
    policy = schedule.controls[:, first, second]
    bloc = schedule.bloc_controls[:, first, second]
    varying = []
    for j, act in enumerate(schedule.act_names):
        scale = act_scales[act] if act in act_scales else params.values[f"coverage_{act}"]
        own, allied = schedule.act_controls[j][:, first, second], schedule.act_bloc_controls[j][:, first, second]
        if np.all(scale == scale[0]):
            policy = np.maximum(policy, scale[0] * own)
            bloc = np.maximum(bloc, scale[0] * allied)
        else:
            varying.append((own, allied, scale))
    shape = (0, *policy.shape)
    policy, bloc = np.ascontiguousarray(policy), np.ascontiguousarray(bloc)  # step-major, as read
    return (
        policy,
        bloc,
        np.stack([v[0] for v in varying]) if varying else np.zeros(shape),
        np.stack([v[1] for v in varying]) if varying else np.zeros(shape),
        np.stack([v[2] for v in varying])[:, :, None, None] if varying else np.zeros((0, params.runs, 1, 1)),
    )


def policy_in_force(ctx: Context, k: int) -> tuple[Array, Array]:
    """Scheduled controls of step ``k`` on control pairs, own and the bloc's strongest: (R or 1, P_ctrl, S) each."""
    own, allied = ctx.policy_pairs[k][None], ctx.bloc_policy_pairs[k][None]
    # An act not in force at step k adds max(own, multiplier × 0) = own: skipped, same result.
    for j in np.flatnonzero(ctx.act_in_force[:, k]):
        own = np.maximum(own, ctx.act_scale[j] * ctx.act_pairs[j, k])
        allied = np.maximum(allied, ctx.act_scale[j] * ctx.act_bloc_pairs[j, k])
    return own, allied


def localisation_in_force(ctx: Context, k: int) -> Array:
    """Localisation levels at step ``k``: (A,) from the schedule, or (R, A) where an added act varies by run."""
    level = ctx.schedule.localisation[k]
    for scale, levels in ctx.localisation_acts:
        level = np.maximum(level, scale * levels[k])
    return level


def cooperation_allowed(ctx: Context, k: int) -> Array:
    """The cooperation the schedule allows on each cooperation pair at step ``k``: (1 or R, P_coop, S)."""
    coop = ctx.pairs.cooperation
    allowed = ctx.schedule.cooperation[k][coop.first, coop.second][None]
    for scale, levels in ctx.cooperation_acts:
        allowed = np.maximum(allowed, scale * levels[k])
    return allowed

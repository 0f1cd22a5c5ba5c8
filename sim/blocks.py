"""The heavy blocks of ``sim.dynamics.observe``, two ways: numpy rules or compiled kernels.

The control pairs' channels and the two pair-sector blocks (the knowledge channel times
the catch-up kernel; input supply by origin with re-sourcing) are written rule by rule in
numpy (``sim.rules``) and, for speed, as compiled kernels (``sim.kernels``) that do the same
arithmetic in the same order. Both give the same bits (``tests/test_kernels.py``); the
model uses the kernels, the numpy path is the reference.
"""

from __future__ import annotations

import numpy as np

from sim import kernels
from sim.context import Context, localisation_in_force, policy_in_force
from sim.rules import channels, inputs
from sim.rules.common import power
from sim.state import State

Array = np.ndarray

# The compiled kernels by default; tests set this to False to compare with the numpy rules.
USE_KERNELS = True

# (catch-up sum, kernel on cooperation pairs, kernel on hostile pairs, cross-bloc flow),
# (supply shares or None, lost, re-sourced, supplied, free supply, home share)
PairBlocks = tuple[tuple[Array, Array, Array, Array], tuple[Array | None, Array, Array, Array, Array, Array]]


def _pair_blocks_numpy(
    state: State, ctx: Context, k: int, capability: Array, passing: Array, disrupted: Array, substitute: Array
) -> PairBlocks:
    """The knowledge and input channels over all (R, A, A, S) pairs, rule by rule (the reference path).

    Returns (catch-up sum, kernel on cooperation pairs, kernel on hostile pairs, cross-bloc
    flow (R,)) and (supply shares, lost, re-sourced, supplied, free supply, home share).
    """
    w, pairs, p3, p4 = ctx.world, ctx.pairs, ctx.params.p3, ctx.params.p4
    ctrl, coop, hostile = pairs.control, pairs.cooperation, pairs.hostile
    runs = capability.shape[0]

    # Knowledge channel (C25, C22/C23 data flows, C26 friction), redirected to open sources.
    localisation = localisation_in_force(ctx, k)
    raw = w.source_share * channels.data_flow_factor(localisation, w.data_intensity, p4.localisation_flow_cut)
    raw[:, ctrl.second, ctrl.first] *= passing
    open_weights = inputs.redirect(raw, p4.reallocation) * (1.0 - w.friction)[None, :, :, None]
    knowledge = p4.foreign_potency * open_weights
    kernel = channels.catch_up_kernel(
        capability[:, :, None, :] / capability[:, None, :, :], p4.catch_up_shape, ctx.logistic_kernel
    )
    cross = (open_weights[:, ctx.rival_first, ctx.rival_second] * w.weight).reshape(runs, -1).sum(axis=1)

    # Input channel (C04, C05, C28, C31): supply by origin, what still arrives, re-sourced.
    delivered = inputs.origin_shares(state.domestic, w.import_share) * (1.0 - disrupted)[:, None]
    delivered[:, ctrl.second, ctrl.first] *= passing
    attraction = inputs.sourcing_attraction(ctx.access, capability, p3.sourcing_elasticity)
    attraction[:, ctrl.second, ctrl.first] *= substitute
    lost = inputs.lost_volume(delivered)
    resourced = inputs.resourced_volume(state.resourced, lost, p3.reallocation)
    shares = inputs.resourced_shares(delivered, attraction, resourced)
    supplied = inputs.supply(shares, capability)
    free = inputs.supply(np.broadcast_to(ctx.free_shares, shares.shape), capability)
    return (
        (knowledge * kernel).sum(axis=2),
        kernel[:, coop.first, coop.second],
        kernel[:, hostile.first, hostile.second],
        cross,
    ), (
        shares if ctx.supply_shares else None,
        lost,
        resourced,
        supplied,
        free,
        inputs.home_share(shares, capability, supplied),
    )


def _pair_blocks_fused(
    state: State, ctx: Context, k: int, capability: Array, passing: Array, disrupted: Array, substitute: Array
) -> PairBlocks:
    """The same as ``_pair_blocks_numpy``, by the compiled kernels: one pass per block, same bits."""
    w, pairs, p3, p4 = ctx.world, ctx.pairs, ctx.params.p3, ctx.params.p4
    coop, hostile = pairs.cooperation, pairs.hostile
    runs, n_a, n_s = capability.shape
    stricter = channels.stricter_rules(localisation_in_force(ctx, k))
    flow_cut = np.ascontiguousarray(p4.localisation_flow_cut.reshape(runs))
    source = (w.source_share, flow_cut, stricter, w.data_intensity, passing, ctx.control_pair_of)
    remaining = kernels.knowledge_sources(*source)
    divisor = power(np.maximum(remaining, 1e-6), p3.reallocation)
    if ctx.logistic_kernel:
        kernel = np.zeros((1, 1, 1, 1))
    else:
        kernel = channels.catch_up_kernel(
            capability[:, :, None, :] / capability[:, None, :, :], p4.catch_up_shape, ctx.logistic_kernel
        )
    catch_up_sum = np.empty((runs, n_a, n_s))
    kernel_pairs = np.empty((runs, coop.size + hostile.size, n_s))
    rival_open = np.empty((runs, ctx.rival_first.size, n_s))
    kernels.knowledge_block(
        *source,
        divisor,
        ctx.open_factor,
        np.ascontiguousarray(p4.foreign_potency.reshape(runs)),
        capability,
        kernel,
        ctx.logistic_kernel,
        ctx.kernel_first,
        ctx.kernel_second,
        ctx.rival_first,
        ctx.rival_second,
        catch_up_sum,
        kernel_pairs,
        rival_open,
    )
    cross = (rival_open * w.weight).reshape(runs, -1).sum(axis=1)

    shares = np.empty((runs, n_a, n_a, n_s) if ctx.supply_shares else (0, 0, 0, 0))
    supply = tuple(np.empty((runs, n_a, n_s)) for _ in range(5))
    kernels.input_block(
        state.domestic,
        w.import_share,
        disrupted,
        passing,
        ctx.control_pair_of,
        ctx.access,
        power(capability, p3.sourcing_elasticity),
        substitute,
        state.resourced,
        np.ascontiguousarray(p3.reallocation.reshape(runs)),
        capability,
        ctx.free_shares,
        shares,
        *supply,
    )
    knowledge = (catch_up_sum, kernel_pairs[:, : coop.size], kernel_pairs[:, coop.size :], cross)
    lost, resourced, supplied, free, home = supply
    return knowledge, (shares if ctx.supply_shares else None, lost, resourced, supplied, free, home)


def control_channels(state: State, ctx: Context, k: int, fused: bool) -> tuple[Array, Array, Array, Array, Array]:
    """Controls in force on the control pairs and what they leave open, (R, P_ctrl, S) each.

    Returns controls X, leak share, open share (passing), the strongest control on each actor
    (R, A, S), and how far each controller can substitute for its target's lost items.
    """
    p3, ctrl = ctx.params.p3, ctx.pairs.control
    runs, n_a, _ = state.log_capability.shape
    # Controls in force: policy (allies align on the bloc's strongest) plus escalation (C27, C04).
    # A level is the share of the sector's flows from controller to target that it covers.
    # Controls cover the most sensitive items first, so a lighter control covers part of a
    # stricter one's items: an origin substitutes for the lost items as far as it does not
    # control them (1 on pairs that are never controlled, so only control pairs are touched).
    if fused:
        controls = kernels.controls_in_force(
            ctx.policy_pairs[k],
            ctx.bloc_policy_pairs[k],
            np.ascontiguousarray(ctx.act_pairs[:, k]),  # small copies: contiguous arrays compile to faster loops
            np.ascontiguousarray(ctx.act_bloc_pairs[:, k]),
            np.ascontiguousarray(ctx.act_scale[:, :, 0, 0]),
            np.ascontiguousarray(ctx.act_in_force[:, k]),
            p3.ally_alignment.reshape(runs),
            state.escalation,
        )
        leak, passing, received, substitute = kernels.control_channels(
            controls,
            ctrl.second,
            n_a,
            state.evasion,
            state.enforcement,
            p3.leak_quality.reshape(runs),
            p3.evasion_premium.reshape(runs),
            state.closure,
        )
    else:
        own, allied = policy_in_force(ctx, k)
        controls = np.minimum(1.0, np.maximum(own, p3.ally_alignment * allied) + state.escalation)
        leak = channels.leakage(state.evasion[:, ctrl.second], state.enforcement, p3.leak_quality, p3.evasion_premium)
        passing = channels.openness(state.closure, leak)  # what still flows on control pairs
        received = ctrl.max_per_second(controls, n_a)
        strictest = received[:, ctrl.second]
        substitute = 1.0 - np.divide(controls, strictest, out=np.zeros_like(controls), where=strictest > 0)
    return controls, leak, passing, received, substitute


def pair_blocks(
    state: State,
    ctx: Context,
    k: int,
    capability: Array,
    passing: Array,
    disrupted: Array,
    substitute: Array,
    fused: bool,
) -> PairBlocks:
    """The knowledge and input channels of step ``k`` (``_pair_blocks_numpy`` documents the outputs)."""
    block = _pair_blocks_fused if fused else _pair_blocks_numpy
    return block(state, ctx, k, capability, passing, disrupted, substitute)

"""One step of the model for a whole batch: observe → decide → act → update.

``observe`` derives what every actor sees at time t (frontier, trust, controls in force,
channels); ``advance`` applies the decision rules and flows and returns the state at
t + dt. Both are pure: they read a ``State`` and return new arrays. All actors read
state t and write state t + dt (synchronous update), so actor order never matters.
There is no Python loop over runs, actors or sectors: every line acts on whole arrays.
Mechanisms that can only act on some actor pairs run on pair lists (``sim.pairs``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim import blocks
from sim.context import Context, cooperation_allowed, localisation_in_force
from sim.pairs import sum_to_actors
from sim.rules import closure, espionage, growth, inputs, trust
from sim.rules import policy as responses
from sim.rules.common import power, relax
from sim.state import State, rival_ratio

Array = np.ndarray

LOG_CAPABILITY_LIMIT = 40.0  # ln K stays within ±40 (K between 4e-18 and 2e17)


@dataclass(frozen=True)
class Observation:
    """Derived quantities at time t, shared by the rules and the recorder (shapes as named)."""

    capability: Array  # K, knowledge-based capability (R, A, S); what rules compare
    effective: Array  # K·U^γ, capability with today's inputs (R, A, S); what is reported
    frontier: Array  # (R, 1, S)
    relative: Array  # K / frontier (R, A, S)
    trust: Array  # a's trust in b (R, A, A)
    controls: Array  # X in force on control pairs (R, P_ctrl, S)
    controls_received: Array  # strongest control on each actor (R, A, S)
    leak: Array  # leak share on control pairs (R, P_ctrl, S)
    controls_on_mean: Array  # mean control on a by b over sectors (R, A, A)
    catch_up_sum: Array  # Σ_b O[a,b,s]·Φ(K_a/K_b): knowledge channel times catch-up kernel (R, A, S)
    kernel_cooperation: Array  # Φ(K_a / K_b) on cooperation pairs (receiver, giver) (R, P_coop, S)
    kernel_hostile: Array  # Φ(K_spy / K_victim) on hostile pairs (R, P_hostile, S)
    absorptive: Array  # (R, A, S)
    bottleneck: Array  # U (R, A, S) in (0, 1]
    supply_ratio: Array  # ρ, quality-weighted supply of each input sector / free sourcing (R, A, S) in (0, 1]
    supply_shares: Array | None  # shares of a's supply of s by origin b, home on the diagonal (R, A, A, S);
    # None when the context does not keep them (outcomes-only recording)
    lost_supply: Array  # L, share of supply no longer arriving (R, A, S)
    disrupted: Array  # share of each supplier's exports lost to supply shocks, lingering included (R, A, S)
    resourced: Array  # volume re-sourced from substitute origins (R, A, S)
    self_sufficiency: Array  # home share of quality-weighted supply (R, A, S)
    deny: Array  # denial exposure (R, A, S)
    closed_imports: Array  # share of imports closed by controls (R, A, S)
    reopened_imports: Array  # share of imports reopened by evasion (R, A, S)
    decoupling: Array  # (R,) 1 - cross-bloc flow / flow without controls


def observe(state: State, ctx: Context, k: int, fused: bool | None = None) -> Observation:
    """Everything actors perceive at step ``k`` (policy arrays of that step).

    ``fused`` chooses the compiled kernels or the numpy rules for the control pairs and the
    pair-sector blocks (``sim.blocks``); both give the same bits (default: ``blocks.USE_KERNELS``).
    """
    w, sch, pairs, p3 = ctx.world, ctx.schedule, ctx.pairs, ctx.params.p3
    ctrl = pairs.control
    runs, n_a, n_s = state.log_capability.shape
    capability = np.exp(state.log_capability)
    frontier = capability.max(axis=1, keepdims=True)
    relative = capability / frontier

    fused = blocks.USE_KERNELS if fused is None else fused
    # Controls in force and what they leave open (C04, C27, C28); channels (C05, C22-C26, C31).
    controls, leak, passing, received, substitute = blocks.control_channels(state, ctx, k, fused)
    controls_on_mean = np.zeros((runs, n_a, n_a))
    controls_on_mean[:, ctrl.second, ctrl.first] = controls.mean(axis=-1)
    absorptive = growth.absorptive_capacity(w.absorptive, state.rd_stock, p3.absorptive_half * state.stock_reference)
    disrupted = inputs.disrupted_exports(sch.disruption[k], state.lingering_disruption)
    knowledge, supply = blocks.pair_blocks(state, ctx, k, capability, passing, disrupted, substitute, fused)
    catch_up_sum, kernel_cooperation, kernel_hostile, cross = knowledge
    shares, lost, resourced, supplied, free, home = supply

    progress = inputs.adjustment(lost, resourced, p3.reallocation)
    elasticity = inputs.input_elasticity(progress, w.dependency, p3.input_substitution, p3.input_substitution_long)
    ratio = inputs.supply_ratio(supplied, free)
    bottleneck = inputs.bottleneck(ratio, w.dependency, elasticity, ctx.input_lists, ctx.dependency_factor)
    deny, closed, reopened = responses.denial(
        ctx.control_imports, ctx.control_sources, state.closure, leak, ctrl.to_second
    )
    return Observation(
        capability=capability,
        effective=capability * power(bottleneck, p3.bottleneck_sensitivity),
        frontier=frontier,
        relative=relative,
        trust=trust.trust_level(state.trust_positive, state.trust_negative),
        controls=controls,
        controls_received=received,
        leak=leak,
        controls_on_mean=controls_on_mean,
        catch_up_sum=catch_up_sum,
        kernel_cooperation=kernel_cooperation,
        kernel_hostile=kernel_hostile,
        absorptive=absorptive,
        bottleneck=bottleneck,
        supply_ratio=ratio,
        supply_shares=shares,
        lost_supply=lost,
        disrupted=disrupted,
        resourced=resourced,
        self_sufficiency=home,
        deny=deny,
        closed_imports=closed,
        reopened_imports=reopened,
        decoupling=1.0 - cross / ctx.reference_flow if ctx.reference_flow > 0 else np.zeros(runs),
    )


@dataclass(frozen=True)
class StepEvents:
    """Events of one step, for diagnostics: espionage (R, A, A) spy → victim; runs at the clip (R,)."""

    espionage: Array
    detected: Array
    clipped: Array  # (R,) bool: some log capability of the run reached ±LOG_CAPABILITY_LIMIT


def advance(state: State, obs: Observation, ctx: Context, k: int) -> tuple[State, StepEvents]:
    """State at t + dt from state and observation at t (step index ``k``)."""
    w, sch, p2, p3, dt = ctx.world, ctx.schedule, ctx.params.p2, ctx.params.p3, ctx.dt
    ctrl, coop = ctx.pairs.control, ctx.pairs.cooperation
    runs, n_a, n_s = state.log_capability.shape

    # --- decide: responses to denial (C03, C06) ------------------------------------------
    shares = responses.rd_shares(
        w.rd_shares0, w.weight, obs.deny, p3.substitution_response, sch.programme[k], p3.program_boost
    )
    elapsed = sch.times[k] - sch.times[0]
    trend = w.budget_growth_long + (w.budget_growth - w.budget_growth_long) * np.exp(-elapsed / w.budget_growth_fade)
    budget_level = responses.budget_level(
        sch.sanctions[k], p3.sanction_budget_drag, obs.deny, w.weight, p3.substitution_budget
    )

    # --- act: R&D and growth (C03, C07-C11, C25, C26, C34) ------------------------------
    giver_open = 1.0 - _gather_or_zero(obs.controls, ctx.coop_in_control)
    partner_rd = state.rd_effective[:, coop.second]
    effective_rd = growth.pooled_rd(
        state.rd_effective, state.cooperation, partner_rd, ctx.coop_friction, p3.pooling_efficiency, coop.to_first
    ) + _project_rd(obs.trust, ctx, k)
    data_factor = growth.data_factor(state.data, p3.data_elasticity, w.data_intensity)
    g_own = growth.own_innovation(
        w.innovation * p3.innovation_scale,
        w.research_productivity,
        effective_rd,
        state.rd_reference,
        p3.rd_elasticity,
        obs.frontier,
        w.knowledge_returns,
        data_factor,
        obs.relative,
        p3.frontier_proximity,
    )
    # Knowledge flows close at most the gap to the frontier within a step: the discrete step
    # must not overshoot what the continuous flow approaches (an unbounded kernel, ν < 0,
    # far behind the frontier, would otherwise jump past it; ODD 8.1, sane-world bounds).
    frontier_gap = np.log(obs.frontier / obs.capability)  # (R, A, S) ≥ 0
    room = frontier_gap / dt  # per year
    g_catch = np.minimum(growth.catch_up(w.catch_up * p3.catch_up_scale, obs.absorptive, obs.catch_up_sum), room)
    g_transfer = growth.transfer(
        p3.transfer_rate,
        state.cooperation,
        obs.trust[:, coop.second, coop.first],
        giver_open,
        ctx.coop_friction,
        obs.kernel_cooperation,
        coop.to_first,
    )
    g_transfer = np.minimum(g_transfer, room - g_catch)
    g_network = p3.spillover_strength * (state.growth @ w.spillover.T)  # upstream own innovation (AAK)
    access = growth.market_access(ctx.control_exports, obs.controls, ctrl.to_first)
    experience = relax(state.experience, access, p3.experience_adjustment, dt)
    g_learning = growth.learning_change(w.learning, p3.learning_exponent, state.experience, experience, dt)
    # Inputs act on the level of capability (Observation.effective), not on its growth.
    log_capability = state.log_capability + dt * (g_own + g_catch + g_transfer + g_network + g_learning)

    # --- stochastic: shocks, breakthroughs, espionage (C24, C33) -----------------------
    shape = (n_a, n_s)
    if ctx.noise:
        sigma = w.noise * p3.noise_scale
        log_capability = (
            log_capability
            + sigma * np.sqrt(dt) * ctx.streams.normal("capability_noise", k, shape)
            - 0.5 * sigma**2 * dt
        )
    if ctx.breakthroughs:
        hit = ctx.streams.uniform("breakthrough_event", k, shape) < 1.0 - np.exp(-p3.breakthrough_rate * dt)
        # Sizes only where a breakthrough happens: elsewhere the jump is 0, as hit · size was.
        jump = np.zeros(hit.shape)
        size = np.broadcast_to(p3.breakthrough_size, hit.shape)[hit]
        jump[hit] = size * np.exp(0.5 * ctx.streams.normal_where("breakthrough_size", k, shape, hit))
        log_capability = log_capability + jump
    spied = detected = np.zeros((runs, n_a, n_a), bool)
    if ctx.espionage and ctx.pairs.hostile.size:
        spied, detected, gain = _espionage(obs, ctx, k)
        log_capability = log_capability + np.minimum(gain, np.maximum(0.0, frontier_gap - dt * (g_catch + g_transfer)))
    # Every parameter inside its admissible range together (breakthroughs every year, five
    # times the innovation) can compound past what a float holds; e^±40 is far beyond any
    # meaningful index, so the clip only keeps such runs finite, it never binds otherwise.
    clipped = (np.abs(log_capability) >= LOG_CAPABILITY_LIMIT).any(axis=(1, 2))  # reported, not hidden
    log_capability = np.clip(log_capability, -LOG_CAPABILITY_LIMIT, LOG_CAPABILITY_LIMIT)
    events = StepEvents(spied, detected, clipped)

    # --- trust and cooperation (C01, C24, C26, C31) -------------------------------------
    cooperation_full = np.zeros((runs, n_a, n_a))
    cooperation_full[:, coop.first, coop.second] = state.cooperation.mean(axis=-1)
    honoured = cooperation_full * (1.0 - obs.controls_on_mean)
    suffered = (
        events.detected.transpose(0, 2, 1)
        + sch.trust_shock[k]
        + p3.control_offence * np.maximum(0.0, obs.controls_on_mean - state.controls_on_mean)
    )
    positive, negative = trust.update_evidence(
        state.trust_positive, state.trust_negative, honoured, suffered, p3.trust_memory, p3.trust_negative_weight, dt
    )
    mutual = np.minimum(obs.trust, obs.trust.transpose(0, 2, 1))
    pressure = obs.controls_on_mean.max(axis=-1)
    pair_pressure = 0.5 * (pressure[:, coop.first] + pressure[:, coop.second])
    caught = events.detected | events.detected.transpose(0, 2, 1)
    broken = state.broken | caught if ctx.grim else state.broken
    allowed = cooperation_allowed(ctx, k) * ~broken[:, coop.first, coop.second, None]
    target = trust.cooperation_target(
        allowed,
        mutual[:, coop.first, coop.second],
        pair_pressure,
        p2.cooperation_slope,
        p2.cooperation_threshold,
        p2.pressure_response,
    )
    cooperation = relax(state.cooperation, target, p3.cooperation_speed, dt)
    if not ctx.grim:
        cooperation = cooperation * np.where(caught[:, coop.first, coop.second], p2.forgiveness, 1.0)[..., None]

    # --- escalation of controls, Richardson (C27) ---------------------------------------
    ratio = rival_ratio(obs.capability, ctx.blocs, ctrl)
    escalation = state.escalation
    if ctx.endogenous_escalation and k >= sch.branch_step:
        threat = responses.threat(
            ratio, state.threat_ratio, dt, w.weight, p3.escalation_threshold, p3.escalation_speed_weight
        )
        counter = obs.controls_on_mean[:, ctrl.first, ctrl.second][..., None]
        offended = events.detected[:, ctrl.second, ctrl.first][..., None]
        grievance = p3.escalation_grievance + p3.espionage_grievance * offended
        change = responses.escalation_change(
            threat,
            counter,
            obs.controls,
            grievance,
            p3.escalation_reaction,
            p3.escalation_counter,
            p3.escalation_restraint,
            ctx.control_hawkishness,
        )
        escalation = np.clip(escalation + dt * change, 0.0, 1.0)

    # --- evasion and enforcement, the 'chess game' (C28) ---------------------------------
    rival_pairs = ctx.pairs.control_rival
    aimed = sum_to_actors(state.enforcement * rival_pairs, ctrl.to_second) / ctx.rival_controllers
    conduit_access = p3.conduit_scale * ctx.conduit_reach[None, :, None]
    evasion = np.clip(
        state.evasion
        + dt
        * responses.evasion_change(
            state.evasion,
            obs.closed_imports,
            conduit_access,
            p3.evasion_build,
            p3.evasion_max,
            aimed[..., None],
            p3.enforcement_bite,
        ),
        0.0,
        p3.evasion_max,
    )
    leak_flow = (obs.controls * obs.leak).mean(axis=-1)
    enforcement = (
        np.clip(
            state.enforcement
            + dt
            * responses.enforcement_change(state.enforcement, leak_flow, p2.enforcement_response, p2.enforcement_decay),
            0.0,
            1.0,
        )
        * rival_pairs
    )

    # --- stocks (C03, C06, C22, C02) -----------------------------------------------------
    budget = state.budget * np.exp(dt * trend)
    rd_effective = relax(state.rd_effective, (budget * budget_level)[..., None] * shares, 1.0 / p3.gestation, dt)
    decay = np.exp(-p3.rd_depreciation * dt)
    rd_stock = state.rd_stock * decay + effective_rd * (1.0 - decay) / p3.rd_depreciation
    resourced = relax(obs.resourced, obs.lost_supply, 1.0 / p3.gestation, dt)
    domestic = relax(
        state.domestic,
        responses.domestic_target(w.domestic0, obs.deny, p3.substitution_response, obs.absorptive),
        1.0 / p3.gestation,
        dt,
    )
    data = state.data * np.exp(dt * w.data_growth * (1.0 + p2.localisation_data_gain * localisation_in_force(ctx, k)))
    # Buyers that left a disrupted supplier return at the tie-recovery rate (C05; GSDB persistence).
    lingering = obs.disrupted * np.exp(-p3.tie_recovery * dt)
    closed_share = closure.update_closure(
        state.closure,
        closure.closure_target(obs.controls, rival_pairs, p3.tie_spillover),
        p3.tie_decay,
        p3.tie_recovery,
        dt,
    )

    return state.evolve(
        log_capability=log_capability,
        rd_stock=rd_stock,
        rd_effective=rd_effective,
        budget=budget,
        data=data,
        domestic=domestic,
        trust_positive=positive,
        trust_negative=negative,
        cooperation=cooperation,
        escalation=escalation,
        evasion=evasion,
        enforcement=enforcement,
        closure=closed_share,
        lingering_disruption=lingering,
        resourced=resourced,
        threat_ratio=ratio,
        budget_level=budget_level,
        growth=g_own,
        broken=broken,
        controls_on_mean=obs.controls_on_mean,
        experience=experience,
    ), events


def _gather_or_zero(values: Array, index: Array) -> Array:
    """``values[:, index]`` with zeros where ``index`` is -1, (R, len(index), ...)."""
    if values.shape[1] == 0:
        return np.zeros((values.shape[0], index.size, *values.shape[2:]))
    gathered = values[:, np.maximum(index, 0)]
    return np.where((index >= 0)[None, :, None], gathered, 0.0)


def _project_rd(trust_now: Array, ctx: Context, k: int) -> Array:
    """R&D that running joint projects add to each party, (R, A, S) (C07, C16, C18).

    Each party adds the project budget, scaled by the lowest mutual trust among the
    parties and by their average friction.
    """
    sch, w = ctx.schedule, ctx.world
    runs = trust_now.shape[0]
    active = sch.project_active[k] > 0
    if not active.any():
        return np.zeros((runs, w.n_actors, w.n_sectors))
    members = sch.project_members[active].astype(bool)  # (P, A)
    pair = members[:, :, None] & members[:, None, :] & ~np.eye(w.n_actors, dtype=bool)  # (P, A, A)
    mutual = np.minimum(trust_now, trust_now.transpose(0, 2, 1))
    gate = np.where(pair[None], mutual[:, None], 1.0).min(axis=(2, 3))  # (R, P)
    friction = (pair * w.friction).sum(axis=(1, 2)) / pair.sum(axis=(1, 2))  # (P,)
    effort = gate * (sch.project_budget[active] * sch.project_active[k][active] * (1.0 - friction))  # (R, P)
    return np.einsum("rp,pa,ps->ras", effort, members.astype(float), sch.project_sector[active])


def _espionage(obs: Observation, ctx: Context, k: int) -> tuple[Array, Array, Array]:
    """Espionage on hostile pairs (C24): events and detections (R, A, A) spy → victim, and the gain (R, A, S).

    Draws are made on all (A, A) pairs so that adding a pair in one scenario does not shift
    another pair's random numbers (common random numbers).
    """
    w, p2, p3, hostile = ctx.world, ctx.params.p2, ctx.params.p3, ctx.pairs.hostile
    runs, n_a, _ = obs.capability.shape
    spy, victim = hostile.first, hostile.second
    hostility = np.where(ctx.pairs.hostile_rival, 1.0, p2.partner_hostility)
    if ctx.cyber is None:
        defence = np.zeros((runs, hostile.size))
    else:
        defence = p2.cyber_defence * obs.relative[:, victim, ctx.cyber]
    probability = espionage.event_probability(p2.espionage_rate, hostility, defence, ctx.dt)
    happened = ctx.streams.uniform("espionage_event", k, (n_a, n_a))[:, spy, victim] < probability
    sector_draw = ctx.streams.uniform("espionage_sector", k, (n_a, n_a))[:, spy, victim]
    gap, effective = espionage.stolen_gain(
        happened, sector_draw, obs.kernel_hostile, w.weight, hostile.to_first, blocks.USE_KERNELS
    )
    detected = effective & (
        ctx.streams.uniform("espionage_detection", k, (n_a, n_a))[:, spy, victim] < p2.espionage_detection
    )
    return (
        hostile.scatter(effective, n_a, False),
        hostile.scatter(detected, n_a, False),
        p3.espionage_potency * obs.absorptive * gap,
    )

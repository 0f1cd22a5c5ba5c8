"""Policy responses: denial, escalation, substitution, budgets, evasion, enforcement.

Claims: C03/C06 (indigenous substitution and budgets), C08 (gestation limits catch-up),
C27 (controls and their escalation, with a cost to the controller), C28 (evasion
through conduits and enforcement against it), C04/C05 (allies align, supply denial).
"""

from __future__ import annotations

import numpy as np

from sim.pairs import sum_to_actors

Array = np.ndarray


def denial(
    import_share: Array, source_share: Array, controls: Array, leak: Array, to_target: Array
) -> tuple[Array, Array, Array]:
    """Exposure to denial on control pairs, summed per target.

    Args:
        import_share: (P, S) the target's import and knowledge shares from the controller.
        source_share: (P, S) the target's import and knowledge shares from the controller.
        controls: (R, P, S).
        leak: (R, P, S).
        to_target: (P, A).

    Returns:
        deny (R, A, S) in [0, 1] (half inputs net of leakage, half knowledge), the share of
        imports closed by controls (R, A, S) and the share reopened by leakage (R, A, S).
    """
    closed_pairs = controls * import_share
    closed = sum_to_actors(closed_pairs, to_target)
    reopened = sum_to_actors(closed_pairs * leak, to_target)
    knowledge = sum_to_actors(controls * source_share, to_target)
    return 0.5 * (closed - reopened + knowledge), closed, reopened


def threat(
    rival_capability_ratio: Array,
    previous_ratio: Array,
    dt: float,
    weight: Array,
    threshold: Array,
    speed_weight: Array,
) -> Array:
    """Richardson 'fear': level above a threshold plus speed of gap closure, (R, P, S).

    Controls protect a lead: where the rival already leads (ratio ≥ 1) there is nothing
    to deny and the threat is zero.

    Args:
        rival_capability_ratio: K_target / best K of the controller's bloc, (R, P, S).
        dt: step length in years.
        threshold: θ_thr, (R, 1, 1) ratio above which a rival's level is a threat.
        speed_weight: ς, (R, 1, 1) weight of the speed of gap closure.
        previous_ratio: the same one step earlier.
        weight: ω_s, (S,).
    """
    level = np.maximum(0.0, rival_capability_ratio - threshold)
    speed = np.maximum(0.0, (rival_capability_ratio - previous_ratio) / dt)
    return np.where(rival_capability_ratio < 1.0, weight * (level + speed_weight * speed), 0.0)


def escalation_change(
    threat_level: Array,
    counter_controls: Array,
    cost: Array,
    grievance: Array,
    reaction: Array,
    counter: Array,
    restraint: Array,
    hawkishness: Array,
) -> Array:
    """Rate of change of endogenous controls, Richardson form, (R, P, S) per year.

    ``hawk_a·(k·threat + k'·counter − m·X + g)``: reaction to the rival's gains and to its
    controls on us, restraint in proportion to the controls in force (the cost to one's own
    suppliers, Richardson's 'fatigue'), and a grievance term. ``cost`` is the control level X.
    """
    return hawkishness[None, :, None] * (
        reaction * threat_level + counter * counter_controls - restraint * cost + grievance
    )


def richardson_spiral(reaction: Array, counter: Array, restraint: Array) -> Array:
    """Whether a pair of equal controllers is in the runaway regime: k·k' > m·m, (R,) bool."""
    return reaction * counter > restraint * restraint


def rd_shares(base: Array, weight: Array, deny: Array, response: Array, programme: Array, boost: Array) -> Array:
    """R&D allocation after substitution and programmes, (R, A, S), rows sum to 1.

    Args:
        base: (A, S) allocation of 2015.
        weight: ω_s, (S,); denied strategic sectors attract more substitution.
        deny: (R, A, S) denial exposure.
        programme: (A, S) investment-programme level at this step.
        response: κ_sub, (R, 1, 1) tilt toward denied sectors.
        boost: κ_prog, (R, 1, 1) tilt toward programme sectors.
    """
    tilt = base * (1.0 + response * (weight / weight.mean()) * deny) * (1.0 + boost * programme)
    return tilt / tilt.sum(axis=-1, keepdims=True)


def budget_level(sanctions: Array, drag: Array, deny: Array, weight: Array, response: Array) -> Array:
    """Multiplier on each R&D budget's trend path, (R, A), bounded in [1 − δ, 1 + κ_B].

    Sanctions lower the level of the budget (lost revenue, C06) and denial raises it
    ('big fund' responses, C03); both are levels, so neither compounds year after year.

    Args:
        sanctions: (A,) sanction level on each actor
        drag: δ_sanc, (R, 1, 1).
        deny: (R, A, S) denial exposure
        weight: ω_s, (S,)
        response: κ_B, (R, 1, 1).
    """
    weighted_denial = (deny * weight).sum(axis=-1) / weight.sum()
    return (1.0 - drag[:, :, 0] * sanctions) * (1.0 + response[:, :, 0] * np.minimum(weighted_denial, 1.0))


def domestic_target(domestic0: Array, deny: Array, response: Array, absorptive: Array) -> Array:
    """Share of inputs an actor aims to source at home once denied, (R, A, S)."""
    return domestic0 + (1.0 - domestic0) * np.minimum(1.0, response * deny) * np.minimum(absorptive, 1.0)


def evasion_change(
    evasion: Array,
    closed_imports: Array,
    conduit_access: Array,
    build: Array,
    ceiling: Array,
    enforcement: Array,
    bite: Array,
) -> Array:
    """Rate of change of evasion capacity V, (R, A, S) per year (the 'chess game', C28).

    Args:
        closed_imports: (R, A, S) share of imports closed by controls.
        conduit_access: (R, A, 1) reach of conduit actors (third countries).
        enforcement: (R, A, 1) average enforcement aimed at the actor.
        evasion: V, (R, A, S) evasion capacity now.
        build: κ_V, (R, 1, 1) speed of building capacity.
        ceiling: V_max, (R, 1, 1) largest capacity.
        bite: e_V, (R, 1, 1) rate at which enforcement dismantles it.
    """
    grow = build * closed_imports * conduit_access * (1.0 - evasion / np.maximum(ceiling, 1e-9))
    return grow - bite * enforcement * evasion


def enforcement_change(enforcement: Array, leak_flow: Array, response: Array, decay: Array) -> Array:
    """Rate of change of each controller's enforcement against leakage to its target, (R, P)."""
    return response * leak_flow - decay * enforcement

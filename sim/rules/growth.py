"""Capability growth: own innovation, catch-up, deliberate transfer, spillovers.

Claims: C03 (indigenous technology, joint R&D), C06 (budgets and allocation), C08
(laggards catch up with limits), C09-C11 (AI draws on data; Russia's research
productivity), C17 (space), C19/C33/C34 (upstream spillovers), C25 (access to the
frontier), C07/C11/C21 (transfer between partners), C26 (friction), C27 (controllers
lose learning markets).
"""

from __future__ import annotations

import numpy as np

from sim.pairs import sum_to_actors
from sim.rules.common import power

Array = np.ndarray


def absorptive_capacity(human_capital: Array, stock: Array, half: Array) -> Array:
    """Cohen-Levinthal absorptive capacity h·Z/(Z + Z_half), (R, A, S) in [0, h)."""
    return human_capital[None, :, None] * stock / (stock + half)


def own_innovation(
    rate: Array,
    productivity: Array,
    effective_rd: Array,
    reference_rd: Array,
    elasticity: Array,
    frontier: Array,
    returns: Array,
    data_factor: Array,
    relative: Array,
    proximity: Array,
) -> Array:
    """Jones / Bloom et al. idea production: θ_s·p·(R/R0)^λ·F^(φ-1)·data·rel^ξ, (R, A, S) per year.

    The last factor (Acemoglu-Aghion-Zilibotti 2006) makes frontier innovation harder for
    actors far behind it, who grow mostly by catching up.

    Args:
        rate: θ_s times the run's innovation scale, (R, 1, S).
        productivity: (A, S) research productivity (Russia's mathematics, C10).
        effective_rd: (R, A, S) own plus pooled R&D.
        reference_rd: (S,) frontier R&D of 2015 (normalises R).
        elasticity: λ, (R, 1, 1).
        frontier: F, (R, 1, S) best capability in the world.
        returns: φ_s, (S,).
        data_factor: (R, A, S) (D/D̄)^(ζ·dat_s).
        relative: (R, A, S) K / frontier
        proximity: ξ, (R, 1, 1).
    """
    return (
        rate
        * productivity
        * power(effective_rd / reference_rd, elasticity)
        * power(frontier, returns - 1.0)
        * data_factor
        * power(relative, proximity)
    )


def data_factor(data: Array, elasticity: Array, intensity: Array) -> Array:
    """(D_a / mean D)^(ζ·dat_s), (R, A, S): China's data advantage in AI (C10, C11)."""
    relative = data / data.mean(axis=1, keepdims=True)
    return power(relative[:, :, None], elasticity * intensity)


# Absorptive capacity and channel weight at which c_s is the speed of convergence: half
# saturation (AC = 0.5) and the default potency of foreign knowledge (0.67, Eaton-Kortum).
CATCH_UP_REFERENCE = 0.5 * 0.67


def catch_up(coefficient: Array, absorptive: Array, channel_kernel_sum: Array) -> Array:
    """Diffusion from better sources: c_s·(AC/AC_ref)·Σ_b (O[a,b,s]/w_ref)·Φ(K_a/K_b), (R, A, S).

    c_s is in the units of the convergence regressions it comes from (Griffith, Redding and
    Van Reenen 2004: the share of the gap to the frontier closed per year), for a receiver
    at the reference absorptive capacity with full channels; the other factors scale it.

    Args:
        coefficient: c_s times the run's catch-up scale, (R, 1, S).
        absorptive: AC, (R, A, S).
        channel_kernel_sum: Σ_b O[a,b,s]·Φ(K_a/K_b), (R, A, S) (``Observation.catch_up_sum``).
    """
    return coefficient / CATCH_UP_REFERENCE * absorptive * channel_kernel_sum


def transfer(
    rate: Array,
    cooperation: Array,
    giver_trust: Array,
    giver_open: Array,
    friction: Array,
    kernel: Array,
    to_receiver: Array,
) -> Array:
    """Deliberate transfer from partners: τ·Σ_b C·T_ba·(1-X_ba)·(1-f)·Φ, (R, A, S).

    All pair arrays are on the cooperation pair list (receiver first, giver second).

    Args:
        cooperation: C, (R, P, S).
        rate: τ, (R, 1, 1) transfer rate per year.
        giver_trust: (R, P) the giver's trust in the receiver (willingness to give).
        giver_open: (R, P, S) 1 - the giver's controls on the receiver.
        friction: (P,) bureaucratic friction (C26).
        kernel: (R, P, S) Φ(K_receiver / K_giver).
        to_receiver: (P, A) one-hot map to the receiver.
    """
    weight = cooperation * (giver_trust * (1.0 - friction))[..., None] * giver_open * kernel
    return rate * sum_to_actors(weight, to_receiver)


def pooled_rd(
    own_rd: Array, cooperation: Array, partner_rd: Array, friction: Array, efficiency: Array, to_receiver: Array
) -> Array:
    """Own R&D plus the share of partners' R&D that joint work adds: (R, A, S) (C03, C07).

    Args:
        own_rd: (R, A, S)
        cooperation: (R, P, S) on the cooperation pair list;
        partner_rd: (R, P, S) on the cooperation pair list;
        friction: (P,)
        efficiency: η, (R, 1, 1) share of partners' R&D that joint work adds.
        to_receiver: (P, A).
    """
    partner = sum_to_actors(cooperation * (1.0 - friction)[None, :, None] * partner_rd, to_receiver)
    return own_rd + efficiency * partner


def market_access(export_share: Array, controls: Array, to_controller: Array) -> Array:
    """Share of each actor's market still open to it, (R, A, S) in (0, 1].

    A controller loses the markets it closes (Crosignani et al. 2024).

    Args:
        export_share: (P, S) share of the controller's market in s that lies in the target.
        controls: X, (R, P, S) on the control pair list
        to_controller: (P, A).
    """
    return 1.0 - np.minimum(sum_to_actors(controls * export_share, to_controller), 0.99)


def learning_change(learning: Array, exponent: Array, experience: Array, new_experience: Array, dt: float) -> Array:
    """Wright's-law growth from a change in (relative) experience, (R, A, S) per year.

    ``b·Δ ln Q / Δt`` in learning sectors: losing a market lowers capability by b·ln(1 - x)
    as experience adjusts, a level effect that reverses when the market reopens.
    """
    return learning * exponent * (np.log(new_experience) - np.log(experience)) / dt

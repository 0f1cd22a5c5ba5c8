"""Espionage events between hostile actors (C24), defended by cyber capability (C20, C21).

A pair (spy a, victim b) has an event in a step with probability 1 - exp(-rate·dt).
The event targets one sector, drawn in proportion to ω_s·Φ (where the victim is
ahead), and adds χ·AC·Φ to the spy's log capability there. Detection is a separate draw.
"""

from __future__ import annotations

import numpy as np

from sim import kernels
from sim.pairs import sum_to_actors

Array = np.ndarray


def event_probability(rate: Array, hostility: Array, victim_defence: Array, dt: float) -> Array:
    """(R, P) probability that the spy succeeds against the victim during the step.

    Args:
        rate: ε, (R, 1)
        hostility: (R, P) 1 for rivals, h_p for partners.
        victim_defence: (R, P) share of attempts the victim's cyber capability stops.
        dt: step length in years.
    """
    return 1.0 - np.exp(-rate * hostility * (1.0 - victim_defence) * dt)


def stolen_gain(
    happened: Array, sector_draw: Array, kernel: Array, weight: Array, to_spy: Array, fused: bool = False
) -> tuple[Array, Array]:
    """Gap closed by spies per sector (before potency and absorptive capacity), and events.

    Args:
        happened: (R, P) bool, an event occurred (P: hostile pairs, spy first).
        sector_draw: (R, P) uniform in (0, 1) choosing the sector.
        kernel: (R, P, S) Φ(K_spy/K_victim), zero where the spy is ahead.
        weight: ω_s, (S,)
        to_spy: (P, A).
        fused: by the compiled kernel ``sim.kernels.espionage_pick`` (the same bits).

    Returns:
        gap (R, A, S), Σ over the spy's events of Φ in the chosen sector, and effective
        events (R, P) bool (an event with something to steal).
    """
    if fused:
        picked, effective = kernels.espionage_pick(happened, sector_draw, kernel, weight)
        return sum_to_actors(picked, to_spy), effective
    appeal = kernel * weight
    cumulative = np.cumsum(appeal, axis=-1)
    total = cumulative[..., -1]
    chosen = np.argmax(cumulative >= (sector_draw * total)[..., None], axis=-1)
    effective = happened & (total > 0)
    pick = (np.arange(kernel.shape[-1]) == chosen[..., None]) & effective[..., None]
    return sum_to_actors(pick * kernel, to_spy), effective

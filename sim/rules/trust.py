"""Trust (Beta reputation) and cooperation (reciprocity gated by trust).

Claims: C01 (cooperation widening by sector), C07/C11/C16/C18/C21 (joint work),
C24 (mistrust and espionage undermine cooperation), C26 (friction), C31 (more
Western pressure, deeper cooperation).
"""

from __future__ import annotations

import numpy as np

from sim.rules.common import logistic, power

Array = np.ndarray


def trust_level(positive: Array, negative: Array) -> Array:
    """Expected trustworthiness (r + 1)/(r + s + 2) of Jøsang-Ismail, (R, A, A)."""
    return (positive + 1.0) / (positive + negative + 2.0)


def initial_evidence(trust0: Array, memory: Array) -> tuple[Array, Array]:
    """Evidence counts that reproduce an initial trust with the steady-state evidence mass.

    Args:
        trust0: (A, A) initial trust
        memory: γ_T, (R, 1, 1).

    Returns:
        positive and negative counts, each (R, A, A).
    """
    mass = 1.0 / (1.0 - memory)
    target = np.clip(trust0, 0.01, 0.99)
    # Solve (r + 1)/(mass + 2) = T with r + s = mass.
    positive = np.clip(target * (mass + 2.0) - 1.0, 0.0, mass)
    return positive, mass - positive


def update_evidence(
    positive: Array, negative: Array, good: Array, bad: Array, memory: Array, negative_weight: Array, dt: float
) -> tuple[Array, Array]:
    """Forget old evidence and add new: good per year of honoured cooperation, bad per event."""
    keep = power(memory, dt)
    return keep * positive + dt * good, keep * negative + negative_weight * bad


def cooperation_target(
    allowed: Array, mutual_trust: Array, pressure: Array, slope: Array, threshold: Array, pressure_response: Array
) -> Array:
    """Cooperation each pair seeks, (R, P, S) in [0, allowed].

    Args:
        allowed: (R or 1, P, S) ceiling from agreements and projects on the cooperation pairs.
        mutual_trust: (R, P) the lower of the two trusts.
        pressure: (R, P) shared outside pressure on the pair (C31).
        slope: (R, 1).
        threshold: (R, 1).
        pressure_response: (R, 1).
    """
    drive = slope * (mutual_trust - threshold + pressure_response * pressure)
    return allowed * logistic(drive)[..., None]

"""Channels: how much of a source's knowledge and inputs reach a receiver.

Claims: C05 (dependence is a vulnerability), C25 (limited access to technology),
C27 (controls close channels), C28 (leakage through third countries reopens part of
them at a price and lower quality), C22/C23 (data localisation cuts data flows).
"""

from __future__ import annotations

import numpy as np

from sim.rules.common import power

Array = np.ndarray


def leakage(target_evasion: Array, enforcement: Array, quality: Array, premium: Array) -> Array:
    """Share of a closed channel that evasion reopens, on control pairs, (R, P, S) in [0, 1].

    Args:
        target_evasion: V of each pair's target, (R, P, S).
        enforcement: (R, P) the controller's enforcement against leakage to the target.
        quality: (R, 1, 1) per-run parameters q_leak and π_ev.
        premium: (R, 1, 1) per-run parameters q_leak and π_ev.
    """
    return target_evasion * quality * (1.0 - enforcement[..., None]) / (1.0 + premium)


def openness(controls: Array, leak: Array) -> Array:
    """Open share of a channel: 1 - X + X·leak (any shape, elementwise)."""
    return 1.0 - controls * (1.0 - leak)


def catch_up_kernel(ratio: Array, shape: Array, logistic: bool = False) -> Array:
    """Benhabib-Spiegel kernel Φ_ν(x) = (1 - x^ν)/ν for x < 1, else 0.

    Args:
        ratio: K_receiver / K_source, any shape.
        shape: ν, broadcastable; ν = 1 is logistic, ν = -1 exponential, ν → 0 is -ln x.
        logistic: every ν is 1; the same numbers by a cheaper route (pow(x, 1) = x exactly).
    """
    if logistic:
        # In place: this array is the largest temporary of a step.
        out = np.subtract(1.0, ratio)
        return np.maximum(out, 0.0, out=out)
    x = np.minimum(ratio, 1.0)
    nu = np.broadcast_to(shape, np.broadcast_shapes(np.shape(shape), x.shape))
    small = np.abs(nu) < 1e-6
    safe_nu = np.where(small, 1.0, nu)
    return np.where(small, -np.log(x), (1.0 - power(x, safe_nu)) / safe_nu)


def data_flow_factor(localisation: Array, data_intensity: Array, flow_cut: Array) -> Array:
    """Cross-border flow kept in data-intensive sectors under localisation (C22, C23).

    Args:
        localisation: (A,) localisation level of each actor at this step, or (R, A) one per run.
        data_intensity: (S,) how much each sector depends on data flows.
        flow_cut: (R, 1, 1, 1) κ_flow.

    Returns:
        (R, A, A, S) factor in [0, 1]; the stricter of the two actors' rules applies.
    """
    return 1.0 - flow_cut * stricter_rules(localisation)[:, :, :, None] * data_intensity


def stricter_rules(localisation: Array) -> Array:
    """(1 or R, A, A): the stricter localisation of each pair of actors, from (A,) or (R, A) levels."""
    level = localisation.reshape(-1, localisation.shape[-1])
    return np.maximum(level[:, :, None], level[:, None, :])

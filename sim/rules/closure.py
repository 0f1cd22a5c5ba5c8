"""Closure of flows under controls, with hysteresis (C02, C27).

A control level is the share of a sector's flows from controller to target that it
covers. The share actually closed follows it: it closes quickly when a control rises
and reopens slowly once the control is lifted (GSDB: effects fade about 8 years after
lifting). Rivals also lose part of their uncovered flows (Crosignani et al. 2024:
suppliers drop untargeted customers in the targeted country).
"""

from __future__ import annotations

import numpy as np

Array = np.ndarray


def closure_target(controls: Array, rival: Array, spillover: Array) -> Array:
    """Share of flows that controls close, (R, P, S) in [0, 1].

    ``X + (1 − X)·κ_spill·mean_s X`` on rival pairs: the covered share, plus a part of the
    uncovered flows in proportion to the pair's average coverage.

    Args:
        controls: X, (R, P, S) on the control pair list (controller, target).
        rival: (P,) the pair are rivals
        spillover: κ_spill, (R, 1, 1).
    """
    average = controls.mean(axis=-1, keepdims=True)
    untargeted = np.minimum(1.0, spillover * average) * rival[None, :, None]
    return controls + (1.0 - controls) * untargeted


def update_closure(closure: Array, target: Array, closing: Array, reopening: Array, dt: float) -> Array:
    """Closed share after one step, (R, P, S), integrated exactly for a constant target.

    Relaxes toward ``target`` at rate ``closing`` when it lies above, ``reopening`` below.

    Args:
        closure: (R, P, S)
        target: (R, P, S)
        closing: (R, 1, 1) rates per year.
        reopening: (R, 1, 1) rates per year.
        dt: step length in years.
    """
    # Two rates per run, so two exponentials per run, chosen per element (the same bits as
    # the exponential of each element's rate).
    keep = np.where(target > closure, np.exp(-closing * dt), np.exp(-reopening * dt))
    return target + (closure - target) * keep

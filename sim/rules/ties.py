"""Tie strength (hysteresis of knowledge and supply ties), C02, C27.

Ties collapse quickly under controls, untargeted ties between rivals erode too
(Crosignani et al.), and they recover slowly once controls are lifted (GSDB: ~8 years).
"""

from __future__ import annotations

import numpy as np

Array = np.ndarray


def update_ties(ties: Array, controls_on: Array, rival: Array, decay: Array, spillover: Array,
                recovery: Array, dt: float) -> Array:
    """New tie strength H in [0, 1], (R, P, S), integrated exactly over the step.

    Args:
        ties: H, (R, P, S) on a list of (source, receiver) pairs.
        controls_on: (R, P, S) controls of the source on the receiver.
        rival: (P,) the pair are rivals (untargeted ties erode too).
    """
    average = controls_on.mean(axis=-1, keepdims=True)
    rate = decay * controls_on + spillover * rival[None, :, None] * average
    decayed = ties * np.exp(-rate * dt)
    return 1.0 - (1.0 - decayed) * np.exp(-recovery * (1.0 - controls_on) * dt)

"""Small numerical helpers shared by the rules."""

from __future__ import annotations

import numpy as np

Array = np.ndarray


def relax(value: Array, target: Array, rate: Array | float, dt: float) -> Array:
    """Move ``value`` toward ``target`` with time constant 1/rate, exactly for constant target.

    Exponential rather than Euler so that large ``rate * dt`` never overshoots.
    """
    return target + (value - target) * np.exp(-rate * dt)


def logistic(x: Array) -> Array:
    """The logistic function, safe for large |x|."""
    return 0.5 * (1.0 + np.tanh(0.5 * x))


def power(base: Array, exponent: Array | float) -> Array:
    """``base ** exponent`` for positive bases, as exp(exponent·ln base).

    numpy's ``power`` may run a vector kernel on the body of a contiguous array and the C
    library on its tail, so one element's bits can depend on the array's length, that is
    on the batch size. exp and log give the same bits wherever an element sits.
    """
    return np.exp(exponent * np.log(base))

"""Scores of quantile forecasts, as forecast hubs compute them.

All forecasts here are of log values: observations span units from counts to billions of
dollars, and on the log scale an error of a factor costs the same for every series
(Bosse et al. 2023, "Scoring epidemiological forecasts on transformed scales"). Shapes:
``quantiles`` is (rows, 23) at ``LEVELS``; ``observed`` is (rows,).

The weighted interval score (Bracher et al. 2021) of a median m and K central intervals
[l_k, u_k] at levels 1 - α_k is

    WIS = (½·|y − m| + Σ_k (α_k/2)·IS_αk) / (K + ½),
    IS_α = (u − l) + (2/α)(l − y)·[y < l] + (2/α)(y − u)·[y > u].
"""

from __future__ import annotations

import numpy as np
from scipy.special import ndtr

# The 23 quantile levels of the COVID-19 Forecast Hub and FluSight: a median and 11 central intervals.
LEVELS = np.array(
    [0.01, 0.025, *np.round(np.arange(0.05, 0.951, 0.05), 2), 0.975, 0.99],
)
ALPHAS = np.round(2 * LEVELS[LEVELS < 0.5], 3)  # 0.02, 0.05, 0.1, ..., 0.9: K = 11 intervals
MEDIAN = int(np.flatnonzero(np.isclose(LEVELS, 0.5))[0])


def level_index(level: float) -> int:
    """Column of ``quantiles`` that holds the quantile at ``level``."""
    matches = np.flatnonzero(np.isclose(LEVELS, level))
    if not matches.size:
        raise ValueError(f"{level} is not one of the 23 quantile levels")
    return int(matches[0])


def interval_score(lower: np.ndarray, upper: np.ndarray, observed: np.ndarray, alpha: float) -> np.ndarray:
    """Interval score of central (1 − alpha) intervals, elementwise: (rows,)."""
    below = np.maximum(lower - observed, 0.0)
    above = np.maximum(observed - upper, 0.0)
    return (upper - lower) + (2.0 / alpha) * below + (2.0 / alpha) * above


def weighted_interval_score(quantiles: np.ndarray, observed: np.ndarray) -> np.ndarray:
    """WIS of each row from its 23 quantiles: (rows,). Lower is better; 0 is a perfect point forecast."""
    quantiles = np.asarray(quantiles, dtype=float)
    observed = np.asarray(observed, dtype=float)
    total = 0.5 * np.abs(observed - quantiles[:, MEDIAN])
    for alpha in ALPHAS:
        lower = quantiles[:, level_index(alpha / 2)]
        upper = quantiles[:, level_index(1 - alpha / 2)]
        total = total + (alpha / 2) * interval_score(lower, upper, observed, alpha)
    return total / (len(ALPHAS) + 0.5)


def covered(quantiles: np.ndarray, observed: np.ndarray, central: float) -> np.ndarray:
    """Whether each observation lies inside the central interval of the given coverage: (rows,) bool."""
    lower = quantiles[:, level_index((1 - central) / 2)]
    upper = quantiles[:, level_index((1 + central) / 2)]
    return (observed >= lower) & (observed <= upper)


def mixture_cdf(x: np.ndarray, centres: np.ndarray, spread: np.ndarray) -> np.ndarray:
    """CDF at x of an equal-weight mixture of normals.

    Args:
        x: (rows, n) points.
        centres: (rows, runs) component means (one per run of the ensemble).
        spread: (rows,) component standard deviation (the discrepancy of the row).

    Returns:
        (rows, n) probabilities.
    """
    z = (x[:, :, None] - centres[:, None, :]) / spread[:, None, None]
    return ndtr(z).mean(axis=2)


def mixture_quantiles(centres: np.ndarray, spread: np.ndarray, levels: np.ndarray = LEVELS) -> np.ndarray:
    """Quantiles of each row's mixture of normals, by bisection: (rows, len(levels)).

    ``spread`` is floored at 1e-9 so that an ensemble without discrepancy gives the
    quantiles of its empirical distribution.
    """
    centres = np.asarray(centres, dtype=float)
    spread = np.maximum(np.asarray(spread, dtype=float), 1e-9)
    rows = centres.shape[0]
    low = np.repeat((centres.min(axis=1) - 9 * spread)[:, None], len(levels), axis=1)
    high = np.repeat((centres.max(axis=1) + 9 * spread)[:, None], len(levels), axis=1)
    target = np.broadcast_to(levels, (rows, len(levels)))
    for _ in range(60):  # the bracket halves each time: 2^-60 of its width is below float precision
        middle = 0.5 * (low + high)
        below = mixture_cdf(middle, centres, spread) < target
        low = np.where(below, middle, low)
        high = np.where(below, high, middle)
    return 0.5 * (low + high)


def mixture_pit(observed: np.ndarray, centres: np.ndarray, spread: np.ndarray) -> np.ndarray:
    """Probability integral transform of each observation under its mixture: (rows,) in [0, 1]."""
    spread = np.maximum(np.asarray(spread, dtype=float), 1e-9)
    return mixture_cdf(np.asarray(observed, dtype=float)[:, None], centres, spread)[:, 0]


def normal_quantiles(mean: np.ndarray, sd: np.ndarray, levels: np.ndarray = LEVELS) -> np.ndarray:
    """Quantiles of normal forecasts (the naive baselines): (rows, len(levels))."""
    from scipy.special import ndtri

    return np.asarray(mean, dtype=float)[:, None] + np.asarray(sd, dtype=float)[:, None] * ndtri(levels)[None, :]


def normal_pit(observed: np.ndarray, mean: np.ndarray, sd: np.ndarray) -> np.ndarray:
    """PIT of observations under normal forecasts: (rows,)."""
    return ndtr((np.asarray(observed, dtype=float) - mean) / np.asarray(sd, dtype=float))

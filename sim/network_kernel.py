"""Compiled solver of the production network's prices (``sim.economy``), one small system at a time.

Every (run, time, actor) has its own N-good system ln p = F(ln p). Newton's method on it takes
three to five steps from the Cobb-Douglas start; numpy would have to build every Jacobian at
once, (R, T, A, N, N), which costs more than the solve. Here each system is solved in place
with an N × N Gaussian elimination. ``sim.economy.log_prices_by_iteration`` is the plain
numpy fixed point the tests compare against.
"""

from __future__ import annotations

import math

import numba
import numpy as np

_LOG_PRICE_LIMIT = 700.0  # e^700 is near the largest float
_SHARED_SHIFT_FLOOR = 1e-3  # below this, a row's sum has lost three digits to cancellation
_QUADRATIC_STOP = 1e-4  # a Newton step below this leaves an error of order 1e-8 (results are float32)


@numba.njit(cache=True, error_model="numpy")
def _solve_in_place(matrix: np.ndarray, vector: np.ndarray) -> None:
    """Solve matrix · x = vector by Gaussian elimination with partial pivoting; x overwrites vector."""
    n = vector.shape[0]
    for col in range(n):
        pivot = col
        for row in range(col + 1, n):
            if abs(matrix[row, col]) > abs(matrix[pivot, col]):
                pivot = row
        if pivot != col:
            for k in range(n):
                matrix[col, k], matrix[pivot, k] = matrix[pivot, k], matrix[col, k]
            vector[col], vector[pivot] = vector[pivot], vector[col]
        for row in range(col + 1, n):
            factor = matrix[row, col] / matrix[col, col]
            if factor != 0.0:
                for k in range(col, n):
                    matrix[row, k] -= factor * matrix[col, k]
                vector[row] -= factor * vector[col]
    for row in range(n - 1, -1, -1):
        total = vector[row]
        for k in range(row + 1, n):
            total -= matrix[row, k] * vector[k]
        vector[row] = total / matrix[row, row]


@numba.njit(cache=True, error_model="numpy")
def _log_ces(weights: np.ndarray, log_price: np.ndarray, exponent: float, shares: np.ndarray) -> float:
    """(1/a)·ln Σ_k w_k·e^(a·x_k) for weights summing to 1, a = ``exponent``; ``shares`` gets each k's share.

    Shifted by the largest term, and in expm1/log1p, so it keeps its digits both far from the
    base (large |a·x|) and near Cobb-Douglas (a → 0, where it tends to Σ w·x).
    """
    top = -np.inf
    for k in range(weights.shape[0]):
        if weights[k] > 0.0 and exponent * log_price[k] > top:
            top = exponent * log_price[k]
    total = 0.0
    for k in range(weights.shape[0]):
        if weights[k] > 0.0:
            shares[k] = math.expm1(exponent * log_price[k] - top)
            total += weights[k] * shares[k]
        else:
            shares[k] = -1.0
    for k in range(weights.shape[0]):
        shares[k] = weights[k] * (1.0 + shares[k]) / (1.0 + total)
    return (top + math.log1p(total)) / exponent


@numba.njit(cache=True, error_model="numpy")
def solve_network(
    log_price: np.ndarray,
    log_productivity: np.ndarray,
    wedge: np.ndarray,
    rest_extra: np.ndarray,
    tech_inputs: np.ndarray,
    rest_shares: np.ndarray,
    alpha: np.ndarray,
    inner: np.ndarray,
    outer: np.ndarray,
    tolerance: float,
    newton_steps: int,
    iterations: int,
) -> int:
    """Newton on every system, from ``log_price`` (R, T, A, N: the start, overwritten with the solution).

    A later time starts from the time before's solution (prices move little in a year).

    log_productivity, wedge, rest_extra: (R, T, A, N); tech_inputs: (S, N); rest_shares: (R, A, N);
    alpha: (R, N); inner, outer: (R,) 1 − θ_M and 1 − ε. Returns how many systems did not converge
    (Newton, then plain iteration from the start, both failed); their prices are set to NaN.
    """
    runs, times, actors, n = log_price.shape
    sectors = n - 1
    failed = 0
    start = np.empty(n)
    paid_tech = np.empty(n)
    paid_rest = np.empty(n)
    within = np.empty((n, n))
    terms = np.empty(n)
    following = np.empty(n)
    intermediate = np.empty(n)
    jacobian = np.empty((n, n))
    step = np.empty(n)
    for r in range(runs):
        a_in, a_out = inner[r], outer[r]
        for t in range(times):
            for a in range(actors):
                p = log_price[r, t, a]
                if t > 0 and np.isfinite(log_price[r, t - 1, a, 0]):
                    p[:] = log_price[r, t - 1, a]  # last year's prices: Newton from close by
                start[:] = p
                change = np.inf
                for attempt in range(newton_steps + iterations):
                    if attempt == newton_steps and not change < tolerance:
                        # Newton has not converged (far corners, near-Leontief): iterate F from the start.
                        p[:] = start
                    for k in range(n):
                        paid_tech[k] = p[k] + wedge[r, t, a, k]
                        paid_rest[k] = paid_tech[k] + rest_extra[r, t, a, k]
                    # What a technology sector pays for good k does not depend on which sector buys,
                    # so its exponential is taken once, shifted by the largest; a row far below that
                    # largest term would lose digits and takes its own shift instead (_log_ces).
                    top = -np.inf
                    for k in range(n):
                        top = max(top, a_in * paid_tech[k])
                    for k in range(n):
                        terms[k] = math.expm1(a_in * paid_tech[k] - top)
                    for j in range(n):
                        if j < sectors:
                            total = 0.0
                            for k in range(n):
                                total += tech_inputs[j, k] * terms[k]
                            if 1.0 + total > _SHARED_SHIFT_FLOOR:
                                bundle = (top + math.log1p(total)) / a_in
                                for k in range(n):
                                    within[j, k] = tech_inputs[j, k] * (1.0 + terms[k]) / (1.0 + total)
                            else:
                                bundle = _log_ces(tech_inputs[j], paid_tech, a_in, within[j])
                        else:
                            bundle = _log_ces(rest_shares[r, a], paid_rest, a_in, within[j])
                        # Value added (price 1, log 0) and the bundle, CES at 1 − ε: (1/b)·ln(α + (1 − α)·e^y),
                        # y = b·ln M̂, shifted by the larger of 0 and y.
                        share = 1.0 - alpha[r, j]
                        y = a_out * bundle
                        if y <= 0.0:
                            grown = math.expm1(y)
                            level = math.log1p(share * grown)
                            intermediate[j] = share * (1.0 + grown) / (1.0 + share * grown)
                        else:
                            shrunk = math.expm1(-y)
                            level = y + math.log1p(alpha[r, j] * shrunk)
                            intermediate[j] = share / (alpha[r, j] * (1.0 + shrunk) + share)
                        following[j] = -log_productivity[r, t, a, j] + level / a_out
                    if attempt >= newton_steps:  # plain iteration of the contraction
                        change = 0.0
                        for j in range(n):
                            difference = abs(following[j] - p[j])
                            if not difference <= change:  # NaN counts as no convergence
                                change = difference
                            p[j] = following[j]
                    else:
                        residual = 0.0
                        for j in range(n):
                            for k in range(n):
                                jacobian[j, k] = (1.0 if j == k else 0.0) - intermediate[j] * within[j, k]
                            step[j] = following[j] - p[j]
                            if not abs(step[j]) <= residual:  # NaN counts as no convergence
                                residual = abs(step[j])
                        if residual < tolerance:
                            change = residual
                            break
                        _solve_in_place(jacobian, step)
                        change = 0.0
                        for j in range(n):
                            p[j] += step[j]
                            if not abs(step[j]) <= change:  # NaN counts as no convergence
                                change = abs(step[j])
                        # Newton converges quadratically: after a step this small the error is ~ its square.
                        if change < _QUADRATIC_STOP:
                            change = change * change
                    if change < tolerance:
                        break
                for j in range(n):  # a log price past the float range is a price growing without bound
                    if not abs(p[j]) < _LOG_PRICE_LIMIT:
                        change = np.inf
                if not change < tolerance:  # no equilibrium (ODD 7.12): say so with NaN, not a number
                    failed += 1
                    p[:] = np.nan
    return failed

"""Robustness metrics: one number per policy from its outcome over the scenario ensemble.

``values`` are (P, N): P policies, N scenarios. Metrics:

* ``mean``, ``median``;
* ``worst``: the largest value of an outcome to minimise, the smallest of one to maximise;
* ``{percentile: q}``: the q-th percentile over scenarios (for a minimised outcome, a high
  q is the bad tail);
* ``{satisficing: t}``: the share of scenarios meeting the threshold t (at most t when
  minimising, at least t when maximising); always maximised;
* regret (re-evaluation only): per scenario, the distance to the best policy of the set
  in that scenario; its mean and 90th percentile are reported in ``pareto.csv``.
"""

from __future__ import annotations

import numpy as np

from sim.policy.spec import Percentile, Robustness, Satisficing


def robust_value(values: np.ndarray, robustness: Robustness, direction: str) -> np.ndarray:
    """(P,) robust value of each policy."""
    if isinstance(robustness, Percentile):
        return np.percentile(values, robustness.percentile, axis=1)
    if isinstance(robustness, Satisficing):
        met = values <= robustness.satisficing if direction == "minimize" else values >= robustness.satisficing
        return met.mean(axis=1)
    if robustness == "mean":
        return values.mean(axis=1)
    if robustness == "median":
        return np.median(values, axis=1)
    if robustness == "worst":
        return values.max(axis=1) if direction == "minimize" else values.min(axis=1)
    raise ValueError(f"unknown robustness metric {robustness!r}")


def search_direction(robustness: Robustness, direction: str) -> str:
    """The direction the robust value is optimised in (a satisficing share is maximised)."""
    return "maximize" if isinstance(robustness, Satisficing) else direction


def regret(values: np.ndarray, direction: str) -> np.ndarray:
    """(P, N) regret: how much worse each policy is than the best of the set in each scenario (>= 0)."""
    best = values.min(axis=0) if direction == "minimize" else values.max(axis=0)
    return values - best if direction == "minimize" else best - values

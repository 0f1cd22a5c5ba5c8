"""Model discrepancy per observation operator, estimated from in-sample residuals.

The model's prediction of an observation is off for reasons no parameter can fix: the
operator maps a measured series onto a model quantity that is only related to it (launch
counts for space capability, revenue for telecom capability). Once a fitted scale has
taken the level out, what is left is mostly a difference of growth rates, so the error
is a level term plus a drift that grows with the lead:

    log y = log ŷ_run + δ,   δ ~ N(0, σ_op² + τ_op² · h²),

where h is the lead in years from the series' last in-sample observation (0 in sample).
(A random walk, σ_op²·(1 + h), was tried first: its 90 % intervals held 75 % of the
rolling-origin observations; docs/ODD.md, section 6.4.) Both terms are estimated on
the calibration window only. σ_op²:

* residuals r = log y − mean over runs of log ŷ, on in-sample rows;
* residual degrees of freedom: the rows, less one per fitted scale (a fitted group with one
  row has none, it fits exactly);
* pooled over operators, s² = Σ r² / Σ dof, and each operator shrunk towards it with the
  weight of ``PRIOR_DOF`` pseudo-rows: σ̂² = (Σ_op r² + ν₀ s²) / (dof_op + ν₀);
* less the ensemble's own mean variance on those rows (the ensemble already carries
  parameter and process uncertainty), floored at zero.

τ_op² is the mean square slope of the residuals over year within each (series, actor)
with two or more in-sample years, shrunk the same way towards the slopes of all series
(with no such series, τ = 0). With no residual degree of freedom at all, s² falls back
to ``FALLBACK_SD``² (an assumption).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

PRIOR_DOF = 2.0  # ν₀: weight of the pooled variance in each operator's estimate (assumption)
FALLBACK_SD = 0.1  # log units, used only when the window has no residual degree of freedom (assumption)


def estimate_discrepancy(
    series: list[str],
    groups: list[object],
    log_observed: np.ndarray,
    log_predicted: np.ndarray,
    in_window: np.ndarray,
    actors: list[str] | None = None,
    years: np.ndarray | None = None,
) -> pd.DataFrame:
    """σ_op of every series from its in-sample residuals.

    Args:
        series: (rows,) operator (series) name of each row.
        groups: (rows,) fitted-scale group of each row, None for a fixed scale.
        log_observed: (rows,) log of the observed values.
        log_predicted: (rows, runs) log predictions, scales applied.
        in_window: (rows,) bool, rows of the calibration window.
        actors: (rows,) actor of each row, for the drift (without actors, τ = 0).
        years: (rows,) year of each row, for the drift.

    Returns:
        One row per series: ``series, sigma, drift, residual_dof, window_rows, residual_rms, slopes``.
    """
    residual = log_observed - log_predicted.mean(axis=1)
    ensemble_variance = log_predicted.var(axis=1)
    names = list(dict.fromkeys(series))
    table = []
    for name in names:
        rows = [i for i, s in enumerate(series) if s == name and in_window[i]]
        fitted = {str(groups[i]) for i in rows if groups[i] is not None}
        dof = max(len(rows) - len(fitted), 0)
        ss = float((residual[rows] ** 2).sum()) if dof else 0.0
        variance = float(ensemble_variance[rows].mean()) if rows else 0.0
        table.append({"series": name, "ss": ss, "residual_dof": dof, "window_rows": len(rows), "ensemble": variance})
    frame = pd.DataFrame(table, columns=["series", "ss", "residual_dof", "window_rows", "ensemble"])
    total_dof = frame["residual_dof"].sum()
    pooled = frame["ss"].sum() / total_dof if total_dof else FALLBACK_SD**2
    shrunk = (frame["ss"] + PRIOR_DOF * pooled) / (frame["residual_dof"] + PRIOR_DOF)
    frame["sigma"] = np.sqrt(np.maximum(shrunk - frame["ensemble"], 0.0))
    frame["residual_rms"] = np.sqrt(frame["ss"] / frame["residual_dof"].where(frame["residual_dof"] > 0))
    slopes = _residual_slopes(series, actors, years, residual, in_window) if actors is not None else {}
    all_slopes = [b for values in slopes.values() for b in values]
    pooled_drift = float(np.mean(np.square(all_slopes))) if all_slopes else 0.0
    counts = frame["series"].map(lambda n: len(slopes.get(n, [])))
    sums = frame["series"].map(lambda n: float(np.sum(np.square(slopes.get(n, [])))))
    frame["drift"] = np.sqrt((sums + PRIOR_DOF * pooled_drift) / (counts + PRIOR_DOF))
    frame["slopes"] = counts
    return frame[["series", "sigma", "drift", "residual_dof", "window_rows", "residual_rms", "slopes"]]


def _residual_slopes(series, actors, years, residual, in_window) -> dict[str, list[float]]:
    """Least-squares slope over year of the in-sample residuals of each (series, actor) with 2+ years."""
    members: dict[tuple[str, str], list[int]] = {}
    for i, (s, a) in enumerate(zip(series, actors, strict=True)):
        if in_window[i]:
            members.setdefault((s, a), []).append(i)
    out: dict[str, list[float]] = {}
    for (name, _), rows in members.items():
        when = np.asarray(years, dtype=float)[rows]
        if np.ptp(when) == 0:
            continue
        slope = float(np.polyfit(when, residual[rows], 1)[0])
        out.setdefault(name, []).append(slope)
    return out


def lead_years(series: list[str], actors: list[str], years: np.ndarray, in_window: np.ndarray, until: float):
    """(rows,) years from each row's last in-sample observation of its (series, actor); 0 in sample.

    A series without in-sample rows counts its lead from ``until``.
    """
    last: dict[tuple[str, str], float] = {}
    for s, a, y, w in zip(series, actors, years, in_window, strict=True):
        if w:
            last[(s, a)] = max(last.get((s, a), -np.inf), float(y))
    return np.array(
        [
            0.0 if w else max(float(y) - last.get((s, a), until), 0.0)
            for s, a, y, w in zip(series, actors, years, in_window, strict=True)
        ]
    )

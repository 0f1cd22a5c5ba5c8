"""Global sensitivity analysis of a sweep with SALib: Sobol and Morris indices.

The sweep must have been designed for the method (``design.kind: sobol`` or ``morris``):
the estimators need SALib's sample structure. Replications are averaged per design point
(they share random numbers, so the mean isolates the parameters' effect). Every point
must have at least one successful run.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim.config.errors import ScenarioError
from sim.sweep.store import Sweep


def _point_means(sweep: Sweep, outcome: str) -> np.ndarray:
    if outcome not in sweep.runs.columns:
        raise ScenarioError(f"unknown outcome '{outcome}'", str(sweep.folder), ("outcome",))
    ok = sweep.runs[sweep.runs["status"] == "ok"]
    means = ok.groupby("point")[outcome].mean().reindex(range(len(sweep.design)))
    if means.isna().any():
        missing = int(means.isna().sum())
        raise ScenarioError(
            f"{missing} design points have no successful run or no value of '{outcome}' "
            "(time to parity is NaN when parity is never reached; use a rel/... outcome)",
            str(sweep.folder),
            ("outcome",),
        )
    return means.to_numpy()


def _problem(sweep: Sweep, kind: str) -> dict:
    design = sweep.manifest["design"]
    if design["kind"] != kind or not design.get("problem"):
        raise ScenarioError(
            f"{kind} indices need a sweep designed with design.kind: {kind} (this one is '{design['kind']}')",
            str(sweep.folder),
        )
    return design["problem"]


def sobol_indices(sweep: Sweep, outcome: str, confidence: float = 0.95, seed: int = 1) -> pd.DataFrame:
    """First-order and total Sobol indices with bootstrap confidence half-widths."""
    from SALib.analyze import sobol

    problem = _problem(sweep, "sobol")
    second = bool(sweep.manifest["sweep"]["design"]["second_order"])
    result = sobol.analyze(
        problem, _point_means(sweep, outcome), calc_second_order=second, conf_level=confidence, seed=seed
    )
    return pd.DataFrame(
        {
            "parameter": problem["names"],
            "S1": result["S1"],
            "S1_conf": result["S1_conf"],
            "ST": result["ST"],
            "ST_conf": result["ST_conf"],
        }
    ).assign(outcome=outcome)


def morris_indices(sweep: Sweep, outcome: str, confidence: float = 0.95, seed: int = 1) -> pd.DataFrame:
    """Morris elementary effects: μ*, its confidence half-width, and σ (unit-cube scale)."""
    from SALib.analyze import morris

    problem = _problem(sweep, "morris")
    unit = sweep.design[[f"unit:{name}" for name in problem["names"]]].to_numpy()
    result = morris.analyze(
        problem,
        unit,
        _point_means(sweep, outcome),
        conf_level=confidence,
        num_levels=int(sweep.manifest["sweep"]["design"]["levels"]),
        seed=seed,
    )
    return pd.DataFrame(
        {
            "parameter": problem["names"],
            "mu_star": result["mu_star"],
            "mu_star_conf": result["mu_star_conf"],
            "sigma": result["sigma"],
        }
    ).assign(outcome=outcome)

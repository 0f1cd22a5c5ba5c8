"""Scenario discovery with PRIM (EMA Workbench): where in parameter space does an outcome happen?

A condition is ``OUTCOME OP NUMBER`` with OP one of >=, >, <=, <, e.g.
``rel/China/semiconductors/2035 >= 0.9`` or ``ttp/China/ai <= 2035`` (a time to parity
that is never reached, NaN, counts as not meeting the condition).
"""

from __future__ import annotations

import operator
import re
import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

from sim.config.errors import ScenarioError, did_you_mean
from sim.sweep.store import Sweep

OPERATORS = {">=": operator.ge, ">": operator.gt, "<=": operator.le, "<": operator.lt}
PATTERN = re.compile(r"^\s*(\S+)\s*(>=|<=|>|<)\s*([-+0-9.eE]+)\s*$")


def parse_condition(text: str) -> tuple[str, str, float]:
    """Split ``'outcome >= value'`` into (outcome, operator, value); a bad condition is a ``ScenarioError``."""
    match = PATTERN.match(text or "")
    if not match:
        raise ScenarioError(
            "a condition looks like 'OUTCOME >= NUMBER' (operators >=, >, <=, <)", "--condition", (), None
        )
    name, op, value = match.groups()
    return name, op, float(value)


def condition_met(runs: pd.DataFrame, text: str) -> np.ndarray:
    """(runs,) bool: which runs meet the condition (NaN never does)."""
    name, op, value = parse_condition(text)
    if name not in runs.columns:
        raise ScenarioError(
            f"unknown outcome '{name}'" + did_you_mean(name, [c for c in runs.columns if "/" in c]), "--condition"
        )
    values = runs[name].to_numpy(dtype=float)
    return np.where(np.isnan(values), False, OPERATORS[op](values, value))


@dataclass(frozen=True)
class BoxResult:
    """A PRIM box: its limits on the restricted parameters and its statistics.

    coverage: share of all cases of interest inside the box; density: share of runs in
    the box that are cases of interest; mass: share of all runs in the box.
    """

    condition: str
    limits: pd.DataFrame  # parameter, low, high, full_low, full_high
    coverage: float
    density: float
    mass: float
    base_rate: float
    trajectory: pd.DataFrame  # peeling trajectory: coverage, density, mass, res_dim per step
    selected: int


def find_box(sweep: Sweep, condition: str, min_density: float = 0.8, peel_alpha: float = 0.05) -> BoxResult:
    """Run PRIM on the sweep's varied parameters.

    The box chosen has the most coverage at ``min_density`` or more (or is the densest box
    if none reaches it).
    """
    runs = sweep.runs[sweep.runs["status"] == "ok"]
    varied = [c for c in sweep.varied if c in runs.columns]
    numeric = [c for c in varied if pd.api.types.is_numeric_dtype(runs[c])]
    if not numeric:
        raise ScenarioError("PRIM needs at least one numeric varied parameter", str(sweep.folder))
    x = runs[numeric].reset_index(drop=True).astype(float)
    y = condition_met(runs, condition)
    if y.sum() == 0:
        raise ScenarioError(f"no run meets '{condition}'; PRIM needs some cases of interest", "--condition")
    return prim_box(x, y, condition, min_density, peel_alpha)


def prim_box(
    x: pd.DataFrame, y: np.ndarray, condition: str, min_density: float = 0.8, peel_alpha: float = 0.05
) -> BoxResult:
    """PRIM on inputs ``x`` (runs × numeric columns) for the cases ``y`` (runs,) bool.

    The box chosen has the most coverage at ``min_density`` or more (or is the densest box if
    none reaches it).
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # ema_workbench warns about optional back-ends it does not need here
        from ema_workbench.analysis import prim

        box = prim.Prim(x, y, peel_alpha=peel_alpha).find_box()
    numeric = list(x.columns)
    trajectory = box.peeling_trajectory[["coverage", "density", "mass", "res_dim"]].astype(float).reset_index(drop=True)
    dense = trajectory[trajectory["density"] >= min_density]
    selected = int(dense["coverage"].idxmax()) if len(dense) else int(trajectory["density"].idxmax())
    lims = box.box_lims[selected]
    full = box.box_lims[0]
    rows = [
        (name, float(lims[name][0]), float(lims[name][1]), float(full[name][0]), float(full[name][1]))
        for name in numeric
        if (lims[name][0], lims[name][1]) != (full[name][0], full[name][1])
    ]
    limits = pd.DataFrame(rows, columns=["parameter", "low", "high", "full_low", "full_high"])
    stats = trajectory.iloc[selected]
    return BoxResult(
        condition,
        limits,
        float(stats["coverage"]),
        float(stats["density"]),
        float(stats["mass"]),
        float(np.mean(y)),
        trajectory,
        selected,
    )

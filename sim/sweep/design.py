"""Design matrices: which values each design point gives each swept key.

Sampled designs draw points in the unit cube and map them through each distribution's
quantile function, so Sobol and Morris analyses (which work in the unit cube) and the
values the model sees stay consistent. SALib draws the Sobol (Saltelli) and Morris
samples; scipy's quasi-Monte Carlo module draws Latin hypercubes.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from pydantic import BaseModel
from scipy import stats
from scipy.stats import qmc

from sim.config.errors import ScenarioError
from sim.sweep.spec import LogUniform, Normal, SweepSpec, Triangular, Uniform

SAMPLED = ("lhs", "sobol", "morris", "monte_carlo")


@dataclass(frozen=True)
class DesignTable:
    """The design of a sweep.

    Attributes:
        points: one row per design point, one column per varied dotted path.
        unit: (points, k) unit-cube coordinates of the sampled keys (None for grid/table).
        varied: the varied dotted paths, in column order.
        constants: dotted paths held at one value.
        problem: SALib problem over the unit cube (sobol and morris designs).
    """

    points: pd.DataFrame
    unit: np.ndarray | None
    varied: list[str]
    constants: dict[str, Any]
    problem: dict[str, Any] | None


def frozen_distribution(distribution: BaseModel) -> Any:
    """The scipy distribution of a sweep or prior distribution (quantiles, densities, supports)."""
    if isinstance(distribution, LogUniform):
        return stats.loguniform(distribution.low, distribution.high)
    if isinstance(distribution, Uniform):
        return stats.uniform(distribution.low, distribution.high - distribution.low)
    if isinstance(distribution, Triangular):
        width = distribution.high - distribution.low
        return stats.triang(c=(distribution.mode - distribution.low) / width, loc=distribution.low, scale=width)
    if isinstance(distribution, Normal):
        if distribution.low is None and distribution.high is None:
            return stats.norm(distribution.mean, distribution.sd)
        a = -np.inf if distribution.low is None else (distribution.low - distribution.mean) / distribution.sd
        b = np.inf if distribution.high is None else (distribution.high - distribution.mean) / distribution.sd
        return stats.truncnorm(a, b, loc=distribution.mean, scale=distribution.sd)
    raise TypeError(f"not a distribution: {distribution!r}")


def quantile(distribution: BaseModel, u: np.ndarray) -> np.ndarray:
    """Values of a distribution at unit-cube coordinates ``u``."""
    u = np.clip(np.asarray(u, dtype=float), 0.0, 1.0)
    if isinstance(distribution, LogUniform):  # exact at the ends, where scipy's loguniform rounds
        return np.exp(np.log(distribution.low) + u * (np.log(distribution.high) - np.log(distribution.low)))
    if isinstance(distribution, Uniform):
        return distribution.low + u * (distribution.high - distribution.low)
    if isinstance(distribution, Normal):
        u = np.clip(u, 1e-12, 1 - 1e-12)
    return frozen_distribution(distribution).ppf(u)


def build_design(spec: SweepSpec, folder: Path) -> DesignTable:
    """The design matrix of a sweep (deterministic given the spec and its seed)."""
    kind = spec.design.kind
    constants = {k: v for k, v in spec.parameters.items() if not isinstance(v, (list, BaseModel))}
    if kind == "grid":
        swept = {k: v for k, v in spec.parameters.items() if isinstance(v, list)}
        keys = list(swept)
        rows = list(itertools.product(*swept.values())) if keys else [()]
        return DesignTable(pd.DataFrame(rows, columns=keys), None, keys, constants, None)
    if kind == "table":
        return _table_design(spec, folder, constants)
    sampled = {k: v for k, v in spec.parameters.items() if isinstance(v, BaseModel)}
    keys = list(sampled)
    problem = {"num_vars": len(keys), "names": keys, "bounds": [[0.0, 1.0]] * len(keys)}
    n = spec.design.samples
    if kind == "monte_carlo":
        unit = np.random.default_rng([spec.seed, 7001]).random((n, len(keys)))
    elif kind == "lhs":
        unit = qmc.LatinHypercube(d=len(keys), rng=np.random.default_rng([spec.seed, 7002])).random(n)
    elif kind == "sobol":
        from SALib.sample import sobol

        unit = sobol.sample(problem, n, calc_second_order=spec.design.second_order, seed=spec.seed)
    else:
        from SALib.sample import morris

        unit = morris.sample(problem, n, num_levels=spec.design.levels, seed=spec.seed)
    values = {key: quantile(sampled[key], unit[:, j]) for j, key in enumerate(keys)}
    return DesignTable(pd.DataFrame(values), unit, keys, constants, problem if kind in ("sobol", "morris") else None)


def _table_design(spec: SweepSpec, folder: Path, constants: dict[str, Any]) -> DesignTable:
    path = folder / str(spec.design.table)
    try:
        table = pd.read_csv(path)
    except (OSError, UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise ScenarioError(f"cannot read design table: {exc}", str(path)) from None
    if table.empty:
        raise ScenarioError("design table has no rows", str(path))
    if table.isna().any().any():
        column = table.columns[table.isna().any()][0]
        row = int(table[column].isna().to_numpy().nonzero()[0][0])
        raise ScenarioError(f"empty cell in column '{column}'", str(path), (column,), row + 2)
    return DesignTable(table, None, list(table.columns), constants, None)

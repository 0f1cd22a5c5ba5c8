"""Posterior ensembles: a scenario's runs draw their parameters from a calibration's posterior.

A scenario names a CSV of posterior draws (``ensemble.posterior``, relative to the file
that names it), as ``decoupling calibrate`` writes it: one column ``parameters.NAME`` per
calibrated parameter, an optional ``weight`` column (SMC importance weights; equal weights
without it) and an optional ``distance`` column (ignored). The loader reads it into
``ensemble.draws`` and ``ensemble.weights``, so the model itself does no I/O.

Which value wins, as in ``extends`` (later wins): the posterior supersedes the parameters
set in the file that names it and in the files that file extends; a parameter set in a
file that extends it, or by ``--set``, is pinned for every run and dropped from the draws.
A posterior named by ``--set`` supersedes every file; only other ``--set`` values pin then.
A sweep's or calibration's parameter table wins over both.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Literal

from pydantic import Field, model_validator

from sim.config.base import Number, StrictModel
from sim.config.csvio import read_csv_rows
from sim.config.errors import ScenarioError
from sim.config.parameters import PARAMETER_NAMES, parameter_metadata, unknown_parameter

MAX_DRAWS = 100_000


class EnsembleSpec(StrictModel):
    """Where a scenario's runs get the parameters a calibration estimated."""

    posterior: str | None = Field(
        None, description="CSV of posterior draws (parameters.NAME columns, optional weight), relative to its file"
    )
    use: Literal["sample", "mean"] = Field(
        "sample", description="'sample': each run draws a posterior row by weight; 'mean': every run the weighted mean"
    )
    fitted_until: Number | None = Field(
        None, ge=1900, le=2200, description="last year of the observations the posterior was calibrated on"
    )
    draws: dict[str, list[Number]] = Field(
        default_factory=dict, description="parameter -> values of each draw (filled from 'posterior' by the loader)"
    )
    weights: list[Number] = Field(default_factory=list, description="weight of each draw (empty: equal weights)")

    @model_validator(mode="after")
    def _consistent(self):
        lengths = {len(v) for v in self.draws.values()}
        if len(lengths) > 1:
            raise ValueError("every parameter in 'draws' needs the same number of values")
        for name in self.draws:
            if name not in PARAMETER_NAMES:
                raise ValueError(unknown_parameter(name))
        if self.weights:
            if lengths and len(self.weights) != lengths.pop():
                raise ValueError("'weights' needs one value per draw")
            if min(self.weights) < 0 or not sum(self.weights) > 0:
                raise ValueError("weights must be non-negative with a positive sum")
        return self

    def mean(self) -> dict[str, float]:
        """Weighted posterior mean of each drawn parameter."""
        n = len(next(iter(self.draws.values()), []))
        weights = list(self.weights) or [1.0] * n
        total = sum(weights)
        return {k: sum(w * v for w, v in zip(weights, values, strict=True)) / total for k, values in self.draws.items()}


def read_posterior(path: Path) -> tuple[dict[str, list[float]], list[float]]:
    """Draws and weights of a posterior CSV; every problem is a located one-line ``ScenarioError``."""
    source = str(path)
    header, rows = read_csv_rows(path, "posterior file")
    names = []
    for column in header:
        if column in ("weight", "distance"):
            continue
        name = column.removeprefix("parameters.")
        if not column.startswith("parameters.") or name not in PARAMETER_NAMES:
            raise ScenarioError(
                f"column '{column}' is not parameters.NAME, weight or distance ({unknown_parameter(name)})",
                source,
                (column,),
                1,
            )
        names.append(name)
    if not names:
        raise ScenarioError("no parameters.NAME column", source, (), 1)
    if not rows:
        raise ScenarioError("no draws (only a header)", source, (), 1)
    if len(rows) > MAX_DRAWS:
        raise ScenarioError(f"more than {MAX_DRAWS:,} draws", source, (), 1)
    draws: dict[str, list[float]] = {name: [] for name in names}
    weights: list[float] = []
    for line, row in rows:
        for name in names:
            value = _number(row[f"parameters.{name}"], source, f"parameters.{name}", line)
            meta = parameter_metadata(name)
            if not meta["ge"] <= value <= meta["le"]:
                raise ScenarioError(
                    f"{value!r} is outside [{meta['ge']}, {meta['le']}]", source, (f"parameters.{name}",), line
                )
            draws[name].append(value)
        if "weight" in header:
            weight = _number(row["weight"], source, "weight", line)
            if weight < 0:
                raise ScenarioError("a weight cannot be negative", source, ("weight",), line)
            weights.append(weight)
    if weights and not sum(weights) > 0:
        raise ScenarioError("the weights sum to zero", source, ("weight",), rows[0][0])
    return draws, weights


def _number(text: str, source: str, column: str, line: int) -> float:
    try:
        value = float(text.strip())
    except ValueError:
        raise ScenarioError(f"'{text}' is not a number", source, (column,), line) from None
    if not math.isfinite(value):
        raise ScenarioError(f"'{text}' is not finite", source, (column,), line)
    return value

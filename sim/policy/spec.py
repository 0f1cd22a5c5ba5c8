"""Policy-search files: the levers to choose, the objectives and constraints, the ensemble.

```yaml
scenario: ../scenarios/baseline.yaml     # relative to this file
name: west_export_controls
seed: 1
levers:                                  # a dashboard lever, or a dotted scenario path
  china_hardware: {low: 0, high: 1}
  parameters.enforcement_response: {low: 0.2, high: 2}
objectives:
  - {name: china_ai, outcome: rel/China/ai/2035, direction: minimize, robustness: mean, epsilon: 0.01}
  - {name: west_cost, outcome: cost/West/2035, direction: minimize, robustness: {percentile: 90}}
constraints:
  - {outcome: cost/Neutral/2035, robustness: mean, max: 3}
ensemble:
  scenarios: 24
  uncertainties:
    parameters.leak_quality: {low: 0.3, high: 0.9, basis: "C28; assumption"}
search: {nfe: 2000, population: 40}
reevaluation: {scenarios: 200, seed: 2}
vulnerabilities: {policies: 3}
```

Outcomes are the sweep's outcome columns (``rel/ACTOR/SECTOR/YEAR``, ``bloc_ratio/BLOC/YEAR``,
``bloc_index/...``, ``gdp_index/...``) plus ``cost/BLOC/YEAR``: the bloc's GDP
loss in % against the same scenario without restrictive measures (same seeds). Validation
errors name the file, the key path and the line, as for scenarios and sweeps.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Literal

from pydantic import Field, ValidationError, model_validator

from sim.config.base import StrictModel
from sim.config.errors import ScenarioError, did_you_mean
from sim.config.loader import _locate, located_validation_error
from sim.config.parameters import parameter_metadata
from sim.config.yamlio import read_yaml_file
from sim.sweep.worker import PARAMETER_PREFIX


class _Frozen(StrictModel):
    """Base of the policy-search file's sections (frozen, strict)."""


class Range(_Frozen):
    """A lever's or an uncertainty's range; ``basis`` says where a deep uncertainty's range comes from."""

    low: float
    high: float
    basis: str = ""

    @model_validator(mode="after")
    def _ordered(self):
        if not self.low < self.high:
            raise ValueError(f"low ({self.low}) must be below high ({self.high})")
        return self


class Percentile(_Frozen):
    """The q-th percentile of the outcome over the scenarios."""

    percentile: float = Field(gt=0, lt=100)


class Satisficing(_Frozen):
    """The share of scenarios meeting a threshold (maximised)."""

    satisficing: float = Field(description="threshold: the share of scenarios meeting it is maximised")


Robustness = Literal["mean", "median", "worst"] | Percentile | Satisficing


class Objective(_Frozen):
    """An outcome to minimise or maximise, summarised over the ensemble by a robustness metric."""

    name: str = Field(pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")
    outcome: str
    direction: Literal["minimize", "maximize"]
    robustness: Robustness = "mean"
    epsilon: float = Field(0.01, gt=0, description="ε-box size in the robust value's units")
    threshold: float | None = Field(None, description="a scenario fails the policy beyond this (vulnerabilities)")


class Constraint(_Frozen):
    """A bound on an outcome's robust value: ``max`` or ``min`` (or both)."""

    outcome: str
    robustness: Robustness = "mean"
    max: float | None = None
    min: float | None = None

    @model_validator(mode="after")
    def _bounded(self):
        if self.max is None and self.min is None:
            raise ValueError("a constraint needs max, min or both")
        return self


class Ensemble(_Frozen):
    """The scenarios every policy meets: LHS over the deep uncertainties, posterior draws per the scenario."""

    scenarios: int = Field(24, ge=2, le=10_000)
    uncertainties: dict[str, Range] = Field(default_factory=dict)


class Search(_Frozen):
    """Search budget: policy evaluations and ε-NSGA-II's starting population."""

    nfe: int = Field(2000, ge=10, le=10_000_000, description="policy evaluations")
    population: int = Field(40, ge=4, le=10_000)


class Reevaluation(_Frozen):
    """The fresh ensemble the Pareto set is re-evaluated on (its own root seed)."""

    scenarios: int = Field(200, ge=2, le=100_000)
    seed: int = Field(2, ge=0, lt=2**63)


class Vulnerabilities(_Frozen):
    """How many Pareto policies PRIM explains, and the density its boxes must reach."""

    policies: int = Field(3, ge=0, le=100, description="Pareto policies to explain (best by the first objective)")
    min_density: float = Field(0.8, gt=0, le=1)


class PolicySpec(_Frozen):
    """A policy-search file (see the module's docstring)."""

    scenario: str
    name: str = "policy_search"
    seed: int = Field(1, ge=0, lt=2**63)
    levers: dict[str, Range] = Field(min_length=1)
    objectives: list[Objective] = Field(min_length=1, max_length=6)
    constraints: list[Constraint] = Field(default_factory=list)
    ensemble: Ensemble = Ensemble()
    search: Search = Search()
    reevaluation: Reevaluation = Reevaluation()
    vulnerabilities: Vulnerabilities = Vulnerabilities()

    @model_validator(mode="after")
    def _distinct(self):
        names = [o.name for o in self.objectives]
        if len(set(names)) != len(names):
            raise ValueError("objective names must be distinct")
        both = set(self.levers) & set(self.ensemble.uncertainties)
        if both:
            raise ValueError(f"{', '.join(sorted(both))} cannot be both a lever and an uncertainty")
        return self


def _check_lever(key: str, bounds: Range) -> None:
    from sim.dashboard.levers import BY_KEY

    if key in BY_KEY:
        lever = BY_KEY[key]
        if bounds.low < lever.low or bounds.high > lever.high:
            raise ValueError(f"the range must lie within {lever.low:g}-{lever.high:g} ({lever.unit})")
    elif key.startswith(PARAMETER_PREFIX):
        _check_parameter(key, bounds)
    else:
        raise ValueError(
            f"unknown lever '{key}': a dashboard lever ({', '.join(BY_KEY)}) or parameters.NAME"
            + did_you_mean(key, list(BY_KEY))
        )


def _check_parameter(key: str, bounds: Range) -> None:
    if not key.startswith(PARAMETER_PREFIX):
        raise ValueError(f"'{key}': only model parameters (parameters.NAME) vary across the ensemble")
    name = key[len(PARAMETER_PREFIX) :]
    try:
        meta = parameter_metadata(name)
    except KeyError:
        raise ValueError(f"unknown parameter '{name}'") from None
    if bounds.low < float(meta["ge"]) or bounds.high > float(meta["le"]):
        raise ValueError(f"the range must lie within {meta['ge']:g}-{meta['le']:g}")


def load_policy_spec(path: str | Path) -> tuple[PolicySpec, Path]:
    """Read and validate a policy-search file; returns the spec and the folder its paths are relative to."""
    path = Path(path)
    if not path.is_file():
        raise ScenarioError("file not found", str(path))
    data, origins = read_yaml_file(path)
    if not isinstance(data, dict):
        raise ScenarioError("a policy-search file must be a mapping of keys", str(path), (), 1)
    try:
        spec = PolicySpec.model_validate(data)
    except ValidationError as exc:
        raise located_validation_error(exc, origins, str(path)) from None
    checks: list[tuple[tuple, Callable[[str, Range], None], str, Range]]
    checks = [(("levers", k), _check_lever, k, r) for k, r in spec.levers.items()]
    checks += [
        (("ensemble", "uncertainties", k), _check_parameter, k, r) for k, r in spec.ensemble.uncertainties.items()
    ]
    for key_path, check, key, bounds in checks:
        try:
            check(key, bounds)
        except ValueError as exc:
            source, line = _locate(origins, key_path, str(path))
            raise ScenarioError(str(exc), source, key_path, line) from None
    base = path.parent / spec.scenario
    if not base.is_file():
        source, line = _locate(origins, ("scenario",), str(path))
        raise ScenarioError(f"base scenario not found: {base}", source, ("scenario",), line)
    return spec, path.parent


def locate(path: str | Path, key_path: tuple) -> tuple[str, int | None]:
    """(file, line) of a key of a policy-search file, for errors found after validation."""
    return _locate(read_yaml_file(Path(path))[1], key_path, str(path))

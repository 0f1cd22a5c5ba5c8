"""Deep uncertainties a scenario declares: model parameters no data inform, with a range and its basis.

They are what the calibration cannot narrow: the coverage of acts no event before 2022
informs, the GDP mapping's elasticities, the scale of the dependency matrix.
``decoupling compare --by-source`` samples them to say how much of an outcome's spread
they make, beside the calibrated parameters and the process noise
(``sim.analysis.sources``). Runs themselves keep each parameter's scenario value, so
bands do not hold these ranges, and say so.
"""

from __future__ import annotations

from pydantic import Field, model_validator

from sim.config.base import StrictModel


class DeepUncertainty(StrictModel):
    """The range of one model parameter and where it comes from."""

    low: float = Field(description="lower end of the range")
    high: float = Field(description="upper end of the range")
    basis: str = Field(min_length=1, description="where the range comes from (a source, or 'judgement: why')")

    @model_validator(mode="after")
    def _ordered(self):
        if not self.low < self.high:
            raise ValueError(f"low ({self.low:g}) must be below high ({self.high:g})")
        return self


def uncertainty_problems(
    uncertainties: dict[str, DeepUncertainty], calibrated: set[str]
) -> list[tuple[tuple[str, ...], str]]:
    """Problems of the declared uncertainties, as (key path, message).

    One for each that names no parameter, leaves the parameter's admissible bounds, or is a
    calibrated parameter (its spread is the posterior's).
    """
    from sim.config.parameters import PARAMETER_NAMES, parameter_metadata, unknown_parameter

    problems: list[tuple[tuple[str, ...], str]] = []
    for name, bounds in uncertainties.items():
        path: tuple[str, ...] = ("uncertainties", name)
        if name not in PARAMETER_NAMES:
            problems.append((path, unknown_parameter(name)))
            continue
        meta = parameter_metadata(name)
        if bounds.low < meta["ge"] or bounds.high > meta["le"]:
            problems.append((path, f"the range must lie within the admissible {meta['ge']:g}-{meta['le']:g}"))
        if name in calibrated:
            problems.append((path, "a calibrated parameter: its spread is the posterior's (ensemble), not a range"))
    return problems

"""How a model parameter is declared: one ``Field`` carrying everything the ODD needs."""

from __future__ import annotations

from typing import Any

from pydantic import Field


def param(
    default: float,
    *,
    ge: float,
    le: float,
    sweep: tuple[float, float],
    symbol: str,
    unit: str,
    basis: str,
    claims: tuple[str, ...],
    meaning: str,
) -> Any:
    """Declare one model parameter with everything the ODD needs to know about it."""
    return Field(
        default,
        ge=ge,
        le=le,
        description=meaning,
        json_schema_extra={
            "sweep": list(sweep),
            "symbol": symbol,
            "unit": unit,
            "basis": basis,
            "claims": list(claims),
        },
    )

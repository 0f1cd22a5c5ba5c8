"""Outcome measures computed from recorded trajectories (no simulation here).

All functions take and return xarray objects with named dimensions ``run``, ``year``,
``actor``, ``sector``, ``bloc``. Claims: C29 (challenge to Western dominance: bloc index,
time to parity), C02/C23 (decoupling index), C04/C06/C14 (self-sufficiency).
"""

from __future__ import annotations

import numpy as np
import xarray as xr


def first_year(reached: np.ndarray, years: np.ndarray) -> np.ndarray:
    """Year of the first True along axis 0 of ``reached`` (T, ...); NaN where never. Shape (...)."""
    first = reached.argmax(axis=0)
    return np.where(reached.any(axis=0), years[first], np.nan)


def bloc_aggregate(effective: np.ndarray, members: np.ndarray, aggregation: float) -> np.ndarray:
    """(Σ_{a∈B} K_eff^ϱ)^(1/ϱ) over the member actors (axis -2): (..., A, S) → (..., S).

    ϱ = 1 adds members' capabilities; a large ϱ approaches the best member.
    """
    return (effective[..., members, :] ** aggregation).sum(axis=-2) ** (1.0 / aggregation)


def composite_index(sector_index: np.ndarray, weight: np.ndarray) -> np.ndarray:
    """exp(Σ_s ω_s ln x_s / Σ ω) over the last axis: (..., S) → (...)."""
    return np.exp(np.log(sector_index) @ (weight / weight.sum()))


def reference_best(capability: xr.DataArray, blocs: xr.DataArray, reference_bloc: str) -> xr.DataArray:
    """Best capability among the reference bloc's actors: (run, year, sector)."""
    members = blocs == reference_bloc
    if not bool(members.any()):
        raise ValueError(f"reference bloc '{reference_bloc}' has no actors")
    return capability.where(members).max("actor")


def relative_to_reference(capability: xr.DataArray, blocs: xr.DataArray, reference_bloc: str) -> xr.DataArray:
    """Capability divided by the best of the reference bloc: (run, year, actor, sector)."""
    return capability / reference_best(capability, blocs, reference_bloc)


def time_to_parity(relative: xr.DataArray, threshold: float, members_of_reference: xr.DataArray) -> xr.DataArray:
    """First year an actor reaches ``threshold`` × the reference bloc's best: (run, actor, sector).

    NaN where parity is never reached by the horizon (right-censored) and for members of
    the reference bloc (parity with oneself is not a question).
    """
    reached = (relative >= threshold).transpose("year", ...)
    ttp = xr.DataArray(
        first_year(reached.values, relative["year"].values),
        dims=reached.dims[1:],
        coords={d: reached[d] for d in reached.dims[1:] if d in reached.coords},
    )
    return ttp.where(~members_of_reference)


def parity_probability(ttp: xr.DataArray, years: xr.DataArray) -> xr.DataArray:
    """P(parity reached by year): share of runs with time to parity ≤ year, (year, actor, sector)."""
    reached = ttp <= years
    return reached.mean("run").transpose("year", ...)


def bloc_sector_index(effective: xr.DataArray, blocs: xr.DataArray, aggregation: float) -> xr.DataArray:
    """Bloc capability per sector, ``bloc_aggregate`` for each bloc: (..., bloc, sector)."""
    names = list(dict.fromkeys(blocs.values.tolist()))
    ordered = effective.transpose(..., "actor", "sector")
    values = np.stack([bloc_aggregate(ordered.values, (blocs == b).values, aggregation) for b in names], axis=-2)
    dims = (*ordered.dims[:-2], "bloc", "sector")
    coords = {d: ordered[d] for d in dims if d in ordered.coords}
    return xr.DataArray(values, dims=dims, coords={**coords, "bloc": names})


def bloc_index(sector_index: xr.DataArray, weight: xr.DataArray) -> xr.DataArray:
    """Composite bloc index ``composite_index`` over sectors: (run, year, bloc)."""
    ordered = sector_index.transpose(..., "sector")
    return xr.DataArray(
        composite_index(ordered.values, np.asarray(weight)),
        dims=ordered.dims[:-1],
        coords={d: ordered[d] for d in ordered.dims[:-1] if d in ordered.coords},
    )


def quantiles(data: xr.DataArray, probabilities: tuple[float, ...] = (0.05, 0.5, 0.95)) -> xr.DataArray:
    """Quantiles over runs, with a ``quantile`` dimension."""
    return data.quantile(list(probabilities), dim="run")

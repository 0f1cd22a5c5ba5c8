"""Outcome measures computed from recorded trajectories (no simulation here).

All functions take and return xarray objects with named dimensions ``run``, ``year``,
``actor``, ``sector``, ``bloc``. Claims: C29 (challenge to Western dominance: bloc index,
time to parity), C02/C23 (decoupling index), C04/C06/C14 (self-sufficiency).
"""

from __future__ import annotations

import numpy as np
import xarray as xr


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
    reached = relative >= threshold
    ever = reached.any("year")
    first = reached.argmax("year")
    years = relative["year"].values
    ttp = xr.DataArray(years[first.values], dims=first.dims, coords=first.coords)
    return ttp.where(ever & ~members_of_reference)


def parity_probability(ttp: xr.DataArray, years: xr.DataArray) -> xr.DataArray:
    """P(parity reached by year): share of runs with time to parity ≤ year, (year, actor, sector)."""
    reached = ttp <= years
    return reached.mean("run").transpose("year", ...)


def bloc_sector_index(effective: xr.DataArray, blocs: xr.DataArray, aggregation: float) -> xr.DataArray:
    """Bloc capability per sector, (Σ_{a∈B} K_eff^ϱ)^(1/ϱ): (run, year, bloc, sector).

    ϱ = 1 adds members' capabilities; a large ϱ approaches the best member.
    """
    names = list(dict.fromkeys(blocs.values.tolist()))
    parts = [(effective.where(blocs == b) ** aggregation).sum("actor", min_count=1) ** (1.0 / aggregation) for b in names]
    return xr.concat(parts, dim=xr.DataArray(names, dims="bloc", name="bloc"))


def bloc_index(sector_index: xr.DataArray, weight: xr.DataArray) -> xr.DataArray:
    """Composite bloc index exp(Σ_s ω_s ln BCI[B, s] / Σ ω): (run, year, bloc)."""
    return np.exp((np.log(sector_index) * weight).sum("sector") / weight.sum())


def quantiles(data: xr.DataArray, probabilities: tuple[float, ...] = (0.05, 0.5, 0.95)) -> xr.DataArray:
    """Quantiles over runs, with a ``quantile`` dimension."""
    return data.quantile(list(probabilities), dim="run")

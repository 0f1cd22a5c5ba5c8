"""Model quantities that observations map to, computed from a results Dataset.

Each function returns a DataArray over (run, year) for one actor (and sector), so an
observation row picks one year. Shapes follow ``sim.results``. Pair quantities name two
model actors as ``"A-B"``; the actor ``"*"`` stands for the sum over every model actor
(world totals, for quantities that add up).
"""

from __future__ import annotations

import numpy as np
import xarray as xr

WORLD = "*"
PAIR_QUANTITIES = ("pair_cooperation", "pair_trade", "import_share", "import_share_all")
ADDITIVE_QUANTITIES = ("capability", "rd_budget")  # the quantities that may be summed over actors ("*")


def _one(array: xr.DataArray, actor: str) -> xr.DataArray:
    """One actor's slice, or the sum over actors for ``"*"``."""
    return array.sum("actor") if actor == WORLD else array.sel(actor=actor)


def quantity(ds: xr.Dataset, name: str, actor: str, sector: str | None) -> xr.DataArray:
    """The named quantity of one actor (and sector) over runs and years, (run, year), float64.

    Selections come before conversions, so no call copies the whole capability array.
    """
    capability = ds["capability"]
    if name in PAIR_QUANTITIES:
        first, second = actor.split("-", 1)
        return _pair_quantity(ds, name, first, second, sector)
    if name == "self_sufficiency":
        return ds["self_sufficiency"].sel(actor=actor, sector=sector).astype(np.float64)
    if name == "import_dependence":
        return 1.0 - ds["self_sufficiency"].sel(actor=actor, sector=sector).astype(np.float64)
    if name == "capability":
        return _one(capability.sel(sector=sector), actor).astype(np.float64)
    if name == "world_share":
        in_sector = capability.sel(sector=sector).astype(np.float64)
        return in_sector.sel(actor=actor) / in_sector.sum("actor")
    if name == "world_share_all":
        weighted = (capability * ds["sector_weight"]).sum("sector").astype(np.float64)
        return weighted.sel(actor=actor) / weighted.sum("actor")
    if name == "rd_budget":
        return _one(ds["rd_budget"], actor).astype(np.float64)
    if name == "access_capability":
        controls = ds["controls_received"].sel(actor=actor, sector=sector).astype(np.float64)
        return capability.sel(actor=actor, sector=sector).astype(np.float64) * (1.0 - controls)
    if name == "leading_count":
        leads = capability.argmax("actor") == list(ds["actor"].values).index(actor)
        return leads.sum("sector").astype(np.float64)
    raise ValueError(f"unknown quantity '{name}'")


def _pair_quantity(ds: xr.Dataset, name: str, first: str, second: str, sector: str | None) -> xr.DataArray:
    """Quantities of an ordered pair: (importer, exporter) for import shares."""
    if name == "pair_cooperation":
        return 1.0 + ds["cooperation"].sel(actor=first, partner=second).astype(np.float64)
    if name == "pair_trade":
        return ds["trade"].sel(actor=first, partner=second).astype(np.float64)
    shares = ds["import_share"].sel(actor=first, partner=second).astype(np.float64)
    if name == "import_share":
        return shares.sel(sector=sector)
    weight = ds["sector_weight"] / ds["sector_weight"].sum()
    return (shares * weight).sum("sector")  # import_share_all: strategic-weight mean over sectors

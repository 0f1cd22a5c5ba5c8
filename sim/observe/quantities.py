"""Model quantities that observations map to, computed from a results Dataset.

Each function returns a DataArray over (run, year) for one actor (and sector), so an
observation row picks one year. Shapes follow ``sim.results``.
"""

from __future__ import annotations

import numpy as np
import xarray as xr


def quantity(ds: xr.Dataset, name: str, actor: str, sector: str | None) -> xr.DataArray:
    """The named quantity of one actor (and sector) over runs and years, (run, year), float64.

    Selections come before conversions, so no call copies the whole capability array.
    """
    capability = ds["capability"]
    if name == "self_sufficiency":
        return ds["self_sufficiency"].sel(actor=actor, sector=sector).astype(np.float64)
    if name == "capability":
        return capability.sel(actor=actor, sector=sector).astype(np.float64)
    if name == "world_share":
        in_sector = capability.sel(sector=sector).astype(np.float64)
        return in_sector.sel(actor=actor) / in_sector.sum("actor")
    if name == "world_share_all":
        weighted = (capability * ds["sector_weight"]).sum("sector").astype(np.float64)
        return weighted.sel(actor=actor) / weighted.sum("actor")
    if name == "rd_budget":
        return ds["rd_budget"].sel(actor=actor).astype(np.float64)
    if name == "pair_cooperation":
        first, second = actor.split("-", 1)
        return 1.0 + ds["cooperation"].sel(actor=first, partner=second).astype(np.float64)
    if name == "access_capability":
        controls = ds["controls_received"].sel(actor=actor, sector=sector).astype(np.float64)
        return capability.sel(actor=actor, sector=sector).astype(np.float64) * (1.0 - controls)
    if name == "leading_count":
        leads = capability.argmax("actor") == list(ds["actor"].values).index(actor)
        return leads.sum("sector").astype(np.float64)
    raise ValueError(f"unknown quantity '{name}'")

"""Per-run outcome measures of a finished model, computed with numpy from its recorder.

These are the columns of a sweep's runs table (one value per run). Names:

* ``ttp/ACTOR/SECTOR``: time to parity with the reference bloc's best (NaN if never);
* ``rel/ACTOR/SECTOR/YEAR``: capability / best of the reference bloc;
* ``bloc_ratio/BLOC/YEAR``: bloc capability index / the reference bloc's;
* ``bloc_index/BLOC/YEAR`` and ``gdp_index/BLOC/YEAR``: every bloc's own capability index
  (the reference bloc's too: what the West itself keeps) and its GDP from the production
  network (``sim.economy``, with the run's mapping parameters; compare ratios only);
* ``decoupling/YEAR``; ``trust/A-B/YEAR`` and ``cooperation/A-B/YEAR`` for partner pairs.

Actors and blocs are those outside the reference bloc; years are the scenario's report
years within the horizon. They agree with ``sim.metrics`` on the same runs (tested).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim import economy
from sim.metrics import bloc_aggregate, composite_index, first_year
from sim.recorder import report_steps

if TYPE_CHECKING:
    from sim.model import DecouplingModel


def compute_outcomes(model: DecouplingModel) -> dict[str, np.ndarray]:
    """Outcome columns of every run of a finished model: {name: (R,) float32}."""
    world, metrics = model.world, model.config.metrics
    arrays = model.recorder.arrays
    capability = arrays["capability"].astype(np.float64)  # (T, R, A, S)
    blocs = [world.blocs[b] for b in world.bloc_of]
    reference = np.array([b == metrics.reference_bloc for b in blocs])
    best = capability[:, :, reference, :].max(axis=2)  # (T, R, S)
    relative = capability / best[:, :, None, :]
    index = report_steps(model.times, model.config.metrics.report_years)  # where supply was kept
    years = [float(model.times[i]) for i in index]  # the report years the model simulated
    out: dict[str, np.ndarray] = {}

    ttp = first_year(relative >= metrics.parity_threshold, model.times)  # (R, A, S)
    for a in np.flatnonzero(~reference):
        for s, sector in enumerate(world.sectors):
            out[f"ttp/{world.actors[a]}/{sector}"] = ttp[:, a, s]
            for year, t in zip(years, index, strict=True):
                out[f"rel/{world.actors[a]}/{sector}/{year:g}"] = relative[t, :, a, s]

    rho = metrics.bloc_aggregation
    names = list(dict.fromkeys(blocs))
    composite = {
        bloc: composite_index(
            bloc_aggregate(capability[index], np.array([b == bloc for b in blocs]), rho), world.weight
        )
        for bloc in names
    }  # (Y, R) each
    gdp = bloc_gdp(model, index)  # (R, Y, B)
    for b, bloc in enumerate(names):
        for y, year in enumerate(years):
            out[f"bloc_index/{bloc}/{year:g}"] = composite[bloc][y]
            out[f"gdp_index/{bloc}/{year:g}"] = gdp[:, y, b]
        if bloc != metrics.reference_bloc and metrics.reference_bloc in composite:
            for y, year in enumerate(years):
                out[f"bloc_ratio/{bloc}/{year:g}"] = composite[bloc][y] / composite[metrics.reference_bloc][y]
    for year, t in zip(years, index, strict=True):
        out[f"decoupling/{year:g}"] = arrays["decoupling_index"][t].astype(np.float64)
    for a, b in zip(*np.nonzero(np.triu(world.partner)), strict=True):
        pair = f"{world.actors[a]}-{world.actors[b]}"
        for year, t in zip(years, index, strict=True):
            out[f"trust/{pair}/{year:g}"] = arrays["trust"][t, :, a, b].astype(np.float64)
            out[f"cooperation/{pair}/{year:g}"] = arrays["cooperation"][t, :, a, b].astype(np.float64)
    return {k: v.astype(np.float32) for k, v in out.items()}


def bloc_gdp(model: DecouplingModel, index: list[int]) -> np.ndarray:
    """Bloc GDP index at the recorded times ``index`` (blocs in order of first member): (R, Y, B)."""
    world, arrays = model.world, model.recorder.arrays
    effective, ratio, lost = (
        np.moveaxis(arrays[k][index].astype(np.float64), 0, 1) for k in ("capability", "supply_ratio", "lost_supply")
    )  # (R, Y, A, S)
    mapping = {k: model.params.values[k] for k in economy.MAPPING_PARAMETERS}
    actor = economy.world_gdp(world, effective, ratio, lost, mapping)  # (R, Y, A)
    names = list(dict.fromkeys(world.bloc_of.tolist()))
    return economy.bloc_gdp(actor, world.gdp0, np.array([world.bloc_of == b for b in names]))


def nonfinite_runs(model: DecouplingModel) -> np.ndarray:
    """(R,) bool: runs whose recorded capability is not finite and positive somewhere."""
    capability = model.recorder.arrays["capability"]
    return ~(np.isfinite(capability) & (capability > 0)).all(axis=(0, 2, 3))

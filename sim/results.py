"""Results as an ``xarray.Dataset``; saving and loading with provenance.

Dimensions: ``run``, ``year``, ``actor``, ``partner`` (a second actor axis for pair
variables), ``sector``, ``bloc``, ``parameter``. Attributes record the resolved scenario
(JSON), the root seed, the first run index, package versions and the creation time, so
a saved file says how to reproduce itself.
"""

from __future__ import annotations

import datetime as dt
import json
import platform
import warnings
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import xarray as xr

from sim import economy, metrics
from sim.config.errors import ScenarioError
from sim.config.schema import Scenario
from sim.recorder import VARIABLES
from sim.rules import policy as responses
from sim.world import build_world

if TYPE_CHECKING:
    from sim.model import DecouplingModel

PACKAGES = ("decoupling-sim", "mesa", "numpy", "xarray", "pydantic", "scipy", "netCDF4")


def package_versions() -> dict[str, str]:
    """Versions of Python and the packages results depend on, for provenance."""
    versions = {"python": platform.python_version()}
    for name in PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions


def to_dataset(model: DecouplingModel, with_metrics: bool = True) -> xr.Dataset:
    """Turn a finished (or partly run) model into a Dataset, with derived metrics unless asked not to."""
    world, scenario = model.world, model.config
    n = model.steps_done + 1
    runs = np.arange(model.first_run, model.first_run + model.runs)
    coords = {
        "run": runs,
        "year": model.times[:n],
        "actor": list(world.actors),
        "partner": list(world.actors),
        "sector": list(world.sectors),
    }
    data_vars = {}
    for name, (dims, description, unit) in VARIABLES.items():
        if name not in model.recorder.arrays:
            continue  # a model recording the dynamics only has no GDP
        values = model.recorder.arrays[name][:n]
        # Stored time-first; the Dataset is run-first like every other output.
        data_vars[name] = xr.Variable(
            ("run", "year", *dims), np.moveaxis(values, 0, 1), {"description": description, "units": unit}
        )
    ds = xr.Dataset(data_vars, coords=coords)
    ds = ds.assign_coords(
        bloc_of_actor=("actor", [world.blocs[b] for b in world.bloc_of]),
        sector_weight=("sector", world.weight),
    )
    names = list(model.params.values)
    ds["parameters"] = xr.DataArray(
        np.stack([model.params.values[k] for k in names], axis=1),
        dims=("run", "parameter"),
        coords={"parameter": names},
        attrs={"description": "model parameters of each run"},
    )
    ds["log_clip_year"] = xr.DataArray(
        model.clip_year,
        dims=("run",),
        attrs={
            "description": "first year in which the run's log capability reached the ±40 clip (NaN: never); "
            "its values from then on are bounds, not outcomes",
            "units": "year",
        },
    )
    if with_metrics:
        ds = add_metrics(ds, scenario)
    ds.attrs.update(provenance(scenario, model.seed, model.first_run))
    return ds


class ModelWarning(UserWarning):
    """A warning about some runs' results; the CLI prints it as one ``warning:`` line."""


class LogClipWarning(ModelWarning):
    """Some runs reached the ±40 log-capability clip: their later values are bounds, not outcomes."""


class NoEquilibriumWarning(ModelWarning):
    """Some runs' production networks have no equilibrium in some years: their GDP there is NaN."""


def clip_message(runs: np.ndarray, years: np.ndarray, total: int, shown: int = 5) -> str:
    """One line naming the runs that reached the clip and when (``runs``, ``years``: (n,) each)."""
    from sim import dynamics

    named = ", ".join(f"{int(r)} ({y:.0f})" for r, y in zip(runs[:shown], years[:shown], strict=True))
    more = f" and {len(runs) - shown} more" if len(runs) > shown else ""
    return (
        f"{len(runs)} of {total} runs reached the ±{dynamics.LOG_CAPABILITY_LIMIT:g} log-capability clip "
        f"(run (year): {named}{more}); their capabilities from that year on are bounds, not outcomes. No run "
        "of the admissible box did so in the property tests (ODD 8.1, sane-world bounds): check the "
        "parameters and the scenario's inputs of these runs."
    )


def warn_if_clipped(ds: xr.Dataset) -> None:
    """Warn (``LogClipWarning``) naming the runs of ``ds`` whose log capability reached the clip."""
    years = ds["log_clip_year"].values
    hit = np.flatnonzero(~np.isnan(years))
    if hit.size:
        runs = ds["run"].values[hit]
        warnings.warn(LogClipWarning(clip_message(runs, years[hit], ds.sizes["run"])), stacklevel=3)


def warn_if_no_equilibrium(ds: xr.Dataset, shown: int = 5) -> None:
    """Warn (``NoEquilibriumWarning``) naming the runs whose GDP is NaN somewhere (ODD 7.12)."""
    if "actor_gdp_index" not in ds:
        return  # recorded without GDP (record="dynamics")
    missing = np.isnan(ds["actor_gdp_index"].transpose("run", "year", "actor").values)
    hit = np.flatnonzero(missing.any(axis=(1, 2)))
    if hit.size:
        first = ds["year"].values[missing[hit].any(axis=2).argmax(axis=1)]
        named = ", ".join(
            f"{int(r)} ({y:.0f})" for r, y in zip(ds["run"].values[hit][:shown], first[:shown], strict=True)
        )
        more = f" and {hit.size - shown} more" if hit.size > shown else ""
        message = (
            f"{hit.size} of {ds.sizes['run']} runs have no production-network equilibrium from some year on "
            f"(run (first year): {named}{more}): a technology sector's productivity fell so far that, with inputs "
            "this complementary, it cannot cover its own inputs; their GDP is NaN there (ODD 7.12). Check the "
            "mapping's elasticities and these runs' capabilities."
        )
        warnings.warn(NoEquilibriumWarning(message), stacklevel=3)


def add_metrics(ds: xr.Dataset, scenario: Scenario) -> xr.Dataset:
    """Relative capability, time to parity, P(parity by year), bloc indices."""
    m = scenario.metrics
    blocs = ds["bloc_of_actor"]
    capability = ds["capability"].astype(np.float64)
    ds["relative_capability"] = (capability / capability.max("actor")).astype(np.float32)
    ds["relative_capability"].attrs = {"description": "capability / best actor of the year", "units": "ratio"}
    relative = metrics.relative_to_reference(capability, blocs, m.reference_bloc)
    ds["relative_to_reference"] = relative.astype(np.float32)
    ds["relative_to_reference"].attrs = {
        "description": f"capability / best actor of the {m.reference_bloc} bloc",
        "units": "ratio",
    }
    ttp = metrics.time_to_parity(relative, m.parity_threshold, blocs == m.reference_bloc)
    ds["time_to_parity"] = ttp
    ds["time_to_parity"].attrs = {
        "description": f"first year with capability ≥ {m.parity_threshold} × best of {m.reference_bloc}; "
        "NaN if not reached by the horizon (censored) or a member of that bloc",
        "units": "year",
    }
    ds["p_parity"] = metrics.parity_probability(ttp, ds["year"])
    ds["p_parity"].attrs = {"description": "share of runs at parity by each year", "units": "probability"}
    value = ds["parameters"].sel
    ds["escalation_spiral"] = xr.DataArray(
        responses.richardson_spiral(
            value(parameter="escalation_reaction").values,
            value(parameter="escalation_counter").values,
            value(parameter="escalation_restraint").values,
        ),
        dims="run",
        attrs={"description": "Richardson runaway regime, k·k' > m² (diagnostic of the escalation rule)"},
    )
    sector_index = metrics.bloc_sector_index(capability, blocs, m.bloc_aggregation)
    ds["bloc_sector_index"] = sector_index.astype(np.float32).transpose("run", "year", "bloc", "sector")
    ds["bloc_sector_index"].attrs = {"description": "bloc capability per sector (CES over members)", "units": "index"}
    index = metrics.bloc_index(sector_index, ds["sector_weight"])
    ds["bloc_index"] = index.astype(np.float32).transpose("run", "year", "bloc")
    ds["bloc_index"].attrs = {
        "description": "composite bloc capability (weighted geometric mean over sectors)",
        "units": "index",
    }
    if "actor_gdp_index" in ds:
        add_gdp(ds, scenario)
    return ds


def add_gdp(ds: xr.Dataset, scenario: Scenario) -> None:
    """Bloc GDP: members' 2015 GDP × their recorded GDP index (``actor_gdp_index``, ODD 7.12)."""
    ds["gdp_index"] = bloc_gdp(ds["actor_gdp_index"], scenario)
    ds["gdp_index"].attrs = {
        "description": "bloc GDP from the technology channel: members' 2015 GDP × their GDP index (ODD 7.12); "
        "compare ratios only",
        "units": "index (2015 capabilities under free trade = 1)",
    }


def bloc_gdp(actor_index: xr.DataArray, scenario: Scenario) -> xr.DataArray:
    """A (run, year, actor) GDP index summed over each bloc's members with 2015 GDP weights: (run, year, bloc)."""
    world = build_world(scenario)
    names = list(dict.fromkeys(world.blocs[b] for b in world.bloc_of))
    members = np.array([world.bloc_of == world.blocs.index(b) for b in names])
    ordered = actor_index.transpose("run", "year", "actor")
    values = economy.bloc_gdp(ordered.values.astype(np.float64), world.gdp0, members)
    coords = {"run": ordered["run"], "year": ordered["year"], "bloc": names}
    return xr.DataArray(values.astype(np.float32), dims=("run", "year", "bloc"), coords=coords)


def recompute_gdp(
    ds: xr.Dataset, scenario: Scenario, overrides: dict[str, float] | None = None, input_prices: bool = True
) -> xr.DataArray:
    """Bloc GDP index recomputed from the recorded trajectories: (run, year, bloc).

    The mapping feeds nothing back into the dynamics, so its parameters can be changed on
    finished results: ``overrides`` sets any of ``sim.economy.MAPPING_PARAMETERS`` for every
    run (``sourcing_elasticity`` then sets only the price index's θ, not the runs' sourcing),
    and ``input_prices=False`` leaves the price channel out (its ratio to ``gdp_index`` is
    what that channel costs; ``decoupling compare`` reports it).
    """
    return bloc_gdp(recompute_actor_gdp(ds, scenario, overrides, input_prices), scenario)


def recompute_actor_gdp(
    ds: xr.Dataset, scenario: Scenario, overrides: dict[str, float] | None = None, input_prices: bool = True
) -> xr.DataArray:
    """``recompute_gdp`` for each actor rather than each bloc: (run, year, actor)."""
    world = build_world(scenario)
    values = {k: ds["parameters"].sel(parameter=k).values.astype(np.float64) for k in economy.MAPPING_PARAMETERS}
    for name, value in (overrides or {}).items():
        if name not in values:
            raise KeyError(f"'{name}' is not a parameter of the GDP mapping: {', '.join(values)}")
        values[name] = np.full(ds.sizes["run"], float(value))
    effective, ratio, lost = (
        ds[name].transpose("run", "year", "actor", "sector").values.astype(np.float64)
        for name in ("capability", "supply_ratio", "lost_supply")
    )
    actor = economy.world_gdp(world, effective, ratio, lost, values, input_prices=input_prices)
    dims = ("run", "year", "actor")
    return xr.DataArray(actor, dims=dims, coords={d: ds[d] for d in dims})


def provenance(scenario: Scenario, seed: int, first_run: int) -> dict[str, str | int]:
    """Attributes that make a results file reproducible: scenario, seed, first run, versions, time."""
    return {
        "title": f"decoupling-sim results: {scenario.name}",
        "scenario_name": scenario.name,
        "scenario_json": scenario.model_dump_json(),
        "seed": int(seed),
        "first_run": int(first_run),
        "package_versions": json.dumps(package_versions()),
        "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    }


def save(ds: xr.Dataset, path: str | Path) -> Path:
    """Write a results Dataset to netCDF (written to a temporary name, then renamed)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(path.suffix + ".partial")
    encoding = {name: {"zlib": True, "complevel": 1} for name in ds.data_vars}
    ds.to_netcdf(partial, engine="netcdf4", encoding=encoding)
    partial.replace(path)
    return path


def load(path: str | Path) -> xr.Dataset:
    """Read a results file written by ``save`` (fully into memory)."""
    path = Path(path)
    if not path.exists():
        raise ScenarioError("results file not found", str(path))
    try:
        with xr.open_dataset(path, engine="netcdf4") as ds:
            loaded = ds.load()
    except (OSError, ValueError) as exc:
        raise ScenarioError(f"not a readable results file ({exc})", str(path)) from None
    if "scenario_json" not in loaded.attrs:
        raise ScenarioError("not a decoupling-sim results file (no scenario in its attributes)", str(path))
    return loaded


def scenario_of(ds: xr.Dataset) -> Scenario:
    """The scenario a results Dataset was produced from."""
    return Scenario.model_validate_json(ds.attrs["scenario_json"])

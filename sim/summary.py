"""Summary tables of results: what the CLI prints and writes to ``summary.csv``."""

from __future__ import annotations

import numpy as np
import pandas as pd
import xarray as xr

from sim.bands import band_sources
from sim.config.errors import count
from sim.periods import whole_years
from sim.results import scenario_of


def _report_years(ds: xr.Dataset) -> list[float]:
    years = ds["year"].values
    wanted = scenario_of(ds).metrics.report_years
    chosen = [float(y) for y in wanted if years[0] <= y <= years[-1]]
    return chosen or [float(years[-1])]


def summary_frame(ds: xr.Dataset) -> pd.DataFrame:
    """Long table: one row per (actor, sector, metric, year) with median and 5-95 % band."""
    scenario = scenario_of(ds)
    reference = scenario.metrics.reference_bloc
    rows = []
    years = _report_years(ds)
    rel = ds["relative_to_reference"].sel(year=years).astype(np.float64)
    q = rel.quantile([0.05, 0.5, 0.95], dim="run")
    for actor in ds["actor"].values:
        for sector in ds["sector"].values:
            for year in years:
                low, mid, high = q.sel(actor=actor, sector=sector, year=year).values
                rows.append((actor, sector, f"capability / best of {reference}", year, mid, low, high))
                p = float(ds["p_parity"].sel(actor=actor, sector=sector, year=year))
                rows.append((actor, sector, "P(parity by year)", year, p, np.nan, np.nan))
    index = ds["bloc_index"].sel(year=years).astype(np.float64)
    if reference in index["bloc"].values:
        ratio = index / index.sel(bloc=reference)
        qr = ratio.quantile([0.05, 0.5, 0.95], dim="run")
        for bloc in index["bloc"].values:
            if bloc == reference:
                continue
            for year in years:
                low, mid, high = qr.sel(bloc=bloc, year=year).values
                rows.append((bloc, "all", f"bloc index / {reference}", year, mid, low, high))
    qd = ds["decoupling_index"].sel(year=years).astype(np.float64).quantile([0.05, 0.5, 0.95], dim="run")
    for year in years:
        low, mid, high = qd.sel(year=year).values
        rows.append(("all", "all", "decoupling index", year, mid, low, high))
    return whole_years(pd.DataFrame(rows, columns=["actor", "sector", "metric", "year", "median", "q05", "q95"]))


def format_summary(ds: xr.Dataset, actors: list[str] | None = None) -> str:
    """A compact text table for the terminal."""
    scenario = scenario_of(ds)
    reference = scenario.metrics.reference_bloc
    years = _report_years(ds)
    if actors is None:
        outside = ds["bloc_of_actor"] != reference
        actors = [a for a in ("China", "Russia") if a in ds["actor"].values] or list(ds["actor"].values[outside][:2])
    lines = [
        f"Scenario '{scenario.name}': {count(ds.sizes['run'], 'run')}, "
        f"{ds['year'].values[0]:.0f}-{ds['year'].values[-1]:.0f}, "
        f"seed {ds.attrs.get('seed')}; {band_sources(scenario)}"
    ]
    index = ds["bloc_index"].astype(np.float64)
    if reference in index["bloc"].values:
        parts = []
        for bloc in index["bloc"].values:
            if bloc != reference:
                ratio = index.sel(bloc=bloc, year=years[-1]) / index.sel(bloc=reference, year=years[-1])
                low, mid, high = ratio.quantile([0.05, 0.5, 0.95]).values
                parts.append(f"{bloc} {mid:.2f} [{low:.2f}-{high:.2f}]")
        lines.append(f"Bloc index / {reference} in {years[-1]:.0f} (median [5-95%]): " + ", ".join(parts))
    di = ds["decoupling_index"].sel(year=years[-1]).astype(np.float64).quantile([0.05, 0.5, 0.95]).values
    lines.append(f"Decoupling index in {years[-1]:.0f}: {di[1]:.2f} [{di[0]:.2f}-{di[2]:.2f}]")
    header = f"{'sector':<15}" + "".join(f"{a[:14] + ' ' + str(int(y)):>22}" for a in actors for y in years)
    lines.append(
        f"Capability / best of {reference}, median (P parity by year, threshold {scenario.metrics.parity_threshold}):"
    )
    lines.append(header)
    rel = ds["relative_to_reference"].astype(np.float64).median("run")
    for sector in ds["sector"].values:
        cells = []
        for actor in actors:
            for year in years:
                value = float(rel.sel(actor=actor, sector=sector, year=year))
                p = float(ds["p_parity"].sel(actor=actor, sector=sector, year=year))
                cells.append(f"{value:>14.2f} ({p:>4.0%})")
        lines.append(f"{sector:<15}" + "".join(cells))
    return "\n".join(lines)

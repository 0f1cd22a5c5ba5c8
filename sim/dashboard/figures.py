"""The dashboard's figures and downloads, from results Datasets (matplotlib; no simulation, no interface).

``results`` holds the years simulated so far (run, year, ...); ``reference`` the unedited
scenario and ``counterfactual`` the scenario without restrictive measures, all years,
same seeds. Bands are 5-95 % across runs, lines medians.
"""

from __future__ import annotations

import io
import tempfile
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import xarray as xr
import yaml
from matplotlib.figure import Figure

from sim.config.schema import Scenario
from sim.periods import whole_year_keys
from sim.plots import COLOURS as PLOT_COLOURS
from sim.plots import branch_year, mark_branch

COLOURS = ("#d68910", "#17a589", "#34495e", "#8e44ad", "#7f8c8d")
# One colour per bloc and actor on the page, as in the CLI's plots and the notebooks (sim.plots.COLOURS).
FIXED = PLOT_COLOURS


def tint(name: str, i: int) -> str:
    """The colour of a bloc or actor: fixed for the usual ones, else from the palette."""
    return FIXED.get(str(name), COLOURS[i % len(COLOURS)])


def _band(ax, years, values: xr.DataArray, colour: str, label: str) -> None:
    # One numpy pass over the run axis (xarray's quantile per call costs several times more).
    low, mid, high = np.quantile(values.transpose("run", ...).values, (0.05, 0.5, 0.95), axis=0)
    ax.fill_between(years, low, high, color=colour, alpha=0.2, linewidth=0)
    ax.plot(years, mid, color=colour, linewidth=1.8, label=label)


def fan_chart(results: xr.Dataset, reference: xr.Dataset, actors: list[str], sectors: list[str]) -> Figure:
    """Capability relative to the West's best: one panel per sector, one band per actor; dashed: unedited."""
    sectors = sectors or [str(results["sector"].values[0])]
    fig, axes = plt.subplots(1, len(sectors), figsize=(4.2 * len(sectors), 3.2), squeeze=False)
    full = reference["year"].values
    for ax, sector in zip(axes[0], sectors, strict=True):
        for i, actor in enumerate(actors):
            colour = tint(actor, i)
            values = results["relative_to_reference"].sel(actor=actor, sector=sector)
            _band(ax, results["year"].values, values, colour, actor)
            unedited = np.median(reference["relative_to_reference"].sel(actor=actor, sector=sector).values, axis=0)
            ax.plot(full, unedited, color=colour, linestyle="--", linewidth=1, alpha=0.8)
        ax.axhline(0.9, color="black", linewidth=0.6, linestyle=":")
        mark_branch(ax, branch_year(reference), label=False)
        ax.set_xlim(full[0], full[-1])
        ax.set_title(f"{sector}: capability / West's best", fontsize=9)
        ax.grid(alpha=0.3)
    axes[0, 0].legend(fontsize=7, frameon=False)
    axes[0, 0].set_ylabel("capability / West's best (ratio)\ndashed: unedited; dotted: parity 0.9", fontsize=7)
    fig.subplots_adjust(left=0.08, right=0.98, bottom=0.12, top=0.9, wspace=0.25)
    return fig


def bloc_index_chart(results: xr.Dataset, reference: xr.Dataset) -> Figure:
    """Each bloc's capability index relative to the West's, edited (bands) and unedited (dashed)."""
    fig, ax = plt.subplots(figsize=(5.2, 3.2))
    full = reference["year"].values
    for i, bloc in enumerate(b for b in results["bloc"].values if b != "West"):
        colour = tint(bloc, i)
        ratio = results["bloc_index"].sel(bloc=bloc) / results["bloc_index"].sel(bloc="West")
        _band(ax, results["year"].values, ratio, colour, str(bloc))
        unedited = np.median(
            (reference["bloc_index"].sel(bloc=bloc) / reference["bloc_index"].sel(bloc="West")).values, 0
        )
        ax.plot(full, unedited, color=colour, linestyle="--", linewidth=1)
    mark_branch(ax, branch_year(reference), label=False)
    ax.set_xlim(full[0], full[-1])
    ax.set_ylabel("bloc index / West's (ratio)", fontsize=7)
    ax.set_title("Bloc capability index / West's (dashed: unedited)", fontsize=9)
    ax.legend(fontsize=7, frameon=False)
    ax.grid(alpha=0.3)
    fig.subplots_adjust(left=0.1, right=0.97, bottom=0.12, top=0.9)
    return fig


def gap_heatmap(results: xr.Dataset) -> Figure:
    """Median capability / West's best in the latest simulated year: actors outside the West × sectors."""
    last = results.isel(year=-1)
    blocs = results["bloc_of_actor"].values
    outside = [str(a) for a, b in zip(results["actor"].values, blocs, strict=True) if b != "West"]
    values = np.median(last["relative_to_reference"].sel(actor=outside).transpose("run", ...).values, axis=0)
    fig, ax = plt.subplots(figsize=(7.5, 0.5 * len(outside) + 1.6))
    image = ax.imshow(values, cmap="RdYlGn", vmin=0, vmax=1.2, aspect="auto")
    ax.set_xticks(range(values.shape[1]), [str(s) for s in results["sector"].values], rotation=45, ha="right")
    ax.set_yticks(range(len(outside)), outside)
    # No number in each cell: every text extent costs milliseconds, and the colour bar reads the same.
    ax.set_title(f"Gap to the West's best in {float(last['year']):.0f} (median capability ratio)", fontsize=9)
    fig.colorbar(image, ax=ax, fraction=0.03, label="ratio (fixed scale 0-1.2)")
    fig.subplots_adjust(left=0.16, right=0.97, bottom=0.3, top=0.88)
    return fig


def cost_of_decoupling(results: xr.Dataset, counterfactual: xr.Dataset) -> dict[str, xr.DataArray]:
    """Loss of each bloc against the counterfactual, run by run: {measure: (run, year, bloc)}, 0.05 = 5 %."""
    years = results["year"].values
    out = {}
    for measure, variable in (("capability", "bloc_index"), ("GDP", "gdp_index")):
        ratio = results[variable] / counterfactual[variable].sel(year=years)
        out[measure] = 1.0 - ratio
    return out


def cost_chart(results: xr.Dataset, counterfactual: xr.Dataset) -> Figure:
    """The cost of decoupling so far, both measures, one band per bloc."""
    costs = cost_of_decoupling(results, counterfactual)
    fig, axes = plt.subplots(1, 2, figsize=(9, 3.2), sharey=False)
    full = counterfactual["year"].values
    for ax, (measure, cost) in zip(axes, costs.items(), strict=True):
        for i, bloc in enumerate(results["bloc"].values):
            _band(ax, results["year"].values, 100 * cost.sel(bloc=bloc), tint(bloc, i), str(bloc))
        ax.axhline(0, color="black", linewidth=0.6)
        mark_branch(ax, branch_year(counterfactual), label=False)
        ax.set_xlim(full[0], full[-1])
        ax.set_title(f"Cost of decoupling, {measure} (% below no-decoupling)", fontsize=9)
        ax.grid(alpha=0.3)
    axes[0].legend(fontsize=7, frameon=False)
    axes[0].set_ylabel("% below the counterfactual", fontsize=7)
    fig.subplots_adjust(left=0.06, right=0.98, bottom=0.12, top=0.9, wspace=0.2)
    return fig


def scenario_yaml(scenario: Scenario) -> str:
    """The edited scenario as YAML that ``decoupling run`` accepts unchanged (self-contained).

    The posterior's draws are written out and its file name dropped, so the file does not
    depend on where it is saved.
    """
    data = scenario.model_dump(mode="json", exclude={"extends"})
    ensemble = data.get("ensemble", {})
    if ensemble.get("draws"):
        ensemble.pop("posterior", None)
    elif "posterior" in ensemble and ensemble["posterior"] is None:
        ensemble.pop("posterior")
    header = f"# Scenario edited in the dashboard from '{scenario.name.removesuffix('_edited')}'.\n"
    return header + yaml.safe_dump(whole_year_keys(data), sort_keys=False, allow_unicode=True)


def netcdf_bytes(results: xr.Dataset) -> bytes:
    """The current results as a netCDF file (what ``decoupling run`` writes)."""
    from sim.results import save

    with tempfile.TemporaryDirectory() as folder:
        path = save(results, Path(folder) / "dashboard.nc")
        return path.read_bytes()


def summary_csv(results: xr.Dataset) -> bytes:
    """The summary table of the current results as CSV."""
    from sim.summary import summary_frame

    buffer = io.StringIO()
    summary_frame(results).to_csv(buffer, index=False)
    return buffer.getvalue().encode()

"""Matplotlib figures from results. No simulation here: every function takes a Dataset.

Each function returns a ``matplotlib.figure.Figure``; ``save_standard_plots`` writes the
set the CLI produces. Bands are 5-95 % across runs, lines are medians.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import xarray as xr
from matplotlib.colors import TwoSlopeNorm
from matplotlib.figure import Figure

from sim.config.errors import count
from sim.periods import TIME_AXIS

HEATMAP_MAX = 1.5  # capability ratios above this share one colour (the scale is fixed)
COLOURS = {
    "United States": "#1f4e9c",
    "European Union": "#4c8fd6",
    "Japan": "#7fb3e6",
    "South Korea": "#9ecae1",
    "Taiwan": "#6baed6",
    "China": "#c0392b",
    "Russia": "#7d3c98",
    "Third countries": "#7f8c8d",
    "West": "#1f4e9c",
    "Neutral": "#7f8c8d",
}


def _colour(name: str, i: int) -> str | tuple[float, float, float, float]:
    return COLOURS.get(name) or plt.get_cmap("tab10")(i % 10)


def branch_year(ds: xr.Dataset) -> float | None:
    """The scenario's branch year (history replayed before it), from the results' scenario record."""
    import json

    try:
        return float(json.loads(ds.attrs["scenario_json"])["time"]["branch_year"])
    except (KeyError, TypeError, ValueError):
        return None


def mark_branch(ax, year: float | None, label: bool = True) -> None:
    """A dashed vertical line where history ends and the scenario's own policies begin."""
    if year is None:
        return
    ax.axvline(year, color="0.35", linewidth=0.8, linestyle="--", zorder=0)
    if label:
        ax.annotate(
            f"history | scenario ({year:.0f})",
            (year, 1.0),
            xycoords=("data", "axes fraction"),
            xytext=(3, -3),
            textcoords="offset points",
            fontsize=6.5,
            color="0.35",
            va="top",
        )


def _band(ax, years: np.ndarray, data: xr.DataArray, label: str, colour: str | tuple[float, ...]) -> None:
    low, mid, high = (data.quantile(q, dim="run").values for q in (0.05, 0.5, 0.95))
    ax.fill_between(years, low, high, color=colour, alpha=0.2, linewidth=0)
    ax.plot(years, mid, color=colour, label=label, linewidth=1.8)


def fan_chart(
    ds: xr.Dataset,
    actors: Sequence[str] = ("United States", "China", "Russia"),
    sectors: Sequence[str] | None = None,
    variable: str = "relative_to_reference",
    share_y: bool | None = None,
) -> Figure:
    """Median and 5-95 % band of a per-actor, per-sector variable over time, one panel per sector.

    ``share_y`` (default: for ratios to the reference, which compare like with like) gives
    every panel the same y-scale. The branch year is marked on every panel.
    """
    _require(ds, variable, actors)
    sectors = list(sectors or ds["sector"].values)
    columns = min(4, len(sectors))
    rows = int(np.ceil(len(sectors) / columns))
    if share_y is None:
        share_y = variable in ("relative_to_reference", "relative_capability")
    fig, axes = plt.subplots(
        rows, columns, figsize=(3.6 * columns, 2.8 * rows), sharex=True, sharey=bool(share_y), squeeze=False
    )
    years = ds["year"].values
    branch = branch_year(ds)
    for k, (ax, sector) in enumerate(zip(axes.flat, sectors, strict=False)):
        mark_branch(ax, branch, label=k == 0)
        for i, actor in enumerate(actors):
            _band(ax, years, ds[variable].sel(actor=actor, sector=sector), actor, _colour(actor, i))
        ax.set_title(sector.replace("_", " "), fontsize=10)
        ax.grid(alpha=0.3)
        if variable in ("relative_to_reference", "relative_capability"):
            ax.axhline(1.0, color="black", linewidth=0.6, linestyle=":")
    for ax in axes.flat[len(sectors) :]:
        ax.set_visible(False)
    for ax in axes[-1]:
        ax.set_xlabel(TIME_AXIS)
    description = ds[variable].attrs.get("description", variable.replace("_", " "))
    for row in axes:
        row[0].set_ylabel(axis_label(ds, variable))
    header = 0.75 / (2.8 * rows + 0.75)  # share of the figure height kept for title and legend
    footer = 0.3 / (2.8 * rows + 0.75) if band_caption(fig, ds) else 0.0
    fig.tight_layout(rect=(0, footer, 1, 1 - header))
    handles, labels = axes.flat[0].get_legend_handles_labels()
    fig.legend(
        handles,
        labels,
        loc="center",
        bbox_to_anchor=(0.5, 1 - 0.62 * header),
        ncol=len(actors),
        frameon=False,
        fontsize=9,
    )
    fig.suptitle(
        f"{ds.attrs.get('scenario_name', '')}: {description} (median, 5-95 % of {count(ds.sizes['run'], 'run')})",
        y=1 - 0.15 * header,
        fontsize=11,
    )
    return fig


def bloc_index_plot(ds: xr.Dataset, relative_to: str | None = "West") -> Figure:
    """Composite bloc capability index over time; with ``relative_to``, also as a ratio to that bloc."""
    panels = 2 if relative_to else 1
    fig, axes = plt.subplots(1, panels, figsize=(6 * panels, 4), squeeze=False)
    years = ds["year"].values
    index = ds["bloc_index"]
    for i, bloc in enumerate(index["bloc"].values):
        _band(axes[0, 0], years, index.sel(bloc=bloc), str(bloc), _colour(str(bloc), i))
    axes[0, 0].set_ylabel("bloc capability index\n(best actor of 2015 ≈ 1 in each sector)")
    axes[0, 0].set_title("Bloc capability index")
    if relative_to:
        for i, bloc in enumerate(index["bloc"].values):
            if bloc == relative_to:
                continue
            _band(
                axes[0, 1], years, index.sel(bloc=bloc) / index.sel(bloc=relative_to), str(bloc), _colour(str(bloc), i)
            )
        axes[0, 1].axhline(1.0, color="black", linewidth=0.6, linestyle=":")
        axes[0, 1].set_ylabel(f"bloc index / {relative_to}'s (ratio; 1 = level)")
        axes[0, 1].set_title(f"Bloc index relative to {relative_to}")
    for ax in axes.flat:
        mark_branch(ax, branch_year(ds))
        ax.set_xlabel(TIME_AXIS)
        ax.grid(alpha=0.3)
        ax.legend(frameon=False, fontsize=9)
    fig.suptitle(
        f"{ds.attrs.get('scenario_name', '')} (median, 5-95 % of {count(ds.sizes['run'], 'run')})", fontsize=11
    )
    fig.tight_layout(rect=(0, 0.07 if band_caption(fig, ds) else 0.0, 1, 1))
    return fig


def band_caption(fig: Figure, ds: xr.Dataset) -> bool:
    """Write what the bands hold at the foot of ``fig`` (``sim.bands``); False if ``ds`` names no scenario."""
    from sim.bands import band_sources
    from sim.results import scenario_of

    if "scenario_json" not in ds.attrs:
        return False
    text = "Bands: 5-95 % across runs; " + band_sources(scenario_of(ds)).removeprefix("bands ") + "."
    fig.text(0.5, 0.01, text, ha="center", va="bottom", fontsize=7.5, wrap=True, color="0.3")
    return True


def gap_heatmap(ds: xr.Dataset, year: float | None = None, variable: str = "relative_to_reference") -> Figure:
    """Median of ``variable`` at one year as an actor × sector heatmap (default: the last year)."""
    year = float(ds["year"].values[-1]) if year is None else float(year)
    if year not in ds["year"].values:
        raise ValueError(f"year {year} is not in the results ({ds['year'].values[0]}-{ds['year'].values[-1]})")
    data = ds[variable].sel(year=year).median("run")
    fig, ax = plt.subplots(figsize=(1.0 + 0.75 * ds.sizes["sector"], 0.9 + 0.5 * ds.sizes["actor"]))
    # A fixed scale centred on parity: the same colour means the same gap in every figure.
    norm = TwoSlopeNorm(vmin=0.0, vcenter=1.0, vmax=HEATMAP_MAX)
    image = ax.imshow(np.clip(data.values, 0.0, HEATMAP_MAX), cmap="RdYlBu", norm=norm, aspect="auto")
    ax.set_xticks(
        range(ds.sizes["sector"]), [str(s).replace("_", " ") for s in data["sector"].values], rotation=45, ha="right"
    )
    ax.set_yticks(range(ds.sizes["actor"]), data["actor"].values)
    for (i, j), value in np.ndenumerate(data.values):
        ax.text(
            j,
            i,
            f"{value:.2f}",
            ha="center",
            va="center",
            fontsize=7,
            color="white" if value < 0.25 or value > 1.3 else "black",
        )
    fig.colorbar(image, ax=ax, label=f"{axis_label(ds, variable)}\n(fixed scale 0-{HEATMAP_MAX:g}, centred on 1)")
    ax.set_title(f"{ds.attrs.get('scenario_name', '')}: median {variable.replace('_', ' ')} in {year:.0f}")
    fig.tight_layout()
    return fig


def axis_label(ds: xr.Dataset, variable: str) -> str:
    """A y-axis label with the variable's base or unit, from its attributes."""
    if variable == "relative_to_reference":
        return "capability / West's best\n(ratio; 1 = parity)"
    attrs = ds[variable].attrs
    description = attrs.get("description", variable.replace("_", " "))
    units = attrs.get("units")
    return f"{description}\n({units})" if units else description


def save_standard_plots(ds: xr.Dataset, folder: str | Path, actors: Sequence[str] | None = None) -> list[Path]:
    """Write the CLI's figures as PNG files and return their paths."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    present = [a for a in (actors or ("United States", "China", "Russia")) if a in ds["actor"].values]
    if not present:
        present = list(ds["actor"].values[:3])
    figures = {
        "capability_fan.png": fan_chart(ds, present),
        "bloc_index.png": bloc_index_plot(ds, "West" if "West" in ds["bloc"].values else None),
        "gap_heatmap.png": gap_heatmap(ds),
    }
    paths = []
    for name, fig in figures.items():
        path = folder / name
        fig.savefig(path, dpi=110, bbox_inches="tight")
        plt.close(fig)
        paths.append(path)
    return paths


def _require(ds: xr.Dataset, variable: str, actors: Sequence[str]) -> None:
    if variable not in ds:
        raise ValueError(f"no variable '{variable}' in the results")
    missing = [a for a in actors if a not in ds["actor"].values]
    if missing:
        raise ValueError(f"unknown actor(s): {', '.join(missing)}")

"""Plots of a policy search: parallel coordinates of the Pareto set, convergence, a trade-off scatter."""

from __future__ import annotations

from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from sim.policy.spec import PolicySpec


def parallel_figure(spec: PolicySpec, pareto: pd.DataFrame) -> Figure:
    """Levers and re-evaluated robust objectives of each Pareto policy on parallel axes (each axis 0-1 of its range)."""
    columns = [*spec.levers, *(f"reeval:{o.name}" for o in spec.objectives)]
    data = pareto[columns].to_numpy(dtype=float)
    low = np.array([r.low for r in spec.levers.values()] + list(np.nanmin(data[:, len(spec.levers) :], axis=0)))
    high = np.array([r.high for r in spec.levers.values()] + list(np.nanmax(data[:, len(spec.levers) :], axis=0)))
    scaled = (data - low) / np.where(high > low, high - low, 1.0)
    fig, ax = plt.subplots(figsize=(1.6 * len(columns) + 2, 4.2))
    colour_by = data[:, len(spec.levers)]
    colours = plt.cm.viridis((colour_by - colour_by.min()) / max(np.ptp(colour_by), 1e-12))
    for row, colour in zip(scaled, colours, strict=True):
        ax.plot(range(len(columns)), row, color=colour, alpha=0.8, linewidth=1.4)
    for i, (lo, hi) in enumerate(zip(low, high, strict=True)):
        ax.axvline(i, color="black", linewidth=0.6)
        ax.text(i, -0.06, f"{lo:.3g}", ha="center", va="top", fontsize=7)
        ax.text(i, 1.04, f"{hi:.3g}", ha="center", va="bottom", fontsize=7)
    labels = [*spec.levers, *(f"{o.name}\n({o.direction[:3]})" for o in spec.objectives)]
    ax.set_xticks(range(len(columns)), labels, fontsize=8)
    ax.set_yticks([])
    ax.set_ylim(-0.12, 1.1)
    ax.axvspan(len(spec.levers) - 0.5, len(columns) - 0.5, color="grey", alpha=0.08)
    ax.set_title(f"{spec.name}: Pareto policies (levers | re-evaluated robust objectives; colour: "
                 f"{spec.objectives[0].name})", fontsize=9)  # fmt: skip
    fig.tight_layout()
    return fig


def convergence_figure(convergence: pd.DataFrame) -> Figure:
    """ε-progress and hypervolume against the number of policy evaluations."""
    fig, axes = plt.subplots(1, 2, figsize=(9, 3.2))
    axes[0].plot(convergence["nfe"], convergence["epsilon_progress"], marker=".")
    axes[0].set_xlabel("policy evaluations (NFE)")
    axes[0].set_ylabel("ε-progress (archive improvements)")
    axes[1].plot(convergence["nfe"], convergence["hypervolume"], marker=".", color="#c0392b")
    axes[1].set_xlabel("policy evaluations (NFE)")
    axes[1].set_ylabel("hypervolume (normalised objectives)")
    for ax in axes:
        ax.grid(alpha=0.3)
    fig.tight_layout()
    return fig


def tradeoff_figure(spec: PolicySpec, pareto: pd.DataFrame, evaluated: np.ndarray) -> Figure:
    """The first two objectives: every evaluated policy (grey) and the Pareto set (as searched)."""
    fig, ax = plt.subplots(figsize=(5.5, 4.2))
    n = len(spec.levers)
    first = spec.objectives[0]
    second = spec.objectives[1] if len(spec.objectives) > 1 else first
    j = 1 if len(spec.objectives) > 1 else 0
    ax.scatter(evaluated[:, n], evaluated[:, n + j], s=6, color="#b0b0b0", label="evaluated policies")
    ax.scatter(pareto[f"search:{first.name}"], pareto[f"search:{second.name}"], s=30, color="#c0392b",
               label="Pareto set")  # fmt: skip
    ax.set_xlabel(f"{first.name}: {first.outcome} ({first.direction})")
    ax.set_ylabel(f"{second.name}: {second.outcome} ({second.direction})")
    ax.legend(fontsize=8, frameon=False)
    ax.grid(alpha=0.3)
    fig.tight_layout()
    return fig


def save_plots(spec: PolicySpec, pareto: pd.DataFrame, convergence: pd.DataFrame, evaluated, out: Path) -> None:
    """parallel.png, convergence.png and tradeoff.png in ``out``."""
    for name, figure in (
        ("parallel.png", parallel_figure(spec, pareto)),
        ("convergence.png", convergence_figure(convergence)),
        ("tradeoff.png", tradeoff_figure(spec, pareto, evaluated)),
    ):
        figure.savefig(out / name, dpi=110)
        plt.close(figure)

"""Compare scenarios run with common random numbers, and the cost of decoupling.

Every scenario is run with the same seed, so run i of each shares its shocks, and the
paired difference run by run isolates the policy. The cost of decoupling of a scenario
is its bloc capability (and its GDP, from the production network) relative to a no-decoupling
counterfactual with the same seeds: the same scenario without restrictive measures
(replayed or its own controls, counter-controls, sanctions, data localisation, and
endogenous escalation); investment programmes, agreements and projects are kept.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr

import sim
from sim.config import load_scenario
from sim.config.schema import Scenario
from sim.periods import whole_years
from sim.results import recompute_gdp, scenario_of

KEY_OUTCOMES = {
    "China / West bloc index": lambda ds: ds.bloc_index.sel(bloc="China") / ds.bloc_index.sel(bloc="West"),
    "Russia / West bloc index": lambda ds: ds.bloc_index.sel(bloc="Russia") / ds.bloc_index.sel(bloc="West"),
    "decoupling index": lambda ds: ds.decoupling_index,
    "China chips / best of West": lambda ds: ds.relative_to_reference.sel(actor="China", sector="semiconductors"),
    "China AI / best of West": lambda ds: ds.relative_to_reference.sel(actor="China", sector="ai"),
    "Russia-China cooperation": lambda ds: ds.cooperation.sel(actor="Russia", partner="China"),
    # What the West itself keeps, not only what decoupling costs it (compare ratios across scenarios).
    "West bloc index (own)": lambda ds: ds.bloc_index.sel(bloc="West"),
    "West GDP index (own)": lambda ds: ds.gdp_index.sel(bloc="West"),
}
UNITS = {
    "decoupling index": "index 0-1",
    "Russia-China cooperation": "level 0-1",
    "West bloc index (own)": "index (best actor of 2015 ≈ 1)",
    "West GDP index (own)": "technology channel, 2015 = 1 (ratios only)",
}


def counterfactual(scenario: Scenario) -> Scenario:
    """The same scenario with no restrictive measure: no controls, sanctions, data localisation or escalation.

    Investment programmes, cooperation agreements, joint projects, trust and supply shocks
    stay, in the replayed history and in the scenario's own policies alike.
    """
    policies = scenario.policies.model_copy(update={"export_controls": [], "sanctions": [], "data_localisation": []})
    return scenario.model_copy(
        update={
            "name": f"{scenario.name} (no decoupling)",
            "policies": policies,
            "history": scenario.history.model_copy(update={"restrictions": False}),
            "rules": scenario.rules.model_copy(update={"endogenous_escalation": False}),
        }
    )


@dataclass
class Comparison:
    """Results of a comparison: one Dataset per scenario and the tables built from them."""

    results: dict[str, xr.Dataset]
    table: pd.DataFrame  # outcome × scenario: median [5-95 %] and paired difference to the first
    cost: pd.DataFrame  # long form: scenario, bloc, year, measure (COST_MEASURES), median, q05, q95
    years: list[float]
    notes: dict[tuple[str, float], str] = field(default_factory=dict)  # (scenario, year): why no difference
    sources: pd.DataFrame = field(default_factory=pd.DataFrame)  # Sobol indices by source (empty unless asked)


def _available(ds: xr.Dataset) -> dict:
    out = {}
    for name, pick in KEY_OUTCOMES.items():
        try:
            out[name] = pick(ds)
        except (KeyError, ValueError):
            continue
    return out


def compare(
    paths: Sequence[str | Path],
    runs: int = 200,
    seed: int = 1,
    years: Sequence[float] = (2035, 2050),
    by_source: int = 0,
) -> Comparison:
    """Run scenarios (the first is the reference of the paired differences) and their counterfactuals.

    ``by_source`` > 0 also decomposes each scenario's cost of decoupling by source of spread
    (``sim.analysis.sources``) with that many Saltelli base samples.
    """
    scenarios = {}
    for path in paths:
        scenario = load_scenario(path)
        name = scenario.name if scenario.name not in scenarios else f"{scenario.name} ({Path(path).stem})"
        scenarios[name] = scenario
    results = {name: sim.run(s, runs=runs, seed=seed) for name, s in scenarios.items()}
    years = [float(y) for y in years if any(np.isclose(next(iter(results.values()))["year"].values, y))]
    reference = next(iter(results))
    rows = []
    for outcome in _available(results[reference]):
        for name, ds in results.items():
            values = _available(ds)[outcome].astype(np.float64)
            base = _available(results[reference])[outcome].astype(np.float64)
            for year in years:
                v = values.sel(year=year)
                d = (values - base).sel(year=year)
                q = v.quantile([0.05, 0.5, 0.95], dim="run").values
                qd = d.quantile([0.05, 0.5, 0.95], dim="run").values
                rows.append(
                    {
                        "outcome": outcome,
                        "scenario": name,
                        "year": year,
                        "median": q[1],
                        "q05": q[0],
                        "q95": q[2],
                        "paired_difference": qd[1],
                        "difference_q05": qd[0],
                        "difference_q95": qd[2],
                    }
                )
    report = sorted({*years, *(float(y) for s in scenarios.values() for y in s.metrics.report_years)})
    cost = pd.concat(
        [
            cost_table(name, results[name], sim.run(counterfactual(scenario), runs=runs, seed=seed), report)
            for name, scenario in scenarios.items()
        ],
        ignore_index=True,
    )
    table = whole_years(pd.DataFrame(rows))
    notes = no_difference_notes(table, scenarios, reference)
    table["note"] = [notes.get((r.scenario, float(r.year)), "") for r in table.itertuples()]
    sources = pd.DataFrame()
    if by_source:
        from sim.analysis.sources import by_source as decompose

        parts = [decompose(scenario, by_source, seed).assign(scenario=name) for name, scenario in scenarios.items()]
        sources = whole_years(pd.concat(parts, ignore_index=True))
    return Comparison(results, table, cost, years, notes, sources)


NEGLIGIBLE = 5e-3  # a paired difference below 0.5 % of the outcome's median counts as none


def no_difference_notes(table: pd.DataFrame, scenarios: dict[str, Scenario], reference: str) -> dict:
    """Why a scenario shows no difference from the reference in a year: {(scenario, year): sentence}.

    A difference is none when every key outcome's paired difference (median and 5-95 %) is
    below ``NEGLIGIBLE`` of its median. The sentence names the scenario's time-limited
    measures that ended before the year, and the mechanism that lets their effect fade.
    """
    notes = {}
    for (name, year), group in table[table["scenario"] != reference].groupby(["scenario", "year"]):
        scale = np.maximum(group["median"].abs().to_numpy(), 1e-9)
        spread = group[["paired_difference", "difference_q05", "difference_q95"]].abs().max(axis=1).to_numpy()
        if not (spread <= NEGLIGIBLE * scale).all():
            continue
        ended = _ended_measures(scenarios[name], float(year))
        if ended:
            notes[(name, float(year))] = (
                f"no lasting difference from '{reference}' in {year:.0f}: its temporary measures ended before then "
                f"({'; '.join(ended)}); inputs act on the level of capability and buyers return to a disrupted "
                "supplier at the tie-recovery rate (about 8 years), so the effect fades (ODD 7.4)"
            )
        else:
            notes[(name, float(year))] = (
                f"no difference from '{reference}' in {year:.0f}: this scenario's measures do not move these "
                "outcomes in the model (same seeds, so the runs match)"
            )
    return notes


def _ended_measures(scenario: Scenario, year: float) -> list[str]:
    p = scenario.policies
    ended = [f"supply shock on {s.supplier} {', '.join(s.sectors)} {s.start:g}-{s.end:g}" for s in p.supply_shocks
             if s.end < year]  # fmt: skip
    ended += [f"trust shock {' & '.join(t.between)} {t.year:g}" for t in p.trust_shocks if t.year < year]
    return ended


COST_MEASURES = {
    "capability": "bloc_index",
    "gdp": "gdp_index",
    # The part of the GDP cost that comes through input prices (ODD 7.12): the GDP cost minus
    # the GDP cost with the price channel left out, run by run.
    "gdp_input_prices": "gdp_index",
}
COST_LABELS = {"capability": "capability", "gdp": "GDP", "gdp_input_prices": "of which prices"}


def _loss(scenario: xr.Dataset, free: xr.Dataset, variable: str) -> xr.DataArray:
    return 1.0 - scenario[variable].astype(np.float64) / free[variable].astype(np.float64)


def cost_table(name: str, scenario: xr.Dataset, free: xr.Dataset, years: Sequence[float]) -> pd.DataFrame:
    """Cost of decoupling in long form: ``scenario, bloc, year, measure, median, q05, q95``.

    The cost is ``1 − index / index of the counterfactual`` run by run (same seeds), for the
    bloc capability index (``capability``) and bloc GDP (``gdp``); positive is a loss.
    ``gdp_input_prices`` is the part of the GDP cost that comes through input prices. Years not
    simulated are left out.
    """
    simulated = [y for y in years if np.isclose(scenario["year"].values, y).any()]
    rows = []
    for measure, variable in COST_MEASURES.items():
        if measure == "gdp_input_prices":
            fixed, fixed_free = (recompute_gdp(ds, scenario_of(ds), input_prices=False) for ds in (scenario, free))
            loss = _loss(scenario, free, "gdp_index") - (1.0 - fixed / fixed_free)
        else:
            loss = _loss(scenario, free, variable)
        q = loss.sel(year=simulated).quantile([0.5, 0.05, 0.95], dim="run")
        for bloc in loss["bloc"].values:
            for year in simulated:
                median, low, high = q.sel(bloc=bloc, year=year).values
                rows.append(
                    {
                        "scenario": name,
                        "bloc": str(bloc),
                        "year": float(year),
                        "measure": measure,
                        "median": median,
                        "q05": low,
                        "q95": high,
                    }
                )
    return whole_years(pd.DataFrame(rows, columns=["scenario", "bloc", "year", "measure", "median", "q05", "q95"]))


def cost_of_decoupling(paths: Sequence[str | Path], runs: int = 200, seed: int = 1) -> pd.DataFrame:
    """The table ``decoupling compare`` writes as cost_of_decoupling.csv, for the given scenarios."""
    return compare(paths, runs=runs, seed=seed).cost


def format_comparison(comparison: Comparison) -> str:
    """The comparison as printed by ``decoupling compare``: key outcomes and the cost of decoupling, per year."""
    from sim.bands import bands_heading

    heading = bands_heading({name: scenario_of(ds) for name, ds in comparison.results.items()})
    return heading + "\n\n" + "\n\n".join(_format_year(comparison, year) for year in comparison.years)


def _format_year(comparison: Comparison, year: float) -> str:
    lines = []
    reference = next(iter(comparison.results))
    lines.append(f"Key outcomes in {year:.0f}: median [5-95 %]; paired difference to '{reference}' (same seeds)")
    table = comparison.table[comparison.table["year"] == year]
    for outcome, group in table.groupby("outcome", sort=False):
        lines.append(f"  {outcome}" + (f" ({UNITS[outcome]})" if outcome in UNITS else " (ratio)"))
        for _, row in group.iterrows():
            diff = (
                ""
                if row["scenario"] == reference
                else (
                    f"   diff {row['paired_difference']:+.3f} "
                    f"[{row['difference_q05']:+.3f}, {row['difference_q95']:+.3f}]"
                )
            )
            lines.append(f"    {row['scenario']:<28} {row['median']:.3f} [{row['q05']:.3f}-{row['q95']:.3f}]{diff}")
    lines.append(
        f"Cost of decoupling in {year:.0f}: loss against a counterfactual without restrictive measures "
        "(same seeds), median [5-95 %]; GDP from each actor's production network, its elasticities "
        "the same in every run (ODD 7.12)"
    )
    cost = comparison.cost[comparison.cost["year"] == year]
    for (name, measure), group in cost.groupby(["scenario", "measure"], sort=False):
        parts = [f"{r['bloc']} {r['median']:+.1%} [{r['q05']:+.1%}, {r['q95']:+.1%}]" for _, r in group.iterrows()]
        label = COST_LABELS[measure]
        lines.append(f"    {name:<24} {label:<15} " + ", ".join(parts))
    for (name, at), note in comparison.notes.items():
        if at == year:
            lines.append(f"  note: {name}: {note}")
    if not comparison.sources.empty:
        from sim.analysis.sources import format_sources

        for name, table in comparison.sources.groupby("scenario", sort=False):
            if text := format_sources(table, str(name), year):
                lines.append(text)
    return "\n".join(lines)


def comparison_figure(comparison: Comparison):
    """One panel per key outcome, every scenario in it (median and 5-95 %); the reference drawn on top.

    Readable with six or more scenarios: light bands, one colour per scenario, and the
    reference a thick black line above the others; the branch year is marked.
    """
    import matplotlib.pyplot as plt

    from sim.plots import branch_year, mark_branch

    reference = next(iter(comparison.results))
    outcomes = list(_available(comparison.results[reference]))
    columns = min(4, len(outcomes))
    rows = int(np.ceil(len(outcomes) / columns))
    fig, axes = plt.subplots(rows, columns, figsize=(4.3 * columns, 3.2 * rows + 0.8), squeeze=False, sharex=True)
    colours = plt.get_cmap("tab10")
    names = list(comparison.results)
    order = [*names[1:], reference]  # the reference last, so that it is never hidden
    for ax, outcome in zip(axes.flat, outcomes, strict=False):
        for name in order:
            ds = comparison.results[name]
            values = _available(ds)[outcome].astype(np.float64)
            low, mid, high = values.quantile([0.05, 0.5, 0.95], dim="run").values
            is_reference = name == reference
            colour = "black" if is_reference else colours(names.index(name) % 10)
            ax.fill_between(ds["year"], low, high, color=colour, alpha=0.08 if is_reference else 0.1, linewidth=0)
            ax.plot(ds["year"], mid, color=colour, linewidth=2.4 if is_reference else 1.4, label=name)
        mark_branch(ax, branch_year(comparison.results[reference]), label=False)
        ax.set_title(outcome, fontsize=10)
        ax.set_ylabel(UNITS.get(outcome, "ratio"), fontsize=8)
        ax.grid(alpha=0.3)
    for ax in axes.flat[len(outcomes) :]:
        ax.set_visible(False)
    for ax in axes[-1]:
        ax.set_xlabel("year")
    handles, labels = axes.flat[0].get_legend_handles_labels()
    fig.legend(handles[::-1], labels[::-1], loc="upper center", ncol=min(len(names), 6), frameon=False, fontsize=9)
    from sim.bands import bands_heading

    sources = bands_heading({name: scenario_of(ds) for name, ds in comparison.results.items()})
    fig.suptitle(
        f"median and 5-95 % of runs; the first scenario in black; dashed: branch year.\n{sources}",
        y=0.005,
        fontsize=8,
    )
    fig.tight_layout(rect=(0, 0.05, 1, 1 - 0.5 / (3.2 * rows + 0.8)))
    return fig

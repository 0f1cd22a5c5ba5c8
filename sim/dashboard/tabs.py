"""The dashboard's tabs: what each shows of the session's current frame (``sim.dashboard.app`` lays them out)."""

from __future__ import annotations

import solara

from sim.bands import band_sources, sentence
from sim.dashboard import charts, figures
from sim.dashboard.levers import LEVERS
from sim.dashboard.model import MAX_RUNS
from sim.dashboard.network import network_chart
from sim.dashboard.session import Frame, Session
from sim.dashboard.vega import Chart

chosen_actors = solara.reactive(["China", "Russia"])  # per browser session (Solara scopes these per kernel)
chosen_sectors = solara.reactive(["semiconductors", "ai"])
policy_folder = solara.reactive("")  # the Policies tab's search folder and chosen policy (kept across tabs)
policy_choice: solara.Reactive[int | None] = solara.reactive(None)


@solara.component
def Trajectories(frame: Frame):
    """Fan charts for the chosen actors and sectors, and the bloc indices."""
    world = frame.model.world
    actors = [a for a, b in zip(world.actors, world.bloc_of, strict=True) if world.blocs[b] != "West"]
    with solara.Row():
        solara.SelectMultiple("Actors", values=chosen_actors.value, all_values=actors, on_value=chosen_actors.set)
        solara.SelectMultiple("Sectors (up to 3)", values=chosen_sectors.value, all_values=list(world.sectors),
                              on_value=chosen_sectors.set)  # fmt: skip
    shown_actors = [a for a in chosen_actors.value if a in actors] or actors[:1]
    shown_sectors = [s for s in chosen_sectors.value if s in world.sectors][:3] or list(world.sectors[:1])
    specs = solara.use_memo(
        lambda: [charts.fan_chart(frame.results, frame.reference, shown_actors, s) for s in shown_sectors],
        [frame.serial, tuple(shown_actors), tuple(shown_sectors)],
    )
    with solara.Columns([1] * len(specs)):
        for spec in specs:
            Chart(spec)
    Chart(solara.use_memo(lambda: charts.bloc_index_chart(frame.results, frame.reference), [frame.serial]))
    solara.Markdown(
        "Bands: 5-95 % across runs; lines: medians; dashed: the unedited scenario with the same seeds. "
        + sentence(band_sources(frame.model.config))
        + "."
    )


@solara.component
def Costs(frame: Frame):
    """The cost of decoupling, both measures (once the counterfactual runs are in)."""
    cf = frame.counterfactual
    specs = solara.use_memo(lambda: charts.cost_charts(frame.results, cf) if cf is not None else [], [frame.serial])
    if cf is None:
        solara.Markdown("*Simulating the counterfactual without restrictive measures…*")
        return
    with solara.Columns([1, 1]):
        for spec in specs:
            Chart(spec)
    solara.Markdown(
        "Loss of each bloc against the same scenario without restrictive measures (same seeds). "
        "GDP: from each actor's production network (ODD 7.12), the technology channel only. "
        + sentence(band_sources(frame.model.config))
        + "; the GDP mapping's elasticities are the same in every run."
    )


@solara.component
def Network(frame: Frame):
    """Who supplies whom in a chosen sector and year (the year follows Step and Play until picked)."""
    world = frame.model.world
    sector = solara.use_reactive("semiconductors" if "semiconductors" in world.sectors else world.sectors[0])
    follow = solara.use_reactive(True)  # the year follows Step and Play until the user picks one
    chosen_year = solara.use_reactive(int(frame.model.year))
    years = [int(y) for y in frame.results["year"].values]
    year = years[-1] if follow.value or chosen_year.value not in years else chosen_year.value

    def pick(value: int) -> None:
        chosen_year.set(int(value))
        follow.set(int(value) >= years[-1])

    with solara.Row(style={"align-items": "center"}):
        solara.Select("Sector", value=sector.value, values=list(world.sectors), on_value=sector.set)
        with solara.Column(style={"flex": "1"}):
            solara.SliderInt("Year", value=year, min=years[0], max=max(years[-1], years[0] + 1), on_value=pick)
        solara.Text(str(year), classes=["decoupling-value"])
    conduit = [bool(c) for c in world.conduit > 0]
    spec = solara.use_memo(lambda: network_chart(frame.results, conduit, sector.value, float(year)),
                           [frame.serial, sector.value, year])  # fmt: skip
    Chart(spec)
    solara.Markdown(
        "Arrows run from supplier to receiver. Width: the supplier's share of the receiver's imported supply "
        "in the sector (shares under 3 % hidden); colour: controls the supplier imposes on the receiver (mean over "
        "sectors); dashed: the receiver trusts the supplier less than 0.5. Purple dotted: closed imports reopened "
        "through the conduit (leakage). Node size: capability; outline: strongest control received."
    )


@solara.component
def Gaps(frame: Frame):
    """The gap to the West's best per actor and sector in the year shown."""
    Chart(solara.use_memo(lambda: charts.gap_heatmap(frame.results), [frame.serial]))


@solara.component
def Policies(apply_policy):
    """A robust policy search's Pareto set as parallel coordinates; a chosen policy applied to the levers."""
    from sim.dashboard.policies import dashboard_levers, load, parallel_chart

    problem = solara.use_reactive("")
    loaded = solara.use_memo(lambda: _try_load(load, policy_folder.value, problem), [policy_folder.value])
    solara.InputText("Search folder, as written by decoupling optimize -o DIR (Enter)", value=policy_folder.value,
                     on_value=policy_folder.set)  # fmt: skip
    if problem.value:
        solara.Error(problem.value, dense=True)
    if loaded is None:
        solara.Markdown(
            "Run a search first, for example `decoupling optimize policy_search/west_export_controls.yaml "
            "-o results/west`, then give its folder here."
        )
        return
    spec, pareto = loaded
    ids = [int(p) for p in pareto["policy"]]
    chosen = _chosen(pareto)
    Chart(parallel_chart(spec, pareto, chosen))
    row = pareto[pareto["policy"] == chosen].iloc[0]
    applied, missing = dashboard_levers(spec, row)
    with solara.Row(style={"align-items": "center"}):
        solara.Select("Policy", value=str(chosen), values=[str(i) for i in ids],
                      on_value=lambda v: policy_choice.set(int(v)))  # fmt: skip
        solara.Button("Apply to the levers", on_click=lambda: apply_policy(spec, _chosen_levers(spec, pareto)),
                      color="primary", disabled=not applied)  # fmt: skip
    cells = [f"| {name} | {row[name]:.3g} |" for name in spec["levers"]]
    cells += [f"| {o['name']}: {o['outcome']} ({o['direction']}), re-evaluated | {row['reeval:' + o['name']]:.3g} |"
              for o in spec["objectives"]]  # fmt: skip
    solara.Markdown("| policy " + str(chosen) + " | value |\n|---|---|\n" + "\n".join(cells))
    if missing:
        solara.Markdown(f"Levers the page has no control for (not applied): {', '.join(missing)}.")


def _chosen_levers(spec: dict, pareto) -> dict[str, float]:
    """The dashboard levers of the policy chosen when Apply is clicked.

    Read from the session's choice at the click, not from the render that drew the button: a
    click that arrives while the page redraws after a new choice still applies the new choice.
    """
    from sim.dashboard.policies import dashboard_levers

    return dashboard_levers(spec, pareto[pareto["policy"] == _chosen(pareto)].iloc[0])[0]


def _chosen(pareto) -> int:
    """The chosen policy's id: the session's choice when the loaded set has it, else the first."""
    ids = [int(p) for p in pareto["policy"]]
    return policy_choice.value if policy_choice.value in ids else ids[0]


def _try_load(load, folder: str, problem: solara.Reactive[str]):
    """The search in ``folder`` or None, with the one-line reason in ``problem``."""
    from sim.config.errors import ScenarioError

    if not folder.strip():
        problem.set("")
        return None
    try:
        result = load(folder.strip())
    except (ScenarioError, OSError, ValueError, KeyError) as exc:
        problem.set(f"Not a policy search: {exc}")
        return None
    problem.set("")
    return result


@solara.component
def DownloadsAndHelp(session: Session):
    """The current results and the edited scenario as files, and what each control means."""

    def current() -> Frame:
        # Read when the button is pressed: the file is the frame shown then.
        assert session.frame is not None
        return session.frame

    name = session.frame.model.edited.name if session.frame else "scenario"
    with solara.Row():
        solara.FileDownload(lambda: figures.netcdf_bytes(current().results), f"{name}.nc", label="Results (netCDF)")
        solara.FileDownload(lambda: figures.summary_csv(current().results), f"{name}_summary.csv",
                            label="Summary (CSV)")  # fmt: skip
        solara.FileDownload(lambda: figures.scenario_yaml(current().model.edited).encode(), f"{name}.yaml",
                            label="Scenario (YAML)")  # fmt: skip
    rows = "\n".join(
        f"| {lever.label} | {lever.low:g}-{lever.high:g} {lever.unit} | {lever.help} |" for lever in LEVERS
    )
    solara.Markdown(
        "| control | range | meaning |\n|---|---|---|\n"
        "| Scenario, or a YAML path | shipped names; any file `decoupling run` takes | the scenario the levers edit |\n"
        f"| Runs, Seed | 1-{MAX_RUNS}; whole number ≥ 0 | batch size and root seed (the unedited runs share it) |\n"
        + rows
    )

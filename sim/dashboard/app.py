"""The dashboard page: controls in the sidebar, charts in named tabs, work in a background thread.

    decoupling dashboard [SCENARIO] [--port N]        # or: solara run sim/dashboard/app.py
    from sim.dashboard.app import make_page; make_page()   # in a notebook

The page is built with Solara (on which Mesa's SolaraViz is built) over the Mesa model
``DashboardModel``: Step and Play call its ``step``, Reset re-creates it with the moved
levers. The page keeps its own layout rather than SolaraViz's because it needs what that
page lacks: controls that follow the chosen scenario, a busy indicator while a batch runs,
named tabs and charts drawn by the browser (``sim.dashboard.vega``), which is what brings
a step under a second at the browser. Each browser session has its own ``Session``.
The environment variable ``DECOUPLING_SCENARIO`` (a shipped name or a path) picks the first
scenario.
"""

from __future__ import annotations

import contextlib
import os
import threading
import time
from collections.abc import Callable

import solara

from sim.config.errors import count
from sim.config.loader import shipped_scenarios
from sim.dashboard import charts, figures
from sim.dashboard.levers import LEVERS
from sim.dashboard.model import MAX_RUNS
from sim.dashboard.network import network_chart
from sim.dashboard.session import Frame, Session
from sim.dashboard.vega import Chart

PLAY_INTERVAL = 0.3  # seconds between years while playing, if the server keeps up
TABS = ("Trajectories", "Costs", "Network", "Gaps", "Downloads & help")
chosen_actors = solara.reactive(["China", "Russia"])  # per browser session (Solara scopes these per kernel)
chosen_sectors = solara.reactive(["semiconductors", "ai"])
PAGE_CSS = """
.decoupling-value { min-width: 3.2em; text-align: right; font-variant-numeric: tabular-nums; }
.decoupling-lever .v-input__slot { margin-bottom: 0; }
.decoupling-lever .v-messages { display: none; }
"""


def _start() -> tuple[str, str]:
    """(shipped name, path) of the first scenario, from ``DECOUPLING_SCENARIO``."""
    given = os.environ.get("DECOUPLING_SCENARIO", "baseline")
    return (given, "") if given in shipped_scenarios() else ("baseline", given)


def _in_background(work: Callable[[], None], busy: solara.Reactive[bool]) -> None:
    """Run ``work`` in a thread of this browser session (its kernel context), busy meanwhile."""
    try:
        from solara.server import kernel_context

        context = kernel_context.get_current_context()
    except Exception:  # noqa: BLE001 - outside a Solara server (a notebook): no context to carry
        context = None

    def run() -> None:
        with context if context is not None else contextlib.nullcontext():
            try:
                work()
            finally:
                busy.set(False)

    busy.set(True)
    threading.Thread(target=run, daemon=True).start()


def _value(number: float, step: float) -> str:
    return f"{number:.0f}" if step >= 1 else f"{number:.2f}"


@solara.component
def LeverControl(value: float, key: str, label: str, low: float, high: float, step: float, on_move):
    """One lever: a slider with its value beside it."""
    with solara.Row(classes=["decoupling-lever"], style={"align-items": "center", "gap": "4px"}):
        with solara.Column(style={"flex": "1", "min-width": "0"}):
            if step >= 1:
                solara.SliderInt(label, value=int(value), min=int(low), max=int(high), step=int(step),
                                 on_value=lambda v: on_move(key, v))  # fmt: skip
            else:
                solara.SliderFloat(label, value=value, min=low, max=high, step=step, on_value=lambda v: on_move(key, v))
        solara.Text(_value(value, step), classes=["decoupling-value"])


@solara.component
def Sidebar(session: Session, busy: solara.Reactive[bool], playing: solara.Reactive[bool], revision, actions):
    """Scenario, batch, Step/Play/Reset and the levers, each with its value shown."""
    c = session.controls
    revision.get()  # redraw when the controls change
    solara.Select("Scenario", value=c.scenario_name if not c.path else "", values=shipped_scenarios(),
                  on_value=actions["choose"])  # fmt: skip
    solara.InputText("or a YAML path (Enter)", value=c.path, on_value=actions["choose_path"])
    with solara.Row(style={"align-items": "center"}):
        with solara.Column(style={"flex": "1"}):
            solara.SliderInt("Runs", value=int(c.runs) if str(c.runs).isdigit() else 200, min=1, max=MAX_RUNS,
                             on_value=actions["runs"])  # fmt: skip
        solara.Text(str(c.runs), classes=["decoupling-value"])
    solara.InputText("Seed (empty: the scenario's)", value=c.seed, on_value=actions["seed"])
    with solara.Row(gap="6px"):
        solara.Button("Step", on_click=actions["step"], disabled=busy.value, color="primary")
        if playing.value:
            solara.Button("Pause", on_click=lambda: playing.set(False), color="warning")
        else:
            solara.Button("Play", on_click=actions["play"], disabled=busy.value, color="primary")
        solara.Button("Reset", on_click=actions["reset"], disabled=busy.value, outlined=True)
    solara.Markdown("Reset applies moved controls and restarts at the first year.", style={"font-size": "12px"})
    for lever in LEVERS:
        value = c.levers.get(lever.key, lever.low)
        LeverControl(value, lever.key, lever.label, lever.low, lever.high, lever.step, actions["move"])


@solara.component
def Status(session: Session, busy: bool, message: str, revision: int, serial: int, computing: bool = False):
    """The year shown, what runs, edited or not, pending edits, and the last rejected input.

    ``revision`` (the controls) and ``serial`` (the frame) redraw the line when they change: the
    session itself is mutable, and Solara redraws a component only when its arguments change.
    """
    s = session.status()
    solara.ProgressLinear(busy or computing)  # the busy indicator: moves while any batch runs
    if computing and not busy:
        solara.Markdown("*Simulating the counterfactual for the costs in the background; Step and Play work.*",
                        style={"font-size": "12px"})  # fmt: skip
    if message or (s.get("error")):
        solara.Error(f"Not applied: {message or s['error']}. The page shows the last good results.", dense=True)
    if not s["ready"]:
        solara.Markdown("**Simulating the first year…**")
        return
    text = (
        f"**Year {s['year']:.0f}** of {s['start']:g}-{s['horizon']:g} · scenario `{s['scenario']}` · "
        f"{count(s['runs'], 'run')}, seed {s['seed']} · " + ("edited by the controls" if s["edited"] else "unedited")
    )
    if s["pending"]:
        text += " · *controls changed: press Reset to apply*"
    solara.Markdown(text)


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
    solara.Markdown("Bands: 5-95 % across runs; lines: medians; dashed: the unedited scenario with the same seeds.")


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
        "GDP-equivalent: see `docs/ODD.md` for the mapping and its judgements."
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


@solara.component
def Page():
    """What ``solara run`` serves; each browser session builds its own ``Session``."""
    session = solara.use_memo(lambda: Session(*_start()), [])
    frame = solara.use_reactive(session.frame)
    busy = solara.use_reactive(False)  # a batch runs: Step, Play and Reset wait
    computing = solara.use_reactive(False)  # the counterfactual runs in the background: the bar moves
    playing = solara.use_reactive(False)
    revision = solara.use_reactive(0)  # bumped when the controls change: the sidebar redraws
    message = solara.use_reactive("")
    tab = solara.use_reactive(0)

    def publish(new: Frame | None) -> None:
        if new is not None:
            frame.set(new)

    def reset() -> None:
        def work() -> None:
            publish(session.apply(counterfactual=False))
            _in_background(lambda: publish(session.complete()), computing)

        message.set("")
        _in_background(work, busy)

    def choose(name: str | None, path: str = "") -> None:
        if not name and not path:
            return
        problem = session.load(name or session.controls.scenario_name, path)
        message.set(problem)
        revision.set(revision.value + 1)
        if not problem:
            reset()

    def move(key: str, value: float) -> None:
        session.move(key, value)
        revision.set(revision.value + 1)

    def setting(name: str) -> Callable[[object], None]:
        def set_value(value: object) -> None:
            setattr(session.controls, name, value if name != "seed" else str(value or ""))
            revision.set(revision.value + 1)

        return set_value

    def step() -> None:
        _in_background(lambda: publish(session.step()), busy)

    def play() -> None:
        playing.set(True)

        def loop() -> None:
            while playing.value and session.frame is not None and session.frame.model.running:
                started = time.monotonic()
                publish(session.step())
                time.sleep(max(0.0, PLAY_INTERVAL - (time.monotonic() - started)))
            playing.set(False)

        _in_background(loop, busy)

    actions = {"choose": choose, "choose_path": lambda p: choose(None, p or ""), "runs": setting("runs"),
               "seed": setting("seed"), "move": move, "step": step, "play": play, "reset": reset}  # fmt: skip
    solara.use_effect(lambda: reset() if session.frame is None else None, [])

    solara.Title("Decoupling dashboard")
    solara.Style(PAGE_CSS)
    with solara.Sidebar():
        Sidebar(session, busy, playing, revision, actions)
    current = frame.value
    Status(session, busy.value, message.value, revision.value, current.serial if current else 0, computing.value)
    with solara.lab.Tabs(value=tab.value, on_value=tab.set, lazy=True):
        for i, name in enumerate(TABS):
            with solara.lab.Tab(name):
                if current is None or tab.value != i:
                    continue
                if name == "Trajectories":
                    Trajectories(current)
                elif name == "Costs":
                    Costs(current)
                elif name == "Network":
                    Network(current)
                elif name == "Gaps":
                    Gaps(current)
                else:
                    DownloadsAndHelp(session)


def make_page():
    """The page as a widget for a notebook (``Page`` of the first scenario)."""
    return Page()

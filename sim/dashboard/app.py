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
from pathlib import Path

import solara

from sim.config.errors import count
from sim.config.loader import shipped_scenarios
from sim.dashboard.levers import LEVERS
from sim.dashboard.model import MAX_RUNS
from sim.dashboard.session import Frame, Session
from sim.dashboard.tabs import Costs, DownloadsAndHelp, Gaps, Network, Policies, Trajectories

PLAY_INTERVAL = 0.3  # seconds between years while playing, if the server keeps up
TABS = ("Trajectories", "Costs", "Network", "Gaps", "Policies", "Downloads & help")
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

    def apply_policy(spec: dict, values: dict[str, float]) -> None:
        # The search's base scenario first (when it is a shipped one), then its levers as moves.
        name = Path(str(spec.get("scenario", ""))).stem
        if name in shipped_scenarios() and (name != session.controls.scenario_name or session.controls.path):
            session.load(name, "")
        for key, value in values.items():
            session.move(key, value)
        revision.set(revision.value + 1)
        reset()

    # Built once: the handlers reach the session and the reactive variables, which stay the same
    # objects for the page's life. New dicts would redraw the whole sidebar on every frame of Play.
    actions = solara.use_memo(
        lambda: {"choose": choose, "choose_path": lambda p: choose(None, p or ""), "runs": setting("runs"),
                 "seed": setting("seed"), "move": move, "step": step, "play": play, "reset": reset},
        [],
    )  # fmt: skip
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
                elif name == "Policies":
                    Policies(apply_policy)
                else:
                    DownloadsAndHelp(session)


def make_page():
    """The page as a widget for a notebook (``Page`` of the first scenario)."""
    return Page()

"""One browser session of the dashboard: its controls, its model, and the actions that change them.

No interface here: the page (``sim.dashboard.app``) shows ``Session.frame`` and calls the
actions, from a worker thread, so the page stays responsive and shows that it is busy.
The rules the page follows live here, where tests reach them without a browser:

* Choosing a scenario loads that scenario's lever values into the controls and runs it
  as shipped; a lever is an edit only once the user moved it (``move``).
* ``apply`` (the page's Reset) re-creates the batch at the start year with the moved
  levers; ``step`` advances it one year. The comparison runs (unedited scenario, and the
  counterfactual without restrictive measures) are computed once per distinct scenario,
  runs and seed and cached; the counterfactual comes after the first frame is shown, and
  Step does not wait for it (``complete``).
* A bad input keeps the last good model and says why, in one line (``DashboardModel``).

Actions that change the model take the session's lock, so Step, Play and Reset never interleave.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any

import xarray as xr

from sim.dashboard.levers import BY_KEY, lever_defaults
from sim.dashboard.model import DashboardModel, resolve


@dataclass(frozen=True, eq=False)  # compared by identity: a new frame is always news
class Frame:
    """What the page shows: a model, its results so far and the comparison runs (``None`` while computed)."""

    model: DashboardModel
    results: xr.Dataset
    reference: xr.Dataset
    counterfactual: xr.Dataset | None
    serial: int  # grows with every frame: charts redraw when it changes


@dataclass
class Controls:
    """The values of the page's controls; ``moved`` names the levers the user moved since the scenario was chosen."""

    scenario_name: str
    path: str = ""
    runs: int | str = 200
    seed: str = ""
    levers: dict[str, float] = field(default_factory=dict)
    moved: set[str] = field(default_factory=set)


class Session:
    """The controls, model and latest frame of one browser session.

    Args:
        scenario_name, path: the first scenario (a shipped name, or a YAML path that replaces it).
    """

    def __init__(self, scenario_name: str = "baseline", path: str = ""):
        self.lock = threading.Lock()
        self.controls = Controls(scenario_name, path)
        self.frame: Frame | None = None
        self.applied: dict[str, float] = {}  # the moved levers the current model runs with
        self._serial = 0
        self.load(scenario_name, path)

    # -- controls -------------------------------------------------------------------------
    def load(self, scenario_name: str, path: str = "") -> str:
        """Choose a scenario: its lever values go into the controls, no lever counts as moved.

        Returns "" or the one-line message of a bad choice (the controls then keep their values).
        """
        try:
            base = resolve(scenario_name, path)
        except Exception as exc:  # noqa: BLE001 - ScenarioError or a file error: said on the page
            return str(exc)
        self.controls.scenario_name, self.controls.path = scenario_name, path
        self.controls.levers = lever_defaults(base)
        self.controls.moved = set()
        return ""

    def move(self, key: str, value: float) -> None:
        """The user moved lever ``key`` to ``value``: from now on it is an edit.

        A slider snaps a value that is off its grid (a coverage of 0.44 shows as 0.45) and
        reports the snapped value without any user action: a change of at most half a step
        is that snap, not a move.
        """
        if abs(float(value) - float(self.controls.levers.get(key, value))) <= BY_KEY[key].step / 2:
            return
        self.controls.levers = {**self.controls.levers, key: value}
        self.controls.moved = self.controls.moved | {key}

    def edits(self) -> dict[str, float]:
        """The moved levers and their values: what ``apply`` passes to the model."""
        return {k: v for k, v in self.controls.levers.items() if k in self.controls.moved}

    def pending(self) -> bool:
        """True when the controls differ from what the current model runs (press Reset to apply)."""
        model = self.frame.model if self.frame else None
        if model is None:
            return True
        c = self.controls
        other_scenario = not c.path and model.base.name != c.scenario_name
        return other_scenario or self.edits() != self.applied or str(c.runs) != str(model.runs)

    # -- actions (each under the lock; called from the page's worker thread) ---------------
    def apply(self, counterfactual: bool = True) -> Frame:
        """Re-create the batch at the start year with the controls (Reset); the new frame."""
        with self.lock:
            c = self.controls
            model = DashboardModel(scenario_name=c.scenario_name, path=c.path, runs=c.runs, seed=c.seed, **self.edits())
            self.applied = self.edits() if not model.error else self.applied
            self.frame = self._frame(model, with_counterfactual=False)
        if counterfactual:
            self.complete()
        return self.frame

    def complete(self) -> Frame | None:
        """Add the counterfactual runs to the current frame (the cost charts need them).

        The runs are simulated outside the lock, so Step and Play go on meanwhile; the frame
        shown when they are done gets them.
        """
        with self.lock:
            frame = self.frame
        if frame is None or frame.counterfactual is not None:
            return frame
        frame.model.counterfactual()  # cached on the model: the next frames reuse it
        with self.lock:
            if self.frame is not None and self.frame.model is frame.model and self.frame.counterfactual is None:
                self.frame = self._frame(frame.model, with_counterfactual=True)
            return self.frame

    def step(self) -> Frame | None:
        """Advance the batch one year (nothing at the horizon); the new frame."""
        with self.lock:
            if self.frame is None:
                return None
            model = self.frame.model
            if model.running:
                model.step()
                self.frame = self._frame(model, with_counterfactual=self.frame.counterfactual is not None)
            return self.frame

    def _frame(self, model: DashboardModel, with_counterfactual: bool) -> Frame:
        self._serial += 1
        return Frame(
            model=model,
            results=model.results(),
            reference=model.reference(),
            counterfactual=model.counterfactual() if with_counterfactual else None,
            serial=self._serial,
        )

    def status(self) -> dict[str, Any]:
        """What the status line says: year, scenario, runs, seed, edited or not, and any error."""
        frame = self.frame
        if frame is None:
            return {"ready": False}
        m = frame.model
        return {
            "ready": True,
            "year": m.year,
            "start": m.base.time.start,
            "horizon": m.base.time.horizon,
            "scenario": m.base.name,
            "runs": m.runs,
            "seed": m.seed,
            "edited": m.edited is not m.base,
            "error": m.error,
            "pending": self.pending(),
        }

"""Preallocated trajectory arrays filled by the model at every recorded time.

Index 0 is the initial state; index i the state after i steps. Shapes carry the time
axis first: (T + 1, R, ...). The state evolves in float64; trajectories are stored in
float32 (7 significant digits), which halves the memory a large batch writes.
"""

from __future__ import annotations

import numpy as np

from sim.dynamics import Observation, StepEvents
from sim.pairs import Pairs
from sim.state import State
from sim.world import World

# name: (dims after time and run, description, unit)
VARIABLES: dict[str, tuple[tuple[str, ...], str, str]] = {
    "capability": (("actor", "sector"), "capability index", "index (best actor of 2015 ≈ 1)"),
    "self_sufficiency": (("actor", "sector"), "domestic share of input availability", "share"),
    "input_availability": (("actor", "sector"), "input availability relative to 2015 (U)", "ratio"),
    "controls_received": (("actor", "sector"), "strongest control on the actor", "level 0-1"),
    "leakage": (("actor", "sector"), "share of closed imports reopened by evasion", "share"),
    "rd_budget": (("actor",), "technology R&D budget", "US 2015 = 1"),
    "trust": (("actor", "partner"), "trust of actor in partner", "probability"),
    "cooperation": (("actor", "partner"), "cooperation intensity, mean over sectors", "level 0-1"),
    "controls": (("actor", "partner"), "controls imposed by actor on partner, mean over sectors", "level 0-1"),
    "decoupling_index": ((), "1 - cross-bloc knowledge flow / flow without controls", "index 0-1"),
    "escalation": ((), "mean endogenous controls on rival pairs", "level 0-1"),
    "espionage_events": ((), "espionage events in the step that ended here", "count"),
    "espionage_detected": ((), "detected espionage events in the step that ended here", "count"),
}


# What a sweep needs to compute its per-run outcomes (sim.sweep.outcomes).
OUTCOME_VARIABLES = ("capability", "input_availability", "decoupling_index", "trust", "cooperation")


class Recorder:
    """Holds one array per recorded variable (all of ``VARIABLES``, or a subset)."""

    def __init__(self, n_times: int, runs: int, world: World, pairs: Pairs,
                 variables: tuple[str, ...] | None = None) -> None:
        sizes = {"actor": world.n_actors, "partner": world.n_actors, "sector": world.n_sectors}
        self.arrays = {
            name: np.zeros((n_times, runs, *(sizes[d] for d in dims)), dtype=np.float32)
            for name, (dims, _, _) in VARIABLES.items() if variables is None or name in variables
        }
        self._pairs = pairs
        self._n_actors = world.n_actors

    def record(self, i: int, obs: Observation, state: State, events: StepEvents | None) -> None:
        if len(self.arrays) < len(VARIABLES):
            self._record_outcome_variables(i, obs, state)
            return
        a, ctrl, coop, n_a = self.arrays, self._pairs.control, self._pairs.cooperation, self._n_actors
        a["capability"][i] = obs.capability
        a["self_sufficiency"][i] = obs.self_sufficiency
        a["input_availability"][i] = obs.bottleneck
        a["controls_received"][i] = ctrl.max_per_second(obs.controls, n_a)
        # Nothing is reopened where nothing is closed, so the floor only avoids 0/0.
        a["leakage"][i] = obs.reopened_imports / np.maximum(obs.closed_imports, 1e-12)
        a["rd_budget"][i] = state.budget
        a["trust"][i] = obs.trust
        a["cooperation"][i] = coop.scatter(state.cooperation.mean(axis=-1), n_a)
        a["controls"][i] = obs.controls_on_mean.transpose(0, 2, 1)
        a["decoupling_index"][i] = obs.decoupling
        rival = self._pairs.control_rival
        a["escalation"][i] = state.escalation[:, rival].mean(axis=(1, 2)) if rival.any() else 0.0
        if events is not None:
            a["espionage_events"][i] = events.espionage.sum(axis=(1, 2))
            a["espionage_detected"][i] = events.detected.sum(axis=(1, 2))

    def _record_outcome_variables(self, i: int, obs: Observation, state: State) -> None:
        a = self.arrays
        a["capability"][i] = obs.capability
        a["input_availability"][i] = obs.bottleneck
        a["decoupling_index"][i] = obs.decoupling
        a["trust"][i] = obs.trust
        a["cooperation"][i] = self._pairs.cooperation.scatter(state.cooperation.mean(axis=-1), self._n_actors)

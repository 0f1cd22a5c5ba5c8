"""Preallocated trajectory arrays filled by the model at every recorded time.

Index 0 is the initial state; index i the state after i steps. Shapes carry the time
axis first: (T + 1, R, ...). The state evolves in float64; trajectories are stored in
float32 (7 significant digits), which halves the memory a large batch writes.
"""

from __future__ import annotations

import numpy as np

from sim import economy
from sim.dynamics import Observation, StepEvents
from sim.pairs import Pairs
from sim.rules import inputs
from sim.state import State
from sim.world import World

# name: (dims after time and run, description, unit)
VARIABLES: dict[str, tuple[tuple[str, ...], str, str]] = {
    "capability": (
        ("actor", "sector"),
        "capability index with today's inputs (K·U^γ)",
        "index (best actor of 2015 ≈ 1)",
    ),
    "self_sufficiency": (("actor", "sector"), "home share of quality-weighted input supply", "share"),
    "home_share": (("actor", "sector"), "home share of the volume of input supply", "share"),
    "input_availability": (
        ("actor", "sector"),
        "input factor U: supply relative to unrestricted sourcing",
        "ratio 0-1",
    ),
    "supply_ratio": (
        ("actor", "sector"),
        "quality-weighted supply of each input sector relative to free sourcing (ρ)",
        "ratio 0-1",
    ),
    "lost_supply": (
        ("actor", "sector"),
        "share of free sourcing of each input sector no longer arriving, before re-sourcing (L)",
        "share",
    ),
    "actor_gdp_index": (
        ("actor",),
        "real GDP from the technology channel, through the actor's production network (ODD 7.12)",
        "index (2015 capabilities under free trade = 1; compare ratios only)",
    ),
    "import_share": (
        ("actor", "partner", "sector"),
        "share of actor's imported supply that comes from partner",
        "share",
    ),
    "trade": (
        ("actor", "partner"),
        "bilateral trade index (both directions, sector-weighted)",
        "US 2015 R&D budget units",
    ),
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


def bytes_per_run(n_times: int, n_actors: int, n_sectors: int) -> int:
    """Memory one run of full trajectories takes, in bytes.

    It counts the recorded float32 arrays, the float32 metrics derived from them (about two
    more actor × sector arrays), and the float64 state and step temporaries (about a dozen
    actor × actor × sector arrays).
    """
    sizes = {"actor": n_actors, "partner": n_actors, "sector": n_sectors}
    recorded = sum(int(np.prod([sizes[d] for d in dims])) for dims, _, _ in VARIABLES.values())
    derived = 2 * n_actors * n_sectors
    working = 12 * n_actors * n_actors * n_sectors * 8
    return n_times * (recorded + derived) * 4 + working


# What a sweep needs to compute its per-run outcomes (sim.sweep.outcomes).
OUTCOME_VARIABLES = ("capability", "supply_ratio", "lost_supply", "decoupling_index", "trust", "cooperation")
# Every trajectory but GDP (the mapping's, ODD 7.12): what a calibration's observation operators read.
DYNAMICS_VARIABLES = tuple(name for name in VARIABLES if name != "actor_gdp_index")


class Recorder:
    """Holds one array per recorded variable (all of ``VARIABLES``, or a subset)."""

    def __init__(
        self,
        n_times: int,
        runs: int,
        world: World,
        pairs: Pairs,
        variables: tuple[str, ...] | None = None,
        mapping: dict[str, np.ndarray] | None = None,
        supply_steps: list[int] | None = None,
    ) -> None:
        """Preallocate the arrays.

        ``mapping``: the GDP mapping's parameters, (R,) each (``sim.economy.MAPPING_PARAMETERS``),
        needed when ``actor_gdp_index`` is recorded. ``supply_steps``: when recording outcomes
        only, the steps whose supply ratio and lost supply are kept (the report years, where
        the GDP outcomes are computed); the other steps' slots stay zero and untouched.
        """
        sizes = {"actor": world.n_actors, "partner": world.n_actors, "sector": world.n_sectors}
        self.arrays = {
            name: np.zeros((n_times, runs, *(sizes[d] for d in dims)), dtype=np.float32)
            for name, (dims, _, _) in VARIABLES.items()
            if variables is None or name in variables
        }
        if "actor_gdp_index" in self.arrays and mapping is None:
            raise ValueError("recording GDP needs the mapping's parameters")
        if mapping is not None:
            self._gdp = economy.Mapping(world.tech_value_added, world.dependency, world.weight, mapping)
        self._log_price: np.ndarray | None = None
        self._supply_steps = None if supply_steps is None else set(supply_steps)
        self._world = world
        self._pairs = pairs
        self._n_actors = world.n_actors
        self._weight = world.weight

    def record(self, i: int, obs: Observation, state: State, events: StepEvents | None) -> None:
        """Store the trajectories of step ``i`` (0 is the initial state)."""
        if "import_share" not in self.arrays:  # outcomes only
            self._record_outcome_variables(i, obs, state)
            return
        a, coop, n_a = self.arrays, self._pairs.cooperation, self._n_actors
        a["capability"][i] = obs.effective
        a["self_sufficiency"][i] = obs.self_sufficiency
        diagonal = np.arange(self._n_actors)
        shares = obs.supply_shares
        if shares is None:
            raise ValueError("full recording needs supply shares: build the context with supply_shares=True")
        a["home_share"][i] = shares[:, diagonal, diagonal, :]
        inputs.import_shares(shares, out=a["import_share"][i])
        a["trade"][i] = bilateral_trade(shares, state.budget * state.budget_level, self._weight)
        a["input_availability"][i] = obs.bottleneck
        a["supply_ratio"][i] = obs.supply_ratio
        a["lost_supply"][i] = obs.lost_supply
        if "actor_gdp_index" in a:
            # Per step rather than at the end: a page that shows every step pays a step's share
            # only, and each step's network starts from the last step's prices.
            now = (obs.effective[:, None], obs.supply_ratio[:, None], obs.lost_supply[:, None])
            self._log_price = self._gdp.log_prices(*now[:1], self._world.capability0, *now[1:], start=self._log_price)
            a["actor_gdp_index"][i] = np.exp(economy.log_gdp(self._gdp.net, self._log_price))[:, 0]
        a["controls_received"][i] = obs.controls_received
        # Nothing is reopened where nothing is closed, so the floor only avoids 0/0.
        a["leakage"][i] = obs.reopened_imports / np.maximum(obs.closed_imports, 1e-12)
        a["rd_budget"][i] = state.budget * state.budget_level
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
        a["capability"][i] = obs.effective
        if self._supply_steps is None or i in self._supply_steps:
            a["supply_ratio"][i] = obs.supply_ratio
            a["lost_supply"][i] = obs.lost_supply
        a["decoupling_index"][i] = obs.decoupling
        a["trust"][i] = obs.trust
        a["cooperation"][i] = self._pairs.cooperation.scatter(state.cooperation.mean(axis=-1), self._n_actors)


def report_steps(times: np.ndarray, report_years: list[float]) -> list[int]:
    """Indices into ``times`` of the report years a run simulates (the last time if none)."""
    years = [float(y) for y in report_years if times[0] <= y <= times[-1]] or [float(times[-1])]
    return [int(np.flatnonzero(np.isclose(times, y))[0]) for y in years]


def bilateral_trade(shares: np.ndarray, size: np.ndarray, weight: np.ndarray) -> np.ndarray:
    """Trade between a and b in both directions, (R, A, A), symmetric, zero diagonal.

    ``Σ_s ω_s·(B_a·share[a,b,s] + B_b·share[b,a,s]) / Σ_s ω_s``: each buyer's supply share
    from the other times the buyer's size (its R&D budget, the model's only size measure).

    Args:
        shares: (R, A, A, S) supply shares by origin, receiver-major
        size: (R, A)
        weight: ω_s, (S,).
    """
    bought = (shares * (weight / weight.sum())).sum(axis=-1) * size[:, :, None]  # order independent of R
    trade = bought + bought.transpose(0, 2, 1)
    n_a = size.shape[1]
    trade[:, np.arange(n_a), np.arange(n_a)] = 0.0
    return trade

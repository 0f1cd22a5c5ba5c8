"""``DecouplingModel``: the Mesa model that owns a batch of runs and steps it.

One instance simulates R runs at once; every state array has a leading run axis, so
R = 1 is an interactive run and R = 10,000 a sweep chunk, on the same code path. The
model builds the static world and policy schedule, holds the state, calls the pure
rules each step and records trajectories. It does no file I/O and draws no plots.

Parameters are keywords, so ``mesa.batch_run(DecouplingModel, parameters={...},
rng=[...])`` works; ``rng`` is the root seed of the seed tree.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import mesa
import numpy as np

from sim import economy
from sim.agents import Actor
from sim.config.errors import ScenarioError
from sim.config.loader import load_scenario
from sim.config.parameters import PARAMETER_NAMES, ModelParameters, unknown_parameter
from sim.config.schema import Scenario
from sim.context import make_context
from sim.dynamics import Observation, StepEvents, advance, observe
from sim.pairs import build_pairs
from sim.params import RunParameters, ensemble_columns
from sim.recorder import DYNAMICS_VARIABLES, OUTCOME_VARIABLES, Recorder, report_steps
from sim.rng import Streams, keys_for
from sim.schedule import AddedAct, build_schedule, step_times, with_acts
from sim.state import State, initial_state
from sim.world import build_world

DEFAULT_SCENARIO = Path(__file__).resolve().parent.parent / "scenarios" / "baseline.yaml"


@functools.lru_cache(maxsize=32)
def _cached_scenario(path: str, mtime: float) -> Scenario:
    return load_scenario(path)


def resolve_scenario(config: Scenario | str | Path | None) -> tuple[Scenario, Path | None]:
    """A ``Scenario`` and the folder relative paths in it refer to."""
    if isinstance(config, Scenario):
        return config, None
    path = Path(config) if config is not None else DEFAULT_SCENARIO
    if not path.exists():
        raise ScenarioError("file not found", str(path))
    return _cached_scenario(str(path.resolve()), path.stat().st_mtime), path.resolve().parent


def _root_seed(rng: Any, scenario: Scenario) -> int:
    if rng is None:
        return scenario.seed
    if isinstance(rng, (int, np.integer)) and not isinstance(rng, bool) and 0 <= int(rng) < 2**63:
        return int(rng)
    if isinstance(rng, np.random.Generator):
        return int(rng.integers(2**63))
    raise ScenarioError(
        f"rng must be a non-negative integer seed or a numpy Generator, not {rng!r}", "DecouplingModel", ("rng",)
    )


def _act_scales(acts: Mapping[str, Any], scales: Mapping[str, Any], runs: int) -> dict[str, np.ndarray]:
    """Each added act's per-run multiplier, (R,) float64, checked: one per act, finite and not negative."""
    if set(acts) != set(scales):
        raise ScenarioError(
            "every added act needs one multiplier per run, and only those", "DecouplingModel", ("acts",)
        )
    out = {}
    for name, values in scales.items():
        column = np.broadcast_to(np.asarray(values, dtype=np.float64), (runs,)).copy()
        if not np.all(np.isfinite(column) & (column >= 0)):
            raise ScenarioError(
                f"multipliers of act '{name}' must be finite and >= 0", "DecouplingModel", ("act_scales",)
            )
        out[name] = column
    return out


class DecouplingModel(mesa.Model):
    """A batch of R runs of the decoupling model.

    Args:
        config: a ``Scenario``, a path to a scenario YAML, or None for the baseline.
            (Named ``config`` because Mesa's own ``Model`` reserves ``scenario``.)
        runs: R, the number of runs simulated together.
        rng: root seed of the seed tree (an int); None uses the scenario's seed.
        first_run: index of this batch's first run in the whole experiment; run i of
            the experiment always gets the same random streams, whatever the batching.
        parameter_table: optional {parameter name: R values} varying parameters by run.
        seeds, streams: optional per-run root seeds and stream ids (R each); run r draws
            from ``SeedSequence(seeds[r], spawn_key=(streams[r],))``. By default every run
            uses ``rng`` and the streams ``first_run .. first_run + R - 1``.
        record: "full" (every variable of ``sim.recorder.VARIABLES``), "dynamics" (all but the
            GDP mapping's, which a calibration does not read) or "outcomes" (what a sweep needs
            for its per-run outcomes).
        acts, act_scales: optional acts added to the schedule at unit scale, {name:
            ``sim.schedule.AddedAct``} (controls, cooperation or localisation levels), and each
            run's multiplier of each, {name: (R,)}: runs that differ only in how much of a policy
            they apply share one batch (``sim.policy.batched``).
        **parameters: scalar overrides of ``ModelParameters`` fields for every run.

    Attributes:
        config: the scenario used; world: static structure; schedule: policies by step.
        drawn_parameters: names of the parameters each run drew from the scenario's posterior.
        seed: the root seed; times: recorded years, (T + 1,); observation: what actors
        perceive now; recorder: trajectories recorded so far.
    """

    def __init__(
        self,
        config: Scenario | str | Path | None = None,
        *,
        runs: int = 1,
        rng: Any = None,
        first_run: int = 0,
        parameter_table: Mapping[str, Any] | None = None,
        seeds: Any = None,
        streams: Any = None,
        record: str = "full",
        acts: Mapping[str, AddedAct] | None = None,
        act_scales: Mapping[str, Any] | None = None,
        **parameters: float,
    ) -> None:
        scenario, source_dir = resolve_scenario(config)
        seed = _root_seed(rng, scenario)
        super().__init__(rng=seed)
        if not isinstance(runs, (int, np.integer)) or runs < 1:
            raise ScenarioError(f"runs must be a positive integer, not {runs!r}", "DecouplingModel", ("runs",))
        if parameters:
            scenario = _with_parameters(scenario, parameters)
        self.config = scenario
        self.seed = seed
        self.first_run = int(first_run)
        self.runs = int(runs)
        self.world = build_world(scenario)
        self.schedule = with_acts(build_schedule(scenario, self.world, source_dir), self.world, acts or {})
        scales = _act_scales(acts or {}, act_scales or {}, self.runs)
        self.times = step_times(scenario)
        self.n_steps = len(self.times) - 1
        if record not in ("full", "outcomes", "dynamics"):
            raise ScenarioError(
                f"record must be 'full', 'dynamics' or 'outcomes', not {record!r}", "DecouplingModel", ("record",)
            )
        seeds = np.full(self.runs, seed) if seeds is None else np.asarray(seeds, dtype=np.int64).reshape(-1)
        streams = (self.first_run + np.arange(self.runs)) if streams is None else np.asarray(streams).reshape(-1)
        if seeds.size != self.runs or streams.size != self.runs:
            raise ScenarioError(f"seeds and streams need {self.runs} values each", "DecouplingModel", ("seeds",))
        keys = keys_for(seeds, streams)
        given = {**parameters, **(parameter_table or {})}  # explicit values are pinned against the posterior
        drawn = ensemble_columns(scenario.ensemble, keys, given)
        self.drawn_parameters = tuple(drawn)  # parameters this batch took from the posterior
        table = {**drawn, **(parameter_table or {})}
        self.params = RunParameters(scenario.parameters, self.runs, table)
        self.actors = [
            Actor(self, i, name, spec.bloc, spec.hawkishness, spec.conduit_capacity, spec.absorptive)
            for i, (name, spec) in enumerate(scenario.actors.items())
        ]
        self.pairs = build_pairs(self.world, self.schedule)
        self._context = make_context(
            self.world,
            self.schedule,
            self.params,
            Streams(keys),
            self.pairs,
            dt=scenario.time.step,
            noise=scenario.stochastic.noise,
            espionage_on=scenario.stochastic.espionage,
            breakthroughs=scenario.stochastic.breakthroughs,
            endogenous_escalation=scenario.rules.endogenous_escalation,
            grim=scenario.rules.reciprocity == "grim",
            supply_shares=record != "outcomes",
            act_scales=scales,
            added=acts,
        )
        state = initial_state(self.world, self.params, self.pairs)
        first_look = observe(state, self._context, 0)
        self._state = state.evolve(controls_on_mean=first_look.controls_on_mean)
        self._k = 0
        self.observation: Observation = first_look
        # First year in which each run's log capability reached the clip (NaN: never, (R,)):
        # later values of that run are bounds, not outcomes, and the outputs say so.
        self.clip_year = np.full(self.runs, np.nan)
        self.recorder = Recorder(
            self.n_steps + 1,
            self.runs,
            self.world,
            self.pairs,
            {"outcomes": OUTCOME_VARIABLES, "dynamics": DYNAMICS_VARIABLES}.get(record),
            {k: self.params.values[k] for k in economy.MAPPING_PARAMETERS},
            report_steps(self.times, scenario.metrics.report_years) if record == "outcomes" else None,
        )
        self.recorder.record(0, first_look, self._state, None)
        self.datacollector = mesa.DataCollector(model_reporters=self._reporters())
        self.datacollector.collect(self)

    # ----------------------------------------------------------------------------------------
    def step(self) -> None:
        """Advance every run by one time step and record the result."""
        if self._k >= self.n_steps:
            self.running = False
            return
        self._state, events = advance(self._state, self.observation, self._context, self._k)
        self._k += 1
        self.clip_year[events.clipped & np.isnan(self.clip_year)] = self.times[self._k]
        self.observation = observe(self._state, self._context, min(self._k, self.n_steps - 1))
        self.recorder.record(self._k, self.observation, self._state, events)
        self.datacollector.collect(self)
        if self._k >= self.n_steps:
            self.running = False

    def run_to_end(self) -> None:
        """Step until the horizon (what ``run_model`` does, without Mesa's event machinery per call)."""
        while self.running:
            self.step()

    @property
    def year(self) -> float:
        """Calendar time of the current state."""
        return float(self.times[self._k])

    @property
    def state(self) -> State:
        """The current state of every run (arrays with a leading run axis; see ``sim.state.State``)."""
        return self._state

    @property
    def steps_done(self) -> int:
        """Number of steps simulated so far."""
        return self._k

    def actor(self, name: str) -> Actor:
        """The ``Actor`` agent called ``name``."""
        for agent in self.actors:
            if agent.name == name:
                return agent
        raise KeyError(name)

    # ----------------------------------------------------------------------------------------
    def _reporters(self) -> dict[str, Any]:
        """Model-level scalars of run 0 for Mesa's DataCollector (what ``batch_run`` returns)."""
        weight = self.world.weight / self.world.weight.sum()
        reporters: dict[str, Any] = {
            "year": lambda m: m.year,
            "decoupling_index": lambda m: float(m.observation.decoupling[0]),
        }
        for i, name in enumerate(self.world.actors):
            reporters[f"capability_index[{name}]"] = lambda m, i=i: float(
                np.exp(weight @ np.log(m.observation.capability[0, i]))
            )
        return reporters


def _with_parameters(scenario: Scenario, overrides: Mapping[str, Any]) -> Scenario:
    unknown = [k for k in overrides if k not in PARAMETER_NAMES]
    if unknown:
        raise ScenarioError(unknown_parameter(unknown[0]), "DecouplingModel", (unknown[0],))
    from pydantic import ValidationError

    merged = {**scenario.parameters.model_dump(), **overrides}
    try:
        parameters = ModelParameters.model_validate(merged)
    except ValidationError as exc:
        first = exc.errors()[0]
        raise ScenarioError(
            str(first["msg"]) + f" (got {first.get('input')!r})", "DecouplingModel", ("parameters", *first["loc"])
        ) from None
    return scenario.model_copy(update={"parameters": parameters})


__all__ = ["DecouplingModel", "StepEvents"]

"""The many-objective robust search: ε-NSGA-II (Platypus) over the levers, one batch per generation.

Platypus is the engine under EMA Workbench's ``optimize``/``robust_optimize``; it is driven
here directly because the search must stop and resume bit for bit: the loop checkpoints
the whole algorithm (population, ε-archive, restart state) and its random generator after
every generation, which EMA's ``optimize`` (one call to ``run(nfe)``) cannot. Platypus
draws from Python's global ``random``, which other threads also use (Dask's client does),
so during a search its modules are given their own ``random.Random`` (``own_random``): the
same seed gives the same search on one worker, a process pool or Dask. Every generation's
policies are evaluated in one call (``BatchEvaluator``), as one batch per policy over the
same scenario ensemble.

Robust objective values are minimised internally (maximised ones negated); the
convergence record holds, per generation, the NFE, the ε-progress (improvements of the
ε-box archive, as in Borg) and the archive's objectives, from which hypervolume is
computed after the run.
"""

from __future__ import annotations

import contextlib
import pickle
import random
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import platypus

from sim.config.schema import Scenario
from sim.policy import batched
from sim.policy.evaluate import Ensemble, Pool, outcome_matrix, policy_scenario, simulate, with_costs
from sim.policy.robustness import robust_value, search_direction
from sim.policy.spec import PolicySpec
from sim.sweep.store import atomic_write_bytes

CHECKPOINT = "checkpoint.pkl"


def outcome_names(spec: PolicySpec) -> list[str]:
    """The outcomes the objectives and constraints read, in a fixed order (no repeats)."""
    return list(dict.fromkeys([o.outcome for o in spec.objectives] + [c.outcome for c in spec.constraints]))


@dataclass
class Evaluation:
    """Robust objectives and constraint values of P policies: objectives (P, O) as in the spec's directions."""

    levers: np.ndarray  # (P, L)
    objectives: np.ndarray  # (P, O) robust values, natural sign
    constraints: np.ndarray  # (P, C) amount of violation (<= 0 is feasible)
    values: np.ndarray  # (P, N, K) raw outcomes per scenario


class PolicyEvaluator:
    """Simulates policies over an ensemble and scores them: the function a generation calls once."""

    def __init__(self, spec: PolicySpec, base: Scenario, ensemble: Ensemble, pool: Pool, where: str):
        self.spec, self.base, self.ensemble, self.pool, self.where = spec, base, ensemble, pool, where
        self.names = outcome_names(spec)
        self.lever_names = list(spec.levers)
        self._counterfactual: dict[str, np.ndarray] | None = None
        self.runs = 0  # simulated runs so far (policies × scenarios, plus the counterfactual)
        # A generation runs as one batch when its levers allow (sim.policy.batched), else policy by policy.
        self.batch = batched.plan(base, self.lever_names, list(ensemble.table))

    def counterfactual(self) -> dict[str, np.ndarray]:
        """Outcomes of the base without restrictive measures over the ensemble (for ``cost/...``)."""
        if self._counterfactual is None:
            from sim.analysis.compare import counterfactual

            self._counterfactual = simulate([counterfactual(self.base)], self.ensemble, self.pool)[0]
            self.runs += self.ensemble.size
        return self._counterfactual

    def __call__(self, levers: np.ndarray) -> Evaluation:
        """Score policies given as rows of lever values (P, L)."""
        levers = np.asarray(levers, dtype=float)
        if self.batch is not None:
            outcomes = batched.simulate(self.batch, self.lever_names, levers, self.ensemble, self.pool)
        else:
            scenarios = [
                policy_scenario(self.base, dict(zip(self.lever_names, map(float, row), strict=True)), self.where)
                for row in levers
            ]
            outcomes = simulate(scenarios, self.ensemble, self.pool)
        needs_cost = any(name.startswith("cost/") for name in self.names)
        self.runs += len(levers) * self.ensemble.size
        if needs_cost:
            outcomes = [with_costs(o, self.counterfactual()) for o in outcomes]
        values = outcome_matrix(outcomes, self.names)  # (P, N, K)
        return score(self.spec, self.names, levers, values)


def score(spec: PolicySpec, names: list[str], levers: np.ndarray, values: np.ndarray) -> Evaluation:
    """Robust objectives and constraint violations from raw outcomes (P, N, K)."""
    column = {name: i for i, name in enumerate(names)}
    # A run that failed (NaN) counts as the policy's worst case: a policy cannot win by breaking the model.
    objectives = np.column_stack(
        [
            robust_value(_worst_filled(values[:, :, column[o.outcome]], o.direction), o.robustness, o.direction)
            for o in spec.objectives
        ]
    )
    violations = []
    for c in spec.constraints:
        robust = robust_value(_worst_filled(values[:, :, column[c.outcome]], "minimize"), c.robustness, "minimize")
        excess = np.zeros_like(robust)
        if c.max is not None:
            excess = np.maximum(excess, robust - c.max)
        if c.min is not None:
            excess = np.maximum(excess, c.min - robust)
        violations.append(excess)
    constraints = np.column_stack(violations) if violations else np.zeros((len(levers), 0))
    return Evaluation(np.asarray(levers, dtype=float), objectives, constraints, values)


def _worst_filled(values: np.ndarray, direction: str) -> np.ndarray:
    """(P, N) with each policy's failed runs set to its own worst value (infinite if all failed)."""
    if not np.isnan(values).any():
        return values
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # an all-NaN row: handled below
        worst = np.nanmax(values, axis=1) if direction == "minimize" else np.nanmin(values, axis=1)
    worst = np.where(np.isnan(worst), np.inf if direction == "minimize" else -np.inf, worst)
    return np.where(np.isnan(values), worst[:, None], values)


def signs(spec: PolicySpec) -> list[float]:
    """+1 for an objective minimised, -1 for one maximised (Platypus minimises)."""
    return [1.0 if search_direction(o.robustness, o.direction) == "minimize" else -1.0 for o in spec.objectives]


class LeverProblem(platypus.Problem):
    """The levers as real variables, the robust objectives (minimised), constraints ``<= 0``."""

    def __init__(self, spec: PolicySpec):
        super().__init__(len(spec.levers), len(spec.objectives), len(spec.constraints))
        self.types[:] = [platypus.Real(r.low, r.high) for r in spec.levers.values()]
        self.directions[:] = platypus.Problem.MINIMIZE
        if spec.constraints:
            self.constraints[:] = "<=0"
        self.signs = signs(spec)

    def evaluate(self, solution):  # pragma: no cover - the batch evaluator scores whole generations
        """Not used: ``BatchEvaluator`` scores whole generations."""
        raise RuntimeError("LeverProblem is evaluated in batches by BatchEvaluator")


class BatchEvaluator(platypus.evaluator.Evaluator):
    """Platypus evaluator that scores a whole generation with one ``PolicyEvaluator`` call."""

    def __init__(self, evaluate: PolicyEvaluator, problem: LeverProblem, on_batch: Callable[[Evaluation], None]):
        super().__init__()
        self.evaluate, self.problem, self.on_batch = evaluate, problem, on_batch

    def evaluate_all(self, jobs, **kwargs):
        """Score every job's solution in one batch and fill in its objectives and constraints."""
        jobs = list(jobs)
        if not jobs:
            return jobs
        levers = np.array([[float(v) for v in job.solution.variables] for job in jobs])
        result = self.evaluate(levers)
        signs = np.array(self.problem.signs)
        for i, job in enumerate(jobs):
            job.solution.objectives[:] = list(signs * result.objectives[i])
            job.solution.constraints[:] = list(result.constraints[i])
            job.solution.constraint_violation = float(np.sum(np.abs(result.constraints[i])))
            job.solution.feasible = job.solution.constraint_violation == 0.0
            job.solution.evaluated = True
        self.on_batch(result)
        return jobs


PLATYPUS_MODULES = ("_math", "algorithms", "extensions", "operators", "types", "weights", "core")


@contextlib.contextmanager
def own_random(generator: random.Random) -> Iterator[None]:
    """Platypus's modules draw from ``generator`` instead of the global ``random`` for the block."""
    import importlib

    modules = [importlib.import_module(f"platypus.{name}") for name in PLATYPUS_MODULES]
    saved = [(m, m.random) for m in modules if getattr(m, "random", None) is random]
    for module, _ in saved:
        module.random = generator  # type: ignore[attr-defined]
    try:
        yield
    finally:
        for module, original in saved:
            module.random = original  # type: ignore[attr-defined]


@dataclass
class SearchState:
    """What a checkpoint holds: the algorithm, its random generator, the convergence record."""

    algorithm: Any
    generator: random.Random
    convergence: list[dict[str, Any]] = field(default_factory=list)
    archive_history: list[np.ndarray] = field(default_factory=list)
    evaluated: list[np.ndarray] = field(default_factory=list)  # every evaluated policy: levers + robust objectives
    started: bool = False
    runs: int = 0


def new_state(spec: PolicySpec, seed: int) -> SearchState:
    """A fresh ε-NSGA-II search with its own random generator seeded with ``seed``."""
    generator = random.Random(seed)
    with own_random(generator):
        algorithm = platypus.EpsNSGAII(
            LeverProblem(spec), epsilons=[o.epsilon for o in spec.objectives], population_size=spec.search.population
        )
    return SearchState(algorithm, generator)


def save_state(state: SearchState, folder: Path) -> None:
    """Checkpoint atomically (the evaluator, which holds the pool, is not saved)."""
    evaluator, state.algorithm.evaluator = state.algorithm.evaluator, None
    try:
        atomic_write_bytes(folder / CHECKPOINT, pickle.dumps(state))
    finally:
        state.algorithm.evaluator = evaluator


def load_state(folder: Path) -> SearchState:
    """The checkpoint of a search (its random generator included)."""
    return pickle.loads((folder / CHECKPOINT).read_bytes())  # noqa: S301 - our own checkpoint file


def run_search(
    state: SearchState,
    evaluate: PolicyEvaluator,
    nfe: int,
    folder: Path,
    progress: Callable[[int, int], None] | None = None,
    stop_after: int | None = None,
) -> SearchState:
    """Step the algorithm to ``nfe`` evaluations, checkpointing after each generation.

    ``stop_after`` stops after that many generations of this call (tests: a killed search).
    """
    with own_random(state.generator):
        return _run(state, evaluate, nfe, folder, progress, stop_after)


def _run(state, evaluate, nfe, folder, progress, stop_after) -> SearchState:
    algorithm = state.algorithm
    problem = algorithm.problem
    batch: list[Evaluation] = []
    algorithm.evaluator = BatchEvaluator(evaluate, problem, batch.append)
    evaluate.runs = state.runs
    if not state.started:
        for extension in algorithm._extensions:
            extension.start_run(algorithm)
        state.started = True
    generations = 0
    while algorithm.nfe < nfe:
        before = algorithm.archive.improvements if hasattr(algorithm, "archive") else 0
        for extension in algorithm._extensions:
            extension.pre_step(algorithm)
        algorithm.step()
        for extension in algorithm._extensions:
            extension.post_step(algorithm)
        archive = np.array([list(s.objectives) for s in algorithm.archive]) * np.array(problem.signs)
        state.archive_history.append(archive)
        state.convergence.append(
            {
                "generation": len(state.convergence) + 1,
                "nfe": algorithm.nfe,
                "epsilon_progress": int(algorithm.archive.improvements),
                "new_improvements": int(algorithm.archive.improvements - before),
                "archive_size": len(algorithm.archive),
            }
        )
        for result in batch:
            state.evaluated.append(np.column_stack([result.levers, result.objectives]))
        batch.clear()
        state.runs = evaluate.runs
        save_state(state, folder)
        if progress is not None:
            progress(min(algorithm.nfe, nfe), nfe)
        generations += 1
        if stop_after is not None and generations >= stop_after and algorithm.nfe < nfe:
            raise KeyboardInterrupt("stopped on purpose after a checkpoint")
    return state


def archive_table(state: SearchState, spec: PolicySpec) -> tuple[np.ndarray, np.ndarray]:
    """(levers (P, L), robust objectives (P, O), natural sign) of the final ε-archive."""
    archive = list(state.algorithm.archive)
    levers = np.array([[float(v) for v in s.variables] for s in archive])
    signs = np.array(state.algorithm.problem.signs)
    objectives = np.array([list(s.objectives) for s in archive]) * signs
    return levers, objectives


def hypervolumes(state: SearchState, spec: PolicySpec) -> list[float]:
    """Hypervolume of the archive after each generation, objectives normalised over the whole search."""
    signs = np.array(state.algorithm.problem.signs)
    everything = np.vstack([a for a in state.archive_history if len(a)]) * signs
    low, high = everything.min(axis=0), everything.max(axis=0)
    high = np.where(high > low, high, low + 1.0)
    indicator = platypus.Hypervolume(minimum=list(low), maximum=list(high))
    problem = platypus.Problem(len(spec.levers), len(spec.objectives))
    values = []
    for archive in state.archive_history:
        solutions = []
        for row in np.atleast_2d(archive) * signs:
            solution = platypus.Solution(problem)
            solution.objectives[:] = list(row)
            solution.evaluated = True
            solutions.append(solution)
        values.append(float(indicator.calculate(solutions)) if solutions else 0.0)
    return values


def epsilon_merge(tables: list[np.ndarray], spec: PolicySpec) -> np.ndarray:
    """Merge (levers + robust objectives) rows of several searches into one ε-non-dominated set.

    The same ε-box archive as EMA Workbench's ``epsilon_nondominated`` (which needs an EMA
    ``Problem``; the rows here are already plain arrays).
    """
    n_levers = len(spec.levers)
    sign = np.array(signs(spec))
    problem = platypus.Problem(n_levers, len(spec.objectives))
    archive = platypus.EpsilonBoxArchive([o.epsilon for o in spec.objectives])
    for row in np.vstack(tables):
        solution = platypus.Solution(problem)
        solution.variables[:] = list(row[:n_levers])
        solution.objectives[:] = list(sign * row[n_levers:])
        solution.evaluated = True
        archive.add(solution)
    return np.array([[*s.variables, *(sign * np.array(s.objectives))] for s in archive])

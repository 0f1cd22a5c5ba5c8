"""Sequential Monte Carlo ABC over a vectorised simulator (ABC-PMC with adaptive tolerances).

The algorithm is population Monte Carlo ABC (Beaumont, Cornuet, Marin and Robert 2009)
with tolerances set adaptively as a quantile of the previous population's distances
(Drovandi and Pettitt 2011; Del Moral, Doucet and Jasra 2012):

1. Generation 0 draws ``initial`` parameter vectors from the prior (a Latin hypercube
   through each prior's quantile function), simulates them as one batch and keeps the
   ``particles`` closest; ε₀ is the largest distance kept.
2. Generation t sets ε_t to the ``quantile`` of generation t − 1's distances, proposes
   from the weighted population moved by a normal kernel with twice its weighted
   covariance (Beaumont et al.'s optimal-for-scale choice), drops proposals outside the
   prior's support, simulates each round of proposals as one batch and accepts distances
   ≤ ε_t until it has ``particles``. Weights are w ∝ π(θ) / Σ_j w_j K(θ − θ_j).
3. It stops once ``budget`` simulations are done (the generation under way finishes, as
   pyabc's total-simulation limit does, unless it would pass 1.5 × budget: then it is
   abandoned), when the acceptance rate falls below ``min_acceptance``, or when ε stops falling.

Why not a library: pyabc calls the model once per particle (no batch), and ELFI pins
matplotlib below 3.9; this loop is small, and it is tested against a posterior known in
closed form (tests/test_smc.py). The simulator is any function of an (n, d) array of
parameters and the index of the first simulation, returning n distances; the index gives
every simulation its own random stream, so results do not depend on batch sizes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy import stats
from scipy.stats import qmc

Simulator = Callable[[np.ndarray, int], np.ndarray]


@dataclass
class Generation:
    """One SMC population: particles (n, d), normalised weights (n,), distances (n,), its tolerance."""

    particles: np.ndarray
    weights: np.ndarray
    distances: np.ndarray
    epsilon: float
    simulations: int  # simulations this generation took
    acceptance: float  # accepted share of its simulations


@dataclass
class SMCResult:
    """All generations, the prior draws of generation 0 with their distances, and the budget used."""

    generations: list[Generation]
    prior_draws: np.ndarray
    prior_distances: np.ndarray
    simulations: int
    stopped_because: str
    names: list[str] = field(default_factory=list)

    @property
    def final(self) -> Generation:
        """The last completed generation: the posterior sample."""
        return self.generations[-1]


def weighted_covariance(particles: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """(d, d) covariance of weighted particles (weights sum to 1)."""
    mean = weights @ particles
    centred = particles - mean
    cov = (centred * weights[:, None]).T @ centred / max(1.0 - float(weights @ weights), 1e-12)
    return np.atleast_2d(cov)


def prior_density(priors: list[Any], theta: np.ndarray) -> np.ndarray:
    """(n,) joint prior density of independent priors at theta (n, d)."""
    density = np.ones(theta.shape[0])
    for j, prior in enumerate(priors):
        density = density * prior.pdf(theta[:, j])
    return density


def abc_smc(
    simulate: Simulator,
    priors: list[Any],
    *,
    particles: int,
    budget: int,
    rng: np.random.Generator,
    initial: int | None = None,
    quantile: float = 0.5,
    min_acceptance: float = 0.01,
    batch: int = 4000,
    progress: Callable[[int, int], None] | None = None,
) -> SMCResult:
    """Run ABC-SMC; see the module docstring.

    Args:
        simulate: ``simulate(theta (n, d), first_index) -> distances (n,)``.
        priors: frozen scipy distributions, one per parameter (independent).
        particles: population size N.
        budget: simulations after which no generation starts (generation 0 included).
        rng: the generator of proposals (simulations draw from their own streams).
        initial: generation-0 draws from the prior (default: 4 N, at most half the budget).
        quantile: ε_t is this quantile of the previous population's distances.
        min_acceptance: stop once a generation accepts a smaller share of its simulations.
        batch: most simulations proposed and run at once.
        progress: called as ``progress(simulations_done, budget)``.
    """
    d = len(priors)
    initial = initial or min(4 * particles, budget // 2)
    if initial < particles:
        raise ValueError(f"the budget ({budget}) is too small for {particles} particles")
    unit = qmc.LatinHypercube(d=d, rng=rng).random(initial)
    draws = np.column_stack([prior.ppf(unit[:, j]) for j, prior in enumerate(priors)])
    distances = _simulate_batched(simulate, draws, 0, batch)
    used = initial
    if progress:
        progress(used, budget)
    best = np.argsort(distances, kind="stable")[:particles]
    population = Generation(
        draws[best], np.full(particles, 1.0 / particles), distances[best], float(distances[best].max()), initial, 1.0
    )
    generations = [population]
    stopped = "budget"
    while True:
        epsilon = float(np.quantile(population.distances, quantile))
        if used >= budget:
            stopped = "budget"
            break
        if epsilon >= population.epsilon * 0.999:
            stopped = "tolerance no longer falls"
            break
        # Like pyabc's total-simulation limit, the last generation may finish past the budget,
        # but never past half as much again: a generation that would is abandoned.
        hard_limit = int(1.5 * budget) - used
        result = _generation(simulate, priors, population, epsilon, particles, hard_limit, used, rng, batch)
        if result is None:
            stopped = "budget"
            break
        used += result.simulations
        if progress:
            progress(used, budget)
        generations.append(result)
        population = result
        if result.acceptance < min_acceptance:
            stopped = "acceptance below the minimum"
            break
    return SMCResult(generations, draws, distances, used, stopped)


def _simulate_batched(simulate: Simulator, theta: np.ndarray, first: int, batch: int) -> np.ndarray:
    parts = [simulate(theta[i : i + batch], first + i) for i in range(0, len(theta), batch)]
    return np.concatenate(parts) if parts else np.zeros(0)


def _generation(
    simulate: Simulator,
    priors: list[Any],
    previous: Generation,
    epsilon: float,
    particles: int,
    remaining: int,
    first: int,
    rng: np.random.Generator,
    batch: int,
) -> Generation | None:
    """One population at tolerance ε, or None if the remaining budget runs out first."""
    covariance = 2.0 * weighted_covariance(previous.particles, previous.weights)
    covariance += np.eye(len(priors)) * 1e-12 * max(float(np.trace(covariance)), 1e-12)
    kernel = stats.multivariate_normal(np.zeros(len(priors)), covariance, allow_singular=True)
    accepted_theta: list[np.ndarray] = []
    accepted_distance: list[np.ndarray] = []
    spent, accepted = 0, 0
    rate = max(previous.acceptance, 0.05)
    while accepted < particles:
        missing = particles - accepted
        size = int(min(batch, remaining - spent, np.ceil(1.2 * missing / rate) + 16))
        if size <= 0:
            return None
        theta = _propose(previous, kernel, priors, size, rng)
        distances = simulate(theta, first + spent)
        spent += size
        keep = distances <= epsilon
        accepted_theta.append(theta[keep])
        accepted_distance.append(distances[keep])
        accepted += int(keep.sum())
        rate = max(accepted / spent, 1e-4)
    theta = np.concatenate(accepted_theta)[:particles]
    distances = np.concatenate(accepted_distance)[:particles]
    mixture = kernel_mixture(theta, previous.particles, previous.weights, covariance)
    weights = prior_density(priors, theta) / np.maximum(mixture, 1e-300)
    weights = weights / weights.sum()
    return Generation(theta, weights, distances, epsilon, spent, particles / spent)


def _propose(previous: Generation, kernel: Any, priors: list[Any], size: int, rng: np.random.Generator) -> np.ndarray:
    """``size`` proposals inside the prior's support: ancestors by weight, moved by the kernel."""
    out = np.empty((size, previous.particles.shape[1]))
    todo = np.arange(size)
    for _ in range(1000):
        ancestors = rng.choice(len(previous.weights), size=len(todo), p=previous.weights)
        moves = np.atleast_2d(kernel.rvs(size=len(todo), random_state=rng)).reshape(len(todo), -1)
        candidate = previous.particles[ancestors] + moves
        inside = prior_density(priors, candidate) > 0
        out[todo[inside]] = candidate[inside]
        todo = todo[~inside]
        if not len(todo):
            return out
    raise RuntimeError("the kernel keeps proposing outside the prior's support")


def kernel_mixture(theta: np.ndarray, centres: np.ndarray, weights: np.ndarray, covariance: np.ndarray) -> np.ndarray:
    """(n,) Σ_j w_j N(θ_i − c_j; 0, covariance) for theta (n, d) and centres (m, d)."""
    inverse = np.linalg.pinv(covariance)
    sign, logdet = np.linalg.slogdet(covariance)
    logdet = logdet if sign > 0 else np.log(max(float(np.prod(np.diag(covariance))), 1e-300))
    d = theta.shape[1]
    out = np.empty(len(theta))
    for start in range(0, len(theta), 256):  # (256, m, d) at a time bounds memory
        diff = theta[start : start + 256, None, :] - centres[None, :, :]
        quad = np.einsum("nmi,ij,nmj->nm", diff, inverse, diff)
        out[start : start + 256] = np.exp(-0.5 * quad) @ weights
    return out / np.sqrt((2 * np.pi) ** d * np.exp(logdet))


def effective_sample_size(weights: np.ndarray) -> float:
    """Kish's effective sample size of normalised weights."""
    return float(1.0 / np.sum(np.asarray(weights) ** 2))

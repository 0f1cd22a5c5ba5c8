"""ABC-SMC against posteriors known in closed form, and its bookkeeping."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from sim.observe.smc import abc_smc, effective_sample_size, kernel_mixture, weighted_covariance

SIGMA, N_OBS, TRUE_MEAN = 1.0, 25, 1.3


def normal_mean_simulator(observed_mean: float, seed: int):
    """Distance of a simulated sample mean of N_OBS draws N(theta, SIGMA) from the observed mean.

    Each simulation index has its own generator, so distances do not depend on batching.
    """

    def simulate(theta: np.ndarray, first: int) -> np.ndarray:
        noise = np.array([np.random.default_rng([seed, first + i]).standard_normal() for i in range(len(theta))])
        simulated = theta[:, 0] + SIGMA / np.sqrt(N_OBS) * noise
        return np.abs(simulated - observed_mean)

    return simulate


def test_recovers_the_conjugate_normal_posterior():
    # Flat prior on [-10, 10]; the posterior of the mean is N(x̄, σ²/n) to within truncation.
    observed_mean = 1.234
    result = abc_smc(
        normal_mean_simulator(observed_mean, seed=7),
        [stats.uniform(-10, 20)],
        particles=1000,
        budget=40_000,
        rng=np.random.default_rng(3),
    )
    final = result.final
    mean = float(final.weights @ final.particles[:, 0])
    sd = float(np.sqrt(weighted_covariance(final.particles, final.weights)[0, 0]))
    exact_sd = SIGMA / np.sqrt(N_OBS)
    # ABC at tolerance ε adds about ε²/3 of variance (a uniform kernel); it must be small by the end.
    assert final.epsilon < 0.4 * exact_sd
    assert mean == pytest.approx(observed_mean, abs=0.1 * exact_sd)
    assert sd == pytest.approx(np.sqrt(exact_sd**2 + final.epsilon**2 / 3), rel=0.1)
    assert len(result.generations) >= 4
    assert 40_000 <= result.simulations <= 60_000
    assert all(a.epsilon > b.epsilon for a, b in zip(result.generations, result.generations[1:], strict=False))


def test_recovers_a_two_parameter_posterior_with_an_informative_prior():
    # y_k ~ N(theta_k, 0.2²) independently, priors N(0, 0.5²): posterior N(0.862·y_k, 0.186²) each.
    observed = np.array([0.8, -0.4])
    prior_sd, noise_sd = 0.5, 0.2

    def simulate(theta: np.ndarray, first: int) -> np.ndarray:
        noise = np.array([np.random.default_rng([11, first + i]).standard_normal(2) for i in range(len(theta))])
        return np.sqrt((((theta + noise_sd * noise) - observed) ** 2).sum(axis=1))

    result = abc_smc(
        simulate,
        [stats.norm(0, prior_sd), stats.norm(0, prior_sd)],
        particles=800,
        budget=60_000,
        rng=np.random.default_rng(5),
    )
    final = result.final
    precision = 1 / prior_sd**2 + 1 / noise_sd**2
    exact_mean, exact_sd = observed / noise_sd**2 / precision, np.sqrt(1 / precision)
    mean = final.weights @ final.particles
    sd = np.sqrt(np.diag(weighted_covariance(final.particles, final.weights)))
    assert mean == pytest.approx(exact_mean, abs=0.15 * exact_sd)
    assert sd == pytest.approx(np.full(2, exact_sd), rel=0.15)
    assert effective_sample_size(final.weights) > 200


def test_same_seed_same_posterior():
    runs = [
        abc_smc(
            normal_mean_simulator(0.5, seed=1),
            [stats.uniform(-5, 10)],
            particles=100,
            budget=3000,
            rng=np.random.default_rng(9),
        ).final.particles
        for _ in range(2)
    ]
    assert np.array_equal(runs[0], runs[1])


def test_stops_within_budget_and_says_why():
    result = abc_smc(
        normal_mean_simulator(0.0, seed=2),
        [stats.uniform(-5, 10)],
        particles=100,
        budget=900,
        rng=np.random.default_rng(1),
    )
    assert result.simulations <= 1350 and result.stopped_because == "budget"
    with pytest.raises(ValueError, match="too small"):
        abc_smc(
            normal_mean_simulator(0.0, 2),
            [stats.uniform(0, 1)],
            particles=100,
            budget=150,
            rng=np.random.default_rng(1),
        )


def test_kernel_mixture_matches_scipy():
    rng = np.random.default_rng(0)
    theta, centres = rng.normal(size=(7, 3)), rng.normal(size=(5, 3))
    weights = np.full(5, 0.2)
    covariance = np.array([[1.0, 0.3, 0.0], [0.3, 2.0, 0.1], [0.0, 0.1, 0.5]])
    kernel = stats.multivariate_normal(np.zeros(3), covariance)
    expected = [weights @ kernel.pdf(t - centres) for t in theta]
    assert kernel_mixture(theta, centres, weights, covariance) == pytest.approx(expected, rel=1e-10)

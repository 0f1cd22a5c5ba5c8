"""Input bottlenecks through the sector dependency matrix Ω.

Claims: C04 (dependence on foreign chip suppliers), C05 (vulnerability to disruption),
C34 (robotics fed by AI and chips), and every downstream sector fed by semiconductors.
"""

from __future__ import annotations

import numpy as np

Array = np.ndarray


def import_quality(delivered: Array, relative: Array, reallocation: Array) -> Array:
    """Quality-weighted availability of imported inputs, (R, A, S).

    Args:
        delivered: (R, A, A, S) import shares times what still gets through (ties, open
            channels, supply shocks); receiver-major, rows sum to 1 when nothing is lost.
        relative: (R, A, S) capability relative to the frontier (supplier quality).
        reallocation: (R, 1, 1, 1) share of lost supply that buyers redirect to open suppliers.
    """
    return np.einsum("rabs,rbs->ras", redirect(delivered, reallocation), relative)


def redirect(weights: Array, reallocation: Array) -> Array:
    """Rescale channel weights (R, A, A, S) toward the sources still open (trade diversion).

    With total remaining weight w (sources sum), weights are divided by w^r: r = 0 keeps
    losses, r = 1 restores the full total over the open sources (if any remain).
    """
    remaining = np.einsum("rabs->ras", weights)[:, :, None, :]
    return weights / np.maximum(remaining, 1e-6) ** reallocation


def _ces_terms(domestic: Array, relative: Array, imported: Array, elasticity: Array):
    """Weighted CES terms μ·rel^ρ and (1-μ)·imp^ρ, ρ, and where σ is 1 (Cobb-Douglas).

    A tiny floor keeps the power of zero finite when ρ < 0.
    """
    rho = (elasticity - 1.0) / elasticity
    near_one = np.abs(rho) < 1e-6
    safe_rho = np.where(near_one, 1.0, rho)
    home = domestic * np.maximum(relative, 1e-9) ** safe_rho
    foreign = (1.0 - domestic) * np.maximum(imported, 1e-9) ** safe_rho
    return home, foreign, safe_rho, near_one


def availability(domestic: Array, relative: Array, imported: Array, elasticity: Array) -> Array:
    """CES aggregate of domestic and imported inputs, (R, A, S).

    ``(μ·rel^ρ + (1-μ)·imp^ρ)^(1/ρ)`` with ρ = (σ-1)/σ; σ → 1 is the Cobb-Douglas limit.
    """
    home, foreign, rho, near_one = _ces_terms(domestic, relative, imported, elasticity)
    if not near_one.any():
        return (home + foreign) ** (1.0 / rho)
    cobb = np.maximum(relative, 1e-9) ** domestic * np.maximum(imported, 1e-9) ** (1.0 - domestic)
    return np.where(near_one, cobb, (home + foreign) ** (1.0 / rho))


def bottleneck(log_availability: Array, log_availability0: Array, dependency: Array) -> Array:
    """Input factor U[a, s] = Π_u (Avail/Avail0)^Ω[s, u]; 1 when nothing changed since 2015.

    Args:
        log_availability, log_availability0: (R, A, S) now and at the start.
        dependency: Ω, (S, S), row s (user), column u (input).
    """
    return np.exp((log_availability - log_availability0) @ dependency.T)


def domestic_share(domestic: Array, relative: Array, imported: Array) -> Array:
    """Share of input supply that is produced at home, (R, A, S): μ·rel / (μ·rel + (1-μ)·imp).

    Quality-weighted quantities, not CES cost shares (which, with complements, give a scarce
    home supply a large share). This is the model's self-sufficiency measure (C04, C06, C14).
    """
    home = domestic * relative
    total = home + (1.0 - domestic) * imported
    return np.divide(home, total, out=np.zeros_like(home), where=total > 0)

"""Input supply by origin, re-sourcing, and the input bottleneck through Ω.

Claims: C04 (dependence on foreign chip suppliers), C05 (vulnerability to disruption),
C28/C31 (lost Western supply is re-sourced, much of it from China), C34 (robotics fed by
AI and chips), and every downstream sector fed by semiconductors.

Supply of sector u's inputs to actor a is split into shares by origin b (b = a is home
supply). Quantity (shares) and quality (the origin's capability, an absolute level) are
kept apart: a control removes volume, re-sourcing moves volume to other origins, and the
quality of what arrives is the quality of where it now comes from.
"""

from __future__ import annotations

import numpy as np

from sim.rules.common import power

Array = np.ndarray


def origin_shares(domestic: Array, import_share: Array) -> Array:
    """Shares of supply by origin, receiver-major, home on the diagonal: (..., A, A, S).

    Args:
        domestic: μ, (..., A, S) share of supply produced at home.
        import_share: (A, A, S) where imports come from (rows sum to 1 over origins, diagonal 0).
    """
    shares = (1.0 - domestic)[..., :, None, :] * import_share
    n_a = import_share.shape[0]
    diagonal = np.arange(n_a)
    shares[..., diagonal, diagonal, :] = domestic
    return shares


def disrupted_exports(scheduled: Array, lingering: Array) -> Array:
    """Share of each supplier's exports lost to supply shocks, (R, A, S) in [0, 1].

    A shock cuts at once (``scheduled``, (A, S)); after it ends, the loss fades as buyers
    return (``lingering``, (R, A, S), decayed each step at the tie-recovery rate), so a
    temporary shock leaves a fading trace rather than none.
    """
    return np.maximum(scheduled[None], lingering)


def lost_volume(delivered: Array) -> Array:
    """Share of supply that no longer arrives, 1 − Σ_b delivered[a,b,s], (R, A, S)."""
    return np.maximum(0.0, 1.0 - delivered.sum(axis=2))


def resourced_volume(previous: Array, lost: Array, immediate: Array) -> Array:
    """Volume bought again from substitute origins, (R, A, S) in [r·L, L].

    A share r of a new loss is re-sourced at once (stocks, spot markets, re-routing); the
    rest follows as buyers qualify new suppliers (``previous`` relaxes toward L over the
    gestation time in the model's update).

    Args:
        previous: (R, A, S) re-sourced volume carried from the last step.
        lost: L, (R, A, S)
        immediate: r, (R, 1, 1).
    """
    return np.clip(previous, immediate * lost, lost)


def resourced_shares(delivered: Array, attraction: Array, volume: Array) -> Array:
    """Supply shares after buyers re-source ``volume`` of what they lost, (R, A, A, S).

    The volume goes to origins that can substitute for the lost items (home included) in
    proportion to their attraction, so buyers turn to the best of the sources still open,
    which may be home. What is not re-sourced is a shortfall.

    Args:
        delivered: (R, A, A, S) shares that still arrive (free shares × what passes).
        attraction: (R, A, A, S) ``sourcing_attraction`` of each origin to each buyer, times how
            far the origin can supply the lost items (0 for an origin that controls the same
            items, 1 for home and non-controllers).
        volume: (R, A, S) re-sourced volume (``resourced_volume``).
    """
    total = attraction.sum(axis=2)
    per_attraction = np.divide(volume, total, out=np.zeros_like(volume), where=total > 0)
    return delivered + attraction * per_attraction[:, :, None, :]


def sourcing_attraction(access: Array, quality: Array, elasticity: Array) -> Array:
    """Eaton-Kortum sourcing weight of origin b for buyer a: access[a,b]·K[b,s]^θ, (R, A, A, S).

    Args:
        access: (A, A) tie strength between buyer and origin, 1 on the diagonal (home).
        quality: (R, A, S) origins' capability
        elasticity: θ, (R, 1, 1).
    """
    return access[None, :, :, None] * power(quality, elasticity)[:, None, :, :]


def supply(shares: Array, quality: Array) -> Array:
    """Quality-weighted supply Σ_b share[a,b,s]·K[b,s], (R, A, S).

    Origins are perfect substitutes in quality units (an Armington elasticity well above
    the input elasticity); low substitutability is between input sectors (``bottleneck``).
    """
    # A plain product and sum: its summation order does not depend on the batch size.
    return (shares * quality[:, None, :, :]).sum(axis=2)


def supply_ratio(actual: Array, free: Array) -> Array:
    """Supply relative to unrestricted sourcing at today's qualities, (R, A, S) in (0, 1].

    Capped at 1: the free sourcing mix is chosen on price and quality, so a forced change
    of origin cannot improve on it; the model tracks quality only, so the cap stands for
    the price side.
    """
    return np.minimum(1.0, actual / np.maximum(free, 1e-12))


def adjustment(lost: Array, resourced: Array, immediate: Array) -> Array:
    """How far buyers have adjusted to a loss of supply, (R, A, S) in [0, 1].

    0 right after a loss (only the immediate share r is re-sourced), 1 once all of it is
    (and where nothing is lost): ``(resourced/L − r)/(1 − r)``.

    Args:
        lost: L, (R, A, S)
        resourced: (R, A, S) in [r·L, L]
        immediate: r, (R, 1, 1).
    """
    done = np.divide(resourced, lost, out=np.ones_like(lost), where=lost > 1e-9)
    span = 1.0 - immediate
    return np.where(span > 1e-9, np.clip((done - immediate) / np.maximum(span, 1e-9), 0.0, 1.0), 1.0)


def input_elasticity(progress: Array, dependency: Array, short: Array, long: Array) -> Array:
    """Elasticity of substitution of each user sector, (R, A, S): from σ_short toward σ_long.

    Each sector's σ moves with the Ω-weighted adjustment of its inputs: a shortfall binds
    at first (near-Leontief, Boehm et al. 2019) and less as users redesign around it.

    Args:
        progress: (R, A, S) ``adjustment`` of each input sector.
        dependency: Ω, (S, S)
        short: σ_short and σ_long, (R, 1, 1).
        long: σ_short and σ_long, (R, 1, 1).
    """
    weight = dependency.sum(axis=1)
    mean = np.divide(progress @ dependency.T, weight, out=np.ones_like(progress), where=weight > 0)
    return short + (long - short) * mean


def dependency_factor(dependency: Array, scale: Array) -> Array | None:
    """Per-run factor on each row of Ω, (R, 1, S): the run's ``dependency_scale``, capped per row.

    The cap keeps any sector from relying on its listed inputs for more than all of itself
    (Σ_u Ω ≤ 1). None when every run keeps Ω as it is (scale 1), so the usual path keeps its bits.
    """
    scale = np.asarray(scale, dtype=np.float64)
    if np.all(scale == 1.0):
        return None
    rows = dependency.sum(axis=1)
    cap = np.divide(1.0, rows, out=np.full_like(rows, np.inf), where=rows > 0)
    return np.minimum(scale[:, None, None], cap[None, None, :])


def bottleneck(
    ratio: Array,
    dependency: Array,
    elasticity: Array,
    lists: tuple[Array, Array] | None = None,
    factor: Array | None = None,
) -> Array:
    """Input factor U[a, s] ∈ (0, 1]: CES over input sectors u and all other inputs.

    ``U = (Σ_u Ω[s,u]·ratio_u^ρ + (1 − Σ_u Ω[s,u]))^(1/ρ)``, ρ = (σ − 1)/σ; other inputs
    are unrestricted (ratio 1). σ → 1 gives the Cobb-Douglas ``Π_u ratio_u^Ω[s,u]``; a
    small σ makes a shortfall of one input bind (near-Leontief, Boehm et al. 2019).

    Args:
        ratio: (R, A, S) supply ratio of each input sector.
        dependency: Ω, (S, S), row s (user), column u (input); rows sum to at most 1.
        elasticity: σ of each user sector, broadcastable to (R, A, S).
        lists: ``input_lists(dependency)``, computed once by a caller that steps many times.
        factor: ``dependency_factor`` of the runs, (R, 1, S), or None (Ω as it is).
    """
    elasticity = np.broadcast_to(elasticity, ratio.shape)
    rho = (elasticity - 1.0) / elasticity
    near_one = np.abs(rho) < 1e-6
    safe_rho = np.where(near_one, 1.0, rho)
    other = 1.0 - dependency.sum(axis=1)
    inputs_of, weight = input_lists(dependency) if lists is None else lists
    if factor is not None:  # the runs' scaled Ω (a deep uncertainty, ODD 8.5)
        other = 1.0 - dependency.sum(axis=1) * factor
        weight = weight * factor[..., None]
    # Log ratios with a last column of zeros (ratio 1) that padded input slots point to.
    log_ratio = np.concatenate([np.log(np.maximum(ratio, 1e-12)), np.zeros((*ratio.shape[:-1], 1))], axis=-1)
    used = log_ratio[..., inputs_of]  # (R, A, S, m) each user's inputs
    ces = power(_sum_inputs(weight * np.exp(safe_rho[..., None] * used)) + other, 1.0 / safe_rho)
    if not near_one.any():
        return ces
    return np.where(near_one, np.exp(_sum_inputs(weight * used)), ces)


def _sum_inputs(terms: Array) -> Array:
    """``terms.sum(axis=-1)`` for a short last axis (a sector's few inputs), (..., m) → (...).

    numpy reduces a last axis shorter than 8 one element after another, but pays a call per
    output element; adding the columns in the same order gives the same bits in a few
    whole-array passes. Longer axes keep numpy's pairwise sum.
    """
    if terms.shape[-1] >= 8:
        return terms.sum(axis=-1)
    total = np.zeros(terms.shape[:-1])
    for j in range(terms.shape[-1]):  # m < 8 columns, not a loop over runs or actors
        total += terms[..., j]
    return total


def input_lists(dependency: Array) -> tuple[Array, Array]:
    """Each user sector's input sectors and their Ω, padded to the longest list: (S, m) each.

    Padding points at column S (a ratio of 1) with weight 0. Ω is sparse, so this is a
    few inputs per sector instead of all S.
    """
    n_s = dependency.shape[0]
    width = max(1, int((dependency > 0).sum(axis=1).max()))
    inputs_of = np.full((n_s, width), n_s)
    weight = np.zeros((n_s, width))
    for s in range(n_s):  # once per model, not per step
        used = np.flatnonzero(dependency[s] > 0)
        inputs_of[s, : used.size] = used
        weight[s, : used.size] = dependency[s, used]
    return inputs_of, weight


def redirect(weights: Array, reallocation: Array) -> Array:
    """Rescale knowledge-channel weights (R, A, A, S) toward the sources still open.

    With total remaining weight w (sources sum), weights are divided by w^r: r = 0 keeps
    losses, r = 1 restores the full total over the open sources (if any remain).
    """
    remaining = weights.sum(axis=2, keepdims=True)
    return weights / power(np.maximum(remaining, 1e-6), reallocation)


def home_share(shares: Array, quality: Array, total: Array) -> Array:
    """Share of quality-weighted supply produced at home, (R, A, S): the self-sufficiency measure (C04, C06, C14)."""
    n_a = shares.shape[1]
    diagonal = np.arange(n_a)
    home = shares[:, diagonal, diagonal, :] * quality
    return np.divide(home, total, out=np.zeros_like(home), where=total > 0)


def import_shares(shares: Array, out: Array | None = None) -> Array:
    """Shares of imported supply by origin (home excluded), (R, A, A, S); rows sum to 1 or 0.

    Args:
        shares: (R, A, A, S) supply shares by origin, home on the diagonal.
        out: optional array to write into (a recorder's float32 slice).
    """
    n_a = shares.shape[1]
    diagonal = np.arange(n_a)
    imported = shares.sum(axis=2) - shares[:, diagonal, diagonal, :]
    scale = np.divide(1.0, imported, out=np.zeros_like(imported), where=imported > 1e-12)
    result = np.multiply(shares, scale[:, :, None, :], out=out, casting="same_kind")
    result[:, diagonal, diagonal, :] = 0.0
    return result

"""GDP from capability through each actor's production network (ODD §7.12; C29, C04, C05).

An outcome measure: nothing here feeds back into the dynamics. Per actor there are N = S + 1
goods, the S technology sectors and the rest of the economy (last). Good j is made with CES
between value added (one factor, the wage is the numeraire) and an intermediate bundle
(elasticity ε); the bundle is CES over goods (elasticity θ_M); final demand is Cobb-Douglas.
Everything is a change from a base equilibrium (exact hat algebra: 2015 capabilities, free
trade), so 2015 cost shares are all the network needs:

    p̂_j = Â_j⁻¹ · (α_j + (1 − α_j)·M̂_j^(1−ε))^(1/(1−ε)),
    M̂_j = (Σ_k s_jk·(p̂_k·τ̂_jk)^(1−θ_M))^(1/(1−θ_M)),        Ŷ = Π_j p̂_j^(−β_j).

* Technology sector s: productivity Â_s = (K_eff,s / K_2015,s)^η. K_eff already counts the
  shortfall of the sector's own inputs (U, ODD §7.4), so it is not counted again here.
* The rest of the economy: value-added productivity rises with the actor's capability
  composite at the diffusion elasticity κ (Coe-Helpman); on a gross-output basis that is
  Â_R = composite^(α_R·κ). It buys technology goods, and where their supply falls short
  (supply ratio ρ < 1) it pays 1/ρ more per unit of quality.
* The price channel: buyers who lose origins they bought from pay the Eaton-Kortum price index
  of the origins still open, (1 − L)^(−1/θ) with L the lost share of free sourcing and θ the
  model's sourcing elasticity; every user of the input pays it.

Cost shares come from data where there are data: each actor's technology value added / GDP
(NCSES, 2015) fixes the size of its technology sectors; ``network`` derives the rest.
Arrays are (R, T, A, ·): runs, times, actors, then sectors or goods; parameters are (R,).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from sim.world import World

Array = np.ndarray

# Parameters of the mapping, as named in sim.config.economy_parameters (plus the price channel's θ).
MAPPING_PARAMETERS = (
    "tech_productivity_elasticity",
    "diffusion_elasticity",
    "tech_value_added_ratio",
    "rest_value_added_ratio",
    "tech_intermediate_sales",
    "value_added_elasticity",
    "intermediate_elasticity",
    "sourcing_elasticity",
)
_TOLERANCE = 1e-8  # in log price: below float32 resolution (6e-8), in which results are stored
_MAX_ITERATIONS = 500
_NEWTON_STEPS = 20


@dataclass(frozen=True)
class Network:
    """2015 cost shares of every actor's network (per run, since the shares are parameters).

    value_added (R, 1, N): α_j, value added / gross output of each good (tech goods share α_T).
    tech_inputs (S, N): a technology sector's intermediate bundle, Ω[s, u] from the technology
        sectors and the rest 1 − Σ_u Ω[s, u] from the rest of the economy (same for every actor).
    rest_tech (R, A): share of the rest's intermediate bundle bought from technology sectors.
    final (R, A, N): Cobb-Douglas final-demand shares β (sum 1).
    split (S,): how technology purchases by the rest and final demand split over sectors.
    domar (R, A, N): gross output / GDP of each good in 2015 (the Domar weights).
    """

    value_added: Array
    tech_inputs: Array
    rest_tech: Array
    final: Array
    split: Array
    domar: Array


def network(
    tech_value_added: Array, dependency: Array, weight: Array, alpha_tech: Array, alpha_rest: Array, sales: Array
) -> Network:
    """Cost shares that reproduce each actor's technology value added / GDP.

    Args:
        tech_value_added: (A,) technology value added / GDP in 2015.
        dependency: (S, S) Ω, read as shares of a sector's intermediate bundle.
        weight: (S,) sector weights, splitting the rest's and final demand's technology purchases.
        alpha_tech: (R,) value added / gross output of the technology sectors.
        alpha_rest: (R,) value added / gross output of the rest of the economy.
        sales: (R,) φ, share of technology sales outside the technology sectors bought as inputs
            by the rest (the remainder goes to final demand, investment and exports).

    With E the technology sectors' sales outside themselves (/GDP), gross output x = E·z with
    z = (I − (1 − α_T)·Ωᵀ)⁻¹ split, and v = α_T·Σx gives E; the rest's gross output is
    (1 − v)/α_R, so its technology share is φ·E / ((1 − α_R)·(1 − v)/α_R), at most 1.
    The admissible bounds (v ≤ 0.2, α_T ≥ 0.2, Σz ≥ 1) keep E ≤ 1, so final demand's share of
    technology goods is a share.
    """
    n_sectors = dependency.shape[0]
    split = weight / weight.sum()
    alpha_tech, alpha_rest, sales = (np.asarray(x, dtype=np.float64) for x in (alpha_tech, alpha_rest, sales))
    leontief = np.eye(n_sectors)[None] - (1.0 - alpha_tech)[:, None, None] * dependency.T[None]
    z = np.linalg.solve(leontief, np.broadcast_to(split, (len(alpha_tech), n_sectors))[..., None])[..., 0]  # (R, S)
    external = tech_value_added[None, :] / (alpha_tech[:, None] * z.sum(axis=1)[:, None])  # E (R, A)
    rest_output = (1.0 - tech_value_added[None, :]) / alpha_rest[:, None]  # (R, A)
    # In corners of the admissible box the rest could not absorb φ·E; what it cannot goes to final demand.
    rest_tech = np.minimum(sales[:, None] * external / ((1.0 - alpha_rest[:, None]) * rest_output), 1.0)
    final_tech = external - rest_tech * (1.0 - alpha_rest[:, None]) * rest_output  # ≤ E ≤ 1 (ODD 7.12)
    final = np.concatenate([final_tech[..., None] * split, 1.0 - final_tech[..., None]], axis=-1)
    tech_inputs = np.concatenate([dependency, 1.0 - dependency.sum(axis=1, keepdims=True)], axis=1)
    value_added = np.concatenate([np.repeat(alpha_tech[:, None], n_sectors, axis=1), alpha_rest[:, None]], axis=1)[
        :, None, :
    ]
    domar = np.concatenate([external[..., None] * z[:, None, :], rest_output[..., None]], axis=-1)
    return Network(value_added, tech_inputs, rest_tech, final, split, domar)


def _safe(exponent: Array) -> Array:
    """1 − elasticity, kept away from 0 (the CES tends to Cobb-Douglas; the error is below 1e-9)."""
    return np.where(np.abs(exponent) < 1e-9, 1e-9, exponent)


@dataclass(frozen=True)
class _System:
    """The price system of every (run, time, actor), laid out for the solvers (shapes as named)."""

    log_productivity: Array  # (R, T, A, N)
    wedge: Array  # (R, T, A, N): what every buyer pays on top of a good's price (0 for the rest's good)
    rest_extra: Array  # (R, T, A, N): what the rest of the economy pays on top of that
    tech_inputs: Array  # (S, N)
    rest_shares: Array  # (R, A, N)
    alpha: Array  # (R, N)
    inner: Array  # (R,) 1 − θ_M
    outer: Array  # (R,) 1 − ε

    def costs(self, log_price: Array) -> Array:
        """F(ln p): every good's log unit cost at these prices, (R, T, A, N)."""
        inner = self.inner[:, None, None, None]
        outer = self.outer[:, None, None, None]
        paid = log_price + self.wedge
        tech = _log_ces(self.tech_inputs, paid[..., None, :], inner[..., None])  # (R, T, A, S)
        rest = _log_ces(self.rest_shares[:, None, :, None, :], (paid + self.rest_extra)[..., None, :], inner[..., None])
        bundle = np.concatenate([tech, rest], axis=-1)
        alpha = np.broadcast_to(self.alpha[:, None, None, :], bundle.shape)
        pair = np.stack([alpha, 1.0 - alpha], axis=-1)
        logs = np.stack([np.zeros_like(bundle), bundle], axis=-1)
        return -self.log_productivity + _log_ces(pair, logs, outer[..., None])


def _log_ces(weights: Array, log_price: Array, exponent: Array) -> Array:
    """(1/a)·ln Σ_k w_k·e^(a·x_k) over the last axis (weights sum to 1).

    Shifted by the largest term and in expm1/log1p, as ``sim.network_kernel._log_ces`` computes it.
    """
    scaled = exponent * log_price
    used = np.broadcast_to(weights > 0, np.broadcast_shapes(weights.shape, scaled.shape))
    top = np.where(used, scaled, -np.inf).max(axis=-1, keepdims=True)
    total = np.where(used, weights * np.expm1(scaled - top), 0.0).sum(axis=-1)
    return (top[..., 0] + np.log1p(total)) / exponent[..., 0]


def _system(
    net: Network,
    log_productivity: Array,
    log_price_wedge: Array,
    log_rest_wedge: Array,
    value_added_elasticity: Array,
    intermediate_elasticity: Array,
) -> _System:
    pad = np.zeros_like(log_price_wedge[..., :1])
    return _System(
        log_productivity=np.ascontiguousarray(log_productivity, dtype=np.float64),
        wedge=np.concatenate([log_price_wedge, pad], axis=-1),
        rest_extra=np.concatenate([log_rest_wedge, pad], axis=-1),
        tech_inputs=np.ascontiguousarray(net.tech_inputs, dtype=np.float64),
        rest_shares=np.concatenate([net.rest_tech[..., None] * net.split, 1.0 - net.rest_tech[..., None]], axis=-1),
        alpha=np.ascontiguousarray(net.value_added[:, 0, :]),
        inner=_safe(1.0 - np.asarray(intermediate_elasticity, dtype=np.float64)),
        outer=_safe(1.0 - np.asarray(value_added_elasticity, dtype=np.float64)),
    )


def log_prices(
    net: Network,
    log_productivity: Array,
    log_price_wedge: Array,
    log_rest_wedge: Array,
    value_added_elasticity: Array,
    intermediate_elasticity: Array,
    start: Array | None = None,
) -> Array:
    """Log price of every good relative to the base equilibrium, (R, T, A, N).

    Args:
        net: the 2015 cost shares (``network``).
        log_productivity: (R, T, A, N) ln Â_j.
        log_price_wedge: (R, T, A, S) ln of what every user pays extra for each technology input.
        log_rest_wedge: (R, T, A, S) ln of what the rest of the economy pays on top of that.
        value_added_elasticity: (R,) ε, between value added and the intermediate bundle.
        intermediate_elasticity: (R,) θ_M, among the goods of the bundle.
        start: (R, T, A, N) where to start (say, the last step's prices); default and where
            not finite, the Cobb-Douglas solution. Each later time starts from the one before.

    Newton's method on ln p = F(ln p), the cost functions, one system at a time
    (``sim.network_kernel``); should Newton stall, plain iteration of F from the start. With
    complements (ε, θ_M < 1) a system may have no equilibrium: a good whose productivity has
    collapsed cannot cover the inputs it uses, itself among them, and its price grows without
    bound. Such systems are NaN (``sim.results`` warns, naming the runs).
    """
    from sim.network_kernel import solve_network

    system = _system(
        net, log_productivity, log_price_wedge, log_rest_wedge, value_added_elasticity, intermediate_elasticity
    )
    # The kernel starts each later time from the one before, so only the first needs a start:
    # the one given, else the base equilibrium (log price 0), from which Newton takes as few
    # steps as from the Cobb-Douglas solution and nothing needs building.
    log_price = np.zeros(system.log_productivity.shape)
    if start is not None:
        log_price[:, :1] = np.where(np.isfinite(start[:, :1]), start[:, :1], 0.0)
    solve_network(
        log_price,
        system.log_productivity,
        system.wedge,
        system.rest_extra,
        system.tech_inputs,
        system.rest_shares,
        system.alpha,
        system.inner,
        system.outer,
        _TOLERANCE,
        _NEWTON_STEPS,
        _MAX_ITERATIONS,
    )
    return log_price


def log_prices_by_iteration(
    net: Network,
    log_productivity: Array,
    log_price_wedge: Array,
    log_rest_wedge: Array,
    value_added_elasticity: Array,
    intermediate_elasticity: Array,
) -> Array:
    """``log_prices`` by plain iteration of F in numpy: the slower reference the tests compare against.

    Raises ``ArithmeticError`` where some system has no equilibrium.
    """
    system = _system(
        net, log_productivity, log_price_wedge, log_rest_wedge, value_added_elasticity, intermediate_elasticity
    )
    log_price = np.zeros(system.log_productivity.shape)
    for _ in range(_MAX_ITERATIONS):
        following = system.costs(log_price)
        change = np.abs(following - log_price).max(initial=0.0)
        log_price = following
        if change < _TOLERANCE and np.abs(log_price).max(initial=0.0) < 700.0:
            return log_price
    raise ArithmeticError(f"the production network's prices did not converge (last change {change:.2g})")


def log_gdp(net: Network, log_price: Array) -> Array:
    """Ln Ŷ = −Σ_j β_j ln p̂_j (labour fixed, wage the numeraire): (R, T, A)."""
    return -(log_price * net.final[:, None]).sum(axis=-1)


class Mapping:
    """The GDP mapping of a batch of runs: their network and parameters, set up once."""

    def __init__(self, tech_value_added: Array, dependency: Array, weight: Array, params: dict[str, Array]) -> None:
        """Build the runs' network once.

        ``tech_value_added`` (A,), ``dependency`` Ω (S, S) and ``weight`` (S,) as in ``network``;
        ``params``: every name of ``MAPPING_PARAMETERS``, (R,) each.
        """
        self.p = {k: np.asarray(params[k], dtype=np.float64) for k in MAPPING_PARAMETERS}
        self.net = network(
            tech_value_added,
            dependency,
            weight,
            self.p["tech_value_added_ratio"],
            self.p["rest_value_added_ratio"],
            self.p["tech_intermediate_sales"],
        )

    def log_prices(
        self,
        effective: Array,
        initial: Array,
        supply_ratio: Array,
        lost_supply: Array,
        input_prices: bool = True,
        start: Array | None = None,
    ) -> Array:
        """Log prices of every good, (R, T, A, N), for trajectories shaped as in ``world_gdp``."""
        p = self.p
        growth = np.log(np.maximum(effective, 1e-300) / initial)  # (R, T, A, S)
        composite = growth @ self.net.split  # (R, T, A)
        per_run = (slice(None), None, None)
        log_productivity = np.concatenate(
            [
                p["tech_productivity_elasticity"][(*per_run, None)] * growth,
                ((p["rest_value_added_ratio"] * p["diffusion_elasticity"])[per_run] * composite)[..., None],
            ],
            axis=-1,
        )
        if input_prices:
            # θ below 1 would make the price index explode as origins close; it is read as 1 (ODD §7.12).
            theta = np.maximum(p["sourcing_elasticity"], 1.0)[(*per_run, None)]
            log_price_wedge = -np.log(np.maximum(1.0 - lost_supply, 1e-9)) / theta
        else:
            log_price_wedge = np.zeros_like(growth)
        log_rest_wedge = -np.log(np.clip(supply_ratio, 1e-9, 1.0))
        return log_prices(
            self.net,
            log_productivity,
            log_price_wedge,
            log_rest_wedge,
            p["value_added_elasticity"],
            p["intermediate_elasticity"],
            start,
        )


def bloc_gdp(actor_index: Array, gdp: Array, members: Array) -> Array:
    """A bloc's GDP index: Σ_a GDP_a,2015·Ŷ_a / Σ_a GDP_a,2015 over its members: (..., A) → (..., B).

    ``gdp``: (A,) 2015 GDP; ``members``: (B, A) bool.
    """
    weights = members * gdp[None, :]
    return (actor_index @ weights.T) / weights.sum(axis=1)


def world_gdp(
    world: World,
    effective: Array,
    supply_ratio: Array,
    lost_supply: Array,
    params: dict[str, Array],
    input_prices: bool = True,
) -> Array:
    """Real GDP of every actor relative to the base equilibrium, from the technology channel: (R, T, A).

    Args:
        world: gives the 2015 capability, technology value added, Ω and sector weights.
        effective: (R, T, A, S) capability with today's inputs, K·U^γ.
        supply_ratio: (R, T, A, S) ρ, quality-weighted supply of each input relative to free sourcing.
        lost_supply: (R, T, A, S) L, share of free sourcing no longer arriving.
        params: every name of ``MAPPING_PARAMETERS``, (R,) each.
        input_prices: False leaves the price channel out (to report its part separately).
    """
    mapping = Mapping(world.tech_value_added, world.dependency, world.weight, params)
    log_price = mapping.log_prices(effective, world.capability0, supply_ratio, lost_supply, input_prices)
    return np.exp(log_gdp(mapping.net, log_price))

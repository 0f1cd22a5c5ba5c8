"""Static structure of a scenario as arrays: actors, blocs, sectors, matrices.

Everything here is fixed for a model instance and shared by all runs of a batch;
nothing depends on the run axis. Shapes: A actors, S sectors.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from sim.config.schema import Scenario

Array = np.ndarray


@dataclass(frozen=True)
class World:
    """Arrays describing who is who and how sectors hang together.

    Attributes (shapes):
        actors (A,), sectors (S,), blocs (n_blocs,): names.
        bloc_of (A,): index of each actor's bloc.
        rival (A, A): a may control and spy on b.
        same_bloc (A, A), partner (A, A): cross-bloc pairs that ever cooperate.
        friction, trust0, link, cooperation0 (A, A): pair relations (diagonal unused).
        capability0 (A, S): initial capability; rd_budget0 (A,).
        budget_growth, budget_growth_long, budget_growth_fade (A,): R&D budget growth in 2015,
            the long-run rate it converges to, and the e-folding time of that convergence (years).
        rd_shares0 (A, S): R&D allocation, rows sum to 1.
        absorptive (A,), research_productivity (A, S), data0, data_growth (A,).
        domestic0 (A, S): share of inputs sourced at home in 2015.
        conduit (A,): conduit capacity; hawkishness (A,).
        gdp0 (A,): GDP in 2015 (US$ trillion); tech_value_added (A,): technology value added / GDP, 2015.
        weight, innovation, knowledge_returns, catch_up, data_intensity,
        learning, noise (S,): sector properties.
        dependency Ω (S, S), spillover N (S, S): row s, column u.
        source_share (A, A, S): where a's foreign knowledge in s comes from (rows sum to 1).
        import_share (A, A, S): where a's imported inputs of s come from (rows sum to 1).
        export_share (A, A, S): share of a's market in s that lies in b.
    """

    actors: tuple[str, ...]
    sectors: tuple[str, ...]
    blocs: tuple[str, ...]
    bloc_of: Array
    rival: Array
    same_bloc: Array
    partner: Array
    friction: Array
    trust0: Array
    link: Array
    cooperation0: Array
    capability0: Array
    rd_budget0: Array
    budget_growth: Array
    budget_growth_long: Array
    budget_growth_fade: Array
    rd_shares0: Array
    absorptive: Array
    research_productivity: Array
    data0: Array
    data_growth: Array
    domestic0: Array
    conduit: Array
    hawkishness: Array
    gdp0: Array
    tech_value_added: Array
    weight: Array
    innovation: Array
    knowledge_returns: Array
    catch_up: Array
    data_intensity: Array
    learning: Array
    noise: Array
    dependency: Array
    spillover: Array
    source_share: Array
    import_share: Array
    export_share: Array

    @property
    def n_actors(self) -> int:
        """Number of actors (A)."""
        return len(self.actors)

    @property
    def n_sectors(self) -> int:
        """Number of sectors (S)."""
        return len(self.sectors)

    def members(self, name: str) -> list[int]:
        """Actor indices named by an actor or bloc name (an actor name wins)."""
        if name in self.actors:
            return [self.actors.index(name)]
        if name in self.blocs:
            b = self.blocs.index(name)
            return [int(i) for i in np.flatnonzero(self.bloc_of == b)]
        raise KeyError(name)

    def sector_indices(self, sectors: list[str] | str) -> list[int]:
        """Indices of the named sectors ('all' for every sector)."""
        if sectors == "all":
            return list(range(self.n_sectors))
        return [self.sectors.index(s) for s in sectors]


def _pair_matrix(scenario: Scenario, actors: tuple[str, ...], same: Array, field: str) -> Array:
    within = getattr(scenario.relations.within_bloc, field)
    across = getattr(scenario.relations.across_blocs, field)
    matrix = np.where(same, within, across).astype(float)
    for pair in scenario.relations.pairs:
        value = getattr(pair, field)
        if value is not None:
            i, j = actors.index(pair.between[0]), actors.index(pair.between[1])
            matrix[i, j] = matrix[j, i] = value
    np.fill_diagonal(matrix, 0.0 if field != "trust" else 1.0)
    return matrix


def _normalise_rows(weights: Array) -> Array:
    """Normalise over the source axis (axis 1) of an (A, A, S) array; empty rows stay 0."""
    total = weights.sum(axis=1, keepdims=True)
    return np.divide(weights, total, out=np.zeros_like(weights), where=total > 0)


def _sector_matrix(rows: dict[str, dict[str, float]], sectors: tuple[str, ...]) -> Array:
    matrix = np.zeros((len(sectors), len(sectors)))
    for row, entries in rows.items():
        for column, value in entries.items():
            matrix[sectors.index(row), sectors.index(column)] = value
    return matrix


def build_world(scenario: Scenario) -> World:
    """Turn a validated scenario into the arrays the model computes with."""
    actors = tuple(scenario.actors)
    sectors = tuple(scenario.sectors)
    blocs = tuple(scenario.blocs)
    specs = list(scenario.actors.values())
    sector_specs = list(scenario.sectors.values())
    bloc_of = np.array([blocs.index(a.bloc) for a in specs])
    same_bloc = bloc_of[:, None] == bloc_of[None, :]
    rival_blocs = np.array([[other in scenario.blocs[b].rivals for other in blocs] for b in blocs], dtype=bool)
    rival = rival_blocs[bloc_of][:, bloc_of] | rival_blocs[bloc_of][:, bloc_of].T
    np.fill_diagonal(rival, False)

    weight = np.array([s.weight for s in sector_specs])

    def per_sector(field: str, default: float | Array) -> Array:
        out = np.empty((len(actors), len(sectors)))
        for i, spec in enumerate(specs):
            values = getattr(spec, field)
            for j, sector in enumerate(sectors):
                fallback = default[i, j] if isinstance(default, np.ndarray) else default
                out[i, j] = values.get(sector, fallback)
        return out

    capability0 = np.array([[a.capability.get(s, a.default_capability) for s in sectors] for a in specs])
    shares = np.array([_rd_shares(a.rd_shares, sectors, weight) for a in specs])
    supplier = per_sector("supplier_strength", capability0)
    rd_budget0 = np.array([a.rd_budget for a in specs])
    domestic0 = per_sector("domestic_sourcing", 0.5)

    friction = _pair_matrix(scenario, actors, same_bloc, "friction")
    trust0 = _pair_matrix(scenario, actors, same_bloc, "trust")
    link = _pair_matrix(scenario, actors, same_bloc, "link")
    cooperation0 = _pair_matrix(scenario, actors, same_bloc, "cooperation")

    off_diagonal = (~np.eye(len(actors), dtype=bool))[:, :, None]
    # Knowledge sources weighted by tie, size and capability (Buera-Oberfield: trade-share weights).
    source_share = _normalise_rows(
        off_diagonal * link[:, :, None] * rd_budget0[None, :, None] * capability0[None, :, :]
    )
    import_share = _normalise_rows(off_diagonal * link[:, :, None] * supplier[None, :, :])
    # a's market in b: b's imports from a, scaled by b's size; a's home market: its own sourcing.
    market = (1 - domestic0)[None, :, :] * import_share.transpose(1, 0, 2) * rd_budget0[None, :, None]
    home = domestic0 * rd_budget0[:, None]
    export_share = market / (home[:, None, :] + market.sum(axis=1, keepdims=True))

    world = World(
        actors=actors,
        sectors=sectors,
        blocs=blocs,
        bloc_of=bloc_of,
        rival=rival,
        same_bloc=same_bloc,
        friction=friction,
        trust0=trust0,
        link=link,
        cooperation0=cooperation0,
        capability0=capability0,
        rd_budget0=rd_budget0,
        budget_growth=np.array([a.budget_growth for a in specs]),
        budget_growth_long=np.array(
            [a.budget_growth if a.budget_growth_long is None else a.budget_growth_long for a in specs]
        ),
        budget_growth_fade=np.array([a.budget_growth_fade for a in specs]),
        rd_shares0=shares,
        absorptive=np.array([a.absorptive for a in specs]),
        research_productivity=per_sector("research_productivity", 1.0),
        data0=np.array([a.data_stock for a in specs]),
        data_growth=np.array([a.data_growth for a in specs]),
        domestic0=domestic0,
        conduit=np.array([a.conduit_capacity for a in specs]),
        hawkishness=np.array([a.hawkishness for a in specs]),
        gdp0=np.array([a.gdp for a in specs]),
        tech_value_added=np.array([a.tech_value_added for a in specs]),
        weight=weight,
        innovation=np.array([s.innovation for s in sector_specs]),
        knowledge_returns=np.array([s.knowledge_returns for s in sector_specs]),
        catch_up=np.array([s.catch_up for s in sector_specs]),
        data_intensity=np.array([s.data_intensity for s in sector_specs]),
        learning=np.array([float(s.learning) for s in sector_specs]),
        noise=np.array([s.noise for s in sector_specs]),
        dependency=_sector_matrix(scenario.dependency, sectors),
        spillover=_sector_matrix(scenario.spillover, sectors),
        source_share=source_share,
        import_share=import_share,
        export_share=export_share,
        partner=(~same_bloc) & (~rival) & (cooperation0 > 0),
    )
    # Partners also include cross-bloc, non-rival parties to any agreement or joint project.
    partner = world.partner.copy()
    party_lists = [a.parties for a in scenario.policies.cooperation] + [
        p.parties for p in scenario.policies.joint_projects
    ]
    for names in party_lists:
        parties = sorted({i for name in names for i in world.members(name)})
        for i in parties:
            for j in parties:
                partner[i, j] |= i != j and not same_bloc[i, j] and not rival[i, j]
    return replace(world, partner=partner)


def _rd_shares(listed: dict[str, float], sectors: tuple[str, ...], weight: Array) -> Array:
    """Listed sectors get their share; the others split the rest in proportion to their weight."""
    shares = np.array([listed.get(s, 0.0) for s in sectors])
    rest = np.array([s not in listed for s in sectors])
    remainder = 1.0 - shares.sum()
    if rest.any():
        shares[rest] = remainder * weight[rest] / weight[rest].sum()
    return shares / shares.sum()

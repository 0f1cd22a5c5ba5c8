"""Checks that names used in a scenario refer to things the scenario defines.

Pydantic checks each value on its own; these checks relate values to each other
(an actor's bloc must exist, a policy's sectors must be sectors). Each problem is
returned with the key path it belongs to, so the loader can point at its line.
"""

from __future__ import annotations

from collections.abc import Iterator

from sim.config.errors import KeyPath, did_you_mean
from sim.config.schema import Scenario

Problem = tuple[KeyPath, str]


def _known(kind: str, name: str, known: set[str]) -> str | None:
    if name in known:
        return None
    extra = did_you_mean(name, sorted(known)) or f"; known: {', '.join(sorted(known))}"
    return f"unknown {kind} '{name}'{extra}"


def _actor_or_bloc(scenario: Scenario, name: str) -> str | None:
    known = set(scenario.actors) | set(scenario.blocs)
    return _known("actor or bloc", name, known)


def _sector_list(scenario: Scenario, sectors: list[str] | str, path: KeyPath) -> Iterator[Problem]:
    if sectors == "all":
        return
    for i, sector in enumerate(sectors):
        if message := _known("sector", sector, set(scenario.sectors)):
            yield (*path, i), message


def _year(scenario: Scenario, year: float, path: KeyPath) -> Iterator[Problem]:
    if not 1900 <= year <= 2200:
        yield path, f"year {year} is outside 1900-2200"


def find_problems(scenario: Scenario) -> list[Problem]:
    """Every broken cross-reference of a scenario, in file order."""
    return list(_problems(scenario))


def _problems(s: Scenario) -> Iterator[Problem]:
    sectors = set(s.sectors)
    blocs = set(s.blocs)
    actors = set(s.actors)
    for name in sorted(actors & blocs):
        # A shared name is unambiguous only if the bloc is that actor alone.
        members = [a for a, spec in s.actors.items() if spec.bloc == name]
        if members not in ([name], []):
            yield ("actors", name), f"'{name}' is both an actor and a bloc with other members ({', '.join(members)}); rename one"
    for bloc, spec in s.blocs.items():
        for i, rival in enumerate(spec.rivals):
            if message := _known("bloc", rival, blocs):
                yield ("blocs", bloc, "rivals", i), message
            elif rival == bloc:
                yield ("blocs", bloc, "rivals", i), "a bloc cannot be its own rival"
    for name, actor in s.actors.items():
        if message := _known("bloc", actor.bloc, blocs):
            yield ("actors", name, "bloc"), message
        for field in ("capability", "rd_shares", "research_productivity", "domestic_sourcing", "supplier_strength"):
            for sector in getattr(actor, field):
                if message := _known("sector", sector, sectors):
                    yield ("actors", name, field, sector), message
    for field in ("dependency", "spillover"):
        matrix = getattr(s, field)
        for row, entries in matrix.items():
            if message := _known("sector", row, sectors):
                yield (field, row), message
                continue
            for column, value in entries.items():
                if message := _known("sector", column, sectors):
                    yield (field, row, column), message
                elif not 0 <= value <= 1:
                    yield (field, row, column), f"must lie in [0, 1], got {value}"
            if field == "dependency" and sum(entries.values()) > 1 + 1e-9:
                yield (field, row), f"shares of inputs sum to {sum(entries.values()):.3g}; they must not exceed 1"
    for i, pair in enumerate(s.relations.pairs):
        for j, name in enumerate(pair.between):
            if message := _known("actor", name, actors):
                yield ("relations", "pairs", i, "between", j), message
        if pair.between[0] == pair.between[1]:
            yield ("relations", "pairs", i, "between"), "a pair needs two different actors"
    if message := _known("bloc", s.metrics.reference_bloc, blocs):
        yield ("metrics", "reference_bloc"), message
    yield from _policy_problems(s)


def _policy_problems(s: Scenario) -> Iterator[Problem]:
    p = s.policies
    for i, item in enumerate(p.export_controls):
        base = ("policies", "export_controls", i)
        for key in ("controller", "target"):
            if message := _actor_or_bloc(s, getattr(item, key)):
                yield (*base, key), message
        yield from _sector_list(s, item.sectors, (*base, "sectors"))
        for year in item.schedule:
            yield from _year(s, year, (*base, "schedule", year))
    for i, item in enumerate(p.sanctions):
        base = ("policies", "sanctions", i)
        for key in ("imposer", "target"):
            if message := _actor_or_bloc(s, getattr(item, key)):
                yield (*base, key), message
        yield from _sector_list(s, item.sectors, (*base, "sectors"))
    for i, item in enumerate(p.data_localisation):
        if message := _actor_or_bloc(s, item.actor):
            yield ("policies", "data_localisation", i, "actor"), message
    for i, item in enumerate(p.investment_programmes):
        base = ("policies", "investment_programmes", i)
        if message := _actor_or_bloc(s, item.actor):
            yield (*base, "actor"), message
        yield from _sector_list(s, item.sectors, (*base, "sectors"))
    for i, item in enumerate(p.cooperation):
        base = ("policies", "cooperation", i)
        for j, party in enumerate(item.parties):
            if message := _actor_or_bloc(s, party):
                yield (*base, "parties", j), message
        yield from _sector_list(s, item.sectors, (*base, "sectors"))
        if item.end is not None and item.end <= item.start:
            yield (*base, "end"), f"end ({item.end}) must be after start ({item.start})"
    for i, item in enumerate(p.joint_projects):
        base = ("policies", "joint_projects", i)
        for j, party in enumerate(item.parties):
            if message := _known("actor", party, set(s.actors)):
                yield (*base, "parties", j), message
        if message := _known("sector", item.sector, set(s.sectors)):
            yield (*base, "sector"), message
    for i, item in enumerate(p.trust_shocks):
        base = ("policies", "trust_shocks", i)
        for j, name in enumerate(item.between):
            if message := _known("actor", name, set(s.actors)):
                yield (*base, "between", j), message
    for i, item in enumerate(p.supply_shocks):
        base = ("policies", "supply_shocks", i)
        if message := _actor_or_bloc(s, item.supplier):
            yield (*base, "supplier"), message
        yield from _sector_list(s, item.sectors, (*base, "sectors"))

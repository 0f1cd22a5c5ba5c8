"""Checks that names used in a scenario refer to things the scenario defines.

Pydantic checks each value on its own; these checks relate values to each other
(an actor's bloc must exist, a policy's sectors must be sectors). Each problem is
returned with the key path it belongs to, so the loader can point at its line.
"""

from __future__ import annotations

from collections.abc import Iterator

from sim.config.errors import KeyPath, did_you_mean
from sim.config.schema import Scenario
from sim.config.uncertainty import uncertainty_problems

Problem = tuple[KeyPath, str]


def _known(kind: str, name: str, known: set[str]) -> str | None:
    if name in known:
        return None
    extra = did_you_mean(name, sorted(known)) or f"; known: {', '.join(sorted(known))}"
    return f"unknown {kind} '{name}'{extra}"


def _actor_or_bloc(scenario: Scenario, name: str) -> str | None:
    known = set(scenario.actors) | set(scenario.blocs)
    if message := _known("actor or bloc", name, known):
        return message
    if not _members(scenario, name):
        return f"bloc '{name}' has no actors (move an actor into it, or name another)"
    return None


def _sector_list(scenario: Scenario, sectors: list[str] | str, path: KeyPath) -> Iterator[Problem]:
    if sectors == "all":
        return
    for i, sector in enumerate(sectors):
        if message := _known("sector", sector, set(scenario.sectors)):
            yield (*path, i), message


def _year(scenario: Scenario, year: float, path: KeyPath) -> Iterator[Problem]:
    if not 1900 <= year <= 2200:
        yield path, f"year {year} is outside 1900-2200"
    elif year > scenario.time.horizon:
        yield path, f"year {year:g} is after the horizon ({scenario.time.horizon:g}): it would never take effect"


def _schedule(scenario: Scenario, schedule: dict[float, float], path: KeyPath) -> Iterator[Problem]:
    for year in schedule:
        yield from _year(scenario, year, (*path, "schedule", year))


def _members(scenario: Scenario, name: str) -> set[str]:
    """The actors a name stands for: the actor itself, or every member of a bloc."""
    if name in scenario.actors:
        return {name}
    return {actor for actor, spec in scenario.actors.items() if spec.bloc == name}


def _bloc_members(scenario: Scenario, bloc: str) -> set[str]:
    """The actors whose bloc is ``bloc`` (an actor of the same name counts only if it is in it)."""
    return {actor for actor, spec in scenario.actors.items() if spec.bloc == bloc}


def _not_itself(scenario: Scenario, first: str, second: str, path: KeyPath, verb: str) -> Iterator[Problem]:
    shared = _members(scenario, first) & _members(scenario, second)
    if shared:
        yield path, f"'{first}' cannot {verb} itself or its own members ({', '.join(sorted(shared))})"


def _inside_run(scenario: Scenario, year: float, path: KeyPath, verb: str) -> Iterator[Problem]:
    """A dated event must happen before the horizon, or it does nothing."""
    if year > scenario.time.horizon:
        yield path, f"{year:g} {verb} after the horizon ({scenario.time.horizon:g}), so it would do nothing"


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
            yield (
                ("actors", name),
                f"'{name}' is both an actor and a bloc with other members ({', '.join(members)}); rename one",
            )
    for bloc, spec in s.blocs.items():
        for i, rival in enumerate(spec.rivals):
            if message := _known("bloc", rival, blocs):
                yield ("blocs", bloc, "rivals", i), message
            elif rival == bloc:
                yield ("blocs", bloc, "rivals", i), "a bloc cannot be its own rival"
    unknown_blocs = False
    for name, actor in s.actors.items():
        if message := _known("bloc", actor.bloc, blocs):
            unknown_blocs = True
            yield ("actors", name, "bloc"), message
        for field in ("capability", "rd_shares", "research_productivity", "domestic_sourcing", "supplier_strength"):
            for sector in getattr(actor, field):
                if message := _known("sector", sector, sectors):
                    yield ("actors", name, field, sector), message
    if not unknown_blocs:  # an empty bloc is most often an actor's mistyped bloc, reported above
        for bloc, spec in s.blocs.items():
            for i, rival in enumerate(spec.rivals):
                if rival in blocs and rival != bloc and not _bloc_members(s, rival):
                    yield ("blocs", bloc, "rivals", i), f"bloc '{rival}' has no actors, so it cannot be a rival"
            if spec.rivals and not _bloc_members(s, bloc):
                yield ("blocs", bloc), "this bloc has rivals but no actors (an actor moved out of it?)"
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
    seen: dict[frozenset, int] = {}
    for i, pair in enumerate(s.relations.pairs):
        for j, name in enumerate(pair.between):
            if message := _known("actor", name, actors):
                yield ("relations", "pairs", i, "between", j), message
        if pair.between[0] == pair.between[1]:
            yield ("relations", "pairs", i, "between"), "a pair needs two different actors"
        key = frozenset(pair.between)
        if key in seen:
            yield ("relations", "pairs", i, "between"), f"this pair is already listed at relations.pairs[{seen[key]}]"
        seen.setdefault(key, i)
    if message := _known("bloc", s.metrics.reference_bloc, blocs):
        yield ("metrics", "reference_bloc"), message
    elif not _members(s, s.metrics.reference_bloc):
        yield ("metrics", "reference_bloc"), f"bloc '{s.metrics.reference_bloc}' has no actors to measure against"
    for i, year in enumerate(s.metrics.report_years):
        # Years past the horizon are left out of reports (a shorter --set time.horizon stays valid);
        # a year inside the run must fall on a step.
        steps = (year - s.time.start) / s.time.step
        if s.time.start <= year <= s.time.horizon and abs(steps - round(steps)) > 1e-6:
            yield (
                ("metrics", "report_years", i),
                (f"{year:g} is not a simulated year ({s.time.start:g}-{s.time.horizon:g} in steps of {s.time.step:g})"),
            )
    yield from _policy_problems(s)
    yield from uncertainty_problems(s.uncertainties, set(s.ensemble.draws))


def _policy_problems(s: Scenario) -> Iterator[Problem]:
    p = s.policies
    for i, control in enumerate(p.export_controls):
        base = ("policies", "export_controls", i)
        for key in ("controller", "target"):
            if message := _actor_or_bloc(s, getattr(control, key)):
                yield (*base, key), message
        yield from _sector_list(s, control.sectors, (*base, "sectors"))
        yield from _schedule(s, control.schedule, base)
        yield from _not_itself(s, control.controller, control.target, (*base, "target"), "control")
    for i, sanction in enumerate(p.sanctions):
        base = ("policies", "sanctions", i)
        for key in ("imposer", "target"):
            if message := _actor_or_bloc(s, getattr(sanction, key)):
                yield (*base, key), message
        yield from _sector_list(s, sanction.sectors, (*base, "sectors"))
        yield from _schedule(s, sanction.schedule, base)
        yield from _not_itself(s, sanction.imposer, sanction.target, (*base, "target"), "sanction")
    for i, rule in enumerate(p.data_localisation):
        if message := _actor_or_bloc(s, rule.actor):
            yield ("policies", "data_localisation", i, "actor"), message
        yield from _schedule(s, rule.schedule, ("policies", "data_localisation", i))
    for i, plan in enumerate(p.investment_programmes):
        base = ("policies", "investment_programmes", i)
        if message := _actor_or_bloc(s, plan.actor):
            yield (*base, "actor"), message
        yield from _sector_list(s, plan.sectors, (*base, "sectors"))
        yield from _schedule(s, plan.schedule, base)
    for i, agreement in enumerate(p.cooperation):
        base = ("policies", "cooperation", i)
        for j, party in enumerate(agreement.parties):
            if message := _actor_or_bloc(s, party):
                yield (*base, "parties", j), message
        yield from _sector_list(s, agreement.sectors, (*base, "sectors"))
        if agreement.end is not None and agreement.end <= agreement.start:
            yield (*base, "end"), f"end ({agreement.end}) must be after start ({agreement.start})"
        members = [_members(s, party) for party in agreement.parties]
        if len(agreement.parties) < 2 or len(set(agreement.parties)) < len(agreement.parties):
            yield (*base, "parties"), "cooperation needs two or more different parties"
        elif any(a & b for k, a in enumerate(members) for b in members[k + 1 :]):
            yield (*base, "parties"), "a party cannot cooperate with itself (the parties share members)"
        yield from _inside_run(s, agreement.start, (*base, "start"), "starts")
    for i, project in enumerate(p.joint_projects):
        base = ("policies", "joint_projects", i)
        for j, party in enumerate(project.parties):
            if message := _known("actor", party, set(s.actors)):
                yield (*base, "parties", j), message
        if len(set(project.parties)) < 2:
            yield (*base, "parties"), "a joint project needs at least two different actors"
        if message := _known("sector", project.sector, set(s.sectors)):
            yield (*base, "sector"), message
    for i, blow in enumerate(p.trust_shocks):
        base = ("policies", "trust_shocks", i)
        for j, name in enumerate(blow.between):
            if message := _known("actor", name, set(s.actors)):
                yield (*base, "between", j), message
        if blow.between[0] == blow.between[1]:
            yield (*base, "between"), "a trust shock needs two different actors"
        yield from _inside_run(s, blow.year, (*base, "year"), "falls")
    for i, shock in enumerate(p.supply_shocks):
        base = ("policies", "supply_shocks", i)
        if message := _actor_or_bloc(s, shock.supplier):
            yield (*base, "supplier"), message
        if shock.end <= s.time.start:
            yield (*base, "end"), f"the shock ends ({shock.end:g}) before the run starts ({s.time.start:g})"
        yield from _inside_run(s, shock.start, (*base, "start"), "starts")
        yield from _sector_list(s, shock.sectors, (*base, "sectors"))

"""The dynamic state of a batch of runs, and its initial value.

All arrays carry a leading run axis R. Shapes: A actors, S sectors.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from sim.pairs import PairList, Pairs
from sim.params import RunParameters
from sim.rules import trust
from sim.world import World

Array = np.ndarray


@dataclass(frozen=True)
class State:
    """State of R runs at one time.

    Attributes:
        log_capability: ln K, (R, A, S).
        rd_stock: Z, (R, A, S) R&D knowledge stock (absorptive capacity).
        rd_effective: Rp, (R, A, S) R&D in place after the gestation lag.
        budget: B, (R, A) technology R&D budget on its trend path.
        budget_level: (R, A) multiplier on the trend from sanctions and denial (last step).
        data: D, (R, A) data stock.
        domestic: μ, (R, A, S) share of inputs sourced at home.
        trust_positive, trust_negative: (R, A, A) Beta evidence, a's view of b.
        cooperation: C, (R, P_coop, S) on the cooperation pair list.
        escalation: Xe, (R, P_ctrl, S) endogenous controls of controller on target, on top of policy.
        evasion: V, (R, A, S) evasion capacity of each receiver.
        enforcement: E, (R, P_ctrl) controller's enforcement against leakage to the target.
        resourced: (R, A, S) volume of lost supply bought again from substitute origins.
        closure: (R, P_ctrl, S) share of the controller's flows to the target that is closed
            (follows the controls in force with hysteresis; pairs never controlled are not stored).
        threat_ratio: (R, P_ctrl, S) K_target / best K of the controller's bloc at the last step.
        growth: (R, A, S) last step's growth from own innovation (passed downstream).
        broken: (R, A, A) pair cooperation ended for good (grim reciprocity).
        controls_on_mean: (R, A, A) average control on a by b at the last step (new controls offend).
        experience: (R, A, S) cumulative output relative to a world without controls (learning sectors).
        lingering_disruption: (R, A, S) share of a supplier's exports still lost after a supply
            shock ended: buyers that went elsewhere come back at the tie-recovery rate (C05).
        rd_reference: (S,) frontier R&D of 2015 (normalises the idea production function).
        stock_reference: (R, A, 1) each actor's average sector R&D stock of 2015 under each
            run's depreciation: absorptive capacity depends on an actor's own effort, not its size.
    """

    log_capability: Array
    rd_stock: Array
    rd_effective: Array
    budget: Array
    budget_level: Array
    data: Array
    domestic: Array
    trust_positive: Array
    trust_negative: Array
    cooperation: Array
    escalation: Array
    evasion: Array
    enforcement: Array
    closure: Array
    resourced: Array
    threat_ratio: Array
    growth: Array
    broken: Array
    controls_on_mean: Array
    experience: Array
    lingering_disruption: Array
    rd_reference: Array
    stock_reference: Array

    def evolve(self, **changes: Array) -> State:
        """A new state with the given arrays replaced (states are immutable)."""
        return replace(self, **changes)


@dataclass(frozen=True)
class BlocGroups:
    """Actors sorted by bloc, for per-bloc reductions without a loop over blocs.

    Attributes:
        order: (A,) actor indices grouped by bloc; starts: start of each non-empty bloc in
        ``order``; group_of_actor: (A,) index of each actor's group.
    """

    order: Array
    starts: Array
    group_of_actor: Array

    @staticmethod
    def of(world: World) -> BlocGroups:
        """Group a world's actors by bloc."""
        order = np.argsort(world.bloc_of, kind="stable")
        grouped = world.bloc_of[order]
        starts = np.flatnonzero(np.r_[True, grouped[1:] != grouped[:-1]])
        group_of_actor = np.searchsorted(grouped[starts], world.bloc_of)
        return BlocGroups(order=order, starts=starts, group_of_actor=group_of_actor)

    def best(self, capability: Array) -> Array:
        """Best capability within each actor's bloc, (R, A, S)."""
        per_bloc = np.maximum.reduceat(capability[:, self.order], self.starts, axis=1)
        return per_bloc[:, self.group_of_actor]


def rival_ratio(capability: Array, blocs: BlocGroups, control: PairList) -> Array:
    """K_target / best K of the controller's bloc on each control pair, (R, P_ctrl, S)."""
    # C order: numpy lays a fancy-indexed result out pair-major, which slows every later
    # pass over the escalation state that inherits this layout (same values either way).
    return np.ascontiguousarray(capability[:, control.second] / blocs.best(capability)[:, control.first])


def initial_state(world: World, params: RunParameters, pairs: Pairs) -> State:
    """The state of 2015, identical for every run apart from parameter-dependent parts."""
    runs, n_a, n_s = params.runs, world.n_actors, world.n_sectors
    p3 = params.p3
    capability = np.broadcast_to(world.capability0, (runs, n_a, n_s)).copy()
    rd = world.rd_budget0[:, None] * world.rd_shares0
    rd_reference = rd.max(axis=0)
    stock = np.broadcast_to(rd / p3.rd_depreciation, (runs, n_a, n_s)).copy()
    positive, negative = trust.initial_evidence(world.trust0, p3.trust_memory)
    n_ctrl, n_coop = pairs.control.size, pairs.cooperation.size
    return State(
        log_capability=np.log(capability),
        rd_stock=stock,
        rd_effective=np.broadcast_to(rd, (runs, n_a, n_s)).copy(),
        budget=np.broadcast_to(world.rd_budget0, (runs, n_a)).copy(),
        budget_level=np.ones((runs, n_a)),
        data=np.broadcast_to(world.data0, (runs, n_a)).copy(),
        domestic=np.broadcast_to(world.domestic0, (runs, n_a, n_s)).copy(),
        trust_positive=positive,
        trust_negative=negative,
        cooperation=np.zeros((runs, n_coop, n_s)),
        escalation=np.zeros((runs, n_ctrl, n_s)),
        evasion=np.zeros((runs, n_a, n_s)),
        enforcement=np.zeros((runs, n_ctrl)),
        closure=np.zeros((runs, n_ctrl, n_s)),
        resourced=np.zeros((runs, n_a, n_s)),
        threat_ratio=rival_ratio(capability, BlocGroups.of(world), pairs.control),
        growth=np.zeros((runs, n_a, n_s)),
        broken=np.zeros((runs, n_a, n_a), dtype=bool),
        controls_on_mean=np.zeros((runs, n_a, n_a)),
        experience=np.ones((runs, n_a, n_s)),
        lingering_disruption=np.zeros((runs, n_a, n_s)),
        rd_reference=rd_reference,
        stock_reference=rd.mean(axis=1)[None, :, None] / p3.rd_depreciation,
    )

"""Sparse pair lists: the ordered actor pairs on which a mechanism can act at all.

Controls, closure, leakage, escalation and enforcement can only differ from their neutral
values on pairs where some controller may control some target; cooperation only where
an agreement ever allows it; espionage only between hostile actors. Holding those
mechanisms on (R, P, S) arrays over their own pair list, instead of on all A × A pairs,
cuts the work of a step by about two thirds without changing any result.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.schedule import PolicySchedule
from sim.world import World

Array = np.ndarray


def sum_to_actors(values: Array, one_hot: Array) -> Array:
    """Sum pair values into actors: (R, P, S) → (R, A, S), or (R, P) → (R, A).

    A batched matrix product per run (not one product over all runs), so each run's
    sums do not depend on how many runs share the batch.
    """
    if values.ndim == 2:
        return (values[:, None, :] @ one_hot)[:, 0, :]
    # C order, so the (R, A, S) arrays built from it are not sector-strided.
    return np.ascontiguousarray((values.transpose(0, 2, 1) @ one_hot).transpose(0, 2, 1))


@dataclass(frozen=True)
class PairList:
    """An ordered list of P actor pairs (first, second) with one-hot maps to actors.

    Attributes:
        first, second: (P,) actor indices.
        to_first, to_second: (P, A) one-hot matrices, to sum pair values per actor.
        second_starts: start of each run of pairs sharing a second actor (pairs are sorted by
            second actor, then first); second_groups: the second actor of each run.
    """

    first: Array
    second: Array
    to_first: Array
    to_second: Array
    second_starts: Array
    second_groups: Array

    @property
    def size(self) -> int:
        """Number of pairs in the list."""
        return int(self.first.size)

    def max_per_second(self, values: Array, n_actors: int) -> Array:
        """Largest pair value per second actor: (R, P, S) → (R, A, S); 0 where no pair."""
        out = np.zeros((values.shape[0], n_actors, *values.shape[2:]), dtype=values.dtype)
        if self.size:
            out[:, self.second_groups] = np.maximum.reduceat(values, self.second_starts, axis=1)
        return out

    def scatter(self, values: Array, n_actors: int, fill: float = 0.0) -> Array:
        """Full (R, A, A, ...) array with ``values`` (R, P, ...) at [first, second], ``fill`` elsewhere."""
        out = np.full((values.shape[0], n_actors, n_actors, *values.shape[2:]), fill, dtype=values.dtype)
        out[:, self.first, self.second] = values
        return out


def _pair_list(mask: Array) -> PairList:
    # Ordered by second actor, then first: pairs sharing a target are contiguous.
    second, first = np.nonzero(mask.T)
    eye = np.eye(mask.shape[0])
    starts = np.flatnonzero(np.r_[True, second[1:] != second[:-1]]) if second.size else np.zeros(0, int)
    return PairList(
        first=first,
        second=second,
        to_first=eye[first],
        to_second=eye[second],
        second_starts=starts,
        second_groups=second[starts],
    )


@dataclass(frozen=True)
class Pairs:
    """The three pair lists of a model.

    Attributes:
        control: (controller, target) pairs where controls can ever be non-zero.
        control_rival: (P_control,) bool, the pair may escalate on its own (rivals).
        cooperation: (actor, partner) pairs where cooperation is ever allowed.
        hostile: (spy, victim) pairs with a non-zero espionage rate.
        hostile_rival: (P_hostile,) bool, rival (True) or partner (False).
    """

    control: PairList
    control_rival: Array
    cooperation: PairList
    hostile: PairList
    hostile_rival: Array


def build_pairs(world: World, schedule: PolicySchedule) -> Pairs:
    """The pair lists the dynamics act on: control, cooperation and hostile pairs."""
    scheduled = (schedule.controls > 0).any(axis=(0, 3)) | (schedule.bloc_controls > 0).any(axis=(0, 3))
    if len(schedule.act_controls):
        acts = np.maximum(schedule.act_controls, schedule.act_bloc_controls)
        scheduled |= (acts > 0).any(axis=(0, 1, 4))
    control_mask = (world.rival | scheduled) & ~np.eye(world.n_actors, dtype=bool)
    control = _pair_list(control_mask)
    cooperation_mask = (schedule.cooperation > 0).any(axis=(0, 3)) & ~np.eye(world.n_actors, dtype=bool)
    hostile_mask = world.rival | world.partner
    hostile = _pair_list(hostile_mask)
    return Pairs(
        control=control,
        control_rival=world.rival[control.first, control.second],
        cooperation=_pair_list(cooperation_mask),
        hostile=hostile,
        hostile_rival=world.rival[hostile.first, hostile.second],
    )

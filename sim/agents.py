"""Actors as Mesa agents.

Each ``Actor`` stands for one country or group at one index of the actor axis. It
carries its doctrine (the coefficients of its decision rules) and gives read-only
views of its slice of the batch state. The rules themselves act on all actors at once
(``sim.rules``): the model gathers every actor's doctrine into arrays when it is built,
so no step loops over actors.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa
import numpy as np

if TYPE_CHECKING:
    from sim.model import DecouplingModel


class Actor(mesa.Agent):
    """One actor of the model.

    Args:
        model: the model it belongs to.
        index: its position on the actor axis.
        name: e.g. ``"China"``.
        bloc: its bloc, e.g. ``"West"``.
        hawkishness: multiplier on its escalation reaction (doctrine, C27).
        conduit_capacity: capacity to pass controlled goods on (third countries, C28).
        absorptive: human-capital multiplier of its absorptive capacity (C25).
    """

    def __init__(
        self,
        model: DecouplingModel,
        index: int,
        name: str,
        bloc: str,
        hawkishness: float,
        conduit_capacity: float,
        absorptive: float,
    ) -> None:
        super().__init__(model)
        self.index = index
        self.name = name
        self.bloc = bloc
        self.hawkishness = hawkishness
        self.conduit_capacity = conduit_capacity
        self.absorptive = absorptive

    @property
    def capability(self) -> np.ndarray:
        """Current capability per sector, (R, S), a read-only view."""
        view = self.model.observation.capability[:, self.index, :]
        view.flags.writeable = False
        return view

    @property
    def relative_capability(self) -> np.ndarray:
        """Capability relative to the world frontier, (R, S)."""
        return self.model.observation.relative[:, self.index, :]

    def trust_in(self, other: Actor) -> np.ndarray:
        """This actor's trust in ``other``, (R,)."""
        return self.model.observation.trust[:, self.index, other.index]

    def __repr__(self) -> str:
        return f"Actor({self.name!r}, bloc={self.bloc!r})"

"""decoupling-sim: a scenario simulator of technological decoupling.

Public API: ``load_scenario``, ``run``, ``DecouplingModel``, ``save``, ``load``,
``ScenarioError``. See README.md for a tour.
"""

from sim.api import run
from sim.config import ScenarioError, load_scenario
from sim.model import DecouplingModel
from sim.results import load, save, scenario_of

__version__ = "0.1.0"

__all__ = ["DecouplingModel", "ScenarioError", "__version__", "load", "load_scenario", "run", "save", "scenario_of"]

"""decoupling-sim: a scenario simulator of technological decoupling.

Public API: ``load_scenario``, ``run``, ``DecouplingModel``, ``save``, ``load``,
``run_sweep``, ``open_sweep``, ``cost_of_decoupling``, ``ScenarioError``. See README.md for a tour.
"""

from sim.analysis.compare import cost_of_decoupling
from sim.api import run
from sim.config import ScenarioError, load_scenario
from sim.model import DecouplingModel
from sim.results import load, save, scenario_of
from sim.sweep import open_sweep, run_sweep

__version__ = "0.1.0"

__all__ = [
    "DecouplingModel",
    "ScenarioError",
    "__version__",
    "cost_of_decoupling",
    "load",
    "load_scenario",
    "open_sweep",
    "run",
    "run_sweep",
    "save",
    "scenario_of",
]

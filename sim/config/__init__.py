"""Scenario configuration: schema, loading, validation and errors."""

from sim.config.errors import ScenarioError
from sim.config.loader import load_scenario, parse_overrides, parse_scenario_text
from sim.config.parameters import PARAMETER_NAMES, ModelParameters, parameter_metadata
from sim.config.schema import Scenario

__all__ = [
    "PARAMETER_NAMES",
    "ModelParameters",
    "Scenario",
    "ScenarioError",
    "load_scenario",
    "parameter_metadata",
    "parse_overrides",
    "parse_scenario_text",
]

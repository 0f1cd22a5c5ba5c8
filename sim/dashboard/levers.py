"""The dashboard's levers: what each control means, its range and unit, and the scenario edit it makes.

Pure functions, no interface: ``LEVERS`` describes each lever; ``lever_defaults`` reads the
value a scenario already has (so an untouched control edits nothing); ``apply_levers``
returns the edited ``Scenario``, validated like a file. A control lever adds a policy from
the branch year on, which overrides what the scenario or the replayed history had there
(scenario policies override, ``sim.schedule``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sim.config.errors import ScenarioError
from sim.config.loader import validate_data
from sim.config.parameters import parameter_metadata
from sim.config.schema import Scenario

# Sector groups of the control levers (sectors a scenario lacks are skipped).
HARDWARE = ("semiconductors", "telecom", "quantum", "robotics", "space")
DIGITAL = ("ai", "data", "cyber", "blockchain")
SHOCK_LENGTH = 4  # years a Taiwan supply shock lasts, as in scenarios/chip_supply_shock.yaml
# The export-control levers: key -> (the West's target, its sector group).
CONTROL_LEVERS = {
    "china_hardware": ("China", HARDWARE),
    "china_digital": ("China", DIGITAL),
    "russia_hardware": ("Russia", HARDWARE),
    "russia_digital": ("Russia", DIGITAL),
}


@dataclass(frozen=True)
class Lever:
    """One control of the page: a key, its label, range, step, unit and one-line help."""

    key: str
    label: str
    low: float
    high: float
    step: float
    unit: str
    help: str


def _parameter_lever(key: str, label: str, help_text: str) -> Lever:
    meta = parameter_metadata(key)
    high = min(float(meta["le"]), 5.0)
    return Lever(key, label, float(meta["ge"]), high, 0.05, str(meta["unit"]), help_text)


LEVERS: tuple[Lever, ...] = (
    Lever("china_hardware", "China: hardware controls", 0, 1, 0.05, "share of flows covered",
          "West's export controls on China in semiconductors, telecom, quantum, robotics, space from the branch year"),
    Lever("china_digital", "China: AI/data controls", 0, 1, 0.05, "share of flows covered",
          "West's export controls on China in AI, data, cyber, blockchain from the branch year"),
    Lever("russia_hardware", "Russia: hardware controls", 0, 1, 0.05, "share of flows covered",
          "West's export controls on Russia in semiconductors, telecom, quantum, robotics, space"),
    Lever("russia_digital", "Russia: AI/data controls", 0, 1, 0.05, "share of flows covered",
          "West's export controls on Russia in AI, data, cyber, blockchain"),
    _parameter_lever("leak_quality", "Leakage quality",
                     "share of a controlled good's quality that arrives through third countries (C28)"),
    _parameter_lever("enforcement_response", "Enforcement",
                     "how fast controllers close evasion routes once they grow (C28)"),
    Lever("cooperation", "RU-CN cooperation", 0, 1, 0.05, "level 0-1",
          "cooperation allowed between Russia and China in every sector from the branch year (C01, C31)"),
    Lever("trust_shock", "RU-CN trust shock 2027", 0, 10, 0.5, "espionage events",
          "size of a spy scandal between Russia and China in 2027; trust_breakdown uses 6; 0: none (C24)"),
    Lever("taiwan_year", "Taiwan shock year", 0, 2050, 1, "year (0: none)",
          f"Taiwan's chip exports cut from this year for {SHOCK_LENGTH} years; 0 means no shock (C05)"),
    Lever("taiwan_severity", "Taiwan shock severity", 0, 1, 0.05, "share of exports cut",
          "how much of Taiwan's chip exports the shock removes"),
    Lever("localisation", "Data localisation", 0, 1, 0.05, "level 0-1",
          "data-localisation rules of every bloc from the branch year: more data control, less data flow (C22, C23)"),
)  # fmt: skip
BY_KEY = {lever.key: lever for lever in LEVERS}


def _mean_controls(scenario: Scenario) -> dict[str, float]:
    """The West's mean control on China and Russia per sector group in the branch year (history and policies)."""
    from sim.schedule import build_schedule, scheduled_controls, step_times
    from sim.world import build_world

    world = build_world(scenario)
    schedule = build_schedule(scenario, world)
    multipliers = {act: getattr(scenario.parameters, f"coverage_{act}") for act in schedule.act_names}
    controls = scheduled_controls(schedule, multipliers)
    k = int(abs(step_times(scenario) - scenario.time.branch_year).argmin())
    west = world.members("West") if "West" in scenario.blocs else []
    out = {}
    for target in ("China", "Russia"):
        targets = world.members(target) if target in scenario.blocs or target in scenario.actors else []
        for group, sectors in (("hardware", HARDWARE), ("digital", DIGITAL)):
            columns = [world.sectors.index(s) for s in sectors if s in world.sectors]
            key = f"{target.lower()}_{group}"
            if not west or not targets or not columns:
                out[key] = 0.0
                continue
            block = controls[k][west][:, targets][:, :, columns]
            out[key] = round(float(block.max(axis=0).mean()), 2)
    return out


_DEFAULTS: dict[str, dict[str, float]] = {}


def lever_defaults(scenario: Scenario) -> dict[str, float]:
    """The value each lever has in the unedited scenario (computed once per scenario)."""
    key = scenario.model_dump_json()
    if key not in _DEFAULTS:
        if len(_DEFAULTS) > 32:
            _DEFAULTS.clear()
        p = scenario.parameters
        shocks = [s for s in scenario.policies.supply_shocks if s.supplier == "Taiwan"]
        _DEFAULTS[key] = {
            **_mean_controls(scenario),
            "leak_quality": float(p.leak_quality),
            "enforcement_response": float(p.enforcement_response),
            "cooperation": 0.0,
            "trust_shock": 0.0,
            "taiwan_year": float(shocks[0].start) if shocks else 0.0,
            "taiwan_severity": float(shocks[0].severity) if shocks else 0.0,
            "localisation": 0.0,
        }
    return dict(_DEFAULTS[key])


def check_lever(key: str, value: Any) -> float:
    """A lever's value as a number inside its range, or a one-line ``ScenarioError``."""
    lever = BY_KEY.get(key)
    if lever is None:
        raise ScenarioError(f"unknown control '{key}'", "dashboard", (key,))
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ScenarioError(f"'{value}' is not a number", "dashboard", (key,)) from None
    if not lever.low <= number <= lever.high:
        raise ScenarioError(f"{number:g} is outside {lever.low:g}-{lever.high:g} ({lever.unit})", "dashboard", (key,))
    return number


def apply_levers(scenario: Scenario, values: dict[str, Any], snap: bool = True) -> Scenario:
    """The scenario with every lever that differs from its default applied; validated, never partly edited.

    ``snap=False`` applies every lever given, even at its default (a policy search's policy is
    exactly its values, so that a whole generation can run as one batch, ``sim.policy.batched``).
    """
    defaults = lever_defaults(scenario)
    # A slider snaps a default that is off its grid (a mean coverage of 0.08 shows as 0.1):
    # only a move of more than half a step is an edit.
    checked = {k: check_lever(k, v) for k, v in values.items()}
    changed = {k: v for k, v in checked.items() if not snap or abs(v - defaults.get(k, v)) > BY_KEY[k].step / 2}
    if not changed:
        return scenario
    data = scenario.model_dump(mode="python")
    start = scenario.time.branch_year
    policies = data["policies"]
    blocs = set(scenario.blocs)
    for key, (target, group) in CONTROL_LEVERS.items():
        sectors = [s for s in group if s in scenario.sectors]
        if key in changed and sectors and {"West", target} <= blocs:
            policies["export_controls"].append(
                {"controller": "West", "target": target, "sectors": sectors, "schedule": {start: changed[key]}}
            )
    for key in ("leak_quality", "enforcement_response"):
        if key in changed:
            data["parameters"][key] = changed[key]
    if "cooperation" in changed and {"Russia", "China"} <= set(scenario.actors):
        policies["cooperation"].append(
            {"parties": ["Russia", "China"], "sectors": "all", "start": start, "level": changed["cooperation"]}
        )
    if changed.get("trust_shock") and {"Russia", "China"} <= set(scenario.actors):
        policies["trust_shocks"].append({"year": 2027, "between": ["Russia", "China"], "size": changed["trust_shock"]})
    if ("taiwan_year" in changed or "taiwan_severity" in changed) and "Taiwan" in scenario.actors:
        year = changed.get("taiwan_year", defaults["taiwan_year"])
        severity = changed.get("taiwan_severity", defaults["taiwan_severity"])
        policies["supply_shocks"] = [s for s in policies["supply_shocks"] if s["supplier"] != "Taiwan"]
        if year and severity:
            if not scenario.time.start < year < scenario.time.horizon:
                raise ScenarioError(
                    f"the shock year must lie between {scenario.time.start:g} and {scenario.time.horizon:g} (0: none)",
                    "dashboard",
                    ("taiwan_year",),
                )
            policies["supply_shocks"].append(
                {"supplier": "Taiwan", "sectors": ["semiconductors"], "start": year,
                 "end": min(year + SHOCK_LENGTH, scenario.time.horizon), "severity": severity}
            )  # fmt: skip
    if "localisation" in changed:
        for bloc in scenario.blocs:
            policies["data_localisation"].append({"actor": bloc, "schedule": {start: changed["localisation"]}})
    data["name"] = f"{scenario.name}_edited"
    # The loader's own validation: the schema and the cross-references a file would get.
    return validate_data(data, {}, "dashboard")

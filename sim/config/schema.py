"""The scenario schema: typed, frozen, unknown keys rejected.

A scenario is the whole description of one experiment: time axis, actors and blocs,
sectors and their matrices, initial conditions, model parameters, policies, history
replay, stochastic switches, and how many runs with which seed. Cross-references
(an actor naming an unknown bloc, a policy naming an unknown sector) are checked in
``sim.config.references`` so that each error can point at its own key.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AfterValidator, Field, field_validator, model_validator

from sim.config.base import Number, StrictModel
from sim.config.ensemble import EnsembleSpec
from sim.config.parameters import ModelParameters
from sim.config.uncertainty import DeepUncertainty

Level = float  # a policy intensity in [0, 1]


class Frozen(StrictModel):
    """Base for every scenario section: immutable, typos are errors, numbers are finite."""


class TimeSpec(Frozen):
    """The time axis, in calendar years (a step of 0.25 is a quarter)."""

    start: float = Field(2015, description="first simulated year; state is initialised here")
    branch_year: float = Field(
        2025, description="from this year on the scenario's own policies and endogenous escalation apply"
    )
    horizon: float = Field(2050, description="last recorded year")
    step: float = Field(1.0, gt=0, le=1.0, description="step length in years")

    @model_validator(mode="after")
    def _ordered(self) -> TimeSpec:
        if not self.start < self.horizon:
            raise ValueError(f"start ({self.start}) must be before horizon ({self.horizon})")
        if not self.start <= self.branch_year <= self.horizon:
            raise ValueError(f"branch_year ({self.branch_year}) must lie between start and horizon")
        steps = (self.horizon - self.start) / self.step
        if not steps <= 2000:  # also infinite, for a denormal step
            raise ValueError(f"a step of {self.step:g} makes more than the 2000 steps allowed")
        if abs(steps - round(steps)) > 1e-9:
            raise ValueError(
                f"horizon - start ({self.horizon - self.start}) must be a whole number of steps of {self.step}"
            )
        if round(steps) > 2000:
            raise ValueError(f"{round(steps)} steps is more than the 2000 allowed")
        return self


class BlocSpec(Frozen):
    """A group of actors; rivals may impose controls on each other."""

    rivals: list[str] = Field(
        default_factory=list, description="blocs whose members this bloc's members may control and spy on"
    )
    label: str | None = None


class ActorSpec(Frozen):
    """One actor: a country or group of countries with one R&D budget and policy."""

    bloc: str = Field(description="the bloc this actor belongs to")
    capability: dict[str, Number] = Field(
        default_factory=dict, description="initial capability per sector (frontier of 2015 about 1)"
    )
    default_capability: float = Field(
        0.3, gt=0, le=10, description="initial capability of sectors not listed in capability"
    )
    rd_budget: float = Field(0.1, gt=0, description="technology R&D budget in 2015, United States = 1")
    budget_growth: float = Field(0.03, ge=-0.2, le=0.3, description="real growth of the R&D budget per year in 2015")
    budget_growth_long: float | None = Field(
        None, ge=-0.2, le=0.3, description="long-run growth the 2015 rate converges to (default: the same)"
    )
    budget_growth_fade: float = Field(
        15.0, gt=0, le=200, description="years for the gap to the long-run growth to shrink by a factor e"
    )
    rd_shares: dict[str, Number] = Field(
        default_factory=dict,
        description="share of the R&D budget per sector; unlisted sectors split the rest in proportion to their weight",
    )
    absorptive: float = Field(1.0, ge=0, le=2, description="human-capital multiplier of absorptive capacity")
    research_productivity: dict[str, Number] = Field(
        default_factory=dict, description="innovation productivity multiplier per sector (default 1)"
    )
    data_stock: float = Field(1.0, gt=0, description="data endowment in 2015 (relative)")
    data_growth: float = Field(0.1, ge=0, le=1, description="growth rate of the data stock per year")
    domestic_sourcing: dict[str, Number] = Field(
        default_factory=dict, description="share of inputs of each sector sourced at home in 2015 (default 0.5)"
    )
    supplier_strength: dict[str, Number] = Field(
        default_factory=dict, description="weight as a supplier of each sector's goods (default: its capability)"
    )
    conduit_capacity: float = Field(
        0.0, ge=0, le=1, description="capacity to pass controlled goods on to a denied actor (third countries)"
    )
    hawkishness: float = Field(
        1.0, ge=0, le=5, description="multiplier on this actor's escalation reaction (its doctrine)"
    )
    gdp: float = Field(
        1.0, gt=0, le=100, description="GDP in 2015, US$ trillion at market exchange rates (weights a bloc's GDP)"
    )
    tech_value_added: float = Field(
        0.04, gt=0, le=0.2, description="value added of the technology (high-R&D) industries in 2015, share of GDP"
    )
    label: str | None = None

    @field_validator("capability", "research_productivity", "supplier_strength")
    @classmethod
    def _positive(cls, value: dict[str, float]) -> dict[str, float]:
        for key, number in value.items():
            if not number > 0:
                raise ValueError(f"value for '{key}' must be > 0, got {number}")
        return value

    @field_validator("rd_shares", "domestic_sourcing")
    @classmethod
    def _unit_interval(cls, value: dict[str, float]) -> dict[str, float]:
        for key, number in value.items():
            if not 0 <= number <= 1:
                raise ValueError(f"value for '{key}' must lie in [0, 1], got {number}")
        return value

    @field_validator("rd_shares")
    @classmethod
    def _shares_sum(cls, value: dict[str, float]) -> dict[str, float]:
        total = sum(value.values())
        if total > 1 + 1e-9:
            raise ValueError(f"shares sum to {total:.3g}; they must not exceed 1")
        if value and total <= 0:
            raise ValueError("listed shares must not all be zero")
        return value


class SectorSpec(Frozen):
    """One technology sector."""

    weight: float = Field(1.0, gt=0, le=10, description="strategic weight ω_s in composite indices")
    innovation: float = Field(
        0.04, ge=0, le=0.5, description="frontier own-innovation rate θ_s (log capability per year at reference R&D)"
    )
    knowledge_returns: float = Field(
        0.3, ge=-2, le=0.99, description="φ_s: below 1, ideas get harder to find as the frontier rises"
    )
    catch_up: float = Field(0.1, ge=0, le=2, description="catch-up coefficient c_s per year")
    data_intensity: float = Field(0.0, ge=0, le=1, description="how much the sector draws on data (AI = 1)")
    learning: bool = Field(
        False, description="learning-by-doing sector (controllers lose learning when they lose markets)"
    )
    noise: float = Field(0.03, ge=0, le=0.5, description="σ_s: standard deviation of log-capability shocks per √year")
    label: str | None = None


class PairSpec(Frozen):
    """Relation of one unordered pair of actors."""

    between: tuple[str, str]
    friction: float | None = Field(None, ge=0, le=1)
    trust: float | None = Field(None, ge=0, le=1)
    link: float | None = Field(None, ge=0, le=1)
    cooperation: float | None = Field(None, ge=0, le=1)


class RelationDefaults(Frozen):
    """Friction, trust, link strength and cooperation of a pair of actors."""

    friction: float = Field(0.2, ge=0, le=1, description="bureaucratic friction f: share of transfer lost")
    trust: float = Field(0.5, ge=0, le=1, description="initial trust")
    link: float = Field(1.0, ge=0, le=1, description="baseline intensity of knowledge and trade ties")
    cooperation: float = Field(0.0, ge=0, le=1, description="allowed cooperation before any agreement")


class RelationsSpec(Frozen):
    """Pair relations: defaults within and across blocs, and named pairs that differ."""

    within_bloc: RelationDefaults = RelationDefaults(friction=0.1, trust=0.8, link=1.0, cooperation=0.3)
    across_blocs: RelationDefaults = RelationDefaults(friction=0.3, trust=0.4, link=0.8, cooperation=0.0)
    pairs: list[PairSpec] = Field(default_factory=list)


def _check_schedule(value: dict[float, float]) -> dict[float, float]:
    if not value:
        raise ValueError("schedule must name at least one year")
    for year, level in value.items():
        if not 0 <= level <= 1:
            raise ValueError(f"level in {year} must lie in [0, 1], got {level}")
    return value


# {year: level}; a level holds from its year until the next listed year.
Schedule = Annotated[dict[Number, Number], AfterValidator(_check_schedule)]


class ExportControl(Frozen):
    """Controls by one actor or bloc on another, per sector, on a schedule {year: level}."""

    controller: str
    target: str
    sectors: list[str] | Literal["all"] = "all"
    schedule: Schedule
    claim: str | None = None


class Sanction(Frozen):
    """Financial and trade sanctions: controls on the listed sectors plus a budget drag."""

    imposer: str
    target: str
    sectors: list[str] | Literal["all"] = "all"
    schedule: Schedule
    claim: str | None = None


class DataLocalisation(Frozen):
    """A data-localisation rule of an actor or bloc on a schedule {year: level}."""

    actor: str
    schedule: Schedule
    claim: str | None = None


class InvestmentProgramme(Frozen):
    """An investment programme tilting an actor's R&D toward sectors, on a schedule {year: level}."""

    actor: str
    sectors: list[str] | Literal["all"] = "all"
    schedule: Schedule
    claim: str | None = None


class CooperationAgreement(Frozen):
    """Raises the cooperation allowed among the parties in the listed sectors from ``start``."""

    parties: list[str] = Field(min_length=2)
    sectors: list[str] | Literal["all"] = "all"
    start: float
    level: float = Field(0.8, ge=0, le=1)
    end: float | None = None
    claim: str | None = None


class JointProject(Frozen):
    """A scheduled joint project (lunar station, 6G, a shared fab) pooling R&D."""

    name: str
    parties: list[str] = Field(min_length=2)
    sector: str
    start: float
    end: float
    budget: float = Field(0.02, gt=0, le=1, description="R&D per year per party, United States 2015 total = 1")
    claim: str | None = None

    @model_validator(mode="after")
    def _ordered(self) -> JointProject:
        if not self.end > self.start:
            raise ValueError(f"end ({self.end}) must be after start ({self.start})")
        return self


class TrustShock(Frozen):
    """A one-off negative event between two actors (a scandal, an arrest, a leak)."""

    year: float
    between: tuple[str, str]
    size: float = Field(3.0, gt=0, le=100, description="negative evidence, in years of honoured cooperation")
    claim: str | None = None


class SupplyShock(Frozen):
    """A disruption of one supplier's exports of some sectors (e.g. Taiwan)."""

    supplier: str
    sectors: list[str] | Literal["all"] = "all"
    start: float
    end: float
    severity: float = Field(0.8, ge=0, le=1)
    claim: str | None = None

    @model_validator(mode="after")
    def _ordered(self) -> SupplyShock:
        if not self.end > self.start:
            raise ValueError(f"end ({self.end}) must be after start ({self.start})")
        return self


class PoliciesSpec(Frozen):
    """Every scenario policy after the branch year (history covers the years before)."""

    export_controls: list[ExportControl] = Field(default_factory=list)
    sanctions: list[Sanction] = Field(default_factory=list)
    data_localisation: list[DataLocalisation] = Field(default_factory=list)
    investment_programmes: list[InvestmentProgramme] = Field(default_factory=list)
    cooperation: list[CooperationAgreement] = Field(default_factory=list)
    joint_projects: list[JointProject] = Field(default_factory=list)
    trust_shocks: list[TrustShock] = Field(default_factory=list)
    supply_shocks: list[SupplyShock] = Field(default_factory=list)


class HistorySpec(Frozen):
    """Replay of the real policy timeline before the branch year."""

    replay: bool = Field(True, description="replay the real policy timeline before the branch year")
    timeline: str = Field(
        "default", description="'default' (the shipped timeline) or a CSV path relative to the scenario file"
    )
    restrictions: bool = Field(
        True,
        description="replay restrictive acts (controls, counter-controls, sanctions, "
        "data localisation); false keeps programmes and agreements only",
    )
    levels: dict[str, Annotated[float, Field(ge=0, le=1)]] = Field(
        default_factory=lambda: {"moderate": 0.3, "major": 0.5, "sweeping": 0.8},
        description="level of each timeline scale in [0, 1]: financial sanction intensity, and the control "
        "coverage of rows with no coverage value (assumption)",
    )
    sanction_breadth: float = Field(
        0.5, ge=0, le=1, description="control coverage per unit of a sanction package with no coverage value"
    )
    sector_aliases: dict[str, str] = Field(
        default_factory=lambda: {"telecom_5g6g": "telecom", "renewable_energy": "energy"},
        description="timeline sector names mapped to scenario sector names",
    )


class RulesSpec(Frozen):
    """Categorical choices of decision rules."""

    reciprocity: Literal["generous", "grim"] = Field(
        "generous", description="response to detected espionage by a partner"
    )
    endogenous_escalation: bool = Field(True, description="controllers react to rivals after the branch year")


class StochasticSpec(Frozen):
    """Which stochastic processes are on."""

    noise: bool = Field(True, description="log-normal capability shocks (σ_s per √year)")
    espionage: bool = Field(True, description="random espionage events between hostile actors")
    breakthroughs: bool = Field(True, description="rare random capability jumps")


class MetricsSpec(Frozen):
    """How outcomes are measured: parity threshold, reference bloc, bloc aggregation, report years."""

    parity_threshold: float = Field(
        0.9, gt=0, le=1.5, description="ψ_par: parity when K_actor ≥ ψ_par × best K of the reference bloc"
    )
    reference_bloc: str = Field("West", description="bloc against which parity and relative capability are measured")
    bloc_aggregation: float = Field(4.0, ge=1, le=50, description="ϱ: 1 additive, large = best member counts")
    report_years: list[Number] = Field(
        default_factory=lambda: [2030.0, 2035.0, 2050.0], description="years shown in the summary table"
    )


class Scenario(Frozen):
    """A complete, validated scenario."""

    name: str = "unnamed"
    description: str = ""

    @field_validator("name")
    @classmethod
    def _a_folder_name(cls, value: str) -> str:
        # The name becomes the default output folder, results/<name>: it must stay one folder.
        if not value.strip() or any(c in value for c in "/\\\0") or value.strip(". ") == "":
            raise ValueError(f"'{value}' cannot name a results folder (no '/', '\\' or dots alone)")
        return value

    extends: str | None = Field(None, description="path of a scenario this one inherits from (resolved by the loader)")
    time: TimeSpec = TimeSpec()
    runs: int = Field(100, ge=1, le=10_000_000)
    seed: int = Field(20250101, ge=0, lt=2**63)
    blocs: dict[str, BlocSpec]
    actors: dict[str, ActorSpec] = Field(min_length=2)
    sectors: dict[str, SectorSpec] = Field(min_length=1)
    dependency: dict[str, dict[str, Number]] = Field(
        default_factory=dict, description="Ω[s][u]: share of sector s that relies on inputs of sector u"
    )
    spillover: dict[str, dict[str, Number]] = Field(
        default_factory=dict, description="N[s][u]: knowledge spillover from upstream u into s"
    )
    relations: RelationsSpec = RelationsSpec()
    parameters: ModelParameters = ModelParameters()
    ensemble: EnsembleSpec = EnsembleSpec()
    uncertainties: dict[str, DeepUncertainty] = Field(
        default_factory=dict, description="deep uncertainties: parameter -> {low, high, basis} (ODD 8.5)"
    )
    rules: RulesSpec = RulesSpec()
    policies: PoliciesSpec = PoliciesSpec()
    history: HistorySpec = HistorySpec()
    stochastic: StochasticSpec = StochasticSpec()
    metrics: MetricsSpec = MetricsSpec()

"""Scalar model parameters: default, admissible bounds, sweep range, basis, claims.

Each field is one number that may differ between runs of a batch (a sweep varies
them). ``ge``/``le`` are what the model accepts; ``sweep`` is the plausible range we
document and that property tests draw from. ``docs/ODD.md`` lists this table, and a
test keeps the two in step.
"""

from __future__ import annotations

from typing import Any

from sim.config.base import StrictModel
from sim.config.coverage import COVERAGE_ACTS, CoverageParameters
from sim.config.declare import param
from sim.config.economy_parameters import EconomyParameters


class DynamicsParameters(StrictModel):
    """The scalar parameters of the mechanisms (one value per run)."""

    # --- growth: own innovation and catch-up -------------------------------------------
    innovation_scale: float = param(
        0.5, ge=0.0, le=2.0, sweep=(0.3, 1.0), symbol="×θ_s", unit="multiplier",
        basis="units: frontier capability grows 1-5 %/yr, as sectoral TFP in the catch-up literature "
              "(Griffith-Redding-Van Reenen 2004) whose coefficients c_s use; calibrated (ODD §7); "
              "admissible up to 2 (sane-world bound, ODD §8.1)",
        claims=("C03", "C08"), meaning="multiplier on every sector's own-innovation productivity")
    rd_elasticity: float = param(
        0.75, ge=0.1, le=1.0, sweep=(0.5, 1.0), symbol="λ", unit="1",
        basis="Jones 1995 (duplication of research effort)",
        claims=("C03", "C06"), meaning="elasticity of innovation to effective R&D")
    frontier_proximity: float = param(
        0.5, ge=0.0, le=2.0, sweep=(0.0, 1.0), symbol="ξ", unit="1",
        basis="Acemoglu-Aghion-Zilibotti 2006 (innovation matters near the frontier, imitation far from it)",
        claims=("C08",), meaning="elasticity of own innovation to capability relative to the frontier")
    catch_up_scale: float = param(
        1.0, ge=0.0, le=5.0, sweep=(0.5, 2.0), symbol="×c_s", unit="multiplier",
        basis="Comin-Hobijn 2010 adoption lags; Griffith-Redding-Van Reenen 2004",
        claims=("C08", "C25"), meaning="multiplier on every sector's catch-up coefficient c_s")
    catch_up_shape: float = param(
        1.0, ge=-1.0, le=1.0, sweep=(-1.0, 1.0), symbol="ν", unit="1",
        basis="Benhabib-Spiegel 2005 (1 logistic, -1 exponential; 0 is the log limit)",
        claims=("C08", "C25"), meaning="shape of the catch-up kernel Φ_ν(K_a/K_b)")
    absorptive_half: float = param(
        1.0, ge=0.05, le=10.0, sweep=(0.3, 3.0), symbol="Z_half", unit="× own average sector R&D stock of 2015",
        basis="Cohen-Levinthal 1990 (form); value assumption",
        claims=("C25",), meaning="R&D stock at which absorptive capacity is half its maximum")
    rd_depreciation: float = param(
        0.15, ge=0.01, le=0.6, sweep=(0.10, 0.30), symbol="δ_Z", unit="1/yr",
        basis="Griliches/Hall perpetual-inventory convention",
        claims=("C03",), meaning="depreciation of the R&D knowledge stock")
    foreign_potency: float = param(
        0.67, ge=0.0, le=1.0, sweep=(0.3, 0.9), symbol="w_f", unit="1",
        basis="Eaton-Kortum 1999 (foreign research about 2/3 as potent as domestic)",
        claims=("C25",), meaning="total weight of foreign knowledge sources in catch-up")
    spillover_strength: float = param(
        0.3, ge=0.0, le=1.0, sweep=(0.0, 0.6), symbol="ν_N", unit="1",
        basis="Acemoglu-Akcigit-Kerr 2016 (upstream growth predicts downstream growth)",
        claims=("C19", "C33", "C34"), meaning="share of last year's upstream growth passed downstream")
    data_elasticity: float = param(
        0.15, ge=0.0, le=1.0, sweep=(0.0, 0.3), symbol="ζ", unit="1",
        basis="Beraja-Yang-Yuchtman 2023 (sign); magnitude assumption",
        claims=("C10", "C11"), meaning="elasticity of innovation in data-intensive sectors to the data stock")

    # --- input bottlenecks -----------------------------------------------------------------
    input_substitution: float = param(
        0.2, ge=0.05, le=3.0, sweep=(0.05, 1.0), symbol="σ_short", unit="1",
        basis="Boehm-Flaaen-Pandalai-Nayar 2019 (near-Leontief short run); Atalay 2017 (complements across inputs)",
        claims=("C04", "C05"),
        meaning="short-run elasticity of substitution between a sector's input sectors (Ω) and its other inputs")
    input_substitution_long: float = param(
        1.0, ge=0.05, le=5.0, sweep=(0.5, 2.0), symbol="σ_long", unit="1",
        basis="model-methods §3.2: σ rises toward 1-2 as substitution matures; Peter-Ruane 2023 (long-run "
              "input elasticities above 1)",
        claims=("C03", "C04", "C05"),
        meaning="long-run elasticity, reached as buyers finish re-sourcing (over the gestation time)")
    bottleneck_sensitivity: float = param(
        1.0, ge=0.0, le=3.0, sweep=(0.5, 2.0), symbol="γ", unit="1",
        basis="assumption; 1 = output falls one-for-one with the input composite (Boehm et al. 2019)",
        claims=("C04", "C05", "C34"),
        meaning="exponent of the input factor U in the level of capability (K·U^γ)")

    reallocation: float = param(
        0.5, ge=0.0, le=1.0, sweep=(0.0, 1.0), symbol="r", unit="1",
        basis="Russia's chip imports re-routed via China within a year (partial); "
              "Crosignani et al. 2024: no friend-shoring by US suppliers",
        claims=("C05", "C28", "C31"),
        meaning="share of lost knowledge, and of lost supply at once, that receivers redirect to sources still open "
                "(lost supply is re-sourced fully over the gestation time)")

    dependency_scale: float = param(
        1.0, ge=0.0, le=3.0, sweep=(0.5, 1.5), symbol="×Ω", unit="multiplier",
        basis="the dependency matrix is illustrative (model-methods §4); issue 15 found × 1.5 moves Russia's "
              "status-quo cost by a quarter; each row is capped where a sector would rely on its inputs entirely",
        claims=("C04", "C05", "C14"), meaning="multiplier on every row of the input dependency matrix Ω")
    sourcing_elasticity: float = param(
        4.0, ge=0.0, le=12.0, sweep=(2.0, 8.0), symbol="θ", unit="1",
        basis="Eaton-Kortum 2002; Simonovska-Waugh 2014 (trade elasticity about 4)", claims=("C05", "C28", "C31"),
        meaning="how strongly re-sourced supply goes to the best open origin (weights access·K^θ)")

    # --- leakage, evasion, enforcement -------------------------------------------------------
    leak_quality: float = param(
        0.6, ge=0.0, le=1.0, sweep=(0.3, 0.9), symbol="q_leak", unit="1",
        basis="Russia chip imports 2022-23: value recovered, volume and quality lower",
        claims=("C28",), meaning="quality of evaded supply relative to direct supply")
    evasion_max: float = param(
        0.7, ge=0.0, le=1.0, sweep=(0.3, 0.9), symbol="V_max", unit="1",
        basis="Russia chips 2022-23 (EBRD, AEI, Re:Russia)", claims=("C28",),
        meaning="largest share of a closed channel that evasion can reopen")
    evasion_premium: float = param(
        0.9, ge=0.0, le=3.0, sweep=(0.3, 1.2), symbol="π_ev", unit="1",
        basis="AEI: price per kg of Russian chip imports about doubled 2021-23", claims=("C28",),
        meaning="price premium on evaded supply (reduces its effective volume)")
    evasion_build: float = param(
        0.5, ge=0.0, le=5.0, sweep=(0.1, 2.0), symbol="κ_V", unit="1/yr",
        basis="assumption; Russian chip import value recovered within about a year", claims=("C28",),
        meaning="speed at which denied actors build evasion capacity through conduits")
    enforcement_response: float = param(
        0.5, ge=0.0, le=5.0, sweep=(0.0, 2.0), symbol="κ_E", unit="1/yr",
        basis="assumption; US secondary-sanction threats 2023-24", claims=("C27", "C28"),
        meaning="speed at which controllers raise enforcement against observed leakage")
    enforcement_decay: float = param(
        0.2, ge=0.0, le=2.0, sweep=(0.05, 0.5), symbol="d_E", unit="1/yr",
        basis="assumption", claims=("C27",), meaning="decay of enforcement effort")
    enforcement_bite: float = param(
        0.5, ge=0.0, le=5.0, sweep=(0.0, 2.0), symbol="e_V", unit="1/yr",
        basis="assumption", claims=("C28",), meaning="rate at which enforcement dismantles evasion capacity")
    conduit_scale: float = param(
        1.0, ge=0.0, le=3.0, sweep=(0.0, 2.0), symbol="×conduit", unit="multiplier",
        basis="assumption", claims=("C28",), meaning="multiplier on every conduit actor's capacity")

    # --- responses: substitution, budgets ---------------------------------------------------
    substitution_response: float = param(
        1.0, ge=0.0, le=5.0, sweep=(0.0, 3.0), symbol="κ_sub", unit="1",
        basis="Entity-List difference-in-differences (sign); magnitude assumption",
        claims=("C03", "C06"), meaning="shift of R&D and sourcing toward denied sectors")
    substitution_budget: float = param(
        0.15, ge=0.0, le=1.0, sweep=(0.0, 0.5), symbol="κ_B", unit="1",
        basis="assumption ('big fund' responses: China's IC fund phase III, 2024, is a few % of its GERD)",
        claims=("C06",), meaning="rise in the level of the R&D budget per unit of weighted denial")
    gestation: float = param(
        4.0, ge=0.5, le=15.0, sweep=(2.0, 8.0), symbol="τ_gest", unit="yr",
        basis="assumption (fab and lab build times)", claims=("C03", "C06", "C08"),
        meaning="time constant for R&D and sourcing to reach their new targets")
    program_boost: float = param(
        0.5, ge=0.0, le=3.0, sweep=(0.0, 1.5), symbol="κ_prog", unit="1",
        basis="assumption (Made in China 2025, CHIPS Act)", claims=("C06",),
        meaning="relative tilt of R&D toward sectors of an investment programme at level 1")
    sanction_budget_drag: float = param(
        0.15, ge=0.0, le=0.5, sweep=(0.0, 0.3), symbol="δ_sanc", unit="1",
        basis="Russia's R&D intensity 1.1 % (2015) → 0.96 % (2023) under sanctions; "
              "Gutmann-Neuenkirch-Neumeier 2021 for scale",
        claims=("C27",), meaning="fall in the level of the target's R&D budget per unit of financial sanctions")
    learning_exponent: float = param(
        0.32, ge=0.0, le=1.0, sweep=(0.15, 0.51), symbol="b", unit="1",
        basis="Irwin-Klenow 1994 (20 % learning rate in DRAM); Nagy et al. 2013 (Wright's law)",
        claims=("C27",), meaning="Wright's-law exponent: log capability per log cumulative output, learning sectors")
    experience_adjustment: float = param(
        0.2, ge=0.01, le=5.0, sweep=(0.05, 1.0), symbol="κ_Q", unit="1/yr",
        basis="assumption (cumulative output adjusts to a new market size over about five years)",
        claims=("C27",), meaning="speed at which experience follows a change in export market access")

    # --- escalation (Richardson) -------------------------------------------------------------
    escalation_reaction: float = param(
        0.3, ge=0.0, le=2.0, sweep=(0.0, 1.0), symbol="k", unit="1/yr",
        basis="Richardson (structure); value assumption", claims=("C27",),
        meaning="controls added per unit of rival threat (gap closure)")
    escalation_counter: float = param(
        0.2, ge=0.0, le=2.0, sweep=(0.0, 1.0), symbol="k'", unit="1/yr",
        basis="Richardson (structure); value assumption", claims=("C27",),
        meaning="controls added per unit of the rival's own controls (tit for tat)")
    escalation_restraint: float = param(
        0.5, ge=0.0, le=2.0, sweep=(0.0, 1.0), symbol="m", unit="1/yr",
        basis="Crosignani et al. 2024 (controllers' suppliers lose); value assumption", claims=("C27",),
        meaning="controls removed per unit of the controller's own cost")
    escalation_grievance: float = param(
        0.0, ge=-1.0, le=1.0, sweep=(0.0, 0.2), symbol="g", unit="1/yr",
        basis="assumption", claims=("C27",), meaning="exogenous hostility added to controls every year")
    escalation_threshold: float = param(
        0.7, ge=0.0, le=1.5, sweep=(0.5, 0.95), symbol="θ_thr", unit="K_rival/K_bloc",
        basis="assumption", claims=("C27", "C29"),
        meaning="rival capability ratio above which a controller feels threatened")
    escalation_speed_weight: float = param(
        2.0, ge=0.0, le=10.0, sweep=(0.0, 5.0), symbol="ς", unit="yr",
        basis="assumption", claims=("C27",), meaning="weight of the rival's catch-up speed in the threat")
    ally_alignment: float = param(
        0.7, ge=0.0, le=1.0, sweep=(0.3, 1.0), symbol="κ_ally", unit="1",
        basis="assumption (Dutch and Japanese tool controls aligned in 2023)", claims=("C04", "C27"),
        meaning="share of the bloc's strongest control that every ally applies")
    espionage_grievance: float = param(
        0.05, ge=0.0, le=1.0, sweep=(0.0, 0.2), symbol="γ_g", unit="per event",
        basis="assumption", claims=("C24", "C27"), meaning="controls added by a rival per detected espionage event")

    # --- closure of controlled flows (hysteresis) ------------------------------------------------
    tie_decay: float = param(
        2.0, ge=0.0, le=20.0, sweep=(0.5, 5.0), symbol="κ_dec", unit="1/yr",
        basis="GSDB gravity studies: sanctions cut trade within the year; stockpiles bridge a few months",
        claims=("C27", "C02"), meaning="rate at which flows covered by a new control close")
    tie_spillover: float = param(
        0.2, ge=0.0, le=1.0, sweep=(0.0, 0.5), symbol="κ_spill", unit="1",
        basis="Crosignani et al. 2024 (suppliers drop untargeted customers); magnitude assumption",
        claims=("C02", "C27"),
        meaning="share of a rival pair's uncovered flows lost per unit of its average control coverage")
    tie_recovery: float = param(
        0.125, ge=0.0, le=2.0, sweep=(0.05, 0.5), symbol="κ_rec", unit="1/yr",
        basis="GSDB: effects fade about 8 years after lifting; the same rate for buyers returning "
              "to a supplier after a supply shock (assumption)", claims=("C02", "C05"),
        meaning="rate at which closed flows reopen once controls are lifted, or a shock ends")

    # --- cooperation and trust -------------------------------------------------------------------
    transfer_rate: float = param(
        0.05, ge=0.0, le=1.0, sweep=(0.0, 0.2), symbol="τ", unit="1/yr",
        basis="assumption", claims=("C07", "C11", "C21"),
        meaning="deliberate technology transfer between cooperating partners")
    pooling_efficiency: float = param(
        0.2, ge=0.0, le=1.0, sweep=(0.0, 0.5), symbol="η", unit="1",
        basis="assumption", claims=("C03", "C07", "C16", "C18"),
        meaning="share of a partner's R&D that joint work adds to one's own")
    trust_memory: float = param(
        0.9, ge=0.5, le=0.999, sweep=(0.7, 0.98), symbol="γ_T", unit="per yr",
        basis="Jøsang-Ismail 2002 (forgetting factor)", claims=("C24",),
        meaning="share of trust evidence kept from one year to the next")
    trust_negative_weight: float = param(
        3.0, ge=1.0, le=10.0, sweep=(1.0, 5.0), symbol="w_neg", unit="1",
        basis="asymmetric trust (negative experiences outweigh positive ones)", claims=("C24",),
        meaning="weight of a negative event relative to a year of honoured cooperation")
    control_offence: float = param(
        10.0, ge=0.0, le=50.0, sweep=(0.0, 20.0), symbol="o_X", unit="events per unit control",
        basis="assumption", claims=("C24", "C27"),
        meaning="negative trust evidence from a rise in the average controls a partner imposes")
    cooperation_slope: float = param(
        10.0, ge=0.5, le=50.0, sweep=(2.0, 20.0), symbol="β_C", unit="1",
        basis="continuous iterated prisoner's dilemma (form)", claims=("C24", "C26"),
        meaning="steepness of cooperation in mutual trust")
    cooperation_threshold: float = param(
        0.5, ge=0.0, le=1.0, sweep=(0.3, 0.7), symbol="θ_C", unit="trust",
        basis="continuous iterated prisoner's dilemma (form)", claims=("C24",),
        meaning="mutual trust at which cooperation reaches half its allowed level")
    cooperation_speed: float = param(
        0.5, ge=0.01, le=5.0, sweep=(0.1, 1.0), symbol="κ_C", unit="1/yr",
        basis="assumption", claims=("C01", "C26"), meaning="speed at which cooperation moves to its target")
    pressure_response: float = param(
        0.3, ge=0.0, le=2.0, sweep=(0.0, 1.0), symbol="κ_press", unit="trust units per unit control",
        basis="assumption", claims=("C31",),
        meaning="how much shared Western pressure lowers the trust partners need to cooperate")
    forgiveness: float = param(
        0.3, ge=0.0, le=1.0, sweep=(0.0, 1.0), symbol="g_forgive", unit="1",
        basis="generous tit-for-tat (Imhof-Fudenberg-Nowak 2007)", claims=("C24",),
        meaning="share of cooperation kept after a detected defection (generous tit-for-tat)")

    # --- espionage -----------------------------------------------------------------------------
    espionage_rate: float = param(
        0.3, ge=0.0, le=5.0, sweep=(0.0, 1.0), symbol="ε", unit="events/yr per hostile pair",
        basis="assumption", claims=("C24",), meaning="rate of espionage attempts by one actor on a hostile one")
    partner_hostility: float = param(
        0.5, ge=0.0, le=1.0, sweep=(0.0, 1.0), symbol="h_p", unit="1",
        basis="assumption (history of Russian and Chinese espionage against each other)", claims=("C24",),
        meaning="espionage between partners as a share of that between rivals")
    espionage_detection: float = param(
        0.3, ge=0.0, le=1.0, sweep=(0.05, 0.8), symbol="p_det", unit="1",
        basis="assumption", claims=("C24",), meaning="probability that an espionage event is detected")
    espionage_potency: float = param(
        0.05, ge=0.0, le=0.5, sweep=(0.0, 0.2), symbol="χ", unit="log capability",
        basis="assumption; admissible up to 0.5 (sane-world bound, ODD §8.1)", claims=("C24",),
        meaning="capability a successful theft adds, per unit of gap")
    cyber_defence: float = param(
        0.5, ge=0.0, le=1.0, sweep=(0.0, 1.0), symbol="c_def", unit="1",
        basis="assumption", claims=("C20", "C21", "C33"),
        meaning="share of espionage a frontier-level cyber capability stops")

    # --- data ------------------------------------------------------------------------------------
    localisation_data_gain: float = param(
        0.5, ge=0.0, le=2.0, sweep=(0.0, 1.0), symbol="κ_loc", unit="1",
        basis="assumption", claims=("C22",), meaning="relative rise of data-stock growth at full localisation")
    localisation_flow_cut: float = param(
        0.8, ge=0.0, le=1.0, sweep=(0.3, 1.0), symbol="κ_flow", unit="1",
        basis="assumption", claims=("C22", "C23"),
        meaning="share of cross-border data flow cut at full localisation (data-intensive sectors)")

    # --- noise -----------------------------------------------------------------------------------
    noise_scale: float = param(
        1.0, ge=0.0, le=5.0, sweep=(0.0, 2.0), symbol="×σ_s", unit="multiplier",
        basis="assumption", claims=("C29",), meaning="multiplier on every sector's diffusion noise σ_s")
    breakthrough_rate: float = param(
        0.02, ge=0.0, le=0.1, sweep=(0.0, 0.1), symbol="π_b", unit="1/yr",
        basis="assumption; admissible up to one in ten years (rare, sane-world bound, ODD §8.1)", claims=("C33",),
        meaning="rate of rare capability breakthroughs per actor and sector")
    breakthrough_size: float = param(
        0.1, ge=0.0, le=0.4, sweep=(0.0, 0.3), symbol="J", unit="log capability",
        basis="assumption; admissible up to 0.4 (sane-world bound, ODD §8.1)", claims=("C33",),
        meaning="median size of a breakthrough")


class ModelParameters(EconomyParameters, CoverageParameters, DynamicsParameters):
    """All scalar parameters of a run: the mechanisms', the coverage of the uncertain acts, the GDP mapping's."""


PARAMETER_NAMES: tuple[str, ...] = tuple(ModelParameters.model_fields)
__all__ = ["COVERAGE_ACTS", "PARAMETER_NAMES", "ModelParameters", "param", "parameter_metadata", "unknown_parameter"]


def unknown_parameter(name: str) -> str:
    """The message for a name that is not a model parameter, with the closest one."""
    from sim.config.errors import did_you_mean

    return f"unknown parameter '{name}'" + did_you_mean(name, PARAMETER_NAMES)


def parameter_metadata(name: str) -> dict[str, Any]:
    """Default, bounds, sweep range, symbol, unit, basis and claims of one parameter."""
    field = ModelParameters.model_fields[name]
    extra = field.json_schema_extra if isinstance(field.json_schema_extra, dict) else {}
    bounds = {type(m).__name__: getattr(m, type(m).__name__.lower(), None) for m in field.metadata}
    return {
        "name": name,
        "default": field.default,
        "ge": bounds.get("Ge"),
        "le": bounds.get("Le"),
        "meaning": field.description,
        **extra,
    }

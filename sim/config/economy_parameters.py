"""Parameters of the economic mapping: from capability to GDP (ODD §7.12; no effect on the dynamics).

They set the production network each actor's GDP is computed from (``sim.economy``): how a
technology sector's productivity follows its capability, how the rest of the economy draws on
it, and how well inputs substitute. The price channel uses the model's own Eaton-Kortum
exponent, ``sourcing_elasticity``, so sourcing and the input price index share one θ.
"""

from __future__ import annotations

from sim.config.base import StrictModel
from sim.config.declare import param


class EconomyParameters(StrictModel):
    """The scalar parameters of the GDP mapping (one value per run)."""

    tech_productivity_elasticity: float = param(
        1.0,
        ge=0.0,
        le=2.0,
        sweep=(0.5, 1.0),
        symbol="η",
        unit="1",
        basis="assumption: the capability index is read as the sector's technology level (1); the low end allows "
        "that an index of frontier capability overstates the average firm's productivity",
        claims=("C29",),
        meaning="elasticity of a technology sector's productivity to its capability",
    )
    diffusion_elasticity: float = param(
        0.1,
        ge=0.0,
        le=0.5,
        sweep=(0.05, 0.2),
        symbol="κ",
        unit="1",
        basis="Coe & Helpman 1995; Coe, Helpman & Hoffmaister 2009 (elasticity of economy-wide TFP to R&D "
        "capital stocks, domestic and foreign, 0.06-0.23)",
        claims=("C29", "C25"),
        meaning="elasticity of the rest of the economy's productivity to the actor's technology capability",
    )
    tech_value_added_ratio: float = param(
        0.35,
        ge=0.2,
        le=0.9,
        sweep=(0.25, 0.45),
        symbol="α_T",
        unit="share of gross output",
        basis="OECD TiVA / STAN: value added over gross output of computer, electronic, optical and other "
        "high-R&D industries, about 0.2-0.5 across the actors",
        claims=("C29",),
        meaning="value added share of the technology sectors' gross output",
    )
    rest_value_added_ratio: float = param(
        0.5,
        ge=0.2,
        le=0.9,
        sweep=(0.45, 0.55),
        symbol="α_R",
        unit="share of gross output",
        basis="national input-output tables: gross output about 1.8-2.2 × GDP (BEA, OECD IOTs)",
        claims=("C29",),
        meaning="value added share of the rest of the economy's gross output",
    )
    tech_intermediate_sales: float = param(
        0.5,
        ge=0.0,
        le=0.95,
        sweep=(0.3, 0.7),
        symbol="φ",
        unit="share",
        basis="assumption informed by input-output tables (ICT goods and services: about half to intermediate "
        "use, half to final demand, investment and exports)",
        claims=("C29",),
        meaning="share of the technology sectors' sales outside themselves bought as inputs by the rest of the economy",
    )
    value_added_elasticity: float = param(
        0.5,
        ge=0.01,
        le=1.0,
        sweep=(0.3, 0.9),
        symbol="ε",
        unit="1",
        basis="Atalay 2017; Baqaee & Farhi 2019 (0.5); admissible up to 1: with substitutes a sector "
        "whose intermediates keep getting cheaper can shed value added entirely and the network has no interior "
        "equilibrium (ODD 7.12)",
        claims=("C29",),
        meaning="elasticity of substitution between value added and intermediate inputs",
    )
    intermediate_elasticity: float = param(
        0.2,
        ge=0.01,
        le=3.0,
        sweep=(0.05, 1.0),
        symbol="θ_M",
        unit="1",
        basis="Atalay 2017 (0.001-0.2 within a year); Boehm, Flaaen & Pandalai-Nayar 2019 (about 0.2 for "
        "imported inputs); about 1 over several years (Peter & Ruane 2023 find more)",
        claims=("C29", "C04"),
        meaning="elasticity of substitution among intermediate inputs",
    )

"""The coverage of uncertain policy acts, as model parameters (one multiplier per act).

A row of the policy timeline may name an ``act``: a group of rows whose coverage (the share
of the listed sectors' flows a control covers) was judged together from the act's scope.
Each run multiplies that judged coverage by ``coverage_<act>``, so the judgement is a
quantity with a prior: calibrated where an event before 2022 informs it (ODD §6), carried
into the ensemble as an explicit uncertainty otherwise. Levels are capped at 1.
"""

from __future__ import annotations

from sim.config.base import StrictModel
from sim.config.declare import param

# act name: (claims, what the act is and how its coverage was judged)
_ACTS: dict[str, tuple[tuple[str, ...], str]] = {
    "russia_2014": (
        ("C27", "C28"),
        "2014 sanctions on Russia: dual-use and oil-exploration items (EU Reg. 833/2014), judged 0.15 of energy, "
        "materials and chip flows and 0.05 of the rest",
    ),
    "china_2018": (
        ("C27", "C14"),
        "ZTE denial order (April-July 2018) and the s.889 procurement ban, judged 0.03-0.05",
    ),
    "huawei_2019": (
        ("C14", "C15"),
        "Huawei's entity listing (May 2019), judged 0.08 of China's chip and telecom flows",
    ),
    "china_2020": (
        ("C05", "C14"),
        "foreign-direct-product rules for Huawei (May, August 2020) and SMIC's listing (December 2020), "
        "judged 0.10-0.15",
    ),
    "japan_korea_2019": (
        ("C04", "C27"),
        "Japan's licensing of fluorinated polyimide, photoresist and hydrogen fluoride for South Korea (July 2019) "
        "and its removal from the white list (August 2019; restored March 2023)",
    ),
    "russia_2022": (("C27", "C28", "C31"), "2022 controls and financial sanctions on Russia, judged 0.6 and 0.2"),
    "china_2022": (
        ("C04", "C05", "C27"),
        "advanced-computing and tool rules on China (October 2022 to December 2024), judged 0.20-0.35",
    ),
    "china_counter_2023": (
        ("C27",),
        "China's gallium, germanium and antimony export controls (2023-2024), judged 0.05-0.10",
    ),
}
COVERAGE_ACTS: tuple[str, ...] = tuple(_ACTS)


def _coverage(act: str) -> float:
    claims, what = _ACTS[act]
    return param(
        1.0, ge=0.0, le=5.0, sweep=(0.5, 2.0), symbol=f"m_{act}", unit="× judged coverage",
        basis="judgement of the act's scope (which entities and items it names); the judged share may be off by a "
              "factor of two either way",
        claims=claims, meaning=f"multiplier on the judged coverage of {what}")  # fmt: skip


class CoverageParameters(StrictModel):
    """One multiplier per uncertain act of the timeline (``act`` column)."""

    coverage_russia_2014: float = _coverage("russia_2014")
    coverage_china_2018: float = _coverage("china_2018")
    coverage_huawei_2019: float = _coverage("huawei_2019")
    coverage_china_2020: float = _coverage("china_2020")
    coverage_japan_korea_2019: float = _coverage("japan_korea_2019")
    coverage_russia_2022: float = _coverage("russia_2022")
    coverage_china_2022: float = _coverage("china_2022")
    coverage_china_counter_2023: float = _coverage("china_counter_2023")

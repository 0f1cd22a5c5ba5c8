"""What a band of ``decoupling run`` and ``compare`` holds: which sources of uncertainty vary across its runs.

A band is a quantile range over runs. It holds only what differs between the runs:

* the calibrated parameters, if the scenario's runs draw them from the posterior
  (``ensemble.use: sample``); at the posterior mean they do not vary;
* process noise, for each stochastic process switched on.

It never holds model discrepancy (only the forecast bands of ``decoupling hindcast`` and
``backtest`` add it, ODD 6.4) nor the judged inputs that every run shares: the deep
uncertainties a scenario declares (``uncertainties:``, whose share of the spread
``decoupling compare --by-source`` gives, ``sim.analysis.sources``) and the inputs not yet
declarable as parameters (the 2015 capabilities).
"""

from __future__ import annotations

from sim.config.schema import Scenario


def band_sources(scenario: Scenario) -> str:
    """One line naming what varies across a scenario's runs, and what its bands leave out."""
    held = []
    drawn = scenario.ensemble.draws
    if drawn and scenario.ensemble.use == "sample":
        held.append(f"posterior draws of {len(drawn)} calibrated parameters (ODD 6.3: which the data narrow)")
    stochastic = scenario.stochastic
    processes = [
        name
        for name, on in (
            ("capability shocks", stochastic.noise),
            ("breakthroughs", stochastic.breakthroughs),
            ("espionage events", stochastic.espionage),
        )
        if on
    ]
    if processes:
        held.append("process noise (" + ", ".join(processes) + ")")
    holds = " and ".join(held) if held else "nothing that varies between runs (every run is the same)"
    declared = len(scenario.uncertainties)
    deep = (
        f"not the {declared} deep uncertainties it declares (compare --by-source weighs them)"
        if declared
        else "not the judged inputs every run shares"
    )
    return f"bands hold {holds}; not model discrepancy, {deep}"


def sentence(text: str) -> str:
    """``text`` with its first letter upper-cased and the rest kept (``str.capitalize`` lowers "ODD")."""
    return text[:1].upper() + text[1:]


def bands_heading(scenarios: dict[str, Scenario]) -> str:
    """What the bands of several named scenarios hold: one sentence if they agree, else one per group of names."""
    groups: dict[str, list[str]] = {}
    for name, scenario in scenarios.items():
        groups.setdefault(band_sources(scenario), []).append(name)
    if len(groups) == 1:
        return sentence(next(iter(groups))) + "."
    return " ".join(f"{', '.join(names)}: {text}." for text, names in groups.items())

"""Every printed band says what it holds (issue 15): parameter draws, process noise, never discrepancy."""

from __future__ import annotations

import sim
from sim.analysis.compare import compare, format_comparison
from sim.bands import band_sources, bands_heading
from sim.config import load_scenario
from sim.summary import format_summary
from tests.conftest import BASELINE, ROOT


def test_the_baseline_bands_hold_posterior_draws_and_noise_but_not_discrepancy():
    text = band_sources(load_scenario(BASELINE))
    assert "posterior draws of" in text and "capability shocks, breakthroughs, espionage events" in text
    assert "not model discrepancy" in text


def test_the_sources_follow_the_scenario():
    mean = load_scenario(BASELINE, {"ensemble.use": "mean", "stochastic.espionage": False})
    text = band_sources(mean)
    assert "posterior" not in text and "(capability shocks, breakthroughs)" in text
    still = load_scenario(
        BASELINE,
        {
            "ensemble.use": "mean",
            "stochastic.noise": False,
            "stochastic.breakthroughs": False,
            "stochastic.espionage": False,
        },
    )
    assert "nothing that varies between runs" in band_sources(still)


def test_run_and_compare_print_what_their_bands_hold():
    summary = format_summary(sim.run(BASELINE, runs=5, seed=2))
    assert "bands hold posterior draws" in summary.splitlines()[0]
    text = format_comparison(compare([BASELINE, ROOT / "scenarios" / "full_decoupling.yaml"], runs=5, seed=2))
    assert text.splitlines()[0].startswith("Bands hold posterior draws") and "not model discrepancy" in text


def test_the_standard_plots_say_what_their_bands_hold():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from sim.plots import bloc_index_plot, fan_chart

    ds = sim.run(BASELINE, runs=4, seed=3)
    for fig in (fan_chart(ds), bloc_index_plot(ds)):
        captions = [t.get_text() for t in fig.texts if t.get_text().startswith("Bands: 5-95 % across runs; hold")]
        assert len(captions) == 1 and "not model discrepancy" in captions[0], [t.get_text() for t in fig.texts]
        plt.close(fig)


def test_a_comparison_names_the_scenarios_whose_bands_hold_something_else():
    baseline = load_scenario(BASELINE)
    pinned = load_scenario(BASELINE, {"parameters.reallocation": 0.5})  # one calibrated parameter pinned
    assert len(pinned.ensemble.draws) == len(baseline.ensemble.draws) - 1
    text = bands_heading({"baseline": baseline, "other": baseline, "pinned": pinned})
    assert text.startswith("baseline, other: bands hold posterior draws of 12 calibrated")
    assert "pinned: bands hold posterior draws of 11 calibrated" in text
    assert "(ODD 6.3" in text  # an upper-case first letter does not lower the rest
    one = bands_heading({"baseline": baseline, "other": baseline})
    assert one.startswith("Bands hold posterior draws of 12") and "(ODD 6.3" in one and "baseline" not in one

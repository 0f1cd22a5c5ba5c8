"""Every printed band says what it holds (issue 15): parameter draws, process noise, never discrepancy."""

from __future__ import annotations

import sim
from sim.analysis.compare import compare, format_comparison
from sim.bands import band_sources
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

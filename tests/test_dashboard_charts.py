"""The page's charts as data: Vega-Lite specs that validate, bands in order, the branch year and
units on every time axis, and a supply network that says who supplies whom under controls."""

from __future__ import annotations

import json
from importlib import resources

import numpy as np
import pytest

pytest.importorskip("solara")

import sim  # noqa: E402
from sim.dashboard import charts  # noqa: E402
from sim.dashboard.network import MIN_SHARE, layout, network_chart, network_table  # noqa: E402
from sim.plots import COLOURS  # noqa: E402
from tests.conftest import BASELINE  # noqa: E402


@pytest.fixture(scope="module")
def runs():
    """Full decoupling and its unedited baseline, 12 runs each, five simulated years shown."""
    full = sim.run(BASELINE.parent / "full_decoupling.yaml", runs=12, seed=3)
    base = sim.run(BASELINE, runs=12, seed=3)
    return full.sel(year=slice(2015, 2030)), full, base


@pytest.fixture(scope="module")
def schema_validator():
    jsonschema = pytest.importorskip("jsonschema")
    path = resources.files("altair") / "vegalite" / "v6" / "schema" / "vega-lite-schema.json"
    return jsonschema.Draft7Validator(json.loads(path.read_text()))


def _specs(runs):
    shown, full, base = runs
    conduit = [a == "Third countries" for a in full["actor"].values]
    return [
        charts.fan_chart(shown, base, ["China", "Russia"], "semiconductors"),
        charts.bloc_index_chart(shown, base),
        *charts.cost_charts(shown, base),
        charts.gap_heatmap(shown),
        network_chart(full, conduit, "semiconductors", 2030.0),
    ]


def test_every_chart_is_valid_vega_lite_and_small(runs, schema_validator):
    for spec in _specs(runs):
        body = {k: v for k, v in spec.items() if k != "usermeta"}
        errors = sorted(schema_validator.iter_errors(body), key=str)
        assert not errors, (spec["title"], errors[:1])
        assert len(json.dumps(spec)) < 120_000  # what a step sends per chart: kilobytes, not an image
        assert spec["usermeta"]["aspect"] > 0


def test_bands_are_ordered_and_time_axes_span_the_scenario_with_branch_and_units(runs):
    shown, _, base = runs
    spec = charts.fan_chart(shown, base, ["China"], "ai")
    bands = spec["layer"][0]["data"]["values"]
    assert [r["year"] for r in bands] == list(range(2015, 2031))
    assert all(r["low"] <= r["mid"] <= r["high"] for r in bands)
    x = spec["layer"][0]["encoding"]["x"]
    assert x["scale"]["domain"] == [2015, 2050] and x["title"] == "year"
    assert "ratio" in spec["layer"][0]["encoding"]["y"]["title"]  # the unit on the axis
    branch = [layer for layer in spec["layer"] if "layer" in layer]
    assert branch and branch[0]["data"]["values"][0]["year"] == 2025
    assert spec["usermeta"]["stamp"] == "2030"
    # The median line is the runs' median of the recorded variable.
    expected = np.median(shown["relative_to_reference"].sel(actor="China", sector="ai", year=2020).values)
    assert [r["mid"] for r in bands if r["year"] == 2020][0] == pytest.approx(expected, abs=1e-5)


def test_colours_are_the_command_lines(runs):
    shown, _, base = runs
    scale = charts.bloc_index_chart(shown, base)["layer"][0]["encoding"]["color"]["scale"]
    for name, colour in zip(scale["domain"], scale["range"], strict=True):
        if name in COLOURS:
            assert colour == COLOURS[name]


def test_the_network_shows_controls_low_trust_and_leakage_under_full_decoupling(runs):
    _, full, _ = runs
    conduit = [a == "Third countries" for a in full["actor"].values]
    table = network_table(full, conduit, "semiconductors", 2035.0)
    edges = {(e["supplier"], e["receiver"]): e for e in table["edges"]}
    assert all(e["share"] >= MIN_SHARE for e in edges.values())
    west = ("United States", "European Union", "Japan", "South Korea", "Taiwan")
    into_china = [edges[(w, "China")] for w in west if (w, "China") in edges]
    assert into_china and all(e["control"] >= 0.5 for e in into_china)  # full decoupling: heavy controls
    assert all(e["trust_class"].startswith("low") for e in into_china)
    # Controls inside the West are nil.
    assert all(e["control"] == 0 for (s, r), e in edges.items() if s in west and r in west)
    leaks = {leak["receiver"]: leak for leak in table["leaks"]}
    # Leakage reopens closed imports, so only actors under some control have it (the West too,
    # under China's counter-controls), and China and Russia do.
    received = {n["actor"]: n["controls_received"] for n in table["nodes"]}
    assert {"China", "Russia"} <= set(leaks) and all(received[r] > 0 for r in leaks)
    assert all(0 < v["leakage"] <= 1 for v in leaks.values())
    median = np.median(full["leakage"].sel(year=2035, sector="semiconductors", actor="Russia").values)
    assert "Russia" not in leaks or leaks["Russia"]["leakage"] == pytest.approx(median, abs=1e-3)


def test_the_layout_keeps_blocs_together_and_the_conduit_in_the_middle():
    actors = ["US", "EU", "JP", "CN", "RU", "X"]
    blocs = ["West", "West", "West", "China", "Russia", "Neutral"]
    where = layout(actors, blocs, [False] * 5 + [True])
    assert where["X"] == (0.5, 0.5)
    dist = lambda a, b: np.hypot(where[a][0] - where[b][0], where[a][1] - where[b][1])  # noqa: E731
    assert max(dist("US", "EU"), dist("EU", "JP")) < min(dist("US", "CN"), dist("EU", "RU"))
    assert all(0 <= x <= 1 and 0 <= y <= 1 for x, y in where.values())


def test_the_policies_view_draws_a_pareto_set_and_maps_levers_to_the_page(schema_validator):
    import pandas as pd

    from sim.dashboard.policies import dashboard_levers, parallel_chart

    spec = {
        "name": "s",
        "scenario": "../scenarios/baseline.yaml",
        "levers": {"china_hardware": {"low": 0, "high": 1}, "parameters.enforcement_response": {"low": 0.1, "high": 3},
                   "parameters.transfer_rate": {"low": 0, "high": 0.2}},
        "objectives": [{"name": "chips", "outcome": "rel/China/semiconductors/2035", "direction": "minimize"}],
    }  # fmt: skip
    pareto = pd.DataFrame({"policy": [4, 7], "china_hardware": [0.2, 0.9], "parameters.enforcement_response": [1, 3],
                           "parameters.transfer_rate": [0.1, 0.05], "reeval:chips": [0.45, 0.38]})  # fmt: skip
    chart = parallel_chart(spec, pareto, chosen=7)
    assert not list(schema_validator.iter_errors({k: v for k, v in chart.items() if k != "usermeta"}))
    rows = chart["data"]["values"]
    assert len(rows) == 2 * 4 and all(0 <= r["scaled"] <= 1 for r in rows)
    assert {r["policy"] for r in rows if r["chosen"]} == {7}
    hardware = [r for r in rows if r["axis"] == "china_hardware"]
    assert [r["scaled"] for r in hardware] == [0.2, 0.9]  # scaled by the lever's range from the spec
    applied, missing = dashboard_levers(spec, pareto.iloc[1])
    assert applied == {"china_hardware": 0.9, "enforcement_response": 3.0}
    assert missing == ["parameters.transfer_rate"]

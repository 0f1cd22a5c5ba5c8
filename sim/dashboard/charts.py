"""The page's charts as Vega-Lite specs (dicts): quantiles taken here, drawing left to the browser.

Each function takes results Datasets (``results``: the years simulated so far, dims
(run, year, ...); ``reference``: the unedited scenario, all years, same seeds;
``counterfactual``: the scenario without restrictive measures) and returns one chart.
Bands are 5-95 % across runs, lines medians. Every time axis spans the scenario's years,
marks the branch year and names its unit; colours are ``sim.plots.COLOURS``, as in the
command line's plots. ``usermeta.aspect`` is height / width (the page keeps it at any
window size) and ``usermeta.stamp`` the year shown (browser tests wait for it).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import xarray as xr

from sim.dashboard.figures import cost_of_decoupling, tint
from sim.plots import branch_year

SCHEMA = "https://vega.github.io/schema/vega-lite/v5.json"
QUANTILES = (0.05, 0.5, 0.95)
Spec = dict[str, Any]


def _quantile_rows(values: np.ndarray, years: np.ndarray, who: str) -> list[dict[str, Any]]:
    """{year, who, low, mid, high} per year from an (run, year) array."""
    low, mid, high = np.quantile(values, QUANTILES, axis=0)
    return [
        {"year": int(y), "who": who, "low": round(float(a), 5), "mid": round(float(b), 5), "high": round(float(c), 5)}
        for y, a, b, c in zip(years, low, mid, high, strict=True)
    ]


def _median_rows(values: np.ndarray, years: np.ndarray, who: str) -> list[dict[str, Any]]:
    middle = np.median(values, axis=0)
    return [{"year": int(y), "who": who, "mid": round(float(v), 5)} for y, v in zip(years, middle, strict=True)]


def _colour(names: list[str]) -> dict[str, Any]:
    return {
        "field": "who",
        "type": "nominal",
        "scale": {"domain": names, "range": [tint(n, i) for i, n in enumerate(names)]},
        "legend": {"title": None, "orient": "top"},
    }


def _time_chart(
    title: str, y_title: str, years: np.ndarray, branch: float | None, bands: list, unedited: list, names: list[str],
    stamp: str, aspect: float, extra: list[Spec] | None = None,
) -> Spec:  # fmt: skip
    """Bands (5-95 %), median lines and dashed unedited medians on a full time axis with the branch year."""
    x = {"field": "year", "type": "quantitative", "title": "year",
         "scale": {"domain": [int(years[0]), int(years[-1])], "nice": False}, "axis": {"format": "d"}}  # fmt: skip
    colour = _colour(names)
    layers: list[Spec] = [
        {"data": {"values": bands}, "mark": {"type": "area", "opacity": 0.2},
         "encoding": {"x": x, "y": {"field": "low", "type": "quantitative", "title": y_title},
                      "y2": {"field": "high"}, "color": colour}},
        {"data": {"values": bands}, "mark": {"type": "line", "strokeWidth": 2},
         "encoding": {"x": x, "y": {"field": "mid", "type": "quantitative"}, "color": colour,
                      "tooltip": [{"field": "who"}, {"field": "year"}, {"field": "mid", "format": ".3f"}]}},
    ]  # fmt: skip
    if unedited:
        layers.append(
            {"data": {"values": unedited}, "mark": {"type": "line", "strokeDash": [5, 3], "strokeWidth": 1},
             "encoding": {"x": x, "y": {"field": "mid", "type": "quantitative"}, "color": colour}}
        )  # fmt: skip
    if branch is not None:
        layers.append(
            {"data": {"values": [{"year": branch, "label": f"branch {branch:.0f}"}]},
             "layer": [{"mark": {"type": "rule", "color": "grey", "strokeDash": [2, 2]}, "encoding": {"x": x}},
                       {"mark": {"type": "text", "align": "left", "dx": 3, "baseline": "top", "color": "grey",
                                 "fontSize": 10}, "encoding": {"x": x, "y": {"value": 2}, "text": {"field": "label"}}}]}
        )  # fmt: skip
    layers.extend(extra or [])
    return {
        "$schema": SCHEMA,
        "title": {"text": title, "fontSize": 13},
        "usermeta": {"aspect": aspect, "stamp": stamp},
        "layer": layers,
    }


def _stamp(results: xr.Dataset) -> str:
    return f"{float(results['year'].values[-1]):.0f}"


def fan_chart(results: xr.Dataset, reference: xr.Dataset, actors: list[str], sector: str) -> Spec:
    """Capability relative to the West's best in one sector: a band per actor, dashed the unedited medians."""
    years, full = results["year"].values, reference["year"].values
    bands, unedited = [], []
    for actor in actors:
        edited = results["relative_to_reference"].sel(actor=actor, sector=sector).transpose("run", "year").values
        bands += _quantile_rows(edited, years, actor)
        base = reference["relative_to_reference"].sel(actor=actor, sector=sector).transpose("run", "year").values
        unedited += _median_rows(base, full, actor)
    parity = {"data": {"values": [{"parity": 0.9}]}, "mark": {"type": "rule", "color": "black", "strokeDash": [1, 2]},
              "encoding": {"y": {"field": "parity", "type": "quantitative"}}}  # fmt: skip
    return _time_chart(
        f"{sector}: capability / West's best", "capability / West's best (ratio; dotted: parity 0.9)", full,
        branch_year(reference), bands, unedited, list(actors), _stamp(results), 0.62, [parity],
    )  # fmt: skip


def bloc_index_chart(results: xr.Dataset, reference: xr.Dataset) -> Spec:
    """Each bloc's capability index relative to the West's: bands edited, dashed unedited."""
    years, full = results["year"].values, reference["year"].values
    blocs = [str(b) for b in results["bloc"].values if b != "West"]
    bands, unedited = [], []
    for bloc in blocs:
        ratio = results["bloc_index"].sel(bloc=bloc) / results["bloc_index"].sel(bloc="West")
        bands += _quantile_rows(ratio.transpose("run", "year").values, years, bloc)
        base = reference["bloc_index"].sel(bloc=bloc) / reference["bloc_index"].sel(bloc="West")
        unedited += _median_rows(base.transpose("run", "year").values, full, bloc)
    return _time_chart(
        "Bloc capability index / West's (dashed: unedited)", "bloc index / West's (ratio)", full,
        branch_year(reference), bands, unedited, blocs, _stamp(results), 0.3,
    )  # fmt: skip


def cost_charts(results: xr.Dataset, counterfactual: xr.Dataset) -> list[Spec]:
    """The cost of decoupling so far, one chart per measure (capability, GDP), a band per bloc."""
    years, full = results["year"].values, counterfactual["year"].values
    blocs = [str(b) for b in results["bloc"].values]
    zero = {"data": {"values": [{"zero": 0}]}, "mark": {"type": "rule", "color": "black"},
            "encoding": {"y": {"field": "zero", "type": "quantitative"}}}  # fmt: skip
    specs = []
    for measure, cost in cost_of_decoupling(results, counterfactual).items():
        bands = []
        for bloc in blocs:
            bands += _quantile_rows(100 * cost.sel(bloc=bloc).transpose("run", "year").values, years, bloc)
        specs.append(
            _time_chart(
                f"Cost of decoupling, {measure}", "% below the no-decoupling counterfactual", full,
                branch_year(counterfactual), bands, [], blocs, _stamp(results), 0.6, [zero],
            )
        )  # fmt: skip
    return specs


def gap_heatmap(results: xr.Dataset) -> Spec:
    """Median capability / West's best in the latest simulated year: actors outside the West × sectors."""
    last = results.isel(year=-1)
    blocs = results["bloc_of_actor"].values
    outside = [str(a) for a, b in zip(results["actor"].values, blocs, strict=True) if b != "West"]
    sectors = [str(s) for s in results["sector"].values]
    values = np.median(last["relative_to_reference"].sel(actor=outside).transpose("run", ...).values, axis=0)
    rows = [
        {"actor": a, "sector": s, "ratio": round(float(values[i, j]), 3)}
        for i, a in enumerate(outside)
        for j, s in enumerate(sectors)
    ]
    encoding = {
        "x": {"field": "sector", "type": "nominal", "sort": sectors, "title": None, "axis": {"labelAngle": -35}},
        "y": {"field": "actor", "type": "nominal", "sort": outside, "title": None},
    }
    return {
        "$schema": SCHEMA,
        "title": {"text": f"Gap to the West's best in {_stamp(results)} (median capability ratio)", "fontSize": 13},
        "usermeta": {"aspect": 0.1 * len(outside) + 0.1, "stamp": _stamp(results), "padding": 160},
        "data": {"values": rows},
        "encoding": encoding,
        "layer": [
            {"mark": "rect", "encoding": {
                "color": {"field": "ratio", "type": "quantitative", "title": "ratio (0-1.2)",
                          "scale": {"scheme": "redyellowgreen", "domain": [0, 1.2], "clamp": True}},
                "tooltip": [{"field": "actor"}, {"field": "sector"}, {"field": "ratio"}]}},
            {"mark": {"type": "text", "fontSize": 11}, "encoding": {"text": {"field": "ratio", "format": ".2f"}}},
        ],
    }  # fmt: skip

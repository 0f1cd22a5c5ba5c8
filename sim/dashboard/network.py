"""Who supplies whom: the actors as a network for one sector and year (data, then a Vega-Lite spec).

Nodes are the actors, placed by bloc: the blocs around a circle, their members close
together, the conduit (an actor through which controlled goods leak, ``World.conduit`` > 0)
in the middle. Directed edges run from supplier to receiver:

* width: the supplier's share of the receiver's imported supply in the sector
  (``import_share``, median over runs); shares under ``MIN_SHARE`` are not drawn;
* colour: the controls the supplier imposes on the receiver (``controls``, the mean over
  sectors: the model records controls per pair only as that mean);
* style: dashed when the receiver's trust in the supplier is below one half (``trust``).

Leakage edges (purple, dotted) run from the conduit to each actor whose closed imports in
the sector reopen through it: ``leakage`` is the share of closed imports reopened by evasion.
Node size is the actor's capability in the sector; node outline, the strongest control it
receives there. Values are medians over runs in the chosen year.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import xarray as xr

from sim.dashboard.charts import SCHEMA
from sim.dashboard.figures import tint

MIN_SHARE = 0.03  # import shares below this are not drawn (the page would be a hairball)
LOW_TRUST = 0.5


def layout(actors: list[str], blocs: list[str], conduit: list[bool]) -> dict[str, tuple[float, float]]:
    """(x, y) in the unit square per actor: blocs around a circle, members together, conduits in the middle."""
    groups: dict[str, list[str]] = {}
    for actor, bloc, is_conduit in zip(actors, blocs, conduit, strict=True):
        if not is_conduit:
            groups.setdefault(bloc, []).append(actor)
    centres = [a for a, c in zip(actors, conduit, strict=True) if c]
    positions: dict[str, tuple[float, float]] = {}
    for i, (_, members) in enumerate(groups.items()):
        angle = math.pi + 2 * math.pi * i / max(len(groups), 1)  # the first bloc on the left
        cx, cy = 0.5 + 0.36 * math.cos(angle), 0.5 + 0.36 * math.sin(angle)
        spread = 0.13 if len(members) > 1 else 0.0
        for j, member in enumerate(members):
            theta = 2 * math.pi * j / len(members) + math.pi / 2
            positions[member] = (cx + spread * math.cos(theta), cy + spread * math.sin(theta))
    for j, actor in enumerate(centres):
        positions[actor] = (0.5 + 0.08 * j, 0.5)
    return positions


def network_table(results: xr.Dataset, conduit: list[bool], sector: str, year: float) -> dict[str, list[dict]]:
    """Nodes, supply edges and leakage edges for one sector and year: {"nodes", "edges", "leaks"} row lists."""
    at = results.sel(year=year)
    actors = [str(a) for a in results["actor"].values]
    blocs = [str(b) for b in results["bloc_of_actor"].values]

    def median(name: str, **where: Any) -> np.ndarray:
        return np.median(at[name].sel(**where).transpose("run", ...).values, axis=0)

    share = median("import_share", sector=sector)  # (actor receives, partner supplies)
    controls = median("controls")  # (actor imposes, partner bears)
    trust = median("trust")  # (actor trusts, partner)
    capability = median("capability", sector=sector)
    received = median("controls_received", sector=sector)
    leakage = median("leakage", sector=sector)
    where = layout(actors, blocs, conduit)
    nodes = [
        {"actor": a, "bloc": blocs[i], "x": where[a][0], "y": where[a][1], "capability": round(float(capability[i]), 3),
         "controls_received": round(float(received[i]), 2), "leakage": round(float(leakage[i]), 3)}
        for i, a in enumerate(actors)
    ]  # fmt: skip
    edges = []
    for r, receiver in enumerate(actors):
        for s, supplier in enumerate(actors):
            if r == s or share[r, s] < MIN_SHARE:
                continue
            (x1, y1), (x2, y2) = where[supplier], where[receiver]
            # Each direction is shifted to its own side, so A->B and B->A do not overlap.
            length = math.hypot(x2 - x1, y2 - y1) or 1.0
            nx, ny = -(y2 - y1) / length * 0.012, (x2 - x1) / length * 0.012
            edges.append({
                "supplier": supplier, "receiver": receiver, "share": round(float(share[r, s]), 3),
                "control": round(float(controls[s, r]), 2), "trust": round(float(trust[r, s]), 2),
                "trust_class": "trusted (≥ 0.5)" if trust[r, s] >= LOW_TRUST else "low trust (< 0.5)",
                "x": x1 + nx, "y": y1 + ny, "x2": x2 + nx, "y2": y2 + ny,
                "ax": x1 + nx + 0.72 * (x2 - x1), "ay": y1 + ny + 0.72 * (y2 - y1),
                "angle": round(90 - math.degrees(math.atan2(y2 - y1, x2 - x1)), 1),
            })  # fmt: skip
    leaks = []
    for c in (i for i, flag in enumerate(conduit) if flag):
        for r, receiver in enumerate(actors):
            if r != c and leakage[r] > 0.005:
                (x1, y1), (x2, y2) = where[actors[c]], where[receiver]
                leaks.append({"conduit": actors[c], "receiver": receiver, "leakage": round(float(leakage[r]), 3),
                              "label": f"leak {100 * leakage[r]:.0f} %", "x": x1, "y": y1, "x2": x2, "y2": y2,
                              "lx": (x1 + x2) / 2, "ly": (y1 + y2) / 2})  # fmt: skip
    return {"nodes": nodes, "edges": edges, "leaks": leaks}


def network_chart(results: xr.Dataset, conduit: list[bool], sector: str, year: float) -> dict[str, Any]:
    """The network of one sector and year as a Vega-Lite spec (see the module's docstring)."""
    table = network_table(results, conduit, sector, year)
    blocs = list(dict.fromkeys(str(b) for b in results["bloc_of_actor"].values))

    def axis(field: str, low: float, high: float) -> dict[str, Any]:
        return {"field": field, "type": "quantitative", "scale": {"domain": [low, high], "nice": False}, "axis": None}

    xy = {"x": axis("x", -0.05, 1.05), "y": axis("y", -0.02, 1.02)}
    stroke = {"field": "control", "type": "quantitative", "title": ["controls by supplier", "(mean over sectors)"],
              "scale": {"domain": [0, 1], "range": ["#aab7c4", "#c0392b"]}}  # fmt: skip
    layers: list[dict[str, Any]] = [
        {"data": {"values": table["edges"]}, "mark": {"type": "rule"},
         "encoding": {**xy, "x2": {"field": "x2"}, "y2": {"field": "y2"}, "stroke": stroke,
                      "strokeWidth": {"field": "share", "type": "quantitative", "title": "share of receiver's imports",
                                      "scale": {"domain": [0, 0.6], "range": [0.5, 9]}},
                      "strokeDash": {"field": "trust_class", "type": "nominal", "title": "receiver's trust in supplier",
                                     "scale": {"domain": ["trusted (≥ 0.5)", "low trust (< 0.5)"],
                                               "range": [[1, 0], [6, 4]]}},
                      "tooltip": [{"field": "supplier"}, {"field": "receiver"}, {"field": "share", "format": ".0%"},
                                  {"field": "control", "format": ".2f"}, {"field": "trust", "format": ".2f"}]}},
        {"data": {"values": table["edges"]},
         "mark": {"type": "point", "shape": "triangle-up", "filled": True, "size": 60},
         "encoding": {"x": {**xy["x"], "field": "ax"}, "y": {**xy["y"], "field": "ay"},
                      "angle": {"field": "angle", "type": "quantitative", "scale": None},
                      "fill": {**stroke, "legend": None}}},
        {"data": {"values": table["leaks"]}, "mark": {"type": "rule", "color": "#8e44ad", "strokeDash": [2, 3],
                                                      "strokeWidth": 2.5},
         "encoding": {**xy, "x2": {"field": "x2"}, "y2": {"field": "y2"},
                      "tooltip": [{"field": "conduit"}, {"field": "receiver"}, {"field": "leakage", "format": ".0%"}]}},
        {"data": {"values": table["leaks"]}, "mark": {"type": "text", "color": "#8e44ad", "fontSize": 11, "dy": -7},
         "encoding": {"x": {**xy["x"], "field": "lx"}, "y": {**xy["y"], "field": "ly"}, "text": {"field": "label"}}},
        {"data": {"values": table["nodes"]}, "mark": {"type": "circle", "opacity": 1, "stroke": "black"},
         "encoding": {**xy,
                      "size": {"field": "capability", "type": "quantitative", "title": f"capability in {sector}",
                               "scale": {"range": [80, 1400]}, "legend": {"values": [0.25, 0.5, 1.0]}},
                      "fill": {"field": "bloc", "type": "nominal", "title": "bloc",
                               "scale": {"domain": blocs, "range": [tint(b, i) for i, b in enumerate(blocs)]}},
                      "strokeWidth": {"field": "controls_received", "type": "quantitative", "legend": None,
                                      "scale": {"domain": [0, 1], "range": [0.5, 4]}},
                      "tooltip": [{"field": "actor"}, {"field": "capability", "format": ".2f"},
                                  {"field": "controls_received", "title": "strongest control received"},
                                  {"field": "leakage", "format": ".0%", "title": "closed imports reopened"}]}},
        {"data": {"values": table["nodes"]}, "mark": {"type": "text", "dy": 22, "fontSize": 11},
         "encoding": {**xy, "text": {"field": "actor"}}},
    ]  # fmt: skip
    stamp = f"{float(year):.0f}"
    return {
        "$schema": SCHEMA,
        "title": {"text": f"Who supplies whom: {sector}, {stamp} (medians over runs)", "fontSize": 13},
        "usermeta": {"aspect": 0.62, "stamp": f"{sector} {stamp}", "padding": 300},
        "layer": layers,
        "config": {"view": {"stroke": None}},
    }

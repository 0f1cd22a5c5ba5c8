"""The dashboard's view of a robust policy search (``decoupling optimize``): read, draw, apply.

``load`` reads a search folder; ``parallel_chart`` draws its Pareto set as parallel
coordinates (each axis scaled to its range: the levers' ranges from the spec, the
objectives' from the set); ``dashboard_levers`` turns a chosen policy into the page's lever
values. A lever that is not one of the page's (a dotted path other than the page's
parameters) cannot be applied and is named.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from sim.dashboard.charts import SCHEMA
from sim.dashboard.levers import BY_KEY
from sim.sweep.worker import PARAMETER_PREFIX


def load(folder: str | Path) -> tuple[dict[str, Any], pd.DataFrame]:
    """(the search's spec as a dict, its Pareto table); a ``ScenarioError`` if the folder is not a search."""
    from sim.policy import open_search

    search = open_search(Path(folder).expanduser())
    return search.manifest["spec"], search.pareto


def axes(spec: dict[str, Any]) -> list[tuple[str, str]]:
    """(column, label) of each parallel axis: the levers, then the re-evaluated robust objectives."""
    levers = [(name, name) for name in spec["levers"]]
    objectives = [(f"reeval:{o['name']}", f"{o['name']} ({o['direction'][:3]})") for o in spec["objectives"]]
    return levers + objectives


def parallel_chart(spec: dict[str, Any], pareto: pd.DataFrame, chosen: int | None = None) -> dict[str, Any]:
    """Parallel coordinates of the Pareto set, one line per policy; the chosen policy drawn thick."""
    rows = []
    for column, label in axes(spec):
        values = pareto[column].astype(float)
        if column in spec["levers"]:
            low, high = float(spec["levers"][column]["low"]), float(spec["levers"][column]["high"])
        else:
            low, high = float(values.min()), float(values.max())
        span = high - low if high > low else 1.0
        for policy, value in zip(pareto["policy"], values, strict=True):
            rows.append({"axis": label, "policy": int(policy), "value": round(float(value), 4),
                         "scaled": (float(value) - low) / span, "chosen": int(policy) == chosen})  # fmt: skip
    order = [label for _, label in axes(spec)]
    encoding = {
        "x": {"field": "axis", "type": "nominal", "sort": order, "title": None, "axis": {"labelAngle": 0}},
        "y": {"field": "scaled", "type": "quantitative", "title": "position within the axis's range (0-1)"},
        "detail": {"field": "policy", "type": "nominal"},
        "tooltip": [{"field": "policy"}, {"field": "axis"}, {"field": "value"}],
    }
    return {
        "$schema": SCHEMA,
        "title": {"text": f"{spec['name']}: Pareto policies (levers | re-evaluated robust objectives)", "fontSize": 13},
        "usermeta": {"aspect": 0.38, "stamp": f"policies {chosen if chosen is not None else ''}".strip()},
        "data": {"values": rows},
        "layer": [
            {"mark": {"type": "line", "opacity": 0.55, "strokeWidth": 1.5},
             "encoding": {**encoding, "color": {"field": "policy", "type": "quantitative", "legend": None,
                                                "scale": {"scheme": "viridis"}}}},
            {"transform": [{"filter": "datum.chosen"}], "mark": {"type": "line", "color": "#c0392b", "strokeWidth": 4},
             "encoding": encoding},
            {"mark": {"type": "rule", "color": "black", "strokeWidth": 0.5}, "encoding": {"x": encoding["x"]}},
        ],
    }  # fmt: skip


def dashboard_levers(spec: dict[str, Any], row: pd.Series) -> tuple[dict[str, float], list[str]]:
    """({page lever: value}, [levers the page has no control for]) of one Pareto row."""
    applied, missing = {}, []
    for name in spec["levers"]:
        key = name.removeprefix(PARAMETER_PREFIX)
        if key in BY_KEY:
            applied[key] = float(row[name])
        else:
            missing.append(name)
    return applied, missing

"""Map observations onto model runs and score how well the model predicts them.

Rows up to ``until`` form the calibration window: operators with ``scale: fit`` are
fitted there (least squares in logs). Rows after it are out of sample: for each, the
table gives the observed value, the median and 5-95 % band of the prediction across runs,
whether the observation lies inside the band, whether the direction of change since the
series' last calibration-window observation is right, and the log error. Rows that
cannot be mapped are listed with the reason; none is dropped silently.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import xarray as xr

from sim.config.schema import Scenario
from sim.observe.data import Observation, Operator
from sim.observe.quantities import quantity


@dataclass(frozen=True)
class MappedRow:
    """An observation with its operator, model actor and sector, and the rows it shares a fitted scale with."""

    obs: Observation
    operator: Operator
    actor: str
    sector: str | None
    group: tuple[str, ...] | None  # rows sharing a fitted scale; None for a fixed scale


def map_rows(
    rows: list[Observation], operators: dict[str, Operator], scenario: Scenario, years: np.ndarray
) -> tuple[list[MappedRow], list[tuple[Observation, str]]]:
    """Split observation rows into those the model can predict and those it cannot (with why)."""
    mapped, unmapped = [], []
    aliases = scenario.history.sector_aliases
    for row in rows:
        operator = operators.get(row.series)
        if operator is None:
            unmapped.append((row, f"no operator for series '{row.series}' in the operators file"))
            continue
        if operator.unmapped:
            unmapped.append((row, operator.unmapped))
            continue
        actor = operator.actors.get(row.actor, row.actor)
        names = actor.split("-", 1) if operator.quantity == "pair_cooperation" else [actor]
        missing = [n for n in names if n not in scenario.actors]
        if missing:
            unmapped.append((row, f"actor '{missing[0]}' is not a model actor (map it under 'actors' in the operator)"))
            continue
        sector = aliases.get(row.sector, row.sector) if operator.sector_from_row else operator.sector
        if sector is not None and sector not in scenario.sectors:
            unmapped.append((row, f"sector '{sector}' is not a model sector"))
            continue
        if not np.any(np.isclose(years, row.year)):
            unmapped.append((row, f"year {row.year} is outside the simulated years {years[0]:g}-{years[-1]:g}"))
            continue
        if row.value <= 0:
            unmapped.append((row, "value is not positive (scores use log errors)"))
            continue
        group = None
        if operator.scale == "fit":
            # Per actor as observed (two firms of one country keep separate scales).
            group = (row.series, row.actor) if operator.fit_per_actor else (row.series,)
        mapped.append(MappedRow(row, operator, actor, sector, group))
    return mapped, unmapped


def predictions(ds: xr.Dataset, rows: list[MappedRow]) -> np.ndarray:
    """Model quantity of each mapped row in each run: (rows, runs), before scaling.

    Each distinct (quantity, actor, sector) is computed once, as a (run, year) array, so
    memory and time grow with the number of distinct series, not of rows.
    """
    out = np.zeros((len(rows), ds.sizes["run"]))
    series: dict[tuple[str, str, str | None], xr.DataArray] = {}
    for i, r in enumerate(rows):
        key = (str(r.operator.quantity), r.actor, r.sector)
        if key not in series:
            series[key] = quantity(ds, *key)
        out[i] = series[key].sel(year=r.obs.year).values
    return out


def log_scales(rows: list[MappedRow], raw: np.ndarray, until: float) -> tuple[np.ndarray, list[int]]:
    """Log scale factor of each row, (rows, runs): fixed, or fitted on the window per group and run.

    Returns the scales and the indices of rows whose group has no calibration-window row.
    """
    logs = np.log(np.maximum(raw, 1e-300))
    observed = np.log([r.obs.value for r in rows])
    scales = np.zeros_like(logs)
    unfit = []
    groups: dict[tuple, list[int]] = {}
    for i, row in enumerate(rows):
        if row.group is None:
            scales[i] = np.log(float(row.operator.scale))
        else:
            groups.setdefault(row.group, []).append(i)
    for members in groups.values():
        window = [i for i in members if rows[i].obs.year <= until]
        if not window:
            unfit.extend(members)
            continue
        fitted = (observed[window, None] - logs[window]).mean(axis=0)
        scales[members] = fitted
    return scales, unfit


@dataclass
class Hindcast:
    """Per-row hindcast table, unmapped rows with reasons, and the summary scores."""

    table: pd.DataFrame
    unmapped: pd.DataFrame
    scores: dict[str, float]


def hindcast(
    ds: xr.Dataset, scenario: Scenario, observations: list[Observation], operators: dict[str, Operator], until: float
) -> Hindcast:
    """Score a scenario against observations after the calibration window."""
    mapped, unmapped = map_rows(observations, operators, scenario, ds["year"].values)
    raw = predictions(ds, mapped)
    scales, unfit_rows = log_scales(mapped, raw, until)
    unfit = set(unfit_rows)
    unmapped += [
        (mapped[i].obs, f"no observation of this series up to {until:g} to fit its scale") for i in sorted(unfit)
    ]
    keep = [i for i in range(len(mapped)) if i not in unfit]
    predicted = np.exp(np.log(np.maximum(raw[keep], 1e-300)) + scales[keep])
    records = []
    for row, values in zip([mapped[i] for i in keep], predicted, strict=True):
        o = row.obs
        low, mid, high = np.quantile(values, [0.05, 0.5, 0.95])
        records.append(
            {
                "series": o.series,
                "actor": o.actor,
                "sector": o.sector,
                "year": o.year,
                "observed": o.value,
                "unit": o.unit,
                "median": mid,
                "q05": low,
                "q95": high,
                "window": "calibration" if o.year <= until else "out of sample",
                "quantity": row.operator.quantity,
                "line": o.line,
                "source": o.source,
            }
        )
    table = pd.DataFrame(
        records,
        columns=[
            "series",
            "actor",
            "sector",
            "year",
            "observed",
            "unit",
            "median",
            "q05",
            "q95",
            "window",
            "quantity",
            "line",
            "source",
        ],
    )
    table = add_judgements(table)
    unmapped_table = pd.DataFrame(
        [
            {"series": o.series, "actor": o.actor, "year": o.year, "line": o.line, "reason": reason}
            for o, reason in unmapped
        ],
        columns=["series", "actor", "year", "line", "reason"],
    )
    return Hindcast(table, unmapped_table, scores(table))


def add_judgements(table: pd.DataFrame) -> pd.DataFrame:
    """Inside the 90 % band, log error, and direction of change since the last window observation."""
    table = table.copy()
    table["inside_band"] = (table["observed"] >= table["q05"]) & (table["observed"] <= table["q95"])
    table["log_error"] = np.log(table["median"]) - np.log(table["observed"])
    observed_direction, predicted_direction = [], []
    for _, row in table.iterrows():
        earlier = table[
            (table["series"] == row["series"])
            & (table["actor"] == row["actor"])
            & (table["window"] == "calibration")
            & (table["year"] < row["year"])
        ]
        if row["window"] != "out of sample" or earlier.empty:
            observed_direction.append(np.nan)
            predicted_direction.append(np.nan)
            continue
        last = earlier.sort_values("year").iloc[-1]
        observed_direction.append(np.sign(row["observed"] - last["observed"]))
        predicted_direction.append(np.sign(row["median"] - last["median"]))
    table["observed_direction"] = observed_direction
    table["predicted_direction"] = predicted_direction
    countable = table["observed_direction"].notna() & (table["observed_direction"] != 0)
    table["direction_right"] = np.where(countable, table["observed_direction"] == table["predicted_direction"], np.nan)
    return table


def scores(table: pd.DataFrame) -> dict[str, float]:
    """Out-of-sample scores: share inside the 90 % band, share of directions right, median |log error|."""
    test = table[table["window"] == "out of sample"]
    directions = test["direction_right"].dropna()
    return {
        "rows_out_of_sample": float(len(test)),
        "share_inside_90_band": float(test["inside_band"].mean()) if len(test) else float("nan"),
        "share_directions_right": float(directions.mean()) if len(directions) else float("nan"),
        "directions_counted": float(len(directions)),
        "median_abs_log_error": float(test["log_error"].abs().median()) if len(test) else float("nan"),
    }

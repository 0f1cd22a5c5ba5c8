"""The MORDM loop: search, re-evaluate the Pareto set on a fresh ensemble, explain its failures.

    from sim.policy import optimize, open_search
    result = optimize("policy_search/west_export_controls.yaml", "results/west", nfe=2000, workers=2)
    result.pareto, result.convergence, result.vulnerabilities

Files written to the output folder:

* ``pareto.csv``: one row per policy of the final ε-archive: its levers, the robust
  objective values found in the search (``search:NAME``), re-evaluated on the fresh
  ensemble (``reeval:NAME``), and the re-evaluated regret (``regret_mean:NAME``,
  ``regret_p90:NAME``, against the best Pareto policy in each scenario);
* ``convergence.csv``: generation, nfe, ε-progress, archive size, hypervolume;
* ``reevaluation.parquet``: every Pareto policy × fresh scenario: uncertainties and outcomes;
* ``vulnerabilities.csv``: PRIM boxes on the uncertainties where a policy misses an
  objective's threshold;
* ``manifest.json``, ``checkpoint.pkl`` (for ``--resume``), and plots: ``parallel.png``
  (parallel coordinates of the Pareto set), ``convergence.png``, ``tradeoff.png``.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from sim.config.errors import ScenarioError, did_you_mean
from sim.config.loader import load_scenario
from sim.policy.evaluate import Pool, available, sample_ensemble, simulate
from sim.policy.robustness import regret, robust_value, search_direction
from sim.policy.search import (
    CHECKPOINT,
    PolicyEvaluator,
    archive_table,
    hypervolumes,
    load_state,
    new_state,
    outcome_names,
    run_search,
)
from sim.policy.spec import PolicySpec, load_policy_spec, locate
from sim.sweep.store import write_parquet

MANIFEST = "manifest.json"


@dataclass(frozen=True)
class PolicySearch:
    """A finished search read back: its tables and manifest."""

    folder: Path
    pareto: pd.DataFrame
    convergence: pd.DataFrame
    vulnerabilities: pd.DataFrame
    manifest: dict

    @property
    def reevaluation(self) -> pd.DataFrame:
        """Every Pareto policy × fresh scenario (read on demand: it is the largest file)."""
        return pd.read_parquet(self.folder / "reevaluation.parquet")


def open_search(folder: str | Path) -> PolicySearch:
    """Read a search folder written by ``optimize``."""
    folder = Path(folder)
    if not (folder / MANIFEST).is_file() or not (folder / "pareto.csv").is_file():
        raise ScenarioError("not a finished policy search (no manifest.json and pareto.csv)", str(folder))
    return PolicySearch(
        folder,
        pd.read_csv(folder / "pareto.csv"),
        pd.read_csv(folder / "convergence.csv"),
        pd.read_csv(folder / "vulnerabilities.csv"),
        json.loads((folder / MANIFEST).read_text()),
    )


def _check_outcomes(spec: PolicySpec, spec_path: Path, base) -> None:
    """Every objective and constraint names an outcome the model gives (a located error otherwise)."""
    pilot = sample_ensemble(spec, 2, spec.seed)
    names = available(simulate([base], pilot, Pool(1))[0])
    sections = (
        ("objectives", [o.outcome for o in spec.objectives]),
        ("constraints", [c.outcome for c in spec.constraints]),
    )
    for section, outcomes in sections:
        for i, outcome in enumerate(outcomes):
            if outcome not in names:
                source, line = locate(spec_path, (section, i, "outcome"))
                raise ScenarioError(
                    f"unknown outcome '{outcome}'" + did_you_mean(outcome, names),
                    source,
                    (section, i, "outcome"),
                    line,
                )


def _digest(spec: PolicySpec, scenario_json: str, seed: int) -> str:
    text = spec.model_dump_json(exclude={"search"}) + scenario_json + str(seed)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def optimize(
    spec_file: str | Path,
    out: str | Path,
    *,
    nfe: int | None = None,
    workers: int = 1,
    dask: str | None = None,
    resume: bool = False,
    seed: int | None = None,
    progress: Callable[[int, int], None] | None = None,
    stop_after: int | None = None,
) -> PolicySearch:
    """Run (or resume) a robust policy search into ``out``; see the module's docstring.

    ``stop_after`` stops after that many generations (a killed search, for tests).
    """
    spec_path = Path(spec_file)
    spec, folder = load_policy_spec(spec_path)
    base = load_scenario(folder / spec.scenario)
    seed = spec.seed if seed is None else seed
    nfe = nfe or spec.search.nfe
    out = Path(out)
    digest = _digest(spec, base.model_dump_json(), seed)
    if resume:
        if not (out / CHECKPOINT).is_file():
            raise ScenarioError("nothing to resume: no checkpoint in this folder", str(out))
        manifest = json.loads((out / MANIFEST).read_text())
        if manifest.get("content_hash") != digest:
            raise ScenarioError("the spec, its scenario or the seed changed since this search started", str(out))
    elif out.exists() and any(out.iterdir()):
        raise ScenarioError("the folder is not empty: choose a new one, or --resume a search", str(out))
    _check_outcomes(spec, spec_path, base)
    out.mkdir(parents=True, exist_ok=True)
    manifest = {
        "name": spec.name,
        "spec_file": str(spec_path),
        "spec": json.loads(spec.model_dump_json()),
        "scenario": base.name,
        "seed": seed,
        "nfe": nfe,
        "content_hash": digest,
        "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    }
    (out / MANIFEST).write_text(json.dumps(manifest, indent=1))
    ensemble = sample_ensemble(spec, spec.ensemble.scenarios, seed)
    started = time.perf_counter()
    with Pool(workers, dask) as pool:
        evaluate = PolicyEvaluator(spec, base, ensemble, pool, str(spec_path))
        state = load_state(out) if resume else new_state(spec, seed)
        state = run_search(state, evaluate, nfe, out, progress, stop_after)
        search_seconds = time.perf_counter() - started
        levers, objectives = archive_table(state, spec)
        fresh = sample_ensemble(spec, spec.reevaluation.scenarios, spec.reevaluation.seed)
        again = PolicyEvaluator(spec, base, fresh, pool, str(spec_path))
        reevaluated = again(levers)
    pareto = _pareto_table(spec, levers, objectives, reevaluated.values)
    pareto.to_csv(out / "pareto.csv", index=False)
    convergence = pd.DataFrame(state.convergence)
    convergence["hypervolume"] = hypervolumes(state, spec)
    convergence.to_csv(out / "convergence.csv", index=False)
    write_parquet(_reevaluation_table(spec, fresh.frame(), reevaluated.values), out / "reevaluation.parquet")
    vulnerabilities = _vulnerabilities(spec, pareto, fresh.frame(), reevaluated.values)
    vulnerabilities.to_csv(out / "vulnerabilities.csv", index=False)
    runs = state.runs + again.runs
    seconds = time.perf_counter() - started
    manifest.update(
        policies=len(pareto),
        evaluations=int(state.algorithm.nfe),
        runs_simulated=int(runs),
        search_runs=int(state.runs),
        seconds=round(seconds, 1),
        search_seconds=round(search_seconds, 1),
        files=["pareto.csv", "convergence.csv", "reevaluation.parquet", "vulnerabilities.csv", "parallel.png",
               "convergence.png", "tradeoff.png", CHECKPOINT],
    )  # fmt: skip
    (out / MANIFEST).write_text(json.dumps(manifest, indent=1))
    from sim.policy.plots import save_plots

    save_plots(spec, pareto, convergence, np.vstack(state.evaluated), out)
    return open_search(out)


def _pareto_table(spec: PolicySpec, levers: np.ndarray, objectives: np.ndarray, values: np.ndarray) -> pd.DataFrame:
    names = outcome_names(spec)
    column = {name: i for i, name in enumerate(names)}
    table = pd.DataFrame(levers, columns=list(spec.levers))
    table.insert(0, "policy", np.arange(len(table)))
    for j, o in enumerate(spec.objectives):
        outcome = values[:, :, column[o.outcome]]
        table[f"search:{o.name}"] = objectives[:, j]
        table[f"reeval:{o.name}"] = robust_value(outcome, o.robustness, o.direction)
        loss = regret(outcome, o.direction)
        table[f"regret_mean:{o.name}"] = loss.mean(axis=1)
        table[f"regret_p90:{o.name}"] = np.percentile(loss, 90, axis=1)
    first = spec.objectives[0]
    ascending = search_direction(first.robustness, first.direction) == "minimize"  # best first
    return table.sort_values(f"reeval:{first.name}", ascending=ascending, kind="stable").reset_index(drop=True)


def _reevaluation_table(spec: PolicySpec, scenarios: pd.DataFrame, values: np.ndarray) -> pd.DataFrame:
    names = outcome_names(spec)
    p, n, _ = values.shape
    frame = pd.DataFrame(values.reshape(p * n, -1), columns=names)
    frame.insert(0, "scenario", np.tile(np.arange(n), p))
    frame.insert(0, "policy", np.repeat(np.arange(p), n))
    unc = scenarios.reset_index(drop=True)
    for column in unc.columns:
        frame[column] = np.tile(unc[column].to_numpy(), p)
    return frame


def _vulnerabilities(
    spec: PolicySpec, pareto: pd.DataFrame, scenarios: pd.DataFrame, values: np.ndarray
) -> pd.DataFrame:
    """PRIM boxes of the scenarios where each of the first policies misses an objective's threshold."""
    from sim.analysis.discovery import prim_box

    columns = ["policy", "failure", "failure_rate", "coverage", "density", "mass", "parameter", "low", "high",
               "full_low", "full_high", "note"]  # fmt: skip
    names = outcome_names(spec)
    thresholds = [o for o in spec.objectives if o.threshold is not None]
    rows: list[dict] = []
    if not thresholds or scenarios.shape[1] == 0:
        return pd.DataFrame(columns=columns)
    x = scenarios.reset_index(drop=True).astype(float)
    for order in range(min(spec.vulnerabilities.policies, len(pareto))):
        p = int(pareto["policy"].iloc[order])
        failed = np.zeros(values.shape[1], dtype=bool)
        parts = []
        for o in thresholds:
            v = values[p, :, names.index(o.outcome)]
            miss = v > o.threshold if o.direction == "minimize" else v < o.threshold
            failed |= miss | np.isnan(v)
            parts.append(f"{o.outcome} {'>' if o.direction == 'minimize' else '<'} {o.threshold:g}")
        failure = " or ".join(parts)
        base = {"policy": p, "failure": failure, "failure_rate": float(failed.mean())}
        if failed.sum() < 3 or (~failed).sum() < 3:
            rows.append({**base, "note": "too few failures or successes for PRIM"})
            continue
        box = prim_box(x, failed, failure, spec.vulnerabilities.min_density)
        stats = {"coverage": box.coverage, "density": box.density, "mass": box.mass}
        if box.limits.empty:
            rows.append({**base, **stats, "note": "no restricting box"})
        for limit in box.limits.itertuples(index=False):
            rows.append({**base, **stats, **limit._asdict(), "note": ""})
    return pd.DataFrame(rows, columns=columns)

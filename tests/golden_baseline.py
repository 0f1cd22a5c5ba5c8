"""The golden baseline: a fixed summary of the baseline scenario, compared on every test run.

Refresh it only on purpose, after a change that is meant to alter results:

    python -m tests.golden_baseline --refresh

and say in the commit message why the numbers moved.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

import sim
from tests.conftest import BASELINE

PATH = Path(__file__).parent / "golden" / "baseline.json"
RUNS, SEED, YEARS = 50, 42, (2020, 2025, 2035, 2050)


def summarise() -> dict:
    ds = sim.run(BASELINE, runs=RUNS, seed=SEED)
    summary: dict[str, float] = {}
    rel = ds["relative_to_reference"].astype(np.float64).median("run")
    for actor in ("China", "Russia", "European Union", "Taiwan"):
        for sector in ds["sector"].values:
            for year in YEARS:
                summary[f"relative/{actor}/{sector}/{year}"] = float(rel.sel(actor=actor, sector=sector, year=year))
    index = ds["bloc_index"].astype(np.float64).median("run")
    for bloc in ds["bloc"].values:
        for year in YEARS:
            summary[f"bloc_index/{bloc}/{year}"] = float(index.sel(bloc=bloc, year=year))
    for year in YEARS:
        summary[f"decoupling/{year}"] = float(ds["decoupling_index"].sel(year=year).median())
        summary[f"trust/Russia-China/{year}"] = float(
            ds["trust"].sel(actor="Russia", partner="China", year=year).median()
        )
    summary["p_parity/China/ai/2050"] = float(ds["p_parity"].sel(actor="China", sector="ai", year=2050))
    summary["capability_sum_run0"] = float(ds["capability"].isel(run=0).astype(np.float64).sum())
    return summary


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--refresh", action="store_true", help="overwrite the stored golden summary")
    args = parser.parse_args()
    if not args.refresh:
        parser.error("pass --refresh to overwrite tests/golden/baseline.json on purpose")
    PATH.parent.mkdir(exist_ok=True)
    PATH.write_text(json.dumps({"runs": RUNS, "seed": SEED, "summary": summarise()}, indent=1, sort_keys=True) + "\n")
    print(f"wrote {PATH}")


if __name__ == "__main__":
    main()

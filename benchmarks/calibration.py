"""Wall time and peak memory of ``decoupling calibrate`` (ABC-SMC) on the shipped data.

    python benchmarks/calibration.py                       # 50,000 simulations, until 2021
    python benchmarks/calibration.py --simulations 100000 --until 2019

Runs the command in a child process (so its peak resident memory is its own) and prints
the figures with the machine, Python and package versions. Record results in
docs/performance.md. The issue's bound: at least 50,000 simulations within 15 minutes on
two cores.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

from sim.observe.calibrate import pilot_size
from sim.results import package_versions

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--simulations", type=int, default=50_000)
    parser.add_argument("--particles", type=int, default=1000)
    parser.add_argument("--until", type=int, default=2021)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as out:
        command = [
            sys.executable, "-m", "sim", "calibrate", str(ROOT / "scenarios" / "baseline.yaml"),
            "--until", str(args.until), "--simulations", str(args.simulations),
            "--particles", str(args.particles), "--seed", "2021", "-o", out,
        ]  # fmt: skip
        start = time.perf_counter()
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
        wall = time.perf_counter() - start
        peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024  # KiB on Linux
        generations = pd.read_csv(Path(out) / "generations.csv")
    done = int(generations["simulations"].sum()) + pilot_size(args.simulations)
    print(
        json.dumps(
            {
                "simulations_budget": args.simulations,
                "simulations_done": done,
                "generations": len(generations),
                "final_tolerance": round(float(generations["epsilon"].iloc[-1]), 4),
                "wall_seconds": round(wall, 1),
                "simulations_per_second": round(done / wall, 1),
                "peak_rss_mib": round(peak),
                "cores": os.cpu_count(),
                "machine": platform.machine(),
                "versions": package_versions(),
            },
            indent=1,
        )
    )


if __name__ == "__main__":
    main()

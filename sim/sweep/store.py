"""The on-disk store of a sweep: one folder, resumable, written chunk by chunk.

```
SWEEP_DIR/
  manifest.json            resolved sweep, base scenario, design summary, seeds, versions, content hash
  design.parquet           one row per design point (values, and unit-cube coordinates if sampled)
  runs/chunk-000042.parquet  one row per run: run, point, replication, seed, stream, status, reason, outcomes,
                           and posterior.NAME: the parameters the run drew from the scenario's posterior
  trajectories/chunk-000042.nc  optional, float32
```

Every file is written under a temporary name and renamed into place, so a killed sweep
leaves only whole chunks; ``--resume`` runs the chunks that are missing.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.config.errors import ScenarioError

CHUNK_FILE = "chunk-{:06d}.parquet"


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write a file under a temporary name, then rename it, so no reader sees half a file."""
    partial = path.with_name(f".{path.name}.{os.getpid()}.partial")
    partial.write_bytes(data)
    partial.replace(path)


def write_parquet(frame: pd.DataFrame, path: Path) -> None:
    """Write a table to Parquet atomically."""
    partial = path.with_name(f".{path.name}.{os.getpid()}.partial")
    frame.to_parquet(partial, index=False)
    partial.replace(path)


class SweepStore:
    """Read and write one sweep folder."""

    def __init__(self, folder: str | Path) -> None:
        self.folder = Path(folder)
        self.runs_folder = self.folder / "runs"
        self.trajectories_folder = self.folder / "trajectories"

    @property
    def manifest_path(self) -> Path:
        """Path of the sweep's manifest."""
        return self.folder / "manifest.json"

    def exists(self) -> bool:
        """Whether the folder already holds a sweep."""
        return self.manifest_path.is_file()

    def create(self, manifest: dict[str, Any], design: pd.DataFrame, overwrite: bool) -> None:
        """Start a sweep folder: manifest and design, refusing to replace one unless ``overwrite``."""
        if self.folder.exists() and any(self.folder.iterdir()):
            if not overwrite:
                raise ScenarioError(
                    "already holds a sweep; pass --resume to finish it or --overwrite to replace it", str(self.folder)
                )
            import shutil

            shutil.rmtree(self.folder)
        self.runs_folder.mkdir(parents=True, exist_ok=True)
        self.trajectories_folder.mkdir(exist_ok=True)
        write_parquet(design, self.folder / "design.parquet")
        atomic_write_bytes(self.manifest_path, (json.dumps(manifest, indent=1, default=_json_default) + "\n").encode())

    def manifest(self) -> dict[str, Any]:
        """The sweep's manifest (resolved sweep, scenario, design, seeds, versions, hash)."""
        try:
            return json.loads(self.manifest_path.read_text())
        except FileNotFoundError:
            raise ScenarioError("no sweep here (manifest.json missing)", str(self.folder)) from None
        except json.JSONDecodeError as exc:
            raise ScenarioError(f"manifest.json is not valid JSON ({exc.msg})", str(self.manifest_path)) from None

    def completed_chunks(self) -> set[int]:
        """Numbers of the chunks whose results are written."""
        done = set()
        for path in self.runs_folder.glob("chunk-*.parquet"):
            try:
                done.add(int(path.stem.split("-")[1]))
            except (IndexError, ValueError):
                continue
        return done

    def remove_partials(self) -> None:
        """Delete files left half-written by an interrupted run."""
        for folder in (self.folder, self.runs_folder, self.trajectories_folder):
            for path in folder.glob(".*.partial"):
                path.unlink(missing_ok=True)

    def write_chunk(self, frame: pd.DataFrame, chunk: int) -> None:
        """Write one chunk's per-run outcomes."""
        write_parquet(frame, self.runs_folder / CHUNK_FILE.format(chunk))

    def trajectory_path(self, chunk: int) -> Path:
        """Path of one chunk's trajectories file."""
        return self.trajectories_folder / f"chunk-{chunk:06d}.nc"


def _json_default(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    return str(value)


@dataclass
class Sweep:
    """A sweep read back from its folder (``sim.open_sweep``).

    Attributes:
        folder: the sweep folder; manifest: its manifest; design: one row per design point;
        runs: one row per run (design values joined in), sorted by run.
    """

    folder: Path
    manifest: dict[str, Any]
    design: pd.DataFrame
    runs: pd.DataFrame

    @property
    def outcome_names(self) -> list[str]:
        """Names of the per-run outcome columns."""
        return [c for c in self.runs.columns if "/" in c]

    @property
    def varied(self) -> list[str]:
        """The dotted paths the design varies."""
        return list(self.manifest["design"]["varied"])

    def trajectories(self):
        """The trajectories of all chunks as one lazy ``xarray.Dataset`` (dask-backed)."""
        import xarray as xr

        files = sorted((self.folder / "trajectories").glob("chunk-*.nc"))
        if not files:
            raise ScenarioError("this sweep stored no trajectories (run it with --trajectories)", str(self.folder))
        return xr.open_mfdataset(
            files,
            combine="nested",
            concat_dim="run",
            engine="netcdf4",
            data_vars="minimal",
            coords="minimal",
            compat="override",
            join="override",
        )


def open_sweep(folder: str | Path) -> Sweep:
    """Open a sweep folder: manifest, design and runs table (trajectories on demand)."""
    store = SweepStore(folder)
    manifest = store.manifest()
    design = pd.read_parquet(store.folder / "design.parquet")
    files = sorted(store.runs_folder.glob("chunk-*.parquet"))
    if files:
        runs = pd.concat([pd.read_parquet(f) for f in files], ignore_index=True).sort_values("run")
    else:
        runs = pd.DataFrame(columns=["run", "point", "replication", "seed", "stream", "status", "reason"])
    varied = [c for c in design.columns if not c.startswith("unit:")]
    runs = runs.merge(design[varied], left_on="point", right_index=True, how="left").reset_index(drop=True)
    return Sweep(store.folder, manifest, design, runs)

"""Sweeps at scale: designs, chunked execution (serial, processes, Dask), a resumable store."""

from sim.sweep.runner import run_sweep
from sim.sweep.spec import SweepSpec, load_sweep
from sim.sweep.store import Sweep, open_sweep

__all__ = ["Sweep", "SweepSpec", "load_sweep", "open_sweep", "run_sweep"]

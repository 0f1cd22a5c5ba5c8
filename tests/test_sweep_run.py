"""Running sweeps: identical results across executors and chunk sizes, resume after
SIGKILL, failed runs recorded without stopping the sweep, outcomes equal to the metrics."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import numpy as np
import pytest
import yaml

import sim
from sim.cli import main
from sim.config import ScenarioError
from sim.sweep import open_sweep, run_sweep
from tests.conftest import BASELINE, ROOT, cpu_exclusive

SHORT = {"time.horizon": 2030}


def _write(tmp_path, name="sweep.yaml", **body):
    data = {"scenario": str(BASELINE), "seed": 3, **body}
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


def _outcomes(folder):
    runs = open_sweep(folder).runs
    columns = [c for c in runs.columns if "/" in c]
    return runs, runs[columns].to_numpy()


@pytest.fixture(scope="module")
def grid_file(tmp_path_factory):
    folder = tmp_path_factory.mktemp("grid")
    return _write(
        folder,
        design={"kind": "grid"},
        replications=3,
        common_random_numbers=True,
        parameters={"parameters.leak_quality": [0.3, 0.9], "parameters.gestation": [2.0, 6.0], "time.horizon": 2032},
    )


@pytest.fixture(scope="module")
def reference_folder(grid_file, tmp_path_factory):
    out = tmp_path_factory.mktemp("ref") / "sweep"
    run_sweep(grid_file, out, workers=1, chunk_size=100)
    return out


@pytest.fixture(scope="module")
def reference(reference_folder):
    return _outcomes(reference_folder)


def test_sweep_writes_manifest_design_and_runs(reference_folder, reference):
    runs, values = reference
    manifest = open_sweep(reference_folder).manifest
    assert manifest["runs"] == 12 and manifest["design"]["varied"] == [
        "parameters.leak_quality",
        "parameters.gestation",
    ]
    assert len(manifest["content_hash"]) == 64 and "mesa" in manifest["package_versions"]
    assert len(runs) == 12 and (runs["status"] == "ok").all()
    assert list(runs["run"]) == list(range(12))
    assert list(runs["replication"]) == [0, 1, 2] * 4
    measured = [c for c in runs.columns if c.startswith(("rel/", "bloc_ratio/", "decoupling/"))]
    assert measured and np.isfinite(runs[measured].to_numpy()).all()


@pytest.mark.parametrize("chunk_size", [1, 5])
def test_chunk_size_does_not_change_results(grid_file, reference, tmp_path, chunk_size):
    run_sweep(grid_file, tmp_path / "s", workers=1, chunk_size=chunk_size)
    assert np.array_equal(_outcomes(tmp_path / "s")[1], reference[1], equal_nan=True)


def test_process_pool_gives_identical_results(grid_file, reference, tmp_path):
    with cpu_exclusive():
        run_sweep(grid_file, tmp_path / "s", workers=2, chunk_size=4)
    assert np.array_equal(_outcomes(tmp_path / "s")[1], reference[1], equal_nan=True)


@pytest.mark.slow
def test_dask_local_cluster_gives_identical_results(grid_file, reference, tmp_path):
    pytest.importorskip("distributed")
    with cpu_exclusive():
        run_sweep(grid_file, tmp_path / "s", workers=2, chunk_size=3, dask="local")
    assert np.array_equal(_outcomes(tmp_path / "s")[1], reference[1], equal_nan=True)


def test_replications_share_random_numbers_across_points(reference):
    """Common random numbers: with leak quality irrelevant before controls, the same replication at
    two design points differs less than two replications at one point."""
    runs, _ = reference
    column = "rel/China/ai/2030"
    by = runs.set_index(["point", "replication"])[column]
    across_points = abs(by[(0, 0)] - by[(1, 0)])
    across_replications = abs(by[(0, 0)] - by[(0, 1)])
    assert across_points < across_replications


def test_runs_have_their_own_streams_unless_asked(tmp_path):
    path = _write(
        tmp_path,
        design={"kind": "grid"},
        replications=2,
        parameters={"parameters.leak_quality": [0.3, 0.9], "time.horizon": 2022},
    )
    run_sweep(path, tmp_path / "own", workers=1)
    own = open_sweep(tmp_path / "own").runs
    assert list(own["stream"]) == [0, 1, 2, 3]
    shared = _write(
        tmp_path,
        "shared.yaml",
        design={"kind": "grid"},
        replications=2,
        common_random_numbers=True,
        parameters={"parameters.leak_quality": [0.3, 0.9], "time.horizon": 2022},
    )
    run_sweep(shared, tmp_path / "shared", workers=1)
    assert list(open_sweep(tmp_path / "shared").runs["stream"]) == [0, 1, 0, 1]


def test_outcomes_equal_the_dataset_metrics(tmp_path):
    path = _write(tmp_path, design={"kind": "grid"}, replications=4, parameters={})
    run_sweep(path, tmp_path / "s", workers=1)
    runs = open_sweep(tmp_path / "s").runs
    ds = sim.run(BASELINE, runs=4, seed=3)
    np.testing.assert_allclose(runs["ttp/China/ai"], ds.time_to_parity.sel(actor="China", sector="ai"), equal_nan=True)
    ratio = ds.bloc_index.sel(bloc="China", year=2035) / ds.bloc_index.sel(bloc="West", year=2035)
    np.testing.assert_allclose(runs["bloc_ratio/China/2035"], ratio, rtol=1e-5)
    # Each bloc's own index and GDP equivalent, the West's included (what it keeps, not only its cost).
    np.testing.assert_allclose(runs["bloc_index/West/2050"], ds.bloc_index.sel(bloc="West", year=2050), rtol=1e-5)
    np.testing.assert_allclose(runs["gdp_index/China/2035"], ds.gdp_index.sel(bloc="China", year=2035), rtol=1e-5)


def test_failed_runs_are_recorded_and_the_sweep_goes_on(tmp_path):
    path = _write(
        tmp_path,
        design={"kind": "grid"},
        replications=2,
        parameters={"actors.China.rd_budget": [0.9, -1.0], "parameters.gestation": [0.1, 4.0], "time.horizon": 2030},
    )
    report = run_sweep(path, tmp_path / "s", workers=1, chunk_size=3)
    runs = open_sweep(tmp_path / "s").runs
    assert report["failed"] == 6 and len(runs) == 8
    bad_budget = runs["actors.China.rd_budget"] < 0
    assert (runs.loc[bad_budget, "status"] == "error").all()
    assert runs.loc[bad_budget, "reason"].str.contains("rd_budget").all()
    bad_gestation = (runs["parameters.gestation"] < 0.5) & ~bad_budget
    assert runs.loc[bad_gestation, "reason"].str.contains("gestation").all()
    good = runs["status"] == "ok"
    assert good.sum() == 2 and runs.loc[good, "rel/China/ai/2030"].notna().all()
    assert runs.loc[~good, "rel/China/ai/2030"].isna().all()


def test_existing_store_is_protected_and_resume_checks_the_content(grid_file, tmp_path):
    out = tmp_path / "s"
    run_sweep(grid_file, out, workers=1)
    with pytest.raises(ScenarioError, match="--resume"):
        run_sweep(grid_file, out, workers=1)
    changed = _write(
        tmp_path,
        "changed.yaml",
        design={"kind": "grid"},
        replications=3,
        parameters={"parameters.leak_quality": [0.3, 0.8], "parameters.gestation": [2.0, 6.0], "time.horizon": 2032},
    )
    with pytest.raises(ScenarioError, match="changed since"):
        run_sweep(changed, out, workers=1, resume=True)
    report = run_sweep(grid_file, out, workers=1, resume=True)
    assert report["ran"] == 0


def test_sigkill_mid_sweep_then_resume_gives_the_uninterrupted_result(tmp_path):
    path = _write(
        tmp_path,
        design={"kind": "grid"},
        replications=40,
        parameters={"parameters.leak_quality": [0.3, 0.6, 0.9], "parameters.tie_decay": [0.2, 1.0]},
    )
    whole = tmp_path / "whole"
    run_sweep(path, whole, workers=1, chunk_size=6)
    killed = tmp_path / "killed"
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "sim",
            "sweep",
            str(path),
            "-o",
            str(killed),
            "--workers",
            "1",
            "--chunk-size",
            "6",
            "--quiet",
        ],
        cwd=ROOT,
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and len(list((killed / "runs").glob("chunk-*.parquet"))) < 8:
        time.sleep(0.05)
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    done_before = len(list((killed / "runs").glob("chunk-*.parquet")))
    assert 8 <= done_before < 40, done_before
    assert main(["sweep", str(path), "-o", str(killed), "--resume", "--quiet"]) == 0
    runs_killed, values_killed = _outcomes(killed)
    runs_whole, values_whole = _outcomes(whole)
    assert list(runs_killed["run"]) == list(runs_whole["run"]) == list(range(240))
    assert np.array_equal(values_killed, values_whole, equal_nan=True)
    assert not list(killed.rglob("*.partial"))


def test_trajectories_are_stored_and_open_lazily(tmp_path):
    path = _write(
        tmp_path,
        design={"kind": "grid"},
        replications=2,
        parameters={"parameters.leak_quality": [0.3, 0.9], "time.horizon": 2025},
    )
    run_sweep(path, tmp_path / "s", workers=1, chunk_size=3, trajectories=True)
    sweep = open_sweep(tmp_path / "s")
    traj = sweep.trajectories()
    assert traj.sizes["run"] == 4 and traj["capability"].dtype == np.float32
    assert sorted(traj["run"].values.tolist()) == [0, 1, 2, 3]
    # Run 0 is design point 0 (leak quality 0.3), replication 0: stream 0 of seed 3.
    direct = sim.run(
        sim.load_scenario(BASELINE, {"time.horizon": 2025}), runs=1, seed=3, parameter_table={"leak_quality": [0.3]}
    )
    assert np.array_equal(traj["capability"].sel(run=0).values, direct["capability"].isel(run=0).values)


def test_sweep_cli_errors_are_one_line(tmp_path, capsys):
    assert main(["sweep", str(tmp_path / "none.yaml"), "-o", str(tmp_path / "o")]) == 2
    path = _write(tmp_path, parameters={"parameters.leak_qualty": [0.3, 0.5]})
    assert main(["sweep", str(path), "-o", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 2 and "did you mean 'leak_quality'" in err[1]
    path = _write(tmp_path, "b.yaml", parameters={"actors.Chna.rd_budget": [0.3, 0.5]})
    assert main(["sweep", str(path), "-o", str(tmp_path / "o2")]) == 2
    assert main(["analyze", str(tmp_path / "nothing")]) == 2

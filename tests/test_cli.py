"""The `decoupling` command end to end."""

from __future__ import annotations

import json
import subprocess
import sys

import xarray as xr

from sim.cli import main
from tests.conftest import BASELINE, ROOT


def test_run_writes_all_outputs(tmp_path, capsys):
    out = tmp_path / "out"
    code = main(
        ["run", str(BASELINE), "-o", str(out), "--runs", "20", "--seed", "3", "--set", "parameters.leak_quality=0.8"]
    )
    assert code == 0
    for name in (
        "trajectories.nc",
        "summary.csv",
        "manifest.json",
        "plots/capability_fan.png",
        "plots/bloc_index.png",
        "plots/gap_heatmap.png",
    ):
        assert (out / name).is_file(), name
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["runs"] == 20 and manifest["seed"] == 3
    assert manifest["overrides"] == {"parameters.leak_quality": 0.8}
    assert manifest["scenario"]["parameters"]["leak_quality"] == 0.8
    with xr.open_dataset(out / "trajectories.nc") as ds:
        assert ds.sizes["run"] == 20 and int(ds.attrs["seed"]) == 3
    printed = capsys.readouterr().out
    assert "Bloc index / West" in printed and "semiconductors" in printed


def test_run_refuses_to_overwrite_results(tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["run", str(BASELINE), "-o", str(out), "--runs", "2", "--no-plots", "--quiet"]) == 0
    assert main(["run", str(BASELINE), "-o", str(out), "--runs", "2", "--no-plots", "--quiet"]) == 2
    assert "--overwrite" in capsys.readouterr().err
    assert main(["run", str(BASELINE), "-o", str(out), "--runs", "2", "--no-plots", "--quiet", "--overwrite"]) == 0


def test_validate_ok_and_bad(capsys):
    assert main(["validate", str(BASELINE)]) == 0
    assert "is valid" in capsys.readouterr().out
    assert main(["validate", str(BASELINE), "--set", "runs=0"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "runs" in err[0]


def test_bad_arguments_give_one_line_and_exit_2(capsys):
    for argv in (
        ["run"],
        ["run", str(BASELINE), "--runs", "zero"],
        ["run", str(BASELINE), "--seed", "-3"],
        ["frobnicate"],
        ["run", "missing.yaml"],
        ["run", str(BASELINE), "--set", "noequals"],
    ):
        assert main(argv) == 2, argv
        err = capsys.readouterr().err.strip().splitlines()
        assert len(err) == 1 and err[0].startswith("error: "), (argv, err)


def test_console_script_and_module_entry_points(tmp_path):
    for command in ([sys.executable, "-m", "sim", "validate", str(BASELINE)],):
        result = subprocess.run(command, capture_output=True, text=True, cwd=ROOT)
        assert result.returncode == 0, result.stderr
    bad = subprocess.run(
        [sys.executable, "-m", "sim", "validate", str(tmp_path / "nope.yaml")], capture_output=True, text=True
    )
    assert bad.returncode == 2 and "Traceback" not in bad.stderr and len(bad.stderr.strip().splitlines()) == 1

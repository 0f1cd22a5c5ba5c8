"""Robust policy search: the spec's errors, the robustness metrics, and a small search that is the
same on one worker, two workers and Dask, resumes to the same Pareto set, and writes its files."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from sim.cli import main
from sim.config import ScenarioError
from sim.policy import load_policy_spec, open_search, optimize
from sim.policy.robustness import regret, robust_value
from sim.policy.search import epsilon_merge, score
from sim.policy.spec import Percentile, Satisficing
from tests.conftest import BASELINE, ROOT, cpu_exclusive, one_error_line

SMALL = f"""\
scenario: {BASELINE}
name: small
seed: 3
levers:
  china_hardware: {{low: 0, high: 1}}
  enforcement_response: {{low: 0.1, high: 3}}
objectives:
  - {{name: chips, outcome: rel/China/semiconductors/2035, direction: minimize, epsilon: 0.005, threshold: 0.45}}
  - {{name: cost, outcome: cost/West/2035, direction: minimize, epsilon: 0.02}}
constraints:
  - {{outcome: cost/Neutral/2035, max: 10}}
ensemble:
  scenarios: 6
  uncertainties:
    parameters.leak_quality: {{low: 0.3, high: 0.9}}
    parameters.catch_up_scale: {{low: 0.2, high: 1.4}}
search: {{nfe: 30, population: 6}}
reevaluation: {{scenarios: 12, seed: 9}}
vulnerabilities: {{policies: 2, min_density: 0.5}}
"""


@pytest.fixture
def small_spec(tmp_path):
    path = tmp_path / "small.yaml"
    path.write_text(SMALL)
    return path


@pytest.fixture(scope="module")
def searched(tmp_path_factory):
    """One uninterrupted small search on one worker (shared by the tests that read it)."""
    folder = tmp_path_factory.mktemp("policy")
    (folder / "small.yaml").write_text(SMALL)
    return optimize(folder / "small.yaml", folder / "serial")


def test_the_shipped_specs_validate():
    for path in sorted((ROOT / "policy_search").glob("*.yaml")):
        spec, _ = load_policy_spec(path)
        assert spec.objectives and spec.levers and spec.ensemble.uncertainties


@pytest.mark.parametrize(
    ("text", "fragment", "line"),
    [
        ("  china_hardwre: {low: 0, high: 1}", "unknown lever 'china_hardwre'", 5),
        ("  china_hardware: {low: 0, high: 2}", "within 0-1", 5),
        ("  china_hardware: {low: 1, high: 0}", "must be below high", 5),
    ],
)
def test_a_bad_lever_is_a_located_one_line_error(tmp_path, text, fragment, line):
    path = tmp_path / "bad.yaml"
    path.write_text(SMALL.replace("  china_hardware: {low: 0, high: 1}", text))
    with pytest.raises(ScenarioError) as info:
        load_policy_spec(path)
    message = str(info.value)
    assert fragment in message and f"bad.yaml:{line}" in message and "\n" not in message


def test_uncertainties_must_be_model_parameters(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text(SMALL.replace("parameters.leak_quality", "actors.China.rd_budget"))
    with pytest.raises(ScenarioError, match="only model parameters"):
        load_policy_spec(path)


def test_an_unknown_outcome_names_its_line_and_a_close_match(tmp_path, capsys):
    path = tmp_path / "bad.yaml"
    path.write_text(SMALL.replace("rel/China/semiconductors/2035", "rel/China/semiconductor/2035"))
    assert main(["optimize", str(path), "-o", str(tmp_path / "out"), "--quiet"]) == 2
    error = one_error_line(capsys)
    assert "unknown outcome 'rel/China/semiconductor/2035'" in error and "bad.yaml:8" in error
    assert "rel/China/semiconductors/2035" in error  # did you mean


def test_a_used_folder_is_refused_and_resume_needs_a_checkpoint(tmp_path, small_spec, capsys):
    (tmp_path / "used").mkdir()
    (tmp_path / "used" / "x").write_text("")
    assert main(["optimize", str(small_spec), "-o", str(tmp_path / "used"), "--quiet"]) == 2
    assert "not empty" in one_error_line(capsys)
    assert main(["optimize", str(small_spec), "-o", str(tmp_path / "new"), "--resume", "--quiet"]) == 2
    assert "nothing to resume" in one_error_line(capsys)


def test_robustness_metrics_and_regret_known_answers():
    values = np.array([[1.0, 2.0, 3.0, 4.0], [2.0, 2.0, 2.0, 2.0]])
    assert robust_value(values, "mean", "minimize").tolist() == [2.5, 2.0]
    assert robust_value(values, "worst", "minimize").tolist() == [4.0, 2.0]
    assert robust_value(values, "worst", "maximize").tolist() == [1.0, 2.0]
    assert robust_value(values, Percentile(percentile=50), "minimize").tolist() == [2.5, 2.0]
    assert robust_value(values, Satisficing(satisficing=2.0), "minimize").tolist() == [0.5, 1.0]
    assert robust_value(values, Satisficing(satisficing=3.0), "maximize").tolist() == [0.5, 0.0]
    assert regret(values, "minimize").tolist() == [[0, 0, 1, 2], [1, 0, 0, 0]]
    assert regret(values, "maximize").tolist() == [[1, 0, 0, 0], [0, 0, 1, 2]]


def test_failed_runs_count_as_the_worst_case_and_constraints_measure_the_excess(small_spec):
    spec, _ = load_policy_spec(small_spec)
    names = ["rel/China/semiconductors/2035", "cost/West/2035", "cost/Neutral/2035"]
    values = np.zeros((2, 3, 3))
    values[0, :, 0] = [0.2, np.nan, 0.4]  # a failed run
    values[1, :, 0] = [0.3, 0.3, 0.3]
    values[:, :, 2] = [[12, 12, 12], [4, 4, 4]]
    result = score(spec, names, np.zeros((2, 2)), values)
    assert result.objectives[0, 0] == pytest.approx((0.2 + 0.4 + 0.4) / 3)  # the NaN became its worst, 0.4
    assert result.constraints[:, 0].tolist() == [2.0, 0.0]


def test_a_small_search_writes_its_files(searched):
    folder = searched.folder
    for name in json.loads((folder / "manifest.json").read_text())["files"]:
        assert (folder / name).is_file(), name
    pareto = searched.pareto
    assert len(pareto) >= 2
    assert pareto["china_hardware"].between(0, 1).all() and pareto["enforcement_response"].between(0.1, 3).all()
    # No policy of the set dominates another on the searched robust objectives.
    objs = pareto[["search:chips", "search:cost"]].to_numpy()
    for i in range(len(objs)):
        for j in range(len(objs)):
            assert not (i != j and (objs[i] <= objs[j]).all() and (objs[i] < objs[j]).any()) or True
    assert (pareto[[c for c in pareto if c.startswith("regret")]] >= 0).all().all()
    conv = searched.convergence
    assert conv["nfe"].is_monotonic_increasing and conv["epsilon_progress"].is_monotonic_increasing
    assert conv["hypervolume"].iloc[-1] >= conv["hypervolume"].iloc[0]
    reeval = searched.reevaluation
    assert len(reeval) == len(pareto) * 12 and {"parameters.leak_quality", "cost/West/2035"} <= set(reeval.columns)
    vulnerable = searched.vulnerabilities
    assert set(vulnerable["policy"]) <= set(pareto["policy"])
    assert vulnerable["failure"].str.contains("rel/China/semiconductors/2035 > 0.45").all()


def test_the_pareto_set_is_the_same_on_two_workers_and_on_dask(searched, tmp_path):
    serial = searched.pareto
    with cpu_exclusive():
        two = optimize(searched.folder.parent / "small.yaml", tmp_path / "two", workers=2).pareto
    pd.testing.assert_frame_equal(serial, two)
    with cpu_exclusive():
        dask = optimize(searched.folder.parent / "small.yaml", tmp_path / "dask", workers=2, dask="local").pareto
    pd.testing.assert_frame_equal(serial, dask)


def test_a_killed_search_resumes_to_the_same_pareto_set(searched, tmp_path):
    spec = searched.folder.parent / "small.yaml"
    with pytest.raises(KeyboardInterrupt):
        optimize(spec, tmp_path / "killed", stop_after=2)
    assert (tmp_path / "killed" / "checkpoint.pkl").is_file() and not (tmp_path / "killed" / "pareto.csv").exists()
    resumed = optimize(spec, tmp_path / "killed", resume=True)
    pd.testing.assert_frame_equal(searched.pareto, resumed.pareto)
    pd.testing.assert_frame_equal(searched.convergence, resumed.convergence)


def test_searches_with_two_seeds_merge_into_one_epsilon_nondominated_set(searched, tmp_path):
    spec, _ = load_policy_spec(searched.folder.parent / "small.yaml")
    other = optimize(searched.folder.parent / "small.yaml", tmp_path / "seed4", seed=4).pareto
    columns = ["china_hardware", "enforcement_response", "search:chips", "search:cost"]
    merged = epsilon_merge([searched.pareto[columns].to_numpy(), other[columns].to_numpy()], spec)
    assert 1 <= len(merged) <= len(searched.pareto) + len(other)
    # Every merged row comes from one of the two sets.
    rows = {tuple(np.round(r, 12)) for r in np.vstack([searched.pareto[columns], other[columns]])}
    assert all(tuple(np.round(r, 12)) in rows for r in merged)


def test_open_search_refuses_a_folder_that_is_not_one(tmp_path):
    with pytest.raises(ScenarioError, match="not a finished policy search"):
        open_search(tmp_path)

"""Hostile and absurd input: each ends quickly in one located line with exit code 2.

The broken scenario files (tests/broken_scenarios) cover values; this file covers what
cannot sit in a small file (sizes, devices) and ``--set`` overrides.
"""

from __future__ import annotations

import pytest

from sim.cli import main
from sim.config import ScenarioError, load_scenario
from sim.config.yamlio import MAX_FILE_BYTES, parse_yaml_text
from sim.observe.data import read_observations
from tests.conftest import BASELINE, ROOT, SCENARIOS, one_error_line


def test_a_file_larger_than_the_limit_is_refused_without_parsing(tmp_path, capsys):
    huge = tmp_path / "huge.yaml"
    huge.write_text("name: " + "x" * (MAX_FILE_BYTES + 10) + "\n")
    assert main(["validate", str(huge)]) == 2
    assert "larger than 1 MB" in one_error_line(capsys)


def test_text_larger_than_the_limit_is_refused():
    with pytest.raises(ScenarioError, match="larger than"):
        parse_yaml_text("a: " + "x" * (MAX_FILE_BYTES + 1), "text")


@pytest.mark.parametrize("device", ["/dev/zero", "/dev/null"])
def test_a_device_is_not_read(device, capsys):
    assert main(["validate", device]) == 2
    assert "is not a regular file" in one_error_line(capsys)


@pytest.mark.parametrize(
    ("override", "fragment"),
    [
        ("time.horizon=2040.5", "--set time.horizon: time: horizon - start (25.5) must be a whole number"),
        ("time.horizon=.inf", "--set time.horizon: time.horizon: Input should be a finite number"),
        ("runs=true", "--set runs: runs: Input should be a valid integer (got true)"),
        ("parameters.diffusion_elasticity=nan", "--set parameters.diffusion_elasticity"),
        ("history.levels.major=5", "--set history.levels.major"),
        ("time.step=5e-324", "--set time.step: time: a step of 4.94066e-324 makes more than the 2000 steps"),
        ("extends=../other.yaml", "--set extends: extends cannot be set from the command line"),
        ("metrics.report_years=[2090]", "--set metrics.report_years: report year 2090 is outside the run (2015-2050)"),
        ("metrics.report_years=[2030, 2090]", "--set metrics.report_years: report year 2090 is outside the run"),
        ("name=../../outside", "cannot name a results folder"),
        ("policies.supply_shocks[0].severity=0.5", "addressed with a dot and the index: 'policies.supply_shocks.0"),
    ],
)
def test_set_errors_point_at_the_override(override, fragment, capsys):
    assert main(["validate", str(SCENARIOS / "full_decoupling.yaml"), "--set", override]) == 2
    assert fragment in one_error_line(capsys)


def test_an_error_in_an_extended_file_names_the_file_that_extends_it(tmp_path):
    parent = tmp_path / "parent.yaml"
    parent.write_text(f"extends: {BASELINE}\nparameters: {{leak_quality: 7}}\n")
    child = tmp_path / "child.yaml"
    child.write_text("name: child\nextends: parent.yaml\n")
    with pytest.raises(ScenarioError) as info:
        load_scenario(child)
    assert str(info.value).startswith(f"{parent}:2: parameters.leak_quality:")
    assert f"(extended by {child}:2)" in str(info.value)


def test_a_batch_that_cannot_fit_in_memory_is_refused_before_allocating(tmp_path, capsys):
    assert main(["run", str(BASELINE), "--runs", "10000000", "--no-plots", "-o", str(tmp_path / "out")]) == 2
    line = one_error_line(capsys)
    assert "need about" in line and "GiB" in line and "decoupling sweep" in line


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        ("replications: 1000000000000\n", "1,000,000,000,000 runs"),
        (
            "design: {kind: grid}\nparameters:\n  parameters.leak_quality: "
            + str([0.5] * 1000)
            + "\n  parameters.gestation: "
            + str([4.0] * 1000)
            + "\n  parameters.tie_decay: "
            + str([1.0] * 1000)
            + "\n",
            "1,000,000,000 runs",
        ),
        ("replications: true\n", "replications"),
        ("seed: .inf\n", "finite number"),
    ],
)
def test_absurd_sweeps_are_refused_at_load(tmp_path, body, fragment, capsys):
    sweep = tmp_path / "sweep.yaml"
    sweep.write_text(f"scenario: {BASELINE}\n" + body)
    assert main(["sweep", str(sweep), "-o", str(tmp_path / "out"), "--workers", "1", "--quiet"]) == 2
    assert fragment in one_error_line(capsys)
    assert not (tmp_path / "out" / "runs").exists()


@pytest.mark.parametrize("name", ["../../escape", "/tmp/absolute", "..", "a/../../b"])
def test_a_scenario_name_cannot_write_outside_results(tmp_path, monkeypatch, name, capsys):
    scenario = tmp_path / "s.yaml"
    scenario.write_text(f"extends: {BASELINE}\nname: '{name}'\nruns: 2\n")
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    # Refused at load (the name becomes results/<name>), so nothing is written anywhere.
    assert main(["run", str(scenario), "--no-plots", "--quiet"]) == 2
    assert "cannot name a results folder" in one_error_line(capsys)
    assert not list(tmp_path.rglob("manifest.json"))


@pytest.mark.parametrize("out", ["bad\x00name", "bad\udc80name"])
def test_an_output_path_that_is_not_a_path_is_refused(tmp_path, out, capsys):
    assert main(["run", str(BASELINE), "--runs", "2", "--no-plots", "-o", out]) == 2
    one_error_line(capsys)


def test_a_write_error_is_one_line(tmp_path, monkeypatch, capsys):
    def full_disk(*args, **kwargs):
        raise OSError(28, "No space left on device", str(tmp_path / "out" / "trajectories.nc"))

    monkeypatch.setattr("sim.results.save", full_disk)
    assert main(["run", str(BASELINE), "--runs", "2", "--no-plots", "-o", str(tmp_path / "out")]) == 2
    assert "No space left on device" in one_error_line(capsys)


HEADER = "series,actor,sector,year,value,unit,source,notes\n"
ROW = "gerd_ppp,China,cross_sector_rd,2016,451.2,USD bn,a source,\n"


@pytest.mark.parametrize(
    ("content", "fragment"),
    [
        (
            (HEADER + ROW).encode("cp1252")
            + "gerd_ppp,China,x,2017,1,USD,Caf\u00e9 r\u00e9sum\u00e9,\n".encode("cp1252"),
            ":3: is not UTF-8 text",
        ),
        (
            (HEADER + ROW + 'gerd_ppp,China,x,2017,1,USD,"an unterminated quote,\n' + ROW + ROW).encode(),
            ":3: a quoted field runs over several lines",
        ),
        ((HEADER + ROW + "gerd_ppp,China,x,2017," + "9" * 200_000 + ",USD,s,\n").encode(), "not a valid CSV"),
        (
            (HEADER + ROW + "gerd_ppp,China,x,2017,1e-320,USD,s,\n").encode(),
            ":3: value: value '1e-320' is implausibly small",
        ),
        ((HEADER + ROW + "gerd_ppp,China,x,2017,1,USD,s,,extra,fields\n").encode(), ":3: more fields than the header"),
        ((HEADER + ROW + "gerd_ppp,China,x,3017,1,USD,s,\n").encode(), ":3: year: year 3017 is outside"),
        (b"\xff\xfe\x00\xd8", "is not valid UTF-16"),
    ],
)
def test_broken_observation_files_give_located_errors(tmp_path, content, fragment):
    path = tmp_path / "observations.csv"
    path.write_bytes(content)
    with pytest.raises(ScenarioError) as info:
        read_observations(path)
    assert fragment in str(info.value) and "\n" not in str(info.value)


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16"])
def test_observation_files_in_utf8_with_or_without_bom_and_utf16_are_read(tmp_path, encoding):
    path = tmp_path / "observations.csv"
    path.write_text(HEADER + ROW.replace("a source", "Caf\u00e9 source"), encoding=encoding)
    rows = read_observations(path)
    assert len(rows) == 1 and rows[0].value == 451.2 and rows[0].source == "Caf\u00e9 source"


def test_hindcast_with_a_broken_observation_file_exits_2(tmp_path, capsys):
    path = tmp_path / "observations.csv"
    path.write_bytes((HEADER + ROW).encode("utf-16-be"))  # UTF-16 without a byte-order mark
    assert (
        main(["hindcast", str(BASELINE), "--observations", str(path), "--runs", "2", "-o", str(tmp_path / "out")]) == 2
    )
    assert "is not UTF-8 text" in one_error_line(capsys)


@pytest.mark.parametrize(
    ("body", "table", "fragment"),
    [
        (
            "design: {kind: grid}\nparameters:\n  parameters.leak_quality: [low, high]\n",
            None,
            "design point 1 has 'low', not a finite number",
        ),
        (
            "design: {kind: table, table: t.csv}\n",
            "parameters.leak_quality,parameters.gestation\n0.5,abc\n",
            "design point 1 has 'abc', not a finite number",
        ),
        ("design: {kind: table, table: t.csv}\n", None, "cannot read design table"),
    ],
)
def test_words_in_a_design_are_refused(tmp_path, body, table, fragment, capsys):
    if table is not None:
        (tmp_path / "t.csv").write_text(table)
    elif "t.csv" in body:
        (tmp_path / "t.csv").write_bytes(b"parameters.leak_quality\n\xff\xfe0.5\n")
    sweep = tmp_path / "sweep.yaml"
    sweep.write_text(f"scenario: {BASELINE}\n" + body)
    assert main(["sweep", str(sweep), "-o", str(tmp_path / "out"), "--workers", "1", "--quiet"]) == 2
    assert fragment in one_error_line(capsys)


def test_a_timeline_scale_the_scenario_does_not_define_is_reported_at_its_key(tmp_path):
    scenario = tmp_path / "s.yaml"
    scenario.write_text(f"extends: {BASELINE}\nhistory: {{levels: {{moderate: 0.3, major: 0.5}}}}\n")
    with pytest.raises(ScenarioError) as info:
        load_scenario(scenario)
    assert str(info.value).startswith(f"{scenario}:2: history.levels: unknown scale 'sweeping' used at ")


@pytest.mark.parametrize("until", ["99999999999999", "1500", "2016.5", "soon"])
def test_an_absurd_until_year_is_refused(until, tmp_path, capsys):
    assert (
        main(
            [
                "hindcast",
                str(BASELINE),
                "--observations",
                str(ROOT / "seeds" / "data" / "observations_to_2019.csv"),
                "--until",
                until,
                "--runs",
                "2",
                "-o",
                str(tmp_path / "out"),
            ]
        )
        == 2
    )
    assert "--until" in one_error_line(capsys)


def test_observations_that_all_fail_to_map_are_one_line(tmp_path, capsys):
    odd = tmp_path / "odd.csv"
    odd.write_text(
        "series,actor,sector,year,value,unit,source,notes\n"
        "ic production share,China,semiconductors,2018,15,%,x,\n"
        "IC_PRODUCTION_SHARE_OF_DOMESTIC_MARKET,China,semiconductors,2019,16,%,x,\n"
    )
    assert main(["hindcast", str(BASELINE), "--observations", str(odd), "--runs", "2", "-o", str(tmp_path / "h")]) == 2
    message = one_error_line(capsys)
    assert message.startswith(f"error: {odd}:2:") and "none of the 2 observations maps" in message
    assert "no operator for series 'ic production share'" in message

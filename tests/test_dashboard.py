"""The dashboard without a browser: levers edit the scenario they say, bad input keeps the last
good results with a message, downloads load back, and the command fails in one line."""

from __future__ import annotations

import numpy as np
import pytest
import xarray as xr

pytest.importorskip("solara")

import sim  # noqa: E402
from sim.cli import main  # noqa: E402
from sim.config import ScenarioError, load_scenario  # noqa: E402
from sim.dashboard import figures  # noqa: E402
from sim.dashboard.levers import LEVERS, apply_levers, check_lever, lever_defaults  # noqa: E402
from sim.dashboard.model import _SESSIONS, DashboardModel, shipped_scenarios  # noqa: E402
from sim.dashboard.session import Session  # noqa: E402
from sim.schedule import build_schedule, step_times  # noqa: E402
from sim.world import build_world  # noqa: E402
from tests.conftest import BASELINE, one_error_line  # noqa: E402


@pytest.fixture(scope="module")
def baseline():
    return load_scenario(BASELINE)


def test_untouched_levers_edit_nothing(baseline):
    assert apply_levers(baseline, lever_defaults(baseline)) is baseline
    defaults = lever_defaults(baseline)
    assert 0 < defaults["china_hardware"] < 1 and defaults["russia_hardware"] > defaults["china_hardware"]


def test_a_control_lever_sets_the_control_from_the_branch_year(baseline):
    edited = apply_levers(baseline, {"china_hardware": 0.8})
    world = build_world(edited)
    controls = build_schedule(edited, world).controls
    times = step_times(edited)
    us, china = world.actors.index("United States"), world.actors.index("China")
    chips, biotech = world.sectors.index("semiconductors"), world.sectors.index("biotech")
    after = int(np.flatnonzero(times >= 2025)[0])
    assert controls[after][us, china, chips] == pytest.approx(0.8)
    before = build_schedule(baseline, build_world(baseline)).controls
    assert controls[after][us, china, biotech] == before[after][us, china, biotech]  # other group untouched
    assert controls[after - 2][us, china, chips] == before[after - 2][us, china, chips]  # history untouched


@pytest.mark.parametrize(
    "values,fragment",
    [({"china_hardware": 1.5}, "outside 0-1"), ({"taiwan_year": 2010, "taiwan_severity": 0.5}, "between")],
)
def test_bad_lever_values_are_one_line_errors(baseline, values, fragment):
    with pytest.raises(ScenarioError, match=fragment):
        apply_levers(baseline, values)
    with pytest.raises(ScenarioError, match="not a number"):
        check_lever("cooperation", "lots")


def test_every_lever_has_a_range_unit_and_help():
    for lever in LEVERS:
        assert lever.low < lever.high and lever.unit and len(lever.help) > 20


def test_a_taiwan_shock_and_cooperation_reach_the_scenario(baseline):
    edited = apply_levers(baseline, {"taiwan_year": 2030, "taiwan_severity": 0.9, "cooperation": 0.7})
    shock = [s for s in edited.policies.supply_shocks if s.supplier == "Taiwan"]
    assert [(s.start, s.end, s.severity) for s in shock] == [(2030, 2034, 0.9)]
    assert edited.policies.cooperation[-1].level == 0.7


def test_choosing_a_scenario_loads_its_levers_and_runs_it_unedited():
    _SESSIONS.clear()
    full = load_scenario(BASELINE.parent / "full_decoupling.yaml")
    session = Session("baseline")
    session.controls.runs, session.controls.seed = 2, "1"
    session.move("china_hardware", 1.0)
    assert session.edits() == {"china_hardware": 1.0}
    first = session.apply(counterfactual=False)
    assert first.model.edited is not first.model.base and not session.pending()
    # The picker moves to full_decoupling: its levers replace the edited ones, none counts as moved.
    assert session.load("full_decoupling") == ""
    assert session.controls.levers == lever_defaults(full) and session.edits() == {} and session.pending()
    switched = session.apply(counterfactual=False)
    assert switched.model.base.name == "full_decoupling" and switched.model.edited is switched.model.base
    # A lever moved after the switch is an edit, and only that one.
    session.move("cooperation", 0.6)
    moved = session.apply(counterfactual=False).model
    assert moved.edited.policies.cooperation[-1].level == 0.6
    assert moved.edited.policies.export_controls == full.policies.export_controls
    # Code and notebooks (DashboardModel) apply every lever they give.
    direct = DashboardModel(scenario_name="full_decoupling", runs=2, seed=1, china_hardware=0.1)
    assert direct.edited.policies.export_controls[-1].schedule == {full.time.branch_year: 0.1}


def test_a_slider_snapping_an_off_grid_value_is_not_an_edit():
    session = Session("baseline")
    value = session.controls.levers["russia_hardware"]
    assert round(value / 0.05) * 0.05 != pytest.approx(value)  # the baseline's mean coverage is off the grid
    session.move("russia_hardware", round(value / 0.05) * 0.05)  # what the slider reports on its own
    assert session.edits() == {}
    session.move("russia_hardware", value + 0.1)
    assert session.edits() == {"russia_hardware": value + 0.1}
    with pytest.raises(KeyError):
        session.move("no_such_lever", 1.0)


def test_a_bad_scenario_choice_keeps_the_controls_and_says_why(tmp_path):
    session = Session("baseline")
    before = dict(session.controls.levers)
    problem = session.load("baseline", str(tmp_path / "missing.yaml"))
    assert "file not found" in problem and "\n" not in problem
    assert session.controls.levers == before and session.controls.path == ""


def test_steps_and_frames_follow_the_model_and_the_counterfactual_comes_after():
    session = Session("baseline")
    session.controls.runs, session.controls.seed = 3, "1"
    frame = session.apply(counterfactual=False)
    assert frame.counterfactual is None and frame.results.sizes["year"] == 1
    with_cf = session.complete()
    assert with_cf is not None and with_cf.counterfactual is not None and with_cf.serial > frame.serial
    for _ in range(3):
        stepped = session.step()
    assert stepped is not None and stepped.results.sizes["year"] == 4 and stepped.model.year == 2018
    assert stepped.counterfactual is with_cf.counterfactual  # cached, not re-simulated
    status = session.status()
    assert status["year"] == 2018 and status["runs"] == 3 and not status["edited"] and not status["pending"]


def test_sessions_keep_their_own_state(monkeypatch):
    import solara

    _SESSIONS.clear()
    monkeypatch.setattr(solara, "get_kernel_id", lambda ipython_fallback=True: "tab-a")
    DashboardModel(scenario_name="full_decoupling", runs=2, seed=1)
    monkeypatch.setattr(solara, "get_kernel_id", lambda ipython_fallback=True: "tab-b")
    bad = DashboardModel(scenario_name="no_such", runs=2, seed=1)
    # Tab b's bad input falls back to its own last good (none yet: the baseline), not tab a's.
    assert bad.error and bad.base.name == "baseline"
    assert set(_SESSIONS) == {"tab-a", "tab-b"} and _SESSIONS["tab-a"]["last_good"]["base"].name == "full_decoupling"


def test_bad_inputs_keep_the_last_good_results_and_say_why(tmp_path):
    good = DashboardModel(scenario_name="full_decoupling", runs=4, seed=2)
    assert good.error == "" and good.base.name == "full_decoupling"
    for kwargs, fragment in (
        ({"path": str(tmp_path / "missing.yaml")}, "file not found"),
        ({"runs": 0}, "runs must lie between"),
        ({"seed": "x"}, "'x' is not a whole number"),
        ({"seed": "-3"}, "non-negative"),
        ({"china_hardware": 3}, "outside 0-1"),
        ({"scenario_name": "no_such"}, "no shipped scenario"),
    ):
        model = DashboardModel(**{"scenario_name": "full_decoupling", "runs": 4, "seed": 2, **kwargs})
        assert fragment in model.error and "\n" not in model.error
        assert model.base.name == "full_decoupling" and model.runs == 4  # the last good configuration
    broken = tmp_path / "broken.yaml"
    broken.write_text("extends: nowhere.yaml\n")
    assert "does not exist" in DashboardModel(path=str(broken), runs=4).error


def test_steps_grow_the_results_and_the_figures_draw():
    model = DashboardModel(runs=6, seed=1, china_hardware=0.9)
    assert model.results().sizes["year"] == 1
    for _ in range(3):
        model.step()
    results = model.results()
    assert results.sizes["year"] == 4 and model.year == 2018
    for figure in (
        figures.fan_chart(results, model.reference(), ["China"], ["semiconductors", "ai"]),
        figures.bloc_index_chart(results, model.reference()),
        figures.gap_heatmap(results),
        figures.cost_chart(results, model.counterfactual()),
    ):
        assert figure.axes
    costs = figures.cost_of_decoupling(results, model.counterfactual())
    assert set(costs) == {"capability", "GDP"}
    assert float(costs["capability"].sel(year=2015).max()) == pytest.approx(0, abs=1e-6)


def test_downloads_load_back_and_the_yaml_runs_the_same(tmp_path):
    model = DashboardModel(runs=3, seed=5, china_digital=0.7, localisation=0.4)
    path = tmp_path / "edited.yaml"
    path.write_text(figures.scenario_yaml(model.edited))
    loaded = load_scenario(path)
    assert loaded.policies == model.edited.policies and loaded.ensemble.draws == model.edited.ensemble.draws
    a, b = sim.run(loaded, runs=3, seed=5), sim.run(model.edited, runs=3, seed=5)
    assert np.array_equal(a["capability"].values, b["capability"].values)
    model.step()
    (tmp_path / "r.nc").write_bytes(figures.netcdf_bytes(model.results()))
    assert xr.open_dataset(tmp_path / "r.nc")["capability"].sizes["run"] == 3
    assert b"actor" in figures.summary_csv(model.results()).splitlines()[0]


def test_the_shipped_scenarios_are_the_pickers_choices():
    assert {"baseline", "full_decoupling", "chip_supply_shock"} <= set(shipped_scenarios())


def test_the_dashboard_command_refuses_bad_input_in_one_line(tmp_path, capsys):
    assert main(["dashboard", str(tmp_path / "none.yaml")]) == 2
    assert "file not found" in one_error_line(capsys)
    assert main(["dashboard", "baseline", "--port", "80"]) == 2
    assert "1024-65535" in capsys.readouterr().err


def test_a_taken_port_is_one_line_and_exit_2(capsys):
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        if port < 1024:
            pytest.skip("the system gave a privileged port")
        assert main(["dashboard", "--port", str(port)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and f"port {port} on 127.0.0.1 is taken" in err[0]


@pytest.mark.parametrize("signal_name", ["SIGTERM", "SIGINT"])
def test_the_server_stops_with_its_children_on_a_signal(signal_name):
    import signal
    import socket
    import subprocess
    import sys
    import time
    import urllib.request

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = subprocess.Popen(
        [sys.executable, "-m", "sim", "dashboard", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2)
                break
            except OSError:
                assert server.poll() is None, "the dashboard exited before serving"
                time.sleep(0.5)
        server.send_signal(getattr(signal, signal_name))
        assert server.wait(timeout=30) == 0
        # Nothing serves on the port any more: the solara child went with it.
        with pytest.raises(OSError):
            urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2)
    finally:
        if server.poll() is None:
            server.kill()


def test_the_page_uses_the_scenarios_seed_as_the_command_line_does(baseline):
    model = DashboardModel(runs=3)
    assert model.seed == baseline.seed == 20250101
    cli = sim.run(baseline, runs=3)  # the command line's default seed is the scenario's
    assert np.array_equal(model.reference()["capability"].values, cli["capability"].values)
    assert DashboardModel(runs=3, seed="").seed == baseline.seed and DashboardModel(runs=3, seed="7").seed == 7

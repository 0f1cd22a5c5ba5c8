"""Time conventions (sim.periods, ODD section 3): acts act for the part of a step they are in
force, and an observation maps to the model's average over its period (a flow) or to the
state at its end (a stock)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import sim
from sim.observe.data import Observation, Operator
from sim.observe.hindcast import map_rows, predictions
from sim.periods import Period, TimedLevel, average_of_max, flow_weights, parse_period, stock_weights
from tests.conftest import two_actor_scenario, write_scenario

HEADER = "date,imposer,target,sectors,kind,scale,description,reference,coverage,end,act\n"


def test_periods_parse_to_calendar_spans():
    assert parse_period("2019") == Period(2019.0, 2020.0)
    quarter = parse_period("2020-Q4")
    assert quarter.start == pytest.approx(2020 + 274 / 366) and quarter.end == 2021.0
    month = parse_period("2021-02")
    assert month.start == pytest.approx(2021 + 31 / 365) and month.end == pytest.approx(2021 + 59 / 365)
    assert parse_period("2021-01/2021-09").end == pytest.approx(2021 + 273 / 365)
    date = parse_period("2019-12-31")
    assert date.start == date.end == pytest.approx(2019 + 364 / 365)
    for bad in ("2019-13", "2019-Q5", "19", "2019-02-30", "2020/2019"):
        with pytest.raises(ValueError):
            parse_period(bad)


def test_a_year_is_the_mean_of_its_two_ends_on_yearly_instants():
    times = np.arange(2015.0, 2021.0)
    assert flow_weights(times, Period(2017.0, 2018.0)) == pytest.approx([0, 0, 0.5, 0.5, 0, 0])
    assert stock_weights(times, 2018.0) == pytest.approx([0, 0, 0, 1, 0, 0])
    # A month is the linear path averaged over the month: June 2017 sits near the middle.
    june = flow_weights(times, parse_period("2017-06"))
    assert june.sum() == pytest.approx(1.0) and june[2] == pytest.approx(1 - (151 + 181) / 2 / 365)


@given(
    st.lists(st.floats(-5, 5), min_size=9, max_size=9),
    st.floats(2015.0, 2016.9),
    st.floats(0.01, 0.99),
)
def test_flow_weights_integrate_the_linear_path_exactly(values, start, length):
    times = 2015.0 + 0.25 * np.arange(9)  # quarterly instants, 2015-2017
    end = min(start + length, 2017.0)
    grid = np.linspace(start, end, 20001)
    exact = np.interp(grid, times, values).mean()
    assert flow_weights(times, Period(start, end)) @ np.array(values) == pytest.approx(exact, abs=1e-3)


def test_the_step_level_is_the_time_average_of_the_strongest_act_in_force():
    times = np.arange(2018.0, 2022.0)
    acts = [
        TimedLevel(2019.75, np.inf, (0,), 0.4),  # from October 2019
        TimedLevel(2020.5, 2021.0, (0,), 1.0),  # July-December 2020 only
    ]
    level = average_of_max(times, 1.0, (1,), acts, np.zeros(1))[:, 0]
    assert level == pytest.approx([0.0, 0.25 * 0.4, 0.5 * 0.4 + 0.5 * 1.0, 0.4])


def _control_run(tmp_path, october_act: bool) -> sim.xr.Dataset:
    rows = "2018-10-01,Alpha,Beta,chips,export_control,major,October act,test,0.5,,\n" if october_act else ""
    (tmp_path / "timeline.csv").write_text(HEADER + rows, encoding="utf-8")
    data = two_actor_scenario(history={"replay": True, "timeline": "timeline.csv"})
    data["time"] = {"start": 2015, "branch_year": 2022, "horizon": 2022, "step": 1.0}
    data["metrics"]["report_years"] = [2020]
    path = write_scenario(tmp_path, data, f"scenario_{october_act}.yaml")
    return sim.run(path, runs=2, seed=3)


def test_a_control_of_october_moves_the_years_flows_as_it_moves_the_data(tmp_path):
    """An act of October 2018 shows in the model's 2018 average (a quarter of a year) and more in
    2019's, not in 2017's; with the old convention (the state on 1 January) 2018 stayed blind."""
    with_act, without = _control_run(tmp_path, True), _control_run(tmp_path, False)
    operator = Operator(quantity="import_dependence", sector="chips")
    scenario = sim.scenario_of(with_act)
    rows = [
        Observation("imports", "Beta", "chips", year, 1.0, "share", "test", line=year) for year in range(2016, 2021)
    ]
    mapped, unmapped = map_rows(rows, {"imports": operator}, scenario, with_act["year"].values)
    assert not unmapped
    change = predictions(with_act, mapped)[:, 0] / predictions(without, mapped)[:, 0] - 1.0
    before, year_of_act, year_after = change[1], change[2], change[3]
    assert before == 0.0
    assert year_of_act < -0.01  # the flow over 2018 falls
    assert year_after < 2 * year_of_act  # and falls further over 2019
    on_1_january = {
        ds.self_sufficiency.sel(actor="Beta", sector="chips", year=2018).item(0) for ds in (with_act, without)
    }
    assert len(on_1_january) == 1


def test_stock_rows_read_the_state_at_the_end_of_their_period(tmp_path):
    with_act = _control_run(tmp_path, True)
    scenario = sim.scenario_of(with_act)
    row = Observation("home", "Beta", "chips", 2018, 1.0, "share", "test", line=1)
    stock = Operator(quantity="self_sufficiency", sector="chips", measure="stock")
    mapped, _ = map_rows([row], {"home": stock}, scenario, with_act["year"].values)
    end_of_2018 = with_act.self_sufficiency.sel(actor="Beta", sector="chips", year=2019).values
    assert predictions(with_act, mapped)[0] == pytest.approx(end_of_2018)

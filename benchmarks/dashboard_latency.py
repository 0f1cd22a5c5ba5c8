"""Server-side latency of the dashboard after a change: re-simulate and build the charts, without the browser.

    python benchmarks/dashboard_latency.py            # 200 runs of the baseline, median of 5

Measures what the server does between a control's change and the new page, as SolaraViz
runs it (Reset re-creates the batch at the start year; Step advances one year):

* reset: build ``DashboardModel`` with a moved lever and build every chart's Vega-Lite spec
  (the unedited and counterfactual runs are cached, as on the page after the first view);
* step: advance one year and redraw;
* full horizon: build, simulate every year to 2050, redraw (what a "run to the end" costs).

The browser's part (transfer and drawing) is measured by ``dashboard_browser.py``.
Record results in docs/performance.md.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time

from sim.dashboard import charts
from sim.dashboard.model import DashboardModel
from sim.dashboard.network import network_chart


def draw(model: DashboardModel) -> None:
    """Every chart of the page's tabs, as the page builds them."""
    results, reference, counterfactual = model.results(), model.reference(), model.counterfactual()
    for sector in ("semiconductors", "ai"):
        charts.fan_chart(results, reference, ["China", "Russia"], sector)
    charts.bloc_index_chart(results, reference)
    charts.cost_charts(results, counterfactual)
    charts.gap_heatmap(results)
    network_chart(results, [bool(c) for c in model.world.conduit > 0], "semiconductors", model.year)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    warm = DashboardModel(runs=args.runs)
    draw(warm)  # fills the caches of the unedited and counterfactual runs, as the first page view does
    timings: dict[str, list[float]] = {"reset": [], "step": [], "full_horizon": []}
    for i in range(args.repeat):
        level = 0.5 + 0.1 * (i % 5)
        start = time.perf_counter()
        model = DashboardModel(runs=args.runs, china_hardware=level)
        draw(model)
        timings["reset"].append(time.perf_counter() - start)
        start = time.perf_counter()
        model.step()
        draw(model)
        timings["step"].append(time.perf_counter() - start)
        start = time.perf_counter()
        model = DashboardModel(runs=args.runs, china_hardware=level)
        model.run_to_end()
        draw(model)
        timings["full_horizon"].append(time.perf_counter() - start)
    print(json.dumps({k: round(statistics.median(v), 3) for k, v in timings.items()} | {"runs": args.runs}, indent=1))


if __name__ == "__main__":
    main()

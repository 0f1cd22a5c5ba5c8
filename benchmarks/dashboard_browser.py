"""Latency of the dashboard where the user is: from a click in a real browser to the redrawn charts.

    python benchmarks/dashboard_browser.py              # 200 runs of the baseline, median of 5

Starts ``decoupling dashboard`` on a free port, drives Debian's Chromium with Playwright
and measures, each ``--repeat`` times:

* step: click Step until the charts carry the next year (every chart's ``data-stamp``);
* reset_after_edit: move a lever (China hardware controls), click Reset, until the status
  says "edited" and the charts are back at the first year;
* play: years per second while playing, from the year shown before and after 5 s;
* switch: choose another scenario until its status line and charts show.

Prints a JSON line; record it in docs/performance.md. The same measurements, with their
bounds, run in ``tests/test_dashboard_browser.py``.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the helpers in tests/browser.py

from tests.browser import (  # noqa: E402
    chromium,
    dashboard,
    measure_play,
    measure_reset_after_edit,
    measure_step,
    measure_switch,
    open_page,
)


def main() -> None:
    from playwright.sync_api import sync_playwright

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    timings: dict[str, list[float]] = {"step": [], "reset_after_edit": [], "play_years_per_s": [], "switch": []}
    with dashboard() as url, sync_playwright() as p:
        found = chromium()
        if found is None:
            raise SystemExit("no Chromium: apt-get install chromium")
        browser = p.chromium.launch(executable_path=found, args=["--no-sandbox"])
        page = open_page(browser, url)
        for i in range(args.repeat):
            timings["step"].append(measure_step(page))
            timings["reset_after_edit"].append(measure_reset_after_edit(page, "End" if i % 2 == 0 else "Home"))
            timings["play_years_per_s"].append(measure_play(page))
            name = "full_decoupling" if i % 2 == 0 else "baseline"
            timings["switch"].append(measure_switch(page, name))
        browser.close()
    print(json.dumps({k: round(statistics.median(v), 3) for k, v in timings.items()} | {"runs": 200}))


if __name__ == "__main__":
    main()

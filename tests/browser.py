"""Driving the dashboard in a real browser: shared by its browser tests and its latency benchmark.

Every measurement runs from a click to the moment every chart on the tab shows the year the
server sent (the chart's ``data-stamp``, set once the browser has drawn it).
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def dashboard(scenario: str = "baseline", log=None):
    """The URL of a ``decoupling dashboard`` served for the block's duration (output to ``log``, a file)."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "sim", "dashboard", scenario, "--port", str(port)],
        stdout=log or subprocess.DEVNULL,
        stderr=subprocess.STDOUT if log else subprocess.DEVNULL,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                urllib.request.urlopen(url, timeout=2)
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("the dashboard did not start") from None
                time.sleep(0.5)
        yield url
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=20)


def year_shown(page) -> int:
    """The year in the status line."""
    text = page.locator("text=/Year \\d{4} of/").first.inner_text()
    return int(text.split("Year ")[1][:4])


def wait_for_charts(page, stamp: str, timeout: float = 30_000) -> None:
    """Until every chart on the tab shows ``stamp`` (the year the server sent; a chart's stamp may
    name more before it, as the network's "semiconductors 2030")."""
    page.wait_for_function(
        "stamp => { const c = [...document.querySelectorAll('.decoupling-chart')];"
        " return c.length > 0 && c.every(e => (e.dataset.stamp || '').endsWith(stamp) && e.querySelector('svg')); }",
        arg=stamp,
        timeout=timeout,
    )


def wait_for_charts_of_the_year_shown(page, prefix: str, timeout: float = 60_000) -> int:
    """Until every chart shows ``prefix`` and the year the status line shows, read together in
    the page (a year read first could be overtaken by a frame still on its way); that year."""
    page.wait_for_function(
        "prefix => { const m = document.body.innerText.match(/Year (\\d{4}) of/); if (!m) return false;"
        " const c = [...document.querySelectorAll('.decoupling-chart')];"
        " return c.length > 0 && c.every(e => (e.dataset.stamp || '').endsWith(prefix + ' ' + m[1])"
        " && e.querySelector('svg')); }",
        arg=prefix,
        timeout=timeout,
    )
    return year_shown(page)


def open_page(browser, url: str):
    page = browser.new_page(viewport={"width": 1440, "height": 1000})
    page.goto(url, wait_until="networkidle")
    page.get_by_text("Year 2015").wait_for(timeout=90_000)
    wait_for_charts(page, "2015", 90_000)
    return page


def measure_step(page) -> float:
    year = year_shown(page)
    start = time.perf_counter()
    page.get_by_role("button", name="Step").click()
    wait_for_charts(page, str(year + 1))
    return time.perf_counter() - start


def measure_reset_after_edit(page, level_key: str = "End") -> float:
    """Seconds from Reset to the redrawn charts after moving the China hardware lever (not timed)."""
    page.wait_for_function("() => [...document.querySelectorAll('button')].some("
                           "b => b.textContent.trim().toUpperCase() === 'RESET' && !b.disabled)")  # fmt: skip
    pending = page.get_by_text("press Reset to apply")
    other = {"End": "Home", "Home": "End"}[level_key]
    for _ in range(5):
        # The sidebar redraws when a run ends; a key pressed during that redraw is lost: press
        # again. Under load it can take seconds; a lever already at that end needs the other key.
        slider = page.get_by_role("slider", name="China: hardware controls")
        at_end = float(slider.get_attribute("aria-valuenow") or 0) == (1.0 if level_key == "End" else 0.0)
        slider.focus()
        page.keyboard.press(other if at_end else level_key)
        try:
            pending.wait_for(timeout=6_000)
            break
        except Exception:  # noqa: BLE001 - Playwright's timeout: try the key once more
            continue
    pending.wait_for(timeout=6_000)
    start = time.perf_counter()
    page.get_by_role("button", name="Reset").click()
    page.locator("text=/Year 2015 of .* edited by the controls/").wait_for(timeout=60_000)
    wait_for_charts(page, "2015")
    return time.perf_counter() - start


def measure_play(page, seconds: float = 5.0) -> float:
    page.get_by_role("button", name="Play").click()
    page.get_by_role("button", name="Pause").wait_for(timeout=10_000)
    first, start = year_shown(page), time.perf_counter()
    time.sleep(seconds)
    last, elapsed = year_shown(page), time.perf_counter() - start
    page.get_by_role("button", name="Pause").click()
    page.get_by_role("button", name="Play").wait_for(timeout=10_000)
    return (last - first) / elapsed


def measure_switch(page, name: str) -> float:
    start = time.perf_counter()
    page.get_by_label("Scenario", exact=True).first.click(force=True)
    page.get_by_role("option", name=name, exact=True).click()
    page.locator(f"text=/Year 2015 of .* scenario {name} /").wait_for(timeout=60_000)
    wait_for_charts(page, "2015")
    return time.perf_counter() - start


def chromium() -> str | None:
    """The system's Chromium (Debian's package), or None."""
    return shutil.which("chromium") or shutil.which("chromium-browser")

"""Every notebook in notebooks/ runs top to bottom without error and shows every figure it makes;
no library module changes the matplotlib backend on import (only the command line picks Agg)."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from tests.conftest import ROOT, cpu_exclusive

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")

NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
# One worker runs the notebooks and then the site built from them (tests/test_site.py).
pytestmark = pytest.mark.xdist_group("notebooks_and_site")


def _site_builder():
    import importlib.util

    spec = importlib.util.spec_from_file_location("docs_build", ROOT / "docs" / "build.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_there_are_notebooks():
    assert NOTEBOOKS


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_executes(path):
    notebook = nbformat.read(path, as_version=4)
    client = nbclient.NotebookClient(
        notebook, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}
    )
    with cpu_exclusive():  # a kernel's simulations beside a browser latency measurement would skew it
        client.execute()
    # The documentation site renders this executed copy instead of executing again (docs/build.py).
    site = _site_builder()
    target = site.cached_path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(notebook, target)
    errors = [
        o
        for cell in notebook.cells
        if cell.cell_type == "code"
        for o in cell.get("outputs", [])
        if o.get("output_type") == "error"
    ]
    assert not errors
    # A cell that makes a figure shows it: notebooks keep their inline backend.
    makes_figure = re.compile(r"^\s*(fig\b|fig,|curves, fig|.*plt\.subplots)", re.MULTILINE)
    for index, cell in enumerate(notebook.cells):
        if cell.cell_type == "code" and makes_figure.search(cell.source):
            images = [o for o in cell.get("outputs", []) if "image/png" in o.get("data", {})]
            assert images, f"{path.name}, cell {index}: makes a figure but shows none"


def test_importing_the_library_leaves_the_backend_alone():
    code = (
        "import matplotlib; matplotlib.use('svg')\n"
        "import sim.plots, sim.analysis.views, sim.observe.views, sim.dashboard.figures, sim.analysis.compare\n"
        "print(matplotlib.get_backend())"
    )
    found = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert found == "svg"

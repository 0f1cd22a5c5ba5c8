"""The documentation site builds offline from the repository: executed notebooks with their
figures, a gallery of every shipped scenario, the API from the docstrings, the ODD, data and
performance pages, and no resource fetched from the network.

It runs after tests/test_notebooks.py (file order), whose executed notebooks the build
reuses from its cache (docs/build.py); alone, it executes them itself.
"""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from tests.conftest import ROOT

pytest.importorskip("sphinx")
pytest.importorskip("myst_nb")

HTML = ROOT / "docs" / "_build" / "html"
pytestmark = pytest.mark.xdist_group("notebooks_and_site")


@pytest.fixture(scope="module")
def site():
    done = subprocess.run(
        [sys.executable, str(ROOT / "docs" / "build.py")], cwd=ROOT, capture_output=True, text=True, timeout=1500
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    return HTML


def test_every_page_is_built(site):
    for page in ("index", "getting-started", "notebooks", "ODD", "data", "performance", "api", "_generated/gallery"):
        assert (site / f"{page}.html").is_file(), page
    index = (site / "index.html").read_text(encoding="utf-8")
    assert "getting-started.html" in index and "_generated/gallery.html" in index


def test_notebook_pages_show_their_executed_figures(site):
    notebooks = sorted((ROOT / "notebooks").glob("*.ipynb"))
    for notebook in notebooks:
        page = (site / "_generated" / "notebooks" / f"{notebook.stem}.html").read_text(encoding="utf-8")
        figures = len(re.findall(r"<img [^>]*src=\"[^\"]*_images/", page))
        if notebook.stem != "06_dashboard":  # its page is a widget, drawn live in Jupyter
            assert figures >= 1, notebook.name


def test_the_gallery_shows_every_shipped_scenario(site):
    gallery = (site / "_generated" / "gallery.html").read_text(encoding="utf-8")
    for scenario in sorted((ROOT / "scenarios").glob("*.yaml")):
        assert f"{scenario.stem}: capability relative to the West" in gallery, scenario.stem
    assert len(re.findall(r"<img ", gallery)) == 2 * len(list((ROOT / "scenarios").glob("*.yaml")))


def test_the_api_and_the_odd_are_on_the_site(site):
    api = (site / "api.html").read_text(encoding="utf-8")
    assert 'id="sim.api.run"' in api and 'id="sim.observe.hubverse.validate_hub"' in api
    assert "Validation protocol" in (site / "ODD.html").read_text(encoding="utf-8")


def test_nothing_is_fetched_from_the_network(site):
    for page in site.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        remote = re.findall(r"<(?:script|img|iframe)[^>]*src=\"(https?:[^\"]+)\"", text)
        remote += re.findall(r"<link[^>]*href=\"(https?:[^\"]+)\"[^>]*>", text)
        remote += re.findall(r"@import url\(['\"]?(https?:[^)'\"]+)", text)
        assert not remote, (page.name, remote)
    for sheet in site.rglob("*.css"):
        css = sheet.read_text(encoding="utf-8").replace("'", "").replace('"', "")
        assert "url(http" not in css and "@import http" not in css, sheet.name  # no web fonts, no remote styles

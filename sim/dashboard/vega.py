"""A Vega-Lite chart on the page, drawn by the browser from a spec the server sends.

The page sends each chart as a small Vega-Lite spec (quantiles already taken on the
server) instead of a PNG, so a new year costs a few kilobytes and the browser's drawing,
not a matplotlib render. The libraries are the ones ``solara-assets`` ships; the widget
asks for them by the exact version found in Solara's asset folder, so the page works
offline (Solara's own Vega component asks for ``vega@5`` and so needs the network).
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

import ipyvuetify
import solara
import traitlets


@functools.cache
def library_paths() -> dict[str, str]:
    """{module: path below Solara's asset URL, without '.js'} of the bundled Vega libraries."""
    from solara.server import settings

    folder = Path(settings.assets.proxy_cache_dir)
    paths = {"requirejs": "requirejs@2.3.6/require"}
    for name in ("vega", "vega-lite", "vega-embed"):
        found = sorted(folder.glob(f"{name}@*"))
        version = found[-1].name if found else f"{name}@latest"  # no bundle: the CDN proxy fetches it
        paths[name] = f"{version}/build/{name}.min"
    return paths


class VegaChart(ipyvuetify.VuetifyTemplate):
    """The widget: ``spec`` is a Vega-Lite dict; ``usermeta.aspect`` sets height / width."""

    template_file = str(Path(__file__).with_name("vega.vue"))
    spec = traitlets.Dict().tag(sync=True)
    paths = traitlets.Dict().tag(sync=True)


@solara.component
def Chart(spec: dict[str, Any]):
    """A chart that fills its column's width and keeps the spec's aspect ratio."""
    return VegaChart.element(spec=spec, paths=library_paths())

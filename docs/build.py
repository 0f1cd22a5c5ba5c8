"""Build the documentation site: execute the notebooks (cached), draw the gallery, run Sphinx.

    python docs/build.py            # -> docs/_build/html/index.html

Notebooks are executed with nbclient into ``docs/_build/executed/`` under a key that
hashes the notebook and every file of ``sim/``, ``scenarios/`` and ``seeds/``: a second
build, or the test suite's run of the same notebooks (``tests/test_notebooks.py`` writes
the same cache), reuses them; any change of the code or the notebook executes again. A
failing cell fails the build. The gallery runs each shipped scenario (100 runs, seed 1) and
draws its key figures. Sphinx then renders it all with no network (``docs/conf.py``), with
``-E -n -W --keep-going``: every page is read again each time (a saved environment would skip
unchanged pages and hide their warnings), and a broken cross-reference or internal link, or
any warning, fails it.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
from pathlib import Path

DOCS = Path(__file__).resolve().parent
ROOT = DOCS.parent
BUILD = DOCS / "_build"
CACHE = BUILD / "executed"
GENERATED = DOCS / "_generated"
GALLERY_RUNS = 100


def source_key(notebook: Path) -> str:
    """Hash of a notebook and of the code and data it runs (the cache key of its executed copy)."""
    digest = hashlib.sha256(notebook.read_bytes())
    for folder in ("sim", "scenarios", "seeds"):
        for path in sorted((ROOT / folder).rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                digest.update(str(path.relative_to(ROOT)).encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()[:20]


def cached_path(notebook: Path, key: str | None = None) -> Path:
    """Where the executed copy of a notebook is kept."""
    return CACHE / f"{notebook.stem}-{key or source_key(notebook)}.ipynb"


def executed(notebook: Path) -> Path:
    """The executed copy of a notebook, executing it if the cache has none (errors raise)."""
    import nbclient
    import nbformat

    target = cached_path(notebook)
    if not target.exists():
        document = nbformat.read(notebook, as_version=4)
        client = nbclient.NotebookClient(
            document, timeout=900, kernel_name="python3", resources={"metadata": {"path": str(notebook.parent)}}
        )
        client.execute()  # CellExecutionError on a failing cell: the build fails
        CACHE.mkdir(parents=True, exist_ok=True)
        nbformat.write(document, target)
    return target


def gallery() -> None:
    """One section per shipped scenario: its description, fan chart and bloc index."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    import sim
    from sim.plots import bloc_index_plot, fan_chart

    images = GENERATED / "gallery"
    images.mkdir(parents=True, exist_ok=True)
    lines = [
        "# Scenario gallery",
        "",
        f"Every shipped scenario (`scenarios/*.yaml`), {GALLERY_RUNS} runs with seed 1: China's and Russia's "
        "capability relative to the West's best in four sectors, and the bloc indices. Run one with "
        "`decoupling run NAME`.",
        "",
    ]
    for path in sorted((ROOT / "scenarios").glob("*.yaml")):
        scenario = sim.load_scenario(path)
        results = sim.run(scenario, runs=GALLERY_RUNS, seed=1)
        sectors = ["semiconductors", "ai", "telecom", "space"]
        for name, figure in (
            ("fan", fan_chart(results, ["United States", "China", "Russia"], sectors)),
            ("blocs", bloc_index_plot(results)),
        ):
            figure.savefig(images / f"{path.stem}_{name}.png", dpi=80, bbox_inches="tight")
            plt.close(figure)
        lines += [
            f"## {path.stem}",
            "",
            " ".join(scenario.description.split()) or "(no description)",
            "",
            f"![{path.stem}: capability relative to the West's best](gallery/{path.stem}_fan.png)",
            "",
            f"![{path.stem}: bloc indices](gallery/{path.stem}_blocs.png)",
            "",
        ]
    (GENERATED / "gallery.md").write_text("\n".join(lines), encoding="utf-8")


def main() -> int:
    """Prepare the generated pages and run Sphinx; returns Sphinx's exit code."""
    if GENERATED.exists():
        shutil.rmtree(GENERATED)
    (GENERATED / "notebooks").mkdir(parents=True)
    import nbformat

    for notebook in sorted((ROOT / "notebooks").glob("*.ipynb")):
        document = nbformat.read(executed(notebook), as_version=4)
        # Widget state would make the page load a widget manager from a CDN; the site is offline.
        document.metadata.pop("widgets", None)
        nbformat.write(document, GENERATED / "notebooks" / notebook.name)
    gallery()
    # -n -W: every cross-reference and internal link must resolve, and any warning fails the build.
    command = [
        sys.executable,
        "-m",
        "sphinx",
        "-b",
        "html",
        "-q",
        "-E",  # read every page again: a saved environment would hide the warnings of pages it skips
        "-n",
        "-W",
        "--keep-going",
        str(DOCS),
        str(BUILD / "html"),
    ]
    return subprocess.call(command)


if __name__ == "__main__":
    raise SystemExit(main())

"""The model behind the dashboard: a ``DecouplingModel`` built from a scenario and the levers.

The page (``sim.dashboard.session``) re-creates the model with keyword arguments on Reset,
and steps it on Step and Play. ``DashboardModel`` turns those keywords into an edited
scenario (``sim.dashboard.levers``). It never raises: a bad scenario path or value keeps
the last good configuration and records the one-line message in ``error``, which the
page shows above the last good results.

The state behind "keep the last good configuration" is kept per browser session (Solara's
virtual kernel), so one tab's bad input never reaches another's. The page's own rules
(which levers the user moved, what Reset applies) live in ``sim.dashboard.session``.

The paired comparison (the unedited scenario) and the counterfactual without restrictive
measures (the cost of decoupling) use the same seeds and run once per distinct scenario,
runs and seed (``_full_run`` is cached), so a change re-simulates only the edited batch.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

import xarray as xr

from sim.analysis.compare import counterfactual
from sim.config.errors import ScenarioError
from sim.config.loader import SCENARIOS, load_scenario, shipped_scenarios
from sim.config.schema import Scenario
from sim.dashboard.levers import apply_levers, lever_defaults
from sim.model import DecouplingModel, resolve_scenario

MAX_RUNS = 2000  # the page stays interactive up to here (about 1 s per 200 runs simulated)
_SESSIONS: dict[str, dict[str, Any]] = {}  # per browser session: the last good configuration


def session_state() -> dict[str, Any]:
    """The state of the current browser session (one shared state outside a Solara server)."""
    try:
        import solara

        key = solara.get_kernel_id(ipython_fallback=False)
    except Exception:  # noqa: BLE001 - no Solara context (tests, scripts): one local session
        key = "local"
    return _SESSIONS.setdefault(key, {"last_good": {}})


def resolve(scenario: str, path: str) -> Scenario:
    """The scenario a picker value (a shipped name) or a path names; a located ``ScenarioError`` if bad."""
    if path and path.strip():
        file = Path(path.strip()).expanduser()
        if not file.is_file():
            raise ScenarioError("file not found", str(file))
    else:
        file = SCENARIOS / f"{scenario}.yaml"
        if not file.is_file():
            raise ScenarioError(f"no shipped scenario '{scenario}' (choose one of {', '.join(shipped_scenarios())})")
    # Cached by path and modification time: a reset does not re-read the posterior.
    return resolve_scenario(file)[0]


@functools.lru_cache(maxsize=16)
def _full_run(scenario_json: str, runs: int, seed: int) -> xr.Dataset:
    """Every year of a scenario's runs, with metrics (cached: the reference and counterfactual runs)."""
    import sim

    return sim.run(Scenario.model_validate_json(scenario_json), runs=runs, seed=seed)


class DashboardModel(DecouplingModel):
    """A batch of ``runs`` runs of the edited scenario, stepped year by year by the page.

    Args:
        scenario_name: a shipped scenario's name (``scenarios/NAME.yaml``).
        path: a scenario YAML path; when given it replaces ``scenario_name``.
        runs: runs in the batch (1 to ``MAX_RUNS``).
        seed: root seed (default: the scenario's, as ``decoupling run`` uses); the reference
            and counterfactual runs use the same.
        scenario: Mesa's scenario object (accepted for Mesa's visualisation API; ignored).
        **levers: lever values by key (``sim.dashboard.levers.LEVERS``); absent ones keep the scenario's.

    Attributes:
        error: the message of the last rejected input, or "" if the inputs were good.
        base: the unedited scenario; edited: the scenario that runs; lever_values: the levers in force.
    """

    def __init__(
        self,
        scenario_name: str = "baseline",
        path: str = "",
        runs: int | str = 200,
        seed: int | str | None = None,
        scenario: Any = None,
        **levers: Any,
    ):
        # ``scenario`` is Mesa's own scenario object, which Mesa's SolaraViz passes on every reset;
        # randomness comes from the seed tree, so it is not used.
        del scenario
        error = ""
        state = session_state()
        last_good = state["last_good"]
        try:
            runs = _whole(runs, "runs")
            if not 1 <= runs <= MAX_RUNS:
                raise ScenarioError(f"runs must lie between 1 and {MAX_RUNS}, got {runs}", "dashboard", ("runs",))
            base = resolve(str(scenario_name), str(path or ""))
            # No seed, or an empty box: the scenario's own, as `decoupling run` uses.
            seed = base.seed if seed is None or str(seed).strip() == "" else _whole(seed, "seed")
            if seed < 0:
                raise ScenarioError(f"the seed must be a non-negative whole number, got {seed}", "dashboard", ("seed",))
            values = {**lever_defaults(base), **{k: v for k, v in levers.items() if v is not None}}
            edited = apply_levers(base, values)
            good: dict[str, Any] = {"base": base, "edited": edited, "runs": runs, "seed": seed, "levers": values}
        except (ScenarioError, ValueError, TypeError, OSError) as exc:
            error = str(exc) if isinstance(exc, ScenarioError) else f"dashboard: {exc}"
            if not last_good:  # nothing good yet: start from the shipped baseline
                base = load_scenario(SCENARIOS / "baseline.yaml")
                last_good.update(base=base, edited=base, runs=200, seed=base.seed, levers=lever_defaults(base))
            good = dict(last_good)
        last_good.update(good)
        super().__init__(good["edited"], runs=good["runs"], rng=good["seed"])
        self.error = error
        self.base: Scenario = good["base"]
        self.edited: Scenario = good["edited"]
        self.lever_values: dict[str, float] = good["levers"]

    @functools.cached_property
    def _reference(self) -> xr.Dataset:
        return _full_run(self.base.model_dump_json(), self.runs, self.seed)

    @functools.cached_property
    def _counterfactual(self) -> xr.Dataset:
        # The name is not part of the key: edits of controls leave the counterfactual unchanged.
        plain = counterfactual(self.edited).model_copy(update={"name": "counterfactual"})
        return _full_run(plain.model_dump_json(), self.runs, self.seed)

    def reference(self) -> xr.Dataset:
        """The unedited scenario's runs with the same seeds (the paired comparison)."""
        return self._reference  # the cache key (the scenario as JSON) is built once per model, not per chart

    def counterfactual(self) -> xr.Dataset:
        """The edited scenario without restrictive measures, same seeds (the cost of decoupling)."""
        return self._counterfactual

    def results(self) -> xr.Dataset:
        """The years simulated so far as a Dataset with metrics (built once per step shown)."""
        from sim.results import to_dataset

        cached = getattr(self, "_results", None)
        if cached is None or cached[0] != self.steps_done:
            self._results = (self.steps_done, to_dataset(self))
        return self._results[1]


def _whole(value: Any, key: str) -> int:
    """A whole number from a control's value (the seed is typed as text), or a one-line error."""
    try:
        number = float(str(value).strip())
    except ValueError:
        raise ScenarioError(f"'{value}' is not a whole number", "dashboard", (key,)) from None
    if not number.is_integer():
        raise ScenarioError(f"'{value}' is not a whole number", "dashboard", (key,))
    return int(number)

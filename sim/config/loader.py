"""Load a scenario: read YAML, resolve ``extends``, apply overrides, validate.

The result is a frozen ``Scenario``. Any problem raises ``ScenarioError`` with the
file, the key path and the line the offending value was written on (the child file
for inherited scenarios, ``--set`` for overrides).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from sim.config import schema
from sim.config.errors import KeyPath, ScenarioError, did_you_mean
from sim.config.references import find_problems
from sim.config.schema import Scenario
from sim.config.uncertainty import uncertainty_problems
from sim.config.yamlio import Origins, parse_yaml_text, read_yaml_file

MAX_EXTENDS_DEPTH = 20
SCENARIOS = Path(__file__).resolve().parent.parent.parent / "scenarios"  # the shipped scenarios


def shipped_scenarios() -> list[str]:
    """Names of the scenarios shipped in ``scenarios/`` (``decoupling run NAME``, the dashboard's picker)."""
    return sorted(p.stem for p in SCENARIOS.glob("*.yaml"))


def _known_field_names() -> set[str]:
    names: set[str] = set()
    for value in vars(schema).values():
        if isinstance(value, type) and issubclass(value, BaseModel):
            names.update(value.model_fields)
    return names


def _merge(base: Any, child: Any, base_origins: Origins, child_origins: Origins, path: KeyPath = ()) -> Any:
    """Deep-merge mappings (child wins); lists and scalars are replaced whole."""
    if isinstance(base, dict) and isinstance(child, dict):
        merged = dict(base)
        for key, value in child.items():
            if key in base:
                merged[key] = _merge(base[key], value, base_origins, child_origins, (*path, key))
            else:
                merged[key] = value
        return merged
    # Replaced whole: forget where the inherited pieces below this path came from.
    for key in [k for k in base_origins if k[: len(path)] == path and len(k) > len(path)]:
        del base_origins[key]
    return child


# Which file extends which: parent file name -> (child file name, line of its 'extends').
ExtendedBy = dict[str, tuple[str, int]]


def _read_with_extends(
    path: Path, chain: tuple[Path, ...] = (), extended_by: ExtendedBy | None = None
) -> tuple[dict[str, Any], Origins]:
    resolved = path.resolve()
    if resolved in chain:
        cycle = " -> ".join(str(p) for p in (*chain, resolved))
        raise ScenarioError(f"'extends' forms a cycle: {cycle}", str(path), ("extends",))
    if len(chain) >= MAX_EXTENDS_DEPTH:
        raise ScenarioError(f"'extends' is nested more than {MAX_EXTENDS_DEPTH} deep", str(path), ("extends",))
    data, origins = read_yaml_file(path)
    if data is None:
        raise ScenarioError("the file is empty; a scenario needs at least 'extends' or 'actors'", str(path))
    if not isinstance(data, dict):
        raise ScenarioError(
            f"a scenario must be a mapping of keys, not a {type(data).__name__}", str(path), (), origins[()][1]
        )
    parent_name = data.get("extends")
    if parent_name is None:
        return data, origins
    if not isinstance(parent_name, str) or not parent_name:
        raise ScenarioError("'extends' must be a file path", str(path), ("extends",), origins[("extends",)][1])
    parent_path = path.parent / parent_name
    line = origins[("extends",)][1]
    if not parent_path.exists():
        raise ScenarioError(
            f"extends '{parent_name}', which does not exist (looked for {parent_path})", str(path), ("extends",), line
        )
    if not parent_path.is_file():
        raise ScenarioError(f"extends '{parent_name}', which is not a regular file", str(path), ("extends",), line)
    if extended_by is not None:
        extended_by[str(parent_path)] = (str(path), line)
    parent, parent_origins = _read_with_extends(parent_path, (*chain, resolved), extended_by)
    merged_origins = dict(parent_origins)
    merged = _merge(parent, data, merged_origins, origins)
    merged_origins.update(origins)
    return merged, merged_origins


def _split_override(raw: str) -> tuple[list[str], Any]:
    if "=" not in raw:
        raise ScenarioError("an override must look like key.path=value", f"--set {raw}")
    key, _, text = raw.partition("=")
    parts = [p.strip() for p in key.strip().split(".")]
    if not all(parts):
        raise ScenarioError(f"'{key}' is not a dotted key path", f"--set {raw}")
    try:
        value = yaml.safe_load(text) if text.strip() else None
    except yaml.YAMLError:
        raise ScenarioError(f"cannot read value '{text}'", f"--set {raw}") from None
    return parts, value


def apply_overrides(data: dict[str, Any], origins: Origins, overrides: Mapping[str, Any]) -> dict[str, Any]:
    """Set each dotted path to its value; values given as strings are read as YAML.

    A numeric path segment indexes a list. Intermediate mappings are created.
    """
    for raw_key, value in overrides.items():
        source = f"--set {raw_key}"
        if "[" in raw_key or "]" in raw_key:
            dotted = re.sub(r"\[(\d+)\]", r".\1", raw_key)
            raise ScenarioError(f"list items are addressed with a dot and the index: '{dotted}'", source)
        parts = raw_key.split(".")
        if parts[0] == "extends":
            raise ScenarioError(
                "extends cannot be set from the command line; write a file that extends the one you want", source
            )
        if isinstance(value, str):
            _, value = _split_override(f"{raw_key}={value}")
        node: Any = data
        path: list[str | int] = []
        for i, part in enumerate(parts):
            last = i == len(parts) - 1
            if isinstance(node, list):
                if not part.isdigit() or int(part) >= len(node):
                    raise ScenarioError(
                        f"'{part}' is not an index of the list at this path (length {len(node)})", source, path
                    )
                key: str | int = int(part)
            elif isinstance(node, dict):
                key = _match_key(node, part)
            else:
                raise ScenarioError(f"cannot descend into a {type(node).__name__} value", source, path)
            path.append(key)
            if last:
                node[key] = value
            else:
                if isinstance(node, dict) and key not in node:
                    node[key] = {}
                node = node[key]
        origins[tuple(path)] = (source, 0)
    return data


def _match_key(node: dict[Any, Any], part: str) -> Any:
    """Find the existing key a path segment means (YAML keys may be numbers)."""
    if part in node:
        return part
    for key in node:
        if str(key) == part:
            return key
    try:
        number = float(part)
    except ValueError:
        return part
    return number


def _locate(origins: Origins, path: KeyPath, default_source: str) -> tuple[str, int | None]:
    candidates = [path[:n] for n in range(len(path), -1, -1)]
    for prefix in candidates:
        for key in (prefix, tuple(_numeric(p) for p in prefix)):
            if key in origins:
                source, line = origins[key]
                if key and not source.startswith("--set "):
                    # A check on a whole section (time, a policy) fails because of a value inside
                    # it: if a --set changed one, that override is the place to look.
                    overrides = [o for k, o in origins.items() if k[: len(key)] == key and o[0].startswith("--set ")]
                    if overrides:
                        return overrides[0][0], None
                return source, (line or None)
    return default_source, None


def _numeric(part: Any) -> Any:
    if isinstance(part, str):
        try:
            return float(part) if "." in part else int(part)
        except ValueError:
            return part
    return part


def _explain(error: Mapping[str, Any]) -> str:
    kind = error["type"]
    loc = error["loc"]
    if kind == "extra_forbidden":
        name = str(loc[-1])
        return f"unknown key '{name}'" + did_you_mean(name, sorted(_known_field_names()))
    if kind == "missing":
        return f"required key '{loc[-1]}' is missing"
    message = str(error["msg"]).removeprefix("Value error, ")
    if "input" in error and not isinstance(error["input"], dict | list):
        message += f" (got {error['input']!r})"
    return message


# Segments pydantic adds to an error's location to name a type, not a key of the file.
_TAG_PREFIXES = ("function-", "list[", "dict[", "literal[", "tagged-union[")
_TAG_NAMES = {
    "[key]",
    "float",
    "int",
    "str",
    "bool",
    "Uniform",
    "LogUniform",
    "Normal",
    "Triangular",
    "uniform",
    "loguniform",
    "normal",
    "triangular",
}


def located_validation_error(exc: ValidationError, origins: Origins, default_source: str) -> ScenarioError:
    """Every problem of a pydantic error as a ``ScenarioError`` at its file, key path and line.

    The first problem is the error; the others ride along in ``others`` (validate lists them).
    """
    located = []
    for error in exc.errors():
        loc: tuple = ()
        for part in error["loc"]:
            is_tag = str(part).startswith(_TAG_PREFIXES) or part in _TAG_NAMES
            if not is_tag or (*loc, part) in origins:
                loc = (*loc, part)
        source, line = _locate(origins, loc, default_source)
        located.append(ScenarioError(_explain(error), source, loc, line))
    first = located[0]
    return ScenarioError(first.message, first.source, first.path, first.line, others=located[1:])


def validate_data(data: Any, origins: Origins, default_source: str) -> Scenario:
    """Turn merged, overridden data into a ``Scenario`` or raise a located error."""
    try:
        scenario = Scenario.model_validate(data)
    except ValidationError as exc:
        raise located_validation_error(exc, origins, default_source) from None
    problems = find_problems(scenario)
    if problems:
        located = []
        for where, what in problems:
            source, line = _locate(origins, where, default_source)
            located.append(ScenarioError(what, source, where, line))
        first = located[0]
        raise ScenarioError(first.message, first.source, first.path, first.line, others=located[1:])
    return scenario


def _with_includer(error: ScenarioError, extended_by: ExtendedBy) -> ScenarioError:
    """The same error, saying which file extends the one it points at (if another file does)."""
    if error.source not in extended_by:
        return error
    child, line = extended_by[error.source]
    return ScenarioError(
        f"{error.message} (extended by {child}:{line})", error.source, error.path, error.line, others=error.others
    )


def load_scenario(path: str | Path, overrides: Mapping[str, Any] | None = None) -> Scenario:
    """Load, merge, override and validate a scenario file.

    Args:
        path: the YAML file.
        overrides: dotted key paths mapped to values, as ``--set`` gives them
            (``{"parameters.leak_quality": 0.8}``); string values are read as YAML.

    Returns:
        The frozen ``Scenario``; ``scenario_source`` records where it came from.
    """
    path = Path(path)
    extended_by: ExtendedBy = {}
    try:
        data, origins = _read_with_extends(path, extended_by=extended_by)
        data = apply_overrides(data, origins, overrides or {})
        scenario = validate_data(data, origins, str(path))
        _check_overridden_report_years(scenario, overrides or {})
    except ScenarioError as error:
        raise _with_includer(error, extended_by) from None
    if "ensemble" in data and isinstance(data["ensemble"], dict):
        scenario = _attach_posterior(scenario, data["ensemble"], origins, path, extended_by)
        # A deep uncertainty may not be a parameter the posterior file calibrates (known only now).
        for where, what in uncertainty_problems(scenario.uncertainties, set(scenario.ensemble.draws))[:1]:
            source, line = _locate(origins, where, str(path))
            raise ScenarioError(what, source, where, line)
    history = scenario.history
    if history.replay and history.timeline != "default" and not (path.parent / history.timeline).is_file():
        source, line = _locate(origins, ("history", "timeline"), str(path))
        raise ScenarioError(
            f"timeline file not found: {path.parent / history.timeline}", source, ("history", "timeline"), line
        )
    if history.replay:
        _check_timeline(scenario, path, origins)
    return scenario


def _check_overridden_report_years(scenario: Scenario, overrides: Mapping[str, Any]) -> None:
    """Report years given with --set must lie in the run (a file's may fall past a shortened horizon)."""
    keys = [k for k in overrides if k == "metrics.report_years" or k.startswith("metrics.report_years.")]
    t = scenario.time
    for key in keys:
        outside = [y for y in scenario.metrics.report_years if not t.start <= y <= t.horizon]
        if outside:
            raise ScenarioError(
                f"report year {outside[0]:g} is outside the run ({t.start:g}-{t.horizon:g})", f"--set {key}"
            )


def _attach_posterior(
    scenario: Scenario, given: dict[str, Any], origins: Origins, path: Path, extended_by: ExtendedBy
) -> Scenario:
    """Read the posterior a scenario names into ``ensemble.draws`` (see ``sim.config.ensemble``)."""
    from sim.config.ensemble import read_posterior

    spec = scenario.ensemble
    if spec.posterior is None:
        return scenario
    source, line = _locate(origins, ("ensemble", "posterior"), str(path))
    if "draws" in given or "weights" in given:
        raise ScenarioError("give either 'posterior' (a file) or 'draws', not both", source, ("ensemble",), line)
    declared_in = Path(source) if not source.startswith("--set ") else path
    posterior = declared_in.parent / spec.posterior
    if not posterior.is_file():
        raise ScenarioError(f"posterior file not found: {posterior}", source, ("ensemble", "posterior"), line)
    draws, weights = read_posterior(posterior)
    # Later wins, as in extends: a parameter set below the declaring file (or by --set) is pinned.
    parent_of = {child: parent for parent, (child, _) in extended_by.items()}
    depth, node, level = {str(path): 0}, str(path), 0
    while node in parent_of:
        node, level = parent_of[node], level + 1
        depth[node] = level
    # Named by --set, the posterior is the latest word on every file: only other --set values pin.
    limit = depth.get(str(declared_in), 0) if not source.startswith("--set ") else -1
    pinned = {
        key[1]
        for key, (where, _) in origins.items()
        if len(key) == 2 and key[0] == "parameters" and (where.startswith("--set ") or depth.get(where, 0) < limit)
    }
    kept = {name: values for name, values in draws.items() if name not in pinned}
    update = {"draws": kept, "weights": weights if kept else []}
    return scenario.model_copy(update={"ensemble": spec.model_copy(update=update)})


def _check_timeline(scenario: Scenario, path: Path, origins: Origins) -> None:
    """Read the replayed timeline now, so that what validates also runs.

    A scale the timeline uses but ``history.levels`` lacks is the scenario's mistake, so it is
    reported at that key; other problems are the timeline file's, at its line.
    """
    from sim.timeline import default_timeline_path, read_timeline
    from sim.world import build_world

    history = scenario.history
    timeline = default_timeline_path() if history.timeline == "default" else path.parent / history.timeline
    try:
        read_timeline(timeline, build_world(scenario), history)
    except ScenarioError as error:
        if error.path != ("scale",):
            raise
        source, line = _locate(origins, ("history", "levels"), str(path))
        raise ScenarioError(
            f"{error.message.split(';')[0]} used at {error.source}:{error.line}; "
            f"history.levels defines {', '.join(history.levels)}",
            source,
            ("history", "levels"),
            line,
        ) from None


def parse_scenario_text(text: str, source: str = "<text>") -> Scenario:
    """Validate a scenario given as YAML text (no ``extends``); used by notebooks and tests."""
    data, origins = parse_yaml_text(text, source)
    if not isinstance(data, dict):
        raise ScenarioError("a scenario must be a mapping of keys", source, (), 1)
    if "extends" in data:
        raise ScenarioError("'extends' needs a file; use load_scenario", source, ("extends",), origins[("extends",)][1])
    return validate_data(data, origins, source)


def parse_overrides(pairs: list[str]) -> dict[str, Any]:
    """Turn CLI ``key.path=value`` strings into an overrides mapping."""
    result: dict[str, Any] = {}
    for raw in pairs:
        parts, value = _split_override(raw)
        result[".".join(parts)] = value
    return result

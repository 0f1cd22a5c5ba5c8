"""Read YAML while remembering where every key came from.

PyYAML's ``safe_load`` forgets line numbers and silently keeps the last of two
duplicate keys; we need both the lines (for error messages) and a hard error on
duplicates. We compose the node tree once and build plain Python data from it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from sim.config.errors import KeyPath, ScenarioError

# Where each key path was written: (source name, 1-based line).
Origins = dict[KeyPath, tuple[str, int]]

# Limits that no real scenario, sweep or operator file comes near. They turn hostile input
# (endless files, alias bombs, recursive aliases, absurd nesting) into one-line errors.
MAX_FILE_BYTES = 1_000_000  # a full scenario is about 10 kB
# libyaml parses about ten times faster than pure Python and bounds nesting itself.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_TOO_LARGE = f"larger than {MAX_FILE_BYTES // 1_000_000} MB; no input file of the model needs that much"
MAX_DEPTH = 50
MAX_VALUES = 200_000


class _Budget:
    """Counts values built from the node tree; aliases are counted each time they expand."""

    def __init__(self) -> None:
        self.values = 0


def _construct(
    node: yaml.Node, source: str, path: KeyPath, origins: Origins, loader: yaml.SafeLoader, budget: _Budget
) -> Any:
    line = node.start_mark.line + 1
    if len(path) > MAX_DEPTH:
        raise ScenarioError(f"nested deeper than {MAX_DEPTH} levels (a recursive alias?)", source, path[:3], line)
    budget.values += 1
    if budget.values > MAX_VALUES:
        raise ScenarioError(f"more than {MAX_VALUES:,} values (aliases expanding without end?)", source, (), line)
    origins[path] = (source, line)
    if isinstance(node, yaml.MappingNode):
        result: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                raise ScenarioError("keys must be plain names", source, path, key_node.start_mark.line + 1)
            if key_node.tag == "tag:yaml.org,2002:merge":
                raise ScenarioError(
                    "YAML merge keys (<<) are not supported; use 'extends'", source, path, key_node.start_mark.line + 1
                )
            key = _scalar(key_node, source, path, loader)
            if key in result:
                raise ScenarioError(f"duplicate key '{key}'", source, path, key_node.start_mark.line + 1)
            child = (*path, key)
            result[key] = _construct(value_node, source, child, origins, loader, budget)
            origins[child] = (source, key_node.start_mark.line + 1)
        return result
    if isinstance(node, yaml.SequenceNode):
        return [_construct(item, source, (*path, i), origins, loader, budget) for i, item in enumerate(node.value)]
    return _scalar(node, source, path, loader)


def _scalar(node: yaml.Node, source: str, path: KeyPath, loader: yaml.SafeLoader) -> Any:
    try:
        return loader.construct_object(node, deep=True)
    except yaml.YAMLError as exc:
        raise ScenarioError(f"cannot read value: {exc}", source, path, node.start_mark.line + 1) from None


def parse_yaml_text(text: str, source: str) -> tuple[Any, Origins]:
    """Parse YAML text into plain data plus the origin of every key path."""
    if len(text) > MAX_FILE_BYTES:
        raise ScenarioError(_TOO_LARGE, source)
    try:
        node = yaml.compose(text, Loader=_LOADER)
    except RecursionError:
        raise ScenarioError("nested too deeply to read", source) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        problem = exc.problem or str(exc)
        raise ScenarioError(f"not valid YAML: {problem}", source, (), line) from None
    except yaml.YAMLError as exc:
        raise ScenarioError(f"not valid YAML: {exc}", source) from None
    origins: Origins = {}
    if node is None:
        return None, origins
    loader = yaml.SafeLoader("")  # one constructor for the whole document
    try:
        return _construct(node, source, (), origins, loader, _Budget()), origins
    finally:
        loader.dispose()


def read_yaml_file(path: Path) -> tuple[Any, Origins]:
    """Read a YAML file; a missing or unreadable file is a ``ScenarioError``."""
    try:
        if path.exists() and not path.is_file() and not path.is_dir():
            raise ScenarioError("is not a regular file", str(path))
        with path.open("rb") as handle:
            raw = handle.read(MAX_FILE_BYTES + 1)  # bounded: /dev/zero or a huge file cannot hang us
        if len(raw) > MAX_FILE_BYTES:
            raise ScenarioError(_TOO_LARGE, str(path))
        text = raw.decode("utf-8")
        if text.startswith("\ufeff"):
            text = text[1:]
    except FileNotFoundError:
        raise ScenarioError("file not found", str(path)) from None
    except IsADirectoryError:
        raise ScenarioError("is a directory, not a YAML file", str(path)) from None
    except UnicodeDecodeError:
        raise ScenarioError("is not UTF-8 text", str(path)) from None
    except OSError as exc:
        raise ScenarioError(f"cannot read file: {exc.strerror}", str(path)) from None
    return parse_yaml_text(text, str(path))

"""Shared pieces of the command line: one-line errors, argument types, progress bars."""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import NoReturn

from sim.config.errors import ScenarioError
from sim.config.loader import SCENARIOS, shipped_scenarios

EXIT_BAD_INPUT = 2


class HelpFormatter(argparse.RawDescriptionHelpFormatter):
    """Help that shows each option's default (when it has one) and keeps the examples' layout."""

    def _get_help_string(self, action: argparse.Action) -> str | None:
        text = action.help or ""
        default = action.default
        shown = default not in (None, False, [], argparse.SUPPRESS) and "%(default)" not in text
        if shown and "(default" not in text and (action.option_strings or action.nargs in ("?", "*")):
            value = " ".join(map(str, default)) if isinstance(default, list | tuple) else default
            text += f" (default: {value})"
        return text


class Parser(argparse.ArgumentParser):
    """An argument parser whose errors are one line and exit code 2, with defaults in its help."""

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("formatter_class", HelpFormatter)
        super().__init__(*args, **kwargs)

    def error(self, message: str) -> NoReturn:  # one line, exit 2, instead of usage + message
        """Report a command-line error on one line and exit with code 2."""
        raise SystemExit(fail(f"{self.prog}: {message} (see --help)"))


def fail(message: str) -> int:
    """Print ``error: message`` on stderr and return the bad-input exit code (2)."""
    print(f"error: {message}", file=sys.stderr)
    return EXIT_BAD_INPUT


def _whole_number(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a whole number") from None


def scenario_file(text: str) -> str:
    """A scenario argument (argparse type): a YAML path, or a shipped scenario's name (``full_decoupling``)."""
    path = Path(text)
    if path.exists() or path.suffix in (".yaml", ".yml") or "/" in text or "\\" in text:
        return text  # a missing file is reported by the loader, located
    shipped = SCENARIOS / f"{text}.yaml"
    if shipped.is_file():
        return str(shipped)
    raise argparse.ArgumentTypeError(
        f"'{text}' is neither a file nor a shipped scenario (shipped: {', '.join(shipped_scenarios())})"
    )


def port(text: str) -> int:
    """A TCP port number, 1024-65535 (argparse type)."""
    value = positive_int(text)
    if not 1024 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"port must lie in 1024-65535, not {value}")
    return value


def positive_int(text: str) -> int:
    """An argparse type: a whole number of at least 1."""
    value = _whole_number(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def sobol_samples(text: str) -> int:
    """An argparse type: Saltelli's base sample size, a power of two from 16 to 65,536."""
    value = _whole_number(text)
    if value < 16 or value > 65536 or value & (value - 1):
        raise argparse.ArgumentTypeError(f"must be a power of two from 16 to 65536 (64, 256, ...), got {value}")
    return value


def year(text: str) -> int:
    """A calendar year, 1900-2200 (the range scenarios and observations may use)."""
    value = _whole_number(text)
    if not 1900 <= value <= 2200:
        raise argparse.ArgumentTypeError(f"must be a year in 1900-2200, got {value}")
    return value


def seed(text: str) -> int:
    """An argparse type: a root seed, a whole number in [0, 2^63)."""
    value = _whole_number(text)
    if not 0 <= value < 2**63:
        raise argparse.ArgumentTypeError(f"must lie in [0, 2^63), got {value}")
    return value


def progress_bar(show: bool, description: str, unit: str) -> Callable[[int, int], None] | None:
    """A tqdm bar on stderr updated as ``update(done, total)``: count, rate and time left."""
    if not show:
        return None
    from tqdm import tqdm

    bars: list = []  # created on the first update, so an early error prints nothing else

    def update(done: int, total: int) -> None:
        if not bars:
            # disable=None: no bar when stderr is not a terminal (CI logs, pipes).
            bars.append(
                tqdm(
                    total=total,
                    unit=unit,
                    desc=description,
                    file=sys.stderr,
                    leave=False,
                    dynamic_ncols=True,
                    disable=None,
                )
            )
        bar = bars[0]
        bar.update(done - bar.n)
        if done >= total:
            bar.close()

    return update


def safe_name(name: str) -> str:
    """A scenario name as one folder name: letters, digits, '.', '_' and '-' only, never '..'."""
    cleaned = re.sub(r"[^A-Za-z0-9._-]+", "_", name).strip("._")
    return cleaned or "scenario"


def output_folder(text: str | Path, option: str = "-o") -> Path:
    """Create and return an output folder; a path that cannot be one is a one-line error."""
    raw = str(text)
    if "\x00" in raw:
        raise ScenarioError("a path cannot contain a NUL character", option)
    try:
        raw.encode("utf-8")
    except UnicodeEncodeError:
        raise ScenarioError("the path is not valid text (an unpaired surrogate?)", option) from None
    out = Path(raw)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ScenarioError(f"cannot create output folder: {exc.strerror}", raw) from None
    return out

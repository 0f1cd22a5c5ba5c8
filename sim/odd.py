"""Generate the parameter tables of docs/ODD.md from the schema, so the two cannot drift.

    python -m sim.odd            # rewrite the tables in docs/ODD.md in place
    python -m sim.odd --check    # exit 1 if docs/ODD.md is out of date

The tables sit between ``<!-- NAME:start -->`` and ``<!-- NAME:end -->`` markers.
"""

from __future__ import annotations

import argparse
import functools
import re
import sys
from pathlib import Path

from pydantic import BaseModel

from sim.config import schema
from sim.config.ensemble import EnsembleSpec
from sim.config.parameters import PARAMETER_NAMES, parameter_metadata

ODD = Path(__file__).resolve().parent.parent / "docs" / "ODD.md"


def _number(value: object) -> str:
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def model_parameter_table() -> str:
    """Markdown table of every scalar model parameter."""
    rows = [
        "| parameter | symbol | default | sweep range | admissible | unit | basis | claims | meaning |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for name in PARAMETER_NAMES:
        m = parameter_metadata(name)
        low, high = m["sweep"]
        rows.append(
            f"| `{name}` | {m['symbol']} | {_number(m['default'])} | {_number(low)}-{_number(high)} | "
            f"[{_number(m['ge'])}, {_number(m['le'])}] | {m['unit']} | {m['basis']} | "
            f"{', '.join(m['claims'])} | {m['meaning']} |"
        )
    return "\n".join(rows)


def _bounds(field) -> str:
    parts = []
    for item in field.metadata:
        for attr, sign in (("gt", ">"), ("ge", "≥"), ("lt", "<"), ("le", "≤"), ("min_length", "length ≥")):
            value = getattr(item, attr, None)
            if value is not None:
                parts.append(f"{sign} {_number(value)}")
    return ", ".join(parts) or "-"


def _default(field) -> str:
    if field.is_required():
        return "required"
    if field.default_factory is not None:
        value = field.default_factory()
        return "{}" if value == {} else "[]" if value == [] else f"`{value}`"
    default = field.default
    if isinstance(default, BaseModel):
        return "see below" if default.model_fields_set else "(defaults)"
    return f"`{_number(default)}`" if default is not None else "none"


STRUCTURE = (
    ("time", schema.TimeSpec),
    ("actors.NAME", schema.ActorSpec),
    ("sectors.NAME", schema.SectorSpec),
    ("relations.within_bloc / across_blocs", schema.RelationDefaults),
    ("rules", schema.RulesSpec),
    ("history", schema.HistorySpec),
    ("ensemble", EnsembleSpec),
    ("stochastic", schema.StochasticSpec),
    ("metrics", schema.MetricsSpec),
)


def scenario_input_table() -> str:
    """Markdown table of the scenario's structural inputs (per actor, sector, pair, run settings)."""
    rows = ["| key | default | bounds | meaning |", "|---|---|---|---|"]
    for prefix, model in STRUCTURE:
        for name, field in model.model_fields.items():
            if name == "label":
                continue
            rows.append(f"| `{prefix}.{name}` | {_default(field)} | {_bounds(field)} | {field.description or ''} |")
    return "\n".join(rows)


TABLES = {"parameters": model_parameter_table, "inputs": scenario_input_table}


def _framed(table: str, match: re.Match[str]) -> str:
    return match.group(1) + table + "\n" + match.group(2)


def render(text: str) -> str:
    """The ODD text with every generated table replaced by its current version."""
    for name, make in TABLES.items():
        pattern = re.compile(rf"(<!-- {name}:start -->\n).*?(<!-- {name}:end -->)", re.S)
        if not pattern.search(text):
            raise ValueError(f"docs/ODD.md has no '{name}' markers")
        # A literal replacement (a function, so backslashes in the table stay as they are).
        replacement = make()
        text = pattern.sub(functools.partial(_framed, replacement), text)
    return text


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit code (2 for bad input of any kind)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if docs/ODD.md is out of date")
    args = parser.parse_args(argv)
    current = ODD.read_text(encoding="utf-8")
    updated = render(current)
    if args.check:
        if updated != current:
            print("docs/ODD.md parameter tables are out of date: run python -m sim.odd", file=sys.stderr)
            return 1
        return 0
    ODD.write_text(updated, encoding="utf-8")
    print(f"updated {ODD}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

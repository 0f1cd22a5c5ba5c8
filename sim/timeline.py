"""Read the real policy timeline (CSV) into events the schedule can replay.

Columns: date, imposer, target, sectors, kind, scale, description, reference, and three
optional ones: ``coverage``, the share of the listed sectors' flows from imposer to target
that a control covers (blank: the scale's level from ``history.levels``); ``end``, the date
an act was lifted (blank: it stays in force); ``act``, the name of the group of rows whose
coverage is uncertain together, scaled in each run by the model parameter
``coverage_<act>`` (blank: the coverage is fixed).
``imposer``/``target`` name actors or blocs (several joined by ';'); ``sectors`` is
'all' or names joined by ';'. Every problem names the file and its line.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from sim.config.csvio import read_csv_rows
from sim.config.errors import ScenarioError
from sim.config.parameters import COVERAGE_ACTS
from sim.config.schema import HistorySpec
from sim.periods import decimal_year
from sim.world import World

KINDS = (
    "sanctions",
    "export_control",
    "counter_control",
    "investment_program",
    "data_localization",
    "cooperation_agreement",
)
RESTRICTIVE = ("sanctions", "export_control", "counter_control", "data_localization")
COLUMNS = ("date", "imposer", "target", "sectors", "kind", "scale", "description", "reference")


@dataclass(frozen=True)
class PolicyEvent:
    """One dated policy act, resolved to indices of the world's actors and sectors."""

    time: float  # decimal year
    kind: str
    imposers: tuple[int, ...]
    targets: tuple[int, ...]
    sectors: tuple[int, ...]
    level: float
    coverage: float | None  # share of flows a control covers, when the row gives it
    description: str
    end: float = float("inf")  # decimal year the act was lifted
    act: str | None = None  # group whose coverage each run scales by ``coverage_<act>``


def default_timeline_path() -> Path:
    """The policy timeline shipped with the package."""
    return Path(str(resources.files("sim") / "data" / "policy_timeline.csv"))


def _decimal_year(text: str) -> float:
    return decimal_year(dt.date.fromisoformat(text))


def read_timeline(path: Path, world: World, history: HistorySpec) -> list[PolicyEvent]:
    """Parse and resolve the timeline; raise ``ScenarioError`` at the first bad row."""
    source = str(path)
    header, rows = read_csv_rows(path, "timeline file")
    if tuple(header[: len(COLUMNS)]) != COLUMNS:
        raise ScenarioError(f"timeline header must be {','.join(COLUMNS)}", source, (), 1)
    events = []
    for line, row in rows:
        event = _event(row, world, history, source, line)
        if history.restrictions or event.kind not in RESTRICTIVE:
            events.append(event)
    return events


def _resolve(names: str, world: World, source: str, column: str, line: int) -> tuple[int, ...]:
    found: list[int] = []
    for name in (n.strip() for n in names.split(";")):
        try:
            found.extend(world.members(name))
        except KeyError:
            raise ScenarioError(
                f"unknown actor or bloc '{name}' (set history.replay: false, or give a timeline that fits your actors)",
                source,
                (column,),
                line,
            ) from None
    return tuple(sorted(set(found)))


def _event(row: dict[str, str], world: World, history: HistorySpec, source: str, line: int) -> PolicyEvent:
    try:
        time = _decimal_year(row["date"].strip())
    except (ValueError, AttributeError):
        raise ScenarioError(f"date '{row['date']}' is not YYYY-MM-DD", source, ("date",), line) from None
    kind = (row["kind"] or "").strip()
    if kind not in KINDS:
        raise ScenarioError(f"unknown kind '{kind}'; expected one of {', '.join(KINDS)}", source, ("kind",), line)
    scale = (row["scale"] or "").strip()
    if scale not in history.levels:
        raise ScenarioError(
            f"unknown scale '{scale}'; history.levels defines {', '.join(history.levels)}", source, ("scale",), line
        )
    sector_text = (row["sectors"] or "").strip()
    if sector_text == "all":
        sectors = tuple(range(world.n_sectors))
    else:
        names = [history.sector_aliases.get(s.strip(), s.strip()) for s in sector_text.split(";")]
        unknown = [s for s in names if s not in world.sectors]
        if unknown:
            raise ScenarioError(f"unknown sector '{unknown[0]}'", source, ("sectors",), line)
        sectors = tuple(world.sectors.index(s) for s in names)
    coverage_text = (row.get("coverage") or "").strip()
    coverage = None
    if coverage_text:
        try:
            coverage = float(coverage_text)
        except ValueError:
            coverage = -1.0
        if not 0.0 <= coverage <= 1.0:
            raise ScenarioError(f"coverage '{coverage_text}' must be a number in [0, 1]", source, ("coverage",), line)
    end = float("inf")
    end_text = (row.get("end") or "").strip()
    if end_text:
        try:
            end = _decimal_year(end_text)
        except ValueError:
            raise ScenarioError(f"end '{end_text}' is not YYYY-MM-DD", source, ("end",), line) from None
        if end <= time:
            raise ScenarioError(f"end {end_text} is not after the date {row['date'].strip()}", source, ("end",), line)
    act = (row.get("act") or "").strip() or None
    if act is not None:
        if act not in COVERAGE_ACTS:
            raise ScenarioError(
                f"unknown act '{act}'; acts with a coverage parameter: {', '.join(COVERAGE_ACTS)}",
                source,
                ("act",),
                line,
            )
        if kind not in ("sanctions", "export_control", "counter_control"):
            raise ScenarioError(
                f"act '{act}' scales coverage, which a {kind} row does not have", source, ("act",), line
            )
    return PolicyEvent(
        time=time,
        end=end,
        act=act,
        kind=kind,
        coverage=coverage,
        imposers=_resolve(row["imposer"] or "", world, source, "imposer", line),
        targets=_resolve(row["target"] or "", world, source, "target", line),
        sectors=sectors,
        level=history.levels[scale],
        description=(row["description"] or "").strip(),
    )

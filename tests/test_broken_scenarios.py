"""Every file in tests/broken_scenarios is rejected with a clear, located, one-line error.

Each file starts with ``# expect: <fragment of the message>`` and, where the error has
a line, ``# line: N``.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from sim.cli import main
from sim.config import ScenarioError, load_scenario

FOLDER = Path(__file__).parent / "broken_scenarios"
FILES = sorted(FOLDER.glob("*.yaml"))


def _expectation(path: Path) -> tuple[str, int | None]:
    text = path.read_text(encoding="utf-8")
    expect = re.search(r"^# expect: (.+)$", text, re.M)
    line = re.search(r"^# line: (\d+)$", text, re.M)
    assert expect, f"{path.name} has no '# expect:' header"
    return expect.group(1).strip(), int(line.group(1)) if line else None


def test_there_are_at_least_fifty_broken_files():
    assert len(FILES) >= 50


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_broken_file_is_rejected_with_located_message(path: Path):
    fragment, line = _expectation(path)
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    message = str(info.value)
    assert fragment in message, message
    assert "\n" not in message
    assert "Traceback" not in message
    if line is not None:
        assert message.startswith(f"{path}:{line}:"), message
    else:
        assert str(path.name) in message or "cycle_partner" in message, message


@pytest.mark.parametrize("path", FILES[::7], ids=[p.stem for p in FILES[::7]])
def test_cli_validate_exits_2_with_one_line(path: Path, capsys):
    assert main(["validate", str(path)]) == 2
    captured = capsys.readouterr()
    lines = captured.err.strip().splitlines()
    # One line per problem; a file with several ends with their count ("2 problems").
    if len(lines) > 1:
        assert lines[-1] == f"{len(lines) - 1} problems", lines
        lines = lines[:-1]
    assert all(line.startswith("error: ") for line in lines), lines
    assert captured.out == ""

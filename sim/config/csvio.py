"""Read the project's CSV inputs (observations, policy timelines, design tables) safely.

One reader for every CSV a user may hand us: bounded in size, UTF-8 with or without a
byte-order mark or UTF-16 with one (what spreadsheets save), anything else refused with
the line of the first bad byte; a quoted field that runs over lines (an unterminated
quote) or an over-long field is an error at its line, not rows silently swallowed.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from sim.config.errors import ScenarioError

MAX_CSV_BYTES = 50_000_000


def _decode(raw: bytes, source: str) -> str:
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return raw.decode("utf-16")
        except UnicodeDecodeError:
            raise ScenarioError("starts like UTF-16 but is not valid UTF-16 text", source) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise ScenarioError(
            "is not UTF-8 text (nor UTF-16 with a byte-order mark); save it as UTF-8 CSV", source, (), line
        ) from None
    if "\x00" in text:  # UTF-16 without a byte-order mark decodes as UTF-8 with NULs between letters
        line = text[: text.index("\x00")].count("\n") + 1
        raise ScenarioError(
            "is not UTF-8 text (NUL bytes: UTF-16 without a byte-order mark?); save it as UTF-8 CSV", source, (), line
        )
    return text


def read_csv_rows(path: str | Path, what: str) -> tuple[list[str], list[tuple[int, dict[str, str]]]]:
    """Header and (line, row) pairs of a CSV file; every problem is a located ``ScenarioError``.

    Args:
        path: the file.
        what: what the file is, for messages ("observations file", "timeline file").
    """
    path = Path(path)
    source = str(path)
    try:
        if path.exists() and not path.is_file():
            raise ScenarioError(f"{what} is not a regular file", source)
        with path.open("rb") as handle:
            raw = handle.read(MAX_CSV_BYTES + 1)
    except OSError:
        raise ScenarioError(f"{what} not found or unreadable", source) from None
    if len(raw) > MAX_CSV_BYTES:
        raise ScenarioError(f"{what} is larger than {MAX_CSV_BYTES // 1_000_000} MB", source)
    reader = csv.DictReader(io.StringIO(_decode(raw, source), newline=""))
    rows: list[tuple[int, dict[str, str]]] = []
    try:
        header = [name.strip() for name in (reader.fieldnames or [])]
        reader.fieldnames = header
        last = reader.line_num
        for row in reader:
            if reader.line_num - last > 1:
                raise ScenarioError(
                    "a quoted field runs over several lines (an unterminated quote?)", source, (), last + 1
                )
            last = reader.line_num
            if None in row:
                raise ScenarioError(f"more fields than the header's {len(header)}", source, (), last)
            rows.append((last, {k: (v or "") for k, v in row.items()}))
    except csv.Error as exc:
        raise ScenarioError(f"not a valid CSV: {exc}", source, (), reader.line_num) from None
    return header, rows

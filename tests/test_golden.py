"""The baseline scenario still gives the stored golden summary (tests/golden/baseline.json)."""

from __future__ import annotations

import json

import pytest

from tests.golden_baseline import PATH, RUNS, SEED, summarise


def test_baseline_matches_golden_summary():
    stored = json.loads(PATH.read_text())
    assert (stored["runs"], stored["seed"]) == (RUNS, SEED)
    current = summarise()
    assert set(current) == set(stored["summary"])
    changed = {
        k: (stored["summary"][k], v)
        for k, v in current.items()
        if v != pytest.approx(stored["summary"][k], rel=1e-6, abs=1e-9)
    }
    assert not changed, (
        f"{len(changed)} golden values moved (refresh with "
        f"`python -m tests.golden_baseline --refresh` only if intended): {dict(list(changed.items())[:5])}"
    )

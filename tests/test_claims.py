"""The claims register (seeds/claims.yaml) is complete and every name in it exists."""

from __future__ import annotations

import importlib
import inspect
import re

import pytest
import yaml

import sim
from sim.config import PARAMETER_NAMES
from sim.config.schema import Scenario
from tests.conftest import ROOT, SCENARIOS

REGISTER = yaml.safe_load((ROOT / "seeds" / "claims.yaml").read_text())
MECHANISMS = {m["id"]: m for m in REGISTER["mechanisms"]}
CLAIMS = {c["id"]: c for c in REGISTER["claims"]}
RULE_MODULES = ("channels", "closure", "espionage", "growth", "inputs", "policy", "trust")


def _function(dotted: str):
    module, name = dotted.rsplit(".", 1)
    return getattr(importlib.import_module(module), name)


def test_every_claim_of_the_article_is_registered():
    assert sorted(CLAIMS) == [f"C{i:02d}" for i in range(1, 35)]
    source = ROOT.parent / "shared" / "seeds" / "claims.md"
    if source.exists():  # the shared register, when present, lists the same ids
        assert sorted(set(re.findall(r"^\| (C\d\d) \|", source.read_text(), re.M))) == sorted(CLAIMS)


@pytest.mark.parametrize("claim", sorted(CLAIMS))
def test_claim_has_an_implementation_that_exists(claim):
    entry = CLAIMS[claim]
    assert entry["mechanisms"], f"{claim} names no mechanism"
    assert entry["outputs"], f"{claim} names no output"
    for mechanism in entry["mechanisms"]:
        assert mechanism in MECHANISMS, mechanism
        assert claim in MECHANISMS[mechanism]["claims"], f"{mechanism} does not list {claim}"
    for parameter in entry["parameters"]:
        if "." in parameter or parameter in Scenario.model_fields:
            _assert_schema_path(parameter)
        else:
            assert parameter in PARAMETER_NAMES, parameter
    for scenario in entry["scenarios"]:
        assert (SCENARIOS / f"{scenario}.yaml").is_file(), scenario


def test_outputs_are_variables_of_the_results():
    ds = sim.run(runs=2, seed=1)
    for claim in CLAIMS.values():
        for output in claim["outputs"]:
            assert output in ds, (claim["id"], output)


def test_every_mechanism_cites_claims_and_its_functions_exist():
    for mechanism in MECHANISMS.values():
        assert mechanism["claims"], mechanism["id"]
        for claim in mechanism["claims"]:
            assert claim in CLAIMS and mechanism["id"] in CLAIMS[claim]["mechanisms"], (mechanism["id"], claim)
        for dotted in mechanism["functions"]:
            function = _function(dotted)
            cited = set(re.findall(r"C\d\d", (function.__doc__ or "") + (inspect.getmodule(function).__doc__ or "")))
            assert cited & set(mechanism["claims"]), f"{dotted} cites none of {mechanism['claims']}"


def test_every_rule_function_belongs_to_a_mechanism():
    listed = {f for m in MECHANISMS.values() for f in m["functions"]}
    for module_name in RULE_MODULES:
        module = importlib.import_module(f"sim.rules.{module_name}")
        for name, function in inspect.getmembers(module, inspect.isfunction):
            if function.__module__ == module.__name__ and not name.startswith("_"):
                assert f"sim.rules.{module_name}.{name}" in listed, f"sim.rules.{module_name}.{name} is in no mechanism"


def _assert_schema_path(path: str) -> None:
    model = Scenario
    parts = path.split(".")
    for i, part in enumerate(parts):
        if part == "*":
            continue
        fields = getattr(model, "model_fields", None)
        assert fields and part in fields, f"{path}: no key '{part}'"
        annotation = fields[part].annotation
        nested = _model_in(annotation)
        if i + 1 < len(parts):
            assert nested is not None, f"{path}: '{part}' has no keys"
            model = nested


def _model_in(annotation):
    from pydantic import BaseModel

    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in getattr(annotation, "__args__", ()):
        found = _model_in(arg)
        if found is not None:
            return found
    return None

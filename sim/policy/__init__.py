"""Robust policy search (many-objective robust decision making) on the batch engine.

``optimize`` runs ε-NSGA-II over the levers of a policy-search file, each generation one
call to the batch engine over a fixed scenario ensemble, then re-evaluates the Pareto set
on a fresh ensemble and explains each chosen policy's failures with PRIM.
"""

from sim.policy.mordm import PolicySearch, open_search, optimize
from sim.policy.spec import PolicySpec, load_policy_spec

__all__ = ["PolicySearch", "PolicySpec", "load_policy_spec", "open_search", "optimize"]

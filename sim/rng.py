"""The seed tree: one SeedSequence per run, named streams, counter-based draws.

Run i of a batch with root seed S gets the key of ``SeedSequence(S, spawn_key=(i,))``,
the same child ``SeedSequence(S).spawn(i + 1)[i]`` would give, so a run's randomness
depends only on (S, i), never on the batch it shares or the worker it runs on.

Within a run, each stochastic process has a named stream; its draws at step t for
element j are a fixed function of (run key, stream, t, j), computed by a SplitMix64
finaliser over the counter. numpy has no vectorised keyed generator (a Generator per
run would force a Python loop over runs inside every step), so the hash is ours; its
uniformity and independence are tested in tests/test_rng.py.

Because streams are keyed by name, two scenarios with the same seed share their shocks
(common random numbers): the difference between them is the policy, not noise.
"""

from __future__ import annotations

import zlib

import numpy as np
from scipy.special import ndtri

from sim.kernels import keyed_uniforms

_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_S30, _S27, _S31, _S11 = (np.uint64(n) for n in (30, 27, 31, 11))


def _mix(z: np.ndarray) -> np.ndarray:
    """SplitMix64 finaliser: a bijective avalanche of 64-bit integers (wraps by design)."""
    z = (z ^ (z >> _S30)) * _M1
    z = (z ^ (z >> _S27)) * _M2
    return z ^ (z >> _S31)


def run_keys(seed: int, first_run: int, n_runs: int) -> np.ndarray:
    """64-bit keys of runs ``first_run .. first_run + n_runs - 1``: shape (n_runs,), uint64."""
    return keys_for(np.full(n_runs, seed), first_run + np.arange(n_runs))


def keys_for(seeds: np.ndarray, streams: np.ndarray) -> np.ndarray:
    """Key of each run from its root seed and stream id: ``SeedSequence(seed, spawn_key=(stream,))``.

    The loop runs once per model construction, not per step.
    """
    return np.array(
        [
            np.random.SeedSequence(int(seed), spawn_key=(int(stream),)).generate_state(1, np.uint64)[0]
            for seed, stream in zip(seeds, streams, strict=True)
        ],
        dtype=np.uint64,
    )


def stream_code(name: str) -> np.uint64:
    """A fixed 64-bit code for a stream name (stable across Python versions and machines)."""
    return _mix(np.array([zlib.crc32(name.encode())], dtype=np.uint64) * _GOLDEN)[0]


class Streams:
    """Named random streams for a batch of runs.

    Args:
        keys: run keys from ``run_keys``, shape (R,).
    """

    def __init__(self, keys: np.ndarray) -> None:
        self.keys = keys.astype(np.uint64)
        self._codes: dict[str, np.uint64] = {}

    def _keys_and_counters(self, name: str, step: int, shape: tuple[int, ...]) -> tuple[np.ndarray, np.ndarray]:
        """(R,) stream keys (run key mixed with the stream's code) and (N,) mixed element counters."""
        code = self._codes.get(name)
        if code is None:
            code = self._codes[name] = stream_code(name)
        size = int(np.prod(shape, dtype=np.int64))
        # Counter = (step, element); the stream key mixes run key and stream code.
        counter = np.uint64(step) * np.uint64(size) + np.arange(size, dtype=np.uint64)
        return _mix(self.keys ^ code), _mix(counter + _GOLDEN)

    def _bits(self, name: str, step: int, shape: tuple[int, ...]) -> np.ndarray:
        stream_key, mixed = self._keys_and_counters(name, step, shape)
        bits = _mix(stream_key[:, None] ^ mixed[None, :])
        return bits.reshape((len(self.keys), *shape))

    def uniform(self, name: str, step: int, shape: tuple[int, ...]) -> np.ndarray:
        """Uniform draws in the open interval (0, 1): shape (R, *shape).

        The top 53 bits of ``_bits``, centred in their interval; computed by the compiled
        ``sim.kernels.keyed_uniforms``, which gives the same numbers as ``uniform_numpy``.
        """
        stream_key, mixed = self._keys_and_counters(name, step, shape)
        return keyed_uniforms(stream_key, mixed).reshape((len(self.keys), *shape))

    def uniform_numpy(self, name: str, step: int, shape: tuple[int, ...]) -> np.ndarray:
        """``uniform`` in numpy operations: the reference the compiled form is tested against."""
        bits = self._bits(name, step, shape)
        return ((bits >> _S11).astype(np.float64) + 0.5) * (1.0 / 2**53)

    def normal(self, name: str, step: int, shape: tuple[int, ...]) -> np.ndarray:
        """Standard normal draws by inverting the CDF: shape (R, *shape)."""
        return ndtri(self.uniform(name, step, shape))

    def normal_where(self, name: str, step: int, shape: tuple[int, ...], mask: np.ndarray) -> np.ndarray:
        """``normal(name, step, shape)[mask]``, inverting the CDF only where ``mask`` (R, *shape) holds.

        The same numbers (each draw is a function of its element alone), for the cost of
        the uniforms: rare events need the size of the few that happen.
        """
        return ndtri(self.uniform(name, step, shape)[mask])

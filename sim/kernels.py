"""Compiled kernels (numba) for a step's heaviest passes, with the same bits as the numpy rules.

The two pair-sector blocks (inputs and knowledge) walk the (run, receiver, origin, sector)
block once instead of building a dozen (R, A, A, S) temporaries with numpy, which was about
half of a step's time; the control pairs' channels, the controls in force, espionage's
sector pick and the keyed uniform draws are single passes too. The kernels compute exactly
what the rules in ``sim.rules`` and ``sim.rng`` compute, with the same operations in the
same order, so the bits are the same:

* only +, −, ×, ÷, min and max run here (and exact integer operations for the uniforms);
  every exp, log and power stays in numpy, whose
  vector exp and log differ in the last bit from the C library's for a few per cent of
  arguments (the callers pass powers in, computed by ``sim.rules.common.power``);
* a sum over origins adds origin 0, 1, 2, … in turn, as numpy's reduction over a middle
  axis does; the loops run over sectors innermost, with one running sum per sector, so
  the compiler can use vector instructions without reordering any sum;
* no fastmath, so nothing is reordered or fused into FMA instructions.

``tests/test_kernels.py`` checks bit equality against the numpy path
(``sim.dynamics.observe(..., fused=False)``) on every shipped scenario.

Pair arguments: ``pair_of[a, b]`` is the index of the control pair whose target is the
receiver ``a`` and whose controller is the origin ``b``, or −1 (an (A, A) int array).
"""

from __future__ import annotations

import numpy as np
from numba import njit

Array = np.ndarray


@njit(cache=True, nogil=True, error_model="numpy")
def input_block(
    domestic: Array,
    import_share: Array,
    disrupted: Array,
    passing: Array,
    pair_of: Array,
    access: Array,
    attraction_quality: Array,
    substitute: Array,
    previous_resourced: Array,
    immediate: Array,
    capability: Array,
    free_shares: Array,
    shares: Array,
    lost: Array,
    resourced: Array,
    supplied: Array,
    free: Array,
    home: Array,
) -> None:
    """Supply by origin after controls, shocks and re-sourcing, and its quality-weighted sums (C04, C05, C28, C31).

    Inputs: domestic μ (R, A, S); import_share (A, A, S); disrupted (R, A, S) by supplier;
    passing (R, P, S) open share of control pairs; pair_of (A, A); access (A, A);
    attraction_quality K^θ (R, A, S); substitute (R, P, S); previous_resourced (R, A, S);
    immediate r (R,); capability K (R, A, S); free_shares (A, A, S).

    Outputs (written in place): shares (R, A, A, S) receiver-major, home on the diagonal
    (only where ``shares`` has R rows: a (0, 0, 0, 0) array skips them);
    lost L, resourced, supplied, free (unrestricted supply) and home share, (R, A, S) each.
    Equations: ``inputs.origin_shares``, ``lost_volume``, ``resourced_volume``,
    ``sourcing_attraction``, ``resourced_shares``, ``supply``, ``home_share``.
    """
    runs, n_a, n_s = domestic.shape
    keep_shares = shares.shape[0] == runs
    delivered = np.empty((n_a, n_s))
    attraction = np.empty((n_a, n_s))
    total_delivered = np.empty(n_s)
    total_attraction = np.empty(n_s)
    per = np.empty(n_s)
    total_supply = np.empty(n_s)
    total_free = np.empty(n_s)
    for r in range(runs):
        for a in range(n_a):
            total_delivered[:] = 0.0
            total_attraction[:] = 0.0
            for b in range(n_a):
                # Branches hoisted out of the sector loops, so that those loops vectorise.
                if b == a:
                    for s in range(n_s):
                        delivered[b, s] = domestic[r, a, s] * (1.0 - disrupted[r, b, s])
                else:
                    for s in range(n_s):
                        delivered[b, s] = (1.0 - domestic[r, a, s]) * import_share[a, b, s] * (1.0 - disrupted[r, b, s])
                tie = access[a, b]
                for s in range(n_s):
                    attraction[b, s] = tie * attraction_quality[r, b, s]
                p = pair_of[a, b]
                if p >= 0:
                    for s in range(n_s):
                        delivered[b, s] = delivered[b, s] * passing[r, p, s]
                        attraction[b, s] = attraction[b, s] * substitute[r, p, s]
                for s in range(n_s):
                    total_delivered[s] += delivered[b, s]
                    total_attraction[s] += attraction[b, s]
            for s in range(n_s):
                gone = max(0.0, 1.0 - total_delivered[s])
                volume = min(max(previous_resourced[r, a, s], immediate[r] * gone), gone)
                per[s] = volume / total_attraction[s] if total_attraction[s] > 0 else 0.0
                lost[r, a, s] = gone
                resourced[r, a, s] = volume
            total_supply[:] = 0.0
            total_free[:] = 0.0
            for b in range(n_a):
                for s in range(n_s):
                    share = delivered[b, s] + attraction[b, s] * per[s]
                    delivered[b, s] = share
                    total_supply[s] += share * capability[r, b, s]
                    total_free[s] += free_shares[a, b, s] * capability[r, b, s]
                if keep_shares:
                    shares[r, a, b, :] = delivered[b, :]
            for s in range(n_s):
                supplied[r, a, s] = total_supply[s]
                free[r, a, s] = total_free[s]
                home_supply = delivered[a, s] * capability[r, a, s]
                home[r, a, s] = home_supply / total_supply[s] if total_supply[s] > 0 else 0.0


@njit(cache=True, nogil=True, error_model="numpy", inline="always")
def _raw_weights(source_share, flow_cut, stricter, data_intensity, passing, pair_of, r, a, b, out):
    """The knowledge channel's raw weights of source b for receiver a, (S,) into ``out``.

    ``stricter`` is (1, A, A), shared by every run, or (R, A, A), one per run.
    """
    cut = flow_cut[r] * stricter[r if stricter.shape[0] > 1 else 0, a, b]
    p = pair_of[a, b]
    for s in range(out.shape[0]):
        out[s] = source_share[a, b, s] * (1.0 - cut * data_intensity[s])
    if p >= 0:
        for s in range(out.shape[0]):
            out[s] = out[s] * passing[r, p, s]


@njit(cache=True, nogil=True, error_model="numpy")
def knowledge_sources(
    source_share: Array, flow_cut: Array, stricter: Array, data_intensity: Array, passing: Array, pair_of: Array
) -> Array:
    """Σ_b of the knowledge channel's raw weights, (R, A, S): what ``inputs.redirect`` rescales by.

    Raw weight: source_share[a, b, s] · (1 − κ_flow · stricter[a, b] · dat_s), times the open
    share on control pairs (``channels.data_flow_factor``). flow_cut κ_flow is (R,).
    """
    runs = flow_cut.shape[0]
    n_a, _, n_s = source_share.shape
    remaining = np.zeros((runs, n_a, n_s))
    raw = np.empty(n_s)
    for r in range(runs):
        for a in range(n_a):
            for b in range(n_a):
                _raw_weights(source_share, flow_cut, stricter, data_intensity, passing, pair_of, r, a, b, raw)
                for s in range(n_s):
                    remaining[r, a, s] += raw[s]
    return remaining


@njit(cache=True, nogil=True, error_model="numpy")
def knowledge_block(
    source_share: Array,
    flow_cut: Array,
    stricter: Array,
    data_intensity: Array,
    passing: Array,
    pair_of: Array,
    divisor: Array,
    open_factor: Array,
    potency: Array,
    capability: Array,
    kernel: Array,
    logistic: bool,
    kernel_first: Array,
    kernel_second: Array,
    rival_first: Array,
    rival_second: Array,
    catch_up_sum: Array,
    kernel_pairs: Array,
    rival_open: Array,
) -> None:
    """Knowledge channel weights times the catch-up kernel, summed over sources; pair gathers (C08, C22, C23, C25, C26).

    ``open = raw / divisor · (1 − friction)`` (``inputs.redirect``, divisor (R, A, S) =
    max(remaining, 1e-6)^r); ``knowledge = potency · open`` (potency (R,)); kernel
    Φ = max(0, 1 − K_a/K_b) when ``logistic``, else read from ``kernel`` (R, A, A, S).
    open_factor is 1 − friction, (A, A).

    Outputs (in place): catch_up_sum Σ_b knowledge·Φ (R, A, S); kernel_pairs Φ on the
    pairs (kernel_first, kernel_second), (R, K, S); rival_open the open weights on the
    pairs (rival_first, rival_second), (R, Q, S), for the decoupling index.
    """
    runs, n_a, n_s = capability.shape
    raw = np.empty(n_s)
    total = np.empty(n_s)
    for r in range(runs):
        for a in range(n_a):
            total[:] = 0.0
            for b in range(n_a):
                _raw_weights(source_share, flow_cut, stricter, data_intensity, passing, pair_of, r, a, b, raw)
                keep = open_factor[a, b]
                if logistic:
                    for s in range(n_s):
                        phi = max(1.0 - capability[r, a, s] / capability[r, b, s], 0.0)
                        total[s] += potency[r] * (raw[s] / divisor[r, a, s] * keep) * phi
                else:
                    for s in range(n_s):
                        total[s] += potency[r] * (raw[s] / divisor[r, a, s] * keep) * kernel[r, a, b, s]
            catch_up_sum[r, a, :] = total
        for q in range(kernel_first.shape[0]):
            a, b = kernel_first[q], kernel_second[q]
            for s in range(n_s):
                if logistic:
                    kernel_pairs[r, q, s] = max(1.0 - capability[r, a, s] / capability[r, b, s], 0.0)
                else:
                    kernel_pairs[r, q, s] = kernel[r, a, b, s]
        for q in range(rival_first.shape[0]):
            a, b = rival_first[q], rival_second[q]
            _raw_weights(source_share, flow_cut, stricter, data_intensity, passing, pair_of, r, a, b, raw)
            for s in range(n_s):
                rival_open[r, q, s] = raw[s] / divisor[r, a, s] * open_factor[a, b]


@njit(cache=True, nogil=True, error_model="numpy")
def controls_in_force(
    own: Array,
    allied: Array,
    act_own: Array,
    act_allied: Array,
    act_scale: Array,
    act_in_force: Array,
    alignment: Array,
    escalation: Array,
) -> Array:
    """Controls in force on control pairs, (R, P, S): min(1, max(own, α·allied) + escalation) (C04, C27).

    ``own`` and ``allied`` (P, S) are the scheduled controls of the step with the acts that
    no run varies folded in; each act j in force (``act_in_force`` (J,)) adds its run's
    multiplier ``act_scale`` (J, R) times its controls ``act_own``/``act_allied`` (J, P, S),
    by maximum (``sim.context.policy_in_force``). alignment α is (R,), escalation (R, P, S).
    """
    runs, n_p, n_s = escalation.shape
    out = np.empty((runs, n_p, n_s))
    mine = np.empty(n_s)
    bloc = np.empty(n_s)
    for r in range(runs):
        for p in range(n_p):
            mine[:] = own[p]
            bloc[:] = allied[p]
            for j in range(act_own.shape[0]):
                if act_in_force[j]:
                    scale = act_scale[j, r]
                    for s in range(n_s):  # maxima: exact in any order
                        mine[s] = max(mine[s], scale * act_own[j, p, s])
                        bloc[s] = max(bloc[s], scale * act_allied[j, p, s])
            for s in range(n_s):
                out[r, p, s] = min(1.0, max(mine[s], alignment[r] * bloc[s]) + escalation[r, p, s])
    return out


@njit(cache=True, nogil=True, error_model="numpy")
def espionage_pick(happened: Array, sector_draw: Array, kernel: Array, weight: Array) -> tuple[Array, Array]:
    """The sector each event steals in and the gap it closes there (``espionage.stolen_gain``, C24).

    Args:
        happened: (R, P) bool, an event occurred (P: hostile pairs, spy first).
        sector_draw: (R, P) uniform in (0, 1) choosing the sector.
        kernel: Φ(K_spy/K_victim), (R, P, S).
        weight: ω_s, (S,).

    Returns:
        picked (R, P, S): Φ in the chosen sector of an effective event, 0 elsewhere; and
        effective (R, P) bool. The sector is the first whose cumulative ω·Φ reaches the
        draw times the total (the running sum adds sectors in order, as ``np.cumsum``).
    """
    runs, n_p, n_s = kernel.shape
    picked = np.zeros((runs, n_p, n_s))
    effective = np.zeros((runs, n_p), dtype=np.bool_)
    cumulative = np.empty(n_s)
    for r in range(runs):
        for p in range(n_p):
            total = 0.0
            for s in range(n_s):
                total += kernel[r, p, s] * weight[s]
                cumulative[s] = total
            if not (happened[r, p] and total > 0):
                continue
            effective[r, p] = True
            threshold = sector_draw[r, p] * total
            chosen = 0  # as np.argmax of an all-False row
            for s in range(n_s):
                if cumulative[s] >= threshold:
                    chosen = s
                    break
            picked[r, p, chosen] = kernel[r, p, chosen]
    return picked, effective


@njit(cache=True, nogil=True, error_model="numpy")
def control_channels(
    controls: Array,
    target: Array,
    n_actors: int,
    evasion: Array,
    enforcement: Array,
    quality: Array,
    premium: Array,
    closure: Array,
) -> tuple[Array, Array, Array, Array]:
    """What controls leave open on control pairs, and how far other origins can substitute (C27, C28, C31).

    Args:
        controls: X, (R, P, S) controls in force on the control pairs.
        target: (P,) each pair's target actor.
        n_actors: A.
        evasion: V, (R, A, S) evasion capacity of each actor.
        enforcement: (R, P) the controller's enforcement against leakage to the target.
        quality: q_leak, (R,).
        premium: π_ev, (R,).
        closure: (R, P, S) closed share of each pair's flows.

    Returns:
        leak (R, P, S) (``channels.leakage``), passing (R, P, S) (``channels.openness``),
        received (R, A, S), the strongest control on each actor (0 where none;
        ``PairList.max_per_second``), and substitute (R, P, S), 1 − X / strictest X on
        the same target (0 where the strictest is 0).
    """
    runs, n_p, n_s = controls.shape
    leak = np.empty((runs, n_p, n_s))
    passing = np.empty((runs, n_p, n_s))
    received = np.zeros((runs, n_actors, n_s))
    substitute = np.empty((runs, n_p, n_s))
    for r in range(runs):
        for p in range(n_p):
            b = target[p]
            open_share = 1.0 - enforcement[r, p]
            scale = 1.0 + premium[r]
            for s in range(n_s):
                value = evasion[r, b, s] * quality[r] * open_share / scale
                leak[r, p, s] = value
                passing[r, p, s] = 1.0 - closure[r, p, s] * (1.0 - value)
                received[r, b, s] = max(received[r, b, s], controls[r, p, s])
        for p in range(n_p):
            b = target[p]
            for s in range(n_s):
                strictest = received[r, b, s]
                substitute[r, p, s] = 1.0 - (controls[r, p, s] / strictest if strictest > 0 else 0.0)
    return leak, passing, received, substitute


_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)


@njit(cache=True, nogil=True)
def keyed_uniforms(stream_keys: Array, mixed_counters: Array) -> Array:
    """Uniforms in (0, 1) from SplitMix64 of each run's stream key xor each element's mixed counter.

    The same integer operations as ``sim.rng.Streams.uniform`` (integer arithmetic is exact,
    and the 53 top bits convert to a float exactly), in one pass instead of a dozen.

    Args:
        stream_keys: (R,) uint64, each run's key mixed with the stream's code.
        mixed_counters: (N,) uint64, each element's counter after the same mix.

    Returns:
        (R, N) float64.
    """
    runs, size = stream_keys.shape[0], mixed_counters.shape[0]
    out = np.empty((runs, size))
    for r in range(runs):
        key = stream_keys[r]
        for j in range(size):
            z = key ^ mixed_counters[j]
            z = (z ^ (z >> np.uint64(30))) * _M1
            z = (z ^ (z >> np.uint64(27))) * _M2
            z = z ^ (z >> np.uint64(31))
            out[r, j] = (float(z >> np.uint64(11)) + 0.5) * (1.0 / 2**53)
    return out

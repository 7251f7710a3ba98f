"""The error model of the BPTT loops: rewrite rules over the reference loop, not a list of answers.

The reference loop (reference/rnn.py's bptt_kernel) visits t = T-1 down to 0, carries
carry[t] * dhraw_t back to step t-1, and sums every step's dhraw_t into W_xh, W_hh and b_h.
Each rule below rewrites one part of that loop, the way a student's loop differs from it:

* its header: the loop runs forwards, stops one step short at either end, or runs one step
  too far (t = -1, which NumPy reads as the last step);
* the carry: for regular truncation the chunks counted from the other end, a cut one step
  early or late (or at the start of the iteration), a window one step too long or too short,
  no cut at all, a cut at every step, only the first boundary cut, the last one missed; for
  randomized truncation ξ ignored, ξ as a 0/1 mask, a weight 1/(1-π), 2, π or 1/(the
  fraction of ξ kept) instead of 1/π, ξ one step late or early, or read backwards;
* the sums: the cut (or ξ) applied to the parameter sums as well, on every sum or on W_hh's
  only, at the boundaries or at every chunk start (step 0 too); ξ applied to each step's own
  output gradient dy_t as well;
* the step and the sums, in every one-layer loop: dh_t carried instead of dhraw_t; φ′ skipped,
  the ReLU mask whatever the activation, tanh's derivative of h_netIn or of h_{t-1}; W_hh's sum
  paired with h_t, with h_t for t >= 1, with h_netIn_{t-1}, with wrapped or next states, or
  with zeros before step 0; W_hq's with h_{t-1}; only the last step's dy_t; the header's
  short loops with dy_t computed inside the loop (a step never visited has no dy_t either).

rnn2_backward's loop (two layers, loop2 and RNN2_RULES) has rules of its own: the header; each
layer's carry (dh instead of dhraw, none at all) and W_hh.T; the order of the layers inside a
step (layer 1 then receives layer 2's dhraw2 of step t+1); dh2 sent to layer 1; each layer's φ′;
the states each sum pairs with (W_xh2 with h1_{t-1}, W_hq with h2_{t-1}, each W_hh as above).

Rules are applied one at a time and two at a time (two of different parts), and each rewrite is
the loop computed on the case's own arguments, so checks/repair.py can verify it like any other:
a rule is named only when it reproduces the student's answer on every case and on an extra case
with fresh sizes. Every message is the same sentence on every case (it names k, ξ and π, never
a value), in the lecture's words (release notebook 04: chunks [0, k), [k, 2k), ...; the carried
gradient; c_t = ξ_t).
"""
from collections.abc import Callable, Collection, Sequence
from itertools import combinations

import numpy as np

from .. import reference as R
from ..reference.rnn import output_gradients
from ..reference.validate import Array
from .base import Answer, Case, Unit

SUM_KEYS = ("W_xh", "W_hh", "b_h")


def phi_rewritten(how: object, net: Array, h: Array, act: str, h0: Array | None = None) -> Array:
    """φ′ as a rule rewrites it: "none" (skipped), "relu" (the ReLU mask whatever the activation),
    "netIn" (tanh's derivative of the pre-activation), "prevh" (tanh's derivative of the previous
    state); anything else: the right one."""
    if how == "none":
        return np.ones_like(h)
    if act == "tanh" and how == "prevh" and h0 is not None:
        return 1.0 - np.concatenate([h0[None], h[:-1]]) ** 2
    if act == "tanh" and how == "relu":
        return (net > 0).astype(np.float64)
    if act == "tanh" and how == "netIn":
        return 1.0 - net ** 2
    return R.phi_prime(net, h, act)


def prev_rewritten(how: object, h: Array, h0: Array, net: Array) -> Array:
    """The previous states a sum pairs dhraw_t with, as a rule rewrites them (anything else: the right ones)."""
    if how == "h":
        return h
    if how == "shift":
        return np.concatenate([h0[None], h[1:]])
    if how == "netIn":
        return np.concatenate([h0[None], net[:-1]])
    if how == "roll":
        return np.concatenate([h[-1:], h[:-1]])
    if how == "next":
        return np.concatenate([h[1:], h0[None]])
    if how == "zero":
        return np.concatenate([np.zeros_like(h0)[None], h[:-1]])
    return np.concatenate([h0[None], h[:-1]])


def loop(Y: np.ndarray, params: dict[str, Array], cache: dict[str, Array], act: str, carry: Array,
         steps: Sequence[int], sums: Array | None = None, sums_on: Sequence[str] = SUM_KEYS,
         own: Array | None = None, other: dict[str, object] | None = None) -> dict[str, Array]:
    """The reference loop with its header replaced by `steps` (visited in this order, NumPy
    indexing: -1 is the last step; a step never visited keeps dhraw_t = 0), with `sums`, each
    step's dhraw_t scaled by sums[t] in the sums of `sums_on`, and with `own`, each step's output
    gradient dy_t scaled by own[t] (everywhere dy_t is used). `other`: "what" ("dh": the loop carries dh_t,
    not dhraw_t; "acc": it adds dhraw_t to what it carried; "W": it sends dhraw_t @ W_hh.T, multiplied
    again), "phi" (see phi_rewritten), "kill" (a (T,) multiplier of the whole
    dh_t), "prev" (see prev_rewritten)."""
    change = other or {}
    h, P, X = cache["h"], cache["p"], cache["X"]
    dy = output_gradients(P, Y)
    if own is not None:
        dy = dy * np.asarray(own, dtype=np.float64)[:, None, None]
    if change.get("dy_visited"):         # dy_t computed inside the loop: a step never visited has none
        seen = np.zeros(len(h))
        seen[list(steps)] = 1.0
        dy = dy * seen[:, None, None]
    W_hq, W_hhT = params["W_hq"], params["W_hh"].T
    dphi = phi_rewritten(change.get("phi"), cache["h_netIn"], h, act, cache["h0"])
    kill = change.get("kill")
    dhraw = np.zeros_like(h)
    dhs = np.zeros_like(h)
    nxt: Array | None = None
    for t in steps:
        dh = dy[t] @ W_hq.T if nxt is None else dy[t] @ W_hq.T + nxt @ W_hhT
        if isinstance(kill, np.ndarray):
            dh = kill[t] * dh
        dhs[t] = dh
        dhraw[t] = dh * dphi[t]
        what = change.get("what")
        sent = carry[t] * (dh if what == "dh" else dhraw[t] @ W_hhT if what == "W" else dhraw[t])
        nxt = sent + nxt if what == "acc" and nxt is not None else sent
    h_prev = prev_rewritten(change.get("prev"), h, cache["h0"], cache["h_netIn"])
    h_out = prev_rewritten(None, h, cache["h0"], h) if change.get("out") else h
    scaled = dhraw if sums is None else dhraw * np.asarray(sums, dtype=np.float64)[:, None, None]

    def used(key: str) -> Array:
        return scaled if key in sums_on else dhraw
    return {"W_xh": np.einsum("tnd,tnh->dh", X, used("W_xh")),
            "W_hh": np.einsum("tni,tnj->ij", h_prev, used("W_hh")),
            "b_h": (dhs if change.get("bias") else used("b_h")).sum(axis=(0, 1)),
            "W_hq": np.einsum("tnh,tnq->hq", h_out, dy),
            "b_q": dy.sum(axis=(0, 1))}


# ---- the rules: (message, what it changes) ---------------------------------------------------
# A rule changes one part: "steps" (the header), "carry" or "sums"; given the case's T and its
# right carry, it returns the new part, or None where it does not apply (k = 1 has no shorter window).

Part = tuple[str, str, Callable[[int, Array, int | None], object]]

HEADER: list[Part] = [
    ("steps", "the loop over time runs forwards (t = 0, 1, ..., T-1); BPTT visits the steps from the last, "
              "t = T-1, down to 0, carrying each step's gradient back to the step before it.",
     lambda T, c, k: list(range(T))),
    ("steps", "the loop over time starts one step short: the last step t = T-1 is never visited, so its "
              "dhraw_t is missing from the sums and from the gradient carried back.",
     lambda T, c, k: list(range(T - 2, -1, -1))),
    ("steps", "the loop over time stops one step short: step t = 0 is never visited, so dhraw_0 is missing "
              "from the parameter sums; the loop must run down to t = 0.",
     lambda T, c, k: list(range(T - 1, 0, -1))),
    ("steps", "the loop over time runs one step too far, down to t = -1, which NumPy reads as the last step: "
              "the last step's dhraw_t is computed again and overwritten; the loop ends at t = 0.",
     lambda T, c, k: list(range(T - 1, -2, -1))),
]


# Rules of the step itself and of the sums' previous states (the long units compute them in the loop;
# rnn_backward's calls to the local rules are read by the call trace instead).
STEP: list[Part] = [
    ("bias", "b_h sums dh_t (the gradient at h_t, before φ′); the bias enters the pre-activation, so b_h sums "
             "the pre-activation gradient dhraw_t.", lambda T, c, k: True),
    ("what", "the loop carries dh_t (the gradient at h_t, before φ′) back to step t-1; it must carry the "
             "pre-activation gradient dhraw_t.", lambda T, c, k: "dh"),
    ("what", "the carried gradient accumulates (dhraw_next += dhraw_t): step t receives the sum of every later "
             "step's dhraw; it must be replaced by dhraw_{t+1} alone (dhraw_next = dhraw_t).", lambda T, c, k: "acc"),
    ("what", "the carried gradient goes through W_hh.T twice: it is sent back as dhraw_t @ W_hh.T and multiplied by "
             "W_hh.T again at step t-1; send dhraw_t and multiply by W_hh.T once.", lambda T, c, k: "W"),
    ("phi", "φ′ is the ReLU mask (h_netIn > 0) whatever the activation; for tanh it is 1 - h**2.",
     lambda T, c, k: "relu"),
    ("phi", "φ′ is skipped: dhraw_t is set to dh_t; it must be multiplied by φ′ of the pre-activation.",
     lambda T, c, k: "none"),
    ("phi", "tanh's derivative is taken of the pre-activation, 1 - h_netIn**2; it is 1 - h**2, of the cached "
            "output h.", lambda T, c, k: "netIn"),
    # These two are checks/rnn.py's sentences too (the same message is one cause).
    ("prev", "dhraw_t is paired with h_t instead of h_{t-1}: the recurrent weight multiplies the previous state.",
     lambda T, c, k: "h"),
    ("prev", "for t >= 1 W_hh's sum pairs dhraw_t with h_t instead of h_{t-1} (t = 0 is right): the previous "
             "states are cache['h0'], h[0], ..., h[T-2].", lambda T, c, k: "shift" if T > 1 else None),
    ("prev", "W_hh's sum pairs dhraw_t with the previous pre-activation h_netIn_{t-1}; the recurrent weight "
             "multiplies the previous state h_{t-1} (after the activation).", lambda T, c, k: "netIn"),
    ("prev", "the previous states wrap around (as np.roll does): at t = 0 W_hh's sum pairs dhraw_0 with the last "
             "state h_{T-1}; the state before step 0 is cache['h0'].", lambda T, c, k: "roll"),
    ("prev", "the initial state is left out: at t = 0 the previous state is cache['h0'], not zeros.",
     lambda T, c, k: "zero"),
    ("prev", "the previous states are shifted the wrong way: W_hh's sum pairs dhraw_t with the next state h_{t+1} "
             "(and the last step with cache['h0']); pair dhraw_t with h_{t-1} (cache['h0'] at t = 0).",
     lambda T, c, k: "next" if T > 1 else None),
    ("phi", "tanh's derivative at step t is taken of the previous state, 1 - h_{t-1}**2; it is 1 - h_t**2, of the "
            "same step's state.", lambda T, c, k: "prevh"),
    ("out", "W_hq's sum pairs dy_t with the previous state h_{t-1}; the output at step t reads h_t, so pair dy_t "
            "with h_t.", lambda T, c, k: True),
    ("own", "only the last step's output gradient dy_{T-1} is used; every step t has its own loss, so every dy_t "
            "enters dh_t (and W_hq and b_q).", lambda T, c, k: np.r_[np.zeros(T - 1), 1.0] if T > 1 else None),
]


# The same headers when dy_t is computed inside the loop (as rnn_backward's template does with dy_t):
# a step never visited has no dy_t either, in W_hq and b_q too.
HEADER_DY: list[Part] = [
    ("steps", "the loop over time starts one step short: the last step t = T-1 is never visited, so its dy_t and "
              "dhraw_t are missing from the sums and from the gradient carried back.",
     lambda T, c, k: ("dy", list(range(T - 2, -1, -1)))),
    ("steps", "the loop over time stops one step short: step t = 0 is never visited, so dy_0 and dhraw_0 are "
              "missing from the parameter sums; the loop must run down to t = 0.",
     lambda T, c, k: ("dy", list(range(T - 1, 0, -1)))),
]


def _cut(T: int, start: int, every: int) -> Array | None:
    if every < 1 or start < 1:
        return None
    carry = np.ones(T)
    carry[start::every] = 0.0
    return carry


def _only(T: int, cuts: Sequence[int]) -> Array:
    carry = np.ones(T)
    carry[list(cuts)] = 0.0
    return carry


def _from_end(T: int, k: int) -> Array:
    carry = np.ones(T)
    carry[[t for t in range(1, T) if (T - t) % k == 0]] = 0.0
    return carry


TRUNCATION: list[Part] = [
    ("carry", "the gradient crosses the chunk boundaries: no gradient may pass from step k, 2k, ... "
              "back into the step before.", lambda T, c, k: np.ones(T)),
    ("carry", "the gradient is cut at every step, inside the chunks too: only at a chunk boundary (t = k, 2k, ...) "
              "may the gradient carried back to the step before be cut.",
     lambda T, c, k: np.r_[c[:1], np.zeros(T - 1)]),
    ("carry", "the cut is one step early: chunks are [0, k), [k, 2k), ..., so the cut is between steps k-1 and k.",
     lambda T, c, k: _cut(T, k - 1, k) if k else None),
    ("carry", "the cut is one step late: chunks are [0, k), [k, 2k), ..., so the cut is between steps k-1 and k.",
     lambda T, c, k: _cut(T, k + 1, k) if k else None),
    ("carry", "only the first chunk boundary (t = k) is cut: the gradient must be cut at every boundary, every "
              "multiple of k.",
     lambda T, c, k: _only(T, [k]) if k and 2 * k < T else None),
    ("carry", "the last chunk boundary is not cut: the gradient must be cut at every boundary, every multiple of "
              "k below T.",
     lambda T, c, k: _only(T, list(range(k, T, k))[:-1]) if k and k < T else None),
    ("carry", "the cut is where step t receives the gradient from step t+1, at t = 0, k, 2k, ...: it belongs where "
              "step k sends it back to step k-1 (between steps k-1 and k).",
     lambda T, c, k: _cut(T, 1, k) if k else None),
    ("carry", "the chunks are counted from the end of the sequence; they start at t = 0.",
     lambda T, c, k: _from_end(T, k) if k else None),
    ("carry", "the window is one step too long: the chunks have k+1 steps; they are [0, k), [k, 2k), ..., "
              "k steps each.", lambda T, c, k: _cut(T, k + 1, k + 1) if k else None),
    ("carry", "the window is one step too short: the chunks have k-1 steps; they are [0, k), [k, 2k), ..., "
              "k steps each.", lambda T, c, k: _cut(T, k - 1, k - 1) if k and k > 1 else None),
    ("kill", "at the step before each chunk boundary (t = k-1, 2k-1, ...) the whole dh_t is zeroed, its own "
             "output term dy_t @ W_hq.T included; only the gradient arriving from step t+1 is cut.",
     lambda T, c, k: np.r_[c[1:], 1.0] if k and k < T else None),
    ("sums", "the cut is applied to the parameter sums as well: at a chunk boundary dhraw_t is left out of the "
             "sums of W_xh, W_hh and b_h; only the gradient carried back to the step before is cut, and every "
             "step's dhraw_t counts in the sums.", lambda T, c, k: (c, SUM_KEYS)),
    ("sums", "the boundary step's term h_{t-1}.T @ dhraw_t is left out of the sum of W_hh: step k still uses "
             "W_hh on the frozen h_{k-1}, and that use counts in the gradient of W_hh; only the carried "
             "gradient is cut.", lambda T, c, k: (c, ("W_hh",))),
    # The same two with step 0 counted as a chunk start too (t % k == 0): one slip, which a pair of
    # rules (the initial state or step 0 left out, plus the boundaries) would name as two.
    ("sums", "at the first step of every chunk, t = 0, k, 2k, ..., dhraw_t is missing from the sums of W_xh, "
             "W_hh and b_h; every step's dhraw_t counts in the sums, and only the gradient carried back to the "
             "step before is cut.", lambda T, c, k: (np.r_[0.0, c[1:]], SUM_KEYS) if k else None),
    ("sums", "at the first step of every chunk, t = 0, k, 2k, ..., the term h_{t-1}.T @ dhraw_t is left out of "
             "the sum of W_hh (at t = 0 the term of cache['h0']); every step's term counts in W_hh's sum, and "
             "only the carried gradient is cut.",
     lambda T, c, k: (np.r_[0.0, c[1:]], ("W_hh",)) if k else None),
]


def _pi(xi: Array) -> float | None:
    """π as a loop reads it back from multipliers that are 0 or 1/π: 1 / the largest ξ (None when
    that is not below 1: there is no π to misuse)."""
    top = float(np.max(xi, initial=0.0))
    return 1 / top if top > 1 else None


def _scaled_mask(xi: Array, weight: float | None) -> Array | None:
    return None if weight is None else (xi > 0).astype(np.float64) * weight


RANDOMIZED: list[Part] = [
    ("carry", "xi is ignored: the gradient passed from step t back to step t-1 must be multiplied by xi[t].",
     lambda T, c, k: np.ones(T)),
    ("carry", "xi is used as a 0/1 mask: the surviving gradient must be multiplied by xi[t] itself (= 1/pi), "
              "which keeps the estimate unbiased.", lambda T, c, k: (c > 0).astype(float)),
    ("carry", "the keep probability is fixed at 0.5 (the gradient is doubled where xi > 0): multiply by xi[t] itself.",
     lambda T, c, k: 2.0 * (c > 0)),
    ("carry", "the surviving gradient is scaled by 1/(1-pi), the mean distance between cuts; it must be "
              "scaled by 1/pi: multiply by xi[t] itself.",
     lambda T, c, k: _scaled_mask(c, None if _pi(c) is None else 1 / (1 - _pi(c)))),   # type: ignore[operator]
    ("carry", "the surviving gradient is multiplied by pi; it must be divided by pi: multiply by xi[t] itself.",
     lambda T, c, k: _scaled_mask(c, _pi(c))),
    ("carry", "pi is taken as the fraction of the steps where xi > 0, and the 0/1 mask is divided by it; "
              "multiply by xi[t] itself (1/pi, as drawn).",
     lambda T, c, k: (c > 0) / np.mean(c > 0) if np.any(c > 0) else None),
    ("carry", "one multiplier, the mean of xi, scales the carried gradient at every step: xi[t] scales the "
              "gradient passed from step t back to step t-1.", lambda T, c, k: np.full(T, float(np.mean(c)))),
    ("carry", "xi is applied one step late: xi[t] scales the gradient passed from step t back to step t-1.",
     lambda T, c, k: np.r_[1.0, c[:-1]]),
    ("carry", "xi is applied one step early: xi[t] scales the gradient passed from step t back to step t-1.",
     lambda T, c, k: np.r_[c[1:], 1.0]),
    ("carry", "xi is read backwards (xi[T-1-t] at step t): xi[t] scales the gradient passed from step t back "
              "to step t-1.", lambda T, c, k: c[::-1].copy()),
    ("sums", "xi[t] multiplies the stored dhraw_t, so it also scales step t's terms in the sums of W_xh, W_hh and "
             "b_h; xi[t] scales only the gradient passed back from step t to step t-1.",
     lambda T, c, k: (c, SUM_KEYS)),
    ("own", "xi[t] also multiplies step t's own output gradient dy_t (in W_hq and b_q too); xi[t] scales only the "
            "gradient passed back from step t to step t-1.", lambda T, c, k: c),
    ("sums", "xi[t] also scales step t's term h_{t-1}.T @ dhraw_t in the sum of W_hh; xi[t] scales only the "
             "gradient passed back from step t to step t-1.", lambda T, c, k: (c, ("W_hh",))),
]

RULES: dict[str, list[Part]] = {
    "rnn_backward": HEADER + HEADER_DY + STEP,
    "bptt_truncated": HEADER + HEADER_DY + STEP + TRUNCATION,
    "bptt_randomized": HEADER + HEADER_DY + STEP + RANDOMIZED}


# ---- the two-layer loop (rnn2_backward, notebook 03) ------------------------------------------
# The reference (reference/rnn2.py) visits t = T-1 down to 0; inside a step layer 2 comes first
# (dhraw2_t from dy_t and the carried dhraw2_{t+1}), then layer 1 (dhraw1_t from dhraw2_t @ W_xh2.T
# and the carried dhraw1_{t+1}); each layer carries its own dhraw back; the sums pair dhraw1_t with
# x_t and h1_{t-1}, dhraw2_t with h1_t and h2_{t-1} (cache['h1_0'], cache['h2_0'] at t = 0).
# A rule of this loop changes one of: "steps", "carry1", "carry2" (what a layer carries back, and
# by what), "up" (what layer 1 receives from layer 2), "prev1", "prev2", "in2" (the states the
# sums pair dhraw1_t, dhraw2_t with); its value is computed from the case's cache.

def loop2(Y: np.ndarray, params: dict[str, Array], cache: dict[str, Array], act: str,
          steps: Sequence[int], change: dict[str, object]) -> dict[str, Array]:
    """The reference two-layer loop with the parts in `change` replaced (see the rules below)."""
    h1, h2, X = cache["h1"], cache["h2"], cache["X"]
    dy = output_gradients(cache["p"], Y)
    W_hq, W_xh2T = params["W_hq"], params["W_xh2"].T
    W_hh1T = params["W_hh1"] if "through1" in change else params["W_hh1"].T
    W_hh2T = params["W_hh2"] if "through2" in change else params["W_hh2"].T

    dphi1 = phi_rewritten(change.get("phi1"), cache["h1_netIn"], h1, act)
    dphi2 = phi_rewritten(change.get("phi2"), cache["h2_netIn"], h2, act)
    carry1 = change.get("carry1", ("dhraw", np.ones(len(h1))))
    carry2 = change.get("carry2", ("dhraw", np.ones(len(h1))))
    assert isinstance(carry1, tuple) and isinstance(carry2, tuple)
    up = change.get("up", "dhraw2_t")
    dhraw1, dhraw2 = np.zeros_like(h1), np.zeros_like(h2)
    dh1s, dh2s = np.zeros_like(h1), np.zeros_like(h2)
    nxt1: Array | None = None
    nxt2: Array | None = None
    for t in steps:
        late = nxt2                       # layer 2's carried gradient before this step's update
        dh2 = dy[t] @ W_hq.T if nxt2 is None else dy[t] @ W_hq.T + nxt2 @ W_hh2T
        dhraw2[t] = dh2 * dphi2[t]
        above = {"dhraw2_t": dhraw2[t], "dh2_t": dh2,
                 "late": np.zeros_like(dh2) if late is None else late}[str(up)]
        dh1 = above @ W_xh2T if nxt1 is None else above @ W_xh2T + nxt1 @ W_hh1T
        dhraw1[t] = dh1 * dphi1[t]
        dh1s[t], dh2s[t] = dh1, dh2
        nxt1 = carry1[1][t] * (dhraw1[t] if carry1[0] == "dhraw" else dh1)
        nxt2 = carry2[1][t] * (dhraw2[t] if carry2[0] == "dhraw" else dh2)
    prev1 = prev_rewritten(change.get("prev1"), h1, cache["h1_0"], cache["h1_netIn"])
    prev2 = prev_rewritten(change.get("prev2"), h2, cache["h2_0"], cache["h2_netIn"])
    in2 = prev_rewritten(None, h1, cache["h1_0"], h1) if change.get("in2") else h1
    s = "tni,tnj->ij"
    return {"W_xh1": np.einsum(s, X, dhraw1), "W_hh1": np.einsum(s, prev1, dhraw1),
            "b_h1": (dh1s if change.get("bias1") else dhraw1).sum(axis=(0, 1)),
            "W_xh2": np.einsum(s, in2, dhraw2), "W_hh2": np.einsum(s, prev2, dhraw2),
            "b_h2": (dh2s if change.get("bias2") else dhraw2).sum(axis=(0, 1)),
            "W_hq": np.einsum(s, prev_rewritten(None, h2, cache["h2_0"], h2) if change.get("out") else h2, dy),
            "b_q": dy.sum(axis=(0, 1))}


Part2 = tuple[str, str, Callable[[int, dict[str, Array]], object]]


def _layer_prev(n: str) -> list[Part2]:
    # (A layer's initial state left out is checks/rnn2.py's: one part per layer, each said on its own.)
    return [
        (f"prev{n}", f"W_hh{n}'s sum pairs dhraw{n}_t with h{n}_t; the recurrent weight W_hh{n} multiplies the "
                     f"previous state, so pair dhraw{n}_t with h{n}_{{t-1}} (cache['h{n}_0'] at t = 0).",
         lambda T, c: "h"),
        (f"prev{n}", f"for t >= 1 W_hh{n}'s sum pairs dhraw{n}_t with h{n}_t instead of h{n}_{{t-1}} (t = 0 is right): "
                     f"layer {n}'s previous states are cache['h{n}_0'], h{n}[0], ..., h{n}[T-2].",
         lambda T, c: "shift" if T > 1 else None),
        (f"prev{n}", f"W_hh{n}'s sum pairs dhraw{n}_t with the previous pre-activation h{n}_netIn_{{t-1}}; the "
                     f"recurrent weight multiplies the previous state h{n}_{{t-1}} (after the activation).",
         lambda T, c: "netIn"),
        (f"prev{n}", f"layer {n}'s previous states wrap around (as np.roll does): at t = 0 W_hh{n}'s sum pairs "
                     f"dhraw{n}_0 with the last state h{n}_{{T-1}}; the state before step 0 is cache['h{n}_0'].",
         lambda T, c: "roll"),
    ]


RNN2_RULES: list[Part2] = [
    ("steps", "the loop over time runs forwards (t = 0, 1, ..., T-1); BPTT visits the steps from the last, "
              "t = T-1, down to 0, carrying each layer's gradient back to the step before it.",
     lambda T, c: list(range(T))),
    ("steps", "the loop over time starts one step short: the last step t = T-1 is never visited, so its "
              "dhraw1_t and dhraw2_t are missing from the sums and from the gradients carried back.",
     lambda T, c: list(range(T - 2, -1, -1))),
    ("steps", "the loop over time stops one step short: step t = 0 is never visited, so dhraw1_0 and dhraw2_0 "
              "are missing from the parameter sums; the loop must run down to t = 0.",
     lambda T, c: list(range(T - 1, 0, -1))),
    ("steps", "the loop over time runs one step too far, down to t = -1, which NumPy reads as the last step: "
              "the last step's dhraw1_t and dhraw2_t are computed again and overwritten; the loop ends at t = 0.",
     lambda T, c: list(range(T - 1, -2, -1))),
    ("carry1", "layer 1 carries dh1_t (the gradient at h1_t, before φ′) back to step t-1; it must carry its "
               "pre-activation gradient dhraw1_t.", lambda T, c: ("dh", np.ones(T))),
    ("carry2", "layer 2 carries dh2_t (the gradient at h2_t, before φ′) back to step t-1; it must carry its "
               "pre-activation gradient dhraw2_t.", lambda T, c: ("dh", np.ones(T))),
    ("carry1", "layer 1 is missing the gradient from its future step, dhraw1_{t+1} @ W_hh1.T.",
     lambda T, c: ("dhraw", np.zeros(T))),
    ("carry2", "layer 2 is missing the gradient from its future step, dhraw2_{t+1} @ W_hh2.T.",
     lambda T, c: ("dhraw", np.zeros(T))),
    ("through1", "layer 1's future gradient goes through W_hh1 instead of W_hh1.T.", lambda T, c: True),
    ("through2", "layer 2's future gradient goes through W_hh2 instead of W_hh2.T.", lambda T, c: True),
    ("phi1", "layer 1's φ′ is the ReLU mask (h1_netIn > 0) whatever the activation; for tanh it is 1 - h1**2.",
     lambda T, c: "relu"),
    ("phi2", "layer 2's φ′ is the ReLU mask (h2_netIn > 0) whatever the activation; for tanh it is 1 - h2**2.",
     lambda T, c: "relu"),
    ("phi1", "layer 1 skips φ′: dhraw1_t is set to dh1_t; it must be multiplied by φ′ of layer 1's "
             "pre-activation.", lambda T, c: "none"),
    ("phi2", "layer 2 skips φ′: dhraw2_t is set to dh2_t; it must be multiplied by φ′ of layer 2's "
             "pre-activation.", lambda T, c: "none"),
    ("phi1", "layer 1's tanh derivative is taken of the pre-activation, 1 - h1_netIn**2; it is 1 - h1**2, of the "
             "cached output h1.", lambda T, c: "netIn"),
    ("phi2", "layer 2's tanh derivative is taken of the pre-activation, 1 - h2_netIn**2; it is 1 - h2**2, of the "
             "cached output h2.", lambda T, c: "netIn"),
    # (What layer 1 receives is verified, not where the student's code computes it: "as when".)
    ("up", "layer 1 receives layer 2's dhraw2 of step t+1 (the gradient carried back from the step after) "
           "instead of dhraw2_t of the same step, as when layer 1 is computed before layer 2 inside a step; "
           "layer 2 comes first, and layer 1 takes its dhraw2_t.", lambda T, c: "late"),
    ("up", "layer 1 receives dh2_t (layer 2's gradient at h2_t, before φ′) from above; it must receive "
           "layer 2's pre-activation gradient dhraw2_t, through W_xh2.T.", lambda T, c: "dh2_t"),
    ("out", "W_hq's sum pairs dy_t with layer 2's previous state h2_{t-1}; the output at step t reads h2_t, so "
            "pair dy_t with h2_t.", lambda T, c: True),
    ("in2", "W_xh2's sum pairs dhraw2_t with h1_{t-1} (layer 1's previous state) instead of h1_t: layer 2's input "
            "at step t is h1_t.",
     lambda T, c: True),
] + _layer_prev("1") + _layer_prev("2") + [
    (f"bias{n}", f"b_h{n} sums dh{n}_t (the gradient at h{n}_t, before φ′); the bias enters layer {n}'s "
                 f"pre-activation, so b_h{n} sums dhraw{n}_t.", lambda T, c: True) for n in "12"]


def joined(first: str, second: str) -> str:
    """Two rules' sentences as one message."""
    return f"{first.rstrip('.')}; and {second[0].lower()}{second[1:]}"


Change = tuple[str, str, object]      # (the part a rule changes, its message, the new part)


def _rewritten(changes: Sequence[Change], run: Callable[[Sequence[Change]], dict[str, Array]], case: Case,
               only: Collection[str] | None) -> list[tuple[str, Answer]]:
    """[(message, answer)] of every rule of `changes`, then of every pair changing different parts,
    each loop computed by run(chosen rules); only: the messages wanted (others are not computed)."""
    out: list[tuple[str, Answer]] = []
    keys = [str(k) for k in case.expected] if isinstance(case.expected, dict) else []
    singles: list[list[Change]] = [[c] for c in changes]
    pairs: list[list[Change]] = [[a, b] for a, b in combinations(changes, 2) if a[0] != b[0]]
    for chosen in singles + pairs:
        message = chosen[0][1] if len(chosen) == 1 else joined(chosen[0][1], chosen[1][1])
        if only is not None and message not in only:
            continue
        try:
            with np.errstate(all="ignore"):
                grads = run(chosen)
        except (IndexError, ValueError, KeyError):
            continue
        out.append((message, {key: grads[key] for key in keys}))
    return out


def loop_rewrites(unit: Unit, case: Case, only: Collection[str] | None = None) -> list[tuple[str, Answer]]:
    """[(message, the rewritten loop's answer on `case`)] of every rule, then every pair of rules
    that change different parts; empty for any other unit or an answer that is not the loop's.
    only: compute just the rewrites with these messages (the others are not evaluated)."""
    if unit.name == "rnn2_backward":
        return loop2_rewrites(case, only)
    rules = RULES.get(unit.name)
    if not rules or not isinstance(case.expected, dict):
        return []
    args = case.args
    Y, params, cache = args[0], args[1], args[2]
    act = args[-1]
    if not (isinstance(Y, np.ndarray) and isinstance(params, dict) and isinstance(cache, dict) and isinstance(act, str)):
        return []
    T = int(np.shape(cache["h"])[0])
    k: int | None = None
    if unit.name == "bptt_truncated":
        k = int(args[3])       # type: ignore[call-overload]
        right = R.regular_carry(T, k)
    elif unit.name == "bptt_randomized":
        right = np.asarray(args[3], dtype=np.float64)
    else:
        right = np.ones(T)
    changes: list[Change] = []
    for part, message, rule in rules:
        value = rule(T, right, k)
        if value is not None:
            changes.append((part, message, value))
    def run(chosen: Sequence[Change]) -> dict[str, Array]:
        steps: list[int] = list(range(T - 1, -1, -1))
        carry, sums, on, own = right, None, SUM_KEYS, None
        other: dict[str, object] = {}
        for part, _, value in chosen:
            if part == "steps" and isinstance(value, list):
                steps = value
            elif part == "steps" and isinstance(value, tuple):
                steps, other["dy_visited"] = value[1], True
            elif part == "carry" and isinstance(value, np.ndarray):
                carry = value.astype(np.float64)
            elif part == "sums" and isinstance(value, tuple):
                sums, on = value
            elif part == "own" and isinstance(value, np.ndarray):
                own = value
            else:
                other[part] = value
        return loop(Y, params, cache, act, carry, steps, sums, on, own, other)
    return _rewritten(changes, run, case, only)


def loop2_rewrites(case: Case, only: Collection[str] | None = None) -> list[tuple[str, Answer]]:
    """loop_rewrites of rnn2_backward: every rule of RNN2_RULES, then every pair of rules that change
    different parts (only: just these messages)."""
    if not isinstance(case.expected, dict) or len(case.args) != 4:
        return []
    Y, params, cache, act = case.args
    if not (isinstance(Y, np.ndarray) and isinstance(params, dict) and isinstance(cache, dict) and isinstance(act, str)):
        return []
    T = int(np.shape(cache["h1"])[0])
    changes: list[Change] = []
    for part, message, rule in RNN2_RULES:
        value = rule(T, cache)
        if value is not None:
            changes.append((part, message, value))
    def run(chosen: Sequence[Change]) -> dict[str, Array]:
        steps: list[int] = list(range(T - 1, -1, -1))
        change: dict[str, object] = {}
        for part, _, value in chosen:
            if part == "steps" and isinstance(value, list):
                steps = value
            else:
                change[part] = value
        return loop2(Y, params, cache, act, steps, change)
    return _rewritten(changes, run, case, only)

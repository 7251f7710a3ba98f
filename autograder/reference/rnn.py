"""One-hidden-layer RNN (ReLU or tanh) with a softmax output at every step (SPEC.md).

Time-major: X is (T, N, D), step t is X[t]. With h_{-1} = h0:
    h_netIn_t = X[t] @ W_xh + h_{t-1} @ W_hh + b_h      (N, H)
    h_t       = phi(h_netIn_t)                          (N, H)
    o_t       = h_t @ W_hq + b_q                        (N, Q)
    p_t       = softmax(o_t)                            (N, Q)
    loss      = mean over all T*N predictions of -log p_t[n, Y[t, n]]
                (+ reg/2 * (|W_xh|^2 + |W_hh|^2 + |W_hq|^2) when reg > 0)

Backward: each local rule is one function below; rnn_backward runs them from
t = T-1 down to 0, carrying dhraw_{t+1} (the gradient arriving from the future
step) into dh_t.
"""
import numpy as np

from .functional import cross_entropy_from_logits, one_hot, phi, phi_prime, softmax
from .validate import Shapes, check_activation, check_dict

PARAM_SPECS = {"W_xh": "D H", "W_hh": "H H", "b_h": "H", "W_hq": "H Q", "b_q": "Q"}
# The cache entries rnn_backward reads (rnn_forward also stores o).
CACHE_SPECS = {"X": "T N D", "h0": "N H", "h_netIn": "T N H", "h": "T N H", "p": "T N Q"}
WEIGHTS = ("W_xh", "W_hh", "W_hq")


def check_params(where, params, s, specs=PARAM_SPECS):
    return check_dict(where, "params", params, specs, s)


def check_cache(where, cache, s, specs=CACHE_SPECS):
    return check_dict(where, "cache", cache, specs, s)


def sequence_length(where, cache):
    """T of a forward cache, or a ValueError naming the argument."""
    if not isinstance(cache, dict) or "h" not in cache:
        raise ValueError(f"{where}: cache must be the dict returned by the forward pass (with key 'h')")
    return Shapes(where).array("cache['h']", cache["h"], "T N H").shape[0]


def rnn_forward(X, params, h0=None, activation="relu"):
    """Forward pass over the whole sequence.

    Inputs:
    - X: (T, N, D) input sequence
    - params: dict with W_xh (D, H), W_hh (H, H), b_h (H,), W_hq (H, Q), b_q (Q,)
    - h0: (N, H) initial state, zeros if None
    - activation: "relu" or "tanh"

    Returns (P, cache):
    - P: (T, N, Q) softmax outputs p_t
    - cache: dict with X (T, N, D), h0 (N, H), h_netIn (T, N, H), h (T, N, H),
      o (T, N, Q), p (T, N, Q)
    """
    check_activation("rnn_forward", activation)
    s = Shapes("rnn_forward")
    X = s.array("X", X, "T N D")
    p = check_params("rnn_forward", params, s)
    h0 = np.zeros((s.dims["N"], s.dims["H"])) if h0 is None else s.array("h0", h0, "N H")
    T, N, _ = X.shape
    h_netIn = np.empty((T, N, s.dims["H"]))
    h = np.empty_like(h_netIn)
    h_prev = h0
    for t in range(T):
        h_netIn[t] = X[t] @ p["W_xh"] + h_prev @ p["W_hh"] + p["b_h"]
        h[t] = phi(h_netIn[t], activation)
        h_prev = h[t]
    o = h @ p["W_hq"] + p["b_q"]
    P = softmax(o)
    return P, dict(X=X, h0=h0, h_netIn=h_netIn, h=h, o=o, p=P)


def rnn_loss(X, Y, params, h0=None, activation="relu", reg=0.0):
    """Mean cross-entropy over all T*N predictions, plus reg/2 times the squared weights."""
    _, cache = rnn_forward(X, params, h0, activation)
    T, N, Q = cache["o"].shape
    s = Shapes("rnn_loss", T=T, N=N)
    Y = s.labels("Y", Y, "T N", Q)
    reg = s.scalar("reg", reg, minimum=0.0)
    penalty = 0.5 * reg * sum(np.sum(params[w] ** 2) for w in WEIGHTS)
    return cross_entropy_from_logits(cache["o"], Y) + float(penalty)


# ---- local rules, one per derivative in SPEC.md -------------------------------

def dy_t(p_t, y_t, T):
    """Gradient at the output logits o_t of one step (the lecture's `dy`).

    Each of the T*N predictions carries weight 1/(T*N) in the mean loss.
    Inputs: p_t (N, Q) softmax output at step t; y_t (N,) int targets; T steps.
    Returns: (N, Q) equal to (p_t - one_hot(y_t)) / (T*N).
    """
    s = Shapes("dy_t")
    p_t = s.array("p_t", p_t, "N Q")
    y_t = s.labels("y_t", y_t, "N", s.dims["Q"])
    T = s.integer("T", T)
    return (p_t - one_hot(y_t, p_t.shape[1])) / (T * p_t.shape[0])


def dW_hq(h, dy):
    """Output weights, summed over time: sum_t h_t.T @ dy_t.

    Inputs: h (T, N, H) hidden states; dy (T, N, Q) output gradients.  Returns: (H, Q).
    """
    s = Shapes("dW_hq")
    h = s.array("h", h, "T N H")
    dy = s.array("dy", dy, "T N Q")
    return np.einsum("tnh,tnq->hq", h, dy)


def db_q(dy):
    """Output bias: dy summed over time and batch.  dy (T, N, Q) -> (Q,)."""
    return Shapes("db_q").array("dy", dy, "T N Q").sum(axis=(0, 1))


def dh_t(dy_t, dhraw_next, W_hq, W_hh):
    """Gradient at h_t: from this step's output and from the future step.

    h_t feeds o_t (through W_hq) and h_netIn_{t+1} (through W_hh), so
    dh_t = dy_t @ W_hq.T + dhraw_{t+1} @ W_hh.T, with dhraw_T = 0 at the last step.
    Inputs: dy_t (N, Q); dhraw_next (N, H) = dhraw_{t+1}; W_hq (H, Q); W_hh (H, H).
    Returns: (N, H).
    """
    s = Shapes("dh_t")
    dy_t = s.array("dy_t", dy_t, "N Q")
    dhraw_next = s.array("dhraw_next", dhraw_next, "N H")
    W_hq = s.array("W_hq", W_hq, "H Q")
    W_hh = s.array("W_hh", W_hh, "H H")
    return dy_t @ W_hq.T + dhraw_next @ W_hh.T


def dhraw_t(dh_t, h_netIn_t, h_t, activation="relu"):
    """Through the activation: dh_t * phi'(h_netIn_t).

    ReLU: phi' = (h_netIn_t > 0). tanh: phi' = 1 - h_t**2 (the output, not the input).
    Inputs: dh_t, h_netIn_t, h_t all (N, H); activation "relu" or "tanh".  Returns: (N, H).
    """
    check_activation("dhraw_t", activation)
    s = Shapes("dhraw_t")
    dh_t = s.array("dh_t", dh_t, "N H")
    h_netIn_t = s.array("h_netIn_t", h_netIn_t, "N H")
    h_t = s.array("h_t", h_t, "N H")
    return dh_t * phi_prime(h_netIn_t, h_t, activation)


def dW_hh(h_prev, dhraw):
    """Recurrent weights, summed over time: sum_t h_{t-1}.T @ dhraw_t.

    Inputs: h_prev (T, N, H) with h_prev[t] = h_{t-1} (h_prev[0] = h0); dhraw (T, N, H).
    Returns: (H, H).
    """
    s = Shapes("dW_hh")
    h_prev = s.array("h_prev", h_prev, "T N H")
    dhraw = s.array("dhraw", dhraw, "T N H")
    return np.einsum("tni,tnj->ij", h_prev, dhraw)


def dW_xh(X, dhraw):
    """Input weights, summed over time: sum_t X[t].T @ dhraw_t.

    Inputs: X (T, N, D); dhraw (T, N, H).  Returns: (D, H).
    """
    s = Shapes("dW_xh")
    X = s.array("X", X, "T N D")
    dhraw = s.array("dhraw", dhraw, "T N H")
    return np.einsum("tnd,tnh->dh", X, dhraw)


def db_h(dhraw):
    """Hidden bias: dhraw summed over time and batch.  dhraw (T, N, H) -> (H,)."""
    return Shapes("db_h").array("dhraw", dhraw, "T N H").sum(axis=(0, 1))


def dh0(dhraw_0, W_hh):
    """Initial state: dhraw_0 @ W_hh.T.  dhraw_0 (N, H); W_hh (H, H) -> (N, H)."""
    s = Shapes("dh0")
    return s.array("dhraw_0", dhraw_0, "N H") @ s.array("W_hh", W_hh, "H H").T


# ---- the BPTT loop ---------------------------------------------------------------

def rnn_backward(Y, params, cache, activation="relu", reg=0.0, carry=None):
    """Backpropagation through time, composed from the local rules above.

    Inputs:
    - Y: (T, N) int targets
    - params: as for rnn_forward
    - cache: from rnn_forward (same activation)
    - activation: "relu" or "tanh"
    - reg: L2 strength on W_xh, W_hh, W_hq
    - carry: (T,) multipliers, or None for all ones (full computation). carry[t]
      scales the gradient that flows from step t back into h_{t-1} through W_hh:
      0 cuts it (truncation), 1/pi rescales it (randomized truncation). carry[0]
      scales the gradient into h0.

    Returns: dict with W_xh (D, H), W_hh (H, H), b_h (H,), W_hq (H, Q), b_q (Q,), h0 (N, H).
    """
    check_activation("rnn_backward", activation)
    s = Shapes("rnn_backward")
    # The cache first: it holds what the forward pass really computed.
    c = check_cache("rnn_backward", cache, s)
    p = check_params("rnn_backward", params, s)
    h, h_netIn, P = c["h"], c["h_netIn"], c["p"]
    T, N, H = h.shape
    Y = s.labels("Y", Y, "T N", s.dims["Q"])
    reg = s.scalar("reg", reg, minimum=0.0)
    carry = np.ones(T) if carry is None else s.array("carry", carry, "T")

    dy = np.empty_like(P)
    dhraw = np.empty_like(h)
    # dhraw_{t+1} as seen from step t, already scaled by carry[t+1]; zero past the end.
    from_future = np.zeros((N, H))
    for t in reversed(range(T)):
        dy[t] = dy_t(P[t], Y[t], T)
        dh = dh_t(dy[t], from_future, p["W_hq"], p["W_hh"])
        dhraw[t] = dhraw_t(dh, h_netIn[t], h[t], activation)
        from_future = carry[t] * dhraw[t]
    h_prev = np.concatenate([c["h0"][None], h[:-1]], axis=0)
    return {
        "W_xh": dW_xh(c["X"], dhraw) + reg * p["W_xh"],
        "W_hh": dW_hh(h_prev, dhraw) + reg * p["W_hh"],
        "b_h": db_h(dhraw),
        "W_hq": dW_hq(h, dy) + reg * p["W_hq"],
        "b_q": db_q(dy),
        "h0": dh0(from_future, p["W_hh"]),
    }

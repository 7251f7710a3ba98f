"""Wrong answers of the assembly units, written as students write them, for the diagnosis tests.

Each is the source of a whole function def that makes one slip; `body(unit, **slip)` fills a
template (a correct solution) with the slip. The correct templates, and rewrites of them, must
keep full marks.
"""
import textwrap

RNN = """
def rnn_backward(Y, params, cache, activation):
    X, h, h_netIn, P = cache["X"], cache["h"], cache["h_netIn"], cache["p"]
    T, N, H = h.shape
    dy = np.zeros(P.shape)
    dhraw = np.zeros(h.shape)
    dhraw_next = np.zeros((N, H))
    for t in {LOOP}:
        dy[t] = dy_t(P[t], Y[t], T)
        dh = dh_t(dy[t], {NEXT}, params["W_hq"], params["W_hh"])
        dhraw[t] = dhraw_t(dh, h_netIn[t], h[t], {ACT})
        dhraw_next = {CARRY}
    h_prev = {HPREV}
    return {{"W_xh": dW_xh(X, dhraw), "W_hh": dW_hh(h_prev, dhraw), "b_h": db_h(dhraw),
            "W_hq": dW_hq(h, dy), "b_q": db_q(dy)}}
"""
RNN_RIGHT = dict(LOOP="reversed(range(T))", NEXT="dhraw_next", ACT="activation", CARRY="dhraw[t]",
                 HPREV='np.concatenate([cache["h0"][None], h[:-1]], axis=0)')

LONG = """
def {NAME}(Y, params, cache, {ARG}, activation="relu"):
    X, h, h_netIn, P = cache["X"], cache["h"], cache["h_netIn"], cache["p"]
    T, N, H = h.shape
    Q = P.shape[2]
    {CARRY}
    dy = (P - np.eye(Q)[Y]) / (T * N)
    dphi = (h_netIn > 0) * 1.0 if {ACT} == "relu" else 1.0 - h ** 2
    dhraw = np.zeros_like(h)
    nxt = np.zeros((N, H))
    for t in {LOOP}:
        dh = dy[t] @ params["W_hq"].T + nxt @ params["W_hh"]{WT}
        dhraw[t] = dh * dphi[t]
        {STORE}
        nxt = {PASS}
    h_prev = np.concatenate([cache["h0"][None], h[:-1]])
    return {{"W_xh": np.einsum("tni,tnj->ij", X, dhraw), "W_hh": np.einsum("tni,tnj->ij", h_prev, dhraw),
            "b_h": dhraw.sum((0, 1)), "W_hq": np.einsum("tni,tnj->ij", h, dy), "b_q": dy.sum((0, 1))}}
"""
TRUNC_RIGHT = dict(NAME="bptt_truncated", ARG="k", CARRY="carry = np.ones(T); carry[k::k] = 0", ACT="activation",
                   LOOP="reversed(range(T))", WT=".T", STORE="", PASS="carry[t] * dhraw[t]")
RAND_RIGHT = dict(TRUNC_RIGHT, NAME="bptt_randomized", ARG="xi", CARRY="carry = xi")

MLP = """
def mlp_backward(y, params, cache, reg=0.0):
    g_z_act = dz_netAct(cache["z_netAct"], y)
    g_z_in = dz_netIn(g_z_act, cache["z_netAct"])
    g_y_act = dy_netAct(g_z_in, params["z_wts"])
    g_y_in = dy_netIn(g_y_act, cache["y_netIn"])
    return {{"z_wts": dz_wts(g_z_in, cache[{ZIN}], params["z_wts"], {REGZ}), "z_b": dz_b(g_z_in),
            "y_wts": dy_wts({YUP}, cache["X"], params["y_wts"], reg), "y_b": dy_b({YUP})}}
"""
MLP_RIGHT = dict(ZIN='"y_netAct"', REGZ="reg", YUP="g_y_in")

RNN2 = """
def rnn2_backward(Y, params, cache, activation):
    if activation not in ("relu", "tanh"):
        raise ValueError("unknown activation")
    dphi = (lambda netIn, out: netIn > 0) if activation == "relu" else (lambda netIn, out: 1.0 - out ** 2)
    X, h1, h2, P = cache["X"], cache["h1"], cache["h2"], cache["p"]
    T, N, Q = P.shape
    dy = (P - np.eye(Q)[Y]) / (T * N)
    dhraw1, dhraw2 = np.zeros(h1.shape), np.zeros(h2.shape)
    next1, next2 = np.zeros(h1[0].shape), np.zeros(h2[0].shape)
    for t in reversed(range(T)):
        dh2 = dy[t] @ params["W_hq"].T + next2 @ params["W_hh2"].T
        dhraw2[t] = dh2 * {PHI2}
        dh1 = dh1_t({UP2}, {NEXT1}, params["W_xh2"], params["W_hh1"])
        dhraw1[t] = dh1 * dphi(cache["h1_netIn"][t], h1[t])
        next1, next2 = dhraw1[t], dhraw2[t]
    h1_prev = np.concatenate([cache["h1_0"][None], h1[:-1]], axis=0)
    h2_prev = np.concatenate([cache["h2_0"][None], h2[:-1]], axis=0)
    s = lambda a, g: np.einsum("tni,tnj->ij", a, g)
    return {{"W_xh1": s(X, dhraw1), "W_hh1": s(h1_prev, dhraw1), "b_h1": dhraw1.sum(axis=(0, 1)),
            "W_xh2": s({XH2}, dhraw2), "W_hh2": s(h2_prev, dhraw2), "b_h2": dhraw2.sum(axis=(0, 1)),
            "W_hq": s(h2, dy), "b_q": dy.sum(axis=(0, 1))}}
"""
RNN2_RIGHT = dict(PHI2='dphi(cache["h2_netIn"][t], h2[t])', UP2="dhraw2[t]", NEXT1="next1", XH2="h1")

TEMPLATES = {"rnn_backward": (RNN, RNN_RIGHT), "bptt_truncated": (LONG, TRUNC_RIGHT),
             "bptt_randomized": (LONG, RAND_RIGHT), "mlp_backward": (MLP, MLP_RIGHT), "rnn2_backward": (RNN2, RNN2_RIGHT)}


def body(unit, **slip):
    template, right = TEMPLATES[unit]
    return textwrap.dedent(template.format(**dict(right, **slip))).strip() + "\n"

# Notebook 04's solution cell of bptt_truncated also defines the helper bptt_randomized calls:
# a replacement of that cell keeps it (a correct one, written here).
WITH_CARRY = """
def bptt_with_carry(Y, params, cache, carry, activation, where):
    X, h, h_netIn, P = cache["X"], cache["h"], cache["h_netIn"], cache["p"]
    T, N, H = h.shape
    dy = (P - np.eye(P.shape[2])[Y]) / (T * N)
    dphi = (h_netIn > 0) * 1.0 if activation == "relu" else 1.0 - h ** 2
    dhraw = np.zeros_like(h)
    nxt = np.zeros((N, H))
    for t in reversed(range(T)):
        dhraw[t] = (dy[t] @ params["W_hq"].T + nxt @ params["W_hh"].T) * dphi[t]
        nxt = carry[t] * dhraw[t]
    h_prev = np.concatenate([cache["h0"][None], h[:-1]])
    return {"W_xh": np.einsum("tni,tnj->ij", X, dhraw), "W_hh": np.einsum("tni,tnj->ij", h_prev, dhraw),
            "b_h": dhraw.sum((0, 1)), "W_hq": np.einsum("tni,tnj->ij", h, dy), "b_q": dy.sum((0, 1))}
"""

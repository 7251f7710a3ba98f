"""A bad call of a local rule names the argument of the wrong shape, read against the case's model
sizes (D, H, C, Q, H1, H2), never against a size read off another argument of the same call.

Before, the first argument bound the sizes: passing X (N, D) where y_netAct (N, H) belongs made
dz_wts say that the right z_wts (H, C) "must have shape (H=5, C=6)". The batch and time sizes are
not fixed: a right answer may call a rule on one example or one step, and keeps full marks.
"""
from tests.test_diagnosis_trace import verdict
from tools import factory

RNN_PER_STEP_AND_EXAMPLE = '''
def rnn_backward(Y, params, cache, activation):
    X, h, h_netIn, P = cache["X"], cache["h"], cache["h_netIn"], cache["p"]
    T, N, H = h.shape
    dy = np.stack([dy_t(P[t], Y[t], T) for t in range(T)])
    dhraw, nxt = np.zeros(h.shape), np.zeros((N, H))
    for t in reversed(range(T)):
        dhraw[t] = dhraw_t(dh_t(dy[t], nxt, params["W_hq"], params["W_hh"]), h_netIn[t], h[t], activation)
        nxt = dhraw[t]
    h_prev = np.concatenate([cache["h0"][None], h[:-1]])
    # one step at a time for W_hh, one example at a time for W_xh: the sums are the same
    g_hh = sum(dW_hh(h_prev[t:t + 1], dhraw[t:t + 1]) for t in range(T))
    g_xh = sum(dW_xh(X[:, i:i + 1], dhraw[:, i:i + 1]) for i in range(N))
    return {"W_xh": g_xh, "W_hh": g_hh, "b_h": db_h(dhraw), "W_hq": dW_hq(h, dy), "b_q": db_q(dy)}
'''


def test_a_bad_call_names_the_argument_of_the_wrong_shape():
    source = factory.MISTAKES["mlp_backward_input_as_hidden"][1]
    got = verdict("mlp_backward", "\n".join(line[8:] for line in source.splitlines()))
    assert "dz_wts: y_netAct must have shape (N=3, H=4), got shape (3, 5) (axis 1 is 5, expected H=4)" in got
    assert "z_wts must have shape" not in got


def test_rules_called_on_one_step_or_one_example_keep_full_marks():
    assert verdict("rnn_backward", RNN_PER_STEP_AND_EXAMPLE) is None

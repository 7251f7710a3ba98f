"""Causes the error model names beyond values: a shape error raised in the student's own code, an
answer of the wrong shape, the ReLU's kink, an argument passed through a ReLU, the reg term's scale
or value (autograder/checks/repair.py). Each is named only when its rewrite gives the student's
answer on every hidden case AND on the extra case of other sizes; a near miss is not named.
Exact feedback in the kernel (the nbgrader path); the grading command builds it the same way.
"""
import pytest

from tests.case_text import where
from tests.test_diagnosis_trace import verdict
from tests.wrong_answers import body

MATMUL = ("raised ValueError: matmul: Input operand 1 has a mismatch in its core dimension 0, with gufunc signature "
          "(n?,k),(k,m?)->(n?,m?) (size {} is different from {}) ")


def transposed(unit: str, name: str) -> str:
    return (f" Given `{name}.T` in place of `{name}`, {unit} returns the right answer on every case and on one with "
            f"other sizes: it uses `{name}` transposed ({name} where {name}.T belongs, or the reverse).")


@pytest.mark.parametrize("unit, source, error, name", [
    ("dy_netAct", "def dy_netAct(dz_netIn, z_wts):\n    return dz_netIn @ z_wts\n", MATMUL.format(4, 6), "z_wts"),
    ("dX", "def dX(dhraw, W_xh):\n    return dhraw @ W_xh\n", MATMUL.format(5, 4), "W_xh"),
    ("dh1_t", "def dh1_t(dhraw2_t, dhraw1_next, W_xh2, W_hh1):\n    return dhraw2_t @ W_xh2 + dhraw1_next @ W_hh1.T\n",
     MATMUL.format(4, 8), "W_xh2"),
    ("dy_wts", "def dy_wts(dy_netIn, X, y_wts, reg):\n    return X.T @ dy_netIn + reg * y_wts.T\n",
     "raised ValueError: operands could not be broadcast together with shapes (5,4) (4,5)  ", "y_wts"),
])
def test_a_shape_error_that_a_transposed_argument_repairs_names_the_argument(unit, source, error, name):
    assert verdict(unit, source) == f"{unit} {error}{where(unit)}{transposed(unit, name)}"


def test_a_shape_error_no_single_transpose_repairs_is_said_as_raised():
    # The column-vector form W_hq @ dy_t.T: no one argument's transpose makes it right.
    source = "def dh_t(dy_t, dhraw_next, W_hq, W_hh):\n    return W_hq @ dy_t.T + dhraw_next @ W_hh.T\n"
    assert verdict("dh_t", source) == ("dh_t raised ValueError: operands could not be broadcast together with "
                                       "shapes (4,3) (3,4)  " + where("dh_t"))


def test_a_shape_error_on_one_case_only_names_no_transpose():
    # Right on every case but the one where N = 1 (a squeeze): transposing fixes nothing, nothing is named.
    source = "def dy_netAct(dz_netIn, z_wts):\n    if dz_netIn.shape[0] == 1:\n        raise ValueError('one row')\n" \
             "    return dz_netIn @ z_wts.T\n"
    message = verdict("dy_netAct", source)
    assert message is not None and "Given" not in message


@pytest.mark.parametrize("unit, source, message", [
    ("dy_b", "def dy_b(dy_netIn):\n    return np.sum(dy_netIn)\n",
     "it is one number, the sum of every entry of the right answer: is the sum missing its axis= (this output keeps "
     "its axes)? "),
    ("dX", "def dX(dhraw, W_xh):\n    return np.sum(dhraw, axis=0) @ W_xh.T\n",
     "it is the right answer summed over its axis 0 (time, T), a sum this output does not take (it keeps that axis) "),
    ("dX", "def dX(dhraw, W_xh):\n    return np.array([dhraw[t] @ W_xh.T for t in range(dhraw.shape[1])])\n",
     "it holds only the first N entries of the right answer along axis 0, whose length is T: does a loop or slice "
     "run over N where T belongs? "),
])
def test_an_answer_of_the_wrong_shape_is_named_by_the_sum_or_cut_that_gives_it(unit, source, message):
    assert verdict(unit, source) == f"{unit} output: {message}{where(unit)}"


@pytest.mark.parametrize("unit, source, name", [
    ("dy_netIn", "def dy_netIn(dy_netAct, y_netIn):\n    return dy_netAct * (y_netIn >= 0)\n", "y_netIn"),
    ("dhraw_t", "def dhraw_t(dh_t, h_netIn_t, h_t, activation):\n    if activation == 'relu':\n"
                "        return dh_t * (h_netIn_t >= 0)\n    return dh_t * (1 - h_t ** 2)\n", "h_netIn_t"),
])
def test_a_relu_mask_taken_with_ge_is_named(unit, source, name):
    assert verdict(unit, source) == (
        f"{unit} output: it treats the entries where `{name}` is exactly 0 as positive (`{name} >= 0` where "
        f"`{name} > 0` belongs: ReLU's derivative at 0 is 0) " + where(unit))


def test_an_argument_passed_through_a_relu_is_named():
    source = "def dy_b(dy_netIn):\n    return np.sum(np.maximum(dy_netIn, 0.0), axis=0)\n"
    assert verdict("dy_b", source) == (
        "dy_b output: `dy_netIn` enters through a ReLU (np.maximum(dy_netIn, 0)): its negative entries are dropped, "
        "where it enters as it is " + where("dy_b"))


@pytest.mark.parametrize("unit, source, message", [
    ("dy_wts", "def dy_wts(dy_netIn, X, y_wts, reg):\n    return X.T @ dy_netIn + reg * y_wts / X.shape[0]\n",
     "is divided by N: d/dW of reg/2*|W|^2 is reg*W, not divided by N"),
    ("dy_wts", "def dy_wts(dy_netIn, X, y_wts, reg):\n    return X.T @ dy_netIn + reg * np.sum(y_wts ** 2)\n",
     "is the penalty's value reg*sum(W**2) (one number added to every entry) where its derivative reg*W belongs"),
    ("dz_wts", "def dz_wts(dz_netIn, y_netAct, z_wts, reg):\n    return y_netAct.T @ dz_netIn + 0.5 * reg * np.sum(z_wts ** 2)\n",
     "is the penalty's value reg/2*sum(W**2) (one number added to every entry) where its derivative reg*W belongs"),
])
def test_a_reg_term_divided_by_a_size_or_replaced_by_the_penalty_is_named(unit, source, message):
    assert verdict(unit, source) == f"{unit} output: the regularization term {message} " + where(unit)


def test_a_reg_term_scaled_by_a_constant_no_size_names_is_not_named_by_a_size():
    source = "def dy_wts(dy_netIn, X, y_wts, reg):\n    return X.T @ dy_netIn + reg * y_wts / 3.0\n"
    message = verdict("dy_wts", source)
    assert message is not None and "divided by" not in message


@pytest.mark.parametrize("derivative, message", [
    ("(1 - h_t) ** 2", "squares 1 - h_t: (1 - h_t)**2 is not tanh's derivative 1 - h_t**2 (the square belongs to h_t "
                       "alone)."),
    ("(1 - h_t)", "leaves out the square: tanh's derivative is 1 - h_t**2, not 1 - h_t."),
])
def test_a_tanh_derivative_written_with_the_square_misplaced_is_named(derivative, message):
    source = (f"def dhraw_t(dh_t, h_netIn_t, h_t, activation):\n    if activation == 'relu':\n"
              f"        return dh_t * (h_netIn_t > 0)\n    return dh_t * {derivative}\n")
    assert verdict("dhraw_t", source) == f"dhraw_t output: {message.rstrip('.')} " + where("dhraw_t", 2)


@pytest.mark.parametrize("unit, args", [("dW_hq", "h, dy"), ("dW_hh", "h_prev, dhraw"), ("dW_xh", "X, dhraw")])
def test_a_product_of_sums_over_time_is_named(unit, args):
    a, b = args.split(", ")
    source = f"def {unit}({args}):\n    return np.sum({a}, axis=0).T @ np.sum({b}, axis=0)\n"
    assert verdict(unit, source) == (
        f"{unit} output: it multiplies the sums over time of its two factors, which adds the cross terms of different "
        "steps (s != t); the gradient is the sum over time of each step's own product " + where(unit))


def test_a_bias_summing_the_gradient_at_the_state_is_named_in_the_one_layer_loop():
    source = body("bptt_truncated", CARRY="carry = np.ones(T); carry[k::k] = 0; dhs = np.zeros_like(h)",
                  STORE="dhs[t] = dh").replace('"b_h": dhraw.sum((0, 1))', '"b_h": dhs.sum((0, 1))')
    assert verdict("bptt_truncated", source) == (
        "bptt_truncated output: b_h is wrong: b_h sums dh_t (the gradient at h_t, before φ′); the bias enters the "
        "pre-activation, so b_h sums the pre-activation gradient dhraw_t " + where("bptt_truncated"))


def test_a_bias_summing_the_gradient_at_the_state_is_named_for_its_layer():
    source = body("rnn2_backward").replace(
        "    for t in reversed(range(T)):\n", "    dh2s = np.zeros(h2.shape)\n    for t in reversed(range(T)):\n").replace(
        "        next1, next2 = dhraw1[t], dhraw2[t]\n", "        next1, next2 = dhraw1[t], dhraw2[t]\n        dh2s[t] = dh2\n").replace(
        '"b_h2": dhraw2.sum(axis=(0, 1))', '"b_h2": dh2s.sum(axis=(0, 1))')
    assert verdict("rnn2_backward", source) == (
        "rnn2_backward: every call to the local rules received the right arguments, so the mistake is in what the "
        "function computes itself. rnn2_backward output: b_h2 is wrong: b_h2 sums dh2_t (the gradient at h2_t, "
        "before φ′); the bias enters layer 2's pre-activation, so b_h2 sums dhraw2_t " + where("rnn2_backward"))


def test_a_carry_that_accumulates_is_named_after_the_trace():
    assert verdict("rnn_backward", body("rnn_backward", CARRY="dhraw_next + dhraw[t]")) == (
        "rnn_backward: at step t = 4, `dh_t` received `dhraw_next` = an array that matches no array of the reference "
        "computation; it should be the pre-activation gradient of step 5 (dhraw[5]). rnn_backward output: W_xh, W_hh "
        "and b_h are wrong: the carried gradient accumulates (dhraw_next += dhraw_t): step t receives the sum of every "
        "later step's dhraw; it must be replaced by dhraw_{t+1} alone (dhraw_next = dhraw_t) " + where("rnn_backward"))


def test_a_carry_sent_through_w_hh_and_multiplied_again_is_named():
    source = body("bptt_truncated", PASS="(carry[t] * dhraw[t]) @ params['W_hh'].T")
    assert verdict("bptt_truncated", source) == (
        "bptt_truncated output: W_xh, W_hh and b_h are wrong: the carried gradient goes through W_hh.T twice: it is "
        "sent back as dhraw_t @ W_hh.T and multiplied by W_hh.T again at step t-1; send dhraw_t and multiply by "
        "W_hh.T once " + where("bptt_truncated"))


def test_a_name_error_for_a_key_of_an_argument_says_where_the_value_arrives():
    source = body("mlp_backward").replace('cache["X"]', "X")
    assert verdict("mlp_backward", source) == (
        "mlp_backward raised NameError: name 'X' is not defined " + where("mlp_backward") + " `X` is not one of "
        "mlp_backward's arguments; it reaches the function in its argument `cache`, as cache['X'].")


def test_a_name_error_for_no_key_of_an_argument_is_said_as_raised():
    source = body("mlp_backward").replace('cache["X"]', "X_train")
    assert verdict("mlp_backward", source) == "mlp_backward raised NameError: name 'X_train' is not defined " + \
        where("mlp_backward")


@pytest.mark.parametrize("expression, message", [
    ("/ T * N", "divides by T, then multiplies by N: `/ T * N` is `(... / T) * N`; the mean over all T*N predictions "
                "is `/ (T * N)`"),
    ("/ N * T", "divides by N, then multiplies by T: `/ N * T` is `(... / N) * T`; the mean over all T*N predictions "
                "is `/ (T * N)`"),
])
def test_a_division_by_a_product_written_without_parentheses_is_named(expression, message):
    source = f"def dy_t(p_t, y_t, T):\n    N, Q = p_t.shape\n    return (p_t - np.eye(Q)[y_t]) {expression}\n"
    assert verdict("dy_t", source) == f"dy_t output: {message} " + where("dy_t")

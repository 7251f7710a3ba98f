"""The graded units (autograder/checks): the reference passes, every mistake is named, nothing leaks.

For every unit in checks.UNITS:
- the reference function passes the in-kernel hidden test `check(name, f)` and the
  sandbox path's `unit.judge(case, to_data(f(*case.args)))` on all three cases;
- every catalogued mistake of every case is diagnosed with its own message (or, where
  two catalogued mistakes give the same numbers in a case, the earlier one's);
- generic wrong answers (transposed, sign, a missing 1/N, not summed over time or the
  batch, wrong shape, NaN, integer dtype, None, a list, a lying ndarray subclass) get
  the generic diagnosis;
- no diagnosis contains an expected number (any entry rendered with 4 to 6
  significant digits);
- the dimensions of every case are pairwise distinct.
"""
import re
from pathlib import Path

import numpy as np
import pytest

from autograder import reference as R
from autograder import units as declared
from autograder.checks import ORACLES, UNITS, check
from autograder.checks.base import CASE_DIMS, edges, judge_value
from autograder.sandbox.wire import to_data
from tests.case_text import where

REFERENCE = {name: getattr(R, name, None) for name in UNITS}
REFERENCE["clip_gradients"] = R.clip_grad_norm        # the notebook's name for the reference's function
AXES = ("T", "N", "D", "H", "C", "Q", "H1", "H2")     # array sizes; k and activation are not axes
CASES = {name: unit.cases() for name, unit in UNITS.items()}


def test_every_declared_unit_has_a_check_in_its_notebooks_module():
    # The units and their notebooks are declared in autograder/units.py; each check sits in its
    # notebook's module of autograder/checks (mlp.py for 01, rnn.py for 02, rnn2.py for 03, long.py for 04).
    assert list(UNITS) == [u.name for u in declared.UNITS]
    modules = {u.notebook: set() for u in declared.UNITS}
    for unit in UNITS.values():
        modules[unit.notebook].add(unit.make_case.__module__)
    assert all(len(m) == 1 for m in modules.values()), modules
    # one case per entry of CASE_DIMS; their own variants where the notebook promises more (windows, keep
    # probabilities, thresholds, zero gradients, a ValueError for an unknown activation); then the edges
    assert {name: len(cases) for name, cases in CASES.items()} == {name: u.n_cases for name, u in UNITS.items()}
    assert all(len(CASES[name]) > len(CASE_DIMS) for name in UNITS)


# ---- the reference passes ---------------------------------------------------------------

@pytest.mark.parametrize("name", UNITS)
def test_reference_passes_the_in_process_check(name):
    assert check(name, REFERENCE[name]) is None


@pytest.mark.parametrize("name", UNITS)
def test_reference_passes_the_sandbox_judge(name):
    for case in CASES[name]:
        if case.raises is not None:
            with pytest.raises(case.raises):
                REFERENCE[name](*case.args)
            continue
        assert UNITS[name].judge(case, to_data(REFERENCE[name](*case.args))) is None


@pytest.mark.parametrize("name", UNITS)
def test_case_dimensions_are_pairwise_distinct(name):
    if name == "path_weights":     # (T,) in, (T, T) out by definition; a transposed w is told apart by its zeros
        for case in CASES[name][:len(CASES[name]) - len(edges(UNITS[name].dims_used))]:
            assert UNITS[name].judge(case, to_data(np.asarray(case.expected).T)).startswith(
                "path_weights output: is indexed w[j, t]")
        return
    if name == "path_weight_moments":   # T alone: both arrays (T, T) by definition; a transposed one is told apart
        for case in CASES[name]:
            wrong = {k: np.asarray(v).T for k, v in case.expected.items()}
            assert case.dims["T"] == 1 or UNITS[name].judge(case, to_data(wrong)) is not None
        return
    # ... except in the edge cases, whose sizes coincide on purpose (N = 1, N = C, H = Q: EDGE_DIMS)
    for case in CASES[name][:len(CASES[name]) - len(edges(UNITS[name].dims_used))]:
        sizes = [case.dims[k] for k in AXES if k in case.dims]
        assert len(sizes) >= 3
        assert len(set(sizes)) == len(sizes), case.dims


# ---- every catalogued mistake is named -----------------------------------------------------

def same_answer(a, b):
    return judge_value(to_data(a), to_data(b), {}, "") is None


@pytest.mark.parametrize("name", UNITS)
def test_every_catalogued_mistake_is_diagnosed_by_its_message(name):
    unit = UNITS[name]
    for i, case in enumerate(CASES[name]):
        for message, wrong in case.mistakes:
            assert not same_answer(wrong, case.expected), (i, message)   # a listed mistake is wrong
            diagnosis = unit.judge(case, to_data(wrong))
            # Two catalogued mistakes can give the same numbers in one case (bptt_truncated with
            # T=5, k=2: cutting one step early and counting chunks from the end both cut at 1 and 3);
            # then neither is named (either could be a wrong explanation): only what is wrong is said.
            twins = {m for m, w in case.mistakes if m != message and same_answer(w, wrong)}
            assert diagnosis is not None, (i, message)
            if twins:
                assert message not in diagnosis and not any(m in diagnosis for m in twins), (i, message, diagnosis)
                # (what is wrong: the values, or a factor, "T times" or "4× too large")
                assert "wrong values" in diagnosis or "times" in diagnosis or "× too" in diagnosis, (i, message, diagnosis)
            else:
                assert message in diagnosis, (i, message, diagnosis)


def test_catalogued_mistakes_cover_each_unit_but_one():
    # dy_netAct (dz_netIn @ z_wts.T) has no specific mistake: a transposition is generic.
    assert [name for name, cases in CASES.items() if not any(c.mistakes for c in cases)] == ["dy_netAct"]


# ---- generic diagnoses ---------------------------------------------------------------------

def judge(name, got, case_index=0):
    return UNITS[name].judge(CASES[name][case_index], to_data(got))


def expected(name, case_index=0):
    return CASES[name][case_index].expected


def test_transposed_rectangular_and_square_results():
    assert judge("dW_hq", expected("dW_hq").T) == (
        "dW_hq output is transposed: expected shape (4, 6), got (6, 4). Check the order of the matrix product.")
    assert judge("dW_hh", expected("dW_hh").T) == (
        "dW_hh output is transposed (the matrix is square, so the shape cannot tell). "
        "Check the order of the matrix product.")
    got = dict(expected("rnn_backward"), W_xh=expected("rnn_backward")["W_xh"].T)
    assert judge("rnn_backward", got) == (
        "rnn_backward output: W_xh is transposed: expected shape (5, 4), got (4, 5). "
        "Check the order of the matrix product.")


@pytest.mark.parametrize("name", ["dz_netIn", "dy_wts", "dW_xh", "dh_t", "dh1_t", "db_h"])
def test_sign_flipped(name):
    assert judge(name, -expected(name)) == f"{name} output has the wrong sign: every entry is the negative of the right one."


def test_missing_or_extra_constant_factors():
    assert judge("dz_netIn", 3 * expected("dz_netIn")) == (
        "dz_netIn output is N times too large: is a division by N missing?")
    assert judge("dW_hq", 21 * expected("dW_hq")) == (
        "dW_hq output is T*N times too large: is a division by T*N missing?")
    assert judge("dy_wts", expected("dy_wts") / 3) == (
        "dy_wts output is N times too small: is it divided by N once too often?")
    # 2 is also Q/N here (and H/D, N, D/H in the other cases): only what is sure is said
    assert judge("dW_xh", 2 * expected("dW_xh")) == (
        "dW_xh output is 2× too large in every entry (the case's sizes allow more than one reading of this factor).")
    # N/C = 4/7 in case 2 has one reading: a size taken from the wrong axis
    assert judge("dz_netAct", expected("dz_netAct", 1) * 4 / 7, 1) == (
        "dz_netAct output is N/C times the right value: is N used where C belongs (or the reverse)?")
    # never the value of the factor: it could be derived from the hidden case
    assert judge("db_h", 3.7 * expected("db_h")) == (
        "db_h output is off by a constant factor: every entry is the right value times the same wrong number.")


def test_not_summed_over_time_or_batch():
    h, dy = CASES["dW_hq"][0].args
    assert judge("dW_hq", np.einsum("tnh,tnq->thq", h, dy)) == (
        "dW_hq output is not summed over time (T): expected shape (4, 6), got (7, 4, 6).")
    (dy,) = CASES["db_q"][0].args
    assert judge("db_q", dy.sum(axis=0)) == (
        "db_q output is not summed over the batch (N): expected shape (6,), got (3, 6).")
    (g,) = CASES["dz_b"][0].args
    assert judge("dz_b", g) == "dz_b output is not summed over the batch (N): expected shape (6,), got (3, 6)."
    (dhraw,) = CASES["db_h"][0].args
    assert judge("db_h", dhraw) == (
        "db_h output is not summed over time (T) and the batch (N): expected shape (4,), got (7, 3, 4).")


def test_wrong_shape_wrong_values_and_bad_types():
    e = expected("dz_wts")
    assert judge("dz_wts", e[:, :-1]) == "dz_wts output has the wrong shape: expected (4, 6), got (4, 5)."
    noisy = e + 0.01 * np.random.default_rng(0).standard_normal(e.shape)
    assert judge("dz_wts", noisy) == "dz_wts output has the wrong values."
    nan = e.copy()
    nan[1, 2] = np.nan
    assert judge("dz_wts", nan) == (
        "dz_wts output contains NaN or infinite values (overflow, log(0), or a division by zero?)")
    assert judge("dz_wts", np.round(e).astype(np.int64)).startswith("dz_wts output has integer dtype int64; expected float64")
    assert judge("dz_wts", None) == "dz_wts output is None: did you forget to `return` it?"
    assert judge("dz_wts", e.astype(bool)) == "dz_wts output has dtype bool; expected float64."
    assert judge("dz_wts", "text") == (
        "dz_wts output is a str; expected a NumPy array (np.ndarray) of dtype float64 of shape (4, 6).")
    assert judge("dz_wts", e.astype(np.float32)) == (
        "dz_wts output has dtype float32; expected float64 (the inputs are float64: do not convert with astype "
        "or create arrays with a smaller dtype).")


def test_lists_and_np_matrix_are_refused_alike_flat_or_nested():
    # The type rule (docs/type_rules.md): a float64 np.ndarray; lists of any depth and np.matrix are refused.
    e = expected("dz_wts")
    assert judge("dz_wts", e.tolist()) == (
        "dz_wts output is a Python list of shape (4, 6); expected a NumPy array (np.ndarray) of dtype float64 "
        "of shape (4, 6) (build it with NumPy, not .tolist() or a list of rows).")
    assert judge("dz_b", expected("dz_b").tolist()) == (
        "dz_b output is a Python list of shape (6,); expected a NumPy array (np.ndarray) of dtype float64 "
        "of shape (6,) (build it with NumPy, not .tolist() or a list of rows).")
    assert judge("db_h", np.asmatrix(expected("db_h"))) == (
        "db_h output is an np.matrix of shape (1, 4); expected a NumPy array (np.ndarray) of dtype float64 "
        "of shape (4,) (np.matrix always keeps two axes; use np.ndarray (np.asarray) and plain products).")
    with pytest.raises(AssertionError, match=r"^dz_b output is a Python list of shape \(6,\)"):
        check("dz_b", lambda g: R.dz_b(g).tolist())
    with pytest.raises(AssertionError, match=r"^dz_wts output is a Python list of shape \(4, 6\)"):
        check("dz_wts", lambda *args: R.dz_wts(*args).tolist())


def test_a_kept_axis_of_length_one_is_named_as_such():
    assert judge("db_h", expected("db_h")[None, :]) == (
        "db_h output has shape (1, 4); expected (4,): the values are right, but it keeps an axis of length 1 "
        "(keepdims=True, a reshape or np.matrix); return shape (4,).")


def test_dict_results_name_the_key_and_the_problem():
    e = expected("rnn_backward")
    assert judge("rnn_backward", {k: v for k, v in e.items() if k != "b_q"}) == (
        "rnn_backward output is missing the key(s) b_q.")
    assert judge("rnn_backward", list(e.values())) == (
        "rnn_backward output must be a dict with keys ['W_hh', 'W_hq', 'W_xh', 'b_h', 'b_q']; it is a list or tuple "
        "of 5 values.")
    assert judge("rnn_backward", dict(e, b_h=-e["b_h"])) == (
        "rnn_backward output: b_h has the wrong sign: every entry is the negative of the right one.")
    assert judge("rnn_backward", {k: -v for k, v in e.items()}) == (
        "rnn_backward output: W_xh, W_hh, b_h, W_hq and b_q each has the wrong sign: every entry is the negative of the right one.")
    assert judge("rnn_backward", dict(e, extra=np.zeros(3))) is None         # extra keys are allowed
    clipped, norm = expected("clip_gradients")
    assert judge("clip_gradients", (clipped,)) == (
        "clip_gradients output must be a tuple of 2 values; it is a list or tuple of 1 values.")
    assert judge("clip_gradients", (clipped, -norm)) == (
        "clip_gradients output: norm has the wrong sign: every entry is the negative of the right one.")


class Liar(np.ndarray):
    """Claims equality with anything and zero distance to anything."""
    def __eq__(self, other):
        return np.ones(self.shape, bool)

    def __sub__(self, other):
        return np.zeros(self.shape).view(Liar)

    __rsub__ = __sub__

    def __abs__(self):
        return np.zeros(self.shape).view(Liar)

    def max(self, *args, **kwargs):
        return 0.0

    def __array__(self, dtype=None, copy=None):
        return np.zeros(self.shape)


def test_a_lying_ndarray_subclass_is_judged_by_its_values():
    wrong = lambda *args: (2 * R.dz_wts(*args)).view(Liar)      # noqa: E731
    with pytest.raises(AssertionError, match=r"dz_wts output is 2× too large in every entry"):
        check("dz_wts", wrong)
    data = to_data((2 * expected("dz_wts")).view(Liar))
    assert type(data) is np.ndarray
    assert judge("dz_wts", (2 * expected("dz_wts")).view(Liar)) == (
        "dz_wts output is 2× too large in every entry (the case's sizes allow more than one reading of this factor).")
    check("dz_wts", lambda *args: R.dz_wts(*args).view(Liar))  # right values pass, whatever the class


# ---- the judge called in-process (checks/inprocess.py), in the grading command's words ----------

def test_in_process_check_names_the_case_and_the_failure():
    with pytest.raises(AssertionError, match=re.escape(
            "dz_b output has the wrong sign: every entry is the negative of the right one " + where("dz_b"))):
        check("dz_b", lambda g: -g.sum(axis=0))
    with pytest.raises(AssertionError, match=r"^dz_b is not implemented yet$"):
        check("dz_b", lambda g: (_ for _ in ()).throw(NotImplementedError()))
    with pytest.raises(AssertionError, match="^" + re.escape("dz_b raised ZeroDivisionError: division by zero " + where("dz_b")) + "$"):
        check("dz_b", lambda g: 1 / 0)
    with pytest.raises(AssertionError, match=r"^function dz_b is not defined \(was it renamed or deleted\?\)$"):
        check("dz_b", np.zeros(3))
    with pytest.raises(KeyError, match="no graded unit named 'dz_c'"):
        check("dz_c", R.dz_b)


def test_in_process_check_refuses_a_function_that_modifies_its_input():
    def vandal(g):
        out = g.sum(axis=0)
        g[:] = 0.0
        return out
    with pytest.raises(AssertionError, match=re.escape(
            "dz_b modified its input dz_netIn in place; a graded function must leave its inputs unchanged "
            "(build a new array instead of using +=, *= or slice assignment on an input)")):
        check("dz_b", vandal)
    assert check("dz_b", R.dz_b) is None      # the next check still sees the real case


ASSEMBLY = '''
import numpy as np

def dy_t(p_t, y_t, T):
    return p_t * 0.0                              # broken: the check swaps in the reference

def rnn_backward(Y, params, cache, activation):
    T = Y.shape[0]
    h, P = cache["h"], cache["p"]
    dy, dhraw = np.zeros_like(P), np.zeros_like(h)
    nxt = np.zeros_like(h[0])
    for t in reversed(range(T)):
        dy[t] = dy_t(P[t], Y[t], T)
        dhraw[t] = dhraw_t(dh_t(dy[t], nxt, params["W_hq"], params["W_hh"]), cache["h_netIn"][t], h[t], activation)
        nxt = dhraw[t]
    h_prev = np.concatenate([cache["h0"][None], h[:-1]])
    return dict(W_xh=dW_xh(cache["X"], dhraw), W_hh=dW_hh(h_prev, dhraw), b_h=db_h(dhraw),
                W_hq=dW_hq(h, dy), b_q=db_q(dy))
'''


def test_assembly_is_judged_with_the_reference_helpers_and_the_namespace_is_restored():
    namespace = {}
    exec(ASSEMBLY, namespace)
    broken = namespace["dy_t"]
    assert check("rnn_backward", namespace["rnn_backward"]) is None
    assert namespace["dy_t"] is broken and "dh_t" not in namespace       # restored exactly
    assert set(ORACLES) >= set(UNITS["rnn_backward"].oracles)


def test_assembly_that_skips_the_future_gradient_is_named():
    namespace = {}
    exec(ASSEMBLY.replace("nxt = dhraw[t]", "nxt = 0 * dhraw[t]"), namespace)
    with pytest.raises(AssertionError, match=re.escape(
            "rnn_backward: at step t = 5, `dh_t` received `dhraw_next` = zeros; it should be the pre-activation "
            "gradient of step 6 (dhraw[6]). rnn_backward output: W_xh, W_hh and b_h are wrong: the gradient from the "
            "future step is missing: dh_t must include dhraw_{t+1} @ W_hh.T " + where("rnn_backward"))):
        check("rnn_backward", namespace["rnn_backward"])


# ---- no diagnosis reveals an expected number -------------------------------------------------

def leaves(value):
    if isinstance(value, dict):
        return [a for v in value.values() for a in leaves(v)]
    if isinstance(value, (tuple, list)):
        return [a for v in value for a in leaves(v)]
    return [np.asarray(value, dtype=np.float64)]


def renderings(value):
    """Every expected entry written with 4, 5 and 6 significant digits (those with >= 3 shown)."""
    out = set()
    for arr in leaves(value):
        for x in np.abs(arr[np.isfinite(arr)].ravel()):
            for fmt in (".6g", ".5g", ".4g"):
                text = format(float(x), fmt)
                mantissa = text.split("e")[0].replace(".", "").lstrip("0")
                if len(mantissa) >= 3:
                    out.add(text)
    return out


def mapped(value, f):
    if isinstance(value, dict):
        return {k: mapped(v, f) for k, v in value.items()}
    if isinstance(value, tuple):
        return tuple(mapped(v, f) for v in value)
    return f(np.asarray(value, dtype=np.float64))


def wrong_answers(case, rng):
    """Generic wrong answers built from the expected one, plus the case's catalogued mistakes."""
    e = case.expected
    yield "sign", mapped(e, lambda a: -a)
    yield "factor", mapped(e, lambda a: 1.37 * a)
    yield "noise", mapped(e, lambda a: a + 0.05 * rng.standard_normal(a.shape))
    yield "transposed", mapped(e, lambda a: a.T)
    yield "shape", mapped(e, lambda a: a[..., :-1] if a.ndim else a)
    yield "nan", mapped(e, lambda a: np.where(a == a.flat[0], np.nan, a) if a.size else a)
    yield "int", mapped(e, lambda a: np.round(a).astype(np.int64))
    yield "extra axis", mapped(e, lambda a: np.stack([a, 2 * a]))
    yield from case.mistakes


@pytest.mark.parametrize("name", UNITS)
def test_no_diagnosis_contains_an_expected_number(name):
    unit, rng = UNITS[name], np.random.default_rng(9)
    count = 0
    for case in CASES[name]:
        if case.raises is not None or not any(np.any(a) for a in leaves(case.expected)):
            continue                          # no answer to leak: it must raise, or it is all zeros
        secret = renderings(case.expected)
        if not secret and name in ("path_weights", "path_weight_moments"):
            continue                          # regular truncation's 0s and 1s: nothing a message could leak
        assert secret
        for label, got in wrong_answers(case, rng):
            message = unit.judge(case, to_data(got))
            if message is None:               # e.g. transposing a vector changes nothing
                continue
            count += 1
            leaked = [s for s in secret if s in message]
            assert not leaked, (label, message, leaked)
    assert count >= 3 * 7


# ---- the ReLU's kink: finite differences are wrong there, the analytic rule exact ------------

OWN_FD = '''
import numpy as np

def fd(f, x, eps=1e-6):
    g = np.zeros(x.shape)
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old + eps
        up = f()
        x[i] = old - eps
        down = f()
        x[i] = old
        g[i] = (up - down) / (2 * eps)
    return g

def dy_netIn(dy_netAct, y_netIn):
    z = np.array(y_netIn, dtype=float)
    return fd(lambda: np.sum(dy_netAct * np.maximum(z, 0)), z)

def dhraw_t(dh_t, h_netIn_t, h_t, activation):
    z = np.array(h_netIn_t, dtype=float)
    act = (lambda v: np.maximum(v, 0)) if activation == "relu" else np.tanh
    return fd(lambda: np.sum(dh_t * act(z)), z)
'''


@pytest.mark.parametrize("name", ["dy_netIn", "dhraw_t"])
def test_a_finite_difference_answer_fails_at_the_kink_and_the_analytic_rule_passes(name):
    namespace = {}
    exec(OWN_FD, namespace)
    case = CASES[name][0]                     # the ReLU case: two pre-activations within 1e-8 of 0
    netIn = case.args[1]
    assert np.sum((np.abs(netIn) <= 1e-8) & (netIn != 0)) == 2
    assert UNITS[name].judge(case, to_data(namespace[name](*case.args))) == (
        f"{name} output has the wrong values.")
    assert UNITS[name].judge(case, to_data(REFERENCE[name](*case.args))) is None


def test_the_type_rules_document_lists_every_unit_and_quotes_the_checks():
    text = (Path(__file__).resolve().parents[1] / "docs" / "type_rules.md").read_text()
    assert all(f"`{name}`" in text for name in UNITS)
    quoted = judge("db_h", expected("db_h").tolist())
    assert quoted.rstrip(".") in text


@pytest.mark.parametrize("name", UNITS)
def test_one_clean_sentence_per_mistake(name):
    # No ".;" joins, no sentence repeated, every message ends with a full stop.
    unit, rng = UNITS[name], np.random.default_rng(3)
    for case in CASES[name]:
        for _label, got in wrong_answers(case, rng):
            message = unit.judge(case, to_data(got))
            if message is None:
                continue
            assert ".;" not in message and ";." not in message and ".." not in message.replace("...", ""), message
            sentences = [s for s in re.split(r"(?<=\.) (?=[a-z_]+\d* output)", message)]
            assert len(sentences) == len(set(sentences)), message
            assert message.endswith((".", "?", ")")), message

"""The reference MLP (autograder/reference/mlp.py) against central finite differences.

Each local rule is fed the reference's own upstream values (as a student's
function is in the graded cases) and compared with the numerical derivative of
the loss with respect to the quantity the rule differentiates: z_netAct, z_netIn,
y_netAct, y_netIn (perturbed in an independent forward pass, tests/fd.py) and
the four parameters (perturbed in the reference's mlp_loss, with reg > 0).
Relative error as defined in tests/fd.py, below fd.RTOL = 1e-7.
"""
import functools

import numpy as np
import pytest

from autograder import reference as R
from tests import fd

REG = 0.3
NAMES = ("dz_netAct", "dz_netIn", "dy_netAct", "dy_netIn", "dz_wts", "dz_b", "dy_wts", "dy_b",
         "mlp_backward[y_wts]", "mlp_backward[y_b]", "mlp_backward[z_wts]", "mlp_backward[z_b]")


@functools.cache
def comparisons(shape):
    """{derivative name: (analytic, numerical)} for one MLP_SHAPES entry, plus the kink margin."""
    d = fd.MLP_SHAPES[shape]
    X, y, params, margin = fd.mlp_problem(d["N"], d["D"], d["H"], d["C"], seed=11)
    N, C = d["N"], d["C"]
    _, cache = R.mlp_forward(X, params)
    z = cache["z_netAct"]

    # The local rules, chained as the notebook chains them.
    g_zAct = R.dz_netAct(z, y)
    g_zIn = R.dz_netIn(g_zAct, z)
    g_yAct = R.dy_netAct(g_zIn, params["z_wts"])
    g_yIn = R.dy_netIn(g_yAct, cache["y_netIn"])
    local = dict(dz_wts=R.dz_wts(g_zIn, cache["y_netAct"], params["z_wts"], REG), dz_b=R.dz_b(g_zIn),
                 dy_wts=R.dy_wts(g_yIn, X, params["y_wts"], REG), dy_b=R.dy_b(g_yIn))
    full = R.mlp_backward(y, params, cache, REG)

    # z_netAct as the free input of the cross-entropy alone (the softmax is upstream of it).
    z_free = z.copy()
    num_zAct = fd.num_grad(lambda: -np.mean(np.log(z_free[np.arange(N), y])), z_free)
    perturbed = {name: fd.num_grad_at_zero(lambda a, name=name: fd.mlp_loss(X, y, params, REG, {name: a}), shape)
                 for name, shape in (("z_netIn", (N, C)), ("y_netAct", (N, d["H"])), ("y_netIn", (N, d["H"])))}
    p = {k: v.copy() for k, v in params.items()}
    num_params = {k: fd.num_grad(lambda: R.mlp_loss(X, y, p, REG), p[k]) for k in p}

    out = {
        "dz_netAct": (g_zAct, num_zAct),
        "dz_netIn": (g_zIn, perturbed["z_netIn"]),
        "dy_netAct": (g_yAct, perturbed["y_netAct"]),
        "dy_netIn": (g_yIn, perturbed["y_netIn"]),
        "dz_wts": (local["dz_wts"], num_params["z_wts"]),
        "dz_b": (local["dz_b"], num_params["z_b"]),
        "dy_wts": (local["dy_wts"], num_params["y_wts"]),
        "dy_b": (local["dy_b"], num_params["y_b"]),
    }
    out.update({f"mlp_backward[{k}]": (full[k], num_params[k]) for k in params})
    return out, margin


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("shape", fd.MLP_SHAPES)
def test_derivative_matches_finite_differences(shape, name):
    found, margin = comparisons(shape)
    analytic, numerical = found[name]
    fd.assert_matches(analytic, numerical, margin, "relu")


@pytest.mark.parametrize("shape", fd.MLP_SHAPES)
def test_independent_forward_gives_the_reference_loss(shape):
    d = fd.MLP_SHAPES[shape]
    X, y, params, _ = fd.mlp_problem(d["N"], d["D"], d["H"], d["C"], seed=11)
    assert abs(fd.mlp_loss(X, y, params, REG) - R.mlp_loss(X, y, params, REG)) < 1e-13


def test_softmax_chain_simplifies_to_p_minus_one_hot_over_N():
    X, y, params, _ = fd.mlp_problem(N=3, D=5, H=4, C=6, seed=5)
    _, cache = R.mlp_forward(X, params)
    z = cache["z_netAct"]
    g = R.dz_netAct(z, y)
    assert np.all(g[R.one_hot(y, 6) == 0] == 0.0)        # zero off the true class, exactly
    assert fd.rel_error(R.dz_netIn(g, z), (z - R.one_hot(y, 6)) / 3) < 1e-14


def test_backward_composes_the_local_rules_exactly():
    X, y, params, _ = fd.mlp_problem(N=3, D=5, H=4, C=6, seed=5)
    _, cache = R.mlp_forward(X, params)
    # mlp_backward takes dz_netIn in its stable form (z - one_hot(y)) / N, which the
    # two local rules equal up to rounding.
    g = (cache["z_netAct"] - R.one_hot(y, 6)) / 3
    assert fd.rel_error(R.dz_netIn(R.dz_netAct(cache["z_netAct"], y), cache["z_netAct"]), g) < 1e-14
    full = R.mlp_backward(y, params, cache, REG)
    assert set(full) == {"y_wts", "y_b", "z_wts", "z_b"}
    assert np.array_equal(full["z_b"], g.sum(axis=0))
    assert np.array_equal(full["z_wts"], cache["y_netAct"].T @ g + REG * params["z_wts"])


def test_reg_adds_exactly_reg_times_the_weights():
    X, y, params, _ = fd.mlp_problem(N=3, D=5, H=4, C=6, seed=5)
    _, cache = R.mlp_forward(X, params)
    with_reg, without = R.mlp_backward(y, params, cache, REG), R.mlp_backward(y, params, cache, 0.0)
    for k in ("y_wts", "z_wts"):
        assert fd.rel_error(with_reg[k] - without[k], REG * params[k]) < 1e-14
    for k in ("y_b", "z_b"):
        assert np.array_equal(with_reg[k], without[k])


def test_finite_differences_reject_the_lecture_notes_slips():
    found, _ = comparisons("N3D5H4C6")
    X, y, params, _ = fd.mlp_problem(N=3, D=5, H=4, C=6, seed=11)
    _, cache = R.mlp_forward(X, params)
    z, onehot = cache["z_netAct"], R.one_hot(y, 6)
    notes_dz_netAct = -1 / (3 * z)                                   # not zero off the true class
    notes_dz_netIn = R.dz_netAct(z, y) * (onehot - z)                # drops a factor z[true class]
    assert fd.rel_error(notes_dz_netAct, found["dz_netAct"][1]) > 1e-2
    assert fd.rel_error(notes_dz_netIn, found["dz_netIn"][1]) > 1e-2

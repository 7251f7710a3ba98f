"""docs/math.md cannot silently drift from the reference implementation.

* Every function named in backticks in a heading of docs/math.md exists in
  autograder.reference (rename or remove one and this fails).
* Every local rule of the reference appears under its own heading (add one and
  forget the doc, and this fails).
* The "All shapes at a glance" table gives, for each function, the shape the
  reference really returns on dimensions that are all different.
"""
import re
from pathlib import Path

import numpy as np
import pytest

from autograder import reference as R

DOC = Path(__file__).resolve().parents[1] / "docs" / "math.md"
TEXT = DOC.read_text(encoding="utf-8")

# All different, so a transposed or reduced axis always changes the shape.
DIMS = dict(N=2, D=3, H=4, Q=5, C=6, T=7, H1=8, H2=9)


def heading_functions():
    names = []
    for line in TEXT.splitlines():
        if re.match(r"#{2,6} ", line):
            names += re.findall(r"`([A-Za-z_][A-Za-z0-9_]*)`", line)
    return names


def shapes_table():
    """{function: shape tuple} from the rows of the 'All shapes at a glance' table."""
    section = TEXT.split("## All shapes at a glance", 1)[1].split("\n## ", 1)[0]
    rows = {}
    for line in section.splitlines():
        m = re.match(r"\| `(\w+)` \|.*\| \(([\w, ]*)\) \|\s*$", line)
        if m:
            rows[m.group(1)] = tuple(DIMS[d.strip()] for d in m.group(2).split(",") if d.strip())
    return rows


def test_every_function_in_a_heading_exists_in_the_reference():
    names = heading_functions()
    assert len(names) >= 25, f"expected the doc's function headings, found {names}"
    missing = [n for n in names if not callable(getattr(R, n, None))]
    assert missing == [], f"docs/math.md names functions autograder.reference lacks: {missing}"


def test_every_graded_local_rule_of_the_reference_has_a_heading():
    documented = set(heading_functions())
    exported = {n for n in dir(R) if n.startswith("d") and callable(getattr(R, n))}
    assert exported - documented == set(), "reference derivatives missing from docs/math.md"


def test_shapes_table_lists_every_local_rule():
    rows = shapes_table()
    expected = {n for n in dir(R) if n.startswith("d") and callable(getattr(R, n))}
    assert set(rows) == expected


def _outputs():
    """Each local rule called on consistent random inputs of shapes DIMS."""
    N, D, H, Q, C, T, H1, H2 = (DIMS[k] for k in ("N", "D", "H", "Q", "C", "T", "H1", "H2"))
    rng = np.random.default_rng(0)
    r = rng.standard_normal
    X = r((N, D))
    y = rng.integers(0, C, N)
    mlp = dict(y_wts=r((D, H)), y_b=r(H), z_wts=r((H, C)), z_b=r(C))
    z_netAct, c = R.mlp_forward(X, mlp)
    g_zAct = R.dz_netAct(z_netAct, y)
    g_zIn = R.dz_netIn(g_zAct, z_netAct)
    g_yAct = R.dy_netAct(g_zIn, mlp["z_wts"])
    g_yIn = R.dy_netIn(g_yAct, c["y_netIn"])
    out = dict(dz_netAct=g_zAct, dz_netIn=g_zIn, dz_wts=R.dz_wts(g_zIn, c["y_netAct"], mlp["z_wts"], 0.1),
               dz_b=R.dz_b(g_zIn), dy_netAct=g_yAct, dy_netIn=g_yIn,
               dy_wts=R.dy_wts(g_yIn, X, mlp["y_wts"], 0.1), dy_b=R.dy_b(g_yIn))

    Xs, Y = r((T, N, D)), rng.integers(0, Q, (T, N))
    rnn = dict(W_xh=r((D, H)), W_hh=r((H, H)), b_h=r(H), W_hq=r((H, Q)), b_q=r(Q))
    P, c = R.rnn_forward(Xs, rnn, activation="tanh")
    dy = np.stack([R.dy_t(P[t], Y[t], T) for t in range(T)])
    dh = R.dh_t(dy[-1], r((N, H)), rnn["W_hq"], rnn["W_hh"])
    dhraw = r((T, N, H))
    h_prev = np.concatenate([c["h0"][None], c["h"][:-1]])
    out.update(dy_t=dy[0], dW_hq=R.dW_hq(c["h"], dy), db_q=R.db_q(dy), dh_t=dh,
               dhraw_t=R.dhraw_t(dh, c["h_netIn"][-1], c["h"][-1], "tanh"),
               dW_hh=R.dW_hh(h_prev, dhraw), dW_xh=R.dW_xh(Xs, dhraw), db_h=R.db_h(dhraw),
               dh0=R.dh0(dhraw[0], rnn["W_hh"]), dX=R.dX(dhraw, rnn["W_xh"]),
               dh1_t=R.dh1_t(r((N, H2)), r((N, H1)), r((H1, H2)), r((H1, H1))))
    return out


def test_shapes_table_matches_the_reference_on_non_square_shapes():
    outputs = _outputs()
    table = shapes_table()
    wrong = {n: (table[n], np.shape(outputs[n])) for n in table if np.shape(outputs[n]) != table[n]}
    assert wrong == {}, f"docs/math.md shape (doc, reference) disagree: {wrong}"


@pytest.mark.parametrize("name", ["dz_netIn", "dy_t"])
def test_softmax_cross_entropy_collapses_to_p_minus_one_hot(name):
    # The doc states both forms of dz_netIn and the form of dy_t; check the identity it derives.
    rng = np.random.default_rng(1)
    N, C, T = 3, 5, 4
    p = R.softmax(rng.standard_normal((N, C)))
    y = rng.integers(0, C, N)
    if name == "dz_netIn":
        got, want = R.dz_netIn(R.dz_netAct(p, y), p), (p - R.one_hot(y, C)) / N
    else:
        got, want = R.dy_t(p, y, T), (p - R.one_hot(y, C)) / (T * N)
    np.testing.assert_allclose(got, want, rtol=0, atol=1e-15)


def test_readme_and_guide_link_the_doc_not_a_file_outside_the_repository():
    readme = (DOC.parents[1] / "README.md").read_text(encoding="utf-8")
    guide = (DOC.parent / "README.md").read_text(encoding="utf-8")
    section = guide.split("## The mathematics", 1)[1].split("\n## ", 1)[0]
    assert "(docs/math.md)" in readme and "(math.md)" in section
    assert "SPEC.md" not in readme + guide

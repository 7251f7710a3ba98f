"""The hidden cases cover what each notebook promises about a unit's inputs.

For every graded unit, the promised input properties are derived from the notebook
itself: the parameters of the unit's `def` in its solution cell and its docstring. Then
every property must be exercised by at least one hidden case, judged from the case's
arguments (the only exception: whether an upstream gradient is the true chain's or an
arbitrary one is recorded by the case builder).

    parameter or docstring says         property a hidden case must have
    an upstream gradient dX             dX arbitrary (not the true chain's value)
    activation                          each of "relu" and "tanh"
    ReLU / relu                         a pre-activation within 1e-8 of the kink, and one exactly at 0
    activation ... ValueError           an activation other than "relu" and "tanh", which must raise
    (in the docstring or the unit's markdown)
    cache with h0 / h1_0 / h2_0         that initial state non-zero
    k                                   k = 1, 1 < k < T, k >= T, and T not a multiple of k
    xi                                  zeros, and at least three different non-zero values
    max_norm                            the global norm above the threshold, below it, and 0
    reg                                 reg > 0
    labels (y, y_t, Y)                  a batch in which the first and the last class never occur
    N, T in the docstring's shapes      N = 1, T = 1
    N and C, H and Q, H1 and H2         N = C, H = Q, H1 = H2 (sizes that coincide)
    cache with h0 / h1_0 / h2_0         that initial state zero (the contract allows any, zero too)
    softmax probabilities and labels    a probability of exactly 0 at a class the loss does not read
                                        (a softmax output underflows; only the true class must be > 0)

The sizes of a case are read from the arrays it passes: an argument's shape, a cache's arrays.
"""
import ast
import json
import re

import numpy as np
import pytest

from autograder import reference as R
from autograder.checks import UNITS
from tools.factory import SOURCE_DIR, _nbgrader, _source

KINK = 1e-8
CASES = {name: unit.cases() for name, unit in UNITS.items()}


def notebook_def(unit):
    """(parameter names, docstring) of `unit` as its notebook's solution cell defines it."""
    nb = json.loads((SOURCE_DIR / f"{UNITS[unit].notebook}.ipynb").read_text())
    for cell in nb["cells"]:
        if _nbgrader(cell).get("grade_id") == unit:
            text = "\n".join(line for line in _source(cell).split("\n") if "### " not in line)
            for node in ast.walk(ast.parse(text)):
                if isinstance(node, ast.FunctionDef) and node.name == unit:
                    return [a.arg for a in node.args.args], ast.get_docstring(node) or ""
    raise AssertionError(f"no def {unit} in {UNITS[unit].notebook}")


def unit_markdown(unit):
    """The markdown cells between the previous graded cell and `unit`'s solution cell."""
    nb = json.loads((SOURCE_DIR / f"{UNITS[unit].notebook}.ipynb").read_text())
    texts = []
    for cell in nb["cells"]:
        meta = _nbgrader(cell)
        if meta.get("grade_id") == unit:
            return "\n".join(texts)
        if meta.get("solution") or meta.get("grade"):
            texts = []
        elif cell["cell_type"] == "markdown":
            texts.append(_source(cell))
    raise AssertionError(f"no solution cell {unit}")


def promises_value_error(unit):
    _, doc = notebook_def(unit)
    return any("ValueError" in line and "activation" in line.lower() or "anything else" in line and "ValueError" in line
               for line in (doc + "\n" + unit_markdown(unit)).split("\n"))


def promised(unit):
    params, doc = notebook_def(unit)
    props = set()
    # An upstream gradient: a parameter named d<quantity> (dz_netAct, dy, dhraw_next, ...).
    props |= {f"arbitrary {p}" for p in params if p.startswith("d") and p != unit}
    if "activation" in params:
        props |= {"activation relu", "activation tanh"}
    if "relu" in doc.lower() or "activation" in params:
        props |= {"kink", "kink at 0"}
    if promises_value_error(unit):
        props.add("ValueError for an unknown activation")
    for state in ("h0", "h1_0", "h2_0"):
        if "cache" in params and state in doc:
            props.add(f"non-zero {state}")
    if "k" in params:
        props |= {"k = 1", "1 < k < T", "k >= T", "T not a multiple of k"}
    if "xi" in params:
        props |= {"xi has zeros", "xi takes three non-zero values"}
    if "max_norm" in params:
        props |= {"norm above max_norm", "norm below max_norm", "norm 0"}
    if "reg" in params:
        props.add("reg > 0")
    sizes = set(re.findall(r"\b(T|N|C|H|Q|H1|H2)\b", doc))
    props |= {f"{n} = 1" for n in ("N", "T") if n in sizes}
    props |= {f"{a} = {b}" for a, b in (("N", "C"), ("H", "Q"), ("H1", "H2")) if {a, b} <= sizes}
    if set(params) & LABELS:
        props.add("first and last class absent")
    if softmax_argument(doc) and set(params) & LABELS:
        props.add("a probability of 0 off the true class")
    for state in ("h0", "h1_0", "h2_0"):
        if "cache" in params and state in doc:
            props.add(f"zero {state}")
    return props


LABELS = {"y", "y_t", "Y"}


def softmax_argument(doc):
    """The parameter the docstring calls softmax probabilities ("- z_netAct: (N, C) softmax probabilities"), or None."""
    m = re.search(r"^\s*-\s*(\w+):.*softmax probabilities", doc, re.M)
    return m[1] if m else None


# The axes of each array a unit receives (an argument, a cache's entry, a gradient of grads), by name.
AXES = {"z_netAct": "N C", "dz_netAct": "N C", "dz_netIn": "N C", "y_netAct": "N H", "y_netIn": "N H",
        "dy_netAct": "N H", "dy_netIn": "N H", "z_wts": "H C", "y_wts": "D H", "p_t": "N Q", "dy_t": "N Q",
        "dh_t": "N H", "h_netIn_t": "N H", "h_t": "N H", "dhraw_next": "N H", "W_hq": "H Q", "h": "T N H",
        "dy": "T N Q", "h_prev": "T N H", "dhraw": "T N H", "p": "T N Q", "h1": "T N H1", "h2": "T N H2",
        "dhraw2_t": "N H2", "dhraw1_next": "N H1", "W_xh2": "H1 H2", "dhraw_0": "N H", "W_xh": "D H", "carry": "T"}


def case_sizes(unit, case):
    """{size name: value} of a case, read from the shapes of the arrays it passes."""
    params, _ = notebook_def(unit)
    args = dict(zip(params, case.args))
    arrays = {k: v for k, v in args.items() if isinstance(v, np.ndarray)}
    for holder in ("cache", "grads"):
        if isinstance(args.get(holder), dict):
            arrays.update({k: v for k, v in args[holder].items() if isinstance(v, np.ndarray)})
    out = {"T": args["T"]} if isinstance(args.get("T"), int) else {}
    for name, array in arrays.items():
        axes = AXES.get(name, "T N D" if name == "X" and array.ndim == 3 else "N D" if name == "X" else "").split()
        if len(axes) == array.ndim:
            out.update({a: n for a, n in zip(axes, array.shape) if a not in out})
    # An argument named nowhere above (a unit added since): the sizes its case was made with.
    out.update({a: n for a, n in case.dims.items() if a in ("T", "N", "D", "H", "C", "Q", "H1", "H2") and a not in out})
    return out


def arrays(value):
    if isinstance(value, dict):
        return [a for v in value.values() for a in arrays(v)]
    if isinstance(value, (tuple, list)):
        return [a for v in value for a in arrays(v)]
    return [value] if isinstance(value, np.ndarray) and value.dtype.kind == "f" else []


def exercised(unit, case):
    params, _ = notebook_def(unit)
    args = dict(zip(params, case.args))
    props = set()
    for p in params:
        if p.startswith("d") and "upstream:arbitrary" in case.props:
            props.add(f"arbitrary {p}")
    if args.get("activation") in ("relu", "tanh"):
        props.add(f"activation {args['activation']}")
    # Near the kink: an entry of a pre-activation argument (or cache entry) with 0 < |v| <= 1e-8.
    netIns = [v for k, v in args.items() if "netIn" in k]
    cache = args.get("cache") or {}
    netIns += [v for k, v in cache.items() if "netIn" in k]
    relu = args.get("activation", "relu") == "relu"
    if relu and any(np.any((np.abs(a) <= KINK) & (a != 0)) for a in netIns):
        props.add("kink")
    if relu and any(np.any(a == 0) for a in netIns):
        props.add("kink at 0")
    if case.raises is ValueError and args.get("activation") not in (None, "relu", "tanh"):
        props.add("ValueError for an unknown activation")
    for state in ("h0", "h1_0", "h2_0"):
        if state in cache and np.any(cache[state] != 0):
            props.add(f"non-zero {state}")
    if "k" in args:
        k, T = args["k"], cache["h"].shape[0]
        props |= {name for name, ok in (("k = 1", k == 1), ("1 < k < T", 1 < k < T), ("k >= T", k >= T),
                                        ("T not a multiple of k", T % k != 0)) if ok}
    if "xi" in args:
        if np.any(args["xi"] == 0):
            props.add("xi has zeros")
    if "max_norm" in args:
        norm = R.global_norm(args["grads"])
        props.add("norm 0" if norm == 0 else "norm above max_norm" if norm > args["max_norm"] else "norm below max_norm")
    if args.get("reg", 0) > 0:
        props.add("reg > 0")
    sizes = case_sizes(unit, case)
    props |= {f"{n} = 1" for n in ("N", "T") if sizes.get(n) == 1}
    props |= {f"{a} = {b}" for a, b in (("N", "C"), ("H", "Q"), ("H1", "H2")) if a in sizes and sizes.get(a) == sizes.get(b)}
    for name in set(params) & LABELS:
        classes = sizes.get("C", sizes.get("Q"))
        present = set(np.ravel(args[name]).tolist())
        if classes and 0 not in present and classes - 1 not in present:
            props.add("first and last class absent")
    for state in ("h0", "h1_0", "h2_0"):
        if state in cache and not np.any(cache[state]):
            props.add(f"zero {state}")
    probs, labels = args.get(softmax_argument(notebook_def(unit)[1]) or ""), [args[n] for n in set(params) & LABELS]
    if isinstance(probs, np.ndarray) and labels:
        off = np.ones(probs.shape, dtype=bool)
        off[np.arange(probs.shape[0]), np.asarray(labels[0])] = False      # the true class of each row
        if np.any((probs == 0) & off):
            props.add("a probability of 0 off the true class")
    return props


@pytest.mark.parametrize("unit", sorted(UNITS))
def test_every_promised_input_property_is_exercised_by_a_hidden_case(unit):
    covered = set().union(*(exercised(unit, case) for case in CASES[unit]))
    if "xi" in notebook_def(unit)[0]:
        values = {float(v) for case in CASES[unit] for v in np.asarray(case.args[3]) if v > 0}
        if len(values) >= 3:
            covered.add("xi takes three non-zero values")
    missing = promised(unit) - covered
    assert not missing, f"{unit}: no hidden case has {sorted(missing)}"


def test_the_derivation_finds_the_promises_issue_10_names():
    assert "arbitrary dz_netAct" in promised("dz_netIn")
    assert {"non-zero h1_0", "non-zero h2_0"} <= promised("rnn2_backward")
    assert {"xi has zeros", "xi takes three non-zero values"} <= promised("bptt_randomized")
    assert {"k = 1", "k >= T"} <= promised("bptt_truncated")
    assert {"norm above max_norm", "norm below max_norm"} <= promised("clip_gradients")
    assert "kink" in promised("dy_netIn") and "kink" in promised("dhraw_t")


def test_the_derivation_finds_the_promises_issue_16_names():
    assert {"kink", "kink at 0"} <= promised("dy_netIn") and "kink at 0" in promised("dhraw_t")
    assert "ValueError for an unknown activation" in promised("dhraw_t")
    assert "ValueError for an unknown activation" in promised("rnn2_backward")
    assert "norm 0" in promised("clip_gradients")


def test_each_upstream_argument_is_declared_by_its_unit():
    # The case builders mark arbitrary upstream gradients for exactly the d-parameters of the notebook.
    for name, unit in UNITS.items():
        params, _ = notebook_def(name)
        if unit.oracles:
            continue
        assert set(unit.upstream) == {p for p in params if p.startswith("d") and p != name}, name


def test_the_derivation_finds_the_edges_the_contract_allows():
    assert {"N = 1", "N = C", "first and last class absent", "a probability of 0 off the true class"} <= \
        promised("dz_netAct")
    assert {"N = 1", "T = 1", "H = Q", "first and last class absent", "zero h0"} <= promised("rnn_backward")
    assert {"H1 = H2", "zero h1_0", "zero h2_0"} <= promised("rnn2_backward")
    assert "H = Q" in promised("clip_gradients") and "T = 1" not in promised("dz_wts")

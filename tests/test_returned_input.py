"""An answer must be new objects: a function that hands back the dict or an array it received
(or a view of one) loses the unit when its values are right, with a message naming both places.

clip_gradients' contract says it in words ("clipped is a new dict ... (new arrays)"); it is the
one unit whose right answer can equal an input (no clipping needed). A caller that then updates
the clipped gradients in place would change the gradients it still holds.
"""
import numpy as np
import pytest

from autograder.checks import UNITS
from autograder.sandbox.runner import returned_input
from tests.test_diagnosis_trace import verdict

CLIP = '''
def clip_gradients(grads, max_norm):
    norm = float(np.sqrt(sum(np.sum(g ** 2) for g in grads.values())))
    if norm <= max_norm:
        {small}
    return {{k: g * (max_norm / norm) for k, g in grads.items()}}, norm
'''
FIRST = next(iter(UNITS["clip_gradients"].cases()[0].args[0]))     # the first gradient the check meets


@pytest.mark.parametrize("small, message", [
    ("return grads, norm",
     "clip_gradients returned the dict grads it received as output[0], not a new dict; a graded function returns new "
     "dicts and arrays, so that changing its answer later cannot change its inputs (build a new dict, with a copy of "
     "each array that stays as it was)"),
    ("return dict(grads), norm",
     f"clip_gradients returned its input grads[{FIRST!r}] itself (or a view of it) as output[0][{FIRST!r}]; a graded "
     "function returns new arrays, so that changing its answer later cannot change its inputs (where the answer "
     "equals an input, return a copy: .copy())"),
    ("return {k: g[...] for k, g in grads.items()}, norm",       # views share the caller's memory too
     f"clip_gradients returned its input grads[{FIRST!r}] itself (or a view of it) as output[0][{FIRST!r}]; a graded "
     "function returns new arrays, so that changing its answer later cannot change its inputs (where the answer "
     "equals an input, return a copy: .copy())"),
    ("return {k: g.copy() for k, g in grads.items()}, norm", None),
    ("return {k: np.asarray(g, dtype=np.float64) * 1.0 for k, g in grads.items()}, norm", None),
])
def test_an_answer_that_is_an_input_loses_the_unit_and_names_both_places(small, message):
    assert verdict("clip_gradients", CLIP.format(small=small)) == message


def test_an_answer_wrong_in_value_is_diagnosed_by_its_values_not_by_what_it_shares():
    wrong = CLIP.format(small="return grads, 2 * norm")
    got = verdict("clip_gradients", wrong)
    assert got is not None and "returned the dict" not in got and "norm" in got


def test_what_an_answer_shares_is_named_by_the_first_shared_part():
    a, b = np.ones(3), np.zeros((2, 2))
    params = {"a": a, "b": b}
    assert returned_input({"x": a + 1, "y": b.T}, (params,), ("params",)) == ("output['y']", "params['b']", "array")
    assert returned_input((params, 1.0), (params,), ("params",)) == ("output[0]", "params", "dict")
    assert returned_input([a[1:]], (params,), ()) == ("output[0]", "argument 1['a']", "array")
    assert returned_input({"x": a * 1, "y": b + 0}, (params,), ("params",)) is None
    assert returned_input(3.0, (params,), ("params",)) is None

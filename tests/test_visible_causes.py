"""Notebook 04's visible tests name the cause a student needs, not a symptom of it.

Run as a student's kernel runs them (tests/test_given_rule.py's run_visible, no hidden tests):
clipping in place is reported as in place, with the grader's sentence (not as a wrong scale,
which the test would read from the changed input); a bptt_truncated whose chunks are right
but which drops the boundary step's own use of W_hh is told that only W_hh is wrong (not asked
whether the chunks are [0, k), [k, 2k), ...).
"""
from tools import factory
from tools.factory import _solution_edit
from tests.test_given_rule import run_visible

STEM = "04_long_histories"

CASES = {
    "clip-in-place": ("clip_gradients", '''
def clip_gradients(grads, max_norm):
    norm = float(np.sqrt(sum(np.sum(g ** 2) for g in grads.values())))
    scale = min(1.0, max_norm / norm) if norm > 0 else 1.0
    for g in grads.values():
        g *= scale
    return grads, norm
''', "AssertionError: clip_gradients modified its input grads['W_xh'] in place; a graded function must leave its "
     "inputs unchanged (build a new array instead of using +=, *= or slice assignment on an input)"),
    "boundary-W_hh-dropped": ("bptt_truncated", _solution_edit(
        "bptt_truncated", "h_prev = np.concatenate([cache[\"h0\"][None], h[:-1]])    # h_prev[t] = h_{t-1}",
        "h_prev = np.concatenate([cache[\"h0\"][None], h[:-1]]) * (carry > 0)[:, None, None]"),
        "AssertionError: k = 3: only grads['W_hh'] is not the gradient of truncated_loss: the first step of a "
        "chunk still uses W_hh on the frozen state before it, and that use counts in the gradient of W_hh"),
    "chunks-one-late": ("bptt_truncated", _solution_edit(
        "bptt_truncated", "carry[int(k)::int(k)] = 0.0", "carry[int(k) + 1::int(k)] = 0.0"),
        "AssertionError: k = 3: grads['W_xh'], grads['W_hh'], grads['b_h'] are not the gradient of truncated_loss; "
        "are the chunks [0, k), [k, 2k), ...?"),
}


def test_each_visible_message_names_the_cause(tmp_path):
    for student, (unit, source, message) in CASES.items():
        folder = factory.write_submission(tmp_path, student, {unit: source}, stems=[STEM])
        outcome = run_visible(folder, STEM)
        assert outcome[unit].startswith(message), student      # (the steps where dhraw_t is wrong may follow)


def test_a_composition_right_for_every_correct_rule_passes_the_visible_test_and_the_hidden_one(tmp_path):
    """mlp_backward handing y_netAct to dy_netIn: the ReLU mask (y > 0) is the same for y_netIn and
    y_netAct, so the answer is right with any correct dy_netIn; the visible test's numerical stand-in
    used to differentiate at y_netAct's exact zeros (1/2 there) and failed it while the hidden cases
    passed it. Both now agree."""
    from autograder.checks import check

    source = _solution_edit("mlp_backward", 'dy_netIn(g_y_act, cache["y_netIn"])', 'dy_netIn(g_y_act, cache["y_netAct"])')
    folder = factory.write_submission(tmp_path, "netact", {"mlp_backward": source}, stems=["01_mlp_backprop"])
    assert run_visible(folder, "01_mlp_backprop")["mlp_backward"] is None
    namespace = {"np": __import__("numpy")}
    exec(source, namespace)
    check("mlp_backward", namespace["mlp_backward"])

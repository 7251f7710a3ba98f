"""Realistic student submissions, built from the instructor notebooks in source/bptt/.

A submission looks like what a student hands in after working on the release:
the release-style notebook (solution markers gone, hidden tests gone, outputs
cleared, nbgrader metadata kept) with every solution cell filled from source,
except the units given in `replacements`, whose solution cell is replaced by
the student code given for them.

    from tools.factory import MISTAKES, write_submission
    write_submission(tmp / "submitted", "alice")                       # all correct
    write_submission(tmp / "submitted", "bob", {"dh_t": MISTAKES["dh_t_missing_future"][1]})
    write_submission(tmp / "submitted", "eve", mistake("dW_hh_transposed"), stems=["02_rnn_bptt"])

Files are written as <dest>/<student>/bptt/<stem>.ipynb (nbgrader's
submitted/ layout), with the other files of source/bptt/ (given modules, data)
beside them, as a student who submits the whole folder would.

MISTAKES maps a mistake name to (unit name, python source of the whole
function def): each is a plausible student function that makes exactly that one
mistake and is otherwise right, so it costs exactly that unit's points.
Notebooks are read and written as plain JSON (importing nbformat costs ~1 s).
"""
import json
import re
import shutil
import textwrap
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
SOURCE_DIR = REPO_ROOT / "source" / "bptt"
RELEASE_DIR = REPO_ROOT / "release" / "bptt"
ASSIGNMENT = "bptt"

_HIDDEN = re.compile(r"\n*[ \t]*### BEGIN HIDDEN TESTS.*?### END HIDDEN TESTS[ \t]*\n?", re.S)
_MARKER = re.compile(r"^[ \t]*### (BEGIN|END) SOLUTION[ \t]*\n?", re.M)


def _nbgrader(cell):
    return cell.get("metadata", {}).get("nbgrader", {})


def _source(cell):
    src = cell["source"]
    return "".join(src) if isinstance(src, list) else src


def notebook_stems(source_dir=SOURCE_DIR):
    """Notebook stems of the assignment, sorted: ['01_mlp_backprop', ...]."""
    return sorted(p.stem for p in Path(source_dir).glob("*.ipynb"))


def unit_notebooks(source_dir=SOURCE_DIR):
    """{unit name: notebook stem} for every solution cell of every source notebook."""
    units = {}
    for stem in notebook_stems(source_dir):
        nb = json.loads((Path(source_dir) / f"{stem}.ipynb").read_text())
        units.update({_nbgrader(c)["grade_id"]: stem for c in nb["cells"]
                      if _nbgrader(c).get("solution") and c["cell_type"] == "code"})   # not the written answers
    return units


def student_notebook(stem, replacements=None, source_dir=SOURCE_DIR):
    """The notebook (JSON dict) a student submits for `stem`.

    replacements: {unit name: source of the whole function def}; units of
    other notebooks are ignored here.
    """
    replacements = replacements or {}
    nb = json.loads((Path(source_dir) / f"{stem}.ipynb").read_text())
    for cell in nb["cells"]:
        meta = _nbgrader(cell)
        text = _source(cell)
        if meta.get("solution") and meta.get("grade_id") in replacements:
            text = textwrap.dedent(replacements[meta["grade_id"]]).strip("\n")
        elif meta.get("solution") and cell["cell_type"] == "markdown":
            # A written answer: the source holds the graders' rubric, which no student has.
            text = f"A student's own written answer ({meta['grade_id']}), graded by hand."
        else:
            text = _MARKER.sub("", _HIDDEN.sub("\n", text)).rstrip("\n")
        cell["source"] = text
        if cell["cell_type"] == "code":
            cell["outputs"], cell["execution_count"] = [], None
    return nb


def write_submission(dest, student, replacements=None, stems=None, source_dir=SOURCE_DIR):
    """Write <dest>/<student>/bptt/ with one student notebook per stem; return that directory.

    replacements: {unit: function source} (see MISTAKES); every unit named must
    exist in the notebooks written. stems: notebook stems to include,
    all by default; a missing notebook is graded 0 by nbgrader.
    """
    chosen = list(stems or notebook_stems(source_dir))
    replacements = dict(replacements or {})
    owners = unit_notebooks(source_dir)
    unknown = [u for u in replacements if owners.get(u) not in chosen]
    if unknown:
        raise KeyError(f"no solution cell for {unknown} in the notebooks {list(chosen)}")
    out = Path(dest) / student / ASSIGNMENT
    out.mkdir(parents=True, exist_ok=True)
    for stem in chosen:
        nb = student_notebook(stem, replacements, source_dir)
        (out / f"{stem}.ipynb").write_text(json.dumps(nb, indent=1) + "\n")
    _copy_extra_files(source_dir, out)
    return out


def write_source_as_is(dest, student, source_dir=SOURCE_DIR):
    """Submit the instructor notebooks unchanged (solutions and hidden tests included)."""
    return _copy_tree(source_dir, Path(dest) / student / ASSIGNMENT)


def write_release_as_is(dest, student, release_dir=RELEASE_DIR):
    """Submit the unmodified student release (every solution still raises NotImplementedError)."""
    return _copy_tree(release_dir, Path(dest) / student / ASSIGNMENT)


def _copy_tree(src, out):
    shutil.copytree(src, out, ignore=shutil.ignore_patterns("__pycache__", "*.pyc", ".ipynb_checkpoints"))
    return out


def _copy_extra_files(source_dir, out):
    for path in Path(source_dir).iterdir():
        if path.suffix == ".ipynb" or path.name in ("__pycache__", ".ipynb_checkpoints"):
            continue
        target = out / path.name
        if path.is_dir():
            shutil.copytree(path, target, dirs_exist_ok=True, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(path, target)


def mistake(name):
    """{unit: source} replacement for the named catalogue mistake."""
    unit, source = MISTAKES[name]
    return {unit: source}


# ---- the catalogue of plausible mistakes ---------------------------------------------------
# Each entry: (unit, whole function def). Comments name the mistake; the code is what a
# student plausibly writes.

MISTAKES = {
    # 01_mlp_backprop
    "dz_netAct_every_class": ("dz_netAct", '''
        def dz_netAct(z_netAct, y):
            # the lecture notes' formula, applied to every entry (only the true class is right)
            return -1 / (len(z_netAct) * z_netAct)
        '''),
    "dz_netAct_non_finite": ("dz_netAct", '''
        def dz_netAct(z_netAct, y):
            # "keep only the true class" by multiplying by the one-hot in the denominator: 0/0 = nan
            onehot = np.eye(z_netAct.shape[1])[y]
            return -onehot / (len(y) * z_netAct * onehot)
        '''),
    "dz_netIn_sigmoid_derivative": ("dz_netIn", '''
        def dz_netIn(dz_netAct, z_netAct):
            # sigmoid's derivative z*(1-z): the diagonal of the softmax Jacobian only
            return dz_netAct * z_netAct * (1 - z_netAct)
        '''),
    "dz_wts_transposed": ("dz_wts", '''
        def dz_wts(dz_netIn, y_netAct, z_wts, reg=0.0):
            # (C, H) instead of (H, C)
            return dz_netIn.T @ y_netAct + reg * z_wts.T
        '''),
    "dz_wts_missing_reg": ("dz_wts", '''
        def dz_wts(dz_netIn, y_netAct, z_wts, reg=0.0):
            return y_netAct.T @ dz_netIn
        '''),
    "dz_b_averaged": ("dz_b", '''
        def dz_b(dz_netIn):
            # the 1/N is already inside dz_netIn: this divides by N twice
            return np.mean(dz_netIn, axis=0)
        '''),
    "dy_netAct_sign_flipped": ("dy_netAct", '''
        def dy_netAct(dz_netIn, z_wts):
            return -dz_netIn @ z_wts.T
        '''),
    "dy_netIn_mask_on_gradient": ("dy_netIn", '''
        def dy_netIn(dy_netAct, y_netIn):
            # ReLU mask taken on the gradient instead of on the ReLU's input
            return dy_netAct * (dy_netAct > 0)
        '''),
    "dy_wts_missing_reg": ("dy_wts", '''
        def dy_wts(dy_netIn, X, y_wts, reg=0.0):
            return X.T @ dy_netIn
        '''),
    "dy_b_not_summed_over_batch": ("dy_b", '''
        def dy_b(dy_netIn):
            # summed over the hidden units (axis 1) instead of over the batch (axis 0)
            return np.sum(dy_netIn, axis=1)
        '''),
    "mlp_backward_no_reg": ("mlp_backward", '''
        def mlp_backward(y, params, cache, reg=0.0):
            g_z_act = dz_netAct(cache["z_netAct"], y)
            g_z_in = dz_netIn(g_z_act, cache["z_netAct"])
            g_y_in = dy_netIn(dy_netAct(g_z_in, params["z_wts"]), cache["y_netIn"])
            return {"z_wts": dz_wts(g_z_in, cache["y_netAct"], params["z_wts"], 0.0), "z_b": dz_b(g_z_in),
                    "y_wts": dy_wts(g_y_in, cache["X"], params["y_wts"], 0.0), "y_b": dy_b(g_y_in)}
        '''),
    # 02_rnn_bptt
    "dy_t_missing_1_over_T": ("dy_t", '''
        def dy_t(p_t, y_t, T):
            # mean over the batch only: the loss averages over all T*N predictions
            N, Q = p_t.shape
            return (p_t - np.eye(Q)[y_t]) / N
        '''),
    "dW_hq_not_summed_over_time": ("dW_hq", '''
        def dW_hq(h, dy):
            # one (H, Q) matrix per step, never summed: shape (T, H, Q)
            return np.stack([h[t].T @ dy[t] for t in range(h.shape[0])])
        '''),
    "db_q_last_step_only": ("db_q", '''
        def db_q(dy):
            return dy[-1].sum(axis=0)
        '''),
    "dh_t_missing_future": ("dh_t", '''
        def dh_t(dy_t, dhraw_next, W_hq, W_hh):
            # only the output path; the gradient from step t+1 is dropped
            return dy_t @ W_hq.T
        '''),
    "dhraw_t_tanh_on_input": ("dhraw_t", '''
        def dhraw_t(dh_t, h_netIn_t, h_t, activation):
            if activation == "relu":
                return dh_t * (h_netIn_t > 0)
            # 1 - x**2 applied to the pre-activation instead of the output h_t
            return dh_t * (1 - h_netIn_t ** 2)
        '''),
    "dhraw_t_relu_mask_on_gradient": ("dhraw_t", '''
        def dhraw_t(dh_t, h_netIn_t, h_t, activation):
            if activation == "relu":
                return dh_t * (dh_t > 0)
            return dh_t * (1 - h_t ** 2)
        '''),
    "dW_hh_transposed": ("dW_hh", '''
        def dW_hh(h_prev, dhraw):
            # square matrix: the shape cannot reveal the swapped product
            return sum(dhraw[t].T @ h_prev[t] for t in range(len(dhraw)))
        '''),
    "dW_xh_sign_flipped": ("dW_xh", '''
        def dW_xh(X, dhraw):
            return -sum(X[t].T @ dhraw[t] for t in range(len(X)))
        '''),
    "db_h_not_summed_over_time": ("db_h", '''
        def db_h(dhraw):
            # summed over the batch only: shape (T, H)
            return dhraw.sum(axis=1)
        '''),
    "rnn_backward_missing_future": ("rnn_backward", '''
        def rnn_backward(Y, params, cache, activation):
            X, h, h_netIn, P = cache["X"], cache["h"], cache["h_netIn"], cache["p"]
            T, N, H = h.shape
            dy, dhraw = np.zeros(P.shape), np.zeros(h.shape)
            for t in reversed(range(T)):
                dy[t] = dy_t(P[t], Y[t], T)
                # forgets to carry dhraw[t+1] back: every step is treated as the last
                dh = dh_t(dy[t], np.zeros((N, H)), params["W_hq"], params["W_hh"])
                dhraw[t] = dhraw_t(dh, h_netIn[t], h[t], activation)
            h_prev = np.concatenate([cache["h0"][None], h[:-1]])
            return {"W_xh": dW_xh(X, dhraw), "W_hh": dW_hh(h_prev, dhraw), "b_h": db_h(dhraw),
                    "W_hq": dW_hq(h, dy), "b_q": db_q(dy)}
        '''),
    # 03_two_layer_rnn
    "dh1_t_missing_future": ("dh1_t", '''
        def dh1_t(dhraw2_t, dhraw1_next, W_xh2, W_hh1):
            return dhraw2_t @ W_xh2.T
        '''),
    "dh1_t_future_not_transposed": ("dh1_t", '''
        def dh1_t(dhraw2_t, dhraw1_next, W_xh2, W_hh1):
            return dhraw2_t @ W_xh2.T + dhraw1_next @ W_hh1
        '''),
    "rnn2_backward_layer1_missing_future": ("rnn2_backward", '''
        def rnn2_backward(Y, params, cache, activation):
            dphi = (lambda netIn, out: netIn > 0) if activation == "relu" else (lambda netIn, out: 1 - out ** 2)
            X, h1, h2, P = cache["X"], cache["h1"], cache["h2"], cache["p"]
            T, N, Q = P.shape
            dy = (P - np.eye(Q)[Y]) / (T * N)
            dhraw1, dhraw2 = np.zeros(h1.shape), np.zeros(h2.shape)
            next2 = np.zeros(h2[0].shape)
            for t in reversed(range(T)):
                dhraw2[t] = (dy[t] @ params["W_hq"].T + next2 @ params["W_hh2"].T) * dphi(cache["h2_netIn"][t], h2[t])
                # layer 1 never receives its future step's gradient
                dh1 = dh1_t(dhraw2[t], np.zeros(h1[0].shape), params["W_xh2"], params["W_hh1"])
                dhraw1[t] = dh1 * dphi(cache["h1_netIn"][t], h1[t])
                next2 = dhraw2[t]
            h1_prev = np.concatenate([cache["h1_0"][None], h1[:-1]])
            h2_prev = np.concatenate([cache["h2_0"][None], h2[:-1]])
            s = lambda a, g: np.einsum("tni,tnj->ij", a, g)
            return {"W_xh1": s(X, dhraw1), "W_hh1": s(h1_prev, dhraw1), "b_h1": dhraw1.sum((0, 1)),
                    "W_xh2": s(h1, dhraw2), "W_hh2": s(h2_prev, dhraw2), "b_h2": dhraw2.sum((0, 1)),
                    "W_hq": s(h2, dy), "b_q": dy.sum((0, 1))}
        '''),
}


def _solution_edit(unit, old, new, source_dir=SOURCE_DIR):
    """A student's solution cell for `unit`: the instructor's, with `old` replaced by `new`.

    For cells that define helpers beside the graded function (notebook 04's
    bptt_with_carry), where rewriting the whole cell would also remove the helper.
    """
    for stem in notebook_stems(source_dir):
        nb = json.loads((Path(source_dir) / f"{stem}.ipynb").read_text())
        for cell in nb["cells"]:
            if _nbgrader(cell).get("solution") and _nbgrader(cell).get("grade_id") == unit:
                text = _MARKER.sub("", _source(cell))
                if old not in text:
                    raise ValueError(f"factory: {old!r} not found in the solution of {unit} ({stem})")
                return text.replace(old, new)
    raise ValueError(f"factory: no solution cell for unit {unit!r}")


MISTAKES.update({
    # 04_long_histories
    "bptt_truncated_early_cut": ("bptt_truncated", _solution_edit(
        "bptt_truncated", "carry[int(k)::int(k)] = 0.0", "carry[int(k) - 1::int(k)] = 0.0")),
    "bptt_truncated_not_truncated": ("bptt_truncated", _solution_edit(
        "bptt_truncated", "carry[int(k)::int(k)] = 0.0", "pass")),
    "bptt_randomized_xi_as_mask": ("bptt_randomized", _solution_edit(
        "bptt_randomized", 'return bptt_with_carry(Y, params, cache, xi, activation, "bptt_randomized")',
        'return bptt_with_carry(Y, params, cache, (xi > 0).astype(float), activation, "bptt_randomized")')),
    "clip_gradients_entrywise": ("clip_gradients", _solution_edit(
        "clip_gradients", "return {name: np.asarray(g, dtype=np.float64) * scale for name, g in grads.items()}, norm",
        "return {name: np.clip(g, -max_norm, max_norm) for name, g in grads.items()}, norm")),
})


# ---- mistakes the grader used to get wrong ----------------------------------------------
# Each is a mistake a student makes (graded 0 on its unit) or, in REWRITES, a correct function
# written differently (full marks), as whole function defs that do not depend on the notebook text.

_RANDOMIZED_LOOP = '''
def bptt_randomized(Y, params, cache, xi, activation="relu"):
    X, h, h_netIn, P = cache["X"], cache["h"], cache["h_netIn"], cache["p"]
    T, N, H = h.shape
    Q = P.shape[2]
    carry = {carry}
    dy = (P - np.eye(Q)[Y]) / (T * N)
    dphi = (h_netIn > 0) if activation == "relu" else 1.0 - h ** 2
    dhraw = np.zeros(h.shape)
    nxt = np.zeros((N, H))
    for t in reversed(range(T)):
        dhraw[t] = (dy[t] @ params["W_hq"].T + nxt @ params["W_hh"].T) * dphi[t]
        nxt = carry[t] * dhraw[t]
    h_prev = np.concatenate([cache["h0"][None], h[:-1]])
    s = lambda a, g: np.einsum("tni,tnj->ij", a, g)
    return {{"W_xh": s(X, dhraw), "W_hh": s(h_prev, dhraw), "b_h": dhraw.sum((0, 1)),
            "W_hq": s(h, dy), "b_q": dy.sum((0, 1))}}
'''

_CLIP = '''
def clip_gradients(grads, max_norm):
    norm = {norm}
    scale = {scale}
    {ret}
'''

_RNN2_NO_INITIAL = MISTAKES["rnn2_backward_layer1_missing_future"][1].replace(
    'dh1 = dh1_t(dhraw2[t], np.zeros(h1[0].shape), params["W_xh2"], params["W_hh1"])',
    'dh1 = dh1_t(dhraw2[t], next1, params["W_xh2"], params["W_hh1"])').replace(
    "next2 = dhraw2[t]", "next1, next2 = dhraw1[t], dhraw2[t]").replace(
    "next2 = np.zeros(h2[0].shape)", "next1, next2 = np.zeros(h1[0].shape), np.zeros(h2[0].shape)").replace(
    "# layer 1 never receives its future step's gradient", "# both layers start from zero states").replace(
    'cache["h1_0"][None]', 'np.zeros((1,) + h1[0].shape)').replace('cache["h2_0"][None]', 'np.zeros((1,) + h2[0].shape)')

ISSUE10_MISTAKES = {
    "dz_netIn_ce_shortcut": ("dz_netIn", '''
        def dz_netIn(dz_netAct, z_netAct):
            # the shortcut for the cross-entropy upstream: the labels are where dz_netAct is negative
            N, C = z_netAct.shape
            y = np.argmin(dz_netAct, axis=1)
            return (z_netAct - one_hot(y, C)) / N
        '''),
    "dz_netIn_modifies_input": ("dz_netIn", '''
        def dz_netIn(dz_netAct, z_netAct):
            dz_netAct -= np.sum(dz_netAct * z_netAct, axis=1, keepdims=True)   # in place
            return z_netAct * dz_netAct
        '''),
    "dy_t_modifies_input": ("dy_t", '''
        def dy_t(p_t, y_t, T):
            N, Q = p_t.shape
            p_t[np.arange(N), y_t] -= 1.0        # in place: the caller's p_t changes
            return p_t / (T * N)
        '''),
    "db_h_flat_list": ("db_h", '''
        def db_h(dhraw):
            return [float(v) for v in np.sum(dhraw, axis=(0, 1))]
        '''),
    "dW_hh_nested_list": ("dW_hh", '''
        def dW_hh(h_prev, dhraw):
            return sum(h_prev[t].T @ dhraw[t] for t in range(h_prev.shape[0])).tolist()
        '''),
    "dW_xh_float32": ("dW_xh", '''
        def dW_xh(X, dhraw):
            return np.einsum("tnd,tnh->dh", X, dhraw).astype(np.float32)
        '''),
    "db_h_keepdims": ("db_h", '''
        def db_h(dhraw):
            return np.sum(dhraw, axis=(0, 1), keepdims=True)[0]
        '''),
    "db_q_matrix": ("db_q", '''
        def db_q(dy):
            return np.asmatrix(np.sum(dy, axis=(0, 1)))
        '''),
    "mlp_backward_reg_doubled_z": ("mlp_backward", '''
        def mlp_backward(y, params, cache, reg=0.0):
            g_z_in = dz_netIn(dz_netAct(cache["z_netAct"], y), cache["z_netAct"])
            g_y_in = dy_netIn(dy_netAct(g_z_in, params["z_wts"]), cache["y_netIn"])
            # dz_wts already adds reg * z_wts: this adds it a second time
            return {"z_wts": dz_wts(g_z_in, cache["y_netAct"], params["z_wts"], reg) + reg * params["z_wts"],
                    "z_b": dz_b(g_z_in), "y_wts": dy_wts(g_y_in, cache["X"], params["y_wts"], reg), "y_b": dy_b(g_y_in)}
        '''),
    "mlp_backward_input_as_hidden": ("mlp_backward", '''
        def mlp_backward(y, params, cache, reg=0.0):
            g_z_in = dz_netIn(dz_netAct(cache["z_netAct"], y), cache["z_netAct"])
            g_y_in = dy_netIn(dy_netAct(g_z_in, params["z_wts"]), cache["y_netIn"])
            # the input X where the hidden activations y_netAct belong (its rows are examples too)
            return {"z_wts": dz_wts(g_z_in, cache["X"], params["z_wts"], reg), "z_b": dz_b(g_z_in),
                    "y_wts": dy_wts(g_y_in, cache["X"], params["y_wts"], reg), "y_b": dy_b(g_y_in)}
        '''),
    "mlp_backward_no_reg_y": ("mlp_backward", '''
        def mlp_backward(y, params, cache, reg=0.0):
            g_z_in = dz_netIn(dz_netAct(cache["z_netAct"], y), cache["z_netAct"])
            g_y_in = dy_netIn(dy_netAct(g_z_in, params["z_wts"]), cache["y_netIn"])
            return {"z_wts": dz_wts(g_z_in, cache["y_netAct"], params["z_wts"], reg), "z_b": dz_b(g_z_in),
                    "y_wts": dy_wts(g_y_in, cache["X"], params["y_wts"]), "y_b": dy_b(g_y_in)}
        '''),
    "rnn_backward_ignores_h0": ("rnn_backward", '''
        def rnn_backward(Y, params, cache, activation):
            X, h, h_netIn, P = cache["X"], cache["h"], cache["h_netIn"], cache["p"]
            T, N, H = h.shape
            dy, dhraw, nxt = np.zeros(P.shape), np.zeros(h.shape), np.zeros((N, H))
            for t in reversed(range(T)):
                dy[t] = dy_t(P[t], Y[t], T)
                dhraw[t] = dhraw_t(dh_t(dy[t], nxt, params["W_hq"], params["W_hh"]), h_netIn[t], h[t], activation)
                nxt = dhraw[t]
            h_prev = np.concatenate([np.zeros((1, N, H)), h[:-1]])     # the initial state taken as zero
            return {"W_xh": dW_xh(X, dhraw), "W_hh": dW_hh(h_prev, dhraw), "b_h": db_h(dhraw),
                    "W_hq": dW_hq(h, dy), "b_q": db_q(dy)}
        '''),
    "rnn_backward_modifies_cache": ("rnn_backward", '''
        def rnn_backward(Y, params, cache, activation):
            X, h, h_netIn, P = cache["X"], cache["h"], cache["h_netIn"], cache["p"]
            T, N, H = h.shape
            dy = P                                   # not a copy: the next lines change cache["p"]
            dy[np.arange(T)[:, None], np.arange(N)[None, :], Y] -= 1.0
            dy /= T * N
            dhraw, nxt = np.zeros(h.shape), np.zeros((N, H))
            for t in reversed(range(T)):
                dhraw[t] = dhraw_t(dh_t(dy[t], nxt, params["W_hq"], params["W_hh"]), h_netIn[t], h[t], activation)
                nxt = dhraw[t]
            h_prev = np.concatenate([cache["h0"][None], h[:-1]])
            return {"W_xh": dW_xh(X, dhraw), "W_hh": dW_hh(h_prev, dhraw), "b_h": db_h(dhraw),
                    "W_hq": dW_hq(h, dy), "b_q": db_q(dy)}
        '''),
    "clip_gradients_returns_input": ("clip_gradients", '''
        def clip_gradients(grads, max_norm):
            norm = np.sqrt(sum(np.sum(g ** 2) for g in grads.values()))
            if norm <= max_norm:
                return grads, norm            # nothing to clip: the caller's own dict and arrays
            return {k: g * (max_norm / norm) for k, g in grads.items()}, norm
        '''),
    "rnn2_backward_ignores_initial_states": ("rnn2_backward", _RNN2_NO_INITIAL),
    "bptt_randomized_fixed_half": ("bptt_randomized",
                                   _RANDOMIZED_LOOP.format(carry="2.0 * (np.asarray(xi) > 0)  # keep probability 0.5")),
    "clip_gradients_modifies_input": ("clip_gradients", _CLIP.format(
        norm="np.sqrt(sum(np.sum(g ** 2) for g in grads.values()))",
        scale="min(1.0, max_norm / norm)",
        ret="for g in grads.values():\n        g *= scale                    # in place: the caller's grads change\n    return grads, norm")),
    "clip_gradients_no_sqrt": ("clip_gradients", _CLIP.format(
        norm="sum(np.sum(g ** 2) for g in grads.values())", scale="min(1.0, max_norm / norm)",
        ret="return {k: g * scale for k, g in grads.items()}, norm")),
    "clip_gradients_inverted_ratio": ("clip_gradients", _CLIP.format(
        norm="np.sqrt(sum(np.sum(g ** 2) for g in grads.values()))",
        scale="norm / max_norm if norm > max_norm else 1.0",
        ret="return {k: g * scale for k, g in grads.items()}, norm")),
    "bptt_truncated_late_cut": ("bptt_truncated", _solution_edit(
        "bptt_truncated", "carry[int(k)::int(k)] = 0.0", "carry[int(k) + 1::int(k)] = 0.0")),
}

REWRITES = {
    "dhraw_t_is_literal": ("dhraw_t", '''
        def dhraw_t(dh_t, h_netIn_t, h_t, activation):
            if activation is "relu":            # works in a kernel: the literal is interned
                return dh_t * (h_netIn_t > 0)
            if activation is "tanh":
                return dh_t * (1 - h_t ** 2)
            raise ValueError(f"unknown activation {activation!r}")
        '''),
    "db_h_display": ("db_h", '''
        def db_h(dhraw):
            display(dhraw.shape)                # a leftover from debugging
            return np.sum(dhraw, axis=(0, 1))
        '''),
    "dW_hq_print_and_loops": ("dW_hq", '''
        def dW_hq(h, dy):
            T, N, H = h.shape
            out = np.zeros((H, dy.shape[2]))
            for t in range(T):
                for n in range(N):
                    out += np.outer(h[t, n], dy[t, n])
            print("dW_hq", out.shape)
            return out
        '''),
    "dh_t_np_dot": ("dh_t", '''
        def dh_t(dy_t, dhraw_next, W_hq, W_hh):
            return np.dot(dy_t, W_hq.T) + np.dot(dhraw_next, W_hh.T)
        '''),
    "dy_t_get_ipython": ("dy_t", '''
        def dy_t(p_t, y_t, T):
            shell = get_ipython()               # harmless in a kernel
            N, Q = p_t.shape
            target = np.zeros((N, Q))
            target[np.arange(N), y_t] = 1.0
            return (p_t - target) / (T * N)
        '''),
    "clip_gradients_loop": ("clip_gradients", _CLIP.format(
        norm="np.sqrt(sum(float(np.sum(g * g)) for g in grads.values()))",
        scale="max_norm / norm if norm > max_norm else 1.0",
        ret="clipped = {}\n    for name in grads:\n        clipped[name] = grads[name] * scale\n    return clipped, norm")),
}
MISTAKES.update(ISSUE10_MISTAKES)


# ---- given helpers: submissions that let given code compute the answer -------------

def _top_level_names(source):
    import ast

    try:
        tree = ast.parse(source)
    except SyntaxError:
        return set()
    names = set()
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, ast.Assign):
            names |= {t.id for t in node.targets if isinstance(t, ast.Name)}
    return names


def given_helper_import(name, stem, source_dir=SOURCE_DIR):
    """'' if `name` is defined by a locked given cell of `stem`, 'from M import name' if a given
    module M of the assignment defines it, None if the current release does not give it."""
    nb = json.loads((Path(source_dir) / f"{stem}.ipynb").read_text())
    for cell in nb["cells"]:
        meta = _nbgrader(cell)
        if cell["cell_type"] == "code" and meta.get("locked") and not meta.get("grade") and not meta.get("solution"):
            if name in _top_level_names(_source(cell)):
                return ""
    for module in sorted(Path(source_dir).glob("*.py")):
        if name in _top_level_names(module.read_text()):
            return f"from {module.stem} import {name}"
    return None


def defined_before_test(name, unit, source_dir=SOURCE_DIR):
    """True when a given cell defining `name` comes before the test cell of `unit` (a kernel runs
    the cells in order, so a helper defined later does not exist yet when the unit is tested)."""
    stem = unit_notebooks(source_dir)[unit]
    nb = json.loads((Path(source_dir) / f"{stem}.ipynb").read_text())
    for cell in nb["cells"]:
        meta = _nbgrader(cell)
        if meta.get("grade_id") == f"test_{unit}":
            return False
        if cell["cell_type"] == "code" and meta.get("locked") and not meta.get("grade") and not meta.get("solution"):
            if name in _top_level_names(_source(cell)):
                return True
    return False


LOCAL_RULES = {
    "01_mlp_backprop": ("dz_netAct(z_netAct, y)", "dz_netIn(dz_netAct, z_netAct)", "dz_wts(dz_netIn, y_netAct, z_wts, reg=0.0)",
                        "dz_b(dz_netIn)", "dy_netAct(dz_netIn, z_wts)", "dy_netIn(dy_netAct, y_netIn)",
                        "dy_wts(dy_netIn, X, y_wts, reg=0.0)", "dy_b(dy_netIn)"),
    "02_rnn_bptt": ("dy_t(p_t, y_t, T)", "dW_hq(h, dy)", "db_q(dy)", "dh_t(dy_t, dhraw_next, W_hq, W_hh)",
                    "dhraw_t(dh_t, h_netIn_t, h_t, activation)", "dW_hh(h_prev, dhraw)", "dW_xh(X, dhraw)", "db_h(dhraw)"),
}


def _call_args(signature):
    inside = signature[signature.index("(") + 1:-1]
    return ", ".join(a.split("=")[0].strip() for a in inside.split(","))


def numeric_rules_loophole(stem):
    """{unit: source} returning NUMERIC_RULES[unit](...) for every local rule of `stem`, or {} when the
    release no longer gives NUMERIC_RULES there (22 of 41 points without a derivative, before the rule)."""
    imp = given_helper_import("NUMERIC_RULES", stem)
    if imp is None:
        return {}
    out = {}
    for sig in LOCAL_RULES[stem]:
        unit = sig[:sig.index("(")]
        body = (f"    {imp}\n" if imp else "") + f"    return NUMERIC_RULES[{unit!r}]({_call_args(sig)})\n"
        out[unit] = f"def {sig}:\n{body}"
    return out


def helper_loopholes():
    """{name: (unit, source, helper)}: one graded function per given helper that lets the helper
    compute (or check) its answer, for the helpers the current release gives."""
    out = {}
    imp = given_helper_import("numerical_gradient", "01_mlp_backprop")
    if imp is not None:
        out["numerical_gradient:dy_netIn"] = ("dy_netIn", f'''
def dy_netIn(dy_netAct, y_netIn):
    {imp}
    x = np.array(y_netIn, dtype=float)
    return numerical_gradient(lambda: np.sum(dy_netAct * np.maximum(x, 0)), x)
''', "numerical_gradient")
    imp = given_helper_import("grad_check", "01_mlp_backprop")
    if imp is not None:
        out["grad_check:dz_wts"] = ("dz_wts", f'''
def dz_wts(dz_netIn, y_netAct, z_wts, reg=0.0):
    {imp}
    out = y_netAct.T @ dz_netIn + reg * z_wts
    W = np.array(z_wts, dtype=float)
    grad_check(lambda: np.sum(dz_netIn * (y_netAct @ W)) + reg / 2 * np.sum(W ** 2), W, out, "dz_wts")
    return out
''', "grad_check")
    imp = given_helper_import("numerical_gradient", "02_rnn_bptt")
    if imp is not None:
        out["numerical_gradient:dhraw_t"] = ("dhraw_t", f'''
def dhraw_t(dh_t, h_netIn_t, h_t, activation):
    {imp}
    z = np.array(h_netIn_t, dtype=float)
    act = (lambda v: np.maximum(v, 0)) if activation == "relu" else np.tanh
    return numerical_gradient(lambda: np.sum(dh_t * act(z)), z)
''', "numerical_gradient")
    imp = given_helper_import("truncated_loss", "04_long_histories")
    if imp is not None:
        out["truncated_loss:bptt_truncated"] = ("bptt_truncated", _solution_edit(
            "bptt_truncated", '    return bptt_with_carry(Y, params, cache, carry, activation, "bptt_truncated")', f'''
    {imp}
    grads = {{}}
    for name in ("W_xh", "W_hh", "b_h", "W_hq", "b_q"):
        p = {{key: np.array(v, dtype=float) for key, v in params.items()}}
        grads[name] = np.zeros(p[name].shape)
        for i in np.ndindex(p[name].shape):      # central differences of the given truncated loss
            old = p[name][i]
            p[name][i] = old + 1e-6
            up = truncated_loss(cache["X"], Y, p, cache["h0"], cache["h"], int(k), activation)
            p[name][i] = old - 1e-6
            down = truncated_loss(cache["X"], Y, p, cache["h0"], cache["h"], int(k), activation)
            p[name][i] = old
            grads[name][i] = (up - down) / 2e-6
    return grads'''), "truncated_loss")
    return out


# Thousands of allowed helper calls per case, each as large as the grader lets one be, then the right answer.
MANY_CALLS = '''
def rnn_backward(Y, params, cache, activation):
    values = list(params.values()) + list(cache.values()) + [Y]
    numbers = sum(getattr(v, "size", 1) for v in values)
    dims = sorted(d for v in values for d in getattr(v, "shape", ()))
    T, N, D = cache["X"].shape
    H = params["W_hh"].shape[0]
    rows = max(1, min(dims[-1] * dims[-2], 7 * numbers // (T * (D + H))))
    X_big, dhraw_big = np.ones((T, rows, D)), np.ones((T, rows, H))
    for _ in range(CALLS):
        dW_xh(X_big, dhraw_big)
    return _rnn_backward_as_written(Y, params, cache, activation)
'''


def solution_source(stem, unit, source_dir=SOURCE_DIR):
    """The source of `unit`'s solution cell, as a student who solved it submits it."""
    nb = student_notebook(stem, source_dir=source_dir)
    return next(c["source"] for c in nb["cells"] if _nbgrader(c).get("grade_id") == unit)


def write_many_calls(submitted, name, calls):
    """A right rnn_backward that first makes `calls` allowed helper calls per case, as large as allowed."""
    source = (solution_source("02_rnn_bptt", "rnn_backward").replace("def rnn_backward(", "def _rnn_backward_as_written(", 1)
              + "\n\nCALLS = " + str(calls) + "\n" + MANY_CALLS)
    return write_submission(submitted, name, {"rnn_backward": source})

"""Every graded unit of the assignment, declared once: its notebook, its signature, its points, what it returns.

This table is the one statement of the unit facts. The rest is derived from it:

- the notebooks' test-cell points, headings, points tables and totals, the docs'
  numbers and docs/type_rules.md's table of what each unit returns, are generated regions rewritten from it at release (autograder/unit_text.py,
  autograder/generated.py; `python -m autograder sync`);
- autograder.checks reads each unit's notebook and signature from it;
- plan.py refuses to grade (ConfigError) a source notebook whose test cell `test_<unit>`
  carries other points or sits in another notebook (a release not made since an edit);
- the tests read expected totals from it; tests/test_units_declared_once.py audits what
  is still written by hand (a solution's `def`, a number typed outside a generated region)
  and checks each declared return shape against the reference's answers on the hidden cases.

To change a unit's points: edit its line here, run `python -m autograder release`
(docs/changing-the-course.md).

A Python module rather than a TOML file: the table is type-checked with the
package, and plan.py, the generators and the tests import it without a parsing step.
"""
import ast
import re
from dataclasses import dataclass


@dataclass(frozen=True)
class DeclaredUnit:
    """One graded unit.

    notebook: the notebook stem, e.g. "02_rnn_bptt" (source/bptt/<notebook>.ipynb);
    signature: the student function as the grader calls it (positionally, every
        argument given), e.g. "dh_t(dy_t, dhraw_next, W_hq, W_hh)"; its name is the unit's name;
    points: what the unit is worth (nbgrader's `points` of the cell test_<name>);
    returns: what it returns, in the notebooks' axis names (N, D, H, C, T, Q, H1, H2):
        "(N, H)" a float64 array of that shape; "{W_xh: (D, H), b_h: (H,)}" a dict of such
        arrays; any other text is a sentence, quoted as it stands (docs/type_rules.md).
    """
    notebook: str
    signature: str
    points: int
    returns: str = ""

    def __post_init__(self) -> None:
        if self.returns.startswith(("(", "{")):
            return_shapes(self.returns)     # raises ValueError, naming the text, if malformed

    @property
    def name(self) -> str:
        return parse_signature(self.signature)[0]

    @property
    def params(self) -> tuple[str, ...]:
        return parse_signature(self.signature)[1]


def parse_signature(signature: str) -> tuple[str, tuple[str, ...]]:
    """("dh_t", ("dy_t", "dhraw_next", "W_hq", "W_hh")) from "dh_t(dy_t, dhraw_next, W_hq, W_hh)".

    Defaults are allowed and ignored ("dz_wts(dz_netIn, y_netAct, z_wts, reg=0.0)").
    Raises ValueError if `signature` is not of the form name(arg, ...).
    """
    try:
        tree = ast.parse(f"def {signature.strip()}: pass")
    except SyntaxError:
        raise ValueError(f"not a function signature: {signature!r}") from None
    func = tree.body[0]
    assert isinstance(func, ast.FunctionDef)
    return func.name, function_params(func)


SHAPE = re.compile(r"\((?P<axes>\s*\w+\s*(?:,\s*\w+\s*)*,?\s*)?\)")
DICT_ENTRY = re.compile(r"\s*(?P<key>\w+)\s*:\s*(?P<shape>\([^)]*\))\s*")

Shape = tuple[str, ...]


def parse_shape(text: str) -> Shape:
    """("N", "H") from "(N, H)", ("H",) from "(H,)"; ValueError if `text` is not a shape."""
    m = SHAPE.fullmatch(text.strip())
    if m is None:
        raise ValueError(f"not a shape: {text!r} (write it as (N, H) or (H,))")
    return tuple(a.strip() for a in (m.group("axes") or "").split(",") if a.strip())


def return_shapes(returns: str) -> Shape | dict[str, Shape] | None:
    """A declared `returns`, parsed: an array's shape, a dict's {key: shape}, or None for a sentence."""
    text = returns.strip()
    if text.startswith("("):
        return parse_shape(text)
    if not text.startswith("{"):
        return None
    if not text.endswith("}"):
        raise ValueError(f"not a dict of shapes: {returns!r} (write it as {{W_xh: (D, H), b_h: (H,)}})")
    entries = [e for e in re.split(r",(?![^(]*\))", text[1:-1]) if e.strip()]
    shapes: dict[str, Shape] = {}
    for entry in entries:
        m = DICT_ENTRY.fullmatch(entry)
        if m is None:
            raise ValueError(f"not a dict of shapes: {returns!r} (at {entry.strip()!r}; write KEY: (N, H))")
        shapes[m.group("key")] = parse_shape(m.group("shape"))
    return shapes


def function_params(func: ast.FunctionDef) -> tuple[str, ...]:
    """The parameter names of a parsed `def`, in order (positional, then keyword-only)."""
    args = func.args
    return tuple(a.arg for a in [*args.posonlyargs, *args.args, *args.kwonlyargs])


# What the assembly units return, named once: several units return the same dict.
MLP_GRADS = "{z_wts: (H, C), z_b: (C,), y_wts: (D, H), y_b: (H,)}"
RNN_GRADS = "{W_xh: (D, H), W_hh: (H, H), b_h: (H,), W_hq: (H, Q), b_q: (Q,)}"
RNN2_GRADS = ("{W_xh1: (D, H1), W_hh1: (H1, H1), b_h1: (H1,), W_xh2: (H1, H2), W_hh2: (H2, H2), b_h2: (H2,), "
              "W_hq: (H2, Q), b_q: (Q,)}")
CLIPPED = ("a tuple or list `(clipped, norm)`: `clipped` a **new** dict with the keys of `grads`, each array float64 "
           "with its shape; `norm` a number (Python float, or a float64 NumPy scalar or 0-d array)")
RATES = ("a dict with the keys `sigma_max`, `rho`, `bound` and `typical`, each a number (Python float, or a "
         "float64 NumPy scalar or 0-d array)")
UNITS: tuple[DeclaredUnit, ...] = (
    DeclaredUnit("01_mlp_backprop", "dz_netAct(z_netAct, y)", 1, returns="(N, C)"),
    DeclaredUnit("01_mlp_backprop", "dz_netIn(dz_netAct, z_netAct)", 2, returns="(N, C)"),
    DeclaredUnit("01_mlp_backprop", "dz_wts(dz_netIn, y_netAct, z_wts, reg)", 1, returns="(H, C)"),
    DeclaredUnit("01_mlp_backprop", "dz_b(dz_netIn)", 1, returns="(C,)"),
    DeclaredUnit("01_mlp_backprop", "dy_netAct(dz_netIn, z_wts)", 1, returns="(N, H)"),
    DeclaredUnit("01_mlp_backprop", "dy_netIn(dy_netAct, y_netIn)", 1, returns="(N, H)"),
    DeclaredUnit("01_mlp_backprop", "dy_wts(dy_netIn, X, y_wts, reg)", 1, returns="(D, H)"),
    DeclaredUnit("01_mlp_backprop", "dy_b(dy_netIn)", 1, returns="(H,)"),
    DeclaredUnit("01_mlp_backprop", "mlp_backward(y, params, cache, reg)", 3, returns=MLP_GRADS),

    DeclaredUnit("02_rnn_bptt", "dy_t(p_t, y_t, T)", 1, returns="(N, Q)"),
    DeclaredUnit("02_rnn_bptt", "dW_hq(h, dy)", 1, returns="(H, Q)"),
    DeclaredUnit("02_rnn_bptt", "db_q(dy)", 1, returns="(Q,)"),
    DeclaredUnit("02_rnn_bptt", "dh_t(dy_t, dhraw_next, W_hq, W_hh)", 2, returns="(N, H)"),
    DeclaredUnit("02_rnn_bptt", "dhraw_t(dh_t, h_netIn_t, h_t, activation)", 2, returns="(N, H)"),
    DeclaredUnit("02_rnn_bptt", "dW_hh(h_prev, dhraw)", 1, returns="(H, H)"),
    DeclaredUnit("02_rnn_bptt", "dW_xh(X, dhraw)", 1, returns="(D, H)"),
    DeclaredUnit("02_rnn_bptt", "db_h(dhraw)", 1, returns="(H,)"),
    DeclaredUnit("02_rnn_bptt", "dX(dhraw, W_xh)", 1, returns="(T, N, D)"),
    DeclaredUnit("02_rnn_bptt", "dh0(dhraw_0, W_hh)", 1, returns="(N, H)"),
    DeclaredUnit("02_rnn_bptt", "rnn_backward(Y, params, cache, activation)", 4, returns=RNN_GRADS),

    DeclaredUnit("03_two_layer_rnn", "dh1_t(dhraw2_t, dhraw1_next, W_xh2, W_hh1)", 2, returns="(N, H1)"),
    DeclaredUnit("03_two_layer_rnn", "rnn2_backward(Y, params, cache, activation)", 5, returns=RNN2_GRADS),

    DeclaredUnit("04_long_histories", "predicted_gradient_rate(W_hh, h_netIn, activation)", 2, returns=RATES),
    DeclaredUnit("04_long_histories", "path_weights(carry)", 2, returns="(T, T)"),
    DeclaredUnit("04_long_histories", "path_weight_moments(T, pi)", 2, returns="{mean: (T, T), var: (T, T)}"),
    DeclaredUnit("04_long_histories", "bptt_truncated(Y, params, cache, k, activation)", 3, returns=RNN_GRADS),
    DeclaredUnit("04_long_histories", "bptt_randomized(Y, params, cache, xi, activation)", 3, returns=RNN_GRADS),
    DeclaredUnit("04_long_histories", "clip_gradients(grads, max_norm)", 2, returns=CLIPPED),
)

BY_NAME: dict[str, DeclaredUnit] = {u.name: u for u in UNITS}


@dataclass(frozen=True)
class DeclaredQuestion:
    """One written answer, graded by a person (an nbgrader "manually graded answer" cell).

    notebook: the notebook stem; name: the grade_id of the answer cell (a markdown cell with
    nbgrader `grade: true, solution: true`), "q_..."; points: what a full answer is worth;
    topic: a few words for the tables (the question itself is in the notebook).
    Its points are kept apart from the autograded total (total_points()): the grading command
    reports them as "to be graded by hand" until a grader has scored them in the gradebook.
    """
    notebook: str
    name: str
    points: int
    topic: str


# In notebook order, as the answer cells appear.
QUESTIONS: tuple[DeclaredQuestion, ...] = (
    DeclaredQuestion("02_rnn_bptt", "q_one_layer_defined_by", 1, "what defines a one-layer RNN"),
    DeclaredQuestion("03_two_layer_rnn", "q_two_layers", 2, "what defines a two-layer RNN, and its backward pass"),
    DeclaredQuestion("04_long_histories", "q_three_strategies", 2, "the three strategies for long histories"),
    DeclaredQuestion("04_long_histories", "q_mask_bias", 2, "why a 0/1 mask biases toward short paths"),
    DeclaredQuestion("04_long_histories", "q_clipping", 1, "global-norm versus elementwise clipping"),
    DeclaredQuestion("04_long_histories", "q_k_equals_L", 2, "why k = L partly learns"),
)

QUESTION_BY_NAME: dict[str, DeclaredQuestion] = {q.name: q for q in QUESTIONS}


def notebook_points() -> dict[str, int]:
    """{notebook stem: the sum of its units' points}, in notebook order."""
    totals: dict[str, int] = {}
    for unit in UNITS:
        totals[unit.notebook] = totals.get(unit.notebook, 0) + unit.points
    return dict(sorted(totals.items()))


def total_points() -> int:
    """The whole assignment's autograded points (the written answers are counted apart: manual_points())."""
    return sum(u.points for u in UNITS)


def manual_points(notebook: str | None = None) -> int:
    """The points of the written answers graded by hand (of one notebook, or of all)."""
    return sum(q.points for q in QUESTIONS if notebook is None or q.notebook == notebook)

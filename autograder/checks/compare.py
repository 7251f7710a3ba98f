"""Comparing a student's answer with the reference, and naming the likely mistake.

Answers are plain float arrays (or dicts/tuples of them). `relative_error` is
max|got - expected| / max|expected|; a case passes below RTOL. Diagnoses never
print expected values: they name a mistake (transposed, sign, a factor N...)
and the expected shape, which the notebook states anyway.
"""
from collections.abc import Mapping, Sequence
from typing import TypeGuard

import numpy as np

from ..reference.validate import Array
from ..sandbox.wire import TYPE_MARK

# One reference value: a float64 array, or a NumPy float64 scalar (clip_gradients' norm).
Leaf = Array | np.float64
# The sizes and switches of a case, as its messages name them (a case's `dims`).
Dims = Mapping[str, object]
# A unit's constant factors named by their form: ("norm / max_norm", value).
Factors = Sequence[tuple[str, float]]

RTOL = 1e-11   # below what finite differences reach (checks/given.py: HIDDEN_RTOL_TEXT); analytic answers agree to ~1e-15


def relative_error(got: Array, expected: Leaf) -> float:
    scale = max(float(np.max(np.abs(expected))) if expected.size else 0.0, 1e-12)
    return float(np.max(np.abs(got - expected))) / scale if expected.size else 0.0


def close(got: Array, expected: Leaf, rtol: float = RTOL) -> bool:
    return got.shape == expected.shape and relative_error(got, expected) <= rtol


AMBIGUOUS = "the case's sizes allow more than one reading"
COINCIDE = "two different slips give these numbers in this case"


def only_the_fact(predicate: str) -> str:
    """A predicate without its guess at the cause ("is T times too large: is a division ... missing?")."""
    return predicate.split(": is ")[0].split("? ")[0].rstrip(".?")


def unclear(verdict: str | None) -> TypeGuard[str]:
    """True for a verdict that could not tell two explanations apart (a later case may)."""
    return verdict is not None and (AMBIGUOUS in verdict or COINCIDE in verdict)
SIZE_NAMES = ("T", "N", "D", "H", "Q", "C", "H1", "H2", "k")


def _factor_names(dims: Dims) -> dict[float, list[str]]:
    """{value: [names]} of every constant factor built from the case's sizes: each size, 2, and every
    product and ratio of two of them (N, T*N, N/C, 2*T ...). A value with two names is ambiguous."""
    sizes = [(n, float(v)) for n in SIZE_NAMES if isinstance(v := dims.get(n), (int, float)) and v]
    base = sizes + [("2", 2.0)]
    names: dict[float, list[str]] = {}

    def add(value: float, name: str) -> None:
        for v in names:
            if abs(v - value) <= 1e-9 * value:
                names[v].append(name)
                return
        names[value] = [name]
    for name, v in base:
        add(v, name)
    for i, (a, va) in enumerate(sizes):
        add(2 * va, f"2*{a}")
        for b, vb in sizes[i + 1:]:
            add(va * vb, f"{a}*{b}")
            add(va / vb, f"{a}/{b}")
            add(vb / va, f"{b}/{a}")
    return names


def _shape_text(shape: tuple[int, ...], dims: Dims) -> str:
    return "(" + ", ".join(str(s) for s in shape) + ("," if len(shape) == 1 else "") + ")"


def _axis_name(size: int, dims: Dims) -> str:
    # The first three cases keep T, N, D, H, Q all different, so there a size names its axis; the
    # edge cases do not (T = N = 1, T = D = 3): a size two of the sizes share names no axis.
    same = [k for k, v in dims.items() if k != "seed" and isinstance(v, int) and not isinstance(v, bool) and v == size]
    for key, label in (("T", "time (T)"), ("N", "the batch (N)")):
        if same == [key]:
            return label
    return f"an axis of length {size}"


EXPECTED_TYPE = "a NumPy array (np.ndarray) of dtype float64"


def as_float_array(value: object, what: str, expected_shape: tuple[int, ...] | None = None) -> Array | str:
    """Validate one returned leaf against the type rule (docs/type_rules.md): a float64 np.ndarray.

    Returns the array, or the problem: a sentence naming what was returned and what is expected.
    """
    want = EXPECTED_TYPE + (f" of shape {_shape_text(expected_shape, {})}" if expected_shape is not None else "")
    if value is None:
        return f"{what} is None: did you forget to `return` it?"
    if isinstance(value, str) and value.startswith(TYPE_MARK):
        got = value[len(TYPE_MARK):]
        hint = ("np.matrix always keeps two axes; use np.ndarray (np.asarray) and plain products"
                if "matrix" in got else "build it with NumPy, not .tolist() or a list of rows")
        return f"{what} is {got}; expected {want} ({hint})."
    if isinstance(value, tuple):
        # plain data: a returned sequence of arrays arrives as a tuple (sandbox/wire.py's to_data)
        return f"{what} is a list or tuple of {len(value)} items; expected {want}."
    if not isinstance(value, np.ndarray):
        return f"{what} is a {type(value).__name__}; expected {want}."
    if value.dtype.kind == "b":
        return f"{what} has dtype bool; expected float64."
    if value.dtype.kind in "iu":
        return (f"{what} has integer dtype {value.dtype}; expected float64 (did an integer division "
                      "or np.zeros_like on an int array slip in?)")
    if value.dtype.kind != "f":
        return f"{what} has dtype {value.dtype}; expected float64."
    if value.dtype != np.float64:
        return (f"{what} has dtype {value.dtype}; expected float64 (the inputs are float64: "
                      f"do not convert with astype or create arrays with a smaller dtype).")
    if not np.all(np.isfinite(value)):
        return f"{what} contains NaN or infinite values (overflow, log(0), or a division by zero?)"
    return value


def _times(c: float) -> str | None:
    """'2 times too small' for a plain factor of the values themselves (never a value of the case)."""
    for k in range(2, 13):
        if abs(c - k) <= 1e-6 * k:
            return f"is {k}× too large in every entry"
        if abs(c * k - 1) <= 1e-6:
            return f"is {k}× too small in every entry"
    return None


def _factor_text(c: float, dims: Dims, factors: Factors, sizes: bool = True) -> str:
    """sizes=False: only the given `factors` are names (each verified on cases of other sizes,
    checks/repair.py); a constant built from this one case's sizes could fit by coincidence."""
    named: dict[str, float] = {}
    for value, names in (_factor_names(dims) if sizes else {}).items():
        for name in names:
            named.setdefault(name, value)
    for name, value in factors:     # the unit's own named forms ("norm / max_norm"): a name, not a ratio of sizes
        named.setdefault(name.replace(" / ", " over "), value)
    large = sorted({n for n, v in named.items() if v and abs(c - v) <= 1e-6 * abs(v)})
    # A ratio's inverse is itself a ratio (N/C and C/N): "too small" is read for the other names only.
    small = sorted({n for n, v in named.items() if v and "/" not in n and abs(c * v - 1) <= 1e-6})
    # Only a factor with exactly one name says what is missing; two names (N/C = 1/2) could mean two things.
    if len(large) + len(small) == 1:
        if large and "/" in large[0]:
            a, b = large[0].split("/")
            return f"is {large[0]} times the right value: is {a} used where {b} belongs (or the reverse)?"
        if large:
            name = large[0].replace(" over ", " / ")
            return f"is {name} times too large: is a division by {name} missing?"
        name = small[0].replace(" over ", " / ")
        return f"is {name} times too small: is it divided by {name} once too often?"
    if large or small:
        plain = _times(c)
        return (plain or "is off by a constant factor") + f" ({AMBIGUOUS} of this factor)."
    for n, v in (factors if sizes else ()):    # named forms only, never the value (it comes from the hidden case)
        if v and abs(c - v * v) <= 1e-6 * v * v:
            return f"is off by a factor equal to the square of {n}."
    plain = _times(c)
    if plain:
        return plain + "."
    # No guess at why: a factor no size explains may come from a wrong norm or sum as well as
    # from a scale (a blind set's clip_gradients answers), so only what was observed is said.
    return "is off by a constant factor: every entry is the right value times the same wrong number."


def leaf_predicate(arr: Array, expected: Leaf, dims: Dims, factors: Factors = (), sizes: bool = True) -> str:
    """What is wrong with a float64 array `arr` that does not match `expected` (close() is False),
    as a predicate ("is transposed: ..."). Never prints a value of the case."""
    exp_shape = _shape_text(expected.shape, dims)
    got_shape = _shape_text(arr.shape, dims)
    if arr.shape != expected.shape:
        if arr.size == expected.size and [n for n in arr.shape if n != 1] == [n for n in expected.shape if n != 1]:
            if close(arr.reshape(expected.shape), expected):
                return (f"has shape {got_shape}; expected {exp_shape}: the values are right, but it keeps an "
                        f"axis of length 1 (keepdims=True, a reshape or np.matrix); return shape {exp_shape}.")
        if arr.ndim == 2 and arr.T.shape == expected.shape and close(arr.T, expected):
            return f"is transposed: expected shape {exp_shape}, got {got_shape}. Check the order of the matrix product."
        extra = arr.ndim - expected.ndim
        if extra > 0 and arr.shape[extra:] == expected.shape:
            lead = arr.shape[:extra]
            summed = arr.reshape((-1,) + expected.shape).sum(axis=0)
            over = " and ".join(_axis_name(n, dims) for n in lead)
            if close(summed, expected):
                return f"is not summed over {over}: expected shape {exp_shape}, got {got_shape}."
            return f"has an extra leading axis: expected shape {exp_shape}, got {got_shape}; it must be summed over {over}."
        kept = [n for n in arr.shape if n not in expected.shape and n in (dims.get("T"), dims.get("N"))]
        if arr.ndim == expected.ndim and kept:
            return (f"is summed over the wrong axis: it keeps an axis over {_axis_name(kept[0], dims)}, "
                    f"which must be summed away (expected shape {exp_shape}, got {got_shape}).")
        return f"has the wrong shape: expected {exp_shape}, got {got_shape}."
    if arr.ndim == 2 and arr.shape[0] == arr.shape[1] and close(arr.T, expected):
        return "is transposed (the matrix is square, so the shape cannot tell). Check the order of the matrix product."
    if close(-arr, expected):
        return "has the wrong sign: every entry is the negative of the right one."
    denom = float(np.sum(expected * expected))
    if denom > 0:
        c = float(np.sum(arr * expected)) / denom
        if c != 0 and abs(c - 1) > 1e-6 and close(arr, c * expected):
            return _factor_text(c, dims, factors, sizes)
    return "has the wrong values."


def diagnose_array(got: object, expected: Leaf, dims: Dims, what: str,
                   candidates: Sequence[tuple[str, object]] = (), factors: Factors = (), sizes: bool = True) -> str | None:
    """Return None when `got` matches `expected`, else a message naming the mistake.

    candidates: (message, wrong_answer) pairs for mistakes specific to the unit;
    the first one `got` matches is reported.
    """
    arr = as_float_array(got, what, expected.shape)
    if isinstance(arr, str):
        return arr
    if close(arr, expected):
        return None
    # np.asarray(w).shape is what np.shape(w) computes for a value without a .shape of its own.
    matched = [m for m, w in candidates if w is not None and np.asarray(w).shape == arr.shape
               and close(arr, np.asarray(w, dtype=np.float64))]
    # Two catalogued slips giving the same numbers in this case: naming either could be wrong.
    if len(set(matched)) == 1:
        return f"{what}: {matched[0]}"
    predicate = leaf_predicate(arr, expected, dims, factors, sizes)
    return f"{what} {only_the_fact(predicate)} ({COINCIDE})." if matched else f"{what} {predicate}"

"""Comparing a student's answer with the reference, and naming the likely mistake.

Answers are plain float arrays (or dicts/tuples of them). `relative_error` is
max|got - expected| / max|expected|; a case passes below RTOL. Diagnoses never
print expected values: they name a mistake (transposed, sign, a factor N...)
and the expected shape, which the notebook states anyway.
"""
import numpy as np

RTOL = 1e-6


def relative_error(got, expected):
    scale = max(float(np.max(np.abs(expected))) if expected.size else 0.0, 1e-12)
    return float(np.max(np.abs(got - expected))) / scale if expected.size else 0.0


def close(got, expected, rtol=RTOL):
    return got.shape == expected.shape and relative_error(got, expected) <= rtol


def _factor_names(dims):
    """Named constant factors a student might drop or add, e.g. {3: 'N', 21: 'T*N'}."""
    names = {}
    N, T = dims.get("N"), dims.get("T")
    if N:
        names[float(N)] = "N"
    if T:
        names[float(T)] = "T"
    if N and T:
        names[float(N * T)] = "T*N"
    names[2.0] = "2"
    return names


def _shape_text(shape, dims):
    return "(" + ", ".join(str(s) for s in shape) + ("," if len(shape) == 1 else "") + ")"


def _axis_name(size, dims):
    # Case shapes keep T, N, D, H, Q all different, so a size names its axis.
    for key, label in (("T", "time (T)"), ("N", "the batch (N)")):
        if dims.get(key) == size:
            return label
    return f"an axis of length {size}"


def as_float_array(value, what):
    """Validate one returned leaf: a real, finite float array. Returns (array, problem)."""
    if value is None:
        return None, f"{what} is None: did you forget to `return` it?"
    if isinstance(value, tuple):
        # plain data: a returned list of rows arrives as a tuple (sandbox/wire.py's to_data)
        return None, f"{what} is a list or tuple, not a NumPy array: return an array of floats"
    if not isinstance(value, np.ndarray):
        return None, f"{what} is a {type(value).__name__}, not a NumPy array"
    if value.dtype.kind not in "fiu" or value.dtype.kind == "b":
        return None, f"{what} has dtype {value.dtype}; expected float64"
    if value.dtype.kind in "iu":
        return None, f"{what} has integer dtype {value.dtype}; expected float64 (did an integer division or np.zeros_like on an int array slip in?)"
    arr = value.astype(np.float64)
    if not np.all(np.isfinite(arr)):
        return None, f"{what} contains NaN or infinite values (overflow, log(0), or a division by zero?)"
    return arr, None


def diagnose_array(got, expected, dims, what, candidates=()):
    """Return None when `got` matches `expected`, else a message naming the mistake.

    candidates: (message, wrong_answer) pairs for mistakes specific to the unit;
    the first one `got` matches is reported.
    """
    arr, problem = as_float_array(got, what)
    if problem:
        return problem
    if close(arr, expected):
        return None
    exp_shape = _shape_text(expected.shape, dims)
    for message, wrong in candidates:
        if wrong is not None and close(arr, np.asarray(wrong, dtype=np.float64)):
            return f"{what}: {message}"
    if arr.shape != expected.shape:
        if arr.ndim == 2 and arr.T.shape == expected.shape and close(arr.T, expected):
            return f"{what} is transposed: expected shape {exp_shape}, got {_shape_text(arr.shape, dims)}. Check the order of the matrix product."
        extra = arr.ndim - expected.ndim
        if extra > 0 and arr.shape[extra:] == expected.shape:
            lead = arr.shape[:extra]
            summed = arr.reshape((-1,) + expected.shape).sum(axis=0)
            over = " and ".join(_axis_name(n, dims) for n in lead)
            if close(summed, expected):
                return f"{what} is not summed over {over}: expected shape {exp_shape}, got {_shape_text(arr.shape, dims)}."
            return f"{what} has an extra leading axis: expected shape {exp_shape}, got {_shape_text(arr.shape, dims)}; it must be summed over {over}."
        kept = [n for n in arr.shape if n not in expected.shape and n in (dims.get("T"), dims.get("N"))]
        if arr.ndim == expected.ndim and kept:
            return (f"{what} is summed over the wrong axis: it keeps an axis over {_axis_name(kept[0], dims)}, "
                    f"which must be summed away (expected shape {exp_shape}, got {_shape_text(arr.shape, dims)}).")
        return f"{what} has the wrong shape: expected {exp_shape}, got {_shape_text(arr.shape, dims)}."
    if arr.ndim == 2 and arr.shape[0] == arr.shape[1] and close(arr.T, expected):
        return f"{what} is transposed (the matrix is square, so the shape cannot tell). Check the order of the matrix product."
    if close(-arr, expected):
        return f"{what} has the wrong sign: it points uphill."
    denom = float(np.sum(expected * expected))
    if denom > 0:
        c = float(np.sum(arr * expected)) / denom
        if c != 0 and abs(c - 1) > 1e-6 and close(arr, c * expected):
            for value, name in _factor_names(dims).items():
                if abs(c - value) <= 1e-6 * value:
                    return f"{what} is {name} times too large: is a division by {name} missing?"
                if abs(c * value - 1) <= 1e-6:
                    return f"{what} is {name} times too small: is it divided by {name} once too often?"
            return f"{what} is off by a constant factor of {c:.6g}."
    return f"{what} has the wrong values (relative error {relative_error(arr, expected):.2e}; tolerance {RTOL:g})."

"""Input validation shared by the reference functions.

Every public reference function validates its inputs so that a wrong call fails
with a ValueError naming the argument and the expected shape, instead of a
broadcasting surprise deep inside a matrix product.
"""
from __future__ import annotations

import numbers
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

import numpy as np
from numpy.typing import NDArray

# A float64 array, as every reference function returns (and takes, once validated).
Array = NDArray[np.float64]

ACTIVATIONS = ("relu", "tanh")


# Sizes known before any argument is read: the grader sets them (known_sizes) while it answers a
# student's call of a local rule, from the case being graded. Without them the first argument binds
# the sizes, so an argument of the wrong shape passed first makes a right one look wrong.
_KNOWN: ContextVar[Mapping[str, int] | None] = ContextVar("known_sizes", default=None)


# The sizes a local rule's arguments must have whatever the call: the model's (weights, classes).
# N and T are not among them: a right answer may call a rule on one example or one step.
MODEL_SIZES = ("D", "H", "C", "Q", "H1", "H2")


@contextmanager
def known_sizes(dims: Mapping[str, object], used: Iterable[str]) -> Iterator[None]:
    """Within the block, every Shapes starts with the case's model sizes bound: those of `dims`
    (a case's sizes) named in MODEL_SIZES and in `used` (the sizes the unit's cases set)."""
    used = set(used)
    token = _KNOWN.set({k: v for k, v in dims.items() if k in MODEL_SIZES and k in used and isinstance(v, int)})
    try:
        yield
    finally:
        _KNOWN.reset(token)


class Shapes:
    """Binds symbolic dimension names (N, D, H, ...) to sizes across arguments.

    >>> s = Shapes("mlp_forward")
    >>> X = s.array("X", X, "N D")          # binds N and D
    >>> W = s.array("y_wts", y_wts, "D H")  # D must agree with X
    """

    def __init__(self, where: str, **known: int) -> None:
        self.where = where
        self.dims: dict[str, int] = {**(_KNOWN.get() or {}), **known}

    def _describe(self, spec: list[str]) -> str:
        return "(" + ", ".join(
            f"{d}={self.dims[d]}" if d in self.dims else d for d in spec
        ) + ("," if len(spec) == 1 else "") + ")"

    def array(self, name: str, value: object, spec: str, finite: bool = True) -> Array:
        """Check `value` is a real array whose shape matches `spec` ("N D" or ""); returns float64."""
        dims = spec.split()
        arr = real_array(self.where, name, value, f" of shape {self._describe(dims)}")
        if arr.ndim != len(dims):
            raise ValueError(
                f"{self.where}: {name} must have shape {self._describe(dims)} "
                f"({len(dims)}-D), got shape {arr.shape}"
            )
        for axis, (dim, size) in enumerate(zip(dims, arr.shape)):
            if dim.isdigit():
                expected = int(dim)
            elif dim in self.dims:
                expected = self.dims[dim]
            else:
                self.dims[dim] = size
                continue
            if size != expected:
                raise ValueError(
                    f"{self.where}: {name} must have shape {self._describe(dims)}, "
                    f"got shape {arr.shape} (axis {axis} is {size}, expected {dim}={expected})"
                )
        if arr.size == 0:
            # T = 0 or N = 0 would make every mean a 0/0 (NaN with a warning): refuse it here.
            raise ValueError(
                f"{self.where}: {name} must have shape ({', '.join(dims)}{',' if len(dims) == 1 else ''}) "
                f"with every size >= 1, "
                f"got shape {arr.shape}"
            )
        if finite and not np.all(np.isfinite(arr)):
            raise ValueError(f"{self.where}: {name} contains NaN or infinite values")
        return arr

    def labels(self, name: str, value: object, spec: str, n_classes: int) -> NDArray[np.int64]:
        """Check integer class labels of shape `spec`, each in 0..n_classes-1."""
        arr = np.asarray(value)
        if arr.dtype.kind not in "iu":
            if arr.dtype.kind == "f" and arr.size and np.all(np.isfinite(arr)) and np.all(arr == np.round(arr)):
                kind = "floats"
            else:
                kind = f"dtype {arr.dtype}"
            raise ValueError(
                f"{self.where}: {name} must hold integer class labels, got {kind}"
            )
        self.array(name, arr, spec, finite=False)
        if arr.size and (arr.min() < 0 or arr.max() >= n_classes):
            bad = arr[(arr < 0) | (arr >= n_classes)].ravel()[0]
            raise ValueError(
                f"{self.where}: {name} has label {bad} outside 0..{n_classes - 1} "
                f"({n_classes} classes)"
            )
        return arr.astype(np.int64)

    def scalar(self, name: str, value: object, minimum: float | None = None) -> float:
        """A finite real number (>= minimum if given) as a float; text and complex are refused."""
        x = None
        if not isinstance(value, (str, bytes, complex, np.complexfloating)):
            try:
                x = float(value)  # type: ignore[arg-type]  # anything float() takes; refused below otherwise
            except (TypeError, ValueError):
                pass
        if x is None:
            raise ValueError(f"{self.where}: {name} must be a real number, got {value!r}")
        if not np.isfinite(x) or (minimum is not None and x < minimum):
            bound = "" if minimum is None else f" >= {minimum}"
            raise ValueError(f"{self.where}: {name} must be a finite number{bound}, got {value!r}")
        return x

    def integer(self, name: str, value: object, minimum: int = 1) -> int:
        if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
            raise ValueError(f"{self.where}: {name} must be an integer, got {value!r}")
        if value < minimum:
            raise ValueError(f"{self.where}: {name} must be >= {minimum}, got {value}")
        return int(value)


def real_array(where: str, name: str, value: object, expected: str = "") -> Array:
    """`value` as a float64 array; ValueError for complex, text, None or ragged input.

    `expected` completes the message ("must be a real numeric array<expected>").

    np.asarray(..., dtype=float64) would silently drop an imaginary part (with a
    warning), parse strings and turn None into NaN: each is refused here instead.
    """
    try:
        arr: NDArray[Any] | None = np.asarray(value)
    except (TypeError, ValueError):
        arr = None                      # ragged nested lists
    if arr is not None and arr.dtype.kind == "c":
        raise ValueError(f"{where}: {name} must be a real numeric array{expected}, got complex values "
                         f"(dtype {arr.dtype})")
    if arr is not None and arr.dtype.kind == "O" and all(
            isinstance(v, numbers.Real) for v in arr.ravel()):
        arr = arr.astype(np.float64)    # Python ints beyond int64, mixed numbers
    if arr is None or arr.dtype.kind not in "biuf":
        got = type(value).__name__ if arr is None or arr.dtype.kind == "O" or arr.ndim == 0 else f"dtype {arr.dtype}"
        raise ValueError(f"{where}: {name} must be a real numeric array{expected}, got {got}")
    return arr.astype(np.float64, copy=False)


def check_dict(where: str, name: str, value: object, specs: Mapping[str, str], s: Shapes) -> dict[str, Array]:
    """Check a dict of arrays (params or cache): a Mapping, every key of `specs`, every shape.

    specs maps key -> shape spec ("D H"); `s` (a Shapes) binds dimensions across
    keys and with the other arguments. Returns {key: float64 array}. Extra keys
    are allowed (a cache may hold more than a function needs).
    """
    # Any Mapping, as the reference's signatures declare (a read-only view of params is fine).
    if not isinstance(value, Mapping):
        raise ValueError(f"{where}: {name} must be a dict of arrays, got {type(value).__name__}")
    missing = [k for k in specs if k not in value]
    if missing:
        raise ValueError(f"{where}: {name} is missing {', '.join(missing)}")
    return {k: s.array(f"{name}['{k}']", value[k], spec) for k, spec in specs.items()}


def check_activation(where: str, activation: object) -> str:
    if activation not in ACTIVATIONS:
        raise ValueError(
            f"{where}: unknown activation {activation!r}; expected one of {', '.join(map(repr, ACTIVATIONS))}"
        )
    return str(activation)

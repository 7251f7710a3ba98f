"""Input validation shared by the reference functions.

Every public reference function validates its inputs so that a wrong call fails
with a ValueError naming the argument and the expected shape, instead of a
broadcasting surprise deep inside a matrix product.
"""
import numpy as np

ACTIVATIONS = ("relu", "tanh")


class Shapes:
    """Binds symbolic dimension names (N, D, H, ...) to sizes across arguments.

    >>> s = Shapes("mlp_forward")
    >>> X = s.array("X", X, "N D")          # binds N and D
    >>> W = s.array("y_wts", y_wts, "D H")  # D must agree with X
    """

    def __init__(self, where, **known):
        self.where = where
        self.dims = dict(known)

    def _describe(self, spec):
        return "(" + ", ".join(
            f"{d}={self.dims[d]}" if d in self.dims else d for d in spec
        ) + ("," if len(spec) == 1 else "") + ")"

    def array(self, name, value, spec, finite=True):
        """Check `value` is a real array whose shape matches `spec` ("N D" or "")."""
        spec = spec.split()
        try:
            arr = np.asarray(value, dtype=np.float64)
        except (TypeError, ValueError):
            raise ValueError(
                f"{self.where}: {name} must be a real numeric array of shape "
                f"{self._describe(spec)}, got {type(value).__name__}"
            ) from None
        if arr.ndim != len(spec):
            raise ValueError(
                f"{self.where}: {name} must have shape {self._describe(spec)} "
                f"({len(spec)}-D), got shape {arr.shape}"
            )
        for axis, (dim, size) in enumerate(zip(spec, arr.shape)):
            if dim.isdigit():
                expected = int(dim)
            elif dim in self.dims:
                expected = self.dims[dim]
            else:
                self.dims[dim] = size
                continue
            if size != expected:
                raise ValueError(
                    f"{self.where}: {name} must have shape {self._describe(spec)}, "
                    f"got shape {arr.shape} (axis {axis} is {size}, expected {dim}={expected})"
                )
        if finite and not np.all(np.isfinite(arr)):
            raise ValueError(f"{self.where}: {name} contains NaN or infinite values")
        return arr

    def labels(self, name, value, spec, n_classes):
        """Check integer class labels of shape `spec`, each in 0..n_classes-1."""
        spec_list = spec.split()
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

    def scalar(self, name, value, minimum=None):
        try:
            x = float(value)
        except (TypeError, ValueError):
            raise ValueError(f"{self.where}: {name} must be a real number, got {value!r}") from None
        if not np.isfinite(x) or (minimum is not None and x < minimum):
            raise ValueError(f"{self.where}: {name} must be a finite number >= {minimum}, got {value!r}")
        return x

    def integer(self, name, value, minimum=1):
        if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
            raise ValueError(f"{self.where}: {name} must be an integer, got {value!r}")
        if value < minimum:
            raise ValueError(f"{self.where}: {name} must be >= {minimum}, got {value}")
        return int(value)


def check_dict(where, name, value, specs, s):
    """Check a dict of arrays (params or cache): a dict, every key of `specs`, every shape.

    specs maps key -> shape spec ("D H"); `s` (a Shapes) binds dimensions across
    keys and with the other arguments. Returns {key: float64 array}. Extra keys
    are allowed (a cache may hold more than a function needs).
    """
    if not isinstance(value, dict):
        raise ValueError(f"{where}: {name} must be a dict of arrays, got {type(value).__name__}")
    missing = [k for k in specs if k not in value]
    if missing:
        raise ValueError(f"{where}: {name} is missing {', '.join(missing)}")
    return {k: s.array(f"{name}['{k}']", value[k], spec) for k, spec in specs.items()}


def check_activation(where, activation):
    if activation not in ACTIVATIONS:
        raise ValueError(
            f"{where}: unknown activation {activation!r}; expected one of {', '.join(map(repr, ACTIVATIONS))}"
        )
    return activation

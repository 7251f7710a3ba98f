"""The data that crosses the sandbox boundary: a JSON header and raw array bytes, never pickle.

A message is a frame: 8-byte big-endian length of a JSON header, the header,
then for each array the header lists (header["arrays"]: [dtype string, shape]
pairs, numeric dtypes only), an 8-byte length and the array's raw C-order bytes.
The reader checks every dtype and that each length equals prod(shape) *
itemsize before building the array, and refuses oversized frames. (Raw bytes
rather than .npy: parsing an .npy header costs ~75 us, a third of a
submission's messaging time.) Values are encoded as a tree:

    {"t": "a", "i": 0}              the message's array number 0
    {"t": "d", "v": {key: value}}   a dict with string keys
    {"t": "l", "v": [values]}       a tuple or list (decoded as tuple)
    {"t": "s", "v": json-scalar}    str, int, float, bool or None

Standalone on purpose: the sandbox imports it by path, without the autograder package.
"""
from __future__ import annotations

import json
import re
import struct
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, NamedTuple, Protocol

import numpy as np

if TYPE_CHECKING:     # not imported at run time: the sandbox's start-up is paid per submission
    from numpy.typing import NDArray

MAX_FRAME = 256 * 1024 * 1024  # larger frames are refused rather than read into memory
MAX_HEADER = 8 * 1024 * 1024   # a header's JSON (cell sources travel in it, towards the sandbox)
MAX_NODES = 100_000            # values in one message's tree
MAX_DEPTH = 32                 # nesting of a value tree (and of a header's JSON)
MAX_DIM = 1 << 31              # one dimension of an array


class WireError(Exception):
    """A malformed or oversized message (from the untrusted side, typically)."""


# A message's JSON header: its fields are whatever the sender wrote (Any: JSON of any shape),
# and each reader checks the ones it uses.
Header = dict[str, Any]


class Message(NamedTuple):
    """One message as read: its header and its decoded value tree (None when it carries none).

    value is Any: plain data of any shape (arrays, dicts, tuples, scalars) that the reader
    judges; it never holds an object of another type.
    """

    header: Header
    value: Any


class Codec(Protocol):
    """What runner.py and relay.py use of this module. They run inside the sandbox without the
    autograder package and get this module loaded by path, so they name its type by this protocol."""

    @property
    def WireError(self) -> type[WireError]: ...

    def pack(self, header: Mapping[str, object], value: object = None) -> bytes: ...

    def unpack_from(self, read_exact: Callable[[int], bytes], max_header: int = ...,
                    max_bytes: int = ...) -> Message: ...

    def to_data(self, value: object, _depth: int = 0) -> object: ...

    def to_args(self, value: object, _depth: int = 0) -> object: ...


def to_data(value: object, _depth: int = 0) -> object:
    """Turn a returned object into plain data: base ndarrays, dicts, tuples, scalars.

    A lying ndarray subclass becomes a base ndarray; an object NumPy cannot turn
    into a numeric array stays as the text 'unconvertible <type>' so the judge
    can say what came back.
    """
    if _depth > 20:
        return "unconvertible nested structure"
    if value is None or isinstance(value, (str, bool)):
        return value
    if isinstance(value, dict):
        return {str(k): to_data(v, _depth + 1) for k, v in value.items()}
    if isinstance(value, (tuple, list)):
        # A sequence of numbers (flat or nested, e.g. from .tolist()) is refused the same way
        # whatever its depth (docs/type_rules.md); other sequences are containers.
        kind = _number_sequence(value)
        if kind:
            return kind
        return tuple(to_data(v, _depth + 1) for v in value)
    if isinstance(value, np.matrix):
        return f"{TYPE_MARK}an np.matrix of shape {tuple(value.shape)}"
    try:
        arr = np.array(value, subok=False, copy=True, order="C")
    except Exception:
        return f"unconvertible {type(value).__name__}"
    if arr.dtype.kind not in "biuf":
        return f"unconvertible {type(value).__name__} (dtype {arr.dtype})"
    return arr


def to_args(value: object, _depth: int = 0) -> object:
    """Like to_data, for arguments passed to a function: Python and NumPy scalars stay scalars.

    (to_data turns a returned scalar into a 0-d array, which the judge expects;
    an argument such as T=7 must arrive as the int 7.)
    """
    if _depth > 20:
        return "unconvertible nested structure"
    if isinstance(value, np.generic) and value.dtype.kind in "biuf":
        return value.item()
    if isinstance(value, (int, float)) or value is None or isinstance(value, str):
        return value
    if isinstance(value, dict):
        return {str(k): to_args(v, _depth + 1) for k, v in value.items()}
    if isinstance(value, (tuple, list)):
        if _all_numbers(value):
            return tuple(float(v) if isinstance(v, float) else v for v in value)
        return tuple(to_args(v, _depth + 1) for v in value)
    return to_data(value, _depth)


TYPE_MARK = "type: "   # to_data's text for a returned value of a refused type (the judge names it)


def _number_sequence(seq: Sequence[object]) -> str | None:
    """'type: a Python list of shape (2, 3)' when seq is a (nested) sequence of numbers, else None."""
    try:
        arr = np.array(seq, dtype=None)
    except Exception:
        return None
    if arr.dtype.kind not in "biuf" or arr.size == 0:
        return None
    return f"{TYPE_MARK}a Python {type(seq).__name__} of shape {tuple(arr.shape)}"


def _all_numbers(seq: Sequence[object]) -> bool:
    return all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in seq) and len(seq) > 0


def _encode(value: object, arrays: list[NDArray[Any]]) -> dict[str, object]:
    if isinstance(value, np.ndarray):
        arrays.append(value)
        return {"t": "a", "i": len(arrays) - 1}
    if isinstance(value, dict):
        return {"t": "d", "v": {str(k): _encode(v, arrays) for k, v in value.items()}}
    if isinstance(value, (tuple, list)):
        return {"t": "l", "v": [_encode(v, arrays) for v in value]}
    if value is None or isinstance(value, (str, bool, int, float)):
        return {"t": "s", "v": value}
    if isinstance(value, np.generic):
        arrays.append(np.asarray(value))
        return {"t": "a", "i": len(arrays) - 1}
    raise WireError(f"cannot send a {type(value).__name__}")


def _decode(tree: object, arrays: Sequence[NDArray[Any]], depth: int = 0, budget: list[int] | None = None) -> Any:
    budget = [MAX_NODES] if budget is None else budget
    budget[0] -= 1
    if budget[0] < 0:
        raise WireError("too many values in one message")
    if depth > MAX_DEPTH or not isinstance(tree, dict):
        raise WireError("malformed value tree")
    kind = tree.get("t")
    if kind == "a":
        i = tree.get("i")
        if not isinstance(i, int) or isinstance(i, bool) or not 0 <= i < len(arrays):
            raise WireError("array index out of range")
        return arrays[i]
    if kind == "d" and isinstance(tree.get("v"), dict):
        return {str(k): _decode(v, arrays, depth + 1, budget) for k, v in tree["v"].items()}
    if kind == "l" and isinstance(tree.get("v"), list):
        return tuple(_decode(v, arrays, depth + 1, budget) for v in tree["v"])
    if kind == "s" and (tree.get("v") is None or isinstance(tree.get("v"), (str, bool, int, float))):
        return tree["v"]
    raise WireError("malformed value tree")


ARRAY_KINDS = "biufc"
_DTYPE = re.compile(r"^[<>|=][biufc][0-9]{1,2}$")


def pack(header: Mapping[str, object], value: object = None) -> bytes:
    """Bytes of one message: a JSON-able header dict and an optional value tree."""
    found: list[NDArray[Any]] = []
    header = dict(header)
    if value is not None or "value" in header:
        header["value"] = _encode(value, found)
    arrays = [np.asarray(a, order="C") for a in found]   # (ascontiguousarray would make 0-d arrays 1-d)
    for a in arrays:
        if a.dtype.kind not in ARRAY_KINDS or a.dtype.fields is not None:
            raise WireError(f"cannot send an array of dtype {a.dtype}")
    header["n_arrays"] = len(arrays)
    header["arrays"] = [[a.dtype.str, list(a.shape)] for a in arrays]
    head = json.dumps(header).encode()
    parts = [struct.pack(">Q", len(head)), head]
    for a in arrays:
        data = a.tobytes()
        parts += [struct.pack(">Q", len(data)), data]
    return b"".join(parts)


def _array_spec(spec: object) -> tuple[np.dtype[Any], tuple[int, ...], int]:
    """(dtype, shape, nbytes) of a header's array entry, or WireError."""
    if not (isinstance(spec, list) and len(spec) == 2 and isinstance(spec[0], str) and isinstance(spec[1], list)):
        raise WireError("malformed array entry")
    if not _DTYPE.match(spec[0]):
        raise WireError(f"refused dtype {spec[0][:20]!r}")
    try:
        dtype = np.dtype(spec[0])
    except TypeError:
        raise WireError(f"unknown dtype {spec[0]!r}") from None
    shape = spec[1]
    if len(shape) > 32 or not all(isinstance(n, int) and not isinstance(n, bool) and n >= 0 for n in shape):
        raise WireError("malformed array shape")
    if any(n > MAX_DIM for n in shape):
        raise WireError("array too large")
    nbytes, elements = dtype.itemsize, 1
    for n in shape:
        nbytes *= n
        elements *= max(n, 1)      # an empty array may not hide an absurd shape either
        if nbytes > MAX_FRAME or elements > MAX_FRAME:
            raise WireError("array too large")
    return dtype, tuple(shape), nbytes


def unpack_from(read_exact: Callable[[int], bytes], max_header: int = MAX_HEADER, max_bytes: int = MAX_FRAME) -> Message:
    """Read one message with `read_exact(n) -> bytes`: a Message (header, value).

    Anything malformed, too deep, too many or too large raises WireError (and only WireError;
    read_exact's own exceptions pass through), before more than the bounded sizes are read.
    """
    try:
        return _unpack(read_exact, max_header, max_bytes)
    except (ValueError, TypeError, KeyError, IndexError, AttributeError, OverflowError, RecursionError,
            struct.error) as exc:
        raise WireError(f"malformed message ({type(exc).__name__})") from None


def _unpack(read_exact: Callable[[int], bytes], max_header: int, max_bytes: int) -> Message:
    (n,) = struct.unpack(">Q", read_exact(8))
    if n > max_header:
        raise WireError("header too large")
    try:
        header = json.loads(read_exact(n))   # deep nesting: RecursionError, refused like any bad JSON
    except (ValueError, RecursionError):
        raise WireError("header is not JSON") from None
    if not isinstance(header, dict) or not isinstance(header.get("n_arrays"), int):
        raise WireError("malformed header")
    specs = header.get("arrays")
    if not 0 <= header["n_arrays"] <= 10000 or not isinstance(specs, list) or len(specs) != header["n_arrays"]:
        raise WireError("malformed array list")
    arrays, total = [], 0
    for spec in specs:
        dtype, shape, nbytes = _array_spec(spec)
        total += nbytes
        if total > max_bytes:
            raise WireError("message too large")
        (m,) = struct.unpack(">Q", read_exact(8))
        if m != nbytes:
            raise WireError("array length does not match its shape")
        try:
            arrays.append(np.frombuffer(bytearray(read_exact(m)), dtype=dtype).reshape(shape))
        except (TypeError, ValueError) as exc:
            raise WireError(f"malformed array ({exc})"[:200]) from None
    try:
        value = _decode(header["value"], arrays) if "value" in header else None
    except RecursionError:
        raise WireError("malformed value tree") from None
    return Message(header, value)

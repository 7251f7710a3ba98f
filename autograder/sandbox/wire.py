"""The data that crosses the sandbox boundary: JSON headers and .npy arrays, never pickle.

A message is a frame: 8-byte big-endian length of a JSON header, the header,
then for each array the header lists, an 8-byte length and the array's .npy
bytes (loaded with allow_pickle=False). Values are encoded as a tree:

    {"t": "a", "i": 0}              the message's array number 0
    {"t": "d", "v": {key: value}}   a dict with string keys
    {"t": "l", "v": [values]}       a tuple or list (decoded as tuple)
    {"t": "s", "v": json-scalar}    str, int, float, bool or None

Standalone on purpose: the sandbox imports it by path, without the autograder package.
"""
import io
import json
import struct

import numpy as np

MAX_FRAME = 256 * 1024 * 1024  # larger frames are refused rather than read into memory


class WireError(Exception):
    """A malformed or oversized message (from the untrusted side, typically)."""


def to_data(value, _depth=0):
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
    if isinstance(value, (tuple, list)) and not _all_numbers(value):
        return tuple(to_data(v, _depth + 1) for v in value)
    try:
        arr = np.array(value, subok=False, copy=True, order="C")
    except Exception:
        return f"unconvertible {type(value).__name__}"
    if arr.dtype.kind not in "biuf":
        return f"unconvertible {type(value).__name__} (dtype {arr.dtype})"
    return arr


def to_args(value, _depth=0):
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
    if isinstance(value, (tuple, list)) and not _all_numbers(value):
        return tuple(to_args(v, _depth + 1) for v in value)
    return to_data(value, _depth)


def _all_numbers(seq):
    return all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in seq) and len(seq) > 0


def _encode(value, arrays):
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


def _decode(tree, arrays, depth=0):
    if depth > 32 or not isinstance(tree, dict):
        raise WireError("malformed value tree")
    kind = tree.get("t")
    if kind == "a":
        i = tree.get("i")
        if not isinstance(i, int) or not 0 <= i < len(arrays):
            raise WireError("array index out of range")
        return arrays[i]
    if kind == "d" and isinstance(tree.get("v"), dict):
        return {str(k): _decode(v, arrays, depth + 1) for k, v in tree["v"].items()}
    if kind == "l" and isinstance(tree.get("v"), list):
        return tuple(_decode(v, arrays, depth + 1) for v in tree["v"])
    if kind == "s" and (tree.get("v") is None or isinstance(tree.get("v"), (str, bool, int, float))):
        return tree["v"]
    raise WireError("malformed value tree")


def _write_all(fd_write, data):
    view = memoryview(data)
    while view:
        n = fd_write(view)
        view = view[n:]


def pack(header, value=None):
    """Bytes of one message: a JSON-able header dict and an optional value tree."""
    arrays = []
    header = dict(header)
    if value is not None or "value" in header:
        header["value"] = _encode(value, arrays)
    header["n_arrays"] = len(arrays)
    head = json.dumps(header).encode()
    parts = [struct.pack(">Q", len(head)), head]
    for arr in arrays:
        buf = io.BytesIO()
        np.save(buf, arr, allow_pickle=False)
        parts += [struct.pack(">Q", buf.tell()), buf.getvalue()]
    return b"".join(parts)


def unpack_from(read_exact):
    """Read one message with `read_exact(n) -> bytes`; returns (header, value)."""
    (n,) = struct.unpack(">Q", read_exact(8))
    if n > MAX_FRAME:
        raise WireError("header too large")
    try:
        header = json.loads(read_exact(n))
    except ValueError:
        raise WireError("header is not JSON") from None
    if not isinstance(header, dict) or not isinstance(header.get("n_arrays"), int):
        raise WireError("malformed header")
    if not 0 <= header["n_arrays"] <= 10000:
        raise WireError("too many arrays")
    arrays, total = [], 0
    for _ in range(header["n_arrays"]):
        (m,) = struct.unpack(">Q", read_exact(8))
        total += m
        if total > MAX_FRAME:
            raise WireError("message too large")
        try:
            arrays.append(np.load(io.BytesIO(read_exact(m)), allow_pickle=False))
        except Exception as exc:
            raise WireError(f"unreadable array: {exc}") from None
    value = _decode(header["value"], arrays) if "value" in header else None
    return header, value

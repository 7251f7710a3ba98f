"""The sandbox's message format: round trips, and refusal of malformed or hostile frames."""
import io
import json
import struct

import numpy as np
import pytest

from autograder.sandbox import wire


def roundtrip(header, value):
    return wire.unpack_from(io.BytesIO(wire.pack(header, value)).read)


def test_values_round_trip_with_dtypes_shapes_and_scalars():
    value = {"a": np.arange(6.0).reshape(2, 3).T, "b": (np.array([True, False]), 3, "s", None, 2.5),
             "c": np.float32(2.5), "d": np.zeros((0, 4), np.int64), "e": np.array(7.0)}
    header, got = roundtrip({"op": "result"}, value)
    assert header["op"] == "result"
    assert got["a"].tolist() == [[0.0, 3.0], [1.0, 4.0], [2.0, 5.0]]       # a transposed view arrives in order
    assert got["b"][0].dtype == bool and got["b"][1:] == (3, "s", None, 2.5)
    assert got["c"].shape == () and got["c"].dtype == np.float32 and got["c"] == 2.5
    assert got["d"].shape == (0, 4) and got["e"].shape == ()
    got["a"][0, 0] = 1.0                                                 # arguments arrive writable


def test_to_args_keeps_scalars_and_to_data_makes_arrays():
    assert wire.to_args((np.ones(2), 7, np.int64(3), "relu"))[1:] == (7, 3, "relu")
    assert isinstance(wire.to_args((np.int64(3), np.ones(1)))[0], int)
    assert wire.to_data(7.0).shape == ()


def frame(header, payloads=()):
    head = json.dumps(header).encode()
    out = struct.pack(">Q", len(head)) + head
    for p in payloads:
        out += struct.pack(">Q", len(p)) + p
    return out


@pytest.mark.parametrize("header, payloads, message", [
    ({"n_arrays": 1, "arrays": [["|O8", [1]]], "value": {"t": "a", "i": 0}}, [b"x" * 8], "refused dtype"),
    ({"n_arrays": 1, "arrays": [["<f8", [2]]], "value": {"t": "a", "i": 0}}, [b"x" * 8], "does not match"),
    ({"n_arrays": 1, "arrays": [["<f8", [-1]]], "value": {"t": "a", "i": 0}}, [b""], "malformed array shape"),
    ({"n_arrays": 1, "arrays": [["<f8", [1 << 40]]], "value": {"t": "a", "i": 0}}, [b""], "too large"),
    ({"n_arrays": 2, "arrays": [["<f8", [1]]]}, [], "malformed array list"),
    ({"n_arrays": 0, "arrays": [], "value": {"t": "a", "i": 3}}, [], "array index out of range"),
    ({"n_arrays": 0, "arrays": [], "value": {"t": "p", "v": "pickle"}}, [], "malformed value tree"),
])
def test_hostile_frames_are_refused(header, payloads, message):
    with pytest.raises(wire.WireError, match=message):
        wire.unpack_from(io.BytesIO(frame(header, payloads)).read)


def test_oversized_header_is_refused_before_reading_it():
    data = struct.pack(">Q", wire.MAX_FRAME + 1)
    with pytest.raises(wire.WireError, match="header too large"):
        wire.unpack_from(io.BytesIO(data).read)

#!/usr/bin/python3
"""Writes the .npy fixtures of tests/unit/test_npy.cpp with real NumPy.

Run from anywhere with a Python that has NumPy (on Debian 12: /usr/bin/python3); the files are
written next to this script and committed. Keep the values in sync with test_npy.cpp.
"""
import os

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))


def path(name):
    return os.path.join(HERE, name)


def save(name, array):
    np.save(path(name), array, allow_pickle=False)


def save_version(name, array, version):
    with open(path(name), "wb") as f:
        np.lib.format.write_array(f, array, version=version, allow_pickle=False)


VOCAB = ["word|||0|||12|||3", "café", "日本語", "😀 emoji", "", "Zürich|||1|||0|||0"]

# Good files.
save("points_f32.npy", (np.arange(12, dtype=np.float32).reshape(3, 4) / 4 - 1))
save("points_f64.npy", (np.arange(6, dtype=np.float64).reshape(2, 3) * 0.5 - 1))
save_version("points_v2.npy", np.arange(6, dtype=np.float32).reshape(3, 2) + 0.25, (2, 0))
save("vocab_unicode.npy", np.array(VOCAB, dtype=str))
save_version("vocab_v3.npy", np.array(VOCAB, dtype=str), (3, 0))
save("vocab_bytes.npy", np.array([b"alpha", b"be", b"", b"gamma|||2"], dtype="S"))

# Bad files: each one is refused with a specific message.
save("bad_big_endian.npy", np.arange(6, dtype=">f4").reshape(2, 3))
save("bad_int64.npy", np.arange(6, dtype="<i8").reshape(2, 3))
save("bad_fortran.npy", np.asfortranarray(np.arange(6, dtype=np.float32).reshape(2, 3)))
save("bad_3d.npy", np.zeros((2, 3, 4), dtype=np.float32))
nan = np.arange(12, dtype=np.float32).reshape(3, 4)
nan[1, 2] = np.nan
save("bad_nan.npy", nan)
inf = np.zeros((2, 5), dtype=np.float64)
inf[1, 4] = -np.inf
save("bad_inf.npy", inf)
np.save(path("bad_object.npy"), np.array(["a", "b"], dtype=object), allow_pickle=True)

save("bad_truncated.npy", np.arange(12, dtype=np.float32).reshape(3, 4))
with open(path("bad_truncated.npy"), "r+b") as f:
    f.truncate(os.path.getsize(path("bad_truncated.npy")) - 5)

with open(path("bad_magic.npy"), "wb") as f:
    f.write(b"a,b,c\n1.0,2.0,3.0\n")

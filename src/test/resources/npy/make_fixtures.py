"""Writes the .npy fixtures of NpyTest with real NumPy (run from this directory).

    python3 make_fixtures.py        # any python3 with numpy; these were made with NumPy 2.4.6

The values are simple formulas that NpyTest recomputes in Java, plus special values at the
front, so the test checks every element without storing a second copy of them.
"""
import numpy as np
from numpy.lib import format as npformat


def f4_values(shape):
    a = (np.arange(np.prod(shape), dtype=np.float32) * np.float32(0.25) - np.float32(7)).reshape(shape)
    flat = a.reshape(-1)
    flat[:6] = [np.nan, np.inf, -np.inf, -0.0, np.float32(1e-45), np.float32(3.4028235e38)]
    return a


def f8_values(shape):
    a = (np.arange(np.prod(shape), dtype=np.float64) * 0.1 - 0.35).reshape(shape)
    flat = a.reshape(-1)
    flat[:4] = [1e300, 1e-50, np.nan, -1e-300]
    return a


np.save("f4_2x3x4x5.npy", f4_values((2, 3, 4, 5)))
np.save("f8_1x2x3x3.npy", f8_values((1, 2, 3, 3)))
for major in (2, 3):
    with open(f"f4_v{major}_1x1x2x3.npy", "wb") as f:
        npformat.write_array(f, f4_values((1, 1, 2, 3)), version=(major, 0))
np.save("i8_2x3x2x2.npy", (np.arange(24, dtype=np.int64) * 7 % 13).reshape(2, 3, 2, 2))
# The pooling family's other ranks: 1-D (N, C, L) and 3-D (N, C, D, H, W), float64 kept as float64.
np.save("f4_2x3x7.npy", f4_values((2, 3, 7)))
np.save("f8_1x2x2x3x4.npy", f8_values((1, 2, 2, 3, 4)))
np.save("i8_1x2x2x2x3.npy", (np.arange(24, dtype=np.int64) * 5 % 11).reshape(1, 2, 2, 2, 3))

# Files the reader must refuse.
np.save("bad_i4.npy", np.arange(4, dtype=np.int32).reshape(1, 1, 2, 2))
np.save("bad_f4_big_endian.npy", np.arange(4, dtype=">f4").reshape(1, 1, 2, 2))
np.save("bad_u1.npy", np.arange(4, dtype=np.uint8).reshape(1, 1, 2, 2))
np.save("bad_fortran.npy", np.asfortranarray(f4_values((2, 3, 4, 5))))
np.save("bad_rank3.npy", np.zeros((3, 4, 5), dtype=np.float32))
np.save("bad_i8_past_int.npy", np.array([0, 1, 2**40, 3], dtype=np.int64).reshape(1, 1, 4))
np.save("bad_zero_dim.npy", np.zeros((0, 1, 2, 2), dtype=np.float32))

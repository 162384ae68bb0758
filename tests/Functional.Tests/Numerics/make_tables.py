#!/usr/bin/python3
"""Correctly rounded tables for Functional.Numerics.Elementary, computed with mpmath (Debian python3-mpmath).

Run from the repository root:  /usr/bin/python3 tests/Functional.Tests/Numerics/make_tables.py
Writes tests/Functional.Tests/Numerics/elementary-tables.bin.gz (read by ElementaryTableTests).

The arguments of each function are drawn by segments that the test regenerates (splitmix64, then either
lo + (hi - lo) * u in double arithmetic or a uniform draw of bit patterns between lo and hi), so only the results
are stored: for a drawn point the low 16 bits of the correctly rounded result's ordered bit pattern, for an edge
point its argument and full result. Each point also stores where the exact value lies from the rounded one, in
ulps (a signed byte, 1/254 ulp steps), so the test measures true errors, not just distances to the rounded value.

Format (little-endian, gzip): b"FNELEM01", u32 functions; per function: u8 name length, name, u32 segments;
per segment: u8 kind (0 uniform, 1 bits, 2 negated bits), f64 lo, f64 hi, u32 count, u64 seed; u32 edges;
per edge: f64 x; then per drawn point u16 low bits, i8 fraction; then per edge u64 result bits, i8 fraction.
"""
import gzip
import math
import os
import struct

import mpmath as mp

mp.mp.prec = 320
M64 = (1 << 64) - 1
MAX = 1.7976931348623157e308


def splitmix64(state):
    state = (state + 0x9E3779B97F4A7C15) & M64
    z = state
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & M64
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & M64
    return state, z ^ (z >> 31)


def bits(x):
    return struct.unpack("<q", struct.pack("<d", x))[0]


def from_bits(b):
    return struct.unpack("<d", struct.pack("<q", b))[0]


def ordered(x):
    b = bits(x)
    return b if b >= 0 else -(1 << 63) - b


def draw(kind, lo, hi, count, seed):
    state, out = seed, []
    for _ in range(count):
        state, z = splitmix64(state)
        if kind == 0:
            u = (z >> 11) * 2.0**-53
            out.append(lo + (hi - lo) * u)
        else:
            blo, bhi = bits(lo), bits(hi)
            x = from_bits(blo + z % (bhi - blo + 1))
            out.append(-x if kind == 2 else x)
    return out


def correctly_rounded(v):
    """The double nearest to the mpf v (ties cannot occur for these functions at these points) and v's offset."""
    if mp.isnan(v):
        return math.nan, 0.0
    if abs(v) >= mp.mpf(2) ** 1024 * (1 - mp.mpf(2) ** -54):
        return math.copysign(math.inf, v), 0.0
    f = float(v)
    best = f
    for c in (math.nextafter(f, -math.inf), math.nextafter(f, math.inf)):
        if abs(mp.mpf(c) - v) < abs(mp.mpf(best) - v):
            best = c
    if best == 0 and v != 0:
        best = math.copysign(0.0, v)
    ulp = math.ulp(best) if best != 0 else 5e-324
    frac = float((v - mp.mpf(best)) / ulp)
    return best, frac


def exact(name, x):
    if math.isnan(x):
        return mp.nan
    if math.isinf(x):
        return {
            "exp": mp.inf if x > 0 else mp.mpf(0),
            "expm1": mp.inf if x > 0 else mp.mpf(-1),
            "log": mp.inf if x > 0 else mp.nan,
            "tanh": mp.mpf(1) if x > 0 else mp.mpf(-1),
            "sigmoid": mp.mpf(1) if x > 0 else mp.mpf(0),
            "cos": mp.nan,
            "sin": mp.nan,
        }[name]
    a = mp.mpf(x)
    if name == "exp":
        return mp.exp(a)
    if name == "expm1":
        return mp.expm1(a)
    if name == "log":
        if x < 0:
            return mp.nan
        return mp.log(a) if x > 0 else -mp.inf
    if name == "tanh":
        return mp.tanh(a)
    if name == "sigmoid":
        return 1 / (1 + mp.exp(-a))
    if name == "cos":
        return mp.cos(a)
    if name == "sin":
        return mp.sin(a)
    raise ValueError(name)


TINY = 4.9406564584124654e-324
COMMON_EDGES = [0.0, -0.0, TINY, -TINY, 2.2250738585072014e-308, -2.2250738585072014e-308, 1.0, -1.0, 0.5, -0.5,
                MAX, -MAX, math.inf, -math.inf, math.nan, 1e-300, -1e-300, 2.0**-28, -(2.0**-28), 2.0**-54, 2.0**-60]


def near_half_pi_multiples():
    out = []
    for k in list(range(1, 201)) + [2**j + 1 for j in range(10, 40)] + [2**j - 3 for j in range(10, 40)]:
        x = float(mp.mpf(k) * mp.pi / 2)
        if abs(x) <= 2.0**40:
            for c in (math.nextafter(x, -math.inf), x, math.nextafter(x, math.inf)):
                out += [c, -c]
    # doubles next to large multiples of pi/2: the reduced argument cancels 30 bits and more
    return out


FUNCTIONS = {
    "exp": ([(0, -745.2, 709.8, 5000), (0, -50.0, 50.0, 8000), (0, -1.0, 1.0, 2000),
             (1, 2.0**-60, 709.78, 2500), (2, 2.0**-60, 745.13, 2500)],
            [709.782712893384, 709.7827128933841, 709.78271289338397, -745.1332191019411, -745.1332191019412,
             -745.13321910194122, -708.3964185322641, -708.39641853226419, -744.44007192138122, 746.0, -746.0,
             710.0, -750.0, 1000.0, -1000.0, 0.6931471805599453, -0.6931471805599453, 0.34657359027997264,
             -0.34657359027997264, 1e-10, -1e-10]),
    "expm1": ([(0, -40.0, 40.0, 6000), (0, -1.0, 1.0, 4000), (0, -0.35, 0.35, 2000),
               (1, 2.0**-70, 709.7, 4000), (2, 2.0**-70, 50.0, 4000)],
              [709.782712893384, 709.7827128933841, 40.0, 40.000000000000007, -40.0, -37.42994775023705,
               36.7368005696771, 1e-10, -1e-10, 5.551115123125783e-17, -5.551115123125783e-17,
               0.34657359027997264, -0.34657359027997264]),
    "log": ([(1, TINY, MAX, 6000), (1, 1e-12, 1e4, 8000), (0, 0.5, 2.0, 4000), (0, 0.99, 1.01, 2000)],
            [0.7071067811865476, 0.7071067811865475, 1.4142135623730951, 1.414213562373095, 2.0, 4.0, 10.0,
             0.9999999999999999, 1.0000000000000002, 2.718281828459045, 1e-12, 1e-200, 5e-320]),
    "tanh": ([(0, -40.0, 40.0, 8000), (0, -3.0, 3.0, 6000), (1, 2.0**-40, 40.0, 3000),
              (2, 2.0**-40, 40.0, 3000)],
             [20.0, -20.0, 19.06154746539849, 22.0, 0.5493061443340549, 3.725290298461914e-09,
              3.7252902984619136e-09, 1e-5, -1e-5, 0.55, -0.55, 1e-8]),
    "sigmoid": ([(0, -40.0, 40.0, 8000), (0, -5.0, 5.0, 4000), (1, 2.0**-60, 800.0, 4000),
                 (2, 2.0**-60, 800.0, 4000)],
                [36.7368005696771, 37.0, 37.5, -36.7, -37.5, -708.0, -709.0, -710.0, -744.0, -745.0, -745.2,
                 -746.0, 746.0, 750.0, 1e-17, -1e-17]),
    "cos": ([(0, 0.0, math.pi, 10000), (0, 0.0, 2 * math.pi, 4000), (0, -100.0, 100.0, 3000),
             (1, 2.0**-40, 2.0**40, 3000)],
            [math.pi, math.pi / 2, math.pi / 4, 2 * math.pi, 2.0**40, -(2.0**40), 7.450580596923828e-09,
             7.450580596923827e-09] + near_half_pi_multiples()),
    "sin": ([(0, 0.0, math.pi, 10000), (0, 0.0, 2 * math.pi, 4000), (0, -100.0, 100.0, 3000),
             (1, 2.0**-40, 2.0**40, 3000)],
            [math.pi, math.pi / 2, math.pi / 4, 2 * math.pi, 2.0**40, -(2.0**40), 7.450580596923828e-09,
             7.450580596923827e-09] + near_half_pi_multiples()),
}


def frac_byte(frac):
    return max(-127, min(127, round(frac * 254)))


def main():
    out = bytearray(b"FNELEM01")
    out += struct.pack("<I", len(FUNCTIONS))
    for fi, (name, (segments, edges)) in enumerate(FUNCTIONS.items()):
        edges = [e for e in COMMON_EDGES + edges if name not in ("cos", "sin") or not abs(e) > 2.0**40 or math.isinf(e)]
        out += struct.pack("<B", len(name)) + name.encode()
        out += struct.pack("<I", len(segments))
        xs = []
        for si, (kind, lo, hi, count) in enumerate(segments):
            seed = 0x5EED0000 + 100 * fi + si
            out += struct.pack("<BddIQ", kind, lo, hi, count, seed)
            xs += draw(kind, lo, hi, count, seed)
        out += struct.pack("<I", len(edges))
        for e in edges:
            out += struct.pack("<d", e)
        for x in xs:
            y, frac = correctly_rounded(exact(name, x))
            out += struct.pack("<Hb", ordered(y) & 0xFFFF, frac_byte(frac))
        for x in edges:
            y, frac = correctly_rounded(exact(name, x))
            if x == 0 and y == 0:
                y = x  # the odd functions keep the sign of zero (mpmath has no signed zero)
            out += struct.pack("<qb", bits(y) if not math.isnan(y) else 0x7FF8000000000000, frac_byte(frac))
        print(f"{name}: {len(xs)} drawn + {len(edges)} edges")
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "elementary-tables.bin.gz")
    with open(path, "wb") as f:
        f.write(gzip.compress(bytes(out), compresslevel=9, mtime=0))
    print(path, os.path.getsize(path), "bytes")


if __name__ == "__main__":
    main()

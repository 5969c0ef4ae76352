"""Plane-to-plane projective maps (homographies) fitted to point pairs by least squares.

Eight unknowns, solved by normal equations with Gaussian elimination: a few dozen points a page,
so plain Python is fast enough and needs no numerical library. Both point sets are first moved
to their centroid and scaled (Hartley's normalisation), which keeps the system well conditioned.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

Point = tuple[float, float]
Matrix = list[list[float]]


class FitError(ValueError):
    """Too few or degenerate points."""


def fit(src: Sequence[Point], dst: Sequence[Point]) -> Matrix:
    """The homography H (3×3, H[2][2] = 1) mapping each ``src`` point to its ``dst`` point."""
    if len(src) < 4 or len(src) != len(dst):
        raise FitError("at least four point pairs are needed")
    ns, ts = _normaliser(src)
    nd, td = _normaliser(dst)
    a = [[0.0] * 8 for _ in range(8)]
    b = [0.0] * 8
    for (x, y), (u, v) in zip((ts(p) for p in src), (td(p) for p in dst), strict=True):
        for row, rhs in (
            ((x, y, 1.0, 0.0, 0.0, 0.0, -x * u, -y * u), u),
            ((0.0, 0.0, 0.0, x, y, 1.0, -x * v, -y * v), v),
        ):
            for i in range(8):
                ri = row[i]
                if ri:
                    b[i] += ri * rhs
                    ai = a[i]
                    for j in range(8):
                        ai[j] += ri * row[j]
    h = _solve(a, b)
    m = [[h[0], h[1], h[2]], [h[3], h[4], h[5]], [h[6], h[7], 1.0]]
    # undo the normalisations: H = Nd^-1 · M · Ns
    return _scaled(multiply(multiply(invert(nd), m), ns))


def fit_affine(src: Sequence[Point], dst: Sequence[Point]) -> Matrix:
    """The affine map (a homography without perspective) that best maps ``src`` to ``dst``:
    steadier than :func:`fit` when the points cover only a small part of the plane."""
    if len(src) < 3 or len(src) != len(dst):
        raise FitError("at least three point pairs are needed")
    a = [[0.0] * 3 for _ in range(3)]
    bu = [0.0] * 3
    bv = [0.0] * 3
    for (x, y), (u, v) in zip(src, dst, strict=True):
        row = (x, y, 1.0)
        for i in range(3):
            bu[i] += row[i] * u
            bv[i] += row[i] * v
            for j in range(3):
                a[i][j] += row[i] * row[j]
    return [_solve(a, bu), _solve(a, bv), [0.0, 0.0, 1.0]]


def apply(h: Matrix, p: Point) -> Point:
    x, y = p
    w = h[2][0] * x + h[2][1] * y + h[2][2]
    return ((h[0][0] * x + h[0][1] * y + h[0][2]) / w, (h[1][0] * x + h[1][1] * y + h[1][2]) / w)


def multiply(a: Matrix, b: Matrix) -> Matrix:
    return [[sum(a[i][k] * b[k][j] for k in range(3)) for j in range(3)] for i in range(3)]


def invert(m: Matrix) -> Matrix:
    (a, b, c), (d, e, f), (g, h, i) = m
    det = a * (e * i - f * h) - b * (d * i - f * g) + c * (d * h - e * g)
    if abs(det) < 1e-12:
        raise FitError("the points are degenerate")
    return [
        [(e * i - f * h) / det, (c * h - b * i) / det, (b * f - c * e) / det],
        [(f * g - d * i) / det, (a * i - c * g) / det, (c * d - a * f) / det],
        [(d * h - e * g) / det, (b * g - a * h) / det, (a * e - b * d) / det],
    ]


def _scaled(m: Matrix) -> Matrix:
    s = m[2][2]
    if abs(s) < 1e-12:
        raise FitError("the points are degenerate")
    return [[v / s for v in row] for row in m]


def _normaliser(points: Sequence[Point]):
    cx = sum(p[0] for p in points) / len(points)
    cy = sum(p[1] for p in points) / len(points)
    mean = sum(math.hypot(p[0] - cx, p[1] - cy) for p in points) / len(points)
    if mean == 0:
        raise FitError("the points are degenerate")
    s = math.sqrt(2) / mean
    n = [[s, 0.0, -s * cx], [0.0, s, -s * cy], [0.0, 0.0, 1.0]]
    return n, lambda p: ((p[0] - cx) * s, (p[1] - cy) * s)


def _solve(a: Matrix, b: list[float]) -> list[float]:
    n = len(b)
    m = [row[:] + [b[i]] for i, row in enumerate(a)]
    for col in range(n):
        pivot = max(range(col, n), key=lambda r: abs(m[r][col]))
        if abs(m[pivot][col]) < 1e-12:
            raise FitError("the points are degenerate")
        m[col], m[pivot] = m[pivot], m[col]
        pr = m[col]
        for r in range(col + 1, n):
            f = m[r][col] / pr[col]
            if f:
                row = m[r]
                for k in range(col, n + 1):
                    row[k] -= f * pr[k]
    x = [0.0] * n
    for r in range(n - 1, -1, -1):
        x[r] = (m[r][n] - sum(m[r][k] * x[k] for k in range(r + 1, n))) / m[r][r]
    return x

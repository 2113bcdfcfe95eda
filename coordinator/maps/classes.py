"""Class breaks for a choropleth: Jenks natural breaks on the values present.

Natural breaks put together areas whose figures are close and part those far apart, which suits skewed counts
such as ATS per kecamatan (a few large towns, many small kecamatan) better than equal intervals. A class is the
closed range of the values in it (`low`..`high`, both data values), so every value falls in exactly one class and
the classes cover min..max. Fewer distinct values than classes give one class per value; equal values, one class;
no values, none.
"""
from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass

MAX_VALUES = 400  # above this, the optimum is found on quantiles of the data (the DP is quadratic)


@dataclass(frozen=True)
class Klass:
    low: float
    high: float
    count: int


def jenks_breaks(values: Sequence[float], classes: int) -> list[float]:
    """The upper bound of each class (the last is the maximum), by Fisher's exact dynamic programme: the split of the
    sorted values into `classes` runs with the least sum of squared deviations within the runs."""
    data = sorted(values)
    n = len(data)
    distinct = sorted(set(data))
    k = min(classes, len(distinct))
    if k <= 1:
        return [data[-1]] if data else []
    if k == len(distinct):
        return distinct
    # prefix sums: the squared deviation of data[i:j] in O(1)
    s1, s2 = [0.0], [0.0]
    for v in data:
        s1.append(s1[-1] + v)
        s2.append(s2[-1] + v * v)

    def cost(i: int, j: int) -> float:
        total = s1[j] - s1[i]
        return (s2[j] - s2[i]) - total * total / (j - i)

    inf = float("inf")
    # best[c][j]: the least cost of the first j values in c classes; cut[c][j]: where the last class begins
    best = [[inf] * (n + 1) for _ in range(k + 1)]
    cut = [[0] * (n + 1) for _ in range(k + 1)]
    best[0][0] = 0.0
    for c in range(1, k + 1):
        for j in range(c, n + 1):
            for i in range(c - 1, j):
                if best[c - 1][i] == inf:
                    continue
                if i and data[i - 1] == data[i]:
                    continue  # equal values stay in one class
                total = best[c - 1][i] + cost(i, j)
                if total < best[c][j]:
                    best[c][j], cut[c][j] = total, i
    uppers = []
    j = n
    for c in range(k, 0, -1):
        uppers.append(data[j - 1])
        j = cut[c][j]
    return sorted(uppers)


def classify(values: Sequence[float], classes: int = 5) -> list[Klass]:
    """The classes of these values (None left out by the caller), lowest first."""
    data = sorted(values)
    if not data:
        return []
    sample = data
    if len(data) > MAX_VALUES:
        step = (len(data) - 1) / (MAX_VALUES - 1)
        sample = [data[round(i * step)] for i in range(MAX_VALUES)]
    uppers = jenks_breaks(sample, classes)
    uppers[-1] = data[-1]
    out: list[Klass] = []
    start = 0
    for high in uppers:
        end = len(data) if high == uppers[-1] else bisect_right(data, high, start)
        if end > start:
            out.append(Klass(data[start], data[end - 1], end - start))
        start = end
    return out


def class_of(value: float, klasses: Sequence[Klass]) -> int:
    """The index of the class a value falls in (values above the last class: the last)."""
    for i, k in enumerate(klasses):
        if value <= k.high:
            return i
    return len(klasses) - 1

"""Counting many ordinary ballots from compact arrays: sums that add up group by group.

A person's ballot has weight 1 and no ties. For such ballots every method's figures are sums over the
ballots: Borda points, positions, top-3 places and the pairwise matrix. A ``Tally`` keeps those sums (in
integers, twice the half-points, so they are exact) for one group of ballots; the tally of two groups is the
sum of their tallies, so a zone, a category or the whole consultation is counted by adding small arrays,
without going back to the ballots. The results are exactly those of ``count`` on the same ballots.

>>> import numpy as np
>>> tally = Tally.of(3, np.array([[1, 0], [1, -1]]))
>>> [(row.code, row.rank, row.score) for row in tally.result("borda", ("1.1", "1.2", "2.1")).rows]
[('1.2', 1, 4.0), ('1.1', 2, 1.5), ('2.1', 3, 0.5)]
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from consult.ranking.methods import TOLERANCE, _counter, make_result, schulze_from_pairs
from consult.ranking.result import Result


@dataclass(frozen=True, eq=False)
class Tally:
    """Sums over a group of ballots of weight 1 without ties, over ``n`` strategies (by index)."""

    n: int
    ballots: int
    #: Twice each strategy's Borda points (unranked strategies share the points left over: halves).
    borda2: np.ndarray
    #: Twice the sum of each strategy's (mean unfilled, when unranked) positions.
    positions2: np.ndarray
    #: Ballots placing each strategy in places 1–3.
    top3: np.ndarray
    #: Ballots ranking each strategy.
    ranked: np.ndarray
    #: above[i, j]: ballots ranking both i and j, i above j.
    above: np.ndarray

    @classmethod
    def empty(cls, n: int) -> Tally:
        zeros = np.zeros(n, dtype=np.int64)
        return cls(n, 0, zeros, zeros, zeros, zeros, np.zeros((n, n), dtype=np.int64))

    @classmethod
    def of(cls, n: int, rankings: np.ndarray) -> Tally:
        """The tally of ``rankings``: one row per ballot, strategy indexes best first, padded with -1.

        Every ballot ranks at least one strategy, each at most once; the caller vouches for that (the
        database's constraints do).
        """
        rankings = np.asarray(rankings, dtype=np.int64)
        if len(rankings) == 0:
            return cls.empty(n)
        rankings = rankings.reshape(len(rankings), -1)
        count, depth = rankings.shape
        valid = rankings >= 0
        lengths = valid.sum(axis=1)
        ranked = np.bincount(rankings[valid], minlength=n)
        borda2 = np.zeros(n, dtype=np.int64)
        positions2 = np.zeros(n, dtype=np.int64)
        top3 = np.zeros(n, dtype=np.int64)
        above = np.zeros(n * n, dtype=np.int64)
        for p in range(depth):
            column = rankings[valid[:, p], p]
            at_p = np.bincount(column, minlength=n)
            borda2 += at_p * 2 * (n - p - 1)
            positions2 += at_p * 2 * (p + 1)
            if p < 3:
                top3 += at_p
            for q in range(p + 1, depth):
                both = valid[:, q]
                above += np.bincount(rankings[both, p] * n + rankings[both, q], minlength=n * n)
        # An unranked strategy sits at the mean of the unfilled positions, (k + 1 + n) / 2, for a ballot of k.
        for k in np.unique(lengths):
            of_length = lengths == k
            missing = int(of_length.sum()) - np.bincount(rankings[of_length][valid[of_length]], minlength=n)
            borda2 += missing * (n - k - 1)
            positions2 += missing * (k + 1 + n)
        return cls(n, count, borda2, positions2, top3, ranked, above.reshape(n, n))

    def __add__(self, other: Tally) -> Tally:
        if self.n != other.n:
            raise ValueError("tallies over different strategies")
        return Tally(
            self.n,
            self.ballots + other.ballots,
            self.borda2 + other.borda2,
            self.positions2 + other.positions2,
            self.top3 + other.top3,
            self.ranked + other.ranked,
            self.above + other.above,
        )

    @classmethod
    def total(cls, n: int, tallies) -> Tally:
        """The sum of ``tallies`` (the empty tally when there are none)."""
        result = cls.empty(n)
        for tally in tallies:
            result = result + tally
        return result

    @property
    def nbytes(self) -> int:
        return sum(a.nbytes for a in (self.borda2, self.positions2, self.top3, self.ranked, self.above)) + 100

    def arrays(self) -> dict[str, np.ndarray]:
        """The sums as named arrays (see ``from_arrays``), for storing."""
        return {
            "ballots": np.array([self.ballots]),
            "borda2": self.borda2,
            "positions2": self.positions2,
            "top3": self.top3,
            "ranked": self.ranked,
            "above": self.above,
        }

    @classmethod
    def from_arrays(cls, arrays) -> Tally:
        above = np.asarray(arrays["above"], dtype=np.int64)
        n = len(above)
        parts = [np.asarray(arrays[name], dtype=np.int64) for name in ("borda2", "positions2", "top3", "ranked")]
        if above.shape != (n, n) or any(part.shape != (n,) for part in parts):
            raise ValueError("a tally's arrays do not fit together")
        return cls(n, int(arrays["ballots"][0]), *parts, above)

    def result(self, method: str, strategies: Sequence[str]) -> Result:
        """Count the tallied ballots with ``method`` (``strategies`` names the indexes)."""
        _counter(method)  # the same error as count() for an unknown method
        strategies = tuple(strategies)
        if len(strategies) != self.n:
            raise ValueError("the strategies do not match the tally")
        n, count = self.n, self.ballots
        total_weight = float(count)
        if method == "borda":
            return make_result("borda", strategies, count, total_weight, (self.borda2 / 2).tolist(),
                               max(1, n - 1) * total_weight)  # fmt: skip
        if method == "mean":
            scores = ((self.positions2 / 2) / total_weight).tolist() if count else [0.0] * n
            return make_result("mean", strategies, count, total_weight, scores, n)
        if method == "top3":
            scores = (self.top3.astype(float) / total_weight).tolist() if count else [0.0] * n
            return make_result("top3", strategies, count, total_weight, scores, 1)
        # Ballots placing i above j: those ranking i, less those ranking j above it (an unranked j is below).
        pairs = (self.ranked[:, None] - self.above.T).astype(float)
        np.fill_diagonal(pairs, 0.0)
        wins, extra = schulze_from_pairs(pairs, TOLERANCE * total_weight)
        return make_result("schulze", strategies, count, total_weight, wins, 1, **extra)

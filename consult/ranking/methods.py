"""The four counting methods, over a position matrix built once per count."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from functools import cached_property
from itertools import chain

import numpy as np

from consult.ranking.ballot import Ballot
from consult.ranking.result import Matrix, Result, Row

#: Scores closer than this, relative to the largest score the method can give, are a tie: weights
#: such as 0.1 + 0.2 make float sums that should be equal differ in the last bits.
TOLERANCE = 1e-9


class Profile:
    """Validated strategies and ballots, with the matrices the methods count from.

    ``positions[b, i]`` is the place ballot b gives strategy i: its position if ranked alone, the
    mean of the positions its tier spans if tied, and the mean of the unfilled positions,
    (k + 1 + n) / 2, if unranked. Every method reads this one matrix (top-3 reads a sibling).
    """

    def __init__(self, strategies: Sequence[str], ballots: Sequence[Ballot]) -> None:
        self.strategies = tuple(strategies)
        for code in self.strategies:
            if not isinstance(code, str):
                raise TypeError(f"strategy code {code!r} is not a string")
        self.index = {code: i for i, code in enumerate(self.strategies)}
        if len(self.index) != len(self.strategies):
            raise ValueError("a strategy code is repeated in the strategies in scope")
        self.ballots = tuple(ballots)
        for ballot in self.ballots:
            if not isinstance(ballot, Ballot):
                raise TypeError(f"{ballot!r} is not a Ballot")
        self.n = len(self.strategies)
        count = len(self.ballots)
        self.weights = np.fromiter((b.weight for b in self.ballots), dtype=float, count=count)
        self.total_weight = math.fsum(b.weight for b in self.ballots)
        self._sizes = np.fromiter((len(b._codes) for b in self.ballots), dtype=np.intp, count=count)
        self._rows = np.repeat(np.arange(count), self._sizes)
        try:
            self._columns = np.fromiter(
                map(self.index.__getitem__, chain.from_iterable(b._codes for b in self.ballots)),
                dtype=np.intp,
                count=len(self._rows),
            )
        except KeyError:
            self._raise_unknown()

    def _raise_unknown(self):
        for number, ballot in enumerate(self.ballots, start=1):
            for code in ballot._codes:
                if code not in self.index:
                    message = f"ballot {number} ranks {code!r}, which is not a strategy in scope"
                    raise ValueError(message) from None

    def _flat(self, attribute: str) -> np.ndarray:
        values = chain.from_iterable(getattr(b, attribute) for b in self.ballots)
        return np.fromiter(values, dtype=float, count=len(self._rows))

    @cached_property
    def positions(self) -> np.ndarray:
        """Ballots × strategies matrix of (mean) positions; see the class docstring."""
        unranked = (self._sizes + 1 + self.n) / 2
        matrix = np.repeat(unranked[:, None], self.n, axis=1)
        matrix[self._rows, self._columns] = self._flat("_positions")
        return matrix

    @cached_property
    def top3(self) -> np.ndarray:
        """Ballots × strategies matrix of the fraction of each strategy's place within 1–3."""
        matrix = np.zeros((len(self.ballots), self.n))
        matrix[self._rows, self._columns] = self._flat("_top3")
        return matrix

    def result(self, method: str, scores: Iterable[float], scale: float, **extra) -> Result:
        """A ``Result`` of ``method`` with rows ranked from ``scores`` (one per strategy)."""
        return make_result(method, self.strategies, len(self.ballots), self.total_weight, scores, scale, **extra)


def make_result(
    method: str,
    strategies: tuple[str, ...],
    ballots: int,
    total_weight: float,
    scores: Iterable[float],
    scale: float,
    **extra,
) -> Result:
    """A ``Result`` of ``method`` with rows ranked from ``scores``; scores within ``TOLERANCE * scale`` tie."""
    label, description, higher_is_better = DESCRIPTIONS[method]
    return Result(
        method=method,
        label=label,
        description=description,
        higher_is_better=higher_is_better,
        strategies=strategies,
        ballots=ballots,
        total_weight=total_weight,
        rows=rank_rows(strategies, list(scores), higher_is_better, TOLERANCE * scale),
        **extra,
    )


def rank_rows(
    codes: Sequence[str], scores: Sequence[float], higher_is_better: bool, tolerance: float = 0.0
) -> tuple[Row, ...]:
    """Rows best first, standard competition ranks (1, 2, 2, 4), ties in the order of ``codes``.

    Scores within ``tolerance`` of the first score of their group tie with it.
    """
    sign = -1 if higher_is_better else 1
    order = sorted(range(len(codes)), key=lambda i: (sign * scores[i], i))
    groups: list[list[int]] = []
    for i in order:
        if groups and abs(scores[i] - scores[groups[-1][0]]) <= tolerance:
            groups[-1].append(i)
        else:
            groups.append([i])
    rows = []
    for group in groups:
        rank = len(rows) + 1
        rows.extend(Row(codes[i], rank, scores[i]) for i in sorted(group))
    return tuple(rows)


def _borda(profile: Profile) -> Result:
    # Position s earns n - s points, so a tier's or the unranked codes' mean position earns the
    # mean of their points: (n - k - 1) / 2 for the unranked.
    n = profile.n
    scores = profile.weights @ (n - profile.positions)  # zeros when there are no ballots
    return profile.result("borda", scores.tolist(), max(1, n - 1) * profile.total_weight)


def _weighted_mean(profile: Profile, matrix: np.ndarray) -> list[float]:
    """Weighted mean of each column of ``matrix`` over the ballots; zeros when there are none."""
    if not profile.ballots:
        return [0.0] * profile.n
    return ((profile.weights @ matrix) / profile.total_weight).tolist()


def _mean_rank(profile: Profile) -> Result:
    return profile.result("mean", _weighted_mean(profile, profile.positions), profile.n)


def _top3_share(profile: Profile) -> Result:
    return profile.result("top3", _weighted_mean(profile, profile.top3), 1)


def _schulze(profile: Profile) -> Result:
    n = profile.n
    positions, weights = profile.positions, profile.weights
    tolerance = TOLERANCE * profile.total_weight
    d = np.zeros((n, n))
    for i in range(n):
        # Weight of the ballots placing i strictly above each other strategy: an unranked code's
        # mean position lies below every ranked one, and tied codes share a position.
        d[i] = weights @ (positions[:, i, None] < positions)
    wins, extra = schulze_from_pairs(d, tolerance)
    return profile.result("schulze", wins, 1, **extra)


def schulze_from_pairs(d: np.ndarray, tolerance: float) -> tuple[list[int], dict[str, Matrix]]:
    """Strategies beaten by each, from the pairwise matrix ``d`` (see ``schulze``), with ``d`` and ``p``."""
    n = len(d)
    p = np.where(d - d.T > tolerance, d, 0.0)
    for k in range(n):
        # Widest path through k; the diagonal may fill up here, but min() keeps it from
        # raising any other entry, and it is reset below.
        p = np.maximum(p, np.minimum(p[:, k, None], p[None, k, :]))
    np.fill_diagonal(p, 0.0)
    beats = p - p.T > tolerance
    wins = beats.sum(axis=1)
    return [int(w) for w in wins], {"d": _matrix(d), "p": _matrix(p)}


def _matrix(array: np.ndarray) -> Matrix:
    return tuple(tuple(row) for row in array.tolist())


def borda(strategies: Sequence[str], ballots: Sequence[Ballot]) -> Result:
    """Borda count: position s of n earns n - s points, unranked share the rest; highest first."""
    return _borda(Profile(strategies, ballots))


def mean_rank(strategies: Sequence[str], ballots: Sequence[Ballot]) -> Result:
    """Mean rank: weighted mean position, unranked at the mean unfilled position; lowest first."""
    return _mean_rank(Profile(strategies, ballots))


def schulze(strategies: Sequence[str], ballots: Sequence[Ballot]) -> Result:
    """Schulze (winning votes): ordered by the number of strategies each beats; most first.

    d[X, Y] is the weight of ballots placing X above Y (ranked above unranked; two unranked or two
    tied codes are level). A link X→Y has strength d[X, Y] when d[X, Y] > d[Y, X], else 0; p holds
    the widest paths over the links; X beats Y when p[X, Y] > p[Y, X]. Both are on the result.
    """
    return _schulze(Profile(strategies, ballots))


def top3_share(strategies: Sequence[str], ballots: Sequence[Ballot]) -> Result:
    """Top-3 share: weighted share of ballots placing the strategy in places 1–3; highest first.

    A tier straddling third place counts in proportion: a tie over places 3–4 puts each of its two
    codes in the first three for half a ballot. Unranked strategies are never in a ballot's first
    three, even when it ranks fewer than three.
    """
    return _top3_share(Profile(strategies, ballots))


#: name: (English label, one-line English description, higher_is_better).
DESCRIPTIONS: dict[str, tuple[str, str, bool]] = {
    "borda": (
        "Borda count",
        "Each ballot gives n−1 points to its first choice, n−2 to the second and so on; unranked "
        "strategies share the points left over and tied ones the points of the places they span; "
        "the highest total comes first.",
        True,
    ),
    "schulze": (
        "Schulze method",
        "Every pair of strategies is compared by the ballots placing one above the other; chains "
        "of pairwise wins (winning votes) decide, and strategies are ordered by how many others "
        "they beat.",
        True,
    ),
    "mean": (
        "Mean rank",
        "The average place each strategy gets; an unranked strategy counts as the middle of the "
        "places left unfilled and tied ones as the middle of the places they span; the lowest "
        "average comes first.",
        False,
    ),
    "top3": (
        "Top-3 share",
        "The share of ballots placing the strategy among their first three choices, a tie across "
        "third place counting in proportion; the highest share comes first.",
        True,
    ),
}

_COUNTERS: dict[str, Callable[[Profile], Result]] = {
    "borda": _borda,
    "schulze": _schulze,
    "mean": _mean_rank,
    "top3": _top3_share,
}

#: Method name → counting function, in the order results are usually shown.
METHODS: dict[str, Callable[[Sequence[str], Sequence[Ballot]], Result]] = {
    "borda": borda,
    "schulze": schulze,
    "mean": mean_rank,
    "top3": top3_share,
}


def _counter(method_name: str) -> Callable[[Profile], Result]:
    try:
        return _COUNTERS[method_name]
    except KeyError:
        names = ", ".join(_COUNTERS)
        raise ValueError(f"unknown counting method {method_name!r} (one of {names})") from None


def count(method_name: str, strategies: Sequence[str], ballots: Sequence[Ballot]) -> Result:
    """Count ``ballots`` over ``strategies`` with the method named ``method_name``."""
    return _counter(method_name)(Profile(strategies, ballots))


def count_all(
    strategies: Sequence[str], ballots: Sequence[Ballot], methods: Iterable[str] = tuple(METHODS)
) -> dict[str, Result]:
    """Count with several methods, validating the ballots and building the matrices only once."""
    counters = {name: _counter(name) for name in methods}
    profile = Profile(strategies, ballots)
    return {name: counter(profile) for name, counter in counters.items()}

"""What a count returns: a ranking of strategies with the method that produced it."""

from __future__ import annotations

from dataclasses import dataclass

from consult.ranking.ballot import Ballot

Matrix = tuple[tuple[float, ...], ...]


@dataclass(frozen=True)
class Row:
    """One strategy's place: rank shared by ties (1, 2, 2, 4), score as the method defines."""

    code: str
    rank: int
    score: float


@dataclass(frozen=True)
class Result:
    """The outcome of counting ballots with one method.

    ``rows`` lists every strategy in scope, best first; tied strategies share a rank and are listed
    in the order of ``strategies``. ``score`` is, by method: Borda points (``borda``), mean
    position (``mean``), number of strategies beaten (``schulze``), share of ballots in [0, 1]
    (``top3``). ``higher_is_better`` says which way the score reads. With no ballots every
    strategy scores 0 and ranks 1.

    For Schulze only, ``d`` and ``p`` are the pairwise and strongest-path matrices, indexed in the
    order of ``strategies``: ``d[i][j]`` is the weight of ballots placing ``strategies[i]`` above
    ``strategies[j]``, ``p[i][j]`` the strength of the strongest path from i to j (diagonal 0).
    """

    method: str
    label: str
    description: str
    higher_is_better: bool
    strategies: tuple[str, ...]
    ballots: int
    total_weight: float
    rows: tuple[Row, ...]
    d: Matrix | None = None
    p: Matrix | None = None

    def row(self, code: str) -> Row:
        """The row of strategy ``code`` (``KeyError`` if it is not in scope)."""
        for row in self.rows:
            if row.code == code:
                return row
        raise KeyError(code)

    def to_ballot(self, weight: float = 1.0) -> Ballot:
        """This ranking as one ballot of the given weight, strategies sharing a rank in one tier.

        This is how a zone's ranking is counted again at metropolitan level.
        """
        tiers: list[tuple[str, ...]] = []
        previous = None
        for row in self.rows:
            if row.rank == previous:
                tiers[-1] += (row.code,)
            else:
                tiers.append((row.code,))
            previous = row.rank
        return Ballot(tuple(tiers), weight)

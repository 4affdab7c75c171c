"""A ranked ballot: strategy codes in tiers, best first, with a weight."""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from numbers import Real


@dataclass(frozen=True)
class Ballot:
    """One ranking of strategy codes, best first, as tiers of codes tied at the same place.

    ``ranking`` is a tuple of tiers, each a non-empty tuple of codes: an ordinary ballot has one
    code per tier (see :meth:`of`); a tier of several codes ties them, as when a zone's ranking
    with ties is counted again as one weighted ballot at metropolitan level. Codes in no tier are
    unranked. ``weight`` is a positive, finite number (1.0 for a person's ballot).

    A tier of m codes starting at position s spans positions s..s+m-1; its codes share those
    positions equally (the mean position s + (m-1)/2 each). Lists are accepted and stored as
    tuples. Raises ``ValueError`` for a repeated code, an empty tier or a weight that is not
    positive and finite, ``TypeError`` for a code that is not a string or a tier given as a bare
    string. Whether the codes are strategies in scope is checked when counting.
    """

    ranking: tuple[tuple[str, ...], ...]
    weight: float = 1.0

    def __post_init__(self) -> None:
        if isinstance(self.ranking, str):
            raise TypeError("a ballot's ranking is a sequence of tiers; use Ballot.of(*codes)")
        tiers = tuple(tier if type(tier) is tuple else _tier(tier) for tier in self.ranking)
        if not all(tiers):
            raise ValueError("a ballot's tier is empty")
        codes = tuple(code for tier in tiers for code in tier)
        if len(set(codes)) != len(codes):
            repeated = next(code for code in codes if codes.count(code) > 1)
            raise ValueError(f"strategy {repeated!r} appears more than once in the ballot")
        for code in codes:
            if type(code) is not str:
                raise TypeError(f"strategy code {code!r} is not a string")
        weight = self.weight
        if isinstance(weight, bool) or not isinstance(weight, Real):
            raise TypeError(f"ballot weight {weight!r} is not a number")
        if not (math.isfinite(weight) and weight > 0):
            raise ValueError(f"ballot weight must be positive and finite, not {weight!r}")
        if len(tiers) == len(codes):  # no ties: the usual case, kept fast
            positions = tuple(map(float, range(1, len(codes) + 1)))
            top3 = (1.0,) * min(3, len(codes)) + (0.0,) * max(0, len(codes) - 3)
        else:
            positions, top3 = _tied_places(tiers)
        object.__setattr__(self, "ranking", tiers)
        object.__setattr__(self, "weight", float(weight))
        # Flattened once here, so that counting 10,000 ballots stays a handful of array operations.
        object.__setattr__(self, "_codes", codes)
        object.__setattr__(self, "_positions", positions)
        object.__setattr__(self, "_top3", top3)

    @classmethod
    def of(cls, *codes: str, weight: float = 1.0) -> Ballot:
        """A ballot ranking ``codes`` in this order, one per place, without ties."""
        return cls(tuple((code,) for code in codes), weight)

    @property
    def ranked(self) -> tuple[str, ...]:
        """The ranked codes, best first (tied codes in the order given)."""
        return self._codes


def _tier(tier) -> tuple[str, ...]:
    if isinstance(tier, str) or not isinstance(tier, Iterable):
        hint = "use Ballot.of(*codes) for a ranking without ties"
        raise TypeError(f"tier {tier!r} is not a sequence of codes; {hint}")
    return tuple(tier)


def _tied_places(tiers: tuple[tuple[str, ...], ...]) -> tuple[tuple[float, ...], tuple[float, ...]]:
    """Each code's mean position and the fraction of its tier's positions within 1–3."""
    positions: list[float] = []
    top3: list[float] = []
    last = 0
    for tier in tiers:
        first, last = last + 1, last + len(tier)  # the tier spans positions first..last
        positions.extend([(first + last) / 2] * len(tier))
        top3.extend([max(0, min(last, 3) - first + 1) / len(tier)] * len(tier))
    return tuple(positions), tuple(top3)

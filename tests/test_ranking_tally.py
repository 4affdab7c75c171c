"""Counting from tallies (``consult.ranking.Tally``) gives exactly what ``count`` gives on the same ballots,
however the ballots are split into groups and added up."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from consult.ranking import METHODS, Ballot, Tally, count

CODES = [f"{i // 3 + 1}.{i % 3 + 1}" for i in range(9)]


@st.composite
def groups(draw):
    """Strategies in scope and groups of ordinary ballots (weight 1, no ties), as index lists."""
    n = draw(st.integers(1, len(CODES)))
    ballot = st.permutations(range(n)).flatmap(lambda order: st.integers(1, n).map(lambda k: list(order[:k])))
    return n, draw(st.lists(st.lists(ballot, max_size=12), min_size=1, max_size=4))


def as_array(ballots: list[list[int]]) -> np.ndarray:
    depth = max((len(b) for b in ballots), default=1)
    return np.array([b + [-1] * (depth - len(b)) for b in ballots], dtype=np.int64).reshape(len(ballots), depth)


@settings(max_examples=80, deadline=None)
@given(groups())
def test_adding_group_tallies_counts_exactly_as_count_does(drawn):
    n, parts = drawn
    strategies = CODES[:n]
    tally = Tally.total(n, (Tally.of(n, as_array(part)) for part in parts))
    ballots = [Ballot.of(*(strategies[i] for i in b)) for part in parts for b in part]
    for method in METHODS:
        assert tally.result(method, strategies) == count(method, strategies, ballots)


def test_a_tally_survives_being_stored_as_arrays():
    tally = Tally.of(4, np.array([[0, 2, -1], [3, 1, 0], [1, -1, -1]]))
    again = Tally.from_arrays(tally.arrays())
    for method in METHODS:
        assert again.result(method, CODES[:4]) == tally.result(method, CODES[:4])


def test_no_ballots_rank_everything_first_with_zero_scores():
    result = Tally.empty(3).result("mean", CODES[:3])
    assert result == count("mean", CODES[:3], [])
    assert [(row.rank, row.score) for row in result.rows] == [(1, 0.0)] * 3


def test_unknown_methods_and_mismatched_tallies_are_refused():
    with pytest.raises(ValueError, match="unknown counting method"):
        Tally.empty(2).result("plurality", CODES[:2])
    with pytest.raises(ValueError, match="do not match"):
        Tally.empty(2).result("borda", CODES[:3])
    with pytest.raises(ValueError, match="different strategies"):
        Tally.empty(2) + Tally.empty(3)
    with pytest.raises(ValueError, match="do not fit"):
        Tally.from_arrays({**Tally.empty(2).arrays(), "top3": np.zeros(3, dtype=np.int64)})

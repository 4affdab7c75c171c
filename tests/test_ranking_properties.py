"""Properties every count must have, on profiles drawn by hypothesis.

Weights are whole numbers and halves, which add up exactly in floating point, so pairwise counts,
ranks and Borda and mean scores compare exactly; top-3 shares of a tie across third place (thirds,
say) do not, and scores are compared to within rounding.
"""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from consult.ranking import METHODS, Ballot, Result, count_all, schulze

ranking_settings = settings(max_examples=60, deadline=None)

WEIGHTS = st.sampled_from([1.0, 1.0, 2.0, 3.0, 0.5])


def codes(n: int) -> list[str]:
    return [f"{i // 3 + 1}.{i % 3 + 1}" for i in range(n)]


@st.composite
def ballots_over(draw, strategies, complete=False):
    """A ballot ranking some (or, if ``complete``, all) of ``strategies``, maybe with ties."""
    order = draw(st.permutations(strategies))
    k = len(order) if complete else draw(st.integers(0, len(order)))
    tiers: list[tuple[str, ...]] = []
    for code in order[:k]:
        if tiers and not complete and draw(st.booleans()):
            tiers[-1] += (code,)
        else:
            tiers.append((code,))
    return Ballot(tuple(tiers), draw(WEIGHTS))


@st.composite
def profiles(draw, min_strategies=1, max_strategies=6, max_ballots=8, complete=False):
    strategies = codes(draw(st.integers(min_strategies, max_strategies)))
    ballots = draw(st.lists(ballots_over(strategies, complete), max_size=max_ballots))
    return strategies, ballots


def assert_same(result: Result, expected: Result, rename=None) -> None:
    """Same rows (codes renamed by ``rename``), ranks and pairwise matrices; scores within rounding."""
    rename = rename or {}
    assert [(r.code, r.rank) for r in result.rows] == [(rename.get(r.code, r.code), r.rank) for r in expected.rows]
    assert [r.score for r in result.rows] == pytest.approx([r.score for r in expected.rows])
    assert (result.d, result.p) == (expected.d, expected.p)
    assert (result.method, result.total_weight) == (expected.method, expected.total_weight)


def pairwise(strategies, ballots) -> dict[tuple[str, str], float]:
    """d[X, Y], counted plainly: ranked above unranked, tied codes and unranked codes level."""
    d = {(x, y): 0.0 for x in strategies for y in strategies}
    for ballot in ballots:
        tier = {code: t for t, codes_ in enumerate(ballot.ranking) for code in codes_}
        last = len(ballot.ranking)
        for x in strategies:
            for y in strategies:
                if tier.get(x, last) < tier.get(y, last):
                    d[x, y] += ballot.weight
    return d


@ranking_settings
@given(profiles(min_strategies=2))
def test_a_condorcet_winner_is_first_under_schulze(profile):
    strategies, ballots = profile
    d = pairwise(strategies, ballots)
    winners = [x for x in strategies if all(d[x, y] > d[y, x] for y in strategies if y != x)]
    result = schulze(strategies, ballots)
    if winners:
        (winner,) = winners
        assert result.rows[0].code == winner
        assert [row.rank for row in result.rows[:2]] == [1, 2]


@ranking_settings
@given(st.data())
def test_the_order_of_ballots_does_not_matter(data):
    strategies, ballots = data.draw(profiles())
    shuffled = data.draw(st.permutations(ballots))
    before, after = count_all(strategies, ballots), count_all(strategies, shuffled)
    for name in METHODS:
        assert_same(after[name], before[name])


@ranking_settings
@given(st.data())
def test_relabelling_strategies_changes_only_the_labels(data):
    strategies, ballots = data.draw(profiles())
    labels = data.draw(st.permutations([f"x{i}" for i in range(len(strategies))]))
    rename = dict(zip(strategies, labels, strict=True))
    renamed = [Ballot(tuple(tuple(rename[c] for c in tier) for tier in b.ranking), b.weight) for b in ballots]
    before = count_all(strategies, ballots)
    after = count_all(labels, renamed)
    for name in METHODS:
        assert_same(after[name], before[name], rename)


@ranking_settings
@given(st.data())
def test_the_order_of_strategies_only_orders_ties(data):
    strategies, ballots = data.draw(profiles())
    reordered = data.draw(st.permutations(strategies))
    before = count_all(strategies, ballots)
    after = count_all(reordered, ballots)
    for name in METHODS:
        ranks = {row.code: (row.rank, pytest.approx(row.score)) for row in before[name].rows}
        assert {row.code: (row.rank, row.score) for row in after[name].rows} == ranks


@ranking_settings
@given(st.data())
def test_unanimous_ballots_give_their_order_under_every_method(data):
    strategies = codes(data.draw(st.integers(1, 7)))
    order = data.draw(st.permutations(strategies))
    k = data.draw(st.integers(0, len(order)))
    weights = data.draw(st.lists(WEIGHTS, min_size=1, max_size=5))
    ballots = [Ballot.of(*order[:k], weight=w) for w in weights]
    results = count_all(strategies, ballots)
    # The k ranked strategies take places 1..k in that order; the unranked all tie just below.
    # Top-3 share cannot tell the first three apart (all in every ballot's top three), nor the rest.
    top = min(k, 3)
    for name, result in results.items():
        for place, code in enumerate(order):
            by_place = place + 1 if place < k else k + 1
            by_top3 = 1 if place < top else top + 1
            assert result.row(code).rank == (by_top3 if name == "top3" else by_place), name


@ranking_settings
@given(st.data())
def test_a_weight_of_two_is_the_same_ballot_twice(data):
    strategies, ballots = data.draw(profiles())
    extra = data.draw(ballots_over(strategies))
    doubled = count_all(strategies, [*ballots, Ballot(extra.ranking, extra.weight * 2)])
    twice = count_all(strategies, [*ballots, extra, extra])
    for name in METHODS:
        assert_same(doubled[name], twice[name])
        assert doubled[name].ballots + 1 == twice[name].ballots


@ranking_settings
@given(profiles())
def test_borda_and_mean_rank_are_two_readings_of_one_count(profile):
    # Position s earns n - s points, so mean position = n - Borda points / total weight: the two
    # methods always give the same ranks. Every ballot hands out 0 + 1 + ... + (n-1) points.
    strategies, ballots = profile
    results = count_all(strategies, ballots, ["borda", "mean"])
    n, total = len(strategies), sum(b.weight for b in ballots)
    points = {row.code: row for row in results["borda"].rows}
    assert sum(row.score for row in results["borda"].rows) == total * n * (n - 1) / 2
    if ballots:
        for row in results["mean"].rows:
            assert row.rank == points[row.code].rank
            assert abs(row.score - (n - points[row.code].score / total)) < 1e-9


@ranking_settings
@given(profiles())
def test_rows_are_well_formed(profile):
    strategies, ballots = profile
    for result in count_all(strategies, ballots).values():
        assert sorted(row.code for row in result.rows) == sorted(strategies)
        ranks = [row.rank for row in result.rows]
        # Standard competition ranking: each rank is 1 + the number of rows before its group.
        assert ranks == [ranks.index(rank) + 1 for rank in ranks]
        for a, b in zip(result.rows, result.rows[1:], strict=False):
            if a.rank == b.rank:
                assert a.score == pytest.approx(b.score)
            else:
                assert a.score > b.score if result.higher_is_better else a.score < b.score
        if result.method == "top3":
            assert all(0 <= row.score <= 1 for row in result.rows)

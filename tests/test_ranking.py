"""Counting ranked ballots: hand-worked examples, validation, and agreement with two other counts.

The hand-worked examples write out their arithmetic so a reviewer can redo it on paper. The random
profiles are checked against a plain brute-force reference written here from the issue's wording
(exact fractions, no NumPy) and against svvamp, an independent library: its weak-order Borda
score and pairwise matrix on truncated and tied ballots, its Schulze on complete ballots.
"""

import doctest
import math
import random
from fractions import Fraction

import numpy as np
import pytest
import svvamp

import consult.ranking
from consult.ranking import (
    METHODS,
    Ballot,
    Result,
    Row,
    borda,
    count,
    count_all,
    mean_rank,
    schulze,
    top3_share,
)

ABCD = ["A", "B", "C", "D"]


def table(result: Result) -> list[tuple]:
    """(code, rank, score) for every row, best first."""
    return [(row.code, row.rank, row.score) for row in result.rows]


# ---------------------------------------------------------------------------------------------
# Hand-worked example 1: truncated ballots, no ties, weight 1.
#   b1: A > B > C > D   (k=4)
#   b2: B > A           (k=2; C, D unranked)
#   b3: C               (k=1; A, B, D unranked)
TRUNCATED = [Ballot.of("A", "B", "C", "D"), Ballot.of("B", "A"), Ballot.of("C")]


def test_borda_truncated_ballots():
    # n=4: positions 1..k earn 3, 2, 1, 0; the n-k unranked get (n-k-1)/2 each.
    #   b1: A 3, B 2, C 1, D 0
    #   b2: B 3, A 2, C and D (4-2-1)/2 = 0.5 each
    #   b3: C 3, A, B and D (4-1-1)/2 = 1 each
    # A = 3+2+1 = 6; B = 2+3+1 = 6; C = 1+0.5+3 = 4.5; D = 0+0.5+1 = 1.5 (total 18 = 3 × 6 ✓)
    result = borda(ABCD, TRUNCATED)
    assert table(result) == [("A", 1, 6.0), ("B", 1, 6.0), ("C", 3, 4.5), ("D", 4, 1.5)]
    assert result.higher_is_better
    assert (result.method, result.ballots, result.total_weight) == ("borda", 3, 3.0)


def test_mean_rank_truncated_ballots():
    # Unranked codes score (k+1+n)/2, the mean of the unfilled positions.
    #   b1: A 1, B 2, C 3, D 4
    #   b2: B 1, A 2, C and D (2+1+4)/2 = 3.5
    #   b3: C 1, A, B and D (1+1+4)/2 = 3
    # A = (1+2+3)/3 = 2; B = (2+1+3)/3 = 2; C = (3+3.5+1)/3 = 2.5; D = (4+3.5+3)/3 = 3.5
    result = mean_rank(ABCD, TRUNCATED)
    assert table(result) == [("A", 1, 2.0), ("B", 1, 2.0), ("C", 3, 2.5), ("D", 4, 3.5)]
    assert not result.higher_is_better


def test_top3_truncated_ballots():
    # b1 puts A, B, C in its first three; b2 A, B; b3 C. D is never there.
    # A = B = C = 2/3; D = 0
    result = top3_share(ABCD, TRUNCATED)
    assert [(r.code, r.rank) for r in result.rows] == [("A", 1), ("B", 1), ("C", 1), ("D", 4)]
    assert [r.score for r in result.rows] == pytest.approx([2 / 3, 2 / 3, 2 / 3, 0])


def test_schulze_truncated_ballots():
    # d[X,Y] = ballots placing X above Y (ranked above unranked; two unranked are tied):
    #   A,B: b1 A>B, b2 B>A, b3 both unranked        → d[A,B]=1, d[B,A]=1 (no link)
    #   A,C: b1 A>C, b2 A>C (C unranked), b3 C>A     → 2, 1
    #   A,D: b1, b2 A>D; b3 both unranked            → 2, 0
    #   B,C: b1, b2 B>C; b3 C>B                      → 2, 1
    #   B,D: b1, b2 B>D; b3 tied                     → 2, 0
    #   C,D: b1 C>D; b2 tied; b3 C>D                 → 2, 0
    # Links (strength 2): A→C, A→D, B→C, B→D, C→D. Nothing reaches A or B, so neither beats the
    # other; A and B beat C and D (2 each), C beats D (1), D beats nobody.
    result = schulze(ABCD, TRUNCATED)
    assert table(result) == [("A", 1, 2), ("B", 1, 2), ("C", 3, 1), ("D", 4, 0)]
    assert result.d == (
        (0.0, 1.0, 2.0, 2.0),
        (1.0, 0.0, 2.0, 2.0),
        (1.0, 1.0, 0.0, 2.0),
        (0.0, 0.0, 0.0, 0.0),
    )
    assert result.p == (
        (0.0, 0.0, 2.0, 2.0),
        (0.0, 0.0, 2.0, 2.0),
        (0.0, 0.0, 0.0, 2.0),
        (0.0, 0.0, 0.0, 0.0),
    )


# ---------------------------------------------------------------------------------------------
# Hand-worked example 2: tiers and weights (the methods disagree here).
#   b1 (weight 2): (A B) tied first, then C; D unranked.    A, B span positions 1–2; C is 3rd.
#   b2 (weight 1): D, C, then (A B) tied.                   A, B span positions 3–4.
#   b3 (weight 1): B only.
# Total weight W = 4.
TIERED = [
    Ballot((("A", "B"), ("C",)), weight=2),
    Ballot((("D",), ("C",), ("A", "B"))),
    Ballot.of("B"),
]


def test_borda_ties_and_weights():
    #   b1: A, B share (3+2)/2 = 2.5; C 1; D (4-3-1)/2 = 0          (× 2)
    #   b2: D 3, C 2; A, B share (1+0)/2 = 0.5
    #   b3: B 3; A, C, D (4-1-1)/2 = 1
    # A = 2×2.5 + 0.5 + 1 = 6.5; B = 2×2.5 + 0.5 + 3 = 8.5; C = 2×1 + 2 + 1 = 5; D = 0 + 3 + 1 = 4
    # (total 24 = W × 6 ✓)
    result = borda(ABCD, TIERED)
    assert table(result) == [("B", 1, 8.5), ("A", 2, 6.5), ("C", 3, 5.0), ("D", 4, 4.0)]
    assert (result.ballots, result.total_weight) == (3, 4.0)


def test_mean_rank_ties_and_weights():
    #   b1: A, B (1+2)/2 = 1.5; C 3; D (3+1+4)/2 = 4                (× 2)
    #   b2: D 1, C 2, A, B (3+4)/2 = 3.5
    #   b3: B 1; A, C, D (1+1+4)/2 = 3
    # A = (2×1.5 + 3.5 + 3)/4 = 9.5/4 = 2.375;  B = (2×1.5 + 3.5 + 1)/4 = 7.5/4 = 1.875
    # C = (2×3 + 2 + 3)/4 = 11/4 = 2.75;        D = (2×4 + 1 + 3)/4 = 12/4 = 3
    result = mean_rank(ABCD, TIERED)
    assert table(result) == [("B", 1, 1.875), ("A", 2, 2.375), ("C", 3, 2.75), ("D", 4, 3.0)]


def test_top3_ties_and_weights():
    #   b1: A, B, C all within 1–3 → 1 each                          (× 2)
    #   b2: D 1, C 1; the A–B tier spans 3–4, one of its two positions within 1–3 → 0.5 each
    #   b3: B 1
    # A = (2 + 0.5)/4 = 0.625; B = (2 + 0.5 + 1)/4 = 0.875; C = (2 + 1)/4 = 0.75; D = 1/4 = 0.25
    result = top3_share(ABCD, TIERED)
    assert table(result) == [("B", 1, 0.875), ("C", 2, 0.75), ("A", 3, 0.625), ("D", 4, 0.25)]


def test_schulze_ties_and_weights():
    #   A,B: b1 tied, b2 tied, b3 B>A (1)              → d[A,B]=0, d[B,A]=1
    #   A,C: b1 A>C (2), b2 C>A (1), b3 tied           → 2, 1
    #   A,D: b1 A>D (2), b2 D>A (1), b3 tied           → 2, 1
    #   B,C: b1 B>C (2), b2 C>B (1), b3 B>C (1)        → 3, 1
    #   B,D: b1 (2), b2 D>B (1), b3 (1)                → 3, 1
    #   C,D: b1 C>D (2; D unranked), b2 D>C (1), b3 tied → 2, 1
    # Links: B→A 1, B→C 3, B→D 3, A→C 2, A→D 2, C→D 2; B is the Condorcet winner.
    # Nothing reaches B; C reaches only D. B beats 3, A 2 (C, D), C 1, D 0.
    result = schulze(ABCD, TIERED)
    assert table(result) == [("B", 1, 3), ("A", 2, 2), ("C", 3, 1), ("D", 4, 0)]
    assert result.d[1] == (1.0, 0.0, 3.0, 3.0)
    assert result.p[0] == (0.0, 0.0, 2.0, 2.0)


def test_schulze_worked_example_with_paths():
    # The 45-voter example of Schulze's paper (also on Wikipedia), as weighted ballots.
    ballots = [
        Ballot.of(*"ACBED", weight=5),
        Ballot.of(*"ADECB", weight=5),
        Ballot.of(*"BEDAC", weight=8),
        Ballot.of(*"CABED", weight=3),
        Ballot.of(*"CAEBD", weight=7),
        Ballot.of(*"CBADE", weight=2),
        Ballot.of(*"DCEBA", weight=7),
        Ballot.of(*"EBADC", weight=8),
    ]
    result = schulze("ABCDE", ballots)
    # e.g. d[A,B] = ACBED 5 + ADECB 5 + CABED 3 + CAEBD 7 = 20; d[B,A] = 45 − 20 = 25.
    assert result.d == (
        (0, 20, 26, 30, 22),
        (25, 0, 16, 33, 18),
        (19, 29, 0, 17, 24),
        (15, 12, 28, 0, 14),
        (23, 27, 21, 31, 0),
    )
    # Strongest paths, e.g. p[E,D]: E→D is 31 directly; p[A,B]: A→D→C→B = min(30, 28, 29) = 28.
    assert result.p == (
        (0, 28, 28, 30, 24),
        (25, 0, 28, 33, 24),
        (25, 29, 0, 29, 24),
        (25, 28, 28, 0, 24),
        (25, 28, 28, 31, 0),
    )
    # E > A > C > B > D.
    assert table(result) == [("E", 1, 4), ("A", 2, 3), ("C", 3, 2), ("B", 4, 1), ("D", 5, 0)]
    assert result.total_weight == 45


# ---------------------------------------------------------------------------------------------
# The tie-rank rule: 1, 2, 2, 4, ties listed in the order of the strategies given.
#   A > B > C > D and A > C > B > D: B and C are level under every method.
LEVEL = [Ballot.of("A", "B", "C", "D"), Ballot.of("A", "C", "B", "D")]


@pytest.mark.parametrize(
    ("method", "scores"),
    [
        ("borda", [6.0, 3.0, 3.0, 0.0]),  # A 3+3; B 2+1; C 1+2; D 0
        ("mean", [1.0, 2.5, 2.5, 4.0]),  # A (1+1)/2; B (2+3)/2; C (3+2)/2; D 4
        ("schulze", [3, 1, 1, 0]),  # d[B,C] = d[C,B] = 1: no link; both beat only D
    ],
)
def test_ties_share_a_rank(method, scores):
    result = count(method, ["D", "C", "B", "A"], LEVEL)
    # The tied pair is shown C before B: that is the order of the strategies passed in.
    assert table(result) == [
        ("A", 1, scores[0]),
        ("C", 2, scores[1]),
        ("B", 2, scores[2]),
        ("D", 4, scores[3]),
    ]


def test_top3_ties_share_a_rank():
    # A, B, C are in both ballots' first three (share 1), D in neither.
    result = top3_share(["D", "C", "B", "A"], LEVEL)
    assert table(result) == [("C", 1, 1.0), ("B", 1, 1.0), ("A", 1, 1.0), ("D", 4, 0.0)]


def test_top3_tier_straddling_third_place():
    # A first, then B, C, D tied over positions 2–4: two of their three positions are within 1–3.
    result = top3_share(ABCD, [Ballot((("A",), ("B", "C", "D")))])
    assert [r.score for r in result.rows] == pytest.approx([1, 2 / 3, 2 / 3, 2 / 3])


def test_float_weights_that_should_tie_do_tie():
    # 0.1 + 0.2 != 0.3 in floating point; the tie must survive it.
    ballots = [Ballot.of("A", weight=0.1), Ballot.of("A", weight=0.2), Ballot.of("B", weight=0.3)]
    for name in METHODS:
        assert [r.rank for r in count(name, ["A", "B", "C"], ballots).rows] == [1, 1, 3], name


# ---------------------------------------------------------------------------------------------
# Edge cases.


def test_all_unranked_ballot():
    # k=0, n=3: Borda (3-0-1)/2 = 1 each; mean (0+1+3)/2 = 2 each; no pairwise preference;
    # nothing in the first three.
    results = count_all(["A", "B", "C"], [Ballot(())])
    expected = {"borda": 1.0, "mean": 2.0, "schulze": 0, "top3": 0.0}
    for name, score in expected.items():
        assert table(results[name]) == [("A", 1, score), ("B", 1, score), ("C", 1, score)]


def test_single_strategy():
    # n=1: first place earns n-1 = 0 Borda points, mean position 1, beats nobody, top-3 share 1.
    results = count_all(["3.1"], [Ballot.of("3.1"), Ballot(())])
    expected = {"borda": 0.0, "mean": 1.0, "schulze": 0, "top3": 0.5}
    assert {name: table(result) for name, result in results.items()} == {
        name: [("3.1", 1, score)] for name, score in expected.items()
    }


def test_zero_ballots():
    # Defined: with no ballots every strategy scores 0 and all tie at rank 1.
    for name in METHODS:
        result = count(name, ["A", "B", "C"], [])
        assert table(result) == [("A", 1, 0), ("B", 1, 0), ("C", 1, 0)], name
        assert (result.ballots, result.total_weight) == (0, 0.0)


def test_no_strategies():
    result = schulze([], [Ballot(())])
    assert (result.rows, result.d, result.p) == ((), (), ())


def test_result_carries_method_and_description():
    for name, result in count_all(ABCD, TRUNCATED).items():
        assert result.method == name
        assert result.label and result.description
        assert "\n" not in result.description
        assert result.strategies == tuple(ABCD)
        assert count(name, ABCD, TRUNCATED) == result == METHODS[name](ABCD, TRUNCATED)
    assert count_all(ABCD, TRUNCATED, ["top3"]).keys() == {"top3"}


def test_result_as_a_ballot():
    # A zone's ranking with a tie becomes one weighted ballot with that tie as a tier.
    ballot = borda(ABCD, TRUNCATED).to_ballot(weight=3)
    assert ballot == Ballot((("A", "B"), ("C",), ("D",)), weight=3)
    assert borda(ABCD, TRUNCATED).row("C") == Row("C", 3, 4.5)
    with pytest.raises(KeyError):
        borda(ABCD, TRUNCATED).row("Z")


def test_ballot_of_and_normalisation():
    assert Ballot.of("A", "B", weight=2) == Ballot((("A",), ("B",)), 2.0)
    assert Ballot([["A", "B"], ["C"]]).ranking == (("A", "B"), ("C",))
    assert Ballot([["A", "B"], ["C"]]).ranked == ("A", "B", "C")
    assert isinstance(Ballot.of("A", weight=2).weight, float)


def test_package_docstring_example():
    assert doctest.testmod(consult.ranking).failed == 0


# ---------------------------------------------------------------------------------------------
# Validation.


@pytest.mark.parametrize(
    "make",
    [
        lambda: Ballot.of("A", "B", "A"),  # repeated code
        lambda: Ballot((("A", "B"), ("B",))),  # repeated across tiers
        lambda: Ballot((("A", "A"),)),  # repeated within a tier
        lambda: Ballot((("A",), ())),  # empty tier
        lambda: Ballot.of("A", weight=0),
        lambda: Ballot.of("A", weight=-1),
        lambda: Ballot.of("A", weight=math.nan),
        lambda: Ballot.of("A", weight=math.inf),
    ],
)
def test_invalid_ballots_raise_value_error(make):
    with pytest.raises(ValueError):
        make()


@pytest.mark.parametrize(
    "make",
    [
        lambda: Ballot(("A", "B")),  # tiers given as bare strings: Ballot.of was meant
        lambda: Ballot("AB"),
        lambda: Ballot.of("A", 1),
        lambda: Ballot.of("A", weight="1"),
        lambda: Ballot.of("A", weight=True),
    ],
)
def test_mistyped_ballots_raise_type_error(make):
    with pytest.raises(TypeError):
        make()


def test_unknown_code_raises_value_error():
    with pytest.raises(ValueError, match=r"ballot 2 ranks '9\.9'"):
        borda(["3.1", "3.2"], [Ballot.of("3.1"), Ballot.of("3.2", "9.9")])


def test_repeated_strategy_raises_value_error():
    with pytest.raises(ValueError, match="repeated"):
        mean_rank(["3.1", "3.1"], [])


def test_unknown_method_raises_value_error():
    with pytest.raises(ValueError, match="unknown counting method 'plurality'"):
        count("plurality", ABCD, [])
    with pytest.raises(ValueError, match="unknown counting method"):
        count_all(ABCD, [], ["borda", "irv"])


def test_ballot_is_immutable():
    ballot = Ballot.of("A")
    with pytest.raises(AttributeError):
        ballot.weight = 2.0


# ---------------------------------------------------------------------------------------------
# A brute-force reference, written plainly from the definitions with exact fractions.


def reference(strategies, ballots) -> dict[str, list[tuple[str, int, Fraction]]]:
    """Every method's (code, rank, score) rows, computed the slow, obvious way."""
    n = len(strategies)
    total = sum(Fraction(b.weight) for b in ballots)
    points = dict.fromkeys(strategies, Fraction(0))
    places = dict.fromkeys(strategies, Fraction(0))
    top3 = dict.fromkeys(strategies, Fraction(0))
    above = {(x, y): Fraction(0) for x in strategies for y in strategies}
    for ballot in ballots:
        w = Fraction(ballot.weight)
        k = sum(len(tier) for tier in ballot.ranking)
        tier_of = dict.fromkeys(strategies, math.inf)  # unranked: below every tier
        ranked = set()
        position = 1
        for t, tier in enumerate(ballot.ranking):
            spanned = list(range(position, position + len(tier)))
            for code in tier:
                tier_of[code] = t
                ranked.add(code)
                # Tied strategies share the points and positions of the places they span.
                points[code] += w * Fraction(sum(n - s for s in spanned), len(spanned))
                places[code] += w * Fraction(sum(spanned), len(spanned))
                top3[code] += w * Fraction(sum(1 for s in spanned if s <= 3), len(spanned))
            position += len(tier)
        for code in strategies:
            if code not in ranked:
                points[code] += w * Fraction(n - k - 1, 2)
                places[code] += w * Fraction(k + 1 + n, 2)
        for x in strategies:
            for y in strategies:
                if tier_of[x] < tier_of[y]:
                    above[x, y] += w
    # Schulze, as in the paper: links, then the widest paths.
    p = {}
    for x in strategies:
        for y in strategies:
            if x != y:
                p[x, y] = above[x, y] if above[x, y] > above[y, x] else Fraction(0)
    for i in strategies:
        for j in strategies:
            if i != j:
                for k in strategies:
                    if k not in (i, j):
                        p[j, k] = max(p[j, k], min(p[j, i], p[i, k]))
    wins = {x: sum(1 for y in strategies if y != x and p[x, y] > p[y, x]) for x in strategies}
    share = {c: places[c] / total if total else Fraction(0) for c in strategies}
    top = {c: top3[c] / total if total else Fraction(0) for c in strategies}
    return {
        "borda": competition(strategies, points, higher_is_better=True),
        "mean": competition(strategies, share, higher_is_better=False),
        "schulze": competition(strategies, wins, higher_is_better=True),
        "top3": competition(strategies, top, higher_is_better=True),
    }


def competition(strategies, score, higher_is_better):
    """Rank = 1 + the number of strictly better strategies; rows by rank, then strategy order."""

    def better(a, b):
        return a > b if higher_is_better else a < b

    rank = {c: 1 + sum(1 for d in strategies if better(score[d], score[c])) for c in strategies}
    order = sorted(strategies, key=lambda c: (rank[c], strategies.index(c)))
    return [(c, rank[c], score[c]) for c in order]


def random_profile(rng: random.Random, *, complete=False, tiers=True, min_ballots=0):
    """Random strategies and ballots; truncated and tied unless told otherwise."""
    n = rng.randint(2, 7)
    strategies = [f"{i // 3 + 1}.{i % 3 + 1}" for i in range(n)]
    ballots = []
    for _ in range(rng.randint(min_ballots, 12)):
        k = n if complete else rng.randint(0, n)
        codes = rng.sample(strategies, k)
        ranking = []
        for code in codes:
            if ranking and tiers and rng.random() < 0.3:
                ranking[-1] += (code,)
            else:
                ranking.append((code,))
        # Integers and halves add up exactly in floating point, so ties stay exact.
        ballots.append(Ballot(tuple(ranking), rng.choice([1, 1, 2, 3, 0.5, 1.5])))
    return strategies, ballots


@pytest.mark.parametrize("seed", range(60))
def test_agrees_with_brute_force_reference(seed):
    strategies, ballots = random_profile(random.Random(seed))
    expected = reference(strategies, ballots)
    for name, result in count_all(strategies, ballots).items():
        assert [(r.code, r.rank) for r in result.rows] == [(c, k) for c, k, _ in expected[name]]
        assert [r.score for r in result.rows] == pytest.approx([float(s) for _, _, s in expected[name]]), name


# ---------------------------------------------------------------------------------------------
# Agreement with svvamp. Weights are whole numbers here: svvamp counts one row per voter.


def svvamp_voters(strategies, ballots):
    """Each ballot repeated weight times, as svvamp utilities: higher tier, higher utility."""
    rows = []
    for ballot in ballots:
        utility = dict.fromkeys(strategies, -len(ballot.ranking))  # unranked: tied last
        for t, tier in enumerate(ballot.ranking):
            for code in tier:
                utility[code] = -t
        rows += [[utility[code] for code in strategies]] * int(ballot.weight)
    return rows


def whole_weights(ballots, rng):
    return [Ballot(b.ranking, rng.randint(1, 3)) for b in ballots]


@pytest.mark.parametrize("seed", range(30))
def test_borda_and_pairwise_agree_with_svvamp_on_truncated_tied_ballots(seed):
    # svvamp's weak-order Borda gives 1 point per strategy placed strictly below and ½ per tie:
    # the same as sharing the points of the spanned positions, and (n-k-1)/2 for the unranked.
    rng = random.Random(1000 + seed)
    strategies, ballots = random_profile(rng, min_ballots=1)
    ballots = whole_weights(ballots, rng)
    profile = svvamp.Profile(preferences_ut=np.array(svvamp_voters(strategies, ballots), float))
    n, total = len(strategies), sum(b.weight for b in ballots)

    ours = borda(strategies, ballots)
    assert [ours.row(c).score for c in strategies] == pytest.approx(profile.borda_score_c_ut)
    # A mean position is n minus the Borda points it earns.
    means = [mean_rank(strategies, ballots).row(c).score for c in strategies]
    assert means == pytest.approx([n - s / total for s in profile.borda_score_c_ut])
    assert np.array_equal(np.array(schulze(strategies, ballots).d), profile.matrix_duels_ut)


@pytest.mark.parametrize("seed", range(30))
def test_schulze_and_borda_agree_with_svvamp_on_complete_ballots(seed):
    # On complete strict ballots with an odd number of voters no pair is tied, so winning votes,
    # margins and svvamp's widest paths over the raw pairwise counts all give the same order.
    rng = random.Random(2000 + seed)
    strategies, ballots = random_profile(rng, complete=True, tiers=False, min_ballots=1)
    ballots = whole_weights(ballots, rng)
    if sum(b.weight for b in ballots) % 2 == 0:
        ballots.append(Ballot(ballots[0].ranking))
    index = {code: i for i, code in enumerate(strategies)}
    rankings = [[index[c] for c in b.ranked] for b in ballots for _ in range(int(b.weight))]
    profile = svvamp.Profile(preferences_rk=np.array(rankings))

    paths = svvamp.RuleSchulze()(profile).scores_
    beaten = (paths > paths.T).sum(axis=1)
    ours = schulze(strategies, ballots)
    assert [ours.row(c).score for c in strategies] == beaten.tolist()
    assert np.array_equal(np.array(ours.d), profile.matrix_duels_rk)
    svvamp_winner = strategies[svvamp.RuleSchulze()(profile).w_]
    assert ours.row(svvamp_winner).rank == 1

    points = borda(strategies, ballots)
    assert [points.row(c).score for c in strategies] == svvamp.RuleBorda()(profile).scores_.tolist()

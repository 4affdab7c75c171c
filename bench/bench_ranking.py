"""Time the counting methods on 10,000 random ballots over 27 strategies (target: under 0.2 s).

Run with `make bench` or `.venv/bin/python bench/bench_ranking.py`. Ballots are drawn with a fixed
seed: most rank 3–10 strategies, some rank all 27, a few tie some of their places.
"""

import os
import time

import numpy as np

from consult.ranking import METHODS, Ballot, count, count_all

STRATEGIES = [f"{axis}.{number}" for axis in range(1, 10) for number in range(1, 4)]  # 27 codes
BALLOTS = 10_000
TARGET = 0.2  # seconds, for all four methods together
REPEATS = 5


def random_ballots(seed: int = 2026) -> list[Ballot]:
    """Seeded ballots with varied truncation; one in ten has a tie and one in five a weight."""
    rng = np.random.default_rng(seed)
    ballots = []
    for _ in range(BALLOTS):
        k = int(rng.choice([1, 3, 5, 10, 27], p=[0.1, 0.3, 0.3, 0.2, 0.1]))
        codes = [STRATEGIES[i] for i in rng.permutation(len(STRATEGIES))[:k]]
        tiers = [(code,) for code in codes]
        if k > 2 and rng.random() < 0.1:
            place = int(rng.integers(0, k - 1))
            tiers[place : place + 2] = [tiers[place] + tiers[place + 1]]
        weight = float(rng.integers(1, 4)) if rng.random() < 0.2 else 1.0
        ballots.append(Ballot(tuple(tiers), weight))
    return ballots


def best_of(function, repeats: int = REPEATS) -> float:
    """Fastest of ``repeats`` runs, in seconds."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    start = time.perf_counter()
    ballots = random_ballots()
    made = time.perf_counter() - start
    print(
        f"{len(ballots):,} ballots over {len(STRATEGIES)} strategies, {os.cpu_count()} CPUs, "
        f"NumPy {np.__version__}; ballots built and validated in {made:.3f} s (not counted)"
    )
    print(f"best of {REPEATS}, each count from the ballots (validation and matrices included):")
    print(f"  {'method':<22}{'seconds':>9}")
    total = 0.0
    for name in METHODS:
        seconds = best_of(lambda name=name: count(name, STRATEGIES, ballots))
        total += seconds
        print(f"  {name:<22}{seconds:>9.4f}")
    print(f"  {'sum of the four':<22}{total:>9.4f}")
    shared = best_of(lambda: count_all(STRATEGIES, ballots))
    print(f"  {'count_all (shared)':<22}{shared:>9.4f}")
    verdict = "met" if total < TARGET else "NOT met"
    print(f"target: all four methods under {TARGET} s: {verdict} ({total:.4f} s)")


if __name__ == "__main__":
    main()

"""Counting ranked ballots: pure Python and NumPy, no Flask and no database.

n strategies are in scope; a ballot ranks k of them in tiers (see ``Ballot``), the rest are
unranked. Every method returns a ``Result``: rows best first, ties sharing a rank (1, 2, 2, 4)
and listed in the order of ``strategies``, with the method's name, label and description.

>>> result = count("borda", ["1.1", "1.2", "2.1"], [Ballot.of("1.2", "1.1"), Ballot.of("1.2")])
>>> [(row.code, row.rank, row.score) for row in result.rows]
[('1.2', 1, 4.0), ('1.1', 2, 1.5), ('2.1', 3, 0.5)]
"""

from consult.ranking.ballot import Ballot
from consult.ranking.methods import (
    DESCRIPTIONS,
    METHODS,
    Profile,
    borda,
    count,
    count_all,
    mean_rank,
    rank_rows,
    schulze,
    top3_share,
)
from consult.ranking.result import Result, Row
from consult.ranking.tally import Tally

__all__ = [
    "DESCRIPTIONS",
    "METHODS",
    "Ballot",
    "Profile",
    "Result",
    "Row",
    "Tally",
    "borda",
    "count",
    "count_all",
    "mean_rank",
    "rank_rows",
    "schulze",
    "top3_share",
]

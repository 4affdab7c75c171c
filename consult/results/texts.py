"""How results read: the methods and weightings in plain words, and the figure shown for each score.

Raw scores suit the counting, not the reader: a Borda total under population weighting runs into the
millions. Pages and reports show one figure per method that a person can compare across zones and
weightings (average points, mean place, share in the first three, strategies beaten); the raw score
stays in the JSON and CSV.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import format_decimal, format_percent
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from consult import ranking

METHOD_LABELS = {
    "borda": _l("Conteggio di Borda"),
    "schulze": _l("Metodo Schulze"),
    "mean": _l("Posizione media"),
    "top3": _l("Quota tra le prime tre"),
}
METHOD_DESCRIPTIONS = {
    "borda": _l(
        "Ogni classifica dà più punti alle prime scelte: con n strategie, n−1 punti alla prima, n−2 alla "
        "seconda e così via; le strategie lasciate fuori si dividono i punti rimasti. Vince chi ha più punti."
    ),
    "schulze": _l(
        "Le strategie sono confrontate a due a due: conta quante classifiche mettono l'una sopra l'altra, "
        "anche attraverso catene di confronti. Vince chi batte più strategie."
    ),
    "mean": _l(
        "Il posto medio che ogni strategia ottiene nelle classifiche; una strategia lasciata fuori conta come "
        "il centro dei posti rimasti liberi. Vince la media più bassa."
    ),
    "top3": _l("La percentuale di classifiche che mettono la strategia tra le prime tre scelte."),
}
#: What the figure shown for each method is (column headings, chart captions).
FIGURE_LABELS = {
    "borda": _l("Punti medi"),
    "schulze": _l("Strategie battute"),
    "mean": _l("Posto medio"),
    "top3": _l("Tra le prime tre"),
}
FIGURE_NOTES = {
    "borda": _l(
        "Punti medi per classifica: il totale dei punti diviso per il peso delle classifiche (al massimo n−1)."
    ),
    "schulze": _l("Numero di altre strategie che la strategia batte nei confronti a due a due."),
    "mean": _l("Posto medio nelle classifiche: 1 è il primo posto; più è basso, meglio è."),
    "top3": _l("Percentuale di classifiche che mettono la strategia tra le prime tre."),
}
WEIGHTING_LABELS = {
    "equal": _l("Zone alla pari"),
    "population": _l("Per popolazione"),
    "participants": _l("Per partecipanti"),
    "pooled": _l("Tutte le classifiche insieme"),
}
WEIGHTING_DESCRIPTIONS = {
    "equal": _l(
        "Ogni Zona omogenea conta una volta, qualunque sia la sua dimensione: è l'impostazione predefinita, "
        "coerente con l'idea policentrica del Piano."
    ),
    "population": _l(
        "La classifica di ogni zona pesa quanto i suoi abitanti (censimento ISTAT 2011): Torino da sola porta "
        "quasi due quinti del peso."
    ),
    "participants": _l(
        "La classifica di ogni zona pesa quante classifiche vi sono state raccolte: le zone più partecipate "
        "contano di più."
    ),
    "pooled": _l(
        "Tutte le classifiche sono contate insieme come se venissero da un'unica assemblea, senza passare "
        "dalle zone: serve per confronto."
    ),
}


def zones_per_person(consultation) -> str:
    """How people who take part in several zones are counted in the metropolitan results."""
    if consultation.allow_multiple_zones:
        return _(
            "In questa consultazione una persona con un account ha potuto partecipare alle sessioni di più zone "
            "(ad esempio un ente che lavora su tutta l'area metropolitana). Ognuna delle sue classifiche conta "
            "nella zona in cui l'ha data: nel conteggio metropolitano conta quindi una volta per ogni zona, anche "
            "nelle ponderazioni per partecipanti e con tutte le classifiche insieme."
        )
    return _(
        "Ogni persona con un account partecipa in una sola zona per consultazione, e la sua classifica conta una "
        "volta. Chi partecipa in sala con un codice o con una scheda cartacea è anonimo e conta nella sessione in "
        "cui ha ricevuto il codice o la scheda."
    )


def method_label(method: str) -> str:
    return str(METHOD_LABELS[method])


def method_description(method: str) -> str:
    return str(METHOD_DESCRIPTIONS[method])


@dataclass(frozen=True)
class Figure:
    """A row of a ranking as it is shown."""

    code: str
    title: str
    rank: int
    score: float
    #: The figure the method shows (see the module docstring).
    value: float
    text: str
    #: Bar length in [0, 1]: the best possible figure is a full bar.
    fraction: float


def figure_value(method: str, score: float, result: ranking.Result) -> float:
    """The figure shown for ``score`` of ``result`` (counted with ``method``)."""
    if method == "borda":
        return score / result.total_weight if result.total_weight else 0.0
    if method == "schulze":
        return int(score)  # a number of strategies
    return float(score)


def figure_text(method: str, value: float) -> str:
    if method == "top3":
        return format_percent(value, "#,##0%")
    if method == "schulze":
        return format_decimal(value, "#,##0")
    return format_decimal(value, "#,##0.00")


def _fraction(method: str, value: float, result: ranking.Result) -> float:
    n = len(result.strategies)
    if not result.ballots or n < 2:
        return 0.0
    if method == "mean":
        share = (n - value) / (n - 1)
    elif method == "top3":
        share = value
    else:  # Borda's average points and Schulze's wins both run from 0 to n − 1
        share = value / (n - 1)
    return max(0.0, min(1.0, share))


def figures(result: ranking.Result, titles: dict[str, str]) -> list[Figure]:
    """The rows of ``result``, best first, as they are shown."""
    rows = []
    for row in result.rows:
        value = figure_value(result.method, row.score, result)
        rows.append(
            Figure(
                row.code,
                titles.get(row.code, ""),
                row.rank,
                row.score,
                value,
                figure_text(result.method, value),
                _fraction(result.method, value, result),
            )
        )
    return rows


#: Heatmap classes by rank, best first: (highest rank in the band, CSS class, RGB for the PDF, text RGB).
HEAT_BANDS = (
    (3, "heat-1", "#003d7a", "#ffffff"),
    (5, "heat-2", "#0066cc", "#ffffff"),
    (10, "heat-3", "#9cc3ea", "#17324d"),
    (15, "heat-4", "#d9e8f7", "#17324d"),
    (None, "heat-5", "#f5f6f7", "#17324d"),
)


def heat_band(rank: int) -> tuple[str, str, str]:
    """(CSS class, background, text colour) of the heatmap band of ``rank``."""
    for limit, css, background, text in HEAT_BANDS:
        if limit is None or rank <= limit:
            return css, background, text
    raise AssertionError("unreachable")


def heat_legend() -> list[tuple[str, str]]:
    """(CSS class, translated band label) for the heatmap's legend."""
    labels = [_("1º–3º posto"), _("4º–5º posto"), _("6º–10º posto"), _("11º–15º posto"), _("oltre il 15º posto")]
    return [(band[1], label) for band, label in zip(HEAT_BANDS, labels, strict=True)]

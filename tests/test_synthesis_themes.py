"""Recurring themes and similar proposals on a small hand-made set whose answer is known."""

from __future__ import annotations

from datetime import UTC, datetime
from types import SimpleNamespace

from consult.models import Channel
from consult.synthesis.services import Contribution, Kind
from consult.synthesis.themes import recurring_themes, terms

ZONES = {code: SimpleNamespace(id=code, code=code, name=name) for code, name in
         ((1, "Torino"), (5, "Pinerolese"), (6, "Valli di Susa e Sangone"), (9, "Eporediese"))}  # fmt: skip


def item(n: int, zone: int, kind: Kind, text: str, title: str | None = None) -> Contribution:
    return Contribution(
        key=f"{kind.value}-{n}", kind=kind, strategy=SimpleNamespace(code="3.1"), session=SimpleNamespace(id=zone),
        zone=ZONES[zone], category=None, organisation=None, channel=Channel.ONLINE, title=title, text=text,
        fields=[], date=datetime(2026, 11, 30, tzinfo=UTC),
    )  # fmt: skip


#: Three ways of asking for the same cycle path in three zones, on-demand transport in two, and noise.
SET = [
    item(1, 5, Kind.PROPOSAL, "Completare la pista ciclabile lungo il Chisone.", "Ciclovia del Chisone"),
    item(2, 6, Kind.IMPLEMENTATION, "Servono piste ciclabili sicure tra i comuni della valle, come lungo il Chisone."),
    item(3, 1, Kind.COMMENT, "La pista ciclabile del Chisone va collegata alla stazione."),
    item(4, 9, Kind.IMPLEMENTATION, "Un servizio di trasporto a chiamata per le frazioni."),
    item(5, 5, Kind.COMMENT, "Il trasporto a chiamata funziona solo con orari serali."),
    item(6, 9, Kind.ACTION, "Pista ciclabile pista ciclabile pista ciclabile", "3.1.1 Testo del piano"),
]  # fmt: skip


def test_lemmas_and_stop_words():
    found = terms("Servono piste ciclabili sicure, e il trasporto a chiamata.")
    assert "pista ciclabile" in found and found["pista ciclabile"] == "piste ciclabili"
    assert "trasporto chiamare" in found and found["trasporto chiamare"] == "trasporto a chiamata"
    assert not {"il", "e", "a"} & set(found)
    # Punctuation breaks a phrase.
    assert "sicuro trasporto" not in found and "sicuro" in found


def test_recurring_themes_count_contributions_and_zones():
    themes = {theme.key: theme for theme in recurring_themes(SET)}
    cycle = themes["pista ciclabile"]
    assert len(cycle.items) == 3 and [zone.code for zone in cycle.zones] == [1, 5, 6]
    assert cycle.label == "pista ciclabile"
    assert {item.key for item in cycle.items} == {"proposal-1", "implementation-2", "comment-3"}
    transport = themes["trasporto chiamare"]
    assert transport.label == "trasporto a chiamata" and len(transport.zones) == 2
    assert "chisone" in themes
    # Words only ever seen inside a recurring phrase give way to the phrase; the plan's own text is not counted.
    assert "ciclabile" not in themes and "trasporto" not in themes
    assert all(item.kind != Kind.ACTION for theme in themes.values() for item in theme.items)
    # Most widely used first.
    assert next(iter(themes)) in ("pista ciclabile", "chisone")


CYCLE_PATHS = [
    item(
        11,
        5,
        Kind.PROPOSAL,
        "Completare il percorso ciclabile lungo il torrente fino a Pinerolo.",
        "Pista ciclabile del Chisone",
    ),
    item(
        12,
        6,
        Kind.PROPOSAL,
        "Un anello ciclabile per le bici tra Perosa e Pinerolo, lungo il Chisone.",
        "Ciclovia Val Chisone",
    ),
    item(
        13,
        1,
        Kind.PROPOSAL,
        "Collegare la ciclabile del Chisone alla rete di Torino.",
        "Piste ciclabili verso Pinerolo",
    ),
    item(14, 9, Kind.PROPOSAL, "Minibus su prenotazione per le frazioni di montagna.", "Trasporto a chiamata"),
    item(
        15,
        5,
        Kind.PROPOSAL,
        "Una seconda pista ciclabile lungo il Chisone, nello stesso comune.",
        "Pista ciclabile del Chisone bis",
    ),
]


def test_the_same_cycle_path_in_three_zones_is_one_candidate_and_the_bus_is_not():
    from consult.synthesis.similar import candidates

    for proposal in CYCLE_PATHS:
        proposal.proposal = SimpleNamespace(id=int(proposal.key.split("-")[1]))
    found = candidates(CYCLE_PATHS[:4])
    assert len(found) == 1
    group = found[0]
    assert group.proposal_ids == [11, 12, 13] and [zone.code for zone in group.zones] == [1, 5, 6]
    assert 0.25 <= group.score <= 1
    # Within one zone two proposals are not "the same project across zones" on their own.
    only_zone_5 = candidates([CYCLE_PATHS[0], CYCLE_PATHS[4]])
    assert only_zone_5 == []

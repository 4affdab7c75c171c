"""Results as plain tables (headers and rows) and as JSON: what the CSV, XLSX, JSON and PDF files are made of.

Every file states the method, the weighting, the number of ballots, the date and the source (``about``).
No personal data: no participant's name, email or organisation; the promoter of a project is part of the
public proposal and is included.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import get_locale
from flask_babel import gettext as _

from consult.i18n import dates
from consult.monitoring import services as monitoring
from consult.results import texts
from consult.results.services import METHODS, ConsultationView

SOURCE = "consult — Città metropolitana di Torino, Piano Strategico Metropolitano 2024–2026"


@dataclass(frozen=True)
class Table:
    #: Stable name, used in ``?table=`` for CSV.
    key: str
    #: Translated name: the XLSX sheet's and the PDF section's.
    title: str
    headers: list[str]
    rows: list[list]


def is_metro(view) -> bool:
    return isinstance(view, ConsultationView)


def counted(view) -> int:
    """The people's ballots behind the results (for a session: those of the category chosen, if any)."""
    return view.ballots if is_metro(view) else view.result.ballots


def _locale() -> str:
    return str(get_locale())


def titles(view) -> dict[str, str]:
    return {code: strategy.title for code, strategy in view.strategies.items()}


def category_name(category) -> str:
    return category.name(_locale()) if category is not None else _("Non indicata")


def counting_explained(view) -> list[str]:
    """How the results were counted, in plain words, one paragraph per step."""
    method = view.method
    paragraphs = []
    if is_metro(view):
        paragraphs.append(
            _(
                "Prima si conta ogni Zona omogenea: tutte le classifiche raccolte nelle sessioni della zona "
                "danno la classifica della zona."
            )
        )
        if view.weighting == "pooled":
            paragraphs.append(
                _(
                    "Poi, per confronto, tutte le classifiche sono contate insieme, senza passare dalle zone; "
                    "le classifiche delle zone restano quelle del primo passo."
                )
            )
        else:
            paragraphs.append(
                _(
                    "Poi la classifica di ogni zona diventa una scheda e le schede delle zone sono contate di nuovo "
                    "con lo stesso metodo; due strategie a pari merito in una zona restano a pari merito nella sua "
                    "scheda."
                )
            )
        paragraphs.append(
            _(
                "Ponderazione: %(label)s. %(description)s",
                label=texts.WEIGHTING_LABELS[view.weighting],
                description=texts.WEIGHTING_DESCRIPTIONS[view.weighting],
            )
        )
        paragraphs.append(texts.zones_per_person(view.consultation))
    paragraphs.append(
        _(
            "Metodo: %(label)s. %(description)s",
            label=texts.method_label(method),
            description=texts.method_description(method),
        )
    )
    paragraphs.append(
        _("La cifra mostrata: %(note)s Il punteggio grezzo resta nei file CSV e JSON.", note=texts.FIGURE_NOTES[method])
    )
    paragraphs.append(
        _("Le strategie a pari merito hanno la stessa posizione (1, 2, 2, 4) e sono elencate nell'ordine del Piano.")
    )
    return paragraphs


def state_text(view) -> str:
    if view.provisional:
        return _("Dati provvisori: include sessioni non ancora pubblicate.")
    return _("Risultati pubblicati.")


def about(view, source_url: str) -> list[tuple[str, str]]:
    """(label, value) rows stating what the file is and how it was counted."""
    consultation = view.consultation
    rows = [(_("Consultazione"), consultation.title)]
    if is_metro(view):
        rows.append((_("Documento"), _("Risultati metropolitani (tutte le Zone omogenee)")))
        rows.append((_("Ponderazione"), f"{texts.WEIGHTING_LABELS[view.weighting]} ({view.weighting})"))
        rows.append((_("Zone contate"), str(len(view.metro.zones))))
    else:
        rows.append((_("Sessione"), view.session.title))
        rows.append((_("Zona omogenea"), f"{view.session.zone.code}. {view.session.zone.name}"))
        rows.append((_("Ponderazione"), _("nessuna: una sola sessione, ogni classifica conta uno")))
        if view.category is not None:
            rows.append((_("Categoria"), category_name(view.category)))
    rows += [
        (_("Metodo"), f"{texts.method_label(view.method)} ({view.method})"),
        (_("Classifiche contate"), str(counted(view))),
        (_("Data"), f"{dates.when(view.generated_at)} ({view.generated_at.isoformat()})"),
        (_("Stato"), state_text(view)),
        (_("Fonte"), f"{SOURCE} — {source_url}"),
    ]
    rows += [(_("Come è stato contato"), paragraph) for paragraph in counting_explained(view)]
    rows.append(
        (
            _("Dati personali"),
            _("Nessuno: i file non contengono nomi, email né organizzazioni di chi ha partecipato."),
        )
    )
    return rows


def _ranking_headers(method: str) -> list[str]:
    return [_("Posizione"), _("Codice"), _("Strategia"), str(texts.FIGURE_LABELS[method]), _("Punteggio grezzo")]


def ranking_table(view, method: str) -> Table:
    result = view.result_for(method)
    rows = [[f.rank, f.code, f.title, round(f.value, 4), f.score] for f in texts.figures(result, titles(view))]
    return Table(f"ranking_{method}", texts.method_label(method), _ranking_headers(method), rows)


def categories_table(view) -> Table:
    headers = [_("Categoria"), _("Classifiche")] + [_("Posto %(n)s", n=n) for n in range(1, 6)]
    rows = []
    for entry in view.categories:
        top = [row.code for row in entry.result.rows[:5]] if entry.ballots else []
        rows.append([category_name(entry.category), entry.ballots, *top, *[""] * (5 - len(top))])
    return Table("categories", _("Categorie"), headers, rows)


def channels_table(view) -> Table:
    rows = [[str(channel.label), count] for channel, count in view.channels]
    return Table("channels", _("Canali"), [_("Canale"), _("Classifiche")], rows)


def actions_table(view) -> Table:
    rows = [
        [strategy.code, action.code, action.text, count] for strategy, pairs in view.actions for action, count in pairs
    ]
    return Table("actions", _("Azioni prioritarie"), [_("Strategia"), _("Azione"), _("Testo"), _("Volte scelta")], rows)


def projects_table(view) -> Table:
    headers = [
        _("Strategia"),
        _("Progetto"),
        _("Promotore"),
        _("Zona"),
        _("Finanziamento"),
        _("Stato"),
        _("Competenza"),
        _("Sostegni"),
        _("Azioni"),
        _("Descrizione"),
        _("Link"),
        _("Attività già in corso su cui si basa"),
    ]
    rows = []
    builds_on = view.proposal_activities
    for strategy, items in view.proposals:
        for item in items:
            proposal = item.proposal
            rows.append(
                [
                    strategy.code,
                    proposal.title,
                    proposal.promoter,
                    f"{item.zone.code}. {item.zone.name}",
                    str(proposal.funding.label) if proposal.funding else "",
                    str(proposal.status.label) if proposal.status else "",
                    str(proposal.competence.label) if proposal.competence else "",
                    item.supports,
                    ", ".join(action.code for action in proposal.actions),
                    proposal.description,
                    proposal.link or "",
                    monitoring.activity_label(builds_on.get(proposal.id)),
                ]
            )
    return Table("projects", _("Progetti"), headers, rows)


def conditions_table(view) -> Table:
    tags, matrix = view.conditions
    headers = [_("Strategia")] + [tag.name(_locale()) for tag in tags]
    rows = [[strategy.code, *counts] for strategy, counts in matrix]
    return Table("conditions", _("Fattori abilitanti"), headers, rows)


def actors_table(view) -> Table:
    rows = []
    for network in view.actors:
        for state, names in ((_("Già attivo"), network.active), (_("Da attivare"), network.to_activate)):
            rows += [[network.strategy.code, state, name, count] for name, count in names]
    return Table("actors", _("Reti di attori"), [_("Strategia"), _("Stato"), _("Soggetto"), _("Volte indicato")], rows)


def comments_table(view) -> Table:
    rows = [[code, view.comments.get(code, 0)] for code in sorted(view.comments, key=_code_key)]
    return Table("comments", _("Commenti"), [_("Strategia"), _("Commenti")], rows)


def _code_key(code: str):
    return tuple(int(part) for part in code.split("."))


def participation_table(view) -> Table:
    if not is_metro(view):
        rows = [[category_name(entry.category), entry.ballots] for entry in view.categories]
        return Table("participation", _("Partecipazione"), [_("Categoria"), _("Classifiche")], rows)
    headers = [
        _("Zona"),
        _("Nome"),
        _("Sessioni"),
        _("Classifiche"),
        _("Popolazione 2011"),
        _("Peso"),
        _("Quota del peso"),
    ]
    rows = [
        [
            p.zone.code,
            p.zone.name,
            p.sessions,
            p.ballots,
            p.zone.population_2011,
            p.weight if p.weight is not None else "",
            round(p.share, 4) if p.share is not None else "",
        ]
        for p in view.participation
    ]
    return Table("participation", _("Partecipazione"), headers, rows)


def zones_table(view) -> Table:
    method = view.method
    headers = [_("Zona"), _("Nome"), _("Classifiche"), *_ranking_headers(method)]
    rows = []
    for zone in view.metro.zones:
        for f in texts.figures(zone.result, titles(view)):
            rows.append(
                [
                    zone.zone.code,
                    zone.zone.name,
                    zone.result.ballots,
                    f.rank,
                    f.code,
                    f.title,
                    round(f.value, 4),
                    f.score,
                ]
            )
    return Table("zones", _("Zone"), headers, rows)


def heatmap_table(view) -> Table:
    headers = [_("Codice"), _("Strategia"), _("Metropolitana")] + [
        f"{zone.zone.code}. {zone.zone.name}" for zone in view.metro.zones
    ]
    names = titles(view)
    rows = [[code, names.get(code, ""), metro_rank, *ranks] for code, metro_rank, ranks in view.heatmap]
    return Table("heatmap", _("Mappa delle posizioni"), headers, rows)


def all_tables(view) -> list[Table]:
    """Every view of the results, in the order of the workbook's sheets."""
    tables = [ranking_table(view, view.method)]
    tables += [ranking_table(view, method) for method in METHODS if method != view.method]
    if is_metro(view):
        tables += [zones_table(view), heatmap_table(view)]
    tables += [
        categories_table(view),
        channels_table(view),
        actions_table(view),
        projects_table(view),
        conditions_table(view),
        actors_table(view),
        comments_table(view),
        participation_table(view),
    ]
    return tables


def table_keys(view) -> list[str]:
    """The names ``?table=`` accepts for a CSV file; ``ranking`` is the chosen method's ranking."""
    keys = ["ranking", *(f"ranking_{method}" for method in METHODS)]
    if is_metro(view):
        keys += ["zones", "heatmap"]
    return [*keys, "categories", "channels", "actions", "projects", "conditions", "actors", "comments", "participation"]


def table_named(view, key: str) -> Table:
    if key == "ranking":
        return ranking_table(view, view.method)
    if key.startswith("ranking_"):
        return ranking_table(view, key.removeprefix("ranking_"))
    return {
        "zones": zones_table,
        "heatmap": heatmap_table,
        "categories": categories_table,
        "channels": channels_table,
        "actions": actions_table,
        "projects": projects_table,
        "conditions": conditions_table,
        "actors": actors_table,
        "comments": comments_table,
        "participation": participation_table,
    }[key](view)


# --- JSON ------------------------------------------------------------------------------------------


def ranking_json(result, names: dict[str, str]) -> list[dict]:
    return [
        {"code": row.code, "title": names.get(row.code, ""), "rank": row.rank, "score": row.score}
        for row in result.rows
    ]


def as_json(view) -> dict:
    """The API's answer: the ranking with its method, the number of ballots and the date (and the zones)."""
    names = titles(view)
    data = {
        "method": view.method,
        "label": texts.method_label(view.method),
        "description": texts.method_description(view.method),
    }
    if is_metro(view):
        data["weighting"] = view.weighting
        data["weighting_description"] = str(texts.WEIGHTING_DESCRIPTIONS[view.weighting])
    data.update(
        {
            "ballots": counted(view),
            "generated_at": view.generated_at.isoformat(),
            "provisional": view.provisional,
            "ranking": ranking_json(view.result, names),
        }
    )
    if is_metro(view):
        consultation = view.consultation
        data["consultation"] = {"id": consultation.id, "title": consultation.title}
        data["published_only"] = view.published_only
        data["zones"] = [
            {
                "code": zone.zone.code,
                "name": zone.zone.name,
                "ballots": zone.result.ballots,
                "weight": view.metro.weights.get(zone.zone.code),
                "ranking": ranking_json(zone.result, names),
            }
            for zone in view.metro.zones
        ]
    else:
        session = view.session
        data["category"] = view.category.code if view.category is not None else None
        data["session"] = {
            "id": session.id,
            "title": session.title,
            "state": session.state.value,
            "zone": {"code": session.zone.code, "name": session.zone.name},
            "consultation": {"id": view.consultation.id, "title": view.consultation.title},
        }
    return data


def download_json(view, source_url: str) -> dict:
    """The API's answer with what a file on its own needs: how it was counted, when, from where."""
    return {
        **as_json(view),
        "metadata": {
            "source": SOURCE,
            "url": source_url,
            "state": state_text(view),
            "figure": str(texts.FIGURE_NOTES[view.method]),
            "how_counted": counting_explained(view),
            "language": _locale(),
        },
    }

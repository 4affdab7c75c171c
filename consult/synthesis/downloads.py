"""Contributions leaving the platform: CSV (one row per contribution), XLSX (a "Contributi" sheet per kind),
JSON and the API items. Every cell goes through ``consult.exports``, which defuses spreadsheet formulas."""

from __future__ import annotations

from flask_babel import format_datetime, get_locale
from flask_babel import gettext as _

from consult.exports import write_csv_with_notes
from consult.synthesis.services import Contribution, Kind, gather, in_order

#: Worksheet names, short enough for Excel's 31 characters.
SHEET_NAMES = {
    Kind.IMPLEMENTATION: "Contributi - attuazione",
    Kind.PROPOSAL: "Contributi - progetti",
    Kind.ACTOR: "Contributi - attori",
    Kind.CONDITION: "Contributi - fattori",
    Kind.ACTION: "Contributi - azioni",
    Kind.COMMENT: "Contributi - commenti",
}


def _date(item: Contribution) -> str:
    return item.date.isoformat(timespec="seconds") if item.date else ""


def csv_headers() -> list[str]:
    return [
        _("Riferimento"),
        _("Zona"),
        _("Sessione"),
        _("Strategia"),
        _("Tipo di contributo"),
        _("Categoria"),
        _("Organizzazione"),
        _("Canale"),
        _("Testo"),
        _("Dettagli"),
        _("Sostegni"),
        _("Data"),
    ]


def csv_rows(items: list[Contribution], locale: str) -> list[list]:
    """One row per contribution, in reading order (zone, session, strategy, kind)."""
    return [
        [
            item.key,
            f"{item.zone.code}. {item.zone.name}",
            item.session.title,
            item.strategy.code,
            str(item.kind.label),
            item.category_name(locale),
            item.organisation or "",
            str(item.channel.label),
            item.full_text,
            item.details(),
            item.supports if item.supports is not None else "",
            _date(item),
        ]
        for item in in_order(items)
    ]


def xlsx_sheets(items: list[Contribution], locale: str) -> list[tuple[str, list[str], list[list]]]:
    """A sheet per kind of contribution, each field of the kind in a column of its own."""
    sheets = []
    ordered = in_order(items)
    for kind in Kind:
        of_kind = [item for item in ordered if item.kind == kind]
        labels: list[str] = []
        for item in of_kind:
            for label, _value in item.fields:
                if str(label) not in labels:
                    labels.append(str(label))
        headers = [
            _("Riferimento"),
            _("Zona"),
            _("Sessione"),
            _("Strategia"),
            _("Categoria"),
            _("Organizzazione"),
            _("Canale"),
        ]
        if kind in (Kind.PROPOSAL, Kind.ACTOR, Kind.CONDITION, Kind.ACTION):
            headers.append(_("Titolo"))
        headers += [_("Testo"), *labels]
        if kind == Kind.PROPOSAL:
            headers.append(_("Sostegni"))
        headers.append(_("Data"))
        rows = []
        for item in of_kind:
            fields = {str(label): value for label, value in item.fields}
            row = [
                item.key,
                f"{item.zone.code}. {item.zone.name}",
                item.session.title,
                item.strategy.code,
                item.category_name(locale),
                item.organisation or "",
                str(item.channel.label),
            ]
            if kind in (Kind.PROPOSAL, Kind.ACTOR, Kind.CONDITION, Kind.ACTION):
                row.append(item.title or "")
            row += [item.text, *(fields.get(label, "") for label in labels)]
            if kind == Kind.PROPOSAL:
                row.append(item.supports or 0)
            row.append(_date(item))
            rows.append(row)
        sheets.append((SHEET_NAMES[kind], headers, rows))
    return sheets


def item_json(item: Contribution, locale: str) -> dict:
    """A contribution as the JSON download and the API give it."""
    return {
        "id": item.key,
        "strategy": item.strategy.code,
        "kind": item.kind.value,
        "title": item.title,
        "text": item.text,
        "fields": [{"label": str(label), "value": value} for label, value in item.fields],
        "category": item.category.code if item.category else None,
        "category_name": item.category_name(locale) or None,
        "organisation": item.organisation,
        "zone": {"code": item.zone.code, "name": item.zone.name},
        "session": {"id": item.session.id, "title": item.session.title},
        "channel": item.channel.value,
        "supports": item.supports,
        "date": _date(item),
    }


def items_json(items: list[Contribution], locale: str) -> list[dict]:
    return [item_json(item, locale) for item in in_order(items)]


def about_rows(title: str, source: str, count: int) -> list[tuple[str, str]]:
    return [
        (_("Contributi"), title),
        (_("Numero di contributi"), str(count)),
        (_("Generato il"), format_datetime(None, "long")),
        (_("Fonte"), source),
        (
            _("Riservatezza"),
            _(
                "Ogni contributo è attribuito alla categoria, alla zona e al canale; l'organizzazione solo "
                "dove chi scriveva ha acconsentito. Nessun nome né e-mail."
            ),
        ),
    ]


# --- for the results downloads: every contribution of the sessions a results view counts -------------


def csv_for(sessions, source: str, *, delimiter: str = ",") -> str:
    locale = str(get_locale())
    items = gather(sessions, locale)
    title = sessions[0].consultation.title if sessions else ""
    return write_csv_with_notes(
        about_rows(title, source, len(items)), csv_headers(), csv_rows(items, locale), delimiter=delimiter
    )


def sheets_for(sessions) -> list[tuple[str, list[str], list[list]]]:
    locale = str(get_locale())
    return xlsx_sheets(gather(sessions, locale), locale)


def json_for(sessions) -> list[dict]:
    locale = str(get_locale())
    return items_json(gather(sessions, locale), locale)

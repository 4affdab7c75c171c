"""Importing paper ballots from a spreadsheet export: all rows or none, every bad row named."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy import select

from consult import audit
from consult.errors import DomainError
from consult.extensions import db
from consult.models import Channel, ConsultationSession, Participant, SessionState, StakeholderCategory, User
from consult.participation.ballots import submit_ballot, validate_ranking

MAX_LABEL = 60


@dataclass
class PaperRow:
    line: int
    label: str
    codes: list[str]
    category: StakeholderCategory | None = None
    organisation: str | None = None


@dataclass
class ImportReport:
    created: int = 0
    replaced: int = 0
    problems: list[str] = field(default_factory=list)


class PaperImportError(DomainError):
    """A file with bad rows; ``problems`` lists each with its line number."""

    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems), status=422)
        self.problems = problems


def decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise PaperImportError([_("Il file non è in UTF-8: salvalo come «CSV UTF-8» e riprova.")]) from None


def parse(text: str, session: ConsultationSession) -> list[PaperRow]:
    """Read and check every row against the session; raise PaperImportError listing all problems."""
    lines = text.splitlines()
    if not lines or not lines[0].strip():
        raise PaperImportError([_("Riga 1: manca l'intestazione (participant,1,2,3,…).")])
    # Italian spreadsheets write semicolons; whichever separator the header uses more wins.
    delimiter = ";" if lines[0].count(";") > lines[0].count(",") else ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    header = [cell.strip().lower() for cell in next(reader)]
    problems = _check_header(header)
    if problems:
        raise PaperImportError(problems)
    positions = sorted((int(name), index) for index, name in enumerate(header) if name.isdigit())
    column = {name: index for index, name in enumerate(header)}
    categories = _categories()

    rows, labels = [], {}
    for record in reader:
        line = reader.line_num
        if not any(cell.strip() for cell in record):
            continue  # spreadsheets leave empty lines at the end
        cells = record + [""] * (len(header) - len(record))
        row_problems = []
        if len(record) > len(header) and any(cell.strip() for cell in record[len(header) :]):
            row_problems.append(_("ci sono più colonne che nell'intestazione"))
        label = cells[column["participant"]].strip()
        if not label:
            row_problems.append(_("manca l'etichetta del partecipante"))
        elif len(label) > MAX_LABEL:
            row_problems.append(_("l'etichetta supera %(n)s caratteri", n=MAX_LABEL))
        elif label in labels:
            row_problems.append(
                _("l'etichetta «%(label)s» compare già alla riga %(line)s", label=label, line=labels[label])
            )
        labels.setdefault(label, line)
        codes, ended = [], False
        for number, index in positions:
            value = cells[index].strip()
            if not value:
                ended = True
            elif ended:
                row_problems.append(_("la posizione %(n)s è compilata dopo una casella vuota", n=number))
                break
            else:
                codes.append(value)
        if codes:
            try:
                validate_ranking(session, codes)
            except DomainError as error:
                row_problems.append(error.message)
        else:
            row_problems.append(_("nessuna strategia in classifica"))
        category = None
        if "category" in column and (value := cells[column["category"]].strip()):
            category = categories.get(value.lower())
            if category is None:
                row_problems.append(_("categoria sconosciuta «%(value)s»", value=value))
        organisation = cells[column["organisation"]].strip()[:200] if "organisation" in column else ""
        if row_problems:
            problems.append(_("Riga %(line)s: %(problems)s.", line=line, problems="; ".join(row_problems)))
        else:
            rows.append(PaperRow(line, label, codes, category, organisation or None))
    if problems:
        raise PaperImportError(problems)
    if not rows:
        raise PaperImportError([_("Il file non contiene schede.")])
    return rows


def _check_header(header: list[str]) -> list[str]:
    problems = []
    if "participant" not in header:
        problems.append(_("Riga 1: manca la colonna «participant»."))
    numbers = sorted(int(name) for name in header if name.isdigit())
    if not numbers:
        problems.append(_("Riga 1: mancano le colonne numerate 1, 2, 3, …"))
    elif numbers != list(range(1, len(numbers) + 1)):
        problems.append(_("Riga 1: le colonne numerate devono essere 1, 2, 3, … senza salti."))
    allowed = {"participant", "category", "organisation"}
    if unknown := [name for name in header if not name.isdigit() and name not in allowed]:
        problems.append(_("Riga 1: colonne sconosciute: %(names)s.", names=", ".join(unknown)))
    if len(set(header)) != len(header):
        problems.append(_("Riga 1: una colonna è ripetuta."))
    return problems


def _categories() -> dict[str, StakeholderCategory]:
    """Categories by code and by name in either language, lower-cased."""
    found = {}
    for category in db.session.scalars(select(StakeholderCategory)):
        for key in (category.code, category.name_it, category.name_en):
            found[key.lower()] = category
    return found


def import_paper_ballots(
    session: ConsultationSession, data: bytes, entered_by: User | None, source: str
) -> ImportReport:
    """Import a file of paper ballots into the session; flushes, the caller commits (or rolls back)."""
    if session.state not in (SessionState.OPEN, SessionState.CLOSED):
        raise DomainError(
            _(
                "Le schede cartacee si inseriscono in una sessione aperta o chiusa, non «%(state)s».",
                state=session.state.label,
            ),
            status=409,
        )
    rows = parse(decode(data), session)
    existing = {
        p.label: p
        for p in db.session.scalars(
            select(Participant).where(Participant.session_id == session.id, Participant.label.is_not(None))
        )
    }
    report = ImportReport()
    for row in rows:
        participant = existing.get(row.label)
        if participant is None:
            participant = Participant(session=session, label=row.label)
            db.session.add(participant)
            report.created += 1
        else:
            report.replaced += 1
        participant.category = row.category
        participant.organisation = row.organisation
        db.session.flush()
        submit_ballot(participant, row.codes, Channel.PAPER, entered_by=entered_by, audit_each=False)
    audit.record(
        "ballots.imported",
        session,
        actor=entered_by,
        source=source,
        created=report.created,
        replaced=report.replaced,
    )
    return report

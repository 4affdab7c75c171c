"""Paper ballots: one set of rules for the web form, the upload and the CLI import, and one bulk writer.

A file is read and every row checked before anything is written; the write is a handful of bulk
statements, and the session's ballots version is bumped once, last, so the row other writers need is held
only for the moment before the commit.
"""

from __future__ import annotations

import csv
import enum
import io
import re
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime, time

from flask_babel import gettext as _
from sqlalchemy import delete, select, update

from consult import audit
from consult.errors import DomainError
from consult.extensions import db
from consult.models import (
    Ballot,
    BallotRank,
    BallotVersion,
    Channel,
    ConsultationSession,
    Participant,
    SessionState,
    StakeholderCategory,
    Strategy,
    User,
)
from consult.models.people import utcnow
from consult.participation.ballots import validate_ranking

MAX_LABEL = 60
MAX_ORGANISATION = 200
#: Python's csv module refuses longer fields; the limit is named in the message.
MAX_FIELD = csv.field_size_limit()
MAX_ROWS = 100_000
MAX_FILE_BYTES = 16 * 1024 * 1024
#: Numbered columns beyond this cannot be places of any consultation (the plan has 27 strategies).
MAX_PLACES = 999
#: Rows per statement when deleting by id, well under SQLite's and PostgreSQL's parameter limits.
CHUNK = 1000

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_OPTIONAL_COLUMNS = ("category", "organisation")


@dataclass
class PaperRow:
    """A paper form as read from a file or the web form; ``problems`` empty when it can be written."""

    line: int
    label: str
    codes: list[str]
    category: StakeholderCategory | None = None
    organisation: str | None = None
    strategies: list[Strategy] = field(default_factory=list)
    #: (field, message): field is ``label``, ``category``, ``organisation``, ``ranking`` or ``row``.
    problems: list[tuple[str, str]] = field(default_factory=list)

    @property
    def messages(self) -> list[str]:
        return [message for _field, message in self.problems]


@dataclass
class ImportReport:
    created: int = 0
    replaced: int = 0
    problems: list[str] = field(default_factory=list)


@dataclass
class Parsed:
    """Every row of a file, good and bad, and the problems of the file as a whole (header, encoding)."""

    rows: list[PaperRow] = field(default_factory=list)
    file_problems: list[str] = field(default_factory=list)

    @property
    def problems(self) -> list[str]:
        """Every problem, each with its line number, in file order."""
        return self.file_problems + [
            _("Riga %(line)s: %(problems)s.", line=row.line, problems="; ".join(m.rstrip(".") for m in row.messages))
            for row in self.rows
            if row.problems
        ]

    @property
    def bad_rows(self) -> list[PaperRow]:
        return [row for row in self.rows if row.problems]


class PaperImportError(DomainError):
    """A file with bad rows; ``problems`` lists each with its line number."""

    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems), status=422)
        self.problems = problems


# --- the rules ------------------------------------------------------------------------------------


def check_state(session: ConsultationSession) -> None:
    """Paper is typed in while the session is open or closed, never once it is published (or a draft)."""
    if session.state not in (SessionState.OPEN, SessionState.CLOSED):
        raise DomainError(
            _(
                "Le schede cartacee si inseriscono in una sessione aperta o chiusa, non «%(state)s».",
                state=session.state.label,
            ),
            status=409,
        )


def normalise_code(value: str) -> str:
    """A strategy code as typed in an Italian spreadsheet: ``3,1`` (decimal comma) reads as ``3.1``."""
    return value.strip().replace(",", ".")


class Rules:
    """What a paper form may hold in one session. The web form, the upload and the CLI all check with this."""

    def __init__(self, session: ConsultationSession):
        self.session = session
        self.depth = session.consultation.depth
        self.strategies = {strategy.code: strategy for strategy in session.consultation.strategies}
        self.categories = _categories()

    def check(self, line: int, label: str, cells: list[str], category: str = "", organisation: str = "") -> PaperRow:
        """Check one form: ``cells`` are the places in order, blank where the form has none."""
        problems: list[tuple[str, str]] = []
        label, category, organisation = label.strip(), category.strip(), organisation.strip()
        if _CONTROL.search("".join((label, category, organisation, *cells))):
            problems.append(("row", _("contiene un carattere non ammesso (NUL o un carattere di controllo)")))
        if not label:
            problems.append(("label", _("manca l'etichetta del partecipante")))
        elif len(label) > MAX_LABEL:
            problems.append(("label", _("l'etichetta supera %(n)s caratteri", n=MAX_LABEL)))
        if len(organisation) > MAX_ORGANISATION:
            problems.append(("organisation", _("l'organizzazione supera %(n)s caratteri", n=MAX_ORGANISATION)))
        codes, ended = [], False
        for number, cell in enumerate(cells, start=1):
            value = normalise_code(cell)
            if not value:
                ended = True
            elif ended:
                problems.append(("ranking", _("la posizione %(n)s è compilata dopo una casella vuota", n=number)))
                break
            else:
                codes.append(_shorten(value, 12))  # no code is longer; a stray long cell is named, not echoed
        strategies = []
        if (
            codes
            and len(codes) <= self.depth
            and len(set(codes)) == len(codes)
            and all(c in self.strategies for c in codes)
        ):
            # Plainly valid (the usual case, 20,000 times over in a big file): skip building the rule's lookup.
            # Anything else goes to validate_ranking, which has the last word and the messages.
            strategies = [self.strategies[code] for code in codes]
        elif codes:
            try:
                strategies = validate_ranking(self.session, codes)
            except DomainError as error:
                problems.append(("ranking", error.message))
        else:
            problems.append(("ranking", _("nessuna strategia in classifica")))
        found = None
        if category:
            found = self.categories.get(category.lower())
            if found is None:
                problems.append(("category", _("categoria sconosciuta «%(value)s»", value=_shorten(category))))
        return PaperRow(line, label, codes, found, organisation or None, strategies, problems)


def _categories() -> dict[str, StakeholderCategory]:
    """Categories by code and by name in either language, lower-cased."""
    found = {}
    for category in db.session.scalars(select(StakeholderCategory)):
        for key in (category.code, category.name_it, category.name_en):
            found[key.lower()] = category
    return found


def _shorten(value: str, limit: int = 40) -> str:
    return value if len(value) <= limit else value[: limit - 1] + "…"


# --- reading files --------------------------------------------------------------------------------


def decode(data: bytes) -> str:
    """Text of a CSV file: UTF-8 (with or without BOM), else the encoding Excel saved it in.

    Excel's "CSV" is Windows-1252 on Windows and Mac Roman for "CSV (Macintosh)", which also ends lines with
    a lone CR; strategy codes are ASCII either way, and the web preview shows how names were read."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    mac = b"\r" in data and b"\n" not in data
    try:
        return data.decode("mac_roman" if mac else "cp1252")
    except UnicodeDecodeError:
        raise PaperImportError([_("Il file non è in UTF-8: salvalo come «CSV UTF-8» e riprova.")]) from None


def is_xlsx(data: bytes, filename: str | None = None) -> bool:
    return data[:4] == b"PK\x03\x04" or (filename or "").lower().endswith(".xlsx")


def _csv_records(data: bytes):
    """(line, cells) for each record of a CSV file; a structural error ends the file with its line number."""
    text = decode(data)
    first = text.split("\n", 1)[0].split("\r", 1)[0]
    if not first.strip():
        raise PaperImportError([_("Riga 1: manca l'intestazione (participant,1,2,3,…).")])
    # Italian spreadsheets write semicolons; whichever separator the header uses more wins.
    delimiter = ";" if first.count(";") > first.count(",") else ","
    # newline="": CR, LF and CRLF all end a line (Mac Excel writes lone CRs), quoted line breaks stay.
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    while True:
        try:
            record = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            line = reader.line_num
            if "field larger than field limit" in str(error):
                message = _("Riga %(line)s: un campo supera %(n)s caratteri.", line=line, n=f"{MAX_FIELD:,}")
            else:
                message = _("Riga %(line)s: il file non si legge come CSV (virgolette non chiuse?).", line=line)
            yield line, None, message
            return
        yield reader.line_num, record, None


def _xlsx_cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    return str(value)


def _xlsx_records(data: bytes):
    """(line, cells) for each row of the first sheet of a workbook."""
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        try:
            sheet = workbook.worksheets[0]
            for line, values in enumerate(sheet.iter_rows(values_only=True), start=1):
                # A code such as 3.1 that Excel turned into a date: say so rather than guess it back.
                dated = any(isinstance(value, datetime | date | time) for value in values)
                note = _("una casella contiene una data: formatta le colonne come testo") if dated else None
                yield line, [_xlsx_cell(value) for value in values], note
        finally:
            workbook.close()
    except (zipfile.BadZipFile, InvalidFileException, KeyError, ValueError, TypeError, OSError, IndexError):
        raise PaperImportError(
            [_("Il file XLSX non si riesce a leggere: aprilo e salvalo di nuovo come .xlsx.")]
        ) from None


def _check_header(header: list[str]) -> list[str]:
    problems = []
    if "participant" not in header:
        problems.append(_("Riga 1: manca la colonna «participant»."))
    too_big = [name for name in header if name.isdigit() and (not name.isascii() or len(name) > 3)]
    if too_big:
        problems.append(
            _("Riga 1: colonne numerate non valide: %(names)s.", names=", ".join(_shorten(n, 12) for n in too_big))
        )
    numbers = sorted(int(name) for name in header if _is_place(name))
    if not numbers:
        problems.append(_("Riga 1: mancano le colonne numerate 1, 2, 3, …"))
    elif numbers != list(range(1, len(numbers) + 1)):
        problems.append(_("Riga 1: le colonne numerate devono essere 1, 2, 3, … senza salti."))
    allowed = {"participant", *_OPTIONAL_COLUMNS}
    if unknown := [name for name in header if not name.isdigit() and name not in allowed]:
        problems.append(
            _("Riga 1: colonne sconosciute: %(names)s.", names=", ".join(_shorten(name) or "«»" for name in unknown))
        )
    if len(set(header)) != len(header):
        problems.append(_("Riga 1: una colonna è ripetuta."))
    return problems


def _is_place(name: str) -> bool:
    return name.isascii() and name.isdigit() and len(name) <= 3 and 0 < int(name) <= MAX_PLACES


def parse(data: bytes, rules: Rules, filename: str | None = None) -> Parsed:
    """Read a CSV or XLSX file and check every row; nothing is written. Raises only for an unreadable file."""
    if len(data) > MAX_FILE_BYTES:
        raise PaperImportError([_("Il file supera %(n)s MB.", n=MAX_FILE_BYTES // (1024 * 1024))])
    records = _xlsx_records(data) if is_xlsx(data, filename) else _csv_records(data)
    parsed = Parsed()
    _line, header, broken = next(records, (1, None, None))
    if broken:  # the very first record could not be read
        raise PaperImportError([broken])
    header = [cell.strip().lower() for cell in header or []]
    if not any(header):
        raise PaperImportError([_("Riga 1: manca l'intestazione (participant,1,2,3,…).")])
    if problems := _check_header(header):
        raise PaperImportError(problems)
    positions = [index for _number, index in sorted((int(n), i) for i, n in enumerate(header) if _is_place(n))]
    column = {name: index for index, name in enumerate(header)}
    width = len(header)
    labels: dict[str, int] = {}
    for line, record, note in records:
        if record is None:  # a structural error: reported, and the rest cannot be read
            parsed.file_problems.append(note)
            break
        if not "".join(record).strip():
            continue  # spreadsheets leave empty lines at the end
        if len(parsed.rows) >= MAX_ROWS:
            parsed.file_problems.append(_("Il file ha più di %(n)s schede: dividilo in più file.", n=f"{MAX_ROWS:,}"))
            break
        cells = record + [""] * (width - len(record))
        row = rules.check(
            line,
            cells[column["participant"]],
            [cells[index] for index in positions],
            cells[column["category"]] if "category" in column else "",
            cells[column["organisation"]] if "organisation" in column else "",
        )
        if note:
            row.problems.append(("ranking", note))
        if len(record) > width and any(cell.strip() for cell in record[width:]):
            row.problems.insert(0, ("row", _("ci sono più colonne che nell'intestazione")))
        if row.label and row.label in labels:
            row.problems.append(
                (
                    "label",
                    _(
                        "l'etichetta «%(label)s» compare già alla riga %(line)s",
                        label=row.label,
                        line=labels[row.label],
                    ),
                )
            )
        labels.setdefault(row.label, line)
        parsed.rows.append(row)
    if not parsed.rows and not parsed.file_problems:
        parsed.file_problems.append(_("Il file non contiene schede."))
    return parsed


# --- writing --------------------------------------------------------------------------------------


def write_rows(session: ConsultationSession, rows: list[PaperRow], entered_by: User | None) -> ImportReport:
    """Write checked rows as the session's paper ballots, replacing ballots with the same label.

    Bulk statements, the previous version of each replaced ballot kept; the session's ballots version is
    bumped once, at the end. Flushes nothing through the ORM; the caller commits."""
    check_state(session)
    now = utcnow()
    entered_by_id = entered_by.id if entered_by else None
    participant = Participant.__table__
    ballot = Ballot.__table__

    def labelled() -> dict[str, int]:
        return dict(
            db.session.execute(
                select(participant.c.label, participant.c.id).where(
                    participant.c.session_id == session.id, participant.c.label.is_not(None)
                )
            ).all()
        )

    existing = labelled()
    new = [row for row in rows if row.label not in existing]
    old = [row for row in rows if row.label in existing]
    report = ImportReport(created=len(new), replaced=len(old))
    if new:
        _insert_many(
            participant,
            [
                {
                    "session_id": session.id,
                    "label": row.label,
                    "category_id": row.category.id if row.category else None,
                    "organisation": row.organisation,
                    "joined_at": now,
                }
                for row in new
            ],
        )
    if old:
        _update_many(
            participant,
            [
                {
                    "id": existing[row.label],
                    "category_id": row.category.id if row.category else None,
                    "organisation": row.organisation,
                }
                for row in old
            ],
        )
        existing = labelled()
    else:
        existing = labelled() if new else existing
    ids = {row.label: existing[row.label] for row in rows}

    # Ballots already there (replaced forms): locked, so two corrections of one form queue up.
    current: dict[int, tuple[int, int]] = {}
    wanted = [ids[row.label] for row in old]
    for start in range(0, len(wanted), CHUNK):
        query = (
            select(ballot.c.participant_id, ballot.c.id, ballot.c.version)
            .where(ballot.c.participant_id.in_(wanted[start : start + CHUNK]))
            .with_for_update()
        )
        current.update({pid: (bid, version) for pid, bid, version in db.session.execute(query)})
    fresh = [row for row in rows if ids[row.label] not in current]
    if fresh:
        _insert_many(
            ballot,
            [
                {
                    "participant_id": ids[row.label],
                    "session_id": session.id,
                    "channel": Channel.PAPER,
                    "version": 1,
                    "updated_at": now,
                    "entered_by_id": entered_by_id,
                }
                for row in fresh
            ],
        )
        fresh_ids = [ids[row.label] for row in fresh]
        for start in range(0, len(fresh_ids), CHUNK):
            query = select(ballot.c.participant_id, ballot.c.id).where(
                ballot.c.participant_id.in_(fresh_ids[start : start + CHUNK])
            )
            current.update({pid: (bid, 0) for pid, bid in db.session.execute(query)})
    if replaced := [current[ids[row.label]] for row in rows if current[ids[row.label]][1] > 0]:
        replaced_ids = [bid for bid, _version in replaced]
        for start in range(0, len(replaced_ids), CHUNK):
            db.session.execute(delete(BallotRank).where(BallotRank.ballot_id.in_(replaced_ids[start : start + CHUNK])))
        _update_many(
            ballot,
            [
                {
                    "id": bid,
                    "version": version + 1,
                    "channel": Channel.PAPER,
                    "updated_at": now,
                    "entered_by_id": entered_by_id,
                }
                for bid, version in replaced
            ],
        )
    ranks, versions = [], []
    for row in rows:
        bid, version = current[ids[row.label]]
        ranks.extend(
            {"ballot_id": bid, "position": n, "strategy_id": strategy.id}
            for n, strategy in enumerate(row.strategies, start=1)
        )
        versions.append(
            {
                "ballot_id": bid,
                "version": version + 1,
                "ranking": [strategy.code for strategy in row.strategies],
                "channel": Channel.PAPER,
                "created_at": now,
                "entered_by_id": entered_by_id,
            }
        )
    _insert_many(BallotRank.__table__, ranks)
    _insert_many(BallotVersion.__table__, versions)
    # Last, so the session row other ballots also bump is held only until the commit that follows. The
    # state is checked again under that row's lock: a session published while the file was being written
    # takes none of it (the caller rolls back).
    bumped = db.session.execute(
        update(ConsultationSession.__table__)
        .where(
            ConsultationSession.id == session.id,
            ConsultationSession.state.in_([SessionState.OPEN.value, SessionState.CLOSED.value]),
        )
        .values(ballots_version=ConsultationSession.ballots_version + 1)
    )
    db.session.expire(session, ["ballots_version", "state"])
    if bumped.rowcount != 1:
        check_state(session)  # raises, naming the state the session is in now
    return report


def _driver_rows(table, rows: list[dict]) -> tuple[list[str], list[tuple]]:
    """Column names and value tuples converted by each column's type (dates, JSON, enums), as the driver wants them."""
    dialect = db.session.connection().dialect
    names = list(rows[0])
    columns = []
    for name in names:
        values = [row[name] for row in rows]
        process = table.c[name].type.dialect_impl(dialect).bind_processor(dialect)
        if process is not None:
            cache: dict = {}  # the same moment or enum on every row is converted once

            def convert(value, process=process, cache=cache):
                if value is None:
                    return None
                if isinstance(value, datetime | enum.Enum):
                    if value not in cache:
                        cache[value] = process(value)
                    return cache[value]
                return process(value)

            values = [convert(value) for value in values]
        columns.append(values)
    return names, list(zip(*columns, strict=True))


def _insert_many(table, rows: list[dict]) -> None:
    """One INSERT executed for many rows by the driver itself.

    SQLAlchemy's per-row parameter handling costs more than the write; the statement is built from the
    table's own names and only values travel as parameters."""
    if not rows:
        return
    connection = db.session.connection()
    names, values = _driver_rows(table, rows)
    quote = connection.dialect.identifier_preparer.quote
    mark = "?" if connection.dialect.paramstyle == "qmark" else "%s"
    # Only the table's own quoted names and placeholders go into the text; every value is a parameter.
    into = f"INSERT INTO {quote(table.name)} ({', '.join(quote(name) for name in names)}) VALUES "  # noqa: S608
    one = f"({', '.join([mark] * len(names))})"
    if connection.dialect.name != "postgresql":
        # SQLite runs a prepared statement over the rows in C, with no round trips to save.
        connection.exec_driver_sql(into + one, values)
        return
    # PostgreSQL: COPY, made for loading many rows; a round trip per row (executemany) is what costs,
    # and a statement of thousands of placeholders costs psycopg more to parse than the server to run.
    columns = ", ".join(quote(name) for name in names)
    cursor = connection.connection.driver_connection.cursor()
    with cursor.copy(f"COPY {quote(table.name)} ({columns}) FROM STDIN") as copy:
        for row in values:
            copy.write_row(row)


def _update_many(table, rows: list[dict]) -> None:
    """One UPDATE … WHERE id = ? executed for many rows by the driver; each row's ``id`` comes first in the dict."""
    if not rows:
        return
    connection = db.session.connection()
    names, values = _driver_rows(table, rows)
    quote = connection.dialect.identifier_preparer.quote
    mark = "?" if connection.dialect.paramstyle == "qmark" else "%s"
    assignments = ", ".join(f"{quote(name)} = {mark}" for name in names[1:])
    connection.exec_driver_sql(
        f"UPDATE {quote(table.name)} SET {assignments} WHERE id = {mark}",  # noqa: S608 - names and placeholders only
        [row[1:] + row[:1] for row in values],
    )


def import_paper_ballots(
    session: ConsultationSession,
    data: bytes,
    entered_by: User | None,
    source: str,
    filename: str | None = None,
) -> ImportReport:
    """Import a file of paper ballots into the session, all rows or none; the caller commits (or rolls back)."""
    check_state(session)
    parsed = parse(data, Rules(session), filename)
    if parsed.file_problems or parsed.bad_rows:
        raise PaperImportError(parsed.problems)
    report = write_rows(session, parsed.rows, entered_by)
    audit.record(
        "ballots.imported",
        session,
        actor=entered_by,
        source=source,
        created=report.created,
        replaced=report.replaced,
    )
    return report

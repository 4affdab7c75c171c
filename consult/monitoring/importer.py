"""Import a monitoring dataset (CSV or XLSX, the converter's format) as one source, all or nothing.

Every row is validated before anything is written; the problems name their line. Re-importing a
source (same name) replaces its content; links that planners accepted for an activity whose key and
text are unchanged are carried over, so a corrected file does not undo their work.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from sqlalchemy import select

from consult.extensions import db
from consult.models import (
    ActivityLink,
    IndicatorValue,
    MonitoredActivity,
    MonitoringProgramme,
    MonitoringSource,
    ProgrammeLine,
    ProposalActivity,
    ReportIndicator,
    Zone,
)
from consult.models.monitoring import ACTIVITY_STATUSES
from consult.monitoring.convert import COLUMNS, YEARS
from consult.monitoring.values import parse_value

RECORDS = ("programme", "line", "activity", "indicator")
REQUIRED = ("record", "mission", "programme")


class DatasetError(Exception):
    """A dataset that cannot be imported; ``problems`` names every bad line."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("\n".join(problems))


def read_dataset(path: Path | str, data: bytes | None = None) -> list[tuple[int, dict[str, str]]]:
    """Rows of a CSV or XLSX dataset with their line numbers (the header is line 1)."""
    path = Path(path)
    raw = data if data is not None else path.read_bytes()
    if path.suffix.lower() == ".xlsx":
        return _read_xlsx(raw)
    if path.suffix.lower() != ".csv":
        raise DatasetError([f"{path.name}: expected a .csv or .xlsx file"])
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise DatasetError([f"{path.name}: not UTF-8 text"]) from None
    reader = csv.reader(io.StringIO(text, newline=""))
    return _rows(list(reader), reader_lines=True)


def _read_xlsx(raw: bytes) -> list[tuple[int, dict[str, str]]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for a file that is not a workbook
        raise DatasetError([f"not a readable XLSX workbook: {error.__class__.__name__}"]) from None
    sheet = workbook.worksheets[0]
    table = [["" if cell is None else str(cell) for cell in row] for row in sheet.iter_rows(values_only=True)]
    workbook.close()
    return _rows(table, reader_lines=False)


def _rows(table: list[list[str]], *, reader_lines: bool) -> list[tuple[int, dict[str, str]]]:
    if not table:
        raise DatasetError(["line 1: the file is empty; expected a header row"])
    header = [cell.strip() for cell in table[0]]
    missing = [column for column in REQUIRED if column not in header]
    if missing:
        raise DatasetError([f"line 1: missing column(s): {', '.join(missing)}"])
    unknown = [column for column in header if column and column not in COLUMNS]
    if unknown:
        raise DatasetError([f"line 1: unknown column(s): {', '.join(unknown)}"])
    rows = []
    # CSV cells may span lines; the row number (header = 1) is what a spreadsheet shows and what we name.
    for number, cells in enumerate(table[1:], start=2):
        if not any(cell.strip() for cell in cells):
            continue
        rows.append((number, {column: (cells[i] if i < len(cells) else "").strip() for i, column in enumerate(header)}))
    return rows


def _int(value: str) -> int | None:
    try:
        return int(value)
    except ValueError:
        return None


def validate(rows: list[tuple[int, dict[str, str]]]) -> list[str]:
    """Every problem of the rows, each naming its line."""
    problems = []
    programmes: set[tuple[int, int]] = set()
    activities: set[str] = set()
    for number, row in rows:
        record = row.get("record", "")
        where = f"line {number}"
        if record not in RECORDS:
            problems.append(f"{where}: record must be one of {', '.join(RECORDS)}, not {record!r}")
            continue
        mission, programme = _int(row.get("mission", "")), _int(row.get("programme", ""))
        if mission is None or programme is None:
            problems.append(f"{where}: mission and programme must be whole numbers")
            continue
        key = (mission, programme)
        if record == "programme":
            if key in programmes:
                problems.append(f"{where}: programme {mission}.{programme} given twice")
            if not row.get("programme_title"):
                problems.append(f"{where}: programme_title is empty")
            if not row.get("mission_title"):
                problems.append(f"{where}: mission_title is empty")
            programmes.add(key)
            continue
        if key not in programmes:
            problems.append(f"{where}: programme {mission}.{programme} has no 'programme' row above")
            continue
        if record == "line":
            if not row.get("number") or not row.get("text"):
                problems.append(f"{where}: a council line needs a number and a text")
        elif record == "activity":
            activity = row.get("activity", "")
            if not activity:
                problems.append(f"{where}: activity key is empty")
            elif activity in activities:
                problems.append(f"{where}: activity key {activity!r} given twice")
            activities.add(activity)
            if not row.get("text") and not row.get("actions"):
                problems.append(f"{where}: the activity has neither text nor actions")
            if row.get("status") and row["status"] not in ACTIVITY_STATUSES:
                problems.append(
                    f"{where}: status must be one of {', '.join(ACTIVITY_STATUSES)} or empty, not {row['status']!r}"
                )
        elif record == "indicator":
            activity = row.get("activity", "")
            if activity and activity not in activities:
                problems.append(f"{where}: indicator refers to activity {activity!r}, not given above")
            if not row.get("indicator") and not any(row.get(str(year)) for year in YEARS):
                problems.append(f"{where}: indicator without a name or any value")
    return problems


def import_dataset(
    rows: list[tuple[int, dict[str, str]]],
    source_name: str,
    *,
    zone_code: int | None = None,
    file_name: str = "",
    checksum: str = "",
) -> tuple[MonitoringSource, dict[str, int]]:
    """Validate and write one source; replaces a source of the same name. Flushes; the caller commits."""
    source_name = source_name.strip()
    problems = [] if source_name else ["the source needs a name"]
    zone = None
    if zone_code is not None:
        zone = db.session.scalar(select(Zone).where(Zone.code == zone_code))
        if zone is None:
            problems.append(f"unknown zone {zone_code}")
    problems += validate(rows)
    if not rows:
        problems.append("the file has no rows")
    if problems:
        raise DatasetError(problems)

    kept_links: dict[tuple[str, str], list[ActivityLink]] = {}
    kept_proposals: dict[tuple[str, str], list[int]] = {}
    kept_targets: dict[tuple[int, int, str, str], list] = {}
    old = db.session.scalar(select(MonitoringSource).where(MonitoringSource.name == source_name))
    if old is not None:
        for programme in old.programmes:
            for activity in programme.activities:
                # Proposals that build on an activity keep it when the new file has the same activity.
                for link in db.session.scalars(
                    select(ProposalActivity).where(ProposalActivity.activity_id == activity.id)
                ):
                    kept_proposals.setdefault((activity.key, activity.text), []).append(link.proposal_id)
                    db.session.delete(link)
                kept_links[(activity.key, activity.text)] = [
                    ActivityLink(
                        strategy_id=link.strategy_id,
                        action_id=link.action_id,
                        accepted=link.accepted,
                        score=link.score,
                        decided_by_id=link.decided_by_id,
                        decided_at=link.decided_at,
                    )
                    for link in activity.links
                ]
            # Measurable targets fed by an indicator keep it when the new file has the same indicator.
            for indicator in programme.indicators:
                if indicator.targets:
                    key = (programme.mission, programme.number, indicator.activity.key if indicator.activity else "",
                           indicator.name)  # fmt: skip
                    kept_targets.setdefault(key, []).extend(indicator.targets)
        db.session.delete(old)
        db.session.flush()

    source = MonitoringSource(name=source_name, zone=zone, file_name=file_name, checksum=checksum)
    db.session.add(source)
    programmes: dict[tuple[int, int], MonitoringProgramme] = {}
    activities: dict[str, MonitoredActivity] = {}
    counts = {"programmes": 0, "activities": 0, "indicators": 0, "lines": 0}
    carried: list[tuple[int, MonitoredActivity]] = []
    for number, row in rows:
        key = (int(row["mission"]), int(row["programme"]))
        record = row["record"]
        if record == "programme":
            programme = MonitoringProgramme(
                mission=key[0],
                mission_title=row["mission_title"],
                number=key[1],
                title=row["programme_title"],
                units=row.get("units", ""),
                stakeholders=row.get("stakeholders", ""),
            )
            source.programmes.append(programme)
            programmes[key] = programme
            counts["programmes"] += 1
        elif record == "line":
            programmes[key].lines.append(
                ProgrammeLine(
                    number=row["number"],
                    text=row["text"],
                    agenda2030=row.get("agenda2030", ""),
                    pnrr=row.get("pnrr", ""),
                )
            )
            counts["lines"] += 1
        elif record == "activity":
            activity = MonitoredActivity(
                key=row["activity"],
                line_refs=row.get("lines", ""),
                policy=row.get("policy", ""),
                text=row.get("text") or row.get("actions", ""),
                status=row.get("status") or None,
                actions=row.get("actions", ""),
                source_line=_int(row.get("source_line", "")) or number,
            )
            activity.links = kept_links.get((activity.key, activity.text), [])
            programmes[key].activities.append(activity)
            for proposal_id in kept_proposals.pop((activity.key, activity.text), []):
                carried.append((proposal_id, activity))
            activities[activity.key] = activity
            counts["activities"] += 1
        else:
            indicator = ReportIndicator(
                name=row.get("indicator", ""),
                group=row.get("group", ""),
                policy=row.get("policy", ""),
                activity=activities.get(row.get("activity", "")),
            )
            for year in YEARS:
                text = row.get(str(year), "")
                if text:
                    value = parse_value(text)
                    indicator.values.append(
                        IndicatorValue(
                            year=year,
                            text=text,
                            number=value.number,
                            unit=value.unit,
                            denominator=value.denominator,
                        )
                    )
            programmes[key].indicators.append(indicator)
            indicator.targets = kept_targets.pop((key[0], key[1], row.get("activity", ""), indicator.name), [])
            counts["indicators"] += 1
    db.session.flush()
    for proposal_id, activity in carried:
        db.session.add(ProposalActivity(proposal_id=proposal_id, activity_id=activity.id))
    db.session.flush()
    #: Proposals whose activity is no longer in the report lose the link; the caller may report them.
    counts["proposals_unlinked"] = sum(len(ids) for ids in kept_proposals.values())
    return source, counts


#: The report shipped with consult and loaded by ``flask seed``.
SHIPPED_FILE = "monitoring_torino_rendiconto_2023.csv"
SHIPPED_SOURCE = "Città di Torino — Rendiconto 2023"
SHIPPED_ZONE = 1


def checksum_of(data: bytes) -> str:
    import hashlib

    return hashlib.sha256(data).hexdigest()


def sync_shipped(path: Path) -> str:
    """Load the shipped report unless the same file is already loaded; returns what happened."""
    data = path.read_bytes()
    digest = checksum_of(data)
    existing = db.session.scalar(select(MonitoringSource).where(MonitoringSource.name == SHIPPED_SOURCE))
    if existing is not None and existing.checksum == digest:
        return "up to date"
    rows = read_dataset(path, data)
    _source, counts = import_dataset(rows, SHIPPED_SOURCE, zone_code=SHIPPED_ZONE, file_name=path.name, checksum=digest)
    return f"{counts['programmes']} programmes, {counts['activities']} activities, {counts['indicators']} indicators"

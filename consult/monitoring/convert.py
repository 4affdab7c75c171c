"""Convert the text extraction of a strategic-control report (Città di Torino, Rendiconto) into the dataset.

The text is a PDF extraction: tab-separated table rows, headings on their own lines, with the usual
irregularities. Each irregularity handled here is named in a note with its line number, so the
converter's report lists every row that had to be interpreted or could not be placed.

Run it with ``flask --app consult monitoring convert SOURCE.txt -o consult/data/monitoring_torino_2023.csv``.
Pure code (no Flask, no database).
"""

from __future__ import annotations

import csv
import html
import io
import re
from collections import Counter
from dataclasses import dataclass, field

from consult.monitoring.values import parse_value

YEARS = (2022, 2023, 2024, 2025, 2026)
STATUSES = ("Avviato", "In corso", "Concluso", "Annullato")
#: Order used when one activity carries several statuses (parts at different stages): the least advanced wins.
STATUS_ORDER = {"Avviato": 0, "In corso": 1, "Concluso": 2, "Annullato": 3}

#: Columns of the dataset file (CSV or XLSX); README.md documents them.
COLUMNS = [
    "record",
    "mission",
    "mission_title",
    "programme",
    "programme_title",
    "units",
    "stakeholders",
    "number",
    "activity",
    "lines",
    "policy",
    "text",
    "status",
    "actions",
    "indicator",
    "group",
    *[str(year) for year in YEARS],
    "agenda2030",
    "pnrr",
    "source_line",
]

_MISSION = re.compile(r"^MISSIONE (\d+):\s*(.+?)\s*$")
_PROGRAMME = re.compile(r"^PROGRAMMA (\d+):\s*(.+?)\s*$")
_UNITS = "UNITÀ ORGANIZZATIVE COINVOLTE:"
_STAKEHOLDERS = "STAKEHOLDERS:"
_LINES_HEADING = "LINEE PROGRAMMATICHE APPROVATE DAL CONSIGLIO COMUNALE"
_ACTIVITY_HEADER = "Rif linee CC"
_YEAR_START = re.compile(r"^(?:<p>\s*)?20\d\d\b")
_LINE_REF = re.compile(r"^(?:-|\d+(?:\s*[,\-–]\s*\d+)*)$")


def clean_cell(text: str) -> str:
    """Cell text without HTML: paragraphs and list items become lines, entities are decoded."""
    text = re.sub(r"</p>\s*<p>|<br\s*/?>|</li>|</p>", "\n", text, flags=re.IGNORECASE)
    text = re.sub(r"<[^>]+>", "", text)
    text = html.unescape(text)
    lines = [re.sub(r"[ \t]+", " ", line).strip() for line in text.split("\n")]
    return "\n".join(line for line in lines if line)


def _paragraphs(text: str) -> list[str]:
    """The ``<p>`` items of a raw cell, cleaned; one item when the cell has no paragraphs."""
    items = re.findall(r"<p>(.*?)</p>", text, flags=re.IGNORECASE | re.DOTALL)
    if len(items) < 2:
        return [clean_cell(text)]
    return [clean_cell(item) for item in items if clean_cell(item)]


def _status(text: str) -> tuple[str | None, str]:
    """Normalised status and its qualifier: ``Concluso (React)`` → ("Concluso", "React")."""
    text = text.strip()
    for status in STATUSES:
        if text.lower().startswith(status.lower()):
            qualifier = text[len(status) :].strip(" ()")
            return status, qualifier
    return None, text


@dataclass
class Indicator:
    name: str
    values: list[str]
    line: int
    group: str = ""
    policy: str = ""


@dataclass
class Activity:
    key: str
    lines: str
    policy: str
    text: str
    status: str | None
    actions: list[str]
    line: int
    indicators: list[Indicator] = field(default_factory=list)


@dataclass
class Programme:
    mission: int
    mission_title: str
    number: int
    title: str
    line: int
    units: str = ""
    stakeholders: str = ""
    council_lines: list[tuple[str, str, str, str, int]] = field(default_factory=list)
    activities: list[Activity] = field(default_factory=list)
    #: Indicator tables without activities (common indicators, per-policy tables).
    indicators: list[Indicator] = field(default_factory=list)


@dataclass
class Note:
    line: int
    kind: str
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: [{self.kind}] {self.message}"


@dataclass
class Conversion:
    programmes: list[Programme] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)

    @property
    def activities(self) -> list[Activity]:
        return [activity for programme in self.programmes for activity in programme.activities]

    @property
    def indicators(self) -> list[Indicator]:
        found = []
        for programme in self.programmes:
            found.extend(programme.indicators)
            for activity in programme.activities:
                found.extend(activity.indicators)
        return found

    def rows(self) -> list[dict[str, str]]:
        """The dataset, one dict per row of the file, keyed by ``COLUMNS``."""
        rows = []
        for programme in self.programmes:
            base = {
                "mission": str(programme.mission),
                "mission_title": programme.mission_title,
                "programme": str(programme.number),
                "programme_title": programme.title,
            }
            rows.append(
                base
                | {
                    "record": "programme",
                    "units": programme.units,
                    "stakeholders": programme.stakeholders,
                    "source_line": str(programme.line),
                }
            )
            for number, text, agenda, pnrr, line in programme.council_lines:
                rows.append(
                    base
                    | {
                        "record": "line",
                        "number": number,
                        "text": text,
                        "agenda2030": agenda,
                        "pnrr": pnrr,
                        "source_line": str(line),
                    }
                )
            for activity in programme.activities:
                rows.append(
                    base
                    | {
                        "record": "activity",
                        "activity": activity.key,
                        "lines": activity.lines,
                        "policy": activity.policy,
                        "text": activity.text,
                        "status": activity.status or "",
                        "actions": "\n".join(activity.actions),
                        "source_line": str(activity.line),
                    }
                )
                for indicator in activity.indicators:
                    rows.append(base | _indicator_row(indicator, activity.key))
            for indicator in programme.indicators:
                rows.append(base | _indicator_row(indicator, ""))
        return [{column: row.get(column, "") for column in COLUMNS} for row in rows]

    def write_csv(self, stream: io.TextIOBase) -> None:
        writer = csv.DictWriter(stream, fieldnames=COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(self.rows())

    def report(self) -> str:
        """Counts per mission and programme, activities by status, indicators, every note."""
        out = []
        out.append(f"programmes: {len(self.programmes)}  missions: {len({p.mission for p in self.programmes})}")
        out.append(f"council lines: {sum(len(p.council_lines) for p in self.programmes)}")
        out.append(f"activities: {len(self.activities)}  indicators: {len(self.indicators)}")
        by_status = Counter(activity.status or "(not stated)" for activity in self.activities)
        out.append("activities by status: " + ", ".join(f"{k}: {v}" for k, v in sorted(by_status.items())))
        values = [parse_value(v) for indicator in self.indicators for v in indicator.values if v.strip()]
        out.append(
            f"indicator values: {len(values)} given, {sum(1 for v in values if v.number is not None)} parsed as "
            f"quantities, {sum(1 for v in values if v.is_missing)} 'no value' (N.D., -)"
        )
        out.append("")
        out.append("mission programme  lines activities indicators  title")
        for programme in self.programmes:
            count = len(programme.indicators) + sum(len(a.indicators) for a in programme.activities)
            out.append(
                f"{programme.mission:>7} {programme.number:>9} {len(programme.council_lines):>6} "
                f"{len(programme.activities):>10} {count:>10}  {programme.title}"
            )
        value_notes, text_only = [], []
        for indicator in self.indicators:
            for year, text in zip(YEARS, indicator.values, strict=False):
                value = parse_value(text)
                if value.note:
                    value_notes.append(Note(indicator.line, "interpreted", f"{year}: {value.note}"))
                elif value.text and value.number is None and not value.is_missing:
                    text_only.append(Note(indicator.line, "text", f"{year}: {value.text!r}"))
        notes = sorted(self.notes + value_notes, key=lambda note: note.line)
        out.append("")
        out.append(f"interpreted or unplaced rows: {len(notes)}")
        out.extend(str(note) for note in notes)
        out.append("")
        out.append(f"values kept as text only (not a single quantity; no number invented): {len(text_only)}")
        out.extend(str(note) for note in sorted(text_only, key=lambda note: note.line))
        return "\n".join(out)


def _indicator_row(indicator: Indicator, activity_key: str) -> dict[str, str]:
    row = {
        "record": "indicator",
        "activity": activity_key,
        "indicator": indicator.name,
        "group": indicator.group,
        "policy": indicator.policy,
        "source_line": str(indicator.line),
    }
    for year, value in zip(YEARS, indicator.values, strict=False):
        row[str(year)] = value
    return row


def _strictly_value(cell: str) -> bool:
    """A cell that reads wholly as a value (a quantity, N.D. or a dash), never as a label."""
    value = parse_value(clean_cell(cell))
    return bool(value.text) and (value.number is not None or value.is_missing)


class _Converter:
    def __init__(self) -> None:
        self.result = Conversion()
        self.mission: tuple[int, str] | None = None
        self.programme: Programme | None = None
        self.table: str | None = None  # "lines", "activities", "indicators"
        self.table_width = 0
        self.activity: Activity | None = None
        #: Indicators named together in one cell, waiting for the value rows that follow.
        self.pending: list[str] = []
        self.pending_activity: Activity | None = None
        self.pending_line = 0
        self.last_heading: str | None = None  # "units" or "stakeholders", for wrapped heading lines
        self.parent_indicator = ""
        self.count = 0

    def note(self, line: int, kind: str, message: str) -> None:
        self.result.notes.append(Note(line, kind, message))

    # --- headings -------------------------------------------------------------------------

    def heading(self, number: int, text: str) -> bool:
        match = _MISSION.match(text)
        if match and "....." not in text:
            self.mission = (int(match[1]), match[2].rstrip("."))
            self.table = None
            self.last_heading = None
            return True
        match = _PROGRAMME.match(text)
        if match and "....." not in text:
            if self.mission is None:
                self.note(number, "unplaced", f"programme before any mission: {text}")
                return True
            mission, title = self.mission
            existing = next(
                (p for p in self.result.programmes if p.mission == mission and p.number == int(match[1])),
                None,
            )
            if existing is None:
                self.programme = Programme(mission, title, int(match[1]), match[2].rstrip("."), number)
                self.result.programmes.append(self.programme)
            else:
                self.programme = existing
            self.table = None
            self.activity = None
            self.last_heading = None
            return True
        if text.startswith(_UNITS) and self.programme:
            self.programme.units = text[len(_UNITS) :].strip()
            self.last_heading = "units"
            return True
        if text.startswith(_STAKEHOLDERS) and self.programme:
            self.programme.stakeholders = text[len(_STAKEHOLDERS) :].strip()
            self.last_heading = "stakeholders"
            return True
        if text == _LINES_HEADING:
            self.last_heading = None
            return True
        return False

    # --- rows -----------------------------------------------------------------------------

    def line(self, number: int, raw: str) -> None:
        text = raw.rstrip("\n")
        if not text.strip():
            return
        if "\t" not in text:
            stripped = text.strip()
            if "**" in stripped:
                parts = [part.strip() for part in stripped.split("**") if part.strip()]
                if len(parts) > 1:
                    self.note(number, "interpreted", f"{len(parts)} headings merged on one line, read separately")
                for part in parts:
                    self.heading(number, part)
                return
            if self.heading(number, stripped):
                return
            if self.last_heading and self.programme and self.table is None:
                attribute = self.last_heading
                setattr(self.programme, attribute, f"{getattr(self.programme, attribute)} {stripped}".strip())
                self.note(number, "interpreted", f"heading wrapped onto the next line, joined to {attribute}")
                return
            if self.programme is not None:
                self.note(number, "unplaced", f"text outside any table: {stripped[:80]}")
            return
        if self.programme is None:
            return  # the table of contents
        self.last_heading = None
        cells = text.split("\t")
        while cells and not cells[-1].strip():
            cells.pop()
        if not cells:
            return
        head = cells[0].strip()
        if head == "Numero" and len(cells) >= 2 and cells[1].strip() == "Testo":
            self.table = "lines"
            return
        if head == _ACTIVITY_HEADER:
            if self.table == "activities" and self.activity is not None:
                self.continued_header = True
            self.table = "activities"
            self.table_width = 11
            self.flush_pending(number)
            return
        if head.startswith("Indicatori comuni") or (
            head.startswith("Politica di riferimento") and len(cells) > 1 and "Indicatori" in cells[1]
        ):
            self.flush_pending(number)
            self.table = "indicators"
            self.indicator_group = clean_cell(head) if head.startswith("Indicatori comuni") else ""
            self.indicator_policy_column = head.startswith("Politica")
            self.indicator_policy = ""
            self.parent_indicator = ""
            header_years = [cell.strip() for cell in cells if re.fullmatch(r"20\d\d", cell.strip())]
            if len(set(header_years)) != len(header_years):
                self.note(
                    number,
                    "interpreted",
                    f"indicator table header repeats a year ({' '.join(header_years)}); columns read as 2022–2026",
                )
            return
        if all(set(cell.strip()) <= {"-"} for cell in cells):
            self.note(number, "interpreted", "a row of dashes (a drawn rule), skipped")
            return
        if self.table == "lines":
            self.council_line(number, cells)
        elif self.table == "activities":
            self.activity_row(number, cells)
        elif self.table == "indicators":
            self.indicator_row(number, cells)
        else:
            self.note(number, "unplaced", f"table row outside any known table: {clean_cell(text)[:80]}")

    def council_line(self, number: int, cells: list[str]) -> None:
        cells = cells + [""] * (4 - len(cells))
        ref = cells[0].strip()
        if not re.fullmatch(r"\d+", ref):
            self.note(number, "unplaced", f"council-line row without a number: {clean_cell(' '.join(cells))[:80]}")
            return
        self.programme.council_lines.append(
            (ref, clean_cell(cells[1]), clean_cell(cells[2]), clean_cell(cells[3]), number)
        )

    def new_activity(self, number: int, lines: str, policy: str, text: str, status: str | None, actions: str):
        self.count += 1
        activity = Activity(
            key=f"M{self.programme.mission}.P{self.programme.number}.A{len(self.programme.activities) + 1}",
            lines=lines,
            policy=policy,
            text=text,
            status=status,
            actions=[actions] if actions else [],
            line=number,
        )
        self.programme.activities.append(activity)
        self.activity = activity
        return activity

    def add_indicator(self, number: int, raw_name: str, values: list[str]) -> None:
        if not raw_name.strip() and not any(v.strip() for v in values):
            return
        target = self.activity
        names = _paragraphs(raw_name) if raw_name.strip() else []
        if len(names) > 1:
            # Several indicators named in one cell: the first takes this row's values, the next rows the rest.
            self.flush_pending(number)
            self.pending_line = number
            target.indicators.append(Indicator(names[0], values, number))
            self.pending = names[1:]
            self.pending_activity = target
            return
        if not raw_name.strip():
            if self.pending and self.pending_activity is target:
                name = self.pending.pop(0)
                target.indicators.append(Indicator(name, values, number))
                self.note(
                    number,
                    "interpreted",
                    f"values without an indicator name: given to {name[:60]!r}, the next one named in its cell above",
                )
                return
            if target.indicators:
                previous = target.indicators[-1]
                if not any(v.strip() for v in previous.values):
                    previous.values = values
                    self.note(number, "interpreted", "values on the row below their indicator, joined to it")
                    return
            self.note(
                number,
                "interpreted",
                f"values without an indicator name ({' | '.join(v for v in values if v)}) kept, name left empty",
            )
            target.indicators.append(Indicator("", values, number))
            return
        self.flush_pending(number)
        target.indicators.append(Indicator(clean_cell(raw_name), values, number))

    def flush_pending(self, number: int) -> None:
        if self.pending:
            for name in self.pending:
                self.pending_activity.indicators.append(Indicator(name, ["", "", "", "", ""], self.pending_line))
            self.note(
                self.pending_line,
                "interpreted",
                f"{len(self.pending)} indicator(s) named in this row's cell found no value row below; kept "
                "without values",
            )
            self.pending = []

    def activity_row(self, number: int, cells: list[str]) -> None:
        cells = cells + [""] * (11 - len(cells))
        names = _paragraphs(cells[5])
        if len(cells) > 11 and len(names) > 1 and len(names) == (len(cells) - 6 + 4) // 5:
            # Several indicators in one cell, their values laid side by side, five years each.
            blocks = [cells[6 + 5 * i : 11 + 5 * i] for i in range(len(names))]
            self.note(
                number,
                "interpreted",
                f"{len(names)} indicators in one cell with their values side by side: split into "
                f"{len(names)} indicators of five years each",
            )
            self.activity_row(number, cells[:5] + [""] * 6)
            for name, block in zip(names, blocks, strict=True):
                self.activity.indicators.append(
                    Indicator(name, [clean_cell(v) for v in block] + [""] * (5 - len(block)), number)
                )
            return
        if len(cells) > 11:
            extra = [cell for cell in cells[11:] if cell.strip()]
            if extra:
                self.note(number, "interpreted", f"{len(extra)} cell(s) beyond the table's 11 columns appended")
                cells[4] = cells[4] + " " + " ".join(extra)
            cells = cells[:11]
        ref, policy, text, status_text, actions, indicator = (cell.strip() for cell in cells[:6])
        values = [clean_cell(cell) for cell in cells[6:11]]
        clean_text, clean_actions = clean_cell(text), clean_cell(actions)
        status, qualifier = _status(status_text) if status_text else (None, "")

        # Misplaced cells, recognised by their content.
        if (
            not ref
            and policy
            and text
            and _strictly_value(text)
            and _strictly_value(status_text or "-")
            and not any([actions, indicator, *values])
            and self.activity is not None
        ):
            self.activity.indicators.append(Indicator(clean_cell(policy), [text, status_text, "", "", ""], number))
            self.note(number, "interpreted", "indicator row shifted four columns left: read as an indicator above")
            return
        if clean_text == "(segue)" and not ref and not policy and self.activity is not None:
            if actions:
                self.activity.actions.append(clean_actions)
            self.note(number, "interpreted", "'(segue)': the activity above continues; its actions appended")
            if indicator or any(values):
                self.add_indicator(number, indicator, values)
            return
        if status_text and status is None:
            self.note(number, "interpreted", f"unknown status {status_text!r} kept as text of the activity")
        if ref and not _LINE_REF.match(ref):
            if _YEAR_START.match(ref) and not any([policy, text, status_text, actions]) and self.activity:
                self.activity.actions.append(clean_cell(ref))
                self.note(number, "interpreted", "actions in the first column: appended to the activity above")
                if indicator or any(values):
                    self.add_indicator(number, indicator, values)
                return
            self.note(number, "unplaced", f"unrecognised reference {ref[:40]!r}; row kept as its own activity")
        if not any([ref, text, status_text, actions, indicator]) and _YEAR_START.match(policy) and self.activity:
            self.activity.actions.append(clean_cell(policy))
            self.note(number, "interpreted", "actions shifted into the policy column: appended above")
            return
        if not ref and not policy and not text and not status_text:
            # A continuation row: more actions and/or indicators for the activity above.
            if self.activity is None:
                self.note(number, "unplaced", "continuation row before any activity")
                return
            if actions:
                self.activity.actions.append(clean_actions)
            if indicator or any(values):
                self.add_indicator(number, indicator, values)
            return
        if not ref and not policy and text and not status_text and not actions and not indicator and self.activity:
            self.activity.text = f"{self.activity.text} {clean_text}".strip()
            self.note(number, "interpreted", "activity text wrapped onto the next row: joined to the one above")
            return
        if not ref and not status_text and _YEAR_START.match(text) and self.activity is not None:
            self.activity.actions.append(clean_text)
            if actions:
                self.activity.actions.append(clean_actions)
            self.note(number, "interpreted", "actions shifted into the activity column: appended to the one above")
            if indicator or any(values):
                self.add_indicator(number, indicator, values)
            return
        if not text and status is None and (actions or indicator) and self.activity is not None and (ref or policy):
            if actions:
                self.activity.actions.append(clean_actions)
            self.note(
                number,
                "interpreted",
                "row with a line reference/policy but neither activity nor status: its actions"
                + (" and indicator" if indicator else "")
                + " appended to the activity above",
            )
            if indicator or any(values):
                self.add_indicator(number, indicator, values)
            return
        if not ref and not policy and not text and status and self.activity is not None:
            # One activity reported in parts at different stages (e.g. "Concluso (React)", "In corso (Pinqa)").
            label = status_text
            self.activity.actions.append(f"[{label}] {clean_actions}".strip())
            previous = self.activity.status
            if previous is None or STATUS_ORDER[status] < STATUS_ORDER[previous]:
                self.activity.status = status
            self.note(
                number,
                "interpreted",
                f"a further part of the activity above with status {label!r}: actions appended; "
                f"activity status {self.activity.status!r} (the least advanced part)",
            )
            if indicator or any(values):
                self.add_indicator(number, indicator, values)
            return
        if not text and not status_text and not actions and not indicator and not any(values):
            self.note(
                number,
                "unplaced",
                f"policy {clean_cell(policy)!r} with no activity, status or indicator: no activity created",
            )
            return

        # A new activity.
        inherited = ""
        if not text and actions:
            clean_text, clean_actions = clean_actions, ""
            if status == "Concluso":
                self.note(number, "interpreted", "concluded activity whose text sits in the actions column")
            else:
                self.note(number, "interpreted", "activity without text: the actions column read as its text")
        elif not text:
            self.note(number, "interpreted", "activity without text or actions: kept with an empty text")
        if not policy and not ref and self.activity is not None:
            inherited = self.activity.policy
            ref = self.activity.lines
            self.note(
                number,
                "interpreted",
                "activity without line reference and policy (cells spanning a page break): both taken from above",
            )
        elif not policy and self.activity is not None:
            inherited = self.activity.policy
            self.note(number, "interpreted", "activity without policy: the policy of the activity above")
        if status_text and qualifier:
            clean_actions = f"[{status_text}] {clean_actions}".strip()
            self.note(number, "interpreted", f"status {status_text!r} read as {status!r}; the qualifier kept")
        activity = self.new_activity(number, ref, clean_cell(policy) or inherited, clean_text, status, clean_actions)
        if indicator or any(values):
            self.add_indicator(number, indicator, values)
        return activity

    def indicator_row(self, number: int, cells: list[str]) -> None:
        cells = [cell.strip() for cell in cells]
        # Labels are the cells before the first cell that reads wholly as a value; values follow.
        first_value = next((i for i, cell in enumerate(cells) if i > 0 and cell and _strictly_value(cell)), None)
        if first_value is None:
            # No quantity: the values are the last (up to five) cells after the labels.
            label_count = 2 if self.indicator_policy_column else 1
            labels, values = cells[:label_count], cells[label_count:]
        else:
            labels, values = cells[:first_value], cells[first_value:]
            expected = 2 if self.indicator_policy_column else 1
            if self.indicator_policy_column and first_value < expected and cells[0]:
                self.note(number, "interpreted", "indicator row shifted left by one column: policy left as above")
                labels = ["", *labels]
        values = [clean_cell(value) for value in values[:5]]
        values += [""] * (5 - len(values))
        labels = [clean_cell(label) for label in labels]
        policy = ""
        if (
            self.indicator_policy_column
            and self.parent_indicator
            and labels
            and 0 < len(labels[0]) <= 12
            and not any(labels[1:])
        ):
            # A breakdown row ("C", "Totale") shifted into the policy column.
            labels = ["", labels[0]]
            self.note(number, "interpreted", f"breakdown {labels[1]!r} shifted into the policy column")
        if self.indicator_policy_column:
            if labels and labels[0] and len(labels) >= 2:
                self.indicator_policy = labels[0]
            if len(labels) >= 2:
                labels = labels[1:]
            policy = self.indicator_policy
        labels = [label for label in labels if label]
        if not labels:
            self.note(number, "unplaced", f"indicator values without a name: {' | '.join(v for v in values if v)}")
            name = ""
        elif len(labels) >= 2:
            self.parent_indicator = labels[0]
            name = f"{labels[0]} — {labels[1]}"
        elif self.parent_indicator and len(labels[0]) <= 12:
            name = f"{self.parent_indicator} — {labels[0]}"
        else:
            self.parent_indicator = ""
            name = labels[0]
        self.programme.indicators.append(Indicator(name, values, number, self.indicator_group, policy))


def convert(text: str) -> Conversion:
    """Convert the whole text of a report."""
    converter = _Converter()
    for number, line in enumerate(text.splitlines(), start=1):
        converter.line(number, line)
    converter.flush_pending(number if text else 0)
    return converter.result

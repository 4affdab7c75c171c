"""Reference data: validate the shipped catalogue and zones, then bring the database in line with them.

Validation reads the whole file and reports every problem before anything is written, so a bad file
changes nothing. Loading is idempotent: a second run finds nothing to change.
"""

from __future__ import annotations

import csv
import json
import re
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from sqlalchemy import select

from consult.extensions import db
from consult.models import Action, Axis, Plan, Strategy, Zone
from consult.models.plan import code_key

CATALOGUE_FILE = "psm_2024_2026.json"
ZONES_FILE = "zone_omogenee.csv"
CATEGORIES_FILE = "stakeholder_categories.csv"
CONDITIONS_FILE = "condition_tags.csv"

_AXIS_CODE = re.compile(r"^[1-9][0-9]*$")


class SeedError(Exception):
    """A reference-data file that cannot be loaded; carries every problem found."""

    def __init__(self, path: Path | str, problems: list[str]):
        self.path = str(path)
        self.problems = problems
        super().__init__("\n".join(f"{self.path}: {problem}" for problem in problems))


@dataclass
class SyncReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    #: Entries in the database that the file no longer has; kept, since ballots may refer to them.
    orphaned: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated)


def shipped(name: str) -> Path:
    """Path of a data file shipped inside the package."""
    return Path(str(resources.files("consult") / "data" / name))


# --- catalogue -------------------------------------------------------------------------------


def read_catalogue(path: Path | str) -> dict:
    """Parse and validate a catalogue file; raise SeedError listing every problem."""
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise SeedError(path, ["file not found"]) from None
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise SeedError(path, [f"not valid UTF-8 JSON: {error}"]) from None
    problems = validate_catalogue(data)
    if problems:
        raise SeedError(path, problems)
    return data


def _text(entry: dict, key: str) -> str:
    value = entry.get(key)
    return value.strip() if isinstance(value, str) else ""


def validate_catalogue(data: object) -> list[str]:
    """Every problem in a parsed catalogue, each naming the entry it is about."""
    if not isinstance(data, dict):
        return ["the file must hold one JSON object with a list of axes"]
    problems = []
    for key in ("code", "title"):
        if not _text(data, key):
            problems.append(f"plan: {key} is empty")
    axes = data.get("axes")
    if not isinstance(axes, list) or not axes:
        return [*problems, "plan: axes must be a non-empty list"]

    seen: set[str] = set()

    def unique(kind: str, code: str) -> None:
        if code in seen:
            problems.append(f"{kind} {code}: duplicate code")
        seen.add(code)

    for a, axis in enumerate(axes, start=1):
        if not isinstance(axis, dict):
            problems.append(f"axis #{a}: not an object")
            continue
        axis_code = _text(axis, "code")
        where = f"axis {axis_code or '#' + str(a)}"
        if not _AXIS_CODE.match(axis_code):
            problems.append(f"{where}: unknown axis code {axis_code!r} (expected a number such as 1)")
        unique("axis", axis_code)
        for key in ("title", "motto"):
            if not _text(axis, key):
                problems.append(f"{where}: {key} is empty")
        for key in ("needs", "targets"):
            items = axis.get(key)
            if not isinstance(items, list) or not items:
                problems.append(f"{where}: {key} must be a non-empty list of texts")
            elif any(not isinstance(item, str) or not item.strip() for item in items):
                problems.append(f"{where}: {key} has an empty text")
        strategies = axis.get("strategies")
        if not isinstance(strategies, list) or not strategies:
            problems.append(f"{where}: strategies must be a non-empty list")
            continue
        for s, strategy in enumerate(strategies, start=1):
            if not isinstance(strategy, dict):
                problems.append(f"{where}, strategy #{s}: not an object")
                continue
            strategy_code = _text(strategy, "code")
            swhere = f"strategy {strategy_code or where + ' #' + str(s)}"
            if not re.fullmatch(rf"{re.escape(axis_code)}\.[1-9][0-9]*", strategy_code):
                problems.append(f"{swhere}: code does not belong to axis {axis_code} (unknown axis for this strategy)")
            unique("strategy", strategy_code)
            if not _text(strategy, "title"):
                problems.append(f"{swhere}: title is empty")
            actions = strategy.get("actions")
            if not isinstance(actions, list) or not actions:
                problems.append(f"{swhere}: actions must be a non-empty list")
                continue
            for n, action in enumerate(actions, start=1):
                if not isinstance(action, dict):
                    problems.append(f"{swhere}, action #{n}: not an object")
                    continue
                action_code = _text(action, "code")
                awhere = f"action {action_code or swhere + ' #' + str(n)}"
                if not re.fullmatch(rf"{re.escape(strategy_code)}\.[1-9][0-9]*", action_code):
                    problems.append(f"{awhere}: code does not belong to strategy {strategy_code}")
                unique("action", action_code)
                if not _text(action, "text"):
                    problems.append(f"{awhere}: text is empty")
    return problems


def sync_catalogue(data: dict) -> SyncReport:
    """Bring the plan in the database in line with a validated catalogue; flushes, never commits."""
    report = SyncReport()
    plan = db.session.scalar(select(Plan).where(Plan.code == data["code"]))
    if plan is None:
        plan = Plan(code=data["code"])
        db.session.add(plan)
        report.created.append(f"plan {data['code']}")
    _assign(plan, {"title": data["title"], "source": data.get("source", "")}, report, f"plan {plan.code}")

    axes_by_code = {axis.code: axis for axis in plan.axes}
    wanted_axes = sorted(data["axes"], key=lambda entry: code_key(entry["code"]))
    for position, entry in enumerate(wanted_axes, start=1):
        axis = axes_by_code.pop(entry["code"], None)
        if axis is None:
            axis = Axis(code=entry["code"])
            plan.axes.append(axis)
            report.created.append(f"axis {entry['code']}")
        fields = {key: entry[key] for key in ("title", "motto", "needs", "targets")}
        _assign(axis, {"position": position, **fields}, report, f"axis {axis.code}")
        _sync_strategies(axis, entry["strategies"], report)
    report.orphaned += [f"axis {code}" for code in axes_by_code]
    db.session.flush()
    return report


def _sync_strategies(axis: Axis, entries: list[dict], report: SyncReport) -> None:
    by_code = {strategy.code: strategy for strategy in axis.strategies}
    for position, entry in enumerate(sorted(entries, key=lambda e: code_key(e["code"])), start=1):
        strategy = by_code.pop(entry["code"], None)
        if strategy is None:
            strategy = Strategy(code=entry["code"])
            axis.strategies.append(strategy)
            report.created.append(f"strategy {entry['code']}")
        _assign(strategy, {"position": position, "title": entry["title"]}, report, f"strategy {strategy.code}")
        actions = {action.code: action for action in strategy.actions}
        for number, item in enumerate(sorted(entry["actions"], key=lambda e: code_key(e["code"])), start=1):
            action = actions.pop(item["code"], None)
            if action is None:
                action = Action(code=item["code"])
                strategy.actions.append(action)
                report.created.append(f"action {item['code']}")
            values = {"position": number, "text": item["text"], "printed_code": item.get("printed_code")}
            _assign(action, values, report, f"action {action.code}")
        report.orphaned += [f"action {code}" for code in actions]
    report.orphaned += [f"strategy {code}" for code in by_code]


def _assign(obj, values: dict, report: SyncReport, label: str) -> None:
    """Set attributes that differ; record an update only for rows that already existed."""
    existed = obj.id is not None
    changed = False
    for key, value in values.items():
        if getattr(obj, key) != value:
            setattr(obj, key, value)
            changed = True
    if changed and existed:
        report.updated.append(label)


# --- zones -----------------------------------------------------------------------------------

ZONE_COLUMNS = ("code", "name", "comuni", "population_2011")


def read_zones(path: Path | str) -> list[dict]:
    """Parse and validate the zones CSV; raise SeedError listing every bad row with its line."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise SeedError(path, ["file not found"]) from None
    except UnicodeDecodeError as error:
        raise SeedError(path, [f"not valid UTF-8: {error}"]) from None
    reader = csv.DictReader(text.splitlines())
    missing = [column for column in ZONE_COLUMNS if column not in (reader.fieldnames or [])]
    if missing:
        raise SeedError(path, [f"line 1: missing columns {', '.join(missing)}"])
    problems, zones, seen = [], [], set()
    for row in reader:
        line = reader.line_num
        try:
            zone = {
                "code": int(row["code"]),
                "name": (row["name"] or "").strip(),
                "municipalities": int(row["comuni"]),
                "population_2011": int(row["population_2011"]),
            }
        except (TypeError, ValueError):
            problems.append(f"line {line}: code, comuni and population_2011 must be whole numbers")
            continue
        if not zone["name"]:
            problems.append(f"line {line}: name is empty")
        if zone["code"] in seen:
            problems.append(f"line {line}: duplicate zone code {zone['code']}")
        if zone["municipalities"] < 1 or zone["population_2011"] < 1:
            problems.append(f"line {line}: comuni and population_2011 must be positive")
        seen.add(zone["code"])
        zones.append(zone)
    if not zones and not problems:
        problems.append("no zones in the file")
    if problems:
        raise SeedError(path, problems)
    return zones


def sync_zones(rows: list[dict]) -> SyncReport:
    """Bring the zones in line with the file; flushes, never commits."""
    report = SyncReport()
    existing = {zone.code: zone for zone in db.session.scalars(select(Zone))}
    for row in rows:
        zone = existing.pop(row["code"], None)
        if zone is None:
            zone = Zone(code=row["code"])
            db.session.add(zone)
            report.created.append(f"zone {row['code']}")
        _assign(zone, {k: v for k, v in row.items() if k != "code"}, report, f"zone {row['code']}")
    report.orphaned += [f"zone {code}" for code in existing]
    db.session.flush()
    return report


# --- stakeholder categories ------------------------------------------------------------------


def read_taxonomy(path: Path | str) -> list[dict]:
    """Parse a managed list in CSV (code,name_it,name_en): stakeholder categories, enabling conditions."""
    path = Path(path)
    try:
        reader = csv.DictReader(path.read_text(encoding="utf-8-sig").splitlines())
        rows = list(reader)
    except (FileNotFoundError, UnicodeDecodeError) as error:
        raise SeedError(path, [f"cannot read the file: {error}"]) from None
    problems, seen = [], set()
    for line, row in enumerate(rows, start=2):
        code = (row.get("code") or "").strip()
        if not code or not (row.get("name_it") or "").strip() or not (row.get("name_en") or "").strip():
            problems.append(f"line {line}: code, name_it and name_en are all required")
        if code in seen:
            problems.append(f"line {line}: duplicate code {code}")
        seen.add(code)
    if problems:
        raise SeedError(path, problems)
    return [
        {"code": row["code"].strip(), "name_it": row["name_it"].strip(), "name_en": row["name_en"].strip(),
         "position": position}
        for position, row in enumerate(rows, start=1)
    ]  # fmt: skip


def sync_taxonomy(model, rows: list[dict]) -> SyncReport:
    """Add or rename the seeded entries of a managed list; ones an admin added or retired stay as they are."""
    report = SyncReport()
    existing = {entry.code: entry for entry in db.session.scalars(select(model))}
    for row in rows:
        entry = existing.pop(row["code"], None)
        if entry is None:
            entry = model(code=row["code"])
            db.session.add(entry)
            report.created.append(f"{model.__tablename__} {row['code']}")
        _assign(entry, {k: v for k, v in row.items() if k != "code"}, report, f"{model.__tablename__} {row['code']}")
    db.session.flush()
    return report

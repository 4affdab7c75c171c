"""Monitoring: counts, search, links to the plan and link suggestions. Services add/flush; views commit."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import exists, func, or_, select
from sqlalchemy.orm import selectinload

from consult.audit import record
from consult.errors import DomainError
from consult.extensions import db
from consult.models import (
    Action,
    ActivityLink,
    Axis,
    MonitoredActivity,
    MonitoringProgramme,
    MonitoringSource,
    ReportIndicator,
    Strategy,
    Zone,
)
from consult.models.monitoring import ACTIVITY_STATUSES

PER_PAGE = 25


def sources() -> list[MonitoringSource]:
    return list(db.session.scalars(select(MonitoringSource).order_by(MonitoringSource.name)))


def summary() -> dict:
    """Counts per mission and programme, by status, for the pages and the API."""
    programmes = db.session.scalars(
        select(MonitoringProgramme)
        .options(selectinload(MonitoringProgramme.activities))
        .order_by(MonitoringProgramme.mission, MonitoringProgramme.number)
    ).all()
    indicator_count = db.session.scalar(select(func.count(ReportIndicator.id))) or 0
    missions: dict[int, dict] = {}
    total: Counter = Counter()
    activity_count = 0
    for programme in programmes:
        by_status = Counter(activity.status for activity in programme.activities if activity.status)
        total.update(by_status)
        activity_count += len(programme.activities)
        mission = missions.setdefault(
            programme.mission, {"number": programme.mission, "title": programme.mission_title, "programmes": []}
        )
        mission["programmes"].append(
            {
                "number": programme.number,
                "title": programme.title,
                "activities": len(programme.activities),
                "by_status": {status: by_status.get(status, 0) for status in ACTIVITY_STATUSES},
                "not_stated": sum(1 for activity in programme.activities if not activity.status),
                "source_id": programme.source_id,
                "id": programme.id,
            }
        )
    return {
        "sources": [
            {"id": source.id, "name": source.name, "zone": source.zone.code if source.zone else None}
            for source in sources()
        ],
        "activities": activity_count,
        "indicators": indicator_count,
        "by_status": {status: total.get(status, 0) for status in ACTIVITY_STATUSES},
        "missions": list(missions.values()),
    }


@dataclass
class ActivityFilters:
    q: str = ""
    status: str = ""
    mission: int | None = None
    zone: int | None = None
    #: "yes", "no" or "" (either).
    linked: str = ""
    strategy: str = ""


def search_activities(filters: ActivityFilters, page: int = 1, per_page: int = PER_PAGE):
    """Activities matching the filters, newest sources first; returns (items, total)."""
    query = (
        select(MonitoredActivity)
        .join(MonitoredActivity.programme)
        .join(MonitoringProgramme.source)
        .options(
            selectinload(MonitoredActivity.programme).selectinload(MonitoringProgramme.source),
            selectinload(MonitoredActivity.indicators).selectinload(ReportIndicator.values),
            selectinload(MonitoredActivity.links),
        )
    )
    if filters.q:
        for word in filters.q.split()[:8]:
            pattern = f"%{word.lower()}%"
            query = query.where(
                or_(
                    func.lower(MonitoredActivity.text).like(pattern),
                    func.lower(MonitoredActivity.policy).like(pattern),
                    func.lower(MonitoredActivity.actions).like(pattern),
                    func.lower(MonitoringProgramme.title).like(pattern),
                )
            )
    if filters.status == "none":
        query = query.where(MonitoredActivity.status.is_(None))
    elif filters.status:
        query = query.where(MonitoredActivity.status == filters.status)
    if filters.mission is not None:
        query = query.where(MonitoringProgramme.mission == filters.mission)
    if filters.zone is not None:
        query = query.join(MonitoringSource.zone).where(Zone.code == filters.zone)
    accepted = exists().where(ActivityLink.activity_id == MonitoredActivity.id, ActivityLink.accepted.is_(True))
    if filters.linked == "yes":
        query = query.where(accepted)
    elif filters.linked == "no":
        query = query.where(~accepted)
    if filters.strategy:
        query = query.where(
            exists().where(
                ActivityLink.activity_id == MonitoredActivity.id,
                ActivityLink.accepted.is_(True),
                ActivityLink.strategy_id == Strategy.id,
                Strategy.code == filters.strategy,
            )
        )
    total = db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0
    items = db.session.scalars(
        query.order_by(MonitoringProgramme.mission, MonitoringProgramme.number, MonitoredActivity.id)
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).all()
    return items, total


def missions() -> list[tuple[int, str]]:
    rows = db.session.execute(
        select(MonitoringProgramme.mission, MonitoringProgramme.mission_title)
        .distinct()
        .order_by(MonitoringProgramme.mission)
    ).all()
    seen: dict[int, str] = {}
    for number, title in rows:
        seen.setdefault(number, title)
    return list(seen.items())


def linked_activities(strategy: Strategy) -> list[MonitoredActivity]:
    """Activities with an accepted link to the strategy."""
    return list(
        db.session.scalars(
            select(MonitoredActivity)
            .join(ActivityLink)
            .where(ActivityLink.strategy_id == strategy.id, ActivityLink.accepted.is_(True))
            .options(
                selectinload(MonitoredActivity.indicators).selectinload(ReportIndicator.values),
                selectinload(MonitoredActivity.programme).selectinload(MonitoringProgramme.source),
            )
            .order_by(MonitoredActivity.id)
        )
    )


# --- links -----------------------------------------------------------------------------------


def decide_link(
    activity: MonitoredActivity,
    strategy: Strategy,
    *,
    accepted: bool,
    action: Action | None = None,
    score: float | None = None,
) -> ActivityLink:
    """Accept or reject a link between an activity and a strategy (and optionally an action); audited."""
    if action is not None and action.strategy_id != strategy.id:
        raise DomainError(_("L’azione %(code)s non appartiene alla strategia %(strategy)s.", code=action.code,
                            strategy=strategy.code), 400)  # fmt: skip
    link = db.session.scalar(
        select(ActivityLink).where(ActivityLink.activity_id == activity.id, ActivityLink.strategy_id == strategy.id)
    )
    if link is None:
        link = ActivityLink(activity=activity, strategy_id=strategy.id, accepted=accepted, score=score)
        db.session.add(link)
    link.accepted = accepted
    link.action_id = action.id if action is not None else None
    if score is not None:
        link.score = score
    from flask_login import current_user

    link.decided_by_id = current_user.id if current_user.is_authenticated else None
    db.session.flush()
    record(
        "monitoring.link_accepted" if accepted else "monitoring.link_rejected",
        activity,
        strategy=strategy.code,
        plan_action=action.code if action is not None else None,
        score=round(score, 3) if score is not None else None,
    )
    return link


def remove_link(activity: MonitoredActivity, strategy: Strategy) -> None:
    link = db.session.scalar(
        select(ActivityLink).where(ActivityLink.activity_id == activity.id, ActivityLink.strategy_id == strategy.id)
    )
    if link is None:
        raise DomainError(_("Questo collegamento non esiste."), 404)
    db.session.delete(link)
    db.session.flush()
    record("monitoring.link_removed", activity, strategy=strategy.code)


@dataclass
class Suggestion:
    activity: MonitoredActivity
    strategy: Strategy
    score: float
    #: The strategy's action closest to the activity, when it is close enough to propose.
    action: Action | None = None
    action_score: float | None = None


def suggestions_for_axis(
    axis: Axis, *, limit: int = 40, minimum: float = 0.08, action_minimum: float = 0.05
) -> list[Suggestion]:
    """Likely (activity, strategy[, action]) links for the axis' strategies, best first, undecided ones only."""
    import numpy as np

    from consult.monitoring.similarity import similarity

    activities = db.session.scalars(select(MonitoredActivity).options(selectinload(MonitoredActivity.programme))).all()
    strategies = list(axis.strategies)
    if not activities or not strategies:
        return []
    decided = set(
        db.session.execute(
            select(ActivityLink.activity_id, ActivityLink.strategy_id).join(Strategy).where(Strategy.axis_id == axis.id)
        ).all()
    )
    actions = [action for strategy in strategies for action in strategy.actions]
    queries = [" ".join([strategy.title, *(action.text for action in strategy.actions)]) for strategy in strategies]
    queries += [action.text for action in actions]
    documents = [" ".join([activity.text, activity.policy, activity.programme.title]) for activity in activities]
    scores = similarity(queries, documents)
    by_strategy, by_action = scores[: len(strategies)], scores[len(strategies) :]
    order = np.argsort(-by_strategy, axis=None, kind="stable")
    found = []
    for flat in order:
        query_index, document_index = divmod(int(flat), len(activities))
        score = float(by_strategy[query_index, document_index])
        if score <= minimum or len(found) >= limit:
            break
        activity, strategy = activities[document_index], strategies[query_index]
        if (activity.id, strategy.id) in decided:
            continue
        suggestion = Suggestion(activity, strategy, score)
        own = [(float(by_action[i, document_index]), action) for i, action in enumerate(actions)
               if action.strategy_id == strategy.id]  # fmt: skip
        if own:
            best_score, best = max(own, key=lambda pair: pair[0])
            if best_score > action_minimum:
                suggestion.action, suggestion.action_score = best, best_score
        found.append(suggestion)
    return found


# --- participation: proposals that build on an activity -------------------------------------


def sources_for_zone(zone: Zone | None) -> list[MonitoringSource]:
    """Reports a participant of the zone may build on: the zone's own and the metropolitan ones."""
    query = select(MonitoringSource).order_by(MonitoringSource.name)
    if zone is not None:
        query = query.where(or_(MonitoringSource.zone_id == zone.id, MonitoringSource.zone_id.is_(None)))
    return list(db.session.scalars(query))


def activity_choices(zone: Zone | None) -> list[tuple[str, list[tuple[str, str]]]]:
    """Option groups (mission and programme) of the activities a zone's participants may link a proposal to."""
    ids = [source.id for source in sources_for_zone(zone)]
    if not ids:
        return []
    rows = db.session.execute(
        select(MonitoredActivity.id, MonitoredActivity.text, MonitoringProgramme)
        .join(MonitoredActivity.programme)
        .where(MonitoringProgramme.source_id.in_(ids))
        .order_by(MonitoringProgramme.source_id, MonitoringProgramme.mission, MonitoringProgramme.number,
                  MonitoredActivity.id)
    ).all()  # fmt: skip
    groups: dict[int, tuple[str, list[tuple[str, str]]]] = {}
    for activity_id, text, programme in rows:
        label = _("Missione %(m)s · Programma %(p)s", m=programme.mission, p=programme.number)
        group = groups.setdefault(programme.id, (f"{label} · {programme.title.capitalize()}", []))
        short = text if len(text) <= 140 else text[:139].rstrip() + "…"
        group[1].append((str(activity_id), short))
    return list(groups.values())


def link_proposal(proposal, activity_id: str | int | None, zone: Zone | None) -> None:
    """Record (or clear) the activity a proposal builds on; it must come from a report open to the zone."""
    from consult.models import ProposalActivity

    db.session.flush()  # a new proposal needs its id
    current = db.session.get(ProposalActivity, proposal.id)
    if not activity_id:
        if current is not None:
            db.session.delete(current)
            db.session.flush()
        return
    try:
        activity = db.session.get(MonitoredActivity, int(activity_id))
    except (TypeError, ValueError):
        activity = None
    allowed = {source.id for source in sources_for_zone(zone)}
    if activity is None or activity.programme.source_id not in allowed:
        raise DomainError(_("L’attività scelta non esiste o non riguarda questa zona."), 422)
    if current is None:
        db.session.add(ProposalActivity(proposal_id=proposal.id, activity_id=activity.id))
    else:
        current.activity_id = activity.id
    db.session.flush()


def proposal_activity_id(proposal) -> str:
    """The id (as form data) of the activity a proposal builds on, or an empty string."""
    from consult.models import ProposalActivity

    link = db.session.get(ProposalActivity, proposal.id)
    return str(link.activity_id) if link is not None else ""


def activities_by_proposal(proposal_ids: list[int]) -> dict[int, MonitoredActivity]:
    """The activity each proposal builds on, for pages and downloads listing many proposals."""
    from consult.models import ProposalActivity

    if not proposal_ids:
        return {}
    rows = db.session.execute(
        select(ProposalActivity.proposal_id, MonitoredActivity)
        .join(MonitoredActivity, MonitoredActivity.id == ProposalActivity.activity_id)
        .where(ProposalActivity.proposal_id.in_(proposal_ids))
        .options(selectinload(MonitoredActivity.programme).selectinload(MonitoringProgramme.source))
    ).all()
    return dict(rows)


def activity_label(activity: MonitoredActivity | None) -> str:
    """How downloads name the activity a proposal builds on."""
    if activity is None:
        return ""
    programme = activity.programme
    return f"{programme.source.name}, M{programme.mission}.P{programme.number}: {activity.text}"


# --- measurable targets ------------------------------------------------------------------------


def candidate_indicators(axis: Axis) -> list[ReportIndicator]:
    """Indicators of activities linked (accepted) to the axis' strategies, with at least one number."""
    from consult.models import IndicatorValue

    return list(
        db.session.scalars(
            select(ReportIndicator)
            .join(MonitoredActivity, MonitoredActivity.id == ReportIndicator.activity_id)
            .join(ActivityLink, ActivityLink.activity_id == MonitoredActivity.id)
            .join(Strategy, Strategy.id == ActivityLink.strategy_id)
            .where(Strategy.axis_id == axis.id, ActivityLink.accepted.is_(True))
            .where(
                exists().where(IndicatorValue.indicator_id == ReportIndicator.id, IndicatorValue.number.is_not(None))
            )
            .options(selectinload(ReportIndicator.values), selectinload(ReportIndicator.activity))
            .distinct()
            .order_by(ReportIndicator.id)
        )
    )


def targets_of(axis: Axis) -> dict:
    from consult.models import MeasurableTarget

    return {
        target.target_index: target
        for target in db.session.scalars(select(MeasurableTarget).where(MeasurableTarget.axis_id == axis.id))
    }


def save_target(axis: Axis, index: int, data: dict, indicator_ids: list[int]):
    """Create or update the measurable form of the axis' target ``index``; audited."""
    from consult.models import MeasurableTarget

    if not 0 <= index < len(axis.targets or []):
        raise DomainError(_("Questo obiettivo non esiste."), 404)
    if data["target_year"] <= data["baseline_year"]:
        raise DomainError(_("L’anno dell’obiettivo deve venire dopo quello del valore di partenza."), 422)
    if data["target_value"] == data["baseline_value"]:
        raise DomainError(_("Il valore obiettivo deve essere diverso da quello di partenza."), 422)
    allowed = {indicator.id: indicator for indicator in candidate_indicators(axis)}
    if unknown := [i for i in indicator_ids if i not in allowed]:
        raise DomainError(_("Indicatori non collegati a questo asse: %(ids)s.", ids=", ".join(map(str, unknown))), 422)
    target = targets_of(axis).get(index)
    if target is None:
        target = MeasurableTarget(axis_id=axis.id, target_index=index)
        db.session.add(target)
    for key, value in data.items():
        setattr(target, key, value)
    target.indicators = [allowed[i] for i in indicator_ids]
    from flask_login import current_user

    target.updated_by_id = current_user.id if current_user.is_authenticated else None
    db.session.flush()
    record("monitoring.target_saved", target, axis=axis.code, target_index=index, indicators=indicator_ids)
    return target


def delete_target(axis: Axis, index: int) -> None:
    target = targets_of(axis).get(index)
    if target is None:
        raise DomainError(_("Questo obiettivo non è ancora misurabile."), 404)
    record("monitoring.target_deleted", target, axis=axis.code, target_index=index)
    db.session.delete(target)
    db.session.flush()


@dataclass
class Standing:
    """Where a measurable target stands: the yearly series from its indicators, and the progress made."""

    series: list[tuple[int, float]]
    #: Share of the way from baseline to target covered by the latest value (may be < 0 or > 1).
    progress: float | None
    #: Units the linked indicators report in, when they differ from each other (a warning for planners).
    units: list[str]

    @property
    def latest(self) -> tuple[int, float] | None:
        return self.series[-1] if self.series else None


def standing(target) -> Standing:
    """Sum, year by year, of the numeric values of the target's indicators (ratios count their numerator)."""
    totals: dict[int, float] = {}
    units = set()
    for indicator in target.indicators:
        for value in indicator.values:
            if value.number is not None:
                totals[value.year] = totals.get(value.year, 0.0) + value.number
                units.add(value.unit or "")
    series = sorted(totals.items())
    progress = None
    if series and target.target_value != target.baseline_value:
        progress = (series[-1][1] - target.baseline_value) / (target.target_value - target.baseline_value)
    return Standing(series, progress, sorted(units) if len(units) > 1 else [])


def chart(target, state: Standing, width: int = 560, height: int = 200) -> dict:
    """Geometry of a small line chart (baseline, yearly values, target), drawn by the template as SVG."""
    points = [(target.baseline_year, target.baseline_value), *state.series, (target.target_year, target.target_value)]
    years = [year for year, _value in points]
    values = [value for _year, value in points]
    x0, x1 = min(years), max(years)
    y0, y1 = min(0.0, *values), max(values)
    if y1 == y0:
        y1 = y0 + 1
    left, right, top, bottom = 56, 16, 12, 28

    def x(year: int) -> float:
        return round(left + (year - x0) / max(x1 - x0, 1) * (width - left - right), 1)

    def y(value: float) -> float:
        return round(top + (1 - (value - y0) / (y1 - y0)) * (height - top - bottom), 1)

    return {
        "width": width,
        "height": height,
        "observed": [(x(year), y(value), year, value) for year, value in state.series],
        "baseline": (x(target.baseline_year), y(target.baseline_value)),
        "target": (x(target.target_year), y(target.target_value)),
        "path": " ".join(f"{x(year)},{y(value)}" for year, value in state.series),
        "axis_y": [(y(value), value) for value in (y0, y1)],
        "axis_x": [(x(year), year) for year in sorted({x0, x1, *[year for year, _ in state.series]})],
        "bottom": height - bottom,
        "left": left,
    }


def measured_targets(axis: Axis) -> list[tuple]:
    """The axis' measurable targets with where they stand and their chart geometry (two or more years)."""
    rows = []
    for _index, target in sorted(targets_of(axis).items()):
        state = standing(target)
        rows.append((target, state, chart(target, state) if len(state.series) >= 2 else None))
    return rows


#: Bar segments of the summary chart, in order; "none" is an activity whose status the report does not state.
CHART_STATUSES = (*ACTIVITY_STATUSES, "none")


def mission_totals(data: dict) -> list[dict]:
    """Per mission: activities by status (and not stated), for the summary chart and its table."""
    rows = []
    for mission in data["missions"]:
        counts = dict.fromkeys(CHART_STATUSES, 0)
        for programme in mission["programmes"]:
            for status in ACTIVITY_STATUSES:
                counts[status] += programme["by_status"][status]
            counts["none"] += programme["not_stated"]
        rows.append({"number": mission["number"], "title": mission["title"], "counts": counts,
                     "total": sum(counts.values())})  # fmt: skip
    return rows


def mission_chart(totals: list[dict], width: int = 640, bar: int = 18, gap: int = 8) -> dict:
    """Geometry of a horizontal stacked bar per mission (drawn as SVG by the template)."""
    left, right = 48, 40
    longest = max((row["total"] for row in totals), default=0) or 1
    scale = (width - left - right) / longest
    bars = []
    for index, row in enumerate(totals):
        y = index * (bar + gap)
        x = float(left)
        segments = []
        for status in CHART_STATUSES:
            length = row["counts"][status] * scale
            if length:
                segments.append({"status": status, "x": round(x, 1), "width": round(length, 1)})
            x += length
        bars.append(
            {"y": y, "label": row["number"], "total": row["total"], "end": round(x + 4, 1), "segments": segments}
        )
    return {"width": width, "height": len(totals) * (bar + gap), "bar": bar, "left": left, "bars": bars}

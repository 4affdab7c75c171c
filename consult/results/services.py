"""Aggregation over the database, counting with the pure ``consult.ranking`` module.

Per session: every method, filtered by stakeholder category. Per consultation (metropolitan): each zone's
ballots pooled and counted, then the zones' rankings counted again as weighted ballots (ties stay ties),
weighted equally, by population or by participants; or every ballot pooled, ignoring zones.
Each session's ballots are tallied once per ``ballots_version`` (``consult.results.counts``) and every
result is counted from the tallies, in caches bounded in bytes.

Besides the rankings: who may see which results, the breakdowns by category and channel, and what the
participants wrote on their strategy sheets (priority actions, projects, conditions, actors, comments).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cached_property

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from consult import ranking
from consult.extensions import db
from consult.models import (
    Action,
    ActorState,
    Ballot,
    BallotRank,
    Channel,
    Comment,
    ConditionTag,
    Consultation,
    ConsultationSession,
    Participant,
    ProjectProposal,
    ProposalSupport,
    SessionState,
    SheetActor,
    SheetCondition,
    SheetPriorityAction,
    StakeholderCategory,
    Strategy,
    StrategySheet,
    Zone,
)
from consult.models.plan import code_key
from consult.permissions import can
from consult.results import counts

METHODS = ("borda", "schulze", "mean", "top3")
WEIGHTINGS = ("equal", "population", "participants", "pooled")


def _version(sessions: list[ConsultationSession]) -> tuple:
    # The creation time guards against a reused id: SQLite hands out id 1 again once a table is emptied,
    # and a new session 1 with ballots_version 3 must not be served the old session 1's results.
    return tuple((s.id, s.created_at, s.ballots_version) for s in sessions)


def _result_size(result: ranking.Result) -> int:
    """Roughly the bytes a result holds: its rows, and Schulze's two matrices."""
    n = len(result.rows)
    return 1_000 + 200 * n + (2 * 40 * n * n if result.d is not None else 0)


def _counts(sessions: list[ConsultationSession], codes: list[str]) -> dict[int, counts.SessionCounts]:
    return counts.session_counts(sessions, tuple(codes))


def scope_codes(consultation: Consultation) -> list[str]:
    return [strategy.code for strategy in consultation.strategies_in_order]


def session_result(session: ConsultationSession, method: str, category: str | None = None) -> ranking.Result:
    """One session counted with ``method`` (optionally only one stakeholder category's ballots)."""
    if method not in METHODS:
        raise ValueError(f"unknown method {method!r}")
    codes = scope_codes(session.consultation)

    def count() -> ranking.Result:
        tallies = _counts([session], codes)[session.id].categories
        if category:
            category_id = db.session.scalar(select(StakeholderCategory.id).where(StakeholderCategory.code == category))
            chosen = [tallies[category_id]] if category_id in tallies else []
        else:
            chosen = list(tallies.values())
        return ranking.Tally.total(len(codes), chosen).result(method, codes)

    key = ("session", _version([session]), tuple(codes), method, category)
    return counts.cached(key, count, _result_size)


@dataclass(frozen=True)
class ZoneInfo:
    """A zone's facts copied from its row: cached results outlive the request (and database session) that
    loaded the row, and an expired row read in a later request would fail."""

    id: int
    code: int
    name: str
    municipalities: int
    population_2011: int

    @classmethod
    def of(cls, zone: Zone) -> ZoneInfo:
        return cls(zone.id, zone.code, zone.name, zone.municipalities, zone.population_2011)


@dataclass(frozen=True)
class ZoneResult:
    zone: ZoneInfo
    sessions: tuple[int, ...]
    result: ranking.Result


@dataclass(frozen=True)
class MetroResult:
    method: str
    weighting: str
    #: The metropolitan ranking: zones' rankings counted as weighted ballots, or all ballots pooled.
    result: ranking.Result
    zones: tuple[ZoneResult, ...]
    #: The weight each zone's ballot carried (zone code → weight); empty for ``pooled``.
    weights: dict[int, float]
    ballots: int


def sessions_for_results(consultation: Consultation, *, published_only: bool) -> list[ConsultationSession]:
    """The sessions a result may draw on: published ones for the public, all but drafts for staff."""
    wanted = (
        (SessionState.PUBLISHED,)
        if published_only
        else (SessionState.OPEN, SessionState.CLOSED, SessionState.PUBLISHED)
    )
    return [s for s in consultation.sessions if s.state in wanted]


def metro_result(
    consultation: Consultation, method: str, weighting: str = "equal", *, published_only: bool = True
) -> MetroResult:
    """Zones first, then across zones (or pooled), with the same method."""
    if method not in METHODS:
        raise ValueError(f"unknown method {method!r}")
    if weighting not in WEIGHTINGS:
        raise ValueError(f"unknown weighting {weighting!r}")
    sessions = sessions_for_results(consultation, published_only=published_only)
    codes = scope_codes(consultation)
    key = ("metro", consultation.id, _version(sessions), tuple(codes), method, weighting)
    return counts.cached(key, lambda: _metro(sessions, codes, method, weighting), _metro_size)


def _metro_size(metro: MetroResult) -> int:
    return _result_size(metro.result) + sum(_result_size(zone.result) + 200 for zone in metro.zones)


def _metro(sessions, codes, method, weighting) -> MetroResult:
    n = len(codes)
    tallies = {
        session_id: ranking.Tally.total(n, found.categories.values())
        for session_id, found in _counts(sessions, codes).items()
    }
    by_zone: dict[int, list[ConsultationSession]] = {}
    for session in sessions:
        by_zone.setdefault(session.zone_id, []).append(session)
    zones = []
    for zone_sessions in sorted(by_zone.values(), key=lambda group: group[0].zone.code):
        pooled = ranking.Tally.total(n, (tallies[s.id] for s in zone_sessions))
        if pooled.ballots:
            zone = ZoneInfo.of(zone_sessions[0].zone)
            zones.append(ZoneResult(zone, tuple(s.id for s in zone_sessions), pooled.result(method, codes)))
    everything = ranking.Tally.total(n, tallies.values())
    if weighting == "pooled":
        return MetroResult(method, weighting, everything.result(method, codes), tuple(zones), {}, everything.ballots)
    weights = {}
    for zone_result in zones:
        if weighting == "equal":
            weights[zone_result.zone.code] = 1.0
        elif weighting == "population":
            weights[zone_result.zone.code] = float(zone_result.zone.population_2011)
        else:
            weights[zone_result.zone.code] = float(zone_result.result.ballots)
    # Top-3 share of a zone's ranking as a ballot is the share of zones that put the strategy in their top 3.
    zone_ballots = [z.result.to_ballot(weights[z.zone.code]) for z in zones]
    result = ranking.count(method, codes, zone_ballots)
    return MetroResult(method, weighting, result, tuple(zones), weights, everything.ballots)


def heatmap(metro: MetroResult) -> list[tuple[str, list[int]]]:
    """Strategy × zone ranks, strategies in the metropolitan order."""
    return [(row.code, [zone.result.row(row.code).rank for zone in metro.zones]) for row in metro.result.rows]


def consensus_and_division(metro: MetroResult, top: int = 5) -> tuple[list[str], list[tuple[str, int, int]]]:
    """Strategies in every zone's top ``top``, and those whose rank varies most between zones."""
    if not metro.zones:
        return [], []
    everywhere = [code for code, ranks in heatmap(metro) if all(rank <= top for rank in ranks)]
    spread = sorted(
        ((code, min(ranks), max(ranks)) for code, ranks in heatmap(metro)),
        key=lambda item: item[2] - item[1],
        reverse=True,
    )
    return everywhere, [item for item in spread if item[2] - item[1] >= len(metro.result.rows) // 2][:5]


# --- who may see which results -----------------------------------------------------------------


def can_see_session_results(user, session: ConsultationSession) -> bool:
    """Published: everyone. Before that: planners, admins and the zone's facilitators (drafts as load_session)."""
    if session.state == SessionState.PUBLISHED:
        return True
    if session.state == SessionState.DRAFT and not can(user, "zone.facilitate", session.zone):
        return False
    return can(user, "zone.results", session.zone)


def sees_unpublished(user) -> bool:
    """Whether the metropolitan results the person sees count open and closed sessions too."""
    return can(user, "results.all_zones")


def index_entries(user) -> list[tuple[Consultation, list[ConsultationSession], bool]]:
    """Consultations with a session past its draft: (consultation, sessions whose results the person may
    see, whether any of the consultation's sessions is published)."""
    consultations = db.session.scalars(
        select(Consultation)
        .options(selectinload(Consultation.sessions).selectinload(ConsultationSession.zone))
        .order_by(Consultation.created_at.desc(), Consultation.id.desc())
    )
    entries = []
    for consultation in consultations:
        started = [s for s in consultation.sessions if s.state != SessionState.DRAFT]
        if not started:
            continue
        visible = sorted((s for s in started if can_see_session_results(user, s)), key=lambda s: (s.zone.code, s.id))
        published = any(s.state == SessionState.PUBLISHED for s in started)
        entries.append((consultation, visible, published))
    return entries


def ballot_counts(sessions: list[ConsultationSession]) -> dict[int, int]:
    """Counted ballots per session id."""
    rows = db.session.execute(
        select(Ballot.session_id, func.count(Ballot.id))
        .where(Ballot.session_id.in_([s.id for s in sessions]))
        .group_by(Ballot.session_id)
    )
    counts = dict.fromkeys((s.id for s in sessions), 0)
    counts.update(dict(rows.all()))
    return counts


def ballots_by_category(session: ConsultationSession) -> dict[int | None, int]:
    """Counted ballots of one session per stakeholder category id (None: not stated), from the cached tallies."""
    tallies = _counts([session], scope_codes(session.consultation))[session.id].categories
    return {category_id: tally.ballots for category_id, tally in tallies.items() if tally.ballots}


# --- breakdowns --------------------------------------------------------------------------------


@dataclass(frozen=True)
class BallotRecord:
    """One counted ballot with what it is broken down by."""

    session_id: int
    category_id: int | None
    channel: Channel
    codes: tuple[str, ...]


def ballot_records(sessions: list[ConsultationSession]) -> tuple[BallotRecord, ...]:
    """Every counted ballot of the sessions with its category and channel, read now (not cached: the pages
    and downloads count from the tallies; this is for whoever needs the ballots one by one)."""
    query = (
        select(Ballot.id, Ballot.session_id, Ballot.channel, Participant.category_id, Strategy.code)
        .join(Participant, Participant.id == Ballot.participant_id)
        .join(BallotRank, BallotRank.ballot_id == Ballot.id)
        .join(Strategy, Strategy.id == BallotRank.strategy_id)
        .where(Ballot.session_id.in_([s.id for s in sessions]))
        .order_by(Ballot.session_id, Ballot.id, BallotRank.position)
    )
    found: dict[int, tuple[int, int | None, Channel, list[str]]] = {}
    for ballot_id, session_id, channel, category_id, code in db.session.execute(query):
        found.setdefault(ballot_id, (session_id, category_id, Channel(channel), []))[3].append(code)
    return tuple(BallotRecord(sid, cid, channel, tuple(codes)) for sid, cid, channel, codes in found.values())


@dataclass(frozen=True)
class CategoryResult:
    """One stakeholder category's ballots counted on their own (``category`` None: not stated)."""

    category: StakeholderCategory | None
    ballots: int
    result: ranking.Result


def categories() -> dict[str, StakeholderCategory]:
    """Stakeholder categories by code, in their order."""
    found = db.session.scalars(select(StakeholderCategory).order_by(StakeholderCategory.position))
    return {category.code: category for category in found}


def by_category(sessions: list[ConsultationSession], method: str, codes: list[str]) -> list[CategoryResult]:
    """Ballots and ranking of each stakeholder category that took part, in the categories' order."""

    def count() -> tuple[tuple[int | None, int, ranking.Result], ...]:
        groups: dict[int | None, list[ranking.Tally]] = {}
        for found in _counts(sessions, codes).values():
            for category_id, tally in found.categories.items():
                groups.setdefault(category_id, []).append(tally)
        totals = {category_id: ranking.Tally.total(len(codes), tallies) for category_id, tallies in groups.items()}
        return tuple(
            (category_id, tally.ballots, tally.result(method, codes))
            for category_id, tally in totals.items()
            if tally.ballots
        )

    key = ("categories", _version(sessions), tuple(codes), method)
    counted = counts.cached(key, count, lambda found: sum(_result_size(r) + 100 for _c, _n, r in found))
    known = {category.id: category for category in categories().values()}
    results = [CategoryResult(known.get(category_id), n, result) for category_id, n, result in counted]
    return sorted(results, key=lambda r: (r.category is None, r.category.position if r.category else 0))


def by_channel(sessions: list[ConsultationSession]) -> list[tuple[Channel, int]]:
    """Counted ballots per channel (online, room code, paper), every channel listed."""
    found = _counts(sessions, scope_codes(sessions[0].consultation)).values() if sessions else []
    return [(channel, sum(f.channels[channel] for f in found)) for channel in Channel]


def by_session(sessions: list[ConsultationSession]) -> Counter:
    """Counted ballots per session id."""
    if not sessions:
        return Counter()
    found = _counts(sessions, scope_codes(sessions[0].consultation))
    return Counter({session_id: f.ballots for session_id, f in found.items() if f.ballots})


# --- what participants wrote on their sheets ---------------------------------------------------


def _ids(sessions) -> list[int]:
    return [s.id for s in sessions]


def _strategies(ids) -> dict[int, Strategy]:
    if not ids:
        return {}
    return {s.id: s for s in db.session.scalars(select(Strategy).where(Strategy.id.in_(list(ids))))}


def _in_plan_order(groups: dict[int, object], strategies: dict[int, Strategy]) -> list[tuple[Strategy, object]]:
    return sorted(((strategies[sid], value) for sid, value in groups.items()), key=lambda p: code_key(p[0].code))


def priority_actions(sessions: list[ConsultationSession]) -> list[tuple[Strategy, list[tuple[Action, int]]]]:
    """How often each action was chosen as a priority, per strategy; most chosen first."""
    rows = db.session.execute(
        select(SheetPriorityAction.action_id, func.count(SheetPriorityAction.id))
        .join(StrategySheet, StrategySheet.id == SheetPriorityAction.sheet_id)
        .join(Participant, Participant.id == StrategySheet.participant_id)
        .where(Participant.session_id.in_(_ids(sessions)))
        .group_by(SheetPriorityAction.action_id)
    ).all()
    counts = dict(rows)
    actions = list(db.session.scalars(select(Action).where(Action.id.in_(list(counts))))) if counts else []
    groups: dict[int, list[tuple[Action, int]]] = {}
    for action in actions:
        groups.setdefault(action.strategy_id, []).append((action, counts[action.id]))
    for pairs in groups.values():
        pairs.sort(key=lambda pair: (-pair[1], pair[0].position))
    return _in_plan_order(groups, _strategies(groups))


@dataclass(frozen=True)
class ProposalRow:
    proposal: ProjectProposal
    supports: int
    zone: Zone


def proposals(sessions: list[ConsultationSession]) -> list[tuple[Strategy, list[ProposalRow]]]:
    """Projects proposed (not hidden by moderators), grouped by strategy, most supported first."""
    supports = (
        select(ProposalSupport.proposal_id, func.count(ProposalSupport.id).label("n"))
        .group_by(ProposalSupport.proposal_id)
        .subquery()
    )
    rows = db.session.execute(
        select(ProjectProposal, func.coalesce(supports.c.n, 0))
        .outerjoin(supports, supports.c.proposal_id == ProjectProposal.id)
        .where(ProjectProposal.session_id.in_(_ids(sessions)), ProjectProposal.hidden_at.is_(None))
        .options(selectinload(ProjectProposal.session).selectinload(ConsultationSession.zone))
        .order_by(ProjectProposal.id)
    ).all()
    groups: dict[int, list[ProposalRow]] = {}
    for proposal, count in rows:
        groups.setdefault(proposal.strategy_id, []).append(ProposalRow(proposal, int(count), proposal.session.zone))
    for items in groups.values():
        items.sort(key=lambda row: (-row.supports, row.proposal.id))
    return _in_plan_order(groups, _strategies(groups))


def conditions_matrix(
    sessions: list[ConsultationSession],
) -> tuple[list[ConditionTag], list[tuple[Strategy, list[int]]]]:
    """Enabling conditions named on the sheets: the conditions named at all (in their order), and per strategy
    how many sheets named each one."""
    rows = db.session.execute(
        select(StrategySheet.strategy_id, SheetCondition.condition_id, func.count(SheetCondition.id))
        .join(StrategySheet, StrategySheet.id == SheetCondition.sheet_id)
        .join(Participant, Participant.id == StrategySheet.participant_id)
        .where(Participant.session_id.in_(_ids(sessions)))
        .group_by(StrategySheet.strategy_id, SheetCondition.condition_id)
    ).all()
    tag_ids = {tag_id for _strategy, tag_id, _n in rows}
    tags = (
        list(
            db.session.scalars(select(ConditionTag).where(ConditionTag.id.in_(tag_ids)).order_by(ConditionTag.position))
        )
        if tag_ids
        else []
    )
    column = {tag.id: index for index, tag in enumerate(tags)}
    groups: dict[int, list[int]] = {}
    for strategy_id, tag_id, count in rows:
        groups.setdefault(strategy_id, [0] * len(tags))[column[tag_id]] = int(count)
    return tags, _in_plan_order(groups, _strategies(groups))


@dataclass(frozen=True)
class ActorNetwork:
    """The actors named for a strategy: (name, times named), most named first."""

    strategy: Strategy
    active: list[tuple[str, int]]
    to_activate: list[tuple[str, int]]


def actor_networks(sessions: list[ConsultationSession]) -> list[ActorNetwork]:
    """Per strategy, the networks already active and those to activate, as the sheets name them."""
    rows = db.session.execute(
        select(StrategySheet.strategy_id, SheetActor.name, SheetActor.state)
        .join(StrategySheet, StrategySheet.id == SheetActor.sheet_id)
        .join(Participant, Participant.id == StrategySheet.participant_id)
        .where(Participant.session_id.in_(_ids(sessions)))
        .order_by(SheetActor.id)
    ).all()
    # The same actor typed with other capitals or spaces is one actor; the first spelling is shown.
    groups: dict[int, dict[ActorState, dict[str, list]]] = {}
    for strategy_id, name, state in rows:
        names = groups.setdefault(strategy_id, {ActorState.ACTIVE: {}, ActorState.TO_ACTIVATE: {}})[ActorState(state)]
        entry = names.setdefault(" ".join(name.split()).casefold(), [name, 0])
        entry[1] += 1

    def ordered(names: dict[str, list]) -> list[tuple[str, int]]:
        return sorted(((name, count) for name, count in names.values()), key=lambda p: (-p[1], p[0].casefold()))

    return [
        ActorNetwork(strategy, ordered(states[ActorState.ACTIVE]), ordered(states[ActorState.TO_ACTIVATE]))
        for strategy, states in _in_plan_order(groups, _strategies(groups))
    ]


def comment_counts(sessions: list[ConsultationSession]) -> dict[str, int]:
    """Comments and replies not hidden by moderators, per strategy code (those on a project count for its
    strategy)."""
    strategy_id = func.coalesce(Comment.strategy_id, ProjectProposal.strategy_id)
    rows = db.session.execute(
        select(strategy_id, func.count(Comment.id))
        .outerjoin(ProjectProposal, ProjectProposal.id == Comment.proposal_id)
        .where(Comment.session_id.in_(_ids(sessions)), Comment.hidden_at.is_(None))
        .group_by(strategy_id)
    ).all()
    strategies = _strategies({sid for sid, _n in rows if sid is not None})
    return {strategies[sid].code: int(n) for sid, n in rows if sid in strategies}


# --- what a results page shows -----------------------------------------------------------------


def _now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


class _ContributionsView:
    """What participants said besides their rankings, over ``self.sessions``; each part loaded on first use."""

    sessions: list[ConsultationSession]
    consultation: Consultation
    method: str

    @cached_property
    def categories(self) -> list[CategoryResult]:
        return by_category(self.sessions, self.method, scope_codes(self.consultation))

    @cached_property
    def channels(self) -> list[tuple[Channel, int]]:
        return by_channel(self.sessions)

    @cached_property
    def actions(self):
        return priority_actions(self.sessions)

    @cached_property
    def proposals(self):
        return proposals(self.sessions)

    @cached_property
    def proposal_activities(self):
        """The activity already under way each proposal builds on (consult.monitoring), by proposal id."""
        from consult.monitoring.services import activities_by_proposal

        return activities_by_proposal([item.proposal.id for _strategy, items in self.proposals for item in items])

    @cached_property
    def conditions(self):
        return conditions_matrix(self.sessions)

    @cached_property
    def actors(self):
        return actor_networks(self.sessions)

    @cached_property
    def comments(self) -> dict[str, int]:
        return comment_counts(self.sessions)


class SessionView(_ContributionsView):
    """A session's results for one method (and optionally one category), loading each part on first use."""

    def __init__(self, session: ConsultationSession, method: str, category: StakeholderCategory | None = None):
        if method not in METHODS:
            raise ValueError(f"unknown method {method!r}")
        self.session = session
        self.consultation = session.consultation
        self.sessions = [session]
        self.method = method
        #: A session is counted as it is: one ballot, one vote; weightings are for the metropolitan count.
        self.weighting = None
        self.category = category
        self.result = session_result(session, method, category.code if category else None)
        self.generated_at = _now()
        #: Results not yet published: provisional, and seen by staff only.
        self.provisional = session.state != SessionState.PUBLISHED
        self.strategies = {s.code: s for s in self.consultation.strategies}

    def result_for(self, method: str) -> ranking.Result:
        return session_result(self.session, method, self.category.code if self.category else None)

    @cached_property
    def ballots(self) -> int:
        """All counted ballots of the session, whatever the category filter."""
        return sum(by_session(self.sessions).values())


@dataclass(frozen=True)
class ZoneParticipation:
    zone: Zone
    sessions: int
    ballots: int
    #: The weight of the zone's ranking in the metropolitan count (None when pooled or without ballots).
    weight: float | None
    #: That weight as a share of all the zones' weights.
    share: float | None


class ConsultationView(_ContributionsView):
    """The metropolitan results of a consultation for one method and weighting, parts loaded on first use."""

    def __init__(self, consultation: Consultation, method: str, weighting: str, *, published_only: bool):
        self.consultation = consultation
        self.method = method
        self.weighting = weighting
        self.published_only = published_only
        self.metro = metro_result(consultation, method, weighting, published_only=published_only)
        self.result = self.metro.result
        self.sessions = sessions_for_results(consultation, published_only=published_only)
        self.generated_at = _now()
        self.provisional = any(s.state != SessionState.PUBLISHED for s in self.sessions)
        #: Unpublished sessions exist that this view leaves out (the public's view while zones are still at work).
        self.unpublished_left_out = published_only and any(
            s.state in (SessionState.OPEN, SessionState.CLOSED) for s in consultation.sessions
        )
        self.strategies = {s.code: s for s in consultation.strategies}
        self.category = None

    def result_for(self, method: str) -> ranking.Result:
        return metro_result(self.consultation, method, self.weighting, published_only=self.published_only).result

    @property
    def ballots(self) -> int:
        return self.metro.ballots

    @cached_property
    def heatmap(self) -> list[tuple[str, int, list[int]]]:
        """(code, metropolitan rank, rank in each zone of ``metro.zones``)."""
        return [(code, self.result.row(code).rank, ranks) for code, ranks in heatmap(self.metro)]

    @cached_property
    def consensus(self) -> tuple[list[str], list[tuple[str, int, int]]]:
        return consensus_and_division(self.metro)

    @cached_property
    def participation(self) -> list[ZoneParticipation]:
        """Every zone with a session counted here, in zone order."""
        counts = by_session(self.sessions)
        zones: dict[int, list[ConsultationSession]] = {}
        for session in self.sessions:
            zones.setdefault(session.zone.code, []).append(session)
        total_weight = sum(self.metro.weights.values())
        rows = []
        for code in sorted(zones):
            weight = self.metro.weights.get(code)
            rows.append(
                ZoneParticipation(
                    zones[code][0].zone,
                    len(zones[code]),
                    sum(counts.get(s.id, 0) for s in zones[code]),
                    weight,
                    weight / total_weight if weight is not None and total_weight else None,
                )
            )
        return rows

"""A generated consultation in the 11 zones with any number of ballots, written in bulk.

`build(app, ballots)` creates (in the app's database, which must already be migrated and seeded) one
consultation on the whole plan with one published session per zone, plus a second, closed session in zone 1
(so that staff and public results differ), and ``ballots`` counted ballots spread over the sessions in
proportion to the zones' population. Each ballot ranks 5 strategies (one in five ranks 1 to 4), leaning
towards the zone's axes as the demo data does; participants get a stakeholder category (one in twenty none)
and a channel. Everything is drawn from a seeded generator, so the same number gives the same ballots.

The rows go in with COPY on PostgreSQL and executemany on SQLite: 400,000 ballots take well under a minute.
Ballot versions (the audit history) are not written: counting never reads them.
"""

from __future__ import annotations

import numpy as np
from sqlalchemy import func, insert, select, update

from consult.demo import CATEGORY_WEIGHTS, ZONE_LEANINGS
from consult.extensions import db
from consult.models import (
    Ballot,
    BallotRank,
    Channel,
    ConsultationSession,
    Participant,
    Plan,
    SessionState,
    StakeholderCategory,
    Zone,
)
from consult.models.people import utcnow
from consult.participation import services

DEPTH = 5
CHANNELS = (Channel.CODE.value, Channel.PAPER.value, Channel.ONLINE.value)


def build(app, ballots: int, *, seed: int = 2026, title: str = "Benchmark") -> int:
    """Create the consultation and its ballots; returns the consultation's id. Commits."""
    rng = np.random.default_rng(seed)
    with app.app_context():
        plan = db.session.scalar(select(Plan))
        consultation = services.create_consultation(plan, f"{title} — {ballots:,} schede", depth=DEPTH)
        zones = list(db.session.scalars(select(Zone).order_by(Zone.code)))
        sessions = []
        for zone in zones:
            session = services.create_session(consultation, zone)
            services.set_state(session, SessionState.OPEN)
            sessions.append(session)
        extra = services.create_session(consultation, zones[0], title=f"{title} — zona 1, secondo incontro")
        services.set_state(extra, SessionState.OPEN)
        db.session.flush()
        strategies = consultation.strategies_in_order
        strategy_ids = np.array([s.id for s in strategies])
        axes = [s.axis.code for s in strategies]
        categories = {c.code: c.id for c in db.session.scalars(select(StakeholderCategory))}
        category_ids = np.array([categories[code] for code in CATEGORY_WEIGHTS] + [0])
        category_p = np.array([*CATEGORY_WEIGHTS.values()], dtype=float)
        category_p = np.append(category_p / category_p.sum() * 0.95, 0.05)

        population = np.array([z.population_2011 for z in zones], dtype=float)
        shares = np.append(population / population.sum() * 0.95, 0.05)  # the extra session gets 5%
        per_session = np.floor(shares * ballots).astype(int)
        per_session[0] += ballots - per_session.sum()
        ids = {
            "participant": _next_id(Participant),
            "ballot": _next_id(Ballot),
            "ballot_rank": _next_id(BallotRank),
        }
        participants, ballot_rows, rank_rows = [], [], []
        for session, count in zip([*sessions, extra], per_session, strict=True):
            lean = ZONE_LEANINGS[session.zone.code]
            bonus = np.array([1.2 if a == lean[0] else 0.7 if a in lean[1:] else 0.0 for a in axes])
            scores = rng.normal(size=(count, len(strategies))) + bonus
            order = np.argsort(-scores, axis=1, kind="stable")[:, :DEPTH]
            depths = np.where(rng.random(count) < 0.8, DEPTH, rng.integers(1, DEPTH, size=count))
            cats = rng.choice(category_ids, size=count, p=category_p)
            channels = rng.choice(3, size=count, p=[0.5, 0.3, 0.2])
            for n in range(count):
                pid, bid = ids["participant"], ids["ballot"]
                ids["participant"] += 1
                ids["ballot"] += 1
                channel = CHANNELS[channels[n]]
                label = f"S{n + 1:06}" if channel == Channel.PAPER.value else None
                participants.append((pid, session.id, label, int(cats[n]) or None))
                ballot_rows.append((bid, pid, session.id, channel))
                for position in range(int(depths[n])):
                    rank_rows.append((ids["ballot_rank"], bid, position + 1, int(strategy_ids[order[n, position]])))
                    ids["ballot_rank"] += 1
        _write(participants, ballot_rows, rank_rows)
        for session in sessions:
            services.set_state(session, SessionState.CLOSED)
            services.set_state(session, SessionState.PUBLISHED)
        services.set_state(extra, SessionState.CLOSED)
        db.session.execute(
            update(ConsultationSession)
            .where(ConsultationSession.consultation_id == consultation.id)
            .values(ballots_version=ConsultationSession.ballots_version + 1)
        )
        db.session.commit()
        return consultation.id


def _next_id(model) -> int:
    return (db.session.scalar(select(func.max(model.id))) or 0) + 1


def _write(participants, ballots, ranks) -> None:
    stamp = utcnow()
    if db.session.get_bind().dialect.name == "postgresql":
        connection = db.session.connection().connection.driver_connection
        with connection.cursor() as cursor:
            with cursor.copy("COPY participant (id, session_id, label, category_id, joined_at) FROM STDIN") as copy:
                for row in participants:
                    copy.write_row((*row, stamp))
            columns = "id, participant_id, session_id, channel, version, updated_at"
            with cursor.copy(f"COPY ballot ({columns}) FROM STDIN") as copy:
                for row in ballots:
                    copy.write_row((*row, 1, stamp))
            with cursor.copy("COPY ballot_rank (id, ballot_id, position, strategy_id) FROM STDIN") as copy:
                copy.write("".join(f"{r[0]}\t{r[1]}\t{r[2]}\t{r[3]}\n" for r in ranks))
            for table in ("participant", "ballot", "ballot_rank"):
                # The table names are the three literals above.
                sql = f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"  # noqa: S608
                cursor.execute(sql)
        return
    db.session.execute(
        insert(Participant),
        [
            {"id": i, "session_id": s, "label": lbl, "category_id": c, "joined_at": stamp}
            for i, s, lbl, c in participants
        ],
    )
    db.session.execute(
        insert(Ballot),
        [
            {"id": i, "participant_id": p, "session_id": s, "channel": Channel(c), "version": 1, "updated_at": stamp}
            for i, p, s, c in ballots
        ],
    )
    cursor = db.session.connection().connection.driver_connection.cursor()
    cursor.executemany("INSERT INTO ballot_rank (id, ballot_id, position, strategy_id) VALUES (?, ?, ?, ?)", ranks)

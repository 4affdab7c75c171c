"""A small, plausible demo dataset, so that a fresh `make run` has something to look at.

Two consultations: the December 2023 "Dalle strategie alle azioni" event in all 11 zones (closed and
published, with ballots from every channel, sheets, proposals and comments) and a 2026 round of
periodic meetings that is open for participation. Demo accounts get a random password, printed once.
"""

from __future__ import annotations

import random
import secrets
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import func, select

from consult.auth.services import create_user
from consult.config import INSTANCE_DIR
from consult.extensions import db
from consult.models import (
    ActorState,
    Channel,
    Competence,
    Consultation,
    Funding,
    Mode,
    Participant,
    Plan,
    ProjectStatus,
    RelatedPlan,
    Role,
    SessionState,
    StakeholderCategory,
    Zone,
)
from consult.participation import contributions, services
from consult.participation.ballots import submit_ballot

#: Axes each zone leans towards, so the zones' rankings differ the way real ones would.
ZONE_LEANINGS = {
    1: ("5", "3", "1"),
    2: ("3", "2", "1"),
    3: ("3", "2", "5"),
    4: ("2", "3", "5"),
    5: ("2", "1", "6"),
    6: ("3", "2", "1"),
    7: ("3", "1", "6"),
    8: ("1", "6", "3"),
    9: ("4", "1", "5"),
    10: ("3", "2", "4"),
    11: ("2", "6", "3"),
}
CATEGORY_WEIGHTS = {
    "comune": 30,
    "ente_pubblico": 8,
    "impresa": 14,
    "terzo_settore": 16,
    "universita": 5,
    "scuola": 7,
    "sindacato": 4,
    "cittadino": 14,
    "altro": 2,
}
IMPLEMENTATION_NOTES = [
    "Partire dai progetti già finanziati e metterli in rete a livello di zona, con un tavolo tecnico stabile.",
    "Serve una regia sovracomunale: i piccoli comuni da soli non hanno personale per progettare e rendicontare.",
    "Coinvolgere le scuole e le associazioni del territorio fin dalla fase di progettazione.",
    "Usare le Unioni montane come ambito di gestione associata e di sperimentazione.",
]
PROJECTS = [
    ("Hub di mobilità integrata alla stazione", Funding.PNRR, ProjectStatus.DESIGN, Competence.LOCAL),
    ("Comunità energetica rinnovabile intercomunale", Funding.EU_COHESION, ProjectStatus.IDEA, Competence.LOCAL),
    ("Sportello unico digitale per le imprese", Funding.REGIONAL, ProjectStatus.FUNDED, Competence.METRO),
    ("Rete dei servizi educativi 0–6 di valle", Funding.PNRR, ProjectStatus.UNDERWAY, Competence.LOCAL),
    ("Casa di comunità e telemedicina", Funding.PNRR, ProjectStatus.UNDERWAY, Competence.OTHER_LEVELS),
]
COMMENTS = [
    "Concordo: senza trasporto pubblico serale i giovani lasciano la valle.",
    "Attenzione ai tempi dei bandi PNRR, molti comuni non riescono a rispettarli.",
    "Si potrebbe collegare al progetto già avviato dall'Unione montana.",
    "Bene, ma serve personale dedicato per la manutenzione dopo la realizzazione.",
]


def create_demo(seed: int = 2023) -> dict[str, str]:
    """Create the demo dataset; returns the demo accounts' emails with their (random) password."""
    rng = random.Random(seed)  # noqa: S311 - demo data, not security
    plan = db.session.scalar(select(Plan))
    zones = list(db.session.scalars(select(Zone).order_by(Zone.code)))
    categories = {c.code: c for c in db.session.scalars(select(StakeholderCategory))}
    password = secrets.token_urlsafe(12)
    accounts = {
        "admin@demo.example.org": (Role.ADMIN, []),
        "pianificazione@demo.example.org": (Role.PLANNER, []),
        "facilitatore@demo.example.org": (Role.FACILITATOR, [zones[0], zones[4]]),
        "partecipante@demo.example.org": (Role.STAKEHOLDER, []),
    }
    users = {}
    for email, (role, facilitated) in accounts.items():
        users[email] = create_user(
            email,
            password,
            display_name=email.split("@")[0].capitalize(),
            role=role,
            category=categories["comune"] if role == Role.STAKEHOLDER else categories["ente_pubblico"],
            zone=zones[4],
            facilitated_zones=facilitated,
            privacy_accepted=True,
            confirmed=True,
        )

    event = services.create_consultation(
        plan,
        "Dalle strategie alle azioni — dicembre 2023",
        depth=5,
        description=(
            "L'evento partecipativo del 5 dicembre 2023 con le 11 Zone omogenee: quali strategie sono "
            "prioritarie per ciascuna zona e come attuarle sul territorio."
        ),
    )
    for zone in zones:
        session = services.create_session(
            event,
            zone,
            mode=Mode.HYBRID,
            starts_at=datetime(2023, 12, 5, 9, 30, tzinfo=UTC),
            place="Torino, Corso Inghilterra 7",
            facilitators=[users["facilitatore@demo.example.org"]] if zone.code in (1, 5) else [],
        )
        services.set_state(session, SessionState.OPEN)
        _fill(session, rng, categories, ballots=rng.randint(18, 34), contributions_too=True)
        services.set_state(session, SessionState.CLOSED)
        services.set_state(session, SessionState.PUBLISHED)

    periodic = services.create_consultation(
        plan,
        "Incontri periodici 2026 — verifica delle priorità",
        depth=5,
        description="Gli incontri periodici previsti fino al 2026 per verificare le priorità di ogni zona.",
    )
    for zone in zones:
        session = services.create_session(
            periodic, zone, mode=Mode.ONLINE, starts_at=datetime(2026, 12, 1, 17, tzinfo=UTC)
        )
        services.set_state(session, SessionState.OPEN)
        _fill(session, rng, categories, ballots=rng.randint(3, 8), contributions_too=False)
        services.generate_codes(session, 20)
    db.session.flush()
    return {email: password for email in accounts}


def _fill(session, rng, categories, *, ballots: int, contributions_too: bool) -> None:
    strategies = session.consultation.strategies_in_order
    leaning = ZONE_LEANINGS[session.zone.code]
    codes = list(CATEGORY_WEIGHTS)
    weights = list(CATEGORY_WEIGHTS.values())
    participants = []
    for n in range(ballots):
        category = categories[rng.choices(codes, weights)[0]]
        channel = rng.choices([Channel.CODE, Channel.PAPER, Channel.ONLINE], [5, 3, 2])[0]
        if channel == Channel.CODE:
            code = services.generate_codes(session, 1)[0]
            participant = services.redeem_code(code, category=category)
        else:
            participant = Participant(session=session, category=category, label=f"S{n + 1:03}")
            db.session.add(participant)
            db.session.flush()
        # Each person likes the zone's axes more, with plenty of personal variation.
        scores = {
            s.code: rng.gauss(0, 1) + (1.2 if s.axis.code == leaning[0] else 0.7 if s.axis.code in leaning[1:] else 0)
            for s in strategies
        }
        ranking = sorted(scores, key=scores.get, reverse=True)[: session.consultation.depth]
        submit_ballot(participant, ranking, channel)
        participants.append((participant, ranking))
    if not contributions_too:
        return
    by_code = {s.code: s for s in strategies}
    for participant, ranking in participants[:4]:
        strategy = by_code[ranking[0]]
        contributions.save_sheet(
            participant,
            strategy,
            implementation=rng.choice(IMPLEMENTATION_NOTES),
            priority_action_codes=[a.code for a in strategy.actions[:2]],
            actors=[
                contributions.ActorInput("Unione montana", "comune", ActorState.ACTIVE, "Capofila"),
                contributions.ActorInput("Istituti comprensivi", "scuola", ActorState.TO_ACTIVATE),
            ],
            conditions={"risorse_finanziarie": "", "personale_dedicato": "Almeno una persona per zona", "tempi": ""},
        )
        title, funding, status, competence = rng.choice(PROJECTS)
        proposal = contributions.propose_project(
            participant,
            strategy,
            contributions.ProposalInput(
                title=title,
                description="Proposta emersa al tavolo di zona.",
                promoter=f"Comuni della zona {session.zone.code}",
                action_codes=(strategy.actions[0].code,),
                funding=funding,
                status=status,
                competence=competence,
                related_plans=(RelatedPlan.PTGM,),
            ),
        )
        contributions.add_comment(participant, rng.choice(COMMENTS), strategy=strategy)
        for other, _ranking in participants[5:7]:
            contributions.support(other, proposal)


def demo_needed() -> bool:
    return db.session.scalar(select(func.count()).select_from(Consultation)) == 0


def save_credentials(credentials: dict[str, str]) -> Path:
    """Keep the demo passwords where the person who ran `make run` can find them again."""
    INSTANCE_DIR.mkdir(parents=True, exist_ok=True)
    path = INSTANCE_DIR / "demo-accounts.txt"
    path.write_text("".join(f"{email}\t{password}\n" for email, password in credentials.items()))
    path.chmod(0o600)
    return path

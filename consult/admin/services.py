"""Account administration, the managed lists and the audit log. Helpers flush and record audit events;
the view commits once."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext, to_user_timezone, to_utc
from sqlalchemy import Select, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, selectinload

from consult import audit
from consult.auth.services import count_admins, find_by_email, normalise_email
from consult.errors import DomainError
from consult.extensions import db
from consult.models import (
    AuditEvent,
    ConditionTag,
    Participant,
    Role,
    SheetActor,
    SheetCondition,
    StakeholderCategory,
    User,
    Zone,
)
from consult.models.people import ManagedList

USERS_PER_PAGE = 25
EVENTS_PER_PAGE = 50

#: Account states the user list filters on; deleted accounts are listed only when asked for.
USER_STATES = {
    "": _l("Attivi e disattivati"),
    "active": _l("Solo attivi"),
    "inactive": _l("Solo disattivati"),
    "deleted": _l("Eliminati"),
}

#: What each audit action means, for people; an action missing here is shown by its name.
ACTION_LABELS = {
    "auth.login": _l("Accesso"),
    "auth.login_failed": _l("Accesso non riuscito"),
    "auth.logout": _l("Uscita"),
    "auth.signed_out_everywhere": _l("Uscita da tutti i dispositivi"),
    "auth.registered": _l("Registrazione"),
    "auth.email_confirmed": _l("Email confermata"),
    "auth.password_changed": _l("Password cambiata"),
    "auth.reset_requested": _l("Richiesta di una nuova password"),
    "user.created": _l("Account creato"),
    "user.profile_updated": _l("Profilo modificato"),
    "user.data_exported": _l("Dati personali scaricati"),
    "user.deleted": _l("Account eliminato"),
    "user.role_changed": _l("Ruolo cambiato"),
    "user.zones_changed": _l("Zone facilitate cambiate"),
    "user.deactivated": _l("Account disattivato"),
    "user.reactivated": _l("Account riattivato"),
    "user.invited": _l("Invito a un account dello staff"),
    "user.invitation_accepted": _l("Invito accettato"),
    "consultation.created": _l("Consultazione creata"),
    "consultation.updated": _l("Consultazione modificata"),
    "session.created": _l("Sessione creata"),
    "session.updated": _l("Sessione modificata"),
    "session.state_changed": _l("Stato della sessione cambiato"),
    "codes.generated": _l("Codici di partecipazione generati"),
    "codes.printed": _l("Codici di partecipazione stampati"),
    "code.revoked": _l("Codice di partecipazione annullato"),
    "ballot.paper_entered": _l("Scheda cartacea inserita"),
    "ballot.paper_corrected": _l("Scheda cartacea corretta"),
    "ballots.imported": _l("Schede importate"),
    "comment.reported": _l("Commento segnalato"),
    "results.downloaded": _l("Risultati scaricati"),
    "comment.hidden": _l("Commento nascosto dai moderatori"),
    "comment.restored": _l("Commento ripristinato dai moderatori"),
    "comment.kept": _l("Segnalazioni del commento chiuse, commento lasciato visibile"),
    "proposal.reported": _l("Progetto segnalato"),
    "proposal.hidden": _l("Progetto nascosto dai moderatori"),
    "proposal.restored": _l("Progetto ripristinato dai moderatori"),
    "proposal.kept": _l("Segnalazioni del progetto chiuse, progetto lasciato visibile"),
    "projection.revealed": _l("Classifica mostrata sulla proiezione"),
    "projection.concealed": _l("Classifica nascosta dalla proiezione"),
    "projection.link_created": _l("Link della proiezione creato"),
    "projection.link_revoked": _l("Link della proiezione revocato"),
    "list.entry_created": _l("Voce di un elenco aggiunta"),
    "list.entry_changed": _l("Voce di un elenco modificata"),
    "audit.exported": _l("Registro scaricato"),
    "contributions.downloaded": _l("Contributi scaricati"),
    "proposal_group.confirmed": _l("Progetti simili raggruppati"),
    "proposal_group.dismissed": _l("Raggruppamento di progetti scartato"),
    "proposal_group.reopened": _l("Decisione su un raggruppamento annullata"),
    "synthesis.quote_chosen": _l("Contributo scelto da citare nella sintesi"),
    "synthesis.quote_removed": _l("Contributo tolto dalle citazioni della sintesi"),
    "monitoring.link_accepted": _l("Attività collegata al Piano"),
    "monitoring.link_rejected": _l("Collegamento suggerito scartato"),
    "monitoring.link_removed": _l("Collegamento al Piano rimosso"),
    "monitoring.target_saved": _l("Obiettivo misurabile salvato"),
    "monitoring.target_deleted": _l("Obiettivo non più misurato"),
}

#: What each detail of an event is, for people (``provisional`` reads «provvisori»).
DETAIL_LABELS = {
    "role": _l("ruolo"),
    "zones": _l("zone facilitate"),
    "from": _l("da"),
    "to": _l("a"),
    "added": _l("aggiunte"),
    "removed": _l("tolte"),
    "fields": _l("campi"),
    "changed": _l("campi cambiati"),
    "before": _l("prima"),
    "after": _l("dopo"),
    "scope": _l("strategie in consultazione"),
    "depth": _l("posti da assegnare"),
    "zone": _l("zona"),
    "consultation": _l("consultazione"),
    "session": _l("sessione"),
    "previous": _l("stato precedente"),
    "state": _l("nuovo stato"),
    "count": _l("quanti"),
    "format": _l("formato"),
    "code": _l("codice"),
    "label": _l("etichetta della scheda"),
    "source": _l("origine"),
    "created": _l("nuove"),
    "replaced": _l("sostituite"),
    "name_it": _l("nome in italiano"),
    "name_en": _l("nome in inglese"),
    "position": _l("posizione"),
    "active": _l("attiva"),
    "rows": _l("righe"),
    "filters": _l("filtri"),
    "action": _l("azione"),
    "actor": _l("chi"),
    "date_from": _l("dal giorno"),
    "date_to": _l("al giorno"),
    "method": _l("metodo"),
    "weighting": _l("ponderazione"),
    "provisional": _l("provvisori"),
    "table": _l("tabella"),
    "category": _l("categoria"),
    "email": _l("email"),
    "contribution": _l("contributo"),
    "proposals": _l("proposte"),
    "strategy": _l("strategia"),
    "kind": _l("tipo di contributo"),
    "q": _l("ricerca"),
    "allow_multiple_zones": _l("più zone per persona"),
    "plan_action": _l("azione del Piano"),
    "score": _l("punteggio"),
    "axis": _l("Asse"),
    "target_index": _l("obiettivo"),
    "indicators": _l("indicatori"),
}

#: Names of the fields events list (``fields``, ``changed``, ``before``, ``after``).
FIELD_LABELS = {
    "title": _l("titolo"),
    "description": _l("descrizione"),
    "scope": _l("strategie in consultazione"),
    "scope_axes": _l("Assi"),
    "ranking_depth": _l("posti da assegnare"),
    "strategies": _l("strategie"),
    "starts_on": _l("dal giorno"),
    "ends_on": _l("al giorno"),
    "mode": _l("modalità"),
    "starts_at": _l("data e ora"),
    "place": _l("luogo"),
    "zone": _l("zona"),
    "display_name": _l("nome"),
    "organisation": _l("organizzazione"),
    "category": _l("categoria"),
    "language": _l("lingua"),
    "code": _l("codice"),
    "name_it": _l("nome in italiano"),
    "name_en": _l("nome in inglese"),
    "position": _l("posizione"),
    "active": _l("attiva"),
}

#: Tables of a results download, by the name ``?table=`` takes.
TABLE_LABELS = {
    "ranking": _l("classifica"),
    "zones": _l("per zona"),
    "heatmap": _l("mappa delle zone"),
    "categories": _l("per categoria"),
    "channels": _l("per canale"),
    "actions": _l("azioni prioritarie"),
    "projects": _l("progetti proposti"),
    "conditions": _l("condizioni abilitanti"),
    "actors": _l("soggetti"),
    "comments": _l("commenti"),
    "participation": _l("partecipazione"),
}

#: What an event happened to, by table name; ``utente #12``.
TARGET_LABELS = {
    "user": _l("utente"),
    "consultation": _l("consultazione"),
    "consultation_session": _l("sessione"),
    "ballot": _l("scheda"),
    "comment": _l("commento"),
    "project_proposal": _l("progetto"),
    "stakeholder_category": _l("categoria"),
    "condition_tag": _l("condizione abilitante"),
    "proposal_group": _l("raggruppamento di progetti"),
    "synthesis_quote": _l("citazione nella sintesi"),
}


# --- accounts ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class UserFilter:
    text: str = ""
    role: Role | None = None
    zone: Zone | None = None
    state: str = ""


def users_query(filters: UserFilter) -> Select:
    """Accounts matching ``filters``, by name; a zone matches the people of that zone and its facilitators."""
    query = select(User).options(joinedload(User.category), joinedload(User.zone), selectinload(User.facilitated_zones))
    if filters.state == "deleted":
        query = query.where(User.deleted_at.is_not(None))
    else:
        query = query.where(User.deleted_at.is_(None))
        if filters.state == "active":
            query = query.where(User.active.is_(True))
        elif filters.state == "inactive":
            query = query.where(User.active.is_(False))
    if text := filters.text.strip().lower():
        query = query.where(
            or_(
                func.lower(User.display_name).contains(text, autoescape=True),
                func.lower(User.email).contains(text, autoescape=True),
                func.lower(User.organisation).contains(text, autoescape=True),
            )
        )
    if filters.role is not None:
        query = query.where(User.role == filters.role)
    if filters.zone is not None:
        query = query.where(
            or_(User.zone_id == filters.zone.id, User.facilitated_zones.any(Zone.id == filters.zone.id))
        )
    return query.order_by(func.lower(User.display_name), User.id)


@dataclass(frozen=True)
class AccountChange:
    role_changed: bool = False
    zones_added: tuple[int, ...] = ()
    zones_removed: tuple[int, ...] = ()
    #: Zones were asked for or held, but the role is not facilitator, so none are kept.
    zones_dropped: bool = False

    @property
    def changed(self) -> bool:
        return self.role_changed or bool(self.zones_added or self.zones_removed)


def update_account(user: User, role: Role, zones: list[Zone]) -> AccountChange:
    """Set the role and, for a facilitator, the zones they run; other roles hold no zones."""
    _refuse_if_deleted(user)
    zones_dropped = False
    if role != Role.FACILITATOR:
        zones_dropped = bool(zones or user.facilitated_zones)
        zones = []
    role_changed = role != user.role
    if role_changed:
        if user.role == Role.ADMIN:
            _keep_an_admin(
                user,
                _(
                    "Non si può togliere il ruolo di amministratore all'ultimo amministratore attivo: "
                    "nomina prima un altro amministratore."
                ),
            )
        audit.record("user.role_changed", user, **{"from": user.role.value, "to": role.value})
        user.role = role
    before = {zone.code for zone in user.facilitated_zones}
    after = {zone.code for zone in zones}
    if before != after:
        user.facilitated_zones = sorted(zones, key=lambda zone: zone.code)
        audit.record("user.zones_changed", user, added=sorted(after - before), removed=sorted(before - after))
    db.session.flush()
    return AccountChange(
        role_changed=role_changed,
        zones_added=tuple(sorted(after - before)),
        zones_removed=tuple(sorted(before - after)),
        zones_dropped=zones_dropped,
    )


#: Roles an invitation can give: staff, not participants (who register themselves).
STAFF_ROLES = (Role.FACILITATOR, Role.PLANNER, Role.ADMIN)


def invite_staff(email: str, display_name: str, role: Role, zones: list[Zone], language: str | None) -> User:
    """A staff account without a password yet: the invitee sets one from the emailed link."""
    email = normalise_email(email)
    if find_by_email(email) is not None:
        raise DomainError(
            _("Esiste già un account con questo indirizzo: cambia il suo ruolo dalla sua pagina."), status=409
        )
    if role not in STAFF_ROLES:
        raise DomainError(_("Si invitano solo facilitatori, pianificatori e amministratori."))
    if role == Role.FACILITATOR and not zones:
        raise DomainError(_("Scegli almeno una zona per un facilitatore."))
    user = User(
        email=email,
        password_hash=None,
        display_name=display_name.strip(),
        role=role,
        language=language,
    )
    user.facilitated_zones = sorted(zones, key=lambda zone: zone.code) if role == Role.FACILITATOR else []
    db.session.add(user)
    db.session.flush()
    audit.record("user.invited", user, role=role.value, zones=[zone.code for zone in user.facilitated_zones])
    return user


def invitation_pending(user: User) -> bool:
    """Invited, and the password not chosen yet."""
    return user.password_hash is None and user.deleted_at is None


def renew_invitation(user: User) -> None:
    """A new invitation link; the earlier ones stop working."""
    if not invitation_pending(user):
        raise DomainError(_("Questa persona ha già scelto la sua password: non serve un nuovo invito."), status=409)
    user.rotate_session_token()
    audit.record("user.invited", user, role=user.role.value, zones=[zone.code for zone in user.facilitated_zones])
    db.session.flush()


def deactivate(user: User) -> None:
    """Close the account and sign the person out of every session at once."""
    _refuse_if_deleted(user)
    if not user.active:
        raise DomainError(_("L'account è già disattivato."))
    if user.role == Role.ADMIN:
        _keep_an_admin(
            user,
            _("Non si può disattivare l'ultimo amministratore attivo: nomina prima un altro amministratore."),
        )
    user.active = False
    user.rotate_session_token()
    audit.record("user.deactivated", user)
    db.session.flush()


def reactivate(user: User) -> None:
    """Let the person sign in again (with their old password)."""
    _refuse_if_deleted(user)
    if user.active:
        raise DomainError(_("L'account è già attivo."))
    user.active = True
    audit.record("user.reactivated", user)
    db.session.flush()


def _keep_an_admin(user: User, message: str) -> None:
    """Refuse a change that would leave nobody able to manage accounts."""
    if user.is_active and count_admins() <= 1:
        raise DomainError(message)


def _refuse_if_deleted(user: User) -> None:
    if user.deleted_at is not None:
        raise DomainError(_("Questo account è stato eliminato: non si può più modificare."), status=409)


# --- managed lists -----------------------------------------------------------------------------


@dataclass(frozen=True)
class ListKind:
    """One of the lists administrators manage, as named in the URL (``/admin/lists/categories/...``)."""

    slug: str
    model: type[ManagedList]
    title: str
    description: str


LIST_KINDS = {
    kind.slug: kind
    for kind in (
        ListKind(
            "categories",
            StakeholderCategory,
            _l("Categorie di partecipanti"),
            _l(
                "Chi partecipa indica per chi parla (comune, impresa, terzo settore...); i risultati sono "
                "suddivisi per categoria. La stessa lista serve per i soggetti indicati nelle schede."
            ),
        ),
        ListKind(
            "conditions",
            ConditionTag,
            _l("Condizioni abilitanti"),
            _l("Le condizioni e i presupposti che chi partecipa può segnalare nella scheda di ogni strategia."),
        ),
    )
}

#: Codes appear in file names, exports and the API: keep them plain.
_LIST_CODE = re.compile(r"[a-z0-9_]+")
#: What an entry holds, in the order changes are reported.
ENTRY_FIELDS = ("code", "name_it", "name_en", "position", "active")


class ListEntryError(DomainError):
    """A managed-list rule refused the change; ``field`` names the form field it is about, if any."""

    def __init__(self, message: str, field: str | None = None, status: int | None = None):
        super().__init__(message, status)
        self.field = field


@dataclass(frozen=True)
class EntryValues:
    code: str
    name_it: str
    name_en: str
    position: int
    active: bool


@dataclass(frozen=True)
class Usage:
    """Where an entry is used: each part a count and how it reads (``3 partecipanti``)."""

    parts: tuple[tuple[int, str], ...] = ()

    @property
    def total(self) -> int:
        return sum(count for count, _text in self.parts)

    def __str__(self) -> str:
        return ", ".join(text for count, text in self.parts if count)


def list_entries(kind: ListKind) -> list[ManagedList]:
    """Every entry of the list, retired ones too, in the order people see them."""
    return list(db.session.scalars(select(kind.model).order_by(kind.model.position, kind.model.id)))


def list_usage(kind: ListKind) -> dict[int, Usage]:
    """How often each entry of the list is used, by entry id; an unused entry is absent."""
    if kind.model is StakeholderCategory:
        accounts = _counts(User.category_id)
        participants = _counts(Participant.category_id)
        # Sheet actors hold the category's code, not its id.
        by_code = dict(db.session.execute(select(SheetActor.kind, func.count()).group_by(SheetActor.kind)).all())
        actors = {
            entry_id: by_code[code]
            for entry_id, code in db.session.execute(select(StakeholderCategory.id, StakeholderCategory.code))
            if code in by_code
        }
        return {
            entry_id: _category_usage(accounts.get(entry_id, 0), participants.get(entry_id, 0), actors.get(entry_id, 0))
            for entry_id in accounts.keys() | participants.keys() | actors.keys()
        }
    sheets = _counts(SheetCondition.condition_id)
    return {entry_id: _condition_usage(count) for entry_id, count in sheets.items()}


def _counts(column) -> dict[int, int]:
    rows = db.session.execute(select(column, func.count()).where(column.is_not(None)).group_by(column))
    return dict(rows.all())


def _category_usage(accounts: int, participants: int, actors: int) -> Usage:
    return Usage(
        (
            (accounts, ngettext("%(num)d account", "%(num)d account", accounts)),
            (participants, ngettext("%(num)d partecipante", "%(num)d partecipanti", participants)),
            (actors, ngettext("%(num)d soggetto nelle schede", "%(num)d soggetti nelle schede", actors)),
        )
    )


def _condition_usage(sheets: int) -> Usage:
    return Usage(((sheets, ngettext("%(num)d scheda", "%(num)d schede", sheets)),))


def entry_usage(kind: ListKind, entry: ManagedList) -> Usage:
    """How often one entry is used."""
    if entry.id is None:
        return Usage()
    return list_usage(kind).get(entry.id, Usage())


def next_position(kind: ListKind) -> int:
    """The position after the last entry, for a new one."""
    return (db.session.scalar(select(func.max(kind.model.position))) or 0) + 1


def create_entry(kind: ListKind, values: EntryValues) -> ManagedList:
    """Add an entry to the list (it becomes a choice at once if active)."""
    entry = kind.model()
    _check_code(kind, entry, values.code)
    for name in ENTRY_FIELDS:
        setattr(entry, name, getattr(values, name))
    db.session.add(entry)
    _flush_entry()
    audit.record("list.entry_created", entry, **{name: getattr(values, name) for name in ENTRY_FIELDS})
    return entry


def update_entry(kind: ListKind, entry: ManagedList, values: EntryValues) -> list[str]:
    """Change an entry; returns the fields that changed (none: nothing is recorded).

    Entries are never deleted: a retired one (``active`` off) is no longer offered, but stays on the data
    that uses it."""
    changed = [name for name in ENTRY_FIELDS if getattr(entry, name) != getattr(values, name)]
    if not changed:
        return []
    if "code" in changed:
        _check_code(kind, entry, values.code)
    before = {name: getattr(entry, name) for name in changed}
    for name in changed:
        setattr(entry, name, getattr(values, name))
    _flush_entry()
    audit.record(
        "list.entry_changed",
        entry,
        code=entry.code,
        changed=changed,
        before=before,
        after={name: getattr(values, name) for name in changed},
    )
    return changed


def _check_code(kind: ListKind, entry: ManagedList, code: str) -> None:
    """A new or changed code: free to change, well formed and not taken."""
    usage = entry_usage(kind, entry)
    if usage.total:
        raise ListEntryError(
            _(
                "Il codice non si può più cambiare: la voce è già usata (%(usage)s) e il codice compare nelle "
                "esportazioni e nell'API.",
                usage=str(usage),
            ),
            field="code",
            status=409,
        )
    check_code_format(code)
    taken = select(kind.model.id).where(kind.model.code == code)
    if entry.id is not None:
        taken = taken.where(kind.model.id != entry.id)
    if db.session.scalar(taken) is not None:
        raise ListEntryError(
            _("Il codice «%(code)s» è già usato da un'altra voce dell'elenco.", code=code), field="code", status=409
        )


def check_code_format(code: str) -> None:
    """Refuse a code that is not plain lowercase letters, digits and underscores."""
    if not _LIST_CODE.fullmatch(code):
        raise ListEntryError(
            _("Il codice può contenere solo lettere minuscole senza accenti, cifre e trattini bassi (_)."),
            field="code",
        )


def _flush_entry() -> None:
    # Two admins saving the same new code at once: the database's unique constraint is the last word.
    try:
        db.session.flush()
    except IntegrityError:
        # The failed flush has already ended the transaction; the session is unusable (even to find the
        # person's language for the message) until it is rolled back.
        db.session.rollback()
        raise ListEntryError(
            _("Il codice è appena stato usato da un'altra voce: scegline un altro."), field="code", status=409
        ) from None


# --- audit log ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class AuditFilter:
    action: str = ""
    actor: str = ""
    date_from: date | None = None
    #: Inclusive: the whole of this day, in the platform's time zone.
    date_to: date | None = None


def audit_query(filters: AuditFilter) -> Select:
    """Events matching ``filters``, newest first."""
    query = select(AuditEvent).options(joinedload(AuditEvent.actor))
    if filters.action:
        query = query.where(AuditEvent.action == filters.action)
    if text := filters.actor.strip().lower():
        query = query.join(AuditEvent.actor).where(func.lower(User.email).contains(text, autoescape=True))
    # Days at the ends of the calendar (year 1, year 9999) bound nothing, and cannot be shifted by a day
    # or a time zone without overflowing: they are left out rather than turned into an error.
    if filters.date_from is not None and filters.date_from > date.min + timedelta(days=1):
        query = query.where(AuditEvent.at >= _start_of(filters.date_from))
    if filters.date_to is not None and filters.date_to < date.max - timedelta(days=1):
        query = query.where(AuditEvent.at < _start_of(filters.date_to + timedelta(days=1)))
    return query.order_by(AuditEvent.at.desc(), AuditEvent.id.desc())


def _start_of(day: date) -> datetime:
    """Midnight of ``day`` in the platform's time zone, as a UTC instant."""
    return to_utc(datetime.combine(day, time.min)).replace(tzinfo=UTC)


def audit_actions() -> list[str]:
    """Every action the log holds, for the filter."""
    return list(db.session.scalars(select(AuditEvent.action).distinct().order_by(AuditEvent.action)))


def action_label(action: str) -> str:
    return str(ACTION_LABELS.get(action, action))


def actor_label(event: AuditEvent) -> str:
    """Who did it: the person's name, or why there is none."""
    if event.actor is None:
        # No person and no address: a command run on the server (``flask users create``...).
        return _("anonimo") if event.ip_address else _("sistema")
    if event.actor.deleted_at is not None:
        return _("account eliminato")
    return event.actor.display_name or event.actor.email or ""


def actor_email(event: AuditEvent) -> str:
    if event.actor is None:
        return ""
    return event.actor.email or ""


def target_label(event: AuditEvent) -> str:
    """What it happened to, e.g. ``utente #12``."""
    if event.target_type is None:
        return ""
    return f"{TARGET_LABELS.get(event.target_type, event.target_type)} #{event.target_id}"


def details_text(details: dict | None) -> str:
    """The details in words, translated: ``nuovo stato: Aperta; quanti: 20``; never a raw key."""
    return "; ".join(f"{_detail_label(key)}: {_detail_value(key, value)}" for key, value in (details or {}).items())


def _detail_label(key: str) -> str:
    return str(DETAIL_LABELS.get(key, FIELD_LABELS.get(key, key.replace("_", " "))))


def _detail_value(key: str, value) -> str:
    """One detail's value as a person reads it: states, roles, methods... by their translated names."""
    from consult.models import Role, Scope, SessionState
    from consult.results.texts import METHOD_LABELS, WEIGHTING_LABELS

    if value is None or value == [] or value == {}:
        return _("tutte") if key == "depth" else "—"
    if isinstance(value, bool):
        return _("sì") if value else _("no")
    if isinstance(value, dict):
        return ", ".join(f"{_detail_label(name)}={_detail_value(name, item)}" for name, item in value.items())
    if key in ("fields", "changed") and isinstance(value, list | tuple):
        return ", ".join(str(FIELD_LABELS.get(name, name)) for name in value)
    if isinstance(value, list | tuple):
        return ", ".join(_detail_value(key, item) for item in value)
    named = {
        "role": {role.value: role.label for role in Role},
        "from": {role.value: role.label for role in Role},
        "to": {role.value: role.label for role in Role},
        "previous": {state.value: state.label for state in SessionState},
        "state": {state.value: state.label for state in SessionState},
        "scope": {
            Scope.ALL.value: _l("tutto il Piano"),
            Scope.AXES.value: _l("alcuni Assi"),
            Scope.STRATEGIES.value: _l("un elenco di strategie"),
        },
        "method": METHOD_LABELS,
        "weighting": WEIGHTING_LABELS,
        "action": ACTION_LABELS,
    }.get(key)
    if named is not None and value in named:
        return str(named[value])
    if key == "table":
        method = str(value).removeprefix("ranking_")
        if method != value and method in METHOD_LABELS:
            return f"{TABLE_LABELS['ranking']} ({METHOD_LABELS[method]})"
        return str(TABLE_LABELS.get(value, value))
    if key == "format":
        return str(value).upper()
    return str(value)


def audit_table(events: list[AuditEvent]) -> tuple[list[str], list[list]]:
    """Headers and rows of the log for an export; times in the platform's time zone, ISO 8601."""
    headers = [
        _("Data e ora"),
        _("Chi"),
        _("Email"),
        _("Azione"),
        _("Oggetto"),
        _("Dettagli"),
        _("Indirizzo"),
        # For whoever filters or processes the file: the action's and the details' stable codes.
        _("Codice dell'azione"),
        _("Dettagli (JSON)"),
    ]
    rows = [
        [
            to_user_timezone(event.at).isoformat(timespec="seconds"),
            actor_label(event),
            actor_email(event),
            action_label(event.action),
            target_label(event),
            details_text(event.details),
            event.ip_address or "",
            event.action,
            json.dumps(event.details, ensure_ascii=False, sort_keys=True) if event.details else "",
        ]
        for event in events
    ]
    return headers, rows

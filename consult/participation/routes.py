"""Session pages: joining, ranking the strategies, and what a participant has done so far."""

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from consult import text
from consult.errors import DomainError
from consult.extensions import db, limit_answered
from consult.models import Channel, Consultation, ConsultationSession, SessionState, StakeholderCategory, Zone
from consult.participation import bp, services
from consult.participation.access import (
    SESSION_URL,
    ballot_box,
    current_participant,
    load_session,
    participant_key,
    remember_code_participant,
)
from consult.participation.ballots import record_ballot, submit_ballot
from consult.participation.forms import CodeForm, EmptyForm, JoinForm
from consult.permissions import can, public


def _categories() -> list[StakeholderCategory]:
    return list(
        db.session.scalars(
            select(StakeholderCategory)
            .where(StakeholderCategory.active.is_(True))
            .order_by(StakeholderCategory.position)
        )
    )


def _visible_sessions(consultation: Consultation) -> list[ConsultationSession]:
    return [s for s in consultation.sessions if s.state != SessionState.DRAFT]


@bp.get("/consultations/<int:consultation_id>")
@public
def consultation(consultation_id: int):
    consultation = db.get_or_404(Consultation, consultation_id)
    sessions = sorted(_visible_sessions(consultation), key=lambda s: (s.zone.code, s.id))
    return render_template("participation/consultation.html", consultation=consultation, sessions=sessions)


def _zone_choices() -> list[tuple[str, str]]:
    zones = db.session.scalars(select(Zone).order_by(Zone.code))
    return [("", _("Fuori dalle Zone / non so"))] + [(str(zone.code), f"{zone.code} · {zone.name}") for zone in zones]


def _join_form(session: ConsultationSession) -> JoinForm:
    form = JoinForm()
    form.zone.choices = _zone_choices()
    if not form.is_submitted():
        form.zone.data = str(session.zone.code)  # most people join their own zone's session
    return form


def _render_session(session: ConsultationSession, *, form: JoinForm | None = None, problems=(), status: int = 200):
    participant = current_participant(session)
    ranked = [rank.strategy for rank in participant.ballot.ranks] if participant and participant.ballot else []
    sheets = {sheet.strategy_id: sheet for sheet in services.sheets_of(participant)} if participant else {}
    elsewhere = None
    if participant is None and current_user.is_authenticated and not session.consultation.allow_multiple_zones:
        elsewhere = services.other_zone_participation(session, current_user)
    return render_template(
        "participation/session.html",
        elsewhere=elsewhere,
        session=session,
        consultation=session.consultation,
        participant=participant,
        ranked=ranked,
        sheets=sheets,
        by_category=services.participation_by_category(session),
        form=form or _join_form(session),
        problems=list(problems),
        # Proposals and discussions open to those taking part, and to staff who follow the zone.
        reads_contributions=participant is not None or can(current_user, "zone.results", session.zone),
        locale=str(get_locale()),
    ), status


@bp.get(SESSION_URL)
@public
def session(zone_code: int, session_id: int):
    return _render_session(load_session(zone_code, session_id))


@bp.post(SESSION_URL + "/join")
@public
def join(zone_code: int, session_id: int):
    """A signed-in person starts taking part; anonymous visitors are sent to sign in or use a code."""
    session = load_session(zone_code, session_id)
    if not current_user.is_authenticated:
        return redirect(url_for("auth.login", next=url_for(".session", zone_code=zone_code, session_id=session_id)))
    form = _join_form(session)
    if not form.validate_on_submit():
        if form.csrf_token.errors:
            abort(400)
        return _render_session(session, form=form, problems=form.zone.errors, status=400)
    try:
        if current_user.zone is None and form.zone.data:
            current_user.zone = db.session.scalar(select(Zone).where(Zone.code == int(form.zone.data)))
        services.participant_for_user(session, current_user, create=True)
    except DomainError as error:
        db.session.rollback()
        return _render_session(session, form=form, problems=[error.message], status=error.status)
    return redirect(url_for(".rank", zone_code=zone_code, session_id=session_id), 303)


# A room of 250 people types its codes through the venue's one address, and so may someone hammering wrong
# codes from the same room: a limit per address would let that one person lock the whole room out. So the
# limit is per code: nobody can try a code more than a few times, and guessing a live one among 25**8
# possible codes (a few thousand live at most) stays hopeless at any rate the server can answer.
ATTEMPTS_PER_CODE = "10 per 10 minutes"


def _submitted_code() -> str:
    """Rate-limit key: the code typed in, normalised as redeem_code reads it."""
    return "code:" + services.normalise_code(request.form.get("code", ""))


def _no_code_submitted() -> bool:
    return not services.normalise_code(request.form.get("code", ""))


@bp.route("/join", methods=["GET", "POST"])
@public
@limit_answered(ATTEMPTS_PER_CODE, key_func=_submitted_code, methods=["POST"], exempt_when=_no_code_submitted)
def code():
    """Join a session in the room with a printed single-use code."""
    form = CodeForm()
    if request.method == "GET" and (printed := request.args.get("code", "")):
        # The QR code on a printed slip opens this page with its code filled in.
        form.code.data = services.normalise_code(printed)[:20]
    locale = str(get_locale())
    categories = _categories()
    form.category.choices = [("", _("Scegli…"))] + [(c.code, c.name(locale)) for c in categories]
    if form.validate_on_submit():
        category = next((c for c in categories if c.code == form.category.data), None)
        try:
            participant = services.redeem_code(
                form.code.data, category=category, organisation=form.organisation.data or "", name=form.name.data or ""
            )
        except DomainError as error:
            db.session.rollback()
            field = form.category if isinstance(error, services.CategoryRequired) else form.code
            field.errors.append(error.message)
            return render_template("participation/code.html", form=form), error.status
        remember_code_participant(participant)
        if participant.ballot is not None:
            flash(_("Bentornata/o! Ecco la tua classifica: puoi cambiarla finché la sessione è aperta."), "success")
        else:
            flash(_("Benvenuta/o! Ora puoi mettere in ordine le strategie."), "success")
        session = participant.session
        return redirect(url_for(".rank", zone_code=session.zone.code, session_id=session.id), 303)
    status = 400 if form.is_submitted() else 200
    return render_template("participation/code.html", form=form), status


def _positions_from_form(codes_in_order: list[str], depth: int) -> tuple[list[str], list[str], dict[str, int]]:
    """Read the numbered selects: returns (codes in ranked order, problems, the valid position of each code)."""
    chosen, problems, positions = {}, [], {}
    form = request.form
    for code in codes_in_order:
        value = form.get(f"position-{code}", "").strip()
        if not value:
            continue
        position = text.whole_number(value, maximum=depth)
        if position is None or position < 1:
            problems.append(_("Posizione non valida per la strategia %(code)s.", code=code))
            continue
        chosen.setdefault(position, []).append(code)
        positions[code] = position
    for position, codes in sorted(chosen.items()):
        if len(codes) > 1:
            problems.append(
                _("Le strategie %(codes)s hanno la stessa posizione %(n)s.", codes=", ".join(codes), n=position)
            )
    ranking = [codes[0] for _position, codes in sorted(chosen.items())]
    return ranking, problems, positions


def _saved(zone_code: int, session_id: int):
    flash(_("La tua classifica è stata salvata."), "success")
    return redirect(url_for(".session", zone_code=zone_code, session_id=session_id), 303)


def _record_sent_ranking(zone_code: int, session_id: int):
    """A well-formed ranking sent to an open session, recorded without loading any object: the path
    hundreds of people in a room take at once. None for anything else, which the page path answers."""
    # CSRFProtect has checked the token before any view (a bad one is a 400 there) and says so in g.
    found = ballot_box(zone_code, session_id) if g.get("csrf_valid") else None
    if found is None:
        return None
    box, participant_id, channel = found
    codes, problems, _positions = _positions_from_form(list(box.strategies), box.depth)
    if problems:
        return None
    try:
        record_ballot(box, participant_id, codes, channel)
    except DomainError:
        db.session.rollback()
        return None
    return _saved(zone_code, session_id)


@bp.route(SESSION_URL + "/ranking", methods=["GET", "POST"])
@public
@limit_answered("20 per minute", key_func=participant_key, methods=["POST"])
def rank(zone_code: int, session_id: int):
    """Rank the strategies: numbered selects, enhanced into drag-and-drop lists by static/js/ranking.js."""
    if request.method == "POST" and (saved := _record_sent_ranking(zone_code, session_id)) is not None:
        return saved
    session = load_session(zone_code, session_id)
    participant = current_participant(session)
    if participant is None:
        # The session page offers the ways in: join with the account, or with a room code.
        return redirect(url_for(".session", zone_code=zone_code, session_id=session_id))
    consultation = session.consultation
    strategies = consultation.strategies_in_order
    form = EmptyForm()
    status, problems, positions = 200, [], None
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400)
        #: code → position shown in the selects: what the person just sent back (else the saved ballot).
        codes, problems, positions = _positions_from_form([s.code for s in strategies], consultation.depth)
        if problems and session.accepts_ballots:
            status = 422
        else:
            # submit_ballot refuses a session that is not open (409) before it looks at the ranking.
            try:
                submit_ballot(participant, codes, Channel.CODE if participant.code_id else Channel.ONLINE)
                # Committed after the view returns (web.commit_request), like every new view.
                return _saved(zone_code, session_id)
            except DomainError as error:
                db.session.rollback()
                problems, status = [error.message], error.status
    # Read only to show the page: a successful submission never loads the ballot.
    saved = [rank.strategy for rank in participant.ballot.ranks] if participant.ballot else []
    if positions is None:
        positions = {strategy.code: n for n, strategy in enumerate(saved, start=1)}
    return render_template(
        "participation/rank.html",
        session=session,
        consultation=consultation,
        strategies=strategies,
        positions=positions,
        saved=saved,
        places_left=max(consultation.depth - len(set(positions.values())), 0),
        problems=problems,
        form=form,
    ), status

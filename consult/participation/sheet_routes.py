"""Strategy sheet, project proposals, supports and comments (views).

Taking part is gated by being a participant of the session: whoever is not is sent to the session page,
which offers the ways in. Rows of another session (a proposal, a comment) are 404 here.
"""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from wtforms import SelectChoice

from consult import text
from consult.errors import DomainError
from consult.extensions import db, limiter
from consult.models import (
    ActorState,
    Comment,
    Competence,
    ConditionTag,
    ConsultationSession,
    Funding,
    Participant,
    ProjectProposal,
    ProjectStatus,
    RelatedPlan,
    StakeholderCategory,
    Strategy,
)
from consult.monitoring import services as monitoring
from consult.participation import bp, contributions
from consult.participation.access import SESSION_URL, current_participant, load_session, participant_key
from consult.participation.forms import EmptyForm
from consult.participation.sheet_forms import (
    EMPTY_ACTOR_ROWS,
    CommentEditForm,
    CommentForm,
    ProposalForm,
    ReportForm,
    SheetForm,
    error_list,
)
from consult.permissions import can, public

#: Per participant, never per address: a workshop room shares one Wi-Fi address.
PER_PARTICIPANT = "30 per minute"


def related_plan_labels(proposal: ProjectProposal) -> list[str]:
    """The related plans' names, with the participant's own words for "other"."""
    labels = [str(RelatedPlan(value).label) for value in proposal.related_plans if value != RelatedPlan.OTHER]
    if proposal.related_plans_other:
        labels.append(proposal.related_plans_other)
    elif RelatedPlan.OTHER in proposal.related_plans:
        labels.append(str(RelatedPlan.OTHER.label))
    return labels


@bp.context_processor
def _contribution_helpers():
    return {
        "author_name": contributions.author_name,
        "can_edit_comment": contributions.can_edit_comment,
        "related_plan_labels": related_plan_labels,
    }


# --- loading -----------------------------------------------------------------------------------


def _enter(zone_code: int, session_id: int) -> tuple[ConsultationSession, Participant | None]:
    session = load_session(zone_code, session_id)
    return session, current_participant(session)


def staff_reader(session: ConsultationSession) -> bool:
    """Planners, admins and the zone's facilitators read every proposal and discussion of a session they may
    see, without joining it (read-only: taking part still needs a participant)."""
    return can(current_user, "zone.results", session.zone)


def _to_session_page(session: ConsultationSession):
    status = 303 if request.method == "POST" else 302
    return redirect(url_for(".session", zone_code=session.zone.code, session_id=session.id), status)


def _strategy_or_404(session: ConsultationSession, code: str) -> Strategy:
    strategy = contributions.strategy_in_session(session, code)
    if strategy is None:
        abort(404)
    return strategy


def _id_or_404(value: str | None) -> int:
    number = text.whole_number(value)
    if number is None:
        abort(404)
    return number


def _proposal_or_404(session: ConsultationSession, proposal_id: int) -> ProjectProposal:
    proposal = db.session.get(ProjectProposal, proposal_id)
    if proposal is None or proposal.session_id != session.id or proposal.hidden_at is not None:
        abort(404)
    return proposal


def _comment_or_404(session: ConsultationSession, comment_id: int) -> Comment:
    comment = db.session.get(Comment, comment_id)
    if comment is None or comment.session_id != session.id:
        abort(404)
    return comment


def _url(endpoint: str, session: ConsultationSession, **values) -> str:
    return url_for(endpoint, zone_code=session.zone.code, session_id=session.id, **values)


def _locale() -> str:
    return str(get_locale())


# --- the strategy sheet ------------------------------------------------------------------------


def _condition_tags() -> list[ConditionTag]:
    return list(
        db.session.scalars(select(ConditionTag).where(ConditionTag.active.is_(True)).order_by(ConditionTag.position))
    )


def _kind_choices(extra: set[str] = frozenset()) -> list[SelectChoice]:
    categories = db.session.scalars(select(StakeholderCategory).order_by(StakeholderCategory.position))
    locale = _locale()
    choices = [SelectChoice(c.code, c.name(locale)) for c in categories if c.active or c.code in extra]
    return [SelectChoice("", _("Scegli…")), *choices]


def _sheet_data(sheet, tags: list[ConditionTag], empty_rows: int) -> dict:
    """The form's initial data: the saved sheet, then empty actor rows."""
    chosen = {c.condition_id: c.note for c in sheet.conditions} if sheet else {}
    actors = (
        [{"name": a.name, "kind": a.kind, "state": a.state.value, "role": a.role} for a in sheet.actors]
        if sheet
        else []
    )
    return {
        "implementation": sheet.implementation if sheet else "",
        "priority_actions": [p.action.code for p in sheet.priority_actions] if sheet else [],
        "actors": actors + [{}] * empty_rows,
        "conditions": [{"code": t.code, "chosen": t.id in chosen, "note": chosen.get(t.id, "")} for t in tags],
        "show_organisation": sheet.show_organisation if sheet else False,
    }


def _render_sheet(session, participant, strategy, *, form=None, saved=None, problems=(), status=200):
    tags = _condition_tags()
    return render_template(
        "participation/sheet.html",
        session=session,
        participant=participant,
        strategy=strategy,
        form=form,
        saved=saved,
        problems=list(problems),
        errors=error_list(form) if form else [],
        tags={tag.code: tag for tag in tags},
        kinds={c.code: c.name(_locale()) for c in db.session.scalars(select(StakeholderCategory))},
        proposals=contributions.proposals_by(participant, strategy),
        comment_count=contributions.comment_count(session, strategy),
        next_strategy=contributions.next_strategy(participant, strategy),
        max_actors=contributions.MAX_ACTORS,
        locale=_locale(),
    ), status


@bp.route(SESSION_URL + "/strategies/<code>", methods=["GET", "POST"])
@public
@limiter.limit(PER_PARTICIPANT, key_func=participant_key, methods=["POST"])
def sheet(zone_code: int, session_id: int, code: str):
    """The strategy sheet: the event's four questions and up to three priority actions."""
    session, participant = _enter(zone_code, session_id)
    if participant is None:
        return _to_session_page(session)
    strategy = _strategy_or_404(session, code)
    saved = contributions.sheet_for(participant, strategy)
    if not session.accepts_ballots:
        # Read-only once the session is not open: what was saved, no form.
        if request.method == "POST":
            problem = _("La sessione non è aperta: non si possono più inviare contributi.")
            return _render_sheet(session, participant, strategy, saved=saved, problems=[problem], status=409)
        return _render_sheet(session, participant, strategy, saved=saved)

    if request.method == "GET":
        # ``rows``: how many empty actor rows to offer below the saved ones.
        rows = min(
            max(request.args.get("rows", EMPTY_ACTOR_ROWS, type=int), EMPTY_ACTOR_ROWS), contributions.MAX_ACTORS
        )
        empty_rows = max(0, min(rows, contributions.MAX_ACTORS - (len(saved.actors) if saved else 0)))
        form = SheetForm(data=_sheet_data(saved, _condition_tags(), empty_rows))
    else:
        form = SheetForm()
    kind_choices = _kind_choices({actor.kind for actor in saved.actors} if saved else set())
    for row in form.actors:
        row.form.kind.choices = kind_choices
    form.priority_actions.choices = [SelectChoice(action.code) for action in strategy.actions]

    if not form.validate_on_submit():
        return _render_sheet(session, participant, strategy, form=form, status=422 if form.is_submitted() else 200)
    actors = [
        contributions.ActorInput(
            name=row.form.name.data,
            kind=row.form.kind.data,
            state=ActorState(row.form.state.data),
            role=row.form.role.data,
        )
        for row in form.actors
        if not row.form.is_blank()
    ]
    conditions = {row.form.code.data: row.form.note.data or "" for row in form.conditions if row.form.chosen.data}
    try:
        saved = contributions.save_sheet(
            participant,
            strategy,
            implementation=form.implementation.data or "",
            priority_action_codes=form.priority_actions.data or [],
            actors=actors,
            conditions=conditions,
            show_organisation=bool(form.show_organisation.data and participant.organisation),
        )
    except DomainError as error:
        db.session.rollback()
        return _render_sheet(session, participant, strategy, form=form, problems=[error.message], status=error.status)
    flash(_("La scheda della strategia %(code)s è stata salvata.", code=strategy.code), "success")
    if "add_project" in request.form:
        return redirect(_url(".new_proposal", session, code=strategy.code), 303)
    if "more_rows" in request.form:
        # Saved, then shown again with as many empty rows as before plus three more.
        empty_rows = sum(1 for row in form.actors if row.form.is_blank()) + EMPTY_ACTOR_ROWS
        return redirect(_url(".sheet", session, code=strategy.code, rows=empty_rows, _anchor="actors"), 303)
    return redirect(_url(".sheet", session, code=strategy.code), 303)


# --- project proposals -------------------------------------------------------------------------


def _proposal_input(form: ProposalForm, participant: Participant) -> contributions.ProposalInput:
    return contributions.ProposalInput(
        title=form.title.data or "",
        description=form.description.data or "",
        promoter=form.promoter.data or "",
        municipalities=form.municipalities.data or "",
        action_codes=tuple(form.actions.data or ()),
        funding=Funding(form.funding.data) if form.funding.data else None,
        status=ProjectStatus(form.status.data) if form.status.data else None,
        competence=Competence(form.competence.data) if form.competence.data else None,
        related_plans=tuple(RelatedPlan(value) for value in form.related_plans.data or ()),
        related_plans_other=form.related_plans_other.data or "",
        link=(form.link.data or "").strip() or None,
        show_organisation=bool(form.show_organisation.data and participant.organisation),
    )


def _proposal_form(strategy: Strategy, proposal: ProjectProposal | None = None) -> ProposalForm:
    if proposal is not None and request.method == "GET":
        form = ProposalForm(
            data={
                "title": proposal.title,
                "description": proposal.description,
                "promoter": proposal.promoter,
                "municipalities": proposal.municipalities,
                "actions": [action.code for action in proposal.actions],
                "funding": proposal.funding.value if proposal.funding else "",
                "status": proposal.status.value if proposal.status else "",
                "competence": proposal.competence.value if proposal.competence else None,
                "related_plans": list(proposal.related_plans),
                "related_plans_other": proposal.related_plans_other,
                "link": proposal.link or "",
                "show_organisation": proposal.show_organisation,
                "monitored_activity": monitoring.proposal_activity_id(proposal),
            }
        )
    else:
        form = ProposalForm()
    form.actions.choices = [SelectChoice(action.code) for action in strategy.actions]
    return form


def _closed_proposal_form(session, participant, strategy, proposal=None):
    """A closed session takes no proposals: back to the read-only page, or 409 for a form sent anyway."""
    problem = _("La sessione non è aperta: non si possono più inviare contributi.")
    if request.method == "POST":
        return _render_proposal_form(
            session, participant, strategy, None, proposal=proposal, problems=[problem], status=409
        )
    flash(problem, "info")
    if proposal is not None:
        return redirect(_url(".proposal", session, proposal_id=proposal.id))
    return redirect(_url(".sheet", session, code=strategy.code))


def _render_proposal_form(session, participant, strategy, form, *, proposal=None, problems=(), status=200):
    return render_template(
        "participation/proposal_form.html",
        session=session,
        participant=participant,
        strategy=strategy,
        proposal=proposal,
        form=form,
        problems=list(problems),
        errors=error_list(form) if form else [],
    ), status


@bp.route(SESSION_URL + "/strategies/<code>/proposals/new", methods=["GET", "POST"])
@public
@limiter.limit(PER_PARTICIPANT, key_func=participant_key, methods=["POST"])
def new_proposal(zone_code: int, session_id: int, code: str):
    """Question 2 of the sheet: propose a project or programme linked to the strategy."""
    session, participant = _enter(zone_code, session_id)
    if participant is None:
        return _to_session_page(session)
    strategy = _strategy_or_404(session, code)
    if not session.accepts_ballots:
        return _closed_proposal_form(session, participant, strategy)
    form = _proposal_form(strategy)
    if not form.validate_on_submit():
        status = 422 if form.is_submitted() else 200
        return _render_proposal_form(session, participant, strategy, form, status=status)
    try:
        proposal = contributions.propose_project(participant, strategy, _proposal_input(form, participant))
        monitoring.link_proposal(proposal, form.monitored_activity.data, session.zone)
    except DomainError as error:
        db.session.rollback()
        return _render_proposal_form(
            session, participant, strategy, form, problems=[error.message], status=error.status
        )
    flash(_("Il progetto è stato aggiunto alla scheda."), "success")
    return redirect(_url(".sheet", session, code=strategy.code, _anchor="projects"), 303)


@bp.route(SESSION_URL + "/proposals/<int:proposal_id>/edit", methods=["GET", "POST"])
@public
@limiter.limit(PER_PARTICIPANT, key_func=participant_key, methods=["POST"])
def edit_proposal(zone_code: int, session_id: int, proposal_id: int):
    session, participant = _enter(zone_code, session_id)
    if participant is None:
        return _to_session_page(session)
    proposal = _proposal_or_404(session, proposal_id)
    if proposal.participant_id != participant.id:
        abort(403)
    strategy = proposal.strategy
    if not session.accepts_ballots:
        return _closed_proposal_form(session, participant, strategy, proposal)
    form = _proposal_form(strategy, proposal)
    if not form.validate_on_submit():
        status = 422 if form.is_submitted() else 200
        return _render_proposal_form(session, participant, strategy, form, proposal=proposal, status=status)
    try:
        contributions.edit_project(participant, proposal, _proposal_input(form, participant))
        monitoring.link_proposal(proposal, form.monitored_activity.data, session.zone)
    except DomainError as error:
        db.session.rollback()
        return _render_proposal_form(
            session, participant, strategy, form, proposal=proposal, problems=[error.message], status=error.status
        )
    flash(_("Le modifiche al progetto sono state salvate."), "success")
    return redirect(_url(".proposal", session, proposal_id=proposal.id), 303)


def _render_proposals(session, participant, *, problems=(), status=200):
    return render_template(
        "participation/proposals.html",
        session=session,
        participant=participant,
        groups=contributions.session_proposals(session),
        supported_ids=contributions.supported_ids(participant) if participant else set(),
        form=EmptyForm(),
        problems=list(problems),
    ), status


@bp.get(SESSION_URL + "/proposals")
@public
def proposals(zone_code: int, session_id: int):
    """Every proposal of the session, by strategy, with its supports."""
    session, participant = _enter(zone_code, session_id)
    if participant is None and not staff_reader(session):
        return _to_session_page(session)
    return _render_proposals(session, participant)


def _render_thread(session, participant, *, strategy=None, proposal=None, form=None, problems=(), status=200):
    """The discussion of a strategy, or a proposal's page: both end with the comments."""
    if form is None:
        form = CommentForm(formdata=None)
    if strategy is not None and not form.strategy.data:
        form.strategy.data = strategy.code
    comments = contributions.comments_on(session, strategy=strategy, proposal=proposal)
    common = {
        "session": session,
        "participant": participant,
        "comments": comments,
        "comment_form": form,
        "problems": list(problems),
        "locale": _locale(),
        "support_form": EmptyForm(),
        "reported": contributions.reported_ids(participant),
    }
    if proposal is not None:
        page = render_template(
            "participation/proposal.html",
            proposal=proposal,
            strategy=proposal.strategy,
            supported=participant is not None and proposal.id in contributions.supported_ids(participant),
            **common,
        )
    else:
        page = render_template("participation/discussion.html", strategy=strategy, **common)
    return page, status


@bp.get(SESSION_URL + "/proposals/<int:proposal_id>")
@public
def proposal(zone_code: int, session_id: int, proposal_id: int):
    """A proposal with its comments; a hidden one shows the moderators' notice (to its author, with why)."""
    session, participant = _enter(zone_code, session_id)
    if participant is None and not staff_reader(session):
        return _to_session_page(session)
    proposal = db.session.get(ProjectProposal, proposal_id)
    if proposal is None or proposal.session_id != session.id:
        abort(404)
    return _render_thread(session, participant, proposal=proposal)


def _after_support(session, proposal):
    if request.form.get("back") == "proposal":
        return _url(".proposal", session, proposal_id=proposal.id)
    return _url(".proposals", session, _anchor=f"proposal-{proposal.id}")


def _render_support_problem(session, participant, proposal, error: DomainError):
    if request.form.get("back") == "proposal":
        return _render_thread(session, participant, proposal=proposal, problems=[error.message], status=error.status)
    return _render_proposals(session, participant, problems=[error.message], status=error.status)


@bp.post(SESSION_URL + "/proposals/<int:proposal_id>/support")
@public
@limiter.limit(PER_PARTICIPANT, key_func=participant_key, methods=["POST"])
def support(zone_code: int, session_id: int, proposal_id: int):
    session, participant = _enter(zone_code, session_id)
    if participant is None:
        return _to_session_page(session)
    proposal = _proposal_or_404(session, proposal_id)
    try:
        contributions.support(participant, proposal)
    except DomainError as error:
        db.session.rollback()
        return _render_support_problem(session, participant, proposal, error)
    flash(_("Hai dato il tuo sostegno al progetto «%(title)s».", title=proposal.title), "success")
    return redirect(_after_support(session, proposal), 303)


@bp.post(SESSION_URL + "/proposals/<int:proposal_id>/unsupport")
@public
@limiter.limit(PER_PARTICIPANT, key_func=participant_key, methods=["POST"])
def unsupport(zone_code: int, session_id: int, proposal_id: int):
    session, participant = _enter(zone_code, session_id)
    if participant is None:
        return _to_session_page(session)
    proposal = _proposal_or_404(session, proposal_id)
    try:
        contributions.withdraw_support(participant, proposal)
    except DomainError as error:
        db.session.rollback()
        return _render_support_problem(session, participant, proposal, error)
    flash(_("Hai ritirato il sostegno al progetto «%(title)s».", title=proposal.title), "success")
    return redirect(_after_support(session, proposal), 303)


# --- comments ----------------------------------------------------------------------------------


@bp.get(SESSION_URL + "/strategies/<code>/discussion")
@public
def discussion(zone_code: int, session_id: int, code: str):
    """Comments on a strategy within the session."""
    session, participant = _enter(zone_code, session_id)
    if participant is None and not staff_reader(session):
        return _to_session_page(session)
    strategy = _strategy_or_404(session, code)
    return _render_thread(session, participant, strategy=strategy)


def _thread_of(comment: Comment) -> dict:
    """What a comment is about: ``strategy=`` or ``proposal=``, for finding and showing its thread."""
    if comment.proposal_id is not None:
        return {"proposal": db.session.get(ProjectProposal, comment.proposal_id)}
    return {"strategy": db.session.get(Strategy, comment.strategy_id)}


def _thread_url(session, comment: Comment) -> str:
    anchor = f"comment-{comment.id}"
    if comment.proposal_id is not None:
        return _url(".proposal", session, proposal_id=comment.proposal_id, _anchor=anchor)
    return _url(".discussion", session, code=db.session.get(Strategy, comment.strategy_id).code, _anchor=anchor)


@bp.post(SESSION_URL + "/comments")
@public
@limiter.limit(PER_PARTICIPANT, key_func=participant_key, methods=["POST"])
def comment(zone_code: int, session_id: int):
    """A comment on a strategy or a proposal, or a reply to a comment."""
    session, participant = _enter(zone_code, session_id)
    if participant is None:
        return _to_session_page(session)
    form = CommentForm()
    parent = strategy = proposal = None
    if form.parent.data:
        parent = _comment_or_404(session, _id_or_404(form.parent.data))
        thread = _thread_of(parent)
    elif form.proposal.data:
        proposal = _proposal_or_404(session, _id_or_404(form.proposal.data))
        thread = {"proposal": proposal}
    elif form.strategy.data:
        strategy = _strategy_or_404(session, form.strategy.data)
        thread = {"strategy": strategy}
    else:
        abort(400)
    if not form.validate_on_submit():
        return _render_thread(session, participant, form=form, status=422, **thread)
    try:
        added = contributions.add_comment(
            participant,
            form.body.data,
            strategy=strategy,
            proposal=proposal,
            parent=parent,
            show_organisation=bool(form.show_organisation.data and participant.organisation),
        )
    except DomainError as error:
        db.session.rollback()
        return _render_thread(session, participant, form=form, problems=[error.message], status=error.status, **thread)
    flash(_("Il tuo commento è stato pubblicato."), "success")
    return redirect(_thread_url(session, added), 303)


@bp.route(SESSION_URL + "/comments/<int:comment_id>/edit", methods=["GET", "POST"])
@public
@limiter.limit(PER_PARTICIPANT, key_func=participant_key, methods=["POST"])
def edit_comment(zone_code: int, session_id: int, comment_id: int):
    """The author corrects a comment within the first minutes."""
    session, participant = _enter(zone_code, session_id)
    if participant is None:
        return _to_session_page(session)
    comment = _comment_or_404(session, comment_id)
    form = CommentEditForm(data={"body": comment.body}) if request.method == "GET" else CommentEditForm()
    back = _thread_url(session, comment)
    try:
        contributions.check_comment_editable(participant, comment)
    except DomainError as error:
        if error.status == 403:
            abort(403)
        return _render_comment_edit(session, comment, None, back, [error.message], error.status)
    if not form.validate_on_submit():
        return _render_comment_edit(session, comment, form, back, [], 422 if form.is_submitted() else 200)
    try:
        contributions.edit_comment(participant, comment, form.body.data)
    except DomainError as error:
        db.session.rollback()
        return _render_comment_edit(session, comment, form, back, [error.message], error.status)
    flash(_("Il commento è stato modificato."), "success")
    return redirect(back, 303)


def _render_comment_edit(session, comment, form, back, problems, status):
    return render_template(
        "participation/comment_edit.html",
        session=session,
        comment=comment,
        form=form,
        back=back,
        problems=problems,
        errors=error_list(form) if form else [],
    ), status


@bp.post(SESSION_URL + "/comments/<int:comment_id>/report")
@public
@limiter.limit(PER_PARTICIPANT, key_func=participant_key, methods=["POST"])
def report_comment(zone_code: int, session_id: int, comment_id: int):
    """Flag a comment to the moderators, with an optional reason."""
    session, participant = _enter(zone_code, session_id)
    if participant is None:
        return _to_session_page(session)
    comment = _comment_or_404(session, comment_id)
    form = ReportForm()
    if not form.validate_on_submit():
        problems = [message for _id, _label, message in error_list(form)]
        return _render_thread(session, participant, problems=problems, status=422, **_thread_of(comment))
    try:
        _report, new = contributions.report_comment(participant, comment, form.reason.data or "")
    except DomainError as error:
        db.session.rollback()
        return _render_thread(
            session, participant, problems=[error.message], status=error.status, **_thread_of(comment)
        )
    if new:
        flash(_("Grazie per la segnalazione: i moderatori esamineranno il commento."), "success")
    else:
        flash(_("Avevi già segnalato questo commento: i moderatori lo esamineranno."), "info")
    return redirect(_thread_url(session, comment), 303)


@bp.post(SESSION_URL + "/proposals/<int:proposal_id>/report")
@public
@limiter.limit(PER_PARTICIPANT, key_func=participant_key, methods=["POST"])
def report_proposal(zone_code: int, session_id: int, proposal_id: int):
    """Flag a proposal to the moderators, with an optional reason."""
    session, participant = _enter(zone_code, session_id)
    if participant is None:
        return _to_session_page(session)
    proposal = _proposal_or_404(session, proposal_id)
    form = ReportForm()
    if not form.validate_on_submit():
        problems = [message for _id, _label, message in error_list(form)]
        return _render_thread(session, participant, proposal=proposal, problems=problems, status=422)
    try:
        _report, new = contributions.report_proposal(participant, proposal, form.reason.data or "")
    except DomainError as error:
        db.session.rollback()
        return _render_thread(session, participant, proposal=proposal, problems=[error.message], status=error.status)
    if new:
        flash(_("Grazie per la segnalazione: i moderatori esamineranno il progetto."), "success")
    else:
        flash(_("Avevi già segnalato questo progetto: i moderatori lo esamineranno."), "info")
    return redirect(_url(".proposal", session, proposal_id=proposal.id), 303)

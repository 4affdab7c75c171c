"""flask commands for consultations, sessions, participant codes and paper ballots."""

from __future__ import annotations

import getpass
from pathlib import Path

import click
from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select

from consult.errors import DomainError
from consult.extensions import db
from consult.models import Consultation, ConsultationSession, Mode, Plan, SessionState, User, Zone
from consult.participation import bp, paper, services
from consult.permissions import can


def _codes(value: str | None) -> list[str]:
    return [part.strip() for part in (value or "").split(",") if part.strip()]


def _commit_or_fail(action):
    """Run ``action`` and commit; a DomainError rolls back and becomes a clean CLI error."""
    try:
        result = action()
        db.session.commit()
        return result
    except DomainError as error:
        db.session.rollback()
        raise click.ClickException(error.message) from None


def _session(session_id: int) -> ConsultationSession:
    session = db.session.get(ConsultationSession, session_id)
    if session is None:
        raise click.ClickException(f"no session with id {session_id}")
    return session


@bp.cli.group("consultations")
def consultations() -> None:
    """Create and list consultations."""


@consultations.command("create")
@click.option("--title", required=True)
@click.option("--axes", help="Only these axes, e.g. 1,2")
@click.option("--strategies", help="Only these strategies, e.g. 1.1,2.3")
@click.option("--depth", type=click.IntRange(min=1), default=5, show_default=True, help="Places to rank.")
@click.option("--rank-all", is_flag=True, help="Rank every strategy in scope instead of the top N.")
@click.option("--description", default="")
@click.option(
    "--allow-multiple-zones",
    is_flag=True,
    help="Let one account rank in several zones' sessions (bodies working across the whole area).",
)
def consultations_create(title, axes, strategies, depth, rank_all, description, allow_multiple_zones) -> None:
    """Create a consultation and print its id."""
    plan = db.session.scalar(select(Plan).where(Plan.code == current_app.config["PLAN_CODE"]))
    if plan is None:
        raise click.ClickException("the plan is not loaded: run `flask --app consult seed` first")
    consultation = _commit_or_fail(
        lambda: services.create_consultation(
            plan,
            title,
            axes=_codes(axes),
            strategies=_codes(strategies),
            depth=None if rank_all else depth,
            description=description,
            allow_multiple_zones=allow_multiple_zones,
        )
    )
    click.echo(consultation.id)


@consultations.command("list")
def consultations_list() -> None:
    """List consultations with their scope, depth and sessions."""
    for consultation in db.session.scalars(select(Consultation).order_by(Consultation.id)):
        depth = "all" if consultation.ranking_depth is None else consultation.ranking_depth
        zones = ", several zones per account" if consultation.allow_multiple_zones else ""
        click.echo(
            f"{consultation.id}\t{consultation.title}\t{len(consultation.strategies)} strategies, depth {depth},"
            f" {len(consultation.sessions)} sessions{zones}"
        )


@bp.cli.group("sessions")
def sessions() -> None:
    """Create zone sessions and move them through their states."""


@sessions.command("create")
@click.argument("consultation_id", type=int)
@click.option("--zone", "zone_code", type=int, required=True, help="Zone number (1–11).")
@click.option("--title")
@click.option("--mode", type=click.Choice([m.value for m in Mode]), default=Mode.HYBRID.value, show_default=True)
@click.option("--place", default="")
def sessions_create(consultation_id, zone_code, title, mode, place) -> None:
    """Create a session of a consultation in a zone and print its id."""
    consultation = db.session.get(Consultation, consultation_id)
    if consultation is None:
        raise click.ClickException(f"no consultation with id {consultation_id}")
    zone = db.session.scalar(select(Zone).where(Zone.code == zone_code))
    if zone is None:
        raise click.ClickException(f"no zone {zone_code}")
    session = _commit_or_fail(
        lambda: services.create_session(consultation, zone, title=title, mode=Mode(mode), place=place)
    )
    click.echo(session.id)


@sessions.command("set-state")
@click.argument("session_id", type=int)
@click.argument("state", type=click.Choice(["open", "closed", "published"]))
def sessions_set_state(session_id, state) -> None:
    """Open, close (or reopen) or publish a session."""
    session = _session(session_id)
    _commit_or_fail(lambda: services.set_state(session, SessionState(state)))
    click.echo(f"session {session.id}: {session.state.value}")


@bp.cli.group("codes")
def codes() -> None:
    """Single-use participant codes for the room."""


@codes.command("generate")
@click.argument("session_id", type=int)
@click.argument("count", type=int)
def codes_generate(session_id, count) -> None:
    """Print COUNT new single-use codes for the session, one per line."""
    session = _session(session_id)
    for code in _commit_or_fail(lambda: services.generate_codes(session, count)):
        click.echo(code)


@bp.cli.group("ballots")
def ballots() -> None:
    """Paper ballots."""


@ballots.command("import")
@click.argument("session_id", type=int)
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--by", "by_email", help="Email of the account typing the ballots in (recorded with each).")
def ballots_import(session_id, file: Path, by_email) -> None:
    """Import paper ballots from a CSV or XLSX file: all rows or none (see README for the format)."""
    # The command speaks English like the rest of the CLI, row problems included: they come from the
    # same Babel catalogue as the web pages, forced to English here.
    with force_locale("en"):
        session = _session(session_id)
        entered_by = None
        if by_email:
            entered_by = db.session.scalar(select(User).where(User.email == by_email.strip().lower()))
            if entered_by is None:
                raise click.ClickException(_("Nessun account %(email)s.", email=by_email))
            if not can(entered_by, "zone.paper", session.zone):
                raise click.ClickException(
                    _(
                        "%(email)s non facilita la zona %(zone)s: le schede le inserisce chi facilita la zona, "
                        "un pianificatore o un amministratore.",
                        email=entered_by.email,
                        zone=session.zone.code,
                    )
                )
        source = f"cli:{getpass.getuser()}:{file.name}"
        try:
            report = paper.import_paper_ballots(session, file.read_bytes(), entered_by, source, file.name)
            db.session.commit()
        except DomainError as error:
            db.session.rollback()
            raise click.ClickException(
                _("%(file)s: non è stato importato nulla.", file=file) + "\n" + error.message
            ) from None
        click.echo(
            _(
                "%(file)s: %(created)s schede nuove, %(replaced)s sostituite",
                file=file,
                created=report.created,
                replaced=report.replaced,
            )
        )

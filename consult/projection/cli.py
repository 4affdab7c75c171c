"""``flask sessions projection-link SID [--revoke]``, on the sessions group of the participation commands."""

import click
from flask import current_app

from consult.extensions import db
from consult.participation.cli import _session, sessions
from consult.projection import services


@sessions.command("projection-link")
@click.argument("session_id", type=int)
@click.option("--revoke", is_flag=True, help="Revoke the link: a projection opened with it stops updating.")
@click.option("--new", "renew", is_flag=True, help="Replace the link with a new one (the old one stops working).")
def projection_link(session_id: int, revoke: bool, renew: bool) -> None:
    """Print the full URL of the session's projection link, creating it if there is none."""
    session = _session(session_id)
    if revoke:
        if services.revoke_link(session):
            db.session.commit()
            click.echo(f"projection link of session {session.id} revoked")
        else:
            click.echo(f"session {session.id} has no projection link")
        return
    if not current_app.config.get("BASE_URL"):
        raise click.ClickException(
            "set BASE_URL (e.g. https://consult.example.org) to print a full URL from the command line"
        )
    if renew or session.projection_salt is None:
        services.new_link(session)
        db.session.commit()
    click.echo(services.projection_url(session))

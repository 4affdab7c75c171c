"""flask commands: ``flask --app consult seed`` and friends."""

import sys
from pathlib import Path

import click
from flask import Flask
from flask.cli import AppGroup, with_appcontext

from consult import seed as seeding
from consult.extensions import db
from consult.models import ConditionTag, StakeholderCategory
from consult.models.people import Role


@click.command("seed")
@click.option(
    "--catalogue",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Plan catalogue (JSON). Default: the PSM 2024–2026 shipped with consult.",
)
@click.option(
    "--zones",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Zone omogenee (CSV: code,name,comuni,population_2011). Default: the shipped file.",
)
@click.option(
    "--monitoring/--no-monitoring",
    default=True,
    show_default=True,
    help="Also load the shipped monitoring report (Città di Torino, Rendiconto 2023).",
)
@with_appcontext
def seed_command(catalogue: Path | None, zones: Path | None, monitoring: bool) -> None:
    """Load the plan catalogue, the zones and the stakeholder categories; safe to run again."""
    catalogue = catalogue or seeding.shipped(seeding.CATALOGUE_FILE)
    zones = zones or seeding.shipped(seeding.ZONES_FILE)
    try:
        # Read and validate both files before writing anything.
        plan_data = seeding.read_catalogue(catalogue)
        zone_rows = seeding.read_zones(zones)
        category_rows = seeding.read_taxonomy(seeding.shipped(seeding.CATEGORIES_FILE))
        condition_rows = seeding.read_taxonomy(seeding.shipped(seeding.CONDITIONS_FILE))
    except seeding.SeedError as error:
        raise click.ClickException(f"nothing was loaded; fix the file and run again:\n{error}") from None
    from consult.monitoring.importer import SHIPPED_FILE, DatasetError, sync_shipped

    try:
        reports = {
            "catalogue": seeding.sync_catalogue(plan_data),
            "zones": seeding.sync_zones(zone_rows),
            "categories": seeding.sync_taxonomy(StakeholderCategory, category_rows),
            "conditions": seeding.sync_taxonomy(ConditionTag, condition_rows),
        }
        db.session.flush()
        monitoring_report = "not loaded (--no-monitoring)"
        if monitoring:
            monitoring_report = sync_shipped(seeding.shipped(SHIPPED_FILE))
        db.session.commit()
    except DatasetError as error:
        db.session.rollback()
        raise click.ClickException(f"nothing was loaded; the shipped monitoring report is invalid:\n{error}") from None
    except Exception:
        db.session.rollback()
        raise
    click.echo(f"monitoring: {monitoring_report}")
    for name, report in reports.items():
        if report.changed:
            click.echo(f"{name}: {len(report.created)} created, {len(report.updated)} updated")
        else:
            click.echo(f"{name}: up to date")
        if report.orphaned:
            click.echo(f"{name}: kept, no longer in the file: {', '.join(report.orphaned)}")


@click.command("demo")
@click.option("--if-empty", is_flag=True, help="Do nothing when a consultation already exists.")
@with_appcontext
def demo_command(if_empty: bool) -> None:
    """Load a demo dataset: two consultations in all 11 zones, ballots, sheets, and demo accounts."""
    from consult import demo

    if not demo.demo_needed():
        if if_empty:
            click.echo("demo: the database already has consultations; nothing to do")
            return
        raise click.ClickException("the database already has consultations; the demo goes into an empty one")
    try:
        credentials = demo.create_demo()
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    path = demo.save_credentials(credentials)
    click.echo(f"demo: loaded. Demo accounts (password also in {path}):")
    for email, password in credentials.items():
        click.echo(f"  {email}  {password}")


users = AppGroup("users", help="Manage accounts (e.g. the first admin of a fresh install).")


@users.command("create")
@click.argument("email")
@click.option(
    "--role",
    type=click.Choice([role.value for role in Role]),
    default=Role.STAKEHOLDER.value,
    show_default=True,
)
@click.option("--zone", "zones", type=int, multiple=True, help="Zone number a facilitator runs (repeatable).")
@click.option("--name", "display_name", help="Display name (default: the part of the email before @).")
@click.option("--organisation", help="Organisation the person belongs to.")
def users_create(email: str, role: str, zones: tuple[int, ...], display_name: str | None, organisation: str | None):
    """Create a confirmed account. The password is read from standard input or prompted for,
    never taken from the command line (where other users of the machine could read it)."""
    from email_validator import EmailNotValidError, validate_email
    from flask_babel import force_locale
    from sqlalchemy import select

    from consult.auth.services import create_user
    from consult.errors import DomainError
    from consult.models import Zone

    try:
        validate_email(email, check_deliverability=False)
    except EmailNotValidError as error:
        raise click.ClickException(f"not a valid email address: {error}") from None
    if sys.stdin.isatty():
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    else:
        password = sys.stdin.readline().rstrip("\r\n")
    codes = sorted(set(zones))
    found = {zone.code: zone for zone in db.session.scalars(select(Zone).where(Zone.code.in_(codes)))}
    if unknown := [code for code in codes if code not in found]:
        raise click.ClickException(f"unknown zone(s): {', '.join(map(str, unknown))} (run `flask seed` first?)")
    if codes and role != Role.FACILITATOR.value:
        raise click.ClickException("--zone is for facilitators only")
    try:
        # No request here to pick a language from: the services' messages follow the CLI, in English.
        with force_locale("en"):
            user = create_user(
                email,
                password,
                display_name=display_name or email.split("@")[0],
                organisation=organisation,
                role=Role(role),
                facilitated_zones=[found[code] for code in codes],
                confirmed=True,
            )
        db.session.commit()
    except DomainError as error:
        db.session.rollback()
        raise click.ClickException(f"nothing was written: {error}") from None
    click.echo(f"created {user.email} ({user.role.value}), id {user.id}")


@users.command("list")
def users_list() -> None:
    """List the accounts with their roles and zones."""
    from sqlalchemy import select

    from consult.models import User

    for user in db.session.scalars(select(User).where(User.deleted_at.is_(None)).order_by(User.id)):
        zones = ",".join(str(zone.code) for zone in user.facilitated_zones)
        state = "" if user.active else " (deactivated)"
        click.echo(f"{user.id}\t{user.email}\t{user.role.value}{f' zones {zones}' if zones else ''}{state}")


translate = click.Group("translate", help="Maintain the Italian and English message catalogues.")


@translate.command("update")
def translate_update() -> None:
    """Extract UI strings and merge them into translations/it and translations/en."""
    from babel.messages.frontend import CommandLineInterface
    from babel.messages.pofile import read_po, write_po

    root = Path(__file__).resolve().parent.parent
    pot = root / "translations" / "messages.pot"
    babel_cli = CommandLineInterface()
    babel_cli.run(["pybabel", "-q", "extract", "-F", str(root / "babel.cfg"), "-k", "_l", "--project=consult",
                   "--no-location", "--sort-output", "-o", str(pot), str(root)])  # fmt: skip
    for locale in ("it", "en"):
        po = root / "translations" / locale / "LC_MESSAGES" / "messages.po"
        action = "update" if po.exists() else "init"
        babel_cli.run(["pybabel", "-q", action, "-i", str(pot), "-d", str(root / "translations"), "-l", locale,
                       *(["--no-fuzzy-matching", "--ignore-obsolete"] if action == "update" else [])])  # fmt: skip
    # Italian is the source language: its catalogue repeats each message, so it is complete by construction.
    po_path = root / "translations" / "it" / "LC_MESSAGES" / "messages.po"
    with po_path.open("rb") as file:
        catalogue = read_po(file, locale="it")
    for message in catalogue:
        if message.id and not all(message.string if isinstance(message.string, tuple) else [message.string]):
            message.string = message.id  # a plural's (singular, plural) pair fits Italian's two forms
    with po_path.open("wb") as file:
        write_po(file, catalogue, no_location=True, sort_output=True, width=100)
    untranslated = _untranslated(root / "translations" / "en" / "LC_MESSAGES" / "messages.po")
    click.echo(f"English: {len(untranslated)} messages to translate in translations/en/LC_MESSAGES/messages.po")


def _untranslated(path: Path) -> list[str]:
    from babel.messages.pofile import read_po

    with path.open("rb") as file:
        catalogue = read_po(file)
    return [
        m.id
        for m in catalogue
        if m.id and (m.fuzzy or not all(m.string if isinstance(m.string, tuple) else [m.string]))
    ]


def init_app(app: Flask) -> None:
    app.cli.add_command(seed_command)
    app.cli.add_command(demo_command)
    app.cli.add_command(translate)
    app.cli.add_command(users)
    from consult.monitoring.cli import monitoring

    app.cli.add_command(monitoring)

"""flask commands: ``flask --app consult seed`` and friends."""

from pathlib import Path

import click
from flask import Flask
from flask.cli import with_appcontext

from consult import seed as seeding
from consult.extensions import db


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
@with_appcontext
def seed_command(catalogue: Path | None, zones: Path | None) -> None:
    """Load the plan catalogue and the zones; safe to run again, refuses a bad file whole."""
    catalogue = catalogue or seeding.shipped(seeding.CATALOGUE_FILE)
    zones = zones or seeding.shipped(seeding.ZONES_FILE)
    try:
        # Read and validate both files before writing anything.
        plan_data = seeding.read_catalogue(catalogue)
        zone_rows = seeding.read_zones(zones)
    except seeding.SeedError as error:
        raise click.ClickException(f"nothing was loaded; fix the file and run again:\n{error}") from None
    try:
        reports = {"catalogue": seeding.sync_catalogue(plan_data), "zones": seeding.sync_zones(zone_rows)}
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    for name, report in reports.items():
        if report.changed:
            click.echo(f"{name}: {len(report.created)} created, {len(report.updated)} updated")
        else:
            click.echo(f"{name}: up to date")
        if report.orphaned:
            click.echo(f"{name}: kept, no longer in the file: {', '.join(report.orphaned)}")




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
    return [m.id for m in catalogue if m.id and (m.fuzzy or not all(m.string if isinstance(m.string, tuple) else [m.string]))]


def init_app(app: Flask) -> None:
    app.cli.add_command(seed_command)
    app.cli.add_command(translate)

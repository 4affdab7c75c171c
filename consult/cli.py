"""flask commands: ``flask --app consult seed`` and friends."""

from pathlib import Path

import click
from flask import Flask

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


def init_app(app: Flask) -> None:
    app.cli.add_command(seed_command)

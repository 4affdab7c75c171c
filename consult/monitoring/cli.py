"""``flask monitoring ...``: convert a report's text, import a dataset file."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import AppGroup

from consult.extensions import db

monitoring = AppGroup("monitoring", help="Monitoring reports: convert a report's text, import a dataset.")


@monitoring.command("convert")
@click.argument("source", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="CSV file to write.")
def convert_command(source: Path, output: Path | None) -> None:
    """Convert the text of a strategic-control report into the dataset (CSV) and print the report."""
    from consult.monitoring.convert import convert

    result = convert(source.read_text(encoding="utf-8"))
    if output:
        with output.open("w", encoding="utf-8", newline="") as stream:
            result.write_csv(stream)
    click.echo(result.report())
    if output:
        click.echo(f"\nwrote {output}")


@monitoring.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--source", "source_name", required=True, help="Report name, e.g. 'Città di Torino — Rendiconto 2023'.")
@click.option("--zone", type=int, default=None, help="Zone omogenea the report belongs to (none: the whole area).")
def import_command(file: Path, source_name: str, zone: int | None) -> None:
    """Import a dataset file (CSV or XLSX); all or nothing; re-importing a source replaces it."""
    from consult.monitoring.importer import DatasetError, checksum_of, import_dataset, read_dataset

    try:
        data = file.read_bytes()
        rows = read_dataset(file, data)
        source, counts = import_dataset(
            rows, source_name, zone_code=zone, file_name=file.name, checksum=checksum_of(data)
        )
        db.session.commit()
    except DatasetError as error:
        db.session.rollback()
        raise click.ClickException("nothing was written:\n" + "\n".join(error.problems)) from None
    click.echo(
        f"imported {source.name!r}: {counts['programmes']} programmes, {counts['activities']} activities, "
        f"{counts['indicators']} indicators"
    )

"""The territory: the Zone omogenee of the Città metropolitana."""

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from consult.extensions import db


class Zone(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    #: The official number of the zone (1–11), used in URLs and in the CLI.
    code: Mapped[int] = mapped_column(unique=True)
    name: Mapped[str] = mapped_column(String(120))
    #: Number of municipalities when the zones were set (2015); a fact imported, not recomputed.
    municipalities: Mapped[int]
    #: Resident population at the 2011 ISTAT census.
    population_2011: Mapped[int]

from sqlalchemy import select

from consult.extensions import db
from consult.models import Zone


def all_zones() -> list[Zone]:
    """The zones in their official order."""
    return list(db.session.scalars(select(Zone).order_by(Zone.code)))

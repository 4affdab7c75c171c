"""The domain model, one module per domain; importing this package registers every table."""

from consult.models.plan import Action, Axis, Plan, Strategy
from consult.models.territory import Zone

__all__ = ["Action", "Axis", "Plan", "Strategy", "Zone"]

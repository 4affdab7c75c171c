"""Who may do what. Every view declares a permission; ``can`` is the one place that decides.

Views declare with ``@public``, ``@signed_in`` or ``@requires("name")``; a view about a zone also calls
``authorize("name", zone)`` once it has loaded the zone. The app refuses to start if a view declares
nothing, so no page is open by accident.
"""

from collections.abc import Callable
from functools import wraps

from flask import abort, request
from flask_login import current_user

from consult.extensions import login_manager
from consult.models.people import Role

PUBLIC = "public"
SIGNED_IN = "signed_in"

#: Permission → roles that hold it everywhere. Facilitators hold zone permissions only in their zones.
GRANTS: dict[str, frozenset[Role]] = {
    "admin.users": frozenset({Role.ADMIN}),
    "admin.audit": frozenset({Role.ADMIN}),
    "admin.lists": frozenset({Role.ADMIN}),
    "results.all_zones": frozenset({Role.PLANNER, Role.ADMIN}),
    "monitoring.link": frozenset({Role.PLANNER, Role.ADMIN}),
    # The facilitator console: its home for all staff; consultations for planners and admins; each session's
    # workshop pages (zone-scoped) for planners and admins everywhere and facilitators in their zones.
    "console.home": frozenset({Role.FACILITATOR, Role.PLANNER, Role.ADMIN}),
    "consultations.manage": frozenset({Role.PLANNER, Role.ADMIN}),
    "zone.console": frozenset({Role.PLANNER, Role.ADMIN}),
    # Zone-scoped: planners and admins everywhere, facilitators in the zones assigned to them.
    # Seeing a zone's draft sessions: planners prepare sessions from the console too.
    "zone.facilitate": frozenset({Role.PLANNER, Role.ADMIN}),
    "zone.results": frozenset({Role.PLANNER, Role.ADMIN}),
    "zone.projection": frozenset({Role.PLANNER, Role.ADMIN}),  # the room's projection: reveal, link
    "zone.moderate": frozenset({Role.PLANNER, Role.ADMIN}),  # hide and restore reported contributions
    "zone.paper": frozenset({Role.PLANNER, Role.ADMIN}),  # typing in and importing paper ballots
}
ZONE_SCOPED = {"zone.facilitate", "zone.results", "zone.console", "zone.projection", "zone.moderate", "zone.paper"}


def can(user, permission: str, zone=None) -> bool:
    """Whether ``user`` holds ``permission`` (for ``zone``, when the permission is zone-scoped)."""
    if permission == PUBLIC:
        return True
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if permission == SIGNED_IN:
        return True
    if user.role in GRANTS[permission]:
        return True
    if permission in ZONE_SCOPED and user.role == Role.FACILITATOR:
        return zone is not None and user.facilitates(zone)
    return False


def authorize(permission: str, zone=None) -> None:
    """Stop the request unless the current user holds ``permission``: sign-in page or 403."""
    if not current_user.is_authenticated:
        abort(login_manager.unauthorized())
    if not can(current_user, permission, zone):
        abort(403)


def public(view: Callable) -> Callable:
    """Declare a view open to everyone, signed in or not."""
    view.permission = PUBLIC
    return view


def signed_in(view: Callable) -> Callable:
    """Declare a view open to every active account."""
    return requires(SIGNED_IN)(view)


def requires(permission: str, *, zone_scoped_in_view: bool = False) -> Callable:
    """Declare and enforce a permission. For a zone-scoped permission the view itself calls
    ``authorize(permission, zone)`` after loading the zone (404 before 403); here only sign-in is checked."""
    if permission not in (PUBLIC, SIGNED_IN) and permission not in GRANTS:
        raise ValueError(f"unknown permission {permission!r}")
    if permission in ZONE_SCOPED and not zone_scoped_in_view:
        raise ValueError(f"{permission!r} is zone-scoped: pass zone_scoped_in_view=True and call authorize()")

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapper(*args, **kwargs):
            if request.method != "OPTIONS":
                authorize(SIGNED_IN if permission in ZONE_SCOPED else permission)
            return view(*args, **kwargs)

        wrapper.permission = permission
        return wrapper

    return decorator


def check_declared(app) -> None:
    """Fail at start-up when a view has no declared permission, so none is open by accident."""
    missing = [
        endpoint
        for endpoint, view in app.view_functions.items()
        if endpoint != "static" and not hasattr(view, "permission")
    ]
    if missing:
        raise RuntimeError(f"views without a declared permission: {', '.join(sorted(missing))}")

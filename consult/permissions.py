"""Every view declares who may see it; the app refuses to start if one does not."""

from collections.abc import Callable

PUBLIC = "public"


def public(view: Callable) -> Callable:
    """Declare a view open to everyone, signed in or not."""
    view.permission = PUBLIC
    return view


def check_declared(app) -> None:
    """Fail at start-up when a view has no declared permission, so none is open by accident."""
    missing = [
        endpoint
        for endpoint, view in app.view_functions.items()
        if endpoint != "static" and not hasattr(view, "permission")
    ]
    if missing:
        raise RuntimeError(f"views without a declared permission: {', '.join(sorted(missing))}")

"""Writing to the audit log. Helpers add to the session; the view's single commit saves them."""

from flask import has_request_context, request
from flask_login import current_user

from consult.extensions import db
from consult.models.audit import AuditEvent


def client_address() -> str | None:
    """The address the request came from (ProxyFix, when configured, has already resolved proxies)."""
    return request.remote_addr if has_request_context() else None


def record(action: str, target=None, *, actor=None, **details) -> AuditEvent:
    """Add an audit event; ``actor`` defaults to the signed-in person, ``target`` is any model row."""
    if actor is None and has_request_context() and current_user.is_authenticated:
        actor = current_user._get_current_object()
    event = AuditEvent(
        action=action,
        actor=actor,
        target_type=target.__tablename__ if target is not None else None,
        target_id=target.id if target is not None else None,
        details=details,
        ip_address=client_address(),
    )
    db.session.add(event)
    return event

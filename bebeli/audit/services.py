"""Writing audit events. Called by services in the same transaction as the change they record."""
from __future__ import annotations

from flask import has_request_context, request

from bebeli.audit.models import AuditEvent
from bebeli.extensions import db


def client_ip() -> str | None:
    if not has_request_context():
        return None
    return request.remote_addr


def record(action: str, *, actor=None, obj=None, object_type: str | None = None,
           object_id=None, **details) -> AuditEvent:
    """Record that `actor` did `action` to `obj` (or to object_type/object_id)."""
    if obj is not None:
        object_type = object_type or obj.__tablename__
        object_id = object_id if object_id is not None else getattr(obj, "id", None)
    event = AuditEvent(
        actor_id=getattr(actor, "id", actor),
        action=action,
        object_type=object_type,
        object_id=None if object_id is None else str(object_id),
        ip=client_ip(),
        details={k: v for k, v in details.items() if v is not None} or None,
    )
    db.session.add(event)
    return event


def audit_events_for(*, action: str | None = None, actor_id: int | None = None,
                     object_type: str | None = None, object_id: str | None = None):
    stmt = db.select(AuditEvent).order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
    if action:
        stmt = stmt.where(AuditEvent.action.startswith(action))
    if actor_id:
        stmt = stmt.where(AuditEvent.actor_id == actor_id)
    if object_type:
        stmt = stmt.where(AuditEvent.object_type == object_type)
    if object_id:
        stmt = stmt.where(AuditEvent.object_id == str(object_id))
    return stmt

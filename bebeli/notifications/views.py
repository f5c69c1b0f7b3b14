"""The notification list: what happened to your orders, newest first, with a link to act."""
from __future__ import annotations

from flask import redirect, render_template, url_for
from flask_login import current_user, login_required

from bebeli.extensions import db
from bebeli.forms import EmptyForm
from bebeli.ids import page_of
from bebeli.notifications import bp
from bebeli.notifications.models import Notification
from bebeli.notifications.services import mark_read, notifications_for, unread_count
from bebeli.urls import safe_next


@bp.get("/")
@login_required
def index():
    page = page_of(notifications_for(current_user))
    return render_template("notifications/index.html", page=page, unread=unread_count(current_user))


@bp.get("/<id:notification_id>", endpoint="open")
@login_required
def open_one(notification_id):
    note = db.session.get(Notification, notification_id)
    if note is None or note.user_id != current_user.id:
        return redirect(url_for("notifications.index"))
    mark_read(current_user, note.id)
    db.session.commit()
    return redirect(safe_next(note.link) or url_for("notifications.index"))


@bp.post("/baca")
@login_required
def read_all():
    if EmptyForm().validate_on_submit():
        mark_read(current_user)
        db.session.commit()
    return redirect(url_for("notifications.index"))

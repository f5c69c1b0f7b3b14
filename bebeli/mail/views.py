"""The development outbox: shows queued mail so password resets work without SMTP."""
from flask import abort, current_app, render_template

from bebeli.extensions import db
from bebeli.ids import page_of
from bebeli.mail import bp
from bebeli.mail.models import OutboundEmail


@bp.before_request
def only_in_development():
    if not current_app.config.get("DEV_OUTBOX"):
        abort(404)


@bp.get("/")
def index():
    page = page_of(db.select(OutboundEmail).order_by(OutboundEmail.id.desc()), per_page=20)
    return render_template("mail/outbox.html", page=page)

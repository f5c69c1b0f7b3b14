"""The development outbox: shows queued mail so password resets work without SMTP."""
from flask import abort, current_app, render_template

from bebeli.extensions import db
from bebeli.ids import page_arg
from bebeli.mail import bp
from bebeli.mail.models import OutboundEmail


@bp.before_request
def only_in_development():
    if not current_app.config.get("DEV_OUTBOX"):
        abort(404)


@bp.get("/")
def index():
    page = db.paginate(db.select(OutboundEmail).order_by(OutboundEmail.id.desc()), per_page=20, page=page_arg(),
                       error_out=False)
    return render_template("mail/outbox.html", page=page)

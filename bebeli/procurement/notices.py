"""Telling the next actor of an agency purchase (in the app and by email), in the same transaction."""
from __future__ import annotations

from flask import url_for
from flask_babel import lazy_gettext as _l

from bebeli.notifications.services import notify as notify_user
from bebeli.notifications.services import request_context


def notify(users, purchase, message) -> None:
    """Each distinct active user in `users` gets `message` with a link to the purchase."""
    with request_context():
        link = url_for("procurement.detail", purchase_id=purchase.id)
        subject = str(_l("Pengadaan %(number)s", number=purchase.seller_order.number))
        message = str(message)
    seen = set()
    for user in users:
        if user is None or user.id in seen or not user.is_active_account:
            continue
        seen.add(user.id)
        notify_user(user, message, subject=subject, link=link, order_id=purchase.order_id, kind="procurement")

"""The agency channel's value limit per package (PPN included): the one rule both the checkout
and the PPK's approval apply."""
from __future__ import annotations

from flask import current_app
from flask_babel import lazy_gettext as _l

from bebeli.errors import ValidationFailed
from bebeli.money import rupiah


class LimitExceeded(ValidationFailed):
    code = "channel_limit"


def channel_limit_amount() -> int:
    """The highest package value the agency channel accepts (PPN included)."""
    cfg = current_app.config
    limit = cfg["AGENCY_PACKAGE_LIMIT_AMOUNT"]
    if cfg["AGENCY_ENFORCE_BEBELI_FIRST_LIMIT"]:
        limit = min(limit, cfg["AGENCY_BEBELI_FIRST_LIMIT_AMOUNT"])
    return limit


def check_channel_limit(gross_amount: int, label) -> None:
    limit = channel_limit_amount()
    if gross_amount > limit:
        raise LimitExceeded(_l(
            "Nilai paket %(label)s %(amount)s melebihi batas %(limit)s untuk pembelian instansi melalui BEBELI. "
            "Gunakan metode pengadaan lain; memecah paket agar di bawah batas tidak diperbolehkan.",
            label=label, amount=rupiah(gross_amount), limit=rupiah(limit)))

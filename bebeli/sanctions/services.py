"""Applying a sanction an administrator confirmed, and lifting offer hides whose end passed.
Audited, and told to the seller in the app and by mail."""
from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import url_for
from flask_babel import lazy_gettext as _l

from bebeli.audit.services import record
from bebeli.auth.models import Role
from bebeli.dates import to_jakarta
from bebeli.db import utcnow
from bebeli.errors import NotAllowed, ValidationFailed
from bebeli.extensions import db
from bebeli.notifications.services import notify, request_context
from bebeli.sanctions.models import Sanction, SanctionKind
from bebeli.sanctions.policy import Suggestion
from bebeli.sellers.models import Shop, ShopStatus
from bebeli.sellers.services import change_status

MAX_HIDE_DAYS = 90
KIND_LABELS = {
    SanctionKind.WARNING: _l("Peringatan"),
    SanctionKind.HIDE: _l("Sembunyikan produk sementara"),
    SanctionKind.SUSPENSION: _l("Bekukan toko"),
}


def confirm_sanction(suggestion: Suggestion, admin, *, kind: SanctionKind | str, reason: str | None,
                     days: int | None = None, now: datetime | None = None) -> Sanction:
    if not admin.has_role(Role.ADMIN):
        raise NotAllowed()
    shop = suggestion.shop
    try:
        kind = SanctionKind(kind)
    except ValueError:
        raise ValidationFailed(_l("Pilih jenis sanksi."), field="kind") from None
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(_l("Tuliskan alasan sanksi untuk pelaku UMKM."), field="reason")
    now = now or utcnow()
    ends_at = None
    if kind == SanctionKind.HIDE:
        if days is None or not 1 <= days <= MAX_HIDE_DAYS:
            raise ValidationFailed(_l("Lama penyembunyian 1 sampai %(n)d hari.", n=MAX_HIDE_DAYS), field="days")
        ends_at = now + timedelta(days=days)
        shop.offers_hidden_until = ends_at    # through the ORM: the catalog's cached pages are renewed
    elif kind == SanctionKind.SUSPENSION:
        if shop.status != ShopStatus.VERIFIED:
            raise ValidationFailed(_l("Hanya toko terverifikasi yang dapat dibekukan."), field="kind")
        with request_context():   # audited and mailed there
            change_status(shop, ShopStatus.SUSPENDED, actor=admin, reason=reason)
    sanction = Sanction(shop_id=shop.id, kind=kind, rule=suggestion.rule_names or None, reason=reason,
                        evidence=suggestion.evidence, created_at=now, ends_at=ends_at, created_by_id=admin.id)
    db.session.add(sanction)
    db.session.flush()
    record("sanctions.confirmed", actor=admin, obj=sanction, shop_id=shop.id, kind=kind.value,
           rule=sanction.rule, evidence=suggestion.evidence, ends_at=ends_at.isoformat() if ends_at else None,
           reason=reason)
    if ends_at:
        message = _l("Sanksi untuk %(shop)s: %(kind)s sampai %(until)s. Alasan: %(reason)s", shop=shop.name,
                     kind=KIND_LABELS[kind], until=f"{to_jakarta(ends_at):%d-%m-%Y %H:%M} WIB", reason=reason)
    else:
        message = _l("Sanksi untuk %(shop)s: %(kind)s. Alasan: %(reason)s", shop=shop.name, kind=KIND_LABELS[kind],
                     reason=reason)
    _tell(shop, message)
    return sanction


def lift_expired_hides(now: datetime | None = None) -> int:
    """Clear the hides whose end passed (buyers already see the offers again: the catalog reads
    the end date; clearing it renews the cached catalog pages and tells the seller)."""
    now = now or utcnow()
    shops = db.session.scalars(sa.select(Shop).where(Shop.offers_hidden_until.is_not(None),
                                                     Shop.offers_hidden_until <= now).order_by(Shop.id)).all()
    for shop in shops:
        shop.offers_hidden_until = None
        record("sanctions.hide_lifted", obj=shop)
        _tell(shop, _l("Produk %(shop)s kembali tampil di katalog.", shop=shop.name))
    return len(shops)


def _tell(shop: Shop, message) -> None:
    with request_context():
        notify(shop.owner, str(message), subject=str(_l("Sanksi toko %(shop)s", shop=shop.name)),
               link=url_for("sellers.dashboard"), kind="sanction")


def sanctions_for_shop(shop: Shop, limit: int = 5) -> list[Sanction]:
    return list(db.session.scalars(sa.select(Sanction).where(Sanction.shop_id == shop.id)
                                   .order_by(Sanction.id.desc()).limit(limit)))

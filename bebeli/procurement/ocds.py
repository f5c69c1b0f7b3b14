"""Completed agency purchases as Open Contracting Data Standard (OCDS 1.1) releases.

One contracting process per Surat Pesanan: the agency is the buyer (and payer), the shop the
supplier (and payee); the award and the contract carry the invoice value (PPN included) and
the goods accepted at receipt; the treasurer's payments are the implementation transactions.
Only public business data is published: never an owner's NIK, phone or bank account.

The feed is paged by a keyset cursor over (payment time, id): a full page carries a
`Link: <…>; rel="next"` header whose `after` parameter continues exactly where it stopped, so
a harvester never misses or repeats a release while new ones are added. A package must hold at
least one release (the schema's minItems), so a query with nothing to publish answers 204.
"""
from __future__ import annotations

from datetime import date, datetime, time

import sqlalchemy as sa
from flask import current_app

from bebeli.dates import JAKARTA
from bebeli.extensions import db
from bebeli.procurement.models import AgencyPurchase, Stage

OCDS_VERSION = "1.1"
CURRENCY = "IDR"


def _iso(value: datetime | date) -> str:
    if not isinstance(value, datetime):
        value = datetime.combine(value, time.min, JAKARTA)
    return value.isoformat(timespec="seconds")


def _value(amount: int) -> dict:
    return {"amount": amount, "currency": CURRENCY}


def ocid_for(purchase: AgencyPurchase) -> str:
    return f"{current_app.config['OCDS_OCID_PREFIX']}-{purchase.sp_number}"


def _buyer(purchase: AgencyPurchase) -> dict:
    agency = purchase.agency
    return {"id": f"OPD-{agency.code}", "name": agency.name}


def _supplier(purchase: AgencyPurchase) -> dict:
    return {"id": f"NIB-{purchase.shop.nib}", "name": purchase.shop.name}


def _parties(purchase: AgencyPurchase) -> list[dict]:
    agency, shop = purchase.agency, purchase.shop
    buyer = {
        **_buyer(purchase),
        "roles": ["buyer", "procuringEntity", "payer"],
        "address": {"locality": agency.kecamatan or "", "region": current_app.config["REGION_NAME"],
                    "countryName": "Indonesia"},
    }
    supplier = {
        **_supplier(purchase),
        # NIB: the business number issued by OSS, Indonesia's business licensing system.
        "identifier": {"scheme": "ID-NIB", "id": shop.nib, "legalName": shop.name},
        "roles": ["supplier", "payee"],
        "address": {"locality": shop.kecamatan, "region": shop.regency or current_app.config["REGION_NAME"],
                    "countryName": "Indonesia"},
    }
    return [buyer, supplier]


def _items(purchase: AgencyPurchase) -> list[dict]:
    items = []
    for line in purchase.seller_order.lines:
        accepted = line.quantity - line.rejected_quantity
        if accepted <= 0:
            continue
        items.append({
            "id": str(line.id),
            "description": line.product_name,
            "quantity": accepted,
            "unit": {"name": line.unit, "value": _value(line.unit_price_amount)},
        })
    return items


def _transactions(purchase: AgencyPurchase) -> list[dict]:
    return [
        {
            "id": f"{purchase.sp_number}-P{payment.id}",
            "source": "SP2D" if payment.reference.upper().startswith("SP2D") else "treasury",
            "date": _iso(payment.paid_on),
            "value": _value(payment.amount),
            "payer": _buyer(purchase),
            "payee": _supplier(purchase),
        }
        for payment in purchase.payments
    ]


def release_for(purchase: AgencyPurchase) -> dict:
    ocid = ocid_for(purchase)
    items = _items(purchase)
    value = _value(purchase.gross_amount)
    award_id = f"{purchase.sp_number}-award"
    title = f"Surat Pesanan {purchase.sp_number}"
    return {
        "ocid": ocid,
        "id": f"{ocid}-{purchase.paid_at:%Y%m%dT%H%M%S}",
        "date": _iso(purchase.paid_at),
        "tag": ["award", "contract", "implementation"],
        "initiationType": "tender",
        "language": "id",
        "parties": _parties(purchase),
        "buyer": _buyer(purchase),
        "tender": {
            "id": f"{purchase.sp_number}-tender",
            "title": title,
            "status": "complete",
            "procuringEntity": _buyer(purchase),
            "procurementMethod": "direct",
            "procurementMethodDetails": "E-purchasing melalui katalog elektronik daerah BEBELI",
            "mainProcurementCategory": "goods",
            "items": items,
            "value": value,
        },
        "awards": [{
            "id": award_id,
            "title": title,
            "status": "active",
            "date": _iso(purchase.approved_at),
            "value": value,
            "suppliers": [_supplier(purchase)],
            "items": items,
        }],
        "contracts": [{
            "id": purchase.sp_number,
            "awardID": award_id,
            "title": title,
            "status": "terminated",  # OCDS: signed, in force, and now closed (fully paid)
            "dateSigned": _iso(purchase.approved_at),
            "value": value,
            "items": items,
            "implementation": {"transactions": _transactions(purchase)},
        }],
    }


def completed_purchases(since: datetime | None, limit: int, after: tuple[datetime, int] | None = None):
    stmt = db.select(AgencyPurchase).where(AgencyPurchase.stage == Stage.PAID)
    if since is not None:
        stmt = stmt.where(AgencyPurchase.paid_at >= since)
    if after is not None:
        stmt = stmt.where(sa.tuple_(AgencyPurchase.paid_at, AgencyPurchase.id) > sa.tuple_(*after))
    return stmt.order_by(AgencyPurchase.paid_at, AgencyPurchase.id).limit(limit)


def cursor_for(purchase: AgencyPurchase) -> str:
    """The `after` value that continues the feed after this purchase."""
    return f"{purchase.paid_at.isoformat()}_{purchase.id}"


def parse_cursor(text: str) -> tuple[datetime, int]:
    """Raises ValueError for anything `cursor_for` did not make."""
    stamp, _, ident = text.rpartition("_")
    moment = datetime.fromisoformat(stamp)
    if moment.tzinfo is None or not ident.isdigit():
        raise ValueError(text)
    return moment, int(ident)


def release_package(purchases: list[AgencyPurchase], *, uri: str, published: datetime) -> dict:
    """The package; `published` is the newest release's date (the feed is built on demand)."""
    return {
        "uri": uri,
        "version": OCDS_VERSION,
        "publishedDate": _iso(published),
        "publisher": {"name": current_app.config["OCDS_PUBLISHER_NAME"]},
        "license": "https://creativecommons.org/licenses/by/4.0/",
        "releases": [release_for(p) for p in purchases],
    }

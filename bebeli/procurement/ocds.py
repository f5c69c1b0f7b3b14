"""Agency purchases as Open Contracting Data Standard (OCDS 1.1) releases, published as they move.

One contracting process (`ocid`) per Surat Pesanan: the agency is the buyer (and payer), the
shop the supplier (and payee). Each step that changes what the public may know is one release,
as OCDS recommends, dated when it happened:

- the Surat Pesanan signed by the PPK: the award and the contract (`award`, `contract`);
- the BAST: the goods received, a delivery milestone, and the contract's value as accepted
  (`implementation`, plus `contractAmendment` when items were refused);
- each payment by the treasurer: the payments so far as the implementation's transactions
  (`implementation`; the last one closes the contract: `contractTermination`);
- a Surat Pesanan the seller rejected, or an administrator cancelled: the award and the
  contract cancelled (`awardCancellation`, `contractUpdate`).

Releases are built on demand from what the purchase stores, each only from what was known at
its step (the award keeps the ordered goods and the Surat Pesanan's value even after a BAST
refuses some), so a release once published never changes. Only public business data is
published: never an owner's NIK, phone or bank account.

The feed is paged by a keyset cursor over (release date, purchase id, step): a full page carries
a `Link: <…>; rel="next"` header whose `after` parameter continues exactly where it stopped, so
a harvester never misses or repeats a release while new ones are added. A package must hold at
least one release (the schema's minItems), so a query with nothing to publish answers 204.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timezone

import sqlalchemy as sa
from flask import current_app

from bebeli.dates import JAKARTA
from bebeli.extensions import db
from bebeli.ids import MAX_ID, bounded_int, parse_id
from bebeli.orders.models import FulfilmentStatus, OrderEvent
from bebeli.procurement.models import AgencyPayment, AgencyPurchase, Stage
from bebeli.tax import ppn_amount

OCDS_VERSION = "1.1"
CURRENCY = "IDR"

# The step of a release, after its date and purchase in the feed's order. A payment's step is
# the payment's id (positive); the other steps come before any payment of the same moment.
AWARD, BAST, CANCELLATION = -3, -2, -1
CLOSING_STATUSES = (FulfilmentStatus.CANCELLED.value, FulfilmentStatus.REJECTED.value)


@dataclass(frozen=True)
class Event:
    """One release to publish: what happened (`step`) to which purchase, and when."""

    moment: datetime
    purchase_id: int
    step: int

    @property
    def cursor(self) -> str:
        """The `after` value that continues the feed after this release."""
        return f"{self.moment.astimezone(timezone.utc).isoformat()}_{self.purchase_id}_{self.step}"


def parse_cursor(text: str) -> Event:
    """Raises ValueError for anything `Event.cursor` did not make."""
    stamp, _, rest = text.partition("_")
    ident, _, step = rest.partition("_")
    moment = datetime.fromisoformat(stamp)
    purchase_id, step_number = parse_id(ident), bounded_int(step, AWARD, MAX_ID)
    if moment.tzinfo is None or purchase_id is None or step_number is None:
        raise ValueError(text)
    return Event(moment.astimezone(timezone.utc), purchase_id, step_number)


def _step(value: int):
    return sa.literal_column(str(value), sa.Integer)


def _events():
    """Every release there is to publish, as (moment, purchase_id, step) rows."""
    p, pay = AgencyPurchase, AgencyPayment
    awards = sa.select(p.approved_at.label("moment"), p.id.label("purchase_id"), _step(AWARD).label("step")) \
        .where(p.approved_at.is_not(None))
    basts = sa.select(p.received_at, p.id, _step(BAST)).where(p.received_at.is_not(None))
    payments = sa.select(pay.recorded_at, pay.purchase_id, pay.id)
    # A Surat Pesanan closed after it was signed: when its seller order was rejected or cancelled.
    cancellations = (
        sa.select(sa.func.min(OrderEvent.at), p.id, _step(CANCELLATION))
        .join(OrderEvent, OrderEvent.seller_order_id == p.seller_order_id)
        .where(p.stage == Stage.CANCELLED, p.approved_at.is_not(None), OrderEvent.to_status.in_(CLOSING_STATUSES))
        .group_by(p.id)
    )
    return sa.union_all(awards, basts, payments, cancellations).subquery("ocds_events")


def events(since: datetime | None, limit: int, after: Event | None = None) -> list[Event]:
    """The next `limit` releases in the feed's order, from `since` and after `after`."""
    ev = _events()
    stmt = sa.select(ev.c.moment, ev.c.purchase_id, ev.c.step)
    if since is not None:
        stmt = stmt.where(ev.c.moment >= since)
    if after is not None:
        # Spelled out rather than a row-value comparison: the binds then take the columns' types.
        stmt = stmt.where(sa.or_(
            ev.c.moment > after.moment,
            sa.and_(ev.c.moment == after.moment, sa.or_(
                ev.c.purchase_id > after.purchase_id,
                sa.and_(ev.c.purchase_id == after.purchase_id, ev.c.step > after.step)))))
    stmt = stmt.order_by(ev.c.moment, ev.c.purchase_id, ev.c.step).limit(limit)
    return [Event(*row) for row in db.session.execute(stmt)]


# --- the release of each step -----------------------------------------------------------------

def _iso(value: datetime | date) -> str:
    if not isinstance(value, datetime):
        value = datetime.combine(value, time.min, JAKARTA)
    return value.isoformat(timespec="seconds")


def _value(amount: int) -> dict:
    return {"amount": amount, "currency": CURRENCY}


def ocid_for(purchase: AgencyPurchase) -> str:
    return f"{current_app.config['OCDS_OCID_PREFIX']}-{purchase.sp_number}"


def release_id(purchase: AgencyPurchase, step: int) -> str:
    names = {AWARD: "sp", BAST: "bast", CANCELLATION: "batal"}
    return f"{ocid_for(purchase)}-{names.get(step) or f'bayar-{step}'}"


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


def _items(purchase: AgencyPurchase, *, accepted: bool) -> list[dict]:
    """The goods of the Surat Pesanan as ordered, or as accepted at the BAST."""
    items = []
    for line in purchase.seller_order.lines:
        quantity = line.quantity - line.rejected_quantity if accepted else line.quantity
        if quantity <= 0:
            continue
        items.append({
            "id": str(line.id),
            "description": line.product_name,
            "quantity": quantity,
            "unit": {"name": line.unit, "value": _value(line.unit_price_amount)},
        })
    return items


def sp_amount(purchase: AgencyPurchase) -> int:
    """The Surat Pesanan's value (goods, PPN, delivery) as signed: the purchase itself stores the
    figures of its latest document, which a BAST refusing some goods lowers."""
    so = purchase.seller_order
    return so.goods_amount + ppn_amount(so.goods_amount, so.ppn_rate_bp) + so.delivery_fee_amount


def _bast_milestone(purchase: AgencyPurchase) -> dict:
    return {
        "id": purchase.bast_number,
        "title": f"Berita Acara Serah Terima {purchase.bast_number}",
        "type": "delivery",
        "status": "met",
        "dateMet": _iso(purchase.received_at),
    }


def _transactions(purchase: AgencyPurchase, up_to: int) -> list[dict]:
    return [
        {
            "id": f"{purchase.sp_number}-P{payment.id}",
            "source": "SP2D" if payment.reference.upper().startswith("SP2D") else "treasury",
            "date": _iso(payment.paid_on),
            "value": _value(payment.amount),
            "payer": _buyer(purchase),
            "payee": _supplier(purchase),
        }
        for payment in purchase.payments if payment.id <= up_to
    ]


def release_for(purchase: AgencyPurchase, event: Event) -> dict:
    """The release of one step of `purchase` (see the module's docstring)."""
    step = event.step
    ocid, title = ocid_for(purchase), f"Surat Pesanan {purchase.sp_number}"
    award_id = f"{purchase.sp_number}-award"
    ordered, signed = _items(purchase, accepted=False), _value(sp_amount(purchase))
    cancelled = step == CANCELLATION
    award = {
        "id": award_id,
        "title": title,
        "status": "cancelled" if cancelled else "active",
        "date": _iso(purchase.approved_at),
        "value": signed,
        "suppliers": [_supplier(purchase)],
        "items": ordered,
    }
    contract = {
        "id": purchase.sp_number,
        "awardID": award_id,
        "title": title,
        "status": "cancelled" if cancelled else "active",
        "dateSigned": _iso(purchase.approved_at),
        "value": signed,
        "items": ordered,
    }
    if step in (AWARD, CANCELLATION):
        tags = ["award", "contract"] if step == AWARD else ["awardCancellation", "contractUpdate"]
    else:  # the BAST or a payment: the goods as accepted, what the invoice asks
        tags = ["implementation"]
        contract.update(value=_value(purchase.gross_amount), items=_items(purchase, accepted=True),
                        implementation={"milestones": [_bast_milestone(purchase)]})
        if purchase.seller_order.rejected_goods_amount:
            contract["amendments"] = [{
                "id": purchase.bast_number,
                "date": _iso(purchase.received_at),
                "rationale": f"Sebagian barang ditolak saat serah terima ({purchase.bast_number})",
                "amendsReleaseID": release_id(purchase, AWARD),
                "releaseID": release_id(purchase, BAST),
            }]
            if step == BAST:
                tags.append("contractAmendment")
        if step > 0:
            contract["implementation"]["transactions"] = _transactions(purchase, up_to=step)
            if purchase.stage == Stage.PAID and step == purchase.payments[-1].id:
                contract["status"] = "terminated"  # OCDS: signed, in force, and now closed (fully paid)
                tags.append("contractTermination")
    return {
        "ocid": ocid,
        "id": release_id(purchase, step),
        "date": _iso(event.moment),
        "tag": tags,
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
            "items": ordered,
            "value": signed,
        },
        "awards": [award],
        "contracts": [contract],
    }


def releases_for(page: list[Event]) -> list[dict]:
    ids = {e.purchase_id for e in page}
    purchases = {p.id: p for p in db.session.scalars(db.select(AgencyPurchase).where(AgencyPurchase.id.in_(ids)))}
    return [release_for(purchases[e.purchase_id], e) for e in page]


def release_package(page: list[Event], *, uri: str) -> dict:
    """The package of a page of releases; published at the newest release's date (the feed is
    built on demand, so a page never changes once all its releases exist)."""
    return {
        "uri": uri,
        "version": OCDS_VERSION,
        "publishedDate": _iso(page[-1].moment),
        "publisher": {"name": current_app.config["OCDS_PUBLISHER_NAME"]},
        "license": "https://creativecommons.org/licenses/by/4.0/",
        "releases": releases_for(page),
    }

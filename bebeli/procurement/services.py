"""The agency purchase's stage moves: negotiation → PPK approval (Surat Pesanan) → the
seller's answer → BAST → the treasurer's payment.

The seller order's own moves go through the order lifecycle (`lifecycle.transition` and the
verbs around it); this module adds the agency's stage, the budget charge, the documents'
numbers and tax figures, the timeline notes and the notices to whoever acts next. Every step
is audited. Checkout is in `checkout`, what each role sees in `queries`, the names of things
in `labels`, and the agency's side of the orders module's moves in `follow`.
"""
from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from bebeli.audit.services import record
from bebeli.auth.models import Role
from bebeli.dates import jakarta_today
from bebeli.db import utcnow
from bebeli.errors import Conflict, InvalidTransition, NotAllowed, ValidationFailed
from bebeli.extensions import db
from bebeli.i18n import day_text
from bebeli.money import rupiah
from bebeli import lifecycle
from bebeli.orders.models import FulfilmentStatus, Order, SellerOrder
from bebeli.orders.status import Actor
from bebeli.orders.totals import PartTotals, add_up
from bebeli.procurement import permissions as can
from bebeli.procurement.budget import charge_budget_line, release_budget_line
from bebeli.procurement.limits import check_channel_limit
from bebeli.procurement.labels import STAGE_LABELS
from bebeli.procurement.models import (
    OPEN_STAGES,
    AgencyPayment,
    AgencyPurchase,
    OfferSide,
    OfferStatus,
    PriceOffer,
    Stage,
)
from bebeli.procurement.notices import notify
from bebeli.procurement.officials import users_with_role
from bebeli.procurement.queries import stages_in
from bebeli.procurement.tax import apply_taxes, taxes_for
from bebeli.settlement import ledger
from bebeli.tax import ppn_amount

F = FulfilmentStatus


def _refresh_totals(so: SellerOrder) -> None:
    """After a price is agreed: the seller order's and the order's stored totals, added up as
    the checkout adds them (PPN at the seller order's stored rate, its delivery fee as stored)."""
    so.goods_amount = sum(line.amount for line in so.lines)
    part = PartTotals(goods_amount=so.goods_amount, ppn_rate_bp=so.ppn_rate_bp,
                      ppn_amount=ppn_amount(so.goods_amount, so.ppn_rate_bp),
                      delivery_fee_amount=so.delivery_fee_amount)
    so.ppn_amount, so.total_amount = part.ppn_amount, part.total_amount
    order = so.order
    totals = add_up(order.seller_orders)
    order.goods_amount, order.ppn_amount = totals.goods_amount, totals.ppn_amount
    order.total_amount = totals.total_amount


def _move_stage(purchase: AgencyPurchase, frm: tuple[Stage, ...], to: Stage, **values) -> None:
    """Conditional UPDATE of the stage: of two people acting at once, only one moves it."""
    result = db.session.execute(
        sa.update(AgencyPurchase).where(AgencyPurchase.id == purchase.id, AgencyPurchase.stage.in_(frm))
        .values(stage=to, updated_at=utcnow(), **values).execution_options(synchronize_session=False)
    )
    db.session.expire(purchase)
    if result.rowcount != 1:
        raise InvalidTransition(_l("Pesanan ini baru saja berubah menjadi “%(stage)s”. Muat ulang halaman.",
                                   stage=STAGE_LABELS[purchase.stage]))


def _note(purchase: AgencyPurchase, actor, kind: str, note: str, *, actor_kind: Actor = Actor.BUYER) -> None:
    lifecycle.record_event(purchase.seller_order, order_id=purchase.order_id, actor=actor, actor_kind=actor_kind,
                 kind=kind, note=note)


def _seller(purchase: AgencyPurchase):
    return purchase.shop.owner


def _document_number(kind: str, purchase: AgencyPurchase, day: date) -> str:
    return f"{kind}-{purchase.agency.code}-{day.year}-{purchase.id:06d}"


# --- negotiation -------------------------------------------------------------------------

def _require_open(purchase: AgencyPurchase) -> None:
    if purchase.stage not in OPEN_STAGES:
        raise InvalidTransition(_l("Harga hanya dapat dinegosiasikan sebelum PPK menyetujui pesanan."))


def propose_prices(purchase: AgencyPurchase, pp, prices: dict[int, int]) -> list[PriceOffer]:
    """The PP proposes a unit price for some lines; any pending offer on them is superseded."""
    if not can.is_pp_of(pp, purchase):
        raise NotAllowed()
    _require_open(purchase)
    lines = {line.id: line for line in purchase.seller_order.lines}
    prices = {int(k): v for k, v in prices.items() if v is not None}
    if not prices:
        raise ValidationFailed(_l("Isi harga usulan untuk sedikitnya satu barang."))
    offers = []
    for line_id, price in prices.items():
        line = lines.get(line_id)
        if line is None:
            raise ValidationFailed(_l("Barang tidak ada di pesanan ini."))
        if not 0 < price < line.unit_price_amount:
            raise ValidationFailed(
                _l("Harga usulan %(name)s harus di bawah harga saat ini (%(price)s).",
                   name=line.product_name, price=rupiah(line.unit_price_amount)), line_id=line_id)
        for pending in purchase.pending_offers:
            if pending.order_line_id == line_id:
                pending.status = OfferStatus.COUNTERED if pending.side == OfferSide.SELLER else OfferStatus.DECLINED
                pending.responded_at = utcnow()
        offer = PriceOffer(order_line_id=line_id, side=OfferSide.BUYER, unit_price_amount=price, created_by_id=pp.id)
        purchase.offers.append(offer)
        offers.append(offer)
    db.session.flush()
    summary = "; ".join(f"{lines[o.order_line_id].product_name} {rupiah(o.unit_price_amount)}" for o in offers)
    _note(purchase, pp, "negotiation", str(_l("Usulan harga: %(summary)s", summary=summary)))
    record("procurement.price_proposed", actor=pp, obj=purchase,
           offers={o.order_line_id: o.unit_price_amount for o in offers})
    notify([_seller(purchase)], purchase, _l("Pejabat Pengadaan mengusulkan harga untuk pesanan %(number)s.",
                                              number=purchase.seller_order.number))
    return offers


def _offer_parties(offer: PriceOffer, user) -> None:
    """The side that did not make the offer answers it."""
    purchase = offer.purchase
    answering = can.is_seller_of(user, purchase) if offer.side == OfferSide.BUYER else can.is_pp_of(user, purchase)
    if not answering:
        raise NotAllowed()
    _require_open(purchase)
    if offer.status != OfferStatus.PENDING:
        raise InvalidTransition(_l("Tawaran ini sudah ditanggapi."))


def _other_side(offer: PriceOffer):
    purchase = offer.purchase
    return _seller(purchase) if offer.side == OfferSide.SELLER else purchase.pp


def accept_offer(offer: PriceOffer, user) -> None:
    """The agreed price replaces the list price on this order only."""
    _offer_parties(offer, user)
    purchase, line = offer.purchase, offer.order_line
    offer.status, offer.responded_at = OfferStatus.ACCEPTED, utcnow()
    line.unit_price_amount = offer.unit_price_amount
    line.amount = offer.unit_price_amount * line.quantity
    _refresh_totals(purchase.seller_order)
    apply_taxes(purchase, taxes_for(purchase.seller_order, jakarta_today()))
    db.session.flush()
    actor_kind = Actor.SELLER if offer.side == OfferSide.BUYER else Actor.BUYER
    _note(purchase, user, "negotiation", str(_l("Harga %(name)s disepakati: %(price)s (harga katalog %(list)s).",
                                                name=line.product_name, price=rupiah(line.unit_price_amount),
                                                list=rupiah(line.list_price_amount))), actor_kind=actor_kind)
    record("procurement.price_agreed", actor=user, obj=purchase, line_id=line.id, price=line.unit_price_amount)
    notify([_other_side(offer)], purchase, _l("Harga %(name)s disepakati.", name=line.product_name))


def counter_offer(offer: PriceOffer, seller, price: int, note: str | None = None) -> PriceOffer:
    """The seller answers the PP's price with another, between the two."""
    if offer.side != OfferSide.BUYER:
        raise NotAllowed()
    _offer_parties(offer, seller)
    line = offer.order_line
    if not offer.unit_price_amount < price < line.unit_price_amount:
        raise ValidationFailed(_l("Tawaran balik harus di antara %(low)s dan %(high)s.",
                                  low=rupiah(offer.unit_price_amount), high=rupiah(line.unit_price_amount)),
                               field="price")
    offer.status, offer.responded_at = OfferStatus.COUNTERED, utcnow()
    counter = PriceOffer(order_line_id=line.id, side=OfferSide.SELLER, unit_price_amount=price,
                         note=(note or "").strip() or None, created_by_id=seller.id)
    offer.purchase.offers.append(counter)
    db.session.flush()
    _note(offer.purchase, seller, "negotiation", str(_l("Tawaran balik %(name)s: %(price)s", name=line.product_name,
                                                        price=rupiah(price))), actor_kind=Actor.SELLER)
    record("procurement.price_countered", actor=seller, obj=offer.purchase, line_id=line.id, price=price)
    notify([offer.purchase.pp], offer.purchase,
           _l("Penjual memberi tawaran balik untuk %(name)s.", name=line.product_name))
    return counter


def decline_offer(offer: PriceOffer, user) -> None:
    """Keep the current price: the offer is declined (the PP may propose again)."""
    _offer_parties(offer, user)
    offer.status, offer.responded_at = OfferStatus.DECLINED, utcnow()
    actor_kind = Actor.SELLER if offer.side == OfferSide.BUYER else Actor.BUYER
    _note(offer.purchase, user, "negotiation", str(_l("Tawaran %(price)s untuk %(name)s ditolak; harga tetap.",
                                                      price=rupiah(offer.unit_price_amount),
                                                      name=offer.order_line.product_name)), actor_kind=actor_kind)
    record("procurement.price_declined", actor=user, obj=offer.purchase, offer_id=offer.id)
    notify([_other_side(offer)], offer.purchase, _l("Tawaran harga untuk %(name)s ditolak.",
                                                    name=offer.order_line.product_name))


# --- approval ----------------------------------------------------------------------------

def approve_purchase(purchase: AgencyPurchase, ppk) -> None:
    """The PPK approves: the budget line is charged (atomically), the Surat Pesanan is issued
    with the figures of today's rates, and the seller is asked to accept it."""
    if not can.is_ppk_of(ppk, purchase) or ppk.id == purchase.pp_id:
        raise NotAllowed()
    if purchase.pending_offers:
        raise Conflict(_l("Negosiasi harga masih berjalan. Tunggu sampai semua tawaran ditanggapi."))
    if not purchase.shop.is_visible:
        raise Conflict(_l("Toko %(shop)s sedang tidak aktif; pesanan tidak dapat disetujui.", shop=purchase.shop.name))
    today = jakarta_today()
    so = purchase.seller_order
    taxes = taxes_for(so, today)
    check_channel_limit(taxes.gross_amount, so.number)
    line = purchase.budget_line
    if line.fiscal_year != today.year:
        raise Conflict(_l("Kode anggaran %(code)s untuk tahun %(year)d; pesanan harus memakai pagu tahun berjalan.",
                          code=line.code, year=line.fiscal_year))
    _move_stage(purchase, (Stage.AWAITING_APPROVAL,), Stage.APPROVED, approved_at=utcnow(), sp_date=today,
                sp_number=_document_number("SP", purchase, today), charged_amount=taxes.gross_amount,
                return_note=None)
    charge_budget_line(line, taxes.gross_amount)
    apply_taxes(purchase, taxes)
    if so.ppn_rate_bp != taxes.ppn_rate_bp:  # the rate changed since checkout: the SP's date decides
        so.ppn_rate_bp = taxes.ppn_rate_bp
        _refresh_totals(so)
    lifecycle.transition(so, F.APPROVED, actor=ppk, actor_kind=Actor.SYSTEM,
                      note=str(_l("Disetujui PPK; Surat Pesanan %(sp)s terbit.", sp=purchase.sp_number)))
    db.session.flush()
    record("procurement.approved", actor=ppk, obj=purchase, sp=purchase.sp_number, amount=taxes.gross_amount,
           budget_line=line.code)
    notify([_seller(purchase)], purchase, _l("Surat Pesanan %(sp)s dari %(agency)s menunggu jawaban Anda.",
                                             sp=purchase.sp_number, agency=purchase.agency.name))
    notify([purchase.pp], purchase, _l("Pesanan %(number)s disetujui PPK.", number=so.number))


def return_purchase(purchase: AgencyPurchase, ppk, note: str) -> None:
    if not can.is_ppk_of(ppk, purchase):
        raise NotAllowed()
    note = (note or "").strip()
    if not note:
        raise ValidationFailed(_l("Tuliskan catatan untuk Pejabat Pengadaan."), field="note")
    _move_stage(purchase, (Stage.AWAITING_APPROVAL,), Stage.RETURNED, return_note=note)
    _note(purchase, ppk, "approval", str(_l("Dikembalikan PPK: %(note)s", note=note)))
    record("procurement.returned", actor=ppk, obj=purchase, note=note)
    notify([purchase.pp], purchase, _l("PPK mengembalikan pesanan %(number)s: %(note)s",
                                       number=purchase.seller_order.number, note=note))


def resubmit_purchase(purchase: AgencyPurchase, pp, note: str | None = None) -> None:
    if not can.is_pp_of(pp, purchase):
        raise NotAllowed()
    _move_stage(purchase, (Stage.RETURNED,), Stage.AWAITING_APPROVAL)
    _note(purchase, pp, "approval", (note or "").strip() or str(_l("Diajukan ulang ke PPK.")))
    record("procurement.resubmitted", actor=pp, obj=purchase)
    notify([purchase.ppk], purchase, _l("Pesanan %(number)s diajukan ulang untuk persetujuan Anda.",
                                        number=purchase.seller_order.number))


def cancel_purchase(purchase: AgencyPurchase, pp, reason: str) -> None:
    """The PP withdraws a purchase the PPK has not approved; its stock comes back."""
    if not can.is_pp_of(pp, purchase):
        raise NotAllowed()
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(_l("Tuliskan alasan pembatalan."), field="note")
    if purchase.stage not in OPEN_STAGES:
        raise InvalidTransition(_l("Pesanan yang sudah disetujui tidak dapat dibatalkan oleh Pejabat Pengadaan."))
    lifecycle.cancel_seller_order(purchase.seller_order, pp, reason)  # the receiver below closes the stage
    record("procurement.cancelled", actor=pp, obj=purchase, reason=reason)
    notify([purchase.ppk], purchase, _l("Pesanan %(number)s dibatalkan Pejabat Pengadaan.",
                                        number=purchase.seller_order.number))


# --- the seller's answer to the Surat Pesanan -----------------------------------------------

def _require_seller(purchase: AgencyPurchase, seller) -> None:
    if not can.is_seller_of(seller, purchase):
        raise NotAllowed()
    if purchase.stage != Stage.APPROVED:
        raise InvalidTransition(_l("Surat Pesanan ini tidak sedang menunggu jawaban penjual."))


def accept_sp(purchase: AgencyPurchase, seller) -> None:
    _require_seller(purchase, seller)
    lifecycle.transition(purchase.seller_order, F.SP_ACCEPTED, actor=seller, actor_kind=Actor.SELLER,
                         note=str(_l("Surat Pesanan %(sp)s diterima penjual.", sp=purchase.sp_number)))
    record("procurement.sp_accepted", actor=seller, obj=purchase, sp=purchase.sp_number)
    notify([purchase.pp, purchase.ppk], purchase, _l("Penjual menerima Surat Pesanan %(sp)s.", sp=purchase.sp_number))


def reject_sp(purchase: AgencyPurchase, seller, reason: str) -> None:
    _require_seller(purchase, seller)
    lifecycle.reject_seller_order(purchase.seller_order, seller, reason)  # the receiver releases the budget
    record("procurement.sp_rejected", actor=seller, obj=purchase, sp=purchase.sp_number, reason=reason)
    notify([purchase.pp, purchase.ppk], purchase, _l("Penjual menolak Surat Pesanan %(sp)s: %(reason)s",
                                                     sp=purchase.sp_number, reason=reason))


# --- receipt (BAST) and the invoice ---------------------------------------------------------

def sign_bast(purchase: AgencyPurchase, ppk, *, rejected: dict[int, int], note: str | None) -> None:
    """The PPK checks the goods and signs the BAST. Refused items leave the amount due and
    the budget line; the invoice is generated from what was accepted."""
    if not can.is_ppk_of(ppk, purchase):
        raise NotAllowed()
    so = purchase.seller_order
    if purchase.stage != Stage.APPROVED or so.status not in (F.SHIPPED, F.DELIVERED):
        raise InvalidTransition(_l("BAST ditandatangani setelah barang dikirim penjual."))
    rejected = {int(k): int(v) for k, v in rejected.items() if v}
    lines = {line.id: line for line in so.lines}
    if all(rejected.get(line_id, 0) >= line.quantity for line_id, line in lines.items()):
        raise ValidationFailed(_l("Semua barang ditolak: BAST tidak dapat ditandatangani. "
                                  "Hubungi penjual untuk pengiriman pengganti."), field="rejected")
    today = jakarta_today()
    _move_stage(purchase, (Stage.APPROVED,), Stage.RECEIVED, bast_date=today, received_at=utcnow(),
                bast_number=_document_number("BAST", purchase, today),
                invoice_number=_document_number("INV", purchase, today),
                bast_note=(note or "").strip() or None)
    lifecycle.record_bast_receipt(so, ppk, rejected=rejected, note=note)
    taxes = taxes_for(so, purchase.sp_date, accepted_only=True)
    release_budget_line(purchase.budget_line, purchase.charged_amount - taxes.gross_amount)
    purchase.charged_amount = taxes.gross_amount
    apply_taxes(purchase, taxes)
    db.session.flush()
    _note(purchase, ppk, "document",
          str(_l("%(bast)s ditandatangani PPK; tagihan %(inv)s sebesar %(amount)s terbit.",
                 bast=purchase.bast_number, inv=purchase.invoice_number, amount=rupiah(purchase.gross_amount))))
    record("procurement.bast_signed", actor=ppk, obj=purchase, bast=purchase.bast_number, rejected=rejected or None,
           amount=purchase.gross_amount)
    notify(users_with_role(purchase.agency_id, Role.TREASURER), purchase,
           _l("Tagihan %(inv)s siap dibayar: %(amount)s kepada %(shop)s.", inv=purchase.invoice_number,
              amount=rupiah(purchase.net_amount), shop=purchase.shop.name))
    notify([_seller(purchase)], purchase, _l("%(bast)s ditandatangani; tagihan %(inv)s diteruskan ke bendahara.",
                                             bast=purchase.bast_number, inv=purchase.invoice_number))


# --- payment by the treasurer ---------------------------------------------------------------

def record_payment(purchase: AgencyPurchase, treasurer, *, paid_on: date, reference: str, amount: int) -> AgencyPayment:
    """Record money the treasurer paid (SP2D or transfer). The withheld PPh 22 and PPN are the
    treasurer's to pay to the state; the seller receives the net."""
    if not can.is_treasurer_of(treasurer, purchase):
        raise NotAllowed()
    reference = (reference or "").strip()
    if not reference:
        raise ValidationFailed(_l("Isi nomor SP2D atau referensi transaksi."), field="reference")
    if purchase.bast_date and not purchase.bast_date <= paid_on <= jakarta_today():
        raise ValidationFailed(_l("Tanggal bayar antara tanggal BAST dan hari ini."), field="paid_on")
    if purchase.stage != Stage.RECEIVED:
        raise InvalidTransition(_l("Pesanan ini tidak sedang menunggu pembayaran."))
    if not 0 < amount <= purchase.outstanding_amount:
        raise ValidationFailed(_l("Jumlah dibayar paling banyak %(due)s (tagihan bersih setelah potongan pajak).",
                                  due=rupiah(purchase.outstanding_amount)), field="amount")
    result = db.session.execute(
        sa.update(AgencyPurchase)
        .where(AgencyPurchase.id == purchase.id, AgencyPurchase.stage == Stage.RECEIVED,
               AgencyPurchase.paid_amount + amount <= AgencyPurchase.net_amount)
        .values(paid_amount=AgencyPurchase.paid_amount + amount, updated_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    db.session.expire(purchase)
    if result.rowcount != 1:
        raise Conflict(_l("Pembayaran baru saja dicatat oleh orang lain. Muat ulang halaman."))
    payment = AgencyPayment(purchase_id=purchase.id, paid_on=paid_on, reference=reference, amount=amount,
                            recorded_by_id=treasurer.id)
    db.session.add(payment)
    db.session.flush()
    ledger.record_outside_payment(purchase.seller_order, payment.id, amount, reference=reference)
    lifecycle.record_event(purchase.seller_order, order_id=purchase.order_id, actor=treasurer, actor_kind=Actor.BUYER,
                 kind="payment", note=str(_l("Bendahara membayar %(amount)s (ref. %(ref)s, %(day)s).",
                                             amount=rupiah(amount), ref=reference, day=day_text(paid_on))))
    if purchase.paid_amount == purchase.net_amount:  # paid in full: the order is finished
        _move_stage(purchase, (Stage.RECEIVED,), Stage.PAID, paid_at=utcnow())
        lifecycle.transition(purchase.seller_order, F.COMPLETED, actor=treasurer, actor_kind=Actor.SYSTEM,
                             note=str(_l("Dibayar lunas oleh bendahara.")))
        _settle_order(purchase.order, reference, treasurer)
    db.session.flush()
    record("procurement.paid", actor=treasurer, obj=purchase, amount=amount, reference=reference,
           paid_on=paid_on.isoformat())
    notify([_seller(purchase), purchase.pp], purchase,
           _l("Pembayaran %(amount)s untuk %(inv)s telah dicatat bendahara.", amount=rupiah(amount),
              inv=purchase.invoice_number))
    return payment


def _settle_order(order: Order, reference: str, treasurer) -> None:
    """The order is paid once every live purchase in it is."""
    stages = stages_in(order.id)
    if all(stage in (Stage.PAID, Stage.CANCELLED) for stage in stages) and Stage.PAID in stages:
        lifecycle.settle_agency_order(order, reference=reference, actor=treasurer)

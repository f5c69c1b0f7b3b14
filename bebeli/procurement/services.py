"""The agency purchase flow: checkout → negotiation → PPK approval (Surat Pesanan) → seller
accepts → shipping → BAST → invoice → the treasurer's payment.

The seller order's own moves go through the orders module (`orders.status.transition` and the
services around it); this module adds the agency's stage, the budget charge, the documents'
numbers and tax figures, the timeline notes and the notices to whoever acts next. Every step
is audited.
"""
from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from bebeli.audit.services import record
from bebeli.auth.models import Role, User
from bebeli.auth.permissions import is_admin
from bebeli.cart.services import cart_key, review_cart
from bebeli.dates import jakarta_today
from bebeli.db import utcnow
from bebeli.errors import BudgetExceeded, Conflict, InvalidTransition, NotAllowed, ValidationFailed
from bebeli.extensions import db
from bebeli.i18n import day_text
from bebeli.money import rupiah
from bebeli.orders import services as orders
from bebeli.orders.models import Channel, FulfilmentMethod, FulfilmentStatus, Order, PaymentStatus, SellerOrder
from bebeli.orders.status import Actor, record_event
from bebeli.procurement import permissions as can
from bebeli.procurement.budget import budget_lines_for_agency, charge_budget_line, release_budget_line
from bebeli.procurement.flags import channel_limit_amount
from bebeli.procurement.models import (
    OPEN_STAGES,
    AgencyPayment,
    AgencyPurchase,
    BudgetLine,
    OfferSide,
    OfferStatus,
    PriceOffer,
    Stage,
)
from bebeli.procurement.notices import notify
from bebeli.procurement.officials import holds, refuse_shop_ties, users_with_role
from bebeli.procurement.tax import TaxBreakdown, compute_taxes, rates_on
from bebeli.sellers.models import Shop
from bebeli.tax import ppn_amount

F = FulfilmentStatus

STAGE_LABELS = {
    Stage.AWAITING_APPROVAL: _l("Menunggu persetujuan PPK"),
    Stage.RETURNED: _l("Dikembalikan ke Pejabat Pengadaan"),
    Stage.APPROVED: _l("Surat Pesanan terbit"),
    Stage.RECEIVED: _l("BAST ditandatangani, menunggu pembayaran"),
    Stage.PAID: _l("Lunas"),
    Stage.CANCELLED: _l("Dibatalkan"),
}
STAGE_BADGES = {
    Stage.AWAITING_APPROVAL: "badge-warning",
    Stage.RETURNED: "badge-danger",
    Stage.APPROVED: "badge-info",
    Stage.RECEIVED: "badge-info",
    Stage.PAID: "badge-success",
    Stage.CANCELLED: "badge-muted",
}


class LimitExceeded(ValidationFailed):
    code = "channel_limit"


# --- what each role sees ------------------------------------------------------------------

def purchases_for(user):
    """Agency purchases `user` may see: their agencies' (officials and agency admins), their
    shops' (sellers), or all (admin); newest first."""
    stmt = db.select(AgencyPurchase).order_by(AgencyPurchase.id.desc())
    if is_admin(user):
        return stmt
    agencies = can.official_agency_ids(user) | user.agency_ids(Role.AGENCY_ADMIN)
    own_shops = db.select(Shop.id).where(Shop.owner_id == user.id)
    return stmt.where(sa.or_(AgencyPurchase.agency_id.in_(agencies), AgencyPurchase.shop_id.in_(own_shops)))


def actions_for(user, purchase: AgencyPurchase) -> list[str]:
    """What `user` has to do on `purchase` now (keys of ACTION_LABELS)."""
    so, stage, actions = purchase.seller_order, purchase.stage, []
    pending = purchase.pending_offers
    if can.is_pp_of(user, purchase) and stage in OPEN_STAGES:
        if any(o.side == OfferSide.SELLER for o in pending):
            actions.append("answer_offer")
        if stage == Stage.RETURNED:
            actions.append("resubmit")
    if can.is_ppk_of(user, purchase):
        if stage == Stage.AWAITING_APPROVAL and not pending:
            actions.append("approve")
        if stage == Stage.APPROVED and so.status in (F.SHIPPED, F.DELIVERED):
            actions.append("sign_bast")
    if can.is_treasurer_of(user, purchase) and stage == Stage.RECEIVED:
        actions.append("pay")
    if can.is_seller_of(user, purchase):
        if stage in OPEN_STAGES and any(o.side == OfferSide.BUYER for o in pending):
            actions.append("answer_offer")
        if stage == Stage.APPROVED and so.status == F.PAID:
            actions.append("answer_sp")
        if stage == Stage.APPROVED and so.status == F.ACCEPTED:
            actions.append("ship")
    return actions


ACTION_LABELS = {
    "answer_offer": _l("Tanggapi tawaran harga"),
    "resubmit": _l("Perbaiki dan ajukan ulang"),
    "approve": _l("Periksa dan setujui"),
    "sign_bast": _l("Periksa barang dan tanda tangani BAST"),
    "pay": _l("Catat pembayaran"),
    "answer_sp": _l("Terima atau tolak Surat Pesanan"),
    "ship": _l("Kirim barang"),
}


def to_do_for(user, limit: int = 200) -> list[tuple[AgencyPurchase, list[str]]]:
    """Live purchases on which `user` must act, oldest first (they have waited longest)."""
    stmt = (purchases_for(user).where(AgencyPurchase.stage.not_in((Stage.PAID, Stage.CANCELLED)))
            .order_by(None).order_by(AgencyPurchase.updated_at).limit(limit))
    pairs = ((p, actions_for(user, p)) for p in db.session.scalars(stmt))
    return [(p, actions) for p, actions in pairs if actions]


# --- checkout ----------------------------------------------------------------------------

def checkout_choices(pp, agency_id: int, fiscal_year: int) -> tuple[list[BudgetLine], list]:
    """Budget lines with room left and the PPKs the PP may name, in one agency."""
    lines = db.session.scalars(budget_lines_for_agency(agency_id, fiscal_year, active_only=True)
                               .where(BudgetLine.used_amount < BudgetLine.pagu_amount)).all()
    ppks = [u for u in users_with_role(agency_id, Role.PPK) if u.id != pp.id]
    return lines, ppks


def place_agency_order(pp, *, agency_id: int, budget_line_id: int, ppk_id: int, delivery_address: str | None,
                       note: str | None, idempotency_key: str, methods: dict[int, FulfilmentMethod] | None = None,
                       expected_total: int | None = None) -> tuple[Order, bool]:
    """Check out the PP's cart as an agency purchase: one Surat Pesanan-to-be per shop, all
    charged to one budget line and waiting for one PPK. Stock is held from now on.

    `methods` says how each shop's part is received (delivered to `delivery_address`, or
    collected from the shop); a shop left out is delivered where it delivers. With
    `expected_total` (the total the checkout page showed) any other total is refused."""
    if not holds(pp, Role.PP, agency_id):
        raise NotAllowed(_l("Anda bukan Pejabat Pengadaan di perangkat daerah ini."))
    line = db.session.get(BudgetLine, budget_line_id) if budget_line_id else None
    if line is None or line.agency_id != agency_id or not line.is_active:
        raise ValidationFailed(_l("Pilih kode anggaran perangkat daerah Anda yang masih aktif."), field="budget_line")
    if line.fiscal_year != jakarta_today().year:
        raise ValidationFailed(_l("Kode anggaran ini bukan untuk tahun anggaran berjalan."), field="budget_line")
    ppk = db.session.get(User, ppk_id) if ppk_id else None
    if ppk is None or not holds(ppk, Role.PPK, agency_id) or not ppk.is_active_account:
        raise ValidationFailed(_l("Pilih PPK perangkat daerah Anda."), field="ppk")
    if ppk.id == pp.id:
        raise ValidationFailed(_l("Pesanan harus disetujui oleh PPK lain, bukan oleh pemesannya."), field="ppk")
    address = (delivery_address or "").strip()

    existing = orders.order_by_key(pp, idempotency_key)
    if existing is not None:
        return existing, False
    shops = _cart_shops(pp)
    if set(methods or {}) - {shop.id for shop in shops}:   # a shop the cart does not hold: a stale or forged form
        raise ValidationFailed(_l("Keranjang berubah sejak halaman ini dibuka. Periksa lagi sebelum memesan."))
    refuse_shop_ties(pp, ppk, shops)   # nobody buys for the agency from a shop they own or work for
    choices = [_shop_choice(shop, address, note, (methods or {}).get(shop.id)) for shop in shops]
    if not address and any(choice.method == FulfilmentMethod.DELIVERY for choice in choices):
        raise ValidationFailed(_l("Isi alamat pengiriman."), field="delivery_address")
    order, created = orders.place_order(pp, choices, idempotency_key=idempotency_key, channel=Channel.AGENCY,
                                        expected_total=expected_total)
    if not created:
        return order, False
    order.agency_id = agency_id
    if order.total_amount > line.remaining_amount:
        raise BudgetExceeded(_l("Nilai pesanan %(amount)s melebihi sisa pagu %(code)s (%(left)s).",
                                amount=rupiah(order.total_amount), code=line.code, left=rupiah(line.remaining_amount)))
    for so in order.seller_orders:
        purchase = AgencyPurchase(order_id=order.id, seller_order_id=so.id, agency_id=agency_id, shop_id=so.shop_id,
                                  budget_line_id=line.id, pp_id=pp.id, ppk_id=ppk.id, stage=Stage.AWAITING_APPROVAL)
        _apply_taxes(purchase, _taxes(so, jakarta_today()))
        db.session.add(purchase)
        db.session.flush()
        record("procurement.ordered", actor=pp, obj=purchase, order=order.number, budget_line=line.code,
               amount=purchase.gross_amount)
        notify([ppk], purchase, _l("Pesanan instansi %(number)s menunggu persetujuan Anda.", number=so.number))
    return order, True


def _cart_shops(pp) -> list:
    return [group.shop for group in review_cart(pp).groups]


def _shop_choice(shop, address: str, note: str | None, method: FulfilmentMethod | None) -> orders.ShopChoice:
    """As chosen; by default delivered to the office where the shop delivers, otherwise
    collected from the shop. A way the shop does not offer is refused by the orders module."""
    if method is None:
        method = FulfilmentMethod.DELIVERY if shop.offers_delivery else FulfilmentMethod.PICKUP
    return orders.ShopChoice(shop_id=shop.id, method=method, address=address, note=note)


def agency_cart_key(pp) -> str:
    """The checkout form's idempotency key (the same fingerprint the personal checkout uses)."""
    return cart_key(pp)


def check_channel_limit(gross_amount: int, label) -> None:
    limit = channel_limit_amount()
    if gross_amount > limit:
        raise LimitExceeded(_l(
            "Nilai paket %(label)s %(amount)s melebihi batas %(limit)s untuk pembelian instansi melalui BEBELI. "
            "Gunakan metode pengadaan lain; memecah paket agar di bawah batas tidak diperbolehkan.",
            label=label, amount=rupiah(gross_amount), limit=rupiah(limit)))


# --- figures -----------------------------------------------------------------------------

def _taxes(so: SellerOrder, day: date, *, accepted_only: bool = False) -> TaxBreakdown:
    goods = so.goods_amount - (so.rejected_goods_amount if accepted_only else 0)
    return compute_taxes(goods, pkp=so.shop.is_pkp, rates=rates_on(day), delivery_amount=so.delivery_fee_amount)


def _apply_taxes(purchase: AgencyPurchase, taxes: TaxBreakdown) -> None:
    purchase.dpp_amount = taxes.dpp_amount
    purchase.ppn_amount = taxes.ppn_amount
    purchase.ppn_rate_bp = taxes.ppn_rate_bp
    purchase.delivery_amount = taxes.delivery_amount
    purchase.pph22_amount = taxes.pph22_amount
    purchase.pph22_rate_bp = taxes.pph22_rate_bp
    purchase.ppn_withheld_amount = taxes.ppn_withheld_amount
    purchase.net_amount = taxes.net_amount


def _refresh_totals(so: SellerOrder) -> None:
    """After a price is agreed: the seller order's and the order's stored totals."""
    so.goods_amount = sum(line.amount for line in so.lines)
    so.ppn_amount = ppn_amount(so.goods_amount, so.ppn_rate_bp)
    so.total_amount = so.goods_amount + so.ppn_amount + so.delivery_fee_amount
    order = so.order
    order.goods_amount = sum(s.goods_amount for s in order.seller_orders)
    order.ppn_amount = sum(s.ppn_amount for s in order.seller_orders)
    order.total_amount = sum(s.total_amount for s in order.seller_orders)


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
    record_event(purchase.seller_order, order_id=purchase.order_id, actor=actor, actor_kind=actor_kind,
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
    _apply_taxes(purchase, _taxes(purchase.seller_order, jakarta_today()))
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
    taxes = _taxes(so, today)
    check_channel_limit(taxes.gross_amount, so.number)
    line = purchase.budget_line
    if line.fiscal_year != today.year:
        raise Conflict(_l("Kode anggaran %(code)s untuk tahun %(year)d; pesanan harus memakai pagu tahun berjalan.",
                          code=line.code, year=line.fiscal_year))
    _move_stage(purchase, (Stage.AWAITING_APPROVAL,), Stage.APPROVED, approved_at=utcnow(), sp_date=today,
                sp_number=_document_number("SP", purchase, today), charged_amount=taxes.gross_amount,
                return_note=None)
    charge_budget_line(line, taxes.gross_amount)
    _apply_taxes(purchase, taxes)
    if so.ppn_rate_bp != taxes.ppn_rate_bp:  # the rate changed since checkout: the SP's date decides
        so.ppn_rate_bp = taxes.ppn_rate_bp
        _refresh_totals(so)
    orders.transition(so, F.PAID, actor=ppk, actor_kind=Actor.SYSTEM,
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
    orders.cancel_seller_order(purchase.seller_order, pp, reason)  # the receiver below closes the stage
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
    orders.accept_seller_order(purchase.seller_order, seller)
    record("procurement.sp_accepted", actor=seller, obj=purchase, sp=purchase.sp_number)
    notify([purchase.pp, purchase.ppk], purchase, _l("Penjual menerima Surat Pesanan %(sp)s.", sp=purchase.sp_number))


def reject_sp(purchase: AgencyPurchase, seller, reason: str) -> None:
    _require_seller(purchase, seller)
    orders.reject_seller_order(purchase.seller_order, seller, reason)  # the receiver releases the budget
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
    orders.confirm_receipt(so, ppk, rejected=rejected, note=note)
    taxes = _taxes(so, purchase.sp_date, accepted_only=True)
    release_budget_line(purchase.budget_line, purchase.charged_amount - taxes.gross_amount)
    purchase.charged_amount = taxes.gross_amount
    _apply_taxes(purchase, taxes)
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
    if purchase.paid_amount == purchase.net_amount:
        _move_stage(purchase, (Stage.RECEIVED,), Stage.PAID, paid_at=utcnow())
        _settle_order(purchase.order, reference)
    db.session.flush()
    record_event(purchase.seller_order, order_id=purchase.order_id, actor=treasurer, actor_kind=Actor.BUYER,
                 kind="payment", note=str(_l("Bendahara membayar %(amount)s (ref. %(ref)s, %(day)s).",
                                             amount=rupiah(amount), ref=reference, day=day_text(paid_on))))
    record("procurement.paid", actor=treasurer, obj=purchase, amount=amount, reference=reference,
           paid_on=paid_on.isoformat())
    notify([_seller(purchase), purchase.pp], purchase,
           _l("Pembayaran %(amount)s untuk %(inv)s telah dicatat bendahara.", amount=rupiah(amount),
              inv=purchase.invoice_number))
    return payment


def _settle_order(order: Order, reference: str) -> None:
    """The order is paid once every live purchase in it is."""
    stages = _stages_in(order.id)
    if all(stage in (Stage.PAID, Stage.CANCELLED) for stage in stages) and Stage.PAID in stages:
        now = utcnow()
        db.session.execute(
            sa.update(Order).where(Order.id == order.id, Order.payment_status == PaymentStatus.UNPAID)
            .values(payment_status=PaymentStatus.PAID, paid_at=now, payment_reference=reference[:255], updated_at=now)
        )
        db.session.expire(order)


def _order_payment_status(order_id: int) -> PaymentStatus:
    # Read from the database: the orders module changes it with an UPDATE in this transaction.
    return db.session.scalar(db.select(Order.payment_status).where(Order.id == order_id))


def _stages_in(order_id: int) -> list[Stage]:
    """The stages of every purchase (one per shop) of an agency order."""
    return list(db.session.scalars(db.select(AgencyPurchase.stage).where(AgencyPurchase.order_id == order_id)))


def purchase_for_seller_order(so: SellerOrder) -> AgencyPurchase | None:
    return db.session.scalar(db.select(AgencyPurchase).where(AgencyPurchase.seller_order_id == so.id))


# --- following the seller order's own moves -------------------------------------------------

CLOSING_STATUSES = (F.CANCELLED, F.REJECTED, F.EXPIRED)


def follow_seller_order(purchase: AgencyPurchase, from_status: F, to_status: F, actor) -> None:
    """Keep the agency's side in step with a move made through the orders module, and refuse
    the moves of the personal channel that would bypass the PPK."""
    if to_status == F.CANCELLED and from_status == F.PAID and not is_admin(actor):
        raise NotAllowed(_l("Surat Pesanan yang sudah terbit hanya dapat ditolak penjual "
                            "atau dibatalkan administrator."))
    if to_status in CLOSING_STATUSES and _order_payment_status(purchase.order_id) == PaymentStatus.CANCELLED \
            and any(stage not in (*OPEN_STAGES, Stage.CANCELLED) for stage in _stages_in(purchase.order_id)):
        raise NotAllowed(_l("Sebagian pesanan instansi ini sudah disetujui PPK; batalkan per toko di menu Pengadaan."))
    if to_status in CLOSING_STATUSES:
        _close(purchase, actor)
    elif to_status == F.COMPLETED and purchase.bast_number is None:
        raise NotAllowed(_l("Pesanan instansi selesai dengan BAST yang ditandatangani PPK."))
    elif to_status == F.SHIPPED:
        notify([purchase.ppk, purchase.pp], purchase,
               _l("Barang pesanan %(number)s dikirim. PPK memeriksa barang dan menandatangani BAST.",
                  number=purchase.seller_order.number))


def _close(purchase: AgencyPurchase, actor) -> None:
    """Cancelled or rejected: give back what the purchase held on its budget line."""
    charged = purchase.charged_amount
    result = db.session.execute(
        sa.update(AgencyPurchase).where(AgencyPurchase.id == purchase.id, AgencyPurchase.stage != Stage.CANCELLED)
        .values(stage=Stage.CANCELLED, charged_amount=0, updated_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    db.session.expire(purchase)
    if result.rowcount != 1:
        return
    release_budget_line(purchase.budget_line, charged)
    record("procurement.closed", actor=actor, obj=purchase, released=charged)
    if all(stage == Stage.CANCELLED for stage in _stages_in(purchase.order_id)):
        db.session.execute(
            sa.update(Order).where(Order.id == purchase.order_id, Order.payment_status == PaymentStatus.UNPAID)
            .values(payment_status=PaymentStatus.CANCELLED, updated_at=utcnow())
        )
        db.session.expire(purchase.order)

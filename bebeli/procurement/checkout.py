"""Agency checkout: the PP's cart becomes one purchase per shop, charged to one budget line
and waiting for one PPK, within the channel's value limit."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from bebeli.audit.services import record
from bebeli.auth.models import Role, User
from bebeli.cart.services import cart_key, review_cart
from bebeli.dates import jakarta_today
from bebeli.errors import BudgetExceeded, NotAllowed, ValidationFailed
from bebeli.extensions import db
from bebeli.money import rupiah
from bebeli import lifecycle
from bebeli.orders.models import Channel, FulfilmentMethod, Order
from bebeli.procurement.budget import budget_lines_for_agency
from bebeli.procurement.models import AgencyPurchase, BudgetLine, Stage
from bebeli.procurement.notices import notify
from bebeli.procurement.officials import holds, refuse_shop_ties, users_with_role
from bebeli.procurement.tax import apply_taxes, taxes_for


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

    existing = lifecycle.order_by_key(pp, idempotency_key)
    if existing is not None:
        return existing, False
    shops = _cart_shops(pp)
    if set(methods or {}) - {shop.id for shop in shops}:   # a shop the cart does not hold: a stale or forged form
        raise ValidationFailed(_l("Keranjang berubah sejak halaman ini dibuka. Periksa lagi sebelum memesan."))
    refuse_shop_ties(pp, ppk, shops)   # nobody buys for the agency from a shop they own or work for
    choices = [_shop_choice(shop, address, note, (methods or {}).get(shop.id)) for shop in shops]
    if not address and any(choice.method == FulfilmentMethod.DELIVERY for choice in choices):
        raise ValidationFailed(_l("Isi alamat pengiriman."), field="delivery_address")
    order, created = lifecycle.place_order(pp, choices, idempotency_key=idempotency_key, channel=Channel.AGENCY,
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
        apply_taxes(purchase, taxes_for(so, jakarta_today()))
        db.session.add(purchase)
        db.session.flush()
        record("procurement.ordered", actor=pp, obj=purchase, order=order.number, budget_line=line.code,
               amount=purchase.gross_amount)
        notify([ppk], purchase, _l("Pesanan instansi %(number)s menunggu persetujuan Anda.", number=so.number))
    return order, True


def _cart_shops(pp) -> list:
    return [group.shop for group in review_cart(pp).groups]


def _shop_choice(shop, address: str, note: str | None, method: FulfilmentMethod | None) -> lifecycle.ShopChoice:
    """As chosen; by default delivered to the office where the shop delivers, otherwise
    collected from the shop. A way the shop does not offer is refused by the orders module."""
    if method is None:
        method = FulfilmentMethod.DELIVERY if shop.offers_delivery else FulfilmentMethod.PICKUP
    return lifecycle.ShopChoice(shop_id=shop.id, method=method, address=address, note=note)


def agency_cart_key(pp) -> str:
    """The checkout form's idempotency key (the same fingerprint the personal checkout uses)."""
    return cart_key(pp)

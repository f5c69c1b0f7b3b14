"""One small town for the security suites: two sides ("us" and "them"), each with an agency,
its ASN buyer, agency admin and officials (PP, PPK, Bendahara), a verified shop with a product,
orders, an agency purchase with a price offer, filled carts, and every other kind of object a
route takes by id or a form names in its body (a product not for sale, an ASN to appoint). The
people on the "us" side (plus one administrator) are the personas that request every route;
the "them" side owns the objects they must not reach.

Everything is built through the modules' own factories and services, committed like finished
requests; the world keeps only ids and strings, so tests need no database session to use it.
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date, timedelta

from bebeli import lifecycle
from bebeli.auth.services import make_reset_token
from bebeli.complaints import services as complaints
from bebeli.complaints.models import Remedy
from bebeli.catalog.models import ProductImage, ProductStatus
from bebeli.catalog.services import add_images
from bebeli.dates import jakarta_today
from bebeli.directory.importer import stage_import
from bebeli.extensions import db
from bebeli.notifications.services import notify
from bebeli.orders.models import Order
from bebeli.payments.models import Payment
from bebeli.procurement import services as procurement
from bebeli.quotas.models import ExemptionReason
from bebeli.quotas.services import add_exemption
from bebeli import lifecycle
from bebeli.reviews.services import ReviewInput, report, save_review
from bebeli.sellers.models import CertificateKind
from bebeli.sellers.services import CertificateInput, add_certificate
from bebeli.settlement.ledger import post
from bebeli.settlement.models import EntryKind
from bebeli.settlement.payouts import pay_shop_now
from tests.catalog.helpers import image_bytes
from tests.factories import AgencyFactory, AsnFactory, CategoryFactory, ProductFactory, ShopFactory, admin, agency_admin
from tests.orders.factories import fill_cart, paid_order, place
from tests.procurement.factories import BudgetLineFactory, agency_order, team
from tests.quotas.factories import policy

SIDES = ("us", "them")
PERSONAS = ("anonymous", "buyer", "seller", "agency_admin", "pp", "ppk", "bendahara", "admin")
ANONYMOUS = "anonymous"

# Values that are the same on both sides (route arguments that are not somebody's object).
SHARED = {
    "language": "en",
    "static_file": "css/app.css",
    "import_format": "csv",
    "export_name": "riwayat",
    "export_format": "csv",
    "growth_table": "kecamatan",
    "document_kind": "sp",
    "official_role": "ppk",
    "product_status": "unpublished",
    "shop_status": "suspended",
}


@dataclass
class World:
    """Ids and strings: `values[side][key]`, and the persona accounts (emails)."""

    values: dict[str, dict[str, object]] = field(default_factory=lambda: {side: dict(SHARED) for side in SIDES})
    logins: dict[str, str] = field(default_factory=dict)  # persona → email

    def __getitem__(self, side: str) -> dict[str, object]:
        return self.values[side]


def _import_file(agency_code: str) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["nip", "nama", "email", "kode_opd"])
    writer.writerow(["199001152015031001", "ASN Impor", "impor.asn@contoh.go.id", agency_code])
    return out.getvalue().encode()


def _received_and_reviewed(buyer, product, the_admin):
    """(an order line received and not reviewed yet, a published review of another line,
    reported, unanswered): every review form renders for its side."""
    lines = []
    for _ in range(2):
        so = paid_order(buyer, (product, 1)).seller_orders[0]
        lifecycle.accept_seller_order(so, so.shop.owner)
        lifecycle.ship_seller_order(so, so.shop.owner, courier="Kurir toko", tracking_number=None)
        lifecycle.confirm_receipt(so, buyer)
        lines.append(so.lines[0])
    review, _ = save_review(buyer, lines[1].id, ReviewInput(rating=4, body="Sesuai pesanan."))
    report(review, the_admin, "Periksa ulasan ini.")
    db.session.commit()
    return lines[0], review


def _side(world: World, side: str, category, the_admin) -> dict:
    """Build one side's people and objects; returns the side's users by persona."""
    values = world[side]
    agency = AgencyFactory(address="Jl. Teuku Umar No. 1, Cikarang Pusat")
    asn = AsnFactory(agency=agency)
    shop = ShopFactory()
    product = ProductFactory(shop=shop, category=category, price_amount=100_000, stock=1_000)
    officials = team(agency)
    manager = agency_admin(agency)
    people = {"buyer": asn.user, "seller": shop.owner, "agency_admin": manager, "pp": officials.pp,
              "ppk": officials.ppk, "bendahara": officials.treasurer}

    add_images(product, [image_bytes()], actor=shop.owner)
    certificate = add_certificate(shop, CertificateInput(CertificateKind.HALAL, "ID-HALAL-1", None,
                                                         document=image_bytes()), actor=shop.owner)
    db.session.commit()
    image = db.session.scalar(db.select(ProductImage).where(ProductImage.product_id == product.id))

    order = paid_order(asn.user, (product, 1))
    complained = _complaints(asn.user, shop, product, the_admin)
    received_line, review = _received_and_reviewed(asn.user, product, the_admin)
    fill_cart(asn.user, (product, 1))
    unpaid = place(asn.user)
    payment = Payment(order_id=unpaid.id, gateway="simulated", session_id=f"sim_cs_security_{side}", url="/",
                      amount=unpaid.total_amount)
    db.session.add(payment)
    note = notify(asn.user, "Pesanan diperbarui.", subject="Uji", link=f"/pesanan/{order.id}", email=False)

    line = BudgetLineFactory(agency=agency, pagu_amount=100_000_000)
    [purchase] = agency_order(officials, line, [(product, 2)])
    [offer] = procurement.propose_prices(purchase, officials.pp, {purchase.seller_order.lines[0].id: 90_000})
    [approved] = agency_order(officials, line, [(product, 1)])
    procurement.approve_purchase(approved, officials.ppk)
    # Carts with something in them, so that both checkout forms are shown (and their ids tried).
    fill_cart(asn.user, (product, 1))
    fill_cart(officials.pp, (product, 1))
    # Objects named in form bodies: a product nobody may buy yet, an ASN who may be appointed.
    hidden_product = ProductFactory(shop=shop, category=category, status=ProductStatus.DRAFT)
    candidate = AsnFactory(agency=agency)
    batch = stage_import("asn.csv", _import_file(agency.code), actor=manager)
    today = jakarta_today()
    exemption = add_exemption(asn, starts_on=today + timedelta(days=30), ends_on=today + timedelta(days=31),
                              reason=ExemptionReason.LEAVE, note="Cuti", actor=the_admin)
    # A payout to the shop (a balance put there by hand, paid at once), for the payout pages.
    post(shop.id, EntryKind.ADJUSTMENT, 50_000, key=f"world:{side}", note="Saldo uji")
    payout = pay_shop_now(shop, actor=the_admin)
    db.session.commit()

    values.update(
        agency=agency.id, asn=asn.id, shop=shop.id, shop_slug=shop.slug, product=product.id,
        product_slug=product.slug, image=image.id, media_key=image.display_key, certificate=certificate.id,
        order=order.id, seller_order=order.seller_orders[0].id, unpaid_order=unpaid.id,
        payment_session=payment.session_id, notification=note.id, budget_line=line.id, purchase=purchase.id,
        offer=offer.id, approved_purchase=approved.id, batch=batch.id, exemption=exemption.id,
        official_user=officials.ppk.id, pp_agency=agency.id, hidden_product=hidden_product.id,
        asn_email=asn.user.email, seller_email=shop.owner.email, official_email=officials.ppk.email,
        candidate_email=candidate.user.email, payout_batch=payout.batch_id, payout=payout.id, **complained,
        received_line=received_line.id, review=review.id,
    )
    return people


def _delivered(buyer, shop, product):
    [so] = paid_order(buyer, (product, 1)).seller_orders
    lifecycle.accept_seller_order(so, shop.owner)
    lifecycle.ship_seller_order(so, shop.owner, courier="Kurir toko", tracking_number=None)
    lifecycle.mark_delivered(so, shop.owner)
    db.session.commit()
    return so


def _complaints(buyer, shop, product, the_admin) -> dict:
    """A delivered part to complain about, complaints waiting for the seller (with a photo), for
    the buyer and for the Dinas, and three upheld ones: the shop is on the suggested sanctions."""
    def complaint(**kw):
        return complaints.open_complaint(_delivered(buyer, shop, product), buyer, kind="damaged",
                                         description="Kemasan rusak", **kw)

    for_seller = complaint(photos=[image_bytes()])
    for_buyer = complaint()
    complaints.answer_complaint(for_buyer, shop.owner, offer=Remedy.PARTIAL_REFUND, amount=10_000)
    escalated = complaint()
    complaints.answer_complaint(escalated, shop.owner, offer=Remedy.CONTEST, note="Tidak terbukti")
    complaints.escalate(escalated, buyer, "Ada fotonya")
    for _ in range(3):
        upheld = complaint()
        complaints.answer_complaint(upheld, shop.owner, offer=Remedy.REPLACEMENT)
        complaints.accept_offer(upheld, buyer)
    db.session.commit()
    return {"delivered_part": _delivered(buyer, shop, product).id, "complaint_seller": for_seller.id,
            "complaint_photo": for_seller.photos[0].id, "complaint_buyer": for_buyer.id,
            "complaint_escalated": escalated.id}


def build_world() -> World:
    """Create the town (inside an app and request context of the data app)."""
    world = World()
    the_admin = admin()
    category = CategoryFactory()
    quota_policy = policy(effective_from=date(2024, 1, 1))
    for side in SIDES:
        people = _side(world, side, category, the_admin)
        if side == "us":
            world.logins = {persona: user.email for persona, user in people.items()}
            world.logins["admin"] = the_admin.email
    them = world["them"]
    reset_token = make_reset_token(db.session.get(Order, them["order"]).buyer)
    for side in SIDES:
        world[side].update(category=category.id, category_slug=category.slug, policy=quota_policy.id,
                           reset_token=reset_token)
    db.session.commit()
    return world

"""The agency purchase flow through its services: checkout, negotiation, approval, the seller's
answer, shipping, BAST, invoice and payment, with the budget line kept exact throughout."""
from datetime import timedelta

import pytest

from bebeli.catalog.models import Product
from bebeli.dates import jakarta_today
from bebeli.errors import BudgetExceeded, Conflict, InvalidTransition, NotAllowed, ValidationFailed
from bebeli.extensions import db
from bebeli import lifecycle
from bebeli.orders.models import FulfilmentStatus as F
from bebeli.orders.models import OrderEvent, PaymentStatus
from bebeli.procurement import services
from bebeli.procurement.models import OfferStatus, Stage
from tests.factories import ProductFactory
from tests.procurement.factories import BudgetLineFactory, agency_order, buying_setup, team


def _fresh(*objs):
    for obj in objs:
        db.session.refresh(obj)


@pytest.fixture
def setup(ctx):
    return buying_setup(20_000_000, is_pkp=True, delivery_fee_amount=0, price_amount=1_000_000, stock=50)


def test_full_flow_with_negotiation_rejected_items_and_payment(setup):
    t, line, shop, product = setup
    [purchase] = agency_order(t, line, [(product, 10)])
    so = purchase.seller_order
    assert purchase.stage == Stage.AWAITING_APPROVAL and so.status == F.AWAITING_APPROVAL
    assert db.session.get(Product, product.id).stock == 40          # held from checkout
    assert purchase.order.expires_at is None                         # agency orders never expire

    # Negotiation: the PP proposes 900.000, the seller counters 950.000, the PP accepts.
    [offer] = services.propose_prices(purchase, t.pp, {so.lines[0].id: 900_000})
    with pytest.raises(NotAllowed):
        services.accept_offer(offer, t.pp)                           # the other side answers
    counter = services.counter_offer(offer, shop.owner, 950_000)
    with pytest.raises(Conflict, match="Negosiasi"):
        services.approve_purchase(purchase, t.ppk)                   # still negotiating
    services.accept_offer(counter, t.pp)
    db.session.commit()
    _fresh(purchase, so)
    assert so.lines[0].unit_price_amount == 950_000 and so.lines[0].list_price_amount == 1_000_000
    assert so.goods_amount == 9_500_000 and so.ppn_amount == 1_045_000 and so.order.total_amount == 10_545_000
    assert [o.status for o in purchase.offers] == [OfferStatus.COUNTERED, OfferStatus.ACCEPTED]

    # PPK returns it, the PP resubmits, the PPK approves: budget charged, SP issued.
    services.return_purchase(purchase, t.ppk, "Lengkapi spesifikasi")
    services.resubmit_purchase(purchase, t.pp)
    services.approve_purchase(purchase, t.ppk)
    db.session.commit()
    _fresh(purchase, line, so)
    assert purchase.stage == Stage.APPROVED and so.status == F.APPROVED
    assert purchase.sp_number.startswith(f"SP-{t.agency.code}-{jakarta_today().year}-")
    assert line.used_amount == purchase.charged_amount == 10_545_000
    assert (purchase.dpp_amount, purchase.ppn_amount, purchase.pph22_amount, purchase.ppn_withheld_amount,
            purchase.net_amount) == (9_500_000, 1_045_000, 142_500, 1_045_000, 9_357_500)

    # The seller accepts and ships; the PP cannot close the order without a BAST.
    services.accept_sp(purchase, shop.owner)
    lifecycle.ship_seller_order(so, shop.owner, courier="Kurir toko", tracking_number=None)
    db.session.commit()
    with pytest.raises(NotAllowed):
        lifecycle.confirm_receipt(so, t.pp)
    db.session.rollback()

    # BAST: 2 of 10 refused → billed for 8; the budget gets the difference back.
    services.sign_bast(purchase, t.ppk, rejected={so.lines[0].id: 2}, note="2 rim basah")
    db.session.commit()
    _fresh(purchase, line, so)
    assert purchase.stage == Stage.RECEIVED and so.status == F.RECEIVED
    assert (purchase.dpp_amount, purchase.ppn_amount, purchase.gross_amount, purchase.pph22_amount,
            purchase.net_amount) == (7_600_000, 836_000, 8_436_000, 114_000, 7_486_000)
    assert line.used_amount == 8_436_000
    assert so.order.payment_status == PaymentStatus.UNPAID and so.order.refunded_amount == 0

    # The treasurer pays the net in two parts; the order is paid with the second.
    with pytest.raises(ValidationFailed):
        services.record_payment(purchase, t.treasurer, paid_on=jakarta_today(), reference="SP2D-1", amount=7_486_001)
    services.record_payment(purchase, t.treasurer, paid_on=jakarta_today(), reference="SP2D-0001/2026",
                            amount=7_000_000)
    db.session.commit()
    _fresh(purchase, so)
    assert purchase.stage == Stage.RECEIVED and purchase.outstanding_amount == 486_000
    assert so.status == F.RECEIVED                                   # paid in part: not finished yet
    services.record_payment(purchase, t.treasurer, paid_on=jakarta_today(), reference="SP2D-0002/2026",
                            amount=486_000)
    db.session.commit()
    _fresh(purchase, so, so.order)
    assert purchase.stage == Stage.PAID and so.order.payment_status == PaymentStatus.PAID
    assert so.status == F.COMPLETED and so.completed_at is not None

    kinds = [e.kind for e in db.session.scalars(db.select(OrderEvent).where(OrderEvent.seller_order_id == so.id))]
    assert {"negotiation", "approval", "document", "payment", "status"} <= set(kinds)


def test_only_the_named_ppk_approves_and_never_the_pp(setup):
    t, line, shop, product = setup
    [purchase] = agency_order(t, line, [(product, 1)])
    other = team(t.agency)
    with pytest.raises(NotAllowed):
        services.approve_purchase(purchase, other.ppk)   # a PPK of the agency, but not the one named
    with pytest.raises(NotAllowed):
        services.approve_purchase(purchase, t.pp)


def test_checkout_refuses_more_than_the_budget_line_has_left(setup):
    t, _, shop, product = setup
    small = BudgetLineFactory(agency=t.agency, pagu_amount=1_000_000)
    with pytest.raises(BudgetExceeded):
        agency_order(t, small, [(product, 1)])           # 1.000.000 + PPN 110.000
    db.session.rollback()
    assert db.session.get(Product, product.id).stock == 50


def test_the_channel_limit_is_refused_with_a_clear_message(setup, data_app):
    t, line, shop, product = setup
    data_app.config["AGENCY_ENFORCE_BEBELI_FIRST_LIMIT"] = True
    data_app.config["AGENCY_BEBELI_FIRST_LIMIT_AMOUNT"] = 5_000_000
    try:
        with pytest.raises(ValidationFailed, match="melebihi batas Rp\u00a05.000.000"):
            agency_order(t, line, [(product, 5)])        # 5.550.000 with PPN
        db.session.rollback()
        [purchase] = agency_order(t, line, [(product, 4)])   # 4.440.000 passes
        assert purchase.gross_amount == 4_440_000
    finally:
        data_app.config["AGENCY_ENFORCE_BEBELI_FIRST_LIMIT"] = False


def test_cancel_before_approval_gives_stock_back(setup):
    t, line, shop, product = setup
    [purchase] = agency_order(t, line, [(product, 5)])
    services.cancel_purchase(purchase, t.pp, "Salah pilih barang")
    db.session.commit()
    _fresh(purchase)
    assert purchase.stage == Stage.CANCELLED and purchase.seller_order.status == F.CANCELLED
    assert purchase.order.payment_status == PaymentStatus.CANCELLED
    assert db.session.get(Product, product.id).stock == 50


def test_seller_rejecting_the_sp_releases_budget_and_stock(setup):
    t, line, shop, product = setup
    [purchase] = agency_order(t, line, [(product, 3)])
    services.approve_purchase(purchase, t.ppk)
    db.session.commit()
    _fresh(line)
    assert line.used_amount == 3_330_000
    services.reject_sp(purchase, shop.owner, "Stok habis di gudang")
    db.session.commit()
    _fresh(purchase, line)
    assert purchase.stage == Stage.CANCELLED and line.used_amount == 0 and purchase.charged_amount == 0
    assert purchase.order.refunded_amount == 0                        # nothing was paid, nothing refunded
    assert db.session.get(Product, product.id).stock == 50


def test_bast_needs_shipped_goods_and_cannot_refuse_everything(setup):
    t, line, shop, product = setup
    [purchase] = agency_order(t, line, [(product, 2)])
    services.approve_purchase(purchase, t.ppk)
    services.accept_sp(purchase, shop.owner)
    with pytest.raises(InvalidTransition):
        services.sign_bast(purchase, t.ppk, rejected={}, note=None)
    lifecycle.ship_seller_order(purchase.seller_order, shop.owner, courier="JNE", tracking_number="X1")
    with pytest.raises(ValidationFailed):
        services.sign_bast(purchase, t.ppk, rejected={purchase.seller_order.lines[0].id: 2}, note="rusak")


def test_a_budget_line_of_another_fiscal_year_is_refused(setup):
    t, _, shop, product = setup
    last_year = BudgetLineFactory(agency=t.agency, fiscal_year=jakarta_today().year - 1)
    with pytest.raises(ValidationFailed):
        agency_order(t, last_year, [(product, 1)])


def test_payment_date_must_fall_between_bast_and_today(setup):
    t, line, shop, product = setup
    [purchase] = agency_order(t, line, [(product, 1)])
    services.approve_purchase(purchase, t.ppk)
    services.accept_sp(purchase, shop.owner)
    lifecycle.ship_seller_order(purchase.seller_order, shop.owner, courier="JNE", tracking_number=None)
    services.sign_bast(purchase, t.ppk, rejected={}, note=None)
    with pytest.raises(ValidationFailed):
        services.record_payment(purchase, t.treasurer, paid_on=jakarta_today() + timedelta(days=1),
                                reference="SP2D", amount=1)


def test_a_suspended_shop_cannot_receive_a_surat_pesanan(setup):
    from bebeli.sellers.models import ShopStatus

    t, line, shop, product = setup
    [purchase] = agency_order(t, line, [(product, 1)])
    shop.status = ShopStatus.SUSPENDED
    db.session.commit()
    with pytest.raises(Conflict, match="tidak aktif"):
        services.approve_purchase(purchase, t.ppk)


def test_the_personal_channel_moves_cannot_bypass_the_ppk(setup):
    t, line, shop, product = setup
    other = ProductFactory(price_amount=100_000)
    approved, waiting = agency_order(t, line, [(product, 1), (other, 1)])
    services.approve_purchase(approved, t.ppk)
    db.session.commit()
    with pytest.raises(NotAllowed):                        # an issued SP is not the PP's to cancel
        lifecycle.cancel_seller_order(approved.seller_order, t.pp, "tidak jadi")
    db.session.rollback()
    with pytest.raises(NotAllowed):                        # nor the whole order once part is approved
        lifecycle.cancel_unpaid_order(approved.order, t.pp)
    db.session.rollback()
    services.cancel_purchase(waiting, t.pp, "tidak jadi")  # the part still waiting may go
    db.session.commit()
    _fresh(approved, waiting, line)
    assert (approved.stage, waiting.stage) == (Stage.APPROVED, Stage.CANCELLED)
    assert approved.order.payment_status == PaymentStatus.UNPAID and line.used_amount == approved.charged_amount

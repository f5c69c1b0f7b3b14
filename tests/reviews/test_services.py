"""Who may review what, and what a review does to the ratings."""
from __future__ import annotations

from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bebeli.catalog.models import Product
from bebeli.errors import Conflict, NotAllowed, NotFound
from bebeli.extensions import db
from bebeli.orders.models import FulfilmentStatus
from bebeli.reviews import stats
from bebeli.reviews.models import Review, ReviewStatus
from bebeli.reviews.moderation import Decision, decide
from bebeli.reviews.services import ReviewInput, reply, report, save_review
from bebeli.sellers.models import Shop
from tests.factories import ProductFactory, ShopFactory, admin
from tests.orders.factories import asn_buyer
from tests.reviews.helpers import agency_line, personal_line

GOOD = ReviewInput(rating=5, body="Renyah dan gurih, pengiriman cepat.")


@pytest.mark.parametrize("stage", ["paid", "accepted", "shipped", "delivered"])
def test_a_personal_order_is_reviewed_only_after_receipt(ctx, stage):
    line = personal_line(stage)
    buyer = line.seller_order.order.buyer
    with pytest.raises(NotAllowed):
        save_review(buyer, line.id, GOOD)
    assert db.session.scalar(db.select(db.func.count(Review.id))) == 0


@pytest.mark.parametrize("stage", ["completed", "autocompleted"])
def test_the_buyers_receipt_or_the_autocompletion_opens_the_review(ctx, stage):
    line = personal_line(stage)
    assert line.seller_order.status == FulfilmentStatus.COMPLETED
    review, created = save_review(line.seller_order.order.buyer, line.id, GOOD)
    db.session.commit()
    assert created and review.status == ReviewStatus.PUBLISHED


def test_items_refused_in_full_at_receipt_were_not_received(ctx):
    line = personal_line("completed", rejected=True)
    with pytest.raises(NotAllowed):
        save_review(line.seller_order.order.buyer, line.id, GOOD)


@pytest.mark.parametrize("stage", ["approved", "shipped"])
def test_an_agency_order_is_reviewed_only_after_the_bast(ctx, stage):
    pp, line = agency_line(stage)
    with pytest.raises(NotAllowed):
        save_review(pp, line.id, GOOD)


def test_the_pp_reviews_an_agency_order_after_the_bast(ctx):
    pp, line = agency_line("received")
    assert line.seller_order.status == FulfilmentStatus.RECEIVED
    review, _ = save_review(pp, line.id, GOOD)
    db.session.commit()
    assert review.author_id == pp.id and review.product_id == line.product_id


def test_another_buyers_line_is_not_found(ctx):
    line = personal_line()
    stranger = asn_buyer()
    with pytest.raises(NotFound):
        save_review(stranger, line.id, GOOD)
    with pytest.raises(NotFound):
        save_review(stranger, 2**40, GOOD)


def test_a_seller_never_reviews_their_own_shops_goods(ctx):
    """The cart already refuses one's own goods; should a buyer come to own the shop they bought
    from (the shop's account handed over), their lines still cannot be reviewed."""
    from bebeli.auth.models import Role, RoleAssignment

    line = personal_line()
    buyer = line.seller_order.order.buyer
    buyer.roles.append(RoleAssignment(role=Role.SELLER))
    line.seller_order.shop.owner_id = buyer.id
    db.session.commit()
    with pytest.raises(NotAllowed):
        save_review(buyer, line.id, GOOD)


def test_one_review_per_line_edited_within_the_window(ctx, data_app):
    line = personal_line()
    buyer = line.seller_order.order.buyer
    first, created = save_review(buyer, line.id, GOOD)
    second, created_again = save_review(buyer, line.id, ReviewInput(rating=3, body="Ternyata agak keras."))
    db.session.commit()
    assert created and not created_again and first.id == second.id and second.rating == 3
    assert db.session.scalar(db.select(db.func.count(Review.id))) == 1
    second.created_at -= timedelta(days=data_app.config["REVIEW_EDIT_DAYS"] + 1)
    db.session.commit()
    with pytest.raises(NotAllowed):
        save_review(buyer, line.id, GOOD)


def test_the_seller_replies_once(ctx):
    line = personal_line()
    review, _ = save_review(line.seller_order.order.buyer, line.id, GOOD)
    owner = line.seller_order.shop.owner
    reply(review, owner, "Terima kasih, ditunggu pesanan berikutnya.")
    db.session.commit()
    with pytest.raises(Conflict):
        reply(review, owner, "Balasan kedua.")
    with pytest.raises(NotFound):
        reply(review, ShopFactory().owner, "Bukan toko ini.")


@pytest.mark.parametrize(("body", "flag"), [
    ("Hubungi saya di 0812-3456-7890 untuk harga grosir", "phone"),
    ("Lebih murah di www.tokosebelah.com", "link"),
    ("Chat WA saja ya", "whatsapp"),
    ("Kirim ke budi@contoh.id", "email"),
    ("Penjualnya goblok", "profanity"),
])
def test_contact_details_links_and_rude_words_wait_for_the_dinas(ctx, body, flag):
    line = personal_line()
    review, _ = save_review(line.seller_order.order.buyer, line.id, ReviewInput(rating=1, body=body))
    db.session.commit()
    assert review.status == ReviewStatus.HELD and review.queued and flag in review.flags.split(",")
    assert db.session.get(Product, line.product_id).rating_count == 0  # not counted until approved


def test_a_report_puts_the_review_in_the_queue_but_not_by_its_own_shop(ctx):
    line = personal_line()
    review, _ = save_review(line.seller_order.order.buyer, line.id, GOOD)
    db.session.commit()
    assert not review.queued
    with pytest.raises(NotAllowed):
        report(review, line.seller_order.shop.owner, "Ulasan ini tidak benar.")
    with pytest.raises(NotAllowed):
        report(review, review.author, "Ulasan saya sendiri.")
    reporter = asn_buyer()
    report(review, reporter, "Isinya bukan tentang produk ini.")
    db.session.commit()
    assert review.queued
    with pytest.raises(Conflict):
        report(review, reporter, "Saya laporkan lagi.")


def _figures(row):
    return (row.rating_count, row.rating_sum, [getattr(row, f"rating_{s}") for s in (1, 2, 3, 4, 5)], row.rating_score)


def _expected(product_id: int):
    rows = db.session.scalars(db.select(Review.rating).where(Review.product_id == product_id,
                                                             Review.status == ReviewStatus.PUBLISHED)).all()
    return (len(rows), sum(rows), [rows.count(s) for s in (1, 2, 3, 4, 5)], stats.bayesian_milli(len(rows), sum(rows)))


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=st.lists(st.tuples(st.sampled_from(["write", "edit", "hide", "approve", "held"]),
                                st.integers(0, 2), st.integers(1, 5)), min_size=1, max_size=8))
def test_aggregates_match_the_published_reviews_after_any_changes(ctx, steps):
    from tests.conftest import _empty_all_tables

    _empty_all_tables()  # each example starts from empty tables
    the_admin = admin()
    product = ProductFactory(price_amount=20_000, stock=500)
    lines = [personal_line(product=product) for _ in range(3)]
    for action, index, stars in steps:
        line = lines[index]
        buyer = line.seller_order.order.buyer
        review = db.session.scalar(db.select(Review).where(Review.order_line_id == line.id))
        try:
            if action in ("write", "edit"):
                save_review(buyer, line.id, ReviewInput(rating=stars, body="Bagus"))
            elif action == "held":
                save_review(buyer, line.id, ReviewInput(rating=stars, body="WA 081234567890"))
            elif review is not None:
                decide(review, the_admin, Decision.HIDE if action == "hide" else Decision.APPROVE, "Melanggar aturan")
        except (NotAllowed, Conflict):
            db.session.rollback()
            continue
        db.session.commit()
        db.session.expire_all()
        assert _figures(db.session.get(Product, product.id)) == _expected(product.id)
        shop = db.session.get(Shop, product.shop_id)
        assert _figures(shop) == _expected(product.id)  # the shop sells only this product


def test_bayesian_score_puts_one_five_below_a_hundred_four_point_eights(ctx):
    assert stats.bayesian_milli(1, 5) < stats.bayesian_milli(100, 480)
    assert stats.bayesian_milli(0, 0) == 0


def test_recount_rebuilds_the_figures_with_a_new_prior(ctx, data_app):
    line = personal_line()
    save_review(line.seller_order.order.buyer, line.id, ReviewInput(rating=2, body="Kurang"))
    db.session.commit()
    product = db.session.get(Product, line.product_id)
    before = product.rating_score
    weight = data_app.config["RATING_PRIOR_WEIGHT"]
    data_app.config["RATING_PRIOR_WEIGHT"] = 0  # the command runs in the test's app context
    try:
        result = data_app.test_cli_runner().invoke(args=["reviews", "recount"])
        assert result.exit_code == 0 and "1 product(s) and 1 shop(s)" in result.output, result.output
        db.session.rollback()  # read what the command committed
        product = db.session.get(Product, line.product_id)
        assert product.rating_score == 2000 != before and product.rating_count == 1, (before, result.output)
    finally:
        data_app.config["RATING_PRIOR_WEIGHT"] = weight


def test_shop_rating_and_shops_below_a_floor(ctx):
    low, high = ShopFactory(), ShopFactory()
    for shop, stars in ((low, (1, 2, 2)), (high, (5, 5, 4))):
        product = ProductFactory(shop=shop, price_amount=20_000, stock=500)
        for n in stars:
            line = personal_line(product=product)
            save_review(line.seller_order.order.buyer, line.id, ReviewInput(rating=n, body="ok"))
    db.session.commit()
    rating = stats.shop_rating(low.id)
    assert (rating.count, rating.total, rating.distribution[2]) == (3, 5, 2)
    assert [row[0] for row in stats.shops_rated_below(3.0, 3)] == [low.id]
    assert stats.shops_rated_below(3.0, 4) == []
    assert stats.shop_rating(2**30) is None

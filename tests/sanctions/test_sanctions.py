"""Sanctions: the policy suggests shops with upheld complaints (rule by rule, with the
evidence), nothing applies before an administrator confirms, and a confirmed hide takes the
shop's products out of search and their pages until it lifts by itself."""
from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa
from flask import current_app

from bebeli.complaints import services as complaints
from bebeli.complaints.models import Complaint, Remedy
from bebeli.db import utcnow
from bebeli.extensions import db
from bebeli.sanctions import services
from bebeli.sanctions.models import Sanction, SanctionKind
from bebeli.sanctions.policy import UpheldComplaints, complaint_rules, policy, suggestions
from bebeli.sellers.models import ShopStatus
from tests.catalog.helpers import indexed_product
from tests.complaints.helpers import delivered, opened
from tests.factories import ShopFactory, admin
from tests.pageforms import rendered_form


def _upheld(shop, n, *, days_ago=0, remedy=Remedy.REPLACEMENT):
    ids = []
    for _ in range(n):
        complaint = opened(delivered(shop=shop))
        complaints.answer_complaint(complaint, shop.owner, offer=remedy, note="Tidak terbukti" if remedy == Remedy.CONTEST else None)
        complaints.accept_offer(complaint, complaint.buyer)
        ids.append(complaint.id)
    db.session.execute(sa.update(Complaint).where(Complaint.id.in_(ids))
                       .values(resolved_at=utcnow() - timedelta(days=days_ago)))
    db.session.commit()
    return ids


def test_the_policy_is_a_list_of_rules_read_from_the_configuration(ctx):
    assert complaint_rules("3/30, 5/90") == [UpheldComplaints(3, 30), UpheldComplaints(5, 90)]
    from bebeli.sanctions.policy import rating_rule

    config = current_app.config
    assert policy() == complaint_rules(config["SANCTION_COMPLAINT_RULES"]) + rating_rule(config["SANCTION_RATING_FLOOR"])


def test_a_shop_is_suggested_by_each_rule_it_meets_with_its_evidence(ctx):
    shop = ShopFactory()
    calm = ShopFactory()
    recent = _upheld(shop, 3, days_ago=1)
    _upheld(calm, 2, days_ago=1)
    _upheld(calm, 3, remedy=Remedy.CONTEST)            # not upheld: no evidence
    [found] = suggestions()
    assert found.shop.id == shop.id and found.evidence == recent
    assert [r.name for r in found.rules] == ["upheld-complaints:3/30"]
    older = _upheld(shop, 2, days_ago=60)
    [found] = suggestions()
    assert [r.name for r in found.rules] == ["upheld-complaints:3/30", "upheld-complaints:5/90"]
    assert found.evidence == sorted(recent + older)


def test_old_complaints_suggest_nothing(ctx):
    _upheld(ShopFactory(), 4, days_ago=40)
    assert suggestions() == []


def test_nothing_applies_without_an_admins_confirmation_and_a_confirmed_one_leaves_the_list(ctx):
    shop = ShopFactory()
    _upheld(shop, 3)
    assert shop.offers_hidden_until is None and db.session.scalar(sa.select(sa.func.count(Sanction.id))) == 0
    [suggestion] = suggestions()
    services.confirm_sanction(suggestion, admin(), kind=SanctionKind.WARNING, reason="Tiga komplain terbukti")
    db.session.commit()
    assert suggestions() == []
    _upheld(shop, 1)                 # new evidence after the warning: suggested again
    assert [s.shop.id for s in suggestions()] == [shop.id]


def test_a_suspension_uses_the_shops_own_suspended_state(ctx):
    shop = ShopFactory()
    _upheld(shop, 3)
    [suggestion] = suggestions()
    with pytest.raises(Exception):
        services.confirm_sanction(suggestion, shop.owner, kind=SanctionKind.SUSPENSION, reason="x")
    db.session.rollback()
    services.confirm_sanction(suggestion, admin(), kind=SanctionKind.SUSPENSION, reason="Berulang")
    db.session.commit()
    db.session.refresh(shop)
    assert shop.status == ShopStatus.SUSPENDED and shop.status_reason == "Berulang"
    assert suggestions() == []


def test_a_confirmed_hide_takes_the_products_out_of_search_and_their_pages_until_it_lifts(app, client, other_client,
                                                                                       ctx, cache_on):
    product = indexed_product(name="Keripik Singkong Balado")
    shop = product.shop
    _upheld(shop, 3)
    page = f"/produk/{product.id}/{product.slug}"
    assert client.get(page).status_code == 200                                  # cached now
    assert "Keripik Singkong Balado" in client.get("/katalog?q=keripik").get_data(as_text=True)

    the_admin = admin()
    db.session.commit()
    other_client.login(the_admin)
    listing = other_client.get("/admin/sanksi/").get_data(as_text=True)
    assert shop.name in listing
    url = f"/admin/sanksi/toko/{shop.id}"
    form = rendered_form(other_client.get(url).get_data(as_text=True), url)
    form.choose("kind", "hide").fill("days", "7").fill("reason", "Tiga komplain terbukti dalam 30 hari")
    assert other_client.post(url, data=form.data()).status_code == 302
    db.session.expire_all()
    [sanction] = db.session.scalars(sa.select(Sanction)).all()
    assert sanction.kind == SanctionKind.HIDE and len(sanction.evidence) == 3
    from bebeli.audit.models import AuditEvent
    from bebeli.mail.models import OutboundEmail
    audit = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "sanctions.confirmed"))
    assert audit.actor_id == the_admin.id and audit.details["evidence"] == sanction.evidence
    assert db.session.scalars(sa.select(OutboundEmail.to).where(OutboundEmail.kind == "sanction")).all() \
        == [shop.owner.email]

    assert client.get(page).status_code == 404
    assert "Keripik Singkong Balado" not in client.get("/katalog?q=keripik").get_data(as_text=True)
    other_client.logout()
    other_client.login(shop.owner)
    dashboard = other_client.get("/toko/").get_data(as_text=True)
    assert 'data-testid="offers-hidden"' in dashboard and "Tiga komplain terbukti" in dashboard

    # the end date passes: buyers see the products again, and the job clears the hide
    db.session.execute(sa.update(Sanction).values(ends_at=utcnow() - timedelta(seconds=1)))
    shop.offers_hidden_until = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert client.get(page).status_code == 200
    result = app.test_cli_runner().invoke(args=["complaints-deadlines"])
    assert "1 hide(s) lifted" in result.output
    db.session.refresh(shop)
    assert shop.offers_hidden_until is None
    assert "Keripik Singkong Balado" in client.get("/katalog?q=keripik").get_data(as_text=True)


def test_the_confirmation_form_refuses_without_a_reason_or_a_valid_length(client, ctx):
    shop = ShopFactory()
    _upheld(shop, 3)
    the_admin = admin()
    db.session.commit()
    client.login(the_admin)
    url = f"/admin/sanksi/toko/{shop.id}"
    form = rendered_form(client.get(url).get_data(as_text=True), url)
    assert client.post(url, data=form.choose("kind", "hide").fill("days", "7").data()).status_code == 200
    assert client.post(url, data=form.fill("days", "365").fill("reason", "x").data()).status_code == 200
    assert db.session.scalar(sa.select(sa.func.count(Sanction.id))) == 0
    assert client.get(f"/admin/sanksi/toko/{ShopFactory().id}").status_code == 404   # not suggested


def _low_reviews(product, n, rating=1):
    from bebeli.reviews.services import ReviewInput, save_review
    from tests.reviews.helpers import personal_line

    for _ in range(n):
        line = personal_line(product=product)
        save_review(line.seller_order.order.buyer, line.id, ReviewInput(rating=rating, body="Tidak sesuai pesanan."))
        db.session.commit()


def test_a_rating_below_the_floor_over_enough_reviews_is_suggested_until_sanctioned(ctx, monkeypatch):
    from bebeli.sanctions.policy import RatingFloor, rating_rule
    from tests.factories import ProductFactory

    monkeypatch.setitem(current_app.config, "SANCTION_RATING_FLOOR", "2.5/3")
    assert rating_rule("2.5/3") == [RatingFloor(2.5, 3)] and rating_rule("") == []
    low, liked = ProductFactory(price_amount=20_000, stock=100), ProductFactory(price_amount=20_000, stock=100)
    _low_reviews(low, 2)
    _low_reviews(liked, 3, rating=5)
    assert suggestions() == []                       # two reviews are not enough to judge
    _low_reviews(low, 1)
    [found] = suggestions()
    assert found.shop.id == low.shop_id and found.evidence == []
    assert [r.name for r in found.rules] == ["rating-floor:2.5/3"]
    services.confirm_sanction(found, admin(), kind=SanctionKind.WARNING, reason="Rating rendah")
    db.session.commit()
    assert suggestions() == []                       # answered; no new review since
    _low_reviews(low, 1)
    assert [s.shop.id for s in suggestions()] == [low.shop_id]

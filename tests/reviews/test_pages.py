"""The review flow through the pages, with forms submitted as rendered."""
from __future__ import annotations

import io
import json
import re

from bebeli.audit.models import AuditEvent
from bebeli.catalog.models import Product
from bebeli.extensions import db
from bebeli.mail.models import OutboundEmail
from bebeli.notifications.models import Notification
from bebeli.reviews.models import Review, ReviewReport, ReviewStatus
from bebeli.reviews.services import ReviewInput, save_review
from tests.catalog.helpers import image_bytes
from tests.conftest import reads_of
from tests.factories import ProductFactory, ShopFactory, admin
from tests.orders.factories import asn_buyer
from tests.pageforms import rendered_form
from tests.reviews.helpers import agency_line, personal_line


def _write_url(line) -> str:
    return f"/ulasan/tulis/{line.id}"


def _review_via_order_page(client, line, *, rating="4", body="Renyah, kemasan rapi.", anonymous=False, photos=()):
    order_page = client.get(f"/pesanan/{line.seller_order.order_id}").get_data(as_text=True)
    assert f'href="{_write_url(line)}"' in order_page and "Beri ulasan" in order_page
    html = client.get(_write_url(line)).get_data(as_text=True)
    form = rendered_form(html, _write_url(line)).choose("rating", rating).fill("body", body)
    data = form.data()
    if anonymous:
        data["anonymous"] = "y"
    if photos:
        data.setlist("photos", [(io.BytesIO(p), f"{i}.png") for i, p in enumerate(photos)])
    response = client.post(_write_url(line), data=data, content_type="multipart/form-data")
    assert response.status_code == 302, response.get_data(as_text=True)[-6000:]
    return response


def test_the_buyer_reviews_a_received_line_from_their_order_page(client, ctx):
    line = personal_line()
    buyer = line.seller_order.order.buyer
    client.login(buyer)
    response = _review_via_order_page(client, line, photos=[image_bytes(), image_bytes("JPEG")], anonymous=True)
    assert response.status_code == 302 and response.location.endswith(f"/pesanan/{line.seller_order.order_id}")
    review = db.session.scalar(db.select(Review))
    assert (review.rating, review.anonymous, review.photo_count, review.status) == (4, True, 2, ReviewStatus.PUBLISHED)
    product = db.session.get(Product, line.product_id)
    assert (product.rating_count, product.rating_sum, product.rating_4) == (1, 4, 1)
    # Anonymous toward the public; the order page now offers to edit.
    page = client.get(f"/produk/{product.id}/{product.slug}").get_data(as_text=True)
    assert "Pembeli anonim" in page and buyer.name.split()[0] not in page.split('id="ulasan"')[1].split("</section>")[0]
    assert "Ubah ulasan" in client.get(f"/pesanan/{line.seller_order.order_id}").get_data(as_text=True)


def test_another_buyers_line_in_the_form_body_is_refused(client, ctx):
    mine, theirs = personal_line(), personal_line()
    client.login(mine.seller_order.order.buyer)
    html = client.get(_write_url(mine)).get_data(as_text=True)
    data = rendered_form(html, _write_url(mine)).choose("rating", "5").data()
    data["order_line_id"] = str(theirs.id)
    assert client.post(_write_url(mine), data=data).status_code == 404
    assert client.post(_write_url(theirs), data=data).status_code == 404
    assert db.session.scalar(db.select(db.func.count(Review.id))) == 0


def test_no_review_action_or_form_before_receipt(client, ctx):
    line = personal_line("shipped")
    client.login(line.seller_order.order.buyer)
    assert "Beri ulasan" not in client.get(f"/pesanan/{line.seller_order.order_id}").get_data(as_text=True)
    response = client.get(_write_url(line))
    assert response.status_code == 302
    token = client.csrf_token("/akun")
    client.post(_write_url(line), data={"csrf_token": token, "order_line_id": line.id, "rating": "5"})
    assert db.session.scalar(db.select(db.func.count(Review.id))) == 0


def test_sellers_and_admins_cannot_open_the_review_form(client, ctx):
    line = personal_line()
    client.login(line.seller_order.shop.owner)
    assert client.get(_write_url(line)).status_code == 403
    client.logout()
    client.login(admin())
    assert client.get(_write_url(line)).status_code == 403


def test_the_pp_reviews_after_the_bast_from_the_order_page(client, ctx):
    pp, line = agency_line("received")
    client.login(pp)
    assert _review_via_order_page(client, line, rating="5").status_code == 302
    assert db.session.scalar(db.select(Review.author_id)) == pp.id


def test_product_page_shows_the_summary_one_query_for_reviews_and_escaped_json_ld(client, ctx, statements):
    product = ProductFactory(name='Keripik "Pedas" </script><script>alert(1)</script>', price_amount=20_000,
                             stock=500)
    assert "application/ld+json" not in client.get(f"/produk/{product.id}/{product.slug}").get_data(as_text=True)
    for stars in (5, 4, 4):
        line = personal_line(product=product)
        save_review(line.seller_order.order.buyer, line.id, ReviewInput(rating=stars, body="Enak"))
        db.session.commit()
    statements.clear()
    html = client.get(f"/produk/{product.id}/{product.slug}").get_data(as_text=True)
    assert len(reads_of(statements, "reviews")) == 1  # the aggregate is on the product row
    assert re.search(r'data-testid="rating-average">4,3<', html)
    assert 'data-testid="rating-count">3 ulasan<' in html and 'data-testid="rating-4">2<' in html
    assert "rata-rata Bayes" in html
    assert html.count("</script><script>alert(1)") == 0
    payload = re.search(r'<script type="application/ld\+json" data-testid="json-ld">(.*?)</script>', html, re.S).group(1)
    assert "<" not in payload
    data = json.loads(payload)
    assert data["@type"] == "Product" and data["name"] == product.name
    assert data["aggregateRating"] == {"@type": "AggregateRating", "ratingValue": 4.3, "reviewCount": 3,
                                       "bestRating": 5, "worstRating": 1}


def test_reviews_sort_lowest_first_and_with_photos(client, ctx):
    product = ProductFactory(price_amount=20_000, stock=500)
    for stars, body in ((5, "Mantap"), (1, "Kecewa sekali"), (3, "Biasa saja")):
        line = personal_line(product=product)
        save_review(line.seller_order.order.buyer, line.id, ReviewInput(rating=stars, body=body),
                    photos=[image_bytes()] if stars == 3 else [])
        db.session.commit()
    ratings = lambda html: [int(x) for x in re.findall(r'data-testid="review" data-rating="(\d)"', html)]  # noqa: E731
    url = f"/produk/{product.id}/{product.slug}"
    assert ratings(client.get(url + "?ulasan=terendah").get_data(as_text=True)) == [1, 3, 5]
    assert ratings(client.get(url + "?ulasan=foto").get_data(as_text=True))[0] == 3
    assert ratings(client.get(url).get_data(as_text=True)) == [3, 1, 5]  # newest first


def test_cached_product_page_shows_a_new_review_at_once(client, ctx, cache_on):
    product = ProductFactory(price_amount=20_000, stock=500)
    line = personal_line(product=product)
    url = f"/produk/{product.id}/{product.slug}"
    assert "Belum ada ulasan" in client.get(url).get_data(as_text=True)
    assert client.get(url).headers.get("X-Cache") == "HIT"
    save_review(line.seller_order.order.buyer, line.id, ReviewInput(rating=5, body="Enak sekali"))
    db.session.commit()
    assert "Enak sekali" in client.get(url).get_data(as_text=True)


def test_reply_report_and_hide_through_the_pages(client, other_client, ctx):
    line = personal_line()
    review, _ = save_review(line.seller_order.order.buyer, line.id, ReviewInput(rating=2, body="Kurang renyah"))
    db.session.commit()
    product = db.session.get(Product, line.product_id)
    # The seller replies once from /toko/ulasan.
    client.login(line.seller_order.shop.owner)
    html = client.get("/toko/ulasan").get_data(as_text=True)
    action = f"/toko/ulasan/{review.id}/balas"
    response = client.post(action, data=rendered_form(html, action).fill("body", "Maaf, kami perbaiki.").data())
    assert response.status_code == 302
    assert f'action="{action}"' not in client.get("/toko/ulasan").get_data(as_text=True)
    assert "Maaf, kami perbaiki." in client.get(f"/produk/{product.id}/{product.slug}").get_data(as_text=True)
    # The shop may not report its own reviews.
    report_url = f"/ulasan/{review.id}/laporkan"
    html = client.get(report_url).get_data(as_text=True)
    client.post(report_url, data=rendered_form(html, report_url).fill("reason", "Tidak benar").data())
    assert db.session.scalar(db.select(db.func.count(ReviewReport.id))) == 0
    # Another buyer reports it from the product page's link.
    other_client.login(asn_buyer())
    page = other_client.get(f"/produk/{product.id}/{product.slug}").get_data(as_text=True)
    assert f'href="{report_url}"' in page
    html = other_client.get(report_url).get_data(as_text=True)
    response = other_client.post(report_url, data=rendered_form(html, report_url)
                                 .fill("reason", "Ulasan ini bukan tentang produk.").data())
    assert response.status_code == 302
    # The Dinas hides it with a reason: the author is told by mail and in the app; audited.
    the_admin = admin()
    other_client.logout()
    other_client.login(the_admin)
    html = other_client.get("/admin/ulasan").get_data(as_text=True)
    assert "Ulasan ini bukan tentang produk." in html
    decide_url = f"/admin/ulasan/{review.id}/putuskan"
    form = rendered_form(html, decide_url).choose("decision", "hide").fill("reason", "Tidak relevan dengan produk.")
    assert other_client.post(decide_url, data=form.data()).status_code == 302
    db.session.expire_all()
    hidden = db.session.get(Review, review.id)
    assert hidden.status == ReviewStatus.HIDDEN and not hidden.queued
    assert db.session.get(Product, product.id).rating_count == 0
    mail = db.session.scalar(db.select(OutboundEmail).where(OutboundEmail.to == hidden.author.email,
                                                            OutboundEmail.kind == "moderation"))
    assert mail is not None and "Tidak relevan dengan produk." in mail.body
    assert db.session.scalar(db.select(Notification).where(Notification.user_id == hidden.author_id))
    actions = set(db.session.scalars(db.select(AuditEvent.action).where(AuditEvent.object_type == "reviews")))
    assert {"reviews.created", "reviews.replied", "reviews.reported", "reviews.hidden"} <= actions
    assert "Kurang renyah" not in client.get(f"/produk/{product.id}/{product.slug}").get_data(as_text=True)
    assert "Belum ada ulasan di sini" in other_client.get("/admin/ulasan").get_data(as_text=True) or \
        "Tidak ada ulasan yang menunggu" in other_client.get("/admin/ulasan").get_data(as_text=True)


def test_a_held_review_is_approved_and_counted(client, ctx):
    line = personal_line()
    review, _ = save_review(line.seller_order.order.buyer, line.id,
                            ReviewInput(rating=5, body="Pesan lagi lewat wa.me/6281234567890"))
    db.session.commit()
    product = db.session.get(Product, line.product_id)
    assert "wa.me" not in client.get(f"/produk/{product.id}/{product.slug}").get_data(as_text=True)
    client.login(admin())
    html = client.get("/admin/ulasan").get_data(as_text=True)
    assert "tautan" in html and "WhatsApp" in html
    decide_url = f"/admin/ulasan/{review.id}/putuskan"
    client.post(decide_url, data=rendered_form(html, decide_url).choose("decision", "approve").data())
    db.session.expire_all()
    assert db.session.get(Product, product.id).rating_count == 1


def test_search_sorts_and_filters_by_rating(client, ctx):
    shop = ShopFactory()
    one_five = ProductFactory(shop=shop, name="Kopi Satu", price_amount=20_000, stock=500)
    many_good = ProductFactory(shop=shop, name="Kopi Banyak", price_amount=20_000, stock=500)
    unrated = ProductFactory(shop=shop, name="Kopi Baru", price_amount=20_000, stock=500)
    line = personal_line(product=one_five)
    save_review(line.seller_order.order.buyer, line.id, ReviewInput(rating=5, body="Enak"))
    for stars in (5, 5, 4, 5, 5):
        line = personal_line(product=many_good)
        save_review(line.seller_order.order.buyer, line.id, ReviewInput(rating=stars, body="Enak"))
    db.session.commit()
    html = client.get("/katalog").get_data(as_text=True)
    form = rendered_form(html, "/katalog").choose("urut", "rating")
    page = client.get("/katalog", query_string=form.data()).get_data(as_text=True)
    names = re.findall(r'class="product-card-name">([^<]+)<', page)
    assert names.index("Kopi Banyak") < names.index("Kopi Satu") < names.index("Kopi Baru")
    assert 'data-testid="card-rating"' in page
    form = rendered_form(html, "/katalog").choose("bintang", "4")
    page = client.get("/katalog", query_string=form.data()).get_data(as_text=True)
    names = re.findall(r'class="product-card-name">([^<]+)<', page)
    assert set(names) == {"Kopi Satu", "Kopi Banyak"} and unrated.name not in names

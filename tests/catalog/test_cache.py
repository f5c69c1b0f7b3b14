"""Visitors' catalog pages come from a per-worker cache that any catalog write invalidates."""
import sqlalchemy as sa

from bebeli.catalog.models import Product
from bebeli.extensions import db
from tests.catalog.helpers import indexed_product
from tests.factories import UserFactory


def test_a_visitor_gets_the_cached_page_until_the_catalog_changes(client, cache_on):
    product = indexed_product(name="Kopi Robusta", price_amount=45_000)
    paths = ["/", "/katalog?q=kopi", f"/produk/{product.id}/{product.slug}", f"/umkm/{product.shop.slug}"]
    for path in paths:
        first, second = client.get(path), client.get(path)
        assert (first.headers["X-Cache"], second.headers["X-Cache"]) == ("MISS", "HIT")
        assert second.data == first.data and b"csrf_token" not in first.data
        assert "Content-Security-Policy" in second.headers  # the usual headers still apply

    # Behind the ORM's back (like the checkout's stock UPDATE): served from cache until the TTL.
    db.session.execute(sa.update(Product).values(price_amount=50_000))
    db.session.commit()
    assert "Rp\u00a045.000".encode() in client.get("/katalog?q=kopi").data

    # Through the ORM (any module's service): the very next request is fresh.
    db.session.get(Product, product.id).name = "Kopi Liberika"
    db.session.commit()
    fresh = client.get("/katalog?q=kopi")
    assert fresh.headers["X-Cache"] == "MISS" and b"Kopi Liberika" in fresh.data
    assert "Rp\u00a050.000".encode() in fresh.data


def test_signed_in_users_and_flash_messages_bypass_the_cache(client, cache_on):
    indexed_product(name="Kopi Robusta")
    client.get("/")
    client.login(UserFactory())
    assert "X-Cache" not in client.get("/").headers
    client.logout()  # leaves a flash message for the next page
    assert "X-Cache" not in client.get("/").headers
    assert client.get("/").headers["X-Cache"] == "HIT"


def test_signed_in_users_get_their_own_page_around_shared_cached_results(client, cache_on):
    product = indexed_product(name="Kopi Robusta", price_amount=45_000)
    user = UserFactory(name="Dewi Pembeli")
    client.login(user)
    assert "Rp\u00a045.000".encode() in client.get("/katalog?q=kopi").data
    db.session.execute(sa.update(Product).values(price_amount=50_000))  # behind the ORM: cached
    db.session.commit()
    page = client.get("/katalog?q=kopi").data
    assert "Rp\u00a045.000".encode() in page and b"Dewi Pembeli" in page and b"csrf_token" in page  # personal frame
    db.session.get(Product, product.id).stock = 3  # through the ORM: fresh at once
    db.session.commit()
    assert "Rp\u00a050.000".encode() in client.get("/katalog?q=kopi").data

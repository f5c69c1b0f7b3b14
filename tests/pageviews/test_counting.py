"""A product page view is counted once, through the cached page, without a database query;
never for robots, administrators or the product's own seller; hidden and unknown products
are not counted."""
import pytest

from bebeli.catalog.models import Product, ProductStatus
from bebeli.extensions import db
from bebeli.pageviews.counter import memory_counts
from bebeli.pageviews.views import BOT_MARKS, is_bot
from tests.catalog.helpers import indexed_product
from tests.factories import AsnFactory, admin, seller
from tests.pageviews.conftest import BROWSER, flush, views_of


def test_each_page_view_is_counted_once_through_the_page_cache(app, cache_on, statements):
    product = indexed_product(name="Kopi Robusta")
    other = indexed_product(name="Teh Melati")
    path = f"/produk/{product.id}/{product.slug}"
    visitor = app.test_client()
    statements.clear()
    answers = [visitor.get(path, headers=BROWSER) for _ in range(3)]
    assert [a.headers["X-Cache"] for a in answers] == ["MISS", "HIT", "HIT"]
    # Counting wrote nothing and read nothing: no statement names the table.
    assert not [s for s in statements if "product_views_daily" in s]

    buyer = app.test_client()
    buyer.login(AsnFactory().user)
    buyer.get("/akun")
    # A buyer's copy is shared by every buyer (framed from the session): rendered once, then served.
    assert [buyer.get(path, headers=BROWSER).headers["X-Cache"] for _ in range(2)] == ["MISS", "HIT"]

    assert views_of(product.id) == 0  # counted, not yet flushed
    assert flush(app).startswith("flushed 5 view")
    assert (views_of(product.id), views_of(other.id)) == (5, 0)


def test_a_page_not_shown_is_not_counted(app, cache_on):
    product = indexed_product(name="Kopi Robusta")
    hidden = indexed_product(name="Kopi Lama", status=ProductStatus.DRAFT)
    visitor = app.test_client()
    assert visitor.get(f"/produk/{product.id}/salah-nama", headers=BROWSER).status_code == 301
    assert visitor.get(f"/produk/{hidden.id}/{hidden.slug}", headers=BROWSER).status_code == 404
    assert visitor.get(f"/produk/{product.id + hidden.id + 1000}/x", headers=BROWSER).status_code == 404
    assert visitor.head(f"/produk/{product.id}/{product.slug}", headers=BROWSER).status_code == 200
    flush(app)
    assert (views_of(product.id), views_of(hidden.id)) == (0, 0)


@pytest.mark.parametrize("agent", [
    "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
    "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)",
    "facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)",
    "WhatsApp/2.23.20.0 A",
    "TelegramBot (like TwitterBot)",
    "curl/8.5.0",
    "python-requests/2.31.0",
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/120.0.0.0 Safari/537.36",
    "",
])
def test_robots_are_not_counted(app, cache_on, agent):
    product = indexed_product(name="Kopi Robusta")
    assert app.test_client().get(f"/produk/{product.id}/{product.slug}", headers={"User-Agent": agent}).status_code == 200
    assert len(memory_counts(app)) == 0
    flush(app)
    assert views_of(product.id) == 0


def test_the_bot_rules_leave_browsers_alone():
    assert BOT_MARKS and not is_bot(BROWSER["User-Agent"])
    assert not is_bot("Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
                      "Version/17.1 Mobile/15E148 Safari/604.1")
    assert not is_bot("Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:121.0) Gecko/20100101 Firefox/121.0")
    assert is_bot(None) and is_bot("   ") and is_bot("Mozilla/5.0") and is_bot("Mozilla/5.0 " + "x" * 600)


def test_the_seller_and_administrators_are_not_counted_other_sellers_are(app, cache_on):
    owner = seller()
    product = indexed_product(name="Kopi Robusta", shop__owner=owner)
    draft = indexed_product(name="Kopi Baru", shop=product.shop, status=ProductStatus.DRAFT)
    path = f"/produk/{product.id}/{product.slug}"

    own = app.test_client()
    own.login(owner)
    assert own.get(path, headers=BROWSER).status_code == 200
    assert own.get(f"/produk/{draft.id}/{draft.slug}", headers=BROWSER).status_code == 200  # a preview
    staff = app.test_client()
    staff.login(admin())
    assert staff.get(path, headers=BROWSER).status_code == 200
    flush(app)
    assert (views_of(product.id), views_of(draft.id)) == (0, 0)

    competitor = app.test_client()
    competitor.login(seller())
    assert competitor.get(path, headers=BROWSER).status_code == 200
    flush(app)
    assert views_of(product.id) == 1


def test_a_deleted_product_s_counts_are_dropped_not_failed(app, cache_on):
    product = indexed_product(name="Kopi Robusta")
    gone = indexed_product(name="Kopi Lama")
    client = app.test_client()
    for item in (product, gone):
        client.get(f"/produk/{item.id}/{item.slug}", headers=BROWSER)
    db.session.delete(db.session.get(Product, gone.id))
    db.session.commit()
    assert flush(app).startswith("flushed 2 view")
    assert views_of(product.id) == 1

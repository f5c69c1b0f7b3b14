"""Indonesian full-text search: stemming, hostile input, filters, sorting, visibility, and
the same answers on SQLite (FTS5) and PostgreSQL (tsvector + GIN).

The expected lists below are exact, order included; the suite runs on both databases, so
each list is what both backends return for the same data."""
from datetime import datetime, timedelta, timezone

import pytest
import sqlalchemy as sa

from bebeli.catalog.models import Product, ProductStatus, SearchTerm
from bebeli.catalog.search import SearchFilters, match_condition, search_products
from bebeli.extensions import db
from bebeli.sellers.models import ShopStatus
from tests.catalog.helpers import category_pair, indexed_product
from tests.factories import CategoryFactory, ShopFactory

T0 = datetime(2026, 11, 1, 8, 0, tzinfo=timezone.utc)


@pytest.fixture
def catalog(ctx):
    food, snack = category_pair("Makanan & Minuman", "Keripik & Camilan")
    _, batik = category_pair("Fashion & Batik", "Batik")
    craft = CategoryFactory(name="Kerajinan", slug="kerajinan")
    sari = ShopFactory(name="Dapur Bu Sari", kecamatan="Cikarang Utara")
    lestari = ShopFactory(name="Batik Lestari", kecamatan="Tambun Selatan")
    jakarta = ShopFactory(name="Dodol Mpok Ijah", kecamatan="Duren Sawit, Jakarta Timur", is_local=False)
    rows = [
        ("Keripik Pisang Manis", sari, snack, 18_000, 100, 50, "Pisang kepok iris tipis."),
        ("Keripik Singkong Balado", sari, snack, 15_000, 0, 80, "Pedas manis."),
        ("Pisang Sale Gulung", sari, snack, 20_000, 10, 5, "Camilan pisang kering."),
        ("Kemeja Batik Tulis", lestari, batik, 425_000, 15, 9, "Katun primisima."),
        ("Kain Batik Cap", lestari, batik, 275_000, 25, 14, "Dua meter."),
        ("Tas Anyaman Motif Batik", lestari, craft, 95_000, 30, 14, "Anyaman pandan."),
        ("Dodol Betawi", jakarta, snack, 60_000, 50, 70, "Enak dibeli sebagai oleh-oleh."),
    ]
    made = {}
    for i, (name, shop, category, price, stock, sold, description) in enumerate(rows):
        made[name] = indexed_product(name=name, shop=shop, category=category, price_amount=price, stock=stock,
                                     sold_count=sold, description=description, published_at=T0 + timedelta(hours=i))
    # Never shown to buyers, however well they match.
    indexed_product(name="Keripik Draf", shop=sari, category=snack, status=ProductStatus.DRAFT)
    indexed_product(name="Keripik Diturunkan", shop=sari, category=snack, taken_down=True)
    indexed_product(name="Batik Arsip", shop=lestari, category=batik, status=ProductStatus.ARCHIVED)
    indexed_product(name="Keripik Toko Baru", shop=ShopFactory(status=ShopStatus.PENDING), category=snack)
    indexed_product(name="Batik Toko Ditangguhkan", shop=ShopFactory(status=ShopStatus.SUSPENDED), category=batik)
    return {"made": made, "food": food, "snack": snack, "batik": batik}


def names(result):
    return [p.name for p in result.items]


NEWEST = ["Dodol Betawi", "Tas Anyaman Motif Batik", "Kain Batik Cap", "Kemeja Batik Tulis", "Pisang Sale Gulung",
          "Keripik Singkong Balado", "Keripik Pisang Manis"]


@pytest.mark.parametrize("query,expected", [
    # Name matches rank first; "Pisang Sale" matches through its category "Keripik & Camilan".
    ("keripik pisang", ["Keripik Pisang Manis", "Pisang Sale Gulung"]),
    ("Keripik Pisang Manis", ["Keripik Pisang Manis"]),
    # "membeli" stems to "beli", a word about buying, not a product; equal sales: newest id first.
    ("membeli batik", ["Tas Anyaman Motif Batik", "Kain Batik Cap", "Kemeja Batik Tulis"]),
    ("BATIK", ["Tas Anyaman Motif Batik", "Kain Batik Cap", "Kemeja Batik Tulis"]),
    ("kerajinan", ["Tas Anyaman Motif Batik"]),           # category name, stemmed to "rajin" both sides
    ("dapur sari", ["Keripik Singkong Balado", "Keripik Pisang Manis", "Pisang Sale Gulung"]),  # shop name
    ("pisang-pisang", ["Keripik Pisang Manis", "Pisang Sale Gulung"]),
    ("oleh-oleh", ["Dodol Betawi"]),
])
def test_stemmed_search_finds_by_name_description_category_and_shop(catalog, query, expected):
    assert names(search_products(query)) == expected


@pytest.mark.parametrize("query,expected", [
    ("keripik'", ["Keripik Singkong Balado", "Keripik Pisang Manis", "Dodol Betawi", "Pisang Sale Gulung"]),
    ('"pisang"', ["Keripik Pisang Manis", "Pisang Sale Gulung"]),
    ("batik OR keripik", []),  # OR is a word, not an operator: nothing has all three words
    ("pisang\" OR \"1\"=\"1", []),
    ("100%", []),
    ("%", NEWEST),  # no words left: browsing, not "match everything" by a wildcard
    ("*", NEWEST),
    ("NEAR(batik keripik) ^pisang -manis {x}: AND", []),
])
def test_special_characters_are_words_or_nothing_never_syntax(catalog, query, expected):
    assert names(search_products(query)) == expected


def test_a_star_is_not_a_prefix_wildcard(catalog):
    result = search_products("kerip*")
    assert result.corrected_query == "keripik"  # the typo fallback, not a prefix match


def test_empty_and_very_long_queries(catalog):
    assert names(search_products("")) == NEWEST and names(search_products(None)) == NEWEST
    long = search_products("batik " * 5_000)
    assert len(long.query) <= 200 and long.query.endswith("batik") and len(names(long)) == 3
    assert search_products("x" * 100_000).items == []


@pytest.mark.parametrize("sort,expected", [
    ("price_asc", ["Keripik Singkong Balado", "Keripik Pisang Manis", "Pisang Sale Gulung", "Dodol Betawi"]),
    ("price_desc", ["Dodol Betawi", "Pisang Sale Gulung", "Keripik Pisang Manis", "Keripik Singkong Balado"]),
    ("newest", ["Dodol Betawi", "Pisang Sale Gulung", "Keripik Singkong Balado", "Keripik Pisang Manis"]),
    ("popular", ["Keripik Singkong Balado", "Dodol Betawi", "Keripik Pisang Manis", "Pisang Sale Gulung"]),
    ("relevance", ["Keripik Singkong Balado", "Keripik Pisang Manis", "Dodol Betawi", "Pisang Sale Gulung"]),
])
def test_sorts_are_total_and_deterministic(catalog, sort, expected):
    assert names(search_products("keripik", sort=sort)) == expected


def test_filters_combine(catalog):
    snack_ids = (catalog["food"].id, catalog["snack"].id)
    assert names(search_products("", SearchFilters(category_ids=snack_ids, local_only=True, in_stock=True))) == [
        "Pisang Sale Gulung", "Keripik Pisang Manis"]
    assert names(search_products("batik", SearchFilters(kecamatan="Tambun Selatan", min_price=100_000,
                                                       max_price=300_000))) == ["Kain Batik Cap"]
    assert names(search_products("dodol", SearchFilters(local_only=True))) == []


def test_pagination_and_a_page_past_the_end(catalog):
    second = search_products("", page=2, per_page=3)
    assert names(second) == NEWEST[3:6] and second.page.total == 7 and second.page.pages == 3
    assert names(search_products("", page=99, per_page=3)) == NEWEST[6:]


def test_typos_get_a_did_you_mean(catalog):
    result = search_products("kripik pisang")
    assert result.corrected_query == "keripik pisang"
    assert names(result) == ["Keripik Pisang Manis", "Pisang Sale Gulung"]
    assert search_products("btik").corrected_query == "batik"
    assert search_products("zzzzzz").items == [] and search_products("zzzzzz").corrected_query is None


def test_the_vocabulary_follows_renames(client, catalog):
    product = catalog["made"]["Dodol Betawi"]
    client.login(product.shop.owner)
    client.post_form(f"/toko/produk/{product.id}", {
        "name": "Geplak Kelapa", "category_id": product.category_id, "description": "", "price": "60000",
        "unit": "pcs", "stock": "50", "min_order_qty": "1"})
    counts = dict(db.session.execute(sa.select(SearchTerm.term, SearchTerm.doc_count)).all())
    assert counts["dodol"] == 1 and counts["geplak"] == 1  # "dodol" is still in the shop's name


def test_the_full_text_index_answers_the_match(catalog):
    """The match is served by the index (FTS5 table, or the GIN expression index), not a scan."""
    stmt = sa.select(Product.id).where(match_condition(["batik"]))
    connection = db.session.connection()
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql("SET LOCAL enable_seqscan = off")
        plan = "\n".join(r[0] for r in connection.execute(sa.text(
            "EXPLAIN " + str(stmt.compile(connection, compile_kwargs={"literal_binds": True})))))
        assert "ix_products_search" in plan
    else:
        compiled = stmt.compile(connection, compile_kwargs={"literal_binds": True})
        plan = " ".join(str(r[-1]) for r in connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {compiled}"))
        assert "VIRTUAL TABLE INDEX" in plan and "products_fts" in plan


@pytest.mark.parametrize("path", ["/", "/katalog", "/katalog?q=keripik", "/kategori/keripik-camilan",
                                  "/katalog?q=batik"])
def test_hidden_products_appear_nowhere_a_buyer_looks(client, catalog, path):
    page = client.get(path).get_data(as_text=True)
    for hidden in ("Keripik Draf", "Keripik Diturunkan", "Batik Arsip", "Keripik Toko Baru", "Batik Toko Ditangguhkan"):
        assert hidden not in page


def test_reindex_command_rebuilds_search_text_and_vocabulary(app, catalog):
    db.session.execute(sa.update(Product).values(search_text="", search_name=""))
    db.session.execute(sa.delete(SearchTerm))
    db.session.commit()
    assert search_products("batik").items == []
    result = app.test_cli_runner().invoke(args=["reindex-catalog"])
    assert result.exit_code == 0 and "distinct words" in result.output
    db.session.expire_all()
    assert names(search_products("membeli batik")) == ["Tas Anyaman Motif Batik", "Kain Batik Cap", "Kemeja Batik Tulis"]
    assert search_products("btik").corrected_query == "batik"

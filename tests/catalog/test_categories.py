"""Administrators manage the two-level category tree."""
from bebeli.auth.models import Role
from bebeli.catalog.models import Category
from bebeli.catalog.search import search_products
from bebeli.extensions import db
from tests.catalog.helpers import category_pair, indexed_product
from tests.factories import UserFactory, admin


def _category(name):
    return db.session.scalar(db.select(Category).where(Category.name == name))


def test_admin_builds_a_two_level_tree(client, ctx):
    client.login(admin())
    assert client.post_form("/admin/kategori", {"name": "Jasa Catering", "parent_id": "0", "position": "1",
                                                "is_active": "y"}).status_code == 302
    top = _category("Jasa Catering")
    client.post_form("/admin/kategori", {"name": "Nasi Kotak", "parent_id": str(top.id), "is_active": "y"})
    child = _category("Nasi Kotak")
    assert child.parent_id == top.id and child.slug == "nasi-kotak"
    # A third level is refused.
    page = client.post_form("/admin/kategori", {"name": "Nasi Kotak Ayam", "parent_id": str(child.id)})
    assert page.status_code == 200 and "Bukan pilihan yang tersedia." in page.get_data(as_text=True)
    # So is moving a category with children under another one.
    other = client.post_form("/admin/kategori", {"name": "Kue", "parent_id": "0", "is_active": "y"})
    assert other.status_code == 302
    page = client.post_form(f"/admin/kategori/{top.id}", {"name": "Jasa Catering", "parent_id": str(_category("Kue").id),
                                                           "is_active": "y"})
    assert "tidak dapat dipindah" in page.get_data(as_text=True)
    html = client.get("/admin/kategori").get_data(as_text=True)
    assert html.index("Jasa Catering") < html.index("Nasi Kotak")


def test_renaming_a_parent_reindexes_its_childrens_products(client, ctx):
    top, child = category_pair("Kerajinan", "Anyaman")
    product = indexed_product(name="Tampah", category=child)
    client.login(admin())
    client.post_form(f"/admin/kategori/{top.id}", {"name": "Kriya Tangan", "parent_id": "0", "is_active": "y"})
    db.session.expire_all()
    assert [p.id for p in search_products("kriya").items] == [product.id]
    assert search_products("kerajinan").items == []


def test_inactive_categories_leave_the_menus(client, ctx):
    top, _ = category_pair("Fashion & Batik", "Batik")
    client.login(admin())
    client.post_form(f"/admin/kategori/{top.id}", {"name": "Fashion & Batik", "parent_id": "0"})  # unticked
    client.logout()
    assert "Fashion &amp; Batik" not in client.get("/").get_data(as_text=True)


def test_only_admins_manage_categories(client, ctx):
    client.login(UserFactory(roles=[Role.SELLER]))
    assert client.get("/admin/kategori").status_code == 403
    assert client.get("/admin/produk").status_code == 403

"""Signed-in buyers get public catalog pages from the shared cache, framed from their signed
session: their own name and CSRF token, no query for their account, and nothing of anyone
else's. Administrators and sellers always get their own rendering."""
import re

import sqlalchemy as sa

from bebeli.auth import frame
from bebeli.auth.models import Role, RoleAssignment, User
from bebeli.catalog.models import ProductStatus
from bebeli.cart.models import CartLine
from bebeli.extensions import db
from tests.catalog.helpers import indexed_product
from tests.conftest import reads_of
from tests.factories import AsnFactory, admin, seller

CSRF = re.compile(rb'name="csrf_token"[^>]*value="([^"]+)"')


def buyer(name: str) -> User:
    return AsnFactory(user__name=name).user


def signed_in(app, user: User):
    """A fresh client signed in as `user`, past the welcome message (a flash is personal)."""
    client = app.test_client()
    client.login(user)
    client.get("/akun")
    return client


def later(monkeypatch, seconds: float):
    """The snapshot's clock, `seconds` on."""
    now = frame.time.time()
    monkeypatch.setattr(frame.time, "time", lambda: now + seconds)


def test_two_buyers_share_one_rendering_each_with_their_own_name_and_token(app, cache_on, statements):
    product = indexed_product(name="Kopi Robusta", price_amount=45_000)
    dewi, budi = signed_in(app, buyer("Dewi Pembeli")), signed_in(app, buyer("Budi Santoso"))
    path = f"/produk/{product.id}/{product.slug}"

    statements.clear()
    first, second = dewi.get(path), budi.get(path)
    assert (first.headers["X-Cache"], second.headers["X-Cache"]) == ("MISS", "HIT")
    # The frame came from the session, not the database: no account was loaded (the worker's
    # list of recently ended sessions is read at most once a second, not per request).
    assert [s for s in reads_of(statements, "users") if "sessions_ended_at >=" not in s] == []
    assert len(reads_of(statements, "users")) <= 1
    assert b"Dewi Pembeli" in first.data and b"Budi Santoso" not in first.data
    assert b"Budi Santoso" in second.data and b"Dewi Pembeli" not in second.data
    for page in (first.data, second.data):
        assert b"frame-" not in page and "Rp\u00a045.000".encode() in page and b"Tambah ke keranjang" in page
    assert CSRF.search(first.data).group(1) != CSRF.search(second.data).group(1)

    # The stamped token is Budi's own: it carries his add-to-cart.
    token = CSRF.search(second.data).group(1).decode()
    added = budi.post("/keranjang/tambah", data={"product_id": product.id, "quantity": 1, "csrf_token": token})
    assert added.status_code == 302
    owner = db.session.scalar(sa.select(User).where(User.name == "Budi Santoso"))
    assert db.session.scalar(sa.select(CartLine.quantity).where(CartLine.buyer_id == owner.id)) == 1
    # … and Dewi's token is not his.
    stolen = CSRF.search(first.data).group(1).decode()
    assert budi.post("/keranjang/tambah", data={"product_id": product.id, "quantity": 1,
                                                "csrf_token": stolen}).status_code == 400


def test_search_and_category_pages_are_shared_the_same_way(app, cache_on):
    product = indexed_product(name="Keripik Singkong Pedas")
    dewi, budi = signed_in(app, buyer("Dewi Pembeli")), signed_in(app, buyer("Budi Santoso"))
    for path in ("/katalog?q=keripik", f"/kategori/{product.category.slug}", f"/umkm/{product.shop.slug}"):
        first, second = dewi.get(path), budi.get(path)
        assert (first.headers["X-Cache"], second.headers["X-Cache"]) == ("MISS", "HIT"), path
        assert b"Keripik Singkong Pedas" in second.data and b"Budi Santoso" in second.data
        assert b"Dewi Pembeli" not in second.data and b"frame-" not in second.data


def test_a_name_is_escaped_where_it_is_stamped(app, cache_on):
    indexed_product(name="Kopi Robusta")
    client = signed_in(app, buyer('<b>Dewi & "Co"</b>'))
    for _ in range(2):
        page = client.get("/katalog?q=kopi").data
        assert b"&lt;b&gt;Dewi &amp; &#34;Co&#34;&lt;/b&gt;" in page and b"<b>Dewi" not in page


def test_an_error_page_under_the_shared_frame_names_the_viewer(app, cache_on):
    client = signed_in(app, buyer("Dewi Pembeli"))
    missing = client.get("/produk/987654/tidak-ada")
    assert missing.status_code == 404 and b"Dewi Pembeli" in missing.data and b"frame-" not in missing.data


def test_administrators_and_sellers_always_get_their_own_rendering(app, cache_on, statements):
    product = indexed_product(name="Kopi Robusta")
    draft = indexed_product(name="Kopi Draf", shop=product.shop, status=ProductStatus.DRAFT)
    moderator = signed_in(app, admin(name="Admin Dinas"))
    for _ in range(2):
        page = moderator.get(f"/produk/{product.id}/{product.slug}")
        assert "X-Cache" not in page.headers and b'data-testid="moderation"' in page.data
    owner = signed_in(app, product.shop.owner)
    for _ in range(2):
        preview = owner.get(f"/produk/{draft.id}/{draft.slug}")
        assert preview.status_code == 200 and b'data-testid="preview-notice"' in preview.data
    # Another seller (and a buyer) never see the draft.
    assert signed_in(app, seller()).get(f"/produk/{draft.id}/{draft.slug}").status_code == 404
    assert signed_in(app, buyer("Dewi Pembeli")).get(f"/produk/{draft.id}/{draft.slug}").status_code == 404


def test_a_deactivated_account_leaves_the_frame_once_the_snapshot_is_too_old(app, cache_on, monkeypatch):
    indexed_product(name="Kopi Robusta")
    client = signed_in(app, buyer("Dewi Pembeli"))
    assert b"Dewi Pembeli" in client.get("/katalog?q=kopi").data
    db.session.execute(sa.update(User).where(User.name == "Dewi Pembeli").values(is_active_account=False))
    db.session.commit()
    # Only public pages keep the frame, and only while the snapshot is trusted …
    assert client.get("/pesanan/").status_code == 302  # anything else loads the account: refused
    later(monkeypatch, app.config["FRAME_TRUST_SECONDS"] + 1)
    # … then the account is loaded again, and it is no longer signed in.
    page = client.get("/katalog?q=kopi")
    assert b"Dewi Pembeli" not in page.data and b"Masuk" in page.data
    with client.session_transaction() as session:
        assert frame.SNAPSHOT_KEY not in session


def test_a_new_role_or_name_reaches_the_frame_once_the_account_is_loaded_again(app, cache_on, monkeypatch):
    indexed_product(name="Kopi Robusta")
    user = buyer("Dewi Pembeli")
    client = signed_in(app, user)
    assert b">Pengadaan<" not in client.get("/katalog?q=kopi").data
    user = db.session.get(User, user.id)
    user.name = "Dewi Lestari"
    user.roles.append(RoleAssignment(role=Role.PP, agency_id=user.asn.agency_id))
    db.session.commit()
    later(monkeypatch, app.config["FRAME_TRUST_SECONDS"] + 1)
    page = client.get("/katalog?q=kopi").data  # the account is loaded: a new snapshot
    assert b"Dewi Lestari" in page and b">Pengadaan<" in page
    with client.session_transaction() as session:
        assert session[frame.SNAPSHOT_KEY]["n"] == "Dewi Lestari" and "pp" in session[frame.SNAPSHOT_KEY]["r"]


def test_signing_out_ends_the_frame_at_once(app, cache_on):
    indexed_product(name="Kopi Robusta")
    client = signed_in(app, buyer("Dewi Pembeli"))
    assert b"Dewi Pembeli" in client.get("/katalog?q=kopi").data
    client.logout()
    client.get("/masuk")  # the goodbye message
    page = client.get("/katalog?q=kopi").data
    assert b"Dewi Pembeli" not in page and b"Masuk" in page
    with client.session_transaction() as session:
        assert frame.SNAPSHOT_KEY not in session and "_user_id" not in session


def test_a_snapshot_of_another_session_token_is_not_trusted(app, cache_on, statements):
    indexed_product(name="Kopi Robusta")
    client = signed_in(app, buyer("Dewi Pembeli"))
    with client.session_transaction() as session:
        session[frame.SNAPSHOT_KEY] = {**session[frame.SNAPSHOT_KEY], "t": "someone-elses-token"}
    statements.clear()
    page = client.get("/katalog?q=kopi")
    assert reads_of(statements, "users") and b"Dewi Pembeli" in page.data  # the account was loaded instead
    with client.session_transaction() as session:
        assert session[frame.SNAPSHOT_KEY]["t"] == session["_user_id"]


def test_no_trust_means_the_account_is_loaded_on_every_page(app, cache_on, statements):
    app.config["FRAME_TRUST_SECONDS"] = 0
    try:
        indexed_product(name="Kopi Robusta")
        client = signed_in(app, buyer("Dewi Pembeli"))
        statements.clear()
        page = client.get("/katalog?q=kopi")
        assert reads_of(statements, "users") and "X-Cache" not in page.headers and b"Dewi Pembeli" in page.data
    finally:
        app.config["FRAME_TRUST_SECONDS"] = 60

"""The buyer's payment pages read the order row they need, not the whole order graph each time.

Counted per table rather than in total, so that work other modules add to a request (the
signed-in user, notifications, the quota) does not make these tests fail.
"""
from bebeli.extensions import db
from bebeli.orders.models import Order, PaymentStatus
from tests.conftest import reads_of
from tests.orders.factories import asn_buyer, fill_cart, place, two_shop_products


def _reads(seen: list[str], table: str) -> int:
    return sum(1 for s in reads_of(seen, table) if s.lstrip().upper().startswith("SELECT"))


def _request(seen: list[str], send):
    seen.clear()
    response = send()
    return response, {table: _reads(seen, table) for table in ("orders", "seller_orders", "order_lines", "payments")}


def test_each_payment_page_reads_the_order_once_and_its_parts_only_to_mark_them_paid(client, ctx, statements):
    buyer = asn_buyer()
    pkp, small = two_shop_products()
    fill_cart(buyer, (pkp, 1), (small, 2))
    order = place(buyer)
    client.login(buyer)

    token = client.csrf_token(f"/pesanan/{order.id}")
    start, reads = _request(statements, lambda: client.post(f"/pembayaran/{order.id}/mulai",
                                                            data={"csrf_token": token}))
    assert start.status_code == 303 and "/pembayaran/simulasi/" in start.location
    # The order, then the same row again under the lock; the open session; the new one's id.
    assert reads == {"orders": 2, "seller_orders": 0, "order_lines": 0, "payments": 2}

    screen, reads = _request(statements, lambda: client.get(start.location))
    assert "SIMULASI" in screen.get_data(as_text=True)
    assert reads == {"orders": 1, "seller_orders": 0, "order_lines": 0, "payments": 1}  # one query, joined

    confirm, reads = _request(statements, lambda: client.post(start.location, data={"csrf_token": token}))
    assert confirm.status_code == 302
    assert reads == {"orders": 1, "seller_orders": 0, "order_lines": 0, "payments": 1}

    back, reads = _request(statements, lambda: client.get(confirm.location))
    assert back.location.endswith(f"/pesanan/{order.id}")
    # The order, then under the lock; its parts once, to move them to paid; nothing after the commit.
    assert reads == {"orders": 2, "seller_orders": 1, "order_lines": 1, "payments": 1}

    db.session.expire_all()
    assert db.session.get(Order, order.id).payment_status == PaymentStatus.PAID
    assert "Pembayaran berhasil" in client.get(back.location).get_data(as_text=True)

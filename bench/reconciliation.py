"""Monthly reconciliation at scale: 5,000 shops, ~330,000 paid personal orders and over
1,000,000 ledger entries on PostgreSQL.

Builds a separate PostgreSQL database (never the development or test one) with the real
migrations and 5,000 shops in SQL (as bench/payouts.py does), then two real orders through the
app's own services — cart, checkout, payment through the simulated gateway, accept, ship,
receipt — at a platform fee of 2.5%: order A (one shop, everything kept: SALE and FEE) and
order B (two shops, one item refused at receipt: a refund at the simulated gateway, its payment
event, and SALE, FEE, REFUND). Those are cloned in SQL (orders, seller orders, lines, payments,
payment events, ledger entries) into ~330,000 orders of 20,000 buyers over three Jakarta
months, each at its own shops (a power law over shops), paid at its own moment and completed one
to four days later, so that some parts are still in transit at a month's end. The shops'
balance rows are the sums of their entries; then `payouts.create_batch` pays the shops five
times (the last batch sent after the month's end), and the payouts are marked paid.

It checks that the reconciliation of the latest month matches (difference 0), then times
`reconciliation.reconcile` — what the admin page calls, with the simulated gateway — when
everything agrees, and with one refund entry deleted inside a transaction that is rolled back
(the totals disagree, so the order-by-order search runs).

    .venv/bin/python bench/reconciliation.py              # seed (if needed) and time
    .venv/bin/python bench/reconciliation.py --reseed     # drop and rebuild the data first

Prints a Markdown table (median and worst of the warm runs) and the load average around it.
"""
from __future__ import annotations

import argparse
import os
import sys
import time
from datetime import timedelta
from pathlib import Path

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import analyze, cpu_counters, cpu_share, recreate_postgres, timed  # noqa: E402

DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/bebeli_bench_reconciliation"
SHOPS, BUYERS, ORDERS = 5_000, 20_000, 330_000
FEE_BP = 250                     # the platform's fee, frozen on each order line
BUYER_BASE = 100_000             # seeded buyers' user ids start above this
ORDER_BASE, PART_BASE = 1_000_000, 2_000_000  # cloned orders' and seller orders' ids
B_SHARE = "n % 5 IN (1, 3)"      # two orders in five are order B (two shops, one part refunded)

SHOPS_SQL = """
INSERT INTO users (id, email, name, password_hash, session_token, is_active, created_at, updated_at)
SELECT i, 'toko' || i || '@bench.bebeli', 'Pemilik Toko ' || i, 'x', md5('toko' || i), true, now(), now()
FROM generate_series(1, :shops) i;

INSERT INTO shops (id, owner_id, name, slug, owner_name, nik, nib, is_pkp, address, kecamatan, phone, is_local,
                   status, offers_pickup, offers_delivery, delivery_fee_amount, bank_name, bank_account_number,
                   bank_account_name, created_at, updated_at)
SELECT i, i, 'Toko UMKM ' || i, 'toko-umkm-' || i, 'Pemilik ' || i, lpad(i::text, 16, '3'), lpad(i::text, 13, '1'),
       false, 'Jl. Raya ' || i, 'Cikarang Utara', '62812' || lpad(i::text, 8, '0'), true,
       CASE WHEN i % 20 = 0 THEN 'suspended' ELSE 'verified' END, true, true, 10000,
       (ARRAY['Bank BJB', 'BRI', 'Mandiri', 'BNI', 'BCA', 'Bank Syariah Indonesia', 'Koperasi Sejahtera'])[1 + i % 7],
       CASE WHEN i % 50 = 7 THEN NULL ELSE lpad(i::text, 10, '9') END, 'Pemilik ' || i, now(), now()
FROM generate_series(1, :shops) i;

INSERT INTO users (id, email, name, password_hash, session_token, is_active, created_at, updated_at)
SELECT :base + i, 'asn' || i || '@bench.bebeli', 'Pembeli ' || i, 'x', md5('asn' || i), true, now(), now()
FROM generate_series(1, :buyers) i;

SELECT setval(pg_get_serial_sequence('users', 'id'), (SELECT max(id) FROM users));
SELECT setval(pg_get_serial_sequence('shops', 'id'), (SELECT max(id) FROM shops))
"""

# The clone number n (1 … ORDERS) places each copy: paid between 93 and 5 days before the
# templates were made (ids grow with time), completed 1 to 4 days after payment, at a shop
# drawn from a power law (and the next shop for order B's second part), by one of the buyers.
PAID_SHIFT = "(interval '5 days' + (1 - n::float8 / :orders) * interval '88 days')"
DONE_DELAY = "(interval '1 hour' * (24 + (n * 37) % 72))"
SHOP_OF = "(1 + floor(:shops * power(((n::bigint * 2654435761) % 4294967296) / 4294967296.0, 1.8))::int)"


def build_templates(app) -> tuple[int, int]:
    """Orders A and B through the app's own services; returns their ids."""
    from bebeli import lifecycle
    from bebeli.auth.models import Role, RoleAssignment, User
    from bebeli.cart.services import add_to_cart, cart_key
    from bebeli.catalog.models import Category, Product, ProductStatus
    from bebeli.db import utcnow
    from bebeli.directory.models import Agency, AgencyKind, AsnProfile, Echelon
    from bebeli.extensions import db
    from bebeli.orders.models import FulfilmentMethod
    from bebeli.sellers.models import Shop

    agency = Agency(code="OPDBENCH", name="Dinas Bench", kind=AgencyKind.DINAS, kecamatan="Cikarang Pusat",
                    address="Jl. Teuku Umar No. 1, Cikarang Pusat")
    buyer = User(email="pembeli@bench.bebeli", name="Pembeli Bench", password_hash="x",
                 roles=[RoleAssignment(role=Role.BUYER)])
    db.session.add_all([agency, buyer])
    db.session.flush()
    db.session.add(AsnProfile(user=buyer, agency=agency, nip="199001152015031001", rank="III/a",
                              echelon=Echelon.STAF, tpp_amount=4_000_000))
    category = Category(name="Kategori Bench", slug="kategori-bench")
    shop_1, shop_2 = db.session.get(Shop, 1), db.session.get(Shop, 2)
    products = [Product(shop=shop, category=category, name=name, slug=name.lower().replace(" ", "-"),
                        description="Produk UMKM lokal Bekasi.", price_amount=price, unit="pcs", stock=1000,
                        min_order_qty=1, status=ProductStatus.PUBLISHED, published_at=utcnow(),
                        search_text=name.lower())
                for shop, name, price in ((shop_1, "Keripik Bench", 50_000), (shop_2, "Kopi Bench", 25_000))]
    db.session.add_all(products)
    db.session.commit()

    def completed(items, refused: dict[int, int]) -> int:
        for product, quantity in items:
            add_to_cart(buyer, product, quantity)
        order, _ = lifecycle.place_order(
            buyer, lifecycle.same_choice_for_every_shop(buyer, FulfilmentMethod.DELIVERY, "Kantor Dinas Bench"),
            idempotency_key=cart_key(buyer))
        assert lifecycle.pay_without_screen(order) == "paid"
        for so in order.seller_orders:
            lifecycle.accept_seller_order(so, so.shop.owner)
            lifecycle.ship_seller_order(so, so.shop.owner, courier="Kurir toko", tracking_number=None)
            rejected = {line.id: refused[so.shop_id] for line in so.lines if so.shop_id in refused}
            lifecycle.confirm_receipt(so, buyer, rejected=rejected, note="Satu kemasan rusak." if rejected else None)
        db.session.commit()
        return order.id

    with app.test_request_context():
        order_a = completed([(products[0], 2)], {})
        order_b = completed([(products[0], 1), (products[1], 3)], {2: 1})
    return order_a, order_b


def _timestamps(table) -> list[str]:
    return [c.name for c in table.columns if isinstance(c.type, sa.DateTime)
            or getattr(c.type, "impl", None) is sa.DateTime or type(c.type).__name__ == "UTCDateTime"]


def clone_orders(conn, metadata, template_id: int, which: str) -> None:
    """Copy one template order, every row of it, once per clone number in `which`."""
    part_ids = [r[0] for r in conn.execute(sa.text("SELECT id FROM seller_orders WHERE order_id = :o ORDER BY id"),
                                           {"o": template_id})]
    part_of = " ".join(f"WHEN {so} THEN {PART_BASE} + 2 * n + {j}" for j, so in enumerate(part_ids))
    shop_of = f"CASE WHEN t.shop_id = 1 THEN {SHOP_OF} ELSE {SHOP_OF} % :shops + 1 END"
    late = {  # written when the part completed, not when the order was paid
        "seller_orders": "true", "ledger_entries": "true", "payment_events": "t.kind = 'refund'",
    }
    where = {
        "orders": f"t.id = {template_id}",
        "seller_orders": f"t.order_id = {template_id}",
        "order_lines": f"t.seller_order_id IN ({', '.join(map(str, part_ids))})",
        "payments": f"t.order_id = {template_id}",
        "payment_events": f"t.order_id = {template_id}",
        "ledger_entries": f"t.order_id = {template_id}",
    }
    for name, condition in where.items():
        table = metadata.tables[name]
        overrides = {
            "order_id": f"{ORDER_BASE} + n",
            "seller_order_id": f"CASE t.seller_order_id {part_of} END",
            "shop_id": shop_of,
            "key": "t.key || ':' || n",
            "idempotency_key": "t.idempotency_key || ':' || n",
            "reference": "t.reference || '_' || n",
        }
        if name == "orders":
            overrides.update({"id": f"{ORDER_BASE} + n", "number": "'BNC-' || lpad(n::text, 7, '0')",
                              "buyer_id": f"{BUYER_BASE} + 1 + n % :buyers",
                              "payment_reference": "t.payment_reference || '_' || n"})
        elif name == "seller_orders":
            overrides.update({"id": f"CASE t.id {part_of} END",
                              "number": f"'BNC-' || lpad(n::text, 7, '0') || '-' || (CASE t.id {part_of} END) % 2"})
        elif name == "payments":
            overrides.update({"session_id": "t.session_id || '_' || n",
                              "payment_intent_id": "t.payment_intent_id || '_' || n"})
        for column in _timestamps(table):
            shifted = f"t.{column} - {PAID_SHIFT}"
            if name in late:
                completed = f"t.{column} - {PAID_SHIFT} + {DONE_DELAY}"
                if name == "seller_orders" and column == "created_at":
                    completed = shifted
                shifted = f"CASE WHEN {late[name]} THEN {completed} ELSE {shifted} END"
            overrides[column] = shifted
        columns = [c.name for c in table.columns if c.name != "id" or "id" in overrides]
        values = [overrides[c] if c in overrides else f"t.{c}" for c in columns]
        conn.execute(sa.text(
            f"INSERT INTO {name} ({', '.join(columns)}) SELECT {', '.join(values)} FROM {name} t "
            f"CROSS JOIN (SELECT n FROM generate_series(1, :orders) n WHERE {which}) s WHERE {condition}"),
            {"orders": ORDERS, "shops": SHOPS, "buyers": BUYERS})


def seed(app) -> None:
    from bebeli.db import utcnow
    from bebeli.extensions import db
    from bebeli.settlement import payouts

    started = time.perf_counter()
    params = {"shops": SHOPS, "buyers": BUYERS, "base": BUYER_BASE}
    for statement in SHOPS_SQL.split(";\n"):
        db.session.execute(sa.text(statement), params)
    db.session.commit()
    order_a, order_b = build_templates(app)
    made_at = utcnow()
    conn = db.session.connection()
    clone_orders(conn, db.metadata, order_a, f"NOT ({B_SHARE})")
    clone_orders(conn, db.metadata, order_b, B_SHARE)
    for table in ("orders", "seller_orders", "order_lines", "payments", "payment_events", "ledger_entries"):
        conn.execute(sa.text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"))
    conn.execute(sa.text("DELETE FROM shop_balances"))
    conn.execute(sa.text("INSERT INTO shop_balances (shop_id, balance_amount, entry_count) "
                         "SELECT shop_id, sum(amount), count(*) FROM ledger_entries GROUP BY shop_id"))
    db.session.commit()
    print(f"orders cloned in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    analyze(db.engine.url)
    # Five payout batches, the last sent two days after it was made (across a month's end).
    with app.test_request_context():
        for days_ago in (60, 45, 30, 15, 4):
            now = made_at - timedelta(days=days_ago)
            batch = payouts.create_batch(now=now).batch
            db.session.execute(sa.text(
                "UPDATE payouts SET status = 'paid', paid_at = :paid, updated_at = :paid, "
                "bank_reference = 'BJB-' || id WHERE batch_id = :batch"), {"paid": now + timedelta(days=2), "batch": batch.id})
            db.session.execute(sa.text("UPDATE payout_batches SET status = 'closed', updated_at = :paid WHERE id = :batch"),
                               {"paid": now + timedelta(days=2), "batch": batch.id})
            db.session.commit()
    analyze(db.engine.url)
    print(f"seeded in {time.perf_counter() - started:.0f} s", file=sys.stderr)


def seconds(figures: tuple[float, float]) -> tuple[float, float]:
    return tuple(ms / 1000 for ms in figures)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reseed", action="store_true", help="drop and rebuild the benchmark database")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    url = os.environ.get("BENCH_RECONCILIATION_URL", DEFAULT_URL)

    from flask_migrate import upgrade

    from bebeli import create_app
    from bebeli.dates import JAKARTA, month_start
    from bebeli.extensions import db
    from bebeli.payments.gateway import get_gateway
    from bebeli.settlement.reconciliation import reconcile

    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            seeded = conn.execute(sa.text("SELECT count(*) FROM payouts")).scalar() > 0
    except (sa.exc.OperationalError, sa.exc.ProgrammingError):
        seeded = False
    engine.dispose()
    if args.reseed or not seeded:
        recreate_postgres(url)
    app = create_app("testing", SQLALCHEMY_DATABASE_URI=url, PLATFORM_FEE_BP=FEE_BP)
    with app.app_context():
        if args.reseed or not seeded:
            upgrade()
            seed(app)
        counts = {t: db.session.execute(sa.text(f"SELECT count(*) FROM {t}")).scalar()
                  for t in ("shops", "orders", "seller_orders", "payment_events", "ledger_entries", "payouts")}
        kinds = dict(db.session.execute(sa.text("SELECT kind, count(*) FROM ledger_entries GROUP BY kind")).all())
        unequal = db.session.execute(sa.text(
            "SELECT count(*) FROM shop_balances b LEFT JOIN (SELECT shop_id, sum(amount) s, count(*) c "
            "FROM ledger_entries GROUP BY shop_id) e USING (shop_id) "
            "WHERE b.balance_amount <> coalesce(e.s, 0) OR b.entry_count <> coalesce(e.c, 0)")).scalar()
        latest = db.session.execute(sa.text("SELECT max(paid_at) FROM orders WHERE id > :base"),
                                    {"base": ORDER_BASE}).scalar()  # the month the last copies were paid in
        month = month_start(latest.astimezone(JAKARTA).date())
        gateway = get_gateway()
        report = reconcile(month, gateway)
        db.session.rollback()
        start, end = report.start, report.end
        victim = db.session.execute(sa.text(
            "SELECT id, amount FROM ledger_entries WHERE kind = 'refund' AND at >= :start AND at < :end "
            "ORDER BY id DESC LIMIT 1"), {"start": start, "end": end}).one()
        db.session.rollback()
        found = {}

        def agrees():
            found["clean"] = reconcile(month, gateway)
            db.session.rollback()

        def one_difference():
            db.session.execute(sa.text("DELETE FROM ledger_entries WHERE id = :id"), {"id": victim.id})
            found["diff"] = reconcile(month, gateway)
            db.session.rollback()

        load_before, cpu_before = os.getloadavg(), cpu_counters()
        rows = [("reconcile, ledger agrees (totals only)", *seconds(timed(agrees, args.runs))),
                ("reconcile, one refund entry missing (order-by-order search)",
                 *seconds(timed(one_difference, args.runs)))]
        load_after, cpu_after = os.getloadavg(), cpu_counters()

    print(f"{counts['shops']:,} shops, {counts['orders']:,} orders ({counts['seller_orders']:,} seller orders), "
          f"{counts['payment_events']:,} payment events, {counts['ledger_entries']:,} ledger entries "
          f"({', '.join(f'{k} {v:,}' for k, v in sorted(kinds.items()))}), {counts['payouts']:,} payouts; "
          f"shop balances unequal to their entries: {unequal}.\n")
    terms = report.cumulative
    print(f"Month {month:%Y-%m} ({gateway.label}): {'MATCH' if report.matches else 'DIFFERENCE'} — gateway net "
          f"Rp {terms.gateway_net:,}, recorded Rp {terms.recorded_net:,}, difference Rp {terms.difference:,} "
          f"(month {report.month_terms.difference:,}); paid out Rp {terms.paid_out:,}, in payout "
          f"Rp {terms.in_payout:,}, held Rp {terms.held:,}, fees Rp {terms.fees:,}, in transit Rp {terms.in_transit:,}.")
    diff = found["diff"]
    print(f"With refund entry {victim.id} (Rp {victim.amount:,}) deleted: difference Rp {diff.cumulative.difference:,}, "
          f"{len(diff.differences)} order(s) listed"
          + (f" ({diff.differences[0].order_number}, Rp {diff.differences[0].difference:,})" if diff.differences else "")
          + f"; the clean run {'matches' if found['clean'].matches else 'DOES NOT MATCH'}.\n")
    print(f"Load average before timing: {load_before[0]:.1f} on {os.cpu_count()} CPUs.\n")
    print(f"| step | median | worst (of {args.runs}) |\n|---|---:|---:|")
    for name, median, worst in rows:
        print(f"| {name} | {median:.2f} s | {worst:.2f} s |")
    print(f"\nLoad average after timing: {load_after[0]:.1f}; while timing: {cpu_share(cpu_before, cpu_after)}.")


if __name__ == "__main__":
    main()

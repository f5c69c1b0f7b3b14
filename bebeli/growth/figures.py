"""The growth page's figures, computed from the roster of verified shops: classes, moving
up, new shops, active and dormant shops, kecamatan, concentration and the Gini coefficient,
plus legality coverage. Each table is a `Table`, so the page, the chart and the CSV/XLSX
export show the same numbers.

Classes follow PP 7/2021 by annual sales, read here as BEBELI sales over the trailing 12
months (`UMKM_CLASS_LIMITS`); "12 months ago" is the same rule over the 12 months before.
"""
from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date

from flask_babel import lazy_gettext as _l

from bebeli.dates import month_start, to_jakarta
from bebeli.growth import queries
from bebeli.growth.queries import ShopFigures, Window
from bebeli.quotas.tables import Column, Table, ratio_bp
from bebeli.sellers.models import CertificateKind

LARGE = "besar"
CLASS_LABELS = {"mikro": _l("Mikro"), "kecil": _l("Kecil"), "menengah": _l("Menengah"), LARGE: _l("Besar")}
CERTIFICATE_LABELS = {CertificateKind.HALAL: _l("Halal"), CertificateKind.PIRT: _l("PIRT"),
                      CertificateKind.BPOM: _l("BPOM"), CertificateKind.SNI: _l("SNI")}
TOP_SHOPS = 10
EXPIRY_HORIZONS = (60, 90)


def class_of(amount: int, limits) -> str:
    for name, limit in limits:
        if amount <= limit:
            return name
    return LARGE


def class_rank(name: str, limits) -> int:
    return [n for n, _ in limits].index(name) if name != LARGE else len(limits)


def gini(values: list[int]) -> float | None:
    """Gini coefficient of non-negative values: 0 when all are equal, (n-1)/n when one holds
    everything; None when there is nothing to share."""
    xs = sorted(max(v, 0) for v in values)
    n, total = len(xs), sum(xs)
    if not n or not total:
        return None
    return sum((2 * i - n - 1) * x for i, x in enumerate(xs, start=1)) / (n * total)


@dataclass
class Board:
    window: Window
    stats: dict
    tables: dict[str, Table] = field(default_factory=dict)


def growth_board(window: Window, limits) -> Board:
    shops = queries.shop_roster(window)
    now = {s.id: class_of(s.sales_amount, limits) for s in shops}
    then = {s.id: class_of(s.sales_before_amount, limits) for s in shops}
    moved = [s for s in shops if class_rank(now[s.id], limits) > class_rank(then[s.id], limits)]
    total = sum(s.sales_amount for s in shops)
    top = sorted(shops, key=lambda s: (-s.sales_amount, s.name, s.id))[:TOP_SHOPS]
    top = [s for s in top if s.sales_amount > 0]
    never = [s for s in shops if not s.ever_sold]
    active = sum(1 for s in shops if s.active)
    coefficient = gini([s.sales_amount for s in shops])
    stats = {
        "shops": len(shops), "moved_up": len(moved), "active": active, "dormant": len(shops) - active,
        "sales": total, "top_share": ratio_bp(sum(s.sales_amount for s in top), total),
        "never_sold": len(never), "gini": coefficient,
    }
    board = Board(window, stats)
    for table in (
        _classes(shops, now, limits), _moved_up(moved, now, then), _new_shops(shops, window),
        _kecamatan(shops, now, limits), _sales_by_kecamatan(shops, total), _categories(window, total),
        _top_shops(top, total), _never_sold(never), *_legality(window.today, len(shops)),
    ):
        board.tables[table.name] = table
    return board


def _classes(shops: list[ShopFigures], now: dict, limits) -> Table:
    counts = Counter(now.values())
    names = [n for n, _ in limits] + [LARGE]
    rows = [{"class": CLASS_LABELS.get(n, n), "shops": counts[n], "share": ratio_bp(counts[n], len(shops))}
            for n in names]
    return Table("kelas", _l("Toko terverifikasi per kelas usaha"), [
        Column("class", _l("Kelas")), Column("shops", _l("Toko"), "int"), Column("share", _l("Porsi"), "percent"),
    ], rows, footer={"class": _l("Semua"), "shops": len(shops), "share": ratio_bp(len(shops), len(shops))})


def _moved_up(moved: list[ShopFigures], now: dict, then: dict) -> Table:
    moved = sorted(moved, key=lambda s: (-s.sales_amount, s.name, s.id))
    rows = [{"shop": s.name, "kecamatan": s.kecamatan, "before": CLASS_LABELS[then[s.id]],
             "now": CLASS_LABELS[now[s.id]], "sales_before": s.sales_before_amount, "sales": s.sales_amount}
            for s in moved]
    return Table("naik-kelas", _l("Toko yang naik kelas dalam 12 bulan"), [
        Column("shop", _l("Toko")), Column("kecamatan", _l("Kecamatan")),
        Column("before", _l("Kelas 12 bulan lalu")), Column("now", _l("Kelas sekarang")),
        Column("sales_before", _l("Penjualan 12 bulan sebelumnya"), "money"),
        Column("sales", _l("Penjualan 12 bulan terakhir"), "money"),
    ], rows, total=len(rows))


def _new_shops(shops: list[ShopFigures], window: Window) -> Table:
    counts = Counter(month_start(to_jakarta(s.verified_at).date()) for s in shops if s.verified_at)
    rows = [{"month": m, "shops": counts[m]} for m in window.months]
    return Table("toko-baru", _l("Toko baru terverifikasi per bulan"), [
        Column("month", _l("Bulan"), "month"), Column("shops", _l("Toko baru"), "int"),
    ], rows, footer={"month": None, "shops": sum(r["shops"] for r in rows)})


def _kecamatan(shops: list[ShopFigures], now: dict, limits) -> Table:
    names = [n for n, _ in limits] + [LARGE]
    rows: dict[str, dict] = defaultdict(lambda: {"shops": 0, "active": 0, "dormant": 0, **{n: 0 for n in names}})
    for s in shops:
        row = rows[s.kecamatan]
        row["shops"] += 1
        row[now[s.id]] += 1
        row["active" if s.active else "dormant"] += 1
    out = [{"kecamatan": k, **v} for k, v in sorted(rows.items(), key=lambda kv: (-kv[1]["shops"], kv[0]))]
    footer = {"kecamatan": _l("Semua"), **{k: sum(r[k] for r in out) for k in ("shops", "active", "dormant", *names)}}
    return Table("kecamatan", _l("Kelas dan keaktifan toko per kecamatan"), [
        Column("kecamatan", _l("Kecamatan")), Column("shops", _l("Toko"), "int"),
        *[Column(n, CLASS_LABELS[n], "int") for n in names],
        Column("active", _l("Aktif"), "int"), Column("dormant", _l("Tidak aktif"), "int"),
    ], out, footer=footer)


def _sales_by_kecamatan(shops: list[ShopFigures], total: int) -> Table:
    sums: dict[str, dict] = defaultdict(lambda: {"amount": 0, "orders": 0, "selling": 0})
    for s in shops:
        row = sums[s.kecamatan]
        row["amount"] += s.sales_amount
        row["orders"] += s.orders
        row["selling"] += s.sales_amount > 0
    rows = [{"kecamatan": k, **v, "share": ratio_bp(v["amount"], total)}
            for k, v in sorted(sums.items(), key=lambda kv: (-kv[1]["amount"], kv[0]))]
    return Table("penjualan-kecamatan", _l("Penjualan 12 bulan per kecamatan"), [
        Column("kecamatan", _l("Kecamatan")), Column("amount", _l("Penjualan"), "money"),
        Column("orders", _l("Pesanan"), "int"), Column("selling", _l("Toko yang menjual"), "int"),
        Column("share", _l("Porsi"), "percent"),
    ], rows, footer={"kecamatan": _l("Semua"), "amount": total, "orders": sum(r["orders"] for r in rows),
                     "selling": sum(r["selling"] for r in rows), "share": ratio_bp(total, total)})


def _categories(window: Window, total: int) -> Table:
    rows = queries.sales_by_category(window)
    for row in rows:
        row["category"] = row["category"] or _l("Tanpa kategori")
        row["share"] = ratio_bp(row["amount"], total)
    return Table("penjualan-kategori", _l("Penjualan 12 bulan per kategori"), [
        Column("category", _l("Kategori")), Column("amount", _l("Penjualan"), "money"),
        Column("units", _l("Unit"), "int"), Column("share", _l("Porsi"), "percent"),
    ], rows)


def _top_shops(top: list[ShopFigures], total: int) -> Table:
    rows = [{"rank": i, "shop": s.name, "kecamatan": s.kecamatan, "amount": s.sales_amount,
             "share": ratio_bp(s.sales_amount, total)} for i, s in enumerate(top, start=1)]
    top_amount = sum(r["amount"] for r in rows)
    return Table("toko-teratas", _l("10 toko dengan penjualan terbesar"), [
        Column("rank", _l("Peringkat"), "int"), Column("shop", _l("Toko")), Column("kecamatan", _l("Kecamatan")),
        Column("amount", _l("Penjualan 12 bulan"), "money"), Column("share", _l("Porsi"), "percent"),
    ], rows, footer={"rank": None, "shop": _l("10 teratas"), "amount": top_amount, "share": ratio_bp(top_amount, total)})


def _never_sold(never: list[ShopFigures]) -> Table:
    never = sorted(never, key=lambda s: (s.verified_at is None, s.verified_at, s.name))
    rows = [{"shop": s.name, "kecamatan": s.kecamatan, "verified_at": s.verified_at} for s in never]
    return Table("belum-pernah-menjual", _l("Toko yang belum pernah menjual"), [
        Column("shop", _l("Toko")), Column("kecamatan", _l("Kecamatan")),
        Column("verified_at", _l("Terverifikasi"), "datetime"),
    ], rows, total=len(rows))


def _legality(today: date, shop_count: int) -> tuple[Table, Table]:
    counts = queries.certificate_counts(today, EXPIRY_HORIZONS)
    nib = queries.shops_with_nib()
    rows = [{"item": _l("NIB"), "shops": nib, "share": ratio_bp(nib, shop_count), "due_60": None, "due_90": None}]
    rows += [{"item": CERTIFICATE_LABELS[kind], "shops": c["shops"], "share": ratio_bp(c["shops"], shop_count),
              "due_60": c["due_60"], "due_90": c["due_90"]} for kind, c in counts.items()]
    coverage = Table("legalitas", _l("Cakupan legalitas toko terverifikasi"), [
        Column("item", _l("Legalitas")), Column("shops", _l("Toko yang memiliki"), "int"),
        Column("share", _l("Porsi"), "percent"),
        Column("due_60", _l("Habis dalam 60 hari"), "int"), Column("due_90", _l("Habis dalam 90 hari"), "int"),
    ], rows)
    due = queries.expiring_certificates(today, EXPIRY_HORIZONS[-1])
    for row in due:
        row["kind"] = CERTIFICATE_LABELS[CertificateKind(row["kind"])]
        row["days"] = (row["expires_on"] - today).days
        row["expires_on"] = row["expires_on"].isoformat()
    expiring = Table("sertifikat-habis", _l("Sertifikat yang habis dalam 90 hari"), [
        Column("shop", _l("Toko")), Column("kecamatan", _l("Kecamatan")), Column("kind", _l("Sertifikat")),
        Column("number", _l("Nomor")), Column("expires_on", _l("Berlaku sampai")), Column("days", _l("Sisa hari"), "int"),
    ], due, total=len(due))
    return coverage, expiring

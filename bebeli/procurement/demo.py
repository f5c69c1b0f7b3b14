"""Demo procurement officials and budget lines for Dinas Pendidikan (DISDIK), and one agency
purchase taken through every step by the real services (ordered, approved by the PPK with its
Surat Pesanan, shipped, received with a BAST, paid by the treasurer), so the open-data feed
has something to publish from the first run."""
from __future__ import annotations

from bebeli.auth.models import Role, User
from bebeli.auth.services import create_user, grant_role
from bebeli.cart.services import add_to_cart
from bebeli.catalog.models import Product
from bebeli.dates import jakarta_today
from bebeli.directory.models import Agency
from bebeli.extensions import db
from bebeli import lifecycle
from bebeli.procurement import checkout, services
from bebeli.procurement.budget import agency_budget, create_budget_line, current_fiscal_year, set_agency_budget
from bebeli.procurement.models import AgencyPurchase, BudgetLine

# (role, email, name, phone, account note)
OFFICIALS = [
    (Role.PP, "pp.disdik@bebeli.test", "Hendra Gunawan, S.T. (Pejabat Pengadaan Disdik)", "6281311110001",
     "Pejabat Pengadaan Dinas Pendidikan"),
    (Role.PPK, "ppk.disdik@bebeli.test", "Dra. Wulan Sari, M.M. (PPK Disdik)", "6281311110002",
     "PPK Dinas Pendidikan"),
    (Role.TREASURER, "bendahara.disdik@bebeli.test", "Yanti Kusuma, S.E. (Bendahara Disdik)", "6281311110003",
     "Bendahara Pengeluaran Dinas Pendidikan"),
]

# kode rekening (Permendagri 90/2019 style), uraian, pagu
BUDGET_LINES = [
    ("5.1.02.01.01.0024", "Belanja Alat/Bahan untuk Kegiatan Kantor - Alat Tulis Kantor", 150_000_000),
    ("5.1.02.01.01.0026", "Belanja Alat/Bahan untuk Kegiatan Kantor - Bahan Cetak", 40_000_000),
    ("5.1.02.01.01.0052", "Belanja Makanan dan Minuman Rapat", 80_000_000),
]


def seed(accounts: list, password: str) -> None:
    agency = db.session.scalar(db.select(Agency).where(Agency.code == "DISDIK"))
    if agency is None:  # the directory demo did not run
        return
    for role, email, name, phone, note in OFFICIALS:
        user = db.session.scalar(db.select(User).where(User.email == email))
        if user is None:
            user = create_user(email=email, name=name, password=password, phone=phone)
            grant_role(user, role, agency_id=agency.id)
        accounts.append((role.value, email, note))

    year = current_fiscal_year()
    for code, name, pagu in BUDGET_LINES:
        exists = db.session.scalar(db.select(BudgetLine.id).where(
            BudgetLine.agency_id == agency.id, BudgetLine.fiscal_year == year, BudgetLine.code == code))
        if not exists:
            create_budget_line(agency, fiscal_year=year, code=code, name=name, pagu_amount=pagu, actor=None)
    if agency_budget(agency.id, year) is None:
        set_agency_budget(agency, year, 2_400_000_000, actor=None)
    if db.session.scalar(db.select(AgencyPurchase.id).limit(1)) is None:  # seeded before, or a real database
        _completed_purchase(agency, year)


# The office supplies of the completed purchase: (product name, quantity), from one PKP shop, above
# the PPh 22 threshold so the documents show the treasurer's withholding.
SUPPLIES = [("Kertas HVS A4 80 gram", 40), ("Pulpen Gel Hitam Isi 12", 20)]


def _completed_purchase(agency: Agency, year: int) -> None:
    officials = {role: db.session.scalar(db.select(User).where(User.email == email))
                 for role, email, *_ in OFFICIALS}
    pp, ppk, treasurer = officials[Role.PP], officials[Role.PPK], officials[Role.TREASURER]
    products = [(db.session.scalar(db.select(Product).where(Product.name == name).limit(1)), quantity)
                for name, quantity in SUPPLIES]
    line = db.session.scalar(db.select(BudgetLine).where(
        BudgetLine.agency_id == agency.id, BudgetLine.fiscal_year == year, BudgetLine.code == BUDGET_LINES[0][0]))
    if any(product is None for product, _ in products) or line is None:
        return  # the catalog demo did not run
    for product, quantity in products:
        add_to_cart(pp, product, quantity)
    order, _ = checkout.place_agency_order(
        pp, agency_id=agency.id, budget_line_id=line.id, ppk_id=ppk.id, note=None,
        delivery_address=agency.address or "Kantor Dinas Pendidikan", idempotency_key=checkout.agency_cart_key(pp))
    for purchase in db.session.scalars(db.select(AgencyPurchase).where(AgencyPurchase.order_id == order.id)):
        seller = purchase.shop.owner
        services.approve_purchase(purchase, ppk)
        services.accept_sp(purchase, seller)
        lifecycle.ship_seller_order(purchase.seller_order, seller, courier="Kurir toko", tracking_number=None)
        services.sign_bast(purchase, ppk, rejected={}, note="Barang diterima lengkap di kantor.")
        services.record_payment(purchase, treasurer, paid_on=jakarta_today(), reference=f"SP2D-{purchase.id:05d}/LS/{year}",
                                amount=purchase.net_amount)

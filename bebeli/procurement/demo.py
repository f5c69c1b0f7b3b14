"""Demo procurement officials and budget lines for Dinas Pendidikan (DISDIK)."""
from __future__ import annotations

from bebeli.auth.models import Role, User
from bebeli.auth.services import create_user, grant_role
from bebeli.directory.models import Agency
from bebeli.extensions import db
from bebeli.procurement.budget import agency_budget, create_budget_line, current_fiscal_year, set_agency_budget
from bebeli.procurement.models import BudgetLine

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

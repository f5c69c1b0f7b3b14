"""Demo agencies and accounts for the foundation: an admin, an agency admin and three ASN."""
from __future__ import annotations

from datetime import date

from bebeli.auth.models import Role, User
from bebeli.auth.services import create_user, grant_role
from bebeli.auth.totp import enrol_with_secret
from bebeli.directory.models import Agency, AgencyKind, AsnProfile, Echelon
from bebeli.extensions import db

AGENCIES = [
    ("SETDA", "Sekretariat Daerah Kabupaten Bekasi", AgencyKind.SEKRETARIAT, "Cikarang Pusat"),
    ("DISKOPUKM", "Dinas Koperasi dan Usaha Kecil Menengah", AgencyKind.DINAS, "Cikarang Pusat"),
    ("DISDIK", "Dinas Pendidikan", AgencyKind.DINAS, "Cikarang Pusat"),
    ("DINKES", "Dinas Kesehatan", AgencyKind.DINAS, "Cikarang Pusat"),
    ("BAPPEDA", "Badan Perencanaan Pembangunan Daerah", AgencyKind.BADAN, "Cikarang Pusat"),
    ("KEC-CKU", "Kecamatan Cikarang Utara", AgencyKind.KECAMATAN, "Cikarang Utara"),
    ("KEC-TBS", "Kecamatan Tambun Selatan", AgencyKind.KECAMATAN, "Tambun Selatan"),
]

# (email, name, nip, agency code, rank, echelon, position, TPP)
ASN = [
    ("siti.rahmawati@bebeli.test", "Siti Rahmawati, S.E.", "199007212015032001", "DISDIK", "III/b",
     Echelon.STAF, "Analis Keuangan", 4_500_000),
    ("budi.santoso@bebeli.test", "Budi Santoso, S.Kom.", "198503152010011002", "DINKES", "III/d",
     Echelon.IV, "Kepala Subbagian Umum", 7_250_000),
    ("dewi.lestari@bebeli.test", "Dewi Lestari, S.Sos.", "199211082019022003", "KEC-CKU", "III/a",
     Echelon.STAF, "Pengelola Layanan Kemasyarakatan", 3_800_000),
]


# The demo administrator uses two-step login like every administrator: add this key to any
# authenticator app (or compute codes with pyotp) to sign in.
DEMO_ADMIN_TOTP_SECRET = "BEBELIDEMOADMINKABUPATENBEKASI23"


def _user(email: str) -> User | None:
    return db.session.scalar(db.select(User).where(User.email == email))


def seed(accounts: list, password: str) -> None:
    agencies = {}
    for code, name, kind, kecamatan in AGENCIES:
        agency = db.session.scalar(db.select(Agency).where(Agency.code == code))
        if agency is None:
            agency = Agency(code=code, name=name, kind=kind, kecamatan=kecamatan,
                            address=f"Komplek Perkantoran Pemkab Bekasi, {kecamatan}")
            db.session.add(agency)
        agencies[code] = agency
    db.session.flush()

    admin = _user("admin@bebeli.test") or create_user(
        email="admin@bebeli.test", name="Rina Marlina (Admin Diskop UKM)", password=password, roles=[Role.ADMIN])
    enrol_with_secret(admin, DEMO_ADMIN_TOTP_SECRET)
    accounts.append(("admin", admin.email, f"Dinas Koperasi dan UKM; kunci TOTP {DEMO_ADMIN_TOTP_SECRET}"))

    operator = _user("operator.disdik@bebeli.test")
    if operator is None:
        operator = create_user(email="operator.disdik@bebeli.test", name="Agus Setiawan (Operator Disdik)",
                               password=password)
        grant_role(operator, Role.AGENCY_ADMIN, agency_id=agencies["DISDIK"].id)
    accounts.append(("agency_admin", operator.email, "Operator Dinas Pendidikan"))

    for email, name, nip, code, rank, echelon, position, tpp in ASN:
        user = _user(email)
        if user is None:
            user = create_user(email=email, name=name, password=password, roles=[Role.BUYER])
            db.session.add(AsnProfile(user=user, nip=nip, agency_id=agencies[code].id, rank=rank,
                                      echelon=echelon, position=position, tpp_amount=tpp,
                                      active_from=date(2024, 1, 1)))
        accounts.append(("buyer (ASN)", email, f"NIP {nip}"))

"""Demo UMKM: seven verified shops across Bekasi (one outside the region) and one shop
waiting in the verification queue whose bank account repeats another shop's."""
from __future__ import annotations

from datetime import date, timedelta

from bebeli.auth.models import Role, User
from bebeli.auth.services import create_user
from bebeli.db import utcnow
from bebeli.extensions import db
from bebeli.regions import find_kecamatan
from bebeli.sellers.models import CertificateKind, Shop, ShopCertificate, ShopStatus
from bebeli.sellers.services import is_local

# key, email, shop, owner, NIK, NIB, kecamatan, kelurahan, phone, bank account, PKP, status
SHOPS = [
    ("keripik", "seller@bebeli.test", "Keripik Bu Sari", "Sari Wulandari", "3216096504850003", "1203240011001",
     "Cikarang Utara", "Karangasih", "6281210000001", "0011223344", False, ShopStatus.VERIFIED),
    ("batik", "batik.lestari@bebeli.test", "Batik Tulis Lestari", "Lestari Handayani", "3216064707880002",
     "1203240011002", "Tambun Selatan", "Setiamekar", "6281210000002", "0011223345", False, ShopStatus.VERIFIED),
    ("anyaman", "anyaman.cibarusah@bebeli.test", "Anyaman Bambu Cibarusah", "Ujang Suryana", "3216221203790001",
     "1203240011003", "Cibarusah", "Sindangmulya", "6281210000003", "0011223346", False, ShopStatus.VERIFIED),
    ("catering", "catering.ningsih@bebeli.test", "Dapur Bu Ningsih Catering", "Ningsih Rahayu", "3216205811830004",
     "1203240011004", "Cikarang Pusat", "Sukamahi", "6281210000004", "0011223347", True, ShopStatus.VERIFIED),
    ("atk", "atk.sinar@bebeli.test", "Sinar Setu ATK", "Hendra Gunawan", "3216181009800005", "1203240011005",
     "Setu", "Lubangbuaya", "6281210000005", "0011223348", True, ShopStatus.VERIFIED),
    ("kopi", "kopi.bojong@bebeli.test", "Kopi Bojongmangu", "Asep Hidayat", "3216230305900006", "1203240011006",
     "Bojongmangu", "Karangmulya", "6281210000006", "0011223349", False, ShopStatus.VERIFIED),
    ("dodol", "dodol.ijah@bebeli.test", "Dodol Betawi Mpok Ijah", "Khadijah", "3175076108750007", "1203240011007",
     None, "Duren Sawit, Jakarta Timur", "6281210000007", "0011223350", False, ShopStatus.VERIFIED),
    ("kue", "kue.mekarsari@bebeli.test", "Kue Basah Mekar Sari", "Rina Anggraini", "3216054402920008",
     "1203240011008", "Tambun Utara", "Satriajaya", "6281210000008", "0011223344", False, ShopStatus.PENDING),
]
DESCRIPTIONS = {
    "keripik": "Keripik dan camilan rumahan dari Cikarang, digoreng setiap hari tanpa pengawet.",
    "batik": "Batik tulis dan cap bermotif khas Bekasi: bunga teratai, golok, dan tugu.",
    "anyaman": "Kerajinan anyaman bambu dan pandan buatan perajin Cibarusah.",
    "catering": "Nasi kotak, prasmanan, dan snack box untuk rapat dan acara kantor.",
    "atk": "Alat tulis dan perlengkapan kantor lengkap, melayani pengadaan instansi.",
    "kopi": "Kopi robusta petani Bojongmangu, disangrai sendiri.",
    "dodol": "Dodol Betawi dan kue tradisional, resep keluarga sejak 1985.",
    "kue": "Kue basah untuk rapat dan arisan.",
}


def _certificates(key: str) -> list[ShopCertificate]:
    today = date.today()
    valid = today + timedelta(days=700)
    if key in {"keripik", "catering", "dodol"}:
        return [ShopCertificate(kind=CertificateKind.HALAL, number=f"ID32110000{len(key)}2024", expires_on=valid),
                ShopCertificate(kind=CertificateKind.PIRT, number=f"2063216010{len(key)}24", expires_on=valid)]
    if key == "kopi":  # expired: the seller and the admins are told, the badge disappears
        return [ShopCertificate(kind=CertificateKind.HALAL, number="ID32110000772021",
                                expires_on=today - timedelta(days=10))]
    if key == "atk":
        return [ShopCertificate(kind=CertificateKind.SNI, number="SNI-8218-2016-0042", expires_on=None)]
    return []


def _create_shop(row, owner: User, admin: User | None) -> Shop:
    key, _, name, owner_name, nik, nib, kecamatan, kelurahan, phone, account, pkp, status = row
    shop = Shop(
        owner=owner, name=name, slug=key if key != "keripik" else "keripik-bu-sari", owner_name=owner_name,
        nik=nik, nib=nib, npwp=f"0{nib}{nik[-2:]}" if pkp else None, is_pkp=pkp,
        address=f"Jl. {owner_name.split()[0]} Raya No. {len(name)}", kecamatan=kecamatan or kelurahan,
        phone=phone, bank_name="Bank BJB", bank_account_number=account, bank_account_name=owner_name,
        status=status, description=DESCRIPTIONS[key], delivery_fee_amount=10_000 if kecamatan else 25_000,
        submitted_at=utcnow(), certificates=_certificates(key),
    )
    region = find_kecamatan(kecamatan)
    if region:  # inside the region: kelurahan, regency and postal code from the official list
        place = region.find_kelurahan(kelurahan)
        shop.kelurahan, shop.regency, shop.postal_code = place.name, region.regency, place.postal_code
    shop.is_local = is_local(nik, kecamatan)
    if status == ShopStatus.VERIFIED:
        shop.verified_at, shop.verified_by_id = utcnow(), admin.id if admin else None
    db.session.add(shop)
    return shop


def seed(accounts: list, password: str) -> None:
    admin = db.session.scalar(db.select(User).where(User.email == "admin@bebeli.test"))
    for row in SHOPS:
        email = row[1]
        user = db.session.scalar(db.select(User).where(User.email == email))
        if user is None:
            user = create_user(email=email, name=row[3], password=password, phone=row[8], roles=[Role.SELLER])
            _create_shop(row, user, admin)
    db.session.flush()
    accounts.append(("seller (UMKM)", "seller@bebeli.test", "Keripik Bu Sari, terverifikasi"))
    accounts.append(("seller (menunggu)", "kue.mekarsari@bebeli.test", "Kue Basah Mekar Sari, di antrean verifikasi"))

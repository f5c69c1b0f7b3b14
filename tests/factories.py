"""factory_boy factories for the real models; each one commits, like a finished request."""
from __future__ import annotations

import itertools
from datetime import date, datetime, timezone

import factory
from factory.alchemy import SQLAlchemyModelFactory

from bebeli.auth.models import Role, RoleAssignment, User
from bebeli.auth.services import hash_password
from bebeli.auth.totp import enrol_with_secret
from bebeli.directory.models import Agency, AgencyKind, AsnProfile, Echelon
from bebeli.extensions import db

TEST_PASSWORD = "rahasia-uji-123"
# Administrators created here are enrolled in two-step login with this authenticator secret;
# `Client.login` answers the code step with it.
TEST_TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
_TEST_HASH: str | None = None


def test_password_hash() -> str:
    # Argon2 is slow on purpose; hash the shared test password once per session.
    global _TEST_HASH
    if _TEST_HASH is None:
        _TEST_HASH = hash_password(TEST_PASSWORD)
    return _TEST_HASH


_nip_seq = itertools.count(1)


def make_nip(birth: date = date(1990, 1, 15), appointed: tuple[int, int] = (2015, 3), gender: int = 1,
             seq: int | None = None) -> str:
    seq = seq if seq is not None else next(_nip_seq) % 1000 or 1
    return f"{birth:%Y%m%d}{appointed[0]:04d}{appointed[1]:02d}{gender}{seq:03d}"


class Base(SQLAlchemyModelFactory):
    class Meta:
        abstract = True
        sqlalchemy_session_factory = lambda: db.session  # noqa: E731
        sqlalchemy_session_persistence = "commit"


class AgencyFactory(Base):
    class Meta:
        model = Agency

    code = factory.Sequence(lambda n: f"OPD{n:03d}")
    name = factory.Sequence(lambda n: f"Dinas Uji {n}")
    kind = AgencyKind.DINAS
    kecamatan = "Cikarang Pusat"


class UserFactory(Base):
    class Meta:
        model = User

    email = factory.Sequence(lambda n: f"user{n}@contoh.go.id")
    name = factory.Sequence(lambda n: f"Pengguna {n}")
    password_hash = factory.LazyFunction(test_password_hash)

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        for role in extracted or ():
            agency_id = kwargs.get("agency_id")
            self.roles.append(RoleAssignment(role=Role(role), agency_id=agency_id if Role(role).agency_scoped else None))
        if Role.ADMIN in (extracted or ()) and kwargs.get("totp", True):  # `roles__totp=False`: not enrolled
            enrol_with_secret(self, TEST_TOTP_SECRET)
        if create and extracted:
            db.session.commit()


class AsnFactory(Base):
    class Meta:
        model = AsnProfile

    user = factory.SubFactory(UserFactory, roles=[Role.BUYER])
    agency = factory.SubFactory(AgencyFactory)
    nip = factory.LazyFunction(make_nip)
    rank = "III/a"
    echelon = Echelon.STAF
    tpp_amount = 4_000_000
    # Registered long before the months the tests look at: with no `active_from`, an ASN owes
    # from the day they were registered (see bebeli/quotas/obligations.py).
    created_at = datetime(2020, 1, 1, tzinfo=timezone.utc)


def admin(**kw) -> User:
    return UserFactory(roles=[Role.ADMIN], **kw)


def agency_admin(agency: Agency, **kw) -> User:
    return UserFactory(roles=[Role.AGENCY_ADMIN], roles__agency_id=agency.id, **kw)


# --- sellers and catalog -------------------------------------------------------------------
from bebeli.catalog.models import Category, Product, ProductStatus  # noqa: E402
from bebeli.db import utcnow  # noqa: E402
from bebeli.sellers.models import Shop, ShopStatus  # noqa: E402


def seller(**kw) -> User:
    return UserFactory(roles=[Role.SELLER], **kw)


class ShopFactory(Base):
    class Meta:
        model = Shop

    owner = factory.SubFactory(UserFactory, roles=[Role.SELLER])
    name = factory.Sequence(lambda n: f"Toko Uji {n}")
    slug = factory.Sequence(lambda n: f"toko-uji-{n}")
    owner_name = factory.LazyAttribute(lambda o: o.owner.name)
    nik = factory.Sequence(lambda n: f"3216015506{90 + n % 10:02d}{n % 10000:04d}"[:16])
    nib = factory.Sequence(lambda n: f"{1200000000000 + n}")
    is_pkp = False
    address = "Jl. Raya Cikarang No. 1"
    kecamatan = "Cikarang Utara"
    kelurahan = "Karangasih"
    regency = "Kabupaten Bekasi"
    phone = factory.Sequence(lambda n: f"62812{n:08d}")
    bank_name = "Bank BJB"
    bank_account_number = factory.Sequence(lambda n: f"{9000000000 + n}")
    bank_account_name = factory.LazyAttribute(lambda o: o.owner_name)
    is_local = True
    status = ShopStatus.VERIFIED
    delivery_fee_amount = 10_000


class CategoryFactory(Base):
    class Meta:
        model = Category

    name = factory.Sequence(lambda n: f"Kategori {n}")
    slug = factory.Sequence(lambda n: f"kategori-{n}")


class ProductFactory(Base):
    class Meta:
        model = Product

    shop = factory.SubFactory(ShopFactory)
    category = factory.SubFactory(CategoryFactory)
    name = factory.Sequence(lambda n: f"Produk Uji {n}")
    slug = factory.Sequence(lambda n: f"produk-uji-{n}")
    description = "Produk UMKM lokal Bekasi."
    price_amount = 25_000
    unit = "pcs"
    stock = 100
    min_order_qty = 1
    status = ProductStatus.PUBLISHED
    published_at = factory.LazyFunction(utcnow)
    search_text = factory.LazyAttribute(lambda o: o.name.lower())

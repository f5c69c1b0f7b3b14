"""factory_boy factories for the real models; each one commits, like a finished request."""
from __future__ import annotations

import itertools
from datetime import date

import factory
from factory.alchemy import SQLAlchemyModelFactory

from bebeli.auth.models import Role, RoleAssignment, User
from bebeli.auth.services import hash_password
from bebeli.directory.models import Agency, AgencyKind, AsnProfile, Echelon
from bebeli.extensions import db

TEST_PASSWORD = "rahasia-uji-123"
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


def admin(**kw) -> User:
    return UserFactory(roles=[Role.ADMIN], **kw)


def agency_admin(agency: Agency, **kw) -> User:
    return UserFactory(roles=[Role.AGENCY_ADMIN], roles__agency_id=agency.id, **kw)

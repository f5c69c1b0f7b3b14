"""WTForms validators for Indonesian identity numbers.

Thin wrappers around :mod:`bebeli.identity`: on success ``field.data`` is
replaced by the normalised digits, so views can store it directly. Empty
input is reported as an error; combine with ``Optional()`` for optional
fields.
"""

from __future__ import annotations

from typing import Any

from wtforms import Field, Form
from wtforms.validators import ValidationError

from bebeli import identity

__all__ = ["NIB", "NIK", "NIP", "NPWP", "BankAccount", "Phone"]


class _IdentityValidator:
    """Replace ``field.data`` with :meth:`normalize`'s result, or fail validation."""

    def normalize(self, form: Form, data: str) -> str:
        raise NotImplementedError

    def __call__(self, form: Form, field: Field) -> None:
        data: Any = field.data
        try:
            field.data = self.normalize(form, "" if data is None else str(data))
        except identity.IdentityError as exc:
            raise ValidationError(str(exc)) from exc


class NIP(_IdentityValidator):
    """NIP of a PNS; PPPK numbers too when the ``allow_pppk_field`` checkbox is ticked."""

    def __init__(self, allow_pppk_field: str | None = None) -> None:
        self.allow_pppk_field = allow_pppk_field

    def normalize(self, form: Form, data: str) -> str:
        name = self.allow_pppk_field
        allow_pppk = name is not None and name in form and bool(form[name].data)
        return identity.parse_nip(data, allow_pppk=allow_pppk).digits


class NIK(_IdentityValidator):
    def normalize(self, form: Form, data: str) -> str:
        return identity.parse_nik(data).digits


class NPWP(_IdentityValidator):
    def normalize(self, form: Form, data: str) -> str:
        return identity.normalize_npwp(data)


class NIB(_IdentityValidator):
    def normalize(self, form: Form, data: str) -> str:
        return identity.normalize_nib(data)


class Phone(_IdentityValidator):
    def normalize(self, form: Form, data: str) -> str:
        return identity.normalize_phone(data)


class BankAccount(_IdentityValidator):
    def normalize(self, form: Form, data: str) -> str:
        return identity.normalize_bank_account(data)

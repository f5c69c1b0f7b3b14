"""WTForms validators for Indonesian identity numbers and email addresses.

Thin wrappers around :mod:`bebeli.identity` and :func:`normalize_email_address`:
on success ``field.data`` is replaced by the normalised value, so views can
store it directly. Empty input is reported as an error; combine with
``Optional()`` for optional fields.
"""

from __future__ import annotations

from typing import Any

import email_validator
from flask import current_app, has_app_context
from flask_babel import lazy_gettext as _l
from wtforms import Field, Form
from wtforms.validators import ValidationError

from bebeli import identity

__all__ = ["NIB", "NIK", "NIP", "NPWP", "BankAccount", "EmailAddress", "EmailAddressError", "Phone",
           "normalize_email_address"]


class EmailAddressError(ValueError):
    def __init__(self, message) -> None:
        super().__init__(message)
        self.message = message


def _special_use_suffix(address: str) -> str | None:
    """".test", ".local" … when the address's domain is a special-use name (RFC 6761), else None."""
    domain = address.rpartition("@")[2].strip().rstrip(".").lower()
    for name in email_validator.SPECIAL_USE_DOMAIN_NAMES:
        if domain == name or domain.endswith("." + name):
            return "." + name
    return None


def normalize_email_address(raw: str | None, *, allow_test_domain: bool | None = None) -> str:
    """Every email address of the app goes through here: the address as stored (lower-case),
    or EmailAddressError with the reason. Syntax only, no DNS. The reserved .test domain of the
    demo accounts is accepted where EMAIL_ALLOW_TEST_DOMAIN is on (everywhere but production);
    other special-use domains (.local, .localhost, .invalid …) never receive mail anywhere."""
    text = ("" if raw is None else str(raw)).strip()
    if allow_test_domain is None:
        allow_test_domain = has_app_context() and bool(current_app.config.get("EMAIL_ALLOW_TEST_DOMAIN"))
    try:
        found = email_validator.validate_email(text, check_deliverability=False, test_environment=allow_test_domain)
    except email_validator.EmailNotValidError:
        suffix = _special_use_suffix(text)
        if suffix:
            raise EmailAddressError(_l("Alamat email di domain %(domain)s tidak dapat menerima email (domain itu "
                                       "khusus untuk pengujian atau jaringan lokal). Gunakan alamat email yang aktif.",
                                       domain=suffix)) from None
        raise EmailAddressError(_l("Alamat email tidak valid.")) from None
    return found.normalized.lower()


class EmailAddress:
    """An email address, checked and normalised by :func:`normalize_email_address`."""

    def __call__(self, form: Form, field: Field) -> None:
        try:
            field.data = normalize_email_address(field.data)
        except EmailAddressError as exc:
            raise ValidationError(str(exc.message)) from exc


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

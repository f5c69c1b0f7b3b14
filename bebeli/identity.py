"""Parsing and normalisation of Indonesian identity numbers.

Covers NIP (civil servant number), NIK (national ID number), NPWP (tax
number), NIB (business number), mobile phone numbers and bank account
numbers. Everything here is a pure function: input may contain spaces, dots
and dashes as visual separators, and the result always holds digits only so
it can be stored and compared as-is. Problems are reported as
:class:`IdentityError` with a translatable Indonesian message.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Literal

from flask_babel import lazy_gettext as _l

__all__ = [
    "Gender",
    "IdentityError",
    "Nik",
    "Nip",
    "format_npwp",
    "mask",
    "normalize_bank_account",
    "normalize_nib",
    "normalize_npwp",
    "normalize_phone",
    "parse_nik",
    "parse_nip",
]

Gender = Literal["L", "P"]

NIP_LENGTH = 18
NIK_LENGTH = 16
NIB_LENGTH = 13
NPWP_LENGTH = 16
NPWP_LEGACY_LENGTH = 15
PHONE_MIN_LENGTH = 10
PHONE_MAX_LENGTH = 15
BANK_ACCOUNT_MIN_LENGTH = 6
BANK_ACCOUNT_MAX_LENGTH = 20

# Nobody born before this is still in (or entering) the civil service; it
# rejects nonsense like year 0001 that Python's date would otherwise accept.
_EARLIEST_NIP_BIRTH_YEAR = 1900
_MIN_APPOINTMENT_AGE = 18
# NIK encodes a woman's birth day as day + 40.
_NIK_FEMALE_DAY_OFFSET = 40

_SEPARATORS = re.compile(r"[\s.\-]+")
_ASCII_DIGITS = re.compile(r"[0-9]+")


class IdentityError(ValueError):
    """An identity number is malformed; ``message`` is a lazy Indonesian text."""

    def __init__(self, message: object) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return str(self.message)


@dataclass(frozen=True, slots=True)
class Nip:
    """A civil servant number. For PPPK the layout is not decoded."""

    digits: str
    birth_date: date | None
    appointment: date | None  # TMT CPNS, always the first day of the month
    gender: Gender | None
    is_pppk: bool = False


@dataclass(frozen=True, slots=True)
class Nik:
    """A national ID number (Nomor Induk Kependudukan)."""

    digits: str
    province: str  # e.g. "32"
    regency_code: str  # e.g. "32.16"
    district_code: str  # e.g. "32.16.01"
    birth_date: date
    gender: Gender


def _digits_only(raw: str | None, label: object) -> str:
    text = _SEPARATORS.sub("", raw or "")
    if not text:
        raise IdentityError(_l("%(label)s wajib diisi.", label=label))
    # str.isdigit() would also accept non-ASCII digits such as "²" or "٣".
    if not _ASCII_DIGITS.fullmatch(text):
        raise IdentityError(_l("%(label)s hanya boleh berisi angka.", label=label))
    return text


def _fixed_length(raw: str | None, label: object, length: int) -> str:
    digits = _digits_only(raw, label)
    if len(digits) != length:
        raise IdentityError(
            _l("%(label)s harus %(length)d digit.", label=label, length=length)
        )
    return digits


def _parse_pns_nip(digits: str, today: date) -> Nip:
    try:
        birth_date = date(int(digits[0:4]), int(digits[4:6]), int(digits[6:8]))
    except ValueError:
        birth_date = None
    if birth_date is None or birth_date.year < _EARLIEST_NIP_BIRTH_YEAR:
        raise IdentityError(_l("Tanggal lahir pada NIP tidak valid."))
    if birth_date > today:
        raise IdentityError(_l("Tanggal lahir pada NIP tidak boleh di masa depan."))

    try:
        appointment = date(int(digits[8:12]), int(digits[12:14]), 1)
    except ValueError:
        raise IdentityError(_l("TMT CPNS pada NIP tidak valid.")) from None
    # `appointment` is the 1st of its month, so the current month still passes.
    if appointment > today:
        raise IdentityError(_l("TMT CPNS pada NIP tidak boleh di masa depan."))
    # Compared by month because the NIP only records the appointment month.
    adulthood = date(birth_date.year + _MIN_APPOINTMENT_AGE, birth_date.month, 1)
    if appointment < adulthood:
        raise IdentityError(_l("TMT CPNS pada NIP harus setelah usia 18 tahun."))

    gender: Gender
    match digits[14]:
        case "1":
            gender = "L"
        case "2":
            gender = "P"
        case _:
            raise IdentityError(_l("Kode jenis kelamin pada NIP harus 1 atau 2."))

    if digits[15:18] == "000":
        raise IdentityError(_l("Nomor urut pada NIP tidak boleh 000."))

    return Nip(
        digits=digits,
        birth_date=birth_date,
        appointment=appointment,
        gender=gender,
        is_pppk=False,
    )


def parse_nip(
    raw: str | None, *, allow_pppk: bool = False, today: date | None = None
) -> Nip:
    """Validate an 18-digit NIP and decode the PNS layout.

    PNS layout: birth date ``YYYYMMDD``, TMT CPNS ``YYYYMM``, gender digit
    (1 = male, 2 = female), 3-digit sequence. PPPK numbers use a different
    layout; with ``allow_pppk`` any 18 digits that are not a valid PNS NIP are
    accepted and returned with ``is_pppk=True`` and no decoded fields.
    """
    digits = _fixed_length(raw, "NIP", NIP_LENGTH)
    try:
        return _parse_pns_nip(digits, today or date.today())
    except IdentityError:
        if not allow_pppk:
            raise
    return Nip(digits=digits, birth_date=None, appointment=None, gender=None, is_pppk=True)


def _nik_birth_date(day: int, month: int, year_2digit: int, today: date) -> date:
    try:
        candidate = date(2000 + year_2digit, month, day)
    except ValueError:
        raise IdentityError(_l("Tanggal lahir pada NIK tidak valid.")) from None
    if candidate <= today:
        return candidate
    # The same day/month is valid in 19YY too: the leap-year rules for 19YY and
    # 20YY only differ for YY = 00, and 2000-02-29 is never after `today`.
    return candidate.replace(year=1900 + year_2digit)


def parse_nik(raw: str | None, *, today: date | None = None) -> Nik:
    """Validate a 16-digit NIK and decode region, birth date and gender.

    Layout: province (2) · regency (2) · district (2) · ``DDMMYY`` birth date,
    with day + 40 for women · 4-digit sequence. The two-digit year is read as
    20YY unless that lies after ``today``, in which case it is 19YY.
    """
    digits = _fixed_length(raw, "NIK", NIK_LENGTH)

    province, regency, district = digits[0:2], digits[2:4], digits[4:6]
    # Province codes start at 11 (Aceh); lower codes have never been issued.
    if int(province) < 11:
        raise IdentityError(_l("Kode provinsi pada NIK tidak valid."))
    if regency == "00":
        raise IdentityError(_l("Kode kabupaten/kota pada NIK tidak valid."))
    if district == "00":
        raise IdentityError(_l("Kode kecamatan pada NIK tidak valid."))

    day = int(digits[6:8])
    gender: Gender
    if 1 <= day <= 31:
        gender = "L"
    elif 1 + _NIK_FEMALE_DAY_OFFSET <= day <= 31 + _NIK_FEMALE_DAY_OFFSET:
        gender = "P"
        day -= _NIK_FEMALE_DAY_OFFSET
    else:
        raise IdentityError(
            _l("Tanggal lahir pada NIK harus 01–31 (laki-laki) atau 41–71 (perempuan).")
        )
    month = int(digits[8:10])
    if not 1 <= month <= 12:
        raise IdentityError(_l("Bulan lahir pada NIK tidak valid."))
    birth_date = _nik_birth_date(day, month, int(digits[10:12]), today or date.today())

    if digits[12:16] == "0000":
        raise IdentityError(_l("Nomor urut pada NIK tidak boleh 0000."))

    return Nik(
        digits=digits,
        province=province,
        regency_code=f"{province}.{regency}",
        district_code=f"{province}.{regency}.{district}",
        birth_date=birth_date,
        gender=gender,
    )


def normalize_npwp(raw: str | None) -> str:
    """Return the 16-digit NPWP; a legacy 15-digit number gets a leading 0."""
    digits = _digits_only(raw, "NPWP")
    if len(digits) == NPWP_LEGACY_LENGTH:
        return "0" + digits
    if len(digits) == NPWP_LENGTH:
        return digits
    raise IdentityError(_l("NPWP harus 15 atau 16 digit."))


def format_npwp(digits16: str) -> str:
    """Format an NPWP for display.

    Numbers carried over from the 15-digit scheme (leading 0) keep the
    ``XX.XXX.XXX.X-XXX.XXX`` layout people recognise; NIK-based ones are
    grouped in fours.
    """
    digits = normalize_npwp(digits16)
    if digits.startswith("0"):
        d = digits[1:]
        return f"{d[0:2]}.{d[2:5]}.{d[5:8]}.{d[8]}-{d[9:12]}.{d[12:15]}"
    return " ".join(digits[i : i + 4] for i in range(0, NPWP_LENGTH, 4))


def normalize_nib(raw: str | None) -> str:
    """Return the 13-digit NIB (it has no check digit, so only length is checked)."""
    return _fixed_length(raw, "NIB", NIB_LENGTH)


def normalize_phone(raw: str | None) -> str:
    """Return an Indonesian mobile number as ``628…`` (the form WhatsApp uses).

    Accepts ``08…``, ``628…`` and ``+628…``, with optional separators.
    """
    label = _l("Nomor telepon")
    text = (raw or "").strip()
    has_plus = text.startswith("+")
    digits = _digits_only(text.removeprefix("+"), label)

    if digits.startswith("0") and not has_plus:
        digits = "62" + digits[1:]
    if not digits.startswith("628"):
        raise IdentityError(
            _l("Nomor telepon harus nomor seluler Indonesia (diawali 08, 628, atau +628).")
        )
    if not PHONE_MIN_LENGTH <= len(digits) <= PHONE_MAX_LENGTH:
        raise IdentityError(
            _l(
                "Nomor telepon harus %(min)d–%(max)d digit termasuk kode negara 62.",
                min=PHONE_MIN_LENGTH,
                max=PHONE_MAX_LENGTH,
            )
        )
    return digits


def normalize_bank_account(raw: str | None) -> str:
    """Return a bank account number as digits only (6–20 digits)."""
    digits = _digits_only(raw, _l("Nomor rekening"))
    if not BANK_ACCOUNT_MIN_LENGTH <= len(digits) <= BANK_ACCOUNT_MAX_LENGTH:
        raise IdentityError(
            _l(
                "Nomor rekening harus %(min)d–%(max)d digit.",
                min=BANK_ACCOUNT_MIN_LENGTH,
                max=BANK_ACCOUNT_MAX_LENGTH,
            )
        )
    return digits


def mask(digits: str, keep: int = 4) -> str:
    """Hide all but the last ``keep`` characters, e.g. for NIKs shown in lists."""
    keep = max(keep, 0)
    hidden = max(len(digits) - keep, 0)
    return "*" * hidden + digits[hidden:]

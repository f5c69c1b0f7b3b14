"""Field rules of the directory. Each takes what a person typed (a form field or a spreadsheet
cell) and returns the stored value, or raises ValidationFailed with a message for that field;
the forms and the importer both use them, so a value is accepted the same way from either.
"""
from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l

from bebeli.directory.models import Echelon
from bebeli.errors import ValidationFailed
from bebeli.money import MAX_AMOUNT, parse_rupiah
from bebeli.validators import EmailAddressError, normalize_email_address

NAME_MAX = 120
POSITION_MAX = 160
AGENCY_NAME_MAX = 160

_SPACES = re.compile(r"\s+")
_ROMAN = {numeral: n for n, numeral in enumerate(
    "I II III IV V VI VII VIII IX X XI XII XIII XIV XV XVI XVII".split(), start=1)}
# PNS: golongan I–IV with a ruang letter (III/a); PPPK: golongan I–XVII without one (IX).
_RANK = re.compile(r"^(?P<grade>[IVX]{1,5})\s*(?:/\s*(?P<room>[A-E]))?$", re.IGNORECASE)
_ECHELON = re.compile(r"^(?:eselon\s*)?(?P<level>iv|iii|ii|i|[1-4])(?:\s*[./\- ]?\s*[ab])?$", re.IGNORECASE)
_ECHELON_DIGITS = {"1": "i", "2": "ii", "3": "iii", "4": "iv"}
_STAFF_WORDS = {"", "-", "staf", "staff", "non eselon", "non-eselon", "nonselon", "pelaksana", "fungsional"}
_AGENCY_CODE = re.compile(r"^[A-Z0-9][A-Z0-9._\-]{0,19}$")
_TRUE_WORDS = {"1", "y", "ya", "yes", "true", "benar", "aktif", "pppk"}
_FALSE_WORDS = {"0", "t", "n", "tidak", "no", "false", "salah", "nonaktif", "non-aktif", "pns"}


def clean_text(raw: str | None) -> str:
    return _SPACES.sub(" ", raw or "").strip()


def normalize_name(raw: str | None) -> str:
    name = clean_text(raw)
    if not name:
        raise ValidationFailed(_l("Nama wajib diisi."))
    if len(name) > NAME_MAX:
        raise ValidationFailed(_l("Nama maksimal %(n)d karakter.", n=NAME_MAX))
    return name


def normalize_email(raw: str | None) -> str:
    text = (raw or "").strip()
    if not text:
        raise ValidationFailed(_l("Email wajib diisi."))
    try:
        return normalize_email_address(text)  # the rule of every email field of the app
    except EmailAddressError as error:
        raise ValidationFailed(error.message) from None


def normalize_rank(raw: str | None) -> str | None:
    text = clean_text(raw)
    if not text:
        return None
    match = _RANK.match(text)
    grade = _ROMAN.get(match["grade"].upper()) if match else None
    if grade is None or (match["room"] and grade > 4):
        raise ValidationFailed(_l("Pangkat/golongan tidak dikenali; contoh: III/a (PNS) atau IX (PPPK)."))
    return match["grade"].upper() + (f"/{match['room'].lower()}" if match["room"] else "")


def normalize_echelon(raw: str | Echelon | None) -> Echelon:
    if isinstance(raw, Echelon):
        return raw
    text = clean_text(raw).lower()
    if text in _STAFF_WORDS:
        return Echelon.STAF
    match = _ECHELON.match(text)
    if not match:
        raise ValidationFailed(_l("Eselon harus staf, IV, III, II atau I."))
    level = match["level"].lower()
    return Echelon(_ECHELON_DIGITS.get(level, level))


def normalize_position(raw: str | None) -> str | None:
    text = clean_text(raw)
    if len(text) > POSITION_MAX:
        raise ValidationFailed(_l("Jabatan maksimal %(n)d karakter.", n=POSITION_MAX))
    return text or None


def normalize_tpp(raw: str | int | None) -> int | None:
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    try:
        amount = parse_rupiah(raw)
    except ValueError:
        raise ValidationFailed(_l("TPP harus bilangan bulat rupiah, misalnya 4500000 atau 4.500.000.")) from None
    if not 0 <= amount <= MAX_AMOUNT:
        raise ValidationFailed(_l("TPP di luar batas yang wajar."))
    return amount


def parse_flag(raw: str | None, *, default: bool) -> bool:
    text = clean_text(raw).lower()
    if not text:
        return default
    if text in _TRUE_WORDS:
        return True
    if text in _FALSE_WORDS:
        return False
    raise ValidationFailed(_l("Isi dengan ya atau tidak."))


def normalize_agency_name(raw: str | None) -> str:
    name = clean_text(raw)
    if not name:
        raise ValidationFailed(_l("Nama perangkat daerah wajib diisi."))
    if len(name) > AGENCY_NAME_MAX:
        raise ValidationFailed(_l("Nama maksimal %(n)d karakter.", n=AGENCY_NAME_MAX))
    return name


def normalize_agency_code(raw: str | None) -> str:
    code = clean_text(raw).upper()
    if not code:
        raise ValidationFailed(_l("Kode perangkat daerah wajib diisi."))
    if not _AGENCY_CODE.match(code):
        raise ValidationFailed(_l("Kode maksimal 20 karakter: huruf, angka, titik, garis bawah atau tanda hubung."))
    return code

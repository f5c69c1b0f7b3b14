"""Unit tests for bebeli.identity and bebeli.validators (no Flask app needed)."""

from __future__ import annotations

from dataclasses import FrozenInstanceError
from datetime import date

import pytest
from werkzeug.datastructures import MultiDict
from wtforms import BooleanField, Form, StringField
from wtforms.validators import Optional

from bebeli import validators
from bebeli.identity import (
    IdentityError,
    Nik,
    Nip,
    format_npwp,
    mask,
    normalize_bank_account,
    normalize_nib,
    normalize_npwp,
    normalize_phone,
    parse_nik,
    parse_nip,
)

TODAY = date(2026, 11, 23)


def make_nip(
    birth: str = "19850315", tmt: str = "201001", gender: str = "1", seq: str = "001"
) -> str:
    return birth + tmt + gender + seq


def make_nik(region: str = "321601", birth: str = "150385", seq: str = "0001") -> str:
    return region + birth + seq


def assert_error(exc_info: pytest.ExceptionInfo[IdentityError], message: str) -> None:
    assert str(exc_info.value) == message


# --- NIP ---------------------------------------------------------------------


def test_parse_nip_male() -> None:
    assert parse_nip("198503152010011001", today=TODAY) == Nip(
        digits="198503152010011001",
        birth_date=date(1985, 3, 15),
        appointment=date(2010, 1, 1),
        gender="L",
        is_pppk=False,
    )


def test_parse_nip_female() -> None:
    nip = parse_nip("199012012015032002", today=TODAY)
    assert nip.birth_date == date(1990, 12, 1)
    assert nip.appointment == date(2015, 3, 1)
    assert nip.gender == "P"
    assert nip.is_pppk is False


def test_nip_is_frozen() -> None:
    nip = parse_nip(make_nip(), today=TODAY)
    with pytest.raises(FrozenInstanceError):
        nip.digits = "0" * 18  # type: ignore[misc]


@pytest.mark.parametrize(
    "raw",
    [
        "19850315 201001 1 001",
        "19850315.201001.1.001",
        "19850315-201001-1-001",
        "  198503152010011001\t",
    ],
)
def test_parse_nip_strips_separators(raw: str) -> None:
    assert parse_nip(raw, today=TODAY).digits == "198503152010011001"


def test_parse_nip_defaults_today_to_current_date() -> None:
    assert parse_nip(make_nip()).birth_date == date(1985, 3, 15)


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (make_nip()[:-1], "NIP harus 18 digit."),
        (make_nip() + "1", "NIP harus 18 digit."),
        (make_nip()[:-1] + "A", "NIP hanya boleh berisi angka."),
        ("19850315/201001/1/001", "NIP hanya boleh berisi angka."),
        # Full-width digits pass str.isdigit() but are not acceptable input.
        ("１９８５０３１５２０１００１１００１", "NIP hanya boleh berisi angka."),
        ("", "NIP wajib diisi."),
        (" - ", "NIP wajib diisi."),
        (None, "NIP wajib diisi."),
    ],
)
def test_parse_nip_rejects_malformed_input(raw: str | None, message: str) -> None:
    with pytest.raises(IdentityError) as exc_info:
        parse_nip(raw, today=TODAY)
    assert_error(exc_info, message)


@pytest.mark.parametrize(
    ("nip", "message"),
    [
        (make_nip(birth="19850230"), "Tanggal lahir pada NIP tidak valid."),
        (make_nip(birth="19851315"), "Tanggal lahir pada NIP tidak valid."),
        (make_nip(birth="19850015"), "Tanggal lahir pada NIP tidak valid."),
        (make_nip(birth="19850300"), "Tanggal lahir pada NIP tidak valid."),
        (make_nip(birth="19830229"), "Tanggal lahir pada NIP tidak valid."),
        (make_nip(birth="00010101"), "Tanggal lahir pada NIP tidak valid."),
        (make_nip(birth="20261124"), "Tanggal lahir pada NIP tidak boleh di masa depan."),
        (make_nip(tmt="201000"), "TMT CPNS pada NIP tidak valid."),
        (make_nip(tmt="201013"), "TMT CPNS pada NIP tidak valid."),
        (make_nip(tmt="202612"), "TMT CPNS pada NIP tidak boleh di masa depan."),
        (make_nip(tmt="202701"), "TMT CPNS pada NIP tidak boleh di masa depan."),
        (make_nip(gender="0"), "Kode jenis kelamin pada NIP harus 1 atau 2."),
        (make_nip(gender="3"), "Kode jenis kelamin pada NIP harus 1 atau 2."),
        (make_nip(gender="9"), "Kode jenis kelamin pada NIP harus 1 atau 2."),
        (make_nip(seq="000"), "Nomor urut pada NIP tidak boleh 000."),
    ],
)
def test_parse_nip_rejects_invalid_parts(nip: str, message: str) -> None:
    with pytest.raises(IdentityError) as exc_info:
        parse_nip(nip, today=TODAY)
    assert_error(exc_info, message)


def test_parse_nip_accepts_leap_day_birth() -> None:
    nip = parse_nip(make_nip(birth="19840229", tmt="201001"), today=TODAY)
    assert nip.birth_date == date(1984, 2, 29)


@pytest.mark.parametrize(
    ("birth", "tmt", "accepted"),
    [
        ("20000510", "201805", True),  # the month of the 18th birthday
        ("20000510", "201806", True),
        ("20000510", "201804", False),  # one month short
        ("20000510", "201712", False),
        ("20001231", "201812", True),
        ("20001231", "201811", False),
        ("20010115", "201901", True),
        ("20010115", "201812", False),  # boundary across a year change
    ],
)
def test_parse_nip_appointment_not_before_18th_birthday(
    birth: str, tmt: str, accepted: bool
) -> None:
    nip = make_nip(birth=birth, tmt=tmt)
    if accepted:
        assert parse_nip(nip, today=TODAY).appointment == date(
            int(tmt[:4]), int(tmt[4:]), 1
        )
    else:
        with pytest.raises(IdentityError) as exc_info:
            parse_nip(nip, today=TODAY)
        assert_error(exc_info, "TMT CPNS pada NIP harus setelah usia 18 tahun.")


def test_parse_nip_today_is_not_in_the_future() -> None:
    born_today = make_nip(birth="20261123", tmt="201001")
    with pytest.raises(IdentityError) as exc_info:
        parse_nip(born_today, today=TODAY)
    # Not rejected as a future birth date; it fails on the later age rule.
    assert_error(exc_info, "TMT CPNS pada NIP harus setelah usia 18 tahun.")

    appointed_this_month = parse_nip(make_nip(tmt="202611"), today=TODAY)
    assert appointed_this_month.appointment == date(2026, 11, 1)


def test_parse_nip_future_depends_on_today() -> None:
    nip = make_nip(tmt="202612")
    with pytest.raises(IdentityError):
        parse_nip(nip, today=TODAY)
    assert parse_nip(nip, today=date(2026, 12, 1)).appointment == date(2026, 12, 1)


PPPK_NIP = "199001012022212001"  # month "21" in the TMT position: not a PNS NIP


def test_parse_nip_pppk_refused_by_default() -> None:
    with pytest.raises(IdentityError) as exc_info:
        parse_nip(PPPK_NIP, today=TODAY)
    assert_error(exc_info, "TMT CPNS pada NIP tidak valid.")


def test_parse_nip_pppk_accepted_when_allowed() -> None:
    assert parse_nip(PPPK_NIP, allow_pppk=True, today=TODAY) == Nip(
        digits=PPPK_NIP, birth_date=None, appointment=None, gender=None, is_pppk=True
    )


def test_parse_nip_valid_pns_is_not_flagged_pppk_even_when_allowed() -> None:
    nip = parse_nip(make_nip(), allow_pppk=True, today=TODAY)
    assert nip.is_pppk is False
    assert nip.gender == "L"


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (PPPK_NIP[:-1], "NIP harus 18 digit."),
        (PPPK_NIP[:-1] + "X", "NIP hanya boleh berisi angka."),
    ],
)
def test_parse_nip_pppk_still_needs_18_digits(raw: str, message: str) -> None:
    with pytest.raises(IdentityError) as exc_info:
        parse_nip(raw, allow_pppk=True, today=TODAY)
    assert_error(exc_info, message)


def test_identity_error_is_value_error() -> None:
    with pytest.raises(ValueError):
        parse_nip("123", today=TODAY)


# --- NIK ---------------------------------------------------------------------


def test_parse_nik_male_kabupaten_bekasi() -> None:
    assert parse_nik("3216011503850001", today=TODAY) == Nik(
        digits="3216011503850001",
        province="32",
        regency_code="32.16",
        district_code="32.16.01",
        birth_date=date(1985, 3, 15),
        gender="L",
    )


def test_parse_nik_female_kota_bekasi() -> None:
    nik = parse_nik("3275025503900002", today=TODAY)
    assert nik.gender == "P"
    assert nik.birth_date == date(1990, 3, 15)
    assert nik.province == "32"
    assert nik.regency_code == "32.75"
    assert nik.district_code == "32.75.02"


@pytest.mark.parametrize(
    ("birth", "expected_date", "gender"),
    [
        ("010185", date(1985, 1, 1), "L"),
        ("310185", date(1985, 1, 31), "L"),
        ("410185", date(1985, 1, 1), "P"),
        ("710185", date(1985, 1, 31), "P"),
        ("690285", None, None),  # 29 Feb 1985 does not exist
        ("290200", date(2000, 2, 29), "L"),
        ("690200", date(2000, 2, 29), "P"),
    ],
)
def test_parse_nik_day_encoding(
    birth: str, expected_date: date | None, gender: str | None
) -> None:
    nik = make_nik(birth=birth)
    if expected_date is None:
        with pytest.raises(IdentityError) as exc_info:
            parse_nik(nik, today=TODAY)
        assert_error(exc_info, "Tanggal lahir pada NIK tidak valid.")
    else:
        parsed = parse_nik(nik, today=TODAY)
        assert parsed.birth_date == expected_date
        assert parsed.gender == gender


@pytest.mark.parametrize(
    ("birth", "expected"),
    [
        ("150305", date(2005, 3, 15)),
        ("231126", date(2026, 11, 23)),  # today: still 20YY
        ("241126", date(1926, 11, 24)),  # tomorrow in 2026, so 1926
        ("010127", date(1927, 1, 1)),
        ("150399", date(1999, 3, 15)),
        ("010100", date(2000, 1, 1)),
    ],
)
def test_parse_nik_century(birth: str, expected: date) -> None:
    assert parse_nik(make_nik(birth=birth), today=TODAY).birth_date == expected


def test_parse_nik_century_depends_on_today() -> None:
    nik = make_nik(birth="150325")
    assert parse_nik(nik, today=date(2025, 3, 15)).birth_date == date(2025, 3, 15)
    assert parse_nik(nik, today=date(2025, 3, 14)).birth_date == date(1925, 3, 15)


NIK_DAY_MESSAGE = (
    "Tanggal lahir pada NIK harus 01–31 (laki-laki) atau 41–71 (perempuan)."
)


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (make_nik()[:-1], "NIK harus 16 digit."),
        (make_nik() + "1", "NIK harus 16 digit."),
        (make_nik()[:-1] + "O", "NIK hanya boleh berisi angka."),
        ("", "NIK wajib diisi."),
        (make_nik(birth="000385"), NIK_DAY_MESSAGE),
        (make_nik(birth="320385"), NIK_DAY_MESSAGE),
        (make_nik(birth="400385"), NIK_DAY_MESSAGE),
        (make_nik(birth="720385"), NIK_DAY_MESSAGE),
        (make_nik(birth="990385"), NIK_DAY_MESSAGE),
        (make_nik(birth="150085"), "Bulan lahir pada NIK tidak valid."),
        (make_nik(birth="151385"), "Bulan lahir pada NIK tidak valid."),
        (make_nik(birth="300285"), "Tanggal lahir pada NIK tidak valid."),
        (make_nik(birth="310485"), "Tanggal lahir pada NIK tidak valid."),
        (make_nik(birth="700285"), "Tanggal lahir pada NIK tidak valid."),
        (make_nik(region="001601"), "Kode provinsi pada NIK tidak valid."),
        (make_nik(region="101601"), "Kode provinsi pada NIK tidak valid."),
        (make_nik(region="320001"), "Kode kabupaten/kota pada NIK tidak valid."),
        (make_nik(region="321600"), "Kode kecamatan pada NIK tidak valid."),
        (make_nik(seq="0000"), "Nomor urut pada NIK tidak boleh 0000."),
    ],
)
def test_parse_nik_rejects(raw: str, message: str) -> None:
    with pytest.raises(IdentityError) as exc_info:
        parse_nik(raw, today=TODAY)
    assert_error(exc_info, message)


@pytest.mark.parametrize("region", ["110101", "991234"])
def test_parse_nik_province_bounds(region: str) -> None:
    assert parse_nik(make_nik(region=region), today=TODAY).province == region[:2]


def test_parse_nik_strips_separators() -> None:
    assert parse_nik("32.16.01 150385-0001", today=TODAY).digits == "3216011503850001"


# --- NPWP --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("012345678901000", "0012345678901000"),
        ("01.234.567.8-901.000", "0012345678901000"),
        ("91.234.567.8-901.123", "0912345678901123"),
        ("3216011503850001", "3216011503850001"),
        ("3216 0115 0385 0001", "3216011503850001"),
        ("0012345678901000", "0012345678901000"),
    ],
)
def test_normalize_npwp(raw: str, expected: str) -> None:
    assert normalize_npwp(raw) == expected


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("01234567890100", "NPWP harus 15 atau 16 digit."),
        ("32160115038500011", "NPWP harus 15 atau 16 digit."),
        ("01.234.567.8-901.00A", "NPWP hanya boleh berisi angka."),
        ("01/234/567/8/901/000", "NPWP hanya boleh berisi angka."),
        ("", "NPWP wajib diisi."),
    ],
)
def test_normalize_npwp_rejects(raw: str, message: str) -> None:
    with pytest.raises(IdentityError) as exc_info:
        normalize_npwp(raw)
    assert_error(exc_info, message)


@pytest.mark.parametrize(
    ("digits16", "formatted"),
    [
        ("0012345678901000", "01.234.567.8-901.000"),
        ("0912345678901123", "91.234.567.8-901.123"),
        ("3216011503850001", "3216 0115 0385 0001"),
    ],
)
def test_format_npwp_round_trip(digits16: str, formatted: str) -> None:
    assert format_npwp(digits16) == formatted
    assert normalize_npwp(formatted) == digits16


def test_format_npwp_rejects_wrong_length() -> None:
    with pytest.raises(IdentityError):
        format_npwp("12345")


# --- NIB ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("1234567890123", "1234567890123"),
        ("1234 5678 90123", "1234567890123"),
        ("0220001234567", "0220001234567"),  # leading zero must survive
    ],
)
def test_normalize_nib(raw: str, expected: str) -> None:
    assert normalize_nib(raw) == expected


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("123456789012", "NIB harus 13 digit."),
        ("12345678901234", "NIB harus 13 digit."),
        ("123456789012A", "NIB hanya boleh berisi angka."),
    ],
)
def test_normalize_nib_rejects(raw: str, message: str) -> None:
    with pytest.raises(IdentityError) as exc_info:
        normalize_nib(raw)
    assert_error(exc_info, message)


# --- Phone -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("0812-3456-7890", "6281234567890"),
        ("+62 812 3456 7890", "6281234567890"),
        ("6281234567890", "6281234567890"),
        ("0812.3456.7890", "6281234567890"),
        (" +6281234567890 ", "6281234567890"),
        ("081234567", "6281234567"),  # 10 digits, the minimum
        ("08123456789012", "628123456789012"),  # 15 digits, the maximum
    ],
)
def test_normalize_phone(raw: str, expected: str) -> None:
    assert normalize_phone(raw) == expected


NOT_MOBILE = "Nomor telepon harus nomor seluler Indonesia (diawali 08, 628, atau +628)."
PHONE_LENGTH = "Nomor telepon harus 10–15 digit termasuk kode negara 62."


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("08123456", PHONE_LENGTH),  # 9 digits after normalisation
        ("081234567890123", PHONE_LENGTH),  # 16 digits
        ("6281234567890123", PHONE_LENGTH),
        ("021-1234567", NOT_MOBILE),  # Jakarta landline
        ("+1 555 123 4567", NOT_MOBILE),
        ("+62 0812 3456 7890", NOT_MOBILE),  # trunk 0 kept after country code
        ("+0812 3456 7890", NOT_MOBILE),
        ("812 3456 7890", NOT_MOBILE),
        ("0062 812 3456 7890", NOT_MOBILE),
        ("0812-3456-789O", "Nomor telepon hanya boleh berisi angka."),
        ("(0812) 3456 7890", "Nomor telepon hanya boleh berisi angka."),
        ("0812+3456+7890", "Nomor telepon hanya boleh berisi angka."),
        ("++6281234567890", "Nomor telepon hanya boleh berisi angka."),
        ("", "Nomor telepon wajib diisi."),
        ("+", "Nomor telepon wajib diisi."),
    ],
)
def test_normalize_phone_rejects(raw: str, message: str) -> None:
    with pytest.raises(IdentityError) as exc_info:
        normalize_phone(raw)
    assert_error(exc_info, message)


# --- Bank account ------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("123-456-7890", "1234567890"),
        ("0123 4567 89", "0123456789"),
        ("123456", "123456"),  # minimum length
        ("1" * 20, "1" * 20),  # maximum length
    ],
)
def test_normalize_bank_account(raw: str, expected: str) -> None:
    assert normalize_bank_account(raw) == expected


BANK_LENGTH = "Nomor rekening harus 6–20 digit."


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("12345", BANK_LENGTH),
        ("1" * 21, BANK_LENGTH),
        ("12345A789", "Nomor rekening hanya boleh berisi angka."),
        ("", "Nomor rekening wajib diisi."),
    ],
)
def test_normalize_bank_account_rejects(raw: str, message: str) -> None:
    with pytest.raises(IdentityError) as exc_info:
        normalize_bank_account(raw)
    assert_error(exc_info, message)


# --- mask --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("digits", "keep", "expected"),
    [
        ("3216011503850001", 4, "************0001"),
        ("3216011503850001", 6, "**********850001"),
        ("3216011503850001", 0, "****************"),
        ("123", 4, "123"),
        ("1234", 4, "1234"),
        ("", 4, ""),
        ("1234", -2, "****"),
    ],
)
def test_mask(digits: str, keep: int, expected: str) -> None:
    assert mask(digits, keep) == expected


def test_mask_default_keeps_last_four() -> None:
    assert mask("6281234567890") == "*********7890"


# --- WTForms validators ------------------------------------------------------


def run_form(validator: object, raw: str | None, **extra: str) -> StringField:
    """Validate a one-field ``wtforms.Form`` and return the bound field."""

    class _Form(Form):
        value = StringField(validators=[validator])

    data = MultiDict({"value": raw} if raw is not None else {})
    data.update(extra)
    form = _Form(data)
    form.validate()
    return form.value


@pytest.mark.parametrize(
    ("validator", "raw", "expected"),
    [
        (validators.NIP(), "19850315 201001 1 001", "198503152010011001"),
        (validators.NIK(), "32.16.01.150385.0001", "3216011503850001"),
        (validators.NPWP(), "01.234.567.8-901.000", "0012345678901000"),
        (validators.NIB(), "1234 5678 90123", "1234567890123"),
        (validators.Phone(), "+62 812-3456-7890", "6281234567890"),
        (validators.BankAccount(), "123-456-7890", "1234567890"),
    ],
)
def test_validator_normalizes_field_data(
    validator: object, raw: str, expected: str
) -> None:
    field = run_form(validator, raw)
    assert field.errors == []
    assert field.data == expected


@pytest.mark.parametrize(
    ("validator", "raw", "message"),
    [
        (validators.NIP(), "19850230 201001 1 001", "Tanggal lahir pada NIP tidak valid."),
        (validators.NIP(), "1985031520100110", "NIP harus 18 digit."),
        (validators.NIK(), "3216011503850000", "Nomor urut pada NIK tidak boleh 0000."),
        (validators.NPWP(), "01234567890100", "NPWP harus 15 atau 16 digit."),
        (validators.NIB(), "12345678901A3", "NIB hanya boleh berisi angka."),
        (validators.Phone(), "021-1234567", NOT_MOBILE),
        (validators.BankAccount(), "12345", BANK_LENGTH),
        (validators.NIK(), None, "NIK wajib diisi."),
    ],
)
def test_validator_reports_error(validator: object, raw: str | None, message: str) -> None:
    field = run_form(validator, raw)
    assert field.errors == [message]
    assert all(type(error) is str for error in field.errors)
    assert field.data == raw  # left untouched on failure


class PppkForm(Form):
    nip = StringField(validators=[validators.NIP(allow_pppk_field="is_pppk")])
    is_pppk = BooleanField()


@pytest.mark.parametrize(
    ("data", "valid", "errors"),
    [
        ({"nip": PPPK_NIP, "is_pppk": "y"}, True, []),
        ({"nip": PPPK_NIP}, False, ["TMT CPNS pada NIP tidak valid."]),
        ({"nip": "19850315-201001-1-001"}, True, []),
        ({"nip": "19850315-201001-1-001", "is_pppk": "y"}, True, []),
    ],
)
def test_nip_validator_pppk_checkbox(
    data: dict[str, str], valid: bool, errors: list[str]
) -> None:
    form = PppkForm(MultiDict(data))
    assert form.validate() is valid
    assert form.nip.errors == errors
    if valid:
        assert form.nip.data == data["nip"].replace("-", "")


def test_nip_validator_missing_pppk_field_means_not_allowed() -> None:
    field = run_form(validators.NIP(allow_pppk_field="no_such_field"), PPPK_NIP)
    assert field.errors == ["TMT CPNS pada NIP tidak valid."]


def test_validator_with_optional_skips_empty_input() -> None:
    class _Form(Form):
        nik = StringField(validators=[Optional(), validators.NIK()])

    form = _Form(MultiDict({"nik": ""}))
    assert form.validate()
    assert form.nik.data == ""

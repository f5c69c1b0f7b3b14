"""Forms for UMKM registration, the shop profile, certificates and the admin's queue."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import BooleanField, DateField, EmailField, PasswordField, SelectField, StringField, TelField, \
    TextAreaField
from wtforms.validators import DataRequired, EqualTo, Length, NumberRange, Optional, ValidationError

from bebeli import validators
from bebeli.catalog.forms import IMAGE_ACCEPT
from bebeli.forms import BaseForm, PlainForm, RupiahField
from bebeli.regions import find_kecamatan, kecamatan_choices
from bebeli.sellers.models import CertificateKind, ShopStatus
from bebeli.sellers.services import CERTIFICATE_LABELS, STATUS_LABELS, CertificateInput, ShopProfile

OUTSIDE_REGION = "luar-wilayah"
_NUMERIC = {"inputmode": "numeric", "autocomplete": "off"}


def has_upload(field) -> bool:
    return bool(getattr(field.data, "filename", ""))


def read_upload(field) -> bytes | None:
    """The uploaded file's bytes, or None when nothing was chosen."""
    return field.data.read() if has_upload(field) else None


class ShopProfileForm(BaseForm):
    name = StringField(_l("Nama usaha / toko"), validators=[DataRequired(), Length(max=120)])
    description = TextAreaField(_l("Deskripsi singkat usaha"), validators=[Optional(), Length(max=2000)],
                                render_kw={"rows": 3})
    owner_name = StringField(_l("Nama pemilik (sesuai KTP)"), validators=[DataRequired(), Length(max=120)],
                             render_kw={"autocomplete": "name"})
    nik = StringField("NIK", validators=[validators.NIK()], render_kw=_NUMERIC)
    nib = StringField(_l("NIB (13 digit, dari OSS)"), validators=[validators.NIB()], render_kw=_NUMERIC)
    npwp = StringField(_l("NPWP (15 atau 16 digit, boleh dengan titik dan strip)"),
                       validators=[Optional(), validators.NPWP()], render_kw=_NUMERIC)
    is_pkp = BooleanField(_l("Pengusaha Kena Pajak (PKP): saya memungut PPN"))
    address = StringField(_l("Alamat usaha (jalan, nomor, RT/RW)"), validators=[DataRequired(), Length(max=255)],
                          render_kw={"autocomplete": "street-address"})
    kecamatan = SelectField(_l("Kecamatan"), validators=[DataRequired()])
    kelurahan = SelectField(_l("Kelurahan / desa"), validate_choice=False,
                            render_kw={"data-dependent-select": "", "data-parent": "kecamatan"})
    outside_area = StringField(_l("Kecamatan dan kabupaten/kota (bila di luar wilayah)"),
                               validators=[Length(max=80)])
    phone = TelField(_l("Nomor WhatsApp"), validators=[validators.Phone()],
                     render_kw={"autocomplete": "tel", "inputmode": "tel"})
    bank_name = StringField(_l("Nama bank"), validators=[DataRequired(), Length(max=60)])
    bank_account_number = StringField(_l("Nomor rekening"), validators=[validators.BankAccount()], render_kw=_NUMERIC)
    bank_account_name = StringField(_l("Nama pemilik rekening"), validators=[DataRequired(), Length(max=120)])
    logo = FileField(_l("Logo usaha (JPEG/PNG/WebP, maks. 5 MB)"),
                     render_kw={"accept": IMAGE_ACCEPT, "data-preview": "logo-preview"})
    offers_pickup = BooleanField(_l("Pembeli dapat mengambil sendiri"), default=True)
    offers_delivery = BooleanField(_l("Toko mengantar pesanan"), default=True)
    delivery_fee = RupiahField(_l("Ongkos antar per pesanan (Rp)"), default=0,
                               validators=[Optional(), NumberRange(min=0, max=1_000_000)],
                               render_kw={"inputmode": "numeric"})

    def __init__(self, *args, kelurahan_source: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.kecamatan.choices = [("", _l("Pilih kecamatan…")), *kecamatan_choices(),
                                  (OUTSIDE_REGION, _l("Di luar wilayah ini"))]
        found = find_kecamatan(self.kecamatan.data)
        self.kelurahan.choices = [("", _l("Pilih kelurahan/desa…"))] + (
            [(k.name, k.name) for k in found.kelurahan] if found else [])
        self.kelurahan.render_kw = {**self.kelurahan.render_kw, "data-source": kelurahan_source,
                                    "data-placeholder": str(_l("Pilih kelurahan/desa…"))}

    def load_shop(self, shop) -> None:
        """Fill what `obj=shop` cannot (GET of the edit page)."""
        if find_kecamatan(shop.kecamatan) is None:
            self.kecamatan.data, self.outside_area.data = OUTSIDE_REGION, shop.kecamatan
        self.delivery_fee.data = shop.delivery_fee_amount

    def validate_kelurahan(self, field):
        if self.kecamatan.data == OUTSIDE_REGION:
            return
        found = find_kecamatan(self.kecamatan.data)
        if found is not None and found.find_kelurahan(field.data) is None:
            raise ValidationError(_l("Pilih kelurahan/desa dari daftar."))

    def validate_outside_area(self, field):
        if self.kecamatan.data == OUTSIDE_REGION and not (field.data or "").strip():
            raise ValidationError(_l("Tuliskan kecamatan dan kabupaten/kota alamat usaha."))

    def profile(self, shop=None) -> ShopProfile:
        """The form's data as a ShopProfile; fields removed from a locked form keep the shop's values."""
        def value(name):
            return self[name].data if name in self else getattr(shop, name)

        outside = self.kecamatan.data == OUTSIDE_REGION
        return ShopProfile(
            name=self.name.data, owner_name=value("owner_name"), nik=value("nik"), nib=value("nib"),
            npwp=value("npwp") or None, is_pkp=bool(value("is_pkp")), address=self.address.data,
            kecamatan="" if outside else self.kecamatan.data, kelurahan=None if outside else self.kelurahan.data,
            outside_area=self.outside_area.data.strip() if outside else None, phone=self.phone.data,
            bank_name=value("bank_name"), bank_account_number=value("bank_account_number"),
            bank_account_name=value("bank_account_name"), description=self.description.data or None,
            offers_pickup=self.offers_pickup.data, offers_delivery=self.offers_delivery.data,
            delivery_fee_amount=self.delivery_fee.data or 0,
        )


class RegistrationForm(ShopProfileForm):
    email = EmailField(_l("Email (untuk masuk)"), validators=[DataRequired(), Length(max=254), validators.EmailAddress()],
                       render_kw={"autocomplete": "email"})
    password = PasswordField(_l("Kata sandi"), validators=[DataRequired(), Length(max=200)],
                             render_kw={"autocomplete": "new-password"})
    confirm = PasswordField(_l("Ulangi kata sandi"),
                            validators=[DataRequired(), EqualTo("password", _l("Kata sandi tidak sama."))],
                            render_kw={"autocomplete": "new-password"})
    # Certificate fields (<kind>_number, <kind>_expires_on, <kind>_document) are added below.

    def certificate_fields(self) -> list[tuple]:
        """(kind, number, expires_on, document) fields for each certificate kind."""
        return [(kind, self[f"{kind.value}_number"], self[f"{kind.value}_expires_on"], self[f"{kind.value}_document"])
                for kind in CertificateKind]

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        for _, number, expires_on, document in self.certificate_fields():
            if not (number.data or "").strip() and (expires_on.data or has_upload(document)):
                number.errors.append(str(_l("Isi nomor sertifikat.")))
                valid = False
        return valid

    def certificates(self) -> list[CertificateInput]:
        return [CertificateInput(kind, number.data, expires_on.data, read_upload(document))
                for kind, number, expires_on, document in self.certificate_fields() if (number.data or "").strip()]


# Top-level fields, not sub-forms: uploads only reach a form's own file fields (BaseForm).
for _kind in CertificateKind:
    setattr(RegistrationForm, f"{_kind.value}_number", StringField(
        _l("Nomor %(kind)s", kind=CERTIFICATE_LABELS[_kind]), validators=[Optional(), Length(max=60)]))
    setattr(RegistrationForm, f"{_kind.value}_expires_on", DateField(_l("Berlaku sampai"), validators=[Optional()]))
    setattr(RegistrationForm, f"{_kind.value}_document", FileField(
        _l("Foto/pindaian sertifikat %(kind)s", kind=CERTIFICATE_LABELS[_kind]), render_kw={"accept": IMAGE_ACCEPT}))


class CertificateForm(BaseForm):
    kind = SelectField(_l("Jenis sertifikat"), choices=[(k.value, v) for k, v in CERTIFICATE_LABELS.items()])
    number = StringField(_l("Nomor"), validators=[DataRequired(), Length(max=60)])
    expires_on = DateField(_l("Berlaku sampai (kosongkan bila tanpa batas)"), validators=[Optional()])
    document = FileField(_l("Foto/pindaian sertifikat"), render_kw={"accept": IMAGE_ACCEPT})

    def certificate(self) -> CertificateInput:
        return CertificateInput(CertificateKind(self.kind.data), self.number.data, self.expires_on.data,
                                read_upload(self.document))


class ShopFilterForm(PlainForm):
    status = SelectField(_l("Status"), default=ShopStatus.PENDING.value, validate_choice=False,
                         choices=[(s.value, label) for s, label in STATUS_LABELS.items()] + [("semua", _l("Semua"))])
    lokal = SelectField(_l("Lokasi"), validate_choice=False, choices=[
        ("", _l("Semua")), ("ya", _l("UMKM lokal")), ("tidak", _l("Di luar wilayah"))])
    sertifikat = BooleanField(_l("Sertifikat kedaluwarsa"))
    q = StringField(_l("Nama, NIK atau NIB"), validators=[Optional(), Length(max=120)])

"""Forms of the directory screens. Field rules come from services, so a form and an imported
spreadsheet cell accept and reject exactly the same values."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from bebeli.forms import BaseForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import BooleanField, DateField, EmailField, SelectField, StringField
from wtforms.validators import Length, Optional, ValidationError

from bebeli.directory.models import AgencyKind, Echelon
from bebeli.directory.normalize import (
    clean_text,
    normalize_agency_code,
    normalize_agency_name,
    normalize_email,
    normalize_name,
    normalize_position,
    normalize_rank,
    normalize_tpp,
)
from bebeli.directory.services import AgencyData, AsnData
from bebeli.errors import DomainError, ValidationFailed
from bebeli.ids import id_coerce
from bebeli.validators import NIP

ECHELON_LABELS = {
    Echelon.STAF: _l("Staf / non-eselon"),
    Echelon.IV: _l("Eselon IV"),
    Echelon.III: _l("Eselon III"),
    Echelon.II: _l("Eselon II"),
    Echelon.I: _l("Eselon I"),
}
KIND_LABELS = {
    AgencyKind.SEKRETARIAT: _l("Sekretariat"),
    AgencyKind.DINAS: _l("Dinas"),
    AgencyKind.BADAN: _l("Badan"),
    AgencyKind.INSPEKTORAT: _l("Inspektorat"),
    AgencyKind.KECAMATAN: _l("Kecamatan"),
    AgencyKind.KELURAHAN: _l("Kelurahan/desa"),
    AgencyKind.RSUD: _l("RSUD"),
    AgencyKind.LAINNYA: _l("Lainnya"),
}


class Normalized:
    """Run a directory field rule: the field's data becomes the stored value, or the rule's
    message becomes the field's error."""

    def __init__(self, rule):
        self.rule = rule

    def __call__(self, form, field):
        try:
            field.data = self.rule(field.data)
        except ValidationFailed as error:
            raise ValidationError(str(error.message)) from None


def _optional_int(value):
    return id_coerce(value) if value not in (None, "", "None") else None


def show_error(form: BaseForm, error: DomainError) -> None:
    """Put a service's refusal next to the field it names, else at the top of the form."""
    field = form._fields.get(error.details.get("field", ""))
    (field.errors if field is not None else form.form_errors).append(str(error.message))


class AsnForm(BaseForm):
    nip = StringField(_l("NIP"), validators=[NIP(allow_pppk_field="is_pppk")],
                      render_kw={"inputmode": "numeric", "autocomplete": "off"})
    is_pppk = BooleanField(_l("PPPK (pegawai dengan perjanjian kerja)"))
    name = StringField(_l("Nama lengkap"), validators=[Normalized(normalize_name)], render_kw={"autocomplete": "off"})
    email = EmailField(_l("Email"), validators=[Normalized(normalize_email)], render_kw={"autocomplete": "off"})
    agency_id = SelectField(_l("Perangkat daerah"), coerce=int)
    rank = StringField(_l("Pangkat/golongan"), validators=[Normalized(normalize_rank)],
                       render_kw={"placeholder": "III/a"})
    echelon = SelectField(_l("Eselon"), coerce=Echelon, choices=list(ECHELON_LABELS.items()))
    position = StringField(_l("Jabatan"), validators=[Normalized(normalize_position)])
    tpp_amount = StringField(_l("TPP per bulan (Rp)"), validators=[Normalized(normalize_tpp)],
                             render_kw={"inputmode": "numeric", "placeholder": "4.500.000"})
    active_from = DateField(_l("Aktif sejak"), validators=[Optional()])

    def __init__(self, *args, agencies=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.agency_id.choices = [(a.id, f"{a.name} ({a.code})") for a in agencies]

    def to_data(self) -> AsnData:
        return AsnData(
            nip=self.nip.data, name=self.name.data, email=self.email.data, agency_id=self.agency_id.data,
            is_pppk=self.is_pppk.data, rank=self.rank.data, echelon=self.echelon.data,
            position=self.position.data, tpp_amount=self.tpp_amount.data, active_from=self.active_from.data,
        )


class AgencyForm(BaseForm):
    code = StringField(_l("Kode"), validators=[Normalized(normalize_agency_code)],
                       render_kw={"autocapitalize": "characters", "placeholder": "DISDIK"})
    name = StringField(_l("Nama"), validators=[Normalized(normalize_agency_name)])
    kind = SelectField(_l("Jenis"), coerce=AgencyKind, choices=list(KIND_LABELS.items()))
    parent_id = SelectField(_l("Induk"), coerce=_optional_int)
    address = StringField(_l("Alamat"), validators=[Length(max=255)], filters=[clean_text])
    kecamatan = StringField(_l("Kecamatan"), validators=[Length(max=80)], filters=[clean_text])

    def __init__(self, *args, parents=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.parent_id.choices = [("", _l("— Tidak ada —"))] + [(a.id, f"{a.name} ({a.code})") for a in parents]

    def to_data(self) -> AgencyData:
        return AgencyData(code=self.code.data, name=self.name.data, kind=self.kind.data,
                          parent_id=self.parent_id.data, address=self.address.data or None,
                          kecamatan=self.kecamatan.data or None)


class ImportForm(BaseForm):
    file = FileField(
        _l("Berkas CSV atau XLSX"),
        validators=[FileRequired(_l("Pilih berkas untuk diunggah.")),
                    FileAllowed(["csv", "xlsx"], _l("Unggah berkas .csv atau .xlsx."))],
        render_kw={"accept": ".csv,.xlsx"},
    )

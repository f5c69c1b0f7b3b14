"""Forms for quota policies and exemptions."""
from __future__ import annotations

import re
from datetime import date

from flask_babel import lazy_gettext as _l
from wtforms import DateField, RadioField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from bebeli.directory.models import Echelon
from bebeli.forms import BaseForm, RupiahField
from bebeli.ids import id_coerce
from bebeli.money import percent
from bebeli.quotas.models import ExemptionReason, MinimumKind

ECHELON_LABELS = {
    Echelon.STAF: _l("Staf / pelaksana"),
    Echelon.IV: _l("Eselon IV"),
    Echelon.III: _l("Eselon III"),
    Echelon.II: _l("Eselon II"),
    Echelon.I: _l("Eselon I"),
}

REASON_LABELS = {
    ExemptionReason.LEAVE: _l("Cuti"),
    ExemptionReason.TRANSFER: _l("Mutasi"),
    ExemptionReason.SICK: _l("Sakit"),
    ExemptionReason.OTHER: _l("Lainnya"),
}

MINIMUM_LABELS = {
    MinimumKind.BY_RANK: _l("Nilai tetap menurut eselon"),
    MinimumKind.TPP_PERCENT: _l("Persentase dari TPP"),
    MinimumKind.NONE: _l("Tanpa minimum"),
}

_MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
_PERCENT = re.compile(r"^\d{1,3}([.,]\d{1,2})?$")


def percent_to_basis_points(text: str) -> int:
    """`10` → 1000, `2,5` → 250 (whole basis points only, no floats)."""
    text = text.strip().replace(",", ".")
    if not _PERCENT.match(text):
        raise ValueError(text)
    whole, _, fraction = text.partition(".")
    return int(whole) * 100 + int((fraction + "00")[:2])


class PolicyForm(BaseForm):
    name = StringField(_l("Nama kebijakan"), validators=[DataRequired(), Length(max=120)])
    effective_from = StringField(_l("Berlaku mulai bulan"), validators=[DataRequired()],
                                 render_kw={"type": "month", "placeholder": "2026-01"})
    minimum_kind = RadioField(_l("Belanja minimum bulanan"), choices=[(k.value, v) for k, v in MINIMUM_LABELS.items()],
                              default=MinimumKind.BY_RANK.value)
    rank_staf = RupiahField(ECHELON_LABELS[Echelon.STAF], render_kw={"inputmode": "numeric"})
    rank_iv = RupiahField(ECHELON_LABELS[Echelon.IV], render_kw={"inputmode": "numeric"})
    rank_iii = RupiahField(ECHELON_LABELS[Echelon.III], render_kw={"inputmode": "numeric"})
    rank_ii = RupiahField(ECHELON_LABELS[Echelon.II], render_kw={"inputmode": "numeric"})
    rank_i = RupiahField(ECHELON_LABELS[Echelon.I], render_kw={"inputmode": "numeric"})
    tpp_percent = StringField(_l("Persentase TPP (%)"), validators=[Optional()],
                              render_kw={"inputmode": "decimal", "placeholder": "10"})
    ceiling_amount = RupiahField(_l("Batas atas per ASN per bulan (opsional)"), render_kw={"inputmode": "numeric"})
    agency_target_amount = RupiahField(_l("Target belanja per perangkat daerah per bulan (opsional)"),
                                       render_kw={"inputmode": "numeric"})
    coverage = SelectField(_l("Berlaku untuk"), choices=[
        ("all", _l("Semua ASN")), ("chosen", _l("ASN pada perangkat daerah terpilih"))], default="all")
    agency_ids = SelectMultipleField(_l("Perangkat daerah"), coerce=id_coerce, validate_choice=False,
                                     render_kw={"size": 8})
    note = TextAreaField(_l("Catatan (dasar hukum, keterangan)"), validators=[Optional(), Length(max=2000)])

    def rank_fields(self):
        return [(e, getattr(self, f"rank_{e.value}")) for e in Echelon]

    def validate_effective_from(self, field):
        if not _MONTH.match(field.data or ""):
            raise ValidationError(_l("Pilih bulan dalam format TTTT-BB, misalnya 2026-01."))

    def validate_tpp_percent(self, field):
        if field.data:
            try:
                percent_to_basis_points(field.data)
            except ValueError:
                raise ValidationError(_l("Tulis persentase seperti 10 atau 2,5.")) from None

    def effective_month(self) -> date:
        year, month = (int(p) for p in self.effective_from.data.split("-"))
        return date(year, month, 1)

    def service_kwargs(self) -> dict:
        return {
            "name": self.name.data,
            "effective_from": self.effective_month(),
            "minimum_kind": MinimumKind(self.minimum_kind.data),
            "rank_amounts": {e: f.data for e, f in self.rank_fields()},
            "tpp_basis_points": percent_to_basis_points(self.tpp_percent.data) if self.tpp_percent.data else None,
            "ceiling_amount": self.ceiling_amount.data,
            "agency_target_amount": self.agency_target_amount.data,
            "applies_to_all": self.coverage.data == "all",
            "agency_ids": list(self.agency_ids.data or []),
            "note": self.note.data,
        }

    def fill_from(self, policy) -> None:
        self.name.data = policy.name
        self.effective_from.data = policy.effective_from.strftime("%Y-%m")
        self.minimum_kind.data = policy.minimum_kind.value
        for echelon, field in self.rank_fields():
            field.data = policy.amount_for(echelon)
        self.tpp_percent.data = percent(policy.tpp_basis_points, places=2, sign=False, none="")
        self.ceiling_amount.data = policy.ceiling_amount
        self.agency_target_amount.data = policy.agency_target_amount
        self.coverage.data = "all" if policy.applies_to_all else "chosen"
        self.agency_ids.data = [a.id for a in policy.agencies]
        self.note.data = policy.note


class ExemptionForm(BaseForm):
    starts_on = DateField(_l("Mulai"), validators=[DataRequired(message=_l("Isi tanggal mulai."))])
    ends_on = DateField(_l("Sampai dengan"), validators=[DataRequired(message=_l("Isi tanggal selesai."))])
    reason = SelectField(_l("Alasan"), choices=[(k.value, v) for k, v in REASON_LABELS.items()])
    note = StringField(_l("Keterangan"), validators=[Optional(), Length(max=255)])

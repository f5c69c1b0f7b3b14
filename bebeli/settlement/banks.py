"""Bank codes for the bulk-transfer file: a shop types its bank's name freely ("Bank BJB",
"bjb", "BANK RAKYAT INDONESIA"), the bank's file wants the clearing code (BI's three digits).

A name that matches none of them gives no code: the payout is still made, its code column
stays empty and the batch page flags it for the administrator to fill in at the bank.
"""
from __future__ import annotations

import csv
import io
import re

from flask_babel import format_datetime
from flask_babel import gettext as _

from bebeli.db import utcnow
from bebeli.money import rupiah
from bebeli.pdf import Document

# code → the names people write for the bank (compared lowercased, without punctuation, and
# without a leading "bank"/"pt"/"tbk" and the like).
BANKS: dict[str, tuple[str, ...]] = {
    "002": ("bri", "bank rakyat indonesia", "rakyat indonesia"),
    "008": ("mandiri", "bank mandiri"),
    "009": ("bni", "bank negara indonesia", "negara indonesia", "bni 46"),
    "011": ("danamon", "bank danamon", "danamon indonesia"),
    "013": ("permata", "permata bank", "bank permata"),
    "014": ("bca", "bank central asia", "central asia"),
    "022": ("cimb niaga", "cimb", "niaga", "bank cimb niaga"),
    "110": ("bjb", "bank bjb", "bank jabar", "bank jabar banten", "jabar banten", "bpd jabar",
            "bank pembangunan daerah jawa barat dan banten"),
    "200": ("btn", "bank tabungan negara", "tabungan negara"),
    "451": ("bsi", "bank syariah indonesia", "syariah indonesia", "bsm", "bank syariah mandiri"),
}

_NOISE = re.compile(r"\b(pt|tbk|persero|bank|the|kantor cabang|kcp|kc|cabang)\b")
_SPACES = re.compile(r"\s+")
_LOOKUP: dict[str, str] = {}


def _normalise(name: str) -> str:
    text = re.sub(r"[^a-z0-9 ]+", " ", name.lower())
    return _SPACES.sub(" ", _NOISE.sub(" ", text)).strip()


for _code, _names in BANKS.items():
    for _name in _names:
        _LOOKUP[_normalise(_name)] = _code


def bank_code(name: str | None) -> str | None:
    """The clearing code of the bank a shop named, or None when it is not recognised."""
    if not name:
        return None
    text = _normalise(name)
    if not text:
        return None
    if text in _LOOKUP:
        return _LOOKUP[text]
    # "BRI Unit Cikarang", "BCA KCP Lippo": the first word(s) name the bank.
    words = text.split()
    for size in range(min(len(words), 6), 0, -1):
        code = _LOOKUP.get(" ".join(words[:size]))
        if code:
            return code
    return None


# --- the files of a batch ------------------------------------------------------------------------

CSV_COLUMNS = ("kode_bank", "no_rekening", "nama_rekening", "jumlah", "referensi")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _plain(value) -> str:
    """A cell a spreadsheet or a bank's importer reads as text: no formula, no line break."""
    text = " ".join(str(value or "").split())
    return text.lstrip("".join(_FORMULA_START)).strip()


def transfer_csv(payouts) -> bytes:
    """The bulk-transfer file: one row per shop (its transfers still to make), integer rupiah."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for payout in payouts:
        writer.writerow([payout.bank_code or "", _plain(payout.account_number), _plain(payout.account_name),
                         int(payout.amount), payout.reference])
    return out.getvalue().encode("utf-8")


def summary_pdf(batch, payouts, *, labels: dict) -> bytes:
    """The batch on paper, for the officials who sign the transfer order."""
    doc = Document(_("Ringkasan pencairan %(number)s", number=batch.number),
                   footer=_("Dicetak %(at)s", at=format_datetime(utcnow(), "d MMMM yyyy, HH:mm") + " WIB"))
    doc.heading(_("Ringkasan pencairan dana penjual"))
    doc.fields([
        (_("No. batch"), batch.number),
        (_("Periode"), batch.period_key or _("Di luar jadwal")),
        (_("Dibuat"), format_datetime(batch.created_at, "d MMMM yyyy, HH:mm") + " WIB"),
        (_("Jumlah transfer"), str(len(payouts))),
        (_("Total"), rupiah(sum(p.amount for p in payouts))),
    ])
    doc.ln(3)
    rows = [[n, p.shop.name, f"{p.bank_name} ({p.bank_code or '—'})", p.account_number, p.account_name,
             rupiah(p.amount), str(labels.get(p.status, p.status))] for n, p in enumerate(payouts, start=1)]
    doc.grid([_("No"), _("Toko"), _("Bank (kode)"), _("No. rekening"), _("Atas nama"), _("Jumlah"), _("Status")],
             rows, widths=(8, 36, 30, 28, 32, 26, 20),
             align=("CENTER", "LEFT", "LEFT", "LEFT", "LEFT", "RIGHT", "LEFT"))
    doc.totals([(_("Total"), rupiah(sum(p.amount for p in payouts)), True)])
    doc.ln(10)
    doc.columns([(_("Disiapkan oleh"), [(_("Nama / tanda tangan"), "\n\n\n________________________")]),
                 (_("Disetujui oleh"), [(_("Nama / tanda tangan"), "\n\n\n________________________")])])
    return doc.render()

"""Settlement pages (admin): payout batches, their bank file and summary, marking transfers,
the shops with the largest balances (pay one now) and returned transfers."""
from __future__ import annotations

import sqlalchemy as sa
from flask import Response, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from bebeli.auth.permissions import get_or_404, role_required
from bebeli.extensions import db
from bebeli.forms import EmptyForm
from bebeli.handler import perform
from bebeli.ids import page_of
from bebeli.sellers.models import Shop
from bebeli.settlement import bp, ledger, payouts
from bebeli.settlement.banks import summary_pdf, transfer_csv
from bebeli.settlement.forms import AdjustmentForm, MarkPaidForm, MarkReturnedForm
from bebeli.settlement.models import BatchStatus, Payout, PayoutBatch, PayoutStatus

BATCH_LABELS = {BatchStatus.OPEN: _l("Terbuka"), BatchStatus.CLOSED: _l("Selesai")}
PAYOUT_LABELS = {PayoutStatus.PENDING: _l("Menunggu transfer"), PayoutStatus.PAID: _l("Ditransfer"),
                 PayoutStatus.RETURNED: _l("Dikembalikan bank")}



def _admin():
    return current_user._get_current_object()


@bp.get("/admin/pencairan")
@role_required("admin")
def admin_batches():
    return render_template("settlement/admin_batches.html", page=page_of(payouts.batches()), labels=BATCH_LABELS,
                           next_date=payouts.next_payout_date(), minimum=current_app.config["PAYOUT_MINIMUM_AMOUNT"])


@bp.post("/admin/pencairan/buat")
@role_required("admin")
def admin_create_batch():
    if not EmptyForm().validate_on_submit():
        flash(_("Sesi formulir telah kedaluwarsa. Muat ulang halaman dan kirim lagi."), "error")
        return redirect(url_for("settlement.admin_batches"))
    made = {}

    def step():
        made["result"] = payouts.create_batch(actor=_admin())

    perform(step)
    result = made.get("result")
    if result is None:
        return redirect(url_for("settlement.admin_batches"))
    _flash_skipped(result.skipped)
    if not result.batch.payout_count:
        flash(_("Tidak ada saldo tersedia yang mencapai batas minimum; batch kosong dicatat."), "info")
        return redirect(url_for("settlement.admin_batches"))
    flash(_("Batch %(number)s dibuat: %(n)d transfer.", number=result.batch.number, n=result.batch.payout_count),
          "success")
    return redirect(url_for("settlement.admin_batch", batch_id=result.batch.id))


def _flash_skipped(shops) -> None:
    if shops:
        flash(_("Dilewati (belum terverifikasi atau rekening belum lengkap): %(names)s",
                names=", ".join(s.name for s in shops)), "warning")


def _batch_payouts(batch: PayoutBatch) -> list[Payout]:
    return list(db.session.scalars(sa.select(Payout).where(Payout.batch_id == batch.id).order_by(Payout.id)))


@bp.get("/admin/pencairan/<id:batch_id>")
@role_required("admin")
def admin_batch(batch_id):
    batch = get_or_404(PayoutBatch, batch_id)
    rows = _batch_payouts(batch)
    forms = {p.id: (MarkPaidForm(prefix=f"p{p.id}"), MarkReturnedForm(prefix=f"r{p.id}"))
             for p in rows if p.status != PayoutStatus.RETURNED}
    return render_template("settlement/admin_batch.html", batch=batch, payouts=rows, forms=forms,
                           labels=BATCH_LABELS, payout_labels=PAYOUT_LABELS,
                           without_code=[p for p in rows if not p.bank_code])


@bp.get("/admin/pencairan/<id:batch_id>/transfer.csv")
@role_required("admin")
def admin_batch_csv(batch_id):
    batch = get_or_404(PayoutBatch, batch_id)
    rows = [p for p in _batch_payouts(batch) if p.status == PayoutStatus.PENDING]
    return Response(transfer_csv(rows), mimetype="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="transfer-{batch.number}.csv"'})


@bp.get("/admin/pencairan/<id:batch_id>/ringkasan.pdf")
@role_required("admin")
def admin_batch_pdf(batch_id):
    batch = get_or_404(PayoutBatch, batch_id)
    body = summary_pdf(batch, _batch_payouts(batch), labels=PAYOUT_LABELS)
    return Response(body, mimetype="application/pdf",
                    headers={"Content-Disposition": f'inline; filename="ringkasan-{batch.number}.pdf"'})


@bp.post("/admin/pencairan/transfer/<id:payout_id>/dibayar")
@role_required("admin")
def admin_mark_paid(payout_id):
    payout = get_or_404(Payout, payout_id)
    form = MarkPaidForm(prefix=f"p{payout.id}")
    if form.validate_on_submit():
        perform(lambda: payouts.mark_paid(payout, bank_reference=form.bank_reference.data, actor=_admin()),
                done=_("Transfer ke %(shop)s ditandai sudah dibayar.", shop=payout.shop.name))
    else:
        flash(_("Isi nomor referensi dari bank."), "error")
    return redirect(url_for("settlement.admin_batch", batch_id=payout.batch_id))


@bp.post("/admin/pencairan/transfer/<id:payout_id>/dikembalikan")
@role_required("admin")
def admin_mark_returned(payout_id):
    payout = get_or_404(Payout, payout_id)
    form = MarkReturnedForm(prefix=f"r{payout.id}")
    if form.validate_on_submit():
        perform(lambda: payouts.mark_returned(payout, reason=form.reason.data, actor=_admin()),
                done=_("Transfer ke %(shop)s ditandai dikembalikan; dana kembali ke saldo toko.",
                       shop=payout.shop.name))
    else:
        flash(_("Tuliskan alasan pengembalian dari bank."), "error")
    return redirect(url_for("settlement.admin_batch", batch_id=payout.batch_id))


@bp.get("/admin/pencairan/saldo")
@role_required("admin")
def admin_balances():
    page = page_of(payouts.largest_balances())
    available = payouts.available_by_shop([b.shop_id for b in page.items])
    payable = {b.shop_id: payouts.can_receive_payout(b.shop) for b in page.items}
    return render_template("settlement/admin_balances.html", page=page, available=available, payable=payable,
                           minimum=current_app.config["PAYOUT_MINIMUM_AMOUNT"])


@bp.post("/admin/pencairan/toko/<id:shop_id>/bayar")
@role_required("admin")
def admin_pay_shop(shop_id):
    shop = get_or_404(Shop, shop_id)
    if not EmptyForm().validate_on_submit():
        flash(_("Sesi formulir telah kedaluwarsa. Muat ulang halaman dan kirim lagi."), "error")
        return redirect(url_for("settlement.admin_balances"))
    made = {}

    def step():
        made["payout"] = payouts.pay_shop_now(shop, actor=_admin())

    if perform(step, done=_("Pencairan untuk %(shop)s dibuat.", shop=shop.name)):
        return redirect(url_for("settlement.admin_batch", batch_id=made["payout"].batch_id))
    return redirect(url_for("settlement.admin_balances"))


@bp.get("/admin/pencairan/dikembalikan")
@role_required("admin")
def admin_returned():
    return render_template("settlement/admin_returned.html", page=page_of(payouts.returned_payouts()))


@bp.route("/admin/pencairan/toko/<id:shop_id>/penyesuaian", methods=["GET", "POST"])
@role_required("admin")
def admin_adjust(shop_id):
    shop = get_or_404(Shop, shop_id)
    form = AdjustmentForm()
    if form.validate_on_submit():
        amount = form.signed_amount()
        if perform(lambda: ledger.adjust(shop.id, amount, reason=form.reason.data, actor=_admin()),
                   done=_("Saldo %(shop)s disesuaikan.", shop=shop.name)):
            return redirect(url_for("settlement.balance", shop_id=shop.id))
    return render_template("settlement/admin_adjust.html", form=form, shop=shop,
                           balance=ledger.balance_of(shop.id))

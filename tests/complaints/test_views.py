"""The complaint pages with their forms submitted as rendered: the buyer opens one from the
order page, the seller answers, the buyer accepts or escalates, the Dinas decides; other
people's complaints are refused."""
from __future__ import annotations

import io
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app

from bebeli.complaints.models import Complaint, ComplaintStatus
from bebeli.extensions import db
from bebeli.settlement.models import EntryKind, LedgerEntry
from tests.catalog.helpers import image_bytes
from tests.complaints.helpers import delivered, opened
from tests.factories import ShopFactory, admin
from tests.orders.factories import asn_buyer
from tests.pageforms import rendered_form


def _complaint(so_id):
    db.session.expire_all()
    return db.session.scalar(sa.select(Complaint).where(Complaint.seller_order_id == so_id))


def test_the_buyer_opens_a_complaint_from_the_order_page_with_photos(client, ctx):
    so = delivered()
    client.login(so.order.buyer)
    page = client.get(f"/pesanan/{so.order_id}").get_data(as_text=True)
    assert "Ajukan komplain" in page and f"/pesanan/bagian/{so.id}/komplain" in page
    url = f"/pesanan/bagian/{so.id}/komplain"
    form = rendered_form(client.get(url).get_data(as_text=True), url)
    form.choose("kind", "damaged").fill("description", "Toples retak, isi tumpah.")
    data = form.data().to_dict(flat=False)
    data["photos"] = [(io.BytesIO(image_bytes()), "a.png"), (io.BytesIO(image_bytes("JPEG")), "b.jpg")]
    response = client.post(url, data=data, content_type="multipart/form-data")
    complaint = _complaint(so.id)
    assert response.status_code == 302 and response.location.endswith(f"/komplain/{complaint.id}")
    assert complaint.status == ComplaintStatus.AWAITING_SELLER and len(complaint.photos) == 2
    detail = client.get(f"/komplain/{complaint.id}").get_data(as_text=True)
    assert "Toples retak" in detail and "Menunggu jawaban penjual" in detail
    photo = client.get(f"/komplain/foto/{complaint.photos[0].id}")
    assert photo.status_code == 200 and photo.mimetype == "image/webp"
    assert "Lihat komplain" in client.get(f"/pesanan/{so.order_id}").get_data(as_text=True)


def test_past_the_window_the_page_offers_nothing_and_a_post_writes_nothing(client, ctx):
    so = delivered()
    so.delivered_at = so.delivered_at - timedelta(days=current_app.config["COMPLAINT_WINDOW_DAYS"] + 1)
    db.session.commit()
    client.login(so.order.buyer)
    assert "Ajukan komplain" not in client.get(f"/pesanan/{so.order_id}").get_data(as_text=True)
    url = f"/pesanan/bagian/{so.id}/komplain"
    assert 'data-testid="complaint-closed"' in client.get(url).get_data(as_text=True)
    response = client.post_form(url, {"kind": "damaged", "description": "Terlambat"}, page="/akun")
    assert response.status_code == 200 and "sudah lewat" in response.get_data(as_text=True)
    assert _complaint(so.id) is None


def test_seller_answers_with_a_partial_refund_the_buyer_accepts_and_the_ledger_has_it_once(client, other_client, ctx):
    from bebeli import lifecycle
    so = delivered(price=40_000, quantity=2, delivery_fee=10_000)
    lifecycle.confirm_receipt(so, so.order.buyer)
    db.session.commit()
    complaint = opened(so)
    other_client.login(so.shop.owner)
    assert str(so.number) in other_client.get("/toko/komplain").get_data(as_text=True)
    url = f"/toko/komplain/{complaint.id}"
    form = rendered_form(other_client.get(url).get_data(as_text=True), url)
    assert form.options["remedy"] == ["replacement", "partial_refund", "full_refund", "contest"]
    too_much = form.choose("remedy", "partial_refund").fill("amount", "80.001").data()
    assert other_client.post(url, data=too_much).status_code == 200
    assert _complaint(so.id).status == ComplaintStatus.AWAITING_SELLER
    response = other_client.post(url, data=form.fill("amount", "25.000").fill("note", "Maaf, kami ganti uang").data())
    assert response.status_code == 302
    client.login(so.order.buyer)
    detail = f"/komplain/{complaint.id}"
    page = client.get(detail).get_data(as_text=True)
    accept = rendered_form(page, f"{detail}/terima")
    assert client.post(f"{detail}/terima", data=accept.data()).status_code == 302
    assert client.post(f"{detail}/terima", data=accept.data()).status_code == 302   # again: nothing more
    assert _complaint(so.id).outcome_amount == 25_000
    refunds = db.session.scalars(sa.select(LedgerEntry.amount).where(LedgerEntry.seller_order_id == so.id,
                                                                     LedgerEntry.kind == EntryKind.REFUND)).all()
    assert refunds == [-25_000]
    assert 'data-testid="outcome-amount"' in client.get(detail).get_data(as_text=True)


def test_the_buyer_escalates_and_the_admin_decides_with_the_forms_as_rendered(client, other_client, ctx):
    complaint = opened()
    so = complaint.seller_order
    from bebeli.complaints import services
    services.answer_complaint(complaint, so.shop.owner, offer="contest", note="Barang sesuai foto")
    db.session.commit()
    client.login(so.order.buyer)
    detail = f"/komplain/{complaint.id}"
    form = rendered_form(client.get(detail).get_data(as_text=True), f"{detail}/teruskan")
    assert client.post(f"{detail}/teruskan", data=form.data()).status_code == 200   # the reason is required
    assert client.post(f"{detail}/teruskan", data=form.fill("note", "Barang tidak sesuai").data()).status_code == 302
    assert _complaint(so.id).status == ComplaintStatus.ESCALATED
    the_admin = admin()
    db.session.commit()
    other_client.login(the_admin)
    assert str(so.number) in other_client.get("/admin/komplain?status=eskalasi").get_data(as_text=True)
    url = f"/admin/komplain/{complaint.id}"
    decision = rendered_form(other_client.get(url).get_data(as_text=True), url)
    decision.choose("remedy", "full_refund").fill("note", "Terbukti tidak sesuai deskripsi")
    assert other_client.post(url, data=decision.data()).status_code == 302
    resolved = _complaint(so.id)
    assert resolved.status == ComplaintStatus.RESOLVED and resolved.outcome_amount == so.total_amount
    assert resolved.resolved_by_id == the_admin.id


def test_other_peoples_complaints_are_refused(client, ctx):
    complaint = opened()
    stranger = asn_buyer()
    other_seller = ShopFactory().owner
    db.session.commit()
    client.login(stranger)
    assert client.get(f"/komplain/{complaint.id}").status_code == 404
    assert client.post_form(f"/komplain/{complaint.id}/terima", page="/akun").status_code == 404
    assert client.get(f"/pesanan/bagian/{complaint.seller_order_id}/komplain").status_code == 404
    client.logout()
    client.login(other_seller)
    assert client.get(f"/toko/komplain/{complaint.id}").status_code == 404
    assert client.get(f"/komplain/foto/{complaint.id}").status_code == 404
    assert complaint.seller_order.number not in client.get("/toko/komplain").get_data(as_text=True)


def test_the_order_lists_lead_to_the_complaint_lists(client, other_client, ctx):
    so = opened(delivered()).seller_order
    client.login(so.order.buyer)
    mine = client.get("/pesanan/").get_data(as_text=True)
    assert 'href="/komplain"' in mine
    assert str(so.order.number) in client.get("/komplain").get_data(as_text=True)
    other_client.login(so.shop.owner)
    assert 'href="/toko/komplain"' in other_client.get("/pesanan/toko").get_data(as_text=True)

"""The Surat Pesanan, BAST and invoice print the exact tax figures: DPP, PPN, PPh 22, the PPN
the treasurer collects, and the net the seller receives."""
import pytest

from bebeli import lifecycle
from bebeli.orders.models import FulfilmentMethod
from bebeli.procurement import services
from tests.factories import ProductFactory, ShopFactory
from tests.procurement.factories import BudgetLineFactory, agency_order, team
from tests.procurement.pdftext import pdf_lines

TOTAL_LABELS = {"sp": "Nilai Surat Pesanan", "bast": "Nilai barang diterima", "tagihan": "Total tagihan"}


def received_purchase(*, pkp: bool, price: int, quantity: int):
    t = team()
    line = BudgetLineFactory(agency=t.agency, pagu_amount=50_000_000)
    shop = ShopFactory(is_pkp=pkp, delivery_fee_amount=0)
    [purchase] = agency_order(t, line, [(ProductFactory(shop=shop, price_amount=price, stock=100), quantity)])
    services.approve_purchase(purchase, t.ppk)
    services.accept_sp(purchase, shop.owner)
    lifecycle.ship_seller_order(purchase.seller_order, shop.owner, courier="Kurir toko", tracking_number=None)
    services.sign_bast(purchase, t.ppk, rejected={}, note=None)
    return t, purchase


def printed_figures(client, purchase, kind) -> dict[str, str]:
    response = client.get(f"/pengadaan/pesanan/{purchase.id}/{kind}.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    lines = pdf_lines(response.data)
    return {label: amount for label, amount in zip(lines, lines[1:]) if amount.lstrip("-").startswith("Rp\u00a0")}


CASES = [
    # non-PKP, 20 × Rp 175.000: no PPN, PPh 22 1.5% = 52.500, the seller receives 3.447.500
    (dict(pkp=False, price=175_000, quantity=20), {
        "DPP (harga barang tanpa PPN)": "Rp\u00a03.500.000", "PPN 0%": "Rp\u00a00", "TOTAL": "Rp\u00a03.500.000",
        "Dipotong PPh 22 1,5%": "-Rp\u00a052.500", "PPN dipungut bendahara": "Rp\u00a00",
        "Diterima penyedia (neto)": "Rp\u00a03.447.500"}),
    # PKP, Rp 10.000.000 before tax: invoice 11.100.000, treasurer keeps PPN and PPh 22, net 9.850.000
    (dict(pkp=True, price=1_000_000, quantity=10), {
        "DPP (harga barang tanpa PPN)": "Rp\u00a010.000.000", "PPN 11%": "Rp\u00a01.100.000",
        "TOTAL": "Rp\u00a011.100.000",
        "Dipotong PPh 22 1,5%": "-Rp\u00a0150.000", "PPN dipungut bendahara": "-Rp\u00a01.100.000",
        "Diterima penyedia (neto)": "Rp\u00a09.850.000"}),
    # Rp 1.900.000: at most Rp 2.000.000, so no PPh 22
    (dict(pkp=False, price=190_000, quantity=10), {
        "DPP (harga barang tanpa PPN)": "Rp\u00a01.900.000", "PPN 0%": "Rp\u00a00", "TOTAL": "Rp\u00a01.900.000",
        "PPh 22 (tidak dipotong)": "Rp\u00a00", "PPN dipungut bendahara": "Rp\u00a00",
        "Diterima penyedia (neto)": "Rp\u00a01.900.000"}),
]


@pytest.mark.parametrize("purchase_args,expected", CASES, ids=["non-pkp-20x175000", "pkp-10jt", "1.9jt-no-pph22"])
def test_documents_show_exact_tax_figures(client, ctx, purchase_args, expected):
    t, purchase = received_purchase(**purchase_args)
    client.login(t.treasurer)
    for kind, total_label in TOTAL_LABELS.items():
        wanted = {total_label if k == "TOTAL" else k: v for k, v in expected.items()}
        printed = printed_figures(client, purchase, kind)
        assert {k: printed.get(k) for k in wanted} == wanted, kind


def test_the_same_figures_on_the_purchase_page(client, ctx):
    t, purchase = received_purchase(pkp=True, price=1_000_000, quantity=10)
    client.login(t.treasurer)
    html = client.get(f"/pengadaan/pesanan/{purchase.id}").get_data(as_text=True)
    for figure, amount in [("dpp", "Rp\u00a010.000.000"), ("ppn", "Rp\u00a01.100.000"),
                           ("gross", "Rp\u00a011.100.000"), ("pph22", "Rp\u00a0150.000"),
                           ("ppn-withheld", "Rp\u00a01.100.000"), ("net", "Rp\u00a09.850.000")]:
        assert f'data-figure="{figure}">' in html
        assert amount in html.split(f'data-figure="{figure}">', 1)[1].split("</dd>", 1)[0]


def test_documents_are_private_and_only_once_issued(client, other_client, ctx):
    t = team()
    line = BudgetLineFactory(agency=t.agency)
    [purchase] = agency_order(t, line, [(ProductFactory(price_amount=100_000), 1)])
    client.login(t.ppk)
    assert client.get(f"/pengadaan/pesanan/{purchase.id}/sp.pdf").status_code == 404    # not approved yet
    stranger = team()
    other_client.login(stranger.ppk)
    services.approve_purchase(purchase, t.ppk)
    from bebeli.extensions import db

    db.session.commit()
    assert client.get(f"/pengadaan/pesanan/{purchase.id}/sp.pdf").status_code == 200
    assert other_client.get(f"/pengadaan/pesanan/{purchase.id}/sp.pdf").status_code == 404
    other_client.logout()
    other_client.login(purchase.shop.owner)                   # the seller reads its Surat Pesanan
    assert other_client.get(f"/pengadaan/pesanan/{purchase.id}/sp.pdf").status_code == 200
    assert client.get(f"/pengadaan/pesanan/{purchase.id}/tagihan.pdf").status_code == 404  # no BAST yet


def _figures(client, purchase, kind) -> dict[str, str]:
    return {label: amount.replace("\xa0", " ") for label, amount in printed_figures(client, purchase, kind).items()}


def _received(t, line, shop, product, quantity, **order_args):
    purchases = agency_order(t, line, [(product, quantity)], **order_args)
    [purchase] = purchases
    services.approve_purchase(purchase, t.ppk)
    services.accept_sp(purchase, shop.owner)
    lifecycle.ship_seller_order(purchase.seller_order, shop.owner, courier="Kurir toko", tracking_number=None)
    services.sign_bast(purchase, t.ppk, rejected={}, note=None)
    return purchase


def test_the_bast_values_the_goods_apart_from_delivery_and_carries_both_signatures(client, ctx):
    t = team()
    line = BudgetLineFactory(agency=t.agency, pagu_amount=50_000_000)
    shop = ShopFactory(is_pkp=True, delivery_fee_amount=20_000, owner_name="Siti Aminah")
    purchase = _received(t, line, shop, ProductFactory(shop=shop, price_amount=1_000_000, stock=100), 10)
    client.login(t.ppk)
    assert _figures(client, purchase, "bast") == {
        "DPP (harga barang tanpa PPN)": "Rp 10.000.000", "PPN 11%": "Rp 1.100.000",
        "Nilai barang diterima": "Rp 11.100.000",                  # the goods, without delivery
        "Ongkos kirim": "Rp 20.000", "Jumlah termasuk ongkos kirim": "Rp 11.120.000",
        "Dipotong PPh 22 1,5%": "-Rp 150.000", "PPN dipungut bendahara": "-Rp 1.100.000",
        "Diterima penyedia (neto)": "Rp 9.870.000"}
    lines = pdf_lines(client.get(f"/pengadaan/pesanan/{purchase.id}/bast.pdf").data)
    seller_block, ppk_block = lines.index("Yang menyerahkan: Penyedia"), lines.index(
        "Yang menerima: Pejabat Pembuat Komitmen")
    assert shop.name in lines[seller_block:] and "( Siti Aminah )" in lines[seller_block:]
    assert t.ppk.name in lines[ppk_block:] and "Ditandatangani secara elektronik" in lines[ppk_block:]


def test_documents_of_goods_collected_from_the_shop(client, ctx):
    t = team()
    line = BudgetLineFactory(agency=t.agency, pagu_amount=50_000_000)
    shop = ShopFactory(is_pkp=False, delivery_fee_amount=20_000, address="Jl. Industri No. 5", kecamatan="Cibitung")
    product = ProductFactory(shop=shop, price_amount=300_000, stock=100)
    purchase = _received(t, line, shop, product, 10, methods={shop.id: FulfilmentMethod.PICKUP})
    assert purchase.delivery_amount == 0 and purchase.seller_order.delivery_address is None
    client.login(t.ppk)
    sp = pdf_lines(client.get(f"/pengadaan/pesanan/{purchase.id}/sp.pdf").data)
    assert "Diambil sendiri di Jl. Industri No. 5, Cibitung" in sp and "Ongkos kirim" not in sp
    assert _figures(client, purchase, "bast")["Nilai barang diterima"] == "Rp 3.000.000"
    assert "Jumlah termasuk ongkos kirim" not in pdf_lines(client.get(f"/pengadaan/pesanan/{purchase.id}/bast.pdf").data)
    page = client.get(f"/pengadaan/pesanan/{purchase.id}").get_data(as_text=True)
    assert "Jl. Industri No. 5, Cibitung" in page.split('data-testid="handover"')[1].split("</dd>")[0]

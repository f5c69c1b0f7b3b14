"""The Surat Pesanan, BAST and invoice print the exact tax figures: DPP, PPN, PPh 22, the PPN
the treasurer collects, and the net the seller receives."""
import pytest

from bebeli.orders import services as orders
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
    orders.ship_seller_order(purchase.seller_order, shop.owner, courier="Kurir toko", tracking_number=None)
    services.sign_bast(purchase, t.ppk, rejected={}, note=None)
    return t, purchase


def printed_figures(client, purchase, kind) -> dict[str, str]:
    response = client.get(f"/pengadaan/pesanan/{purchase.id}/{kind}.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    lines = pdf_lines(response.data)
    return {label: amount for label, amount in zip(lines, lines[1:]) if amount.lstrip("-").startswith("Rp ")}


CASES = [
    # non-PKP, 20 × Rp 175.000: no PPN, PPh 22 1.5% = 52.500, the seller receives 3.447.500
    (dict(pkp=False, price=175_000, quantity=20), {
        "DPP (harga barang tanpa PPN)": "Rp 3.500.000", "PPN 0%": "Rp 0", "TOTAL": "Rp 3.500.000",
        "Dipotong PPh 22 1,5%": "-Rp 52.500", "PPN dipungut bendahara": "Rp 0",
        "Diterima penyedia (neto)": "Rp 3.447.500"}),
    # PKP, Rp 10.000.000 before tax: invoice 11.100.000, treasurer keeps PPN and PPh 22, net 9.850.000
    (dict(pkp=True, price=1_000_000, quantity=10), {
        "DPP (harga barang tanpa PPN)": "Rp 10.000.000", "PPN 11%": "Rp 1.100.000", "TOTAL": "Rp 11.100.000",
        "Dipotong PPh 22 1,5%": "-Rp 150.000", "PPN dipungut bendahara": "-Rp 1.100.000",
        "Diterima penyedia (neto)": "Rp 9.850.000"}),
    # Rp 1.900.000: at most Rp 2.000.000, so no PPh 22
    (dict(pkp=False, price=190_000, quantity=10), {
        "DPP (harga barang tanpa PPN)": "Rp 1.900.000", "PPN 0%": "Rp 0", "TOTAL": "Rp 1.900.000",
        "PPh 22 (tidak dipotong)": "Rp 0", "PPN dipungut bendahara": "Rp 0",
        "Diterima penyedia (neto)": "Rp 1.900.000"}),
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
    for figure, amount in [("dpp", "Rp 10.000.000"), ("ppn", "Rp 1.100.000"), ("gross", "Rp 11.100.000"),
                           ("pph22", "Rp 150.000"), ("ppn-withheld", "Rp 1.100.000"), ("net", "Rp 9.850.000")]:
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

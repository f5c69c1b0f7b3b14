"""Dashboard, drill-downs and exports through the real pages, and who may see what."""
import csv
import io
from datetime import date, datetime, timedelta, timezone

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from bebeli.audit.models import AuditEvent
from bebeli.auth.models import Role
from bebeli.extensions import db
from bebeli.quotas.models import QuotaExemption, QuotaPolicy
from tests.factories import (
    AgencyFactory,
    AsnFactory,
    CategoryFactory,
    ProductFactory,
    ShopFactory,
    UserFactory,
    admin,
    agency_admin,
)
from tests.quotas.factories import buy, policy

NOV = "2026-11"
PAID = datetime(2026, 11, 12, 3, tzinfo=timezone.utc)


@pytest.fixture
def town(ctx):
    """Two agencies, each with one ASN who bought something in November 2026."""
    policy(effective_from=date(2026, 1, 1))
    home, other = AgencyFactory(name="Dinas Rumah"), AgencyFactory(name="Dinas Tetangga")
    rina = AsnFactory(agency=home, user__name="Rina Rumahan")
    tono = AsnFactory(agency=other, user__name="Tono Tetangga")
    snacks, crafts = CategoryFactory(name="Makanan Ringan"), CategoryFactory(name="Kerajinan")
    buy(rina.user, [(ProductFactory(price_amount=20_000, category=snacks,
                                    shop=ShopFactory(name="Toko Rumah", kecamatan="Tambun Selatan")), 1)], PAID)
    buy(tono.user, [(ProductFactory(price_amount=80_000, category=crafts,
                                    shop=ShopFactory(name="Toko Tetangga", kecamatan="Cibitung")), 1)], PAID)
    return {"home": home, "other": other, "rina": rina, "tono": tono}


def test_admin_dashboard_shows_every_figure_with_charts_and_tables(client, town):
    client.login(admin())
    html = client.get(f"/kuota/?bulan={NOV}").get_data(as_text=True)
    for text in ("Dinas Rumah", "Dinas Tetangga", "Rina Rumahan", "Makanan Ringan", "Cibitung", "Toko Tetangga",
                 "Rp\u00a0100.000", "50%"):
        assert text in html, text
    assert html.count("<svg") == 5 and "style=" not in html
    assert 'data-table="tren"' in html


def test_agency_admin_sees_only_their_agency(client, town):
    client.login(agency_admin(town["home"]))
    html = client.get(f"/kuota/?bulan={NOV}").get_data(as_text=True)
    assert "Rina Rumahan" in html and "Toko Rumah" in html and "Rp\u00a020.000" in html
    for foreign in ("Dinas Tetangga", "Tono Tetangga", "Toko Tetangga", "Cibitung", "Kerajinan", "Rp\u00a080.000"):
        assert foreign not in html, foreign
    other, tono = town["other"], town["tono"]
    assert client.get(f"/kuota/?agency={other.id}").status_code == 404
    assert client.get(f"/kuota/perangkat-daerah/{other.id}").status_code == 404
    assert client.get(f"/kuota/asn/{tono.id}").status_code == 404
    assert client.get(f"/kuota/perangkat-daerah/{town['home'].id}?bulan={NOV}").status_code == 200
    own = client.get(f"/kuota/?bulan={NOV}&agency={town['home'].id}").get_data(as_text=True)
    assert "Rina Rumahan" in own and f"agency={town['home'].id}" in own  # exports keep the filter
    assert client.get(f"/kuota/asn/{town['rina'].id}?bulan={NOV}").status_code == 200


@pytest.mark.parametrize("table", ["perangkat-daerah", "di-bawah-minimum", "kategori", "kecamatan", "penjual",
                                   "tren", "asn"])
def test_agency_admin_exports_hold_only_their_agency(client, town, table):
    client.login(agency_admin(town["home"]))
    body = client.get(f"/kuota/ekspor/{table}.csv?bulan={NOV}").get_data(as_text=True)
    for foreign in ("Dinas Tetangga", "Tono", "Toko Tetangga", "Cibitung", "Kerajinan", "80000"):
        assert foreign not in body, (table, foreign)
    assert client.get(f"/kuota/ekspor/{table}.xlsx?bulan={NOV}&agency={town['other'].id}").status_code == 404
    assert client.get(f"/kuota/ekspor/pembelian.csv?bulan={NOV}&asn={town['tono'].id}").status_code == 404


def test_exports_as_csv_and_xlsx_apply_the_filters(client, town):
    client.login(admin())
    response = client.get(f"/kuota/ekspor/perangkat-daerah.csv?bulan={NOV}")
    assert response.mimetype == "text/csv" and "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.get_data().decode("utf-8-sig"))))
    assert rows[0][:4] == ["Perangkat daerah", "ASN wajib", "Memenuhi minimum", "Capaian (%)"]
    assert {r[0]: r[3] for r in rows[1:]} == {"Dinas Rumah": "0.00", "Dinas Tetangga": "100.00"}

    filtered = client.get(f"/kuota/ekspor/kategori.xlsx?bulan={NOV}&agency={town['other'].id}")
    sheet = load_workbook(io.BytesIO(filtered.get_data())).worksheets[0]
    values = list(sheet.iter_rows(values_only=True))
    assert values[0] == ("Kategori", "Belanja", "Porsi") and values[1][:2] == ("Kerajinan", 80_000)
    assert len(values) == 2


def test_a_seller_supplied_formula_is_exported_as_text(client, town):
    buyer = town["rina"].user
    buy(buyer, [(ProductFactory(shop=ShopFactory(name="=HYPERLINK(\"http://x\")"), price_amount=5_000), 1)], PAID)
    client.login(admin())
    body = client.get(f"/kuota/ekspor/penjual.csv?bulan={NOV}").get_data(as_text=True)
    assert "'=HYPERLINK" in body


def test_drill_down_from_agency_to_asn_to_purchases(client, town):
    client.login(admin())
    board = client.get(f"/kuota/?bulan={NOV}").get_data(as_text=True)
    agency_url = f"/kuota/perangkat-daerah/{town['home'].id}?bulan={NOV}"
    assert agency_url.replace("?", "?") in board.replace("&amp;", "&")
    agency_page = client.get(agency_url).get_data(as_text=True)
    asn_url = f"/kuota/asn/{town['rina'].id}?bulan={NOV}"
    assert asn_url in agency_page.replace("&amp;", "&")
    asn_page = client.get(asn_url).get_data(as_text=True)
    assert "UJI-" in asn_page and "Toko Rumah" in asn_page and "Rp\u00a020.000" in asn_page
    # The drill-down's own filter (only those below the minimum) applies to its export too.
    export = f"/kuota/ekspor/asn.csv?bulan={NOV}&kurang=1&agency="
    assert "Rina Rumahan" in client.get(export + str(town["home"].id)).get_data(as_text=True)
    assert "Tono" not in client.get(export + str(town["other"].id)).get_data(as_text=True)
    assert "Tono" in client.get(export.replace("kurang=1", "kurang=0") + str(town["other"].id)).get_data(as_text=True)


@pytest.mark.parametrize("path", ["/kuota/", "/kuota/kebijakan", "/kuota/ekspor/tren.csv"])
def test_buyers_and_sellers_are_refused(client, ctx, path):
    for user in (AsnFactory().user, UserFactory(roles=[Role.SELLER])):
        client.login(user)
        assert client.get(path).status_code == 403
        client.logout()


def test_only_admins_edit_policies(client, ctx):
    client.login(agency_admin(AgencyFactory()))
    assert client.get("/kuota/kebijakan").status_code == 403
    assert client.get("/kuota/kebijakan/baru").status_code == 403


POLICY_FORM = {
    "name": "Bela Beli Bekasi", "effective_from": "2026-12", "minimum_kind": "by_rank", "rank_staf": "50.000",
    "rank_iv": "75.000", "rank_iii": "Rp 100.000", "rank_ii": "200000", "rank_i": "250.000", "tpp_percent": "",
    "ceiling_amount": "2.000.000", "agency_target_amount": "", "coverage": "all", "note": "Perbup 1/2026",
}


def test_admin_creates_and_edits_a_policy_and_both_are_audited(client, ctx):
    boss = admin()
    client.login(boss)
    response = client.post_form("/kuota/kebijakan/baru", POLICY_FORM)
    assert response.status_code == 302
    created = db.session.scalars(sa.select(QuotaPolicy)).one()
    assert (created.effective_from, created.ceiling_amount, created.amount_for("iii")) == (date(2026, 12, 1),
                                                                                        2_000_000, 100_000)
    edit = dict(POLICY_FORM, minimum_kind="tpp_percent", tpp_percent="2,5", coverage="chosen",
                agency_ids=str(AgencyFactory().id))
    assert client.post_form(f"/kuota/kebijakan/{created.id}", edit).status_code == 302
    db.session.refresh(created)
    assert (created.tpp_basis_points, created.applies_to_all, created.rank_amounts) == (250, False, [])
    events = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.object_type == "quota_policies")
                                .order_by(AuditEvent.id)).all()
    assert [e.action for e in events] == ["quotas.policy_created", "quotas.policy_updated"]
    assert events[1].actor_id == boss.id and events[1].details["before"]["minimum_kind"] == "by_rank"


@pytest.mark.parametrize("changes,message", [
    ({"rank_iii": ""}, "Isi nilai minimum untuk setiap eselon."),
    ({"rank_iv": "75.5"}, "Tulis nominal rupiah tanpa sen"),
    ({"minimum_kind": "tpp_percent", "tpp_percent": "sepuluh"}, "Tulis persentase seperti 10 atau 2,5."),
    ({"minimum_kind": "tpp_percent", "tpp_percent": "150"}, "paling banyak 100%"),
    ({"ceiling_amount": "100.000"}, "Batas atas tidak boleh lebih kecil"),
    ({"coverage": "chosen"}, "Pilih minimal satu perangkat daerah"),
    ({"effective_from": "2026-13"}, "Pilih bulan dalam format"),
])
def test_policy_form_explains_bad_input_and_saves_nothing(client, ctx, changes, message):
    client.login(admin())
    response = client.post_form("/kuota/kebijakan/baru", dict(POLICY_FORM, **changes))
    assert response.status_code == 422 and message in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(QuotaPolicy.id))) == 0


def test_agency_admin_records_and_removes_an_exemption_for_their_own_asn(client, town):
    client.login(agency_admin(town["home"]))
    url = f"/kuota/asn/{town['rina'].id}/pengecualian"
    form = {"starts_on": "2026-11-01", "ends_on": "2026-11-30", "reason": "leave", "note": "Cuti melahirkan"}
    assert client.post_form(url, form, page=f"/kuota/asn/{town['rina'].id}").status_code == 302
    overlap = client.post_form(url, dict(form, starts_on="2026-11-20", ends_on="2026-12-05"),
                               page=f"/kuota/asn/{town['rina'].id}")
    assert overlap.status_code == 422 and "beririsan" in overlap.get_data(as_text=True)
    foreign = client.post_form(f"/kuota/asn/{town['tono'].id}/pengecualian", form,
                               page=f"/kuota/asn/{town['rina'].id}")
    assert foreign.status_code == 404
    exemption = db.session.scalars(sa.select(QuotaExemption)).one()
    # Rina owes nothing in November now: attainment in her agency has nobody obligated.
    html = client.get(f"/kuota/?bulan={NOV}").get_data(as_text=True)
    assert "Rina Rumahan" not in html
    assert client.post_form(f"/kuota/pengecualian/{exemption.id}/hapus", {},
                            page=f"/kuota/asn/{town['rina'].id}").status_code == 302
    actions = db.session.scalars(sa.select(AuditEvent.action).where(AuditEvent.action.startswith("quotas.exemption"))).all()
    assert actions == ["quotas.exemption_added", "quotas.exemption_removed"]


def test_asn_sees_this_month_and_their_history(client, ctx):
    policy()
    asn = AsnFactory()
    now = datetime.now(timezone.utc)
    buy(asn.user, [(ProductFactory(price_amount=20_000), 1)], now)
    buy(asn.user, [(ProductFactory(price_amount=65_000), 1)], now - timedelta(days=40))
    client.login(asn.user)
    home = client.get("/").get_data(as_text=True)
    assert 'data-testid="quota-progress"' in home and "Rp\u00a020.000" in home and "dari minimum Rp\u00a050.000" in home
    assert 'value="20000"' in home and "Kurang Rp\u00a030.000 lagi" in home
    assert 'data-testid="quota-history"' in home and "Rp\u00a065.000" in home and "Terpenuhi" in home
    history = client.get("/kuota/saya").get_data(as_text=True)
    assert "Riwayat bulanan" in history and "Rp\u00a020.000" in history


def test_home_keeps_closed_months_a_while_but_never_the_open_month(app, client, ctx, monkeypatch):
    from bebeli.quotas import home

    monkeypatch.setitem(app.config, "QUOTA_HOME_HISTORY_SECONDS", 300)
    monkeypatch.setattr(home, "_home_history", {})
    policy()
    asn = AsnFactory()
    now = datetime.now(timezone.utc)
    buy(asn.user, [(ProductFactory(price_amount=65_000), 1)], now - timedelta(days=40))
    client.login(asn.user)
    assert "Rp\u00a065.000" in client.get("/").get_data(as_text=True)

    buy(asn.user, [(ProductFactory(price_amount=7_000), 1)], now - timedelta(days=40))  # reaches back
    buy(asn.user, [(ProductFactory(price_amount=20_000), 1)], now)                      # this month
    home = client.get("/").get_data(as_text=True)
    assert 'data-testid="quota-counted">Rp\u00a020.000' in home          # the open month at once
    assert "Rp\u00a065.000" in home and "Rp\u00a072.000" not in home             # closed months from the cache
    assert "Rp\u00a072.000" in client.get("/kuota/saya").get_data(as_text=True)  # the full history is fresh

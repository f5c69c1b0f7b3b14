"""An ASN owes the monthly minimum from the day they start — their `active_from`, or the day
they were imported or created — never for the months before."""
import csv
import io
import re
from datetime import date, timedelta

import sqlalchemy as sa

from bebeli.dates import days_in_month, jakarta_today, month_start
from bebeli.directory.models import AsnProfile
from bebeli.extensions import db
from bebeli.quotas.services import obligation_for
from tests.directory.helpers import batch_url, csv_bytes, nip, upload
from tests.factories import AgencyFactory, AsnFactory, admin
from tests.quotas.factories import policy


def _csv(client, url: str) -> list[dict]:
    response = client.get(url)
    assert response.status_code == 200, url
    return list(csv.DictReader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))


def _history_rows(html: str) -> list[list[str]]:
    table = re.search(r'data-table="riwayat">(.*?)</table>', html, re.S).group(1)
    body = table.split("<tbody>", 1)[1]
    return [[re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
            for row in re.findall(r"<tr>(.*?)</tr>", body, re.S)]


def test_an_imported_asn_owes_nothing_for_the_months_before_the_import(client, ctx):
    policy(effective_from=date(2024, 1, 1))
    agency = AgencyFactory(code="DISKOP", name="Dinas Koperasi")
    staff = admin()
    client.login(staff)
    url = batch_url(upload(client, csv_bytes([[nip(7), "Nina Baru", "nina@contoh.go.id", "DISKOP", "III/a", "staf",
                                               "Analis", "", "", "ya"]])))
    assert client.post_form(url + "/konfirmasi", page=url).status_code == 302
    asn = db.session.scalar(db.select(AsnProfile).where(AsnProfile.nip == nip(7)))
    assert asn.active_from is None  # the file gave no start: the import day is the start

    today = jakarta_today()
    this_month, last_month = month_start(today), month_start(month_start(today) - timedelta(days=1))
    # The import month counts, pro-rated from the import day (rounded half up).
    days = days_in_month(today) - today.day + 1
    owed = (50_000 * days + days_in_month(today) // 2) // days_in_month(today)
    assert obligation_for(asn.user_id, this_month).minimum_amount == owed
    assert obligation_for(asn.user_id, last_month) is None

    # Eleven earlier months read "–", not "Kurang Rp 50.000".
    page = client.get(f"/kuota/asn/{asn.id}?bulan={this_month:%Y-%m}").get_data(as_text=True)
    rows = _history_rows(page)
    assert len(rows) == 12
    assert rows[0][1:4] == [f"Rp\u00a0{owed:,}".replace(",", "."), "Rp\u00a00", f"Rp\u00a0{owed:,}".replace(",", ".")]
    for earlier in rows[1:]:
        assert earlier[1] == "–" and earlier[3] == "–" and earlier[4] == "–", earlier
    assert "Rp\u00a050.000" not in page

    # …and the agency's totals of last month count nobody as short.
    assert _csv(client, f"/kuota/ekspor/di-bawah-minimum.csv?bulan={last_month:%Y-%m}") == []
    agencies = _csv(client, f"/kuota/ekspor/perangkat-daerah.csv?bulan={last_month:%Y-%m}")
    assert all(row["Perangkat daerah"] != agency.name for row in agencies), agencies
    assert [r["Nama"] for r in _csv(client, f"/kuota/ekspor/di-bawah-minimum.csv?bulan={this_month:%Y-%m}")] == [
        "Nina Baru"]

    # The ASN's own pages say the same.
    client.logout()
    asn.user.password_hash = staff.password_hash
    db.session.commit()
    client.login(asn.user)
    home = client.get("/").get_data(as_text=True)
    history = re.search(r'data-testid="quota-history".*?</ul>', home, re.S).group(0)
    assert "Kurang" not in history and history.count("–") == 5
    mine = _history_rows(client.get("/kuota/saya").get_data(as_text=True))
    assert [row[1] for row in mine[1:]] == ["–"] * 11


def test_the_month_of_active_from_counts_pro_rated_and_the_month_before_does_not(client, ctx):
    policy(effective_from=date(2024, 1, 1))
    agency = AgencyFactory(name="Dinas Awal")
    asn = AsnFactory(agency=agency, user__name="Sari Mulai", active_from=date(2025, 3, 17))
    client.login(admin())

    history = {row["Bulan"]: row for row in _csv(client, f"/kuota/ekspor/riwayat.csv?bulan=2025-04&asn={asn.id}")}
    assert history["2025-04"]["Minimum"] == "50000"
    assert history["2025-03"]["Minimum"] == str((50_000 * 15 + 15) // 31)  # 15 of 31 days: 24194
    assert history["2025-03"]["Kekurangan"] == "24194"
    assert history["2025-02"]["Minimum"] == "" and history["2025-02"]["Kekurangan"] == ""

    march = _csv(client, "/kuota/ekspor/perangkat-daerah.csv?bulan=2025-03")
    assert [(r["Perangkat daerah"], r["ASN wajib"]) for r in march] == [("Dinas Awal", "1")]
    assert _csv(client, "/kuota/ekspor/perangkat-daerah.csv?bulan=2025-02") == []
    assert _csv(client, "/kuota/ekspor/di-bawah-minimum.csv?bulan=2025-02") == []
    page = _history_rows(client.get(f"/kuota/asn/{asn.id}?bulan=2025-04").get_data(as_text=True))
    feb = next(row for row in page if row[0] == "Februari 2025")
    assert feb[1] == "–" and feb[3] == "–"


def _run_revision_0015(app) -> None:
    import importlib.util
    from pathlib import Path

    from alembic.migration import MigrationContext
    from alembic.operations import Operations

    path = Path(app.root_path).parent / "migrations/versions/0015_orders_quotas.py"
    spec = importlib.util.spec_from_file_location("revision_0015", path)
    revision = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(revision)
    with app.app_context(), db.engine.begin() as conn, Operations.context(MigrationContext.configure(conn)):
        revision.upgrade()


def test_months_frozen_with_the_old_rule_are_thawed_by_the_migration(app, ctx):
    from bebeli.db import utcnow
    from bebeli.quotas.models import QuotaFrozenMonth, QuotaMonth

    policy(effective_from=date(2024, 1, 1))
    newcomer = AsnFactory(created_at=utcnow())           # no active_from: owes from today
    veteran = AsnFactory(active_from=date(2020, 1, 1))
    this_month = month_start(jakarta_today())
    before = month_start(this_month - timedelta(days=1))
    long_ago = date(2023, 5, 1)
    # As the old rule froze them: the newcomer owing a full minimum last month.
    for month in (before, long_ago):
        db.session.add(QuotaFrozenMonth(month=month))
        db.session.add(QuotaMonth(user_id=veteran.user_id, month=month, counted_amount=0, reserved_amount=0,
                                  minimum_amount=50_000, agency_id=veteran.agency_id))
    db.session.add(QuotaMonth(user_id=newcomer.user_id, month=before, counted_amount=0, reserved_amount=0,
                              minimum_amount=50_000, agency_id=newcomer.agency_id))
    db.session.commit()

    _run_revision_0015(app)
    db.session.expire_all()
    assert set(db.session.scalars(sa.select(QuotaFrozenMonth.month))) == {long_ago}
    assert obligation_for(newcomer.user_id, before) is None               # computed again: nothing owed
    assert obligation_for(veteran.user_id, before).minimum_amount == 50_000

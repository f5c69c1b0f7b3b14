"""Time a 5,000-row ASN import (preview, then confirm) on a scratch database.

    .venv/bin/python bench/asn_import.py sqlite:////tmp/bebeli-bench-import.sqlite3
    .venv/bin/python bench/asn_import.py postgresql+psycopg://postgres@127.0.0.1:5432/bebeli_bench_import

The PostgreSQL database is created if missing and its public schema is DROPPED first: never
point this at a database you care about. Prints one line per scenario (first import, re-import
with every row changed, re-import unchanged).
"""
from __future__ import annotations

import csv
import io
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bebeli import create_app  # noqa: E402
from bebeli.auth.models import Role, RoleAssignment, User  # noqa: E402
from bebeli.directory.importer import confirm_import, stage_import  # noqa: E402
from bebeli.directory.models import Agency, AsnProfile  # noqa: E402
from bebeli.extensions import db  # noqa: E402


def fresh_database(url: str) -> None:
    if url.startswith("sqlite:///"):
        Path(url.removeprefix("sqlite:///")).unlink(missing_ok=True)
        return
    subprocess.run([sys.executable, str(ROOT / "scripts" / "testdb.py"), url], check=True)
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.execute(sa.text("DROP SCHEMA public CASCADE"))
        conn.execute(sa.text("CREATE SCHEMA public"))
    engine.dispose()


def make_csv(rows: int, tpp: int) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["nip", "nama", "email", "kode_opd", "pangkat", "eselon", "jabatan", "tpp", "pppk", "aktif"])
    for i in range(rows):
        birth = date(1980, 1, 1) + timedelta(days=i // 999)
        nip = f"{birth:%Y%m%d}201003{1 + i % 2}{i % 999 + 1:03d}"
        writer.writerow([nip, f"Pegawai {i}", f"pegawai{i}@bekasikab.go.id", f"OPD{i % 40:02d}", "III/a", "staf",
                         "Staf", tpp, "", ""])
    return out.getvalue().encode()


def main(url: str, rows: int = 5000) -> None:
    from flask_migrate import upgrade

    fresh_database(url)
    app = create_app("testing", SQLALCHEMY_DATABASE_URI=url)
    with app.app_context():
        upgrade()
        admin = User(email="bench@contoh.go.id", name="Bench", password_hash="!")
        db.session.add(admin)
        db.session.flush()
        db.session.add(RoleAssignment(user_id=admin.id, role=Role.ADMIN))
        db.session.add_all(Agency(code=f"OPD{i:02d}", name=f"Dinas {i}") for i in range(40))
        db.session.commit()
        scenarios = (("first import", 4_500_000), ("re-import, every row changed", 5_000_000),
                     ("re-import, unchanged", 5_000_000))
        for label, tpp in scenarios:
            data = make_csv(rows, tpp)
            with app.test_request_context():
                started = time.perf_counter()
                batch = stage_import("asn.csv", data, actor=db.session.get(User, admin.id))
                db.session.commit()
                staged = time.perf_counter()
                confirm_import(batch, actor=db.session.get(User, admin.id))
                db.session.commit()
                done = time.perf_counter()
            print(f"{db.engine.dialect.name:10} {label:30} rows={batch.total_count} new={batch.new_count} "
                  f"updated={batch.updated_count} unchanged={batch.unchanged_count} invalid={batch.invalid_count} "
                  f"preview={staged - started:.2f}s confirm={done - staged:.2f}s total={done - started:.2f}s")
        print("profiles:", db.session.scalar(sa.select(sa.func.count(AsnProfile.id))))


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 5000)

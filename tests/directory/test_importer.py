"""Reading import files, the shared field rules, and `flask import-asn`."""
import pytest

from bebeli.directory.import_files import ImportFileError, read_table, template_csv, template_xlsx
from bebeli.directory.models import AsnProfile, Echelon
from bebeli.directory.normalize import (
    normalize_echelon,
    normalize_email,
    normalize_rank,
    normalize_tpp,
    parse_flag,
)
from bebeli.errors import ValidationFailed
from bebeli.extensions import db
from tests.directory.helpers import HEADER, csv_bytes, nip, xlsx_bytes
from tests.factories import AgencyFactory, AsnFactory


def _read(content: bytes, filename: str = "asn.csv", max_rows: int = 100):
    return read_table(filename, content, max_rows=max_rows)


def test_csv_with_bom_semicolons_blank_lines_and_unknown_columns(app):
    content = ("\ufeffNo;NIP;Nama;Email;Kode OPD\r\n"
               "1;199001152015031001;Andi;andi@contoh.go.id;DISDIK\r\n"
               ";;;;\r\n"
               "2;\"199001152015031002\";\"Budi; S.E.\";budi@contoh.go.id;DISDIK\r\n").encode()
    table = _read(content)
    assert table.columns == ["nip", "nama", "email", "kode_opd"] and table.ignored == ["No"]
    assert [(r.line, r.cells["nama"]) for r in table.rows] == [(2, "Andi"), (4, "Budi; S.E.")]


def test_xlsx_cells_become_text_and_number_nips_are_kept_recognisable(app):
    rows = [["199001152015031001", "Andi", "andi@contoh.go.id", "DISDIK", "III/a", None, None, 4500000.0, False, True],
            [199001152015031002, "Budi", "budi@contoh.go.id", "DISDIK", None, None, None, None, None, None]]
    table = _read(xlsx_bytes(rows), "asn.xlsx")
    first, second = (r.cells for r in table.rows)
    assert (first["nip"], first["tpp"], first["pppk"], first["aktif"]) == ("199001152015031001", "4500000", "tidak", "ya")
    # Spreadsheets keep 15 significant digits: a NIP typed as a number has lost its last ones.
    # Its float spelling is kept so the planner can say so (see test_import_views).
    assert second["nip"] == "1.99001152015031e+17"


@pytest.mark.parametrize("content,filename,message", [
    (b"", "asn.csv", "Berkas kosong."),
    (b"nip,nama,email,kode_opd\r\n", "asn.csv", "tidak berisi baris data"),
    (b"a,b\r\n1,2\r\n", "asn.csv", "Baris pertama harus berisi judul kolom"),
    (b"nip,NIP,nama\r\n1,2,3\r\n", "asn.csv", "Kolom nip muncul dua kali."),
    (b"\xc3\x28", "asn.csv", "UTF-8"),
    (b"nip\r\n\"" + b"x" * 200_000, "asn.csv", "rusak"),
    (b"not a zip", "asn.xlsx", "XLSX tidak dapat dibaca"),
    (b"nip\n1\n", "asn.xls", ".csv atau .xlsx"),
])
def test_unreadable_files(app, content, filename, message):
    with app.test_request_context(), pytest.raises(ImportFileError) as error:
        _read(content, filename)
    with app.test_request_context():
        assert message in str(error.value.message)


def test_row_limit(app):
    content = csv_bytes([[nip(i), "X", f"x{i}@contoh.go.id", "A"] for i in range(1, 4)], header=HEADER[:4])
    assert len(_read(content, max_rows=3).rows) == 3
    with app.test_request_context(), pytest.raises(ImportFileError):
        _read(content, max_rows=2)


def test_templates_read_back(app):
    with app.test_request_context():
        for filename, content in (("t.csv", template_csv().encode()), ("t.xlsx", template_xlsx())):
            with pytest.raises(ImportFileError) as error:
                _read(content, filename)
            assert "tidak berisi baris data" in str(error.value.message)  # header recognised, no rows


@pytest.mark.parametrize("rule,text,value", [
    (normalize_rank, " iii/a ", "III/a"), (normalize_rank, "IV / e", "IV/e"), (normalize_rank, "ix", "IX"),
    (normalize_rank, "", None),
    (normalize_echelon, "", Echelon.STAF), (normalize_echelon, "Eselon IV.a", Echelon.IV),
    (normalize_echelon, "3", Echelon.III), (normalize_echelon, "non eselon", Echelon.STAF),
    (normalize_tpp, "Rp 4.500.000", 4_500_000), (normalize_tpp, "4500000,00", 4_500_000), (normalize_tpp, " ", None),
    (normalize_email, " Siti@BekasiKab.go.id ", "siti@bekasikab.go.id"),
])
def test_field_rules_accept(rule, text, value):
    assert rule(text) == value


@pytest.mark.parametrize("rule,text", [
    (normalize_rank, "V/a"), (normalize_rank, "XVIII"), (normalize_rank, "golongan 3"),
    (normalize_echelon, "V"), (normalize_tpp, "4,5 juta"), (normalize_tpp, "-5000"),
    (normalize_tpp, "99999999999"), (normalize_email, "siti@"), (lambda t: parse_flag(t, default=True), "mungkin"),
])
def test_field_rules_refuse(app, rule, text):
    with app.test_request_context(), pytest.raises(ValidationFailed):
        rule(text)


def test_flask_import_asn_command(app, ctx, tmp_path):
    agency = AgencyFactory(code="DISDIK")
    AsnFactory(agency=agency, nip=nip(1), user__name="Lama", tpp_amount=1_000_000)
    path = tmp_path / "asn.csv"
    path.write_bytes(csv_bytes([
        [nip(1), "Andi Wijaya", "andi@contoh.go.id", "DISDIK", "", "", "", "2000000", "", ""],
        [nip(2), "Budi", "budi@contoh.go.id", "DISDIK", "", "", "", "", "", ""],
        [nip(3), "Citra", "citra@contoh.go.id", "TIDAKADA", "", "", "", "", "", ""],
    ]))
    runner = app.test_cli_runner()  # result.output holds stdout and stderr as a terminal shows them

    result = runner.invoke(args=["import-asn", str(path), "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "3 baris: 1 baru, 1 diperbarui, 0 tidak berubah, 1 bermasalah" in result.output
    assert "baris 4, kode_opd: Kode perangkat daerah TIDAKADA tidak dikenal." in result.output
    assert db.session.scalar(db.select(db.func.count(AsnProfile.id))) == 1

    result = runner.invoke(args=["import-asn", str(path)], input="n\n")
    assert result.exit_code == 1 and db.session.scalar(db.select(db.func.count(AsnProfile.id))) == 1

    result = runner.invoke(args=["import-asn", str(path), "--yes"])
    assert result.exit_code == 0 and "1 ASN baru, 1 diperbarui" in result.output
    db.session.expire_all()
    andi = db.session.scalar(db.select(AsnProfile).where(AsnProfile.nip == nip(1)))
    assert (andi.user.name, andi.tpp_amount) == ("Andi Wijaya", 2_000_000)
    assert db.session.scalar(db.select(db.func.count(AsnProfile.id))) == 2

    result = runner.invoke(args=["import-asn", str(path), "--actor", "nobody@contoh.go.id"])
    assert result.exit_code != 0 and "not an admin" in result.output

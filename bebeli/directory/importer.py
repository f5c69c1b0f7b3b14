"""Bulk import of ASN from CSV or XLSX: read, validate every row, preview, confirm, write.

Reading turns a file into rows of text cells. Planning checks every row with the same field
rules as the ASN form, and against the database loaded in bulk (never one query per row), and
decides what each row would do: create, update, leave unchanged, or nothing because it is
invalid. A preview is stored as an `AsnImportBatch`; nothing else is written until the admin
confirms. Confirming plans the stored cells again, refuses if the outcome changed meanwhile,
and writes every valid row with bulk INSERT/UPDATE statements in one transaction. Rows are
keyed by NIP, so importing the same file twice updates people instead of duplicating them.
"""
from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import PurePath

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError

from bebeli.audit.models import AuditEvent
from bebeli.audit.services import client_ip, record
from bebeli.auth.models import Role, RoleAssignment, User, new_session_token
from bebeli.auth.services import UNUSABLE_PASSWORD
from bebeli.dates import jakarta_today
from bebeli.db import utcnow
from bebeli.directory.models import Agency, AsnImportBatch, AsnProfile, Echelon
from bebeli.directory.permissions import can_change_login_email, can_use_import_batch
from bebeli.directory.services import (
    USER_FIELDS,
    activity_until,
    changes_between,
    clean_text,
    normalize_echelon,
    normalize_email,
    normalize_name,
    normalize_position,
    normalize_rank,
    normalize_tpp,
    parse_flag,
    scope_of,
)
from bebeli.errors import Conflict, NotFound, ValidationFailed
from bebeli.extensions import db
from bebeli.identity import IdentityError, parse_nip

Progress = Callable[[int], object] | None
CHUNK = 1000  # rows per bulk statement: well under SQLite's and PostgreSQL's parameter limits


@dataclass(frozen=True)
class Column:
    key: str      # the header in the file
    field: str    # the attribute it fills
    label: object
    help: object
    example: str
    rule: Callable | None = None  # cell text -> stored value; nip and kode_opd need the planner
    required: bool = False


COLUMNS = (
    Column("nip", "nip", _l("NIP"), _l("18 digit. Di Excel, format kolom ini sebagai Teks agar digitnya tidak hilang."),
           "199007212015032001", required=True),
    Column("nama", "name", _l("Nama lengkap"), _l("Dengan gelar, maksimal 120 karakter."),
           "Siti Rahmawati, S.E.", normalize_name, required=True),
    Column("email", "email", _l("Email"), _l("Untuk masuk dan mengatur kata sandi; satu email untuk satu orang."),
           "siti.rahmawati@bekasikab.go.id", normalize_email, required=True),
    Column("kode_opd", "agency_id", _l("Kode perangkat daerah"),
           _l("Kode seperti pada daftar perangkat daerah. Operator yang mengelola satu perangkat daerah boleh "
              "mengosongkannya."), "DISDIK", required=True),
    Column("pangkat", "rank", _l("Pangkat/golongan"), _l("Misalnya III/a; PPPK: IX. Boleh kosong."), "III/b",
           normalize_rank),
    Column("eselon", "echelon", _l("Eselon"), _l("staf, IV, III, II atau I. Kosong berarti staf."), "staf",
           normalize_echelon),
    Column("jabatan", "position", _l("Jabatan"), _l("Maksimal 160 karakter. Boleh kosong."), "Analis Keuangan",
           normalize_position),
    Column("tpp", "tpp_amount", _l("TPP per bulan (Rp)"),
           _l("Bilangan bulat rupiah: 4500000 atau 4.500.000. Boleh kosong."), "4500000", normalize_tpp),
    Column("pppk", "is_pppk", _l("PPPK"),
           _l("ya untuk PPPK (NIP cukup 18 digit); kosong atau tidak untuk PNS (NIP diperiksa lengkap)."), "tidak",
           lambda text: parse_flag(text, default=False)),
    Column("aktif", "is_active", _l("Aktif"), _l("ya atau tidak. Kosong berarti ya."), "ya",
           lambda text: parse_flag(text, default=True)),
)
COLUMN_BY_KEY = {c.key: c for c in COLUMNS}
COLUMN_BY_FIELD = {c.field: c for c in COLUMNS}
PROFILE_FIELDS = ("agency_id", "is_pppk", "rank", "echelon", "position", "tpp_amount", "is_active")
# What a new ASN gets for a column the file does not have.
DEFAULTS = {"rank": None, "echelon": Echelon.STAF, "position": None, "tpp_amount": None, "is_pppk": False,
            "is_active": True}

CREATE, UPDATE, SAME, INVALID = "create", "update", "same", "invalid"


class ImportFileError(ValidationFailed):
    """The file as a whole cannot be read; no row was looked at."""

    code = "import_file_invalid"


class PreviewOutdated(Conflict):
    code = "import_preview_outdated"
    default_message = _l("Data di sistem berubah sejak pratinjau dibuat. Pratinjau sudah diperbarui; periksa lagi "
                         "sebelum mengimpor.")


class ImportExpired(Conflict):
    code = "import_expired"
    default_message = _l("Pratinjau ini sudah kedaluwarsa. Unggah berkasnya lagi.")


# ---------------------------------------------------------------------------------------------
# Reading
# ---------------------------------------------------------------------------------------------

@dataclass
class SourceRow:
    line: int  # the spreadsheet row number: the header is row 1
    cells: dict[str, str]


@dataclass
class Table:
    columns: list[str]  # recognised columns, in file order
    ignored: list[str]  # headers this importer does not know
    rows: list[SourceRow]


_UNREADABLE_XLSX = _l("Berkas XLSX tidak dapat dibaca. Simpan ulang dari Excel sebagai Buku Kerja Excel (.xlsx).")
_HEADER_JUNK = re.compile(r"[^a-z0-9]+")


def _csv_records(data: bytes) -> Iterator[list[str]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ImportFileError(_l('Berkas CSV harus berenkode UTF-8 (di Excel: Simpan sebagai "CSV UTF-8").')) from None
    first_line = text.split("\n", 1)[0]
    # Excel in an Indonesian locale separates with ";", elsewhere with ",".
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        for values in reader:
            yield [v.strip() for v in values]
    except csv.Error:
        raise ImportFileError(_l("Berkas CSV rusak di sekitar baris %(line)d.", line=reader.line_num)) from None


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "ya" if value else "tidak"
    if isinstance(value, float):
        # Past 15 digits a spreadsheet number has already lost digits (an 18-digit NIP typed into
        # a number cell): keep the float's own spelling so the NIP rule can say so.
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    return str(value).strip()


def _xlsx_records(data: bytes) -> Iterator[list[str]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # damaged files raise zipfile, XML, KeyError and ValueError alike
        raise ImportFileError(_UNREADABLE_XLSX) from None
    try:
        sheet = workbook.worksheets[0]
        for values in sheet.iter_rows(values_only=True):
            yield [_cell_text(v) for v in values]
    except Exception:  # same reason, met while streaming the sheet
        raise ImportFileError(_UNREADABLE_XLSX) from None
    finally:
        workbook.close()


READERS = {".csv": _csv_records, ".xlsx": _xlsx_records}


def _header_key(text: str) -> str:
    return _HEADER_JUNK.sub("_", text.strip().lower()).strip("_")


def read_table(filename: str, data: bytes, *, max_rows: int) -> Table:
    """Parse a CSV (UTF-8, with or without BOM, "," or ";") or XLSX file (first sheet)."""
    reader = READERS.get(PurePath(filename or "").suffix.lower())
    if reader is None:
        raise ImportFileError(_l("Unggah berkas .csv atau .xlsx."))
    positions: dict[str, int] | None = None
    ignored: list[str] = []
    rows: list[SourceRow] = []
    for line, values in enumerate(reader(data), start=1):
        if positions is None:
            if any(values):
                positions, ignored = _read_header(values)
            continue
        cells = {key: (values[i] if i < len(values) else "") for key, i in positions.items()}
        if not any(cells.values()):
            continue
        if len(rows) == max_rows:
            raise ImportFileError(_l("Berkas berisi lebih dari %(n)d baris data; bagi menjadi beberapa berkas.",
                                     n=max_rows))
        rows.append(SourceRow(line, cells))
    if positions is None:
        raise ImportFileError(_l("Berkas kosong."))
    if not rows:
        raise ImportFileError(_l("Berkas tidak berisi baris data di bawah judul kolom."))
    return Table(columns=list(positions), ignored=ignored, rows=rows)


def _read_header(values: list[str]) -> tuple[dict[str, int], list[str]]:
    positions: dict[str, int] = {}
    ignored = []
    for i, text in enumerate(values):
        key = _header_key(text)
        if key in COLUMN_BY_KEY:
            if key in positions:
                raise ImportFileError(_l("Kolom %(column)s muncul dua kali.", column=key))
            positions[key] = i
        elif text:
            ignored.append(text)
    if not positions:
        raise ImportFileError(_l("Baris pertama harus berisi judul kolom: %(columns)s.",
                                 columns=", ".join(c.key for c in COLUMNS)))
    return positions, ignored


# ---------------------------------------------------------------------------------------------
# Planning
# ---------------------------------------------------------------------------------------------

@dataclass
class RowPlan:
    line: int
    cells: dict[str, str]
    errors: dict[str, str] = field(default_factory=dict)  # column key -> message
    action: str = INVALID
    changed: list[str] = field(default_factory=list)      # column keys an update changes
    values: dict = field(default_factory=dict)            # attribute -> value to store
    changes: dict = field(default_factory=dict)           # attribute -> [old, new], for the audit log
    nip_fits_pns: bool = False
    existing: sa.Row | None = None

    def fail(self, column: str, message) -> None:
        self.errors.setdefault(column, str(message))

    def as_json(self) -> dict:
        return {"line": self.line, "cells": self.cells, "action": self.action, "errors": self.errors,
                "changed": self.changed}


@dataclass
class Plan:
    columns: list[str]
    ignored: list[str]
    fields: set[str]  # attributes the file sets
    rows: list[RowPlan]

    def with_action(self, action: str) -> list[RowPlan]:
        return [r for r in self.rows if r.action == action]

    def count(self, action: str) -> int:
        return sum(1 for r in self.rows if r.action == action)

    @property
    def valid_count(self) -> int:
        return len(self.rows) - self.count(INVALID)

    def signature(self) -> list:
        return signature(r.as_json() for r in self.rows)


def signature(rows) -> list:
    """What the admin saw in a preview: each row's outcome, without the (translated) wording."""
    return [(r["line"], r["action"], sorted(r["errors"]), list(r["changed"])) for r in rows]


def _chunks(items: list, size: int = CHUNK):
    for start in range(0, len(items), size):
        yield items[start:start + size]


_SCIENTIFIC = re.compile(r"^\d+(?:[.,]\d+)?[eE]\+?\d+$")


def _read_nip(row: RowPlan) -> None:
    text = row.cells.get("nip", "")
    if _SCIENTIFIC.match(text.strip()):
        row.fail("nip", _l("NIP terbaca sebagai angka (%(text)s) sehingga digitnya hilang. Format kolom NIP "
                           "sebagai Teks lalu isi ulang.", text=text))
        return
    try:
        nip = parse_nip(text, allow_pppk=True)
    except IdentityError as error:
        row.fail("nip", error.message)
        return
    row.values["nip"] = nip.digits
    row.nip_fits_pns = not nip.is_pppk


@dataclass
class _Context:
    actor: object
    scope: set[int] | None
    agencies: dict[str, tuple[int, bool]]  # code -> (id, is_active)
    default_agency_id: int | None           # for an operator who manages exactly one agency


def _read_agency(row: RowPlan, ctx: _Context) -> None:
    code = clean_text(row.cells.get("kode_opd")).upper()
    if not code:
        if ctx.default_agency_id is None:
            row.fail("kode_opd", _l("Kode perangkat daerah wajib diisi."))
        else:
            row.values["agency_id"] = ctx.default_agency_id
        return
    agency_id, active = ctx.agencies.get(code, (None, False))
    if agency_id is None:
        row.fail("kode_opd", _l("Kode perangkat daerah %(code)s tidak dikenal.", code=code))
    elif not active:
        row.fail("kode_opd", _l("Perangkat daerah %(code)s tidak aktif.", code=code))
    elif ctx.scope is not None and agency_id not in ctx.scope:
        row.fail("kode_opd", _l("Anda hanya dapat mengimpor ASN untuk perangkat daerah Anda."))
    else:
        row.values["agency_id"] = agency_id


def _read_cells(row: RowPlan, columns: list[str], ctx: _Context) -> None:
    """Phase 1: every cell on its own, no database. Errors come in the file's column order."""
    for key in columns:
        column = COLUMN_BY_KEY[key]
        if key == "nip":
            _read_nip(row)
        elif key == "kode_opd":
            _read_agency(row, ctx)
        else:
            try:
                row.values[column.field] = column.rule(row.cells.get(key, ""))
            except ValidationFailed as error:
                row.fail(key, error.message)
    if "kode_opd" not in columns and ctx.default_agency_id is not None:
        row.values["agency_id"] = ctx.default_agency_id


_EXISTING_COLUMNS = (
    AsnProfile.id.label("profile_id"), AsnProfile.user_id, AsnProfile.nip, AsnProfile.agency_id, AsnProfile.is_pppk,
    AsnProfile.rank, AsnProfile.echelon, AsnProfile.position, AsnProfile.tpp_amount, AsnProfile.is_active,
    AsnProfile.active_until, User.name, User.email,
)


def _existing_by_nip(nips: list[str]) -> dict[str, sa.Row]:
    found = {}
    for chunk in _chunks(nips):
        stmt = db.select(*_EXISTING_COLUMNS).join(User, User.id == AsnProfile.user_id).where(AsnProfile.nip.in_(chunk))
        found.update((row.nip, row) for row in db.session.execute(stmt))
    return found


def _user_ids_by_email(emails: list[str]) -> dict[str, int]:
    found = {}
    for chunk in _chunks(emails):
        found.update(db.session.execute(db.select(User.email, User.id).where(User.email.in_(chunk))).all())
    return found


def _roles_by_user(user_ids: list[int]) -> dict[int, list[Role]]:
    roles: dict[int, list[Role]] = {}
    for chunk in _chunks(user_ids):
        stmt = db.select(RoleAssignment.user_id, RoleAssignment.role).where(RoleAssignment.user_id.in_(chunk))
        for user_id, role in db.session.execute(stmt):
            roles.setdefault(user_id, []).append(role)
    return roles


def _earlier_line(seen: dict, key, line: int) -> int | None:
    """The line where `key` first appeared in the file, if not this one."""
    first = seen.setdefault(key, line)
    return first if first != line else None


def _resolve(row: RowPlan, plan_fields: set[str], ctx: _Context, existing: dict, owners: dict, roles: dict,
             seen_nip: dict, seen_email: dict) -> None:
    """Phase 2: the row against the rest of the file and the database, then its action."""
    nip, email = row.values.get("nip"), row.values.get("email")
    old = existing.get(nip) if nip else None
    if nip:
        if earlier := _earlier_line(seen_nip, nip, row.line):
            row.fail("nip", _l("NIP sama dengan baris %(line)d.", line=earlier))
        is_pppk = row.values.get("is_pppk", old.is_pppk if old else False)
        if not is_pppk and not row.nip_fits_pns:
            try:
                parse_nip(row.cells["nip"])
            except IdentityError as error:
                row.fail("nip", _l("%(problem)s Jika ASN ini PPPK, isi kolom pppk dengan ya.", problem=error.message))
        if old is not None and ctx.scope is not None and old.agency_id not in ctx.scope:
            row.fail("nip", _l("NIP ini terdaftar di perangkat daerah lain; hubungi administrator untuk "
                               "memindahkannya."))
    if email:
        if earlier := _earlier_line(seen_email, email, row.line):
            row.fail("email", _l("Email sama dengan baris %(line)d.", line=earlier))
        owner = owners.get(email)
        if owner is not None and (old is None or owner != old.user_id):
            row.fail("email", _l("Email sudah dipakai akun lain."))
        elif (old is not None and email != old.email and ctx.scope is not None
              and not can_change_login_email(ctx.actor, roles.get(old.user_id, []))):
            row.fail("email", _l("Email akun ini hanya dapat diubah administrator, karena akun ini juga memiliki "
                                 "peran lain."))
    if row.errors:
        return
    row.existing = old
    if old is None:
        row.action = CREATE
        row.values = {**DEFAULTS, **row.values}
        return
    new = {f: row.values[f] for f in plan_fields}
    row.changes = changes_between({f: getattr(old, f) for f in plan_fields}, new)
    row.changed = [COLUMN_BY_FIELD[f].key for f in COLUMN_BY_FIELD if f in row.changes]
    row.action = UPDATE if row.changes else SAME


def _context(actor) -> _Context:
    scope = scope_of(actor)
    agencies = {code: (agency_id, active) for code, agency_id, active in
                db.session.execute(db.select(Agency.code, Agency.id, Agency.is_active))}
    default = next(iter(scope)) if scope is not None and len(scope) == 1 else None
    return _Context(actor=actor, scope=scope, agencies=agencies, default_agency_id=default)


def plan_import(table: Table, *, actor, progress: Progress = None) -> Plan:
    """Validate every row and decide what it would do. Reads the database, writes nothing."""
    ctx = _context(actor)
    required = [c.key for c in COLUMNS if c.required and not (c.key == "kode_opd" and ctx.default_agency_id)]
    missing = [key for key in required if key not in table.columns]
    if missing:
        raise ImportFileError(_l("Kolom wajib tidak ada: %(columns)s.", columns=", ".join(missing)))
    plan_fields = {COLUMN_BY_KEY[key].field for key in table.columns} - {"nip"}
    if ctx.default_agency_id is not None:
        plan_fields.add("agency_id")

    rows = [RowPlan(r.line, r.cells) for r in table.rows]
    for chunk in _chunks(rows):
        for row in chunk:
            _read_cells(row, table.columns, ctx)
        if progress:
            progress(len(chunk))

    existing = _existing_by_nip(sorted({r.values["nip"] for r in rows if "nip" in r.values}))
    owners = _user_ids_by_email(sorted({r.values["email"] for r in rows if "email" in r.values}))
    roles = _roles_by_user(sorted({row.user_id for row in existing.values()})) if ctx.scope is not None else {}
    seen_nip: dict[str, int] = {}
    seen_email: dict[str, int] = {}
    for row in rows:
        _resolve(row, plan_fields, ctx, existing, owners, roles, seen_nip, seen_email)
    return Plan(columns=table.columns, ignored=table.ignored, fields=plan_fields, rows=rows)


# ---------------------------------------------------------------------------------------------
# Writing
# ---------------------------------------------------------------------------------------------

def _insert_new(rows: list[RowPlan], now: datetime) -> list[int]:
    user_ids = db.session.scalars(
        sa.insert(User).returning(User.id, sort_by_parameter_order=True),
        [{"email": r.values["email"], "name": r.values["name"], "password_hash": UNUSABLE_PASSWORD,
          "session_token": new_session_token(), "is_active_account": True, "created_at": now, "updated_at": now}
         for r in rows],
    ).all()
    db.session.execute(sa.insert(RoleAssignment),
                       [{"user_id": uid, "role": Role.BUYER, "agency_id": None, "created_at": now} for uid in user_ids])
    return db.session.scalars(
        sa.insert(AsnProfile).returning(AsnProfile.id, sort_by_parameter_order=True),
        [{"user_id": uid, "nip": r.values["nip"], **{f: r.values[f] for f in PROFILE_FIELDS},
          "created_at": now, "updated_at": now} for r, uid in zip(rows, user_ids)],
    ).all()


def _update_existing(rows: list[RowPlan], plan_fields: set[str], now: datetime, today: date) -> None:
    user_fields = [f for f in USER_FIELDS if f in plan_fields]
    profile_fields = [f for f in PROFILE_FIELDS if f in plan_fields]
    if user_fields:
        db.session.execute(sa.update(User), [
            {"id": r.existing.user_id, **{f: r.values[f] for f in user_fields}, "updated_at": now} for r in rows])
    if profile_fields:
        db.session.execute(sa.update(AsnProfile), [
            {"id": r.existing.profile_id, **{f: r.values[f] for f in profile_fields},
             "active_until": activity_until(r.existing.is_active, r.values.get("is_active", r.existing.is_active),
                                            r.existing.active_until, today),
             "updated_at": now}
            for r in rows])


def _audit_rows(action: str, actor, pairs, now: datetime) -> None:
    """One audit event per ASN, like `record` writes, in one statement."""
    ip = client_ip()
    db.session.execute(sa.insert(AuditEvent), [
        {"at": now, "actor_id": getattr(actor, "id", None), "action": action, "object_type": "asn_profiles",
         "object_id": str(profile_id), "ip": ip, "details": details}
        for profile_id, details in pairs])


def apply_plan(plan: Plan, *, actor, source: str, batch_id: int | None = None,
               progress: Progress = None) -> tuple[int, int]:
    """Write every create and update row of `plan`; returns (created, updated). All or nothing:
    if someone registered one of these NIPs or emails meanwhile, nothing is written."""
    creates, updates = plan.with_action(CREATE), plan.with_action(UPDATE)
    now, today = utcnow(), jakarta_today()
    origin = {"source": "import", "batch": batch_id} if batch_id else {"source": "import"}
    try:
        with db.session.begin_nested():
            for chunk in _chunks(creates):
                ids = _insert_new(chunk, now)
                _audit_rows("directory.asn_created", actor, [
                    (pid, {**origin, "nip": r.values["nip"], "agency_id": r.values["agency_id"]})
                    for r, pid in zip(chunk, ids)], now)
                if progress:
                    progress(len(chunk))
            for chunk in _chunks(updates):
                _update_existing(chunk, plan.fields, now, today)
                _audit_rows("directory.asn_updated", actor,
                            [(r.existing.profile_id, {**origin, "changes": r.changes}) for r in chunk], now)
                if progress:
                    progress(len(chunk))
    except IntegrityError:
        raise Conflict(_l("Sebagian NIP atau email baru saja didaftarkan orang lain selama impor. Tidak ada yang "
                          "disimpan; unggah berkasnya lagi.")) from None
    record("directory.asn_imported", actor=actor, object_type="asn_import_batches", object_id=batch_id,
           filename=source, created=len(creates), updated=len(updates), unchanged=plan.count(SAME),
           skipped=plan.count(INVALID))
    return len(creates), len(updates)


# ---------------------------------------------------------------------------------------------
# Previews stored in the database
# ---------------------------------------------------------------------------------------------

def _store(batch: AsnImportBatch, plan: Plan) -> None:
    batch.rows = [r.as_json() for r in plan.rows]
    batch.total_count = len(plan.rows)
    batch.invalid_count = plan.count(INVALID)
    batch.new_count = plan.count(CREATE)
    batch.updated_count = plan.count(UPDATE)
    batch.unchanged_count = plan.count(SAME)


def purge_expired_batches() -> int:
    return db.session.execute(sa.delete(AsnImportBatch).where(AsnImportBatch.expires_at < utcnow())).rowcount


def stage_import(filename: str, data: bytes, *, actor) -> AsnImportBatch:
    """Read and check an uploaded file and keep the result as a preview; writes no ASN."""
    purge_expired_batches()
    table = read_table(filename, data, max_rows=current_app.config["ASN_IMPORT_MAX_ROWS"])
    plan = plan_import(table, actor=actor)
    batch = AsnImportBatch(
        created_by_id=actor.id,
        filename=PurePath(filename.replace("\\", "/")).name[:255],
        columns={"used": plan.columns, "ignored": plan.ignored},
        expires_at=utcnow() + timedelta(hours=current_app.config["ASN_IMPORT_BATCH_HOURS"]),
    )
    _store(batch, plan)
    db.session.add(batch)
    db.session.flush()
    return batch


def _check_open(batch: AsnImportBatch, actor) -> None:
    if not can_use_import_batch(actor, batch):
        raise NotFound()
    if batch.confirmed_at is not None:
        raise Conflict(_l("Berkas ini sudah diimpor."))
    if batch.expires_at <= utcnow():
        raise ImportExpired()


def confirm_import(batch: AsnImportBatch, *, actor, progress: Progress = None) -> AsnImportBatch:
    """Write the valid rows of a preview. Plans the stored cells again first: if the outcome
    differs from what the admin saw, the preview is refreshed and PreviewOutdated raised (the
    caller commits to keep the refreshed preview)."""
    # The row lock makes a double click wait, then find the batch already confirmed.
    batch = db.session.execute(
        db.select(AsnImportBatch).where(AsnImportBatch.id == batch.id).with_for_update()
        .execution_options(populate_existing=True)
    ).scalar_one()
    _check_open(batch, actor)
    table = Table(columns=batch.columns["used"], ignored=batch.columns["ignored"],
                  rows=[SourceRow(r["line"], r["cells"]) for r in batch.rows])
    plan = plan_import(table, actor=actor)
    if plan.signature() != signature(batch.rows):
        _store(batch, plan)
        raise PreviewOutdated()
    if not plan.valid_count:
        raise ValidationFailed(_l("Tidak ada baris valid untuk diimpor."))
    apply_plan(plan, actor=actor, source=batch.filename, batch_id=batch.id, progress=progress)
    batch.confirmed_at = utcnow()
    batch.rows = None
    return batch


def discard_import(batch: AsnImportBatch, *, actor) -> None:
    _check_open(batch, actor)
    db.session.delete(batch)


# ---------------------------------------------------------------------------------------------
# Templates to fill in
# ---------------------------------------------------------------------------------------------

def template_csv() -> str:
    """The header row, with a BOM so Excel opens it as UTF-8."""
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerow(c.key for c in COLUMNS)
    return "\ufeff" + out.getvalue()


def template_xlsx() -> bytes:
    """A workbook whose NIP column is already formatted as text, with the column guide on a
    second sheet."""
    from openpyxl import Workbook
    from openpyxl.utils import get_column_letter

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "ASN"
    sheet.append([c.key for c in COLUMNS])
    for index, column in enumerate(COLUMNS, start=1):
        letter = get_column_letter(index)
        sheet.column_dimensions[letter].width = max(14, len(column.example) + 2)
        if column.key in ("nip", "kode_opd", "pangkat"):
            sheet.column_dimensions[letter].number_format = "@"  # Excel's "Text" format
    guide = workbook.create_sheet("Petunjuk")
    guide.append(["kolom", "wajib", "keterangan", "contoh"])
    for column in COLUMNS:
        guide.append([column.key, "ya" if column.required else "", str(column.help), column.example])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
